#!/usr/bin/env python3
"""Recompute failure_modes::stats from the documented definitions, exactly where possible.

Reads the JSON lines `cargo run -p failure-modes --example differential_stats` writes: random
streams (ties, constant runs, both zeros, subnormals, values near MAX_MAGNITUDE, and values the
API must refuse) and every public output after every point.

References (standard library `fractions` unless said):
  median        the middle value of the sorted window, or the mean of the two middle ones,
                exact, then rounded once to f64 (RobustBaseline::median, SeasonalBaseline).
  mad           the median of the f64 distances |x - m| from the correctly rounded median m,
                which `RobustBaseline::mad` documents it equals bit for bit; mad_exact is the
                exact rational MAD, informational (each f64 distance is rounded once).
  mean_ad       sum |x - m| / n exact; mean_magnitude sum |x| / n exact.
  spread, z     the documented formulas applied in f64 to Rust's own median, MAD and mean
                absolute deviation (checks the composition; the parts are checked above).
  rolling_max   the largest value of the window.
  peaks         DailyPeaks: the largest value of previous days near the hour (or at any), faded
                by decay^days, exact.
  ewma          the documented recursion m += a (x - m), v = (1 - a)(v + (x - m) a (x - m)),
                carried out exactly.
  cusum         S+ = max(0, S+ + z - k), S- = max(0, S- - z - k), signal when one exceeds h,
                exactly; the signals must agree, except at a tie (a sum within 2 ulps of h a
                step since the last reset), counted apart as `Cusum` documents.
  linear        the ordinary least-squares line over the window, exact.
  trend         Theil-Sen: the exact median of the exact pairwise slopes; level the exact median
                of v_i + slope (last - i); steps_until from them.
  poisson, binomial  upper tails summed term by term in mpmath at 50 digits (mpmath, not the
                standard library: exp and log-gamma at high precision).

An error is measured as the distance from the correctly rounded reference in its ulps (0 for a
result rounded once, correctly), or, for the quantities that cancel (mean_ad, mean_magnitude,
ewma, linear, trend), as the distance from the exact reference in ulps of a scale: the
largest magnitude the quantity is formed from, since a difference of rounded sums can only be
accurate relative to its terms. The tolerance of each, and why, is in TOLERANCE below. A result
beyond it is a disagreement; so is a refusal, a None/Some or a signal that differs, except the
ties counted apart (*_ties). Exits non-zero on any disagreement. `-v` prints each quantity's
worst case.
"""

import json
import math
import sys
from collections import deque
from fractions import Fraction as F

try:
    import mpmath
except ImportError:  # the tails are then skipped, with a message
    mpmath = None

MAD_TO_SIGMA = 1.4826
MEAN_AD_TO_SIGMA = 1.2533141373155003

# name -> (tolerance in ulps, why)
TOLERANCE = {
    "median": (0, "documented as the median: one rounding of the exact middle"),
    "mad": (0, "documented identical to the naive median of |x - m|"),
    "mad_exact": (1.5, "vs the exact MAD, ulps of max(|m|, largest |x - m|): m and each"
                  " distance rounded once, their mean once"),
    "mean_ad": (None, "32n ulps of max |x|: documented bound of the running half sums"),
    "mean_magnitude": (None, "16n ulps of max |x|: documented bound of the running sum"),
    "spread": (0, "the documented formula on Rust's parts"),
    "robust_z": (0, "the documented formula on Rust's parts"),
    "seasonal": (0, "the median of the slot, one rounding"),
    "rolling_max": (0, "a maximum is exact"),
    "ewma_mean": (None, "4/alpha ulps of the largest |x|: errors of each step decay by 1 - alpha"),
    "ewma_std": (None, "4/alpha ulps of the largest |x|, past an absolute 2^-511 (underflow)"),
    "cusum": (0, "signals must agree"),
    "peaks_usual": (None, "0 ulps without fading, 2 a day of fading"),
    "peaks_busiest": (None, "0 ulps without fading, 2 a day of fading"),
    "cusum_ties": (None, "counted apart: within 2 ulps of h a step of a tie"),
    "linear_steps_until_ties": (None, "counted apart: level or slope within tolerance of the tie"),
    "trend_steps_until_ties": (None, "counted apart: level or slope within tolerance of the tie"),
    "linear_slope": (None, "32n ulps of max |y|: n updates of two running sums at up to 16 max|y|"),
    "linear_level": (None, "32n ulps of max |y|, as the slope"),
    "trend_slope": (1.5, "ulps of the larger middle slope: each slope is rounded twice ((b - a),"
                    " then / d), their mean once"),
    "trend_level": (None, "1.5 ulps of the largest part of v_i + round(s (last - i)): two"
                    " roundings a term, and a mean"),
    "poisson": (None, "1e-11 relative (sli-core's exact sum or saddle point; it documents 1e-9)"),
    "binomial": (None, "1e-9 relative (documented for the saddle point)"),
}

