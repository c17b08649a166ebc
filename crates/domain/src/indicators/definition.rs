//! An indicator as data: a numerator and an optional denominator, each a measure over one of
//! Elkarlan's record sources, with filters over that source's known fields. Definitions are parsed
//! from JSON (`DefinitionSpec`) and validated into `IndicatorDefinition`; every problem found is a
//! message key on the field path that caused it (for instance `denominator.filters[1].value`).
//!
//! `evaluate` computes a definition over plain in-memory rows, so the semantics are pinned by tests;
//! the store compiles the same definitions to SQL and must agree with it.

use crate::FieldErrors;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Every message key this module (and the catalogue) can produce.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-period-date-format",
    "error-period-end-before-start",
    "error-disaggregation-unknown",
    "error-disaggregation-unavailable",
    "error-indicator-definition-format",
    "error-indicator-code",
    "error-indicator-code-duplicate",
    "error-indicator-name-required",
    "error-indicator-unit-unknown",
    "error-indicator-source-unknown",
    "error-indicator-field-unknown",
    "error-indicator-field-not-date",
    "error-indicator-field-not-numeric",
    "error-indicator-field-required",
    "error-indicator-field-not-allowed",
    "error-indicator-aggregate-unknown",
    "error-indicator-person-unavailable",
    "error-indicator-filter-op-unknown",
    "error-indicator-filter-value-missing",
    "error-indicator-filter-value-type",
    "error-indicator-numerator-always-zero",
    "error-indicator-denominator-always-zero",
    "error-indicator-denominator-required",
    "error-indicator-denominator-not-allowed",
    "error-indicator-period-rule",
    "error-indicator-sensitivity-unknown",
    "error-indicator-direction-unknown",
    "error-indicator-figure-range",
    "error-indicator-target-year",
    "error-indicator-plan-required",
    "error-indicator-plan-version",
    "indicator-no-data",
    "indicator-division-by-zero",
];

// ---------------------------------------------------------------------------------------------
// Periods

/// A closed range of days, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Parses two `YYYY-MM-DD` days; the error is the message key to show.
    pub fn parse(start: &str, end: &str) -> Result<Period, &'static str> {
        let start = parse_day(start)?;
        let end = parse_day(end)?;
        Period::new(start, end)
    }

    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period, &'static str> {
        if end < start {
            return Err("error-period-end-before-start");
        }
        Ok(Period { start, end })
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Whether a record active from `from` until `until` (open when `None`) overlaps the period.
    pub fn overlaps(self, from: NaiveDate, until: Option<NaiveDate>) -> bool {
        from <= self.end && until.is_none_or(|u| u >= self.start)
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, &'static str> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| "error-period-date-format")
}

// ---------------------------------------------------------------------------------------------
// Closed lists

code_list!(
    /// How a value is read.
    Unit, "indicator-unit", "error-indicator-unit-unknown" {
        Count => "count",
        Percent => "percent",
        Permille => "permille",
        Ratio => "ratio",
        Days => "days",
        Euros => "euros",
    }
);

impl Unit {
    /// Units that are a share of a denominator, and so need one.
    pub fn needs_denominator(self) -> bool {
        matches!(self, Unit::Percent | Unit::Permille | Unit::Ratio)
    }

    /// The factor a numerator/denominator is multiplied by to show it.
    pub fn scale(self) -> i64 {
        match self {
            Unit::Percent => 100,
            Unit::Permille => 1000,
            _ => 1,
        }
    }

    /// What a measure's figures are divided by to show them: euros are summed as cents.
    pub fn divisor(self) -> i64 {
        match self {
            Unit::Euros => 100,
            _ => 1,
        }
    }
}

code_list!(
    /// The dimensions a value can be broken down by.
    Disaggregation, "indicator-disaggregation", "error-disaggregation-unknown" {
        District => "district",
        Neighbourhood => "neighbourhood",
        Sex => "sex",
        AgeBand => "age_band",
        Origin => "origin",
    }
);

code_list!(
    /// Sensitive indicators (about people in exclusion, health, origin) get stricter disclosure control.
    Sensitivity, "indicator-sensitivity", "error-indicator-sensitivity-unknown" {
        Ordinary => "ordinary",
        Sensitive => "sensitive",
    }
);

code_list!(
    /// Which way is progress.
    Direction, "indicator-direction", "error-indicator-direction-unknown" {
        HigherIsBetter => "higher_is_better",
        LowerIsBetter => "lower_is_better",
    }
);

code_list!(
    /// How a measure's rows become one number.
    Aggregate, "indicator-aggregate", "error-indicator-aggregate-unknown" {
        Count => "count",
        CountDistinctPerson => "count_distinct_person",
        Sum => "sum",
        Median => "median",
    }
);

code_list!(
    /// The records an indicator can count. Fields marked "derived" in `Source::fields` are
    /// computed by the store when it reads the source (a person's age band on the period's last
    /// day, a referral's days to answer...).
    Source, "indicator-source", "error-indicator-source-unknown" {
        People => "people",
        Cases => "cases",
        Referrals => "referrals",
        PlanGoals => "plan_goals",
        PlanActions => "plan_actions",
        Itineraries => "itineraries",
        Enrolments => "enrolments",
        Placements => "placements",
        FollowUps => "follow_ups",
        Agreements => "agreements",
        Commitments => "commitments",
        Contracts => "contracts",
        Lots => "lots",
        SocialClauses => "social_clauses",
        ComplianceChecks => "compliance_checks",
        Organisations => "organisations",
        SseProfiles => "sse_profiles",
        Ventures => "ventures",
    }
);

/// The type of a source's field, and so of the values a filter on it may compare with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
    Bool,
    Date,
    /// Text from a closed list of codes.
    Code(&'static [&'static str]),
}

const SEX: FieldType = Code(&["woman", "man", "non_binary", "not_recorded"]);
const AGE_BAND: FieldType = Code(&["under_25", "25_29", "30_44", "45_54", "55_plus"]);
const ORIGIN: FieldType = Code(&["local", "rest_of_spain", "eu", "non_eu", "unknown"]);
const LEGAL_FORM: FieldType = Code(&[
    "cooperative",
    "insertion_company",
    "special_employment_centre",
    "labour_company",
    "association",
    "foundation",
    "mutual_society",
    "fishermen_guild",
    "company",
    "self_employed",
    "university",
    "public_body",
    "other",
]);
const RESERVATION: FieldType = Code(&[
    "not_reserved",
    "insertion_companies",
    "special_employment_centres",
    "both",
]);

use FieldType::{Bool, Code, Date, Integer, Text};

/// Fields every source about a person carries (joined from the person by the store).
const PERSON_FIELDS: &[(&str, FieldType)] = &[
    ("person_id", Text),
    ("sex", SEX),
    ("age_band", AGE_BAND),
    ("origin", ORIGIN),
    ("district", Text),
    ("neighbourhood", Text),
];

/// Fields of a source tied to an area but not to a person.
const AREA_FIELDS: &[(&str, FieldType)] = &[("district", Text), ("neighbourhood", Text)];

impl Source {
    /// Whether each row is about one person (and so can be counted by distinct person and
    /// broken down by sex, age band and origin).
    pub fn has_person(self) -> bool {
        matches!(
            self,
            Source::People
                | Source::Cases
                | Source::Referrals
                | Source::PlanGoals
                | Source::PlanActions
                | Source::Itineraries
                | Source::Enrolments
                | Source::Placements
                | Source::FollowUps
        )
    }

    /// Whether each row is tied to an area (a district and neighbourhood).
    pub fn has_area(self) -> bool {
        self.has_person()
            || matches!(
                self,
                Source::Organisations | Source::SseProfiles | Source::Ventures
            )
    }

