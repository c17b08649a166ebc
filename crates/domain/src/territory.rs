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

/// Parses the bundled territory file (`district_code,district_es,district_eu,neighbourhood_es,neighbourhood_eu`).
/// Neighbourhood codes are the district code and the neighbourhood's position in its district
/// (`7.03`), stable as long as the file's order is. Errors name the line.
pub fn parse_territory_csv(text: &str) -> Result<Vec<TerritoryRow>, String> {
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty territory file")?;
    if header.trim() != "district_code,district_es,district_eu,neighbourhood_es,neighbourhood_eu" {
        return Err(format!("unexpected header: {header}"));
    }
    let mut rows = Vec::new();
    let mut counters: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 5 || cols.iter().any(|c| c.is_empty() || c.contains('"')) {
            return Err(format!("line {n}: expected 5 non-empty columns"));
        }
        if !cols[0].bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("line {n}: district code must be a number"));
        }
        let k = counters.entry(cols[0].to_owned()).or_insert(0);
        *k += 1;
        rows.push(TerritoryRow {
            district_code: cols[0].to_owned(),
            district: BilingualName {
                es: cols[1].to_owned(),
                eu: cols[2].to_owned(),
            },
            neighbourhood_code: format!("{}.{:02}", cols[0], k),
            neighbourhood: BilingualName {
                es: cols[3].to_owned(),
                eu: cols[4].to_owned(),
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_numbers_neighbourhoods_within_districts() {
        let csv = "district_code,district_es,district_eu,neighbourhood_es,neighbourhood_eu\n1,Deusto,Deustu,Arangoiti,Arangoiti\n1,Deusto,Deustu,Ibarrekolanda,Ibarrekolanda\n2,Uribarri,Uribarri,Castaños,Kastaños\n";
        let rows = parse_territory_csv(csv).unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].neighbourhood_code, "1.02");
        assert_eq!(rows[2].neighbourhood_code, "2.01");
        assert_eq!(rows[2].neighbourhood.eu, "Kastaños");
    }

    #[test]
    fn bad_lines_are_named() {
        let csv = "district_code,district_es,district_eu,neighbourhood_es,neighbourhood_eu\n1,Deusto,Deustu,Arangoiti\n";
        assert_eq!(
            parse_territory_csv(csv),
            Err("line 2: expected 5 non-empty columns".into())
        );
    }

    #[test]
    fn ine_codes_are_five_digits() {
        assert!(IneCode::parse("48020").is_ok());
        assert!(IneCode::parse("4802").is_err());
        assert!(IneCode::parse("4802a").is_err());
    }
}
