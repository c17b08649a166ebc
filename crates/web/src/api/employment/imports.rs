//! The referral list import and its row-by-row report.

use crate::AppState;
use crate::api::{AfterBody, ApiCaller, ApiError, ApiPath, OrProblem, json};
use crate::error::Problem;
use crate::services::employment::{self as svc};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ProgrammeId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// The file's name, kept with the import for the record.
    #[serde(default)]
    pub file_name: String,
    /// Import the valid rows and report the others, instead of importing nothing.
    #[serde(default)]
    pub skip_invalid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RowReportDto {
    pub row: usize,
    pub reference: Option<String>,
    /// created, created_possible_duplicate (a record with the same name and birth date exists;
    /// a row without a document never links to one), matched, awaiting_team (the person's case
    /// lead was asked to add the importer to the team) or already_imported; absent when the row
    /// was not imported.
    pub outcome: Option<String>,
    /// The person, when the importer works on their case (absent for `awaiting_team`).
    pub person: Option<Uuid>,
    /// Per-field errors: `field` is the column's canonical name.
    pub errors: Vec<FieldErrorDto>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    /// False when nothing was written.
    pub imported: bool,
    pub total: usize,
    pub invalid: usize,
    pub created: usize,
    pub matched: usize,
    pub already_imported: usize,
    /// Rows whose person's case lead was asked to take the importer onto the team (counted in
    /// `matched`).
    pub awaiting_team: usize,
    /// Rows registered anew although a record with the same name and birth date exists
    /// (counted in `created`).
    pub possible_duplicates: usize,
    pub rows: Vec<RowReportDto>,
}

/// Imports a referral list from the employment service's office (CSV or XLSX, sent as the raw
/// body). All or nothing: with any invalid row nothing is written and the report (422) lists
/// every row's errors, unless `skip_invalid=true`. References already imported to the
/// programme are skipped, so sending the same list again adds nothing.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/referral-imports", tag = "employment", summary = "Import a referral list", security(("bearer" = [])),
    params(("id" = Uuid, Path), ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The CSV or XLSX file"),
    responses((status = 200, body = ImportReportDto), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "Nothing imported: the row-by-row report, or a problem when the file itself cannot be read", content((ImportReportDto = "application/json"), (Problem = "application/problem+json"))),
        (status = 503, description = "As many imports as allowed are running; retry after the seconds in `Retry-After`", body = Problem)))]
pub async fn import_referrals(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: AfterBody<ApiPath<ProgrammeId>>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let ApiPath(id) = path.get()?;
    let name = if q.file_name.trim().is_empty() {
        "referrals"
    } else {
        q.file_name.trim()
    };
    let r = svc::import_referrals(
        &state,
        &caller.actor,
        &caller.meta,
        id,
        name,
        &body,
        q.skip_invalid,
    )
    .await
    .or_problem(caller.lang)?;
    let lang = caller.lang;
    let dto = ImportReportDto {
        imported: r.imported,
        total: r.total,
        invalid: r.invalid,
        created: r.created,
        matched: r.matched,
        already_imported: r.already_imported,
        awaiting_team: r.awaiting_team,
        possible_duplicates: r.possible_duplicates,
        rows: r
            .rows
            .iter()
            .map(|row| RowReportDto {
                row: row.row,
                reference: row.reference.clone(),
                outcome: row.outcome.map(|o| {
                    serde_json::to_value(o)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                }),
                person: row.person.map(|p| p.0),
                errors: row
                    .errors
                    .0
                    .iter()
                    .map(|e| FieldErrorDto {
                        field: e.field.clone(),
                        code: e.key.to_owned(),
                        message: elkarlan_templates::i18n::t(lang, e.key),
                    })
                    .collect(),
            })
            .collect(),
    };
    let status = if r.imported {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(json(status, &dto))
}
