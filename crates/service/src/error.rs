//! What a service call can fail with. The adapters turn it into their own answers: the HTML
//! adapter a translated page, the API adapter an `application/problem+json` document. Internal
//! details are logged with a reference and never shown.

use elkarlan_domain::FieldErrors;
use elkarlan_domain::policy::Denied;
pub use elkarlan_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("forbidden")]
    Forbidden(Denied),
    #[error("not found")]
    NotFound,
    /// A unique value is taken; `field` names the form field, `key` the message.
    #[error("conflict on {field}")]
    Conflict {
        field: &'static str,
        key: &'static str,
    },
    #[error("stale")]
    Stale,
    /// An update without `If-Match`: answered after authorization, so a refused caller still
    /// learns only that it is refused.
    #[error("precondition required")]
    PreconditionRequired,
    /// As many imports as allowed are running; the client may retry shortly.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Seconds a client is asked to wait when the imports are all taken: about what a large list
/// takes to import.
pub const IMPORTS_RETRY_AFTER: u32 = 30;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Stale => ServiceError::Stale,
            other => ServiceError::Store(other),
        }
    }
}

impl From<Denied> for ServiceError {
    fn from(d: Denied) -> Self {
        ServiceError::Forbidden(d)
    }
}

impl ServiceError {
    /// The database failure behind this error, when the database is unreachable or full: such
    /// an error is answered 503 with `Retry-After` even when a service wrapped it as internal
    /// (through `anyhow`), so an outage never shows as a 500.
    pub fn unavailable(&self) -> Option<&StoreError> {
        match self {
            ServiceError::Store(s @ (StoreError::Unavailable(_) | StoreError::Storage(_))) => {
                Some(s)
            }
            ServiceError::Internal(e) => e.chain().find_map(|c| {
                c.downcast_ref::<StoreError>()
                    .filter(|s| matches!(s, StoreError::Unavailable(_) | StoreError::Storage(_)))
            }),
            _ => None,
        }
    }
}

/// Seconds a client is asked to wait when the database cannot store more (a full disk): an
/// operator has to free space, which takes longer than a restart.
pub const STORAGE_RETRY_AFTER: u32 = 60;

/// A short reference shown to the user and written to the log, to find the details.
pub fn reference() -> String {
    uuid::Uuid::now_v7().simple().to_string()[20..].to_owned()
}

/// Logs an unexpected error and returns its reference.
pub fn log_internal(e: &dyn std::fmt::Display) -> String {
    let r = reference();
    tracing::error!(reference = %r, error = %e, "internal error");
    r
}
