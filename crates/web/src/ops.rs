//! Operations endpoints and static files.

use crate::AppState;
use crate::routes::RouteBook;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/healthz", get(healthz))
        .add("GET", "/readyz", get(readyz))
        .add("GET", "/metrics", get(metrics))
        .add("GET", "/static/{file}", get(static_file))
}

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if crate::services::operations::database_answers(&state).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        let mut res = (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        res
    }
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let jobs = crate::services::operations::job_counts(&state).await;
    let body = crate::metrics::render(
        &jobs,
        crate::services::operations::database_answers(&state).await,
    );
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    res
}

struct StaticFile {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const FILES: &[StaticFile] = &[
    StaticFile {
        name: "elkarlan.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../static/elkarlan.css"),
    },
    StaticFile {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/app.js"),
    },
    StaticFile {
        name: "govuk-frontend.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/govuk-frontend.min.js"),
    },
];

pub async fn static_file(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|f| f.name == file) {
        Some(f) => {
            let mut res = (StatusCode::OK, f.body).into_response();
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(f.mime));
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            res
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
