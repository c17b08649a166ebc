#!/usr/bin/env bash
# Foundation load benchmark for Elkarlan: throughput and latency of /healthz (no database, no
# session), of the authenticated page /home (session lookup + template rendering) and of an
# audited API read (/api/v1/users/{id}: one read-audit row per request, group commit), measured
# with wrk on loopback against a release build with a throw-away SQLite database.
#
#   bash bench/run.sh                     # 10 s per run
#   BENCH_SECONDS=30 bash bench/run.sh    # longer runs
#   BENCH_CONNECTIONS="1 8" bash bench/run.sh, ELKARLAN_BIN=path/to/elkarlan bash bench/run.sh
#
# Prints a markdown table and writes it to bench/results/foundation-<date>.md (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"

BENCH_SECONDS="${BENCH_SECONDS:-10}"
CONNECTIONS=(${BENCH_CONNECTIONS:-1 16 64})
DEMO_PASSWORD="${ELKARLAN_DEMO_PASSWORD:-Bench-password-2026!}"
BENCH_USER="${BENCH_USER:-coordinator}"

if ! [[ "$BENCH_SECONDS" =~ ^[0-9]+$ ]] || [ "$BENCH_SECONDS" -lt 1 ]; then
  echo "BENCH_SECONDS must be a positive whole number of seconds (got '$BENCH_SECONDS')" >&2
  exit 2
fi

# ---- tools -------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk (Debian package)"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y wrk
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

if [ -n "${ELKARLAN_BIN:-}" ]; then
  bin="$(realpath "$ELKARLAN_BIN")" # benchmark a given binary instead (no build)
  build_desc="\`$bin\`"
else
  echo "bench: cargo build --release --bin elkarlan"
  cargo build --release --bin elkarlan
  bin="$repo_root/target/release/elkarlan"
  build_desc="Release build"
fi

# ---- server ------------------------------------------------------------------------------------
tmp="$(mktemp -d -t elkarlan-bench-XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"

echo "bench: starting $bin serve --demo on $base"
# Run in the temporary folder: files the server writes beside itself (elkarlan.key) stay there.
(cd "$tmp" && exec env ELKARLAN_DEMO_PASSWORD="$DEMO_PASSWORD" "$bin" serve --demo \
  --addr "127.0.0.1:$port" \
  --database-url "sqlite://$tmp/bench.db" \
  >"$tmp/server.log" 2>&1) &
server_pid=$!

deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = "200" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "bench: the server exited before it was ready; its log:" >&2
    tail -n 50 "$tmp/server.log" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "bench: GET /healthz did not answer 200 within 120 s; server log:" >&2
    tail -n 50 "$tmp/server.log" >&2
    exit 1
  fi
  sleep 0.25
done

