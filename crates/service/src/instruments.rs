//! The needs-assessment instrument: every version is readable by those who assess and by the
//! administrators who add versions. Adding one never changes earlier assessments.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::inclusion::instrument::{Instrument, LifeDomainInput, parse_instrument};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::instruments;

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Instrument>, ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    authorize(state, actor, Action::ViewInstruments, target, meta).await?;
    Ok(instruments::all(&state.store, actor.tenant).await?)
}

/// Adds the next version; returns its number.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    domains: &[LifeDomainInput],
) -> Result<u32, ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    let grant = authorize(state, actor, Action::ManageInstruments, target, meta).await?;
    // The number shown in errors is indicative; the store takes the real one in its transaction.
    let parsed = parse_instrument(0, domains).map_err(ServiceError::Invalid)?;
    Ok(instruments::add(&state.store, &grant, meta, actor.user, &parsed.domains).await?)
}
