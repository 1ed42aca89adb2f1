#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine with nothing installed by hand:
#   1. installs moto and the CloudWatch bridge's Python dependencies into a virtual environment
#      under target/ (from PyPI, pinned in tools/cloudwatch-bridge/requirements.txt);
#   2. starts moto and the RPC v2 CBOR bridge in front of it on free 127.0.0.1 ports, and waits
#      until both answer;
#   3. installs the engines' own tools under target/ (tools/engines/install.sh): promtool,
#      amtool and Alertmanager from Debian's prometheus and prometheus-alertmanager packages
#      (apt-get download + dpkg -x; Alertmanager's two notification templates are copied to
#      the fixed directory Debian's build reads them from, /usr/share/prometheus/alertmanager),
#      cfn-lint and Grafana's schema (grafana-foundation-sdk) from PyPI (pinned), and exports
#      PROMTOOL, AMTOOL, ALERTMANAGER, CFN_LINT and GRAFANA_CHECK (without ALERTMANAGER the run
#      stops, unless ALLOW_NO_ALERTMANAGER=1 says to let its test print SKIPPED);
#   4. runs every Rust test of the workspace with every feature: unit, integration (Workbook and
#      Sloth golden numbers, proptest invariants, source contracts, CloudWatch faults through the
#      SDK's mock layer, CloudWatch round trips through the emulator; the SLO compiler's rules
#      through promtool check/test rules and amtool, its templates through cfn-lint, its
#      Grafana dashboards through Grafana's schema) and
#      doctests;
#   5. runs examples/compile_openslo for both engines, checking its outputs with promtool and
#      cfn-lint, and examples/cloudwatch_backtest against the emulator (seeding two days with an incident,
#      which must page), and the bridge's own test;
#   6. runs the side-by-side benchmark's peers (numpy and pandas, installed into a second
#      virtual environment under target/, and the Rust crate peer) on two SLOs for one quick
#      round: it fails if their alert minutes or detector alerts differ from the toolkit's;
#   and on exit stops moto and the bridge.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=target/cw-bridge-venv
if ! "$venv/bin/python" -c 'import moto, cbor2, pytest' 2>/dev/null; then
    echo "== installing moto and the bridge into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/cloudwatch-bridge/requirements.txt
fi

echo "== starting the CloudWatch emulator (moto + RPC v2 CBOR bridge)"
# the emulator's logs go under target/, fresh each run, instead of a new directory in /tmp
export CW_BRIDGE_LOG_DIR="$PWD/target/cw-bridge-logs"
rm -rf "$CW_BRIDGE_LOG_DIR"
env_file=$(mktemp)
tools/cloudwatch-bridge/start.sh "$venv/bin/python" "$env_file"
# shellcheck disable=SC1090
source "$env_file"
rm -f "$env_file"
trap 'kill "$CW_BRIDGE_PID" "$MOTO_PID" 2>/dev/null || true' EXIT
echo "   emulator at $AWS_ENDPOINT_URL"
export AWS_TELEMETRY_EMULATOR=1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_SESSION_TOKEN=testing AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

engines_env=$(mktemp)
bash tools/engines/install.sh "$engines_env"
# shellcheck disable=SC1090
source "$engines_env"
rm -f "$engines_env"
echo "   promtool, amtool and cfn-lint: $(cat target/engines/VERSIONS | paste -sd';'); $("$CFN_LINT" --version)"
if [ -z "${ALERTMANAGER:-}" ] && [ "${ALLOW_NO_ALERTMANAGER:-0}" != 1 ]; then
  echo "Alertmanager's templates could not be installed: its test would be skipped (set ALLOW_NO_ALERTMANAGER=1 to accept that)" >&2
  exit 1
fi

echo "== cargo test --workspace --all-features"
cargo test --workspace --all-features --locked

echo "== examples/compile_openslo on the checked-in OpenSLO files (both engines, checked by cfn-lint, promtool, amtool and Grafana's schema), on a broken one and on an empty one"
template=$(cargo run --quiet --locked -p sre-examples --example compile_openslo -- docs/examples/checkout.openslo.yaml)
python3 -c 'import json, sys; t = json.load(sys.stdin); assert len(t["Resources"]) > 10, len(t["Resources"])' <<<"$template" \
  || { echo "compile_openslo: no CloudFormation template with resources" >&2; exit 1; }
out=target/compile_openslo
rm -rf "$out" "$out".*
echo "$template" > "$out.template.json"
"$CFN_LINT" -- "$out.template.json"
cargo run --quiet --locked -p sre-examples --example compile_openslo -- --engine prometheus \
    docs/examples/checkout.prometheus.openslo.yaml > "$out.rules.yml"
"$PROMTOOL" check rules "$out.rules.yml"
cargo run --quiet --locked -p sre-examples --example compile_openslo -- --engine prometheus \
    --out "$out" docs/examples/checkout.prometheus.openslo.yaml
"$PROMTOOL" check rules "$out"/rules/*.yml
(cd "$out" && "$PROMTOOL" test rules tests/*.yml)
"$AMTOOL" check-config "$out/alertmanager.yml" >/dev/null
"$GRAFANA_CHECK" "$out"/dashboards/*.json
broken=$(mktemp)
sed "s/targetPercent: 99.5$/targetPercent: 100/" docs/examples/checkout.openslo.yaml > "$broken"
if cargo run --quiet --locked -p sre-examples --example compile_openslo -- "$broken" >/dev/null 2>"$broken.err"; then
  echo "compile_openslo accepted targetPercent: 100" >&2; exit 1
fi
grep -q "line" "$broken.err" || { echo "compile_openslo: the error names no line" >&2; cat "$broken.err" >&2; exit 1; }
rm -f "$broken" "$broken.err"
empty=$(mktemp)
printf 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: checkout\nspec:\n  description: no SLO\n' > "$empty"
for file in /dev/null "$empty"; do
  if cargo run --quiet --locked -p sre-examples --example compile_openslo -- "$file" >/dev/null 2>"$empty.err"; then
    echo "compile_openslo compiled $file, which holds no SLO (CloudFormation refuses a template without resources)" >&2; exit 1
  fi
  grep -q "no SLO to compile" "$empty.err" || { echo "compile_openslo: $file refused for another reason:" >&2; cat "$empty.err" >&2; exit 1; }
done
rm -f "$empty" "$empty.err"

echo "== examples/cloudwatch_backtest against the emulator"
backtest=$(cargo run --quiet --locked -p sre-examples --features cloudwatch --example cloudwatch_backtest -- \
    --load-balancer app/checkout/50dc6c495c0c9188 --namespace Demo/ALB --days 3 --seed-synthetic)
echo "$backtest"
grep -q "page-fast" <<<"$backtest" || { echo "cloudwatch_backtest: the seeded incident did not page" >&2; exit 1; }

echo "== CloudWatch bridge test"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tools/cloudwatch-bridge

echo "== benches/peers: the peers' outputs equal the toolkit's (2 SLOs, one quick round)"
PEERS_MIN_SECONDS=0 bash benches/peers/run.sh 2 1
