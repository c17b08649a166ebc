//! Elkarlan's application layer: each call asks the policy, parses the input into domain types,
//! calls the store and records reads of personal data in the access log. The HTML pages and the
//! JSON API are two adapters over these services and never reach the store themselves: the web
//! crate does not depend on `elkarlan-store`, so "no read without a decision" is a fact Cargo
//! checks. This crate knows no HTTP: no request, header, cookie or status code appears here.
//!
//! Besides the services of each capability it holds what they share: [`AppState`] (the store,
//! the read auditor, the settings, the password hasher), [`error::ServiceError`], [`auth`]
//! (passwords, tokens, second factors, sealed secrets), the [`worker`] that runs the jobs and
//! the periodic housekeeping, and the HSDS export ([`hsds`]).

pub mod auth;
pub mod config;
pub mod error;
pub mod hsds;
pub mod models;
pub mod operations;
pub mod reference;
pub mod sessions;
pub mod state;
pub mod worker;

pub use config::WebConfig;
pub use state::AppState;

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

use crate::error::ServiceError;
use elkarlan_domain::policy::{self, Action, Actor, Grant, Target};
use elkarlan_domain::{
    CaseId, EnrolmentId, ItineraryId, PersonId, PlacementId, ReferralId, TenantId,
};
use elkarlan_store::audit::{NewEvent, RequestMeta};

/// The record an action is about, and the person it belongs to. A refusal names it in the
/// trail (the DPO sees who tried to reach whom; the caller's answer does not change), and a
/// read lands in that person's access log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct About {
    pub entity: &'static str,
    pub id: uuid::Uuid,
    pub person: PersonId,
}

impl About {
    pub fn person(person: PersonId) -> Self {
        Self {
            entity: "person",
            id: person.0,
            person,
        }
    }

    pub fn case(case: &elkarlan_store::cases::Case) -> Self {
        Self {
            entity: "case",
            id: case.id.0,
            person: case.person_id,
        }
    }

    pub fn record(entity: &'static str, id: uuid::Uuid, person: PersonId) -> Self {
        Self { entity, id, person }
    }

