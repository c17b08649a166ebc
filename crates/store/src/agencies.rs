//! Agencies: teams of a public system (or an entity) that professionals belong to.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AgencyId, AreaId, TenantId, Timestamp};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub name_eu: String,
    pub name_es: String,
    pub system: PublicSystem,
    pub area_id: Option<AreaId>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug)]
pub struct NewAgency {
    pub name: BilingualName,
    pub system: PublicSystem,
    pub area_id: Option<AreaId>,
    pub email: Option<String>,
}

macro_rules! agency_from_row {
    ($r:expr) => {{
        let system: String = $r.try_get("system")?;
        Agency {
            id: AgencyId($r.try_get("id")?),
            name_eu: $r.try_get("name_eu")?,
            name_es: $r.try_get("name_es")?,
            system: PublicSystem::parse(&system)
                .map_err(|_| sqlx::Error::Decode(format!("system {system}").into()))?,
            area_id: $r.try_get::<Option<uuid::Uuid>, _>("area_id")?.map(AreaId),
            email: $r.try_get("email")?,
            active: $r.try_get("active")?,
            version: $r.try_get("version")?,
        }
    }};
}

pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    new: &NewAgency,
) -> Result<Agency> {
    let mut tx = store.begin_write().await?;
    let agency = create_in(&mut tx, grant, meta, new).await?;
    tx.commit().await?;
    Ok(agency)
}

/// Creates an agency inside an open transaction (with its audit row).
pub async fn create_in(
    tx: &mut crate::Tx,
    grant: &Grant,
    meta: &RequestMeta,
    new: &NewAgency,
) -> Result<Agency> {
    let id = AgencyId::new();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO agencies (id, tenant_id, name_eu, name_es, system, area_id, email, active, version, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1,$9,$9)")
        .bind(id.0).bind(grant.tenant().0).bind(&new.name.eu).bind(&new.name.es).bind(new.system.code())
        .bind(new.area_id.map(|a| a.0)).bind(&new.email).bind(true).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "agency", Some(id.to_string()), meta).with_detail(
        serde_json::json!({
            "name_eu": new.name.eu, "name_es": new.name.es, "system": new.system.code()
        }),
    );
    crate::audit::append(tx, &[ev]).await?;
    Ok(Agency {
        id,
        name_eu: new.name.eu.clone(),
        name_es: new.name.es.clone(),
        system: new.system,
        area_id: new.area_id,
        email: new.email.clone(),
        active: true,
        version: 1,
    })
}

pub async fn list(store: &Store, tenant: TenantId) -> Result<Vec<Agency>> {
    const SQL: &str = "SELECT id, name_eu, name_es, system, area_id, email, active, version FROM agencies WHERE tenant_id = $1 ORDER BY system, name_es";
    on_pool!(store, p => {
        let rows = sqlx::query(SQL).bind(tenant.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(agency_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn get(store: &Store, tenant: TenantId, id: AgencyId) -> Result<Agency> {
    const SQL: &str = "SELECT id, name_eu, name_es, system, area_id, email, active, version FROM agencies WHERE tenant_id = $1 AND id = $2";
    on_pool!(store, p => {
        let r = sqlx::query(SQL).bind(tenant.0).bind(id.0).fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(agency_from_row!(r))
    })
}
