//! Pages for neighbourhood employment plans and training itineraries: programmes and their
//! templates and training actions, a course's roster and attendance, a person's employment
//! file (profile, eligibility suggestions, itineraries, enrolments, placements, follow-ups) and
//! the follow-ups due. Handlers only translate between forms and `services::employment`.

use super::form::{Fields, field_errors, fields, join_date, parse_path};
use super::labels::{agency_list, agency_name, key_of, name_of};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::employment::{
    self as svc, EnrolInput, ProfileInput, SessionMarksInput, TemplateInput,
};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::employment::codes::{
    AttendanceMark, ContractType, DropOutReason, EnrolmentStatus, FollowUpEvidence,
    ProgrammeStatus, Sector, StepKind, StepStatus, TargetGroup, TrainingStatus,
};
use elkarlan_domain::employment::eligibility::{self, Reason, Rules};
use elkarlan_domain::employment::esco;
use elkarlan_domain::employment::itinerary::{
    EnrolmentUpdateInput, ItineraryInput, StepInput, StepUpdateInput,
};
use elkarlan_domain::employment::placement::{FollowUpInput, PlacementInput, format_weekly_hours};
use elkarlan_domain::employment::programme::{ProgrammeInput, format_euros};
use elkarlan_domain::employment::training::TrainingActionInput;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{
    EnrolmentId, FieldErrors, ItineraryId, ItineraryStepId, Lang, PersonId, PlacementId,
    ProgrammeId, TrainingActionId,
};
use elkarlan_store::agencies::Agency;
use elkarlan_store::programmes::{Programme, TrainingAction};
use elkarlan_store::territory::{self, Area};
use elkarlan_templates::employment::{
    ActionSummaryRow, DueRow, EmploymentFilePage, EnrolmentRow, FollowUpRow, FollowUpsPage,
    ItineraryRow, Link, MarkGroup, PlacementRow, ProgrammePage, ProgrammeRow, ProgrammesPage,
    ReasonRow, RosterPage, RosterRow, RuleLine, StepRow, SuggestionRow, TrainingActionPage,
};
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

/// Step boxes on the template form: the usual path has eight steps.
const TEMPLATE_STEPS: usize = 8;

/// The employment pages' routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/programmes", get(programmes_page))
        .add("GET", "/programmes/new", get(programme_new_page))
        .add("POST", "/programmes/new", post(programme_new_submit))
        .add("GET", "/programmes/{id}", get(programme_page))
        .add("GET", "/programmes/{id}/edit", get(programme_edit_page))
        .add("POST", "/programmes/{id}/edit", post(programme_edit_submit))
        .add(
            "GET",
            "/programmes/{id}/templates/new",
            get(template_new_page),
        )
        .add(
            "POST",
            "/programmes/{id}/templates/new",
            post(template_new_submit),
        )
        .add("GET", "/programmes/{id}/actions/new", get(action_new_page))
        .add(
            "POST",
            "/programmes/{id}/actions/new",
            post(action_new_submit),
        )
        .add("GET", "/training-actions/{id}", get(action_page))
        .add("GET", "/training-actions/{id}/edit", get(action_edit_page))
        .add(
            "POST",
            "/training-actions/{id}/edit",
            post(action_edit_submit),
        )
        .add("GET", "/training-actions/{id}/roster", get(roster_page))
        .add(
            "POST",
            "/training-actions/{id}/attendance",
            post(attendance_submit),
        )
        .add("GET", "/enrolments/{id}/close", get(close_page))
        .add("POST", "/enrolments/{id}/close", post(close_submit))
        .add("GET", "/people/{id}/employment", get(file_page))
        .add("GET", "/people/{id}/employment/profile", get(profile_page))
        .add(
            "POST",
            "/people/{id}/employment/profile",
            post(profile_submit),
        )
        .add(
            "GET",
            "/people/{id}/itineraries/new",
            get(itinerary_new_page),
        )
        .add(
            "POST",
            "/people/{id}/itineraries/new",
            post(itinerary_new_submit),
        )
        .add("GET", "/itineraries/{id}/steps/new", get(step_new_page))
        .add("POST", "/itineraries/{id}/steps/new", post(step_new_submit))
        .add(
            "POST",
            "/itineraries/{id}/steps/{step}",
            post(step_update_submit),
        )
        .add("GET", "/people/{id}/enrolments/new", get(enrol_page))
        .add("POST", "/people/{id}/enrolments/new", post(enrol_submit))
        .add("GET", "/people/{id}/placements/new", get(placement_page))
        .add(
            "POST",
            "/people/{id}/placements/new",
            post(placement_submit),
        )
        .add(
            "GET",
            "/placements/{id}/follow-ups/{months}",
            get(follow_up_page),
        )
        .add(
            "POST",
            "/placements/{id}/follow-ups/{months}",
            post(follow_up_submit),
        )
        .add("GET", "/follow-ups", get(follow_ups_page))
}

// ---------------------------------------------------------------------------------------------
// Helpers

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

pub(super) fn err(ctx: &Ctx) -> impl Fn(ServiceError) -> HtmlError + '_ {
    move |e| HtmlError::from_service(ctx, e)
}

pub(super) fn store_err(ctx: &Ctx) -> impl Fn(elkarlan_store::StoreError) -> HtmlError + '_ {
    move |e| HtmlError::from_store(ctx.page(), &e)
}

pub(super) fn option(value: &str, label: String, selected: &str) -> SelectOption {
    SelectOption {
        value: value.to_owned(),
        label,
        selected: value == selected,
    }
}

pub(super) fn choice(value: &str, label: String, checked: bool) -> Choice {
    Choice {
        value: value.to_owned(),
        label,
        checked,
        hint: String::new(),
    }
}

pub(super) fn select(
    lang: Lang,
    id: &str,
    label_key: &str,
    options: Vec<SelectOption>,
) -> FormField {
    FormField::Select {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: String::new(),
        options,
    }
}

pub(super) fn text(lang: Lang, id: &str, label_key: &str, hint_key: &str, f: &Fields) -> FormField {
    FormField::Text {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: if hint_key.is_empty() {
            String::new()
        } else {
            t(lang, hint_key)
        },
        value: f.get(id),
        width: "",
    }
}

pub(super) fn narrow(
    lang: Lang,
    id: &str,
    label_key: &str,
    hint_key: &str,
    f: &Fields,
) -> FormField {
    match text(lang, id, label_key, hint_key, f) {
        FormField::Text {
            id,
            label,
            hint,
            value,
            ..
        } => FormField::Text {
            id,
            label,
            hint,
            value,
            width: "govuk-input--width-10",
        },
        other => other,
    }
}

pub(super) fn textarea(
    lang: Lang,
    id: &str,
    label_key: &str,
    hint_key: &str,
    f: &Fields,
) -> FormField {
    FormField::Textarea {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: if hint_key.is_empty() {
            String::new()
        } else {
            t(lang, hint_key)
        },
        value: f.get(id),
    }
}

pub(super) fn date_field(lang: Lang, id: &str, legend_key: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(lang, legend_key),
        hint: t(lang, "emp-date-hint"),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

pub(super) fn date_value(f: &Fields, id: &str) -> String {
    join_date(
        &f.get(&format!("{id}-day")),
        &f.get(&format!("{id}-month")),
        &f.get(&format!("{id}-year")),
    )
}

/// Form values for a stored YYYY-MM-DD date, split into the three boxes.
pub(super) fn date_pairs(id: &str, value: &str, out: &mut Vec<(String, String)>) {
    let mut parts = value.splitn(3, '-');
    if let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) {
        out.push((format!("{id}-day"), d.trim_start_matches('0').to_owned()));
        out.push((format!("{id}-month"), m.trim_start_matches('0').to_owned()));
        out.push((format!("{id}-year"), y.to_owned()));
    }
}

/// Moves errors of date fields to their day box, where the summary links; errors of fields
/// without a box of their own go to `fallback`.
pub(super) fn place_errors(
    errors: FieldErrors,
    dates: &[&str],
    known: &[&str],
    fallback: &str,
) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.0 {
        let field = if dates.contains(&e.field.as_str()) {
            format!("{}-day", e.field)
        } else if known.contains(&e.field.as_str()) || fallback.is_empty() {
            e.field.clone()
        } else {
            fallback.to_owned()
        };
        out.add(&field, e.key);
    }
    out
}

