#!/usr/bin/env bash
# A full disk under the SQLite database. The demo city's database is copied onto a small tmpfs
# (mounted here, so this runs as root) and the server started on it; then:
#   1. with 512 KiB left, a 2,000-row referral list is sent: it needs more, so it is refused
#      with 503 and nothing of it is saved (no person, case, imported row or import record);
#   2. with no room at all, a registration, a case note and a sign-in through the login form
#      answer 503 with the translated problem document / error page (Basque, Spanish, English)
#      and Retry-After; nothing is written; no 500 anywhere; the server keeps running;
#   3. PRAGMA integrity_check is ok and `elkarlan audit verify` finds the chain intact;
#   4. once space is freed, the same writes succeed at once (no restart) and the same list
#      imports whole; integrity and audit chain checked again.
# Prints each check and exits non-zero on any failure.
#
#   bash scripts/disk-full.sh
#   ELKARLAN_BIN=target/debug/elkarlan bash scripts/disk-full.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"
PASSWORD="Disk-full-demo-2026!"
ROWS=2000
if [ "$(id -u)" != 0 ]; then
  echo "disk-full: mounting the small file system needs root" >&2
  exit 2
fi
for tool in curl python3 mount umount dd df; do
  command -v "$tool" >/dev/null 2>&1 || { echo "disk-full: $tool is required" >&2; exit 1; }
done

bin="${ELKARLAN_BIN:-$repo_root/target/debug/elkarlan}"
if [ ! -x "$bin" ]; then
  echo "disk-full: $bin not found; cargo build --bin elkarlan" >&2
  cargo build --bin elkarlan
fi
bin="$(realpath "$bin")"

tmp="$(mktemp -d -t elkarlan-disk-full-XXXXXX)"
fs="$tmp/fs"
mkdir "$fs"
db="$fs/elkarlan.db"
url="sqlite://$db"
server_pid=""
mounted=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -n "$mounted" ] && umount "$fs" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
check() { # check "what" command...
  local what="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok:   $what"
  else
    failed=$((failed + 1))
    echo "FAIL: $what"
  fi
}
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
same() { [ "$1" = "$2" ]; }
avail_kib() { df --output=avail -k "$fs" | tail -n 1 | tr -d ' '; }
counts() { python3 scripts/disk_full.py counts --db "$db"; }
# The rows a write adds, without sessions and audit rows (sign-ins and reads add those).
records() { python3 -c 'import json, sys; c = json.loads(sys.argv[1]); print(c["people"], c["cases"], c["case_notes"], c["inbound_referrals"], c["referral_imports"])' "$1"; }
verify() {
  local out
  out="$(cd "$tmp" && ELKARLAN_LOG=warn "$bin" --database-url "$url" audit verify 2>&1)" || true
  echo "      $out"
  grep -q '^audit trail intact' <<<"$out"
}
server_alive() { kill -0 "$server_pid" 2>/dev/null; }
no_internal_errors() { ! grep -q 'internal error' "$tmp/server.log"; }

started=$SECONDS
echo "disk-full: loading the demo city"
(cd "$tmp" && env ELKARLAN_DEMO_PASSWORD="$PASSWORD" ELKARLAN_LOG=warn "$bin" --database-url "sqlite://$tmp/seed.db" demo >/dev/null)
# Room for the demo city and, once space is freed, the list (about 12 MiB of log and 11 MiB
# of database for 2,000 rows).
size_mib=$(( $(stat -c %s "$tmp/seed.db") / 1048576 + 48 ))
mount -t tmpfs -o "size=${size_mib}m,mode=0700" elkarlan-disk-full "$fs"
mounted=1
cp "$tmp/seed.db" "$db"
echo "disk-full: database on a ${size_mib} MiB tmpfs at $fs"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
(cd "$tmp" && exec env ELKARLAN_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "$url" >"$tmp/server.log" 2>&1) &
server_pid=$!
deadline=$((SECONDS + 60))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = "200" ]; do
  server_alive || { tail -n 40 "$tmp/server.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "disk-full: the server did not start" >&2; exit 1; }
  sleep 0.1
done
python3 scripts/crash_load.py setup --base "$base" --state "$tmp" --password "$PASSWORD" >/dev/null
python3 scripts/disk_full.py prepare --base "$base" --state "$tmp"
# Empties the write-ahead log into the database, so that the next write has to grow a file
# (SQLite reuses the space of a log it has already written).
empty_log() {
  python3 - "$db" <<'PY'
import sqlite3, sys
busy = sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
sys.exit(f"disk-full: the log could not be emptied (busy {busy})" if busy else 0)
PY
}
empty_log

echo
echo "== 1. 512 KiB left: a ${ROWS}-row referral list needs more"
before="$(counts)"
dd if=/dev/zero of="$fs/filler-1" bs=4096 count=$(( ($(avail_kib) - 512) / 4 )) status=none
echo "      free: $(avail_kib) KiB"
result="$(python3 scripts/disk_full.py import --base "$base" --state "$tmp" --rows "$ROWS" --prefix DF-)"
echo "      $result"
check "the list is refused with 503 (problem-storage-full)" same "$(field "$result" status) $(field "$result" type)" "503 /api/docs#problem-storage-full"
after="$(counts)"
check "nothing of it is saved (people, cases, notes, imported rows, imports unchanged)" same "$(records "$before")" "$(records "$after")"
check "the server is still running" server_alive

echo
echo "== 2. no room at all"
# The failed list left its uncommitted pages in the log, which the next writes would reuse:
# empty the log first, then take every block.
rm -f "$fs/filler-1"
empty_log
dd if=/dev/zero of="$fs/filler-2" bs=4096 status=none 2>/dev/null || true
echo "      free: $(avail_kib) KiB"
before="$(counts)"
check "registration, case note and sign-in answer 503 with the translated problem / page" \
  python3 scripts/disk_full.py full --base "$base" --state "$tmp"
after="$(counts)"
check "nothing is written (records, sessions and audit rows unchanged)" same "$before" "$after"
check "the server is still running" server_alive

echo
echo "== 3. the database, with the disk still full"
check "PRAGMA integrity_check: $(field "$after" integrity)" same "$(field "$after" integrity)" ok
check "elkarlan audit verify" verify

echo
echo "== 4. room again"
rm -f "$fs"/filler-*
echo "      free: $(avail_kib) KiB"
check "registration, case note and sign-in succeed without a restart" \
  python3 scripts/disk_full.py room --base "$base" --state "$tmp"
result="$(python3 scripts/disk_full.py import --base "$base" --state "$tmp" --rows "$ROWS" --prefix DF-)"
echo "      $result"
check "the same list now imports (200)" same "$(field "$result" status) $(field "$result" imported)" "200 True"
after="$(counts)"
check "... whole: $ROWS imported rows more than before" same "$(field "$after" inbound_referrals)" "$(( $(field "$before" inbound_referrals) + ROWS ))"
check "no answer was a 500 (no 'internal error' in the server's log)" no_internal_errors
kill -TERM "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
after="$(counts)"
check "PRAGMA integrity_check after the server stopped: $(field "$after" integrity)" same "$(field "$after" integrity)" ok
check "elkarlan audit verify after the server stopped" verify

echo
echo "disk-full: $((SECONDS - started)) s"
echo "disk-full: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
