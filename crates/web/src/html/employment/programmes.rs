//! Employment programmes: the list, a programme's page (facts, funding, eligibility rules,
//! itinerary templates, training actions) and the form that creates or edits one.

use super::{
    Notice, STARTS_AND_ENDS, action_title, agency_options, dates, page_with, template_name,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{
    choice, code_options, date_field, form, narrow, select, text, textarea,
};
use crate::html::labels::{agency_list, agency_name, area_name, euros, name_of, neighbourhoods};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::employment as svc;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::{ProgrammeStatus, TargetGroup};
use elkarlan_domain::employment::eligibility::{self, Rules};
use elkarlan_domain::employment::programme::{ProgrammeInput, format_euros};
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, ProgrammeId};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::programmes::Programme;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::employment::{
    ActionSummaryRow, Link, ProgrammePage, ProgrammeRow, ProgrammesPage, RuleLine,
};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

pub async fn programmes_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::list_programmes(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
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
    let can_create =
        crate::services::permits(&actor, elkarlan_domain::policy::Action::ManageProgrammes);
    let page = ProgrammesPage {
        ctx: page_with(&ctx, &n),
        rows,
        can_create,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
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
            text: svc::eligibility_message(lang, areas, key, &args),
            nested,
        });
    }
    out
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
        .map_err(service_err(&ctx))?;
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
    let rules = &p.eligibility;
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
        rules: rule_lines(lang, &areas, rules),
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

async fn may_manage_programmes(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<(), HtmlError> {
    crate::services::authorize_form(
        state,
        actor,
        elkarlan_domain::policy::Action::ManageProgrammes,
        &ctx.meta,
    )
    .await
    .map_err(|e| HtmlError::from_service(ctx, e))
}

pub async fn programme_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage_programmes(&state, &ctx, &actor).await?;
    let year = svc::today().format("%Y").to_string();
    let f = Fields::from_pairs(vec![("year".into(), year)]);
    let page = programme_form(&state, &ctx, &actor, ctx.page(), None, &f).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn programme_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    match svc::create_programme(&state, &actor, &ctx.meta, &programme_input(&f)).await {
        Ok(id) => Ok(see_other(&format!(
            "/programmes/{id}?notice=programme-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "name_eu")?;
            let errors = place_errors(errors, &STARTS_AND_ENDS, &[], "");
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
    let rules = &p.eligibility;
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
        .map_err(service_err(&ctx))?;
    may_manage_programmes(&state, &ctx, &actor).await?;
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
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
            let errors = place_errors(errors, &STARTS_AND_ENDS, &[], "");
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                svc::programme(&state, &actor, &ctx.meta, id)
                    .await
                    .map_err(service_err(&ctx))?
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
