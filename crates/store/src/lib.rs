//! The only crate that knows SQL.
//!
//! [`Store`] wraps either an embedded SQLite pool or a PostgreSQL pool. SQL is written once with
//! `$N` placeholders (both drivers accept them) and run on whichever pool is open; where the
//! dialects differ, both statements sit side by side. Each module owns one aggregate. Every write
//! takes a policy [`Grant`](elkarlan_domain::policy::Grant) and appends its audit row inside the
//! same transaction.

pub mod agencies;
pub mod agreements;
pub mod audit;
pub mod backup;
pub mod cases;
pub mod casework;
pub mod commitments;
pub mod consents;
pub mod contracts;
pub mod enrolment_links;
pub mod error;
pub mod idempotency;
pub mod indicator_facts;
pub mod indicator_results;
pub mod instruments;
pub mod itineraries;
pub mod jobs;
pub mod migrate;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod pole;
pub mod programmes;
pub mod projects;
pub mod referral_imports;
pub mod referrals;
pub mod retention;
pub mod sessions;
pub mod subject_access;
pub mod synthetic_employment;
pub mod tenants;
pub mod territory;
pub mod throttle;
pub mod users;

pub use error::StoreError;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Runs the same body against whichever pool the store holds. The body is expanded once per
/// driver, so row decoding is checked for both.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match $store {
            $crate::Store::Sqlite($p) => $body,
            $crate::Store::Postgres($p) => $body,
        }
    };
}

/// Runs the same body inside whichever transaction is open; `$c` is the connection.
#[macro_export]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// The database: embedded SQLite by default, PostgreSQL for larger deployments.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open write transaction.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }
}

/// Which database a URL names, checked before anything connects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(
                "the database URL must start with sqlite: or postgres://".into(),
            ))
        }
    }
}

impl Store {
    /// Opens (and for SQLite creates) the database named by `url`. Does not migrate.
    pub async fn open(url: &str) -> Result<Store> {
        match Backend::of_url(url)? {
            Backend::Sqlite => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(e.to_string()))?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // NORMAL in WAL mode is durable against application crashes; only a power
                    // cut may lose the last transactions, never corrupt the file.
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("temp_store", "memory");
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let mut pool = SqlitePoolOptions::new()
                    .max_connections(if in_memory { 1 } else { 8 })
                    .min_connections(1)
                    .acquire_timeout(Duration::from_secs(10));
                if !in_memory {
                    pool = pool.after_release(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Connection;
                            // A statement or COMMIT that fails on a full disk (or an I/O error)
                            // may make SQLite roll the transaction back by itself; sqlx still
                            // counts it open and the ROLLBACK it sends on drop fails, so the
                            // connection would stay "in a transaction" and every later BEGIN on
                            // it would fail, even once there is room again. Let the queued
                            // rollback run, then close a connection still counted in one.
                            if conn.is_in_transaction() {
                                conn.ping().await?;
                            }
                            Ok(!conn.is_in_transaction())
                        })
                    });
                }
                let pool = pool.connect_with(opts).await?;
                Ok(Store::Sqlite(pool))
            }
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(e.to_string()))?
                    .application_name("elkarlan")
                    .options([("statement_timeout", "30s"), ("timezone", "UTC")]);
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(opts)
                    .await?;
                Ok(Store::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`)
    /// so a transaction that reads then writes never fails on a stale snapshot.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a write transaction for a bulk load (`elkarlan demo --people N`). On SQLite its
    /// connection also gets a 256 MiB page cache instead of the default 2 MiB: a batch adds
    /// rows all over the people search index, and with the small cache most of its pages are
    /// read back from the operating system. Memory only, durability is unchanged; the setting
    /// stays with that pooled connection until it closes.
    pub async fn begin_bulk_write(&self) -> Result<Tx> {
        let mut tx = self.begin_write().await?;
        if let Tx::Sqlite(t) = &mut tx {
            sqlx::query("PRAGMA cache_size = -262144")
                .execute(&mut **t)
                .await?;
        }
        Ok(tx)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await);
    }
}

/// Lowercase hex of a SHA-256 digest: how tokens are stored.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}
