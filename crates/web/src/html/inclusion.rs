//! Coordination of social inclusion: people, consents, cases, referrals, emergency access and
//! the DPO's reviews. Handlers only translate between forms and `services::inclusion`; the
//! policy and every rule live there.

use super::form::{Fields, date_errors, field_errors, fields, join_date, parse_path, service_err};
use super::labels::{agency_list, agency_name, day, key_of, name_of};
use super::{HtmlError, SignedIn, render, see_other};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::services::inclusion::{
    self as svc, ConsentInput, PersonHit, ReferralInput, ReferralMoveInput, Registered,
    authorize_on_case,
};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::account::Role;
use elkarlan_domain::inclusion::case::{CaseStatus, ClosureReason};
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::person::{PersonInput, Sex, birth_date_from_parts};
use elkarlan_domain::inclusion::referral::{DeclineReason, ReferralStatus, Side, Urgency};
use elkarlan_domain::inclusion::subject_access::RequestStatus;
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{
    BreakGlassId, CaseId, ConsentId, FieldErrors, Lang, PersonId, ReferralId, Timestamp,
};
use elkarlan_store::cases::BreakGlassOpening;
use elkarlan_store::territory::{self, Area};
use elkarlan_templates::{
    AccessLogPage, AccessLogRow, BreakGlassPage, BreakGlassQueuePage, BreakGlassRow, CasePage,
    CaseReferralRow, CaseloadPage, CaseloadRow, CategoryRow, Choice, ConsentNewPage,
    ConsentReceiptPage, ConsentRow, FormField, FormPage, InboxRow, PageCtx, PeoplePage,
    PersonHitRow, PersonNewPage, PersonPage, ReferralNewPage, ReferralsPage, SarRequestRow,
    SarRequestsPage, SarSection, SelectOption, SubjectAccessPage, TablesPage, t, t_args,
};
use serde::Deserialize;

/// A success message chosen by the redirect: only known keys are shown.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

const NOTICES: [&str; 18] = [
    "referral-withdrawn",
    "person-saved",
    "person-merged",
    "assessment-recorded",
    "goal-added",
    "action-added",
    "action-status-saved",
    "note-added",
    "meeting-recorded",
    "consent-recorded",
    "consent-withdrawn",
    "case-status-saved",
    "referral-sent",
    "referral-moved",
    "break-glass-opened",
    "review-saved",
    "sar-registered",
    "sar-moved",
];

pub(super) fn page_with_notice(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("notice-{key}")));
    }
    page
}

fn area_name(lang: Lang, a: &Area) -> String {
    if lang == Lang::Eu {
        a.name_eu.clone()
    } else {
        a.name_es.clone()
    }
}

fn hit_row(h: &PersonHit) -> PersonHitRow {
    PersonHitRow {
        id: h.id.to_string(),
        name: h.name.clone(),
        birth_year: h.birth_year.to_string(),
        document: h.document.clone().unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// People

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

pub async fn people_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Response, HtmlError> {
    let searched = !query.q.trim().is_empty();
    // Asked even without a query: the policy decides who may see the search form.
    let (rows, errors) = match svc::search(&state, &actor, &ctx.meta, &query.q).await {
        Ok(hits) => (hits.iter().map(hit_row).collect(), None),
        Err(ServiceError::Invalid(_)) if !searched => (Vec::new(), None),
        Err(e) => (Vec::new(), Some(field_errors(&ctx, e)?)),
    };
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PeoplePage {
        ctx: errors.map_or_else(|| ctx.page(), |e| ctx.page().with_errors(&e)),
        q: query.q,
        searched: searched && status == StatusCode::OK,
        rows,
    };
    Ok(render(&ctx, &state, status, &page))
}

fn radio(value: &str, label: String, selected: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label,
        checked: value == selected,
        hint: String::new(),
    }
}

/// Where the person form posts: a registration, or a rectification of `id` at `version`.
#[derive(Clone, Copy)]
enum PersonFormMode {
    Register,
    Rectify(PersonId, i64),
}

async fn person_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    f: &Fields,
    page: PageCtx,
    duplicates: Vec<PersonHitRow>,
) -> Result<PersonNewPage, HtmlError> {
    person_form_as(
        state,
        ctx,
        actor,
        f,
        page,
        duplicates,
        PersonFormMode::Register,
    )
    .await
}

