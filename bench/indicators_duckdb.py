#!/usr/bin/env python3
"""DuckDB side of the indicator benchmark (bench/indicators.sh).

Reads the facts written by `elkarlan indicators export-facts` (one CSV per source and
schema.json), converts them to Parquet, and computes the catalogue's indicators from them with
DuckDB SQL generated from crates/domain/data/indicators.json:

- the neighbourhood dashboard: for one neighbourhood, every indicator broken down by
  neighbourhood gets its total and its breakdowns by sex, age band and origin (raw values,
  before disclosure control), timed over --repeat runs;
- the full computation: every indicator, every cell Elkarlan publishes (city total, by district,
  neighbourhood, sex, age band, origin, and each neighbourhood's total and breakdowns), timed.

Then it compares: every cell Elkarlan stored for the period (indicator_cells in the SQLite
database) and every cell of `elkarlan indicators show --json` for the neighbourhood that is not
suppressed must equal DuckDB's value for it, kind (value, no data, division by zero), numerator
and denominator alike. Any mismatch is printed and the exit status is 1.

Semantics reproduced from crates/domain/src/indicators (results.rs, definition.rs): a measure's
cell has no data when no record of the source falls in the period there; counts, distinct
persons, sums and medians are over the records that also pass the filters; a ratio is
numerator x denominator-of-denominator over numerator-of-denominator, unreduced; empty or null
groups are "unknown".
"""

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time

import duckdb

DIMS = ["sex", "age_band", "origin"]
GROUP_COLS = ["district", "neighbourhood"] + DIMS
SQL_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "bool": "BOOLEAN", "date": "DATE"}


def q(name):
    return '"' + name.replace('"', '""') + '"'


def literal(value, ftype):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    s = "'" + str(value).replace("'", "''") + "'"
    return f"DATE {s}" if ftype == "date" else s


class Facts:
    def __init__(self, con, folder):
        self.con = con
        self.folder = folder
        meta = json.load(open(os.path.join(folder, "schema.json"), encoding="utf-8"))
        self.period = (meta["period"]["start"], meta["period"]["end"])
        self.schema = {s: dict(fields) for s, fields in meta["sources"].items()}
        self.rows = {}

    def to_parquet(self):
        """CSV -> Parquet, then a view per source over the Parquet file."""
        for source, fields in self.schema.items():
            csv = os.path.join(self.folder, f"{source}.csv")
            pq = os.path.join(self.folder, f"{source}.parquet")
            cols = ", ".join(f"{q(f)}: '{SQL_TYPES[t]}'" for f, t in fields.items())
            self.con.execute(
                f"COPY (SELECT * FROM read_csv('{csv}', header = true, nullstr = '\\N', "
                f"quote = '\"', escape = '\"', columns = {{{cols}}})) TO '{pq}' (FORMAT parquet)"
            )
            self.con.execute(f"CREATE OR REPLACE VIEW {q(source)} AS SELECT * FROM read_parquet('{pq}')")
            self.rows[source] = self.con.execute(f"SELECT COUNT(*) FROM {q(source)}").fetchone()[0]


def period_sql(rule, fields, start, end):
    s, e = f"DATE '{start}'", f"DATE '{end}'"
    if rule.get("within"):
        f = q(rule["within"])
        return f"({f} IS NOT NULL AND {f} BETWEEN {s} AND {e})"
    frm = q(rule["from"])
    cond = f"({frm} IS NOT NULL AND {frm} <= {e}"
    if rule.get("until"):
        u = q(rule["until"])
        cond += f" AND ({u} IS NULL OR {u} >= {s})"
    return cond + ")"


def filter_sql(f, fields):
    name, op = f["field"], f["op"]
    col, t = q(name), fields[name]
    if op == "eq":
        return f"COALESCE({col} = {literal(f['value'], t)}, FALSE)"
    if op == "in":
        return f"COALESCE({col} IN ({', '.join(literal(v, t) for v in f['values'])}), FALSE)"
    if op == "is_null":
        return f"({col} IS NULL)"
    if op == "not_null":
        return f"({col} IS NOT NULL)"
    if op == "within":
        return f"COALESCE({col} BETWEEN DATE '{{start}}' AND DATE '{{end}}', FALSE)"
    raise SystemExit(f"unknown filter op {op}")


def norm(col, fields):
    if col not in fields:
        return "'unknown'"
    return f"COALESCE(NULLIF(CAST({q(col)} AS VARCHAR), ''), 'unknown')"


