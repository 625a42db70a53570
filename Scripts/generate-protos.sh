#!/usr/bin/env bash
# Regenerates the Swift code for Protocols/iom/v1/*.proto into Sources/IOMWire/Generated.
#   Scripts/generate-protos.sh          regenerate
#   Scripts/generate-protos.sh --check  regenerate into a temp dir; fail if the committed code differs
#   Scripts/generate-protos.sh --python DIR   generate only Python code into DIR (not committed)
# Needs protoc (Debian: protobuf-compiler). protoc-gen-swift is built from the swift-protobuf
# package dependency, so the generator always matches the runtime.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

mode=write
python_out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) mode=check ;;
    --python) python_out="$2"; shift ;;
    *) echo "usage: $0 [--check] [--python DIR]" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v protoc >/dev/null 2>&1; then
  echo "protoc not found: apt-get install -y protobuf-compiler" >&2
  exit 1
fi

protos=(Protocols/iom/v1/*.proto)

if [ -n "$python_out" ]; then
  # Python only (not committed; Tests/python generates its own copy into a temp dir).
  mkdir -p "$python_out"
  protoc -I Protocols --python_out="$python_out" "${protos[@]}"
  echo "wrote Python code to $python_out"
  exit 0
fi

plugin_dir="$(swift build --product protoc-gen-swift --show-bin-path)"
swift build --product protoc-gen-swift >/dev/null
plugin="$plugin_dir/protoc-gen-swift"

out="Sources/IOMWire/Generated"
if [ "$mode" = check ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  protoc -I Protocols --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Internal --swift_opt=FileNaming=PathToUnderscores \
    --swift_out="$tmp" "${protos[@]}"
  if ! diff -r -x README.md "$tmp" "$out" >/dev/null; then
    diff -r -x README.md "$tmp" "$out" | head -40 >&2 || true
    echo "Generated Swift in $out is stale: run Scripts/generate-protos.sh" >&2
    exit 1
  fi
  echo "Generated Swift is current"
else
  find "$out" -name '*.pb.swift' -delete
  protoc -I Protocols --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Internal --swift_opt=FileNaming=PathToUnderscores \
    --swift_out="$out" "${protos[@]}"
  echo "wrote $out"
fi
