//! The pole's activities with their participation.

use super::{
    Notice, area_of, area_options, code_options, date_field, err, form, form_errors, may_manage,
    neighbourhoods, page, page_with,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_value, parse_path};
use crate::html::form_fields::{narrow, select, text, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::ecosystem::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::PoleActivityId;
use elkarlan_domain::ecosystem::codes::PoleActivityKind;
use elkarlan_domain::ecosystem::organisation::{PoleActivityInput, format_centi};
use elkarlan_domain::policy::Actor;
use elkarlan_templates::ecosystem::{Cell, Table};
use elkarlan_templates::{FormPage, PageCtx, t};

pub async fn activities_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::activities(&state, &actor, &ctx.meta)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let mut p = page(
        page_with(&ctx, &n),
        t(lang, "eco-activities-title"),
        "/organisations",
    );
    p.intro = t(lang, "eco-activities-intro");
    p.links = vec![(
        "/pole/activities/new".into(),
        t(lang, "eco-activity-new-title"),
        "new-activity",
    )];
    p.tables.push(Table {
        id: "pole-activities",
        title: String::new(),
        headers: vec![
            t(lang, "eco-col-date"),
            t(lang, "eco-col-title"),
            t(lang, "eco-activity-kind"),
            t(lang, "eco-neighbourhood"),
            t(lang, "eco-hours"),
            t(lang, "eco-attendees"),
            t(lang, "eco-col-organisations"),
        ],
        rows: list
            .iter()
            .map(|a| {
                vec![
                    Cell::text(a.held_on.clone()),
                    Cell::link(
                        a.title(lang).to_owned(),
                        format!("/pole/activities/{}", a.id),
                    ),
                    Cell::text(t(lang, &a.kind.label_key())),
                    Cell::text(area_of(lang, &areas, a.neighbourhood)),
                    Cell::text(format_centi(a.hours_centi)),
                    Cell::text(a.attendees.to_string()),
                    Cell::text(a.participants.len().to_string()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn activity_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: PoleActivityId = parse_path(&ctx, &raw)?;
    let a = svc::activity(&state, &actor, &ctx.meta, id)
        .await
        .map_err(err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let mut p = page(
        page_with(&ctx, &n),
        a.title(lang).to_owned(),
        "/pole/activities",
    );
    p.caption = t(lang, "eco-activities-title");
    p.facts = vec![
        (t(lang, "eco-activity-kind"), t(lang, &a.kind.label_key())),
        (t(lang, "eco-col-date"), a.held_on.clone()),
        (
            t(lang, "eco-neighbourhood"),
            area_of(lang, &areas, a.neighbourhood),
        ),
        (t(lang, "eco-hours"), format_centi(a.hours_centi)),
        (t(lang, "eco-attendees"), a.attendees.to_string()),
    ];
    p.tables.push(Table {
        id: "participants",
        title: t(lang, "eco-participants"),
        headers: vec![t(lang, "eco-col-name"), t(lang, "eco-col-people")],
        rows: a
            .participants
            .iter()
            .map(|x| {
                vec![
                    Cell::link(x.name.clone(), format!("/organisations/{}", x.organisation)),
                    Cell::text(x.people.to_string()),
                ]
            })
            .collect(),
        empty: t(lang, "eco-none"),
    });
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

async fn activity_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page_ctx: PageCtx,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let areas = neighbourhoods(state, ctx, actor).await?;
    Ok(form(
        page_ctx,
        lang,
        t(lang, "eco-activity-new-title"),
        t(lang, "eco-activities-title"),
        "/pole/activities".into(),
        "/pole/activities/new".into(),
        "activity-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "eco-activity-kind",
                code_options(
                    lang,
                    PoleActivityKind::ALL,
                    PoleActivityKind::code,
                    PoleActivityKind::label_key,
                    &f.get("kind"),
                    Some("eco-choose"),
                ),
            ),
            text(lang, "title_eu", "eco-title-eu", "", f),
            text(lang, "title_es", "eco-title-es", "", f),
            date_field(lang, "held_on", "eco-col-date", f),
            select(
                lang,
                "neighbourhood",
                "eco-neighbourhood",
                area_options(lang, &areas, &f.get("neighbourhood"), "eco-none-chosen"),
            ),
            narrow(lang, "hours", "eco-hours", "eco-hours-hint", f),
            narrow(lang, "attendees", "eco-attendees", "", f),
            textarea(
                lang,
                "participants",
                "eco-participants",
                "eco-participants-hint",
                f,
            ),
        ],
    ))
}

pub async fn activity_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&state, &ctx, &actor).await?;
    let p = activity_form(&state, &ctx, &actor, ctx.page(), &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn activity_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let input = PoleActivityInput {
        kind: f.get("kind"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        held_on: date_value(&f, "held_on"),
        neighbourhood: f.get("neighbourhood"),
        hours: f.get("hours"),
        attendees: f.get("attendees"),
        participants: f.get("participants"),
    };
    match svc::create_activity(&state, &actor, &ctx.meta, &input).await {
        Ok(id) => Ok(see_other(&format!(
            "/pole/activities/{id}?notice=activity-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "kind", &["held_on"])?;
            let p =
                activity_form(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f).await?;
            Ok(render(&ctx, &state, status, &p))
        }
    }
}
