#!/usr/bin/env python3
"""Writes a `feature-alignment` package that makes a second workspace resolve the features of
its shared dependencies as the repository's workspace does.

Cargo builds a dependency once per feature set. The packaged crates' workspace
(scripts/package-check.sh) lacks the benchmarks and examples, so a few shared dependencies
resolve with fewer features there (criterion turns on `either/use_std`, for one), and
everything above them, the AWS SDK included, would build a second time. This package depends
on exactly those dependencies, with the features the repository resolves, and nothing else:
packages only the repository uses are left out, so the packaged crates' own dependency graph
gains no package, only the features of packages it already has.

    feature_alignment.py REPO_DIR STAGING_DIR   # writes STAGING_DIR/feature-alignment/
"""
import json
import pathlib
import subprocess
import sys


def resolved(workspace: pathlib.Path) -> dict:
    """(name, version) -> set of features, over every member with every feature."""
    out = subprocess.run(
        ["cargo", "tree", "--workspace", "--all-features", "-e", "normal,dev,build",
         "--prefix", "none", "--format", "{p}|{f}"],
        cwd=workspace, check=True, capture_output=True, text=True).stdout
    features = {}
    for line in out.splitlines():
        package, _, flist = line.replace(" (*)", "").partition("|")
        parts = package.split()
        if len(parts) < 2 or "(" in package:  # path packages: "name vX (/path)"
            continue
        key = (parts[0], parts[1].lstrip("v"))
        features.setdefault(key, set()).update(f for f in flist.split(",") if f)
    return features


def main() -> int:
    repo, staging = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    want, have = resolved(repo), resolved(staging)
    deps = []
    for (name, version), features in sorted(want.items()):
        if (name, version) in have and have[(name, version)] != features:
            alias = f"{name}-{version}".replace(".", "-").replace("+", "-")
            flist = json.dumps(sorted(features))
            deps.append(f'{alias} = {{ package = "{name}", version = "={version}", '
                        f'default-features = false, features = {flist} }}')
    package = staging / "feature-alignment"
    (package / "src").mkdir(parents=True, exist_ok=True)
    (package / "src" / "lib.rs").write_text("//! Feature alignment only: no code.\n")
    (package / "Cargo.toml").write_text(
        "# Written by scripts/feature_alignment.py: see its docstring.\n"
        "[package]\nname = \"feature-alignment\"\nversion = \"0.0.0\"\nedition = \"2024\"\n"
        "publish = false\n\n[lib]\ntest = false\ndoctest = false\n\n[dependencies]\n"
        + "".join(d + "\n" for d in deps))
    print(f"feature-alignment: {len(deps)} dependencies aligned"
          + (": " + ", ".join(d.split(" = ")[0] for d in deps) if deps else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
