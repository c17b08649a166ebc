//! `elkarlan indicators ...`: operator tools for the published indicator results.
//!
//! - `refresh --period P`: recomputes every catalogue indicator for a period (all scopes, with
//!   disclosure control) and stores the cells, as the worker does; `--profile` first times each
//!   source's read and each indicator's computation apart, to see where the time goes.
//! - `show --neighbourhood CODE --period P`: the neighbourhood dashboard as stored (totals and
//!   the breakdowns by sex, age band and origin); `--repeat N` times N reads, `--json` prints
//!   every cell as a JSON line.
//! - `export-facts --period P --out DIR`: the records behind the indicators, one CSV per source
//!   the catalogue uses, with exactly the fields the indicators read (derived ones included),
//!   plus `schema.json` with each field's type. An operator tool for benchmarks and checks on
//!   synthetic data: the files are record-level personal data (ids, sex, age band, origin,
//!   neighbourhood) and must never be taken from a database of real people.

use anyhow::Context;
use clap::Subcommand;
use elkarlan_domain::TenantId;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, FieldType, FieldValue, IndicatorValue, Key, Period, Source,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{self, GridPeriod, Scope};
use elkarlan_store::{Store, indicator_facts, indicator_results};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum IndicatorsCommand {
    /// Recompute and store every indicator of the catalogue for a period (what the worker does).
    Refresh {
        /// A year (2026) or a quarter (2026-Q2).
        #[arg(long)]
        period: String,
        /// First time each source's read and each indicator's computation apart (not stored).
        #[arg(long)]
        profile: bool,
    },
    /// Print a neighbourhood's dashboard as stored: totals and breakdowns by sex, age band, origin.
    Show {
        /// The neighbourhood's area code.
        #[arg(long)]
        neighbourhood: String,
        #[arg(long)]
        period: String,
        /// Read it N times and print the read time's percentiles.
        #[arg(long, default_value_t = 1)]
        repeat: u32,
        /// Every cell as a JSON line.
        #[arg(long)]
        json: bool,
    },
    /// Write the records behind the indicators as CSV files (synthetic data only: see the docs).
    ExportFacts {
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
}

fn say(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn period_of(p: &str) -> anyhow::Result<GridPeriod> {
    let plans = results::plan_periods(catalogue::all());
    results::choose_period(Some(p), None, None, GridPeriod::Year(2026), &plans).map_err(|_| {
        anyhow::anyhow!(
            "--period {p}: expected a year (2026), a quarter (2026-Q2), a month (2026-05) or a plan period (plan-20240101-20271231)"
        )
    })
}

pub async fn run(
    store: &Store,
    tenant: TenantId,
    command: IndicatorsCommand,
) -> anyhow::Result<ExitCode> {
    match command {
        IndicatorsCommand::Refresh { period, profile } => {
            let grid = period_of(&period)?;
            let period = grid.period();
            let defs = catalogue::all();
            if profile {
                profile_refresh(store, tenant, period).await?;
            }
            let started = Instant::now();
            let cells = indicator_results::refresh_period(store, tenant, defs, grid, true).await?;
            say(&format!(
                "refreshed {} indicators for {} to {}: {cells} cells in {:.3} s (peak memory {} MB)",
                defs.len(),
                period.start,
                period.end,
                started.elapsed().as_secs_f64(),
                peak_rss_mb().map_or_else(|| "?".to_owned(), |m| m.to_string())
            ));
            Ok(ExitCode::SUCCESS)
        }
        IndicatorsCommand::Show {
            neighbourhood,
            period,
            repeat,
            json,
        } => {
            let period = period_of(&period)?.period();
            let scope = Scope::Neighbourhood(neighbourhood);
            let mut times = Vec::new();
            let mut last = Vec::new();
            for _ in 0..repeat.max(1) {
                let started = Instant::now();
                last = dashboard(store, tenant, period, &scope).await?;
                times.push(started.elapsed());
            }
            let cells: usize = last.iter().map(|r| r.cells.len()).sum();
            if json {
                for r in &last {
                    for (key, p) in &r.cells {
                        let (kind, n, d) = match p {
                            Published::Suppressed => ("suppressed", None, None),
                            Published::Value(IndicatorValue::NoData) => ("no_data", None, None),
                            Published::Value(IndicatorValue::DivisionByZero) => {
                                ("division_by_zero", None, None)
                            }
                            Published::Value(IndicatorValue::Value(v)) => {
                                ("value", Some(v.numerator), Some(v.denominator))
                            }
                        };
                        say(&serde_json::json!({
                            "indicator": r.code,
                            "disaggregation": r.disaggregation.map_or("", |d| d.code()),
                            "group": match key { Key::Total => "", Key::Group(g) => g },
                            "kind": kind,
                            "numerator": n,
                            "denominator": d,
                        })
                        .to_string());
                    }
                }
            } else {
                say(&format!(
                    "{}: {} results, {cells} cells",
                    scope.code(),
                    last.len()
                ));
            }
            if repeat > 1 {
                times.sort_unstable();
                let pct = |q: f64| -> Duration {
                    let i = ((times.len() as f64 - 1.0) * q).round() as usize;
                    times[i.min(times.len() - 1)]
                };
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                eprintln!(
                    "dashboard read x{}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                    times.len(),
                    ms(pct(0.5)),
                    ms(pct(0.99)),
                    ms(pct(1.0))
                );
                say(&format!(
                    "READ {} {:.3} {:.3} {:.3}",
                    times.len(),
                    ms(pct(0.5)),
                    ms(pct(0.99)),
                    ms(pct(1.0))
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        IndicatorsCommand::ExportFacts { period, out } => {
            let period = period_of(&period)?.period();
            let written = export_facts(store, tenant, period, &out).await?;
            for (source, rows) in written {
                say(&format!("{source}: {rows} rows"));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What the neighbourhood dashboard reads: the totals, then each person breakdown.
async fn dashboard(
    store: &Store,
    tenant: TenantId,
    period: Period,
    scope: &Scope,
) -> anyhow::Result<Vec<results::IndicatorResult>> {
    let mut out = indicator_results::results(store, tenant, period, scope, None).await?;
    for d in [
        Disaggregation::Sex,
        Disaggregation::AgeBand,
        Disaggregation::Origin,
    ] {
        out.extend(indicator_results::results(store, tenant, period, scope, Some(d)).await?);
    }
    Ok(out)
}

/// The sources the catalogue's indicators read, in order.
fn used_sources() -> BTreeSet<Source> {
    catalogue::all()
        .iter()
        .flat_map(|d| {
            std::iter::once(d.numerator.source).chain(d.denominator.as_ref().map(|m| m.source))
        })
        .collect()
}

/// Times each source's read and each indicator's computation (nothing stored).
async fn profile_refresh(store: &Store, tenant: TenantId, period: Period) -> anyhow::Result<()> {
    let declared = indicator_results::declared_groups(store, tenant).await?;
    let mut rows = std::collections::BTreeMap::new();
    for source in used_sources() {
        let started = Instant::now();
        let r = indicator_facts::rows(store, tenant, source, period).await?;
        say(&format!(
            "PROFILE read {} {} rows {:.3} s",
            source.code(),
            r.len(),
            started.elapsed().as_secs_f64()
        ));
        rows.insert(source, r);
    }
    for def in catalogue::all() {
        let started = Instant::now();
        let published = results::publish(def, period, &rows, &declared)
            .map_err(|e| anyhow::anyhow!("{}: {e}", def.code))?;
        let cells: usize = published.iter().map(|r| r.cells.len()).sum();
        say(&format!(
            "PROFILE publish {} {cells} cells {:.3} s",
            def.code,
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(())
}

/// Peak resident memory of this process, in MB (Linux).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Text | FieldType::Code(_) => "text",
        FieldType::Integer => "integer",
        FieldType::Bool => "bool",
        FieldType::Date => "date",
    }
}

/// One CSV field: `\N` for null; text quoted when it needs to be.
fn csv_field(v: &FieldValue) -> String {
    match v {
        FieldValue::Null => "\\N".to_owned(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Integer(i) => i.to_string(),
        FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        FieldValue::Text(s) => {
            if s.contains([',', '"', '\n', '\r', '\\']) || s.is_empty() {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.clone()
            }
        }
    }
}

/// Writes `<source>.csv` for every source the catalogue uses and `schema.json`; returns the row
/// count of each file.
pub async fn export_facts(
    store: &Store,
    tenant: TenantId,
    period: Period,
    out: &Path,
) -> anyhow::Result<Vec<(&'static str, usize)>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut schema = serde_json::Map::new();
    let mut written = Vec::new();
    for source in used_sources() {
        let fields = source.field_names();
        schema.insert(
            source.code().to_owned(),
            serde_json::Value::Array(
                fields
                    .iter()
                    .map(|f| serde_json::json!([f, source.field(f).map_or("text", type_name)]))
                    .collect(),
            ),
        );
        let rows = indicator_facts::rows(store, tenant, source, period).await?;
        let path = out.join(format!("{}.csv", source.code()));
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        writeln!(w, "{}", fields.join(","))?;
        for row in &rows {
            let line: Vec<String> = fields.iter().map(|f| csv_field(row.get(f))).collect();
            writeln!(w, "{}", line.join(","))?;
        }
        w.flush()?;
        written.push((source.code(), rows.len()));
    }
    let schema_path = out.join("schema.json");
    std::fs::write(
        &schema_path,
        serde_json::to_string_pretty(&serde_json::json!({
            "period": { "start": period.start.to_string(), "end": period.end.to_string() },
            "sources": schema,
        }))?,
    )
    .with_context(|| format!("cannot write {}", schema_path.display()))?;
    Ok(written)
}