    pub fn disaggregations(self) -> &'static [Disaggregation] {
        use Disaggregation as D;
        if self.has_person() {
            D::ALL
        } else if self.has_area() {
            &[D::District, D::Neighbourhood]
        } else {
            &[]
        }
    }

    /// The source's own fields (the person or area fields come on top, see `field`).
    fn own_fields(self) -> &'static [(&'static str, FieldType)] {
        match self {
            Source::People => &[("registered_on", Date)],
            Source::Cases => &[
                ("status", Code(&["open", "active", "on_hold", "closed"])),
                ("closure_reason", Text),
                ("opened_on", Date),
                ("closed_on", Date),
                // derived: at least one agreed plan goal or action shared by two or more agencies
                ("has_joint_plan", Bool),
                // derived: agencies in the case team
                ("agencies", Integer),
            ],
            Source::Referrals => &[
                (
                    "status",
                    Code(&[
                        "sent",
                        "accepted",
                        "declined",
                        "in_progress",
                        "completed",
                        "withdrawn",
                    ]),
                ),
                ("urgency", Code(&["routine", "priority", "urgent"])),
                ("outcome", Text),
                ("sent_on", Date),
                ("due_on", Date),
                ("answered_on", Date),
                // derived: whole days from sent to answered; null while unanswered
                ("response_days", Integer),
                // derived: answered after the due day, or unanswered past it
                ("late", Bool),
            ],
            Source::PlanGoals => &[
                ("status", Code(&["open", "achieved", "dropped"])),
                ("domain", Text),
                ("created_on", Date),
            ],
            Source::PlanActions => &[
                (
                    "status",
                    Code(&["pending", "in_progress", "done", "cancelled"]),
                ),
                ("due_on", Date),
                ("done_on", Date),
                // derived: done on or before its due day
                ("on_time", Bool),
                ("created_on", Date),
            ],
            Source::Itineraries => &[
                ("status", Code(&["active", "completed", "dropped_out"])),
                ("opened_on", Date),
                ("closed_on", Date),
                // derived: long-term unemployed (12 months or more) when the itinerary opened
                ("long_term_unemployed", Bool),
                // derived: receives the income guarantee (RGI/IMV)
                ("income_guarantee", Bool),
            ],
            Source::Enrolments => &[
                ("status", Code(&["enrolled", "completed", "dropped_out"])),
                ("enrolled_on", Date),
                ("closed_on", Date),
                ("dropout_reason", Text),
                ("certificate", Text),
            ],
            Source::Placements => &[
                ("contract_type", Text),
                ("sector", Text),
                ("starts_on", Date),
                ("ends_on", Date),
                ("weekly_hours_centi", Integer),
                ("social_clause_id", Text),
                ("agreement_commitment_id", Text),
                // derived: long-term unemployed (12 months or more) when the placement started
                ("long_term_unemployed", Bool),
            ],
            Source::FollowUps => &[
                ("months", Integer),
                ("due_on", Date),
                ("checked_on", Date),
                ("still_employed", Bool),
                ("same_employer", Bool),
            ],
            Source::Agreements => &[
                (
                    "kind",
                    Code(&["private_partnership", "public_collaboration"]),
                ),
                (
                    "status",
                    Code(&[
                        "draft",
                        "signed",
                        "active",
                        "expired",
                        "renewed",
                        "terminated",
                    ]),
                ),
                ("signed_on", Date),
                ("starts_on", Date),
                ("ends_on", Date),
                ("budget_cents", Integer),
            ],
            Source::Commitments => &[
                (
                    "kind",
                    Code(&["hire_participants", "offer_practicum_places", "other"]),
                ),
                ("status", Code(&["open", "met", "missed", "waived"])),
                ("agreement_id", Text),
                ("social_clause_id", Text),
                ("due_on", Date),
                ("target", Integer),
                ("recorded_progress", Integer),
            ],
            Source::Contracts => &[
                ("category", Code(&["goods", "works", "services"])),
                (
                    "procedure",
                    Code(&[
                        "open",
                        "simplified_open",
                        "restricted",
                        "negotiated",
                        "minor",
                        "innovation_partnership",
                    ]),
                ),
                (
                    "status",
                    Code(&[
                        "planned",
                        "tendering",
                        "awarded",
                        "in_execution",
                        "completed",
                        "cancelled",
                    ]),
                ),
                ("reservation", RESERVATION),
                ("amount_cents", Integer),
                ("awarded_cents", Integer),
                ("published_on", Date),
                ("awarded_on", Date),
                ("starts_on", Date),
                ("ends_on", Date),
                // derived: at least one social clause on the contract or its lots
                ("has_social_clause", Bool),
                // derived: the awardee's legal form
                ("awardee_legal_form", LEGAL_FORM),
            ],
            Source::Lots => &[
                ("reservation", RESERVATION),
                ("amount_cents", Integer),
                ("awarded_cents", Integer),
                // derived: the contract's award day
                ("awarded_on", Date),
                ("awardee_legal_form", LEGAL_FORM),
            ],
            Source::SocialClauses => &[
                (
                    "stage",
                    Code(&[
                        "specification",
                        "selection",
                        "award_criterion",
                        "execution_condition",
                    ]),
                ),
                (
                    "purpose",
                    Code(&[
                        "hiring_at_risk",
                        "gender_equality",
                        "accessibility",
                        "sse_subcontracting",
                        "decent_work",
                        "local_training",
                        "environmental",
                    ]),
                ),
                ("weight_percent", Integer),
                ("created_on", Date),
            ],
            Source::ComplianceChecks => &[
                (
                    "verdict",
                    Code(&["compliant", "partially_compliant", "non_compliant"]),
                ),
                ("checked_on", Date),
                ("penalty_cents", Integer),
            ],
            Source::Organisations => &[
                ("legal_form", LEGAL_FORM),
                ("sector", Text),
                ("pole_member", Bool),
                ("pole_member_since", Date),
                ("registered_on", Date),
                // derived: a social and solidarity economy legal form
                ("sse", Bool),
            ],
            Source::SseProfiles => &[
                ("year", Integer),
                // derived: the 31 December of `year`, so profiles fall in a period
                ("year_end", Date),
                ("legal_form", LEGAL_FORM),
                ("workforce", Integer),
                ("women", Integer),
                ("women_in_responsibility", Integer),
                ("people_in_responsibility", Integer),
                ("hired_from_exclusion", Integer),
                ("permanent_contracts", Integer),
                ("ethical_finance", Bool),
                ("volunteers", Integer),
            ],
            Source::Ventures => &[
                (
                    "stage",
                    Code(&["idea", "incubation", "constituted", "operating"]),
                ),
                ("started_on", Date),
                ("organisation_id", Text),
                ("promoters", Integer),
            ],
        }
    }

    /// The type of a field of this source, own or joined; `None` when the source has no such field.
    pub fn field(self, name: &str) -> Option<FieldType> {
        let joined: &[(&str, FieldType)] = if self.has_person() {
            PERSON_FIELDS
        } else if self.has_area() {
            AREA_FIELDS
        } else {
            &[]
        };
        self.own_fields()
            .iter()
            .chain(joined)
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    }

    /// Every field name of this source.
    pub fn field_names(self) -> Vec<&'static str> {
        let joined: &[(&str, FieldType)] = if self.has_person() {
            PERSON_FIELDS
        } else if self.has_area() {
            AREA_FIELDS
        } else {
            &[]
        };
        self.own_fields()
            .iter()
            .chain(joined)
            .map(|(n, _)| *n)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Values in rows and filters

/// A typed value in a row or a filter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Integer(i64),
    Date(NaiveDate),
    Text(String),
}

