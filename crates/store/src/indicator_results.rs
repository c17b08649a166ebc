//! Published indicator results: computed from the records (`indicator_facts`) by the domain's
//! `results::publish`, which applies disclosure control, and stored cell by cell. Dashboards,
//! exports, the API and the public pages read only these cells: a request never scans the
//! records, and nothing that left disclosure control suppressed is ever stored with a value.
//!
//! Only periods of the published grid (`results::GridPeriod`: months, quarters, years, plan
//! periods) are computed and stored. The worker keeps the standard periods
//! (`results::standard_periods`) up to date: a period is recomputed when the audit trail (every
//! write is audited) has moved on since it was computed. Any other grid period is computed when
//! a reader asks for it and it is missing or stale, never by the worker; stored periods off the
//! grid (kept by earlier versions) are dropped, as derived data.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::indicators::definition::{
    Disaggregation, IndicatorDefinition, IndicatorValue, Key, Period, Ratio, Row, Source,
    UNKNOWN_GROUP,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{
    self, DeclaredGroups, GridPeriod, IndicatorResult, Scope,
};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{ProjectId, TenantId, Timestamp};
use sqlx::Row as _;
use std::collections::BTreeMap;

/// A computed period and when it was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComputedPeriod {
    pub period: Period,
    pub standard: bool,
    pub computed_at: Timestamp,
}

/// What a refresh did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub periods: usize,
    pub cells: usize,
}

fn day(p: chrono::NaiveDate) -> String {
    p.format("%Y-%m-%d").to_string()
}

/// The tenant's districts and neighbourhoods, which every result lists whether empty or not.
pub async fn declared_groups(store: &Store, tenant: TenantId) -> Result<DeclaredGroups> {
    let areas = crate::territory::list(store, tenant).await?;
    let mut out = DeclaredGroups::default();
    for a in &areas {
        if a.kind == "district" {
            out.districts.push(a.code.clone());
        } else {
            let district = a
                .parent_id
                .and_then(|p| areas.iter().find(|d| d.id == p))
                .map_or_else(|| UNKNOWN_GROUP.to_owned(), |d| d.code.clone());
            out.neighbourhoods.push((a.code.clone(), district));
        }
    }
    Ok(out)
}

/// Computes every indicator of `defs` for a grid period from the records and replaces the
/// period's stored cells, in one transaction. Returns the number of cells stored.
pub async fn refresh_period(
    store: &Store,
    tenant: TenantId,
    defs: &[IndicatorDefinition],
    grid: GridPeriod,
    standard: bool,
) -> Result<usize> {
    let started = Timestamp::now();
    let period = grid.period();
    let declared = declared_groups(store, tenant).await?;
    let sources_of = |def: &IndicatorDefinition| -> Vec<Source> {
        std::iter::once(def.numerator.source)
            .chain(def.denominator.as_ref().map(|d| d.source))
            .collect()
    };
    // Sources are read one at a time in the catalogue's order, each definition is published as
    // soon as its sources are in memory, and a source is dropped once no remaining definition
    // needs it: the peak is about the largest source, not all of them at once.
    let mut by_source: BTreeMap<Source, Vec<Row>> = BTreeMap::new();
    let mut pending: Vec<&IndicatorDefinition> = defs.iter().collect();
    let mut published = Vec::new();
    while let Some(next) = pending.first() {
        for source in sources_of(next) {
            if let std::collections::btree_map::Entry::Vacant(slot) = by_source.entry(source) {
                slot.insert(crate::indicator_facts::rows(store, tenant, source, period).await?);
            }
        }
        let (ready, rest): (Vec<&IndicatorDefinition>, Vec<&IndicatorDefinition>) = pending
            .into_iter()
            .partition(|d| sources_of(d).iter().all(|s| by_source.contains_key(s)));
        for def in ready {
            let r = results::publish(def, period, &by_source, &declared)
                .map_err(|e| StoreError::Conflict(disclosure_error(&e)))?;
            published.extend(r);
        }
        pending = rest;
        by_source.retain(|s, _| pending.iter().any(|d| sources_of(d).contains(s)));
    }
    drop(by_source);
    store_period(store, tenant, period, standard, started, &published).await
}

