#!/bin/sh
# check-python.sh: every Python file of the tree passes pyflakes (TAP)
#
# pyflakes finds what a test run may never reach: a name used but not defined
# (a typo in an error path), an import or a variable left unused, a
# redefinition, an f-string without a placeholder. It reports; it does not
# judge style. The first line checks the checker: a file with an unused
# import must be refused, so a pyflakes that accepts everything fails here.
#
# Works on a git checkout and on an unpacked dist tarball alike (find, not
# git ls-files). Environment: abs_top_srcdir (default: this script's ..),
# PYFLAKES (default pyflakes3, Debian's python3-pyflakes).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

srcdir=${abs_top_srcdir:-$(dirname "$0")/..}
pyflakes=${PYFLAKES:-pyflakes3}
LC_ALL=C
export LC_ALL

if ! command -v "$pyflakes" > /dev/null 2>&1; then
    echo "1..1"
    echo "not ok 1 - $pyflakes found (Debian: apt-get install python3-pyflakes; scripts/install-deps.sh does)"
    exit 0
fi
cd "$srcdir" || exit 99

# the project's own Python: its source directories, never a build tree, a
# virtual environment or node_modules that may sit inside a checkout
files=$(for d in bench bindings cli engine-ext examples fuzz scripts tests vdsm-hook; do
    [ -d "$d" ] && find "$d" \( -name node_modules -o -name __pycache__ -o -name '.*' \) -prune \
        -o -type f -name '*.py' -print
done | sort)

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sfo-pyflakes.XXXXXX") || exit 99
trap 'rm -rf "$tmpdir"' EXIT

n=1
for f in $files; do
    n=$((n + 1))
done
echo "1..$n"

printf 'import os\n' > "$tmpdir/unused.py"
if "$pyflakes" "$tmpdir/unused.py" > /dev/null 2>&1; then
    echo "not ok 1 - $pyflakes refuses a file with an unused import"
else
    echo "ok 1 - $pyflakes refuses a file with an unused import"
fi

i=1
for f in $files; do
    i=$((i + 1))
    if out=$("$pyflakes" "$f" 2>&1); then
        echo "ok $i - $f"
    else
        echo "not ok $i - $f"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
done
