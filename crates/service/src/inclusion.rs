//! Coordination of social inclusion: the people registry, consent, cases and referrals. Every
//! read of a person's data asks the policy twice: may this actor see the record at all (by
//! relationship), and which categories of it (by system, law and consent). Only what both allow
//! leaves this module.

use super::{About, audit_read, authorize, authorize_about};
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::identity::IdentityDocument;
use elkarlan_domain::inclusion::case::{CaseStatus, StatusChangeInput};
pub use elkarlan_domain::inclusion::consent::ConsentInput;
use elkarlan_domain::inclusion::consent::{ConsentScope, DataCategory};
use elkarlan_domain::inclusion::person::PersonInput;
use elkarlan_domain::inclusion::referral::{
    ReferralContext, ReferralStatus, Side, parse_break_glass_reason,
};
pub use elkarlan_domain::inclusion::referral::{ReferralInput, ReferralMoveInput};
use elkarlan_domain::inclusion::subject_access::{RequestInput, RequestStatus};
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::{
    self, Action, Actor, Basis, Grant, Involvement, Relationship, Target,
};
use elkarlan_domain::{
    AgencyId, AreaId, CaseId, ConsentId, FieldErrors, PersonId, ReferralId, Timestamp,
};
use elkarlan_store::audit::NewEvent;
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::cases::{self, Case};
use elkarlan_store::consents::{self, Consent, NewConsent};
use elkarlan_store::people::{self, Person, PersonRecord, StoredDocument};
use elkarlan_store::referrals::{self, Move, NewReferral, Referral};
use elkarlan_store::subject_access::SubjectAccessRequest;
use elkarlan_store::{StoreError, agencies, territory};
use serde::Serialize;
use std::collections::HashMap;

/// A search result: enough to recognise someone, nothing more.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonHit {
    pub id: uuid::Uuid,
    pub name: String,
    pub birth_year: i32,
    /// The last characters of the identity document only.
    pub document: Option<String>,
    /// Similarity to the query, 0 to 1.
    pub score: f64,
}

fn hit(p: &Person, score: f64) -> PersonHit {
    use chrono::Datelike;
    PersonHit {
        id: p.id.0,
        name: p.full_name(),
        birth_year: p.birth_date.year(),
        document: p.document_masked.clone().map(|m| {
            format!(
                "{} {m}",
                p.document_kind.clone().unwrap_or_default().to_uppercase()
            )
        }),
        score,
    }
}

pub async fn search(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    query: &str,
) -> Result<Vec<PersonHit>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::SearchPeople,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let key = elkarlan_domain::search::search_key(query);
    if key.chars().count() < 2 {
        let mut e = FieldErrors::new();
        e.add("q", "error-search-short");
        return Err(ServiceError::Invalid(e));
    }
    let found = people::search(&state.store, actor.tenant, &key, 25).await?;
    // Who looked for whom, without the names: keyed hashes of the terms (see
    // `auth::search_term_hashes`), which the DPO's "who searched for this name" matches.
    // Each person listed gets a row of their own too, for their access log.
    let terms = crate::auth::search_term_hashes(&state.config.secret_key.0, actor.tenant, query);
    let mut events = vec![
        NewEvent::from_grant(&grant, "person", None, meta)
            .with_detail(serde_json::json!({"search_terms": terms, "results": found.len()})),
    ];
    events.extend(found.iter().map(|(p, _)| {
        NewEvent::from_grant(&grant, "person", Some(p.id.to_string()), meta)
            .with_subject(p.id.to_string())
            .with_detail(
                serde_json::json!({"search_result": true, "categories": ["identification"]}),
            )
    }));
    state.auditor.record_all(events).await?;
    Ok(found.iter().map(|(p, s)| hit(p, *s)).collect())
}

/// A case on the professional's own caseload.
#[derive(Clone, Debug)]
pub struct CaseloadEntry {
    pub case: Case,
    pub name: String,
    pub lead: bool,
}

/// The cases the actor leads or works on as a team member, open ones first: the start of a
/// professional's day. Names are minimal identification; one audit row lists who was shown.
pub async fn caseload(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    limit: i64,
) -> Result<Vec<CaseloadEntry>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::SearchPeople,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut out = Vec::new();
    for case in cases::caseload(&state.store, actor.tenant, actor.user, limit).await? {
        let person = people::get(&state.store, actor.tenant, case.person_id).await?;
        let name = if person.anonymised_at.is_some() {
            String::new()
        } else {
            person.full_name()
        };
        out.push(CaseloadEntry {
            lead: case.lead_user_id == actor.user,
            case,
            name,
        });
    }
    let shown: Vec<PersonId> = out.iter().map(|e| e.case.person_id).collect();
    super::audit_people_read(
        state,
        &grant,
        "person",
        None,
        &shown,
        meta,
        serde_json::json!({"caseload": shown.len()}),
    )
    .await?;
    Ok(out)
}

/// The document as stored: sealed with the installation key, a keyed hash for duplicates, and
/// a masked form for screens.
fn stored_document(state: &AppState, actor: &Actor, doc: &IdentityDocument) -> StoredDocument {
    crate::auth::stored_document(&state.config.secret_key.0, actor.tenant, doc)
}

async fn parse_area(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    errors: &mut FieldErrors,
) -> Result<Option<AreaId>, ServiceError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    let areas = territory::list(&state.store, actor.tenant).await?;
    match raw.trim().parse::<AreaId>().ok().filter(|id| {
        areas
            .iter()
            .any(|a| a.id == *id && a.kind == "neighbourhood")
    }) {
        Some(id) => Ok(Some(id)),
        None => {
            errors.add("neighbourhood", "error-area-unknown");
            Ok(None)
        }
    }
}

pub enum Registered {
    /// The person and their case, with the actor as lead.
    Done { person: PersonId, case: CaseId },
    /// Records that probably describe the same person: confirm to register anyway.
    PossibleDuplicates(Vec<PersonHit>),
}

