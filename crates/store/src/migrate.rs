//! Embedded migrations, one folder per dialect with identical versions. Applied in order, each in
//! its own transaction, recorded in `schema_migrations` with a checksum so an edited migration is
//! caught instead of silently skipped.

use crate::{Result, Store, StoreError};
use sqlx::Row;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migrations {
    ($(($v:literal, $name:literal)),* $(,)?) => {
        pub const MIGRATIONS: &[Migration] = &[$(Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }),*];
    };
}

migrations![
    (1, "0001_foundation"),
    (2, "0002_inclusion"),
    (3, "0003_casework"),
    (4, "0004_retention_instruments"),
    (5, "0005_employment"),
    (6, "0006_ecosystem"),
    (7, "0007_portfolio"),
    (8, "0008_indicator_results"),
    (9, "0009_break_glass_approval"),
    (10, "0010_join_requests"),
    (11, "0011_sign_in_counters"),
    (12, "0012_subject_access_requests"),
    (13, "0013_enrolment_links"),
];

fn checksum(sql: &str) -> String {
    hex::encode(crate::sha256(sql.as_bytes()))
}

/// Applies every pending migration, all in one transaction. Safe to run from several servers at
/// once: on PostgreSQL a transaction-scoped advisory lock is taken before anything, including the
/// bookkeeping table, is created; on SQLite the write transaction serialises them.
pub async fn run(store: &Store) -> Result<Vec<i64>> {
    const CREATE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
        version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";
    let mut tx = store.begin_write().await?;
    if tx.is_postgres() {
        crate::on_tx!(&mut tx, c => sqlx::query("SELECT pg_advisory_xact_lock(7206100001)").execute(c).await.map(|r| r.rows_affected()))?;
    }
    crate::on_tx!(&mut tx, c => sqlx::query(CREATE).execute(c).await.map(|r| r.rows_affected()))?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let sql = if tx.is_postgres() {
            m.postgres
        } else {
            m.sqlite
        };
        let existing = crate::on_tx!(&mut tx, c => sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version).fetch_optional(c).await?.map(|r| r.get::<String, _>(0)));
        match existing {
            Some(sum) if sum == checksum(sql) => continue,
            Some(_) => {
                return Err(StoreError::Corrupt {
                    what: format!("migration ({}), edited after it was applied", m.name),
                    id: m.version.to_string(),
                });
            }
            None => {}
        }
        crate::on_tx!(&mut tx, c => sqlx::raw_sql(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        crate::on_tx!(&mut tx, c => sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version).bind(m.name).bind(checksum(sql)).bind(elkarlan_domain::Timestamp::now().micros())
            .execute(c).await.map(|r| r.rows_affected()))?;
        applied.push(m.version);
    }
    tx.commit().await?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_both_dialects_exist() {
        let mut last = 0;
        for m in MIGRATIONS {
            assert!(m.version > last, "versions must increase");
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
            assert!(!m.sqlite.trim().is_empty() && !m.postgres.trim().is_empty());
            last = m.version;
        }
    }

    #[test]
    fn both_dialects_create_the_same_tables() {
        fn tables(sql: &str) -> Vec<String> {
            let mut t: Vec<String> = sql
                .lines()
                .filter_map(|l| l.trim().strip_prefix("CREATE TABLE "))
                .map(|rest| rest.split([' ', '(']).next().unwrap_or("").to_owned())
                .collect();
            t.sort();
            t
        }
        for m in MIGRATIONS {
            assert_eq!(tables(m.sqlite), tables(m.postgres), "migration {}", m.name);
        }
    }
}
