//! Commitments: one model for what agreements and social clauses promise. Progress is counted
//! from placements and enrolments where it can be; the counts never carry who.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::ecosystem::codes::{CommitmentKind, CommitmentStatus};
use elkarlan_domain::ecosystem::commitment::{CommitmentDraft, Progress, Window};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    AgreementId, CommitmentId, OrganisationId, SocialClauseId, TenantId, Timestamp,
    TrainingActionId,
};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

/// What a commitment belongs to: exactly one agreement or one social clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentOwner {
    Agreement(AgreementId),
    Clause(SocialClauseId),
}

#[derive(Clone, Debug, Serialize)]
pub struct Commitment {
    pub id: CommitmentId,
    pub owner: CommitmentOwner,
    pub organisation: Option<OrganisationId>,
    pub organisation_name: Option<String>,
    pub kind: CommitmentKind,
    pub description: String,
    pub target: i64,
    pub unit: String,
    pub due_on: String,
    pub training_action: Option<TrainingActionId>,
    pub recorded_progress: i64,
    pub evidence: Option<String>,
    pub status: CommitmentStatus,
    pub version: i64,
}

impl Commitment {
    pub fn due(&self) -> Option<chrono::NaiveDate> {
        self.due_on.parse().ok()
    }
}

fn detail(owner: CommitmentOwner, d: &CommitmentDraft) -> serde_json::Value {
    serde_json::json!({
        "owner": owner, "organisation": d.organisation, "kind": d.kind.code(), "description": d.description,
        "target": d.target, "unit": d.unit, "due_on": d.due_on.to_string(), "training_action": d.training_action,
        "recorded_progress": d.recorded_progress, "evidence": d.evidence, "status": d.status.code(),
    })
}

async fn audit(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    id: CommitmentId,
    detail: serde_json::Value,
) -> Result<()> {
    let ev =
        NewEvent::from_grant(grant, "commitment", Some(id.to_string()), meta).with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

/// Creates a commitment under an agreement or a social clause, in its own transaction.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    owner: CommitmentOwner,
    d: &CommitmentDraft,
) -> Result<CommitmentId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, owner, d).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a commitment inside an open transaction (for callers that write more with it).
/// The owner must belong to the grant's tenant, or nothing is written (`NotFound`). A clause's
/// commitment without an organisation takes the awardee of the clause's lot or contract.
pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    owner: CommitmentOwner,
    d: &CommitmentDraft,
) -> Result<CommitmentId> {
    let tenant = grant.tenant();
    // A clause's commitment is delivered by the clause's awardee (of its lot, else of the
    // contract) unless another organisation is named.
    let (owned, awardee): (bool, Option<Uuid>) = match owner {
        CommitmentOwner::Agreement(a) => {
            let found = on_tx!(tx, c => sqlx::query("SELECT id FROM agreements WHERE id = $1 AND tenant_id = $2")
            .bind(a.0).bind(tenant.0).fetch_optional(c).await?.is_some());
            (found, None)
        }
        CommitmentOwner::Clause(s) => on_tx!(tx, c => {
            let r = sqlx::query("SELECT COALESCE(l.awardee, k.awardee) FROM social_clauses s JOIN contracts k ON k.id = s.contract_id
                LEFT JOIN contract_lots l ON l.id = s.lot_id WHERE s.id = $1 AND k.tenant_id = $2")
                .bind(s.0).bind(tenant.0).fetch_optional(c).await?;
            match r {
                Some(r) => (true, r.try_get::<Option<Uuid>, _>(0)?),
                None => (false, None),
            }
        }),
    };
    if !owned {
        return Err(StoreError::NotFound);
    }
    let mut d = d.clone();
    if d.organisation.is_none() {
        d.organisation = awardee.map(OrganisationId);
    }
    let d = &d;
    let (agreement, clause) = match owner {
        CommitmentOwner::Agreement(a) => (Some(a.0), None),
        CommitmentOwner::Clause(s) => (None, Some(s.0)),
    };
    let id = CommitmentId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO commitments (id, tenant_id, agreement_id, social_clause_id, organisation_id, kind, description, target, unit, due_on,
         training_action_id, recorded_progress, evidence, status, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,$15)")
        .bind(id.0).bind(tenant.0).bind(agreement).bind(clause).bind(d.organisation.map(|o| o.0)).bind(d.kind.code())
        .bind(&d.description).bind(d.target).bind(&d.unit).bind(d.due_on.to_string()).bind(d.training_action.map(|t| t.0))
        .bind(d.recorded_progress).bind(&d.evidence).bind(d.status.code()).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(tx, grant, meta, id, detail(owner, d)).await?;
    Ok(id)
}

/// Replaces a commitment's fields if it is still at `version`; its owner never changes.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    current: &Commitment,
    version: i64,
    d: &CommitmentDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE commitments SET organisation_id = $4, kind = $5, description = $6, target = $7, unit = $8, due_on = $9, training_action_id = $10,
         recorded_progress = $11, evidence = $12, status = $13, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(current.id.0).bind(version).bind(d.organisation.map(|o| o.0)).bind(d.kind.code())
        .bind(&d.description).bind(d.target).bind(&d.unit).bind(d.due_on.to_string()).bind(d.training_action.map(|t| t.0))
        .bind(d.recorded_progress).bind(&d.evidence).bind(d.status.code())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(&mut tx, grant, meta, current.id, detail(current.owner, d)).await?;
    tx.commit().await
}

