//! The CPV lookup.

use super::{err, page};
use crate::AppState;
use crate::html::form::Fields;
use crate::html::form_fields::text;
use crate::html::{HtmlError, SignedIn, render};
use crate::services::ecosystem::{self as svc};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_templates::ecosystem::{Cell, Table};
use elkarlan_templates::t;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CpvQuery {
    q: String,
}

pub async fn cpv_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<CpvQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let found = svc::cpv_lookup(&state, &actor, &ctx.meta, &q.q)
        .await
        .map_err(err(&ctx))?;
    let mut p = page(ctx.page(), t(lang, "eco-cpv-title"), "/organisations");
    p.intro = t(lang, "eco-cpv-intro");
    p.filter_action = "/cpv".into();
    p.filters = vec![text(
        lang,
        "q",
        "eco-filter-cpv",
        "eco-filter-cpv-hint",
        &Fields::from_pairs(vec![("q".into(), q.q.clone())]),
    )];
    p.tables.push(Table {
        id: "cpv-codes",
        title: String::new(),
        headers: vec![t(lang, "eco-col-cpv"), t(lang, "eco-col-label")],
        rows: found
            .iter()
            .map(|c| vec![Cell::text(c.code()), Cell::text(c.label(lang))])
            .collect(),
        empty: if q.q.trim().is_empty() {
            String::new()
        } else {
            t(lang, "eco-none")
        },
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}
