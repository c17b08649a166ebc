//! A person's employment file: profile, eligibility suggestions (programmes and courses),
//! itineraries and their steps, enrolments, placements and their follow-ups.

use super::{
    Notice, action_title, attendance, dates, follow_up_label, occupation_label, page_with,
    person_name,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{parse_path, service_err};
use crate::html::form_fields::code_options;
use crate::html::labels::neighbourhoods;
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment as svc;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::StepStatus;
use elkarlan_domain::employment::eligibility::{self, Reason};
use elkarlan_domain::employment::placement::format_weekly_hours;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, PersonId, ProgrammeId};
use elkarlan_templates::employment::{
    EmploymentFilePage, EnrolmentRow, FollowUpRow, ItineraryRow, PlacementRow, ReasonRow, StepRow,
    SuggestionRow,
};
use elkarlan_templates::{PageCtx, t, t_args};

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    match v {
        Some(true) => t(lang, "emp-yes"),
        Some(false) => t(lang, "emp-no"),
        None => t(lang, "emp-not-recorded"),
    }
}

fn met_label(lang: Lang, r: &Reason) -> String {
    t(
        lang,
        match r.met {
            Some(true) => "emp-met",
            Some(false) => "emp-not-met",
            None => "emp-cannot-tell",
        },
    )
}

