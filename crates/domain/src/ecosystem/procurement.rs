//! Responsible public procurement as typed on forms or sent to the API: contracts, lots, awards,
//! social clauses, their commitments and compliance checks, and the year's reserved target.
//! Each input parses into a draft, collecting one translated error key per bad field.

use super::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation, Verdict,
};
use super::cpv::Cpv;
use crate::employment::programme::{
    date, optional_date, optional_text, parse_euros, required_text, whole_number,
};
use crate::{CommitmentId, FieldErrors, LotId, OrganisationId};
use chrono::NaiveDate;
use serde::Deserialize;

/// The council's OCDS publisher prefix. `ocds-elk001` is a placeholder: replace it with the
/// prefix the council registers with the Open Contracting Partnership before publishing.
pub const OCID_PREFIX: &str = "ocds-elk001";

/// The largest amount accepted, in cents (ten thousand million euros): above any council's
/// budget, far below `i64::MAX`, so sums of a year never overflow.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000;

/// Every message key this module can return.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-amount-negative",
    "error-amount-too-large",
    "error-file-number",
    "error-contracting-body-required",
    "error-contract-title-required",
    "error-description-required",
    "error-lot-number",
    "error-clause-weight-required",
    "error-clause-weight-not-award",
    "error-clause-weight",
    "error-awardee-unknown",
    "error-evidence-required",
    "error-target-permille",
    "error-clause-commitment-unknown",
    "error-award-not-covered",
];

/// The OCDS identifier of a contracting process: the prefix and the council's file number.
pub fn ocid_for(file_number: &str) -> String {
    format!("{OCID_PREFIX}-{file_number}")
}

/// An amount in euros that must be zero or more: `parse_euros` with distinct messages for a
/// negative amount and for one too large to be real (or to fit).
pub fn amount(s: &str) -> Result<i64, &'static str> {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix(['-', '\u{2212}']) {
        return match amount(rest) {
            Ok(_) | Err("error-amount-too-large") => Err("error-amount-negative"),
            Err(e) => Err(e),
        };
    }
    match parse_euros(t) {
        Ok(c) => Ok(c),
        Err(e) => {
            // Digits and separators only: `parse_euros` refuses those only above its limit.
            let body: String = t
                .trim_end_matches('€')
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let digits = body.chars().filter(char::is_ascii_digit).count();
            if digits > 0
                && body
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            {
                Err("error-amount-too-large")
            } else {
                Err(e)
            }
        }
    }
}

/// An optional amount: empty is `None`.
pub fn optional_amount(s: &str) -> Result<Option<i64>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        amount(s).map(Some)
    }
}

/// A file number as the council writes it (`2026/CON/0042`): letters, digits, `/`, `-`, `.`,
/// `_`; it becomes part of the ocid.
pub fn file_number(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty()
        || t.len() > 60
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_'))
    {
        Err("error-file-number")
    } else {
        Ok(t.to_owned())
    }
}

fn code_or<T>(
    s: &str,
    default: T,
    parse: fn(&str) -> Result<T, &'static str>,
) -> Result<T, &'static str> {
    if s.trim().is_empty() {
        Ok(default)
    } else {
        parse(s)
    }
}

/// A contract as typed, before parsing. The award is a separate form ([`AwardInput`]).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractInput {
    pub file_number: String,
    pub contracting_body: String,
    pub title: String,
    pub description: String,
    /// CPV 2008 code, e.g. `90910000` or `90910000-9`.
    pub cpv: String,
    /// goods, works, services
    pub category: String,
    /// open, simplified_open, restricted, negotiated, minor, innovation_partnership
    pub procedure: String,
    /// planned, tendering, awarded, in_execution, completed, cancelled (default planned)
    pub status: String,
    /// Estimated value without VAT, in euros (`120.000,50`).
    pub amount: String,
    pub published_on: String,
    pub starts_on: String,
    pub ends_on: String,
    /// not_reserved (default), insertion_companies, special_employment_centres, both
    pub reservation: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractDraft {
    pub file_number: String,
    pub ocid: String,
    pub contracting_body: String,
    pub title: String,
    pub description: Option<String>,
    pub cpv: Cpv,
    pub category: ProcurementCategory,
    pub procedure: ProcurementProcedure,
    pub status: ContractStatus,
    pub amount_cents: i64,
    pub published_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub reservation: Reservation,
}

