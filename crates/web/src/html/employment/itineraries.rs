//! A person's itineraries: opening one (from a programme's template or chosen steps), adding a
//! step and changing a step's status from the file page.

use super::file::file_view;
use super::{
    back_to_file, chosen_steps, file_done, file_for_form, person_name, step_fields, template_name,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{code_options, date_field, form, option, select};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::{ProgrammeStatus, StepKind};
use elkarlan_domain::employment::itinerary::{ItineraryInput, StepInput, StepUpdateInput};
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{ItineraryId, ItineraryStepId, Lang, PersonId};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

async fn itinerary_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: PersonId,
    caption: String,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("programme");
    let mut p_opts = vec![option("", t(lang, "itinerary-no-programme"), &chosen)];
    p_opts.extend(
        programmes
            .iter()
            .filter(|p| matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running))
            .map(|p| option(&p.id.to_string(), p.name(lang).to_owned(), &chosen)),
    );
    let chosen_t = f.get("template");
    let mut t_opts = vec![option("", t(lang, "itinerary-no-template"), &chosen_t)];
    for p in programmes
        .iter()
        .filter(|p| matches!(p.status, ProgrammeStatus::Open | ProgrammeStatus::Running))
    {
        for tpl in svc::programme_templates(state, actor, &ctx.meta, p.id)
            .await
            .map_err(service_err(ctx))?
        {
            t_opts.push(option(
                &tpl.id.to_string(),
                format!("{}: {}", p.name(lang), template_name(lang, &tpl.name)),
                &chosen_t,
            ));
        }
    }
    let mut fields = vec![
        select(lang, "programme", "itinerary-programme", p_opts),
        FormField::Select {
            id: "template".into(),
            label: t(lang, "itinerary-template"),
            hint: t(lang, "itinerary-template-hint"),
            options: t_opts,
        },
    ];
    fields.extend(step_fields(lang, f, ""));
    Ok(form(
        page,
        lang,
        "itinerary-new-title",
        caption,
        back_to_file(id),
        format!("/people/{id}/itineraries/new"),
        "itinerary-form",
        Vec::new(),
        fields,
        "itinerary-save",
    ))
}

pub async fn itinerary_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let page = itinerary_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        id,
        person_name(&file.person),
        &Fields::empty(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn itinerary_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = ItineraryInput {
        programme: f.get("programme"),
        template: f.get("template"),
        steps: chosen_steps(&f),
    };
    match svc::open_itinerary(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "itinerary-opened", "itineraries-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "programme")?;
            let errors = place_errors(errors, &[], &["programme", "template"], "step-1");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = itinerary_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                person_name(&file.person),
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

async fn itinerary_person(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: ItineraryId,
) -> Result<svc::EmploymentFile, HtmlError> {
    svc::itinerary_for_form(state, actor, &ctx.meta, id)
        .await
        .map(|(_, file)| file)
        .map_err(service_err(ctx))
}

fn step_form(
    lang: Lang,
    page: PageCtx,
    id: ItineraryId,
    person: PersonId,
    caption: String,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "step-new-title",
        caption,
        back_to_file(person),
        format!("/itineraries/{id}/steps/new"),
        "step-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "step-kind",
                code_options(
                    lang,
                    StepKind::ALL,
                    StepKind::code,
                    StepKind::label_key,
                    &f.get("kind"),
                    Some("emp-choose"),
                ),
            ),
            date_field(lang, "planned_on", "step-planned-on", f),
        ],
        "step-add-save",
    )
}

pub async fn step_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let file = itinerary_person(&state, &ctx, &actor, id).await?;
    let page = step_form(
        ctx.lang,
        ctx.page(),
        id,
        file.person.id,
        person_name(&file.person),
        &Fields::empty(),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn step_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let input = StepInput {
        kind: f.get("kind"),
        planned_on: date_value(&f, "planned_on"),
    };
    let result = svc::add_step(&state, &actor, &ctx.meta, id, &input).await;
    let file = itinerary_person(&state, &ctx, &actor, id).await?;
    match result {
        Ok(_) => Ok(file_done(
            file.person.id,
            "step-saved",
            "itineraries-heading",
        )),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind")?;
            let errors = place_errors(errors, &["planned_on"], &["kind"], "kind");
            let page = step_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                file.person.id,
                person_name(&file.person),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

/// A step's status from the file page's small form. The dates follow the status: started
/// today when work begins, completed today when it is done, unless already recorded.
pub async fn step_update_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_step)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ItineraryId = parse_path(&ctx, &raw)?;
    let step: ItineraryStepId = parse_path(&ctx, &raw_step)?;
    let it = svc::itinerary_to_manage(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    // A step not in the itinerary is the service's to refuse: it decides the caller's
    // relationship first, so an unrelated caller's attempt is recorded as refused.
    let current = it.steps.iter().find(|s| s.id == step);
    let started_on = current.and_then(|c| c.started_on.clone());
    let status = f.get("status");
    let today = svc::today().to_string();
    let started = match status.as_str() {
        "in_progress" | "done" => started_on.or(Some(today.clone())),
        _ => started_on,
    };
    let completed = match status.as_str() {
        "done" => current.and_then(|c| c.completed_on.clone()).or(Some(today)),
        _ => None,
    };
    let input = StepUpdateInput {
        status,
        started_on: started.unwrap_or_default(),
        completed_on: completed.unwrap_or_default(),
        version: f.get("version").parse().unwrap_or(0),
    };
    match svc::update_step(&state, &actor, &ctx.meta, id, step, &input).await {
        Ok(()) => Ok(file_done(it.person_id, "step-saved", "itineraries-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "status")?;
            // The small form lives on the file page: show the file, linking to the step.
            let errors = place_errors(errors, &[], &[], &format!("step-{step}"));
            let page = file_view(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                it.person_id,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
