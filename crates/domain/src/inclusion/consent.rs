//! What may be shared, with whom, on what basis. Each disclosure rests on a legal basis or on a
//! consent record shaped after ISO/IEC TS 27560 (purpose, recipients, data categories, state).

use crate::errors::FieldErrors;
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

/// A consent as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ConsentInput {
    pub purpose: String,
    /// Public system codes of the recipients.
    pub recipients: Vec<String>,
    /// Data category codes.
    pub categories: Vec<String>,
    /// How consent was given (signed form reference, verbal with witness, ...).
    pub evidence: String,
    /// YYYY-MM-DD, optional.
    pub expires_on: String,
}

/// A consent, every field valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentDraft {
    pub purpose: String,
    pub recipients: Vec<PublicSystem>,
    pub categories: Vec<DataCategory>,
    pub evidence: String,
    pub expires_at: Option<Timestamp>,
}

/// The longest purpose or evidence kept.
const MAX_CONSENT_TEXT: usize = 500;

impl ConsentInput {
    /// Parses every field, collecting every error; an expiry date must be after `today`.
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<ConsentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let purpose = self.purpose.trim();
        if purpose.is_empty() {
            e.add("purpose", "error-purpose-required");
        } else if purpose.chars().count() > MAX_CONSENT_TEXT {
            e.add("purpose", "error-text-too-long");
        }
        let recipients: Vec<PublicSystem> = self
            .recipients
            .iter()
            .filter_map(|r| e.take("recipients", PublicSystem::parse(r)))
            .collect();
        if self.recipients.is_empty() {
            e.add("recipients", "error-recipients-required");
        }
        let categories: Vec<DataCategory> = self
            .categories
            .iter()
            .filter_map(|c| e.take("categories", DataCategory::parse(c)))
            .collect();
        if self.categories.is_empty() {
            e.add("categories", "error-categories-required");
        }
        // The length counts the evidence as sent, spaces included, as it always has.
        if self.evidence.trim().is_empty() {
            e.add("evidence", "error-evidence-required");
        } else if self.evidence.chars().count() > MAX_CONSENT_TEXT {
            e.add("evidence", "error-text-too-long");
        }
        let expires_at = if self.expires_on.trim().is_empty() {
            None
        } else {
            e.take(
                "expires_on",
                crate::time::parse_future_date(&self.expires_on, today),
            )
        };
        e.into_result()?;
        Ok(ConsentDraft {
            purpose: purpose.to_owned(),
            recipients,
            categories,
            evidence: self.evidence.trim().to_owned(),
            expires_at,
        })
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    fn valid() -> ConsentInput {
        ConsentInput {
            purpose: " Coordinación con vivienda ".into(),
            recipients: vec!["housing".into()],
            categories: vec!["housing".into(), "income".into()],
            evidence: "Formulario firmado".into(),
            expires_on: "2027-01-31".into(),
        }
    }

    #[test]
    fn a_valid_consent_parses() {
        let d = valid().parse(today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.purpose, "Coordinación con vivienda");
        assert_eq!(d.recipients, vec![PublicSystem::Housing]);
        assert_eq!(
            d.categories,
            vec![DataCategory::Housing, DataCategory::Income]
        );
        assert_eq!(d.evidence, "Formulario firmado");
        assert!(d.expires_at.is_some());
        let open = ConsentInput {
            expires_on: " ".into(),
            ..valid()
        };
        assert_eq!(open.parse(today()).map(|d| d.expires_at), Ok(None));
    }

    fn refusal(input: &ConsentInput, field: &str) -> Option<&'static str> {
        input.parse(today()).err().unwrap_or_default().get(field)
    }

    #[test]
    fn each_refusal_names_its_field_and_message() {
        let long = "x".repeat(501);
        for (input, field, key) in [
            (
                ConsentInput {
                    purpose: " ".into(),
                    ..valid()
                },
                "purpose",
                "error-purpose-required",
            ),
            (
                ConsentInput {
                    purpose: long.clone(),
                    ..valid()
                },
                "purpose",
                "error-text-too-long",
            ),
            (
                ConsentInput {
                    recipients: vec![],
                    ..valid()
                },
                "recipients",
                "error-recipients-required",
            ),
            (
                ConsentInput {
                    recipients: vec!["police".into()],
                    ..valid()
                },
                "recipients",
                "error-system-unknown",
            ),
            (
                ConsentInput {
                    categories: vec![],
                    ..valid()
                },
                "categories",
                "error-categories-required",
            ),
            (
                ConsentInput {
                    categories: vec!["dreams".into()],
                    ..valid()
                },
                "categories",
                "error-category-unknown",
            ),
            (
                ConsentInput {
                    evidence: String::new(),
                    ..valid()
                },
                "evidence",
                "error-evidence-required",
            ),
            (
                ConsentInput {
                    evidence: long.clone(),
                    ..valid()
                },
                "evidence",
                "error-text-too-long",
            ),
            (
                ConsentInput {
                    expires_on: "31/01/2027".into(),
                    ..valid()
                },
                "expires_on",
                "error-date-format",
            ),
            (
                ConsentInput {
                    expires_on: "2026-11-28".into(),
                    ..valid()
                },
                "expires_on",
                "error-date-past",
            ),
        ] {
            assert_eq!(refusal(&input, field), Some(key), "{field} {key}");
        }
        let exactly = "x".repeat(500);
        assert!(
            ConsentInput {
                purpose: exactly.clone(),
                evidence: exactly,
                ..valid()
            }
            .parse(today())
            .is_ok(),
            "500 characters are allowed"
        );
    }
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
