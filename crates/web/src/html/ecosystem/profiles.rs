//! An organisation's social and solidarity economy profile for a year.

use super::{checkbox, err, form, form_errors, may_manage};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, parse_path};
use crate::html::form_fields::narrow;
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::ecosystem::{self as svc};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::OrganisationId;
use elkarlan_domain::ecosystem::organisation::{ProfileInput, format_centi};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_templates::{FormPage, PageCtx, t_args};

fn profile_form(
    ctx: &Ctx,
    page_ctx: PageCtx,
    id: OrganisationId,
    name: &str,
    year: i32,
    f: &Fields,
) -> FormPage {
    let lang = ctx.lang;
    form(
        page_ctx,
        lang,
        t_args(lang, "eco-profile-title", &[("year", &year.to_string())]),
        name.to_owned(),
        format!("/organisations/{id}"),
        format!("/organisations/{id}/profiles/{year}"),
        "profile-form",
        Vec::new(),
        vec![
            narrow(lang, "workforce", "eco-workforce", "", f),
            narrow(lang, "women", "eco-women", "", f),
            narrow(
                lang,
                "people_in_responsibility",
                "eco-people-in-responsibility",
                "",
                f,
            ),
            narrow(
                lang,
                "women_in_responsibility",
                "eco-women-in-responsibility",
                "",
                f,
            ),
            narrow(
                lang,
                "hired_from_exclusion",
                "eco-hired-from-exclusion",
                "",
                f,
            ),
            narrow(
                lang,
                "permanent_contracts",
                "eco-permanent-contracts",
                "",
                f,
            ),
            narrow(
                lang,
                "salary_ratio",
                "eco-salary-ratio",
                "eco-salary-ratio-hint",
                f,
            ),
            narrow(lang, "renewable_energy_percent", "eco-renewable", "", f),
            checkbox(lang, "ethical_finance", "eco-ethical-finance", f),
            narrow(lang, "turnover", "eco-turnover", "eco-euros-hint", f),
            narrow(lang, "volunteers", "eco-volunteers", "", f),
        ],
    )
}

fn parse_year(ctx: &Ctx, raw: &str) -> Result<i32, HtmlError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| HtmlError::new(ctx.page(), StatusCode::NOT_FOUND))
}

pub async fn profile_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, year)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let year = parse_year(&ctx, &year)?;
    let (o, prof) = svc::profile(&state, &actor, &ctx.meta, id, year)
        .await
        .map_err(err(&ctx))?;
    may_manage(&state, &ctx, &actor).await?;
    let mut v: Vec<(String, String)> = Vec::new();
    if let Some(p) = prof {
        let opt = |x: Option<i64>| x.map(|x| x.to_string()).unwrap_or_default();
        v = vec![
            ("workforce".into(), p.workforce.to_string()),
            ("women".into(), p.women.to_string()),
            (
                "women_in_responsibility".into(),
                p.women_in_responsibility.to_string(),
            ),
            (
                "people_in_responsibility".into(),
                p.people_in_responsibility.to_string(),
            ),
            (
                "hired_from_exclusion".into(),
                p.hired_from_exclusion.to_string(),
            ),
            (
                "permanent_contracts".into(),
                p.permanent_contracts.to_string(),
            ),
            (
                "salary_ratio".into(),
                p.salary_ratio_centi.map(format_centi).unwrap_or_default(),
            ),
            (
                "renewable_energy_percent".into(),
                opt(p.renewable_energy_percent),
            ),
            (
                "turnover".into(),
                p.turnover_cents.map(format_euros).unwrap_or_default(),
            ),
            ("volunteers".into(), opt(p.volunteers)),
        ];
        if p.ethical_finance {
            v.push(("ethical_finance".into(), "yes".into()));
        }
    }
    let p = profile_form(&ctx, ctx.page(), id, &o.name, year, &Fields::from_pairs(v));
    Ok(render(&ctx, &state, StatusCode::OK, &p))
}

pub async fn profile_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, year)): Path<(String, String)>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: OrganisationId = parse_path(&ctx, &raw)?;
    let year = parse_year(&ctx, &year)?;
    let input = ProfileInput {
        workforce: f.get("workforce"),
        women: f.get("women"),
        women_in_responsibility: f.get("women_in_responsibility"),
        people_in_responsibility: f.get("people_in_responsibility"),
        hired_from_exclusion: f.get("hired_from_exclusion"),
        permanent_contracts: f.get("permanent_contracts"),
        salary_ratio: f.get("salary_ratio"),
        renewable_energy_percent: f.get("renewable_energy_percent"),
        ethical_finance: f.get("ethical_finance") == "yes",
        turnover: f.get("turnover"),
        volunteers: f.get("volunteers"),
    };
    match svc::save_profile(&state, &actor, &ctx.meta, id, year, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/organisations/{id}?notice=profile-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "workforce", &[])?;
            let p = profile_form(&ctx, ctx.page().with_errors(&errors), id, "", year, &f);
            Ok(render(&ctx, &state, status, &p))
        }
    }
}
