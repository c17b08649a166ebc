//! An organisation's relations with others and its register entries (qualifications).

use super::{code_options, date_field, err, form, form_errors, may_manage, option};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_value, parse_path};
use crate::html::form_fields::{narrow, select, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::ecosystem::{self as svc};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::OrganisationId;
use elkarlan_domain::ecosystem::codes::{QualificationKind, RelationKind};
use elkarlan_domain::ecosystem::organisation::{QualificationInput, RelationInput};
use elkarlan_domain::policy::Actor;
use elkarlan_templates::{FormPage, PageCtx, SelectOption, t};

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
    may_manage(&state, &ctx, &actor).await?;
    let p = relation_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn relation_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
    may_manage(&state, &ctx, &actor).await?;
    let p = qualification_form(&ctx, ctx.page(), id, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn qualification_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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
