// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for employment plans and training itineraries: programmes, templates,
//! training actions, rosters and attendance, enrolments, a person's employment file,
//! itineraries, placements and follow-ups.

use super::conditional::{IfMatch, etag};
use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, ApiPath2, OrProblem, json};
use crate::AppState;
use crate::error::{Problem, ServiceError};
use crate::routes::RouteBook;
use crate::services::employment::{
    self as svc, CloseItineraryInput, EnrolInput, ProfileInput, SessionMarksInput, TemplateInput,
};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use elkarlan_domain::employment::eligibility::{Outcome, Reason};
use elkarlan_domain::employment::esco;
use elkarlan_domain::employment::itinerary::{
    EnrolmentUpdateInput, ItineraryInput, StepInput, StepUpdateInput,
};
use elkarlan_domain::employment::placement::{FollowUpInput, PlacementInput};
use elkarlan_domain::employment::programme::{ProgrammeInput, format_euros};
use elkarlan_domain::employment::training::TrainingActionInput;
use elkarlan_domain::{
    EnrolmentId, ItineraryId, ItineraryStepId, Lang, PersonId, PlacementId, ProgrammeId,
    TrainingActionId,
};
use elkarlan_store::itineraries::{Enrolment, FollowUp, Itinerary, Placement};
use elkarlan_store::programmes::{Programme, Session, Template, TrainingAction};
use elkarlan_store::territory::Area;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The employment API's routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/programmes", get(list_programmes))
        .add("POST", "/api/v1/programmes", post(create_programme))
        .add("GET", "/api/v1/programmes/{id}", get(get_programme))
        .add("PUT", "/api/v1/programmes/{id}", put(update_programme))
        .add(
            "POST",
            "/api/v1/programmes/{id}/templates",
            post(save_template),
        )
        .add(
            "POST",
            "/api/v1/programmes/{id}/actions",
            post(create_action),
        )
        .add("GET", "/api/v1/training-actions/{id}", get(get_action))
        .add("PUT", "/api/v1/training-actions/{id}", put(update_action))
        .add(
            "GET",
            "/api/v1/training-actions/{id}/enrolments",
            get(roster),
        )
        .add(
            "POST",
            "/api/v1/training-actions/{id}/attendance",
            post(record_attendance),
        )
        .add("PUT", "/api/v1/enrolments/{id}", put(close_enrolment))
        .add(
            "GET",
            "/api/v1/people/{id}/employment",
            get(employment_file),
        )
        .add(
            "PUT",
            "/api/v1/people/{id}/employment-profile",
            put(set_profile),
        )
        .add(
            "POST",
            "/api/v1/people/{id}/itineraries",
            post(open_itinerary),
        )
        .add("POST", "/api/v1/people/{id}/enrolments", post(enrol))
        .add(
            "POST",
            "/api/v1/people/{id}/placements",
            post(record_placement),
        )
        .add("POST", "/api/v1/itineraries/{id}/steps", post(add_step))
        .add(
            "PUT",
            "/api/v1/itineraries/{id}/steps/{step}",
            put(update_step),
        )
        .add(
            "POST",
            "/api/v1/itineraries/{id}/close",
            post(close_itinerary),
        )
        .add(
            "PUT",
            "/api/v1/placements/{id}/follow-ups/{months}",
            put(record_follow_up),
        )
        .add("GET", "/api/v1/follow-ups/due", get(due_follow_ups))
        .add("GET", "/api/v1/esco/occupations", get(search_occupations))
        .add(
            "POST",
            "/api/v1/programmes/{id}/referral-imports",
            // A referral list of 100,000 rows is about 15 MB as CSV.
            post(import_referrals).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
}

/// The largest referral list accepted, as the spreadsheet reader's own limit.
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

