//! Recording a person's placement (a job or self-employment), linked when it applies to a
//! directory organisation, a social clause and an itinerary.

use super::{
    STARTS_AND_ENDS, back_to_file, file_done, file_for_form, occupation_options, person_name,
};
use crate::AppState;
use crate::extract::Ctx;
use crate::html::form::{CsrfForm, Fields, date_value, form_errors, parse_path, place_errors};
use crate::html::form_fields::{code_options, date_field, form, narrow, option, select, text};
use crate::html::{HtmlError, SignedIn, render};
use crate::services::employment as svc;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use elkarlan_domain::employment::codes::{ContractType, Sector};
use elkarlan_domain::employment::placement::PlacementInput;
use elkarlan_domain::policy::Actor;
use elkarlan_domain::{Lang, PersonId};
use elkarlan_templates::{FormField, FormPage, PageCtx, t, t_args};

const PLACEMENT_FIELDS: [&str; 9] = [
    "employer",
    "employer_organisation",
    "social_clause",
    "contract_type",
    "weekly_hours",
    "occupation",
    "occupation_code",
    "sector",
    "itinerary",
];

/// The directory's organisations and the social clauses, for the placement form's links.
pub struct PlacementLinks {
    pub organisations: Vec<(elkarlan_domain::OrganisationId, String)>,
    pub clauses: Vec<(elkarlan_domain::SocialClauseId, String)>,
}

/// Called after the person's file was authorized.
async fn placement_links(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<PlacementLinks, HtmlError> {
    let err = |e: crate::error::StoreError| HtmlError::from_store(ctx.page(), &e);
    Ok(PlacementLinks {
        organisations: crate::services::reference::organisation_choices(state, actor.tenant)
            .await
            .map_err(err)?,
        clauses: crate::services::reference::clause_choices(state, actor.tenant)
            .await
            .map_err(err)?,
    })
}

fn placement_form(
    lang: Lang,
    page: PageCtx,
    file: &svc::EmploymentFile,
    links: &PlacementLinks,
    f: &Fields,
) -> FormPage {
    let id = file.person.id;
    let chosen_o = f.get("employer_organisation");
    let mut o_opts = vec![option("", t(lang, "emp-none"), &chosen_o)];
    o_opts.extend(
        links
            .organisations
            .iter()
            .map(|(o, name)| option(&o.to_string(), name.clone(), &chosen_o)),
    );
    let chosen_c = f.get("social_clause");
    let mut c_opts = vec![option("", t(lang, "emp-none"), &chosen_c)];
    c_opts.extend(
        links
            .clauses
            .iter()
            .map(|(c, name)| option(&c.to_string(), name.clone(), &chosen_c)),
    );
    let chosen_i = f.get("itinerary");
    let mut i_opts = vec![option("", t(lang, "emp-none"), &chosen_i)];
    i_opts.extend(file.itineraries.iter().map(|i| {
        option(
            &i.id.to_string(),
            t_args(
                lang,
                "itinerary-opened-on",
                &[(
                    "date",
                    &i.opened_at.to_datetime().format("%Y-%m-%d").to_string(),
                )],
            ),
            &chosen_i,
        )
    }));
    let fields = vec![
        text(
            lang,
            "employer",
            "placement-employer",
            "placement-employer-hint",
            f,
        ),
        FormField::Select {
            id: "employer_organisation".into(),
            label: t(lang, "placement-employer-organisation"),
            hint: t(lang, "placement-employer-organisation-hint"),
            options: o_opts,
        },
        FormField::Select {
            id: "social_clause".into(),
            label: t(lang, "placement-clause-link"),
            hint: t(lang, "placement-clause-link-hint"),
            options: c_opts,
        },
        select(
            lang,
            "contract_type",
            "placement-contract-type",
            code_options(
                lang,
                ContractType::ALL,
                ContractType::code,
                ContractType::label_key,
                &f.get("contract_type"),
                Some("emp-choose"),
            ),
        ),
        date_field(lang, "starts_on", "emp-starts-on", f),
        FormField::Date {
            id: "ends_on".into(),
            legend: t(lang, "emp-ends-on"),
            hint: t(lang, "placement-ends-hint"),
            day: f.get("ends_on-day"),
            month: f.get("ends_on-month"),
            year: f.get("ends_on-year"),
        },
        narrow(
            lang,
            "weekly_hours",
            "placement-weekly-hours",
            "placement-weekly-hours-hint",
            f,
        ),
        FormField::Select {
            id: "occupation".into(),
            label: t(lang, "placement-occupation"),
            hint: t(lang, "placement-occupation-hint"),
            options: occupation_options(lang, &f.get("occupation")),
        },
        narrow(
            lang,
            "occupation_code",
            "placement-occupation-code",
            "placement-occupation-code-hint",
            f,
        ),
        select(
            lang,
            "sector",
            "placement-sector",
            code_options(
                lang,
                Sector::ALL,
                Sector::code,
                Sector::label_key,
                &f.get("sector"),
                Some("emp-choose"),
            ),
        ),
        select(lang, "itinerary", "enrol-itinerary", i_opts),
    ];
    form(
        page,
        lang,
        "placement-new-title",
        person_name(&file.person),
        back_to_file(id),
        format!("/people/{id}/placements/new"),
        "placement-form",
        Vec::new(),
        fields,
        "placement-save",
    )
}

pub async fn placement_page(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = file_for_form(&state, &ctx, &actor, id).await?;
    let links = placement_links(&state, &ctx, &actor).await?;
    let page = placement_form(ctx.lang, ctx.page(), &file, &links, &Fields::empty());
    Ok(render(&ctx, &state, StatusCode::OK, &page))
}

pub async fn placement_submit(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(raw): Path<String>,
    CsrfForm(f): CsrfForm,
) -> Result<Response, HtmlError> {
    let id: PersonId = parse_path(&ctx, &raw)?;
    // A typed ESCO code, when given, stands for any occupation outside the list.
    let typed = f.get("occupation_code");
    let input = PlacementInput {
        employer: f.get("employer"),
        contract_type: f.get("contract_type"),
        starts_on: date_value(&f, "starts_on"),
        ends_on: date_value(&f, "ends_on"),
        weekly_hours: f.get("weekly_hours"),
        occupation: if typed.trim().is_empty() {
            f.get("occupation")
        } else {
            typed.clone()
        },
        sector: f.get("sector"),
        itinerary: f.get("itinerary"),
        employer_organisation: f.get("employer_organisation"),
        social_clause: f.get("social_clause"),
    };
    match svc::record_placement(&state, &actor, &ctx.meta, id, &input).await {
        Ok(_) => Ok(file_done(id, "placement-recorded", "placements-heading")),
        Err(e) => {
            let (mut errors, status) = form_errors(&ctx, e, "employer")?;
            if !typed.trim().is_empty() {
                for er in &mut errors.0 {
                    if er.field == "occupation" {
                        er.field = "occupation_code".into();
                    }
                }
            }
            let errors = place_errors(errors, &STARTS_AND_ENDS, &PLACEMENT_FIELDS, "employer");
            let file = file_for_form(&state, &ctx, &actor, id).await?;
            let links = placement_links(&state, &ctx, &actor).await?;
            let page = placement_form(ctx.lang, ctx.page().with_errors(&errors), &file, &links, &f);
            Ok(render(&ctx, &state, status, &page))
        }
    }
}