/// Registers a person and opens their case with the actor as lead, in one transaction.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &PersonInput,
    confirmed_new: bool,
    idem: super::IdempotentCreate<'_, (PersonId, CaseId)>,
) -> Result<Registered, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::RegisterPerson,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let today = Timestamp::now().to_datetime().date_naive();
    let mut errors = FieldErrors::new();
    let area = parse_area(state, actor, &input.neighbourhood, &mut errors).await?;
    let draft = match input.parse(today) {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return Err(ServiceError::Invalid(errors)),
        Err(mut e) => {
            e.0.extend(errors.0);
            return Err(ServiceError::Invalid(e));
        }
    };
    let Some(agency) = actor.agency else {
        let mut e = FieldErrors::new();
        e.add("given_name", "error-agency-required");
        return Err(ServiceError::Invalid(e));
    };
    let doc = draft
        .document
        .as_ref()
        .map(|d| stored_document(state, actor, d));
    if !confirmed_new {
        let dups = people::duplicate_candidates(
            &state.store,
            actor.tenant,
            &draft.name.search_key(),
            draft.birth_date,
            doc.as_ref().map(|d| d.hash.as_slice()),
        )
        .await?;
        if !dups.is_empty() {
            let shown: Vec<PersonId> = dups.iter().map(|p| p.id).collect();
            super::audit_people_read(
                state,
                &grant,
                "person",
                None,
                &shown,
                meta,
                serde_json::json!({"duplicate_check": dups.len()}),
            )
            .await?;
            return Ok(Registered::PossibleDuplicates(
                dups.iter().map(|p| hit(p, 1.0)).collect(),
            ));
        }
    }
    let mut tx = state.store.begin_write().await?;
    let person = people::create_in(
        &mut tx,
        &grant,
        meta,
        PersonRecord {
            draft: &draft,
            area,
            document: doc.as_ref(),
        },
    )
    .await?;
    let case = cases::open_in(&mut tx, &grant, meta, person, actor.user, agency).await?;
    super::save_idempotent(&mut tx, actor, idem, &(person, case)).await?;
    tx.commit().await?;
    Ok(Registered::Done { person, case })
}

/// How the actor stands towards a person (through their current case), with the case.
pub async fn relationship_to_person(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
) -> Result<(Relationship, Option<Case>), ServiceError> {
    match cases::for_person(&state.store, actor.tenant, person).await? {
        Some(case) => Ok((
            cases::relationship(&state.store, actor, &case).await?,
            Some(case),
        )),
        None => Ok((Relationship::None, None)),
    }
}

/// Which categories the actor may see of this person, and on what basis.
pub fn visible_categories(
    actor: &Actor,
    relationship: Relationship,
    case: Option<&Case>,
    consents: &[ConsentScope],
) -> Vec<(DataCategory, Basis)> {
    let lead = case.map_or(PublicSystem::SocialServices, |c| c.lead_system);
    let now = Timestamp::now();
    DataCategory::ALL
        .into_iter()
        .filter_map(|c| {
            policy::decide_category(actor, relationship, lead, c, consents, now)
                .ok()
                .map(|b| (c, b))
        })
        .collect()
}

/// A person's record as one actor may see it. Absent fields are not allowed to this actor.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: uuid::Uuid,
    pub version: i64,
    pub relationship: String,
    pub given_name: Option<String>,
    pub surname1: Option<String>,
    pub surname2: Option<String>,
    pub document: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub nationality: Option<String>,
    pub languages: Option<Vec<String>>,
    pub preferred_lang: Option<String>,
    pub neighbourhood: Option<uuid::Uuid>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub case: Option<uuid::Uuid>,
    /// The categories this actor may see, with the basis of each.
    pub categories: Vec<CategoryAccess>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryAccess {
    pub category: String,
    pub basis: String,
}

pub fn relationship_code(r: Relationship) -> &'static str {
    match r {
        Relationship::None => "none",
        Relationship::OwnAccount => "own_account",
        Relationship::Lead => "lead",
        Relationship::TeamMember => "team_member",
        Relationship::TeamAgency => "team_agency",
        Relationship::ReferralRecipient => "referral_recipient",
        Relationship::BreakGlass => "break_glass",
        Relationship::Provider => "provider",
        Relationship::Partner => "partner",
    }
}

pub async fn view_person(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PersonId,
) -> Result<PersonView, ServiceError> {
    let person = people::get(&state.store, actor.tenant, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::NotFound,
            other => other.into(),
        })?;
    let (relationship, case) = relationship_to_person(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::ViewPerson,
        Target::new(actor.tenant, relationship),
        About::person(id),
        meta,
    )
    .await?;
    let consents: Vec<ConsentScope> = consents::for_person(&state.store, actor.tenant, id)
        .await?
        .iter()
        .map(Consent::scope)
        .collect();
    let visible = visible_categories(actor, relationship, case.as_ref(), &consents);
    let can = |c: DataCategory| visible.iter().any(|(v, _)| *v == c);
    let ident = can(DataCategory::Identification);
    let contact = can(DataCategory::Contact);
    let view = PersonView {
        id: person.id.0,
        version: person.version,
        relationship: relationship_code(relationship).to_owned(),
        given_name: ident.then(|| person.given_name.clone()),
        surname1: ident.then(|| person.surname1.clone()),
        surname2: if ident { person.surname2.clone() } else { None },
        document: if ident {
            person.document_masked.clone().map(|m| {
                format!(
                    "{} {m}",
                    person
                        .document_kind
                        .clone()
                        .unwrap_or_default()
                        .to_uppercase()
                )
            })
        } else {
            None
        },
        birth_date: ident.then(|| person.birth_date.to_string()),
        sex: ident.then(|| person.sex.code().to_owned()),
        nationality: if ident {
            person.nationality.clone()
        } else {
            None
        },
        languages: ident.then(|| person.languages.clone()),
        preferred_lang: ident.then(|| person.preferred_lang.code().to_owned()),
        neighbourhood: if ident {
            person.area_id.map(|a| a.0)
        } else {
            None
        },
        phone: if contact { person.phone.clone() } else { None },
        email: if contact { person.email.clone() } else { None },
        case: case
            .as_ref()
            .filter(|_| {
                matches!(
                    relationship,
                    Relationship::Lead | Relationship::TeamMember | Relationship::BreakGlass
                )
            })
            .map(|c| c.id.0),
        categories: visible
            .iter()
            .map(|(c, b)| CategoryAccess {
                category: c.code().to_owned(),
                basis: b.code().to_owned(),
            })
            .collect(),
    };
    let shown: Vec<&str> = visible.iter().map(|(c, _)| c.code()).collect();
    audit_person_read(
        state,
        &grant,
        "person",
        id,
        meta,
        serde_json::json!({"categories": shown, "relationship": view.relationship}),
    )
    .await?;
    Ok(view)
}

