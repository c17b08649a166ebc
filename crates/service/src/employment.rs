//! Employment services: programmes and their co-designed templates, training actions and their
//! rosters, and a person's employment file (itineraries, enrolments, placements, follow-ups,
//! eligibility suggestions). Entities reach only their own actions' enrolments; a person's file
//! needs a team relationship and the employment data category.

use super::authorize;
use super::inclusion::relationship_to_person;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::employment::codes::{ItineraryStatus, StepKind, TrainingStatus};
use elkarlan_domain::employment::eligibility::{self, Assessment, Facts};
use elkarlan_domain::employment::itinerary::{
    AttendanceInput, EnrolmentUpdateInput, ItineraryInput, StepInput, StepUpdateInput, parse_steps,
};
use elkarlan_domain::employment::placement::{FollowUpInput, PlacementInput};
use elkarlan_domain::employment::programme::{ProgrammeDraft, ProgrammeInput};
use elkarlan_domain::employment::training::{TrainingActionDraft, TrainingActionInput};
use elkarlan_domain::inclusion::consent::{ConsentScope, DataCategory};
use elkarlan_domain::policy::{self, Action, Actor, Denied, Grant, Relationship, Target};
use elkarlan_domain::{
    EnrolmentId, FieldErrors, ItineraryId, ItineraryStepId, Lang, PersonId, PlacementId,
    ProgrammeId, TrainingActionId,
};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::consents::{self, Consent};
use elkarlan_store::itineraries::{
    self, DueFollowUp, EnrolRefusal, Enrolment, Itinerary, Placement, Profile, RosterLine,
};
use elkarlan_store::programmes::{self, Programme, Session, Template, TrainingAction};
use elkarlan_store::{StoreError, agencies, people, territory};
use elkarlan_templates::i18n::{t, t_args};
use serde::Deserialize;

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn invalid(field: &str, key: &'static str) -> ServiceError {
    let mut e = FieldErrors::new();
    e.add(field, key);
    ServiceError::Invalid(e)
}

fn no_agency() -> ServiceError {
    ServiceError::Forbidden(Denied {
        reason: "agency",
        conceal: false,
    })
}

// Programmes ------------------------------------------------------------------------------------

pub async fn list_programmes(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Programme>, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    Ok(programmes::list(&state.store, actor.tenant).await?)
}

/// A programme with what the actor may do with it.
pub struct ProgrammeDetail {
    pub programme: Programme,
    pub templates: Vec<Template>,
    pub actions: Vec<TrainingAction>,
    pub can_manage: bool,
    pub can_design: bool,
    pub can_add_action: bool,
    pub can_import: bool,
}

fn partner_relationship(p: &Programme, actor: &Actor) -> Relationship {
    if p.is_partner(actor.agency) {
        Relationship::Partner
    } else {
        Relationship::None
    }
}

pub async fn programme(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProgrammeId,
) -> Result<ProgrammeDetail, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let programme = programmes::get(&state.store, actor.tenant, id).await?;
    let rel = Target::new(actor.tenant, partner_relationship(&programme, actor));
    let may = |a| policy::decide(actor, a, rel).is_ok();
    Ok(ProgrammeDetail {
        templates: programmes::templates(&state.store, id).await?,
        actions: programmes::actions(&state.store, actor.tenant, id).await?,
        can_manage: may(Action::ManageProgrammes),
        can_design: may(Action::DesignItineraryTemplates),
        can_add_action: may(Action::ManageTrainingActions),
        can_import: policy::decide(
            actor,
            Action::ImportReferrals,
            Target::tenant_wide(actor.tenant),
        )
        .is_ok(),
        programme,
    })
}

async fn check_programme_refs(
    state: &AppState,
    actor: &Actor,
    d: &ProgrammeDraft,
) -> Result<(), ServiceError> {
    let all = agencies::list(&state.store, actor.tenant).await?;
    let areas = territory::list(&state.store, actor.tenant).await?;
    let mut e = FieldErrors::new();
    if !all.iter().any(|a| a.id == d.promoter) {
        e.add("promoter", "error-agency-unknown");
    }
    if d.partners.iter().any(|p| !all.iter().any(|a| a.id == *p)) {
        e.add("partners", "error-agency-unknown");
    }
    if d.neighbourhoods
        .iter()
        .any(|n| !areas.iter().any(|a| a.id == *n))
    {
        e.add("neighbourhoods", "error-area-unknown");
    }
    e.into_result().map_err(ServiceError::Invalid)
}

pub async fn create_programme(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &ProgrammeInput,
) -> Result<ProgrammeId, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ManageProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_programme_refs(state, actor, &d).await?;
    Ok(programmes::create(&state.store, &grant, meta, &d).await?)
}

pub async fn update_programme(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProgrammeId,
    version: Option<i64>,
    input: &ProgrammeInput,
) -> Result<(), ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ManageProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    programmes::get(&state.store, actor.tenant, id).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_programme_refs(state, actor, &d).await?;
    Ok(programmes::update(&state.store, &grant, meta, id, version, &d).await?)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateInput {
    pub name: String,
    /// Step codes in order: intake, orientation, basic_skills, vocational_training,
    /// work_placement, job_search, insertion, follow_up.
    pub steps: Vec<String>,
    /// To change a template: its id and the version read.
    pub template: Option<uuid::Uuid>,
    pub version: i64,
}