impl FieldValue {
    /// Reads a JSON filter value as a value of the field's type; the error is the message key.
    fn from_json(t: FieldType, v: &serde_json::Value) -> Result<FieldValue, &'static str> {
        const WRONG: &str = "error-indicator-filter-value-type";
        match (t, v) {
            (Text, serde_json::Value::String(s)) => Ok(FieldValue::Text(s.clone())),
            (Code(codes), serde_json::Value::String(s)) if codes.contains(&s.as_str()) => {
                Ok(FieldValue::Text(s.clone()))
            }
            (Integer, serde_json::Value::Number(n)) => {
                n.as_i64().map(FieldValue::Integer).ok_or(WRONG)
            }
            (Bool, serde_json::Value::Bool(b)) => Ok(FieldValue::Bool(*b)),
            (Date, serde_json::Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(FieldValue::Date)
                .map_err(|_| WRONG),
            _ => Err(WRONG),
        }
    }

    fn as_date(&self) -> Option<NaiveDate> {
        match self {
            FieldValue::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub(crate) fn as_integer(&self) -> Option<i64> {
        match self {
            FieldValue::Integer(i) => Some(*i),
            FieldValue::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }
}

/// One record of a source, as the store (or a test) hands it to `evaluate`. A missing field reads as null.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row(pub BTreeMap<&'static str, FieldValue>);

impl Row {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, field: &'static str, value: FieldValue) -> Self {
        self.0.insert(field, value);
        self
    }

    pub fn text(self, field: &'static str, value: &str) -> Self {
        self.with(field, FieldValue::Text(value.to_owned()))
    }

    pub fn int(self, field: &'static str, value: i64) -> Self {
        self.with(field, FieldValue::Integer(value))
    }

    pub fn bool(self, field: &'static str, value: bool) -> Self {
        self.with(field, FieldValue::Bool(value))
    }

    pub fn date(self, field: &'static str, value: NaiveDate) -> Self {
        self.with(field, FieldValue::Date(value))
    }

    pub fn get(&self, field: &str) -> &FieldValue {
        self.0.get(field).unwrap_or(&FieldValue::Null)
    }
}

// ---------------------------------------------------------------------------------------------
// The definition as written (JSON)

/// Names in the three languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub eu: String,
    pub es: String,
    pub en: String,
}

/// A filter as written: `{"field": "status", "op": "eq", "value": "completed"}`; ops are
/// `eq`, `in` (with `values`), `is_null`, `not_null` and `within` (a date field inside the period).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    pub field: String,
    pub op: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<serde_json::Value>>,
}

/// Which rows fall in a period: `{"within": "starts_on"}` (the day is in the period) or
/// `{"from": "starts_on", "until": "ends_on"}` (the record is active at some point of the period;
/// `until` may be omitted or null in a row for records still active).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodRuleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    pub source: String,
    pub aggregate: String,
    /// The field summed or whose median is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default)]
    pub filters: Vec<FilterSpec>,
    pub period: PeriodRuleSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectiveSpec {
    pub start: String,
    pub end: String,
}

/// A target for one calendar year, in the unit shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearTargetSpec {
    pub year: i32,
    pub value: f64,
}

/// An indicator definition as written in the catalogue or sent to the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionSpec {
    pub code: String,
    pub name: Names,
    pub unit: String,
    pub numerator: MeasureSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<MeasureSpec>,
    #[serde(default)]
    pub disaggregations: Vec<String>,
    pub sensitivity: String,
    /// In the unit shown (a percent as 42.5, euros as 1200.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Targets for single years of the plan (IATI's target per period); `target` is the plan's
    /// end target and applies to periods without their own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<YearTargetSpec>,
    pub direction: String,
    pub plan: String,
    pub plan_version: u32,
    pub effective: EffectiveSpec,
}

