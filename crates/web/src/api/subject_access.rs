// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1/subject-access-requests`: the data protection officer's register of subject access
//! requests (GDPR art. 15): list, register, start or refuse, and the copy for the person.

use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::inclusion as svc;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/subject-access-requests", get(list_requests))
        .add(
            "POST",
            "/api/v1/subject-access-requests",
            post(register_request),
        )
        .add(
            "POST",
            "/api/v1/subject-access-requests/{id}/status",
            post(move_request),
        )
        .add(
            "GET",
            "/api/v1/subject-access-requests/{id}/copy",
            get(request_copy),
        )
}

/// A subject access request in the register, with whether its deadline has passed.
#[derive(Serialize, ToSchema)]
pub struct SubjectAccessRequestView {
    pub id: Uuid,
    pub person: Uuid,
    pub requester: String,
    /// person, legal_representative or authorised.
    pub relation: String,
    /// identity_document, electronic_certificate, clave or representation_document.
    pub identity_check: String,
    pub received_on: String,
    /// One month after receipt (GDPR art. 12.3).
    pub deadline_on: String,
    /// received, in_progress, completed or refused.
    pub status: String,
    /// Still open after the deadline.
    pub overdue: bool,
    pub version: i64,
}

impl SubjectAccessRequestView {
    fn from(
        r: &elkarlan_service::models::subject_access::SubjectAccessRequest,
        today: &str,
    ) -> Self {
        Self {
            id: r.id,
            person: r.person_id.0,
            requester: r.requester.clone(),
            relation: r.relation.code().to_owned(),
            identity_check: r.identity_check.code().to_owned(),
            received_on: r.received_on.clone(),
            deadline_on: r.deadline_on.clone(),
            status: r.status.code().to_owned(),
            overdue: r.overdue(today),
            version: r.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubjectAccessRequests {
    pub items: Vec<SubjectAccessRequestView>,
}

fn today() -> String {
    elkarlan_domain::Timestamp::now()
        .to_datetime()
        .date_naive()
        .to_string()
}

/// The register of subject access requests (data protection officer).
#[utoipa::path(get, path = "/api/v1/subject-access-requests", tag = "subject access", summary = "List subject access requests", security(("bearer" = [])),
    responses((status = 200, body = SubjectAccessRequests), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::subject_access_requests(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    let today = today();
    let items = list
        .iter()
        .map(|r| SubjectAccessRequestView::from(r, &today))
        .collect();
    Ok(json(StatusCode::OK, &SubjectAccessRequests { items }))
}

/// Registers a subject access request: who asked, how identity was checked, when.
#[utoipa::path(post, path = "/api/v1/subject-access-requests", tag = "subject access", summary = "Register a subject access request", security(("bearer" = [])),
    request_body = elkarlan_domain::inclusion::subject_access::RequestInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn register_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<elkarlan_domain::inclusion::subject_access::RequestInput>,
) -> Result<Response, ApiError> {
    let id = svc::register_subject_access_request(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}

/// A move of a subject access request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestMove {
    /// in_progress or refused; a request is completed by producing its copy.
    pub status: String,
    pub version: i64,
}

/// Starts or refuses a subject access request.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/status", tag = "subject access", summary = "Start or refuse a subject access request", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RequestMove,
    responses((status = 200, body = SubjectAccessRequestView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn move_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<Uuid>>,
    body: ApiJson<RequestMove>,
) -> Result<Response, ApiError> {
    let ApiPath(rid) = path.get()?;
    let r = svc::move_subject_access_request(
        &state,
        &caller.actor,
        &caller.meta,
        rid,
        body.value.version,
        &body.value.status,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &SubjectAccessRequestView::from(&r, &today()),
    ))
}

/// Everything held about the person a request in progress is about (GDPR art. 15); producing
/// it completes the request.
#[utoipa::path(get, path = "/api/v1/subject-access-requests/{id}/copy", tag = "subject access", summary = "Subject access copy", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = svc::SubjectAccessExport), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn request_copy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(rid): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let (_, copy) = svc::subject_access_for_request(&state, &caller.actor, &caller.meta, rid)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &svc::subject_access_json(&copy)))
}
