//! Consent records: the form, withdrawal, and the printable receipt.

use super::people::person_page_for;
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_errors, field_errors, join_date, parse_path, service_err,
};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{self as svc, ConsentInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::Action;
use elkarlan_domain::{ConsentId, Lang, PersonId, Timestamp};
use elkarlan_templates::{Choice, ConsentNewPage, ConsentReceiptPage, PageCtx, t};

fn consent_form(ctx: &Ctx, person: PersonId, f: &Fields, page: PageCtx) -> ConsentNewPage {
    let lang = ctx.lang;
    let recipients = f.all("recipients");
    let categories = f.all("categories");
    ConsentNewPage {
        ctx: page,
        person: person.to_string(),
        purpose: f.get("purpose"),
        recipients: PublicSystem::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: t(lang, &s.label_key()),
                checked: recipients.iter().any(|r| r == s.code()),
                hint: String::new(),
            })
            .collect(),
        categories: DataCategory::ALL
            .into_iter()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: t(lang, &c.label_key()),
                checked: categories.iter().any(|r| r == c.code()),
                hint: String::new(),
            })
            .collect(),
        evidence: f.get("evidence"),
        expires_day: f.get("expires_on-day"),
        expires_month: f.get("expires_on-month"),
        expires_year: f.get("expires_on-year"),
    }
}

pub async fn consent_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    svc::authorize_on_person(&state, &actor, &ctx.meta, id, Action::RecordConsent)
        .await
        .map_err(service_err(&ctx))?;
    let page = consent_form(&ctx, id, &Fields::empty(), ctx.page());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn consent_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let input = ConsentInput {
        purpose: f.get("purpose"),
        recipients: f.all("recipients"),
        categories: f.all("categories"),
        evidence: f.get("evidence"),
        expires_on: join_date(
            &f.get("expires_on-day"),
            &f.get("expires_on-month"),
            &f.get("expires_on-year"),
        ),
    };
    match svc::record_consent(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/people/{id}?notice=consent-recorded"))),
        Err(e) => {
            let errors = date_errors(field_errors(&ctx, e)?, "expires_on", None);
            let page = consent_form(&ctx, id, &f, ctx.page().with_errors(&errors));
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

pub async fn consent_withdraw(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_consent)): Path<(String, String)>,
    _: CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let consent: ConsentId = parse_path(&ctx, &raw_consent)?;
    match svc::withdraw_consent(&state, &actor, &ctx.meta, id, consent).await {
        Ok(()) => Ok(see_other(&format!("/people/{id}?notice=consent-withdrawn"))),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let page =
                person_page_for(&state, &ctx, &actor, id, ctx.page().with_errors(&errors)).await?;
            Ok(render(&ctx, &state, StatusCode::CONFLICT, &page))
        }
    }
}

/// A printable receipt of one consent, in the person's preferred language (not the reader's),
/// so it can be handed to them.
pub async fn consent_receipt(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, raw_consent)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let consent_id: ConsentId = parse_path(&ctx, &raw_consent)?;
    let view = svc::view_person(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let consents = svc::list_consents(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let Some(c) = consents.into_iter().find(|c| c.id == consent_id) else {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    };
    let lang = elkarlan_domain::inclusion::consent::receipt_language(
        view.preferred_lang.as_deref().and_then(Lang::parse),
    );
    let mut page = ctx.page();
    page.lang = lang;
    let name = [&view.given_name, &view.surname1, &view.surname2]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let now = Timestamp::now();
    let state_key = format!("consent-state-{}", c.scope().state(now).code());
    let receipt = ConsentReceiptPage {
        ctx: page,
        person_id: id.to_string(),
        consent_id: c.id.to_string(),
        name,
        purpose: c.purpose.clone(),
        recipients: c
            .recipients
            .iter()
            .map(|r| t(lang, &r.label_key()))
            .collect::<Vec<_>>()
            .join(", "),
        categories: c
            .categories
            .iter()
            .map(|x| t(lang, &x.label_key()))
            .collect::<Vec<_>>()
            .join(", "),
        evidence: c.evidence.clone(),
        given: c.given_at.display(),
        expires: c
            .expires_at
            .map_or_else(|| t(lang, "none"), Timestamp::display),
        state: t(lang, &state_key),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &receipt))
}
