#!/usr/bin/env bash
# Installs the engines' own tools under target/ (cached: a second run installs nothing) and
# writes the lines to source: PROMTOOL, AMTOOL, ALERTMANAGER, CFN_LINT, GRAFANA_CHECK.
#   * promtool, amtool and Alertmanager itself: Debian 12's `prometheus` (2.42) and
#     `prometheus-alertmanager` (0.25) packages, fetched with `apt-get download` and unpacked
#     with `dpkg -x` into target/engines (no package is installed; the binaries are static Go
#     programs). The one write outside target/: Debian's Alertmanager reads its notification
#     templates from /usr/share/prometheus/alertmanager, where the package's two are copied.
#     The upstream versions are checked, the Debian revisions recorded in
#     target/engines/VERSIONS.
#   * cfn-lint and grafana-foundation-sdk: from PyPI into target/engines-venv, pinned in
#     requirements.txt; tools/engines/grafana_check.py checks dashboards with the latter.
# Usage: tools/engines/install.sh ENV_FILE
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
env_file=$1
engines=target/engines
want_prometheus="2.42."
want_alertmanager="0.25."

if ! "$engines/usr/bin/promtool" --version 2>/dev/null | grep -q "version $want_prometheus" \
   || ! "$engines/usr/bin/amtool" --version 2>/dev/null | grep -q "version $want_alertmanager"; then
    echo "== installing promtool and amtool into $engines (apt-get download + dpkg -x)"
    rm -rf "$engines"
    mkdir -p "$engines/debs"
    # apt-get download needs the package lists; fetch them once if this machine has none.
    if ! (cd "$engines/debs" && apt-get download prometheus prometheus-alertmanager >/dev/null 2>&1); then
        apt-get update -qq >/dev/null
        (cd "$engines/debs" && apt-get download prometheus prometheus-alertmanager >/dev/null 2>&1)
    fi
    for deb in "$engines"/debs/*.deb; do
        dpkg -x "$deb" "$engines"
        dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$engines/VERSIONS"
    done
    rm -rf "$engines/debs"
    "$engines/usr/bin/promtool" --version 2>&1 | grep -q "version $want_prometheus" \
        || { echo "promtool is not $want_prometheus*: $("$engines/usr/bin/promtool" --version 2>&1 | head -1)" >&2; exit 1; }
    "$engines/usr/bin/amtool" --version 2>&1 | grep -q "version $want_alertmanager" \
        || { echo "amtool is not $want_alertmanager*: $("$engines/usr/bin/amtool" --version 2>&1 | head -1)" >&2; exit 1; }
fi

venv=target/engines-venv
# Installed once per version of the requirements (a copy is kept beside the venv).
if ! cmp -s tools/engines/requirements.txt "$venv/requirements.txt"; then
    echo "== installing cfn-lint and grafana-foundation-sdk into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/engines/requirements.txt
    cp tools/engines/requirements.txt "$venv/requirements.txt"
fi
mkdir -p "$engines/bin"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PWD/$venv/bin/python" "$PWD/tools/engines/grafana_check.py" \
    > "$engines/bin/grafana-check"
chmod +x "$engines/bin/grafana-check"

# Debian's Alertmanager reads its notification templates (default.tmpl, email.tmpl) from a
# fixed directory; put the package's copies there when this machine lets us (without them,
# the test that runs Alertmanager prints SKIPPED).
alertmanager_ok=1
templates=/usr/share/prometheus/alertmanager
for t in "$engines$templates"/*.tmpl; do
    if ! cmp -s "$t" "$templates/$(basename "$t")" \
       && ! { mkdir -p "$templates" 2>/dev/null && cp "$t" "$templates/" 2>/dev/null; }; then
        alertmanager_ok=0
    fi
done
[ "$alertmanager_ok" = 1 ] || echo "   (cannot write $templates: the Alertmanager test will be SKIPPED)" >&2

{
    echo "export PROMTOOL=$PWD/$engines/usr/bin/promtool"
    echo "export AMTOOL=$PWD/$engines/usr/bin/amtool"
    if [ "$alertmanager_ok" = 1 ]; then
        echo "export ALERTMANAGER=$PWD/$engines/usr/bin/prometheus-alertmanager"
    fi
    echo "export CFN_LINT=$PWD/$venv/bin/cfn-lint"
    echo "export GRAFANA_CHECK=$PWD/$engines/bin/grafana-check"
} > "$env_file"
