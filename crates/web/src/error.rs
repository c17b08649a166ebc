//! Errors: services return [`ServiceError`]; the HTML adapter renders it as a translated page,
//! the API adapter as `application/problem+json` (RFC 9457). Internal details are logged with a
//! reference and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::policy::Denied;
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_store::StoreError;
use serde::Serialize;

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

/// One per-field entry of a problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field, as a JSON pointer-like dotted path (`email`, `roles.0`).
    pub field: String,
    /// A stable machine code (the message key).
    pub code: String,
    /// The message in the requested language.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(lang: Lang, status: StatusCode, key: &'static str) -> Self {
        Self {
            kind: format!("/api/docs#{key}"),
            title: elkarlan_templates::t(lang, key),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_fields(mut self, lang: Lang, errors: &FieldErrors) -> Self {
        self.errors = errors
            .0
            .iter()
            .map(|e| ProblemField {
                field: e.field.clone(),
                code: e.key.to_owned(),
                message: elkarlan_templates::t(lang, e.key),
            })
            .collect();
        self
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// The problem for a service error, in `lang`.
    pub fn from_service(lang: Lang, e: ServiceError) -> Self {
        if let Some(s) = e.unavailable() {
            return Problem::from_store(lang, s);
        }
        match e {
            ServiceError::Invalid(f) => {
                Problem::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "problem-validation")
                    .with_fields(lang, &f)
            }
            ServiceError::Forbidden(d) if d.conceal => {
                Problem::new(lang, StatusCode::NOT_FOUND, "problem-not-found")
            }
            ServiceError::Forbidden(_) => {
                Problem::new(lang, StatusCode::FORBIDDEN, "problem-forbidden")
            }
            ServiceError::NotFound => {
                Problem::new(lang, StatusCode::NOT_FOUND, "problem-not-found")
            }
            ServiceError::Conflict { field, key } => {
                let mut f = FieldErrors::new();
                f.add(field, key);
                Problem::new(lang, StatusCode::CONFLICT, "problem-conflict").with_fields(lang, &f)
            }
            ServiceError::PreconditionRequired => Problem::new(
                lang,
                StatusCode::PRECONDITION_REQUIRED,
                "problem-precondition-required",
            ),
            ServiceError::Stale => {
                Problem::new(lang, StatusCode::PRECONDITION_FAILED, "problem-stale")
            }
            ServiceError::Busy => {
                let mut p = Problem::new(
                    lang,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "problem-imports-busy",
                );
                p.retry_after = Some(IMPORTS_RETRY_AFTER);
                p
            }
            ServiceError::Store(s) => Problem::from_store(lang, &s),
            ServiceError::Internal(e) => {
                let r = log_internal(&e);
                Problem::new(lang, StatusCode::INTERNAL_SERVER_ERROR, "problem-internal")
                    .detail(format!("reference {r}"))
            }
        }
    }

    pub fn from_store(lang: Lang, e: &StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "database unavailable");
                let mut p =
                    Problem::new(lang, StatusCode::SERVICE_UNAVAILABLE, "problem-unavailable");
                p.retry_after = Some(5);
                p
            }
            StoreError::Storage(_) => {
                tracing::error!(error = %e, "the database cannot store more (disk full or read-only)");
                let mut p = Problem::new(
                    lang,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "problem-storage-full",
                );
                p.retry_after = Some(STORAGE_RETRY_AFTER);
                p
            }
            StoreError::Conflict(_) => Problem::new(lang, StatusCode::CONFLICT, "problem-conflict"),
            StoreError::Stale => {
                Problem::new(lang, StatusCode::PRECONDITION_FAILED, "problem-stale")
            }
            StoreError::NotFound => Problem::new(lang, StatusCode::NOT_FOUND, "problem-not-found"),
            other => {
                let r = log_internal(other);
                Problem::new(lang, StatusCode::INTERNAL_SERVER_ERROR, "problem-internal")
                    .detail(format!("reference {r}"))
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_is_a_503_that_says_so_in_each_language() {
        let full = StoreError::Storage("database or disk is full".into());
        let mut titles = Vec::new();
        for lang in [Lang::Eu, Lang::Es, Lang::En] {
            let p = Problem::from_store(lang, &full);
            assert_eq!(p.status, 503);
            assert_eq!(p.kind, "/api/docs#problem-storage-full");
            assert_eq!(p.retry_after, Some(STORAGE_RETRY_AFTER));
            assert_ne!(p.title, "problem-storage-full", "{lang:?} has the message");
            titles.push(p.title);
        }
        titles.dedup();
        assert_eq!(titles.len(), 3, "three translations: {titles:?}");
        // An unreachable database keeps its own message and shorter wait.
        let down = Problem::from_store(Lang::En, &StoreError::Unavailable("refused".into()));
        assert_eq!(down.kind, "/api/docs#problem-unavailable");
        assert_eq!(down.retry_after, Some(5));
    }
}
