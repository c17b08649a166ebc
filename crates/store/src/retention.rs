//! Retention: the period per record type (set by the DPO), and the disposal the job worker
//! applies when it ends. Each record disposed of gets its audit row in the same transaction;
//! a run works in batches so a backlog never holds the write lock for long.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, Tx, on_pool, on_tx};
use elkarlan_domain::inclusion::retention::RecordType;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

/// Records disposed of per transaction.
const BATCH: i64 = 200;
const DAY_MICROS: i64 = 86_400_000_000;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Period {
    pub record_type: RecordType,
    pub days: i64,
    /// False while the built-in default applies.
    pub set: bool,
    pub updated_at: Option<Timestamp>,
}

/// The periods of a tenant, one per record type, defaults filled in.
pub async fn periods(store: &Store, tenant: TenantId) -> Result<Vec<Period>> {
    let rows: Vec<(String, i64, i64)> = on_pool!(store, p => sqlx::query("SELECT record_type, days, updated_at FROM retention_periods WHERE tenant_id = $1")
        .bind(tenant.0).fetch_all(p).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect());
    Ok(RecordType::ALL
        .into_iter()
        .map(|t| {
            let row = rows.iter().find(|(code, _, _)| code == t.code());
            Period {
                record_type: t,
                days: row.map_or(t.default_days(), |r| r.1),
                set: row.is_some(),
                updated_at: row.map(|r| Timestamp::from_micros(r.2)),
            }
        })
        .collect())
}

