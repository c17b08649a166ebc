//! Casework inside a case: the needs assessment, the joint plan (goals and actions), notes and
//! coordination meetings, and the sections of the case page that show them. Handlers translate
//! between forms and `services::casework`, which holds every rule.

use super::form::{CsrfForm, Fields, date_errors, field_errors, join_date, parse_path};
use super::labels::{agency_list, domain_label, domain_name, key_of, name_of};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::casework::{
    self as svc, ActionInput, ActionStatusInput, AssessmentInput, GoalInput, MeetingActionInput,
    MeetingInput, NoteInput,
};
use crate::services::inclusion::authorize_on_case;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::inclusion::case::Severity;
use elkarlan_domain::inclusion::instrument::Instrument;
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{CaseId, FieldErrors, Lang};
use elkarlan_service::models::agencies::Agency;
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t};

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add(
        "GET",
        "/cases/{id}/assessments/new",
        get(assessment_new_page),
    )
    .add(
        "POST",
        "/cases/{id}/assessments/new",
        post(assessment_new_submit),
    )
    .add("GET", "/cases/{id}/goals/new", get(goal_new_page))
    .add("POST", "/cases/{id}/goals/new", post(goal_new_submit))
    .add("GET", "/cases/{id}/actions/new", get(action_new_page))
    .add("POST", "/cases/{id}/actions/new", post(action_new_submit))
    .add("GET", "/cases/{id}/notes/new", get(note_new_page))
    .add("POST", "/cases/{id}/notes/new", post(note_new_submit))
    .add("GET", "/cases/{id}/meetings/new", get(meeting_new_page))
    .add("POST", "/cases/{id}/meetings/new", post(meeting_new_submit))
    .add(
        "POST",
        "/cases/{id}/actions/{action}/status",
        post(action_status_submit),
    )
}

/// Agreed-action rows offered on the meeting form.
const MEETING_ACTION_ROWS: usize = 3;
fn option(value: &str, label: String, selected: &str) -> SelectOption {
    SelectOption {
        value: value.to_owned(),
        label,
        selected: value == selected,
    }
}

fn choice(value: &str, label: String, hint: String, checked: bool) -> Choice {
    Choice {
        value: value.to_owned(),
        label,
        checked,
        hint,
    }
}

struct FormSpec {
    title_key: &'static str,
    path: &'static str,
    form_id: &'static str,
    submit_id: &'static str,
    submit_key: &'static str,
}

fn form_page(
    ctx: &Ctx,
    page: PageCtx,
    id: CaseId,
    spec: &FormSpec,
    intro: String,
    fields: Vec<FormField>,
) -> FormPage {
    FormPage {
        ctx: page,
        title: t(ctx.lang, spec.title_key),
        caption: t(ctx.lang, "case-title"),
        intro,
        back: format!("/cases/{id}"),
        action: format!("/cases/{id}/{}", spec.path),
        form_id: spec.form_id,
        hidden: Vec::new(),
        fields,
        submit_id: spec.submit_id,
        submit: t(ctx.lang, spec.submit_key),
    }
}

fn textarea(ctx: &Ctx, id: &str, label_key: &str, hint_key: &str, f: &Fields) -> FormField {
    FormField::Textarea {
        id: id.to_owned(),
        label: t(ctx.lang, label_key),
        hint: if hint_key.is_empty() {
            String::new()
        } else {
            t(ctx.lang, hint_key)
        },
        value: f.get(id),
    }
}

