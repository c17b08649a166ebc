//! What a receiving service can take: open places, waiting list and expected wait, published by
//! its own professionals and shown to whoever makes a referral, so nobody is sent to a dead end.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::FieldErrors;
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::referrals::{self, Capacity};

/// Bounds that catch typing errors without limiting any real service.
const MAX_PLACES: i64 = 100_000;
const MAX_WAIT_DAYS: i64 = 3650;

fn count(e: &mut FieldErrors, field: &str, value: &str, max: i64) -> i64 {
    match value.trim().parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => n,
        Ok(_) => {
            e.add(field, "error-capacity-range");
            0
        }
        Err(_) => {
            e.add(field, "error-capacity-number");
            0
        }
    }
}

/// The figures as typed in a form or sent by the API.
#[derive(Clone, Debug, Default)]
pub struct CapacityInput {
    pub open_places: String,
    pub waiting_list: String,
    pub expected_wait_days: String,
}

/// What the actor's own agency publishes now, if anything.
pub async fn own(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Option<Capacity>, ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    authorize(state, actor, Action::PublishCapacity, target, meta).await?;
    let Some(agency) = actor.agency else {
        return Ok(None);
    };
    Ok(referrals::capacity(&state.store, agency).await?)
}

pub async fn publish(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &CapacityInput,
) -> Result<(), ServiceError> {
    let target = Target::tenant_wide(actor.tenant);
    let grant = authorize(state, actor, Action::PublishCapacity, target, meta).await?;
    let mut e = FieldErrors::new();
    let open = count(&mut e, "open_places", &input.open_places, MAX_PLACES);
    let waiting = count(&mut e, "waiting_list", &input.waiting_list, MAX_PLACES);
    let wait = count(
        &mut e,
        "expected_wait_days",
        &input.expected_wait_days,
        MAX_WAIT_DAYS,
    );
    let Some(agency) = actor.agency else {
        e.add("open_places", "error-agency-required");
        return Err(ServiceError::Invalid(e));
    };
    e.into_result().map_err(ServiceError::Invalid)?;
    referrals::set_capacity(&state.store, &grant, meta, agency, open, waiting, wait).await?;
    Ok(())
}
