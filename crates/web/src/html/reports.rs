//! A project's indicators, its dashboard (indicators for the city and its neighbourhoods,
//! budget, milestones) with CSV/XLSX exports, and the printable annual reports of a project and
//! of the whole area. Values come only from the stored, disclosure-controlled results.

use super::form::{CsrfForm, form_errors, parse_path, service_err};
use super::form_fields::{choice, form};
use super::labels::{area_name, euros};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::reports::{self as svc, IndicatorLine};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use elkarlan_domain::indicators::catalogue;
use elkarlan_domain::indicators::definition::{IndicatorDefinition, IndicatorValue, Period, Unit};
use elkarlan_domain::indicators::publish::Published;
use elkarlan_domain::indicators::results::GridPeriod;
use elkarlan_domain::policy::Action;
use elkarlan_domain::portfolio::overdue;
use elkarlan_domain::{FieldErrors, Lang, ProjectId};
use elkarlan_service::models::projects::Project;
use elkarlan_templates::charts::{Bar, bar_chart};
use elkarlan_templates::reports::{
    AnnualPage, DashboardPage, ReportFigure, ReportProject, ReportTable,
};
use elkarlan_templates::{FormField, PageCtx, t, t_args};

pub fn routes(book: RouteBook) -> RouteBook {
    book.add(
        "GET",
        "/projects/{project}/indicators",
        get(indicators_page),
    )
    .add(
        "POST",
        "/projects/{project}/indicators",
        axum::routing::post(indicators_submit),
    )
    .add("GET", "/projects/{project}/dashboard", get(dashboard_page))
    .add(
        "GET",
        "/exports/projects/{project}/dashboard.csv",
        get(export_csv),
    )
    .add(
        "GET",
        "/exports/projects/{project}/dashboard.xlsx",
        get(export_xlsx),
    )
    .add("GET", "/projects/{project}/report", get(project_report))
    .add("GET", "/reports/annual", get(area_report))
}

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

fn pairs(q: Pairs) -> Vec<(String, String)> {
    q.map(|Query(p)| p).unwrap_or_default()
}

