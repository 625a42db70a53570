#!/usr/bin/env bash
# Runs the Python contract test (Tests/python), installing its pip requirements if missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v protoc >/dev/null 2>&1 || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
if ! python3 -c "import google.protobuf, pytest" >/dev/null 2>&1; then
  python3 -m pip install --quiet -r Tests/python/requirements.txt
fi
python3 -m pytest -q Tests/python
