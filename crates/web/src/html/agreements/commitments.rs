//! An agreement's commitments: adding one, and its page with its progress.

use super::record::progress_text;
use super::{Notice, page_with, title_of};
use crate::AppState;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{
    code_options, date_field, form, narrow, option, select, text, textarea,
};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::agreements::{self as svc, Choices, CommitmentLine};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::codes::{CommitmentKind, CommitmentStatus};
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::{AgreementId, CommitmentId, Lang};
use elkarlan_service::models::commitments::{Commitment, CommitmentOwner};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

fn commitment_input(f: &Fields) -> CommitmentInput {
    CommitmentInput {
        organisation: f.get("organisation"),
        kind: f.get("kind"),
        description: f.get("description"),
        target: f.get("target"),
        unit: f.get("unit"),
        due_on: date_value(f, "due_on"),
        training_action: f.get("training_action"),
        evidence: f.get("evidence"),
        status: f.get("status"),
        recorded_progress: f.get("recorded_progress"),
    }
}

fn commitment_fields(lang: Lang, c: &Choices, f: &Fields, editing: bool) -> Vec<FormField> {
    let chosen_o = f.get("organisation");
    let mut orgs = vec![option("", t(lang, "emp-none"), &chosen_o)];
    orgs.extend(
        c.organisations
            .iter()
            .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen_o)),
    );
    let chosen_a = f.get("training_action");
    let mut actions = vec![option("", t(lang, "emp-none"), &chosen_a)];
    actions.extend(c.actions.iter().map(|(a, eu, es)| {
        option(
            &a.to_string(),
            if lang == Lang::Eu {
                eu.clone()
            } else {
                es.clone()
            },
            &chosen_a,
        )
    }));
    let mut out = vec![
        select(
            lang,
            "kind",
            "commitment-kind",
            code_options(
                lang,
                CommitmentKind::ALL,
                CommitmentKind::code,
                CommitmentKind::label_key,
                &f.get("kind"),
                Some("emp-choose"),
            ),
        ),
        FormField::Select {
            id: "organisation".into(),
            label: t(lang, "commitment-organisation"),
            hint: t(lang, "commitment-organisation-hint"),
            options: orgs,
        },
        textarea(lang, "description", "commitment-description", "", f),
        narrow(lang, "target", "commitment-target", "", f),
        text(lang, "unit", "commitment-unit", "commitment-unit-hint", f),
        date_field(lang, "due_on", "commitment-due-on", f),
        FormField::Select {
            id: "training_action".into(),
            label: t(lang, "commitment-training-action"),
            hint: t(lang, "commitment-training-action-hint"),
            options: actions,
        },
    ];
    if editing {
        out.push(textarea(
            lang,
            "evidence",
            "commitment-evidence",
            "commitment-evidence-hint",
            f,
        ));
        out.push(narrow(
            lang,
            "recorded_progress",
            "commitment-recorded-progress",
            "commitment-recorded-progress-hint",
            f,
        ));
        out.push(select(
            lang,
            "status",
            "commitment-status",
            code_options(
                lang,
                CommitmentStatus::ALL,
                CommitmentStatus::code,
                CommitmentStatus::label_key,
                &f.get("status"),
                None,
            ),
        ));
    }
    out
}

const COMMITMENT_FIELDS: [&str; 9] = [
    "kind",
    "organisation",
    "description",
    "target",
    "unit",
    "training_action",
    "evidence",
    "recorded_progress",
    "status",
];

fn commitment_new_form(
    lang: Lang,
    page: PageCtx,
    id: AgreementId,
    caption: String,
    c: &Choices,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "commitment-new-title",
        caption,
        format!("/agreements/{id}"),
        format!("/agreements/{id}/commitments/new"),
        "commitment-form",
        Vec::new(),
        commitment_fields(lang, c, f, false),
        "commitment-save",
    )
}

pub async fn commitment_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let caption = title_of(ctx.lang, &d.agreement);
    let page = commitment_new_form(ctx.lang, ctx.page(), id, caption, &c, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn commitment_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let owner = CommitmentOwner::Agreement(id);
    match svc::create_commitment(
        &state,
        &actor,
        &ctx.meta,
        owner,
        &commitment_input(&f),
        None,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/agreements/{id}?notice=commitment-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &COMMITMENT_FIELDS, "description");
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let d = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let caption = title_of(ctx.lang, &d.agreement);
            let page = commitment_new_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                caption,
                &c,
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn commitment_values(m: &Commitment) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("kind".into(), m.kind.code().into()),
        (
            "organisation".into(),
            m.organisation.map(|o| o.to_string()).unwrap_or_default(),
        ),
        ("description".into(), m.description.clone()),
        ("target".into(), m.target.to_string()),
        ("unit".into(), m.unit.clone()),
        (
            "training_action".into(),
            m.training_action.map(|a| a.to_string()).unwrap_or_default(),
        ),
        ("evidence".into(), m.evidence.clone().unwrap_or_default()),
        ("recorded_progress".into(), m.recorded_progress.to_string()),
        ("status".into(), m.status.code().into()),
    ];
    date_pairs("due_on", &m.due_on, &mut v);
    Fields::from_pairs(v)
}

fn commitment_edit_form(
    lang: Lang,
    page: PageCtx,
    l: &CommitmentLine,
    version: i64,
    c: &Choices,
    f: &Fields,
) -> FormPage {
    let m = &l.commitment;
    let back = match m.owner {
        CommitmentOwner::Agreement(a) => format!("/agreements/{a}"),
        CommitmentOwner::Clause(_) => "/contracts".to_owned(),
    };
    let mut p = form(
        page,
        lang,
        "commitment-edit-title",
        m.description.clone(),
        back,
        format!("/commitments/{}", m.id),
        "commitment-form",
        vec![("version".into(), version.to_string())],
        commitment_fields(lang, c, f, true),
        "commitment-save",
    );
    p.intro = format!(
        "{}: {} — {}",
        t(lang, "commitment-progress"),
        progress_text(lang, l),
        t(lang, l.progress.standing.label_key())
    );
    p
}

pub async fn commitment_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: CommitmentId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let l = svc::commitment(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = commitment_values(&l.commitment);
    let page = commitment_edit_form(
        ctx.lang,
        page_with(&ctx, &n),
        &l,
        l.commitment.version,
        &c,
        &f,
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn commitment_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CommitmentId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_commitment(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &commitment_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/commitments/{id}?notice=commitment-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &COMMITMENT_FIELDS, "description");
            let l = svc::commitment(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let version = if status == StatusCode::CONFLICT {
                l.commitment.version
            } else {
                version
            };
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = commitment_edit_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                &l,
                version,
                &c,
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
