//! The indicator catalogue, the city and neighbourhood dashboards with their exports (analyst and
//! coordinator), and the public neighbourhood pages (anyone, no sign-in).
//!
//! Pages read only the published results (`indicator_results`), which passed disclosure control
//! when they were computed: never the records behind them. Periods come from the published grid
//! (months, quarters, years, plan periods); custom dates are refused, as two ranges a few days
//! apart could be subtracted to single people out. A signed-in reader asking for a grid period
//! never computed gets it computed on demand; a public request never computes anything.

use super::{HtmlError, SignedIn, render};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::authorize;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, FieldValue, Filter, IndicatorDefinition, IndicatorValue, Key, Measure, Period,
    PeriodRule, UNKNOWN_GROUP, Unit,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{
    GridPeriod, IndicatorResult, Scope, choose_disaggregation, choose_period, offered_periods,
    plan_periods, standard_periods,
};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{FieldErrors, Lang, TenantId, Timestamp};
use elkarlan_service::models::territory::Area;
use elkarlan_templates::charts::{Bar, bar_chart};
use elkarlan_templates::dashboards::{
    DashboardPage, GroupRow, IndicatorBlock, LinkCell, ListPage, ProjectCard,
};
use elkarlan_templates::{PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/indicators", get(catalogue_page))
        .add("GET", "/indicators/{indicator}", get(indicator_page))
        .add("GET", "/dashboards/city", get(city_page))
        .add(
            "GET",
            "/dashboards/neighbourhoods",
            get(neighbourhoods_page),
        )
        .add(
            "GET",
            "/dashboards/neighbourhoods/{area}",
            get(neighbourhood_page),
        )
        .add("GET", "/exports/dashboards/city/{format}", get(city_export))
        .add(
            "GET",
            "/exports/dashboards/neighbourhoods/{area}/{format}",
            get(neighbourhood_export),
        )
        .add("GET", "/public/neighbourhoods", get(public_list))
        .add("GET", "/public/neighbourhoods/{area}", get(public_page))
}

/// The query of every dashboard and export.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct DashQuery {
    period: String,
    start: String,
    end: String,
    by: String,
    lang: String,
}

impl DashQuery {
    fn opt(s: &str) -> Option<&str> {
        Some(s).filter(|s| !s.trim().is_empty())
    }

    /// The query again, for export links and the language switch.
    fn encoded(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("period", &self.period),
            ("start", &self.start),
            ("end", &self.end),
            ("by", &self.by),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", urlencoding(v.trim())));
            }
        }
        parts.join("&")
    }
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn default_period(today: NaiveDate) -> GridPeriod {
    GridPeriod::Year(today.year())
}

/// The plans' periods, which the grid offers besides months, quarters and years.
fn plans() -> Vec<Period> {
    plan_periods(catalogue::all())
}

async fn grant(state: &AppState, actor: &Actor, ctx: &Ctx) -> Result<(), HtmlError> {
    authorize(
        state,
        actor,
        Action::ViewPortfolio,
        Target::tenant_wide(actor.tenant),
        &ctx.meta,
    )
    .await
    .map(|_| ())
    .map_err(|e| HtmlError::from_service(ctx, e))
}

fn store_err(ctx: &Ctx) -> impl Fn(crate::error::StoreError) -> HtmlError + '_ {
    move |e| HtmlError::from_service(ctx, ServiceError::Store(e))
}

// Words and numbers ---------------------------------------------------------------------------

fn unit_label(lang: Lang, u: Unit) -> String {
    t(lang, &format!("dash-unit-{}", u.code()))
}

fn breakdown_label(lang: Lang, d: Disaggregation) -> String {
    t(lang, &format!("dash-by-{}", d.code().replace('_', "-")))
}

fn decimals(u: Unit) -> u32 {
    match u {
        Unit::Count => 0,
        Unit::Euros => 2,
        Unit::Percent | Unit::Permille | Unit::Ratio | Unit::Days => 1,
    }
}