/// Records a read of one person's data, in their access log, before it is served.
async fn audit_person_read(
    state: &AppState,
    grant: &Grant,
    entity: &'static str,
    person: PersonId,
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let ev = NewEvent::from_grant(grant, entity, Some(person.to_string()), meta)
        .with_subject(person.to_string())
        .with_detail(detail);
    state.auditor.record(ev).await.map_err(ServiceError::from)
}

async fn person_target(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
) -> Result<(Target, Option<Case>), ServiceError> {
    people::get(&state.store, actor.tenant, person).await?;
    let (relationship, case) = relationship_to_person(state, actor, person).await?;
    Ok((Target::new(actor.tenant, relationship), case))
}

pub async fn record_consent(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    input: &ConsentInput,
) -> Result<ConsentId, ServiceError> {
    let (target, _) = person_target(state, actor, person).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::RecordConsent,
        target,
        About::person(person),
        meta,
    )
    .await?;
    let draft = input
        .parse(Timestamp::now().to_datetime().date_naive())
        .map_err(ServiceError::Invalid)?;
    let new = NewConsent {
        person_id: person,
        purpose: draft.purpose,
        recipients: draft.recipients,
        categories: draft.categories,
        evidence: draft.evidence,
        expires_at: draft.expires_at,
    };
    Ok(consents::record(&state.store, &grant, meta, actor.user, &new).await?)
}

pub async fn withdraw_consent(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    consent: ConsentId,
) -> Result<(), ServiceError> {
    let (target, _) = person_target(state, actor, person).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::RecordConsent,
        target,
        About::person(person),
        meta,
    )
    .await?;
    if !consents::for_person(&state.store, actor.tenant, person)
        .await?
        .iter()
        .any(|c| c.id == consent)
    {
        return Err(ServiceError::NotFound);
    }
    consents::withdraw(&state.store, &grant, meta, consent)
        .await
        .map_err(|e| match e {
            StoreError::Stale => ServiceError::Conflict {
                field: "consent",
                key: "error-consent-withdrawn",
            },
            other => other.into(),
        })
}

pub async fn list_consents(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
) -> Result<Vec<Consent>, ServiceError> {
    let (target, _) = person_target(state, actor, person).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::ViewConsents,
        target,
        About::person(person),
        meta,
    )
    .await?;
    let list = consents::for_person(&state.store, actor.tenant, person).await?;
    audit_person_read(
        state,
        &grant,
        "consent",
        person,
        meta,
        serde_json::json!({"consents": list.len()}),
    )
    .await?;
    Ok(list)
}

/// The case as one actor may see it.
#[derive(Clone, Debug)]
pub struct CaseView {
    pub case: Case,
    pub relationship: Relationship,
    pub team: Vec<cases::TeamMember>,
    pub referrals: Vec<Referral>,
    pub categories: Vec<(DataCategory, Basis)>,
}

async fn case_target(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
) -> Result<(Case, Relationship), ServiceError> {
    let case = cases::get(&state.store, actor.tenant, id).await?;
    let relationship = cases::relationship(&state.store, actor, &case).await?;
    Ok((case, relationship))
}

