//! The needs-assessment instrument: the life domains a case is assessed on. Each domain names
//! the data category its severity reveals, so a reader sees a domain only when the policy lets
//! them see that category. Versions are immutable: a tenant adds a new version, and every
//! assessment keeps the version it used, so old assessments read as they were written.

use super::consent::DataCategory;
use crate::{FieldErrors, Lang};
use serde::{Deserialize, Serialize};

/// The domains of the built-in version 1, translated in the message catalogue
/// (`life-domain-<code>`), with the category each reveals.
const BUILT_IN: [(&str, DataCategory); 9] = [
    ("employment", DataCategory::Employment),
    ("income", DataCategory::Income),
    ("housing", DataCategory::Housing),
    ("education_training", DataCategory::Education),
    ("health", DataCategory::HealthFlags),
    ("social_relational", DataCategory::SocialServicesNotes),
    ("family_care", DataCategory::SocialServicesNotes),
    ("legal_administrative", DataCategory::SocialServicesNotes),
    ("digital", DataCategory::SocialServicesNotes),
];

/// How many domains one version may have, and how long names may be.
const MAX_DOMAINS: usize = 30;
const MAX_LABEL: usize = 100;

/// A domain's name in the three languages, for domains the catalogue does not translate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainLabels {
    pub eu: String,
    pub es: String,
    pub en: String,
}

impl DomainLabels {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Eu => &self.eu,
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifeDomain {
    pub code: String,
    pub category: DataCategory,
    /// Absent for built-in domains, which the message catalogue translates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<DomainLabels>,
}

impl LifeDomain {
    /// The message key of a built-in domain's name.
    pub fn label_key(&self) -> String {
        format!("life-domain-{}", self.code.replace('_', "-"))
    }
}

/// One version of the instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub version: u32,
    pub domains: Vec<LifeDomain>,
}

impl Instrument {
    pub fn domain(&self, code: &str) -> Option<&LifeDomain> {
        self.domains.iter().find(|d| d.code == code.trim())
    }
}

/// Version 1: the life domains of the Basque social diagnosis and inclusion plans.
pub fn default_instrument() -> Instrument {
    Instrument {
        version: 1,
        domains: BUILT_IN
            .iter()
            .map(|(code, category)| LifeDomain {
                code: (*code).to_owned(),
                category: *category,
                labels: None,
            })
            .collect(),
    }
}

/// One domain of a proposed version, as a form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LifeDomainInput {
    /// Lowercase letters, digits and underscores, 2 to 40 characters. A built-in code reuses
    /// its translated name.
    pub code: String,
    /// The data category the domain's severity reveals.
    pub category: String,
    pub label_eu: String,
    pub label_es: String,
    pub label_en: String,
}

fn valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && code.as_bytes()[0].is_ascii_lowercase()
}

/// Parses a proposed version. Errors are keyed `domains.<i>.<field>`, or `domains` for the list.
pub fn parse_instrument(
    version: u32,
    input: &[LifeDomainInput],
) -> Result<Instrument, FieldErrors> {
    let mut e = FieldErrors::new();
    if input.is_empty() {
        e.add("domains", "error-domains-required");
    } else if input.len() > MAX_DOMAINS {
        e.add("domains", "error-domains-too-many");
    }
    let mut domains: Vec<LifeDomain> = Vec::with_capacity(input.len());
    for (i, d) in input.iter().enumerate() {
        let field = |f: &str| format!("domains.{i}.{f}");
        let code = d.code.trim().to_owned();
        if !valid_code(&code) {
            e.add(&field("code"), "error-domain-code");
        } else if domains.iter().any(|x| x.code == code) {
            e.add(&field("code"), "error-domain-repeated");
        }
        let category = e.take(&field("category"), DataCategory::parse(&d.category));
        let built_in = BUILT_IN.iter().find(|(c, _)| *c == code);
        if let (Some((_, fixed)), Some(chosen)) = (built_in, category)
            && *fixed != chosen
        {
            // A built-in domain's meaning, and so its category, is fixed.
            e.add(&field("category"), "error-domain-category-fixed");
        }
        let labels = [
            ("label_eu", d.label_eu.trim()),
            ("label_es", d.label_es.trim()),
            ("label_en", d.label_en.trim()),
        ];
        for (name, value) in labels {
            if value.is_empty() && built_in.is_none() {
                e.add(&field(name), "error-domain-label-required");
            } else if value.chars().count() > MAX_LABEL {
                e.add(&field(name), "error-text-too-long");
            }
        }
        let labels = if built_in.is_some() && labels.iter().all(|(_, v)| v.is_empty()) {
            None
        } else {
            Some(DomainLabels {
                eu: labels[0].1.to_owned(),
                es: labels[1].1.to_owned(),
                en: labels[2].1.to_owned(),
            })
        };
        if let Some(category) = category {
            domains.push(LifeDomain {
                code,
                category,
                labels,
            });
        }
    }
    e.into_result()?;
    Ok(Instrument { version, domains })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn input(code: &str, category: &str, labels: [&str; 3]) -> LifeDomainInput {
        LifeDomainInput {
            code: code.into(),
            category: category.into(),
            label_eu: labels[0].into(),
            label_es: labels[1].into(),
            label_en: labels[2].into(),
        }
    }

    #[test]
    fn default_version_covers_the_plan_domains_with_their_categories() {
        let v1 = default_instrument();
        assert_eq!(v1.version, 1);
        assert_eq!(v1.domains.len(), 9);
        assert_eq!(
            v1.domain("health").map(|d| d.category),
            Some(DataCategory::HealthFlags)
        );
        assert_eq!(
            v1.domain("income").map(|d| d.category),
            Some(DataCategory::Income)
        );
        assert!(v1.domain("astrology").is_none());
    }

    #[test]
    fn a_new_version_keeps_built_in_names_and_needs_three_names_for_new_domains() {
        let parsed = parse_instrument(
            2,
            &[
                input("housing", "housing", ["", "", ""]),
                input(
                    "mobility",
                    "social_services_notes",
                    ["Mugikortasuna", "Movilidad", "Mobility"],
                ),
            ],
        )
        .expect("valid");
        assert_eq!(parsed.version, 2);
        assert_eq!(parsed.domains[0].labels, None);
        assert_eq!(
            parsed.domains[1].labels.as_ref().map(|l| l.get(Lang::Eu)),
            Some("Mugikortasuna")
        );
    }

    #[test]
    fn bad_versions_are_refused_field_by_field() {
        let e = parse_instrument(
            2,
            &[
                input("Mobility!", "housing", ["a", "b", "c"]),
                input("digital_x", "income", ["a", "", "c"]),
                input("digital_x", "nonsense", ["a", "b", "c"]),
                input("health", "income", ["", "", ""]),
            ],
        )
        .expect_err("invalid");
        assert_eq!(e.get("domains.0.code"), Some("error-domain-code"));
        assert_eq!(
            e.get("domains.1.label_es"),
            Some("error-domain-label-required")
        );
        assert_eq!(e.get("domains.2.code"), Some("error-domain-repeated"));
        assert_eq!(e.get("domains.2.category"), Some("error-category-unknown"));
        assert_eq!(
            e.get("domains.3.category"),
            Some("error-domain-category-fixed")
        );
        assert_eq!(
            parse_instrument(2, &[]).expect_err("empty").get("domains"),
            Some("error-domains-required")
        );
    }
}
