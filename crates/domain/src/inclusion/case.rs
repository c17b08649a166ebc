//! The shared case: one per person, with a lead (reference) professional, a team of agencies, a
//! needs assessment by life domain and a joint plan.

use crate::errors::FieldErrors;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Active,
    OnHold,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Open,
        CaseStatus::Active,
        CaseStatus::OnHold,
        CaseStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Active => "active",
            CaseStatus::OnHold => "on_hold",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-case-status")
    }

    pub fn label_key(self) -> String {
        format!("case-status-{}", self.code().replace('_', "-"))
    }

    /// Allowed moves. A closed case is reopened as a new `Open` period, never edited in place.
    pub fn can_become(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, next),
            (Open, Active)
                | (Open, Closed)
                | (Active, OnHold)
                | (Active, Closed)
                | (OnHold, Active)
                | (OnHold, Closed)
                | (Closed, Open)
        )
    }
}

/// Why a case was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    GoalsAchieved,
    MovedAway,
    PersonDeclined,
    NotContactable,
    TransferredToAnotherService,
    Deceased,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 6] = [
        ClosureReason::GoalsAchieved,
        ClosureReason::MovedAway,
        ClosureReason::PersonDeclined,
        ClosureReason::NotContactable,
        ClosureReason::TransferredToAnotherService,
        ClosureReason::Deceased,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClosureReason::GoalsAchieved => "goals_achieved",
            ClosureReason::MovedAway => "moved_away",
            ClosureReason::PersonDeclined => "person_declined",
            ClosureReason::NotContactable => "not_contactable",
            ClosureReason::TransferredToAnotherService => "transferred",
            ClosureReason::Deceased => "deceased",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-closure-reason")
    }
}

/// How severe a need is in one life domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Low,
    Moderate,
    Severe,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::None,
        Severity::Low,
        Severity::Moderate,
        Severity::Severe,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Moderate => "moderate",
            Severity::Severe => "severe",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-severity")
    }
}

/// A change of a case's status as received: the status asked for and, when closing, why.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatusChangeInput<'a> {
    pub status: &'a str,
    pub closure_reason: &'a str,
}

/// A change of status allowed from the case's current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusChangeDraft {
    pub next: CaseStatus,
    /// Only when the case closes.
    pub closure_reason: Option<ClosureReason>,
}

impl StatusChangeInput<'_> {
    /// Parses the change of a case now in `current`.
    pub fn parse(&self, current: CaseStatus) -> Result<StatusChangeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let next = e.take("status", CaseStatus::parse(self.status));
        let closure_reason = if next == Some(CaseStatus::Closed) {
            e.take("closure_reason", ClosureReason::parse(self.closure_reason))
        } else {
            None
        };
        if let Some(n) = next
            && !current.can_become(n)
        {
            e.add("status", "error-case-transition");
        }
        match next {
            Some(next) if e.is_empty() => Ok(StatusChangeDraft {
                next,
                closure_reason,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod status_change_tests {
    use super::*;

    fn change(
        status: &str,
        closure_reason: &str,
        current: CaseStatus,
    ) -> Result<StatusChangeDraft, FieldErrors> {
        StatusChangeInput {
            status,
            closure_reason,
        }
        .parse(current)
    }

    #[test]
    fn a_valid_change_parses() {
        assert_eq!(
            change("active", "moved_away", CaseStatus::Open),
            Ok(StatusChangeDraft {
                next: CaseStatus::Active,
                closure_reason: None
            }),
            "a reason counts only when closing"
        );
        assert_eq!(
            change("closed", "goals_achieved", CaseStatus::Active),
            Ok(StatusChangeDraft {
                next: CaseStatus::Closed,
                closure_reason: Some(ClosureReason::GoalsAchieved)
            })
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_message() {
        for (status, reason, current, field, key) in [
            ("gone", "", CaseStatus::Open, "status", "error-case-status"),
            (
                "closed",
                "bored",
                CaseStatus::Active,
                "closure_reason",
                "error-closure-reason",
            ),
            (
                "active",
                "",
                CaseStatus::Closed,
                "status",
                "error-case-transition",
            ),
        ] {
            let e = change(status, reason, current).err().unwrap_or_default();
            assert_eq!(e.get(field), Some(key), "{field} {key}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves_are_explicit() {
        assert!(CaseStatus::Open.can_become(CaseStatus::Active));
        assert!(CaseStatus::OnHold.can_become(CaseStatus::Active));
        assert!(!CaseStatus::Closed.can_become(CaseStatus::Active));
        assert!(!CaseStatus::Open.can_become(CaseStatus::OnHold));
        for s in CaseStatus::ALL {
            assert!(!s.can_become(s), "{s:?} to itself is not a move");
        }
    }
}
