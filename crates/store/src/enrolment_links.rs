//! One-time enrolment links: how the holder of a new account chooses their own password. Only
//! the token's hash is stored; one live link per account.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{TenantId, Timestamp, UserId};
use sqlx::Row;

/// Issues a link inside an open transaction: replaces (voids) any earlier link of the account and
/// appends the audit row. The token itself never reaches the trail.
pub async fn issue_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    user: UserId,
    token_hash: &[u8],
    expires_at: Timestamp,
) -> Result<()> {
    let now = Timestamp::now().micros();
    let voided = on_tx!(tx, c => sqlx::query("DELETE FROM enrolment_links WHERE user_id = $1")
        .bind(user.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO enrolment_links (user_id, tenant_id, token_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)")
        .bind(user.0).bind(grant.tenant().0).bind(token_hash).bind(now).bind(expires_at.micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let mut ev = NewEvent::from_grant(grant, "user", Some(user.to_string()), meta).with_detail(
        serde_json::json!({"enrolment_link": "issued", "previous_voided": voided > 0, "expires_at": expires_at.iso()}),
    );
    ev.action = "user.enrolment_link".into();
    crate::audit::append(tx, &[ev]).await?;
    Ok(())
}

/// The account a live link (known, unexpired, of this tenant) opens, if any.
pub async fn find(store: &Store, tenant: TenantId, token_hash: &[u8]) -> Result<Option<UserId>> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT user_id FROM enrolment_links WHERE token_hash = $1 AND tenant_id = $2 AND expires_at > $3")
            .bind(token_hash).bind(tenant.0).bind(Timestamp::now().micros())
            .fetch_optional(p).await?;
        Ok(match r {
            Some(r) => Some(UserId(r.try_get(0)?)),
            None => None,
        })
    })
}

/// Uses a link: in one transaction, deletes it (only if still live, so two uses cannot both
/// pass), sets the password hash, ends the account's sessions and bearer tokens and appends the
/// audit row. `NotFound` when the link is unknown, expired, used or voided.
pub async fn redeem(
    store: &Store,
    tenant: TenantId,
    token_hash: &[u8],
    password_hash: &str,
    meta: &RequestMeta,
) -> Result<UserId> {
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    let user = on_tx!(&mut tx, c => {
        let r = sqlx::query("DELETE FROM enrolment_links WHERE token_hash = $1 AND tenant_id = $2 AND expires_at > $3 RETURNING user_id")
            .bind(token_hash).bind(tenant.0).bind(now).fetch_optional(c).await?;
        match r {
            Some(r) => Some(UserId(r.try_get(0)?)),
            None => None,
        }
    });
    let Some(user) = user else {
        return Err(StoreError::NotFound);
    };
    on_tx!(&mut tx, c => sqlx::query("UPDATE users SET password_hash = $3, password_changed_at = $4, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0).bind(user.0).bind(password_hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    let holder = crate::users::get_in(&mut tx, tenant, user).await?;
    let ev = NewEvent {
        tenant,
        actor_id: Some(user),
        actor_name: holder.username,
        actor_role: Some(holder.role.code().to_owned()),
        actor_agency: holder.agency_id.map(|a| a.0),
        action: "user.enrolment_link".into(),
        entity_type: "user",
        entity_id: Some(user.to_string()),
        subject_id: None,
        basis: "role".into(),
        outcome: "ok",
        meta: meta.clone(),
        detail: serde_json::json!({"enrolment_link": "used", "password": "set"}),
    };
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(user)
}

/// Deletes links past their expiry.
pub async fn purge_expired(store: &Store) -> Result<u64> {
    on_pool!(store, p => Ok(sqlx::query("DELETE FROM enrolment_links WHERE expires_at <= $1")
        .bind(Timestamp::now().micros()).execute(p).await?.rows_affected()))
}