/// Adds or changes an itinerary template: the coordinator or a partner entity (co-design).
pub async fn save_template(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ProgrammeId,
    input: &TemplateInput,
) -> Result<uuid::Uuid, ServiceError> {
    let programme = programmes::get(&state.store, actor.tenant, id).await?;
    let grant = authorize(
        state,
        actor,
        Action::DesignItineraryTemplates,
        Target::new(actor.tenant, partner_relationship(&programme, actor)),
        meta,
    )
    .await?;
    let mut e = FieldErrors::new();
    let name = e.take(
        "name",
        elkarlan_domain::employment::programme::required_text(
            &input.name,
            120,
            "error-name-required",
        ),
    );
    let steps = e.take("steps", parse_steps(&input.steps));
    let existing = match input.template {
        Some(t) => {
            let all = programmes::templates(&state.store, id).await?;
            if !all.iter().any(|x| x.id == t) {
                return Err(ServiceError::NotFound);
            }
            Some((t, input.version))
        }
        None => None,
    };
    let (Some(name), Some(steps)) = (name, steps) else {
        return Err(ServiceError::Invalid(e));
    };
    Ok(programmes::save_template(&state.store, &grant, meta, id, existing, &name, &steps).await?)
}

// Training actions ------------------------------------------------------------------------------

fn provider_relationship(action: &TrainingAction, actor: &Actor) -> Relationship {
    if actor.agency == Some(action.provider) {
        Relationship::Provider
    } else {
        Relationship::None
    }
}

async fn check_action_refs(
    state: &AppState,
    actor: &Actor,
    d: &TrainingActionDraft,
) -> Result<(), ServiceError> {
    let mut e = FieldErrors::new();
    if agencies::get(&state.store, actor.tenant, d.provider)
        .await
        .is_err()
    {
        e.add("provider", "error-agency-unknown");
    }
    // An entity adds and runs its own courses, not another's.
    if actor.role == elkarlan_domain::account::Role::TrainingEntityStaff
        && actor.agency != Some(d.provider)
    {
        e.add("provider", "error-provider-own");
    }
    if let Some(n) = d.neighbourhood {
        let areas = territory::list(&state.store, actor.tenant).await?;
        if !areas.iter().any(|a| a.id == n) {
            e.add("neighbourhood", "error-area-unknown");
        }
    }
    e.into_result().map_err(ServiceError::Invalid)
}

/// A training action and the grant to act on it as its provider (or as the coordinator).
async fn action_grant(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: TrainingActionId,
    action: Action,
) -> Result<(TrainingAction, Grant), ServiceError> {
    let found = programmes::get_action(&state.store, actor.tenant, id).await?;
    let target = Target::new(actor.tenant, provider_relationship(&found, actor));
    let grant = authorize(state, actor, action, target, meta).await?;
    Ok((found, grant))
}

pub async fn create_action(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    programme: ProgrammeId,
    input: &TrainingActionInput,
) -> Result<TrainingActionId, ServiceError> {
    let p = programmes::get(&state.store, actor.tenant, programme).await?;
    let grant = authorize(
        state,
        actor,
        Action::ManageTrainingActions,
        Target::new(actor.tenant, partner_relationship(&p, actor)),
        meta,
    )
    .await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_action_refs(state, actor, &d).await?;
    Ok(programmes::create_action(&state.store, &grant, meta, programme, &d).await?)
}

pub async fn update_action(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: TrainingActionId,
    version: Option<i64>,
    input: &TrainingActionInput,
) -> Result<(), ServiceError> {
    let (current, grant) =
        action_grant(state, actor, meta, id, Action::ManageTrainingActions).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_action_refs(state, actor, &d).await?;
    programmes::update_action(&state.store, &grant, meta, &current, version, &d)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => invalid("starts_on", "error-calendar-has-attendance"),
            other => other.into(),
        })
}

/// An action, its sessions, and what the actor may do with it.
pub struct ActionDetail {
    pub action: TrainingAction,
    pub programme: Programme,
    pub sessions: Vec<Session>,
    pub can_edit: bool,
    pub can_see_roster: bool,
}

pub async fn action(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: TrainingActionId,
) -> Result<ActionDetail, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let action = programmes::get_action(&state.store, actor.tenant, id).await?;
    let programme = programmes::get(&state.store, actor.tenant, action.programme_id).await?;
    let rel = Target::new(actor.tenant, provider_relationship(&action, actor));
    Ok(ActionDetail {
        sessions: programmes::sessions(&state.store, id).await?,
        can_edit: policy::decide(actor, Action::ManageTrainingActions, rel).is_ok(),
        can_see_roster: policy::decide(actor, Action::ViewRoster, rel).is_ok(),
        programme,
        action,
    })
}

/// The people on a course, with their marks: the provider's staff only. An audited read.
pub struct Roster {
    pub action: TrainingAction,
    pub sessions: Vec<Session>,
    pub lines: Vec<RosterLine>,
    pub marks: Vec<(
        EnrolmentId,
        i64,
        elkarlan_domain::employment::codes::AttendanceMark,
    )>,
}