stats = {}


def record(name, ulps_off, tol, case):
    s = stats.setdefault(name, {"cases": 0, "bad": 0, "max": 0.0, "worst": None})
    s["cases"] += 1
    if ulps_off > s["max"]:
        s["max"], s["worst"] = ulps_off, case
    if tol is not None and ulps_off > tol:
        s["bad"] += 1
        if s["bad"] <= 3:
            print(f"DISAGREE {name}: {ulps_off:.3g} ulps > {tol}: {json.dumps(case)[:600]}")


def fl(text):
    return None if text is None else float(text)


def ulps(got, exact, scale=None):
    """|got - exact| in ulps of `scale`; without one, |got - round(exact)| in ulps of round(exact)."""
    if got is None or exact is None:
        return 0.0 if got is None and exact is None else math.inf
    if isinstance(got, float) and not math.isfinite(got):
        return 0.0 if (isinstance(exact, float) and repr(exact) == repr(got)) else math.inf
    exact = F(exact)
    if scale is None:
        # From the correctly rounded value: 0 for a result rounded once, correctly.
        exact = F(float(exact))
        scale = exact
    off = abs(F(got) - exact) / F(math.ulp(float(scale)))
    return float(off) if off < 2**1000 else math.inf


def div(a, b):
    """IEEE division (Python raises on a zero divisor)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def median(values):
    s = sorted(values)
    n = len(s)
    if n == 0:
        return None
    return F(s[n // 2]) if n % 2 else (F(s[n // 2 - 1]) + F(s[n // 2])) / 2


def valid(v):
    return math.isfinite(v) and abs(v) <= 2.348_542_582_773_833_2e108


def check_accepted(name, v, accepted, case):
    record(name + "_refusal", 0.0 if accepted == valid(v) else math.inf, 0, case)


def baseline(c):
    cap, min_spread = c["capacity"], float(c["min_spread"])
    w = deque()
    for i, (vt, accepted, med, mad, mean_ad, mean_mag, spread, z) in enumerate(c["steps"]):
        v = float(vt)
        case = {"kind": "baseline", "capacity": cap, "step": i, "window": [repr(x) for x in w]}
        check_accepted("baseline", v, accepted, case)
        if valid(v):
            w.append(v)
            if len(w) > cap:
                w.popleft()
        case["window"] = [repr(x) for x in w]
        m = median(w)
        if m is None:
            for name, got in [("median", med), ("mad", mad), ("mean_ad", mean_ad)]:
                record(name, ulps(fl(got), None), 0, case)
            continue
        record("median", ulps(fl(med), m), 0, case)
        mf = float(m)
        naive = median([abs(x - mf) for x in w])
        record("mad", ulps(fl(mad), naive), 0, case)
        record("mad_exact", ulps(fl(mad), median([abs(F(x) - m) for x in w]),
                                 max([abs(mf)] + [abs(x - mf) for x in w]) or None), 1.5, case)
        n = len(w)
        magnitude = sum(abs(F(x)) for x in w) / n
        big = max(abs(x) for x in w) or None
        record("mean_ad", ulps(fl(mean_ad), sum(abs(F(x) - m) for x in w) / n, big), 32 * n, case)
        record("mean_magnitude", ulps(fl(mean_mag), magnitude, big), 16 * n, case)
        rm, rmad, rmean = fl(med), fl(mad), fl(mean_ad)
        record("spread", ulps(fl(spread), max(MAD_TO_SIGMA * rmad, MEAN_AD_TO_SIGMA * rmean)), 0, case)
        want_z = div(v - rm, max(MAD_TO_SIGMA * rmad, min_spread))
        record("robust_z", 0.0 if repr(fl(z)) == repr(want_z) else ulps(fl(z), want_z), 0, case)


def seasonal(c):
    period, days = c["period"], c["days"]
    slots = [deque() for _ in range(period)]
    nxt = 0
    for i, (vt, accepted, expected) in enumerate(c["steps"]):
        v = float(vt)
        case = {"kind": "seasonal", "period": period, "days": days, "step": i}
        check_accepted("seasonal", v, accepted, case)
        if valid(v):
            slots[nxt].append(v)
            if len(slots[nxt]) > days:
                slots[nxt].popleft()
            nxt = (nxt + 1) % period
        case["slot"] = [repr(x) for x in slots[nxt]]
        record("seasonal", ulps(fl(expected), median(slots[nxt])), 0, case)


def rolling_max(c):
    w = deque()
    for i, (vt, accepted, got) in enumerate(c["steps"]):
        v = float(vt)
        check_accepted("rolling_max", v, accepted, {"kind": "rolling_max", "step": i})
        if valid(v):
            w.append(v)
            if len(w) > c["capacity"]:
                w.popleft()
        record("rolling_max", ulps(fl(got), max(w) if w else None), 0,
               {"kind": "rolling_max", "step": i, "window": [repr(x) for x in w]})


def peaks(c):
    """The largest value of previous days at the hour asked or the hours either side (usual),
    or at any hour (busiest), each faded by decay^(days from its day to the day asked); a day's
    values join when a later day begins; values of an earlier day than the latest are ignored.
    Exact, then compared in ulps of the correctly rounded result: 0 with no fading, else 2 a
    day of fading (each day's fade is a rounded product and a rounded power). Values out of
    range (NaN, infinite, beyond MAX_MAGNITUDE) must be refused."""
    decay = F(float(c["decay"]))
    seen = []  # (day, hour, value) accepted
    current = None
    for i, (t, vt, accepted, ask, usual, busiest) in enumerate(c["steps"]):
        v, day = float(vt), t // 86400
        check_accepted("peaks", v, accepted, {"kind": "peaks", "step": i})
        if valid(v) and (current is None or day >= current):
            seen.append((day, t % 86400 // 3600, F(v)))
            current = day
        ask_day, ask_hour = ask // 86400, ask % 86400 // 3600
        done = [(d, h, x) for d, h, x in seen if d < ask_day]
        want = {"usual": None, "busiest": None}
        oldest = ask_day
        if current is not None and done:
            near = [x * decay ** (ask_day - d) for d, h, x in done
                    if (h - ask_hour) % 24 in (0, 1, 23)]
            want = {"usual": max(near + [F(0)]),
                    "busiest": max([x * decay ** (ask_day - d) for d, h, x in done] + [F(0)])}
            oldest = min(d for d, _, _ in done)
        tol = 0 if decay == 1 else 2 * (ask_day - oldest)
        for name, got in [("usual", usual), ("busiest", busiest)]:
            record("peaks_" + name, ulps(fl(got), want[name]), tol,
                   {"kind": "peaks", "step": i, "decay": c["decay"], "got": got,
                    "want": None if want[name] is None else float(want[name])})


def sqrt_fraction(x):
    """sqrt of a non-negative Fraction to about 2^-80 relative."""
    if x == 0:
        return F(0)
    k = max(0, 170 - (x.numerator.bit_length() - x.denominator.bit_length())) // 2 + 1
    return F(math.isqrt(x.numerator * 4**k // x.denominator), 2**k)


def ewma(c):
    a = F(float(c["alpha"]))
    mean, var, scale = None, F(0), 0.0
    tol = 4 / float(c["alpha"])
    for i, (vt, accepted, got_mean, got_std) in enumerate(c["steps"]):
        v = float(vt)
        check_accepted("ewma", v, accepted, {"kind": "ewma", "step": i})
        if valid(v):
            scale = max(scale, abs(v))
            if mean is None:
                mean = F(v)
            else:
                delta = F(v) - mean
                mean += a * delta
                var = (1 - a) * (var + delta * a * delta)
        case = {"kind": "ewma", "alpha": c["alpha"], "step": i, "value": vt,
                "got": [got_mean, got_std], "want": [None if mean is None else float(mean),
                                                     float(sqrt_fraction(var))]}
        if mean is None:
            record("ewma_mean", ulps(fl(got_mean), None), 0, case)
            continue
        record("ewma_mean", ulps(fl(got_mean), mean, scale or None), tol, case)
        # The variance is kept, not the deviation: below 2^-511 (the square root of the
        # smallest normal) its square underflows, as `Ewma::std_dev` documents.
        std = sqrt_fraction(var)
        off = max(F(0), abs(F(fl(got_std)) - std) - F(2) ** -511) if math.isfinite(fl(got_std)) else None
        record("ewma_std", math.inf if off is None else float(off / F(math.ulp(scale or 5e-324))),
               tol, case)


def cusum(c):
    """A signal that differs while the exact statistic is within 2 ulps (of h) a step since
    the last reset of h is a tie rounding decides (documented on `Cusum`): counted apart, and
    the reference then follows Rust's decision."""
    k, h = F(float(c["slack"])), F(float(c["threshold"]))
    up = down = F(0)
    steps = 0
    for i, (zt, signal) in enumerate(c["steps"]):
        z = F(float(zt))
        steps += 1
        up, down = max(F(0), up + z - k), max(F(0), down - z - k)
        want = "up" if up > h else "down" if down > h else ""
        case = {"kind": "cusum", "step": i, "got": signal, "want": want,
                "exact": [float(up), float(down)]}
        near = min(abs(up - h), abs(down - h)) <= 2 * steps * F(math.ulp(float(h)))
        if want != signal and near:
            record("cusum_ties", 0.0, None, case)
        else:
            record("cusum", 0.0 if want == signal else math.inf, 0, case)
        if signal:
            up = down = F(0)
            steps = 0


def steps_until(level, slope, limit):
    if level is None:
        return None
    if level >= limit:
        return F(0)
    return (limit - level) / slope if slope > 0 else None


def line_checks(prefix, got, want, scales, tols, case, limit):
    (gs, gl, gu), (ws, wl, wu) = got, want
    tol_slope, tol_level = tols
    record(prefix + "_slope", ulps(fl(gs), ws, scales[0]), tol_slope, case)
    record(prefix + "_level", ulps(fl(gl), wl, scales[1]), tol_level, case)
    # steps_until: only whether there is an answer (a crossing near a tie may go either way
    # with a slope a few ulps off); its size follows from the slope and level checked above.
    if (gu is None) != (wu is None):
        # A tie: the level within its tolerance of the limit, or the slope of zero.
        near = lambda x, tol, scale: tol is not None and scale is not None and (
            abs(x) <= tol * F(math.ulp(scale)))
        if near(wl - limit, tol_level, scales[1]) or near(ws, tol_slope, scales[0]):
            record(prefix + "_steps_until_ties", 0.0, None, case)
            return
        record(prefix + "_steps_until", math.inf, 0, case)
    else:
        record(prefix + "_steps_until", 0.0, 0, case)


def linear(c):
    w, limit = deque(), F(float(c["limit"]))
    for i, (vt, accepted, slope, level, until) in enumerate(c["steps"]):
        v = float(vt)
        case = {"kind": "linear", "step": i, "capacity": c["capacity"], "limit": c["limit"],
                "got": [slope, level, until]}
        check_accepted("linear", v, accepted, case)
        if valid(v):
            w.append(v)
            if len(w) > c["capacity"]:
                w.popleft()
        n = len(w)
        want = (None, None, None)
        if n >= 2:
            ys = [F(y) for y in w]
            sx, sy = F(n * (n - 1), 2), sum(ys)
            sxx, sxy = F((n - 1) * n * (2 * n - 1), 6), sum(x * y for x, y in enumerate(ys))
            s = (n * sxy - sx * sy) / (n * sxx - sx * sx)
            lvl = (sy - s * sx) / n + s * (n - 1)
            want = (s, lvl, steps_until(lvl, s, limit))
        big = max((abs(y) for y in w), default=0.0) or None
        # Running sums: up to n updates since a refresh, each rounding at a scale up to 16
        # times the window's largest magnitude (the documented refresh rule), in each of two
        # sums: 32n ulps of max |y|. A sketch of the error, not a proven bound.
        line_checks("linear", (slope, level, until), want, (big, big), (32 * n, 32 * n), case,
                    limit)


def trend(c):
    w, limit = deque(), F(float(c["limit"]))
    for i, (vt, accepted, slope, level, until) in enumerate(c["steps"]):
        v = float(vt)
        case = {"kind": "trend", "step": i, "capacity": c["capacity"], "limit": c["limit"],
                "got": [slope, level, until]}
        check_accepted("trend", v, accepted, case)
        if valid(v):
            w.append(v)
            if len(w) > c["capacity"]:
                w.popleft()
        n = len(w)
        want, scale, slope_scale = (None, None, None), None, None
        if n >= 2:
            slopes = sorted((F(w[j]) - F(w[i])) / (j - i) for i in range(n) for j in range(i + 1, n))
            s = median(slopes)
            middle = slopes[(len(slopes) - 1) // 2: len(slopes) // 2 + 1]
            slope_scale = float(max(abs(x) for x in middle)) or None
            # The level on Rust's slope (its error is counted once, in trend_slope).
            rs = fl(slope) if slope is not None else float(s)
            terms = [F(y) + F(rs) * (n - 1 - i) for i, y in enumerate(w)]
            lvl = median(terms)
            # Each term rounds v + round(s d): scale by the larger of its parts.
            scale = float(max(max(abs(F(y)), abs(F(rs) * (n - 1 - i)), abs(t))
                              for i, (y, t) in enumerate(zip(w, terms)))) or None
            want = (s, lvl, steps_until(lvl, F(rs), limit))
        case["window"] = [repr(x) for x in w]
        line_checks("trend", (slope, level, until), want, (slope_scale, scale), (1.5, 1.5), case,
                    limit)


def tail_sum(pmf_at, ratio_up, k, mode, lo, hi):
    """sum of pmf(i) for i >= k, over lo..hi, summing the smaller side from `k` outwards."""
    def walk(start, step, limit):
        total, i, term = mpmath.mpf(0), start, pmf_at(start)
        while (i <= limit if step > 0 else i >= limit):
            total += term
            if term < total * mpmath.mpf(10) ** -45 and (i - mode) * step > 0:
                break
            if i == limit:
                break
            term = term * ratio_up(i) if step > 0 else term / ratio_up(i - 1)
            i += step
        return total
    if k <= lo:
        return mpmath.mpf(1)
    if k > hi:
        return mpmath.mpf(0)
    if k > mode:
        return walk(k, 1, hi)
    return 1 - walk(k - 1, -1, lo)


def tails(c):
    k = c["k"]
    if c["kind"] == "poisson":
        mu = mpmath.mpf(float(c["mean"]))
        pmf = lambda i: mpmath.exp(-mu + i * mpmath.log(mu) - mpmath.loggamma(i + 1))
        exact = tail_sum(pmf, lambda i: mu / (i + 1), k, int(mu), 0, 10**12)
        tol = 1e-11 * 2**52
    else:
        n, p = c["n"], mpmath.mpf(float(c["p"]))
        if p in (0, 1):
            exact = mpmath.mpf(1 if k == 0 or (p == 1 and k <= n) else 0)
        else:
            q = 1 - p
            pmf = lambda i: mpmath.exp(mpmath.loggamma(n + 1) - mpmath.loggamma(i + 1)
                                       - mpmath.loggamma(n - i + 1) + i * mpmath.log(p)
                                       + (n - i) * mpmath.log(q))
            exact = tail_sum(pmf, lambda i: (n - i) / mpmath.mpf(i + 1) * p / q, k,
                             int(n * p), 0, n)
        tol = 1e-9 * 2**52
    got = fl(c["tail"])
    ex = F(int(exact.man)) * F(2) ** int(exact.exp) if exact else F(0)
    # The relative error in ulps (2^52 times it), in ulps of the subnormal grid (2^-1074)
    # below the smallest normal: a tail of 6.6e-320 has only a dozen bits.
    off = math.inf if got is None else float(
        abs(F(got) - ex) / max(ex, F(2) ** -1022) * 2**52)
    record(c["kind"], off, tol, c)


def main():
    kinds = {"baseline": baseline, "seasonal": seasonal, "rolling_max": rolling_max,
             "ewma": ewma, "cusum": cusum, "peaks": peaks, "linear": linear, "trend": trend}
    if mpmath is not None:
        mpmath.mp.dps = 50
        kinds.update(poisson=tails, binomial=tails)
    else:
        print("mpmath not found: the Poisson and binomial tails are skipped")
    for line in sys.stdin:
        c = json.loads(line)
        if c["kind"] in kinds:
            kinds[c["kind"]](c)
    bad = 0
    print(f"{'quantity':<22}{'checked':>9}{'disagree':>9}{'max ulps':>12}  tolerance")
    for name in sorted(stats):
        s = stats[name]
        bad += s["bad"]
        why = TOLERANCE.get(name, (0, "must agree"))[1]
        print(f"{name:<22}{s['cases']:>9}{s['bad']:>9}{s['max']:>12.4g}  {why}")
    for name in sorted(stats):
        if stats[name]["max"] > 0 and "-v" in sys.argv:
            print(name, "worst:", json.dumps(stats[name]["worst"])[:800])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
