//! A person's own account: password, second factor, language.

use super::authorize;
use crate::AppState;
use crate::auth;
use crate::error::ServiceError;
use elkarlan_domain::policy::{Action, Actor, Relationship, Target};
use elkarlan_domain::{FieldErrors, Lang, password};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::users;

fn own(actor: &Actor) -> Target {
    Target {
        tenant: actor.tenant,
        relationship: Relationship::OwnAccount,
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

/// Changes the password after checking the current one; other sessions end.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &PasswordChange,
    keep_session: &[u8],
) -> Result<(), ServiceError> {
    let grant = authorize(state, actor, Action::ManageOwnAccount, own(actor), meta).await?;
    let creds = users::credentials_by_id(&state.store, actor.tenant, actor.user).await?;
    let mut errors = FieldErrors::new();
    if input.current_password.is_empty() {
        errors.add("current_password", "error-password-required");
    } else if !state
        .hasher
        .verify(&input.current_password, Some(&creds.password_hash))
        .await
    {
        errors.add("current_password", "error-password-wrong");
    }
    errors.take(
        "new_password",
        password::check_new_password(
            &input.new_password,
            &actor.username,
            creds.user.has_second_factor,
        ),
    );
    if input.confirm_password != input.new_password {
        errors.add("confirm_password", "error-password-mismatch");
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    let hash = state.hasher.hash(&input.new_password).await?;
    users::set_password(
        &state.store,
        &grant,
        meta,
        actor.user,
        &hash,
        Some(keep_session),
    )
    .await?;
    Ok(())
}

/// A fresh secret for enrolment, and the same secret sealed for the form's round trip.
pub fn new_enrolment(state: &AppState, actor: &Actor) -> (Vec<u8>, String) {
    let secret = auth::new_totp_secret();
    let sealed = auth::seal(
        &state.config.secret_key.0,
        &secret,
        enrol_context(actor).as_bytes(),
    );
    (secret, base64_url(&sealed))
}

fn enrol_context(actor: &Actor) -> String {
    format!("totp-enrol:{}", actor.user)
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Opens the sealed enrolment secret from the form.
pub fn open_enrolment(state: &AppState, actor: &Actor, token: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()?;
    auth::open(
        &state.config.secret_key.0,
        &sealed,
        enrol_context(actor).as_bytes(),
    )
}

/// Turns on TOTP when `code` matches the new secret; returns the recovery codes to show once.
pub async fn enable_totp(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    secret: &[u8],
    code: &str,
) -> Result<Vec<String>, ServiceError> {
    let grant = authorize(state, actor, Action::ManageOwnAccount, own(actor), meta).await?;
    let code = code.trim().replace(' ', "");
    let mut errors = FieldErrors::new();
    let now = u64::try_from(elkarlan_domain::Timestamp::now().micros() / 1_000_000).unwrap_or(0);
    let step = if code.is_empty() {
        errors.add("code", "error-code-required");
        None
    } else if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("code", "error-code-format");
        None
    } else {
        let s = auth::totp_match(secret, &code, now);
        if s.is_none() {
            errors.add("code", "error-code-wrong");
        }
        s
    };
    errors.into_result().map_err(ServiceError::Invalid)?;
    let codes = auth::recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| auth::recovery_hash(c)).collect();
    let sealed = auth::seal(&state.config.secret_key.0, secret, actor.user.0.as_bytes());
    users::enable_totp(
        &state.store,
        &grant,
        meta,
        actor.user,
        &sealed,
        step.unwrap_or_default(),
        &hashes,
    )
    .await?;
    Ok(codes)
}

pub async fn set_language(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    lang: Lang,
) -> Result<(), ServiceError> {
    let grant = authorize(state, actor, Action::ManageOwnAccount, own(actor), meta).await?;
    users::set_language(&state.store, &grant, meta, actor.user, lang).await?;
    Ok(())
}