pub async fn roster(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: TrainingActionId,
) -> Result<Roster, ServiceError> {
    let (action, grant) = action_grant(state, actor, meta, id, Action::ViewRoster).await?;
    let lines = itineraries::roster(&state.store, actor.tenant, id).await?;
    let people: Vec<PersonId> = lines.iter().map(|l| l.enrolment.person_id).collect();
    super::audit_people_read(
        state,
        &grant,
        "training_roster",
        Some(id.to_string()),
        &people,
        meta,
        serde_json::json!({"roster": people.len()}),
    )
    .await?;
    Ok(Roster {
        sessions: programmes::sessions(&state.store, id).await?,
        marks: itineraries::marks(&state.store, id).await?,
        lines,
        action,
    })
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SessionMarksInput {
    /// The session's number on the action's calendar, from 1.
    pub session: String,
    /// Enrolment id → present, absent or excused.
    pub marks: std::collections::BTreeMap<String, String>,
}

/// Records a session's attendance: the provider's staff, for enrolments still open.
pub async fn record_attendance(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: TrainingActionId,
    input: &SessionMarksInput,
) -> Result<usize, ServiceError> {
    let (_, grant) = action_grant(state, actor, meta, id, Action::RecordAttendance).await?;
    let sessions = programmes::sessions(&state.store, id).await?;
    let lines = itineraries::roster(&state.store, actor.tenant, id).await?;
    let mut e = FieldErrors::new();
    let mut parsed = Vec::new();
    for (enrolment, mark) in &input.marks {
        let Some(line) = lines
            .iter()
            .find(|l| l.enrolment.id.to_string() == *enrolment)
        else {
            e.add("marks", "error-enrolment-unknown");
            continue;
        };
        let one = AttendanceInput {
            session: input.session.clone(),
            mark: mark.clone(),
        };
        match one.parse(sessions.len()) {
            Ok((n, m)) => parsed.push((n, &line.enrolment, m)),
            Err(errs) => {
                for fe in errs.0 {
                    e.add(
                        if fe.field == "mark" {
                            "marks"
                        } else {
                            "session"
                        },
                        fe.key,
                    );
                }
            }
        }
    }
    if input.marks.is_empty() {
        // Still report a bad session number, so the form says what is wrong with it.
        if let Err(errs) = (AttendanceInput {
            session: input.session.clone(),
            mark: "present".into(),
        })
        .parse(sessions.len())
        {
            for fe in errs.0 {
                e.add(&fe.field, fe.key);
            }
        }
        e.add("marks", "error-marks-required");
    }
    if parsed.iter().any(|(_, en, _)| {
        en.status != elkarlan_domain::employment::codes::EnrolmentStatus::Enrolled
    }) {
        e.add("marks", "error-enrolment-closed");
    }
    e.into_result().map_err(ServiceError::Invalid)?;
    let Some(n) = parsed.first().map(|p| p.0) else {
        return Err(invalid("marks", "error-marks-required"));
    };
    let session = sessions
        .iter()
        .find(|s| s.number == n as i64)
        .ok_or(ServiceError::NotFound)?;
    let marks: Vec<(&Enrolment, _)> = parsed.iter().map(|(_, en, m)| (*en, *m)).collect();
    itineraries::record_attendance(&state.store, &grant, meta, session.id, &marks).await?;
    Ok(marks.len())
}

/// Completion or drop-out of an enrolment, with its certificate: the provider's staff.
pub async fn close_enrolment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: EnrolmentId,
    input: &EnrolmentUpdateInput,
) -> Result<(), ServiceError> {
    let enrolment = itineraries::get_enrolment(&state.store, actor.tenant, id).await?;
    let (_, grant) = action_grant(
        state,
        actor,
        meta,
        enrolment.action_id,
        Action::RecordAttendance,
    )
    .await
    .map_err(super::conceal)?;
    let enrolled = chrono::NaiveDate::parse_from_str(&enrolment.enrolled_on, "%Y-%m-%d")
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let outcome = input
        .parse(today(), enrolled)
        .map_err(ServiceError::Invalid)?;
    if enrolment.status != elkarlan_domain::employment::codes::EnrolmentStatus::Enrolled {
        return Err(invalid("status", "error-enrolment-closed"));
    }
    Ok(itineraries::close_enrolment(
        &state.store,
        &grant,
        meta,
        &enrolment,
        input.version,
        &outcome,
    )
    .await?)
}

// A person's employment file -------------------------------------------------------------------

/// Decides `action` on a person's employment data: a team relationship, then the employment
/// category (the employment service's own data, or a law or consent for the other systems).
async fn person_grant(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    action: Action,
) -> Result<Grant, ServiceError> {
    people::get(&state.store, actor.tenant, person).await?;
    let (relationship, case) = relationship_to_person(state, actor, person).await?;
    let about = super::About::person(person);
    let grant = super::authorize_about(
        state,
        actor,
        action,
        Target::new(actor.tenant, relationship),
        about,
        meta,
    )
    .await?;
    let scopes: Vec<ConsentScope> = consents::for_person(&state.store, actor.tenant, person)
        .await?
        .iter()
        .map(Consent::scope)
        .collect();
    let lead = case.as_ref().map_or(
        elkarlan_domain::organisation::PublicSystem::EmploymentIncome,
        |c| c.lead_system,
    );
    match policy::decide_category(
        actor,
        relationship,
        lead,
        DataCategory::Employment,
        &scopes,
        elkarlan_domain::Timestamp::now(),
    ) {
        Ok(_) => Ok(grant),
        Err(denied) => {
            Err(super::refuse_about(state, actor, action, meta, denied, Some(about)).await)
        }
    }
}

/// Asks the policy whether the actor may change this person's employment records, before a
/// form is shown (the change asks again); a refusal is recorded about the person.
pub async fn authorize_manage(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
) -> Result<(), ServiceError> {
    person_grant(state, actor, meta, person, Action::ManageItinerary)
        .await
        .map(|_| ())
}

