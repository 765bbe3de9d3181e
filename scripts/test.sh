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
#                         snapshot), on the integration tests' guest (7.5 min)
#  2. make check-valgrind the same under valgrind (memcheck, definite leaks; the Python
#                         tests and the hooks they run with PYTHONMALLOC=malloc)
#  3. ASan + UBSan        the same in a second build tree built with sanitizers
#  4. make distcheck      the release tarball builds and passes from a clean tree
#  5. fuzzing             every fuzz target under libFuzzer with ASan + UBSan for a bounded
#                         time ($SFO_FUZZ_SECONDS, default 60 s each; scripts/fuzz.sh)
set -eu
cd "$(dirname "$0")/.."
top=$PWD
sh scripts/install-deps.sh

echo "== build"
sh scripts/build.sh build
echo "== make check"
make -C build -j"$(nproc)" check
echo "== make check-browser"
make -C build check-browser
echo "== make check-integration"
make -C build check-integration
echo "== make check-crash"
make -C build check-crash
echo "== make check-crash-guest"
make -C build check-crash-guest

echo "== make check-valgrind"
make -C build check-valgrind

echo "== ASan/UBSan: make check"
rm -rf build-asan
sh scripts/build.sh build-asan --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    make -C build-asan -j"$(nproc)" check

echo "== make distcheck"
make -C build distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror

echo "== fuzz: every target ${SFO_FUZZ_SECONDS:-60} s"
rm -rf build-fuzz
sh scripts/fuzz.sh "${SFO_FUZZ_SECONDS:-60}" build-fuzz

echo "test.sh: every test passed"