fn date_field(ctx: &Ctx, id: &str, legend_key: &str, hint_key: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(ctx.lang, legend_key),
        hint: t(ctx.lang, hint_key),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

fn date_value(f: &Fields, id: &str) -> String {
    join_date(
        &f.get(&format!("{id}-day")),
        &f.get(&format!("{id}-month")),
        &f.get(&format!("{id}-year")),
    )
}

fn agency_options(lang: Lang, all: &[Agency], chosen: &str, empty_key: &str) -> Vec<SelectOption> {
    let mut out = vec![option("", t(lang, empty_key), chosen)];
    out.extend(
        all.iter()
            .filter(|a| a.active)
            .map(|a| option(&a.id.to_string(), name_of(lang, all, a.id), chosen)),
    );
    out
}

/// Renders the form again with the input's errors.
fn refused(
    ctx: &Ctx,
    state: &AppState,
    errors: FieldErrors,
    rename: impl Fn(FieldErrors) -> FieldErrors,
    build: impl FnOnce(PageCtx) -> FormPage,
) -> Result<Response, HtmlError> {
    let errors = rename(errors);
    let page = build(ctx.page().with_errors(&errors));
    Ok(render(ctx, state, StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn done(id: CaseId, notice: &str, anchor: &str) -> Response {
    see_other(&format!("/cases/{id}?notice={notice}#{anchor}"))
}

// Assessment ----------------------------------------------------------------------------------

const ASSESSMENT: FormSpec = FormSpec {
    title_key: "assessment-new-title",
    path: "assessments/new",
    form_id: "assessment-form",
    submit_id: "save-assessment",
    submit_key: "assessment-save",
};

fn assessment_fields(ctx: &Ctx, instrument: &Instrument, f: &Fields) -> Vec<FormField> {
    let lang = ctx.lang;
    let mut out: Vec<FormField> = instrument
        .domains
        .iter()
        .map(|d| {
            let id = format!("domain-{}", d.code);
            let chosen = f.get(&id);
            let mut options = vec![option("", t(lang, "assessment-not-assessed"), &chosen)];
            options.extend(
                Severity::ALL
                    .into_iter()
                    .map(|s| option(s.code(), t(lang, &key_of("severity", s.code())), &chosen)),
            );
            FormField::Select {
                id,
                label: domain_name(lang, d),
                hint: String::new(),
                options,
            }
        })
        .collect();
    out.push(textarea(
        ctx,
        "summary",
        "assessment-summary",
        "assessment-summary-hint",
        f,
    ));
    out
}

async fn current_instrument(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Instrument, HtmlError> {
    crate::services::reference::current_instrument(state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))
}

fn assessment_page(ctx: &Ctx, page: PageCtx, id: CaseId, ins: &Instrument, f: &Fields) -> FormPage {
    let intro = ctx
        .page()
        .t_with("assessment-intro", "version", &ins.version.to_string());
    form_page(
        ctx,
        page,
        id,
        &ASSESSMENT,
        intro,
        assessment_fields(ctx, ins, f),
    )
}

async fn contribution_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    raw: &str,
) -> Result<CaseId, HtmlError> {
    let id: CaseId = parse_path(ctx, raw)?;
    authorize_on_case(state, actor, &ctx.meta, id, Action::ContributeToCase)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))?;
    Ok(id)
}

pub async fn assessment_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id = contribution_form(&state, &ctx, &actor, &raw).await?;
    let ins = current_instrument(&state, &ctx, &actor).await?;
    let page = assessment_page(&ctx, ctx.page(), id, &ins, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn assessment_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let ins = current_instrument(&state, &ctx, &actor).await?;
    let input = AssessmentInput {
        summary: f.get("summary"),
        domains: ins
            .domains
            .iter()
            .filter_map(|d| {
                let v = f.get(&format!("domain-{}", d.code));
                (!v.trim().is_empty()).then(|| (d.code.clone(), v))
            })
            .collect(),
    };
    match svc::record_assessment(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(done(id, "assessment-recorded", "assessment-heading")),
        Err(e) => {
            let e = field_errors(&ctx, e)?;
            let first = ins
                .domains
                .first()
                .map(|d| format!("domain-{}", d.code))
                .unwrap_or_default();
            refused(
                &ctx,
                &state,
                e,
                |mut errors| {
                    for err in &mut errors.0 {
                        if err.field == "domains" {
                            err.field = first.clone();
                        }
                    }
                    errors
                },
                |page| assessment_page(&ctx, page, id, &ins, &f),
            )
        }
    }
}

// Goal ----------------------------------------------------------------------------------------

const GOAL: FormSpec = FormSpec {
    title_key: "goal-new-title",
    path: "goals/new",
    form_id: "goal-form",
    submit_id: "save-goal",
    submit_key: "goal-save",
};

fn goal_page(ctx: &Ctx, page: PageCtx, id: CaseId, ins: &Instrument, f: &Fields) -> FormPage {
    let chosen = f.get("domain");
    let mut options = vec![option("", t(ctx.lang, "goal-domain-choose"), &chosen)];
    options.extend(
        ins.domains
            .iter()
            .map(|d| option(&d.code, domain_name(ctx.lang, d), &chosen)),
    );
    let fields = vec![
        FormField::Select {
            id: "domain".into(),
            label: t(ctx.lang, "goal-domain"),
            hint: String::new(),
            options,
        },
        textarea(
            ctx,
            "description",
            "goal-description",
            "goal-description-hint",
            f,
        ),
    ];
    form_page(ctx, page, id, &GOAL, String::new(), fields)
}

pub async fn goal_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id = contribution_form(&state, &ctx, &actor, &raw).await?;
    let ins = current_instrument(&state, &ctx, &actor).await?;
    let page = goal_page(&ctx, ctx.page(), id, &ins, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn goal_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let input = GoalInput {
        domain: f.get("domain"),
        description: f.get("description"),
    };
    match svc::add_goal(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(done(id, "goal-added", "plan-heading")),
        Err(e) => {
            let e = field_errors(&ctx, e)?;
            let ins = current_instrument(&state, &ctx, &actor).await?;
            refused(
                &ctx,
                &state,
                e,
                |e| e,
                |page| goal_page(&ctx, page, id, &ins, &f),
            )
        }
    }
}

// Action --------------------------------------------------------------------------------------

const ACTION: FormSpec = FormSpec {
    title_key: "action-new-title",
    path: "actions/new",
    form_id: "action-form",
    submit_id: "save-action",
    submit_key: "action-save",
};

fn action_page(
    ctx: &Ctx,
    page: PageCtx,
    id: CaseId,
    goals: &[(String, String)],
    all: &[Agency],
    f: &Fields,
) -> FormPage {
    let goal = f.get("goal");
    let mut goal_options = vec![option("", t(ctx.lang, "action-goal-none"), &goal)];
    goal_options.extend(goals.iter().map(|(v, l)| option(v, l.clone(), &goal)));
    let fields = vec![
        FormField::Select {
            id: "goal".into(),
            label: t(ctx.lang, "action-goal"),
            hint: String::new(),
            options: goal_options,
        },
        FormField::Select {
            id: "agency".into(),
            label: t(ctx.lang, "action-agency"),
            hint: t(ctx.lang, "action-agency-hint"),
            options: agency_options(ctx.lang, all, &f.get("agency"), "action-agency-choose"),
        },
        textarea(ctx, "description", "action-description", "", f),
        date_field(ctx, "due_on", "action-due", "action-due-hint", f),
    ];
    form_page(ctx, page, id, &ACTION, String::new(), fields)
}

/// The plan's goals as the actor may see them, to choose the one an action serves.
async fn goal_choices(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
) -> Result<Vec<(String, String)>, HtmlError> {
    let w = svc::casework(state, actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))?;
    Ok(w.goals
        .iter()
        .map(|g| {
            (
                g.id.to_string(),
                format!(
                    "{}: {}",
                    domain_label(ctx.lang, &w.instruments, None, &g.domain),
                    g.description
                ),
            )
        })
        .collect())
}