fn first(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn opt(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

fn can_manage(actor: &elkarlan_domain::policy::Actor) -> bool {
    crate::services::permits(actor, Action::ManagePortfolio)
}

pub fn indicator_name(lang: Lang, d: &IndicatorDefinition) -> String {
    match lang {
        Lang::Eu => d.name.eu.clone(),
        Lang::Es => d.name.es.clone(),
        Lang::En => d.name.en.clone(),
    }
}

// Numbers -----------------------------------------------------------------------------------------

fn decimals(unit: Unit) -> u32 {
    match unit {
        Unit::Count => 0,
        Unit::Euros => 2,
        _ => 1,
    }
}

fn localise(lang: Lang, s: String) -> String {
    if lang == Lang::En {
        s
    } else {
        s.replace('.', ",")
    }
}

fn with_unit(unit: Unit, s: String) -> String {
    match unit {
        Unit::Percent => format!("{s} %"),
        Unit::Permille => format!("{s} ‰"),
        Unit::Euros => format!("{s} €"),
        _ => s,
    }
}

/// A figure in the unit (a baseline or a target).
fn figure(lang: Lang, unit: Unit, v: Option<f64>) -> (Option<f64>, String) {
    match v {
        Some(v) => (
            Some(v),
            with_unit(
                unit,
                localise(lang, format!("{v:.prec$}", prec = decimals(unit) as usize)),
            ),
        ),
        None => (None, t(lang, "report-not-set")),
    }
}

/// A published value: its length for a chart and its text. Suppressed and missing values have
/// no length, only their message.
pub fn shown(lang: Lang, def: &IndicatorDefinition, p: Published) -> (Option<f64>, String) {
    match p {
        Published::Suppressed => (None, t(lang, "report-suppressed")),
        Published::Value(v) => match v {
            IndicatorValue::Value(r) => (
                crate::api::indicators::in_unit(def, r.numerator, r.denominator),
                with_unit(
                    def.unit,
                    localise(lang, v.format(def.unit, decimals(def.unit))),
                ),
            ),
            other => (
                None,
                t(lang, other.message_key().unwrap_or("indicator-no-data")),
            ),
        },
    }
}

fn period_text(lang: Lang, p: Period) -> String {
    t_args(
        lang,
        "report-period-shown",
        &[("start", &p.start.to_string()), ("end", &p.end.to_string())],
    )
}

// The project's indicators ------------------------------------------------------------------------

fn indicators_form(
    lang: Lang,
    page: PageCtx,
    id: ProjectId,
    chosen: &[String],
) -> elkarlan_templates::FormPage {
    let options = catalogue::all()
        .iter()
        .map(|d| {
            choice(
                &d.code,
                format!("{} – {}", d.code, indicator_name(lang, d)),
                chosen.contains(&d.code),
            )
        })
        .collect();
    form(
        page,
        lang,
        "report-indicators-title",
        t(lang, "project-caption"),
        format!("/projects/{id}"),
        format!("/projects/{id}/indicators"),
        "project-indicators-form",
        Vec::new(),
        vec![FormField::Choices {
            id: "indicators".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "report-indicators-legend"),
            hint: t(lang, "report-indicators-hint"),
            options,
        }],
        "report-indicators-save",
    )
}

pub async fn indicators_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let codes = svc::indicators_to_edit(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = indicators_form(ctx.lang, ctx.page(), id, &codes);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn indicators_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let codes = f.all("indicators");
    match svc::set_project_indicators(&state, &actor, &ctx.meta, id, &codes).await {
        Ok(()) => Ok(see_other(&format!(
            "/projects/{id}?notice=report-indicators-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "indicators")?;
            let mut placed = FieldErrors::new();
            for e in errors.0 {
                placed.add("indicators", e.key);
            }
            let page = indicators_form(ctx.lang, ctx.page().with_errors(&placed), id, &codes);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// The dashboard -----------------------------------------------------------------------------------

fn indicator_figure(
    lang: Lang,
    line: &IndicatorLine,
    area_names: &[String],
    period: Period,
) -> ReportFigure {
    let def = line.def;
    let name = indicator_name(lang, def);
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    let mut push = |label: String, (value, text): (Option<f64>, String)| {
        rows.push(vec![label.clone(), text.clone()]);
        bars.push(Bar {
            label,
            value,
            shown: text,
        });
    };
    push(
        t(lang, "report-baseline"),
        figure(lang, def.unit, def.baseline),
    );
    push(
        t(lang, "report-target"),
        figure(lang, def.unit, def.target_for(period)),
    );
    push(t(lang, "report-city"), shown(lang, def, line.city));
    for (a, name) in line.areas.iter().zip(area_names) {
        match a {
            Some(p) => push(name.clone(), shown(lang, def, *p)),
            None => push(name.clone(), (None, t(lang, "report-not-by-neighbourhood"))),
        }
    }
    let title = format!("{} ({})", name, def.code);
    let chart = bar_chart(
        &format!("chart-{}", def.code),
        &title,
        &t(lang, "report-chart-description"),
        &bars,
        (def.unit == Unit::Percent).then_some(100.0),
    );
    ReportFigure {
        title: title.clone(),
        chart,
        table: ReportTable {
            id: format!("table-{}", def.code),
            caption: t_args(lang, "report-indicator-caption", &[("name", &title)]),
            headers: vec![t(lang, "report-series"), t(lang, "report-value")],
            rows,
        },
    }
}

fn budget_figure(lang: Lang, p: &Project) -> Option<ReportFigure> {
    if p.budget.is_empty() {
        return None;
    }
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for b in &p.budget {
        let year = b.year.to_string();
        let planned = euros(lang, b.planned_cents);
        let executed = euros(lang, b.executed_cents);
        bars.push(Bar {
            label: t_args(lang, "report-planned-year", &[("year", &year)]),
            value: Some(b.planned_cents as f64 / 100.0),
            shown: planned.clone(),
        });
        bars.push(Bar {
            label: t_args(lang, "report-executed-year", &[("year", &year)]),
            value: Some(b.executed_cents as f64 / 100.0),
            shown: executed.clone(),
        });
        rows.push(vec![year, planned, executed]);
    }
    let title = t(lang, "report-budget-chart");
    Some(ReportFigure {
        chart: bar_chart(
            "chart-budget",
            &title,
            &t(lang, "report-budget-description"),
            &bars,
            None,
        ),
        table: ReportTable {
            id: "project-budget".into(),
            caption: title.clone(),
            headers: vec![
                t(lang, "project-year"),
                t(lang, "project-planned"),
                t(lang, "project-executed"),
            ],
            rows,
        },
        title,
    })
}

fn milestone_table(lang: Lang, p: &Project, year: Option<i32>) -> ReportTable {
    let today = svc::today();
    let rows = p
        .milestones
        .iter()
        .filter(|m| year.is_none_or(|y| m.due_on.starts_with(&y.to_string())))
        .map(|m| {
            let late = m.due_on.parse().is_ok_and(|due| {
                overdue(
                    due,
                    m.done_on.as_deref().and_then(|x| x.parse().ok()),
                    today,
                )
            });
            let state = if m.done_on.is_some() {
                t(lang, "report-milestone-done")
            } else if late {
                t(lang, "project-overdue")
            } else {
                t(lang, "report-milestone-pending")
            };
            vec![
                m.title.clone(),
                m.due_on.clone(),
                m.done_on.clone().unwrap_or_default(),
                state,
            ]
        })
        .collect();
    ReportTable {
        id: "project-milestones".into(),
        caption: t(lang, "project-milestones"),
        headers: vec![
            t(lang, "project-milestone-title"),
            t(lang, "project-due-on"),
            t(lang, "project-done-on"),
            t(lang, "report-status"),
        ],
        rows,
    }
}

struct PeriodInput {
    period: String,
    start: String,
    end: String,
}

fn period_input(q: Pairs) -> (PeriodInput, Result<GridPeriod, FieldErrors>) {
    let p = pairs(q);
    let input = PeriodInput {
        period: first(&p, "period"),
        start: first(&p, "start"),
        end: first(&p, "end"),
    };
    let chosen = svc::period_from(opt(&input.period), opt(&input.start), opt(&input.end));
    (input, chosen)
}

fn query_of(i: &PeriodInput, period: GridPeriod) -> String {
    if i.period.trim().is_empty() {
        String::new()
    } else {
        format!("period={}", period.code())
    }
}

pub async fn dashboard_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    q: Pairs,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let (input, chosen) = period_input(q);
    let manage = can_manage(&actor);
    match svc::dashboard(&state, &actor, &ctx.meta, id, chosen).await {
        Ok(d) => {
            let names: Vec<String> = d.areas.iter().map(|a| area_name(lang, a)).collect();
            let page = DashboardPage {
                ctx: ctx.page(),
                id: id.to_string(),
                code: d.project.code.clone(),
                title: d.project.name(lang).to_owned(),
                shown: period_text(lang, d.period),
                year: d.period.end.format("%Y").to_string(),
                query: query_of(&input, d.grid),
                period: input.period,
                indicators: d
                    .lines
                    .iter()
                    .map(|l| indicator_figure(lang, l, &names, d.period))
                    .collect(),
                budget: budget_figure(lang, &d.project),
                milestones: milestone_table(lang, &d.project, None),
                can_manage: manage,
            };
            Ok(render(&ctx, &state, StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = DashboardPage {
                ctx: ctx.page().with_errors(&errors),
                id: id.to_string(),
                code: String::new(),
                title: t(lang, "report-dashboard-title"),
                shown: String::new(),
                year: String::new(),
                query: String::new(),
                period: input.period,
                indicators: Vec::new(),
                budget: None,
                milestones: ReportTable::default(),
                can_manage: manage,
            };
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
        Err(e) => Err(service_err(&ctx)(e)),
    }
}

async fn export(
    state: AppState,
    ctx: Ctx,
    actor: elkarlan_domain::policy::Actor,
    raw: String,
    q: Pairs,
    xlsx: bool,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let (_, chosen) = period_input(q);
    let d = match svc::dashboard(&state, &actor, &ctx.meta, id, chosen).await {
        Ok(d) => d,
        Err(ServiceError::Invalid(_)) => {
            return Err(HtmlError::new(ctx.page(), StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => return Err(service_err(&ctx)(e)),
    };
    let headers: Vec<String> = [
        "report-section",
        "report-code",
        "report-indicator",
        "report-scope",
        "report-baseline",
        "report-target",
        "report-value",
        "report-period-legend",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let period = format!("{} – {}", d.period.start, d.period.end);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for l in &d.lines {
        let def = l.def;
        let base = figure(lang, def.unit, def.baseline).1;
        let target = figure(lang, def.unit, def.target_for(d.period)).1;
        let mut scopes = vec![(t(lang, "report-city"), Some(l.city))];
        for (a, p) in d.areas.iter().zip(&l.areas) {
            scopes.push((area_name(lang, a), *p));
        }
        for (scope, p) in scopes {
            rows.push(vec![
                t(lang, "report-indicators"),
                def.code.clone(),
                indicator_name(lang, def),
                scope,
                base.clone(),
                target.clone(),
                p.map_or_else(
                    || t(lang, "report-not-by-neighbourhood"),
                    |p| shown(lang, def, p).1,
                ),
                period.clone(),
            ]);
        }
    }
    for b in &d.project.budget {
        rows.push(vec![
            t(lang, "project-budget"),
            b.year.to_string(),
            t(lang, "project-planned"),
            String::new(),
            String::new(),
            String::new(),
            elkarlan_domain::employment::programme::format_euros(b.planned_cents),
            b.year.to_string(),
        ]);
        rows.push(vec![
            t(lang, "project-budget"),
            b.year.to_string(),
            t(lang, "project-executed"),
            String::new(),
            String::new(),
            String::new(),
            elkarlan_domain::employment::programme::format_euros(b.executed_cents),
            b.year.to_string(),
        ]);
    }
    let name = format!("dashboard-{}", d.project.code.to_lowercase());
    let (bytes, mime, ext) = if xlsx {
        (
            elkarlan_tabular::write_xlsx("dashboard", &headers, &rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{name}-{}.{ext}\"",
        d.period.start
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn export_csv(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    q: Pairs,
) -> Result<Response, HtmlError> {
    export(state, ctx, actor, raw, q, false).await
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    q: Pairs,
) -> Result<Response, HtmlError> {
    export(state, ctx, actor, raw, q, true).await
}

// Annual reports ----------------------------------------------------------------------------------

fn year_lines_table(
    lang: Lang,
    period: Period,
    id: &str,
    caption: String,
    lines: &[IndicatorLine],
) -> ReportTable {
    ReportTable {
        id: id.to_owned(),
        caption,
        headers: vec![
            t(lang, "report-indicator"),
            t(lang, "report-baseline"),
            t(lang, "report-target"),
            t(lang, "report-city"),
        ],
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    format!("{} – {}", l.def.code, indicator_name(lang, l.def)),
                    figure(lang, l.def.unit, l.def.baseline).1,
                    figure(lang, l.def.unit, l.def.target_for(period)).1,
                    shown(lang, l.def, l.city).1,
                ]
            })
            .collect(),
    }
}

fn report_project(
    lang: Lang,
    (year, period): (i32, Period),
    p: &Project,
    lines: &[IndicatorLine],
) -> ReportProject {
    let budget = p.budget.iter().find(|b| b.year == year);
    let milestones = milestone_table(lang, p, Some(year));
    let today = svc::today();
    let done = p
        .milestones
        .iter()
        .filter(|m| {
            m.done_on
                .as_deref()
                .is_some_and(|d| d.starts_with(&year.to_string()))
        })
        .count();
    let late = p
        .milestones
        .iter()
        .filter(|m| m.due_on.starts_with(&year.to_string()))
        .filter(|m| {
            m.due_on.parse().is_ok_and(|due| {
                overdue(
                    due,
                    m.done_on.as_deref().and_then(|x| x.parse().ok()),
                    today,
                )
            })
        })
        .count();
    let none = t(lang, "emp-none");
    let facts = vec![
        (t(lang, "project-status"), t(lang, &p.status.label_key())),
        (
            t(lang, "project-planned"),
            budget.map_or(none.clone(), |b| euros(lang, b.planned_cents)),
        ),
        (
            t(lang, "project-executed"),
            budget.map_or(none, |b| euros(lang, b.executed_cents)),
        ),
        (t(lang, "report-milestones-done"), done.to_string()),
        (t(lang, "report-milestones-overdue"), late.to_string()),
    ];
    let name = p.name(lang).to_owned();
    ReportProject {
        id: p.id.to_string(),
        code: p.code.clone(),
        facts,
        milestones: ReportTable {
            id: format!("milestones-{}", p.code),
            caption: t_args(lang, "report-milestones-caption", &[("name", &name)]),
            ..milestones
        },
        indicators: year_lines_table(
            lang,
            period,
            &format!("indicators-{}", p.code),
            t_args(lang, "report-indicators-caption", &[("name", &name)]),
            lines,
        ),
        name,
    }
}

async fn annual(
    state: AppState,
    ctx: Ctx,
    actor: elkarlan_domain::policy::Actor,
    project: Option<ProjectId>,
    q: Pairs,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let p = pairs(q);
    let raw_year = first(&p, "year");
    let chosen = svc::year_from(opt(&raw_year));
    let (action, back) = match project {
        Some(id) => (format!("/projects/{id}/report"), format!("/projects/{id}")),
        None => ("/reports/annual".to_owned(), "/projects".to_owned()),
    };
    match svc::annual(&state, &actor, &ctx.meta, project, chosen).await {
        Ok(r) => {
            let year = r.year.to_string();
            let title = match (project, r.projects.first()) {
                (Some(_), Some(p)) => format!(
                    "{}: {}",
                    p.project.name(lang),
                    t_args(lang, "report-annual-title", &[("year", &year)])
                ),
                _ => t_args(lang, "report-area-annual-title", &[("year", &year)]),
            };
            let page = AnnualPage {
                ctx: ctx.page(),
                title,
                action,
                back,
                projects: r
                    .projects
                    .iter()
                    .map(|p| report_project(lang, (r.year, r.period), &p.project, &p.lines))
                    .collect(),
                totals: project.is_none().then(|| {
                    year_lines_table(
                        lang,
                        r.period,
                        "area-totals",
                        t(lang, "report-area-totals"),
                        &r.totals,
                    )
                }),
                year,
            };
            Ok(render(&ctx, &state, StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = AnnualPage {
                ctx: ctx.page().with_errors(&errors),
                title: t(lang, "report-annual-heading"),
                action,
                back,
                year: raw_year,
                projects: Vec::new(),
                totals: None,
            };
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
        Err(e) => Err(service_err(&ctx)(e)),
    }
}

pub async fn project_report(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    q: Pairs,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    annual(state, ctx, actor, Some(id), q).await
}

pub async fn area_report(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    q: Pairs,
) -> Result<Response, HtmlError> {
    annual(state, ctx, actor, None, q).await
}
