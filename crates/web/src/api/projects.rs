// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for the area's strategic projects.

use super::conditional::{IfMatch, etag};
use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::projects as svc;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use elkarlan_domain::ProjectId;
use elkarlan_domain::portfolio::ProjectInput;
use elkarlan_service::models::projects::Project;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/projects", get(list_projects))
        .add("POST", "/api/v1/projects", post(create_project))
        .add("GET", "/api/v1/projects/{id}", get(get_project))
        .add("PUT", "/api/v1/projects/{id}", put(update_project))
}

#[derive(Serialize, ToSchema)]
pub struct ProjectBudgetDto {
    pub year: i32,
    pub planned_cents: i64,
    pub executed_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectLinkDto {
    /// programme, agreement or contract.
    pub kind: String,
    pub target: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectMilestoneDto {
    pub id: Uuid,
    pub title: String,
    pub due_on: String,
    pub done_on: Option<String>,
    /// Not done and its date has passed.
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectDto {
    pub id: Uuid,
    pub code: String,
    pub name_eu: String,
    pub name_es: String,
    pub objectives: String,
    /// planned, active or closed.
    pub status: String,
    pub starts_on: String,
    pub ends_on: String,
    pub neighbourhoods: Vec<Uuid>,
    pub partners: Vec<Uuid>,
    pub budget: Vec<ProjectBudgetDto>,
    pub planned_cents: i64,
    pub executed_cents: i64,
    pub links: Vec<ProjectLinkDto>,
    pub milestones: Vec<ProjectMilestoneDto>,
    pub version: i64,
}

fn project_dto(p: &Project) -> ProjectDto {
    let today = svc::today();
    ProjectDto {
        id: p.id.0,
        code: p.code.clone(),
        name_eu: p.name_eu.clone(),
        name_es: p.name_es.clone(),
        objectives: p.objectives.clone(),
        status: p.status.code().into(),
        starts_on: p.starts_on.clone(),
        ends_on: p.ends_on.clone(),
        neighbourhoods: p.neighbourhoods.iter().map(|n| n.0).collect(),
        partners: p.partners.iter().map(|o| o.organisation.0).collect(),
        budget: p
            .budget
            .iter()
            .map(|b| ProjectBudgetDto {
                year: b.year,
                planned_cents: b.planned_cents,
                executed_cents: b.executed_cents,
            })
            .collect(),
        planned_cents: p.planned_cents(),
        executed_cents: p.executed_cents(),
        links: p
            .links
            .iter()
            .map(|l| ProjectLinkDto {
                kind: l.kind.code().into(),
                target: l.target,
            })
            .collect(),
        milestones: p
            .milestones
            .iter()
            .map(|m| ProjectMilestoneDto {
                id: m.id.0,
                title: m.title.clone(),
                due_on: m.due_on.clone(),
                done_on: m.done_on.clone(),
                overdue: m.due_on.parse().is_ok_and(|due| {
                    elkarlan_domain::portfolio::overdue(
                        due,
                        m.done_on.as_deref().and_then(|x| x.parse().ok()),
                        today,
                    )
                }),
            })
            .collect(),
        version: p.version,
    }
}

/// The tenant's strategic projects by code (coordinators and analysts).
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", summary = "List strategic projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_projects(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::list(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(project_dto).collect::<Vec<_>>(),
    ))
}

/// Creates a project (coordinators). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", summary = "Create a strategic project", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    request_body = ProjectInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<ProjectInput>,
) -> Result<Response, ApiError> {
    let idem = match super::resources::idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let idem = idem.as_ref().map(|(k, h)| (k.as_str(), h.as_slice()));
    let id = svc::create(&state, &caller.actor, &caller.meta, &body.value, idem)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// A project with its budget, links and milestones; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", summary = "Read a strategic project", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ProjectDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ProjectId>,
) -> Result<Response, ApiError> {
    let p = svc::get(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(StatusCode::OK, &project_dto(&p));
    res.headers_mut().insert(header::ETAG, etag(p.version));
    Ok(res)
}

/// Replaces a project's fields, neighbourhoods, partners and budget. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", summary = "Change a strategic project", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = ProjectInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_project(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProjectId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<ProjectInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update(
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
