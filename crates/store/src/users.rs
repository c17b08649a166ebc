//! Staff accounts and their credentials.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::{Actor, Grant};
use elkarlan_domain::{AgencyId, Lang, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;

/// An account as other screens see it: no secrets.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    #[serde(skip)]
    pub tenant: TenantId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub agency_id: Option<AgencyId>,
    #[serde(skip)]
    pub agency_system: Option<PublicSystem>,
    pub preferred_lang: Option<Lang>,
    pub mfa_required: bool,
    pub has_second_factor: bool,
    pub active: bool,
    /// Locked by an administrator (until one unlocks it). Locks after failed sign-ins are the
    /// throttle's (`throttle::locked_until`) and do not end sessions or tokens.
    pub locked: bool,
    pub version: i64,
    pub created_at: Timestamp,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            tenant: self.tenant,
            user: self.id,
            username: self.username.clone(),
            role: self.role,
            agency: self.agency_id,
            agency_system: self.agency_system,
        }
    }
}

/// What sign-in needs besides the account.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub totp_secret: Option<Vec<u8>>,
}

macro_rules! user_from_row {
    ($r:expr) => {{
        let role: String = $r.try_get("role")?;
        let system: Option<String> = $r.try_get("agency_system")?;
        let lang: Option<String> = $r.try_get("preferred_lang")?;
        let secret: Option<Vec<u8>> = $r.try_get("totp_secret")?;
        let locked: Option<i64> = $r.try_get("locked_at")?;
        let user = User {
            id: UserId($r.try_get("id")?),
            tenant: TenantId($r.try_get("tenant_id")?),
            username: $r.try_get("username")?,
            display_name: $r.try_get("display_name")?,
            email: $r.try_get("email")?,
            role: Role::parse(&role)
                .map_err(|_| sqlx::Error::Decode(format!("role {role}").into()))?,
            agency_id: $r
                .try_get::<Option<uuid::Uuid>, _>("agency_id")?
                .map(AgencyId),
            agency_system: system.as_deref().and_then(|s| PublicSystem::parse(s).ok()),
            preferred_lang: lang.as_deref().and_then(Lang::parse),
            mfa_required: $r.try_get("mfa_required")?,
            has_second_factor: secret.is_some(),
            active: $r.try_get("active")?,
            locked: locked.is_some(),
            version: $r.try_get("version")?,
            created_at: Timestamp::from_micros($r.try_get("created_at")?),
        };
        Credentials {
            user,
            password_hash: $r.try_get("password_hash")?,
            totp_secret: secret,
        }
    }};
}

macro_rules! select_users {
    ($where:literal) => {
        concat!(
            "SELECT u.id, u.tenant_id, u.username, u.display_name, u.email, u.role, u.agency_id, a.system AS agency_system,
            u.preferred_lang, u.mfa_required, u.totp_secret, u.active, u.locked_at, u.version, u.created_at, u.password_hash
            FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ",
            $where
        )
    };
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub role: Role,
    pub agency: Option<AgencyId>,
    pub password_hash: String,
    pub mfa_required: bool,
}

/// Creates an account. A taken username is `Conflict`.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    new: &NewUser,
) -> Result<User> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, new).await?;
    tx.commit().await?;
    get(store, grant.tenant(), id).await
}

/// Creates an account inside an open transaction (with its audit row).
pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    new: &NewUser,
) -> Result<UserId> {
    let id = UserId::new();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO users (id, tenant_id, username, display_name, email, role, agency_id, password_hash, preferred_lang,
         totp_secret, totp_last_step, mfa_required, active, locked_at, password_changed_at, version, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULL,NULL,NULL,$9,$10,NULL,$11,1,$11,$11)")
        .bind(id.0).bind(grant.tenant().0).bind(new.username.as_str()).bind(new.display_name.as_str())
        .bind(new.email.as_ref().map(Email::as_str)).bind(new.role.code()).bind(new.agency.map(|a| a.0))
        .bind(&new.password_hash).bind(new.mfa_required).bind(true).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "user", Some(id.to_string()), meta).with_detail(serde_json::json!({
        "username": new.username.as_str(), "display_name": new.display_name.as_str(), "role": new.role.code(),
        "agency": new.agency.map(|a| a.to_string()), "mfa_required": new.mfa_required,
    }));
    crate::audit::append(tx, &[ev]).await?;
    Ok(id)
}

