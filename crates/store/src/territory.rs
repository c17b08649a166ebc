//! Districts and neighbourhoods of a tenant's territory.

use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::territory::{AreaKind, TerritoryRow};
use elkarlan_domain::{AreaId, TenantId};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Area {
    pub id: AreaId,
    pub kind: &'static str,
    pub code: String,
    pub parent_id: Option<AreaId>,
    pub name_eu: String,
    pub name_es: String,
}

impl Area {
    /// The area's name in `lang`: Basque for Basque, Spanish otherwise.
    pub fn name(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.name_eu
        } else {
            &self.name_es
        }
    }
}

fn kind_code(k: AreaKind) -> &'static str {
    match k {
        AreaKind::District => "district",
        AreaKind::Neighbourhood => "neighbourhood",
    }
}

/// Loads districts and neighbourhoods in one transaction; rows already present are kept.
pub async fn load(store: &Store, grant: &Grant, rows: &[TerritoryRow]) -> Result<usize> {
    let tenant = grant.tenant();
    let mut tx = store.begin_write().await?;
    let mut added = 0usize;
    for row in rows {
        let district = upsert(
            &mut tx,
            tenant,
            AreaKind::District,
            &row.district_code,
            None,
            &row.district.eu,
            &row.district.es,
        )
        .await?;
        upsert(
            &mut tx,
            tenant,
            AreaKind::Neighbourhood,
            &row.neighbourhood_code,
            Some(district),
            &row.neighbourhood.eu,
            &row.neighbourhood.es,
        )
        .await?;
        added += 1;
    }
    let ev = crate::audit::NewEvent::from_grant(grant, "territory", None, &Default::default())
        .with_detail(serde_json::json!({"neighbourhoods": added}));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(added)
}

async fn upsert(
    tx: &mut crate::Tx,
    tenant: TenantId,
    kind: AreaKind,
    code: &str,
    parent: Option<AreaId>,
    eu: &str,
    es: &str,
) -> Result<AreaId> {
    let id = AreaId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO areas (id, tenant_id, kind, code, parent_id, name_eu, name_es) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (tenant_id, kind, code) DO NOTHING")
        .bind(id.0).bind(tenant.0).bind(kind_code(kind)).bind(code).bind(parent.map(|p| p.0)).bind(eu).bind(es)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let existing: uuid::Uuid = on_tx!(tx, c => sqlx::query("SELECT id FROM areas WHERE tenant_id = $1 AND kind = $2 AND code = $3")
        .bind(tenant.0).bind(kind_code(kind)).bind(code).fetch_one(c).await?.get(0));
    Ok(AreaId(existing))
}

/// Every area of the tenant, districts first, by code.
pub async fn list(store: &Store, tenant: TenantId) -> Result<Vec<Area>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, kind, code, parent_id, name_eu, name_es FROM areas WHERE tenant_id = $1 ORDER BY kind, code")
            .bind(tenant.0).fetch_all(p).await?;
        rows.iter().map(|r| {
            let kind: String = r.try_get(1)?;
            Ok(Area {
                id: AreaId(r.try_get(0)?),
                kind: if kind == "district" { "district" } else { "neighbourhood" },
                code: r.try_get(2)?,
                parent_id: r.try_get::<Option<uuid::Uuid>, _>(3)?.map(AreaId),
                name_eu: r.try_get(4)?,
                name_es: r.try_get(5)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
