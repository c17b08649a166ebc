//! Ecosystem services: the directory of organisations (with their contacts, relations, register
//! entries and social audit figures), the pole's activities and the entrepreneurship projects.
//! The coordinator keeps all of it; reading an organisation's contact people is audited.

use super::{audit_read, authorize};
use crate::AppState;
use crate::error::ServiceError;
use chrono::NaiveDate;
use elkarlan_domain::ecosystem::codes::VentureStage;
use elkarlan_domain::ecosystem::eligibility::ReservedEligibility;
use elkarlan_domain::ecosystem::organisation::{
    Contact, OrganisationDraft, OrganisationInput, PoleActivityInput, ProfileDraft, ProfileInput,
    QualificationInput, RelationInput, SupportInput, VentureInput, stage_moves_forward,
};
use elkarlan_domain::policy::{Action, Actor, Grant, Target};
use elkarlan_domain::{
    AreaId, FieldErrors, OrganisationId, OrganisationRelationId, PoleActivityId, QualificationId,
    VentureId,
};
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::organisations::{
    self, Filter, Organisation, OrganisationSummary, QualificationRecord, Relation,
};
use elkarlan_store::pole::{self, PoleActivity, Venture};
use elkarlan_store::{StoreError, territory};
use serde::Deserialize;

pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn invalid(field: &str, key: &'static str) -> ServiceError {
    let mut e = FieldErrors::new();
    e.add(field, key);
    ServiceError::Invalid(e)
}

async fn view(state: &AppState, actor: &Actor, meta: &RequestMeta) -> Result<Grant, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewEcosystem,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
}

async fn manage(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Grant, ServiceError> {
    authorize(
        state,
        actor,
        Action::ManageEcosystem,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
}

async fn check_area(
    state: &AppState,
    actor: &Actor,
    area: Option<AreaId>,
    field: &str,
) -> Result<(), ServiceError> {
    if let Some(a) = area {
        let areas = territory::list(&state.store, actor.tenant).await?;
        if !areas.iter().any(|x| x.id == a) {
            return Err(invalid(field, "error-area-unknown"));
        }
    }
    Ok(())
}

fn tax_id_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::Conflict {
            field: "tax_id",
            key: "error-tax-id-taken",
        },
        other => other.into(),
    }
}

// Organisations -----------------------------------------------------------------------------

/// The directory list's filters as typed in the query string.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    /// A legal form code.
    pub legal_form: String,
    /// `yes` or `no`.
    pub pole_member: String,
    /// An area id.
    pub neighbourhood: String,
    /// A CPV code, its first digits or words of its label.
    pub cpv: String,
    /// `yes`: only those that may bid for reserved contracts today.
    pub eligible: String,
}

impl ListQuery {
    fn filter(&self) -> Result<Filter, ServiceError> {
        use elkarlan_domain::ecosystem::codes::LegalForm;
        let mut e = FieldErrors::new();
        let legal_form = if self.legal_form.trim().is_empty() {
            None
        } else {
            e.take("legal_form", LegalForm::parse(&self.legal_form))
        };
        let pole_member = match self.pole_member.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        let neighbourhood = if self.neighbourhood.trim().is_empty() {
            None
        } else {
            e.take(
                "neighbourhood",
                self.neighbourhood
                    .trim()
                    .parse::<AreaId>()
                    .map_err(|_| "error-area-unknown"),
            )
        };
        let cpv = self.cpv.trim();
        e.into_result().map_err(ServiceError::Invalid)?;
        Ok(Filter {
            legal_form,
            pole_member,
            neighbourhood,
            cpv_text: (!cpv.is_empty()).then(|| cpv.to_owned()),
            eligible_on: (self.eligible.trim() == "yes").then(today),
        })
    }
}

pub async fn list_organisations(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    q: &ListQuery,
) -> Result<Vec<(OrganisationSummary, Option<ReservedEligibility>)>, ServiceError> {
    view(state, actor, meta).await?;
    let filter = q.filter()?;
    Ok(organisations::list(&state.store, actor.tenant, &filter, today()).await?)
}

/// Everything the organisation page shows.
pub struct OrganisationDetail {
    pub organisation: Organisation,
    pub contacts: Vec<Contact>,
    pub qualifications: Vec<QualificationRecord>,
    pub eligibility: Option<ReservedEligibility>,
    pub relations: Vec<Relation>,
    pub profiles: Vec<ProfileDraft>,
    pub activities: Vec<(PoleActivity, i64)>,
}