fn disclosure_error(e: &elkarlan_domain::indicators::disclosure::DisclosureError) -> &'static str {
    tracing::error!(error = %e, "indicator results could not be protected");
    "error-indicator-disclosure"
}

fn kind_and_ratio(p: &Published) -> (&'static str, Option<i64>, Option<i64>) {
    match p {
        Published::Suppressed => ("suppressed", None, None),
        Published::Value(IndicatorValue::NoData) => ("no_data", None, None),
        Published::Value(IndicatorValue::DivisionByZero) => ("division_by_zero", None, None),
        Published::Value(IndicatorValue::Value(r)) => {
            ("value", Some(r.numerator), Some(r.denominator))
        }
    }
}

/// Rows per INSERT: 11 parameters each keeps well under both databases' limits.
const BATCH: usize = 200;

async fn store_period(
    store: &Store,
    tenant: TenantId,
    period: Period,
    standard: bool,
    computed_at: Timestamp,
    published: &[IndicatorResult],
) -> Result<usize> {
    let (start, end) = (day(period.start), day(period.end));
    struct Cell<'a> {
        scope: String,
        indicator: &'a str,
        disaggregation: &'static str,
        position: i64,
        group: &'a str,
        kind: &'static str,
        numerator: Option<i64>,
        denominator: Option<i64>,
    }
    let mut cells = Vec::new();
    for r in published {
        let scope = r.scope.code();
        for (i, (key, p)) in r.cells.iter().enumerate() {
            let (kind, numerator, denominator) = kind_and_ratio(p);
            cells.push(Cell {
                scope: scope.clone(),
                indicator: &r.code,
                disaggregation: r.disaggregation.map_or("", |d| d.code()),
                position: i64::try_from(i).unwrap_or(i64::MAX),
                group: match key {
                    Key::Total => "",
                    Key::Group(g) => g,
                },
                kind,
                numerator,
                denominator,
            });
        }
    }
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_cells WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3")
        .bind(tenant.0).bind(&start).bind(&end).execute(c).await.map(|r| r.rows_affected()))?;
    for chunk in cells.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO indicator_cells (tenant_id, period_start, period_end, scope, indicator, \
             disaggregation, position, group_code, kind, numerator, denominator) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 11;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11
            ));
        }
        on_tx!(&mut tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for cell in chunk {
                q = q
                    .bind(tenant.0)
                    .bind(&start)
                    .bind(&end)
                    .bind(&cell.scope)
                    .bind(cell.indicator)
                    .bind(cell.disaggregation)
                    .bind(cell.position)
                    .bind(cell.group)
                    .bind(cell.kind)
                    .bind(cell.numerator)
                    .bind(cell.denominator);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO indicator_periods (tenant_id, period_start, period_end, standard, computed_at) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (tenant_id, period_start, period_end) DO UPDATE SET computed_at = excluded.computed_at, \
         standard = CASE WHEN excluded.standard = 1 THEN 1 ELSE indicator_periods.standard END")
        .bind(tenant.0).bind(&start).bind(&end).bind(i64::from(standard)).bind(computed_at.micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(cells.len())
}

/// The periods computed for a tenant, newest first.
pub async fn computed_periods(store: &Store, tenant: TenantId) -> Result<Vec<ComputedPeriod>> {
    let rows = on_pool!(store, p => {
        let rows = sqlx::query("SELECT period_start, period_end, standard, computed_at FROM indicator_periods \
             WHERE tenant_id = $1 ORDER BY period_start DESC, period_end DESC")
            .bind(tenant.0).fetch_all(p).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)?, r.try_get::<i64, _>(3)?));
        }
        out
    });
    let mut out = Vec::new();
    for (s, e, standard, at) in rows {
        let period =
            Period::parse(&s, &e).map_err(|_| StoreError::Conflict("error-period-date-format"))?;
        out.push(ComputedPeriod {
            period,
            standard: standard == 1,
            computed_at: Timestamp::from_micros(at),
        });
    }
    Ok(out)
}

/// When `period` was computed, if it was.
pub async fn computed_at(
    store: &Store,
    tenant: TenantId,
    period: Period,
) -> Result<Option<Timestamp>> {
    let at: Option<i64> = on_pool!(store, p => sqlx::query("SELECT computed_at FROM indicator_periods WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3")
        .bind(tenant.0).bind(day(period.start)).bind(day(period.end)).fetch_optional(p).await?
        .map(|r| r.get::<i64, _>(0)));
    Ok(at.map(Timestamp::from_micros))
}

