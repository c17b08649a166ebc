//! Referral lists from the employment service's office: every row becomes an inbound referral
//! to a programme, about a person matched by identity document or registered anew. A row
//! without a document never links to an existing record: it registers a new one, and the report
//! says when a record with the same name and birth date exists (a duplicate to merge, perhaps).
//! An import never joins an existing case by itself: the lead of a matched person's open case
//! is asked, by a referral, to take the importer onto the team. All rows are written in one
//! transaction, so a list is imported whole or not at all; a reference already imported to the
//! programme is skipped, so importing the same list twice adds nothing.

use crate::audit::{NewEvent, RequestMeta};
use crate::cases::NewCase;
use crate::itineraries::Profile;
use crate::people::PersonRecord;
use crate::{Result, Store, Tx, on_tx};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AgencyId, PersonId, ProgrammeId, ReferralImportId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One valid row, ready to write.
pub struct ImportRow<'a> {
    /// The row number in the spreadsheet, for the report.
    pub number: usize,
    pub reference: &'a str,
    pub person: PersonRecord<'a>,
    pub referred_on: chrono::NaiveDate,
    pub notes: Option<&'a str>,
    pub profile: Profile,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// A new person was registered.
    Created,
    /// A new person was registered; a record with the same name and birth date exists, which
    /// may be the same person (without a document, the import does not decide that).
    CreatedPossibleDuplicate,
    /// The person was already in the registry (by document), and the importer leads or works on
    /// their case, or a new case led by the importer was opened.
    Matched,
    /// The person was already in the registry (by document) with an open case the importer does
    /// not work on: its lead was asked to take the importer onto the team.
    AwaitingTeam,
    /// This reference was imported to the programme before: nothing was written.
    AlreadyImported,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportSummary {
    pub id: Option<ReferralImportId>,
    pub rows: Vec<(usize, RowOutcome, PersonId)>,
    pub created: usize,
    pub matched: usize,
    pub already_imported: usize,
    /// Rows whose person's case lead was asked to take the importer onto the team.
    pub awaiting_team: usize,
    /// Rows registered anew although a record with the same name and birth date exists.
    pub possible_duplicates: usize,
}

/// Statements carry at most this many rows (well under both databases' parameter limits).
const CHUNK: usize = 200;

pub struct ImportFile<'a> {
    pub programme: ProgrammeId,
    pub name: &'a str,
    pub sha256: &'a str,
    /// The reason the case lead reads on a request to take the importer onto the team; each
    /// request adds the row's reference.
    pub join_reason: &'a str,
}

