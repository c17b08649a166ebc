//! Referrals: the form on a case, the inbox with its answers, and the sender's withdrawal.

use super::cases::case_page_with_errors;
use super::{Notice, page_with_notice};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_errors, field_errors, join_date, parse_path, service_err,
};
use crate::html::labels::{agency_list, agency_name, day, key_of, name_of};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{
    self as svc, ReferralInput, ReferralMoveInput, authorize_on_case,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::referral::{DeclineReason, ReferralStatus, Urgency};
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{CaseId, FieldErrors, ReferralId};
use elkarlan_templates::{
    Choice, InboxRow, PageCtx, ReferralNewPage, ReferralsPage, SelectOption, t, t_args,
};

async fn referral_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    f: &Fields,
    page: PageCtx,
) -> Result<ReferralNewPage, HtmlError> {
    let lang = ctx.lang;
    let destinations = svc::referral_destinations(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let to = f.get("to_agency");
    let chosen = f.all("categories");
    Ok(ReferralNewPage {
        ctx: page,
        case: id.to_string(),
        agencies: destinations
            .iter()
            .map(|(a, cap)| Choice {
                value: a.id.to_string(),
                label: format!(
                    "{} ({})",
                    agency_name(lang, a),
                    t(lang, &a.system.label_key())
                ),
                checked: a.id.to_string() == to,
                hint: match cap {
                    None => t(lang, "capacity-unknown"),
                    Some(c) if c.open_places <= 0 => t_args(
                        lang,
                        "capacity-full",
                        &[
                            ("waiting", &c.waiting_list.to_string()),
                            ("days", &c.expected_wait_days.to_string()),
                        ],
                    ),
                    Some(c) => t_args(
                        lang,
                        "capacity-open",
                        &[
                            ("places", &c.open_places.to_string()),
                            ("waiting", &c.waiting_list.to_string()),
                            ("days", &c.expected_wait_days.to_string()),
                        ],
                    ),
                },
            })
            .collect(),
        reason: f.get("reason"),
        urgencies: Urgency::ALL
            .into_iter()
            .map(|u| Choice {
                value: u.code().to_owned(),
                label: t(lang, &key_of("urgency", u.code())),
                checked: u.code() == f.get("urgency"),
                hint: t_args(
                    lang,
                    "urgency-hint",
                    &[("days", &u.response_days().to_string())],
                ),
            })
            .collect(),
        categories: DataCategory::ALL
            .into_iter()
            .filter(|c| !matches!(c, DataCategory::Identification | DataCategory::Contact))
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: t(lang, &c.label_key()),
                checked: chosen.iter().any(|x| x == c.code()),
                hint: String::new(),
            })
            .collect(),
        due_day: f.get("due_on-day"),
        due_month: f.get("due_on-month"),
        due_year: f.get("due_on-year"),
    })
}

