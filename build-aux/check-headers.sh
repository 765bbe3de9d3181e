#!/bin/sh
# check-headers.sh: every public header compiles alone, as C and as C++ (TAP)
#
# Each header in core/include/sriovfo/ is the only thing in a translation
# unit, compiled with every warning an error, so a header that forgets an
# include, relies on a GNU extension or is not C++-clean fails here.
#
# Environment: SFO_INCLUDEDIR (default $abs_top_srcdir/core/include), CC
# (default cc), CXX (default g++; the C++ lines are left out without it).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(dirname "$0")/..}
incdir=${SFO_INCLUDEDIR:-$srcdir/core/include}
cc=${CC:-cc}
cxx=${CXX:-g++}
LC_ALL=C
export LC_ALL

headers=$(cd "$incdir" 2>/dev/null && ls sriovfo/*.h 2>/dev/null)
if [ -z "$headers" ]; then
    echo "1..1"
    echo "not ok 1 - public headers found in $incdir/sriovfo"
    exit 1
fi

if command -v "${cxx%% *}" > /dev/null 2>&1; then
    langs="c c++"
else
    langs="c"
fi

n=0
for h in $headers; do
    for l in $langs; do
        n=$((n + 1))
    done
done
echo "1..$n"

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-headers.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

failed=0
i=0
for h in $headers; do
    for l in $langs; do
        i=$((i + 1))
        if [ "$l" = c ]; then
            $cc -fsyntax-only -std=c99 -Wall -Wextra -pedantic -Werror \
                -I"$incdir" -x c "$incdir/$h" > "$tmpdir/out" 2>&1
        else
            $cxx -fsyntax-only -std=c++11 -Wall -Wextra -pedantic -Werror \
                -I"$incdir" -x c++ "$incdir/$h" > "$tmpdir/out" 2>&1
        fi
        if [ $? -eq 0 ]; then
            echo "ok $i - $h compiles alone as $l"
        else
            echo "not ok $i - $h compiles alone as $l"
            sed 's/^/#   /' "$tmpdir/out"
            failed=1
        fi
    done
done
exit $failed