/// Imports the rows in one transaction. The importer becomes the lead of a new case for people
/// without an open one; for a person with an open case the importer does not work on, the
/// case's lead receives a request to take the importer onto the team, which they accept or
/// decline as any referral. The import itself gives no access to an existing case.
pub async fn import(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    file: &ImportFile<'_>,
    importer: (UserId, AgencyId),
    rows: &[ImportRow<'_>],
) -> Result<ImportSummary> {
    let tenant = grant.tenant();
    let mut tx = store.begin_bulk_write().await?;
    let done: HashMap<String, PersonId> = on_tx!(&mut tx, c => {
        let rows = sqlx::query("SELECT reference, person_id FROM inbound_referrals WHERE tenant_id = $1 AND programme_id = $2")
            .bind(tenant.0).bind(file.programme.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, PersonId(r.try_get(1)?)))).collect::<Result<HashMap<_, _>, sqlx::Error>>()?
    });
    let todo: Vec<&ImportRow> = rows
        .iter()
        .filter(|r| !done.contains_key(r.reference))
        .collect();
    let mut summary = ImportSummary {
        id: None,
        rows: Vec::with_capacity(rows.len()),
        created: 0,
        matched: 0,
        already_imported: rows.len() - todo.len(),
        awaiting_team: 0,
        possible_duplicates: 0,
    };
    let mut outcomes: HashMap<usize, (RowOutcome, PersonId)> = HashMap::with_capacity(todo.len());
    if !todo.is_empty() {
        let id = ReferralImportId::new();
        summary.id = Some(id);
        on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO referral_imports (id, tenant_id, programme_id, file_name, file_sha256, rows_total, people_created, people_matched, already_imported, imported_by, imported_at)
             VALUES ($1,$2,$3,$4,$5,$6,0,0,$7,$8,$9)")
            .bind(id.0).bind(tenant.0).bind(file.programme.0).bind(file.name).bind(file.sha256).bind(rows.len() as i64)
            .bind(summary.already_imported as i64).bind(importer.0.0).bind(Timestamp::now().micros())
            .execute(c).await.map(|r| r.rows_affected()))?;
        // People registered by earlier rows of this list, by document hash: a person on two
        // rows is registered once.
        let mut registered: HashMap<Vec<u8>, PersonId> = HashMap::new();
        let ctx = ChunkContext {
            grant,
            meta,
            importer,
            programme: file.programme,
            import: id,
            join_reason: file.join_reason,
        };
        // Who is already in the registry, looked up before anything is written (on PostgreSQL
        // the planner's statistics are those of the tables before the import).
        let existing = existing_by_document(&mut tx, grant, &todo).await?;
        // In slices, all in the one transaction: memory stays bounded by the slice, not the list.
        for chunk in todo.chunks(ROWS_PER_SLICE) {
            import_slice(
                &mut tx,
                &ctx,
                chunk,
                &existing,
                &mut registered,
                &mut outcomes,
            )
            .await?;
        }
        let created = outcomes
            .values()
            .filter(|(o, _)| {
                matches!(
                    o,
                    RowOutcome::Created | RowOutcome::CreatedPossibleDuplicate
                )
            })
            .count();
        on_tx!(&mut tx, c => sqlx::query("UPDATE referral_imports SET people_created = $2, people_matched = $3 WHERE id = $1")
            .bind(id.0).bind(created as i64).bind((outcomes.len() - created) as i64)
            .execute(c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    for r in rows {
        if let Some(p) = done.get(r.reference) {
            summary
                .rows
                .push((r.number, RowOutcome::AlreadyImported, *p));
        } else if let Some((outcome, p)) = outcomes.get(&r.number) {
            match outcome {
                RowOutcome::Created => summary.created += 1,
                RowOutcome::CreatedPossibleDuplicate => {
                    summary.created += 1;
                    summary.possible_duplicates += 1;
                }
                RowOutcome::AwaitingTeam => {
                    summary.matched += 1;
                    summary.awaiting_team += 1;
                }
                RowOutcome::Matched | RowOutcome::AlreadyImported => summary.matched += 1,
            }
            summary.rows.push((r.number, *outcome, *p));
        }
    }
    Ok(summary)
}

/// Rows written per slice of an import.
const ROWS_PER_SLICE: usize = 2_000;

struct ChunkContext<'a> {
    grant: &'a Grant,
    meta: &'a RequestMeta,
    importer: (UserId, AgencyId),
    programme: ProgrammeId,
    import: ReferralImportId,
    join_reason: &'a str,
}

