//! Optimistic concurrency on the API, one way for every resource: a read answers
//! `ETag: "v<version>"`, an update sends it back in `If-Match`. A missing `If-Match` is left to
//! the service, which answers 428 only after it has authorized the caller (a refused caller
//! learns only that it is refused); a malformed tag matches no version, so it is stale (412).
//! Update handlers take [`IfMatch`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

/// The `ETag` of a record at `version`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).unwrap_or(HeaderValue::from_static("\"v0\""))
}

/// The version an update was read at, from `If-Match: "v<n>"` (weak or strong); `None` when the
/// header is absent, `Some(-1)` (no record's version) when it is malformed.
pub fn if_match(headers: &HeaderMap) -> Option<i64> {
    let v = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())?;
    let tag = v.trim().trim_start_matches("W/").trim_matches('"');
    Some(
        tag.strip_prefix('v')
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(-1),
    )
}

/// The `If-Match` of an update, read by [`if_match`]; never rejects.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch(if_match(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn an_etag_read_back_is_its_version() {
        for v in [0, 1, 42, i64::MAX] {
            let mut h = HeaderMap::new();
            h.insert(header::IF_MATCH, etag(v));
            assert_eq!(if_match(&h), Some(v));
        }
        assert_eq!(if_match(&with("W/\"v7\"")), Some(7));
    }

    #[test]
    fn absent_is_none_and_malformed_matches_no_version() {
        assert_eq!(if_match(&HeaderMap::new()), None);
        for bad in ["\"7\"", "*", "\"vx\"", ""] {
            assert_eq!(if_match(&with(bad)), Some(-1), "{bad}");
        }
    }
}
