//! The shared case: one per person, with a lead (reference) professional, a team of agencies, a
//! needs assessment by life domain and a joint plan.

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
