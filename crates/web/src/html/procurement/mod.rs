//! Pages for responsible procurement: the contracts list with the year's reserved share, a
//! contract with its lots, clauses and matching entities, the award form (with its warning for
//! reserved awards not covered by the awardee's registers), a clause with its commitments,
//! checks and matching, the yearly target, the OCDS import, the exports and the ecosystem's
//! figures. Handlers only translate between forms and `services::procurement`.
//! One file per part; this one holds the routes and what the parts share.

mod clauses;
mod contracts;
mod exchange;
mod figures;
mod lots;

use super::HtmlError;
use super::form::Fields;
use super::form_fields::option;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::procurement::{self as svc};
use axum::routing::{get, post};
use chrono::Datelike;
use elkarlan_domain::Lang;
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::procurement::format_permille;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::policy::Actor;
use elkarlan_service::models::contracts::{Candidate, ReservedShare};
use elkarlan_templates::procurement::Cell;
use elkarlan_templates::{FormField, FormPage, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/contracts", get(contracts::contracts_page))
        .add("GET", "/contracts/new", get(contracts::contract_new_page))
        .add(
            "POST",
            "/contracts/new",
            post(contracts::contract_new_submit),
        )
        .add("GET", "/contracts/import", get(exchange::import_page))
        .add("POST", "/contracts/import", post(exchange::import_submit))
        .add(
            "GET",
            "/contracts/{contract}",
            get(contracts::contract_page),
        )
        .add(
            "GET",
            "/contracts/{contract}/edit",
            get(contracts::contract_edit_page),
        )
        .add(
            "POST",
            "/contracts/{contract}/edit",
            post(contracts::contract_edit_submit),
        )
        .add(
            "GET",
            "/contracts/{contract}/lots/new",
            get(lots::lot_new_page),
        )
        .add(
            "POST",
            "/contracts/{contract}/lots/new",
            post(lots::lot_new_submit),
        )
        .add(
            "GET",
            "/contracts/{contract}/clauses/new",
            get(clauses::clause_new_page),
        )
        .add(
            "POST",
            "/contracts/{contract}/clauses/new",
            post(clauses::clause_new_submit),
        )
        .add("GET", "/contracts/{contract}/award", get(lots::award_page))
        .add(
            "POST",
            "/contracts/{contract}/award",
            post(lots::award_submit),
        )
        .add("GET", "/clauses/{clause}", get(clauses::clause_page))
        .add(
            "GET",
            "/clauses/{clause}/checks/new",
            get(clauses::check_new_page),
        )
        .add(
            "POST",
            "/clauses/{clause}/checks/new",
            post(clauses::check_new_submit),
        )
        .add(
            "GET",
            "/clauses/{clause}/commitments/new",
            get(clauses::commitment_new_page),
        )
        .add(
            "POST",
            "/clauses/{clause}/commitments/new",
            post(clauses::commitment_new_submit),
        )
        .add("GET", "/procurement/targets", get(figures::targets_page))
        .add(
            "POST",
            "/procurement/targets",
            post(figures::targets_submit),
        )
        .add("GET", "/ecosystem/figures", get(figures::figures_page))
        .add(
            "GET",
            "/exports/contracts.ocds.json",
            get(exchange::export_ocds),
        )
        .add(
            "GET",
            "/exports/contracts/{format}",
            get(exchange::export_table),
        )
}

const NOTICES: [&str; 7] = [
    "contract-saved",
    "lot-saved",
    "clause-saved",
    "award-saved",
    "check-saved",
    "commitment-saved",
    "target-saved",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("proc-notice-{key}")));
    }
    page
}

/// A management form is shown only to who may manage: a refusal is audited as any other.
async fn may_manage(state: &crate::AppState, ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    crate::services::authorize_form(
        state,
        actor,
        elkarlan_domain::policy::Action::ManageProcurement,
        &ctx.meta,
    )
    .await
    .map_err(|e| HtmlError::from_service(ctx, e))
}

