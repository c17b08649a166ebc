//! Configuration pages: the versions of the needs-assessment instrument (administrators add
//! them) and the retention periods (the DPO sets them). Rules live in the services.

use super::form::{CsrfForm, field_errors};
use super::labels::domain_name;
use super::labels::key_of;
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::capacity::{self as capacity_svc, CapacityInput};
use crate::services::{instruments as instruments_svc, retention as retention_svc};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::instrument::{Instrument, LifeDomainInput};
use elkarlan_domain::inclusion::retention::RecordType;
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{FieldErrors, Lang};
use elkarlan_templates::{
    FormField, FormPage, InstrumentRow, InstrumentsPage, PageCtx, SelectOption, t,
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/admin/instruments", get(instruments_page))
        .add("GET", "/admin/instruments/new", get(instrument_new_page))
        .add(
            "POST",
            "/admin/instruments/new",
            post(instrument_new_submit),
        )
        .add("GET", "/dpo/retention", get(retention_page))
        .add("POST", "/dpo/retention", post(retention_submit))
        .add("GET", "/referrals/capacity", get(capacity_page))
        .add("POST", "/referrals/capacity", post(capacity_submit))
}

/// Blank rows offered after the current domains, for new ones.
const NEW_ROWS: usize = 3;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: String,
}

fn with_saved(ctx: &Ctx, q: &Saved, key: &str) -> PageCtx {
    let mut page = ctx.page();
    if !q.saved.is_empty() {
        page.notice = Some(t(ctx.lang, key));
    }
    page
}

