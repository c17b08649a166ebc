//! Indicators as the portfolio reads them: the catalogue, the published values of an indicator,
//! the indicators a project is judged by, its dashboard and the annual reports. Everything is
//! read from the stored, disclosure-controlled results (`indicator_results`), never from the
//! records; a period never computed is computed once here and kept fresh by the worker.

use super::authorize_tenant_wide as grant;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{Disaggregation, IndicatorDefinition, Period};
use elkarlan_domain::indicators::results::{self, GridPeriod, IndicatorResult, Scope};
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{FieldErrors, ProjectId};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::indicator_results;
use elkarlan_store::projects::{self, Project};
use elkarlan_store::territory::{self, Area};

pub use super::agreements::today;

fn invalid(field: &str, key: &'static str) -> ServiceError {
    let mut e = FieldErrors::new();
    e.add(field, key);
    ServiceError::Invalid(e)
}

/// The grid period a reader asks for (`period`), by default the current year. Custom days
/// (`start`, `end`) are refused on `period` (see `results::choose_period`).
pub fn period_from(
    period: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<GridPeriod, FieldErrors> {
    use chrono::Datelike;
    let default = GridPeriod::Year(today().year());
    let plans = results::plan_periods(catalogue::all());
    results::choose_period(period, start, end, default, &plans)
}

/// A report's year: a whole number from 2000 to 2100; blank is the current year.
pub fn year_from(raw: Option<&str>) -> Result<(i32, Period), FieldErrors> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    let year = match raw {
        None => today().format("%Y").to_string().parse::<i32>().ok(),
        Some(s) => s.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)),
    };
    match year.and_then(|y| results::year_period(y).map(|p| (y, p))) {
        Some(x) => Ok(x),
        None => {
            let mut e = FieldErrors::new();
            e.add("year", "error-report-year");
            Err(e)
        }
    }
}

/// Makes sure `period` has results (computing them if it never had, or if they are stale and
/// the worker does not keep them).
async fn ensure(state: &AppState, actor: &Actor, period: GridPeriod) -> Result<(), ServiceError> {
    indicator_results::ensure_period(&state.store, actor.tenant, catalogue::all(), period).await?;
    Ok(())
}

// The catalogue -----------------------------------------------------------------------------------

pub async fn catalogue(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<&'static [IndicatorDefinition], ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    Ok(catalogue::all())
}

pub async fn definition(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    code: &str,
) -> Result<&'static IndicatorDefinition, ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    catalogue::find(code).ok_or(ServiceError::NotFound)
}

/// What a reader asks of an indicator's values, as sent.
#[derive(Clone, Debug, Default)]
pub struct ValuesQuery {
    pub period: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub scope: Option<String>,
    pub by: Option<String>,
}

/// The published cells of one indicator for a period, scope and breakdown.
pub async fn values(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    code: &str,
    q: &ValuesQuery,
) -> Result<(&'static IndicatorDefinition, IndicatorResult), ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    let def = catalogue::find(code).ok_or(ServiceError::NotFound)?;
    let mut errors = FieldErrors::new();
    let period = period_from(q.period.as_deref(), q.start.as_deref(), q.end.as_deref())
        .map_err(|e| errors.0.extend(e.0))
        .ok();
    let by = results::choose_disaggregation(q.by.as_deref())
        .map_err(|e| errors.0.extend(e.0))
        .ok()
        .flatten();
    let scope = match q.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Scope::City),
        Some(s) => {
            let areas = territory::list(&state.store, actor.tenant).await?;
            match Scope::parse(s) {
                Some(Scope::City) => Some(Scope::City),
                Some(Scope::Neighbourhood(c))
                    if areas
                        .iter()
                        .any(|a| a.kind == "neighbourhood" && a.code == c) =>
                {
                    Some(Scope::Neighbourhood(c))
                }
                _ => {
                    errors.add("scope", "error-indicator-scope-unknown");
                    None
                }
            }
        }
    };
    if let Some(scope) = &scope {
        let neighbourhood = matches!(scope, Scope::Neighbourhood(_));
        if neighbourhood && !def.disaggregations.contains(&Disaggregation::Neighbourhood) {
            errors.add("scope", "error-disaggregation-unavailable");
        } else if let Some(d) = by {
            let place = matches!(d, Disaggregation::District | Disaggregation::Neighbourhood);
            if !def.disaggregations.contains(&d) || (neighbourhood && place) {
                errors.add("by", "error-disaggregation-unavailable");
            }
        }
    }
    let (Some(period), Some(scope)) = (period, scope) else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.0.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    ensure(state, actor, period).await?;
    let period = period.period();
    let found =
        indicator_results::result(&state.store, actor.tenant, code, period, &scope, by).await?;
    Ok((
        def,
        found.unwrap_or(IndicatorResult {
            code: def.code.clone(),
            period,
            scope,
            disaggregation: by,
            cells: Vec::new(),
        }),
    ))
}

