//! A person's employment record: the facts an eligibility check needs, itineraries and their
//! steps, enrolments with attendance, placements and their follow-ups. Every write carries its
//! audit row in the same transaction, with the person as subject.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::employment::codes::{
    AttendanceMark, ContractType, EnrolmentStatus, ItineraryStatus, Sector, StepKind, StepStatus,
};
use elkarlan_domain::employment::itinerary::{EnrolmentOutcome, StepUpdate};
use elkarlan_domain::employment::placement::{FollowUpRecord, PlacementDraft, follow_up_schedule};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    AgencyId, EnrolmentId, FollowUpId, ItineraryId, ItineraryStepId, PersonId, PlacementId,
    ProgrammeId, SessionId, TenantId, Timestamp, TrainingActionId, UserId,
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
    person: PersonId,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), meta)
        .with_subject(person.to_string())
        .with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

fn decode<T>(r: std::result::Result<T, &'static str>) -> std::result::Result<T, sqlx::Error> {
    r.map_err(|e| sqlx::Error::Decode(e.into()))
}

// Employment profile ---------------------------------------------------------------------------

/// Facts about a person's situation that the employment service records. `None` is unknown.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Profile {
    pub unemployed_since: Option<String>,
    pub income_guarantee: Option<bool>,
    pub disability_percent: Option<i64>,
    pub isced: Option<i64>,
}

pub async fn profile(store: &Store, person: PersonId) -> Result<Profile> {
    on_pool!(store, c => {
        let r = sqlx::query("SELECT unemployed_since, income_guarantee, disability_percent, isced FROM employment_profiles WHERE person_id = $1")
            .bind(person.0).fetch_optional(c).await?;
        match r {
            None => Ok(Profile::default()),
            Some(r) => Ok(Profile {
                unemployed_since: r.try_get(0)?,
                income_guarantee: r.try_get::<Option<i64>, _>(1)?.map(|v| v != 0),
                disability_percent: r.try_get(2)?,
                isced: r.try_get(3)?,
            }),
        }
    })
}

