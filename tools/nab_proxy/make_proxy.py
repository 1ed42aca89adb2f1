#!/usr/bin/env python3
"""A proxy for NAB series the detectors have never seen: real CloudWatch backgrounds with
anomalies injected by rule, written as a NAB corpus that `nab_eval` and `nab_score.py` read.

Each of the shared series gives its longest stretch outside its labelled windows (at least
three days; the rest of the file, windows included, is not used), cut to whole days and gone
round again to the length of the file it came from, and each stretch one proxy
file per seed with one or two anomalies of a kind drawn from five, placed after the scorer's
probation and a day of warm-up, each with a NAB-style window (a tenth of the file's rows
shared among its anomalies, centred on the onset). The kinds and their sizes were fixed
before any detector ran on the result (2026-12-07), from what NAB's own labels describe —
spikes beyond anything the series showed, level shifts, a metric dropping to nothing,
oscillation, a ramp — and nothing was changed after a run:

* spike: one to three points at 1.2 to 2 times the stretch's largest value (above its
  median by at least 5 robust sigma);
* shift: every later value multiplied by 1.6 to 3 (or by 0.3 to 0.6: a level that falls);
* dropout: the minimum of the stretch for one to six hours;
* oscillation: a square wave of 3 to 6 robust sigma for 2 to 12 hours;
* ramp: a climb to 1.5 to 3 times the level over 6 to 24 hours, which then stays.

usage: make_proxy.py NAB_DIR OUT_DIR [seeds]   (seeds: 3 by default)
"""

import csv
import datetime as dt
import json
import os
import random
import statistics
import sys

PROBATION = 0.15
ROWS_PER_DAY = 288
FMT = "%Y-%m-%d %H:%M:%S"


def load(nab, key):
    with open(os.path.join(nab, key)) as f:
        rows = list(csv.reader(f))[1:]
    return [(dt.datetime.strptime(t, FMT), float(v)) for t, v in rows]


def longest_clean_stretch(rows, windows):
    parse = lambda s: dt.datetime.strptime(s[:19], FMT)
    spans = [(parse(a), parse(b)) for a, b in windows]
    inside = [any(a <= t <= b for a, b in spans) for t, _ in rows]
    best, start = (0, 0), None
    for i, flag in enumerate(inside + [True]):
        if not flag and start is None:
            start = i
        elif flag and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return rows[best[0]:best[1]]


def robust_sigma(values):
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    return med, max(1.4826 * mad, 0.01 * abs(med), 1e-9)


def inject(values, onset, kind, rng, med, sigma):
    n = len(values)
    top, bottom = max(values), min(values)
    if kind == "spike":
        width = rng.randint(1, 3)
        peak = max(rng.uniform(1.2, 2.0) * top, med + 5 * sigma)
        for i in range(onset, min(n, onset + width)):
            values[i] = peak
    elif kind == "shift":
        factor = rng.uniform(1.6, 3.0) if rng.random() < 0.7 else rng.uniform(0.3, 0.6)
        for i in range(onset, n):
            values[i] *= factor
    elif kind == "dropout":
        for i in range(onset, min(n, onset + rng.randint(12, 72))):
            values[i] = bottom
    elif kind == "oscillation":
        amplitude = rng.uniform(3, 6) * sigma
        for k, i in enumerate(range(onset, min(n, onset + rng.randint(24, 144)))):
            values[i] = max(bottom, values[i] + (amplitude if k % 2 == 0 else -amplitude))
    elif kind == "ramp":
        length, factor = rng.randint(72, 288), rng.uniform(1.5, 3.0)
        for i in range(onset, n):
            grown = min(1.0, (i - onset + 1) / length)
            values[i] *= 1 + (factor - 1) * grown
    return values


def main():
    nab, out = sys.argv[1], sys.argv[2]
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    windows = json.load(open(os.path.join(nab, "combined_windows.json")))
    kinds = ["spike", "shift", "dropout", "oscillation", "ramp"]
    corpus, labels, kinds_of = {}, {}, {}
    os.makedirs(os.path.join(out, "proxy"), exist_ok=True)
    for key in sorted(windows):
        rows = load(nab, key)
        stretch = longest_clean_stretch(rows, windows[key])
        if len(stretch) < 3 * ROWS_PER_DAY:
            continue
        # As long as the file it came from: the stretch cut to whole days and gone round
        # again (each round starts at the same time of day), on a 5-minute grid.
        days = stretch[: len(stretch) // ROWS_PER_DAY * ROWS_PER_DAY]
        n = max(len(rows), len(days))
        looped = [days[i % len(days)][1] for i in range(n)]
        grid = [days[0][0] + dt.timedelta(minutes=5 * i) for i in range(n)]
        for seed in range(seeds):
            rng = random.Random(f"{key}#{seed}")
            times = grid
            values = list(looped)
            first = max(int(PROBATION * n), ROWS_PER_DAY) + ROWS_PER_DAY // 4
            count = 1 if n < 5 * ROWS_PER_DAY or rng.random() < 0.5 else 2
            # Onsets in separate halves of what is left, so that two windows do not overlap.
            span = (n - first - ROWS_PER_DAY // 4) // count
            onsets = [first + k * span + rng.randrange(span // 2) for k in range(count)]
            med, sigma = robust_sigma(values[:first])
            chosen = []
            for onset in onsets:
                kind = rng.choice(kinds)
                chosen.append(kind)
                values = inject(values, onset, kind, rng, med, sigma)
            name = f"proxy/{os.path.basename(key)[:-4]}_s{seed}.csv"
            with open(os.path.join(out, name), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["timestamp", "value"])
                for t, v in zip(times, values):
                    w.writerow([t.strftime(FMT), repr(round(v, 6))])
            half = int(0.1 * n / count) // 2
            corpus[name] = [
                [times[max(0, o - half)].strftime(FMT) + ".000000",
                 times[min(n - 1, o + half)].strftime(FMT) + ".000000"]
                for o in onsets
            ]
            labels[name] = [times[o].strftime(FMT) for o in onsets]
            kinds_of[name] = chosen
            print(f"{name}: {n} rows, {', '.join(f'{k} at row {o}' for k, o in zip(chosen, onsets))}")
    json.dump(corpus, open(os.path.join(out, "combined_windows.json"), "w"), indent=1)
    json.dump(labels, open(os.path.join(out, "combined_labels.json"), "w"), indent=1)
    # The kind of each window, in the order of combined_windows.json (by_kind.py reads it).
    json.dump(kinds_of, open(os.path.join(out, "kinds.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
