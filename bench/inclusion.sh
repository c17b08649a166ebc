#!/usr/bin/env bash
# Scale benchmark of the coordination of social inclusion: for each population size, generates
# a synthetic population (`elkarlan demo --people N`) in a throw-away SQLite database, then
# measures with wrk on loopback against a release build:
#   - person search, GET /api/v1/people?q=... as the `social` worker (bearer token), over a
#     rotating set of realistic queries with typos and Basque/Spanish spellings: p50/p95/p99
#     latency and requests per second;
#   - the case page, GET /cases/{id} (HTML) as the cases' lead (`social`, session cookie),
#     rotating over cases the lead leads, at 1, 16 and 64 connections: requests per second, p99.
#
#   bash bench/inclusion.sh                                # 10k, 100k and 1M people
#   BENCH_SCALES="10000" BENCH_SECONDS=5 bash bench/inclusion.sh   # a quick run
#   ELKARLAN_BIN=path/to/elkarlan bash bench/inclusion.sh  # measure a given binary, no build
#
# Prints a markdown report and writes it to bench/results/inclusion-<date>.md (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"

SCALES=(${BENCH_SCALES:-10000 100000 1000000})
BENCH_SECONDS="${BENCH_SECONDS:-10}"
CONNECTIONS=(${BENCH_CONNECTIONS:-1 16 64})
SEARCH_CONNECTIONS=(${BENCH_SEARCH_CONNECTIONS:-1 16})
BENCH_CASES="${BENCH_CASES:-200}"
DEMO_PASSWORD="${ELKARLAN_DEMO_PASSWORD:-Bench-password-2026!}"
BENCH_USER="social" # a social worker: may search people, and leads about 45% of the cases

for n in "${SCALES[@]}" "$BENCH_SECONDS" "$BENCH_CASES"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
    echo "bench: BENCH_SCALES, BENCH_SECONDS and BENCH_CASES must be positive whole numbers (got '$n')" >&2
    exit 2
  fi
done

# The search queries: what a professional types, with typos, missing accents and both
# spellings of Basque names. Every name occurs in the synthetic population.
QUERIES=(
  "etxeberria" "Echeverría" "inaki" "garcia lopez" "Iñaki Goikoetxea" "goicoechea"
  "Mikel Agirre" "aguirre" "Amaia Zubiri" "Fatima El Idrissi" "Mohamed Benali" "jon ibarra"
  "Lucía Fernández" "fernandez" "etxebarria" "Gonzales Ruiz" "Andrei Popescu"
  "Nerea Uriarte Zabala" "aitor larranaga" "Mamadou Diallo" "Wei Zhang" "xabier mendizabal"
  "Begoña Ugarte" "Koldo Aranburu" "arámburu" "Santiago Quispe Mamani" "maite bengoechea"
  "Josu Otxoa" "ochoa" "Miren Barrenetxea" "Ioana Stan" "Khadija Alaoui" "iker zuloaga"
  "Ane Gorostiza" "uxue olabarria" "Gorka Martínez Sánchez" "Carmen Perez Gomez"
)

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

# ---- clean-up ----------------------------------------------------------------------------------
tmp="$(mktemp -d -t elkarlan-inclusion-XXXXXX)"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- one scale ---------------------------------------------------------------------------------
lua="$repo_root/bench/inclusion.lua"
population_rows=()
search_rows=()
case_rows=()
notes=()

# wrk against a list of paths; appends "requests/s p50 p95 p99" (ms) to the variable named $1.
run_wrk() { # result_var label paths_file connections header
  local var="$1" label="$2" paths="$3" conns="$4" header="$5"
  local threads=$(( conns < 2 ? conns : 2 ))
  echo "bench: wrk $label, $conns connection(s), $threads thread(s), ${BENCH_SECONDS} s" >&2
  local out line
  out="$(wrk -t "$threads" -c "$conns" -d "${BENCH_SECONDS}s" --timeout 30s -s "$lua" \
    -H "$header" "$base" -- "$paths")"
  line="$(grep '^BENCH ' <<<"$out" | tail -n 1)"
  if [ -z "$line" ]; then
    echo "bench: no result line from wrk:" >&2
    echo "$out" >&2
    exit 1
  fi
  # BENCH requests duration_us p50_us p95_us p99_us non2xx3xx socket_errors
  local requests duration p50 p95 p99 bad_status socket_errors
  read -r _ requests duration p50 p95 p99 bad_status socket_errors <<<"$line"
  printf -v "$var" '%s' "$(awk -v r="$requests" -v d="$duration" -v a="$p50" -v b="$p95" -v c="$p99" \
    'BEGIN { printf "%.1f | %.1f | %.1f | %.1f", r / (d / 1e6), a / 1000, b / 1000, c / 1000 }')"
  if [ "$bad_status" != "0" ] || [ "$socket_errors" != "0" ]; then
    notes+=("- $label at $conns connection(s): $bad_status non-2xx/3xx responses, $socket_errors socket errors (of $requests requests): not a valid measurement")
  fi
  if [ "$requests" -lt 20 ]; then
    notes+=("- $label at $conns connection(s): only $requests requests in ${BENCH_SECONDS} s; percentiles are rough (raise BENCH_SECONDS)")
  fi
}

