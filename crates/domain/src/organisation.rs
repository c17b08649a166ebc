//! Agencies and the public systems they belong to.

use serde::{Deserialize, Serialize};

/// The public systems that coordinate social inclusion in a neighbourhood, plus the two kinds of
/// agency that are not a public system but work in Elkarlan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicSystem {
    /// Employment and income guarantee (Lanbide reference office).
    EmploymentIncome,
    SocialServices,
    Education,
    Housing,
    PrimaryCare,
    MentalHealth,
    /// A training or social entity that runs courses.
    TrainingEntity,
    /// The council's own strategic projects team and IT.
    Council,
}

impl PublicSystem {
    pub const ALL: [PublicSystem; 8] = [
        PublicSystem::EmploymentIncome,
        PublicSystem::SocialServices,
        PublicSystem::Education,
        PublicSystem::Housing,
        PublicSystem::PrimaryCare,
        PublicSystem::MentalHealth,
        PublicSystem::TrainingEntity,
        PublicSystem::Council,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PublicSystem::EmploymentIncome => "employment_income",
            PublicSystem::SocialServices => "social_services",
            PublicSystem::Education => "education",
            PublicSystem::Housing => "housing",
            PublicSystem::PrimaryCare => "primary_care",
            PublicSystem::MentalHealth => "mental_health",
            PublicSystem::TrainingEntity => "training_entity",
            PublicSystem::Council => "council",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or("error-system-unknown")
    }

    pub fn label_key(self) -> String {
        format!("system-{}", self.code().replace('_', "-"))
    }

    /// Health systems keep clinical content inside the agency; others see only that a follow-up exists.
    pub fn is_health(self) -> bool {
        matches!(self, PublicSystem::PrimaryCare | PublicSystem::MentalHealth)
    }
}

/// A name stored in both official languages, as public-facing titles must be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilingualName {
    pub eu: String,
    pub es: String,
}

impl BilingualName {
    pub fn parse(eu: &str, es: &str) -> Result<Self, Vec<(&'static str, &'static str)>> {
        let mut errs = Vec::new();
        for (field, v) in [("name_eu", eu), ("name_es", es)] {
            let t = v.trim();
            if t.is_empty() {
                errs.push((field, "error-name-required"));
            } else if t.chars().count() > 200 {
                errs.push((field, "error-name-length"));
            } else if t.chars().any(char::is_control) {
                errs.push((field, "error-name-format"));
            }
        }
        if errs.is_empty() {
            Ok(Self {
                eu: eu.trim().to_owned(),
                es: es.trim().to_owned(),
            })
        } else {
            Err(errs)
        }
    }

    /// The name in the reader's language; English readers get the Spanish form.
    pub fn get(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Eu => &self.eu,
            crate::Lang::Es | crate::Lang::En => &self.es,
        }
    }
}

// An agency as received, before any field is checked. Plain comments here: doc comments would
// change the published contract's descriptions.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// The published contract has always called this body `NewAgencyInput`.
#[cfg_attr(feature = "openapi", schema(as = NewAgencyInput))]
#[serde(deny_unknown_fields)]
pub struct AgencyInput {
    pub name_eu: String,
    pub name_es: String,
    /// One of the public system codes (employment_income, social_services, ...).
    pub system: String,
    /// Neighbourhood id, or empty for city-wide.
    // Checked against the territory by the service, which alone can see it.
    #[serde(default)]
    pub area: String,
}

/// An agency whose name and system are valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyDraft {
    pub name: BilingualName,
    pub system: PublicSystem,
}

impl AgencyInput {
    /// Parses the name and the system, collecting every error in field order.
    pub fn parse(&self) -> Result<AgencyDraft, crate::FieldErrors> {
        let mut errors = crate::FieldErrors::new();
        let name = match BilingualName::parse(&self.name_eu, &self.name_es) {
            Ok(n) => Some(n),
            Err(list) => {
                for (f, k) in list {
                    errors.add(f, k);
                }
                None
            }
        };
        let system = errors.take("system", PublicSystem::parse(self.system.trim()));
        match (name, system) {
            (Some(name), Some(system)) => Ok(AgencyDraft { name, system }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod agency_input_tests {
    use super::*;

    fn valid() -> AgencyInput {
        AgencyInput {
            name_eu: " Lanbide Zabalgana ".into(),
            name_es: "Lanbide Zabalgana".into(),
            system: " employment_income ".into(),
            area: String::new(),
        }
    }

    fn keys(input: &AgencyInput) -> Vec<(String, &'static str)> {
        match input.parse() {
            Ok(_) => Vec::new(),
            Err(e) => e.0.into_iter().map(|f| (f.field, f.key)).collect(),
        }
    }

    #[test]
    fn a_valid_agency_parses_trimmed() {
        let draft = valid().parse();
        assert_eq!(
            draft,
            Ok(AgencyDraft {
                name: BilingualName {
                    eu: "Lanbide Zabalgana".into(),
                    es: "Lanbide Zabalgana".into(),
                },
                system: PublicSystem::EmploymentIncome,
            })
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_key() {
        let cases: [(AgencyInput, &str, &str); 5] = [
            (
                AgencyInput {
                    name_eu: "  ".into(),
                    ..valid()
                },
                "name_eu",
                "error-name-required",
            ),
            (
                AgencyInput {
                    name_es: "x".repeat(201),
                    ..valid()
                },
                "name_es",
                "error-name-length",
            ),
            (
                AgencyInput {
                    name_es: "a\u{7}b".into(),
                    ..valid()
                },
                "name_es",
                "error-name-format",
            ),
            (
                AgencyInput {
                    system: "police".into(),
                    ..valid()
                },
                "system",
                "error-system-unknown",
            ),
            (
                AgencyInput {
                    system: String::new(),
                    ..valid()
                },
                "system",
                "error-system-unknown",
            ),
        ];
        for (input, field, key) in cases {
            assert_eq!(keys(&input), vec![(field.to_owned(), key)], "{field}");
        }
    }

    #[test]
    fn errors_come_in_field_order() {
        let input = AgencyInput {
            name_eu: String::new(),
            name_es: String::new(),
            system: "nope".into(),
            area: String::new(),
        };
        let fields: Vec<String> = keys(&input).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["name_eu", "name_es", "system"]);
    }

    #[test]
    fn the_area_is_left_to_the_service() {
        let input = AgencyInput {
            area: "not an id".into(),
            ..valid()
        };
        assert!(input.parse().is_ok());
    }
}
