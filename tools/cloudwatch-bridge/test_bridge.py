#!/usr/bin/env python3
"""End-to-end test of bridge.py against a real moto server.

Starts ``moto.server`` and ``bridge.py`` on free 127.0.0.1 ports, then drives
the bridge with RPC v2 CBOR requests built byte for byte the way
``aws-sdk-cloudwatch`` (Rust, smithy-rs ``aws-smithy-cbor``) sends them:

* ``POST /service/GraniteServiceVersion20100801/operation/<Op>``
* headers ``smithy-protocol: rpc-v2-cbor``, ``content-type: application/cbor``,
  ``accept: application/cbor``, ``x-amzn-query-mode: true`` (CloudWatch is
  awsQueryCompatible), SigV4 ``authorization`` for service ``monitoring``;
  ``content-encoding: gzip`` for compressed PutMetricData bodies;
* structures as indefinite-length maps (``0xbf ... 0xff``), lists as definite
  arrays, doubles as float64, timestamps as tag 1 over a float64.

Responses are decoded with a small strict decoder (below) that keeps CBOR tags,
so the test can check that timestamps come back as tag 1 over a float, the
only form the Rust decoder accepts.

A second part uses botocore itself speaking ``smithy-rpc-v2-cbor`` (forced via
a patched copy of the service model) and an S3 client through the same
endpoint (pass-through).

Run:  python -m pytest tools/cloudwatch-bridge
  or: python tools/cloudwatch-bridge/test_bridge.py
"""

from __future__ import annotations

import concurrent.futures
import gzip
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path
from typing import Any, NamedTuple

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
BRIDGE = HERE / "bridge.py"
REGION = "us-east-1"
CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


# --------------------------------------------------------------------------
# CBOR as the Rust SDK writes it, and a tag-preserving decoder
# --------------------------------------------------------------------------


class Ts(NamedTuple):
    """A timestamp member: encoded as tag 1 over a float64 (Rust SDK style)."""

    seconds: float


class Tagged(NamedTuple):
    tag: int
    value: Any


def rust_cbor(value: Any) -> bytes:
    out = bytearray()

    def head(major: int, n: int) -> None:
        if n < 24:
            out.append(major << 5 | n)
        elif n < 0x100:
            out.extend((major << 5 | 24, n))
        elif n < 0x10000:
            out.append(major << 5 | 25)
            out.extend(struct.pack(">H", n))
        elif n < 0x100000000:
            out.append(major << 5 | 26)
            out.extend(struct.pack(">I", n))
        else:
            out.append(major << 5 | 27)
            out.extend(struct.pack(">Q", n))

    def enc(v: Any) -> None:
        if isinstance(v, Ts):
            out.append(0xC1)  # tag 1
            out.append(0xFB)
            out.extend(struct.pack(">d", float(v.seconds)))
        elif isinstance(v, dict):  # structure: indefinite map (Encoder::begin_map)
            out.append(0xBF)
            for k, item in v.items():
                enc(k)
                enc(item)
            out.append(0xFF)
        elif isinstance(v, list):
            head(4, len(v))
            for item in v:
                enc(item)
        elif isinstance(v, bool):
            out.append(0xF5 if v else 0xF4)
        elif isinstance(v, int):
            if v >= 0:
                head(0, v)
            else:
                head(1, -1 - v)
        elif isinstance(v, float):
            out.append(0xFB)
            out.extend(struct.pack(">d", v))
        elif isinstance(v, str):
            raw = v.encode("utf-8")
            head(3, len(raw))
            out.extend(raw)
        elif isinstance(v, (bytes, bytearray)):
            head(2, len(v))
            out.extend(v)
        elif v is None:
            out.append(0xF6)
        else:
            raise TypeError(type(v))

    enc(value)
    return bytes(out)


class _Break:
    pass


_BREAK = _Break()


