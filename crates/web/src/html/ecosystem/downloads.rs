//! The directory's downloads: CSV/XLSX and Open Referral HSDS JSON.

use super::{area_of, cpv_text, err, form_label, neighbourhoods, yes_no};
use crate::AppState;
use crate::html::{HtmlError, SignedIn};
use crate::services::ecosystem::{self as svc};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_templates::t;

fn attachment(bytes: Vec<u8>, mime: &'static str, filename: &str) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The directory as CSV or XLSX: the organisations' own data, never their contact people.
pub async fn export_organisations(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(format): Path<String>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    if format != "csv" && format != "xlsx" {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    let list = svc::directory(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let headers: Vec<String> = [
        "eco-name",
        "eco-tax-id",
        "eco-legal-form",
        "eco-sector",
        "eco-neighbourhood",
        "eco-address",
        "eco-email",
        "eco-phone",
        "eco-website",
        "eco-activities",
        "eco-registers",
        "eco-pole-member",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|o| {
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            vec![
                o.name.clone(),
                o.tax_id.clone(),
                form_label(lang, o.legal_form, &o.legal_label),
                t(lang, &o.sector.label_key()),
                area_of(lang, &areas, o.neighbourhood),
                opt(&o.address),
                opt(&o.email),
                opt(&o.phone),
                opt(&o.website),
                o.activities
                    .iter()
                    .map(|c| cpv_text(lang, *c))
                    .collect::<Vec<_>>()
                    .join("; "),
                o.registers
                    .iter()
                    .map(|r| format!("{} {}", r.register, r.number))
                    .collect::<Vec<_>>()
                    .join("; "),
                yes_no(lang, o.pole_member),
            ]
        })
        .collect();
    let day = svc::today();
    if format == "csv" {
        Ok(attachment(
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
            &format!("organisations-{day}.csv"),
        ))
    } else {
        let bytes = elkarlan_tabular::write_xlsx("organisations", &headers, &rows)
            .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
        Ok(attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("organisations-{day}.xlsx"),
        ))
    }
}

/// The directory as Open Referral HSDS 3.0 JSON (organizations with their services, locations
/// and phones); no contact people.
pub async fn export_hsds(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let list = svc::directory(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let doc = crate::hsds::document(&list, ctx.lang);
    let body = serde_json::to_vec_pretty(&doc)
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
    Ok(attachment(body, "application/json", "hsds.json"))
}
