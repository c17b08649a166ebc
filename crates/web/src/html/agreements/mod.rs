//! Pages for agreements with private actors and public agents, and their commitments; the
//! agreements and commitments exports. Coordinators only. Handlers only translate between
//! forms and `services::agreements`.
//! One file per part; this one holds the routes and what the parts share.

mod commitments;
mod editing;
mod exports;
mod lifecycle;
mod list;
mod record;

use crate::extract::Ctx;
use crate::routes::RouteBook;
use axum::routing::{get, post};
use elkarlan_domain::Lang;
use elkarlan_service::models::agreements::Agreement;
use elkarlan_templates::{PageCtx, t};
use serde::Deserialize;

/// Party rows on the agreement form.
const PARTY_ROWS: usize = 4;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/agreements", get(list::list_page))
        .add("GET", "/agreements/new", get(editing::new_page))
        .add("POST", "/agreements/new", post(editing::new_submit))
        .add(
            "GET",
            "/agreements/{agreement}",
            get(record::agreement_page),
        )
        .add(
            "GET",
            "/agreements/{agreement}/edit",
            get(editing::edit_page),
        )
        .add(
            "POST",
            "/agreements/{agreement}/edit",
            post(editing::edit_submit),
        )
        .add(
            "POST",
            "/agreements/{agreement}/status",
            post(lifecycle::status_submit),
        )
        .add(
            "POST",
            "/agreements/{agreement}/renew",
            post(lifecycle::renew_submit),
        )
        .add(
            "GET",
            "/agreements/{agreement}/documents/new",
            get(lifecycle::document_page),
        )
        .add(
            "POST",
            "/agreements/{agreement}/documents/new",
            post(lifecycle::document_submit),
        )
        .add(
            "GET",
            "/agreements/{agreement}/commitments/new",
            get(commitments::commitment_new_page),
        )
        .add(
            "POST",
            "/agreements/{agreement}/commitments/new",
            post(commitments::commitment_new_submit),
        )
        .add(
            "GET",
            "/commitments/{commitment}",
            get(commitments::commitment_page),
        )
        .add(
            "POST",
            "/commitments/{commitment}",
            post(commitments::commitment_submit),
        )
        .add(
            "GET",
            "/exports/agreements.csv",
            get(exports::export_agreements_csv),
        )
        .add(
            "GET",
            "/exports/agreements.xlsx",
            get(exports::export_agreements_xlsx),
        )
        .add(
            "GET",
            "/exports/commitments.csv",
            get(exports::export_commitments_csv),
        )
        .add(
            "GET",
            "/exports/commitments.xlsx",
            get(exports::export_commitments_xlsx),
        )
}

/// Success messages chosen by the redirect: only these keys are shown.
const NOTICES: [&str; 5] = [
    "agreement-saved",
    "agreement-moved",
    "agreement-renewed",
    "document-saved",
    "commitment-saved",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("notice-{key}")));
    }
    page
}

fn title_of(lang: Lang, a: &Agreement) -> String {
    a.title(lang).to_owned()
}

fn parties_text(lang: Lang, a: &Agreement) -> String {
    a.parties
        .iter()
        .map(|p| format!("{} ({})", p.name, t(lang, &p.role.label_key())))
        .collect::<Vec<_>>()
        .join(", ")
}
