//! The tenant's reference data, which pages show beside records: its neighbourhoods and
//! districts, the agencies of the public systems, the versions of the assessment instrument,
//! staff names, and the names of organisations and social clauses offered in choice lists. No
//! person's data is here, so reading it asks no decision beyond being in the tenant (the
//! public neighbourhood pages show the territory to anyone); what a page does with it is
//! decided by the service that gave the page its record.

use crate::AppState;
use elkarlan_domain::inclusion::instrument::Instrument;
use elkarlan_domain::{AgencyId, OrganisationId, SocialClauseId, TenantId, UserId};
use elkarlan_store::StoreError;
use elkarlan_store::agencies::{self, Agency};
use elkarlan_store::territory::{self, Area};
use elkarlan_store::{commitments, instruments, organisations, tenants, users};

/// The tenant's districts and neighbourhoods.
pub async fn areas(state: &AppState, tenant: TenantId) -> Result<Vec<Area>, StoreError> {
    territory::list(&state.store, tenant).await
}

/// The tenant's agencies, to name them.
pub async fn agencies(state: &AppState, tenant: TenantId) -> Result<Vec<Agency>, StoreError> {
    agencies::list(&state.store, tenant).await
}

/// One agency of the tenant, to name it.
pub async fn agency(
    state: &AppState,
    tenant: TenantId,
    id: AgencyId,
) -> Result<Agency, StoreError> {
    agencies::get(&state.store, tenant, id).await
}

/// The tenant an INE municipality code names, if it is served here.
pub async fn tenant_by_ine_code(
    state: &AppState,
    ine: &str,
) -> Result<Option<TenantId>, StoreError> {
    Ok(tenants::by_ine_code(&state.store, ine).await?.map(|t| t.id))
}

/// Every version of the tenant's assessment instrument, oldest first.
pub async fn instruments(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<Instrument>, StoreError> {
    instruments::all(&state.store, tenant).await
}

/// The version of the assessment instrument new assessments use.
pub async fn current_instrument(
    state: &AppState,
    tenant: TenantId,
) -> Result<Instrument, StoreError> {
    instruments::current(&state.store, tenant).await
}

/// A member of staff's display name (a case's lead, an author), or `None` when unknown.
pub async fn staff_name(state: &AppState, tenant: TenantId, id: UserId) -> Option<String> {
    users::get(&state.store, tenant, id)
        .await
        .ok()
        .map(|u| u.display_name)
}

/// The organisations of the directory by name, for a choice list.
pub async fn organisation_choices(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<(OrganisationId, String)>, StoreError> {
    organisations::choices(&state.store, tenant).await
}

/// The social clauses of the tenant's contracts by name, for a choice list.
pub async fn clause_choices(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<(SocialClauseId, String)>, StoreError> {
    commitments::clause_choices(&state.store, tenant).await
}
