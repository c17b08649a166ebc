//! The DPO's view of the audit trail. Reading it is itself recorded.

use super::{audit_read, authorize};
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_store::audit::{self, AuditEvent, AuditFilter, RequestMeta};

pub async fn list(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditEvent>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewAuditTrail,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let rows = audit::list(&state.store, actor.tenant, filter, limit).await?;
    audit_read(
        state,
        &grant,
        "audit_event",
        None,
        meta,
        serde_json::json!({"actor": filter.actor, "action": filter.action, "entity_type": filter.entity_type, "rows": rows.len()}),
    )
    .await?;
    Ok(rows)
}
