//! Responsible procurement services: contracts, lots, awards (a reserved award to an
//! organisation not eligible that day needs a justification, which the audit row carries),
//! social clauses with commitments and compliance checks, the reserved-share target, matching,
//! OCDS import and export, and the ecosystem's figures. The coordinator manages; the analyst
//! sees the figures only.

use super::authorize;
use crate::AppState;
use crate::error::ServiceError;
use elkarlan_domain::ecosystem::codes::{ClausePurpose, ContractStatus, Reservation};
use elkarlan_domain::ecosystem::contract::ContractRecord;
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::ocds::{self, OcdsProblem};
use elkarlan_domain::ecosystem::procurement::{
    AwardInput, CheckInput, ClauseInput, ContractInput, LotInput, target_permille,
};
use elkarlan_domain::employment::programme::whole_number;
use elkarlan_domain::policy::{Action, Actor, Grant, Target};
use elkarlan_domain::{ComplianceCheckId, ContractId, FieldErrors, LotId, SocialClauseId};
use elkarlan_store::StoreError;
use elkarlan_store::audit::RequestMeta;
use elkarlan_store::commitments;
use elkarlan_store::contracts::{
    self, Candidate, Check, Clause, Contract, ContractFilter, Figures, ImportError, ImportReport,
    ImportRowError, Lot, OrganisationFacts, ReservedShare,
};
use serde::Deserialize;

use super::agreements::CommitmentLine;

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn invalid(field: &str, key: &'static str) -> ServiceError {
    let mut e = FieldErrors::new();
    e.add(field, key);
    ServiceError::Invalid(e)
}

async fn manage(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Grant, ServiceError> {
    authorize(
        state,
        actor,
        Action::ManageProcurement,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await
}

/// Whether the actor may manage procurement (for links on pages; the services decide again).
pub fn may_manage(actor: &Actor) -> bool {
    elkarlan_domain::policy::decide(
        actor,
        Action::ManageProcurement,
        Target::tenant_wide(actor.tenant),
    )
    .is_ok()
}

// Contracts -------------------------------------------------------------------------------------

pub struct ContractsView {
    pub contracts: Vec<Contract>,
    pub share: ReservedShare,
}

pub async fn list_contracts(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    filter: &ContractFilter,
) -> Result<ContractsView, ServiceError> {
    manage(state, actor, meta).await?;
    let year = filter
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&today()));
    Ok(ContractsView {
        contracts: contracts::list(&state.store, actor.tenant, filter).await?,
        share: contracts::reserved_share(&state.store, actor.tenant, year).await?,
    })
}

/// Who may take a reserved contract or lot: the candidates listed under it.
pub struct Matches {
    /// `None` for the whole contract, else the lot's number.
    pub lot: Option<i64>,
    pub candidates: Vec<Candidate>,
}

pub struct ContractDetail {
    pub contract: Contract,
    pub lots: Vec<Lot>,
    pub clauses: Vec<Clause>,
    pub matches: Vec<Matches>,
}

pub async fn contract(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ContractId,
) -> Result<ContractDetail, ServiceError> {
    manage(state, actor, meta).await?;
    let contract = contracts::get(&state.store, actor.tenant, id).await?;
    let lots = contracts::lots(&state.store, id).await?;
    let clauses = contracts::clauses(&state.store, id).await?;
    let mut matches = Vec::new();
    let on = today();
    if contract.reservation.is_reserved()
        && let Ok(cpv) = Cpv::parse(&contract.cpv)
    {
        matches.push(Matches {
            lot: None,
            candidates: contracts::matching_candidates(
                &state.store,
                actor.tenant,
                cpv,
                contract.reservation,
                on,
            )
            .await?,
        });
    }
    for l in lots.iter().filter(|l| l.reservation.is_reserved()) {
        if let Ok(cpv) = Cpv::parse(&l.cpv) {
            matches.push(Matches {
                lot: Some(l.number),
                candidates: contracts::matching_candidates(
                    &state.store,
                    actor.tenant,
                    cpv,
                    l.reservation,
                    on,
                )
                .await?,
            });
        }
    }
    Ok(ContractDetail {
        contract,
        lots,
        clauses,
        matches,
    })
}

fn ocid_taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => ServiceError::Conflict {
            field: "file_number",
            key: "error-file-number-taken",
        },
        other => other.into(),
    }
}

pub async fn create_contract(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &ContractInput,
) -> Result<ContractId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    contracts::create(&state.store, &grant, meta, &d)
        .await
        .map_err(ocid_taken)
}