/// Everything the employment file shows about one person.
pub struct EmploymentFile {
    pub person: people::Person,
    pub profile: Profile,
    pub itineraries: Vec<Itinerary>,
    pub enrolments: Vec<(Enrolment, TrainingAction)>,
    pub placements: Vec<Placement>,
    /// Open programmes with the person's eligibility for each: a suggestion, never a decision.
    pub suggestions: Vec<(Programme, Assessment)>,
    /// Planned or open courses of those programmes that have rules of their own.
    pub course_suggestions: Vec<(TrainingAction, Assessment)>,
    pub can_manage: bool,
}

pub async fn employment_file(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
) -> Result<EmploymentFile, ServiceError> {
    let grant = person_grant(state, actor, meta, person, Action::ViewItinerary).await?;
    let record = people::get(&state.store, actor.tenant, person).await?;
    let profile = itineraries::profile(&state.store, person).await?;
    let its = itineraries::itineraries_of(&state.store, actor.tenant, person).await?;
    let mut enrolments = Vec::new();
    for e in itineraries::enrolments_of_person(&state.store, actor.tenant, person).await? {
        let a = programmes::get_action(&state.store, actor.tenant, e.action_id).await?;
        enrolments.push((e, a));
    }
    let placements = itineraries::placements_of(&state.store, actor.tenant, person).await?;
    let areas = territory::list(&state.store, actor.tenant).await?;
    let f = facts_with(&record, &profile, &areas);
    let suggestions: Vec<(Programme, Assessment)> = programmes::list(&state.store, actor.tenant)
        .await?
        .into_iter()
        .filter(|p| {
            matches!(
                p.status,
                elkarlan_domain::employment::codes::ProgrammeStatus::Open
                    | elkarlan_domain::employment::codes::ProgrammeStatus::Running
            )
        })
        .map(|p| {
            let a = eligibility::evaluate(&p.eligibility, &f, today());
            (p, a)
        })
        .collect();
    let mut course_suggestions = Vec::new();
    for (p, _) in &suggestions {
        for a in programmes::actions(&state.store, actor.tenant, p.id).await? {
            let rules = &a.eligibility;
            if matches!(a.status, TrainingStatus::Planned | TrainingStatus::Open)
                && !rules.all_of.is_empty()
            {
                let assessment = eligibility::evaluate(rules, &f, today());
                course_suggestions.push((a, assessment));
            }
        }
    }
    // The file carries the person's record (who they are) with their employment data.
    super::audit_person_read(
        state,
        &grant,
        super::About::record("employment_file", person.0, person),
        meta,
        serde_json::json!({"categories": ["identification", "employment"], "itineraries": its.len(), "enrolments": enrolments.len(), "placements": placements.len()}),
    )
    .await?;
    let (relationship, _) = relationship_to_person(state, actor, person).await?;
    Ok(EmploymentFile {
        person: record,
        profile,
        itineraries: its,
        enrolments,
        placements,
        suggestions,
        course_suggestions,
        can_manage: policy::decide(
            actor,
            Action::ManageItinerary,
            Target::new(actor.tenant, relationship),
        )
        .is_ok(),
    })
}

fn facts_with(person: &people::Person, profile: &Profile, areas: &[territory::Area]) -> Facts {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    Facts {
        birth_date: Some(person.birth_date),
        neighbourhood: person
            .area_id
            .and_then(|id| areas.iter().find(|a| a.id == id))
            .map(|a| a.code.clone()),
        sex: Some(person.sex)
            .filter(|s| *s != elkarlan_domain::inclusion::person::Sex::NotRecorded)
            .map(|s| s.code().to_owned()),
        nationality: person.nationality.clone(),
        unemployed_since: parse(&profile.unemployed_since),
        income_guarantee: profile.income_guarantee,
        disability_percent: profile
            .disability_percent
            .and_then(|p| u8::try_from(p).ok()),
        isced: profile.isced.and_then(|p| u8::try_from(p).ok()),
    }
}

