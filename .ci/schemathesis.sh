#!/usr/bin/env bash
# schemathesis against the example leave server, through `stubforge export`: all checks,
# positive and negative modes, a bounded number of examples per operation. Run by
# .ci/run after the tests (which build target/debug/leave-server and stubforge).
# Usage: .ci/schemathesis.sh VENV
set -euo pipefail
cd "$(dirname "$0")/.."
venv=$1
work=target/ci-schemathesis
rm -rf "$work"
mkdir -p "$work"

# schemathesis reads the 3.0 export: its 3.1 reading rewrites `prefixItems` (the
# send_leave tuple) into a form its own schema check then refuses.
target/debug/stubforge export --spec api/server-server/leaving.yaml --openapi 3.0 --out "$work/leave.json"

target/debug/leave-server --port 0 --openapi "$work/leave.json" >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.out")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "the leave server did not start" >&2
    cat "$work/server.err" >&2
    exit 1
fi

# The leave server trusts any X-Matrix header. A fixed seed keeps runs comparable;
# --max-examples bounds the run (about 300 requests, well under a minute).
timeout 180 "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --url "http://127.0.0.1:$port/_matrix/federation/v1" \
    --checks all --mode all --max-examples 100 --seed 1 \
    --request-timeout 10 \
    -H 'Authorization: X-Matrix origin=example.org,key="ed25519:1",sig="c2ln"'
kill "$server"
wait "$server" 2>/dev/null || true
trap - EXIT
