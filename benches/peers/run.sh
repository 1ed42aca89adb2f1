#!/usr/bin/env bash
# Side-by-side: this toolkit and its Python peers on the same generated data, in one run.
#   bash benches/peers/run.sh [SLOS] [ROUNDS]   (default 100 SLOs x 30 days x 1 minute, 3 rounds)
# Installs numpy and pandas into target/peers-venv on first use. The peers' outputs are checked
# against the toolkit's first (the script fails if any differ); then the two sides are timed in
# alternating rounds, and each side's best round is compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
slos="${1:-100}"
rounds="${2:-3}"
venv=target/peers-venv
if ! "$venv/bin/python" -c 'import numpy, pandas' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r benches/peers/requirements.txt
fi
cargo build --release --locked -p sre-benches --bin peer_reference
out=target/peers
target/release/peer_reference "$out" "$slos"
"$venv/bin/python" benches/peers/peers.py "$out" target/release/peer_reference "$rounds"
