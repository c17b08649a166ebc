//! The audit trail: append-only, one hash chain per tenant.
//!
//! Each row's hash covers its own fields and the previous row's hash, so editing, deleting,
//! inserting or reordering any row breaks the chain from that row on; [`verify`] names the first
//! bad row. Writes append in the caller's transaction ([`append`]). Reads of personal data are
//! appended through [`ReadAuditor`], which batches the rows of concurrent requests into one
//! transaction (group commit) and answers each request only after its row is committed.

use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{TenantId, Timestamp, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The context of the request that caused an event.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub ip: Option<String>,
    /// The record the request's path names (entity, id), when it names one: a refusal is
    /// recorded about it, so that it reaches the person's access log. Never stored as such.
    pub path_record: Option<(&'static str, Uuid)>,
}

/// One event about to be recorded.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub tenant: TenantId,
    pub actor_id: Option<UserId>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub actor_agency: Option<Uuid>,
    pub action: String,
    pub entity_type: &'static str,
    pub entity_id: Option<String>,
    /// The person the record is about, for their access log.
    pub subject_id: Option<String>,
    pub basis: String,
    /// `ok`, `denied`, `failed`.
    pub outcome: &'static str,
    pub meta: RequestMeta,
    /// What changed or was read, as JSON; never secrets.
    pub detail: serde_json::Value,
}

