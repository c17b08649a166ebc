//! Pages for neighbourhood employment plans and training itineraries, one file per part:
//! programmes with their eligibility rules, itinerary templates and training actions; a
//! course's roster, attendance and the closing of an enrolment; a person's employment file and
//! its forms (profile, itineraries and steps, enrolments, placements linked to the directory's
//! organisations and social clauses, follow-ups); and the follow-ups due. The employment
//! exports and the referral import are pages of their own (`employment_exports`,
//! `referral_import`).
//!
//! Handlers translate between forms and `services::employment`, which decides, writes and
//! audits. They read the store directly for two things only: the choices a form offers
//! (itinerary templates, courses, organisations, social clauses, neighbourhoods), and, for an
//! enrolment, itinerary or placement named in the path, the course or person it belongs to, so
//! that the service is asked about that course or person. This file holds the routes and what
//! several parts share.

mod enrolments;
mod file;
mod follow_ups;
mod itineraries;
mod placements;
mod profile;
mod programmes;
mod roster;
mod templates;
mod training_actions;

use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{Fields, service_err};
use crate::html::form_fields::{code_options, option};
use crate::html::labels::agency_name;
use crate::html::{HtmlError, see_other};
use crate::routes::RouteBook;
use crate::services::employment as svc;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::employment::codes::StepKind;
use elkarlan_domain::employment::esco;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, PersonId};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::programmes::TrainingAction;
use elkarlan_templates::{FormField, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

/// The employment pages' routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/programmes", get(programmes::programmes_page))
        .add(
            "GET",
            "/programmes/new",
            get(programmes::programme_new_page),
        )
        .add(
            "POST",
            "/programmes/new",
            post(programmes::programme_new_submit),
        )
        .add("GET", "/programmes/{id}", get(programmes::programme_page))
        .add(
            "GET",
            "/programmes/{id}/edit",
            get(programmes::programme_edit_page),
        )
        .add(
            "POST",
            "/programmes/{id}/edit",
            post(programmes::programme_edit_submit),
        )
        .add(
            "GET",
            "/programmes/{id}/templates/new",
            get(templates::template_new_page),
        )
        .add(
            "POST",
            "/programmes/{id}/templates/new",
            post(templates::template_new_submit),
        )
        .add(
            "GET",
            "/programmes/{id}/actions/new",
            get(training_actions::action_new_page),
        )
        .add(
            "POST",
            "/programmes/{id}/actions/new",
            post(training_actions::action_new_submit),
        )
        .add(
            "GET",
            "/training-actions/{id}",
            get(training_actions::action_page),
        )
        .add(
            "GET",
            "/training-actions/{id}/edit",
            get(training_actions::action_edit_page),
        )
        .add(
            "POST",
            "/training-actions/{id}/edit",
            post(training_actions::action_edit_submit),
        )
        .add(
            "GET",
            "/training-actions/{id}/roster",
            get(roster::roster_page),
        )
        .add(
            "POST",
            "/training-actions/{id}/attendance",
            post(roster::attendance_submit),
        )
        .add("GET", "/enrolments/{id}/close", get(roster::close_page))
        .add("POST", "/enrolments/{id}/close", post(roster::close_submit))
        .add("GET", "/people/{id}/employment", get(file::file_page))
        .add(
            "GET",
            "/people/{id}/employment/profile",
            get(profile::profile_page),
        )
        .add(
            "POST",
            "/people/{id}/employment/profile",
            post(profile::profile_submit),
        )
        .add(
            "GET",
            "/people/{id}/itineraries/new",
            get(itineraries::itinerary_new_page),
        )
        .add(
            "POST",
            "/people/{id}/itineraries/new",
            post(itineraries::itinerary_new_submit),
        )
        .add(
            "GET",
            "/itineraries/{id}/steps/new",
            get(itineraries::step_new_page),
        )
        .add(
            "POST",
            "/itineraries/{id}/steps/new",
            post(itineraries::step_new_submit),
        )
        .add(
            "POST",
            "/itineraries/{id}/steps/{step}",
            post(itineraries::step_update_submit),
        )
        .add(
            "GET",
            "/people/{id}/enrolments/new",
            get(enrolments::enrol_page),
        )
        .add(
            "POST",
            "/people/{id}/enrolments/new",
            post(enrolments::enrol_submit),
        )
        .add(
            "GET",
            "/people/{id}/placements/new",
            get(placements::placement_page),
        )
        .add(
            "POST",
            "/people/{id}/placements/new",
            post(placements::placement_submit),
        )
        .add(
            "GET",
            "/placements/{id}/follow-ups/{months}",
            get(follow_ups::follow_up_page),
        )
        .add(
            "POST",
            "/placements/{id}/follow-ups/{months}",
            post(follow_ups::follow_up_submit),
        )
        .add("GET", "/follow-ups", get(follow_ups::follow_ups_page))
}

