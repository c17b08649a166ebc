//! Pages of the ecosystem: the directory of organisations (list with filters, a record with its
//! contacts, registers, relations, register entries, reserved-contract eligibility and social
//! audit figures), the pole's activities and the entrepreneurship projects, a CPV lookup, and the
//! directory's downloads (CSV/XLSX and Open Referral HSDS JSON). Handlers only translate between
//! forms and `services::ecosystem`.
//! One file per part; this one holds the routes and what the parts share.

mod cpv;
mod downloads;
mod organisations;
mod pole;
mod profiles;
mod relations;
mod ventures;

use super::HtmlError;
use super::form::{Fields, field_errors, place_errors};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::labels::area_name;
use crate::routes::RouteBook;
use axum::http::StatusCode;
use axum::routing::{get, post};
use elkarlan_domain::ecosystem::codes::LegalForm;
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::eligibility::ReservedEligibility;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_service::models::territory::Area;
use elkarlan_templates::ecosystem::EcoPage;
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/organisations", get(organisations::list_page))
        .add("GET", "/organisations/new", get(organisations::new_page))
        .add(
            "POST",
            "/organisations/new",
            post(organisations::new_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}",
            get(organisations::organisation_page),
        )
        .add(
            "GET",
            "/organisations/{organisation}/edit",
            get(organisations::edit_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/edit",
            post(organisations::edit_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/relations/new",
            get(relations::relation_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/relations/new",
            post(relations::relation_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/qualifications/new",
            get(relations::qualification_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/qualifications/new",
            post(relations::qualification_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/profiles/{year}",
            get(profiles::profile_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/profiles/{year}",
            post(profiles::profile_submit),
        )
        .add("GET", "/pole/activities", get(pole::activities_page))
        .add("GET", "/pole/activities/new", get(pole::activity_new_page))
        .add(
            "POST",
            "/pole/activities/new",
            post(pole::activity_new_submit),
        )
        .add(
            "GET",
            "/pole/activities/{activity}",
            get(pole::activity_page),
        )
        .add("GET", "/pole/ventures", get(ventures::ventures_page))
        .add("GET", "/pole/ventures/new", get(ventures::venture_new_page))
        .add(
            "POST",
            "/pole/ventures/new",
            post(ventures::venture_new_submit),
        )
        .add(
            "GET",
            "/pole/ventures/{venture}",
            get(ventures::venture_page),
        )
        .add(
            "GET",
            "/pole/ventures/{venture}/stage",
            get(ventures::stage_page),
        )
        .add(
            "POST",
            "/pole/ventures/{venture}/stage",
            post(ventures::stage_submit),
        )
        .add(
            "GET",
            "/pole/ventures/{venture}/support",
            get(ventures::support_page),
        )
        .add(
            "POST",
            "/pole/ventures/{venture}/support",
            post(ventures::support_submit),
        )
        .add("GET", "/cpv", get(cpv::cpv_page))
        .add(
            "GET",
            "/exports/organisations/{format}",
            get(downloads::export_organisations),
        )
        .add("GET", "/exports/hsds.json", get(downloads::export_hsds))
}

const NOTICES: [&str; 8] = [
    "organisation-saved",
    "relation-added",
    "qualification-added",
    "profile-saved",
    "activity-saved",
    "venture-saved",
    "stage-moved",
    "support-added",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("eco-notice-{key}")));
    }
    page
}

fn err(ctx: &Ctx) -> impl Fn(ServiceError) -> HtmlError + '_ {
    move |e| HtmlError::from_service(ctx, e)
}

/// A management form is shown only to who may manage: a refusal is audited as any other.
async fn may_manage(state: &AppState, ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    crate::services::authorize_form(state, actor, Action::ManageEcosystem, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))
}

fn option(value: &str, label: String, selected: &str) -> SelectOption {
    SelectOption {
        value: value.to_owned(),
        label,
        selected: value == selected,
    }
}

fn code_options<T: Copy>(
    lang: Lang,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
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

fn checkbox(lang: Lang, id: &str, label_key: &str, f: &Fields) -> FormField {
    FormField::Choices {
        id: id.to_owned(),
        kind: "checkbox",
        group: "checkboxes",
        legend: t(lang, label_key),
        hint: String::new(),
        options: vec![Choice {
            value: "yes".into(),
            label: t(lang, "eco-yes"),
            checked: f.get(id) == "yes",
            hint: String::new(),
        }],
    }
}

fn date_field(lang: Lang, id: &str, legend_key: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(lang, legend_key),
        hint: t(lang, "eco-date-hint"),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

/// The field errors of a refused form and the status to answer with.
fn form_errors(
    ctx: &Ctx,
    e: ServiceError,
    stale_field: &str,
    dates: &[&str],
) -> Result<(FieldErrors, StatusCode), HtmlError> {
    match e {
        ServiceError::Stale => {
            let mut errors = FieldErrors::new();
            errors.add(stale_field, "error-record-changed");
            Ok((errors, StatusCode::CONFLICT))
        }
        other => Ok((
            place_errors(field_errors(ctx, other)?, dates, &[], ""),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    }
}

#[allow(clippy::too_many_arguments)] // every part of a form page, named at the call site
fn form(
    page: PageCtx,
    lang: Lang,
    title: String,
    caption: String,
    back: String,
    action: String,
    form_id: &'static str,
    hidden: Vec<(String, String)>,
    fields: Vec<FormField>,
) -> FormPage {
    FormPage {
        ctx: page,
        title,
        caption,
        intro: String::new(),
        back,
        action,
        form_id,
        hidden,
        fields,
        submit_id: "submit",
        submit: t(lang, "eco-save"),
    }
}

async fn neighbourhoods(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<Area>, HtmlError> {
    Ok(crate::services::reference::areas(state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?
        .into_iter()
        .filter(|a| a.kind == "neighbourhood")
        .collect())
}

fn area_options(lang: Lang, areas: &[Area], chosen: &str, empty_key: &str) -> Vec<SelectOption> {
    let mut out = vec![option("", t(lang, empty_key), chosen)];
    out.extend(
        areas
            .iter()
            .map(|a| option(&a.id.to_string(), area_name(lang, a), chosen)),
    );
    out
}

fn area_of(lang: Lang, areas: &[Area], id: Option<elkarlan_domain::AreaId>) -> String {
    id.and_then(|id| areas.iter().find(|a| a.id == id))
        .map(|a| area_name(lang, a))
        .unwrap_or_default()
}

/// The legal form as the organisation words it, or the form's label.
fn form_label(lang: Lang, form: LegalForm, label: &Option<String>) -> String {
    label.clone().unwrap_or_else(|| t(lang, &form.label_key()))
}

fn cpv_text(lang: Lang, c: Cpv) -> String {
    format!("{} {}", c.code(), c.label(lang))
}

fn eligibility_text(lang: Lang, e: &Option<ReservedEligibility>) -> String {
    match e {
        None => t(lang, "eco-eligible-no"),
        Some(e) => {
            let register = t(lang, &e.kind.label_key());
            match e.until {
                Some(u) => t_args(
                    lang,
                    "eco-eligible-until",
                    &[
                        ("register", &register),
                        ("number", &e.register_number),
                        ("until", &u.to_string()),
                    ],
                ),
                None => t_args(
                    lang,
                    "eco-eligible-open",
                    &[("register", &register), ("number", &e.register_number)],
                ),
            }
        }
    }
}

fn yes_no(lang: Lang, v: bool) -> String {
    t(lang, if v { "eco-yes" } else { "eco-no" })
}

fn euros(lang: Lang, cents: i64) -> String {
    t_args(lang, "eco-euros", &[("amount", &format_euros(cents))])
}

fn page(ctx: PageCtx, title: String, back: &str) -> EcoPage {
    EcoPage {
        ctx,
        title,
        caption: String::new(),
        back: back.to_owned(),
        intro: String::new(),
        links: Vec::new(),
        filters: Vec::new(),
        filter_action: String::new(),
        highlight: String::new(),
        facts: Vec::new(),
        tables: Vec::new(),
        downloads: Vec::new(),
    }
}
