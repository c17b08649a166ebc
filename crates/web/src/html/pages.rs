//! Home, account, password, second-factor enrolment, API documentation.

use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::CsrfForm;
use crate::routes::RouteBook;
use crate::services::account::{self, PasswordChange};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::account::Role;
use elkarlan_templates::{AccountPage, ApiDocsPage, HomePage, PasswordPage, TotpSetupPage, t};
use serde::Deserialize;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/", get(root))
        .add("GET", "/home", get(home))
        .add("GET", "/account", get(account_page))
        .add("GET", "/account/password", get(password_page))
        .add("POST", "/account/password", post(password_submit))
        .add("GET", "/account/totp", get(totp_setup_page))
        .add("POST", "/account/totp", post(totp_setup_submit))
        .add("GET", "/api/docs", get(api_docs))
}

pub async fn root(ctx: Ctx) -> Response {
    if ctx.actor().is_some() {
        see_other("/home")
    } else {
        see_other("/login")
    }
}

pub async fn home(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let Some(session) = &ctx.session else {
        return Ok(see_other("/login"));
    };
    let user = &session.user;
    let agency = match user.agency_id {
        Some(id) => crate::services::reference::agency(&state, actor.tenant, id)
            .await
            .map(|a| {
                if ctx.lang == elkarlan_domain::Lang::Eu {
                    a.name_eu
                } else {
                    a.name_es
                }
            })
            .unwrap_or_default(),
        None => t(ctx.lang, "home-no-agency"),
    };
    let mut cards = Vec::new();
    if actor.role == Role::Administrator {
        cards.push(("/admin/users", "nav-users", "home-admin-card"));
    }
    if actor.role == Role::DataProtectionOfficer {
        cards.push(("/audit", "nav-audit", "home-dpo-card"));
    }
    let page = HomePage {
        ctx: ctx.page(),
        name: user.display_name.clone(),
        role: t(ctx.lang, &actor.role.label_key()),
        agency,
        mfa_warning: user.mfa_required && !user.has_second_factor,
        cards,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn account_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let Some(session) = &ctx.session else {
        return Ok(see_other("/login"));
    };
    let u = &session.user;
    let page = AccountPage {
        ctx: ctx.page(),
        username: u.username.clone(),
        name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_else(|| t(ctx.lang, "none")),
        role: t(ctx.lang, &actor.role.label_key()),
        language: u.preferred_lang.unwrap_or(ctx.lang).endonym().to_owned(),
        has_totp: u.has_second_factor,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn password_page(
    State(state): State<AppState>,
    SignedIn { ctx, .. }: SignedIn,
) -> Response {
    render(
        &ctx,
        &state,
        StatusCode::OK,
        &PasswordPage { ctx: ctx.page() },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, HtmlError> {
    let keep = ctx
        .session
        .as_ref()
        .map(|s| s.token_hash.clone())
        .unwrap_or_default();
    let change = PasswordChange {
        current_password: f.current_password,
        new_password: f.new_password,
        confirm_password: f.confirm_password,
    };
    match account::change_password(&state, &actor, &ctx.meta, &change, &keep).await {
        Ok(()) => {
            let mut page = ctx.page();
            page.notice = Some(t(ctx.lang, "password-changed"));
            Ok(render(
                &ctx,
                &state,
                StatusCode::OK,
                &PasswordPage { ctx: page },
            ))
        }
        Err(crate::error::ServiceError::Invalid(errors)) => Ok(render(
            &ctx,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                ctx: ctx.page().with_errors(&errors),
            },
        )),
        Err(e) => Err(HtmlError::from_service(&ctx, e)),
    }
}

/// The enrolment page is open to sessions waiting for a second factor too: a role that requires
/// one is sent here right after the password step.
fn enrolling(ctx: &Ctx) -> Option<elkarlan_domain::policy::Actor> {
    ctx.session
        .as_ref()
        .filter(|s| s.mfa_passed || !s.user.has_second_factor)
        .map(|s| s.user.actor())
}

fn setup_page(
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    secret: &[u8],
    token: String,
    errors: Option<&elkarlan_domain::FieldErrors>,
) -> TotpSetupPage {
    let uri = crate::auth::otpauth_uri(secret, &actor.username);
    TotpSetupPage {
        ctx: errors.map_or_else(|| ctx.page(), |e| ctx.page().with_errors(e)),
        secret: crate::auth::base32(secret),
        qr_svg: crate::auth::qr_svg(&uri),
        uri,
        secret_token: token,
        recovery_codes: Vec::new(),
        already: false,
    }
}

pub async fn totp_setup_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let Some(actor) = enrolling(&ctx) else {
        return see_other("/login");
    };
    if ctx
        .session
        .as_ref()
        .is_some_and(|s| s.user.has_second_factor)
    {
        let mut page = setup_page(&ctx, &actor, &[], String::new(), None);
        page.already = true;
        return render(&ctx, &state, StatusCode::OK, &page);
    }
    let (secret, token) = account::new_enrolment(&state, &actor);
    render(
        &ctx,
        &state,
        StatusCode::OK,
        &setup_page(&ctx, &actor, &secret, token, None),
    )
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    secret_token: String,
    #[serde(default)]
    code: String,
}

pub async fn totp_setup_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TotpForm>,
) -> Result<Response, HtmlError> {
    let Some(actor) = enrolling(&ctx) else {
        return Ok(see_other("/login"));
    };
    let Some(session) = ctx.session.clone() else {
        return Ok(see_other("/login"));
    };
    if session.user.has_second_factor {
        return Ok(see_other("/account/totp"));
    }
    let Some(secret) = account::open_enrolment(&state, &actor, &f.secret_token) else {
        return Err(HtmlError::csrf(ctx.page()));
    };
    match account::enable_totp(&state, &actor, &ctx.meta, &secret, &f.code).await {
        Ok(codes) => {
            let mut res_cookie = None;
            if !session.mfa_passed {
                // Enrolment completes the sign-in: rotate the session token.
                let token = crate::auth::new_token();
                crate::services::sessions::complete_second_factor(
                    &state,
                    &session.token_hash,
                    &crate::auth::token_hash(&token),
                    &session.user,
                    &ctx.meta,
                )
                .await
                .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
                res_cookie = Some(token);
            }
            let mut page = setup_page(&ctx, &actor, &secret, String::new(), None);
            page.recovery_codes = codes;
            let mut res = render(&ctx, &state, StatusCode::OK, &page);
            if let Some(token) = res_cookie {
                let c = super::cookie_header(&state, state.config.session_cookie(), &token, None);
                if let Ok(v) = axum::http::HeaderValue::from_str(&c) {
                    res.headers_mut().append(axum::http::header::SET_COOKIE, v);
                }
            }
            Ok(res)
        }
        Err(crate::error::ServiceError::Invalid(errors)) => Ok(render(
            &ctx,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &setup_page(&ctx, &actor, &secret, f.secret_token.clone(), Some(&errors)),
        )),
        Err(e) => Err(HtmlError::from_service(&ctx, e)),
    }
}

pub async fn api_docs(State(state): State<AppState>, ctx: Ctx) -> Response {
    let spec = crate::api::openapi::document();
    let mut operations = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            if let Some(ops) = item.as_object() {
                for (method, op) in ops {
                    let summary = op
                        .get("summary")
                        .and_then(|s| s.as_str())
                        .unwrap_or_default()
                        .to_owned();
                    operations.push((method.to_uppercase(), path.clone(), summary));
                }
            }
        }
    }
    render(
        &ctx,
        &state,
        StatusCode::OK,
        &ApiDocsPage {
            ctx: ctx.page(),
            operations,
        },
    )
}
