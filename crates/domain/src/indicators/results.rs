//! Everything of an indicator that may be published for one period, computed in one pass over
//! the records and protected as one system of linked tables.
//!
//! For a period an indicator publishes: the city total; the city by district, by neighbourhood,
//! by sex, by age band and by origin (those its definition allows); and for every neighbourhood
//! its total and its breakdowns by sex, age band and origin. Those tables share totals (a
//! neighbourhood's total is a cell of the city by neighbourhood and the total of each of its
//! breakdowns), so a hidden cell in one could be recovered from the others; they are therefore
//! protected together (`disclosure::LinkedCounts`), numerators and denominators each on their
//! own. Values agree with `definition::evaluate` over the same records restricted to the scope
//! (a property test holds it to that).
//!
//! A neighbourhood's breakdown lists every group the city's breakdown has, so a group's absence
//! never says "nobody here": an absent group is a zero, shown as no data in ordinary indicators
//! and hidden in sensitive ones.

use super::definition::{
    Aggregate, Disaggregation, FieldValue, IndicatorDefinition, IndicatorValue, Key, Measure,
    Period, Ratio, Row, Sensitivity, Source, UNKNOWN_GROUP, median,
};
use super::disclosure::{self, DisclosureError, LinkedCounts, ProtectedCounts, Rule};
use super::publish::Published;
use crate::FieldErrors;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What a result is about: the whole city, or one neighbourhood by its area code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Scope {
    City,
    Neighbourhood(String),
}

impl Scope {
    /// `city` or `neighbourhood:<code>`, as stored.
    pub fn code(&self) -> String {
        match self {
            Scope::City => "city".to_owned(),
            Scope::Neighbourhood(c) => format!("neighbourhood:{c}"),
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "city" => Some(Scope::City),
            _ => s
                .strip_prefix("neighbourhood:")
                .filter(|c| !c.is_empty())
                .map(|c| Scope::Neighbourhood(c.to_owned())),
        }
    }
}

/// One indicator's published cells for a period, scope and breakdown: the total first, then one
/// cell per group in order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub code: String,
    pub period: Period,
    pub scope: Scope,
    pub disaggregation: Option<Disaggregation>,
    pub cells: Vec<(Key, Published)>,
}

impl IndicatorResult {
    /// The published total.
    pub fn total(&self) -> Published {
        self.cells
            .iter()
            .find(|(k, _)| *k == Key::Total)
            .map_or(Published::Suppressed, |(_, p)| *p)
    }

    /// The groups, without the total.
    pub fn groups(&self) -> impl Iterator<Item = (&str, Published)> {
        self.cells.iter().filter_map(|(k, p)| match k {
            Key::Group(g) => Some((g.as_str(), *p)),
            Key::Total => None,
        })
    }
}

/// The periods kept computed: the current and two previous calendar years, and the quarters of
/// the current year that have begun.
pub fn standard_periods(today: NaiveDate) -> Vec<Period> {
    let y = today.year();
    let mut out = Vec::new();
    for year in y - 2..=y {
        if let Some(p) = year_period(year) {
            out.push(p);
        }
    }
    for q in 1..=4u32 {
        if let Some(p) = quarter_period(y, q)
            && p.start <= today
        {
            out.push(p);
        }
    }
    out
}

/// 1 January to 31 December of `year`.
pub fn year_period(year: i32) -> Option<Period> {
    Some(Period {
        start: NaiveDate::from_ymd_opt(year, 1, 1)?,
        end: NaiveDate::from_ymd_opt(year, 12, 31)?,
    })
}

/// The period a reader asks for: `period` is a year (`2026`) or a quarter (`2026-Q2`); or
/// `start` and `end` are days (`YYYY-MM-DD`). With neither, `default` applies. Errors are on the
/// field that caused them: `period`, `start` or `end`.
pub fn choose_period(
    period: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    default: Period,
) -> Result<Period, FieldErrors> {
    let mut e = FieldErrors::new();
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    if !blank(start) || !blank(end) {
        let s = start.unwrap_or_default();
        let t = end.unwrap_or_default();
        let day = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        match (day(s), day(t)) {
            (Some(a), Some(b)) => match Period::new(a, b) {
                Ok(p) => return Ok(p),
                Err(k) => e.add("end", k),
            },
            (a, b) => {
                if a.is_none() {
                    e.add("start", "error-period-date-format");
                }
                if b.is_none() {
                    e.add("end", "error-period-date-format");
                }
            }
        }
        return Err(e);
    }
    let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(default);
    };
    let parsed = match p.split_once("-Q") {
        None => p
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .and_then(year_period),
        Some((y, q)) => match (y.parse::<i32>(), q.parse::<u32>()) {
            (Ok(y), Ok(q)) if (2000..=2100).contains(&y) && (1..=4).contains(&q) => {
                quarter_period(y, q)
            }
            _ => None,
        },
    };
    parsed.ok_or_else(|| {
        e.add("period", "error-period-choice");
        e
    })
}

