"""conftest.py: shared fixtures of the Python tests (bindings and VDSM hooks).

make check runs each test file through run-pytest.sh with the Python configure chose and
PYTHONPATH pointing at the build tree's package first; abs_top_srcdir and abs_top_builddir
come from make check's environment (defaults: this checkout and its build/ directory).
"""

import os
import sys

import pytest

TOP_SRCDIR = os.environ.get(
    "abs_top_srcdir", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
)
TOP_BUILDDIR = os.environ.get("abs_top_builddir", os.path.join(TOP_SRCDIR, "build"))

if "sriovfo" not in sys.modules and not os.environ.get("PYTHONPATH"):
    # run by hand (python3 -m pytest tests/python): use the build tree
    sys.path[:0] = [os.path.join(TOP_BUILDDIR, "bindings", "python"),
                    os.path.join(TOP_SRCDIR, "bindings", "python")]


def data_path(*parts):
    return os.path.join(TOP_SRCDIR, "tests", "data", *parts)


def read_data(*parts):
    with open(data_path(*parts), encoding="utf-8") as f:
        return f.read()


@pytest.fixture
def example_inventory_path():
    return os.path.join(TOP_SRCDIR, "examples", "inventory.json")