pub async fn action_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id = contribution_form(&state, &ctx, &actor, &raw).await?;
    let goals = goal_choices(&state, &ctx, &actor, id).await?;
    let all = agency_list(&state, &ctx, &actor).await?;
    let page = action_page(&ctx, ctx.page(), id, &goals, &all, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn action_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let input = ActionInput {
        goal: f.get("goal"),
        agency: f.get("agency"),
        description: f.get("description"),
        due_on: date_value(&f, "due_on"),
    };
    match svc::add_action(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(done(id, "action-added", "plan-heading")),
        Err(e) => {
            let e = field_errors(&ctx, e)?;
            let goals = goal_choices(&state, &ctx, &actor, id).await?;
            let all = agency_list(&state, &ctx, &actor).await?;
            refused(
                &ctx,
                &state,
                e,
                |e| date_errors(e, "due_on", None),
                |page| action_page(&ctx, page, id, &goals, &all, &f),
            )
        }
    }
}

pub async fn action_status_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let action: uuid::Uuid = parse_path(&ctx, &raw_action)?;
    let input = ActionStatusInput {
        status: f.get("status"),
        version: f.get("version").trim().parse().unwrap_or(-1),
    };
    let field = format!("action-{action}-status");
    let (errors, status) =
        match svc::set_action_status(&state, &actor, &ctx.meta, id, action, &input).await {
            Ok(()) => return Ok(done(id, "action-status-saved", "plan-heading")),
            Err(ServiceError::Stale) => {
                let mut e = FieldErrors::new();
                e.add(&field, "error-record-changed");
                (e, StatusCode::CONFLICT)
            }
            Err(e) => {
                let mut renamed = FieldErrors::new();
                for err in field_errors(&ctx, e)?.0 {
                    renamed.add(&field, err.key);
                }
                (renamed, StatusCode::UNPROCESSABLE_ENTITY)
            }
        };
    super::inclusion::case_page_with_errors(&state, &ctx, &actor, id, &errors, status).await
}

