// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for responsible procurement: contracts, their lots, awards and social
//! clauses, and a clause's compliance checks. Coordinators only. Amounts are integer cents.

use super::agreements::{CommitmentDto, commitment_dto};
use super::conditional::{IfMatch, etag};
use super::inclusion::Created;
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::procurement as svc;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use elkarlan_domain::ecosystem::procurement::{
    AwardInput, CheckInput, ClauseInput, ContractInput, LotInput,
};
use elkarlan_domain::{ContractId, SocialClauseId};
use elkarlan_service::models::contracts::{Check, Clause, Contract, ContractFilter, Lot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/contracts", get(list_contracts))
        .add("POST", "/api/v1/contracts", post(create_contract))
        .add("GET", "/api/v1/contracts/{contract}", get(get_contract))
        .add("PUT", "/api/v1/contracts/{contract}", put(update_contract))
        .add("GET", "/api/v1/contracts/{contract}/lots", get(list_lots))
        .add("POST", "/api/v1/contracts/{contract}/lots", post(add_lot))
        .add(
            "GET",
            "/api/v1/contracts/{contract}/clauses",
            get(list_clauses),
        )
        .add(
            "POST",
            "/api/v1/contracts/{contract}/clauses",
            post(add_clause),
        )
        .add("POST", "/api/v1/contracts/{contract}/award", post(award))
        .add("GET", "/api/v1/clauses/{clause}", get(get_clause))
        .add("GET", "/api/v1/clauses/{clause}/checks", get(list_checks))
        .add("POST", "/api/v1/clauses/{clause}/checks", post(add_check))
}

// DTOs ------------------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct ContractDto {
    pub id: Uuid,
    pub ocid: String,
    pub file_number: String,
    pub contracting_body: String,
    pub title: String,
    pub description: Option<String>,
    pub cpv: String,
    pub category: String,
    pub procedure: String,
    pub status: String,
    pub amount_cents: i64,
    pub published_on: Option<String>,
    pub awarded_on: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub reservation: String,
    pub awardee: Option<Uuid>,
    pub awardee_name: Option<String>,
    pub awarded_cents: Option<i64>,
    pub eligibility_justification: Option<String>,
    pub lots: i64,
    pub clauses: i64,
    pub version: i64,
}