/// An organisation with its contacts: the read of the contact people is audited first.
pub async fn organisation(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: OrganisationId,
) -> Result<OrganisationDetail, ServiceError> {
    let grant = view(state, actor, meta).await?;
    let organisation = organisations::get(&state.store, actor.tenant, id).await?;
    let contacts = organisations::contacts(&state.store, actor.tenant, id).await?;
    audit_read(
        state,
        &grant,
        "organisation_contacts",
        Some(id.to_string()),
        meta,
        serde_json::json!({"contacts": contacts.len()}),
    )
    .await?;
    Ok(OrganisationDetail {
        contacts,
        qualifications: organisations::qualification_records(&state.store, actor.tenant, id)
            .await?,
        eligibility: organisations::eligibility_on(&state.store, actor.tenant, id, today()).await?,
        relations: organisations::relations(&state.store, actor.tenant, id).await?,
        profiles: organisations::profiles(&state.store, actor.tenant, id).await?,
        activities: pole::activities_of(&state.store, actor.tenant, id).await?,
        organisation,
    })
}

async fn parse_organisation(
    state: &AppState,
    actor: &Actor,
    input: &OrganisationInput,
) -> Result<OrganisationDraft, ServiceError> {
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_area(state, actor, d.neighbourhood, "neighbourhood").await?;
    Ok(d)
}

/// Registers an organisation; with `idem`, the response is stored with the key in the same
/// transaction so a retry replays it.
pub async fn create_organisation(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &OrganisationInput,
    idem: super::IdempotentCreate<'_, OrganisationId>,
) -> Result<OrganisationId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let d = parse_organisation(state, actor, input).await?;
    let mut tx = state.store.begin_write().await?;
    let id = organisations::create_in(&mut tx, &grant, meta, &d)
        .await
        .map_err(tax_id_taken)?;
    if let Some((idem, respond)) = idem {
        let (status, body) = respond(&id);
        elkarlan_store::idempotency::save(
            &mut tx,
            actor.tenant,
            actor.user,
            idem.key,
            &idem.request_hash,
            status,
            &body,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn update_organisation(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: OrganisationId,
    version: Option<i64>,
    input: &OrganisationInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    organisations::get(&state.store, actor.tenant, id).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let d = parse_organisation(state, actor, input).await?;
    organisations::update(&state.store, &grant, meta, id, version, &d)
        .await
        .map_err(tax_id_taken)
}

/// The organisation and its contacts as a form fills them in again (audited like a read).
pub async fn organisation_for_edit(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: OrganisationId,
) -> Result<(Organisation, Vec<Contact>), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let o = organisations::get(&state.store, actor.tenant, id).await?;
    let contacts = organisations::contacts(&state.store, actor.tenant, id).await?;
    audit_read(
        state,
        &grant,
        "organisation_contacts",
        Some(id.to_string()),
        meta,
        serde_json::json!({"contacts": contacts.len()}),
    )
    .await?;
    Ok((o, contacts))
}

pub async fn add_relation(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    from: OrganisationId,
    input: &RelationInput,
) -> Result<OrganisationRelationId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    organisations::get(&state.store, actor.tenant, from).await?;
    let d = input.parse(from).map_err(ServiceError::Invalid)?;
    match organisations::add_relation(&state.store, &grant, meta, from, &d).await {
        Err(StoreError::NotFound) => Err(invalid("to", "error-organisation-unknown")),
        other => Ok(other?),
    }
}

pub async fn add_qualification(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    org: OrganisationId,
    input: &QualificationInput,
) -> Result<QualificationId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    organisations::get(&state.store, actor.tenant, org).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    Ok(organisations::add_qualification(&state.store, &grant, meta, org, &d).await?)
}

pub async fn profile(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    org: OrganisationId,
    year: i32,
) -> Result<(Organisation, Option<ProfileDraft>), ServiceError> {
    view(state, actor, meta).await?;
    let o = organisations::get(&state.store, actor.tenant, org).await?;
    let p = organisations::profiles(&state.store, actor.tenant, org)
        .await?
        .into_iter()
        .find(|p| p.year == year);
    Ok((o, p))
}

