#!/usr/bin/env python3
"""The peers of the side-by-side benchmark: the same jobs written the way a platform team would
in Python, on the inputs `peer_reference` wrote, with their outputs checked against the
toolkit's before any time is compared.

    peers.py DATA_DIR PEER_REFERENCE [ROUNDS]

(a) multi-window multi-burn-rate evaluation with pandas rolling sums, and with numpy prefix sums;
(b) a robust z-score (trailing median/MAD) plus EWMA detector in numpy/pandas;
(c) the same detector built from a Rust crate's parts (nexus-stats), which `peer_reference`
    runs and times beside ours; its alerts are checked here with the others.

The timings come in ROUNDS rounds (default 3): each round runs `PEER_REFERENCE --time SLOS`
for the toolkit's seconds, then times the peers. Each side's figure is its best over the rounds,
so that both sides get the same spells of a shared machine, not one side a quiet minute and the
other a busy one. Prints a markdown table with each round's ratios, and writes
DATA_DIR/results.json.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826


# Every timing, here and in peer_reference, is the best of at least a few runs and of at least
# MIN_SECONDS of running: on a shared machine a short job timed a few times sees fewer quiet
# moments than a long one, and the ratios would favour whichever side ran longer. Both sides
# read PEERS_MIN_SECONDS (0 for a fixed number of runs, as a quick check of the outputs wants).
MIN_SECONDS = float(os.environ.get("PEERS_MIN_SECONDS", "1.0"))


def best_of(runs, job):
    best = float("inf")
    result = None
    spent = 0.0
    done = 0
    while done < runs or spent < MIN_SECONDS:
        start = time.perf_counter()
        result = job()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        spent += elapsed
        done += 1
    return best, result


def burn_rate_pandas(good, total, tiers, budget):
    """Per tier, the minutes at which both windows burn faster than the threshold."""
    frame = pd.DataFrame({"bad": total - good, "total": total})
    fires = {}
    for tier in tiers:
        ratio = tier["burn"] * budget

        def breach(window):
            sums = frame.rolling(window).sum()  # NaN until the window is full: no alert
            return (sums["bad"] > ratio * sums["total"]).to_numpy()

        fires[tier["id"]] = breach(tier["long"]) & breach(tier["short"])
    return fires


def burn_rate_numpy(good, total, tiers, budget):
    """The same with prefix sums, the fastest plain-numpy formulation."""
    n = len(total)
    prefix_bad = np.concatenate(([0.0], np.cumsum(total - good)))
    prefix_total = np.concatenate(([0.0], np.cumsum(total)))
    fires = {}
    for tier in tiers:
        ratio = tier["burn"] * budget

        def breach(window):
            out = np.zeros(n, dtype=bool)
            bad = prefix_bad[window:] - prefix_bad[:-window]
            tot = prefix_total[window:] - prefix_total[:-window]
            out[window - 1 :] = bad > ratio * tot
            return out

        fires[tier["id"]] = breach(tier["long"]) & breach(tier["short"])
    return fires


def detector_numpy(x, window, sigma, alpha, min_relative_spread):
    """Robust z against the trailing window's median/MAD, or |x - EWMA| > sigma x EW std."""
    n = len(x)
    flagged = np.zeros(n, dtype=bool)
    chunk = 50_000  # windows as a strided view, medians per chunk to bound memory
    for start in range(window, n, chunk):
        end = min(n, start + chunk)
        windows = sliding_window_view(x[start - window : end - 1], window)
        median = np.median(windows, axis=1)
        mad = np.median(np.abs(windows - median[:, None]), axis=1)
        spread = np.maximum(MAD_TO_SIGMA * mad, min_relative_spread * np.abs(median))
        flagged[start:end] |= np.abs((x[start:end] - median) / spread) >= sigma
    mean = pd.Series(x).ewm(alpha=alpha, adjust=False).mean().to_numpy()
    delta = x[1:] - mean[:-1]
    variance = (
        pd.Series(np.concatenate(([0.0], (1 - alpha) * delta * delta)))
        .ewm(alpha=alpha, adjust=False)
        .mean()
        .to_numpy()
    )
    ewma = np.zeros(n, dtype=bool)
    ewma[1:] = np.abs(delta) > sigma * np.sqrt(variance[:-1])
    ewma[:window] = False
    return np.flatnonzero(flagged | ewma)


def rust_fires(alerts, tiers, points):
    fires = {t["id"]: np.zeros(points, dtype=bool) for t in tiers}
    for tier, start, end in alerts:
        fires[tier][start:end] = True
    return fires


def check_outputs(meta, counts, cpu):
    """Differences between each peer's outputs and the toolkit's: burn-rate alert minutes per
    peer, and detector alert indices (the numpy peer's and the Rust crate peer's)."""
    tiers, points, budget = meta["tiers"], meta["points"], meta["budget"]
    mismatches = {"pandas": 0, "numpy": 0}
    for s in range(meta["slos"]):
        want = rust_fires(meta["alerts"][s], tiers, points)
        for name, peer in (("pandas", burn_rate_pandas), ("numpy", burn_rate_numpy)):
            got = peer(counts[s, 0], counts[s, 1], tiers, budget)
            mismatches[name] += int(sum((got[t["id"]] != want[t["id"]]).sum() for t in tiers))
    det = meta["detector"]
    ours = np.array(det["alerts"], dtype=np.int64)
    peer_alerts = detector_numpy(cpu, *detector_args(det))
    mismatches["detector numpy"] = len(np.setxor1d(peer_alerts, ours))
    crate_alerts = np.array(det["crate_peer_alerts"], dtype=np.int64)
    mismatches["detector crate"] = len(np.setxor1d(crate_alerts, ours))
    return mismatches, len(peer_alerts), len(crate_alerts)


