//! Eligibility rules of programmes and training actions, and their explanation.
//!
//! A programme's rules are data (JSON, stored with the programme): a list of criteria that must
//! all hold, with one level of alternatives. Evaluating them against what is known of a person
//! gives a *suggestion* and one readable reason per criterion. Elkarlan never decides: a
//! professional reads the explanation and decides whether to offer the programme (no automated
//! individual decisions, GDPR art. 22). A missing fact is "cannot tell yet", never a "no".
//!
//! Texts are Fluent message keys with plain string arguments. Arguments named `neighbourhood`
//! and `neighbourhoods` hold neighbourhood codes (`3.01`), and `sex` and `sexes` hold codes of
//! [`Sex`]; lists are comma-separated. Pages replace codes by names in the reader's language
//! before formatting, since the domain has no territory names.

use crate::inclusion::person::Sex;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// ISCED 2011 levels run from 0 (early childhood) to 8 (doctoral).
const ISCED_MAX: u8 = 8;
/// Fifty years: longer is a typing error.
const MONTHS_MAX: u16 = 600;
const CRITERIA_MAX: usize = 20;
/// The nationality that is not "migrant", ISO 3166-1 alpha-2 as person records store it.
const SPAIN: &str = "ES";

/// Every message key this module can return.
pub const MESSAGE_KEYS: &[&str] = &[
    // parse_json and validate
    "error-eligibility-json",
    "error-eligibility-too-many",
    "error-eligibility-age-range",
    "error-eligibility-neighbourhoods",
    "error-eligibility-months",
    "error-eligibility-percent",
    "error-eligibility-sex",
    "error-eligibility-isced",
    "error-eligibility-any-of-empty",
    "error-eligibility-nested",
    // evaluate: outcomes
    "eligibility-outcome-eligible",
    "eligibility-outcome-not-eligible",
    "eligibility-outcome-unknown",
    // evaluate: reasons
    "eligibility-open-to-all",
    "eligibility-age-within",
    "eligibility-age-at-least",
    "eligibility-age-at-most",
    "eligibility-age-below",
    "eligibility-age-above",
    "eligibility-age-unknown",
    "eligibility-lives-in-met",
    "eligibility-lives-in-not-met",
    "eligibility-lives-in-unknown",
    "eligibility-unemployed-met",
    "eligibility-unemployed-not-met",
    "eligibility-unemployed-unknown",
    "eligibility-income-guarantee-met",
    "eligibility-income-guarantee-not-met",
    "eligibility-income-guarantee-unknown",
    "eligibility-migrant-met",
    "eligibility-migrant-not-met",
    "eligibility-migrant-unknown",
    "eligibility-disability-met",
    "eligibility-disability-not-met",
    "eligibility-disability-unknown",
    "eligibility-sex-met",
    "eligibility-sex-not-met",
    "eligibility-sex-unknown",
    "eligibility-education-at-most-met",
    "eligibility-education-at-most-not-met",
    "eligibility-education-at-least-met",
    "eligibility-education-at-least-not-met",
    "eligibility-education-unknown",
    "eligibility-any-of-met",
    "eligibility-any-of-not-met",
    "eligibility-any-of-unknown",
    // describe
    "eligibility-rule-open-to-all",
    "eligibility-rule-age-between",
    "eligibility-rule-age-at-least",
    "eligibility-rule-age-at-most",
    "eligibility-rule-lives-in",
    "eligibility-rule-unemployed",
    "eligibility-rule-income-guarantee",
    "eligibility-rule-migrant",
    "eligibility-rule-disability",
    "eligibility-rule-sex",
    "eligibility-rule-education-at-most",
    "eligibility-rule-education-at-least",
    "eligibility-rule-any-of",
];

/// One condition of a programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields,
    from = "CriterionJson"
)]
pub enum Criterion {
    /// Age in whole years on the day of the evaluation; either bound may be open.
    AgeBetween {
        #[serde(default)]
        min: Option<u8>,
        #[serde(default)]
        max: Option<u8>,
    },
    /// Lives in one of these neighbourhoods (codes such as `3.01`, see `territory`).
    LivesIn { neighbourhoods: Vec<String> },
    /// Unemployed for at least this many calendar months.
    UnemployedForAtLeast { months: u16 },
    /// Receives an income guarantee: the Basque RGI or the state IMV.
    IncomeGuaranteeRecipient,
    /// A nationality other than Spanish.
    Migrant,
    /// A recognised disability of at least this degree (33% is the legal threshold in Spain).
    Disability { min_percent: u8 },
    /// Sex recorded as one of these codes of [`Sex`] (programmes for women, for instance).
    Sex { any_of: Vec<String> },
    /// Highest completed education at most this ISCED 2011 level.
    EducationAtMost { isced: u8 },
    /// Highest completed education at least this ISCED 2011 level.
    EducationAtLeast { isced: u8 },
    /// At least one of these holds (one level only, e.g. "under 30 or long-term unemployed").
    AnyOf { criteria: Vec<Criterion> },
}