// A project's indicators ----------------------------------------------------------------------------

pub async fn project_indicators(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
) -> Result<(Project, Vec<String>), ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    let p = projects::get(&state.store, actor.tenant, id).await?;
    let codes = indicator_results::project_indicators(&state.store, id).await?;
    Ok((p, codes))
}

/// A project's indicators, for the coordinator's form.
pub async fn indicators_to_edit(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
) -> Result<Vec<String>, ServiceError> {
    grant(state, actor, meta, Action::ManagePortfolio).await?;
    projects::get(&state.store, actor.tenant, id).await?;
    Ok(indicator_results::project_indicators(&state.store, id).await?)
}

/// Replaces a project's indicators; every code must be in the catalogue
/// (`indicators`: `error-project-indicator-unknown`).
pub async fn set_project_indicators(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    codes: &[String],
) -> Result<(), ServiceError> {
    let g = grant(state, actor, meta, Action::ManagePortfolio).await?;
    projects::get(&state.store, actor.tenant, id).await?;
    let mut clean: Vec<String> = Vec::new();
    for c in codes {
        let c = c.trim();
        if catalogue::find(c).is_none() {
            return Err(invalid("indicators", "error-project-indicator-unknown"));
        }
        if !clean.iter().any(|x| x == c) {
            clean.push(c.to_owned());
        }
    }
    clean.sort();
    indicator_results::set_project_indicators(&state.store, &g, meta, id, &clean).await?;
    Ok(())
}

// Dashboards and reports ------------------------------------------------------------------------

/// One indicator of a project: its city total and, when it has them, its neighbourhoods' totals
/// (`None` for a neighbourhood the indicator is not broken down by).
pub struct IndicatorLine {
    pub def: &'static IndicatorDefinition,
    pub city: elkarlan_domain::indicators::publish::Published,
    pub areas: Vec<Option<elkarlan_domain::indicators::publish::Published>>,
}

pub struct ProjectDashboard {
    pub project: Project,
    /// The project's neighbourhoods.
    pub areas: Vec<Area>,
    pub period: Period,
    /// The same period as readers choose it.
    pub grid: GridPeriod,
    pub lines: Vec<IndicatorLine>,
}

fn total_of(
    found: &[IndicatorResult],
    code: &str,
) -> elkarlan_domain::indicators::publish::Published {
    use elkarlan_domain::indicators::definition::IndicatorValue;
    use elkarlan_domain::indicators::publish::Published;
    found.iter().find(|r| r.code == code).map_or(
        Published::Value(IndicatorValue::NoData),
        IndicatorResult::total,
    )
}

async fn lines(
    state: &AppState,
    actor: &Actor,
    codes: &[String],
    areas: &[Area],
    grid: GridPeriod,
) -> Result<Vec<IndicatorLine>, ServiceError> {
    ensure(state, actor, grid).await?;
    let period = grid.period();
    let city =
        indicator_results::results(&state.store, actor.tenant, period, &Scope::City, None).await?;
    let mut by_area = Vec::new();
    for a in areas {
        by_area.push(
            indicator_results::results(
                &state.store,
                actor.tenant,
                period,
                &Scope::Neighbourhood(a.code.clone()),
                None,
            )
            .await?,
        );
    }
    Ok(codes
        .iter()
        .filter_map(|c| catalogue::find(c))
        .map(|def| IndicatorLine {
            def,
            city: total_of(&city, &def.code),
            areas: by_area
                .iter()
                .map(|found| {
                    def.disaggregations
                        .contains(&Disaggregation::Neighbourhood)
                        .then(|| total_of(found, &def.code))
                })
                .collect(),
        })
        .collect())
}