def measure_sql(m, fields, period, sets, only_neighbourhood=None):
    """One scan of the measure's source, grouped by every set of `sets` (lists of columns)."""
    start, end = period
    kept = " AND ".join(filter_sql(f, fields) for f in m.get("filters", [])) or "TRUE"
    kept = kept.replace("{start}", start).replace("{end}", end)
    agg = m["aggregate"]
    value = f"CAST({q(m['field'])} AS BIGINT)" if m.get("field") else "NULL::BIGINT"
    person = q("person_id") if "person_id" in fields else "NULL::VARCHAR"
    inner = ", ".join(f"{norm(c, fields)} AS {c}" for c in GROUP_COLS)
    where = period_sql(m["period"], fields, start, end)
    if only_neighbourhood is not None:
        where += f" AND {norm('neighbourhood', fields)} = '{only_neighbourhood}'"
    measures = ["COUNT(*) AS in_period", "COUNT(*) FILTER (WHERE kept) AS cnt"]
    if agg == "count_distinct_person":
        measures.append("COUNT(DISTINCT person_id) FILTER (WHERE kept) AS persons")
    if agg == "sum":
        measures.append("SUM(v) FILTER (WHERE kept) AS s")
    if agg == "median":
        measures.append("COUNT(v) FILTER (WHERE kept) AS nv")
        measures.append("QUANTILE_CONT(v, 0.5) FILTER (WHERE kept) AS med")
    used = [c for c in GROUP_COLS if any(c in s for s in sets)]
    head = f"WITH t AS (SELECT {inner}, {person} AS person_id, ({kept}) AS kept, {value} AS v FROM {q(m['source'])} WHERE {where}) "
    if not used:
        return head + f"SELECT 0 AS gid, {', '.join(measures)} FROM t HAVING COUNT(*) > 0", used
    grouping_sets = ", ".join("(" + ", ".join(s) + ")" for s in sets)
    return (
        head + f"SELECT GROUPING({', '.join(used)}) AS gid, {', '.join(used)}, "
        f"{', '.join(measures)} FROM t GROUP BY GROUPING SETS ({grouping_sets})"
    ), used


def measure_value(m, row):
    """A measure's (numerator, denominator) in a slot, or None (no data)."""
    if row is None or row["in_period"] == 0:
        return None
    agg = m["aggregate"]
    if agg == "count":
        return (row["cnt"], 1)
    if agg == "count_distinct_person":
        return (row["persons"], 1)
    if agg == "sum":
        return (int(row["s"] or 0), 1)
    n = row["nv"]
    if not n:
        return None
    med = row["med"]
    return (int(med), 1) if n % 2 == 1 else (int(round(med * 2)), 2)


def slot_of(row, used, only_neighbourhood):
    grouped = [c for i, c in enumerate(used) if not (row["gid"] >> (len(used) - 1 - i)) & 1]
    if only_neighbourhood is not None:
        grouped = [c for c in grouped if c != "neighbourhood"]
        if not grouped:
            return ("neighbourhood", only_neighbourhood)
        return ("cell", grouped[0], only_neighbourhood, row[grouped[0]])
    if not grouped:
        return ("grand",)
    if grouped == ["district"]:
        return ("district", row["district"])
    if grouped == ["neighbourhood"]:
        return ("neighbourhood", row["neighbourhood"])
    if len(grouped) == 1:
        return ("col", grouped[0], row[grouped[0]])
    d = [c for c in grouped if c != "neighbourhood"][0]
    return ("cell", d, row["neighbourhood"], row[d])


def run_measure(con, m, fields, period, sets, only_neighbourhood=None):
    sql, used = measure_sql(m, fields, period, sets, only_neighbourhood)
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    out = {}
    for values in cur.fetchall():
        row = dict(zip(names, values))
        out[slot_of(row, used, only_neighbourhood)] = row
    return out


def shape(d):
    allowed = set(d.get("disaggregations", []))
    return ("district" in allowed, "neighbourhood" in allowed, [x for x in DIMS if x in allowed])


def grouping_sets(d, only_neighbourhood):
    district, neighbourhood, dims = shape(d)
    if only_neighbourhood is not None:
        return [[]] + [[x] for x in dims]
    sets = [[]]
    if district:
        sets.append(["district"])
    if neighbourhood:
        sets.append(["neighbourhood"])
    sets += [[x] for x in dims]
    if neighbourhood:
        sets += [["neighbourhood", x] for x in dims]
    return sets


def compute(con, facts, defs, only_neighbourhood=None):
    """{code: (num_slots, den_slots)} for the given indicators."""
    out = {}
    for d in defs:
        sets = grouping_sets(d, only_neighbourhood)
        measures = []
        for m in (d["numerator"], d.get("denominator")):
            if m is None:
                measures.append(None)
                continue
            measures.append(run_measure(con, m, facts.schema[m["source"]], facts.period, sets, only_neighbourhood))
        out[d["code"]] = tuple(measures)
    return out


def indicator_value(d, computed, slot):
    num_slots, den_slots = computed[d["code"]]
    n = measure_value(d["numerator"], num_slots.get(slot))
    if n is None:
        return ("no_data", None, None)
    if d.get("denominator") is None:
        return ("value", n[0], n[1])
    dv = measure_value(d["denominator"], den_slots.get(slot))
    if dv is None:
        return ("no_data", None, None)
    if dv[0] == 0:
        return ("division_by_zero", None, None)
    return ("value", n[0] * dv[1], n[1] * dv[0])


