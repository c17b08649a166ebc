//! The dashboards' exports.

use super::areas::{city_frame, neighbourhood, neighbourhood_frame};
use super::blocks::{Frame, dashboard, def_name, known_periods, load};
use super::{DashQuery, choose, decimals, grant, group_label, status_code, store_err};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::{HtmlError, SignedIn, render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{IndicatorValue, Key};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::Scope;
use elkarlan_domain::policy::Actor;
use elkarlan_templates::t;

#[allow(clippy::too_many_arguments)]
pub(super) async fn export(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    q: &DashQuery,
    scope: Scope,
    frame: Frame,
    format: &str,
    name: &str,
) -> Result<Response, HtmlError> {
    grant(state, actor, ctx).await?;
    if format != "csv" && format != "xlsx" {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    let lang = ctx.lang;
    let areas = crate::services::reference::areas(state, actor.tenant)
        .await
        .map_err(store_err(ctx))?;
    let (period, by) = match choose(q, &frame.allowed) {
        Ok(x) => x,
        Err(errors) => {
            let known = known_periods(state, actor.tenant)
                .await
                .map_err(store_err(ctx))?;
            let page = dashboard(
                ctx.page().with_errors(&errors),
                frame,
                q,
                &known,
                None,
                &areas,
                true,
            );
            return Ok(render(ctx, state, StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let loaded = load(state, actor.tenant, period, &scope, by, true)
        .await
        .map_err(store_err(ctx))?;
    let (grid, period) = (period, period.period());
    let headers: Vec<String> = [
        "dash-col-code",
        "dash-col-name",
        "dash-col-unit",
        "dash-col-scope",
        "dash-col-period-start",
        "dash-col-period-end",
        "dash-col-breakdown",
        "dash-col-group",
        "dash-col-group-name",
        "dash-col-value",
        "dash-col-status",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let mut rows = Vec::new();
    for def in catalogue::all() {
        let Some(r) = loaded.results.iter().find(|r| r.code == def.code) else {
            continue;
        };
        for (key, p) in &r.cells {
            let (group, group_name) = match (key, by) {
                (Key::Total, _) | (Key::Group(_), None) => {
                    ("total".to_owned(), t(lang, "dash-total"))
                }
                (Key::Group(g), Some(d)) => (g.clone(), group_label(lang, d, g, &areas)),
            };
            let value = match p {
                Published::Value(IndicatorValue::Value(v)) => {
                    IndicatorValue::Value(*v).format(def.unit, decimals(def.unit))
                }
                _ => String::new(),
            };
            rows.push(vec![
                def.code.clone(),
                def_name(lang, def).to_owned(),
                def.unit.code().to_owned(),
                scope.code(),
                period.start.to_string(),
                period.end.to_string(),
                by.map(|d| d.code().to_owned()).unwrap_or_default(),
                group,
                group_name,
                value,
                status_code(*p).to_owned(),
            ]);
        }
    }
    let (bytes, mime) = if format == "csv" {
        (
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
        )
    } else {
        (
            elkarlan_tabular::write_xlsx("indicators", &headers, &rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    let period_name = grid.code();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"indicators-{name}-{period_name}.{format}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn city_export(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(format): Path<String>,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    export(
        &state,
        &ctx,
        &actor,
        &q,
        Scope::City,
        city_frame(ctx.lang),
        &format,
        "city",
    )
    .await
}

pub async fn neighbourhood_export(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((code, format)): Path<(String, String)>,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let Some(area) = neighbourhood(&areas, &code) else {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    };
    let scope = Scope::Neighbourhood(area.code.clone());
    let name = area.code.replace('.', "-");
    export(
        &state,
        &ctx,
        &actor,
        &q,
        scope,
        neighbourhood_frame(ctx.lang, area),
        &format,
        &name,
    )
    .await
}
