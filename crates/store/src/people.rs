//! The people registry: records, typo-tolerant search, duplicate candidates, merges.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use chrono::NaiveDate;
use elkarlan_domain::inclusion::person::{PersonDraft, Sex};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AreaId, Lang, PersonId, TenantId, Timestamp};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub given_name: String,
    pub surname1: String,
    pub surname2: Option<String>,
    pub document_kind: Option<String>,
    pub document_masked: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub nationality: Option<String>,
    pub languages: Vec<String>,
    pub preferred_lang: Lang,
    pub area_id: Option<AreaId>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub merged_into: Option<PersonId>,
    pub version: i64,
    pub created_at: Timestamp,
    /// Set when the retention period ended and identifying data was removed.
    pub anonymised_at: Option<Timestamp>,
}

impl Person {
    pub fn full_name(&self) -> String {
        match &self.surname2 {
            Some(s) => format!("{} {} {}", self.given_name, self.surname1, s),
            None => format!("{} {}", self.given_name, self.surname1),
        }
    }
}

/// A person's record as the store writes it: the parsed draft, the neighbourhood, and the
/// document in its stored forms.
#[derive(Clone, Copy, Debug)]
pub struct PersonRecord<'a> {
    pub draft: &'a PersonDraft,
    pub area: Option<AreaId>,
    pub document: Option<&'a StoredDocument>,
}

/// What the store needs besides the parsed draft: the document in its stored forms (sealed
/// and hashed by the caller, who holds the key) and the neighbourhood.
#[derive(Clone, Debug)]
pub struct StoredDocument {
    pub kind: String,
    pub sealed: Vec<u8>,
    pub hash: Vec<u8>,
    pub masked: String,
}

macro_rules! person_from_row {
    ($r:expr) => {{
        let id: uuid::Uuid = $r.try_get("id")?;
        let birth: String = $r.try_get("birth_date")?;
        let langs: String = $r.try_get("languages")?;
        let pref: String = $r.try_get("preferred_lang")?;
        let sex: String = $r.try_get("sex")?;
        Person {
            id: PersonId(id),
            given_name: $r.try_get("given_name")?,
            surname1: $r.try_get("surname1")?,
            surname2: $r.try_get("surname2")?,
            document_kind: $r.try_get("document_kind")?,
            document_masked: $r.try_get("document_masked")?,
            birth_date: NaiveDate::parse_from_str(&birth, "%Y-%m-%d")
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            sex: Sex::parse(&sex).map_err(|_| crate::error::corrupt("person sex", id))?,
            nationality: $r.try_get("nationality")?,
            languages: langs
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            preferred_lang: Lang::parse(&pref)
                .ok_or_else(|| crate::error::corrupt("person preferred language", id))?,
            area_id: $r.try_get::<Option<uuid::Uuid>, _>("area_id")?.map(AreaId),
            phone: $r.try_get("phone")?,
            email: $r.try_get("email")?,
            merged_into: $r
                .try_get::<Option<uuid::Uuid>, _>("merged_into")?
                .map(PersonId),
            version: $r.try_get("version")?,
            created_at: Timestamp::from_micros($r.try_get("created_at")?),
            anonymised_at: $r
                .try_get::<Option<i64>, _>("anonymised_at")?
                .map(Timestamp::from_micros),
        }
    }};
}

macro_rules! select_people {
    ($where:literal) => {
        concat!(
            "SELECT id, given_name, surname1, surname2, document_kind, document_masked, birth_date, sex, nationality, languages,
             preferred_lang, area_id, phone, email, merged_into, version, created_at, anonymised_at FROM people ",
            $where
        )
    };
}

