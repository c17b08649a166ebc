//! The JSON API under `/api/v1`: bearer tokens, problem+json errors, cursor pagination,
//! `ETag`/`If-Match` on updates and `Idempotency-Key` on creates.

pub mod agreements;
pub mod auth;
pub mod casework;
pub mod conditional;
pub mod configuration;
pub mod ecosystem;
pub mod employment;
pub mod error;
pub mod inclusion;
pub mod indicator_definitions;
pub mod indicators;
pub mod openapi;
pub mod path;
pub mod procurement;
pub mod projects;
pub mod resources;
pub mod subject_access;

pub use error::{ApiError, OrProblem, not_found};
pub use path::{AfterBody, ApiPath, ApiPath2};

use crate::AppState;
use crate::error::{Problem, ServiceError};
use crate::extract::{request_meta, resolve_lang};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_service::models::audit::RequestMeta;
use elkarlan_service::models::users::User;
use serde::de::DeserializeOwned;

/// An API caller authenticated by a bearer token.
pub struct ApiCaller {
    pub user: User,
    pub actor: Actor,
    pub lang: Lang,
    pub meta: RequestMeta,
    pub token_hash: Vec<u8>,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty() && t.len() < 200)
}

/// 401 with the challenge header.
pub fn unauthenticated(lang: Lang) -> Response {
    let mut res =
        Problem::new(lang, StatusCode::UNAUTHORIZED, "problem-unauthenticated").into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"elkarlan\""),
    );
    res
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let lang = api_lang(&parts.headers);
        let Some(token) = bearer(&parts.headers) else {
            return Err(unauthenticated(lang));
        };
        let hash = crate::auth::token_hash(token);
        match crate::services::sessions::find_token(state, &hash).await {
            Ok(Some(user)) => {
                let lang = if parts.headers.contains_key(header::ACCEPT_LANGUAGE) {
                    lang
                } else {
                    user.preferred_lang.unwrap_or(Lang::En)
                };
                parts.extensions.insert(path::CallerLang(lang));
                Ok(ApiCaller {
                    actor: user.actor(),
                    lang,
                    user,
                    meta: request_meta(parts, &state.config),
                    token_hash: hash,
                })
            }
            Ok(None) => Err(unauthenticated(lang)),
            Err(e) => Err(Problem::from_store(lang, &e).into_response()),
        }
    }
}

/// API messages follow Accept-Language (default English for machines that send none).
pub fn api_lang(headers: &HeaderMap) -> Lang {
    if headers.contains_key(header::ACCEPT_LANGUAGE) {
        resolve_lang(headers, None)
    } else {
        Lang::En
    }
}

/// The language of an API request, for handlers without a caller.
pub struct ApiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ApiLang(api_lang(&parts.headers)))
    }
}

/// A JSON body parsed strictly: `application/json` only (415), within the body limit (413),
/// well-formed UTF-8 JSON (400), and the right shape with no unknown fields (422, naming the field).
pub struct ApiJson<T> {
    pub value: T,
    /// The raw body, for idempotency hashes.
    pub raw: Bytes,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = api_lang(req.headers());
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" && !mime.ends_with("+json") {
            return Err(Problem::new(
                lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "problem-unsupported-media",
            )
            .into_response());
        }
        let raw = Bytes::from_request(req, state).await.map_err(|rej| {
            let status = rej.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(lang, status, "problem-too-large").into_response()
            } else {
                Problem::new(lang, StatusCode::BAD_REQUEST, "problem-invalid-body").into_response()
            }
        })?;
        // Syntax first (400), then shape (422): a truncated document is malformed, whatever
        // its first value would have been.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&raw) {
            return Err(
                Problem::new(lang, StatusCode::BAD_REQUEST, "problem-invalid-body")
                    .detail(format!("line {}, column {}", e.line(), e.column()))
                    .into_response(),
            );
        }
        let de = &mut serde_json::Deserializer::from_slice(&raw);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(value) => Ok(ApiJson { value, raw }),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                if inner.is_data() {
                    let msg = inner.to_string();
                    let (field, key) = if let Some(rest) = msg.strip_prefix("unknown field `") {
                        let name = rest.split('`').next().unwrap_or("").to_owned();
                        // The path already ends with the unknown key.
                        (
                            if path == "." || path.is_empty() {
                                name
                            } else {
                                path
                            },
                            "error-field-unknown",
                        )
                    } else if let Some(rest) = msg.strip_prefix("missing field `") {
                        let name = rest.split('`').next().unwrap_or("").to_owned();
                        (
                            if path == "." || path.is_empty() {
                                name
                            } else {
                                format!("{path}.{name}")
                            },
                            "error-field-required",
                        )
                    } else {
                        (path, "error-field-type")
                    };
                    let mut f = FieldErrors::new();
                    f.add(&field, key);
                    Err(
                        Problem::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "problem-validation")
                            .with_fields(lang, &f)
                            .into_response(),
                    )
                } else {
                    Err(
                        Problem::new(lang, StatusCode::BAD_REQUEST, "problem-invalid-body")
                            .detail(format!("line {}, column {}", inner.line(), inner.column()))
                            .into_response(),
                    )
                }
            }
        }
    }
}

/// A service error as problem+json.
pub fn problem(lang: Lang, e: ServiceError) -> Response {
    Problem::from_service(lang, e).into_response()
}

/// JSON with a status.
pub fn json<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    let mut res = (status, serde_json::to_vec(body).unwrap_or_default()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Page of a list with an opaque cursor for the next page (absent on the last page).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}
