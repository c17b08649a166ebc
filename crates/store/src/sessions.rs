//! Browser sessions and API bearer tokens. Only SHA-256 hashes of tokens are stored, so a copy of
//! the database does not let anyone sign in.

use crate::audit::{NewEvent, RequestMeta};
use crate::users::User;
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::{TenantId, Timestamp, UserId};
use sqlx::Row;

/// Idle timeout (security.md: 15 minutes).
pub const IDLE_SECONDS: i64 = 15 * 60;
/// Absolute lifetime (8 hours).
pub const ABSOLUTE_SECONDS: i64 = 8 * 3600;
/// `last_seen_at` is refreshed at most this often, so reads do not write on every request.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub user: User,
    pub csrf_token: String,
    /// False between the password step and the second-factor step of sign-in.
    pub mfa_passed: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// The result of a sign-in attempt as the store records it.
pub enum SignIn<'a> {
    Succeeded {
        user: &'a User,
        token_hash: &'a [u8],
        csrf_token: &'a str,
        mfa_passed: bool,
    },
    Failed {
        tenant: TenantId,
        username_key: &'a str,
        user: Option<UserId>,
    },
}

/// Records a sign-in attempt: the attempt row, the failure counter or lock, the new session and
/// the audit row, all in one transaction.
pub async fn record_sign_in(store: &Store, attempt: SignIn<'_>, meta: &RequestMeta) -> Result<()> {
    let now = Timestamp::now();
    let ip = meta.ip.clone().unwrap_or_default();
    let mut tx = store.begin_write().await?;
    let ev = match attempt {
        SignIn::Succeeded {
            user,
            token_hash,
            csrf_token,
            mfa_passed,
        } => {
            on_tx!(&mut tx, c => sqlx::query("INSERT INTO login_attempts (id, tenant_id, username_key, ip, at, success) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(uuid::Uuid::now_v7()).bind(user.tenant.0).bind(&user.username).bind(&ip).bind(now.micros()).bind(true)
                .execute(c).await.map(|r| r.rows_affected()))?;
            on_tx!(&mut tx, c => sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1").bind(user.id.0).execute(c).await.map(|r| r.rows_affected()))?;
            on_tx!(&mut tx, c => sqlx::query(
                "INSERT INTO sessions (token_hash, tenant_id, user_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at)
                 VALUES ($1,$2,$3,$4,$5,$6,$6,$7)")
                .bind(token_hash).bind(user.tenant.0).bind(user.id.0).bind(csrf_token).bind(mfa_passed)
                .bind(now.micros()).bind(now.plus_seconds(ABSOLUTE_SECONDS).micros())
                .execute(c).await.map(|r| r.rows_affected()))?;
            event(
                user.tenant,
                Some(user),
                "auth.sign_in",
                "ok",
                meta,
                serde_json::json!({"second_factor_pending": !mfa_passed}),
            )
        }
        SignIn::Failed {
            tenant,
            username_key,
            user,
        } => {
            on_tx!(&mut tx, c => sqlx::query("INSERT INTO login_attempts (id, tenant_id, username_key, ip, at, success) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(uuid::Uuid::now_v7()).bind(tenant.0).bind(username_key).bind(&ip).bind(now.micros()).bind(false)
                .execute(c).await.map(|r| r.rows_affected()))?;
            if let Some(id) = user {
                on_tx!(&mut tx, c => sqlx::query(
                    "UPDATE users SET failed_logins = failed_logins + 1,
                     locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= $2 THEN $3 ELSE locked_at END
                     WHERE id = $1")
                    .bind(id.0).bind(crate::users::LOCK_AFTER_FAILURES).bind(now.micros()).execute(c).await.map(|r| r.rows_affected()))?;
            }
            // Nothing typed is kept: a password typed into the username field would otherwise
            // stay in the trail for ever. An attempt on a known account names it by id.
            let mut e = event(
                tenant,
                None,
                "auth.sign_in",
                "failed",
                meta,
                serde_json::json!({"known_account": user.is_some()}),
            );
            e.entity_id = user.map(|u| u.to_string());
            e
        }
    };
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

fn event(
    tenant: TenantId,
    user: Option<&User>,
    action: &str,
    outcome: &'static str,
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> NewEvent {
    NewEvent {
        tenant,
        actor_id: user.map(|u| u.id),
        actor_name: user.map_or_else(|| "anonymous".to_owned(), |u| u.username.clone()),
        actor_role: user.map(|u| u.role.code().to_owned()),
        actor_agency: user.and_then(|u| u.agency_id.map(|a| a.0)),
        action: action.to_owned(),
        entity_type: "session",
        entity_id: user.map(|u| u.id.to_string()),
        subject_id: None,
        basis: "role".into(),
        outcome,
        meta: meta.clone(),
        detail,
    }
}

/// Finds a live session and its account. Expired sessions (idle or absolute) are not returned.
pub async fn find(store: &Store, token_hash: &[u8]) -> Result<Option<Session>> {
    let now = Timestamp::now();
    let row = on_pool!(store, p => {
        let r = sqlx::query("SELECT user_id, tenant_id, csrf_token, mfa_passed, created_at, last_seen_at FROM sessions
             WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3")
            .bind(token_hash).bind(now.micros()).bind(now.minus_seconds(IDLE_SECONDS).micros())
            .fetch_optional(p).await?;
        match r {
            Some(r) => Some((UserId(r.try_get(0)?), TenantId(r.try_get(1)?), r.try_get::<String, _>(2)?, r.try_get::<bool, _>(3)?,
                r.try_get::<i64, _>(4)?, r.try_get::<i64, _>(5)?)),
            None => None,
        }
    });
    let Some((user_id, tenant, csrf, mfa, created, seen)) = row else {
        return Ok(None);
    };
    let user = match crate::users::get(store, tenant, user_id).await {
        Ok(u) if u.active && !u.locked => u,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let last_seen = Timestamp::from_micros(seen);
    if now.micros() - last_seen.micros() > TOUCH_EVERY_SECONDS * 1_000_000 {
        on_pool!(store, p => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1").bind(token_hash).bind(now.micros()).execute(p).await.map(|r| r.rows_affected()))?;
    }
    Ok(Some(Session {
        token_hash: token_hash.to_vec(),
        user,
        csrf_token: csrf,
        mfa_passed: mfa,
        created_at: Timestamp::from_micros(created),
        last_seen_at: last_seen,
    }))
}

/// Marks the second factor as passed and rotates the token (a new id once privileges rise).
pub async fn complete_second_factor(
    store: &Store,
    old_hash: &[u8],
    new_hash: &[u8],
    user: &User,
    meta: &RequestMeta,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let res = on_tx!(&mut tx, c => sqlx::query("UPDATE sessions SET token_hash = $2, mfa_passed = $3 WHERE token_hash = $1 AND user_id = $4")
        .bind(old_hash).bind(new_hash).bind(true).bind(user.id.0).execute(c).await.map(|r| r.rows_affected()))?;
    if res != 1 {
        return Err(StoreError::NotFound);
    }
    crate::audit::append(
        &mut tx,
        &[event(
            user.tenant,
            Some(user),
            "auth.second_factor",
            "ok",
            meta,
            serde_json::Value::Null,
        )],
    )
    .await?;
    tx.commit().await
}

/// Records a failed second-factor attempt.
pub async fn second_factor_failed(store: &Store, user: &User, meta: &RequestMeta) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE users SET failed_logins = failed_logins + 1,
         locked_at = CASE WHEN locked_at IS NULL AND failed_logins + 1 >= $2 THEN $3 ELSE locked_at END WHERE id = $1")
        .bind(user.id.0).bind(crate::users::LOCK_AFTER_FAILURES).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[event(
            user.tenant,
            Some(user),
            "auth.second_factor",
            "failed",
            meta,
            serde_json::Value::Null,
        )],
    )
    .await?;
    tx.commit().await
}

/// Ends a session (sign-out).
pub async fn end(store: &Store, token_hash: &[u8], user: &User, meta: &RequestMeta) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[event(
            user.tenant,
            Some(user),
            "auth.sign_out",
            "ok",
            meta,
            serde_json::Value::Null,
        )],
    )
    .await?;
    tx.commit().await
}

/// Deletes expired sessions and old sign-in attempts (run by the worker).
pub async fn purge_expired(store: &Store) -> Result<u64> {
    let now = Timestamp::now();
    let mut tx = store.begin_write().await?;
    let a = on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now.micros()).bind(now.minus_seconds(IDLE_SECONDS).micros()).execute(c).await.map(|r| r.rows_affected()))?;
    let b = on_tx!(&mut tx, c => sqlx::query("DELETE FROM login_attempts WHERE at <= $1")
        .bind(now.minus_seconds(30 * 24 * 3600).micros()).execute(c).await.map(|r| r.rows_affected()))?;
    let t = on_tx!(&mut tx, c => sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1").bind(now.micros()).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(a + b + t)
}

/// API bearer token lifetime.
pub const TOKEN_SECONDS: i64 = 8 * 3600;

/// Issues a bearer token for a user who has just authenticated.
pub async fn issue_token(
    store: &Store,
    user: &User,
    token_hash: &[u8],
    meta: &RequestMeta,
) -> Result<Timestamp> {
    let now = Timestamp::now();
    let expires = now.plus_seconds(TOKEN_SECONDS);
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO api_tokens (token_hash, tenant_id, user_id, created_at, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5,NULL)")
        .bind(token_hash).bind(user.tenant.0).bind(user.id.0).bind(now.micros()).bind(expires.micros()).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1").bind(user.id.0).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[event(
            user.tenant,
            Some(user),
            "auth.token_issue",
            "ok",
            meta,
            serde_json::Value::Null,
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(expires)
}

/// The account behind a live, unrevoked bearer token.
pub async fn find_token(store: &Store, token_hash: &[u8]) -> Result<Option<User>> {
    let now = Timestamp::now().micros();
    let row = on_pool!(store, p => {
        sqlx::query("SELECT user_id, tenant_id FROM api_tokens WHERE token_hash = $1 AND expires_at > $2 AND revoked_at IS NULL")
            .bind(token_hash).bind(now).fetch_optional(p).await?
            .map(|r| (UserId(r.get(0)), TenantId(r.get(1))))
    });
    let Some((user_id, tenant)) = row else {
        return Ok(None);
    };
    match crate::users::get(store, tenant, user_id).await {
        Ok(u) if u.active && !u.locked => Ok(Some(u)),
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Revokes a bearer token.
pub async fn revoke_token(
    store: &Store,
    token_hash: &[u8],
    user: &User,
    meta: &RequestMeta,
) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let res = on_tx!(&mut tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[event(
            user.tenant,
            Some(user),
            "auth.token_revoke",
            "ok",
            meta,
            serde_json::Value::Null,
        )],
    )
    .await?;
    tx.commit().await?;
    Ok(res == 1)
}
