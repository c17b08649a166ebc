//! An agreement's page, with its parties, documents and commitments' progress.

use super::{Notice, page_with, title_of};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{parse_path, service_err};
use crate::html::labels::{area_name, euros, neighbourhoods};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::agreements::{self as svc, CommitmentLine};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::codes::AgreementStatus;
use elkarlan_domain::{AgreementId, Lang};
use elkarlan_templates::agreements::{AgreementPage, CommitmentRow};
use elkarlan_templates::{PageCtx, t, t_args};

fn progress_row(lang: Lang, l: &CommitmentLine) -> CommitmentRow {
    let m = &l.commitment;
    let p = l.progress;
    CommitmentRow {
        id: m.id.to_string(),
        description: m.description.clone(),
        organisation: m.organisation_name.clone().unwrap_or_default(),
        kind: t(lang, &m.kind.label_key()),
        due_on: m.due_on.clone(),
        status: t(lang, &m.status.label_key()),
        achieved: p.achieved.min(p.target),
        target: p.target,
        percent: p.percent,
        progress_text: progress_text(lang, l),
        standing: t(lang, p.standing.label_key()),
        standing_code: p.standing.code(),
    }
}

pub(super) fn progress_text(lang: Lang, l: &CommitmentLine) -> String {
    let p = l.progress;
    t_args(
        lang,
        "commitment-progress-text",
        &[
            ("achieved", &p.achieved.to_string()),
            ("target", &p.target.to_string()),
            ("unit", &l.commitment.unit),
            ("percent", &p.percent.to_string()),
        ],
    )
}

pub async fn agreement_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = agreement_view(&state, &ctx, &actor, page_with(&ctx, &n), d).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub(super) async fn agreement_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    page: PageCtx,
    d: svc::AgreementDetail,
) -> Result<AgreementPage, HtmlError> {
    let lang = ctx.lang;
    let a = &d.agreement;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let area_names: Vec<String> = a
        .neighbourhoods
        .iter()
        .filter_map(|n| areas.iter().find(|x| x.id == *n))
        .map(|x| area_name(lang, x))
        .collect();
    let none = t(lang, "emp-none");
    let or_none = |v: String| if v.is_empty() { none.clone() } else { v };
    let mut facts = vec![
        (t(lang, "agreement-kind"), t(lang, &a.kind.label_key())),
        (
            t(lang, "agreement-title-other"),
            if lang == Lang::Eu {
                a.title_es.clone()
            } else {
                a.title_eu.clone()
            },
        ),
        (t(lang, "agreement-scope"), a.scope.clone()),
        (
            t(lang, "agreement-neighbourhoods"),
            or_none(area_names.join(", ")),
        ),
        (
            t(lang, "agreement-target-groups"),
            or_none(
                a.target_groups
                    .iter()
                    .map(|g| t(lang, &g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        (t(lang, "agreement-starts-on"), a.starts_on.clone()),
        (t(lang, "agreement-ends-on"), a.ends_on.clone()),
        (
            t(lang, "agreement-signed-on"),
            or_none(a.signed_on.clone().unwrap_or_default()),
        ),
        (
            t(lang, "agreement-budget"),
            a.budget_cents.map_or(none.clone(), |c| euros(lang, c)),
        ),
        (
            t(lang, "agreement-renewal-notice"),
            t_args(
                lang,
                "agreement-days",
                &[("days", &a.renewal_notice_days.to_string())],
            ),
        ),
    ];
    if let Some(r) = a.renews {
        let shown = crate::services::agreements::renewed_agreement(state, actor, &ctx.meta, r)
            .await
            .map_or_else(
                |_| r.to_string(),
                |old| format!("{} ({})", title_of(lang, &old), old.ends_on),
            );
        facts.push((t(lang, "agreement-renews"), shown));
    }
    let moves = AgreementStatus::ALL
        .iter()
        .filter(|s| **s != AgreementStatus::Renewed && a.status.can_move_to(**s))
        .map(|s| {
            (
                s.code().to_owned(),
                t(lang, &format!("agreement-move-{}", s.code())),
                format!("move-{}", s.code()),
            )
        })
        .collect();
    Ok(AgreementPage {
        ctx: page,
        id: a.id.to_string(),
        title: title_of(lang, a),
        status: t(lang, &a.status.label_key()),
        expiring: a.expiring_soon(svc::today()),
        facts,
        parties: a
            .parties
            .iter()
            .map(|p| (p.name.clone(), t(lang, &p.role.label_key())))
            .collect(),
        documents: d
            .documents
            .iter()
            .map(|x| (x.title.clone(), x.dated_on.clone(), x.reference.clone()))
            .collect(),
        commitments: d
            .commitments
            .iter()
            .map(|l| progress_row(lang, l))
            .collect(),
        version: a.version,
        moves,
        can_sign: a.status.can_move_to(AgreementStatus::Signed),
        can_renew: a.status.can_move_to(AgreementStatus::Renewed),
        can_edit: !a.status.is_closed(),
        today: svc::today().to_string(),
    })
}