pub async fn view_case(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<CaseView, ServiceError> {
    let (view, grant) = case_view_unrecorded(state, actor, meta, id).await?;
    let shown: Vec<DataCategory> = view.categories.iter().map(|(c, _)| *c).collect();
    record_case_read(state, &grant, &view.case, &shown, meta).await?;
    Ok(view)
}

/// Records a read of the case in the person's access log with the categories it showed.
pub async fn record_case_read(
    state: &AppState,
    grant: &Grant,
    case: &Case,
    shown: &[DataCategory],
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    let shown: Vec<&str> = shown.iter().map(|c| c.code()).collect();
    let ev = NewEvent::from_grant(grant, "case", Some(case.id.to_string()), meta)
        .with_subject(case.person_id.to_string())
        .with_detail(serde_json::json!({"categories": shown}));
    state.auditor.record(ev).await?;
    Ok(())
}

/// The case as the actor may see it, authorized (a refusal is recorded) but not yet recorded
/// as read: the caller records the read with what it finally shows (`record_case_read`)
/// before serving it.
pub async fn case_view_unrecorded(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<(CaseView, Grant), ServiceError> {
    let (case, relationship) = case_target(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::ViewCase,
        Target::new(actor.tenant, relationship),
        About::case(&case),
        meta,
    )
    .await?;
    let consents: Vec<ConsentScope> =
        consents::for_person(&state.store, actor.tenant, case.person_id)
            .await?
            .iter()
            .map(Consent::scope)
            .collect();
    let categories = visible_categories(actor, relationship, Some(&case), &consents);
    let visible: Vec<DataCategory> = categories.iter().map(|(c, _)| *c).collect();
    let systems = agency_systems(state, actor.tenant).await?;
    let team: Vec<cases::TeamMember> = cases::team(&state.store, case.id)
        .await?
        .into_iter()
        .filter(|t| agency_visible(actor, &visible, &systems, t.agency_id))
        .collect();
    let referrals: Vec<Referral> = referrals::for_case(&state.store, actor.tenant, case.id)
        .await?
        .into_iter()
        .filter_map(|r| referral_as_seen(actor, &visible, &systems, r))
        .collect();
    Ok((
        CaseView {
            case,
            relationship,
            team,
            referrals,
            categories,
        },
        grant,
    ))
}

/// Each agency of the tenant with its public system, to decide what an involvement reveals.
pub async fn agency_systems(
    state: &AppState,
    tenant: elkarlan_domain::TenantId,
) -> Result<HashMap<AgencyId, PublicSystem>, ServiceError> {
    Ok(agencies::list(&state.store, tenant)
        .await?
        .into_iter()
        .map(|a| (a.id, a.system))
        .collect())
}

/// Whether the reader may know that this agency takes part (see `policy::decide_involvement`).
/// An agency missing from the directory is treated as a health service: hidden unless known.
pub fn agency_visible(
    actor: &Actor,
    visible: &[DataCategory],
    systems: &HashMap<AgencyId, PublicSystem>,
    agency: AgencyId,
) -> bool {
    let system = systems
        .get(&agency)
        .copied()
        .unwrap_or(PublicSystem::PrimaryCare);
    policy::decide_involvement(actor, visible, Involvement::Agency { agency, system })
}

/// The referral as this reader may see it: absent when it would reveal a health service's
/// involvement, and without its wording (reason, decline reason, outcome) unless the reader
/// is one of its agencies or sees every category it shares.
pub fn referral_as_seen(
    actor: &Actor,
    visible: &[DataCategory],
    systems: &HashMap<AgencyId, PublicSystem>,
    mut r: Referral,
) -> Option<Referral> {
    let system = |a: AgencyId| {
        systems
            .get(&a)
            .copied()
            .unwrap_or(PublicSystem::PrimaryCare)
    };
    let from = (r.from_agency, system(r.from_agency));
    let to = (r.to_agency, system(r.to_agency));
    if !policy::decide_involvement(actor, visible, Involvement::Referral { from, to }) {
        return None;
    }
    let wording = Involvement::ReferralWording {
        from,
        to,
        shares: &r.categories,
    };
    if !policy::decide_involvement(actor, visible, wording) {
        r.reason.clear();
        r.decline_reason = None;
        r.outcome = None;
    }
    Some(r)
}

pub async fn set_case_status(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    version: i64,
    status: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    let (case, relationship) = case_target(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::ManageCase,
        Target::new(actor.tenant, relationship),
        About::case(&case),
        meta,
    )
    .await?;
    let change = StatusChangeInput {
        status,
        closure_reason: reason,
    }
    .parse(case.status)
    .map_err(ServiceError::Invalid)?;
    cases::set_status(
        &state.store,
        &grant,
        meta,
        &case,
        version,
        change.next,
        change.closure_reason,
    )
    .await
    .map_err(Into::into)
}

/// How long an emergency access lasts, from its opening or from the DPO's approval.
const BREAK_GLASS_MINUTES: i64 = 60;

/// Whether the actor's role may ever break the glass: known without looking at any record, so
/// the emergency access form is the same for every id and a refused role learns nothing.
pub async fn authorize_break_glass_form(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    authorize(
        state,
        actor,
        Action::BreakGlass,
        Target::new(actor.tenant, Relationship::None),
        meta,
    )
    .await?;
    Ok(())
}

/// Emergency access: a reason of at least 20 characters; one hour; reviewed by the DPO. Beyond
/// the professional's daily limit (`break_glass_per_day`) the request waits for the DPO.
/// It answers the same whether or not the case exists: an unknown id writes nothing and
/// succeeds, so only the access itself (audited and reviewed) shows the case.
pub async fn break_glass(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    reason: &str,
) -> Result<cases::BreakGlassOpening, ServiceError> {
    let reason = break_glass_reason(state, actor, meta, reason).await?;
    match cases::get(&state.store, actor.tenant, id).await {
        Ok(case) => open_in_emergency(state, actor, meta, &case, &reason).await,
        Err(StoreError::NotFound) => unrecorded_opening(state, actor).await,
        Err(e) => Err(e.into()),
    }
}

/// Emergency access to the current case of a person found in the search; the same answer
/// whether or not the person, or a case of theirs, exists.
pub async fn break_glass_for_person(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    reason: &str,
) -> Result<cases::BreakGlassOpening, ServiceError> {
    let reason = break_glass_reason(state, actor, meta, reason).await?;
    match cases::for_person(&state.store, actor.tenant, person).await? {
        Some(case) => open_in_emergency(state, actor, meta, &case, &reason).await,
        None => unrecorded_opening(state, actor).await,
    }
}

/// The role's decision, then the reason's shape: both before any record is looked up.
async fn break_glass_reason(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    reason: &str,
) -> Result<String, ServiceError> {
    authorize_break_glass_form(state, actor, meta).await?;
    parse_break_glass_reason(reason).map_err(ServiceError::Invalid)
}

/// The answer to a request that opens nothing (no such case, or the actor already sees it):
/// the one a real request would get, waiting included once the daily limit is reached, so the
/// answer never tells whether the record exists. Nothing is written.
async fn unrecorded_opening(
    state: &AppState,
    actor: &Actor,
) -> Result<cases::BreakGlassOpening, ServiceError> {
    let opened = cases::break_glass_opened_recently(&state.store, actor.user).await?;
    let id = elkarlan_domain::BreakGlassId::new();
    Ok(if opened >= i64::from(state.config.break_glass_per_day) {
        cases::BreakGlassOpening::Waiting(id)
    } else {
        cases::BreakGlassOpening::Opened(id)
    })
}

async fn open_in_emergency(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    case: &Case,
    reason: &str,
) -> Result<cases::BreakGlassOpening, ServiceError> {
    let relationship = cases::relationship(&state.store, actor, case).await?;
    // The team already sees the case: there is no glass to break.
    if allows(actor, Action::ViewCase, relationship) {
        return unrecorded_opening(state, actor).await;
    }
    let grant = authorize_about(
        state,
        actor,
        Action::BreakGlass,
        Target::new(actor.tenant, relationship),
        About::case(case),
        meta,
    )
    .await?;
    Ok(cases::break_glass(
        &state.store,
        &grant,
        meta,
        case,
        actor.user,
        reason,
        BREAK_GLASS_MINUTES,
        i64::from(state.config.break_glass_per_day),
    )
    .await?)
}

pub async fn send_referral(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    input: &ReferralInput,
    idem: super::IdempotentCreate<'_, ReferralId>,
) -> Result<ReferralId, ServiceError> {
    let (case, relationship) = case_target(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::SendReferral,
        Target::new(actor.tenant, relationship),
        About::case(&case),
        meta,
    )
    .await?;
    let (Some(from_agency), Some(from_system)) = (actor.agency, actor.agency_system) else {
        let mut e = FieldErrors::new();
        e.add("to_agency", "error-agency-required");
        return Err(ServiceError::Invalid(e));
    };
    let to = match input.to_agency.trim().parse::<AgencyId>() {
        Ok(a) => match agencies::get(&state.store, actor.tenant, a).await {
            Ok(ag) => Some(ag),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        },
        Err(_) => None,
    };
    // The consents give the basis for what a law does not share; only needed with a recipient.
    let consents: Vec<ConsentScope> = if to.is_some() {
        consents::for_person(&state.store, actor.tenant, case.person_id)
            .await?
            .iter()
            .map(Consent::scope)
            .collect()
    } else {
        Vec::new()
    };
    let draft = input
        .parse(&ReferralContext {
            from_agency,
            from_system,
            to: to.as_ref().map(|a| (a.id, a.system)),
            consents: &consents,
            now: Timestamp::now(),
        })
        .map_err(ServiceError::Invalid)?;
    let Some(to) = to else {
        return Err(ServiceError::Invalid(FieldErrors::new()));
    };
    let new = NewReferral {
        from_agency,
        from_user: actor.user,
        to_agency: draft.to_agency,
        reason: draft.reason,
        urgency: draft.urgency,
        categories: draft.categories,
        due_at: draft.due_at,
    };
    let lang = elkarlan_domain::Lang::Es;
    let subject = elkarlan_templates::t(lang, "email-referral-subject");
    let body = elkarlan_templates::t(lang, "email-referral-body");
    let email = to
        .email
        .as_deref()
        .map(|addr| (addr, subject.as_str(), body.as_str()));
    let mut tx = state.store.begin_write().await?;
    let rid = referrals::send_in(&mut tx, &grant, meta, &case, &new, email).await?;
    super::save_idempotent(&mut tx, actor, idem, &rid).await?;
    tx.commit().await?;
    Ok(rid)
}

/// The actor's agency's inbox, with each person's name (a recipient may see who is referred).
pub async fn inbox(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<(Referral, String)>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewReferralInbox,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let Some(agency) = actor.agency else {
        return Ok(Vec::new());
    };
    let list = referrals::inbox(&state.store, actor.tenant, agency, 200).await?;
    let mut out = Vec::new();
    for r in list {
        // A request to join a case is the lead's to answer; the rest of the agency does not
        // learn that the person has a case.
        if r.join_request
            && cases::get(&state.store, actor.tenant, r.case_id)
                .await?
                .lead_user_id
                != actor.user
        {
            continue;
        }
        let p = people::get(&state.store, actor.tenant, r.person_id).await?;
        out.push((r, p.full_name()));
    }
    let shown: Vec<PersonId> = out.iter().map(|(r, _)| r.person_id).collect();
    super::audit_people_read(
        state,
        &grant,
        "referral",
        None,
        &shown,
        meta,
        serde_json::json!({"inbox": out.len()}),
    )
    .await?;
    Ok(out)
}

pub async fn move_referral(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ReferralId,
    input: &ReferralMoveInput,
) -> Result<(), ServiceError> {
    let referral = referrals::get(&state.store, actor.tenant, id).await?;
    let next = input.next();
    let receiving = actor.agency == Some(referral.to_agency);
    let sending = actor.agency == Some(referral.from_agency);
    let (side, action, relationship) =
        if referral.join_request && !(next == Some(ReferralStatus::Withdrawn) && sending) {
            // A request to join a case changes its team: its lead answers it.
            let case = cases::get(&state.store, actor.tenant, referral.case_id).await?;
            (
                Side::Receiver,
                Action::ManageCase,
                cases::relationship(&state.store, actor, &case).await?,
            )
        } else if next == Some(ReferralStatus::Withdrawn) && sending {
            let case = cases::get(&state.store, actor.tenant, referral.case_id).await?;
            (
                Side::Sender,
                Action::WithdrawReferral,
                cases::relationship(&state.store, actor, &case).await?,
            )
        } else if receiving {
            (
                Side::Receiver,
                Action::AnswerReferral,
                Relationship::ReferralRecipient,
            )
        } else {
            (Side::Receiver, Action::AnswerReferral, Relationship::None)
        };
    let grant = authorize_about(
        state,
        actor,
        action,
        Target::new(actor.tenant, relationship),
        About::record("referral", referral.id.0, referral.person_id),
        meta,
    )
    .await?;
    let draft = input
        .parse(referral.status, side)
        .map_err(ServiceError::Invalid)?;
    referrals::transition(
        &state.store,
        &grant,
        meta,
        &referral,
        Move {
            version: draft.version,
            next: draft.next,
            side,
            by: actor.user,
            decline_reason: draft.decline_reason,
            outcome: draft.outcome.as_deref(),
        },
    )
    .await
    .map_err(Into::into)
}

/// The DPO's view of who read or changed a person's data, and who was refused it.
pub async fn access_log(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
) -> Result<Vec<elkarlan_store::audit::AuditEvent>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewAccessLog,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let filter = elkarlan_store::audit::AuditFilter {
        subject_id: person.to_string(),
        ..Default::default()
    };
    let rows = elkarlan_store::audit::list(&state.store, actor.tenant, &filter, 500).await?;
    audit_person_read(
        state,
        &grant,
        "access_log",
        person,
        meta,
        serde_json::json!({"rows": rows.len()}),
    )
    .await?;
    Ok(rows)
}

/// Whether the actor may do `action` on a record they stand towards as `relationship`. For
/// showing links and buttons only: the action itself asks the policy again.
pub fn allows(actor: &Actor, action: Action, relationship: Relationship) -> bool {
    policy::decide(actor, action, Target::new(actor.tenant, relationship)).is_ok()
}

/// Asks the policy for an action on a person before its form is shown, as the POST will.
pub async fn authorize_on_person(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    person: PersonId,
    action: Action,
) -> Result<(), ServiceError> {
    let (target, _) = person_target(state, actor, person).await?;
    authorize_about(state, actor, action, target, About::person(person), meta).await?;
    Ok(())
}

/// Asks the policy for an action on a case before its form is shown, as the POST will.
pub async fn authorize_on_case(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
    action: Action,
) -> Result<Case, ServiceError> {
    let (case, relationship) = case_target(state, actor, id).await?;
    authorize_about(
        state,
        actor,
        action,
        Target::new(actor.tenant, relationship),
        About::case(&case),
        meta,
    )
    .await?;
    Ok(case)
}

/// The case a referral belongs to (for going back to it after a move). The move itself has
/// already asked the policy; this reveals nothing the caller could not see there.
pub async fn referral_case(
    state: &AppState,
    actor: &Actor,
    id: ReferralId,
) -> Result<CaseId, ServiceError> {
    Ok(referrals::get(&state.store, actor.tenant, id)
        .await?
        .case_id)
}

/// Where the actor may refer the person of a case: every other active agency, with the
/// capacity it publishes, so that nobody is sent to a service without places.
pub async fn referral_destinations(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: CaseId,
) -> Result<Vec<(agencies::Agency, Option<referrals::Capacity>)>, ServiceError> {
    authorize_on_case(state, actor, meta, id, Action::SendReferral).await?;
    let mut out = Vec::new();
    for a in agencies::list(&state.store, actor.tenant).await? {
        if a.active && Some(a.id) != actor.agency {
            let cap = referrals::capacity(&state.store, a.id).await?;
            out.push((a, cap));
        }
    }
    Ok(out)
}

/// An emergency access waiting for the DPO's review.
#[derive(Clone, Debug)]
pub struct BreakGlassReview {
    pub access: cases::BreakGlassAccess,
    pub person: PersonId,
    pub user_name: String,
}

/// The DPO's queue of emergency accesses not yet reviewed, oldest first.
pub async fn break_glass_queue(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<BreakGlassReview>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ReviewBreakGlass,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut out = Vec::new();
    for access in cases::break_glass_to_review(&state.store, actor.tenant).await? {
        let case = cases::get(&state.store, actor.tenant, access.case_id).await?;
        let user_name = elkarlan_store::users::get(&state.store, actor.tenant, access.user_id)
            .await
            .map(|u| u.username)
            .unwrap_or_default();
        out.push(BreakGlassReview {
            access,
            person: case.person_id,
            user_name,
        });
    }
    // The queue shows each access's person and reason: one read in each person's access log,
    // committed together.
    let people: Vec<PersonId> = out.iter().map(|r| r.person).collect();
    super::audit_people_read(
        state,
        &grant,
        "break_glass",
        None,
        &people,
        meta,
        serde_json::json!({"to_review": out.len()}),
    )
    .await?;
    Ok(out)
}

/// The DPO's verdict on one emergency access: `justified` or `unjustified`.
pub async fn review_break_glass(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: elkarlan_domain::BreakGlassId,
    outcome: &str,
) -> Result<(), ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ReviewBreakGlass,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let outcome = outcome.trim();
    if !matches!(outcome, "justified" | "unjustified") {
        let mut e = FieldErrors::new();
        e.add("outcome", "error-review-outcome");
        return Err(ServiceError::Invalid(e));
    }
    cases::review_break_glass(&state.store, &grant, meta, id, outcome, BREAK_GLASS_MINUTES)
        .await
        .map_err(|e| match e {
            // Unknown, of another municipality, or already reviewed.
            StoreError::Stale | StoreError::NotFound => ServiceError::NotFound,
            other => other.into(),
        })
}