def decode_cbor(data: bytes) -> Any:
    """Strict CBOR decoder keeping tags as ``Tagged``; whole input must be used."""
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(data):
            raise ValueError("truncated CBOR")
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def arg(ai: int) -> int | None:
        if ai < 24:
            return ai
        if ai == 24:
            return take(1)[0]
        if ai == 25:
            return struct.unpack(">H", take(2))[0]
        if ai == 26:
            return struct.unpack(">I", take(4))[0]
        if ai == 27:
            return struct.unpack(">Q", take(8))[0]
        if ai == 31:
            return None
        raise ValueError(f"bad additional info {ai}")

    def item() -> Any:
        ib = take(1)[0]
        major, ai = ib >> 5, ib & 0x1F
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai in (22, 23):
                return None
            if ai == 25:
                return struct.unpack(">e", take(2))[0]
            if ai == 26:
                return struct.unpack(">f", take(4))[0]
            if ai == 27:
                return struct.unpack(">d", take(8))[0]
            if ai == 31:
                return _BREAK
            raise ValueError(f"unsupported simple value {ai}")
        n = arg(ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                parts = []
                while (p := item()) is not _BREAK:
                    parts.append(p)
                return (b"" if major == 2 else "").join(parts)
            raw = take(n)
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            if n is None:
                arr = []
                while (v := item()) is not _BREAK:
                    arr.append(v)
                return arr
            return [item() for _ in range(n)]
        if major == 5:
            res = {}
            if n is None:
                while (k := item()) is not _BREAK:
                    res[k] = item()
            else:
                for _ in range(n):
                    k = item()
                    res[k] = item()
            return res
        if major == 6:
            return Tagged(n, item())
        raise ValueError("unreachable")

    value = item()
    if pos != len(data):
        raise ValueError(f"trailing bytes after CBOR item ({len(data) - pos})")
    return value


# --------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
            return
        except OSError as exc:
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout}s: {last!r}")


