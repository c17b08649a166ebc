//! Casework services: assessment, joint plan, notes, coordination meetings and the timeline.
//! Contributions need a team relationship (lead or team member); reading needs `ViewCase`;
//! notes are further filtered by their confidentiality level, and clinical notes never leave
//! the health agency that wrote them.

use super::authorize;
use super::inclusion::CaseView;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::inclusion::case::Severity;
use elkarlan_domain::inclusion::casework::NoteConfidentiality;
pub use elkarlan_domain::inclusion::casework::{ActionStatusInput, NoteInput};
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::instrument::Instrument;
use elkarlan_domain::policy::{self, Action, Actor, Grant, Relationship, Target, Writer};
use elkarlan_domain::{AgencyId, CaseId, FieldErrors};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::cases::{self, Case};
use elkarlan_store::casework::{
    self, Assessment, Goal, Meeting, NewAction, NewAssessment, NewMeeting, NewNote, Note,
    PlanAction,
};
use elkarlan_store::{StoreError, agencies, instruments};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MAX_TEXT: usize = 5000;

async fn case_and_relationship(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
) -> Result<(Case, Relationship), ServiceError> {
    let case = cases::get(&state.store, actor.tenant, id).await?;
    let relationship = cases::relationship(&state.store, actor, &case).await?;
    Ok((case, relationship))
}

