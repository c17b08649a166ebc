//! Programmes: a neighbourhood's employment plan for a year, or a city-wide singular plan,
//! co-designed with partner entities and paid for by one or more funders.

use super::codes::{ProgrammeStatus, TargetGroup};
use crate::{AgencyId, AreaId, FieldErrors};
use chrono::NaiveDate;
use serde::Deserialize;

/// A programme as typed on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeInput {
    pub name_eu: String,
    pub name_es: String,
    pub year: String,
    pub status: String,
    pub promoter: String,
    pub partners: Vec<String>,
    pub neighbourhoods: Vec<String>,
    pub target_groups: Vec<String>,
    /// One line per funder: `name; amount in euros` (e.g. `Lanbide; 120.000,50`).
    pub funding: String,
    pub places: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Eligibility rules as JSON (see `eligibility::Rules`); empty means open to everyone.
    pub eligibility: String,
}

/// One funder's contribution, in cents so sums are exact.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Funding {
    pub source: String,
    pub amount_cents: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProgrammeDraft {
    pub name_eu: String,
    pub name_es: String,
    pub year: i32,
    pub status: ProgrammeStatus,
    pub promoter: AgencyId,
    pub partners: Vec<AgencyId>,
    pub neighbourhoods: Vec<AreaId>,
    pub target_groups: Vec<TargetGroup>,
    pub funding: Vec<Funding>,
    pub places: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub eligibility: super::eligibility::Rules,
}

/// A required text of 1 to `max` characters, trimmed.
pub fn required_text(s: &str, max: usize, empty: &'static str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        Err(empty)
    } else if t.chars().count() > max {
        Err("error-text-too-long")
    } else {
        Ok(t.to_owned())
    }
}

/// An optional text of at most `max` characters; empty is `None`.
pub fn optional_text(s: &str, max: usize) -> Result<Option<String>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else if t.chars().count() > max {
        Err("error-text-too-long")
    } else {
        Ok(Some(t.to_owned()))
    }
}

/// A whole number within `range`.
pub fn whole_number(
    s: &str,
    range: std::ops::RangeInclusive<i64>,
    key: &'static str,
) -> Result<i64, &'static str> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or(key)
}

/// A date typed as YYYY-MM-DD.
pub fn date(s: &str, required: &'static str) -> Result<NaiveDate, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(required);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| "error-date-format")
}

/// An optional date typed as YYYY-MM-DD.
pub fn optional_date(s: &str) -> Result<Option<NaiveDate>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        date(s, "error-date-format").map(Some)
    }
}

/// An amount in euros as people type it: `1200`, `1200.5`, `1.200,50`, `1 200,50 €`. Returns
/// cents. A single separator followed by exactly three digits is read as thousands.
pub fn parse_euros(s: &str) -> Result<i64, &'static str> {
    let t: String = s
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err("error-amount-format");
    }
    let last_sep = t.rfind(['.', ',']);
    let (whole, frac) = match last_sep {
        Some(i) if t.len() - i - 1 <= 2 => (&t[..i], &t[i + 1..]),
        _ => (t.as_str(), ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    if whole.is_empty() && frac.is_empty() {
        return Err("error-amount-format");
    }
    let euros: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "error-amount-format")?
    };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| "error-amount-format")? * 10,
        _ => frac.parse().map_err(|_| "error-amount-format")?,
    };
    euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(cents))
        .filter(|c| *c <= 1_000_000_000_000)
        .ok_or("error-amount-format")
}

/// Cents shown as euros with a decimal comma, as in Spanish and Basque: `120.000,50`.
pub fn format_euros(cents: i64) -> String {
    let euros = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{:02}", (cents % 100).abs())
}

fn parse_funding(s: &str) -> Result<Vec<Funding>, &'static str> {
    let mut out = Vec::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (source, amount) = line.rsplit_once(';').ok_or("error-funding-format")?;
        out.push(Funding {
            source: required_text(source, 120, "error-funding-format")?,
            amount_cents: parse_euros(amount)?,
        });
    }
    if out.len() > 20 {
        return Err("error-funding-format");
    }
    Ok(out)
}

fn parse_ids<T: std::str::FromStr>(
    v: &[String],
    key: &'static str,
) -> Result<Vec<T>, &'static str> {
    let mut out = Vec::new();
    for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        out.push(s.parse().map_err(|_| key)?);
    }
    Ok(out)
}

