//! Counting recent failed sign-ins, per account name and per address, for progressive delays.

use crate::{Result, Store, on_pool};
use elkarlan_domain::{TenantId, Timestamp};
use sqlx::Row;

/// The window failures are counted in (security.md: 15 minutes).
pub const WINDOW_SECONDS: i64 = 15 * 60;

/// Failed attempts in the window for this account name (known or not) and for this address.
pub async fn recent_failures(
    store: &Store,
    tenant: TenantId,
    username_key: &str,
    ip: &str,
) -> Result<(i64, i64)> {
    let since = Timestamp::now().minus_seconds(WINDOW_SECONDS).micros();
    on_pool!(store, p => {
        let by_user: i64 = sqlx::query("SELECT COUNT(*) FROM login_attempts WHERE tenant_id = $1 AND username_key = $2 AND at > $3 AND success = $4")
            .bind(tenant.0).bind(username_key).bind(since).bind(false).fetch_one(p).await?.get(0);
        let by_ip: i64 = sqlx::query("SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND at > $2 AND success = $3")
            .bind(ip).bind(since).bind(false).fetch_one(p).await?.get(0);
        Ok((by_user, by_ip))
    })
}