pub async fn file_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let page = file_view(&state, &ctx, &actor, page_with(&ctx, &n), id).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub(super) async fn file_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: PersonId,
) -> Result<EmploymentFilePage, HtmlError> {
    let lang = ctx.lang;
    let file = svc::employment_file(state, actor, &ctx.meta, id)
        .await
        .map_err(|e| {
            HtmlError::from_service(ctx, e).with_emergency_route(actor, format!("/people/{id}"))
        })?;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let pr = &file.profile;
    let not_recorded = || t(lang, "emp-not-recorded");
    let profile = vec![
        (
            t(lang, "profile-unemployed-since"),
            pr.unemployed_since.clone().unwrap_or_else(not_recorded),
        ),
        (
            t(lang, "profile-income-guarantee"),
            yes_no(lang, pr.income_guarantee),
        ),
        (
            t(lang, "profile-disability"),
            pr.disability_percent
                .map_or_else(not_recorded, |p| format!("{p} %")),
        ),
        (
            t(lang, "profile-isced"),
            pr.isced.map_or_else(not_recorded, |p| p.to_string()),
        ),
    ];
    let row = |id: String, href: String, name: String, a: &eligibility::Assessment| SuggestionRow {
        programme_id: id,
        href,
        programme: name,
        outcome: t(lang, eligibility::outcome_key(a.outcome)),
        reasons: a
            .reasons
            .iter()
            .map(|r| ReasonRow {
                text: svc::eligibility_message(lang, &areas, r.key, &r.args),
                met: met_label(lang, r),
                alternatives: r
                    .alternatives
                    .iter()
                    .map(|x| {
                        (
                            met_label(lang, x),
                            svc::eligibility_message(lang, &areas, x.key, &x.args),
                        )
                    })
                    .collect(),
            })
            .collect(),
    };
    let suggestions = file
        .suggestions
        .iter()
        .map(|(p, a)| {
            row(
                p.id.to_string(),
                format!("/programmes/{}", p.id),
                p.name(lang).to_owned(),
                a,
            )
        })
        .collect();
    let course_suggestions = file
        .course_suggestions
        .iter()
        .map(|(c, a)| {
            row(
                c.id.to_string(),
                format!("/training-actions/{}", c.id),
                c.title(lang).to_owned(),
                a,
            )
        })
        .collect();
    let programme_name = |pid: Option<ProgrammeId>| {
        pid.and_then(|p| programmes.iter().find(|x| x.id == p))
            .map_or_else(
                || t(lang, "itinerary-no-programme"),
                |p| p.name(lang).to_owned(),
            )
    };
    let itineraries = file
        .itineraries
        .iter()
        .map(|it| ItineraryRow {
            id: it.id.to_string(),
            programme: programme_name(it.programme_id),
            status: t(lang, &it.status.label_key()),
            opened: it.opened_at.to_datetime().format("%Y-%m-%d").to_string(),
            active: it.status == elkarlan_domain::employment::codes::ItineraryStatus::Active,
            steps: it
                .steps
                .iter()
                .map(|s| StepRow {
                    id: s.id.to_string(),
                    position: s.position.to_string(),
                    kind: t(lang, &s.kind.label_key()),
                    status: t(lang, &s.status.label_key()),
                    dates: [
                        s.planned_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-planned", &[("date", d)])),
                        s.started_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-started", &[("date", d)])),
                        s.completed_on
                            .as_ref()
                            .map(|d| t_args(lang, "step-completed", &[("date", d)])),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                    version: s.version,
                    statuses: code_options(
                        lang,
                        StepStatus::ALL,
                        StepStatus::code,
                        StepStatus::label_key,
                        s.status.code(),
                        None,
                    ),
                })
                .collect(),
        })
        .collect();
    let enrolments = file
        .enrolments
        .iter()
        .map(|(e, a)| EnrolmentRow {
            action_id: a.id.to_string(),
            course: action_title(lang, a),
            status: t(lang, &e.status.label_key()),
            attendance: attendance(lang, e.present, e.absent, e.excused),
            certificate: e.certificate.clone().unwrap_or_default(),
        })
        .collect();
    let placements = file
        .placements
        .iter()
        .map(|p| PlacementRow {
            employer: p
                .employer
                .clone()
                .unwrap_or_else(|| t(lang, "contract-type-self-employment")),
            facts: vec![
                (
                    t(lang, "placement-contract-type"),
                    t(lang, &p.contract_type.label_key()),
                ),
                (
                    t(lang, "emp-col-dates"),
                    match &p.ends_on {
                        Some(end) => dates(lang, &p.starts_on, end),
                        None => t_args(lang, "emp-since", &[("date", &p.starts_on)]),
                    },
                ),
                (
                    t(lang, "placement-weekly-hours"),
                    format_weekly_hours(p.weekly_hours_centi),
                ),
                (
                    t(lang, "placement-occupation"),
                    occupation_label(lang, &p.esco_code),
                ),
                (t(lang, "placement-sector"), t(lang, &p.sector.label_key())),
                (
                    t(lang, "placement-clause-link"),
                    match p.social_clause_id {
                        Some(c) => c.to_string(),
                        None => t(lang, "placement-not-linked"),
                    },
                ),
                (
                    t(lang, "placement-agreement"),
                    match p.agreement_commitment_id {
                        Some(c) => c.to_string(),
                        None => t(lang, "placement-not-linked"),
                    },
                ),
            ],
            follow_ups: p
                .follow_ups
                .iter()
                .map(|fu| FollowUpRow {
                    label: follow_up_label(lang, fu.months),
                    due: fu.due_on.clone(),
                    status: match (&fu.checked_on, fu.still_employed) {
                        (Some(d), Some(true)) => {
                            t_args(lang, "followup-done-employed", &[("date", d)])
                        }
                        (Some(d), _) => t_args(lang, "followup-done-not-employed", &[("date", d)]),
                        (None, _) => t(lang, "followup-pending"),
                    },
                    link: fu
                        .checked_on
                        .is_none()
                        .then(|| format!("/placements/{}/follow-ups/{}", p.id, fu.months)),
                })
                .collect(),
        })
        .collect();
    Ok(EmploymentFilePage {
        ctx: page,
        person_id: id.to_string(),
        name: person_name(&file.person),
        profile,
        suggestions,
        course_suggestions,
        itineraries,
        enrolments,
        placements,
        can_manage: file.can_manage,
    })
}
