//! Pages for the area's strategic projects. The coordinator keeps them; the analyst reads the
//! list and each project. Handlers only translate between forms and `services::projects`.

use super::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use super::form_fields::{choice, code_options, date_field, form, option, select, text, textarea};
use super::labels::{area_name, euros};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::projects::{self as svc, Choices};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::portfolio::{LinkInput, MilestoneInput, ProjectInput, ProjectStatus, overdue};
use elkarlan_domain::{FieldErrors, Lang, ProjectId};
use elkarlan_service::models::projects::Project;
use elkarlan_templates::projects::{
    BudgetRow, MilestoneRow, ProjectPage, ProjectRow, ProjectsPage,
};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/projects", get(list_page))
        .add("GET", "/projects/new", get(new_page))
        .add("POST", "/projects/new", post(new_submit))
        .add("GET", "/projects/{project}", get(project_page))
        .add("GET", "/projects/{project}/edit", get(edit_page))
        .add("POST", "/projects/{project}/edit", post(edit_submit))
        .add("GET", "/projects/{project}/links/new", get(link_page))
        .add("POST", "/projects/{project}/links/new", post(link_submit))
        .add(
            "GET",
            "/projects/{project}/milestones/new",
            get(milestone_page),
        )
        .add(
            "POST",
            "/projects/{project}/milestones/new",
            post(milestone_submit),
        )
}

/// Success messages chosen by the redirect: only these keys are shown.
const NOTICES: [&str; 4] = [
    "project-saved",
    "report-indicators-saved",
    "project-link-saved",
    "project-milestone-saved",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("notice-{key}")));
    }
    page
}

fn years(p: &Project) -> String {
    let y = |s: &str| s.get(..4).unwrap_or(s).to_owned();
    let (a, b) = (y(&p.starts_on), y(&p.ends_on));
    if a == b { a } else { format!("{a}–{b}") }
}

