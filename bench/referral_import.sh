#!/usr/bin/env bash
# Benchmark of the referral list import: a synthetic list of BENCH_ROWS rows (100,000 by
# default; fictional people with valid DNI/NIE check letters) is generated as CSV and sent to
# POST /api/v1/programmes/{id}/referral-imports as the `lanbide` professional, against a
# release build on the embedded SQLite (or PostgreSQL with BENCH_DATABASE_URL). Measures:
#   - the first import: seconds, rows per second, and the server's peak memory (VmHWM)
#     against its resident memory before the upload;
#   - the same list again (idempotent: nothing new is written): seconds, rows per second;
#   - a list with one bad row at the end: refused whole, seconds to the report.
#
#   bash bench/referral_import.sh
#   BENCH_ROWS=20000 bash bench/referral_import.sh                 # a quick run
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bash bench/referral_import.sh
#   ELKARLAN_BIN=path/to/elkarlan bash bench/referral_import.sh     # a given binary, no build
#   BENCH_FORMAT=xlsx bash bench/referral_import.sh   # the same lists saved as XLSX by LibreOffice
#                                                     # Calc (apt-get install libreoffice-calc)
#
# Prints a markdown report and writes it to bench/results/referral-import-<date>.md (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"

ROWS="${BENCH_ROWS:-100000}"
FORMAT="${BENCH_FORMAT:-csv}"
case "$FORMAT" in
  csv) ;;
  xlsx) command -v libreoffice >/dev/null 2>&1 || { echo "bench: BENCH_FORMAT=xlsx needs LibreOffice (apt-get install libreoffice-calc)" >&2; exit 2; } ;;
  *) echo "bench: BENCH_FORMAT must be csv or xlsx" >&2; exit 2 ;;
esac
DEMO_PASSWORD="${ELKARLAN_DEMO_PASSWORD:-Bench-password-2026!}"
if ! [[ "$ROWS" =~ ^[0-9]+$ ]] || [ "$ROWS" -lt 1 ] || [ "$ROWS" -gt 200000 ]; then
  echo "bench: BENCH_ROWS must be a whole number from 1 to 200000 (the importer's row limit)" >&2
  exit 2
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

if [ -n "${ELKARLAN_BIN:-}" ]; then
  bin="$(realpath "$ELKARLAN_BIN")"
  build_desc="\`$bin\`"
else
  echo "bench: cargo build --release --bin elkarlan" >&2
  cargo build --release --bin elkarlan
  bin="$repo_root/target/release/elkarlan"
  build_desc="Release build"
fi

tmp="$(mktemp -d -t elkarlan-import-XXXXXX)"
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

url="${BENCH_DATABASE_URL:-sqlite://$tmp/bench.db}"
backend="SQLite (embedded, file in $tmp)"
case "$url" in postgres*) backend="PostgreSQL ($(sed 's#//[^@]*@#//#' <<<"$url"))" ;; esac

echo "bench: loading the demo city" >&2
(cd "$tmp" && env ELKARLAN_DEMO_PASSWORD="$DEMO_PASSWORD" ELKARLAN_LOG=warn "$bin" --database-url "$url" demo >/dev/null)

echo "bench: generating $ROWS referral rows" >&2
python3 - "$ROWS" "$tmp" <<'PY'
import random, sys
rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2026)
letters = "TRWAGMYFPDXBNJZSQVHLCKE"
given = ["Ane", "Iker", "Nerea", "Mikel", "Fatima", "Mohamed", "Lucía", "Jon", "Ioana", "Wei", "Amaia", "Mamadou", "Begoña", "Koldo", "Khadija", "Andrei"]
surnames = ["Etxeberria", "Goikoetxea", "Agirre", "García", "El Idrissi", "Benali", "Zubiri", "Popescu", "Diallo", "Uriarte", "Zabala", "Larrañaga", "Quispe", "Ibarra", "Fernández", "Olabarria"]
areas = ["Otxarkoaga", "Txurdinaga", "San Ignacio", "Zorrotza", "Rekaldeberri", "Uribarri"]
head = ["Referencia", "Nombre", "Primer apellido", "Segundo apellido", "Tipo de documento", "Nº documento",
        "Fecha de nacimiento", "Sexo", "Nacionalidad", "Teléfono", "Barrio", "Fecha de derivación",
        "Desempleado/a desde", "Perceptor/a RGI", "Nivel ISCED", "Observaciones"]
