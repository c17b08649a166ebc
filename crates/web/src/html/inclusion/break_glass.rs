//! Emergency access to a case or a person's current case, and the DPO's review queue.

use super::{Notice, page_with_notice};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, field_errors, parse_path, service_err};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{BreakGlassId, CaseId, FieldErrors, PersonId};
use elkarlan_service::models::cases::BreakGlassOpening;
use elkarlan_templates::{BreakGlassPage, BreakGlassQueuePage, BreakGlassRow, PageCtx, t};

pub async fn break_glass_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    break_glass_form(&state, &ctx, &actor, format!("/cases/{id}/break-glass")).await
}

/// The emergency access form: the same for every id, whether or not its record exists (the
/// decision is taken when it is sent).
async fn break_glass_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    action: String,
) -> Result<Response, HtmlError> {
    svc::authorize_break_glass_form(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let page = BreakGlassPage {
        ctx: ctx.page(),
        action,
        reason: String::new(),
    };
    Ok(render(ctx, state, StatusCode::OK, &page))
}

pub async fn break_glass_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let reason = f.get("reason");
    let done = svc::break_glass(&state, &actor, &ctx.meta, id, &reason).await;
    break_glass_answer(
        &state,
        &ctx,
        done,
        &format!("/cases/{id}"),
        format!("/cases/{id}/break-glass"),
        reason,
    )
}

/// After an emergency access request: to the record (which shows only if the access was
/// opened), the form with a notice when the request waits for the DPO, or the form again with
/// its errors.
fn break_glass_answer(
    state: &AppState,
    ctx: &Ctx,
    done: Result<BreakGlassOpening, ServiceError>,
    record: &str,
    action: String,
    reason: String,
) -> Result<Response, HtmlError> {
    match done {
        Ok(BreakGlassOpening::Opened(_)) => {
            Ok(see_other(&format!("{record}?notice=break-glass-opened")))
        }
        Ok(BreakGlassOpening::Waiting(_)) => {
            // Nothing is opened: the professional is told the request waits for the DPO.
            let mut page = ctx.page();
            page.notice = Some(t(ctx.lang, "notice-break-glass-waiting"));
            let page = BreakGlassPage {
                ctx: page,
                action,
                reason: String::new(),
            };
            Ok(render(ctx, state, StatusCode::ACCEPTED, &page))
        }
        Err(e) => {
            let errors = field_errors(ctx, e)?;
            let page = BreakGlassPage {
                ctx: ctx.page().with_errors(&errors),
                action,
                reason,
            };
            Ok(render(ctx, state, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

async fn queue_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
) -> Result<BreakGlassQueuePage, HtmlError> {
    let list = svc::break_glass_queue(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let rows = list
        .iter()
        .map(|r| BreakGlassRow {
            id: r.access.id.to_string(),
            person: r.person.to_string(),
            user: r.user_name.clone(),
            reason: r.access.reason.clone(),
            opened: r.access.opened_at.display(),
            expires: if r.access.status == "waiting" {
                t(ctx.lang, "review-waiting")
            } else {
                r.access.expires_at.display()
            },
            error: page.error(&format!("outcome-{}", r.access.id)),
        })
        .collect();
    Ok(BreakGlassQueuePage { ctx: page, rows })
}

pub async fn break_glass_queue(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let page = queue_page_for(&state, &ctx, &actor, page_with_notice(&ctx, &n)).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn break_glass_review(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: BreakGlassId = parse_path(&ctx, &raw)?;
    match svc::review_break_glass(&state, &actor, &ctx.meta, id, &f.get("outcome")).await {
        Ok(()) => Ok(see_other("/dpo/break-glass?notice=review-saved")),
        Err(e) => {
            let mut errors = FieldErrors::new();
            for e in field_errors(&ctx, e)?.0 {
                errors.add(&format!("outcome-{id}"), e.key);
            }
            let page =
                queue_page_for(&state, &ctx, &actor, ctx.page().with_errors(&errors)).await?;
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

/// Emergency access from a person found in the search: the form, the same for any id.
pub async fn person_break_glass(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    break_glass_form(&state, &ctx, &actor, format!("/people/{id}/break-glass")).await
}

/// Emergency access to the current case of a person: the same answer whether or not the
/// person or a case of theirs exists; the person's page then shows what was opened.
pub async fn person_break_glass_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let reason = f.get("reason");
    let done = svc::break_glass_for_person(&state, &actor, &ctx.meta, id, &reason).await;
    break_glass_answer(
        &state,
        &ctx,
        done,
        &format!("/people/{id}"),
        format!("/people/{id}/break-glass"),
        reason,
    )
}
