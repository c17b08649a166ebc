//! Store conformance suite: one story, run on SQLite always and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/test`). Each test gets
//! fresh databases from the harness in `common`. Tests use the store's public API; raw SQL
//! appears only where a test plays an attacker (or a clock) with direct database access.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{TestDb, backends, migrated};
use elkarlan_domain::account::{DisplayName, Email, Role, Username};
use elkarlan_domain::organisation::{BilingualName, PublicSystem};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::territory::{IneCode, TerritoryRow};
use elkarlan_domain::{JobId, TenantId, Timestamp, UserId};
use elkarlan_store::audit::{self, AuditEvent, AuditFilter, NewEvent, ReadAuditor, RequestMeta};
use elkarlan_store::sessions::{self, SignIn};
use elkarlan_store::users::{self, NewUser, User, UserChanges};
use elkarlan_store::{
    Backend, Store, StoreError, agencies, backup, idempotency, jobs, migrate, tenants, territory,
    throttle,
};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Helpers (public API only)
// ---------------------------------------------------------------------------------------------

fn meta() -> RequestMeta {
    RequestMeta {
        request_id: Some("req-conformance".into()),
        ip: Some("192.0.2.7".into()),
        path_record: None,
    }
}

fn grant(tenant: TenantId, action: Action) -> Grant {
    Grant::system(tenant, SystemTask::Bootstrap, action)
}

async fn tenant(store: &Store, ine: &str, name: &str) -> TenantId {
    tenants::create(store, &IneCode::parse(ine).unwrap(), name, name)
        .await
        .unwrap()
        .id
}

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: Username::parse(username).unwrap(),
        display_name: DisplayName::parse(&format!("{username} tester")).unwrap(),
        email: Some(Email::parse(&format!("{}@example.eus", username.to_lowercase())).unwrap()),
        role: Role::SocialWorker,
        agency: None,
        password_hash: "$argon2id$not-a-real-hash".into(),
        mfa_required: false,
    }
}

async fn user(store: &Store, tenant: TenantId, username: &str) -> User {
    users::create(
        store,
        &grant(tenant, Action::CreateUser),
        &meta(),
        &new_user(username),
    )
    .await
    .unwrap()
}

fn new_agency(name_es: &str) -> agencies::NewAgency {
    agencies::NewAgency {
        name: BilingualName::parse(&format!("{name_es} EU"), name_es).unwrap(),
        system: PublicSystem::SocialServices,
        area_id: None,
        email: None,
    }
}

async fn agency(store: &Store, tenant: TenantId, name_es: &str) -> agencies::Agency {
    agencies::create(
        store,
        &grant(tenant, Action::CreateAgency),
        &meta(),
        &new_agency(name_es),
    )
    .await
    .unwrap()
}

fn territory_rows() -> Vec<TerritoryRow> {
    let n = |eu: &str, es: &str| BilingualName {
        eu: eu.into(),
        es: es.into(),
    };
    vec![
        TerritoryRow {
            district_code: "1".into(),
            district: n("Deustu", "Deusto"),
            neighbourhood_code: "1.01".into(),
            neighbourhood: n("Arangoiti", "Arangoiti"),
        },
        TerritoryRow {
            district_code: "1".into(),
            district: n("Deustu", "Deusto"),
            neighbourhood_code: "1.02".into(),
            neighbourhood: n("Ibarrekolanda", "Ibarrekolanda"),
        },
        TerritoryRow {
            district_code: "2".into(),
            district: n("Uribarri", "Uribarri"),
            neighbourhood_code: "2.01".into(),
            neighbourhood: n("Kastaños", "Castaños"),
        },
    ]
}

/// The tenant's whole trail, oldest first.
async fn trail(store: &Store, tenant: TenantId) -> Vec<AuditEvent> {
    let mut rows = audit::list(store, tenant, &AuditFilter::default(), 500)
        .await
        .unwrap();
    rows.reverse();
    rows
}

async fn trail_len(store: &Store, tenant: TenantId) -> usize {
    trail(store, tenant).await.len()
}

/// Seq numbers run 1..=n and every row points at the previous row's hash.
fn assert_linked(rows: &[AuditEvent], ctx: &str) {
    let mut prev = vec![0u8; 32];
    for (i, e) in rows.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "{ctx}: seq numbers are contiguous");
        assert_eq!(
            e.prev_hash, prev,
            "{ctx}: row {} links to its predecessor",
            e.seq
        );
        assert_eq!(e.hash.len(), 32, "{ctx}: SHA-256 hashes");
        prev.clone_from(&e.hash);
    }
}

async fn assert_intact(store: &Store, rows: i64, tenants: usize, ctx: &str) {
    let v = audit::verify(store).await.unwrap();
    assert_eq!(v.first_break, None, "{ctx}: the chain verifies");
    assert_eq!(v.rows, rows, "{ctx}: verify walks every row");
    assert_eq!(v.tenants, tenants, "{ctx}: verify walks every tenant");
}