# ---- sign in -----------------------------------------------------------------------------------
jar="$tmp/cookies.txt"
curl -sS -c "$jar" -b "$jar" -o "$tmp/login.html" "$base/login"
csrf="$(python3 - "$tmp/login.html" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for tag in re.findall(r"<input\b[^>]*>", page):
    if re.search(r"""\bname\s*=\s*["']?csrf["'\s>/]""", tag):
        m = re.search(r"""\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
        if m:
            print(html.unescape(m.group(1) if m.group(1) is not None else m.group(2)))
            sys.exit(0)
sys.exit("no <input name=csrf value=...> on GET /login")
PY
)"
status="$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
  -H "Origin: $base" \
  --data-urlencode "username=$BENCH_USER" \
  --data-urlencode "password=$DEMO_PASSWORD" \
  --data-urlencode "csrf=$csrf" \
  "$base/login")"
case "$status" in
  "303 $base/home" | "303 "*/home) ;;
  *) echo "bench: sign-in as $BENCH_USER failed: POST /login answered '$status'" >&2; exit 1 ;;
esac

# Cookie header from the jar (HttpOnly cookies are written as '#HttpOnly_<domain>' lines).
cookie="$(awk -F '\t' '
  /^#HttpOnly_/ { sub(/^#HttpOnly_/, "", $1) }
  /^#/ || NF < 7 { next }
  { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }
' "$jar")"
home_status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/home")"
if [ "$home_status" != "200" ]; then
  echo "bench: GET /home with the session cookie answered $home_status, not 200" >&2
  exit 1
fi

# ---- measure -----------------------------------------------------------------------------------
lua="$repo_root/bench/report.lua"
results=()
notes=()
run_wrk() { # endpoint connections [header]
  local endpoint="$1" conns="$2" header="${3:-}"
  local threads=$(( conns < 2 ? conns : 2 ))
  local args=(-t "$threads" -c "$conns" -d "${BENCH_SECONDS}s" --timeout 10s -s "$lua")
  if [ -n "$header" ]; then args+=(-H "$header"); fi
  echo "bench: wrk $endpoint, $conns connection(s), $threads thread(s), ${BENCH_SECONDS} s" >&2
  local out line
  out="$(wrk "${args[@]}" "$base$endpoint")"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1)"
  if [ -z "$line" ]; then
    echo "bench: no result line from wrk:" >&2
    echo "$out" >&2
    exit 1
  fi
  # BENCH requests duration_us p50_us p99_us non2xx3xx socket_errors
  read -r _ requests duration p50 p99 bad_status socket_errors <<<"$line"
  results+=("$(awk -v e="$endpoint" -v c="$conns" -v r="$requests" -v d="$duration" -v p50="$p50" -v p99="$p99" \
    'BEGIN { printf "| %s | %d | %.0f | %.2f | %.2f |", e, c, r / (d / 1e6), p50 / 1000, p99 / 1000 }')")
  if [ "$bad_status" != "0" ] || [ "$socket_errors" != "0" ]; then
    notes+=("- $endpoint at $conns connection(s): $bad_status non-2xx/3xx responses, $socket_errors socket errors (of $requests requests)")
  fi
}

for c in "${CONNECTIONS[@]}"; do run_wrk /healthz "$c"; done
for c in "${CONNECTIONS[@]}"; do run_wrk /home "$c" "Cookie: $cookie"; done

# An audited read of personal data: an administrator reading a staff account through the API.
# Every request appends a read-audit row; concurrent requests share one commit (group commit),
# and each response is sent only after its row is committed.
token="$(curl -sS -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$DEMO_PASSWORD\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
if [ -z "$token" ]; then
  echo "bench: could not get an API token for admin" >&2
  exit 1
fi
user_id="$(curl -sS "$base/api/v1/users?limit=1" -H "Authorization: Bearer $token" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -1)"
audit_before="$(curl -sS "$base/metrics" | awk '/^elkarlan_audit_read_rows_total/ {print $2}')"
for c in "${CONNECTIONS[@]}"; do run_wrk "/api/v1/users/$user_id" "$c" "Authorization: Bearer $token"; done
audit_after="$(curl -sS "$base/metrics" | awk '/^elkarlan_audit_read_rows_total/ {print $2}')"
batches="$(curl -sS "$base/metrics" | awk '/^elkarlan_audit_read_batches_total/ {print $2}')"
notes+=("- audited reads: $((audit_after - audit_before)) read-audit rows written during the API runs; $batches group commits in total since start")

# ---- report ------------------------------------------------------------------------------------
commit="$(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then commit="$commit (dirty)"; fi
cpu="$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
report="$(
  echo "# Elkarlan foundation benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$build_desc of $commit; \`serve --demo\` on SQLite; wrk on loopback, ${BENCH_SECONDS} s per row,"
  echo "threads = min(2, connections); $(nproc) cores${cpu:+ ($cpu)}, shared by wrk and the server."
  echo "/home is signed in as \`$BENCH_USER\`. Latency percentiles from wrk's own histogram."
  echo
  echo "| endpoint | connections | requests/s | p50 ms | p99 ms |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${results[@]}"
  if [ "${#notes[@]}" -gt 0 ]; then
    echo
    echo "Errors:"
    printf '%s\n' "${notes[@]}"
  fi
)"
echo
echo "$report"
mkdir -p "$repo_root/bench/results"
out_file="$repo_root/bench/results/foundation-$(date -u +%Y-%m-%d).md"
echo "$report" >"$out_file"
echo
echo "bench: written to ${out_file#"$repo_root"/}"
