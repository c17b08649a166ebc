// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for agreements and their commitments, with progress as counts.

use super::conditional::{IfMatch, etag};
use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::agreements::{self as svc, CommitmentLine};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use elkarlan_domain::ecosystem::agreement::{AgreementInput, DocumentInput};
use elkarlan_domain::ecosystem::codes::{AgreementKind, AgreementStatus};
use elkarlan_domain::ecosystem::commitment::{CommitmentInput, Progress};
use elkarlan_domain::{AgreementId, AreaId, CommitmentId};
use elkarlan_service::models::agreements::{Agreement, Filter};
use elkarlan_service::models::commitments::CommitmentOwner;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/agreements", get(list_agreements))
        .add("POST", "/api/v1/agreements", post(create_agreement))
        .add("GET", "/api/v1/agreements/{id}", get(get_agreement))
        .add("PUT", "/api/v1/agreements/{id}", put(update_agreement))
        .add(
            "POST",
            "/api/v1/agreements/{id}/transitions",
            post(move_agreement),
        )
        .add(
            "POST",
            "/api/v1/agreements/{id}/renewal",
            post(renew_agreement),
        )
        .add(
            "POST",
            "/api/v1/agreements/{id}/documents",
            post(add_document),
        )
        .add(
            "GET",
            "/api/v1/agreements/{id}/commitments",
            get(list_commitments),
        )
        .add(
            "POST",
            "/api/v1/agreements/{id}/commitments",
            post(create_commitment),
        )
        .add("GET", "/api/v1/commitments/{id}", get(get_commitment))
        .add("PUT", "/api/v1/commitments/{id}", put(update_commitment))
}

// DTOs ------------------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct PartyDto {
    pub organisation: Uuid,
    pub name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: Uuid,
    /// `private_partnership` or `public_collaboration`.
    pub kind: String,
    pub title_eu: String,
    pub title_es: String,
    pub scope: String,
    /// draft, signed, active, expired, renewed or terminated.
    pub status: String,
    pub parties: Vec<PartyDto>,
    pub neighbourhoods: Vec<Uuid>,
    pub target_groups: Vec<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub signed_on: Option<String>,
    pub budget_cents: Option<i64>,
    pub renewal_notice_days: i64,
    /// The agreement this one renews.
    pub renews: Option<Uuid>,
    /// Active and within its renewal notice.
    pub expiring_soon: bool,
    pub version: i64,
}

