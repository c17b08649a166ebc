//! Whether an organisation may bid for reserved contracts (Ley 9/2017, DA 4ª), and why.
//!
//! The flag is derived, never stored: it holds on a date when the organisation's legal form is an
//! insertion company or a special employment centre and an entry of the matching official
//! register is in force that day. The answer carries the evidence (the register entry) and the
//! date it stops being true, so a page can say "until 31/12/2027 (register EI-48/0123)".

use super::codes::{LegalForm, QualificationKind, Reservation};
use chrono::NaiveDate;

/// One register entry of the organisation, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qualification {
    pub kind: QualificationKind,
    pub register_number: String,
    pub granted_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl Qualification {
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.granted_on <= day && self.expires_on.is_none_or(|e| day < e)
    }
}

/// The register a legal form must be entered in to bid for reserved contracts.
pub fn register_for(form: LegalForm) -> Option<QualificationKind> {
    match form {
        LegalForm::InsertionCompany => Some(QualificationKind::InsertionCompanyRegister),
        LegalForm::SpecialEmploymentCentre => {
            Some(QualificationKind::SpecialEmploymentCentreRegister)
        }
        _ => None,
    }
}

/// Why an organisation may bid for reserved contracts on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservedEligibility {
    pub kind: QualificationKind,
    pub register_number: String,
    /// The first day it no longer holds; `None` while the entry has no expiry.
    pub until: Option<NaiveDate>,
}

/// The evidence that makes the organisation eligible on `day`, if any. Where several entries are
/// in force, the one lasting longest is the evidence.
pub fn reserved_eligibility(
    form: LegalForm,
    qualifications: &[Qualification],
    day: NaiveDate,
) -> Option<ReservedEligibility> {
    let needed = register_for(form)?;
    qualifications
        .iter()
        .filter(|q| q.kind == needed && q.in_force_on(day))
        .max_by_key(|q| q.expires_on.unwrap_or(NaiveDate::MAX))
        .map(|q| ReservedEligibility {
            kind: q.kind,
            register_number: q.register_number.clone(),
            until: q.expires_on,
        })
}

/// Whether an award of a lot or contract reserved as `reservation` to an organisation is
/// covered on the award date. An award that is not covered is still possible but must be
/// justified (and is audited).
pub fn award_is_covered(
    reservation: Reservation,
    form: LegalForm,
    qualifications: &[Qualification],
    award_day: NaiveDate,
) -> bool {
    if !reservation.is_reserved() {
        return true;
    }
    reserved_eligibility(form, qualifications, award_day)
        .is_some_and(|e| reservation.accepts(e.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn entry(kind: QualificationKind, from: NaiveDate, to: Option<NaiveDate>) -> Qualification {
        Qualification {
            kind,
            register_number: "EI-48/0007".into(),
            granted_on: from,
            expires_on: to,
        }
    }

    #[test]
    fn an_insertion_company_in_the_register_is_eligible_until_expiry() {
        let q = [entry(
            QualificationKind::InsertionCompanyRegister,
            day(2024, 1, 1),
            Some(day(2027, 1, 1)),
        )];
        let e = reserved_eligibility(LegalForm::InsertionCompany, &q, day(2026, 6, 1));
        assert_eq!(e.map(|e| e.until), Some(Some(day(2027, 1, 1))));
        assert_eq!(
            reserved_eligibility(LegalForm::InsertionCompany, &q, day(2027, 1, 1)),
            None,
            "the expiry day is no longer covered"
        );
        assert_eq!(
            reserved_eligibility(LegalForm::InsertionCompany, &q, day(2023, 12, 31)),
            None
        );
    }

    #[test]
    fn the_register_must_match_the_legal_form() {
        let q = [entry(
            QualificationKind::SpecialEmploymentCentreRegister,
            day(2024, 1, 1),
            None,
        )];
        assert_eq!(
            reserved_eligibility(LegalForm::InsertionCompany, &q, day(2026, 1, 1)),
            None
        );
        assert_eq!(
            reserved_eligibility(LegalForm::Cooperative, &q, day(2026, 1, 1)),
            None,
            "a cooperative is not eligible by itself"
        );
        assert!(
            reserved_eligibility(LegalForm::SpecialEmploymentCentre, &q, day(2026, 1, 1)).is_some()
        );
    }

    #[test]
    fn awards_of_reserved_lots_need_the_matching_register() {
        let cee = [entry(
            QualificationKind::SpecialEmploymentCentreRegister,
            day(2024, 1, 1),
            None,
        )];
        let d = day(2026, 3, 1);
        let form = LegalForm::SpecialEmploymentCentre;
        assert!(award_is_covered(
            Reservation::SpecialEmploymentCentres,
            form,
            &cee,
            d
        ));
        assert!(award_is_covered(Reservation::Both, form, &cee, d));
        assert!(!award_is_covered(
            Reservation::InsertionCompanies,
            form,
            &cee,
            d
        ));
        assert!(award_is_covered(
            Reservation::NotReserved,
            LegalForm::Company,
            &[],
            d
        ));
        assert!(!award_is_covered(
            Reservation::Both,
            LegalForm::Company,
            &[],
            d
        ));
    }
}
