//! Pages for responsible procurement: the contracts list with the year's reserved share, a
//! contract with its lots, clauses and matching entities, the award form (with its warning for
//! reserved awards not covered by the awardee's registers), a clause with its commitments,
//! checks and matching, the yearly target, the OCDS import, the exports and the ecosystem's
//! figures. Handlers only translate between forms and `services::procurement`.

use super::form::{
    Fields, date_pairs, date_value, fields, form_errors, parse_path, place_errors, service_err,
};
use super::form_fields::{narrow, option, select, text, textarea};
use super::{HtmlError, SignedIn, check_csrf, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::procurement::{self as svc, OcdsRejection, TargetInput};
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use elkarlan_domain::ecosystem::codes::{
    ClausePurpose, ClauseStage, CommitmentKind, ContractStatus, ProcurementCategory,
    ProcurementProcedure, Reservation, Verdict,
};
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::ocds;
use elkarlan_domain::ecosystem::procurement::{
    AwardInput, CheckInput, ClauseInput, ContractInput, LotInput, format_permille,
};
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{ContractId, Lang, SocialClauseId};
use elkarlan_service::models::commitments::CommitmentOwner;
use elkarlan_service::models::contracts::{Candidate, Contract, ContractFilter, ReservedShare};
use elkarlan_templates::procurement::{Cell, ProcurementPage, Section};
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t, t_args};
use serde::Deserialize;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/contracts", get(contracts_page))
        .add("GET", "/contracts/new", get(contract_new_page))
        .add("POST", "/contracts/new", post(contract_new_submit))
        .add("GET", "/contracts/import", get(import_page))
        .add("POST", "/contracts/import", post(import_submit))
        .add("GET", "/contracts/{contract}", get(contract_page))
        .add("GET", "/contracts/{contract}/edit", get(contract_edit_page))
        .add(
            "POST",
            "/contracts/{contract}/edit",
            post(contract_edit_submit),
        )
        .add("GET", "/contracts/{contract}/lots/new", get(lot_new_page))
        .add(
            "POST",
            "/contracts/{contract}/lots/new",
            post(lot_new_submit),
        )
        .add(
            "GET",
            "/contracts/{contract}/clauses/new",
            get(clause_new_page),
        )
        .add(
            "POST",
            "/contracts/{contract}/clauses/new",
            post(clause_new_submit),
        )
        .add("GET", "/contracts/{contract}/award", get(award_page))
        .add("POST", "/contracts/{contract}/award", post(award_submit))
        .add("GET", "/clauses/{clause}", get(clause_page))
        .add("GET", "/clauses/{clause}/checks/new", get(check_new_page))
        .add(
            "POST",
            "/clauses/{clause}/checks/new",
            post(check_new_submit),
        )
        .add(
            "GET",
            "/clauses/{clause}/commitments/new",
            get(commitment_new_page),
        )
        .add(
            "POST",
            "/clauses/{clause}/commitments/new",
            post(commitment_new_submit),
        )
        .add("GET", "/procurement/targets", get(targets_page))
        .add("POST", "/procurement/targets", post(targets_submit))
        .add("GET", "/ecosystem/figures", get(figures_page))
        .add("GET", "/exports/contracts.ocds.json", get(export_ocds))
        .add("GET", "/exports/contracts/{format}", get(export_table))
}

// Helpers ---------------------------------------------------------------------------------------

const NOTICES: [&str; 7] = [
    "contract-saved",
    "lot-saved",
    "clause-saved",
    "award-saved",
    "check-saved",
    "commitment-saved",
    "target-saved",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("proc-notice-{key}")));
    }
    page
}

fn may_manage(ctx: &Ctx, actor: &Actor) -> Result<(), HtmlError> {
    elkarlan_domain::policy::decide(
        actor,
        elkarlan_domain::policy::Action::ManageProcurement,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
    )
    .map(|_| ())
    .map_err(|d| HtmlError::from_service(ctx, ServiceError::Forbidden(d)))
}

fn euros(lang: Lang, cents: i64) -> String {
    t_args(lang, "proc-euros", &[("amount", &format_euros(cents))])
}

fn opt_euros(lang: Lang, cents: Option<i64>) -> String {
    cents.map(|c| euros(lang, c)).unwrap_or_default()
}

