//! What may be shared, with whom, on what basis. Each disclosure rests on a legal basis or on a
//! consent record shaped after ISO/IEC TS 27560 (purpose, recipients, data categories, state).

use crate::organisation::PublicSystem;
use crate::{Lang, Timestamp};
use serde::{Deserialize, Serialize};

/// The kinds of data about a person that are shared separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    Identification,
    Contact,
    Employment,
    Income,
    Housing,
    Education,
    SocialServicesNotes,
    /// That a health or mental-health follow-up exists and whom to contact. Never a diagnosis.
    HealthFlags,
}

impl DataCategory {
    pub const ALL: [DataCategory; 8] = [
        DataCategory::Identification,
        DataCategory::Contact,
        DataCategory::Employment,
        DataCategory::Income,
        DataCategory::Housing,
        DataCategory::Education,
        DataCategory::SocialServicesNotes,
        DataCategory::HealthFlags,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DataCategory::Identification => "identification",
            DataCategory::Contact => "contact",
            DataCategory::Employment => "employment",
            DataCategory::Income => "income",
            DataCategory::Housing => "housing",
            DataCategory::Education => "education",
            DataCategory::SocialServicesNotes => "social_services_notes",
            DataCategory::HealthFlags => "health_flags",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s.trim())
            .ok_or("error-category-unknown")
    }

    pub fn label_key(self) -> String {
        format!("category-{}", self.code().replace('_', "-"))
    }

    /// The system that produces (and owns) this category of data.
    pub fn owner(self) -> Option<PublicSystem> {
        match self {
            DataCategory::Identification | DataCategory::Contact => None,
            DataCategory::Employment | DataCategory::Income => Some(PublicSystem::EmploymentIncome),
            DataCategory::Housing => Some(PublicSystem::Housing),
            DataCategory::Education => Some(PublicSystem::Education),
            DataCategory::SocialServicesNotes => Some(PublicSystem::SocialServices),
            DataCategory::HealthFlags => Some(PublicSystem::PrimaryCare),
        }
    }
}

/// Legal bases that allow a disclosure without consent. Each names the law and what it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Ley 14/2022 (income guarantee and inclusion), arts. 87, 110 and 113: employment and income
    /// guarantee and social services share what inclusion needs; GDPR 6.1.c/e, 9.2.b/h.
    IncomeGuaranteeLaw,
    /// Ley 12/2008 (Basque social services), art. 19-20 and GDPR 6.1.e/9.2.h: social services
    /// coordinate the personal plan of care.
    SocialServicesLaw,
    /// The person's consent (GDPR 6.1.a / 9.2.a), recorded in a consent record.
    Consent,
}

impl LegalBasis {
    pub fn code(self) -> &'static str {
        match self {
            LegalBasis::IncomeGuaranteeLaw => "ley_14_2022",
            LegalBasis::SocialServicesLaw => "ley_12_2008",
            LegalBasis::Consent => "consent",
        }
    }

    /// The basis (other than consent) that lets `from` share `category` with `to`, if any.
    /// Anything not listed here needs the person's consent.
    pub fn without_consent(
        from: PublicSystem,
        to: PublicSystem,
        category: DataCategory,
    ) -> Option<LegalBasis> {
        use DataCategory as C;
        use PublicSystem as S;
        if from == to {
            // A system always works with its own data; health data never leaves health.
            return Some(if from == S::SocialServices {
                LegalBasis::SocialServicesLaw
            } else {
                LegalBasis::IncomeGuaranteeLaw
            });
        }
        let inclusion_pair = matches!(
            (from, to),
            (S::EmploymentIncome, S::SocialServices) | (S::SocialServices, S::EmploymentIncome)
        );
        match category {
            C::Identification | C::Contact if inclusion_pair => {
                Some(LegalBasis::IncomeGuaranteeLaw)
            }
            C::Employment | C::Income | C::SocialServicesNotes if inclusion_pair => {
                Some(LegalBasis::IncomeGuaranteeLaw)
            }
            // Social services coordinate the personal plan with the other systems: identification
            // and contact only.
            C::Identification | C::Contact
                if from == S::SocialServices || to == S::SocialServices =>
            {
                Some(LegalBasis::SocialServicesLaw)
            }
            _ => None,
        }
    }
}

/// Where a consent record stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    Given,
    Withdrawn,
    Expired,
}