pub async fn referral_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let page = referral_form(&state, &ctx, &actor, id, &Fields::empty(), ctx.page()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn referral_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let input = ReferralInput {
        to_agency: f.get("to_agency"),
        reason: f.get("reason"),
        urgency: f.get("urgency"),
        categories: f.all("categories"),
        due_on: join_date(
            &f.get("due_on-day"),
            &f.get("due_on-month"),
            &f.get("due_on-year"),
        ),
    };
    match svc::send_referral(&state, &actor, &ctx.meta, id, &input, None).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?notice=referral-sent"))),
        Err(e) => {
            let errors = date_errors(field_errors(&ctx, e)?, "due_on", None);
            let page = referral_form(
                &state,
                &ctx,
                &actor,
                id,
                &f,
                ctx.page().with_errors(&errors),
            )
            .await?;
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

/// Errors of one referral's forms, with the field ids of that row.
fn inbox_errors(id: ReferralId, errors: &FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in &errors.0 {
        let field = match e.field.as_str() {
            "decline_reason" => format!("decline_reason-{id}"),
            "outcome" => format!("outcome-{id}"),
            _ => format!("referral-{id}"),
        };
        out.add(&field, e.key);
    }
    out
}

async fn inbox_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
) -> Result<ReferralsPage, HtmlError> {
    let lang = ctx.lang;
    let list = svc::inbox(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let all = agency_list(state, ctx, actor).await?;
    let rows = list
        .iter()
        .map(|(r, person)| InboxRow {
            id: r.id.to_string(),
            person: person.clone(),
            from: name_of(lang, &all, r.from_agency),
            reason: r.reason.clone(),
            urgency: t(lang, &key_of("urgency", r.urgency.code())),
            due: day(r.due_at),
            status: t(lang, &r.status.label_key()),
            version: r.version,
            can_accept: r.status == ReferralStatus::Sent,
            // A request to join the team ends when it is answered.
            can_start: !r.join_request && r.status == ReferralStatus::Accepted,
            can_complete: !r.join_request
                && matches!(
                    r.status,
                    ReferralStatus::Accepted | ReferralStatus::InProgress
                ),
            status_error: page.error(&format!("referral-{}", r.id)),
            decline_error: page.error(&format!("decline_reason-{}", r.id)),
            outcome_error: page.error(&format!("outcome-{}", r.id)),
        })
        .collect();
    let mut decline_reasons = vec![SelectOption {
        value: String::new(),
        label: t(lang, "referral-decline-reason-none"),
        selected: true,
    }];
    decline_reasons.extend(DeclineReason::ALL.into_iter().map(|d| SelectOption {
        value: d.code().to_owned(),
        label: t(lang, &key_of("decline-reason", d.code())),
        selected: false,
    }));
    Ok(ReferralsPage {
        ctx: page,
        rows,
        decline_reasons,
    })
}

pub async fn inbox_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let page = inbox_page_for(&state, &ctx, &actor, page_with_notice(&ctx, &n)).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn referral_move(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ReferralId = parse_path(&ctx, &raw)?;
    let input = ReferralMoveInput {
        status: f.get("status"),
        decline_reason: f.get("decline_reason"),
        outcome: f.get("outcome"),
        version: f.get("version").trim().parse::<i64>().unwrap_or(-1),
    };
    let (errors, status) = match svc::move_referral(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => return Ok(see_other("/referrals?notice=referral-moved")),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add("status", "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(ServiceError::Invalid(e)) if e.is_empty() => {
            let mut e = FieldErrors::new();
            e.add("status", "error-referral-status");
            (e, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => (field_errors(&ctx, e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = ctx.page().with_errors(&inbox_errors(id, &errors));
    let page = inbox_page_for(&state, &ctx, &actor, page).await?;
    Ok(render(&ctx, &state, status, &page))
}

/// The sender's team withdraws a referral from the case page.
pub async fn referral_withdraw(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ReferralId = parse_path(&ctx, &raw)?;
    let input = ReferralMoveInput {
        status: ReferralStatus::Withdrawn.code().to_owned(),
        decline_reason: String::new(),
        outcome: String::new(),
        version: f.get("version").trim().parse::<i64>().unwrap_or(-1),
    };
    // Only the sending team withdraws: asked of the policy on the referral's case first.
    let case = svc::referral_case(&state, &actor, id)
        .await
        .map_err(service_err(&ctx))?;
    authorize_on_case(&state, &actor, &ctx.meta, case, Action::WithdrawReferral)
        .await
        .map_err(service_err(&ctx))?;
    let field = format!("referral-{id}-withdraw");
    let (errors, status) = match svc::move_referral(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => (FieldErrors::new(), StatusCode::SEE_OTHER),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add(&field, "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(e) => {
            // Refusals and unknown referrals end here, before anything about the case is read.
            let mut renamed = FieldErrors::new();
            for err in field_errors(&ctx, e)?.0 {
                renamed.add(&field, err.key);
            }
            (renamed, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    if status == StatusCode::SEE_OTHER {
        return Ok(see_other(&format!(
            "/cases/{case}?notice=referral-withdrawn"
        )));
    }
    case_page_with_errors(&state, &ctx, &actor, case, &errors, status).await
}
