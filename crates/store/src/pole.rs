//! The social and solidarity economy pole: its activities (events, training, co-creation) with
//! the organisations that took part, and the entrepreneurship projects it supports from idea
//! to operating organisation, with the support given. None of it is personal data.

use crate::audit::RequestMeta;
use crate::organisations::audit;
use crate::{Result, Store, StoreError, on_pool, on_tx};
use elkarlan_domain::ecosystem::codes::{LegalForm, PoleActivityKind, VentureStage};
use elkarlan_domain::ecosystem::organisation::{PoleActivityDraft, SupportDraft, VentureDraft};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AreaId, OrganisationId, PoleActivityId, TenantId, Timestamp, VentureId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize)]
pub struct Participation {
    pub organisation: OrganisationId,
    pub name: String,
    pub people: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PoleActivity {
    pub id: PoleActivityId,
    pub kind: PoleActivityKind,
    pub title_eu: String,
    pub title_es: String,
    pub held_on: String,
    pub neighbourhood: Option<AreaId>,
    pub hours_centi: i64,
    pub attendees: i64,
    pub participants: Vec<Participation>,
}

impl PoleActivity {
    pub fn title(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.title_eu
        } else {
            &self.title_es
        }
    }
}

/// Records an activity; `participants` are organisations of the tenant (checked) with the
/// number of their people who took part.
pub async fn create_activity(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &PoleActivityDraft,
    participants: &[(OrganisationId, i64)],
) -> Result<PoleActivityId> {
    let id = PoleActivityId::new();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO pole_activities (id, tenant_id, kind, title_eu, title_es, held_on, area_id, hours_centi, attendees, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
        .bind(id.0).bind(grant.tenant().0).bind(d.kind.code()).bind(&d.title_eu).bind(&d.title_es).bind(d.held_on.to_string())
        .bind(d.neighbourhood.map(|a| a.0)).bind(d.hours_centi).bind(d.attendees).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    for (org, people) in participants {
        let n = on_tx!(&mut tx, c => sqlx::query("INSERT INTO pole_participation (activity_id, organisation_id, people)
              SELECT $1, id, $3 FROM organisations WHERE tenant_id = $4 AND id = $2")
            .bind(id.0).bind(org.0).bind(*people).bind(grant.tenant().0).execute(c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
    }
    audit(
        &mut tx,
        grant,
        meta,
        "pole_activity",
        id.0,
        serde_json::json!({
            "kind": d.kind.code(), "title_es": d.title_es, "held_on": d.held_on.to_string(),
            "attendees": d.attendees, "participants": participants.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

macro_rules! activity_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let kind: String = $r.try_get("kind")?;
        PoleActivity {
            id: PoleActivityId(id),
            kind: PoleActivityKind::parse(&kind)
                .map_err(|_| crate::error::corrupt("pole activity kind", id))?,
            title_eu: $r.try_get("title_eu")?,
            title_es: $r.try_get("title_es")?,
            held_on: $r.try_get("held_on")?,
            neighbourhood: $r.try_get::<Option<Uuid>, _>("area_id")?.map(AreaId),
            hours_centi: $r.try_get("hours_centi")?,
            attendees: $r.try_get("attendees")?,
            participants: Vec::new(),
        }
    }};
}

const SELECT_ACTIVITIES: &str = "SELECT id, kind, title_eu, title_es, held_on, area_id, hours_centi, attendees FROM pole_activities";

async fn participants(store: &Store, id: PoleActivityId) -> Result<Vec<Participation>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT p.organisation_id, o.name, p.people FROM pole_participation p JOIN organisations o ON o.id = p.organisation_id WHERE p.activity_id = $1 ORDER BY o.name")
            .bind(id.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(Participation { organisation: OrganisationId(r.try_get(0)?), name: r.try_get(1)?, people: r.try_get(2)? }))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The pole's activities, the latest first, with their participants.
pub async fn activities(store: &Store, tenant: TenantId) -> Result<Vec<PoleActivity>> {
    let mut list: Vec<PoleActivity> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ACTIVITIES} WHERE tenant_id = $1 ORDER BY held_on DESC, id")))
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(activity_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    for a in &mut list {
        a.participants = participants(store, a.id).await?;
    }
    Ok(list)
}

pub async fn activity(store: &Store, tenant: TenantId, id: PoleActivityId) -> Result<PoleActivity> {
    let mut a = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ACTIVITIES} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        activity_from_row!(r)
    });
    a.participants = participants(store, id).await?;
    Ok(a)
}

/// The activities an organisation took part in: (activity, its people).
pub async fn activities_of(
    store: &Store,
    tenant: TenantId,
    org: OrganisationId,
) -> Result<Vec<(PoleActivity, i64)>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT a.id, a.kind, a.title_eu, a.title_es, a.held_on, a.area_id, a.hours_centi, a.attendees, p.people
             FROM pole_activities a JOIN pole_participation p ON p.activity_id = a.id WHERE a.tenant_id = $1 AND p.organisation_id = $2 ORDER BY a.held_on DESC")
            .bind(tenant.0).bind(org.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((activity_from_row!(r), r.try_get::<i64, _>("people")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

// Ventures ----------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Support {
    pub given_on: String,
    pub support: String,
    pub hours_centi: i64,
    pub amount_cents: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Venture {
    pub id: VentureId,
    pub name: String,
    pub stage: VentureStage,
    pub neighbourhood: Option<AreaId>,
    pub started_on: String,
    pub organisation: Option<OrganisationId>,
    pub organisation_name: Option<String>,
    pub intended_form: Option<LegalForm>,
    pub promoters: i64,
    pub version: i64,
    pub support: Vec<Support>,
}

impl Venture {
    pub fn support_hours_centi(&self) -> i64 {
        self.support.iter().map(|s| s.hours_centi).sum()
    }

    pub fn support_cents(&self) -> i64 {
        self.support.iter().map(|s| s.amount_cents).sum()
    }
}

pub async fn create_venture(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &VentureDraft,
) -> Result<VentureId> {
    let id = VentureId::new();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO ventures (id, tenant_id, name, stage, area_id, started_on, intended_form, promoters, version, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1,$9)")
        .bind(id.0).bind(grant.tenant().0).bind(&d.name).bind(d.stage.code()).bind(d.neighbourhood.map(|a| a.0)).bind(d.started_on.to_string())
        .bind(d.intended_form.map(LegalForm::code)).bind(d.promoters).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(&mut tx, grant, meta, "venture", id.0, serde_json::json!({
        "name": d.name, "stage": d.stage.code(), "started_on": d.started_on.to_string(), "promoters": d.promoters,
    })).await?;
    tx.commit().await?;
    Ok(id)
}

const SELECT_VENTURES: &str = "SELECT v.id, v.name, v.stage, v.area_id, v.started_on, v.organisation_id, o.name AS organisation_name, v.intended_form, v.promoters, v.version
     FROM ventures v LEFT JOIN organisations o ON o.id = v.organisation_id";

macro_rules! venture_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let stage: String = $r.try_get("stage")?;
        let form: Option<String> = $r.try_get("intended_form")?;
        Venture {
            id: VentureId(id),
            name: $r.try_get("name")?,
            stage: VentureStage::parse(&stage)
                .map_err(|_| crate::error::corrupt("venture stage", id))?,
            neighbourhood: $r.try_get::<Option<Uuid>, _>("area_id")?.map(AreaId),
            started_on: $r.try_get("started_on")?,
            organisation: $r
                .try_get::<Option<Uuid>, _>("organisation_id")?
                .map(OrganisationId),
            organisation_name: $r.try_get("organisation_name")?,
            intended_form: form
                .map(|f| {
                    LegalForm::parse(&f)
                        .map_err(|_| crate::error::corrupt("venture intended form", id))
                })
                .transpose()?,
            promoters: $r.try_get("promoters")?,
            version: $r.try_get("version")?,
            support: Vec::new(),
        }
    }};
}

async fn support_of(store: &Store, id: VentureId) -> Result<Vec<Support>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT given_on, support, hours_centi, amount_cents FROM venture_support WHERE venture_id = $1 ORDER BY given_on, position")
            .bind(id.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(Support { given_on: r.try_get(0)?, support: r.try_get(1)?, hours_centi: r.try_get(2)?, amount_cents: r.try_get(3)? }))
            .collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The tenant's projects, the earliest stage first, with their support.
pub async fn ventures(store: &Store, tenant: TenantId) -> Result<Vec<Venture>> {
    let mut list: Vec<Venture> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_VENTURES} WHERE v.tenant_id = $1 ORDER BY v.started_on DESC, v.id")))
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(venture_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    for v in &mut list {
        v.support = support_of(store, v.id).await?;
    }
    Ok(list)
}

pub async fn venture(store: &Store, tenant: TenantId, id: VentureId) -> Result<Venture> {
    let mut v = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_VENTURES} WHERE v.tenant_id = $1 AND v.id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        venture_from_row!(r)
    });
    v.support = support_of(store, id).await?;
    Ok(v)
}

