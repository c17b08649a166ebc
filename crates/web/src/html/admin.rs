//! Administration (users, agencies) and the DPO's audit trail.

use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::html::form::CsrfForm;
use crate::routes::RouteBook;
use crate::services::agencies::{self as agency_service, NewAgencyInput};
use crate::services::users::{self as user_service, EnrolmentMail, NewUserInput, UserChangesInput};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::account::Role;
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::{Lang, Timestamp, UserId};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::audit::AuditFilter;
use elkarlan_service::models::users::User;
use elkarlan_templates::{
    AgenciesPage, AgencyNewPage, AgencyRow, AuditPage, AuditRow, AuditSearchRow, AuditSearchesPage,
    SelectOption, UserNewPage, UserPage, UserRow, UsersPage, t, t_args,
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/admin/users", get(users_page))
        .add("GET", "/admin/users/new", get(user_new_page))
        .add("POST", "/admin/users/new", post(user_new_submit))
        .add("GET", "/admin/users/{id}", get(user_page_get))
        .add("POST", "/admin/users/{id}", post(user_page_post))
        .add(
            "POST",
            "/admin/users/{id}/enrolment",
            post(user_enrolment_post),
        )
        .add("GET", "/admin/agencies", get(agencies_page))
        .add("GET", "/admin/agencies/new", get(agency_new_page))
        .add("POST", "/admin/agencies/new", post(agency_new_submit))
        .add("GET", "/audit", get(audit_page))
        .add("GET", "/audit/searches", get(audit_searches_page))
}

fn status(lang: Lang, u: &User) -> String {
    t(
        lang,
        if u.locked {
            "status-locked"
        } else if u.active {
            "status-active"
        } else {
            "status-inactive"
        },
    )
}

/// The status, with a lock after failed sign-ins when one is in force.
fn status_with_sign_in_lock(lang: Lang, u: &User, until: Option<Timestamp>) -> String {
    match until {
        Some(until) if !u.locked => t_args(
            lang,
            "status-locked-until",
            &[("until", until.display().as_str())],
        ),
        _ => status(lang, u),
    }
}

fn agency_name(lang: Lang, a: &Agency) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
    }
}

fn role_options(lang: Lang, selected: &str) -> Vec<SelectOption> {
    let mut v = vec![SelectOption {
        value: String::new(),
        label: String::new(),
        selected: selected.is_empty(),
    }];
    v.extend(Role::ALL.iter().map(|r| SelectOption {
        value: r.code().into(),
        label: t(lang, &r.label_key()),
        selected: r.code() == selected,
    }));
    v
}

fn agency_options(lang: Lang, list: &[Agency], selected: &str) -> Vec<SelectOption> {
    let mut v = vec![SelectOption {
        value: String::new(),
        label: t(lang, "user-agency-none"),
        selected: selected.is_empty(),
    }];
    v.extend(list.iter().map(|a| SelectOption {
        value: a.id.to_string(),
        label: agency_name(lang, a),
        selected: a.id.to_string() == selected,
    }));
    v
}

async fn agency_list(
    state: &AppState,
    ctx: &crate::extract::Ctx,
    tenant: elkarlan_domain::TenantId,
) -> Result<Vec<Agency>, HtmlError> {
    crate::services::reference::agencies(state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))
}

pub async fn users_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let users = user_service::list(&state, &actor, &ctx.meta, "", 1000)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            username: u.username.clone(),
            name: u.display_name.clone(),
            role: t(ctx.lang, &u.role.label_key()),
            agency: u
                .agency_id
                .and_then(|id| all.iter().find(|a| a.id == id))
                .map(|a| agency_name(ctx.lang, a))
                .unwrap_or_default(),
            second_factor: t(ctx.lang, if u.has_second_factor { "yes" } else { "no" }),
            status: status(ctx.lang, u),
        })
        .collect();
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &UsersPage {
            ctx: ctx.page(),
            rows,
        },
    ))
}

pub async fn user_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    // Ask the policy before showing the form, as the POST will.
    crate::services::authorize(
        &state,
        &actor,
        elkarlan_domain::policy::Action::CreateUser,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
        &ctx.meta,
    )
    .await
    .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    let page = UserNewPage {
        ctx: ctx.page(),
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        roles: role_options(ctx.lang, ""),
        agencies: agency_options(ctx.lang, &all, ""),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    email: String,
    role: String,
    agency: String,
}

