#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into fuzz/corpus/<target>/ (deterministic).

Seeds are small valid inputs, so that the fuzzer starts from the formats' real shapes: the
OpenSLO files of this repository, the CloudTrail User Guide's record shapes already in the test
data, CSV heads of the example data, GetMetricData answers in the RPC v2 CBOR wire format
(encoded here by hand: maps, strings, arrays, float64, tag 1 timestamps), GetCostAndUsage,
GetServiceQuota and ListServiceQuotas answers in AWS JSON 1.1 (the shapes of the API
references) and as the targets' decoded-answer bytes, and short push
sequences for the detectors and the streaming evaluator.

    python3 fuzz/make_seeds.py
"""
import gzip
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


def cbor(value):
    """A minimal CBOR encoder for the shapes GetMetricData uses."""
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        if n < 256:
            return bytes([major << 5 | 24, n])
        if n < 65536:
            return bytes([major << 5 | 25]) + struct.pack(">H", n)
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, tuple) and value[0] == "time":
        return bytes([0xC1]) + b"\xfb" + struct.pack(">d", value[1])
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    raise TypeError(value)


def main():
    # OpenSLO: the repository's own example and the test fixtures' shapes.
    with open(os.path.join(ROOT, "docs/examples/checkout.openslo.yaml"), "rb") as f:
        write("openslo_parse", "checkout.yaml", f.read())
    write("openslo_parse", "anchors.yaml", b"a: &x [1, 2]\nb: *x\nc: {<<: {k: v}}\n")
    write("openslo_parse", "minimal-slo.yaml", b"""apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata:
      name: good-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: CloudWatch
            spec:
              metricStat: {metric: {namespace: AWS/ApplicationELB, metricName: RequestCount}, period: 60, stat: Sum}
        total:
          metricSource:
            type: CloudWatch
            spec:
              metricStat: {metric: {namespace: AWS/ApplicationELB, metricName: RequestCount}, period: 60, stat: Sum}
  objectives:
    - displayName: good
      target: 0.999
