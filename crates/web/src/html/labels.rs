//! Names and labels shown on pages: agencies and neighbourhoods in the page's language, codes
//! as message keys, days, amounts in euros.

use super::HtmlError;
use crate::AppState;
use crate::extract::Ctx;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::inclusion::instrument::{Instrument, LifeDomain};
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, Timestamp};
use elkarlan_service::models::agencies::Agency;
use elkarlan_service::models::territory::Area;
use elkarlan_templates::{t, t_args};

pub(super) fn agency_name(lang: Lang, a: &Agency) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
    }
}

pub(super) async fn agency_list(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<Agency>, HtmlError> {
    crate::services::reference::agencies(state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))
}

pub(super) fn name_of(lang: Lang, all: &[Agency], id: elkarlan_domain::AgencyId) -> String {
    all.iter()
        .find(|a| a.id == id)
        .map(|a| agency_name(lang, a))
        .unwrap_or_default()
}

pub(super) fn key_of(prefix: &str, code: &str) -> String {
    format!("{prefix}-{}", code.replace('_', "-"))
}

pub(super) fn day(ts: Timestamp) -> String {
    ts.to_datetime().format("%Y-%m-%d").to_string()
}

pub(super) fn area_name(lang: Lang, a: &Area) -> String {
    a.name(lang).to_owned()
}

/// The tenant's neighbourhoods (not its districts).
pub(super) async fn neighbourhoods(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<Area>, HtmlError> {
    Ok(crate::services::reference::areas(state, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?
        .into_iter()
        .filter(|a| a.kind == "neighbourhood")
        .collect())
}

pub(super) fn euros(lang: Lang, cents: i64) -> String {
    t_args(lang, "emp-euros", &[("amount", &format_euros(cents))])
}

/// A life domain's name: its own names for added domains, the catalogue's for built-in ones.
pub(super) fn domain_name(lang: Lang, d: &LifeDomain) -> String {
    match &d.labels {
        Some(l) => l.get(lang).to_owned(),
        None => t(lang, &d.label_key()),
    }
}

/// A domain's name in the version it was used with, else in the latest version that has it.
pub(super) fn domain_label(
    lang: Lang,
    instruments: &[Instrument],
    version: Option<i64>,
    code: &str,
) -> String {
    let in_version = version
        .and_then(|v| instruments.iter().find(|i| i64::from(i.version) == v))
        .and_then(|i| i.domain(code));
    in_version
        .or_else(|| instruments.iter().rev().find_map(|i| i.domain(code)))
        .map_or_else(|| code.to_owned(), |d| domain_name(lang, d))
}
