//! Social clauses: the form, a clause's page with its matching entities, its compliance checks and
//! its commitments.

use super::lots::lot_options;
use super::{Notice, candidate_headers, candidate_rows, codes, date_field, euros, form, page_with};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{narrow, option, select, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::procurement::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::codes::{ClausePurpose, ClauseStage, CommitmentKind, Verdict};
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::ecosystem::procurement::{CheckInput, ClauseInput};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{ContractId, SocialClauseId};
use elkarlan_service::models::commitments::CommitmentOwner;
use elkarlan_templates::procurement::{Cell, ProcurementPage, Section};
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, t, t_args};

async fn clause_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: ContractId,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let lots = lot_options(state, ctx, actor, id, &f.get("lot")).await?;
    Ok(form(
        page,
        lang,
        "proc-clause-new-title",
        t(lang, "proc-contract-caption"),
        String::new(),
        format!("/contracts/{id}"),
        format!("/contracts/{id}/clauses/new"),
        "clause-form",
        Vec::new(),
        vec![
            select(lang, "lot", "proc-col-lot", lots),
            select(
                lang,
                "stage",
                "proc-clause-stage",
                codes(
                    lang,
                    ClauseStage::ALL,
                    ClauseStage::code,
                    ClauseStage::label_key,
                    &f.get("stage"),
                    Some("proc-choose"),
                ),
            ),
            select(
                lang,
                "purpose",
                "proc-clause-purpose",
                codes(
                    lang,
                    ClausePurpose::ALL,
                    ClausePurpose::code,
                    ClausePurpose::label_key,
                    &f.get("purpose"),
                    Some("proc-choose"),
                ),
            ),
            textarea(lang, "description", "proc-description", "", f),
            narrow(
                lang,
                "weight",
                "proc-clause-weight",
                "proc-clause-weight-hint",
                f,
            ),
            textarea(lang, "penalty", "proc-clause-penalty", "", f),
        ],
    ))
}