""")

    # CloudTrail: mode byte, then the input.
    with open(os.path.join(ROOT, "crates/aws-telemetry/tests/data/cloudtrail_documented.json"), "rb") as f:
        documented = f.read()
    record = json.loads(documented)["Records"][0]
    line = json.dumps(record).encode()
    write("cloudtrail", "log-plain", b"\x00" + documented)
    write("cloudtrail", "log-gzip", b"\x01" + documented)
    write("cloudtrail", "log-gzip-raw", b"\x02" + gzip.compress(documented, mtime=0)[2:])
    write("cloudtrail", "lines", b"\x03" + line + b"\n\n" + line + b"\n")
    write("cloudtrail", "record", b"\x04" + line)
    write("cloudtrail", "duplicate-key", b"\x04" + line[:-1] + b',"eventName":"GetObject"}')

    # CSV: heads of the example data, and corner cases.
    with open(os.path.join(ROOT, "examples/data/checkout_30d.csv"), "rb") as f:
        head = b"".join(f.readlines()[:40])
    write("csv_source", "checkout-head.csv", head)
    write("csv_source", "two-columns.csv", b"timestamp,value\n2024-05-01T00:00:00Z,1.5\n2024-05-01T00:01:00Z,2\n")
    write("csv_source", "epoch.csv", b"timestamp,value\n1714521600,1e308\n1714521601,1e308\n")

    # GetMetricData: mode byte (even: raw body with status 200/200/200/400/500/503), CBOR body.
    start = 1_700_000_000 - 1_700_000_000 % 3600
    results = [{
        "Id": f"q{q}",
        "Label": f"CPUUtilization i-{q}",
        "Timestamps": [("time", float(start + 60 * i)) for i in range(5)],
        "Values": [40.0 + i for i in range(5)],
        "StatusCode": "Complete",
    } for q in range(3)]
    write("get_metric_data", "answer", b"\x00" + cbor({"MetricDataResults": results, "Messages": []}))
    partial = dict(results[0], StatusCode="PartialData")
    write("get_metric_data", "partial-next-token", b"\x00" + cbor({"MetricDataResults": [partial], "NextToken": "t1"}))
    write("get_metric_data", "bad-request", b"\x06" + cbor({"__type": "InvalidParameterValueException", "message": "bad"}))
    write("get_metric_data", "throttled", b"\x0a" + cbor({"__type": "Throttling", "message": "Rate exceeded"}))
    write("get_metric_data", "decoded", b"\x01\x03\x00\x04\x01\x02\x03\x04\x01\x09\x00\x01\x05\x06\x07\x00\x00\x00")

    # GetCostAndUsage: mode byte (even: raw AWS JSON 1.1 body with status
    # 200/200/200/400/500/503), the range (first day 2026-11-01 plus a byte, length 1 + a
    # byte % 62 days: here 2026-11-01..2026-11-04), then the body or the decoded pages.
    def result(day, amount, unit="USD", estimated=False):
        return {"TimePeriod": {"Start": f"2026-11-{day:02}", "End": f"2026-11-{day + 1:02}"},
                "Total": {"UnblendedCost": {"Amount": amount, "Unit": unit}},
                "Groups": [], "Estimated": estimated}
    ce = lambda mode, body: bytes([mode, 0, 2]) + json.dumps(body).encode()
    write("costexplorer", "page-with-token", ce(0, {
        "GroupDefinitions": [], "DimensionValueAttributes": [], "NextPageToken": "page-2",
        "ResultsByTime": [result(1, "96.4213370154"), result(2, "101.07")]}))
    write("costexplorer", "answer", ce(0, {"ResultsByTime": [
        result(3, "0", estimated=True), result(1, "-1.5"), result(1, "-1.5")]}))
    write("costexplorer", "bad-amount", ce(0, {"ResultsByTime": [result(1, "lots")]}))
    no_unit = result(1, "5")
    del no_unit["Total"]["UnblendedCost"]["Unit"]
    write("costexplorer", "no-unit", ce(0, {"ResultsByTime": [no_unit]}))
    write("costexplorer", "month", ce(0, {"ResultsByTime": [
        dict(result(1, "300"), TimePeriod={"Start": "2026-11-01", "End": "2026-12-01"})]}))
    write("costexplorer", "throttled", ce(6, {"__type": "LimitExceededException",
                                              "Message": "You have exceeded the rate limit."}))
    write("costexplorer", "unavailable", ce(8, {"__type": "DataUnavailableException"}))
    # Decoded: page count, then per page its results (period: present, day offset, length 1,
    # dates written plainly; estimated or not; UnblendedCost of "N.NN" USD; no groups) and its token
    # (0: none, 4: "t1").
    def day_result(day, units, cents, estimated=False):
        return bytes([1, day, 4, 8, 8, 0 if estimated else 1, 4, 19, units, cents, 5, 0])
    write("costexplorer", "decoded", bytes([1, 0, 2, 0, 3])
          + day_result(0, 96, 42) + day_result(1, 101, 7) + day_result(2, 0, 0, estimated=True) + bytes([0]))
    write("costexplorer", "decoded-pages", bytes([1, 0, 2, 1, 1]) + day_result(0, 5, 0)
          + bytes([4, 2]) + day_result(1, 7, 50) + day_result(0, 5, 0) + bytes([0]))
    write("costexplorer", "decoded-token-twice", bytes([1, 0, 2, 1, 1]) + day_result(0, 5, 0)
          + bytes([4, 1]) + day_result(1, 7, 50) + bytes([4]))

    # Service Quotas: mode byte (bit 0: decoded, bit 1: ListServiceQuotas; raw status
    # 200/200/200/400/500/503 by mode / 4), the codes asked for (0: ec2/L-1216C47A,
    # 1: lambda/L-B99A9384, 2: EC2/l-1216c47a), then the body or the decoded answer.
    vcpu = {"Adjustable": True, "GlobalQuota": False,
            "QuotaArn": "arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A",
            "QuotaCode": "L-1216C47A",
            "QuotaName": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
            "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
            "Unit": "None", "Value": 1152.0, "QuotaAppliedAtLevel": "ACCOUNT",
            "UsageMetric": {"MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
                            "MetricDimensions": {"Class": "Standard/OnDemand", "Resource": "vCPU",
                                                 "Service": "EC2", "Type": "Resource"},
                            "MetricStatisticRecommendation": "Maximum"}}
    lambda_quota = {"ServiceCode": "lambda", "QuotaCode": "L-B99A9384",
                    "QuotaName": "Concurrent executions", "Value": 1000.0, "Unit": "None",
                    "Adjustable": True, "GlobalQuota": False,
                    "UsageMetric": {"MetricNamespace": "AWS/Lambda",
                                    "MetricName": "ConcurrentExecutions", "MetricDimensions": {}}}
    sq = lambda mode, asked, body: bytes([mode, asked]) + json.dumps(body).encode()
    write("servicequotas", "quota", sq(0, 0, {"Quota": vcpu}))
    write("servicequotas", "quota-other-case", sq(0, 2, {"Quota": vcpu}))
    write("servicequotas", "quota-other", sq(0, 0, {"Quota": lambda_quota}))
    write("servicequotas", "not-found", sq(12, 0, {"__type": "NoSuchResourceException",
                                                   "message": "The request failed because the specified resource does not exist."}))
    write("servicequotas", "throttled", sq(12, 1, {"__type": "TooManyRequestsException",
                                                   "message": "Rate exceeded"}))
    write("servicequotas", "list-next-token", sq(2, 1, {"NextToken": "p2", "Quotas": [lambda_quota]}))
    write("servicequotas", "list", sq(2, 0, {"Quotas": [vcpu, dict(vcpu, QuotaCode="L-34B43A08", Value=5.0)]}))
    write("servicequotas", "list-denied", sq(14, 0, {"__type": "AccessDeniedException", "message": "no"}))
    # Decoded: the quota (codes as asked, named, 1152, unit "None", adjustable, usage metric
    # AWS/Usage ResourceCount Maximum with one dimension), or list pages of such quotas.
    quota = bytes([7, 7, 2, 1, 5, 2, 0, 1, 1, 2, 2, 2, 1, 5]) + b"Class" + bytes([8]) + b"Standard"
    write("servicequotas", "decoded-quota", bytes([1, 0, 1]) + quota)
    write("servicequotas", "decoded-quota-empty", bytes([1, 0, 0]))
    write("servicequotas", "decoded-list", bytes([3, 1, 1, 2]) + quota + quota + bytes([4, 1]) + quota + bytes([0]))
    write("servicequotas", "decoded-list-token-twice", bytes([3, 0, 1, 1]) + quota + bytes([4, 1]) + quota + bytes([4]))

    # Detectors: the detector byte, then observations (time step, values).
    for which in range(10):
        steady = bytes([which]) + bytes([5, 8, 100, 8, 1]) * 40 + bytes([5, 8, 100, 8, 90]) * 10
        write("detectors", f"detector-{which}", steady)
    write("detectors", "anomaly-extremes", bytes([9]) + bytes([3, 4, 8, 100, 0, 1]) * 30)

    # The timed anomaly detector: the period, first time and configuration bytes, then (time
    # step, value) per point; a step byte of 250 or more starts a batch for `detect`.
    point = lambda step, v: bytes([step, 11, v])
    steady = b"".join(point(1, 40 + i % 5) for i in range(60))
    write("timed_anomaly", "steady-spike", bytes([5, 0, 2]) + steady + point(1, 250) + steady)
    write("timed_anomaly", "gaps", bytes([4, 7, 3]) + b"".join(
        point(1, 40) + bytes([6, 3, 11, 41]) + point(9, 40) + point(8, 40) for _ in range(30)))
    write("timed_anomaly", "batches", bytes([5, 0, 4]) + steady + (bytes([255]) + steady[:36]) * 4)
    write("timed_anomaly", "default-day", bytes([5, 0, 0]) + b"".join(
        point(1, 40 + i % 7) for i in range(400)) + point(1, 255))
    write("timed_anomaly", "ends", bytes([0, 3, 5]) + steady[:30] + point(12, 40) + point(13, 40)
          + bytes([15]) + struct.pack("<q", 2**62) + bytes([11, 40]) + point(1, 40))
    # A leap second (2016-12-31 23:59:60) and then the second after it, which chrono orders
    # after it at no distance.
    write("timed_anomaly", "leap-second", bytes([4, 8, 0, 0, 11, 5, 9, 11, 5]))
    write("timed_anomaly", "leap-second-refused-value", bytes([0, 8, 0, 0, 11, 5, 9, 0]))

    # Streaming evaluator: three setup bytes, then (gap, total, bad share) per point.
    calm = bytes([0, 0, 1]) + bytes([0, 200, 0]) * 300
    write("streaming_evaluator", "calm", calm)
    write("streaming_evaluator", "burst", calm + bytes([0, 200, 255]) * 30 + bytes([0, 200, 0]) * 60)
    write("streaming_evaluator", "gaps", bytes([5, 2, 8]) + bytes([0, 50, 10, 12, 80, 100, 14, 9, 200, 15, 1, 0]) * 20)

    # OpenSLO compiled for every engine: the repository's examples and the official OpenSLO
    # examples kept as test fixtures (compiled leniently, as the target does).
    compile_sources = [
        "docs/examples/checkout.openslo.yaml",
        "docs/examples/checkout.prometheus.openslo.yaml",
        "crates/slo-compiler/tests/data/checkout.openslo.yaml",
        "crates/slo-compiler/tests/data/checkout.prometheus.openslo.yaml",
    ]
    official = os.path.join(ROOT, "crates/sli-core/tests/fixtures/openslo/official")
    compile_sources += [
        os.path.join(official, f) for f in sorted(os.listdir(official)) if f.endswith(".yaml")
    ]
    for source in compile_sources:
        with open(os.path.join(ROOT, source), "rb") as f:
            name = os.path.relpath(os.path.join(ROOT, source), ROOT).replace("/", "-")
            write("openslo_compile", name, f.read())
    # A service name no dashboard name or uid takes as it is (derived names).
    with open(os.path.join(ROOT, "docs/examples/checkout.prometheus.openslo.yaml"), "rb") as f:
        text = f.read()
    write("openslo_compile", "long-service.yaml", text.replace(b"service: checkout", b"service: payments-authorization-gateway-eu-west-1-blue"))

    # Detector configurations: the detector byte, a byte per setting (1: keep the default,
    # 0: change it, then its value), then the observations of the detector seeds.
    settings = [11, 12, 11, 9, 10, 11, 11, 10, 11, 11]
    for which in range(10):
        steady = bytes([5, 8, 100, 8, 1]) * 40 + bytes([5, 8, 100, 8, 90]) * 10
        write("detector_configs", f"defaults-{which}", bytes([which]) + bytes([1]) * settings[which] + steady)
        write("detector_configs", f"first-zero-{which}", bytes([which, 0, 6]) + bytes([1]) * (settings[which] - 1) + steady)
    # F8 with a one-off charge declared (byte 0, day 2 ahead, 200) before its readings.
    write("detector_configs", "one-off", bytes([7]) + bytes([1]) * 10 + bytes([0, 4, 8, 200]) + bytes([1, 5, 8, 100]) * 60)

    # sli-core's serde types: the type byte (see sli_serde.rs), then JSON that sli-core 0.1
    # writes for valid values (printed by serde_json::to_string), and a few variants.
    serde_seeds = [
        ('slo-policy', 0, '[{"name":"checkout","objective":0.999,"window":{"rolling":"30d"},"sli":{"kind":"event_ratio"},"budgeting":{"method":"Occurrences"},"missing_data":"skip","min_events":0.0},{"tiers":[{"id":"page-fast","severity":"page","long_window":"1h","short_window":"5m","threshold":{"budget_consumed":0.02},"enabled":true},{"id":"page-slow","severity":"page","long_window":"6h","short_window":"30m","threshold":{"budget_consumed":0.05},"enabled":true},{"id":"ticket-fast","severity":"ticket","long_window":"1d","short_window":"2h","threshold":{"budget_consumed":0.1},"enabled":true},{"id":"ticket-slow","severity":"ticket","long_window":"3d","short_window":"6h","threshold":{"budget_consumed":0.1},"enabled":true}],"partial_windows":"no_data"}]'),
        ('slo-policy-default', 0, '[{"name":"cal","objective":0.995,"window":{"calendar":{"period":"month","zone":"UTC"}},"sli":{"kind":"event_ratio"},"budgeting":{"method":"Occurrences"},"missing_data":"bad","min_events":10.0},{"tiers":[{"id":"page-fast","severity":"page","long_window":"1h","short_window":"5m","threshold":{"budget_consumed":0.02},"enabled":true},{"id":"page-slow","severity":"page","long_window":"6h","short_window":"30m","threshold":{"budget_consumed":0.05},"enabled":true},{"id":"ticket-fast","severity":"ticket","long_window":"1d","short_window":"2h","threshold":{"budget_consumed":0.1},"enabled":true},{"id":"ticket-slow","severity":"ticket","long_window":"3d","short_window":"6h","threshold":{"budget_consumed":0.1},"enabled":true}],"partial_windows":"no_data"}]'),
        ('slo', 1, '{"name":"cal","objective":0.995,"window":{"calendar":{"period":"month","zone":"UTC"}},"sli":{"kind":"event_ratio"},"budgeting":{"method":"Occurrences"},"missing_data":"bad","min_events":10.0}'),
        ('policy', 2, '{"tiers":[{"id":"page-fast","severity":"page","long_window":"1h","short_window":"5m","threshold":{"budget_consumed":0.02},"enabled":true},{"id":"page-slow","severity":"page","long_window":"6h","short_window":"30m","threshold":{"budget_consumed":0.05},"enabled":true},{"id":"ticket-fast","severity":"ticket","long_window":"1d","short_window":"2h","threshold":{"budget_consumed":0.1},"enabled":true},{"id":"ticket-slow","severity":"ticket","long_window":"3d","short_window":"6h","threshold":{"budget_consumed":0.1},"enabled":true}],"partial_windows":"evaluate"}'),
        ('maintenance', 3, '{"windows":[{"start":"2026-01-01T02:00:00Z","end":"2026-01-01T03:00:00Z"}],"recurring":[{"days":["sunday"],"start":"02:00","duration":"1h","zone":"Etc/GMT-1"}]}'),
        ('composite', 4, '{"components":[[{"name":"checkout","objective":0.999,"window":{"rolling":"30d"},"sli":{"kind":"event_ratio"},"budgeting":{"method":"Occurrences"},"missing_data":"skip","min_events":0.0},2.0],[{"name":"cal","objective":0.995,"window":{"calendar":{"period":"month","zone":"UTC"}},"sli":{"kind":"event_ratio"},"budgeting":{"method":"Occurrences"},"missing_data":"bad","min_events":10.0},1.0]]}'),
        ('release-gate', 5, '{"burn_rate":4.0,"sustain":"10m"}'),
        ('deploy', 6, '{"id":"d-1","service":"checkout","started":"2026-01-01T01:00:00Z","rollout":{"kind":"direct"},"outcome":{"kind":"unknown"}}'),
        ('window', 7, '{"rolling":"28d"}'),
        ('calendar-window', 8, '{"period":"week","zone":"Etc/GMT-1"}'),
        ('interval', 9, '{"start":"2026-01-01T02:00:00Z","end":"2026-01-01T03:00:00Z"}'),
        ('zone', 10, '"Etc/GMT-1"'),
        ('sustained', 11, '{"datapoints_to_alarm":3,"evaluation_periods":5}'),
        ('alert-group', 12, '{"key":"api","severity":"page","start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z","alerts":[{"tier":"fast","severity":"page","start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z","long_burn":null,"short_burn":null,"peak_burn":null,"threshold":0.0,"budget_fraction":0.0,"time_to_exhaustion_seconds":null,"suppressed":false}]}'),
        ('routing', 13, '{"owner":"payments"}'),
        ('error-budget-policy', 14, '{"freeze_burn_rate":4.0,"sustained_for":"1h","freeze_when_exhausted":true,"max_sample_gap":"5m","freeze_on_security":false}'),
        ('objective', 15, '0.999'),
        ('calendar-window-paris', 8, '{"period":"month","zone":"Europe/Paris"}'),
        ('zone-new-york', 10, '"America/New_York"'),
        ('burn-rate', 15, '14.4'),
    ]
    for name, which, text in serde_seeds:
        write("sli_serde", name, bytes([which]) + text.encode())
    # RDS max_connections formulas (the engines' defaults and the documented shapes): the
    # memory byte, then "class\nformula".
    formulas = [
        "{DBInstanceClassMemory/12582880}",
        "LEAST({DBInstanceClassMemory/9531392},5000)",
        "GREATEST({log(DBInstanceClassMemory/805306368)*45},100)",
        "250",
        "GREATEST({DBInstanceClassMemory/9531392},1000)",
        "LEAST({DBInstanceClassMemory/9531392},{DBInstanceClassMemory/12582880})",
        "{(DBInstanceClassMemory - 1073741824) / 25165824}",
    ]
    for i, formula in enumerate(formulas):
        write("rds_formula", f"formula-{i}", b"\x00db.r6g.large\n" + formula.encode())
    write("rds_formula", "small-class", b"\x00db.t3.micro\n" + formulas[0].encode())


if __name__ == "__main__":
    main()