/// Basque and Spanish write a decimal comma.
fn localise(lang: Lang, s: String) -> String {
    if lang == Lang::En {
        s
    } else {
        s.replace('.', ",")
    }
}

fn figure(lang: Lang, x: Option<f64>, u: Unit) -> String {
    match x {
        None => t(lang, "dash-none"),
        Some(v) => {
            let d = decimals(u) as usize;
            let s = format!("{v:.d$}");
            localise(lang, s)
        }
    }
}

/// A published cell in words: the formatted value, or why there is none.
fn shown(lang: Lang, p: Published, u: Unit) -> (String, bool) {
    match p {
        Published::Suppressed => (t(lang, "dash-hidden"), true),
        Published::Value(v) => match v.message_key() {
            Some(k) => (t(lang, k), false),
            None => (localise(lang, v.format(u, decimals(u))), false),
        },
    }
}

fn status_code(p: Published) -> &'static str {
    match p {
        Published::Suppressed => "suppressed",
        Published::Value(IndicatorValue::Value(_)) => "value",
        Published::Value(IndicatorValue::NoData) => "no_data",
        Published::Value(IndicatorValue::DivisionByZero) => "division_by_zero",
    }
}

fn bar_value(p: Published, u: Unit) -> Option<f64> {
    match p {
        Published::Value(IndicatorValue::Value(r)) if r.denominator != 0 => Some(
            r.numerator as f64 * u.scale() as f64 / (r.denominator as f64 * u.divisor() as f64),
        ),
        _ => None,
    }
}

fn area_name(lang: Lang, a: &Area) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
    }
}

/// The name of a group of a breakdown: an area's name, or the translated code.
fn group_label(lang: Lang, d: Disaggregation, code: &str, areas: &[Area]) -> String {
    if code == UNKNOWN_GROUP && d != Disaggregation::Origin {
        return t(lang, "dash-group-unknown");
    }
    let key = match d {
        Disaggregation::District | Disaggregation::Neighbourhood => {
            let kind = if d == Disaggregation::District {
                "district"
            } else {
                "neighbourhood"
            };
            return areas
                .iter()
                .find(|a| a.kind == kind && a.code == code)
                .map_or_else(|| code.to_owned(), |a| area_name(lang, a));
        }
        Disaggregation::Sex => format!("sex-{}", code.replace('_', "-")),
        Disaggregation::AgeBand => format!("dash-age-{}", code.replace('_', "-")),
        Disaggregation::Origin => format!("dash-origin-{}", code.replace('_', "-")),
    };
    if elkarlan_templates::i18n::has(lang, &key) {
        t(lang, &key)
    } else {
        code.to_owned()
    }
}

fn period_label(lang: Lang, g: GridPeriod) -> String {
    match g {
        GridPeriod::Year(y) => t_args(lang, "dash-period-year", &[("year", &y.to_string())]),
        GridPeriod::Quarter(y, q) => t_args(
            lang,
            "dash-period-quarter",
            &[("year", &y.to_string()), ("quarter", &q.to_string())],
        ),
        GridPeriod::Month(y, m) => t_args(
            lang,
            "dash-period-month",
            &[
                ("year", &y.to_string()),
                ("month", &t(lang, &format!("dash-month-{m}"))),
            ],
        ),
        GridPeriod::Plan(p) => t_args(
            lang,
            "dash-period-plan",
            &[("start", &p.start.to_string()), ("end", &p.end.to_string())],
        ),
    }
}

// The form --------------------------------------------------------------------------------------

/// The periods offered: to signed-in readers the grid's recent months, quarters and years and
/// the plan periods, and any other grid period already computed; on public pages the standard
/// periods the worker publishes.
fn period_options(
    lang: Lang,
    known: &[Period],
    chosen: Option<GridPeriod>,
    public: bool,
) -> Vec<SelectOption> {
    let plans = plans();
    let mut periods = if public {
        standard_periods(today(), &plans)
    } else {
        offered_periods(today(), &plans)
    };
    for g in known.iter().filter_map(|p| GridPeriod::of(*p, &plans)) {
        if !periods.contains(&g) {
            periods.push(g);
        }
    }
    if let Some(c) = chosen
        && !periods.contains(&c)
    {
        periods.push(c);
    }
    periods.sort_by(|a, b| {
        let (a, b) = (a.period(), b.period());
        b.start.cmp(&a.start).then(b.end.cmp(&a.end))
    });
    periods
        .into_iter()
        .map(|g| SelectOption {
            selected: chosen == Some(g),
            value: g.code(),
            label: period_label(lang, g),
        })
        .collect()
}