/// Step boxes on the template and itinerary forms: the usual path has eight steps.
const TEMPLATE_STEPS: usize = 8;

/// The step boxes of a template or itinerary form, `step-1` to `step-8`, each offering every
/// kind of step; `first_hint` (a message key, or empty for none) is shown under the first.
fn step_fields(lang: Lang, f: &Fields, first_hint: &str) -> Vec<FormField> {
    (1..=TEMPLATE_STEPS)
        .map(|i| {
            let field = format!("step-{i}");
            FormField::Select {
                id: field.clone(),
                label: t_args(lang, "template-step", &[("n", &i.to_string())]),
                hint: if i == 1 && !first_hint.is_empty() {
                    t(lang, first_hint)
                } else {
                    String::new()
                },
                options: code_options(
                    lang,
                    StepKind::ALL,
                    StepKind::code,
                    StepKind::label_key,
                    &f.get(&field),
                    Some("emp-no-step"),
                ),
            }
        })
        .collect()
}

/// The steps chosen in those boxes, in order; empty boxes are left out.
fn chosen_steps(f: &Fields) -> Vec<String> {
    (1..=TEMPLATE_STEPS)
        .map(|i| f.get(&format!("step-{i}")))
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// The start and end dates of a programme, a training action or a placement: their errors go to
/// their day box.
const STARTS_AND_ENDS: [&str; 2] = ["starts_on", "ends_on"];

/// A success message chosen by the redirect: only these keys are shown.
const NOTICES: [&str; 11] = [
    "programme-saved",
    "template-saved",
    "action-saved",
    "attendance-saved",
    "enrolment-closed",
    "profile-saved",
    "itinerary-opened",
    "step-saved",
    "enrolled",
    "placement-recorded",
    "follow-up-recorded",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("emp-notice-{key}")));
    }
    page
}

fn dates(lang: Lang, from: &str, to: &str) -> String {
    t_args(lang, "emp-dates-range", &[("from", from), ("to", to)])
}

fn person_name(p: &elkarlan_service::models::people::Person) -> String {
    [
        Some(p.given_name.as_str()),
        Some(p.surname1.as_str()),
        p.surname2.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

fn action_title(lang: Lang, a: &TrainingAction) -> String {
    a.title(lang).to_owned()
}

fn occupation_label(lang: Lang, code: &str) -> String {
    esco::EscoOccupation::parse(code).map_or_else(
        |_| code.to_owned(),
        |o| format!("{} ({})", o.occupation().label(lang), o.code()),
    )
}

fn attendance(lang: Lang, present: i64, absent: i64, excused: i64) -> String {
    t_args(
        lang,
        "emp-attendance-counts",
        &[
            ("present", &present.to_string()),
            ("absent", &absent.to_string()),
            ("excused", &excused.to_string()),
        ],
    )
}

fn occupation_options(lang: Lang, chosen: &str) -> Vec<SelectOption> {
    let mut out = vec![option("", t(lang, "emp-choose"), chosen)];
    let mut list: Vec<_> = esco::with_local_labels()
        .map(|o| (o.label(lang).to_owned(), o.code))
        .collect();
    list.sort();
    out.extend(
        list.into_iter()
            .map(|(l, code)| option(code, format!("{l} ({code})"), chosen)),
    );
    out
}

fn template_name(lang: Lang, name: &str) -> String {
    if name == crate::services::employment::USUAL_TEMPLATE {
        t(lang, name)
    } else {
        name.to_owned()
    }
}

fn agency_options(lang: Lang, all: &[Agency], chosen: &str, empty: bool) -> Vec<SelectOption> {
    let mut out = Vec::new();
    if empty {
        out.push(option("", t(lang, "emp-choose"), chosen));
    }
    out.extend(
        all.iter()
            .filter(|a| a.active)
            .map(|a| option(&a.id.to_string(), agency_name(lang, a), chosen)),
    );
    out
}

fn follow_up_label(lang: Lang, months: i64) -> String {
    t_args(
        lang,
        "emp-follow-up-months",
        &[("months", &months.to_string())],
    )
}

fn back_to_file(id: PersonId) -> String {
    format!("/people/{id}/employment")
}

fn file_done(id: PersonId, notice: &str, anchor: &str) -> Response {
    see_other(&format!("/people/{id}/employment?notice={notice}#{anchor}"))
}

/// The person's file, read to check access before a form is shown (and for its caption).
async fn file_for_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
) -> Result<svc::EmploymentFile, HtmlError> {
    svc::file_for_form(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))
}
