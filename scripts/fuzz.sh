#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer) of the toolkit's input parsers and state
# machines: one target after another, each for a bounded time on one core.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# Targets (fuzz/fuzz_targets/): openslo_parse, openslo_compile, cloudtrail, csv_source,
# get_metric_data, costexplorer, servicequotas, rds_formula, detectors, detector_configs,
# timed_anomaly, streaming_evaluator, sli_serde.
# Each starts from its committed corpus (fuzz/corpus/TARGET, read only: the seeds
# fuzz/make_seeds.py writes, and the inputs of the 2026-12-05 and 2026-12-06 runs merged
# down to those that add coverage, `-merge=1`) plus what earlier local runs found
# (target/fuzz/corpus, where new inputs go); crashes are written to target/fuzz/artifacts/TARGET
# and fail the run.
# timed_anomaly's corpus/leap-second* are the inputs of a defect fixed on 2026-12-07
# (TimedAnomalyDetector took 00:00:00 after a leap second, 23:59:60, at no distance).
# Inputs that crash code owned elsewhere go in fuzz/crashes-for-others/ (not run; none so far).
#
# Needs the nightly toolchain (`cargo +nightly`); installs cargo-fuzz into target/cargo-fuzz
# from crates.io the first time. The fuzz crate is its own workspace: the main build and CI
# never compile it. The targets are built without a sanitizer (`-s none`): the crates are safe
# Rust but for one prefetch hint that dereferences nothing, and libFuzzer's coverage,
# overflow checks and debug assertions stay on; builds are about twice as fast to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
shift || true
all=(openslo_parse openslo_compile cloudtrail csv_source get_metric_data costexplorer
    servicequotas rds_formula detectors detector_configs timed_anomaly streaming_evaluator sli_serde)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

tools="$PWD/target/cargo-fuzz"
if ! [ -x "$tools/bin/cargo-fuzz" ]; then
    echo "== installing cargo-fuzz into $tools"
    cargo install --locked --root "$tools" cargo-fuzz --version 0.13.2
fi
export PATH="$tools/bin:$PATH"
work="$PWD/target/fuzz"
export CARGO_TARGET_DIR="$work/build"

echo "== building the fuzz targets (nightly, release with debug assertions)"
(cd fuzz && cargo +nightly fuzz build -s none)

failed=0
printf '%-22s %8s %12s %10s %8s\n' target seconds executions exec/s corpus
for t in "${targets[@]}"; do
    mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/logs"
    log="$work/logs/$t.log"
    status=0
    (cd fuzz && cargo +nightly fuzz run -s none "$t" "$work/corpus/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/") >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(find "$work/corpus/$t" -type f | wc -l)
    printf '%-22s %8s %12s %10s %8s\n' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "$corpus"
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "   $t FAILED (exit $status); see $log and $work/artifacts/$t/" >&2
        grep -m 5 -E 'panicked|ERROR|SUMMARY' "$log" >&2 || true
    fi
done
exit "$failed"