/// The quarter `q` (1 to 4) of `year`.
pub fn quarter_period(year: i32, q: u32) -> Option<Period> {
    let start = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
    let next = if q == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
    };
    Some(Period {
        start,
        end: next.pred_opt()?,
    })
}

/// Reads a breakdown from a query (`sex`, `age_band`...); blank is none.
pub fn choose_disaggregation(s: Option<&str>) -> Result<Option<Disaggregation>, FieldErrors> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Disaggregation::parse(s).map(Some).map_err(|_| {
            let mut e = FieldErrors::new();
            e.add("by", "error-disaggregation-unknown");
            e
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// One pass over the records

/// The cells a record counts in. Strings are borrowed from the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Slot<'a> {
    Grand,
    District(&'a str),
    Neighbourhood(&'a str),
    /// Records of a district without a known neighbourhood: counted, never shown, so the
    /// district totals still add up from their neighbourhoods.
    Unplaced(&'a str),
    Column(Disaggregation, &'a str),
    Cell(Disaggregation, &'a str, &'a str),
}

#[derive(Default)]
struct Acc<'a> {
    in_period: u64,
    count: u64,
    /// The people themselves, in a profile.
    persons: HashSet<&'a FieldValue>,
    /// How many distinct people, in a cell: the sum over its profiles.
    distinct: u64,
    values: Vec<i64>,
}

impl Acc<'_> {
    /// Same as `definition::measure`: `None` without records in the period, or a median of nothing.
    fn measure(&self, m: &Measure) -> Option<Ratio> {
        if self.in_period == 0 {
            return None;
        }
        let whole = |n: i64| {
            Some(Ratio {
                numerator: n,
                denominator: 1,
            })
        };
        match m.aggregate {
            Aggregate::Count => whole(i64::try_from(self.count).unwrap_or(i64::MAX)),
            Aggregate::CountDistinctPerson => {
                whole(i64::try_from(self.distinct).unwrap_or(i64::MAX))
            }
            Aggregate::Sum => whole(self.values.iter().fold(0i64, |a, &v| a.saturating_add(v))),
            Aggregate::Median => median(self.values.clone()),
        }
    }

    /// Same as `publish::units`: the records or people the value stands on.
    fn units(&self, m: &Measure) -> u64 {
        match m.aggregate {
            Aggregate::Count => self.count,
            Aggregate::CountDistinctPerson => self.distinct,
            Aggregate::Sum | Aggregate::Median => {
                u64::try_from(self.values.len()).unwrap_or(u64::MAX)
            }
        }
    }
}

fn group<'a>(row: &'a Row, field: &str) -> &'a str {
    match row.get(field) {
        FieldValue::Text(s) if !s.is_empty() => s,
        _ => UNKNOWN_GROUP,
    }
}

const PERSON_DIMENSIONS: [Disaggregation; 3] = [
    Disaggregation::Sex,
    Disaggregation::AgeBand,
    Disaggregation::Origin,
];

struct Shape {
    district: bool,
    neighbourhood: bool,
    dimensions: Vec<Disaggregation>,
}

impl Shape {
    fn of(def: &IndicatorDefinition) -> Shape {
        let allowed = |d: Disaggregation| def.disaggregations.contains(&d);
        Shape {
            district: allowed(Disaggregation::District),
            neighbourhood: allowed(Disaggregation::Neighbourhood),
            dimensions: PERSON_DIMENSIONS
                .into_iter()
                .filter(|d| allowed(*d))
                .collect(),
        }
    }
}

/// What places a record in cells: its district, neighbourhood, sex, age band and origin.
/// Records are first summed by profile (few thousand at most), then profiles into cells, so the
/// per-record work is one lookup whatever the number of cells.
type Profile<'a> = [&'a str; 5];

