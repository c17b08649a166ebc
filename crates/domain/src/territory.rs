//! The city's territory: districts and neighbourhoods, with names in Basque and Spanish.

use crate::organisation::BilingualName;
use serde::Serialize;

/// An INE municipality code: five digits (two for the province, three for the municipality).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct IneCode(String);

impl IneCode {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let s = s.trim();
        if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err("error-ine-code-format")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    District,
    Neighbourhood,
}

/// One row of the bundled territory file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TerritoryRow {
    pub district_code: String,
    pub district: BilingualName,
    pub neighbourhood_code: String,
    pub neighbourhood: BilingualName,
}
