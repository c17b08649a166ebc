//! The subject access copy (GDPR art. 15): every record the council holds about one person,
//! gathered in one place so that a new table about people has one obvious home here (the
//! completeness test walks the schema and fails when a table about a person is left out).

use crate::audit::{NewEvent, RequestMeta};
use crate::cases::{BreakGlassAccess, Case};
use crate::casework::{Assessment, Goal, Meeting, Note, PlanAction};
use crate::consents::Consent;
use crate::itineraries::{Enrolment, Itinerary, Placement};
use crate::people::Person;
use crate::referrals::Referral;
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::inclusion::subject_access::{
    IdentityCheck, RequestDraft, RequestStatus, RequesterRelation,
};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AgencyId, CaseId, PersonId, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

/// A record merged into the person (a duplicate): what is left of it, and since when.
#[derive(Clone, Debug, Serialize)]
pub struct MergedRecord {
    pub id: PersonId,
    pub given_name: String,
    pub surname1: String,
    pub surname2: Option<String>,
    pub birth_date: String,
    pub merged_at: Timestamp,
}

/// One rectification of the person's record, with the values before and after.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryRecord {
    pub id: Uuid,
    pub person_id: PersonId,
    pub at: Timestamp,
    pub actor_name: String,
    pub action: String,
    pub change: serde_json::Value,
}

/// A team membership, past or present.
#[derive(Clone, Debug, Serialize)]
pub struct TeamRecord {
    pub case_id: CaseId,
    pub agency_id: AgencyId,
    pub user_id: Option<UserId>,
    pub joined_at: Timestamp,
    pub left_at: Option<Timestamp>,
}

/// A case with everything recorded on it, clinical notes and meeting minutes included.
#[derive(Clone, Debug, Serialize)]
pub struct CaseRecord {
    pub case: Case,
    pub team: Vec<TeamRecord>,
    pub break_glass: Vec<BreakGlassAccess>,
    pub referrals: Vec<Referral>,
    pub assessments: Vec<Assessment>,
    pub goals: Vec<Goal>,
    pub actions: Vec<PlanAction>,
    pub notes: Vec<Note>,
    pub meetings: Vec<Meeting>,
}

/// The employment service's profile of the person.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileRecord {
    pub person_id: PersonId,
    pub unemployed_since: Option<String>,
    pub income_guarantee: Option<bool>,
    pub disability_percent: Option<i64>,
    pub isced: Option<i64>,
    pub updated_at: Timestamp,
}

/// One attendance mark of an enrolment.
#[derive(Clone, Debug, Serialize)]
pub struct AttendanceRecord {
    pub enrolment_id: Uuid,
    pub session_id: Uuid,
    pub session_number: i64,
    pub held_on: String,
    pub mark: String,
    pub recorded_by: UserId,
}

/// An enrolment with the course's title and every attendance mark.
#[derive(Clone, Debug, Serialize)]
pub struct EnrolmentRecord {
    pub enrolment: Enrolment,
    pub course_eu: String,
    pub course_es: String,
    pub attendance: Vec<AttendanceRecord>,
}

/// A placement with its employer as the directory names it.
#[derive(Clone, Debug, Serialize)]
pub struct PlacementRecord {
    pub placement: Placement,
    pub employer_organisation_name: Option<String>,
}

/// A referral received from another office's list (for example Lanbide's).
#[derive(Clone, Debug, Serialize)]
pub struct InboundRecord {
    pub id: Uuid,
    pub person_id: PersonId,
    pub programme_id: Uuid,
    pub import_id: Uuid,
    pub reference: String,
    pub referred_on: String,
    pub notes: Option<String>,
}

/// Everything held about a person.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectRecords {
    pub person: Person,
    pub merged_records: Vec<MergedRecord>,
    pub history: Vec<HistoryRecord>,
    pub consents: Vec<Consent>,
    pub cases: Vec<CaseRecord>,
    pub employment_profiles: Vec<ProfileRecord>,
    pub itineraries: Vec<Itinerary>,
    pub enrolments: Vec<EnrolmentRecord>,
    pub placements: Vec<PlacementRecord>,
    pub inbound_referrals: Vec<InboundRecord>,
    /// The person's own subject access requests.
    pub requests: Vec<SubjectAccessRequest>,
}

