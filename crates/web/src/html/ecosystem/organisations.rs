//! The directory of organisations: the list with its filters, an organisation's record, and its
//! form.

use super::{
    Notice, area_of, area_options, checkbox, code_options, date_field, eligibility_text, err, form,
    form_errors, form_label, may_manage, neighbourhoods, option, page, page_with, yes_no,
};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_pairs, date_value, parse_path};
use crate::html::form_fields::{narrow, select, text, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::ecosystem::{self as svc, ListQuery};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::codes::LegalForm;
use elkarlan_domain::ecosystem::organisation::{OrganisationInput, format_centi};
use elkarlan_domain::employment::codes::Sector;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{FieldErrors, Lang, OrganisationId};
use elkarlan_service::models::organisations::Organisation;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::ecosystem::{Cell, Table};
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};

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
    if crate::services::permits(&actor, elkarlan_domain::policy::Action::ManageEcosystem) {
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
    may_manage(&state, &ctx, &actor).await?;
    let p = organisation_form(&state, &ctx, &actor, ctx.page(), None, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
