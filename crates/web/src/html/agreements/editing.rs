//! The agreement form: a new agreement, and editing one.

use super::PARTY_ROWS;
use crate::AppState;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{
    choice, code_options, date_field, form, narrow, option, select, text, textarea,
};
use crate::html::labels::area_name;
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::agreements::{self as svc, Choices};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::agreement::{AgreementInput, PartyInput};
use elkarlan_domain::ecosystem::codes::{AgreementKind, AgreementTarget, PartyRole};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::{AgreementId, Lang};
use elkarlan_service::models::agreements::Agreement;
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};

const AGREEMENT_DATES: [&str; 3] = ["starts_on", "ends_on", "signed_on"];

const AGREEMENT_FIELDS: [&str; 8] = [
    "kind",
    "title_eu",
    "title_es",
    "scope",
    "neighbourhoods",
    "target_groups",
    "budget",
    "renewal_notice_days",
];

fn agreement_input(f: &Fields) -> AgreementInput {
    AgreementInput {
        kind: f.get("kind"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        scope: f.get("scope"),
        parties: (1..=PARTY_ROWS)
            .map(|i| PartyInput {
                organisation: f.get(&format!("party_organisation_{i}")),
                role: f.get(&format!("party_role_{i}")),
            })
            .collect(),
        neighbourhoods: f.all("neighbourhoods"),
        target_groups: f.all("target_groups"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        signed_on: date_value(f, "signed_on"),
        budget: f.get("budget"),
        renewal_notice_days: f.get("renewal_notice_days"),
    }
}

fn agreement_fields(lang: Lang, c: &Choices, f: &Fields) -> Vec<FormField> {
    let chosen_areas = f.all("neighbourhoods");
    let groups = f.all("target_groups");
    let mut out = vec![
        select(
            lang,
            "kind",
            "agreement-kind",
            code_options(
                lang,
                AgreementKind::ALL,
                AgreementKind::code,
                AgreementKind::label_key,
                &f.get("kind"),
                Some("emp-choose"),
            ),
        ),
        text(lang, "title_eu", "agreement-title-eu", "", f),
        text(lang, "title_es", "agreement-title-es", "", f),
        textarea(lang, "scope", "agreement-scope", "agreement-scope-hint", f),
        FormField::Heading(t(lang, "agreement-parties")),
    ];
    for i in 1..=PARTY_ROWS {
        let org_id = format!("party_organisation_{i}");
        let chosen = f.get(&org_id);
        let mut opts = vec![option("", t(lang, "emp-none"), &chosen)];
        opts.extend(
            c.organisations
                .iter()
                .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen)),
        );
        out.push(FormField::Select {
            id: org_id,
            label: t_args(lang, "agreement-party-n", &[("n", &i.to_string())]),
            hint: if i == 1 {
                t(lang, "agreement-parties-hint")
            } else {
                String::new()
            },
            options: opts,
        });
        let role_id = format!("party_role_{i}");
        out.push(FormField::Select {
            id: role_id.clone(),
            label: t_args(lang, "agreement-party-role-n", &[("n", &i.to_string())]),
            hint: String::new(),
            options: code_options(
                lang,
                PartyRole::ALL,
                PartyRole::code,
                PartyRole::label_key,
                &f.get(&role_id),
                Some("emp-choose"),
            ),
        });
    }
    out.push(FormField::Choices {
        id: "neighbourhoods".into(),
        kind: "checkbox",
        group: "checkboxes",
        legend: t(lang, "agreement-neighbourhoods"),
        hint: String::new(),
        options: c
            .areas
            .iter()
            .filter(|a| a.kind == "neighbourhood")
            .map(|a| {
                let v = a.id.to_string();
                let checked = chosen_areas.contains(&v);
                choice(&v, area_name(lang, a), checked)
            })
            .collect(),
    });
    out.push(FormField::Choices {
        id: "target_groups".into(),
        kind: "checkbox",
        group: "checkboxes",
        legend: t(lang, "agreement-target-groups"),
        hint: String::new(),
        options: AgreementTarget::ALL
            .iter()
            .map(|g| {
                choice(
                    g.code(),
                    t(lang, &g.label_key()),
                    groups.iter().any(|x| x == g.code()),
                )
            })
            .collect(),
    });
    out.push(date_field(lang, "starts_on", "agreement-starts-on", f));
    out.push(date_field(lang, "ends_on", "agreement-ends-on", f));
    out.push(date_field(lang, "signed_on", "agreement-signed-on", f));
    out.push(narrow(
        lang,
        "budget",
        "agreement-budget",
        "agreement-budget-hint",
        f,
    ));
    out.push(narrow(
        lang,
        "renewal_notice_days",
        "agreement-renewal-notice",
        "agreement-renewal-notice-hint",
        f,
    ));
    out
}