pub async fn user_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<UserForm>,
) -> Result<Response, HtmlError> {
    let input = NewUserInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        email: f.email.clone(),
        role: f.role.clone(),
        agency: f.agency.clone(),
    };
    let mail = EnrolmentMail::for_request(&state, crate::extract::host(&headers), ctx.lang);
    let errors = match user_service::create(&state, &actor, &ctx.meta, &input, &mail, None).await {
        Ok(user) => {
            return Ok(see_other(&format!(
                "/admin/users/{}?enrolment=sent",
                user.id
            )));
        }
        Err(ServiceError::Invalid(errors)) => errors,
        Err(ServiceError::Conflict { field, key }) => {
            let mut e = elkarlan_domain::FieldErrors::new();
            e.add(field, key);
            e
        }
        Err(e) => return Err(HtmlError::from_service(&ctx, e)),
    };
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    let page = UserNewPage {
        ctx: ctx.page().with_errors(&errors),
        username: f.username,
        display_name: f.display_name,
        email: f.email,
        roles: role_options(ctx.lang, &f.role),
        agencies: agency_options(ctx.lang, &all, &f.agency),
    };
    Ok(render(
        &ctx,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        &page,
    ))
}

fn parse_id(ctx: &crate::extract::Ctx, raw: &str) -> Result<UserId, HtmlError> {
    raw.parse::<UserId>()
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::NOT_FOUND))
}

fn user_page(
    ctx: &crate::extract::Ctx,
    u: &User,
    sign_in_lock: Option<Timestamp>,
    all: &[Agency],
    errors: Option<&elkarlan_domain::FieldErrors>,
    notice: Option<String>,
) -> UserPage {
    let mut page = errors.map_or_else(|| ctx.page(), |e| ctx.page().with_errors(e));
    page.notice = notice;
    UserPage {
        ctx: page,
        id: u.id.to_string(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        status: status_with_sign_in_lock(ctx.lang, u, sign_in_lock),
        second_factor: t(ctx.lang, if u.has_second_factor { "yes" } else { "no" }),
        roles: role_options(ctx.lang, u.role.code()),
        agencies: agency_options(
            ctx.lang,
            all,
            &u.agency_id.map(|a| a.to_string()).unwrap_or_default(),
        ),
        active: u.active,
        mfa_required: u.mfa_required,
        mfa_forced: u.role.handles_personal_data(),
        locked: u.locked || sign_in_lock.is_some(),
        admin_locked: u.locked,
        version: u.version,
    }
}

async fn lock_of(
    state: &AppState,
    ctx: &crate::extract::Ctx,
    u: &User,
) -> Result<Option<Timestamp>, HtmlError> {
    user_service::sign_in_lock(state, u)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserPageQuery {
    /// `sent` after the account was created: its enrolment e-mail is on its way.
    enrolment: String,
}

pub async fn user_page_get(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<UserPageQuery>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&ctx, &id)?;
    let u = user_service::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    let notice = (q.enrolment == "sent").then(|| t(ctx.lang, "user-enrolment-sent"));
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &user_page(
            &ctx,
            &u,
            lock_of(&state, &ctx, &u).await?,
            &all,
            None,
            notice,
        ),
    ))
}

