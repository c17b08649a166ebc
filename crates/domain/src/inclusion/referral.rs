//! Referrals between agencies: sent → accepted or declined → in progress → completed, or
//! withdrawn by the sender. Every transition is timed so response times can be reported.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Sent,
    Accepted,
    Declined,
    InProgress,
    Completed,
    Withdrawn,
}

/// Who moves a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Sender,
    Receiver,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::InProgress,
        ReferralStatus::Completed,
        ReferralStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::InProgress => "in_progress",
            ReferralStatus::Completed => "completed",
            ReferralStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-referral-status")
    }

    pub fn label_key(self) -> String {
        format!("referral-status-{}", self.code().replace('_', "-"))
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReferralStatus::Sent | ReferralStatus::Accepted | ReferralStatus::InProgress
        )
    }

    /// The next status if `side` may move the referral there; otherwise the message key.
    pub fn transition(
        self,
        next: ReferralStatus,
        side: Side,
    ) -> Result<ReferralStatus, &'static str> {
        use ReferralStatus::*;
        let ok = match side {
            Side::Receiver => matches!(
                (self, next),
                (Sent, Accepted)
                    | (Sent, Declined)
                    | (Accepted, InProgress)
                    | (InProgress, Completed)
                    | (Accepted, Completed)
            ),
            Side::Sender => matches!(
                (self, next),
                (Sent, Withdrawn) | (Accepted, Withdrawn) | (InProgress, Withdrawn)
            ),
        };
        if ok {
            Ok(next)
        } else {
            Err("error-referral-transition")
        }
    }
}

/// Why a receiving agency declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    NotEligible,
    NoCapacity,
    WrongService,
    AlreadyAttended,
    PersonRefused,
    InsufficientInformation,
}

impl DeclineReason {
    pub const ALL: [DeclineReason; 6] = [
        DeclineReason::NotEligible,
        DeclineReason::NoCapacity,
        DeclineReason::WrongService,
        DeclineReason::AlreadyAttended,
        DeclineReason::PersonRefused,
        DeclineReason::InsufficientInformation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeclineReason::NotEligible => "not_eligible",
            DeclineReason::NoCapacity => "no_capacity",
            DeclineReason::WrongService => "wrong_service",
            DeclineReason::AlreadyAttended => "already_attended",
            DeclineReason::PersonRefused => "person_refused",
            DeclineReason::InsufficientInformation => "insufficient_information",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-decline-reason")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Priority,
    Urgent,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Routine, Urgency::Priority, Urgency::Urgent];

    pub fn code(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::Priority => "priority",
            Urgency::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-urgency")
    }

    /// Default days to respond.
    pub fn response_days(self) -> i64 {
        match self {
            Urgency::Routine => 30,
            Urgency::Priority => 10,
            Urgency::Urgent => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn receivers_answer_senders_withdraw() {
        assert_eq!(Sent.transition(Accepted, Side::Receiver), Ok(Accepted));
        assert_eq!(
            Sent.transition(Accepted, Side::Sender),
            Err("error-referral-transition")
        );
        assert_eq!(
            InProgress.transition(Withdrawn, Side::Sender),
            Ok(Withdrawn)
        );
        assert_eq!(
            Completed.transition(Withdrawn, Side::Sender),
            Err("error-referral-transition")
        );
        assert_eq!(
            Declined.transition(Accepted, Side::Receiver),
            Err("error-referral-transition")
        );
        assert_eq!(
            Sent.transition(Completed, Side::Receiver),
            Err("error-referral-transition"),
            "out of order"
        );
    }

    #[test]
    fn only_sent_accepted_and_in_progress_are_open() {
        let open: Vec<_> = ReferralStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open, vec![Sent, Accepted, InProgress]);
    }
}