impl NewEvent {
    /// The event for an allowed action, from its grant.
    pub fn from_grant(
        grant: &Grant,
        entity_type: &'static str,
        entity_id: Option<String>,
        meta: &RequestMeta,
    ) -> Self {
        Self {
            tenant: grant.tenant(),
            actor_id: grant.actor(),
            actor_name: grant.actor_name().to_owned(),
            actor_role: grant.role().map(|r| r.code().to_owned()),
            actor_agency: grant.agency().map(|a| a.0),
            action: grant.action().code().to_owned(),
            entity_type,
            entity_id,
            subject_id: None,
            basis: grant.basis().code().to_owned(),
            outcome: "ok",
            meta: meta.clone(),
            detail: serde_json::Value::Null,
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    pub fn with_subject(mut self, subject: String) -> Self {
        self.subject_id = Some(subject);
        self
    }
}

/// A recorded event, as read back.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: Uuid,
    pub at: Timestamp,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    pub actor_agency: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub subject_id: Option<String>,
    pub basis: String,
    pub outcome: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
    #[serde(skip)]
    pub prev_hash: Vec<u8>,
    #[serde(skip)]
    pub hash: Vec<u8>,
}

/// The hash of a row: SHA-256 over the previous hash and a canonical JSON array of the fields.
fn row_hash(tenant: Uuid, e: &AuditEvent) -> Vec<u8> {
    let canonical = serde_json::json!([
        tenant,
        e.seq,
        e.id,
        e.at.micros(),
        e.actor_id,
        e.actor_name,
        e.actor_role,
        e.actor_agency,
        e.action,
        e.entity_type,
        e.entity_id,
        e.subject_id,
        e.basis,
        e.outcome,
        e.request_id,
        e.ip,
        e.detail,
    ]);
    let mut h = Sha256::new();
    h.update(&e.prev_hash);
    h.update(canonical.to_string().as_bytes());
    h.finalize().to_vec()
}

/// Creates a tenant's chain head. Called once, when the tenant is created.
pub(crate) async fn init_head(tx: &mut Tx, tenant: TenantId) -> Result<()> {
    on_tx!(tx, c => sqlx::query("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)")
        .bind(tenant.0).bind(vec![0u8; 32]).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Audit rows per multi-row INSERT: 19 parameters each, well under both databases' limits.
const EVENTS_PER_INSERT: usize = 100;

/// Appends events in the caller's transaction. The head row is locked (explicitly on
/// PostgreSQL; SQLite's write transaction already holds the database lock), so concurrent
/// appenders form one chain.
pub async fn append(tx: &mut Tx, events: &[NewEvent]) -> Result<()> {
    let mut i = 0;
    while i < events.len() {
        let tenant = events[i].tenant;
        let head_sql = if tx.is_postgres() {
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE"
        } else {
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1"
        };
        let (mut seq, mut prev): (i64, Vec<u8>) = on_tx!(tx, c => {
            let r = sqlx::query(head_sql).bind(tenant.0).fetch_optional(c).await?;
            r.map(|r| (r.get::<i64, _>(0), r.get::<Vec<u8>, _>(1)))
        })
        .ok_or(StoreError::NotFound)?;
        let mut chained: Vec<AuditEvent> = Vec::new();
        while i < events.len() && events[i].tenant == tenant {
            let n = &events[i];
            seq += 1;
            let mut e = AuditEvent {
                seq,
                id: Uuid::now_v7(),
                at: Timestamp::now(),
                actor_id: n.actor_id.map(|u| u.0),
                actor_name: n.actor_name.clone(),
                actor_role: n.actor_role.clone(),
                actor_agency: n.actor_agency,
                action: n.action.clone(),
                entity_type: n.entity_type.to_owned(),
                entity_id: n.entity_id.clone(),
                subject_id: n.subject_id.clone(),
                basis: n.basis.clone(),
                outcome: n.outcome.to_owned(),
                request_id: n.meta.request_id.clone(),
                ip: n.meta.ip.clone(),
                detail: if n.detail.is_null() {
                    "{}".to_owned()
                } else {
                    n.detail.to_string()
                },
                prev_hash: prev.clone(),
                hash: Vec::new(),
            };
            e.hash = row_hash(tenant.0, &e);
            prev = e.hash.clone();
            chained.push(e);
            i += 1;
        }
        // Many rows per statement: a bulk import appends hundreds of thousands, and one round
        // trip per row dominates on PostgreSQL.
        for chunk in chained.chunks(EVENTS_PER_INSERT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|k| {
                    let p: Vec<String> = (0..18).map(|j| format!("${}", 2 + k * 18 + j)).collect();
                    format!("($1,{})", p.join(","))
                })
                .collect();
            // Only placeholders are interpolated: the SQL text never contains input.
            let sql = format!(
                "INSERT INTO audit_events (tenant_id, seq, id, at, actor_id, actor_name, actor_role, actor_agency, action,
                 entity_type, entity_id, subject_id, basis, outcome, request_id, ip, detail, prev_hash, hash) VALUES {}",
                rows.join(",")
            );
            on_tx!(tx, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(tenant.0);
                for e in chunk {
                    q = q.bind(e.seq).bind(e.id).bind(e.at.micros()).bind(e.actor_id).bind(&e.actor_name)
                        .bind(&e.actor_role).bind(e.actor_agency).bind(&e.action).bind(&e.entity_type).bind(&e.entity_id)
                        .bind(&e.subject_id).bind(&e.basis).bind(e.outcome.as_str()).bind(&e.request_id).bind(&e.ip)
                        .bind(&e.detail).bind(&e.prev_hash).bind(&e.hash);
                }
                q.execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        on_tx!(tx, c => sqlx::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1")
            .bind(tenant.0).bind(seq).bind(&prev).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Appends one event in its own transaction (sign-in failures and other events with no write).
pub async fn append_alone(store: &Store, event: NewEvent) -> Result<()> {
    let mut tx = store.begin_write().await?;
    append(&mut tx, std::slice::from_ref(&event)).await?;
    tx.commit().await
}

macro_rules! event_from_row {
    ($r:expr) => {
        AuditEvent {
            seq: $r.try_get("seq")?,
            id: $r.try_get("id")?,
            at: Timestamp::from_micros($r.try_get("at")?),
            actor_id: $r.try_get("actor_id")?,
            actor_name: $r.try_get("actor_name")?,
            actor_role: $r.try_get("actor_role")?,
            actor_agency: $r.try_get("actor_agency")?,
            action: $r.try_get("action")?,
            entity_type: $r.try_get("entity_type")?,
            entity_id: $r.try_get("entity_id")?,
            subject_id: $r.try_get("subject_id")?,
            basis: $r.try_get("basis")?,
            outcome: $r.try_get("outcome")?,
            request_id: $r.try_get("request_id")?,
            ip: $r.try_get("ip")?,
            detail: $r.try_get("detail")?,
            prev_hash: $r.try_get("prev_hash")?,
            hash: $r.try_get("hash")?,
        }
    };
}

/// Filters for the DPO's view of the trail. Empty strings mean "any".
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub subject_id: String,
    /// Leaves out refusals: the person's own copy of their access log lists who read their
    /// data, not who was refused.
    pub allowed_only: bool,
    /// Only rows with a sequence number lower than this (cursor for newest-first pages).
    pub before_seq: Option<i64>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// Newest first, at most `limit` rows.
pub async fn list(
    store: &Store,
    tenant: TenantId,
    f: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditEvent>> {
    // Every filter is always bound; an empty value disables it. One static statement serves all
    // combinations without building SQL from strings.
    const SQL: &str = "SELECT seq, id, at, actor_id, actor_name, actor_role, actor_agency, action, entity_type, entity_id,
        subject_id, basis, outcome, request_id, ip, detail, prev_hash, hash
        FROM audit_events WHERE tenant_id = $1
        AND ($2 = '' OR actor_name = $2)
        AND ($3 = '' OR action = $3 OR action LIKE $3 || '.%')
        AND ($4 = '' OR entity_type = $4)
        AND ($5 = '' OR entity_id = $5)
        AND ($6 = '' OR subject_id = $6)
        AND seq < $7 AND at >= $8 AND at <= $9
        AND outcome <> $11
        ORDER BY seq DESC LIMIT $10";
    on_pool!(store, p => {
        let rows = sqlx::query(SQL)
            .bind(tenant.0)
            .bind(f.actor.trim().to_lowercase())
            .bind(f.action.trim())
            .bind(f.entity_type.trim())
            .bind(f.entity_id.trim())
            .bind(f.subject_id.trim())
            .bind(f.before_seq.unwrap_or(i64::MAX))
            .bind(f.from.map_or(i64::MIN, Timestamp::micros))
            .bind(f.to.map_or(i64::MAX, Timestamp::micros))
            .bind(limit.clamp(1, 500))
            // No row has an empty outcome, so "" leaves every row in.
            .bind(if f.allowed_only { "denied" } else { "" })
            .fetch_all(p)
            .await?;
        rows.iter().map(|r| Ok(event_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Searches of the people registry that looked for every one of the given terms, newest first.
/// Rows written since search terms are kept as keyed hashes carry them in `search_terms`
/// (`term_hashes` are compared); older rows kept the text as typed (`search`), which is
/// normalised with the registry's search key and compared with `terms`.
pub async fn searches_for(
    store: &Store,
    tenant: TenantId,
    action: &str,
    term_hashes: &[String],
    terms: &[String],
    limit: usize,
) -> Result<Vec<AuditEvent>> {
    // The first hash narrows the scan; the rest are checked on the parsed detail.
    let first = term_hashes
        .first()
        .map_or(String::new(), |h| format!("%\"{h}\"%"));
    const SQL: &str = "SELECT seq, id, at, actor_id, actor_name, actor_role, actor_agency, action, entity_type, entity_id,
        subject_id, basis, outcome, request_id, ip, detail, prev_hash, hash
        FROM audit_events WHERE tenant_id = $1 AND action = $2 AND seq < $3
        AND (detail LIKE $4 OR detail LIKE '{\"search\":%' OR detail LIKE '%,\"search\":%')
        ORDER BY seq DESC LIMIT 2000";
    let mut out = Vec::new();
    let mut before = i64::MAX;
    loop {
        let page: Vec<AuditEvent> = on_pool!(store, p => {
            let rows = sqlx::query(SQL).bind(tenant.0).bind(action).bind(before).bind(&first).fetch_all(p).await?;
            rows.iter().map(|r| Ok(event_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let Some(last) = page.last() else {
            return Ok(out);
        };
        before = last.seq;
        for e in page {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            let hit = if let Some(kept) = detail.get("search_terms").and_then(|v| v.as_array()) {
                !term_hashes.is_empty()
                    && term_hashes
                        .iter()
                        .all(|h| kept.iter().any(|k| k.as_str() == Some(h.as_str())))
            } else if let Some(typed) = detail.get("search").and_then(|v| v.as_str()) {
                let key = elkarlan_domain::search::search_key(typed);
                let typed_terms: Vec<&str> = key.split_whitespace().collect();
                !terms.is_empty() && terms.iter().all(|t| typed_terms.contains(&t.as_str()))
            } else {
                false
            };
            if hit {
                out.push(e);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
    }
}

/// The first problem found in a tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub tenant: Uuid,
    /// The sequence number of the first row that does not verify (or where a row is missing).
    pub seq: i64,
    pub problem: &'static str,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tenant {} row {}: {}",
            self.tenant, self.seq, self.problem
        )
    }
}

/// The outcome of verifying every tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub rows: i64,
    pub tenants: usize,
    pub first_break: Option<ChainBreak>,
}

/// Walks every chain from its first row, recomputing each hash. Reads in pages so memory stays flat.
pub async fn verify(store: &Store) -> Result<Verification> {
    let heads: Vec<(Uuid, i64, Vec<u8>)> = on_pool!(store, p => {
        sqlx::query("SELECT tenant_id, seq, hash FROM audit_heads ORDER BY tenant_id")
            .fetch_all(p).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
    });
    let mut total = 0;
    for (tenant, head_seq, head_hash) in &heads {
        let mut expected_seq = 1;
        let mut prev = vec![0u8; 32];
        let mut after = 0i64;
        loop {
            let page: Vec<AuditEvent> = on_pool!(store, p => {
                let rows = sqlx::query(
                    "SELECT seq, id, at, actor_id, actor_name, actor_role, actor_agency, action, entity_type, entity_id,
                     subject_id, basis, outcome, request_id, ip, detail, prev_hash, hash
                     FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT 2000")
                    .bind(tenant).bind(after).fetch_all(p).await?;
                rows.iter().map(|r| Ok(event_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>()?
            });
            if page.is_empty() {
                break;
            }
            for e in &page {
                total += 1;
                let problem = if e.seq != expected_seq {
                    Some(if e.seq > expected_seq {
                        "a row is missing before this one"
                    } else {
                        "sequence out of order"
                    })
                } else if e.prev_hash != prev {
                    Some("does not follow the previous row (inserted, deleted or reordered rows)")
                } else if row_hash(*tenant, e) != e.hash {
                    Some("contents do not match the hash (edited)")
                } else {
                    None
                };
                if let Some(problem) = problem {
                    let seq = if e.seq > expected_seq {
                        expected_seq
                    } else {
                        e.seq
                    };
                    return Ok(Verification {
                        rows: total,
                        tenants: heads.len(),
                        first_break: Some(ChainBreak {
                            tenant: *tenant,
                            seq,
                            problem,
                        }),
                    });
                }
                prev.clone_from(&e.hash);
                expected_seq += 1;
                after = e.seq;
            }
        }
        let last = expected_seq - 1;
        let problem = if last > *head_seq {
            Some((
                head_seq + 1,
                "a row was added after the recorded head of the chain",
            ))
        } else if last < *head_seq {
            Some((
                last + 1,
                "the last rows are missing (the chain ends before its recorded head)",
            ))
        } else if &prev != head_hash {
            Some((last, "the recorded head does not match the last row"))
        } else {
            None
        };
        if let Some((seq, problem)) = problem {
            return Ok(Verification {
                rows: total,
                tenants: heads.len(),
                first_break: Some(ChainBreak {
                    tenant: *tenant,
                    seq,
                    problem,
                }),
            });
        }
    }
    Ok(Verification {
        rows: total,
        tenants: heads.len(),
        first_break: None,
    })
}

/// The commit's outcome for each waiting read: the error's text, and whether it was a full disk
/// (`Storage`), which the reader is told as such rather than as an unreachable database.
type Ack = oneshot::Sender<Result<(), (bool, String)>>;

/// Rows of one read, committed together, and whom to tell.
type Pending = (Vec<NewEvent>, Ack);

/// The head of each tenant's chain: (tenant, last sequence number, its hash). The binary signs
/// these into checkpoints that are kept off the host.
pub async fn heads(store: &Store) -> Result<Vec<(Uuid, i64, Vec<u8>)>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT tenant_id, seq, hash FROM audit_heads ORDER BY tenant_id").fetch_all(p).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    })
}

/// The stored hash of one row, to compare with a checkpoint.
pub async fn hash_at(store: &Store, tenant: Uuid, seq: i64) -> Result<Option<Vec<u8>>> {
    on_pool!(store, p => Ok(sqlx::query("SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2")
        .bind(tenant).bind(seq).fetch_optional(p).await?.map(|r| r.get::<Vec<u8>, _>(0))))
}

/// Group commit for read-audit rows. Cheap to clone; one background task owns the writes.
#[derive(Clone)]
pub struct ReadAuditor {
    tx: mpsc::Sender<Pending>,
}

/// Largest batch committed at once.
const MAX_BATCH: usize = 512;

impl ReadAuditor {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store) -> Self {
        let (tx, mut rx) = mpsc::channel::<Pending>(8192);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                // Take whatever else is already waiting: concurrent requests share this commit.
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let mut events: Vec<NewEvent> =
                    batch.iter().flat_map(|(e, _)| e.iter().cloned()).collect();
                // Group by tenant so each chain's head is locked once.
                events.sort_by_key(|e| e.tenant);
                let result = async {
                    let mut t = store.begin_write().await?;
                    append(&mut t, &events).await?;
                    t.commit().await
                }
                .await;
                metrics::record_batch(events.len());
                let outcome =
                    result.map_err(|e| (matches!(e, StoreError::Storage(_)), e.to_string()));
                for (_, ack) in batch.drain(..) {
                    let _ = ack.send(outcome.clone());
                }
            }
        });
        Self { tx }
    }

    /// Records a read; returns once the row is committed. An error means the read must not be served.
    pub async fn record(&self, event: NewEvent) -> Result<()> {
        self.record_all(vec![event]).await
    }

    /// Records the rows of one read (one per person shown) in the same commit.
    pub async fn record_all(&self, events: Vec<NewEvent>) -> Result<()> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send((events, ack))
            .await
            .map_err(|_| StoreError::Unavailable("audit writer stopped".into()))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err((true, e))) => Err(StoreError::Storage(e)),
            Ok(Err((false, e))) => Err(StoreError::Unavailable(e)),
            Err(_) => Err(StoreError::Unavailable("audit writer stopped".into())),
        }
    }
}

/// Counters for `/metrics`.
pub mod metrics {
    use std::sync::atomic::{AtomicU64, Ordering};

    pub static BATCHES: AtomicU64 = AtomicU64::new(0);
    pub static ROWS: AtomicU64 = AtomicU64::new(0);

    pub fn record_batch(n: usize) {
        BATCHES.fetch_add(1, Ordering::Relaxed);
        ROWS.fetch_add(n as u64, Ordering::Relaxed);
    }
}
