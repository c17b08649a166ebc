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
