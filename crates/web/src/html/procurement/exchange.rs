//! The OCDS import, and the exports (OCDS release package, CSV and XLSX).

use super::may_manage;
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::CsrfUpload;
use crate::html::form::service_err;
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::procurement::{self as svc, OcdsRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::ecosystem::ocds;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_templates::procurement::{Cell, ProcurementPage, Section};
use elkarlan_templates::{PageCtx, t};

fn import_view(
    ctx: &Ctx,
    page: PageCtx,
    problems: Vec<Vec<Cell>>,
    summary: String,
) -> ProcurementPage {
    let lang = ctx.lang;
    ProcurementPage {
        ctx: page,
        title: t(lang, "proc-import-title"),
        caption: t(lang, "proc-contracts-title"),
        back: "/contracts".into(),
        intro: t(lang, "proc-import-intro"),
        warnings: if summary.is_empty() {
            Vec::new()
        } else {
            vec![summary]
        },
        facts: Vec::new(),
        links: Vec::new(),
        filters: Vec::new(),
        filter_submit: String::new(),
        sections: if problems.is_empty() {
            Vec::new()
        } else {
            vec![Section {
                title: t(lang, "proc-import-problems"),
                id: "problems".into(),
                headers: vec![t(lang, "proc-import-where"), t(lang, "proc-import-problem")],
                rows: problems,
                empty: String::new(),
            }]
        },
        downloads: Vec::new(),
        upload: (
            "/contracts/import".into(),
            t(lang, "proc-import-file"),
            t(lang, "proc-import-submit"),
        ),
    }
}

pub(super) async fn import_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&state, &ctx, &actor).await?;
    let page = import_view(&ctx, ctx.page(), Vec::new(), String::new());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub(super) async fn import_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    upload: CsrfUpload,
) -> Result<Response, HtmlError> {
    // Who may import is decided before the body is read.
    may_manage(&state, &ctx, &actor).await?;
    let lang = ctx.lang;
    let bytes = upload.read().await?.bytes;
    match svc::import_ocds(&state, &actor, &ctx.meta, &bytes)
        .await
        .map_err(service_err(&ctx))?
    {
        Ok(r) => Ok(see_other(&format!(
            "/contracts?notice=contract-saved&imported={}",
            r.contracts
        ))),
        Err(OcdsRejection::Malformed(problems)) => {
            let rows = problems
                .iter()
                .map(|p| {
                    let message = match &p.detail {
                        Some(d) => format!("{} ({d})", t(lang, p.key)),
                        None => t(lang, p.key),
                    };
                    vec![Cell::text(p.path.clone()), Cell::text(message)]
                })
                .collect();
            let page = import_view(&ctx, ctx.page(), rows, t(lang, "proc-import-rejected"));
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
        Err(OcdsRejection::Rows(rows)) => {
            let rows = rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(format!("releases[{}] {}", r.record, r.ocid)),
                        Cell::text(r.message.clone()),
                    ]
                })
                .collect();
            let page = import_view(&ctx, ctx.page(), rows, t(lang, "proc-import-rejected"));
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

pub(super) async fn export_ocds(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let records = svc::export_records(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let doc = ocds::release_package(
        &records,
        chrono::Utc::now(),
        "/exports/contracts.ocds.json",
        &t(ctx.lang, "service-name"),
    );
    let body = serde_json::to_vec_pretty(&doc)
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"contracts-{}.ocds.json\"",
        svc::today()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub(super) async fn export_table(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(format): Path<String>,
) -> Result<Response, HtmlError> {
    if format != "csv" && format != "xlsx" {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    let list = svc::export_rows(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let lang = ctx.lang;
    let headers: Vec<String> = [
        "proc-ocid",
        "proc-col-file",
        "proc-col-title",
        "proc-contracting-body",
        "proc-cpv",
        "proc-category",
        "proc-procedure",
        "proc-col-status",
        "proc-col-amount",
        "proc-col-reservation",
        "proc-published-on",
        "proc-awarded-on",
        "proc-col-awardee",
        "proc-awarded-amount",
        "proc-col-lots",
        "proc-col-clauses",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.ocid.clone(),
                c.file_number.clone(),
                c.title.clone(),
                c.contracting_body.clone(),
                c.cpv.clone(),
                t(lang, &c.category.label_key()),
                t(lang, &c.procedure.label_key()),
                t(lang, &c.status.label_key()),
                format_euros(c.amount_cents),
                t(lang, &c.reservation.label_key()),
                opt(&c.published_on),
                opt(&c.awarded_on),
                opt(&c.awardee_name),
                c.awarded_cents.map(format_euros).unwrap_or_default(),
                c.lots.to_string(),
                c.clauses.to_string(),
            ]
        })
        .collect();
    let (bytes, mime) = if format == "csv" {
        (
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
        )
    } else {
        (
            elkarlan_tabular::write_xlsx("contracts", &headers, &rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"contracts-{}.{format}\"",
        svc::today()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
