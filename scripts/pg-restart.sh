#!/usr/bin/env bash
# Reliability: PostgreSQL restarted under load (SECURITY.md, "What each test proves").
#
# Starts a private PostgreSQL cluster (Debian's initdb and pg_ctl, as user postgres, on a free
# loopback port, in a temporary folder: the machine's own PostgreSQL is never touched), runs
# `elkarlan serve --demo` on it, and drives scripts/pg_restart_load.py: signed-in reads and writes
# on the pages and the API while PostgreSQL is stopped (`-m fast`, then `-m immediate`) and
# started again. Fails on any 500, on any answer during the outage that is not 503 with
# Retry-After, when service does not come back without restarting Elkarlan, or when a create
# retried with the same Idempotency-Key is written twice.
#
#   bash scripts/pg-restart.sh                         # target/debug/elkarlan
#   ELKARLAN_BIN=path/to/elkarlan PG_RESTART_OUTAGE=10 bash scripts/pg-restart.sh
#
# Needs root (to run PostgreSQL as the postgres user) and Debian's postgresql package.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${ELKARLAN_BIN:-$PWD/target/debug/elkarlan}"
outage="${PG_RESTART_OUTAGE:-8}"
password="Restart-demo-2026!"

pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "ERROR: PostgreSQL's initdb not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  echo "ERROR: $bin not found: run cargo build --bin elkarlan first or set ELKARLAN_BIN" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] || ! id postgres >/dev/null 2>&1; then
  echo "ERROR: run as root on a machine with the postgres user (PostgreSQL runs as postgres)" >&2
  exit 1
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tmp="$(mktemp -d -t elkarlan-pgr-XXXXXX)"
chmod 755 "$tmp"
mkdir "$tmp/pg" && chown postgres: "$tmp/pg"
pgdata="$tmp/pg/data"
pgport="$(free_port)"
port="$(free_port)"
pg_opts="-p $pgport -k $tmp/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
as_pg() { runuser -u postgres -- "$@"; }

server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  as_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

as_pg "$pgbin/initdb" -D "$pgdata" -A trust -U postgres --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log"; exit 1; }
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$tmp/pg/postgres.log" -o "$pg_opts" -w start >/dev/null
as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -Xq -c 'CREATE DATABASE elkarlan'
echo "private PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport"

(cd "$tmp" && ELKARLAN_DEMO_PASSWORD="$password" ELKARLAN_LOG="warn" \
  ELKARLAN_SECRET_KEY="$(printf '5%.0s' $(seq 1 64))" \
  exec "$bin" serve --demo --insecure-cookies --addr "127.0.0.1:$port" \
  --database-url "postgres://postgres@127.0.0.1:$pgport/elkarlan" >"$tmp/server.log" 2>&1) &
server=$!
for _ in $(seq 1 180); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null ||
  { echo "server did not start"; tail -40 "$tmp/server.log"; exit 1; }
pid_before="$server"

status=0
python3 scripts/pg_restart_load.py --base "http://127.0.0.1:$port" --password "$password" \
  --pg-ctl "$pgbin/pg_ctl" --psql "$pgbin/psql" --pgdata "$pgdata" --pg-log "$tmp/pg/postgres.log" \
  --pg-options "$pg_opts" --pg-port "$pgport" --db elkarlan --outage "$outage" || status=1

# The same process served before, during and after.
if ! kill -0 "$pid_before" 2>/dev/null; then
  echo "FAILED: the server process exited"; status=1
fi
if [ "$status" != 0 ]; then
  echo "---- server log (last 60 lines)"; tail -60 "$tmp/server.log"
fi
exit "$status"
