#!/usr/bin/env python3
"""Writes each published crate's feature table, FEATURES.md, from its Cargo.toml.

The table is the crate page's "Crate features" section (lib.rs includes it with
`#![doc = include_str!("../FEATURES.md")]`), so docs.rs shows exactly the features Cargo.toml
declares. A feature is documented by the `## ` comment lines right above it in `[features]`;
a feature without one is an error, and so is a feature whose name starts with `_` (internal
wiring has no place in a public feature list).

    python3 scripts/features.py           # rewrite every crates/*/FEATURES.md
    python3 scripts/features.py --check   # exit 1 if any is out of date (CI)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADER = "# Crate features\n\n"


def features(cargo_toml: pathlib.Path):
    """(name, enables, doc, default) for each feature, in file order."""
    lines = cargo_toml.read_text(encoding="utf-8").splitlines()
    out, doc, in_features, defaults = [], [], False, set()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_features = stripped == "[features]"
            doc = []
            continue
        if not in_features:
            continue
        if stripped.startswith("## "):
            doc.append(stripped[3:])
            continue
        if stripped.startswith("#") or not stripped:
            continue
        match = re.match(r'^([A-Za-z0-9_-]+)\s*=\s*\[(.*)\]\s*$', stripped)
        if not match:
            sys.exit(f"{cargo_toml}:{number}: a feature must fit on one line: {stripped}")
        name, enables = match.group(1), match.group(2)
        items = [e.strip().strip('"') for e in enables.split(",") if e.strip()]
        if name == "default":
            defaults = set(items)
        else:
            if not doc:
                sys.exit(f"{cargo_toml}:{number}: feature `{name}` has no `## ` doc comment above it")
            if name.startswith("_"):
                sys.exit(f"{cargo_toml}:{number}: feature `{name}` looks internal; features are public API")
            out.append((name, items, " ".join(doc)))
        doc = []
    return [(n, e, d, n in defaults) for n, e, d in out]


def table(crate: str, feats) -> str:
    if not feats:
        return HEADER + f"`{crate}` has no optional features.\n"
    rows = ["| feature | default | what it enables |", "|---|---|---|"]
    for name, _enables, doc, default in feats:
        rows.append(f"| `{name}` | {'yes' if default else 'no'} | {doc} |")
    return HEADER + "\n".join(rows) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for cargo_toml in sorted(ROOT.glob("crates/*/Cargo.toml")):
        crate = cargo_toml.parent.name
        wanted = table(crate, features(cargo_toml))
        path = cargo_toml.parent / "FEATURES.md"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != wanted:
            if check:
                stale.append(str(path.relative_to(ROOT)))
            else:
                path.write_text(wanted, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run python3 scripts/features.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
