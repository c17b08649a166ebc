//! A course's roster for its provider: attendance by session, and closing an enrolment as
//! completed or dropped out.

use super::{Notice, action_title, attendance, page_with};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{choice, code_options, date_field, form, option, text};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::employment::{self as svc, SessionMarksInput};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::{AttendanceMark, DropOutReason, EnrolmentStatus};
use elkarlan_domain::employment::itinerary::EnrolmentUpdateInput;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{EnrolmentId, Lang, TrainingActionId};
use elkarlan_templates::employment::{MarkGroup, RosterPage, RosterRow};
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};

async fn roster_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: TrainingActionId,
    f: &Fields,
) -> Result<RosterPage, HtmlError> {
    let lang = ctx.lang;
    let r = svc::roster(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let today = svc::today().to_string();
    // The latest session already held is the one usually recorded.
    let default_session = r
        .sessions
        .iter()
        .rev()
        .find(|s| s.held_on <= today)
        .or(r.sessions.first())
        .map(|s| s.number.to_string())
        .unwrap_or_default();
    let chosen = if f.get("session").is_empty() {
        default_session
    } else {
        f.get("session")
    };
    let rows = r
        .lines
        .iter()
        .map(|l| {
            let e = &l.enrolment;
            RosterRow {
                enrolment: e.id.to_string(),
                name: [Some(&l.given_name), Some(&l.surname1), l.surname2.as_ref()]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                status: t(lang, &e.status.label_key()),
                attendance: attendance(lang, e.present, e.absent, e.excused),
                certificate: e.certificate.clone().unwrap_or_default(),
                open: e.status == EnrolmentStatus::Enrolled,
            }
        })
        .collect::<Vec<_>>();
    let marks = rows
        .iter()
        .filter(|row| row.open)
        .map(|row| {
            let field = format!("mark-{}", row.enrolment);
            let current = f.get(&field);
            MarkGroup {
                id: field,
                legend: row.name.clone(),
                options: AttendanceMark::ALL
                    .iter()
                    .map(|m| choice(m.code(), t(lang, &m.label_key()), current == m.code()))
                    .collect(),
            }
        })
        .collect();
    Ok(RosterPage {
        ctx: page,
        action_id: id.to_string(),
        title: action_title(lang, &r.action),
        rows,
        sessions: r
            .sessions
            .iter()
            .map(|s| {
                let n = s.number.to_string();
                option(
                    &n,
                    t_args(
                        lang,
                        "emp-session-option",
                        &[("n", &n), ("date", &s.held_on)],
                    ),
                    &chosen,
                )
            })
            .collect(),
        marks,
    })
}

pub async fn roster_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let page = roster_view(
        &state,
        &ctx,
        &actor,
        page_with(&ctx, &n),
        id,
        &Fields::empty(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn attendance_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let input = SessionMarksInput {
        session: f.get("session"),
        marks: f
            .pairs()
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("mark-").map(|e| (e.to_owned(), v.clone())))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
    };
    match svc::record_attendance(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/training-actions/{id}/roster?notice=attendance-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "session")?;
            let errors = place_errors(errors, &[], &["session"], "marks");
            let page = roster_view(
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

fn close_form(
    lang: Lang,
    page: PageCtx,
    id: EnrolmentId,
    version: i64,
    back: String,
    f: &Fields,
) -> FormPage {
    let status = f.get("status");
    let fields = vec![
        FormField::Choices {
            id: "status".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "enrolment-outcome"),
            hint: String::new(),
            options: [EnrolmentStatus::Completed, EnrolmentStatus::DroppedOut]
                .iter()
                .map(|s| choice(s.code(), t(lang, &s.label_key()), status == s.code()))
                .collect(),
        },
        date_field(lang, "on", "enrolment-on", f),
        text(
            lang,
            "certificate",
            "enrolment-certificate",
            "enrolment-certificate-hint",
            f,
        ),
        FormField::Select {
            id: "dropout_reason".into(),
            label: t(lang, "enrolment-dropout-reason"),
            hint: t(lang, "enrolment-dropout-hint"),
            options: code_options(
                lang,
                DropOutReason::ALL,
                DropOutReason::code,
                DropOutReason::label_key,
                &f.get("dropout_reason"),
                Some("emp-choose"),
            ),
        },
    ];
    form(
        page,
        lang,
        "enrolment-close-title",
        String::new(),
        back,
        format!("/enrolments/{id}/close"),
        "close-form",
        vec![("version".into(), version.to_string())],
        fields,
        "enrolment-close-save",
    )
}

/// The enrolment and the roster it belongs to, read through the roster service so that only
/// the provider's staff reach the form.
async fn enrolment_on_roster(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: EnrolmentId,
) -> Result<(elkarlan_service::models::itineraries::Enrolment, String), HtmlError> {
    let (e, r) = svc::enrolment_on_roster(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let caption = action_title(ctx.lang, &r.action);
    Ok((e, caption))
}

pub async fn close_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: EnrolmentId = parse_path(&ctx, &raw)?;
    let (e, caption) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
    let mut page = close_form(
        ctx.lang,
        ctx.page(),
        id,
        e.version,
        format!("/training-actions/{}/roster", e.action_id),
        &Fields::empty(),
    );
    page.caption = caption;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn close_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: EnrolmentId = parse_path(&ctx, &raw)?;
    let input = EnrolmentUpdateInput {
        status: f.get("status"),
        on: date_value(&f, "on"),
        dropout_reason: f.get("dropout_reason"),
        certificate: f.get("certificate"),
        version: f.get("version").parse().unwrap_or(0),
    };
    match svc::close_enrolment(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => {
            let (e, _) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
            Ok(see_other(&format!(
                "/training-actions/{}/roster?notice=enrolment-closed",
                e.action_id
            )))
        }
        Err(err_) => {
            let (errors, status) = form_errors(&ctx, err_, "status")?;
            let errors = place_errors(errors, &["on"], &[], "");
            let (e, caption) = enrolment_on_roster(&state, &ctx, &actor, id).await?;
            let mut page = close_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                e.version,
                format!("/training-actions/{}/roster", e.action_id),
                &f,
            );
            page.caption = caption;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
