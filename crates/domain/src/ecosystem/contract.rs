//! A public contract as the standards exchange it: the shape OCDS import and export read and
//! write, independent of how the store keeps it. Parties are named by tax id so an import can
//! find them in the directory.

use super::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation,
};
use super::cpv::Cpv;
use crate::identity::TaxId;
use chrono::NaiveDate;

/// An organisation named in a contract (the awardee of the contract or of a lot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyRef {
    pub name: String,
    pub tax_id: TaxId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotRecord {
    /// 1, 2, 3... as numbered in the specification.
    pub number: u32,
    pub title: String,
    pub cpv: Cpv,
    pub amount_cents: i64,
    pub reservation: Reservation,
    pub awardee: Option<PartyRef>,
    pub awarded_cents: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClauseRecord {
    /// The lot it applies to; `None` for the whole contract.
    pub lot: Option<u32>,
    pub stage: ClauseStage,
    pub purpose: ClausePurpose,
    pub description: String,
    /// Points out of 100, for award criteria.
    pub weight_percent: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractRecord {
    /// The OCDS contracting process identifier (`ocds-xxxxxx-<file number>`).
    pub ocid: String,
    pub file_number: String,
    pub contracting_body: String,
    pub title: String,
    pub description: Option<String>,
    pub cpv: Cpv,
    pub category: ProcurementCategory,
    pub procedure: ProcurementProcedure,
    pub status: ContractStatus,
    /// Estimated value without VAT, in cents.
    pub amount_cents: i64,
    pub published_on: Option<NaiveDate>,
    pub awarded_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub reservation: Reservation,
    pub awardee: Option<PartyRef>,
    pub awarded_cents: Option<i64>,
    pub lots: Vec<LotRecord>,
    pub clauses: Vec<ClauseRecord>,
}
