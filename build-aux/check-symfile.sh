#!/bin/sh
# check-symfile.sh: the version script and the built library agree (TAP)
#
# Compares the symbols the shared library exports ($NM -D --defined-only)
# with the global symbols of the version script: every listed symbol is
# exported, every exported symbol is listed, none is listed twice.
#
# Environment: SFO_SHLIB (default core/.libs/libsriovfo.so), SFO_SYMFILE
# (default $abs_top_srcdir/core/libsriovfo.sym), NM (default nm).
# Skips when the shared library was not built (e.g. --disable-shared).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(dirname "$0")/..}
shlib=${SFO_SHLIB:-core/.libs/libsriovfo.so}
symfile=${SFO_SYMFILE:-$srcdir/core/libsriovfo.sym}
nm_cmd=${NM:-nm}
LC_ALL=C
export LC_ALL

if [ ! -f "$shlib" ]; then
    echo "1..0 # SKIP shared library $shlib not built"
    exit 0
fi
if [ ! -r "$symfile" ]; then
    echo "1..1"
    echo "not ok 1 - version script $symfile is readable"
    exit 1
fi

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-symfile.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

# Global symbols of every node: the names ending in ';' between "global:"
# and "local:" (or the node's closing brace); comments are '#' to end of line.
sed -e 's/#.*//' "$symfile" | awk '
    { gsub(/;/, " ; ") }
    {
        for (i = 1; i <= NF; i++) {
            t = $i
            if (t == "global:") { in_global = 1; continue }
            if (t == "local:" || t ~ /^}/) { in_global = 0; continue }
            if (in_global && t != ";" && t !~ /[{}]/)
                print t
        }
    }' > "$tmpdir/listed-all" || exit 99
sort "$tmpdir/listed-all" > "$tmpdir/listed-sorted"
sort -u "$tmpdir/listed-all" > "$tmpdir/listed"
uniq -d "$tmpdir/listed-sorted" > "$tmpdir/dups"

# Exported symbols: drop the version node markers (type A) and the @@VERSION suffixes.
if ! $nm_cmd -D --defined-only "$shlib" > "$tmpdir/nm.out" 2> "$tmpdir/nm.err"; then
    echo "1..1"
    echo "not ok 1 - $nm_cmd -D --defined-only $shlib"
    sed 's/^/# /' "$tmpdir/nm.err"
    exit 1
fi
awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmpdir/nm.out" |
    sort -u > "$tmpdir/exported"

comm -23 "$tmpdir/listed" "$tmpdir/exported" > "$tmpdir/missing"
comm -13 "$tmpdir/listed" "$tmpdir/exported" > "$tmpdir/unlisted"

failed=0
report() {
    # report NUMBER DESCRIPTION FILE: ok when FILE is empty, else its lines as diagnostics
    if [ -s "$3" ]; then
        echo "not ok $1 - $2"
        sed 's/^/#   /' "$3"
        failed=1
    else
        echo "ok $1 - $2"
    fi
}

echo "1..4"
if [ -s "$tmpdir/listed" ]; then
    echo "ok 1 - $(wc -l < "$tmpdir/listed" | tr -d ' ') global symbols in $(basename "$symfile")"
else
    echo "not ok 1 - no global symbols found in $symfile"
    failed=1
fi
report 2 "every symbol in the version script is exported" "$tmpdir/missing"
report 3 "every exported symbol is in the version script" "$tmpdir/unlisted"
report 4 "no symbol is listed twice" "$tmpdir/dups"
exit $failed
