#!/usr/bin/env bash
# Regenerates Protocols/vectors (*.binpb, *.json, manifest.json) from the IOMFixtures records
# through the IOMWire mapping.
#   Scripts/generate-vectors.sh          rewrite Protocols/vectors
#   Scripts/generate-vectors.sh --check  fail if the committed vectors differ from a fresh run
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build --product iom-vectors >/dev/null
bin="$(swift build --product iom-vectors --show-bin-path)/iom-vectors"
if [ "${1:-}" = "--check" ]; then
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  "$bin" "$tmp" >/dev/null
  if ! diff -r "$tmp" Protocols/vectors >/dev/null; then
    diff -r "$tmp" Protocols/vectors | head -20 >&2 || true
    echo "Protocols/vectors is stale: run Scripts/generate-vectors.sh" >&2
    exit 1
  fi
  echo "Protocols/vectors is current"
else
  rm -f Protocols/vectors/*.binpb Protocols/vectors/*.json
  "$bin" Protocols/vectors
fi