pub async fn update_contract(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: ContractId,
    version: Option<i64>,
    input: &ContractInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    contracts::get(&state.store, actor.tenant, id).await?;
    let version = version.ok_or(ServiceError::PreconditionRequired)?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    contracts::update(&state.store, &grant, meta, id, version, &d)
        .await
        .map_err(ocid_taken)
}

pub async fn add_lot(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    contract: ContractId,
    input: &LotInput,
) -> Result<LotId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    contracts::get(&state.store, actor.tenant, contract).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    contracts::add_lot(&state.store, &grant, meta, contract, &d)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict {
                field: "number",
                key: "error-lot-number-taken",
            },
            other => other.into(),
        })
}

pub async fn lots(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    contract: ContractId,
) -> Result<Vec<Lot>, ServiceError> {
    manage(state, actor, meta).await?;
    contracts::get(&state.store, actor.tenant, contract).await?;
    Ok(contracts::lots(&state.store, contract).await?)
}

/// The organisations an award may go to.
pub async fn awardees(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<OrganisationFacts>, ServiceError> {
    manage(state, actor, meta).await?;
    Ok(contracts::organisations(&state.store, actor.tenant).await?)
}

/// Records an award. A reserved contract or lot awarded to an organisation whose registers do
/// not cover the reservation on the award date is refused with `error-award-not-covered` on
/// `justification` unless one is given; with it, the award is saved and audited with it.
pub async fn award(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    contract: ContractId,
    input: &AwardInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let c = contracts::get(&state.store, actor.tenant, contract).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    let reservation = match d.lot {
        None => c.reservation,
        Some(lot) => {
            let lots = contracts::lots(&state.store, contract).await?;
            lots.iter()
                .find(|l| l.id == lot)
                .map(|l| l.reservation)
                .ok_or_else(|| invalid("lot", "error-lot-number"))?
        }
    };
    let org = match contracts::organisation_facts(&state.store, actor.tenant, d.awardee).await {
        Ok(o) => o,
        Err(StoreError::NotFound) => return Err(invalid("awardee", "error-awardee-unknown")),
        Err(e) => return Err(e.into()),
    };
    let covered = org.covers(reservation, d.awarded_on);
    if !covered && d.justification.is_none() {
        return Err(invalid("justification", "error-award-not-covered"));
    }
    Ok(contracts::award(&state.store, &grant, meta, contract, &d, covered).await?)
}

/// Whether an award would need a justification: the reservation is not covered by the
/// awardee's registers on the day. For the form's warning before it is sent.
pub fn award_needs_justification(
    reservation: Reservation,
    org: &OrganisationFacts,
    on: chrono::NaiveDate,
) -> bool {
    !org.covers(reservation, on)
}

// Social clauses ----------------------------------------------------------------------------------

pub async fn add_clause(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    contract: ContractId,
    input: &ClauseInput,
) -> Result<SocialClauseId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    contracts::get(&state.store, actor.tenant, contract).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    contracts::add_clause(&state.store, &grant, meta, contract, &d)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => invalid("lot", "error-lot-number"),
            other => other.into(),
        })
}

pub async fn clauses(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    contract: ContractId,
) -> Result<Vec<Clause>, ServiceError> {
    manage(state, actor, meta).await?;
    contracts::get(&state.store, actor.tenant, contract).await?;
    Ok(contracts::clauses(&state.store, contract).await?)
}

pub struct ClauseDetail {
    pub clause: Clause,
    pub contract: Contract,
    pub lot: Option<Lot>,
    /// The clause's commitments (the one model agreements use) with their progress today.
    pub commitments: Vec<CommitmentLine>,
    pub checks: Vec<Check>,
    /// Placements linked to the clause: a count.
    pub hires: i64,
    /// For clauses on subcontracting to, or hiring through, the social economy.
    pub candidates: Option<Vec<Candidate>>,
}

pub async fn clause(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    id: SocialClauseId,
) -> Result<ClauseDetail, ServiceError> {
    manage(state, actor, meta).await?;
    let clause = contracts::clause(&state.store, actor.tenant, id).await?;
    let contract = contracts::get(&state.store, actor.tenant, clause.contract_id).await?;
    let lot = match clause.lot_id {
        Some(l) => contracts::lots(&state.store, contract.id)
            .await?
            .into_iter()
            .find(|x| x.id == l),
        None => None,
    };
    let cpv = lot
        .as_ref()
        .map_or(contract.cpv.as_str(), |l| l.cpv.as_str());
    let candidates = if matches!(
        clause.purpose,
        ClausePurpose::SseSubcontracting | ClausePurpose::HiringAtRisk
    ) && let Ok(cpv) = Cpv::parse(cpv)
    {
        Some(
            contracts::matching_candidates(
                &state.store,
                actor.tenant,
                cpv,
                Reservation::NotReserved,
                today(),
            )
            .await?,
        )
    } else {
        None
    };
    Ok(ClauseDetail {
        commitments: super::agreements::with_progress(
            state,
            actor,
            commitments::list_for_clause(&state.store, actor.tenant, id).await?,
        )
        .await?,
        checks: contracts::checks(&state.store, id).await?,
        hires: commitments::clause_hires(&state.store, actor.tenant, id).await?,
        clause,
        contract,
        lot,
        candidates,
    })
}

