// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for people, consents, cases and referrals.

use super::conditional::IfMatch;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, ApiPath2, OrProblem, Page, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::Idempotent;
use crate::services::inclusion::{
    self as svc, ConsentInput, PersonHit, PersonView, ReferralInput, ReferralMoveInput, Registered,
};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use elkarlan_domain::inclusion::person::PersonInput;
use elkarlan_domain::{CaseId, ConsentId, PersonId, ReferralId};
use elkarlan_service::models::cases::BreakGlassOpening;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/people", get(search))
        .add("POST", "/api/v1/people", post(register))
        .add("GET", "/api/v1/people/{id}", get(get_person))
        .add("GET", "/api/v1/people/{id}/consents", get(list_consents))
        .add("POST", "/api/v1/people/{id}/consents", post(record_consent))
        .add(
            "POST",
            "/api/v1/people/{id}/consents/{consent}/withdraw",
            post(withdraw_consent),
        )
        .add("GET", "/api/v1/people/{id}/access-log", get(access_log))
        .add("GET", "/api/v1/cases/{id}", get(get_case))
        .add("POST", "/api/v1/cases/{id}/status", post(set_status))
        .add("POST", "/api/v1/cases/{id}/break-glass", post(break_glass))
        .add("POST", "/api/v1/cases/{id}/referrals", post(send_referral))
        .add("GET", "/api/v1/referrals", get(inbox))
        .add(
            "POST",
            "/api/v1/referrals/{id}/transitions",
            post(move_referral),
        )
        .add("PATCH", "/api/v1/people/{id}", patch(rectify))
        .add("GET", "/api/v1/people/{id}/history", get(history))
        .add("POST", "/api/v1/people/{id}/merge", post(merge))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Name to look for; accents, case, typos and Basque/Spanish spellings are tolerated.
    #[serde(default)]
    pub q: String,
}

/// Finds people by name (minimal identification only).
#[utoipa::path(get, path = "/api/v1/people", tag = "people", summary = "Search people", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = Page<PersonHit>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let items = svc::search(&state, &caller.actor, &caller.meta, &p.q)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &Page { items, next: None }))
}

/// The body of `POST /api/v1/people`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(value_type = Object)]
    pub person: PersonInputDoc,
    /// Register even though similar records exist.
    #[serde(default)]
    pub confirmed_new: bool,
}

/// The fields of a person (all strings; dates as YYYY-MM-DD).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PersonInputDoc {
    pub given_name: String,
    pub surname1: String,
    pub surname2: String,
    /// dni, nie, passport, other or empty.
    pub document_kind: String,
    pub document_number: String,
    pub document_country: String,
    pub birth_date: String,
    /// woman, man, non_binary or not_recorded.
    pub sex: String,
    pub nationality: String,
    /// ISO 639-1 codes separated by commas.
    pub languages: String,
    /// eu or es.
    pub preferred_lang: String,
    /// Neighbourhood id.
    pub neighbourhood: String,
    pub phone: String,
    pub email: String,
}

