//! Job placements and their follow-ups at 3, 6 and 12 months.

use super::codes::{ContractType, FOLLOW_UP_MONTHS, FollowUpEvidence, Sector};
use super::esco::EscoOccupation;
use super::programme::{date, optional_date, optional_text, required_text};
use crate::FieldErrors;
use chrono::{Months, NaiveDate};
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlacementInput {
    /// The employer's name; empty for self-employment.
    pub employer: String,
    pub contract_type: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Hours a week, e.g. `37.5`.
    pub weekly_hours: String,
    pub occupation: String,
    pub sector: String,
    pub itinerary: String,
    /// The employer's id in the organisations directory, when it is there; empty otherwise.
    pub employer_organisation: String,
    /// The social clause the person was hired under; needs the person's consent.
    pub social_clause: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlacementDraft {
    pub employer: Option<String>,
    pub contract_type: ContractType,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Hundredths of an hour a week, so 37.5 h is exact.
    pub weekly_hours_centi: i64,
    pub occupation: EscoOccupation,
    pub sector: Sector,
    pub employer_organisation: Option<crate::OrganisationId>,
    pub social_clause: Option<crate::SocialClauseId>,
}

/// Hours a week as typed (`37,5` or `37.5`), in hundredths; at most 60 hours.
pub fn parse_weekly_hours(s: &str) -> Result<i64, &'static str> {
    let t = s.trim().replace(',', ".");
    let v: f64 = t.parse().map_err(|_| "error-weekly-hours")?;
    if !(0.5..=60.0).contains(&v) {
        return Err("error-weekly-hours");
    }
    // Rounded to the hundredth: hours are typed with at most two decimals.
    Ok((v * 100.0).round() as i64)
}

pub fn format_weekly_hours(centi: i64) -> String {
    if centi % 100 == 0 {
        (centi / 100).to_string()
    } else {
        format!("{}.{:02}", centi / 100, centi % 100)
            .trim_end_matches('0')
            .to_owned()
    }
}

impl PlacementInput {
    pub fn parse(&self, today: NaiveDate) -> Result<PlacementDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let contract_type = e.take("contract_type", ContractType::parse(&self.contract_type));
        let employer = if contract_type == Some(ContractType::SelfEmployment) {
            e.take("employer", optional_text(&self.employer, 200))
        } else {
            e.take(
                "employer",
                required_text(&self.employer, 200, "error-employer-required").map(Some),
            )
        };
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", optional_date(&self.ends_on));
        if let (Some(s), Some(Some(end))) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-placement-end-before-start");
        }
        if let Some(s) = starts_on
            && s > today.checked_add_months(Months::new(6)).unwrap_or(today)
        {
            e.add("starts_on", "error-date-too-far");
        }
        let hours = e.take("weekly_hours", parse_weekly_hours(&self.weekly_hours));
        let occupation = e.take("occupation", EscoOccupation::parse(&self.occupation));
        let sector = e.take("sector", Sector::parse(&self.sector.to_ascii_lowercase()));
        let employer_organisation = e.take(
            "employer_organisation",
            optional_id::<crate::OrganisationId>(
                &self.employer_organisation,
                "error-directory-organisation-unknown",
            ),
        );
        let social_clause = e.take(
            "social_clause",
            optional_id::<crate::SocialClauseId>(
                &self.social_clause,
                "error-social-clause-unknown",
            ),
        );
        match (
            employer,
            contract_type,
            starts_on,
            ends_on,
            hours,
            occupation,
            sector,
            employer_organisation,
            social_clause,
        ) {
            (
                Some(employer),
                Some(contract_type),
                Some(starts_on),
                Some(ends_on),
                Some(weekly_hours_centi),
                Some(occupation),
                Some(sector),
                Some(employer_organisation),
                Some(social_clause),
            ) if e.is_empty() => Ok(PlacementDraft {
                employer,
                contract_type,
                starts_on,
                ends_on,
                weekly_hours_centi,
                occupation,
                sector,
                employer_organisation,
                social_clause,
            }),
            _ => Err(e),
        }
    }
}

fn optional_id<T: std::str::FromStr>(
    s: &str,
    key: &'static str,
) -> Result<Option<T>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        Ok(None)
    } else {
        t.parse().map(Some).map_err(|_| key)
    }
}

