//! Sign-in throttling (security.md): failures are counted per account name (known or not), per
//! client address and per account's second factor; past a threshold in the window each attempt
//! waits longer, and after consecutive failures the name, address or second factor is locked for a
//! while, each new lock twice as long as the last (capped), so nobody can lock an account for good.
//!
//! An attempt is counted *before* its outcome is known (`begin`), by one upsert per key whose
//! returned count decides the delay: concurrent attempts, on one server or several, each see a
//! different count, and a client that hangs up mid-attempt has still been counted. A success
//! takes its provisional count back (`succeeded`); a failure adds to the consecutive count and may
//! lock (`failed_in`, in the transaction that audits the failure).

use crate::{Result, Store, Tx, on_pool, on_tx};
use elkarlan_domain::{TenantId, Timestamp};
use sqlx::Row;

/// What a counter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A username as typed (lower-cased), whether or not the account exists.
    Account,
    /// A client address.
    Address,
    /// An account's second-factor codes, counted apart from its passwords.
    SecondFactor,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
            Scope::SecondFactor => "second_factor",
        }
    }
}

/// One counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub scope: Scope,
    subject: String,
}

impl Key {
    pub fn account(tenant: TenantId, username_key: &str) -> Key {
        Key {
            scope: Scope::Account,
            subject: format!("{}/{username_key}", tenant.0),
        }
    }

    pub fn second_factor(tenant: TenantId, username: &str) -> Key {
        Key {
            scope: Scope::SecondFactor,
            subject: format!("{}/{username}", tenant.0),
        }
    }

    pub fn address(ip: &str) -> Key {
        Key {
            scope: Scope::Address,
            subject: ip.to_owned(),
        }
    }
}

/// The numbers (security.md's defaults; the failure threshold for delays is the caller's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The window failures are counted in.
    pub window_seconds: i64,
    /// Consecutive failures that lock.
    pub lock_after: i64,
    /// The first lock's length; each next one doubles, up to `max_lock_seconds`.
    pub first_lock_seconds: i64,
    pub max_lock_seconds: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            window_seconds: 15 * 60,
            lock_after: 20,
            first_lock_seconds: 15 * 60,
            max_lock_seconds: 24 * 3600,
        }
    }
}

/// A counter as an attempt found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Failures in the window, this attempt included.
    pub failures: i64,
    /// Until when the key is locked, if it is.
    pub locked_until: Option<Timestamp>,
}

impl Count {
    pub fn locked_at(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|t| t.micros() > now.micros())
    }
}

