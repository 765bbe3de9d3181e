#!/bin/sh
# check-needed.sh: each library and Python module links only what its layer may (TAP)
#
# docs/architecture.md, "Libraries": libsriovfo is the pure core and links GLib,
# libxml2 and json-c only, so a VDSM hook never loads libvirt or libpq;
# libsriovfo-virt adds libvirt, libsriovfo-store adds libpq, and neither needs
# the other. The Python modules follow their library. For each built shared
# object this checks its direct dependencies (the NEEDED entries of readelf -d)
# and everything the dynamic loader maps for it (ldd, with the build tree's
# libraries first on the search path) against the libraries it must not load.
#
# Environment: abs_top_builddir (default: the current directory), READELF
# (default readelf). Skips an object that was not built (no shared libraries,
# no Python bindings).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

builddir=${abs_top_builddir:-.}
readelf_cmd=${READELF:-readelf}
LC_ALL=C
export LC_ALL

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-needed.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

# object (a path relative to the build tree, a shell pattern): the libraries it must not
# load (names of shared objects without .so)
checks="
core/.libs/libsriovfo.so:libvirt,libpq,libsriovfo-virt,libsriovfo-store
core/.libs/libsriovfo-virt.so:libpq,libsriovfo-store
core/.libs/libsriovfo-store.so:libvirt,libsriovfo-virt
bindings/python/sriovfo/.libs/_sriovfo.*.so:libvirt,libpq,libsriovfo-virt,libsriovfo-store
bindings/python/sriovfo/.libs/_virt.*.so:libpq,libsriovfo-store
bindings/python/sriovfo/.libs/_store.*.so:libvirt,libsriovfo-virt
"

echo "1..$(echo "$checks" | grep -c .)"
n=0
failed=0
for line in $checks; do
    n=$((n + 1))
    pattern=${line%%:*}
    names=$(echo "${line#*:}" | tr ',' ' ')
    banned=$(echo "${line#*:}" | sed -e 's/\./\\./g' -e 's/,/\\.so|/g' -e 's/$/\\.so/')
    # shellcheck disable=SC2086 # the pattern is a glob
    set -- "$builddir"/$pattern
    object=$1
    if [ ! -f "$object" ]; then
        echo "ok $n - $pattern # SKIP not built"
        continue
    fi
    name=${object#"$builddir"/}
    if ! "$readelf_cmd" -d "$object" > "$tmpdir/dynamic" 2>&1; then
        echo "not ok $n - $name: $readelf_cmd -d fails"
        sed 's/^/#   /' "$tmpdir/dynamic"
        failed=1
        continue
    fi
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$tmpdir/dynamic" > "$tmpdir/needed"
    if ! LD_LIBRARY_PATH="$builddir/core/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        ldd "$object" > "$tmpdir/ldd" 2>&1; then
        echo "not ok $n - $name: ldd fails"
        sed 's/^/#   /' "$tmpdir/ldd"
        failed=1
        continue
    fi
    awk '{ print $1 }' "$tmpdir/ldd" > "$tmpdir/loaded"
    {
        grep -E "^($banned)" "$tmpdir/needed" | sed 's/^/NEEDED /'
        grep -E "^($banned)" "$tmpdir/loaded" | sed 's/^/loaded by ldd: /'
    } > "$tmpdir/bad"
    if [ -s "$tmpdir/bad" ] || [ ! -s "$tmpdir/needed" ]; then
        echo "not ok $n - $name loads none of $names"
        sed 's/^/#   /' "$tmpdir/bad"
        [ -s "$tmpdir/needed" ] || echo "#   no NEEDED entry read from $readelf_cmd -d"
        failed=1
    else
        echo "ok $n - $name loads none of $names (NEEDED: $(tr '\n' ' ' < "$tmpdir/needed" | sed 's/ $//'))"
    fi
done
exit $failed
