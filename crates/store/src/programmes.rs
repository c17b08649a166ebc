//! Programmes, their partner entities, funding and itinerary templates, and the training
//! actions with their calendar of sessions. None of it is personal data.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::employment::codes::{ProgrammeStatus, StepKind, TargetGroup, TrainingStatus};
use elkarlan_domain::employment::eligibility::Rules;
use elkarlan_domain::employment::programme::{Funding, ProgrammeDraft};
use elkarlan_domain::employment::training::TrainingActionDraft;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    AgencyId, AreaId, ProgrammeId, SessionId, TenantId, Timestamp, TrainingActionId, UserId,
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

#[derive(Clone, Debug, Serialize)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name_eu: String,
    pub name_es: String,
    pub year: i64,
    pub status: ProgrammeStatus,
    pub promoter: AgencyId,
    pub partners: Vec<AgencyId>,
    pub neighbourhoods: Vec<AreaId>,
    pub target_groups: Vec<TargetGroup>,
    pub funding: Vec<Funding>,
    pub places: i64,
    pub starts_on: String,
    pub ends_on: String,
    /// The eligibility rules, parsed when read.
    pub eligibility: Rules,
    pub version: i64,
}

impl Programme {
    /// Whether `agency` promotes the programme or is one of its partners (co-design).
    pub fn is_partner(&self, agency: Option<AgencyId>) -> bool {
        agency.is_some_and(|a| a == self.promoter || self.partners.contains(&a))
    }

    pub fn name(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.name_eu
        } else {
            &self.name_es
        }
    }

    pub fn funding_total_cents(&self) -> i64 {
        self.funding.iter().map(|f| f.amount_cents).sum()
    }
}

