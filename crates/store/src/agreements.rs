//! Agreements with private actors and public agents: parties, neighbourhoods, target groups,
//! referenced documents, the lifecycle and renewals. None of it is personal data.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::ecosystem::agreement::{AgreementDraft, DocumentDraft, Party};
use elkarlan_domain::ecosystem::codes::{
    AgreementKind, AgreementStatus, AgreementTarget, PartyRole,
};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    AgreementDocumentId, AgreementId, AreaId, OrganisationId, TenantId, Timestamp, UserId,
};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

async fn audit(
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

fn codes<T: Copy>(v: &[T], code: fn(T) -> &'static str) -> String {
    v.iter().map(|x| code(*x)).collect::<Vec<_>>().join(",")
}

/// One party with its name, for showing.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PartyLine {
    pub organisation: OrganisationId,
    pub name: String,
    pub role: PartyRole,
}

#[derive(Clone, Debug, Serialize)]
pub struct Agreement {
    pub id: AgreementId,
    pub kind: AgreementKind,
    pub title_eu: String,
    pub title_es: String,
    pub scope: String,
    pub status: AgreementStatus,
    pub target_groups: Vec<AgreementTarget>,
    pub signed_on: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub renewal_notice_days: i64,
    pub renewal_reminded_at: Option<Timestamp>,
    pub renews: Option<AgreementId>,
    pub budget_cents: Option<i64>,
    pub version: i64,
    pub parties: Vec<PartyLine>,
    pub neighbourhoods: Vec<AreaId>,
}

