//! Public contracts: lots, awards (reserved ones checked against the awardee's register
//! entries), social clauses with their commitments and compliance checks, the council's
//! reserved-share target per year, matching of social economy entities, OCDS import and the
//! records the exports are built from, and the ecosystem's figures (counts only).
//!
//! None of it is personal data: hires under a clause are only ever counted.

use crate::audit::{NewEvent, RequestMeta};
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use chrono::{Datelike, NaiveDate};
use elkarlan_domain::ecosystem::codes::{
    ClausePurpose, ClauseStage, ContractStatus, LegalForm, ProcurementCategory,
    ProcurementProcedure, Reservation, Verdict,
};
use elkarlan_domain::ecosystem::contract::{ClauseRecord, ContractRecord, LotRecord, PartyRef};
use elkarlan_domain::ecosystem::cpv::Cpv;
use elkarlan_domain::ecosystem::eligibility::{self, Qualification};
use elkarlan_domain::ecosystem::procurement::{
    AwardDraft, CheckDraft, ClauseDraft, ContractDraft, LotDraft, share_permille,
};
use elkarlan_domain::identity::TaxId;
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{
    CommitmentId, ComplianceCheckId, ContractId, LotId, OrganisationId, SocialClauseId, TenantId,
    Timestamp,
};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

async fn audit(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    entity: &'static str,
    id: Uuid,
    detail: serde_json::Value,
) -> Result<()> {
    let ev = NewEvent::from_grant(grant, entity, Some(id.to_string()), meta).with_detail(detail);
    crate::audit::append(tx, &[ev]).await
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn corrupt(what: &str, id: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what, id)
}

// Contracts -------------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Contract {
    pub id: ContractId,
    pub ocid: String,
    pub file_number: String,
    pub contracting_body: String,
    pub title: String,
    pub description: Option<String>,
    pub cpv: String,
    pub category: ProcurementCategory,
    pub procedure: ProcurementProcedure,
    pub status: ContractStatus,
    pub amount_cents: i64,
    pub published_on: Option<String>,
    pub awarded_on: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub reservation: Reservation,
    pub awardee: Option<OrganisationId>,
    pub awardee_name: Option<String>,
    pub awarded_cents: Option<i64>,
    pub eligibility_justification: Option<String>,
    pub version: i64,
    pub lots: i64,
    pub clauses: i64,
}

const SELECT_CONTRACTS: &str = "SELECT c.id, c.ocid, c.file_number, c.contracting_body, c.title, c.description, c.cpv, c.category, c.procedure, c.status,
    c.amount_cents, c.published_on, c.awarded_on, c.starts_on, c.ends_on, c.reservation, c.awardee, o.name AS awardee_name, c.awarded_cents,
    c.eligibility_justification, c.version,
    (SELECT COUNT(*) FROM contract_lots l WHERE l.contract_id = c.id) AS lots,
    (SELECT COUNT(*) FROM social_clauses s WHERE s.contract_id = c.id) AS clauses
    FROM contracts c LEFT JOIN organisations o ON o.id = c.awardee";

macro_rules! contract_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get("id")?;
        let category: String = $r.try_get("category")?;
        let procedure: String = $r.try_get("procedure")?;
        let status: String = $r.try_get("status")?;
        let reservation: String = $r.try_get("reservation")?;
        Contract {
            id: ContractId(id),
            ocid: $r.try_get("ocid")?,
            file_number: $r.try_get("file_number")?,
            contracting_body: $r.try_get("contracting_body")?,
            title: $r.try_get("title")?,
            description: $r.try_get("description")?,
            cpv: $r.try_get("cpv")?,
            category: ProcurementCategory::parse(&category)
                .map_err(|_| crate::error::corrupt("contract category", id))?,
            procedure: ProcurementProcedure::parse(&procedure)
                .map_err(|_| crate::error::corrupt("contract procedure", id))?,
            status: ContractStatus::parse(&status)
                .map_err(|_| crate::error::corrupt("contract status", id))?,
            amount_cents: $r.try_get("amount_cents")?,
            published_on: $r.try_get("published_on")?,
            awarded_on: $r.try_get("awarded_on")?,
            starts_on: $r.try_get("starts_on")?,
            ends_on: $r.try_get("ends_on")?,
            reservation: Reservation::parse(&reservation)
                .map_err(|_| crate::error::corrupt("contract reservation", id))?,
            awardee: $r
                .try_get::<Option<Uuid>, _>("awardee")?
                .map(OrganisationId),
            awardee_name: $r.try_get("awardee_name")?,
            awarded_cents: $r.try_get("awarded_cents")?,
            eligibility_justification: $r.try_get("eligibility_justification")?,
            version: $r.try_get("version")?,
            lots: $r.try_get("lots")?,
            clauses: $r.try_get("clauses")?,
        }
    }};
}

fn draft_detail(d: &ContractDraft) -> serde_json::Value {
    serde_json::json!({
        "ocid": d.ocid, "title": d.title, "cpv": d.cpv.code(), "status": d.status.code(),
        "amount_cents": d.amount_cents, "reservation": d.reservation.code(),
    })
}

fn opt_day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Records a contract. Its ocid is unique in the tenant (`Conflict("unique")`).
pub async fn create(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    d: &ContractDraft,
) -> Result<ContractId> {
    let mut tx = store.begin_write().await?;
    let id = ContractId::new();
    insert_contract(&mut tx, grant.tenant(), id, d, None).await?;
    audit(&mut tx, grant, meta, "contract", id.0, draft_detail(d)).await?;
    tx.commit().await?;
    Ok(id)
}

