//! Retention: the DPO reads and sets how long each kind of record is kept; the job worker
//! disposes of what is past its period, tenant by tenant, with an audit row per record.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::inclusion::retention::{RecordType, parse_days};
use elkarlan_domain::policy::{Action, Actor, Grant, SystemTask, Target};
use elkarlan_domain::{FieldErrors, TenantId, Timestamp};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::retention::{self, Disposed, Period};
use elkarlan_store::{Store, tenants};

pub async fn periods(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Period>, ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    authorize(state, actor, Action::ManageRetention, target, meta).await?;
    Ok(retention::periods(&state.store, actor.tenant).await?)
}

/// Sets the periods given as (record type code, days) pairs; every pair is checked before
/// anything is saved, and errors are keyed by the record type's code.
pub async fn set_periods(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &[(String, String)],
) -> Result<(), ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    let grant = authorize(state, actor, Action::ManageRetention, target, meta).await?;
    let mut e = FieldErrors::new();
    let mut parsed = Vec::new();
    for (code, days) in input {
        match RecordType::parse(code) {
            Ok(t) => {
                if let Some(d) = e.take(t.code(), parse_days(days)) {
                    parsed.push((t, d));
                }
            }
            Err(key) => e.add(code, key),
        }
    }
    if input.is_empty() {
        e.add("periods", "error-record-type");
    }
    e.into_result().map_err(ServiceError::Invalid)?;
    retention::set_periods(&state.store, &grant, meta, actor.user, &parsed).await?;
    Ok(())
}

/// Applies every tenant's periods as of `now`. Used by the worker and `elkarlan retention apply`.
pub async fn apply_all(
    store: &Store,
    now: Timestamp,
) -> Result<Vec<(TenantId, Disposed)>, ServiceError> {
    let mut out = Vec::new();
    for tenant in tenants::all(store).await? {
        let grant = Grant::system(tenant.id, SystemTask::Worker, Action::ApplyRetention);
        out.push((tenant.id, retention::apply(store, &grant, now).await?));
    }
    Ok(out)
}
