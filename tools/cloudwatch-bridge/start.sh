#!/usr/bin/env bash
# Start moto (CloudWatch + S3 emulator) and the CloudWatch RPC v2 CBOR bridge
# in front of it, each on a free 127.0.0.1 port, and print shell `export`
# lines for the endpoint and both PIDs.
#
# Usage:
#   tools/cloudwatch-bridge/start.sh PYTHON [ENV_FILE]
#
#   PYTHON    python of a venv with requirements.txt installed,
#             e.g. target/cw-bridge-venv/bin/python
#   ENV_FILE  optional: write the export lines there instead of stdout
#
# Then, in a test script:
#   tools/cloudwatch-bridge/start.sh "$PY" "$ENV_FILE" && source "$ENV_FILE"
#   # or: eval "$(tools/cloudwatch-bridge/start.sh "$PY")"
#   ... run tests against $AWS_ENDPOINT_URL ...
#   kill "$CW_BRIDGE_PID" "$MOTO_PID"
#
# Exported: AWS_ENDPOINT_URL, CW_BRIDGE_PORT, CW_BRIDGE_PID, MOTO_URL,
# MOTO_PORT, MOTO_PID, CW_BRIDGE_LOG_DIR. Logs go to $CW_BRIDGE_LOG_DIR
# (default: a new directory under ${TMPDIR:-/tmp}).
# Waits at most $CW_BRIDGE_START_TIMEOUT seconds (default 60) for each
# process; on failure prints the logs, stops what it started and exits 1.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 PYTHON [ENV_FILE]" >&2
    exit 2
fi
PY=$1
ENV_FILE=${2:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=${CW_BRIDGE_START_TIMEOUT:-60}

if ! "$PY" -c 'import moto.server, cbor2, botocore' 2>/dev/null; then
    echo "start.sh: $PY cannot import moto.server, cbor2 and botocore;" \
         "install $HERE/requirements.txt into its venv" >&2
    exit 1
fi

LOG_DIR=${CW_BRIDGE_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/cw-bridge.XXXXXX")}
mkdir -p "$LOG_DIR"
MOTO_PID=""
BRIDGE_PID=""

fail() {
    echo "start.sh: $*" >&2
    for f in "$LOG_DIR"/moto.log "$LOG_DIR"/bridge.log; do
        if [[ -s $f ]]; then
            echo "---- $f (last 40 lines) ----" >&2
            tail -n 40 "$f" >&2
        fi
    done
    [[ -n $BRIDGE_PID ]] && kill "$BRIDGE_PID" 2>/dev/null || true
    [[ -n $MOTO_PID ]] && kill "$MOTO_PID" 2>/dev/null || true
    exit 1
}

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# answers() PORT PATH: true once something speaks HTTP there
answers() {
    "$PY" - "$1" "$2" <<'EOF' 2>/dev/null
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
c.request("GET", sys.argv[2])
c.getresponse().read()
EOF
}

# ---- moto ----------------------------------------------------------------
started=""
for attempt in 1 2 3; do
    MOTO_PORT=$(free_port)
    # stdin/stdout/stderr detached so that `eval "$(start.sh ...)"` returns
    nohup "$PY" -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" \
        </dev/null >"$LOG_DIR/moto.log" 2>&1 &
    MOTO_PID=$!
    deadline=$((SECONDS + TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$MOTO_PID" 2>/dev/null; then
            break          # died (port race?): try another port
        fi
        if answers "$MOTO_PORT" /moto-api/; then
            started=yes
            break
        fi
        sleep 0.2
    done
    [[ -n $started ]] && break
    if kill -0 "$MOTO_PID" 2>/dev/null; then
        fail "moto did not answer on 127.0.0.1:$MOTO_PORT within ${TIMEOUT}s"
    fi
    echo "start.sh: moto exited on port $MOTO_PORT (attempt $attempt), retrying" >&2
    MOTO_PID=""
done
[[ -n $started ]] || fail "moto would not start"
MOTO_URL="http://127.0.0.1:$MOTO_PORT"

# ---- bridge ----------------------------------------------------------------
PORT_FILE="$LOG_DIR/bridge.port"
rm -f "$PORT_FILE"
nohup "$PY" "$HERE/bridge.py" --host 127.0.0.1 --port 0 --port-file "$PORT_FILE" \
    --moto-url "$MOTO_URL" </dev/null >"$LOG_DIR/bridge.log" 2>&1 &
BRIDGE_PID=$!
deadline=$((SECONDS + TIMEOUT))
BRIDGE_PORT=""
while ((SECONDS < deadline)); do
    kill -0 "$BRIDGE_PID" 2>/dev/null || fail "bridge exited during start-up"
    if [[ -s $PORT_FILE ]]; then
        BRIDGE_PORT=$(tr -d '[:space:]' <"$PORT_FILE")
        if answers "$BRIDGE_PORT" /moto-api/; then
            break
        fi
    fi
    BRIDGE_PORT=""
    sleep 0.2
done
[[ -n $BRIDGE_PORT ]] || fail "bridge did not answer within ${TIMEOUT}s"

exports=$(cat <<EOF
export AWS_ENDPOINT_URL=http://127.0.0.1:$BRIDGE_PORT
export CW_BRIDGE_PORT=$BRIDGE_PORT
export CW_BRIDGE_PID=$BRIDGE_PID
export MOTO_URL=$MOTO_URL
export MOTO_PORT=$MOTO_PORT
export MOTO_PID=$MOTO_PID
export CW_BRIDGE_LOG_DIR=$LOG_DIR
EOF
)
if [[ -n $ENV_FILE ]]; then
    printf '%s\n' "$exports" >"$ENV_FILE"
    echo "start.sh: bridge http://127.0.0.1:$BRIDGE_PORT (pid $BRIDGE_PID) -> moto $MOTO_URL (pid $MOTO_PID); exports in $ENV_FILE" >&2
else
    printf '%s\n' "$exports"
fi
