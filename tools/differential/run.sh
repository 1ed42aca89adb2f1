#!/usr/bin/env sh
# Differential tests of sli-core and failure_modes::stats against independent Python
# reimplementations written from the documented definitions (standard library: fractions,
# zoneinfo, datetime; mpmath for the stats tails, skipped with a message without it).
#   tools/differential/run.sh [seed] [window cases] [budget cases] [alert cases] [stats cases]
# Exits non-zero on any disagreement. About 90 s with the defaults (75 s measured, idle).
set -eu
seed=${1:-1}
cd "$(dirname "$0")/../.."
if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 not found: differential tests skipped"
    exit 0
fi
cargo build -q -p sli-core --examples
cargo build -q -p failure-modes --example differential_stats
bin=${CARGO_TARGET_DIR:-target}/debug/examples
status=0
"$bin/differential_windows" "$seed" "${2:-30000}" | python3 tools/differential/windows.py || status=1
"$bin/differential_budgets" "$seed" "${3:-20000}" | python3 tools/differential/budgets.py || status=1
"$bin/differential_alerts" "$seed" "${4:-1000}" | python3 tools/differential/alerts.py || status=1
"$bin/differential_stats" "$seed" "${5:-300}" | python3 tools/differential/stats.py || status=1
exit $status
