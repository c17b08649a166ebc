//! A contract's lots and their awards (with the warning for reserved awards not covered by the
//! awardee's registers).

use super::{codes, date_field, form};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{narrow, option, select, text, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::procurement::{self as svc};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ContractId;
use elkarlan_domain::ecosystem::codes::Reservation;
use elkarlan_domain::ecosystem::procurement::{AwardInput, LotInput};
use elkarlan_domain::policy::Actor;
use elkarlan_templates::{FormPage, PageCtx, SelectOption, t, t_args};

fn lot_form(ctx: &Ctx, page: PageCtx, id: ContractId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page,
        lang,
        "proc-lot-new-title",
        t(lang, "proc-contract-caption"),
        String::new(),
        format!("/contracts/{id}"),
        format!("/contracts/{id}/lots/new"),
        "lot-form",
        Vec::new(),
        vec![
            narrow(lang, "number", "proc-lot-number", "", f),
            text(lang, "title", "proc-title", "", f),
            narrow(lang, "cpv", "proc-cpv", "proc-cpv-hint", f),
            narrow(lang, "amount", "proc-amount", "proc-amount-hint", f),
            select(
                lang,
                "reservation",
                "proc-reservation",
                codes(
                    lang,
                    Reservation::ALL,
                    Reservation::code,
                    Reservation::label_key,
                    &f.get("reservation"),
                    None,
                ),
            ),
        ],
    )
}

pub async fn lot_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let lots = svc::lots(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let next = lots.iter().map(|l| l.number).max().unwrap_or(0) + 1;
    let f = Fields::from_pairs(vec![("number".into(), next.to_string())]);
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &lot_form(&ctx, ctx.page(), id, &f),
    ))
}

pub async fn lot_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let input = LotInput {
        number: f.get("number"),
        title: f.get("title"),
        cpv: f.get("cpv"),
        amount: f.get("amount"),
        reservation: f.get("reservation"),
    };
    match svc::add_lot(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}?notice=lot-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "number")?;
            let page = lot_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub(super) async fn lot_options(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: ContractId,
    chosen: &str,
) -> Result<Vec<SelectOption>, HtmlError> {
    let lang = ctx.lang;
    let lots = svc::lots(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let mut out = vec![option("", t(lang, "proc-whole-contract"), chosen)];
    out.extend(lots.iter().map(|l| {
        option(
            &l.id.to_string(),
            t_args(
                lang,
                "proc-lot-label",
                &[("number", &l.number.to_string()), ("title", &l.title)],
            ),
            chosen,
        )
    }));
    Ok(out)
}

async fn award_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: ContractId,
    f: &Fields,
    warning: String,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let lots = lot_options(state, ctx, actor, id, &f.get("lot")).await?;
    let orgs = svc::awardees(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("awardee");
    let mut awardees = vec![option("", t(lang, "proc-choose"), &chosen)];
    awardees.extend(orgs.iter().map(|o| {
        option(
            &o.id.to_string(),
            format!(
                "{} ({}, {})",
                o.name,
                o.tax_id,
                t(lang, &o.legal_form.label_key())
            ),
            &chosen,
        )
    }));
    Ok(form(
        page,
        lang,
        "proc-award-title",
        t(lang, "proc-contract-caption"),
        if warning.is_empty() {
            t(lang, "proc-award-intro")
        } else {
            warning
        },
        format!("/contracts/{id}"),
        format!("/contracts/{id}/award"),
        "award-form",
        Vec::new(),
        vec![
            select(lang, "lot", "proc-col-lot", lots),
            select(lang, "awardee", "proc-awardee", awardees),
            narrow(
                lang,
                "awarded_amount",
                "proc-awarded-amount",
                "proc-amount-hint",
                f,
            ),
            date_field(lang, "awarded_on", "proc-awarded-on", f),
            textarea(
                lang,
                "justification",
                "proc-justification",
                "proc-justification-hint",
                f,
            ),
        ],
    ))
}

pub async fn award_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let page = award_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        id,
        &Fields::empty(),
        String::new(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn award_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let input = AwardInput {
        lot: f.get("lot"),
        awardee: f.get("awardee"),
        awarded_amount: f.get("awarded_amount"),
        awarded_on: date_value(&f, "awarded_on"),
        justification: f.get("justification"),
    };
    match svc::award(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(see_other(&format!("/contracts/{id}?notice=award-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "awardee")?;
            // The reserved award the registers do not cover: say so plainly above the form.
            let warning = if errors.get("justification") == Some("error-award-not-covered") {
                t(ctx.lang, "proc-award-warning")
            } else {
                String::new()
            };
            let errors = place_errors(errors, &["awarded_on"], &[], "");
            let page = award_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
                warning,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
