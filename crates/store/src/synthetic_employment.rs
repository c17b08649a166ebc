//! Bulk writes of the employment records of a synthetic population (`elkarlan demo --people N`,
//! the scale benchmarks): multi-row INSERTs in the population's own transaction, not the
//! audited one-record functions, as `people::create_many_in` does for the people themselves.
//! The caller decides what each person gets; this module only knows the tables.

use crate::{Result, Store, Tx, on_pool, on_tx};
use chrono::NaiveDate;
use elkarlan_domain::{AgencyId, PersonId, TenantId, UserId};
use sqlx::Row as _;
use uuid::Uuid;

/// The records a synthetic placement or enrolment may point at, in id order (the same
/// database gives the same choice).
#[derive(Clone, Debug, Default)]
pub struct Targets {
    pub training_actions: Vec<Uuid>,
    pub social_clauses: Vec<Uuid>,
    pub commitments: Vec<Uuid>,
}

/// Reads the tenant's training actions, social clauses and partnership commitments.
pub async fn targets(store: &Store, tenant: TenantId) -> Result<Targets> {
    async fn ids(store: &Store, sql: &'static str, tenant: TenantId) -> Result<Vec<Uuid>> {
        on_pool!(store, p => {
            let rows = sqlx::query(sql).bind(tenant.0).fetch_all(p).await?;
            rows.iter()
                .map(|r| r.try_get::<Uuid, _>(0).map_err(Into::into))
                .collect()
        })
    }
    Ok(Targets {
        training_actions: ids(
            store,
            "SELECT id FROM training_actions WHERE tenant_id = $1 ORDER BY id",
            tenant,
        )
        .await?,
        social_clauses: ids(
            store,
            "SELECT s.id FROM social_clauses s JOIN contracts c ON c.id = s.contract_id \
             WHERE c.tenant_id = $1 ORDER BY s.id",
            tenant,
        )
        .await?,
        commitments: ids(
            store,
            "SELECT id FROM commitments WHERE tenant_id = $1 ORDER BY id",
            tenant,
        )
        .await?,
    })
}

/// Who records the synthetic rows.
#[derive(Clone, Copy, Debug)]
pub struct RecordedBy {
    pub professional: UserId,
    pub agency: AgencyId,
}

pub struct Profile {
    pub person: PersonId,
    pub unemployed_since: NaiveDate,
    pub income_guarantee: bool,
}

pub struct Itinerary {
    pub id: Uuid,
    pub person: PersonId,
    pub status: &'static str,
    pub opened_at_micros: i64,
    pub closed_at_micros: Option<i64>,
}

pub struct Enrolment {
    pub itinerary: Uuid,
    pub person: PersonId,
    pub action: Uuid,
    pub status: &'static str,
    pub enrolled_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub dropout_reason: Option<&'static str>,
    pub certificate: Option<&'static str>,
}

pub struct Placement {
    pub id: Uuid,
    pub itinerary: Uuid,
    pub person: PersonId,
    pub employer: &'static str,
    pub contract_type: &'static str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekly_hours_centi: i64,
    pub esco_code: &'static str,
    pub sector: &'static str,
    pub social_clause: Option<Uuid>,
    pub commitment: Option<Uuid>,
    pub recorded_at_micros: i64,
}

pub struct FollowUp {
    pub placement: Uuid,
    pub months: i64,
    pub due_on: NaiveDate,
    pub checked_on: Option<NaiveDate>,
    pub still_employed: Option<bool>,
}

/// The employment records of a batch of synthetic people.
#[derive(Default)]
pub struct Batch {
    pub profiles: Vec<Profile>,
    pub itineraries: Vec<Itinerary>,
    pub enrolments: Vec<Enrolment>,
    pub placements: Vec<Placement>,
    pub follow_ups: Vec<FollowUp>,
}

