// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` configuration a tenant owns: versions of the needs-assessment instrument and
//! retention periods.

use super::{ApiCaller, ApiError, ApiJson, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::{instruments as instruments_svc, retention as retention_svc};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use elkarlan_domain::inclusion::instrument::LifeDomainInput;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/instruments", get(list_instruments))
        .add("POST", "/api/v1/instruments", post(add_instrument))
        .add("GET", "/api/v1/retention", get(get_retention))
        .add("PUT", "/api/v1/retention", put(set_retention))
        .add("GET", "/api/v1/capacity", get(get_capacity))
        .add("PUT", "/api/v1/capacity", put(set_capacity))
}

#[derive(Serialize, ToSchema)]
pub struct LifeDomainDto {
    pub code: String,
    /// The data category the domain's severity reveals; readers see it only when that category
    /// is open to them.
    pub category: String,
    /// Names for domains outside the built-in catalogue: `{"eu": .., "es": .., "en": ..}`.
    pub labels: Option<BTreeMap<String, String>>,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentDto {
    pub version: u32,
    pub domains: Vec<LifeDomainDto>,
}

/// Every version of the needs-assessment instrument, oldest first; new assessments use the last.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "configuration", summary = "Assessment instrument versions", security(("bearer" = [])),
    responses((status = 200, body = [InstrumentDto]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_instruments(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let all = instruments_svc::list(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    let dto: Vec<InstrumentDto> = all
        .into_iter()
        .map(|i| InstrumentDto {
            version: i.version,
            domains: i
                .domains
                .into_iter()
                .map(|d| LifeDomainDto {
                    code: d.code,
                    category: d.category.code().to_owned(),
                    labels: d.labels.map(|l| {
                        BTreeMap::from([
                            ("eu".to_owned(), l.eu),
                            ("es".to_owned(), l.es),
                            ("en".to_owned(), l.en),
                        ])
                    }),
                })
                .collect(),
        })
        .collect();
    Ok(json(StatusCode::OK, &dto))
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewLifeDomain {
    /// Lowercase letters, digits and underscores; a built-in code keeps its translated name.
    pub code: String,
    /// identification, contact, employment, income, housing, education, social_services_notes
    /// or health_flags (a built-in domain keeps its own).
    pub category: String,
    pub label_eu: String,
    pub label_es: String,
    pub label_en: String,
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NewInstrument {
    pub domains: Vec<NewLifeDomain>,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentCreated {
    pub version: u32,
}

/// Adds the next version of the instrument (administrators). Earlier assessments keep theirs.
#[utoipa::path(post, path = "/api/v1/instruments", tag = "configuration", summary = "Add an instrument version", security(("bearer" = [])),
    request_body = NewInstrument,
    responses((status = 201, body = InstrumentCreated), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_instrument(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<NewInstrument>,
) -> Result<Response, ApiError> {
    let domains: Vec<LifeDomainInput> = body
        .value
        .domains
        .iter()
        .map(|d| LifeDomainInput {
            code: d.code.clone(),
            category: d.category.clone(),
            label_eu: d.label_eu.clone(),
            label_es: d.label_es.clone(),
            label_en: d.label_en.clone(),
        })
        .collect();
    let version = instruments_svc::add(&state, &caller.actor, &caller.meta, &domains)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &InstrumentCreated { version }))
}

#[derive(Serialize, ToSchema)]
pub struct RetentionPeriodDto {
    /// closed_case, person_without_case, ended_consent or read_notification.
    pub record_type: String,
    pub days: i64,
    pub default_days: i64,
    /// anonymise or delete.
    pub disposal: String,
    /// False while the default applies.
    pub set: bool,
}

/// How long each kind of record is kept, and what happens after (DPO).
#[utoipa::path(get, path = "/api/v1/retention", tag = "configuration", summary = "Retention periods", security(("bearer" = [])),
    responses((status = 200, body = [RetentionPeriodDto]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_retention(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let periods = retention_svc::periods(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    let dto: Vec<RetentionPeriodDto> = periods
        .into_iter()
        .map(|p| RetentionPeriodDto {
            record_type: p.record_type.code().to_owned(),
            days: p.days,
            default_days: p.record_type.default_days(),
            disposal: p.record_type.disposal().code().to_owned(),
            set: p.set,
        })
        .collect();
    Ok(json(StatusCode::OK, &dto))
}

/// Sets retention periods in days (30 to 36,500), by record type; all or nothing (DPO).
#[utoipa::path(put, path = "/api/v1/retention", tag = "configuration", summary = "Set retention periods", security(("bearer" = [])),
    request_body(content = BTreeMap<String, i64>, description = "Record type → days, e.g. {\"closed_case\": 1825}"),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_retention(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<BTreeMap<String, i64>>,
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> = body
        .value
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    retention_svc::set_periods(&state, &caller.actor, &caller.meta, &pairs)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CapacityDto {
    /// People the service can take now (0 to 100,000).
    pub open_places: i64,
    /// People already waiting (0 to 100,000).
    pub waiting_list: i64,
    /// Days someone referred today would wait (0 to 3,650).
    pub expected_wait_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PublishedCapacityDto {
    pub open_places: i64,
    pub waiting_list: i64,
    pub expected_wait_days: i64,
    /// When the figures were last published; absent (and the figures 0) until they are.
    pub published_at: Option<String>,
}

/// What the caller's own service publishes, shown to whoever refers a person to it.
#[utoipa::path(get, path = "/api/v1/capacity", tag = "referrals", summary = "Own service capacity", security(("bearer" = [])),
    responses((status = 200, body = PublishedCapacityDto), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_capacity(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let c = crate::services::capacity::own(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &PublishedCapacityDto {
            open_places: c.as_ref().map_or(0, |c| c.open_places),
            waiting_list: c.as_ref().map_or(0, |c| c.waiting_list),
            expected_wait_days: c.as_ref().map_or(0, |c| c.expected_wait_days),
            published_at: c.map(|c| c.updated_at.iso()),
        },
    ))
}

/// Publishes what the caller's own service can take now.
#[utoipa::path(put, path = "/api/v1/capacity", tag = "referrals", summary = "Publish own service capacity", security(("bearer" = [])),
    request_body = CapacityDto,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn set_capacity(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<CapacityDto>,
) -> Result<Response, ApiError> {
    let input = crate::services::capacity::CapacityInput {
        open_places: body.value.open_places.to_string(),
        waiting_list: body.value.waiting_list.to_string(),
        expected_wait_days: body.value.expected_wait_days.to_string(),
    };
    crate::services::capacity::publish(&state, &caller.actor, &caller.meta, &input)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
