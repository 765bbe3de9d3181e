#!/bin/sh
# bench-inventory.sh: memory and time of reading inventories of 10,000 and 100,000 NICs
#
# Generates two inventories with bench-check-domxml --write-inventory (the same
# generator, fixed, no randomness: N/8 VMs with 8 failover NICs each, every VF
# on a host), then runs `sriovfo check` on each under /usr/bin/time -v, the two
# sizes in turn, --repeat times, and prints per size the median wall time, CPU
# time (user + system) and peak RSS, the peak RSS over the file's size, and the
# ratios of the large size to the small one. With --store it does the same for
# `sriovfo import` (into an empty embedded store) and `sriovfo export`.
# A do-nothing `sriovfo check` of "{}" in the same run is the fixed cost.
# docs/benchmarks.md explains how to read it; `make bench-inventory` runs it.
#
# usage: bench-inventory --sriovfo CLI --generator BENCH-CHECK-DOMXML
#                        [--small NICS] [--large NICS] [--repeat R] [--store]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

sriovfo=
generator=
small=10000
large=100000
repeat=3
store=

die() {
    echo "bench-inventory: $*" >&2
    exit 2
}

while [ "$#" -gt 0 ]; do
    case $1 in
    --sriovfo) sriovfo=$2; shift 2 ;;
    --generator) generator=$2; shift 2 ;;
    --small) small=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --store) store=1; shift ;;
    *) die "unknown argument '$1'" ;;
    esac
done
[ -x "$sriovfo" ] || die "--sriovfo must name the sriovfo program"
[ -x "$generator" ] || die "--generator must name bench-check-domxml"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian package 'time')"
for n in "$small" "$large"; do
    case $n in
    '' | *[!0-9]*) die "sizes are numbers of NICs (multiples of 8), not '$n'" ;;
    esac
    [ $((n % 8)) -eq 0 ] && [ "$n" -ge 8 ] || die "sizes are multiples of 8 NICs, not '$n'"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sfo-bench-inventory.XXXXXX")
# as root the embedded store's server runs as user postgres, which must reach its socket
chmod 0711 "$tmp"
cleanup() {
    if [ -n "$store" ]; then
        SRIOVFO_DATA_DIR=$tmp/data "$sriovfo" db stop > /dev/null 2>&1 || :
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# measure NAME CMD...: one run under /usr/bin/time -v, appended to $tmp/NAME as
# "wall_s cpu_s peak_kib"; stdout goes to $tmp/NAME.out (export's document)
measure() {
    name=$1
    shift
    if ! /usr/bin/time -v -o "$tmp/time" "$@" > "$tmp/$name.out" 2> "$tmp/err"; then
        cat "$tmp/err" >&2
        die "failed: $*"
    fi
    awk -F': ' '
        /Elapsed \(wall clock\)/ {
            n = split($2, p, ":"); wall = 0
            for (i = 1; i <= n; i++) wall = wall * 60 + p[i]
        }
        /User time/ { cpu += $2 }
        /System time/ { cpu += $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%.3f %.3f %d\n", wall, cpu, rss }' "$tmp/time" >> "$tmp/$name"
}

# median COLUMN NAME: the median of one column of $tmp/NAME
median() {
    sort -n -k"$1","$1" "$tmp/$2" | awk -v c="$1" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

for n in "$small" "$large"; do
    "$generator" --vms $((n / 8)) --write-inventory "$tmp/inv-$n.json"
done
echo '{}' > "$tmp/empty.json"

if [ -n "$store" ]; then
    SRIOVFO_DATA_DIR=$tmp/data
    SRIOVFO_PG_NOSYNC=1
    export SRIOVFO_DATA_DIR SRIOVFO_PG_NOSYNC
    unset SRIOVFO_DSN
    # the first command creates and starts the embedded store
    "$sriovfo" db status > /dev/null
fi

i=0
while [ "$i" -lt "$repeat" ]; do
    measure baseline "$sriovfo" check "$tmp/empty.json"
    for n in "$small" "$large"; do
        measure "check-$n" "$sriovfo" check "$tmp/inv-$n.json"
        if [ -n "$store" ]; then
            measure "import-$n" "$sriovfo" import --replace "$tmp/inv-$n.json"
            measure "export-$n" "$sriovfo" export
            "$sriovfo" check "$tmp/export-$n.out" > /dev/null 2>&1 ||
                die "the export of $n NICs does not pass sriovfo check"
        fi
    done
    i=$((i + 1))
done

printf 'inventories   %s and %s NICs (8 per VM); %s runs each, medians; /usr/bin/time -v\n' \
    "$small" "$large" "$repeat"
printf '%-14s %10s %12s %9s %9s %11s %9s\n' command NICs "file bytes" "wall s" "cpu s" \
    "peak KiB" "RSS/file"
printf '%-14s %10s %12s %9s %9s %11s %9s\n' 'check {}' 0 3 "$(median 1 baseline)" \
    "$(median 2 baseline)" "$(median 3 baseline)" -
commands=check
[ -z "$store" ] || commands="check import export"
for c in $commands; do
    for n in "$small" "$large"; do
        bytes=$(wc -c < "$tmp/inv-$n.json")
        rss=$(median 3 "$c-$n")
        printf '%-14s %10s %12s %9s %9s %11s %9s\n' "$c" "$n" "$bytes" "$(median 1 "$c-$n")" \
            "$(median 2 "$c-$n")" "$rss" "$(awk -v r="$rss" -v b="$bytes" \
            'BEGIN { printf "%.2fx", r * 1024 / b }')"
    done
done
for c in $commands; do
    awk -v c="$c" -v n=$((large / small)) -v ws="$(median 1 "$c-$small")" \
        -v wl="$(median 1 "$c-$large")" -v cs="$(median 2 "$c-$small")" \
        -v cl="$(median 2 "$c-$large")" 'BEGIN {
            printf "ratio %-8s %dx the NICs: %.2fx the wall time, %.2fx the CPU time\n",
                c, n, (ws > 0 ? wl / ws : 0), (cs > 0 ? cl / cs : 0)
        }'
done