async fn person_form_as(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    f: &Fields,
    page: PageCtx,
    duplicates: Vec<PersonHitRow>,
    mode: PersonFormMode,
) -> Result<PersonNewPage, HtmlError> {
    let lang = ctx.lang;
    let areas = territory::list(&state.store, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let chosen = f.get("neighbourhood");
    let mut neighbourhoods = vec![SelectOption {
        value: String::new(),
        label: t(lang, "person-neighbourhood-none"),
        selected: chosen.is_empty(),
    }];
    let mut list: Vec<&Area> = areas.iter().filter(|a| a.kind == "neighbourhood").collect();
    list.sort_by_key(|a| area_name(lang, a));
    neighbourhoods.extend(list.into_iter().map(|a| SelectOption {
        value: a.id.to_string(),
        label: area_name(lang, a),
        selected: a.id.to_string() == chosen,
    }));
    let kind = f.get("document_kind");
    let (action, back, title_key, submit_key, version) = match mode {
        PersonFormMode::Register => (
            "/people/new".to_owned(),
            "/people".to_owned(),
            "person-new-title",
            "person-register",
            None,
        ),
        PersonFormMode::Rectify(id, v) => (
            format!("/people/{id}/edit"),
            format!("/people/{id}"),
            "person-edit-title",
            "person-edit-save",
            Some(v),
        ),
    };
    Ok(PersonNewPage {
        ctx: page,
        action,
        back,
        title_key,
        submit_key,
        version,
        given_name: f.get("given_name"),
        surname1: f.get("surname1"),
        surname2: f.get("surname2"),
        document_kinds: ["dni", "nie", "passport", "other", "none"]
            .into_iter()
            .map(|k| radio(k, t(lang, &key_of("document-kind", k)), &kind))
            .collect(),
        document_number: f.get("document_number"),
        document_country: f.get("document_country"),
        birth_day: f.get("birth_date-day"),
        birth_month: f.get("birth_date-month"),
        birth_year: f.get("birth_date-year"),
        sexes: Sex::ALL
            .into_iter()
            .map(|s| radio(s.code(), t(lang, &s.label_key()), &f.get("sex")))
            .collect(),
        nationality: f.get("nationality"),
        languages: f.get("languages"),
        preferred_langs: [Lang::Eu, Lang::Es]
            .into_iter()
            .map(|l| Choice {
                value: l.code().to_owned(),
                label: t(lang, &format!("lang-name-{}", l.code())),
                checked: l.code() == f.get("preferred_lang"),
                hint: String::new(),
            })
            .collect(),
        neighbourhoods,
        phone: f.get("phone"),
        email: f.get("email"),
        duplicates,
    })
}

pub async fn person_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    // Ask the policy before showing the form, as the POST will.
    crate::services::authorize(
        &state,
        &actor,
        Action::RegisterPerson,
        elkarlan_domain::policy::Target::tenant_wide(actor.tenant),
        &ctx.meta,
    )
    .await
    .map_err(service_err(&ctx))?;
    let page = person_form(
        &state,
        &ctx,
        &actor,
        &Fields::empty(),
        ctx.page(),
        Vec::new(),
    )
    .await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

/// The person form's fields as the service takes them, and the date boxes' own error if any.
fn person_input(f: &Fields) -> (PersonInput, Option<&'static str>) {
    let today = Timestamp::now().to_datetime().date_naive();
    let birth = birth_date_from_parts(
        &f.get("birth_date-day"),
        &f.get("birth_date-month"),
        &f.get("birth_date-year"),
        today,
    );
    let input = PersonInput {
        given_name: f.get("given_name"),
        surname1: f.get("surname1"),
        surname2: f.get("surname2"),
        document_kind: f.get("document_kind"),
        document_number: f.get("document_number"),
        document_country: f.get("document_country"),
        birth_date: birth
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        sex: f.get("sex"),
        nationality: f.get("nationality"),
        languages: f.get("languages"),
        preferred_lang: f.get("preferred_lang"),
        neighbourhood: f.get("neighbourhood"),
        phone: f.get("phone"),
        email: f.get("email"),
    };
    (input, birth.err())
}

pub async fn person_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let (input, birth_error) = person_input(&f);
    let confirmed = !f.get("confirmed_new").is_empty();
    let (page, duplicates) =
        match svc::register(&state, &actor, &ctx.meta, &input, confirmed, None).await {
            Ok(Registered::Done { case, .. }) => return Ok(see_other(&format!("/cases/{case}"))),
            Ok(Registered::PossibleDuplicates(hits)) => {
                (ctx.page(), hits.iter().map(hit_row).collect())
            }
            Err(e) => {
                let errors = date_errors(field_errors(&ctx, e)?, "birth_date", birth_error);
                (ctx.page().with_errors(&errors), Vec::new())
            }
        };
    let page = person_form(&state, &ctx, &actor, &f, page, duplicates).await?;
    Ok(render(
        &ctx,
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        &page,
    ))
}

