//! Sign-in sessions and API tokens: finding the one a request carries, rotating it when the
//! second factor is passed, issuing and revoking tokens, ending a session. This is
//! authentication, not authorization: the token is the proof, so no policy decision is asked;
//! each change is audited by the store in its own transaction.

use crate::AppState;
use elkarlan_domain::{TenantId, Timestamp, UserId};
use elkarlan_store::StoreError;
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::sessions::{self, Session};
use elkarlan_store::users::{self, Credentials, User};

/// How long an API token lives, in seconds.
pub const TOKEN_SECONDS: i64 = sessions::TOKEN_SECONDS;

/// The browser session a cookie's token hash names, when it is still alive.
pub async fn find(state: &AppState, token_hash: &[u8]) -> Result<Option<Session>, StoreError> {
    sessions::find(&state.store, token_hash).await
}

/// The account an API bearer token's hash names, when the token is alive and not revoked.
pub async fn find_token(state: &AppState, token_hash: &[u8]) -> Result<Option<User>, StoreError> {
    sessions::find_token(&state.store, token_hash).await
}

/// The account's stored credentials (the sealed second-factor secret among them), for the
/// second step of a sign-in.
pub async fn credentials(
    state: &AppState,
    tenant: TenantId,
    id: UserId,
) -> Result<Credentials, StoreError> {
    users::credentials_by_id(&state.store, tenant, id).await
}

/// Marks the session's second factor as passed and gives it a new token (the old one stops
/// working), so a token seen before the second factor is worth nothing after it.
pub async fn complete_second_factor(
    state: &AppState,
    old_hash: &[u8],
    new_hash: &[u8],
    user: &User,
    meta: &RequestMeta,
) -> Result<(), StoreError> {
    sessions::complete_second_factor(&state.store, old_hash, new_hash, user, meta).await
}

/// Signs out: the session is deleted and the sign-out audited.
pub async fn end(
    state: &AppState,
    token_hash: &[u8],
    user: &User,
    meta: &RequestMeta,
) -> Result<(), StoreError> {
    sessions::end(&state.store, token_hash, user, meta).await
}

/// Stores a new API token's hash for the account; returns when it expires.
pub async fn issue_token(
    state: &AppState,
    user: &User,
    token_hash: &[u8],
    meta: &RequestMeta,
) -> Result<Timestamp, StoreError> {
    sessions::issue_token(&state.store, user, token_hash, meta).await
}

/// Revokes an API token; false when it was already revoked.
pub async fn revoke_token(
    state: &AppState,
    token_hash: &[u8],
    user: &User,
    meta: &RequestMeta,
) -> Result<bool, StoreError> {
    sessions::revoke_token(&state.store, token_hash, user, meta).await
}
