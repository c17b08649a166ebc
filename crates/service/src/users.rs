//! Staff accounts, managed by administrators.

use super::{audit_read, authorize};
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::account::{DisplayName, Email, Role, UserDraft};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{AgencyId, FieldErrors, Lang, TenantId, Timestamp, UserId, password};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::users::{self, NewUser, User, UserChanges};
use elkarlan_store::{StoreError, Tx, agencies, enrolment_links, idempotency, outbox, throttle};
use elkarlan_templates::{t, t_args};

/// The body of a new account; parsed in the domain.
pub use elkarlan_domain::account::UserInput as NewUserInput;

/// Where and how the enrolment e-mail is written: the address links start with and the
/// language of the text.
#[derive(Clone, Debug)]
pub struct EnrolmentMail {
    pub base_url: String,
    pub lang: Lang,
}

impl EnrolmentMail {
    /// The configured public address, else the scheme and the request's `Host`.
    pub fn for_request(state: &AppState, host: Option<&str>, lang: Lang) -> Self {
        let base_url = state.config.public_url.clone().unwrap_or_else(|| {
            let host: String = host
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
                .collect();
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        });
        Self { base_url, lang }
    }
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
/// are returned together; nothing is written unless everything is valid. The account gets no
/// usable password: its holder chooses one through the enrolment link e-mailed to them in the
/// same transaction, so the administrator never knows it.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &NewUserInput,
    mail: &EnrolmentMail,
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
    // Whether the agency exists needs the store; its error follows the parsed fields'.
    let mut agency_errors = FieldErrors::new();
    let agency = parse_agency(state, actor, &input.agency, &mut agency_errors).await?;
    let UserDraft {
        username,
        display_name,
        email,
        role,
    } = match input.parse() {
        Ok(d) if agency_errors.is_empty() => d,
        Ok(_) => return Err(ServiceError::Invalid(agency_errors)),
        Err(mut e) => {
            e.0.extend(agency_errors.0);
            return Err(ServiceError::Invalid(e));
        }
    };
    // Roles that handle personal data always use a second factor; the configuration may only
    // add roles to them.
    let mfa_required = role.handles_personal_data() || state.config.mfa_roles.contains(&role);
    // A hash of a random secret nobody keeps: no password opens the account, and signing in to
    // it takes the same work as to any other.
    let hash = state.hasher.hash(&crate::auth::new_token()).await?;
    let new = NewUser {
        username,
        display_name,
        email: Some(email),
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
    let to = new.email.as_ref().map_or("", Email::as_str);
    issue_enrolment_link(state, &mut tx, &grant, meta, id, to, mail).await?;
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

/// Issues a fresh enrolment link (voiding any earlier one) and queues the e-mail carrying it.
/// Only the token's hash is stored; the token exists only in the e-mail.
async fn issue_enrolment_link(
    state: &AppState,
    tx: &mut Tx,
    grant: &elkarlan_domain::policy::Grant,
    meta: &RequestMeta,
    user: UserId,
    to: &str,
    mail: &EnrolmentMail,
) -> Result<(), ServiceError> {
    let token = crate::auth::new_token();
    let hours = state.config.enrolment_link_hours;
    let expires = Timestamp::now().plus_seconds(i64::from(hours) * 3600);
    enrolment_links::issue_in(
        tx,
        grant,
        meta,
        user,
        &crate::auth::token_hash(&token),
        expires,
    )
    .await?;
    let link = format!("{}/enrol/{token}", mail.base_url);
    let body = t_args(
        mail.lang,
        "email-enrolment-body",
        &[
            ("link", link.as_str()),
            ("hours", hours.to_string().as_str()),
        ],
    );
    outbox::queue(
        tx,
        grant.tenant(),
        to,
        &t(mail.lang, "email-enrolment-subject"),
        &body,
    )
    .await?;
    Ok(())
}

/// Sends the account's holder a new enrolment link, voiding the previous one. The account needs
/// an e-mail address.
pub async fn send_enrolment(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: UserId,
    mail: &EnrolmentMail,
) -> Result<User, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::UpdateUser,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let user = users::get(&state.store, actor.tenant, id).await?;
    let Some(to) = user.email.clone() else {
        let mut errors = FieldErrors::new();
        errors.add("email", "error-email-required-for-enrolment");
        return Err(ServiceError::Invalid(errors));
    };
    let mut tx = state.store.begin_write().await?;
    issue_enrolment_link(state, &mut tx, &grant, meta, id, &to, mail).await?;
    tx.commit().await?;
    Ok(user)
}

/// The account an enrolment link opens, if the link is live. Unknown, expired, used and voided
/// links are all `None`: the page says the same whatever the reason.
pub async fn enrolment_account(
    state: &AppState,
    tenant: TenantId,
    token: &str,
) -> Result<Option<User>, ServiceError> {
    let hash = crate::auth::token_hash(token);
    match enrolment_links::find(&state.store, tenant, &hash).await? {
        Some(id) => match users::get(&state.store, tenant, id).await {
            Ok(u) => Ok(Some(u)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        },
        None => Ok(None),
    }
}

/// What using an enrolment link gave.
pub enum Enrolled {
    /// The password is set; the holder signs in with it.
    Done,
    /// The link is not live (unknown, expired, used or voided).
    LinkInvalid,
}

/// Sets the password of the account an enrolment link opens, with the rules of any new
/// password, and uses the link up.
pub async fn enrol(
    state: &AppState,
    tenant: TenantId,
    token: &str,
    new_password: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<Enrolled, ServiceError> {
    let Some(user) = enrolment_account(state, tenant, token).await? else {
        return Ok(Enrolled::LinkInvalid);
    };
    let mut errors = FieldErrors::new();
    errors.take(
        "new_password",
        password::check_new_password(new_password, &user.username, user.has_second_factor),
    );
    if new_password != confirm {
        errors.add("confirm_password", "error-password-mismatch");
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    let hash = state.hasher.hash(new_password).await?;
    match enrolment_links::redeem(
        &state.store,
        tenant,
        &crate::auth::token_hash(token),
        &hash,
        meta,
    )
    .await
    {
        Ok(_) => Ok(Enrolled::Done),
        // Used or voided while the password was being hashed.
        Err(StoreError::NotFound) => Ok(Enrolled::LinkInvalid),
        Err(e) => Err(e.into()),
    }
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
    version: Option<i64>,
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
    // Asked for only once the caller may change accounts at all.
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
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