pub async fn get(store: &Store, tenant: TenantId, id: UserId) -> Result<User> {
    on_pool!(store, p => {
        let r = sqlx::query(select_users!("WHERE u.tenant_id = $1 AND u.id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(user_from_row!(r).user)
    })
}

/// One account, inside an open transaction.
pub async fn get_in(tx: &mut Tx, tenant: TenantId, id: UserId) -> Result<User> {
    on_tx!(tx, c => {
        let r = sqlx::query(select_users!("WHERE u.tenant_id = $1 AND u.id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(user_from_row!(r).user)
    })
}

/// The account and its secrets, for sign-in only.
pub async fn credentials(
    store: &Store,
    tenant: TenantId,
    username: &str,
) -> Result<Option<Credentials>> {
    on_pool!(store, p => {
        let r = sqlx::query(select_users!("WHERE u.tenant_id = $1 AND u.username = $2")).bind(tenant.0).bind(username)
            .fetch_optional(p).await?;
        match r {
            Some(r) => Ok(Some(user_from_row!(r))),
            None => Ok(None),
        }
    })
}

pub async fn credentials_by_id(store: &Store, tenant: TenantId, id: UserId) -> Result<Credentials> {
    on_pool!(store, p => {
        let r = sqlx::query(select_users!("WHERE u.tenant_id = $1 AND u.id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(user_from_row!(r))
    })
}

/// A page of accounts ordered by username, after `after` (cursor).
pub async fn list(store: &Store, tenant: TenantId, after: &str, limit: i64) -> Result<Vec<User>> {
    on_pool!(store, p => {
        let rows = sqlx::query(select_users!("WHERE u.tenant_id = $1 AND u.username > $2 ORDER BY u.username LIMIT $3"))
            .bind(tenant.0).bind(after).bind(limit.clamp(1, 1000)).fetch_all(p).await?;
        rows.iter().map(|r| Ok(user_from_row!(r).user)).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Changes an administrator may make to an account. `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<DisplayName>,
    pub email: Option<Option<Email>>,
    pub role: Option<Role>,
    pub agency: Option<Option<AgencyId>>,
    pub active: Option<bool>,
    pub mfa_required: Option<bool>,
    /// Clears an administrator's lock and any lock after failed sign-ins (with their counts).
    pub unlock: bool,
    /// Locks the account until an administrator unlocks it: its sessions end and its bearer
    /// tokens are revoked at once.
    pub lock: bool,
}

/// Applies changes if the account is still at `expected_version`; otherwise `Stale`, nothing written.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: UserId,
    expected_version: i64,
    ch: &UserChanges,
) -> Result<User> {
    let before = get(store, grant.tenant(), id).await?;
    let mut tx = store.begin_write().await?;
    let res = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE users SET display_name = $4, email = $5, role = $6, agency_id = $7, active = $8, mfa_required = $9,
         locked_at = CASE WHEN $12 THEN $11 WHEN $10 THEN NULL ELSE locked_at END,
         version = version + 1, updated_at = $11
         WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(expected_version)
        .bind(ch.display_name.as_ref().map_or(before.display_name.as_str(), DisplayName::as_str))
        .bind(match &ch.email { Some(e) => e.as_ref().map(|e| e.as_str().to_owned()), None => before.email.clone() })
        .bind(ch.role.unwrap_or(before.role).code())
        .bind(match ch.agency { Some(a) => a.map(|a| a.0), None => before.agency_id.map(|a| a.0) })
        .bind(ch.active.unwrap_or(before.active))
        .bind(ch.mfa_required.unwrap_or(before.mfa_required))
        .bind(ch.unlock)
        .bind(Timestamp::now().micros())
        .bind(ch.lock)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if res == 0 {
        return Err(StoreError::Stale);
    }
    if ch.unlock && !ch.lock {
        crate::throttle::clear_in(
            &mut tx,
            &[
                crate::throttle::Key::account(grant.tenant(), &before.username),
                crate::throttle::Key::second_factor(grant.tenant(), &before.username),
            ],
        )
        .await?;
    }
    // Ending the sessions and tokens of a deactivated or locked account, or of a changed role,
    // takes effect at once.
    if ch.active == Some(false) || ch.lock || ch.role.is_some_and(|r| r != before.role) {
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        on_tx!(&mut tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(id.0).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let ev = NewEvent::from_grant(grant, "user", Some(id.to_string()), meta).with_detail(
        serde_json::json!({
            "display_name": ch.display_name.as_ref().map(DisplayName::as_str),
            "email": ch.email.as_ref().map(|e| e.as_ref().map(Email::as_str)),
            "role": ch.role.map(Role::code),
            "agency": ch.agency.map(|a| a.map(|a| a.to_string())),
            "active": ch.active, "mfa_required": ch.mfa_required, "unlock": ch.unlock, "lock": ch.lock,
        }),
    );
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    get(store, grant.tenant(), id).await
}

/// Sets a new password hash, ends the account's other sessions and revokes its bearer tokens
/// (a token is a credential obtained with the old password).
pub async fn set_password(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: UserId,
    hash: &str,
    keep_session: Option<&[u8]>,
) -> Result<()> {
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE users SET password_hash = $3, password_changed_at = $4, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(id.0).bind(hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(id.0).bind(keep_session.unwrap_or(&[])).execute(c).await.map(|r| r.rows_affected()))?;
    let revoked = on_tx!(&mut tx, c => sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(id.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[
            NewEvent::from_grant(grant, "user", Some(id.to_string()), meta)
                .with_detail(serde_json::json!({"password": "changed", "tokens_revoked": revoked})),
        ],
    )
    .await?;
    tx.commit().await
}

/// Stores an (encrypted) TOTP secret and the hashes of fresh recovery codes.
pub async fn enable_totp(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: UserId,
    secret: &[u8],
    step: i64,
    recovery_hashes: &[Vec<u8>],
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE users SET totp_secret = $3, totp_last_step = $4, version = version + 1, updated_at = $5 WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(id.0).bind(secret).bind(step).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    for h in recovery_hashes {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)")
            .bind(id.0).bind(h).execute(c).await.map(|r| r.rows_affected()))?;
    }
    crate::audit::append(&mut tx, &[NewEvent::from_grant(grant, "user", Some(id.to_string()), meta)
        .with_detail(serde_json::json!({"second_factor": "enabled", "recovery_codes": recovery_hashes.len()}))]).await?;
    tx.commit().await
}

/// Accepts a TOTP time step only once: a step at or before the last accepted one is a replay.
pub async fn accept_totp_step(store: &Store, id: UserId, step: i64) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let res = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)")
        .bind(id.0).bind(step).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(res == 1)
}

/// Uses up a recovery code; false when unknown or already used.
pub async fn use_recovery_code(store: &Store, id: UserId, hash: &[u8]) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let res = on_tx!(&mut tx, c => sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
        .bind(id.0).bind(hash).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(res == 1)
}

pub async fn set_language(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: UserId,
    lang: Lang,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE users SET preferred_lang = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(id.0).bind(lang.code()).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(
        &mut tx,
        &[
            NewEvent::from_grant(grant, "user", Some(id.to_string()), meta)
                .with_detail(serde_json::json!({"preferred_lang": lang.code()})),
        ],
    )
    .await?;
    tx.commit().await
}

/// Number of accounts of the tenant (to know whether the first administrator exists).
pub async fn count(store: &Store, tenant: TenantId) -> Result<i64> {
    on_pool!(store, p => Ok(sqlx::query("SELECT COUNT(*) FROM users WHERE tenant_id = $1").bind(tenant.0).fetch_one(p).await?.get::<i64, _>(0)))
}