pub(crate) async fn set_profile_in(
    tx: &mut Tx,
    tenant: TenantId,
    person: PersonId,
    p: &Profile,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, income_guarantee, disability_percent, isced, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (person_id) DO UPDATE SET unemployed_since = excluded.unemployed_since, income_guarantee = excluded.income_guarantee,
           disability_percent = excluded.disability_percent, isced = excluded.isced, updated_at = excluded.updated_at")
        .bind(person.0).bind(tenant.0).bind(&p.unemployed_since).bind(p.income_guarantee.map(i64::from)).bind(p.disability_percent).bind(p.isced)
        .bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records many people's facts from an import in multi-row statements (a referral list's
/// slice). A row fills only the facts it holds and never erases the others (an import knows
/// less than the profile may); a person on two rows gets both rows' facts, the later winning.
/// Every person whose profile changes gets an audit row naming the changed facts, as the form
/// writes one.
pub(crate) async fn merge_profiles_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    import: Uuid,
    profiles: &[(PersonId, &Profile)],
) -> Result<()> {
    let mut merged: std::collections::HashMap<PersonId, Profile> = std::collections::HashMap::new();
    let mut order = Vec::new();
    for (p, f) in profiles {
        let m = merged.entry(*p).or_insert_with(|| {
            order.push(*p);
            Profile::default()
        });
        m.unemployed_since = f.unemployed_since.clone().or(m.unemployed_since.take());
        m.income_guarantee = f.income_guarantee.or(m.income_guarantee);
        m.disability_percent = f.disability_percent.or(m.disability_percent);
        m.isced = f.isced.or(m.isced);
    }
    let tenant = grant.tenant();
    let now = Timestamp::now().micros();
    let mut events = Vec::new();
    for chunk in order.chunks(200) {
        // What the profiles hold now, to write and audit only what changes.
        let marks: Vec<String> = (0..chunk.len()).map(|k| format!("${}", k + 2)).collect();
        let sql = format!(
            "SELECT person_id, unemployed_since, income_guarantee, disability_percent, isced FROM employment_profiles
             WHERE tenant_id = $1 AND person_id IN ({})",
            marks.join(",")
        );
        let before: std::collections::HashMap<Uuid, Profile> = on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0);
            for person in chunk {
                q = q.bind(person.0);
            }
            q.fetch_all(c).await?.iter().map(|r| Ok((r.try_get(0)?, Profile {
                unemployed_since: r.try_get(1)?,
                income_guarantee: r.try_get::<Option<i64>, _>(2)?.map(|v| v != 0),
                disability_percent: r.try_get(3)?,
                isced: r.try_get(4)?,
            }))).collect::<Result<_, sqlx::Error>>()?
        });
        let mut changed = Vec::new();
        for person in chunk {
            let new = &merged[person];
            let old = before.get(&person.0).cloned().unwrap_or_default();
            let fields: Vec<&str> = [
                (
                    "unemployed_since",
                    new.unemployed_since.is_some() && new.unemployed_since != old.unemployed_since,
                ),
                (
                    "income_guarantee",
                    new.income_guarantee.is_some() && new.income_guarantee != old.income_guarantee,
                ),
                (
                    "disability_percent",
                    new.disability_percent.is_some()
                        && new.disability_percent != old.disability_percent,
                ),
                ("isced", new.isced.is_some() && new.isced != old.isced),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.then_some(k))
            .collect();
            if !fields.is_empty() {
                changed.push(*person);
                // The trail names what changed, not the values (income and disability are sensitive).
                events.push(
                    NewEvent::from_grant(
                        grant,
                        "employment_profile",
                        Some(person.to_string()),
                        meta,
                    )
                    .with_subject(person.to_string())
                    .with_detail(serde_json::json!({"fields": fields, "import": import})),
                );
            }
        }
        if changed.is_empty() {
            continue;
        }
        // Only placeholders are interpolated: the SQL text never contains input.
        let rows: Vec<String> = (0..changed.len())
            .map(|k| {
                let b = 3 + k * 5;
                format!("(${},$1,${},${},${},${},$2)", b, b + 1, b + 2, b + 3, b + 4)
            })
            .collect();
        let sql = format!(
            "INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, income_guarantee, disability_percent, isced, updated_at)
             VALUES {}
             ON CONFLICT (person_id) DO UPDATE SET
               unemployed_since = COALESCE(excluded.unemployed_since, employment_profiles.unemployed_since),
               income_guarantee = COALESCE(excluded.income_guarantee, employment_profiles.income_guarantee),
               disability_percent = COALESCE(excluded.disability_percent, employment_profiles.disability_percent),
               isced = COALESCE(excluded.isced, employment_profiles.isced),
               updated_at = excluded.updated_at",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0).bind(now);
            for person in &changed {
                let f = &merged[person];
                q = q.bind(person.0).bind(&f.unemployed_since).bind(f.income_guarantee.map(i64::from)).bind(f.disability_percent).bind(f.isced);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    crate::audit::append(tx, &events).await
}

pub async fn set_profile(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    person: PersonId,
    p: &Profile,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    set_profile_in(&mut tx, grant.tenant(), person, p).await?;
    // The trail names what is known, not the values (income and disability are sensitive).
    let known: Vec<&str> = [
        ("unemployed_since", p.unemployed_since.is_some()),
        ("income_guarantee", p.income_guarantee.is_some()),
        ("disability_percent", p.disability_percent.is_some()),
        ("isced", p.isced.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.then_some(k))
    .collect();
    audit(
        &mut tx,
        grant,
        meta,
        "employment_profile",
        person.0,
        person,
        serde_json::json!({"fields": known}),
    )
    .await?;
    tx.commit().await
}

// Itineraries -----------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub id: ItineraryStepId,
    pub position: i64,
    pub kind: StepKind,
    pub status: StepStatus,
    pub planned_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Itinerary {
    pub id: ItineraryId,
    pub person_id: PersonId,
    pub programme_id: Option<ProgrammeId>,
    pub professional_id: UserId,
    pub agency_id: AgencyId,
    pub status: ItineraryStatus,
    pub opened_at: Timestamp,
    pub version: i64,
    pub steps: Vec<Step>,
}

pub async fn open_itinerary(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    person: PersonId,
    programme: Option<ProgrammeId>,
    steps: &[StepKind],
    agency: AgencyId,
) -> Result<ItineraryId> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let id = ItineraryId::new();
    let mut tx = store.begin_write().await?;
    if let Some(p) = programme {
        let open: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COUNT(*) FROM itineraries WHERE person_id = $1 AND programme_id = $2 AND status = 'active'")
            .bind(person.0).bind(p.0).fetch_one(c).await?.get(0));
        if open > 0 {
            return Err(StoreError::Conflict("itinerary open in programme"));
        }
    }
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO itineraries (id, tenant_id, person_id, programme_id, professional_id, agency_id, status, opened_at, closed_at, version)
         VALUES ($1,$2,$3,$4,$5,$6,'active',$7,NULL,1)")
        .bind(id.0).bind(grant.tenant().0).bind(person.0).bind(programme.map(|p| p.0)).bind(by.0).bind(agency.0).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    for (i, k) in steps.iter().enumerate() {
        insert_step(&mut tx, id, i as i64 + 1, *k, None).await?;
    }
    let codes: Vec<&str> = steps.iter().map(|s| s.code()).collect();
    audit(
        &mut tx,
        grant,
        meta,
        "itinerary",
        id.0,
        person,
        serde_json::json!({"programme": programme, "steps": codes}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_step(
    tx: &mut Tx,
    itinerary: ItineraryId,
    position: i64,
    kind: StepKind,
    planned: Option<String>,
) -> Result<ItineraryStepId> {
    let id = ItineraryStepId::new();
    on_tx!(tx, c => sqlx::query("INSERT INTO itinerary_steps (id, itinerary_id, position, kind, status, planned_on, started_on, completed_on, version) VALUES ($1,$2,$3,$4,'planned',$5,NULL,NULL,1)")
        .bind(id.0).bind(itinerary.0).bind(position).bind(kind.code()).bind(planned).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Adds a step at the end of the itinerary.
pub async fn add_step(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    it: &Itinerary,
    kind: StepKind,
    planned: Option<chrono::NaiveDate>,
) -> Result<ItineraryStepId> {
    let mut tx = store.begin_write().await?;
    let next: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 FROM itinerary_steps WHERE itinerary_id = $1")
        .bind(it.id.0).fetch_one(c).await?.get(0));
    let id = insert_step(&mut tx, it.id, next, kind, planned.map(|d| d.to_string())).await?;
    audit(
        &mut tx,
        grant,
        meta,
        "itinerary_step",
        id.0,
        it.person_id,
        serde_json::json!({"itinerary": it.id, "kind": kind.code()}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_step(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    it: &Itinerary,
    step: ItineraryStepId,
    version: i64,
    u: &StepUpdate,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE itinerary_steps SET status = $4, started_on = $5, completed_on = $6, version = version + 1 WHERE itinerary_id = $1 AND id = $2 AND version = $3")
        .bind(it.id.0).bind(step.0).bind(version).bind(u.status.code()).bind(u.started_on.map(|d| d.to_string())).bind(u.completed_on.map(|d| d.to_string()))
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        let exists: i64 = on_tx!(&mut tx, c => sqlx::query("SELECT COUNT(*) FROM itinerary_steps WHERE itinerary_id = $1 AND id = $2").bind(it.id.0).bind(step.0).fetch_one(c).await?.get(0));
        return Err(if exists == 0 {
            StoreError::NotFound
        } else {
            StoreError::Stale
        });
    }
    audit(
        &mut tx,
        grant,
        meta,
        "itinerary_step",
        step.0,
        it.person_id,
        serde_json::json!({"status": u.status.code()}),
    )
    .await?;
    tx.commit().await
}

/// Closes an itinerary as completed or dropped out.
pub async fn close_itinerary(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    it: &Itinerary,
    version: i64,
    status: ItineraryStatus,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE itineraries SET status = $3, closed_at = $4, version = version + 1 WHERE id = $1 AND version = $2 AND status = 'active'")
        .bind(it.id.0).bind(version).bind(status.code()).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(
        &mut tx,
        grant,
        meta,
        "itinerary",
        it.id.0,
        it.person_id,
        serde_json::json!({"status": status.code()}),
    )
    .await?;
    tx.commit().await
}

macro_rules! itinerary_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        Itinerary {
            id: ItineraryId($r.try_get("id")?),
            person_id: PersonId($r.try_get("person_id")?),
            programme_id: $r
                .try_get::<Option<Uuid>, _>("programme_id")?
                .map(ProgrammeId),
            professional_id: UserId($r.try_get("professional_id")?),
            agency_id: AgencyId($r.try_get("agency_id")?),
            status: decode(ItineraryStatus::parse(&status))?,
            opened_at: Timestamp::from_micros($r.try_get("opened_at")?),
            version: $r.try_get("version")?,
            steps: Vec::new(),
        }
    }};
}

async fn with_steps(store: &Store, mut it: Itinerary) -> Result<Itinerary> {
    it.steps = on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, position, kind, status, planned_on, started_on, completed_on, version FROM itinerary_steps WHERE itinerary_id = $1 ORDER BY position")
            .bind(it.id.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let kind: String = r.try_get(2)?;
            let status: String = r.try_get(3)?;
            Ok(Step {
                id: ItineraryStepId(r.try_get(0)?),
                position: r.try_get(1)?,
                kind: decode(StepKind::parse(&kind))?,
                status: decode(StepStatus::parse(&status))?,
                planned_on: r.try_get(4)?,
                started_on: r.try_get(5)?,
                completed_on: r.try_get(6)?,
                version: r.try_get(7)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    Ok(it)
}

const SELECT_ITINERARIES: &str = "SELECT id, person_id, programme_id, professional_id, agency_id, status, opened_at, version FROM itineraries";

pub async fn get_itinerary(store: &Store, tenant: TenantId, id: ItineraryId) -> Result<Itinerary> {
    let it = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ITINERARIES} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        itinerary_from_row!(r)
    });
    with_steps(store, it).await
}

pub async fn itineraries_of(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<Itinerary>> {
    let heads: Vec<Itinerary> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ITINERARIES} WHERE tenant_id = $1 AND person_id = $2 ORDER BY opened_at DESC")))
            .bind(tenant.0).bind(person.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(itinerary_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for it in heads {
        out.push(with_steps(store, it).await?);
    }
    Ok(out)
}

// Enrolments and attendance --------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub action_id: TrainingActionId,
    pub person_id: PersonId,
    pub itinerary_id: Option<ItineraryId>,
    pub status: EnrolmentStatus,
    pub enrolled_on: String,
    pub closed_on: Option<String>,
    pub dropout_reason: Option<String>,
    pub certificate: Option<String>,
    pub version: i64,
    /// Sessions marked present, absent or excused so far.
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
}

/// Why an enrolment was refused; each maps to a field message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrolRefusal {
    AlreadyEnrolled,
    Full,
    /// A session of this action overlaps a session of another action the person is enrolled in.
    Overlap,
}

/// Enrols a person, refusing a second enrolment, a full action, and overlapping sessions.
#[allow(clippy::too_many_arguments)] // each fact the refusals check, named at the call site
pub async fn enrol(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    action: TrainingActionId,
    places: i64,
    person: PersonId,
    itinerary: Option<ItineraryId>,
    today: chrono::NaiveDate,
) -> Result<std::result::Result<EnrolmentId, EnrolRefusal>> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let mut tx = store.begin_write().await?;
    if tx.is_postgres() {
        // Serialises enrolments in one action, so two cannot both take the last place.
        on_tx!(&mut tx, c => sqlx::query("SELECT id FROM training_actions WHERE id = $1 FOR UPDATE").bind(action.0).fetch_optional(c).await.map(|_| 0u64))?;
    }
    let (mine, taken, overlap): (i64, i64, i64) = on_tx!(&mut tx, c => {
        let r = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM enrolments WHERE action_id = $1 AND person_id = $2),
               (SELECT COUNT(*) FROM enrolments WHERE action_id = $1 AND status <> 'dropped_out'),
               (SELECT COUNT(*) FROM training_sessions mine
                  JOIN training_sessions other ON other.held_on = mine.held_on AND other.time_from < mine.time_to AND mine.time_from < other.time_to
                  JOIN enrolments e ON e.action_id = other.action_id
                 WHERE mine.action_id = $1 AND other.action_id <> $1 AND e.person_id = $2 AND e.status = 'enrolled')")
            .bind(action.0).bind(person.0).fetch_one(c).await?;
        (r.get(0), r.get(1), r.get(2))
    });
    if mine > 0 {
        return Ok(Err(EnrolRefusal::AlreadyEnrolled));
    }
    if overlap > 0 {
        return Ok(Err(EnrolRefusal::Overlap));
    }
    if taken >= places {
        return Ok(Err(EnrolRefusal::Full));
    }
    let id = EnrolmentId::new();
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO enrolments (id, tenant_id, action_id, person_id, itinerary_id, status, enrolled_on, closed_on, dropout_reason, certificate, enrolled_by, version)
         VALUES ($1,$2,$3,$4,$5,'enrolled',$6,NULL,NULL,NULL,$7,1)")
        .bind(id.0).bind(grant.tenant().0).bind(action.0).bind(person.0).bind(itinerary.map(|i| i.0)).bind(today.to_string()).bind(by.0)
        .execute(c).await.map(|r| r.rows_affected()))?;
    audit(
        &mut tx,
        grant,
        meta,
        "enrolment",
        id.0,
        person,
        serde_json::json!({"action": action, "itinerary": itinerary}),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

const SELECT_ENROLMENTS: &str = "SELECT e.id, e.action_id, e.person_id, e.itinerary_id, e.status, e.enrolled_on, e.closed_on, e.dropout_reason, e.certificate, e.version,
    (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.mark = 'present') AS present,
    (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.mark = 'absent') AS absent,
    (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.mark = 'excused') AS excused
    FROM enrolments e";

macro_rules! enrolment_from_row {
    ($r:expr) => {{
        let status: String = $r.try_get("status")?;
        Enrolment {
            id: EnrolmentId($r.try_get("id")?),
            action_id: TrainingActionId($r.try_get("action_id")?),
            person_id: PersonId($r.try_get("person_id")?),
            itinerary_id: $r
                .try_get::<Option<Uuid>, _>("itinerary_id")?
                .map(ItineraryId),
            status: decode(EnrolmentStatus::parse(&status))?,
            enrolled_on: $r.try_get("enrolled_on")?,
            closed_on: $r.try_get("closed_on")?,
            dropout_reason: $r.try_get("dropout_reason")?,
            certificate: $r.try_get("certificate")?,
            version: $r.try_get("version")?,
            present: $r.try_get("present")?,
            absent: $r.try_get("absent")?,
            excused: $r.try_get("excused")?,
        }
    }};
}

pub async fn get_enrolment(store: &Store, tenant: TenantId, id: EnrolmentId) -> Result<Enrolment> {
    on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ENROLMENTS} WHERE e.tenant_id = $1 AND e.id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(enrolment_from_row!(r))
    })
}

