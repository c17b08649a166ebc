#!/usr/bin/env bash
# Crash consistency on SQLite: CRASH_CYCLES times (200 by default; CI runs 20), start the server
# on a fresh port against the same database file, wait for /readyz, run concurrent writers
# (registrations, referrals and their transitions, case notes, a referral-list import:
# scripts/crash_load.py), kill the server with SIGKILL at a random moment 0.2-3 s into the
# load, then with the server down check:
#   - PRAGMA integrity_check answers ok;
#   - `elkarlan audit verify` finds every tenant's hash chain intact;
#   - every write the load generator saw acknowledged (2xx) is in the database (by its id; a
#     referral's status is at or past the last acknowledged move);
#   - every import it sent is there whole (all its rows) or not at all.
# Prints a summary with the counts and exits non-zero on any failure.
#
#   bash scripts/crash-cycles.sh                              # 200 cycles, debug build
#   CRASH_CYCLES=20 ELKARLAN_BIN=target/debug/elkarlan bash scripts/crash-cycles.sh
#   CRASH_SEED=7 ...                                          # repeat a run's kill moments
#   CRASH_KEEP=1 ...                                          # keep the working folder
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"
CYCLES="${CRASH_CYCLES:-200}"
SEED="${CRASH_SEED:-$RANDOM}"
PASSWORD="Crash-demo-2026!"
if ! [[ "$CYCLES" =~ ^[0-9]+$ ]] || [ "$CYCLES" -lt 1 ]; then
  echo "crash: CRASH_CYCLES must be a whole number of at least 1" >&2
  exit 2
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "crash: $tool is required" >&2; exit 1; }
done

bin="${ELKARLAN_BIN:-$repo_root/target/debug/elkarlan}"
if [ ! -x "$bin" ]; then
  echo "crash: $bin not found; cargo build --bin elkarlan" >&2
  cargo build --bin elkarlan
fi
bin="$(realpath "$bin")"

tmp="$(mktemp -d -t elkarlan-crash-XXXXXX)"
db="$tmp/crash.db"
url="sqlite://$db"
server_pid=""
load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "${CRASH_KEEP:-}" ]; then echo "crash: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# start_server CYCLE: the server on a fresh port, waiting until /readyz answers 200.
start_server() {
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  (cd "$tmp" && exec env ELKARLAN_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "$url" \
    >>"$tmp/server.log" 2>&1) &
  server_pid=$!
  local deadline=$((SECONDS + 60))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = "200" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "crash: the server did not start (cycle $1)" >&2
      tail -n 40 "$tmp/server.log" >&2
      exit 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "crash: /readyz not ready after 60 s (cycle $1)" >&2; exit 1; }
    sleep 0.05
  done
}

started=$SECONDS
echo "crash: $CYCLES cycles, seed $SEED, $bin, database $db"
echo "crash: loading the demo city"
(cd "$tmp" && env ELKARLAN_DEMO_PASSWORD="$PASSWORD" ELKARLAN_LOG=warn "$bin" --database-url "$url" demo >/dev/null)
start_server 0
python3 scripts/crash_load.py setup --base "$base" --state "$tmp" --password "$PASSWORD"
kill -TERM "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
setup_seconds=$((SECONDS - started))

RANDOM=$SEED
failures=0
audit_breaks=0
for cycle in $(seq 1 "$CYCLES"); do
  start_server "$cycle"
  python3 scripts/crash_load.py load --base "$base" --state "$tmp" --cycle "$cycle" 2>>"$tmp/load.log" &
  load_pid=$!
  # 0.2 to 3 s into the load.
  ms=$((RANDOM % 2801 + 200))
  delay="$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  sleep "$delay"
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  wait "$load_pid" || true
  load_pid=""

  cycle_ok=1
  if ! verify="$(cd "$tmp" && ELKARLAN_LOG=warn "$bin" --database-url "$url" audit verify 2>&1)" ||
    ! grep -q '^audit trail intact' <<<"$verify"; then
    audit_breaks=$((audit_breaks + 1))
    cycle_ok=0
    echo "crash: cycle $cycle: audit verify: $verify" >&2
  fi
  if ! result="$(python3 scripts/crash_load.py check --db "$db" --state "$tmp" --cycle "$cycle")"; then
    cycle_ok=0
  fi
  [ "$cycle_ok" = 1 ] || failures=$((failures + 1))
  printf 'crash: cycle %d/%d killed at %ss: %s; audit: %s\n' "$cycle" "$CYCLES" "$delay" "$result" \
    "$(sed -n 's/^audit trail intact: \([0-9]*\) rows.*/\1 rows intact/p' <<<"$verify")"
done

elapsed=$((SECONDS - started))
echo
echo "crash: summary of $CYCLES cycles (seed $SEED) in $elapsed s (setup $setup_seconds s):"
python3 scripts/crash_load.py summary --state "$tmp" | tee "$tmp/summary.json"
echo "  audit chain breaks: $audit_breaks"
echo "  cycles with a failure: $failures"
if grep -q 'writer .* failed\|import answered' "$tmp/load.log" 2>/dev/null; then
  echo "crash: the load generator reported (first lines):"
  grep 'writer .* failed\|import answered' "$tmp/load.log" | head -n 10
fi
if [ "$failures" -ne 0 ]; then
  echo "crash: FAILED: $failures of $CYCLES cycles" >&2
  exit 1
fi
echo "crash: $CYCLES passed, 0 failed"