/// Moves a project from stage `from` to `to` (the caller checked it is forward), linking it to
/// its organisation when given. `Stale` when the project is no longer at `from`.
pub async fn move_stage(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: VentureId,
    from: VentureStage,
    to: VentureStage,
    organisation: Option<OrganisationId>,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    if let Some(org) = organisation {
        let found = on_tx!(&mut tx, c => sqlx::query("SELECT id FROM organisations WHERE tenant_id = $1 AND id = $2")
            .bind(grant.tenant().0).bind(org.0).fetch_optional(c).await.map(|r| r.is_some()))?;
        if !found {
            return Err(StoreError::NotFound);
        }
    }
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE ventures SET stage = $4, organisation_id = COALESCE($5, organisation_id), version = version + 1 WHERE tenant_id = $1 AND id = $2 AND stage = $3")
        .bind(grant.tenant().0).bind(id.0).bind(from.code()).bind(to.code()).bind(organisation.map(|o| o.0))
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(
        &mut tx,
        grant,
        meta,
        "venture",
        id.0,
        serde_json::json!({
            "from": from.code(), "to": to.code(), "organisation": organisation,
        }),
    )
    .await?;
    tx.commit().await
}

pub async fn add_support(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: VentureId,
    d: &SupportDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let found = on_tx!(&mut tx, c => sqlx::query("SELECT id FROM ventures WHERE tenant_id = $1 AND id = $2")
        .bind(grant.tenant().0).bind(id.0).fetch_optional(c).await.map(|r| r.is_some()))?;
    if !found {
        return Err(StoreError::NotFound);
    }
    let next: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COALESCE(MAX(position), -1) + 1 FROM venture_support WHERE venture_id = $1")
        .bind(id.0).fetch_one(c).await.and_then(|r| r.try_get::<i64, _>(0)))?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO venture_support (venture_id, position, given_on, support, hours_centi, amount_cents) VALUES ($1,$2,$3,$4,$5,$6)")
        .bind(id.0).bind(next).bind(d.given_on.to_string()).bind(&d.support).bind(d.hours_centi).bind(d.amount_cents)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let detail = serde_json::to_value(d)
        .map_err(|e| StoreError::corrupt(format!("venture support ({e})"), id))?;
    audit(&mut tx, grant, meta, "venture_support", id.0, detail).await?;
    tx.commit().await
}