    /// The person's record a request path names (see `extract::path_record`), found in the
    /// actor's tenant; `None` when there is no such record (an unknown id names nobody).
    async fn of_path(
        state: &AppState,
        tenant: TenantId,
        entity: &'static str,
        id: uuid::Uuid,
    ) -> Result<Option<Self>, ServiceError> {
        use elkarlan_store::{cases, itineraries, people, referrals};
        let store = &state.store;
        let person = match entity {
            "person" => people::get(store, tenant, PersonId(id)).await.map(|p| p.id),
            "case" => cases::get(store, tenant, CaseId(id))
                .await
                .map(|c| c.person_id),
            "referral" => referrals::get(store, tenant, ReferralId(id))
                .await
                .map(|r| r.person_id),
            "itinerary" => itineraries::get_itinerary(store, tenant, ItineraryId(id))
                .await
                .map(|i| i.person_id),
            "placement" => itineraries::get_placement(store, tenant, PlacementId(id))
                .await
                .map(|p| p.person_id),
            "enrolment" => itineraries::get_enrolment(store, tenant, EnrolmentId(id))
                .await
                .map(|e| e.person_id),
            "subject_access_request" => elkarlan_store::subject_access::request(store, tenant, id)
                .await
                .map(|r| r.person_id),
            _ => return Ok(None),
        };
        match person {
            Ok(person) => Ok(Some(Self::record(entity, id, person))),
            Err(elkarlan_store::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

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

/// The response stored for this caller's `Idempotency-Key`, if a request with that key was
/// answered before, and the hash of this request's body to compare with the stored one (a key
/// reused with another body is refused by the adapter).
pub async fn idempotent_replay(
    state: &AppState,
    actor: &Actor,
    key: &str,
    body: &[u8],
) -> Result<(Vec<u8>, Option<elkarlan_store::idempotency::Stored>), elkarlan_store::StoreError> {
    let hash = elkarlan_store::sha256(body);
    let stored =
        elkarlan_store::idempotency::find(&state.store, actor.tenant, actor.user, key).await?;
    Ok((hash, stored))
}

/// Stores an idempotent create's response with its key, in the create's transaction: a
/// concurrent request with the same key fails on the key's primary key and writes nothing.
pub async fn save_idempotent<T>(
    tx: &mut elkarlan_store::Tx,
    actor: &Actor,
    idem: IdempotentCreate<'_, T>,
    created: &T,
) -> Result<(), ServiceError> {
    if let Some((idem, respond)) = idem {
        let (status, body) = respond(created);
        elkarlan_store::idempotency::save(
            tx,
            actor.tenant,
            actor.user,
            idem.key,
            &idem.request_hash,
            status,
            &body,
        )
        .await?;
    }
    Ok(())
}

/// Whether the policy allows `action` on the actor's tenant, to decide whether a page shows a
/// link or a button. Never a refusal: the service that acts decides again, and audits.
pub fn permits(actor: &Actor, action: Action) -> bool {
    policy::decide(actor, action, Target::tenant_wide(actor.tenant)).is_ok()
}

/// The tenant-wide decision a form page asks before it is shown: a refusal is audited as any
/// other.
pub async fn authorize_form(
    state: &AppState,
    actor: &Actor,
    action: Action,
    meta: &RequestMeta,
) -> Result<(), ServiceError> {
    authorize(
        state,
        actor,
        action,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
    .map(|_| ())
}

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

/// `authorize` on one person's record: a refusal is recorded with the record and the person.
pub async fn authorize_about(
    state: &AppState,
    actor: &Actor,
    action: Action,
    target: Target,
    about: About,
    meta: &RequestMeta,
) -> Result<Grant, ServiceError> {
    match policy::decide(actor, action, target) {
        Ok(g) => Ok(g),
        Err(denied) => Err(refuse_about(state, actor, action, meta, denied, Some(about)).await),
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
    refuse_about(state, actor, action, meta, denied, None).await
}

/// `refuse`, naming the record and the person that were asked for, so the refusal is in the
/// person's access log for the DPO. Without a record named by the caller, the one the
/// request's path names is used: a refusal by role on a person's page (the DPO's pages, the
/// forms of actions a role never has) is as attributable as one by relationship.
pub async fn refuse_about(
    state: &AppState,
    actor: &Actor,
    action: Action,
    meta: &RequestMeta,
    denied: policy::Denied,
    about: Option<About>,
) -> ServiceError {
    let about = match about {
        Some(a) => Some(a),
        None => match meta.path_record {
            Some((entity, id)) => match About::of_path(state, actor.tenant, entity, id).await {
                Ok(a) => a,
                Err(e) => return e,
            },
            None => None,
        },
    };
    let ev = NewEvent {
        tenant: actor.tenant,
        actor_id: Some(actor.user),
        actor_name: actor.username.clone(),
        actor_role: Some(actor.role.code().to_owned()),
        actor_agency: actor.agency.map(|a| a.0),
        action: action.code().to_owned(),
        entity_type: about.map_or("authorization", |a| a.entity),
        entity_id: about.map(|a| a.id.to_string()),
        subject_id: about.map(|a| a.person.to_string()),
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

/// Records a read of one person's data, in their access log, before it is served.
pub async fn audit_person_read(
    state: &AppState,
    grant: &Grant,
    about: About,
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let ev = NewEvent::from_grant(grant, about.entity, Some(about.id.to_string()), meta)
        .with_subject(about.person.to_string())
        .with_detail(detail);
    state.auditor.record(ev).await.map_err(ServiceError::from)
}

/// Records one read that showed several people (a list, a roster, a download): one row per
/// person, committed together, so each person's access log lists it.
pub async fn audit_people_read(
    state: &AppState,
    grant: &Grant,
    entity_type: &'static str,
    entity_id: Option<String>,
    people: &[PersonId],
    meta: &RequestMeta,
    detail: serde_json::Value,
) -> Result<(), ServiceError> {
    let mut seen = std::collections::BTreeSet::new();
    let events: Vec<NewEvent> = people
        .iter()
        .filter(|p| seen.insert(**p))
        .map(|p| {
            NewEvent::from_grant(grant, entity_type, entity_id.clone(), meta)
                .with_subject(p.to_string())
                .with_detail(detail.clone())
        })
        .collect();
    if events.is_empty() {
        return audit_read(state, grant, entity_type, entity_id, meta, detail).await;
    }
    state
        .auditor
        .record_all(events)
        .await
        .map_err(ServiceError::from)
}