/// The award columns of an imported contract: (awarded on, awardee, awarded cents).
type ImportedAward = (Option<NaiveDate>, Option<OrganisationId>, Option<i64>);

async fn insert_contract(
    tx: &mut Tx,
    tenant: TenantId,
    id: ContractId,
    d: &ContractDraft,
    award: Option<ImportedAward>,
) -> Result<()> {
    let now = Timestamp::now().micros();
    let (awarded_on, awardee, awarded_cents) = award.unwrap_or((None, None, None));
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO contracts (id, tenant_id, ocid, file_number, contracting_body, title, description, cpv, category, procedure, status, amount_cents,
         published_on, awarded_on, starts_on, ends_on, reservation, awardee, awarded_cents, version, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,1,$20)")
        .bind(id.0).bind(tenant.0).bind(&d.ocid).bind(&d.file_number).bind(&d.contracting_body).bind(&d.title)
        .bind(&d.description).bind(d.cpv.code()).bind(d.category.code()).bind(d.procedure.code()).bind(d.status.code())
        .bind(d.amount_cents).bind(opt_day(d.published_on)).bind(opt_day(awarded_on)).bind(opt_day(d.starts_on))
        .bind(opt_day(d.ends_on)).bind(d.reservation.code()).bind(awardee.map(|a| a.0)).bind(awarded_cents).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Replaces a contract's fields (not its award) if it is still at `version`.
pub async fn update(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    id: ContractId,
    version: i64,
    d: &ContractDraft,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let n = on_tx!(&mut tx, c => sqlx::query(
        "UPDATE contracts SET ocid = $4, file_number = $5, contracting_body = $6, title = $7, description = $8, cpv = $9, category = $10,
         procedure = $11, status = $12, amount_cents = $13, published_on = $14, starts_on = $15, ends_on = $16, reservation = $17,
         version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(grant.tenant().0).bind(id.0).bind(version).bind(&d.ocid).bind(&d.file_number).bind(&d.contracting_body)
        .bind(&d.title).bind(&d.description).bind(d.cpv.code()).bind(d.category.code()).bind(d.procedure.code())
        .bind(d.status.code()).bind(d.amount_cents).bind(opt_day(d.published_on)).bind(opt_day(d.starts_on))
        .bind(opt_day(d.ends_on)).bind(d.reservation.code())
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    audit(&mut tx, grant, meta, "contract", id.0, draft_detail(d)).await?;
    tx.commit().await
}

pub async fn get(store: &Store, tenant: TenantId, id: ContractId) -> Result<Contract> {
    on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_CONTRACTS} WHERE c.tenant_id = $1 AND c.id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(contract_from_row!(r))
    })
}

/// Which contracts a list shows.
#[derive(Clone, Debug, Default)]
pub struct ContractFilter {
    /// Contracts awarded, or else published, or else created in that year.
    pub year: Option<i32>,
    pub status: Option<ContractStatus>,
    /// `Some(true)`: the contract or one of its lots is reserved.
    pub reserved: Option<bool>,
}