pub async fn list_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::list(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let rows = list
        .iter()
        .map(|p| ProjectRow {
            id: p.id.to_string(),
            code: p.code.clone(),
            name: p.name(lang).to_owned(),
            status: t(lang, &p.status.label_key()),
            years: years(p),
            planned: euros(lang, p.planned_cents()),
            executed: euros(lang, p.executed_cents()),
            overspent: p.executed_cents() > p.planned_cents(),
        })
        .collect();
    let can_manage =
        crate::services::permits(&actor, elkarlan_domain::policy::Action::ManagePortfolio);
    let page = ProjectsPage {
        ctx: page_with(&ctx, &n),
        rows,
        can_manage,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn project_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let d = svc::detail(&state, &actor, &ctx.meta, id, lang)
        .await
        .map_err(service_err(&ctx))?;
    let p = &d.project;
    let none = t(lang, "emp-none");
    let or_none = |v: String| if v.is_empty() { none.clone() } else { v };
    let areas: Vec<String> = p
        .neighbourhoods
        .iter()
        .filter_map(|n| d.areas.iter().find(|a| a.id == *n))
        .map(|a| area_name(lang, a))
        .collect();
    let facts = vec![
        (
            t(
                lang,
                if lang == Lang::Eu {
                    "project-name-es"
                } else {
                    "project-name-eu"
                },
            ),
            if lang == Lang::Eu {
                p.name_es.clone()
            } else {
                p.name_eu.clone()
            },
        ),
        (t(lang, "project-objectives"), or_none(p.objectives.clone())),
        (t(lang, "project-starts-on"), p.starts_on.clone()),
        (t(lang, "project-ends-on"), p.ends_on.clone()),
        (t(lang, "project-neighbourhoods"), or_none(areas.join(", "))),
        (
            t(lang, "project-partners"),
            or_none(
                p.partners
                    .iter()
                    .map(|x| x.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
    ];
    let codes = crate::services::reports::project_indicators(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?
        .1;
    let indicators = codes
        .iter()
        .filter_map(|c| elkarlan_domain::indicators::catalogue::find(c))
        .map(|d| (d.code.clone(), super::reports::indicator_name(lang, d)))
        .collect();
    let today = svc::today();
    let page = ProjectPage {
        ctx: page_with(&ctx, &n),
        id: p.id.to_string(),
        code: p.code.clone(),
        title: p.name(lang).to_owned(),
        status: t(lang, &p.status.label_key()),
        facts,
        budget: p
            .budget
            .iter()
            .map(|b| BudgetRow {
                year: b.year,
                planned: euros(lang, b.planned_cents),
                executed: euros(lang, b.executed_cents),
                overspent: b.executed_cents > b.planned_cents,
            })
            .collect(),
        total_planned: euros(lang, p.planned_cents()),
        total_executed: euros(lang, p.executed_cents()),
        links: d
            .links
            .iter()
            .map(|l| (t(lang, &l.kind.label_key()), l.name.clone(), l.href.clone()))
            .collect(),
        milestones: p
            .milestones
            .iter()
            .map(|m| MilestoneRow {
                title: m.title.clone(),
                due_on: m.due_on.clone(),
                done_on: m.done_on.clone().unwrap_or_default(),
                overdue: m.due_on.parse().is_ok_and(|due| {
                    overdue(
                        due,
                        m.done_on.as_deref().and_then(|x| x.parse().ok()),
                        today,
                    )
                }),
            })
            .collect(),
        indicators,
        none,
        can_manage: d.can_manage,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

// The project form --------------------------------------------------------------------------------

const DATES: [&str; 2] = ["starts_on", "ends_on"];
const FIELDS: [&str; 8] = [
    "code",
    "name_eu",
    "name_es",
    "objectives",
    "status",
    "neighbourhoods",
    "partners",
    "budget",
];

fn project_input(f: &Fields) -> ProjectInput {
    ProjectInput {
        code: f.get("code"),
        name_eu: f.get("name_eu"),
        name_es: f.get("name_es"),
        objectives: f.get("objectives"),
        status: f.get("status"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        neighbourhoods: f.all("neighbourhoods"),
        partners: f.all("partners"),
        budget: f.get("budget"),
    }
}

fn project_fields(lang: Lang, c: &Choices, f: &Fields) -> Vec<FormField> {
    let areas = f.all("neighbourhoods");
    let partners = f.all("partners");
    vec![
        text(lang, "code", "project-code", "project-code-hint", f),
        text(lang, "name_eu", "project-name-eu", "", f),
        text(lang, "name_es", "project-name-es", "", f),
        textarea(lang, "objectives", "project-objectives", "", f),
        select(
            lang,
            "status",
            "project-status",
            code_options(
                lang,
                ProjectStatus::ALL,
                ProjectStatus::code,
                ProjectStatus::label_key,
                &f.get("status"),
                Some("emp-choose"),
            ),
        ),
        date_field(lang, "starts_on", "project-starts-on", f),
        date_field(lang, "ends_on", "project-ends-on", f),
        FormField::Choices {
            id: "neighbourhoods".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "project-neighbourhoods"),
            hint: String::new(),
            options: c
                .areas
                .iter()
                .filter(|a| a.kind == "neighbourhood")
                .map(|a| {
                    let v = a.id.to_string();
                    let checked = areas.contains(&v);
                    choice(&v, area_name(lang, a), checked)
                })
                .collect(),
        },
        FormField::Choices {
            id: "partners".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "project-partners"),
            hint: String::new(),
            options: c
                .organisations
                .iter()
                .map(|(o, name)| {
                    let v = o.to_string();
                    let checked = partners.contains(&v);
                    choice(&v, name.clone(), checked)
                })
                .collect(),
        },
        textarea(lang, "budget", "project-budget", "project-budget-hint", f),
    ]
}

fn project_form(
    lang: Lang,
    page: PageCtx,
    c: &Choices,
    edit: Option<(ProjectId, i64)>,
    f: &Fields,
) -> FormPage {
    let fields = project_fields(lang, c, f);
    match edit {
        None => form(
            page,
            lang,
            "project-new-title",
            t(lang, "projects-title"),
            "/projects".into(),
            "/projects/new".into(),
            "project-form",
            Vec::new(),
            fields,
            "project-save",
        ),
        Some((id, version)) => form(
            page,
            lang,
            "project-edit-title",
            t(lang, "project-caption"),
            format!("/projects/{id}"),
            format!("/projects/{id}/edit"),
            "project-form",
            vec![("version".into(), version.to_string())],
            fields,
            "project-save",
        ),
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
        .await
        .map_err(service_err(&ctx))?;
    let f = Fields::from_pairs(vec![("status".into(), "planned".into())]);
    let page = project_form(ctx.lang, ctx.page(), &c, None, &f);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    match svc::create(&state, &actor, &ctx.meta, &project_input(&f), None).await {
        Ok(id) => Ok(see_other(&format!("/projects/{id}?notice=project-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "code")?;
            let errors = place_errors(errors, &DATES, &FIELDS, "code");
            let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
                .await
                .map_err(service_err(&ctx))?;
            let page = project_form(ctx.lang, ctx.page().with_errors(&errors), &c, None, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn project_values(p: &Project) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("code".into(), p.code.clone()),
        ("name_eu".into(), p.name_eu.clone()),
        ("name_es".into(), p.name_es.clone()),
        ("objectives".into(), p.objectives.clone()),
        ("status".into(), p.status.code().into()),
        (
            "budget".into(),
            p.budget
                .iter()
                .map(|b| {
                    format!(
                        "{}; {}; {}",
                        b.year,
                        format_euros(b.planned_cents),
                        format_euros(b.executed_cents)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    v.extend(
        p.neighbourhoods
            .iter()
            .map(|n| ("neighbourhoods".into(), n.to_string())),
    );
    v.extend(
        p.partners
            .iter()
            .map(|o| ("partners".into(), o.organisation.to_string())),
    );
    date_pairs("starts_on", &p.starts_on, &mut v);
    date_pairs("ends_on", &p.ends_on, &mut v);
    Fields::from_pairs(v)
}

pub async fn edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
        .await
        .map_err(service_err(&ctx))?;
    let p = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = project_form(
        ctx.lang,
        ctx.page(),
        &c,
        Some((id, p.version)),
        &project_values(&p),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &project_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/projects/{id}?notice=project-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "code")?;
            let errors = place_errors(errors, &DATES, &FIELDS, "code");
            let current = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                current.version
            } else {
                version
            };
            let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
                .await
                .map_err(service_err(&ctx))?;
            let page = project_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                &c,
                Some((id, version)),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Links and milestones ----------------------------------------------------------------------------

fn link_form(lang: Lang, page: PageCtx, c: &Choices, id: ProjectId, f: &Fields) -> FormPage {
    let chosen = f.get("target");
    let mut options = vec![option("", t(lang, "emp-choose"), &chosen)];
    options.extend(c.targets.iter().map(|l| {
        option(
            &format!("{}:{}", l.kind.code(), l.id),
            format!("{}: {}", t(lang, &l.kind.label_key()), l.name),
            &chosen,
        )
    }));
    form(
        page,
        lang,
        "project-link-new-title",
        t(lang, "project-caption"),
        format!("/projects/{id}"),
        format!("/projects/{id}/links/new"),
        "project-link-form",
        Vec::new(),
        vec![select(lang, "target", "project-link-target", options)],
        "project-link-save",
    )
}

pub async fn link_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
        .await
        .map_err(service_err(&ctx))?;
    svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = link_form(
        ctx.lang,
        ctx.page(),
        &c,
        id,
        &Fields::from_pairs(Vec::new()),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn link_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let value = f.get("target");
    let (kind, target) = value.split_once(':').unwrap_or(("", value.as_str()));
    let input = LinkInput {
        kind: kind.to_owned(),
        target: target.to_owned(),
    };
    match svc::add_link(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/projects/{id}?notice=project-link-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "target")?;
            let mut placed = FieldErrors::new();
            for e in errors.0 {
                placed.add("target", e.key);
            }
            let c = svc::choices(&state, &actor, &ctx.meta, ctx.lang)
                .await
                .map_err(service_err(&ctx))?;
            let page = link_form(ctx.lang, ctx.page().with_errors(&placed), &c, id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn milestone_form(lang: Lang, page: PageCtx, id: ProjectId, f: &Fields) -> FormPage {
    form(
        page,
        lang,
        "project-milestone-new-title",
        t(lang, "project-caption"),
        format!("/projects/{id}"),
        format!("/projects/{id}/milestones/new"),
        "project-milestone-form",
        Vec::new(),
        vec![
            text(lang, "title", "project-milestone-title", "", f),
            date_field(lang, "due_on", "project-due-on", f),
            date_field(lang, "done_on", "project-done-on", f),
        ],
        "project-milestone-save",
    )
}

pub async fn milestone_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    svc::choices(&state, &actor, &ctx.meta, ctx.lang)
        .await
        .map_err(service_err(&ctx))?;
    svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = milestone_form(ctx.lang, ctx.page(), id, &Fields::from_pairs(Vec::new()));
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn milestone_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProjectId = parse_path(&ctx, &raw)?;
    let input = MilestoneInput {
        title: f.get("title"),
        due_on: date_value(&f, "due_on"),
        done_on: date_value(&f, "done_on"),
    };
    match svc::add_milestone(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/projects/{id}?notice=project-milestone-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title")?;
            let errors = place_errors(errors, &["due_on", "done_on"], &["title"], "title");
            let page = milestone_form(ctx.lang, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
