#!/usr/bin/env bash
# Side-by-side: this toolkit and its Python peers on the same generated data, in one run.
#   bash benches/peers/run.sh [SLOS]        (default 100 SLOs x 30 days x 1 minute)
# Installs numpy and pandas into target/peers-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
slos="${1:-100}"
venv=target/peers-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r benches/peers/requirements.txt
fi
cargo build --release --locked -p sre-benches --bin peer_reference
out=target/peers
target/release/peer_reference "$out" "$slos"
"$venv/bin/python" benches/peers/peers.py "$out"