impl ContractInput {
    pub fn parse(&self) -> Result<ContractDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let file_number = e.take("file_number", file_number(&self.file_number));
        let contracting_body = e.take(
            "contracting_body",
            required_text(
                &self.contracting_body,
                200,
                "error-contracting-body-required",
            ),
        );
        let title = e.take(
            "title",
            required_text(&self.title, 300, "error-contract-title-required"),
        );
        let description = e.take("description", optional_text(&self.description, 4000));
        let cpv = e.take("cpv", Cpv::parse(&self.cpv));
        let category = e.take("category", ProcurementCategory::parse(&self.category));
        let procedure = e.take("procedure", ProcurementProcedure::parse(&self.procedure));
        let status = e.take(
            "status",
            code_or(&self.status, ContractStatus::Planned, ContractStatus::parse),
        );
        let amount_cents = e.take("amount", amount(&self.amount));
        let published_on = e.take("published_on", optional_date(&self.published_on));
        let starts_on = e.take("starts_on", optional_date(&self.starts_on));
        let ends_on = e.take("ends_on", optional_date(&self.ends_on));
        if let (Some(Some(s)), Some(Some(end))) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        let reservation = e.take(
            "reservation",
            code_or(
                &self.reservation,
                Reservation::NotReserved,
                Reservation::parse,
            ),
        );
        match (
            file_number,
            contracting_body,
            title,
            description,
            cpv,
            category,
            procedure,
            status,
            amount_cents,
            published_on,
            starts_on,
            ends_on,
            reservation,
        ) {
            (
                Some(file_number),
                Some(contracting_body),
                Some(title),
                Some(description),
                Some(cpv),
                Some(category),
                Some(procedure),
                Some(status),
                Some(amount_cents),
                Some(published_on),
                Some(starts_on),
                Some(ends_on),
                Some(reservation),
            ) if e.is_empty() => Ok(ContractDraft {
                ocid: ocid_for(&file_number),
                file_number,
                contracting_body,
                title,
                description,
                cpv,
                category,
                procedure,
                status,
                amount_cents,
                published_on,
                starts_on,
                ends_on,
                reservation,
            }),
            _ => Err(e),
        }
    }
}

/// A lot as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LotInput {
    /// 1, 2, 3... as numbered in the specification.
    pub number: String,
    pub title: String,
    pub cpv: String,
    /// Estimated value in euros.
    pub amount: String,
    pub reservation: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotDraft {
    pub number: i64,
    pub title: String,
    pub cpv: Cpv,
    pub amount_cents: i64,
    pub reservation: Reservation,
}

impl LotInput {
    pub fn parse(&self) -> Result<LotDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let number = e.take(
            "number",
            whole_number(&self.number, 1..=999, "error-lot-number"),
        );
        let title = e.take(
            "title",
            required_text(&self.title, 300, "error-contract-title-required"),
        );
        let cpv = e.take("cpv", Cpv::parse(&self.cpv));
        let amount_cents = e.take("amount", amount(&self.amount));
        let reservation = e.take(
            "reservation",
            code_or(
                &self.reservation,
                Reservation::NotReserved,
                Reservation::parse,
            ),
        );
        match (number, title, cpv, amount_cents, reservation) {
            (Some(number), Some(title), Some(cpv), Some(amount_cents), Some(reservation))
                if e.is_empty() =>
            {
                Ok(LotDraft {
                    number,
                    title,
                    cpv,
                    amount_cents,
                    reservation,
                })
            }
            _ => Err(e),
        }
    }
}

