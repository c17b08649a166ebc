//! The contracts list with the year's reserved share, a contract's page, and its form.

use super::{
    Notice, candidate_headers, candidate_rows, codes, cpv_text, date_field, euros, form,
    may_manage, opt_euros, page_with, share_facts, share_warning, year_options,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{
    CsrfForm, Fields, date_pairs, date_value, form_errors, parse_path, place_errors, service_err,
};
use crate::html::form_fields::{narrow, option, select, text, textarea};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::procurement::{self as svc};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::ecosystem::codes::{
    ContractStatus, ProcurementCategory, ProcurementProcedure, Reservation,
};
use elkarlan_domain::ecosystem::procurement::ContractInput;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::{ContractId, Lang};
use elkarlan_service::models::contracts::{Contract, ContractFilter};
use elkarlan_templates::procurement::{Cell, ProcurementPage, Section};
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    year: String,
    status: String,
    reserved: String,
    notice: String,
}

pub async fn contracts_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let filter = ContractFilter {
        year: q.year.trim().parse().ok(),
        status: svc::status_filter(&q.status),
        reserved: match q.reserved.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
    };
    let v = svc::list_contracts(&state, &actor, &ctx.meta, &filter)
        .await
        .map_err(service_err(&ctx))?;
    let rows = v
        .contracts
        .iter()
        .map(|c| {
            vec![
                Cell::link(c.file_number.clone(), format!("/contracts/{}", c.id)),
                Cell::text(c.title.clone()),
                Cell::text(t(lang, &c.status.label_key())),
                Cell::text(euros(lang, c.amount_cents)),
                Cell::text(t(lang, &c.reservation.label_key())),
                Cell::text(c.awardee_name.clone().unwrap_or_default()),
                Cell::text(c.lots.to_string()),
                Cell::text(c.clauses.to_string()),
            ]
        })
        .collect();
    let headers = [
        "proc-col-file",
        "proc-col-title",
        "proc-col-status",
        "proc-col-amount",
        "proc-col-reservation",
        "proc-col-awardee",
        "proc-col-lots",
        "proc-col-clauses",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let page = ProcurementPage {
        ctx: page_with(
            &ctx,
            &Notice {
                notice: q.notice.clone(),
            },
        ),
        title: t(lang, "proc-contracts-title"),
        caption: String::new(),
        back: String::new(),
        intro: t(lang, "proc-contracts-intro"),
        warnings: share_warning(lang, &v.share).into_iter().collect(),
        facts: share_facts(lang, &v.share),
        links: vec![
            (
                "/contracts/new".into(),
                t(lang, "proc-contract-new-title"),
                "new-contract",
            ),
            (
                "/contracts/import".into(),
                t(lang, "proc-import-title"),
                "import-contracts",
            ),
            (
                "/procurement/targets".into(),
                t(lang, "proc-targets-title"),
                "targets",
            ),
            (
                "/ecosystem/figures".into(),
                t(lang, "proc-figures-title"),
                "figures",
            ),
        ],
        filters: vec![
            select(
                lang,
                "year",
                "proc-filter-year",
                year_options(lang, &q.year, true),
            ),
            select(
                lang,
                "status",
                "proc-filter-status",
                codes(
                    lang,
                    ContractStatus::ALL,
                    ContractStatus::code,
                    ContractStatus::label_key,
                    &q.status,
                    Some("proc-filter-all"),
                ),
            ),
            select(
                lang,
                "reserved",
                "proc-filter-reserved",
                vec![
                    option("", t(lang, "proc-filter-all"), &q.reserved),
                    option("yes", t(lang, "proc-filter-reserved-yes"), &q.reserved),
                    option("no", t(lang, "proc-filter-reserved-no"), &q.reserved),
                ],
            ),
        ],
        filter_submit: t(lang, "proc-filter-apply"),
        sections: vec![Section {
            title: t(lang, "proc-contracts-list"),
            id: "contracts".into(),
            headers,
            rows,
            empty: t(lang, "proc-none"),
        }],
        downloads: vec![
            ("/exports/contracts.ocds.json".into(), "OCDS JSON".into()),
            ("/exports/contracts/csv".into(), "CSV".into()),
            ("/exports/contracts/xlsx".into(), "XLSX".into()),
        ],
        upload: Default::default(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

const CONTRACT_DATES: [&str; 3] = ["published_on", "starts_on", "ends_on"];

fn contract_fields(lang: Lang, f: &Fields) -> Vec<FormField> {
    vec![
        narrow(
            lang,
            "file_number",
            "proc-file-number",
            "proc-file-number-hint",
            f,
        ),
        text(lang, "contracting_body", "proc-contracting-body", "", f),
        text(lang, "title", "proc-title", "", f),
        textarea(lang, "description", "proc-description", "", f),
        narrow(lang, "cpv", "proc-cpv", "proc-cpv-hint", f),
        select(
            lang,
            "category",
            "proc-category",
            codes(
                lang,
                ProcurementCategory::ALL,
                ProcurementCategory::code,
                ProcurementCategory::label_key,
                &f.get("category"),
                Some("proc-choose"),
            ),
        ),
        select(
            lang,
            "procedure",
            "proc-procedure",
            codes(
                lang,
                ProcurementProcedure::ALL,
                ProcurementProcedure::code,
                ProcurementProcedure::label_key,
                &f.get("procedure"),
                Some("proc-choose"),
            ),
        ),
        select(
            lang,
            "status",
            "proc-status",
            codes(
                lang,
                ContractStatus::ALL,
                ContractStatus::code,
                ContractStatus::label_key,
                &f.get("status"),
                None,
            ),
        ),
        narrow(lang, "amount", "proc-amount", "proc-amount-hint", f),
        select(
            lang,
            "reservation",
            "proc-reservation",
            codes(
                lang,
                Reservation::ALL,
                Reservation::code,
                Reservation::label_key,
                &f.get("reservation"),
                None,
            ),
        ),
        date_field(lang, "published_on", "proc-published-on", f),
        date_field(lang, "starts_on", "proc-starts-on", f),
        date_field(lang, "ends_on", "proc-ends-on", f),
    ]
}

fn contract_input(f: &Fields) -> ContractInput {
    ContractInput {
        file_number: f.get("file_number"),
        contracting_body: f.get("contracting_body"),
        title: f.get("title"),
        description: f.get("description"),
        cpv: f.get("cpv"),
        category: f.get("category"),
        procedure: f.get("procedure"),
        status: f.get("status"),
        amount: f.get("amount"),
        published_on: date_value(f, "published_on"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        reservation: f.get("reservation"),
    }
}

fn contract_form(
    ctx: &Ctx,
    page: PageCtx,
    edit: Option<(ContractId, i64)>,
    f: &Fields,
) -> FormPage {
    let lang = ctx.lang;
    let fields = contract_fields(lang, f);
    match edit {
        None => form(
            page,
            lang,
            "proc-contract-new-title",
            t(lang, "proc-contracts-title"),
            String::new(),
            "/contracts".into(),
            "/contracts/new".into(),
            "contract-form",
            Vec::new(),
            fields,
        ),
        Some((id, version)) => form(
            page,
            lang,
            "proc-contract-edit-title",
            t(lang, "proc-contracts-title"),
            String::new(),
            format!("/contracts/{id}"),
            format!("/contracts/{id}/edit"),
            "contract-form",
            vec![("version".into(), version.to_string())],
            fields,
        ),
    }
}

pub async fn contract_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&state, &ctx, &actor).await?;
    let f = Fields::from_pairs(vec![(
        "contracting_body".into(),
        t(ctx.lang, "proc-default-body"),
    )]);
    let page = contract_form(&ctx, ctx.page(), None, &f);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn contract_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    match svc::create_contract(&state, &actor, &ctx.meta, &contract_input(&f)).await {
        Ok(id) => Ok(see_other(&format!("/contracts/{id}?notice=contract-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "file_number")?;
            let errors = place_errors(errors, &CONTRACT_DATES, &[], "");
            let page = contract_form(&ctx, ctx.page().with_errors(&errors), None, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn contract_values(c: &Contract) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("file_number".into(), c.file_number.clone()),
        ("contracting_body".into(), c.contracting_body.clone()),
        ("title".into(), c.title.clone()),
        (
            "description".into(),
            c.description.clone().unwrap_or_default(),
        ),
        ("cpv".into(), c.cpv.clone()),
        ("category".into(), c.category.code().into()),
        ("procedure".into(), c.procedure.code().into()),
        ("status".into(), c.status.code().into()),
        ("amount".into(), format_euros(c.amount_cents)),
        ("reservation".into(), c.reservation.code().into()),
    ];
    for (id, value) in [
        ("published_on", &c.published_on),
        ("starts_on", &c.starts_on),
        ("ends_on", &c.ends_on),
    ] {
        if let Some(value) = value {
            date_pairs(id, value, &mut v);
        }
    }
    Fields::from_pairs(v)
}

pub async fn contract_edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let d = svc::contract(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = contract_values(&d.contract);
    let page = contract_form(&ctx, ctx.page(), Some((id, d.contract.version)), &f);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn contract_edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let version = f.get("version").parse().ok();
    match svc::update_contract(&state, &actor, &ctx.meta, id, version, &contract_input(&f)).await {
        Ok(()) => Ok(see_other(&format!("/contracts/{id}?notice=contract-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "file_number")?;
            let errors = place_errors(errors, &CONTRACT_DATES, &[], "");
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                svc::contract(&state, &actor, &ctx.meta, id)
                    .await
                    .map_err(service_err(&ctx))?
                    .contract
                    .version
            } else {
                version.unwrap_or(0)
            };
            let page = contract_form(
                &ctx,
                ctx.page().with_errors(&errors),
                Some((id, version)),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

pub async fn contract_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: ContractId = parse_path(&ctx, &raw)?;
    let d = svc::contract(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let c = &d.contract;
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut facts = vec![
        (t(lang, "proc-ocid"), c.ocid.clone()),
        (t(lang, "proc-file-number"), c.file_number.clone()),
        (t(lang, "proc-contracting-body"), c.contracting_body.clone()),
        (t(lang, "proc-description"), opt(&c.description)),
        (t(lang, "proc-cpv"), cpv_text(&c.cpv)),
        (t(lang, "proc-category"), t(lang, &c.category.label_key())),
        (t(lang, "proc-procedure"), t(lang, &c.procedure.label_key())),
        (t(lang, "proc-status"), t(lang, &c.status.label_key())),
        (t(lang, "proc-amount"), euros(lang, c.amount_cents)),
        (
            t(lang, "proc-reservation"),
            t(lang, &c.reservation.label_key()),
        ),
        (t(lang, "proc-published-on"), opt(&c.published_on)),
        (t(lang, "proc-awarded-on"), opt(&c.awarded_on)),
        (t(lang, "proc-starts-on"), opt(&c.starts_on)),
        (t(lang, "proc-ends-on"), opt(&c.ends_on)),
        (t(lang, "proc-awardee"), opt(&c.awardee_name)),
        (
            t(lang, "proc-awarded-amount"),
            opt_euros(lang, c.awarded_cents),
        ),
    ];
    let mut warnings = Vec::new();
    if let Some(j) = &c.eligibility_justification {
        facts.push((t(lang, "proc-justification"), j.clone()));
        warnings.push(t(lang, "proc-award-justified"));
    }
    let lots = d
        .lots
        .iter()
        .map(|l| {
            if l.eligibility_justification.is_some() {
                warnings.push(t_args(
                    lang,
                    "proc-lot-award-justified",
                    &[("number", &l.number.to_string())],
                ));
            }
            vec![
                Cell::text(l.number.to_string()),
                Cell::text(l.title.clone()),
                Cell::text(cpv_text(&l.cpv)),
                Cell::text(euros(lang, l.amount_cents)),
                Cell::text(t(lang, &l.reservation.label_key())),
                Cell::text(opt(&l.awardee_name)),
                Cell::text(opt_euros(lang, l.awarded_cents)),
                Cell::text(opt(&l.eligibility_justification)),
            ]
        })
        .collect();
    let lot_number = |id| {
        d.lots
            .iter()
            .find(|l| Some(l.id) == id)
            .map(|l| l.number.to_string())
            .unwrap_or_else(|| t(lang, "proc-whole-contract"))
    };
    let clauses = d
        .clauses
        .iter()
        .map(|s| {
            vec![
                Cell::link(
                    t(lang, &s.purpose.label_key()),
                    format!("/clauses/{}", s.id),
                ),
                Cell::text(t(lang, &s.stage.label_key())),
                Cell::text(lot_number(s.lot_id)),
                Cell::text(s.weight_percent.map(|w| w.to_string()).unwrap_or_default()),
                Cell::text(
                    s.latest_verdict
                        .map(|v| t(lang, &v.label_key()))
                        .unwrap_or_else(|| t(lang, "proc-not-checked")),
                ),
            ]
        })
        .collect();
    let mut sections = vec![
        Section {
            title: t(lang, "proc-lots-title"),
            id: "lots".into(),
            headers: [
                "proc-col-lot",
                "proc-col-title",
                "proc-cpv",
                "proc-col-amount",
                "proc-col-reservation",
                "proc-col-awardee",
                "proc-awarded-amount",
                "proc-justification",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: lots,
            empty: t(lang, "proc-no-lots"),
        },
        Section {
            title: t(lang, "proc-clauses-title"),
            id: "clauses".into(),
            headers: [
                "proc-clause-purpose",
                "proc-clause-stage",
                "proc-col-lot",
                "proc-clause-weight",
                "proc-latest-verdict",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: clauses,
            empty: t(lang, "proc-no-clauses"),
        },
    ];
    for m in &d.matches {
        let title = match m.lot {
            None => t(lang, "proc-matching-contract"),
            Some(n) => t_args(lang, "proc-matching-lot", &[("number", &n.to_string())]),
        };
        sections.push(Section {
            title,
            id: format!("matching-{}", m.lot.unwrap_or(0)),
            headers: candidate_headers(lang),
            rows: candidate_rows(lang, &m.candidates),
            empty: t(lang, "proc-no-candidates"),
        });
    }
    let page = ProcurementPage {
        ctx: page_with(&ctx, &n),
        title: c.title.clone(),
        caption: t(lang, "proc-contract-caption"),
        back: "/contracts".into(),
        intro: String::new(),
        warnings,
        facts,
        links: vec![
            (
                format!("/contracts/{id}/edit"),
                t(lang, "proc-contract-edit-title"),
                "edit-contract",
            ),
            (
                format!("/contracts/{id}/lots/new"),
                t(lang, "proc-lot-new-title"),
                "new-lot",
            ),
            (
                format!("/contracts/{id}/clauses/new"),
                t(lang, "proc-clause-new-title"),
                "new-clause",
            ),
            (
                format!("/contracts/{id}/award"),
                t(lang, "proc-award-title"),
                "award",
            ),
        ],
        filters: Vec::new(),
        filter_submit: String::new(),
        sections,
        downloads: Vec::new(),
        upload: Default::default(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}
