//! Agencies of the public systems and entities.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::organisation::AgencyDraft;
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{AreaId, FieldErrors};
use elkarlan_store::agencies::{self, Agency, NewAgency};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{StoreError, territory};

/// The body of a new agency; parsed in the domain.
pub use elkarlan_domain::organisation::AgencyInput as NewAgencyInput;

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Agency>, ServiceError> {
    authorize(
        state,
        actor,
        Action::ListAgencies,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    Ok(agencies::list(&state.store, actor.tenant).await?)
}

pub fn can_create(actor: &Actor) -> bool {
    elkarlan_domain::policy::decide(
        actor,
        Action::CreateAgency,
        Target::tenant_wide(actor.tenant),
    )
    .is_ok()
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &NewAgencyInput,
    idem: super::IdempotentCreate<'_, Agency>,
) -> Result<Agency, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::CreateAgency,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    // The area needs the territory, so it is checked here; its error follows the parsed fields'.
    let mut area_errors = FieldErrors::new();
    let area = if input.area.trim().is_empty() {
        None
    } else {
        let areas = territory::list(&state.store, actor.tenant).await?;
        match input.area.trim().parse::<AreaId>().ok().filter(|id| {
            areas
                .iter()
                .any(|a| a.id == *id && a.kind == "neighbourhood")
        }) {
            Some(id) => Some(id),
            None => {
                area_errors.add("area", "error-area-unknown");
                None
            }
        }
    };
    let AgencyDraft { name, system } = match input.parse() {
        Ok(d) if area_errors.is_empty() => d,
        Ok(_) => return Err(ServiceError::Invalid(area_errors)),
        Err(mut e) => {
            e.0.extend(area_errors.0);
            return Err(ServiceError::Invalid(e));
        }
    };
    let mut tx = state.store.begin_write().await?;
    let agency = match agencies::create_in(
        &mut tx,
        &grant,
        meta,
        &NewAgency {
            name,
            system,
            area_id: area,
            email: None,
        },
    )
    .await
    {
        Ok(a) => a,
        Err(StoreError::Conflict(_)) => {
            return Err(ServiceError::Conflict {
                field: "name_es",
                key: "error-name-taken",
            });
        }
        Err(e) => return Err(e.into()),
    };
    if let Some((idem, respond)) = idem {
        let (status, body) = respond(&agency);
        elkarlan_store::idempotency::save(
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
    Ok(agency)
}
