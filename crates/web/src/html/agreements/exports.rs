//! The agreements and commitments exports (CSV and XLSX).

use super::list::{ListQuery, filter_of};
use super::parties_text;
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::service_err;
use crate::html::{HtmlError, SignedIn};
use crate::services::agreements::{self as svc};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_service::models::commitments::CommitmentOwner;
use elkarlan_templates::t;

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

fn download(
    ctx: &Ctx,
    f: Format,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, HtmlError> {
    let headers: Vec<String> = headers.iter().map(|k| t(ctx.lang, k)).collect();
    let day = svc::today();
    let (bytes, mime, ext) = match f {
        Format::Csv => (
            elkarlan_tabular::write_csv(&headers, rows),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            elkarlan_tabular::write_xlsx(name, &headers, rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}-{day}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn export_agreements(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    q: &ListQuery,
    format: Format,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::list(state, actor, &ctx.meta, &filter_of(q))
        .await
        .map_err(service_err(ctx))?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.title_eu.clone(),
                a.title_es.clone(),
                t(lang, &a.kind.label_key()),
                t(lang, &a.status.label_key()),
                parties_text(lang, a),
                a.target_groups
                    .iter()
                    .map(|g| t(lang, &g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
                a.starts_on.clone(),
                a.ends_on.clone(),
                a.signed_on.clone().unwrap_or_default(),
                a.budget_cents.map(format_euros).unwrap_or_default(),
                a.renews.map(|r| r.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    download(
        ctx,
        format,
        "agreements",
        &[
            "export-col-id",
            "agreement-title-eu",
            "agreement-title-es",
            "agreement-kind",
            "agreement-status",
            "agreement-parties",
            "agreement-target-groups",
            "agreement-starts-on",
            "agreement-ends-on",
            "agreement-signed-on",
            "agreement-budget",
            "agreement-renews",
        ],
        &rows,
    )
}

async fn export_commitments(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    format: Format,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::all_commitments(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|l| {
            let m = &l.commitment;
            let (agreement, clause) = match m.owner {
                CommitmentOwner::Agreement(a) => (a.to_string(), String::new()),
                CommitmentOwner::Clause(c) => (String::new(), c.to_string()),
            };
            vec![
                m.id.to_string(),
                agreement,
                clause,
                m.organisation_name.clone().unwrap_or_default(),
                t(lang, &m.kind.label_key()),
                m.description.clone(),
                m.target.to_string(),
                m.unit.clone(),
                m.due_on.clone(),
                l.progress.achieved.to_string(),
                l.progress.percent.to_string(),
                t(lang, l.progress.standing.label_key()),
                t(lang, &m.status.label_key()),
                m.evidence.clone().unwrap_or_default(),
            ]
        })
        .collect();
    download(
        ctx,
        format,
        "commitments",
        &[
            "export-col-id",
            "export-col-agreement",
            "export-col-clause",
            "commitment-organisation",
            "commitment-kind",
            "commitment-description",
            "commitment-target",
            "commitment-unit",
            "commitment-due-on",
            "export-col-achieved",
            "export-col-percent",
            "export-col-standing",
            "commitment-status",
            "commitment-evidence",
        ],
        &rows,
    )
}

pub async fn export_agreements_csv(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    export_agreements(&state, &ctx, &actor, &q, Format::Csv).await
}

pub async fn export_agreements_xlsx(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    export_agreements(&state, &ctx, &actor, &q, Format::Xlsx).await
}

pub async fn export_commitments_csv(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    export_commitments(&state, &ctx, &actor, Format::Csv).await
}

pub async fn export_commitments_xlsx(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    export_commitments(&state, &ctx, &actor, Format::Xlsx).await
}
