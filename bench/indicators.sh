#!/usr/bin/env bash
# Indicator benchmark: for each population size, in a throw-away SQLite database,
#   1. generates the synthetic population (`elkarlan demo --people N`: people, cases, and
#      employment itineraries, enrolments, placements and follow-ups for about 30% of them);
#   2. times `elkarlan indicators refresh --period YEAR`: the job the worker runs, a full
#      recompute of every catalogue indicator for the year, all scopes, with disclosure control,
#      stored cell by cell (then, with BENCH_PROFILE=1, the same work timed per source read and
#      per indicator);
#   3. times the neighbourhood dashboard read from the stored cells
#      (`elkarlan indicators show --neighbourhood CODE --repeat N`: totals and breakdowns by
#      sex, age band and origin, the reads the dashboard makes), in one process, p50 / p99;
#      then (BENCH_HTTP=1, default) serves the database and runs wrk against the public
#      neighbourhood page, GET /public/neighbourhoods/CODE?period=YEAR, at 1 and 16 connections;
#   4. exports the facts (`elkarlan indicators export-facts`) and runs bench/indicators_duckdb.py:
#      DuckDB computes the same dashboard and the full computation from them (CSV converted to
#      Parquet) and every cell Elkarlan published, not suppressed, must equal DuckDB's value;
#      the script fails on any mismatch.
#
#   bash bench/indicators.sh                                  # 10k, 100k and 1M people
#   BENCH_SCALES="10000 100000" bash bench/indicators.sh      # skip the million
#   ELKARLAN_BIN=path/to/elkarlan bash bench/indicators.sh    # measure a given binary, no build
#
# Prints a markdown report and writes it to bench/results/indicators-<date>.md (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"

SCALES=(${BENCH_SCALES:-10000 100000 1000000})
YEAR="${BENCH_YEAR:-2026}"
READS="${BENCH_READS:-200}"
DUCK_REPEAT="${BENCH_DUCKDB_REPEAT:-20}"
BENCH_PROFILE="${BENCH_PROFILE:-1}"
BENCH_HTTP="${BENCH_HTTP:-1}"
BENCH_SECONDS="${BENCH_SECONDS:-5}"
HTTP_CONNECTIONS=(${BENCH_HTTP_CONNECTIONS:-1 16})
DEMO_PASSWORD="${ELKARLAN_DEMO_PASSWORD:-Bench-password-2026!}"

for n in "${SCALES[@]}" "$YEAR" "$READS" "$DUCK_REPEAT"; do
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
    echo "bench: BENCH_SCALES, BENCH_YEAR, BENCH_READS and BENCH_DUCKDB_REPEAT must be positive whole numbers (got '$n')" >&2
    exit 2
  fi
done

# ---- tools -------------------------------------------------------------------------------------
command -v python3 >/dev/null 2>&1 || { echo "bench: python3 is required" >&2; exit 1; }
venv="$repo_root/bench/.venv"
if ! "$venv/bin/python" -c 'import duckdb' >/dev/null 2>&1; then
  echo "bench: installing duckdb (PyPI) into bench/.venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi

if [ "$BENCH_HTTP" = "1" ] && ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk (Debian package)"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y wrk
fi

if [ -n "${ELKARLAN_BIN:-}" ]; then
  bin="$(realpath "$ELKARLAN_BIN")"
  build_desc="\`$bin\`"
else
  echo "bench: cargo build --release --bin elkarlan"
  cargo build --release --bin elkarlan
  bin="$repo_root/target/release/elkarlan"
  build_desc="Release build"
fi

tmp="$(mktemp -d -t elkarlan-indicators-XXXXXX)"
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

rows=()
http_rows=()
gen_rows=()
notes=()
profiles=()

