//! Harness for the store conformance suite.
//!
//! Every test gets fresh databases: a SQLite file under the temp directory (always; a real file,
//! not `:memory:`, because WAL and several connections matter) and, when `TEST_DATABASE_URL` is
//! set, a PostgreSQL database created for the test and dropped afterwards (also when the test
//! panics). The store has no raw-SQL entry point, so the few things a test needs to do behind its
//! back (tampering like an attacker with database access, ageing a session) go through sqlx here.

use elkarlan_store::{Store, migrate};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::path::PathBuf;

/// Runs a statement on whichever pool the store holds; evaluates to `Result<u64, sqlx::Error>`
/// (rows affected). Binds follow the SQL; `$N` placeholders work on both drivers.
macro_rules! raw_exec {
    ($store:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $store {
            ::elkarlan_store::Store::Sqlite(p) => ::sqlx::query($sql)$(.bind($bind))*.execute(p).await.map(|r| r.rows_affected()),
            ::elkarlan_store::Store::Postgres(p) => ::sqlx::query($sql)$(.bind($bind))*.execute(p).await.map(|r| r.rows_affected()),
        }
    };
}

/// Fetches the first column of every row as `$t`; evaluates to `Result<Vec<$t>, sqlx::Error>`.
macro_rules! raw_column {
    ($store:expr, $t:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $store {
            ::elkarlan_store::Store::Sqlite(p) => ::sqlx::query($sql)$(.bind($bind))*.fetch_all(p).await
                .and_then(|rows| rows.iter().map(|r| ::sqlx::Row::try_get::<$t, _>(r, 0)).collect::<Result<Vec<$t>, _>>()),
            ::elkarlan_store::Store::Postgres(p) => ::sqlx::query($sql)$(.bind($bind))*.fetch_all(p).await
                .and_then(|rows| rows.iter().map(|r| ::sqlx::Row::try_get::<$t, _>(r, 0)).collect::<Result<Vec<$t>, _>>()),
        }
    };
}

/// One fresh database under test.
pub struct TestDb {
    /// `sqlite` or `postgres`, for assertion messages.
    pub name: &'static str,
    pub store: Store,
    /// The URL the store was opened with, to open further handles on the same database.
    pub url: String,
    _guard: Guard,
}

impl TestDb {
    pub fn is_sqlite(&self) -> bool {
        matches!(self.store, Store::Sqlite(_))
    }

    /// Another, independent handle (its own pool) on the same database, like a second server.
    pub async fn open_again(&self) -> Store {
        Store::open(&self.url).await.expect("second handle")
    }

    /// Closes the store; the database is removed when `self` is dropped.
    pub async fn finish(self) {
        self.store.close().await;
    }
}

/// Removes the database when dropped, so a failing test does not leave it behind.
enum Guard {
    Sqlite(PathBuf),
    Postgres { admin_url: String, database: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Guard::Postgres {
                admin_url,
                database,
            } => {
                // Drop runs outside any async context we could await in (possibly while
                // unwinding), so the drop gets its own thread and runtime.
                let (url, db) = (admin_url.clone(), database.clone());
                let done = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    rt.block_on(async {
                        let mut c = PgConnection::connect(&url).await?;
                        sqlx::query(AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"
                        )))
                        .execute(&mut c)
                        .await?;
                        c.close().await
                    })
                    .map_err(|e| e.to_string())
                })
                .join();
                if let Ok(Err(e)) = done {
                    eprintln!("could not drop test database {database}: {e}");
                }
            }
        }
    }
}

fn unique() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// `base` with its database name replaced by `database` (query string kept).
fn with_database(base: &str, database: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let authority_start = main.find("://").map_or(0, |i| i + 3);
    let authority_end = main[authority_start..]
        .find('/')
        .map_or(main.len(), |i| authority_start + i);
    let mut url = format!("{}/{database}", &main[..authority_end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("elkarlan-store-conformance-{}.db", unique()));
    let url = format!("sqlite://{}", path.display());
    let guard = Guard::Sqlite(path);
    let store = Store::open(&url).await.expect("open sqlite");
    TestDb {
        name: "sqlite",
        store,
        url,
        _guard: guard,
    }
}

async fn postgres(admin_url: &str) -> TestDb {
    // The tail of a UUIDv7 is random; the head is the timestamp, shared by tests started together.
    let database = format!("elk_{}", &unique()[16..]);
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("TEST_DATABASE_URL is reachable");
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{database}\"")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.expect("close admin connection");
    let guard = Guard::Postgres {
        admin_url: admin_url.to_owned(),
        database: database.clone(),
    };
    let url = with_database(admin_url, &database);
    let store = Store::open(&url).await.expect("open postgres");
    TestDb {
        name: "postgres",
        store,
        url,
        _guard: guard,
    }
}

/// Fresh, unmigrated databases: SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && !url.trim().is_empty()
    {
        v.push(postgres(url.trim()).await);
    }
    v
}

/// Fresh databases with every migration applied.
pub async fn migrated() -> Vec<TestDb> {
    let all: Vec<i64> = migrate::MIGRATIONS.iter().map(|m| m.version).collect();
    let dbs = backends().await;
    for db in &dbs {
        let applied = migrate::run(&db.store).await.expect("migrate");
        assert_eq!(
            applied, all,
            "{}: a fresh database applies every migration",
            db.name
        );
    }
    dbs
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "elk_1"),
        "postgres://postgres@127.0.0.1:5432/elk_1"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/db?sslmode=disable", "x"),
        "postgresql://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
