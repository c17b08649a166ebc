#!/usr/bin/env bash
# Property-based API testing with Schemathesis (PyPI) against the OpenAPI document, as several
# roles: no server error, every response as documented, and no operation that answers without
# credentials. Starts `elkarlan serve --demo` on a free loopback port with a throw-away SQLite
# database; the token endpoint is left out (the run would revoke its own token).
#
#   bash scripts/schemathesis.sh                      # debug build, 25 examples per operation
#   ST_EXAMPLES=100 ST_ROLES="social dpo" bash scripts/schemathesis.sh
#   ELKARLAN_BIN=path/to/elkarlan bash scripts/schemathesis.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"
ST_EXAMPLES="${ST_EXAMPLES:-25}"
ROLES=(${ST_ROLES:-social lanbide health dpo admin coordinator trainer})
PASSWORD="Schemathesis-demo-2026!"

if ! python3 -m schemathesis.cli --version >/dev/null 2>&1; then
  echo "schemathesis: installing from PyPI"
  python3 -m pip install --quiet 'schemathesis>=4,<5'
fi
python3 -m schemathesis.cli --version

bin="${ELKARLAN_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --bin elkarlan
  bin="$PWD/target/debug/elkarlan"
fi

tmp="$(mktemp -d -t elkarlan-st-XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
(cd "$tmp" && ELKARLAN_DEMO_PASSWORD="$PASSWORD" exec "$bin" serve --demo --addr "127.0.0.1:$port" \
  --database-url "sqlite://$tmp/st.db" >"$tmp/server.log" 2>&1) &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 120); do
  curl -sf "$base/healthz" >/dev/null && break
  sleep 1
done
curl -sf "$base/healthz" >/dev/null || { echo "server did not start"; tail -40 "$tmp/server.log"; exit 1; }

status=0
for role in "${ROLES[@]}"; do
  token="$(curl -s -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$role\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import sys, json; print(json.load(sys.stdin)["access_token"])')"
  echo "== schemathesis as $role"
  if ! python3 -m schemathesis.cli run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --exclude-path /api/v1/auth/token \
    --checks not_a_server_error,response_schema_conformance,ignored_auth \
    --max-examples "$ST_EXAMPLES" --workers 2 --no-color >"$tmp/st-$role.log" 2>&1; then
    status=1
    tail -80 "$tmp/st-$role.log"
  fi
  grep -E '^ *[0-9]+ generated' "$tmp/st-$role.log" || tail -5 "$tmp/st-$role.log"
done
exit "$status"
