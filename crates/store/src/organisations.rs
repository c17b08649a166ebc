//! Organisations of the ecosystem: the directory's records with their CPV activities, register
//! numbers and contact people, typed relationships between them, the register entries that let
//! them bid for reserved contracts, and their yearly social audit figures. Contacts are personal
//! data: they are read through [`contacts`] only, which the service audits.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use chrono::NaiveDate;
use elkarlan_domain::ecosystem::codes::{LegalForm, QualificationKind, RelationKind, Reservation};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::eligibility::{self, Qualification, ReservedEligibility};
use elkarlan_domain::ecosystem::organisation::{
    Contact, OrganisationDraft, ProfileDraft, QualificationDraft, RegisterEntry, RelationDraft,
};
use elkarlan_domain::employment::codes::Sector;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    AreaId, OrganisationId, OrganisationRelationId, QualificationId, TenantId, Timestamp,
};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

pub(crate) async fn audit(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    entity: &'static str,
    id: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), meta).with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An organisation of the directory, without its contact people.
#[derive(Clone, Debug, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub tax_id: String,
    pub legal_form: LegalForm,
    pub legal_label: Option<String>,
    pub sector: Sector,
    pub neighbourhood: Option<AreaId>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub pole_member: bool,
    pub pole_member_since: Option<String>,
    pub activities: Vec<Cpv>,
    pub registers: Vec<RegisterEntry>,
    pub version: i64,
}

impl Organisation {
    pub fn summary(&self) -> OrganisationSummary {
        OrganisationSummary {
            id: self.id,
            name: self.name.clone(),
            tax_id: self.tax_id.clone(),
            legal_form: self.legal_form,
            legal_label: self.legal_label.clone(),
            neighbourhood: self.neighbourhood,
            pole_member: self.pole_member,
            activities: self.activities.clone(),
        }
    }

    /// A member of the social and solidarity economy: by legal form or by joining the pole.
    pub fn is_sse(&self) -> bool {
        self.legal_form.is_social_economy() || self.pole_member
    }
}

/// What a list or a match shows of an organisation.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OrganisationSummary {
    pub id: OrganisationId,
    pub name: String,
    pub tax_id: String,
    pub legal_form: LegalForm,
    pub legal_label: Option<String>,
    pub neighbourhood: Option<AreaId>,
    pub pole_member: bool,
    pub activities: Vec<Cpv>,
}

const SELECT: &str = "SELECT id, name, tax_id, legal_form, legal_label, sector, area_id, address, email, phone, website, description, pole_member, pole_member_since, version FROM organisations";

macro_rules! organisation_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let form: String = $r.try_get("legal_form")?;
        let sector: String = $r.try_get("sector")?;
        let pole: i64 = $r.try_get("pole_member")?;
        Organisation {
            id: OrganisationId(id),
            name: $r.try_get("name")?,
            tax_id: $r.try_get("tax_id")?,
            legal_form: LegalForm::parse(&form)
                .map_err(|_| crate::error::corrupt("organisation legal form", id))?,
            legal_label: $r.try_get("legal_label")?,
            sector: Sector::parse(&sector)
                .map_err(|_| crate::error::corrupt("organisation sector", id))?,
            neighbourhood: $r.try_get::<Option<Uuid>, _>("area_id")?.map(AreaId),
            address: $r.try_get("address")?,
            email: $r.try_get("email")?,
            phone: $r.try_get("phone")?,
            website: $r.try_get("website")?,
            description: $r.try_get("description")?,
            pole_member: pole != 0,
            pole_member_since: $r.try_get("pole_member_since")?,
            activities: Vec::new(),
            registers: Vec::new(),
            version: $r.try_get("version")?,
        }
    }};
}

async fn tax_id_taken(
    tx: &mut Tx,
    tenant: TenantId,
    tax_id: &str,
    except: Option<OrganisationId>,
) -> Result<bool> {
    let other: Option<Uuid> = on_tx!(tx, c => sqlx::query("SELECT id FROM organisations WHERE tenant_id = $1 AND tax_id = $2")
        .bind(tenant.0).bind(tax_id).fetch_optional(c).await.map(|r| r.map(|r| r.get::<Uuid, _>(0))))?;
    Ok(other.is_some_and(|o| Some(OrganisationId(o)) != except))
}

