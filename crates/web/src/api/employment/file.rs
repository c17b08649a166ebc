//! A person's employment file: the profile with its suggestions, itineraries and their steps,
//! enrolments, placements and follow-ups.

use super::EnrolmentDto;
use crate::AppState;
use crate::api::inclusion::Created;
use crate::api::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, ApiPath2, OrProblem, json};
use crate::error::{Problem, ServiceError};
use crate::services::employment::{self as svc, CloseItineraryInput, EnrolInput, ProfileInput};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use elkarlan_domain::employment::eligibility::{Outcome, Reason};
use elkarlan_domain::employment::itinerary::{ItineraryInput, StepInput, StepUpdateInput};
use elkarlan_domain::employment::placement::{FollowUpInput, PlacementInput};
use elkarlan_domain::{ItineraryId, ItineraryStepId, Lang, PersonId, PlacementId};
use elkarlan_service::models::itineraries::{FollowUp, Itinerary, Placement};
use elkarlan_service::models::territory::Area;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub id: Uuid,
    pub position: i64,
    pub kind: String,
    pub status: String,
    pub planned_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ItineraryDto {
    pub id: Uuid,
    pub programme: Option<Uuid>,
    pub professional: Uuid,
    pub agency: Uuid,
    pub status: String,
    pub opened_at: String,
    pub version: i64,
    pub steps: Vec<StepDto>,
}