pub async fn dashboard(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProjectId,
    period: Result<GridPeriod, FieldErrors>,
) -> Result<ProjectDashboard, ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    let project = projects::get(&state.store, actor.tenant, id).await?;
    let period = period.map_err(ServiceError::Invalid)?;
    let codes = indicator_results::project_indicators(&state.store, id).await?;
    let all = territory::list(&state.store, actor.tenant).await?;
    let areas: Vec<Area> = project
        .neighbourhoods
        .iter()
        .filter_map(|n| all.iter().find(|a| a.id == *n).cloned())
        .collect();
    let lines = lines(state, actor, &codes, &areas, period).await?;
    Ok(ProjectDashboard {
        project,
        areas,
        period: period.period(),
        grid: period,
        lines,
    })
}

/// A project in an annual report: its indicators city-wide for the year.
pub struct ProjectYear {
    pub project: Project,
    pub lines: Vec<IndicatorLine>,
}

pub struct AnnualReport {
    pub year: i32,
    pub period: Period,
    pub projects: Vec<ProjectYear>,
    /// Every catalogue indicator's city total for the year (the area report only).
    pub totals: Vec<IndicatorLine>,
}

/// The annual report of one project (`Some`) or of the whole area.
pub async fn annual(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    project: Option<ProjectId>,
    year: Result<(i32, Period), FieldErrors>,
) -> Result<AnnualReport, ServiceError> {
    grant(state, actor, meta, Action::ViewPortfolio).await?;
    let list = match project {
        Some(id) => vec![projects::get(&state.store, actor.tenant, id).await?],
        None => projects::list(&state.store, actor.tenant).await?,
    };
    let (year, period) = year.map_err(ServiceError::Invalid)?;
    let mut out = Vec::new();
    for p in list {
        let codes = indicator_results::project_indicators(&state.store, p.id).await?;
        let lines = lines(state, actor, &codes, &[], GridPeriod::Year(year)).await?;
        out.push(ProjectYear { project: p, lines });
    }
    let totals = if project.is_none() {
        let codes: Vec<String> = catalogue::all().iter().map(|d| d.code.clone()).collect();
        lines(state, actor, &codes, &[], GridPeriod::Year(year)).await?
    } else {
        Vec::new()
    };
    Ok(AnnualReport {
        year,
        period,
        projects: out,
        totals,
    })
}

/// The published cells of a grid period for `scope` (broken down by `by`), with when they were
/// computed; with `compute`, a period not on record is computed first. Published cells have
/// passed disclosure control and are public (the neighbourhood pages show them to anyone); a
/// signed-in dashboard decides on its caller before it asks.
pub async fn published_cells(
    state: &AppState,
    tenant: elkarlan_domain::TenantId,
    period: GridPeriod,
    scope: &Scope,
    by: Option<Disaggregation>,
    compute: bool,
) -> Result<(Vec<IndicatorResult>, Option<elkarlan_domain::Timestamp>), elkarlan_store::StoreError>
{
    if compute {
        indicator_results::ensure_period(&state.store, tenant, catalogue::all(), period).await?;
    }
    let days = period.period();
    let computed_at = indicator_results::computed_at(&state.store, tenant, days).await?;
    let results = indicator_results::results(&state.store, tenant, days, scope, by).await?;
    Ok((results, computed_at))
}

/// The periods whose cells are published, newest first.
pub async fn published_periods(
    state: &AppState,
    tenant: elkarlan_domain::TenantId,
) -> Result<Vec<Period>, elkarlan_store::StoreError> {
    Ok(indicator_results::computed_periods(&state.store, tenant)
        .await?
        .into_iter()
        .map(|c| c.period)
        .collect())
}