// Note ----------------------------------------------------------------------------------------

const NOTE: FormSpec = FormSpec {
    title_key: "note-new-title",
    path: "notes/new",
    form_id: "note-form",
    submit_id: "save-note",
    submit_key: "note-save",
};

fn note_page(ctx: &Ctx, page: PageCtx, id: CaseId, actor: &Actor, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    let chosen = f.get("confidentiality");
    let chosen = if chosen.is_empty() {
        "team".to_owned()
    } else {
        chosen
    };
    let clinical = actor.agency_system.is_some_and(|s| s.is_health());
    let levels = ["team", "agency", "author"]
        .into_iter()
        .filter(|l| !(clinical && *l == "team"))
        .map(|l| {
            choice(
                l,
                t(lang, &key_of("note-level", l)),
                t(lang, &key_of("note-level-hint", l)),
                chosen == l,
            )
        })
        .collect();
    let fields = vec![
        textarea(ctx, "body", "note-body", "note-body-hint", f),
        FormField::Choices {
            id: "confidentiality".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "note-level-legend"),
            hint: String::new(),
            options: levels,
        },
    ];
    let intro = if clinical {
        t(lang, "note-clinical-intro")
    } else {
        String::new()
    };
    form_page(ctx, page, id, &NOTE, intro, fields)
}

pub async fn note_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id = contribution_form(&state, &ctx, &actor, &raw).await?;
    let page = note_page(&ctx, ctx.page(), id, &actor, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn note_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let input = NoteInput {
        body: f.get("body"),
        confidentiality: f.get("confidentiality"),
    };
    match svc::add_note(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(done(id, "note-added", "notes-heading")),
        Err(e) => {
            let e = field_errors(&ctx, e)?;
            refused(
                &ctx,
                &state,
                e,
                |e| e,
                |page| note_page(&ctx, page, id, &actor, &f),
            )
        }
    }
}

// Meeting -------------------------------------------------------------------------------------

const MEETING: FormSpec = FormSpec {
    title_key: "meeting-new-title",
    path: "meetings/new",
    form_id: "meeting-form",
    submit_id: "save-meeting",
    submit_key: "meeting-save",
};

