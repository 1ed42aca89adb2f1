#!/usr/bin/env python3
"""CloudWatch RPC v2 CBOR -> AWS JSON 1.0 bridge in front of a moto server.

Why: ``aws-sdk-cloudwatch`` (Rust) >= 1.100 speaks only the Smithy RPC v2 CBOR
protocol::

    POST /service/GraniteServiceVersion20100801/operation/<Operation>
    smithy-protocol: rpc-v2-cbor
    Content-Type: application/cbor        (body: CBOR map, maybe gzip'd)

moto 5.x (``moto_server``) answers CloudWatch only in the AWS query and AWS
JSON 1.0 protocols and returns 404 for the CBOR path. This proxy sits in front
of moto and

* translates every RPC v2 CBOR CloudWatch request into an AWS JSON 1.0 request
  (``X-Amz-Target: GraniteServiceVersion20100801.<Operation>``) and moto's JSON
  answer back into CBOR. Values are converted by walking botocore's service
  model for ``cloudwatch``: CBOR timestamps (tag 1) become JSON epoch seconds
  on the way in and JSON epoch seconds / ISO-8601 strings become CBOR tag 1
  over a float64 on the way out; blobs go bytes <-> base64; doubles are always
  sent as CBOR floats and integers as CBOR integers, as the Rust decoder wants.
* translates moto's errors into RPC v2 CBOR errors: the HTTP status is kept,
  the body is ``{"__type": "com.amazonaws.cloudwatch#<ErrorShape>",
  "message": ...}`` and, because CloudWatch is ``awsQueryCompatible``, the
  ``x-amzn-query-error: <QueryCode>;<Sender|Receiver>`` header is set. The Rust
  SDK takes the error code from that header (e.g. ``ResourceNotFound``,
  ``InvalidParameterValue``) and dispatches on it.
* passes every other request (S3 REST-XML, query/JSON CloudWatch, anything
  without ``smithy-protocol: rpc-v2-cbor``) to moto unchanged, so a single
  endpoint serves CloudWatch and S3.

Usage::

    python bridge.py --moto-url http://127.0.0.1:5000 --port 4566 [--verbose]
    python bridge.py --moto-url http://127.0.0.1:5000 --port 0 --port-file p.txt

Quiet on success unless ``--verbose``; internal failures go to stderr.
Stops cleanly on SIGTERM / SIGINT.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import gzip
import http.client
import json
import math
import os
import re
import signal
import sys
import threading
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2
import botocore.session
from botocore.utils import parse_timestamp

SERVICE_SHAPE_NAME = "GraniteServiceVersion20100801"
ERROR_NAMESPACE = "com.amazonaws.cloudwatch"
CBOR_PATH_RE = re.compile(r"^/service/([^/]+)/operation/([^/?#]+)$")

# Headers never copied from one hop to the next.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "expect",
}
# Headers of the CBOR request that do not make sense on the JSON request.
CBOR_ONLY_REQUEST_HEADERS = HOP_BY_HOP | {
    "host",
    "content-length",
    "content-type",
    "content-encoding",
    "accept",
    "accept-encoding",
    "smithy-protocol",
    "x-amzn-query-mode",
    "x-amz-target",
}

VERBOSE = False


def log(msg: str) -> None:
    sys.stderr.write(f"[cloudwatch-bridge] {msg}\n")
    sys.stderr.flush()


def vlog(msg: str) -> None:
    if VERBOSE:
        log(msg)


# --------------------------------------------------------------------------
# botocore model
# --------------------------------------------------------------------------

_MODEL = None
_MODEL_LOCK = threading.Lock()


def service_model():
    """botocore's ServiceModel for cloudwatch (loaded once)."""
    global _MODEL
    with _MODEL_LOCK:
        if _MODEL is None:
            _MODEL = botocore.session.get_session().get_service_model("cloudwatch")
        return _MODEL


def _query_code(shape) -> str:
    """The awsQueryError code of an error shape (falls back to its name)."""
    return (shape.metadata.get("error") or {}).get("code") or shape.name


# --------------------------------------------------------------------------
# value conversion, driven by the botocore shapes
# --------------------------------------------------------------------------


def _epoch(value) -> float:
    """Anything timestamp-like -> float epoch seconds."""
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        value = value.value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return parse_timestamp(value).timestamp()
    raise ValueError(f"cannot read {type(value).__name__} as a timestamp")