// ---------------------------------------------------------------------------------------------
// The validated definition

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    Eq(&'static str, FieldValue),
    In(&'static str, Vec<FieldValue>),
    IsNull(&'static str),
    NotNull(&'static str),
    Within(&'static str),
}

impl Filter {
    pub fn field(&self) -> &'static str {
        match self {
            Filter::Eq(f, _)
            | Filter::In(f, _)
            | Filter::IsNull(f)
            | Filter::NotNull(f)
            | Filter::Within(f) => f,
        }
    }

    pub(crate) fn matches(&self, row: &Row, period: Period) -> bool {
        match self {
            Filter::Eq(f, v) => row.get(f) == v,
            Filter::In(f, vs) => vs.contains(row.get(f)),
            Filter::IsNull(f) => *row.get(f) == FieldValue::Null,
            Filter::NotNull(f) => *row.get(f) != FieldValue::Null,
            Filter::Within(f) => row.get(f).as_date().is_some_and(|d| period.contains(d)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodRule {
    Within(&'static str),
    Active {
        from: &'static str,
        until: Option<&'static str>,
    },
}

impl PeriodRule {
    pub(crate) fn matches(self, row: &Row, period: Period) -> bool {
        match self {
            PeriodRule::Within(f) => row.get(f).as_date().is_some_and(|d| period.contains(d)),
            PeriodRule::Active { from, until } => {
                let Some(from) = row.get(from).as_date() else {
                    return false;
                };
                period.overlaps(from, until.and_then(|u| row.get(u).as_date()))
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    pub source: Source,
    pub aggregate: Aggregate,
    pub field: Option<&'static str>,
    pub filters: Vec<Filter>,
    pub period: PeriodRule,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorDefinition {
    pub code: String,
    pub name: Names,
    pub unit: Unit,
    pub numerator: Measure,
    pub denominator: Option<Measure>,
    pub disaggregations: Vec<Disaggregation>,
    pub sensitivity: Sensitivity,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// Targets by calendar year, within the effective period.
    pub yearly_targets: BTreeMap<i32, f64>,
    pub direction: Direction,
    pub plan: String,
    pub plan_version: u32,
    pub effective: Period,
}

impl IndicatorDefinition {
    /// The target that applies to a period: the year's own when the period lies within one
    /// calendar year that has one, else the plan's target.
    pub fn target_for(&self, period: Period) -> Option<f64> {
        let year = period.start.year();
        (year == period.end.year())
            .then(|| self.yearly_targets.get(&year).copied())
            .flatten()
            .or(self.target)
    }

    /// Parses a JSON definition and validates it.
    pub fn from_json(json: &str) -> Result<IndicatorDefinition, FieldErrors> {
        let spec: DefinitionSpec = serde_json::from_str(json).map_err(|_| {
            let mut e = FieldErrors::new();
            e.add("definition", "error-indicator-definition-format");
            e
        })?;
        spec.validate()
    }
}

fn known_field(source: Source, name: &str) -> Option<(&'static str, FieldType)> {
    let t = source.field(name)?;
    source
        .field_names()
        .into_iter()
        .find(|n| *n == name)
        .map(|n| (n, t))
}

fn code_ok(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

impl DefinitionSpec {
    /// Checks every field; the errors name the field path and the message key.
    pub fn validate(&self) -> Result<IndicatorDefinition, FieldErrors> {
        let mut e = FieldErrors::new();
        if !code_ok(&self.code) {
            e.add("code", "error-indicator-code");
        }
        for (lang, name) in [
            ("eu", &self.name.eu),
            ("es", &self.name.es),
            ("en", &self.name.en),
        ] {
            if name.trim().is_empty() {
                e.add(&format!("name.{lang}"), "error-indicator-name-required");
            }
        }
        let unit = e.take("unit", Unit::parse(&self.unit));
        let sensitivity = e.take("sensitivity", Sensitivity::parse(&self.sensitivity));
        let direction = e.take("direction", Direction::parse(&self.direction));
        if self.plan.trim().is_empty() {
            e.add("plan", "error-indicator-plan-required");
        }
        if self.plan_version == 0 {
            e.add("plan_version", "error-indicator-plan-version");
        }
        let effective = e.take(
            "effective",
            Period::parse(&self.effective.start, &self.effective.end),
        );

        let numerator = validate_measure(&self.numerator, "numerator", &mut e);
        let denominator = self
            .denominator
            .as_ref()
            .and_then(|d| validate_measure(d, "denominator", &mut e));
        if let Some(n) = &numerator
            && always_empty(n)
        {
            e.add("numerator.filters", "error-indicator-numerator-always-zero");
        }
        if let Some(d) = &denominator
            && always_empty(d)
        {
            e.add(
                "denominator.filters",
                "error-indicator-denominator-always-zero",
            );
        }
        if let Some(unit) = unit {
            if unit.needs_denominator() && self.denominator.is_none() {
                e.add("denominator", "error-indicator-denominator-required");
            }
            if !unit.needs_denominator() && self.denominator.is_some() {
                e.add("denominator", "error-indicator-denominator-not-allowed");
            }
            if numerator
                .as_ref()
                .is_some_and(|n| n.aggregate == Aggregate::Median)
                && self.denominator.is_some()
            {
                e.add("denominator", "error-indicator-denominator-not-allowed");
            }
            let figures = [
                ("baseline".to_owned(), self.baseline),
                ("target".to_owned(), self.target),
            ]
            .into_iter()
            .chain(
                self.targets
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("targets[{i}].value"), Some(t.value))),
            );
            for (field, figure) in figures {
                if let Some(x) = figure {
                    let max = match unit {
                        Unit::Percent => 100.0,
                        Unit::Permille => 1000.0,
                        _ => f64::MAX,
                    };
                    if !x.is_finite() || x < 0.0 || x > max {
                        e.add(&field, "error-indicator-figure-range");
                    }
                }
            }
        }
        let mut yearly_targets = BTreeMap::new();
        for (i, t) in self.targets.iter().enumerate() {
            let inside = effective
                .is_some_and(|p: Period| (p.start.year()..=p.end.year()).contains(&t.year));
            if !inside || yearly_targets.insert(t.year, t.value).is_some() {
                e.add(&format!("targets[{i}].year"), "error-indicator-target-year");
            }
        }

        let mut disaggregations = Vec::new();
        for (i, d) in self.disaggregations.iter().enumerate() {
            let field = format!("disaggregations[{i}]");
            let Some(d) = e.take(&field, Disaggregation::parse(d)) else {
                continue;
            };
            let available = |m: &Option<Measure>| {
                m.as_ref()
                    .is_none_or(|m| m.source.disaggregations().contains(&d))
            };
            if !available(&numerator) || !available(&denominator) {
                e.add(&field, "error-disaggregation-unavailable");
            } else if !disaggregations.contains(&d) {
                disaggregations.push(d);
            }
        }

        e.clone().into_result()?;
        match (unit, sensitivity, direction, effective, numerator) {
            (Some(unit), Some(sensitivity), Some(direction), Some(effective), Some(numerator)) => {
                Ok(IndicatorDefinition {
                    code: self.code.clone(),
                    name: self.name.clone(),
                    unit,
                    numerator,
                    denominator,
                    disaggregations,
                    sensitivity,
                    baseline: self.baseline,
                    target: self.target,
                    yearly_targets,
                    direction,
                    plan: self.plan.trim().to_owned(),
                    plan_version: self.plan_version,
                    effective,
                })
            }
            _ => Err(e),
        }
    }
}

fn validate_measure(m: &MeasureSpec, path: &str, e: &mut FieldErrors) -> Option<Measure> {
    let source = e.take(&format!("{path}.source"), Source::parse(&m.source))?;
    let before = e.0.len();
    let aggregate = e.take(&format!("{path}.aggregate"), Aggregate::parse(&m.aggregate));
    let field_path = format!("{path}.field");
    let field = match (aggregate, &m.field) {
        (Some(Aggregate::Sum | Aggregate::Median), None) => {
            e.add(&field_path, "error-indicator-field-required");
            None
        }
        (Some(Aggregate::Sum | Aggregate::Median), Some(f)) => match known_field(source, f) {
            Some((name, Integer)) => Some(name),
            Some(_) => {
                e.add(&field_path, "error-indicator-field-not-numeric");
                None
            }
            None => {
                e.add(&field_path, "error-indicator-field-unknown");
                None
            }
        },
        (Some(_), Some(_)) => {
            e.add(&field_path, "error-indicator-field-not-allowed");
            None
        }
        _ => None,
    };
    if aggregate == Some(Aggregate::CountDistinctPerson) && !source.has_person() {
        e.add(
            &format!("{path}.aggregate"),
            "error-indicator-person-unavailable",
        );
    }

    let mut filters = Vec::new();
    for (i, f) in m.filters.iter().enumerate() {
        let fp = format!("{path}.filters[{i}]");
        let Some((name, t)) = known_field(source, &f.field) else {
            e.add(&format!("{fp}.field"), "error-indicator-field-unknown");
            continue;
        };
        let value = |e: &mut FieldErrors, v: &Option<serde_json::Value>| match v {
            Some(v) => e.take(&format!("{fp}.value"), FieldValue::from_json(t, v)),
            None => {
                e.add(
                    &format!("{fp}.value"),
                    "error-indicator-filter-value-missing",
                );
                None
            }
        };
        let filter = match f.op.as_str() {
            "eq" => value(e, &f.value).map(|v| Filter::Eq(name, v)),
            "in" => match &f.values {
                Some(vs) => {
                    let parsed: Vec<_> = vs
                        .iter()
                        .filter_map(|v| value(e, &Some(v.clone())))
                        .collect();
                    (parsed.len() == vs.len()).then_some(Filter::In(name, parsed))
                }
                None => {
                    e.add(
                        &format!("{fp}.values"),
                        "error-indicator-filter-value-missing",
                    );
                    None
                }
            },
            "is_null" => Some(Filter::IsNull(name)),
            "not_null" => Some(Filter::NotNull(name)),
            "within" if t == Date => Some(Filter::Within(name)),
            "within" => {
                e.add(&format!("{fp}.field"), "error-indicator-field-not-date");
                None
            }
            _ => {
                e.add(&format!("{fp}.op"), "error-indicator-filter-op-unknown");
                None
            }
        };
        filters.extend(filter);
    }

    let date_field = |e: &mut FieldErrors, key: &str, f: &str| -> Option<&'static str> {
        match known_field(source, f) {
            Some((name, Date)) => Some(name),
            Some(_) => {
                e.add(
                    &format!("{path}.period.{key}"),
                    "error-indicator-field-not-date",
                );
                None
            }
            None => {
                e.add(
                    &format!("{path}.period.{key}"),
                    "error-indicator-field-unknown",
                );
                None
            }
        }
    };
    let p = &m.period;
    let period = match (&p.within, &p.from, &p.until) {
        (Some(w), None, None) => date_field(e, "within", w).map(PeriodRule::Within),
        (None, Some(from), until) => {
            let from = date_field(e, "from", from);
            let until = match until {
                Some(u) => date_field(e, "until", u).map(Some),
                None => Some(None),
            };
            from.zip(until)
                .map(|(from, until)| PeriodRule::Active { from, until })
        }
        _ => {
            e.add(&format!("{path}.period"), "error-indicator-period-rule");
            None
        }
    };

    if e.0.len() != before {
        return None;
    }
    Some(Measure {
        source,
        aggregate: aggregate?,
        field,
        filters,
        period: period?,
    })
}

/// Whether the filters can never all hold together: `x = a` with `x = b`, `x in []`, or a field
/// both null and compared with a value or needed by the period rule.
fn always_empty(m: &Measure) -> bool {
    let mut allowed: BTreeMap<&str, BTreeSet<&FieldValue>> = BTreeMap::new();
    let mut null: BTreeSet<&str> = BTreeSet::new();
    let mut not_null: BTreeSet<&str> = BTreeSet::new();
    match m.period {
        PeriodRule::Within(f) | PeriodRule::Active { from: f, .. } => not_null.insert(f),
    };
    for f in &m.filters {
        let set: BTreeSet<&FieldValue> = match f {
            Filter::Eq(_, v) => [v].into_iter().collect(),
            Filter::In(_, vs) => vs.iter().collect(),
            Filter::IsNull(n) => {
                null.insert(n);
                continue;
            }
            Filter::NotNull(n) | Filter::Within(n) => {
                not_null.insert(n);
                continue;
            }
        };
        not_null.insert(f.field());
        let entry = allowed.entry(f.field()).or_insert_with(|| set.clone());
        *entry = entry.intersection(&set).copied().collect();
        if entry.is_empty() {
            return true;
        }
    }
    null.intersection(&not_null).next().is_some()
}

// ---------------------------------------------------------------------------------------------
// Values

/// An exact ratio of integers: a count is `n/1`, a percent `part/whole` (scaled by the unit when
/// shown), a median of an even number of values `(a+b)/2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub numerator: i64,
    pub denominator: i64,
}

/// The value of an indicator for one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndicatorValue {
    Value(Ratio),
    /// No record of the source falls in the period (or nothing to take a median of): not zero.
    NoData,
    /// There are records, but none in the denominator.
    DivisionByZero,
}

impl IndicatorValue {
    /// The message key to show instead of a number, if any.
    pub fn message_key(self) -> Option<&'static str> {
        match self {
            IndicatorValue::Value(_) => None,
            IndicatorValue::NoData => Some("indicator-no-data"),
            IndicatorValue::DivisionByZero => Some("indicator-division-by-zero"),
        }
    }

    /// The value in the unit, with `decimals` digits rounded half away from zero:
    /// `1/3` in percent with 1 decimal is "33.3".
    pub fn format(self, unit: Unit, decimals: u32) -> String {
        let IndicatorValue::Value(r) = self else {
            return self.to_string();
        };
        let pow = 10i128.pow(decimals);
        let num = i128::from(r.numerator) * i128::from(unit.scale()) * pow;
        let den = i128::from(r.denominator) * i128::from(unit.divisor());
        if den == 0 {
            return IndicatorValue::DivisionByZero.to_string();
        }
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let q = (num.abs() * 2 + den) / (2 * den);
        let sign = if num < 0 && q != 0 { "-" } else { "" };
        if decimals == 0 {
            format!("{sign}{q}")
        } else {
            let int = q / pow;
            let frac = q % pow;
            format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
        }
    }
}

impl fmt::Display for IndicatorValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndicatorValue::Value(r) if r.denominator == 1 => write!(f, "{}", r.numerator),
            IndicatorValue::Value(r) => write!(f, "{}/{}", r.numerator, r.denominator),
            IndicatorValue::NoData => f.write_str("no data"),
            IndicatorValue::DivisionByZero => f.write_str("division by zero"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// A cell of a result: the total, or one group of the disaggregation (`"unknown"` when the
/// record does not say).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Key {
    Total,
    Group(String),
}

pub const UNKNOWN_GROUP: &str = "unknown";

pub(crate) fn group_of(row: &Row, d: Disaggregation) -> String {
    match row.get(d.code()) {
        FieldValue::Text(s) if !s.is_empty() => s.clone(),
        _ => UNKNOWN_GROUP.to_owned(),
    }
}

/// The measure over rows already in the period. `None` when there is nothing to measure
/// (no rows in the period at all, or a median of nothing).
fn measure(m: &Measure, in_period: &[&Row], period: Period) -> Option<Ratio> {
    if in_period.is_empty() {
        return None;
    }
    let rows: Vec<&Row> = in_period
        .iter()
        .copied()
        .filter(|r| m.filters.iter().all(|f| f.matches(r, period)))
        .collect();
    let whole = |n: i64| {
        Some(Ratio {
            numerator: n,
            denominator: 1,
        })
    };
    let values = || -> Vec<i64> {
        let field = m.field.unwrap_or_default();
        rows.iter()
            .filter_map(|r| r.get(field).as_integer())
            .collect()
    };
    match m.aggregate {
        Aggregate::Count => whole(i64::try_from(rows.len()).unwrap_or(i64::MAX)),
        Aggregate::CountDistinctPerson => {
            let people: BTreeSet<&FieldValue> = rows
                .iter()
                .map(|r| r.get("person_id"))
                .filter(|v| **v != FieldValue::Null)
                .collect();
            whole(i64::try_from(people.len()).unwrap_or(i64::MAX))
        }
        Aggregate::Sum => whole(values().into_iter().fold(0i64, i64::saturating_add)),
        Aggregate::Median => median(values()),
    }
}

/// The median as an exact ratio (the mean of the two middle values when their number is even);
/// `None` for no values.
pub(crate) fn median(mut v: Vec<i64>) -> Option<Ratio> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        Ratio {
            numerator: v[mid],
            denominator: 1,
        }
    } else {
        Ratio {
            numerator: v[mid - 1].saturating_add(v[mid]),
            denominator: 2,
        }
    })
}

fn value_of(
    def: &IndicatorDefinition,
    period: Period,
    num_rows: &[&Row],
    den_rows: Option<&[&Row]>,
) -> IndicatorValue {
    let Some(num) = measure(&def.numerator, num_rows, period) else {
        return IndicatorValue::NoData;
    };
    let (Some(d), Some(den_rows)) = (&def.denominator, den_rows) else {
        return IndicatorValue::Value(num);
    };
    match measure(d, den_rows, period) {
        None => IndicatorValue::NoData,
        Some(den) if den.numerator == 0 => IndicatorValue::DivisionByZero,
        Some(den) => IndicatorValue::Value(Ratio {
            numerator: num.numerator.saturating_mul(den.denominator),
            denominator: num.denominator.saturating_mul(den.numerator),
        }),
    }
}

/// Computes a definition for a period over rows grouped by source: the total first, then one
/// cell per group of the disaggregation, if any, in order. A source missing from `rows` has no data.
/// Asking for a disaggregation the definition does not allow is `error-disaggregation-unavailable`.
pub fn evaluate(
    def: &IndicatorDefinition,
    period: Period,
    rows: &BTreeMap<Source, Vec<Row>>,
    disaggregation: Option<Disaggregation>,
) -> Result<Vec<(Key, IndicatorValue)>, &'static str> {
    if let Some(d) = disaggregation
        && !def.disaggregations.contains(&d)
    {
        return Err("error-disaggregation-unavailable");
    }
    let in_period = |m: &Measure| -> Vec<&Row> {
        rows.get(&m.source)
            .map(|rs| rs.iter().filter(|r| m.period.matches(r, period)).collect())
            .unwrap_or_default()
    };
    let num = in_period(&def.numerator);
    let den = def.denominator.as_ref().map(in_period);
    let mut out = vec![(Key::Total, value_of(def, period, &num, den.as_deref()))];
    if let Some(d) = disaggregation {
        let groups: BTreeSet<String> = num
            .iter()
            .chain(den.iter().flatten())
            .map(|r| group_of(r, d))
            .collect();
        for g in groups {
            fn pick<'a>(rs: &[&'a Row], d: Disaggregation, g: &str) -> Vec<&'a Row> {
                rs.iter().copied().filter(|r| group_of(r, d) == g).collect()
            }
            let n = pick(&num, d, &g);
            let dn = den.as_deref().map(|rs| pick(rs, d, &g));
            out.push((Key::Group(g), value_of(def, period, &n, dn.as_deref())));
        }
    }
    Ok(out)
}