/// How criteria are read. serde does not refuse unknown fields beside the tag of a unit
/// variant, so the fieldless kinds are read as empty struct variants, which it checks.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum CriterionJson {
    AgeBetween {
        #[serde(default)]
        min: Option<u8>,
        #[serde(default)]
        max: Option<u8>,
    },
    LivesIn {
        neighbourhoods: Vec<String>,
    },
    UnemployedForAtLeast {
        months: u16,
    },
    IncomeGuaranteeRecipient {},
    Migrant {},
    Disability {
        min_percent: u8,
    },
    Sex {
        any_of: Vec<String>,
    },
    EducationAtMost {
        isced: u8,
    },
    EducationAtLeast {
        isced: u8,
    },
    AnyOf {
        criteria: Vec<Criterion>,
    },
}

impl From<CriterionJson> for Criterion {
    fn from(c: CriterionJson) -> Self {
        match c {
            CriterionJson::AgeBetween { min, max } => Self::AgeBetween { min, max },
            CriterionJson::LivesIn { neighbourhoods } => Self::LivesIn { neighbourhoods },
            CriterionJson::UnemployedForAtLeast { months } => Self::UnemployedForAtLeast { months },
            CriterionJson::IncomeGuaranteeRecipient {} => Self::IncomeGuaranteeRecipient,
            CriterionJson::Migrant {} => Self::Migrant,
            CriterionJson::Disability { min_percent } => Self::Disability { min_percent },
            CriterionJson::Sex { any_of } => Self::Sex { any_of },
            CriterionJson::EducationAtMost { isced } => Self::EducationAtMost { isced },
            CriterionJson::EducationAtLeast { isced } => Self::EducationAtLeast { isced },
            CriterionJson::AnyOf { criteria } => Self::AnyOf { criteria },
        }
    }
}

/// A programme's rules: every criterion must hold. No criteria: open to everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub all_of: Vec<Criterion>,
}

impl Rules {
    /// Parses and validates rules as stored or sent to the API.
    pub fn parse_json(s: &str) -> Result<Rules, &'static str> {
        let rules: Rules = serde_json::from_str(s).map_err(|_| "error-eligibility-json")?;
        rules.validate()?;
        Ok(rules)
    }

    pub fn to_json(&self) -> String {
        // Serialising plain enums and strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the values a JSON schema cannot: ranges, known codes and nesting.
    pub fn validate(&self) -> Result<(), &'static str> {
        let total: usize = self
            .all_of
            .iter()
            .map(|c| match c {
                Criterion::AnyOf { criteria } => 1 + criteria.len(),
                _ => 1,
            })
            .sum();
        if total > CRITERIA_MAX {
            return Err("error-eligibility-too-many");
        }
        for c in &self.all_of {
            if let Criterion::AnyOf { criteria } = c {
                if criteria.is_empty() {
                    return Err("error-eligibility-any-of-empty");
                }
                for inner in criteria {
                    if matches!(inner, Criterion::AnyOf { .. }) {
                        return Err("error-eligibility-nested");
                    }
                    validate_one(inner)?;
                }
            } else {
                validate_one(c)?;
            }
        }
        Ok(())
    }
}

/// A neighbourhood code as `territory` numbers them: district, a dot, two digits.
fn is_neighbourhood_code(s: &str) -> bool {
    s.split_once('.').is_some_and(|(d, n)| {
        !d.is_empty()
            && d.len() <= 2
            && n.len() == 2
            && d.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit())
    })
}

fn validate_one(c: &Criterion) -> Result<(), &'static str> {
    match c {
        Criterion::AgeBetween { min, max } => match (min, max) {
            (None, None) => Err("error-eligibility-age-range"),
            (Some(a), Some(b)) if a > b => Err("error-eligibility-age-range"),
            _ => Ok(()),
        },
        Criterion::LivesIn { neighbourhoods } => {
            if neighbourhoods.is_empty() || !neighbourhoods.iter().all(|n| is_neighbourhood_code(n))
            {
                Err("error-eligibility-neighbourhoods")
            } else {
                Ok(())
            }
        }
        Criterion::UnemployedForAtLeast { months } => {
            if (1..=MONTHS_MAX).contains(months) {
                Ok(())
            } else {
                Err("error-eligibility-months")
            }
        }
        Criterion::Disability { min_percent } => {
            if (1..=100).contains(min_percent) {
                Ok(())
            } else {
                Err("error-eligibility-percent")
            }
        }
        Criterion::Sex { any_of } => {
            // Codes are compared as stored, so they must be exactly the canonical ones.
            if any_of.is_empty()
                || !any_of
                    .iter()
                    .all(|s| Sex::ALL.iter().any(|x| x.code() == s))
            {
                Err("error-eligibility-sex")
            } else {
                Ok(())
            }
        }
        Criterion::EducationAtMost { isced } | Criterion::EducationAtLeast { isced } => {
            if *isced <= ISCED_MAX {
                Ok(())
            } else {
                Err("error-eligibility-isced")
            }
        }
        Criterion::IncomeGuaranteeRecipient | Criterion::Migrant => Ok(()),
        Criterion::AnyOf { .. } => Err("error-eligibility-nested"),
    }
}