pub async fn add_check(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    clause: SocialClauseId,
    input: &CheckInput,
) -> Result<ComplianceCheckId, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    contracts::clause(&state.store, actor.tenant, clause).await?;
    let d = input.parse().map_err(ServiceError::Invalid)?;
    contracts::add_check(&state.store, &grant, meta, clause, &d)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => invalid("commitment", "error-clause-commitment-unknown"),
            other => other.into(),
        })
}

pub async fn checks(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    clause: SocialClauseId,
) -> Result<Vec<Check>, ServiceError> {
    manage(state, actor, meta).await?;
    contracts::clause(&state.store, actor.tenant, clause).await?;
    Ok(contracts::checks(&state.store, clause).await?)
}

// Targets and figures -----------------------------------------------------------------------------

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TargetInput {
    pub year: String,
    /// The share of the year's awarded amount to reserve, as a percentage (`8`, `8,5`).
    pub target: String,
}

pub async fn targets(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<(i64, i64)>, ServiceError> {
    manage(state, actor, meta).await?;
    Ok(contracts::targets(&state.store, actor.tenant).await?)
}

pub async fn set_target(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    input: &TargetInput,
) -> Result<(), ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let mut e = FieldErrors::new();
    let year = e.take("year", whole_number(&input.year, 2000..=2100, "error-year"));
    let permille = e.take("target", target_permille(&input.target));
    match (year, permille) {
        (Some(y), Some(p)) if e.is_empty() => Ok(contracts::set_target(
            &state.store,
            &grant,
            meta,
            i32::try_from(y).unwrap_or(2000),
            p,
        )
        .await?),
        _ => Err(ServiceError::Invalid(e)),
    }
}

pub async fn figures(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    year: i32,
) -> Result<Figures, ServiceError> {
    authorize(
        state,
        actor,
        Action::ViewEcosystemAggregates,
        Target::tenant_wide(actor.tenant),
        meta,
    )
    .await?;
    Ok(contracts::figures(&state.store, actor.tenant, year).await?)
}

// OCDS --------------------------------------------------------------------------------------------

/// Why an OCDS package was not imported.
pub enum OcdsRejection {
    /// The package does not read as OCDS: each problem with its JSON path.
    Malformed(Vec<OcdsProblem>),
    /// It reads, but some records cannot be recorded (unknown awardee, ocid taken...).
    Rows(Vec<ImportRowError>),
}

/// Imports an OCDS release package, all or nothing.
pub async fn import_ocds(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
    bytes: &[u8],
) -> Result<Result<ImportReport, OcdsRejection>, ServiceError> {
    let grant = manage(state, actor, meta).await?;
    let _slot = state.import_slot()?;
    let records = match ocds::parse_package(bytes) {
        Ok(r) => r,
        Err(problems) => return Ok(Err(OcdsRejection::Malformed(problems))),
    };
    import_records(state, &grant, meta, records).await
}

/// Imports records already read (by the OCDS codec or built by a caller).
pub async fn import_records(
    state: &AppState,
    grant: &Grant,
    meta: &RequestMeta,
    records: Vec<ContractRecord>,
) -> Result<Result<ImportReport, OcdsRejection>, ServiceError> {
    match contracts::import(&state.store, grant, meta, records).await {
        Ok(r) => Ok(Ok(r)),
        Err(ImportError::Rejected(rows)) => Ok(Err(OcdsRejection::Rows(rows))),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The tenant's contracts as records, for the exports.
pub async fn export_records(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<ContractRecord>, ServiceError> {
    manage(state, actor, meta).await?;
    Ok(contracts::records(&state.store, actor.tenant).await?)
}

/// The contracts with their lots and clauses counts, for the spreadsheet export.
pub async fn export_rows(
    state: &AppState,
    actor: &Actor,
    meta: &RequestMeta,
) -> Result<Vec<Contract>, ServiceError> {
    manage(state, actor, meta).await?;
    Ok(contracts::list(&state.store, actor.tenant, &ContractFilter::default()).await?)
}

/// A status filter typed in a query string; unknown values filter nothing.
pub fn status_filter(s: &str) -> Option<ContractStatus> {
    ContractStatus::parse(s).ok()
}