impl ProgrammeInput {
    /// Parses every field, collecting every error. Agencies and neighbourhoods are checked to
    /// exist by the caller (it needs the store).
    pub fn parse(&self) -> Result<ProgrammeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name_eu = e.take(
            "name_eu",
            required_text(&self.name_eu, 200, "error-name-required"),
        );
        let name_es = e.take(
            "name_es",
            required_text(&self.name_es, 200, "error-name-required"),
        );
        let year = e.take("year", whole_number(&self.year, 2000..=2100, "error-year"));
        let status = if self.status.trim().is_empty() {
            Some(ProgrammeStatus::Draft)
        } else {
            e.take("status", ProgrammeStatus::parse(&self.status))
        };
        let promoter = e.take(
            "promoter",
            self.promoter
                .trim()
                .parse::<AgencyId>()
                .map_err(|_| "error-agency-unknown"),
        );
        let partners = e.take(
            "partners",
            parse_ids::<AgencyId>(&self.partners, "error-agency-unknown"),
        );
        let neighbourhoods = e.take(
            "neighbourhoods",
            parse_ids::<AreaId>(&self.neighbourhoods, "error-area-unknown"),
        );
        let target_groups = e.take(
            "target_groups",
            self.target_groups
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| TargetGroup::parse(s))
                .collect::<Result<Vec<_>, _>>(),
        );
        let funding = e.take("funding", parse_funding(&self.funding));
        let places = e.take(
            "places",
            whole_number(&self.places, 1..=100_000, "error-places"),
        );
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", date(&self.ends_on, "error-date-required"));
        if let (Some(s), Some(end)) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        let eligibility = e.take(
            "eligibility",
            if self.eligibility.trim().is_empty() {
                Ok(super::eligibility::Rules::default())
            } else {
                super::eligibility::Rules::parse_json(&self.eligibility)
            },
        );
        if !e.is_empty() {
            return Err(e);
        }
        match (
            name_eu,
            name_es,
            year,
            status,
            promoter,
            partners,
            neighbourhoods,
            target_groups,
            funding,
            places,
            starts_on,
            ends_on,
            eligibility,
        ) {
            (
                Some(name_eu),
                Some(name_es),
                Some(year),
                Some(status),
                Some(promoter),
                Some(partners),
                Some(neighbourhoods),
                Some(target_groups),
                Some(funding),
                Some(places),
                Some(starts_on),
                Some(ends_on),
                Some(eligibility),
            ) => Ok(ProgrammeDraft {
                name_eu,
                name_es,
                year: i32::try_from(year).unwrap_or(2000),
                status,
                promoter,
                partners,
                neighbourhoods,
                target_groups,
                funding,
                places,
                starts_on,
                ends_on,
                eligibility,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_read_as_people_type_them() {
        assert_eq!(parse_euros("1200"), Ok(120_000));
        assert_eq!(parse_euros("1200.5"), Ok(120_050));
        assert_eq!(parse_euros("1.200,50"), Ok(120_050));
        assert_eq!(parse_euros("120.000"), Ok(12_000_000));
        assert_eq!(parse_euros(" 1 200,05 €"), Ok(120_005));
        assert_eq!(parse_euros("12,3"), Ok(1_230));
        assert_eq!(parse_euros("doce"), Err("error-amount-format"));
        assert_eq!(parse_euros("-5"), Err("error-amount-format"));
        assert_eq!(format_euros(12_000_050), "120.000,50");
        assert_eq!(format_euros(5), "0,05");
    }

    #[test]
    fn a_programme_reports_every_bad_field() {
        let input = ProgrammeInput {
            year: "1999".into(),
            promoter: "not-an-id".into(),
            funding: "Lanbide 100".into(),
            places: "0".into(),
            starts_on: "2026-06-01".into(),
            ends_on: "2026-01-01".into(),
            target_groups: vec!["aliens".into()],
            ..Default::default()
        };
        let Err(e) = input.parse() else {
            panic!("accepted a bad programme")
        };
        for (field, key) in [
            ("name_eu", "error-name-required"),
            ("name_es", "error-name-required"),
            ("year", "error-year"),
            ("promoter", "error-agency-unknown"),
            ("funding", "error-funding-format"),
            ("places", "error-places"),
            ("ends_on", "error-end-before-start"),
            ("target_groups", "error-target-group"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn a_good_programme_parses_with_exact_funding() {
        let input = ProgrammeInput {
            name_eu: "Otxarkoagako enplegu plana".into(),
            name_es: "Plan de empleo de Otxarkoaga".into(),
            year: "2026".into(),
            promoter: AgencyId::new().to_string(),
            funding: "Bilbao Ekintza; 150.000\nLanbide; 49.999,99\n".into(),
            places: "60".into(),
            starts_on: "2026-01-15".into(),
            ends_on: "2026-12-15".into(),
            target_groups: vec!["under_30".into(), "long_term_unemployed".into()],
            ..Default::default()
        };
        let d = input.parse().map_err(|e| format!("{e:?}"));
        let Ok(d) = d else { panic!("{d:?}") };
        assert_eq!(
            d.funding.iter().map(|f| f.amount_cents).sum::<i64>(),
            19_999_999
        );
        assert_eq!(d.status, ProgrammeStatus::Draft);
        assert_eq!(d.target_groups.len(), 2);
    }
}
