//! A programme's itinerary templates: the form that adds one (a name and up to eight steps).

use super::{chosen_steps, step_fields};
use crate::AppState;
use crate::html::form::{CsrfForm, Fields, form_errors, parse_path, place_errors, service_err};
use crate::html::form_fields::{form, text};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::employment::{self as svc, TemplateInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::{Lang, ProgrammeId};
use elkarlan_templates::{FormPage, PageCtx};

fn template_page(
    lang: Lang,
    page: PageCtx,
    id: ProgrammeId,
    caption: String,
    f: &Fields,
) -> FormPage {
    let mut fields = vec![text(lang, "name", "template-name", "", f)];
    fields.extend(step_fields(lang, f, "template-steps-hint"));
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
        .map_err(service_err(&ctx))?;
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
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let input = TemplateInput {
        name: f.get("name"),
        steps: chosen_steps(&f),
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
                .map_err(service_err(&ctx))?;
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
