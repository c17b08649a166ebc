//! Online backup. SQLite: `VACUUM INTO` writes a consistent copy while the server keeps serving.
//! PostgreSQL: use `pg_dump` (see README); Elkarlan does not reimplement it.

use crate::{Result, Store, StoreError};
use std::path::Path;

pub async fn sqlite_backup(store: &Store, dest: &Path) -> Result<()> {
    let Store::Sqlite(pool) = store else {
        return Err(StoreError::BadUrl(
            "backup of PostgreSQL is done with pg_dump (see README)".into(),
        ));
    };
    if dest.exists() {
        return Err(StoreError::Storage(format!(
            "{} already exists; choose a new file",
            dest.display()
        )));
    }
    let path = dest
        .to_str()
        .ok_or_else(|| StoreError::BadPath("the backup path is not valid UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

/// `PRAGMA integrity_check` on a SQLite database: "ok" or the problems found.
pub async fn sqlite_integrity(store: &Store) -> Result<String> {
    let Store::Sqlite(pool) = store else {
        return Ok("ok".into());
    };
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; "))
}

/// Opens a SQLite file read-only, as it is (no journal-mode change), to check a backup.
pub async fn open_sqlite_read_only(path: &Path) -> Result<Store> {
    if !path.exists() {
        return Err(StoreError::BadPath(format!(
            "{} does not exist",
            path.display()
        )));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    Ok(Store::Sqlite(pool))
}
