#!/usr/bin/env python3
"""The peers of the side-by-side benchmark: the same jobs written the way a platform team would
in Python, on the inputs `peer_reference` wrote, with their outputs checked against the
toolkit's before any time is compared.

    peers.py DATA_DIR

(a) multi-window multi-burn-rate evaluation with pandas rolling sums, and with numpy prefix sums;
(b) a robust z-score (trailing median/MAD) plus EWMA detector in numpy/pandas.
Prints a markdown table and writes DATA_DIR/results.json.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826


# Every timing, here and in peer_reference, is the best of at least a few runs and of at least
# MIN_SECONDS of running: on a shared machine a short job timed a few times sees fewer quiet
# moments than a long one, and the ratios would favour whichever side ran longer.
MIN_SECONDS = 1.0


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


def main():
    data = Path(sys.argv[1])
    meta = json.loads((data / "rust.json").read_text())
    slos, points, budget, tiers = meta["slos"], meta["points"], meta["budget"], meta["tiers"]
    counts = np.fromfile(data / "slo_counts.f64", dtype="<f8").reshape(slos, 2, points)
    cpu = np.fromfile(data / "cpu.f64", dtype="<f8")

    # Outputs first: a peer that answers differently is not a peer.
    mismatches = {"pandas": 0, "numpy": 0}
    for s in range(slos):
        want = rust_fires(meta["alerts"][s], tiers, points)
        for name, peer in (("pandas", burn_rate_pandas), ("numpy", burn_rate_numpy)):
            got = peer(counts[s, 0], counts[s, 1], tiers, budget)
            mismatches[name] += int(sum((got[t["id"]] != want[t["id"]]).sum() for t in tiers))
    fired = sum(len(a) for a in meta["alerts"])
    det = meta["detector"]
    det_args = (det["window"], det["sigma"], det["alpha"], det["min_relative_spread"])
    peer_alerts = detector_numpy(cpu, *det_args)
    rust_alerts = np.array(det["alerts"], dtype=np.int64)
    detector_diff = len(np.setxor1d(peer_alerts, rust_alerts))

    def sweep(peer):
        return lambda: [peer(counts[s, 0], counts[s, 1], tiers, budget) for s in range(slos)]

    pandas_s, _ = best_of(3, sweep(burn_rate_pandas))
    numpy_s, _ = best_of(3, sweep(burn_rate_numpy))
    detector_s, _ = best_of(2, lambda: detector_numpy(cpu, *det_args))

    rust = meta["seconds"]
    sweep_points = slos * points
    rows = [
        ("single pass over the arrays (the limit)", "Rust", rust["single_pass_limit"], sweep_points),
        ("burn-rate sweep, batch", "Rust (sli-core)", rust["batch_sweep"], sweep_points),
        ("burn-rate sweep, streaming", "Rust (sli-core)", rust["streaming"], sweep_points),
        ("burn-rate sweep", "pandas rolling sums", pandas_s, sweep_points),
        ("burn-rate sweep", "numpy prefix sums", numpy_s, sweep_points),
        ("median/MAD z + EWMA detector", "Rust (failure-modes parts)", rust["detector"], det["points"]),
        ("median/MAD z + EWMA detector", "numpy + pandas", detector_s, det["points"]),
    ]
    print(f"inputs: {slos} SLOs x {points} one-minute points; detector: {det['points']} points")
    print(f"outputs: burn-rate alert minutes differing from Rust: pandas {mismatches['pandas']}, "
          f"numpy {mismatches['numpy']} (over {fired} alerts); detector alerts differing: "
          f"{detector_diff} (Rust {len(rust_alerts)}, peer {len(peer_alerts)})")
    print()
    print("| job | implementation | seconds | points/s | Rust batch (or detector) is ... x faster | share of the limit |")
    print("|---|---|---|---|---|---|")
    limit_rate = sweep_points / rust["single_pass_limit"]
    results = []
    for job, impl, seconds, n in rows:
        rate = n / seconds
        reference = rust["detector"] if "detector" in job else rust["batch_sweep"]
        speedup = seconds / reference
        share = rate / limit_rate if "detector" not in job else float("nan")
        results.append({"job": job, "implementation": impl, "seconds": seconds,
                        "points_per_second": rate, "rust_speedup": speedup})
        share_text = "" if "detector" in job else f"{100 * share:.1f} %"
        print(f"| {job} | {impl} | {seconds:.4f} | {rate / 1e6:.1f} M | {speedup:.1f} | {share_text} |")
    (data / "results.json").write_text(json.dumps({
        "mismatches": mismatches, "detector_alert_diff": detector_diff, "rows": results}, indent=1))
    if mismatches["pandas"] or mismatches["numpy"] or detector_diff:
        print("\nOUTPUTS DIFFER: the timings above do not compare like with like", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
