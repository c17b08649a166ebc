//! The follow-ups due.

use crate::AppState;
use crate::api::{ApiCaller, ApiError, OrProblem, json};
use crate::error::Problem;
use crate::services::employment::{self as svc};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct DueFollowUpDto {
    pub placement: Uuid,
    pub person: Uuid,
    pub person_name: String,
    pub employer: Option<String>,
    pub months: i64,
    pub due_on: String,
}

/// The caller's follow-ups due in the next 14 days or overdue.
#[utoipa::path(get, path = "/api/v1/follow-ups/due", tag = "employment", summary = "My due follow-ups", security(("bearer" = [])),
    responses((status = 200, body = Vec<DueFollowUpDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn due_follow_ups(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::due_follow_ups(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list
            .iter()
            .map(|(d, p)| DueFollowUpDto {
                placement: d.follow_up.placement_id.0,
                person: d.person_id.0,
                person_name: p.full_name(),
                employer: d.employer.clone(),
                months: d.follow_up.months,
                due_on: d.follow_up.due_on.clone(),
            })
            .collect::<Vec<_>>(),
    ))
}