impl From<PersonInputDoc> for PersonInput {
    fn from(d: PersonInputDoc) -> Self {
        PersonInput {
            given_name: d.given_name,
            surname1: d.surname1,
            surname2: d.surname2,
            document_kind: d.document_kind,
            document_number: d.document_number,
            document_country: d.document_country,
            birth_date: d.birth_date,
            sex: d.sex,
            nationality: d.nationality,
            languages: d.languages,
            preferred_lang: d.preferred_lang,
            neighbourhood: d.neighbourhood,
            phone: d.phone,
            email: d.email,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Registration {
    pub person: Uuid,
    pub case: Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct DuplicateWarning {
    pub title: String,
    pub candidates: Vec<PersonHit>,
}

/// Registers a person and opens their case with the caller as lead. When similar records exist,
/// answers 409 with the candidates; send `confirmed_new: true` to register anyway. Send
/// `Idempotency-Key` to make retries safe: a retried registration never makes two people.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", summary = "Register a person and open their case", security(("bearer" = [])), request_body = RegisterRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    responses((status = 201, body = Registration), (status = 409, body = DuplicateWarning), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<RegisterRequest>,
) -> Result<Response, ApiError> {
    let idem = match super::resources::idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let respond = |(person, case): &(PersonId, CaseId)| {
        let dto = Registration {
            person: person.0,
            case: case.0,
        };
        (201u16, serde_json::to_string(&dto).unwrap_or_default())
    };
    let idem_arg = idem.as_ref().map(|(k, h)| {
        (
            Idempotent {
                key: k,
                request_hash: h.clone(),
            },
            &respond as &(dyn Fn(&(PersonId, CaseId)) -> (u16, String) + Sync),
        )
    });
    let confirmed_new = body.value.confirmed_new;
    let input: PersonInput = body.value.person.into();
    let registered = svc::register(
        &state,
        &caller.actor,
        &caller.meta,
        &input,
        confirmed_new,
        idem_arg,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(match registered {
        Registered::Done { person, case } => json(
            StatusCode::CREATED,
            &Registration {
                person: person.0,
                case: case.0,
            },
        ),
        Registered::PossibleDuplicates(candidates) => json(
            StatusCode::CONFLICT,
            &DuplicateWarning {
                title: elkarlan_templates::t(caller.lang, "person-duplicates-title"),
                candidates,
            },
        ),
    })
}

/// A person's record, with only the fields the caller may see.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", summary = "Read a person", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PersonView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(pid): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let v = svc::view_person(&state, &caller.actor, &caller.meta, pid)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &v))
}

#[derive(Serialize, ToSchema)]
pub struct ConsentDto {
    pub id: Uuid,
    pub purpose: String,
    pub recipients: Vec<String>,
    pub categories: Vec<String>,
    pub evidence: String,
    pub state: String,
    pub given_at: String,
    pub expires_at: Option<String>,
    pub withdrawn_at: Option<String>,
}

/// The person's consent records.
#[utoipa::path(get, path = "/api/v1/people/{id}/consents", tag = "people", summary = "List consents", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Page<ConsentDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list_consents(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(pid): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let now = elkarlan_domain::Timestamp::now();
    let list = svc::list_consents(&state, &caller.actor, &caller.meta, pid)
        .await
        .or_problem(caller.lang)?;
    let items: Vec<ConsentDto> = list
        .iter()
        .map(|c| ConsentDto {
            id: c.id.0,
            purpose: c.purpose.clone(),
            recipients: c.recipients.iter().map(|r| r.code().to_owned()).collect(),
            categories: c.categories.iter().map(|x| x.code().to_owned()).collect(),
            evidence: c.evidence.clone(),
            state: c.scope().state(now).code().to_owned(),
            given_at: c.given_at.iso(),
            expires_at: c.expires_at.map(|t| t.iso()),
            withdrawn_at: c.withdrawn_at.map(|t| t.iso()),
        })
        .collect();
    Ok(json(StatusCode::OK, &Page { items, next: None }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Records a consent given by the person.
#[utoipa::path(post, path = "/api/v1/people/{id}/consents", tag = "people", summary = "Record a consent", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ConsentInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_consent(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<PersonId>>,
    body: ApiJson<ConsentInput>,
) -> Result<Response, ApiError> {
    let ApiPath(pid) = path.get()?;
    let cid = svc::record_consent(&state, &caller.actor, &caller.meta, pid, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: cid.0 }))
}

/// Withdraws a consent; it stops counting on the next request.
#[utoipa::path(post, path = "/api/v1/people/{id}/consents/{consent}/withdraw", tag = "people", summary = "Withdraw a consent", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("consent" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath2(pid, cid): ApiPath2<PersonId, ConsentId>,
) -> Result<Response, ApiError> {
    svc::withdraw_consent(&state, &caller.actor, &caller.meta, pid, cid)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReferralDto {
    pub id: Uuid,
    pub case: Uuid,
    pub from_agency: Uuid,
    pub to_agency: Uuid,
    pub reason: String,
    pub urgency: String,
    pub categories: Vec<String>,
    pub status: String,
    pub decline_reason: Option<String>,
    pub outcome: Option<String>,
    pub due_at: String,
    pub sent_at: String,
    pub answered_at: Option<String>,
    pub completed_at: Option<String>,
    pub response_seconds: Option<i64>,
    pub version: i64,
    /// `referral`, or `join_request`: a referral list import asks the case's lead to take the
    /// sender onto the team (the lead answers; accepting adds the sender).
    pub kind: String,
}

fn referral_dto(r: &elkarlan_service::models::referrals::Referral) -> ReferralDto {
    ReferralDto {
        id: r.id.0,
        case: r.case_id.0,
        from_agency: r.from_agency.0,
        to_agency: r.to_agency.0,
        reason: r.reason.clone(),
        urgency: r.urgency.code().to_owned(),
        categories: r.categories.iter().map(|c| c.code().to_owned()).collect(),
        status: r.status.code().to_owned(),
        decline_reason: r.decline_reason.clone(),
        outcome: r.outcome.clone(),
        due_at: r.due_at.iso(),
        sent_at: r.sent_at.iso(),
        answered_at: r.answered_at.map(|t| t.iso()),
        completed_at: r.completed_at.map(|t| t.iso()),
        response_seconds: r.response_seconds(),
        version: r.version,
        kind: if r.join_request {
            "join_request"
        } else {
            "referral"
        }
        .to_owned(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: Uuid,
    pub person: Uuid,
    pub status: String,
    pub lead: Uuid,
    pub lead_agency: Uuid,
    pub relationship: String,
    pub team_agencies: Vec<Uuid>,
    pub referrals: Vec<ReferralDto>,
    /// The data categories the caller may see in this case, with their basis.
    pub categories: Vec<svc::CategoryAccess>,
    pub version: i64,
}

/// A case as the caller may see it.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", summary = "Read a case", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseDto), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(cid): ApiPath<CaseId>,
) -> Result<Response, ApiError> {
    let v = svc::view_case(&state, &caller.actor, &caller.meta, cid)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &CaseDto {
            id: v.case.id.0,
            person: v.case.person_id.0,
            status: v.case.status.code().to_owned(),
            lead: v.case.lead_user_id.0,
            lead_agency: v.case.lead_agency_id.0,
            relationship: svc::relationship_code(v.relationship).to_owned(),
            team_agencies: v.team.iter().map(|t| t.agency_id.0).collect(),
            referrals: v.referrals.iter().map(referral_dto).collect(),
            categories: v
                .categories
                .iter()
                .map(|(c, b)| svc::CategoryAccess {
                    category: c.code().to_owned(),
                    basis: b.code().to_owned(),
                })
                .collect(),
            version: v.case.version,
        },
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// open, active, on_hold or closed.
    pub status: String,
    /// Required when closing: goals_achieved, moved_away, person_declined, not_contactable, transferred, deceased.
    #[serde(default)]
    pub closure_reason: String,
    pub version: i64,
}

/// Moves the case (lead only).
#[utoipa::path(post, path = "/api/v1/cases/{id}/status", tag = "cases", summary = "Change a case's status", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = StatusChange, responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<CaseId>>,
    body: ApiJson<StatusChange>,
) -> Result<Response, ApiError> {
    let ApiPath(cid) = path.get()?;
    svc::set_case_status(
        &state,
        &caller.actor,
        &caller.meta,
        cid,
        body.value.version,
        &body.value.status,
        &body.value.closure_reason,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRequest {
    /// Why the emergency access is needed (at least 20 characters). Reviewed by the DPO.
    pub reason: String,
}

/// A request for emergency access beyond the daily limit, waiting for the DPO.
#[derive(Serialize, ToSchema)]
pub struct BreakGlassWaiting {
    pub id: Uuid,
    /// Always `waiting`.
    pub status: String,
    /// What happens next, in the caller's language.
    pub detail: String,
}

/// Emergency access to a case outside the team, for one hour (204). Beyond the professional's
/// daily limit the request is recorded and waits for the DPO's approval (202).
#[utoipa::path(post, path = "/api/v1/cases/{id}/break-glass", tag = "cases", summary = "Emergency access", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = BreakGlassRequest, responses((status = 204), (status = 202, body = BreakGlassWaiting), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn break_glass(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<CaseId>>,
    body: ApiJson<BreakGlassRequest>,
) -> Result<Response, ApiError> {
    let ApiPath(cid) = path.get()?;
    let opening = svc::break_glass(&state, &caller.actor, &caller.meta, cid, &body.value.reason)
        .await
        .or_problem(caller.lang)?;
    Ok(match opening {
        BreakGlassOpening::Opened(_) => StatusCode::NO_CONTENT.into_response(),
        BreakGlassOpening::Waiting(waiting) => json(
            StatusCode::ACCEPTED,
            &BreakGlassWaiting {
                id: waiting.0,
                status: "waiting".to_owned(),
                detail: elkarlan_templates::t(caller.lang, "notice-break-glass-waiting"),
            },
        ),
    })
}

/// Sends a referral from the case to another agency. Send `Idempotency-Key` to make retries
/// safe: a retried referral is sent once.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", tag = "referrals", summary = "Send a referral", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    request_body = ReferralInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn send_referral(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<CaseId>>,
    headers: HeaderMap,
    body: ApiJson<ReferralInput>,
) -> Result<Response, ApiError> {
    let ApiPath(cid) = path.get()?;
    let idem = match super::resources::idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let respond = |rid: &ReferralId| {
        (
            201u16,
            serde_json::to_string(&Created { id: rid.0 }).unwrap_or_default(),
        )
    };
    let idem_arg = idem.as_ref().map(|(k, h)| {
        (
            Idempotent {
                key: k,
                request_hash: h.clone(),
            },
            &respond as &(dyn Fn(&ReferralId) -> (u16, String) + Sync),
        )
    });
    let rid = svc::send_referral(
        &state,
        &caller.actor,
        &caller.meta,
        cid,
        &body.value,
        idem_arg,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: rid.0 }))
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    pub person_name: String,
    pub referral: ReferralDto,
}