/// Counts an attempt on every key, in one transaction; returns the counts in the keys' order.
pub async fn begin(store: &Store, keys: &[Key], limits: Limits) -> Result<Vec<Count>> {
    let now = Timestamp::now().micros();
    let window_start = now - limits.window_seconds * 1_000_000;
    let mut tx = store.begin_write().await?;
    let mut counts = Vec::with_capacity(keys.len());
    for k in keys {
        let (failures, locked_until) = on_tx!(&mut tx, c => {
            let r = sqlx::query(
                "INSERT INTO sign_in_counters (scope, subject, window_start, failures, consecutive, locked_at, locked_until, next_lock_micros, updated_at)
                 VALUES ($1, $2, $3, 1, 0, NULL, NULL, $5, $3)
                 ON CONFLICT (scope, subject) DO UPDATE SET
                   failures = CASE WHEN sign_in_counters.window_start <= $4 THEN 1 ELSE sign_in_counters.failures + 1 END,
                   window_start = CASE WHEN sign_in_counters.window_start <= $4 THEN $3 ELSE sign_in_counters.window_start END,
                   updated_at = $3
                 RETURNING failures, locked_until")
                .bind(k.scope.code()).bind(&k.subject).bind(now).bind(window_start)
                .bind(limits.first_lock_seconds * 1_000_000)
                .fetch_one(c).await?;
            (r.try_get::<i64, _>(0)?, r.try_get::<Option<i64>, _>(1)?)
        });
        counts.push(Count {
            failures,
            locked_until: locked_until.map(Timestamp::from_micros),
        });
    }
    tx.commit().await?;
    Ok(counts)
}

/// A success: takes back the attempt `begin` counted and ends the consecutive run and the
/// back-off. A lock in force stays.
pub async fn succeeded(store: &Store, keys: &[Key], limits: Limits) -> Result<()> {
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    for k in keys {
        on_tx!(&mut tx, c => sqlx::query(
            "UPDATE sign_in_counters SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END,
             consecutive = 0, next_lock_micros = $3, updated_at = $4 WHERE scope = $1 AND subject = $2")
            .bind(k.scope.code()).bind(&k.subject).bind(limits.first_lock_seconds * 1_000_000).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await
}

/// A failure, inside the transaction that audits it: one more consecutive failure on every key
/// (none while a lock is in force), and a lock where that reaches `lock_after`. Returns, in the
/// keys' order, the end of the lock this failure started, if it started one.
pub async fn failed_in(
    tx: &mut Tx,
    keys: &[Key],
    limits: Limits,
) -> Result<Vec<Option<Timestamp>>> {
    let now = Timestamp::now().micros();
    let mut locks = Vec::with_capacity(keys.len());
    for k in keys {
        // One statement: the lock decision reads the row as this failure finds it, whatever
        // other attempts do at the same time.
        let row = on_tx!(&mut *tx, c => {
            let r = sqlx::query(
                "UPDATE sign_in_counters SET
                   consecutive = CASE WHEN locked_until > $3 THEN consecutive
                                      WHEN consecutive + 1 >= $4 THEN 0 ELSE consecutive + 1 END,
                   locked_at = CASE WHEN (locked_until IS NULL OR locked_until <= $3) AND consecutive + 1 >= $4
                                    THEN $3 ELSE locked_at END,
                   locked_until = CASE WHEN (locked_until IS NULL OR locked_until <= $3) AND consecutive + 1 >= $4
                                       THEN $3 + next_lock_micros ELSE locked_until END,
                   next_lock_micros = CASE WHEN (locked_until IS NULL OR locked_until <= $3) AND consecutive + 1 >= $4
                                           THEN (CASE WHEN next_lock_micros * 2 > $5 THEN $5 ELSE next_lock_micros * 2 END)
                                           ELSE next_lock_micros END,
                   updated_at = $3
                 WHERE scope = $1 AND subject = $2
                 RETURNING locked_at, locked_until")
                .bind(k.scope.code()).bind(&k.subject).bind(now).bind(limits.lock_after)
                .bind(limits.max_lock_seconds * 1_000_000)
                .fetch_optional(c).await?;
            match r {
                Some(r) => Some((r.try_get::<Option<i64>, _>(0)?, r.try_get::<Option<i64>, _>(1)?)),
                None => None,
            }
        });
        locks.push(match row {
            Some((Some(at), Some(until))) if at == now => Some(Timestamp::from_micros(until)),
            _ => None,
        });
    }
    Ok(locks)
}

/// Until when a key is locked, if it is now.
pub async fn locked_until(store: &Store, key: &Key) -> Result<Option<Timestamp>> {
    let now = Timestamp::now().micros();
    let until: Option<i64> = on_pool!(store, p => sqlx::query(
        "SELECT locked_until FROM sign_in_counters WHERE scope = $1 AND subject = $2 AND locked_until > $3")
        .bind(key.scope.code()).bind(&key.subject).bind(now)
        .fetch_optional(p).await?.map(|r| r.try_get::<i64, _>(0)).transpose()?);
    Ok(until.map(Timestamp::from_micros))
}

/// Failures in the window and consecutive failures of a key (0, 0 when it has none).
pub async fn failures(store: &Store, key: &Key) -> Result<(i64, i64)> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT failures, consecutive FROM sign_in_counters WHERE scope = $1 AND subject = $2")
            .bind(key.scope.code()).bind(&key.subject).fetch_optional(p).await?;
        match r {
            Some(r) => Ok((r.try_get(0)?, r.try_get(1)?)),
            None => Ok((0, 0)),
        }
    })
}

/// Forgets the keys' counts, locks and back-off (an administrator's unlock).
pub async fn clear_in(tx: &mut Tx, keys: &[Key]) -> Result<()> {
    for k in keys {
        on_tx!(tx, c => sqlx::query("DELETE FROM sign_in_counters WHERE scope = $1 AND subject = $2")
            .bind(k.scope.code()).bind(&k.subject).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Deletes counters untouched for longer than the longest lock (run by the worker).
pub async fn purge(store: &Store, limits: Limits) -> Result<u64> {
    let keep = limits.max_lock_seconds.max(limits.window_seconds);
    let before = Timestamp::now().minus_seconds(keep).micros();
    on_pool!(store, p => Ok(sqlx::query("DELETE FROM sign_in_counters WHERE updated_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)")
        .bind(before).execute(p).await?.rows_affected()))
}
