//! The indicators that ship with Elkarlan, as data in `data/indicators.json`: the ones the area
//! reports for the neighbourhood plan (itineraries, training, placements and their retention,
//! referrals, shared cases, agreements, procurement, the social and solidarity economy).

use super::definition::{DefinitionSpec, IndicatorDefinition};
use crate::FieldErrors;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The bundled catalogue, as written.
pub const CATALOGUE_JSON: &str = include_str!("../../data/indicators.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    indicators: Vec<DefinitionSpec>,
}

/// Why a catalogue does not load: the file does not parse, or these definitions (by position and
/// code) are invalid.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogueError {
    Json(String),
    Invalid(Vec<(usize, String, FieldErrors)>),
}

/// Parses a catalogue file (`{"indicators": [...]}`) into its definitions as written.
pub fn parse(json: &str) -> Result<Vec<DefinitionSpec>, CatalogueError> {
    serde_json::from_str::<CatalogueFile>(json)
        .map(|c| c.indicators)
        .map_err(|e| CatalogueError::Json(e.to_string()))
}

/// Validates every definition and that codes are unique (`error-indicator-code-duplicate`).
pub fn validate(specs: &[DefinitionSpec]) -> Result<Vec<IndicatorDefinition>, CatalogueError> {
    let mut seen = BTreeSet::new();
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let duplicate = !seen.insert(spec.code.clone());
        match spec.validate() {
            Ok(def) if !duplicate => valid.push(def),
            Ok(_) => {
                let mut e = FieldErrors::new();
                e.add("code", "error-indicator-code-duplicate");
                invalid.push((i, spec.code.clone(), e));
            }
            Err(mut e) => {
                if duplicate {
                    e.add("code", "error-indicator-code-duplicate");
                }
                invalid.push((i, spec.code.clone(), e));
            }
        }
    }
    if invalid.is_empty() {
        Ok(valid)
    } else {
        Err(CatalogueError::Invalid(invalid))
    }
}

/// The bundled catalogue, validated.
pub fn load() -> Result<Vec<IndicatorDefinition>, CatalogueError> {
    validate(&parse(CATALOGUE_JSON)?)
}

/// The bundled catalogue, validated once. A catalogue that does not load (a test proves the
/// bundled one does) yields no indicators rather than stopping the server.
pub fn all() -> &'static [IndicatorDefinition] {
    static CATALOGUE: std::sync::OnceLock<Vec<IndicatorDefinition>> = std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| load().unwrap_or_default())
}

/// One bundled definition by code.
pub fn find(code: &str) -> Option<&'static IndicatorDefinition> {
    all().iter().find(|d| d.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::definition::{Source, Unit};

    #[test]
    fn the_bundled_catalogue_is_valid_with_unique_codes_and_at_least_25_indicators() {
        let defs = match load() {
            Ok(d) => d,
            Err(e) => panic!("catalogue does not load: {e:?}"),
        };
        assert!(defs.len() >= 25, "only {} indicators", defs.len());
        let codes: BTreeSet<&str> = defs.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), defs.len());
        for d in &defs {
            assert_eq!(d.plan, "Otxarkoaga Neighbourhood Plan 2024-2027");
            assert_eq!(d.plan_version, 2);
            assert!(
                d.target.is_some() || d.code == "PR-04",
                "{} has no target",
                d.code
            );
            assert_ne!(d.name.eu, d.name.es, "{} is not translated", d.code);
            assert_ne!(d.name.en, d.name.es, "{} is not translated", d.code);
        }
    }

    #[test]
    fn the_catalogue_covers_what_the_area_reports() {
        let defs = load().unwrap_or_default();
        let has = |source: Source, unit: Unit| {
            defs.iter()
                .any(|d| d.numerator.source == source && d.unit == unit)
        };
        assert!(has(Source::Itineraries, Unit::Count));
        assert!(has(Source::Enrolments, Unit::Percent));
        assert!(has(Source::Placements, Unit::Count));
        assert!(has(Source::FollowUps, Unit::Percent));
        assert!(has(Source::Referrals, Unit::Days));
        assert!(has(Source::Referrals, Unit::Percent));
        assert!(has(Source::Cases, Unit::Percent));
        assert!(has(Source::PlanActions, Unit::Percent));
        assert!(has(Source::Commitments, Unit::Percent));
        assert!(has(Source::Contracts, Unit::Permille));
        assert!(has(Source::ComplianceChecks, Unit::Percent));
        assert!(has(Source::Organisations, Unit::Count));
        assert!(has(Source::SseProfiles, Unit::Count));
        assert!(has(Source::SseProfiles, Unit::Percent));
        assert!(has(Source::Agreements, Unit::Count));
    }

    #[test]
    fn a_duplicated_code_is_reported() {
        let mut specs = parse(CATALOGUE_JSON).unwrap_or_default();
        let first = specs.first().cloned();
        specs.extend(first);
        let n = specs.len();
        match validate(&specs) {
            Err(CatalogueError::Invalid(bad)) => {
                assert_eq!(bad.len(), 1);
                assert_eq!(bad[0].0, n - 1);
                assert_eq!(bad[0].2.get("code"), Some("error-indicator-code-duplicate"));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }

    #[test]
    fn a_malformed_file_is_a_json_error() {
        assert!(matches!(
            parse("{\"indicators\": 3}"),
            Err(CatalogueError::Json(_))
        ));
    }

    #[test]
    fn every_indicator_is_in_the_documented_catalogue() {
        let doc = include_str!("../../../../docs/indicators.md");
        for def in all() {
            assert!(
                doc.contains(&format!("| {} | {} |", def.code, def.name.en)),
                "docs/indicators.md lacks {}",
                def.code
            );
        }
        assert_eq!(all().len(), load().map(|d| d.len()).unwrap_or(0));
    }
}