fn token(label: &str) -> Vec<u8> {
    elkarlan_store::sha256(label.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// Raw access for tests that act behind the store's back
// ---------------------------------------------------------------------------------------------

/// Lifts the append-only triggers, as an attacker with database access could.
async fn disable_audit_triggers(db: &TestDb) {
    if db.is_sqlite() {
        raw_exec!(&db.store, "DROP TRIGGER audit_events_no_update").unwrap();
        raw_exec!(&db.store, "DROP TRIGGER audit_events_no_delete").unwrap();
    } else {
        raw_exec!(&db.store, "ALTER TABLE audit_events DISABLE TRIGGER USER").unwrap();
    }
}

async fn table_names(db: &TestDb) -> BTreeSet<String> {
    let names = if db.is_sqlite() {
        raw_column!(
            &db.store,
            String,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
        )
    } else {
        raw_column!(&db.store, String,
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_catalog = current_database() AND table_schema = current_schema() AND table_type = 'BASE TABLE'
             AND table_name NOT LIKE '\\_sqlx%'")
    };
    names.unwrap().into_iter().collect()
}

/// Tables a dialect's migration scripts create and do not drop later, plus the migrations
/// ledger.
fn tables_in_scripts(postgres: bool) -> BTreeSet<String> {
    let name = |rest: &str| {
        rest.trim_start_matches("IF NOT EXISTS ")
            .trim_start_matches("IF EXISTS ")
            .split([' ', '(', ';'])
            .next()
            .unwrap()
            .to_owned()
    };
    let mut t = BTreeSet::new();
    for line in migrate::MIGRATIONS
        .iter()
        .flat_map(|m| if postgres { m.postgres } else { m.sqlite }.lines())
    {
        if let Some(rest) = line.trim().strip_prefix("CREATE TABLE ") {
            t.insert(name(rest));
        } else if let Some(rest) = line.trim().strip_prefix("DROP TABLE ") {
            t.remove(&name(rest));
        }
    }
    t.insert("schema_migrations".into());
    t
}

// ---------------------------------------------------------------------------------------------
// 1. Migrations
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn migrations_run_once_and_both_dialects_have_the_same_tables() {
    let mut sets = Vec::new();
    for db in backends().await {
        let ctx = db.name;
        let first = migrate::run(&db.store).await.unwrap();
        assert_eq!(
            first,
            migrate::MIGRATIONS
                .iter()
                .map(|m| m.version)
                .collect::<Vec<_>>(),
            "{ctx}: first run applies every migration in order"
        );
        assert_eq!(
            migrate::run(&db.store).await.unwrap(),
            Vec::<i64>::new(),
            "{ctx}: second run is a no-op"
        );
        assert_eq!(
            migrate::run(&db.store).await.unwrap(),
            Vec::<i64>::new(),
            "{ctx}: third run too"
        );

        let tables = table_names(&db).await;
        assert_eq!(
            tables,
            tables_in_scripts(!db.is_sqlite()),
            "{ctx}: the database has exactly the scripted tables"
        );
        for core in [
            "tenants",
            "users",
            "audit_events",
            "audit_heads",
            "jobs",
            "schema_migrations",
        ] {
            assert!(tables.contains(core), "{ctx}: table {core} exists");
        }

        // An edited migration is caught rather than silently skipped.
        raw_exec!(
            &db.store,
            "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"
        )
        .unwrap();
        let err = migrate::run(&db.store).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { .. }),
            "{ctx}: edited migration is Corrupt, got {err:?}"
        );

        sets.push((db.name, tables));
        db.finish().await;
    }
    if let [(_, sqlite), (_, pg)] = sets.as_slice() {
        assert_eq!(sqlite, pg, "SQLite and PostgreSQL end with the same tables");
    }
}

/// Two servers starting at once on a fresh database (the store documents `migrate::run` as safe
/// to run from several servers at once).
async fn concurrent_first_migrations(db: TestDb) {
    let ctx = db.name;
    let other = db.open_again().await;
    let (a, b) = tokio::join!(migrate::run(&db.store), migrate::run(&other));
    let (a, b) = (
        a.unwrap_or_else(|e| panic!("{ctx}: first server migrates: {e:?}")),
        b.unwrap_or_else(|e| panic!("{ctx}: second server migrates: {e:?}")),
    );
    let mut applied: Vec<i64> = a.into_iter().chain(b).collect();
    applied.sort_unstable();
    assert_eq!(
        applied,
        migrate::MIGRATIONS
            .iter()
            .map(|m| m.version)
            .collect::<Vec<_>>(),
        "{ctx}: every version applied by exactly one server"
    );
    other.close().await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_migrations_apply_each_version_once_sqlite() {
    for db in backends().await.into_iter().filter(TestDb::is_sqlite) {
        concurrent_first_migrations(db).await;
    }
}

/// Two servers starting at once on an empty PostgreSQL database: `migrate::run` takes its
/// advisory lock before it creates the bookkeeping table, so the second waits and then finds
/// every version applied (creating one table twice at once would collide in PostgreSQL's
/// catalog, `pg_type_typname_nsp_index`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_migrations_apply_each_version_once_postgres() {
    for db in backends().await.into_iter().filter(|db| !db.is_sqlite()) {
        concurrent_first_migrations(db).await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Tenants and the audit chain
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_write_appends_exactly_one_linked_audit_row() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        assert_intact(s, 0, 0, ctx).await;

        let t = tenant(s, "48020", "Bilbao").await;
        let rows = trail(s, t).await;
        assert_eq!(
            rows.len(),
            1,
            "{ctx}: tenant creation is the first row of its chain"
        );
        assert_eq!(rows[0].seq, 1);
        assert_eq!(rows[0].action, "tenant.create");
        assert_eq!(rows[0].entity_id.as_deref(), Some(t.to_string().as_str()));
        assert_eq!(rows[0].actor_name, "system:bootstrap");
        assert_eq!(
            rows[0].prev_hash,
            vec![0u8; 32],
            "{ctx}: the chain starts from zeros"
        );
        assert_intact(s, 1, 1, ctx).await;
        assert_eq!(
            tenants::by_ine_code(s, "48020")
                .await
                .unwrap()
                .map(|x| x.id),
            Some(t)
        );

        let u = user(s, t, "ane").await;
        assert_eq!(
            trail_len(s, t).await,
            2,
            "{ctx}: users::create appends one row"
        );
        let a = agency(s, t, "Servicios Sociales").await;
        assert_eq!(
            trail_len(s, t).await,
            3,
            "{ctx}: agencies::create appends one row"
        );
        let g = grant(t, Action::ViewTerritory);
        assert_eq!(territory::load(s, &g, &territory_rows()).await.unwrap(), 3);
        assert_eq!(
            trail_len(s, t).await,
            4,
            "{ctx}: territory::load appends one row for the whole file"
        );
        let areas = territory::list(s, t).await.unwrap();
        assert_eq!(areas.len(), 5, "{ctx}: 2 districts and 3 neighbourhoods");
        // Loading again keeps the rows (and their ids) and still records the load.
        territory::load(s, &g, &territory_rows()).await.unwrap();
        assert_eq!(
            territory::list(s, t).await.unwrap(),
            areas,
            "{ctx}: reload keeps areas"
        );
        assert_eq!(trail_len(s, t).await, 5);
        let ch = UserChanges {
            display_name: Some(DisplayName::parse("Ane Garcia").unwrap()),
            ..Default::default()
        };
        users::update(
            s,
            &grant(t, Action::UpdateUser),
            &meta(),
            u.id,
            u.version,
            &ch,
        )
        .await
        .unwrap();
        assert_eq!(
            trail_len(s, t).await,
            6,
            "{ctx}: users::update appends one row"
        );

        let rows = trail(s, t).await;
        assert_linked(&rows, ctx);
        let actions: Vec<&str> = rows.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "tenant.create",
                "user.create",
                "agency.create",
                "territory.view",
                "territory.view",
                "user.update"
            ],
            "{ctx}: one row per write, in order"
        );
        assert_eq!(
            rows[1].entity_id.as_deref(),
            Some(u.id.to_string().as_str())
        );
        assert_eq!(rows[1].entity_type, "user");
        assert_eq!(rows[1].request_id.as_deref(), Some("req-conformance"));
        assert_eq!(rows[1].ip.as_deref(), Some("192.0.2.7"));
        assert_eq!(
            rows[2].entity_id.as_deref(),
            Some(a.id.to_string().as_str())
        );
        assert_eq!(rows[3].detail, r#"{"neighbourhoods":3}"#);
        assert!(
            rows.windows(2).all(|w| w[0].at <= w[1].at),
            "{ctx}: times do not go back"
        );

        // The DPO's filters.
        let f = |action: &str| AuditFilter {
            action: action.into(),
            ..Default::default()
        };
        let user_rows = audit::list(s, t, &f("user"), 100).await.unwrap();
        assert_eq!(
            user_rows.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [6, 2],
            "{ctx}: action prefix, newest first"
        );
        let by_actor = AuditFilter {
            actor: " SYSTEM:Bootstrap ".into(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(s, t, &by_actor, 100).await.unwrap().len(),
            6,
            "{ctx}: actor filter"
        );
        let page = AuditFilter {
            before_seq: Some(4),
            ..Default::default()
        };
        let page = audit::list(s, t, &page, 2).await.unwrap();
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 2],
            "{ctx}: cursor pages"
        );

        assert_intact(s, 6, 1, ctx).await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Tamper detection
// ---------------------------------------------------------------------------------------------

/// A clean tenant (created first, so verified first) and the target tenant with rows 1..=5.
async fn tamper_setup(db: &TestDb) -> TenantId {
    let s = &db.store;
    let clean = tenant(s, "48044", "Getxo").await;
    user(s, clean, "bystander").await;
    let t = tenant(s, "48020", "Bilbao").await;
    for name in ["ane", "jon", "miren", "koldo"] {
        user(s, t, name).await;
    }
    assert_eq!(trail_len(s, t).await, 5);
    assert_intact(s, 7, 2, db.name).await;
    t
}

async fn assert_break(db: &TestDb, tenant: TenantId, seq: i64, problem: &str) {
    let v = audit::verify(&db.store).await.unwrap();
    let b = v
        .first_break
        .unwrap_or_else(|| panic!("{}: tampering went unnoticed", db.name));
    assert_eq!(
        b.tenant, tenant.0,
        "{}: the break names the tampered tenant",
        db.name
    );
    assert_eq!(
        b.seq, seq,
        "{}: the break names the first bad row ({})",
        db.name, b.problem
    );
    assert!(
        b.problem.contains(problem),
        "{}: problem {:?} mentions {problem:?}",
        db.name,
        b.problem
    );
    assert_eq!(v.tenants, 2);
}

#[tokio::test]
async fn audit_rows_cannot_be_updated_or_deleted_while_the_triggers_stand() {
    for db in migrated().await {
        let ctx = db.name;
        let t = tamper_setup(&db).await;
        let before = trail(&db.store, t).await;
        let upd = raw_exec!(
            &db.store,
            "UPDATE audit_events SET detail = '{}' WHERE tenant_id = $1 AND seq = 3",
            t.0
        );
        assert!(upd.is_err(), "{ctx}: UPDATE is refused");
        assert!(
            upd.unwrap_err().to_string().contains("append-only"),
            "{ctx}: by the trigger"
        );
        let del = raw_exec!(
            &db.store,
            "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 5",
            t.0
        );
        assert!(del.is_err(), "{ctx}: DELETE of one row is refused");
        assert!(
            raw_exec!(&db.store, "DELETE FROM audit_events").is_err(),
            "{ctx}: DELETE of all rows is refused"
        );
        if !db.is_sqlite() {
            assert!(
                raw_exec!(&db.store, "TRUNCATE audit_events").is_err(),
                "{ctx}: TRUNCATE is refused"
            );
        }
        assert_eq!(trail(&db.store, t).await, before, "{ctx}: nothing changed");
        assert_intact(&db.store, 7, 2, ctx).await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tamper_edited_row_is_found() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        disable_audit_triggers(&db).await;
        let n = raw_exec!(&db.store, "UPDATE audit_events SET detail = '{\"username\":\"mallory\"}' WHERE tenant_id = $1 AND seq = 3", t.0).unwrap();
        assert_eq!(n, 1);
        assert_break(&db, t, 3, "edited").await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tamper_deleted_middle_row_is_found() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        disable_audit_triggers(&db).await;
        let n = raw_exec!(
            &db.store,
            "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 3",
            t.0
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_break(&db, t, 3, "missing").await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tamper_deleted_last_row_is_found_from_the_head() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        disable_audit_triggers(&db).await;
        let n = raw_exec!(
            &db.store,
            "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 5",
            t.0
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_break(&db, t, 5, "last rows are missing").await;
        db.finish().await;
    }
}

const COPY_COLUMNS: &str = "actor_id, actor_name, actor_role, actor_agency, action, entity_type, entity_id, subject_id, basis, outcome, request_id, ip";

#[tokio::test]
async fn tamper_forged_row_inserted_in_the_middle_is_found() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        disable_audit_triggers(&db).await;
        // Make room at seq 3 (highest first: the primary key is checked row by row)...
        for seq in [5i64, 4, 3] {
            let n = raw_exec!(
                &db.store,
                "UPDATE audit_events SET seq = seq + 1 WHERE tenant_id = $1 AND seq = $2",
                t.0,
                seq
            )
            .unwrap();
            assert_eq!(n, 1);
        }
        // ...and slip in a forged row that even points at row 2's real hash.
        let sql = format!(
            "INSERT INTO audit_events (tenant_id, seq, id, at, {COPY_COLUMNS}, detail, prev_hash, hash)
             SELECT tenant_id, 3, id, at + 1, {COPY_COLUMNS}, '{{\"username\":\"ghost\"}}', hash, hash
             FROM audit_events WHERE tenant_id = $1 AND seq = 2"
        );
        let n = raw_exec!(&db.store, sqlx::AssertSqlSafe(sql.clone()), t.0).unwrap();
        assert_eq!(n, 1);
        assert_eq!(trail_len(&db.store, t).await, 6);
        assert_break(&db, t, 3, "edited").await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tamper_copied_row_appended_with_a_new_seq_is_found() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        // No trigger stands in the way of an INSERT: only the chain catches it.
        let sql = format!(
            "INSERT INTO audit_events (tenant_id, seq, id, at, {COPY_COLUMNS}, detail, prev_hash, hash)
             SELECT tenant_id, 6, id, at, {COPY_COLUMNS}, detail, prev_hash, hash
             FROM audit_events WHERE tenant_id = $1 AND seq = 5"
        );
        let n = raw_exec!(&db.store, sqlx::AssertSqlSafe(sql.clone()), t.0).unwrap();
        assert_eq!(n, 1);
        assert_break(&db, t, 6, "does not follow").await;
        db.finish().await;
    }
}

#[tokio::test]
async fn tamper_swapped_rows_are_found() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        disable_audit_triggers(&db).await;
        for (from, to) in [(3i64, -3i64), (4, 3), (-3, 4)] {
            let n = raw_exec!(
                &db.store,
                "UPDATE audit_events SET seq = $3 WHERE tenant_id = $1 AND seq = $2",
                t.0,
                from,
                to
            )
            .unwrap();
            assert_eq!(n, 1);
        }
        let rows = trail(&db.store, t).await;
        assert_eq!(
            rows.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5],
            "rows keep a gapless numbering"
        );
        assert_break(&db, t, 3, "does not follow").await;
        db.finish().await;
    }
}

