#!/usr/bin/env python3
"""Windows of a proxy corpus (make_proxy.py) detected, by kind of anomaly: a window counts as
detected when an alert row falls in it (the scorer's rule; its timing is not weighed here).

usage: by_kind.py ALERTS_CSV PROXY_DIR
"""

import collections
import csv
import datetime as dt
import json
import os
import sys

FMT = "%Y-%m-%d %H:%M:%S"


def main():
    alerts_csv, proxy = sys.argv[1], sys.argv[2]
    windows = json.load(open(os.path.join(proxy, "combined_windows.json")))
    kinds = json.load(open(os.path.join(proxy, "kinds.json")))
    alerts = collections.defaultdict(list)
    with open(alerts_csv) as f:
        for row in csv.DictReader(f):
            alerts[row["file"]].append(dt.datetime.strptime(row["timestamp"][:19], FMT))
    found, total = collections.Counter(), collections.Counter()
    for key, spans in windows.items():
        for (start, end), kind in zip(spans, kinds[key]):
            a, b = dt.datetime.strptime(start[:19], FMT), dt.datetime.strptime(end[:19], FMT)
            total[kind] += 1
            found[kind] += any(a <= t <= b for t in alerts[key])
    for kind in sorted(total):
        print(f"{kind:12} {found[kind]:3} / {total[kind]:3}")
    print(f"{'all':12} {sum(found.values()):3} / {sum(total.values()):3}")


if __name__ == "__main__":
    main()