/// The caller's agency's inbox of referrals.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", summary = "Referral inbox", security(("bearer" = [])),
    responses((status = 200, body = Page<InboxItem>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn inbox(State(state): State<AppState>, caller: ApiCaller) -> Result<Response, ApiError> {
    let list = svc::inbox(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &Page {
            items: list
                .iter()
                .map(|(r, n)| InboxItem {
                    person_name: n.clone(),
                    referral: referral_dto(r),
                })
                .collect::<Vec<_>>(),
            next: None,
        },
    ))
}

/// Accepts, declines, starts, completes (receiving agency) or withdraws (sending side).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/transitions", tag = "referrals", summary = "Move a referral", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ReferralMoveInput, responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn move_referral(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ReferralId>>,
    body: ApiJson<ReferralMoveInput>,
) -> Result<Response, ApiError> {
    let ApiPath(rid) = path.get()?;
    svc::move_referral(&state, &caller.actor, &caller.meta, rid, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Who read or changed the person's data (data protection officer).
#[utoipa::path(get, path = "/api/v1/people/{id}/access-log", tag = "people", summary = "Access log of a person", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Page<super::resources::AuditEventDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn access_log(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(pid): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let rows = svc::access_log(&state, &caller.actor, &caller.meta, pid)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &Page {
            items: rows
                .into_iter()
                .map(super::resources::AuditEventDto::from)
                .collect::<Vec<_>>(),
            next: None,
        },
    ))
}