const SELECT: &str = "SELECT m.id, m.agreement_id, m.social_clause_id, m.organisation_id, o.name AS organisation_name, m.kind, m.description, m.target,
    m.unit, m.due_on, m.training_action_id, m.recorded_progress, m.evidence, m.status, m.version
    FROM commitments m LEFT JOIN organisations o ON o.id = m.organisation_id";

macro_rules! commitment_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let kind: String = $r.try_get("kind")?;
        let status: String = $r.try_get("status")?;
        let agreement: Option<Uuid> = $r.try_get("agreement_id")?;
        let clause: Option<Uuid> = $r.try_get("social_clause_id")?;
        let owner = match (agreement, clause) {
            (Some(a), _) => CommitmentOwner::Agreement(AgreementId(a)),
            (None, Some(s)) => CommitmentOwner::Clause(SocialClauseId(s)),
            (None, None) => return Err(crate::error::corrupt("commitment owner", id).into()),
        };
        Commitment {
            id: CommitmentId(id),
            owner,
            organisation: $r
                .try_get::<Option<Uuid>, _>("organisation_id")?
                .map(OrganisationId),
            organisation_name: $r.try_get("organisation_name")?,
            kind: CommitmentKind::parse(&kind)
                .map_err(|_| crate::error::corrupt("commitment kind", id))?,
            description: $r.try_get("description")?,
            target: $r.try_get("target")?,
            unit: $r.try_get("unit")?,
            due_on: $r.try_get("due_on")?,
            training_action: $r
                .try_get::<Option<Uuid>, _>("training_action_id")?
                .map(TrainingActionId),
            recorded_progress: $r.try_get("recorded_progress")?,
            evidence: $r.try_get("evidence")?,
            status: CommitmentStatus::parse(&status)
                .map_err(|_| crate::error::corrupt("commitment status", id))?,
            version: $r.try_get("version")?,
        }
    }};
}

async fn select(
    store: &Store,
    filter: &str,
    tenant: TenantId,
    id: Uuid,
) -> Result<Vec<Commitment>> {
    let sql =
        format!("{SELECT} WHERE m.tenant_id = $1 AND {filter} ORDER BY m.due_on, m.created_at");
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.0).bind(id).fetch_all(c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(commitment_from_row!(r));
        }
        Ok(out)
    })
}

pub async fn get(store: &Store, tenant: TenantId, id: CommitmentId) -> Result<Commitment> {
    select(store, "m.id = $2", tenant, id.0)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

pub async fn list_for_agreement(
    store: &Store,
    tenant: TenantId,
    agreement: AgreementId,
) -> Result<Vec<Commitment>> {
    select(store, "m.agreement_id = $2", tenant, agreement.0).await
}

pub async fn list_for_clause(
    store: &Store,
    tenant: TenantId,
    clause: SocialClauseId,
) -> Result<Vec<Commitment>> {
    select(store, "m.social_clause_id = $2", tenant, clause.0).await
}

/// Every commitment of the tenant (for the export).
pub async fn list_all(store: &Store, tenant: TenantId) -> Result<Vec<Commitment>> {
    let sql = format!("{SELECT} WHERE m.tenant_id = $1 ORDER BY m.due_on, m.created_at");
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.0).fetch_all(c).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(commitment_from_row!(r));
        }
        Ok(out)
    })
}

fn parse_date(s: Option<String>) -> Option<chrono::NaiveDate> {
    s.and_then(|d| d.parse().ok())
}

