//! A programme's training actions (courses): the page of one, with its sessions, and the form
//! that adds or edits one.

use super::{
    Notice, STARTS_AND_ENDS, action_title, agency_options, dates, occupation_label,
    occupation_options, page_with,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{
    choice, code_options, date_field, form, narrow, option, select, text, textarea,
};
use crate::html::labels::{agency_list, area_name, key_of, name_of, neighbourhoods};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::employment as svc;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::TrainingStatus;
use elkarlan_domain::employment::training::TrainingActionInput;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, ProgrammeId, TrainingActionId};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::programmes::TrainingAction;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::employment::{Link, TrainingActionPage};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

const WEEKDAY_CODES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn action_fields(
    lang: Lang,
    all: &[Agency],
    areas: &[Area],
    actor: &Actor,
    f: &Fields,
) -> Vec<FormField> {
    let chosen_days = f.all("weekdays");
    // Training staff add courses for their own entity only: the list offers just that one.
    let providers: Vec<Agency> = all
        .iter()
        .filter(|a| {
            actor.role != elkarlan_domain::account::Role::TrainingEntityStaff
                || Some(a.id) == actor.agency
        })
        .cloned()
        .collect();
    let mut area_opts = vec![option("", t(lang, "emp-none"), &f.get("neighbourhood"))];
    area_opts.extend(areas.iter().map(|a| {
        option(
            &a.id.to_string(),
            area_name(lang, a),
            &f.get("neighbourhood"),
        )
    }));
    let language = f.get("language");
    vec![
        select(
            lang,
            "provider",
            "action-provider",
            agency_options(lang, &providers, &f.get("provider"), true),
        ),
        text(lang, "title_eu", "action-title-eu", "", f),
        text(lang, "title_es", "action-title-es", "", f),
        select(
            lang,
            "status",
            "emp-col-status",
            code_options(
                lang,
                TrainingStatus::ALL,
                TrainingStatus::code,
                TrainingStatus::label_key,
                &f.get("status"),
                None,
            ),
        ),
        narrow(lang, "hours", "action-hours", "", f),
        narrow(lang, "places", "programme-places", "", f),
        text(lang, "location", "action-location", "", f),
        select(lang, "neighbourhood", "programme-neighbourhoods", area_opts),
        select(
            lang,
            "occupation",
            "action-occupation",
            occupation_options(lang, &f.get("occupation")),
        ),
        textarea(lang, "skills", "action-skills", "action-skills-hint", f),
        text(
            lang,
            "certificate",
            "action-certificate",
            "action-certificate-hint",
            f,
        ),
        FormField::Choices {
            id: "language".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "action-language"),
            hint: String::new(),
            options: ["eu", "es", "eu_es"]
                .iter()
                .map(|l| choice(l, t(lang, &key_of("action-language", l)), language == *l))
                .collect(),
        },
        date_field(lang, "starts_on", "emp-starts-on", f),
        date_field(lang, "ends_on", "emp-ends-on", f),
        FormField::Choices {
            id: "weekdays".into(),
            kind: "checkbox",
            group: "checkboxes",
            legend: t(lang, "action-weekdays"),
            hint: String::new(),
            options: WEEKDAY_CODES
                .iter()
                .map(|d| {
                    choice(
                        d,
                        t(lang, &format!("emp-weekday-{d}")),
                        chosen_days.iter().any(|x| x == d),
                    )
                })
                .collect(),
        },
        narrow(lang, "time_from", "action-time-from", "action-time-hint", f),
        narrow(lang, "time_to", "action-time-to", "action-time-hint", f),
        textarea(
            lang,
            "eligibility",
            "action-eligibility",
            "action-eligibility-hint",
            f,
        ),
    ]
}

