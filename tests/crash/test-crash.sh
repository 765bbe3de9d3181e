#!/bin/sh
# test-crash.sh: runs tests/crash/test-crash (TAP) for `make check-crash`
#
# A wrapper with the .sh test extension, so that Automake's TAP driver runs it
# without test-crash being in the TESTS of `make check`.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
exec "${abs_top_builddir:-.}/tests/crash/test-crash" "$@"
