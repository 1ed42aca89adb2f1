#!/usr/bin/env python3
"""Recompute sli-core's calendar and rolling windows from their definitions and compare.

Reads the JSON lines `cargo run -p sli-core --example differential_windows` writes.

Definitions (docs of `sli_core::CalendarWindow`):
* the local starts of a calendar window are `anchor + k * count * unit` for every integer k
  (unit a day, 7 days, or 1, 3, 12 months added to the anchor with the day clamped to the
  month's last day, as chrono's `checked_add_months` does); default anchor 2024-01-01 00:00;
* a local start names an instant by RFC 5545 "compatible" disambiguation: the earlier of two
  in a fold, the offset before the change in a gap — Python's `fold=0` (PEP 495);
* the window containing instant t is [I_k, I_{k+1}) with I_k <= t < I_{k+1};
* minutes and hours are fixed steps of 60 s and 3600 s from the anchor's instant;
* a rolling window of span s at t is [t - s, t).

The comparison uses the system's tz database through `zoneinfo`; the script prints its
version and chrono-tz's (the example's first line) and stops when they differ.
"""

import calendar
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1)


def tz_for(name):
    if name == "UTC":
        return UTC
    if name[0] in "+-":
        sign = -1 if name[0] == "-" else 1
        h, m = int(name[1:3]), int(name[4:6])
        return timezone(sign * timedelta(hours=h, minutes=m))
    return ZoneInfo(name)


def instant(local, tz):
    """Seconds since the epoch of a naive local time, RFC 5545 'compatible'."""
    return int(local.replace(tzinfo=tz, fold=0).timestamp())


def add_months(dt, n):
    y, m0 = divmod(dt.month - 1 + n, 12)
    year = dt.year + y
    day = min(dt.day, calendar.monthrange(year, m0 + 1)[1])
    return dt.replace(year=year, month=m0 + 1, day=day)


def local_start(period, count, anchor, k):
    if period == "d":
        return anchor + timedelta(days=k * count)
    if period == "w":
        return anchor + timedelta(days=7 * k * count)
    months = {"M": 1, "Q": 3, "Y": 12}[period]
    return add_months(anchor, k * months * count)


def calendar_window(case):
    tz = tz_for(case["zone"])
    anchor = (datetime.fromisoformat(case["anchor"]) if case["anchor"]
              else datetime(2024, 1, 1))
    period, count, at = case["period"], case["count"], case["at"]
    if period in "mh":
        step = (60 if period == "m" else 3600) * count
        origin = instant(anchor, tz)
        start = origin + (at - origin) // step * step
        return [start, start + step]
    start_of = lambda k: instant(local_start(period, count, anchor, k), tz)
    # A guess from the UTC distance, then the definition decides.
    approx = {"d": 86400, "w": 7 * 86400, "M": 2629746, "Q": 7889238, "Y": 31556952}[period]
    k = (at - int(anchor.replace(tzinfo=UTC).timestamp())) // (approx * count)
    while start_of(k) > at:
        k -= 1
    while start_of(k + 1) <= at:
        k += 1
    return [start_of(k), start_of(k + 1)]


def main():
    try:
        with open("/usr/share/zoneinfo/tzdata.zi") as f:
            version = f.readline().strip()
    except OSError:
        version = "unknown"
    print(f"python {sys.version.split()[0]}, system tzdata {version}")
    compared = {"calendar": 0, "rolling": 0}
    bad = []
    for line in sys.stdin:
        case = json.loads(line)
        kind = case["kind"]
        if kind == "meta":
            print(f"chrono-tz tzdata {case['tzdata']}")
            if case["tzdata"] not in version:
                sys.exit(f"tz databases differ ({case['tzdata']} vs {version}): not comparable")
            continue
        if kind == "rolling":
            want = [case["at"] - case["span"], case["at"]]
        else:
            try:
                want = calendar_window(case)
            except (OverflowError, ValueError) as e:
                want = f"python: {e}"
        compared[kind] += 1
        got = case["got"]
        ok = got == want
        if kind == "calendar" and isinstance(got, list) and not (got[0] <= case["at"] < got[1]):
            ok = False
        if not ok:
            bad.append((case, want))
    print(f"compared {compared}, disagreements {len(bad)}")
    for case, want in bad[:40]:
        fmt = lambda s: datetime.fromtimestamp(s, UTC).isoformat() if isinstance(s, int) else s
        got = case["got"]
        print(json.dumps(case))
        print("   at   ", fmt(case["at"]))
        print("   got  ", [fmt(x) for x in got] if isinstance(got, list) else got)
        print("   want ", [fmt(x) for x in want] if isinstance(want, list) else want)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
