//! Training actions, their rosters, attendance and the closing of an enrolment.

use super::{EnrolmentDto, RecordedDto};
use crate::AppState;
use crate::api::conditional::{IfMatch, etag};
use crate::api::inclusion::Created;
use crate::api::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::error::Problem;
use crate::services::employment::{self as svc, SessionMarksInput};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::employment::esco;
use elkarlan_domain::employment::itinerary::EnrolmentUpdateInput;
use elkarlan_domain::employment::training::TrainingActionInput;
use elkarlan_domain::{EnrolmentId, ProgrammeId, TrainingActionId};
use elkarlan_service::models::programmes::{Session, TrainingAction};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct TrainingActionDto {
    pub id: Uuid,
    pub programme: Uuid,
    pub provider: Uuid,
    pub title_eu: String,
    pub title_es: String,
    pub status: String,
    pub hours: i64,
    pub places: i64,
    pub enrolled: i64,
    pub location: String,
    pub neighbourhood: Option<Uuid>,
    /// ESCO occupation code.
    pub occupation: String,
    pub occupation_uri: Option<String>,
    pub skills: Vec<String>,
    pub certificate: Option<String>,
    pub language: String,
    pub starts_on: String,
    pub ends_on: String,
    pub weekdays: Vec<String>,
    pub time_from: String,
    pub time_to: String,
    pub sessions: i64,
    pub version: i64,
}

impl From<&TrainingAction> for TrainingActionDto {
    fn from(a: &TrainingAction) -> Self {
        Self {
            id: a.id.0,
            programme: a.programme_id.0,
            provider: a.provider.0,
            title_eu: a.title_eu.clone(),
            title_es: a.title_es.clone(),
            status: a.status.code().to_owned(),
            hours: a.hours,
            places: a.places,
            enrolled: a.enrolled,
            location: a.location.clone(),
            neighbourhood: a.neighbourhood.map(|n| n.0),
            occupation: a.esco_code.clone(),
            occupation_uri: esco::EscoOccupation::parse(&a.esco_code)
                .ok()
                .map(|o| o.uri().to_owned()),
            skills: a.skills.clone(),
            certificate: a.certificate.clone(),
            language: a.language.clone(),
            starts_on: a.starts_on.clone(),
            ends_on: a.ends_on.clone(),
            weekdays: a.weekdays.clone(),
            time_from: a.time_from.clone(),
            time_to: a.time_to.clone(),
            sessions: a.sessions,
            version: a.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub number: i64,
    pub held_on: String,
    pub time_from: String,
    pub time_to: String,
}

impl From<&Session> for SessionDto {
    fn from(s: &Session) -> Self {
        Self {
            number: s.number,
            held_on: s.held_on.clone(),
            time_from: s.time_from.clone(),
            time_to: s.time_to.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ActionDetailDto {
    pub action: TrainingActionDto,
    pub sessions: Vec<SessionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct RosterLineDto {
    pub enrolment: EnrolmentDto,
    pub given_name: String,
    pub surname1: String,
    pub surname2: Option<String>,
    /// Session number → mark, for the sessions marked so far.
    pub marks: std::collections::BTreeMap<i64, String>,
}

#[derive(Serialize, ToSchema)]
pub struct RosterDto {
    pub action: TrainingActionDto,
    pub sessions: Vec<SessionDto>,
    pub enrolments: Vec<RosterLineDto>,
}

/// Adds a training action to a programme: coordinators, or a partner entity for itself.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/actions", tag = "employment", summary = "Add a training action", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TrainingActionInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProgrammeId>>,
    body: ApiJson<TrainingActionInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let a = svc::create_action(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: a.0 }))
}

/// A training action with its sessions; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/training-actions/{id}", tag = "employment", summary = "Read a training action", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ActionDetailDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<TrainingActionId>,
) -> Result<Response, ApiError> {
    let d = svc::action(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(
        StatusCode::OK,
        &ActionDetailDto {
            action: TrainingActionDto::from(&d.action),
            sessions: d.sessions.iter().map(SessionDto::from).collect(),
        },
    );
    res.headers_mut()
        .insert(header::ETAG, etag(d.action.version));
    Ok(res)
}

/// Replaces a training action's fields (coordinators, or its own entity). Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/training-actions/{id}", tag = "employment", summary = "Change a training action", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = TrainingActionInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_action(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<TrainingActionId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<TrainingActionInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update_action(
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

/// The people enrolled with their attendance: the action's own entity only.
#[utoipa::path(get, path = "/api/v1/training-actions/{id}/enrolments", tag = "employment", summary = "Roster of a training action", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RosterDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn roster(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<TrainingActionId>,
) -> Result<Response, ApiError> {
    let r = svc::roster(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &RosterDto {
            action: TrainingActionDto::from(&r.action),
            sessions: r.sessions.iter().map(SessionDto::from).collect(),
            enrolments: r
                .lines
                .iter()
                .map(|l| RosterLineDto {
                    enrolment: EnrolmentDto::from(&l.enrolment),
                    given_name: l.given_name.clone(),
                    surname1: l.surname1.clone(),
                    surname2: l.surname2.clone(),
                    marks: r
                        .marks
                        .iter()
                        .filter(|(e, _, _)| *e == l.enrolment.id)
                        .map(|(_, n, m)| (*n, m.code().to_owned()))
                        .collect(),
                })
                .collect(),
        },
    ))
}

/// Records (or corrects) one session's marks: the action's own entity only.
#[utoipa::path(post, path = "/api/v1/training-actions/{id}/attendance", tag = "employment", summary = "Record attendance", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SessionMarksInput,
    responses((status = 200, body = RecordedDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_attendance(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<TrainingActionId>>,
    body: ApiJson<SessionMarksInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let n = svc::record_attendance(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &RecordedDto { recorded: n }))
}

/// Completes an enrolment (with its certificate) or records a drop-out with its reason.
#[utoipa::path(put, path = "/api/v1/enrolments/{id}", tag = "employment", summary = "Complete or drop out an enrolment", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = EnrolmentUpdateInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn close_enrolment(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<EnrolmentId>>,
    body: ApiJson<EnrolmentUpdateInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::close_enrolment(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
