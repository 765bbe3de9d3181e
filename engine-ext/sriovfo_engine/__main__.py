"""python3 -m sriovfo_engine: the sriovfo-engine command."""

import sys

from .main import main

sys.exit(main())