fn codes<T: Copy>(
    lang: Lang,
    all: &[T],
    code: fn(T) -> &'static str,
    key: fn(T) -> String,
    chosen: &str,
    empty: Option<&str>,
) -> Vec<SelectOption> {
    let mut out = Vec::new();
    if let Some(k) = empty {
        out.push(option("", t(lang, k), chosen));
    }
    out.extend(
        all.iter()
            .map(|x| option(code(*x), t(lang, &key(*x)), chosen)),
    );
    out
}

fn date_field(lang: Lang, id: &str, legend: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(lang, legend),
        hint: t(lang, "proc-date-hint"),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

#[allow(clippy::too_many_arguments)] // every part of a form page, named at the call site
fn form(
    page: PageCtx,
    lang: Lang,
    title: &str,
    caption: String,
    intro: String,
    back: String,
    action: String,
    form_id: &'static str,
    hidden: Vec<(String, String)>,
    fields: Vec<FormField>,
) -> FormPage {
    FormPage {
        ctx: page,
        title: t(lang, title),
        caption,
        intro,
        back,
        action,
        form_id,
        hidden,
        fields,
        submit_id: "submit",
        submit: t(lang, "proc-save"),
    }
}

fn cpv_text(code: &str) -> String {
    Cpv::parse(code).map_or_else(
        |_| code.to_owned(),
        |c| format!("{code} {}", c.label(Lang::En)),
    )
}

fn share_text(lang: Lang, s: &ReservedShare) -> String {
    match s.permille {
        Some(p) => t_args(
            lang,
            "proc-share-value",
            &[
                ("share", &format_permille(p)),
                ("reserved", &format_euros(s.reserved_cents)),
                ("total", &format_euros(s.total_cents)),
            ],
        ),
        None => t(lang, "proc-share-none"),
    }
}

fn target_text(lang: Lang, s: &ReservedShare) -> String {
    s.target_permille
        .map_or_else(|| t(lang, "proc-target-none"), format_permille)
}

fn share_facts(lang: Lang, s: &ReservedShare) -> Vec<(String, String)> {
    let year = s.year.to_string();
    vec![
        (
            t_args(lang, "proc-share-label", &[("year", &year)]),
            share_text(lang, s),
        ),
        (
            t_args(lang, "proc-target-label", &[("year", &year)]),
            target_text(lang, s),
        ),
    ]
}

fn share_warning(lang: Lang, s: &ReservedShare) -> Option<String> {
    (s.meets_target() == Some(false)).then(|| {
        t_args(
            lang,
            "proc-share-below-target",
            &[("year", &s.year.to_string())],
        )
    })
}

fn candidate_rows(lang: Lang, list: &[Candidate]) -> Vec<Vec<Cell>> {
    list.iter()
        .map(|c| {
            vec![
                Cell::text(c.name.clone()),
                Cell::text(t(lang, &c.legal_form.label_key())),
                Cell::text(c.activities.join(", ")),
                Cell::text(c.register_number.clone().unwrap_or_default()),
            ]
        })
        .collect()
}

fn candidate_headers(lang: Lang) -> Vec<String> {
    [
        "proc-col-organisation",
        "proc-col-legal-form",
        "proc-col-activities",
        "proc-col-register",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect()
}

fn year_options(lang: Lang, chosen: &str, with_all: bool) -> Vec<SelectOption> {
    let now = svc::today().year();
    let mut out = Vec::new();
    if with_all {
        out.push(option("", t(lang, "proc-filter-all"), chosen));
    }
    out.extend((now - 4..=now + 1).rev().map(|y| {
        let v = y.to_string();
        option(&v, v.clone(), chosen)
    }));
    out
}

// Contracts list --------------------------------------------------------------------------------

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

// Contract form ---------------------------------------------------------------------------------

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
    may_manage(&ctx, &actor)?;
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
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
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
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
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

// Contract page ---------------------------------------------------------------------------------

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

// Lots ------------------------------------------------------------------------------------------

fn lot_form(ctx: &Ctx, page: PageCtx, id: ContractId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page,
        lang,
        "proc-lot-new-title",
        t(lang, "proc-contract-caption"),
        String::new(),
        format!("/contracts/{id}"),
        format!("/contracts/{id}/lots/new"),
        "lot-form",
        Vec::new(),
        vec![
            narrow(lang, "number", "proc-lot-number", "", f),
            text(lang, "title", "proc-title", "", f),
            narrow(lang, "cpv", "proc-cpv", "proc-cpv-hint", f),
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
        ],
    )
}

pub async fn lot_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let lots = svc::lots(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let next = lots.iter().map(|l| l.number).max().unwrap_or(0) + 1;
    let f = Fields::from_pairs(vec![("number".into(), next.to_string())]);
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &lot_form(&ctx, ctx.page(), id, &f),
    ))
}

