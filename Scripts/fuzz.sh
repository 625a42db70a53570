#!/usr/bin/env bash
# Fuzzes the bridge's receive-side decoders and the wire → domain mapping with libFuzzer.
#
#   Scripts/fuzz.sh [SECONDS]        build, then fuzz for SECONDS (default 60)
#   Scripts/fuzz.sh --merge          minimise the seed corpus and what fuzzing found into
#                                    Tests/Fuzz/corpus (run after a fuzzing session)
#   Scripts/fuzz.sh --replay FILE…   run inputs (e.g. a crash file) once each, no fuzzing
#
# SECONDS mode always builds first (a few minutes: SwiftPM recompiles SwiftProtobuf each
# time); --merge and --replay build only when IOMFuzz is missing or older than the sources.
# Builds the IOMFuzz product in release with SwiftPM's fuzzer and address sanitizers and
# explicit coverage instrumentation (`-sanitize=fuzzer` alone does not instrument Swift code
# with this toolchain), in its own build path (.build/fuzz), so the normal build is untouched.
# New inputs go to .build/fuzz/corpus; crashes, timeouts and leaks to .build/fuzz/artifacts/.
# Needs a swift.org toolchain (Xcode's has no libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .build/pkgconfig ] && export PKG_CONFIG_PATH="$PWD/.build/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

BUILD=.build/fuzz
SEEDS=Tests/Fuzz/corpus
WORK=$BUILD/corpus
ARTIFACTS=$BUILD/artifacts
mode=fuzz seconds=60
case "${1:-}" in
    --merge) mode=merge ;;
    --replay) mode=replay; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    '') ;;
    *) seconds=$1 ;;
esac

BIN=$BUILD/release/IOMFuzz
# Stale when missing or older than a source of this package (dependencies are pinned).
stale() { [ ! -x "$BIN" ] || [ -n "$(find Package.swift Sources Fuzz -newer "$BIN" -print -quit)" ]; }
if [ "$mode" = fuzz ] || stale; then
    echo "==> building IOMFuzz (release, fuzzer + address sanitizers) in $BUILD"
    if ! swift build -c release --build-path "$BUILD" --product IOMFuzz \
        --sanitize=fuzzer --sanitize=address \
        -Xswiftc -DIOM_LIBFUZZER \
        -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp; then
        # SwiftPM also links the host tools of the package's build-tool plugins (the benchmark
        # boilerplate generator) with the sanitizer flags, and that link fails ("multiple
        # definition of main": libFuzzer's). It does not concern IOMFuzz: go on if IOMFuzz
        # itself was built.
        if stale; then echo "error: IOMFuzz did not build" >&2; exit 1; fi
        echo "==> (the failed link above is a benchmark plugin's host tool, not IOMFuzz)"
    fi
fi
mkdir -p "$WORK" "$ARTIFACTS"
# Let libFuzzer, not the Swift backtracer, handle crashes (it saves the input).
export SWIFT_BACKTRACE=enable=no

case $mode in
replay)
    exec "$BIN" -runs=1 "$@" ;;
merge)
    fresh=$(mktemp -d "$BUILD/merge.XXXXXX")
    # Edges only (no hit counts), greedy set cover: a few hundred small files, not thousands.
    "$BIN" -set_cover_merge=1 -use_counters=0 "$fresh" "$SEEDS" "$WORK"
    rm -f "$SEEDS"/*
    cp "$fresh"/* "$SEEDS"/
    rm -rf "$fresh"
    echo "==> $(ls "$SEEDS" | wc -l) inputs in $SEEDS ($(du -sh "$SEEDS" | cut -f1))"
    exit 0 ;;
esac

log=$BUILD/fuzz-$(date -u +%Y%m%dT%H%M%SZ).log
echo "==> fuzzing for $seconds s (log: $log)"
status=0
"$BIN" "$WORK" "$SEEDS" \
    -dict=Tests/Fuzz/iom.dict \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 2>&1 | tee "$log" || status=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
echo "==> ${runs:-?} executions in ${seconds} s (${rate:-?} exec/s), status $status"
ls "$ARTIFACTS" 2>/dev/null | sed 's/^/    artifact: /'
exit "$status"
