//! `Idempotency-Key` on API creates: the first response is stored with the key in the same
//! transaction as the record it created; a retry with the same key and body gets that response
//! again, a retry with another body is refused.

use crate::{Result, Store, Tx, on_pool, on_tx};
use elkarlan_domain::{TenantId, Timestamp, UserId};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub request_hash: Vec<u8>,
    pub status: u16,
    pub response: String,
}

pub async fn find(
    store: &Store,
    tenant: TenantId,
    user: UserId,
    key: &str,
) -> Result<Option<Stored>> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT request_hash, status, response FROM idempotency_keys WHERE tenant_id = $1 AND user_id = $2 AND key = $3")
            .bind(tenant.0).bind(user.0).bind(key).fetch_optional(p).await?;
        Ok(r.map(|r| Stored {
            request_hash: r.get(0),
            status: u16::try_from(r.get::<i64, _>(1)).unwrap_or(200),
            response: r.get(2),
        }))
    })
}

/// Saves the response inside the create's transaction. A concurrent request with the same key
/// fails on the primary key, so its create is rolled back: one record per key.
pub async fn save(
    tx: &mut Tx,
    tenant: TenantId,
    user: UserId,
    key: &str,
    request_hash: &[u8],
    status: u16,
    response: &str,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO idempotency_keys (tenant_id, user_id, key, request_hash, status, response, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
        .bind(tenant.0).bind(user.0).bind(key).bind(request_hash).bind(i64::from(status)).bind(response).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
