//! Consent records (after ISO/IEC TS 27560): purpose, recipients, data categories, evidence,
//! who recorded it; given, withdrawn or expired. Withdrawal is a new fact, never a deletion.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::inclusion::consent::{ConsentScope, DataCategory};
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{ConsentId, PersonId, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Consent {
    pub id: ConsentId,
    pub person_id: PersonId,
    pub purpose: String,
    pub recipients: Vec<PublicSystem>,
    pub categories: Vec<DataCategory>,
    pub evidence: String,
    pub given_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub recorded_by: UserId,
    pub version: i64,
}

impl Consent {
    pub fn scope(&self) -> ConsentScope {
        ConsentScope {
            recipients: self.recipients.clone(),
            categories: self.categories.clone(),
            given_at: self.given_at,
            expires_at: self.expires_at,
            withdrawn_at: self.withdrawn_at,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NewConsent {
    pub person_id: PersonId,
    pub purpose: String,
    pub recipients: Vec<PublicSystem>,
    pub categories: Vec<DataCategory>,
    pub evidence: String,
    pub expires_at: Option<Timestamp>,
}

fn codes<T: Copy>(items: &[T], code: fn(T) -> &'static str) -> String {
    items.iter().map(|i| code(*i)).collect::<Vec<_>>().join(",")
}

pub async fn record(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    recorded_by: UserId,
    new: &NewConsent,
) -> Result<ConsentId> {
    let id = ConsentId::new();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO consents (id, tenant_id, person_id, purpose, recipients, categories, evidence, given_at, expires_at, withdrawn_at, recorded_by, recorded_agency, version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,NULL,$10,$11,1)")
        .bind(id.0).bind(grant.tenant().0).bind(new.person_id.0).bind(&new.purpose)
        .bind(codes(&new.recipients, PublicSystem::code)).bind(codes(&new.categories, DataCategory::code)).bind(&new.evidence)
        .bind(Timestamp::now().micros()).bind(new.expires_at.map(Timestamp::micros)).bind(recorded_by.0).bind(grant.agency().map(|a| a.0))
        .execute(c).await.map(|r| r.rows_affected()))?;
    // The purpose is the person's own words and stays in the consent record.
    let ev = NewEvent::from_grant(grant, "consent", Some(id.to_string()), meta).with_subject(new.person_id.to_string()).with_detail(serde_json::json!({
        "recipients": codes(&new.recipients, PublicSystem::code), "categories": codes(&new.categories, DataCategory::code),
        "expires_at": new.expires_at.map(Timestamp::iso),
    }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Withdraws a consent now; the next request is decided without it.
pub async fn withdraw(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: ConsentId,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let person: Option<uuid::Uuid> = on_tx!(&mut tx, c => sqlx::query("SELECT person_id FROM consents WHERE tenant_id = $1 AND id = $2 AND withdrawn_at IS NULL")
        .bind(grant.tenant().0).bind(id.0).fetch_optional(c).await?.map(|r| r.get(0)));
    let Some(person) = person else {
        return Err(StoreError::Stale);
    };
    on_tx!(&mut tx, c => sqlx::query("UPDATE consents SET withdrawn_at = $3, version = version + 1 WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(id.0).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "consent", Some(id.to_string()), meta)
        .with_subject(person.to_string())
        .with_detail(serde_json::json!({"withdrawn": true}));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

pub async fn for_person(store: &Store, tenant: TenantId, person: PersonId) -> Result<Vec<Consent>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, person_id, purpose, recipients, categories, evidence, given_at, expires_at, withdrawn_at, recorded_by, version
             FROM consents WHERE tenant_id = $1 AND person_id = $2 ORDER BY given_at DESC")
            .bind(tenant.0).bind(person.0).fetch_all(p).await?;
        rows.iter().map(|r| {
            let recipients: String = r.try_get("recipients")?;
            let categories: String = r.try_get("categories")?;
            Ok(Consent {
                id: ConsentId(r.try_get("id")?),
                person_id: PersonId(r.try_get("person_id")?),
                purpose: r.try_get("purpose")?,
                recipients: recipients.split(',').filter_map(|c| PublicSystem::parse(c).ok()).collect(),
                categories: categories.split(',').filter_map(|c| DataCategory::parse(c).ok()).collect(),
                evidence: r.try_get("evidence")?,
                given_at: Timestamp::from_micros(r.try_get("given_at")?),
                expires_at: r.try_get::<Option<i64>, _>("expires_at")?.map(Timestamp::from_micros),
                withdrawn_at: r.try_get::<Option<i64>, _>("withdrawn_at")?.map(Timestamp::from_micros),
                recorded_by: UserId(r.try_get("recorded_by")?),
                version: r.try_get("version")?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
