//! Enrolling a person on a training action, optionally within one of their active itineraries.

use super::{back_to_file, file_done, file_for_form, person_name};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, form_errors, parse_path, place_errors, service_err};
use crate::html::form_fields::{form, option, select};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment::{self as svc, EnrolInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::PersonId;
use elkarlan_domain::employment::codes::TrainingStatus;
use elkarlan_domain::policy::Actor;
use elkarlan_templates::{FormPage, PageCtx, t, t_args};

async fn enrol_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    file: &svc::EmploymentFile,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let id = file.person.id;
    let programmes = svc::list_programmes(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("action");
    let mut a_opts = vec![option("", t(lang, "emp-choose"), &chosen)];
    for p in &programmes {
        let actions = svc::programme_actions(state, actor, &ctx.meta, p.id)
            .await
            .map_err(service_err(ctx))?;
        for a in actions.iter().filter(|a| {
            matches!(
                a.status,
                TrainingStatus::Planned | TrainingStatus::Open | TrainingStatus::InProgress
            )
        }) {
            // Labelled with the programme, the dates and the places left, to choose well.
            a_opts.push(option(
                &a.id.to_string(),
                t_args(
                    lang,
                    "enrol-action-option",
                    &[
                        ("programme", p.name(lang)),
                        ("title", a.title(lang)),
                        ("from", &a.starts_on),
                        ("to", &a.ends_on),
                        ("free", &(a.places - a.enrolled).max(0).to_string()),
                    ],
                ),
                &chosen,
            ));
        }
    }
    let chosen_i = f.get("itinerary");
    let mut i_opts = vec![option("", t(lang, "emp-none"), &chosen_i)];
    i_opts.extend(
        file.itineraries
            .iter()
            .filter(|i| i.status == elkarlan_domain::employment::codes::ItineraryStatus::Active)
            .map(|i| {
                let name = i
                    .programme_id
                    .and_then(|p| programmes.iter().find(|x| x.id == p))
                    .map_or_else(
                        || t(lang, "itinerary-no-programme"),
                        |p| p.name(lang).to_owned(),
                    );
                option(
                    &i.id.to_string(),
                    format!("{name} ({})", i.opened_at.to_datetime().format("%Y-%m-%d")),
                    &chosen_i,
                )
            }),
    );
    Ok(form(
        page,
        lang,
        "enrol-title",
        person_name(&file.person),
        back_to_file(id),
        format!("/people/{id}/enrolments/new"),
        "enrol-form",
        Vec::new(),
        vec![
            select(lang, "action", "enrol-action", a_opts),
            select(lang, "itinerary", "enrol-itinerary", i_opts),
        ],
        "enrol-save",
    ))
}

pub async fn enrol_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let page = enrol_form(&state, &ctx, &actor, ctx.page(), &file, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = EnrolInput {
        action: f.get("action"),
        itinerary: f.get("itinerary"),
    };
    match svc::enrol(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "enrolled", "enrolments-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "action")?;
            let errors = place_errors(errors, &[], &["itinerary"], "action");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = enrol_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                &file,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