impl From<&Contract> for ContractDto {
    fn from(c: &Contract) -> Self {
        Self {
            id: c.id.0,
            ocid: c.ocid.clone(),
            file_number: c.file_number.clone(),
            contracting_body: c.contracting_body.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            cpv: c.cpv.clone(),
            category: c.category.code().into(),
            procedure: c.procedure.code().into(),
            status: c.status.code().into(),
            amount_cents: c.amount_cents,
            published_on: c.published_on.clone(),
            awarded_on: c.awarded_on.clone(),
            starts_on: c.starts_on.clone(),
            ends_on: c.ends_on.clone(),
            reservation: c.reservation.code().into(),
            awardee: c.awardee.map(|a| a.0),
            awardee_name: c.awardee_name.clone(),
            awarded_cents: c.awarded_cents,
            eligibility_justification: c.eligibility_justification.clone(),
            lots: c.lots,
            clauses: c.clauses,
            version: c.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LotDto {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub cpv: String,
    pub amount_cents: i64,
    pub reservation: String,
    pub awardee: Option<Uuid>,
    pub awarded_cents: Option<i64>,
    pub eligibility_justification: Option<String>,
}

impl From<&Lot> for LotDto {
    fn from(l: &Lot) -> Self {
        Self {
            id: l.id.0,
            number: l.number,
            title: l.title.clone(),
            cpv: l.cpv.clone(),
            amount_cents: l.amount_cents,
            reservation: l.reservation.code().into(),
            awardee: l.awardee.map(|a| a.0),
            awarded_cents: l.awarded_cents,
            eligibility_justification: l.eligibility_justification.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClauseDto {
    pub id: Uuid,
    pub contract: Uuid,
    pub lot: Option<Uuid>,
    pub stage: String,
    pub purpose: String,
    pub description: String,
    pub weight_percent: Option<i64>,
    pub penalty: Option<String>,
    pub latest_verdict: Option<String>,
}

impl From<&Clause> for ClauseDto {
    fn from(s: &Clause) -> Self {
        Self {
            id: s.id.0,
            contract: s.contract_id.0,
            lot: s.lot_id.map(|l| l.0),
            stage: s.stage.code().into(),
            purpose: s.purpose.code().into(),
            description: s.description.clone(),
            weight_percent: s.weight_percent,
            penalty: s.penalty.clone(),
            latest_verdict: s.latest_verdict.map(|v| v.code().to_owned()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckDto {
    pub id: Uuid,
    pub commitment: Option<Uuid>,
    pub checked_on: String,
    pub evidence: String,
    pub verdict: String,
    pub penalty_cents: i64,
    pub note: Option<String>,
}

impl From<&Check> for CheckDto {
    fn from(c: &Check) -> Self {
        Self {
            id: c.id.0,
            commitment: c.commitment_id.map(|k| k.0),
            checked_on: c.checked_on.clone(),
            evidence: c.evidence.clone(),
            verdict: c.verdict.code().into(),
            penalty_cents: c.penalty_cents,
            note: c.note.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContractDetailDto {
    pub contract: ContractDto,
    pub lots: Vec<LotDto>,
    pub clauses: Vec<ClauseDto>,
}

#[derive(Serialize, ToSchema)]
pub struct ClauseDetailDto {
    pub clause: ClauseDto,
    /// The clause's commitments, in the one shape agreements' commitments have.
    pub commitments: Vec<CommitmentDto>,
    pub checks: Vec<CheckDto>,
    /// Placements linked to the clause: a count, never names.
    pub hires: i64,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
pub struct ContractQuery {
    /// Awarded (else published) in this year.
    pub year: Option<i32>,
    pub status: Option<String>,
    pub reserved: Option<bool>,
}

// Handlers --------------------------------------------------------------------------------------

/// The tenant's contracts, filtered by year, status and reservation.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "procurement", summary = "List contracts", security(("bearer" = [])),
    params(("year" = Option<i32>, Query), ("status" = Option<String>, Query), ("reserved" = Option<bool>, Query)),
    responses((status = 200, body = Vec<ContractDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ContractQuery>,
) -> Result<Response, ApiError> {
    let filter = ContractFilter {
        year: q.year,
        status: q.status.as_deref().and_then(svc::status_filter),
        reserved: q.reserved,
    };
    let v = svc::list_contracts(&state, &caller.actor, &caller.meta, &filter)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &v.contracts
            .iter()
            .map(ContractDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Records a contract; its ocid is derived from the file number.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "procurement", summary = "Create a contract", security(("bearer" = [])),
    request_body = ContractInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_contract(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<ContractInput>,
) -> Result<Response, ApiError> {
    let id = svc::create_contract(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// A contract with its lots and clauses; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/contracts/{contract}", tag = "procurement", summary = "Read a contract", security(("bearer" = [])),
    params(("contract" = Uuid, Path)),
    responses((status = 200, body = ContractDetailDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_contract(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ContractId>,
) -> Result<Response, ApiError> {
    let d = svc::contract(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(
        StatusCode::OK,
        &ContractDetailDto {
            contract: ContractDto::from(&d.contract),
            lots: d.lots.iter().map(LotDto::from).collect(),
            clauses: d.clauses.iter().map(ClauseDto::from).collect(),
        },
    );
    res.headers_mut()
        .insert(header::ETAG, etag(d.contract.version));
    Ok(res)
}

/// Replaces a contract's fields (not its award). Needs `If-Match` with the version read.
#[utoipa::path(put, path = "/api/v1/contracts/{contract}", tag = "procurement", summary = "Change a contract", security(("bearer" = [])),
    params(("contract" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = ContractInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_contract(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ContractId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<ContractInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update_contract(
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

/// The contract's lots.
#[utoipa::path(get, path = "/api/v1/contracts/{contract}/lots", tag = "procurement", summary = "List a contract's lots", security(("bearer" = [])),
    params(("contract" = Uuid, Path)),
    responses((status = 200, body = Vec<LotDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_lots(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ContractId>,
) -> Result<Response, ApiError> {
    let l = svc::lots(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &l.iter().map(LotDto::from).collect::<Vec<_>>(),
    ))
}

/// Adds a lot.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/lots", tag = "procurement", summary = "Add a lot", security(("bearer" = [])),
    params(("contract" = Uuid, Path)), request_body = LotInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_lot(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ContractId>>,
    body: ApiJson<LotInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let l = svc::add_lot(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: l.0 }))
}

/// The contract's social clauses.
#[utoipa::path(get, path = "/api/v1/contracts/{contract}/clauses", tag = "procurement", summary = "List a contract's social clauses", security(("bearer" = [])),
    params(("contract" = Uuid, Path)),
    responses((status = 200, body = Vec<ClauseDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_clauses(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<ContractId>,
) -> Result<Response, ApiError> {
    let l = svc::clauses(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &l.iter().map(ClauseDto::from).collect::<Vec<_>>(),
    ))
}

/// Adds a social clause to the contract or one of its lots.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/clauses", tag = "procurement", summary = "Add a social clause", security(("bearer" = [])),
    params(("contract" = Uuid, Path)), request_body = ClauseInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_clause(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ContractId>>,
    body: ApiJson<ClauseInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let s = svc::add_clause(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: s.0 }))
}

/// Records the award of the contract or of a lot. A reserved one awarded to an organisation
/// whose registers do not cover it on the award date is refused (422,
/// `error-award-not-covered` on `justification`) unless a justification is given.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/award", tag = "procurement", summary = "Award a contract or lot", security(("bearer" = [])),
    params(("contract" = Uuid, Path)), request_body = AwardInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn award(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ContractId>>,
    body: ApiJson<AwardInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::award(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A clause with its commitments (with progress), its checks and the hires under it (a count).
#[utoipa::path(get, path = "/api/v1/clauses/{clause}", tag = "procurement", summary = "Read a social clause", security(("bearer" = [])),
    params(("clause" = Uuid, Path)),
    responses((status = 200, body = ClauseDetailDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_clause(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<SocialClauseId>,
) -> Result<Response, ApiError> {
    let d = svc::clause(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &ClauseDetailDto {
            clause: ClauseDto::from(&d.clause),
            commitments: d.commitments.iter().map(commitment_dto).collect(),
            checks: d.checks.iter().map(CheckDto::from).collect(),
            hires: d.hires,
        },
    ))
}

/// The clause's compliance checks, latest first.
#[utoipa::path(get, path = "/api/v1/clauses/{clause}/checks", tag = "procurement", summary = "List a clause's compliance checks", security(("bearer" = [])),
    params(("clause" = Uuid, Path)),
    responses((status = 200, body = Vec<CheckDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_checks(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<SocialClauseId>,
) -> Result<Response, ApiError> {
    let l = svc::checks(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &l.iter().map(CheckDto::from).collect::<Vec<_>>(),
    ))
}

/// Records a compliance check of the clause.
#[utoipa::path(post, path = "/api/v1/clauses/{clause}/checks", tag = "procurement", summary = "Record a compliance check", security(("bearer" = [])),
    params(("clause" = Uuid, Path)), request_body = CheckInput,
    responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_check(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<SocialClauseId>>,
    body: ApiJson<CheckInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let k = svc::add_check(&state, &caller.actor, &caller.meta, id, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: k.0 }))
}
