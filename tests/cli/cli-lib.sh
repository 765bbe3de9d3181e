# cli-lib.sh: what the CLI test scripts share (sourced, not run)
#
# The script sets abs_top_srcdir and abs_top_builddir (or leaves them for the defaults below),
# sources this file, then creates $tmp and sets out=$tmp/stdout and err=$tmp/stderr before its
# first run. Provides: SFO_CLI, SFO_CLI_RUNNER, PYTHON, run, expect (one TAP line each),
# human_keys, json_keys, and the counters n and failures.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

abs_top_srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
abs_top_builddir=${abs_top_builddir:-$abs_top_srcdir}
SFO_CLI=${SFO_CLI:-$abs_top_builddir/cli/sriovfo}
SFO_CLI_RUNNER=${SFO_CLI_RUNNER:-}

if [ ! -x "$SFO_CLI" ]; then
    echo "1..0 # SKIP $SFO_CLI is not built"
    exit 0
fi
if [ -x /usr/bin/python3 ]; then
    PYTHON=/usr/bin/python3
elif command -v python3 > /dev/null 2>&1; then
    PYTHON=python3
else
    echo "Bail out! python3 is needed to read sriovfo --json output"
    exit 99
fi

# SFO_CLI_RUNNER is split into words on purpose; never glob them
set -f

n=0
failures=0
rc=0

# run ARGS...: run sriovfo; its exit status in $rc, its output in $out and $err
run() {
    # shellcheck disable=SC2086
    $SFO_CLI_RUNNER "$SFO_CLI" "$@" > "$out" 2> "$err"
    rc=$?
    last_args=$*
}

diag_file() {
    if [ -s "$2" ]; then
        echo "# $1:"
        sed -e 's/^/#   /' "$2" | head -n 40
    fi
}

# expect DESCRIPTION STATUS CONDITION: one TAP line; passes when the last run
# exited with STATUS and the shell CONDITION (evaluated) holds
expect() {
    n=$((n + 1))
    if [ "$rc" -ne "$2" ]; then
        why="exit status $rc, expected $2"
    elif ! eval "$3"; then
        why="output check failed: $3"
    else
        echo "ok $n - $1"
        return 0
    fi
    failures=$((failures + 1))
    echo "not ok $n - $1"
    echo "# sriovfo $last_args"
    echo "# $why"
    diag_file stdout "$out"
    diag_file stderr "$err"
    diag_file python "$tmp/python.err"
    rm -f "$tmp/python.err"
    return 1
}

# the sorted keys of the human output ("error KEY: ..." / "warning KEY: ...")
human_keys() {
    sed -n -e 's/^\(error\|warning\) \([A-Z0-9_]*\): .*/\1 \2/p' "$out" | LC_ALL=C sort
}

# the sorted "severity key" pairs of --json output; fails when it is not JSON or a
# violation has no message
json_keys() {
    "$PYTHON" -c '
import json, sys
doc = json.load(sys.stdin)
pairs = []
for v in doc["violations"]:
    assert isinstance(v["message"], str) and v["message"]
    pairs.append(v["severity"] + " " + v["key"])
print("\n".join(sorted(pairs)))
' < "$out" 2> "$tmp/python.err"
}
