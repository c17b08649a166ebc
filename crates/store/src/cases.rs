//! Shared cases: the lead professional, the team of agencies and professionals, the status, and
//! how a given professional stands towards a person (the relationship the policy decides on).

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::inclusion::case::{CaseStatus, ClosureReason};
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::{Actor, Grant, Relationship};
use elkarlan_domain::{AgencyId, CaseId, PersonId, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub person_id: PersonId,
    pub lead_user_id: UserId,
    pub lead_agency_id: AgencyId,
    pub lead_system: PublicSystem,
    pub status: CaseStatus,
    pub closure_reason: Option<String>,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TeamMember {
    pub agency_id: AgencyId,
    pub user_id: Option<UserId>,
    pub joined_at: Timestamp,
}

macro_rules! case_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        let system: String = $r.try_get("lead_system")?;
        Case {
            id: CaseId($r.try_get("id")?),
            person_id: PersonId($r.try_get("person_id")?),
            lead_user_id: UserId($r.try_get("lead_user_id")?),
            lead_agency_id: AgencyId($r.try_get("lead_agency_id")?),
            lead_system: PublicSystem::parse(&system)
                .map_err(|_| sqlx::Error::Decode(format!("system {system}").into()))?,
            status: CaseStatus::parse(&status)
                .map_err(|_| sqlx::Error::Decode(format!("status {status}").into()))?,
            closure_reason: $r.try_get("closure_reason")?,
            opened_at: Timestamp::from_micros($r.try_get("opened_at")?),
            closed_at: $r
                .try_get::<Option<i64>, _>("closed_at")?
                .map(Timestamp::from_micros),
            version: $r.try_get("version")?,
        }
    }};
}

macro_rules! select_cases {
    ($where:literal) => {
        concat!(
            "SELECT c.id, c.person_id, c.lead_user_id, c.lead_agency_id, a.system AS lead_system, c.status, c.closure_reason, c.opened_at, c.closed_at, c.version
             FROM cases c JOIN agencies a ON a.id = c.lead_agency_id ",
            $where
        )
    };
}

async fn event(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    case: CaseId,
    person: PersonId,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, "case", Some(case.to_string()), meta)
        .with_subject(person.to_string())
        .with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

/// Opens a case with its lead (and the lead's agency on the team). One open case per person.
pub async fn open(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    person: PersonId,
    lead: UserId,
    lead_agency: AgencyId,
) -> Result<CaseId> {
    let mut tx = store.begin_write().await?;
    let id = open_in(&mut tx, grant, meta, person, lead, lead_agency).await?;
    tx.commit().await?;
    Ok(id)
}

