//! What every dashboard page is made of: an indicator's block, the published results loaded for
//! a period, and the frame around them.

use super::{
    DashQuery, bar_value, breakdown_label, breakdown_options, choose, figure, group_label,
    period_label, period_options, shown, store_err, unit_label,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::{HtmlError, render};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{Disaggregation, IndicatorDefinition, Period, Unit};
use elkarlan_domain::indicators::results::{GridPeriod, IndicatorResult, Scope};
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, TenantId, Timestamp};
use elkarlan_service::models::territory::Area;
use elkarlan_templates::charts::{Bar, bar_chart};
use elkarlan_templates::dashboards::{DashboardPage, GroupRow, IndicatorBlock};
use elkarlan_templates::{PageCtx, t, t_args};

struct Shown<'a> {
    lang: Lang,
    areas: &'a [Area],
    by: Option<Disaggregation>,
    link: bool,
}

fn block(s: &Shown<'_>, def: &IndicatorDefinition, r: &IndicatorResult) -> IndicatorBlock {
    let lang = s.lang;
    let name = def_name(lang, def).to_owned();
    let (actual, actual_hidden) = shown(lang, r.total(), def.unit);
    let mut rows = Vec::new();
    let mut chart = String::new();
    let mut caption = String::new();
    if let Some(d) = s.by {
        let by = breakdown_label(lang, d);
        let mut bars = Vec::new();
        for (g, p) in r.groups() {
            let label = group_label(lang, d, g, s.areas);
            let (value, hidden) = shown(lang, p, def.unit);
            bars.push(Bar {
                label: label.clone(),
                value: bar_value(p, def.unit),
                shown: value.clone(),
            });
            rows.push(GroupRow {
                group: label,
                value,
                hidden,
            });
        }
        rows.insert(
            0,
            GroupRow {
                group: t(lang, "dash-total"),
                value: actual.clone(),
                hidden: actual_hidden,
            },
        );
        caption = t_args(lang, "dash-table-caption", &[("name", &name), ("by", &by)]);
        let max = match def.unit {
            Unit::Percent => Some(100.0),
            Unit::Permille => Some(1000.0),
            _ => None,
        };
        chart = bar_chart(
            &format!("chart-{}", def.code),
            &caption,
            &t_args(
                lang,
                "dash-chart-description",
                &[("name", &name), ("by", &by)],
            ),
            &bars,
            max,
        );
    }
    IndicatorBlock {
        code: def.code.clone(),
        name,
        href: if s.link {
            format!("/indicators/{}", def.code)
        } else {
            String::new()
        },
        unit: unit_label(lang, def.unit),
        baseline: figure(lang, def.baseline, def.unit),
        target: figure(lang, def.target, def.unit),
        actual,
        actual_hidden,
        chart,
        caption,
        rows,
    }
}

pub(super) fn def_name(lang: Lang, def: &IndicatorDefinition) -> &str {
    match lang {
        Lang::Eu => &def.name.eu,
        Lang::Es => &def.name.es,
        Lang::En => &def.name.en,
    }
}

fn blocks(s: &Shown<'_>, results: &[IndicatorResult]) -> Vec<IndicatorBlock> {
    catalogue::all()
        .iter()
        .filter_map(|def| {
            results
                .iter()
                .find(|r| r.code == def.code)
                .map(|r| block(s, def, r))
        })
        .collect()
}

/// What a dashboard shows once the query is understood.
pub(super) struct Loaded {
    pub(super) period: GridPeriod,
    pub(super) by: Option<Disaggregation>,
    pub(super) results: Vec<IndicatorResult>,
    pub(super) computed_at: Option<Timestamp>,
}

pub(super) async fn load(
    state: &AppState,
    tenant: TenantId,
    period: GridPeriod,
    scope: &Scope,
    by: Option<Disaggregation>,
    compute: bool,
) -> Result<Loaded, crate::error::StoreError> {
    let (results, computed_at) =
        crate::services::reports::published_cells(state, tenant, period, scope, by, compute)
            .await?;
    Ok(Loaded {
        period,
        by,
        results,
        computed_at,
    })
}

pub(super) struct Frame {
    pub(super) title: String,
    pub(super) intro: String,
    pub(super) back: String,
    pub(super) related: Vec<(String, String)>,
    pub(super) action: String,
    pub(super) exports: Option<String>,
    pub(super) allowed: Vec<Disaggregation>,
    /// A public page: only the standard periods are offered.
    pub(super) public: bool,
}

pub(super) fn dashboard(
    page: PageCtx,
    frame: Frame,
    q: &DashQuery,
    known: &[Period],
    loaded: Option<&Loaded>,
    areas: &[Area],
    link: bool,
) -> DashboardPage {
    let lang = page.lang;
    let by = loaded.and_then(|l| l.by);
    let s = Shown {
        lang,
        areas,
        by,
        link,
    };
    let query = q.encoded();
    let exports = match (&frame.exports, loaded) {
        (Some(base), Some(_)) => ["csv", "xlsx"]
            .iter()
            .map(|f| {
                let href = if query.is_empty() {
                    format!("{base}/{f}")
                } else {
                    format!("{base}/{f}?{query}")
                };
                (href, t(lang, &format!("dash-export-{f}")))
            })
            .collect(),
        _ => Vec::new(),
    };
    DashboardPage {
        title: frame.title,
        intro: frame.intro,
        back: frame.back,
        related: frame.related,
        action: frame.action,
        periods: period_options(lang, known, loaded.map(|l| l.period), frame.public),
        breakdowns: breakdown_options(lang, &frame.allowed, &q.by),
        period_label: loaded
            .map(|l| period_label(lang, l.period))
            .unwrap_or_default(),
        computed_at: loaded
            .and_then(|l| l.computed_at)
            .map(Timestamp::display)
            .unwrap_or_default(),
        not_published: loaded.is_some_and(|l| l.computed_at.is_none()),
        exports,
        facts: Vec::new(),
        numerator_filters: Vec::new(),
        denominator_filters: Vec::new(),
        projects: Vec::new(),
        show_projects: false,
        blocks: loaded.map(|l| blocks(&s, &l.results)).unwrap_or_default(),
        breakdown: by.map(|d| breakdown_label(lang, d)).unwrap_or_default(),
        ctx: page,
    }
}

pub(super) async fn known_periods(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<Period>, crate::error::StoreError> {
    crate::services::reports::published_periods(state, tenant).await
}

/// Renders a signed-in dashboard for `scope`: 422 with the errors when the query is refused.
pub(super) async fn signed_in_dashboard(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    q: &DashQuery,
    scope: Scope,
    frame: Frame,
    areas: &[Area],
) -> Result<Response, HtmlError> {
    let known = known_periods(state, actor.tenant)
        .await
        .map_err(store_err(ctx))?;
    match choose(q, &frame.allowed) {
        Err(errors) => {
            let page = dashboard(
                ctx.page().with_errors(&errors),
                frame,
                q,
                &known,
                None,
                areas,
                true,
            );
            Ok(render(ctx, state, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Ok((period, by)) => {
            let loaded = load(state, actor.tenant, period, &scope, by, true)
                .await
                .map_err(store_err(ctx))?;
            let known = known_periods(state, actor.tenant)
                .await
                .map_err(store_err(ctx))?;
            let page = dashboard(ctx.page(), frame, q, &known, Some(&loaded), areas, true);
            Ok(render(ctx, state, StatusCode::OK, &page))
        }
    }
}
