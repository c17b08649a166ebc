//! The indicator catalogue and an indicator's page, its definition told in words.

use super::blocks::{Frame, dashboard, def_name, known_periods, load};
use super::{
    CITY_BREAKDOWNS, DashQuery, breakdown_label, choose, figure, grant, store_err, unit_label,
};
use crate::AppState;
use crate::html::{HtmlError, SignedIn, render};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::Lang;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{
    Disaggregation, FieldValue, Filter, IndicatorDefinition, Measure, PeriodRule,
};
use elkarlan_domain::indicators::results::Scope;
use elkarlan_templates::dashboards::{LinkCell, ListPage};
use elkarlan_templates::{t, t_args};

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

pub(super) fn plan(lang: Lang, d: &IndicatorDefinition) -> String {
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

pub(super) fn breakdowns(lang: Lang, d: &IndicatorDefinition) -> String {
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
