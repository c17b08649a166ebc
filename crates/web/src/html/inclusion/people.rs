//! The people registry's pages: the search, registration (with its possible duplicates), a
//! person's page and its access log.

use super::{Notice, page_with_notice};
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_errors, field_errors, parse_path, service_err};
use crate::html::labels::area_name;
use crate::html::labels::{day, key_of};
use crate::html::{HtmlError, SignedIn, render, see_other};
use crate::services::inclusion::{self as svc, PersonHit, Registered};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::account::Role;
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::person::{PersonInput, Sex, birth_date_from_parts};
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_domain::policy::{Action, Actor};
use elkarlan_domain::{Lang, PersonId, Timestamp};
use elkarlan_service::models::territory::Area;
use elkarlan_templates::{
    AccessLogPage, AccessLogRow, CategoryRow, Choice, ConsentRow, PageCtx, PeoplePage,
    PersonHitRow, PersonNewPage, PersonPage, SelectOption, t,
};
use serde::Deserialize;

fn hit_row(h: &PersonHit) -> PersonHitRow {
    PersonHitRow {
        id: h.id.to_string(),
        name: h.name.clone(),
        birth_year: h.birth_year.to_string(),
        document: h.document.clone().unwrap_or_default(),
    }
}

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

pub(super) fn radio(value: &str, label: String, selected: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label,
        checked: value == selected,
        hint: String::new(),
    }
}

/// Where the person form posts: a registration, or a rectification of `id` at `version`.
#[derive(Clone, Copy)]
pub(super) enum PersonFormMode {
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

pub(super) async fn person_form_as(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    f: &Fields,
    page: PageCtx,
    duplicates: Vec<PersonHitRow>,
    mode: PersonFormMode,
) -> Result<PersonNewPage, HtmlError> {
    let lang = ctx.lang;
    let areas = crate::services::reference::areas(state, actor.tenant)
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
pub(super) fn person_input(f: &Fields) -> (PersonInput, Option<&'static str>) {
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
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
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

pub(super) fn category_rows(
    lang: Lang,
    list: impl Iterator<Item = (String, String)>,
) -> Vec<CategoryRow> {
    list.map(|(category, basis)| CategoryRow {
        category: t(lang, &key_of("category", &category)),
        basis: t(lang, &key_of("basis", &basis)),
    })
    .collect()
}

pub(super) async fn person_page_for(
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
        let areas = crate::services::reference::areas(state, actor.tenant)
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
