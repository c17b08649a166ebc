// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! Resource endpoints: me, users, agencies, audit events, territory.

use super::conditional::{IfMatch, etag};
use super::{AfterBody, ApiCaller, ApiError, ApiJson, ApiPath, OrProblem, Page, json};
use crate::AppState;
use crate::error::Problem;
use crate::routes::RouteBook;
use crate::services::Idempotent;
use crate::services::agencies::NewAgencyInput;
use crate::services::users::{EnrolmentMail, NewUserInput, UserChangesInput};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use elkarlan_domain::{FieldErrors, Lang, UserId};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::audit::{AuditEvent, AuditFilter};
use elkarlan_service::models::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/me", get(me))
        .add("GET", "/api/v1/users", get(list_users))
        .add("POST", "/api/v1/users", post(create_user))
        .add("POST", "/api/v1/users/{id}/enrolment", post(send_enrolment))
        .add("GET", "/api/v1/users/{id}", get(get_user))
        .add("PATCH", "/api/v1/users/{id}", patch(patch_user))
        .add("GET", "/api/v1/agencies", get(list_agencies))
        .add("POST", "/api/v1/agencies", post(create_agency))
        .add("GET", "/api/v1/audit-events", get(list_audit))
        .add(
            "GET",
            "/api/v1/audit-events/name-searches",
            get(name_searches),
        )
        .add("GET", "/api/v1/areas", get(list_areas))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// Role code (administrator, coordinator, employment_professional, ...).
    pub role: String,
    pub agency: Option<Uuid>,
    pub preferred_lang: Option<String>,
    pub mfa_required: bool,
    pub has_second_factor: bool,
    pub active: bool,
    pub locked: bool,
    pub version: i64,
    /// ISO 8601, UTC.
    pub created_at: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.0,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role.code().to_owned(),
            agency: u.agency_id.map(|a| a.0),
            preferred_lang: u.preferred_lang.map(|l| l.code().to_owned()),
            mfa_required: u.mfa_required,
            has_second_factor: u.has_second_factor,
            active: u.active,
            locked: u.locked,
            version: u.version,
            created_at: u.created_at.iso(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AgencyDto {
    pub id: Uuid,
    pub name_eu: String,
    pub name_es: String,
    /// Public system code.
    pub system: String,
    pub area: Option<Uuid>,
    pub active: bool,
}

impl From<&Agency> for AgencyDto {
    fn from(a: &Agency) -> Self {
        Self {
            id: a.id.0,
            name_eu: a.name_eu.clone(),
            name_es: a.name_es.clone(),
            system: a.system.code().to_owned(),
            area: a.area_id.map(|x| x.0),
            active: a.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventDto {
    pub seq: i64,
    pub id: Uuid,
    pub at: String,
    pub actor: String,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub subject_id: Option<String>,
    pub basis: String,
    pub outcome: String,
    pub request_id: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            seq: e.seq,
            id: e.id,
            at: e.at.iso(),
            actor: e.actor_name,
            actor_role: e.actor_role,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            subject_id: e.subject_id,
            basis: e.basis,
            outcome: e.outcome,
            request_id: e.request_id,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AreaDto {
    pub id: Uuid,
    /// district or neighbourhood
    pub kind: String,
    pub code: String,
    pub parent: Option<Uuid>,
    pub name_eu: String,
    pub name_es: String,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", summary = "The account behind the token", security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, body = Problem)))]
pub async fn me(caller: ApiCaller) -> Response {
    json(StatusCode::OK, &UserDto::from(&caller.user))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Opaque cursor from the previous page's `next`.
    pub after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

fn decode_cursor(c: &str) -> Option<String> {
    URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

fn bad_param(lang: Lang, field: &str) -> ApiError {
    let mut f = FieldErrors::new();
    f.add(field, "error-field-type");
    Problem::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "problem-validation")
        .with_fields(lang, &f)
        .into()
}

/// Staff accounts, ordered by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", summary = "List accounts", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<UserDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> Result<Response, ApiError> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(bad_param(caller.lang, "limit"));
    }
    let after = match p.after.as_deref().map(decode_cursor) {
        Some(None) => return Err(bad_param(caller.lang, "after")),
        Some(Some(a)) => a,
        None => String::new(),
    };
    let rows = crate::services::users::list(&state, &caller.actor, &caller.meta, &after, limit)
        .await
        .or_problem(caller.lang)?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|u| URL_SAFE_NO_PAD.encode(&u.username)))
        .flatten();
    Ok(json(
        StatusCode::OK,
        &Page {
            items: rows.iter().map(UserDto::from).collect::<Vec<_>>(),
            next,
        },
    ))
}

/// Validates an `Idempotency-Key` and returns the stored response when the key was used before.
pub(super) async fn idempotency(
    state: &AppState,
    caller: &ApiCaller,
    headers: &HeaderMap,
    raw: &[u8],
) -> Result<Option<(String, Vec<u8>)>, Response> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = v.to_str().unwrap_or("").trim().to_owned();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad_param(caller.lang, "Idempotency-Key").into_response());
    }
    match crate::services::idempotent_replay(state, &caller.actor, &key, raw).await {
        Ok((hash, Some(stored))) if stored.request_hash == hash => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut res = (status, stored.response).into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Err(res)
        }
        Ok((_, Some(_))) => Err(Problem::new(
            caller.lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            "problem-idempotency-mismatch",
        )
        .into_response()),
        Ok((hash, None)) => Ok(Some((key, hash))),
        Err(e) => Err(Problem::from_store(caller.lang, &e).into_response()),
    }
}