/// The case and a grant to contribute to it: only the lead and team members may.
async fn contribution(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<(Case, Grant), ServiceError> {
    let (case, relationship) = case_and_relationship(state, actor, id).await?;
    let grant = super::authorize_about(
        state,
        actor,
        Action::ContributeToCase,
        Target::new(actor.tenant, relationship),
        super::About::case(&case),
        meta,
    )
    .await?;
    Ok((case, grant))
}

fn text(e: &mut FieldErrors, field: &str, value: &str, required: &'static str) -> String {
    let t = value.trim();
    if t.is_empty() {
        e.add(field, required);
    } else if t.chars().count() > MAX_TEXT {
        e.add(field, "error-text-too-long");
    }
    t.to_owned()
}

fn date(e: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let t = value.trim();
    if t.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d.to_string()),
        Err(_) => {
            e.add(field, "error-date-format");
            None
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AssessmentInput {
    pub summary: String,
    /// Life domain → severity (none, low, moderate, severe). Domains of the current instrument.
    pub domains: BTreeMap<String, String>,
}

pub async fn record_assessment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    input: &AssessmentInput,
) -> Result<uuid::Uuid, ServiceError> {
    let (case, grant) = contribution(state, actor, meta, id).await?;
    let instrument = instruments::current(&state.store, actor.tenant).await?;
    let mut e = FieldErrors::new();
    let summary = text(&mut e, "summary", &input.summary, "error-summary-required");
    let mut domains = Vec::new();
    for (domain, severity) in &input.domains {
        if instrument.domain(domain).is_none() {
            e.add("domains", "error-domain-unknown");
        } else if let Some(s) = e.take("domains", Severity::parse(severity)) {
            domains.push((domain.clone(), s));
        }
    }
    if input.domains.is_empty() {
        e.add("domains", "error-domains-required");
    }
    e.into_result().map_err(ServiceError::Invalid)?;
    let Some(agency) = actor.agency else {
        return Err(ServiceError::Forbidden(policy::Denied {
            reason: "agency",
            conceal: false,
        }));
    };
    let new = NewAssessment {
        by: actor.user,
        agency,
        version: i64::from(instrument.version),
        summary,
        domains,
    };
    Ok(casework::record_assessment(&state.store, &grant, meta, &case, &new).await?)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GoalInput {
    pub domain: String,
    pub description: String,
}

pub async fn add_goal(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    input: &GoalInput,
) -> Result<uuid::Uuid, ServiceError> {
    let (case, grant) = contribution(state, actor, meta, id).await?;
    let instrument = instruments::current(&state.store, actor.tenant).await?;
    let mut e = FieldErrors::new();
    if instrument.domain(&input.domain).is_none() {
        e.add("domain", "error-domain-unknown");
    }
    let description = text(
        &mut e,
        "description",
        &input.description,
        "error-description-required",
    );
    e.into_result().map_err(ServiceError::Invalid)?;
    Ok(casework::add_goal(
        &state.store,
        &grant,
        meta,
        &case,
        actor.user,
        input.domain.trim(),
        &description,
    )
    .await?)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActionInput {
    /// The goal it serves, if any.
    pub goal: String,
    /// The agency responsible.
    pub agency: String,
    pub description: String,
    /// YYYY-MM-DD, optional.
    pub due_on: String,
}

async fn parse_action(
    state: &AppState,
    actor: &Actor,
    input: &ActionInput,
    e: &mut FieldErrors,
    prefix: &str,
) -> Result<Option<NewAction>, ServiceError> {
    let field = |f: &str| {
        if prefix.is_empty() {
            f.to_owned()
        } else {
            format!("{prefix}.{f}")
        }
    };
    let goal = if input.goal.trim().is_empty() {
        None
    } else {
        match input.goal.trim().parse::<uuid::Uuid>() {
            Ok(g) => Some(g),
            Err(_) => {
                e.add(&field("goal"), "error-goal-unknown");
                None
            }
        }
    };
    let agency = match input.agency.trim().parse::<AgencyId>() {
        Ok(a) => match agencies::get(&state.store, actor.tenant, a).await {
            Ok(_) => Some(a),
            Err(StoreError::NotFound) => {
                e.add(&field("agency"), "error-agency-unknown");
                None
            }
            Err(other) => return Err(other.into()),
        },
        Err(_) => {
            e.add(&field("agency"), "error-agency-unknown");
            None
        }
    };
    let description = text(
        e,
        &field("description"),
        &input.description,
        "error-description-required",
    );
    let due_on = date(e, &field("due_on"), &input.due_on);
    Ok(agency.map(|agency_id| NewAction {
        goal_id: goal,
        agency_id,
        user_id: None,
        description,
        due_on,
    }))
}

pub async fn add_action(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    input: &ActionInput,
) -> Result<uuid::Uuid, ServiceError> {
    let (case, grant) = contribution(state, actor, meta, id).await?;
    let mut e = FieldErrors::new();
    let action = parse_action(state, actor, input, &mut e, "").await?;
    e.into_result().map_err(ServiceError::Invalid)?;
    let Some(action) = action else {
        return Err(ServiceError::Invalid(FieldErrors::new()));
    };
    casework::add_action(&state.store, &grant, meta, &case, &action)
        .await
        .map_err(|err| match err {
            StoreError::NotFound => {
                let mut f = FieldErrors::new();
                f.add("goal", "error-goal-unknown");
                ServiceError::Invalid(f)
            }
            other => other.into(),
        })
}

pub async fn set_action_status(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    action: uuid::Uuid,
    input: &ActionStatusInput,
) -> Result<(), ServiceError> {
    let (case, grant) = contribution(state, actor, meta, id).await?;
    let change = input.parse().map_err(ServiceError::Invalid)?;
    Ok(casework::set_action_status(
        &state.store,
        &grant,
        meta,
        &case,
        action,
        change.version,
        change.status.code(),
    )
    .await?)
}

pub async fn add_note(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    input: &NoteInput,
) -> Result<uuid::Uuid, ServiceError> {
    let (case, grant) = contribution(state, actor, meta, id).await?;
    let draft = input.parse().map_err(ServiceError::Invalid)?;
    let Some(agency) = actor.agency else {
        return Err(ServiceError::Invalid(FieldErrors::new()));
    };
    // Health professionals write clinical notes: they stay inside their agency whatever was chosen.
    let clinical = actor.agency_system.is_some_and(|s| s.is_health());
    let level = match draft.confidentiality {
        NoteConfidentiality::Team if clinical => NoteConfidentiality::Agency,
        level => level,
    };
    let note = NewNote {
        author: actor.user,
        agency,
        confidentiality: level.code(),
        clinical,
        body: draft.body,
    };
    Ok(casework::add_note(&state.store, &grant, meta, &case, &note).await?)
}

/// Whether this reader may see this note.
pub fn note_visible(actor: &Actor, relationship: Relationship, note: &Note) -> bool {
    if !matches!(
        relationship,
        Relationship::Lead | Relationship::TeamMember | Relationship::BreakGlass
    ) {
        return false;
    }
    if note.clinical && actor.agency != Some(note.author_agency) {
        return false;
    }
    match note.confidentiality.as_str() {
        "team" => true,
        "agency" => actor.agency == Some(note.author_agency),
        _ => actor.user == note.author_id,
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: String,
    /// case_opened, referral_sent, referral_answered, referral_completed, assessment, goal, action, note, meeting.
    pub kind: String,
    pub text: String,
}

/// Everything the reader may see of a case's work.
#[derive(Clone, Debug)]
pub struct Casework {
    /// The case itself, as `view_case` returned it (read and audited once).
    pub view: CaseView,
    /// Every version of the instrument, to name the domains of old and new assessments.
    pub instruments: Vec<Instrument>,
    pub assessments: Vec<Assessment>,
    pub goals: Vec<Goal>,
    pub actions: Vec<PlanAction>,
    pub notes: Vec<Note>,
    pub meetings: Vec<Meeting>,
    /// Agencies of the health systems following the person, when the reader may know it.
    pub health_followups: Vec<AgencyId>,
    pub timeline: Vec<TimelineEntry>,
}

pub async fn casework(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<Casework, ServiceError> {
    let (work, grant, shown) = casework_unrecorded(state, actor, meta, id).await?;
    super::inclusion::record_case_read(state, &grant, &work.view.case, &shown, meta).await?;
    Ok(work)
}

/// The case page: its casework and the person's record. The case read is recorded last, so
/// the newest row of the request names every category the page shows.
pub async fn case_page(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<(Casework, super::inclusion::PersonView), ServiceError> {
    let (work, grant, shown) = casework_unrecorded(state, actor, meta, id).await?;
    let person =
        super::inclusion::view_person(state, actor, meta, work.view.case.person_id).await?;
    super::inclusion::record_case_read(state, &grant, &work.view.case, &shown, meta).await?;
    Ok((work, person))
}

/// The casework as the actor may see it, the grant, and every category it shows (those the
/// policy opened, and those revealed by what the reader, or under break-glass the lead, wrote):
/// not yet recorded as read.
async fn casework_unrecorded(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<(Casework, Grant, Vec<DataCategory>), ServiceError> {
    let (view, grant) = super::inclusion::case_view_unrecorded(state, actor, meta, id).await?;
    let instruments = instruments::all(&state.store, actor.tenant).await?;
    // A domain's severity and goals reveal its data category: shown only when the policy
    // opened that category to this reader (see `visible_categories`).
    let open = |c: DataCategory| view.categories.iter().any(|(x, _)| *x == c);
    let category_of = |version: Option<i64>, domain: &str| {
        let in_version = version
            .and_then(|v| instruments.iter().find(|i| i64::from(i.version) == v))
            .and_then(|i| i.domain(domain));
        in_version
            .or_else(|| instruments.iter().rev().find_map(|i| i.domain(domain)))
            .map_or(DataCategory::SocialServicesNotes, |d| d.category)
    };
    // That a health service assessed the person, owns an action, wrote a note or sat at a
    // meeting is health data: such records and attendees vanish for readers who may not know it.
    let visible: Vec<DataCategory> = view.categories.iter().map(|(c, _)| *c).collect();
    // What the reader (or their agency) wrote, they know; under break-glass the lead's writing
    // is shown as the lead sees it (`policy::decide_written`). Each category the lead's writing
    // reveals beyond those opened is named in the access log (`revealed`).
    let written = |writer: Writer, c: DataCategory| {
        policy::decide_written(view.relationship, writer, c, &visible)
    };
    let mut revealed: Vec<DataCategory> = Vec::new();
    let mut reveal = |writer: Writer, c: DataCategory| {
        if writer == Writer::Lead && !open(c) && !revealed.contains(&c) {
            revealed.push(c);
        }
    };
    let by_agency = |agency: AgencyId| {
        if actor.agency == Some(agency) {
            Writer::Reader
        } else if agency == view.case.lead_agency_id {
            Writer::Lead
        } else {
            Writer::Other
        }
    };
    let by_user = |user: elkarlan_domain::UserId| {
        if user == actor.user {
            Writer::Reader
        } else if user == view.case.lead_user_id {
            Writer::Lead
        } else {
            Writer::Other
        }
    };
    let systems = super::inclusion::agency_systems(state, actor.tenant).await?;
    let known = |a: AgencyId| super::inclusion::agency_visible(actor, &visible, &systems, a);
    // What a reader's own agency recorded, it already knows.
    let assessments: Vec<Assessment> = casework::assessments(&state.store, id)
        .await?
        .into_iter()
        .filter(|a| known(a.assessed_agency))
        .map(|mut a| {
            let version = Some(a.instrument_version);
            let writer = by_agency(a.assessed_agency);
            a.domains
                .retain(|(d, _)| written(writer, category_of(version, d)));
            if !written(writer, DataCategory::SocialServicesNotes) {
                a.summary.clear();
            }
            a
        })
        .collect();
    let (goals, actions) = casework::plan(&state.store, id).await?;
    let (goals, hidden): (Vec<Goal>, Vec<Goal>) = goals
        .into_iter()
        .partition(|g| written(by_user(g.created_by), category_of(None, &g.domain)));
    for a in &assessments {
        let writer = by_agency(a.assessed_agency);
        for (d, _) in &a.domains {
            reveal(writer, category_of(Some(a.instrument_version), d));
        }
        if !a.summary.is_empty() {
            reveal(writer, DataCategory::SocialServicesNotes);
        }
    }
    for g in &goals {
        reveal(by_user(g.created_by), category_of(None, &g.domain));
    }
    let actions: Vec<PlanAction> = actions
        .into_iter()
        .filter(|a| !a.goal_id.is_some_and(|g| hidden.iter().any(|h| h.id == g)))
        .filter(|a| known(a.agency_id))
        .collect();
    let notes: Vec<Note> = casework::notes(&state.store, id)
        .await?
        .into_iter()
        .filter(|n| note_visible(actor, view.relationship, n) && known(n.author_agency))
        .collect();
    let meetings: Vec<Meeting> = casework::meetings_for_case(&state.store, actor.tenant, id)
        .await?
        .into_iter()
        .map(|mut m| {
            m.agencies.retain(|a| known(*a));
            m
        })
        .collect();
    // The team is already what this reader may know of (health services only where the policy
    // lets them be known): the health follow-ups are its health agencies.
    let mut health_followups = Vec::new();
    for t in &view.team {
        if systems.get(&t.agency_id).is_some_and(|s| s.is_health())
            && !health_followups.contains(&t.agency_id)
        {
            health_followups.push(t.agency_id);
        }
    }
    let mut timeline = vec![TimelineEntry {
        at: view.case.opened_at.iso(),
        kind: "case_opened".into(),
        text: view.case.status.code().into(),
    }];
    for r in &view.referrals {
        timeline.push(TimelineEntry {
            at: r.sent_at.iso(),
            kind: "referral_sent".into(),
            text: r.reason.clone(),
        });
        if let Some(a) = r.answered_at {
            timeline.push(TimelineEntry {
                at: a.iso(),
                kind: "referral_answered".into(),
                text: r.status.code().into(),
            });
        }
        if let Some(c) = r.completed_at {
            timeline.push(TimelineEntry {
                at: c.iso(),
                kind: "referral_completed".into(),
                text: r.outcome.clone().unwrap_or_default(),
            });
        }
    }
    for a in &assessments {
        timeline.push(TimelineEntry {
            at: a.assessed_at.iso(),
            kind: "assessment".into(),
            text: a.summary.chars().take(200).collect(),
        });
    }
    for g in &goals {
        timeline.push(TimelineEntry {
            at: g.created_at.iso(),
            kind: "goal".into(),
            text: g.description.clone(),
        });
    }
    for a in &actions {
        timeline.push(TimelineEntry {
            at: a.updated_at.iso(),
            kind: "action".into(),
            text: format!("{} ({})", a.description, a.status),
        });
    }
    for n in &notes {
        timeline.push(TimelineEntry {
            at: n.created_at.iso(),
            kind: "note".into(),
            text: n.body.chars().take(200).collect(),
        });
    }
    for m in &meetings {
        timeline.push(TimelineEntry {
            at: format!("{}T00:00:00Z", m.held_on),
            kind: "meeting".into(),
            text: m.minutes.chars().take(200).collect(),
        });
    }
    timeline.sort_by(|a, b| b.at.cmp(&a.at));
    let mut shown = visible;
    shown.extend(revealed);
    Ok((
        Casework {
            view,
            instruments,
            assessments,
            goals,
            actions,
            notes,
            meetings,
            health_followups,
            timeline,
        },
        grant,
        shown,
    ))
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeetingInput {
    /// YYYY-MM-DD.
    pub held_on: String,
    pub minutes: String,
    /// Agency ids present.
    pub agencies: Vec<String>,
    /// Case ids reviewed (the recorder must be on each case's team).
    pub cases: Vec<String>,
    /// Agreed actions; each names its case.
    pub actions: Vec<MeetingActionInput>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeetingActionInput {
    pub case: String,
    pub agency: String,
    pub description: String,
    pub due_on: String,
}

/// Records a coordination meeting. Every case reviewed must be one the recorder works on; the
/// minutes and agreed actions are written in one transaction.
pub async fn record_meeting(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &MeetingInput,
) -> Result<uuid::Uuid, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::RecordMeeting,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut e = FieldErrors::new();
    let held_on = match date(&mut e, "held_on", &input.held_on) {
        Some(d) => d,
        None => {
            if !e.has("held_on") {
                e.add("held_on", "error-date-format");
            }
            String::new()
        }
    };
    let minutes = text(&mut e, "minutes", &input.minutes, "error-minutes-required");
    let mut agency_ids = Vec::new();
    for a in &input.agencies {
        match a.trim().parse::<AgencyId>() {
            Ok(id) if agencies::get(&state.store, actor.tenant, id).await.is_ok() => {
                agency_ids.push(id);
            }
            _ => e.add("agencies", "error-agency-unknown"),
        }
    }
    let mut case_rows = Vec::new();
    for c in &input.cases {
        let Ok(id) = c.trim().parse::<CaseId>() else {
            e.add("cases", "error-case-unknown");
            continue;
        };
        let (case, relationship) = match case_and_relationship(state, actor, id).await {
            Ok(x) => x,
            Err(ServiceError::NotFound) => {
                e.add("cases", "error-case-unknown");
                continue;
            }
            Err(other) => return Err(other),
        };
        // Reviewing a case in a meeting is contributing to it. A case the actor may not
        // contribute to is answered as one that does not exist (the refusal is audited).
        let decided = super::authorize_about(
            state,
            actor,
            Action::ContributeToCase,
            Target::new(actor.tenant, relationship),
            super::About::case(&case),
            meta,
        )
        .await;
        match decided {
            Ok(_) => case_rows.push(case),
            Err(ServiceError::Forbidden(_)) => e.add("cases", "error-case-unknown"),
            Err(other) => return Err(other),
        }
    }
    if input.cases.is_empty() {
        e.add("cases", "error-cases-required");
    }
    let mut actions = Vec::new();
    for (i, a) in input.actions.iter().enumerate() {
        let prefix = format!("actions.{i}");
        let idx = a
            .case
            .trim()
            .parse::<CaseId>()
            .ok()
            .and_then(|c| case_rows.iter().position(|r| r.id == c));
        if idx.is_none() {
            e.add(&format!("{prefix}.case"), "error-case-unknown");
        }
        let parsed = parse_action(
            state,
            actor,
            &ActionInput {
                goal: String::new(),
                agency: a.agency.clone(),
                description: a.description.clone(),
                due_on: a.due_on.clone(),
            },
            &mut e,
            &prefix,
        )
        .await?;
        if let (Some(i), Some(action)) = (idx, parsed) {
            actions.push((i, action));
        }
    }
    e.into_result().map_err(ServiceError::Invalid)?;
    let meeting = NewMeeting {
        held_on,
        minutes,
        agencies: agency_ids,
        cases: case_rows,
        actions,
    };
    Ok(casework::record_meeting(&state.store, &grant, meta, actor.user, &meeting).await?)
}
