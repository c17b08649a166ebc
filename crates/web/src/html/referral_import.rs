//! The referral list import page (multipart upload, then the row-by-row report) and the list
//! of referrals received for a programme.

use super::HtmlError;
use super::form::parse_path;
use crate::AppState;
use crate::error::ServiceError;
use crate::html::form::CsrfUpload;
use crate::html::{Ctx, SignedIn, render};
use crate::routes::RouteBook;
use crate::services::employment as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::employment::referral_row::COLUMNS;
use elkarlan_domain::{Lang, ProgrammeId};
use elkarlan_service::models::referral_imports::RowOutcome;
use elkarlan_templates::ShownError;
use elkarlan_templates::i18n::{t, t_args};
use elkarlan_templates::referral_import::{
    ImportReportView, ImportRowView, ReceivedRow, ReferralImportPage, ReferralsReceivedPage,
};

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/programmes/{id}/import", get(import_page))
        .add(
            "POST",
            "/programmes/{id}/import",
            post(import_submit).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::employment::IMPORT_LIMIT,
            )),
        )
        .add("GET", "/programmes/{id}/referrals", get(received_page))
}

/// A column's name as offices write it, in `lang`.
fn column_name(lang: Lang, name: &str) -> String {
    t(lang, &format!("import-col-{}", name.replace('_', "-")))
}

fn columns(lang: Lang) -> Vec<(String, String, String)> {
    COLUMNS
        .iter()
        .map(|c| {
            let req = t(
                lang,
                if c.required {
                    "import-required"
                } else {
                    "import-optional"
                },
            );
            (
                column_name(Lang::Es, c.name),
                column_name(Lang::Eu, c.name),
                req,
            )
        })
        .collect()
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    id: ProgrammeId,
    errors: Vec<ShownError>,
    skip_invalid: bool,
    report: Option<ImportReportView>,
) -> Result<ReferralImportPage, HtmlError> {
    svc::authorize_import(state, actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))?;
    let detail = svc::programme(state, actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))?;
    let mut page_ctx = ctx.page();
    page_ctx.errors = errors;
    Ok(ReferralImportPage {
        ctx: page_ctx,
        title: t(ctx.lang, "import-title"),
        caption: detail.programme.name(ctx.lang).to_owned(),
        back: format!("/programmes/{id}"),
        action: format!("/programmes/{id}/import"),
        columns: columns(ctx.lang),
        skip_invalid,
        report,
        received_link: format!("/programmes/{id}/referrals"),
    })
}

async fn import_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let p = page(&state, &ctx, &actor, id, Vec::new(), false, None).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

fn report_view(lang: Lang, r: &svc::ImportReport) -> ImportReportView {
    let n = |v: usize| v.to_string();
    let summary = if r.imported {
        t_args(
            lang,
            "import-done-summary",
            &[
                ("created", &n(r.created)),
                ("matched", &n(r.matched)),
                ("already", &n(r.already_imported)),
                ("invalid", &n(r.invalid)),
            ],
        )
    } else {
        t_args(
            lang,
            "import-refused-summary",
            &[("invalid", &n(r.invalid)), ("total", &n(r.total))],
        )
    };
    let column = |field: &str| {
        if COLUMNS.iter().any(|c| c.name == field) {
            column_name(lang, field)
        } else {
            field.to_owned()
        }
    };
    ImportReportView {
        imported: r.imported,
        summary,
        rows: r
            .rows
            .iter()
            .map(|row| ImportRowView {
                row: row.row.to_string(),
                reference: row.reference.clone().unwrap_or_default(),
                result: t(
                    lang,
                    match row.outcome {
                        Some(RowOutcome::Created) => "import-row-created",
                        Some(RowOutcome::Matched) => "import-row-matched",
                        Some(RowOutcome::CreatedPossibleDuplicate) => {
                            "import-row-possible-duplicate"
                        }
                        Some(RowOutcome::AwaitingTeam) => "import-row-awaiting-team",
                        Some(RowOutcome::AlreadyImported) => "import-row-already",
                        None if row.errors.is_empty() => "import-row-not-imported",
                        None => "import-row-invalid",
                    },
                ),
                problems: row
                    .errors
                    .0
                    .iter()
                    .map(|e| format!("{}: {}", column(&e.field), t(lang, e.key)))
                    .collect(),
                link: row.person.map(|p| format!("/people/{p}/employment")),
            })
            .collect(),
    }
}

async fn import_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    upload: CsrfUpload,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    // Who may import is decided before the body is read.
    page(&state, &ctx, &actor, id, Vec::new(), false, None).await?;
    let up = upload.read().await?;
    let skip_invalid = up.fields.get("skip_invalid") == "yes";
    if up.bytes.is_empty() {
        let e = vec![ShownError {
            field: "file".into(),
            message: t(ctx.lang, "import-error-no-file"),
        }];
        let p = page(&state, &ctx, &actor, id, e, skip_invalid, None).await?;
        return Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    match svc::import_referrals(
        &state,
        &actor,
        &ctx.meta,
        id,
        up.file_name.as_deref().unwrap_or("referrals"),
        &up.bytes,
        skip_invalid,
    )
    .await
    {
        Ok(report) => {
            let status = if report.imported {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let view = report_view(ctx.lang, &report);
            let p = page(
                &state,
                &ctx,
                &actor,
                id,
                Vec::new(),
                skip_invalid,
                Some(view),
            )
            .await?;
            Ok(render(&ctx, &state, status, &p))
        }
        Err(ServiceError::Invalid(errors)) => {
            // A file that cannot be read, or a sheet without the needed columns: the message
            // goes on the file field, naming the column where there is one.
            let e = errors
                .0
                .iter()
                .map(|fe| ShownError {
                    field: "file".into(),
                    message: if fe.field == "file" {
                        t(ctx.lang, fe.key)
                    } else {
                        format!(
                            "{}: {}",
                            column_name(ctx.lang, &fe.field),
                            t(ctx.lang, fe.key)
                        )
                    },
                })
                .collect();
            let p = page(&state, &ctx, &actor, id, e, skip_invalid, None).await?;
            Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(other) => Err(HtmlError::from_service(&ctx, other)),
    }
}

async fn received_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let list = svc::received_referrals(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let detail = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let lang = ctx.lang;
    let p = ReferralsReceivedPage {
        ctx: ctx.page(),
        title: t(lang, "received-title"),
        caption: detail.programme.name(lang).to_owned(),
        back: format!("/programmes/{id}"),
        import_link: format!("/programmes/{id}/import"),
        csv_link: format!("/exports/programmes/{id}/referrals/csv"),
        xlsx_link: format!("/exports/programmes/{id}/referrals/xlsx"),
        rows: list
            .iter()
            .map(|r| ReceivedRow {
                reference: r.reference.clone(),
                referred_on: r.referred_on.clone(),
                name: [
                    Some(r.given_name.as_str()),
                    Some(r.surname1.as_str()),
                    r.surname2.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                link: format!("/people/{}/employment", r.person_id),
                itinerary: t(
                    lang,
                    if r.itinerary.is_some() {
                        "export-yes"
                    } else {
                        "export-no"
                    },
                ),
            })
            .collect(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}