fn labels<T: Copy>(lang: Lang, items: &[T], key: impl Fn(T) -> String) -> String {
    items
        .iter()
        .map(|i| t(lang, &key(*i)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn category_rows(lang: Lang, list: impl Iterator<Item = (String, String)>) -> Vec<CategoryRow> {
    list.map(|(category, basis)| CategoryRow {
        category: t(lang, &key_of("category", &category)),
        basis: t(lang, &key_of("basis", &basis)),
    })
    .collect()
}

async fn person_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    page: PageCtx,
) -> Result<PersonPage, HtmlError> {
    let lang = ctx.lang;
    let view = svc::view_person(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let (relationship, _) = svc::relationship_to_person(state, actor, id)
        .await
        .map_err(service_err(ctx))?;
    let show_consents = svc::allows(actor, Action::ViewConsents, relationship);
    let consents = if show_consents {
        svc::list_consents(state, actor, &ctx.meta, id)
            .await
            .map_err(service_err(ctx))?
    } else {
        Vec::new()
    };
    let can_record_consent = svc::allows(actor, Action::RecordConsent, relationship);
    let name = [&view.given_name, &view.surname1, &view.surname2]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut push = |key: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            fields.push((t(lang, key), v));
        }
    };
    push("person-document", view.document.clone());
    push("person-birth-date", view.birth_date.clone());
    push(
        "person-sex",
        view.sex
            .as_deref()
            .and_then(|s| Sex::parse(s).ok())
            .map(|s| t(lang, &s.label_key())),
    );
    push("person-nationality", view.nationality.clone());
    push(
        "person-languages",
        view.languages.as_ref().map(|l| l.join(", ")),
    );
    push(
        "person-preferred-lang",
        view.preferred_lang
            .as_deref()
            .map(|l| t(lang, &format!("lang-name-{l}"))),
    );
    if let Some(area) = view.neighbourhood {
        let areas = territory::list(&state.store, actor.tenant)
            .await
            .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
        push(
            "person-neighbourhood",
            areas
                .iter()
                .find(|a| a.id.0 == area)
                .map(|a| area_name(lang, a)),
        );
    }
    push("person-phone", view.phone.clone());
    push("person-email", view.email.clone());
    let now = Timestamp::now();
    let consents = consents
        .iter()
        .map(|c| {
            let state = c.scope().state(now);
            ConsentRow {
                id: c.id.to_string(),
                purpose: c.purpose.clone(),
                recipients: labels(lang, &c.recipients, PublicSystem::label_key),
                categories: labels(lang, &c.categories, DataCategory::label_key),
                evidence: c.evidence.clone(),
                state: t(lang, &key_of("consent-state", state.code())),
                active: state.code() == "given",
                given: day(c.given_at),
                expires: c
                    .expires_at
                    .map_or_else(|| t(lang, "consent-no-expiry"), day),
            }
        })
        .collect();
    Ok(PersonPage {
        ctx: page,
        id: id.to_string(),
        name: if name.is_empty() {
            t(lang, "person-title")
        } else {
            name
        },
        fields,
        categories: category_rows(
            lang,
            view.categories
                .iter()
                .map(|c| (c.category.clone(), c.basis.clone())),
        ),
        show_consents,
        consents,
        can_record_consent,
        can_edit: svc::allows(actor, Action::UpdatePerson, relationship),
        can_merge: svc::allows(actor, Action::MergePeople, relationship),
        case: view.case.map(|c| c.to_string()),
        employment: svc::allows(actor, Action::ViewItinerary, relationship)
            && view.categories.iter().any(|c| c.category == "employment"),
    })
}

pub async fn person_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let page = person_page_for(&state, &ctx, &actor, id, page_with_notice(&ctx, &n))
        .await
        .map_err(|e| e.with_emergency_route(&actor, format!("/people/{id}/break-glass")))?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

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
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
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
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    fields(&ctx, form)?;
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

// ---------------------------------------------------------------------------------------------
// Cases

fn response_time(lang: Lang, seconds: Option<i64>) -> String {
    match seconds {
        None => t(lang, "referral-not-answered"),
        Some(s) if s < 2 * 86_400 => t_args(
            lang,
            "referral-response-hours",
            &[("n", &(s / 3600).to_string())],
        ),
        Some(s) => t_args(
            lang,
            "referral-response-days",
            &[("n", &(s / 86_400).to_string())],
        ),
    }
}

async fn case_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    page: PageCtx,
    chosen: &Fields,
) -> Result<CasePage, HtmlError> {
    let lang = ctx.lang;
    let (work, person) = crate::services::casework::case_page(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let view = &work.view;
    let all = agency_list(state, ctx, actor).await?;
    let lead_name = elkarlan_store::users::get(&state.store, actor.tenant, view.case.lead_user_id)
        .await
        .map(|u| u.display_name)
        .unwrap_or_default();
    let mut team: Vec<String> = Vec::new();
    for m in &view.team {
        let n = name_of(lang, &all, m.agency_id);
        if !team.contains(&n) {
            team.push(n);
        }
    }
    let name = [&person.given_name, &person.surname1, &person.surname2]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let status = chosen.get("status");
    let reason = chosen.get("closure_reason");
    let mut closure_reasons = vec![SelectOption {
        value: String::new(),
        label: t(lang, "case-closure-reason-none"),
        selected: reason.is_empty(),
    }];
    closure_reasons.extend(ClosureReason::ALL.into_iter().map(|r| SelectOption {
        value: r.code().to_owned(),
        label: t(lang, &key_of("closure-reason", r.code())),
        selected: r.code() == reason,
    }));
    let sections = super::casework::sections(lang, &all, &work);
    Ok(CasePage {
        ctx: page,
        id: id.to_string(),
        person: view.case.person_id.to_string(),
        name: if name.is_empty() {
            t(lang, "person-title")
        } else {
            name
        },
        status: t(lang, &view.case.status.label_key()),
        lead: format!(
            "{lead_name} ({})",
            name_of(lang, &all, view.case.lead_agency_id)
        ),
        opened: day(view.case.opened_at),
        team,
        categories: category_rows(
            lang,
            view.categories
                .iter()
                .map(|(c, b)| (c.code().to_owned(), b.code().to_owned())),
        ),
        referrals: view
            .referrals
            .iter()
            .map(|r| CaseReferralRow {
                id: r.id.to_string(),
                // A request to join the team names the agency that asks.
                agency: name_of(
                    lang,
                    &all,
                    if r.join_request {
                        r.from_agency
                    } else {
                        r.to_agency
                    },
                ),
                status: t(lang, &r.status.label_key()),
                due: day(r.due_at),
                response: response_time(lang, r.response_seconds()),
                version: r.version,
                can_withdraw: !r.join_request
                    && svc::allows(actor, Action::WithdrawReferral, view.relationship)
                    && r.status
                        .transition(ReferralStatus::Withdrawn, Side::Sender)
                        .is_ok(),
            })
            .collect(),
        can_manage: svc::allows(actor, Action::ManageCase, view.relationship),
        statuses: CaseStatus::ALL
            .into_iter()
            .filter(|s| view.case.status.can_become(*s))
            .map(|s| radio(s.code(), t(lang, &s.label_key()), &status))
            .collect(),
        closure_reasons,
        version: view.case.version,
        can_refer: svc::allows(actor, Action::SendReferral, view.relationship),
        can_contribute: svc::allows(actor, Action::ContributeToCase, view.relationship),
        health_followups: sections.health_followups,
        assessment: sections.assessment,
        earlier_assessments: sections.earlier_assessments,
        goals: sections.goals,
        loose_actions: sections.loose_actions,
        notes: sections.notes,
        meetings: sections.meetings,
        timeline: sections.timeline,
    })
}

/// The case page again, with errors from a form on it (the action status forms).
pub(super) async fn case_page_with_errors(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, HtmlError> {
    let page = case_page_for(
        state,
        ctx,
        actor,
        id,
        ctx.page().with_errors(errors),
        &Fields::empty(),
    )
    .await?;
    Ok(render(ctx, state, status, &page))
}

pub async fn case_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let page = case_page_for(
        &state,
        &ctx,
        &actor,
        id,
        page_with_notice(&ctx, &n),
        &Fields::empty(),
    )
    .await
    .map_err(|e| e.with_emergency_route(&actor, format!("/cases/{id}/break-glass")))?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn case_status_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: CaseId = parse_path(&ctx, &raw)?;
    let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
    let result = svc::set_case_status(
        &state,
        &actor,
        &ctx.meta,
        id,
        version,
        &f.get("status"),
        &f.get("closure_reason"),
    )
    .await;
    let (errors, status) = match result {
        Ok(()) => return Ok(see_other(&format!("/cases/{id}?notice=case-status-saved"))),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add("status", "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(ServiceError::Invalid(e)) if e.is_empty() => {
            let mut e = FieldErrors::new();
            e.add("status", "error-case-status");
            (e, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => (field_errors(&ctx, e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = case_page_for(
        &state,
        &ctx,
        &actor,
        id,
        ctx.page().with_errors(&errors),
        &f,
    )
    .await?;
    Ok(render(&ctx, &state, status, &page))
}

// ---------------------------------------------------------------------------------------------
// Referrals

async fn referral_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    id: CaseId,
    f: &Fields,
    page: PageCtx,
) -> Result<ReferralNewPage, HtmlError> {
    let lang = ctx.lang;
    let destinations = svc::referral_destinations(state, actor, &ctx.meta, id)
        .await
        .map_err(service_err(ctx))?;
    let to = f.get("to_agency");
    let chosen = f.all("categories");
    Ok(ReferralNewPage {
        ctx: page,
        case: id.to_string(),
        agencies: destinations
            .iter()
            .map(|(a, cap)| Choice {
                value: a.id.to_string(),
                label: format!(
                    "{} ({})",
                    agency_name(lang, a),
                    t(lang, &a.system.label_key())
                ),
                checked: a.id.to_string() == to,
                hint: match cap {
                    None => t(lang, "capacity-unknown"),
                    Some(c) if c.open_places <= 0 => t_args(
                        lang,
                        "capacity-full",
                        &[
                            ("waiting", &c.waiting_list.to_string()),
                            ("days", &c.expected_wait_days.to_string()),
                        ],
                    ),
                    Some(c) => t_args(
                        lang,
                        "capacity-open",
                        &[
                            ("places", &c.open_places.to_string()),
                            ("waiting", &c.waiting_list.to_string()),
                            ("days", &c.expected_wait_days.to_string()),
                        ],
                    ),
                },
            })
            .collect(),
        reason: f.get("reason"),
        urgencies: Urgency::ALL
            .into_iter()
            .map(|u| Choice {
                value: u.code().to_owned(),
                label: t(lang, &key_of("urgency", u.code())),
                checked: u.code() == f.get("urgency"),
                hint: t_args(
                    lang,
                    "urgency-hint",
                    &[("days", &u.response_days().to_string())],
                ),
            })
            .collect(),
        categories: DataCategory::ALL
            .into_iter()
            .filter(|c| !matches!(c, DataCategory::Identification | DataCategory::Contact))
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: t(lang, &c.label_key()),
                checked: chosen.iter().any(|x| x == c.code()),
                hint: String::new(),
            })
            .collect(),
        due_day: f.get("due_on-day"),
        due_month: f.get("due_on-month"),
        due_year: f.get("due_on-year"),
    })
}

pub async fn referral_new_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    let page = referral_form(&state, &ctx, &actor, id, &Fields::empty(), ctx.page()).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn referral_new_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: CaseId = parse_path(&ctx, &raw)?;
    let input = ReferralInput {
        to_agency: f.get("to_agency"),
        reason: f.get("reason"),
        urgency: f.get("urgency"),
        categories: f.all("categories"),
        due_on: join_date(
            &f.get("due_on-day"),
            &f.get("due_on-month"),
            &f.get("due_on-year"),
        ),
    };
    match svc::send_referral(&state, &actor, &ctx.meta, id, &input, None).await {
        Ok(_) => Ok(see_other(&format!("/cases/{id}?notice=referral-sent"))),
        Err(e) => {
            let errors = date_errors(field_errors(&ctx, e)?, "due_on", None);
            let page = referral_form(
                &state,
                &ctx,
                &actor,
                id,
                &f,
                ctx.page().with_errors(&errors),
            )
            .await?;
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

/// Errors of one referral's forms, with the field ids of that row.
fn inbox_errors(id: ReferralId, errors: &FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in &errors.0 {
        let field = match e.field.as_str() {
            "decline_reason" => format!("decline_reason-{id}"),
            "outcome" => format!("outcome-{id}"),
            _ => format!("referral-{id}"),
        };
        out.add(&field, e.key);
    }
    out
}

async fn inbox_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
) -> Result<ReferralsPage, HtmlError> {
    let lang = ctx.lang;
    let list = svc::inbox(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let all = agency_list(state, ctx, actor).await?;
    let rows = list
        .iter()
        .map(|(r, person)| InboxRow {
            id: r.id.to_string(),
            person: person.clone(),
            from: name_of(lang, &all, r.from_agency),
            reason: r.reason.clone(),
            urgency: t(lang, &key_of("urgency", r.urgency.code())),
            due: day(r.due_at),
            status: t(lang, &r.status.label_key()),
            version: r.version,
            can_accept: r.status == ReferralStatus::Sent,
            // A request to join the team ends when it is answered.
            can_start: !r.join_request && r.status == ReferralStatus::Accepted,
            can_complete: !r.join_request
                && matches!(
                    r.status,
                    ReferralStatus::Accepted | ReferralStatus::InProgress
                ),
            status_error: page.error(&format!("referral-{}", r.id)),
            decline_error: page.error(&format!("decline_reason-{}", r.id)),
            outcome_error: page.error(&format!("outcome-{}", r.id)),
        })
        .collect();
    let mut decline_reasons = vec![SelectOption {
        value: String::new(),
        label: t(lang, "referral-decline-reason-none"),
        selected: true,
    }];
    decline_reasons.extend(DeclineReason::ALL.into_iter().map(|d| SelectOption {
        value: d.code().to_owned(),
        label: t(lang, &key_of("decline-reason", d.code())),
        selected: false,
    }));
    Ok(ReferralsPage {
        ctx: page,
        rows,
        decline_reasons,
    })
}

pub async fn inbox_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let page = inbox_page_for(&state, &ctx, &actor, page_with_notice(&ctx, &n)).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn referral_move(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: ReferralId = parse_path(&ctx, &raw)?;
    let input = ReferralMoveInput {
        status: f.get("status"),
        decline_reason: f.get("decline_reason"),
        outcome: f.get("outcome"),
        version: f.get("version").trim().parse::<i64>().unwrap_or(-1),
    };
    let (errors, status) = match svc::move_referral(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => return Ok(see_other("/referrals?notice=referral-moved")),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add("status", "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(ServiceError::Invalid(e)) if e.is_empty() => {
            let mut e = FieldErrors::new();
            e.add("status", "error-referral-status");
            (e, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => (field_errors(&ctx, e)?, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = ctx.page().with_errors(&inbox_errors(id, &errors));
    let page = inbox_page_for(&state, &ctx, &actor, page).await?;
    Ok(render(&ctx, &state, status, &page))
}

// ---------------------------------------------------------------------------------------------
// Emergency access and the DPO

pub async fn break_glass_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: CaseId = parse_path(&ctx, &raw)?;
    break_glass_form(&state, &ctx, &actor, format!("/cases/{id}/break-glass")).await
}

/// The emergency access form: the same for every id, whether or not its record exists (the
/// decision is taken when it is sent).
async fn break_glass_form(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    action: String,
) -> Result<Response, HtmlError> {
    svc::authorize_break_glass_form(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let page = BreakGlassPage {
        ctx: ctx.page(),
        action,
        reason: String::new(),
    };
    Ok(render(ctx, state, StatusCode::OK, &page))
}

pub async fn break_glass_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: CaseId = parse_path(&ctx, &raw)?;
    let reason = f.get("reason");
    let done = svc::break_glass(&state, &actor, &ctx.meta, id, &reason).await;
    break_glass_answer(
        &state,
        &ctx,
        done,
        &format!("/cases/{id}"),
        format!("/cases/{id}/break-glass"),
        reason,
    )
}

/// After an emergency access request: to the record (which shows only if the access was
/// opened), the form with a notice when the request waits for the DPO, or the form again with
/// its errors.
fn break_glass_answer(
    state: &AppState,
    ctx: &Ctx,
    done: Result<BreakGlassOpening, ServiceError>,
    record: &str,
    action: String,
    reason: String,
) -> Result<Response, HtmlError> {
    match done {
        Ok(BreakGlassOpening::Opened(_)) => {
            Ok(see_other(&format!("{record}?notice=break-glass-opened")))
        }
        Ok(BreakGlassOpening::Waiting(_)) => {
            // Nothing is opened: the professional is told the request waits for the DPO.
            let mut page = ctx.page();
            page.notice = Some(t(ctx.lang, "notice-break-glass-waiting"));
            let page = BreakGlassPage {
                ctx: page,
                action,
                reason: String::new(),
            };
            Ok(render(ctx, state, StatusCode::ACCEPTED, &page))
        }
        Err(e) => {
            let errors = field_errors(ctx, e)?;
            let page = BreakGlassPage {
                ctx: ctx.page().with_errors(&errors),
                action,
                reason,
            };
            Ok(render(ctx, state, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

async fn queue_page_for(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
) -> Result<BreakGlassQueuePage, HtmlError> {
    let list = svc::break_glass_queue(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let rows = list
        .iter()
        .map(|r| BreakGlassRow {
            id: r.access.id.to_string(),
            person: r.person.to_string(),
            user: r.user_name.clone(),
            reason: r.access.reason.clone(),
            opened: r.access.opened_at.display(),
            expires: if r.access.status == "waiting" {
                t(ctx.lang, "review-waiting")
            } else {
                r.access.expires_at.display()
            },
            error: page.error(&format!("outcome-{}", r.access.id)),
        })
        .collect();
    Ok(BreakGlassQueuePage { ctx: page, rows })
}

pub async fn break_glass_queue(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(n): Query<Notice>,
) -> Result<Response, HtmlError> {
    let page = queue_page_for(&state, &ctx, &actor, page_with_notice(&ctx, &n)).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn break_glass_review(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: BreakGlassId = parse_path(&ctx, &raw)?;
    match svc::review_break_glass(&state, &actor, &ctx.meta, id, &f.get("outcome")).await {
        Ok(()) => Ok(see_other("/dpo/break-glass?notice=review-saved")),
        Err(e) => {
            let mut errors = FieldErrors::new();
            for e in field_errors(&ctx, e)?.0 {
                errors.add(&format!("outcome-{id}"), e.key);
            }
            let page =
                queue_page_for(&state, &ctx, &actor, ctx.page().with_errors(&errors)).await?;
            Ok(render(
                &ctx,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ))
        }
    }
}

pub async fn access_log_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let events = svc::access_log(&state, &actor, &ctx.meta, id)
        .await
        .map_err(service_err(&ctx))?;
    let rows = events
        .into_iter()
        .map(|e| AccessLogRow {
            at: e.at.display(),
            actor: e.actor_name,
            role: e
                .actor_role
                .as_deref()
                .and_then(|r| Role::parse(r).ok())
                .map(|r| t(ctx.lang, &r.label_key()))
                .unwrap_or_default(),
            action: e.action,
            outcome: e.outcome,
            basis: e.basis,
        })
        .collect();
    let page = AccessLogPage {
        ctx: ctx.page(),
        person_id: id.to_string(),
        rows,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
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

/// The subject access copy as a printable page, in the person's language, for the DPO to
/// hand over (GDPR art. 15): the answer to a request in progress, which it completes. The same
/// sections as `GET /api/v1/subject-access-requests/{id}/copy`.
pub async fn subject_access_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let request: uuid::Uuid = parse_path(&ctx, &raw)?;
    let (req, a) = svc::subject_access_for_request(&state, &actor, &ctx.meta, request)
        .await
        .map_err(service_err(&ctx))?;
    let id = req.person_id;
    let lang = elkarlan_domain::inclusion::consent::receipt_language(Some(
        a.records.person.preferred_lang,
    ));
    let all = agency_list(&state, &ctx, &actor).await?;
    let instruments = elkarlan_store::instruments::all(&state.store, actor.tenant)
        .await
        .map_err(|e| HtmlError::from_store(ctx.page(), &e))?;
    let tr = |k: &str| t(lang, k);
    let heads = |keys: &[&str]| keys.iter().map(|k| tr(k)).collect::<Vec<_>>();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let p = &a.records.person;
    let person_rows: Vec<Vec<String>> = [
        ("person-given-name", p.given_name.clone()),
        ("person-surname1", p.surname1.clone()),
        ("person-surname2", opt(&p.surname2)),
        ("person-document", opt(&p.document_masked)),
        ("person-birth-date", p.birth_date.to_string()),
        ("person-sex", tr(&key_of("sex", p.sex.code()))),
        ("person-nationality", opt(&p.nationality)),
        ("person-languages", p.languages.join(", ")),
        (
            "person-preferred-lang",
            p.preferred_lang.endonym().to_owned(),
        ),
        ("person-phone", opt(&p.phone)),
        ("person-email", opt(&p.email)),
    ]
    .into_iter()
    .map(|(k, v)| vec![tr(k), v])
    .collect();
    let now = Timestamp::now();
    let section = |title: &str, headers: Vec<String>, rows: Vec<Vec<String>>| SarSection {
        title: tr(title),
        headers,
        rows,
    };
    let domain_name = |version: i64, code: &str| {
        instruments
            .iter()
            .find(|i| i64::from(i.version) == version)
            .and_then(|i| i.domain(code))
            .map_or_else(
                || code.to_owned(),
                |d| super::casework::domain_name(lang, d),
            )
    };
    let r = &a.records;
    let agency = |id| name_of(lang, &all, id);
    let or_none = |v: Option<String>| v.unwrap_or_else(|| tr("none"));
    let cases = || r.cases.iter();
    let mut sections = vec![
        section(
            "sar-person",
            heads(&["sar-field", "sar-value"]),
            person_rows,
        ),
        section(
            "sar-merged",
            heads(&["sar-field", "person-birth-date", "sar-date"]),
            r.merged_records
                .iter()
                .map(|m| {
                    let name = [Some(&m.given_name), Some(&m.surname1), m.surname2.as_ref()]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ");
                    vec![name, m.birth_date.clone(), day(m.merged_at)]
                })
                .collect(),
        ),
        section(
            "history-title",
            heads(&["sar-date", "audit-who", "history-changes"]),
            r.history
                .iter()
                .map(|h| vec![day(h.at), h.actor_name.clone(), h.change.to_string()])
                .collect(),
        ),
        section(
            "sar-consents",
            heads(&[
                "consent-purpose",
                "consent-recipients",
                "consent-categories",
                "consent-evidence",
                "consent-given",
                "consent-expires",
                "receipt-state",
            ]),
            r.consents
                .iter()
                .map(|c| {
                    vec![
                        c.purpose.clone(),
                        c.recipients
                            .iter()
                            .map(|r| tr(&r.label_key()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.categories
                            .iter()
                            .map(|x| tr(&x.label_key()))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.evidence.clone(),
                        c.given_at.display(),
                        c.expires_at.map_or_else(|| tr("none"), Timestamp::display),
                        tr(&format!("consent-state-{}", c.scope().state(now).code())),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-case",
            heads(&["case-status", "sar-agency", "case-opened", "sar-closed"]),
            cases()
                .map(|c| {
                    vec![
                        tr(&c.case.status.label_key()),
                        agency(c.case.lead_agency_id),
                        day(c.case.opened_at),
                        c.case.closed_at.map(day).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-team",
            heads(&["sar-agency", "sar-joined", "sar-left"]),
            cases()
                .flat_map(|c| c.team.iter())
                .map(|m| {
                    vec![
                        agency(m.agency_id),
                        day(m.joined_at),
                        m.left_at.map(day).unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-emergency",
            heads(&["sar-date", "break-glass-reason", "sar-review"]),
            cases()
                .flat_map(|c| c.break_glass.iter())
                .map(|g| {
                    vec![
                        g.opened_at.display(),
                        g.reason.clone(),
                        or_none(g.review_outcome.clone()),
                    ]
                })
                .collect(),
        ),
        section(
            "case-referrals",
            heads(&[
                "sar-agency",
                "referral-to-agency",
                "referral-status",
                "referral-reason",
                "sar-sent",
            ]),
            cases()
                .flat_map(|c| c.referrals.iter())
                .map(|r| {
                    vec![
                        agency(r.from_agency),
                        agency(r.to_agency),
                        tr(&r.status.label_key()),
                        r.reason.clone(),
                        day(r.sent_at),
                    ]
                })
                .collect(),
        ),
        section(
            "assessment-title",
            heads(&["sar-date", "assessment-summary", "assessment-severity"]),
            cases()
                .flat_map(|c| c.assessments.iter())
                .map(|x| {
                    let domains = x
                        .domains
                        .iter()
                        .map(|(d, s)| {
                            format!(
                                "{}: {}",
                                domain_name(x.instrument_version, d),
                                tr(&key_of("severity", s))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![day(x.assessed_at), x.summary.clone(), domains]
                })
                .collect(),
        ),
        section(
            "plan-title",
            heads(&[
                "action-description",
                "action-agency",
                "action-due",
                "action-status",
            ]),
            cases()
                .flat_map(|c| c.goals.iter())
                .map(|g| {
                    vec![
                        g.description.clone(),
                        String::new(),
                        String::new(),
                        tr(&key_of("goal-status", &g.status)),
                    ]
                })
                .chain(cases().flat_map(|c| c.actions.iter()).map(|x| {
                    vec![
                        x.description.clone(),
                        agency(x.agency_id),
                        x.due_on.clone().unwrap_or_default(),
                        tr(&key_of("action-status", &x.status)),
                    ]
                }))
                .collect(),
        ),
        section(
            "notes-title",
            heads(&["sar-date", "sar-agency", "note-body"]),
            cases()
                .flat_map(|c| c.notes.iter())
                .map(|n| {
                    let by = if n.clinical {
                        format!("{} ({})", agency(n.author_agency), tr("note-clinical"))
                    } else {
                        agency(n.author_agency)
                    };
                    vec![day(n.created_at), by, n.body.clone()]
                })
                .collect(),
        ),
        section(
            "sar-meetings",
            heads(&["meeting-held-on", "meeting-agencies", "meeting-minutes"]),
            cases()
                .flat_map(|c| c.meetings.iter())
                .map(|m| {
                    vec![
                        m.held_on.clone(),
                        m.agencies
                            .iter()
                            .map(|x| agency(*x))
                            .collect::<Vec<_>>()
                            .join(", "),
                        m.minutes.clone(),
                    ]
                })
                .collect(),
        ),
        section(
            "file-profile-title",
            heads(&["sar-field", "sar-value"]),
            r.employment_profiles
                .iter()
                .flat_map(|x| {
                    [
                        (
                            "profile-unemployed-since",
                            or_none(x.unemployed_since.clone()),
                        ),
                        (
                            "profile-income-guarantee",
                            or_none(x.income_guarantee.map(|b| tr(if b { "yes" } else { "no" }))),
                        ),
                        (
                            "profile-disability",
                            or_none(x.disability_percent.map(|v| v.to_string())),
                        ),
                        ("profile-isced", or_none(x.isced.map(|v| v.to_string()))),
                    ]
                })
                .map(|(k, v)| vec![tr(k), v])
                .collect(),
        ),
        section(
            "file-itineraries-title",
            heads(&["sar-date", "sar-agency", "sar-status", "sar-steps"]),
            r.itineraries
                .iter()
                .map(|i| {
                    vec![
                        day(i.opened_at),
                        agency(i.agency_id),
                        tr(&i.status.label_key()),
                        i.steps
                            .iter()
                            .map(|s| {
                                format!(
                                    "{}: {}",
                                    tr(&s.kind.label_key()),
                                    tr(&s.status.label_key())
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "file-enrolments-title",
            heads(&["enrol-action", "sar-date", "sar-status", "sar-attendance"]),
            r.enrolments
                .iter()
                .map(|e| {
                    let course = if lang == Lang::Eu {
                        &e.course_eu
                    } else {
                        &e.course_es
                    };
                    vec![
                        course.clone(),
                        e.enrolment.enrolled_on.clone(),
                        tr(&e.enrolment.status.label_key()),
                        e.attendance
                            .iter()
                            .map(|m| {
                                format!(
                                    "{} {}: {}",
                                    m.session_number,
                                    m.held_on,
                                    tr(&key_of("attendance", &m.mark))
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "file-placements-title",
            heads(&[
                "placement-employer",
                "placement-contract-type",
                "sar-start",
                "sar-end",
                "sar-follow-ups",
            ]),
            r.placements
                .iter()
                .map(|x| {
                    let p = &x.placement;
                    // The employer as recorded, and as the directory names it when linked.
                    let employer = match (&p.employer, &x.employer_organisation_name) {
                        (Some(e), Some(o)) if e != o => format!("{e} ({o})"),
                        (Some(e), _) => e.clone(),
                        (None, o) => o.clone().unwrap_or_default(),
                    };
                    vec![
                        employer,
                        tr(&p.contract_type.label_key()),
                        p.starts_on.clone(),
                        p.ends_on.clone().unwrap_or_default(),
                        p.follow_ups
                            .iter()
                            .map(|f| {
                                format!(
                                    "{} ({}){}",
                                    f.due_on,
                                    f.months,
                                    f.note
                                        .as_ref()
                                        .map(|n| format!(": {n}"))
                                        .unwrap_or_default()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        section(
            "sar-inbound",
            heads(&["sar-reference", "sar-date", "sar-notes"]),
            r.inbound_referrals
                .iter()
                .map(|x| {
                    vec![
                        x.reference.clone(),
                        x.referred_on.clone(),
                        x.notes.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    ];
    sections.push(section(
        "access-log-title",
        heads(&[
            "audit-when",
            "audit-who",
            "users-role",
            "audit-what",
            "audit-outcome",
            "audit-basis",
        ]),
        a.access_log
            .iter()
            .map(|e| {
                vec![
                    e.at.display(),
                    e.actor_name.clone(),
                    e.actor_role
                        .as_deref()
                        .and_then(|r| Role::parse(r).ok())
                        .map(|r| tr(&r.label_key()))
                        .unwrap_or_default(),
                    e.action.clone(),
                    e.outcome.clone(),
                    e.basis.clone(),
                ]
            })
            .collect(),
    ));
    let mut page = ctx.page();
    page.lang = lang;
    let name = if p.anonymised_at.is_some() {
        tr("person-anonymised")
    } else {
        p.full_name()
    };
    let out = SubjectAccessPage {
        ctx: page,
        person_id: id.to_string(),
        request_id: req.id.to_string(),
        name,
        generated: a.generated_at.display(),
        sections,
    };
    Ok(render(&ctx, &state, StatusCode::OK, &out))
}

/// The professional's own cases, open ones first.
pub async fn caseload_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
) -> Result<Response, HtmlError> {
    const SHOWN: i64 = 200;
    let entries = svc::caseload(&state, &actor, &ctx.meta, SHOWN)
        .await
        .map_err(service_err(&ctx))?;
    let lang = ctx.lang;
    let page = CaseloadPage {
        ctx: ctx.page(),
        rows: entries
            .into_iter()
            .map(|e| CaseloadRow {
                id: e.case.id.to_string(),
                name: if e.name.is_empty() {
                    t(lang, "person-anonymised")
                } else {
                    e.name
                },
                status: t(lang, &e.case.status.label_key()),
                opened: day(e.case.opened_at),
                part: t(
                    lang,
                    if e.lead {
                        "caseload-lead"
                    } else {
                        "caseload-team"
                    },
                ),
            })
            .collect(),
    };
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

/// Emergency access from a person found in the search: the form, the same for any id.
pub async fn person_break_glass(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    break_glass_form(&state, &ctx, &actor, format!("/people/{id}/break-glass")).await
}

/// Emergency access to the current case of a person: the same answer whether or not the
/// person or a case of theirs exists; the person's page then shows what was opened.
pub async fn person_break_glass_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let reason = f.get("reason");
    let done = svc::break_glass_for_person(&state, &actor, &ctx.meta, id, &reason).await;
    break_glass_answer(
        &state,
        &ctx,
        done,
        &format!("/people/{id}"),
        format!("/people/{id}/break-glass"),
        reason,
    )
}

// ---------------------------------------------------------------------------------------------
// Rectification, its history, and merging duplicates

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
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
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
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
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

/// The sender's team withdraws a referral from the case page.
pub async fn referral_withdraw(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: ReferralId = parse_path(&ctx, &raw)?;
    let input = ReferralMoveInput {
        status: ReferralStatus::Withdrawn.code().to_owned(),
        decline_reason: String::new(),
        outcome: String::new(),
        version: f.get("version").trim().parse::<i64>().unwrap_or(-1),
    };
    // Only the sending team withdraws: asked of the policy on the referral's case first.
    let case = svc::referral_case(&state, &actor, id)
        .await
        .map_err(service_err(&ctx))?;
    authorize_on_case(&state, &actor, &ctx.meta, case, Action::WithdrawReferral)
        .await
        .map_err(service_err(&ctx))?;
    let field = format!("referral-{id}-withdraw");
    let (errors, status) = match svc::move_referral(&state, &actor, &ctx.meta, id, &input).await {
        Ok(()) => (FieldErrors::new(), StatusCode::SEE_OTHER),
        Err(ServiceError::Stale) => {
            let mut e = FieldErrors::new();
            e.add(&field, "error-record-changed");
            (e, StatusCode::CONFLICT)
        }
        Err(e) => {
            // Refusals and unknown referrals end here, before anything about the case is read.
            let mut renamed = FieldErrors::new();
            for err in field_errors(&ctx, e)?.0 {
                renamed.add(&field, err.key);
            }
            (renamed, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    if status == StatusCode::SEE_OTHER {
        return Ok(see_other(&format!(
            "/cases/{case}?notice=referral-withdrawn"
        )));
    }
    case_page_with_errors(&state, &ctx, &actor, case, &errors, status).await
}

/// Query of the register page: a notice after a redirect, the person to prefill.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SarQuery {
    notice: String,
    person: String,
}

fn sar_options(
    lang: Lang,
    codes: impl Iterator<Item = (&'static str, String)>,
    chosen: &str,
) -> Vec<SelectOption> {
    std::iter::once(SelectOption {
        value: String::new(),
        label: String::new(),
        selected: chosen.is_empty(),
    })
    .chain(codes.map(|(code, key)| SelectOption {
        value: code.to_owned(),
        label: t(lang, &key),
        selected: code == chosen,
    }))
    .collect()
}

async fn sar_register_page(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    page: PageCtx,
    f: &Fields,
) -> Result<SarRequestsPage, HtmlError> {
    use elkarlan_domain::inclusion::subject_access::{IdentityCheck, RequesterRelation};
    let list = svc::subject_access_requests(state, actor, &ctx.meta)
        .await
        .map_err(service_err(ctx))?;
    let lang = ctx.lang;
    let today = Timestamp::now().to_datetime().date_naive().to_string();
    let rows = list
        .iter()
        .map(|r| SarRequestRow {
            id: r.id.to_string(),
            person: r.person_id.to_string(),
            requester: r.requester.clone(),
            relation: t(lang, &r.relation.label_key()),
            identity: t(lang, &r.identity_check.label_key()),
            received: r.received_on.clone(),
            deadline: r.deadline_on.clone(),
            status: t(lang, &r.status.label_key()),
            overdue: r.overdue(&today),
            version: r.version,
            can_start: r.status.may_become(RequestStatus::InProgress),
            can_refuse: r.status.may_become(RequestStatus::Refused),
            can_copy: matches!(
                r.status,
                RequestStatus::InProgress | RequestStatus::Completed
            ),
        })
        .collect();
    Ok(SarRequestsPage {
        ctx: page,
        rows,
        person: f.get("person"),
        requester: f.get("requester"),
        relations: sar_options(
            lang,
            RequesterRelation::ALL
                .iter()
                .map(|r| (r.code(), r.label_key())),
            &f.get("relation"),
        ),
        checks: sar_options(
            lang,
            IdentityCheck::ALL.iter().map(|r| (r.code(), r.label_key())),
            &f.get("identity_check"),
        ),
        received_on: f.get("received_on"),
    })
}

/// The DPO's register of subject access requests, and the form to record a new one.
pub async fn subject_access_requests_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Query(q): Query<SarQuery>,
) -> Result<Response, HtmlError> {
    let page = page_with_notice(&ctx, &Notice { notice: q.notice });
    let prefill = Fields::from_pairs(vec![("person".to_owned(), q.person)]);
    let out = sar_register_page(&state, &ctx, &actor, page, &prefill).await?;
    Ok(render(&ctx, &state, StatusCode::OK, &out))
}

pub async fn subject_access_request_register(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let input = elkarlan_domain::inclusion::subject_access::RequestInput {
        person: f.get("person"),
        requester: f.get("requester"),
        relation: f.get("relation"),
        identity_check: f.get("identity_check"),
        received_on: f.get("received_on"),
    };
    match svc::register_subject_access_request(&state, &actor, &ctx.meta, &input).await {
        Ok(_) => Ok(see_other("/subject-access-requests?notice=sar-registered")),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let out = sar_register_page(&state, &ctx, &actor, ctx.page().with_errors(&errors), &f)
                .await?;
            Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &out))
        }
    }
}

pub async fn subject_access_request_move(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let f = fields(&ctx, form)?;
    let id: uuid::Uuid = parse_path(&ctx, &raw)?;
    let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
    match svc::move_subject_access_request(&state, &actor, &ctx.meta, id, version, &f.get("status"))
        .await
    {
        Ok(_) => Ok(see_other("/subject-access-requests?notice=sar-moved")),
        Err(ServiceError::Stale) => Err(HtmlError::new(ctx.page(), StatusCode::CONFLICT)),
        Err(e) => {
            let errors = field_errors(&ctx, e)?;
            let out = sar_register_page(
                &state,
                &ctx,
                &actor,
                ctx.page().with_errors(&errors),
                &Fields::empty(),
            )
            .await?;
            Ok(render(&ctx, &state, StatusCode::UNPROCESSABLE_ENTITY, &out))
        }
    }
}