/// The field errors of a refused form; a stale version becomes the standard message on
/// `stale_field`; anything else is an error page.
pub(super) fn form_errors(
    ctx: &Ctx,
    e: ServiceError,
    stale_field: &str,
) -> Result<(FieldErrors, StatusCode), HtmlError> {
    match e {
        ServiceError::Stale => {
            let mut errors = FieldErrors::new();
            errors.add(stale_field, "error-record-changed");
            Ok((errors, StatusCode::CONFLICT))
        }
        other => Ok((field_errors(ctx, other)?, StatusCode::UNPROCESSABLE_ENTITY)),
    }
}

#[allow(clippy::too_many_arguments)] // every part of a form page, named at the call site
pub(super) fn form(
    page: PageCtx,
    lang: Lang,
    title_key: &str,
    caption: String,
    back: String,
    action: String,
    form_id: &'static str,
    hidden: Vec<(String, String)>,
    fields: Vec<FormField>,
    submit_key: &str,
) -> FormPage {
    FormPage {
        ctx: page,
        title: t(lang, title_key),
        caption,
        intro: String::new(),
        back,
        action,
        form_id,
        hidden,
        fields,
        submit_id: "submit",
        submit: t(lang, submit_key),
    }
}

pub(super) fn area_name(lang: Lang, a: &Area) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
    }
}