/// Writes one slice of the list: finds or registers the people, opens or joins their cases,
/// records the referrals, the employment facts and the audit rows.
async fn import_slice(
    tx: &mut Tx,
    ctx: &ChunkContext<'_>,
    chunk: &[&ImportRow<'_>],
    by_document: &HashMap<Vec<u8>, PersonId>,
    registered: &mut HashMap<Vec<u8>, PersonId>,
    outcomes: &mut HashMap<usize, (RowOutcome, PersonId)>,
) -> Result<()> {
    let grant = ctx.grant;
    // Each row: an existing person, or the index of the row of this slice that registers one.
    let mut person_of: Vec<Option<PersonId>> = Vec::with_capacity(chunk.len());
    let mut new_index: Vec<Option<usize>> = Vec::with_capacity(chunk.len());
    let mut new_records: Vec<PersonRecord> = Vec::new();
    let mut new_by_hash: HashMap<&[u8], usize> = HashMap::new();
    // Rows without a document that have a namesake (same name and birth date) in the registry.
    let mut namesakes: HashSet<usize> = HashSet::new();
    for r in chunk {
        let hash = r.person.document.map(|d| d.hash.as_slice());
        let found = match hash {
            Some(h) => by_document.get(h).or_else(|| registered.get(h)).copied(),
            // Without a document a name and a birth date only suggest: never link.
            None => {
                if has_namesake(tx, grant, &r.person).await? {
                    namesakes.insert(r.number);
                }
                None
            }
        };
        match (found, hash.and_then(|h| new_by_hash.get(h))) {
            (Some(id), _) => {
                person_of.push(Some(id));
                new_index.push(None);
            }
            (None, Some(i)) => {
                person_of.push(None);
                new_index.push(Some(*i));
            }
            (None, None) => {
                if let Some(h) = hash {
                    new_by_hash.insert(h, new_records.len());
                }
                person_of.push(None);
                new_index.push(Some(new_records.len()));
                new_records.push(r.person);
            }
        }
    }
    let created_ids = crate::people::create_many_in(tx, grant, ctx.meta, &new_records).await?;
    for (h, i) in &new_by_hash {
        registered.insert(h.to_vec(), created_ids[*i]);
    }
    let matched: HashSet<PersonId> = person_of.iter().flatten().copied().collect();
    let people: Vec<PersonId> = person_of
        .iter()
        .zip(&new_index)
        .map(|(p, n)| p.or_else(|| n.map(|i| created_ids[i])).unwrap_or_default())
        .collect();
    let references: HashMap<PersonId, &str> = chunk
        .iter()
        .zip(&person_of)
        .filter_map(|(r, p)| p.map(|p| (p, r.reference)))
        .collect();
    let awaiting = open_cases_or_ask_to_join(tx, ctx, &created_ids, &matched, &references).await?;
    insert_referrals(tx, grant, ctx.programme, ctx.import, chunk, &people).await?;
    let profiles: Vec<(PersonId, &Profile)> = chunk
        .iter()
        .zip(&people)
        .filter(|(r, _)| r.profile != Profile::default())
        .map(|(r, p)| (*p, &r.profile))
        .collect();
    crate::itineraries::merge_profiles_in(tx, grant, ctx.meta, ctx.import.0, &profiles).await?;
    let events: Vec<NewEvent> = chunk
        .iter()
        .zip(&people)
        .map(|(r, p)| {
            NewEvent::from_grant(grant, "inbound_referral", Some(r.reference.to_owned()), ctx.meta)
                .with_subject(p.to_string())
                .with_detail(serde_json::json!({
                    "programme": ctx.programme, "import": ctx.import, "row": r.number,
                    "possible_duplicate": namesakes.contains(&r.number), "awaiting_team": awaiting.contains(p),
                }))
        })
        .collect();
    crate::audit::append(tx, &events).await?;
    // The first row that registers a person counts as created; later rows about the same
    // person (in this list, or already in the registry) as matched.
    let mut first_of_new: HashSet<usize> = HashSet::new();
    for ((r, p), n) in chunk.iter().zip(&people).zip(&new_index) {
        let outcome = match n {
            Some(i) if first_of_new.insert(*i) => {
                if namesakes.contains(&r.number) {
                    RowOutcome::CreatedPossibleDuplicate
                } else {
                    RowOutcome::Created
                }
            }
            _ if awaiting.contains(p) => RowOutcome::AwaitingTeam,
            _ => RowOutcome::Matched,
        };
        outcomes.insert(r.number, (outcome, *p));
    }
    Ok(())
}

async fn existing_by_document(
    tx: &mut Tx,
    grant: &Grant,
    rows: &[&ImportRow<'_>],
) -> Result<HashMap<Vec<u8>, PersonId>> {
    let hashes: Vec<&[u8]> = rows
        .iter()
        .filter_map(|r| r.person.document.map(|d| d.hash.as_slice()))
        .collect();
    let mut out = HashMap::new();
    for chunk in hashes.chunks(CHUNK) {
        // Only placeholders are interpolated: the SQL text never contains input.
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT id, document_hash FROM people WHERE tenant_id = $1 AND merged_into IS NULL AND anonymised_at IS NULL AND document_hash IN ({})",
            marks.join(",")
        );
        let found: Vec<(Uuid, Vec<u8>)> = on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(grant.tenant().0);
            for h in chunk {
                q = q.bind(h.to_vec());
            }
            q.fetch_all(c).await?.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        for (id, h) in found {
            out.insert(h, PersonId(id));
        }
    }
    Ok(out)
}

/// Whether a record with the same name key and birth date exists: a row without a document
/// about it is registered anew and reported as a possible duplicate, never linked.
async fn has_namesake(tx: &mut Tx, grant: &Grant, rec: &PersonRecord<'_>) -> Result<bool> {
    let key = rec.draft.name.search_key();
    let found = on_tx!(tx, c => sqlx::query(
        "SELECT id FROM people WHERE tenant_id = $1 AND search_key = $2 AND birth_date = $3 AND merged_into IS NULL AND anonymised_at IS NULL LIMIT 1")
        .bind(grant.tenant().0).bind(&key).bind(rec.draft.birth_date.to_string()).fetch_optional(c).await?.is_some());
    Ok(found)
}

/// Opens a case led by the importer for each person registered now and each matched person
/// without an open case. A matched person's open case is never joined by the import: when the
/// importer is neither its lead nor on its team, the lead is asked to take the importer on.
/// Returns the people whose case lead was asked.
async fn open_cases_or_ask_to_join(
    tx: &mut Tx,
    ctx: &ChunkContext<'_>,
    created: &[PersonId],
    matched: &HashSet<PersonId>,
    references: &HashMap<PersonId, &str>,
) -> Result<HashSet<PersonId>> {
    let (grant, (user, agency)) = (ctx.grant, ctx.importer);
    let mut to_open: Vec<NewCase> = created
        .iter()
        .map(|p| NewCase {
            person: *p,
            lead: user,
            lead_agency: agency,
        })
        .collect();
    let mut awaiting = HashSet::new();
    for p in matched {
        let case = on_tx!(tx, c => sqlx::query(
            "SELECT c.id, c.lead_user_id, c.lead_agency_id,
               (SELECT COUNT(*) FROM case_team t WHERE t.case_id = c.id AND t.user_id = $3 AND t.left_at IS NULL)
             FROM cases c WHERE c.tenant_id = $1 AND c.person_id = $2 AND c.status <> 'closed' ORDER BY c.opened_at DESC LIMIT 1")
            .bind(grant.tenant().0).bind(p.0).bind(user.0).fetch_optional(c).await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get::<Uuid, _>(0)?, r.try_get::<Uuid, _>(1)?, r.try_get::<Uuid, _>(2)?, r.try_get::<i64, _>(3)?)))
            .transpose()?);
        match case {
            Some((_, lead, _, on_team)) if lead == user.0 || on_team > 0 => {}
            Some((id, _, lead_agency, _)) => {
                let reference = references.get(p).copied().unwrap_or_default();
                let reason = format!("{} ({reference})", ctx.join_reason);
                crate::referrals::request_to_join_in(
                    tx,
                    grant,
                    ctx.meta,
                    elkarlan_domain::CaseId(id),
                    *p,
                    AgencyId(lead_agency),
                    (user, agency),
                    &reason,
                )
                .await?;
                awaiting.insert(*p);
            }
            None => to_open.push(NewCase {
                person: *p,
                lead: user,
                lead_agency: agency,
            }),
        }
    }
    crate::cases::open_many_in(tx, grant, ctx.meta, &to_open).await?;
    Ok(awaiting)
}