impl PartialOrd for Source {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Source {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn year(y: i32) -> Period {
        Period {
            start: day(y, 1, 1),
            end: day(y, 12, 31),
        }
    }

    /// A valid definition: training completion rate, by sex.
    fn base() -> Value {
        json!({
            "code": "TR-01",
            "name": {"eu": "Prestakuntza-ekintzak osatzeko tasa", "es": "Tasa de finalización", "en": "Training completion rate"},
            "unit": "percent",
            "numerator": {"source": "enrolments", "aggregate": "count",
                "filters": [{"field": "status", "op": "eq", "value": "completed"}],
                "period": {"within": "closed_on"}},
            "denominator": {"source": "enrolments", "aggregate": "count",
                "filters": [{"field": "status", "op": "in", "values": ["completed", "dropped_out"]}],
                "period": {"within": "closed_on"}},
            "disaggregations": ["sex", "neighbourhood"],
            "sensitivity": "ordinary",
            "baseline": 72.0,
            "target": 80.0,
            "direction": "higher_is_better",
            "plan": "Otxarkoaga Neighbourhood Plan 2024-2027",
            "plan_version": 2,
            "effective": {"start": "2024-01-01", "end": "2027-12-31"}
        })
    }

    fn check(v: Value) -> Result<IndicatorDefinition, FieldErrors> {
        match serde_json::from_value::<DefinitionSpec>(v) {
            Ok(spec) => spec.validate(),
            Err(e) => panic!("does not parse: {e}"),
        }
    }

