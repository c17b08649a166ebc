//! A person's employment profile: the form that records unemployment, income guarantee,
//! disability and education level.

use super::{back_to_file, file_done, file_for_form, person_name};
use crate::AppState;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors,
};
use crate::html::form_fields::{choice, date_field, form, narrow};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment::{self as svc, ProfileInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::{Lang, PersonId};
use elkarlan_templates::{FormField, FormPage, PageCtx, t};

fn profile_form(lang: Lang, page: PageCtx, id: PersonId, caption: String, f: &Fields) -> FormPage {
    let income = f.get("income_guarantee");
    let fields = vec![
        date_field(lang, "unemployed_since", "profile-unemployed-since", f),
        FormField::Choices {
            id: "income_guarantee".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "profile-income-guarantee"),
            hint: String::new(),
            options: vec![
                choice("yes", t(lang, "emp-yes"), income == "yes"),
                choice("no", t(lang, "emp-no"), income == "no"),
                choice("", t(lang, "emp-not-recorded"), income.is_empty()),
            ],
        },
        narrow(
            lang,
            "disability_percent",
            "profile-disability",
            "profile-disability-hint",
            f,
        ),
        narrow(lang, "isced", "profile-isced", "profile-isced-hint", f),
    ];
    form(
        page,
        lang,
        "profile-edit-title",
        caption,
        back_to_file(id),
        format!("/people/{id}/employment/profile"),
        "profile-form",
        Vec::new(),
        fields,
        "emp-save",
    )
}

pub async fn profile_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let p = &file.profile;
    let mut v: Vec<(String, String)> = vec![
        (
            "income_guarantee".into(),
            match p.income_guarantee {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        ),
        (
            "disability_percent".into(),
            p.disability_percent
                .map(|x| x.to_string())
                .unwrap_or_default(),
        ),
        (
            "isced".into(),
            p.isced.map(|x| x.to_string()).unwrap_or_default(),
        ),
    ];
    if let Some(d) = &p.unemployed_since {
        date_pairs("unemployed_since", d, &mut v);
    }
    let page = profile_form(
        ctx.lang,
        ctx.page(),
        id,
        person_name(&file.person),
        &Fields::from_pairs(v),
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn profile_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = ProfileInput {
        unemployed_since: date_value(&f, "unemployed_since"),
        income_guarantee: f.get("income_guarantee"),
        disability_percent: f.get("disability_percent"),
        isced: f.get("isced"),
    };
    match svc::set_profile(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(file_done(id, "profile-saved", "profile-heading")),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "unemployed_since-day")?;
            let errors = place_errors(errors, &["unemployed_since"], &[], "");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let page = profile_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                person_name(&file.person),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
