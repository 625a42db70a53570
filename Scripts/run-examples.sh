#!/usr/bin/env bash
# Runs the built examples the way their READMEs do, and checks what they print.
#   Scripts/run-examples.sh BIN_DIR IOM
# BIN_DIR holds MissionTracker and CaseReplica (the examples' scratch path's debug folder),
# IOM is the built `iom` command.
# 1. MissionTracker, twice on one store: the first run saves the seed and follows its own
#    changes; the second run's create is refused and nothing is saved.
# 2. CaseReplica --once against `iom serve` over CURVE: it joins and answers "open missions
#    by country" from its read model.
set -euo pipefail
bin=$(cd "$1" && pwd)
iom=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d "${TMPDIR:-/tmp}/iomkit-examples.XXXXXX")
node_pid=""
cleanup() {
    if [ -n "$node_pid" ]; then kill -TERM "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

expect() {  # expect FILE TEXT: FILE has a line containing TEXT
    if ! grep -qF -- "$2" "$1"; then
        echo "error: expected a line with: $2" >&2
        echo "--- $1:" >&2; cat "$1" >&2
        exit 1
    fi
}

echo "==> MissionTracker (first run)"
"$bin/MissionTracker" tracker.sqlite | tee first.txt
expect first.txt "saved mission-ma version 1 as change #2"
expect first.txt "change #1: organisation iom created"
expect first.txt "change #2: mission mission-ma created, version 1, open"
expect first.txt "change #3: event event-ma-2017-07-24-breakfast created"
echo "==> MissionTracker (second run, same store)"
"$bin/MissionTracker" tracker.sqlite | tee second.txt
expect second.txt "iom is already at version 1: nothing saved"
if grep -q "^change #" second.txt; then echo "error: the second run saved something" >&2; exit 1; fi

echo "==> CaseReplica --once against iom serve (CURVE)"
mkdir keys
"$iom" keygen --out keys --name node >/dev/null
"$iom" keygen --out keys --name replica >/dev/null
"$iom" serve --store node.sqlite --secret-key keys/node.key --allow service:keys/replica.pub \
    --publish 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' --log-level error > serving.txt &
node_pid=$!
for _ in $(seq 300); do   # up to 30 s for: serving events=tcp://127.0.0.1:PORT sync=tcp://127.0.0.1:PORT source=…
    grep -q '^serving ' serving.txt && break
    kill -0 "$node_pid" 2>/dev/null || { echo "error: iom serve exited" >&2; exit 1; }
    sleep 0.1
done
line=$(grep -m1 '^serving ' serving.txt) || { echo "error: iom serve printed no serving line" >&2; exit 1; }
events=$(sed -n 's/.*events=\([^ ]*\).*/\1/p' <<< "$line")
sync=$(sed -n 's/.*sync=\([^ ]*\).*/\1/p' <<< "$line")
"$bin/CaseReplica" --events "$events" --sync "$sync" --server-key keys/node.pub --secret-key keys/replica.key --once | tee replica.txt
expect replica.txt "(3 records). Open missions by country:"
expect replica.txt "MA Morocco: 1 open — mission-ma"