/// Rectifies a person's record (GDPR art. 16) if it is still at `version`. The audit row keeps
/// the record before and after: that is the rectification history.
/// The grant to rectify a person: the policy's `UpdatePerson` for the relationship, and the
/// identification and contact categories both open to the actor.
pub async fn rectification_grant(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PersonId,
) -> Result<Grant, ServiceError> {
    people::get(&state.store, actor.tenant, id).await?;
    let (relationship, case) = relationship_to_person(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::UpdatePerson,
        Target::new(actor.tenant, relationship),
        About::person(id),
        meta,
    )
    .await?;
    // A rectification replaces identification and contact: whoever cannot see both would
    // overwrite what they were not shown.
    let consents: Vec<ConsentScope> = consents::for_person(&state.store, actor.tenant, id)
        .await?
        .iter()
        .map(Consent::scope)
        .collect();
    let visible: Vec<DataCategory> =
        visible_categories(actor, relationship, case.as_ref(), &consents)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
    if let Err(denied) = policy::decide_rectification(&visible) {
        return Err(super::refuse_about(
            state,
            actor,
            Action::UpdatePerson,
            meta,
            denied,
            Some(About::person(id)),
        )
        .await);
    }
    Ok(grant)
}

pub async fn rectify_person(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PersonId,
    version: Option<i64>,
    input: &PersonInput,
) -> Result<(), ServiceError> {
    let grant = rectification_grant(state, actor, meta, id).await?;
    // Asked for only once the caller may rectify this person's record.
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let today = Timestamp::now().to_datetime().date_naive();
    let mut errors = FieldErrors::new();
    let area = parse_area(state, actor, &input.neighbourhood, &mut errors).await?;
    let draft = match input.parse(today) {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return Err(ServiceError::Invalid(errors)),
        Err(mut e) => {
            e.0.extend(errors.0);
            return Err(ServiceError::Invalid(e));
        }
    };
    let doc = draft
        .document
        .as_ref()
        .map(|d| crate::auth::stored_document(&state.config.secret_key.0, actor.tenant, d));
    Ok(people::update(
        &state.store,
        &grant,
        meta,
        id,
        version,
        PersonRecord {
            draft: &draft,
            area,
            document: doc.as_ref(),
        },
    )
    .await?)
}