/// The row hash as documented in `audit.rs` (SHA-256 over the previous hash and a canonical JSON
/// array of the fields): what an informed attacker can compute.
fn attacker_hash(tenant: Uuid, e: &AuditEvent) -> Vec<u8> {
    use sha2::Digest;
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
    let mut h = sha2::Sha256::new();
    h.update(&e.prev_hash);
    h.update(canonical.to_string().as_bytes());
    h.finalize().to_vec()
}

async fn insert_event(db: &TestDb, tenant: TenantId, e: &AuditEvent) {
    let n = raw_exec!(&db.store,
        "INSERT INTO audit_events (tenant_id, seq, id, at, actor_id, actor_name, actor_role, actor_agency, action,
         entity_type, entity_id, subject_id, basis, outcome, request_id, ip, detail, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
        tenant.0, e.seq, e.id, e.at.micros(), e.actor_id, e.actor_name.clone(), e.actor_role.clone(), e.actor_agency,
        e.action.clone(), e.entity_type.clone(), e.entity_id.clone(), e.subject_id.clone(), e.basis.clone(),
        e.outcome.clone(), e.request_id.clone(), e.ip.clone(), e.detail.clone(), e.prev_hash.clone(), e.hash.clone())
    .unwrap();
    assert_eq!(n, 1);
}