/// Creates an account, without a password: an e-mail with a one-time link to choose one goes to
/// the account's address (required). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", summary = "Create an account", security(("bearer" = [])), request_body = NewUserInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first response")),
    responses((status = 201, body = UserDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<NewUserInput>,
) -> Result<Response, ApiError> {
    let idem = match idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let respond = |u: &User| {
        (
            201u16,
            serde_json::to_string(&UserDto::from(u)).unwrap_or_default(),
        )
    };
    let idem_arg = idem.as_ref().map(|(k, h)| {
        (
            Idempotent {
                key: k,
                request_hash: h.clone(),
            },
            &respond as &(dyn Fn(&User) -> (u16, String) + Sync),
        )
    });
    let mail = EnrolmentMail::for_request(&state, crate::extract::host(&headers), caller.lang);
    let u = crate::services::users::create(
        &state,
        &caller.actor,
        &caller.meta,
        &body.value,
        &mail,
        idem_arg,
    )
    .await
    .or_problem(caller.lang)?;
    let mut res = json(StatusCode::CREATED, &UserDto::from(&u));
    res.headers_mut().insert(header::ETAG, etag(u.version));
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/users/{}", u.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Sends the account's holder a new one-time link to choose their password, by e-mail; any
/// earlier link stops working. The account needs an e-mail address (422 otherwise).
#[utoipa::path(post, path = "/api/v1/users/{id}/enrolment", tag = "users", summary = "Send a new password link", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn send_enrolment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<UserId>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mail = EnrolmentMail::for_request(&state, crate::extract::host(&headers), caller.lang);
    crate::services::users::send_enrolment(&state, &caller.actor, &caller.meta, id, &mail)
        .await
        .or_problem(caller.lang)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One account, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", summary = "Read an account", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = UserDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Response, ApiError> {
    let u = crate::services::users::get(&state, &caller.actor, &caller.meta, id)
        .await
        .or_problem(caller.lang)?;
    let mut res = json(StatusCode::OK, &UserDto::from(&u));
    res.headers_mut().insert(header::ETAG, etag(u.version));
    Ok(res)
}

/// Changes an account. `If-Match` must carry the `ETag` last read: 412 when it changed since.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", summary = "Change an account", security(("bearer" = [])), request_body = UserChangesInput,
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The ETag from the last read")),
    responses((status = 200, body = UserDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn patch_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<UserId>>,
    IfMatch(version): IfMatch,
    body: ApiJson<UserChangesInput>,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let u = crate::services::users::update(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        version,
        &body.value,
    )
    .await
    .or_problem(caller.lang)?;
    let mut res = json(StatusCode::OK, &UserDto::from(&u));
    res.headers_mut().insert(header::ETAG, etag(u.version));
    Ok(res)
}

/// Agencies of the tenant.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", summary = "List agencies", security(("bearer" = [])),
    responses((status = 200, body = Page<AgencyDto>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    let list = crate::services::agencies::list(&state, &caller.actor, &caller.meta)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &Page {
            items: list.iter().map(AgencyDto::from).collect::<Vec<_>>(),
            next: None,
        },
    ))
}

/// Creates an agency. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", summary = "Create an agency", security(("bearer" = [])), request_body = NewAgencyInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = AgencyDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_agency(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: ApiJson<NewAgencyInput>,
) -> Result<Response, ApiError> {
    let idem = match idempotency(&state, &caller, &headers, &body.raw).await {
        Ok(i) => i,
        Err(replay) => return Ok(replay),
    };
    let respond = |a: &Agency| {
        (
            201u16,
            serde_json::to_string(&AgencyDto::from(a)).unwrap_or_default(),
        )
    };
    let idem_arg = idem.as_ref().map(|(k, h)| {
        (
            Idempotent {
                key: k,
                request_hash: h.clone(),
            },
            &respond as &(dyn Fn(&Agency) -> (u16, String) + Sync),
        )
    });
    let a = crate::services::agencies::create(
        &state,
        &caller.actor,
        &caller.meta,
        &body.value,
        idem_arg,
    )
    .await
    .or_problem(caller.lang)?;
    Ok(json(StatusCode::CREATED, &AgencyDto::from(&a)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub actor: Option<String>,
    /// An action code, or its prefix (`auth` matches `auth.sign_in`).
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Opaque cursor from the previous page's `next`.
    pub after: Option<String>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// The audit trail, newest first (data protection officer only).
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", summary = "Read the audit trail", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Page<AuditEventDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<AuditParams>,
) -> Result<Response, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(bad_param(caller.lang, "limit"));
    }
    let before = match p.after.as_deref() {
        Some(c) => match decode_cursor(c).and_then(|s| s.parse::<i64>().ok()) {
            Some(n) => Some(n),
            None => return Err(bad_param(caller.lang, "after")),
        },
        None => None,
    };
    let filter = AuditFilter {
        actor: p.actor.unwrap_or_default(),
        action: p.action.unwrap_or_default(),
        entity_type: p.entity_type.unwrap_or_default(),
        entity_id: p.entity_id.unwrap_or_default(),
        before_seq: before,
        ..AuditFilter::default()
    };
    let rows = crate::services::audit::list(&state, &caller.actor, &caller.meta, &filter, limit)
        .await
        .or_problem(caller.lang)?;
    let next = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|e| URL_SAFE_NO_PAD.encode(e.seq.to_string()))
        })
        .flatten();
    Ok(json(
        StatusCode::OK,
        &Page {
            items: rows
                .into_iter()
                .map(AuditEventDto::from)
                .collect::<Vec<_>>(),
            next,
        },
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NameSearchParams {
    /// A name as someone would have searched for it; normalised and hashed as searches are.
    pub name: Option<String>,
}

/// The searches of the people registry that included every word of a name, newest first (data
/// protection officer only). Searches keep keyed hashes of their terms, never the names.
#[utoipa::path(get, path = "/api/v1/audit-events/name-searches", tag = "audit", summary = "Who searched for a name", security(("bearer" = [])), params(NameSearchParams),
    responses((status = 200, body = Page<AuditEventDto>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn name_searches(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<NameSearchParams>,
) -> Result<Response, ApiError> {
    let name = p.name.unwrap_or_default();
    let rows = crate::services::audit::who_searched(&state, &caller.actor, &caller.meta, &name)
        .await
        .or_problem(caller.lang)?;
    Ok(json(
        StatusCode::OK,
        &Page {
            items: rows
                .into_iter()
                .map(AuditEventDto::from)
                .collect::<Vec<_>>(),
            next: None,
        },
    ))
}

/// Districts and neighbourhoods.
#[utoipa::path(get, path = "/api/v1/areas", tag = "territory", summary = "Districts and neighbourhoods", security(("bearer" = [])),
    responses((status = 200, body = Page<AreaDto>), (status = 401, body = Problem)))]
pub async fn list_areas(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, ApiError> {
    crate::services::authorize(
        &state,
        &caller.actor,
        elkarlan_domain::policy::Action::ViewTerritory,
        elkarlan_domain::policy::Target::tenant_wide(caller.actor.tenant),
        &caller.meta,
    )
    .await
    .or_problem(caller.lang)?;
    let list = crate::services::reference::areas(&state, caller.actor.tenant)
        .await
        .map_err(|e| ApiError::from(Problem::from_store(caller.lang, &e)))?;
    Ok(json(
        StatusCode::OK,
        &Page {
            items: list
                .into_iter()
                .map(|a| AreaDto {
                    id: a.id.0,
                    kind: a.kind.to_owned(),
                    code: a.code,
                    parent: a.parent_id.map(|p| p.0),
                    name_eu: a.name_eu,
                    name_es: a.name_es,
                })
                .collect::<Vec<_>>(),
            next: None,
        },
    ))
}
