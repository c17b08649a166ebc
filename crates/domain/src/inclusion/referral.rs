//! Referrals between agencies: sent → accepted or declined → in progress → completed, or
//! withdrawn by the sender. Every transition is timed so response times can be reported.

use super::consent::{ConsentScope, DataCategory, basis_for};
use crate::errors::FieldErrors;
use crate::organisation::PublicSystem;
use crate::{AgencyId, Timestamp};
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

/// The longest reason or outcome kept.
const MAX_REFERRAL_TEXT: usize = 2000;

/// A referral as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ReferralInput {
    pub to_agency: String,
    pub reason: String,
    /// routine, priority or urgent.
    pub urgency: String,
    /// Data category codes shared with the receiving agency (identification and contact are always included).
    pub categories: Vec<String>,
    /// YYYY-MM-DD; default from the urgency.
    pub due_on: String,
}

/// What parsing a referral needs besides the form, looked up by the caller.
#[derive(Clone, Copy, Debug)]
pub struct ReferralContext<'a> {
    /// The sending agency and its public system.
    pub from_agency: AgencyId,
    pub from_system: PublicSystem,
    /// The agency `to_agency` names and its system, when it is one of the tenant's.
    pub to: Option<(AgencyId, PublicSystem)>,
    /// The person's consents, for the basis of each category shared.
    pub consents: &'a [ConsentScope],
    pub now: Timestamp,
}

/// A referral, every field valid and every category shared on a basis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralDraft {
    pub to_agency: AgencyId,
    pub reason: String,
    pub urgency: Urgency,
    /// Identification and contact first, then the categories asked for, once each.
    pub categories: Vec<DataCategory>,
    pub due_at: Timestamp,
}

impl ReferralInput {
    /// Parses every field, collecting every error.
    pub fn parse(&self, ctx: &ReferralContext<'_>) -> Result<ReferralDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        match ctx.to {
            None => e.add("to_agency", "error-agency-unknown"),
            Some((to, _)) if to == ctx.from_agency => {
                e.add("to_agency", "error-referral-own-agency");
            }
            Some(_) => {}
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            e.add("reason", "error-reason-required");
        } else if reason.chars().count() > MAX_REFERRAL_TEXT {
            e.add("reason", "error-text-too-long");
        }
        let urgency = e.take("urgency", Urgency::parse(&self.urgency));
        let mut categories = vec![DataCategory::Identification, DataCategory::Contact];
        for c in &self.categories {
            if let Some(c) = e.take("categories", DataCategory::parse(c))
                && !categories.contains(&c)
            {
                categories.push(c);
            }
        }
        // Each shared category needs a legal basis or the person's consent for the receiving system.
        if let Some((_, to_system)) = ctx.to {
            for c in &categories {
                let from = c.owner().unwrap_or(ctx.from_system);
                if basis_for(from, to_system, *c, ctx.consents, ctx.now).is_none() {
                    e.add("categories", "error-referral-no-basis");
                }
            }
        }
        let due_at = if self.due_on.trim().is_empty() {
            urgency.map(|u| ctx.now.plus_seconds(u.response_days() * 86_400))
        } else {
            e.take(
                "due_on",
                crate::time::parse_future_date(&self.due_on, ctx.now.to_datetime().date_naive()),
            )
        };
        match (ctx.to, urgency, due_at) {
            (Some((to_agency, _)), Some(urgency), Some(due_at)) if e.is_empty() => {
                Ok(ReferralDraft {
                    to_agency,
                    reason: reason.to_owned(),
                    urgency,
                    categories,
                    due_at,
                })
            }
            _ => Err(e),
        }
    }
}

/// A move of a referral as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ReferralMoveInput {
    /// accepted, declined, in_progress, completed or withdrawn.
    pub status: String,
    pub decline_reason: String,
    pub outcome: String,
    pub version: i64,
}

/// A move of a referral, allowed from its current status to the side making it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralMoveDraft {
    pub next: ReferralStatus,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<String>,
    pub version: i64,
}