pub async fn lot_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
    let input = LotInput {
        number: f.get("number"),
        title: f.get("title"),
        cpv: f.get("cpv"),
        amount: f.get("amount"),
        reservation: f.get("reservation"),
    };
    match svc::add_lot(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/contracts/{id}?notice=lot-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "number")?;
            let page = lot_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Clauses ---------------------------------------------------------------------------------------

async fn lot_options(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: ContractId,
    chosen: &str,
) -> Result<Vec<SelectOption>, HtmlError> {
    let lang = ctx.lang;
    let lots = svc::lots(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let mut out = vec![option("", t(lang, "proc-whole-contract"), chosen)];
    out.extend(lots.iter().map(|l| {
        option(
            &l.id.to_string(),
            t_args(
                lang,
                "proc-lot-label",
                &[("number", &l.number.to_string()), ("title", &l.title)],
            ),
            chosen,
        )
    }));
    Ok(out)
}

async fn clause_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: ContractId,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let lots = lot_options(state, ctx, actor, id, &f.get("lot")).await?;
    Ok(form(
        page,
        lang,
        "proc-clause-new-title",
        t(lang, "proc-contract-caption"),
        String::new(),
        format!("/contracts/{id}"),
        format!("/contracts/{id}/clauses/new"),
        "clause-form",
        Vec::new(),
        vec![
            select(lang, "lot", "proc-col-lot", lots),
            select(
                lang,
                "stage",
                "proc-clause-stage",
                codes(
                    lang,
                    ClauseStage::ALL,
                    ClauseStage::code,
                    ClauseStage::label_key,
                    &f.get("stage"),
                    Some("proc-choose"),
                ),
            ),
            select(
                lang,
                "purpose",
                "proc-clause-purpose",
                codes(
                    lang,
                    ClausePurpose::ALL,
                    ClausePurpose::code,
                    ClausePurpose::label_key,
                    &f.get("purpose"),
                    Some("proc-choose"),
                ),
            ),
            textarea(lang, "description", "proc-description", "", f),
            narrow(
                lang,
                "weight",
                "proc-clause-weight",
                "proc-clause-weight-hint",
                f,
            ),
            textarea(lang, "penalty", "proc-clause-penalty", "", f),
        ],
    ))
}