/// The award of a contract or of one lot.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardInput {
    /// The lot awarded; empty for the whole contract.
    pub lot: String,
    /// The organisation (its id in the directory).
    pub awardee: String,
    /// The amount awarded, in euros.
    pub awarded_amount: String,
    pub awarded_on: String,
    /// Required when the contract or lot is reserved and the awardee is not shown eligible on
    /// the award date.
    pub justification: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardDraft {
    pub lot: Option<LotId>,
    pub awardee: OrganisationId,
    pub awarded_cents: i64,
    pub awarded_on: NaiveDate,
    pub justification: Option<String>,
}

impl AwardInput {
    pub fn parse(&self) -> Result<AwardDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let lot = e.take(
            "lot",
            if self.lot.trim().is_empty() {
                Ok(None)
            } else {
                self.lot
                    .trim()
                    .parse::<LotId>()
                    .map(Some)
                    .map_err(|_| "error-lot-number")
            },
        );
        let awardee = e.take(
            "awardee",
            self.awardee
                .trim()
                .parse::<OrganisationId>()
                .map_err(|_| "error-awardee-unknown"),
        );
        let awarded_cents = e.take("awarded_amount", amount(&self.awarded_amount));
        let awarded_on = e.take("awarded_on", date(&self.awarded_on, "error-date-required"));
        let justification = e.take("justification", optional_text(&self.justification, 2000));
        match (lot, awardee, awarded_cents, awarded_on, justification) {
            (
                Some(lot),
                Some(awardee),
                Some(awarded_cents),
                Some(awarded_on),
                Some(justification),
            ) if e.is_empty() => Ok(AwardDraft {
                lot,
                awardee,
                awarded_cents,
                awarded_on,
                justification,
            }),
            _ => Err(e),
        }
    }
}

/// A social clause as typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseInput {
    /// The lot it applies to (its id); empty for the whole contract.
    pub lot: String,
    /// specification, selection, award_criterion, execution_condition
    pub stage: String,
    /// hiring_at_risk, gender_equality, accessibility, sse_subcontracting, decent_work,
    /// local_training, environmental
    pub purpose: String,
    pub description: String,
    /// Points out of 100: required for award criteria, refused for other stages.
    pub weight: String,
    /// What happens when the clause is not met.
    pub penalty: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClauseDraft {
    pub lot: Option<LotId>,
    pub stage: ClauseStage,
    pub purpose: ClausePurpose,
    pub description: String,
    pub weight_percent: Option<i64>,
    pub penalty: Option<String>,
}

impl ClauseInput {
    pub fn parse(&self) -> Result<ClauseDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let lot = e.take(
            "lot",
            if self.lot.trim().is_empty() {
                Ok(None)
            } else {
                self.lot
                    .trim()
                    .parse::<LotId>()
                    .map(Some)
                    .map_err(|_| "error-lot-number")
            },
        );
        let stage = e.take("stage", ClauseStage::parse(&self.stage));
        let purpose = e.take("purpose", ClausePurpose::parse(&self.purpose));
        let description = e.take(
            "description",
            required_text(&self.description, 4000, "error-description-required"),
        );
        let weight = match stage {
            Some(ClauseStage::AwardCriterion) if self.weight.trim().is_empty() => {
                e.add("weight", "error-clause-weight-required");
                None
            }
            Some(ClauseStage::AwardCriterion) => e
                .take(
                    "weight",
                    whole_number(&self.weight, 1..=100, "error-clause-weight"),
                )
                .map(Some),
            _ if !self.weight.trim().is_empty() => {
                e.add("weight", "error-clause-weight-not-award");
                None
            }
            _ => Some(None),
        };
        let penalty = e.take("penalty", optional_text(&self.penalty, 2000));
        match (lot, stage, purpose, description, weight, penalty) {
            (
                Some(lot),
                Some(stage),
                Some(purpose),
                Some(description),
                Some(weight_percent),
                Some(penalty),
            ) if e.is_empty() => Ok(ClauseDraft {
                lot,
                stage,
                purpose,
                description,
                weight_percent,
                penalty,
            }),
            _ => Err(e),
        }
    }
}