    /// Validates `v` and returns the key reported on `field`.
    fn error_on(v: Value, field: &str) -> Option<&'static str> {
        match check(v) {
            Ok(_) => None,
            Err(e) => {
                for err in &e.0 {
                    assert!(MESSAGE_KEYS.contains(&err.key), "{} not listed", err.key);
                }
                e.get(field)
            }
        }
    }

    fn with(mut v: Value, pointer: &str, new: Value) -> Value {
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = new;
        } else {
            panic!("no {pointer}");
        }
        v
    }

    #[test]
    fn the_base_definition_is_valid() {
        let def = check(base()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(def.unit, Unit::Percent);
        assert_eq!(
            def.disaggregations,
            vec![Disaggregation::Sex, Disaggregation::Neighbourhood]
        );
        assert_eq!(def.numerator.period, PeriodRule::Within("closed_on"));
        assert!(IndicatorDefinition::from_json(&base().to_string()).is_ok());
    }

    #[test]
    fn periods_must_end_on_or_after_their_start() {
        assert_eq!(
            Period::parse("2026-03-01", "2026-02-28"),
            Err("error-period-end-before-start")
        );
        assert_eq!(
            Period::parse("2026-03-01", "2026-03-01").map(|p| p.start),
            Ok(day(2026, 3, 1))
        );
        assert_eq!(
            Period::parse("2026-02-30", "2026-03-01"),
            Err("error-period-date-format")
        );
        let v = with(base(), "/effective/end", json!("2023-12-31"));
        assert_eq!(
            error_on(v, "effective"),
            Some("error-period-end-before-start")
        );
    }

    #[test]
    fn unknown_disaggregations_are_rejected() {
        assert_eq!(
            Disaggregation::parse("street"),
            Err("error-disaggregation-unknown")
        );
        assert_eq!(
            Disaggregation::parse("age_band"),
            Ok(Disaggregation::AgeBand)
        );
        let v = with(base(), "/disaggregations", json!(["sex", "street"]));
        assert_eq!(
            error_on(v, "disaggregations[1]"),
            Some("error-disaggregation-unknown")
        );
    }

    #[test]
    fn disaggregations_need_a_person_or_an_area_in_the_source() {
        let mut v = base();
        v["numerator"]["source"] = json!("compliance_checks");
        v["numerator"]["filters"] = json!([]);
        v["numerator"]["period"] = json!({"within": "checked_on"});
        v["denominator"] = v["numerator"].clone();
        assert_eq!(
            error_on(v.clone(), "disaggregations[0]"),
            Some("error-disaggregation-unavailable")
        );
        // An organisation has an area but no sex.
        v["numerator"] = json!({"source": "organisations", "aggregate": "count",
            "filters": [{"field": "sse", "op": "eq", "value": true}], "period": {"from": "registered_on"}});
        v["denominator"] = json!({"source": "organisations", "aggregate": "count", "period": {"from": "registered_on"}});
        assert_eq!(
            error_on(v.clone(), "disaggregations[0]"),
            Some("error-disaggregation-unavailable")
        );
        v["disaggregations"] = json!(["district", "neighbourhood"]);
        assert!(check(v).is_ok());
    }

    #[test]
    fn unknown_sources_and_fields_are_rejected() {
        let v = with(base(), "/numerator/source", json!("tweets"));
        assert_eq!(
            error_on(v, "numerator.source"),
            Some("error-indicator-source-unknown")
        );
        // A field of another source.
        let v = with(base(), "/numerator/filters/0/field", json!("workforce"));
        assert_eq!(
            error_on(v, "numerator.filters[0].field"),
            Some("error-indicator-field-unknown")
        );
        let v = with(base(), "/numerator/period", json!({"within": "paid_on"}));
        assert_eq!(
            error_on(v, "numerator.period.within"),
            Some("error-indicator-field-unknown")
        );
    }

    #[test]
    fn a_denominator_referencing_a_missing_field_is_rejected() {
        let v = with(base(), "/denominator/filters/0/field", json!("finished"));
        assert_eq!(
            error_on(v, "denominator.filters[0].field"),
            Some("error-indicator-field-unknown")
        );
        let v = with(base(), "/denominator/period/within", json!("answered_on"));
        assert_eq!(
            error_on(v, "denominator.period.within"),
            Some("error-indicator-field-unknown")
        );
    }

    #[test]
    fn filter_values_must_have_the_field_type() {
        for bad in [
            json!(3),
            json!("finished"),
            json!(true),
            json!(["completed"]),
        ] {
            let v = with(base(), "/numerator/filters/0/value", bad);
            assert_eq!(
                error_on(v, "numerator.filters[0].value"),
                Some("error-indicator-filter-value-type")
            );
        }
        let v = with(
            base(),
            "/denominator/filters/0/values",
            json!(["completed", 7]),
        );
        assert_eq!(
            error_on(v, "denominator.filters[0].value"),
            Some("error-indicator-filter-value-type")
        );
        let v = with(
            base(),
            "/numerator/filters/0",
            json!({"field": "closed_on", "op": "eq", "value": "2026-13-01"}),
        );
        assert_eq!(
            error_on(v, "numerator.filters[0].value"),
            Some("error-indicator-filter-value-type")
        );
        let v = with(
            base(),
            "/numerator/filters/0",
            json!({"field": "status", "op": "eq"}),
        );
        assert_eq!(
            error_on(v, "numerator.filters[0].value"),
            Some("error-indicator-filter-value-missing")
        );
        let v = with(base(), "/numerator/filters/0/op", json!("like"));
        assert_eq!(
            error_on(v, "numerator.filters[0].op"),
            Some("error-indicator-filter-op-unknown")
        );
        let v = with(
            base(),
            "/numerator/filters/0",
            json!({"field": "status", "op": "within"}),
        );
        assert_eq!(
            error_on(v, "numerator.filters[0].field"),
            Some("error-indicator-field-not-date")
        );
    }

    #[test]
    fn a_denominator_that_is_always_zero_is_rejected() {
        let contradictions = [
            json!([{"field": "status", "op": "eq", "value": "completed"},
                   {"field": "status", "op": "eq", "value": "dropped_out"}]),
            json!([{"field": "status", "op": "in", "values": ["completed", "enrolled"]},
                   {"field": "status", "op": "in", "values": ["dropped_out"]}]),
            json!([{"field": "status", "op": "in", "values": []}]),
            json!([{"field": "certificate", "op": "is_null"},
                   {"field": "certificate", "op": "eq", "value": "CP-1"}]),
            json!([{"field": "closed_on", "op": "is_null"}]),
        ];
        for filters in contradictions {
            let v = with(base(), "/denominator/filters", filters.clone());
            assert_eq!(
                error_on(v, "denominator.filters"),
                Some("error-indicator-denominator-always-zero"),
                "{filters}"
            );
        }
        // The same value twice is no contradiction.
        let v = with(
            base(),
            "/denominator/filters",
            json!([{"field": "status", "op": "eq", "value": "completed"},
                   {"field": "status", "op": "in", "values": ["completed", "dropped_out"]}]),
        );
        assert!(check(v).is_ok());
        let v = with(
            base(),
            "/numerator/filters",
            json!([{"field": "sex", "op": "eq", "value": "woman"},
                   {"field": "sex", "op": "eq", "value": "man"}]),
        );
        assert_eq!(
            error_on(v, "numerator.filters"),
            Some("error-indicator-numerator-always-zero")
        );
    }

    #[test]
    fn units_and_denominators_must_agree() {
        let mut v = base();
        v.as_object_mut().map(|o| o.remove("denominator"));
        assert_eq!(
            error_on(v.clone(), "denominator"),
            Some("error-indicator-denominator-required")
        );
        v["unit"] = json!("count");
        assert!(check(v).is_ok());
        let v = with(base(), "/unit", json!("count"));
        assert_eq!(
            error_on(v, "denominator"),
            Some("error-indicator-denominator-not-allowed")
        );
        let v = with(base(), "/unit", json!("litres"));
        assert_eq!(error_on(v, "unit"), Some("error-indicator-unit-unknown"));
        let v = with(base(), "/target", json!(120.0));
        assert_eq!(error_on(v, "target"), Some("error-indicator-figure-range"));
    }

    #[test]
    fn aggregates_need_the_right_field() {
        let v = with(base(), "/numerator/aggregate", json!("sum"));
        assert_eq!(
            error_on(v, "numerator.field"),
            Some("error-indicator-field-required")
        );
        let mut v = with(base(), "/numerator/aggregate", json!("median"));
        v["numerator"]["field"] = json!("dropout_reason");
        assert_eq!(
            error_on(v, "numerator.field"),
            Some("error-indicator-field-not-numeric")
        );
        let mut v = base();
        v["numerator"]["field"] = json!("status");
        assert_eq!(
            error_on(v, "numerator.field"),
            Some("error-indicator-field-not-allowed")
        );
        let v = with(base(), "/numerator/aggregate", json!("average"));
        assert_eq!(
            error_on(v, "numerator.aggregate"),
            Some("error-indicator-aggregate-unknown")
        );
        let v = json!({"source": "contracts", "aggregate": "count_distinct_person", "period": {"within": "awarded_on"}});
        let mut d = with(base(), "/numerator", v);
        d["denominator"] = json!({"source": "contracts", "aggregate": "count", "period": {"within": "awarded_on"}});
        d["disaggregations"] = json!([]);
        assert_eq!(
            error_on(d, "numerator.aggregate"),
            Some("error-indicator-person-unavailable")
        );
        let v = with(base(), "/numerator/period", json!({"until": "closed_on"}));
        assert_eq!(
            error_on(v, "numerator.period"),
            Some("error-indicator-period-rule")
        );
        let v = with(base(), "/numerator/period", json!({"within": "status"}));
        assert_eq!(
            error_on(v, "numerator.period.within"),
            Some("error-indicator-field-not-date")
        );
    }

    #[test]
    fn codes_names_plan_and_lists_are_checked() {
        assert_eq!(
            error_on(with(base(), "/code", json!("tr 1")), "code"),
            Some("error-indicator-code")
        );
        assert_eq!(
            error_on(with(base(), "/name/eu", json!(" ")), "name.eu"),
            Some("error-indicator-name-required")
        );
        assert_eq!(
            error_on(with(base(), "/plan", json!("")), "plan"),
            Some("error-indicator-plan-required")
        );
        assert_eq!(
            error_on(with(base(), "/plan_version", json!(0)), "plan_version"),
            Some("error-indicator-plan-version")
        );
        assert_eq!(
            error_on(with(base(), "/sensitivity", json!("secret")), "sensitivity"),
            Some("error-indicator-sensitivity-unknown")
        );
        assert_eq!(
            error_on(with(base(), "/direction", json!("up")), "direction"),
            Some("error-indicator-direction-unknown")
        );
    }

    // ---- evaluation

    fn rows(source: Source, rs: Vec<Row>) -> BTreeMap<Source, Vec<Row>> {
        [(source, rs)].into_iter().collect()
    }

    fn enrolment(person: &str, sex: &str, status: &str, closed: NaiveDate) -> Row {
        Row::new()
            .text("person_id", person)
            .text("sex", sex)
            .text("status", status)
            .date("closed_on", closed)
    }

    fn completion() -> IndicatorDefinition {
        check(base()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn placements_count() -> IndicatorDefinition {
        let v = json!({
            "code": "PL-01",
            "name": {"eu": "Laneratzeak", "es": "Inserciones laborales", "en": "Job placements"},
            "unit": "count",
            "numerator": {"source": "placements", "aggregate": "count",
                "filters": [{"field": "long_term_unemployed", "op": "eq", "value": true}],
                "period": {"within": "starts_on"}},
            "disaggregations": ["sex"],
            "sensitivity": "ordinary",
            "direction": "higher_is_better",
            "plan": "Otxarkoaga Neighbourhood Plan 2024-2027",
            "plan_version": 2,
            "effective": {"start": "2024-01-01", "end": "2027-12-31"}
        });
        check(v).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn total(out: &Result<Vec<(Key, IndicatorValue)>, &'static str>) -> Option<IndicatorValue> {
        out.as_ref()
            .ok()
            .and_then(|o| o.first())
            .filter(|(k, _)| *k == Key::Total)
            .map(|(_, v)| *v)
    }

    fn ratio(numerator: i64, denominator: i64) -> IndicatorValue {
        IndicatorValue::Value(Ratio {
            numerator,
            denominator,
        })
    }

    #[test]
    fn no_records_is_no_data_and_records_that_do_not_match_are_zero() {
        let def = placements_count();
        let empty = BTreeMap::new();
        assert_eq!(
            total(&evaluate(&def, year(2026), &empty, None)),
            Some(IndicatorValue::NoData)
        );
        let outside = rows(
            Source::Placements,
            vec![
                Row::new()
                    .date("starts_on", day(2025, 6, 1))
                    .bool("long_term_unemployed", true),
            ],
        );
        assert_eq!(
            total(&evaluate(&def, year(2026), &outside, None)),
            Some(IndicatorValue::NoData)
        );
        let not_matching = rows(
            Source::Placements,
            vec![
                Row::new()
                    .date("starts_on", day(2026, 6, 1))
                    .bool("long_term_unemployed", false),
            ],
        );
        let zero = total(&evaluate(&def, year(2026), &not_matching, None));
        assert_eq!(zero, Some(ratio(0, 1)));
        assert_eq!(IndicatorValue::NoData.to_string(), "no data");
        assert_eq!(zero.map(|z| z.to_string()), Some("0".to_owned()));
        assert_eq!(IndicatorValue::NoData.format(Unit::Percent, 1), "no data");
        assert_eq!(
            IndicatorValue::NoData.message_key(),
            Some("indicator-no-data")
        );
    }

    #[test]
    fn an_empty_denominator_is_division_by_zero_not_zero() {
        let def = completion();
        // Only enrolments still open closed in the period? None: the denominator matches nothing.
        let r = rows(
            Source::Enrolments,
            vec![enrolment("p1", "woman", "enrolled", day(2026, 5, 1))],
        );
        assert_eq!(
            total(&evaluate(&def, year(2026), &r, None)),
            Some(IndicatorValue::DivisionByZero)
        );
        assert_eq!(
            IndicatorValue::DivisionByZero.message_key(),
            Some("indicator-division-by-zero")
        );
        let r = rows(
            Source::Enrolments,
            vec![
                enrolment("p1", "woman", "completed", day(2026, 5, 1)),
                enrolment("p2", "man", "dropped_out", day(2026, 5, 1)),
                enrolment("p3", "man", "completed", day(2026, 5, 1)),
            ],
        );
        let v = total(&evaluate(&def, year(2026), &r, None));
        assert_eq!(v, Some(ratio(2, 3)));
        assert_eq!(
            v.map(|v| v.format(Unit::Percent, 1)),
            Some("66.7".to_owned())
        );
        assert_eq!(v.map(|v| v.format(Unit::Percent, 0)), Some("67".to_owned()));
    }

    #[test]
    fn disaggregation_gives_the_total_then_each_group_in_order() {
        let def = completion();
        let r = rows(
            Source::Enrolments,
            vec![
                enrolment("p1", "woman", "completed", day(2026, 5, 1)),
                enrolment("p2", "man", "dropped_out", day(2026, 5, 1)),
                enrolment("p3", "woman", "dropped_out", day(2026, 5, 1)),
                Row::new()
                    .text("status", "completed")
                    .date("closed_on", day(2026, 7, 1)),
            ],
        );
        let out = evaluate(&def, year(2026), &r, Some(Disaggregation::Sex));
        assert_eq!(
            out,
            Ok(vec![
                (Key::Total, ratio(2, 4)),
                (Key::Group("man".into()), ratio(0, 1)),
                (Key::Group("unknown".into()), ratio(1, 1)),
                (Key::Group("woman".into()), ratio(1, 2)),
            ])
        );
        assert_eq!(
            evaluate(&def, year(2026), &r, Some(Disaggregation::Origin)),
            Err("error-disaggregation-unavailable")
        );
    }

    #[test]
    fn periods_include_both_boundary_days() {
        let def = placements_count();
        let at = |d: NaiveDate| {
            Row::new()
                .date("starts_on", d)
                .bool("long_term_unemployed", true)
        };
        let r = rows(
            Source::Placements,
            vec![
                at(day(2025, 12, 31)),
                at(day(2026, 1, 1)),
                at(day(2026, 12, 31)),
                at(day(2027, 1, 1)),
            ],
        );
        assert_eq!(
            total(&evaluate(&def, year(2026), &r, None)),
            Some(ratio(2, 1))
        );
        let one_day = Period::parse("2026-12-31", "2026-12-31").unwrap_or(year(1));
        assert_eq!(total(&evaluate(&def, one_day, &r, None)), Some(ratio(1, 1)));
    }

    #[test]
    fn active_records_overlap_the_period_at_its_boundaries() {
        let rule = PeriodRule::Active {
            from: "starts_on",
            until: Some("ends_on"),
        };
        let p = year(2026);
        let r = |from: NaiveDate, until: Option<NaiveDate>| {
            let row = Row::new().date("starts_on", from);
            match until {
                Some(u) => row.date("ends_on", u),
                None => row,
            }
        };
        assert!(rule.matches(&r(day(2020, 1, 1), Some(day(2026, 1, 1))), p));
        assert!(!rule.matches(&r(day(2020, 1, 1), Some(day(2025, 12, 31))), p));
        assert!(rule.matches(&r(day(2026, 12, 31), None), p));
        assert!(!rule.matches(&r(day(2027, 1, 1), None), p));
        assert!(rule.matches(&r(day(2020, 1, 1), None), p));
    }

    #[test]
    fn medians_are_exact_and_a_median_of_nothing_is_no_data() {
        let v = json!({
            "code": "RF-01",
            "name": {"eu": "Erantzuteko denbora", "es": "Tiempo de respuesta", "en": "Response time"},
            "unit": "days",
            "numerator": {"source": "referrals", "aggregate": "median", "field": "response_days",
                "period": {"within": "sent_on"}},
            "disaggregations": [],
            "sensitivity": "sensitive",
            "direction": "lower_is_better",
            "plan": "Otxarkoaga Neighbourhood Plan 2024-2027",
            "plan_version": 2,
            "effective": {"start": "2024-01-01", "end": "2027-12-31"}
        });
        let def = check(v).unwrap_or_else(|e| panic!("{e:?}"));
        let sent = |days: Option<i64>| {
            let r = Row::new().date("sent_on", day(2026, 3, 3));
            match days {
                Some(d) => r.int("response_days", d),
                None => r,
            }
        };
        let p = year(2026);
        let odd = rows(
            Source::Referrals,
            vec![sent(Some(9)), sent(Some(2)), sent(Some(4))],
        );
        assert_eq!(total(&evaluate(&def, p, &odd, None)), Some(ratio(4, 1)));
        let even = rows(
            Source::Referrals,
            vec![
                sent(Some(9)),
                sent(Some(2)),
                sent(Some(4)),
                sent(Some(1)),
                sent(None),
            ],
        );
        let v = total(&evaluate(&def, p, &even, None));
        assert_eq!(v, Some(ratio(6, 2)));
        assert_eq!(v.map(|v| v.format(Unit::Days, 1)), Some("3.0".to_owned()));
        let unanswered = rows(Source::Referrals, vec![sent(None)]);
        assert_eq!(
            total(&evaluate(&def, p, &unanswered, None)),
            Some(IndicatorValue::NoData)
        );
    }

    #[test]
    fn sums_in_cents_show_as_euros_and_distinct_people_count_once() {
        assert_eq!(ratio(123_456, 1).format(Unit::Euros, 2), "1234.56");
        assert_eq!(ratio(3, 1000).format(Unit::Permille, 1), "3.0");
        assert_eq!(ratio(1, 3).format(Unit::Percent, 1), "33.3");
        let m = Measure {
            source: Source::Placements,
            aggregate: Aggregate::CountDistinctPerson,
            field: None,
            filters: vec![],
            period: PeriodRule::Within("starts_on"),
        };
        let at = |p: &str| {
            Row::new()
                .text("person_id", p)
                .date("starts_on", day(2026, 2, 2))
        };
        let (a, b, c) = (at("a"), at("a"), at("b"));
        assert_eq!(
            measure(&m, &[&a, &b, &c], year(2026)),
            Some(Ratio {
                numerator: 2,
                denominator: 1
            })
        );
    }

    #[test]
    fn every_message_key_is_translated_in_every_language() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/locales");
        for lang in ["eu", "es", "en"] {
            let ftl =
                std::fs::read_to_string(dir.join(lang).join("indicators.ftl")).unwrap_or_default();
            for key in MESSAGE_KEYS {
                assert!(
                    ftl.lines().any(|l| l.starts_with(&format!("{key} ="))),
                    "{key} missing in {lang}"
                );
            }
        }
    }

    #[test]
    fn yearly_targets_apply_to_periods_within_their_year() {
        let mut v = base();
        v["targets"] = json!([{"year": 2025, "value": 75.0}, {"year": 2026, "value": 77.5}]);
        let def = check(v.clone()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(def.target_for(year(2026)), Some(77.5));
        let spring = Period::parse("2026-03-01", "2026-05-31").unwrap_or(year(2026));
        assert_eq!(def.target_for(spring), Some(77.5));
        // A year without its own target, or a period across two years: the plan's target.
        assert_eq!(def.target_for(year(2027)), Some(80.0));
        let across = Period::parse("2025-07-01", "2026-06-30").unwrap_or(year(2026));
        assert_eq!(def.target_for(across), Some(80.0));

        let mut twice = v.clone();
        twice["targets"] = json!([{"year": 2025, "value": 75.0}, {"year": 2025, "value": 76.0}]);
        assert_eq!(
            error_on(twice, "targets[1].year"),
            Some("error-indicator-target-year")
        );
        let mut outside = v.clone();
        outside["targets"] = json!([{"year": 2031, "value": 75.0}]);
        assert_eq!(
            error_on(outside, "targets[0].year"),
            Some("error-indicator-target-year")
        );
        let mut range = v;
        range["targets"] = json!([{"year": 2025, "value": 175.0}]);
        assert_eq!(
            error_on(range, "targets[0].value"),
            Some("error-indicator-figure-range")
        );
    }
}
