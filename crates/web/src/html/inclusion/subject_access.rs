//! Subject access: the DPO's register of requests and the printable copy that answers one.

use super::{Notice, page_with_notice};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, field_errors, parse_path, service_err};
use crate::html::labels::{agency_list, day, domain_name, key_of, name_of};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::account::Role;
use elkarlan_domain::inclusion::subject_access::RequestStatus;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, Timestamp};
use elkarlan_templates::{
    PageCtx, SarRequestRow, SarRequestsPage, SarSection, SelectOption, SubjectAccessPage, t,
};
use serde::Deserialize;

/// The subject access copy as a printable page, in the person's language, for the DPO to
/// hand over (GDPR art. 15): the answer to a request in progress, which it completes. The same
/// sections as `GET /api/v1/subject-access-requests/{id}/copy`.
pub async fn subject_access_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let request: uuid::Uuid = parse_path(&ctx, &raw)?;
    let (req, a) = svc::subject_access_for_request(&state, &actor, &ctx.meta, request)
        .await
        .map_err(service_err(&ctx))?;
    let id = req.person_id;
    let lang = elkarlan_domain::inclusion::consent::receipt_language(Some(
        a.records.person.preferred_lang,
    ));
    let all = agency_list(&state, &ctx, &actor).await?;
    let instruments = crate::services::reference::instruments(&state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let tr = |k: &str| t(lang, k);
    let heads = |keys: &[&str]| keys.iter().map(|k| tr(k)).collect::<Vec<_>>();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let p = &a.records.person;
    let person_rows: Vec<Vec<String>> = [
        ("person-given-name", p.given_name.clone()),
        ("person-surname1", p.surname1.clone()),
        ("person-surname2", opt(&p.surname2)),
        ("person-document", opt(&p.document_masked)),
        ("person-birth-date", p.birth_date.to_string()),
        ("person-sex", tr(&key_of("sex", p.sex.code()))),
        ("person-nationality", opt(&p.nationality)),
        ("person-languages", p.languages.join(", ")),
        (
            "person-preferred-lang",
            p.preferred_lang.endonym().to_owned(),
        ),
        ("person-phone", opt(&p.phone)),
        ("person-email", opt(&p.email)),
    ]
    .into_iter()
    .map(|(k, v)| vec![tr(k), v])
    .collect();
    let now = Timestamp::now();
    let section = |title: &str, headers: Vec<String>, rows: Vec<Vec<String>>| SarSection {
        title: tr(title),
        headers,
        rows,
    };
    let domain_name = |version: i64, code: &str| {
        instruments
            .iter()
            .find(|i| i64::from(i.version) == version)
            .and_then(|i| i.domain(code))
            .map_or_else(|| code.to_owned(), |d| domain_name(lang, d))
    };
    let r = &a.records;
    let agency = |id| name_of(lang, &all, id);
    let or_none = |v: Option<String>| v.unwrap_or_else(|| tr("none"));
    let cases = || r.cases.iter();
    let mut sections = vec![
        section(
            "sar-person",
            heads(&["sar-field", "sar-value"]),
            person_rows,
        ),
        section(
            "sar-merged",
            heads(&["sar-field", "person-birth-date", "sar-date"]),
            r.merged_records
                .iter()
                .map(|m| {
                    let name = [Some(&m.given_name), Some(&m.surname1), m.surname2.as_ref()]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    vec![name, m.birth_date.clone(), day(m.merged_at)]
                })
                .collect(),
        ),
        section(
            "history-title",
            heads(&["sar-date", "audit-who", "history-changes"]),
            r.history
                .iter()
                .map(|h| vec![day(h.at), h.actor_name.clone(), h.change.to_string()])
                .collect(),
        ),
        section(
            "sar-consents",
            heads(&[
                "consent-purpose",
                "consent-recipients",
                "consent-categories",
                "consent-evidence",
                "consent-given",
                "consent-expires",
                "receipt-state",
            ]),
            r.consents
                .iter()
                .map(|c| {
                    vec![
                        c.purpose.clone(),
                        c.recipients
                            .iter()
                            .map(|r| tr(&r.label_key()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.categories
                            .iter()
                            .map(|x| tr(&x.label_key()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.evidence.clone(),
                        c.given_at.display(),
                        c.expires_at.map_or_else(|| tr("none"), Timestamp::display),
                        tr(&format!("consent-state-{}", c.scope().state(now).code())),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-case",
            heads(&["case-status", "sar-agency", "case-opened", "sar-closed"]),
            cases()
                .map(|c| {
                    vec![
                        tr(&c.case.status.label_key()),
                        agency(c.case.lead_agency_id),
                        day(c.case.opened_at),
                        c.case.closed_at.map(day).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-team",
            heads(&["sar-agency", "sar-joined", "sar-left"]),
            cases()
                .flat_map(|c| c.team.iter())
                .map(|m| {
                    vec![
                        agency(m.agency_id),
                        day(m.joined_at),
                        m.left_at.map(day).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-emergency",
            heads(&["sar-date", "break-glass-reason", "sar-review"]),
            cases()
                .flat_map(|c| c.break_glass.iter())
                .map(|g| {
                    vec![
                        g.opened_at.display(),
                        g.reason.clone(),
                        or_none(g.review_outcome.clone()),
                    ]
                })
                .collect(),
        ),
        section(
            "case-referrals",
            heads(&[
                "sar-agency",
                "referral-to-agency",
                "referral-status",
                "referral-reason",
                "sar-sent",
            ]),
            cases()
                .flat_map(|c| c.referrals.iter())
                .map(|r| {
                    vec![
                        agency(r.from_agency),
                        agency(r.to_agency),
                        tr(&r.status.label_key()),
                        r.reason.clone(),
                        day(r.sent_at),
                    ]
                })
                .collect(),
        ),
        section(
            "assessment-title",
            heads(&["sar-date", "assessment-summary", "assessment-severity"]),
            cases()
                .flat_map(|c| c.assessments.iter())
                .map(|x| {
                    let domains = x
                        .domains
                        .iter()
                        .map(|(d, s)| {
                            format!(
                                "{}: {}",
                                domain_name(x.instrument_version, d),
                                tr(&key_of("severity", s))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![day(x.assessed_at), x.summary.clone(), domains]
                })
                .collect(),
        ),
        section(
            "plan-title",
            heads(&[
                "action-description",
                "action-agency",
                "action-due",
                "action-status",
            ]),
            cases()
                .flat_map(|c| c.goals.iter())
                .map(|g| {
                    vec![
                        g.description.clone(),
                        String::new(),
                        String::new(),
                        tr(&key_of("goal-status", &g.status)),
                    ]
                })
                .chain(cases().flat_map(|c| c.actions.iter()).map(|x| {
                    vec![
                        x.description.clone(),
                        agency(x.agency_id),
                        x.due_on.clone().unwrap_or_default(),
                        tr(&key_of("action-status", &x.status)),
                    ]
                }))
                .collect(),
        ),
        section(
            "notes-title",
            heads(&["sar-date", "sar-agency", "note-body"]),
            cases()
                .flat_map(|c| c.notes.iter())
                .map(|n| {
                    let by = if n.clinical {
                        format!("{} ({})", agency(n.author_agency), tr("note-clinical"))
                    } else {
                        agency(n.author_agency)
                    };
                    vec![day(n.created_at), by, n.body.clone()]
                })
                .collect(),
        ),
        section(
            "sar-meetings",
            heads(&["meeting-held-on", "meeting-agencies", "meeting-minutes"]),
            cases()
                .flat_map(|c| c.meetings.iter())
                .map(|m| {
                    vec![
                        m.held_on.clone(),
                        m.agencies
                            .iter()
                            .map(|x| agency(*x))
                            .collect::<Vec<_>>()
                            .join(", "),
                        m.minutes.clone(),
                    ]
                })
                .collect(),
        ),
        section(
            "file-profile-title",
            heads(&["sar-field", "sar-value"]),
            r.employment_profiles
                .iter()
                .flat_map(|x| {
                    [
                        (
                            "profile-unemployed-since",
                            or_none(x.unemployed_since.clone()),
                        ),
                        (
                            "profile-income-guarantee",
                            or_none(x.income_guarantee.map(|b| tr(if b { "yes" } else { "no" }))),
                        ),
                        (
                            "profile-disability",
                            or_none(x.disability_percent.map(|v| v.to_string())),
                        ),
                        ("profile-isced", or_none(x.isced.map(|v| v.to_string()))),
                    ]
                })
                .map(|(k, v)| vec![tr(k), v])
                .collect(),
        ),
        section(
            "file-itineraries-title",
            heads(&["sar-date", "sar-agency", "sar-status", "sar-steps"]),
            r.itineraries
                .iter()
                .map(|i| {
                    vec![
                        day(i.opened_at),
                        agency(i.agency_id),
                        tr(&i.status.label_key()),
                        i.steps
                            .iter()
                            .map(|s| {
                                format!(
                                    "{}: {}",
                                    tr(&s.kind.label_key()),
                                    tr(&s.status.label_key())
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "file-enrolments-title",
            heads(&["enrol-action", "sar-date", "sar-status", "sar-attendance"]),
            r.enrolments
                .iter()
                .map(|e| {
                    let course = if lang == Lang::Eu {
                        &e.course_eu
                    } else {
                        &e.course_es
                    };
                    vec![
                        course.clone(),
                        e.enrolment.enrolled_on.clone(),
                        tr(&e.enrolment.status.label_key()),
                        e.attendance
                            .iter()
                            .map(|m| {
                                format!(
                                    "{} {}: {}",
                                    m.session_number,
                                    m.held_on,
                                    tr(&key_of("attendance", &m.mark))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "file-placements-title",
            heads(&[
                "placement-employer",
                "placement-contract-type",
                "sar-start",
                "sar-end",
                "sar-follow-ups",
            ]),
            r.placements
                .iter()
                .map(|x| {
                    let p = &x.placement;
                    // The employer as recorded, and as the directory names it when linked.
                    let employer = match (&p.employer, &x.employer_organisation_name) {
                        (Some(e), Some(o)) if e != o => format!("{e} ({o})"),
                        (Some(e), _) => e.clone(),
                        (None, o) => o.clone().unwrap_or_default(),
                    };
                    vec![
                        employer,
                        tr(&p.contract_type.label_key()),
                        p.starts_on.clone(),
                        p.ends_on.clone().unwrap_or_default(),
                        p.follow_ups
                            .iter()
                            .map(|f| {
                                format!(
                                    "{} ({}){}",
                                    f.due_on,
                                    f.months,
                                    f.note
                                        .as_ref()
                                        .map(|n| format!(": {n}"))
                                        .unwrap_or_default()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-inbound",
            heads(&["sar-reference", "sar-date", "sar-notes"]),
            r.inbound_referrals
                .iter()
                .map(|x| {
                    vec![
                        x.reference.clone(),
                        x.referred_on.clone(),
                        x.notes.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    ];
    sections.push(section(
        "access-log-title",
        heads(&[
            "audit-when",
            "audit-who",
            "users-role",
            "audit-what",
            "audit-outcome",
            "audit-basis",
        ]),
        a.access_log
            .iter()
            .map(|e| {
                vec![
                    e.at.display(),
                    e.actor_name.clone(),
                    e.actor_role
                        .as_deref()
                        .and_then(|r| Role::parse(r).ok())
                        .map(|r| tr(&r.label_key()))
                        .unwrap_or_default(),
                    e.action.clone(),
                    e.outcome.clone(),
                    e.basis.clone(),
                ]
            })
            .collect(),
    ));
    let mut page = ctx.page();
    page.lang = lang;
    let name = if p.anonymised_at.is_some() {
        tr("person-anonymised")
    } else {
        p.full_name()
    };
    let out = SubjectAccessPage {
        ctx: page,
        person_id: id.to_string(),
        request_id: req.id.to_string(),
        name,
        generated: a.generated_at.display(),
        sections,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &out))
}

/// Query of the register page: a notice after a redirect, the person to prefill.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SarQuery {
    notice: String,
    person: String,
}

fn sar_options(
    lang: Lang,
    codes: impl Iterator<Item = (&'static str, String)>,
    chosen: &str,
) -> Vec<SelectOption> {
    std::iter::once(SelectOption {
        value: String::new(),
        label: String::new(),
        selected: chosen.is_empty(),
    })
    .chain(codes.map(|(code, key)| SelectOption {
        value: code.to_owned(),
        label: t(lang, &key),
        selected: code == chosen,
    }))
    .collect()
}

async fn sar_register_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    f: &Fields,
) -> Result<SarRequestsPage, HtmlError> {
    use elkarlan_domain::inclusion::subject_access::{IdentityCheck, RequesterRelation};
    let list = svc::subject_access_requests(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let lang = ctx.lang;
    let today = Timestamp::now().to_datetime().date_naive().to_string();
    let rows = list
        .iter()
        .map(|r| SarRequestRow {
            id: r.id.to_string(),
            person: r.person_id.to_string(),
            requester: r.requester.clone(),
            relation: t(lang, &r.relation.label_key()),
            identity: t(lang, &r.identity_check.label_key()),
            received: r.received_on.clone(),
            deadline: r.deadline_on.clone(),
            status: t(lang, &r.status.label_key()),
            overdue: r.overdue(&today),
            version: r.version,
            can_start: r.status.may_become(RequestStatus::InProgress),
            can_refuse: r.status.may_become(RequestStatus::Refused),
            can_copy: matches!(
                r.status,
                RequestStatus::InProgress | RequestStatus::Completed
            ),
        })
        .collect();
    Ok(SarRequestsPage {
        ctx: page,
        rows,
        person: f.get("person"),
        requester: f.get("requester"),
        relations: sar_options(
            lang,
            RequesterRelation::ALL
                .iter()
                .map(|r| (r.code(), r.label_key())),
            &f.get("relation"),
        ),
        checks: sar_options(
            lang,
            IdentityCheck::ALL.iter().map(|r| (r.code(), r.label_key())),
            &f.get("identity_check"),
        ),
        received_on: f.get("received_on"),
    })
}

/// The DPO's register of subject access requests, and the form to record a new one.
pub async fn subject_access_requests_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<SarQuery>,
) -> Result<Response, HtmlError> {
    let page = page_with_notice(&ctx, &Notice { notice: q.notice });
    let prefill = Fields::from_pairs(vec![("person".to_owned(), q.person)]);
    let out = sar_register_page(&state, &ctx, &actor, page, &prefill).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &out))
}

pub async fn subject_access_request_register(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let input = elkarlan_domain::inclusion::subject_access::RequestInput {
        person: f.get("person"),
        requester: f.get("requester"),
        relation: f.get("relation"),
        identity_check: f.get("identity_check"),
        received_on: f.get("received_on"),
    };
    match svc::register_subject_access_request(&state, &actor, &ctx.meta, &input).await {
        Ok(_) => Ok(see_other("/subject-access-requests?notice=sar-registered")),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let out = sar_register_page(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f)
                .await?;
            Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &out))
        }
    }
}

pub async fn subject_access_request_move(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: uuid::Uuid = parse_path(&ctx, &raw)?;
    let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
    match svc::move_subject_access_request(&state, &actor, &ctx.meta, id, version, &f.get("status"))
        .await
    {
        Ok(_) => Ok(see_other("/subject-access-requests?notice=sar-moved")),
        Err(ServiceError::Stale) => Err(HtmlError::new(ctx.page(), StatusCode::CONFLICT)),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let out = sar_register_page(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                &Fields::empty(),
            )
            .await?;
            Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &out))
        }
    }
}
