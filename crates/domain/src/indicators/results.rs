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
    Period, Ratio, Row, Sensitivity, Source, UNKNOWN_GROUP,
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
    persons: HashSet<&'a FieldValue>,
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
                whole(i64::try_from(self.persons.len()).unwrap_or(i64::MAX))
            }
            Aggregate::Sum => whole(self.values.iter().fold(0i64, |a, &v| a.saturating_add(v))),
            Aggregate::Median => {
                let mut v = self.values.clone();
                if v.is_empty() {
                    return None;
                }
                v.sort_unstable();
                let mid = v.len() / 2;
                if v.len() % 2 == 1 {
                    whole(v[mid])
                } else {
                    Some(Ratio {
                        numerator: v[mid - 1].saturating_add(v[mid]),
                        denominator: 2,
                    })
                }
            }
        }
    }

    /// Same as `publish::units`: the records or people the value stands on.
    fn units(&self, m: &Measure) -> u64 {
        let n = match m.aggregate {
            Aggregate::Count => return self.count,
            Aggregate::CountDistinctPerson => self.persons.len(),
            Aggregate::Sum | Aggregate::Median => self.values.len(),
        };
        u64::try_from(n).unwrap_or(u64::MAX)
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

/// Accumulates one measure over the rows of its source.
fn accumulate<'a>(
    m: &Measure,
    rows: &'a [Row],
    period: Period,
    shape: &Shape,
    home: &mut BTreeMap<&'a str, &'a str>,
) -> HashMap<Slot<'a>, Acc<'a>> {
    let mut accs: HashMap<Slot<'a>, Acc<'a>> = HashMap::new();
    let mut slots: Vec<Slot<'a>> = Vec::with_capacity(12);
    for row in rows {
        if !m.period.matches(row, period) {
            continue;
        }
        let kept = m.filters.iter().all(|f| f.matches(row, period));
        let district = group(row, "district");
        let neighbourhood = group(row, "neighbourhood");
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
            let g = group(row, d.code());
            slots.push(Slot::Column(d, g));
            if shape.neighbourhood {
                slots.push(Slot::Cell(d, neighbourhood, g));
            }
        }
        let person = row.get("person_id");
        let value = m.field.and_then(|f| row.get(f).as_integer());
        for slot in &slots {
            let acc = accs.entry(*slot).or_default();
            acc.in_period += 1;
            if kept {
                acc.count += 1;
                if *person != FieldValue::Null {
                    acc.persons.insert(person);
                }
                if let Some(v) = value {
                    acc.values.push(v);
                }
            }
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
    let mut proofs = vec![num_shown];
    proofs.extend(den_shown.map(|(p, _)| p));
    Ok((out, proofs))
}