/// A compliance check of a clause.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInput {
    pub checked_on: String,
    pub evidence: String,
    /// compliant, partially_compliant, non_compliant
    pub verdict: String,
    /// Penalty imposed, in euros; empty is none.
    pub penalty: String,
    pub note: String,
    /// The commitment checked (its id), if the check is about one.
    pub commitment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckDraft {
    pub checked_on: NaiveDate,
    pub evidence: String,
    pub verdict: Verdict,
    pub penalty_cents: i64,
    pub note: Option<String>,
    pub commitment: Option<CommitmentId>,
}

impl CheckInput {
    pub fn parse(&self) -> Result<CheckDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let checked_on = e.take("checked_on", date(&self.checked_on, "error-date-required"));
        let evidence = e.take(
            "evidence",
            required_text(&self.evidence, 2000, "error-evidence-required"),
        );
        let verdict = e.take("verdict", Verdict::parse(&self.verdict));
        let penalty = e.take("penalty", optional_amount(&self.penalty));
        let note = e.take("note", optional_text(&self.note, 2000));
        let commitment = e.take(
            "commitment",
            if self.commitment.trim().is_empty() {
                Ok(None)
            } else {
                self.commitment
                    .trim()
                    .parse::<CommitmentId>()
                    .map(Some)
                    .map_err(|_| "error-clause-commitment-unknown")
            },
        );
        match (checked_on, evidence, verdict, penalty, note, commitment) {
            (
                Some(checked_on),
                Some(evidence),
                Some(verdict),
                Some(penalty),
                Some(note),
                Some(commitment),
            ) if e.is_empty() => Ok(CheckDraft {
                checked_on,
                evidence,
                verdict,
                penalty_cents: penalty.unwrap_or(0),
                note,
                commitment,
            }),
            _ => Err(e),
        }
    }
}

/// A reserved-share target typed as a percentage with at most one decimal (`8`, `8,5`),
/// returned in per-mille (80, 85).
pub fn target_permille(s: &str) -> Result<i64, &'static str> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
    if whole.is_empty()
        || whole.len() > 4
        || frac.len() > 1
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("error-target-permille");
    }
    let w: i64 = whole.parse().map_err(|_| "error-target-permille")?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| "error-target-permille")?
    };
    Some(w * 10 + f)
        .filter(|p| (0..=1000).contains(p))
        .ok_or("error-target-permille")
}

/// The share `part / total` in per-mille, rounded half up; `None` when nothing was awarded.
pub fn share_permille(part: i64, total: i64) -> Option<i64> {
    if total <= 0 {
        return None;
    }
    let p = i128::from(part) * 1000;
    let t = i128::from(total);
    i64::try_from((p * 2 + t) / (t * 2)).ok()
}

