// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for the indicator catalogue, the published values of an indicator and
//! the indicators a project is judged by. Values come from the stored, disclosure-controlled
//! results: a suppressed cell carries its status and never a value.

use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::reports::{self as svc, ValuesQuery};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use elkarlan_domain::ProjectId;
use elkarlan_domain::indicators::definition::{IndicatorDefinition, IndicatorValue, Key};
use elkarlan_domain::indicators::publish::Published;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/indicators", get(list_indicators))
        .add("GET", "/api/v1/indicators/{code}", get(get_indicator))
        .add(
            "GET",
            "/api/v1/indicators/{code}/values",
            get(indicator_values),
        )
        .add(
            "GET",
            "/api/v1/projects/{id}/indicators",
            get(get_project_indicators),
        )
        .add(
            "PUT",
            "/api/v1/projects/{id}/indicators",
            axum::routing::put(put_project_indicators),
        )
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorNamesDto {
    pub eu: String,
    pub es: String,
    pub en: String,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorYearTargetDto {
    pub year: i32,
    pub value: f64,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorEffectiveDto {
    pub start: String,
    pub end: String,
}

/// One catalogue indicator.
#[derive(Serialize, ToSchema)]
pub struct IndicatorDefinitionDto {
    pub code: String,
    pub name: IndicatorNamesDto,
    /// count, percent, permille, ratio, days or euros.
    pub unit: String,
    /// ordinary or sensitive (stricter disclosure control).
    pub sensitivity: String,
    pub plan: String,
    pub plan_version: u32,
    /// In the unit, when set.
    pub baseline: Option<f64>,
    /// The plan's target, in the unit, when set.
    pub target: Option<f64>,
    /// Targets for single years of the plan, in the unit.
    pub yearly_targets: Vec<IndicatorYearTargetDto>,
    /// higher_is_better or lower_is_better.
    pub direction: String,
    pub effective: IndicatorEffectiveDto,
    /// The breakdowns available: district, neighbourhood, sex, age_band, origin.
    pub disaggregations: Vec<String>,
    /// What is counted: source, aggregate, field and filters.
    pub numerator: String,
    /// What it is divided by, if anything.
    pub denominator: Option<String>,
}

fn describe(m: &elkarlan_domain::indicators::definition::Measure) -> String {
    let mut s = format!("{} of {}", m.aggregate.code(), m.source.code());
    if let Some(f) = m.field {
        s.push_str(&format!(" ({f})"));
    }
    if !m.filters.is_empty() {
        let fields: Vec<&str> = m.filters.iter().map(|f| f.field()).collect();
        s.push_str(&format!(" where {}", fields.join(", ")));
    }
    s
}

fn definition_dto(d: &IndicatorDefinition) -> IndicatorDefinitionDto {
    IndicatorDefinitionDto {
        code: d.code.clone(),
        name: IndicatorNamesDto {
            eu: d.name.eu.clone(),
            es: d.name.es.clone(),
            en: d.name.en.clone(),
        },
        unit: d.unit.code().into(),
        sensitivity: d.sensitivity.code().into(),
        plan: d.plan.clone(),
        plan_version: d.plan_version,
        baseline: d.baseline,
        target: d.target,
        yearly_targets: d
            .yearly_targets
            .iter()
            .map(|(year, value)| IndicatorYearTargetDto {
                year: *year,
                value: *value,
            })
            .collect(),
        direction: d.direction.code().into(),
        effective: IndicatorEffectiveDto {
            start: d.effective.start.to_string(),
            end: d.effective.end.to_string(),
        },
        disaggregations: d
            .disaggregations
            .iter()
            .map(|x| x.code().to_owned())
            .collect(),
        numerator: describe(&d.numerator),
        denominator: d.denominator.as_ref().map(describe),
    }
}

/// What to read: a grid period (`2026`, `2026-Q2`, `2026-05`, a plan period); a scope; a
/// breakdown. Custom days are refused.
#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct IndicatorValuesQuery {
    /// A year (2026), a quarter (2026-Q2), a month (2026-05) or a plan period
    /// (plan-20240101-20271231). Default: the current year.
    pub period: Option<String>,
    /// Not accepted: custom days are refused (422 on `period`, `error-period-custom`), since two
    /// ranges a few days apart could be differenced to single people out.
    pub start: Option<String>,
    /// Not accepted, as `start`.
    pub end: Option<String>,
    /// `city` (default) or `neighbourhood:<area code>`.
    pub scope: Option<String>,
    /// A breakdown: district, neighbourhood (city only), sex, age_band or origin.
    pub by: Option<String>,
}

/// A ratio behind a value.
#[derive(Serialize, ToSchema)]
pub struct IndicatorRatioDto {
    pub numerator: i64,
    pub denominator: i64,
}

/// One published cell. `value` and `ratio` are present only when `status` is `value`.
#[derive(Serialize, ToSchema)]
pub struct IndicatorCellDto {
    /// Empty for the total; otherwise the group's code.
    pub group: String,
    /// value, suppressed (hidden to protect privacy), no_data or division_by_zero.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<IndicatorRatioDto>,
    /// The value in the indicator's unit, as a decimal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorValuesDto {
    pub code: String,
    pub unit: String,
    pub period_start: String,
    pub period_end: String,
    /// `city` or `neighbourhood:<area code>`.
    pub scope: String,
    /// The breakdown, if any.
    pub by: Option<String>,
    pub cells: Vec<IndicatorCellDto>,
}

/// The value of a ratio in a unit, as a decimal.
pub fn in_unit(def: &IndicatorDefinition, numerator: i64, denominator: i64) -> Option<f64> {
    let den = denominator as f64 * def.unit.divisor() as f64;
    (den != 0.0).then(|| numerator as f64 * def.unit.scale() as f64 / den)
}

fn cell_dto(def: &IndicatorDefinition, key: &Key, p: &Published) -> IndicatorCellDto {
    let group = match key {
        Key::Total => String::new(),
        Key::Group(g) => g.clone(),
    };
    let (status, ratio, value) = match p {
        Published::Suppressed => ("suppressed", None, None),
        Published::Value(IndicatorValue::NoData) => ("no_data", None, None),
        Published::Value(IndicatorValue::DivisionByZero) => ("division_by_zero", None, None),
        Published::Value(IndicatorValue::Value(r)) => (
            "value",
            Some(IndicatorRatioDto {
                numerator: r.numerator,
                denominator: r.denominator,
            }),
            in_unit(def, r.numerator, r.denominator),
        ),
    };
    IndicatorCellDto {
        group,
        status: status.into(),
        ratio,
        value,
    }
}

/// The indicator catalogue (coordinators and analysts).
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", summary = "List the indicator catalogue", security(("bearer" = [])),
    responses((status = 200, body = Vec<IndicatorDefinitionDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_indicators(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let all = svc::catalogue(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &all.iter().map(definition_dto).collect::<Vec<_>>(),
    ))
}

/// One catalogue indicator by code.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "indicators", summary = "Read an indicator's definition", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = IndicatorDefinitionDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let d = svc::definition(&state, &caller.actor, &caller.meta, &code)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &definition_dto(d)))
}

fn first(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The published cells of an indicator for a period, scope and breakdown: the total first,
/// then each group. Suppressed cells never carry a value. A period never asked for before is
/// computed on the spot.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/values", tag = "indicators", summary = "Read an indicator's published values", security(("bearer" = [])),
    params(("code" = String, Path), IndicatorValuesQuery),
    responses((status = 200, body = IndicatorValuesDto), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn indicator_values(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(code): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Query(pairs)) = q else {
        return Err(
            Problem::new(caller.lang, StatusCode::BAD_REQUEST, "problem-invalid-body").into(),
        );
    };
    let q = ValuesQuery {
        period: first(&pairs, "period"),
        start: first(&pairs, "start"),
        end: first(&pairs, "end"),
        scope: first(&pairs, "scope"),
        by: first(&pairs, "by"),
    };
    let (def, r) = svc::values(&state, &caller.actor, &caller.meta, &code, &q)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &IndicatorValuesDto {
            code: def.code.clone(),
            unit: def.unit.code().into(),
            period_start: r.period.start.to_string(),
            period_end: r.period.end.to_string(),
            scope: r.scope.code(),
            by: r.disaggregation.map(|d| d.code().to_owned()),
            cells: r.cells.iter().map(|(k, p)| cell_dto(def, k, p)).collect(),
        },
    ))
}

/// The indicators a project is judged by.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct IndicatorProjectSetDto {
    /// Catalogue codes, e.g. ["PL-01", "TR-01"].
    pub indicators: Vec<String>,
}

/// A project's indicators (coordinators and analysts).
#[utoipa::path(get, path = "/api/v1/projects/{id}/indicators", tag = "projects", summary = "Read a project's indicators", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = IndicatorProjectSetDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_project_indicators(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ProjectId>,
) -> Result<Response, ApiError> {
    let (_, indicators) = svc::project_indicators(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &IndicatorProjectSetDto { indicators }))
}

/// Replaces a project's indicators (coordinators). Unknown codes: 422 on `indicators`.
#[utoipa::path(put, path = "/api/v1/projects/{id}/indicators", tag = "projects", summary = "Set a project's indicators", security(("bearer" = [])), params(("id" = uuid::Uuid, Path)),
    request_body = IndicatorProjectSetDto,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_project_indicators(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProjectId>>,
    body: ApiJson<IndicatorProjectSetDto>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::set_project_indicators(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        &body.value.indicators,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
