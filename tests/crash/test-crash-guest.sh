#!/bin/sh
# test-crash-guest.sh: runs tests/crash/test-crash (TAP) on the integration tests' guest, for
# `make check-crash-guest`: the shapes that unplug a running guest's VF (save, snapshot,
# live migration to the second host)
#
# SFO_GUEST_DIR names the guest (make check-crash-guest builds it, as make check-integration).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
SFO_CRASH_GUEST=1
export SFO_CRASH_GUEST
exec "${abs_top_builddir:-.}/tests/crash/test-crash" "$@"