/// A value of a generated row.
enum V {
    U(Uuid),
    OU(Option<Uuid>),
    S(String),
    OS(Option<String>),
    I(i64),
    OI(Option<i64>),
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn text(s: &str) -> V {
    V::S(s.to_owned())
}

/// Writes a batch in the caller's transaction.
pub async fn insert_in(
    tx: &mut Tx,
    tenant: TenantId,
    by: RecordedBy,
    batch: &Batch,
    now_micros: i64,
) -> Result<()> {
    let t = tenant.0;
    let (pro, agency) = (by.professional.0, by.agency.0);
    let profiles: Vec<Vec<V>> = batch
        .profiles
        .iter()
        .map(|p| {
            vec![
                V::U(p.person.0),
                V::U(t),
                V::S(day(p.unemployed_since)),
                V::I(i64::from(p.income_guarantee)),
                V::I(now_micros),
            ]
        })
        .collect();
    insert(
        tx,
        "employment_profiles (person_id, tenant_id, unemployed_since, income_guarantee, updated_at)",
        &profiles,
    )
    .await?;
    let itineraries: Vec<Vec<V>> = batch
        .itineraries
        .iter()
        .map(|i| {
            vec![
                V::U(i.id),
                V::U(t),
                V::U(i.person.0),
                V::U(pro),
                V::U(agency),
                text(i.status),
                V::I(i.opened_at_micros),
                V::OI(i.closed_at_micros),
                V::I(1),
            ]
        })
        .collect();
    insert(
        tx,
        "itineraries (id, tenant_id, person_id, professional_id, agency_id, status, opened_at, closed_at, version)",
        &itineraries,
    )
    .await?;
    let enrolments: Vec<Vec<V>> = batch
        .enrolments
        .iter()
        .map(|e| {
            vec![
                V::U(Uuid::now_v7()),
                V::U(t),
                V::U(e.action),
                V::U(e.person.0),
                V::U(e.itinerary),
                text(e.status),
                V::S(day(e.enrolled_on)),
                V::OS(e.closed_on.map(day)),
                V::OS(e.dropout_reason.map(str::to_owned)),
                V::OS(e.certificate.map(str::to_owned)),
                V::U(pro),
                V::I(1),
            ]
        })
        .collect();
    insert(
        tx,
        "enrolments (id, tenant_id, action_id, person_id, itinerary_id, status, enrolled_on, closed_on, dropout_reason, certificate, enrolled_by, version)",
        &enrolments,
    )
    .await?;
    let placements: Vec<Vec<V>> = batch
        .placements
        .iter()
        .map(|p| {
            vec![
                V::U(p.id),
                V::U(t),
                V::U(p.person.0),
                V::U(p.itinerary),
                text(p.employer),
                text(p.contract_type),
                V::S(day(p.starts_on)),
                V::OS(p.ends_on.map(day)),
                V::I(p.weekly_hours_centi),
                text(p.esco_code),
                text(p.sector),
                V::OU(p.social_clause),
                V::OU(p.commitment),
                V::U(pro),
                V::U(agency),
                V::I(p.recorded_at_micros),
            ]
        })
        .collect();
    insert(
        tx,
        "placements (id, tenant_id, person_id, itinerary_id, employer, contract_type, starts_on, ends_on, weekly_hours_centi, esco_code, sector, social_clause_id, agreement_commitment_id, recorded_by, recorded_agency, recorded_at)",
        &placements,
    )
    .await?;
    let follow_ups: Vec<Vec<V>> = batch
        .follow_ups
        .iter()
        .map(|f| {
            vec![
                V::U(Uuid::now_v7()),
                V::U(f.placement),
                V::I(f.months),
                V::S(day(f.due_on)),
                V::OS(f.checked_on.map(day)),
                V::OI(f.still_employed.map(i64::from)),
            ]
        })
        .collect();
    insert(
        tx,
        "follow_ups (id, placement_id, months, due_on, checked_on, still_employed)",
        &follow_ups,
    )
    .await
}

/// Multi-row INSERTs of about 2,000 parameters each (well under both databases' limits). `into`
/// is one of this module's constant table specs; only placeholders are interpolated.
async fn insert(tx: &mut Tx, into: &'static str, rows: &[Vec<V>]) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((2000 / width).max(1)) {
        let mut sql = format!("INSERT INTO {into} VALUES ");
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..width {
                n += 1;
                if j > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for row in chunk {
                for v in row {
                    q = match v {
                        V::U(u) => q.bind(*u),
                        V::OU(u) => q.bind(*u),
                        V::S(s) => q.bind(s.clone()),
                        V::OS(s) => q.bind(s.clone()),
                        V::I(i) => q.bind(*i),
                        V::OI(i) => q.bind(*i),
                    };
                }
            }
            q.execute(c).await?;
        });
    }
    Ok(())
}
