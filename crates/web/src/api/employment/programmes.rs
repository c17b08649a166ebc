//! Programmes with their funding and itinerary templates.

use super::training_actions::TrainingActionDto;
use crate::AppState;
use crate::api::conditional::{IfMatch, etag};
use crate::api::inclusion::Created;
use crate::api::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::error::Problem;
use crate::services::employment::{self as svc, TemplateInput};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::ProgrammeId;
use elkarlan_domain::employment::programme::{ProgrammeInput, format_euros};
use elkarlan_service::models::programmes::{Programme, Template};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct FundingDto {
    pub source: String,
    pub amount_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeDto {
    pub id: Uuid,
    pub name_eu: String,
    pub name_es: String,
    pub year: i64,
    pub status: String,
    pub promoter: Uuid,
    pub partners: Vec<Uuid>,
    pub neighbourhoods: Vec<Uuid>,
    pub target_groups: Vec<String>,
    pub funding: Vec<FundingDto>,
    /// The sum of the funding lines, in cents.
    pub funding_total_cents: i64,
    /// The same, written in euros with a decimal comma.
    pub funding_total: String,
    pub places: i64,
    pub starts_on: String,
    pub ends_on: String,
    /// The eligibility rules (JSON, see the `eligibility` rules of the user guide).
    pub eligibility: serde_json::Value,
    pub version: i64,
}

impl From<&Programme> for ProgrammeDto {
    fn from(p: &Programme) -> Self {
        Self {
            id: p.id.0,
            name_eu: p.name_eu.clone(),
            name_es: p.name_es.clone(),
            year: p.year,
            status: p.status.code().to_owned(),
            promoter: p.promoter.0,
            partners: p.partners.iter().map(|a| a.0).collect(),
            neighbourhoods: p.neighbourhoods.iter().map(|a| a.0).collect(),
            target_groups: p
                .target_groups
                .iter()
                .map(|g| g.code().to_owned())
                .collect(),
            funding: p
                .funding
                .iter()
                .map(|f| FundingDto {
                    source: f.source.clone(),
                    amount_cents: f.amount_cents,
                })
                .collect(),
            funding_total_cents: p.funding_total_cents(),
            funding_total: format_euros(p.funding_total_cents()),
            places: p.places,
            starts_on: p.starts_on.clone(),
            ends_on: p.ends_on.clone(),
            eligibility: serde_json::to_value(&p.eligibility).unwrap_or(serde_json::Value::Null),
            version: p.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateDto {
    pub id: Uuid,
    pub name: String,
    pub steps: Vec<String>,
    pub version: i64,
}

impl From<&Template> for TemplateDto {
    fn from(t: &Template) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            steps: t.steps.iter().map(|s| s.code().to_owned()).collect(),
            version: t.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeDetailDto {
    pub programme: ProgrammeDto,
    pub templates: Vec<TemplateDto>,
    pub actions: Vec<TrainingActionDto>,
}

/// Programmes of the tenant, latest year first.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "employment", summary = "List programmes", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProgrammeDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_programmes(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::list_programmes(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(ProgrammeDto::from).collect::<Vec<_>>(),
    ))
}

/// Creates a programme (coordinators).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "employment", summary = "Create a programme", security(("bearer" = [])),
    request_body = ProgrammeInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_programme(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<ProgrammeInput>,
) -> Result<Response, ApiError> {
    let id = svc::create_programme(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// A programme with its itinerary templates and training actions; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "employment", summary = "Read a programme", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgrammeDetailDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_programme(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ProgrammeId>,
) -> Result<Response, ApiError> {
    let d = svc::programme(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(
        StatusCode::OK,
        &ProgrammeDetailDto {
            programme: ProgrammeDto::from(&d.programme),
            templates: d.templates.iter().map(TemplateDto::from).collect(),
            actions: d.actions.iter().map(TrainingActionDto::from).collect(),
        },
    );
    res.headers_mut()
        .insert(header::ETAG, etag(d.programme.version));
    Ok(res)
}

/// Replaces a programme's fields. Needs `If-Match` with the version read.
#[utoipa::path(put, path = "/api/v1/programmes/{id}", tag = "employment", summary = "Change a programme", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = ProgrammeInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_programme(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProgrammeId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<ProgrammeInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update_programme(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        version,
        &body.value,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Adds an itinerary template, or changes one (`template` and `version`): coordinators and the
/// programme's partner entities.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/templates", tag = "employment", summary = "Save an itinerary template", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TemplateInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn save_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProgrammeId>>,
    body: ApiJson<TemplateInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let t = svc::save_template(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: t }))
}