pub async fn enrolments_of_person(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<Enrolment>> {
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ENROLMENTS} WHERE e.tenant_id = $1 AND e.person_id = $2 ORDER BY e.enrolled_on DESC")))
            .bind(tenant.0).bind(person.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(enrolment_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// One line of an action's roster: the enrolment and the minimum to recognise the person.
#[derive(Clone, Debug, Serialize)]
pub struct RosterLine {
    pub enrolment: Enrolment,
    pub given_name: String,
    pub surname1: String,
    pub surname2: Option<String>,
}

pub async fn roster(
    store: &Store,
    tenant: TenantId,
    action: TrainingActionId,
) -> Result<Vec<RosterLine>> {
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT x.*, p.given_name, p.surname1, p.surname2 FROM ({SELECT_ENROLMENTS} WHERE e.tenant_id = $1 AND e.action_id = $2) x
             JOIN people p ON p.id = x.person_id ORDER BY p.surname1, p.surname2, p.given_name")))
            .bind(tenant.0).bind(action.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(RosterLine {
            enrolment: enrolment_from_row!(r),
            given_name: r.try_get("given_name")?,
            surname1: r.try_get("surname1")?,
            surname2: r.try_get("surname2")?,
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Every mark of an action: (enrolment, session number, mark).
pub async fn marks(
    store: &Store,
    action: TrainingActionId,
) -> Result<Vec<(EnrolmentId, i64, AttendanceMark)>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT a.enrolment_id, s.number, a.mark FROM attendance a JOIN training_sessions s ON s.id = a.session_id WHERE s.action_id = $1")
            .bind(action.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let mark: String = r.try_get(2)?;
            Ok((EnrolmentId(r.try_get(0)?), r.try_get(1)?, decode(AttendanceMark::parse(&mark))?))
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Records (or corrects) marks for one session. Only enrolments still open can be marked.
pub async fn record_attendance(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    session: SessionId,
    marks: &[(&Enrolment, AttendanceMark)],
) -> Result<()> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    for (e, mark) in marks {
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO attendance (enrolment_id, session_id, mark, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5)
             ON CONFLICT (enrolment_id, session_id) DO UPDATE SET mark = excluded.mark, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at")
            .bind(e.id.0).bind(session.0).bind(mark.code()).bind(by.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    }
    let events: Vec<NewEvent> = marks
        .iter()
        .map(|(e, mark)| {
            NewEvent::from_grant(grant, "attendance", Some(e.id.to_string()), meta)
                .with_subject(e.person_id.to_string())
                .with_detail(serde_json::json!({"session": session, "mark": mark.code()}))
        })
        .collect();
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await
}

pub async fn close_enrolment(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    e: &Enrolment,
    version: i64,
    outcome: &EnrolmentOutcome,
) -> Result<()> {
    let (status, on, reason, certificate) = match outcome {
        EnrolmentOutcome::Completed { on, certificate } => {
            (EnrolmentStatus::Completed, *on, None, certificate.clone())
        }
        EnrolmentOutcome::DroppedOut { on, reason } => {
            (EnrolmentStatus::DroppedOut, *on, Some(reason.code()), None)
        }
    };
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE enrolments SET status = $3, closed_on = $4, dropout_reason = $5, certificate = $6, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(e.id.0).bind(version).bind(status.code()).bind(on.to_string()).bind(reason).bind(&certificate).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(&mut tx, grant, meta, "enrolment", e.id.0, e.person_id, serde_json::json!({"status": status.code(), "dropout_reason": reason, "certificate": certificate.is_some()})).await?;
    tx.commit().await
}

// Placements and follow-ups --------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub placement_id: PlacementId,
    pub months: i64,
    pub due_on: String,
    pub checked_on: Option<String>,
    pub still_employed: Option<bool>,
    pub same_employer: Option<bool>,
    pub evidence: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Placement {
    pub id: PlacementId,
    pub person_id: PersonId,
    pub itinerary_id: Option<ItineraryId>,
    pub employer: Option<String>,
    pub contract_type: ContractType,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub weekly_hours_centi: i64,
    pub esco_code: String,
    pub sector: Sector,
    /// Filled when the hire fulfils a social clause of a public contract.
    pub social_clause_id: Option<Uuid>,
    /// The employer's record in the organisations directory, when it is there.
    pub employer_organisation: Option<elkarlan_domain::OrganisationId>,
    /// Filled when the hire fulfils a commitment of a partnership agreement.
    pub agreement_commitment_id: Option<Uuid>,
    pub recorded_by: UserId,
    pub follow_ups: Vec<FollowUp>,
}

/// Records a placement and schedules its follow-ups at 3, 6 and 12 months, in one transaction.
pub async fn record_placement(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    person: PersonId,
    itinerary: Option<ItineraryId>,
    agency: AgencyId,
    d: &PlacementDraft,
) -> Result<PlacementId> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let id = PlacementId::new();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO placements (id, tenant_id, person_id, itinerary_id, employer, contract_type, starts_on, ends_on, weekly_hours_centi, esco_code, sector,
         social_clause_id, agreement_commitment_id, recorded_by, recorded_agency, recorded_at, employer_organisation)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$15,NULL,$12,$13,$14,$16)")
        .bind(id.0).bind(grant.tenant().0).bind(person.0).bind(itinerary.map(|i| i.0)).bind(&d.employer).bind(d.contract_type.code())
        .bind(d.starts_on.to_string()).bind(d.ends_on.map(|e| e.to_string())).bind(d.weekly_hours_centi).bind(d.occupation.code()).bind(d.sector.code())
        .bind(by.0).bind(agency.0).bind(Timestamp::now().micros()).bind(d.social_clause.map(|c| c.0)).bind(d.employer_organisation.map(|o| o.0))
        .execute(c).await.map(|r| r.rows_affected()))?;
    for (months, due) in follow_up_schedule(d.starts_on) {
        // A contract that ends before a milestone still gets it: the question is whether the
        // person is still in work, with this employer or another.
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO follow_ups (id, placement_id, months, due_on) VALUES ($1,$2,$3,$4)")
            .bind(FollowUpId::new().0).bind(id.0).bind(i64::from(months)).bind(due.to_string()).execute(c).await.map(|r| r.rows_affected()))?;
    }
    audit(&mut tx, grant, meta, "placement", id.0, person, serde_json::json!({
        "contract_type": d.contract_type.code(), "starts_on": d.starts_on.to_string(), "sector": d.sector.code(), "occupation": d.occupation.code(),
        "employer_organisation": d.employer_organisation, "social_clause": d.social_clause,
    })).await?;
    tx.commit().await?;
    Ok(id)
}

const SELECT_PLACEMENTS: &str = "SELECT id, person_id, itinerary_id, employer, contract_type, starts_on, ends_on, weekly_hours_centi, esco_code, sector,
    social_clause_id, agreement_commitment_id, recorded_by, employer_organisation FROM placements";

macro_rules! placement_from_row {
    ($r:expr) => {{
        let ct: String = $r.try_get("contract_type")?;
        let sector: String = $r.try_get("sector")?;
        Placement {
            id: PlacementId($r.try_get("id")?),
            person_id: PersonId($r.try_get("person_id")?),
            itinerary_id: $r
                .try_get::<Option<Uuid>, _>("itinerary_id")?
                .map(ItineraryId),
            employer: $r.try_get("employer")?,
            contract_type: decode(ContractType::parse(&ct))?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            weekly_hours_centi: $r.try_get("weekly_hours_centi")?,
            esco_code: $r.try_get("esco_code")?,
            sector: decode(Sector::parse(&sector))?,
            social_clause_id: $r.try_get("social_clause_id")?,
            employer_organisation: $r
                .try_get::<Option<Uuid>, _>("employer_organisation")?
                .map(elkarlan_domain::OrganisationId),
            agreement_commitment_id: $r.try_get("agreement_commitment_id")?,
            recorded_by: UserId($r.try_get("recorded_by")?),
            follow_ups: Vec::new(),
        }
    }};
}

macro_rules! follow_up_from_row {
    ($r:expr) => {{
        let r = $r;
        FollowUp {
            id: FollowUpId(r.try_get("id")?),
            placement_id: PlacementId(r.try_get("placement_id")?),
            months: r.try_get("months")?,
            due_on: r.try_get("due_on")?,
            checked_on: r.try_get("checked_on")?,
            still_employed: r
                .try_get::<Option<i64>, _>("still_employed")?
                .map(|v| v != 0),
            same_employer: r
                .try_get::<Option<i64>, _>("same_employer")?
                .map(|v| v != 0),
            evidence: r.try_get("evidence")?,
            note: r.try_get("note")?,
        }
    }};
}

async fn follow_ups_of(store: &Store, placement: PlacementId) -> Result<Vec<FollowUp>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, placement_id, months, due_on, checked_on, still_employed, same_employer, evidence, note FROM follow_ups WHERE placement_id = $1 ORDER BY months")
            .bind(placement.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(follow_up_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn placements_of(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<Placement>> {
    let heads: Vec<Placement> = on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_PLACEMENTS} WHERE tenant_id = $1 AND person_id = $2 ORDER BY starts_on DESC")))
            .bind(tenant.0).bind(person.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(placement_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::with_capacity(heads.len());
    for mut p in heads {
        p.follow_ups = follow_ups_of(store, p.id).await?;
        out.push(p);
    }
    Ok(out)
}

pub async fn get_placement(store: &Store, tenant: TenantId, id: PlacementId) -> Result<Placement> {
    let mut p = on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_PLACEMENTS} WHERE tenant_id = $1 AND id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        placement_from_row!(r)
    });
    p.follow_ups = follow_ups_of(store, p.id).await?;
    Ok(p)
}

pub async fn record_follow_up(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    p: &Placement,
    months: i64,
    f: &FollowUpRecord,
) -> Result<()> {
    let by = grant.actor().ok_or(StoreError::Conflict("actor"))?;
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE follow_ups SET checked_on = $3, still_employed = $4, same_employer = $5, evidence = $6, note = $7, recorded_by = $8 WHERE placement_id = $1 AND months = $2")
        .bind(p.id.0).bind(months).bind(f.checked_on.to_string()).bind(i64::from(f.still_employed)).bind(f.same_employer.map(i64::from))
        .bind(f.evidence.code()).bind(&f.note).bind(by.0).execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit(&mut tx, grant, meta, "follow_up", p.id.0, p.person_id, serde_json::json!({"months": months, "still_employed": f.still_employed, "same_employer": f.same_employer})).await?;
    tx.commit().await
}

/// A follow-up to do: due by `until`, not yet recorded, for a placement of someone whose
/// itinerary or placement this professional holds.
#[derive(Clone, Debug, Serialize)]
pub struct DueFollowUp {
    pub follow_up: FollowUp,
    pub person_id: PersonId,
    pub employer: Option<String>,
    pub starts_on: String,
}

pub async fn due_follow_ups(
    store: &Store,
    tenant: TenantId,
    user: UserId,
    until: chrono::NaiveDate,
    limit: i64,
) -> Result<Vec<DueFollowUp>> {
    on_pool!(store, c => {
        let rows = sqlx::query(
            "SELECT f.id, f.placement_id, f.months, f.due_on, f.checked_on, f.still_employed, f.same_employer, f.evidence, f.note, p.person_id, p.employer, p.starts_on
             FROM follow_ups f JOIN placements p ON p.id = f.placement_id
             WHERE p.tenant_id = $1 AND f.checked_on IS NULL AND f.due_on <= $3
               AND (p.recorded_by = $2 OR EXISTS (SELECT 1 FROM itineraries i WHERE i.id = p.itinerary_id AND i.professional_id = $2))
             ORDER BY f.due_on LIMIT $4")
            .bind(tenant.0).bind(user.0).bind(until.to_string()).bind(limit.clamp(1, 1000)).fetch_all(c).await?;
        rows.iter().map(|r| Ok(DueFollowUp {
            follow_up: follow_up_from_row!(r),
            person_id: PersonId(r.try_get("person_id")?),
            employer: r.try_get("employer")?,
            starts_on: r.try_get("starts_on")?,
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// For the worker: professionals with follow-ups due by `until` not yet reminded, with how
/// many; each gets an e-mail (no personal data), and the follow-ups are marked reminded in the
/// same transaction so each is announced once.
pub async fn take_follow_up_reminders(
    store: &Store,
    until: chrono::NaiveDate,
    subject: &str,
    body: &str,
) -> Result<Vec<(TenantId, UserId, i64)>> {
    let mut tx = store.begin_write().await?;
    let rows: Vec<(Uuid, Uuid, i64)> = on_tx!(&mut tx, c => {
        let rows = sqlx::query(
            "SELECT p.tenant_id, COALESCE(i.professional_id, p.recorded_by), COUNT(*) FROM follow_ups f
             JOIN placements p ON p.id = f.placement_id LEFT JOIN itineraries i ON i.id = p.itinerary_id
             WHERE f.checked_on IS NULL AND f.reminded_at IS NULL AND f.due_on <= $1
             GROUP BY p.tenant_id, COALESCE(i.professional_id, p.recorded_by)")
            .bind(until.to_string()).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    // The e-mail says only that follow-ups are due: names stay inside Elkarlan.
    for (tenant, user, _) in &rows {
        let email: Option<String> = on_tx!(&mut tx, c => sqlx::query("SELECT email FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user).bind(tenant).fetch_optional(c).await?.map(|r| r.try_get::<Option<String>, _>(0)).transpose()?.flatten());
        if let Some(to) = email {
            crate::outbox::queue(&mut tx, TenantId(*tenant), &to, subject, body).await?;
        }
    }
    on_tx!(&mut tx, c => sqlx::query("UPDATE follow_ups SET reminded_at = $2 WHERE checked_on IS NULL AND reminded_at IS NULL AND due_on <= $1")
        .bind(until.to_string()).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|(t, u, n)| (TenantId(t), UserId(u), n))
        .collect())
}

/// Links the placements whose employer was typed as `employer` (and not yet linked) to that
/// organisation of the directory, so they count towards its commitments. Returns how many.
pub async fn link_employer_by_name(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    employer: &str,
    organisation: elkarlan_domain::OrganisationId,
) -> Result<u64> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query("UPDATE placements SET employer_organisation = $3 WHERE tenant_id = $1 AND employer = $2 AND employer_organisation IS NULL")
        .bind(grant.tenant().0).bind(employer).bind(organisation.0).execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(
        grant,
        "placement_employer",
        Some(organisation.to_string()),
        meta,
    )
    .with_detail(serde_json::json!({"employer": employer, "placements": n}));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await?;
    Ok(n)
}
