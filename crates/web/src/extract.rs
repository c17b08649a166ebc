//! Per-request context: language, tenant, session, CSRF token, request metadata.

use crate::AppState;
use crate::auth;
use crate::error::StoreError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{Lang, TenantId};
use elkarlan_service::models::audit::RequestMeta;
use elkarlan_service::models::sessions::Session;
use elkarlan_templates::{NavItem, PageCtx};
use std::net::SocketAddr;

pub const LANG_COOKIE: &str = "elkarlan-lang";

/// Reads one cookie from the request headers.
/// The request's `Host` header, when it is readable text.
pub fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// Everything a handler needs to know about who is asking and in which language.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub tenant: Option<TenantId>,
    pub session: Option<Session>,
    /// The CSRF token forms must carry: the session's, or the anonymous cookie's.
    pub csrf: String,
    /// True when the anonymous CSRF cookie must be (re)set on the response.
    pub set_csrf_cookie: bool,
    pub meta: RequestMeta,
    pub path: String,
}

impl Ctx {
    pub fn actor(&self) -> Option<Actor> {
        self.session
            .as_ref()
            .filter(|s| s.mfa_passed)
            .map(|s| s.user.actor())
    }

    /// The page context for templates, with navigation for the signed-in person's role.
    pub fn page(&self) -> PageCtx {
        let signed_in = self.session.as_ref().filter(|s| s.mfa_passed);
        let nav = signed_in
            .map(|s| nav_for(&s.user.actor(), &self.path))
            .unwrap_or_default();
        PageCtx {
            lang: self.lang,
            path: self.path.clone(),
            csrf: self.csrf.clone(),
            user_name: self.session.as_ref().map(|s| s.user.display_name.clone()),
            nav,
            errors: Vec::new(),
            notice: None,
        }
    }
}

/// The navigation a role sees: each item is shown only when the policy allows its action.
pub fn nav_for(actor: &Actor, path: &str) -> Vec<NavItem> {
    const ITEMS: [(&str, &str, Action); 21] = [
        ("/home", "nav-home", Action::ViewHome),
        ("/cases", "nav-cases", Action::SearchPeople),
        ("/people", "nav-people", Action::SearchPeople),
        ("/referrals", "nav-referrals", Action::ViewReferralInbox),
        ("/programmes", "nav-programmes", Action::ViewProgrammes),
        ("/follow-ups", "nav-follow-ups", Action::ViewDueFollowUps),
        ("/organisations", "nav-organisations", Action::ViewEcosystem),
        ("/agreements", "nav-agreements", Action::ViewEcosystem),
        ("/contracts", "nav-contracts", Action::ViewEcosystem),
        ("/projects", "nav-projects", Action::ViewPortfolio),
        ("/indicators", "nav-indicators", Action::ViewPortfolio),
        ("/dashboards/city", "nav-dashboards", Action::ViewPortfolio),
        (
            "/ecosystem/figures",
            "nav-ecosystem-figures",
            Action::ViewEcosystemAggregates,
        ),
        (
            "/dpo/break-glass",
            "nav-break-glass",
            Action::ReviewBreakGlass,
        ),
        (
            "/subject-access-requests",
            "nav-sar",
            Action::ManageSubjectAccessRequests,
        ),
        ("/admin/users", "nav-users", Action::ListUsers),
        ("/admin/agencies", "nav-agencies", Action::ListAgencies),
        (
            "/admin/instruments",
            "nav-instruments",
            Action::ManageInstruments,
        ),
        ("/audit", "nav-audit", Action::ViewAuditTrail),
        ("/dpo/retention", "nav-retention", Action::ManageRetention),
        ("/api/docs", "nav-api-docs", Action::ViewHome),
    ];
    let mut items: Vec<NavItem> = ITEMS
        .iter()
        .filter(|(_, _, a)| crate::services::permits(actor, *a))
        .map(|(href, key, _)| NavItem {
            href,
            label_key: key,
            current: path == *href || path.starts_with(&format!("{href}/")),
        })
        .collect();
    items.push(NavItem {
        href: "/account",
        label_key: "nav-account",
        current: path.starts_with("/account"),
    });
    items
}

/// The tenant served for this Host header.
pub async fn tenant_for(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<TenantId>, StoreError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let ine = state
        .config
        .tenant_hosts
        .get(host)
        .unwrap_or(&state.config.default_tenant);
    crate::services::reference::tenant_by_ine_code(state, ine).await
}

/// The request id and the client's address (see `WebConfig::client_addr` for proxies).
pub fn request_meta(parts: &Parts, config: &crate::config::WebConfig) -> RequestMeta {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded: Vec<&str> = if config.trusted_proxies.is_empty() {
        Vec::new()
    } else {
        parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    };
    let ip = config
        .client_addr(peer, &forwarded)
        .map(|ip| ip.to_string());
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    RequestMeta {
        request_id,
        ip,
        path_record: path_record(parts.uri.path()),
    }
}

/// The record of a person a path names (`/people/{id}`, `/api/v1/cases/{id}/...`,
/// `/exports/...`, `/subject-access-requests/{id}/...`): what a refusal of the request is about, whichever handler refuses it.
pub fn path_record(path: &str) -> Option<(&'static str, uuid::Uuid)> {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let rest = rest.strip_prefix("/exports").unwrap_or(rest);
    let mut segments = rest.trim_start_matches('/').split('/');
    let entity = match segments.next()? {
        "people" => "person",
        "cases" => "case",
        "referrals" => "referral",
        "itineraries" => "itinerary",
        "placements" => "placement",
        "enrolments" => "enrolment",
        "subject-access-requests" => "subject_access_request",
        _ => return None,
    };
    let id = uuid::Uuid::parse_str(segments.next()?).ok()?;
    Some((entity, id))
}

/// The language: the signed-in person's preference, else the cookie, else Accept-Language, else Basque.
pub fn resolve_lang(headers: &HeaderMap, session: Option<&Session>) -> Lang {
    session
        .and_then(|s| s.user.preferred_lang)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = crate::html::HtmlError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let headers = &parts.headers;
        let session = match cookie(headers, state.config.session_cookie()) {
            Some(token) => crate::services::sessions::find(state, &auth::token_hash(token))
                .await
                .map_err(|e| crate::html::HtmlError::store(resolve_lang(headers, None), &e))?,
            None => None,
        };
        let lang = resolve_lang(headers, session.as_ref());
        let tenant = match &session {
            Some(s) => Some(s.user.tenant),
            None => tenant_for(state, headers)
                .await
                .map_err(|e| crate::html::HtmlError::store(lang, &e))?,
        };
        let anon = cookie(headers, state.config.csrf_cookie())
            .filter(|v| v.len() >= 32)
            .map(str::to_owned);
        let (csrf, set_csrf_cookie) = match (&session, anon) {
            (Some(s), _) => (s.csrf_token.clone(), false),
            (None, Some(c)) => (c, false),
            (None, None) => (auth::new_token(), true),
        };
        let ctx = Ctx {
            lang,
            tenant,
            session,
            csrf,
            set_csrf_cookie,
            meta: request_meta(parts, &state.config),
            path: parts.uri.path().to_owned(),
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}