/// Sends the account's holder a new enrolment link; the previous one stops working.
pub async fn user_enrolment_post(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
    _: CsrfForm,
) -> Result<Response, HtmlError> {
    let id = parse_id(&ctx, &id)?;
    let mail = EnrolmentMail::for_request(&state, crate::extract::host(&headers), ctx.lang);
    let result = user_service::send_enrolment(&state, &actor, &ctx.meta, id, &mail).await;
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    let (status, errors, notice) = match result {
        Ok(_) => (
            StatusCode::OK,
            None,
            Some(t(ctx.lang, "user-enrolment-sent")),
        ),
        Err(ServiceError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some(errors), None)
        }
        Err(e) => return Err(HtmlError::from_service(&ctx, e)),
    };
    let u = user_service::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    Ok(render(
        &ctx,
        &state,
        status,
        &user_page(
            &ctx,
            &u,
            lock_of(&state, &ctx, &u).await?,
            &all,
            errors.as_ref(),
            notice,
        ),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserEditForm {
    version: String,
    display_name: String,
    email: String,
    role: String,
    agency: String,
    active: Option<String>,
    mfa_required: Option<String>,
    unlock: Option<String>,
    lock: Option<String>,
}

pub async fn user_page_post(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<UserEditForm>,
) -> Result<Response, HtmlError> {
    let id = parse_id(&ctx, &id)?;
    let input = UserChangesInput {
        display_name: Some(f.display_name.clone()),
        email: Some(f.email.clone()),
        role: Some(f.role.clone()),
        agency: Some(f.agency.clone()),
        active: Some(f.active.is_some()),
        // For roles that handle personal data the box is not shown: the second factor is
        // always required, and the service keeps it so.
        mfa_required: match Role::parse(f.role.trim()) {
            Ok(r) if r.handles_personal_data() => None,
            _ => Some(f.mfa_required.is_some()),
        },
        unlock: f.unlock.is_some(),
        lock: f.lock.is_some(),
    };
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let result = user_service::update(&state, &actor, &ctx.meta, id, Some(version), &input).await;
    let all = agency_list(&state, &ctx, actor.tenant).await?;
    match result {
        Ok(u) => Ok(render(
            &ctx,
            &state,
            StatusCode::OK,
            &user_page(
                &ctx,
                &u,
                lock_of(&state, &ctx, &u).await?,
                &all,
                None,
                Some(t(ctx.lang, "user-updated")),
            ),
        )),
        Err(ServiceError::Invalid(errors)) => {
            let u = user_service::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(|e| HtmlError::from_service(&ctx, e))?;
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &user_page(
                    &ctx,
                    &u,
                    lock_of(&state, &ctx, &u).await?,
                    &all,
                    Some(&errors),
                    None,
                ),
            ))
        }
        Err(ServiceError::Stale) => {
            // Show the current record; nothing of the stale edit was written.
            let u = user_service::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(|e| HtmlError::from_service(&ctx, e))?;
            let mut errors = elkarlan_domain::FieldErrors::new();
            errors.add("display_name", "user-stale");
            Ok(render(
                &ctx,
                &state,
                StatusCode::CONFLICT,
                &user_page(
                    &ctx,
                    &u,
                    lock_of(&state, &ctx, &u).await?,
                    &all,
                    Some(&errors),
                    None,
                ),
            ))
        }
        Err(e) => Err(HtmlError::from_service(&ctx, e)),
    }
}

pub async fn agencies_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let list = agency_service::list(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let rows = list
        .iter()
        .map(|a| AgencyRow {
            name_eu: a.name_eu.clone(),
            name_es: a.name_es.clone(),
            system: t(ctx.lang, &a.system.label_key()),
            area: a
                .area_id
                .and_then(|id| areas.iter().find(|x| x.id == id))
                .map_or_else(
                    || t(ctx.lang, "agency-area-none"),
                    |x| {
                        if ctx.lang == Lang::Eu {
                            x.name_eu.clone()
                        } else {
                            x.name_es.clone()
                        }
                    },
                ),
        })
        .collect();
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &AgenciesPage {
            ctx: ctx.page(),
            rows,
            can_create: agency_service::can_create(&actor),
        },
    ))
}

