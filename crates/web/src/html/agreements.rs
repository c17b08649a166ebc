//! Pages for agreements with private actors and public agents, and their commitments; the
//! agreements and commitments exports. Coordinators only. Handlers only translate between
//! forms and `services::agreements`.

use super::form::{
    Fields, date_pairs, date_value, fields, form_errors, parse_path, place_errors, service_err,
};
use super::form_fields::{
    choice, code_options, date_field, form, narrow, option, select, text, textarea,
};
use super::labels::{area_name, euros, neighbourhoods};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::extract::Ctx;
use crate::routes::RouteBook;
use crate::services::agreements::{self as svc, Choices, CommitmentLine};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use elkarlan_domain::ecosystem::agreement::{AgreementInput, DocumentInput, PartyInput};
use elkarlan_domain::ecosystem::codes::{
    AgreementKind, AgreementStatus, AgreementTarget, CommitmentKind, CommitmentStatus, PartyRole,
};
use elkarlan_domain::ecosystem::commitment::CommitmentInput;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::{AgreementId, AreaId, CommitmentId, Lang};
use elkarlan_service::models::agreements::{Agreement, Filter};
use elkarlan_service::models::commitments::{Commitment, CommitmentOwner};
use elkarlan_templates::agreements::{AgreementPage, AgreementRow, AgreementsPage, CommitmentRow};
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};
use serde::Deserialize;

/// Party rows on the agreement form.
const PARTY_ROWS: usize = 4;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/agreements", get(list_page))
        .add("GET", "/agreements/new", get(new_page))
        .add("POST", "/agreements/new", post(new_submit))
        .add("GET", "/agreements/{agreement}", get(agreement_page))
        .add("GET", "/agreements/{agreement}/edit", get(edit_page))
        .add("POST", "/agreements/{agreement}/edit", post(edit_submit))
        .add(
            "POST",
            "/agreements/{agreement}/status",
            post(status_submit),
        )
        .add("POST", "/agreements/{agreement}/renew", post(renew_submit))
        .add(
            "GET",
            "/agreements/{agreement}/documents/new",
            get(document_page),
        )
        .add(
            "POST",
            "/agreements/{agreement}/documents/new",
            post(document_submit),
        )
        .add(
            "GET",
            "/agreements/{agreement}/commitments/new",
            get(commitment_new_page),
        )
        .add(
            "POST",
            "/agreements/{agreement}/commitments/new",
            post(commitment_new_submit),
        )
        .add("GET", "/commitments/{commitment}", get(commitment_page))
        .add("POST", "/commitments/{commitment}", post(commitment_submit))
        .add("GET", "/exports/agreements.csv", get(export_agreements_csv))
        .add(
            "GET",
            "/exports/agreements.xlsx",
            get(export_agreements_xlsx),
        )
        .add(
            "GET",
            "/exports/commitments.csv",
            get(export_commitments_csv),
        )
        .add(
            "GET",
            "/exports/commitments.xlsx",
            get(export_commitments_xlsx),
        )
}

/// Success messages chosen by the redirect: only these keys are shown.
const NOTICES: [&str; 5] = [
    "agreement-saved",
    "agreement-moved",
    "agreement-renewed",
    "document-saved",
    "commitment-saved",
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

fn page_with(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("notice-{key}")));
    }
    page
}

fn title_of(lang: Lang, a: &Agreement) -> String {
    a.title(lang).to_owned()
}

fn parties_text(lang: Lang, a: &Agreement) -> String {
    a.parties
        .iter()
        .map(|p| format!("{} ({})", p.name, t(lang, &p.role.label_key())))
        .collect::<Vec<_>>()
        .join(", ")
}

// The list ----------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    kind: String,
    neighbourhood: String,
    notice: String,
}

