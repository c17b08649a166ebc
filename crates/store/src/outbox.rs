//! E-mail outbox. A message is queued in the same transaction as the change that causes it, with
//! a job to send it; the worker sends it later. Nothing is ever sent inside a request.

use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::{EmailId, TenantId, Timestamp};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Email {
    pub id: EmailId,
    pub tenant: TenantId,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub attempts: i64,
}

pub const SEND_JOB: &str = "email.send";

/// Queues an e-mail and the job that sends it.
pub async fn queue(
    tx: &mut Tx,
    tenant: TenantId,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<EmailId> {
    let id = EmailId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO email_outbox (id, tenant_id, to_addr, subject, body_text, status, attempts, last_error, created_at, sent_at)
         VALUES ($1,$2,$3,$4,$5,'queued',0,NULL,$6,NULL)")
        .bind(id.0).bind(tenant.0).bind(to).bind(subject).bind(body).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    crate::jobs::enqueue(
        tx,
        Some(tenant),
        SEND_JOB,
        &serde_json::json!({"email": id}),
        Timestamp::now(),
    )
    .await?;
    Ok(id)
}

pub async fn get(store: &Store, id: EmailId) -> Result<Email> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT id, tenant_id, to_addr, subject, body_text, status, attempts FROM email_outbox WHERE id = $1")
            .bind(id.0).fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(Email {
            id: EmailId(r.try_get(0)?),
            tenant: TenantId(r.try_get(1)?),
            to_addr: r.try_get(2)?,
            subject: r.try_get(3)?,
            body_text: r.try_get(4)?,
            status: r.try_get(5)?,
            attempts: r.try_get(6)?,
        })
    })
}

/// Records a delivery attempt's outcome.
pub async fn mark(
    store: &Store,
    id: EmailId,
    sent: bool,
    error: Option<&str>,
    give_up: bool,
) -> Result<()> {
    let status = if sent {
        "sent"
    } else if give_up {
        "dead"
    } else {
        "queued"
    };
    on_pool!(store, p => sqlx::query("UPDATE email_outbox SET status = $2, attempts = attempts + 1, last_error = $3, sent_at = $4 WHERE id = $1")
        .bind(id.0).bind(status).bind(error).bind(if sent { Some(Timestamp::now().micros()) } else { None })
        .execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}