async fn agency_form(
    state: &AppState,
    ctx: &crate::extract::Ctx,
    tenant: elkarlan_domain::TenantId,
    f: &AgencyForm,
    errors: Option<&elkarlan_domain::FieldErrors>,
) -> Result<AgencyNewPage, HtmlError> {
    let areas = crate::services::reference::areas(state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let mut systems = vec![SelectOption {
        value: String::new(),
        label: String::new(),
        selected: f.system.is_empty(),
    }];
    systems.extend(PublicSystem::ALL.iter().map(|s| SelectOption {
        value: s.code().into(),
        label: t(ctx.lang, &s.label_key()),
        selected: s.code() == f.system,
    }));
    let mut area_opts = vec![SelectOption {
        value: String::new(),
        label: t(ctx.lang, "agency-area-none"),
        selected: f.area.is_empty(),
    }];
    area_opts.extend(
        areas
            .iter()
            .filter(|a| a.kind == "neighbourhood")
            .map(|a| SelectOption {
                value: a.id.to_string(),
                label: if ctx.lang == Lang::Eu {
                    a.name_eu.clone()
                } else {
                    a.name_es.clone()
                },
                selected: a.id.to_string() == f.area,
            }),
    );
    Ok(AgencyNewPage {
        ctx: errors.map_or_else(|| ctx.page(), |e| ctx.page().with_errors(e)),
        name_eu: f.name_eu.clone(),
        name_es: f.name_es.clone(),
        systems,
        areas: area_opts,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgencyForm {
    name_eu: String,
    name_es: String,
    system: String,
    area: String,
}

pub async fn agency_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    crate::services::authorize(
        &state,
        &actor,
        elkarlan_domain::policy::Action::CreateAgency,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
        &ctx.meta,
    )
    .await
    .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let page = agency_form(&state, &ctx, actor.tenant, &AgencyForm::default(), None).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn agency_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm<AgencyForm>,
) -> Result<Response, HtmlError> {
    let input = NewAgencyInput {
        name_eu: f.name_eu.clone(),
        name_es: f.name_es.clone(),
        system: f.system.clone(),
        area: f.area.clone(),
    };
    let errors = match agency_service::create(&state, &actor, &ctx.meta, &input, None).await {
        Ok(_) => return Ok(see_other("/admin/agencies")),
        Err(ServiceError::Invalid(e)) => e,
        Err(ServiceError::Conflict { field, key }) => {
            let mut e = elkarlan_domain::FieldErrors::new();
            e.add(field, key);
            e
        }
        Err(e) => return Err(HtmlError::from_service(&ctx, e)),
    };
    let page = agency_form(&state, &ctx, actor.tenant, &f, Some(&errors)).await?;
    Ok(render(
        &ctx,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        &page,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    entity_type: String,
    before: Option<i64>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, HtmlError> {
    const PAGE: i64 = 100;
    let filter = AuditFilter {
        actor: q.actor.clone(),
        action: q.action.clone(),
        entity_type: q.entity_type.clone(),
        before_seq: q.before,
        ..AuditFilter::default()
    };
    let events = crate::services::audit::list(&state, &actor, &ctx.meta, &filter, PAGE)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let next = (events.len() as i64 == PAGE).then(|| {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        format!(
            "/audit?actor={}&action={}&entity_type={}&before={}",
            enc(&q.actor),
            enc(&q.action),
            enc(&q.entity_type),
            events.last().map_or(0, |e| e.seq)
        )
    });
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at.display(),
            actor: e.actor_name,
            action: e.action,
            entity: match e.entity_id {
                Some(id) => format!("{} {}", e.entity_type, id),
                None => e.entity_type,
            },
            outcome: e.outcome,
            basis: e.basis,
        })
        .collect();
    let page = AuditPage {
        ctx: ctx.page(),
        actor: q.actor,
        action: q.action,
        entity_type: q.entity_type,
        rows,
        next,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditSearchQuery {
    name: String,
}

/// The DPO's "who searched for this name": the searches whose hashed terms match it.
pub async fn audit_searches_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<AuditSearchQuery>,
) -> Result<Response, HtmlError> {
    let searched = !q.name.trim().is_empty();
    // Asked even without a name: the policy decides who may see the form.
    let (rows, errors) =
        match crate::services::audit::who_searched(&state, &actor, &ctx.meta, &q.name).await {
            Ok(events) => (
                events
                    .iter()
                    .map(|e| AuditSearchRow {
                        at: e.at.display(),
                        actor: e.actor_name.clone(),
                        role: e
                            .actor_role
                            .as_deref()
                            .and_then(|r| Role::parse(r).ok())
                            .map(|r| t(ctx.lang, &r.label_key()))
                            .unwrap_or_default(),
                        results: crate::services::audit::search_results(e)
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
                None,
            ),
            Err(ServiceError::Invalid(_)) if !searched => (Vec::new(), None),
            Err(ServiceError::Invalid(e)) => (Vec::new(), Some(e)),
            Err(e) => return Err(HtmlError::from_service(&ctx, e)),
        };
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AuditSearchesPage {
        ctx: errors.map_or_else(|| ctx.page(), |e| ctx.page().with_errors(&e)),
        name: q.name,
        searched: searched && status == StatusCode::OK,
        rows,
    };
    Ok(render(&ctx, &state, status, &page))
}