fn breakdown_options(lang: Lang, allowed: &[Disaggregation], chosen: &str) -> Vec<SelectOption> {
    let mut out = vec![SelectOption {
        value: String::new(),
        label: t(lang, "dash-breakdown-none"),
        selected: chosen.trim().is_empty(),
    }];
    out.extend(allowed.iter().map(|d| SelectOption {
        value: d.code().to_owned(),
        label: breakdown_label(lang, *d),
        selected: chosen.trim() == d.code(),
    }));
    out
}

const CITY_BREAKDOWNS: [Disaggregation; 5] = [
    Disaggregation::District,
    Disaggregation::Neighbourhood,
    Disaggregation::Sex,
    Disaggregation::AgeBand,
    Disaggregation::Origin,
];
const NEIGHBOURHOOD_BREAKDOWNS: [Disaggregation; 3] = [
    Disaggregation::Sex,
    Disaggregation::AgeBand,
    Disaggregation::Origin,
];

/// The period and breakdown asked for, or the per-field errors.
fn choose(
    q: &DashQuery,
    allowed: &[Disaggregation],
) -> Result<(GridPeriod, Option<Disaggregation>), FieldErrors> {
    let period = choose_period(
        DashQuery::opt(&q.period),
        DashQuery::opt(&q.start),
        DashQuery::opt(&q.end),
        default_period(today()),
        &plans(),
    );
    let by = choose_disaggregation(DashQuery::opt(&q.by)).and_then(|d| match d {
        Some(d) if !allowed.contains(&d) => {
            let mut e = FieldErrors::new();
            e.add("by", "error-disaggregation-unavailable");
            Err(e)
        }
        other => Ok(other),
    });
    match (period, by) {
        (Ok(p), Ok(b)) => Ok((p, b)),
        (p, b) => {
            let mut e = FieldErrors::new();
            for err in p.err().into_iter().chain(b.err()) {
                for x in err.0 {
                    e.add(&x.field, x.key);
                }
            }
            Err(e)
        }
    }
}

// Blocks ----------------------------------------------------------------------------------------

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

