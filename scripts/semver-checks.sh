#!/usr/bin/env bash
# Checks the published crates' public API against a baseline git revision with
# cargo-semver-checks (installed from crates.io into target/semver-checks on first use).
#
#   bash scripts/semver-checks.sh [BASELINE_REV]
#
# BASELINE_REV defaults to the newest `v*` tag (the last release). What a finding means for a
# 0.x crate is in README.md, "Stability": a breaking change needs the next minor version
# (0.1.x -> 0.2.0), so before a release either bump the version or remove the break. A crate
# that is new since the baseline has nothing to compare and is skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
baseline=${1:-$(git describe --tags --abbrev=0 --match 'v*' 2>/dev/null || true)}
if [[ -z "$baseline" ]]; then
  echo "no v* tag to compare with: give a baseline revision, e.g. scripts/semver-checks.sh main~10" >&2
  exit 2
fi
git rev-parse --verify --quiet "$baseline^{commit}" >/dev/null \
  || { echo "baseline $baseline is not a commit" >&2; exit 2; }

tool=target/semver-checks
version=0.51.0
if ! "$tool/bin/cargo-semver-checks" --version 2>/dev/null | grep -q "$version"; then
  echo "== installing cargo-semver-checks $version into $tool (a few minutes, once)"
  cargo install --quiet --locked --root "$tool" cargo-semver-checks --version "$version"
fi

# The published members that exist at the baseline too.
mapfile -t crates < <(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
for p in meta["packages"]:
    if p["id"] in members and p.get("publish") != []:
        print(p["name"] + " " + p["manifest_path"])
')
status=0
for entry in "${crates[@]}"; do
  name=${entry%% *} manifest=${entry#* }
  relative=${manifest#"$PWD/"}
  if ! git cat-file -e "$baseline:$relative" 2>/dev/null; then
    echo "== $name: new since $baseline, nothing to compare"
    continue
  fi
  echo "== $name against $baseline"
  "$tool/bin/cargo-semver-checks" semver-checks --package "$name" --baseline-rev "$baseline" \
    --all-features || status=1
done
exit $status
