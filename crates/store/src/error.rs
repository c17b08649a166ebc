//! The store's one error type. The web layer maps it once: `Unavailable` to 503 with
//! Retry-After, `Conflict` to 409, `Stale` to 412, `NotFound` to 404, the rest to 500.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is taken (username, idempotency key, ...).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The record changed since it was read (optimistic concurrency).
    #[error("stale version")]
    Stale,
    /// The database cannot be reached or is not accepting work; try again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("bad database URL: {0}")]
    BadUrl(String),
    /// Stored data that does not parse back: a bug or tampering, never user input. `what`
    /// names the value, `id` the record holding it, so the log leads to the row.
    #[error("corrupt {what} in {id}")]
    Corrupt { what: String, id: String },
    #[error("disk full or read-only database: {0}")]
    Storage(String),
    /// A file path given by an operator cannot be used (exists, not UTF-8, ...).
    #[error("{0}")]
    BadPath(String),
    #[error(transparent)]
    Database(sqlx::Error),
}

/// A stored value that does not parse, carried through sqlx's decode error so that row readers
/// (which return `sqlx::Error`) can report it; `From<sqlx::Error>` turns it back into
/// `StoreError::Corrupt`.
#[derive(Debug, Error)]
#[error("corrupt {what} in {id}")]
pub(crate) struct CorruptValue {
    what: String,
    id: String,
}

/// Reports a stored value that fails to parse: logged here, with the record, because the
/// caller only sees an internal error; never replaced by a default, which would hide it.
pub(crate) fn corrupt(what: impl Into<String>, id: impl std::fmt::Display) -> sqlx::Error {
    let (what, id) = (what.into(), id.to_string());
    tracing::error!(what = %what, id = %id, "stored value does not parse");
    sqlx::Error::Decode(Box::new(CorruptValue { what, id }))
}

impl StoreError {
    /// The same as [`corrupt`], for code that returns `StoreError`.
    pub(crate) fn corrupt(what: impl Into<String>, id: impl std::fmt::Display) -> Self {
        corrupt(what, id).into()
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        if let sqlx::Error::Decode(inner) = &e
            && let Some(c) = inner.downcast_ref::<CorruptValue>()
        {
            return StoreError::Corrupt {
                what: c.what.clone(),
                id: c.id.clone(),
            };
        }
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            // The pool cannot hand out a connection, the connection broke (reset mid-query, the
            // server went away between two messages) or the SQLite worker thread is gone.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::BeginFailed => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) => {
                if db.kind() == ErrorKind::UniqueViolation {
                    return StoreError::Conflict("unique");
                }
                let code = db.code().unwrap_or_default();
                // SQLite: 13 FULL, 8 READONLY (and extended codes ending in them).
                // PostgreSQL: 53100 disk_full, 57P01..57P05 shutdown/cannot connect now, 08xxx
                // connection, 53300 too many connections, 40001/40P01 serialization failure and
                // deadlock (nothing was written: the client may retry).
                match code.as_ref() {
                    "13" | "8" | "1032" | "53100" => StoreError::Storage(db.message().to_owned()),
                    c if c.starts_with("57P")
                        || c.starts_with("08")
                        || c == "53300"
                        || c == "40001"
                        || c == "40P01" =>
                    {
                        StoreError::Unavailable(db.message().to_owned())
                    }
                    _ => StoreError::Database(e),
                }
            }
            _ => StoreError::Database(e),
        }
    }
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}