async fn insert_referrals(
    tx: &mut Tx,
    grant: &Grant,
    programme: ProgrammeId,
    import: ReferralImportId,
    rows: &[&ImportRow<'_>],
    people: &[PersonId],
) -> Result<()> {
    for (start, chunk) in (0..).step_by(CHUNK).zip(rows.chunks(CHUNK)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = 4 + i * 5;
                format!(
                    "(${},$1,$2,${},${},$3,${},${})",
                    b,
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO inbound_referrals (id, tenant_id, programme_id, reference, person_id, import_id, referred_on, notes) VALUES {}",
            values.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(grant.tenant().0).bind(programme.0).bind(import.0);
            for (i, r) in chunk.iter().enumerate() {
                q = q.bind(Uuid::now_v7()).bind(r.reference).bind(people[start + i].0).bind(r.referred_on.to_string()).bind(r.notes);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A referral received for a programme, for its list.
#[derive(Clone, Debug, Serialize)]
pub struct InboundReferral {
    pub reference: String,
    pub person_id: PersonId,
    pub referred_on: String,
    pub given_name: String,
    pub surname1: String,
    pub surname2: Option<String>,
    pub itinerary: Option<Uuid>,
}

/// The referrals received for a programme whose person is in a case the user leads or is on.
pub async fn received(
    store: &Store,
    tenant: elkarlan_domain::TenantId,
    programme: ProgrammeId,
    user: UserId,
    limit: i64,
) -> Result<Vec<InboundReferral>> {
    crate::on_pool!(store, c => {
        let rows = sqlx::query(
            "SELECT r.reference, r.person_id, r.referred_on, p.given_name, p.surname1, p.surname2,
                (SELECT i.id FROM itineraries i WHERE i.person_id = r.person_id AND i.programme_id = r.programme_id LIMIT 1)
             FROM inbound_referrals r JOIN people p ON p.id = r.person_id
             WHERE r.tenant_id = $1 AND r.programme_id = $2 AND EXISTS (
               SELECT 1 FROM cases k WHERE k.person_id = r.person_id AND k.status <> 'closed' AND (k.lead_user_id = $3
                 OR EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = k.id AND t.user_id = $3 AND t.left_at IS NULL)))
             ORDER BY r.referred_on DESC, p.surname1 LIMIT $4")
            .bind(tenant.0).bind(programme.0).bind(user.0).bind(limit.clamp(1, 5000)).fetch_all(c).await?;
        rows.iter().map(|r| Ok(InboundReferral {
            reference: r.try_get(0)?,
            person_id: PersonId(r.try_get(1)?),
            referred_on: r.try_get(2)?,
            given_name: r.try_get(3)?,
            surname1: r.try_get(4)?,
            surname2: r.try_get(5)?,
            itinerary: r.try_get(6)?,
        })).collect::<Result<Vec<_>, sqlx::Error>>().map_err(crate::StoreError::from)
    })
}
