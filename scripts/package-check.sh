#!/usr/bin/env bash
# Packages every published crate of the workspace as `cargo publish` would, unpacks the
# `.crate` files into target/packaged/, and there, outside the repository's tree:
#   1. runs each packaged crate's tests with every feature (unit, integration, doctests):
#      a test that reads a file the package does not ship fails here;
#   2. builds each crate's documentation as docs.rs does (nightly rustdoc, `--cfg docsrs`,
#      every feature, warnings denied), one crate at a time.
# The packaged crates depend on each other by version, as on crates.io; a [patch.crates-io]
# points those versions at the unpacked packages. The build shares the repository's target/
# directory, so dependencies built for the in-tree tests are reused.
#
#   bash scripts/package-check.sh            # both steps
#   bash scripts/package-check.sh --no-test  # packaging and the docs.rs build only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
run_tests=1
[[ "${1:-}" == "--no-test" ]] && run_tests=0

# The published members: every package whose `publish` is not `false`.
mapfile -t crates < <(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
for p in meta["packages"]:
    if p["id"] in members and p.get("publish") != []:
        print(p["name"] + " " + p["version"])
')
echo "== cargo package: ${crates[*]%% *}"
args=()
for c in "${crates[@]}"; do args+=(-p "${c%% *}"); done
cargo package --locked --no-verify --allow-dirty "${args[@]}" >/dev/null 2>target/package.log \
  || { cat target/package.log >&2; exit 1; }

staging=target/packaged
rm -rf "$staging"
mkdir -p "$staging"
members=()
patches=()
for c in "${crates[@]}"; do
  name=${c%% *} version=${c##* }
  # -m: the files get the time of extraction. The .crate's own times are fixed by cargo for
  # reproducibility, so with them cargo's fingerprints would reuse an earlier run's build.
  tar -xzmf "target/package/$name-$version.crate" -C "$staging"
  members+=("\"$name-$version\"")
  patches+=("$name = { path = \"$name-$version\" }")
done
{
  echo "# Written by scripts/package-check.sh: the packaged crates, as crates.io would serve them."
  echo "[workspace]"
  echo "resolver = \"3\""
  echo "members = [$(IFS=,; echo "${members[*]}")]"
  echo
  echo "[patch.crates-io]"
  printf '%s\n' "${patches[@]}"
  echo
  # The repository's profiles, so that dependencies built for the in-tree tests are reused
  # (a different debug setting would rebuild every one of them).
  python3 -c '
import re, sys
text = open("Cargo.toml", encoding="utf-8").read()
for block in re.findall(r"^\[profile\.[^\n]*\n(?:(?!\[)[^\n]*\n?)*", text, re.M):
    print(block.rstrip() + "\n")
'
} > "$staging/Cargo.toml"
# The same dependency versions as the repository's lock file.
cp Cargo.lock "$staging/Cargo.lock"
# Shared dependencies resolved with the repository's features, so that the AWS SDK and the
# rest built for the in-tree tests are reused (scripts/feature_alignment.py says why).
python3 scripts/feature_alignment.py "$root" "$staging"
sed -i 's/^members = \[/members = ["feature-alignment",/' "$staging/Cargo.toml"
export CARGO_TARGET_DIR="$root/target"

if [[ $run_tests == 1 ]]; then
  echo "== tests of the packaged crates (every feature)"
  (cd "$staging" && cargo test --workspace --all-features)
fi

echo "== docs.rs-style documentation of each packaged crate (nightly, --cfg docsrs)"
for c in "${crates[@]}"; do
  name=${c%% *}
  (cd "$staging" && RUSTDOCFLAGS="--cfg docsrs -D warnings" \
     cargo +nightly doc -p "$name" --all-features --no-deps)
done