/// A correctly hashed row appended past the recorded head is the first bad row. `verify` does
/// notice the chain no longer ends at its head, but it names the row after the forgery and says
/// rows are *missing*, while one was added. See the report: store bug in `audit::verify`.
#[tokio::test]
async fn tamper_well_hashed_row_past_the_head_is_named() {
    for db in migrated().await {
        let t = tamper_setup(&db).await;
        let rows = trail(&db.store, t).await;
        for e in &rows {
            assert_eq!(
                attacker_hash(t.0, e),
                e.hash,
                "{}: the documented hash reproduces row {}",
                db.name,
                e.seq
            );
        }
        let last = rows.last().unwrap();
        let mut forged = last.clone();
        forged.seq = last.seq + 1;
        forged.id = Uuid::now_v7();
        forged.at = Timestamp::now();
        forged.detail = r#"{"username":"backdoor","role":"administrator"}"#.into();
        forged.prev_hash.clone_from(&last.hash);
        forged.hash = attacker_hash(t.0, &forged);
        insert_event(&db, t, &forged).await;
        assert_break(&db, t, 6, "").await;
        let b = audit::verify(&db.store).await.unwrap().first_break.unwrap();
        assert!(
            !b.problem.contains("missing"),
            "{}: nothing is missing; a row was added: {}",
            db.name,
            b.problem
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Tenant isolation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tenants_never_see_each_others_rows() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let a = tenant(s, "48020", "Bilbao").await;
        let b = tenant(s, "48044", "Getxo").await;
        let a_ane = user(s, a, "ane").await;
        let a_miren = user(s, a, "miren").await;
        let b_ane = user(s, b, "ane").await; // the same username in another tenant is fine
        let b_jon = user(s, b, "jon").await;
        let a_ag = agency(s, a, "Servicios Sociales").await;
        let b_ag = agency(s, b, "Servicios Sociales").await;
        territory::load(s, &grant(a, Action::ViewTerritory), &territory_rows())
            .await
            .unwrap();

        let ids = |us: &[User]| us.iter().map(|u| u.id).collect::<BTreeSet<_>>();
        let listed_a = users::list(s, a, "", 100).await.unwrap();
        assert_eq!(
            ids(&listed_a),
            BTreeSet::from([a_ane.id, a_miren.id]),
            "{ctx}: A lists only A's users"
        );
        assert!(listed_a.iter().all(|u| u.tenant == a));
        let listed_b = users::list(s, b, "", 100).await.unwrap();
        assert_eq!(
            ids(&listed_b),
            BTreeSet::from([b_ane.id, b_jon.id]),
            "{ctx}: B lists only B's users"
        );
        assert_eq!(users::count(s, a).await.unwrap(), 2);

        assert!(
            matches!(users::get(s, a, b_jon.id).await, Err(StoreError::NotFound)),
            "{ctx}: B's user is NotFound in A"
        );
        assert!(matches!(
            users::get(s, a, b_ane.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            users::credentials_by_id(s, a, b_jon.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(
            users::credentials(s, a, "jon").await.unwrap().is_none(),
            "{ctx}: B's username unknown in A"
        );
        assert_eq!(
            users::credentials(s, a, "ane")
                .await
                .unwrap()
                .unwrap()
                .user
                .id,
            a_ane.id,
            "{ctx}: A's ane, not B's"
        );
        assert_eq!(
            users::credentials(s, b, "ane")
                .await
                .unwrap()
                .unwrap()
                .user
                .id,
            b_ane.id
        );
        // A grant of tenant A cannot reach B's account.
        let ch = UserChanges {
            active: Some(false),
            ..Default::default()
        };
        let res = users::update(
            s,
            &grant(a, Action::UpdateUser),
            &meta(),
            b_jon.id,
            b_jon.version,
            &ch,
        )
        .await;
        assert!(
            matches!(res, Err(StoreError::NotFound)),
            "{ctx}: cross-tenant update is NotFound"
        );
        assert_eq!(
            users::get(s, b, b_jon.id).await.unwrap(),
            b_jon,
            "{ctx}: B's user unchanged"
        );

        let ag_a = agencies::list(s, a).await.unwrap();
        assert_eq!(
            ag_a.iter().map(|x| x.id).collect::<Vec<_>>(),
            [a_ag.id],
            "{ctx}: A lists only A's agencies"
        );
        assert_eq!(agencies::get(s, a, a_ag.id).await.unwrap(), a_ag);
        assert!(matches!(
            agencies::get(s, a, b_ag.id).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            territory::list(s, b).await.unwrap(),
            [],
            "{ctx}: B has no territory"
        );

        let b_ids: BTreeSet<String> = [
            b.to_string(),
            b_ane.id.to_string(),
            b_jon.id.to_string(),
            b_ag.id.to_string(),
        ]
        .into();
        let trail_a = trail(s, a).await;
        assert_eq!(
            trail_a.len(),
            5,
            "{ctx}: A's trail: tenant, 2 users, agency, territory"
        );
        assert_linked(&trail_a, ctx);
        for e in &trail_a {
            assert!(
                !e.entity_id.as_ref().is_some_and(|id| b_ids.contains(id)),
                "{ctx}: A's trail shows B's {e:?}"
            );
        }
        let f = AuditFilter {
            entity_id: b_jon.id.to_string(),
            ..Default::default()
        };
        assert_eq!(
            audit::list(s, a, &f, 100).await.unwrap(),
            [],
            "{ctx}: filtering A's trail for B's user finds nothing"
        );
        assert_eq!(
            audit::list(s, b, &f, 100).await.unwrap().len(),
            1,
            "{ctx}: B's trail has it"
        );
        let trail_b = trail(s, b).await;
        assert_eq!(
            trail_b.len(),
            4,
            "{ctx}: B's trail: tenant, 2 users, agency"
        );
        assert_linked(&trail_b, ctx);

        assert_intact(s, 9, 2, ctx).await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Optimistic concurrency
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn stale_update_is_refused_and_changes_nothing() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let u = user(s, t, "ane").await;
        assert_eq!(u.version, 1);
        let g = grant(t, Action::UpdateUser);
        let first = UserChanges {
            display_name: Some(DisplayName::parse("First Edit").unwrap()),
            role: Some(Role::Coordinator),
            ..Default::default()
        };
        let after_first = users::update(s, &g, &meta(), u.id, u.version, &first)
            .await
            .unwrap();
        assert_eq!(after_first.version, 2);
        assert_eq!(after_first.display_name, "First Edit");
        let rows_before = trail_len(s, t).await;

        let second = UserChanges {
            display_name: Some(DisplayName::parse("Second Edit").unwrap()),
            email: Some(None),
            role: Some(Role::Analyst),
            active: Some(false),
            mfa_required: Some(true),
            ..Default::default()
        };
        let res = users::update(s, &g, &meta(), u.id, u.version, &second).await;
        assert!(
            matches!(res, Err(StoreError::Stale)),
            "{ctx}: stale version is Stale, got {res:?}"
        );
        let res = users::update(s, &g, &meta(), u.id, 99, &second).await;
        assert!(
            matches!(res, Err(StoreError::Stale)),
            "{ctx}: a future version is Stale too"
        );

        let now = users::get(s, t, u.id).await.unwrap();
        assert_eq!(
            now, after_first,
            "{ctx}: the re-read shows the first update's values"
        );
        assert_eq!(now.role, Role::Coordinator);
        assert!(now.active && !now.mfa_required && now.email.is_some());
        assert_eq!(
            trail_len(s, t).await,
            rows_before,
            "{ctx}: a refused update writes no audit row"
        );

        // The current version still works.
        let ok = users::update(s, &g, &meta(), u.id, 2, &second)
            .await
            .unwrap();
        assert_eq!(
            (ok.version, ok.display_name.as_str(), ok.active),
            (3, "Second Edit", false)
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Sessions
// ---------------------------------------------------------------------------------------------

async fn sign_in(s: &Store, u: &User, label: &str) -> Vec<u8> {
    let t = token(label);
    let csrf = format!("csrf-{label}");
    let attempt = SignIn::Succeeded {
        user: u,
        token_hash: &t,
        csrf_token: &csrf,
        mfa_passed: true,
    };
    sessions::record_sign_in(s, attempt, &meta()).await.unwrap();
    t
}

fn keys_of(u: &User) -> Vec<throttle::Key> {
    vec![
        throttle::Key::account(u.tenant, &u.username),
        throttle::Key::address("192.0.2.7"),
    ]
}

/// A failed attempt as the sign-in service records it: counted first, then settled.
async fn fail_sign_in(s: &Store, u: &User) {
    let keys = keys_of(u);
    let limits = throttle::Limits::default();
    throttle::begin(s, &keys, limits).await.unwrap();
    let notice = sessions::LockNotice {
        to: "ane@example.eus",
        subject: "locked",
        body: "locked for a while",
    };
    let attempt = SignIn::Failed {
        tenant: u.tenant,
        user: Some(u.id),
        counted: &keys,
        limits,
        notice: Some(notice),
    };
    sessions::record_sign_in(s, attempt, &meta()).await.unwrap();
}

/// (failures in the window, consecutive failures) of the account's name.
async fn failed_logins(s: &Store, u: &User) -> (i64, i64) {
    throttle::failures(s, &throttle::Key::account(u.tenant, &u.username))
        .await
        .unwrap()
}

async fn sign_in_lock(s: &Store, u: &User) -> Option<Timestamp> {
    throttle::locked_until(s, &throttle::Key::account(u.tenant, &u.username))
        .await
        .unwrap()
}

async fn set_session_time(db: &TestDb, t: &[u8], column: &'static str, at: Timestamp) {
    let sql = match column {
        "last_seen_at" => "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
        _ => "UPDATE sessions SET expires_at = $2 WHERE token_hash = $1",
    };
    let n = raw_exec!(&db.store, sql, t.to_vec(), at.micros()).unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_accounts_lock_after_failures() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let u = user(s, t, "ane").await;

        let t1 = sign_in(s, &u, "one").await;
        let found = sessions::find(s, &t1)
            .await
            .unwrap()
            .expect("a live session");
        assert_eq!(found.user.id, u.id, "{ctx}: the session's account");
        assert_eq!(found.csrf_token, "csrf-one");
        assert!(found.mfa_passed);
        assert_eq!(found.token_hash, t1);
        assert!(
            sessions::find(s, &token("unknown"))
                .await
                .unwrap()
                .is_none(),
            "{ctx}: unknown token"
        );
        let last = trail(s, t).await.pop().unwrap();
        assert_eq!(
            (last.action.as_str(), last.outcome.as_str()),
            ("auth.sign_in", "ok")
        );

        // Activity refreshes last_seen_at (at most once a minute).
        set_session_time(
            &db,
            &t1,
            "last_seen_at",
            Timestamp::now().minus_seconds(120),
        )
        .await;
        assert!(
            sessions::find(s, &t1).await.unwrap().is_some(),
            "{ctx}: two idle minutes are fine"
        );
        let seen = raw_column!(
            s,
            i64,
            "SELECT last_seen_at FROM sessions WHERE token_hash = $1",
            t1.clone()
        )
        .unwrap();
        assert!(
            seen[0] > Timestamp::now().minus_seconds(30).micros(),
            "{ctx}: find touched last_seen_at"
        );

        // Idle longer than the timeout: gone.
        set_session_time(
            &db,
            &t1,
            "last_seen_at",
            Timestamp::now().minus_seconds(sessions::IDLE_SECONDS - 30),
        )
        .await;
        assert!(
            sessions::find(s, &t1).await.unwrap().is_some(),
            "{ctx}: just inside the idle timeout"
        );
        set_session_time(
            &db,
            &t1,
            "last_seen_at",
            Timestamp::now().minus_seconds(sessions::IDLE_SECONDS + 1),
        )
        .await;
        assert!(
            sessions::find(s, &t1).await.unwrap().is_none(),
            "{ctx}: idle session is not found"
        );
        // Past the absolute lifetime: gone, however active.
        let t2 = sign_in(s, &u, "two").await;
        set_session_time(&db, &t2, "expires_at", Timestamp::now().minus_seconds(1)).await;
        assert!(
            sessions::find(s, &t2).await.unwrap().is_none(),
            "{ctx}: expired session is not found"
        );
        assert_eq!(
            sessions::purge_expired(s).await.unwrap(),
            2,
            "{ctx}: both dead sessions purged"
        );

        // Failures count up; a success ends the consecutive run (not the window's count).
        let t3 = sign_in(s, &u, "three").await;
        for _ in 0..3 {
            fail_sign_in(s, &u).await;
        }
        assert_eq!(failed_logins(s, &u).await, (3, 3));
        let keys = keys_of(&u);
        let limits = throttle::Limits::default();
        throttle::begin(s, &keys, limits).await.unwrap();
        throttle::succeeded(s, &keys, limits).await.unwrap();
        sign_in(s, &u, "four").await;
        assert_eq!(
            failed_logins(s, &u).await,
            (3, 0),
            "{ctx}: a success ends the consecutive run and takes back its own count"
        );

        // lock_after consecutive failures lock the name for a while; sessions stay.
        for i in 1..limits.lock_after {
            fail_sign_in(s, &u).await;
            assert_eq!(failed_logins(s, &u).await, (3 + i, i));
        }
        assert!(
            sign_in_lock(s, &u).await.is_none(),
            "{ctx}: not locked one failure early"
        );
        let before = trail_len(s, t).await;
        fail_sign_in(s, &u).await;
        let until = sign_in_lock(s, &u).await.expect("locked");
        let expected = Timestamp::now().plus_seconds(limits.first_lock_seconds);
        assert!(
            (until.micros() - expected.micros()).abs() < 60_000_000,
            "{ctx}: the first lock lasts first_lock_seconds"
        );
        let u_now = users::get(s, t, u.id).await.unwrap();
        assert!(!u_now.locked, "{ctx}: not an administrator's lock");
        assert!(
            sessions::find(s, &t3).await.unwrap().is_some(),
            "{ctx}: a lock after failed sign-ins leaves open sessions alone"
        );
        let rows = trail(s, t).await;
        let new: Vec<(&str, &str)> = rows[before..]
            .iter()
            .map(|e| (e.action.as_str(), e.outcome.as_str()))
            .collect();
        assert_eq!(
            new,
            [
                ("auth.sign_in", "failed"),
                ("auth.lock", "ok"),
                ("auth.lock", "ok")
            ],
            "{ctx}: the failure and the locks of the name and the address"
        );
        let mails = raw_column!(
            s,
            String,
            "SELECT to_addr FROM email_outbox WHERE subject = $1",
            "locked"
        )
        .unwrap();
        assert_eq!(
            mails,
            ["ane@example.eus"],
            "{ctx}: one e-mail to the holder, in the lock's transaction"
        );
        // Failures during the lock neither extend it nor count towards the next one.
        fail_sign_in(s, &u).await;
        assert_eq!(sign_in_lock(s, &u).await, Some(until));
        assert_eq!(failed_logins(s, &u).await.1, 0);

        // When it runs out, the next lock_after failures lock twice as long.
        raw_exec!(
            s,
            "UPDATE sign_in_counters SET locked_until = $1 WHERE scope = 'account'",
            Timestamp::now().minus_seconds(1).micros()
        )
        .unwrap();
        assert!(
            sign_in_lock(s, &u).await.is_none(),
            "{ctx}: the lock ran out"
        );
        for _ in 0..limits.lock_after {
            fail_sign_in(s, &u).await;
        }
        let second = sign_in_lock(s, &u).await.expect("locked again");
        let expected = Timestamp::now().plus_seconds(2 * limits.first_lock_seconds);
        assert!(
            (second.micros() - expected.micros()).abs() < 60_000_000,
            "{ctx}: back-off doubles the lock"
        );

        // An administrator's unlock lifts it and forgets the counts.
        let g = grant(t, Action::UpdateUser);
        let unlock = UserChanges {
            unlock: true,
            ..Default::default()
        };
        let unlocked = users::update(s, &g, &meta(), u.id, u_now.version, &unlock)
            .await
            .unwrap();
        assert!(!unlocked.locked);
        assert!(sign_in_lock(s, &u).await.is_none(), "{ctx}: unlocked");
        assert_eq!(failed_logins(s, &u).await, (0, 0));

        // An administrator's lock ends sessions and revokes tokens at once.
        let tok = token("api-ane");
        sessions::issue_token(s, &unlocked, &tok, &meta())
            .await
            .unwrap();
        assert!(sessions::find_token(s, &tok).await.unwrap().is_some());
        let lock = UserChanges {
            lock: true,
            ..Default::default()
        };
        let locked = users::update(s, &g, &meta(), u.id, unlocked.version, &lock)
            .await
            .unwrap();
        assert!(locked.locked, "{ctx}: an administrator's lock");
        assert!(sessions::find(s, &t3).await.unwrap().is_none());
        let revoked = raw_column!(
            s,
            i64,
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NOT NULL",
            tok.clone()
        )
        .unwrap();
        assert_eq!(
            revoked,
            [1],
            "{ctx}: the token is revoked, not just refused"
        );
        let unlocked = users::update(s, &g, &meta(), u.id, locked.version, &unlock)
            .await
            .unwrap();
        assert!(!unlocked.locked);
        assert!(
            sessions::find_token(s, &tok).await.unwrap().is_none(),
            "{ctx}: unlocking does not bring a revoked token back"
        );
        let t3 = sign_in(s, &u, "five").await;
        let off = UserChanges {
            active: Some(false),
            ..Default::default()
        };
        let off = users::update(s, &g, &meta(), u.id, unlocked.version, &off)
            .await
            .unwrap();
        let on = UserChanges {
            active: Some(true),
            ..Default::default()
        };
        users::update(s, &g, &meta(), u.id, off.version, &on)
            .await
            .unwrap();
        assert!(
            sessions::find(s, &t3).await.unwrap().is_none(),
            "{ctx}: deactivation deleted the session"
        );

        let rows = trail(s, t).await;
        assert_linked(&rows, ctx);
        assert_intact(s, rows.len() as i64, 1, ctx).await;
        db.finish().await;
    }
}

/// Twenty wrong passwords at once, from two servers: each is counted (the counts handed out are
/// 1 to 20, so the ten past the threshold are delayed), the consecutive run reaches 20 and locks
/// once, with one e-mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_failures_are_each_counted_and_lock_once() {
    for db in migrated().await {
        let ctx = db.name;
        let s = &db.store;
        let other = db.open_again().await;
        let t = tenant(s, "48020", "Bilbao").await;
        let u = user(s, t, "ane").await;
        let limits = throttle::Limits::default();
        let mut tasks = Vec::new();
        for i in 0..20 {
            let server = if i % 2 == 0 { s.clone() } else { other.clone() };
            let u = u.clone();
            tasks.push(tokio::spawn(async move {
                let keys = keys_of(&u);
                let counts = throttle::begin(&server, &keys, limits).await.unwrap();
                let attempt = SignIn::Failed {
                    tenant: u.tenant,
                    user: Some(u.id),
                    counted: &keys,
                    limits,
                    notice: Some(sessions::LockNotice {
                        to: "ane@example.eus",
                        subject: "locked",
                        body: "locked for a while",
                    }),
                };
                sessions::record_sign_in(&server, attempt, &meta())
                    .await
                    .unwrap();
                counts
            }));
        }
        let mut by_name = Vec::new();
        let mut by_address = Vec::new();
        for task in tasks {
            let counts = task.await.unwrap();
            by_name.push(counts[0].failures);
            by_address.push(counts[1].failures);
        }
        by_name.sort_unstable();
        by_address.sort_unstable();
        let expected: Vec<i64> = (1..=20).collect();
        assert_eq!(by_name, expected, "{ctx}: every attempt saw its own count");
        assert_eq!(by_address, expected, "{ctx}: per address too");
        assert_eq!(
            by_name.iter().filter(|n| **n > 10).count(),
            10,
            "{ctx}: ten attempts past a threshold of 10"
        );
        assert!(
            sign_in_lock(s, &u).await.is_some(),
            "{ctx}: the twentieth consecutive failure locked"
        );
        let locks = trail(s, t)
            .await
            .iter()
            .filter(|e| e.action == "auth.lock")
            .count();
        assert_eq!(locks, 2, "{ctx}: one lock of the name, one of the address");
        let mails = raw_column!(
            s,
            i64,
            "SELECT COUNT(*) FROM email_outbox WHERE subject = $1",
            "locked"
        )
        .unwrap();
        assert_eq!(mails, [1], "{ctx}: one e-mail");
        let rows = trail(s, t).await;
        assert_linked(&rows, ctx);
        other.close().await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Jobs
// ---------------------------------------------------------------------------------------------

#[test]
fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
    let got: Vec<i64> = (1..=10).map(jobs::backoff_seconds).collect();
    assert_eq!(got, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
    assert_eq!(jobs::backoff_seconds(0), 10);
    assert_eq!(jobs::backoff_seconds(-3), 10);
    assert_eq!(jobs::backoff_seconds(64), 3600);
    assert_eq!(jobs::backoff_seconds(i64::MAX), 3600);
}

async fn enqueue(s: &Store, t: TenantId, kind: &str, run_at: Timestamp) -> JobId {
    let mut tx = s.begin_write().await.unwrap();
    let id = jobs::enqueue(&mut tx, Some(t), kind, &serde_json::json!({"n": 1}), run_at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn jobs_are_claimed_once_retried_with_backoff_and_end_dead() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let t0 = Timestamp::now();

        // A job enqueued in a transaction that rolls back never exists.
        let mut tx = s.begin_write().await.unwrap();
        let ghost = jobs::enqueue(&mut tx, Some(t), "ghost", &serde_json::json!({}), t0)
            .await
            .unwrap();
        drop(tx);
        assert!(
            matches!(jobs::get(s, ghost).await, Err(StoreError::NotFound)),
            "{ctx}: rolled back with its transaction"
        );

        let id = enqueue(s, t, "email.send", t0).await;
        let queued = jobs::get(s, id).await.unwrap();
        assert_eq!(
            (queued.status.as_str(), queued.attempts, queued.max_attempts),
            ("queued", 0, jobs::MAX_ATTEMPTS)
        );
        assert!(
            jobs::claim(s, "w1", t0.minus_seconds(1))
                .await
                .unwrap()
                .is_none(),
            "{ctx}: not due yet"
        );

        let job = jobs::claim(s, "w1", t0).await.unwrap().expect("claimed");
        assert_eq!(job.id, id);
        assert_eq!(
            (job.status.as_str(), job.attempts, job.kind.as_str()),
            ("running", 1, "email.send")
        );
        assert_eq!(job.tenant, Some(t));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&job.payload).unwrap(),
            serde_json::json!({"n": 1})
        );
        assert!(
            jobs::claim(s, "w2", t0).await.unwrap().is_none(),
            "{ctx}: a second claim gets nothing"
        );

        // Each failure requeues after the backoff until the last attempt.
        let mut job = job;
        let mut now = t0;
        loop {
            let long_error = "e".repeat(5000);
            let status = jobs::fail(s, &job, &long_error, now).await.unwrap();
            let stored = jobs::get(s, id).await.unwrap();
            assert_eq!(
                stored.last_error.as_ref().map(String::len),
                Some(2000),
                "{ctx}: errors are truncated"
            );
            if job.attempts == jobs::MAX_ATTEMPTS {
                assert_eq!(status, "dead", "{ctx}: dead after max_attempts");
                assert_eq!(stored.status, "dead");
                break;
            }
            assert_eq!(status, "queued", "{ctx}: attempt {} requeued", job.attempts);
            assert_eq!(stored.status, "queued");
            let due = now.plus_seconds(jobs::backoff_seconds(job.attempts));
            assert_eq!(
                stored.run_at, due,
                "{ctx}: run_at is pushed back by the backoff"
            );
            assert!(
                jobs::claim(s, "w1", due.minus_seconds(1))
                    .await
                    .unwrap()
                    .is_none(),
                "{ctx}: not before the backoff"
            );
            let next = jobs::claim(s, "w1", due).await.unwrap().expect("due again");
            assert_eq!((next.id, next.attempts), (id, job.attempts + 1));
            job = next;
            now = due;
        }
        assert_eq!(jobs::get(s, id).await.unwrap().attempts, jobs::MAX_ATTEMPTS);
        assert!(
            jobs::claim(s, "w1", now.plus_seconds(100_000))
                .await
                .unwrap()
                .is_none(),
            "{ctx}: dead jobs are never claimed"
        );

        // A worker that vanishes loses its lease.
        let leased = enqueue(s, t, "report", t0).await;
        let first = jobs::claim(s, "w1", t0).await.unwrap().expect("claimed");
        assert_eq!(first.id, leased);
        assert!(
            jobs::claim(s, "w2", t0.plus_seconds(jobs::LEASE_SECONDS - 1))
                .await
                .unwrap()
                .is_none(),
            "{ctx}: lease holds"
        );
        let again = jobs::claim(s, "w2", t0.plus_seconds(jobs::LEASE_SECONDS + 1))
            .await
            .unwrap()
            .expect("lease expired");
        assert_eq!(
            (again.id, again.attempts, again.status.as_str()),
            (leased, 2, "running")
        );
        // The worker that lost its lease can no longer finish or fail the job.
        assert!(
            matches!(jobs::complete(s, &first).await, Err(StoreError::Stale)),
            "{ctx}: an expired claim cannot complete"
        );
        assert!(
            matches!(
                jobs::fail(s, &first, "late", t0).await,
                Err(StoreError::Stale)
            ),
            "{ctx}: an expired claim cannot fail"
        );
        jobs::complete(s, &again).await.unwrap();
        assert_eq!(jobs::get(s, leased).await.unwrap().status, "done");
        assert!(
            jobs::claim(s, "w3", t0.plus_seconds(100_000))
                .await
                .unwrap()
                .is_none(),
            "{ctx}: done jobs are never claimed"
        );

        assert_eq!(
            jobs::counts(s).await.unwrap(),
            [("dead".to_owned(), 1), ("done".to_owned(), 1)]
        );
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Periodic tasks across servers
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_periodic_slot_has_exactly_one_winner_across_servers() {
    for db in migrated().await {
        let ctx = db.name;
        let a = db.store.clone();
        let b = db.open_again().await;
        let mut wins = (0, 0);
        for slot in 0..20i64 {
            let (ra, rb) = tokio::join!(
                jobs::claim_periodic(&a, "retention", slot, "server-a"),
                jobs::claim_periodic(&b, "retention", slot, "server-b"),
            );
            let (ra, rb) = (ra.unwrap(), rb.unwrap());
            assert!(
                ra ^ rb,
                "{ctx}: slot {slot}: exactly one winner (a={ra}, b={rb})"
            );
            let winner = if ra { "server-a" } else { "server-b" };
            if ra {
                wins.0 += 1;
            } else {
                wins.1 += 1;
            }
            assert_eq!(
                jobs::periodic_runner(&b, "retention", slot)
                    .await
                    .unwrap()
                    .as_deref(),
                Some(winner),
                "{ctx}: slot {slot}"
            );
            assert!(
                !jobs::claim_periodic(&a, "retention", slot, "server-a")
                    .await
                    .unwrap(),
                "{ctx}: no second run"
            );
        }
        assert_eq!(wins.0 + wins.1, 20);
        assert_eq!(
            jobs::periodic_runner(&a, "retention", 20).await.unwrap(),
            None,
            "{ctx}: unclaimed slot"
        );
        assert!(
            jobs::claim_periodic(&b, "reminders", 0, "server-b")
                .await
                .unwrap(),
            "{ctx}: other task, same slot"
        );
        b.close().await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 9. Idempotency keys
// ---------------------------------------------------------------------------------------------

async fn save_key(
    s: &Store,
    t: TenantId,
    u: UserId,
    key: &str,
    hash: &[u8],
) -> Result<(), StoreError> {
    let mut tx = s.begin_write().await?;
    idempotency::save(&mut tx, t, u, key, hash, 201, r#"{"id":"first"}"#).await?;
    tx.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_replay_and_refuse_a_second_save() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let other_tenant = tenant(s, "48044", "Getxo").await;
        let u = user(s, t, "ane").await;
        let h = token("request body");

        save_key(s, t, u.id, "key-1", &h).await.unwrap();
        let found = idempotency::find(s, t, u.id, "key-1").await.unwrap();
        assert_eq!(
            found,
            Some(idempotency::Stored {
                request_hash: h.clone(),
                status: 201,
                response: r#"{"id":"first"}"#.into()
            }),
            "{ctx}: the stored response comes back"
        );
        assert_eq!(idempotency::find(s, t, u.id, "key-2").await.unwrap(), None);
        assert_eq!(
            idempotency::find(s, t, UserId::new(), "key-1")
                .await
                .unwrap(),
            None,
            "{ctx}: keys are per user"
        );
        assert_eq!(
            idempotency::find(s, other_tenant, u.id, "key-1")
                .await
                .unwrap(),
            None,
            "{ctx}: and per tenant"
        );

        // A retry's transaction fails on the key, so the record it created is rolled back.
        let rows_before = trail_len(s, t).await;
        let mut tx = s.begin_write().await.unwrap();
        users::create_in(
            &mut tx,
            &grant(t, Action::CreateUser),
            &meta(),
            &new_user("bob"),
        )
        .await
        .unwrap();
        let res =
            idempotency::save(&mut tx, t, u.id, "key-1", &token("other body"), 201, "{}").await;
        assert!(
            matches!(res, Err(StoreError::Conflict(_))),
            "{ctx}: the same key again is Conflict, got {res:?}"
        );
        drop(tx);
        assert!(
            users::credentials(s, t, "bob").await.unwrap().is_none(),
            "{ctx}: the retry's create was rolled back"
        );
        assert_eq!(
            trail_len(s, t).await,
            rows_before,
            "{ctx}: and so was its audit row"
        );
        assert_eq!(
            idempotency::find(s, t, u.id, "key-1")
                .await
                .unwrap()
                .unwrap()
                .request_hash,
            h,
            "{ctx}: first response kept"
        );

        // Two concurrent requests with one key: one wins, one conflicts.
        let (r1, r2) = tokio::join!(
            save_key(s, t, u.id, "key-3", &h),
            save_key(s, t, u.id, "key-3", &h)
        );
        let conflicts = [&r1, &r2]
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict(_))))
            .count();
        assert!(
            r1.is_ok() ^ r2.is_ok(),
            "{ctx}: exactly one concurrent save wins ({r1:?}, {r2:?})"
        );
        assert_eq!(conflicts, 1, "{ctx}: the other is Conflict");
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Read auditor (group commit). The only test that uses ReadAuditor: the metrics are global.
// ---------------------------------------------------------------------------------------------

fn read_event(t: TenantId, subject: &str) -> NewEvent {
    NewEvent {
        tenant: t,
        actor_id: None,
        actor_name: "reader".into(),
        actor_role: Some("social_worker".into()),
        actor_agency: None,
        action: "person.view".into(),
        entity_type: "person",
        entity_id: Some(subject.to_owned()),
        subject_id: Some(subject.to_owned()),
        basis: "role".into(),
        outcome: "ok",
        meta: meta(),
        detail: serde_json::json!({"fields": ["name"]}),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_auditor_group_commits_concurrent_reads() {
    for db in migrated().await {
        let ctx = db.name;
        let s = db.store.clone();
        let a = tenant(&s, "48020", "Bilbao").await;
        let b = tenant(&s, "48044", "Getxo").await;
        let auditor = ReadAuditor::start(s.clone());
        let batches0 = audit::metrics::BATCHES.load(Ordering::Relaxed);
        let rows0 = audit::metrics::ROWS.load(Ordering::Relaxed);

        let mut set = tokio::task::JoinSet::new();
        for i in 0..200 {
            let (auditor, s) = (auditor.clone(), s.clone());
            let t = if i % 2 == 0 { a } else { b };
            set.spawn(async move {
                let subject = format!("person-{i}");
                auditor.record(read_event(t, &subject)).await?;
                // Answered only once committed: the row is already visible to everyone.
                let f = AuditFilter {
                    subject_id: subject,
                    ..Default::default()
                };
                let n = audit::list(&s, t, &f, 10).await?.len();
                Ok::<usize, StoreError>(n)
            });
        }
        let mut done = 0;
        while let Some(res) = set.join_next().await {
            let visible = res
                .expect("task")
                .unwrap_or_else(|e| panic!("{ctx}: record failed: {e}"));
            assert_eq!(
                visible, 1,
                "{ctx}: the read's row is committed when record() returns"
            );
            done += 1;
        }
        assert_eq!(done, 200);

        let batches = audit::metrics::BATCHES.load(Ordering::Relaxed) - batches0;
        let rows = audit::metrics::ROWS.load(Ordering::Relaxed) - rows0;
        assert!(
            rows >= 200,
            "{ctx}: all 200 rows went through the writer ({rows})"
        );
        assert!(
            (1..200).contains(&batches),
            "{ctx}: group commit shared transactions ({batches} batches for 200 rows)"
        );

        for t in [a, b] {
            let rows = trail(&s, t).await;
            assert_eq!(rows.len(), 101, "{ctx}: tenant row + 100 reads each");
            assert_linked(&rows, ctx);
            assert_eq!(
                rows.iter().filter(|e| e.action == "person.view").count(),
                100
            );
        }
        assert_intact(&s, 202, 2, ctx).await;

        // A read for a tenant with no chain is refused rather than served unaudited.
        let res = auditor.record(read_event(TenantId::new(), "nobody")).await;
        assert!(
            matches!(res, Err(StoreError::Unavailable(_))),
            "{ctx}: unknown tenant is refused, got {res:?}"
        );
        assert_intact(&s, 202, 2, ctx).await;
        db.finish().await;
    }
}

/// Holds every connection of a SQLite pool at once and sets its page limit: to the database's
/// current size (`full`), which makes a write that needs a new page fail as a full disk would,
/// or back to SQLite's maximum.
async fn sqlite_page_limit(s: &Store, full: bool) {
    let Store::Sqlite(p) = s else { return };
    let mut held = Vec::new();
    for _ in 0..p.options().get_max_connections() {
        held.push(p.acquire().await.unwrap());
    }
    for c in &mut held {
        let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
            .fetch_one(&mut **c)
            .await
            .unwrap();
        let limit = if full { pages } else { 1_073_741_823 };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {limit}"
        )))
        .execute(&mut **c)
        .await
        .unwrap();
    }
}

/// A full disk: SQLite answers SQLITE_FULL and may end the transaction by itself, while the
/// driver still counts it open. The write is refused as `Storage` (503, nothing written, the
/// chain intact), a read whose audit row cannot be stored likewise, and once there is room
/// again every write succeeds: no pooled connection is
/// left "inside" a transaction that no longer exists. (On SQLite a page limit plays the full
/// disk; on PostgreSQL the server ending the transaction by itself plays it.)
#[tokio::test]
async fn a_write_on_a_full_disk_is_refused_whole_and_writes_resume_when_room_returns() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let mut expected = trail_len(s, t).await;
        if db.is_sqlite() {
            // Every pooled connection held to the database's current size.
            sqlite_page_limit(s, true).await;
            let mut refused = 0;
            for i in 0..40 {
                match users::create(
                    s,
                    &grant(t, Action::CreateUser),
                    &meta(),
                    &new_user(&format!("full{i:02}")),
                )
                .await
                {
                    Err(StoreError::Storage(_)) => refused += 1,
                    Ok(_) => expected += 1,
                    Err(e) => {
                        panic!("{ctx}: a write on a full database fails as Storage, got {e:?}")
                    }
                }
            }
            assert!(refused > 0, "{ctx}: the page limit was never reached");
            // A read whose audit row cannot be stored is refused as a full disk too, not as an
            // unreachable database.
            sqlite_page_limit(s, true).await;
            let auditor = ReadAuditor::start(s.clone());
            let mut read_refused = None;
            for i in 0..2000 {
                if let Err(e) = auditor.record(read_event(t, &format!("p{i}"))).await {
                    read_refused = Some(e);
                    break;
                }
                expected += 1;
            }
            assert!(
                matches!(read_refused, Some(StoreError::Storage(_))),
                "{ctx}: a read audited on a full disk is refused as Storage, got {read_refused:?}"
            );
            sqlite_page_limit(s, false).await;
        } else {
            for _ in 0..12 {
                let mut tx = s.begin_write().await.unwrap();
                if let elkarlan_store::Tx::Postgres(c) = &mut tx {
                    sqlx::query("ROLLBACK").execute(&mut **c).await.unwrap();
                }
                drop(tx);
            }
        }
        let written = trail_len(s, t).await;
        assert_eq!(
            written, expected,
            "{ctx}: a refused write leaves no audit row, an accepted one exactly one"
        );
        for i in 0..24 {
            users::create(
                s,
                &grant(t, Action::CreateUser),
                &meta(),
                &new_user(&format!("room{i:02}")),
            )
            .await
            .unwrap_or_else(|e| panic!("{ctx}: write {i} after room returned: {e:?}"));
        }
        assert_eq!(
            trail_len(s, t).await,
            written + 24,
            "{ctx}: each write appends its row"
        );
        assert_intact(s, (written + 24) as i64, 1, ctx).await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 11. Backup (SQLite)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sqlite_backup_is_a_verifiable_copy_and_never_overwrites() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        user(s, t, "ane").await;
        agency(s, t, "Servicios Sociales").await;
        let original = audit::verify(s).await.unwrap();
        assert_eq!((original.rows, original.first_break.clone()), (3, None));

        let dest = std::env::temp_dir().join(format!(
            "elkarlan-store-backup-{}.db",
            Uuid::now_v7().simple()
        ));
        if !db.is_sqlite() {
            let res = backup::sqlite_backup(s, &dest).await;
            assert!(
                matches!(res, Err(StoreError::BadUrl(_))),
                "{ctx}: PostgreSQL backups are pg_dump's job"
            );
            assert!(!dest.exists());
            assert_eq!(backup::sqlite_integrity(s).await.unwrap(), "ok");
            db.finish().await;
            continue;
        }
        backup::sqlite_backup(s, &dest).await.unwrap();
        assert!(dest.exists(), "{ctx}: the backup file exists");
        let copy = Store::open(&format!("sqlite://{}", dest.display()))
            .await
            .unwrap();
        assert_eq!(
            audit::verify(&copy).await.unwrap(),
            original,
            "{ctx}: the copy verifies with the same rows"
        );
        assert_eq!(backup::sqlite_integrity(&copy).await.unwrap(), "ok");
        assert_eq!(
            trail(&copy, t).await,
            trail(s, t).await,
            "{ctx}: the same trail"
        );
        assert_eq!(users::count(&copy, t).await.unwrap(), 1);
        assert_eq!(
            migrate::run(&copy).await.unwrap(),
            Vec::<i64>::new(),
            "{ctx}: the copy is fully migrated"
        );
        copy.close().await;

        let len = std::fs::metadata(&dest).unwrap().len();
        user(s, t, "jon").await;
        let res = backup::sqlite_backup(s, &dest).await;
        // Which error variant is being reworked in the store; the contract is: refused, file untouched.
        assert!(res.is_err(), "{ctx}: an existing file is refused");
        assert_eq!(
            std::fs::metadata(&dest).unwrap().len(),
            len,
            "{ctx}: and left as it was"
        );
        for suffix in ["", "-wal", "-shm"] {
            let mut p = dest.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 12. Constraint mapping
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn taken_names_are_conflicts_and_write_nothing() {
    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let other = tenant(s, "48044", "Getxo").await;
        user(s, t, "ane").await;
        let rows = trail_len(s, t).await;

        let g = grant(t, Action::CreateUser);
        let res = users::create(s, &g, &meta(), &new_user("ane")).await;
        assert!(
            matches!(res, Err(StoreError::Conflict(_))),
            "{ctx}: taken username is Conflict, got {res:?}"
        );
        let res = users::create(s, &g, &meta(), &new_user("ANE")).await;
        assert!(
            matches!(res, Err(StoreError::Conflict(_))),
            "{ctx}: usernames are case-insensitive"
        );
        assert_eq!(users::count(s, t).await.unwrap(), 1);
        assert_eq!(
            trail_len(s, t).await,
            rows,
            "{ctx}: a refused create writes no audit row"
        );
        user(s, other, "ane").await;

        agency(s, t, "Lanbide").await;
        let res = agencies::create(
            s,
            &grant(t, Action::CreateAgency),
            &meta(),
            &new_agency("Lanbide"),
        )
        .await;
        assert!(
            matches!(res, Err(StoreError::Conflict(_))),
            "{ctx}: taken agency name is Conflict"
        );
        let res = tenants::create(s, &IneCode::parse("48020").unwrap(), "Bis", "Bis").await;
        assert!(
            matches!(res, Err(StoreError::Conflict(_))),
            "{ctx}: taken INE code is Conflict"
        );
        assert_eq!(tenants::all(s).await.unwrap().len(), 2);
        // Bilbao: tenant, ane, Lanbide; Getxo: tenant, ane.
        assert_intact(s, 5, 2, ctx).await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 13. URLs and unreachable servers
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_urls_and_unreachable_servers() {
    for url in ["mysql://x", "", "postgre://x", "file:x.db"] {
        let res = Store::open(url).await;
        assert!(
            matches!(res, Err(StoreError::BadUrl(_))),
            "{url:?} is BadUrl, got {res:?}"
        );
    }
    assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
    assert_eq!(
        Backend::of_url("postgresql://h/db").unwrap(),
        Backend::Postgres
    );
    let res = Store::open("postgres://u@127.0.0.1:bad/db").await;
    assert!(
        matches!(res, Err(StoreError::BadUrl(_))),
        "an unparsable URL is BadUrl, got {res:?}"
    );

    // Nothing listens on port 1: the pool retries until its acquire timeout, then gives up.
    let res = tokio::time::timeout(
        Duration::from_secs(30),
        Store::open("postgres://postgres@127.0.0.1:1/x"),
    )
    .await
    .expect("open gives up by itself");
    let err = res.unwrap_err();
    assert!(
        err.is_unavailable(),
        "connection refused is Unavailable, got {err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Bulk registration (synthetic populations for scale tests)
// ---------------------------------------------------------------------------------------------

/// Synthetic person `i` as the registration form would parse them (no neighbourhood).
fn synthetic_draft(i: u64) -> elkarlan_domain::inclusion::person::PersonDraft {
    let p = elkarlan_domain::synthetic::SyntheticPeople::new(7, None).person(i);
    elkarlan_domain::inclusion::person::PersonInput {
        given_name: p.given_name.clone(),
        surname1: p.first_surname.clone(),
        surname2: p.second_surname.clone(),
        document_kind: String::new(),
        document_number: String::new(),
        document_country: String::new(),
        birth_date: p.birth_date.format("%Y-%m-%d").to_string(),
        sex: p.sex.clone(),
        nationality: p.nationality.clone(),
        languages: p.languages.join(","),
        preferred_lang: p.preferred_language.clone(),
        neighbourhood: String::new(),
        phone: p.phone.clone(),
        email: p.email.clone(),
    }
    .parse(chrono::Utc::now().date_naive())
    .unwrap()
}

#[tokio::test]
async fn bulk_registration_writes_what_single_registration_writes() {
    use elkarlan_domain::{PersonId, search::search_key};
    use elkarlan_store::cases::{self, NewCase};
    use elkarlan_store::people::{self, PersonRecord, StoredDocument};

    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let lead = user(s, t, "lead").await;
        let lead_agency = agency(s, t, "Servicios sociales").await.id;
        let rows = trail_len(s, t).await as i64;
        let drafts: Vec<_> = (0..30).map(synthetic_draft).collect();
        let doc = StoredDocument {
            kind: "dni".into(),
            sealed: vec![1, 2, 3],
            hash: token("12345678Z"),
            masked: "*****678Z".into(),
        };
        let records: Vec<PersonRecord<'_>> = drafts
            .iter()
            .enumerate()
            .map(|(i, draft)| PersonRecord {
                draft,
                area: None,
                document: (i == 0).then_some(&doc),
            })
            .collect();
        let register = grant(t, Action::RegisterPerson);
        let open = grant(t, Action::OpenCase);
        let mut tx = s.begin_bulk_write().await.unwrap();
        let ids = people::create_many_in(&mut tx, &register, &meta(), &records)
            .await
            .unwrap();
        let new_cases: Vec<NewCase> = ids[..25]
            .iter()
            .map(|&person| NewCase {
                person,
                lead: lead.id,
                lead_agency,
            })
            .collect();
        let case_ids = cases::open_many_in(&mut tx, &open, &meta(), &new_cases)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((ids.len(), case_ids.len()), (30, 25), "{ctx}");

        // The same person registered alone: the same record, trigrams and audit detail.
        let single = people::create(s, &register, &meta(), records[0])
            .await
            .unwrap();
        let (a, b) = (
            people::get(s, t, ids[0]).await.unwrap(),
            people::get(s, t, single).await.unwrap(),
        );
        assert_eq!(
            (
                a.full_name(),
                a.birth_date,
                &a.email,
                &a.document_masked,
                a.version
            ),
            (
                b.full_name(),
                b.birth_date,
                &b.email,
                &b.document_masked,
                b.version
            ),
            "{ctx}"
        );
        let grams_of = async |id: PersonId| {
            let mut g = raw_column!(
                s,
                String,
                "SELECT trigram FROM person_trigrams WHERE person_id = $1",
                id.0
            )
            .unwrap();
            g.sort();
            g
        };
        let mut expected = people::trigrams(&search_key(&a.full_name()));
        expected.sort();
        assert_eq!(grams_of(ids[0]).await, expected, "{ctx}");
        assert_eq!(grams_of(single).await, expected, "{ctx}");
        let events = trail(s, t).await;
        let detail_of = |id: PersonId| {
            events
                .iter()
                .find(|e| e.entity_id == Some(id.to_string()))
                .map(|e| (e.action.clone(), e.subject_id.clone(), e.detail.clone()))
        };
        let (bulk_event, single_event) = (detail_of(ids[0]).unwrap(), detail_of(single).unwrap());
        assert_eq!(bulk_event.0, "person.create", "{ctx}");
        assert_eq!(bulk_event.1, Some(ids[0].to_string()), "{ctx}");
        assert_eq!(bulk_event.2, single_event.2, "{ctx}: same audit detail");

        // One audit row per person and per case, in an intact chain; each case open, its lead
        // on the team, and found through search and the caseload.
        assert_intact(s, rows + 30 + 25 + 1, 1, ctx).await;
        for (case, person) in case_ids.iter().zip(&ids) {
            let c = cases::get(s, t, *case).await.unwrap();
            assert_eq!(
                (c.person_id, c.lead_user_id, c.status.code()),
                (*person, lead.id, "open"),
                "{ctx}"
            );
            let team = cases::team(s, *case).await.unwrap();
            assert_eq!(team.len(), 1, "{ctx}");
            assert_eq!(team[0].user_id, Some(lead.id), "{ctx}");
        }
        assert_eq!(
            cases::caseload(s, t, lead.id, 500).await.unwrap().len(),
            25,
            "{ctx}"
        );
        let last = people::get(s, t, ids[29]).await.unwrap();
        let found = people::search(s, t, &search_key(&last.full_name()), 25)
            .await
            .unwrap();
        assert!(
            found
                .iter()
                .any(|(p, score)| p.id == last.id && *score == 1.0),
            "{ctx}: {found:?}"
        );
        let key = search_key(&last.full_name());
        let email = last.email.clone().unwrap();
        assert!(people::exists_with_email(s, t, &key, &email).await.unwrap());
        assert!(
            !people::exists_with_email(s, t, &key, "nobody@example.org")
                .await
                .unwrap()
        );

        // A person whose case is open cannot get a second one: the whole batch is refused.
        let mut tx = s.begin_bulk_write().await.unwrap();
        let again = cases::open_many_in(&mut tx, &open, &meta(), &new_cases[24..]).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{ctx}: {again:?}"
        );
        drop(tx);
        assert_eq!(
            cases::caseload(s, t, lead.id, 500).await.unwrap().len(),
            25,
            "{ctx}"
        );
        assert_intact(s, rows + 30 + 25 + 1, 1, ctx).await;
        db.finish().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Emergency access: the daily limit
// ---------------------------------------------------------------------------------------------

/// Requests made at once by one professional never open more accesses than the limit: the
/// count and the insert share a transaction. Those beyond wait, are not in force, and the DPO's
/// approval puts them in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn break_glass_requests_at_once_never_pass_the_daily_limit() {
    use elkarlan_domain::policy::{Actor, Relationship};
    use elkarlan_store::cases::{self, BreakGlassOpening};
    use elkarlan_store::people::{self, PersonRecord};

    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let lead = user(s, t, "lead").await;
        let school = user(s, t, "school").await;
        let lead_agency = agency(s, t, "Servicios sociales").await.id;
        let drafts: Vec<_> = (0..4).map(synthetic_draft).collect();
        let mut case_rows = Vec::new();
        for draft in &drafts {
            let record = PersonRecord {
                draft,
                area: None,
                document: None,
            };
            let person = people::create(s, &grant(t, Action::RegisterPerson), &meta(), record)
                .await
                .unwrap();
            let id = cases::open(
                s,
                &grant(t, Action::OpenCase),
                &meta(),
                person,
                lead.id,
                lead_agency,
            )
            .await
            .unwrap();
            case_rows.push(cases::get(s, t, id).await.unwrap());
        }
        let glass = grant(t, Action::BreakGlass);
        let reason = "Nobody answers at home and the child did not come to school";
        let handles: Vec<_> = case_rows
            .iter()
            .map(|c| {
                let (store, glass, case, user) = (s.clone(), glass.clone(), c.clone(), school.id);
                tokio::spawn(async move {
                    cases::break_glass(&store, &glass, &meta(), &case, user, reason, 60, 2).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        let opened = results
            .iter()
            .filter(|r| matches!(r, Ok(BreakGlassOpening::Opened(_))))
            .count();
        let waiting: Vec<_> = results
            .iter()
            .filter_map(|r| match r {
                Ok(BreakGlassOpening::Waiting(id)) => Some(*id),
                _ => None,
            })
            .collect();
        assert_eq!((opened, waiting.len()), (2, 2), "{ctx}: {results:?}");
        let actor = Actor {
            tenant: t,
            user: school.id,
            username: "school".into(),
            role: Role::EducationProfessional,
            agency: None,
            agency_system: Some(PublicSystem::Education),
        };
        let mut in_force = 0;
        for c in &case_rows {
            if cases::relationship(s, &actor, c).await.unwrap() == Relationship::BreakGlass {
                in_force += 1;
            }
        }
        assert_eq!(in_force, 2, "{ctx}: waiting requests are not in force");
        let review = grant(t, Action::ReviewBreakGlass);
        cases::review_break_glass(s, &review, &meta(), waiting[0], "justified", 60)
            .await
            .unwrap();
        cases::review_break_glass(s, &review, &meta(), waiting[1], "unjustified", 60)
            .await
            .unwrap();
        let mut in_force = 0;
        for c in &case_rows {
            if cases::relationship(s, &actor, c).await.unwrap() == Relationship::BreakGlass {
                in_force += 1;
            }
        }
        assert_eq!(
            in_force, 3,
            "{ctx}: the approved request is in force, the refused one not"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn stored_values_that_do_not_parse_are_reported_never_defaulted() {
    use elkarlan_domain::{PersonId, ProgrammeId};
    use elkarlan_store::{people, programmes};

    for db in migrated().await {
        let (ctx, s) = (db.name, &db.store);
        let t = tenant(s, "48020", "Bilbao").await;
        let draft = synthetic_draft(3);
        let person = people::create(
            s,
            &grant(t, Action::RegisterPerson),
            &meta(),
            people::PersonRecord {
                draft: &draft,
                area: None,
                document: None,
            },
        )
        .await
        .unwrap();
        let read = people::get(s, t, person).await.unwrap();
        assert_eq!(
            read.sex, draft.sex,
            "{ctx}: sex is read as the domain's type"
        );

        // Someone with database access writes a code the domain does not know.
        raw_exec!(
            s,
            "UPDATE people SET sex = 'martian' WHERE id = $1",
            person.0
        )
        .unwrap();
        match people::get(s, t, person).await {
            Err(StoreError::Corrupt { what, id }) => {
                assert_eq!(
                    (what.as_str(), id),
                    ("person sex", person.0.to_string()),
                    "{ctx}"
                );
            }
            other => panic!("{ctx}: a bad sex is reported, got {other:?}"),
        }
        assert!(
            matches!(
                people::get(s, t, PersonId(Uuid::now_v7())).await,
                Err(StoreError::NotFound)
            ),
            "{ctx}: a missing record is still not found, not corrupt"
        );

        // Eligibility rules are parsed when read: stored text that is not rules is an error.
        let promoter = agency(s, t, "Lanbide").await.id;
        let programme = Uuid::now_v7();
        raw_exec!(s, "INSERT INTO programmes (id, tenant_id, name_eu, name_es, year, status, promoter_agency, places, starts_on, ends_on, target_groups, eligibility, version, created_at)
            VALUES ($1,$2,'Auzo plana','Plan de barrio',2026,'running',$3,20,'2026-01-01','2026-12-31','','{\"all_of\":[]}',1,0)",
            programme, t.0, promoter.0).unwrap();
        let ok = programmes::get(s, t, ProgrammeId(programme)).await.unwrap();
        assert!(ok.eligibility.all_of.is_empty(), "{ctx}: rules are parsed");
        raw_exec!(
            s,
            "UPDATE programmes SET eligibility = '{\"all_of\": 7}' WHERE id = $1",
            programme
        )
        .unwrap();
        match programmes::get(s, t, ProgrammeId(programme)).await {
            Err(StoreError::Corrupt { what, id }) => {
                assert_eq!(
                    (what.as_str(), id),
                    ("programme eligibility", programme.to_string()),
                    "{ctx}"
                );
            }
            other => panic!("{ctx}: bad eligibility is reported, got {other:?}"),
        }
        // The list reports it too rather than leaving the programme out or opening it to all.
        assert!(
            matches!(
                programmes::list(s, t).await,
                Err(StoreError::Corrupt { .. })
            ),
            "{ctx}: the list reports the bad row"
        );
        db.finish().await;
    }
}
