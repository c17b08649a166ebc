//! The HTML adapter: pages and forms. POST handlers answer 303 on success and re-render the form
//! with an error summary on invalid input (status 422 so tests and tools see the failure).

pub mod admin;
pub mod agreements;
pub mod auth;
pub mod casework;
pub mod configuration;
pub mod dashboards;
pub mod ecosystem;
pub mod employment;
pub mod employment_exports;
mod form;
mod form_fields;
pub mod inclusion;
mod labels;
pub mod pages;
pub mod procurement;
pub mod projects;
pub mod referral_import;
pub mod reports;

use crate::AppState;
use crate::error::StoreError;
use crate::error::{ServiceError, log_internal};
use crate::extract::Ctx;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::Lang;
use elkarlan_domain::policy::Actor;
use elkarlan_templates::{ErrorPage, PageCtx, Template};

/// An error rendered as a full, translated page.
#[derive(Debug)]
pub struct HtmlError {
    pub status: StatusCode,
    pub page: Box<PageCtx>,
    pub title_key: &'static str,
    pub body_key: &'static str,
    pub reference: Option<String>,
    /// A way forward besides going home: (address, message key).
    pub link: Option<(String, &'static str)>,
    /// Seconds in `Retry-After` (503 only).
    pub retry_after: u32,
}

impl HtmlError {
    pub fn new(page: PageCtx, status: StatusCode) -> Self {
        let (title_key, body_key) = match status {
            StatusCode::FORBIDDEN => ("error-403-title", "error-403-body"),
            StatusCode::NOT_FOUND => ("error-404-title", "error-404-body"),
            StatusCode::SERVICE_UNAVAILABLE => ("error-503-title", "error-503-body"),
            StatusCode::UNPROCESSABLE_ENTITY => ("error-422-title", "error-422-body"),
            _ => ("error-500-title", "error-500-body"),
        };
        Self {
            status,
            page: Box::new(page),
            title_key,
            body_key,
            reference: None,
            link: None,
            retry_after: 5,
        }
    }

    /// A record not shown to a case professional: it may not exist, or they are not on its
    /// team. In an emergency they may ask for access, which is recorded and reviewed; the page
    /// is the same whether or not the record exists.
    pub fn with_emergency_route(mut self, actor: &Actor, href: String) -> Self {
        if self.status == StatusCode::NOT_FOUND && actor.role.is_case_professional() {
            self.body_key = "error-404-record-body";
            self.link = Some((href, "error-404-break-glass"));
        }
        self
    }

    pub fn csrf(page: PageCtx) -> Self {
        Self {
            title_key: "error-csrf-title",
            body_key: "error-csrf-body",
            ..Self::new(page, StatusCode::FORBIDDEN)
        }
    }

    /// A store failure before a page context exists.
    pub fn store(lang: Lang, e: &StoreError) -> Self {
        Self::from_store(
            PageCtx {
                lang,
                ..PageCtx::default()
            },
            e,
        )
    }

    pub fn from_store(page: PageCtx, e: &StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                Self::new(page, StatusCode::SERVICE_UNAVAILABLE)
            }
            StoreError::Storage(_) => {
                tracing::error!(error = %e, "the database cannot store more (disk full or read-only)");
                Self {
                    title_key: "error-storage-title",
                    body_key: "error-storage-body",
                    retry_after: crate::error::STORAGE_RETRY_AFTER,
                    ..Self::new(page, StatusCode::SERVICE_UNAVAILABLE)
                }
            }
            StoreError::NotFound => Self::new(page, StatusCode::NOT_FOUND),
            other => {
                let r = log_internal(other);
                Self {
                    reference: Some(r),
                    ..Self::new(page, StatusCode::INTERNAL_SERVER_ERROR)
                }
            }
        }
    }

    pub fn from_service(ctx: &Ctx, e: ServiceError) -> Self {
        let page = ctx.page();
        if let Some(s) = e.unavailable() {
            return Self::from_store(page, s);
        }
        match e {
            ServiceError::Forbidden(d) if d.conceal => Self::new(page, StatusCode::NOT_FOUND),
            ServiceError::Forbidden(_) => Self::new(page, StatusCode::FORBIDDEN),
            ServiceError::NotFound => Self::new(page, StatusCode::NOT_FOUND),
            ServiceError::Busy => Self {
                body_key: "error-imports-busy-body",
                retry_after: crate::error::IMPORTS_RETRY_AFTER,
                ..Self::new(page, StatusCode::SERVICE_UNAVAILABLE)
            },
            ServiceError::Store(s) => Self::from_store(page, &s),
            other => {
                let r = log_internal(&other);
                Self {
                    reference: Some(r),
                    ..Self::new(page, StatusCode::INTERNAL_SERVER_ERROR)
                }
            }
        }
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            ctx: *self.page,
            title_key: self.title_key,
            body_key: self.body_key,
            reference: self.reference,
            link: self.link,
        };
        let mut res = (self.status, html_body(&page)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
        }
        res
    }
}

fn html_body(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        let r = log_internal(&e);
        format!("<!DOCTYPE html><html lang=\"en\"><head><title>Error</title></head><body><main><h1>Error</h1><p>Reference {r}</p></main></body></html>")
    })
}

/// Renders a page with `status`, setting the anonymous CSRF cookie when the request had none.
pub fn render(ctx: &Ctx, state: &AppState, status: StatusCode, t: &impl Template) -> Response {
    let mut res = (status, html_body(t)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if ctx.set_csrf_cookie {
        let c = cookie_header(state, state.config.csrf_cookie(), &ctx.csrf, None);
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn cookie_header(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// 303 See Other, the answer to a successful form POST.
/// A location that is not a valid header value (a control character from input) goes to `/`
/// instead of failing the request.
pub fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A page context with the given form errors.
pub fn with_errors(ctx: &Ctx, errors: &elkarlan_domain::FieldErrors) -> PageCtx {
    ctx.page().with_errors(errors)
}

/// A fully signed-in person (password and, where needed, second factor). Anyone else is sent
/// to sign in.
pub struct SignedIn {
    pub ctx: Ctx,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match &ctx.session {
            Some(s) if s.mfa_passed => {
                let actor = s.user.actor();
                Ok(SignedIn { ctx, actor })
            }
            Some(s) if s.user.has_second_factor => Err(see_other("/login/totp")),
            Some(_) => Err(see_other("/account/totp")),
            None => Err(see_other("/login")),
        }
    }
}

/// The fallback for unknown paths: a translated 404 page.
pub async fn not_found(ctx: Ctx) -> HtmlError {
    HtmlError::new(ctx.page(), StatusCode::NOT_FOUND)
}