/// What is known of a person when a programme is considered. `None` means not recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub birth_date: Option<NaiveDate>,
    /// Neighbourhood code, as in `territory` (`3.01`).
    pub neighbourhood: Option<String>,
    /// A code of [`Sex`].
    pub sex: Option<String>,
    /// ISO 3166-1 alpha-2, as person records store it.
    pub nationality: Option<String>,
    /// Start of the current unemployment spell.
    pub unemployed_since: Option<NaiveDate>,
    /// Whether the person receives RGI or IMV.
    pub income_guarantee: Option<bool>,
    /// Recognised degree of disability; `Some(0)` is "none recognised".
    pub disability_percent: Option<u8>,
    /// Highest completed ISCED 2011 level.
    pub isced: Option<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Eligible,
    NotEligible,
    /// Some fact is missing and none of the known ones fails.
    Unknown,
}

/// One criterion explained: whether it holds (`None`: cannot tell) and why, as a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub met: Option<bool>,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// For "any of": each alternative explained, shown under this reason. Empty otherwise.
    pub alternatives: Vec<Reason>,
}

impl Reason {
    fn new(met: Option<bool>, key: &'static str, args: Vec<(&'static str, String)>) -> Self {
        Self {
            met,
            key,
            args,
            alternatives: Vec::new(),
        }
    }
}

/// A suggestion with its explanation, for a professional to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub outcome: Outcome,
    /// One per criterion, in the order of the rules.
    pub reasons: Vec<Reason>,
}

/// The sentence that introduces the reasons.
pub fn outcome_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Eligible => "eligibility-outcome-eligible",
        Outcome::NotEligible => "eligibility-outcome-not-eligible",
        Outcome::Unknown => "eligibility-outcome-unknown",
    }
}

/// Whole years from `birth` to `today`: a birthday not yet reached this year does not count.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Whole calendar months from `since` to `today`. A month from the 31st ends on the last day of
/// a shorter month (31 January + 1 month = 28 February).
pub fn months_between(since: NaiveDate, today: NaiveDate) -> u32 {
    if since >= today {
        return 0;
    }
    let rough = (today.year() - since.year()) * 12 + today.month() as i32 - since.month() as i32;
    let mut n = u32::try_from(rough).unwrap_or(0);
    while n > 0
        && since
            .checked_add_months(Months::new(n))
            .is_none_or(|d| d > today)
    {
        n -= 1;
    }
    n
}