/// One change to a person's record: when, by whom, before and after.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rectification {
    pub at: String,
    pub by: String,
    #[schema(value_type = Object)]
    pub change: serde_json::Value,
}

/// The rectification history of a person: the registration and every change, newest first.
pub async fn rectification_history(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PersonId,
) -> Result<Vec<Rectification>, ServiceError> {
    people::get(&state.store, actor.tenant, id).await?;
    let (relationship, _) = relationship_to_person(state, actor, id).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::ViewPerson,
        Target::new(actor.tenant, relationship),
        About::person(id),
        meta,
    )
    .await?;
    let out: Vec<Rectification> = people::history(&state.store, actor.tenant, id)
        .await?
        .into_iter()
        .map(|e| Rectification {
            at: e.at.iso(),
            by: e.actor_name,
            change: e.change,
        })
        .collect();
    audit_person_read(
        state,
        &grant,
        "person_history",
        id,
        meta,
        serde_json::json!({"entries": out.len()}),
    )
    .await?;
    Ok(out)
}

/// Records that probably are the same person as `keep` (same birth date and a similar name),
/// among those the actor works with: the choices for a merge.
pub async fn merge_candidates(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    keep: PersonId,
) -> Result<Vec<PersonHit>, ServiceError> {
    let person = people::get(&state.store, actor.tenant, keep).await?;
    let (relationship, _) = relationship_to_person(state, actor, keep).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::MergePeople,
        Target::new(actor.tenant, relationship),
        About::person(keep),
        meta,
    )
    .await?;
    let key = elkarlan_domain::search::search_key(&person.full_name());
    let mut out = Vec::new();
    for p in people::duplicate_candidates(&state.store, actor.tenant, &key, person.birth_date, None)
        .await?
    {
        if p.id == keep || p.merged_into.is_some() {
            continue;
        }
        let (rel, _) = relationship_to_person(state, actor, p.id).await?;
        if policy::decide(actor, Action::MergePeople, Target::new(actor.tenant, rel)).is_ok() {
            out.push(hit(&p, 1.0));
        }
    }
    // The candidates were found from the kept record's name and birth date: a read of it too.
    let shown: Vec<PersonId> = std::iter::once(keep)
        .chain(out.iter().map(|h| PersonId(h.id)))
        .collect();
    super::audit_people_read(
        state,
        &grant,
        "person",
        None,
        &shown,
        meta,
        serde_json::json!({"merge_candidates": shown.len()}),
    )
    .await?;
    Ok(out)
}

