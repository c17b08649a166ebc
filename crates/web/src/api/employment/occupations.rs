//! The ESCO occupation lookup.

use crate::api::{ApiCaller, json};
use crate::error::Problem;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::esco;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OccupationDto {
    pub code: String,
    pub uri: String,
    pub isco_group: String,
    pub label: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OccupationQuery {
    /// Words of the label (in the caller's language or English) or the start of the code.
    #[serde(default)]
    pub q: String,
}

/// Searches the bundled ESCO occupations (v1.1.1).
#[utoipa::path(get, path = "/api/v1/esco/occupations", tag = "employment", summary = "Search ESCO occupations", security(("bearer" = [])),
    params(OccupationQuery), responses((status = 200, body = Vec<OccupationDto>), (status = 401, body = Problem)))]
pub async fn search_occupations(caller: ApiCaller, Query(q): Query<OccupationQuery>) -> Response {
    let found = esco::search(&q.q, caller.lang, 50);
    json(
        StatusCode::OK,
        &found
            .iter()
            .map(|o| OccupationDto {
                code: o.code.to_owned(),
                uri: o.uri.to_owned(),
                isco_group: o.isco_group.to_owned(),
                label: o.label(caller.lang).to_owned(),
            })
            .collect::<Vec<_>>(),
    )
}
