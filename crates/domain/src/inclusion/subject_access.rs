//! The register of subject access requests (GDPR arts. 12 and 15): who asked for a person's
//! copy, how their identity was checked, when, and the deadline to answer.

use crate::errors::FieldErrors;
use crate::ids::PersonId;
use chrono::{Months, NaiveDate};

code_list! {
    /// Who asked, in relation to the person the data is about.
    RequesterRelation, "sar-relation", "error-sar-relation" {
        Person => "person",
        LegalRepresentative => "legal_representative",
        Authorised => "authorised",
    }
}

code_list! {
    /// How the requester's identity (and representation) was checked.
    IdentityCheck, "sar-identity", "error-sar-identity" {
        IdentityDocument => "identity_document",
        ElectronicCertificate => "electronic_certificate",
        Clave => "clave",
        RepresentationDocument => "representation_document",
    }
}

code_list! {
    /// Where a request stands. A copy is produced only while it is in progress, which
    /// completes it.
    RequestStatus, "sar-status", "error-sar-status" {
        Received => "received",
        InProgress => "in_progress",
        Completed => "completed",
        Refused => "refused",
    }
}

impl RequestStatus {
    /// The moves the DPO makes by hand; completion comes only from producing the copy.
    pub fn may_become(self, next: RequestStatus) -> bool {
        matches!(
            (self, next),
            (RequestStatus::Received, RequestStatus::InProgress)
                | (RequestStatus::Received, RequestStatus::Refused)
                | (RequestStatus::InProgress, RequestStatus::Refused)
        )
    }

    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::Received | RequestStatus::InProgress)
    }
}

/// One month from receipt (GDPR art. 12.3); the end of a shorter month when the day is
/// missing from it (31 January gives 28 or 29 February).
pub fn deadline(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// A request as typed on the form or sent to the API.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The person the data is about (id).
    pub person: String,
    /// Who asked: the person or their representative, by name.
    pub requester: String,
    /// `person`, `legal_representative` or `authorised`.
    pub relation: String,
    /// `identity_document`, `electronic_certificate`, `clave` or `representation_document`.
    pub identity_check: String,
    /// The day the request was received, YYYY-MM-DD; not in the future.
    pub received_on: String,
}

/// A valid request, with its deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestDraft {
    pub person: PersonId,
    pub requester: String,
    pub relation: RequesterRelation,
    pub identity_check: IdentityCheck,
    pub received_on: NaiveDate,
    pub deadline_on: NaiveDate,
}

/// The longest requester name kept.
const REQUESTER_MAX: usize = 200;

impl RequestInput {
    /// Every field checked; all errors at once.
    pub fn parse(&self, today: NaiveDate) -> Result<RequestDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let person = self.person.trim().parse::<PersonId>().ok();
        if person.is_none() {
            e.add("person", "error-sar-person");
        }
        let requester = self.requester.trim().to_owned();
        if requester.is_empty() {
            e.add("requester", "error-sar-requester-required");
        } else if requester.chars().count() > REQUESTER_MAX {
            e.add("requester", "error-sar-requester-long");
        }
        let relation = e.take("relation", RequesterRelation::parse(&self.relation));
        let identity_check = e.take("identity_check", IdentityCheck::parse(&self.identity_check));
        let received_on = match NaiveDate::parse_from_str(self.received_on.trim(), "%Y-%m-%d") {
            Ok(d) if d > today => {
                e.add("received_on", "error-sar-received-future");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.add("received_on", "error-date-format");
                None
            }
        };
        match (person, relation, identity_check, received_on) {
            (Some(person), Some(relation), Some(identity_check), Some(received_on))
                if e.is_empty() =>
            {
                Ok(RequestDraft {
                    person,
                    requester,
                    relation,
                    identity_check,
                    received_on,
                    deadline_on: deadline(received_on),
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_deadline_is_one_calendar_month_after_receipt() {
        assert_eq!(deadline(day("2026-11-05")), day("2026-12-05"));
        assert_eq!(deadline(day("2027-01-31")), day("2027-02-28"));
        assert_eq!(deadline(day("2028-01-31")), day("2028-02-29"));
    }

    #[test]
    fn a_request_names_every_bad_field_at_once() {
        let bad = RequestInput {
            person: "nobody".into(),
            requester: " ".into(),
            relation: "cousin".into(),
            identity_check: "trust".into(),
            received_on: "2026-12-31".into(),
        }
        .parse(day("2026-12-01"))
        .expect_err("invalid");
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "person",
                "requester",
                "relation",
                "identity_check",
                "received_on"
            ]
        );
        let ok = RequestInput {
            person: PersonId::new().to_string(),
            requester: "Amaia Etxeberria".into(),
            relation: "person".into(),
            identity_check: "identity_document".into(),
            received_on: "2026-12-01".into(),
        }
        .parse(day("2026-12-01"))
        .expect("valid");
        assert_eq!(ok.deadline_on, day("2027-01-01"));
    }

    #[test]
    fn completion_is_never_a_manual_move() {
        for s in RequestStatus::ALL {
            assert!(!s.may_become(RequestStatus::Completed));
        }
        assert!(!RequestStatus::Completed.may_become(RequestStatus::Refused));
    }
}