/// Audited actions that change no record an indicator counts: reads (their codes end so) and
/// sign-ins, sign-outs and tokens.
const READ_ACTIONS: &str = "action NOT LIKE 'auth.%' AND action NOT LIKE '%.view' AND action NOT LIKE '%.list' \
     AND action NOT LIKE '%.search' AND action NOT LIKE '%.inbox' AND action NOT LIKE '%.due' \
     AND action NOT LIKE '%.aggregates' AND action NOT LIKE '%.access_log' \
     AND action NOT LIKE '%.subject_access_export'";

/// The time of the tenant's last audited change: every write is audited in its transaction.
/// Reads of personal data are audited too and are skipped. Walks the trail backwards from its
/// head (its primary key), so it stops at the newest write.
async fn last_change(store: &Store, tenant: TenantId) -> Result<Option<i64>> {
    let sql = format!(
        "SELECT at FROM audit_events WHERE tenant_id = $1 AND {READ_ACTIONS} ORDER BY seq DESC LIMIT 1"
    );
    on_pool!(store, p => Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant.0).fetch_optional(p).await?.map(|r| r.try_get::<i64, _>(0)).transpose()?))
}

/// Recomputes, for one tenant, the standard periods that are missing or older than the last
/// audited change, and drops stored periods that are not on the grid. Other grid periods are
/// left as they are: they are brought up to date when read (`ensure_period`), so the work after
/// a write does not grow with the periods readers have asked for. Returns what was done.
pub async fn refresh_due(
    store: &Store,
    tenant: TenantId,
    defs: &[IndicatorDefinition],
    today: chrono::NaiveDate,
) -> Result<Refreshed> {
    let changed = last_change(store, tenant).await?.unwrap_or(0);
    let known = computed_periods(store, tenant).await?;
    let plans = results::plan_periods(defs);
    let off_grid: Vec<Period> = known
        .iter()
        .map(|k| k.period)
        .filter(|p| GridPeriod::of(*p, &plans).is_none())
        .collect();
    drop_periods(store, tenant, &off_grid).await?;
    let mut done = Refreshed::default();
    for grid in results::standard_periods(today, &plans) {
        let fresh = known
            .iter()
            .any(|k| k.period == grid.period() && k.computed_at.micros() >= changed);
        if !fresh {
            done.cells += refresh_period(store, tenant, defs, grid, true).await?;
            done.periods += 1;
        }
    }
    Ok(done)
}