def cell_slot(scope, disaggregation, group):
    if scope == "city":
        if disaggregation == "" or group == "":
            return ("grand",)
        if disaggregation in ("district", "neighbourhood"):
            return (disaggregation, group)
        return ("col", disaggregation, group)
    n = scope.split(":", 1)[1]
    if group == "":
        return ("neighbourhood", n)
    return ("cell", disaggregation, n, group)


def compare(label, cells, defs_by_code, computed):
    """cells: (scope, indicator, disaggregation, group, kind, numerator, denominator)."""
    checked = suppressed = 0
    mismatches = []
    for scope, code, dis, group, kind, num, den in cells:
        if code not in computed:
            continue
        if kind == "suppressed":
            suppressed += 1
            continue
        want = indicator_value(defs_by_code[code], computed, cell_slot(scope, dis, group))
        got = (kind, num, den)
        checked += 1
        if got != want:
            mismatches.append(f"{label}: {code} {scope} {dis or '-'} {group or 'total'}: elkarlan {got}, duckdb {want}")
    return checked, suppressed, mismatches


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, round((len(s) - 1) * p))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--facts", required=True, help="folder written by elkarlan indicators export-facts")
    ap.add_argument("--catalogue", required=True, help="crates/domain/data/indicators.json")
    ap.add_argument("--db", required=True, help="the SQLite database with the stored cells")
    ap.add_argument("--neighbourhood", required=True, help="area code of the dashboard's neighbourhood")
    ap.add_argument("--dashboard-json", required=True, help="output of elkarlan indicators show --json")
    ap.add_argument("--repeat", type=int, default=20, help="dashboard query runs")
    ap.add_argument("--full-repeat", type=int, default=3, help="full computation runs")
    ap.add_argument("--out", required=True, help="JSON summary to write")
    args = ap.parse_args()

    defs = json.load(open(args.catalogue, encoding="utf-8"))["indicators"]
    by_code = {d["code"]: d for d in defs}
    con = duckdb.connect()
    facts = Facts(con, args.facts)
    started = time.perf_counter()
    facts.to_parquet()
    convert_s = time.perf_counter() - started

    # The neighbourhood dashboard: the indicators broken down by neighbourhood.
    dash_defs = [d for d in defs if shape(d)[1]]
    nb = args.neighbourhood
    times = []
    dashboard = None
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        dashboard = compute(con, facts, dash_defs, only_neighbourhood=nb)
        times.append((time.perf_counter() - started) * 1000)

    # Everything, city-wide.
    full_times = []
    full = None
    for _ in range(max(1, args.full_repeat)):
        started = time.perf_counter()
        full = compute(con, facts, defs)
        full_times.append(time.perf_counter() - started)

    # Compare with what Elkarlan published.
    shown = []
    for line in open(args.dashboard_json, encoding="utf-8"):
        if line.strip():
            c = json.loads(line)
            shown.append((f"neighbourhood:{nb}", c["indicator"], c["disaggregation"], c["group"], c["kind"], c["numerator"], c["denominator"]))
    dash_checked, dash_suppressed, mismatches = compare("dashboard", shown, by_code, dashboard)

    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    stored = db.execute(
        "SELECT scope, indicator, disaggregation, group_code, kind, numerator, denominator "
        "FROM indicator_cells WHERE period_start = ? AND period_end = ?",
        facts.period,
    ).fetchall()
    full_checked, full_suppressed, full_mismatches = compare("full", stored, by_code, full)
    mismatches += full_mismatches

    # Every DuckDB slot with records must have been published (suppressed or not).
    published = {(c[1], cell_slot(c[0], c[2], c[3])) for c in stored}
    missing = 0
    for code, (num, den) in full.items():
        for slots in (num, den or {}):
            for slot, row in slots.items():
                if row["in_period"] and not (slot[0] == "cell" and slot[2] == "unknown"):
                    if (code, slot) not in published:
                        missing += 1
                        if missing <= 10:
                            mismatches.append(f"full: {code} {slot} has records in DuckDB but no cell in Elkarlan")

    summary = {
        "rows": facts.rows,
        "convert_s": convert_s,
        "dashboard_indicators": len(dash_defs),
        "dashboard_ms_p50": statistics.median(times),
        "dashboard_ms_p99": pct(times, 0.99),
        "dashboard_runs": len(times),
        "full_s": min(full_times),
        "full_s_runs": full_times,
        "dashboard_checked": dash_checked,
        "dashboard_suppressed": dash_suppressed,
        "full_cells": len(stored),
        "full_checked": full_checked,
        "full_suppressed": full_suppressed,
        "mismatches": len(mismatches),
        "duckdb": duckdb.__version__,
    }
    json.dump(summary, open(args.out, "w", encoding="utf-8"), indent=2)
    print(json.dumps(summary, indent=2))
    if mismatches:
        print(f"MISMATCH: {len(mismatches)} cells differ between Elkarlan and DuckDB:", file=sys.stderr)
        for m in mismatches[:50]:
            print("  " + m, file=sys.stderr)
        sys.exit(1)
    if dash_checked == 0 or full_checked == 0:
        print("MISMATCH: nothing was compared", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