/// Merges a duplicate record into the record to keep. Both must be people the actor works with.
pub async fn merge_people(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    keep: PersonId,
    duplicate_raw: &str,
) -> Result<(), ServiceError> {
    people::get(&state.store, actor.tenant, keep).await?;
    let (relationship, _) = relationship_to_person(state, actor, keep).await?;
    let grant = authorize_about(
        state,
        actor,
        Action::MergePeople,
        Target::new(actor.tenant, relationship),
        About::person(keep),
        meta,
    )
    .await?;
    let unknown = || {
        let mut e = FieldErrors::new();
        e.add("duplicate", "error-merge-unknown");
        ServiceError::Invalid(e)
    };
    let duplicate = duplicate_raw
        .trim()
        .parse::<PersonId>()
        .map_err(|_| unknown())?;
    match people::get(&state.store, actor.tenant, duplicate).await {
        Ok(p) if p.merged_into.is_some() => {
            return Err(ServiceError::Conflict {
                field: "duplicate",
                key: "error-merge-already",
            });
        }
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(unknown()),
        Err(e) => return Err(e.into()),
    }
    // The duplicate must be a record the actor works with too.
    let (rel_dup, _) = relationship_to_person(state, actor, duplicate).await?;
    authorize_about(
        state,
        actor,
        Action::MergePeople,
        Target::new(actor.tenant, rel_dup),
        About::person(duplicate),
        meta,
    )
    .await?;
    if keep == duplicate {
        let mut e = FieldErrors::new();
        e.add("duplicate", "error-merge-same");
        return Err(ServiceError::Invalid(e));
    }
    // Two open cases cannot become one person's: close one first.
    let open = |c: &Option<Case>| c.as_ref().is_some_and(|c| c.status != CaseStatus::Closed);
    let (_, a) = relationship_to_person(state, actor, keep).await?;
    let (_, b) = relationship_to_person(state, actor, duplicate).await?;
    if open(&a) && open(&b) {
        let mut e = FieldErrors::new();
        e.add("duplicate", "error-merge-two-open-cases");
        return Err(ServiceError::Invalid(e));
    }
    people::merge(&state.store, &grant, meta, duplicate, keep)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict {
                field: "duplicate",
                key: "error-merge-already",
            },
            other => other.into(),
        })
}

/// Everything Elkarlan holds about a person, for their right of access (GDPR art. 15). The
/// sections are those of the printable copy, in the same order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectAccessExport {
    pub generated_at: String,
    #[schema(value_type = Object)]
    pub person: serde_json::Value,
    /// Duplicate records merged into this one.
    #[schema(value_type = Vec<Object>)]
    pub merged_records: serde_json::Value,
    /// Rectifications of the record, with the values before and after.
    #[schema(value_type = Vec<Object>)]
    pub history: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub consents: serde_json::Value,
    /// Each case with its team, emergency accesses, referrals, assessments, plan, notes
    /// (clinical ones included) and the minutes of the meetings that reviewed it.
    #[schema(value_type = Vec<Object>)]
    pub cases: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub employment_profiles: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub itineraries: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub enrolments: serde_json::Value,
    /// Placements with their employer.
    #[schema(value_type = Vec<Object>)]
    pub placements: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub inbound_referrals: serde_json::Value,
    /// The person's subject access requests.
    #[schema(value_type = Vec<Object>)]
    pub requests: serde_json::Value,
    /// Who read or changed the data, when and on what basis.
    #[schema(value_type = Vec<Object>)]
    pub access_log: serde_json::Value,
}

