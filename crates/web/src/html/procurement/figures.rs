//! The year's reserved-contract target and the ecosystem's figures.

use super::{euros, form, share_text, share_warning, target_text, year_options};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, form_errors, service_err};
use crate::html::form_fields::{narrow, select};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::procurement::{self as svc, TargetInput};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use elkarlan_domain::ecosystem::procurement::format_permille;
use elkarlan_domain::policy::Actor;
use elkarlan_templates::procurement::{Cell, ProcurementPage, Section};
use elkarlan_templates::{FormPage, PageCtx, t, t_args};
use serde::Deserialize;

async fn targets_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let list = svc::targets(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let intro = if list.is_empty() {
        t(lang, "proc-targets-none")
    } else {
        t_args(
            lang,
            "proc-targets-current",
            &[(
                "list",
                &list
                    .iter()
                    .map(|(y, p)| format!("{y}: {}", format_permille(*p)))
                    .collect::<Vec<_>>()
                    .join("; "),
            )],
        )
    };
    Ok(form(
        page,
        lang,
        "proc-targets-title",
        t(lang, "proc-contracts-title"),
        intro,
        "/contracts".into(),
        "/procurement/targets".into(),
        "target-form",
        Vec::new(),
        vec![
            select(
                lang,
                "year",
                "proc-filter-year",
                year_options(lang, &f.get("year"), false),
            ),
            narrow(lang, "target", "proc-target", "proc-target-hint", f),
        ],
    ))
}

pub async fn targets_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let f = Fields::from_pairs(vec![("year".into(), svc::today().year().to_string())]);
    let page = targets_form(&state, &ctx, &actor, ctx.page(), &f).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn targets_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let input = TargetInput {
        year: f.get("year"),
        target: f.get("target"),
    };
    match svc::set_target(&state, &actor, &ctx.meta, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/contracts?year={}&notice=target-saved",
            input.year.trim()
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "target")?;
            let page =
                targets_form(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f).await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn pct(part: i64, total: i64) -> String {
    elkarlan_domain::ecosystem::procurement::share_permille(part, total)
        .map(format_permille)
        .unwrap_or_default()
}

pub async fn figures_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let year: i32 = q
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| svc::today().year());
    let f = svc::figures(&state, &actor, &ctx.meta, year)
        .await
        .map_err(service_err(&ctx))?;
    let heads = |keys: &[&str]| keys.iter().map(|k| t(lang, k)).collect::<Vec<_>>();
    let label = |prefix: &str, code: &str| t(lang, &format!("{prefix}-{}", code.replace('_', "-")));
    let facts = vec![
        (t(lang, "proc-fig-profiles"), f.profiles.to_string()),
        (t(lang, "proc-fig-workforce"), f.workforce.to_string()),
        (t(lang, "proc-fig-women"), pct(f.women, f.workforce)),
        (
            t(lang, "proc-fig-hired-exclusion"),
            f.hired_from_exclusion.to_string(),
        ),
        (
            t(lang, "proc-fig-permanent"),
            pct(f.permanent_contracts, f.workforce),
        ),
        (
            t(lang, "proc-fig-contracts-awarded"),
            f.share.contracts.to_string(),
        ),
        (
            t(lang, "proc-fig-amount-awarded"),
            euros(lang, f.share.total_cents),
        ),
        (
            t_args(lang, "proc-share-label", &[("year", &year.to_string())]),
            share_text(lang, &f.share),
        ),
        (
            t_args(lang, "proc-target-label", &[("year", &year.to_string())]),
            target_text(lang, &f.share),
        ),
        (
            t(lang, "proc-fig-hires-under-clauses"),
            f.hires_under_clauses
                .map_or_else(|| t(lang, "proc-fig-suppressed"), |h| h.to_string()),
        ),
    ];
    let sections = vec![
        Section {
            title: t(lang, "proc-fig-organisations"),
            id: "fig-organisations".into(),
            headers: heads(&[
                "proc-col-legal-form",
                "proc-fig-count",
                "proc-fig-pole-members",
            ]),
            rows: f
                .organisations
                .iter()
                .map(|(form, n, pole)| {
                    vec![
                        Cell::text(label("legal-form", form)),
                        Cell::text(n.to_string()),
                        Cell::text(pole.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-agreements"),
            id: "fig-agreements".into(),
            headers: heads(&["proc-col-status", "proc-fig-count"]),
            rows: f
                .agreements
                .iter()
                .map(|(s, n)| {
                    vec![
                        Cell::text(label("agreement-status", s)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-commitments"),
            id: "fig-commitments".into(),
            headers: heads(&["proc-col-status", "proc-fig-count"]),
            rows: f
                .commitments
                .iter()
                .map(|(s, n)| {
                    vec![
                        Cell::text(label("commitment-status", s)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-clauses"),
            id: "fig-clauses".into(),
            headers: heads(&["proc-clause-stage", "proc-clause-purpose", "proc-fig-count"]),
            rows: f
                .clauses
                .iter()
                .map(|(s, p, n)| {
                    vec![
                        Cell::text(label("clause-stage", s)),
                        Cell::text(label("clause-purpose", p)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-verdicts"),
            id: "fig-verdicts".into(),
            headers: heads(&["proc-verdict", "proc-fig-count", "proc-penalty"]),
            rows: f
                .verdicts
                .iter()
                .map(|(v, n, p)| {
                    vec![
                        Cell::text(label("verdict", v)),
                        Cell::text(n.to_string()),
                        Cell::text(euros(lang, *p)),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
    ];
    let page = ProcurementPage {
        ctx: ctx.page(),
        title: t(lang, "proc-figures-title"),
        caption: year.to_string(),
        back: String::new(),
        intro: t(lang, "proc-figures-intro"),
        warnings: share_warning(lang, &f.share).into_iter().collect(),
        facts,
        links: Vec::new(),
        filters: vec![select(
            lang,
            "year",
            "proc-filter-year",
            year_options(lang, &year.to_string(), false),
        )],
        filter_submit: t(lang, "proc-filter-apply"),
        sections,
        downloads: Vec::new(),
        upload: Default::default(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}
