//! Path ids on the API: [`ApiPath`] (one segment) and [`ApiPath2`] (two) parse the segments
//! into their id types and answer the translated 404 when one is no id, in the caller's
//! language (the one [`super::ApiCaller`] settled on, else the request's `Accept-Language`).
//!
//! Order of checks, as the API has always had it: put the path after the caller (a bad id
//! without a token is 401) and after `Query`. A handler with a JSON body takes
//! `AfterBody<ApiPath<T>>` and asks for the ids with `.get()?` once the body is read, so a bad
//! body still answers 400/413/415/422 before a bad id's 404.

use super::api_lang;
use super::error::{ApiError, not_found};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use elkarlan_domain::Lang;
use std::str::FromStr;

/// The language [`super::ApiCaller`] answers in, left in the request for the extractors after it.
#[derive(Clone, Copy)]
pub(super) struct CallerLang(pub Lang);

fn lang(parts: &Parts) -> Lang {
    parts
        .extensions
        .get::<CallerLang>()
        .map_or_else(|| api_lang(&parts.headers), |l| l.0)
}

/// One path segment parsed as `T` (404 when it does not parse).
pub struct ApiPath<T>(pub T);

/// Two path segments parsed as `A` and `B` (404 when either does not parse).
pub struct ApiPath2<A, B>(pub A, pub B);

/// The segments decoded (a bad percent-encoding is axum's 400, as with `Path`); the ids parsed
/// in an inner result, so [`AfterBody`] can answer their 404 later.
async fn one<T: FromStr, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Result<ApiPath<T>, ApiError>, ApiError> {
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(|rej| ApiError::response(rej.into_response()))?;
    Ok(raw.parse().map(ApiPath).map_err(|_| not_found(lang(parts))))
}

async fn two<A: FromStr, B: FromStr, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Result<ApiPath2<A, B>, ApiError>, ApiError> {
    let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
        .await
        .map_err(|rej| ApiError::response(rej.into_response()))?;
    Ok(match (a.parse(), b.parse()) {
        (Ok(a), Ok(b)) => Ok(ApiPath2(a, b)),
        _ => Err(not_found(lang(parts))),
    })
}

impl<T: FromStr, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        one(parts, state).await?
    }
}

impl<A: FromStr, B: FromStr, S: Send + Sync> FromRequestParts<S> for ApiPath2<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        two(parts, state).await?
    }
}

/// A path whose ids are checked after the body: `.get()?` where the handler used to parse them.
pub struct AfterBody<P>(Result<P, ApiError>);

impl<P> AfterBody<P> {
    /// The ids, or the 404 for a segment that is no id.
    pub fn get(self) -> Result<P, ApiError> {
        self.0
    }
}

impl<T: FromStr, S: Send + Sync> FromRequestParts<S> for AfterBody<ApiPath<T>> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        one(parts, state).await.map(AfterBody)
    }
}

impl<A: FromStr, B: FromStr, S: Send + Sync> FromRequestParts<S> for AfterBody<ApiPath2<A, B>> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        two(parts, state).await.map(AfterBody)
    }
}