async fn write_links(tx: &mut Tx, id: ProgrammeId, d: &ProgrammeDraft) -> Result<()> {
    on_tx!(tx, c => sqlx::query("DELETE FROM programme_partners WHERE programme_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM programme_areas WHERE programme_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM programme_funding WHERE programme_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    let mut partners = d.partners.clone();
    partners.sort();
    partners.dedup();
    for a in partners {
        on_tx!(tx, c => sqlx::query("INSERT INTO programme_partners (programme_id, agency_id) VALUES ($1,$2)")
            .bind(id.0).bind(a.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let mut areas = d.neighbourhoods.clone();
    areas.sort();
    areas.dedup();
    for a in areas {
        on_tx!(tx, c => sqlx::query("INSERT INTO programme_areas (programme_id, area_id) VALUES ($1,$2)")
            .bind(id.0).bind(a.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    for (i, f) in d.funding.iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO programme_funding (programme_id, position, source, amount_cents) VALUES ($1,$2,$3,$4)")
            .bind(id.0).bind(i as i64).bind(&f.source).bind(f.amount_cents).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

fn draft_detail(d: &ProgrammeDraft) -> serde_json::Value {
    serde_json::json!({
        "name_eu": d.name_eu, "name_es": d.name_es, "year": d.year, "status": d.status.code(),
        "promoter": d.promoter, "partners": d.partners, "neighbourhoods": d.neighbourhoods,
        "funding_cents": d.funding.iter().map(|f| f.amount_cents).sum::<i64>(), "places": d.places,
    })
}

/// The name of the template every programme starts with: a message key, shown translated.
pub const USUAL_TEMPLATE: &str = "itinerary-template-usual";

/// Creates a programme with the usual-path itinerary template.
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &ProgrammeDraft,
) -> Result<ProgrammeId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, d).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    d: &ProgrammeDraft,
) -> Result<ProgrammeId> {
    let id = ProgrammeId::new();
    let now = Timestamp::now().micros();
    let rules = d.eligibility.to_json();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO programmes (id, tenant_id, name_eu, name_es, year, status, promoter_agency, places, starts_on, ends_on, target_groups, eligibility, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,1,$13)")
        .bind(id.0).bind(grant.tenant().0).bind(&d.name_eu).bind(&d.name_es).bind(i64::from(d.year)).bind(d.status.code())
        .bind(d.promoter.0).bind(d.places).bind(d.starts_on.to_string()).bind(d.ends_on.to_string())
        .bind(codes(&d.target_groups, TargetGroup::code)).bind(&rules).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    write_links(tx, id, d).await?;
    on_tx!(tx, c => sqlx::query("INSERT INTO itinerary_templates (id, programme_id, name, steps, version, updated_by, updated_at) VALUES ($1,$2,$3,$4,1,$5,$6)")
        .bind(Uuid::now_v7()).bind(id.0).bind(USUAL_TEMPLATE).bind(codes(&StepKind::USUAL_PATH, StepKind::code)).bind(grant.actor().map(|u| u.0)).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(tx, grant, meta, "programme", id.0, draft_detail(d)).await?;
    Ok(id)
}

/// Replaces a programme's fields if it is still at `version`.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: ProgrammeId,
    version: i64,
    d: &ProgrammeDraft,
) -> Result<()> {
    let rules = d.eligibility.to_json();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE programmes SET name_eu = $4, name_es = $5, year = $6, status = $7, promoter_agency = $8, places = $9, starts_on = $10, ends_on = $11,
         target_groups = $12, eligibility = $13, version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(&d.name_eu).bind(&d.name_es).bind(i64::from(d.year)).bind(d.status.code())
        .bind(d.promoter.0).bind(d.places).bind(d.starts_on.to_string()).bind(d.ends_on.to_string())
        .bind(codes(&d.target_groups, TargetGroup::code)).bind(&rules)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_links(&mut tx, id, d).await?;
    audit(&mut tx, grant, meta, "programme", id.0, draft_detail(d)).await?;
    tx.commit().await
}

macro_rules! programme_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let groups: String = $r.try_get("target_groups")?;
        let status: String = $r.try_get("status")?;
        let rules: String = $r.try_get("eligibility")?;
        Programme {
            id: ProgrammeId(id),
            name_eu: $r.try_get("name_eu")?,
            name_es: $r.try_get("name_es")?,
            year: $r.try_get("year")?,
            status: ProgrammeStatus::parse(&status)
                .map_err(|_| crate::error::corrupt("programme status", id))?,
            promoter: AgencyId($r.try_get("promoter_agency")?),
            partners: Vec::new(),
            neighbourhoods: Vec::new(),
            target_groups: groups
                .split(',')
                .filter(|g| !g.is_empty())
                .map(|g| {
                    TargetGroup::parse(g)
                        .map_err(|_| crate::error::corrupt("programme target group", id))
                })
                .collect::<Result<_, _>>()?,
            funding: Vec::new(),
            places: $r.try_get("places")?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            eligibility: Rules::parse_json(&rules)
                .map_err(|_| crate::error::corrupt("programme eligibility", id))?,
            version: $r.try_get("version")?,
        }
    }};
}

const SELECT_PROGRAMMES: &str = "SELECT id, name_eu, name_es, year, status, promoter_agency, places, starts_on, ends_on, target_groups, eligibility, version FROM programmes";

async fn with_links(store: &Store, mut p: Programme) -> Result<Programme> {
    let id = p.id.0;
    on_pool!(store, c => {
        p.partners = sqlx::query("SELECT agency_id FROM programme_partners WHERE programme_id = $1").bind(id).fetch_all(c).await?
            .iter().map(|r| r.try_get(0).map(AgencyId)).collect::<Result<_, _>>()?;
        p.neighbourhoods = sqlx::query("SELECT area_id FROM programme_areas WHERE programme_id = $1").bind(id).fetch_all(c).await?
            .iter().map(|r| r.try_get(0).map(AreaId)).collect::<Result<_, _>>()?;
        p.funding = sqlx::query("SELECT source, amount_cents FROM programme_funding WHERE programme_id = $1 ORDER BY position").bind(id).fetch_all(c).await?
            .iter().map(|r| Ok(Funding { source: r.try_get(0)?, amount_cents: r.try_get(1)? })).collect::<Result<_, sqlx::Error>>()?;
    });
    Ok(p)
}

pub async fn get(store: &Store, tenant: TenantId, id: ProgrammeId) -> Result<Programme> {
    let p = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_PROGRAMMES} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        programme_from_row!(r)
    });
    with_links(store, p).await
}

