//! Versions of the needs-assessment instrument a tenant added after the built-in version 1.
//! Versions are only ever added, so an assessment always reads with the domains it was made on.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::inclusion::instrument::{Instrument, LifeDomain, default_instrument};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{TenantId, Timestamp, UserId};
use sqlx::Row;

fn decode(version: i64, domains: &str) -> Result<Instrument> {
    let domains: Vec<LifeDomain> = serde_json::from_str(domains)
        .map_err(|e| StoreError::corrupt(format!("instrument domains ({e})"), version))?;
    Ok(Instrument {
        version: u32::try_from(version).unwrap_or(0),
        domains,
    })
}

/// Every version, oldest first, the built-in version 1 included.
pub async fn all(store: &Store, tenant: TenantId) -> Result<Vec<Instrument>> {
    let rows: Vec<(i64, String)> = on_pool!(store, p => sqlx::query("SELECT version, domains FROM assessment_instruments WHERE tenant_id = $1 ORDER BY version")
        .bind(tenant.0).fetch_all(p).await?.iter().map(|r| (r.get(0), r.get(1))).collect());
    let mut out = vec![default_instrument()];
    for (v, d) in rows {
        out.push(decode(v, &d)?);
    }
    Ok(out)
}

/// The version new assessments use: the latest.
pub async fn current(store: &Store, tenant: TenantId) -> Result<Instrument> {
    Ok(all(store, tenant)
        .await?
        .pop()
        .unwrap_or_else(default_instrument))
}

/// One version, if it exists.
pub async fn version(store: &Store, tenant: TenantId, version: i64) -> Result<Option<Instrument>> {
    Ok(all(store, tenant)
        .await?
        .into_iter()
        .find(|i| i64::from(i.version) == version))
}

/// Adds the next version with these domains; returns its number. The number is taken inside
/// the write transaction, so two administrators adding at once get two versions.
pub async fn add(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    by: UserId,
    domains: &[LifeDomain],
) -> Result<u32> {
    let json = serde_json::to_string(domains)
        .map_err(|e| StoreError::corrupt(format!("instrument domains ({e})"), "new version"))?;
    let mut tx = store.begin_write().await?;
    let latest: Option<i64> = on_tx!(&mut tx, c => sqlx::query("SELECT MAX(version) FROM assessment_instruments WHERE tenant_id = $1")
        .bind(grant.tenant().0).fetch_one(c).await.and_then(|r| r.try_get(0)))?;
    let next = latest.unwrap_or(1) + 1;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO assessment_instruments (tenant_id, version, domains, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(grant.tenant().0).bind(next).bind(&json).bind(by.0).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let codes: Vec<&str> = domains.iter().map(|d| d.code.as_str()).collect();
    let ev = NewEvent::from_grant(grant, "assessment_instrument", Some(next.to_string()), meta)
        .with_detail(serde_json::json!({ "version": next, "domains": codes }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(u32::try_from(next).unwrap_or(0))
}