fn euros(lang: Lang, cents: i64) -> String {
    t_args(lang, "proc-euros", &[("amount", &format_euros(cents))])
}

fn opt_euros(lang: Lang, cents: Option<i64>) -> String {
    cents.map(|c| euros(lang, c)).unwrap_or_default()
}

fn codes<T: Copy>(
    lang: Lang,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> String,
    chosen: &str,
    empty: Option<&str>,
) -> Vec<SelectOption> {
    let mut out = Vec::new();
    if let Some(k) = empty {
        out.push(option("", t(lang, k), chosen));
    }
    out.extend(
        all.iter()
            .map(|x| option(code(*x), t(lang, &key(*x)), chosen)),
    );
    out
}

fn date_field(lang: Lang, id: &str, legend: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(lang, legend),
        hint: t(lang, "proc-date-hint"),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

#[allow(clippy::too_many_arguments)] // every part of a form page, named at the call site
fn form(
    page: PageCtx,
    lang: Lang,
    title: &str,
    caption: String,
    intro: String,
    back: String,
    action: String,
    form_id: &'static str,
    hidden: Vec<(String, String)>,
    fields: Vec<FormField>,
) -> FormPage {
    FormPage {
        ctx: page,
        title: t(lang, title),
        caption,
        intro,
        back,
        action,
        form_id,
        hidden,
        fields,
        submit_id: "submit",
        submit: t(lang, "proc-save"),
    }
}

fn cpv_text(code: &str) -> String {
    Cpv::parse(code).map_or_else(
        |_| code.to_owned(),
        |c| format!("{code} {}", c.label(Lang::En)),
    )
}

fn share_text(lang: Lang, s: &ReservedShare) -> String {
    match s.permille {
        Some(p) => t_args(
            lang,
            "proc-share-value",
            &[
                ("share", &format_permille(p)),
                ("reserved", &format_euros(s.reserved_cents)),
                ("total", &format_euros(s.total_cents)),
            ],
        ),
        None => t(lang, "proc-share-none"),
    }
}

fn target_text(lang: Lang, s: &ReservedShare) -> String {
    s.target_permille
        .map_or_else(|| t(lang, "proc-target-none"), format_permille)
}

fn share_facts(lang: Lang, s: &ReservedShare) -> Vec<(String, String)> {
    let year = s.year.to_string();
    vec![
        (
            t_args(lang, "proc-share-label", &[("year", &year)]),
            share_text(lang, s),
        ),
        (
            t_args(lang, "proc-target-label", &[("year", &year)]),
            target_text(lang, s),
        ),
    ]
}

fn share_warning(lang: Lang, s: &ReservedShare) -> Option<String> {
    (s.meets_target() == Some(false)).then(|| {
        t_args(
            lang,
            "proc-share-below-target",
            &[("year", &s.year.to_string())],
        )
    })
}

fn candidate_rows(lang: Lang, list: &[Candidate]) -> Vec<Vec<Cell>> {
    list.iter()
        .map(|c| {
            vec![
                Cell::text(c.name.clone()),
                Cell::text(t(lang, &c.legal_form.label_key())),
                Cell::text(c.activities.join(", ")),
                Cell::text(c.register_number.clone().unwrap_or_default()),
            ]
        })
        .collect()
}

fn candidate_headers(lang: Lang) -> Vec<String> {
    [
        "proc-col-organisation",
        "proc-col-legal-form",
        "proc-col-activities",
        "proc-col-register",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

fn year_options(lang: Lang, chosen: &str, with_all: bool) -> Vec<SelectOption> {
    let now = svc::today().year();
    let mut out = Vec::new();
    if with_all {
        out.push(option("", t(lang, "proc-filter-all"), chosen));
    }
    out.extend((now - 4..=now + 1).rev().map(|y| {
        let v = y.to_string();
        option(&v, v.clone(), chosen)
    }));
    out
}