fn agreement_errors(errors: elkarlan_domain::FieldErrors) -> elkarlan_domain::FieldErrors {
    let mut moved = elkarlan_domain::FieldErrors::new();
    for e in errors.0 {
        let field = if e.field == "parties" {
            "party_organisation_1".to_owned()
        } else {
            e.field
        };
        moved.add(&field, e.key);
    }
    place_errors(moved, &AGREEMENT_DATES, &AGREEMENT_FIELDS, "")
}

fn agreement_form(
    lang: Lang,
    page: PageCtx,
    c: &Choices,
    edit: Option<(AgreementId, i64)>,
    f: &Fields,
) -> FormPage {
    let fields = agreement_fields(lang, c, f);
    match edit {
        None => form(
            page,
            lang,
            "agreement-new-title",
            t(lang, "agreements-title"),
            "/agreements".into(),
            "/agreements/new".into(),
            "agreement-form",
            Vec::new(),
            fields,
            "agreement-save",
        ),
        Some((id, version)) => form(
            page,
            lang,
            "agreement-edit-title",
            t(lang, "agreement-caption"),
            format!("/agreements/{id}"),
            format!("/agreements/{id}/edit"),
            "agreement-form",
            vec![("version".into(), version.to_string())],
            fields,
            "agreement-save",
        ),
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let f = Fields::from_pairs(vec![("renewal_notice_days".into(), "60".into())]);
    let page = agreement_form(ctx.lang, ctx.page(), &c, None, &f);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    match svc::create(&state, &actor, &ctx.meta, &agreement_input(&f), None).await {
        Ok(id) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = agreement_errors(errors);
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = agreement_form(ctx.lang, ctx.page().with_errors(&errors), &c, None, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn agreement_values(a: &Agreement) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("kind".into(), a.kind.code().into()),
        ("title_eu".into(), a.title_eu.clone()),
        ("title_es".into(), a.title_es.clone()),
        ("scope".into(), a.scope.clone()),
        (
            "budget".into(),
            a.budget_cents.map(format_euros).unwrap_or_default(),
        ),
        (
            "renewal_notice_days".into(),
            a.renewal_notice_days.to_string(),
        ),
    ];
    for (i, p) in a.parties.iter().enumerate().take(PARTY_ROWS) {
        v.push((
            format!("party_organisation_{}", i + 1),
            p.organisation.to_string(),
        ));
        v.push((format!("party_role_{}", i + 1), p.role.code().into()));
    }
    v.extend(
        a.neighbourhoods
            .iter()
            .map(|n| ("neighbourhoods".into(), n.to_string())),
    );
    v.extend(
        a.target_groups
            .iter()
            .map(|g| ("target_groups".into(), g.code().to_owned())),
    );
    date_pairs("starts_on", &a.starts_on, &mut v);
    date_pairs("ends_on", &a.ends_on, &mut v);
    if let Some(s) = &a.signed_on {
        date_pairs("signed_on", s, &mut v);
    }
    Fields::from_pairs(v)
}

pub async fn edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = agreement_values(&d.agreement);
    let page = agreement_form(
        ctx.lang,
        ctx.page(),
        &c,
        Some((id, d.agreement.version)),
        &f,
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &agreement_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = agreement_errors(errors);
            let current = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                current.agreement.version
            } else {
                version
            };
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = agreement_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                &c,
                Some((id, version)),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