/// Per-mille shown as a percentage with one decimal and a decimal comma (`8,0 %`).
pub fn format_permille(p: i64) -> String {
    format!("{},{} %", p / 10, (p % 10).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_tell_negative_and_too_large_apart() {
        assert_eq!(amount("1.200,50"), Ok(120_050));
        assert_eq!(amount("0"), Ok(0));
        assert_eq!(amount("-5"), Err("error-amount-negative"));
        assert_eq!(amount(" -1.200,50 €"), Err("error-amount-negative"));
        assert_eq!(
            amount("-99999999999999999999"),
            Err("error-amount-negative")
        );
        assert_eq!(
            amount("99999999999999999999"),
            Err("error-amount-too-large")
        );
        assert_eq!(amount("10000000001"), Err("error-amount-too-large"));
        assert_eq!(amount("10000000000"), Ok(MAX_AMOUNT_CENTS));
        assert_eq!(amount("doce"), Err("error-amount-format"));
        assert_eq!(amount("-doce"), Err("error-amount-format"));
        assert_eq!(amount(""), Err("error-amount-format"));
    }

    #[test]
    fn a_contract_reports_every_bad_field() {
        let input = ContractInput {
            file_number: "2026 CON 1".into(),
            cpv: "123".into(),
            category: "food".into(),
            amount: "-10".into(),
            starts_on: "2026-06-01".into(),
            ends_on: "2026-01-01".into(),
            ..Default::default()
        };
        let Err(e) = input.parse() else {
            panic!("accepted a bad contract")
        };
        for (field, key) in [
            ("file_number", "error-file-number"),
            ("contracting_body", "error-contracting-body-required"),
            ("title", "error-contract-title-required"),
            ("cpv", "error-cpv-format"),
            ("category", "error-procurement-category"),
            ("procedure", "error-procedure"),
            ("amount", "error-amount-negative"),
            ("ends_on", "error-end-before-start"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn a_good_contract_derives_its_ocid() {
        let input = ContractInput {
            file_number: "2026/CON/0042".into(),
            contracting_body: "Bilboko Udala".into(),
            title: "Limpieza de locales municipales".into(),
            cpv: "90910000-9".into(),
            category: "services".into(),
            procedure: "open".into(),
            amount: "240.000".into(),
            reservation: "insertion_companies".into(),
            ..Default::default()
        };
        let d = input.parse().map_err(|e| format!("{e:?}"));
        let Ok(d) = d else { panic!("{d:?}") };
        assert_eq!(d.ocid, "ocds-elk001-2026/CON/0042");
        assert_eq!(d.amount_cents, 24_000_000);
        assert_eq!(d.status, ContractStatus::Planned);
        assert!(d.reservation.is_reserved());
    }

    #[test]
    fn weights_belong_to_award_criteria_only() {
        let base = ClauseInput {
            stage: "award_criterion".into(),
            purpose: "hiring_at_risk".into(),
            description: "Contratación de personas en riesgo".into(),
            ..Default::default()
        };
        assert_eq!(
            base.parse().err().and_then(|e| e.get("weight")),
            Some("error-clause-weight-required")
        );
        let ok = ClauseInput {
            weight: "15".into(),
            ..base.clone()
        };
        assert_eq!(ok.parse().map(|d| d.weight_percent), Ok(Some(15)));
        let too_much = ClauseInput {
            weight: "101".into(),
            ..base.clone()
        };
        assert_eq!(
            too_much.parse().err().and_then(|e| e.get("weight")),
            Some("error-clause-weight")
        );
        let not_award = ClauseInput {
            stage: "execution_condition".into(),
            weight: "10".into(),
            ..base
        };
        assert_eq!(
            not_award.parse().err().and_then(|e| e.get("weight")),
            Some("error-clause-weight-not-award")
        );
    }

    #[test]
    fn checks_and_targets_parse() {
        let c = CheckInput {
            checked_on: "2026-10-01".into(),
            evidence: "TC2 de septiembre".into(),
            verdict: "non_compliant".into(),
            penalty: "1.500".into(),
            ..Default::default()
        };
        assert_eq!(c.parse().map(|d| d.penalty_cents), Ok(150_000));
        assert_eq!(target_permille("8"), Ok(80));
        assert_eq!(target_permille("8,5 %"), Ok(85));
        assert_eq!(target_permille("100"), Ok(1000));
        assert_eq!(target_permille("100,1"), Err("error-target-permille"));
        assert_eq!(target_permille("-1"), Err("error-target-permille"));
        assert_eq!(share_permille(1, 3), Some(333));
        assert_eq!(share_permille(2, 3), Some(667));
        assert_eq!(share_permille(5, 0), None);
        assert_eq!(format_permille(85), "8,5 %");
    }
}
