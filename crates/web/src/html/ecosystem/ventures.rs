//! Entrepreneurship projects: the list, a project's page, its stages and the support given.

use super::{
    Notice, area_of, area_options, code_options, date_field, err, euros, form, form_errors,
    may_manage, neighbourhoods, page, page_with,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_value, parse_path};
use crate::html::form_fields::{narrow, select, text};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::ecosystem::{self as svc, StageInput};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::VentureId;
use elkarlan_domain::ecosystem::codes::{LegalForm, VentureStage};
use elkarlan_domain::ecosystem::organisation::{SupportInput, VentureInput, format_centi};
use elkarlan_domain::policy::Actor;
use elkarlan_templates::ecosystem::{Cell, Table};
use elkarlan_templates::{FormPage, PageCtx, t};

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
    may_manage(&state, &ctx, &actor).await?;
    let p = venture_form(&state, &ctx, &actor, ctx.page(), &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn venture_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
    may_manage(&state, &ctx, &actor).await?;
    let p = stage_form(&ctx, ctx.page(), id, &v.name, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn stage_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
    may_manage(&state, &ctx, &actor).await?;
    let p = support_form(&ctx, ctx.page(), id, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn support_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