fn action_input(f: &Fields) -> TrainingActionInput {
    TrainingActionInput {
        provider: f.get("provider"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        status: f.get("status"),
        hours: f.get("hours"),
        places: f.get("places"),
        location: f.get("location"),
        neighbourhood: f.get("neighbourhood"),
        occupation: f.get("occupation"),
        skills: f.get("skills"),
        certificate: f.get("certificate"),
        language: f.get("language"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        weekdays: f.all("weekdays"),
        time_from: f.get("time_from"),
        time_to: f.get("time_to"),
        eligibility: f.get("eligibility"),
    }
}

enum ActionForm {
    New(ProgrammeId),
    Edit(TrainingActionId, i64),
}

async fn action_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    mode: ActionForm,
    caption: String,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let all = agency_list(state, ctx, actor).await?;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let fields = action_fields(lang, &all, &areas, actor, f);
    Ok(match mode {
        ActionForm::New(p) => form(
            page,
            lang,
            "training-new-title",
            caption,
            format!("/programmes/{p}"),
            format!("/programmes/{p}/actions/new"),
            "action-form",
            Vec::new(),
            fields,
            "training-save",
        ),
        ActionForm::Edit(id, version) => form(
            page,
            lang,
            "action-edit-title",
            caption,
            format!("/training-actions/{id}"),
            format!("/training-actions/{id}/edit"),
            "action-form",
            vec![("version".into(), version.to_string())],
            fields,
            "training-save",
        ),
    })
}

const ACTION_FIELDS: [&str; 15] = [
    "provider",
    "title_eu",
    "title_es",
    "status",
    "hours",
    "places",
    "location",
    "neighbourhood",
    "occupation",
    "skills",
    "certificate",
    "language",
    "weekdays",
    "time_from",
    "time_to",
];

pub async fn action_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    if !d.can_add_action {
        return Err(HtmlError::new(ctx.page(), StatusCode::FORBIDDEN));
    }
    let mut v = vec![
        ("language".into(), "eu_es".into()),
        ("time_from".into(), "09:00".into()),
        ("time_to".into(), "13:00".into()),
    ];
    if let Some(a) = actor.agency
        && actor.role == elkarlan_domain::account::Role::TrainingEntityStaff
    {
        v.push(("provider".into(), a.to_string()));
    }
    let page = action_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        ActionForm::New(id),
        d.programme.name(ctx.lang).to_owned(),
        &Fields::from_pairs(v),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn action_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    match svc::create_action(&state, &actor, &ctx.meta, id, &action_input(&f)).await {
        Ok(a) => Ok(see_other(&format!(
            "/training-actions/{a}?notice=action-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = place_errors(errors, &STARTS_AND_ENDS, &ACTION_FIELDS, "starts_on-day");
            let d = svc::programme(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let page = action_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                ActionForm::New(id),
                d.programme.name(ctx.lang).to_owned(),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn action_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let d = svc::action(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let all = agency_list(&state, &ctx, &actor).await?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let a = &d.action;
    let mut facts = vec![
        (t(lang, "action-provider"), name_of(lang, &all, a.provider)),
        (t(lang, "emp-col-status"), t(lang, &a.status.label_key())),
        (t(lang, "action-hours"), a.hours.to_string()),
        (
            t(lang, "emp-col-enrolled"),
            format!("{} / {}", a.enrolled, a.places),
        ),
        (t(lang, "action-location"), a.location.clone()),
    ];
    if let Some(area) = a
        .neighbourhood
        .and_then(|n| areas.iter().find(|x| x.id == n))
    {
        facts.push((t(lang, "programme-neighbourhoods"), area_name(lang, area)));
    }
    facts.push((
        t(lang, "action-occupation"),
        occupation_label(lang, &a.esco_code),
    ));
    if let Some(c) = &a.certificate {
        facts.push((t(lang, "action-certificate"), c.clone()));
    }
    facts.push((
        t(lang, "action-language"),
        t(lang, &key_of("action-language", &a.language)),
    ));
    facts.push((
        t(lang, "emp-col-dates"),
        dates(lang, &a.starts_on, &a.ends_on),
    ));
    facts.push((
        t(lang, "action-schedule"),
        format!(
            "{} · {}–{}",
            a.weekdays
                .iter()
                .map(|d| t(lang, &format!("emp-weekday-{d}")))
                .collect::<Vec<_>>()
                .join(", "),
            a.time_from,
            a.time_to
        ),
    ));
    let mut links: Vec<Link> = Vec::new();
    if d.can_see_roster {
        links.push((
            format!("/training-actions/{id}/roster"),
            t(lang, "roster-title"),
            "roster-link",
        ));
    }
    if d.can_edit {
        links.push((
            format!("/training-actions/{id}/edit"),
            t(lang, "action-edit-title"),
            "edit-action",
        ));
    }
    let page = TrainingActionPage {
        ctx: page_with(&ctx, &n),
        programme_id: d.programme.id.to_string(),
        programme: d.programme.name(lang).to_owned(),
        title: action_title(lang, a),
        facts,
        sessions: d
            .sessions
            .iter()
            .map(|s| {
                (
                    s.number.to_string(),
                    s.held_on.clone(),
                    format!("{}–{}", s.time_from, s.time_to),
                )
            })
            .collect(),
        links,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

fn action_values(a: &TrainingAction) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("provider".into(), a.provider.to_string()),
        ("title_eu".into(), a.title_eu.clone()),
        ("title_es".into(), a.title_es.clone()),
        ("status".into(), a.status.code().into()),
        ("hours".into(), a.hours.to_string()),
        ("places".into(), a.places.to_string()),
        ("location".into(), a.location.clone()),
        (
            "neighbourhood".into(),
            a.neighbourhood.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("occupation".into(), a.esco_code.clone()),
        ("skills".into(), a.skills.join("\n")),
        (
            "certificate".into(),
            a.certificate.clone().unwrap_or_default(),
        ),
        ("language".into(), a.language.clone()),
        ("time_from".into(), a.time_from.clone()),
        ("time_to".into(), a.time_to.clone()),
    ];
    let rules = &a.eligibility;
    if !rules.all_of.is_empty() {
        v.push(("eligibility".into(), rules.to_json()));
    }
    v.extend(a.weekdays.iter().map(|d| ("weekdays".into(), d.clone())));
    date_pairs("starts_on", &a.starts_on, &mut v);
    date_pairs("ends_on", &a.ends_on, &mut v);
    Fields::from_pairs(v)
}

pub async fn action_edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let d = svc::action(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    if !d.can_edit {
        return Err(HtmlError::new(ctx.page(), StatusCode::FORBIDDEN));
    }
    let page = action_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        ActionForm::Edit(id, d.action.version),
        action_title(ctx.lang, &d.action),
        &action_values(&d.action),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn action_edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_action(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &action_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/training-actions/{id}?notice=action-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = place_errors(errors, &STARTS_AND_ENDS, &ACTION_FIELDS, "starts_on-day");
            let d = svc::action(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let version = if status == StatusCode::CONFLICT {
                d.action.version
            } else {
                version
            };
            let page = action_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                ActionForm::Edit(id, version),
                action_title(ctx.lang, &d.action),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
