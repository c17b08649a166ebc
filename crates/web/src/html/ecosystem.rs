//! Pages of the ecosystem: the directory of organisations (list with filters, a record with its
//! contacts, registers, relations, register entries, reserved-contract eligibility and social
//! audit figures), the pole's activities and the entrepreneurship projects, a CPV lookup, and the
//! directory's downloads (CSV/XLSX and Open Referral HSDS JSON). Handlers only translate between
//! forms and `services::ecosystem`.

use super::form::{Fields, date_pairs, date_value, field_errors, fields, parse_path, place_errors};
use super::form_fields::{narrow, select, text, textarea};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::ecosystem::{self as svc, ListQuery, StageInput};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use elkarlan_domain::ecosystem::codes::{
    LegalForm, PoleActivityKind, QualificationKind, RelationKind, VentureStage,
};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::eligibility::ReservedEligibility;
use elkarlan_domain::ecosystem::organisation::{
    OrganisationInput, PoleActivityInput, ProfileInput, QualificationInput, RelationInput,
    SupportInput, VentureInput, format_centi,
};
use elkarlan_domain::employment::codes::Sector;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::policy::{self, Action, Actor, Target};
use elkarlan_domain::{FieldErrors, Lang, OrganisationId, PoleActivityId, VentureId};
use elkarlan_service::models::organisations::Organisation;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::ecosystem::{Cell, EcoPage, Table};
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/organisations", get(list_page))
        .add("GET", "/organisations/new", get(new_page))
        .add("POST", "/organisations/new", post(new_submit))
        .add(
            "GET",
            "/organisations/{organisation}",
            get(organisation_page),
        )
        .add("GET", "/organisations/{organisation}/edit", get(edit_page))
        .add(
            "POST",
            "/organisations/{organisation}/edit",
            post(edit_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/relations/new",
            get(relation_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/relations/new",
            post(relation_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/qualifications/new",
            get(qualification_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/qualifications/new",
            post(qualification_submit),
        )
        .add(
            "GET",
            "/organisations/{organisation}/profiles/{year}",
            get(profile_page),
        )
        .add(
            "POST",
            "/organisations/{organisation}/profiles/{year}",
            post(profile_submit),
        )
        .add("GET", "/pole/activities", get(activities_page))
        .add("GET", "/pole/activities/new", get(activity_new_page))
        .add("POST", "/pole/activities/new", post(activity_new_submit))
        .add("GET", "/pole/activities/{activity}", get(activity_page))
        .add("GET", "/pole/ventures", get(ventures_page))
        .add("GET", "/pole/ventures/new", get(venture_new_page))
        .add("POST", "/pole/ventures/new", post(venture_new_submit))
        .add("GET", "/pole/ventures/{venture}", get(venture_page))
        .add("GET", "/pole/ventures/{venture}/stage", get(stage_page))
        .add("POST", "/pole/ventures/{venture}/stage", post(stage_submit))
        .add("GET", "/pole/ventures/{venture}/support", get(support_page))
        .add(
            "POST",
            "/pole/ventures/{venture}/support",
            post(support_submit),
        )
        .add("GET", "/cpv", get(cpv_page))
        .add(
            "GET",
            "/exports/organisations/{format}",
            get(export_organisations),
        )
        .add("GET", "/exports/hsds.json", get(export_hsds))
}

// ---------------------------------------------------------------------------------------------
// Helpers

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

fn may_manage(ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    policy::decide(
        actor,
        Action::ManageEcosystem,
        Target::tenant_wide(actor.tenant),
    )
    .map(|_| ())
    .map_err(|d| HtmlError::from_service(ctx, ServiceError::Forbidden(d)))
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

fn area_name(lang: Lang, a: &Area) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
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

// ---------------------------------------------------------------------------------------------
// The directory

pub async fn list_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let (list, errors) = match svc::list_organisations(&state, &actor, &ctx.meta, &q).await {
        Ok(list) => (list, FieldErrors::new()),
        Err(ServiceError::Invalid(e)) => (Vec::new(), e),
        Err(e) => return Err(err(&ctx)(e)),
    };
    let mut p = page(
        page_with(&ctx, &n).with_errors(&errors),
        t(lang, "eco-organisations-title"),
        "/home",
    );
    p.intro = t(lang, "eco-organisations-intro");
    if may_manage(&ctx, &actor).is_ok() {
        p.links = vec![
            (
                "/organisations/new".into(),
                t(lang, "eco-organisation-new-title"),
                "new-organisation",
            ),
            (
                "/pole/activities".into(),
                t(lang, "eco-activities-title"),
                "pole-activities",
            ),
            (
                "/pole/ventures".into(),
                t(lang, "eco-ventures-title"),
                "pole-ventures",
            ),
        ];
    }
    p.filter_action = "/organisations".into();
    let f = Fields::from_pairs(vec![("cpv".into(), q.cpv.clone())]);
    p.filters = vec![
        select(
            lang,
            "legal_form",
            "eco-legal-form",
            code_options(
                lang,
                LegalForm::ALL,
                LegalForm::code,
                LegalForm::label_key,
                &q.legal_form,
                Some("eco-any"),
            ),
        ),
        select(
            lang,
            "pole_member",
            "eco-pole-member",
            vec![
                option("", t(lang, "eco-any"), &q.pole_member),
                option("yes", t(lang, "eco-yes"), &q.pole_member),
                option("no", t(lang, "eco-no"), &q.pole_member),
            ],
        ),
        select(
            lang,
            "neighbourhood",
            "eco-neighbourhood",
            area_options(lang, &areas, &q.neighbourhood, "eco-any"),
        ),
        text(lang, "cpv", "eco-filter-cpv", "eco-filter-cpv-hint", &f),
        select(
            lang,
            "eligible",
            "eco-eligible",
            vec![
                option("", t(lang, "eco-any"), &q.eligible),
                option("yes", t(lang, "eco-yes"), &q.eligible),
            ],
        ),
    ];
    p.tables.push(Table {
        id: "organisations",
        title: String::new(),
        headers: vec![
            t(lang, "eco-col-name"),
            t(lang, "eco-tax-id"),
            t(lang, "eco-legal-form"),
            t(lang, "eco-neighbourhood"),
            t(lang, "eco-activities"),
            t(lang, "eco-pole-member"),
            t(lang, "eco-eligible"),
        ],
        rows: list
            .iter()
            .map(|(o, e)| {
                vec![
                    Cell::link(o.name.clone(), format!("/organisations/{}", o.id)),
                    Cell::text(o.tax_id.clone()),
                    Cell::text(form_label(lang, o.legal_form, &o.legal_label)),
                    Cell::text(area_of(lang, &areas, o.neighbourhood)),
                    Cell::text(
                        o.activities
                            .iter()
                            .map(|c| c.label(lang))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Cell::text(yes_no(lang, o.pole_member)),
                    Cell::text(yes_no(lang, e.is_some())),
                ]
            })
            .collect(),
        empty: t(lang, "eco-organisations-none"),
    });
    p.downloads = vec![
        ("/exports/organisations/csv".into(), "CSV".into()),
        ("/exports/organisations/xlsx".into(), "XLSX".into()),
        ("/exports/hsds.json".into(), "HSDS (JSON)".into()),
    ];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render(&ctx, &state, status, &p))
}

pub async fn organisation_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let d = svc::organisation(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let o = &d.organisation;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut p = page(page_with(&ctx, &n), o.name.clone(), "/organisations");
    p.caption = t(lang, "eco-organisation-caption");
    p.links = vec![
        (
            format!("/organisations/{id}/edit"),
            t(lang, "eco-organisation-edit-title"),
            "edit-organisation",
        ),
        (
            format!("/organisations/{id}/relations/new"),
            t(lang, "eco-relation-new-title"),
            "new-relation",
        ),
        (
            format!("/organisations/{id}/qualifications/new"),
            t(lang, "eco-qualification-new-title"),
            "new-qualification",
        ),
        (
            format!("/organisations/{id}/profiles/{}", svc::today().format("%Y")),
            t(lang, "eco-profile-title-current"),
            "profile-current",
        ),
    ];
    p.highlight = format!(
        "{}: {}",
        t(lang, "eco-eligible"),
        eligibility_text(lang, &d.eligibility)
    );
    p.facts = vec![
        (t(lang, "eco-tax-id"), o.tax_id.clone()),
        (
            t(lang, "eco-legal-form"),
            form_label(lang, o.legal_form, &o.legal_label),
        ),
        (t(lang, "eco-sector"), t(lang, &o.sector.label_key())),
        (
            t(lang, "eco-neighbourhood"),
            area_of(lang, &areas, o.neighbourhood),
        ),
        (t(lang, "eco-address"), opt(&o.address)),
        (t(lang, "eco-email"), opt(&o.email)),
        (t(lang, "eco-phone"), opt(&o.phone)),
        (t(lang, "eco-website"), opt(&o.website)),
        (t(lang, "eco-description"), opt(&o.description)),
        (
            t(lang, "eco-pole-member"),
            match (&o.pole_member, &o.pole_member_since) {
                (true, Some(s)) => t_args(lang, "eco-pole-member-since", &[("since", s)]),
                (m, _) => yes_no(lang, *m),
            },
        ),
    ];
    p.tables.push(Table {
        id: "activities",
        title: t(lang, "eco-activities"),
        headers: vec![t(lang, "eco-col-cpv"), t(lang, "eco-col-label")],
        rows: o
            .activities
            .iter()
            .map(|c| vec![Cell::text(c.code()), Cell::text(c.label(lang))])
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "registers",
        title: t(lang, "eco-registers"),
        headers: vec![t(lang, "eco-col-register"), t(lang, "eco-col-number")],
        rows: o
            .registers
            .iter()
            .map(|r| vec![Cell::text(r.register.clone()), Cell::text(r.number.clone())])
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "contacts",
        title: t(lang, "eco-contacts"),
        headers: vec![
            t(lang, "eco-col-name"),
            t(lang, "eco-col-role"),
            t(lang, "eco-email"),
            t(lang, "eco-phone"),
        ],
        rows: d
            .contacts
            .iter()
            .map(|c| {
                vec![
                    Cell::text(c.name.clone()),
                    Cell::text(opt(&c.role)),
                    Cell::text(opt(&c.email)),
                    Cell::text(opt(&c.phone)),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "qualifications",
        title: t(lang, "eco-qualifications"),
        headers: vec![
            t(lang, "eco-col-register"),
            t(lang, "eco-col-number"),
            t(lang, "eco-col-granted"),
            t(lang, "eco-col-expires"),
            t(lang, "eco-col-evidence"),
        ],
        rows: d
            .qualifications
            .iter()
            .map(|q| {
                vec![
                    Cell::text(t(lang, &q.kind.label_key())),
                    Cell::text(q.register_number.clone()),
                    Cell::text(q.granted_on.clone()),
                    Cell::text(opt(&q.expires_on)),
                    Cell::text(q.evidence.clone()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "relations",
        title: t(lang, "eco-relations"),
        headers: vec![
            t(lang, "eco-col-from"),
            t(lang, "eco-relation-kind"),
            t(lang, "eco-col-to"),
            t(lang, "eco-col-dates"),
        ],
        rows: d
            .relations
            .iter()
            .map(|r| {
                vec![
                    Cell::link(r.from_name.clone(), format!("/organisations/{}", r.from)),
                    Cell::text(t(lang, &r.kind.label_key())),
                    Cell::link(r.to_name.clone(), format!("/organisations/{}", r.to)),
                    Cell::text(format!(
                        "{} – {}",
                        r.starts_on,
                        r.ends_on.clone().unwrap_or_default()
                    )),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "profiles",
        title: t(lang, "eco-profiles"),
        headers: vec![
            t(lang, "eco-col-year"),
            t(lang, "eco-workforce"),
            t(lang, "eco-women"),
            t(lang, "eco-women-in-responsibility"),
            t(lang, "eco-hired-from-exclusion"),
            t(lang, "eco-permanent-contracts"),
            t(lang, "eco-salary-ratio"),
            t(lang, "eco-renewable"),
            t(lang, "eco-ethical-finance"),
        ],
        rows: d
            .profiles
            .iter()
            .map(|pr| {
                vec![
                    Cell::link(
                        pr.year.to_string(),
                        format!("/organisations/{id}/profiles/{}", pr.year),
                    ),
                    Cell::text(pr.workforce.to_string()),
                    Cell::text(pr.women.to_string()),
                    Cell::text(format!(
                        "{} / {}",
                        pr.women_in_responsibility, pr.people_in_responsibility
                    )),
                    Cell::text(pr.hired_from_exclusion.to_string()),
                    Cell::text(pr.permanent_contracts.to_string()),
                    Cell::text(pr.salary_ratio_centi.map(format_centi).unwrap_or_default()),
                    Cell::text(
                        pr.renewable_energy_percent
                            .map(|v| format!("{v} %"))
                            .unwrap_or_default(),
                    ),
                    Cell::text(yes_no(lang, pr.ethical_finance)),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    p.tables.push(Table {
        id: "pole-participation",
        title: t(lang, "eco-activities-title"),
        headers: vec![
            t(lang, "eco-col-date"),
            t(lang, "eco-col-title"),
            t(lang, "eco-col-people"),
        ],
        rows: d
            .activities
            .iter()
            .map(|(a, people)| {
                vec![
                    Cell::text(a.held_on.clone()),
                    Cell::link(
                        a.title(lang).to_owned(),
                        format!("/pole/activities/{}", a.id),
                    ),
                    Cell::text(people.to_string()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

fn organisation_fields(lang: Lang, areas: &[Area], f: &Fields) -> Vec<FormField> {
    vec![
        text(lang, "name", "eco-name", "", f),
        narrow(lang, "tax_id", "eco-tax-id", "eco-tax-id-hint", f),
        select(
            lang,
            "legal_form",
            "eco-legal-form",
            code_options(
                lang,
                LegalForm::ALL,
                LegalForm::code,
                LegalForm::label_key,
                &f.get("legal_form"),
                Some("eco-choose"),
            ),
        ),
        text(
            lang,
            "legal_label",
            "eco-legal-label",
            "eco-legal-label-hint",
            f,
        ),
        select(
            lang,
            "sector",
            "eco-sector",
            code_options(
                lang,
                Sector::ALL,
                Sector::code,
                Sector::label_key,
                &f.get("sector"),
                Some("eco-choose"),
            ),
        ),
        select(
            lang,
            "neighbourhood",
            "eco-neighbourhood",
            area_options(lang, areas, &f.get("neighbourhood"), "eco-none-chosen"),
        ),
        text(lang, "address", "eco-address", "", f),
        text(lang, "email", "eco-email", "", f),
        narrow(lang, "phone", "eco-phone", "", f),
        text(lang, "website", "eco-website", "", f),
        textarea(lang, "description", "eco-description", "", f),
        textarea(
            lang,
            "activities",
            "eco-activities",
            "eco-activities-hint",
            f,
        ),
        textarea(lang, "registers", "eco-registers", "eco-registers-hint", f),
        textarea(lang, "contacts", "eco-contacts", "eco-contacts-hint", f),
        checkbox(lang, "pole_member", "eco-pole-member", f),
        date_field(lang, "pole_member_since", "eco-pole-member-since-legend", f),
    ]
}

fn organisation_input(f: &Fields) -> OrganisationInput {
    OrganisationInput {
        name: f.get("name"),
        tax_id: f.get("tax_id"),
        legal_form: f.get("legal_form"),
        legal_label: f.get("legal_label"),
        sector: f.get("sector"),
        neighbourhood: f.get("neighbourhood"),
        address: f.get("address"),
        email: f.get("email"),
        phone: f.get("phone"),
        website: f.get("website"),
        description: f.get("description"),
        activities: vec![f.get("activities")],
        registers: f.get("registers"),
        contacts: f.get("contacts"),
        pole_member: f.get("pole_member") == "yes",
        pole_member_since: date_value(f, "pole_member_since"),
    }
}

async fn organisation_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page_ctx: PageCtx,
    existing: Option<(OrganisationId, i64)>,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let (title, back, action, hidden) = match existing {
        None => (
            t(lang, "eco-organisation-new-title"),
            "/organisations".to_owned(),
            "/organisations/new".to_owned(),
            Vec::new(),
        ),
        Some((id, version)) => (
            t(lang, "eco-organisation-edit-title"),
            format!("/organisations/{id}"),
            format!("/organisations/{id}/edit"),
            vec![("version".to_owned(), version.to_string())],
        ),
    };
    Ok(form(
        page_ctx,
        lang,
        title,
        t(lang, "eco-organisation-caption"),
        back,
        action,
        "organisation-form",
        hidden,
        organisation_fields(lang, &areas, f),
    ))
}

pub async fn new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&ctx, &actor)?;
    let p = organisation_form(&state, &ctx, &actor, ctx.page(), None, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    match svc::create_organisation(&state, &actor, &ctx.meta, &organisation_input(&f), None).await {
        Ok(id) => Ok(see_other(&format!(
            "/organisations/{id}?notice=organisation-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name", &["pole_member_since"])?;
            let p = organisation_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                None,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

fn organisation_values(
    o: &Organisation,
    contacts: &[elkarlan_domain::ecosystem::organisation::Contact],
) -> Fields {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut v: Vec<(String, String)> = vec![
        ("name".into(), o.name.clone()),
        ("tax_id".into(), o.tax_id.clone()),
        ("legal_form".into(), o.legal_form.code().into()),
        ("legal_label".into(), opt(&o.legal_label)),
        ("sector".into(), o.sector.code().into()),
        (
            "neighbourhood".into(),
            o.neighbourhood.map(|a| a.to_string()).unwrap_or_default(),
        ),
        ("address".into(), opt(&o.address)),
        ("email".into(), opt(&o.email)),
        ("phone".into(), opt(&o.phone)),
        ("website".into(), opt(&o.website)),
        ("description".into(), opt(&o.description)),
        (
            "activities".into(),
            o.activities
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "registers".into(),
            o.registers
                .iter()
                .map(|r| format!("{}; {}", r.register, r.number))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        (
            "contacts".into(),
            contacts
                .iter()
                .map(|c| {
                    format!(
                        "{}; {}; {}; {}",
                        c.name,
                        opt(&c.role),
                        opt(&c.email),
                        opt(&c.phone)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    if o.pole_member {
        v.push(("pole_member".into(), "yes".into()));
    }
    if let Some(s) = &o.pole_member_since {
        date_pairs("pole_member_since", s, &mut v);
    }
    Fields::from_pairs(v)
}

pub async fn edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let (o, contacts) = svc::organisation_for_edit(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let f = organisation_values(&o, &contacts);
    let p = organisation_form(&state, &ctx, &actor, ctx.page(), Some((id, o.version)), &f).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_organisation(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &organisation_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/organisations/{id}?notice=organisation-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name", &["pole_member_since"])?;
            let p = organisation_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                Some((id, version)),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

// Relations, qualifications, profiles ----------------------------------------------------------

async fn other_organisations(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    chosen: &str,
) -> Result<Vec<SelectOption>, HtmlError> {
    let all = svc::directory(state, actor, &ctx.meta)
        .await
        .map_err(err(ctx))?;
    let mut out = vec![option("", t(ctx.lang, "eco-choose"), chosen)];
    out.extend(all.iter().map(|o| {
        option(
            &o.id.to_string(),
            format!("{} ({})", o.name, o.tax_id),
            chosen,
        )
    }));
    Ok(out)
}

async fn relation_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page_ctx: PageCtx,
    id: OrganisationId,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let others = other_organisations(state, ctx, actor, &f.get("to")).await?;
    Ok(form(
        page_ctx,
        lang,
        t(lang, "eco-relation-new-title"),
        t(lang, "eco-organisation-caption"),
        format!("/organisations/{id}"),
        format!("/organisations/{id}/relations/new"),
        "relation-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "eco-relation-kind",
                code_options(
                    lang,
                    RelationKind::ALL,
                    RelationKind::code,
                    RelationKind::label_key,
                    &f.get("kind"),
                    Some("eco-choose"),
                ),
            ),
            select(lang, "to", "eco-relation-to", others),
            date_field(lang, "starts_on", "eco-starts-on", f),
            date_field(lang, "ends_on", "eco-ends-on", f),
        ],
    ))
}

pub async fn relation_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    may_manage(&ctx, &actor)?;
    let p = relation_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn relation_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let input = RelationInput {
        kind: f.get("kind"),
        to: f.get("to"),
        starts_on: date_value(&f, "starts_on"),
        ends_on: date_value(&f, "ends_on"),
    };
    match svc::add_relation(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/organisations/{id}?notice=relation-added"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind", &["starts_on", "ends_on"])?;
            let p = relation_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

fn qualification_form(ctx: &Ctx, page_ctx: PageCtx, id: OrganisationId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page_ctx,
        lang,
        t(lang, "eco-qualification-new-title"),
        t(lang, "eco-organisation-caption"),
        format!("/organisations/{id}"),
        format!("/organisations/{id}/qualifications/new"),
        "qualification-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "eco-qualification-kind",
                code_options(
                    lang,
                    QualificationKind::ALL,
                    QualificationKind::code,
                    QualificationKind::label_key,
                    &f.get("kind"),
                    Some("eco-choose"),
                ),
            ),
            narrow(lang, "register_number", "eco-col-number", "", f),
            date_field(lang, "granted_on", "eco-col-granted", f),
            date_field(lang, "expires_on", "eco-col-expires", f),
            textarea(lang, "evidence", "eco-col-evidence", "eco-evidence-hint", f),
        ],
    )
}

pub async fn qualification_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    may_manage(&ctx, &actor)?;
    let p = qualification_form(&ctx, ctx.page(), id, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn qualification_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let input = QualificationInput {
        kind: f.get("kind"),
        register_number: f.get("register_number"),
        granted_on: date_value(&f, "granted_on"),
        expires_on: date_value(&f, "expires_on"),
        evidence: f.get("evidence"),
    };
    match svc::add_qualification(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/organisations/{id}?notice=qualification-added"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind", &["granted_on", "expires_on"])?;
            let p = qualification_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

fn profile_form(
    ctx: &Ctx,
    page_ctx: PageCtx,
    id: OrganisationId,
    name: &str,
    year: i32,
    f: &Fields,
) -> FormPage {
    let lang = ctx.lang;
    form(
        page_ctx,
        lang,
        t_args(lang, "eco-profile-title", &[("year", &year.to_string())]),
        name.to_owned(),
        format!("/organisations/{id}"),
        format!("/organisations/{id}/profiles/{year}"),
        "profile-form",
        Vec::new(),
        vec![
            narrow(lang, "workforce", "eco-workforce", "", f),
            narrow(lang, "women", "eco-women", "", f),
            narrow(
                lang,
                "people_in_responsibility",
                "eco-people-in-responsibility",
                "",
                f,
            ),
            narrow(
                lang,
                "women_in_responsibility",
                "eco-women-in-responsibility",
                "",
                f,
            ),
            narrow(
                lang,
                "hired_from_exclusion",
                "eco-hired-from-exclusion",
                "",
                f,
            ),
            narrow(
                lang,
                "permanent_contracts",
                "eco-permanent-contracts",
                "",
                f,
            ),
            narrow(
                lang,
                "salary_ratio",
                "eco-salary-ratio",
                "eco-salary-ratio-hint",
                f,
            ),
            narrow(lang, "renewable_energy_percent", "eco-renewable", "", f),
            checkbox(lang, "ethical_finance", "eco-ethical-finance", f),
            narrow(lang, "turnover", "eco-turnover", "eco-euros-hint", f),
            narrow(lang, "volunteers", "eco-volunteers", "", f),
        ],
    )
}

fn parse_year(ctx: &Ctx, raw: &str) -> Result<i32, HtmlError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| HtmlError::new(ctx.page(), StatusCode::NOT_FOUND))
}

pub async fn profile_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, year)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let year = parse_year(&ctx, &year)?;
    let (o, prof) = svc::profile(&state, &actor, &ctx.meta, id, year)
        .await
        .map_err(err(&ctx))?;
    may_manage(&ctx, &actor)?;
    let mut v: Vec<(String, String)> = Vec::new();
    if let Some(p) = prof {
        let opt = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
        v = vec![
            ("workforce".into(), p.workforce.to_string()),
            ("women".into(), p.women.to_string()),
            (
                "women_in_responsibility".into(),
                p.women_in_responsibility.to_string(),
            ),
            (
                "people_in_responsibility".into(),
                p.people_in_responsibility.to_string(),
            ),
            (
                "hired_from_exclusion".into(),
                p.hired_from_exclusion.to_string(),
            ),
            (
                "permanent_contracts".into(),
                p.permanent_contracts.to_string(),
            ),
            (
                "salary_ratio".into(),
                p.salary_ratio_centi.map(format_centi).unwrap_or_default(),
            ),
            (
                "renewable_energy_percent".into(),
                opt(p.renewable_energy_percent),
            ),
            (
                "turnover".into(),
                p.turnover_cents.map(format_euros).unwrap_or_default(),
            ),
            ("volunteers".into(), opt(p.volunteers)),
        ];
        if p.ethical_finance {
            v.push(("ethical_finance".into(), "yes".into()));
        }
    }
    let p = profile_form(&ctx, ctx.page(), id, &o.name, year, &Fields::from_pairs(v));
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn profile_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, year)): Path<(String, String)>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let year = parse_year(&ctx, &year)?;
    let input = ProfileInput {
        workforce: f.get("workforce"),
        women: f.get("women"),
        women_in_responsibility: f.get("women_in_responsibility"),
        people_in_responsibility: f.get("people_in_responsibility"),
        hired_from_exclusion: f.get("hired_from_exclusion"),
        permanent_contracts: f.get("permanent_contracts"),
        salary_ratio: f.get("salary_ratio"),
        renewable_energy_percent: f.get("renewable_energy_percent"),
        ethical_finance: f.get("ethical_finance") == "yes",
        turnover: f.get("turnover"),
        volunteers: f.get("volunteers"),
    };
    match svc::save_profile(&state, &actor, &ctx.meta, id, year, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/organisations/{id}?notice=profile-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "workforce", &[])?;
            let p = profile_form(&ctx, ctx.page().with_errors(&errors), id, "", year, &f);
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

// The pole ----------------------------------------------------------------------------------

pub async fn activities_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::activities(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let mut p = page(
        page_with(&ctx, &n),
        t(lang, "eco-activities-title"),
        "/organisations",
    );
    p.intro = t(lang, "eco-activities-intro");
    p.links = vec![(
        "/pole/activities/new".into(),
        t(lang, "eco-activity-new-title"),
        "new-activity",
    )];
    p.tables.push(Table {
        id: "pole-activities",
        title: String::new(),
        headers: vec![
            t(lang, "eco-col-date"),
            t(lang, "eco-col-title"),
            t(lang, "eco-activity-kind"),
            t(lang, "eco-neighbourhood"),
            t(lang, "eco-hours"),
            t(lang, "eco-attendees"),
            t(lang, "eco-col-organisations"),
        ],
        rows: list
            .iter()
            .map(|a| {
                vec![
                    Cell::text(a.held_on.clone()),
                    Cell::link(
                        a.title(lang).to_owned(),
                        format!("/pole/activities/{}", a.id),
                    ),
                    Cell::text(t(lang, &a.kind.label_key())),
                    Cell::text(area_of(lang, &areas, a.neighbourhood)),
                    Cell::text(format_centi(a.hours_centi)),
                    Cell::text(a.attendees.to_string()),
                    Cell::text(a.participants.len().to_string()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn activity_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: PoleActivityId = parse_path(&ctx, &raw)?;
    let a = svc::activity(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let mut p = page(
        page_with(&ctx, &n),
        a.title(lang).to_owned(),
        "/pole/activities",
    );
    p.caption = t(lang, "eco-activities-title");
    p.facts = vec![
        (t(lang, "eco-activity-kind"), t(lang, &a.kind.label_key())),
        (t(lang, "eco-col-date"), a.held_on.clone()),
        (
            t(lang, "eco-neighbourhood"),
            area_of(lang, &areas, a.neighbourhood),
        ),
        (t(lang, "eco-hours"), format_centi(a.hours_centi)),
        (t(lang, "eco-attendees"), a.attendees.to_string()),
    ];
    p.tables.push(Table {
        id: "participants",
        title: t(lang, "eco-participants"),
        headers: vec![t(lang, "eco-col-name"), t(lang, "eco-col-people")],
        rows: a
            .participants
            .iter()
            .map(|x| {
                vec![
                    Cell::link(x.name.clone(), format!("/organisations/{}", x.organisation)),
                    Cell::text(x.people.to_string()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

async fn activity_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page_ctx: PageCtx,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let areas = neighbourhoods(state, ctx, actor).await?;
    Ok(form(
        page_ctx,
        lang,
        t(lang, "eco-activity-new-title"),
        t(lang, "eco-activities-title"),
        "/pole/activities".into(),
        "/pole/activities/new".into(),
        "activity-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "eco-activity-kind",
                code_options(
                    lang,
                    PoleActivityKind::ALL,
                    PoleActivityKind::code,
                    PoleActivityKind::label_key,
                    &f.get("kind"),
                    Some("eco-choose"),
                ),
            ),
            text(lang, "title_eu", "eco-title-eu", "", f),
            text(lang, "title_es", "eco-title-es", "", f),
            date_field(lang, "held_on", "eco-col-date", f),
            select(
                lang,
                "neighbourhood",
                "eco-neighbourhood",
                area_options(lang, &areas, &f.get("neighbourhood"), "eco-none-chosen"),
            ),
            narrow(lang, "hours", "eco-hours", "eco-hours-hint", f),
            narrow(lang, "attendees", "eco-attendees", "", f),
            textarea(
                lang,
                "participants",
                "eco-participants",
                "eco-participants-hint",
                f,
            ),
        ],
    ))
}

pub async fn activity_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&ctx, &actor)?;
    let p = activity_form(&state, &ctx, &actor, ctx.page(), &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn activity_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let input = PoleActivityInput {
        kind: f.get("kind"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        held_on: date_value(&f, "held_on"),
        neighbourhood: f.get("neighbourhood"),
        hours: f.get("hours"),
        attendees: f.get("attendees"),
        participants: f.get("participants"),
    };
    match svc::create_activity(&state, &actor, &ctx.meta, &input).await {
        Ok(id) => Ok(see_other(&format!(
            "/pole/activities/{id}?notice=activity-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind", &["held_on"])?;
            let p =
                activity_form(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f).await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

pub async fn ventures_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::ventures(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let mut p = page(
        page_with(&ctx, &n),
        t(lang, "eco-ventures-title"),
        "/organisations",
    );
    p.intro = t(lang, "eco-ventures-intro");
    p.links = vec![(
        "/pole/ventures/new".into(),
        t(lang, "eco-venture-new-title"),
        "new-venture",
    )];
    p.tables.push(Table {
        id: "ventures",
        title: String::new(),
        headers: vec![
            t(lang, "eco-col-name"),
            t(lang, "eco-venture-stage"),
            t(lang, "eco-started-on"),
            t(lang, "eco-promoters"),
            t(lang, "eco-hours"),
            t(lang, "eco-col-amount"),
        ],
        rows: list
            .iter()
            .map(|v| {
                vec![
                    Cell::link(v.name.clone(), format!("/pole/ventures/{}", v.id)),
                    Cell::text(t(lang, &v.stage.label_key())),
                    Cell::text(v.started_on.clone()),
                    Cell::text(v.promoters.to_string()),
                    Cell::text(format_centi(v.support_hours_centi())),
                    Cell::text(euros(lang, v.support_cents())),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn venture_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: VentureId = parse_path(&ctx, &raw)?;
    let v = svc::venture(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let mut p = page(page_with(&ctx, &n), v.name.clone(), "/pole/ventures");
    p.caption = t(lang, "eco-ventures-title");
    p.links = vec![(
        format!("/pole/ventures/{id}/support"),
        t(lang, "eco-support-new-title"),
        "add-support",
    )];
    if v.stage != VentureStage::Operating {
        p.links.insert(
            0,
            (
                format!("/pole/ventures/{id}/stage"),
                t(lang, "eco-stage-title"),
                "move-stage",
            ),
        );
    }
    p.facts = vec![
        (t(lang, "eco-venture-stage"), t(lang, &v.stage.label_key())),
        (t(lang, "eco-started-on"), v.started_on.clone()),
        (
            t(lang, "eco-neighbourhood"),
            area_of(lang, &areas, v.neighbourhood),
        ),
        (
            t(lang, "eco-intended-form"),
            v.intended_form
                .map(|f| t(lang, &f.label_key()))
                .unwrap_or_default(),
        ),
        (t(lang, "eco-promoters"), v.promoters.to_string()),
        (
            t(lang, "eco-venture-organisation"),
            v.organisation_name.clone().unwrap_or_default(),
        ),
    ];
    p.tables.push(Table {
        id: "support",
        title: t(lang, "eco-support"),
        headers: vec![
            t(lang, "eco-col-date"),
            t(lang, "eco-support-given"),
            t(lang, "eco-hours"),
            t(lang, "eco-col-amount"),
        ],
        rows: v
            .support
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.given_on.clone()),
                    Cell::text(s.support.clone()),
                    Cell::text(format_centi(s.hours_centi)),
                    Cell::text(euros(lang, s.amount_cents)),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

async fn venture_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page_ctx: PageCtx,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let areas = neighbourhoods(state, ctx, actor).await?;
    Ok(form(
        page_ctx,
        lang,
        t(lang, "eco-venture-new-title"),
        t(lang, "eco-ventures-title"),
        "/pole/ventures".into(),
        "/pole/ventures/new".into(),
        "venture-form",
        Vec::new(),
        vec![
            text(lang, "name", "eco-name", "", f),
            select(
                lang,
                "stage",
                "eco-venture-stage",
                code_options(
                    lang,
                    VentureStage::ALL,
                    VentureStage::code,
                    VentureStage::label_key,
                    &f.get("stage"),
                    None,
                ),
            ),
            date_field(lang, "started_on", "eco-started-on", f),
            select(
                lang,
                "neighbourhood",
                "eco-neighbourhood",
                area_options(lang, &areas, &f.get("neighbourhood"), "eco-none-chosen"),
            ),
            select(
                lang,
                "intended_form",
                "eco-intended-form",
                code_options(
                    lang,
                    LegalForm::ALL,
                    LegalForm::code,
                    LegalForm::label_key,
                    &f.get("intended_form"),
                    Some("eco-none-chosen"),
                ),
            ),
            narrow(lang, "promoters", "eco-promoters", "", f),
        ],
    ))
}

pub async fn venture_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&ctx, &actor)?;
    let p = venture_form(&state, &ctx, &actor, ctx.page(), &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn venture_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let input = VentureInput {
        name: f.get("name"),
        stage: f.get("stage"),
        neighbourhood: f.get("neighbourhood"),
        started_on: date_value(&f, "started_on"),
        intended_form: f.get("intended_form"),
        promoters: f.get("promoters"),
    };
    match svc::create_venture(&state, &actor, &ctx.meta, &input).await {
        Ok(id) => Ok(see_other(&format!(
            "/pole/ventures/{id}?notice=venture-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name", &["started_on"])?;
            let p = venture_form(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f).await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

fn stage_form(ctx: &Ctx, page_ctx: PageCtx, id: VentureId, name: &str, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page_ctx,
        lang,
        t(lang, "eco-stage-title"),
        name.to_owned(),
        format!("/pole/ventures/{id}"),
        format!("/pole/ventures/{id}/stage"),
        "stage-form",
        Vec::new(),
        vec![
            select(
                lang,
                "stage",
                "eco-venture-stage",
                code_options(
                    lang,
                    VentureStage::ALL,
                    VentureStage::code,
                    VentureStage::label_key,
                    &f.get("stage"),
                    Some("eco-choose"),
                ),
            ),
            narrow(
                lang,
                "organisation_tax_id",
                "eco-venture-organisation-tax-id",
                "eco-venture-organisation-hint",
                f,
            ),
        ],
    )
}

pub async fn stage_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: VentureId = parse_path(&ctx, &raw)?;
    let v = svc::venture(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    may_manage(&ctx, &actor)?;
    let p = stage_form(&ctx, ctx.page(), id, &v.name, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn stage_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: VentureId = parse_path(&ctx, &raw)?;
    let input = StageInput {
        stage: f.get("stage"),
        organisation_tax_id: f.get("organisation_tax_id"),
    };
    match svc::move_stage(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/pole/ventures/{id}?notice=stage-moved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "stage", &[])?;
            let p = stage_form(&ctx, ctx.page().with_errors(&errors), id, "", &f);
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

fn support_form(ctx: &Ctx, page_ctx: PageCtx, id: VentureId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page_ctx,
        lang,
        t(lang, "eco-support-new-title"),
        t(lang, "eco-ventures-title"),
        format!("/pole/ventures/{id}"),
        format!("/pole/ventures/{id}/support"),
        "support-form",
        Vec::new(),
        vec![
            date_field(lang, "given_on", "eco-col-date", f),
            text(lang, "support", "eco-support-given", "", f),
            narrow(lang, "hours", "eco-hours", "eco-hours-hint", f),
            narrow(lang, "amount", "eco-col-amount", "eco-euros-hint", f),
        ],
    )
}

pub async fn support_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: VentureId = parse_path(&ctx, &raw)?;
    may_manage(&ctx, &actor)?;
    let p = support_form(&ctx, ctx.page(), id, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn support_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: VentureId = parse_path(&ctx, &raw)?;
    let input = SupportInput {
        given_on: date_value(&f, "given_on"),
        support: f.get("support"),
        hours: f.get("hours"),
        amount: f.get("amount"),
    };
    match svc::add_support(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/pole/ventures/{id}?notice=support-added"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "support", &["given_on"])?;
            let p = support_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &p))
        }
    }
}

// CPV lookup ------------------------------------------------------------------------------

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

// Downloads ---------------------------------------------------------------------------------

fn attachment(bytes: Vec<u8>, mime: &'static str, filename: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The directory as CSV or XLSX: the organisations' own data, never their contact people.
pub async fn export_organisations(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(format): Path<String>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    if format != "csv" && format != "xlsx" {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    let list = svc::directory(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let headers: Vec<String> = [
        "eco-name",
        "eco-tax-id",
        "eco-legal-form",
        "eco-sector",
        "eco-neighbourhood",
        "eco-address",
        "eco-email",
        "eco-phone",
        "eco-website",
        "eco-activities",
        "eco-registers",
        "eco-pole-member",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|o| {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            vec![
                o.name.clone(),
                o.tax_id.clone(),
                form_label(lang, o.legal_form, &o.legal_label),
                t(lang, &o.sector.label_key()),
                area_of(lang, &areas, o.neighbourhood),
                opt(&o.address),
                opt(&o.email),
                opt(&o.phone),
                opt(&o.website),
                o.activities
                    .iter()
                    .map(|c| cpv_text(lang, *c))
                    .collect::<Vec<_>>()
                    .join("; "),
                o.registers
                    .iter()
                    .map(|r| format!("{} {}", r.register, r.number))
                    .collect::<Vec<_>>()
                    .join("; "),
                yes_no(lang, o.pole_member),
            ]
        })
        .collect();
    let day = svc::today();
    if format == "csv" {
        Ok(attachment(
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
            &format!("organisations-{day}.csv"),
        ))
    } else {
        let bytes = elkarlan_tabular::write_xlsx("organisations", &headers, &rows)
            .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
        Ok(attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("organisations-{day}.xlsx"),
        ))
    }
}

/// The directory as Open Referral HSDS 3.0 JSON (organizations with their services, locations
/// and phones); no contact people.
pub async fn export_hsds(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let list = svc::directory(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let doc = crate::hsds::document(&list, ctx.lang);
    let body = serde_json::to_vec_pretty(&doc)
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
    Ok(attachment(body, "application/json", "hsds.json"))
}