/// The ids a person's records may sit under: the person's own and those of the duplicates
/// merged into it (a merge moves cases, consents and referrals, and leaves the rest).
async fn merged(store: &Store, tenant: TenantId, person: PersonId) -> Result<Vec<MergedRecord>> {
    let mut out: Vec<MergedRecord> = Vec::new();
    let mut frontier = vec![person];
    while let Some(into) = frontier.pop() {
        let found: Vec<MergedRecord> = on_pool!(store, p => {
            let rows = sqlx::query("SELECT id, given_name, surname1, surname2, birth_date, updated_at FROM people WHERE tenant_id = $1 AND merged_into = $2 ORDER BY id")
                .bind(tenant.0).bind(into.0).fetch_all(p).await?;
            rows.iter().map(|r| Ok(MergedRecord {
                id: PersonId(r.try_get(0)?),
                given_name: r.try_get(1)?,
                surname1: r.try_get(2)?,
                surname2: r.try_get(3)?,
                birth_date: r.try_get(4)?,
                merged_at: Timestamp::from_micros(r.try_get(5)?),
            })).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        for m in found {
            // A merge cycle cannot be written, but a copy must never loop.
            if m.id != person && !out.iter().any(|x| x.id == m.id) {
                frontier.push(m.id);
                out.push(m);
            }
        }
    }
    Ok(out)
}

async fn case_records(store: &Store, tenant: TenantId, case: Case) -> Result<CaseRecord> {
    let team = on_pool!(store, p => {
        let rows = sqlx::query("SELECT case_id, agency_id, user_id, joined_at, left_at FROM case_team WHERE case_id = $1 ORDER BY joined_at")
            .bind(case.id.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(TeamRecord {
            case_id: CaseId(r.try_get(0)?),
            agency_id: AgencyId(r.try_get(1)?),
            user_id: r.try_get::<Option<Uuid>, _>(2)?.map(UserId),
            joined_at: Timestamp::from_micros(r.try_get(3)?),
            left_at: r.try_get::<Option<i64>, _>(4)?.map(Timestamp::from_micros),
        })).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let break_glass = on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, case_id, user_id, reason, opened_at, expires_at, reviewed_at, review_outcome, status FROM break_glass
             WHERE tenant_id = $1 AND case_id = $2 ORDER BY opened_at")
            .bind(tenant.0).bind(case.id.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(BreakGlassAccess {
            id: elkarlan_domain::BreakGlassId(r.try_get(0)?),
            case_id: CaseId(r.try_get(1)?),
            user_id: UserId(r.try_get(2)?),
            reason: r.try_get(3)?,
            opened_at: Timestamp::from_micros(r.try_get(4)?),
            expires_at: Timestamp::from_micros(r.try_get(5)?),
            reviewed_at: r.try_get::<Option<i64>, _>(6)?.map(Timestamp::from_micros),
            review_outcome: r.try_get(7)?,
            status: r.try_get(8)?,
        })).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let referrals = crate::referrals::for_case(store, tenant, case.id).await?;
    let assessments = crate::casework::assessments(store, case.id).await?;
    let (goals, actions) = crate::casework::plan(store, case.id).await?;
    let notes = crate::casework::notes(store, case.id).await?;
    let meetings = crate::casework::meetings_for_case(store, tenant, case.id).await?;
    Ok(CaseRecord {
        case,
        team,
        break_glass,
        referrals,
        assessments,
        goals,
        actions,
        notes,
        meetings,
    })
}

async fn employment(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
    out: &mut SubjectRecords,
) -> Result<()> {
    let profile = on_pool!(store, p => {
        let r = sqlx::query("SELECT person_id, unemployed_since, income_guarantee, disability_percent, isced, updated_at FROM employment_profiles WHERE tenant_id = $1 AND person_id = $2")
            .bind(tenant.0).bind(person.0).fetch_optional(p).await?;
        r.map(|r| Ok::<_, sqlx::Error>(ProfileRecord {
            person_id: PersonId(r.try_get(0)?),
            unemployed_since: r.try_get(1)?,
            income_guarantee: r.try_get::<Option<i64>, _>(2)?.map(|v| v != 0),
            disability_percent: r.try_get(3)?,
            isced: r.try_get(4)?,
            updated_at: Timestamp::from_micros(r.try_get(5)?),
        })).transpose()?
    });
    out.employment_profiles.extend(profile);
    out.itineraries
        .extend(crate::itineraries::itineraries_of(store, tenant, person).await?);
    for e in crate::itineraries::enrolments_of_person(store, tenant, person).await? {
        let (course_eu, course_es): (String, String) = on_pool!(store, p => {
            let r = sqlx::query("SELECT title_eu, title_es FROM training_actions WHERE id = $1")
                .bind(e.action_id.0).fetch_one(p).await?;
            (r.try_get(0)?, r.try_get(1)?)
        });
        let attendance = on_pool!(store, p => {
            let rows = sqlx::query("SELECT a.enrolment_id, a.session_id, s.number, s.held_on, a.mark, a.recorded_by FROM attendance a
                 JOIN training_sessions s ON s.id = a.session_id WHERE a.enrolment_id = $1 ORDER BY s.number")
                .bind(e.id.0).fetch_all(p).await?;
            rows.iter().map(|r| Ok(AttendanceRecord {
                enrolment_id: r.try_get(0)?,
                session_id: r.try_get(1)?,
                session_number: r.try_get(2)?,
                held_on: r.try_get(3)?,
                mark: r.try_get(4)?,
                recorded_by: UserId(r.try_get(5)?),
            })).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        out.enrolments.push(EnrolmentRecord {
            enrolment: e,
            course_eu,
            course_es,
            attendance,
        });
    }
    for placement in crate::itineraries::placements_of(store, tenant, person).await? {
        let employer_organisation_name = match placement.employer_organisation {
            Some(org) => on_pool!(store, p => {
                let r = sqlx::query("SELECT name FROM organisations WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.0).bind(org.0).fetch_optional(p).await?;
                r.map(|r| r.try_get::<String, _>(0)).transpose()?
            }),
            None => None,
        };
        out.placements.push(PlacementRecord {
            placement,
            employer_organisation_name,
        });
    }
    let inbound = on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, person_id, programme_id, import_id, reference, referred_on, notes FROM inbound_referrals
             WHERE tenant_id = $1 AND person_id = $2 ORDER BY referred_on")
            .bind(tenant.0).bind(person.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(InboundRecord {
            id: r.try_get(0)?,
            person_id: PersonId(r.try_get(1)?),
            programme_id: r.try_get(2)?,
            import_id: r.try_get(3)?,
            reference: r.try_get(4)?,
            referred_on: r.try_get(5)?,
            notes: r.try_get(6)?,
        })).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    out.inbound_referrals.extend(inbound);
    Ok(())
}

/// Everything held about a person and the duplicates merged into them, clinical notes
/// included: the copy is the person's, not a professional's view. Reading is the caller's
/// audited act (the service audits it with the request it answers).
pub async fn gather(store: &Store, tenant: TenantId, person: PersonId) -> Result<SubjectRecords> {
    let record = crate::people::get(store, tenant, person).await?;
    let merged_records = merged(store, tenant, person).await?;
    let ids: Vec<PersonId> = std::iter::once(person)
        .chain(merged_records.iter().map(|m| m.id))
        .collect();
    let mut out = SubjectRecords {
        person: record,
        merged_records,
        history: Vec::new(),
        consents: Vec::new(),
        cases: Vec::new(),
        employment_profiles: Vec::new(),
        itineraries: Vec::new(),
        enrolments: Vec::new(),
        placements: Vec::new(),
        inbound_referrals: Vec::new(),
        requests: Vec::new(),
    };
    for id in ids {
        let history = on_pool!(store, p => {
            let rows = sqlx::query("SELECT id, person_id, at, actor_name, action, change FROM person_history WHERE tenant_id = $1 AND person_id = $2 ORDER BY at, id")
                .bind(tenant.0).bind(id.0).fetch_all(p).await?;
            rows.iter().map(|r| {
                let change: String = r.try_get(5)?;
                Ok(HistoryRecord {
                    id: r.try_get(0)?,
                    person_id: PersonId(r.try_get(1)?),
                    at: Timestamp::from_micros(r.try_get(2)?),
                    actor_name: r.try_get(3)?,
                    action: r.try_get(4)?,
                    change: serde_json::from_str(&change).unwrap_or(serde_json::Value::String(change)),
                })
            }).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        out.history.extend(history);
        out.consents
            .extend(crate::consents::for_person(store, tenant, id).await?);
        for case in crate::cases::all_for_person(store, tenant, id).await? {
            out.cases.push(case_records(store, tenant, case).await?);
        }
        employment(store, tenant, id, &mut out).await?;
        out.requests
            .extend(requests_where(store, tenant, Some(id), None).await?);
    }
    Ok(out)
}

// The register of subject access requests -------------------------------------------------------

/// A request for a person's copy, as registered by the DPO.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SubjectAccessRequest {
    pub id: Uuid,
    pub person_id: PersonId,
    pub requester: String,
    pub relation: RequesterRelation,
    pub identity_check: IdentityCheck,
    pub received_on: String,
    pub deadline_on: String,
    pub status: RequestStatus,
    pub registered_by: UserId,
    pub registered_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

impl SubjectAccessRequest {
    /// Still open on a day after its deadline.
    pub fn overdue(&self, today: &str) -> bool {
        self.status.is_open() && today > self.deadline_on.as_str()
    }
}

fn decode<T>(r: std::result::Result<T, &'static str>) -> std::result::Result<T, sqlx::Error> {
    r.map_err(|e| sqlx::Error::Decode(e.into()))
}

async fn requests_where(
    store: &Store,
    tenant: TenantId,
    person: Option<PersonId>,
    id: Option<Uuid>,
) -> Result<Vec<SubjectAccessRequest>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, person_id, requester, relation, identity_check, received_on, deadline_on, status, registered_by, registered_at, closed_at, version
             FROM subject_access_requests WHERE tenant_id = $1 AND ($2 IS NULL OR person_id = $2) AND ($3 IS NULL OR id = $3)
             ORDER BY CASE WHEN status IN ('received', 'in_progress') THEN 0 ELSE 1 END, deadline_on, registered_at")
            .bind(tenant.0).bind(person.map(|p| p.0)).bind(id).fetch_all(p).await?;
        rows.iter().map(|r| {
            let relation: String = r.try_get(3)?;
            let check: String = r.try_get(4)?;
            let status: String = r.try_get(7)?;
            Ok(SubjectAccessRequest {
                id: r.try_get(0)?,
                person_id: PersonId(r.try_get(1)?),
                requester: r.try_get(2)?,
                relation: decode(RequesterRelation::parse(&relation))?,
                identity_check: decode(IdentityCheck::parse(&check))?,
                received_on: r.try_get(5)?,
                deadline_on: r.try_get(6)?,
                status: decode(RequestStatus::parse(&status))?,
                registered_by: UserId(r.try_get(8)?),
                registered_at: Timestamp::from_micros(r.try_get(9)?),
                closed_at: r.try_get::<Option<i64>, _>(10)?.map(Timestamp::from_micros),
                version: r.try_get(11)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Every request of the tenant: open ones first, nearest deadline first.
pub async fn requests(store: &Store, tenant: TenantId) -> Result<Vec<SubjectAccessRequest>> {
    requests_where(store, tenant, None, None).await
}

pub async fn request(store: &Store, tenant: TenantId, id: Uuid) -> Result<SubjectAccessRequest> {
    requests_where(store, tenant, None, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Registers a request about a person of the tenant (unknown people are `NotFound`). The
/// audit row names the person and the request, never the requester.
pub async fn register(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    draft: &RequestDraft,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = Timestamp::now();
    let by = grant.actor().ok_or(StoreError::NotFound)?;
    let mut tx = store.begin_write().await?;
    let known: i64 = on_tx!(&mut tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(draft.person.0).fetch_one(c).await)?;
    if known == 0 {
        return Err(StoreError::NotFound);
    }
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO subject_access_requests (id, tenant_id, person_id, requester, relation, identity_check, received_on, deadline_on, status, registered_by, registered_at, closed_at, version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'received',$9,$10,NULL,1)")
        .bind(id).bind(grant.tenant().0).bind(draft.person.0).bind(&draft.requester).bind(draft.relation.code())
        .bind(draft.identity_check.code()).bind(draft.received_on.to_string()).bind(draft.deadline_on.to_string())
        .bind(by.0).bind(now.micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "subject_access_request", Some(id.to_string()), meta)
        .with_subject(draft.person.to_string())
        .with_detail(serde_json::json!({
            "status": RequestStatus::Received.code(), "relation": draft.relation.code(),
            "identity_check": draft.identity_check.code(), "deadline_on": draft.deadline_on.to_string(),
        }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves a request to `to` if it is still at `version` and `from` allows it; `Conflict` when
/// the move is not allowed, `Stale` when someone moved it first.
pub async fn set_status(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: Uuid,
    version: i64,
    to: RequestStatus,
) -> Result<SubjectAccessRequest> {
    let current = request(store, grant.tenant(), id).await?;
    if current.version != version {
        return Err(StoreError::Stale);
    }
    let allowed = current.status.may_become(to)
        || (current.status == RequestStatus::InProgress && to == RequestStatus::Completed);
    if !allowed {
        return Err(StoreError::Conflict("status"));
    }
    let now = Timestamp::now();
    let closed = (!to.is_open()).then_some(now.micros());
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE subject_access_requests SET status = $3, closed_at = $4, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $5")
        .bind(grant.tenant().0).bind(id).bind(to.code()).bind(closed).bind(version)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let ev = NewEvent::from_grant(grant, "subject_access_request", Some(id.to_string()), meta)
        .with_subject(current.person_id.to_string())
        .with_detail(serde_json::json!({"status": to.code(), "from": current.status.code()}));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    request(store, grant.tenant(), id).await
}