pub async fn save_profile(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    org: OrganisationId,
    year: i32,
    input: &ProfileInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    organisations::get(&state.store, actor.tenant, org).await?;
    let d = input.parse(year).map_err(ServiceError::Invalid)?;
    Ok(organisations::save_profile(&state.store, &grant, meta, org, &d).await?)
}

/// Every organisation with activities and registers, for the exports (no contact people).
pub async fn directory(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Organisation>, ServiceError> {
    view(state, actor, meta).await?;
    Ok(organisations::list_full(&state.store, actor.tenant).await?)
}

// The pole ----------------------------------------------------------------------------------

pub async fn activities(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<PoleActivity>, ServiceError> {
    view(state, actor, meta).await?;
    Ok(pole::activities(&state.store, actor.tenant).await?)
}

pub async fn activity(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: PoleActivityId,
) -> Result<PoleActivity, ServiceError> {
    view(state, actor, meta).await?;
    Ok(pole::activity(&state.store, actor.tenant, id).await?)
}

pub async fn create_activity(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &PoleActivityInput,
) -> Result<PoleActivityId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_area(state, actor, d.neighbourhood, "neighbourhood").await?;
    let mut participants = Vec::new();
    for (tax_id, people) in &d.participants {
        match organisations::by_tax_id(&state.store, actor.tenant, tax_id.as_str()).await? {
            Some(id) => participants.push((id, *people)),
            None => return Err(invalid("participants", "error-organisation-unknown")),
        }
    }
    Ok(pole::create_activity(&state.store, &grant, meta, &d, &participants).await?)
}

pub async fn ventures(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Venture>, ServiceError> {
    view(state, actor, meta).await?;
    Ok(pole::ventures(&state.store, actor.tenant).await?)
}

pub async fn venture(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: VentureId,
) -> Result<Venture, ServiceError> {
    view(state, actor, meta).await?;
    Ok(pole::venture(&state.store, actor.tenant, id).await?)
}

pub async fn create_venture(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &VentureInput,
) -> Result<VentureId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    check_area(state, actor, d.neighbourhood, "neighbourhood").await?;
    Ok(pole::create_venture(&state.store, &grant, meta, &d).await?)
}

/// Moving a project to its next stage; once constituted it may name its organisation.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StageInput {
    /// incubation, constituted or operating: later than the current stage.
    pub stage: String,
    /// The tax id of the organisation the project became (constituted or operating only).
    pub organisation_tax_id: String,
}

pub async fn move_stage(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: VentureId,
    input: &StageInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let v = pole::venture(&state.store, actor.tenant, id).await?;
    let mut e = FieldErrors::new();
    let to = e.take("stage", VentureStage::parse(&input.stage));
    if let Some(to) = to
        && !stage_moves_forward(v.stage, to)
    {
        e.add("stage", "error-stage-backwards");
    }
    let mut organisation = None;
    let tax = input.organisation_tax_id.trim();
    if !tax.is_empty() {
        if !matches!(
            to,
            Some(VentureStage::Constituted | VentureStage::Operating)
        ) {
            e.add("organisation_tax_id", "error-venture-not-constituted");
        } else {
            match elkarlan_domain::identity::TaxId::parse(tax) {
                Err(k) => e.add("organisation_tax_id", k),
                Ok(t) => {
                    organisation =
                        organisations::by_tax_id(&state.store, actor.tenant, t.as_str()).await?;
                    if organisation.is_none() {
                        e.add("organisation_tax_id", "error-organisation-unknown");
                    }
                }
            }
        }
    }
    e.into_result().map_err(ServiceError::Invalid)?;
    let Some(to) = to else {
        return Err(invalid("stage", "error-venture-stage"));
    };
    Ok(pole::move_stage(&state.store, &grant, meta, id, v.stage, to, organisation).await?)
}

pub async fn add_support(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: VentureId,
    input: &SupportInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    pole::venture(&state.store, actor.tenant, id).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    Ok(pole::add_support(&state.store, &grant, meta, id, &d).await?)
}

/// CPV codes for a form's lookup: code or words of the label, in the reader's language first.
pub async fn cpv_lookup(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    q: &str,
) -> Result<Vec<elkarlan_domain::ecosystem::cpv::Cpv>, ServiceError> {
    view(state, actor, meta).await?;
    Ok(elkarlan_domain::ecosystem::cpv::Cpv::search(q, 30))
}