impl ReferralMoveInput {
    /// The status asked for, if it is one: who may make the move depends on it, so the caller
    /// reads it before deciding, and parses the whole move after.
    pub fn next(&self) -> Option<ReferralStatus> {
        ReferralStatus::parse(&self.status).ok()
    }

    /// Parses the move of a referral now in `current`, made by `side`.
    pub fn parse(
        &self,
        current: ReferralStatus,
        side: Side,
    ) -> Result<ReferralMoveDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let next = e.take("status", ReferralStatus::parse(&self.status));
        let decline_reason = if next == Some(ReferralStatus::Declined) {
            e.take("decline_reason", DeclineReason::parse(&self.decline_reason))
        } else {
            None
        };
        if next == Some(ReferralStatus::Completed) && self.outcome.trim().is_empty() {
            e.add("outcome", "error-outcome-required");
        }
        // The length counts the outcome as sent, spaces included, as it always has.
        if self.outcome.chars().count() > MAX_REFERRAL_TEXT {
            e.add("outcome", "error-text-too-long");
        }
        if let Some(n) = next
            && current.transition(n, side).is_err()
        {
            e.add("status", "error-referral-transition");
        }
        match next {
            Some(next) if e.is_empty() => Ok(ReferralMoveDraft {
                next,
                decline_reason,
                outcome: Some(self.outcome.trim())
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned),
                version: self.version,
            }),
            _ => Err(e),
        }
    }
}

