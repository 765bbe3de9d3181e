#!/bin/sh
# test.sh: the README's "test" command: every test.
#
#  1. make check          unit tests (cmocka/TAP), golden files, libvirt RNG schemas, libvirt's
#                         embedded qemu driver, CLI tests, symbol/header/layer checks
#     make check-browser  the admin page in headless Chromium against a real engine (docs/ui.md)
#     make check-integration  plans run against a booted guest (tests/guest: Debian's kernel,
#                         fetched with apt-get download, and a busybox initramfs)
#     make check-crash    the process running a plan killed at every journal write and libvirt
#                         call in turn, then reconcile (docs/sequencer.md)
#     make check-crash-guest  the same for the shapes that unplug a running guest's VF (save,
#                         snapshot, live migration), on the integration tests' guest (12 min)
#  2. make check-valgrind the same under valgrind (memcheck, definite leaks; the Python
#                         tests and the hooks they run with PYTHONMALLOC=malloc), a test per core
#  3. ASan + UBSan        the same in a second build tree built with sanitizers
#  4. make distcheck      the release tarball builds and passes from a clean tree
#  5. fuzzing             every fuzz target under libFuzzer with ASan + UBSan for a bounded
#                         time ($SFO_FUZZ_SECONDS, default 60 s each; scripts/fuzz.sh)
set -eu
cd "$(dirname "$0")/.."
top=$PWD

# make -C DIR ARGS..., and when it fails, the end of each failed test's log (the tail of
# this script's output is often all a CI run keeps), then exit 1
run_make() {
    dir=$1
    if make -C "$@"; then
        return 0
    fi
    grep -rlE '^:global-test-result: (FAIL|ERROR)' --include='*.trs' "$dir" 2>/dev/null |
        while read -r trs; do
            echo "== failed: ${trs%.trs}.log (its last 60 lines)"
            tail -n 60 "${trs%.trs}.log"
        done
    exit 1
}

sh scripts/install-deps.sh

echo "== build"
sh scripts/build.sh build
echo "== make check"
run_make build -j"$(nproc)" check
echo "== make check-browser"
run_make build check-browser
echo "== make check-integration"
run_make build check-integration
echo "== make check-crash"
run_make build check-crash
echo "== make check-crash-guest"
run_make build check-crash-guest

echo "== make check-valgrind"
run_make build -j"$(nproc)" check-valgrind

echo "== ASan/UBSan: make check"
rm -rf build-asan
sh scripts/build.sh build-asan --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    run_make build-asan -j"$(nproc)" check

echo "== make distcheck"
run_make build distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror

echo "== fuzz: every target ${SFO_FUZZ_SECONDS:-60} s"
rm -rf build-fuzz
sh scripts/fuzz.sh "${SFO_FUZZ_SECONDS:-60}" build-fuzz

echo "test.sh: every test passed"