def line(i, bad=False):
    n = 20000000 + i
    nie = i % 5 == 0
    if nie:
        prefix = i % 3
        doc = "XYZ"[prefix] + f"{n % 10000000:07d}"
        num = int(str(prefix) + f"{n % 10000000:07d}")
        doc, kind = doc + letters[num % 23], "NIE"
    else:
        doc, kind = f"{n:08d}" + letters[n % 23], "DNI"
    birth = f"{rng.randint(1,28):02d}/{rng.randint(1,12):02d}/{rng.randint(1960, 2006)}"
    refdate = "01/01/2099" if bad else f"{rng.randint(1,28):02d}/{rng.randint(1,10):02d}/2026"
    cells = [f"LAN-B-{i:06d}", rng.choice(given), rng.choice(surnames), rng.choice(surnames), kind, doc,
             birth, rng.choice(["Mujer", "Hombre"]), rng.choice(["ES", "ES", "MA", "RO", "SN"]),
             f"6{rng.randint(10000000, 99999999)}", rng.choice(areas), refdate,
             f"{rng.randint(1,28):02d}/{rng.randint(1,12):02d}/{rng.randint(2020, 2025)}",
             rng.choice(["Sí", "No"]), str(rng.randint(0, 6)), ""]
    return ";".join(cells)
with open(f"{out}/referrals.csv", "w", encoding="utf-8") as f:
    f.write(";".join(head) + "\n")
    for i in range(1, rows + 1):
        f.write(line(i) + "\n")
with open(f"{out}/referrals-bad.csv", "w", encoding="utf-8") as f:
    f.write(";".join(head) + "\n")
    for i in range(1, rows + 1):
        f.write(line(rows + i, bad=(i == rows)) + "\n")
PY
if [ "$FORMAT" = "xlsx" ]; then
  # Read as Spanish (locale 3082) so that 05/10/2026 is the 5th of October, as the office wrote it.
  echo "bench: saving both lists as XLSX with LibreOffice Calc" >&2
  for f in referrals referrals-bad; do
    (cd "$tmp" && libreoffice --headless -env:UserInstallation="file://$tmp/lo-profile" \
      --infilter="CSV:59,34,76,1,,3082" --convert-to xlsx "$f.csv" >/dev/null 2>&1)
    [ -s "$tmp/$f.xlsx" ] || { echo "bench: LibreOffice did not write $f.xlsx" >&2; exit 1; }
  done