/// The follow-ups a placement starting on `start` needs: (months, due date).
pub fn follow_up_schedule(start: NaiveDate) -> Vec<(u8, NaiveDate)> {
    FOLLOW_UP_MONTHS
        .iter()
        .filter_map(|m| {
            start
                .checked_add_months(Months::new(u32::from(*m)))
                .map(|d| (*m, d))
        })
        .collect()
}

/// What the follow-up found.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInput {
    pub checked_on: String,
    /// `yes` or `no`.
    pub still_employed: String,
    /// `yes` or `no`; needed when still employed.
    pub same_employer: String,
    pub evidence: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpRecord {
    pub checked_on: NaiveDate,
    pub still_employed: bool,
    pub same_employer: Option<bool>,
    pub evidence: FollowUpEvidence,
    pub note: Option<String>,
}

fn yes_no(s: &str) -> Result<bool, &'static str> {
    match s.trim() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err("error-yes-no"),
    }
}

impl FollowUpInput {
    pub fn parse(
        &self,
        today: NaiveDate,
        placement_start: NaiveDate,
    ) -> Result<FollowUpRecord, FieldErrors> {
        let mut e = FieldErrors::new();
        let checked_on = e.take("checked_on", date(&self.checked_on, "error-date-required"));
        if let Some(d) = checked_on {
            if d > today {
                e.add("checked_on", "error-date-future");
            } else if d < placement_start {
                e.add("checked_on", "error-before-placement");
            }
        }
        let still = e.take("still_employed", yes_no(&self.still_employed));
        let same = match still {
            Some(true) => e
                .take("same_employer", yes_no(&self.same_employer))
                .map(Some),
            _ => Some(None),
        };
        let evidence = e.take("evidence", FollowUpEvidence::parse(&self.evidence));
        let note = e.take("note", optional_text(&self.note, 1_000));
        match (checked_on, still, same, evidence, note) {
            (
                Some(checked_on),
                Some(still_employed),
                Some(same_employer),
                Some(evidence),
                Some(note),
            ) if e.is_empty() => Ok(FollowUpRecord {
                checked_on,
                still_employed,
                same_employer,
                evidence,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_placement_cannot_end_before_it_starts() {
        let input = PlacementInput {
            employer: "Garbiketak Otxarkoaga S. Coop.".into(),
            contract_type: "insertion_transition".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2026-08-31".into(),
            weekly_hours: "30".into(),
            occupation: "9112.1".into(),
            sector: "N".into(),
            ..Default::default()
        };
        let Err(e) = input.parse(day("2026-11-28")) else {
            panic!("accepted")
        };
        assert_eq!(e.get("ends_on"), Some("error-placement-end-before-start"));
        assert_eq!(e.0.len(), 1, "{e:?}");
    }

    #[test]
    fn self_employment_needs_no_employer_but_a_contract_does() {
        let mut input = PlacementInput {
            contract_type: "self_employment".into(),
            starts_on: "2026-09-01".into(),
            weekly_hours: "37,5".into(),
            occupation: "5120.1".into(),
            sector: "i".into(),
            ..Default::default()
        };
        let d = input.parse(day("2026-11-28")).map_err(|e| format!("{e:?}"));
        let Ok(d) = d else { panic!("{d:?}") };
        assert_eq!(d.weekly_hours_centi, 3_750);
        assert_eq!(format_weekly_hours(d.weekly_hours_centi), "37.5");
        input.contract_type = "temporary".into();
        let Err(e) = input.parse(day("2026-11-28")) else {
            panic!("accepted")
        };
        assert_eq!(e.get("employer"), Some("error-employer-required"));
    }

    #[test]
    fn follow_ups_fall_due_at_3_6_and_12_months() {
        let s = follow_up_schedule(day("2026-01-31"));
        let due: Vec<String> = s.iter().map(|(_, d)| d.to_string()).collect();
        assert_eq!(due, ["2026-04-30", "2026-07-31", "2027-01-31"]);
    }

    #[test]
    fn a_follow_up_asks_same_employer_only_when_still_employed() {
        let input = FollowUpInput {
            checked_on: "2026-11-20".into(),
            still_employed: "yes".into(),
            evidence: "employer".into(),
            ..Default::default()
        };
        let Err(e) = input.parse(day("2026-11-28"), day("2026-08-01")) else {
            panic!("accepted")
        };
        assert_eq!(e.get("same_employer"), Some("error-yes-no"));
        let left = FollowUpInput {
            still_employed: "no".into(),
            ..input
        };
        assert!(left.parse(day("2026-11-28"), day("2026-08-01")).is_ok());
    }
}
