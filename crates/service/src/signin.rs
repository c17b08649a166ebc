//! Sign-in: throttling, password check, second factor. Unknown user, wrong password, inactive
//! and locked accounts (and locked addresses) give the same answer after the same work.

use crate::AppState;
use crate::auth;
use crate::error::ServiceError;
use elkarlan_domain::account::Username;
use elkarlan_domain::{TenantId, Timestamp};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::sessions::{self, LockNotice, SignIn};
use elkarlan_store::throttle::{self, Count, Key};
use elkarlan_store::users::{self, User};
use elkarlan_templates::t;

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

/// The throttle keys an attempt counts on: the account name (or the account's second factor)
/// and, when the client's address is known, the address.
fn counted_keys(account: Key, meta: &RequestMeta) -> Vec<Key> {
    let mut keys = vec![account];
    if let Some(ip) = meta.ip.as_deref().filter(|ip| !ip.is_empty()) {
        keys.push(Key::address(ip));
    }
    keys
}

/// The progressive delay (security.md): one step per failure past the threshold, on whichever
/// key has the most, capped. The count includes attempts still in progress, so parallel
/// attempts cannot all pass under the threshold.
async fn wait_past_threshold(state: &AppState, counts: &[Count]) {
    let worst = counts.iter().map(|c| c.failures).max().unwrap_or(0);
    let over = worst - state.config.throttle_after;
    if over > 0 {
        let factor = u32::try_from(over).unwrap_or(u32::MAX);
        let delay = state
            .config
            .throttle_step
            .saturating_mul(factor)
            .min(state.config.throttle_max_delay);
        tokio::time::sleep(delay).await;
    }
}

/// The e-mail telling the account's holder that failed sign-ins locked it for a while.
struct LockMail {
    to: String,
    subject: String,
    body: String,
}

impl LockMail {
    fn for_user(user: &User) -> Option<LockMail> {
        let lang = user.preferred_lang.unwrap_or_default();
        user.email.as_ref().map(|to| LockMail {
            to: to.clone(),
            subject: t(lang, "email-locked-subject"),
            body: t(lang, "email-locked-body"),
        })
    }

    fn notice(&self) -> LockNotice<'_> {
        LockNotice {
            to: &self.to,
            subject: &self.subject,
            body: &self.body,
        }
    }
}

/// Checks a username and password. The attempt is counted before anything else; failures are
/// then recorded (consecutive count, lock, audit) before returning. A locked name or address
/// fails like a wrong password, after the same work.
pub async fn verify(
    state: &AppState,
    tenant: TenantId,
    username: &str,
    password: &str,
    meta: &RequestMeta,
) -> Result<Verified, ServiceError> {
    let key: String = username.trim().to_lowercase().chars().take(128).collect();
    let limits = state.config.lockout;
    let keys = counted_keys(Key::account(tenant, &key), meta);
    let counts = throttle::begin(&state.store, &keys, limits).await?;
    let locked = counts.iter().any(|c| c.locked_at(Timestamp::now()));
    // Before any hashing, the same for known and unknown names.
    wait_past_threshold(state, &counts).await;
    let creds = match Username::parse(&key) {
        Ok(u) => users::credentials(&state.store, tenant, u.as_str()).await?,
        Err(_) => None,
    };
    let password_ok = state
        .hasher
        .verify(password, creds.as_ref().map(|c| c.password_hash.as_str()))
        .await;
    let allowed = password_ok
        && !locked
        && creds
            .as_ref()
            .is_some_and(|c| c.user.active && !c.user.locked);
    match creds {
        Some(c) if allowed => {
            throttle::succeeded(&state.store, &keys, limits).await?;
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
            let mail = other.as_ref().and_then(|c| LockMail::for_user(&c.user));
            sessions::record_sign_in(
                &state.store,
                SignIn::Failed {
                    tenant,
                    user: other.map(|c| c.user.id),
                    counted: &keys,
                    limits,
                    notice: mail.as_ref().map(LockMail::notice),
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

/// Checks a TOTP code (once per time step) or a recovery code. Wrong codes are counted on the
/// account's second factor, apart from its passwords (a right password does not reset them),
/// with the same delay and lock; while locked, even a right code fails.
pub async fn check_second_factor(
    state: &AppState,
    user: &User,
    secret: Option<&[u8]>,
    code: &str,
    meta: &RequestMeta,
) -> Result<bool, ServiceError> {
    let limits = state.config.lockout;
    let keys = counted_keys(Key::second_factor(user.tenant, &user.username), meta);
    let counts = throttle::begin(&state.store, &keys, limits).await?;
    let locked = counts.iter().any(|c| c.locked_at(Timestamp::now()));
    wait_past_threshold(state, &counts).await;
    let code = code.trim();
    let now = Timestamp::now().micros() / 1_000_000;
    let ok = if locked {
        false
    } else if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        match secret.and_then(|s| auth::totp_match(s, code, u64::try_from(now).unwrap_or(0))) {
            Some(step) => users::accept_totp_step(&state.store, user.id, step).await?,
            None => false,
        }
    } else if !code.is_empty() && code.len() <= 20 {
        users::use_recovery_code(&state.store, user.id, &auth::recovery_hash(code)).await?
    } else {
        false
    };
    if ok {
        throttle::succeeded(&state.store, &keys, limits).await?;
    } else {
        let mail = LockMail::for_user(user);
        sessions::second_factor_failed(
            &state.store,
            user,
            &keys,
            limits,
            mail.as_ref().map(LockMail::notice),
            meta,
        )
        .await?;
    }
    Ok(ok)
}
