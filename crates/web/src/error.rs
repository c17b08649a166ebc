//! Errors as answers: services return [`ServiceError`]; the HTML adapter renders it as a
//! translated page, the API adapter as `application/problem+json` (RFC 9457). Internal details
//! are logged with a reference and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::{FieldErrors, Lang};
pub use elkarlan_service::error::{
    IMPORTS_RETRY_AFTER, STORAGE_RETRY_AFTER, ServiceError, StoreError, log_internal, reference,
};
use serde::Serialize;

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
