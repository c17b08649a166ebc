//! The API's failure answer, one way for every handler: [`ApiError`] is the problem+json
//! response a handler returns as `Err`, so handlers return `Result<Response, ApiError>` and a
//! service error becomes a problem in the caller's language with `.or_problem(caller.lang)?`.
//! [`not_found`] is the API's one translated 404.

use crate::error::{Problem, ServiceError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use elkarlan_domain::Lang;

/// A problem+json response (or an extractor's own rejection) answered instead of the result;
/// boxed, so a `Result` that carries it stays small.
pub struct ApiError(Box<Response>);

impl ApiError {
    /// Any response answered as the failure (an extractor's rejection, a replay).
    pub fn response(res: Response) -> Self {
        ApiError(Box::new(res))
    }

    /// A service error as problem+json in `lang` (with its headers, e.g. `Retry-After`).
    pub fn service(lang: Lang, e: ServiceError) -> Self {
        ApiError::response(Problem::from_service(lang, e).into_response())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::response(p.into_response())
    }
}

/// The API's 404: no such record, or a path id that is no id at all.
pub fn not_found(lang: Lang) -> ApiError {
    Problem::new(lang, StatusCode::NOT_FOUND, "problem-not-found").into()
}

/// Turns a service result into an API result in the caller's language.
pub trait OrProblem<T> {
    fn or_problem(self, lang: Lang) -> Result<T, ApiError>;
}

impl<T> OrProblem<T> for Result<T, ServiceError> {
    fn or_problem(self, lang: Lang) -> Result<T, ApiError> {
        self.map_err(|e| ApiError::service(lang, e))
    }
}
