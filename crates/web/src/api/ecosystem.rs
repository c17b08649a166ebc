// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints of the ecosystem directory: organisations (contacts included, audited),
//! their yearly social audit figures, the pole's activities and entrepreneurship projects.

use super::conditional::{IfMatch, etag};
use super::inclusion::Created;
use super::{
    AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, ApiPath2, OrProblem, json, not_found,
};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::ecosystem::{self as svc, ListQuery};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use elkarlan_domain::OrganisationId;
use elkarlan_domain::ecosystem::eligibility::ReservedEligibility;
use elkarlan_domain::ecosystem::organisation::{
    OrganisationInput, PoleActivityInput, ProfileDraft, ProfileInput, VentureInput,
};
use elkarlan_service::models::organisations::{Organisation, OrganisationSummary};
use elkarlan_service::models::pole::{PoleActivity, Venture};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/organisations", get(list_organisations))
        .add(
            "POST",
            "/api/v1/organisations",
            axum::routing::post(create_organisation),
        )
        .add(
            "GET",
            "/api/v1/organisations/{organisation}",
            get(get_organisation),
        )
        .add(
            "PUT",
            "/api/v1/organisations/{organisation}",
            axum::routing::put(update_organisation),
        )
        .add(
            "GET",
            "/api/v1/organisations/{organisation}/profiles/{year}",
            get(get_profile),
        )
        .add(
            "PUT",
            "/api/v1/organisations/{organisation}/profiles/{year}",
            axum::routing::put(put_profile),
        )
        .add("GET", "/api/v1/pole/activities", get(list_activities))
        .add(
            "POST",
            "/api/v1/pole/activities",
            axum::routing::post(create_activity),
        )
        .add("GET", "/api/v1/ventures", get(list_ventures))
        .add(
            "POST",
            "/api/v1/ventures",
            axum::routing::post(create_venture),
        )
}

// DTOs ------------------------------------------------------------------------------------------

/// Why an organisation may bid for reserved contracts today.
#[derive(Serialize, ToSchema)]
pub struct EligibilityDto {
    /// The register: insertion_company_register or special_employment_centre_register.
    pub register: String,
    pub register_number: String,
    /// The first day it no longer holds; null while the entry has no expiry.
    pub until: Option<String>,
}