fi
list="$tmp/referrals.$FORMAT"
bad_list="$tmp/referrals-bad.$FORMAT"
file_bytes="$(stat -c %s "$list")"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
(cd "$tmp" && exec env ELKARLAN_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --database-url "$url" >"$tmp/server.log" 2>&1) &
server_pid=$!
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)" = "200" ]; do
  kill -0 "$server_pid" 2>/dev/null || { tail -n 50 "$tmp/server.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "bench: the server did not start" >&2; exit 1; }
  sleep 0.25
done

token_of() {
  curl -sS -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
coordinator="$(token_of coordinator)"
lanbide="$(token_of lanbide)"
[ -n "$coordinator" ] && [ -n "$lanbide" ] || { echo "bench: could not get API tokens" >&2; exit 1; }
promoter="$(curl -sS "$base/api/v1/agencies" -H "authorization: Bearer $coordinator" | python3 -c '
import json, sys
items = json.load(sys.stdin)
items = items.get("items", items) if isinstance(items, dict) else items
print(next(a["id"] for a in items if a.get("system") == "council"))')"
programme="$(curl -sS -X POST "$base/api/v1/programmes" -H "authorization: Bearer $coordinator" -H 'content-type: application/json' \
  -d "{\"name_eu\":\"Neurketa\",\"name_es\":\"Medición\",\"year\":\"2026\",\"status\":\"open\",\"promoter\":\"$promoter\",\"places\":\"100000\",\"starts_on\":\"2026-01-01\",\"ends_on\":\"2026-12-31\"}" \
  | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
[ -n "$programme" ] || { echo "bench: could not create the programme" >&2; exit 1; }

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$server_pid/status"; }

# upload FILE -> "seconds http_status"; the report goes to $tmp/report.json
upload() {
  curl -sS -o "$tmp/report.json" -w '%{time_total} %{http_code}\n' -X POST \
    "$base/api/v1/programmes/$programme/referral-imports?file_name=$(basename "$1")" \
    -H "authorization: Bearer $lanbide" -H 'content-type: application/octet-stream' --data-binary "@$1"
}
summary() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["imported"], r["created"], r["matched"], r["already_imported"], r["invalid"])' "$tmp/report.json"; }

rss_before="$(rss_kib)"
echo "bench: first import of $ROWS rows" >&2
read -r t1 s1 < <(upload "$list")
read -r imported1 created1 matched1 already1 invalid1 < <(summary)
hwm_after="$(hwm_kib)"
[ "$s1" = "200" ] && [ "$imported1" = "True" ] || { echo "bench: first import answered $s1" >&2; head -c 2000 "$tmp/report.json" >&2; exit 1; }

echo "bench: the same list again" >&2
read -r t2 s2 < <(upload "$list")
read -r _ created2 _ already2 _ < <(summary)
[ "$s2" = "200" ] && [ "$created2" = "0" ] && [ "$already2" = "$ROWS" ] || { echo "bench: re-import was not idempotent ($s2, created $created2, already $already2)" >&2; exit 1; }

echo "bench: a list with one bad row at the end" >&2
read -r t3 s3 < <(upload "$bad_list")
read -r imported3 _ _ _ invalid3 < <(summary)
[ "$s3" = "422" ] && [ "$imported3" = "False" ] && [ "$invalid3" = "1" ] || { echo "bench: the bad list was not refused whole ($s3)" >&2; exit 1; }

echo "bench: elkarlan audit verify" >&2
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
verify="$(cd "$tmp" && ELKARLAN_LOG=warn "$bin" --database-url "$url" audit verify)"
grep -q '^audit trail intact' <<<"$verify" || { echo "bench: $verify" >&2; exit 1; }

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
report="$(cat <<MD
# Referral list import, $(date -u +%Y-%m-%d)

$build_desc, $backend; $(nproc) cores ($cpu). List: $ROWS rows, $(tr a-z A-Z <<<"$FORMAT"), $(awk -v b="$file_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB, fictional people (4 in 5 with a DNI, 1 in 5 with a NIE).

| Run | HTTP | Seconds | Rows/s | Result |
|---|---|---|---|---|
| First import | $s1 | $t1 | $(awk -v r="$ROWS" -v t="$t1" 'BEGIN { printf "%.0f", r / t }') | $created1 people registered, $matched1 matched, each with an inbound referral, a case and an audit row |
| Same list again | $s2 | $t2 | $(awk -v r="$ROWS" -v t="$t2" 'BEGIN { printf "%.0f", r / t }') | $already2 already imported, nothing written |
| One bad row at the end | $s3 | $t3 | $(awk -v r="$ROWS" -v t="$t3" 'BEGIN { printf "%.0f", r / t }') | refused whole, $invalid3 row reported |

Server memory: $(awk -v k="$rss_before" 'BEGIN { printf "%.0f", k / 1024 }') MiB resident before the first upload, peak $(awk -v k="$hwm_after" 'BEGIN { printf "%.0f", k / 1024 }') MiB (VmHWM) after it.
Audit trail verified after the runs: $(sed -n 's/^audit trail intact: \([0-9]*\) rows.*/\1/p' <<<"$verify") rows intact.
MD
)"
mkdir -p bench/results
out="bench/results/referral-import-$(date -u +%Y%m%d-%H%M%S).md"
printf '%s\n' "$report" >"$out"
printf '%s\n' "$report"
echo "bench: written to $out" >&2