async fn write_children(tx: &mut Tx, id: OrganisationId, d: &OrganisationDraft) -> Result<()> {
    for table in [
        "organisation_activities",
        "organisation_registers",
        "organisation_contacts",
    ] {
        on_tx!(tx, c => sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE organisation_id = $1"))).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for cpv in &d.activities {
        on_tx!(tx, c => sqlx::query("INSERT INTO organisation_activities (organisation_id, cpv) VALUES ($1,$2)")
            .bind(id.0).bind(cpv.code()).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for (i, r) in d.registers.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO organisation_registers (organisation_id, position, register, number) VALUES ($1,$2,$3,$4)")
            .bind(id.0).bind(i as i64).bind(&r.register).bind(&r.number).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for (i, p) in d.contacts.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO organisation_contacts (organisation_id, position, name, role, email, phone) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(id.0).bind(i as i64).bind(&p.name).bind(&p.role).bind(&p.email).bind(&p.phone).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// What the audit keeps of a write: the record's fields, not the contact people's details.
fn draft_detail(d: &OrganisationDraft) -> serde_json::Value {
    serde_json::json!({
        "name": d.name, "tax_id": d.tax_id.as_str(), "legal_form": d.legal_form.code(),
        "sector": d.sector.code(), "pole_member": d.pole_member,
        "activities": d.activities.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "registers": d.registers.len(), "contacts": d.contacts.len(),
    })
}

/// Creates an organisation. `Conflict("tax_id")` when the tenant has one with that tax id.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &OrganisationDraft,
) -> Result<OrganisationId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, d).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    d: &OrganisationDraft,
) -> Result<OrganisationId> {
    if tax_id_taken(tx, grant.tenant(), d.tax_id.as_str(), None).await? {
        return Err(StoreError::Conflict("tax_id"));
    }
    let id = OrganisationId::new();
    let now = Timestamp::now().micros();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO organisations (id, tenant_id, name, tax_id, legal_form, legal_label, sector, area_id, address, email, phone, website, description, pole_member, pole_member_since, version, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,1,$16,$16)")
        .bind(id.0).bind(grant.tenant().0).bind(&d.name).bind(d.tax_id.as_str()).bind(d.legal_form.code()).bind(&d.legal_label)
        .bind(d.sector.code()).bind(d.neighbourhood.map(|a| a.0)).bind(&d.address).bind(&d.email).bind(&d.phone).bind(&d.website)
        .bind(&d.description).bind(i64::from(d.pole_member)).bind(d.pole_member_since.map(|s| s.to_string())).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(taken)?;
    write_children(tx, id, d).await?;
    audit(tx, grant, meta, "organisation", id.0, draft_detail(d)).await?;
    Ok(id)
}

/// A unique violation on organisations can only be the tax id (a concurrent create).
fn taken(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("tax_id"),
        other => other,
    }
}

/// Replaces an organisation's fields (and its activities, registers and contacts) if it is
/// still at `version`.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: OrganisationId,
    version: i64,
    d: &OrganisationDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    if tax_id_taken(&mut tx, grant.tenant(), d.tax_id.as_str(), Some(id)).await? {
        return Err(StoreError::Conflict("tax_id"));
    }
    let now = Timestamp::now().micros();
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE organisations SET name = $4, tax_id = $5, legal_form = $6, legal_label = $7, sector = $8, area_id = $9, address = $10, email = $11,
         phone = $12, website = $13, description = $14, pole_member = $15, pole_member_since = $16, updated_at = $17, version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(&d.name).bind(d.tax_id.as_str()).bind(d.legal_form.code()).bind(&d.legal_label)
        .bind(d.sector.code()).bind(d.neighbourhood.map(|a| a.0)).bind(&d.address).bind(&d.email).bind(&d.phone).bind(&d.website)
        .bind(&d.description).bind(i64::from(d.pole_member)).bind(d.pole_member_since.map(|s| s.to_string())).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))
    .map_err(taken)?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_children(&mut tx, id, d).await?;
    audit(&mut tx, grant, meta, "organisation", id.0, draft_detail(d)).await?;
    tx.commit().await
}

async fn activities_of(store: &Store, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Cpv>>> {
    let mut out: HashMap<Uuid, Vec<Cpv>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(Uuid, String)> = on_pool!(store, c => {
        let mut rows = Vec::new();
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT organisation_id, cpv FROM organisation_activities WHERE organisation_id IN ({}) ORDER BY cpv", marks.join(","));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(c).await? {
                rows.push((r.try_get::<Uuid, _>(0)?, r.try_get::<String, _>(1)?));
            }
        }
        rows
    });
    for (id, code) in rows {
        if let Ok(c) = Cpv::parse(&code) {
            out.entry(id).or_default().push(c);
        }
    }
    Ok(out)
}

