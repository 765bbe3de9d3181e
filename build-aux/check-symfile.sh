#!/bin/sh
# check-symfile.sh: the version scripts and the built libraries agree (TAP)
#
# For each library core/NAME.sym names (libsriovfo, libsriovfo-virt,
# libsriovfo-store), compares the symbols the shared library exports
# ($NM -D --defined-only) with the global symbols of its version scripts:
# core/NAME.sym and, where there is one, the private node configure writes
# into BUILDDIR/core/NAME_private.syms. Every listed symbol is exported,
# every exported symbol is listed, none is listed twice. A private symbol
# exists only for the libraries above: each one must be undefined in (called
# by) one of the other libraries, or it comes off the list.
#
# Environment: abs_top_srcdir, abs_top_builddir (defaults: this script's ..,
# and the current directory), NM (default nm). Skips a library whose shared
# object was not built (e.g. --disable-shared).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(dirname "$0")/..}
builddir=${abs_top_builddir:-.}
nm_cmd=${NM:-nm}
LC_ALL=C
export LC_ALL

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-symfile.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

# globals FILE...: the global symbols of every node of the version scripts, one a line:
# the names ending in ';' between "global:" and "local:" (or the node's closing brace);
# comments are '#' to end of line.
globals() {
    sed -e 's/#.*//' "$@" | awk '
        { gsub(/;/, " ; ") }
        {
            for (i = 1; i <= NF; i++) {
                t = $i
                if (t == "global:") { in_global = 1; continue }
                if (t == "local:" || t ~ /^}/) { in_global = 0; continue }
                if (in_global && t != ";" && t !~ /[{}]/)
                    print t
            }
        }'
}

# exported SHLIB: the defined dynamic symbols, without the version node markers (type A)
# and the @@VERSION suffixes
exported() {
    $nm_cmd -D --defined-only "$1" | awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
        sort -u
}

n=0
failed=0
# report DESCRIPTION FILE: ok when FILE is empty, else its lines as diagnostics
report() {
    n=$((n + 1))
    if [ -s "$2" ]; then
        echo "not ok $n - $1"
        sed 's/^/#   /' "$2"
        failed=1
    else
        echo "ok $n - $1"
    fi
}

libs=
for symfile in "$srcdir"/core/lib*.sym; do
    libs="$libs $(basename "$symfile" .sym)"
done
if [ -z "$libs" ]; then
    echo "1..1"
    echo "not ok 1 - version scripts found in $srcdir/core"
    exit 1
fi

planned=0
for lib in $libs; do
    if [ -f "$builddir/core/.libs/$lib.so" ]; then
        planned=$((planned + 4))
        [ -f "$builddir/core/${lib}_private.syms" ] && planned=$((planned + 2))
    else
        planned=$((planned + 1))
    fi
done
echo "1..$planned"

for lib in $libs; do
    shlib=$builddir/core/.libs/$lib.so
    symfile=$srcdir/core/$lib.sym
    private=$builddir/core/${lib}_private.syms
    if [ ! -f "$shlib" ]; then
        n=$((n + 1))
        echo "ok $n - $lib # SKIP shared library $shlib not built"
        continue
    fi
    set -- "$symfile"
    [ -f "$private" ] && set -- "$symfile" "$private"
    globals "$@" > "$tmpdir/listed-all" || exit 99
    sort "$tmpdir/listed-all" > "$tmpdir/listed-sorted"
    sort -u "$tmpdir/listed-all" > "$tmpdir/listed"
    uniq -d "$tmpdir/listed-sorted" > "$tmpdir/dups"
    if ! exported "$shlib" > "$tmpdir/exported" 2> "$tmpdir/nm.err"; then
        echo "$nm_cmd -D --defined-only $shlib failed:" | cat - "$tmpdir/nm.err" > "$tmpdir/bad"
        report "$lib: $nm_cmd reads $shlib" "$tmpdir/bad"
        continue
    fi
    comm -23 "$tmpdir/listed" "$tmpdir/exported" > "$tmpdir/missing"
    comm -13 "$tmpdir/listed" "$tmpdir/exported" > "$tmpdir/unlisted"

    if [ -s "$tmpdir/listed" ]; then
        : > "$tmpdir/bad"
    else
        echo "no global symbols found in $*" > "$tmpdir/bad"
    fi
    scripts=$(basename "$symfile")
    [ -f "$private" ] && scripts="$scripts and $(basename "$private")"
    report "$lib: $(wc -l < "$tmpdir/listed" | tr -d ' ') global symbols in $scripts" "$tmpdir/bad"
    report "$lib: every symbol in the version scripts is exported" "$tmpdir/missing"
    report "$lib: every exported symbol is in the version scripts" "$tmpdir/unlisted"
    report "$lib: no symbol is listed twice" "$tmpdir/dups"

    if [ -f "$private" ]; then
        # the private node: none of its symbols is public, and each is called from above
        globals "$private" | sort -u > "$tmpdir/private"
        globals "$symfile" | sort -u > "$tmpdir/public"
        comm -12 "$tmpdir/private" "$tmpdir/public" > "$tmpdir/bad"
        report "$lib: no symbol is both public and private" "$tmpdir/bad"
        : > "$tmpdir/callers"
        for other in $libs; do
            [ "$other" = "$lib" ] && continue
            [ -f "$builddir/core/.libs/$other.so" ] || continue
            $nm_cmd -D --undefined-only "$builddir/core/.libs/$other.so" |
                awk '{ sub(/@.*/, "", $2); print $2 }' >> "$tmpdir/callers"
        done
        sort -u "$tmpdir/callers" -o "$tmpdir/callers"
        comm -23 "$tmpdir/private" "$tmpdir/callers" |
            sed 's/$/: private, but no other library calls it/' > "$tmpdir/bad"
        report "$lib: every private symbol is called by a library above it" "$tmpdir/bad"
    fi
done
exit $failed
