#!/usr/bin/env python3
"""A proxy for NAB series the detectors have never seen: real CloudWatch backgrounds with
anomalies injected by rule, written as a NAB corpus that `nab_eval` and `nab_score.py` read.

One corpus per seed, one file per shared series, so that leaving one file out never leaves a
copy of its background in training. Each file is its series' longest stretch outside the
labelled windows (at least three days), cut to whole days and gone round again, on the
5-minute grid of its times (a missing row takes the value before it, so a round starts at
the same time of day), to the length of the file it came from, with one or two anomalies of
a kind drawn from five. Each anomaly starts at least six hours after the scorer's probation
(and at least a day in) and gets a NAB-style window (a tenth of the file's rows shared among
its anomalies, centred on the onset, never inside the probation). The sizes come from the
untouched background: its median, its robust sigma (the larger of 1.4826 x MAD, 1.2533 x the
mean absolute deviation from the median, and a hundredth of its median or of its range, so
that a metric idle most of the time still has a scale), its largest and smallest values. An
anomaly that would move no row by a sigma (a dropout to zero on a metric already at zero) is
drawn again, so every window holds a change. Utilisation series (`cpu_utilization` in the
name) stay within 0-100 %.

The kinds and sizes, from what NAB's own labels describe and not changed after a run:

* spike: one to three points at 1.2 to 2 times the background's largest value (and at least
  5 sigma above its median);
* shift: every later value multiplied by 1.6 to 3 (or by 0.3 to 0.6: a level that falls);
* dropout: the background's minimum for one to six hours;
* oscillation: a square wave of 3 to 6 sigma for 2 to 12 hours;
* ramp: a climb to 1.5 to 3 times the level over 6 to 24 hours, which then stays.

usage: make_proxy.py NAB_DIR OUT_DIR SEED
"""

import csv
import datetime as dt
import json
import os
import random
import statistics
import sys

ROWS_PER_DAY = 288
STEP = dt.timedelta(minutes=5)
FMT = "%Y-%m-%d %H:%M:%S"
KINDS = ["spike", "shift", "dropout", "oscillation", "ramp"]


def probation(rows):
    """The rows the scorer ignores at the start of a file (nab_score.py's rule)."""
    return min(int(0.15 * rows), 750)


def load(path):
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return [(dt.datetime.strptime(t, FMT), float(v)) for t, v in rows]


def longest_clean_stretch(rows, windows):
    spans = [(dt.datetime.strptime(a[:19], FMT), dt.datetime.strptime(b[:19], FMT)) for a, b in windows]
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


def looped(stretch, length):
    """The stretch's whole days on its 5-minute grid, gone round to `length` rows, and the
    number of days a round lasts."""
    t0 = stretch[0][0]
    days = (stretch[-1][0] - t0) // dt.timedelta(days=1)
    slots = days * ROWS_PER_DAY
    grid, last = [None] * slots, stretch[0][1]
    by_slot = {(t - t0) // STEP: v for t, v in stretch}
    for k in range(slots):
        last = by_slot.get(k, last)
        grid[k] = last
    return [grid[i % slots] for i in range(length)], days


def scale(values):
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    mean_dev = statistics.fmean(abs(v - med) for v in values)
    top, bottom = max(values), min(values)
    sigma = max(1.4826 * mad, 1.2533 * mean_dev, 0.01 * abs(med), 0.01 * (top - bottom), 1e-9)
    return med, sigma, top, bottom


def inject(values, onset, kind, rng, stats):
    med, sigma, top, bottom = stats
    out = list(values)
    n = len(out)
    if kind == "spike":
        peak = max(rng.uniform(1.2, 2.0) * top, med + 5 * sigma)
        for i in range(onset, min(n, onset + rng.randint(1, 3))):
            out[i] = peak
    elif kind == "shift":
        factor = rng.uniform(1.6, 3.0) if rng.random() < 0.7 else rng.uniform(0.3, 0.6)
        for i in range(onset, n):
            out[i] *= factor
    elif kind == "dropout":
        for i in range(onset, min(n, onset + rng.randint(12, 72))):
            out[i] = bottom
    elif kind == "oscillation":
        amplitude = rng.uniform(3, 6) * sigma
        for k, i in enumerate(range(onset, min(n, onset + rng.randint(24, 144)))):
            out[i] = max(bottom, out[i] + (amplitude if k % 2 == 0 else -amplitude))
    elif kind == "ramp":
        length, factor = rng.randint(72, 288), rng.uniform(1.5, 3.0)
        for i in range(onset, n):
            out[i] *= 1 + (factor - 1) * min(1.0, (i - onset + 1) / length)
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    nab, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(os.path.join(nab, "combined_windows.json")) as f:
        windows = json.load(f)
    corpus, labels, kinds_of = {}, {}, {}
    os.makedirs(os.path.join(out, "proxy"), exist_ok=True)
    for key in sorted(windows):
        rows = load(os.path.join(nab, key))
        stretch = longest_clean_stretch(rows, windows[key])
        if len(stretch) < 3 * ROWS_PER_DAY:
            continue
        n = len(rows)
        background, days = looped(stretch, n)
        percent = "cpu_utilization" in key
        stats = scale(background)
        rng = random.Random(f"{key}#{seed}")
        count = 1 if n < 5 * ROWS_PER_DAY or rng.random() < 0.5 else 2
        half = int(0.1 * n / count) // 2
        first = max(probation(n), ROWS_PER_DAY) + max(ROWS_PER_DAY // 4, half + 1)
        # Onsets in separate parts of what is left, so that two windows do not overlap.
        span = (n - first - half) // count
        onsets = [first + k * span + rng.randrange(span // 2) for k in range(count)]
        values, chosen = background, []
        for onset in onsets:
            for _ in range(100):
                kind = rng.choice(KINDS)
                after = inject(values, onset, kind, rng, stats)
                if percent:
                    after = [min(100.0, max(0.0, v)) for v in after]
                if any(abs(a - b) >= stats[1] for a, b in zip(after, values)):
                    break
            else:
                sys.exit(f"{key}: no kind moves a row by a sigma at row {onset}")
            values = after
            chosen.append(kind)
        name = f"proxy/{os.path.basename(key)[:-4]}.csv"
        times = [stretch[0][0] + i * STEP for i in range(n)]
        with open(os.path.join(out, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["timestamp", "value"])
            for t, v in zip(times, values):
                w.writerow([t.strftime(FMT), repr(round(v, 6))])
        corpus[name] = [
            [times[o - half].strftime(FMT) + ".000000", times[min(n - 1, o + half)].strftime(FMT) + ".000000"]
            for o in onsets
        ]
        labels[name] = [times[o].strftime(FMT) for o in onsets]
        kinds_of[name] = chosen
        moves = ", ".join(f"{k} at row {o}" for k, o in zip(chosen, onsets))
        print(f"{name}: {n} rows, a round of {days} days, {moves}")
    for file, data in [("combined_windows.json", corpus), ("combined_labels.json", labels), ("kinds.json", kinds_of)]:
        with open(os.path.join(out, file), "w") as f:
            json.dump(data, f, indent=1)


if __name__ == "__main__":
    main()