bench_scale() {
  local scale="$1"
  local dir="$tmp/$scale"
  mkdir -p "$dir"
  local url="sqlite://$dir/bench.db"

  # Generation. Run in the scale's folder: the installation key (elkarlan.key) lands there and
  # `serve` below uses the same one.
  echo "bench: generating $scale synthetic people (elkarlan demo --people $scale)"
  local started gen_seconds
  started="$(now)"
  (cd "$dir" && env ELKARLAN_DEMO_PASSWORD="$DEMO_PASSWORD" ELKARLAN_LOG=warn "$bin" \
    --database-url "$url" demo --people "$scale") | tee "$dir/generate.log" | grep -E '^population' >&2
  gen_seconds="$(seconds_since "$started")"
  local loaded people cases db_bytes pop_seconds pop_rate
  loaded="$(grep '^population loaded:' "$dir/generate.log" | tail -n 1)"
  people=$(( scale + 300 ))
  cases="$(sed -n 's/.*; \([0-9]*\) cases opened$/\1/p' <<<"$loaded")"
  cases=$(( ${cases:-0} + 260 )) # the demo city's own 260 cases
  # "(N added in S s, R people/s)": the population alone, without the demo city's load.
  pop_seconds="$(sed -n 's/.* added in \([0-9.]*\) s, \([0-9]*\) people\/s.*/\1/p' <<<"$loaded")"
  pop_rate="$(sed -n 's/.* added in \([0-9.]*\) s, \([0-9]*\) people\/s.*/\2/p' <<<"$loaded")"
  db_bytes="$(du -cb "$dir"/bench.db* | tail -n 1 | cut -f1)"

  echo "bench: elkarlan audit verify" >&2
  local verify_started verify_seconds verify_out
  verify_started="$(now)"
  verify_out="$(cd "$dir" && ELKARLAN_LOG=warn "$bin" --database-url "$url" audit verify)"
  verify_seconds="$(seconds_since "$verify_started")"
  grep -q '^audit trail intact' <<<"$verify_out" || { echo "bench: $verify_out" >&2; exit 1; }
  local audit_rows
  audit_rows="$(sed -n 's/^audit trail intact: \([0-9]*\) rows.*/\1/p' <<<"$verify_out")"

  population_rows+=("$(awk -v s="$scale" -v p="$people" -v c="$cases" -v g="$gen_seconds" -v ps="$pop_seconds" \
    -v pr="$pop_rate" -v b="$db_bytes" -v a="$audit_rows" -v v="$verify_seconds" \
    'BEGIN { printf "| %d | %d | %d | %.1f | %.1f | %d | %.0f | %d | %.1f |", s, p, c, g, ps, pr, b / 1048576, a, v }')")

  # Serve the generated database (no --demo: the accounts and people are already there).
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  base="http://127.0.0.1:$port"
  echo "bench: starting $bin serve on $base" >&2
  (cd "$dir" && exec env ELKARLAN_LOG=warn "$bin" serve --addr "127.0.0.1:$port" \
    --database-url "$url" >"$dir/server.log" 2>&1) &
  server_pid=$!
  local deadline=$((SECONDS + 120))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = "200" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "bench: the server exited before it was ready; its log:" >&2
      tail -n 50 "$dir/server.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "bench: GET /healthz did not answer 200 within 120 s; server log:" >&2
      tail -n 50 "$dir/server.log" >&2
      exit 1
    fi
    sleep 0.25
  done

  # A bearer token for the API, the search paths and the ids of cases the user leads (found
  # through the API: search, then each person's record names their case when the user leads it).
  local token
  token="$(curl -sS -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$BENCH_USER\",\"password\":\"$DEMO_PASSWORD\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  if [ -z "$token" ]; then
    echo "bench: could not get an API token for $BENCH_USER" >&2
    exit 1
  fi
  python3 - "$base" "$token" "$BENCH_CASES" "$dir" "${QUERIES[@]}" <<'PY' >&2
import json, sys, urllib.parse, urllib.request
base, token, wanted, folder, queries = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, None
paths, people, empty = [], [], []
for q in queries:
    path = "/api/v1/people?q=" + urllib.parse.quote(q)
    status, body = get(path)
    if status != 200:
        sys.exit(f"bench: GET {path} answered {status}")
    paths.append(path)
    items = body["items"]
    if not items:
        empty.append(q)
    people.extend(i["id"] for i in items if i["id"] not in people)
cases = []
for pid in people:
    if len(cases) >= wanted:
        break
    status, body = get("/api/v1/people/" + pid)
    if status == 200 and body.get("relationship") == "lead" and body.get("case"):
        cases.append(body["case"])
if not cases:
    sys.exit("bench: found no case led by the benchmark user")
open(folder + "/search-paths.txt", "w").write("\n".join(paths) + "\n")
open(folder + "/case-paths.txt", "w").write("\n".join("/cases/" + c for c in cases) + "\n")
open(folder + "/found.txt", "w").write(f"{len(queries)} queries, {len(queries) - len(empty)} with results; {len(people)} people found; {len(cases)} cases led\n")
if empty:
    open(folder + "/found.txt", "a").write("queries without results: " + ", ".join(empty) + "\n")
PY
  notes+=("- $scale: $(tr '\n' ' ' <"$dir/found.txt")")

  # A session cookie, the way a browser signs in.
  local jar="$dir/cookies.txt" csrf status cookie
  curl -sS -c "$jar" -b "$jar" -o "$dir/login.html" "$base/login"
  csrf="$(python3 - "$dir/login.html" <<'PY'
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
    "303 "*/home) ;;
    *) echo "bench: sign-in as $BENCH_USER failed: POST /login answered '$status'" >&2; exit 1 ;;
  esac
  cookie="$(awk -F '\t' '
    /^#HttpOnly_/ { sub(/^#HttpOnly_/, "", $1) }
    /^#/ || NF < 7 { next }
    { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }
  ' "$jar")"
  local first_case
  first_case="$(head -n 1 "$dir/case-paths.txt")"
  status="$(curl -sS -o "$dir/case.html" -w '%{http_code}' -H "Cookie: $cookie" "$base$first_case")"
  if [ "$status" != "200" ] || ! grep -q 'id="case-summary"' "$dir/case.html"; then
    echo "bench: GET $first_case as $BENCH_USER answered $status, not the case page" >&2
    exit 1
  fi

  # Measure.
  local result c
  for c in "${SEARCH_CONNECTIONS[@]}"; do
    run_wrk result "search ($scale)" "$dir/search-paths.txt" "$c" "Authorization: Bearer $token"
    search_rows+=("| $people | $c | $result |")
  done
  for c in "${CONNECTIONS[@]}"; do
    run_wrk result "case page ($scale)" "$dir/case-paths.txt" "$c" "Cookie: $cookie"
    case_rows+=("| $people | $c | $result |")
  done

  stop_server
  rm -rf "$dir" # a million people take gigabytes
}

