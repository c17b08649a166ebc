// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `POST /api/v1/indicator-checks`: checks an indicator definition written as JSON (the
//! catalogue's format, docs/indicators.md) and answers every problem on the field that causes
//! it, before anyone adds it to a catalogue. It reads no record.

use super::{ApiCaller, ApiError, OrProblem, json};
use crate::AppState;
use crate::error::{Problem, ServiceError};
use crate::routes::RouteBook;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use elkarlan_domain::FieldErrors;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{DefinitionSpec, IndicatorDefinition};
use elkarlan_domain::policy::Action;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("POST", "/api/v1/indicator-checks", post(check_definition))
}

/// A definition that passed every check, as it would be read.
#[derive(Serialize, ToSchema)]
pub struct IndicatorCheckDto {
    pub code: String,
    /// count, percent, permille, ratio, days or euros.
    pub unit: String,
    pub numerator_source: String,
    pub denominator_source: Option<String>,
    /// The breakdowns it allows.
    pub disaggregations: Vec<String>,
    /// ordinary (threshold 5) or sensitive (threshold 10, zeros hidden).
    pub sensitivity: String,
    /// The bundled catalogue already has an indicator with this code.
    pub code_in_catalogue: bool,
}

fn dto(def: &IndicatorDefinition) -> IndicatorCheckDto {
    IndicatorCheckDto {
        code: def.code.clone(),
        unit: def.unit.code().to_owned(),
        numerator_source: def.numerator.source.code().to_owned(),
        denominator_source: def.denominator.as_ref().map(|d| d.source.code().to_owned()),
        disaggregations: def
            .disaggregations
            .iter()
            .map(|d| d.code().to_owned())
            .collect(),
        sensitivity: def.sensitivity.code().to_owned(),
        code_in_catalogue: catalogue::find(&def.code).is_some(),
    }
}

/// Checks an indicator definition (coordinators and analysts). A definition that does not parse
/// as the documented shape is one error on `definition`; otherwise every problem is listed on its
/// field path (`numerator.filters[0].value`, `denominator`, `targets[1].year`...).
#[utoipa::path(post, path = "/api/v1/indicator-checks", tag = "indicators", summary = "Check an indicator definition", security(("bearer" = [])),
    request_body(content = serde_json::Value, description = "An indicator definition, as in docs/indicators.md"),
    responses((status = 200, body = IndicatorCheckDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn check_definition(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Bytes,
) -> Result<Response, ApiError> {
    // Authorization before validation: a refused caller learns nothing about the definition.
    crate::services::authorize_tenant_wide(
        &state,
        &caller.actor,
        &caller.meta,
        Action::ViewPortfolio,
    )
    .await
    .or_problem(caller.lang)?;
    let def = serde_json::from_slice::<DefinitionSpec>(&body)
        .map_err(|_| {
            let mut e = FieldErrors::new();
            e.add("definition", "error-indicator-definition-format");
            e
        })
        .and_then(|spec| spec.validate())
        .map_err(ServiceError::Invalid)
        .or_problem(caller.lang)?;
    Ok(json(StatusCode::OK, &dto(&def)))
}
