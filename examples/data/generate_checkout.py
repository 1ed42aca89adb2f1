#!/usr/bin/env python3
"""Writes checkout_30d.csv: 30 days of per-minute request counts of a synthetic but realistic
checkout service, the data the `slo_report` example embeds.

Deterministic (fixed seed, standard library only): re-running it reproduces the file byte for
byte. Columns: timestamp (RFC 3339, UTC), good, total.

The service: about 1,200 requests a minute at the daily peak (14:00 UTC) and 250 at night,
10 % less on weekends, Poisson-like noise, a background error rate of 0.02 % (burn 0.2 against
99.9 %). Two incidents, listed in INCIDENTS and printed by the example:
* day 17, 14:05-14:30: a bad deploy fails 8 % of requests (80x burn: should page);
* day 23 05:00 to day 24 01:00: a degraded dependency fails 0.5 % of requests (5x for 20 hours,
  14 % of the month's budget: should ticket, not page).
"""
import datetime as dt
import math
import random

START = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
MINUTES = 30 * 1440
INCIDENTS = [
    (17 * 1440 + 14 * 60 + 5, 17 * 1440 + 14 * 60 + 30, 0.08),
    (23 * 1440 + 5 * 60, 24 * 1440 + 1 * 60, 0.005),
]


def poisson(rng, lam):
    # Normal approximation is fine at these rates; clamp at zero.
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def main():
    rng = random.Random(20240501)
    with open("checkout_30d.csv", "w") as out:
        out.write("timestamp,good,total\n")
        for m in range(MINUTES):
            at = START + dt.timedelta(minutes=m)
            hour = (m % 1440) / 60.0
            daily = 0.5 + 0.5 * math.cos((hour - 14.0) / 24.0 * 2 * math.pi)
            weekend = 0.9 if at.weekday() >= 5 else 1.0
            total = poisson(rng, (250 + 950 * daily) * weekend)
            error_rate = 0.0002
            for begin, end, rate in INCIDENTS:
                if begin <= m < end:
                    error_rate = rate
            bad = min(total, poisson(rng, total * error_rate)) if total else 0
            out.write(f"{at.strftime('%Y-%m-%dT%H:%M:%SZ')},{total - bad},{total}\n")


if __name__ == "__main__":
    main()
