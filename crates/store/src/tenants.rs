//! Tenants: the municipalities an installation hosts. Every other table carries `tenant_id`.

use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::territory::IneCode;
use elkarlan_domain::{TenantId, Timestamp};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub ine_code: String,
    pub name_eu: String,
    pub name_es: String,
}

/// Creates a tenant and its audit chain. Tenants are created by the operator or the demo loader,
/// before any user exists, so the creation is the first row of the tenant's own chain.
pub async fn create(store: &Store, ine: &IneCode, name_eu: &str, name_es: &str) -> Result<Tenant> {
    let t = Tenant {
        id: TenantId::new(),
        ine_code: ine.as_str().to_owned(),
        name_eu: name_eu.into(),
        name_es: name_es.into(),
    };
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO tenants (id, ine_code, name_eu, name_es, created_at) VALUES ($1,$2,$3,$4,$5)")
        .bind(t.id.0).bind(&t.ine_code).bind(&t.name_eu).bind(&t.name_es).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::init_head(&mut tx, t.id).await?;
    let ev = crate::audit::NewEvent {
        tenant: t.id,
        actor_id: None,
        actor_name: elkarlan_domain::policy::SystemTask::Bootstrap
            .code()
            .to_owned(),
        actor_role: None,
        actor_agency: None,
        action: "tenant.create".into(),
        entity_type: "tenant",
        entity_id: Some(t.id.to_string()),
        subject_id: None,
        basis: elkarlan_domain::policy::SystemTask::Bootstrap
            .code()
            .to_owned(),
        outcome: "ok",
        meta: Default::default(),
        detail: serde_json::json!({"ine_code": t.ine_code, "name_eu": t.name_eu, "name_es": t.name_es}),
    };
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(t)
}

pub async fn by_ine_code(store: &Store, ine: &str) -> Result<Option<Tenant>> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT id, ine_code, name_eu, name_es FROM tenants WHERE ine_code = $1").bind(ine).fetch_optional(p).await?;
        Ok(r.map(|r| Tenant { id: TenantId(r.get(0)), ine_code: r.get(1), name_eu: r.get(2), name_es: r.get(3) }))
    })
}

pub async fn all(store: &Store) -> Result<Vec<Tenant>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, ine_code, name_eu, name_es FROM tenants ORDER BY ine_code").fetch_all(p).await?;
        Ok::<_, StoreError>(rows.iter().map(|r| Tenant { id: TenantId(r.get(0)), ine_code: r.get(1), name_eu: r.get(2), name_es: r.get(3) }).collect())
    })
}
