//! The list of agreements with its filters.

use super::{Notice, page_with, parties_text, title_of};
use crate::AppState;
use crate::html::form::service_err;
use crate::html::form_fields::{code_options, option};
use crate::html::labels::{area_name, neighbourhoods};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::agreements::{self as svc};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::AreaId;
use elkarlan_domain::ecosystem::codes::{AgreementKind, AgreementStatus};
use elkarlan_service::models::agreements::Filter;
use elkarlan_templates::agreements::{AgreementRow, AgreementsPage};
use elkarlan_templates::t;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    kind: String,
    neighbourhood: String,
    notice: String,
}

pub(super) fn filter_of(q: &ListQuery) -> Filter {
    Filter {
        status: AgreementStatus::parse(&q.status).ok(),
        kind: AgreementKind::parse(&q.kind).ok(),
        neighbourhood: q.neighbourhood.parse::<AreaId>().ok(),
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let filter = filter_of(&q);
    let list = svc::list(&state, &actor, &ctx.meta, &filter)
        .await
        .map_err(service_err(&ctx))?;
    let areas = neighbourhoods(&state, &ctx, &actor).await?;
    let today = svc::today();
    let rows = list
        .iter()
        .map(|a| AgreementRow {
            id: a.id.to_string(),
            title: title_of(lang, a),
            kind: t(lang, &a.kind.label_key()),
            status: t(lang, &a.status.label_key()),
            parties: parties_text(lang, a),
            ends_on: a.ends_on.clone(),
            expiring: a.expiring_soon(today),
        })
        .collect();
    let mut neighbourhoods = vec![option("", t(lang, "agreements-any"), &q.neighbourhood)];
    neighbourhoods.extend(
        areas
            .iter()
            .map(|a| option(&a.id.to_string(), area_name(lang, a), &q.neighbourhood)),
    );
    let query = format!(
        "?status={}&kind={}&neighbourhood={}",
        filter.status.map_or("", AgreementStatus::code),
        filter.kind.map_or("", AgreementKind::code),
        filter
            .neighbourhood
            .map(|n| n.to_string())
            .unwrap_or_default()
    );
    let page = AgreementsPage {
        ctx: page_with(
            &ctx,
            &Notice {
                notice: q.notice.clone(),
            },
        ),
        rows,
        statuses: code_options(
            lang,
            AgreementStatus::ALL,
            AgreementStatus::code,
            AgreementStatus::label_key,
            &q.status,
            Some("agreements-any"),
        ),
        kinds: code_options(
            lang,
            AgreementKind::ALL,
            AgreementKind::code,
            AgreementKind::label_key,
            &q.kind,
            Some("agreements-any"),
        ),
        neighbourhoods,
        query,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}
