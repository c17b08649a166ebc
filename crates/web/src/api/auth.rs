//! `POST /api/v1/auth/token` and `DELETE /api/v1/auth/token`.

use super::{ApiCaller, ApiJson, ApiLang, json, problem, unauthenticated};
use crate::AppState;
use crate::error::Problem;
use crate::extract::{request_meta, tenant_for};
use crate::routes::RouteBook;
use crate::services::signin::{self, SecondFactor, Verified};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use elkarlan_domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("POST", "/api/v1/auth/token", post(issue)).add(
        "DELETE",
        "/api/v1/auth/token",
        delete(revoke),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// The current 6-digit code (or a recovery code) when the account has a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Exchanges credentials for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", summary = "Get a bearer token", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    headers: HeaderMap,
    req: axum::extract::Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let meta = request_meta(&parts, &state.config);
    let req = axum::extract::Request::from_parts(parts, body);
    let body: ApiJson<TokenRequest> = match <ApiJson<TokenRequest> as axum::extract::FromRequest<
        AppState,
    >>::from_request(req, &state)
    .await
    {
        Ok(b) => b,
        Err(r) => return r,
    };
    let input = body.value;
    let mut errors = FieldErrors::new();
    if input.username.trim().is_empty() {
        errors.add("username", "error-username-required");
    }
    if input.password.is_empty() {
        errors.add("password", "error-password-required");
    }
    if !errors.is_empty() {
        return Problem::new(lang, StatusCode::UNPROCESSABLE_ENTITY, "problem-validation")
            .with_fields(lang, &errors)
            .into_response();
    }
    let tenant = match tenant_for(&state, &headers).await {
        Ok(Some(t)) => t,
        Ok(None) => return unauthenticated(lang),
        Err(e) => return Problem::from_store(lang, &e).into_response(),
    };
    let verified =
        match signin::verify(&state, tenant, &input.username, &input.password, &meta).await {
            Ok(v) => v,
            Err(e) => return problem(lang, e),
        };
    let Verified::Yes {
        user,
        second_factor,
        totp_secret,
    } = verified
    else {
        return unauthenticated(lang);
    };
    match second_factor {
        SecondFactor::NotNeeded => {}
        SecondFactor::Enrol => return unauthenticated(lang),
        SecondFactor::Ask => {
            let code = input.totp.unwrap_or_default();
            match signin::check_second_factor(&state, &user, totp_secret.as_deref(), &code, &meta)
                .await
            {
                Ok(true) => {}
                Ok(false) => return unauthenticated(lang),
                Err(e) => return problem(lang, e),
            }
        }
    }
    let token = crate::auth::new_token();
    match crate::services::sessions::issue_token(
        &state,
        &user,
        &crate::auth::token_hash(&token),
        &meta,
    )
    .await
    {
        Ok(_) => json(
            StatusCode::OK,
            &TokenResponse {
                access_token: token,
                token_type: "Bearer",
                expires_in: crate::services::sessions::TOKEN_SECONDS,
            },
        ),
        Err(e) => Problem::from_store(lang, &e).into_response(),
    }
}

/// Revokes the token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", summary = "Revoke this bearer token", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn revoke(State(state): State<AppState>, caller: ApiCaller) -> Response {
    match crate::services::sessions::revoke_token(
        &state,
        &caller.token_hash,
        &caller.user,
        &caller.meta,
    )
    .await
    {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => Problem::from_store(caller.lang, &e).into_response(),
    }
}