impl Agreement {
    pub fn title(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.title_eu
        } else {
            &self.title_es
        }
    }

    pub fn parties_as_draft(&self) -> Vec<Party> {
        self.parties
            .iter()
            .map(|p| Party {
                organisation: p.organisation,
                role: p.role,
            })
            .collect()
    }

    pub fn starts(&self) -> Option<chrono::NaiveDate> {
        self.starts_on.parse().ok()
    }

    pub fn ends(&self) -> Option<chrono::NaiveDate> {
        self.ends_on.parse().ok()
    }

    /// Active, and within its renewal notice of the end.
    pub fn expiring_soon(&self, today: chrono::NaiveDate) -> bool {
        self.status == AgreementStatus::Active
            && self.ends().is_some_and(|e| {
                e >= today && (e - today).num_days() <= self.renewal_notice_days.max(0)
            })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Document {
    pub id: AgreementDocumentId,
    pub title: String,
    pub dated_on: String,
    pub reference: String,
    pub added_at: Timestamp,
}

fn draft_detail(d: &AgreementDraft) -> serde_json::Value {
    serde_json::json!({
        "kind": d.kind.code(), "title_eu": d.title_eu, "title_es": d.title_es,
        "parties": d.parties.iter().map(|p| serde_json::json!({"organisation": p.organisation, "role": p.role.code()})).collect::<Vec<_>>(),
        "neighbourhoods": d.neighbourhoods, "target_groups": codes(&d.target_groups, AgreementTarget::code),
        "starts_on": d.starts_on.to_string(), "ends_on": d.ends_on.to_string(),
        "signed_on": d.signed_on.map(|s| s.to_string()), "budget_cents": d.budget_cents,
        "renewal_notice_days": d.renewal_notice_days,
    })
}

async fn write_links(
    tx: &mut Tx,
    id: AgreementId,
    parties: &[Party],
    areas: &[AreaId],
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM agreement_parties WHERE agreement_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM agreement_areas WHERE agreement_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    for p in parties {
        on_tx!(tx, c => sqlx::query("INSERT INTO agreement_parties (agreement_id, organisation_id, role) VALUES ($1,$2,$3)")
            .bind(id.0).bind(p.organisation.0).bind(p.role.code()).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let mut areas = areas.to_vec();
    areas.sort();
    areas.dedup();
    for a in areas {
        on_tx!(tx, c => sqlx::query("INSERT INTO agreement_areas (agreement_id, area_id) VALUES ($1,$2)")
            .bind(id.0).bind(a.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Creates a draft agreement.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &AgreementDraft,
) -> Result<AgreementId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, d).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a draft agreement inside an open transaction (with an idempotency key, say).
pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    d: &AgreementDraft,
) -> Result<AgreementId> {
    let id = insert(tx, grant, d, AgreementStatus::Draft, None).await?;
    audit(tx, grant, meta, "agreement", id.0, draft_detail(d)).await?;
    Ok(id)
}

async fn insert(
    tx: &mut Tx,
    grant: &Grant,
    d: &AgreementDraft,
    status: AgreementStatus,
    renews: Option<AgreementId>,
) -> Result<AgreementId> {
    let id = AgreementId::new();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO agreements (id, tenant_id, kind, title_eu, title_es, scope, status, target_groups, signed_on, starts_on, ends_on,
         renewal_notice_days, renewal_reminded_at, renews, budget_cents, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,NULL,$13,$14,1,$15)")
        .bind(id.0).bind(grant.tenant().0).bind(d.kind.code()).bind(&d.title_eu).bind(&d.title_es).bind(&d.scope)
        .bind(status.code()).bind(codes(&d.target_groups, AgreementTarget::code)).bind(d.signed_on.map(|s| s.to_string()))
        .bind(d.starts_on.to_string()).bind(d.ends_on.to_string()).bind(d.renewal_notice_days).bind(renews.map(|r| r.0))
        .bind(d.budget_cents).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    write_links(tx, id, &d.parties, &d.neighbourhoods).await?;
    Ok(id)
}

/// Replaces an agreement's fields if it is still at `version`. The status is left alone; a new
/// end date clears the renewal reminder so it is sent again for the new date.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: AgreementId,
    version: i64,
    d: &AgreementDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE agreements SET kind = $4, title_eu = $5, title_es = $6, scope = $7, target_groups = $8, signed_on = $9, starts_on = $10,
         renewal_reminded_at = CASE WHEN ends_on = $11 THEN renewal_reminded_at ELSE NULL END, ends_on = $11,
         renewal_notice_days = $12, budget_cents = $13, version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(d.kind.code()).bind(&d.title_eu).bind(&d.title_es).bind(&d.scope)
        .bind(codes(&d.target_groups, AgreementTarget::code)).bind(d.signed_on.map(|s| s.to_string()))
        .bind(d.starts_on.to_string()).bind(d.ends_on.to_string()).bind(d.renewal_notice_days).bind(d.budget_cents)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_links(&mut tx, id, &d.parties, &d.neighbourhoods).await?;
    audit(&mut tx, grant, meta, "agreement", id.0, draft_detail(d)).await?;
    tx.commit().await
}

/// Moves an agreement from `from` to `to` if it is still at `version` and in `from`. The caller
/// has checked that the lifecycle allows it. `signed_on` is recorded when signing.
#[allow(clippy::too_many_arguments)]
pub async fn move_status(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: AgreementId,
    version: i64,
    from: AgreementStatus,
    to: AgreementStatus,
    signed_on: Option<chrono::NaiveDate>,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE agreements SET status = $5, signed_on = COALESCE($6, signed_on), version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = $4")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(from.code()).bind(to.code()).bind(signed_on.map(|s| s.to_string()))
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(
        &mut tx,
        grant,
        meta,
        "agreement",
        id.0,
        serde_json::json!({"from": from.code(), "to": to.code(), "signed_on": signed_on.map(|s| s.to_string())}),
    )
    .await?;
    tx.commit().await
}

/// Renews an agreement: a new draft pointing back to it with the same parties, neighbourhoods
/// and target groups, for `starts_on`..`ends_on`; the old one is marked renewed. Both in one
/// transaction, so a renewal is never half done.
#[allow(clippy::too_many_arguments)]
pub async fn renew(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    old: &Agreement,
    version: i64,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
) -> Result<AgreementId> {
    let d = AgreementDraft {
        kind: old.kind,
        title_eu: old.title_eu.clone(),
        title_es: old.title_es.clone(),
        scope: old.scope.clone(),
        parties: old.parties_as_draft(),
        neighbourhoods: old.neighbourhoods.clone(),
        target_groups: old.target_groups.clone(),
        starts_on,
        ends_on,
        signed_on: None,
        budget_cents: old.budget_cents,
        renewal_notice_days: old.renewal_notice_days,
    };
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE agreements SET status = 'renewed', version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3 AND status = $4")
        .bind(grant.tenant().0).bind(old.id.0).bind(version).bind(old.status.code())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let id = insert(&mut tx, grant, &d, AgreementStatus::Draft, Some(old.id)).await?;
    audit(
        &mut tx,
        grant,
        meta,
        "agreement",
        old.id.0,
        serde_json::json!({"from": old.status.code(), "to": "renewed", "renewed_by": id}),
    )
    .await?;
    let mut detail = draft_detail(&d);
    detail["renews"] = serde_json::json!(old.id);
    audit(&mut tx, grant, meta, "agreement", id.0, detail).await?;
    tx.commit().await?;
    Ok(id)
}

const SELECT: &str = "SELECT id, kind, title_eu, title_es, scope, status, target_groups, signed_on, starts_on, ends_on, renewal_notice_days,
    renewal_reminded_at, renews, budget_cents, version FROM agreements";

macro_rules! agreement_from_row {
    ($r:expr) => {{
        let kind: String = $r.try_get("kind")?;
        let status: String = $r.try_get("status")?;
        let groups: String = $r.try_get("target_groups")?;
        Agreement {
            id: AgreementId($r.try_get("id")?),
            kind: AgreementKind::parse(&kind).map_err(|k| sqlx::Error::Decode(k.into()))?,
            title_eu: $r.try_get("title_eu")?,
            title_es: $r.try_get("title_es")?,
            scope: $r.try_get("scope")?,
            status: AgreementStatus::parse(&status).map_err(|k| sqlx::Error::Decode(k.into()))?,
            target_groups: groups
                .split(',')
                .filter_map(|g| AgreementTarget::parse(g).ok())
                .collect(),
            signed_on: $r.try_get("signed_on")?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            renewal_notice_days: $r.try_get("renewal_notice_days")?,
            renewal_reminded_at: $r
                .try_get::<Option<i64>, _>("renewal_reminded_at")?
                .map(Timestamp::from_micros),
            renews: $r.try_get::<Option<Uuid>, _>("renews")?.map(AgreementId),
            budget_cents: $r.try_get("budget_cents")?,
            version: $r.try_get("version")?,
            parties: Vec::new(),
            neighbourhoods: Vec::new(),
        }
    }};
}

async fn with_links(store: &Store, mut a: Agreement) -> Result<Agreement> {
    let id = a.id.0;
    on_pool!(store, c => {
        a.parties = sqlx::query("SELECT p.organisation_id, o.name, p.role FROM agreement_parties p JOIN organisations o ON o.id = p.organisation_id
                WHERE p.agreement_id = $1 ORDER BY o.name").bind(id).fetch_all(c).await?
            .iter().map(|r| {
                let role: String = r.try_get(2)?;
                Ok(PartyLine { organisation: OrganisationId(r.try_get(0)?), name: r.try_get(1)?, role: PartyRole::parse(&role).map_err(|k| sqlx::Error::Decode(k.into()))? })
            }).collect::<Result<_, sqlx::Error>>()?;
        a.neighbourhoods = sqlx::query("SELECT area_id FROM agreement_areas WHERE agreement_id = $1").bind(id).fetch_all(c).await?
            .iter().map(|r| r.try_get(0).map(AreaId)).collect::<Result<_, _>>()?;
    });
    Ok(a)
}

pub async fn get(store: &Store, tenant: TenantId, id: AgreementId) -> Result<Agreement> {
    let a = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        agreement_from_row!(r)
    });
    with_links(store, a).await
}

/// What the list of agreements may be narrowed to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<AgreementStatus>,
    pub kind: Option<AgreementKind>,
    pub neighbourhood: Option<AreaId>,
}

/// The tenant's agreements, the soonest to end first.
pub async fn list(store: &Store, tenant: TenantId, f: &Filter) -> Result<Vec<Agreement>> {
    let sql = format!(
        "{SELECT} WHERE tenant_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR kind = $3) ORDER BY ends_on, title_es"
    );
    let heads: Vec<Agreement> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tenant.0)
            .bind(f.status.map_or("", AgreementStatus::code))
            .bind(f.kind.map_or("", AgreementKind::code))
            .fetch_all(c).await?;
        rows.iter().map(|r| Ok(agreement_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for a in heads {
        let a = with_links(store, a).await?;
        if f.neighbourhood
            .is_none_or(|n| a.neighbourhoods.contains(&n))
        {
            out.push(a);
        }
    }
    Ok(out)
}

pub async fn add_document(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    agreement: AgreementId,
    d: &DocumentDraft,
) -> Result<AgreementDocumentId> {
    let id = AgreementDocumentId::new();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO agreement_documents (id, agreement_id, title, dated_on, reference, added_by, added_at)
         SELECT $1, id, $3, $4, $5, $6, $7 FROM agreements WHERE id = $2 AND tenant_id = $8")
        .bind(id.0).bind(agreement.0).bind(&d.title).bind(d.dated_on.to_string()).bind(&d.reference)
        .bind(grant.actor().map(|u: UserId| u.0)).bind(Timestamp::now().micros()).bind(grant.tenant().0)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit(&mut tx, grant, meta, "agreement_document", id.0, serde_json::json!({
        "agreement": agreement, "title": d.title, "dated_on": d.dated_on.to_string(), "reference": d.reference,
    })).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn documents(store: &Store, agreement: AgreementId) -> Result<Vec<Document>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, title, dated_on, reference, added_at FROM agreement_documents WHERE agreement_id = $1 ORDER BY dated_on, added_at")
            .bind(agreement.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(Document {
            id: AgreementDocumentId(r.try_get(0)?),
            title: r.try_get(1)?,
            dated_on: r.try_get(2)?,
            reference: r.try_get(3)?,
            added_at: Timestamp::from_micros(r.try_get(4)?),
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Active agreements whose end falls within their renewal notice and that have not been
/// reminded: each coordinator of the tenant gets an in-app notification and, with an address,
/// an e-mail; the agreement is marked reminded. Returns the agreements reminded.
pub async fn take_renewal_reminders(
    store: &Store,
    today: chrono::NaiveDate,
    subject: &str,
    body: &str,
) -> Result<Vec<(TenantId, AgreementId)>> {
    let mut tx = store.begin_write().await?;
    let due: Vec<(Uuid, Uuid, String, i64)> = on_tx!(&mut tx, c => {
        let rows = sqlx::query("SELECT tenant_id, id, ends_on, renewal_notice_days FROM agreements
                WHERE status = 'active' AND renewal_reminded_at IS NULL AND ends_on >= $1")
            .bind(today.to_string()).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let now = Timestamp::now().micros();
    let mut out = Vec::new();
    for (tenant, id, ends_on, notice) in due {
        let Ok(end) = ends_on.parse::<chrono::NaiveDate>() else {
            continue;
        };
        if (end - today).num_days() > notice {
            continue;
        }
        let coordinators: Vec<(Uuid, Option<String>)> = on_tx!(&mut tx, c => {
            let rows = sqlx::query("SELECT id, email FROM users WHERE tenant_id = $1 AND role = 'coordinator' AND active = $2")
                .bind(tenant).bind(true).fetch_all(c).await?;
            rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        for (user, email) in coordinators {
            on_tx!(&mut tx, c => sqlx::query("INSERT INTO notifications (id, tenant_id, agency_id, user_id, kind, ref_id, created_at, read_at) VALUES ($1,$2,NULL,$3,'agreement.renewal',$4,$5,NULL)")
                .bind(Uuid::now_v7()).bind(tenant).bind(user).bind(id.to_string()).bind(now)
                .execute(c).await.map(|r| r.rows_affected()))?;
            if let Some(to) = email {
                crate::outbox::queue(&mut tx, TenantId(tenant), &to, subject, body).await?;
            }
        }
        on_tx!(&mut tx, c => sqlx::query("UPDATE agreements SET renewal_reminded_at = $2 WHERE id = $1")
            .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        out.push((TenantId(tenant), AgreementId(id)));
    }
    tx.commit().await?;
    Ok(out)
}

/// Moves active agreements whose end date has passed to expired, audited under `grant_for`'s
/// grant (the worker's, per tenant).
pub async fn expire_ended(
    store: &Store,
    today: chrono::NaiveDate,
    grant_for: impl Fn(TenantId) -> Grant,
) -> Result<Vec<(TenantId, AgreementId)>> {
    let mut tx = store.begin_write().await?;
    let ended: Vec<(Uuid, Uuid)> = on_tx!(&mut tx, c => {
        let rows = sqlx::query("SELECT tenant_id, id FROM agreements WHERE status = 'active' AND ends_on < $1")
            .bind(today.to_string()).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let meta = RequestMeta::default();
    for (tenant, id) in &ended {
        on_tx!(&mut tx, c => sqlx::query("UPDATE agreements SET status = 'expired', version = version + 1 WHERE id = $1 AND status = 'active'")
            .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
        let grant = grant_for(TenantId(*tenant));
        audit(
            &mut tx,
            &grant,
            &meta,
            "agreement",
            *id,
            serde_json::json!({"from": "active", "to": "expired"}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ended
        .into_iter()
        .map(|(t, i)| (TenantId(t), AgreementId(i)))
        .collect())
}

/// Unread notifications addressed to one user.
pub async fn user_notifications(
    store: &Store,
    tenant: TenantId,
    user: UserId,
) -> Result<Vec<(String, String)>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT kind, ref_id FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL ORDER BY created_at DESC LIMIT 100")
            .bind(tenant.0).bind(user.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