/// Sets periods (already parsed), all in one transaction with one audit row.
pub async fn set_periods(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    by: UserId,
    periods: &[(RecordType, i64)],
) -> Result<()> {
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    for (t, days) in periods {
        on_tx!(&mut tx, c => sqlx::query("INSERT INTO retention_periods (tenant_id, record_type, days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant_id, record_type) DO UPDATE SET days = excluded.days, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(grant.tenant().0).bind(t.code()).bind(*days).bind(by.0).bind(now)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    let detail: serde_json::Map<String, serde_json::Value> = periods
        .iter()
        .map(|(t, d)| (t.code().to_owned(), serde_json::Value::from(*d)))
        .collect();
    let ev = NewEvent::from_grant(grant, "retention_period", None, meta)
        .with_detail(serde_json::Value::Object(detail));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

/// What one run disposed of, per record type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Disposed {
    pub closed_cases: usize,
    pub people_without_case: usize,
    pub ended_consents: usize,
    pub read_notifications: usize,
}

impl Disposed {
    pub fn total(&self) -> usize {
        self.closed_cases + self.people_without_case + self.ended_consents + self.read_notifications
    }
}

/// Applies the tenant's periods as of `now`: every record past its period is anonymised or
/// deleted, with an audit row each (`grant` is the worker's `ApplyRetention`).
pub async fn apply(store: &Store, grant: &Grant, now: Timestamp) -> Result<Disposed> {
    let tenant = grant.tenant();
    let mut out = Disposed::default();
    for period in periods(store, tenant).await? {
        let cutoff = now.micros() - period.days * DAY_MICROS;
        loop {
            let n = match period.record_type {
                RecordType::ClosedCase => anonymise_closed_cases(store, grant, cutoff).await?,
                RecordType::PersonWithoutCase => {
                    delete_people_without_case(store, grant, cutoff).await?
                }
                RecordType::EndedConsent => delete_ended_consents(store, grant, cutoff).await?,
                RecordType::ReadNotification => {
                    delete_read_notifications(store, grant, cutoff).await?
                }
            };
            match period.record_type {
                RecordType::ClosedCase => out.closed_cases += n,
                RecordType::PersonWithoutCase => out.people_without_case += n,
                RecordType::EndedConsent => out.ended_consents += n,
                RecordType::ReadNotification => out.read_notifications += n,
            }
            if (n as i64) < BATCH {
                break;
            }
        }
    }
    Ok(out)
}

fn event(
    grant: &Grant,
    entity: &'static str,
    id: Uuid,
    subject: Option<Uuid>,
    t: RecordType,
) -> NewEvent {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), &RequestMeta::default())
        .with_detail(serde_json::json!({"record_type": t.code(), "disposal": t.disposal().code()}));
    match subject {
        Some(s) => ev.with_subject(s.to_string()),
        None => ev,
    }
}

async fn exec(tx: &mut Tx, sql: &'static str, id: Uuid) -> Result<u64> {
    Ok(on_tx!(tx, c => sqlx::query(sql).bind(id).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Closed cases past the period whose person still carries identifying data: the person keeps
/// only sex, year of birth and neighbourhood (what indicators count); names, document, contact
/// and consents go, and the case keeps its statuses, dates, severities and agencies but loses
/// every free text (notes, summaries, plan wording, referral reasons and outcomes).
async fn anonymise_closed_cases(store: &Store, grant: &Grant, cutoff: i64) -> Result<usize> {
    let mut tx = store.begin_write().await?;
    let due: Vec<(Uuid, Uuid)> = on_tx!(&mut tx, c => sqlx::query(
        "SELECT c.id, c.person_id FROM cases c JOIN people p ON p.id = c.person_id
         WHERE c.tenant_id = $1 AND c.status = 'closed' AND c.closed_at < $2 AND p.anonymised_at IS NULL
         ORDER BY c.closed_at LIMIT $3")
        .bind(grant.tenant().0).bind(cutoff).bind(BATCH).fetch_all(c).await?
        .iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?);
    let now = Timestamp::now().micros();
    let mut events = Vec::with_capacity(due.len());
    for (case, person) in &due {
        on_tx!(&mut tx, c => sqlx::query(
            "UPDATE people SET given_name = '', surname1 = '', surname2 = NULL, search_key = '',
                document_kind = NULL, document_sealed = NULL, document_hash = NULL, document_masked = NULL,
                birth_date = substr(birth_date, 1, 4) || '-01-01', nationality = NULL, languages = '',
                phone = NULL, email = NULL, anonymised_at = $2, updated_at = $2, version = version + 1
             WHERE id = $1 OR merged_into = $1")
            .bind(*person).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
        exec(
            &mut tx,
            "DELETE FROM person_trigrams WHERE person_id = $1",
            *person,
        )
        .await?;
        exec(
            &mut tx,
            "DELETE FROM consents WHERE person_id = $1",
            *person,
        )
        .await?;
        // The rectification history of the person and of duplicates merged into them.
        exec(
            &mut tx,
            "DELETE FROM person_history WHERE person_id = $1 OR person_id IN (SELECT id FROM people WHERE merged_into = $1)",
            *person,
        )
        .await?;
        // The register keeps that a request was answered, not who made it.
        exec(
            &mut tx,
            "UPDATE subject_access_requests SET requester = '' WHERE person_id = $1 OR person_id IN (SELECT id FROM people WHERE merged_into = $1)",
            *person,
        )
        .await?;
        exec(&mut tx, "DELETE FROM case_notes WHERE case_id = $1", *case).await?;
        exec(
            &mut tx,
            "UPDATE assessments SET summary = '' WHERE case_id = $1",
            *case,
        )
        .await?;
        exec(
            &mut tx,
            "UPDATE plan_goals SET description = '' WHERE case_id = $1",
            *case,
        )
        .await?;
        exec(
            &mut tx,
            "UPDATE plan_actions SET description = '' WHERE case_id = $1",
            *case,
        )
        .await?;
        exec(
            &mut tx,
            "UPDATE referrals SET reason = '', outcome = NULL WHERE case_id = $1",
            *case,
        )
        .await?;
        // Employment records keep their dates, statuses, contract types and sectors (the
        // indicators count them) and lose what points back to the person: the employment
        // service's referral reference, notes and follow-up notes.
        // The reference becomes the row's own id (the pair programme, reference stays unique).
        let unlink = if tx.is_postgres() {
            "UPDATE inbound_referrals SET reference = CAST(id AS TEXT), notes = NULL WHERE person_id = $1"
        } else {
            "UPDATE inbound_referrals SET reference = lower(hex(id)), notes = NULL WHERE person_id = $1"
        };
        exec(&mut tx, unlink, *person).await?;
        exec(
            &mut tx,
            "UPDATE follow_ups SET note = NULL WHERE placement_id IN (SELECT id FROM placements WHERE person_id = $1)",
            *person,
        )
        .await?;
        events.push(event(
            grant,
            "person",
            *person,
            Some(*person),
            RecordType::ClosedCase,
        ));
    }
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(due.len())
}

/// People with no case, not the survivor of a merge, unchanged since before the cutoff.
async fn delete_people_without_case(store: &Store, grant: &Grant, cutoff: i64) -> Result<usize> {
    let mut tx = store.begin_write().await?;
    let due: Vec<Uuid> = on_tx!(&mut tx, c => sqlx::query(
        "SELECT p.id FROM people p
         WHERE p.tenant_id = $1 AND p.updated_at < $2
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM people m WHERE m.merged_into = p.id)
           AND NOT EXISTS (SELECT 1 FROM itineraries i WHERE i.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM placements pl WHERE pl.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM inbound_referrals ir WHERE ir.person_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM subject_access_requests s WHERE s.person_id = p.id)
         ORDER BY p.updated_at LIMIT $3")
        .bind(grant.tenant().0).bind(cutoff).bind(BATCH).fetch_all(c).await?
        .iter().map(|r| r.try_get(0)).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?);
    let mut events = Vec::with_capacity(due.len());
    for person in &due {
        exec(
            &mut tx,
            "DELETE FROM person_trigrams WHERE person_id = $1",
            *person,
        )
        .await?;
        exec(
            &mut tx,
            "DELETE FROM consents WHERE person_id = $1",
            *person,
        )
        .await?;
        exec(
            &mut tx,
            "DELETE FROM person_history WHERE person_id = $1",
            *person,
        )
        .await?;
        exec(
            &mut tx,
            "DELETE FROM employment_profiles WHERE person_id = $1",
            *person,
        )
        .await?;
        exec(&mut tx, "DELETE FROM people WHERE id = $1", *person).await?;
        events.push(event(
            grant,
            "person",
            *person,
            Some(*person),
            RecordType::PersonWithoutCase,
        ));
    }
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(due.len())
}

/// Consents withdrawn, or expired, before the cutoff.
async fn delete_ended_consents(store: &Store, grant: &Grant, cutoff: i64) -> Result<usize> {
    let mut tx = store.begin_write().await?;
    let due: Vec<(Uuid, Uuid)> = on_tx!(&mut tx, c => sqlx::query(
        "SELECT id, person_id FROM consents
         WHERE tenant_id = $1 AND (withdrawn_at < $2 OR (withdrawn_at IS NULL AND expires_at < $2))
         LIMIT $3")
        .bind(grant.tenant().0).bind(cutoff).bind(BATCH).fetch_all(c).await?
        .iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?);
    let mut events = Vec::with_capacity(due.len());
    for (consent, person) in &due {
        exec(&mut tx, "DELETE FROM consents WHERE id = $1", *consent).await?;
        events.push(event(
            grant,
            "consent",
            *consent,
            Some(*person),
            RecordType::EndedConsent,
        ));
    }
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(due.len())
}

/// Notifications read before the cutoff.
async fn delete_read_notifications(store: &Store, grant: &Grant, cutoff: i64) -> Result<usize> {
    let mut tx = store.begin_write().await?;
    let due: Vec<Uuid> = on_tx!(&mut tx, c => sqlx::query(
        "SELECT id FROM notifications WHERE tenant_id = $1 AND read_at < $2 LIMIT $3")
        .bind(grant.tenant().0).bind(cutoff).bind(BATCH).fetch_all(c).await?
        .iter().map(|r| r.try_get(0)).collect::<std::result::Result<Vec<_>, sqlx::Error>>()?);
    let mut events = Vec::with_capacity(due.len());
    for id in &due {
        exec(&mut tx, "DELETE FROM notifications WHERE id = $1", *id).await?;
        events.push(event(
            grant,
            "notification",
            *id,
            None,
            RecordType::ReadNotification,
        ));
    }
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(due.len())
}