pub async fn clause_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let page = clause_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn clause_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let input = ClauseInput {
        lot: f.get("lot"),
        stage: f.get("stage"),
        purpose: f.get("purpose"),
        description: f.get("description"),
        weight: f.get("weight"),
        penalty: f.get("penalty"),
    };
    match svc::add_clause(&state, &actor, &ctx.meta, id, &input).await {
        Ok(clause) => Ok(see_other(&format!("/clauses/{clause}?notice=clause-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "stage")?;
            let page = clause_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn clause_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let d = svc::clause(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let s = &d.clause;
    let facts = vec![
        (
            t(lang, "proc-contract-caption"),
            format!("{} · {}", d.contract.file_number, d.contract.title),
        ),
        (
            t(lang, "proc-col-lot"),
            d.lot.as_ref().map_or_else(
                || t(lang, "proc-whole-contract"),
                |l| {
                    t_args(
                        lang,
                        "proc-lot-label",
                        &[("number", &l.number.to_string()), ("title", &l.title)],
                    )
                },
            ),
        ),
        (t(lang, "proc-clause-stage"), t(lang, &s.stage.label_key())),
        (
            t(lang, "proc-clause-purpose"),
            t(lang, &s.purpose.label_key()),
        ),
        (t(lang, "proc-description"), s.description.clone()),
        (
            t(lang, "proc-clause-weight"),
            s.weight_percent.map(|w| w.to_string()).unwrap_or_default(),
        ),
        (
            t(lang, "proc-clause-penalty"),
            s.penalty.clone().unwrap_or_default(),
        ),
        (
            t(lang, "proc-latest-verdict"),
            s.latest_verdict
                .map_or_else(|| t(lang, "proc-not-checked"), |v| t(lang, &v.label_key())),
        ),
        (t(lang, "proc-hires"), d.hires.to_string()),
    ];
    let warnings = d
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::NonCompliant && c.penalty_cents > 0)
        .map(|c| {
            t_args(
                lang,
                "proc-check-failed",
                &[
                    ("date", &c.checked_on),
                    ("penalty", &format_euros(c.penalty_cents)),
                ],
            )
        })
        .collect();
    let commitments = d
        .commitments
        .iter()
        .map(|k| {
            vec![
                Cell::text(k.commitment.description.clone()),
                Cell::text(t(lang, &k.commitment.kind.label_key())),
                Cell::text(t_args(
                    lang,
                    "proc-progress",
                    &[
                        ("done", &k.progress.achieved.to_string()),
                        ("target", &k.commitment.target.to_string()),
                        ("unit", &k.commitment.unit),
                    ],
                )),
                Cell::text(k.commitment.due_on.clone()),
                Cell::text(t(lang, &k.commitment.status.label_key())),
            ]
        })
        .collect();
    let checks = d
        .checks
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.checked_on.clone()),
                Cell::text(t(lang, &c.verdict.label_key())),
                Cell::text(if c.penalty_cents > 0 {
                    euros(lang, c.penalty_cents)
                } else {
                    String::new()
                }),
                Cell::text(c.evidence.clone()),
                Cell::text(c.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut sections = vec![
        Section {
            title: t(lang, "proc-commitments-title"),
            id: "commitments".into(),
            headers: [
                "proc-description",
                "proc-commitment-kind",
                "proc-col-progress",
                "proc-due-on",
                "proc-col-status",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: commitments,
            empty: t(lang, "proc-no-commitments"),
        },
        Section {
            title: t(lang, "proc-checks-title"),
            id: "checks".into(),
            headers: [
                "proc-checked-on",
                "proc-verdict",
                "proc-penalty",
                "proc-evidence",
                "proc-note",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: checks,
            empty: t(lang, "proc-no-checks"),
        },
    ];
    if let Some(c) = &d.candidates {
        sections.push(Section {
            title: t(lang, "proc-matching-clause"),
            id: "matching".into(),
            headers: candidate_headers(lang),
            rows: candidate_rows(lang, c),
            empty: t(lang, "proc-no-candidates"),
        });
    }
    let page = ProcurementPage {
        ctx: page_with(&ctx, &n),
        title: t(lang, &s.purpose.label_key()),
        caption: t(lang, "proc-clause-caption"),
        back: format!("/contracts/{}", d.contract.id),
        intro: String::new(),
        warnings,
        facts,
        links: vec![
            (
                format!("/clauses/{id}/checks/new"),
                t(lang, "proc-check-new-title"),
                "new-check",
            ),
            (
                format!("/clauses/{id}/commitments/new"),
                t(lang, "proc-commitment-new-title"),
                "new-commitment",
            ),
        ],
        filters: Vec::new(),
        filter_submit: String::new(),
        sections,
        downloads: Vec::new(),
        upload: Default::default(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

async fn check_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: SocialClauseId,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let d = svc::clause(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("commitment");
    let mut commitments = vec![option("", t(lang, "proc-no-commitment"), &chosen)];
    commitments.extend(d.commitments.iter().map(|k| {
        option(
            &k.commitment.id.to_string(),
            k.commitment.description.clone(),
            &chosen,
        )
    }));
    let verdict = f.get("verdict");
    Ok(form(
        page,
        lang,
        "proc-check-new-title",
        t(lang, "proc-clause-caption"),
        String::new(),
        format!("/clauses/{id}"),
        format!("/clauses/{id}/checks/new"),
        "check-form",
        Vec::new(),
        vec![
            date_field(lang, "checked_on", "proc-checked-on", f),
            FormField::Choices {
                id: "verdict".into(),
                kind: "radio",
                group: "radios",
                legend: t(lang, "proc-verdict"),
                hint: String::new(),
                options: Verdict::ALL
                    .iter()
                    .map(|v| Choice {
                        value: v.code().to_owned(),
                        label: t(lang, &v.label_key()),
                        checked: verdict == v.code(),
                        hint: String::new(),
                    })
                    .collect(),
            },
            textarea(lang, "evidence", "proc-evidence", "proc-evidence-hint", f),
            narrow(lang, "penalty", "proc-penalty", "proc-amount-hint", f),
            select(lang, "commitment", "proc-commitment-checked", commitments),
            textarea(lang, "note", "proc-note", "", f),
        ],
    ))
}

pub async fn check_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let page = check_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn check_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let input = CheckInput {
        checked_on: date_value(&f, "checked_on"),
        evidence: f.get("evidence"),
        verdict: f.get("verdict"),
        penalty: f.get("penalty"),
        note: f.get("note"),
        commitment: f.get("commitment"),
    };
    match svc::add_check(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/clauses/{id}?notice=check-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "evidence")?;
            let errors = place_errors(errors, &["checked_on"], &[], "");
            let page = check_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn commitment_form(ctx: &Ctx, page: PageCtx, id: SocialClauseId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page,
        lang,
        "proc-commitment-new-title",
        t(lang, "proc-clause-caption"),
        t(lang, "proc-commitment-intro"),
        format!("/clauses/{id}"),
        format!("/clauses/{id}/commitments/new"),
        "commitment-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "proc-commitment-kind",
                codes(
                    lang,
                    &[CommitmentKind::HireParticipants, CommitmentKind::Other],
                    CommitmentKind::code,
                    CommitmentKind::label_key,
                    &f.get("kind"),
                    None,
                ),
            ),
            textarea(lang, "description", "proc-description", "", f),
            narrow(lang, "target", "proc-commitment-target", "", f),
            narrow(
                lang,
                "unit",
                "proc-commitment-unit",
                "proc-commitment-unit-hint",
                f,
            ),
            date_field(lang, "due_on", "proc-due-on", f),
        ],
    )
}

pub async fn commitment_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    svc::clause(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = Fields::from_pairs(vec![(
        "unit".into(),
        t(ctx.lang, "proc-commitment-unit-people"),
    )]);
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &commitment_form(&ctx, ctx.page(), id, &f),
    ))
}

pub async fn commitment_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    // The organisation is left empty: the store takes the clause's awardee.
    let input = CommitmentInput {
        kind: f.get("kind"),
        description: f.get("description"),
        target: f.get("target"),
        unit: f.get("unit"),
        due_on: date_value(&f, "due_on"),
        ..CommitmentInput::default()
    };
    match crate::services::agreements::create_commitment(
        &state,
        &actor,
        &ctx.meta,
        CommitmentOwner::Clause(id),
        &input,
        None,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/clauses/{id}?notice=commitment-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &[], "");
            let page = commitment_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