/// The distinct trigrams of a search key, padded so short names and word starts count.
pub fn trigrams(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in key.split_whitespace() {
        let padded: Vec<char> = format!("  {word} ").chars().collect();
        for w in padded.windows(3) {
            let t: String = w.iter().collect();
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Replaces a record's trigrams.
async fn write_trigrams(tx: &mut Tx, tenant: TenantId, id: PersonId, key: &str) -> Result<()> {
    // No index leads from a person to their trigrams: this reads the whole table (about two
    // seconds at a million people).
    on_tx!(tx, c => sqlx::query("DELETE FROM person_trigrams WHERE person_id = $1").bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    insert_trigrams(tx, tenant, id, key).await
}

async fn insert_trigrams(tx: &mut Tx, tenant: TenantId, id: PersonId, key: &str) -> Result<()> {
    for t in trigrams(key) {
        on_tx!(tx, c => sqlx::query("INSERT INTO person_trigrams (tenant_id, trigram, person_id) VALUES ($1, $2, $3)")
            .bind(tenant.0).bind(t).bind(id.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

fn detail(
    d: &PersonDraft,
    area: Option<AreaId>,
    doc: Option<&StoredDocument>,
) -> serde_json::Value {
    serde_json::json!({
        "given_name": d.name.given, "surname1": d.name.surname1, "surname2": d.name.surname2,
        "document": doc.map(|x| format!("{} {}", x.kind, x.masked)), "birth_date": d.birth_date.to_string(),
        "sex": d.sex.code(), "nationality": d.nationality, "languages": d.languages, "preferred_lang": d.preferred_lang.code(),
        "area": area.map(|a| a.to_string()), "phone": d.phone, "email": d.email,
    })
}

/// One entry of the rectification history (see migration 0004: erasable, unlike the trail).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub actor_name: String,
    pub action: String,
    pub change: serde_json::Value,
}

async fn write_history(
    tx: &mut Tx,
    grant: &Grant,
    person: PersonId,
    change: &serde_json::Value,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO person_history (id, tenant_id, person_id, at, actor_name, action, change) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7()).bind(grant.tenant().0).bind(person.0).bind(Timestamp::now().micros())
        .bind(grant.actor_name()).bind(grant.action().code()).bind(change.to_string())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The rectification history of a person, newest first.
pub async fn history(
    store: &Store,
    tenant: TenantId,
    person: PersonId,
) -> Result<Vec<HistoryEntry>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT at, actor_name, action, change FROM person_history WHERE tenant_id = $1 AND person_id = $2 ORDER BY at DESC, id DESC")
            .bind(tenant.0).bind(person.0).fetch_all(p).await?;
        rows.iter().map(|r| {
            let change: String = r.try_get(3)?;
            Ok(HistoryEntry {
                at: Timestamp::from_micros(r.try_get(0)?),
                actor_name: r.try_get(1)?,
                action: r.try_get(2)?,
                change: serde_json::from_str(&change).unwrap_or_default(),
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The names of the fields whose values differ between two detail objects.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    after
        .as_object()
        .map(|a| {
            a.iter()
                .filter(|(k, v)| before.get(k.as_str()) != Some(*v))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// People per multi-row INSERT in [`create_many_in`] (17 parameters each). Statements stay
/// under two hundred parameters: sqlx binds SQLite's `$N` parameters by name, which costs time
/// quadratic in their number.
const PEOPLE_PER_INSERT: usize = 10;
/// Trigram rows per multi-row INSERT (2 parameters each).
const TRIGRAMS_PER_INSERT: usize = 50;
/// History rows per multi-row INSERT (3 parameters each, 4 shared).
const HISTORY_PER_INSERT: usize = 40;

/// Registers many people inside an open transaction: the same rows as [`create_in`] (the
/// record, its trigrams, one audit row per person, all in the caller's transaction), written
/// with multi-row statements. It exists for loading large synthetic populations
/// (`elkarlan demo --people N`, the scale benchmarks): one statement per row would take hours
/// at a million people.
pub async fn create_many_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    recs: &[PersonRecord<'_>],
) -> Result<Vec<PersonId>> {
    let tenant = grant.tenant();
    let now = Timestamp::now().micros();
    let ids: Vec<PersonId> = recs.iter().map(|_| PersonId::new()).collect();
    let keys: Vec<String> = recs.iter().map(|r| r.draft.name.search_key()).collect();
    for (start, chunk) in (0..)
        .step_by(PEOPLE_PER_INSERT)
        .zip(recs.chunks(PEOPLE_PER_INSERT))
    {
        // Only placeholders are interpolated: the SQL text never contains input.
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (0..17).map(|k| format!("${}", 3 + i * 17 + k)).collect();
                format!("({},$1,{},NULL,1,$2,$2)", p[0], p[1..].join(","))
            })
            .collect();
        let sql = format!(
            "INSERT INTO people (id, tenant_id, given_name, surname1, surname2, search_key, document_kind, document_sealed, document_hash, document_masked,
             birth_date, sex, nationality, languages, preferred_lang, area_id, phone, email, merged_into, version, created_at, updated_at)
             VALUES {}",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0).bind(now);
            for (i, r) in chunk.iter().enumerate() {
                let (d, doc) = (r.draft, r.document);
                q = q.bind(ids[start + i].0).bind(&d.name.given).bind(&d.name.surname1).bind(&d.name.surname2).bind(&keys[start + i])
                    .bind(doc.map(|x| x.kind.clone())).bind(doc.map(|x| x.sealed.clone())).bind(doc.map(|x| x.hash.clone())).bind(doc.map(|x| x.masked.clone()))
                    .bind(d.birth_date.to_string()).bind(d.sex.code()).bind(&d.nationality).bind(d.languages.join(",")).bind(d.preferred_lang.code())
                    .bind(r.area.map(|a| a.0)).bind(&d.phone).bind(&d.email);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let grams: Vec<(String, PersonId)> = ids
        .iter()
        .zip(&keys)
        .flat_map(|(id, key)| trigrams(key).into_iter().map(move |t| (t, *id)))
        .collect();
    for chunk in grams.chunks(TRIGRAMS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1,${},${})", 2 + i * 2, 3 + i * 2))
            .collect();
        let sql = format!(
            "INSERT INTO person_trigrams (tenant_id, trigram, person_id) VALUES {}",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0);
            for (t, id) in chunk {
                q = q.bind(t).bind(id.0);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    // As in `create_in`: the record goes to the erasable history, the trail names the fields.
    let records: Vec<serde_json::Value> = recs
        .iter()
        .map(|r| detail(r.draft, r.area, r.document))
        .collect();
    for (start, chunk) in (0..)
        .step_by(HISTORY_PER_INSERT)
        .zip(records.chunks(HISTORY_PER_INSERT))
    {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${},$1,${},$2,$3,$4,${})", 5 + i * 3, 6 + i * 3, 7 + i * 3))
            .collect();
        let sql = format!(
            "INSERT INTO person_history (id, tenant_id, person_id, at, actor_name, action, change) VALUES {}",
            rows.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(tenant.0).bind(now).bind(grant.actor_name()).bind(grant.action().code());
            for (i, record) in chunk.iter().enumerate() {
                q = q.bind(uuid::Uuid::now_v7()).bind(ids[start + i].0).bind(record.to_string());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let events: Vec<NewEvent> = records
        .iter()
        .zip(&ids)
        .map(|(record, id)| {
            let fields: Vec<&String> = record
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(k, _)| k)
                        .collect()
                })
                .unwrap_or_default();
            NewEvent::from_grant(grant, "person", Some(id.to_string()), meta)
                .with_subject(id.to_string())
                .with_detail(serde_json::json!({ "fields": fields }))
        })
        .collect();
    crate::audit::append(tx, &events).await?;
    Ok(ids)
}

/// Whether the tenant holds a record with this search key and e-mail address (an indexed
/// look-up by key). The synthetic population loader uses it to find where an earlier run
/// stopped: its people have unique e-mail addresses.
pub async fn exists_with_email(
    store: &Store,
    tenant: TenantId,
    key: &str,
    email: &str,
) -> Result<bool> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT 1 FROM people WHERE tenant_id = $1 AND search_key = $2 AND email = $3 LIMIT 1")
            .bind(tenant.0).bind(key).bind(email).fetch_optional(p).await?;
        Ok(r.is_some())
    })
}

/// Registers a person inside an open transaction (with its audit row).
pub async fn create_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    rec: PersonRecord<'_>,
) -> Result<PersonId> {
    let PersonRecord {
        draft: d,
        area,
        document: doc,
    } = rec;
    let id = PersonId::new();
    let now = Timestamp::now().micros();
    let key = d.name.search_key();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO people (id, tenant_id, given_name, surname1, surname2, search_key, document_kind, document_sealed, document_hash, document_masked,
         birth_date, sex, nationality, languages, preferred_lang, area_id, phone, email, merged_into, version, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,NULL,1,$19,$19)")
        .bind(id.0).bind(grant.tenant().0).bind(&d.name.given).bind(&d.name.surname1).bind(&d.name.surname2).bind(&key)
        .bind(doc.map(|x| x.kind.clone())).bind(doc.map(|x| x.sealed.clone())).bind(doc.map(|x| x.hash.clone())).bind(doc.map(|x| x.masked.clone()))
        .bind(d.birth_date.to_string()).bind(d.sex.code()).bind(&d.nationality).bind(d.languages.join(",")).bind(d.preferred_lang.code())
        .bind(area.map(|a| a.0)).bind(&d.phone).bind(&d.email).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    // A new record has no trigrams to replace.
    insert_trigrams(tx, grant.tenant(), id, &key).await?;
    let record = detail(d, area, doc);
    write_history(tx, grant, id, &record).await?;
    // The trail says what was recorded, not the values: those stay erasable.
    let fields: Vec<&String> = record
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default();
    let ev = NewEvent::from_grant(grant, "person", Some(id.to_string()), meta)
        .with_subject(id.to_string())
        .with_detail(serde_json::json!({ "fields": fields }));
    crate::audit::append(tx, &[ev]).await?;
    Ok(id)
}

pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    rec: PersonRecord<'_>,
) -> Result<PersonId> {
    let mut tx = store.begin_write().await?;
    let id = create_in(&mut tx, grant, meta, rec).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(store: &Store, tenant: TenantId, id: PersonId) -> Result<Person> {
    on_pool!(store, p => {
        let r = sqlx::query(select_people!("WHERE tenant_id = $1 AND id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(person_from_row!(r))
    })
}

/// Changes a person's record if it is still at `version`; the history keeps before and after,
/// the audit row the names of the fields changed.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: PersonId,
    version: i64,
    rec: PersonRecord<'_>,
) -> Result<()> {
    let PersonRecord {
        draft: d,
        area,
        document: doc,
    } = rec;
    let before = get(store, grant.tenant(), id).await?;
    let key = d.name.search_key();
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE people SET given_name = $4, surname1 = $5, surname2 = $6, search_key = $7,
         document_kind = COALESCE($8, document_kind), document_sealed = COALESCE($9, document_sealed), document_hash = COALESCE($10, document_hash),
         document_masked = COALESCE($11, document_masked), birth_date = $12, sex = $13, nationality = $14, languages = $15, preferred_lang = $16,
         area_id = $17, phone = $18, email = $19, version = version + 1, updated_at = $20
         WHERE tenant_id = $1 AND id = $2 AND version = $3 AND merged_into IS NULL")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(&d.name.given).bind(&d.name.surname1).bind(&d.name.surname2).bind(&key)
        .bind(doc.map(|x| x.kind.clone())).bind(doc.map(|x| x.sealed.clone())).bind(doc.map(|x| x.hash.clone())).bind(doc.map(|x| x.masked.clone()))
        .bind(d.birth_date.to_string()).bind(d.sex.code()).bind(&d.nationality).bind(d.languages.join(",")).bind(d.preferred_lang.code())
        .bind(area.map(|a| a.0)).bind(&d.phone).bind(&d.email).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    write_trigrams(&mut tx, grant.tenant(), id, &key).await?;
    let after = detail(d, area, doc);
    let before = serde_json::to_value(&before).unwrap_or_default();
    write_history(
        &mut tx,
        grant,
        id,
        &serde_json::json!({"before": before, "after": after}),
    )
    .await?;
    let ev = NewEvent::from_grant(grant, "person", Some(id.to_string()), meta)
        .with_subject(id.to_string())
        .with_detail(serde_json::json!({ "changed": changed_fields(&before, &after) }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

/// A trigram's postings (its rows in `person_trigrams`) are counted up to this many: enough to
/// tell the rare trigrams of a query from the common ones.
const GRAM_COUNT_CAP: i64 = 2_000;
/// At most this many postings of a trigram are read to find a search's candidates.
const GRAM_READ_CAP: i64 = 10_000;

/// People whose search keys share the most trigrams with `query`'s, best first, with a
/// similarity between 0 and 1 (the share of the query's trigrams they have). Merged records are
/// left out.
///
/// Each trigram's postings are counted first (up to [`GRAM_COUNT_CAP`]). When each is below
/// that and all add up to no more than [`GRAM_READ_CAP`], candidates are the people who share
/// most trigrams with the query: the exact ranking. In a larger registry candidates come from
/// the three rarest trigrams of each word of the query, each read up to [`GRAM_READ_CAP`]:
/// people who share rare parts of several words come first, and common trigrams (a word's
/// first letter, a frequent ending) are not read at all, so what a search reads is bounded by
/// the query, not by the size of the registry. Three per word, so that the rare trigrams a typo
/// makes ("etxebarria") cannot decide alone. Either way, candidates are then scored on all of
/// the query's trigrams.
pub async fn search(
    store: &Store,
    tenant: TenantId,
    query_key: &str,
    limit: usize,
) -> Result<Vec<(Person, f64)>> {
    let grams: Vec<String> = trigrams(query_key).into_iter().take(40).collect();
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, 200);
    let counts: Vec<i64> = on_pool!(store, p => {
        let mut c = p.acquire().await?;
        let mut out = Vec::with_capacity(grams.len());
        for g in &grams {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM (SELECT 1 FROM person_trigrams WHERE tenant_id = $1 AND trigram = $2 LIMIT $3) AS postings")
                .bind(tenant.0).bind(g).bind(GRAM_COUNT_CAP).fetch_one(&mut *c).await?.get(0);
            out.push(n);
        }
        out
    });
    let chosen = candidate_grams(query_key, &grams, &counts);
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    // Only placeholders are interpolated: the SQL text never contains input. The people are
    // looked up by id from the few candidates: CROSS JOIN keeps SQLite from starting with the
    // tenant's people (PostgreSQL treats it as an ordinary join).
    let postings: Vec<String> = (0..chosen.len())
        .map(|i| {
            format!(
                "SELECT person_id FROM (SELECT person_id FROM person_trigrams WHERE tenant_id = $1 AND trigram = ${} LIMIT $2) AS g{i}",
                i + 3
            )
        })
        .collect();
    let sql = format!(
        "SELECT p.id, p.given_name, p.surname1, p.surname2, p.document_kind, p.document_masked, p.birth_date, p.sex, p.nationality,
         p.languages, p.preferred_lang, p.area_id, p.phone, p.email, p.merged_into, p.version, p.created_at, p.anonymised_at
         FROM (SELECT person_id, COUNT(*) AS hits FROM ({}) AS postings GROUP BY person_id ORDER BY hits DESC LIMIT {}) AS c
         CROSS JOIN people p WHERE p.id = c.person_id AND p.tenant_id = $1 AND p.merged_into IS NULL",
        postings.join(" UNION ALL "),
        limit * 8
    );
    let found: Vec<Person> = on_pool!(store, p => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0).bind(GRAM_READ_CAP);
        for g in &chosen {
            q = q.bind(*g);
        }
        q.fetch_all(p).await?.iter().map(|r| Ok(person_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
    });
    let mut out = Vec::new();
    for person in found {
        let theirs = trigrams(&elkarlan_domain::search::search_key(&person.full_name()));
        let common = grams.iter().filter(|g| theirs.contains(g)).count() as f64;
        // Share of the query's trigrams found (a typo costs about three of them).
        let score = common / grams.len() as f64;
        if score >= 0.45 {
            out.push((person, score));
        }
    }
    out.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| a.0.full_name().cmp(&b.0.full_name()))
    });
    out.truncate(limit);
    Ok(out)
}

/// The trigrams to read a search's candidates from, given how many postings each of `grams`
/// has (`counts`, capped at [`GRAM_COUNT_CAP`]): all of them when each is below the cap and
/// they add up to no more than [`GRAM_READ_CAP`], else the three rarest of each word of
/// `query_key`. Trigrams nobody has are left out.
fn candidate_grams<'a>(query_key: &str, grams: &'a [String], counts: &[i64]) -> Vec<&'a String> {
    let count_of = |g: &String| {
        grams
            .iter()
            .position(|x| x == g)
            .and_then(|i| counts.get(i).copied())
            .unwrap_or(0)
    };
    let mut chosen: Vec<&String> = Vec::new();
    if counts.iter().all(|n| *n < GRAM_COUNT_CAP) && counts.iter().sum::<i64>() <= GRAM_READ_CAP {
        chosen.extend(grams.iter().filter(|g| count_of(g) > 0));
        return chosen;
    }
    for word in query_key.split_whitespace() {
        let mut own: Vec<&String> = trigrams(word)
            .iter()
            .filter_map(|t| grams.iter().find(|g| *g == t))
            .filter(|g| count_of(g) > 0)
            .collect();
        // Counts stop at the cap; among equal counts, a trigram inside the word (no space) is
        // usually rarer than one at its start or end.
        own.sort_by_key(|g| (count_of(g), g.contains(' ')));
        for g in own.into_iter().take(3) {
            if !chosen.contains(&g) {
                chosen.push(g);
            }
        }
    }
    chosen
}

/// Records that probably describe the same person: the same document, or a very similar name
/// with the same birth date.
pub async fn duplicate_candidates(
    store: &Store,
    tenant: TenantId,
    key: &str,
    birth: NaiveDate,
    document_hash: Option<&[u8]>,
) -> Result<Vec<Person>> {
    let mut found: Vec<Person> = Vec::new();
    if let Some(h) = document_hash {
        let rows: Vec<uuid::Uuid> = on_pool!(store, p => sqlx::query("SELECT id FROM people WHERE tenant_id = $1 AND document_hash = $2 AND merged_into IS NULL")
            .bind(tenant.0).bind(h).fetch_all(p).await?.iter().map(|r| r.get(0)).collect());
        for id in rows {
            found.push(get(store, tenant, PersonId(id)).await?);
        }
    }
    for (p, score) in search(store, tenant, key, 20).await? {
        if p.birth_date == birth && score >= 0.6 && !found.iter().any(|f| f.id == p.id) {
            found.push(p);
        }
    }
    Ok(found)
}

/// Merges `from` into `into`: cases, consents and referrals move, `from` points at `into` and
/// leaves search. Audited on both records.
pub async fn merge(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    from: PersonId,
    into: PersonId,
) -> Result<()> {
    if from == into {
        return Err(StoreError::Conflict("same person"));
    }
    let a = get(store, grant.tenant(), from).await?;
    let b = get(store, grant.tenant(), into).await?;
    if a.merged_into.is_some() || b.merged_into.is_some() {
        return Err(StoreError::Conflict("already merged"));
    }
    let mut tx = store.begin_write().await?;
    for sql in [
        "UPDATE cases SET person_id = $2 WHERE person_id = $1",
        "UPDATE consents SET person_id = $2 WHERE person_id = $1",
        "UPDATE referrals SET person_id = $2 WHERE person_id = $1",
    ] {
        on_tx!(&mut tx, c => sqlx::query(sql).bind(from.0).bind(into.0).execute(c).await.map(|r| r.rows_affected()))?;
    }
    on_tx!(&mut tx, c => sqlx::query("DELETE FROM person_trigrams WHERE person_id = $1").bind(from.0).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE people SET merged_into = $2, version = version + 1, updated_at = $3 WHERE id = $1")
        .bind(from.0).bind(into.0).bind(Timestamp::now().micros()).execute(c).await.map(|r| r.rows_affected()))?;
    let events = [
        NewEvent::from_grant(grant, "person", Some(from.to_string()), meta)
            .with_subject(from.to_string())
            .with_detail(serde_json::json!({"merged_into": into})),
        NewEvent::from_grant(grant, "person", Some(into.to_string()), meta)
            .with_subject(into.to_string())
            .with_detail(serde_json::json!({"merged_from": from})),
    ];
    write_history(
        &mut tx,
        grant,
        into,
        &serde_json::json!({"merged_from": from, "record": a}),
    )
    .await?;
    crate::audit::append(&mut tx, &events).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::{GRAM_COUNT_CAP, candidate_grams, trigrams};

    #[test]
    fn trigrams_are_padded_and_distinct() {
        let t = trigrams("ane ana");
        assert!(t.contains(&"  a".to_owned()));
        assert!(t.contains(&"ane".to_owned()));
        assert!(t.contains(&"ne ".to_owned()));
        assert_eq!(t.iter().filter(|g| *g == " an").count(), 1);
    }

    #[test]
    fn small_registries_read_every_trigram_anyone_has() {
        let grams = trigrams("ane zubiri");
        let counts: Vec<i64> = (0..grams.len() as i64).map(|i| i % 3 * 100).collect();
        let chosen = candidate_grams("ane zubiri", &grams, &counts);
        let expected: Vec<&String> = grams
            .iter()
            .zip(&counts)
            .filter(|(_, n)| **n > 0)
            .map(|(g, _)| g)
            .collect();
        assert_eq!(chosen, expected);
    }

    #[test]
    fn large_registries_read_the_three_rarest_trigrams_of_each_word() {
        // "etxebarria" with a typo: "eba" is rare (other names have it), the others are
        // common, most beyond the cap.
        let key = "etxebaria zubiri";
        let grams = trigrams(key);
        let counts: Vec<i64> = grams
            .iter()
            .map(|g| match g.as_str() {
                "eba" => 370,
                " et" | "xeb" => 1_500,
                "zub" | "ubi" => 900,
                "bir" => 0,
                _ => GRAM_COUNT_CAP,
            })
            .collect();
        let chosen: Vec<&str> = candidate_grams(key, &grams, &counts)
            .into_iter()
            .map(String::as_str)
            .collect();
        // Rarest first; at equal counts, inside the word before its edges; nothing nobody has.
        assert_eq!(chosen, ["eba", "xeb", " et", "zub", "ubi", "iri"]);
    }
}
