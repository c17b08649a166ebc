// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for casework: assessments, the joint plan, notes, meetings, timeline.

use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, ApiPath2, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::casework::{
    self as svc, ActionInput, ActionStatusInput, AssessmentInput, GoalInput, MeetingInput,
    NoteInput, TimelineEntry,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, post};
use elkarlan_domain::CaseId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/cases/{id}/casework", routing::get(get))
        .add(
            "POST",
            "/api/v1/cases/{id}/assessments",
            post(record_assessment),
        )
        .add("POST", "/api/v1/cases/{id}/goals", post(add_goal))
        .add("POST", "/api/v1/cases/{id}/actions", post(add_action))
        .add(
            "POST",
            "/api/v1/cases/{id}/actions/{action}/status",
            post(set_action_status),
        )
        .add("POST", "/api/v1/cases/{id}/notes", post(add_note))
        .add("POST", "/api/v1/meetings", post(record_meeting))
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: Uuid,
    pub instrument_version: i64,
    pub assessed_at: String,
    pub assessed_agency: Uuid,
    pub summary: String,
    /// [domain, severity] pairs.
    pub domains: Vec<(String, String)>,
}

#[derive(Serialize, ToSchema)]
pub struct GoalDto {
    pub id: Uuid,
    pub domain: String,
    pub description: String,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDto {
    pub id: Uuid,
    pub goal: Option<Uuid>,
    pub meeting: Option<Uuid>,
    pub agency: Uuid,
    pub description: String,
    pub due_on: Option<String>,
    pub status: String,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct NoteDto {
    pub id: Uuid,
    pub author_agency: Uuid,
    pub confidentiality: String,
    pub clinical: bool,
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingDto {
    pub id: Uuid,
    pub held_on: String,
    pub minutes: String,
    pub agencies: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseworkDto {
    pub assessments: Vec<AssessmentDto>,
    pub goals: Vec<GoalDto>,
    pub actions: Vec<ActionDto>,
    /// Only the notes this caller may read.
    pub notes: Vec<NoteDto>,
    pub meetings: Vec<MeetingDto>,
    /// Health agencies following the person, when the caller may know it (never a diagnosis).
    pub health_followups: Vec<Uuid>,
    pub timeline: Vec<TimelineEntry>,
}

/// The case's assessments, plan, notes, meetings and timeline, as the caller may see them.
#[utoipa::path(get, path = "/api/v1/cases/{id}/casework", tag = "cases", summary = "Casework of a case", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseworkDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<CaseId>,
) -> Result<Response, ApiError> {
    let w = svc::casework(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &CaseworkDto {
            assessments: w
                .assessments
                .iter()
                .map(|a| AssessmentDto {
                    id: a.id,
                    instrument_version: a.instrument_version,
                    assessed_at: a.assessed_at.iso(),
                    assessed_agency: a.assessed_agency.0,
                    summary: a.summary.clone(),
                    domains: a.domains.clone(),
                })
                .collect(),
            goals: w
                .goals
                .iter()
                .map(|g| GoalDto {
                    id: g.id,
                    domain: g.domain.clone(),
                    description: g.description.clone(),
                    status: g.status.clone(),
                })
                .collect(),
            actions: w
                .actions
                .iter()
                .map(|a| ActionDto {
                    id: a.id,
                    goal: a.goal_id,
                    meeting: a.meeting_id,
                    agency: a.agency_id.0,
                    description: a.description.clone(),
                    due_on: a.due_on.clone(),
                    status: a.status.clone(),
                    version: a.version,
                })
                .collect(),
            notes: w
                .notes
                .iter()
                .map(|n| NoteDto {
                    id: n.id,
                    author_agency: n.author_agency.0,
                    confidentiality: n.confidentiality.clone(),
                    clinical: n.clinical,
                    body: n.body.clone(),
                    created_at: n.created_at.iso(),
                })
                .collect(),
            meetings: w
                .meetings
                .iter()
                .map(|m| MeetingDto {
                    id: m.id,
                    held_on: m.held_on.clone(),
                    minutes: m.minutes.clone(),
                    agencies: m.agencies.iter().map(|a| a.0).collect(),
                })
                .collect(),
            health_followups: w.health_followups.iter().map(|a| a.0).collect(),
            timeline: w.timeline,
        },
    ))
}

macro_rules! create_endpoint {
    ($name:ident, $input:ty, $svc:path, $path:literal, $summary:literal) => {
        #[utoipa::path(post, path = $path, tag = "cases", summary = $summary, security(("bearer" = [])), params(("id" = Uuid, Path)),
            request_body = $input, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(State(state): State<AppState>, caller: ApiCaller, path: AfterBody<ApiPath<CaseId>>, body: ApiJson<$input>) -> Result<Response, ApiError> {
            let ApiPath(id) = path.get()?;
            let new = $svc(&state, &caller.actor, &caller.meta, id, &body.value).await.or_problem(caller.lang)?;
            Ok(json(StatusCode::CREATED, &Created { id: new }))
        }
    };
}

create_endpoint!(
    record_assessment,
    AssessmentInput,
    svc::record_assessment,
    "/api/v1/cases/{id}/assessments",
    "Record a needs assessment"
);
create_endpoint!(
    add_goal,
    GoalInput,
    svc::add_goal,
    "/api/v1/cases/{id}/goals",
    "Add a plan goal"
);
create_endpoint!(
    add_action,
    ActionInput,
    svc::add_action,
    "/api/v1/cases/{id}/actions",
    "Add a plan action"
);
create_endpoint!(
    add_note,
    NoteInput,
    svc::add_note,
    "/api/v1/cases/{id}/notes",
    "Write a case note"
);

/// Moves a plan action (pending, in progress, done, cancelled).
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}/status", tag = "cases", summary = "Change a plan action's status", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("action" = Uuid, Path)), request_body = ActionStatusInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_action_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath2<CaseId, Uuid>>,
    body: ApiJson<ActionStatusInput>,
) -> Result<Response, ApiError> {
    let ApiPath2(id, action) = path.get()?;
    svc::set_action_status(&state, &caller.actor, &caller.meta, id, action, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Records a coordination meeting; agreed actions become plan actions of the cases reviewed.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "cases", summary = "Record a coordination meeting", security(("bearer" = [])), request_body = MeetingInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_meeting(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<MeetingInput>,
) -> Result<Response, ApiError> {
    let id = svc::record_meeting(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id }))
}
