//! The city dashboard and the neighbourhood dashboards with their list.

use super::blocks::{Frame, signed_in_dashboard};
use super::{CITY_BREAKDOWNS, DashQuery, NEIGHBOURHOOD_BREAKDOWNS, grant, store_err};
use crate::AppState;
use crate::html::labels::area_name;
use crate::html::{HtmlError, SignedIn, render};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::Lang;
use elkarlan_domain::indicators::results::Scope;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::dashboards::{LinkCell, ListPage};
use elkarlan_templates::{PageCtx, t, t_args};

pub(super) fn city_frame(lang: Lang) -> Frame {
    Frame {
        title: t(lang, "dash-city-title"),
        intro: t(lang, "dash-city-intro"),
        back: "/home".into(),
        related: vec![
            (
                "/dashboards/neighbourhoods".into(),
                t(lang, "dash-neighbourhoods-title"),
            ),
            ("/indicators".into(), t(lang, "dash-catalogue-title")),
        ],
        action: "/dashboards/city".into(),
        exports: Some("/exports/dashboards/city".into()),
        allowed: CITY_BREAKDOWNS.to_vec(),
        public: false,
    }
}

pub async fn city_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let lang = ctx.lang;
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let frame = city_frame(lang);
    signed_in_dashboard(&state, &ctx, &actor, &q, Scope::City, frame, &areas).await
}

pub(super) fn neighbourhood<'a>(areas: &'a [Area], code: &str) -> Option<&'a Area> {
    areas
        .iter()
        .find(|a| a.kind == "neighbourhood" && a.code == code)
}

fn district_of(lang: Lang, areas: &[Area], a: &Area) -> String {
    a.parent_id
        .and_then(|p| areas.iter().find(|x| x.id == p))
        .map(|d| area_name(lang, d))
        .unwrap_or_default()
}

pub async fn neighbourhoods_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let page = neighbourhood_list(ctx.page(), &areas, "/dashboards/neighbourhoods", false);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub(super) fn neighbourhood_list(
    page: PageCtx,
    areas: &[Area],
    base: &str,
    public: bool,
) -> ListPage {
    let lang = page.lang;
    let rows = areas
        .iter()
        .filter(|a| a.kind == "neighbourhood")
        .map(|a| {
            vec![
                LinkCell::link(area_name(lang, a), format!("{base}/{}", a.code)),
                LinkCell::text(district_of(lang, areas, a)),
            ]
        })
        .collect();
    let (title, intro, back) = if public {
        ("dash-public-list-title", "dash-public-list-intro", "")
    } else {
        (
            "dash-neighbourhoods-title",
            "dash-neighbourhoods-intro",
            "/home",
        )
    };
    ListPage {
        title: t(lang, title),
        intro: t(lang, intro),
        back: back.into(),
        table_id: "neighbourhoods".into(),
        headers: vec![
            t(lang, "dash-col-neighbourhood"),
            t(lang, "dash-col-district"),
        ],
        rows,
        empty: t(lang, "dash-neighbourhoods-empty"),
        ctx: page,
    }
}

pub(super) fn neighbourhood_frame(lang: Lang, area: &Area) -> Frame {
    let name = area_name(lang, area);
    Frame {
        title: t_args(lang, "dash-neighbourhood-title", &[("name", &name)]),
        intro: t(lang, "dash-neighbourhood-intro"),
        back: "/dashboards/neighbourhoods".into(),
        related: vec![
            ("/dashboards/city".into(), t(lang, "dash-city-title")),
            (
                format!("/public/neighbourhoods/{}", area.code),
                t(lang, "dash-public-link"),
            ),
        ],
        action: format!("/dashboards/neighbourhoods/{}", area.code),
        exports: Some(format!("/exports/dashboards/neighbourhoods/{}", area.code)),
        allowed: NEIGHBOURHOOD_BREAKDOWNS.to_vec(),
        public: false,
    }
}

pub async fn neighbourhood_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(code): Path<String>,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let lang = ctx.lang;
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let Some(area) = neighbourhood(&areas, &code) else {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    };
    let frame = neighbourhood_frame(lang, area);
    let scope = Scope::Neighbourhood(area.code.clone());
    signed_in_dashboard(&state, &ctx, &actor, &q, scope, frame, &areas).await
}