impl ConsentState {
    pub fn code(self) -> &'static str {
        match self {
            ConsentState::Given => "given",
            ConsentState::Withdrawn => "withdrawn",
            ConsentState::Expired => "expired",
        }
    }
}

/// A consent as the policy needs it: to whom, for what, and whether it is in force now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentScope {
    pub recipients: Vec<PublicSystem>,
    pub categories: Vec<DataCategory>,
    pub given_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
}

impl ConsentScope {
    pub fn state(&self, now: Timestamp) -> ConsentState {
        if self.withdrawn_at.is_some_and(|w| w <= now) {
            ConsentState::Withdrawn
        } else if self.expires_at.is_some_and(|e| e <= now) {
            ConsentState::Expired
        } else {
            ConsentState::Given
        }
    }

    pub fn covers(&self, to: PublicSystem, category: DataCategory, now: Timestamp) -> bool {
        self.state(now) == ConsentState::Given
            && self.recipients.contains(&to)
            && self.categories.contains(&category)
    }
}

/// Whether `to` may receive `category` about a person followed by `from`: the legal basis, or
/// the consent that covers it, or `None`.
pub fn basis_for(
    from: PublicSystem,
    to: PublicSystem,
    category: DataCategory,
    consents: &[ConsentScope],
    now: Timestamp,
) -> Option<LegalBasis> {
    if category == DataCategory::HealthFlags && !to.is_health() && from.is_health() {
        // Health shares flags only with consent, even with the team.
        return consents
            .iter()
            .any(|c| c.covers(to, category, now))
            .then_some(LegalBasis::Consent);
    }
    LegalBasis::without_consent(from, to, category).or_else(|| {
        consents
            .iter()
            .any(|c| c.covers(to, category, now))
            .then_some(LegalBasis::Consent)
    })
}

/// The language of the printable consent receipt: the person's preferred language.
pub fn receipt_language(preferred: Option<Lang>) -> Lang {
    preferred.unwrap_or(Lang::Es)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PublicSystem as S;

    fn consent(recipients: Vec<S>, categories: Vec<DataCategory>) -> ConsentScope {
        ConsentScope {
            recipients,
            categories,
            given_at: Timestamp(0),
            expires_at: None,
            withdrawn_at: None,
        }
    }

    #[test]
    fn employment_and_social_services_share_inclusion_data_by_law() {
        let b = basis_for(
            S::EmploymentIncome,
            S::SocialServices,
            DataCategory::Income,
            &[],
            Timestamp(1),
        );
        assert_eq!(b, Some(LegalBasis::IncomeGuaranteeLaw));
    }

    #[test]
    fn housing_needs_consent_for_income_data() {
        assert_eq!(
            basis_for(
                S::SocialServices,
                S::Housing,
                DataCategory::Income,
                &[],
                Timestamp(1)
            ),
            None
        );
        let c = consent(vec![S::Housing], vec![DataCategory::Income]);
        assert_eq!(
            basis_for(
                S::SocialServices,
                S::Housing,
                DataCategory::Income,
                &[c],
                Timestamp(1)
            ),
            Some(LegalBasis::Consent)
        );
    }

    #[test]
    fn withdrawn_or_expired_consent_covers_nothing() {
        let mut c = consent(vec![S::Housing], vec![DataCategory::Income]);
        c.withdrawn_at = Some(Timestamp(5));
        assert!(c.covers(S::Housing, DataCategory::Income, Timestamp(4)));
        assert!(!c.covers(S::Housing, DataCategory::Income, Timestamp(5)));
        let mut e = consent(vec![S::Housing], vec![DataCategory::Income]);
        e.expires_at = Some(Timestamp(3));
        assert_eq!(e.state(Timestamp(3)), ConsentState::Expired);
    }

    #[test]
    fn health_flags_leave_health_only_with_consent() {
        assert_eq!(
            basis_for(
                S::PrimaryCare,
                S::SocialServices,
                DataCategory::HealthFlags,
                &[],
                Timestamp(1)
            ),
            None
        );
        let c = consent(vec![S::SocialServices], vec![DataCategory::HealthFlags]);
        assert!(
            basis_for(
                S::PrimaryCare,
                S::SocialServices,
                DataCategory::HealthFlags,
                &[c],
                Timestamp(1)
            )
            .is_some()
        );
    }

    #[test]
    fn category_codes_round_trip() {
        for c in DataCategory::ALL {
            assert_eq!(DataCategory::parse(c.code()), Ok(c));
        }
    }
}
