//! The indicator catalogue, the city and neighbourhood dashboards with their exports (analyst and
//! coordinator), and the public neighbourhood pages (anyone, no sign-in).
//!
//! Pages read only the published results (`indicator_results`), which passed disclosure control
//! when they were computed: never the records behind them. Periods come from the published grid
//! (months, quarters, years, plan periods); custom dates are refused, as two ranges a few days
//! apart could be subtracted to single people out. A signed-in reader asking for a grid period
//! never computed gets it computed on demand; a public request never computes anything.
//! One file per part; this one holds the routes and what the parts share.

mod areas;
mod blocks;
mod exports;
mod indicator_pages;
mod public;

use super::HtmlError;
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::labels::area_name;
use crate::routes::RouteBook;
use crate::services::authorize;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, IndicatorValue, Period, UNKNOWN_GROUP, Unit,
};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::{
    GridPeriod, choose_disaggregation, choose_period, offered_periods, plan_periods,
    standard_periods,
};
use elkarlan_domain::policy::{Action, Actor, Target};
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_service::models::territory::Area;
use elkarlan_templates::{SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/indicators", get(indicator_pages::catalogue_page))
        .add(
            "GET",
            "/indicators/{indicator}",
            get(indicator_pages::indicator_page),
        )
        .add("GET", "/dashboards/city", get(areas::city_page))
        .add(
            "GET",
            "/dashboards/neighbourhoods",
            get(areas::neighbourhoods_page),
        )
        .add(
            "GET",
            "/dashboards/neighbourhoods/{area}",
            get(areas::neighbourhood_page),
        )
        .add(
            "GET",
            "/exports/dashboards/city/{format}",
            get(exports::city_export),
        )
        .add(
            "GET",
            "/exports/dashboards/neighbourhoods/{area}/{format}",
            get(exports::neighbourhood_export),
        )
        .add("GET", "/public/neighbourhoods", get(public::public_list))
        .add(
            "GET",
            "/public/neighbourhoods/{area}",
            get(public::public_page),
        )
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
