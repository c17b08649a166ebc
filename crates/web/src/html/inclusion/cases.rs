//! The case page (with its casework sections), the case status and the professional's caseload.

use super::people::{category_rows, radio};
use super::{Notice, page_with_notice};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, field_errors, parse_path, service_err};
use crate::html::form_fields::option;
use crate::html::labels::{agency_list, day, domain_label, key_of, name_of};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::casework::Casework;
use crate::services::inclusion::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::inclusion::case::{CaseStatus, ClosureReason};
use elkarlan_domain::inclusion::referral::{ReferralStatus, Side};
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{CaseId, FieldErrors, Lang};
use elkarlan_service::models::agencies::Agency;
use elkarlan_templates::{ActionRow, AssessmentRow, GoalRow, MeetingRow, NoteRow, TimelineRow};
use elkarlan_templates::{
    CasePage, CaseReferralRow, CaseloadPage, CaseloadRow, PageCtx, SelectOption, t, t_args,
};

fn response_time(lang: Lang, seconds: Option<i64>) -> String {
    match seconds {
        None => t(lang, "referral-not-answered"),
        Some(s) if s < 2 * 86_400 => t_args(
            lang,
            "referral-response-hours",
            &[("n", &(s / 3600).to_string())],
        ),
        Some(s) => t_args(
            lang,
            "referral-response-days",
            &[("n", &(s / 86_400).to_string())],
        ),
    }
}

