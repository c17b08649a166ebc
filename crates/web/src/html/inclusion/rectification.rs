//! Rectification of a person's record, its history, and merging duplicates.

use super::people::{PersonFormMode, person_form_as, person_input};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_errors, field_errors, parse_path, service_err};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{self as svc, PersonHit};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::{FieldErrors, Lang, PersonId};
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SarSection, TablesPage, t};

/// The person's current record as form fields; the document is kept unless a new one is typed.
fn fields_of(view: &svc::PersonView) -> Fields {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let birth = opt(&view.birth_date);
    let mut parts = birth.splitn(3, '-');
    let (y, m, d) = (
        parts.next().unwrap_or_default().to_owned(),
        parts
            .next()
            .unwrap_or_default()
            .trim_start_matches('0')
            .to_owned(),
        parts
            .next()
            .unwrap_or_default()
            .trim_start_matches('0')
            .to_owned(),
    );
    Fields::from_pairs(vec![
        ("given_name".into(), opt(&view.given_name)),
        ("surname1".into(), opt(&view.surname1)),
        ("surname2".into(), opt(&view.surname2)),
        ("document_kind".into(), "none".into()),
        ("birth_date-day".into(), d),
        ("birth_date-month".into(), m),
        ("birth_date-year".into(), y),
        ("sex".into(), opt(&view.sex)),
        ("nationality".into(), opt(&view.nationality)),
        (
            "languages".into(),
            view.languages.clone().unwrap_or_default().join(", "),
        ),
        ("preferred_lang".into(), opt(&view.preferred_lang)),
        (
            "neighbourhood".into(),
            view.neighbourhood
                .map(|a| a.to_string())
                .unwrap_or_default(),
        ),
        ("phone".into(), opt(&view.phone)),
        ("email".into(), opt(&view.email)),
    ])
}

pub async fn person_edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    svc::rectification_grant(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let view = svc::view_person(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let mode = PersonFormMode::Rectify(id, view.version);
    let page = person_form_as(
        &state,
        &ctx,
        &actor,
        &fields_of(&view),
        ctx.page(),
        Vec::new(),
        mode,
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn person_edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
    let (input, birth_error) = person_input(&f);
    let (errors, status) =
        match svc::rectify_person(&state, &actor, &ctx.meta, id, Some(version), &input).await {
            Ok(()) => return Ok(see_other(&format!("/people/{id}?notice=person-saved"))),
            Err(ServiceError::Stale) => {
                let mut e = FieldErrors::new();
                e.add("given_name", "error-record-changed");
                (e, StatusCode::CONFLICT)
            }
            Err(e) => (
                date_errors(field_errors(&ctx, e)?, "birth_date", birth_error),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        };
    let mode = PersonFormMode::Rectify(id, version);
    let page = person_form_as(
        &state,
        &ctx,
        &actor,
        &f,
        ctx.page().with_errors(&errors),
        Vec::new(),
        mode,
    )
    .await?;
    Ok(render(&ctx, &state, status, &page))
}

/// The person's fields, by the names the history records, with their labels.
const HISTORY_FIELDS: [(&str, &str); 12] = [
    ("given_name", "person-given-name"),
    ("surname1", "person-surname1"),
    ("surname2", "person-surname2"),
    ("document", "person-document"),
    ("birth_date", "person-birth-date"),
    ("sex", "person-sex"),
    ("nationality", "person-nationality"),
    ("languages", "person-languages"),
    ("preferred_lang", "person-preferred-lang"),
    ("area", "person-neighbourhood"),
    ("phone", "person-phone"),
    ("email", "person-email"),
];

/// A value of the record as the history shows it.
fn shown(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// "field: before → after" for each field a rectification changed.
fn changes(lang: Lang, change: &serde_json::Value) -> Vec<String> {
    let (Some(before), Some(after)) = (change.get("before"), change.get("after")) else {
        return Vec::new();
    };
    HISTORY_FIELDS
        .iter()
        .filter_map(|(name, key)| {
            let old = match *name {
                // The stored record names these differently from the history.
                "document" => {
                    let kind = shown(before.get("document_kind"));
                    let masked = shown(before.get("document_masked"));
                    if masked.is_empty() {
                        String::new()
                    } else {
                        format!("{kind} {masked}")
                    }
                }
                "area" => shown(before.get("area_id")),
                other => shown(before.get(other)),
            };
            let new = shown(after.get(*name));
            // A document left empty keeps the one on record.
            let new = if *name == "document" && new.is_empty() {
                old.clone()
            } else {
                new
            };
            (old != new).then(|| format!("{}: {} → {}", t(lang, key), old, new))
        })
        .collect()
}

pub async fn person_history_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let entries = svc::rectification_history(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let lang = ctx.lang;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let action = e.change.get("merged_from").map_or_else(
                || {
                    if e.change.get("before").is_some() {
                        "history-corrected"
                    } else {
                        "history-registered"
                    }
                },
                |_| "history-merged",
            );
            vec![
                e.at.get(..10).unwrap_or(&e.at).to_owned(),
                e.by.clone(),
                t(lang, action),
                changes(lang, &e.change).join("; "),
            ]
        })
        .collect();
    let page = TablesPage {
        ctx: ctx.page(),
        title: t(lang, "history-title"),
        intro: t(lang, "history-intro"),
        back: format!("/people/{id}"),
        table_id: "person-history",
        sections: vec![SarSection {
            title: String::new(),
            headers: ["audit-when", "audit-who", "audit-what", "history-changes"]
                .iter()
                .map(|k| t(lang, k))
                .collect(),
            rows,
        }],
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

fn merge_form(
    ctx: &Ctx,
    page: PageCtx,
    id: PersonId,
    candidates: &[PersonHit],
    chosen: &str,
) -> FormPage {
    let lang = ctx.lang;
    let options: Vec<Choice> = candidates
        .iter()
        .map(|h| {
            let mut hint = h.birth_year.to_string();
            if let Some(d) = &h.document {
                hint = format!("{hint} · {d}");
            }
            Choice {
                value: h.id.to_string(),
                label: h.name.clone(),
                checked: h.id.to_string() == chosen,
                hint,
            }
        })
        .collect();
    let intro = if candidates.is_empty() {
        t(lang, "merge-none")
    } else {
        t(lang, "merge-intro")
    };
    FormPage {
        ctx: page,
        title: t(lang, "merge-title"),
        caption: String::new(),
        intro,
        back: format!("/people/{id}"),
        action: format!("/people/{id}/merge"),
        form_id: "merge-form",
        hidden: Vec::new(),
        fields: vec![FormField::Choices {
            id: "duplicate".into(),
            kind: "radio",
            group: "radios",
            legend: t(lang, "merge-legend"),
            hint: t(lang, "merge-hint"),
            options,
        }],
        submit_id: "merge-people",
        submit: t(lang, "merge-save"),
    }
}

pub async fn person_merge_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let candidates = svc::merge_candidates(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = merge_form(&ctx, ctx.page(), id, &candidates, "");
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn person_merge_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let chosen = f.get("duplicate");
    match svc::merge_people(&state, &actor, &ctx.meta, id, &chosen).await {
        Ok(()) => Ok(see_other(&format!("/people/{id}?notice=person-merged"))),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let candidates = svc::merge_candidates(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let page = merge_form(
                &ctx,
                ctx.page().with_errors(&errors),
                id,
                &candidates,
                &chosen,
            );
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}
