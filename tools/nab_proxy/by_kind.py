#!/usr/bin/env python3
"""Windows of proxy corpora (make_proxy.py) found, by kind of anomaly: a window counts as found
when an alert falls in it at or after its anomaly's onset. NAB's windows are centred on the
onset, so the scorer also credits an alert before it; an injected anomaly has no early sign,
so such an alert is the background's, and is not counted here.

usage: by_kind.py ALERTS_CSV PROXY_DIR [ALERTS_CSV PROXY_DIR ...]
"""

import collections
import csv
import datetime as dt
import json
import os
import sys

FMT = "%Y-%m-%d %H:%M:%S"


def read_json(path):
    with open(path) as f:
        return json.load(f)


def count(alerts_csv, proxy, found, total):
    windows = read_json(os.path.join(proxy, "combined_windows.json"))
    onsets = read_json(os.path.join(proxy, "combined_labels.json"))
    kinds = read_json(os.path.join(proxy, "kinds.json"))
    alerts = collections.defaultdict(list)
    with open(alerts_csv) as f:
        for row in csv.DictReader(f):
            alerts[row["file"]].append(dt.datetime.strptime(row["timestamp"][:19], FMT))
    for key, spans in windows.items():
        for (_, end), onset, kind in zip(spans, onsets[key], kinds[key]):
            start = dt.datetime.strptime(onset[:19], FMT)
            end = dt.datetime.strptime(end[:19], FMT)
            total[kind] += 1
            found[kind] += any(start <= t <= end for t in alerts[key])


def main():
    args = sys.argv[1:]
    if not args or len(args) % 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    found, total = collections.Counter(), collections.Counter()
    for alerts_csv, proxy in zip(args[::2], args[1::2]):
        count(alerts_csv, proxy, found, total)
    for kind in sorted(total):
        print(f"{kind:12} {found[kind]:3} / {total[kind]:3}")
    print(f"{'all':12} {sum(found.values()):3} / {sum(total.values()):3}")


if __name__ == "__main__":
    main()