/// Accumulates one measure over the rows of its source. A person has one profile (the fields
/// come from the person), so distinct people add up across profiles.
fn accumulate<'a>(
    m: &Measure,
    rows: &'a [Row],
    period: Period,
    shape: &Shape,
    home: &mut BTreeMap<&'a str, &'a str>,
) -> HashMap<Slot<'a>, Acc<'a>> {
    let mut profiles: HashMap<Profile<'a>, Acc<'a>> = HashMap::new();
    for row in rows {
        if !m.period.matches(row, period) {
            continue;
        }
        let kept = m.filters.iter().all(|f| f.matches(row, period));
        let profile = [
            group(row, "district"),
            group(row, "neighbourhood"),
            group(row, "sex"),
            group(row, "age_band"),
            group(row, "origin"),
        ];
        let acc = profiles.entry(profile).or_default();
        acc.in_period += 1;
        if kept {
            acc.count += 1;
            // Only what the aggregate needs: people for distinct counts, values for sums and medians.
            match m.aggregate {
                Aggregate::CountDistinctPerson => {
                    let person = row.get("person_id");
                    if *person != FieldValue::Null {
                        acc.persons.insert(person);
                    }
                }
                Aggregate::Sum | Aggregate::Median => {
                    if let Some(v) = m.field.and_then(|f| row.get(f).as_integer()) {
                        acc.values.push(v);
                    }
                }
                Aggregate::Count => {}
            }
        }
    }

    let mut accs: HashMap<Slot<'a>, Acc<'a>> = HashMap::new();
    let mut slots: Vec<Slot<'a>> = Vec::with_capacity(12);
    for (profile, p) in &profiles {
        let [district, neighbourhood, ..] = *profile;
        slots.clear();
        slots.push(Slot::Grand);
        if shape.district {
            slots.push(Slot::District(district));
        }
        if shape.neighbourhood {
            slots.push(Slot::Neighbourhood(neighbourhood));
            if neighbourhood == UNKNOWN_GROUP {
                slots.push(Slot::Unplaced(district));
            } else {
                home.entry(neighbourhood).or_insert(district);
            }
        }
        for &d in &shape.dimensions {
            let g = match d {
                Disaggregation::Sex => profile[2],
                Disaggregation::AgeBand => profile[3],
                _ => profile[4],
            };
            slots.push(Slot::Column(d, g));
            if shape.neighbourhood {
                slots.push(Slot::Cell(d, neighbourhood, g));
            }
        }
        for slot in &slots {
            let acc = accs.entry(*slot).or_default();
            acc.in_period += p.in_period;
            acc.count += p.count;
            acc.distinct += u64::try_from(p.persons.len()).unwrap_or(u64::MAX);
            acc.values.extend_from_slice(&p.values);
        }
    }
    accs
}

/// The layout shared by the numerator's and the denominator's linked counts.
struct Layout<'a> {
    districts: Vec<&'a str>,
    neighbourhoods: Vec<&'a str>,
    unplaced: Vec<&'a str>,
    columns: Vec<(Disaggregation, Vec<&'a str>)>,
}