bench_scale() {
  local scale="$1"
  local dir="$tmp/$scale"
  mkdir -p "$dir"
  local db="$dir/bench.db"
  local url="sqlite://$db"
  local run=(env ELKARLAN_LOG=warn "$bin" --database-url "$url")

  echo "bench: $scale: elkarlan demo --people $scale" >&2
  local started gen_s
  started="$(now)"
  (cd "$dir" && env ELKARLAN_DEMO_PASSWORD="$DEMO_PASSWORD" "${run[@]}" demo --people "$scale") \
    | tee "$dir/generate.log" | grep -E '^(population loaded|employment)' >&2
  gen_s="$(seconds_since "$started")"
  local employment db_mb
  employment="$(sed -n 's/^employment records: //p' "$dir/generate.log")"
  db_mb="$(du -cb "$db"* | tail -n 1 | awk '{ printf "%.0f", $1 / 1048576 }')"
  gen_rows+=("| $scale | $gen_s | $db_mb | $employment |")

  echo "bench: $scale: elkarlan indicators refresh --period $YEAR" >&2
  local refresh_out refresh_s cells peak
  started="$(now)"
  refresh_out="$(cd "$dir" && "${run[@]}" indicators refresh --period "$YEAR")"
  refresh_s="$(seconds_since "$started")"
  echo "$refresh_out" >&2
  cells="$(sed -n 's/.*: \([0-9]*\) cells in .*/\1/p' <<<"$refresh_out")"
  peak="$(sed -n 's/.*peak memory \([0-9?]*\) MB.*/\1/p' <<<"$refresh_out")"

  if [ "$BENCH_PROFILE" = "1" ]; then
    echo "bench: $scale: where the refresh's time goes (--profile)" >&2
    (cd "$dir" && "${run[@]}" indicators refresh --period "$YEAR" --profile) >"$dir/profile.log"
    local reads publish top
    reads="$(awk '/^PROFILE read/ { printf "%s%s %s rows %.2f s", (n++ ? ", " : ""), $3, $4, $6 }' "$dir/profile.log")"
    publish="$(awk '/^PROFILE publish/ { s += $6 } END { printf "%.2f", s }' "$dir/profile.log")"
    top="$(awk '/^PROFILE publish/ { print $6, $3 }' "$dir/profile.log" | sort -rn | head -n 5 | awk '{ printf "%s%s %.2f s", (n++ ? ", " : ""), $2, $1 }')"
    profiles+=("- $scale people: reading the facts: $reads; computing and protecting the 37 indicators: $publish s in all (slowest: $top). The rest of the refresh (storing the cells, freeing the rows) is not broken down.")
  fi

  # The neighbourhood with the most people: the dashboard read and compared.
  local nb
  nb="$(python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("SELECT a.code FROM people p JOIN areas a ON a.id = p.area_id WHERE a.kind = 'neighbourhood' "
                 "GROUP BY a.code ORDER BY COUNT(*) DESC, a.code LIMIT 1").fetchone()[0])
PY
)"
  echo "bench: $scale: dashboard of neighbourhood $nb, $READS reads" >&2
  local read_line read_p50 read_p99
  read_line="$(cd "$dir" && "${run[@]}" indicators show --neighbourhood "$nb" --period "$YEAR" --repeat "$READS" 2>/dev/null | grep '^READ ')"
  read -r _ _ read_p50 read_p99 _ <<<"$read_line"
  (cd "$dir" && "${run[@]}" indicators show --neighbourhood "$nb" --period "$YEAR" --json) >"$dir/dashboard.jsonl"

  if [ "$BENCH_HTTP" = "1" ]; then
    # The public neighbourhood page (no sign-in), served from the stored cells.
    local port base path status
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    base="http://127.0.0.1:$port"
    (cd "$dir" && exec env ELKARLAN_LOG=warn "$bin" serve --addr "127.0.0.1:$port" \
      --database-url "$url" >"$dir/server.log" 2>&1) &
    server_pid=$!
    local deadline=$((SECONDS + 120))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = "200" ]; do
      if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "bench: the server did not start; its log:" >&2
        tail -n 50 "$dir/server.log" >&2
        exit 1
      fi
      sleep 0.25
    done
    path="/public/neighbourhoods/$nb?period=$YEAR"
    status="$(curl -sS -o "$dir/page.html" -w '%{http_code}' "$base$path")"
    if [ "$status" != "200" ]; then
      echo "bench: GET $path answered $status" >&2
      exit 1
    fi
    local c threads out line requests duration p50 p99 bad errs
    for c in "${HTTP_CONNECTIONS[@]}"; do
      threads=$(( c < 2 ? c : 2 ))
      echo "bench: $scale: wrk $path, $c connection(s), ${BENCH_SECONDS} s" >&2
      out="$(wrk -t "$threads" -c "$c" -d "${BENCH_SECONDS}s" --timeout 30s -s "$repo_root/bench/report.lua" "$base$path")"
      line="$(grep '^BENCH ' <<<"$out" | tail -n 1)"
      read -r _ requests duration p50 p99 bad errs <<<"$line"
      http_rows+=("$(awk -v n="$(( scale + 300 ))" -v c="$c" -v r="$requests" -v d="$duration" -v a="$p50" -v b="$p99" \
        'BEGIN { printf "| %d | %d | %.1f | %.2f | %.2f |", n, c, r / (d / 1e6), a / 1000, b / 1000 }')")
      if [ "$bad" != "0" ] || [ "$errs" != "0" ]; then
        notes+=("- public page at $c connection(s): $bad non-2xx/3xx, $errs socket errors: not a valid measurement")
      fi
    done
    stop_server
  fi

  echo "bench: $scale: elkarlan indicators export-facts" >&2
  local export_s
  started="$(now)"
  (cd "$dir" && "${run[@]}" indicators export-facts --period "$YEAR" --out "$dir/facts") >"$dir/export.log"
  export_s="$(seconds_since "$started")"

  echo "bench: $scale: DuckDB" >&2
  if ! "$venv/bin/python" "$repo_root/bench/indicators_duckdb.py" --facts "$dir/facts" \
    --catalogue "$repo_root/crates/domain/data/indicators.json" --db "$db" --neighbourhood "$nb" \
    --dashboard-json "$dir/dashboard.jsonl" --repeat "$DUCK_REPEAT" --out "$dir/duckdb.json" >"$dir/duckdb.log"; then
    echo "bench: $scale: Elkarlan and DuckDB disagree (or DuckDB failed); see above" >&2
    exit 1
  fi
  local summary
  summary="$(python3 - "$dir/duckdb.json" "$refresh_s" "$read_p50" "$read_p99" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
