//! The job queue: rows in `jobs`, claimed by workers with a lease, retried with exponential
//! backoff, and moved to `dead` (a dead letter, kept for inspection) after `max_attempts`.
//! Periodic tasks claim a time slot in `periodic_runs`; the primary key lets exactly one server
//! run each slot, however many servers share the database.

use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::{JobId, TenantId, Timestamp};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub tenant: Option<TenantId>,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub run_at: Timestamp,
}

/// Queues a job inside an open transaction, so it exists exactly when the change that needs it does.
pub async fn enqueue(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    kind: &str,
    payload: &serde_json::Value,
    run_at: Timestamp,
) -> Result<JobId> {
    let id = JobId::new();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, locked_until, locked_by, last_error, created_at, updated_at)
         VALUES ($1,$2,$3,$4,'queued',$5,0,$6,NULL,NULL,NULL,$7,$7)")
        .bind(id.0).bind(tenant.map(|t| t.0)).bind(kind).bind(payload.to_string()).bind(run_at.micros()).bind(MAX_ATTEMPTS).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

pub const MAX_ATTEMPTS: i64 = 6;
/// How long a claimed job is reserved before another worker may take it over.
pub const LEASE_SECONDS: i64 = 300;

/// The delay before retry `attempt` (1-based): 10 s, 20 s, 40 s, ... capped at one hour.
pub fn backoff_seconds(attempt: i64) -> i64 {
    let exp = attempt.clamp(1, 20) - 1;
    (10i64 << exp).min(3600)
}

macro_rules! job_from_row {
    ($r:expr) => {
        Job {
            id: JobId($r.try_get("id")?),
            tenant: $r
                .try_get::<Option<uuid::Uuid>, _>("tenant_id")?
                .map(TenantId),
            kind: $r.try_get("kind")?,
            payload: $r.try_get("payload")?,
            status: $r.try_get("status")?,
            attempts: $r.try_get("attempts")?,
            max_attempts: $r.try_get("max_attempts")?,
            last_error: $r.try_get("last_error")?,
            run_at: Timestamp::from_micros($r.try_get("run_at")?),
        }
    };
}

/// Claims the next due job (or one whose lease ran out) for `worker`.
pub async fn claim(store: &Store, worker: &str, now: Timestamp) -> Result<Option<Job>> {
    let mut tx = store.begin_write().await?;
    let pick = if tx.is_postgres() {
        "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)
         ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    } else {
        "SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)
         ORDER BY run_at LIMIT 1"
    };
    let id: Option<uuid::Uuid> = on_tx!(&mut tx, c => sqlx::query(pick).bind(now.micros()).fetch_optional(c).await?.map(|r| r.get(0)));
    let Some(id) = id else {
        tx.commit().await?;
        return Ok(None);
    };
    let job = on_tx!(&mut tx, c => {
        let r = sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, locked_by = $3, updated_at = $4
             WHERE id = $1
             RETURNING id, tenant_id, kind, payload, status, attempts, max_attempts, last_error, run_at")
            .bind(id).bind(now.plus_seconds(LEASE_SECONDS).micros()).bind(worker).bind(now.micros())
            .fetch_one(c).await?;
        job_from_row!(r)
    });
    tx.commit().await?;
    Ok(Some(job))
}

/// Marks a claimed job done. Only the current claim may: a worker whose lease ran out (and whose
/// job was claimed again, raising `attempts`) changes nothing and gets `Stale`.
pub async fn complete(store: &Store, job: &Job) -> Result<()> {
    let n = on_pool!(store, p => sqlx::query("UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $2 WHERE id = $1 AND status = 'running' AND attempts = $3")
        .bind(job.id.0).bind(Timestamp::now().micros()).bind(job.attempts).execute(p).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Records a failure: back to the queue after a backoff, or dead after the last attempt. Like
/// `complete`, only the current claim may.
pub async fn fail(store: &Store, job: &Job, error: &str, now: Timestamp) -> Result<&'static str> {
    let dead = job.attempts >= job.max_attempts;
    let status = if dead { "dead" } else { "queued" };
    let error: String = error.chars().take(2000).collect();
    let n = on_pool!(store, p => sqlx::query("UPDATE jobs SET status = $2, run_at = $3, last_error = $4, locked_until = NULL, locked_by = NULL, updated_at = $5
        WHERE id = $1 AND status = 'running' AND attempts = $6")
        .bind(job.id.0).bind(status).bind(now.plus_seconds(backoff_seconds(job.attempts)).micros()).bind(error).bind(now.micros()).bind(job.attempts)
        .execute(p).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        Ok(status)
    } else {
        Err(StoreError::Stale)
    }
}

pub async fn get(store: &Store, id: JobId) -> Result<Job> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT id, tenant_id, kind, payload, status, attempts, max_attempts, last_error, run_at FROM jobs WHERE id = $1")
            .bind(id.0).fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(job_from_row!(r))
    })
}

/// Counts by status, for `/metrics`.
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status").fetch_all(p).await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1))).collect())
    })
}

/// Claims one run of a periodic task for the slot `slot` (e.g. the hour number). True for
/// exactly one caller per (name, slot), across all servers.
pub async fn claim_periodic(store: &Store, name: &str, slot: i64, runner: &str) -> Result<bool> {
    let res = on_pool!(store, p => sqlx::query("INSERT INTO periodic_runs (name, slot, runner, at) VALUES ($1,$2,$3,$4) ON CONFLICT (name, slot) DO NOTHING")
        .bind(name).bind(slot).bind(runner).bind(Timestamp::now().micros()).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(res == 1)
}

/// Who ran a periodic slot, if anyone.
pub async fn periodic_runner(store: &Store, name: &str, slot: i64) -> Result<Option<String>> {
    on_pool!(store, p => Ok(sqlx::query("SELECT runner FROM periodic_runs WHERE name = $1 AND slot = $2")
        .bind(name).bind(slot).fetch_optional(p).await?.map(|r| r.get::<String, _>(0))))
}
