#!/usr/bin/env bash
# Scaling: sweep time against history length (10^3 … 10^7 one-minute points) and the streaming
# evaluator's peak memory (RSS, /usr/bin/time -v, median of five runs) for the same lengths; writes
# target/peers/scaling.csv and the chart docs/scaling.svg.
#   bash benches/peers/scaling.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --locked -p sre-benches --bin scaling
cargo build --release --locked -p sre-examples --example stream_memory
mkdir -p target/peers
target/release/scaling > target/peers/scaling_time.csv
echo "points,peak_rss_kib" > target/peers/scaling_memory.csv
# Identical runs differ by up to ±6 % in whole-process RSS (loader, allocator): the median of
# five runs per length is recorded.
for n in 1000 10000 100000 1000000 10000000; do
  rss=$(for run in 1 2 3 4 5; do
    /usr/bin/time -v target/release/examples/stream_memory "$n" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'
  done | sort -n | sed -n 3p)
  echo "$n,$rss" >> target/peers/scaling_memory.csv
done
python3 benches/peers/scaling_chart.py target/peers/scaling_time.csv target/peers/scaling_memory.csv docs/scaling.svg