// DTOs ------------------------------------------------------------------------------------------

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
pub struct ProgrammeDetailDto {
    pub programme: ProgrammeDto,
    pub templates: Vec<TemplateDto>,
    pub actions: Vec<TrainingActionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDetailDto {
    pub action: TrainingActionDto,
    pub sessions: Vec<SessionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EnrolmentDto {
    pub id: Uuid,
    pub action: Uuid,
    pub person: Uuid,
    pub itinerary: Option<Uuid>,
    pub status: String,
    pub enrolled_on: String,
    pub closed_on: Option<String>,
    pub dropout_reason: Option<String>,
    pub certificate: Option<String>,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    pub version: i64,
}

impl From<&Enrolment> for EnrolmentDto {
    fn from(e: &Enrolment) -> Self {
        Self {
            id: e.id.0,
            action: e.action_id.0,
            person: e.person_id.0,
            itinerary: e.itinerary_id.map(|i| i.0),
            status: e.status.code().to_owned(),
            enrolled_on: e.enrolled_on.clone(),
            closed_on: e.closed_on.clone(),
            dropout_reason: e.dropout_reason.clone(),
            certificate: e.certificate.clone(),
            present: e.present,
            absent: e.absent,
            excused: e.excused,
            version: e.version,
        }
    }
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

#[derive(Serialize, ToSchema)]
pub struct DueFollowUpDto {
    pub placement: Uuid,
    pub person: Uuid,
    pub person_name: String,
    pub employer: Option<String>,
    pub months: i64,
    pub due_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct OccupationDto {
    pub code: String,
    pub uri: String,
    pub isco_group: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedDto {
    /// How many marks were recorded.
    pub recorded: usize,
}

// Handlers --------------------------------------------------------------------------------------

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

/// A person's employment file: facts, itineraries, enrolments, placements and eligibility
/// suggestions for the open programmes (suggestions only: a professional decides).
#[utoipa::path(get, path = "/api/v1/people/{id}/employment", tag = "employment", summary = "Read a person's employment file", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EmploymentFileDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn employment_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let areas = elkarlan_store::territory::list(&state.store, caller.actor.tenant)
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

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OccupationQuery {
    /// Words of the label (in the caller's language or English) or the start of the code.
    #[serde(default)]
    pub q: String,
}

/// Searches the bundled ESCO occupations (v1.1.1).
#[utoipa::path(get, path = "/api/v1/esco/occupations", tag = "employment", summary = "Search ESCO occupations", security(("bearer" = [])),
    params(OccupationQuery), responses((status = 200, body = Vec<OccupationDto>), (status = 401, body = Problem)))]
pub async fn search_occupations(caller: ApiCaller, Query(q): Query<OccupationQuery>) -> Response {
    let found = esco::search(&q.q, caller.lang, 50);
    json(
        StatusCode::OK,
        &found
            .iter()
            .map(|o| OccupationDto {
                code: o.code.to_owned(),
                uri: o.uri.to_owned(),
                isco_group: o.isco_group.to_owned(),
                label: o.label(caller.lang).to_owned(),
            })
            .collect::<Vec<_>>(),
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// The file's name, kept with the import for the record.
    #[serde(default)]
    pub file_name: String,
    /// Import the valid rows and report the others, instead of importing nothing.
    #[serde(default)]
    pub skip_invalid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RowReportDto {
    pub row: usize,
    pub reference: Option<String>,
    /// created, created_possible_duplicate (a record with the same name and birth date exists;
    /// a row without a document never links to one), matched, awaiting_team (the person's case
    /// lead was asked to add the importer to the team) or already_imported; absent when the row
    /// was not imported.
    pub outcome: Option<String>,
    /// The person, when the importer works on their case (absent for `awaiting_team`).
    pub person: Option<Uuid>,
    /// Per-field errors: `field` is the column's canonical name.
    pub errors: Vec<FieldErrorDto>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    /// False when nothing was written.
    pub imported: bool,
    pub total: usize,
    pub invalid: usize,
    pub created: usize,
    pub matched: usize,
    pub already_imported: usize,
    /// Rows whose person's case lead was asked to take the importer onto the team (counted in
    /// `matched`).
    pub awaiting_team: usize,
    /// Rows registered anew although a record with the same name and birth date exists
    /// (counted in `created`).
    pub possible_duplicates: usize,
    pub rows: Vec<RowReportDto>,
}

/// Imports a referral list from the employment service's office (CSV or XLSX, sent as the raw
/// body). All or nothing: with any invalid row nothing is written and the report (422) lists
/// every row's errors, unless `skip_invalid=true`. References already imported to the
/// programme are skipped, so sending the same list again adds nothing.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/referral-imports", tag = "employment", summary = "Import a referral list", security(("bearer" = [])),
    params(("id" = Uuid, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The CSV or XLSX file"),
    responses((status = 200, body = ImportReportDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "Nothing imported: the row-by-row report, or a problem when the file itself cannot be read", content((ImportReportDto = "application/json"), (Problem = "application/problem+json"))),
        (status = 503, description = "As many imports as allowed are running; retry after the seconds in `Retry-After`", body = Problem)))]
pub async fn import_referrals(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProgrammeId>>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let name = if q.file_name.trim().is_empty() {
        "referrals"
    } else {
        q.file_name.trim()
    };
    let r = svc::import_referrals(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        name,
        &body,
        q.skip_invalid,
    )
    .await
    .or_problem(caller.lang)?;
    let lang = caller.lang;
    let dto = ImportReportDto {
        imported: r.imported,
        total: r.total,
        invalid: r.invalid,
        created: r.created,
        matched: r.matched,
        already_imported: r.already_imported,
        awaiting_team: r.awaiting_team,
        possible_duplicates: r.possible_duplicates,
        rows: r
            .rows
            .iter()
            .map(|row| RowReportDto {
                row: row.row,
                reference: row.reference.clone(),
                outcome: row.outcome.map(|o| {
                    serde_json::to_value(o)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                }),
                person: row.person.map(|p| p.0),
                errors: row
                    .errors
                    .0
                    .iter()
                    .map(|e| FieldErrorDto {
                        field: e.field.clone(),
                        code: e.key.to_owned(),
                        message: elkarlan_templates::i18n::t(lang, e.key),
                    })
                    .collect(),
            })
            .collect(),
    };
    let status = if r.imported {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(json(status, &dto))
}
