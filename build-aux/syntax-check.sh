#!/bin/sh
# syntax-check.sh: the layer rules and banned calls, by grep (TAP)
#
# Layers: util <- model <- rules <- domxml <- plan <- exec, store.
# An include may only point down: a file in a layer includes nothing from a
# layer above it. model, rules, domxml and plan never include libvirt or
# libpq, exec never libpq, store never libvirt; none of them (nor exec) prints; rules, domxml and plan are pure and
# read or write no files. Nowhere in core/ and cli/ is text built with sprintf/strcat.
#
# Works on a git checkout and on an unpacked dist tarball alike (find, not
# git ls-files). Environment: abs_top_srcdir (default: this script's ..).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(dirname "$0")/..}
LC_ALL=C
export LC_ALL

if [ ! -d "$srcdir/core" ]; then
    echo "1..1"
    echo "not ok 1 - source tree found at $srcdir"
    exit 1
fi
cd "$srcdir" || exit 99

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-syntax.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

layers="util model rules domxml plan exec store"

# above LAYER: the layers LAYER must not include from
above() {
    case $1 in
    util) echo "model rules domxml plan exec store" ;;
    model) echo "rules domxml plan exec store" ;;
    rules) echo "domxml plan exec store" ;;
    domxml) echo "plan exec store" ;;
    plan) echo "exec store" ;;
    exec) echo "store" ;; # store and exec are siblings: neither includes the other
    store) echo "exec" ;;
    *) echo "" ;;
    esac
}

# sources DIR...: the C files under the existing DIRs, one a line
sources() {
    for d in "$@"; do
        [ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \) \
            ! -name '*.gen.c' -print
    done | sort
}

# code FILE: "FILE:LINE:text" for each line that is not just a comment line
code() {
    awk -v f="$1" '
        /^[ \t]*(\/\*|\*([ \t\/]|$)|\/\/)/ { next }
        { print f ":" FNR ":" $0 }' "$1"
}