/// Everything held about a person, as the subject access right (GDPR art. 15) gives it.
#[derive(Clone, Debug)]
pub struct SubjectAccess {
    pub generated_at: Timestamp,
    pub records: elkarlan_store::subject_access::SubjectRecords,
    pub access_log: Vec<elkarlan_store::audit::AuditEvent>,
}

/// Entries of the access log a copy holds; older ones are in the trail, which the DPO reads.
const COPY_ACCESS_LOG: i64 = 5000;

/// Gathers the copy and audits it as one read of the person, naming the request it answers.
async fn produce_copy(
    state: &AppState,
    grant: &Grant,
    meta: &RequestMeta,
    id: PersonId,
    request: uuid::Uuid,
) -> Result<SubjectAccess, ServiceError> {
    let tenant = grant.tenant();
    let records = elkarlan_store::subject_access::gather(&state.store, tenant, id).await?;
    let mut access_log = Vec::new();
    for subject in std::iter::once(id).chain(records.merged_records.iter().map(|m| m.id)) {
        // The person's copy lists who read or changed their data; refused attempts are for
        // the DPO's access log only.
        let filter = elkarlan_store::audit::AuditFilter {
            subject_id: subject.to_string(),
            allowed_only: true,
            ..Default::default()
        };
        access_log.extend(
            elkarlan_store::audit::list(&state.store, tenant, &filter, COPY_ACCESS_LOG).await?,
        );
    }
    audit_person_read(
        state,
        grant,
        "subject_access_export",
        id,
        meta,
        serde_json::json!({"request": request}),
    )
    .await?;
    Ok(SubjectAccess {
        generated_at: Timestamp::now(),
        records,
        access_log,
    })
}

/// The register of subject access requests, for the DPO.
pub async fn subject_access_requests(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<SubjectAccessRequest>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ManageSubjectAccessRequests,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let list = elkarlan_store::subject_access::requests(&state.store, actor.tenant).await?;
    audit_read(
        state,
        &grant,
        "subject_access_request",
        None,
        meta,
        serde_json::json!({"listed": list.len()}),
    )
    .await?;
    Ok(list)
}

/// Registers a request: who asked, how their identity was checked, when (the deadline follows).
pub async fn register_subject_access_request(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &RequestInput,
) -> Result<uuid::Uuid, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ManageSubjectAccessRequests,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let today = Timestamp::now().to_datetime().date_naive();
    let draft = input.parse(today).map_err(ServiceError::Invalid)?;
    match elkarlan_store::subject_access::register(&state.store, &grant, meta, &draft).await {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound) => {
            let mut e = FieldErrors::new();
            e.add("person", "error-sar-person");
            Err(ServiceError::Invalid(e))
        }
        Err(e) => Err(e.into()),
    }
}

/// Starts or refuses a request. Completion comes only from producing the copy.
pub async fn move_subject_access_request(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: uuid::Uuid,
    version: i64,
    status: &str,
) -> Result<SubjectAccessRequest, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ManageSubjectAccessRequests,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut e = FieldErrors::new();
    let Some(to) = e.take("status", RequestStatus::parse(status)) else {
        return Err(ServiceError::Invalid(e));
    };
    if to == RequestStatus::Completed {
        e.add("status", "error-sar-complete-by-copy");
        return Err(ServiceError::Invalid(e));
    }
    elkarlan_store::subject_access::set_status(&state.store, &grant, meta, id, version, to)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict {
                field: "status",
                key: "error-sar-status-move",
            },
            other => other.into(),
        })
}

/// The copy that answers a request: produced only while the request is in progress (which
/// completes it) or once completed (the other format, a reprint), each time audited with the
/// request's id. A request received but not started, or refused, gives no copy.
pub async fn subject_access_for_request(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    request: uuid::Uuid,
) -> Result<(SubjectAccessRequest, SubjectAccess), ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ExportSubjectAccess,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let req = elkarlan_store::subject_access::request(&state.store, actor.tenant, request).await?;
    if !matches!(
        req.status,
        RequestStatus::InProgress | RequestStatus::Completed
    ) {
        return Err(ServiceError::Conflict {
            field: "status",
            key: "error-sar-not-in-progress",
        });
    }
    let copy = produce_copy(state, &grant, meta, req.person_id, req.id).await?;
    let req = if req.status == RequestStatus::InProgress {
        elkarlan_store::subject_access::set_status(
            &state.store,
            &grant,
            meta,
            req.id,
            req.version,
            RequestStatus::Completed,
        )
        .await?
    } else {
        req
    };
    Ok((req, copy))
}

/// The copy's sections as JSON values.
pub fn subject_access_json(a: &SubjectAccess) -> SubjectAccessExport {
    fn v<T: Serialize>(x: &T) -> serde_json::Value {
        serde_json::to_value(x).unwrap_or_default()
    }
    let r = &a.records;
    let log: Vec<serde_json::Value> = a
        .access_log
        .iter()
        .map(|e| serde_json::json!({"at": e.at.iso(), "who": e.actor_name, "role": e.actor_role, "action": e.action, "basis": e.basis, "outcome": e.outcome}))
        .collect();
    SubjectAccessExport {
        generated_at: a.generated_at.iso(),
        person: v(&r.person),
        merged_records: v(&r.merged_records),
        history: v(&r.history),
        consents: v(&r.consents),
        cases: v(&r.cases),
        employment_profiles: v(&r.employment_profiles),
        itineraries: v(&r.itineraries),
        enrolments: v(&r.enrolments),
        placements: v(&r.placements),
        inbound_referrals: v(&r.inbound_referrals),
        requests: v(&r.requests),
        access_log: serde_json::Value::Array(log),
    }
}