/// The body of `PATCH /api/v1/people/{id}`: the whole record as it should now be.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectifyRequest {
    #[schema(value_type = Object)]
    pub person: PersonInputDoc,
}

/// Rectifies a person's record. `If-Match` must carry the version read (`"v{version}"`).
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", summary = "Rectify a person's record", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "\"v{version}\" from the last read")), request_body = RectifyRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn rectify(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<PersonId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<RectifyRequest>,
) -> Result<Response, ApiError> {
    let ApiPath(pid) = path.get()?;
    let input: PersonInput = body.value.person.into();
    svc::rectify_person(&state, &caller.actor, &caller.meta, pid, version, &input)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The registration and every change of a person's record, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", tag = "people", summary = "Rectification history", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Page<svc::Rectification>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(pid): ApiPath<PersonId>,
) -> Result<Response, ApiError> {
    let items = svc::rectification_history(&state, &caller.actor, &caller.meta, pid)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &Page { items, next: None }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate record, merged into the one in the path.
    #[serde(default)]
    pub duplicate: String,
}

/// Merges a duplicate record into this one: cases, consents and referrals move; audited on both.
#[utoipa::path(post, path = "/api/v1/people/{id}/merge", tag = "people", summary = "Merge a duplicate record", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = MergeRequest, responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<PersonId>>,
    body: ApiJson<MergeRequest>,
) -> Result<Response, ApiError> {
    let ApiPath(keep) = path.get()?;
    svc::merge_people(
        &state,
        &caller.actor,
        &caller.meta,
        keep,
        &body.value.duplicate,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