refresh, p50, p99 = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{s['dashboard_ms_p50']:.1f} | {s['dashboard_ms_p99']:.1f} | {s['full_s']:.2f} | "
      f"{p50 / s['dashboard_ms_p50']:.4f} | {refresh / s['full_s']:.1f} | "
      f"{s['dashboard_checked']} + {s['full_checked']} ({s['dashboard_suppressed']} + {s['full_suppressed']} suppressed)")
print(f"facts: " + ", ".join(f"{k} {v}" for k, v in s["rows"].items()) + f"; CSV to Parquet {s['convert_s']:.1f} s; DuckDB {s['duckdb']}")
PY
)"
  local people
  people=$(( scale + 300 ))
  rows+=("| $people | $refresh_s | $cells | ${peak} | $read_p50 | $read_p99 | $(head -n 1 <<<"$summary") |")
  notes+=("- $people people: neighbourhood $nb; export-facts $export_s s; $(tail -n 1 <<<"$summary")")
  rm -rf "$dir"
}

for scale in "${SCALES[@]}"; do bench_scale "$scale"; done

commit="$(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
if [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]; then commit="$commit (dirty)"; fi
cpu="$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
report="$(
  echo "# Elkarlan indicator benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$build_desc of $commit on SQLite; $(nproc) cores${cpu:+ ($cpu)}. Period: the year $YEAR."
  echo
  echo "## Generation (\`elkarlan demo --people N\`)"
  echo
  echo "| generated | seconds | database MB | employment records |"
  echo "| ---: | ---: | ---: | --- |"
  printf '%s\n' "${gen_rows[@]}"
  echo
  echo "## Refresh, dashboard read, DuckDB"
  echo
  echo "| people | elkarlan refresh s | cells stored | refresh peak MB | dashboard read p50 ms | dashboard read p99 ms | duckdb dashboard p50 ms | duckdb dashboard p99 ms | duckdb full s | read / duckdb dashboard | refresh / duckdb full | cells compared (dashboard + all) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${rows[@]}"
  if [ "${#http_rows[@]}" -gt 0 ]; then
    echo
    echo "Public neighbourhood page, \`GET /public/neighbourhoods/CODE?period=$YEAR\` (HTML, no sign-in), wrk ${BENCH_SECONDS} s per row:"
    echo
    echo "| people | connections | requests/s | p50 ms | p99 ms |"
    echo "| ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${http_rows[@]}"
  fi
  echo
  echo "- elkarlan refresh: \`indicators refresh\`, all 37 indicators, every scope, disclosure control, cells stored (one process, wall clock)."
  echo "- dashboard read: the stored cells of one neighbourhood (totals, by sex, age band, origin), $READS reads in one process."
  echo "- duckdb dashboard: the same neighbourhood's numbers computed from the facts (Parquet), raw, before disclosure control, $DUCK_REPEAT runs."
  echo "- duckdb full: every cell of every indicator computed from the facts, best of 3."
  echo "- Every published (not suppressed) cell was compared with DuckDB's value: no mismatch, or the run fails."
  echo
  echo "Notes:"
  printf '%s\n' "${notes[@]}"
  if [ "${#profiles[@]}" -gt 0 ]; then
    echo
    echo "Where the refresh's time goes (\`indicators refresh --profile\`):"
    printf '%s\n' "${profiles[@]}"
  fi
)"
echo
echo "$report"
mkdir -p "$repo_root/bench/results"
out_file="$repo_root/bench/results/indicators-$(date -u +%Y-%m-%d).md"
echo "$report" >"$out_file"
echo
echo "bench: written to ${out_file#"$repo_root"/}"