fn layout<'a>(shape: &Shape, measures: &[&HashMap<Slot<'a>, Acc<'a>>]) -> Layout<'a> {
    let mut districts = BTreeSet::new();
    let mut neighbourhoods = BTreeSet::new();
    let mut unplaced = BTreeSet::new();
    let mut columns: Vec<(Disaggregation, BTreeSet<&'a str>)> = shape
        .dimensions
        .iter()
        .map(|d| (*d, BTreeSet::new()))
        .collect();
    for accs in measures {
        for slot in accs.keys() {
            match *slot {
                Slot::District(d) => {
                    districts.insert(d);
                }
                Slot::Neighbourhood(n) => {
                    neighbourhoods.insert(n);
                }
                Slot::Unplaced(d) => {
                    unplaced.insert(d);
                }
                Slot::Column(d, g) => {
                    if let Some((_, gs)) = columns.iter_mut().find(|(c, _)| *c == d) {
                        gs.insert(g);
                    }
                }
                Slot::Grand | Slot::Cell(..) => {}
            }
        }
    }
    Layout {
        districts: districts.into_iter().collect(),
        neighbourhoods: neighbourhoods.into_iter().collect(),
        unplaced: unplaced.into_iter().collect(),
        columns: columns
            .into_iter()
            .map(|(d, gs)| (d, gs.into_iter().collect()))
            .collect(),
    }
}

/// The linked counts of one measure and the index of every slot in them.
fn linked<'a>(
    m: &Measure,
    accs: &HashMap<Slot<'a>, Acc<'a>>,
    l: &Layout<'a>,
    shape: &Shape,
    home: &BTreeMap<&'a str, &'a str>,
) -> Result<(LinkedCounts, HashMap<Slot<'a>, usize>), DisclosureError> {
    let mut counts = LinkedCounts::new();
    let mut index: HashMap<Slot<'a>, usize> = HashMap::new();
    let mut add = |counts: &mut LinkedCounts, slot: Slot<'a>| -> usize {
        let v = accs.get(&slot).map_or(0, |a| a.units(m));
        let i = counts.add(v);
        index.insert(slot, i);
        i
    };
    let grand = add(&mut counts, Slot::Grand);
    let districts: Vec<usize> = if shape.district {
        l.districts
            .iter()
            .map(|d| add(&mut counts, Slot::District(d)))
            .collect()
    } else {
        Vec::new()
    };
    let neighbourhoods: Vec<usize> = if shape.neighbourhood {
        l.neighbourhoods
            .iter()
            .map(|n| add(&mut counts, Slot::Neighbourhood(n)))
            .collect()
    } else {
        Vec::new()
    };
    let unplaced: Vec<usize> = if shape.neighbourhood {
        l.unplaced
            .iter()
            .map(|d| add(&mut counts, Slot::Unplaced(d)))
            .collect()
    } else {
        Vec::new()
    };
    let mut columns = Vec::new();
    let mut cells = Vec::new();
    for (d, groups) in &l.columns {
        let cs: Vec<usize> = groups
            .iter()
            .map(|g| add(&mut counts, Slot::Column(*d, g)))
            .collect();
        let mut grid = Vec::new();
        if shape.neighbourhood {
            for n in &l.neighbourhoods {
                let row: Vec<usize> = groups
                    .iter()
                    .map(|g| add(&mut counts, Slot::Cell(*d, n, g)))
                    .collect();
                grid.push(row);
            }
        }
        columns.push(cs);
        cells.push(grid);
    }

    if shape.district {
        counts.sum(districts.clone(), grand)?;
    }
    if shape.neighbourhood {
        counts.sum(neighbourhoods.clone(), grand)?;
        let unknown = l
            .neighbourhoods
            .iter()
            .position(|n| *n == UNKNOWN_GROUP)
            .map(|i| neighbourhoods[i]);
        if let Some(u) = unknown {
            counts.sum(unplaced.clone(), u)?;
        }
        if shape.district {
            for (di, d) in l.districts.iter().enumerate() {
                let mut parts: Vec<usize> = l
                    .neighbourhoods
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n != UNKNOWN_GROUP && home.get(*n) == Some(d))
                    .map(|(i, _)| neighbourhoods[i])
                    .collect();
                if let Some(i) = l.unplaced.iter().position(|u| u == d) {
                    parts.push(unplaced[i]);
                }
                counts.sum(parts, districts[di])?;
            }
        }
    }
    for (k, cs) in columns.iter().enumerate() {
        counts.sum(cs.clone(), grand)?;
        for (ni, row) in cells[k].iter().enumerate() {
            counts.sum(row.clone(), neighbourhoods[ni])?;
        }
        for (gi, c) in cs.iter().enumerate() {
            let column: Vec<usize> = cells[k].iter().map(|row| row[gi]).collect();
            if !column.is_empty() {
                counts.sum(column, *c)?;
            }
        }
    }
    Ok((counts, index))
}

fn rule(sensitivity: Sensitivity) -> Rule {
    Rule::for_sensitivity(match sensitivity {
        Sensitivity::Ordinary => disclosure::Sensitivity::Ordinary,
        Sensitivity::Sensitive => disclosure::Sensitivity::Sensitive,
    })
}

/// Computes and protects every result of `def` for `period` (see the module documentation).
/// `rows` holds the records of the definition's sources, as for `definition::evaluate`.
pub fn publish(
    def: &IndicatorDefinition,
    period: Period,
    rows: &BTreeMap<Source, Vec<Row>>,
) -> Result<Vec<IndicatorResult>, DisclosureError> {
    compute(def, period, rows).map(|(results, _)| results)
}

