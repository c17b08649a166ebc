//! The public neighbourhood pages (anyone, no sign-in): published periods only, never computed.

use super::areas::{neighbourhood, neighbourhood_list};
use super::blocks::{Frame, Loaded, dashboard, load};
use super::{DashQuery, NEIGHBOURHOOD_BREAKDOWNS, choose, plans, today};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::HtmlError;
use crate::html::labels::area_name;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::indicators::results::{Scope, standard_periods};
use elkarlan_domain::{Lang, Timestamp};
use elkarlan_templates::dashboards::ProjectCard;
use elkarlan_templates::{PageCtx, t, t_args};

/// The page context of a public page: no session, no navigation, no form token; the language
/// from `?lang=` when given, and the language links keep the rest of the query.
fn public_page_ctx(ctx: &Ctx, q: &DashQuery) -> PageCtx {
    let lang = Lang::parse(q.lang.trim()).unwrap_or(ctx.lang);
    let query = q.encoded();
    PageCtx {
        lang,
        path: if query.is_empty() {
            ctx.path.clone()
        } else {
            format!("{}?{query}", ctx.path)
        },
        ..PageCtx::default()
    }
}

fn public_response(status: StatusCode, body: String, last_modified: Option<Timestamp>) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if status == StatusCode::OK {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    if let Some(at) = last_modified {
        let http = at
            .to_datetime()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        if let Ok(v) = HeaderValue::from_str(&http) {
            h.insert(header::LAST_MODIFIED, v);
        }
    }
    res
}

/// Whether the request's `If-Modified-Since` is at or after `at` (to the second).
fn not_modified_since(headers: &axum::http::HeaderMap, at: Timestamp) -> bool {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| at.to_datetime().timestamp() <= since.timestamp())
}

fn body(t: &impl elkarlan_templates::Template) -> String {
    t.render().unwrap_or_else(|e| {
        let r = crate::error::log_internal(&e);
        format!("<!DOCTYPE html><html lang=\"en\"><head><title>Error</title></head><body><main><h1>Error</h1><p>Reference {r}</p></main></body></html>")
    })
}

fn public_error(page: PageCtx, status: StatusCode) -> HtmlError {
    HtmlError::new(page, status)
}

pub async fn public_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    let page = public_page_ctx(&ctx, &q);
    let Some(tenant) = ctx.tenant else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let areas = crate::services::reference::areas(&state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(page.clone(), &e))?;
    let list = neighbourhood_list(page, &areas, "/public/neighbourhoods", true);
    Ok(public_response(StatusCode::OK, body(&list), None))
}

pub async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(mut q): Query<DashQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, HtmlError> {
    // Public pages offer the standard periods only: custom dates are not read.
    q.start.clear();
    q.end.clear();
    let page = public_page_ctx(&ctx, &q);
    let lang = page.lang;
    let Some(tenant) = ctx.tenant else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let areas = crate::services::reference::areas(&state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(page.clone(), &e))?;
    let Some(area) = neighbourhood(&areas, &code) else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let name = area_name(lang, area);
    let projects: Vec<ProjectCard> =
        crate::services::projects::public_in_neighbourhood(&state, tenant, area.id)
            .await
            .map_err(|e| HtmlError::from_store(page.clone(), &e))?
            .into_iter()
            .map(|p| ProjectCard {
                name: p.name(lang).to_owned(),
                status: t(lang, &p.status.label_key()),
                objectives: p.objectives.clone(),
            })
            .collect();
    let frame = Frame {
        title: t_args(lang, "dash-public-title", &[("name", &name)]),
        intro: t(lang, "dash-public-intro"),
        back: "/public/neighbourhoods".into(),
        related: Vec::new(),
        action: format!("/public/neighbourhoods/{}", area.code),
        exports: None,
        allowed: NEIGHBOURHOOD_BREAKDOWNS.to_vec(),
        public: true,
    };
    let scope = Scope::Neighbourhood(area.code.clone());
    let (status, page, loaded) = match choose(&q, &frame.allowed) {
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page.with_errors(&errors),
            None,
        ),
        Ok((period, by)) => {
            let loaded = if standard_periods(today(), &plans()).contains(&period) {
                load(&state, tenant, period, &scope, by, false)
                    .await
                    .map_err(|e| HtmlError::from_store(page.clone(), &e))?
            } else {
                Loaded {
                    period,
                    by,
                    results: Vec::new(),
                    computed_at: None,
                }
            };
            (StatusCode::OK, page, Some(loaded))
        }
    };
    let last_modified = loaded.as_ref().and_then(|l| l.computed_at);
    if status == StatusCode::OK
        && let Some(at) = last_modified
        && not_modified_since(&headers, at)
    {
        let mut res = public_response(StatusCode::NOT_MODIFIED, String::new(), Some(at));
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        res.headers_mut().remove(header::CONTENT_TYPE);
        return Ok(res);
    }
    let mut view = dashboard(page, frame, &q, &[], loaded.as_ref(), &areas, false);
    view.projects = projects;
    view.show_projects = true;
    Ok(public_response(status, body(&view), last_modified))
}
