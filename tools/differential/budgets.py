#!/usr/bin/env python3
"""Recompute sli-core's error budgets, burn rates and composites with exact rationals.

Reads the JSON lines `cargo run -p sli-core --example differential_budgets` writes. A target is
the decimal a person wrote (`0.999`), read exactly with `Fraction("0.999")`; counts are whole.
Definitions (sli-core docs): error budget 1 - T; allowed (1 - T) * total; consumed fraction
bad / allowed; remaining fraction 1 - consumed; exhausted when consumed >= 1; burn rate
(bad / total) / (1 - T); met when good / total >= T; a composite's A = sum(w a) / sum(w),
T = sum(w t) / sum(w), budget consumed (1 - A) / (1 - T), met when A >= T.

Errors are printed in units of the result's ulp (relative error / 2^-52; for the remaining
fraction, in ulps of max(|exact|, 1)), per field: the maximum, and how many results are more
than 4 ulps off. Booleans must agree exactly.
"""

import json
import math
import sys
from fractions import Fraction as F

ULP = F(1, 2**52)


def ulps(got, exact):
    """|got - exact| in ulps of the exact value (relative error over 2^-52)."""
    if exact == 0:
        return 0.0 if got == 0 else math.inf
    return float(abs(F(got) - exact) / abs(exact) / ULP)


def budget_case(c):
    T = F(c["target"])
    good, total = F(c["good"]), F(c["total"])
    bad = total - good
    out = {"error_budget": 1 - T, "burn": bad / total / (1 - T), "report_burn": bad / total / (1 - T)}
    allowed = (1 - T) * total
    out["allowed"] = allowed
    out["consumed_fraction"] = bad / allowed
    out["remaining_fraction"] = 1 - bad / allowed
    flags = {"exhausted": bad / allowed >= 1, "report_met": good / total >= T}
    return out, flags


def composite_case(c):
    w = [F(p[3]) for p in c["parts"]]
    a = [F(p[1]) / F(p[2]) for p in c["parts"]]
    t = [F(p[0]) for p in c["parts"]]
    A = sum(wi * ai for wi, ai in zip(w, a)) / sum(w)
    T = sum(wi * ti for wi, ti in zip(w, t)) / sum(w)
    return ({"attainment": A, "target": T, "budget_consumed": (1 - A) / (1 - T)},
            {"met": A >= T})


def slices_case(c):
    """Time slices aligned to the window's start, from the slice of the first point in the
    window to the slice of the last; a slice's counts summed; a slice without events (no point,
    or points of zero total) resolved by the missing-data policy; Timeslices scores 1 when the
    slice's ratio reaches the slice target, RatioTimeslices the ratio."""
    start, end = c["window"]
    inside = [(m, F(g), F(t)) for m, g, t in c["points"] if start <= m < end]
    if not inside:
        return {"good": F(0), "total": F(0)}
    width = c["slice"]
    sums = {}
    for m, g, t in inside:
        k = (m - start) // width
        g0, t0 = sums.get(k, (F(0), F(0)))
        sums[k] = (g0 + g, t0 + t)
    missing = {"Good": F(1), "Bad": F(0), "Skip": None}[c["missing"]]
    good = total = F(0)
    for k in range(min(sums), max(sums) + 1):
        g, t = sums.get(k, (F(0), F(0)))
        if t > 0:
            ratio = g / t
            score = ratio if c["method"] == "RatioTimeslices" else F(int(ratio >= F(c["slice_target"])))
        else:
            score = missing
        if score is not None:
            good += score
            total += 1
    return {"good": good, "total": total}


def main():
    worst = {}
    over = {}
    flips = {}
    counted = {"budget": 0, "composite": 0, "slices": 0}
    for line in sys.stdin:
        c = json.loads(line)
        counted[c["kind"]] += 1
        if c["kind"] == "slices":
            exact, flags = slices_case(c), {}
        else:
            exact, flags = (budget_case if c["kind"] == "budget" else composite_case)(c)
        for field, value in exact.items():
            key = f'{c["kind"]}.{field}'
            # A remaining fraction is 1 minus the consumed one: its error is in ulps of the
            # larger of the two terms, not of a difference near zero.
            e = (float(abs(F(c[field]) - value) / max(abs(value), 1) / ULP)
                 if field == "remaining_fraction" else ulps(c[field], value))
            if e > worst.get(key, (-1,))[0]:
                worst[key] = (e, c)
            over[key] = over.get(key, 0) + (e > 4)
        for field, value in flags.items():
            key = f'{c["kind"]}.{field}'
            if c[field] != value:
                flips.setdefault(key, []).append(c)
            else:
                flips.setdefault(key, [])
    print(f"compared {counted}")
    for key in sorted(worst):
        e, c = worst[key]
        print(f"{key:32} max {e:.3g} ulp, {over[key]} cases > 4 ulp; worst: {json.dumps(c)}")
    bad = 0
    for key in sorted(flips):
        print(f"{key:32} {len(flips[key])} disagreements")
        for c in flips[key][:3]:
            print("    ", json.dumps(c))
        bad += len(flips[key])
    sys.exit(1 if bad or any(over.values()) else 0)


if __name__ == "__main__":
    main()