def _json_number(value):
    """CBOR float -> JSON-safe number (AWS JSON spells NaN/Infinity as strings)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def _generic_to_json(value):
    """Fallback for members the model does not know."""
    if isinstance(value, dict):
        return {str(k): _generic_to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_generic_to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (_dt.datetime, cbor2.CBORTag)):
        try:
            return _epoch(value)
        except ValueError:
            return str(value)
    return _json_number(value)


def cbor_to_json(value, shape):
    """Decoded CBOR value of ``shape`` -> the value AWS JSON 1.0 expects."""
    if shape is None:
        return _generic_to_json(value)
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return _generic_to_json(value)
        out = {}
        for key, member_value in value.items():
            if member_value is None:  # CBOR null in a structure == absent
                continue
            out[key] = cbor_to_json(member_value, shape.members.get(key))
        return out
    if t == "list":
        return [cbor_to_json(v, shape.member) for v in value]
    if t == "map":
        return {
            str(k): cbor_to_json(v, shape.value)
            for k, v in value.items()
            if v is not None
        }
    if t == "timestamp":
        return _epoch(value)
    if t == "blob":
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(bytes(value)).decode("ascii")
        return value
    if t in ("double", "float"):
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        return _json_number(value)
    return _generic_to_json(value)


def _to_float(value) -> float:
    specials = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    if isinstance(value, str) and value in specials:
        return specials[value]
    return float(value)


def json_to_cbor(value, shape):
    """JSON value of ``shape`` from moto -> the Python value to CBOR-encode.

    Only members that the model knows are kept (the SDK would skip others).
    Timestamps become ``CBORTag(1, float)``: tag 1 over a float64, which is
    what the Rust decoder (``Decoder::timestamp`` -> ``f64()``) reads.
    """
    if value is None:
        return None
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return None
        out = {}
        for name, member_shape in shape.members.items():
            if name in value and value[name] is not None:
                converted = json_to_cbor(value[name], member_shape)
                if converted is not None:
                    out[name] = converted
        return out
    if t == "list":
        if not isinstance(value, list):
            value = [value]
        return [json_to_cbor(v, shape.member) for v in value]
    if t == "map":
        if isinstance(value, list):  # tolerate [{"key":..,"value":..}] forms
            value = {e.get("key", e.get("Key")): e.get("value", e.get("Value")) for e in value}
        return {str(k): json_to_cbor(v, shape.value) for k, v in value.items()}
    if t == "timestamp":
        return cbor2.CBORTag(1, float(_epoch(value)))
    if t == "blob":
        if isinstance(value, str):
            return base64.b64decode(value)
        return bytes(value)
    if t in ("double", "float"):
        return _to_float(value)
    if t in ("integer", "long", "short", "byte"):
        return int(float(value)) if isinstance(value, str) else int(value)
    if t == "boolean":
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)
    if t == "string":
        return value if isinstance(value, str) else str(value)
    return value


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


def _sanitize_code(code: str | None) -> str | None:
    if not code:
        return None
    code = code.split(":", 1)[0]
    return code.rsplit("#", 1)[-1] or None


def _find_error_shape(op_model, query_code: str | None):
    if not query_code:
        return None
    candidates = list(op_model.error_shapes) if op_model is not None else []
    for shape in candidates:  # the operation's own errors first
        if _query_code(shape) == query_code or shape.name == query_code:
            return shape
    model = service_model()
    # then any error of the service; prefer a shape named like the code
    all_errors = [model.shape_for(n) for n in model.shape_names]
    all_errors = [s for s in all_errors if s.metadata.get("exception")]
    for shape in all_errors:
        if shape.name == query_code:
            return shape
    for shape in all_errors:
        if _query_code(shape) == query_code:
            return shape
    return None


def _parse_error_body(body: bytes):
    """(code, message, fields) from a JSON or XML (query) error body."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return None, None, {}
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            code = data.get("__type") or data.get("code") or data.get("Code")
            msg = data.get("message") or data.get("Message") or data.get("errorMessage")
            return _sanitize_code(code), msg, data
    except ValueError:
        pass
    m_code = re.search(r"<Code>([^<]*)</Code>", text)
    m_msg = re.search(r"<Message>([^<]*)</Message>", text, re.S)
    if m_code:
        return m_code.group(1).strip(), (m_msg.group(1).strip() if m_msg else None), {}
    # HTML / plain text (e.g. moto's 500 page for an operation it does not
    # implement): keep a short text for the message
    plain = re.sub(r"<[^>]+>", " ", text)
    plain = re.sub(r"\s+", " ", plain).strip()
    return None, ("moto answered without an AWS error body: " + plain[:300]) if plain else None, {}


