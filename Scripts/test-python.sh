#!/usr/bin/env bash
# Runs the Python contract tests (Tests/python), installing their pip requirements if missing:
# the vector test, and the node interop test, which runs the built `iom` binary (IOM_BINARY, or
# .build/debug/iom: run it after `swift build`, as `make test` does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v protoc >/dev/null 2>&1 || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
if ! python3 -c "import google.protobuf, pytest, zmq" >/dev/null 2>&1; then
  python3 -m pip install --quiet -r Tests/python/requirements.txt
fi
python3 -m pytest -q Tests/python