/// Combines criteria that must all hold: one failure is enough for "no", even when other facts
/// are missing; otherwise one missing fact is "cannot tell".
fn all_met(results: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for r in results {
        match r {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

fn arg(name: &'static str, value: impl std::fmt::Display) -> (&'static str, String) {
    (name, value.to_string())
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

fn reason(c: &Criterion, f: &Facts, today: NaiveDate) -> Reason {
    match c {
        Criterion::AgeBetween { min, max } => {
            let Some(birth) = f.birth_date else {
                return Reason::new(None, "eligibility-age-unknown", vec![]);
            };
            let age = age_on(birth, today);
            let a = arg("age", age);
            match (*min, *max) {
                (Some(lo), _) if age < u32::from(lo) => Reason::new(
                    Some(false),
                    "eligibility-age-below",
                    vec![a, arg("min", lo)],
                ),
                (_, Some(hi)) if age > u32::from(hi) => Reason::new(
                    Some(false),
                    "eligibility-age-above",
                    vec![a, arg("max", hi)],
                ),
                (Some(lo), Some(hi)) => Reason::new(
                    Some(true),
                    "eligibility-age-within",
                    vec![a, arg("min", lo), arg("max", hi)],
                ),
                (Some(lo), None) => Reason::new(
                    Some(true),
                    "eligibility-age-at-least",
                    vec![a, arg("min", lo)],
                ),
                (None, Some(hi)) => Reason::new(
                    Some(true),
                    "eligibility-age-at-most",
                    vec![a, arg("max", hi)],
                ),
                // Refused by validate; taken as open.
                (None, None) => Reason::new(
                    Some(true),
                    "eligibility-age-at-least",
                    vec![a, arg("min", 0)],
                ),
            }
        }
        Criterion::LivesIn { neighbourhoods } => {
            let Some(n) = f.neighbourhood.as_deref() else {
                return Reason::new(None, "eligibility-lives-in-unknown", vec![]);
            };
            let list = arg("neighbourhoods", join(neighbourhoods));
            if neighbourhoods.iter().any(|x| x == n.trim()) {
                Reason::new(
                    Some(true),
                    "eligibility-lives-in-met",
                    vec![arg("neighbourhood", n), list],
                )
            } else {
                Reason::new(
                    Some(false),
                    "eligibility-lives-in-not-met",
                    vec![arg("neighbourhood", n), list],
                )
            }
        }
        Criterion::UnemployedForAtLeast { months } => {
            let Some(since) = f.unemployed_since else {
                return Reason::new(
                    None,
                    "eligibility-unemployed-unknown",
                    vec![arg("min", months)],
                );
            };
            let have = months_between(since, today);
            let args = vec![arg("months", have), arg("min", months)];
            if have >= u32::from(*months) {
                Reason::new(Some(true), "eligibility-unemployed-met", args)
            } else {
                Reason::new(Some(false), "eligibility-unemployed-not-met", args)
            }
        }
        Criterion::IncomeGuaranteeRecipient => match f.income_guarantee {
            Some(true) => Reason::new(Some(true), "eligibility-income-guarantee-met", vec![]),
            Some(false) => Reason::new(Some(false), "eligibility-income-guarantee-not-met", vec![]),
            None => Reason::new(None, "eligibility-income-guarantee-unknown", vec![]),
        },
        Criterion::Migrant => match f.nationality.as_deref().map(str::trim) {
            Some(n) if n.eq_ignore_ascii_case(SPAIN) => {
                Reason::new(Some(false), "eligibility-migrant-not-met", vec![])
            }
            Some(n) if !n.is_empty() => Reason::new(
                Some(true),
                "eligibility-migrant-met",
                vec![arg("nationality", n.to_ascii_uppercase())],
            ),
            _ => Reason::new(None, "eligibility-migrant-unknown", vec![]),
        },
        Criterion::Disability { min_percent } => {
            let Some(p) = f.disability_percent else {
                return Reason::new(
                    None,
                    "eligibility-disability-unknown",
                    vec![arg("min", min_percent)],
                );
            };
            let args = vec![arg("percent", p), arg("min", min_percent)];
            if p >= *min_percent {
                Reason::new(Some(true), "eligibility-disability-met", args)
            } else {
                Reason::new(Some(false), "eligibility-disability-not-met", args)
            }
        }
        Criterion::Sex { any_of } => {
            let Some(s) = f.sex.as_deref().map(str::trim) else {
                return Reason::new(None, "eligibility-sex-unknown", vec![]);
            };
            let args = vec![arg("sex", s), arg("sexes", join(any_of))];
            if any_of.iter().any(|x| x == s) {
                Reason::new(Some(true), "eligibility-sex-met", args)
            } else {
                Reason::new(Some(false), "eligibility-sex-not-met", args)
            }
        }
        Criterion::EducationAtMost { isced } => match f.isced {
            None => Reason::new(None, "eligibility-education-unknown", vec![]),
            Some(l) => {
                let args = vec![arg("isced", l), arg("max", isced)];
                if l <= *isced {
                    Reason::new(Some(true), "eligibility-education-at-most-met", args)
                } else {
                    Reason::new(Some(false), "eligibility-education-at-most-not-met", args)
                }
            }
        },
        Criterion::EducationAtLeast { isced } => match f.isced {
            None => Reason::new(None, "eligibility-education-unknown", vec![]),
            Some(l) => {
                let args = vec![arg("isced", l), arg("min", isced)];
                if l >= *isced {
                    Reason::new(Some(true), "eligibility-education-at-least-met", args)
                } else {
                    Reason::new(Some(false), "eligibility-education-at-least-not-met", args)
                }
            }
        },
        Criterion::AnyOf { criteria } => {
            let alternatives: Vec<Reason> = criteria.iter().map(|c| reason(c, f, today)).collect();
            // One holding is enough; otherwise one unknown leaves the question open.
            let met = if alternatives.iter().any(|r| r.met == Some(true)) {
                Some(true)
            } else if alternatives.iter().any(|r| r.met.is_none()) {
                None
            } else {
                Some(false)
            };
            let key = match met {
                Some(true) => "eligibility-any-of-met",
                Some(false) => "eligibility-any-of-not-met",
                None => "eligibility-any-of-unknown",
            };
            Reason {
                met,
                key,
                args: vec![arg("count", criteria.len())],
                alternatives,
            }
        }
    }
}

/// Suggests whether `facts` meet `rules` on `today`, with one reason per criterion.
pub fn evaluate(rules: &Rules, facts: &Facts, today: NaiveDate) -> Assessment {
    if rules.all_of.is_empty() {
        return Assessment {
            outcome: Outcome::Eligible,
            reasons: vec![Reason::new(Some(true), "eligibility-open-to-all", vec![])],
        };
    }
    let reasons: Vec<Reason> = rules
        .all_of
        .iter()
        .map(|c| reason(c, facts, today))
        .collect();
    let outcome = match all_met(reasons.iter().map(|r| r.met)) {
        Some(true) => Outcome::Eligible,
        Some(false) => Outcome::NotEligible,
        None => Outcome::Unknown,
    };
    Assessment { outcome, reasons }
}

fn describe_one(c: &Criterion, out: &mut Vec<(&'static str, Vec<(&'static str, String)>)>) {
    let entry = match c {
        Criterion::AgeBetween { min, max } => match (min, max) {
            (Some(lo), Some(hi)) => (
                "eligibility-rule-age-between",
                vec![arg("min", lo), arg("max", hi)],
            ),
            (None, Some(hi)) => ("eligibility-rule-age-at-most", vec![arg("max", hi)]),
            (Some(lo), None) => ("eligibility-rule-age-at-least", vec![arg("min", lo)]),
            (None, None) => ("eligibility-rule-age-at-least", vec![arg("min", 0)]),
        },
        Criterion::LivesIn { neighbourhoods } => (
            "eligibility-rule-lives-in",
            vec![arg("neighbourhoods", join(neighbourhoods))],
        ),
        Criterion::UnemployedForAtLeast { months } => {
            ("eligibility-rule-unemployed", vec![arg("min", months)])
        }
        Criterion::IncomeGuaranteeRecipient => ("eligibility-rule-income-guarantee", vec![]),
        Criterion::Migrant => ("eligibility-rule-migrant", vec![]),
        Criterion::Disability { min_percent } => {
            ("eligibility-rule-disability", vec![arg("min", min_percent)])
        }
        Criterion::Sex { any_of } => ("eligibility-rule-sex", vec![arg("sexes", join(any_of))]),
        Criterion::EducationAtMost { isced } => (
            "eligibility-rule-education-at-most",
            vec![arg("max", isced)],
        ),
        Criterion::EducationAtLeast { isced } => (
            "eligibility-rule-education-at-least",
            vec![arg("min", isced)],
        ),
        Criterion::AnyOf { criteria } => {
            out.push((
                "eligibility-rule-any-of",
                vec![arg("count", criteria.len())],
            ));
            for inner in criteria {
                describe_one(inner, out);
            }
            return;
        }
    };
    out.push(entry);
}

/// The rules as readable messages, for the programme's page. An `eligibility-rule-any-of` entry
/// is followed by its `count` alternatives.
pub fn describe(rules: &Rules) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let mut out = Vec::new();
    if rules.all_of.is_empty() {
        out.push(("eligibility-rule-open-to-all", vec![]));
    }
    for c in &rules.all_of {
        describe_one(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn today() -> NaiveDate {
        date(2026, 11, 28)
    }

    fn rules(all_of: Vec<Criterion>) -> Rules {
        Rules { all_of }
    }

    fn one(c: Criterion, f: &Facts) -> Reason {
        let a = evaluate(&rules(vec![c]), f, today());
        assert_eq!(a.reasons.len(), 1);
        a.reasons
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no reason"))
    }

    fn args(r: &Reason) -> Vec<(&str, &str)> {
        r.args.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    fn young() -> Criterion {
        Criterion::AgeBetween {
            min: Some(18),
            max: Some(29),
        }
    }

    fn long_term() -> Criterion {
        Criterion::UnemployedForAtLeast { months: 12 }
    }

    #[test]
    fn age_within_above_below_and_unknown() {
        let born = |y, m, d| Facts {
            birth_date: Some(date(y, m, d)),
            ..Facts::default()
        };
        let r = one(young(), &born(1999, 1, 10));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-age-within"));
        assert_eq!(args(&r), [("age", "27"), ("min", "18"), ("max", "29")]);
        let r = one(
            Criterion::AgeBetween {
                min: None,
                max: Some(45),
            },
            &born(1974, 6, 1),
        );
        assert_eq!((r.met, r.key), (Some(false), "eligibility-age-above"));
        assert_eq!(args(&r), [("age", "52"), ("max", "45")]);
        let r = one(young(), &born(2010, 1, 1));
        assert_eq!((r.met, r.key), (Some(false), "eligibility-age-below"));
        let r = one(
            Criterion::AgeBetween {
                min: Some(45),
                max: None,
            },
            &born(1974, 6, 1),
        );
        assert_eq!((r.met, r.key), (Some(true), "eligibility-age-at-least"));
        let r = one(young(), &Facts::default());
        assert_eq!((r.met, r.key), (None, "eligibility-age-unknown"));
    }

    #[test]
    fn a_birthday_not_yet_reached_does_not_count() {
        assert_eq!(age_on(date(1996, 11, 29), today()), 29);
        assert_eq!(age_on(date(1996, 11, 28), today()), 30);
        assert_eq!(age_on(date(1996, 12, 1), today()), 29);
        // Born on 29 February: a year older on 1 March in common years.
        assert_eq!(age_on(date(2004, 2, 29), date(2026, 2, 28)), 21);
        assert_eq!(age_on(date(2004, 2, 29), date(2026, 3, 1)), 22);
        assert_eq!(age_on(date(2030, 1, 1), today()), 0);
        let turns_30_tomorrow = Facts {
            birth_date: Some(date(1996, 11, 29)),
            ..Facts::default()
        };
        assert_eq!(one(young(), &turns_30_tomorrow).met, Some(true));
        let turned_30_today = Facts {
            birth_date: Some(date(1996, 11, 28)),
            ..Facts::default()
        };
        assert_eq!(one(young(), &turned_30_today).met, Some(false));
    }

    #[test]
    fn lives_in() {
        let c = Criterion::LivesIn {
            neighbourhoods: vec!["3.01".into(), "3.02".into()],
        };
        let at = |n: &str| Facts {
            neighbourhood: Some(n.into()),
            ..Facts::default()
        };
        let r = one(c.clone(), &at("3.01"));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-lives-in-met"));
        assert_eq!(
            args(&r),
            [("neighbourhood", "3.01"), ("neighbourhoods", "3.01, 3.02")]
        );
        let r = one(c.clone(), &at("7.03"));
        assert_eq!(
            (r.met, r.key),
            (Some(false), "eligibility-lives-in-not-met")
        );
        let r = one(c, &Facts::default());
        assert_eq!((r.met, r.key), (None, "eligibility-lives-in-unknown"));
    }

    #[test]
    fn unemployment_counts_calendar_months() {
        let since = |d| Facts {
            unemployed_since: Some(d),
            ..Facts::default()
        };
        let r = one(long_term(), &since(date(2025, 9, 15)));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-unemployed-met"));
        assert_eq!(args(&r), [("months", "14"), ("min", "12")]);
        let r = one(long_term(), &since(date(2025, 11, 29)));
        assert_eq!(
            (r.met, r.key),
            (Some(false), "eligibility-unemployed-not-met")
        );
        assert_eq!(args(&r), [("months", "11"), ("min", "12")]);
        assert_eq!(one(long_term(), &since(date(2025, 11, 28))).met, Some(true));
        let r = one(long_term(), &Facts::default());
        assert_eq!((r.met, r.key), (None, "eligibility-unemployed-unknown"));
        assert_eq!(months_between(date(2026, 1, 31), date(2026, 2, 28)), 1);
        assert_eq!(months_between(date(2026, 1, 31), date(2026, 2, 27)), 0);
        assert_eq!(months_between(date(2026, 12, 1), today()), 0);
    }

    #[test]
    fn income_guarantee() {
        let with = |b| Facts {
            income_guarantee: b,
            ..Facts::default()
        };
        let c = Criterion::IncomeGuaranteeRecipient;
        assert_eq!(one(c.clone(), &with(Some(true))).met, Some(true));
        let r = one(c.clone(), &with(Some(false)));
        assert_eq!(
            (r.met, r.key),
            (Some(false), "eligibility-income-guarantee-not-met")
        );
        let r = one(c, &with(None));
        assert_eq!(
            (r.met, r.key),
            (None, "eligibility-income-guarantee-unknown")
        );
    }

    #[test]
    fn migrant() {
        let of = |n: Option<&str>| Facts {
            nationality: n.map(Into::into),
            ..Facts::default()
        };
        let r = one(Criterion::Migrant, &of(Some("MA")));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-migrant-met"));
        assert_eq!(args(&r), [("nationality", "MA")]);
        assert_eq!(one(Criterion::Migrant, &of(Some("es"))).met, Some(false));
        assert_eq!(one(Criterion::Migrant, &of(None)).met, None);
    }

    #[test]
    fn disability() {
        let c = Criterion::Disability { min_percent: 33 };
        let with = |p| Facts {
            disability_percent: p,
            ..Facts::default()
        };
        let r = one(c.clone(), &with(Some(33)));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-disability-met"));
        assert_eq!(args(&r), [("percent", "33"), ("min", "33")]);
        assert_eq!(one(c.clone(), &with(Some(0))).met, Some(false));
        assert_eq!(one(c, &with(None)).met, None);
    }

    #[test]
    fn sex() {
        let c = Criterion::Sex {
            any_of: vec!["woman".into(), "non_binary".into()],
        };
        let with = |s: Option<&str>| Facts {
            sex: s.map(Into::into),
            ..Facts::default()
        };
        let r = one(c.clone(), &with(Some("woman")));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-sex-met"));
        assert_eq!(args(&r), [("sex", "woman"), ("sexes", "woman, non_binary")]);
        assert_eq!(one(c.clone(), &with(Some("man"))).met, Some(false));
        assert_eq!(one(c, &with(None)).met, None);
    }

    #[test]
    fn education() {
        let with = |l| Facts {
            isced: l,
            ..Facts::default()
        };
        let most = Criterion::EducationAtMost { isced: 2 };
        let least = Criterion::EducationAtLeast { isced: 3 };
        let r = one(most.clone(), &with(Some(2)));
        assert_eq!(
            (r.met, r.key),
            (Some(true), "eligibility-education-at-most-met")
        );
        assert_eq!(args(&r), [("isced", "2"), ("max", "2")]);
        assert_eq!(one(most.clone(), &with(Some(3))).met, Some(false));
        assert_eq!(one(least.clone(), &with(Some(3))).met, Some(true));
        let r = one(least.clone(), &with(Some(1)));
        assert_eq!(
            (r.met, r.key),
            (Some(false), "eligibility-education-at-least-not-met")
        );
        assert_eq!(one(most, &with(None)).key, "eligibility-education-unknown");
        assert_eq!(one(least, &with(None)).met, None);
    }

    #[test]
    fn any_of_needs_one_alternative() {
        let c = Criterion::AnyOf {
            criteria: vec![young(), long_term()],
        };
        let older = date(1980, 1, 1);
        let facts = |born, since| Facts {
            birth_date: born,
            unemployed_since: since,
            ..Facts::default()
        };
        // Too old, but long-term unemployed.
        let r = one(c.clone(), &facts(Some(older), Some(date(2024, 1, 1))));
        assert_eq!((r.met, r.key), (Some(true), "eligibility-any-of-met"));
        assert_eq!(args(&r), [("count", "2")]);
        assert_eq!(r.alternatives.len(), 2);
        assert_eq!(r.alternatives[0].met, Some(false));
        // Young, unemployment unknown: one alternative holds, so the rest does not matter.
        let r = one(c.clone(), &facts(Some(date(2000, 1, 1)), None));
        assert_eq!(r.met, Some(true));
        // Too old and unemployment unknown: cannot tell.
        let r = one(c.clone(), &facts(Some(older), None));
        assert_eq!((r.met, r.key), (None, "eligibility-any-of-unknown"));
        // Neither.
        let r = one(c, &facts(Some(older), Some(date(2026, 10, 1))));
        assert_eq!((r.met, r.key), (Some(false), "eligibility-any-of-not-met"));
    }

    #[test]
    fn outcomes_aggregate() {
        let r = rules(vec![
            young(),
            Criterion::IncomeGuaranteeRecipient,
            Criterion::Migrant,
        ]);
        let base = Facts {
            birth_date: Some(date(2000, 5, 5)),
            income_guarantee: Some(true),
            nationality: Some("RO".into()),
            ..Facts::default()
        };
        let a = evaluate(&r, &base, today());
        assert_eq!(a.outcome, Outcome::Eligible);
        assert_eq!(a.reasons.len(), 3);
        // One unknown, the rest met: cannot tell.
        let unknown = Facts {
            income_guarantee: None,
            ..base.clone()
        };
        assert_eq!(evaluate(&r, &unknown, today()).outcome, Outcome::Unknown);
        // One failing is a "no" even with unknowns.
        let failing = Facts {
            nationality: Some("ES".into()),
            ..unknown
        };
        let a = evaluate(&r, &failing, today());
        assert_eq!(a.outcome, Outcome::NotEligible);
        assert_eq!(
            a.reasons.iter().map(|r| r.met).collect::<Vec<_>>(),
            [Some(true), None, Some(false)]
        );
        // No rules: open to everyone, whatever is known.
        let a = evaluate(&Rules::default(), &Facts::default(), today());
        assert_eq!(a.outcome, Outcome::Eligible);
        assert_eq!(a.reasons[0].key, "eligibility-open-to-all");
        assert_eq!(outcome_key(Outcome::Unknown), "eligibility-outcome-unknown");
    }

    #[test]
    fn json_round_trip() {
        let r = rules(vec![
            Criterion::AnyOf {
                criteria: vec![young(), long_term()],
            },
            Criterion::LivesIn {
                neighbourhoods: vec!["3.01".into()],
            },
            Criterion::IncomeGuaranteeRecipient,
            Criterion::AgeBetween {
                min: None,
                max: Some(64),
            },
        ]);
        let json = r.to_json();
        assert!(
            json.contains(r#"{"kind":"income_guarantee_recipient"}"#),
            "{json}"
        );
        assert!(json.contains(r#""kind":"any_of""#), "{json}");
        assert_eq!(Rules::parse_json(&json), Ok(r));
        let typed = r#"{"all_of":[{"kind":"age_between","max":29},{"kind":"migrant"},
            {"kind":"disability","min_percent":33}]}"#;
        assert_eq!(
            Rules::parse_json(typed).map(|r| r.all_of[0].clone()),
            Ok(Criterion::AgeBetween {
                min: None,
                max: Some(29)
            })
        );
        assert_eq!(Rules::parse_json("{}"), Ok(Rules::default()));
    }

    #[test]
    fn json_refuses_unknown_kinds_and_fields() {
        for bad in [
            r#"{"all_of":[{"kind":"owns_a_car"}]}"#,
            r#"{"all_of":[{"kind":"migrant","country":"MA"}]}"#,
            r#"{"all_of":[{"kind":"income_guarantee_recipient","since":"2024"}]}"#,
            r#"{"all_of":[{"kind":"age_between","min":18,"maximum":29}]}"#,
            r#"{"all_of":[{"min":18}]}"#,
            r#"{"all_of":[],"any_of":[]}"#,
            r#"{"all_of":[{"kind":"disability","min_percent":-1}]}"#,
            r#"{"all_of":[{"kind":"unemployed_for_at_least"}]}"#,
            "not json",
        ] {
            assert_eq!(
                Rules::parse_json(bad),
                Err("error-eligibility-json"),
                "{bad}"
            );
        }
    }

    #[test]
    fn validate_errors() {
        let check = |c: Criterion| rules(vec![c]).validate();
        assert_eq!(
            check(Criterion::AgeBetween {
                min: Some(30),
                max: Some(18)
            }),
            Err("error-eligibility-age-range")
        );
        assert_eq!(
            check(Criterion::AgeBetween {
                min: None,
                max: None
            }),
            Err("error-eligibility-age-range")
        );
        assert_eq!(
            check(Criterion::EducationAtLeast { isced: 9 }),
            Err("error-eligibility-isced")
        );
        assert_eq!(check(Criterion::EducationAtMost { isced: 8 }), Ok(()));
        assert_eq!(
            check(Criterion::Disability { min_percent: 101 }),
            Err("error-eligibility-percent")
        );
        assert_eq!(
            check(Criterion::UnemployedForAtLeast { months: 601 }),
            Err("error-eligibility-months")
        );
        assert_eq!(
            check(Criterion::UnemployedForAtLeast { months: 0 }),
            Err("error-eligibility-months")
        );
        assert_eq!(
            check(Criterion::LivesIn {
                neighbourhoods: vec![]
            }),
            Err("error-eligibility-neighbourhoods")
        );
        assert_eq!(
            check(Criterion::LivesIn {
                neighbourhoods: vec!["Otxarkoaga".into()]
            }),
            Err("error-eligibility-neighbourhoods")
        );
        assert_eq!(
            check(Criterion::Sex {
                any_of: vec!["female".into()]
            }),
            Err("error-eligibility-sex")
        );
        assert_eq!(
            check(Criterion::AnyOf { criteria: vec![] }),
            Err("error-eligibility-any-of-empty")
        );
        assert_eq!(
            check(Criterion::AnyOf {
                criteria: vec![Criterion::AnyOf {
                    criteria: vec![young()]
                }]
            }),
            Err("error-eligibility-nested")
        );
        assert_eq!(
            check(Criterion::AnyOf {
                criteria: vec![Criterion::EducationAtMost { isced: 12 }]
            }),
            Err("error-eligibility-isced")
        );
        assert_eq!(
            rules(vec![Criterion::Migrant; 21]).validate(),
            Err("error-eligibility-too-many")
        );
        assert_eq!(rules(vec![Criterion::Migrant; 20]).validate(), Ok(()));
        let nested = Criterion::AnyOf {
            criteria: vec![Criterion::Migrant; 10],
        };
        assert_eq!(
            rules(vec![nested.clone(), nested]).validate(),
            Err("error-eligibility-too-many")
        );
        let json = r#"{"all_of":[{"kind":"education_at_most","isced":9}]}"#;
        assert_eq!(Rules::parse_json(json), Err("error-eligibility-isced"));
    }

    #[test]
    fn describe_reads_the_rules() {
        let r = rules(vec![
            young(),
            Criterion::AnyOf {
                criteria: vec![long_term(), Criterion::Migrant],
            },
        ]);
        let d = describe(&r);
        let keys: Vec<&str> = d.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "eligibility-rule-age-between",
                "eligibility-rule-any-of",
                "eligibility-rule-unemployed",
                "eligibility-rule-migrant"
            ]
        );
        assert_eq!(d[0].1, vec![arg("min", 18), arg("max", 29)]);
        assert_eq!(d[1].1, vec![arg("count", 2)]);
        assert_eq!(
            describe(&Rules::default())[0].0,
            "eligibility-rule-open-to-all"
        );
    }

    /// Every key the functions return is listed, so the templates crate can check the locales.
    #[test]
    fn every_returned_key_is_listed() {
        let criteria = vec![
            young(),
            Criterion::AgeBetween {
                min: Some(18),
                max: None,
            },
            Criterion::AgeBetween {
                min: None,
                max: Some(29),
            },
            Criterion::LivesIn {
                neighbourhoods: vec!["3.01".into()],
            },
            long_term(),
            Criterion::IncomeGuaranteeRecipient,
            Criterion::Migrant,
            Criterion::Disability { min_percent: 33 },
            Criterion::Sex {
                any_of: vec!["woman".into()],
            },
            Criterion::EducationAtMost { isced: 2 },
            Criterion::EducationAtLeast { isced: 3 },
            Criterion::AnyOf {
                criteria: vec![young(), long_term()],
            },
        ];
        let facts = [
            Facts::default(),
            Facts {
                birth_date: Some(date(2000, 1, 1)),
                neighbourhood: Some("3.01".into()),
                sex: Some("woman".into()),
                nationality: Some("MA".into()),
                unemployed_since: Some(date(2020, 1, 1)),
                income_guarantee: Some(true),
                disability_percent: Some(40),
                isced: Some(2),
            },
            Facts {
                birth_date: Some(date(1950, 1, 1)),
                neighbourhood: Some("1.01".into()),
                sex: Some("man".into()),
                nationality: Some("ES".into()),
                unemployed_since: Some(date(2026, 11, 1)),
                income_guarantee: Some(false),
                disability_percent: Some(0),
                isced: Some(5),
            },
            Facts {
                birth_date: Some(date(2015, 1, 1)),
                isced: Some(0),
                ..Facts::default()
            },
        ];
        let mut seen = std::collections::BTreeSet::new();
        for f in &facts {
            for c in &criteria {
                let a = evaluate(&rules(vec![c.clone()]), f, today());
                seen.insert(outcome_key(a.outcome));
                for r in &a.reasons {
                    seen.insert(r.key);
                    seen.extend(r.alternatives.iter().map(|r| r.key));
                }
            }
        }
        seen.insert(evaluate(&Rules::default(), &Facts::default(), today()).reasons[0].key);
        seen.extend(describe(&rules(criteria)).into_iter().map(|(k, _)| k));
        seen.extend(describe(&Rules::default()).into_iter().map(|(k, _)| k));
        for k in &seen {
            assert!(MESSAGE_KEYS.contains(k), "{k} is not in MESSAGE_KEYS");
        }
        // And every listed non-error key is reachable.
        for k in MESSAGE_KEYS.iter().filter(|k| !k.starts_with("error-")) {
            assert!(seen.contains(k), "{k} is never returned");
        }
    }
}
