#!/bin/sh
# build.sh [BUILDDIR [CONFIGURE-ARGS...]]: configure (once) and build out of tree, in
# BUILDDIR (default: build/). The source tree itself is never configured, so several
# build trees (plain, sanitizers) can live side by side.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
builddir=${1:-build}
[ "$#" -gt 0 ] && shift
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    ./autogen.sh
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
    "$top/configure" --enable-werror "$@"
fi
make -j"$(nproc)"
