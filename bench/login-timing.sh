#!/usr/bin/env bash
# Sign-in timing: the medians of 200 sign-ins with an unknown user and 200 with a wrong password
# must differ by under 5 ms (security.md). Starts the server with the demo city on a free port
# and a fresh SQLite database, then runs bench/login-timing.py against it.
#
#   bash bench/login-timing.sh                        # target/debug/elkarlan, 200 tries each
#   ELKARLAN_BIN=target/release/elkarlan bash bench/login-timing.sh
#   TRIES=50 bash bench/login-timing.sh               # a short run
#
# The throttle is kept out of the measurement, and the script says how: the server trusts
# 127.0.0.1 as a proxy (`trusted_proxies`) and every try sends its own X-Forwarded-For address,
# and `throttle_after` and `lock_after` are raised to 100000 so the one known account is never
# delayed or locked. Argon2id runs with the production parameters (19 MiB, t = 2).
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${ELKARLAN_BIN:-$repo_root/target/debug/elkarlan}")"
tries="${TRIES:-200}"
known="${KNOWN_USER:-coordinator}"
tmp="$(mktemp -d -t elkarlan-timing-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/elkarlan.toml" <<TOML
trusted_proxies = ["127.0.0.1"]
throttle_after = 100000
lock_after = 100000
TOML
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
echo "login-timing: $bin serve --demo on $base, $tries tries each"
(cd "$tmp" && exec env ELKARLAN_DEMO_PASSWORD="timing demo password 2026" "$bin" serve --demo \
  --config "$tmp/elkarlan.toml" --addr "127.0.0.1:$port" \
  --database-url "sqlite://$tmp/timing.db" >"$tmp/server.log" 2>&1) &
server_pid=$!
deadline=$((SECONDS + 180))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = "200" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "login-timing: the server did not start; its log:" >&2
    tail -n 40 "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.25
done
python3 "$repo_root/bench/login-timing.py" "$base" "$known" "$tries"