fn filter_of(q: &ListQuery) -> Filter {
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

// An agreement ------------------------------------------------------------------------------------

fn progress_row(lang: Lang, l: &CommitmentLine) -> CommitmentRow {
    let m = &l.commitment;
    let p = l.progress;
    CommitmentRow {
        id: m.id.to_string(),
        description: m.description.clone(),
        organisation: m.organisation_name.clone().unwrap_or_default(),
        kind: t(lang, &m.kind.label_key()),
        due_on: m.due_on.clone(),
        status: t(lang, &m.status.label_key()),
        achieved: p.achieved.min(p.target),
        target: p.target,
        percent: p.percent,
        progress_text: progress_text(lang, l),
        standing: t(lang, p.standing.label_key()),
        standing_code: p.standing.code(),
    }
}

fn progress_text(lang: Lang, l: &CommitmentLine) -> String {
    let p = l.progress;
    t_args(
        lang,
        "commitment-progress-text",
        &[
            ("achieved", &p.achieved.to_string()),
            ("target", &p.target.to_string()),
            ("unit", &l.commitment.unit),
            ("percent", &p.percent.to_string()),
        ],
    )
}

pub async fn agreement_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let page = agreement_view(&state, &ctx, &actor, page_with(&ctx, &n), d).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

async fn agreement_view(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    page: PageCtx,
    d: svc::AgreementDetail,
) -> Result<AgreementPage, HtmlError> {
    let lang = ctx.lang;
    let a = &d.agreement;
    let areas = neighbourhoods(state, ctx, actor).await?;
    let area_names: Vec<String> = a
        .neighbourhoods
        .iter()
        .filter_map(|n| areas.iter().find(|x| x.id == *n))
        .map(|x| area_name(lang, x))
        .collect();
    let none = t(lang, "emp-none");
    let or_none = |v: String| if v.is_empty() { none.clone() } else { v };
    let mut facts = vec![
        (t(lang, "agreement-kind"), t(lang, &a.kind.label_key())),
        (
            t(lang, "agreement-title-other"),
            if lang == Lang::Eu {
                a.title_es.clone()
            } else {
                a.title_eu.clone()
            },
        ),
        (t(lang, "agreement-scope"), a.scope.clone()),
        (
            t(lang, "agreement-neighbourhoods"),
            or_none(area_names.join(", ")),
        ),
        (
            t(lang, "agreement-target-groups"),
            or_none(
                a.target_groups
                    .iter()
                    .map(|g| t(lang, &g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        (t(lang, "agreement-starts-on"), a.starts_on.clone()),
        (t(lang, "agreement-ends-on"), a.ends_on.clone()),
        (
            t(lang, "agreement-signed-on"),
            or_none(a.signed_on.clone().unwrap_or_default()),
        ),
        (
            t(lang, "agreement-budget"),
            a.budget_cents.map_or(none.clone(), |c| euros(lang, c)),
        ),
        (
            t(lang, "agreement-renewal-notice"),
            t_args(
                lang,
                "agreement-days",
                &[("days", &a.renewal_notice_days.to_string())],
            ),
        ),
    ];
    if let Some(r) = a.renews {
        // Already authorized with the agreement: the one it renews is the tenant's too.
        let shown = crate::services::agreements::renewed_agreement(state, actor, &ctx.meta, r)
            .await
            .map_or_else(
                |_| r.to_string(),
                |old| format!("{} ({})", title_of(lang, &old), old.ends_on),
            );
        facts.push((t(lang, "agreement-renews"), shown));
    }
    let moves = AgreementStatus::ALL
        .iter()
        .filter(|s| **s != AgreementStatus::Renewed && a.status.can_move_to(**s))
        .map(|s| {
            (
                s.code().to_owned(),
                t(lang, &format!("agreement-move-{}", s.code())),
                format!("move-{}", s.code()),
            )
        })
        .collect();
    Ok(AgreementPage {
        ctx: page,
        id: a.id.to_string(),
        title: title_of(lang, a),
        status: t(lang, &a.status.label_key()),
        expiring: a.expiring_soon(svc::today()),
        facts,
        parties: a
            .parties
            .iter()
            .map(|p| (p.name.clone(), t(lang, &p.role.label_key())))
            .collect(),
        documents: d
            .documents
            .iter()
            .map(|x| (x.title.clone(), x.dated_on.clone(), x.reference.clone()))
            .collect(),
        commitments: d
            .commitments
            .iter()
            .map(|l| progress_row(lang, l))
            .collect(),
        version: a.version,
        moves,
        can_sign: a.status.can_move_to(AgreementStatus::Signed),
        can_renew: a.status.can_move_to(AgreementStatus::Renewed),
        can_edit: !a.status.is_closed(),
        today: svc::today().to_string(),
    })
}

// The agreement form ------------------------------------------------------------------------------

const AGREEMENT_DATES: [&str; 3] = ["starts_on", "ends_on", "signed_on"];
const AGREEMENT_FIELDS: [&str; 8] = [
    "kind",
    "title_eu",
    "title_es",
    "scope",
    "neighbourhoods",
    "target_groups",
    "budget",
    "renewal_notice_days",
];

fn agreement_input(f: &Fields) -> AgreementInput {
    AgreementInput {
        kind: f.get("kind"),
        title_eu: f.get("title_eu"),
        title_es: f.get("title_es"),
        scope: f.get("scope"),
        parties: (1..=PARTY_ROWS)
            .map(|i| PartyInput {
                organisation: f.get(&format!("party_organisation_{i}")),
                role: f.get(&format!("party_role_{i}")),
            })
            .collect(),
        neighbourhoods: f.all("neighbourhoods"),
        target_groups: f.all("target_groups"),
        starts_on: date_value(f, "starts_on"),
        ends_on: date_value(f, "ends_on"),
        signed_on: date_value(f, "signed_on"),
        budget: f.get("budget"),
        renewal_notice_days: f.get("renewal_notice_days"),
    }
}

fn agreement_fields(lang: Lang, c: &Choices, f: &Fields) -> Vec<FormField> {
    let chosen_areas = f.all("neighbourhoods");
    let groups = f.all("target_groups");
    let mut out = vec![
        select(
            lang,
            "kind",
            "agreement-kind",
            code_options(
                lang,
                AgreementKind::ALL,
                AgreementKind::code,
                AgreementKind::label_key,
                &f.get("kind"),
                Some("emp-choose"),
            ),
        ),
        text(lang, "title_eu", "agreement-title-eu", "", f),
        text(lang, "title_es", "agreement-title-es", "", f),
        textarea(lang, "scope", "agreement-scope", "agreement-scope-hint", f),
        FormField::Heading(t(lang, "agreement-parties")),
    ];
    for i in 1..=PARTY_ROWS {
        let org_id = format!("party_organisation_{i}");
        let chosen = f.get(&org_id);
        let mut opts = vec![option("", t(lang, "emp-none"), &chosen)];
        opts.extend(
            c.organisations
                .iter()
                .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen)),
        );
        out.push(FormField::Select {
            id: org_id,
            label: t_args(lang, "agreement-party-n", &[("n", &i.to_string())]),
            hint: if i == 1 {
                t(lang, "agreement-parties-hint")
            } else {
                String::new()
            },
            options: opts,
        });
        let role_id = format!("party_role_{i}");
        out.push(FormField::Select {
            id: role_id.clone(),
            label: t_args(lang, "agreement-party-role-n", &[("n", &i.to_string())]),
            hint: String::new(),
            options: code_options(
                lang,
                PartyRole::ALL,
                PartyRole::code,
                PartyRole::label_key,
                &f.get(&role_id),
                Some("emp-choose"),
            ),
        });
    }
    out.push(FormField::Choices {
        id: "neighbourhoods".into(),
        kind: "checkbox",
        group: "checkboxes",
        legend: t(lang, "agreement-neighbourhoods"),
        hint: String::new(),
        options: c
            .areas
            .iter()
            .filter(|a| a.kind == "neighbourhood")
            .map(|a| {
                let v = a.id.to_string();
                let checked = chosen_areas.contains(&v);
                choice(&v, area_name(lang, a), checked)
            })
            .collect(),
    });
    out.push(FormField::Choices {
        id: "target_groups".into(),
        kind: "checkbox",
        group: "checkboxes",
        legend: t(lang, "agreement-target-groups"),
        hint: String::new(),
        options: AgreementTarget::ALL
            .iter()
            .map(|g| {
                choice(
                    g.code(),
                    t(lang, &g.label_key()),
                    groups.iter().any(|x| x == g.code()),
                )
            })
            .collect(),
    });
    out.push(date_field(lang, "starts_on", "agreement-starts-on", f));
    out.push(date_field(lang, "ends_on", "agreement-ends-on", f));
    out.push(date_field(lang, "signed_on", "agreement-signed-on", f));
    out.push(narrow(
        lang,
        "budget",
        "agreement-budget",
        "agreement-budget-hint",
        f,
    ));
    out.push(narrow(
        lang,
        "renewal_notice_days",
        "agreement-renewal-notice",
        "agreement-renewal-notice-hint",
        f,
    ));
    out
}

fn agreement_errors(errors: elkarlan_domain::FieldErrors) -> elkarlan_domain::FieldErrors {
    let mut moved = elkarlan_domain::FieldErrors::new();
    for e in errors.0 {
        let field = if e.field == "parties" {
            "party_organisation_1".to_owned()
        } else {
            e.field
        };
        moved.add(&field, e.key);
    }
    place_errors(moved, &AGREEMENT_DATES, &AGREEMENT_FIELDS, "")
}

fn agreement_form(
    lang: Lang,
    page: PageCtx,
    c: &Choices,
    edit: Option<(AgreementId, i64)>,
    f: &Fields,
) -> FormPage {
    let fields = agreement_fields(lang, c, f);
    match edit {
        None => form(
            page,
            lang,
            "agreement-new-title",
            t(lang, "agreements-title"),
            "/agreements".into(),
            "/agreements/new".into(),
            "agreement-form",
            Vec::new(),
            fields,
            "agreement-save",
        ),
        Some((id, version)) => form(
            page,
            lang,
            "agreement-edit-title",
            t(lang, "agreement-caption"),
            format!("/agreements/{id}"),
            format!("/agreements/{id}/edit"),
            "agreement-form",
            vec![("version".into(), version.to_string())],
            fields,
            "agreement-save",
        ),
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let f = Fields::from_pairs(vec![("renewal_notice_days".into(), "60".into())]);
    let page = agreement_form(ctx.lang, ctx.page(), &c, None, &f);
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    match svc::create(&state, &actor, &ctx.meta, &agreement_input(&f), None).await {
        Ok(id) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = agreement_errors(errors);
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = agreement_form(ctx.lang, ctx.page().with_errors(&errors), &c, None, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn agreement_values(a: &Agreement) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("kind".into(), a.kind.code().into()),
        ("title_eu".into(), a.title_eu.clone()),
        ("title_es".into(), a.title_es.clone()),
        ("scope".into(), a.scope.clone()),
        (
            "budget".into(),
            a.budget_cents.map(format_euros).unwrap_or_default(),
        ),
        (
            "renewal_notice_days".into(),
            a.renewal_notice_days.to_string(),
        ),
    ];
    for (i, p) in a.parties.iter().enumerate().take(PARTY_ROWS) {
        v.push((
            format!("party_organisation_{}", i + 1),
            p.organisation.to_string(),
        ));
        v.push((format!("party_role_{}", i + 1), p.role.code().into()));
    }
    v.extend(
        a.neighbourhoods
            .iter()
            .map(|n| ("neighbourhoods".into(), n.to_string())),
    );
    v.extend(
        a.target_groups
            .iter()
            .map(|g| ("target_groups".into(), g.code().to_owned())),
    );
    date_pairs("starts_on", &a.starts_on, &mut v);
    date_pairs("ends_on", &a.ends_on, &mut v);
    if let Some(s) = &a.signed_on {
        date_pairs("signed_on", s, &mut v);
    }
    Fields::from_pairs(v)
}

pub async fn edit_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = agreement_values(&d.agreement);
    let page = agreement_form(
        ctx.lang,
        ctx.page(),
        &c,
        Some((id, d.agreement.version)),
        &f,
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn edit_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &agreement_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title_eu")?;
            let errors = agreement_errors(errors);
            let current = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            // After a stale edit, show the current version so the next save can succeed.
            let version = if status == StatusCode::CONFLICT {
                current.agreement.version
            } else {
                version
            };
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = agreement_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                &c,
                Some((id, version)),
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Lifecycle ---------------------------------------------------------------------------------------

pub async fn status_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::transition(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &f.get("to"),
        &f.get("signed_on"),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/agreements/{id}?notice=agreement-moved"
        ))),
        Err(e) => refused_move(&state, &ctx, &actor, id, e).await,
    }
}

/// The agreement page again with the reasons a move was refused.
async fn refused_move(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    id: AgreementId,
    e: crate::error::ServiceError,
) -> Result<Response, HtmlError> {
    let (errors, status) = form_errors(ctx, e, "to")?;
    let mut placed = elkarlan_domain::FieldErrors::new();
    for e in errors.0 {
        // The summary links to the signed date box, or to the first button.
        let field = match e.field.as_str() {
            "signed_on" => "signed_on",
            _ => "agreement-status",
        };
        placed.add(field, e.key);
    }
    let d = svc::get(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let page = agreement_view(state, ctx, actor, ctx.page().with_errors(&placed), d).await?;
    Ok(render(ctx, state, status, &page))
}

pub async fn renew_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::renew(&state, &actor, &ctx.meta, id, Some(version)).await {
        Ok(new) => Ok(see_other(&format!(
            "/agreements/{new}?notice=agreement-renewed"
        ))),
        Err(e) => refused_move(&state, &ctx, &actor, id, e).await,
    }
}

// Documents ---------------------------------------------------------------------------------------

fn document_form(
    lang: Lang,
    page: PageCtx,
    id: AgreementId,
    caption: String,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "document-new-title",
        caption,
        format!("/agreements/{id}"),
        format!("/agreements/{id}/documents/new"),
        "document-form",
        Vec::new(),
        vec![
            text(lang, "title", "document-title", "", f),
            date_field(lang, "dated_on", "document-dated-on", f),
            text(
                lang,
                "reference",
                "document-reference",
                "document-reference-hint",
                f,
            ),
        ],
        "document-save",
    )
}

pub async fn document_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let caption = title_of(ctx.lang, &d.agreement);
    let page = document_form(ctx.lang, ctx.page(), id, caption, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn document_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let input = DocumentInput {
        title: f.get("title"),
        dated_on: date_value(&f, "dated_on"),
        reference: f.get("reference"),
    };
    match svc::add_document(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(see_other(&format!(
            "/agreements/{id}?notice=document-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "title")?;
            let errors = place_errors(errors, &["dated_on"], &[], "");
            let d = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let caption = title_of(ctx.lang, &d.agreement);
            let page = document_form(ctx.lang, ctx.page().with_errors(&errors), id, caption, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Commitments -------------------------------------------------------------------------------------

fn commitment_input(f: &Fields) -> CommitmentInput {
    CommitmentInput {
        organisation: f.get("organisation"),
        kind: f.get("kind"),
        description: f.get("description"),
        target: f.get("target"),
        unit: f.get("unit"),
        due_on: date_value(f, "due_on"),
        training_action: f.get("training_action"),
        evidence: f.get("evidence"),
        status: f.get("status"),
        recorded_progress: f.get("recorded_progress"),
    }
}

fn commitment_fields(lang: Lang, c: &Choices, f: &Fields, editing: bool) -> Vec<FormField> {
    let chosen_o = f.get("organisation");
    let mut orgs = vec![option("", t(lang, "emp-none"), &chosen_o)];
    orgs.extend(
        c.organisations
            .iter()
            .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen_o)),
    );
    let chosen_a = f.get("training_action");
    let mut actions = vec![option("", t(lang, "emp-none"), &chosen_a)];
    actions.extend(c.actions.iter().map(|(a, eu, es)| {
        option(
            &a.to_string(),
            if lang == Lang::Eu {
                eu.clone()
            } else {
                es.clone()
            },
            &chosen_a,
        )
    }));
    let mut out = vec![
        select(
            lang,
            "kind",
            "commitment-kind",
            code_options(
                lang,
                CommitmentKind::ALL,
                CommitmentKind::code,
                CommitmentKind::label_key,
                &f.get("kind"),
                Some("emp-choose"),
            ),
        ),
        FormField::Select {
            id: "organisation".into(),
            label: t(lang, "commitment-organisation"),
            hint: t(lang, "commitment-organisation-hint"),
            options: orgs,
        },
        textarea(lang, "description", "commitment-description", "", f),
        narrow(lang, "target", "commitment-target", "", f),
        text(lang, "unit", "commitment-unit", "commitment-unit-hint", f),
        date_field(lang, "due_on", "commitment-due-on", f),
        FormField::Select {
            id: "training_action".into(),
            label: t(lang, "commitment-training-action"),
            hint: t(lang, "commitment-training-action-hint"),
            options: actions,
        },
    ];
    if editing {
        out.push(textarea(
            lang,
            "evidence",
            "commitment-evidence",
            "commitment-evidence-hint",
            f,
        ));
        out.push(narrow(
            lang,
            "recorded_progress",
            "commitment-recorded-progress",
            "commitment-recorded-progress-hint",
            f,
        ));
        out.push(select(
            lang,
            "status",
            "commitment-status",
            code_options(
                lang,
                CommitmentStatus::ALL,
                CommitmentStatus::code,
                CommitmentStatus::label_key,
                &f.get("status"),
                None,
            ),
        ));
    }
    out
}

const COMMITMENT_FIELDS: [&str; 9] = [
    "kind",
    "organisation",
    "description",
    "target",
    "unit",
    "training_action",
    "evidence",
    "recorded_progress",
    "status",
];

fn commitment_new_form(
    lang: Lang,
    page: PageCtx,
    id: AgreementId,
    caption: String,
    c: &Choices,
    f: &Fields,
) -> FormPage {
    form(
        page,
        lang,
        "commitment-new-title",
        caption,
        format!("/agreements/{id}"),
        format!("/agreements/{id}/commitments/new"),
        "commitment-form",
        Vec::new(),
        commitment_fields(lang, c, f, false),
        "commitment-save",
    )
}

pub async fn commitment_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let d = svc::get(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let caption = title_of(ctx.lang, &d.agreement);
    let page = commitment_new_form(ctx.lang, ctx.page(), id, caption, &c, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn commitment_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: AgreementId = parse_path(&ctx, &raw)?;
    let owner = CommitmentOwner::Agreement(id);
    match svc::create_commitment(
        &state,
        &actor,
        &ctx.meta,
        owner,
        &commitment_input(&f),
        None,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/agreements/{id}?notice=commitment-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &COMMITMENT_FIELDS, "description");
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let d = svc::get(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let caption = title_of(ctx.lang, &d.agreement);
            let page = commitment_new_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                id,
                caption,
                &c,
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

fn commitment_values(m: &Commitment) -> Fields {
    let mut v: Vec<(String, String)> = vec![
        ("kind".into(), m.kind.code().into()),
        (
            "organisation".into(),
            m.organisation.map(|o| o.to_string()).unwrap_or_default(),
        ),
        ("description".into(), m.description.clone()),
        ("target".into(), m.target.to_string()),
        ("unit".into(), m.unit.clone()),
        (
            "training_action".into(),
            m.training_action.map(|a| a.to_string()).unwrap_or_default(),
        ),
        ("evidence".into(), m.evidence.clone().unwrap_or_default()),
        ("recorded_progress".into(), m.recorded_progress.to_string()),
        ("status".into(), m.status.code().into()),
    ];
    date_pairs("due_on", &m.due_on, &mut v);
    Fields::from_pairs(v)
}

fn commitment_edit_form(
    lang: Lang,
    page: PageCtx,
    l: &CommitmentLine,
    version: i64,
    c: &Choices,
    f: &Fields,
) -> FormPage {
    let m = &l.commitment;
    let back = match m.owner {
        CommitmentOwner::Agreement(a) => format!("/agreements/{a}"),
        CommitmentOwner::Clause(_) => "/contracts".to_owned(),
    };
    let mut p = form(
        page,
        lang,
        "commitment-edit-title",
        m.description.clone(),
        back,
        format!("/commitments/{}", m.id),
        "commitment-form",
        vec![("version".into(), version.to_string())],
        commitment_fields(lang, c, f, true),
        "commitment-save",
    );
    p.intro = format!(
        "{}: {} — {}",
        t(lang, "commitment-progress"),
        progress_text(lang, l),
        t(lang, l.progress.standing.label_key())
    );
    p
}

pub async fn commitment_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: CommitmentId = parse_path(&ctx, &raw)?;
    let c = svc::choices(&state, &actor, &ctx.meta)
        .await
        .map_err(service_err(&ctx))?;
    let l = svc::commitment(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let f = commitment_values(&l.commitment);
    let page = commitment_edit_form(
        ctx.lang,
        page_with(&ctx, &n),
        &l,
        l.commitment.version,
        &c,
        &f,
    );
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn commitment_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form_data: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form_data)?;
    let id: CommitmentId = parse_path(&ctx, &raw)?;
    let version: i64 = f.get("version").parse().unwrap_or(0);
    match svc::update_commitment(
        &state,
        &actor,
        &ctx.meta,
        id,
        Some(version),
        &commitment_input(&f),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!(
            "/commitments/{id}?notice=commitment-saved"
        ))),
        Err(e) => {
            let (errors, status) = form_errors(&ctx, e, "description")?;
            let errors = place_errors(errors, &["due_on"], &COMMITMENT_FIELDS, "description");
            let l = svc::commitment(&state, &actor, &ctx.meta, id)
                .await
                .map_err(service_err(&ctx))?;
            let version = if status == StatusCode::CONFLICT {
                l.commitment.version
            } else {
                version
            };
            let c = svc::choices(&state, &actor, &ctx.meta)
                .await
                .map_err(service_err(&ctx))?;
            let page = commitment_edit_form(
                ctx.lang,
                ctx.page().with_errors(&errors),
                &l,
                version,
                &c,
                &f,
            );
            Ok(render(&ctx, &state, status, &page))
        }
    }
}

// Exports -----------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

fn download(
    ctx: &Ctx,
    f: Format,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, HtmlError> {
    let headers: Vec<String> = headers.iter().map(|k| t(ctx.lang, k)).collect();
    let day = svc::today();
    let (bytes, mime, ext) = match f {
        Format::Csv => (
            elkarlan_tabular::write_csv(&headers, rows),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            elkarlan_tabular::write_xlsx(name, &headers, rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}-{day}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn export_agreements(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    q: &ListQuery,
    format: Format,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::list(state, actor, &ctx.meta, &filter_of(q))
        .await
        .map_err(service_err(ctx))?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                a.title_eu.clone(),
                a.title_es.clone(),
                t(lang, &a.kind.label_key()),
                t(lang, &a.status.label_key()),
                parties_text(lang, a),
                a.target_groups
                    .iter()
                    .map(|g| t(lang, &g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
                a.starts_on.clone(),
                a.ends_on.clone(),
                a.signed_on.clone().unwrap_or_default(),
                a.budget_cents.map(format_euros).unwrap_or_default(),
                a.renews.map(|r| r.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    download(
        ctx,
        format,
        "agreements",
        &[
            "export-col-id",
            "agreement-title-eu",
            "agreement-title-es",
            "agreement-kind",
            "agreement-status",
            "agreement-parties",
            "agreement-target-groups",
            "agreement-starts-on",
            "agreement-ends-on",
            "agreement-signed-on",
            "agreement-budget",
            "agreement-renews",
        ],
        &rows,
    )
}

async fn export_commitments(
    state: &AppState,
    ctx: &Ctx,
    actor: &elkarlan_domain::policy::Actor,
    format: Format,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let list = svc::all_commitments(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|l| {
            let m = &l.commitment;
            let (agreement, clause) = match m.owner {
                CommitmentOwner::Agreement(a) => (a.to_string(), String::new()),
                CommitmentOwner::Clause(c) => (String::new(), c.to_string()),
            };
            vec![
                m.id.to_string(),
                agreement,
                clause,
                m.organisation_name.clone().unwrap_or_default(),
                t(lang, &m.kind.label_key()),
                m.description.clone(),
                m.target.to_string(),
                m.unit.clone(),
                m.due_on.clone(),
                l.progress.achieved.to_string(),
                l.progress.percent.to_string(),
                t(lang, l.progress.standing.label_key()),
                t(lang, &m.status.label_key()),
                m.evidence.clone().unwrap_or_default(),
            ]
        })
        .collect();
    download(
        ctx,
        format,
        "commitments",
        &[
            "export-col-id",
            "export-col-agreement",
            "export-col-clause",
            "commitment-organisation",
            "commitment-kind",
            "commitment-description",
            "commitment-target",
            "commitment-unit",
            "commitment-due-on",
            "export-col-achieved",
            "export-col-percent",
            "export-col-standing",
            "commitment-status",
            "commitment-evidence",
        ],
        &rows,
    )
}

pub async fn export_agreements_csv(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    export_agreements(&state, &ctx, &actor, &q, Format::Csv).await
}

pub async fn export_agreements_xlsx(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<ListQuery>,
) -> Result<Response, HtmlError> {
    export_agreements(&state, &ctx, &actor, &q, Format::Xlsx).await
}

pub async fn export_commitments_csv(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    export_commitments(&state, &ctx, &actor, Format::Csv).await
}

pub async fn export_commitments_xlsx(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    export_commitments(&state, &ctx, &actor, Format::Xlsx).await
}