/// The reason given for an emergency access: 20 to 1,000 characters, so that the DPO's review
/// has something to review.
pub fn parse_break_glass_reason(reason: &str) -> Result<String, FieldErrors> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if !(20..=1000).contains(&n) {
        let mut e = FieldErrors::new();
        e.add("reason", "error-break-glass-reason");
        return Err(e);
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod input_tests {
    use super::*;
    use crate::organisation::PublicSystem as S;

    fn now() -> Timestamp {
        // 2026-11-28 12:00 UTC.
        Timestamp(1_795_867_200_000_000)
    }

    fn agency(n: u128) -> AgencyId {
        AgencyId(uuid::Uuid::from_u128(n))
    }

    fn ctx(to: Option<(AgencyId, PublicSystem)>) -> ReferralContext<'static> {
        ReferralContext {
            from_agency: agency(1),
            from_system: S::SocialServices,
            to,
            consents: &[],
            now: now(),
        }
    }

    fn valid() -> ReferralInput {
        ReferralInput {
            to_agency: agency(2).0.to_string(),
            reason: " Orientación laboral ".into(),
            urgency: "priority".into(),
            categories: vec!["contact".into(), "employment".into()],
            due_on: String::new(),
        }
    }

    #[test]
    fn a_valid_referral_parses() {
        let d = valid()
            .parse(&ctx(Some((agency(2), S::EmploymentIncome))))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.to_agency, agency(2));
        assert_eq!(d.reason, "Orientación laboral");
        assert_eq!(d.urgency, Urgency::Priority);
        assert_eq!(
            d.categories,
            vec![
                DataCategory::Identification,
                DataCategory::Contact,
                DataCategory::Employment
            ],
            "identification and contact always, each category once"
        );
        assert_eq!(
            d.due_at,
            now().plus_seconds(Urgency::Priority.response_days() * 86_400),
            "the due date follows the urgency"
        );
        let dated = ReferralInput {
            due_on: "2026-12-15".into(),
            ..valid()
        }
        .parse(&ctx(Some((agency(2), S::EmploymentIncome))));
        assert!(
            dated.is_ok_and(|d| d.due_at.to_datetime().date_naive().to_string() == "2026-12-15")
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_message() {
        let to = Some((agency(2), S::EmploymentIncome));
        for (input, to, field, key) in [
            (valid(), None, "to_agency", "error-agency-unknown"),
            (
                valid(),
                Some((agency(1), S::SocialServices)),
                "to_agency",
                "error-referral-own-agency",
            ),
            (
                ReferralInput {
                    reason: " ".into(),
                    ..valid()
                },
                to,
                "reason",
                "error-reason-required",
            ),
            (
                ReferralInput {
                    reason: "x".repeat(2001),
                    ..valid()
                },
                to,
                "reason",
                "error-text-too-long",
            ),
            (
                ReferralInput {
                    urgency: "soon".into(),
                    ..valid()
                },
                to,
                "urgency",
                "error-urgency",
            ),
            (
                ReferralInput {
                    categories: vec!["dreams".into()],
                    ..valid()
                },
                to,
                "categories",
                "error-category-unknown",
            ),
            // Housing data goes to employment only with the person's consent.
            (
                ReferralInput {
                    categories: vec!["housing".into()],
                    ..valid()
                },
                to,
                "categories",
                "error-referral-no-basis",
            ),
            (
                ReferralInput {
                    due_on: "2026-11-28".into(),
                    ..valid()
                },
                to,
                "due_on",
                "error-date-past",
            ),
        ] {
            let e = input.parse(&ctx(to)).err().unwrap_or_default();
            assert_eq!(e.get(field), Some(key), "{field} {key}");
        }
    }

    #[test]
    fn a_consent_gives_the_basis_a_law_does_not() {
        let consents = [ConsentScope {
            recipients: vec![S::EmploymentIncome],
            categories: vec![DataCategory::Housing],
            given_at: Timestamp(0),
            expires_at: None,
            withdrawn_at: None,
        }];
        let with = ReferralContext {
            consents: &consents,
            ..ctx(Some((agency(2), S::EmploymentIncome)))
        };
        let input = ReferralInput {
            categories: vec!["housing".into()],
            ..valid()
        };
        assert!(input.parse(&with).is_ok());
    }

    fn mv(status: &str) -> ReferralMoveInput {
        ReferralMoveInput {
            status: status.into(),
            version: 3,
            ..ReferralMoveInput::default()
        }
    }

    #[test]
    fn a_valid_move_parses() {
        let d = ReferralMoveInput {
            decline_reason: "no_capacity".into(),
            ..mv("declined")
        }
        .parse(ReferralStatus::Sent, Side::Receiver)
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.next, ReferralStatus::Declined);
        assert_eq!(d.decline_reason, Some(DeclineReason::NoCapacity));
        assert_eq!((d.outcome, d.version), (None, 3));
        let done = ReferralMoveInput {
            outcome: " Empleo ".into(),
            ..mv("completed")
        }
        .parse(ReferralStatus::InProgress, Side::Receiver);
        assert_eq!(done.map(|d| d.outcome), Ok(Some("Empleo".to_owned())));
        assert_eq!(mv("withdrawn").next(), Some(ReferralStatus::Withdrawn));
        assert_eq!(mv("later").next(), None);
    }

    #[test]
    fn each_refused_move_names_its_field_and_message() {
        use ReferralStatus::*;
        for (input, current, side, field, key) in [
            (
                mv("later"),
                Sent,
                Side::Receiver,
                "status",
                "error-referral-status",
            ),
            (
                mv("declined"),
                Sent,
                Side::Receiver,
                "decline_reason",
                "error-decline-reason",
            ),
            (
                mv("completed"),
                InProgress,
                Side::Receiver,
                "outcome",
                "error-outcome-required",
            ),
            (
                ReferralMoveInput {
                    outcome: "x".repeat(2001),
                    ..mv("completed")
                },
                InProgress,
                Side::Receiver,
                "outcome",
                "error-text-too-long",
            ),
            (
                mv("accepted"),
                Sent,
                Side::Sender,
                "status",
                "error-referral-transition",
            ),
        ] {
            let e = input.parse(current, side).err().unwrap_or_default();
            assert_eq!(e.get(field), Some(key), "{field} {key}");
        }
    }

    #[test]
    fn an_emergency_reason_has_twenty_to_a_thousand_characters() {
        assert_eq!(
            parse_break_glass_reason("  Urgencia: riesgo inminente  ").as_deref(),
            Ok("Urgencia: riesgo inminente")
        );
        for short_or_long in ["demasiado corto".to_owned(), "x".repeat(1001)] {
            assert_eq!(
                parse_break_glass_reason(&short_or_long)
                    .err()
                    .unwrap_or_default()
                    .get("reason"),
                Some("error-break-glass-reason")
            );
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