async fn case_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    page: PageCtx,
    chosen: &Fields,
) -> Result<CasePage, HtmlError> {
    let lang = ctx.lang;
    let (work, person) = crate::services::casework::case_page(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let view = &work.view;
    let all = agency_list(state, ctx, actor).await?;
    let lead_name =
        crate::services::reference::staff_name(state, actor.tenant, view.case.lead_user_id)
            .await
            .unwrap_or_default();
    let mut team: Vec<String> = Vec::new();
    for m in &view.team {
        let n = name_of(lang, &all, m.agency_id);
        if !team.contains(&n) {
            team.push(n);
        }
    }
    let name = [&person.given_name, &person.surname1, &person.surname2]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let status = chosen.get("status");
    let reason = chosen.get("closure_reason");
    let mut closure_reasons = vec![SelectOption {
        value: String::new(),
        label: t(lang, "case-closure-reason-none"),
        selected: reason.is_empty(),
    }];
    closure_reasons.extend(ClosureReason::ALL.into_iter().map(|r| SelectOption {
        value: r.code().to_owned(),
        label: t(lang, &key_of("closure-reason", r.code())),
        selected: r.code() == reason,
    }));
    let sections = sections(lang, &all, &work);
    Ok(CasePage {
        ctx: page,
        id: id.to_string(),
        person: view.case.person_id.to_string(),
        name: if name.is_empty() {
            t(lang, "person-title")
        } else {
            name
        },
        status: t(lang, &view.case.status.label_key()),
        lead: format!(
            "{lead_name} ({})",
            name_of(lang, &all, view.case.lead_agency_id)
        ),
        opened: day(view.case.opened_at),
        team,
        categories: category_rows(
            lang,
            view.categories
                .iter()
                .map(|(c, b)| (c.code().to_owned(), b.code().to_owned())),
        ),
        referrals: view
            .referrals
            .iter()
            .map(|r| CaseReferralRow {
                id: r.id.to_string(),
                // A request to join the team names the agency that asks.
                agency: name_of(
                    lang,
                    &all,
                    if r.join_request {
                        r.from_agency
                    } else {
                        r.to_agency
                    },
                ),
                status: t(lang, &r.status.label_key()),
                due: day(r.due_at),
                response: response_time(lang, r.response_seconds()),
                version: r.version,
                can_withdraw: !r.join_request
                    && svc::allows(actor, Action::WithdrawReferral, view.relationship)
                    && r.status
                        .transition(ReferralStatus::Withdrawn, Side::Sender)
                        .is_ok(),
            })
            .collect(),
        can_manage: svc::allows(actor, Action::ManageCase, view.relationship),
        statuses: CaseStatus::ALL
            .into_iter()
            .filter(|s| view.case.status.can_become(*s))
            .map(|s| radio(s.code(), t(lang, &s.label_key()), &status))
            .collect(),
        closure_reasons,
        version: view.case.version,
        can_refer: svc::allows(actor, Action::SendReferral, view.relationship),
        can_contribute: svc::allows(actor, Action::ContributeToCase, view.relationship),
        health_followups: sections.health_followups,
        assessment: sections.assessment,
        earlier_assessments: sections.earlier_assessments,
        goals: sections.goals,
        loose_actions: sections.loose_actions,
        notes: sections.notes,
        meetings: sections.meetings,
        timeline: sections.timeline,
    })
}

/// The case page again, with errors from a form on it (the action status forms).
pub(in crate::html) async fn case_page_with_errors(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let page = case_page_for(
        state,
        ctx,
        actor,
        id,
        ctx.page().with_errors(errors),
        &Fields::empty(),
    )
    .await?;
    Ok(render(ctx, state, status, &page))
}

pub async fn case_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let page = case_page_for(
        &state,
        &ctx,
        &actor,
        id,
        page_with_notice(&ctx, &n),
        &Fields::empty(),
    )
    .await
    .map_err(|e| e.with_emergency_route(&actor, format!("/cases/{id}/break-glass")))?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn case_status_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
    let result = svc::set_case_status(
        &state,
        &actor,
        &ctx.meta,
        id,
        version,
        &f.get("status"),
        &f.get("closure_reason"),
    )
    .await;
    let (errors, status) = match result {
        Ok(()) => return Ok(see_other(&format!("/cases/{id}?notice=case-status-saved"))),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add("status", "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(ServiceError::Invalid(e)) if e.is_empty() => {
            let mut e = FieldErrors::new();
            e.add("status", "error-case-status");
            (e, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => (field_errors(&ctx, e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = case_page_for(
        &state,
        &ctx,
        &actor,
        id,
        ctx.page().with_errors(&errors),
        &f,
    )
    .await?;
    Ok(render(&ctx, &state, status, &page))
}

/// The professional's own cases, open ones first.
pub async fn caseload_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    const SHOWN: i64 = 200;
    let entries = svc::caseload(&state, &actor, &ctx.meta, SHOWN)
        .await
        .map_err(service_err(&ctx))?;
    let lang = ctx.lang;
    let page = CaseloadPage {
        ctx: ctx.page(),
        rows: entries
            .into_iter()
            .map(|e| CaseloadRow {
                id: e.case.id.to_string(),
                name: if e.name.is_empty() {
                    t(lang, "person-anonymised")
                } else {
                    e.name
                },
                status: t(lang, &e.case.status.label_key()),
                opened: day(e.case.opened_at),
                part: t(
                    lang,
                    if e.lead {
                        "caseload-lead"
                    } else {
                        "caseload-team"
                    },
                ),
            })
            .collect(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

const ACTION_STATUSES: [&str; 4] = ["pending", "in_progress", "done", "cancelled"];

fn action_row(
    lang: Lang,
    all: &[Agency],
    a: &elkarlan_service::models::casework::PlanAction,
) -> ActionRow {
    ActionRow {
        id: a.id.to_string(),
        description: a.description.clone(),
        agency: name_of(lang, all, a.agency_id),
        due: a.due_on.clone().unwrap_or_default(),
        status: t(lang, &key_of("action-status", &a.status)),
        version: a.version,
        statuses: ACTION_STATUSES
            .iter()
            .map(|s| option(s, t(lang, &key_of("action-status", s)), &a.status))
            .collect(),
    }
}

/// The case page's casework sections.
struct Sections {
    pub health_followups: Vec<String>,
    pub assessment: Option<AssessmentRow>,
    pub earlier_assessments: usize,
    pub goals: Vec<GoalRow>,
    pub loose_actions: Vec<ActionRow>,
    pub notes: Vec<NoteRow>,
    pub meetings: Vec<MeetingRow>,
    pub timeline: Vec<TimelineRow>,
}

fn sections(lang: Lang, all: &[Agency], w: &Casework) -> Sections {
    let assessment = w.assessments.first().map(|a| AssessmentRow {
        when: day(a.assessed_at),
        agency: name_of(lang, all, a.assessed_agency),
        version: a.instrument_version,
        summary: a.summary.clone(),
        domains: a
            .domains
            .iter()
            .map(|(d, s)| {
                (
                    domain_label(lang, &w.instruments, Some(a.instrument_version), d),
                    s.clone(),
                    t(lang, &key_of("severity", s)),
                )
            })
            .collect(),
    });
    let goals = w
        .goals
        .iter()
        .map(|g| GoalRow {
            domain: domain_label(lang, &w.instruments, None, &g.domain),
            description: g.description.clone(),
            status: t(lang, &key_of("goal-status", &g.status)),
            actions: w
                .actions
                .iter()
                .filter(|a| a.goal_id == Some(g.id))
                .map(|a| action_row(lang, all, a))
                .collect(),
        })
        .collect();
    let loose_actions = w
        .actions
        .iter()
        .filter(|a| a.goal_id.is_none_or(|g| !w.goals.iter().any(|x| x.id == g)))
        .map(|a| action_row(lang, all, a))
        .collect();
    Sections {
        health_followups: w
            .health_followups
            .iter()
            .map(|a| name_of(lang, all, *a))
            .collect(),
        assessment,
        earlier_assessments: w.assessments.len().saturating_sub(1),
        goals,
        loose_actions,
        notes: w
            .notes
            .iter()
            .map(|n| NoteRow {
                when: day(n.created_at),
                agency: name_of(lang, all, n.author_agency),
                level: t(lang, &key_of("note-level", &n.confidentiality)),
                clinical: n.clinical,
                body: n.body.clone(),
            })
            .collect(),
        meetings: w
            .meetings
            .iter()
            .map(|m| MeetingRow {
                held_on: m.held_on.clone(),
                agencies: m
                    .agencies
                    .iter()
                    .map(|a| name_of(lang, all, *a))
                    .collect::<Vec<_>>()
                    .join(", "),
                minutes: m.minutes.clone(),
            })
            .collect(),
        timeline: w
            .timeline
            .iter()
            .map(|e| TimelineRow {
                when: e.at.get(..10).unwrap_or(&e.at).to_owned(),
                kind: t(lang, &key_of("timeline", &e.kind)),
                text: match e.kind.as_str() {
                    "case_opened" => t(lang, &key_of("case-status", &e.text)),
                    "referral_answered" => t(lang, &key_of("referral-status", &e.text)),
                    _ => e.text.clone(),
                },
            })
            .collect(),
    }
}

// Forms
