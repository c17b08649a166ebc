//! The application services: each call asks the policy, validates the input into domain types,
//! calls the store and records reads of personal data. HTML and API handlers both call these.

pub mod account;
pub mod agencies;
pub mod agreements;
pub mod audit;
pub mod capacity;
pub mod casework;
pub mod ecosystem;
pub mod employment;
pub mod inclusion;
pub mod instruments;
pub mod procurement;
pub mod projects;
pub mod reports;
pub mod retention;
pub mod signin;
pub mod users;

use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::policy::{self, Action, Actor, Grant, Target};
use elkarlan_store::audit::{NewEvent, RequestMeta};

/// Idempotency for API creates: the key, the hash of the request body, and how to render the
/// response that is stored with the key in the create's transaction.
pub struct Idempotent<'a> {
    pub key: &'a str,
    pub request_hash: Vec<u8>,
}

/// Renders the stored response (status, body) for a created record.
pub type Respond<'a, T> = &'a (dyn Fn(&T) -> (u16, String) + Sync);

/// `Some` when the request carried an `Idempotency-Key`.
pub type IdempotentCreate<'a, T> = Option<(Idempotent<'a>, Respond<'a, T>)>;

/// Decides an action on tenant-wide data; records the refusal in the audit trail when denied.
pub async fn authorize(
    state: &AppState,
    actor: &Actor,
    action: Action,
    target: Target,
    meta: &RequestMeta,
) -> Result<Grant, ServiceError> {
    match policy::decide(actor, action, target) {
        Ok(g) => Ok(g),
        Err(denied) => Err(refuse(state, actor, action, meta, denied).await),
    }
}

/// `authorize` on data of the actor's whole tenant (no person, no agency): projects, the
/// ecosystem, agreements, indicators.
pub async fn authorize_tenant_wide(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    action: Action,
) -> Result<Grant, ServiceError> {
    authorize(
        state,
        actor,
        action,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
}

/// Records a refusal in the audit trail (with the reads, in a group commit) and returns it as
/// the error to answer with.
pub async fn refuse(
    state: &AppState,
    actor: &Actor,
    action: Action,
    meta: &RequestMeta,
    denied: policy::Denied,
) -> ServiceError {
    let ev = NewEvent {
        tenant: actor.tenant,
        actor_id: Some(actor.user),
        actor_name: actor.username.clone(),
        actor_role: Some(actor.role.code().to_owned()),
        actor_agency: actor.agency.map(|a| a.0),
        action: action.code().to_owned(),
        entity_type: "authorization",
        entity_id: None,
        subject_id: None,
        basis: "none".into(),
        outcome: "denied",
        meta: meta.clone(),
        detail: serde_json::json!({"reason": denied.reason}),
    };
    match state.auditor.record(ev).await {
        Ok(()) => ServiceError::Forbidden(denied),
        Err(e) => e.into(),
    }
}

/// A refusal met on the way to a record that names a person (an enrolment reached through its
/// course): answered as a record that does not exist, like every refusal on a person's record.
pub fn conceal(e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Forbidden(d) => {
            ServiceError::Forbidden(policy::Denied { conceal: true, ..d })
        }
        other => other,
    }
}

/// Records a read of personal data; the caller serves the data only after this returns.
pub async fn audit_read(
    state: &AppState,
    grant: &Grant,
    entity_type: &'static str,
    entity_id: Option<String>,
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let ev = NewEvent::from_grant(grant, entity_type, entity_id, meta).with_detail(detail);
    state.auditor.record(ev).await.map_err(ServiceError::from)
}
