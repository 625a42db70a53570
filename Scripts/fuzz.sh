#!/usr/bin/env bash
# Fuzzes the bridge's receive-side decoders and the wire → domain mapping with libFuzzer.
#
#   Scripts/fuzz.sh [SECONDS]        build, then fuzz for SECONDS (default 60)
#   Scripts/fuzz.sh --merge          minimise the seed corpus and what fuzzing found into
#                                    Tests/Fuzz/corpus (run after a fuzzing session)
#   Scripts/fuzz.sh --replay FILE…   run inputs (e.g. a crash file) once each, no fuzzing
#
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
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    '') ;;
    *) seconds=$1 ;;
esac

echo "==> building IOMFuzz (release, fuzzer + address sanitizers) in $BUILD"
swift build -c release --build-path "$BUILD" --product IOMFuzz \
    --sanitize=fuzzer --sanitize=address \
    -Xswiftc -DIOM_LIBFUZZER \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
BIN=$BUILD/release/IOMFuzz
mkdir -p "$WORK" "$ARTIFACTS"
# Let libFuzzer, not the Swift backtracer, handle crashes (it saves the input).
export SWIFT_BACKTRACE=enable=no

case $mode in
replay)
    exec "$BIN" -runs=1 "$@" ;;
merge)
    fresh=$(mktemp -d "$BUILD/merge.XXXXXX")
    "$BIN" -merge=1 -dict=Tests/Fuzz/iom.dict "$fresh" "$SEEDS" "$WORK"
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