impl From<&Itinerary> for ItineraryDto {
    fn from(i: &Itinerary) -> Self {
        Self {
            id: i.id.0,
            programme: i.programme_id.map(|p| p.0),
            professional: i.professional_id.0,
            agency: i.agency_id.0,
            status: i.status.code().to_owned(),
            opened_at: i.opened_at.iso(),
            version: i.version,
            steps: i
                .steps
                .iter()
                .map(|s| StepDto {
                    id: s.id.0,
                    position: s.position,
                    kind: s.kind.code().to_owned(),
                    status: s.status.code().to_owned(),
                    planned_on: s.planned_on.clone(),
                    started_on: s.started_on.clone(),
                    completed_on: s.completed_on.clone(),
                    version: s.version,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpDto {
    pub months: i64,
    pub due_on: String,
    pub checked_on: Option<String>,
    pub still_employed: Option<bool>,
    pub same_employer: Option<bool>,
    pub evidence: Option<String>,
    pub note: Option<String>,
}

impl From<&FollowUp> for FollowUpDto {
    fn from(f: &FollowUp) -> Self {
        Self {
            months: f.months,
            due_on: f.due_on.clone(),
            checked_on: f.checked_on.clone(),
            still_employed: f.still_employed,
            same_employer: f.same_employer,
            evidence: f.evidence.clone(),
            note: f.note.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlacementDto {
    pub id: Uuid,
    pub itinerary: Option<Uuid>,
    /// Absent for self-employment.
    pub employer: Option<String>,
    pub contract_type: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// Hours a week, in hundredths (3750 = 37.5 h).
    pub weekly_hours_centi: i64,
    /// ESCO occupation code.
    pub occupation: String,
    /// CNAE-2009 section letter.
    pub sector: String,
    /// The social clause of a public contract this hire fulfils, once linked.
    pub social_clause: Option<Uuid>,
    /// The agreement commitment this hire fulfils, once linked.
    pub agreement_commitment: Option<Uuid>,
    pub follow_ups: Vec<FollowUpDto>,
}

impl From<&Placement> for PlacementDto {
    fn from(p: &Placement) -> Self {
        Self {
            id: p.id.0,
            itinerary: p.itinerary_id.map(|i| i.0),
            employer: p.employer.clone(),
            contract_type: p.contract_type.code().to_owned(),
            starts_on: p.starts_on.clone(),
            ends_on: p.ends_on.clone(),
            weekly_hours_centi: p.weekly_hours_centi,
            occupation: p.esco_code.clone(),
            sector: p.sector.code().to_uppercase(),
            social_clause: p.social_clause_id,
            agreement_commitment: p.agreement_commitment_id,
            follow_ups: p.follow_ups.iter().map(FollowUpDto::from).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReasonDto {
    /// true = met, false = not met, null = not known yet.
    pub met: Option<bool>,
    /// The explanation in the caller's language.
    pub text: String,
    /// For "any of" rules: each alternative, explained (rules nest one level only).
    pub alternatives: Vec<AlternativeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct AlternativeDto {
    pub met: Option<bool>,
    pub text: String,
}

fn reason_text(lang: Lang, areas: &[Area], r: &Reason) -> String {
    svc::eligibility_message(lang, areas, r.key, &r.args)
}

fn reason_dto(lang: Lang, areas: &[Area], r: &Reason) -> ReasonDto {
    ReasonDto {
        met: r.met,
        text: reason_text(lang, areas, r),
        alternatives: r
            .alternatives
            .iter()
            .map(|a| AlternativeDto {
                met: a.met,
                text: reason_text(lang, areas, a),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionDto {
    pub programme: Uuid,
    /// eligible, not_eligible or unknown. A suggestion: a professional decides.
    pub outcome: String,
    pub summary: String,
    pub reasons: Vec<ReasonDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileDto {
    pub unemployed_since: Option<String>,
    pub income_guarantee: Option<bool>,
    pub disability_percent: Option<i64>,
    pub isced: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EmploymentFileDto {
    pub person: Uuid,
    pub profile: ProfileDto,
    pub itineraries: Vec<ItineraryDto>,
    pub enrolments: Vec<EnrolmentDto>,
    pub placements: Vec<PlacementDto>,
    pub suggestions: Vec<SuggestionDto>,
    /// Planned or open courses of the suggested programmes that have rules of their own.
    pub course_suggestions: Vec<CourseSuggestionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CourseSuggestionDto {
    pub action: Uuid,
    /// eligible, not_eligible or unknown. A suggestion: a professional decides.
    pub outcome: String,
    pub summary: String,
    pub reasons: Vec<ReasonDto>,
}

fn outcome_code(o: Outcome) -> String {
    match o {
        Outcome::Eligible => "eligible",
        Outcome::NotEligible => "not_eligible",
        Outcome::Unknown => "unknown",
    }
    .to_owned()
}

/// A person's employment file: facts, itineraries, enrolments, placements and eligibility
/// suggestions for the open programmes (suggestions only: a professional decides).
#[utoipa::path(get, path = "/api/v1/people/{id}/employment", tag = "employment", summary = "Read a person's employment file", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EmploymentFileDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn employment_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let areas = crate::services::reference::areas(&state, caller.actor.tenant)
        .await
        .map_err(ServiceError::from)
        .or_problem(caller.lang)?;
    let f = svc::employment_file(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &EmploymentFileDto {
            person: f.person.id.0,
            profile: ProfileDto {
                unemployed_since: f.profile.unemployed_since.clone(),
                income_guarantee: f.profile.income_guarantee,
                disability_percent: f.profile.disability_percent,
                isced: f.profile.isced,
            },
            itineraries: f.itineraries.iter().map(ItineraryDto::from).collect(),
            enrolments: f
                .enrolments
                .iter()
                .map(|(e, _)| EnrolmentDto::from(e))
                .collect(),
            placements: f.placements.iter().map(PlacementDto::from).collect(),
            suggestions: f
                .suggestions
                .iter()
                .map(|(p, a)| SuggestionDto {
                    programme: p.id.0,
                    outcome: outcome_code(a.outcome),
                    summary: elkarlan_templates::i18n::t(
                        caller.lang,
                        elkarlan_domain::employment::eligibility::outcome_key(a.outcome),
                    ),
                    reasons: a
                        .reasons
                        .iter()
                        .map(|r| reason_dto(caller.lang, &areas, r))
                        .collect(),
                })
                .collect(),
            course_suggestions: f
                .course_suggestions
                .iter()
                .map(|(c, a)| CourseSuggestionDto {
                    action: c.id.0,
                    outcome: outcome_code(a.outcome),
                    summary: elkarlan_templates::i18n::t(
                        caller.lang,
                        elkarlan_domain::employment::eligibility::outcome_key(a.outcome),
                    ),
                    reasons: a
                        .reasons
                        .iter()
                        .map(|r| reason_dto(caller.lang, &areas, r))
                        .collect(),
                })
                .collect(),
        },
    ))
}

/// Records the facts eligibility depends on (unemployment, income guarantee, disability, ISCED).
#[utoipa::path(put, path = "/api/v1/people/{id}/employment-profile", tag = "employment", summary = "Record employment facts", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ProfileInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<PersonId>>,
    body: ApiJson<ProfileInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::set_profile(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

macro_rules! person_create {
    ($name:ident, $input:ty, $svc:path, $path:literal, $summary:literal) => {
        #[utoipa::path(post, path = $path, tag = "employment", summary = $summary, security(("bearer" = [])), params(("id" = Uuid, Path)),
            request_body = $input, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(State(state): State<AppState>, caller: ApiCaller, path: AfterBody<ApiPath<PersonId>>, body: ApiJson<$input>) -> Result<Response, ApiError> {
            let ApiPath(id) = path.get()?;
            let new = $svc(&state, &caller.actor, &caller.meta, id, &body.value).await.or_problem(caller.lang)?;
            Ok(json(StatusCode::CREATED, &Created { id: new.0 }))
        }
    };
}

person_create!(
    open_itinerary,
    ItineraryInput,
    svc::open_itinerary,
    "/api/v1/people/{id}/itineraries",
    "Open an itinerary"
);

person_create!(
    enrol,
    EnrolInput,
    svc::enrol,
    "/api/v1/people/{id}/enrolments",
    "Enrol a person in a training action"
);

person_create!(
    record_placement,
    PlacementInput,
    svc::record_placement,
    "/api/v1/people/{id}/placements",
    "Record a job placement"
);

/// Adds a step at the end of an itinerary.
#[utoipa::path(post, path = "/api/v1/itineraries/{id}/steps", tag = "employment", summary = "Add an itinerary step", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = StepInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_step(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ItineraryId>>,
    body: ApiJson<StepInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let s = svc::add_step(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: s.0 }))
}

/// Moves a step (status and dates); `version` is the step's version read.
#[utoipa::path(put, path = "/api/v1/itineraries/{id}/steps/{step}", tag = "employment", summary = "Move an itinerary step", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("step" = Uuid, Path)), request_body = StepUpdateInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn update_step(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath2<ItineraryId, ItineraryStepId>>,
    body: ApiJson<StepUpdateInput>,
) -> Result<Response, ApiError> {
    let ApiPath2(id, step) = path.get()?;
    svc::update_step(&state, &caller.actor, &caller.meta, id, step, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Closes an itinerary as completed or dropped out.
#[utoipa::path(post, path = "/api/v1/itineraries/{id}/close", tag = "employment", summary = "Close an itinerary", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = CloseItineraryInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn close_itinerary(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ItineraryId>>,
    body: ApiJson<CloseItineraryInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::close_itinerary(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Records the follow-up of a placement at 3, 6 or 12 months.
#[utoipa::path(put, path = "/api/v1/placements/{id}/follow-ups/{months}", tag = "employment", summary = "Record a placement follow-up", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("months" = i64, Path, description = "3, 6 or 12")), request_body = FollowUpInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_follow_up(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath2<PlacementId, i64>>,
    body: ApiJson<FollowUpInput>,
) -> Result<Response, ApiError> {
    let ApiPath2(id, months) = path.get()?;
    svc::record_follow_up(&state, &caller.actor, &caller.meta, id, months, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