pub async fn instruments_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, HtmlError> {
    let all = instruments_svc::list(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let lang = ctx.lang;
    let page = InstrumentsPage {
        ctx: with_saved(&ctx, &q, "notice-instrument-added"),
        versions: all
            .iter()
            .map(|i| InstrumentRow {
                version: i.version.to_string(),
                domains: i
                    .domains
                    .iter()
                    .map(|d| {
                        (
                            domain_name(lang, d),
                            d.code.clone(),
                            t(lang, &d.category.label_key()),
                        )
                    })
                    .collect(),
            })
            .collect(),
        can_add: crate::services::permits(&actor, Action::ManageInstruments),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

fn row_fields(lang: Lang, i: usize, values: [String; 5]) -> Vec<FormField> {
    let [code, category, eu, es, en] = values;
    let id = |f: &str| format!("domains-{i}-{f}");
    let mut options = vec![SelectOption {
        value: String::new(),
        label: t(lang, "instruments-category-choose"),
        selected: category.is_empty(),
    }];
    options.extend(DataCategory::ALL.into_iter().map(|c| SelectOption {
        value: c.code().to_owned(),
        label: t(lang, &c.label_key()),
        selected: c.code() == category,
    }));
    let text = |f: &str, key: &str, value: String, width: &'static str| FormField::Text {
        id: id(f),
        label: t(lang, key),
        hint: String::new(),
        value,
        width,
    };
    vec![
        FormField::Heading(elkarlan_templates::t_args(
            lang,
            "instruments-row",
            &[("n", &(i + 1).to_string())],
        )),
        text("code", "instruments-code", code, "govuk-input--width-20"),
        FormField::Select {
            id: id("category"),
            label: t(lang, "instruments-category"),
            hint: String::new(),
            options,
        },
        text("label_eu", "instruments-label-eu", eu, ""),
        text("label_es", "instruments-label-es", es, ""),
        text("label_en", "instruments-label-en", en, ""),
    ]
}

fn instrument_form(ctx: &Ctx, page: PageCtx, rows: Vec<[String; 5]>) -> FormPage {
    let lang = ctx.lang;
    FormPage {
        ctx: page,
        title: t(lang, "instruments-new-title"),
        caption: t(lang, "instruments-title"),
        intro: t(lang, "instruments-new-intro"),
        back: "/admin/instruments".into(),
        action: "/admin/instruments/new".into(),
        form_id: "instrument-form",
        hidden: vec![("rows".into(), rows.len().to_string())],
        fields: rows
            .into_iter()
            .enumerate()
            .flat_map(|(i, r)| row_fields(lang, i, r))
            .collect(),
        submit_id: "save-instrument",
        submit: t(lang, "instruments-save"),
    }
}

fn rows_of(current: &Instrument) -> Vec<[String; 5]> {
    let mut rows: Vec<[String; 5]> = current
        .domains
        .iter()
        .map(|d| {
            let (eu, es, en) = d.labels.as_ref().map_or_else(Default::default, |l| {
                (l.eu.clone(), l.es.clone(), l.en.clone())
            });
            [d.code.clone(), d.category.code().to_owned(), eu, es, en]
        })
        .collect();
    rows.extend((0..NEW_ROWS).map(|_| Default::default()));
    rows
}

async fn can_manage(state: &AppState, ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    crate::services::authorize_form(state, actor, Action::ManageInstruments, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(ctx, e))
}

pub async fn instrument_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    can_manage(&state, &ctx, &actor).await?;
    let all = instruments_svc::list(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let current = all
        .last()
        .cloned()
        .unwrap_or_else(elkarlan_domain::inclusion::instrument::default_instrument);
    let page = instrument_form(&ctx, ctx.page(), rows_of(&current));
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn instrument_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let count = f.get("rows").trim().parse::<usize>().unwrap_or(0).min(60);
    let rows: Vec<[String; 5]> = (0..count)
        .map(|i| {
            ["code", "category", "label_eu", "label_es", "label_en"]
                .map(|name| f.get(&format!("domains-{i}-{name}")))
        })
        .collect();
    // Rows left blank are not domains; `sent[k]` is the form row of the k-th domain sent.
    let sent: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].iter().any(|v| !v.trim().is_empty()))
        .collect();
    let input: Vec<LifeDomainInput> = sent
        .iter()
        .map(|i| {
            let [code, category, label_eu, label_es, label_en] = rows[*i].clone();
            LifeDomainInput {
                code,
                category,
                label_eu,
                label_es,
                label_en,
            }
        })
        .collect();
    match instruments_svc::add(&state, &actor, &ctx.meta, &input).await {
        Ok(_) => Ok(see_other("/admin/instruments?saved=1")),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let mut renamed = FieldErrors::new();
            for err in errors.0 {
                let parts: Vec<&str> = err.field.split('.').collect();
                let field = match parts.as_slice() {
                    ["domains", k, name] => {
                        let row = k
                            .parse::<usize>()
                            .ok()
                            .and_then(|k| sent.get(k))
                            .copied()
                            .unwrap_or(0);
                        format!("domains-{row}-{name}")
                    }
                    _ => "domains-0-code".to_owned(),
                };
                renamed.add(&field, err.key);
            }
            let page = instrument_form(&ctx, ctx.page().with_errors(&renamed), rows);
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

// Retention -----------------------------------------------------------------------------------

fn retention_form(ctx: &Ctx, page: PageCtx, values: &[(RecordType, String)]) -> FormPage {
    let lang = ctx.lang;
    FormPage {
        ctx: page,
        title: t(lang, "retention-title"),
        caption: String::new(),
        intro: t(lang, "retention-intro"),
        back: "/home".into(),
        action: "/dpo/retention".into(),
        form_id: "retention-form",
        hidden: Vec::new(),
        fields: values
            .iter()
            .map(|(r, v)| FormField::Text {
                id: r.code().to_owned(),
                label: t(lang, &r.label_key()),
                hint: elkarlan_templates::t_args(
                    lang,
                    &key_of("retention-hint", r.disposal().code()),
                    &[("days", &r.default_days().to_string())],
                ),
                value: v.clone(),
                width: "govuk-input--width-5",
            })
            .collect(),
        submit_id: "save-retention",
        submit: t(lang, "retention-save"),
    }
}

pub async fn retention_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, HtmlError> {
    let periods = retention_svc::periods(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let values: Vec<(RecordType, String)> = periods
        .iter()
        .map(|p| (p.record_type, p.days.to_string()))
        .collect();
    let page = retention_form(
        &ctx,
        with_saved(&ctx, &q, "notice-retention-saved"),
        &values,
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn retention_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let values: Vec<(RecordType, String)> = RecordType::ALL
        .into_iter()
        .map(|r| (r, f.get(r.code())))
        .collect();
    let pairs: Vec<(String, String)> = values
        .iter()
        .map(|(r, v)| (r.code().to_owned(), v.clone()))
        .collect();
    match retention_svc::set_periods(&state, &actor, &ctx.meta, &pairs).await {
        Ok(()) => Ok(see_other("/dpo/retention?saved=1")),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let page = retention_form(&ctx, ctx.page().with_errors(&errors), &values);
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

// Capacity -------------------------------------------------------------------------------------

fn capacity_form(ctx: &Ctx, page: PageCtx, input: &CapacityInput) -> FormPage {
    let lang = ctx.lang;
    let field = |id: &str, key: &str, hint: &str, value: &str| FormField::Text {
        id: id.to_owned(),
        label: t(lang, key),
        hint: t(lang, hint),
        value: value.to_owned(),
        width: "govuk-input--width-5",
    };
    FormPage {
        ctx: page,
        title: t(lang, "capacity-title"),
        caption: String::new(),
        intro: t(lang, "capacity-intro"),
        back: "/referrals".into(),
        action: "/referrals/capacity".into(),
        form_id: "capacity-form",
        hidden: Vec::new(),
        fields: vec![
            field(
                "open_places",
                "capacity-open-places",
                "capacity-open-places-hint",
                &input.open_places,
            ),
            field(
                "waiting_list",
                "capacity-waiting-list",
                "capacity-waiting-list-hint",
                &input.waiting_list,
            ),
            field(
                "expected_wait_days",
                "capacity-expected-wait",
                "capacity-expected-wait-hint",
                &input.expected_wait_days,
            ),
        ],
        submit_id: "publish-capacity",
        submit: t(lang, "capacity-save"),
    }
}

pub async fn capacity_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, HtmlError> {
    let current = capacity_svc::own(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let input = current.map_or_else(CapacityInput::default, |c| CapacityInput {
        open_places: c.open_places.to_string(),
        waiting_list: c.waiting_list.to_string(),
        expected_wait_days: c.expected_wait_days.to_string(),
    });
    let page = capacity_form(&ctx, with_saved(&ctx, &q, "notice-capacity-saved"), &input);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn capacity_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let input = CapacityInput {
        open_places: f.get("open_places"),
        waiting_list: f.get("waiting_list"),
        expected_wait_days: f.get("expected_wait_days"),
    };
    match capacity_svc::publish(&state, &actor, &ctx.meta, &input).await {
        Ok(()) => Ok(see_other("/referrals/capacity?saved=1")),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let page = capacity_form(&ctx, ctx.page().with_errors(&errors), &input);
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}
