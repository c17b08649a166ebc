//! Sign-in, second factor, sign-out, language switch.

use super::{HtmlError, cookie_header, render, see_other};
use crate::AppState;
use crate::extract::{Ctx, LANG_COOKIE};
use crate::html::form::CsrfForm;
use crate::routes::RouteBook;
use crate::services::signin::{self, SecondFactor, Verified};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_templates::{EnrolPage, LoginPage, TotpLoginPage};
use serde::Deserialize;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/login", get(login_page))
        .add("POST", "/login", post(login_submit))
        .add("GET", "/login/totp", get(totp_page))
        .add("POST", "/login/totp", post(totp_submit))
        .add("GET", "/enrol/{token}", get(enrol_form))
        .add("POST", "/enrol/{token}", post(enrol_submit))
        .add("POST", "/logout", post(logout))
        .add("POST", "/lang", post(set_language))
}

pub async fn login_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    if ctx.actor().is_some() {
        return see_other("/home");
    }
    render(
        &ctx,
        &state,
        StatusCode::OK,
        &LoginPage {
            ctx: ctx.page(),
            username: String::new(),
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn with_session_cookie(state: &AppState, mut res: Response, token: &str) -> Response {
    let c = cookie_header(state, state.config.session_cookie(), token, None);
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, HtmlError> {
    let mut errors = FieldErrors::new();
    if form.username.trim().is_empty() {
        errors.add("username", "error-username-required");
    }
    if form.password.is_empty() {
        errors.add("password", "error-password-required");
    }
    let failed = |ctx: &Ctx, errors: &FieldErrors, generic: bool| {
        let mut page = ctx.page().with_errors(errors);
        if generic {
            page = page.with_form_error("username", "login-failed");
        }
        render(
            ctx,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &LoginPage {
                ctx: page,
                username: form.username.trim().to_owned(),
            },
        )
    };
    if !errors.is_empty() {
        return Ok(failed(&ctx, &errors, false));
    }
    let Some(tenant) = ctx.tenant else {
        return Ok(failed(&ctx, &errors, true));
    };
    let verified = signin::verify(&state, tenant, &form.username, &form.password, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    match verified {
        Verified::No => Ok(failed(&ctx, &errors, true)),
        Verified::Yes {
            user,
            second_factor,
            ..
        } => {
            let passed = matches!(second_factor, SecondFactor::NotNeeded);
            let (token, _csrf) = signin::start_session(&state, &user, passed, &ctx.meta)
                .await
                .map_err(|e| HtmlError::from_service(&ctx, e))?;
            let next = match second_factor {
                SecondFactor::NotNeeded => "/home",
                SecondFactor::Ask => "/login/totp",
                SecondFactor::Enrol => "/account/totp",
            };
            Ok(with_session_cookie(&state, see_other(next), &token))
        }
    }
}

pub async fn totp_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    match &ctx.session {
        Some(s) if !s.mfa_passed && s.user.has_second_factor => render(
            &ctx,
            &state,
            StatusCode::OK,
            &TotpLoginPage { ctx: ctx.page() },
        ),
        Some(s) if s.mfa_passed => see_other("/home"),
        _ => see_other("/login"),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, HtmlError> {
    let Some(session) = ctx
        .session
        .clone()
        .filter(|s| !s.mfa_passed && s.user.has_second_factor)
    else {
        return Ok(see_other(if ctx.actor().is_some() {
            "/home"
        } else {
            "/login"
        }));
    };
    let creds =
        crate::services::sessions::credentials(&state, session.user.tenant, session.user.id)
            .await
            .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let secret = creds.totp_secret.as_deref().and_then(|s| {
        crate::auth::open(&state.config.secret_key.0, s, session.user.id.0.as_bytes())
    });
    let ok = signin::check_second_factor(
        &state,
        &session.user,
        secret.as_deref(),
        &form.code,
        &ctx.meta,
    )
    .await
    .map_err(|e| HtmlError::from_service(&ctx, e))?;
    if !ok {
        let mut errors = FieldErrors::new();
        errors.add(
            "code",
            if form.code.trim().is_empty() {
                "error-code-required"
            } else {
                "error-code-wrong"
            },
        );
        return Ok(render(
            &ctx,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &TotpLoginPage {
                ctx: ctx.page().with_errors(&errors),
            },
        ));
    }
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
    Ok(with_session_cookie(&state, see_other("/home"), &token))
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    _: CsrfForm,
) -> Result<Response, HtmlError> {
    if let Some(s) = &ctx.session {
        crate::services::sessions::end(&state, &s.token_hash, &s.user, &ctx.meta)
            .await
            .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    }
    let mut res = see_other("/login");
    let c = cookie_header(&state, state.config.session_cookie(), "", Some(0));
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Only paths of this site: never redirect to another one. Browsers drop tabs and newlines
/// and read `\` as `/` in a location (`/\t/host` becomes `//host`), so anything but visible
/// ASCII is refused, then the `//host` and `/\host` forms, and what is left must parse whole
/// as a path and query.
fn safe_next(next: &str) -> &str {
    let visible = next.bytes().all(|b| b.is_ascii_graphic());
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if visible
        && local
        && next
            .parse::<axum::http::uri::PathAndQuery>()
            .is_ok_and(|p| p.as_str() == next)
    {
        next
    } else {
        "/"
    }
}

pub async fn set_language(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<LangForm>,
) -> Result<Response, HtmlError> {
    let Some(lang) = Lang::parse(&form.lang) else {
        return Ok(see_other(safe_next(&form.next)));
    };
    if let Some(actor) = ctx.actor() {
        crate::services::account::set_language(&state, &actor, &ctx.meta, lang)
            .await
            .map_err(|e| HtmlError::from_service(&ctx, e))?;
    }
    let mut res = see_other(safe_next(&form.next));
    let c = format!(
        "{}; Max-Age=31536000",
        cookie_header(&state, LANG_COOKIE, lang.code(), None)
    );
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res.into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn language_switch_never_redirects_off_site() {
        assert_eq!(safe_next("/admin/users"), "/admin/users");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(safe_next("/cases?page=2"), "/cases?page=2");
        assert_eq!(safe_next("/cases#x"), "/");
        assert_eq!(safe_next(""), "/");
    }
}

/// The page an enrolment link opens. An unknown, expired, used or voided link gets the same page
/// (410) whatever the reason, so the page tells nothing about which links exist.
fn enrol_page(ctx: &Ctx, state: &AppState, status: StatusCode, page: &EnrolPage) -> Response {
    render(ctx, state, status, page)
}

fn enrol_invalid(ctx: &Ctx, state: &AppState) -> Response {
    enrol_page(
        ctx,
        state,
        StatusCode::GONE,
        &EnrolPage {
            ctx: ctx.page(),
            token: String::new(),
            username: String::new(),
            valid: false,
            done: false,
        },
    )
}

pub async fn enrol_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, HtmlError> {
    let Some(tenant) = ctx.tenant else {
        return Ok(enrol_invalid(&ctx, &state));
    };
    let user = crate::services::users::enrolment_account(&state, tenant, &token)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    Ok(match user {
        Some(u) => enrol_page(
            &ctx,
            &state,
            StatusCode::OK,
            &EnrolPage {
                ctx: ctx.page(),
                token,
                username: u.username,
                valid: true,
                done: false,
            },
        ),
        None => enrol_invalid(&ctx, &state),
    })
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<Response, HtmlError> {
    let Some(tenant) = ctx.tenant else {
        return Ok(enrol_invalid(&ctx, &state));
    };
    let result = crate::services::users::enrol(
        &state,
        tenant,
        &token,
        &form.new_password,
        &form.confirm_password,
        &ctx.meta,
    )
    .await;
    match result {
        Ok(crate::services::users::Enrolled::Done) => Ok(enrol_page(
            &ctx,
            &state,
            StatusCode::OK,
            &EnrolPage {
                ctx: ctx.page(),
                token: String::new(),
                username: String::new(),
                valid: false,
                done: true,
            },
        )),
        Ok(crate::services::users::Enrolled::LinkInvalid) => Ok(enrol_invalid(&ctx, &state)),
        Err(crate::error::ServiceError::Invalid(errors)) => {
            let username = crate::services::users::enrolment_account(&state, tenant, &token)
                .await
                .map_err(|e| HtmlError::from_service(&ctx, e))?
                .map(|u| u.username)
                .unwrap_or_default();
            Ok(enrol_page(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &EnrolPage {
                    ctx: ctx.page().with_errors(&errors),
                    token,
                    username,
                    valid: true,
                    done: false,
                },
            ))
        }
        Err(e) => Err(HtmlError::from_service(&ctx, e)),
    }
}