def build_cbor_error(op_model, status: int, upstream_headers, body: bytes):
    """moto's error answer -> (status, headers, CBOR body) of an RPC v2 error."""
    code, message, fields = _parse_error_body(body)
    fault = None
    query_error = upstream_headers.get("x-amzn-query-error")
    if query_error and ";" in query_error:
        code, fault = query_error.split(";", 1)
    if not code:
        if status >= 500:
            code = "InternalServiceError"
        elif status == 404:
            code = "ResourceNotFound"
        else:
            code = "InvalidParameterValue" if status == 400 else f"Http{status}"
    shape = _find_error_shape(op_model, code)
    if shape is not None:
        type_name = shape.name
        error_meta = shape.metadata.get("error") or {}
        if fault is None:
            fault = "Sender" if error_meta.get("senderFault") else (
                "Receiver" if status >= 500 else "Sender"
            )
        msg_member = "message"
        if "message" not in shape.members and "Message" in shape.members:
            msg_member = "Message"
        out = json_to_cbor(fields, shape) if fields else {}
        out = {k: v for k, v in (out or {}).items() if k not in ("message", "Message")}
    else:
        type_name = code
        fault = fault or ("Receiver" if status >= 500 else "Sender")
        msg_member = "message"
        out = {}
    if message is None:
        message = f"{code} (HTTP {status} from moto)"
    payload = {"__type": f"{ERROR_NAMESPACE}#{type_name}", msg_member: str(message)}
    payload.update(out)
    headers = [("x-amzn-query-error", f"{code};{fault}")]
    return status, headers, cbor2.dumps(payload)


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------


class BridgeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, moto_url: str):
        super().__init__(addr, BridgeHandler)
        parsed = urllib.parse.urlsplit(moto_url)
        if parsed.scheme not in ("http", ""):
            raise ValueError("only http:// moto URLs are supported")
        self.moto_host = parsed.hostname or "127.0.0.1"
        self.moto_port = parsed.port or 80
        self.moto_prefix = parsed.path.rstrip("/")


class BridgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudwatch-bridge"

    def version_string(self):
        return self.server_version

    # quiet unless --verbose
    def log_message(self, fmt, *args):  # noqa: D401 - BaseHTTPRequestHandler API
        vlog("%s %s" % (self.address_string(), fmt % args))

    # ---- request body -----------------------------------------------------
    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until blank line
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # ---- upstream -----------------------------------------------------------
    def _upstream(self, method: str, path: str, headers, body: bytes):
        srv: BridgeServer = self.server  # type: ignore[assignment]
        conn = http.client.HTTPConnection(srv.moto_host, srv.moto_port, timeout=120)
        try:
            conn.putrequest(method, srv.moto_prefix + path, skip_host=True,
                            skip_accept_encoding=True)
            has_host = False
            for name, value in headers:
                if name.lower() == "host":
                    has_host = True
                conn.putheader(name, value)
            if not has_host:
                conn.putheader("Host", f"{srv.moto_host}:{srv.moto_port}")
            if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.reason, resp.getheaders(), data
        finally:
            conn.close()

    def _send(self, status: int, headers, body: bytes, reason: str | None = None,
              keep_length: str | None = None):
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if keep_length is not None:
            self.send_header("Content-Length", keep_length)
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    # ---- dispatch -------------------------------------------------------------
    def _handle(self):
        try:
            body = self._read_body()
        except Exception as exc:  # malformed request framing
            log(f"cannot read request body: {exc!r}")
            self.close_connection = True
            self._send(400, [("Content-Type", "text/plain")], b"bad request body")
            return
        split = urllib.parse.urlsplit(self.path)
        match = CBOR_PATH_RE.match(split.path)
        is_cbor = (
            self.command == "POST"
            and match is not None
            and match.group(1).rsplit("#", 1)[-1] == SERVICE_SHAPE_NAME
            and (self.headers.get("smithy-protocol") or "").strip().lower() == "rpc-v2-cbor"
        )
        try:
            if is_cbor:
                self._handle_cbor(match.group(2), body)
            else:
                self._pass_through(body)
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            log(f"moto unreachable for {self.command} {self.path}: {exc!r}")
            if is_cbor:
                payload = cbor2.dumps({
                    "__type": f"{ERROR_NAMESPACE}#InternalServiceFault",
                    "Message": f"cloudwatch-bridge: moto unreachable: {exc}",
                })
                self._send(502, [("smithy-protocol", "rpc-v2-cbor"),
                                 ("Content-Type", "application/cbor"),
                                 ("x-amzn-query-error", "InternalServiceError;Receiver")],
                           payload)
            else:
                self._send(502, [("Content-Type", "text/plain")],
                           f"cloudwatch-bridge: moto unreachable: {exc}".encode())

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    # ---- pass-through -------------------------------------------------------
    def _pass_through(self, body: bytes):
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP
                   and k.lower() != "content-length"]
        status, reason, resp_headers, data = self._upstream(self.command, self.path, headers, body)
        out_headers = [(k, v) for k, v in resp_headers
                       if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        keep_length = None
        if self.command == "HEAD":
            keep_length = next((v for k, v in resp_headers if k.lower() == "content-length"), "0")
        vlog(f"pass-through {self.command} {self.path} -> {status}")
        self._send(status, out_headers, data, reason, keep_length=keep_length)

    # ---- CBOR -> JSON -> CBOR ---------------------------------------------------
    def _cbor_reply(self, status: int, extra_headers, body: bytes | None):
        headers = [("smithy-protocol", "rpc-v2-cbor")]
        if body is not None:
            headers.append(("Content-Type", "application/cbor"))
        headers.extend(extra_headers)
        self._send(status, headers, body or b"")

    def _handle_cbor(self, operation: str, body: bytes):
        model = service_model()
        try:
            op_model = model.operation_model(operation)
        except Exception:
            self._cbor_reply(404, [("x-amzn-query-error", "UnknownOperation;Sender")],
                             cbor2.dumps({"__type": f"{ERROR_NAMESPACE}#UnknownOperationException",
                                          "message": f"unknown operation {operation}"}))
            return

        # 1. decode the request
        try:
            encodings = [e.strip().lower() for e in
                         (self.headers.get("Content-Encoding") or "").split(",") if e.strip()]
            for enc in reversed(encodings):
                if enc in ("gzip", "x-gzip"):
                    body = gzip.decompress(body)
                elif enc == "deflate":
                    body = zlib.decompress(body)
            params = cbor2.loads(body) if body else {}
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise ValueError("request body is not a CBOR map")
            json_params = cbor_to_json(params, op_model.input_shape) if op_model.input_shape else {}
        except Exception as exc:
            vlog(f"{operation}: bad CBOR request: {exc!r}")
            self._cbor_reply(400, [("x-amzn-query-error", "SerializationException;Sender")],
                             cbor2.dumps({"__type": f"{ERROR_NAMESPACE}#SerializationException",
                                          "message": f"cannot decode CBOR request: {exc}"}))
            return

        # 2. ask moto in AWS JSON 1.0
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in CBOR_ONLY_REQUEST_HEADERS]
        host = self.headers.get("Host")
        if host:
            headers.append(("Host", host))
        headers.append(("X-Amz-Target", f"{model.metadata['targetPrefix']}.{operation}"))
        headers.append(("Content-Type", "application/x-amz-json-1.0"))
        json_body = json.dumps(json_params, allow_nan=False).encode("utf-8")
        vlog(f"{operation} -> moto: {json_body[:2000]!r}")
        status, _reason, resp_headers, data = self._upstream("POST", "/", headers, json_body)
        resp_hdrs = {k.lower(): v for k, v in resp_headers}
        vlog(f"{operation} <- moto {status}: {data[:2000]!r}")
        extra = []
        if "x-amzn-requestid" in resp_hdrs:
            extra.append(("x-amzn-requestid", resp_hdrs["x-amzn-requestid"]))

        # 3. answer in CBOR
        if status >= 300:
            e_status, e_headers, e_body = build_cbor_error(op_model, status, resp_hdrs, data)
            self._cbor_reply(e_status, extra + e_headers, e_body)
            return
        output_shape = op_model.output_shape
        if output_shape is None:
            self._cbor_reply(status, extra, None)  # no output: empty body
            return
        try:
            parsed = json.loads(data.decode("utf-8")) if data.strip() else {}
            out = json_to_cbor(parsed, output_shape) or {}
            encoded = cbor2.dumps(out)
        except Exception as exc:
            log(f"{operation}: cannot translate moto's answer: {exc!r}; body={data[:500]!r}")
            self._cbor_reply(500, extra + [("x-amzn-query-error", "InternalServiceError;Receiver")],
                             cbor2.dumps({"__type": f"{ERROR_NAMESPACE}#InternalServiceFault",
                                          "Message": f"cloudwatch-bridge: bad answer from moto: {exc}"}))
            return
        self._cbor_reply(status, extra, encoded)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def main(argv=None) -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default=os.environ.get("CW_BRIDGE_HOST", "127.0.0.1"),
                    help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("CW_BRIDGE_PORT", "4566")),
                    help="port to listen on; 0 picks a free one (default 4566)")
    ap.add_argument("--moto-url", default=os.environ.get("MOTO_URL", "http://127.0.0.1:5000"),
                    help="base URL of the moto server (default http://127.0.0.1:5000)")
    ap.add_argument("--port-file", help="write the bound port to this file once listening")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose

    service_model()  # load the model before accepting traffic
    server = BridgeServer((args.host, args.port), args.moto_url)
    port = server.server_address[1]

    def _stop(signum, _frame):
        vlog(f"signal {signum}: shutting down")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    vlog(f"listening on http://{args.host}:{port} -> {args.moto_url}")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