/// The tenant's contracts, latest file number first.
pub async fn list(store: &Store, tenant: TenantId, f: &ContractFilter) -> Result<Vec<Contract>> {
    let mut sql = format!("{SELECT_CONTRACTS} WHERE c.tenant_id = $1");
    if f.year.is_some() {
        sql.push_str(
            " AND substr(COALESCE(c.awarded_on, c.published_on, c.starts_on, ''), 1, 4) = $2",
        );
    } else {
        sql.push_str(" AND $2 = $2");
    }
    if f.status.is_some() {
        sql.push_str(" AND c.status = $3");
    } else {
        sql.push_str(" AND $3 = $3");
    }
    match f.reserved {
        Some(true) => sql.push_str(" AND (c.reservation <> 'not_reserved' OR EXISTS (SELECT 1 FROM contract_lots l WHERE l.contract_id = c.id AND l.reservation <> 'not_reserved'))"),
        Some(false) => sql.push_str(" AND c.reservation = 'not_reserved' AND NOT EXISTS (SELECT 1 FROM contract_lots l WHERE l.contract_id = c.id AND l.reservation <> 'not_reserved')"),
        None => {}
    }
    sql.push_str(" ORDER BY c.file_number DESC");
    let year = f.year.map(|y| format!("{y:04}")).unwrap_or_default();
    let status = f.status.map(ContractStatus::code).unwrap_or_default();
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant.0).bind(&year).bind(status).fetch_all(c).await?;
        rows.iter().map(|r| Ok(contract_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

// Lots ------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Lot {
    pub id: LotId,
    pub contract_id: ContractId,
    pub number: i64,
    pub title: String,
    pub cpv: String,
    pub amount_cents: i64,
    pub reservation: Reservation,
    pub awardee: Option<OrganisationId>,
    pub awardee_name: Option<String>,
    pub awarded_cents: Option<i64>,
    pub eligibility_justification: Option<String>,
}

pub async fn add_lot(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    contract: ContractId,
    d: &LotDraft,
) -> Result<LotId> {
    let mut tx = store.begin_write().await?;
    let id = LotId::new();
    insert_lot(&mut tx, contract, id, d, None).await?;
    audit(
        &mut tx,
        grant,
        meta,
        "contract_lot",
        id.0,
        serde_json::json!({"contract": contract, "number": d.number, "cpv": d.cpv.code(),
            "amount_cents": d.amount_cents, "reservation": d.reservation.code()}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_lot(
    tx: &mut Tx,
    contract: ContractId,
    id: LotId,
    d: &LotDraft,
    award: Option<(OrganisationId, Option<i64>)>,
) -> Result<()> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO contract_lots (id, contract_id, number, title, cpv, amount_cents, reservation, awardee, awarded_cents) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
        .bind(id.0).bind(contract.0).bind(d.number).bind(&d.title).bind(d.cpv.code()).bind(d.amount_cents)
        .bind(d.reservation.code()).bind(award.map(|a| a.0.0)).bind(award.and_then(|a| a.1))
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn lots(store: &Store, contract: ContractId) -> Result<Vec<Lot>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT l.id, l.contract_id, l.number, l.title, l.cpv, l.amount_cents, l.reservation, l.awardee, o.name, l.awarded_cents, l.eligibility_justification
            FROM contract_lots l LEFT JOIN organisations o ON o.id = l.awardee WHERE l.contract_id = $1 ORDER BY l.number")
            .bind(contract.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let id: Uuid = r.try_get(0)?;
            let reservation: String = r.try_get(6)?;
            Ok(Lot {
                id: LotId(id),
                contract_id: ContractId(r.try_get(1)?),
                number: r.try_get(2)?,
                title: r.try_get(3)?,
                cpv: r.try_get(4)?,
                amount_cents: r.try_get(5)?,
                reservation: Reservation::parse(&reservation)
                    .map_err(|_| crate::error::corrupt("lot reservation", id))?,
                awardee: r.try_get::<Option<Uuid>, _>(7)?.map(OrganisationId),
                awardee_name: r.try_get(8)?,
                awarded_cents: r.try_get(9)?,
                eligibility_justification: r.try_get(10)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

// Organisations as awardees and candidates -------------------------------------------------------

/// What the award check and the matching need to know of an organisation.
#[derive(Clone, Debug, Serialize)]
pub struct OrganisationFacts {
    pub id: OrganisationId,
    pub name: String,
    pub tax_id: String,
    pub legal_form: LegalForm,
    #[serde(skip)]
    pub qualifications: Vec<Qualification>,
    /// CPV codes of its activities.
    pub activities: Vec<String>,
}

impl OrganisationFacts {
    /// Whether an award reserved as `reservation` to it on `day` is covered by its registers.
    pub fn covers(&self, reservation: Reservation, day: NaiveDate) -> bool {
        eligibility::award_is_covered(reservation, self.legal_form, &self.qualifications, day)
    }
}

/// Read from the directory: its records and its register entries.
async fn facts_where(
    store: &Store,
    tenant: TenantId,
    only: Option<OrganisationId>,
) -> Result<Vec<OrganisationFacts>> {
    let all = match only {
        Some(id) => vec![crate::organisations::get(store, tenant, id).await?],
        None => crate::organisations::list_full(store, tenant).await?,
    };
    let mut quals = crate::organisations::all_qualifications(store, tenant).await?;
    Ok(all
        .into_iter()
        .map(|o| OrganisationFacts {
            qualifications: quals.remove(&o.id.0).unwrap_or_default(),
            activities: o.activities.iter().map(|a| a.code().to_owned()).collect(),
            id: o.id,
            name: o.name,
            tax_id: o.tax_id,
            legal_form: o.legal_form,
        })
        .collect())
}

/// One organisation with its legal form, register entries and activities.
pub async fn organisation_facts(
    store: &Store,
    tenant: TenantId,
    id: OrganisationId,
) -> Result<OrganisationFacts> {
    facts_where(store, tenant, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Every organisation of the directory, by name (for the award form).
pub async fn organisations(store: &Store, tenant: TenantId) -> Result<Vec<OrganisationFacts>> {
    facts_where(store, tenant, None).await
}

/// A social economy entity that fits a contract, lot or clause.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub id: OrganisationId,
    pub name: String,
    pub legal_form: LegalForm,
    /// The activities that overlap the contract's CPV.
    pub activities: Vec<String>,
    /// The register entry that makes it eligible on the day, for reserved contracts.
    pub register_number: Option<String>,
}

/// The directory's matching ([`crate::organisations::matching`]) in the shape the contract and
/// clause pages show: only the activities that overlap `cpv`, and the register entry that makes
/// the entity eligible on `on` for a reserved contract.
pub async fn matching_candidates(
    store: &Store,
    tenant: TenantId,
    cpv: Cpv,
    reservation: Reservation,
    on: NaiveDate,
) -> Result<Vec<Candidate>> {
    let found = crate::organisations::matching(store, tenant, cpv, reservation, on).await?;
    Ok(found
        .into_iter()
        .map(|(o, e)| Candidate {
            id: o.id,
            name: o.name,
            legal_form: o.legal_form,
            activities: o
                .activities
                .iter()
                .filter(|a| a.overlaps(cpv))
                .map(|a| a.code().to_owned())
                .collect(),
            register_number: e
                .filter(|_| reservation.is_reserved())
                .map(|e| e.register_number),
        })
        .collect())
}

// Awards ----------------------------------------------------------------------------------------

/// Records the award of a contract (`d.lot` is `None`) or of one of its lots. `covered` says
/// whether the awardee's registers covered the reservation on the award date; when they did
/// not, `d.justification` is stored and carried by the audit row. The contract moves to
/// `awarded` when it was planned or tendering, and takes the award date if it had none.
pub async fn award(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    contract: ContractId,
    d: &AwardDraft,
    covered: bool,
) -> Result<()> {
    let justification = if covered {
        None
    } else {
        Some(
            d.justification
                .clone()
                .ok_or(StoreError::Conflict("justification"))?,
        )
    };
    let tenant = grant.tenant();
    let mut tx = store.begin_write().await?;
    let on = d.awarded_on.to_string();
    let n = match d.lot {
        None => on_tx!(&mut tx, c => sqlx::query(
            "UPDATE contracts SET awardee = $3, awarded_cents = $4, awarded_on = $5, eligibility_justification = $6,
             status = CASE WHEN status IN ('planned', 'tendering') THEN 'awarded' ELSE status END, version = version + 1
             WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0).bind(contract.0).bind(d.awardee.0).bind(d.awarded_cents).bind(&on).bind(&justification)
            .execute(c).await.map(|r| r.rows_affected()))?,
        Some(lot) => {
            let n = on_tx!(&mut tx, c => sqlx::query(
                "UPDATE contract_lots SET awardee = $3, awarded_cents = $4, eligibility_justification = $5
                 WHERE id = $2 AND contract_id IN (SELECT id FROM contracts WHERE tenant_id = $1)")
                .bind(tenant.0).bind(lot.0).bind(d.awardee.0).bind(d.awarded_cents).bind(&justification)
                .execute(c).await.map(|r| r.rows_affected()))?;
            on_tx!(&mut tx, c => sqlx::query(
                "UPDATE contracts SET awarded_on = COALESCE(awarded_on, $3),
                 status = CASE WHEN status IN ('planned', 'tendering') THEN 'awarded' ELSE status END, version = version + 1
                 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.0).bind(contract.0).bind(&on)
                .execute(c).await.map(|r| r.rows_affected()))?;
            n
        }
    };
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit(
        &mut tx,
        grant,
        meta,
        "contract_award",
        d.lot.map_or(contract.0, |l| l.0),
        serde_json::json!({"contract": contract, "lot": d.lot, "awardee": d.awardee,
            "awarded_cents": d.awarded_cents, "awarded_on": on, "eligible": covered,
            "eligibility_justification": justification}),
    )
    .await?;
    tx.commit().await
}

// Social clauses ----------------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Clause {
    pub id: SocialClauseId,
    pub contract_id: ContractId,
    pub lot_id: Option<LotId>,
    pub stage: ClauseStage,
    pub purpose: ClausePurpose,
    pub description: String,
    pub weight_percent: Option<i64>,
    pub penalty: Option<String>,
    /// The verdict of the latest compliance check.
    pub latest_verdict: Option<Verdict>,
}

const SELECT_CLAUSES: &str = "SELECT s.id, s.contract_id, s.lot_id, s.stage, s.purpose, s.description, s.weight_percent, s.penalty,
    (SELECT k.verdict FROM compliance_checks k WHERE k.social_clause_id = s.id ORDER BY k.checked_on DESC, k.recorded_at DESC LIMIT 1) AS latest
    FROM social_clauses s JOIN contracts c ON c.id = s.contract_id";

macro_rules! clause_from_row {
    ($r:expr) => {{
        let id: Uuid = $r.try_get(0)?;
        let stage: String = $r.try_get(3)?;
        let purpose: String = $r.try_get(4)?;
        let latest: Option<String> = $r.try_get(8)?;
        Clause {
            id: SocialClauseId(id),
            contract_id: ContractId($r.try_get(1)?),
            lot_id: $r.try_get::<Option<Uuid>, _>(2)?.map(LotId),
            stage: ClauseStage::parse(&stage)
                .map_err(|_| crate::error::corrupt("clause stage", id))?,
            purpose: ClausePurpose::parse(&purpose)
                .map_err(|_| crate::error::corrupt("clause purpose", id))?,
            description: $r.try_get(5)?,
            weight_percent: $r.try_get(6)?,
            penalty: $r.try_get(7)?,
            latest_verdict: latest
                .map(|v| Verdict::parse(&v).map_err(|_| crate::error::corrupt("check verdict", id)))
                .transpose()?,
        }
    }};
}

/// Adds a clause to a contract; a lot named must be one of the contract's.
pub async fn add_clause(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    contract: ContractId,
    d: &ClauseDraft,
) -> Result<SocialClauseId> {
    let mut tx = store.begin_write().await?;
    let id = SocialClauseId::new();
    insert_clause(&mut tx, contract, id, d).await?;
    audit(
        &mut tx,
        grant,
        meta,
        "social_clause",
        id.0,
        serde_json::json!({"contract": contract, "lot": d.lot, "stage": d.stage.code(),
            "purpose": d.purpose.code(), "weight_percent": d.weight_percent}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_clause(
    tx: &mut Tx,
    contract: ContractId,
    id: SocialClauseId,
    d: &ClauseDraft,
) -> Result<()> {
    if let Some(lot) = d.lot {
        let found = on_tx!(tx, c => sqlx::query("SELECT 1 FROM contract_lots WHERE id = $1 AND contract_id = $2")
            .bind(lot.0).bind(contract.0).fetch_optional(c).await?.is_some());
        if !found {
            return Err(StoreError::Conflict("lot"));
        }
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO social_clauses (id, contract_id, lot_id, stage, purpose, description, weight_percent, penalty, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
        .bind(id.0).bind(contract.0).bind(d.lot.map(|l| l.0)).bind(d.stage.code()).bind(d.purpose.code())
        .bind(&d.description).bind(d.weight_percent).bind(&d.penalty).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clauses(store: &Store, contract: ContractId) -> Result<Vec<Clause>> {
    on_pool!(store, c => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_CLAUSES} WHERE s.contract_id = $1 ORDER BY s.created_at, s.id")))
            .bind(contract.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok(clause_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn clause(store: &Store, tenant: TenantId, id: SocialClauseId) -> Result<Clause> {
    on_pool!(store, c => {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_CLAUSES} WHERE c.tenant_id = $1 AND s.id = $2")))
            .bind(tenant.0).bind(id.0).fetch_optional(c).await?.ok_or(StoreError::NotFound)?;
        Ok(clause_from_row!(r))
    })
}

// Compliance checks -----------------------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub id: ComplianceCheckId,
    pub clause_id: SocialClauseId,
    pub commitment_id: Option<CommitmentId>,
    pub checked_on: String,
    pub evidence: String,
    pub verdict: Verdict,
    pub penalty_cents: i64,
    pub note: Option<String>,
}

/// Records a compliance check; a commitment named must be one of the clause's.
pub async fn add_check(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    clause: SocialClauseId,
    d: &CheckDraft,
) -> Result<ComplianceCheckId> {
    let mut tx = store.begin_write().await?;
    let id = ComplianceCheckId::new();
    insert_check(&mut tx, grant, clause, id, d).await?;
    audit(
        &mut tx,
        grant,
        meta,
        "compliance_check",
        id.0,
        serde_json::json!({"social_clause": clause, "commitment": d.commitment,
            "checked_on": d.checked_on.to_string(), "verdict": d.verdict.code(), "penalty_cents": d.penalty_cents}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_check(
    tx: &mut Tx,
    grant: &Grant,
    clause: SocialClauseId,
    id: ComplianceCheckId,
    d: &CheckDraft,
) -> Result<()> {
    let tenant = grant.tenant();
    let found = on_tx!(tx, c => sqlx::query("SELECT 1 FROM social_clauses s JOIN contracts c ON c.id = s.contract_id WHERE c.tenant_id = $1 AND s.id = $2")
        .bind(tenant.0).bind(clause.0).fetch_optional(c).await?.is_some());
    if !found {
        return Err(StoreError::NotFound);
    }
    if let Some(k) = d.commitment {
        let found = on_tx!(tx, c => sqlx::query("SELECT 1 FROM commitments WHERE id = $1 AND social_clause_id = $2")
            .bind(k.0).bind(clause.0).fetch_optional(c).await?.is_some());
        if !found {
            return Err(StoreError::Conflict("commitment"));
        }
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO compliance_checks (id, social_clause_id, commitment_id, checked_on, evidence, verdict, penalty_cents, note, recorded_by, recorded_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
        .bind(id.0).bind(clause.0).bind(d.commitment.map(|k| k.0)).bind(d.checked_on.to_string()).bind(&d.evidence)
        .bind(d.verdict.code()).bind(d.penalty_cents).bind(&d.note).bind(grant.actor().map(|u| u.0)).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The clause's checks, latest first.
pub async fn checks(store: &Store, clause: SocialClauseId) -> Result<Vec<Check>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT id, social_clause_id, commitment_id, checked_on, evidence, verdict, penalty_cents, note FROM compliance_checks
            WHERE social_clause_id = $1 ORDER BY checked_on DESC, recorded_at DESC")
            .bind(clause.0).fetch_all(c).await?;
        rows.iter().map(|r| {
            let id: Uuid = r.try_get(0)?;
            let verdict: String = r.try_get(5)?;
            Ok(Check {
                id: ComplianceCheckId(id),
                clause_id: SocialClauseId(r.try_get(1)?),
                commitment_id: r.try_get::<Option<Uuid>, _>(2)?.map(CommitmentId),
                checked_on: r.try_get(3)?,
                evidence: r.try_get(4)?,
                verdict: Verdict::parse(&verdict)
                    .map_err(|_| crate::error::corrupt("check verdict", id))?,
                penalty_cents: r.try_get(6)?,
                note: r.try_get(7)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

// Targets and the reserved share ----------------------------------------------------------------

/// Sets the council's reserved-share target for a year, in per-mille.
pub async fn set_target(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    year: i32,
    permille: i64,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO procurement_targets (tenant_id, year, reserved_permille) VALUES ($1,$2,$3)
         ON CONFLICT (tenant_id, year) DO UPDATE SET reserved_permille = excluded.reserved_permille")
        .bind(grant.tenant().0).bind(i64::from(year)).bind(permille)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "procurement_target", Some(year.to_string()), meta)
        .with_detail(serde_json::json!({"year": year, "reserved_permille": permille}));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

/// Every year's target, latest first: (year, per-mille).
pub async fn targets(store: &Store, tenant: TenantId) -> Result<Vec<(i64, i64)>> {
    on_pool!(store, c => {
        let rows = sqlx::query("SELECT year, reserved_permille FROM procurement_targets WHERE tenant_id = $1 ORDER BY year DESC")
            .bind(tenant.0).fetch_all(c).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// The reserved share of a year's awarded procurement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReservedShare {
    pub year: i32,
    /// Contracts awarded in the year (award date in the year, not cancelled).
    pub contracts: i64,
    /// What was awarded: for contracts with lots, the lots awarded (their awarded amounts);
    /// otherwise the contract's awarded amount where recorded, else its estimated one.
    pub total_cents: i64,
    /// Of it, what was reserved: the reserved lots awarded of contracts with lots, the whole
    /// contract otherwise.
    pub reserved_cents: i64,
    /// `reserved / total` in per-mille, rounded; `None` when nothing was awarded.
    pub permille: Option<i64>,
    pub target_permille: Option<i64>,
}

impl ReservedShare {
    /// Whether the year's share reaches the target (`None` without a target or awards).
    pub fn meets_target(&self) -> Option<bool> {
        Some(self.permille? >= self.target_permille?)
    }
}

pub async fn reserved_share(store: &Store, tenant: TenantId, year: i32) -> Result<ReservedShare> {
    let prefix = format!("{year:04}-");
    let (contracts, lots, target) = on_pool!(store, c => {
        let contracts = sqlx::query("SELECT id, reservation, amount_cents, awarded_cents FROM contracts
            WHERE tenant_id = $1 AND status <> 'cancelled' AND awarded_on IS NOT NULL AND substr(awarded_on, 1, 5) = $2")
            .bind(tenant.0).bind(&prefix).fetch_all(c).await?
            .iter().map(|r| Ok((r.try_get::<Uuid, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)?, r.try_get::<Option<i64>, _>(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let lots = sqlx::query("SELECT l.contract_id, l.reservation, l.amount_cents, l.awarded_cents FROM contract_lots l JOIN contracts c ON c.id = l.contract_id
            WHERE c.tenant_id = $1 AND c.status <> 'cancelled' AND c.awarded_on IS NOT NULL AND substr(c.awarded_on, 1, 5) = $2")
            .bind(tenant.0).bind(&prefix).fetch_all(c).await?
            .iter().map(|r| Ok((r.try_get::<Uuid, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)?, r.try_get::<Option<i64>, _>(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let target = sqlx::query("SELECT reserved_permille FROM procurement_targets WHERE tenant_id = $1 AND year = $2")
            .bind(tenant.0).bind(i64::from(year)).fetch_optional(c).await?
            .map(|r| r.try_get::<i64, _>(0)).transpose()?;
        (contracts, lots, target)
    });
    let reserved = |code: &str| Reservation::parse(code).is_ok_and(Reservation::is_reserved);
    let mut total: i64 = 0;
    let mut part: i64 = 0;
    for (id, reservation, amount, awarded) in &contracts {
        let own: Vec<_> = lots.iter().filter(|l| l.0 == *id).collect();
        if own.is_empty() {
            let v = awarded.unwrap_or(*amount);
            total = total.saturating_add(v);
            if reserved(reservation) {
                part = part.saturating_add(v);
            }
        } else {
            // Only the lots actually awarded: a deserted lot adds nothing to what was awarded.
            for (_, lr, _, law) in own {
                let Some(v) = *law else { continue };
                total = total.saturating_add(v);
                if reserved(lr) {
                    part = part.saturating_add(v);
                }
            }
        }
    }
    Ok(ReservedShare {
        year,
        contracts: i64::try_from(contracts.len()).unwrap_or(i64::MAX),
        total_cents: total,
        reserved_cents: part,
        permille: share_permille(part, total),
        target_permille: target,
    })
}

// OCDS import and export ------------------------------------------------------------------------

/// One reason a package was not imported, by the record (0-based) it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportRowError {
    pub record: usize,
    pub ocid: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub contracts: usize,
    pub lots: usize,
    pub clauses: usize,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    Rejected(Vec<ImportRowError>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

async fn organisation_by_tax_id(
    tx: &mut Tx,
    tenant: TenantId,
    tax_id: &str,
) -> Result<Option<OrganisationId>> {
    let r = on_tx!(tx, c => sqlx::query("SELECT id FROM organisations WHERE tenant_id = $1 AND tax_id = $2")
        .bind(tenant.0).bind(tax_id).fetch_optional(c).await?
        .map(|r| r.try_get::<Uuid, _>(0)).transpose()?);
    Ok(r.map(OrganisationId))
}

/// Imports contracts, all or nothing, in one transaction. Awardees are found in the directory
/// by tax id; an unknown one, an ocid already recorded or repeated in the package, or a clause
/// naming a lot the record lacks rejects the whole package with every reason.
pub async fn import(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    records: Vec<ContractRecord>,
) -> Result<ImportReport, ImportError> {
    let tenant = grant.tenant();
    let mut tx = store.begin_write().await?;
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut awardees: std::collections::HashMap<String, Option<OrganisationId>> =
        std::collections::HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let mut fail = |message: String| {
            errors.push(ImportRowError {
                record: i,
                ocid: r.ocid.clone(),
                message,
            });
        };
        if !seen.insert(r.ocid.clone()) {
            fail(format!("ocid repeated in the package: {}", r.ocid));
        }
        let exists = on_tx!(&mut tx, c => sqlx::query("SELECT 1 FROM contracts WHERE tenant_id = $1 AND ocid = $2")
            .bind(tenant.0).bind(&r.ocid).fetch_optional(c).await.map_err(StoreError::from)?.is_some());
        if exists {
            fail(format!("contract already recorded: {}", r.ocid));
        }
        // Each unknown organisation once per record, however many lots it takes.
        let mut reported = std::collections::HashSet::new();
        let parties = r
            .awardee
            .iter()
            .chain(r.lots.iter().filter_map(|l| l.awardee.as_ref()));
        for p in parties {
            let key = p.tax_id.as_str().to_owned();
            if !awardees.contains_key(&key) {
                let found = organisation_by_tax_id(&mut tx, tenant, &key).await?;
                awardees.insert(key.clone(), found);
            }
            if awardees.get(&key).copied().flatten().is_none() && reported.insert(key.clone()) {
                fail(format!("organisation not in the directory: {key}"));
            }
        }
        for cl in &r.clauses {
            if let Some(n) = cl.lot
                && !r.lots.iter().any(|l| l.number == n)
            {
                fail(format!("clause names a lot the contract lacks: {n}"));
            }
        }
        if r.amount_cents < 0
            || r.awarded_cents.is_some_and(|a| a < 0)
            || r.lots
                .iter()
                .any(|l| l.amount_cents < 0 || l.awarded_cents.is_some_and(|a| a < 0))
        {
            fail("negative amount".to_owned());
        }
        if let (Some(s), Some(e)) = (r.starts_on, r.ends_on)
            && e < s
        {
            fail("the contract ends before it starts".to_owned());
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Rejected(errors));
    }
    let org = |p: &Option<PartyRef>| {
        p.as_ref()
            .and_then(|p| awardees.get(p.tax_id.as_str()).copied().flatten())
    };
    let mut report = ImportReport {
        contracts: 0,
        lots: 0,
        clauses: 0,
    };
    for r in &records {
        let id = ContractId::new();
        let d = ContractDraft {
            file_number: r.file_number.clone(),
            ocid: r.ocid.clone(),
            contracting_body: r.contracting_body.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            cpv: r.cpv,
            category: r.category,
            procedure: r.procedure,
            status: r.status,
            amount_cents: r.amount_cents,
            published_on: r.published_on,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            reservation: r.reservation,
        };
        insert_contract(
            &mut tx,
            tenant,
            id,
            &d,
            Some((r.awarded_on, org(&r.awardee), r.awarded_cents)),
        )
        .await?;
        let mut lot_ids = Vec::new();
        for l in &r.lots {
            let lot = LotId::new();
            let ld = LotDraft {
                number: i64::from(l.number),
                title: l.title.clone(),
                cpv: l.cpv,
                amount_cents: l.amount_cents,
                reservation: l.reservation,
            };
            insert_lot(
                &mut tx,
                id,
                lot,
                &ld,
                org(&l.awardee).map(|o| (o, l.awarded_cents)),
            )
            .await?;
            lot_ids.push((l.number, lot));
            report.lots += 1;
        }
        for cl in &r.clauses {
            let cd = ClauseDraft {
                lot: cl
                    .lot
                    .and_then(|n| lot_ids.iter().find(|(k, _)| *k == n).map(|(_, l)| *l)),
                stage: cl.stage,
                purpose: cl.purpose,
                description: cl.description.clone(),
                weight_percent: cl.weight_percent.map(i64::from),
                penalty: None,
            };
            insert_clause(&mut tx, id, SocialClauseId::new(), &cd).await?;
            report.clauses += 1;
        }
        let mut detail = draft_detail(&d);
        detail["imported"] = serde_json::Value::Bool(true);
        audit(&mut tx, grant, meta, "contract", id.0, detail).await?;
        report.contracts += 1;
    }
    tx.commit().await?;
    Ok(report)
}

fn party(name: Option<String>, tax_id: Option<String>) -> Option<PartyRef> {
    Some(PartyRef {
        name: name?,
        tax_id: TaxId::parse(&tax_id?).ok()?,
    })
}

/// The tenant's contracts as records, for the OCDS and spreadsheet exports.
pub async fn records(store: &Store, tenant: TenantId) -> Result<Vec<ContractRecord>> {
    let all = list(store, tenant, &ContractFilter::default()).await?;
    let orgs = organisations(store, tenant).await?;
    let by_id = |id: Option<OrganisationId>| {
        id.and_then(|id| orgs.iter().find(|o| o.id == id))
            .and_then(|o| party(Some(o.name.clone()), Some(o.tax_id.clone())))
    };
    let mut out = Vec::with_capacity(all.len());
    for c in all {
        let lots = lots(store, c.id).await?;
        let clauses = clauses(store, c.id).await?;
        let lot_records = lots
            .iter()
            .map(|l| {
                Ok(LotRecord {
                    number: u32::try_from(l.number).map_err(|_| corrupt("lot number", l.id.0))?,
                    title: l.title.clone(),
                    cpv: Cpv::parse(&l.cpv).map_err(|_| corrupt("lot cpv", l.id.0))?,
                    amount_cents: l.amount_cents,
                    reservation: l.reservation,
                    awardee: by_id(l.awardee),
                    awarded_cents: l.awarded_cents,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let clause_records = clauses
            .iter()
            .map(|s| ClauseRecord {
                lot: s.lot_id.and_then(|id| {
                    lots.iter()
                        .find(|l| l.id == id)
                        .and_then(|l| u32::try_from(l.number).ok())
                }),
                stage: s.stage,
                purpose: s.purpose,
                description: s.description.clone(),
                weight_percent: s.weight_percent.and_then(|w| u8::try_from(w).ok()),
            })
            .collect();
        out.push(ContractRecord {
            ocid: c.ocid.clone(),
            file_number: c.file_number.clone(),
            contracting_body: c.contracting_body.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            cpv: Cpv::parse(&c.cpv).map_err(|_| corrupt("cpv", c.id.0))?,
            category: c.category,
            procedure: c.procedure,
            status: c.status,
            amount_cents: c.amount_cents,
            published_on: day(c.published_on.clone()),
            awarded_on: day(c.awarded_on.clone()),
            starts_on: day(c.starts_on.clone()),
            ends_on: day(c.ends_on.clone()),
            reservation: c.reservation,
            awardee: by_id(c.awardee),
            awarded_cents: c.awarded_cents,
            lots: lot_records,
            clauses: clause_records,
        });
    }
    Ok(out)
}

// Figures ---------------------------------------------------------------------------------------

/// Counts below this are not shown where they count people (hires under clauses).
pub const MIN_SHOWN_PEOPLE: i64 = 5;

/// The ecosystem's figures for a year: counts and sums only, no contacts, no people's names.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Figures {
    pub year: i32,
    /// (legal form code, organisations, of which pole members)
    pub organisations: Vec<(String, i64, i64)>,
    /// Social audit totals of the year's profiles.
    pub profiles: i64,
    pub workforce: i64,
    pub women: i64,
    pub hired_from_exclusion: i64,
    pub permanent_contracts: i64,
    /// (agreement status code, count)
    pub agreements: Vec<(String, i64)>,
    /// (commitment status code, count)
    pub commitments: Vec<(String, i64)>,
    pub share: ReservedShare,
    /// (stage code, purpose code, clauses) of contracts awarded in the year
    pub clauses: Vec<(String, String, i64)>,
    /// (verdict code, checks, penalties in cents) of checks made in the year
    pub verdicts: Vec<(String, i64, i64)>,
    /// Placements under clauses that started in the year; `None` when below
    /// [`MIN_SHOWN_PEOPLE`].
    pub hires_under_clauses: Option<i64>,
}

fn pairs(rows: &[(String, i64)]) -> Vec<(String, i64)> {
    rows.to_vec()
}

pub async fn figures(store: &Store, tenant: TenantId, year: i32) -> Result<Figures> {
    let y = format!("{year:04}-");
    let share = reserved_share(store, tenant, year).await?;
    let mut f = on_pool!(store, c => {
        let organisations = sqlx::query("SELECT legal_form, COUNT(*), SUM(CASE WHEN pole_member <> 0 THEN 1 ELSE 0 END) FROM organisations WHERE tenant_id = $1 GROUP BY legal_form ORDER BY legal_form")
            .bind(tenant.0).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?, r.try_get::<Option<i64>, _>(2)?.unwrap_or(0))))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let profiles = sqlx::query("SELECT p.workforce, p.women, p.hired_from_exclusion, p.permanent_contracts FROM sse_profiles p
            JOIN organisations o ON o.id = p.organisation_id WHERE o.tenant_id = $1 AND p.year = $2")
            .bind(tenant.0).bind(i64::from(year)).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?, r.try_get::<i64, _>(2)?, r.try_get::<i64, _>(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let agreements = sqlx::query("SELECT status, COUNT(*) FROM agreements WHERE tenant_id = $1 GROUP BY status ORDER BY status")
            .bind(tenant.0).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let commitments = sqlx::query("SELECT status, COUNT(*) FROM commitments WHERE tenant_id = $1 AND substr(due_on, 1, 5) = $2 GROUP BY status ORDER BY status")
            .bind(tenant.0).bind(&y).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let clauses = sqlx::query("SELECT s.stage, s.purpose, COUNT(*) FROM social_clauses s JOIN contracts c ON c.id = s.contract_id
            WHERE c.tenant_id = $1 AND substr(COALESCE(c.awarded_on, c.published_on, ''), 1, 5) = $2 GROUP BY s.stage, s.purpose ORDER BY s.stage, s.purpose")
            .bind(tenant.0).bind(&y).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let checks = sqlx::query("SELECT k.verdict, k.penalty_cents FROM compliance_checks k JOIN social_clauses s ON s.id = k.social_clause_id
            JOIN contracts c ON c.id = s.contract_id WHERE c.tenant_id = $1 AND substr(k.checked_on, 1, 5) = $2")
            .bind(tenant.0).bind(&y).fetch_all(c).await?.iter()
            .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let hires: i64 = sqlx::query("SELECT COUNT(*) FROM placements WHERE tenant_id = $1 AND social_clause_id IS NOT NULL AND substr(starts_on, 1, 5) = $2")
            .bind(tenant.0).bind(&y).fetch_one(c).await?.try_get(0)?;
        let mut f = Figures { year, organisations, agreements: pairs(&agreements), commitments: pairs(&commitments), clauses, ..Figures::default() };
        for (w, women, excl, perm) in profiles {
            f.profiles += 1;
            f.workforce += w;
            f.women += women;
            f.hired_from_exclusion += excl;
            f.permanent_contracts += perm;
        }
        for v in Verdict::ALL {
            let of: Vec<_> = checks.iter().filter(|(k, _)| k == v.code()).collect();
            f.verdicts.push((v.code().to_owned(), i64::try_from(of.len()).unwrap_or(0), of.iter().map(|(_, p)| *p).sum()));
        }
        f.hires_under_clauses = Some(hires).filter(|h| *h >= MIN_SHOWN_PEOPLE);
        f
    });
    f.share = share;
    Ok(f)
}

/// The year of a date typed YYYY-MM-DD, for callers that only have text.
pub fn year_of(s: &str) -> Option<i32> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.year())
}