# layer_of_include FILE NAME: the layer a quoted #include "NAME" in FILE points to
layer_of_include() {
    case $2 in
    sriovfo/*) echo public; return ;;
    */*)
        first=${2%%/*}
        for l in $layers; do
            [ "$first" = "$l" ] && { echo "$l"; return; }
        done
        echo other
        return
        ;;
    esac
    fdir=$(dirname "$1")
    if [ -f "$fdir/$2" ]; then
        basename "$fdir"
        return
    fi
    for l in $layers; do
        [ -f "core/$l/$2" ] && { echo "$l"; return; }
    done
    echo other
}

n=0
failed=0
# result DESCRIPTION FILE: ok when FILE is empty, else the offending lines
result() {
    n=$((n + 1))
    if [ -s "$2" ]; then
        echo "not ok $n - $1"
        sed 's/^/#   /' "$2"
        failed=1
    else
        echo "ok $n - $1"
    fi
}

echo "1..15"

# 1-7: includes point down
for layer in util model rules domxml plan exec store; do
    : > "$tmpdir/bad"
    if [ ! -d "core/$layer" ]; then
        n=$((n + 1))
        echo "ok $n - core/$layer includes only from the layers below it # SKIP no core/$layer yet"
        continue
    fi
    banned=$(above "$layer")
    for f in $(sources "core/$layer"); do
        sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
            target=$(layer_of_include "$f" "$inc")
            for b in $banned; do
                if [ "$target" = "$b" ]; then
                    echo "$f: #include \"$inc\" points up to core/$b"
                fi
            done
        done >> "$tmpdir/bad"
    done
    result "core/$layer includes only from the layers below it" "$tmpdir/bad"
done

pure_dirs="core/model core/rules core/domxml core/plan"
io_free_dirs="core/rules core/domxml core/plan"

# 8: no libvirt or libpq below exec/store
: > "$tmpdir/bad"
for f in $(sources $pure_dirs); do
    code "$f" | grep -E '#[[:space:]]*include[[:space:]]*[<"](libvirt/|libpq-fe\.h)' >> "$tmpdir/bad"
done
result "model, rules, domxml and plan include neither libvirt nor libpq" "$tmpdir/bad"

# 9: each of the two libraries above the core talks to one outside thing (libsriovfo-virt
# links libvirt, libsriovfo-store libpq; docs/architecture.md, "Libraries")
: > "$tmpdir/bad"
for f in $(sources core/exec); do
    code "$f" | grep -E '#[[:space:]]*include[[:space:]]*[<"]libpq-fe\.h' >> "$tmpdir/bad"
done
for f in $(sources core/store); do
    code "$f" | grep -E '#[[:space:]]*include[[:space:]]*[<"](libvirt/|sriovfo/sriovfo-virt\.h)' >> "$tmpdir/bad"
done
for f in $(sources core/exec); do
    code "$f" | grep -E '#[[:space:]]*include[[:space:]]*[<"]sriovfo/sriovfo-store\.h' >> "$tmpdir/bad"
done
result "exec includes no libpq, store no libvirt, neither the other's public header" "$tmpdir/bad"

# 10: the library never prints
print_re='(^|[^A-Za-z0-9_])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|fputc|perror|g_print|g_printerr)[[:space:]]*\('
: > "$tmpdir/bad"
for f in $(sources $pure_dirs core/exec); do
    code "$f" | grep -E "$print_re" >> "$tmpdir/bad"
done
result "model, rules, domxml, plan and exec print nothing" "$tmpdir/bad"

# 11: pure layers read and write no files
io_re='(^|[^A-Za-z0-9_])(fopen|fdopen|freopen|open|openat|creat|opendir|g_file_get_contents|g_file_set_contents|g_open|g_fopen|g_mapped_file_new|xmlReadFile|xmlParseFile|xmlCtxtReadFile|xmlSaveFile|xmlSaveFormatFile|xmlNewTextWriterFilename|json_object_from_file|json_object_to_file|json_object_to_file_ext)[[:space:]]*\('
: > "$tmpdir/bad"
for f in $(sources $io_free_dirs); do
    code "$f" | grep -E "$io_re" >> "$tmpdir/bad"
done
result "rules, domxml and plan do no file I/O" "$tmpdir/bad"

# 12: no sprintf/vsprintf/strcat (use GString, g_strdup_printf, libxml2 writers)
: > "$tmpdir/bad"
for f in $(sources core cli); do
    code "$f" | grep -E '(^|[^A-Za-z0-9_])(v?sprintf|strcat)[[:space:]]*\(' >> "$tmpdir/bad"
done
result "core/ and cli/ use no sprintf, vsprintf or strcat" "$tmpdir/bad"

# 13: internal headers stay out of the public one
: > "$tmpdir/bad"
for f in $(sources core/include); do
    code "$f" | grep -E '#[[:space:]]*include[[:space:]]*"' | grep -v '"sriovfo/' >> "$tmpdir/bad"
done
result "public headers include only system and other public headers" "$tmpdir/bad"

# 14: every violation key the code uses is in the catalogue, and every catalogue key is used
# (an unknown key would render as the bare key instead of a message). NETWORK_NOT_FOUND looks
# like one but is a library error key (sfo_store_get(), SFO_ENOTFOUND): no message of its own.
# VAR__* are the words messages take as arguments (docs/ui-strings.md).
key_re='"(ACTION_TYPE_FAILED|WARNING|NETWORK|VM_INTERFACE|VM_MIGRATION|VM_OPERATION|VM_DOMAIN|HOST_VF|HOST_CONNECTION|HOST_URI|CANNOT|VAR_)_[A-Z0-9_]+"'
for f in $(sources core); do
    grep -oE "$key_re" "$f"
done | tr -d '"' | grep -vx 'NETWORK_NOT_FOUND' | sort -u > "$tmpdir/used"
grep -oE '^[A-Z0-9_]+=' ui-strings/AppErrors.properties | tr -d '=' | sort -u > "$tmpdir/catalogue"
comm -23 "$tmpdir/used" "$tmpdir/catalogue" | sed 's/^/not in ui-strings\/AppErrors.properties: /' > "$tmpdir/bad"
comm -13 "$tmpdir/used" "$tmpdir/catalogue" | sed 's/^/in the catalogue but used nowhere in core\/: /' >> "$tmpdir/bad"
result "violation keys of core/ and the catalogue agree" "$tmpdir/bad"

# 15: the C is formatted as .clang-format says (docs/coding-style.md)
: > "$tmpdir/bad"
if command -v "${CLANG_FORMAT:-clang-format}" >/dev/null 2>&1; then
    for f in $(sources core cli tests fuzz bench); do
        "${CLANG_FORMAT:-clang-format}" --dry-run "$f" 2>&1 | grep 'warning:' | head -n 3 >> "$tmpdir/bad"
    done
    result "C sources are formatted by .clang-format (fix: make clang-format)" "$tmpdir/bad"
else
    n=$((n + 1))
    echo "ok $n - C formatting # SKIP clang-format not installed"
fi

exit $failed