pub async fn clause_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let page = clause_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn clause_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
    let input = ClauseInput {
        lot: f.get("lot"),
        stage: f.get("stage"),
        purpose: f.get("purpose"),
        description: f.get("description"),
        weight: f.get("weight"),
        penalty: f.get("penalty"),
    };
    match svc::add_clause(&state, &actor, &ctx.meta, id, &input).await {
        Ok(clause) => Ok(see_other(&format!("/clauses/{clause}?notice=clause-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "stage")?;
            let page = clause_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Award -----------------------------------------------------------------------------------------

async fn award_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: ContractId,
    f: &Fields,
    warning: String,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let lots = lot_options(state, ctx, actor, id, &f.get("lot")).await?;
    let orgs = svc::awardees(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("awardee");
    let mut awardees = vec![option("", t(lang, "proc-choose"), &chosen)];
    awardees.extend(orgs.iter().map(|o| {
        option(
            &o.id.to_string(),
            format!(
                "{} ({}, {})",
                o.name,
                o.tax_id,
                t(lang, &o.legal_form.label_key())
            ),
            &chosen,
        )
    }));
    Ok(form(
        page,
        lang,
        "proc-award-title",
        t(lang, "proc-contract-caption"),
        if warning.is_empty() {
            t(lang, "proc-award-intro")
        } else {
            warning
        },
        format!("/contracts/{id}"),
        format!("/contracts/{id}/award"),
        "award-form",
        Vec::new(),
        vec![
            select(lang, "lot", "proc-col-lot", lots),
            select(lang, "awardee", "proc-awardee", awardees),
            narrow(
                lang,
                "awarded_amount",
                "proc-awarded-amount",
                "proc-amount-hint",
                f,
            ),
            date_field(lang, "awarded_on", "proc-awarded-on", f),
            textarea(
                lang,
                "justification",
                "proc-justification",
                "proc-justification-hint",
                f,
            ),
        ],
    ))
}

pub async fn award_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let page = award_form(
        &state,
        &ctx,
        &actor,
        ctx.page(),
        id,
        &Fields::empty(),
        String::new(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn award_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: ContractId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
    let input = AwardInput {
        lot: f.get("lot"),
        awardee: f.get("awardee"),
        awarded_amount: f.get("awarded_amount"),
        awarded_on: date_value(&f, "awarded_on"),
        justification: f.get("justification"),
    };
    match svc::award(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => Ok(see_other(&format!("/contracts/{id}?notice=award-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "awardee")?;
            // The reserved award the registers do not cover: say so plainly above the form.
            let warning = if errors.get("justification") == Some("error-award-not-covered") {
                t(ctx.lang, "proc-award-warning")
            } else {
                String::new()
            };
            let errors = place_errors(errors, &["awarded_on"], &[], "");
            let page = award_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
                warning,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Clause page -----------------------------------------------------------------------------------

pub async fn clause_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let d = svc::clause(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let s = &d.clause;
    let facts = vec![
        (
            t(lang, "proc-contract-caption"),
            format!("{} · {}", d.contract.file_number, d.contract.title),
        ),
        (
            t(lang, "proc-col-lot"),
            d.lot.as_ref().map_or_else(
                || t(lang, "proc-whole-contract"),
                |l| {
                    t_args(
                        lang,
                        "proc-lot-label",
                        &[("number", &l.number.to_string()), ("title", &l.title)],
                    )
                },
            ),
        ),
        (t(lang, "proc-clause-stage"), t(lang, &s.stage.label_key())),
        (
            t(lang, "proc-clause-purpose"),
            t(lang, &s.purpose.label_key()),
        ),
        (t(lang, "proc-description"), s.description.clone()),
        (
            t(lang, "proc-clause-weight"),
            s.weight_percent.map(|w| w.to_string()).unwrap_or_default(),
        ),
        (
            t(lang, "proc-clause-penalty"),
            s.penalty.clone().unwrap_or_default(),
        ),
        (
            t(lang, "proc-latest-verdict"),
            s.latest_verdict
                .map_or_else(|| t(lang, "proc-not-checked"), |v| t(lang, &v.label_key())),
        ),
        (t(lang, "proc-hires"), d.hires.to_string()),
    ];
    let warnings = d
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::NonCompliant && c.penalty_cents > 0)
        .map(|c| {
            t_args(
                lang,
                "proc-check-failed",
                &[
                    ("date", &c.checked_on),
                    ("penalty", &format_euros(c.penalty_cents)),
                ],
            )
        })
        .collect();
    let commitments = d
        .commitments
        .iter()
        .map(|k| {
            vec![
                Cell::text(k.commitment.description.clone()),
                Cell::text(t(lang, &k.commitment.kind.label_key())),
                Cell::text(t_args(
                    lang,
                    "proc-progress",
                    &[
                        ("done", &k.progress.achieved.to_string()),
                        ("target", &k.commitment.target.to_string()),
                        ("unit", &k.commitment.unit),
                    ],
                )),
                Cell::text(k.commitment.due_on.clone()),
                Cell::text(t(lang, &k.commitment.status.label_key())),
            ]
        })
        .collect();
    let checks = d
        .checks
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.checked_on.clone()),
                Cell::text(t(lang, &c.verdict.label_key())),
                Cell::text(if c.penalty_cents > 0 {
                    euros(lang, c.penalty_cents)
                } else {
                    String::new()
                }),
                Cell::text(c.evidence.clone()),
                Cell::text(c.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut sections = vec![
        Section {
            title: t(lang, "proc-commitments-title"),
            id: "commitments".into(),
            headers: [
                "proc-description",
                "proc-commitment-kind",
                "proc-col-progress",
                "proc-due-on",
                "proc-col-status",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: commitments,
            empty: t(lang, "proc-no-commitments"),
        },
        Section {
            title: t(lang, "proc-checks-title"),
            id: "checks".into(),
            headers: [
                "proc-checked-on",
                "proc-verdict",
                "proc-penalty",
                "proc-evidence",
                "proc-note",
            ]
            .iter()
            .map(|k| t(lang, k))
            .collect(),
            rows: checks,
            empty: t(lang, "proc-no-checks"),
        },
    ];
    if let Some(c) = &d.candidates {
        sections.push(Section {
            title: t(lang, "proc-matching-clause"),
            id: "matching".into(),
            headers: candidate_headers(lang),
            rows: candidate_rows(lang, c),
            empty: t(lang, "proc-no-candidates"),
        });
    }
    let page = ProcurementPage {
        ctx: page_with(&ctx, &n),
        title: t(lang, &s.purpose.label_key()),
        caption: t(lang, "proc-clause-caption"),
        back: format!("/contracts/{}", d.contract.id),
        intro: String::new(),
        warnings,
        facts,
        links: vec![
            (
                format!("/clauses/{id}/checks/new"),
                t(lang, "proc-check-new-title"),
                "new-check",
            ),
            (
                format!("/clauses/{id}/commitments/new"),
                t(lang, "proc-commitment-new-title"),
                "new-commitment",
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

async fn check_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    id: SocialClauseId,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let d = svc::clause(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let chosen = f.get("commitment");
    let mut commitments = vec![option("", t(lang, "proc-no-commitment"), &chosen)];
    commitments.extend(d.commitments.iter().map(|k| {
        option(
            &k.commitment.id.to_string(),
            k.commitment.description.clone(),
            &chosen,
        )
    }));
    let verdict = f.get("verdict");
    Ok(form(
        page,
        lang,
        "proc-check-new-title",
        t(lang, "proc-clause-caption"),
        String::new(),
        format!("/clauses/{id}"),
        format!("/clauses/{id}/checks/new"),
        "check-form",
        Vec::new(),
        vec![
            date_field(lang, "checked_on", "proc-checked-on", f),
            FormField::Choices {
                id: "verdict".into(),
                kind: "radio",
                group: "radios",
                legend: t(lang, "proc-verdict"),
                hint: String::new(),
                options: Verdict::ALL
                    .iter()
                    .map(|v| Choice {
                        value: v.code().to_owned(),
                        label: t(lang, &v.label_key()),
                        checked: verdict == v.code(),
                        hint: String::new(),
                    })
                    .collect(),
            },
            textarea(lang, "evidence", "proc-evidence", "proc-evidence-hint", f),
            narrow(lang, "penalty", "proc-penalty", "proc-amount-hint", f),
            select(lang, "commitment", "proc-commitment-checked", commitments),
            textarea(lang, "note", "proc-note", "", f),
        ],
    ))
}

pub async fn check_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let page = check_form(&state, &ctx, &actor, ctx.page(), id, &Fields::empty()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn check_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
    let input = CheckInput {
        checked_on: date_value(&f, "checked_on"),
        evidence: f.get("evidence"),
        verdict: f.get("verdict"),
        penalty: f.get("penalty"),
        note: f.get("note"),
        commitment: f.get("commitment"),
    };
    match svc::add_check(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/clauses/{id}?notice=check-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "evidence")?;
            let errors = place_errors(errors, &["checked_on"], &[], "");
            let page = check_form(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                id,
                &f,
            )
            .await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn commitment_form(ctx: &Ctx, page: PageCtx, id: SocialClauseId, f: &Fields) -> FormPage {
    let lang = ctx.lang;
    form(
        page,
        lang,
        "proc-commitment-new-title",
        t(lang, "proc-clause-caption"),
        t(lang, "proc-commitment-intro"),
        format!("/clauses/{id}"),
        format!("/clauses/{id}/commitments/new"),
        "commitment-form",
        Vec::new(),
        vec![
            select(
                lang,
                "kind",
                "proc-commitment-kind",
                codes(
                    lang,
                    &[CommitmentKind::HireParticipants, CommitmentKind::Other],
                    CommitmentKind::code,
                    CommitmentKind::label_key,
                    &f.get("kind"),
                    None,
                ),
            ),
            textarea(lang, "description", "proc-description", "", f),
            narrow(lang, "target", "proc-commitment-target", "", f),
            narrow(
                lang,
                "unit",
                "proc-commitment-unit",
                "proc-commitment-unit-hint",
                f,
            ),
            date_field(lang, "due_on", "proc-due-on", f),
        ],
    )
}

pub async fn commitment_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    svc::clause(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = Fields::from_pairs(vec![(
        "unit".into(),
        t(ctx.lang, "proc-commitment-unit-people"),
    )]);
    Ok(render(
        &ctx,
        &state,
        StatusCode::OK,
        &commitment_form(&ctx, ctx.page(), id, &f),
    ))
}

pub async fn commitment_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let id: SocialClauseId = parse_path(&ctx, &raw)?;
    let f = fields(&ctx, form_data)?;
    // The organisation is left empty: the store takes the clause's awardee.
    let input = CommitmentInput {
        kind: f.get("kind"),
        description: f.get("description"),
        target: f.get("target"),
        unit: f.get("unit"),
        due_on: date_value(&f, "due_on"),
        ..CommitmentInput::default()
    };
    match crate::services::agreements::create_commitment(
        &state,
        &actor,
        &ctx.meta,
        CommitmentOwner::Clause(id),
        &input,
        None,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/clauses/{id}?notice=commitment-saved"))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &[], "");
            let page = commitment_form(&ctx, ctx.page().with_errors(&errors), id, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Targets ---------------------------------------------------------------------------------------

async fn targets_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    f: &Fields,
) -> Result<FormPage, HtmlError> {
    let lang = ctx.lang;
    let list = svc::targets(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let intro = if list.is_empty() {
        t(lang, "proc-targets-none")
    } else {
        t_args(
            lang,
            "proc-targets-current",
            &[(
                "list",
                &list
                    .iter()
                    .map(|(y, p)| format!("{y}: {}", format_permille(*p)))
                    .collect::<Vec<_>>()
                    .join("; "),
            )],
        )
    };
    Ok(form(
        page,
        lang,
        "proc-targets-title",
        t(lang, "proc-contracts-title"),
        intro,
        "/contracts".into(),
        "/procurement/targets".into(),
        "target-form",
        Vec::new(),
        vec![
            select(
                lang,
                "year",
                "proc-filter-year",
                year_options(lang, &f.get("year"), false),
            ),
            narrow(lang, "target", "proc-target", "proc-target-hint", f),
        ],
    ))
}

pub async fn targets_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let f = Fields::from_pairs(vec![("year".into(), svc::today().year().to_string())]);
    let page = targets_form(&state, &ctx, &actor, ctx.page(), &f).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn targets_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let input = TargetInput {
        year: f.get("year"),
        target: f.get("target"),
    };
    match svc::set_target(&state, &actor, &ctx.meta, &input).await {
        Ok(()) => Ok(see_other(&format!(
            "/contracts?year={}&notice=target-saved",
            input.year.trim()
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "target")?;
            let page =
                targets_form(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f).await?;
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Figures ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn pct(part: i64, total: i64) -> String {
    elkarlan_domain::ecosystem::procurement::share_permille(part, total)
        .map(format_permille)
        .unwrap_or_default()
}

pub async fn figures_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<YearQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let year: i32 = q
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| svc::today().year());
    let f = svc::figures(&state, &actor, &ctx.meta, year)
        .await
        .map_err(service_err(&ctx))?;
    let heads = |keys: &[&str]| keys.iter().map(|k| t(lang, k)).collect::<Vec<_>>();
    let label = |prefix: &str, code: &str| t(lang, &format!("{prefix}-{}", code.replace('_', "-")));
    let facts = vec![
        (t(lang, "proc-fig-profiles"), f.profiles.to_string()),
        (t(lang, "proc-fig-workforce"), f.workforce.to_string()),
        (t(lang, "proc-fig-women"), pct(f.women, f.workforce)),
        (
            t(lang, "proc-fig-hired-exclusion"),
            f.hired_from_exclusion.to_string(),
        ),
        (
            t(lang, "proc-fig-permanent"),
            pct(f.permanent_contracts, f.workforce),
        ),
        (
            t(lang, "proc-fig-contracts-awarded"),
            f.share.contracts.to_string(),
        ),
        (
            t(lang, "proc-fig-amount-awarded"),
            euros(lang, f.share.total_cents),
        ),
        (
            t_args(lang, "proc-share-label", &[("year", &year.to_string())]),
            share_text(lang, &f.share),
        ),
        (
            t_args(lang, "proc-target-label", &[("year", &year.to_string())]),
            target_text(lang, &f.share),
        ),
        (
            t(lang, "proc-fig-hires-under-clauses"),
            f.hires_under_clauses
                .map_or_else(|| t(lang, "proc-fig-suppressed"), |h| h.to_string()),
        ),
    ];
    let sections = vec![
        Section {
            title: t(lang, "proc-fig-organisations"),
            id: "fig-organisations".into(),
            headers: heads(&[
                "proc-col-legal-form",
                "proc-fig-count",
                "proc-fig-pole-members",
            ]),
            rows: f
                .organisations
                .iter()
                .map(|(form, n, pole)| {
                    vec![
                        Cell::text(label("legal-form", form)),
                        Cell::text(n.to_string()),
                        Cell::text(pole.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-agreements"),
            id: "fig-agreements".into(),
            headers: heads(&["proc-col-status", "proc-fig-count"]),
            rows: f
                .agreements
                .iter()
                .map(|(s, n)| {
                    vec![
                        Cell::text(label("agreement-status", s)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-commitments"),
            id: "fig-commitments".into(),
            headers: heads(&["proc-col-status", "proc-fig-count"]),
            rows: f
                .commitments
                .iter()
                .map(|(s, n)| {
                    vec![
                        Cell::text(label("commitment-status", s)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-clauses"),
            id: "fig-clauses".into(),
            headers: heads(&["proc-clause-stage", "proc-clause-purpose", "proc-fig-count"]),
            rows: f
                .clauses
                .iter()
                .map(|(s, p, n)| {
                    vec![
                        Cell::text(label("clause-stage", s)),
                        Cell::text(label("clause-purpose", p)),
                        Cell::text(n.to_string()),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
        Section {
            title: t(lang, "proc-fig-verdicts"),
            id: "fig-verdicts".into(),
            headers: heads(&["proc-verdict", "proc-fig-count", "proc-penalty"]),
            rows: f
                .verdicts
                .iter()
                .map(|(v, n, p)| {
                    vec![
                        Cell::text(label("verdict", v)),
                        Cell::text(n.to_string()),
                        Cell::text(euros(lang, *p)),
                    ]
                })
                .collect(),
            empty: t(lang, "proc-none"),
        },
    ];
    let page = ProcurementPage {
        ctx: ctx.page(),
        title: t(lang, "proc-figures-title"),
        caption: year.to_string(),
        back: String::new(),
        intro: t(lang, "proc-figures-intro"),
        warnings: share_warning(lang, &f.share).into_iter().collect(),
        facts,
        links: Vec::new(),
        filters: vec![select(
            lang,
            "year",
            "proc-filter-year",
            year_options(lang, &year.to_string(), false),
        )],
        filter_submit: t(lang, "proc-filter-apply"),
        sections,
        downloads: Vec::new(),
        upload: Default::default(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

// OCDS import and exports -------------------------------------------------------------------------

fn import_view(
    ctx: &Ctx,
    page: PageCtx,
    problems: Vec<Vec<Cell>>,
    summary: String,
) -> ProcurementPage {
    let lang = ctx.lang;
    ProcurementPage {
        ctx: page,
        title: t(lang, "proc-import-title"),
        caption: t(lang, "proc-contracts-title"),
        back: "/contracts".into(),
        intro: t(lang, "proc-import-intro"),
        warnings: if summary.is_empty() {
            Vec::new()
        } else {
            vec![summary]
        },
        facts: Vec::new(),
        links: Vec::new(),
        filters: Vec::new(),
        filter_submit: String::new(),
        sections: if problems.is_empty() {
            Vec::new()
        } else {
            vec![Section {
                title: t(lang, "proc-import-problems"),
                id: "problems".into(),
                headers: vec![t(lang, "proc-import-where"), t(lang, "proc-import-problem")],
                rows: problems,
                empty: String::new(),
            }]
        },
        downloads: Vec::new(),
        upload: (
            "/contracts/import".into(),
            t(lang, "proc-import-file"),
            t(lang, "proc-import-submit"),
        ),
    }
}

async fn import_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    may_manage(&ctx, &actor)?;
    let page = import_view(&ctx, ctx.page(), Vec::new(), String::new());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

async fn import_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, HtmlError> {
    // Who may import is decided before the body is read.
    may_manage(&ctx, &actor)?;
    let lang = ctx.lang;
    let bad = || HtmlError::new(ctx.page(), StatusCode::BAD_REQUEST);
    let mut form = form.map_err(|_| bad())?;
    let mut csrf = String::new();
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(|_| bad())?,
            Some("file") => bytes = field.bytes().await.map_err(|_| bad())?.to_vec(),
            _ => {}
        }
    }
    check_csrf(&ctx, &csrf)?;
    match svc::import_ocds(&state, &actor, &ctx.meta, &bytes)
        .await
        .map_err(service_err(&ctx))?
    {
        Ok(r) => Ok(see_other(&format!(
            "/contracts?notice=contract-saved&imported={}",
            r.contracts
        ))),
        Err(OcdsRejection::Malformed(problems)) => {
            let rows = problems
                .iter()
                .map(|p| {
                    let message = match &p.detail {
                        Some(d) => format!("{} ({d})", t(lang, p.key)),
                        None => t(lang, p.key),
                    };
                    vec![Cell::text(p.path.clone()), Cell::text(message)]
                })
                .collect();
            let page = import_view(&ctx, ctx.page(), rows, t(lang, "proc-import-rejected"));
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
        Err(OcdsRejection::Rows(rows)) => {
            let rows = rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(format!("releases[{}] {}", r.record, r.ocid)),
                        Cell::text(r.message.clone()),
                    ]
                })
                .collect();
            let page = import_view(&ctx, ctx.page(), rows, t(lang, "proc-import-rejected"));
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

async fn export_ocds(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let records = svc::export_records(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let doc = ocds::release_package(
        &records,
        chrono::Utc::now(),
        "/exports/contracts.ocds.json",
        &t(ctx.lang, "service-name"),
    );
    let body = serde_json::to_vec_pretty(&doc)
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?;
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"contracts-{}.ocds.json\"",
        svc::today()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn export_table(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(format): Path<String>,
) -> Result<Response, HtmlError> {
    if format != "csv" && format != "xlsx" {
        return Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND));
    }
    let list = svc::export_rows(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let lang = ctx.lang;
    let headers: Vec<String> = [
        "proc-ocid",
        "proc-col-file",
        "proc-col-title",
        "proc-contracting-body",
        "proc-cpv",
        "proc-category",
        "proc-procedure",
        "proc-col-status",
        "proc-col-amount",
        "proc-col-reservation",
        "proc-published-on",
        "proc-awarded-on",
        "proc-col-awardee",
        "proc-awarded-amount",
        "proc-col-lots",
        "proc-col-clauses",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.ocid.clone(),
                c.file_number.clone(),
                c.title.clone(),
                c.contracting_body.clone(),
                c.cpv.clone(),
                t(lang, &c.category.label_key()),
                t(lang, &c.procedure.label_key()),
                t(lang, &c.status.label_key()),
                format_euros(c.amount_cents),
                t(lang, &c.reservation.label_key()),
                opt(&c.published_on),
                opt(&c.awarded_on),
                opt(&c.awardee_name),
                c.awarded_cents.map(format_euros).unwrap_or_default(),
                c.lots.to_string(),
                c.clauses.to_string(),
            ]
        })
        .collect();
    let (bytes, mime) = if format == "csv" {
        (
            elkarlan_tabular::write_csv(&headers, &rows),
            "text/csv; charset=utf-8",
        )
    } else {
        (
            elkarlan_tabular::write_xlsx("contracts", &headers, &rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"contracts-{}.{format}\"",
        svc::today()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
