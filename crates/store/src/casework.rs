//! Casework inside a case: needs assessments by life domain, the joint plan (goals and actions
//! per agency), notes with a confidentiality level, and coordination meetings whose agreed
//! actions become plan actions.

use crate::audit::{NewEvent, RequestMeta};
use crate::cases::Case;
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::inclusion::case::Severity;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AgencyId, CaseId, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

async fn audit(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    entity: &'static str,
    id: Uuid,
    case: &Case,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), meta)
        .with_subject(case.person_id.to_string())
        .with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Assessment {
    pub id: Uuid,
    pub instrument_version: i64,
    pub assessed_by: UserId,
    pub assessed_agency: AgencyId,
    pub assessed_at: Timestamp,
    pub summary: String,
    pub domains: Vec<(String, String)>,
}

/// An assessment as recorded: who, with which instrument version, one severity per domain.
#[derive(Clone, Debug)]
pub struct NewAssessment {
    pub by: UserId,
    pub agency: AgencyId,
    pub version: i64,
    pub summary: String,
    pub domains: Vec<(String, Severity)>,
}

/// Records an assessment: one severity per life domain of the instrument version used.
pub async fn record_assessment(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    a: &NewAssessment,
) -> Result<Uuid> {
    let NewAssessment {
        by,
        agency,
        version,
        summary,
        domains,
    } = a;
    let (version, summary) = (*version, summary.as_str());
    let by = (*by, *agency);
    let id = Uuid::now_v7();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO assessments (id, tenant_id, case_id, instrument_version, assessed_by, assessed_agency, assessed_at, summary) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
        .bind(id).bind(grant.tenant().0).bind(case.id.0).bind(version).bind(by.0.0).bind(by.1.0).bind(Timestamp::now().micros()).bind(summary)
        .execute(c).await.map(|r| r.rows_affected()))?;
    for (domain, severity) in domains {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO assessment_domains (assessment_id, domain, severity) VALUES ($1,$2,$3)")
            .bind(id).bind(domain).bind(severity.code()).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let detail = serde_json::json!({"instrument_version": version, "domains": domains.iter().map(|(d, s)| (d.clone(), s.code())).collect::<std::collections::BTreeMap<_, _>>()});
    audit(&mut tx, grant, meta, "assessment", id, case, detail).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn assessments(store: &Store, case: CaseId) -> Result<Vec<Assessment>> {
    let heads: Vec<Assessment> = on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, instrument_version, assessed_by, assessed_agency, assessed_at, summary FROM assessments WHERE case_id = $1 ORDER BY assessed_at DESC")
            .bind(case.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(Assessment {
            id: r.try_get(0)?,
            instrument_version: r.try_get(1)?,
            assessed_by: UserId(r.try_get(2)?),
            assessed_agency: AgencyId(r.try_get(3)?),
            assessed_at: Timestamp::from_micros(r.try_get(4)?),
            summary: r.try_get(5)?,
            domains: Vec::new(),
        })).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for mut a in heads {
        a.domains = on_pool!(store, p => sqlx::query("SELECT domain, severity FROM assessment_domains WHERE assessment_id = $1 ORDER BY domain")
            .bind(a.id).fetch_all(p).await?.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect());
        out.push(a);
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Goal {
    pub id: Uuid,
    pub domain: String,
    pub description: String,
    pub status: String,
    pub created_at: Timestamp,
    pub version: i64,
    pub created_by: UserId,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PlanAction {
    pub id: Uuid,
    pub goal_id: Option<Uuid>,
    pub meeting_id: Option<Uuid>,
    pub agency_id: AgencyId,
    pub user_id: Option<UserId>,
    pub description: String,
    pub due_on: Option<String>,
    pub status: String,
    pub updated_at: Timestamp,
    pub version: i64,
}

pub async fn add_goal(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    by: UserId,
    domain: &str,
    description: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO plan_goals (id, tenant_id, case_id, domain, description, status, created_by, created_at, version) VALUES ($1,$2,$3,$4,$5,'open',$6,$7,1)")
        .bind(id).bind(grant.tenant().0).bind(case.id.0).bind(domain).bind(description).bind(by.0).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(
        &mut tx,
        grant,
        meta,
        "plan_goal",
        id,
        case,
        // Free text stays out of the append-only trail, so retention can erase it.
        serde_json::json!({"domain": domain, "length": description.chars().count()}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A plan action as it is added (from the plan, or agreed in a meeting).
#[derive(Clone, Debug)]
pub struct NewAction {
    pub goal_id: Option<Uuid>,
    pub agency_id: AgencyId,
    pub user_id: Option<UserId>,
    pub description: String,
    pub due_on: Option<String>,
}

async fn insert_action(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    meeting: Option<Uuid>,
    a: &NewAction,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO plan_actions (id, tenant_id, case_id, goal_id, meeting_id, agency_id, user_id, description, due_on, status, created_at, updated_at, version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'pending',$10,$10,1)")
        .bind(id).bind(grant.tenant().0).bind(case.id.0).bind(a.goal_id).bind(meeting).bind(a.agency_id.0).bind(a.user_id.map(|u| u.0))
        .bind(&a.description).bind(&a.due_on).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(
        tx,
        grant,
        meta,
        "plan_action",
        id,
        case,
        serde_json::json!({"agency": a.agency_id, "due_on": a.due_on, "meeting": meeting}),
    )
    .await?;
    Ok(id)
}

pub async fn add_action(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    a: &NewAction,
) -> Result<Uuid> {
    let mut tx = store.begin_write().await?;
    if let Some(goal) = a.goal_id {
        let n: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COUNT(*) FROM plan_goals WHERE id = $1 AND case_id = $2").bind(goal).bind(case.id.0).fetch_one(c).await?.get(0));
        if n == 0 {
            return Err(StoreError::NotFound);
        }
    }
    let id = insert_action(&mut tx, grant, meta, case, None, a).await?;
    tx.commit().await?;
    Ok(id)
}

/// Moves an action to `status` if it is still at `version`.
pub async fn set_action_status(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    action: Uuid,
    version: i64,
    status: &str,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE plan_actions SET status = $4, updated_at = $5, version = version + 1 WHERE id = $1 AND case_id = $2 AND version = $3")
        .bind(action).bind(case.id.0).bind(version).bind(status).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(
        &mut tx,
        grant,
        meta,
        "plan_action",
        action,
        case,
        serde_json::json!({"status": status}),
    )
    .await?;
    tx.commit().await
}

pub async fn plan(store: &Store, case: CaseId) -> Result<(Vec<Goal>, Vec<PlanAction>)> {
    on_pool!(store, p => {
        let goals = sqlx::query("SELECT id, domain, description, status, created_at, version, created_by FROM plan_goals WHERE case_id = $1 ORDER BY created_at")
            .bind(case.0).fetch_all(p).await?.iter().map(|r| Ok(Goal {
                id: r.try_get(0)?, domain: r.try_get(1)?, description: r.try_get(2)?, status: r.try_get(3)?,
                created_at: Timestamp::from_micros(r.try_get(4)?), version: r.try_get(5)?, created_by: UserId(r.try_get(6)?),
            })).collect::<Result<Vec<_>, sqlx::Error>>()?;
        let actions = sqlx::query("SELECT id, goal_id, meeting_id, agency_id, user_id, description, due_on, status, updated_at, version FROM plan_actions WHERE case_id = $1 ORDER BY created_at")
            .bind(case.0).fetch_all(p).await?.iter().map(|r| Ok(PlanAction {
                id: r.try_get(0)?, goal_id: r.try_get(1)?, meeting_id: r.try_get(2)?, agency_id: AgencyId(r.try_get(3)?),
                user_id: r.try_get::<Option<Uuid>, _>(4)?.map(UserId), description: r.try_get(5)?, due_on: r.try_get(6)?, status: r.try_get(7)?,
                updated_at: Timestamp::from_micros(r.try_get(8)?), version: r.try_get(9)?,
            })).collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok((goals, actions))
    })
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Note {
    pub id: Uuid,
    pub author_id: UserId,
    pub author_agency: AgencyId,
    pub confidentiality: String,
    pub clinical: bool,
    pub body: String,
    pub created_at: Timestamp,
}

/// A note as written. `confidentiality`: `team`, `agency` or `author`.
#[derive(Clone, Debug)]
pub struct NewNote {
    pub author: UserId,
    pub agency: AgencyId,
    pub confidentiality: &'static str,
    pub clinical: bool,
    pub body: String,
}

pub async fn add_note(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    n: &NewNote,
) -> Result<Uuid> {
    let (author, confidentiality, clinical, body) = (
        (n.author, n.agency),
        n.confidentiality,
        n.clinical,
        n.body.as_str(),
    );
    let id = Uuid::now_v7();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO case_notes (id, tenant_id, case_id, author_id, author_agency, confidentiality, clinical, body, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
        .bind(id).bind(grant.tenant().0).bind(case.id.0).bind(author.0.0).bind(author.1.0).bind(confidentiality).bind(clinical).bind(body).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    // The note's text is not copied into the audit trail: only that it was written, and its level.
    audit(&mut tx, grant, meta, "case_note", id, case, serde_json::json!({"confidentiality": confidentiality, "clinical": clinical, "length": body.chars().count()})).await?;
    tx.commit().await?;
    Ok(id)
}

/// All notes of a case; the caller filters by what the reader may see.
pub async fn notes(store: &Store, case: CaseId) -> Result<Vec<Note>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, author_id, author_agency, confidentiality, clinical, body, created_at FROM case_notes WHERE case_id = $1 ORDER BY created_at DESC")
            .bind(case.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(Note {
            id: r.try_get(0)?, author_id: UserId(r.try_get(1)?), author_agency: AgencyId(r.try_get(2)?), confidentiality: r.try_get(3)?,
            clinical: r.try_get(4)?, body: r.try_get(5)?, created_at: Timestamp::from_micros(r.try_get(6)?),
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// A coordination meeting, with the agencies present, the cases reviewed and the actions agreed.
#[derive(Clone, Debug)]
pub struct NewMeeting {
    pub held_on: String,
    pub minutes: String,
    pub agencies: Vec<AgencyId>,
    pub cases: Vec<Case>,
    /// (index into `cases`, action) for each agreed action.
    pub actions: Vec<(usize, NewAction)>,
}

pub async fn record_meeting(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    by: UserId,
    m: &NewMeeting,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO meetings (id, tenant_id, held_on, minutes, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
        .bind(id).bind(grant.tenant().0).bind(&m.held_on).bind(&m.minutes).bind(by.0).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    for a in &m.agencies {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO meeting_agencies (meeting_id, agency_id) VALUES ($1,$2)").bind(id).bind(a.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for case in &m.cases {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO meeting_cases (meeting_id, case_id) VALUES ($1,$2)").bind(id).bind(case.id.0).execute(c).await.map(|r| r.rows_affected()))?;
        audit(
            &mut tx,
            grant,
            meta,
            "meeting",
            id,
            case,
            serde_json::json!({"held_on": m.held_on, "agencies": m.agencies}),
        )
        .await?;
    }
    for (i, action) in &m.actions {
        let case = m.cases.get(*i).ok_or(StoreError::NotFound)?;
        insert_action(&mut tx, grant, meta, case, Some(id), action).await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Meeting {
    pub id: Uuid,
    pub held_on: String,
    pub minutes: String,
    pub agencies: Vec<AgencyId>,
}

/// Meetings that reviewed a case.
pub async fn meetings_for_case(
    store: &Store,
    tenant: TenantId,
    case: CaseId,
) -> Result<Vec<Meeting>> {
    let rows: Vec<(Uuid, String, String)> = on_pool!(store, p => sqlx::query(
        "SELECT m.id, m.held_on, m.minutes FROM meetings m JOIN meeting_cases mc ON mc.meeting_id = m.id WHERE m.tenant_id = $1 AND mc.case_id = $2 ORDER BY m.held_on DESC")
        .bind(tenant.0).bind(case.0).fetch_all(p).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect());
    let mut out = Vec::new();
    for (id, held_on, minutes) in rows {
        let agencies = on_pool!(store, p => sqlx::query("SELECT agency_id FROM meeting_agencies WHERE meeting_id = $1").bind(id).fetch_all(p).await?
            .iter().map(|r| AgencyId(r.get(0))).collect());
        out.push(Meeting {
            id,
            held_on,
            minutes,
            agencies,
        });
    }
    Ok(out)
}