class Stack:
    """moto server + bridge on free ports."""

    def __init__(self) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="cw-bridge-test-")
        self.moto_port = free_port()
        self.moto_log = open(os.path.join(self.tmp.name, "moto.log"), "wb")
        self.moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.moto_port)],
            stdout=self.moto_log, stderr=subprocess.STDOUT,
        )
        try:
            wait_http(self.moto_port, "/moto-api/")
            self.bridge, self.port = self.start_bridge()
        except Exception:
            self.close()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def start_bridge(self, *extra: str):
        port_file = os.path.join(self.tmp.name, f"bridge-{uuid.uuid4().hex}.port")
        proc = subprocess.Popen(
            [sys.executable, str(BRIDGE), "--port", "0", "--port-file", port_file,
             "--moto-url", f"http://127.0.0.1:{self.moto_port}", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if proc.poll() is not None:
                raise RuntimeError("bridge exited: " + proc.stderr.read().decode())
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("bridge did not start within 30s")
            time.sleep(0.05)
        port = int(open(port_file).read())
        return proc, port

    def close(self) -> None:
        for proc in (getattr(self, "bridge", None), self.moto):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for stream in (getattr(proc, "stdout", None), getattr(proc, "stderr", None)):
                if stream is not None:
                    stream.close()
        self.moto_log.close()
        self.tmp.cleanup()


STACK: Stack | None = None


def setUpModule() -> None:  # noqa: N802 - unittest API
    global STACK
    STACK = Stack()


def tearDownModule() -> None:  # noqa: N802 - unittest API
    if STACK is not None:
        STACK.close()


# --------------------------------------------------------------------------
# an SDK-shaped CBOR call
# --------------------------------------------------------------------------


class Reply(NamedTuple):
    status: int
    headers: dict
    raw: bytes
    body: Any


def cw_call(op: str, params: Any, *, compress: bool = False, raw_body: bytes | None = None,
            port: int | None = None) -> Reply:
    port = port or STACK.port
    body = raw_body if raw_body is not None else rust_cbor(params)
    headers = {
        "content-type": "application/cbor",
        "smithy-protocol": "rpc-v2-cbor",
        "accept": "application/cbor",
        "x-amzn-query-mode": "true",
        "amz-sdk-invocation-id": str(uuid.uuid4()),
        "amz-sdk-request": "attempt=1; max=3",
        "user-agent": "aws-sdk-rust/1.100.0 os/linux lang/rust/1.90.0",
        "x-amz-user-agent": "aws-sdk-rust/1.100.0 api/cloudwatch/1.100.0",
    }
    if compress:
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    url = f"http://127.0.0.1:{port}{CBOR_PREFIX}{op}"
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials("testing", "testing"), "monitoring", REGION).add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", CBOR_PREFIX + op, body=body, headers=dict(req.headers.items()))
        resp = conn.getresponse()
        raw = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    decoded = decode_cbor(raw) if raw else None
    return Reply(resp.status, hdrs, raw, decoded)


def minute_base() -> int:
    """Start of a whole minute ten minutes ago."""
    return int(time.time() // 60 * 60) - 600


def assert_ts(test: unittest.TestCase, value: Any, expected: float | None = None) -> float:
    test.assertIsInstance(value, Tagged, f"not a CBOR tag: {value!r}")
    test.assertEqual(value.tag, 1)
    test.assertIsInstance(value.value, float, "timestamp must be tag 1 over a float")
    if expected is not None:
        test.assertAlmostEqual(value.value, expected, places=3)
    return value.value


# --------------------------------------------------------------------------
# tests: hand-built SDK requests
# --------------------------------------------------------------------------


class RustStyleCborTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        cls.ns = f"Bridge/Test/{uuid.uuid4().hex[:8]}"
        cls.base = minute_base()
        ns, base = cls.ns, cls.base

        def dims(host: str) -> list:
            return [{"Name": "service", "Value": "api"}, {"Name": "host", "Value": host}]

        cls.dims = staticmethod(dims)
        # series A (host=a), plain body: minute 0 -> 10, 20 ; minute 1 -> 30
        plain = {
            "Namespace": ns,
            "MetricData": [
                {"MetricName": "Latency", "Dimensions": dims("a"), "Timestamp": Ts(base + 0.0),
                 "Value": 10.0, "Unit": "Milliseconds"},
                {"MetricName": "Latency", "Dimensions": dims("a"), "Timestamp": Ts(base + 10.5),
                 "Value": 20.0, "Unit": "Milliseconds"},
                {"MetricName": "Latency", "Dimensions": dims("a"), "Timestamp": Ts(base + 61.0),
                 "Value": 30.0, "Unit": "Milliseconds"},
            ],
        }
        cls.put_plain = cw_call("PutMetricData", plain)
        # series B (host=b), gzip'd body large enough that the SDK would compress it:
        # 300 datums in minute 0 with values 0..299
        big = {
            "Namespace": ns,
            "MetricData": [
                {"MetricName": "Latency", "Dimensions": dims("b"),
                 "Timestamp": Ts(base + (i % 60) + 0.25), "Value": float(i),
                 "Unit": "Milliseconds", "StorageResolution": 60}
                for i in range(300)
            ],
        }
        cls.big_len = len(rust_cbor(big))
        cls.put_gzip = cw_call("PutMetricData", big, compress=True)
        # series C (Errors), with Values/Counts arrays in minute 1
        arrays = {
            "Namespace": ns,
            "MetricData": [
                {"MetricName": "Errors", "Dimensions": dims("a"), "Timestamp": Ts(base + 70.0),
                 "Values": [1.0, 4.0], "Counts": [2.0, 1.0], "Unit": "Count"},
            ],
        }
        cls.put_arrays = cw_call("PutMetricData", arrays)

    def test_put_metric_data_plain_and_gzip(self):
        self.assertGreater(self.big_len, 10240, "gzip case should be above the SDK's 10 KiB threshold")
        for reply in (self.put_plain, self.put_gzip, self.put_arrays):
            self.assertEqual(reply.status, 200, reply.raw)
            self.assertEqual(reply.headers.get("smithy-protocol"), "rpc-v2-cbor")
            # PutMetricData has no output: empty body, no Content-Type (rpcv2Cbor `no_output`)
            self.assertEqual(reply.raw, b"")
            self.assertNotIn("content-type", reply.headers)
            self.assertIn("x-amzn-requestid", reply.headers)

    def _query(self, qid: str, host: str, stat: str, metric: str = "Latency") -> dict:
        return {
            "Id": qid,
            "MetricStat": {
                "Metric": {"Namespace": self.ns, "MetricName": metric, "Dimensions": self.dims(host)},
                "Period": 60,
                "Stat": stat,
            },
            "ReturnData": True,
        }

    def test_get_metric_data_statistics(self):
        base = self.base
        reply = cw_call("GetMetricData", {
            "MetricDataQueries": [
                self._query("sum_a", "a", "Sum"),
                self._query("avg_a", "a", "Average"),
                self._query("cnt_b", "b", "SampleCount"),
                self._query("min_b", "b", "Minimum"),
                self._query("max_b", "b", "Maximum"),
                self._query("sum_err", "a", "Sum", metric="Errors"),
            ],
            "StartTime": Ts(base - 60.0),
            "EndTime": Ts(base + 180.0),
            "ScanBy": "TimestampAscending",
        })
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.headers["content-type"], "application/cbor")
        self.assertEqual(reply.headers["smithy-protocol"], "rpc-v2-cbor")
        results = {r["Id"]: r for r in reply.body["MetricDataResults"]}
        self.assertEqual(set(results), {"sum_a", "avg_a", "cnt_b", "min_b", "max_b", "sum_err"})
        for r in results.values():
            self.assertEqual(r["StatusCode"], "Complete")
            for v in r["Values"]:
                self.assertIsInstance(v, float, f"{r['Id']}: double must be a CBOR float")

        def series(qid):
            r = results[qid]
            return [(assert_ts(self, t), v) for t, v in zip(r["Timestamps"], r["Values"], strict=True)]

        self.assertEqual(series("sum_a"), [(base, 30.0), (base + 60, 30.0)])
        self.assertEqual(series("avg_a"), [(base, 15.0), (base + 60, 30.0)])
        self.assertEqual(series("cnt_b"), [(base, 300.0)])
        self.assertEqual(series("min_b"), [(base, 0.0)])
        self.assertEqual(series("max_b"), [(base, 299.0)])
        # Values [1, 4] with Counts [2, 1] -> sum 1*2 + 4*1 = 6
        self.assertEqual(series("sum_err"), [(base + 60, 6.0)])

    def test_list_metrics(self):
        reply = cw_call("ListMetrics", {"Namespace": self.ns, "MetricName": "Latency"})
        self.assertEqual(reply.status, 200, reply.raw)
        metrics = reply.body["Metrics"]
        # moto 5.2 lists one entry per stored datum for dimensioned metrics
        # (real CloudWatch lists each metric once), so compare unique entries.
        hosts = sorted({
            next(d["Value"] for d in m["Dimensions"] if d["Name"] == "host") for m in metrics
        })
        self.assertEqual(hosts, ["a", "b"])
        for m in metrics:
            self.assertEqual(m["Namespace"], self.ns)
            self.assertEqual(m["MetricName"], "Latency")
        # an empty ListMetrics input, exactly as the SDK sends it: 0xbf 0xff
        reply = cw_call("ListMetrics", None, raw_body=b"\xbf\xff")
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertIsInstance(reply.body["Metrics"], list)

    def test_get_metric_statistics(self):
        base = self.base
        reply = cw_call("GetMetricStatistics", {
            "Namespace": self.ns,
            "MetricName": "Latency",
            "Dimensions": self.dims("a"),
            "StartTime": Ts(base - 60.0),
            "EndTime": Ts(base + 180.0),
            "Period": 60,
            "Statistics": ["Sum", "Average", "SampleCount", "Minimum", "Maximum"],
        })
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.body["Label"], "Latency")
        points = sorted(reply.body["Datapoints"], key=lambda p: p["Timestamp"].value)
        self.assertEqual(len(points), 2)
        assert_ts(self, points[0]["Timestamp"], base)
        assert_ts(self, points[1]["Timestamp"], base + 60)
        self.assertEqual(
            {k: points[0][k] for k in ("Sum", "Average", "SampleCount", "Minimum", "Maximum")},
            {"Sum": 30.0, "Average": 15.0, "SampleCount": 2.0, "Minimum": 10.0, "Maximum": 20.0},
        )
        self.assertEqual(points[1]["Sum"], 30.0)
        self.assertEqual(points[0]["Unit"], "Milliseconds")
        for k in ("Sum", "Average", "SampleCount", "Minimum", "Maximum"):
            self.assertIsInstance(points[0][k], float)

    def test_get_metric_statistics_invalid_range_is_invalid_parameter_value(self):
        reply = cw_call("GetMetricStatistics", {
            "Namespace": self.ns, "MetricName": "Latency",
            "StartTime": Ts(self.base + 60.0), "EndTime": Ts(self.base + 0.0),
            "Period": 60, "Statistics": ["Sum"],
        })
        self.assertEqual(reply.status, 400, reply.raw)
        self.assertEqual(reply.headers["x-amzn-query-error"], "InvalidParameterValue;Sender")
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#InvalidParameterValueException")
        self.assertIn("message", reply.body)

    def test_put_metric_alarm_and_describe_alarms(self):
        name = f"bridge-alarm-{uuid.uuid4().hex[:8]}"
        before = time.time()
        reply = cw_call("PutMetricAlarm", {
            "AlarmName": name,
            "AlarmDescription": "latency too high",
            "ActionsEnabled": True,
            "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"],
            "MetricName": "Latency",
            "Namespace": self.ns,
            "Statistic": "Average",
            "Dimensions": self.dims("a"),
            "Period": 60,
            "Unit": "Milliseconds",
            "EvaluationPeriods": 3,
            "DatapointsToAlarm": 2,
            "Threshold": 250.5,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "Tags": [{"Key": "team", "Value": "slo"}],
        })
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.raw, b"")

        reply = cw_call("DescribeAlarms", {"AlarmNames": [name]})
        self.assertEqual(reply.status, 200, reply.raw)
        alarms = reply.body["MetricAlarms"]
        self.assertEqual(len(alarms), 1)
        a = alarms[0]
        self.assertEqual(a["AlarmName"], name)
        self.assertEqual(a["AlarmDescription"], "latency too high")
        self.assertTrue(a["AlarmArn"].startswith("arn:aws:cloudwatch:us-east-1:"))
        self.assertIs(a["ActionsEnabled"], True)
        self.assertEqual(a["AlarmActions"], ["arn:aws:sns:us-east-1:123456789012:pager"])
        self.assertEqual(a["Threshold"], 250.5)
        self.assertIsInstance(a["Threshold"], float)
        self.assertEqual(a["Period"], 60)
        self.assertIsInstance(a["Period"], int)
        self.assertEqual(a["EvaluationPeriods"], 3)
        self.assertEqual(a["DatapointsToAlarm"], 2)
        self.assertEqual(a["ComparisonOperator"], "GreaterThanThreshold")
        self.assertEqual(a["Statistic"], "Average")
        self.assertEqual(a["TreatMissingData"], "notBreaching")
        # moto evaluates the alarm at once against the stored data (average 15 < 250.5)
        self.assertIn(a["StateValue"], ("OK", "INSUFFICIENT_DATA"))
        self.assertEqual(sorted((d["Name"], d["Value"]) for d in a["Dimensions"]),
                         [("host", "a"), ("service", "api")])
        for field in ("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp"):
            ts = assert_ts(self, a[field])
            self.assertLess(abs(ts - before), 120, field)

        # by prefix, and an unknown name -> empty list, not an error
        reply = cw_call("DescribeAlarms", {"AlarmNamePrefix": "bridge-alarm-", "AlarmTypes": ["MetricAlarm"]})
        self.assertIn(name, [x["AlarmName"] for x in reply.body["MetricAlarms"]])
        reply = cw_call("DescribeAlarms", {"AlarmNames": ["no-such-alarm"]})
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.body.get("MetricAlarms", []), [])

    def test_dashboards(self):
        name = f"slo-{uuid.uuid4().hex[:8]}"
        dash = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
                             "properties": {"metrics": [[self.ns, "Latency", "service", "api", "host", "a"]],
                                            "region": REGION, "stat": "Average", "period": 60}}]}
        body = json.dumps(dash)
        reply = cw_call("PutDashboard", {"DashboardName": name, "DashboardBody": body})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.headers["content-type"], "application/cbor")
        self.assertIsInstance(reply.body, dict)  # output structure present, maybe empty
        self.assertEqual(reply.body.get("DashboardValidationMessages", []), [])

        reply = cw_call("GetDashboard", {"DashboardName": name})
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(reply.body["DashboardName"], name)
        self.assertEqual(json.loads(reply.body["DashboardBody"]), dash)
        self.assertTrue(reply.body["DashboardArn"].endswith(f":dashboard/{name}"))

        reply = cw_call("ListDashboards", {"DashboardNamePrefix": name})
        self.assertEqual(reply.status, 200, reply.raw)
        entries = reply.body["DashboardEntries"]
        self.assertEqual([e["DashboardName"] for e in entries], [name])
        assert_ts(self, entries[0]["LastModified"])
        self.assertIsInstance(entries[0]["Size"], int)

    def test_missing_dashboard_is_cbor_error(self):
        reply = cw_call("GetDashboard", {"DashboardName": "does-not-exist"})
        self.assertEqual(reply.status, 404, reply.raw)
        self.assertEqual(reply.headers["smithy-protocol"], "rpc-v2-cbor")
        self.assertEqual(reply.headers["content-type"], "application/cbor")
        self.assertEqual(reply.headers["x-amzn-query-error"], "ResourceNotFound;Sender")
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#DashboardNotFoundError")
        # what smithy-rs does with it: strip namespace; the query header wins
        code = reply.body["__type"].split(":", 1)[0].rsplit("#", 1)[-1]
        self.assertEqual(code, "DashboardNotFoundError")
        self.assertEqual(reply.headers["x-amzn-query-error"].split(";")[0], "ResourceNotFound")
        self.assertEqual(reply.body["message"], "Dashboard does not exist")

    def test_invalid_dashboard_body_is_dashboard_invalid_input(self):
        reply = cw_call("PutDashboard", {"DashboardName": "bad", "DashboardBody": "not json"})
        self.assertEqual(reply.status, 400, reply.raw)
        self.assertEqual(reply.headers["x-amzn-query-error"], "InvalidParameterInput;Sender")
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#DashboardInvalidInputError")
        self.assertIn("message", reply.body)

    def test_set_alarm_state_on_missing_alarm(self):
        reply = cw_call("SetAlarmState", {"AlarmName": "nope", "StateValue": "OK", "StateReason": "x"})
        self.assertEqual(reply.status, 404, reply.raw)
        self.assertEqual(reply.headers["x-amzn-query-error"], "ResourceNotFound;Sender")
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#ResourceNotFound")

    def test_unknown_operation_and_bad_cbor(self):
        reply = cw_call("NoSuchOperation", {})
        self.assertEqual(reply.status, 404)
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#UnknownOperationException")
        reply = cw_call("ListMetrics", None, raw_body=b"\xbf\x61")  # truncated map
        self.assertEqual(reply.status, 400)
        self.assertEqual(reply.body["__type"], "com.amazonaws.cloudwatch#SerializationException")

    def test_concurrent_requests(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            replies = list(pool.map(
                lambda i: cw_call("ListMetrics", {"Namespace": self.ns}), range(48)))
        self.assertTrue(all(r.status == 200 for r in replies))
        def unique(body):
            return {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
                    for m in body["Metrics"]}

        self.assertEqual({len(unique(r.body)) for r in replies}, {3})


# --------------------------------------------------------------------------
# tests: botocore clients through the bridge
# --------------------------------------------------------------------------


def _cbor_only_data_dir(root: str) -> str:
    """A botocore data dir whose cloudwatch model lists only smithy-rpc-v2-cbor.

    botocore prefers 'json' when a model lists several protocols, and it has no
    public switch to choose; a copy of the model with protocols narrowed is the
    supported way (AWS_DATA_PATH-style search path).
    """
    loader = botocore.session.get_session().get_component("data_loader")
    model = loader.load_service_model("cloudwatch", "service-2")
    protocols = model["metadata"].get("protocols", [])
    if "smithy-rpc-v2-cbor" not in protocols:
        raise unittest.SkipTest(f"botocore's cloudwatch model lists {protocols}, no smithy-rpc-v2-cbor")
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    api_version = model["metadata"]["apiVersion"]
    target = Path(root, "cloudwatch", api_version)
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    return root


class BotocoreClientsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory(prefix="cw-bridge-model-")
        data_dir = _cbor_only_data_dir(cls.tmp.name)
        session = botocore.session.get_session()
        session.get_component("data_loader").search_paths.insert(0, data_dir)
        cfg = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
        cls.cw = session.create_client("cloudwatch", region_name=REGION, endpoint_url=STACK.url,
                                       aws_access_key_id="testing", aws_secret_access_key="testing",
                                       config=cfg)
        cls.s3 = botocore.session.get_session().create_client(
            "s3", region_name=REGION, endpoint_url=STACK.url,
            aws_access_key_id="testing", aws_secret_access_key="testing", config=cfg)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.tmp.cleanup()

    def test_botocore_speaks_cbor_to_the_bridge(self):
        self.assertEqual(self.cw.meta.service_model.resolved_protocol, "smithy-rpc-v2-cbor")
        seen = []
        self.cw.meta.events.register(
            "before-send.cloudwatch.*", lambda request, **kw: seen.append(request.url))
        ns = f"Bridge/Boto/{uuid.uuid4().hex[:8]}"
        base = minute_base()
        import datetime as dt
        t0 = dt.datetime.fromtimestamp(base, dt.timezone.utc)
        self.cw.put_metric_data(Namespace=ns, MetricData=[
            {"MetricName": "Hits", "Timestamp": t0 + dt.timedelta(seconds=s), "Value": v}
            for s, v in ((0, 1.0), (2, 2.0), (70, 5.0))
        ])
        self.assertTrue(seen and seen[0].endswith(CBOR_PREFIX + "PutMetricData"), seen)
        out = self.cw.get_metric_statistics(
            Namespace=ns, MetricName="Hits", StartTime=t0 - dt.timedelta(minutes=1),
            EndTime=t0 + dt.timedelta(minutes=3), Period=60, Statistics=["Sum", "Maximum"])
        points = sorted(out["Datapoints"], key=lambda p: p["Timestamp"])
        self.assertEqual([(p["Timestamp"], p["Sum"], p["Maximum"]) for p in points],
                         [(t0, 3.0, 2.0), (t0 + dt.timedelta(minutes=1), 5.0, 5.0)])
        out = self.cw.get_metric_data(
            MetricDataQueries=[{"Id": "q", "MetricStat": {
                "Metric": {"Namespace": ns, "MetricName": "Hits"}, "Period": 60, "Stat": "Sum"}}],
            StartTime=t0, EndTime=t0 + dt.timedelta(minutes=2), ScanBy="TimestampAscending")
        r = out["MetricDataResults"][0]
        self.assertEqual(r["Timestamps"], [t0, t0 + dt.timedelta(minutes=1)])
        self.assertEqual(r["Values"], [3.0, 5.0])

        with self.assertRaises(ClientError) as ctx:
            self.cw.get_dashboard(DashboardName="missing-" + uuid.uuid4().hex)
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], "ResourceNotFound")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(err["Error"]["Message"], "Dashboard does not exist")

    def test_s3_passes_through(self):
        bucket = f"bridge-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=bucket)
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn(bucket, names)
        payload = os.urandom(200_000)
        self.s3.put_object(Bucket=bucket, Key="dir/obj.bin", Body=payload)
        head = self.s3.head_object(Bucket=bucket, Key="dir/obj.bin")
        self.assertEqual(head["ContentLength"], len(payload))
        got = self.s3.get_object(Bucket=bucket, Key="dir/obj.bin")["Body"].read()
        self.assertEqual(got, payload)
        listed = self.s3.list_objects_v2(Bucket=bucket, Prefix="dir/")
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["dir/obj.bin"])
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=bucket, Key="absent")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NoSuchKey")

    def test_json_protocol_cloudwatch_passes_through(self):
        # a request without smithy-protocol (AWS JSON 1.0) reaches moto untouched
        conn = http.client.HTTPConnection("127.0.0.1", STACK.port, timeout=10)
        body = json.dumps({"DashboardName": "nope"})
        req = AWSRequest(method="POST", url=STACK.url + "/", data=body, headers={
            "X-Amz-Target": "GraniteServiceVersion20100801.GetDashboard",
            "Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(Credentials("testing", "testing"), "monitoring", REGION).add_auth(req)
        conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
        resp = conn.getresponse()
        data = json.loads(resp.read())
        conn.close()
        self.assertEqual(resp.status, 404)
        self.assertTrue(data["__type"].endswith("#ResourceNotFound"), data)


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_cleanly_and_quietly(self):
        proc, port = STACK.start_bridge()
        reply = cw_call("ListMetrics", {}, port=port)
        self.assertEqual(reply.status, 200)
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.fail("bridge did not exit within 10s of SIGTERM")
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(out, b"")
        self.assertEqual(err, b"", "bridge should log nothing on success without --verbose")


if __name__ == "__main__":
    unittest.main(verbosity=2)
