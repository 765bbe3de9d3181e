#!/bin/sh
# run-pytest.sh FILE: runs the pytest file FILE for make check (plain exit status)
#
# Uses the Python configure chose ($PYTHON) with the build tree's package first
# on PYTHONPATH (both set by make check). pytest's exit status passes through,
# except 5 ("no tests were collected"): a test file that collects nothing is
# broken, so that is a failure here, not a pass.
# Environment:
#   SFO_PY_RUNNER     command prefix for the interpreter, e.g. valgrind (make
#                     check-valgrind); Python then allocates with malloc
#                     (PYTHONMALLOC=malloc) so memcheck sees every block
#   SANITIZER_CFLAGS  configure's sanitizer flags: with AddressSanitizer, the
#                     (uninstrumented) interpreter loads the ASan runtime first
#                     through LD_PRELOAD, so the module and libsriovfo can run
#                     under it (and so do the Python programs the tests start,
#                     through conftest.PYTHON_PREFIX; nothing else), with
#                     build-aux/lsan.supp
#
# SPDX-License-Identifier: LGPL-2.1-or-later

file=$1
here=$(cd "$(dirname "$0")" && pwd)
: "${PYTHON:=python3}"

# the engine's tests (tests/engine, and tests/integration/test_engine*.py) run in the
# environment that holds the oVirt SDK. The C library runs there in the engine's server
# processes, not in the interpreter a runner wraps: under valgrind they are skipped (make
# check runs them); under AddressSanitizer the servers get the runtime too, and leak checks
# stay with the tests of the bindings (the SDK's own extensions and the interpreters' exits
# are not this project's).
# The page's tests (tests/browser) run with their own pytest.ini.
testdir=$here
case $file in
*tests/engine/*|*tests/integration/test_engine*.py)
    if [ -n "${SFO_PY_RUNNER:-}" ]; then
        echo "run-pytest: $file: the engine's servers do not run under $SFO_PY_RUNNER; skipped"
        exit 77
    fi
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    export ASAN_OPTIONS
    testdir=$(cd "$here/../engine" && pwd)
    PYTHON=$(PYTHON=$PYTHON sh "$here/../engine/sdk-venv.sh")
    rc=$?
    [ $rc -eq 0 ] || exit $rc
    ;;
*tests/browser/*)
    testdir=$(cd "$here/../browser" && pwd)
    ;;
esac

case ${SANITIZER_CFLAGS:-} in
*-fsanitize=*address*)
    asan=$(${CC:-cc} -print-file-name=libasan.so)
    if [ ! -f "$asan" ]; then
        echo "run-pytest: AddressSanitizer runtime not found ($asan)"
        exit 99
    fi
    LD_PRELOAD=$asan${LD_PRELOAD:+:$LD_PRELOAD}
    # ASan resolves its XDR interceptors' real functions once, at start-up: libvirt's remote
    # driver (a libvirtd's socket) takes them from libtirpc, which Python loads only later
    # with the module, so they would stay NULL and its first message would jump to address 0.
    # Loaded at start-up, libtirpc is where ASan finds them.
    tirpc=$(ldconfig -p 2>/dev/null | sed -n 's/^[[:space:]]*libtirpc\.so\.3 .*=> //p' | head -n 1)
    if [ -n "$tirpc" ]; then
        LD_PRELOAD=$LD_PRELOAD:$tirpc
    fi
    # Python objects are malloc blocks too, so LeakSanitizer follows pointers
    # through them; lsan.supp says what it suppresses and why.
    LSAN_OPTIONS=suppressions=$here/../../build-aux/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}
    PYTHONMALLOC=malloc
    # The preload is for the interpreters alone: conftest.py takes LD_PRELOAD out of the
    # environment once Python runs (QEMU, virsh and PostgreSQL, which libvirt, the library
    # and the tests start, hang with the runtime in them) and gives SFO_ASAN_PRELOAD to the
    # Python programs the tests start.
    SFO_ASAN_PRELOAD=$LD_PRELOAD
    export LD_PRELOAD LSAN_OPTIONS PYTHONMALLOC SFO_ASAN_PRELOAD
    ;;
esac
if [ -n "${SFO_PY_RUNNER:-}" ]; then
    PYTHONMALLOC=malloc
    export PYTHONMALLOC
fi

# shellcheck disable=SC2086
${SFO_PY_RUNNER:-} "$PYTHON" -m pytest -c "$testdir/pytest.ini" --rootdir="$testdir" "$file"
rc=$?
case $rc in
5)
    echo "run-pytest: no tests collected from $file"
    exit 1
    ;;
esac
exit $rc
