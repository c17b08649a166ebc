//! Agencies of the public systems and entities.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{AreaId, FieldErrors};
use elkarlan_store::agencies::{self, Agency, NewAgency};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::{StoreError, territory};

#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgencyInput {
    pub name_eu: String,
    pub name_es: String,
    /// One of the public system codes (employment_income, social_services, ...).
    pub system: String,
    /// Neighbourhood id, or empty for city-wide.
    #[serde(default)]
    pub area: String,
}

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
    let mut errors = FieldErrors::new();
    let name = match BilingualName::parse(&input.name_eu, &input.name_es) {
        Ok(n) => Some(n),
        Err(list) => {
            for (f, k) in list {
                errors.add(f, k);
            }
            None
        }
    };
    let system = errors.take("system", PublicSystem::parse(input.system.trim()));
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
                errors.add("area", "error-area-unknown");
                None
            }
        }
    };
    let (Some(name), Some(system)) = (name, system) else {
        return Err(ServiceError::Invalid(errors));
    };
    errors.into_result().map_err(ServiceError::Invalid)?;
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