fn meeting_page(ctx: &Ctx, page: PageCtx, id: CaseId, all: &[Agency], f: &Fields) -> FormPage {
    let lang = ctx.lang;
    let present = f.all("agencies");
    let mut fields = vec![
        date_field(ctx, "held_on", "meeting-held-on", "meeting-held-on-hint", f),
        FormField::Choices {
            id: "agencies".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "meeting-agencies"),
            hint: String::new(),
            options: all
                .iter()
                .filter(|a| a.active)
                .map(|a| {
                    let v = a.id.to_string();
                    let checked = present.contains(&v);
                    choice(&v, name_of(lang, all, a.id), String::new(), checked)
                })
                .collect(),
        },
        textarea(ctx, "minutes", "meeting-minutes", "meeting-minutes-hint", f),
    ];
    for n in 1..=MEETING_ACTION_ROWS {
        let p = format!("action-{n}");
        fields.push(FormField::Heading(ctx.page().t_with(
            "meeting-action-heading",
            "n",
            &n.to_string(),
        )));
        fields.push(FormField::Select {
            id: format!("{p}-agency"),
            label: t(lang, "action-agency"),
            hint: String::new(),
            options: agency_options(
                lang,
                all,
                &f.get(&format!("{p}-agency")),
                "action-agency-choose",
            ),
        });
        fields.push(FormField::Text {
            id: format!("{p}-description"),
            label: t(lang, "action-description"),
            hint: String::new(),
            value: f.get(&format!("{p}-description")),
            width: "",
        });
        fields.push(date_field(
            ctx,
            &format!("{p}-due"),
            "action-due",
            "action-due-hint",
            f,
        ));
    }
    let intro = t(lang, "meeting-intro");
    form_page(ctx, page, id, &MEETING, intro, fields)
}

pub async fn meeting_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    // The page names a case: a refusal answers as a case that does not exist.
    authorize_on_case(&state, &actor, &ctx.meta, id, Action::RecordMeeting)
        .await
        .map_err(crate::services::conceal)
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let id = contribution_form(&state, &ctx, &actor, &raw).await?;
    let all = agency_list(&state, &ctx, &actor).await?;
    let page = meeting_page(&ctx, ctx.page(), id, &all, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn meeting_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    // The case the page names is decided first, as on every route that names a case.
    authorize_on_case(&state, &actor, &ctx.meta, id, Action::ContributeToCase)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    // Rows left blank are not actions; `rows[i]` is the form row of the i-th action sent.
    let mut rows = Vec::new();
    let mut actions = Vec::new();
    for n in 1..=MEETING_ACTION_ROWS {
        let p = format!("action-{n}");
        let agency = f.get(&format!("{p}-agency"));
        let description = f.get(&format!("{p}-description"));
        let due_on = date_value(&f, &format!("{p}-due"));
        if agency.trim().is_empty() && description.trim().is_empty() && due_on.is_empty() {
            continue;
        }
        rows.push(n);
        actions.push(MeetingActionInput {
            case: id.to_string(),
            agency,
            description,
            due_on,
        });
    }
    let input = MeetingInput {
        held_on: date_value(&f, "held_on"),
        minutes: f.get("minutes"),
        agencies: f.all("agencies"),
        cases: vec![id.to_string()],
        actions,
    };
    match svc::record_meeting(&state, &actor, &ctx.meta, &input).await {
        Ok(_) => Ok(done(id, "meeting-recorded", "meetings-heading")),
        Err(e) => {
            let e = field_errors(&ctx, e)?;
            let all = agency_list(&state, &ctx, &actor).await?;
            let rename = |errors: FieldErrors| {
                let mut out = date_errors(errors, "held_on", None);
                for err in &mut out.0 {
                    let parts: Vec<&str> = err.field.split('.').collect();
                    if let ["actions", i, field] = parts.as_slice() {
                        let n = i
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| rows.get(i))
                            .copied()
                            .unwrap_or(1);
                        err.field = match *field {
                            "due_on" => format!("action-{n}-due-day"),
                            other => format!("action-{n}-{other}"),
                        };
                    }
                }
                out
            };
            refused(&ctx, &state, e, rename, |page| {
                meeting_page(&ctx, page, id, &all, &f)
            })
        }
    }
}
