#!/bin/sh
# fuzz.sh [SECONDS [BUILDDIR]]: runs every fuzz target with libFuzzer (docs/fuzzing.md).
#
# Configures BUILDDIR (default: build-fuzz/) once with clang, --enable-fuzzing and
# --enable-sanitizers (ASan + UBSan), builds the fuzz programs make fuzz-list names, and runs
# each for SECONDS (default 60) from its committed corpus, fuzz/corpus/NAME. Inputs it finds
# go to BUILDDIR/fuzz-out/NAME/corpus/ (the committed corpus is only read). The first crash,
# leak, sanitizer report, broken invariant (abort) or input slower than 10 s stops the run
# with a non-zero exit: its input is BUILDDIR/fuzz-out/NAME/crash-* (or timeout-*, leak-*).
# Then the REST engine's body parsers (fuzz/fuzz_rest_body.py, Python: a seeded mutation loop
# over fuzz/corpus/rest-body) for SECONDS, with the Python configure found and the seed
# $SFO_FUZZ_SEED (default: the time; printed, so a run can be repeated); an input that breaks
# them goes to BUILDDIR/fuzz-out/rest-body/crash-*.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
seconds=${1:-60}
builddir=${2:-build-fuzz}

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
    ./autogen.sh
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
    CC=${CC_FUZZ:-clang} "$top/configure" --enable-fuzzing --enable-sanitizers
fi
targets=$(make -s fuzz-list | grep '^fuzz/')
# shellcheck disable=SC2086
make -j"$(nproc)" $targets

status=0
for program in $targets; do
    name=${program#fuzz/fuzz-}
    name=${name%-replay}
    out=fuzz-out/$name
    rm -rf "$out"
    mkdir -p "$out/corpus"
    echo "== fuzz $name: $seconds s, corpus $top/fuzz/corpus/$name"
    if ! ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "./$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" "$top/fuzz/corpus/$name" \
        > "$out/log" 2>&1; then
        tail -n 40 "$out/log"
        echo "fuzz.sh: $name failed; the input: $(ls "$out"/crash-* "$out"/timeout-* \
            "$out"/leak-* "$out"/oom-* 2>/dev/null | tr '\n' ' ')"
        status=1
        continue
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added|^Done' "$out/log" || true
done

python=$(sed -n 's/^PYTHON = //p' Makefile)
seed=${SFO_FUZZ_SEED:-$(date +%s)}
out=fuzz-out/rest-body
rm -rf "$out"
echo "== fuzz rest-body: $seconds s, seed $seed, corpus $top/fuzz/corpus/rest-body"
if ! PYTHONPATH="$top/engine-ext" "${python:-python3}" "$top/fuzz/fuzz_rest_body.py" \
    --seconds "$seconds" --seed "$seed" --out "$out"; then
    echo "fuzz.sh: rest-body failed (SFO_FUZZ_SEED=$seed); the input: $(ls "$out"/crash-* | tr '\n' ' ')"
    status=1
fi
exit $status
