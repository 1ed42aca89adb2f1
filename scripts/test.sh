#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine with nothing installed by hand:
#   1. every Rust test of the workspace: unit tests, integration tests (Workbook/Sloth golden
#      numbers, proptest invariants) and doctests;
#   2. the CloudWatch emulator bridge (tools/cloudwatch-bridge): installs moto and the bridge's
#      Python dependencies into a virtual environment under target/, then its test starts moto
#      and the bridge on free 127.0.0.1 ports, drives them, and stops them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== cargo test --workspace"
cargo test --workspace --locked

echo "== CloudWatch bridge (moto emulator)"
venv=target/cw-bridge-venv
if ! "$venv/bin/python" -c 'import moto, cbor2, pytest' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/cloudwatch-bridge/requirements.txt
fi
"$venv/bin/python" -m pytest -q -p no:cacheprovider tools/cloudwatch-bridge
