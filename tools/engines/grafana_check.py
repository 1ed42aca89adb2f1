"""Checks Grafana dashboard JSON files against Grafana's dashboard schema, as the
grafana-foundation-sdk package (generated from Grafana's schema by Grafana's own `cog`) reads
it: each dashboard is decoded into the SDK's typed model and encoded back; every field of the
file must come back with its value. A field the schema does not have (or puts elsewhere) is
dropped by the decoder, an enum value it does not know raises: both fail the check.

Usage: python grafana_check.py FILE.json...   (exit 1, listing the fields, on a mismatch)
"""

import json
import sys

from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.cog.plugins import register_default_plugins
from grafana_foundation_sdk.models.dashboard import Dashboard


def missing(original, decoded, path="$"):
    """The paths of `original` whose value `decoded` does not have."""
    if isinstance(original, dict):
        if not isinstance(decoded, dict):
            return [path]
        out = []
        for key, value in original.items():
            if key not in decoded:
                out.append(f"{path}.{key}")
            else:
                out.extend(missing(value, decoded[key], f"{path}.{key}"))
        return out
    if isinstance(original, list):
        if not isinstance(decoded, list) or len(decoded) != len(original):
            return [path]
        out = []
        for i, (a, b) in enumerate(zip(original, decoded)):
            out.extend(missing(a, b, f"{path}[{i}]"))
        return out
    return [] if original == decoded else [f"{path} ({original!r} became {decoded!r})"]


def main(paths):
    register_default_plugins()
    failed = False
    for path in paths:
        with open(path) as f:
            original = json.load(f)
        try:
            decoded = json.loads(JSONEncoder().encode(Dashboard.from_json(original)))
        except Exception as e:  # an enum or structure the schema refuses
            print(f"{path}: the schema refuses it: {e!r}")
            failed = True
            continue
        lost = missing(original, decoded)
        if lost:
            failed = True
            print(f"{path}: {len(lost)} field(s) not in Grafana's dashboard schema:")
            for p in lost:
                print(f"  {p}")
        else:
            print(f"{path}: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