fn agreement_dto(a: &Agreement) -> AgreementDto {
    AgreementDto {
        id: a.id.0,
        kind: a.kind.code().into(),
        title_eu: a.title_eu.clone(),
        title_es: a.title_es.clone(),
        scope: a.scope.clone(),
        status: a.status.code().into(),
        parties: a
            .parties
            .iter()
            .map(|p| PartyDto {
                organisation: p.organisation.0,
                name: p.name.clone(),
                role: p.role.code().into(),
            })
            .collect(),
        neighbourhoods: a.neighbourhoods.iter().map(|n| n.0).collect(),
        target_groups: a.target_groups.iter().map(|t| t.code().into()).collect(),
        starts_on: a.starts_on.clone(),
        ends_on: a.ends_on.clone(),
        signed_on: a.signed_on.clone(),
        budget_cents: a.budget_cents,
        renewal_notice_days: a.renewal_notice_days,
        renews: a.renews.map(|r| r.0),
        expiring_soon: a.expiring_soon(svc::today()),
        version: a.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: Uuid,
    pub title: String,
    pub dated_on: String,
    /// Where the signed original is kept.
    pub reference: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommitmentDto {
    pub id: Uuid,
    pub agreement: Option<Uuid>,
    pub social_clause: Option<Uuid>,
    pub organisation: Option<Uuid>,
    pub organisation_name: Option<String>,
    /// hire_participants, offer_practicum_places or other.
    pub kind: String,
    pub description: String,
    pub target: i64,
    pub unit: String,
    pub due_on: String,
    pub training_action: Option<Uuid>,
    pub recorded_progress: i64,
    pub evidence: Option<String>,
    /// open, met, missed or waived.
    pub status: String,
    /// Counted from placements and enrolments where the kind allows: counts, never names.
    pub progress: Progress,
    pub version: i64,
}

pub(crate) fn commitment_dto(l: &CommitmentLine) -> CommitmentDto {
    let m = &l.commitment;
    let (agreement, social_clause) = match m.owner {
        CommitmentOwner::Agreement(a) => (Some(a.0), None),
        CommitmentOwner::Clause(c) => (None, Some(c.0)),
    };
    CommitmentDto {
        id: m.id.0,
        agreement,
        social_clause,
        organisation: m.organisation.map(|o| o.0),
        organisation_name: m.organisation_name.clone(),
        kind: m.kind.code().into(),
        description: m.description.clone(),
        target: m.target,
        unit: m.unit.clone(),
        due_on: m.due_on.clone(),
        training_action: m.training_action.map(|t| t.0),
        recorded_progress: m.recorded_progress,
        evidence: m.evidence.clone(),
        status: m.status.code().into(),
        progress: l.progress,
        version: m.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgreementDetailDto {
    pub agreement: AgreementDto,
    pub documents: Vec<DocumentDto>,
    pub commitments: Vec<CommitmentDto>,
}

/// Filters of the list; unknown codes match nothing.
#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AgreementQuery {
    /// A status code.
    pub status: String,
    /// A kind code.
    pub kind: String,
    /// A neighbourhood's id.
    pub neighbourhood: String,
}

/// A move along the lifecycle: `signed` (with `signed_on` unless already recorded), `active`,
/// `expired`, `terminated`. Renewal has its own endpoint.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TransitionInput {
    pub to: String,
    pub signed_on: String,
}

// Handlers --------------------------------------------------------------------------------------

/// Agreements of the tenant, the soonest to end first (coordinators).
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements", summary = "List agreements", security(("bearer" = [])), params(AgreementQuery),
    responses((status = 200, body = Vec<AgreementDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_agreements(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<AgreementQuery>,
) -> Result<Response, ApiError> {
    let mut filter = Filter::default();
    let mut nothing = false;
    if !q.status.is_empty() {
        filter.status = AgreementStatus::parse(&q.status).ok();
        nothing |= filter.status.is_none();
    }
    if !q.kind.is_empty() {
        filter.kind = AgreementKind::parse(&q.kind).ok();
        nothing |= filter.kind.is_none();
    }
    if !q.neighbourhood.is_empty() {
        filter.neighbourhood = q.neighbourhood.parse::<AreaId>().ok();
        nothing |= filter.neighbourhood.is_none();
    }
    let list = svc::list(&state, &caller.actor, &caller.meta, &filter)
        .await
        .or_problem(caller.lang)?;
    // A filter value that names nothing matches nothing (still authorized above).
    let list = if nothing { Vec::new() } else { list };
    Ok(json(
        StatusCode::OK,
        &list.iter().map(agreement_dto).collect::<Vec<_>>(),
    ))
}

/// Creates a draft agreement (coordinators). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", summary = "Create an agreement", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    request_body = AgreementInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<AgreementInput>,
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

/// An agreement with its documents and commitments; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements", summary = "Read an agreement", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = AgreementDetailDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<AgreementId>,
) -> Result<Response, ApiError> {
    let d = svc::get(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(
        StatusCode::OK,
        &AgreementDetailDto {
            agreement: agreement_dto(&d.agreement),
            documents: d
                .documents
                .iter()
                .map(|x| DocumentDto {
                    id: x.id.0,
                    title: x.title.clone(),
                    dated_on: x.dated_on.clone(),
                    reference: x.reference.clone(),
                })
                .collect(),
            commitments: d.commitments.iter().map(commitment_dto).collect(),
        },
    );
    res.headers_mut()
        .insert(header::ETAG, etag(d.agreement.version));
    Ok(res)
}

/// Replaces an agreement's fields (not its status). Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/agreements/{id}", tag = "agreements", summary = "Change an agreement", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = AgreementInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<AgreementId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<AgreementInput>,
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

/// Moves an agreement along its lifecycle. Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/transitions", tag = "agreements", summary = "Move an agreement", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read")), request_body = TransitionInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn move_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<AgreementId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<TransitionInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::transition(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        version,
        &body.value.to,
        &body.value.signed_on,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Renews an active or expired agreement: a new draft pointing back to it; the old one is
/// marked renewed. Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/renewal", tag = "agreements", summary = "Renew an agreement", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read")),
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn renew_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<AgreementId>,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    let new = svc::renew(&state, &caller.actor, &caller.meta, id, version)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: new.0 }))
}

/// References a document of the agreement (where the signed original is kept).
#[utoipa::path(post, path = "/api/v1/agreements/{id}/documents", tag = "agreements", summary = "Add a document reference", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DocumentInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_document(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<AgreementId>>,
    body: ApiJson<DocumentInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let d = svc::add_document(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: d.0 }))
}

/// The agreement's commitments with their progress.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/commitments", tag = "agreements", summary = "List an agreement's commitments", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<CommitmentDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_commitments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<AgreementId>,
) -> Result<Response, ApiError> {
    let owner = CommitmentOwner::Agreement(id);
    let list = svc::commitments_of(&state, &caller.actor, &caller.meta, owner)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(commitment_dto).collect::<Vec<_>>(),
    ))
}

/// Adds a commitment; its due date must fall within the agreement's dates. Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/commitments", tag = "agreements", summary = "Add a commitment", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")), request_body = CommitmentInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<AgreementId>>,
    headers: HeaderMap,
    body: ApiJson<CommitmentInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let owner = CommitmentOwner::Agreement(id);
    let idem = match super::resources::idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let idem = idem.as_ref().map(|(k, h)| (k.as_str(), h.as_slice()));
    let c = svc::create_commitment(
        &state,
        &caller.actor,
        &caller.meta,
        owner,
        &body.value,
        idem,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: c.0 }))
}

/// A commitment with its progress; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "agreements", summary = "Read a commitment", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CommitmentDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<CommitmentId>,
) -> Result<Response, ApiError> {
    let l = svc::commitment(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(StatusCode::OK, &commitment_dto(&l));
    res.headers_mut()
        .insert(header::ETAG, etag(l.commitment.version));
    Ok(res)
}

/// Replaces a commitment's fields: evidence, progress recorded by hand, status. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/commitments/{id}", tag = "agreements", summary = "Change a commitment", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read")), request_body = CommitmentInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_commitment(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<CommitmentId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<CommitmentInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update_commitment(
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