async fn registers_of(store: &Store, id: OrganisationId) -> Result<Vec<RegisterEntry>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT register, number FROM organisation_registers WHERE organisation_id = $1 ORDER BY position")
            .bind(id.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(RegisterEntry { register: r.try_get(0)?, number: r.try_get(1)? }))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// One organisation of the tenant, with its activities and registers (not its contacts).
pub async fn get(store: &Store, tenant: TenantId, id: OrganisationId) -> Result<Organisation> {
    let mut o = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        organisation_from_row!(r)
    });
    o.activities = activities_of(store, &[id.0])
        .await?
        .remove(&id.0)
        .unwrap_or_default();
    o.registers = registers_of(store, id).await?;
    Ok(o)
}

/// The organisation with that tax id in the tenant, if any.
pub async fn by_tax_id(
    store: &Store,
    tenant: TenantId,
    tax_id: &str,
) -> Result<Option<OrganisationId>> {
    on_pool!(store, c => Ok(sqlx::query("SELECT id FROM organisations WHERE tenant_id = $1 AND tax_id = $2")
        .bind(tenant.0).bind(tax_id).fetch_optional(c).await?.map(|r| OrganisationId(r.get::<Uuid, _>(0)))))
}

/// Every organisation of the directory as (id, name), by name: what forms elsewhere (agreement
/// parties, commitments, employers) offer to choose from.
pub async fn choices(store: &Store, tenant: TenantId) -> Result<Vec<(OrganisationId, String)>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT id, name FROM organisations WHERE tenant_id = $1 ORDER BY name, id")
            .bind(tenant.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok((OrganisationId(r.try_get(0)?), r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Those of `ids` that are organisations of the tenant: to check a form's choices.
pub async fn known(
    store: &Store,
    tenant: TenantId,
    ids: &[OrganisationId],
) -> Result<Vec<OrganisationId>> {
    let all = choices(store, tenant).await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|i| all.iter().any(|(o, _)| o == i))
        .collect())
}

/// The contact people of an organisation: personal data, the caller audits the read.
pub async fn contacts(store: &Store, tenant: TenantId, id: OrganisationId) -> Result<Vec<Contact>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT oc.name, oc.role, oc.email, oc.phone FROM organisation_contacts oc JOIN organisations o ON o.id = oc.organisation_id
             WHERE o.tenant_id = $1 AND oc.organisation_id = $2 ORDER BY oc.position")
            .bind(tenant.0).bind(id.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(Contact { name: r.try_get(0)?, role: r.try_get(1)?, email: r.try_get(2)?, phone: r.try_get(3)? }))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Every organisation of the tenant by name, with activities and registers (no contacts).
pub async fn list_full(store: &Store, tenant: TenantId) -> Result<Vec<Organisation>> {
    let mut list: Vec<Organisation> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 ORDER BY name, id")))
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(organisation_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let ids: Vec<Uuid> = list.iter().map(|o| o.id.0).collect();
    let mut acts = activities_of(store, &ids).await?;
    let regs: Vec<(Uuid, RegisterEntry)> = on_pool!(store, c => {
        let rows = sqlx::query("SELECT r.organisation_id, r.register, r.number FROM organisation_registers r JOIN organisations o ON o.id = r.organisation_id WHERE o.tenant_id = $1 ORDER BY r.position")
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, RegisterEntry { register: r.try_get(1)?, number: r.try_get(2)? })))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    for o in &mut list {
        o.activities = acts.remove(&o.id.0).unwrap_or_default();
        o.registers = regs
            .iter()
            .filter(|(id, _)| *id == o.id.0)
            .map(|(_, r)| r.clone())
            .collect();
    }
    Ok(list)
}

/// Every register entry of the tenant's organisations, by organisation.
pub(crate) async fn all_qualifications(
    store: &Store,
    tenant: TenantId,
) -> Result<HashMap<Uuid, Vec<Qualification>>> {
    let rows = on_pool!(store, c => {
        let rows = sqlx::query("SELECT q.organisation_id, q.kind, q.register_number, q.granted_on, q.expires_on FROM qualifications q JOIN organisations o ON o.id = q.organisation_id WHERE o.tenant_id = $1")
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get::<Uuid, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<String, _>(2)?, r.try_get::<String, _>(3)?, r.try_get::<Option<String>, _>(4)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out: HashMap<Uuid, Vec<Qualification>> = HashMap::new();
    for (org, kind, number, granted, expires) in rows {
        let (Ok(kind), Some(granted_on)) = (QualificationKind::parse(&kind), day(&granted)) else {
            return Err(StoreError::corrupt("qualification", org));
        };
        out.entry(org).or_default().push(Qualification {
            kind,
            register_number: number,
            granted_on,
            expires_on: expires.as_deref().and_then(day),
        });
    }
    Ok(out)
}

/// The filters of the directory list; `None` is "any".
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub legal_form: Option<LegalForm>,
    pub pole_member: Option<bool>,
    pub neighbourhood: Option<AreaId>,
    /// A CPV code (or its first digits) or words of its label.
    pub cpv_text: Option<String>,
    /// Only those that may bid for reserved contracts on this day.
    pub eligible_on: Option<NaiveDate>,
}

/// The directory: organisations matching `filter`, each with its reserved-contract eligibility
/// on `today`.
pub async fn list(
    store: &Store,
    tenant: TenantId,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Vec<(OrganisationSummary, Option<ReservedEligibility>)>> {
    let all = list_full(store, tenant).await?;
    let quals = all_qualifications(store, tenant).await?;
    let wanted: Option<Vec<Cpv>> = filter.cpv_text.as_deref().map(|q| {
        let q = q.trim();
        match Cpv::parse(q) {
            Ok(c) => vec![c],
            Err(_) => Cpv::search(q, 200),
        }
    });
    let prefix = filter
        .cpv_text
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()));
    let mut out = Vec::new();
    for o in all {
        if filter.legal_form.is_some_and(|f| f != o.legal_form)
            || filter.pole_member.is_some_and(|p| p != o.pole_member)
            || filter
                .neighbourhood
                .is_some_and(|n| Some(n) != o.neighbourhood)
        {
            continue;
        }
        if let Some(w) = &wanted {
            let by_code =
                prefix.is_some_and(|p| o.activities.iter().any(|a| a.code().starts_with(p)));
            if !by_code
                && !o
                    .activities
                    .iter()
                    .any(|a| w.iter().any(|c| c.overlaps(*a)))
            {
                continue;
            }
        }
        let q = quals.get(&o.id.0).map(Vec::as_slice).unwrap_or(&[]);
        let eligible = eligibility::reserved_eligibility(o.legal_form, q, today);
        if let Some(d) = filter.eligible_on
            && eligibility::reserved_eligibility(o.legal_form, q, d).is_none()
        {
            continue;
        }
        out.push((o.summary(), eligible));
    }
    Ok(out)
}

/// The social and solidarity economy entities that fit a contract or lot for `cpv`: legal form
/// of the social economy or member of the pole, an activity overlapping the code, and — when the
/// contract is reserved — an entry in force on `on` in a register the reservation accepts.
pub async fn matching(
    store: &Store,
    tenant: TenantId,
    cpv: Cpv,
    reservation: Reservation,
    on: NaiveDate,
) -> Result<Vec<(OrganisationSummary, Option<ReservedEligibility>)>> {
    let all = list_full(store, tenant).await?;
    let quals = all_qualifications(store, tenant).await?;
    let mut out = Vec::new();
    for o in all {
        if !o.is_sse() || !o.activities.iter().any(|a| a.overlaps(cpv)) {
            continue;
        }
        let q = quals.get(&o.id.0).map(Vec::as_slice).unwrap_or(&[]);
        let e = eligibility::reserved_eligibility(o.legal_form, q, on);
        if reservation.is_reserved() && !e.as_ref().is_some_and(|e| reservation.accepts(e.kind)) {
            continue;
        }
        out.push((o.summary(), e));
    }
    Ok(out)
}

// Qualifications ----------------------------------------------------------------------------

/// A register entry as recorded, with its evidence.
#[derive(Clone, Debug, Serialize)]
pub struct QualificationRecord {
    pub id: QualificationId,
    pub kind: QualificationKind,
    pub register_number: String,
    pub granted_on: String,
    pub expires_on: Option<String>,
    pub evidence: String,
}

pub async fn add_qualification(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    org: OrganisationId,
    d: &QualificationDraft,
) -> Result<QualificationId> {
    let mut tx = store.begin_write().await?;
    ensure_in_tenant(&mut tx, grant.tenant(), org).await?;
    let id = QualificationId::new();
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO qualifications (id, organisation_id, kind, register_number, granted_on, expires_on, evidence, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
        .bind(id.0).bind(org.0).bind(d.kind.code()).bind(&d.register_number).bind(d.granted_on.to_string())
        .bind(d.expires_on.map(|x| x.to_string())).bind(&d.evidence).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(&mut tx, grant, meta, "qualification", id.0, serde_json::json!({
        "organisation": org, "kind": d.kind.code(), "register_number": d.register_number,
        "granted_on": d.granted_on.to_string(), "expires_on": d.expires_on.map(|x| x.to_string()),
    })).await?;
    tx.commit().await?;
    Ok(id)
}

async fn ensure_in_tenant(tx: &mut Tx, tenant: TenantId, org: OrganisationId) -> Result<()> {
    let found = on_tx!(tx, c => sqlx::query("SELECT id FROM organisations WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0).bind(org.0).fetch_optional(c).await.map(|r| r.is_some()))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::NotFound)
    }
}

/// The organisation's register entries with their evidence, the latest granted first.
pub async fn qualification_records(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
) -> Result<Vec<QualificationRecord>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT q.id, q.kind, q.register_number, q.granted_on, q.expires_on, q.evidence FROM qualifications q JOIN organisations o ON o.id = q.organisation_id
             WHERE o.tenant_id = $1 AND q.organisation_id = $2 ORDER BY q.granted_on DESC, q.id")
            .bind(tenant.0).bind(org.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let id: Uuid = r.try_get(0)?;
            let kind: String = r.try_get(1)?;
            Ok(QualificationRecord {
                id: QualificationId(id),
                kind: QualificationKind::parse(&kind).map_err(|_| crate::error::corrupt("qualification kind", id))?,
                register_number: r.try_get(2)?,
                granted_on: r.try_get(3)?,
                expires_on: r.try_get(4)?,
                evidence: r.try_get(5)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The organisation's register entries, as eligibility reads them.
pub async fn qualifications(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
) -> Result<Vec<Qualification>> {
    Ok(qualification_records(store, tenant, org)
        .await?
        .into_iter()
        .filter_map(|q| {
            Some(Qualification {
                kind: q.kind,
                register_number: q.register_number,
                granted_on: day(&q.granted_on)?,
                expires_on: q.expires_on.as_deref().and_then(day),
            })
        })
        .collect())
}

/// Whether the organisation may bid for reserved contracts on `on`, with the evidence.
pub async fn eligibility_on(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
    on: NaiveDate,
) -> Result<Option<ReservedEligibility>> {
    let o = get(store, tenant, org).await?;
    let q = qualifications(store, tenant, org).await?;
    Ok(eligibility::reserved_eligibility(o.legal_form, &q, on))
}

// Relations ---------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Relation {
    pub id: OrganisationRelationId,
    pub kind: RelationKind,
    pub from: OrganisationId,
    pub from_name: String,
    pub to: OrganisationId,
    pub to_name: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

/// Records that `from` stands towards `d.to` as `d.kind`. `NotFound` when either is not an
/// organisation of the tenant.
pub async fn add_relation(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    from: OrganisationId,
    d: &RelationDraft,
) -> Result<OrganisationRelationId> {
    let mut tx = store.begin_write().await?;
    ensure_in_tenant(&mut tx, grant.tenant(), from).await?;
    ensure_in_tenant(&mut tx, grant.tenant(), d.to).await?;
    let id = OrganisationRelationId::new();
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO organisation_relations (id, tenant_id, from_organisation, to_organisation, kind, starts_on, ends_on) VALUES ($1,$2,$3,$4,$5,$6,$7)")
        .bind(id.0).bind(grant.tenant().0).bind(from.0).bind(d.to.0).bind(d.kind.code()).bind(d.starts_on.to_string()).bind(d.ends_on.map(|x| x.to_string()))
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(
        &mut tx,
        grant,
        meta,
        "organisation_relation",
        id.0,
        serde_json::json!({
            "from": from, "to": d.to, "kind": d.kind.code(), "starts_on": d.starts_on.to_string(),
            "ends_on": d.ends_on.map(|x| x.to_string()),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The relations from and to an organisation, the latest started first.
pub async fn relations(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
) -> Result<Vec<Relation>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT r.id, r.kind, r.from_organisation, f.name, r.to_organisation, t.name, r.starts_on, r.ends_on FROM organisation_relations r
             JOIN organisations f ON f.id = r.from_organisation JOIN organisations t ON t.id = r.to_organisation
             WHERE r.tenant_id = $1 AND (r.from_organisation = $2 OR r.to_organisation = $2) ORDER BY r.starts_on DESC, r.id")
            .bind(tenant.0).bind(org.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let id: Uuid = r.try_get(0)?;
            let kind: String = r.try_get(1)?;
            Ok(Relation {
                id: OrganisationRelationId(id),
                kind: RelationKind::parse(&kind).map_err(|_| crate::error::corrupt("relation kind", id))?,
                from: OrganisationId(r.try_get(2)?),
                from_name: r.try_get(3)?,
                to: OrganisationId(r.try_get(4)?),
                to_name: r.try_get(5)?,
                starts_on: r.try_get(6)?,
                ends_on: r.try_get(7)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

// Social audit profiles -----------------------------------------------------------------------

/// Records (or replaces) the organisation's figures for `d.year`.
pub async fn save_profile(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    org: OrganisationId,
    d: &ProfileDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    ensure_in_tenant(&mut tx, grant.tenant(), org).await?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO sse_profiles (organisation_id, year, workforce, women, women_in_responsibility, people_in_responsibility, hired_from_exclusion, permanent_contracts,
           salary_ratio_centi, renewable_energy_percent, ethical_finance, turnover_cents, volunteers, recorded_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
         ON CONFLICT (organisation_id, year) DO UPDATE SET workforce = EXCLUDED.workforce, women = EXCLUDED.women,
           women_in_responsibility = EXCLUDED.women_in_responsibility, people_in_responsibility = EXCLUDED.people_in_responsibility,
           hired_from_exclusion = EXCLUDED.hired_from_exclusion, permanent_contracts = EXCLUDED.permanent_contracts,
           salary_ratio_centi = EXCLUDED.salary_ratio_centi, renewable_energy_percent = EXCLUDED.renewable_energy_percent,
           ethical_finance = EXCLUDED.ethical_finance, turnover_cents = EXCLUDED.turnover_cents, volunteers = EXCLUDED.volunteers,
           recorded_at = EXCLUDED.recorded_at")
        .bind(org.0).bind(i64::from(d.year)).bind(d.workforce).bind(d.women).bind(d.women_in_responsibility).bind(d.people_in_responsibility)
        .bind(d.hired_from_exclusion).bind(d.permanent_contracts).bind(d.salary_ratio_centi).bind(d.renewable_energy_percent)
        .bind(i64::from(d.ethical_finance)).bind(d.turnover_cents).bind(d.volunteers).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let detail = serde_json::to_value(d)
        .map_err(|e| StoreError::corrupt(format!("SSE profile ({e})"), org))?;
    audit(&mut tx, grant, meta, "sse_profile", org.0, detail).await?;
    tx.commit().await
}

/// The organisation's figures, the latest year first.
pub async fn profiles(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
) -> Result<Vec<ProfileDraft>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT p.year, p.workforce, p.women, p.women_in_responsibility, p.people_in_responsibility, p.hired_from_exclusion, p.permanent_contracts,
               p.salary_ratio_centi, p.renewable_energy_percent, p.ethical_finance, p.turnover_cents, p.volunteers
             FROM sse_profiles p JOIN organisations o ON o.id = p.organisation_id WHERE o.tenant_id = $1 AND p.organisation_id = $2 ORDER BY p.year DESC")
            .bind(tenant.0).bind(org.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let year: i64 = r.try_get(0)?;
            let ethical: i64 = r.try_get(9)?;
            Ok(ProfileDraft {
                year: i32::try_from(year).map_err(|_| crate::error::corrupt("SSE profile year", org))?,
                workforce: r.try_get(1)?,
                women: r.try_get(2)?,
                women_in_responsibility: r.try_get(3)?,
                people_in_responsibility: r.try_get(4)?,
                hired_from_exclusion: r.try_get(5)?,
                permanent_contracts: r.try_get(6)?,
                salary_ratio_centi: r.try_get(7)?,
                renewable_energy_percent: r.try_get(8)?,
                ethical_finance: ethical != 0,
                turnover_cents: r.try_get(10)?,
                volunteers: r.try_get(11)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