/// Every programme of the tenant, the latest year first.
pub async fn list(store: &Store, tenant: TenantId) -> Result<Vec<Programme>> {
    let heads: Vec<Programme> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_PROGRAMMES} WHERE tenant_id = $1 ORDER BY year DESC, name_es")))
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(programme_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for p in heads {
        out.push(with_links(store, p).await?);
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct Template {
    pub id: Uuid,
    pub programme_id: ProgrammeId,
    /// A message key for the built-in template, or the name typed by its designers.
    pub name: String,
    pub steps: Vec<StepKind>,
    pub version: i64,
    pub updated_by: Option<UserId>,
    pub updated_at: Timestamp,
}

pub async fn templates(store: &Store, programme: ProgrammeId) -> Result<Vec<Template>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, programme_id, name, steps, version, updated_by, updated_at FROM itinerary_templates WHERE programme_id = $1 ORDER BY id")
            .bind(programme.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let steps: String = r.try_get(3)?;
            Ok(Template {
                id: r.try_get(0)?,
                programme_id: ProgrammeId(r.try_get(1)?),
                name: r.try_get(2)?,
                steps: steps.split(',').filter_map(|s| StepKind::parse(s).ok()).collect(),
                version: r.try_get(4)?,
                updated_by: r.try_get::<Option<Uuid>, _>(5)?.map(UserId),
                updated_at: Timestamp::from_micros(r.try_get(6)?),
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Adds a template (`existing` = None) or replaces one still at `version`.
pub async fn save_template(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    programme: ProgrammeId,
    existing: Option<(Uuid, i64)>,
    name: &str,
    steps: &[StepKind],
) -> Result<Uuid> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let now = Timestamp::now().micros();
    let list = codes(steps, StepKind::code);
    let mut tx = store.begin_write().await?;
    let id = match existing {
        None => {
            let id = Uuid::now_v7();
            on_tx!(&mut tx, c => sqlx::query("INSERT INTO itinerary_templates (id, programme_id, name, steps, version, updated_by, updated_at) VALUES ($1,$2,$3,$4,1,$5,$6)")
                .bind(id).bind(programme.0).bind(name).bind(&list).bind(by.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
            id
        }
        Some((id, version)) => {
            let n = on_tx!(&mut tx, c => sqlx::query("UPDATE itinerary_templates SET name = $4, steps = $5, updated_by = $6, updated_at = $7, version = version + 1 WHERE id = $1 AND programme_id = $2 AND version = $3")
                .bind(id).bind(programme.0).bind(version).bind(name).bind(&list).bind(by.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
            if n == 0 {
                return Err(StoreError::Stale);
            }
            id
        }
    };
    audit(
        &mut tx,
        grant,
        meta,
        "itinerary_template",
        id,
        serde_json::json!({"programme": programme, "name": name, "steps": list}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Clone, Debug, Serialize)]
pub struct TrainingAction {
    pub id: TrainingActionId,
    pub programme_id: ProgrammeId,
    pub provider: AgencyId,
    pub title_eu: String,
    pub title_es: String,
    pub status: TrainingStatus,
    pub hours: i64,
    pub places: i64,
    pub location: String,
    pub neighbourhood: Option<AreaId>,
    pub esco_code: String,
    pub skills: Vec<String>,
    pub certificate: Option<String>,
    pub language: String,
    pub starts_on: String,
    pub ends_on: String,
    pub weekdays: Vec<String>,
    pub time_from: String,
    pub time_to: String,
    pub sessions: i64,
    pub enrolled: i64,
    /// The action's own eligibility rules, parsed when read.
    pub eligibility: Rules,
    pub version: i64,
}

impl TrainingAction {
    pub fn title(&self, lang: elkarlan_domain::Lang) -> &str {
        if lang == elkarlan_domain::Lang::Eu {
            &self.title_eu
        } else {
            &self.title_es
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub number: i64,
    pub held_on: String,
    pub time_from: String,
    pub time_to: String,
}

async fn write_sessions(tx: &mut Tx, id: TrainingActionId, d: &TrainingActionDraft) -> Result<()> {
    for (i, s) in d.sessions().iter().enumerate() {
        on_tx!(tx, c => sqlx::query("INSERT INTO training_sessions (id, action_id, number, held_on, time_from, time_to) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(SessionId::new().0).bind(id.0).bind(i as i64 + 1).bind(s.on.to_string())
            .bind(s.from.format("%H:%M").to_string()).bind(s.to.format("%H:%M").to_string())
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

fn action_detail(d: &TrainingActionDraft) -> serde_json::Value {
    serde_json::json!({
        "provider": d.provider, "title_eu": d.title_eu, "title_es": d.title_es, "status": d.status.code(),
        "hours": d.hours, "places": d.places, "occupation": d.occupation.code(), "starts_on": d.starts_on.to_string(),
        "ends_on": d.ends_on.to_string(), "sessions": d.sessions().len(),
    })
}

pub async fn create_action(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    programme: ProgrammeId,
    d: &TrainingActionDraft,
) -> Result<TrainingActionId> {
    let mut tx = store.begin_write().await?;
    let id = create_action_in(&mut tx, grant, meta, programme, d).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn create_action_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    programme: ProgrammeId,
    d: &TrainingActionDraft,
) -> Result<TrainingActionId> {
    let id = TrainingActionId::new();
    let skills: Vec<&str> = d.skills.iter().map(|s| s.as_str()).collect();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO training_actions (id, tenant_id, programme_id, provider_agency, title_eu, title_es, status, hours, places, location, area_id,
         esco_code, skills, certificate, language, starts_on, ends_on, weekdays, time_from, time_to, eligibility, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$22,1,$21)")
        .bind(id.0).bind(grant.tenant().0).bind(programme.0).bind(d.provider.0).bind(&d.title_eu).bind(&d.title_es).bind(d.status.code())
        .bind(d.hours).bind(d.places).bind(&d.location).bind(d.neighbourhood.map(|a| a.0)).bind(d.occupation.code()).bind(skills.join("\n"))
        .bind(&d.certificate).bind(&d.language).bind(d.starts_on.to_string()).bind(d.ends_on.to_string()).bind(d.schedule_codes().join(","))
        .bind(d.time_from.format("%H:%M").to_string()).bind(d.time_to.format("%H:%M").to_string()).bind(Timestamp::now().micros()).bind(d.eligibility.to_json())
        .execute(c).await.map(|r| r.rows_affected()))?;
    write_sessions(tx, id, d).await?;
    audit(tx, grant, meta, "training_action", id.0, action_detail(d)).await?;
    Ok(id)
}

/// Replaces an action's fields if still at `version`. The calendar is rebuilt only while no
/// attendance has been recorded; after that, changing it would orphan the marks.
pub async fn update_action(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    current: &TrainingAction,
    version: i64,
    d: &TrainingActionDraft,
) -> Result<()> {
    let skills: Vec<&str> = d.skills.iter().map(|s| s.as_str()).collect();
    let calendar_changed = current.starts_on != d.starts_on.to_string()
        || current.ends_on != d.ends_on.to_string()
        || current.weekdays.join(",") != d.schedule_codes().join(",")
        || current.time_from != d.time_from.format("%H:%M").to_string()
        || current.time_to != d.time_to.format("%H:%M").to_string();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE training_actions SET provider_agency = $4, title_eu = $5, title_es = $6, status = $7, hours = $8, places = $9, location = $10, area_id = $11,
         esco_code = $12, skills = $13, certificate = $14, language = $15, starts_on = $16, ends_on = $17, weekdays = $18, time_from = $19, time_to = $20, eligibility = $21,
         version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(current.id.0).bind(version).bind(d.provider.0).bind(&d.title_eu).bind(&d.title_es).bind(d.status.code())
        .bind(d.hours).bind(d.places).bind(&d.location).bind(d.neighbourhood.map(|a| a.0)).bind(d.occupation.code()).bind(skills.join("\n"))
        .bind(&d.certificate).bind(&d.language).bind(d.starts_on.to_string()).bind(d.ends_on.to_string()).bind(d.schedule_codes().join(","))
        .bind(d.time_from.format("%H:%M").to_string()).bind(d.time_to.format("%H:%M").to_string()).bind(d.eligibility.to_json())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    if calendar_changed {
        let marks: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COUNT(*) FROM attendance a JOIN training_sessions s ON s.id = a.session_id WHERE s.action_id = $1")
            .bind(current.id.0).fetch_one(c).await?.get(0));
        if marks > 0 {
            return Err(StoreError::Conflict("calendar has attendance"));
        }
        on_tx!(&mut tx, c => sqlx::query("DELETE FROM training_sessions WHERE action_id = $1").bind(current.id.0).execute(c).await.map(|r| r.rows_affected()))?;
        write_sessions(&mut tx, current.id, d).await?;
    }
    audit(
        &mut tx,
        grant,
        meta,
        "training_action",
        current.id.0,
        action_detail(d),
    )
    .await?;
    tx.commit().await
}

macro_rules! action_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let status: String = $r.try_get("status")?;
        let skills: String = $r.try_get("skills")?;
        let weekdays: String = $r.try_get("weekdays")?;
        let rules: String = $r.try_get("eligibility")?;
        TrainingAction {
            id: TrainingActionId(id),
            programme_id: ProgrammeId($r.try_get("programme_id")?),
            provider: AgencyId($r.try_get("provider_agency")?),
            title_eu: $r.try_get("title_eu")?,
            title_es: $r.try_get("title_es")?,
            status: TrainingStatus::parse(&status)
                .map_err(|_| crate::error::corrupt("training action status", id))?,
            hours: $r.try_get("hours")?,
            places: $r.try_get("places")?,
            location: $r.try_get("location")?,
            neighbourhood: $r.try_get::<Option<Uuid>, _>("area_id")?.map(AreaId),
            esco_code: $r.try_get("esco_code")?,
            skills: skills
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            certificate: $r.try_get("certificate")?,
            language: $r.try_get("language")?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            weekdays: weekdays
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            time_from: $r.try_get("time_from")?,
            time_to: $r.try_get("time_to")?,
            sessions: $r.try_get("sessions")?,
            enrolled: $r.try_get("enrolled")?,
            eligibility: Rules::parse_json(&rules)
                .map_err(|_| crate::error::corrupt("training action eligibility", id))?,
            version: $r.try_get("version")?,
        }
    }};
}

const SELECT_ACTIONS: &str = "SELECT a.id, a.programme_id, a.provider_agency, a.title_eu, a.title_es, a.status, a.hours, a.places, a.location, a.area_id,
    a.esco_code, a.skills, a.certificate, a.language, a.starts_on, a.ends_on, a.weekdays, a.time_from, a.time_to, a.eligibility, a.version,
    (SELECT COUNT(*) FROM training_sessions s WHERE s.action_id = a.id) AS sessions,
    (SELECT COUNT(*) FROM enrolments e WHERE e.action_id = a.id AND e.status <> 'dropped_out') AS enrolled
    FROM training_actions a";

pub async fn get_action(
    store: &Store,
    tenant: TenantId,
    id: TrainingActionId,
) -> Result<TrainingAction> {
    on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ACTIONS} WHERE a.tenant_id = $1 AND a.id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(action_from_row!(r))
    })
}

pub async fn actions(
    store: &Store,
    tenant: TenantId,
    programme: ProgrammeId,
) -> Result<Vec<TrainingAction>> {
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ACTIONS} WHERE a.tenant_id = $1 AND a.programme_id = $2 ORDER BY a.starts_on, a.title_es")))
            .bind(tenant.0).bind(programme.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(action_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The actions an entity runs, in every programme.
pub async fn actions_of_provider(
    store: &Store,
    tenant: TenantId,
    provider: AgencyId,
) -> Result<Vec<TrainingAction>> {
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ACTIONS} WHERE a.tenant_id = $1 AND a.provider_agency = $2 ORDER BY a.starts_on, a.title_es")))
            .bind(tenant.0).bind(provider.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(action_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn sessions(store: &Store, action: TrainingActionId) -> Result<Vec<Session>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, number, held_on, time_from, time_to FROM training_sessions WHERE action_id = $1 ORDER BY number")
            .bind(action.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(Session {
            id: SessionId(r.try_get(0)?),
            number: r.try_get(1)?,
            held_on: r.try_get(2)?,
            time_from: r.try_get(3)?,
            time_to: r.try_get(4)?,
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}