/// The same inside an open transaction (registering a person opens their case with it).
pub async fn open_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    person: PersonId,
    lead: UserId,
    lead_agency: AgencyId,
) -> Result<CaseId> {
    let existing: i64 = on_tx!(tx, c => sqlx::query("SELECT COUNT(*) FROM cases WHERE tenant_id = $1 AND person_id = $2 AND status <> 'closed'")
        .bind(grant.tenant().0).bind(person.0).fetch_one(c).await?.get(0));
    if existing > 0 {
        return Err(StoreError::Conflict("open case exists"));
    }
    let id = CaseId::new();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO cases (id, tenant_id, person_id, lead_user_id, lead_agency_id, status, closure_reason, opened_at, closed_at, version)
         VALUES ($1,$2,$3,$4,$5,'open',NULL,$6,NULL,1)")
        .bind(id.0).bind(grant.tenant().0).bind(person.0).bind(lead.0).bind(lead_agency.0).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("INSERT INTO case_team (case_id, agency_id, user_id, joined_at, left_at) VALUES ($1,$2,$3,$4,NULL)")
        .bind(id.0).bind(lead_agency.0).bind(lead.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    event(
        tx,
        grant,
        meta,
        id,
        person,
        serde_json::json!({"opened": true, "lead": lead, "lead_agency": lead_agency}),
    )
    .await?;
    Ok(id)
}

/// A case to open with [`open_many_in`]: the person, the lead and the lead's agency.
#[derive(Clone, Copy, Debug)]
pub struct NewCase {
    pub person: PersonId,
    pub lead: UserId,
    pub lead_agency: AgencyId,
}

/// Cases per multi-row statement in [`open_many_in`] (at most 4 parameters each): under two
/// hundred parameters per statement, as in `people::create_many_in`.
const CASES_PER_INSERT: usize = 40;

/// Opens many cases inside an open transaction: the same rows as [`open_in`] (the case, the
/// lead on the team, one audit row per case), written with multi-row statements, for loading
/// large synthetic populations where one statement per row is too slow. Refuses the whole
/// batch when any of the people already has a case that is not closed.
pub async fn open_many_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    new: &[NewCase],
) -> Result<Vec<CaseId>> {
    let tenant = grant.tenant();
    let now = Timestamp::now().micros();
    let ids: Vec<CaseId> = new.iter().map(|_| CaseId::new()).collect();
    for (start, chunk) in (0..)
        .step_by(CASES_PER_INSERT)
        .zip(new.chunks(CASES_PER_INSERT))
    {
        // Only placeholders are interpolated: the SQL text never contains input.
        let people: Vec<String> = (0..chunk.len()).map(|i| format!("${}", 2 + i)).collect();
        let sql = format!(
            "SELECT COUNT(*) FROM cases WHERE tenant_id = $1 AND status <> 'closed' AND person_id IN ({})",
            people.join(",")
        );
        let existing: i64 = on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0);
            for n in chunk {
                q = q.bind(n.person.0);
            }
            q.fetch_one(c).await?.get(0)
        });
        if existing > 0 {
            return Err(StoreError::Conflict("open case exists"));
        }
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = 3 + i * 4;
                format!(
                    "(${},$1,${},${},${},'open',NULL,$2,NULL,1)",
                    b,
                    b + 1,
                    b + 2,
                    b + 3
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO cases (id, tenant_id, person_id, lead_user_id, lead_agency_id, status, closure_reason, opened_at, closed_at, version)
             VALUES {}",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0).bind(now);
            for (i, n) in chunk.iter().enumerate() {
                q = q.bind(ids[start + i].0).bind(n.person.0).bind(n.lead.0).bind(n.lead_agency.0);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = 2 + i * 3;
                format!("(${},${},${},$1,NULL)", b, b + 1, b + 2)
            })
            .collect();
        let sql = format!(
            "INSERT INTO case_team (case_id, agency_id, user_id, joined_at, left_at) VALUES {}",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(now);
            for (i, n) in chunk.iter().enumerate() {
                q = q.bind(ids[start + i].0).bind(n.lead_agency.0).bind(n.lead.0);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let events: Vec<NewEvent> = new
        .iter()
        .zip(&ids)
        .map(|(n, id)| {
            NewEvent::from_grant(grant, "case", Some(id.to_string()), meta)
                .with_subject(n.person.to_string())
                .with_detail(serde_json::json!({"opened": true, "lead": n.lead, "lead_agency": n.lead_agency}))
        })
        .collect();
    crate::audit::append(tx, &events).await?;
    Ok(ids)
}

pub async fn get(store: &Store, tenant: TenantId, id: CaseId) -> Result<Case> {
    on_pool!(store, p => {
        let r = sqlx::query(select_cases!("WHERE c.tenant_id = $1 AND c.id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(case_from_row!(r))
    })
}

/// The person's current case: the open one, else the most recently opened.
pub async fn for_person(store: &Store, tenant: TenantId, person: PersonId) -> Result<Option<Case>> {
    on_pool!(store, p => {
        let r = sqlx::query(select_cases!("WHERE c.tenant_id = $1 AND c.person_id = $2 ORDER BY CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.opened_at DESC LIMIT 1"))
            .bind(tenant.0).bind(person.0).fetch_optional(p).await?;
        match r {
            Some(r) => Ok(Some(case_from_row!(r))),
            None => Ok(None),
        }
    })
}

/// Every case the person has had, oldest first (the subject access copy holds them all).
pub async fn all_for_person(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<Case>> {
    on_pool!(store, p => {
        let rows = sqlx::query(select_cases!("WHERE c.tenant_id = $1 AND c.person_id = $2 ORDER BY c.opened_at"))
            .bind(tenant.0).bind(person.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(case_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn team(store: &Store, case: CaseId) -> Result<Vec<TeamMember>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT agency_id, user_id, joined_at FROM case_team WHERE case_id = $1 AND left_at IS NULL ORDER BY joined_at")
            .bind(case.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(TeamMember {
            agency_id: AgencyId(r.try_get(0)?),
            user_id: r.try_get::<Option<uuid::Uuid>, _>(1)?.map(UserId),
            joined_at: Timestamp::from_micros(r.try_get(2)?),
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Adds an agency (and optionally a professional of it) to the team; already there is a no-op.
pub async fn add_to_team_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    agency: AgencyId,
    user: Option<UserId>,
) -> Result<()> {
    let present: i64 = on_tx!(tx, c => sqlx::query(
        "SELECT COUNT(*) FROM case_team WHERE case_id = $1 AND agency_id = $2 AND left_at IS NULL AND (($3 IS NULL AND user_id IS NULL) OR user_id = $3)")
        .bind(case.id.0).bind(agency.0).bind(user.map(|u| u.0)).fetch_one(c).await?.get(0));
    if present > 0 {
        return Ok(());
    }
    on_tx!(tx, c => sqlx::query("INSERT INTO case_team (case_id, agency_id, user_id, joined_at, left_at) VALUES ($1,$2,$3,$4,NULL)")
        .bind(case.id.0).bind(agency.0).bind(user.map(|u| u.0)).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    event(
        tx,
        grant,
        meta,
        case.id,
        case.person_id,
        serde_json::json!({"team_added": {"agency": agency, "user": user}}),
    )
    .await
}

/// Moves the case to `next` if the move is allowed and the case is still at `version`.
pub async fn set_status(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    version: i64,
    next: CaseStatus,
    reason: Option<ClosureReason>,
) -> Result<()> {
    if !case.status.can_become(next) {
        return Err(StoreError::Conflict("transition"));
    }
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE cases SET status = $4, closure_reason = $5, closed_at = $6, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(case.id.0).bind(version).bind(next.code()).bind(reason.map(ClosureReason::code))
        .bind(if next == CaseStatus::Closed { Some(now) } else { None })
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    event(&mut tx, grant, meta, case.id, case.person_id, serde_json::json!({"status": next.code(), "closure_reason": reason.map(ClosureReason::code)})).await?;
    tx.commit().await
}

/// How `actor` stands towards `case` right now.
pub async fn relationship(store: &Store, actor: &Actor, case: &Case) -> Result<Relationship> {
    if case.lead_user_id == actor.user {
        return Ok(Relationship::Lead);
    }
    let now = Timestamp::now().micros();
    let agency = actor.agency.map(|a| a.0);
    let (member, glass, referral, team_agency): (i64, i64, i64, i64) = on_pool!(store, p => {
        let r = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM case_team WHERE case_id = $1 AND user_id = $2 AND left_at IS NULL),
               (SELECT COUNT(*) FROM break_glass WHERE case_id = $1 AND user_id = $2 AND expires_at > $3 AND status IN ('opened','approved')),
               (SELECT COUNT(*) FROM referrals WHERE case_id = $1 AND to_agency = $4 AND status = 'sent' AND kind = 'referral'),
               (SELECT COUNT(*) FROM case_team WHERE case_id = $1 AND agency_id = $4 AND left_at IS NULL)")
            .bind(case.id.0).bind(actor.user.0).bind(now).bind(agency).fetch_one(p).await?;
        (r.get(0), r.get(1), r.get(2), r.get(3))
    });
    Ok(if member > 0 {
        Relationship::TeamMember
    } else if glass > 0 {
        Relationship::BreakGlass
    } else if referral > 0 {
        Relationship::ReferralRecipient
    } else if team_agency > 0 {
        Relationship::TeamAgency
    } else {
        Relationship::None
    })
}

/// The cases where `user` is lead or on the team, open first.
pub async fn caseload(
    store: &Store,
    tenant: TenantId,
    user: UserId,
    limit: i64,
) -> Result<Vec<Case>> {
    on_pool!(store, p => {
        let rows = sqlx::query(select_cases!(
            "WHERE c.tenant_id = $1 AND (c.lead_user_id = $2 OR EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id AND t.user_id = $2 AND t.left_at IS NULL))
             ORDER BY CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END, c.opened_at DESC LIMIT $3"))
            .bind(tenant.0).bind(user.0).bind(limit.clamp(1, 500)).fetch_all(p).await?;
        rows.iter().map(|r| Ok(case_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// What became of a request for emergency access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakGlassOpening {
    /// Within the professional's daily limit: in force now.
    Opened(elkarlan_domain::BreakGlassId),
    /// Beyond the limit: recorded, not in force until the DPO approves it.
    Waiting(elkarlan_domain::BreakGlassId),
}

/// Records an emergency access, time-limited, with its reason, for the DPO to review. A
/// professional who already opened `daily_limit` accesses in the last 24 hours gets a request
/// that waits for the DPO instead. Counting and writing share one transaction (on PostgreSQL the
/// professional's account row is locked), so two requests at once cannot both pass the limit.
#[allow(clippy::too_many_arguments)] // the access spelled out: who, which case, why, how long, the limit
pub async fn break_glass(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    user: UserId,
    reason: &str,
    minutes: i64,
    daily_limit: i64,
) -> Result<BreakGlassOpening> {
    let id = elkarlan_domain::BreakGlassId::new();
    let now = Timestamp::now();
    let mut tx = store.begin_write().await?;
    if tx.is_postgres() {
        on_tx!(&mut tx, c => sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user.0).fetch_optional(c).await.map(|_| 0u64))?;
    }
    let recent: i64 = on_tx!(&mut tx, c => sqlx::query(
        "SELECT COUNT(*) FROM break_glass WHERE user_id = $1 AND opened_at > $2 AND status IN ('opened','approved')")
        .bind(user.0).bind(now.minus_seconds(86_400).micros()).fetch_one(c).await?.get(0));
    let waiting = recent >= daily_limit;
    // A waiting request is not in force: it ends the moment it is made, until approved.
    let (status, expires_at) = if waiting {
        ("waiting", now)
    } else {
        ("opened", now.plus_seconds(minutes * 60))
    };
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO break_glass (id, tenant_id, case_id, user_id, reason, opened_at, expires_at, reviewed_at, reviewed_by, review_outcome, status)
         VALUES ($1,$2,$3,$4,$5,$6,$7,NULL,NULL,NULL,$8)")
        .bind(id.0).bind(grant.tenant().0).bind(case.id.0).bind(user.0).bind(reason).bind(now.micros()).bind(expires_at.micros()).bind(status)
        .execute(c).await.map(|r| r.rows_affected()))?;
    event(
        &mut tx,
        grant,
        meta,
        case.id,
        case.person_id,
        // The reason stays in the break-glass record, which the DPO reviews; the trail
        // outlives it and keeps only the record's id.
        serde_json::json!({"break_glass": id, "minutes": minutes, "status": status}),
    )
    .await?;
    tx.commit().await?;
    Ok(if waiting {
        BreakGlassOpening::Waiting(id)
    } else {
        BreakGlassOpening::Opened(id)
    })
}

/// How many emergency accesses the professional opened (or had approved) in the last 24 hours:
/// the count the daily limit is checked against.
pub async fn break_glass_opened_recently(store: &Store, user: UserId) -> Result<i64> {
    let since = Timestamp::now().minus_seconds(86_400).micros();
    on_pool!(store, p => Ok(sqlx::query(
        "SELECT COUNT(*) FROM break_glass WHERE user_id = $1 AND opened_at > $2 AND status IN ('opened','approved')")
        .bind(user.0).bind(since).fetch_one(p).await?.get(0)))
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct BreakGlassAccess {
    pub id: elkarlan_domain::BreakGlassId,
    pub case_id: CaseId,
    pub user_id: UserId,
    pub reason: String,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
    pub reviewed_at: Option<Timestamp>,
    pub review_outcome: Option<String>,
    /// `opened`, `waiting` (for the DPO's approval), `approved` or `refused`.
    pub status: String,
}

/// Emergency accesses not yet reviewed by the DPO, oldest first.
pub async fn break_glass_to_review(
    store: &Store,
    tenant: TenantId,
) -> Result<Vec<BreakGlassAccess>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, case_id, user_id, reason, opened_at, expires_at, reviewed_at, review_outcome, status FROM break_glass
             WHERE tenant_id = $1 AND reviewed_at IS NULL ORDER BY opened_at")
            .bind(tenant.0).fetch_all(p).await?;
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
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The DPO's verdict on an emergency access (`justified` or `unjustified`). For a request that
/// waits beyond the daily limit the verdict is the approval: `justified` opens it for `minutes`
/// from now, `unjustified` refuses it.
pub async fn review_break_glass(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: elkarlan_domain::BreakGlassId,
    outcome: &str,
    minutes: i64,
) -> Result<()> {
    let now = Timestamp::now();
    let justified = outcome == "justified";
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE break_glass SET reviewed_at = $3, reviewed_by = $4, review_outcome = $5,
           status = CASE WHEN status = 'waiting' THEN $6 ELSE status END,
           expires_at = CASE WHEN status = 'waiting' AND $7 THEN $8 ELSE expires_at END
         WHERE tenant_id = $1 AND id = $2 AND reviewed_at IS NULL")
        .bind(grant.tenant().0).bind(id.0).bind(now.micros()).bind(grant.actor().map(|u| u.0)).bind(outcome)
        .bind(if justified { "approved" } else { "refused" }).bind(justified).bind(now.plus_seconds(minutes * 60).micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    crate::audit::append(
        &mut tx,
        &[
            NewEvent::from_grant(grant, "break_glass", Some(id.to_string()), meta)
                .with_detail(serde_json::json!({"outcome": outcome})),
        ],
    )
    .await?;
    tx.commit().await
}
