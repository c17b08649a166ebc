//! The 3, 6 and 12-month follow-ups of a placement: the form that records one, and the list of
//! follow-ups due.

use super::{back_to_file, file_done, follow_up_label, person_name};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{choice, date_field, form, textarea};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::FollowUpEvidence;
use elkarlan_domain::employment::placement::FollowUpInput;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, PersonId, PlacementId};
use elkarlan_templates::employment::{DueRow, FollowUpsPage};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

fn follow_up_form(
    lang: Lang,
    page: PageCtx,
    placement: PlacementId,
    months: i64,
    person: PersonId,
    caption: String,
    f: &Fields,
) -> FormPage {
    let still = f.get("still_employed");
    let same = f.get("same_employer");
    let evidence = f.get("evidence");
    let yes_no = |id: &str, legend: &str, hint: &str, v: &str| FormField::Choices {
        id: id.to_owned(),
        kind: "radio",
        group: "radios",
        legend: t(lang, legend),
        hint: if hint.is_empty() {
            String::new()
        } else {
            t(lang, hint)
        },
        options: vec![
            choice("yes", t(lang, "emp-yes"), v == "yes"),
            choice("no", t(lang, "emp-no"), v == "no"),
        ],
    };
    let mut form_page = form(
        page,
        lang,
        "followup-title",
        caption,
        back_to_file(person),
        format!("/placements/{placement}/follow-ups/{months}"),
        "follow-up-form",
        Vec::new(),
        vec![
            date_field(lang, "checked_on", "followup-checked-on", f),
            yes_no("still_employed", "followup-still-employed", "", &still),
            yes_no(
                "same_employer",
                "followup-same-employer",
                "followup-same-hint",
                &same,
            ),
            FormField::Choices {
                id: "evidence".into(),
                kind: "radio",
                group: "radios",
                legend: t(lang, "followup-evidence"),
                hint: String::new(),
                options: FollowUpEvidence::ALL
                    .iter()
                    .map(|e| choice(e.code(), t(lang, &e.label_key()), evidence == e.code()))
                    .collect(),
            },
            textarea(lang, "note", "followup-note", "", f),
        ],
        "followup-save",
    );
    form_page.title = follow_up_label(lang, months);
    form_page
}

async fn placement_person(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PlacementId,
    months: i64,
) -> Result<svc::EmploymentFile, HtmlError> {
    let (p, file) = svc::placement_for_form(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    if !p.follow_ups.iter().any(|f| f.months == months) {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    Ok(file)
}

fn caption_for(file: &svc::EmploymentFile, id: PlacementId) -> String {
    let employer = file
        .placements
        .iter()
        .find(|p| p.id == id)
        .and_then(|p| p.employer.clone())
        .unwrap_or_default();
    if employer.is_empty() {
        person_name(&file.person)
    } else {
        format!("{} · {employer}", person_name(&file.person))
    }
}

pub async fn follow_up_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_months)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id: PlacementId = parse_path(&ctx, &raw)?;
    let months: i64 = parse_path(&ctx, &raw_months)?;
    let file = placement_person(&state, &ctx, &actor, id, months).await?;
    let page = follow_up_form(
        ctx.lang,
        ctx.page(),
        id,
        months,
        file.person.id,
        caption_for(&file, id),
        &Fields::empty(),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn follow_up_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_months)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PlacementId = parse_path(&ctx, &raw)?;
    let months: i64 = parse_path(&ctx, &raw_months)?;
    let input = FollowUpInput {
        checked_on: date_value(&f, "checked_on"),
        still_employed: f.get("still_employed"),
        same_employer: f.get("same_employer"),
        evidence: f.get("evidence"),
        note: f.get("note"),
    };
    let result = svc::record_follow_up(&state, &actor, &ctx.meta, id, months, &input).await;
    let file = placement_person(&state, &ctx, &actor, id, months).await?;
    match result {
        Ok(()) => Ok(file_done(
            file.person.id,
            "follow-up-recorded",
            "placements-heading",
        )),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "checked_on-day")?;
            let errors = place_errors(errors, &["checked_on"], &[], "");
            let page = follow_up_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                months,
                file.person.id,
                caption_for(&file, id),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn follow_ups_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let due = svc::due_follow_ups(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let today = svc::today().to_string();
    let rows = due
        .iter()
        .map(|(d, p)| DueRow {
            person_id: p.id.to_string(),
            name: person_name(p),
            employer: d.employer.clone().unwrap_or_default(),
            label: follow_up_label(lang, d.follow_up.months),
            due: d.follow_up.due_on.clone(),
            overdue: d.follow_up.due_on < today,
            link: format!(
                "/placements/{}/follow-ups/{}",
                d.follow_up.placement_id, d.follow_up.months
            ),
        })
        .collect();
    let page = FollowUpsPage {
        ctx: ctx.page(),
        rows,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}