/// Removes stored periods and their cells (derived data, recomputed from the records).
async fn drop_periods(store: &Store, tenant: TenantId, periods: &[Period]) -> Result<()> {
    if periods.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin_write().await?;
    for p in periods {
        let (start, end) = (day(p.start), day(p.end));
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_cells WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3")
            .bind(tenant.0).bind(&start).bind(&end).execute(c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM indicator_periods WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3")
            .bind(tenant.0).bind(&start).bind(&end).execute(c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Computes a grid period now if it has never been computed, or, for a period the worker does
/// not keep (not standard), if records changed since. Returns whether it computed.
pub async fn ensure_period(
    store: &Store,
    tenant: TenantId,
    defs: &[IndicatorDefinition],
    grid: GridPeriod,
) -> Result<bool> {
    if let Some(at) = computed_at(store, tenant, grid.period()).await? {
        let today = Timestamp::now().to_datetime().date_naive();
        let kept = results::standard_periods(today, &results::plan_periods(defs)).contains(&grid);
        if kept || at.micros() >= last_change(store, tenant).await?.unwrap_or(0) {
            return Ok(false);
        }
    }
    refresh_period(store, tenant, defs, grid, false).await?;
    Ok(true)
}

fn decode_cell(kind: &str, numerator: Option<i64>, denominator: Option<i64>) -> Published {
    match (kind, numerator, denominator) {
        ("value", Some(numerator), Some(denominator)) => {
            Published::Value(IndicatorValue::Value(Ratio {
                numerator,
                denominator,
            }))
        }
        ("no_data", _, _) => Published::Value(IndicatorValue::NoData),
        ("division_by_zero", _, _) => Published::Value(IndicatorValue::DivisionByZero),
        _ => Published::Suppressed,
    }
}

/// The stored results of a period for one scope and breakdown (`None`: the totals), one per
/// indicator that has one, in indicator code order. Empty when the period is not computed.
pub async fn results(
    store: &Store,
    tenant: TenantId,
    period: Period,
    scope: &Scope,
    disaggregation: Option<Disaggregation>,
) -> Result<Vec<IndicatorResult>> {
    read(store, tenant, period, scope, disaggregation, None).await
}

/// One indicator's stored result, if computed.
pub async fn result(
    store: &Store,
    tenant: TenantId,
    code: &str,
    period: Period,
    scope: &Scope,
    disaggregation: Option<Disaggregation>,
) -> Result<Option<IndicatorResult>> {
    Ok(
        read(store, tenant, period, scope, disaggregation, Some(code))
            .await?
            .into_iter()
            .next(),
    )
}

async fn read(
    store: &Store,
    tenant: TenantId,
    period: Period,
    scope: &Scope,
    disaggregation: Option<Disaggregation>,
    code: Option<&str>,
) -> Result<Vec<IndicatorResult>> {
    let sql = format!(
        "SELECT indicator, group_code, kind, numerator, denominator FROM indicator_cells \
         WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3 AND scope = $4 AND disaggregation = $5{} \
         ORDER BY indicator, position",
        if code.is_some() {
            " AND indicator = $6"
        } else {
            ""
        }
    );
    let rows = on_pool!(store, p => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant.0).bind(day(period.start)).bind(day(period.end))
            .bind(scope.code()).bind(disaggregation.map_or("", |d| d.code()));
        if let Some(c) = code {
            q = q.bind(c);
        }
        let rows = q.fetch_all(p).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push((
                r.try_get::<String, _>(0)?,
                r.try_get::<String, _>(1)?,
                r.try_get::<String, _>(2)?,
                r.try_get::<Option<i64>, _>(3)?,
                r.try_get::<Option<i64>, _>(4)?,
            ));
        }
        out
    });
    let mut out: Vec<IndicatorResult> = Vec::new();
    for (indicator, group, kind, n, d) in rows {
        let key = if group.is_empty() {
            Key::Total
        } else {
            Key::Group(group)
        };
        let cell = (key, decode_cell(&kind, n, d));
        match out.last_mut() {
            Some(last) if last.code == indicator => last.cells.push(cell),
            _ => out.push(IndicatorResult {
                code: indicator,
                period,
                scope: scope.clone(),
                disaggregation,
                cells: vec![cell],
            }),
        }
    }
    Ok(out)
}

/// The neighbourhoods (area codes) that have results for a period.
pub async fn neighbourhoods(
    store: &Store,
    tenant: TenantId,
    period: Period,
) -> Result<Vec<String>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT DISTINCT scope FROM indicator_cells WHERE tenant_id = $1 AND period_start = $2 AND period_end = $3 AND scope <> 'city' ORDER BY scope")
            .bind(tenant.0).bind(day(period.start)).bind(day(period.end)).fetch_all(p).await?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(Scope::Neighbourhood(c)) = Scope::parse(&r.try_get::<String, _>(0)?) {
                out.push(c);
            }
        }
        Ok(out)
    })
}

// ---------------------------------------------------------------------------------------------
// The indicators a project is judged by

/// The indicator codes of a project, in code order.
pub async fn project_indicators(store: &Store, project: ProjectId) -> Result<Vec<String>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT indicator FROM project_indicators WHERE project_id = $1 ORDER BY indicator")
            .bind(project.0).fetch_all(p).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(r.try_get::<String, _>(0)?);
        }
        Ok(out)
    })
}

/// Replaces a project's indicators (codes already checked against the catalogue), audited.
pub async fn set_project_indicators(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    project: ProjectId,
    codes: &[String],
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM project_indicators WHERE project_id = $1")
        .bind(project.0).execute(c).await.map(|r| r.rows_affected()))?;
    for code in codes {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO project_indicators (project_id, indicator) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(project.0).bind(code).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let ev = NewEvent::from_grant(
        grant,
        "project_indicators",
        Some(project.0.to_string()),
        meta,
    )
    .with_detail(serde_json::json!({ "indicators": codes }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(())
}