/// Translates the codes that eligibility messages carry (neighbourhoods, sexes) into names.
fn readable_args(
    lang: Lang,
    areas: &[territory::Area],
    args: &[(&'static str, String)],
) -> Vec<(String, String)> {
    args.iter()
        .map(|(k, v)| {
            let shown = match *k {
                "neighbourhood" | "neighbourhoods" => v
                    .split(", ")
                    .map(|code| {
                        areas
                            .iter()
                            .find(|a| a.code == code)
                            .map_or_else(|| code.to_owned(), |a| a.name(lang).to_owned())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                "sex" | "sexes" => v
                    .split(", ")
                    .map(|code| t(lang, &format!("sex-{}", code.replace('_', "-"))))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => v.clone(),
            };
            ((*k).to_owned(), shown)
        })
        .collect()
}

/// An eligibility message (a rule or a reason, from `eligibility::describe` or an
/// `Assessment`) in `lang`, with neighbourhood and sex codes shown as names: the pages and the
/// API explain eligibility in the same words.
pub fn eligibility_message(
    lang: Lang,
    areas: &[territory::Area],
    key: &str,
    args: &[(&'static str, String)],
) -> String {
    let args = readable_args(lang, areas, args);
    let refs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t_args(lang, key, &refs)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileInput {
    /// YYYY-MM-DD, empty when not unemployed or unknown.
    pub unemployed_since: String,
    /// `yes`, `no`, or empty for unknown.
    pub income_guarantee: String,
    /// Recognised degree of disability, 0–100; empty for unknown.
    pub disability_percent: String,
    /// ISCED 2011 level 0–8; empty for unknown.
    pub isced: String,
}

impl ProfileInput {
    fn parse(&self) -> Result<Profile, FieldErrors> {
        let mut e = FieldErrors::new();
        let since = e.take(
            "unemployed_since",
            elkarlan_domain::employment::programme::optional_date(&self.unemployed_since),
        );
        if let Some(Some(d)) = since
            && d > today()
        {
            e.add("unemployed_since", "error-date-future");
        }
        let income = match self.income_guarantee.trim() {
            "" => Some(None),
            "yes" => Some(Some(true)),
            "no" => Some(Some(false)),
            _ => e.take("income_guarantee", Err("error-yes-no")),
        };
        let number = |s: &str, max: i64, key: &'static str| -> Result<Option<i64>, &'static str> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                elkarlan_domain::employment::programme::whole_number(s, 0..=max, key).map(Some)
            }
        };
        let disability = e.take(
            "disability_percent",
            number(&self.disability_percent, 100, "error-percent"),
        );
        let isced = e.take("isced", number(&self.isced, 8, "error-isced"));
        match (since, income, disability, isced) {
            (Some(since), Some(income), Some(disability), Some(isced)) if e.is_empty() => {
                Ok(Profile {
                    unemployed_since: since.map(|d| d.to_string()),
                    income_guarantee: income,
                    disability_percent: disability,
                    isced,
                })
            }
            _ => Err(e),
        }
    }
}

pub async fn set_profile(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    input: &ProfileInput,
) -> Result<(), ServiceError> {
    let grant = person_grant(state, actor, meta, person, Action::ManageItinerary).await?;
    let p = input.parse().map_err(ServiceError::Invalid)?;
    Ok(itineraries::set_profile(&state.store, &grant, meta, person, &p).await?)
}

pub async fn open_itinerary(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    input: &ItineraryInput,
) -> Result<ItineraryId, ServiceError> {
    let grant = person_grant(state, actor, meta, person, Action::ManageItinerary).await?;
    let agency = actor.agency.ok_or_else(no_agency)?;
    let mut e = FieldErrors::new();
    let programme = if input.programme.trim().is_empty() {
        None
    } else {
        match input.programme.trim().parse::<ProgrammeId>() {
            Ok(p) if programmes::get(&state.store, actor.tenant, p).await.is_ok() => Some(p),
            _ => {
                e.add("programme", "error-programme-unknown");
                None
            }
        }
    };
    let steps = if !input.template.trim().is_empty() {
        let templates = match programme {
            Some(p) => programmes::templates(&state.store, p).await?,
            None => Vec::new(),
        };
        match templates
            .iter()
            .find(|t| t.id.to_string() == input.template.trim())
        {
            Some(t) => Some(t.steps.clone()),
            None => e.take("template", Err("error-template-unknown")),
        }
    } else if input.steps.iter().all(|s| s.trim().is_empty()) {
        Some(StepKind::USUAL_PATH.to_vec())
    } else {
        e.take("steps", parse_steps(&input.steps))
    };
    e.into_result().map_err(ServiceError::Invalid)?;
    let steps = steps.unwrap_or_default();
    itineraries::open_itinerary(
        &state.store,
        &grant,
        meta,
        person,
        programme,
        &steps,
        agency,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => invalid("programme", "error-itinerary-open"),
        other => other.into(),
    })
}

async fn itinerary_grant(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
) -> Result<(Itinerary, Grant), ServiceError> {
    let it = itineraries::get_itinerary(&state.store, actor.tenant, id).await?;
    let grant = person_grant(state, actor, meta, it.person_id, Action::ManageItinerary).await?;
    Ok((it, grant))
}

pub async fn add_step(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
    input: &StepInput,
) -> Result<ItineraryStepId, ServiceError> {
    let (it, grant) = itinerary_grant(state, actor, meta, id).await?;
    let (kind, planned) = input.parse().map_err(ServiceError::Invalid)?;
    if it.steps.len() >= 30 {
        return Err(invalid("kind", "error-steps-too-many"));
    }
    Ok(itineraries::add_step(&state.store, &grant, meta, &it, kind, planned).await?)
}

pub async fn update_step(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
    step: ItineraryStepId,
    input: &StepUpdateInput,
) -> Result<(), ServiceError> {
    let (it, grant) = itinerary_grant(state, actor, meta, id).await?;
    if !it.steps.iter().any(|s| s.id == step) {
        return Err(ServiceError::NotFound);
    }
    let u = input.parse(today()).map_err(ServiceError::Invalid)?;
    Ok(itineraries::update_step(&state.store, &grant, meta, &it, step, input.version, &u).await?)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CloseItineraryInput {
    /// `completed` or `dropped_out`.
    pub status: String,
    pub version: i64,
}

pub async fn close_itinerary(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
    input: &CloseItineraryInput,
) -> Result<(), ServiceError> {
    let (it, grant) = itinerary_grant(state, actor, meta, id).await?;
    let status = ItineraryStatus::parse(&input.status)
        .ok()
        .filter(|s| *s != ItineraryStatus::Active)
        .ok_or_else(|| invalid("status", "error-itinerary-status"))?;
    Ok(
        itineraries::close_itinerary(&state.store, &grant, meta, &it, input.version, status)
            .await?,
    )
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EnrolInput {
    pub action: String,
    /// The itinerary the course belongs to, if any.
    pub itinerary: String,
}

/// The itinerary an enrolment or placement belongs to, if one was named: it must be the
/// person's own, or the field gets an error.
async fn persons_itinerary(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
    raw: &str,
    errors: &mut FieldErrors,
) -> Result<Option<ItineraryId>, ServiceError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let found = match raw.trim().parse::<ItineraryId>() {
        Ok(id) => match itineraries::get_itinerary(&state.store, actor.tenant, id).await {
            Ok(it) => Some(it),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    match found {
        Some(it) if it.person_id == person => Ok(Some(it.id)),
        _ => {
            errors.add("itinerary", "error-itinerary-unknown");
            Ok(None)
        }
    }
}

pub async fn enrol(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    input: &EnrolInput,
) -> Result<EnrolmentId, ServiceError> {
    let grant = person_grant(state, actor, meta, person, Action::ManageItinerary).await?;
    let mut e = FieldErrors::new();
    let action = match input.action.trim().parse::<TrainingActionId>() {
        Ok(id) => programmes::get_action(&state.store, actor.tenant, id)
            .await
            .ok(),
        Err(_) => None,
    };
    let Some(action) = action else {
        return Err(invalid("action", "error-action-unknown"));
    };
    if matches!(
        action.status,
        TrainingStatus::Finished | TrainingStatus::Cancelled
    ) {
        e.add("action", "error-action-not-open");
    }
    let itinerary = persons_itinerary(state, actor, person, &input.itinerary, &mut e).await?;
    e.into_result().map_err(ServiceError::Invalid)?;
    match itineraries::enrol(
        &state.store,
        &grant,
        meta,
        action.id,
        action.places,
        person,
        itinerary,
        today(),
    )
    .await?
    {
        Ok(id) => Ok(id),
        Err(EnrolRefusal::AlreadyEnrolled) => Err(invalid("action", "error-already-enrolled")),
        Err(EnrolRefusal::Full) => Err(invalid("action", "error-action-full")),
        Err(EnrolRefusal::Overlap) => Err(invalid("action", "error-enrolment-overlap")),
    }
}

pub async fn record_placement(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    input: &PlacementInput,
) -> Result<PlacementId, ServiceError> {
    let grant = person_grant(state, actor, meta, person, Action::ManageItinerary).await?;
    let agency = actor.agency.ok_or_else(no_agency)?;
    let mut errors = match input.parse(today()) {
        Ok(_) => FieldErrors::new(),
        Err(e) => e,
    };
    let itinerary = persons_itinerary(state, actor, person, &input.itinerary, &mut errors).await?;
    if let Ok(d) = input.parse(today()) {
        check_placement_links(state, actor, person, &d, &mut errors).await?;
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    let d = input.parse(today()).map_err(ServiceError::Invalid)?;
    Ok(
        itineraries::record_placement(&state.store, &grant, meta, person, itinerary, agency, &d)
            .await?,
    )
}

/// The employer must be in the tenant's directory; a hire under a social clause is linked only
/// with the person's consent in force to the council knowing their employment (the clause's
/// compliance is checked by the council, which is not the employment service).
async fn check_placement_links(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
    d: &elkarlan_domain::employment::placement::PlacementDraft,
    errors: &mut FieldErrors,
) -> Result<(), ServiceError> {
    if let Some(o) = d.employer_organisation
        && elkarlan_store::organisations::known(&state.store, actor.tenant, &[o])
            .await?
            .is_empty()
    {
        errors.add(
            "employer_organisation",
            "error-directory-organisation-unknown",
        );
    }
    if let Some(clause) = d.social_clause {
        let owner = elkarlan_store::commitments::CommitmentOwner::Clause(clause);
        match elkarlan_store::commitments::owner_window(&state.store, actor.tenant, owner).await {
            Ok(_) => {
                let now = elkarlan_domain::Timestamp::now();
                let consented = consents::for_person(&state.store, actor.tenant, person)
                    .await?
                    .iter()
                    .map(Consent::scope)
                    .any(|c| {
                        c.covers(
                            elkarlan_domain::organisation::PublicSystem::Council,
                            DataCategory::Employment,
                            now,
                        )
                    });
                if !consented {
                    errors.add("social_clause", "error-clause-link-consent");
                }
            }
            Err(StoreError::NotFound) => errors.add("social_clause", "error-social-clause-unknown"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub async fn record_follow_up(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    placement: PlacementId,
    months: i64,
    input: &FollowUpInput,
) -> Result<(), ServiceError> {
    let p = itineraries::get_placement(&state.store, actor.tenant, placement).await?;
    let grant = person_grant(state, actor, meta, p.person_id, Action::ManageItinerary).await?;
    if !p.follow_ups.iter().any(|f| f.months == months) {
        return Err(ServiceError::NotFound);
    }
    let start = chrono::NaiveDate::parse_from_str(&p.starts_on, "%Y-%m-%d")
        .map_err(|e| ServiceError::Internal(e.into()))?;
    let f = input.parse(today(), start).map_err(ServiceError::Invalid)?;
    Ok(itineraries::record_follow_up(&state.store, &grant, meta, &p, months, &f).await?)
}

/// The actor's follow-ups due within the next two weeks (or overdue), with the person's name.
pub async fn due_follow_ups(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<(DueFollowUp, people::Person)>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewDueFollowUps,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let until = today() + chrono::Days::new(14);
    let due =
        itineraries::due_follow_ups(&state.store, actor.tenant, actor.user, until, 500).await?;
    let mut out = Vec::with_capacity(due.len());
    for d in due {
        let p = people::get(&state.store, actor.tenant, d.person_id).await?;
        out.push((d, p));
    }
    let subjects: Vec<PersonId> = out.iter().map(|(d, _)| d.person_id).collect();
    super::audit_people_read(
        state,
        &grant,
        "follow_ups_due",
        None,
        &subjects,
        meta,
        serde_json::json!({"due": subjects.len()}),
    )
    .await?;
    Ok(out)
}

// Referral lists ---------------------------------------------------------------------------------

/// One row of an import report: what happened to it, or what is wrong with it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RowReport {
    pub row: usize,
    pub reference: Option<String>,
    /// created, created_possible_duplicate, matched, awaiting_team or already_imported; absent
    /// for rows with errors or not imported.
    pub outcome: Option<elkarlan_store::referral_imports::RowOutcome>,
    pub person: Option<PersonId>,
    pub errors: FieldErrors,
}

/// The report of one upload. `imported` is false when nothing was written: some row had
/// errors and the importer did not ask to skip them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportReport {
    pub imported: bool,
    pub rows: Vec<RowReport>,
    pub total: usize,
    pub invalid: usize,
    pub created: usize,
    pub matched: usize,
    pub already_imported: usize,
    /// Rows about a person with an open case of another team: its lead was asked to take the
    /// importer onto the team (counted in `matched`).
    pub awaiting_team: usize,
    /// Rows registered anew although a record with the same name and birth date exists
    /// (counted in `created`).
    pub possible_duplicates: usize,
}

fn normalise(s: &str) -> String {
    elkarlan_domain::search::fold(s.trim())
}

/// Imports a referral list sent by the employment service's office, CSV or XLSX. Every row is
/// checked first; with any error nothing is written unless `skip_invalid` is set, in which
/// case the valid rows are imported in one transaction and the others are reported.
pub async fn import_referrals(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    programme: ProgrammeId,
    file_name: &str,
    bytes: &[u8],
    skip_invalid: bool,
) -> Result<ImportReport, ServiceError> {
    use elkarlan_domain::employment::referral_row::{map_headers, parse_row};
    use elkarlan_store::referral_imports::{self as imports, ImportFile, ImportRow};
    let grant = authorize(
        state,
        actor,
        Action::ImportReferrals,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let detail = programmes::get(&state.store, actor.tenant, programme).await?;
    let agency = actor.agency.ok_or_else(no_agency)?;
    // Held to the end: reading, checking and writing are the import's work.
    let _slot = state.import_slot()?;
    let limits = state.config.import_limits();
    let format = elkarlan_tabular::Format::sniff(bytes, Some(file_name));
    let table = elkarlan_tabular::read_table(bytes, format, &limits)
        .map_err(|e| invalid("file", e.key()))?;
    let map = map_headers(&table.headers).map_err(ServiceError::Invalid)?;
    let areas = territory::list(&state.store, actor.tenant).await?;
    // Offices write the neighbourhood's code, its name in either language, or the first part of
    // a compound name ("San Ignacio" for San Ignacio-Elorrieta) when that names only one.
    let neighbourhoods: Vec<&territory::Area> =
        areas.iter().filter(|a| a.kind == "neighbourhood").collect();
    let area_of = |raw: &str| {
        let n = normalise(raw);
        let names = |a: &territory::Area| [normalise(&a.name_es), normalise(&a.name_eu)];
        if let Some(a) = neighbourhoods
            .iter()
            .find(|a| a.code == raw.trim() || names(a).contains(&n))
        {
            return Some(a.id);
        }
        let prefix = format!("{n} ");
        let starts: Vec<&&territory::Area> = neighbourhoods
            .iter()
            .filter(|a| !n.is_empty() && names(a).iter().any(|m| m.starts_with(&prefix)))
            .collect();
        (starts.len() == 1).then(|| starts[0].id)
    };
    let today = today();
    let mut report = ImportReport {
        imported: false,
        rows: Vec::with_capacity(table.rows.len()),
        total: table.rows.len(),
        invalid: 0,
        created: 0,
        matched: 0,
        already_imported: 0,
        awaiting_team: 0,
        possible_duplicates: 0,
    };
    let mut valid = Vec::with_capacity(table.rows.len());
    let mut seen = std::collections::HashSet::new();
    for row in &table.rows {
        let parsed = parse_row(&map, &row.cells, today);
        let (reference, errors, good) = match parsed {
            Ok(r) => {
                let mut e = FieldErrors::new();
                let area = match r.neighbourhood.as_deref() {
                    None => None,
                    Some(n) => match area_of(n) {
                        Some(a) => Some(a),
                        None => {
                            e.add("neighbourhood", "error-area-unknown");
                            None
                        }
                    },
                };
                if !seen.insert(r.reference.clone()) {
                    e.add("reference", "import-error-reference-repeated");
                }
                let reference = Some(r.reference.clone());
                if e.is_empty() {
                    (reference, e, Some((row.number, r, area)))
                } else {
                    (reference, e, None)
                }
            }
            Err(e) => (None, e, None),
        };
        if good.is_none() {
            report.invalid += 1;
        }
        report.rows.push(RowReport {
            row: row.number,
            reference,
            outcome: None,
            person: None,
            errors,
        });
        if let Some(g) = good {
            valid.push(g);
        }
    }
    if report.invalid > 0 && !skip_invalid {
        return Ok(report);
    }
    let documents: Vec<Option<people::StoredDocument>> = valid
        .iter()
        .map(|(_, r, _)| {
            r.person
                .document
                .as_ref()
                .map(|d| crate::auth::stored_document(&state.config.secret_key.0, actor.tenant, d))
        })
        .collect();
    let rows: Vec<ImportRow> = valid
        .iter()
        .zip(&documents)
        .map(|((number, r, area), doc)| ImportRow {
            number: *number,
            reference: &r.reference,
            person: people::PersonRecord {
                draft: &r.person,
                area: *area,
                document: doc.as_ref(),
            },
            referred_on: r.referral_date,
            notes: r.notes.as_deref(),
            profile: Profile {
                unemployed_since: r.unemployed_since.map(|d| d.to_string()),
                income_guarantee: r.income_guarantee,
                disability_percent: None,
                isced: r.isced.map(i64::from),
            },
        })
        .collect();
    let sha = hex::encode(elkarlan_store::sha256(bytes));
    // The lead reads the request in the inbox; stored as written, like the referral e-mails.
    let join_reason = t_args(
        Lang::Es,
        "import-join-reason",
        &[("programme", &detail.name_es)],
    );
    let file = ImportFile {
        programme,
        name: file_name,
        sha256: &sha,
        join_reason: &join_reason,
    };
    let summary = imports::import(
        &state.store,
        &grant,
        meta,
        &file,
        (actor.user, agency),
        &rows,
    )
    .await?;
    let by_number: std::collections::HashMap<usize, usize> = report
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.row, i))
        .collect();
    for (number, outcome, person) in &summary.rows {
        if let Some(r) = by_number.get(number).and_then(|i| report.rows.get_mut(*i)) {
            r.outcome = Some(*outcome);
            // A person whose case the importer does not work on yet is not theirs to open.
            r.person = (*outcome != imports::RowOutcome::AwaitingTeam).then_some(*person);
        }
    }
    report.imported = true;
    report.created = summary.created;
    report.matched = summary.matched;
    report.already_imported = summary.already_imported;
    report.awaiting_team = summary.awaiting_team;
    report.possible_duplicates = summary.possible_duplicates;
    Ok(report)
}

/// The referrals received for a programme about people the actor works with (their own
/// imports and cases). An audited read.
pub async fn received_referrals(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    programme: ProgrammeId,
) -> Result<Vec<elkarlan_store::referral_imports::InboundReferral>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ImportReferrals,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    programmes::get(&state.store, actor.tenant, programme).await?;
    let list = elkarlan_store::referral_imports::received(
        &state.store,
        actor.tenant,
        programme,
        actor.user,
        5000,
    )
    .await?;
    let people: Vec<PersonId> = list.iter().map(|r| r.person_id).collect();
    super::audit_people_read(
        state,
        &grant,
        "referrals_received",
        Some(programme.to_string()),
        &people,
        meta,
        serde_json::json!({"received": people.len()}),
    )
    .await?;
    Ok(list)
}

/// Whether the actor may import referral lists (a refusal is audited like any other).
pub async fn authorize_import(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    authorize(
        state,
        actor,
        Action::ImportReferrals,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
    .map(|_| ())
}

// Forms on one record of a person's file -------------------------------------------------------
// The record is read only to learn whose it is; the decision on that person comes before
// anything of the file is read, so a refusal lands in the person's access log.

/// The employment file of the person an itinerary belongs to, for a form on that itinerary,
/// with the itinerary itself.
pub async fn itinerary_for_form(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
) -> Result<(Itinerary, EmploymentFile), ServiceError> {
    let it = itineraries::get_itinerary(&state.store, actor.tenant, id).await?;
    let file = file_for_form(state, actor, meta, it.person_id).await?;
    Ok((it, file))
}

/// The employment file of the person a placement belongs to, for a form on that placement,
/// with the placement itself.
pub async fn placement_for_form(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PlacementId,
) -> Result<(Placement, EmploymentFile), ServiceError> {
    let p = itineraries::get_placement(&state.store, actor.tenant, id).await?;
    let file = file_for_form(state, actor, meta, p.person_id).await?;
    Ok((p, file))
}

/// A person's employment file for a form that changes it: managing is decided first, so that
/// a refusal is recorded (in the person's access log) and nothing is read for a form that will
/// not be shown.
pub async fn file_for_form(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
) -> Result<EmploymentFile, ServiceError> {
    authorize_manage(state, actor, meta, person).await?;
    employment_file(state, actor, meta, person).await
}

/// An enrolment and the roster of its training action, for the provider's staff: the roster's
/// decision is the enrolment's, and a refusal answers as an unknown enrolment (it names a
/// person).
pub async fn enrolment_on_roster(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: EnrolmentId,
) -> Result<(Enrolment, Roster), ServiceError> {
    let e = itineraries::get_enrolment(&state.store, actor.tenant, id).await?;
    let r = roster(state, actor, meta, e.action_id)
        .await
        .map_err(super::conceal)?;
    Ok((e, r))
}

/// A programme's training actions, for the choice of a course on a form: decided as the list
/// of programmes is.
pub async fn programme_actions(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    programme: ProgrammeId,
) -> Result<Vec<TrainingAction>, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    Ok(programmes::actions(&state.store, actor.tenant, programme).await?)
}

/// A programme's itinerary templates, for the choice of a template on a form: decided as the
/// list of programmes is.
pub async fn programme_templates(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    programme: ProgrammeId,
) -> Result<Vec<Template>, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewProgrammes,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    // Templates are found by programme alone: the programme must be this tenant's.
    programmes::get(&state.store, actor.tenant, programme).await?;
    Ok(programmes::templates(&state.store, programme).await?)
}

/// The name of the itinerary template every programme offers.
pub const USUAL_TEMPLATE: &str = programmes::USUAL_TEMPLATE;

/// An itinerary, for a change to one of its steps: managing its person's itinerary is decided
/// first.
pub async fn itinerary_to_manage(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ItineraryId,
) -> Result<Itinerary, ServiceError> {
    let it = itineraries::get_itinerary(&state.store, actor.tenant, id).await?;
    authorize_manage(state, actor, meta, it.person_id).await?;
    Ok(it)
}