fn eligibility(e: &Option<ReservedEligibility>) -> Option<EligibilityDto> {
    e.as_ref().map(|e| EligibilityDto {
        register: e.kind.code().to_owned(),
        register_number: e.register_number.clone(),
        until: e.until.map(|d| d.to_string()),
    })
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationSummaryDto {
    pub id: Uuid,
    pub name: String,
    pub tax_id: String,
    pub legal_form: String,
    pub legal_label: Option<String>,
    pub neighbourhood: Option<Uuid>,
    pub pole_member: bool,
    /// CPV codes.
    pub activities: Vec<String>,
    /// Present when it may bid for reserved contracts today.
    pub reserved_eligibility: Option<EligibilityDto>,
}

fn summary(o: &OrganisationSummary, e: &Option<ReservedEligibility>) -> OrganisationSummaryDto {
    OrganisationSummaryDto {
        id: o.id.0,
        name: o.name.clone(),
        tax_id: o.tax_id.clone(),
        legal_form: o.legal_form.code().to_owned(),
        legal_label: o.legal_label.clone(),
        neighbourhood: o.neighbourhood.map(|a| a.0),
        pole_member: o.pole_member,
        activities: o.activities.iter().map(|c| c.code().to_owned()).collect(),
        reserved_eligibility: eligibility(e),
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegisterDto {
    pub register: String,
    pub number: String,
}

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QualificationDto {
    pub id: Uuid,
    pub kind: String,
    pub register_number: String,
    pub granted_on: String,
    pub expires_on: Option<String>,
    pub evidence: String,
}

#[derive(Serialize, ToSchema)]
pub struct RelationDto {
    pub id: Uuid,
    pub kind: String,
    pub from: Uuid,
    pub to: Uuid,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SseProfileDto {
    pub year: i32,
    pub workforce: i64,
    pub women: i64,
    pub women_in_responsibility: i64,
    pub people_in_responsibility: i64,
    pub hired_from_exclusion: i64,
    pub permanent_contracts: i64,
    /// Highest to lowest salary times 100 (2.5 is 250).
    pub salary_ratio_centi: Option<i64>,
    pub renewable_energy_percent: Option<i64>,
    pub ethical_finance: bool,
    pub turnover_cents: Option<i64>,
    pub volunteers: Option<i64>,
}

impl From<&ProfileDraft> for SseProfileDto {
    fn from(p: &ProfileDraft) -> Self {
        Self {
            year: p.year,
            workforce: p.workforce,
            women: p.women,
            women_in_responsibility: p.women_in_responsibility,
            people_in_responsibility: p.people_in_responsibility,
            hired_from_exclusion: p.hired_from_exclusion,
            permanent_contracts: p.permanent_contracts,
            salary_ratio_centi: p.salary_ratio_centi,
            renewable_energy_percent: p.renewable_energy_percent,
            ethical_finance: p.ethical_finance,
            turnover_cents: p.turnover_cents,
            volunteers: p.volunteers,
        }
    }
}

/// An organisation with its contacts (reading them is audited), register entries, relations
/// and social audit figures.
#[derive(Serialize, ToSchema)]
pub struct OrganisationDto {
    pub id: Uuid,
    pub name: String,
    pub tax_id: String,
    pub legal_form: String,
    pub legal_label: Option<String>,
    /// CNAE section letter.
    pub sector: String,
    pub neighbourhood: Option<Uuid>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub pole_member: bool,
    pub pole_member_since: Option<String>,
    pub activities: Vec<String>,
    pub registers: Vec<RegisterDto>,
    pub contacts: Vec<ContactDto>,
    pub qualifications: Vec<QualificationDto>,
    pub reserved_eligibility: Option<EligibilityDto>,
    pub relations: Vec<RelationDto>,
    pub profiles: Vec<SseProfileDto>,
    pub version: i64,
}

fn organisation_dto(d: &svc::OrganisationDetail) -> OrganisationDto {
    let o: &Organisation = &d.organisation;
    OrganisationDto {
        id: o.id.0,
        name: o.name.clone(),
        tax_id: o.tax_id.clone(),
        legal_form: o.legal_form.code().to_owned(),
        legal_label: o.legal_label.clone(),
        sector: o.sector.code().to_owned(),
        neighbourhood: o.neighbourhood.map(|a| a.0),
        address: o.address.clone(),
        email: o.email.clone(),
        phone: o.phone.clone(),
        website: o.website.clone(),
        description: o.description.clone(),
        pole_member: o.pole_member,
        pole_member_since: o.pole_member_since.clone(),
        activities: o.activities.iter().map(|c| c.code().to_owned()).collect(),
        registers: o
            .registers
            .iter()
            .map(|r| RegisterDto {
                register: r.register.clone(),
                number: r.number.clone(),
            })
            .collect(),
        contacts: d
            .contacts
            .iter()
            .map(|c| ContactDto {
                name: c.name.clone(),
                role: c.role.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect(),
        qualifications: d
            .qualifications
            .iter()
            .map(|q| QualificationDto {
                id: q.id.0,
                kind: q.kind.code().to_owned(),
                register_number: q.register_number.clone(),
                granted_on: q.granted_on.clone(),
                expires_on: q.expires_on.clone(),
                evidence: q.evidence.clone(),
            })
            .collect(),
        reserved_eligibility: eligibility(&d.eligibility),
        relations: d
            .relations
            .iter()
            .map(|r| RelationDto {
                id: r.id.0,
                kind: r.kind.code().to_owned(),
                from: r.from.0,
                to: r.to.0,
                starts_on: r.starts_on.clone(),
                ends_on: r.ends_on.clone(),
            })
            .collect(),
        profiles: d.profiles.iter().map(SseProfileDto::from).collect(),
        version: o.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipationDto {
    pub organisation: Uuid,
    pub name: String,
    pub people: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PoleActivityDto {
    pub id: Uuid,
    pub kind: String,
    pub title_eu: String,
    pub title_es: String,
    pub held_on: String,
    pub neighbourhood: Option<Uuid>,
    /// Hours times 100.
    pub hours_centi: i64,
    pub attendees: i64,
    pub participants: Vec<ParticipationDto>,
}

impl From<&PoleActivity> for PoleActivityDto {
    fn from(a: &PoleActivity) -> Self {
        Self {
            id: a.id.0,
            kind: a.kind.code().to_owned(),
            title_eu: a.title_eu.clone(),
            title_es: a.title_es.clone(),
            held_on: a.held_on.clone(),
            neighbourhood: a.neighbourhood.map(|x| x.0),
            hours_centi: a.hours_centi,
            attendees: a.attendees,
            participants: a
                .participants
                .iter()
                .map(|p| ParticipationDto {
                    organisation: p.organisation.0,
                    name: p.name.clone(),
                    people: p.people,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SupportDto {
    pub given_on: String,
    pub support: String,
    pub hours_centi: i64,
    pub amount_cents: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VentureDto {
    pub id: Uuid,
    pub name: String,
    pub stage: String,
    pub neighbourhood: Option<Uuid>,
    pub started_on: String,
    pub organisation: Option<Uuid>,
    pub intended_form: Option<String>,
    pub promoters: i64,
    pub support: Vec<SupportDto>,
    pub version: i64,
}

impl From<&Venture> for VentureDto {
    fn from(v: &Venture) -> Self {
        Self {
            id: v.id.0,
            name: v.name.clone(),
            stage: v.stage.code().to_owned(),
            neighbourhood: v.neighbourhood.map(|x| x.0),
            started_on: v.started_on.clone(),
            organisation: v.organisation.map(|o| o.0),
            intended_form: v.intended_form.map(|f| f.code().to_owned()),
            promoters: v.promoters,
            support: v
                .support
                .iter()
                .map(|s| SupportDto {
                    given_on: s.given_on.clone(),
                    support: s.support.clone(),
                    hours_centi: s.hours_centi,
                    amount_cents: s.amount_cents,
                })
                .collect(),
            version: v.version,
        }
    }
}

// Handlers ------------------------------------------------------------------------------------

/// The directory, filtered (coordinators).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "ecosystem", summary = "List organisations", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Vec<OrganisationSummaryDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let list = svc::list_organisations(&state, &caller.actor, &caller.meta, &q)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(|(o, e)| summary(o, e)).collect::<Vec<_>>(),
    ))
}

/// Registers an organisation (coordinators). A tax id already in the directory is a 409 on
/// `tax_id`. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "ecosystem", summary = "Register an organisation", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    request_body = OrganisationInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<OrganisationInput>,
) -> Result<Response, ApiError> {
    let idem = match super::resources::idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let respond = |id: &OrganisationId| {
        (
            201u16,
            serde_json::to_string(&Created { id: id.0 }).unwrap_or_default(),
        )
    };
    let idem_arg = idem.as_ref().map(|(k, h)| {
        (
            crate::services::Idempotent {
                key: k,
                request_hash: h.clone(),
            },
            &respond as &(dyn Fn(&OrganisationId) -> (u16, String) + Sync),
        )
    });
    let id = svc::create_organisation(&state, &caller.actor, &caller.meta, &body.value, idem_arg)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// An organisation with its contacts (the read is audited); `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/organisations/{organisation}", tag = "ecosystem", summary = "Read an organisation", security(("bearer" = [])), params(("organisation" = Uuid, Path)),
    responses((status = 200, body = OrganisationDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<OrganisationId>,
) -> Result<Response, ApiError> {
    let d = svc::organisation(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(StatusCode::OK, &organisation_dto(&d));
    res.headers_mut()
        .insert(header::ETAG, etag(d.organisation.version));
    Ok(res)
}

/// Replaces an organisation's fields, activities, registers and contacts. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/organisations/{organisation}", tag = "ecosystem", summary = "Change an organisation", security(("bearer" = [])),
    params(("organisation" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag read, e.g. \"v1\"")), request_body = OrganisationInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn update_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<OrganisationId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<OrganisationInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    svc::update_organisation(
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

/// A profile's year in a path: 2000 to 2100, else the path names no profile (404).
pub struct ProfileYear(pub i32);

impl std::str::FromStr for ProfileYear {
    type Err = ();
    fn from_str(raw: &str) -> Result<Self, ()> {
        raw.parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(ProfileYear)
            .ok_or(())
    }
}

/// The organisation's social audit figures for a year.
#[utoipa::path(get, path = "/api/v1/organisations/{organisation}/profiles/{year}", tag = "ecosystem", summary = "Read a year's social audit figures", security(("bearer" = [])),
    params(("organisation" = Uuid, Path), ("year" = i32, Path)),
    responses((status = 200, body = SseProfileDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath2(id, ProfileYear(year)): ApiPath2<OrganisationId, ProfileYear>,
) -> Result<Response, ApiError> {
    let (_, profile) = svc::profile(&state, &caller.actor, &caller.meta, id, year)
        .await
        .or_problem(caller.lang)?;
    let p = profile.ok_or_else(|| not_found(caller.lang))?;
    Ok(json(StatusCode::OK, &SseProfileDto::from(&p)))
}

/// Records or replaces the organisation's social audit figures for a year.
#[utoipa::path(put, path = "/api/v1/organisations/{organisation}/profiles/{year}", tag = "ecosystem", summary = "Record a year's social audit figures", security(("bearer" = [])),
    params(("organisation" = Uuid, Path), ("year" = i32, Path)), request_body = ProfileInput,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_profile(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath2<OrganisationId, ProfileYear>>,
    body: ApiJson<ProfileInput>,
) -> Result<Response, ApiError> {
    let ApiPath2(id, ProfileYear(year)) = path.get()?;
    svc::save_profile(&state, &caller.actor, &caller.meta, id, year, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The pole's activities with the organisations that took part.
#[utoipa::path(get, path = "/api/v1/pole/activities", tag = "ecosystem", summary = "List the pole's activities", security(("bearer" = [])),
    responses((status = 200, body = Vec<PoleActivityDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_activities(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::activities(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(PoleActivityDto::from).collect::<Vec<_>>(),
    ))
}

/// Records an activity of the pole; participants are given by tax id.
#[utoipa::path(post, path = "/api/v1/pole/activities", tag = "ecosystem", summary = "Record a pole activity", security(("bearer" = [])),
    request_body = PoleActivityInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_activity(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<PoleActivityInput>,
) -> Result<Response, ApiError> {
    let id = svc::create_activity(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}

/// The entrepreneurship projects with the support given.
#[utoipa::path(get, path = "/api/v1/ventures", tag = "ecosystem", summary = "List entrepreneurship projects", security(("bearer" = [])),
    responses((status = 200, body = Vec<VentureDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_ventures(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = svc::ventures(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &list.iter().map(VentureDto::from).collect::<Vec<_>>(),
    ))
}

/// Records an entrepreneurship project.
#[utoipa::path(post, path = "/api/v1/ventures", tag = "ecosystem", summary = "Record an entrepreneurship project", security(("bearer" = [])),
    request_body = VentureInput, responses((status = 201, body = Created), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_venture(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ApiJson<VentureInput>,
) -> Result<Response, ApiError> {
    let id = svc::create_venture(&state, &caller.actor, &caller.meta, &body.value)
        .await
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &Created { id: id.0 }))
}
