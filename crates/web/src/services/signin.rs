//! Sign-in: throttling, password check, second factor. Unknown user, wrong password, inactive
//! and locked accounts give the same answer after the same work.

use crate::AppState;
use crate::auth;
use crate::error::ServiceError;
use elkarlan_domain::TenantId;
use elkarlan_domain::account::Username;
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::sessions::{self, SignIn};
use elkarlan_store::users::{self, User};

pub enum SecondFactor {
    /// No second factor on the account, and none required.
    NotNeeded,
    /// The account has one: ask for the code.
    Ask,
    /// Required by the role but not set up yet: enrol before anything else.
    Enrol,
}

pub enum Verified {
    Yes {
        user: Box<User>,
        second_factor: SecondFactor,
        totp_secret: Option<Vec<u8>>,
    },
    No,
}

/// Checks a username and password. Failures are recorded (counter, lock, audit) before returning.
pub async fn verify(
    state: &AppState,
    tenant: TenantId,
    username: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<Verified, ServiceError> {
    let key: String = username.trim().to_lowercase().chars().take(128).collect();
    let ip = meta.ip.clone().unwrap_or_default();
    let (by_user, by_ip) =
        elkarlan_store::throttle::recent_failures(&state.store, tenant, &key, &ip).await?;
    let over = by_user.max(by_ip) - state.config.throttle_after;
    if over >= 0 {
        // Progressive delay, the same for known and unknown names, before any hashing.
        let factor = u32::try_from(over + 1).unwrap_or(u32::MAX);
        let delay = state
            .config
            .throttle_step
            .saturating_mul(factor)
            .min(state.config.throttle_max_delay);
        tokio::time::sleep(delay).await;
    }
    let creds = match Username::parse(&key) {
        Ok(u) => users::credentials(&state.store, tenant, u.as_str()).await?,
        Err(_) => None,
    };
    let password_ok = state
        .hasher
        .verify(password, creds.as_ref().map(|c| c.password_hash.as_str()))
        .await;
    let allowed = password_ok
        && creds
            .as_ref()
            .is_some_and(|c| c.user.active && !c.user.locked);
    match creds {
        Some(c) if allowed => {
            let second_factor = if c.totp_secret.is_some() {
                SecondFactor::Ask
            } else if c.user.mfa_required {
                SecondFactor::Enrol
            } else {
                SecondFactor::NotNeeded
            };
            let secret = c
                .totp_secret
                .as_deref()
                .and_then(|s| auth::open(&state.config.secret_key.0, s, c.user.id.0.as_bytes()));
            Ok(Verified::Yes {
                user: Box::new(c.user),
                second_factor,
                totp_secret: secret,
            })
        }
        other => {
            let user = other.map(|c| c.user.id);
            sessions::record_sign_in(
                &state.store,
                SignIn::Failed {
                    tenant,
                    username_key: &key,
                    user,
                },
                meta,
            )
            .await?;
            Ok(Verified::No)
        }
    }
}

/// Opens a browser session. Returns the token for the cookie and the session's CSRF token.
pub async fn start_session(
    state: &AppState,
    user: &User,
    mfa_passed: bool,
    meta: &RequestMeta,
) -> Result<(String, String), ServiceError> {
    let token = auth::new_token();
    let csrf = auth::new_token();
    sessions::record_sign_in(
        &state.store,
        SignIn::Succeeded {
            user,
            token_hash: &auth::token_hash(&token),
            csrf_token: &csrf,
            mfa_passed,
        },
        meta,
    )
    .await?;
    Ok((token, csrf))
}

/// Checks a TOTP code (once per time step) or a recovery code.
pub async fn check_second_factor(
    state: &AppState,
    user: &User,
    secret: Option<&[u8]>,
    code: &str,
    meta: &RequestMeta,
) -> Result<bool, ServiceError> {
    let code = code.trim();
    let now = elkarlan_domain::Timestamp::now().micros() / 1_000_000;
    let ok = if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        match secret.and_then(|s| auth::totp_match(s, code, u64::try_from(now).unwrap_or(0))) {
            Some(step) => users::accept_totp_step(&state.store, user.id, step).await?,
            None => false,
        }
    } else if !code.is_empty() && code.len() <= 20 {
        users::use_recovery_code(&state.store, user.id, &auth::recovery_hash(code)).await?
    } else {
        false
    };
    if !ok {
        sessions::second_factor_failed(&state.store, user, meta).await?;
    }
    Ok(ok)
}