for scale in "${SCALES[@]}"; do bench_scale "$scale"; done

# ---- report ------------------------------------------------------------------------------------
commit="$(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then commit="$commit (dirty)"; fi
cpu="$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
report="$(
  echo "# Elkarlan inclusion benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$build_desc of $commit on SQLite; $(nproc) cores${cpu:+ ($cpu)}, shared by wrk and the server;"
  echo "wrk on loopback, ${BENCH_SECONDS} s per row, threads = min(2, connections). People = the demo city's"
  echo "300 plus the generated population. Latency percentiles from wrk's own histogram."
  echo
  echo "## Population (\`elkarlan demo --people N\`)"
  echo
  echo "| generated | people | cases | command s | population s | people/s | database MB | audit rows | audit verify s |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${population_rows[@]}"
  echo
  echo "command s: the whole \`demo --people N\` (the demo city too); population s and people/s: the"
  echo "population alone, as the command reports it; database MB: the SQLite files after it."
  echo
  echo "## Person search: \`GET /api/v1/people?q=...\` as \`$BENCH_USER\`, ${#QUERIES[@]} rotating queries"
  echo
  echo "| people | connections | requests/s | p50 ms | p95 ms | p99 ms |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${search_rows[@]}"
  echo
  echo "## Case page: \`GET /cases/{id}\` (HTML) as the lead \`$BENCH_USER\`, up to $BENCH_CASES rotating cases"
  echo
  echo "| people | connections | requests/s | p50 ms | p95 ms | p99 ms |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${case_rows[@]}"
  echo
  echo "Notes:"
  printf '%s\n' "${notes[@]}"
)"
echo
echo "$report"
mkdir -p "$repo_root/bench/results"
out_file="$repo_root/bench/results/inclusion-$(date -u +%Y-%m-%d).md"
echo "$report" >"$out_file"
echo
echo "bench: written to ${out_file#"$repo_root"/}"