def detector_args(det):
    return det["window"], det["sigma"], det["alpha"], det["min_relative_spread"]


def time_round(rust_binary, meta, counts, cpu):
    """One round: the toolkit's seconds (from its own process), then the peers'."""
    run = subprocess.run([rust_binary, "--time", str(meta["slos"])], check=True,
                         capture_output=True, text=True)
    seconds = dict(json.loads(run.stdout))
    tiers, budget = meta["tiers"], meta["budget"]

    def sweep(peer):
        return lambda: [peer(counts[s, 0], counts[s, 1], tiers, budget)
                        for s in range(meta["slos"])]

    seconds["pandas"], _ = best_of(3, sweep(burn_rate_pandas))
    seconds["numpy"], _ = best_of(3, sweep(burn_rate_numpy))
    seconds["detector_peer"], _ = best_of(2, lambda: detector_numpy(cpu, *detector_args(meta["detector"])))
    return seconds


def main():
    data, rust_binary = Path(sys.argv[1]), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    if rounds < 1:
        sys.exit(f"ROUNDS must be at least 1, not {rounds}")
    meta = json.loads((data / "rust.json").read_text())
    slos, points = meta["slos"], meta["points"]
    counts = np.fromfile(data / "slo_counts.f64", dtype="<f8").reshape(slos, 2, points)
    cpu = np.fromfile(data / "cpu.f64", dtype="<f8")

    # Outputs first: a peer that answers differently is not a peer, and is not timed.
    mismatches, peer_alert_count, crate_alert_count = check_outputs(meta, counts, cpu)
    fired = sum(len(a) for a in meta["alerts"])
    det = meta["detector"]
    print(f"inputs: {slos} SLOs x {points} one-minute points; detector: {det['points']} points")
    print(f"outputs: burn-rate alert minutes differing from Rust: pandas {mismatches['pandas']}, "
          f"numpy {mismatches['numpy']} (over {fired} alerts); detector alerts differing: "
          f"numpy {mismatches['detector numpy']}, nexus-stats {mismatches['detector crate']} "
          f"(Rust {len(det['alerts'])}, numpy {peer_alert_count}, nexus-stats {crate_alert_count})")
    if any(mismatches.values()):
        print("OUTPUTS DIFFER: nothing is timed, the peers do not compute the same",
              file=sys.stderr)
        sys.exit(1)

    per_round = [time_round(rust_binary, meta, counts, cpu) for _ in range(rounds)]
    best = {job: min(r[job] for r in per_round) for job in per_round[0]}

    sweep_points = slos * points
    rows = [
        ("single pass over the arrays (the limit)", "Rust", "single_pass_limit", sweep_points),
        ("burn-rate sweep, batch", "Rust (sli-core)", "batch_sweep", sweep_points),
        ("burn-rate sweep, streaming", "Rust (sli-core)", "streaming", sweep_points),
        ("burn-rate sweep", "pandas rolling sums", "pandas", sweep_points),
        ("burn-rate sweep", "numpy prefix sums", "numpy", sweep_points),
        ("median/MAD z + EWMA detector", "Rust (failure-modes parts)", "detector", det["points"]),
        ("median/MAD z + EWMA detector", "numpy + pandas", "detector_peer", det["points"]),
        ("median/MAD z + EWMA detector", "Rust crate nexus-stats", "detector_crate", det["points"]),
    ]
    print()
    print(f"each side's best of {rounds} alternating rounds:")
    print()
    print("| job | implementation | seconds | points/s | Rust batch (or detector) is ... x faster | share of the limit |")
    print("|---|---|---|---|---|---|")
    limit_rate = sweep_points / best["single_pass_limit"]
    results = []
    for job, impl, key, n in rows:
        seconds = best[key]
        rate = n / seconds
        detector = "detector" in key
        speedup = seconds / best["detector" if detector else "batch_sweep"]
        results.append({"job": job, "implementation": impl, "seconds": seconds,
                        "points_per_second": rate, "rust_speedup": speedup})
        share_text = "" if detector else f"{100 * rate / limit_rate:.1f} %"
        print(f"| {job} | {impl} | {seconds:.4f} | {rate / 1e6:.1f} M | {speedup:.1f} | {share_text} |")

    print()
    print("each round on its own:")
    print()
    print("| round | batch, M points/s | share of the limit | x pandas | x numpy | numpy, M points/s | detector x numpy | detector x nexus-stats |")
    print("|---|---|---|---|---|---|---|---|")
    for k, r in enumerate(per_round, 1):
        print(f"| {k} | {sweep_points / r['batch_sweep'] / 1e6:.0f} "
              f"| {100 * r['single_pass_limit'] / r['batch_sweep']:.1f} % "
              f"| {r['pandas'] / r['batch_sweep']:.0f} | {r['numpy'] / r['batch_sweep']:.1f} "
              f"| {sweep_points / r['numpy'] / 1e6:.1f} | {r['detector_peer'] / r['detector']:.0f} "
              f"| {r['detector_crate'] / r['detector']:.0f} |")
    (data / "results.json").write_text(json.dumps({
        "mismatches": mismatches, "rows": results,
        "rounds": per_round}, indent=1))


if __name__ == "__main__":
    main()
