//! Staff accounts, managed by administrators.

use super::{audit_read, authorize};
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{AgencyId, FieldErrors, Timestamp, UserId, password};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::users::{self, NewUser, User, UserChanges};
use elkarlan_store::{StoreError, agencies, idempotency, throttle};

/// The form or JSON body of a new account, as received.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub role: String,
    /// Agency id, or empty for none.
    #[serde(default)]
    pub agency: String,
    pub password: String,
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    after: &str,
    limit: i64,
) -> Result<Vec<User>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ListUsers,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let rows = users::list(&state.store, actor.tenant, after, limit).await?;
    audit_read(
        state,
        &grant,
        "user",
        None,
        meta,
        serde_json::json!({"listed": rows.len(), "after": after}),
    )
    .await?;
    Ok(rows)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: UserId,
) -> Result<User, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewUser,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let user = users::get(&state.store, actor.tenant, id).await?;
    audit_read(
        state,
        &grant,
        "user",
        Some(id.to_string()),
        meta,
        serde_json::Value::Null,
    )
    .await?;
    Ok(user)
}

async fn parse_agency(
    state: &AppState,
    actor: &Actor,
    raw: &str,
    errors: &mut FieldErrors,
) -> Result<Option<AgencyId>, ServiceError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<AgencyId>() {
        Ok(id) => match agencies::get(&state.store, actor.tenant, id).await {
            Ok(_) => Ok(Some(id)),
            Err(StoreError::NotFound) => {
                errors.add("agency", "error-agency-unknown");
                Ok(None)
            }
            Err(e) => Err(e.into()),
        },
        Err(_) => {
            errors.add("agency", "error-agency-unknown");
            Ok(None)
        }
    }
}

/// Creates an account. Authorization comes first, then every field is checked and all errors
/// are returned together; nothing is written unless everything is valid.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &NewUserInput,
    idem: super::IdempotentCreate<'_, User>,
) -> Result<User, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::CreateUser,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut errors = FieldErrors::new();
    let username = errors.take("username", Username::parse(&input.username));
    let display_name = errors.take("display_name", DisplayName::parse(&input.display_name));
    let email = if input.email.trim().is_empty() {
        None
    } else {
        errors.take("email", Email::parse(&input.email))
    };
    let role = errors.take("role", Role::parse(input.role.trim()));
    let agency = parse_agency(state, actor, &input.agency, &mut errors).await?;
    // Roles that handle personal data always use a second factor; the configuration may only
    // add roles to them.
    let mfa_required =
        role.is_some_and(|r| r.handles_personal_data() || state.config.mfa_roles.contains(&r));
    errors.take(
        "password",
        password::check_new_password(
            &input.password,
            username.as_ref().map_or("", Username::as_str),
            false,
        ),
    );
    let (Some(username), Some(display_name), Some(role)) = (username, display_name, role) else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let hash = state.hasher.hash(&input.password).await?;
    let new = NewUser {
        username,
        display_name,
        email,
        role,
        agency,
        password_hash: hash,
        mfa_required,
    };
    let mut tx = state.store.begin_write().await?;
    let id = match users::create_in(&mut tx, &grant, meta, &new).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            return Err(ServiceError::Conflict {
                field: "username",
                key: "error-username-taken",
            });
        }
        Err(e) => return Err(e.into()),
    };
    let user = User {
        id,
        tenant: actor.tenant,
        username: new.username.as_str().to_owned(),
        display_name: new.display_name.as_str().to_owned(),
        email: new.email.as_ref().map(|e| e.as_str().to_owned()),
        role,
        agency_id: agency,
        agency_system: None,
        preferred_lang: None,
        mfa_required,
        has_second_factor: false,
        active: true,
        locked: false,
        version: 1,
        created_at: Timestamp::now(),
    };
    if let Some((idem, respond)) = idem {
        let (status, body) = respond(&user);
        idempotency::save(
            &mut tx,
            actor.tenant,
            actor.user,
            idem.key,
            &idem.request_hash,
            status,
            &body,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Changes to an account as received; `None` leaves the field unchanged.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChangesInput {
    pub display_name: Option<String>,
    /// Empty string removes the address.
    pub email: Option<String>,
    pub role: Option<String>,
    /// Agency id; empty string for none.
    pub agency: Option<String>,
    pub active: Option<bool>,
    pub mfa_required: Option<bool>,
    /// Lifts an administrator's lock and any lock after failed sign-ins.
    #[serde(default)]
    pub unlock: bool,
    /// Locks the account until an administrator unlocks it: its sessions end and its bearer
    /// tokens are revoked at once. Wins over `unlock`.
    #[serde(default)]
    pub lock: bool,
}

/// Until when failed sign-ins (passwords or second-factor codes) lock the account, if they do.
pub async fn sign_in_lock(
    state: &AppState,
    user: &User,
) -> Result<Option<Timestamp>, ServiceError> {
    let mut until = None;
    for key in [
        throttle::Key::account(user.tenant, &user.username),
        throttle::Key::second_factor(user.tenant, &user.username),
    ] {
        until = until.max(throttle::locked_until(&state.store, &key).await?);
    }
    Ok(until)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: UserId,
    version: i64,
    input: &UserChangesInput,
) -> Result<User, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::UpdateUser,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let mut errors = FieldErrors::new();
    let mut ch = UserChanges {
        unlock: input.unlock,
        lock: input.lock,
        active: input.active,
        mfa_required: input.mfa_required,
        ..UserChanges::default()
    };
    if let Some(n) = &input.display_name {
        ch.display_name = errors.take("display_name", DisplayName::parse(n));
    }
    if let Some(e) = &input.email {
        ch.email = if e.trim().is_empty() {
            Some(None)
        } else {
            errors.take("email", Email::parse(e)).map(Some)
        };
    }
    if let Some(r) = &input.role {
        ch.role = errors.take("role", Role::parse(r.trim()));
    }
    if let Some(a) = &input.agency {
        ch.agency = Some(parse_agency(state, actor, a, &mut errors).await?);
    }
    // The role the account will have decides whether a second factor may be waived: never for
    // roles that handle personal data, whoever asks.
    let before = users::get(&state.store, actor.tenant, id).await?;
    if ch.role.unwrap_or(before.role).handles_personal_data() {
        if input.mfa_required == Some(false) {
            errors.add("mfa_required", "error-mfa-required-for-role");
        }
        ch.mfa_required = Some(true);
    }
    if id == actor.user && (input.active == Some(false) || ch.role.is_some_and(|r| r != actor.role))
    {
        // An administrator cannot lock themselves out or drop their own role.
        errors.add("role", "error-self-lockout");
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    Ok(users::update(&state.store, &grant, meta, id, version, &ch).await?)
}
