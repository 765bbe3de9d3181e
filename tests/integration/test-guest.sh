#!/bin/sh
# test-guest.sh: runs tests/integration/test-guest (TAP) for `make check-integration`
#
# A wrapper with the .sh test extension, so that Automake's TAP driver runs it
# without test-guest being in the TESTS of `make check`.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
exec "${abs_top_builddir:-.}/tests/integration/test-guest" "$@"
