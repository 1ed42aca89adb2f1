#!/usr/bin/env python3
"""Re-derive multi-window multi-burn-rate alerts from the documented semantics and compare.

Reads the JSON lines `cargo run -p sli-core --example differential_alerts` writes: each holds
an SLO, a policy, a count series on a one-minute grid (with gaps), and the alerts of
`PolicyEvaluator::sweep` and of the streaming evaluator.

Semantics (sli_core::alert module docs): slot k covers [t0 + k step, t0 + (k+1) step) and is
evaluated at t0 + (k+1) step, for every slot from the first point's to the last one's (empty
slots of a gap included). A window of w steps sums slots k-w+1..k (none before slot 0); with
PartialWindows::NoData it has no data while k+1 < w. It has no data when its total is below
min_events (or zero when none is set); otherwise it breaches when
bad > threshold x (1 - target) x total. No data is resolved per window by MissingData (Good:
within, Bad: breach, Skip: the window's last state, initially within). A tier's raw condition is
long AND short; a sustain rule N of M fires when N of the last M raw conditions held. An alert
opens at the first firing evaluation and ends at the first evaluation that does not fire.

Two readings of the comparison are checked:
* `exact`: threshold and target are the decimals written (Fraction), the comparison exact;
* `float`: the threshold x budget product in binary64 as sli-core documents it
  (`ratio_threshold = threshold x budget`, budget = 1 - target rounded once), then
  `bad > ratio_threshold x total` in binary64.
A disagreement in the `float` reading is a defect of the evaluator's mechanics; one only in the
`exact` reading is the rounding of the threshold at a tie.
"""

import json
import sys
from fractions import Fraction as F


def tier_threshold(tier, slo_days):
    th = tier["threshold"]
    if "rate" in th:
        return F(th["rate"]), float(th["rate"])
    f = th["budget"]
    slo_s, long_s = slo_days * 86400, tier["long"] * 60
    return F(f) * slo_s / long_s, float(f) * (float(slo_s) / float(long_s))


def reference(case, mode):
    T = F(case["target"])
    budget_exact = 1 - T
    budget_f = float(budget_exact)
    # The grid starts at the first point (slot 0), whatever its time.
    first = case["points"][0][0]
    counts = {}
    for k, good, total in case["points"]:
        counts[k - first] = (total - good, total)
    last = case["points"][-1][0] - first
    bad_prefix, total_prefix = [0], [0]
    for k in range(last + 1):
        b, t = counts.get(k, (0, 0))
        bad_prefix.append(bad_prefix[-1] + b)
        total_prefix.append(total_prefix[-1] + t)

    def sums(k, w):
        lo = max(0, k - w + 1)
        return bad_prefix[k + 1] - bad_prefix[lo], total_prefix[k + 1] - total_prefix[lo]

    min_events = case["min_events"]
    partial_no_data = case["partial"] == "NoData"
    missing = case["missing"]
    alerts = []
    for tier in case["tiers"]:
        thr_exact, thr_f = tier_threshold(tier, case["slo_days"])
        ratio_exact = thr_exact * budget_exact
        ratio_f = thr_f * budget_f
        last_state = {"long": False, "short": False}
        recent = []
        open_alert = None
        for k in range(last + 1):
            states = {}
            for name in ("long", "short"):
                w = tier[name]
                bad, total = sums(k, w)
                no_data = (partial_no_data and k + 1 < w) or (
                    total < min_events if min_events > 0 else total <= 0)
                if no_data:
                    s = {"Good": False, "Bad": True, "Skip": last_state[name]}[missing]
                elif mode == "exact":
                    s = F(bad) > ratio_exact * F(total)
                else:
                    s = float(bad) > ratio_f * float(total)
                last_state[name] = s
                states[name] = s
            raw = states["long"] and states["short"]
            fires = raw
            if tier["sustain"]:
                n, m = tier["sustain"]
                recent = (recent + [raw])[-m:]
                fires = sum(recent) >= n
            at = case["t0"] + (first + k + 1) * case["step"]
            bad, total = sums(k, tier["long"])
            burn = F(bad) / F(total) / budget_exact if total > 0 else None
            if fires and open_alert is None:
                sbad, stotal = sums(k, tier["short"])
                sburn = F(sbad) / F(stotal) / budget_exact if stotal > 0 else None
                open_alert = [tier["id"], at, None, burn, sburn, burn]
            elif fires and burn is not None:
                open_alert[5] = burn if open_alert[5] is None else max(open_alert[5], burn)
            elif not fires and open_alert is not None:
                open_alert[2] = at
                alerts.append(open_alert)
                open_alert = None
        if open_alert is not None:
            alerts.append(open_alert)
    alerts.sort(key=lambda a: (a[1], a[0]))
    return alerts


def close(got, want):
    if got is None or want is None:
        return got is None and want is None
    return want == 0 and got == 0 or abs(F(got) - want) <= abs(want) * F(4, 2**52)


def main():
    cases = 0
    alerts = 0
    diffs = {"sweep-vs-stream": [], "float": [], "exact": [], "burns": []}
    for line in sys.stdin:
        case = json.loads(line)
        cases += 1
        if case["sweep"] != case["stream"]:
            diffs["sweep-vs-stream"].append(case)
        for mode in ("float", "exact"):
            want = reference(case, mode)
            timeline = lambda xs: [x[:3] for x in xs]
            if timeline(case["sweep"]) != timeline(want):
                diffs[mode].append((case, want))
            elif mode == "float":
                alerts += len(want)
                for g, w in zip(case["sweep"], want):
                    if not all(close(a, b) for a, b in zip(g[3:], w[3:])):
                        diffs["burns"].append((case, g, w))
    print(f"compared {cases} cases, {alerts} alerts")
    for key, found in diffs.items():
        print(f"{key}: {len(found)} cases disagree")
        for item in found[:3]:
            if isinstance(item, tuple):
                case, *rest = item
                small = {k: v for k, v in case.items() if k != "points"}
                print("   ", json.dumps(small)[:600])
                print("    reference:", [[str(x) if isinstance(x, F) else x for x in a] for a in rest[-1]][:6])
            else:
                print("   ", json.dumps({k: v for k, v in item.items() if k != "points"})[:600])
    sys.exit(1 if diffs["float"] or diffs["sweep-vs-stream"] or diffs["burns"] else 0)


if __name__ == "__main__":
    main()