pub(super) async fn neighbourhoods(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<Area>, HtmlError> {
    Ok(territory::list(&state.store, actor.tenant)
        .await
        .map_err(store_err(ctx))?
        .into_iter()
        .filter(|a| a.kind == "neighbourhood")
        .collect())
}

fn dates(lang: Lang, from: &str, to: &str) -> String {
    t_args(lang, "emp-dates-range", &[("from", from), ("to", to)])
}

pub(super) fn euros(lang: Lang, cents: i64) -> String {
    t_args(lang, "emp-euros", &[("amount", &format_euros(cents))])
}

fn person_name(p: &elkarlan_store::people::Person) -> String {
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

pub(super) fn code_options<T: Copy>(
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

// ---------------------------------------------------------------------------------------------
// Programmes

pub async fn programmes_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::list_programmes(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let rows = list
        .iter()
        .map(|p| ProgrammeRow {
            id: p.id.to_string(),
            name: p.name(lang).to_owned(),
            year: p.year.to_string(),
            status: t(lang, &p.status.label_key()),
            places: p.places.to_string(),
            funding: euros(lang, p.funding_total_cents()),
        })
        .collect();
    let can_create = elkarlan_domain::policy::decide(
        &actor,
        elkarlan_domain::policy::Action::ManageProgrammes,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
    )
    .is_ok();
    let page = ProgrammesPage {
        ctx: page_with(&ctx, &n),
        rows,
        can_create,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

/// Translates the codes that eligibility messages carry (neighbourhoods, sexes) into names.
fn readable_args(
    lang: Lang,
    areas: &[Area],
    args: &[(&'static str, String)],
) -> Vec<(String, String)> {
    args.iter()
        .map(|(k, v)| {
            let shown = match *k {
                "neighbourhood" | "neighbourhoods" => v
                    .split(", ")
                    .map(|code| {
                        areas
                            .iter()
                            .find(|a| a.code == code)
                            .map_or_else(|| code.to_owned(), |a| area_name(lang, a))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                "sex" | "sexes" => v
                    .split(", ")
                    .map(|code| t(lang, &key_of("sex", code)))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => v.clone(),
            };
            ((*k).to_owned(), shown)
        })
        .collect()
}

/// An eligibility message in `lang`, with neighbourhood and sex codes shown as names (the API
/// uses it too).
pub(crate) fn message(
    lang: Lang,
    areas: &[Area],
    key: &str,
    args: &[(&'static str, String)],
) -> String {
    let args = readable_args(lang, areas, args);
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t_args(lang, key, &refs)
}

fn rule_lines(lang: Lang, areas: &[Area], rules: &Rules) -> Vec<RuleLine> {
    let mut out = Vec::new();
    let mut nested_left = 0usize;
    for (key, args) in eligibility::describe(rules) {
        let nested = nested_left > 0;
        nested_left = nested_left.saturating_sub(1);
        if key == "eligibility-rule-any-of" {
            nested_left = args
                .iter()
                .find(|(k, _)| *k == "count")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
        }
        out.push(RuleLine {
            text: message(lang, areas, key, &args),
            nested,
        });
    }
    out
}

fn template_name(lang: Lang, name: &str) -> String {
    if name == elkarlan_store::programmes::USUAL_TEMPLATE {
        t(lang, name)
    } else {
        name.to_owned()
    }
}

pub async fn programme_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let all = agency_list(&state, &ctx, &actor).await?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let p = &d.programme;
    let join = |v: Vec<String>| {
        if v.is_empty() {
            t(lang, "emp-none")
        } else {
            v.join(", ")
        }
    };
    let facts = vec![
        (t(lang, "programme-year"), p.year.to_string()),
        (t(lang, "programme-status"), t(lang, &p.status.label_key())),
        (
            t(lang, "programme-promoter"),
            name_of(lang, &all, p.promoter),
        ),
        (
            t(lang, "programme-partners"),
            join(p.partners.iter().map(|a| name_of(lang, &all, *a)).collect()),
        ),
        (
            t(lang, "programme-neighbourhoods"),
            join(
                p.neighbourhoods
                    .iter()
                    .filter_map(|n| areas.iter().find(|a| a.id == *n))
                    .map(|a| area_name(lang, a))
                    .collect(),
            ),
        ),
        (
            t(lang, "programme-target-groups"),
            join(
                p.target_groups
                    .iter()
                    .map(|g| t(lang, &g.label_key()))
                    .collect(),
            ),
        ),
        (
            t(lang, "emp-col-dates"),
            dates(lang, &p.starts_on, &p.ends_on),
        ),
        (t(lang, "programme-places"), p.places.to_string()),
    ];
    let rules = Rules::parse_json(&p.eligibility).unwrap_or_default();
    let mut links: Vec<Link> = Vec::new();
    if d.can_manage {
        links.push((
            format!("/programmes/{id}/edit"),
            t(lang, "programme-edit-title"),
            "edit-programme",
        ));
    }
    if d.can_design {
        links.push((
            format!("/programmes/{id}/templates/new"),
            t(lang, "template-new-title"),
            "new-template",
        ));
    }
    if d.can_add_action {
        links.push((
            format!("/programmes/{id}/actions/new"),
            t(lang, "training-new-title"),
            "new-action",
        ));
    }
    if d.can_import {
        links.push((
            format!("/programmes/{id}/import"),
            t(lang, "programme-import-link"),
            "import-referrals",
        ));
    }
    let page = ProgrammePage {
        ctx: page_with(&ctx, &n),
        id: id.to_string(),
        name: p.name(lang).to_owned(),
        facts,
        funding: p
            .funding
            .iter()
            .map(|f| (f.source.clone(), euros(lang, f.amount_cents)))
            .collect(),
        funding_total: euros(lang, p.funding_total_cents()),
        rules: rule_lines(lang, &areas, &rules),
        templates: d
            .templates
            .iter()
            .map(|tpl| {
                (
                    template_name(lang, &tpl.name),
                    tpl.steps.iter().map(|s| t(lang, &s.label_key())).collect(),
                )
            })
            .collect(),
        actions: d
            .actions
            .iter()
            .map(|a| ActionSummaryRow {
                id: a.id.to_string(),
                title: action_title(lang, a),
                provider: name_of(lang, &all, a.provider),
                dates: dates(lang, &a.starts_on, &a.ends_on),
                places: format!("{} / {}", a.enrolled, a.places),
                status: t(lang, &a.status.label_key()),
            })
            .collect(),
        links,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
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

fn programme_fields(lang: Lang, all: &[Agency], areas: &[Area], f: &Fields) -> Vec<FormField> {
    let partners = f.all("partners");
    let chosen_areas = f.all("neighbourhoods");
    let groups = f.all("target_groups");
    vec![
        text(lang, "name_eu", "programme-name-eu", "", f),
        text(lang, "name_es", "programme-name-es", "", f),
        narrow(lang, "year", "programme-year", "", f),
        select(
            lang,
            "status",
            "programme-status",
            code_options(
                lang,
                ProgrammeStatus::ALL,
                ProgrammeStatus::code,
                ProgrammeStatus::label_key,
                &f.get("status"),
                None,
            ),
        ),
        select(
            lang,
            "promoter",
            "programme-promoter",
            agency_options(lang, all, &f.get("promoter"), true),
        ),
        FormField::Choices {
            id: "partners".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "programme-partners"),
            hint: t(lang, "programme-partners-hint"),
            options: all
                .iter()
                .filter(|a| a.active)
                .map(|a| {
                    let v = a.id.to_string();
                    let checked = partners.contains(&v);
                    choice(&v, agency_name(lang, a), checked)
                })
                .collect(),
        },
        FormField::Choices {
            id: "neighbourhoods".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "programme-neighbourhoods"),
            hint: t(lang, "programme-neighbourhoods-hint"),
            options: areas
                .iter()
                .map(|a| {
                    let v = a.id.to_string();
                    let checked = chosen_areas.contains(&v);
                    choice(&v, area_name(lang, a), checked)
                })
                .collect(),
        },
        FormField::Choices {
            id: "target_groups".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "programme-target-groups"),
            hint: String::new(),
            options: TargetGroup::ALL
                .iter()
                .map(|g| {
                    choice(
                        g.code(),
                        t(lang, &g.label_key()),
                        groups.iter().any(|x| x == g.code()),
                    )
                })
                .collect(),
        },
        textarea(
            lang,
            "funding",
            "programme-funding",
            "programme-funding-hint",
            f,
        ),
        narrow(lang, "places", "programme-places", "", f),
        date_field(lang, "starts_on", "emp-starts-on", f),
        date_field(lang, "ends_on", "emp-ends-on", f),
        textarea(
            lang,
            "eligibility",
            "programme-eligibility",
            "programme-eligibility-hint",
            f,
        ),
    ]
}

fn programme_input(f: &Fields) -> ProgrammeInput {
    ProgrammeInput {
        name_eu: f.get("name_eu"),
        name_es: f.get("name_es"),
        year: f.get("year"),
        status: f.get("status"),
        promoter: f.get("promoter"),
        partners: f.all("partners"),
        neighbourhoods: f.all("neighbourhoods"),
        target_groups: f.all("target_groups"),
        funding: f.get("funding"),
        places: f.get("places"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        eligibility: f.get("eligibility"),
    }
}

const PROGRAMME_DATES: [&str; 2] = ["starts_on", "ends_on"];

async fn programme_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    edit: Option<(ProgrammeId, i64)>,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let all = agency_list(state, ctx, actor).await?;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let fields = programme_fields(lang, &all, &areas, f);
    Ok(match edit {
        None => form(
            page,
            lang,
            "programme-new-title",
            t(lang, "programmes-title"),
            "/programmes".into(),
            "/programmes/new".into(),
            "programme-form",
            Vec::new(),
            fields,
            "programme-save",
        ),
        Some((id, version)) => form(
            page,
            lang,
            "programme-edit-title",
            t(lang, "programme-caption"),
            format!("/programmes/{id}"),
            format!("/programmes/{id}/edit"),
            "programme-form",
            vec![("version".into(), version.to_string())],
            fields,
            "programme-save",
        ),
    })
}

fn may_manage_programmes(ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    elkarlan_domain::policy::decide(
        actor,
        elkarlan_domain::policy::Action::ManageProgrammes,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
    )
    .map(|_| ())
    .map_err(|d| HtmlError::from_service(ctx, ServiceError::Forbidden(d)))
}

pub async fn programme_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage_programmes(&ctx, &actor)?;
    let year = svc::today().format("%Y").to_string();
    let f = Fields::from_pairs(vec![("year".into(), year)]);
    let page = programme_form(&state, &ctx, &actor, ctx.page(), None, &f).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn programme_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    match svc::create_programme(&state, &actor, &ctx.meta, &programme_input(&f)).await {
        Ok(id) => Ok(see_other(&format!(
            "/programmes/{id}?notice=programme-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name_eu")?;
            let errors = place_errors(errors, &PROGRAMME_DATES, &[], "");
            let page = programme_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                None,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn programme_values(p: &Programme) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("name_eu".into(), p.name_eu.clone()),
        ("name_es".into(), p.name_es.clone()),
        ("year".into(), p.year.to_string()),
        ("status".into(), p.status.code().into()),
        ("promoter".into(), p.promoter.to_string()),
        (
            "funding".into(),
            p.funding
                .iter()
                .map(|f| format!("{}; {}", f.source, format_euros(f.amount_cents)))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("places".into(), p.places.to_string()),
    ];
    let rules = Rules::parse_json(&p.eligibility).unwrap_or_default();
    if !rules.all_of.is_empty() {
        v.push(("eligibility".into(), rules.to_json()));
    }
    v.extend(
        p.partners
            .iter()
            .map(|a| ("partners".into(), a.to_string())),
    );
    v.extend(
        p.neighbourhoods
            .iter()
            .map(|a| ("neighbourhoods".into(), a.to_string())),
    );
    v.extend(
        p.target_groups
            .iter()
            .map(|g| ("target_groups".into(), g.code().to_owned())),
    );
    date_pairs("starts_on", &p.starts_on, &mut v);
    date_pairs("ends_on", &p.ends_on, &mut v);
    Fields::from_pairs(v)
}

pub async fn programme_edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    may_manage_programmes(&ctx, &actor)?;
    let f = programme_values(&d.programme);
    let page = programme_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        Some((id, d.programme.version)),
        &f,
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn programme_edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_programme(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &programme_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/programmes/{id}?notice=programme-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name_eu")?;
            let errors = place_errors(errors, &PROGRAMME_DATES, &[], "");
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                svc::programme(&state, &actor, &ctx.meta, id)
                    .await
                    .map_err(err(&ctx))?
                    .programme
                    .version
            } else {
                version
            };
            let page = programme_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                Some((id, version)),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Templates -----------------------------------------------------------------------------------

fn template_page(
    lang: Lang,
    page: PageCtx,
    id: ProgrammeId,
    caption: String,
    f: &Fields,
) -> FormPage {
    let mut fields = vec![text(lang, "name", "template-name", "", f)];
    for i in 1..=TEMPLATE_STEPS {
        let field = format!("step-{i}");
        fields.push(FormField::Select {
            id: field.clone(),
            label: t_args(lang, "template-step", &[("n", &i.to_string())]),
            hint: if i == 1 {
                t(lang, "template-steps-hint")
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
        });
    }
    form(
        page,
        lang,
        "template-new-title",
        caption,
        format!("/programmes/{id}"),
        format!("/programmes/{id}/templates/new"),
        "template-form",
        Vec::new(),
        fields,
        "template-save",
    )
}

pub async fn template_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    if !d.can_design {
        return Err(HtmlError::new(ctx.page(), StatusCode::FORBIDDEN));
    }
    let page = template_page(
        ctx.lang,
        ctx.page(),
        id,
        d.programme.name(ctx.lang).to_owned(),
        &Fields::empty(),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn template_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let input = TemplateInput {
        name: f.get("name"),
        steps: (1..=TEMPLATE_STEPS)
            .map(|i| f.get(&format!("step-{i}")))
            .filter(|s| !s.trim().is_empty())
            .collect(),
        template: None,
        version: 0,
    };
    match svc::save_template(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/programmes/{id}?notice=template-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name")?;
            let errors = place_errors(errors, &[], &["name"], "step-1");
            let d = svc::programme(&state, &actor, &ctx.meta, id)
                .await
                .map_err(err(&ctx))?;
            let page = template_page(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                d.programme.name(ctx.lang).to_owned(),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Training actions ----------------------------------------------------------------------------

const ACTION_DATES: [&str; 2] = ["starts_on", "ends_on"];
const WEEKDAY_CODES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn action_fields(
    lang: Lang,
    all: &[Agency],
    areas: &[Area],
    actor: &Actor,
    f: &Fields,
) -> Vec<FormField> {
    let chosen_days = f.all("weekdays");
    // Training staff add courses for their own entity only: the list offers just that one.
    let providers: Vec<Agency> = all
        .iter()
        .filter(|a| {
            actor.role != elkarlan_domain::account::Role::TrainingEntityStaff
                || Some(a.id) == actor.agency
        })
        .cloned()
        .collect();
    let mut area_opts = vec![option("", t(lang, "emp-none"), &f.get("neighbourhood"))];
    area_opts.extend(areas.iter().map(|a| {
        option(
            &a.id.to_string(),
            area_name(lang, a),
            &f.get("neighbourhood"),
        )
    }));
    let language = f.get("language");
    vec![
        select(
            lang,
            "provider",
            "action-provider",
            agency_options(lang, &providers, &f.get("provider"), true),
        ),
        text(lang, "title_eu", "action-title-eu", "", f),
        text(lang, "title_es", "action-title-es", "", f),
        select(
            lang,
            "status",
            "emp-col-status",
            code_options(
                lang,
                TrainingStatus::ALL,
                TrainingStatus::code,
                TrainingStatus::label_key,
                &f.get("status"),
                None,
            ),
        ),
        narrow(lang, "hours", "action-hours", "", f),
        narrow(lang, "places", "programme-places", "", f),
        text(lang, "location", "action-location", "", f),
        select(lang, "neighbourhood", "programme-neighbourhoods", area_opts),
        select(
            lang,
            "occupation",
            "action-occupation",
            occupation_options(lang, &f.get("occupation")),
        ),
        textarea(lang, "skills", "action-skills", "action-skills-hint", f),
        text(
            lang,
            "certificate",
            "action-certificate",
            "action-certificate-hint",
            f,
        ),
        FormField::Choices {
            id: "language".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "action-language"),
            hint: String::new(),
            options: ["eu", "es", "eu_es"]
                .iter()
                .map(|l| choice(l, t(lang, &key_of("action-language", l)), language == *l))
                .collect(),
        },
        date_field(lang, "starts_on", "emp-starts-on", f),
        date_field(lang, "ends_on", "emp-ends-on", f),
        FormField::Choices {
            id: "weekdays".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "action-weekdays"),
            hint: String::new(),
            options: WEEKDAY_CODES
                .iter()
                .map(|d| {
                    choice(
                        d,
                        t(lang, &format!("emp-weekday-{d}")),
                        chosen_days.iter().any(|x| x == d),
                    )
                })
                .collect(),
        },
        narrow(lang, "time_from", "action-time-from", "action-time-hint", f),
        narrow(lang, "time_to", "action-time-to", "action-time-hint", f),
        textarea(
            lang,
            "eligibility",
            "action-eligibility",
            "action-eligibility-hint",
            f,
        ),
    ]
}

fn action_input(f: &Fields) -> TrainingActionInput {
    TrainingActionInput {
        provider: f.get("provider"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        status: f.get("status"),
        hours: f.get("hours"),
        places: f.get("places"),
        location: f.get("location"),
        neighbourhood: f.get("neighbourhood"),
        occupation: f.get("occupation"),
        skills: f.get("skills"),
        certificate: f.get("certificate"),
        language: f.get("language"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        weekdays: f.all("weekdays"),
        time_from: f.get("time_from"),
        time_to: f.get("time_to"),
        eligibility: f.get("eligibility"),
    }
}

enum ActionForm {
    New(ProgrammeId),
    Edit(TrainingActionId, i64),
}

async fn action_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    mode: ActionForm,
    caption: String,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let all = agency_list(state, ctx, actor).await?;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let fields = action_fields(lang, &all, &areas, actor, f);
    Ok(match mode {
        ActionForm::New(p) => form(
            page,
            lang,
            "training-new-title",
            caption,
            format!("/programmes/{p}"),
            format!("/programmes/{p}/actions/new"),
            "action-form",
            Vec::new(),
            fields,
            "training-save",
        ),
        ActionForm::Edit(id, version) => form(
            page,
            lang,
            "action-edit-title",
            caption,
            format!("/training-actions/{id}"),
            format!("/training-actions/{id}/edit"),
            "action-form",
            vec![("version".into(), version.to_string())],
            fields,
            "training-save",
        ),
    })
}

const ACTION_FIELDS: [&str; 15] = [
    "provider",
    "title_eu",
    "title_es",
    "status",
    "hours",
    "places",
    "location",
    "neighbourhood",
    "occupation",
    "skills",
    "certificate",
    "language",
    "weekdays",
    "time_from",
    "time_to",
];

pub async fn action_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    if !d.can_add_action {
        return Err(HtmlError::new(ctx.page(), StatusCode::FORBIDDEN));
    }
    let mut v = vec![
        ("language".into(), "eu_es".into()),
        ("time_from".into(), "09:00".into()),
        ("time_to".into(), "13:00".into()),
    ];
    if let Some(a) = actor.agency
        && actor.role == elkarlan_domain::account::Role::TrainingEntityStaff
    {
        v.push(("provider".into(), a.to_string()));
    }
    let page = action_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        ActionForm::New(id),
        d.programme.name(ctx.lang).to_owned(),
        &Fields::from_pairs(v),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn action_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    match svc::create_action(&state, &actor, &ctx.meta, id, &action_input(&f)).await {
        Ok(a) => Ok(see_other(&format!(
            "/training-actions/{a}?notice=action-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = place_errors(errors, &ACTION_DATES, &ACTION_FIELDS, "starts_on-day");
            let d = svc::programme(&state, &actor, &ctx.meta, id)
                .await
                .map_err(err(&ctx))?;
            let page = action_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                ActionForm::New(id),
                d.programme.name(ctx.lang).to_owned(),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn action_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let d = svc::action(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let all = agency_list(&state, &ctx, &actor).await?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let a = &d.action;
    let mut facts = vec![
        (t(lang, "action-provider"), name_of(lang, &all, a.provider)),
        (t(lang, "emp-col-status"), t(lang, &a.status.label_key())),
        (t(lang, "action-hours"), a.hours.to_string()),
        (
            t(lang, "emp-col-enrolled"),
            format!("{} / {}", a.enrolled, a.places),
        ),
        (t(lang, "action-location"), a.location.clone()),
    ];
    if let Some(area) = a
        .neighbourhood
        .and_then(|n| areas.iter().find(|x| x.id == n))
    {
        facts.push((t(lang, "programme-neighbourhoods"), area_name(lang, area)));
    }
    facts.push((
        t(lang, "action-occupation"),
        occupation_label(lang, &a.esco_code),
    ));
    if let Some(c) = &a.certificate {
        facts.push((t(lang, "action-certificate"), c.clone()));
    }
    facts.push((
        t(lang, "action-language"),
        t(lang, &key_of("action-language", &a.language)),
    ));
    facts.push((
        t(lang, "emp-col-dates"),
        dates(lang, &a.starts_on, &a.ends_on),
    ));
    facts.push((
        t(lang, "action-schedule"),
        format!(
            "{} · {}–{}",
            a.weekdays
                .iter()
                .map(|d| t(lang, &format!("emp-weekday-{d}")))
                .collect::<Vec<_>>()
                .join(", "),
            a.time_from,
            a.time_to
        ),
    ));
    let mut links: Vec<Link> = Vec::new();
    if d.can_see_roster {
        links.push((
            format!("/training-actions/{id}/roster"),
            t(lang, "roster-title"),
            "roster-link",
        ));
    }
    if d.can_edit {
        links.push((
            format!("/training-actions/{id}/edit"),
            t(lang, "action-edit-title"),
            "edit-action",
        ));
    }
    let page = TrainingActionPage {
        ctx: page_with(&ctx, &n),
        programme_id: d.programme.id.to_string(),
        programme: d.programme.name(lang).to_owned(),
        title: action_title(lang, a),
        facts,
        sessions: d
            .sessions
            .iter()
            .map(|s| {
                (
                    s.number.to_string(),
                    s.held_on.clone(),
                    format!("{}–{}", s.time_from, s.time_to),
                )
            })
            .collect(),
        links,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

fn action_values(a: &TrainingAction) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("provider".into(), a.provider.to_string()),
        ("title_eu".into(), a.title_eu.clone()),
        ("title_es".into(), a.title_es.clone()),
        ("status".into(), a.status.code().into()),
        ("hours".into(), a.hours.to_string()),
        ("places".into(), a.places.to_string()),
        ("location".into(), a.location.clone()),
        (
            "neighbourhood".into(),
            a.neighbourhood.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("occupation".into(), a.esco_code.clone()),
        ("skills".into(), a.skills.join("\n")),
        (
            "certificate".into(),
            a.certificate.clone().unwrap_or_default(),
        ),
        ("language".into(), a.language.clone()),
        ("time_from".into(), a.time_from.clone()),
        ("time_to".into(), a.time_to.clone()),
    ];
    let rules = Rules::parse_json(&a.eligibility).unwrap_or_default();
    if !rules.all_of.is_empty() {
        v.push(("eligibility".into(), rules.to_json()));
    }
    v.extend(a.weekdays.iter().map(|d| ("weekdays".into(), d.clone())));
    date_pairs("starts_on", &a.starts_on, &mut v);
    date_pairs("ends_on", &a.ends_on, &mut v);
    Fields::from_pairs(v)
}

pub async fn action_edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let d = svc::action(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    if !d.can_edit {
        return Err(HtmlError::new(ctx.page(), StatusCode::FORBIDDEN));
    }
    let page = action_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        ActionForm::Edit(id, d.action.version),
        action_title(ctx.lang, &d.action),
        &action_values(&d.action),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn action_edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_action(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &action_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/training-actions/{id}?notice=action-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = place_errors(errors, &ACTION_DATES, &ACTION_FIELDS, "starts_on-day");
            let d = svc::action(&state, &actor, &ctx.meta, id)
                .await
                .map_err(err(&ctx))?;
            let version = if status == StatusCode::CONFLICT {
                d.action.version
            } else {
                version
            };
            let page = action_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                ActionForm::Edit(id, version),
                action_title(ctx.lang, &d.action),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Roster and attendance -----------------------------------------------------------------------

async fn roster_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: TrainingActionId,
    f: &Fields,
) -> Result<RosterPage, HtmlError> {
    let lang = ctx.lang;
    let r = svc::roster(state, actor, &ctx.meta, id)
        .await
        .map_err(err(ctx))?;
    let today = svc::today().to_string();
    // The latest session already held is the one usually recorded.
    let default_session = r
        .sessions
        .iter()
        .rev()
        .find(|s| s.held_on <= today)
        .or(r.sessions.first())
        .map(|s| s.number.to_string())
        .unwrap_or_default();
    let chosen = if f.get("session").is_empty() {
        default_session
    } else {
        f.get("session")
    };
    let rows = r
        .lines
        .iter()
        .map(|l| {
            let e = &l.enrolment;
            RosterRow {
                enrolment: e.id.to_string(),
                name: [Some(&l.given_name), Some(&l.surname1), l.surname2.as_ref()]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                status: t(lang, &e.status.label_key()),
                attendance: attendance(lang, e.present, e.absent, e.excused),
                certificate: e.certificate.clone().unwrap_or_default(),
                open: e.status == EnrolmentStatus::Enrolled,
            }
        })
        .collect::<Vec<_>>();
    let marks = rows
        .iter()
        .filter(|row| row.open)
        .map(|row| {
            let field = format!("mark-{}", row.enrolment);
            let current = f.get(&field);
            MarkGroup {
                id: field,
                legend: row.name.clone(),
                options: AttendanceMark::ALL
                    .iter()
                    .map(|m| choice(m.code(), t(lang, &m.label_key()), current == m.code()))
                    .collect(),
            }
        })
        .collect();
    Ok(RosterPage {
        ctx: page,
        action_id: id.to_string(),
        title: action_title(lang, &r.action),
        rows,
        sessions: r
            .sessions
            .iter()
            .map(|s| {
                let n = s.number.to_string();
                option(
                    &n,
                    t_args(
                        lang,
                        "emp-session-option",
                        &[("n", &n), ("date", &s.held_on)],
                    ),
                    &chosen,
                )
            })
            .collect(),
        marks,
    })
}

pub async fn roster_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let page = roster_view(
        &state,
        &ctx,
        &actor,
        page_with(&ctx, &n),
        id,
        &Fields::empty(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn attendance_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let input = SessionMarksInput {
        session: f.get("session"),
        marks: f
            .pairs()
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("mark-").map(|e| (e.to_owned(), v.clone())))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
    };
    match svc::record_attendance(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/training-actions/{id}/roster?notice=attendance-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "session")?;
            let errors = place_errors(errors, &[], &["session"], "marks");
            let page = roster_view(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn close_form(
    lang: Lang,
    page: PageCtx,
    id: EnrolmentId,
    version: i64,
    back: String,
    f: &Fields,
) -> FormPage {
    let status = f.get("status");
    let fields = vec![
        FormField::Choices {
            id: "status".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "enrolment-outcome"),
            hint: String::new(),
            options: [EnrolmentStatus::Completed, EnrolmentStatus::DroppedOut]
                .iter()
                .map(|s| choice(s.code(), t(lang, &s.label_key()), status == s.code()))
                .collect(),
        },
        date_field(lang, "on", "enrolment-on", f),
        text(
            lang,
            "certificate",
            "enrolment-certificate",
            "enrolment-certificate-hint",
            f,
        ),
        FormField::Select {
            id: "dropout_reason".into(),
            label: t(lang, "enrolment-dropout-reason"),
            hint: t(lang, "enrolment-dropout-hint"),
            options: code_options(
                lang,
                DropOutReason::ALL,
                DropOutReason::code,
                DropOutReason::label_key,
                &f.get("dropout_reason"),
                Some("emp-choose"),
            ),
        },
    ];
    form(
        page,
        lang,
        "enrolment-close-title",
        String::new(),
        back,
        format!("/enrolments/{id}/close"),
        "close-form",
        vec![("version".into(), version.to_string())],
        fields,
        "enrolment-close-save",
    )
}

/// The enrolment and the roster it belongs to, read through the roster service so that only
/// the provider's staff reach the form.
async fn enrolment_on_roster(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: EnrolmentId,
) -> Result<(elkarlan_store::itineraries::Enrolment, String), HtmlError> {
    let e = elkarlan_store::itineraries::get_enrolment(&state.store, actor.tenant, id)
        .await
        .map_err(store_err(ctx))?;
    // The enrolment names a person: a refusal answers as an unknown enrolment.
    let r = svc::roster(state, actor, &ctx.meta, e.action_id)
        .await
        .map_err(crate::services::conceal)
        .map_err(err(ctx))?;
    let caption = action_title(ctx.lang, &r.action);
    Ok((e, caption))
}

pub async fn close_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: EnrolmentId = parse_path(&ctx, &raw)?;
    let (e, caption) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
    let mut page = close_form(
        ctx.lang,
        ctx.page(),
        id,
        e.version,
        format!("/training-actions/{}/roster", e.action_id),
        &Fields::empty(),
    );
    page.caption = caption;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn close_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: EnrolmentId = parse_path(&ctx, &raw)?;
    let input = EnrolmentUpdateInput {
        status: f.get("status"),
        on: date_value(&f, "on"),
        dropout_reason: f.get("dropout_reason"),
        certificate: f.get("certificate"),
        version: f.get("version").parse().unwrap_or(0),
    };
    match svc::close_enrolment(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => {
            let (e, _) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
            Ok(see_other(&format!(
                "/training-actions/{}/roster?notice=enrolment-closed",
                e.action_id
            )))
        }
        Err(err_) => {
            let (errors, status) = form_errors(&ctx, err_, "status")?;
            let errors = place_errors(errors, &["on"], &[], "");
            let (e, caption) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
            let mut page = close_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                e.version,
                format!("/training-actions/{}/roster", e.action_id),
                &f,
            );
            page.caption = caption;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// The employment file --------------------------------------------------------------------------

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    match v {
        Some(true) => t(lang, "emp-yes"),
        Some(false) => t(lang, "emp-no"),
        None => t(lang, "emp-not-recorded"),
    }
}

fn met_label(lang: Lang, r: &Reason) -> String {
    t(
        lang,
        match r.met {
            Some(true) => "emp-met",
            Some(false) => "emp-not-met",
            None => "emp-cannot-tell",
        },
    )
}

fn follow_up_label(lang: Lang, months: i64) -> String {
    t_args(
        lang,
        "emp-follow-up-months",
        &[("months", &months.to_string())],
    )
}

pub async fn file_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let page = file_view(&state, &ctx, &actor, page_with(&ctx, &n), id).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

async fn file_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: PersonId,
) -> Result<EmploymentFilePage, HtmlError> {
    let lang = ctx.lang;
    let file = svc::employment_file(state, actor, &ctx.meta, id)
        .await
        .map_err(|e| {
            HtmlError::from_service(ctx, e).with_emergency_route(actor, format!("/people/{id}"))
        })?;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(err(ctx))?;
    let pr = &file.profile;
    let not_recorded = || t(lang, "emp-not-recorded");
    let profile = vec![
        (
            t(lang, "profile-unemployed-since"),
            pr.unemployed_since.clone().unwrap_or_else(not_recorded),
        ),
        (
            t(lang, "profile-income-guarantee"),
            yes_no(lang, pr.income_guarantee),
        ),
        (
            t(lang, "profile-disability"),
            pr.disability_percent
                .map_or_else(not_recorded, |p| format!("{p} %")),
        ),
        (
            t(lang, "profile-isced"),
            pr.isced.map_or_else(not_recorded, |p| p.to_string()),
        ),
    ];
    let row = |id: String, href: String, name: String, a: &eligibility::Assessment| SuggestionRow {
        programme_id: id,
        href,
        programme: name,
        outcome: t(lang, eligibility::outcome_key(a.outcome)),
        reasons: a
            .reasons
            .iter()
            .map(|r| ReasonRow {
                text: message(lang, &areas, r.key, &r.args),
                met: met_label(lang, r),
                alternatives: r
                    .alternatives
                    .iter()
                    .map(|x| (met_label(lang, x), message(lang, &areas, x.key, &x.args)))
                    .collect(),
            })
            .collect(),
    };
    let suggestions = file
        .suggestions
        .iter()
        .map(|(p, a)| {
            row(
                p.id.to_string(),
                format!("/programmes/{}", p.id),
                p.name(lang).to_owned(),
                a,
            )
        })
        .collect();
    let course_suggestions = file
        .course_suggestions
        .iter()
        .map(|(c, a)| {
            row(
                c.id.to_string(),
                format!("/training-actions/{}", c.id),
                c.title(lang).to_owned(),
                a,
            )
        })
        .collect();
    let programme_name = |pid: Option<ProgrammeId>| {
        pid.and_then(|p| programmes.iter().find(|x| x.id == p))
            .map_or_else(
                || t(lang, "itinerary-no-programme"),
                |p| p.name(lang).to_owned(),
            )
    };
    let itineraries = file
        .itineraries
        .iter()
        .map(|it| ItineraryRow {
            id: it.id.to_string(),
            programme: programme_name(it.programme_id),
            status: t(lang, &it.status.label_key()),
            opened: it.opened_at.to_datetime().format("%Y-%m-%d").to_string(),
            active: it.status == elkarlan_domain::employment::codes::ItineraryStatus::Active,
            steps: it
                .steps
                .iter()
                .map(|s| StepRow {
                    id: s.id.to_string(),
                    position: s.position.to_string(),
                    kind: t(lang, &s.kind.label_key()),
                    status: t(lang, &s.status.label_key()),
                    dates: [
                        s.planned_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-planned", &[("date", d)])),
                        s.started_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-started", &[("date", d)])),
                        s.completed_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-completed", &[("date", d)])),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                    version: s.version,
                    statuses: code_options(
                        lang,
                        StepStatus::ALL,
                        StepStatus::code,
                        StepStatus::label_key,
                        s.status.code(),
                        None,
                    ),
                })
                .collect(),
        })
        .collect();
    let enrolments = file
        .enrolments
        .iter()
        .map(|(e, a)| EnrolmentRow {
            action_id: a.id.to_string(),
            course: action_title(lang, a),
            status: t(lang, &e.status.label_key()),
            attendance: attendance(lang, e.present, e.absent, e.excused),
            certificate: e.certificate.clone().unwrap_or_default(),
        })
        .collect();
    let placements = file
        .placements
        .iter()
        .map(|p| PlacementRow {
            employer: p
                .employer
                .clone()
                .unwrap_or_else(|| t(lang, "contract-type-self-employment")),
            facts: vec![
                (
                    t(lang, "placement-contract-type"),
                    t(lang, &p.contract_type.label_key()),
                ),
                (
                    t(lang, "emp-col-dates"),
                    match &p.ends_on {
                        Some(end) => dates(lang, &p.starts_on, end),
                        None => t_args(lang, "emp-since", &[("date", &p.starts_on)]),
                    },
                ),
                (
                    t(lang, "placement-weekly-hours"),
                    format_weekly_hours(p.weekly_hours_centi),
                ),
                (
                    t(lang, "placement-occupation"),
                    occupation_label(lang, &p.esco_code),
                ),
                (t(lang, "placement-sector"), t(lang, &p.sector.label_key())),
                (
                    t(lang, "placement-clause-link"),
                    match p.social_clause_id {
                        Some(c) => c.to_string(),
                        None => t(lang, "placement-not-linked"),
                    },
                ),
                (
                    t(lang, "placement-agreement"),
                    match p.agreement_commitment_id {
                        Some(c) => c.to_string(),
                        None => t(lang, "placement-not-linked"),
                    },
                ),
            ],
            follow_ups: p
                .follow_ups
                .iter()
                .map(|fu| FollowUpRow {
                    label: follow_up_label(lang, fu.months),
                    due: fu.due_on.clone(),
                    status: match (&fu.checked_on, fu.still_employed) {
                        (Some(d), Some(true)) => {
                            t_args(lang, "followup-done-employed", &[("date", d)])
                        }
                        (Some(d), _) => t_args(lang, "followup-done-not-employed", &[("date", d)]),
                        (None, _) => t(lang, "followup-pending"),
                    },
                    link: fu
                        .checked_on
                        .is_none()
                        .then(|| format!("/placements/{}/follow-ups/{}", p.id, fu.months)),
                })
                .collect(),
        })
        .collect();
    Ok(EmploymentFilePage {
        ctx: page,
        person_id: id.to_string(),
        name: person_name(&file.person),
        profile,
        suggestions,
        course_suggestions,
        itineraries,
        enrolments,
        placements,
        can_manage: file.can_manage,
    })
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
    // Asked first, so that a refusal is recorded (in the person's access log) and nothing is
    // read for a form that will not be shown.
    svc::authorize_manage(state, actor, &ctx.meta, id)
        .await
        .map_err(err(ctx))?;
    svc::employment_file(state, actor, &ctx.meta, id)
        .await
        .map_err(err(ctx))
}

// Profile ---------------------------------------------------------------------------------------

fn profile_form(lang: Lang, page: PageCtx, id: PersonId, caption: String, f: &Fields) -> FormPage {
    let income = f.get("income_guarantee");
    let fields = vec![
        date_field(lang, "unemployed_since", "profile-unemployed-since", f),
        FormField::Choices {
            id: "income_guarantee".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "profile-income-guarantee"),
            hint: String::new(),
            options: vec![
                choice("yes", t(lang, "emp-yes"), income == "yes"),
                choice("no", t(lang, "emp-no"), income == "no"),
                choice("", t(lang, "emp-not-recorded"), income.is_empty()),
            ],
        },
        narrow(
            lang,
            "disability_percent",
            "profile-disability",
            "profile-disability-hint",
            f,
        ),
        narrow(lang, "isced", "profile-isced", "profile-isced-hint", f),
    ];
    form(
        page,
        lang,
        "profile-edit-title",
        caption,
        back_to_file(id),
        format!("/people/{id}/employment/profile"),
        "profile-form",
        Vec::new(),
        fields,
        "emp-save",
    )
}

pub async fn profile_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let p = &file.profile;
    let mut v: Vec<(String, String)> = vec![
        (
            "income_guarantee".into(),
            match p.income_guarantee {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        ),
        (
            "disability_percent".into(),
            p.disability_percent
                .map(|x| x.to_string())
                .unwrap_or_default(),
        ),
        (
            "isced".into(),
            p.isced.map(|x| x.to_string()).unwrap_or_default(),
        ),
    ];
    if let Some(d) = &p.unemployed_since {
        date_pairs("unemployed_since", d, &mut v);
    }
    let page = profile_form(
        ctx.lang,
        ctx.page(),
        id,
        person_name(&file.person),
        &Fields::from_pairs(v),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn profile_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = ProfileInput {
        unemployed_since: date_value(&f, "unemployed_since"),
        income_guarantee: f.get("income_guarantee"),
        disability_percent: f.get("disability_percent"),
        isced: f.get("isced"),
    };
    match svc::set_profile(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(file_done(id, "profile-saved", "profile-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "unemployed_since-day")?;
            let errors = place_errors(errors, &["unemployed_since"], &[], "");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = profile_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                person_name(&file.person),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Itineraries -----------------------------------------------------------------------------------

async fn itinerary_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: PersonId,
    caption: String,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(err(ctx))?;
    let chosen = f.get("programme");
    let mut p_opts = vec![option("", t(lang, "itinerary-no-programme"), &chosen)];
    p_opts.extend(
        programmes
            .iter()
            .filter(|p| matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running))
            .map(|p| option(&p.id.to_string(), p.name(lang).to_owned(), &chosen)),
    );
    let chosen_t = f.get("template");
    let mut t_opts = vec![option("", t(lang, "itinerary-no-template"), &chosen_t)];
    for p in programmes
        .iter()
        .filter(|p| matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running))
    {
        for tpl in elkarlan_store::programmes::templates(&state.store, p.id)
            .await
            .map_err(store_err(ctx))?
        {
            t_opts.push(option(
                &tpl.id.to_string(),
                format!("{}: {}", p.name(lang), template_name(lang, &tpl.name)),
                &chosen_t,
            ));
        }
    }
    let mut fields = vec![
        select(lang, "programme", "itinerary-programme", p_opts),
        FormField::Select {
            id: "template".into(),
            label: t(lang, "itinerary-template"),
            hint: t(lang, "itinerary-template-hint"),
            options: t_opts,
        },
    ];
    for i in 1..=TEMPLATE_STEPS {
        let field = format!("step-{i}");
        fields.push(select(
            lang,
            &field,
            "",
            code_options(
                lang,
                StepKind::ALL,
                StepKind::code,
                StepKind::label_key,
                &f.get(&field),
                Some("emp-no-step"),
            ),
        ));
        if let Some(FormField::Select { label, .. }) = fields.last_mut() {
            *label = t_args(lang, "template-step", &[("n", &i.to_string())]);
        }
    }
    Ok(form(
        page,
        lang,
        "itinerary-new-title",
        caption,
        back_to_file(id),
        format!("/people/{id}/itineraries/new"),
        "itinerary-form",
        Vec::new(),
        fields,
        "itinerary-save",
    ))
}

pub async fn itinerary_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let page = itinerary_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        id,
        person_name(&file.person),
        &Fields::empty(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn itinerary_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = ItineraryInput {
        programme: f.get("programme"),
        template: f.get("template"),
        steps: (1..=TEMPLATE_STEPS)
            .map(|i| f.get(&format!("step-{i}")))
            .filter(|s| !s.trim().is_empty())
            .collect(),
    };
    match svc::open_itinerary(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "itinerary-opened", "itineraries-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "programme")?;
            let errors = place_errors(errors, &[], &["programme", "template"], "step-1");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = itinerary_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                person_name(&file.person),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

async fn itinerary_person(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: ItineraryId,
) -> Result<svc::EmploymentFile, HtmlError> {
    let it = elkarlan_store::itineraries::get_itinerary(&state.store, actor.tenant, id)
        .await
        .map_err(store_err(ctx))?;
    file_for_form(state, ctx, actor, it.person_id).await
}

fn step_form(
    lang: Lang,
    page: PageCtx,
    id: ItineraryId,
    person: PersonId,
    caption: String,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "step-new-title",
        caption,
        back_to_file(person),
        format!("/itineraries/{id}/steps/new"),
        "step-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "step-kind",
                code_options(
                    lang,
                    StepKind::ALL,
                    StepKind::code,
                    StepKind::label_key,
                    &f.get("kind"),
                    Some("emp-choose"),
                ),
            ),
            date_field(lang, "planned_on", "step-planned-on", f),
        ],
        "step-add-save",
    )
}

pub async fn step_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let file = itinerary_person(&state, &ctx, &actor, id).await?;
    let page = step_form(
        ctx.lang,
        ctx.page(),
        id,
        file.person.id,
        person_name(&file.person),
        &Fields::empty(),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn step_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let input = StepInput {
        kind: f.get("kind"),
        planned_on: date_value(&f, "planned_on"),
    };
    let result = svc::add_step(&state, &actor, &ctx.meta, id, &input).await;
    let file = itinerary_person(&state, &ctx, &actor, id).await?;
    match result {
        Ok(_) => Ok(file_done(
            file.person.id,
            "step-saved",
            "itineraries-heading",
        )),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind")?;
            let errors = place_errors(errors, &["planned_on"], &["kind"], "kind");
            let page = step_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                file.person.id,
                person_name(&file.person),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

/// A step's status from the file page's small form. The dates follow the status: started
/// today when work begins, completed today when it is done, unless already recorded.
pub async fn step_update_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_step)): Path<(String, String)>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let step: ItineraryStepId = parse_path(&ctx, &raw_step)?;
    let it = elkarlan_store::itineraries::get_itinerary(&state.store, actor.tenant, id)
        .await
        .map_err(store_err(&ctx))?;
    // A step not in the itinerary is the service's to refuse: it decides the caller's
    // relationship first, so an unrelated caller's attempt is recorded as refused.
    let current = it.steps.iter().find(|s| s.id == step);
    let started_on = current.and_then(|c| c.started_on.clone());
    let status = f.get("status");
    let today = svc::today().to_string();
    let started = match status.as_str() {
        "in_progress" | "done" => started_on.or(Some(today.clone())),
        _ => started_on,
    };
    let completed = match status.as_str() {
        "done" => current.and_then(|c| c.completed_on.clone()).or(Some(today)),
        _ => None,
    };
    let input = StepUpdateInput {
        status,
        started_on: started.unwrap_or_default(),
        completed_on: completed.unwrap_or_default(),
        version: f.get("version").parse().unwrap_or(0),
    };
    match svc::update_step(&state, &actor, &ctx.meta, id, step, &input).await {
        Ok(()) => Ok(file_done(it.person_id, "step-saved", "itineraries-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "status")?;
            // The small form lives on the file page: show the file, linking to the step.
            let errors = place_errors(errors, &[], &[], &format!("step-{step}"));
            let page = file_view(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                it.person_id,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Enrolment -------------------------------------------------------------------------------------

async fn enrol_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    file: &svc::EmploymentFile,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let id = file.person.id;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(err(ctx))?;
    let chosen = f.get("action");
    let mut a_opts = vec![option("", t(lang, "emp-choose"), &chosen)];
    for p in &programmes {
        let actions = elkarlan_store::programmes::actions(&state.store, actor.tenant, p.id)
            .await
            .map_err(store_err(ctx))?;
        for a in actions.iter().filter(|a| {
            matches!(
                a.status,
                TrainingStatus::Planned | TrainingStatus::Open | TrainingStatus::InProgress
            )
        }) {
            // Labelled with the programme, the dates and the places left, to choose well.
            a_opts.push(option(
                &a.id.to_string(),
                t_args(
                    lang,
                    "enrol-action-option",
                    &[
                        ("programme", p.name(lang)),
                        ("title", a.title(lang)),
                        ("from", &a.starts_on),
                        ("to", &a.ends_on),
                        ("free", &(a.places - a.enrolled).max(0).to_string()),
                    ],
                ),
                &chosen,
            ));
        }
    }
    let chosen_i = f.get("itinerary");
    let mut i_opts = vec![option("", t(lang, "emp-none"), &chosen_i)];
    i_opts.extend(
        file.itineraries
            .iter()
            .filter(|i| i.status == elkarlan_domain::employment::codes::ItineraryStatus::Active)
            .map(|i| {
                let name = i
                    .programme_id
                    .and_then(|p| programmes.iter().find(|x| x.id == p))
                    .map_or_else(
                        || t(lang, "itinerary-no-programme"),
                        |p| p.name(lang).to_owned(),
                    );
                option(
                    &i.id.to_string(),
                    format!("{name} ({})", i.opened_at.to_datetime().format("%Y-%m-%d")),
                    &chosen_i,
                )
            }),
    );
    Ok(form(
        page,
        lang,
        "enrol-title",
        person_name(&file.person),
        back_to_file(id),
        format!("/people/{id}/enrolments/new"),
        "enrol-form",
        Vec::new(),
        vec![
            select(lang, "action", "enrol-action", a_opts),
            select(lang, "itinerary", "enrol-itinerary", i_opts),
        ],
        "enrol-save",
    ))
}

pub async fn enrol_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let page = enrol_form(&state, &ctx, &actor, ctx.page(), &file, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = EnrolInput {
        action: f.get("action"),
        itinerary: f.get("itinerary"),
    };
    match svc::enrol(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "enrolled", "enrolments-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "action")?;
            let errors = place_errors(errors, &[], &["itinerary"], "action");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = enrol_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                &file,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Placements and follow-ups ----------------------------------------------------------------------

const PLACEMENT_FIELDS: [&str; 9] = [
    "employer",
    "employer_organisation",
    "social_clause",
    "contract_type",
    "weekly_hours",
    "occupation",
    "occupation_code",
    "sector",
    "itinerary",
];

/// The directory's organisations and the social clauses, for the placement form's links.
pub struct PlacementLinks {
    pub organisations: Vec<(elkarlan_domain::OrganisationId, String)>,
    pub clauses: Vec<(elkarlan_domain::SocialClauseId, String)>,
}

/// Called after the person's file was authorized.
async fn placement_links(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<PlacementLinks, HtmlError> {
    let err = |e: elkarlan_store::StoreError| HtmlError::from_store(ctx.page(), &e);
    Ok(PlacementLinks {
        organisations: elkarlan_store::organisations::choices(&state.store, actor.tenant)
            .await
            .map_err(err)?,
        clauses: elkarlan_store::commitments::clause_choices(&state.store, actor.tenant)
            .await
            .map_err(err)?,
    })
}

fn placement_form(
    lang: Lang,
    page: PageCtx,
    file: &svc::EmploymentFile,
    links: &PlacementLinks,
    f: &Fields,
) -> FormPage {
    let id = file.person.id;
    let chosen_o = f.get("employer_organisation");
    let mut o_opts = vec![option("", t(lang, "emp-none"), &chosen_o)];
    o_opts.extend(
        links
            .organisations
            .iter()
            .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen_o)),
    );
    let chosen_c = f.get("social_clause");
    let mut c_opts = vec![option("", t(lang, "emp-none"), &chosen_c)];
    c_opts.extend(
        links
            .clauses
            .iter()
            .map(|(c, name)| option(&c.to_string(), name.clone(), &chosen_c)),
    );
    let chosen_i = f.get("itinerary");
    let mut i_opts = vec![option("", t(lang, "emp-none"), &chosen_i)];
    i_opts.extend(file.itineraries.iter().map(|i| {
        option(
            &i.id.to_string(),
            t_args(
                lang,
                "itinerary-opened-on",
                &[(
                    "date",
                    &i.opened_at.to_datetime().format("%Y-%m-%d").to_string(),
                )],
            ),
            &chosen_i,
        )
    }));
    let fields = vec![
        text(
            lang,
            "employer",
            "placement-employer",
            "placement-employer-hint",
            f,
        ),
        FormField::Select {
            id: "employer_organisation".into(),
            label: t(lang, "placement-employer-organisation"),
            hint: t(lang, "placement-employer-organisation-hint"),
            options: o_opts,
        },
        FormField::Select {
            id: "social_clause".into(),
            label: t(lang, "placement-clause-link"),
            hint: t(lang, "placement-clause-link-hint"),
            options: c_opts,
        },
        select(
            lang,
            "contract_type",
            "placement-contract-type",
            code_options(
                lang,
                ContractType::ALL,
                ContractType::code,
                ContractType::label_key,
                &f.get("contract_type"),
                Some("emp-choose"),
            ),
        ),
        date_field(lang, "starts_on", "emp-starts-on", f),
        FormField::Date {
            id: "ends_on".into(),
            legend: t(lang, "emp-ends-on"),
            hint: t(lang, "placement-ends-hint"),
            day: f.get("ends_on-day"),
            month: f.get("ends_on-month"),
            year: f.get("ends_on-year"),
        },
        narrow(
            lang,
            "weekly_hours",
            "placement-weekly-hours",
            "placement-weekly-hours-hint",
            f,
        ),
        FormField::Select {
            id: "occupation".into(),
            label: t(lang, "placement-occupation"),
            hint: t(lang, "placement-occupation-hint"),
            options: occupation_options(lang, &f.get("occupation")),
        },
        narrow(
            lang,
            "occupation_code",
            "placement-occupation-code",
            "placement-occupation-code-hint",
            f,
        ),
        select(
            lang,
            "sector",
            "placement-sector",
            code_options(
                lang,
                Sector::ALL,
                Sector::code,
                Sector::label_key,
                &f.get("sector"),
                Some("emp-choose"),
            ),
        ),
        select(lang, "itinerary", "enrol-itinerary", i_opts),
    ];
    form(
        page,
        lang,
        "placement-new-title",
        person_name(&file.person),
        back_to_file(id),
        format!("/people/{id}/placements/new"),
        "placement-form",
        Vec::new(),
        fields,
        "placement-save",
    )
}

pub async fn placement_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let links = placement_links(&state, &ctx, &actor).await?;
    let page = placement_form(ctx.lang, ctx.page(), &file, &links, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn placement_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    // A typed ESCO code, when given, stands for any occupation outside the list.
    let typed = f.get("occupation_code");
    let input = PlacementInput {
        employer: f.get("employer"),
        contract_type: f.get("contract_type"),
        starts_on: date_value(&f, "starts_on"),
        ends_on: date_value(&f, "ends_on"),
        weekly_hours: f.get("weekly_hours"),
        occupation: if typed.trim().is_empty() {
            f.get("occupation")
        } else {
            typed.clone()
        },
        sector: f.get("sector"),
        itinerary: f.get("itinerary"),
        employer_organisation: f.get("employer_organisation"),
        social_clause: f.get("social_clause"),
    };
    match svc::record_placement(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "placement-recorded", "placements-heading")),
        Err(e) => {
            let (mut errors, status) = form_errors(&ctx, e, "employer")?;
            if !typed.trim().is_empty() {
                for er in &mut errors.0 {
                    if er.field == "occupation" {
                        er.field = "occupation_code".into();
                    }
                }
            }
            let errors = place_errors(
                errors,
                &["starts_on", "ends_on"],
                &PLACEMENT_FIELDS,
                "employer",
            );
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let links = placement_links(&state, &ctx, &actor).await?;
            let page = placement_form(ctx.lang, ctx.page().with_errors(&errors), &file, &links, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn follow_up_form(
    lang: Lang,
    page: PageCtx,
    placement: PlacementId,
    months: i64,
    person: PersonId,
    caption: String,
    f: &Fields,
) -> FormPage {
    let still = f.get("still_employed");
    let same = f.get("same_employer");
    let evidence = f.get("evidence");
    let yes_no = |id: &str, legend: &str, hint: &str, v: &str| FormField::Choices {
        id: id.to_owned(),
        kind: "radio",
        group: "radios",
        legend: t(lang, legend),
        hint: if hint.is_empty() {
            String::new()
        } else {
            t(lang, hint)
        },
        options: vec![
            choice("yes", t(lang, "emp-yes"), v == "yes"),
            choice("no", t(lang, "emp-no"), v == "no"),
        ],
    };
    let mut form_page = form(
        page,
        lang,
        "followup-title",
        caption,
        back_to_file(person),
        format!("/placements/{placement}/follow-ups/{months}"),
        "follow-up-form",
        Vec::new(),
        vec![
            date_field(lang, "checked_on", "followup-checked-on", f),
            yes_no("still_employed", "followup-still-employed", "", &still),
            yes_no(
                "same_employer",
                "followup-same-employer",
                "followup-same-hint",
                &same,
            ),
            FormField::Choices {
                id: "evidence".into(),
                kind: "radio",
                group: "radios",
                legend: t(lang, "followup-evidence"),
                hint: String::new(),
                options: FollowUpEvidence::ALL
                    .iter()
                    .map(|e| choice(e.code(), t(lang, &e.label_key()), evidence == e.code()))
                    .collect(),
            },
            textarea(lang, "note", "followup-note", "", f),
        ],
        "followup-save",
    );
    form_page.title = follow_up_label(lang, months);
    form_page
}

async fn placement_person(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PlacementId,
    months: i64,
) -> Result<svc::EmploymentFile, HtmlError> {
    let p = elkarlan_store::itineraries::get_placement(&state.store, actor.tenant, id)
        .await
        .map_err(store_err(ctx))?;
    let file = file_for_form(state, ctx, actor, p.person_id).await?;
    if !p.follow_ups.iter().any(|f| f.months == months) {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    Ok(file)
}

fn caption_for(file: &svc::EmploymentFile, id: PlacementId) -> String {
    let employer = file
        .placements
        .iter()
        .find(|p| p.id == id)
        .and_then(|p| p.employer.clone())
        .unwrap_or_default();
    if employer.is_empty() {
        person_name(&file.person)
    } else {
        format!("{} · {employer}", person_name(&file.person))
    }
}

pub async fn follow_up_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_months)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id: PlacementId = parse_path(&ctx, &raw)?;
    let months: i64 = parse_path(&ctx, &raw_months)?;
    let file = placement_person(&state, &ctx, &actor, id, months).await?;
    let page = follow_up_form(
        ctx.lang,
        ctx.page(),
        id,
        months,
        file.person.id,
        caption_for(&file, id),
        &Fields::empty(),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn follow_up_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_months)): Path<(String, String)>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: PlacementId = parse_path(&ctx, &raw)?;
    let months: i64 = parse_path(&ctx, &raw_months)?;
    let input = FollowUpInput {
        checked_on: date_value(&f, "checked_on"),
        still_employed: f.get("still_employed"),
        same_employer: f.get("same_employer"),
        evidence: f.get("evidence"),
        note: f.get("note"),
    };
    let result = svc::record_follow_up(&state, &actor, &ctx.meta, id, months, &input).await;
    let file = placement_person(&state, &ctx, &actor, id, months).await?;
    match result {
        Ok(()) => Ok(file_done(
            file.person.id,
            "follow-up-recorded",
            "placements-heading",
        )),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "checked_on-day")?;
            let errors = place_errors(errors, &["checked_on"], &[], "");
            let page = follow_up_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                months,
                file.person.id,
                caption_for(&file, id),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn follow_ups_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let due = svc::due_follow_ups(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let today = svc::today().to_string();
    let rows = due
        .iter()
        .map(|(d, p)| DueRow {
            person_id: p.id.to_string(),
            name: person_name(p),
            employer: d.employer.clone().unwrap_or_default(),
            label: follow_up_label(lang, d.follow_up.months),
            due: d.follow_up.due_on.clone(),
            overdue: d.follow_up.due_on < today,
            link: format!(
                "/placements/{}/follow-ups/{}",
                d.follow_up.placement_id, d.follow_up.months
            ),
        })
        .collect();
    let page = FollowUpsPage {
        ctx: ctx.page(),
        rows,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}