fn def_name(lang: Lang, def: &IndicatorDefinition) -> &str {
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

// The dashboards ----------------------------------------------------------------------------------

/// What a dashboard shows once the query is understood.
struct Loaded {
    period: GridPeriod,
    by: Option<Disaggregation>,
    results: Vec<IndicatorResult>,
    computed_at: Option<Timestamp>,
}

async fn load(
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

struct Frame {
    title: String,
    intro: String,
    back: String,
    related: Vec<(String, String)>,
    action: String,
    exports: Option<String>,
    allowed: Vec<Disaggregation>,
    /// A public page: only the standard periods are offered.
    public: bool,
}

fn dashboard(
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

async fn known_periods(
    state: &AppState,
    tenant: TenantId,
) -> Result<Vec<Period>, crate::error::StoreError> {
    crate::services::reports::published_periods(state, tenant).await
}

/// Renders a signed-in dashboard for `scope`: 422 with the errors when the query is refused.
async fn signed_in_dashboard(
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

fn city_frame(lang: Lang) -> Frame {
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

fn neighbourhood<'a>(areas: &'a [Area], code: &str) -> Option<&'a Area> {
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

fn neighbourhood_list(page: PageCtx, areas: &[Area], base: &str, public: bool) -> ListPage {
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

fn neighbourhood_frame(lang: Lang, area: &Area) -> Frame {
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

// The catalogue and one indicator ---------------------------------------------------------------

pub async fn catalogue_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let lang = ctx.lang;
    let rows = catalogue::all()
        .iter()
        .map(|d| {
            vec![
                LinkCell::link(d.code.clone(), format!("/indicators/{}", d.code)),
                LinkCell::text(def_name(lang, d)),
                LinkCell::text(unit_label(lang, d.unit)),
                LinkCell::text(plan(lang, d)),
                LinkCell::text(figure(lang, d.baseline, d.unit)),
                LinkCell::text(figure(lang, d.target, d.unit)),
                LinkCell::text(t(
                    lang,
                    &format!("dash-direction-{}", d.direction.code().replace('_', "-")),
                )),
                LinkCell::text(effective(lang, d)),
                LinkCell::text(breakdowns(lang, d)),
            ]
        })
        .collect();
    let page = ListPage {
        title: t(lang, "dash-catalogue-title"),
        intro: t(lang, "dash-catalogue-intro"),
        back: "/home".into(),
        table_id: "indicators".into(),
        headers: [
            "dash-col-code",
            "dash-col-name",
            "dash-col-unit",
            "dash-col-plan",
            "dash-col-baseline",
            "dash-col-target",
            "dash-col-direction",
            "dash-col-effective",
            "dash-col-breakdowns",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect(),
        rows,
        empty: t(lang, "dash-catalogue-empty"),
        ctx: ctx.page(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

fn plan(lang: Lang, d: &IndicatorDefinition) -> String {
    t_args(
        lang,
        "dash-plan-version",
        &[("plan", &d.plan), ("version", &d.plan_version.to_string())],
    )
}

fn effective(lang: Lang, d: &IndicatorDefinition) -> String {
    t_args(
        lang,
        "dash-effective-range",
        &[
            ("start", &d.effective.start.to_string()),
            ("end", &d.effective.end.to_string()),
        ],
    )
}

fn breakdowns(lang: Lang, d: &IndicatorDefinition) -> String {
    if d.disaggregations.is_empty() {
        return t(lang, "dash-none");
    }
    d.disaggregations
        .iter()
        .map(|x| breakdown_label(lang, *x))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value_words(v: &FieldValue) -> String {
    match v {
        FieldValue::Null => "—".into(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Integer(i) => i.to_string(),
        FieldValue::Date(d) => d.to_string(),
        FieldValue::Text(s) => s.clone(),
    }
}

fn measure_words(lang: Lang, m: &Measure) -> String {
    let aggregate = t(
        lang,
        &format!("dash-aggregate-{}", m.aggregate.code().replace('_', "-")),
    );
    let source = t(
        lang,
        &format!("dash-source-{}", m.source.code().replace('_', "-")),
    );
    let mut s = t_args(
        lang,
        "dash-measure",
        &[("aggregate", &aggregate), ("source", &source)],
    );
    if let Some(f) = m.field {
        s.push_str(&format!(" (“{f}”)"));
    }
    let rule = match m.period {
        PeriodRule::Within(f) => t_args(lang, "dash-period-rule-within", &[("field", f)]),
        PeriodRule::Active { from, until: None } => {
            t_args(lang, "dash-period-rule-open", &[("from", from)])
        }
        PeriodRule::Active {
            from,
            until: Some(u),
        } => t_args(
            lang,
            "dash-period-rule-active",
            &[("from", from), ("until", u)],
        ),
    };
    format!("{s}; {rule}")
}

fn filter_words(lang: Lang, m: &Measure) -> Vec<String> {
    m.filters
        .iter()
        .map(|f| match f {
            Filter::Eq(field, v) => t_args(
                lang,
                "dash-filter-eq",
                &[("field", field), ("value", &value_words(v))],
            ),
            Filter::In(field, vs) => t_args(
                lang,
                "dash-filter-in",
                &[
                    ("field", field),
                    (
                        "value",
                        &vs.iter().map(value_words).collect::<Vec<_>>().join(", "),
                    ),
                ],
            ),
            Filter::IsNull(field) => t_args(lang, "dash-filter-null", &[("field", field)]),
            Filter::NotNull(field) => t_args(lang, "dash-filter-not-null", &[("field", field)]),
            Filter::Within(field) => t_args(lang, "dash-filter-within", &[("field", field)]),
        })
        .collect()
}

pub async fn indicator_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(code): Path<String>,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    grant(&state, &actor, &ctx).await?;
    let lang = ctx.lang;
    let Some(def) = catalogue::find(&code) else {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    };
    let areas = crate::services::reference::areas(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let allowed: Vec<Disaggregation> = CITY_BREAKDOWNS
        .into_iter()
        .filter(|d| def.disaggregations.contains(d))
        .collect();
    let frame = Frame {
        title: t_args(
            lang,
            "dash-indicator-title",
            &[("code", &def.code), ("name", def_name(lang, def))],
        ),
        intro: String::new(),
        back: "/indicators".into(),
        related: Vec::new(),
        action: format!("/indicators/{}", def.code),
        exports: None,
        allowed: allowed.clone(),
        public: false,
    };
    let known = known_periods(&state, actor.tenant)
        .await
        .map_err(store_err(&ctx))?;
    let (status, page, loaded) = match choose(&q, &allowed) {
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.page().with_errors(&errors),
            None,
        ),
        Ok((period, by)) => {
            let mut loaded = load(&state, actor.tenant, period, &Scope::City, by, true)
                .await
                .map_err(store_err(&ctx))?;
            loaded.results.retain(|r| r.code == def.code);
            (StatusCode::OK, ctx.page(), Some(loaded))
        }
    };
    let known = if loaded.is_some() {
        known_periods(&state, actor.tenant)
            .await
            .map_err(store_err(&ctx))?
    } else {
        known
    };
    let mut page = dashboard(page, frame, &q, &known, loaded.as_ref(), &areas, false);
    page.facts = vec![
        (t(lang, "dash-col-unit"), unit_label(lang, def.unit)),
        (
            t(lang, "dash-numerator"),
            measure_words(lang, &def.numerator),
        ),
    ];
    if let Some(d) = &def.denominator {
        page.facts
            .push((t(lang, "dash-denominator"), measure_words(lang, d)));
        page.denominator_filters = filter_words(lang, d);
    }
    page.facts.extend([
        (
            t(lang, "dash-sensitivity"),
            t(
                lang,
                &format!("dash-sensitivity-{}", def.sensitivity.code()),
            ),
        ),
        (t(lang, "dash-col-plan"), plan(lang, def)),
        (t(lang, "dash-col-effective"), effective(lang, def)),
        (
            t(lang, "dash-col-baseline"),
            figure(lang, def.baseline, def.unit),
        ),
        (
            t(lang, "dash-col-target"),
            figure(lang, def.target, def.unit),
        ),
        (
            t(lang, "dash-col-direction"),
            t(
                lang,
                &format!("dash-direction-{}", def.direction.code().replace('_', "-")),
            ),
        ),
        (t(lang, "dash-col-breakdowns"), breakdowns(lang, def)),
    ]);
    page.numerator_filters = filter_words(lang, &def.numerator);
    page.intro = t(lang, "dash-city-values");
    Ok(render(&ctx, &state, status, &page))
}

// Exports -----------------------------------------------------------------------------------------

#[allow(clippy::too_many_arguments)]
async fn export(
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

// Public pages ------------------------------------------------------------------------------------

/// The page context of a public page: no session, no navigation, no form token; the language
/// from `?lang=` when given, and the language links keep the rest of the query.
fn public_page_ctx(ctx: &Ctx, q: &DashQuery) -> PageCtx {
    let lang = Lang::parse(q.lang.trim()).unwrap_or(ctx.lang);
    let query = q.encoded();
    PageCtx {
        lang,
        path: if query.is_empty() {
            ctx.path.clone()
        } else {
            format!("{}?{query}", ctx.path)
        },
        ..PageCtx::default()
    }
}

fn public_response(status: StatusCode, body: String, last_modified: Option<Timestamp>) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if status == StatusCode::OK {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
    }
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    if let Some(at) = last_modified {
        let http = at
            .to_datetime()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        if let Ok(v) = HeaderValue::from_str(&http) {
            h.insert(header::LAST_MODIFIED, v);
        }
    }
    res
}

/// Whether the request's `If-Modified-Since` is at or after `at` (to the second).
fn not_modified_since(headers: &axum::http::HeaderMap, at: Timestamp) -> bool {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        .is_some_and(|since| at.to_datetime().timestamp() <= since.timestamp())
}

fn body(t: &impl elkarlan_templates::Template) -> String {
    t.render().unwrap_or_else(|e| {
        let r = crate::error::log_internal(&e);
        format!("<!DOCTYPE html><html lang=\"en\"><head><title>Error</title></head><body><main><h1>Error</h1><p>Reference {r}</p></main></body></html>")
    })
}

fn public_error(page: PageCtx, status: StatusCode) -> HtmlError {
    HtmlError::new(page, status)
}

pub async fn public_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> Result<Response, HtmlError> {
    let page = public_page_ctx(&ctx, &q);
    let Some(tenant) = ctx.tenant else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let areas = crate::services::reference::areas(&state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(page.clone(), &e))?;
    let list = neighbourhood_list(page, &areas, "/public/neighbourhoods", true);
    Ok(public_response(StatusCode::OK, body(&list), None))
}

pub async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(mut q): Query<DashQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, HtmlError> {
    // Public pages offer the standard periods only: custom dates are not read.
    q.start.clear();
    q.end.clear();
    let page = public_page_ctx(&ctx, &q);
    let lang = page.lang;
    let Some(tenant) = ctx.tenant else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let areas = crate::services::reference::areas(&state, tenant)
        .await
        .map_err(|e| HtmlError::from_store(page.clone(), &e))?;
    let Some(area) = neighbourhood(&areas, &code) else {
        return Err(public_error(page, StatusCode::NOT_FOUND));
    };
    let name = area_name(lang, area);
    let projects: Vec<ProjectCard> =
        crate::services::projects::public_in_neighbourhood(&state, tenant, area.id)
            .await
            .map_err(|e| HtmlError::from_store(page.clone(), &e))?
            .into_iter()
            .map(|p| ProjectCard {
                name: p.name(lang).to_owned(),
                status: t(lang, &p.status.label_key()),
                objectives: p.objectives.clone(),
            })
            .collect();
    let frame = Frame {
        title: t_args(lang, "dash-public-title", &[("name", &name)]),
        intro: t(lang, "dash-public-intro"),
        back: "/public/neighbourhoods".into(),
        related: Vec::new(),
        action: format!("/public/neighbourhoods/{}", area.code),
        exports: None,
        allowed: NEIGHBOURHOOD_BREAKDOWNS.to_vec(),
        public: true,
    };
    let scope = Scope::Neighbourhood(area.code.clone());
    let (status, page, loaded) = match choose(&q, &frame.allowed) {
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page.with_errors(&errors),
            None,
        ),
        Ok((period, by)) => {
            let loaded = if standard_periods(today(), &plans()).contains(&period) {
                load(&state, tenant, period, &scope, by, false)
                    .await
                    .map_err(|e| HtmlError::from_store(page.clone(), &e))?
            } else {
                Loaded {
                    period,
                    by,
                    results: Vec::new(),
                    computed_at: None,
                }
            };
            (StatusCode::OK, page, Some(loaded))
        }
    };
    let last_modified = loaded.as_ref().and_then(|l| l.computed_at);
    if status == StatusCode::OK
        && let Some(at) = last_modified
        && not_modified_since(&headers, at)
    {
        let mut res = public_response(StatusCode::NOT_MODIFIED, String::new(), Some(at));
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        res.headers_mut().remove(header::CONTENT_TYPE);
        return Ok(res);
    }
    let mut view = dashboard(page, frame, &q, &[], loaded.as_ref(), &areas, false);
    view.projects = projects;
    view.show_projects = true;
    Ok(public_response(status, body(&view), last_modified))
}