/// `publish`, with the protected counts it published from (for the tests' proof).
fn compute(
    def: &IndicatorDefinition,
    period: Period,
    rows: &BTreeMap<Source, Vec<Row>>,
) -> Result<(Vec<IndicatorResult>, Vec<ProtectedCounts>), DisclosureError> {
    const NONE: &[Row] = &[];
    let shape = Shape::of(def);
    let mut home = BTreeMap::new();
    let source_rows = |m: &Measure| rows.get(&m.source).map_or(NONE, Vec::as_slice);
    let num = accumulate(
        &def.numerator,
        source_rows(&def.numerator),
        period,
        &shape,
        &mut home,
    );
    let den = def
        .denominator
        .as_ref()
        .map(|m| accumulate(m, source_rows(m), period, &shape, &mut home));
    let mut all = vec![&num];
    if let Some(d) = &den {
        all.push(d);
    }
    let l = layout(&shape, &all);

    // Nothing at all in the period: every cell is "no data", which reveals no one.
    let empty = num.get(&Slot::Grand).is_none_or(|a| a.in_period == 0)
        && den
            .as_ref()
            .is_none_or(|d| d.get(&Slot::Grand).is_none_or(|a| a.in_period == 0));

    let rule = rule(def.sensitivity);
    let (num_counts, num_index) = linked(&def.numerator, &num, &l, &shape, &home)?;
    let num_shown = num_counts.protect(rule);
    let den_shown: Option<(ProtectedCounts, HashMap<Slot<'_>, usize>)> =
        match (&def.denominator, &den) {
            (Some(m), Some(accs)) => {
                let (c, i) = linked(m, accs, &l, &shape, &home)?;
                Some((c.protect(rule), i))
            }
            _ => None,
        };

    let shown = |slot: &Slot<'_>| -> bool {
        if empty {
            return true;
        }
        let ok = |p: &ProtectedCounts, idx: &HashMap<Slot<'_>, usize>| {
            idx.get(slot).is_some_and(|&i| !p.cell(i).is_suppressed())
        };
        ok(&num_shown, &num_index) && den_shown.as_ref().is_none_or(|(p, i)| ok(p, i))
    };
    let value = |slot: &Slot<'_>| -> IndicatorValue {
        let n = num.get(slot).and_then(|a| a.measure(&def.numerator));
        let Some(n) = n else {
            return IndicatorValue::NoData;
        };
        let (Some(m), Some(den)) = (&def.denominator, &den) else {
            return IndicatorValue::Value(n);
        };
        match den.get(slot).and_then(|a| a.measure(m)) {
            None => IndicatorValue::NoData,
            Some(d) if d.numerator == 0 => IndicatorValue::DivisionByZero,
            Some(d) => IndicatorValue::Value(Ratio {
                numerator: n.numerator.saturating_mul(d.denominator),
                denominator: n.denominator.saturating_mul(d.numerator),
            }),
        }
    };
    let cell = |key: Key, slot: Slot<'_>| -> (Key, Published) {
        let p = if shown(&slot) {
            Published::Value(value(&slot))
        } else {
            Published::Suppressed
        };
        (key, p)
    };
    let result =
        |scope: Scope, d: Option<Disaggregation>, cells: Vec<(Key, Published)>| IndicatorResult {
            code: def.code.clone(),
            period,
            scope,
            disaggregation: d,
            cells,
        };

    let mut out = vec![result(
        Scope::City,
        None,
        vec![cell(Key::Total, Slot::Grand)],
    )];
    let group_key = |g: &str| Key::Group(g.to_owned());
    if shape.district {
        let mut cells = vec![cell(Key::Total, Slot::Grand)];
        cells.extend(
            l.districts
                .iter()
                .map(|d| cell(group_key(d), Slot::District(d))),
        );
        out.push(result(Scope::City, Some(Disaggregation::District), cells));
    }
    if shape.neighbourhood {
        let mut cells = vec![cell(Key::Total, Slot::Grand)];
        cells.extend(
            l.neighbourhoods
                .iter()
                .map(|n| cell(group_key(n), Slot::Neighbourhood(n))),
        );
        out.push(result(
            Scope::City,
            Some(Disaggregation::Neighbourhood),
            cells,
        ));
    }
    for (d, groups) in &l.columns {
        let mut cells = vec![cell(Key::Total, Slot::Grand)];
        cells.extend(
            groups
                .iter()
                .map(|g| cell(group_key(g), Slot::Column(*d, g))),
        );
        out.push(result(Scope::City, Some(*d), cells));
    }
    if shape.neighbourhood {
        for n in l.neighbourhoods.iter().filter(|n| **n != UNKNOWN_GROUP) {
            let scope = Scope::Neighbourhood((*n).to_owned());
            let total = cell(Key::Total, Slot::Neighbourhood(n));
            out.push(result(scope.clone(), None, vec![total.clone()]));
            for (d, groups) in &l.columns {
                let mut cells = vec![total.clone()];
                cells.extend(
                    groups
                        .iter()
                        .map(|g| cell(group_key(g), Slot::Cell(*d, n, g))),
                );
                out.push(result(scope.clone(), Some(*d), cells));
            }
        }
    }
    // An empty period publishes "no data" everywhere, from no counts at all.
    let mut proofs = Vec::new();
    if !empty {
        proofs.push(num_shown);
        proofs.extend(den_shown.map(|(p, _)| p));
    }
    Ok((out, proofs))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::indicators::definition::{DefinitionSpec, evaluate};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year(y: i32) -> Period {
        year_period(y).unwrap()
    }

    /// Training completion rate: a percent with a denominator, every breakdown.
    fn completion(sensitivity: &str) -> IndicatorDefinition {
        definition(json!({
            "code": "TR-01",
            "name": {"eu": "Osatzea", "es": "Finalización", "en": "Completion"},
            "unit": "percent",
            "numerator": {"source": "enrolments", "aggregate": "count",
                "filters": [{"field": "status", "op": "eq", "value": "completed"}],
                "period": {"within": "closed_on"}},
            "denominator": {"source": "enrolments", "aggregate": "count",
                "filters": [{"field": "status", "op": "in", "values": ["completed", "dropped_out"]}],
                "period": {"within": "closed_on"}},
            "disaggregations": ["district", "neighbourhood", "sex", "age_band", "origin"],
            "sensitivity": sensitivity,
            "direction": "higher_is_better",
            "plan": "Plan", "plan_version": 1,
            "effective": {"start": "2024-01-01", "end": "2027-12-31"}
        }))
    }

    /// People with an enrolment: distinct people, sex and neighbourhood only.
    fn people_enrolled() -> IndicatorDefinition {
        definition(json!({
            "code": "TR-02",
            "name": {"eu": "Pertsonak", "es": "Personas", "en": "People"},
            "unit": "count",
            "numerator": {"source": "enrolments", "aggregate": "count_distinct_person",
                "period": {"from": "enrolled_on", "until": "closed_on"}},
            "disaggregations": ["neighbourhood", "sex"],
            "sensitivity": "ordinary",
            "direction": "higher_is_better",
            "plan": "Plan", "plan_version": 1,
            "effective": {"start": "2024-01-01", "end": "2027-12-31"}
        }))
    }

    fn definition(v: Value) -> IndicatorDefinition {
        serde_json::from_value::<DefinitionSpec>(v)
            .unwrap()
            .validate()
            .unwrap()
    }

    const PLACES: [(&str, &str); 5] = [
        ("01", "0101"),
        ("01", "0102"),
        ("02", "0201"),
        ("02", ""),
        ("", ""),
    ];
    const SEXES: [&str; 3] = ["woman", "man", "not_recorded"];
    const BANDS: [&str; 3] = ["under_25", "30_44", "55_plus"];
    const ORIGINS: [&str; 2] = ["eu", "unknown"];
    const STATUSES: [&str; 3] = ["enrolled", "completed", "dropped_out"];

    /// An enrolment: (person, place, sex, band, origin, status, closed month or none).
    type Spec = (u8, usize, usize, usize, usize, usize, Option<u32>);

    fn rows(specs: &[Spec]) -> BTreeMap<Source, Vec<Row>> {
        let rows = specs
            .iter()
            .map(|&(person, place, sex, band, origin, status, closed)| {
                let (district, neighbourhood) = PLACES[place];
                let mut r = Row::new()
                    .text("person_id", &format!("p{person}"))
                    .text("sex", SEXES[sex])
                    .text("age_band", BANDS[band])
                    .text("origin", ORIGINS[origin])
                    .text("status", STATUSES[status])
                    .date("enrolled_on", day(2025, 6, 1));
                if !district.is_empty() {
                    r = r.text("district", district);
                }
                if !neighbourhood.is_empty() {
                    r = r.text("neighbourhood", neighbourhood);
                }
                if let Some(m) = closed {
                    r = r.date("closed_on", day(2026, m, 10));
                }
                r
            })
            .collect();
        BTreeMap::from([(Source::Enrolments, rows)])
    }

    /// The rows of one neighbourhood only, to evaluate a neighbourhood's scope directly.
    fn only(rows: &BTreeMap<Source, Vec<Row>>, neighbourhood: &str) -> BTreeMap<Source, Vec<Row>> {
        rows.iter()
            .map(|(s, rs)| {
                let kept = rs
                    .iter()
                    .filter(|r| *r.get("neighbourhood") == FieldValue::Text(neighbourhood.into()))
                    .cloned()
                    .collect();
                (*s, kept)
            })
            .collect()
    }

    fn find<'a>(
        out: &'a [IndicatorResult],
        scope: &Scope,
        d: Option<Disaggregation>,
    ) -> Option<&'a IndicatorResult> {
        out.iter()
            .find(|r| r.scope == *scope && r.disaggregation == d)
    }

    /// Every published value is the value `evaluate` gives for the same scope and breakdown;
    /// groups `evaluate` does not know (absent from that neighbourhood) are no data or hidden.
    fn agrees_with_evaluate(
        def: &IndicatorDefinition,
        rows: &BTreeMap<Source, Vec<Row>>,
        out: &[IndicatorResult],
    ) -> Result<(), TestCaseError> {
        let period = year(2026);
        for r in out {
            let scoped = match &r.scope {
                Scope::City => rows.clone(),
                Scope::Neighbourhood(n) => only(rows, n),
            };
            let truth = evaluate(def, period, &scoped, r.disaggregation).unwrap();
            for (key, published) in &r.cells {
                let expected = truth.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
                match (published, expected) {
                    (Published::Value(v), Some(e)) => prop_assert_eq!(
                        *v,
                        e,
                        "{} {:?} {:?} {:?}",
                        r.code,
                        r.scope,
                        r.disaggregation,
                        key
                    ),
                    (Published::Value(v), None) => prop_assert_eq!(*v, IndicatorValue::NoData),
                    (Published::Suppressed, _) => {}
                }
            }
            for (key, _) in &truth {
                prop_assert!(
                    r.cells.iter().any(|(k, _)| k == key),
                    "{:?} {:?} lacks {:?}",
                    r.scope,
                    r.disaggregation,
                    key
                );
            }
        }
        Ok(())
    }

    #[test]
    fn a_neighbourhood_scope_is_its_own_records_and_the_city_all_of_them() {
        // 0101: 6 completed, 2 dropped out (75%); 0102: 5 completed (100%).
        let mut specs: Vec<Spec> = Vec::new();
        for p in 0..6 {
            specs.push((p, 0, 0, 0, 0, 1, Some(3)));
        }
        specs.push((6, 0, 1, 1, 1, 2, Some(4)));
        specs.push((7, 0, 1, 1, 1, 2, Some(4)));
        for p in 10..15 {
            specs.push((p, 1, 1, 2, 0, 1, Some(5)));
        }
        let rows = rows(&specs);
        let def = completion("ordinary");
        let out = publish(&def, year(2026), &rows).unwrap();
        let total = find(&out, &Scope::City, None).unwrap().total();
        assert_eq!(
            total,
            Published::Value(IndicatorValue::Value(Ratio {
                numerator: 11,
                denominator: 13
            }))
        );
        let nb = find(&out, &Scope::Neighbourhood("0101".into()), None).unwrap();
        assert_eq!(
            nb.total(),
            Published::Value(IndicatorValue::Value(Ratio {
                numerator: 6,
                denominator: 8
            }))
        );
        // 0102's breakdown by sex lists "woman" too (the city has women), as no data, not 0.
        let by_sex = find(
            &out,
            &Scope::Neighbourhood("0102".into()),
            Some(Disaggregation::Sex),
        )
        .unwrap();
        let groups: Vec<(&str, Published)> = by_sex.groups().collect();
        assert_eq!(groups[0].0, "man");
        assert_eq!(groups[1].0, "woman");
        assert!(
            matches!(
                groups[1].1,
                Published::Suppressed | Published::Value(IndicatorValue::NoData)
            ),
            "{groups:?}"
        );
        // Two men dropped out in 0101: a denominator of 2 is under 5, so hidden, and so is a
        // complement in the same row, so it is not 8 minus the women.
        let b = find(
            &out,
            &Scope::Neighbourhood("0101".into()),
            Some(Disaggregation::Sex),
        )
        .unwrap();
        let hidden = b
            .groups()
            .filter(|(_, p)| *p == Published::Suppressed)
            .count();
        assert!(hidden >= 2, "{:?}", b.cells);
        agrees_with_evaluate(&def, &rows, &out).unwrap();
    }

    #[test]
    fn nothing_in_the_period_is_no_data_everywhere_even_when_sensitive() {
        let rows = rows(&[(1, 0, 0, 0, 0, 1, None)]);
        let out = publish(&completion("sensitive"), year(2026), &rows).unwrap();
        assert!(!out.is_empty());
        for r in &out {
            for (_, p) in &r.cells {
                assert_eq!(*p, Published::Value(IndicatorValue::NoData));
            }
        }
    }

    #[test]
    fn a_denominator_of_zero_says_so() {
        // Records in the period, none completed or dropped out: the rate cannot be calculated.
        let mut specs: Vec<Spec> = Vec::new();
        for p in 0..12 {
            specs.push((p, 0, 0, 0, 0, 0, Some(2)));
        }
        let out = publish(&completion("ordinary"), year(2026), &rows(&specs)).unwrap();
        assert_eq!(
            find(&out, &Scope::City, None).unwrap().total(),
            Published::Value(IndicatorValue::DivisionByZero)
        );
    }

    #[test]
    fn periods_years_and_quarters() {
        let p = choose_period(Some("2026-Q2"), None, None, year(2025)).unwrap();
        assert_eq!((p.start, p.end), (day(2026, 4, 1), day(2026, 6, 30)));
        let p = choose_period(Some("2024-Q4"), None, None, year(2025)).unwrap();
        assert_eq!((p.start, p.end), (day(2024, 10, 1), day(2024, 12, 31)));
        assert_eq!(
            choose_period(None, Some(""), None, year(2025)).unwrap(),
            year(2025)
        );
        let e =
            choose_period(None, Some("2026-05-01"), Some("2026-04-01"), year(2025)).unwrap_err();
        assert_eq!(e.get("end"), Some("error-period-end-before-start"));
        let e = choose_period(None, Some("2026-13-01"), Some("x"), year(2025)).unwrap_err();
        assert_eq!(e.get("start"), Some("error-period-date-format"));
        assert_eq!(e.get("end"), Some("error-period-date-format"));
        for bad in ["2026-Q5", "26", "1999", "Q1", "2026-Q"] {
            let e = choose_period(Some(bad), None, None, year(2025)).unwrap_err();
            assert_eq!(e.get("period"), Some("error-period-choice"), "{bad}");
        }
        assert_eq!(
            choose_disaggregation(Some("colour")).unwrap_err().get("by"),
            Some("error-disaggregation-unknown")
        );
        assert_eq!(
            choose_disaggregation(Some(" sex ")).unwrap(),
            Some(Disaggregation::Sex)
        );
        let standard = standard_periods(day(2026, 5, 2));
        assert_eq!(standard.len(), 5, "2024, 2025, 2026, Q1, Q2: {standard:?}");
        assert_eq!(
            Scope::parse("neighbourhood:0101"),
            Some(Scope::Neighbourhood("0101".into()))
        );
        assert_eq!(Scope::parse(&Scope::City.code()), Some(Scope::City));
        assert_eq!(Scope::parse("neighbourhood:"), None);
    }

    fn specs() -> impl Strategy<Value = Vec<Spec>> {
        prop::collection::vec(
            (
                0u8..40,
                0usize..PLACES.len(),
                0usize..SEXES.len(),
                0usize..BANDS.len(),
                0usize..ORIGINS.len(),
                0usize..STATUSES.len(),
                prop::option::of(1u32..=12),
            ),
            0..160,
        )
        // A person lives in one place with one sex, band and origin: take the first record's.
        .prop_map(|mut v| {
            let mut first: BTreeMap<u8, Spec> = BTreeMap::new();
            for s in &mut v {
                let f = *first.entry(s.0).or_insert(*s);
                (s.1, s.2, s.3, s.4) = (f.1, f.2, f.3, f.4);
            }
            v
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// What is published equals the direct evaluation of each scope, and no hidden count of
        /// any of the linked tables can be recovered from the published ones, with the
        /// threshold respected everywhere.
        #[test]
        fn published_results_are_exact_and_protected(specs in specs(), sensitive in any::<bool>()) {
            let rows = rows(&specs);
            for def in [completion(if sensitive { "sensitive" } else { "ordinary" }), people_enrolled()] {
                let (out, proofs) = compute(&def, year(2026), &rows).unwrap();
                agrees_with_evaluate(&def, &rows, &out)?;
                for proof in &proofs {
                    prop_assert!(!proof.recoverable(), "a hidden count is recoverable");
                    let threshold = if def.sensitivity == Sensitivity::Sensitive { 10 } else { 5 };
                    for c in proof.cells() {
                        if let disclosure::Cell::Published(n) = c {
                            prop_assert!(*n == 0 || *n >= threshold, "published {n}");
                        }
                    }
                }
            }
        }
    }
}
