//! An agreement's lifecycle (status, renewal) and its referenced documents.

use super::record::agreement_view;
use super::title_of;
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{date_field, form, text};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::agreements::{self as svc};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::agreement::DocumentInput;
use elkarlan_domain::{AgreementId, Lang};
use elkarlan_templates::{FormPage, PageCtx};

pub async fn status_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::transition(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &f.get("to"),
        &f.get("signed_on"),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-moved"
        ))),
        Err(e) => refused_move(&state, &ctx, &actor, id, e).await,
    }
}

/// The agreement page again with the reasons a move was refused.
async fn refused_move(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    id: AgreementId,
    e: crate::error::ServiceError,
) -> Result<Response, HtmlError> {
    let (errors, status) = form_errors(ctx, e, "to")?;
    let mut placed = elkarlan_domain::FieldErrors::new();
    for e in errors.0 {
        // The summary links to the signed date box, or to the first button.
        let field = match e.field.as_str() {
            "signed_on" => "signed_on",
            _ => "agreement-status",
        };
        placed.add(field, e.key);
    }
    let d = svc::get(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let page = agreement_view(state, ctx, actor, ctx.page().with_errors(&placed), d).await?;
    Ok(render(ctx, state, status, &page))
}

pub async fn renew_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::renew(&state, &actor, &ctx.meta, id, Some(version)).await {
        Ok(new) => Ok(see_other(&format!(
            "/agreements/{new}?notice=agreement-renewed"
        ))),
        Err(e) => refused_move(&state, &ctx, &actor, id, e).await,
    }
}

fn document_form(
    lang: Lang,
    page: PageCtx,
    id: AgreementId,
    caption: String,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "document-new-title",
        caption,
        format!("/agreements/{id}"),
        format!("/agreements/{id}/documents/new"),
        "document-form",
        Vec::new(),
        vec![
            text(lang, "title", "document-title", "", f),
            date_field(lang, "dated_on", "document-dated-on", f),
            text(
                lang,
                "reference",
                "document-reference",
                "document-reference-hint",
                f,
            ),
        ],
        "document-save",
    )
}

pub async fn document_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let caption = title_of(ctx.lang, &d.agreement);
    let page = document_form(ctx.lang, ctx.page(), id, caption, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn document_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let input = DocumentInput {
        title: f.get("title"),
        dated_on: date_value(&f, "dated_on"),
        reference: f.get("reference"),
    };
    match svc::add_document(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/agreements/{id}?notice=document-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title")?;
            let errors = place_errors(errors, &["dated_on"], &[], "");
            let d = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let caption = title_of(ctx.lang, &d.agreement);
            let page = document_form(ctx.lang, ctx.page().with_errors(&errors), id, caption, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
