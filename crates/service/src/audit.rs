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

/// The searches of the people registry that looked for a name: the DPO types it, it is
/// normalised and hashed as searches are (`auth::search_term_hashes`), and every search whose
/// terms include all of it is listed, newest first. The name itself is not kept: the DPO's
/// own row records how many terms were asked and how many searches were found.
pub async fn who_searched(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    name: &str,
) -> Result<Vec<AuditEvent>, ServiceError> {
    let grant = authorize(
        state,
        actor,
        Action::ViewAuditTrail,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    let key = elkarlan_domain::search::search_key(name);
    if key.chars().filter(|c| !c.is_whitespace()).count() < 2 {
        let mut e = elkarlan_domain::FieldErrors::new();
        e.add("name", "error-search-short");
        return Err(ServiceError::Invalid(e));
    }
    let hashes = crate::auth::search_term_hashes(&state.config.secret_key.0, actor.tenant, name);
    let terms: Vec<String> = key.split_whitespace().map(str::to_owned).collect();
    let rows = audit::searches_for(
        &state.store,
        actor.tenant,
        Action::SearchPeople.code(),
        &hashes,
        &terms,
        500,
    )
    .await?;
    audit_read(
        state,
        &grant,
        "audit_event",
        None,
        meta,
        serde_json::json!({"name_search": {"terms": terms.len()}, "rows": rows.len()}),
    )
    .await?;
    Ok(rows)
}

/// How many people a search listed, as its audit row recorded it.
pub fn search_results(e: &AuditEvent) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(&e.detail)
        .ok()
        .and_then(|d| d.get("results").and_then(serde_json::Value::as_i64))
}