/// The period a new or edited commitment must fall in: the agreement's dates, or the dates of
/// the clause's contract. `NotFound` when the owner is not the tenant's.
pub async fn owner_window(
    store: &Store,
    tenant: TenantId,
    owner: CommitmentOwner,
) -> Result<Window> {
    let (sql, id) = match owner {
        CommitmentOwner::Agreement(a) => (
            "SELECT starts_on, ends_on FROM agreements WHERE id = $1 AND tenant_id = $2",
            a.0,
        ),
        CommitmentOwner::Clause(s) => (
            "SELECT k.starts_on, k.ends_on FROM social_clauses s JOIN contracts k ON k.id = s.contract_id WHERE s.id = $1 AND k.tenant_id = $2",
            s.0,
        ),
    };
    on_pool!(store, c => {
        let r = sqlx::query(sql).bind(id).bind(tenant.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(Window {
            starts_on: parse_date(r.try_get(0)?),
            ends_on: parse_date(r.try_get(1)?),
            clause: matches!(owner, CommitmentOwner::Clause(_)),
        })
    })
}

/// How far a commitment has come on `today`, counted from the records where its kind allows:
/// hires are placements with the commitment's organisation as employer that started between the
/// agreement's start and the due date (for a clause, the placements linked to that clause);
/// practicum places are the enrolments of its training action not dropped out; anything else
/// is the progress recorded by hand.
pub async fn progress(
    store: &Store,
    tenant: TenantId,
    m: &Commitment,
    today: chrono::NaiveDate,
) -> Result<Progress> {
    let window = owner_window(store, tenant, m.owner).await?;
    let from = window.starts_on;
    let due = m.due().unwrap_or(today);
    let from_s = from.map(|d| d.to_string()).unwrap_or_default();
    let achieved: i64 = match (m.kind, m.owner) {
        (CommitmentKind::HireParticipants, CommitmentOwner::Clause(s)) => {
            hires_between(store, tenant, s, &from_s, &due.to_string()).await?
        }
        (CommitmentKind::HireParticipants, CommitmentOwner::Agreement(_)) => match m.organisation {
            None => 0,
            Some(o) => on_pool!(store, c => {
                sqlx::query("SELECT COUNT(*) FROM placements WHERE tenant_id = $1 AND employer_organisation = $2 AND starts_on >= $3 AND starts_on <= $4")
                    .bind(tenant.0).bind(o.0).bind(&from_s).bind(due.to_string()).fetch_one(c).await?.try_get(0)?
            }),
        },
        (CommitmentKind::OfferPracticumPlaces, _) => match m.training_action {
            None => 0,
            Some(a) => on_pool!(store, c => {
                sqlx::query("SELECT COUNT(*) FROM enrolments WHERE tenant_id = $1 AND action_id = $2 AND status <> 'dropped_out'")
                    .bind(tenant.0).bind(a.0).fetch_one(c).await?.try_get(0)?
            }),
        },
        (CommitmentKind::Other, _) => m.recorded_progress,
    };
    Ok(Progress::compute(achieved, m.target, from, due, today))
}

async fn hires_between(
    store: &Store,
    tenant: TenantId,
    clause: SocialClauseId,
    from: &str,
    to: &str,
) -> Result<i64> {
    on_pool!(store, c => {
        let r = sqlx::query("SELECT COUNT(*) FROM placements WHERE tenant_id = $1 AND social_clause_id = $2 AND starts_on >= $3 AND starts_on <= $4")
            .bind(tenant.0).bind(clause.0).bind(from).bind(to).fetch_one(c).await?;
        Ok(r.try_get::<i64, _>(0)?)
    })
}

/// Every placement linked to the clause, whenever it started: the hires it has brought.
pub async fn clause_hires(store: &Store, tenant: TenantId, clause: SocialClauseId) -> Result<i64> {
    hires_between(store, tenant, clause, "", "9999-12-31").await
}

/// Every social clause of the tenant as (id, "contract title: clause"), for linking hires.
pub async fn clause_choices(
    store: &Store,
    tenant: TenantId,
) -> Result<Vec<(SocialClauseId, String)>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT s.id, k.file_number, k.title, s.description FROM social_clauses s JOIN contracts k ON k.id = s.contract_id
                WHERE k.tenant_id = $1 ORDER BY k.file_number, s.created_at")
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let file: String = r.try_get(1)?;
            let title: String = r.try_get(2)?;
            let description: String = r.try_get(3)?;
            let short: String = description.chars().take(80).collect();
            Ok((SocialClauseId(r.try_get(0)?), format!("{file} {title}: {short}")))
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Every training action of the tenant as (id, title in Basque, title in Spanish), for the
/// practicum places a commitment counts.
pub async fn training_action_choices(
    store: &Store,
    tenant: TenantId,
) -> Result<Vec<(TrainingActionId, String, String)>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, title_eu, title_es FROM training_actions WHERE tenant_id = $1 ORDER BY starts_on DESC, title_es")
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((TrainingActionId(r.try_get(0)?), r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
