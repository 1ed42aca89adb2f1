#!/usr/bin/env python3
"""Writes get_metric_data_100800.cbor: one GetMetricData answer in the Smithy RPC v2 CBOR wire
format the AWS SDK for Rust reads (the format tools/cloudwatch-bridge emits and CloudWatch sends):
100 results (ids q0..q99) of 1,008 one-minute datapoints each, 100,800 datapoints in all, the
per-call maximum. Timestamps are CBOR tag 1 over float64 epoch seconds, values float64.

Deterministic; needs cbor2 (pip install cbor2, or the bridge's venv):
    target/cw-bridge-venv/bin/python benches/data/make_get_metric_data_response.py
"""
import math

import cbor2

START = 1_700_000_000 - 1_700_000_000 % 3600  # an hour boundary; the bench rebases nothing
RESULTS, POINTS = 100, 1008


def main():
    results = []
    for q in range(RESULTS):
        results.append({
            "Id": f"q{q}",
            "Label": f"CPUUtilization i-{q:08}",
            "Timestamps": [cbor2.CBORTag(1, float(START + 60 * i)) for i in range(POINTS)],
            "Values": [40.0 + 25.0 * math.sin((i + q) / 60.0) for i in range(POINTS)],
            "StatusCode": "Complete",
        })
    body = cbor2.dumps({"MetricDataResults": results, "Messages": []})
    with open("get_metric_data_100800.cbor", "wb") as out:
        out.write(body)
    print(f"{len(body)} bytes")


if __name__ == "__main__":
    main()
