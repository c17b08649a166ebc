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
    Aggregate, Disaggregation, FieldType, FieldValue, IndicatorDefinition, IndicatorValue, Key,
    Measure, Period, Ratio, Row, Sensitivity, Source, UNKNOWN_GROUP, median,
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

/// A period of the published grid: a calendar month, quarter or year, or the days a plan's
/// indicators are in effect. Only these are computed, stored and shown: two arbitrary ranges
/// that differ by a day could be subtracted to single out the records of that day, while grid
/// periods of one kind never overlap and each nests whole in the larger ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GridPeriod {
    Year(i32),
    /// Year and quarter (1 to 4).
    Quarter(i32, u32),
    /// Year and month (1 to 12).
    Month(i32, u32),
    /// A plan's effective days (one of `plan_periods`).
    Plan(Period),
}

/// Years the grid reaches: a reader's choice outside them is refused.
const GRID_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl GridPeriod {
    /// The days it covers.
    pub fn period(self) -> Period {
        let fallback = Period {
            start: NaiveDate::MIN,
            end: NaiveDate::MIN,
        };
        match self {
            GridPeriod::Year(y) => year_period(y),
            GridPeriod::Quarter(y, q) => quarter_period(y, q),
            GridPeriod::Month(y, m) => month_period(y, m),
            GridPeriod::Plan(p) => Some(p),
        }
        .unwrap_or(fallback)
    }

    /// As readers write it: `2026`, `2026-Q2`, `2026-05`, `plan-20240101-20271231`.
    pub fn code(self) -> String {
        match self {
            GridPeriod::Year(y) => y.to_string(),
            GridPeriod::Quarter(y, q) => format!("{y}-Q{q}"),
            GridPeriod::Month(y, m) => format!("{y}-{m:02}"),
            GridPeriod::Plan(p) => format!(
                "plan-{}-{}",
                p.start.format("%Y%m%d"),
                p.end.format("%Y%m%d")
            ),
        }
    }

    /// Reads a code (see `code`); a plan period must be one of `plans`. The error is the
    /// message key for the `period` field.
    pub fn parse(code: &str, plans: &[Period]) -> Result<GridPeriod, &'static str> {
        let code = code.trim();
        let year = |y: &str| {
            (y.len() == 4)
                .then(|| y.parse::<i32>().ok())
                .flatten()
                .filter(|y| GRID_YEARS.contains(y))
        };
        let parsed = if let Some(rest) = code.strip_prefix("plan-") {
            rest.split_once('-').and_then(|(a, b)| {
                let d = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").ok();
                let p = Period::new(d(a)?, d(b)?).ok()?;
                plans.contains(&p).then_some(GridPeriod::Plan(p))
            })
        } else if let Some((y, q)) = code.split_once("-Q") {
            match (year(y), q.parse::<u32>()) {
                (Some(y), Ok(q)) if (1..=4).contains(&q) => Some(GridPeriod::Quarter(y, q)),
                _ => None,
            }
        } else if let Some((y, m)) = code.split_once('-') {
            match (year(y), m.parse::<u32>()) {
                (Some(y), Ok(month)) if m.len() == 2 && (1..=12).contains(&month) => {
                    Some(GridPeriod::Month(y, month))
                }
                _ => None,
            }
        } else {
            year(code).map(GridPeriod::Year)
        };
        parsed.ok_or("error-period-choice")
    }

    /// The grid period that covers exactly `p`, if there is one (to tell stored periods apart).
    pub fn of(p: Period, plans: &[Period]) -> Option<GridPeriod> {
        let y = p.start.year();
        let candidates = std::iter::once(GridPeriod::Year(y))
            .chain((1..=4).map(|q| GridPeriod::Quarter(y, q)))
            .chain((1..=12).map(|m| GridPeriod::Month(y, m)))
            .chain(plans.iter().map(|p| GridPeriod::Plan(*p)));
        candidates
            .filter(|g| match g {
                GridPeriod::Plan(_) => true,
                _ => GRID_YEARS.contains(&y),
            })
            .find(|g| g.period() == p)
    }
}

/// The periods the plans' indicators are in effect, each once, in order.
pub fn plan_periods(defs: &[IndicatorDefinition]) -> Vec<Period> {
    let set: BTreeSet<(NaiveDate, NaiveDate)> = defs
        .iter()
        .map(|d| (d.effective.start, d.effective.end))
        .collect();
    set.into_iter()
        .map(|(start, end)| Period { start, end })
        .collect()
}

/// The periods the worker keeps computed: the current and two previous calendar years, the
/// quarters of the current year that have begun, and the plan periods in effect today.
pub fn standard_periods(today: NaiveDate, plans: &[Period]) -> Vec<GridPeriod> {
    let y = today.year();
    let mut out: Vec<GridPeriod> = (y - 2..=y).map(GridPeriod::Year).collect();
    for q in 1..=4u32 {
        if quarter_period(y, q).is_some_and(|p| p.start <= today) {
            out.push(GridPeriod::Quarter(y, q));
        }
    }
    out.extend(
        plans
            .iter()
            .filter(|p| p.contains(today))
            .map(|p| GridPeriod::Plan(*p)),
    );
    out
}

/// The grid periods a reader may choose from, newest first: for the current and two previous
/// years, each year, its quarters and its months that have begun; and every plan period.
pub fn offered_periods(today: NaiveDate, plans: &[Period]) -> Vec<GridPeriod> {
    let y = today.year();
    let mut out: Vec<GridPeriod> = Vec::new();
    for year in y - 2..=y {
        out.push(GridPeriod::Year(year));
        out.extend((1..=4).map(|q| GridPeriod::Quarter(year, q)));
        out.extend((1..=12).map(|m| GridPeriod::Month(year, m)));
    }
    out.retain(|g| g.period().start <= today);
    out.extend(plans.iter().map(|p| GridPeriod::Plan(*p)));
    out.sort_by(|a, b| {
        let (a, b) = (a.period(), b.period());
        b.start.cmp(&a.start).then(b.end.cmp(&a.end))
    });
    out
}

/// 1 January to 31 December of `year`.
pub fn year_period(year: i32) -> Option<Period> {
    Some(Period {
        start: NaiveDate::from_ymd_opt(year, 1, 1)?,
        end: NaiveDate::from_ymd_opt(year, 12, 31)?,
    })
}

/// The month `m` (1 to 12) of `year`.
pub fn month_period(year: i32, m: u32) -> Option<Period> {
    let start = NaiveDate::from_ymd_opt(year, m, 1)?;
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, m + 1, 1)?
    };
    Some(Period {
        start,
        end: next.pred_opt()?,
    })
}

/// The period a reader asks for: `period` is a grid code (see `GridPeriod::code`); with none,
/// `default`. Custom days (`start`, `end`) are refused on the `period` field
/// (`error-period-custom`): an arbitrary range could be differenced against another to reveal
/// the few records between them.
pub fn choose_period(
    period: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
    default: GridPeriod,
    plans: &[Period],
) -> Result<GridPeriod, FieldErrors> {
    let mut e = FieldErrors::new();
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    if !blank(start) || !blank(end) {
        e.add("period", "error-period-custom");
        return Err(e);
    }
    let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(default);
    };
    GridPeriod::parse(p, plans).map_err(|k| {
        e.add("period", k);
        e
    })
}

/// The quarter `q` (1 to 4) of `year`.
pub fn quarter_period(year: i32, q: u32) -> Option<Period> {
    if !(1..=4).contains(&q) {
        return None;
    }
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

/// The areas a tenant's results list whether or not anyone is counted in them: its districts,
/// and its neighbourhoods with the district each belongs to. Sexes, age bands and origins are
/// the codes their fields declare. Listing the declared groups, not those that happen to hold
/// records, keeps a group's absence from saying that nobody is in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeclaredGroups {
    pub districts: Vec<String>,
    /// (neighbourhood, its district)
    pub neighbourhoods: Vec<(String, String)>,
}

/// The declared codes of a person dimension in `source`, and "unknown" for records without one.
fn declared_codes(source: Source, d: Disaggregation) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = match source.field(d.code()) {
        Some(FieldType::Code(codes)) => codes.to_vec(),
        _ => Vec::new(),
    };
    if !out.contains(&UNKNOWN_GROUP) {
        out.push(UNKNOWN_GROUP);
    }
    out
}

/// The layout shared by the numerator's and the denominator's linked counts.
struct Layout<'a> {
    districts: Vec<&'a str>,
    neighbourhoods: Vec<&'a str>,
    unplaced: Vec<&'a str>,
    columns: Vec<(Disaggregation, Vec<&'a str>)>,
}

fn layout<'a>(
    shape: &Shape,
    source: Source,
    declared: &'a DeclaredGroups,
    measures: &[&HashMap<Slot<'a>, Acc<'a>>],
) -> Layout<'a> {
    let mut districts: BTreeSet<&'a str> = BTreeSet::new();
    let mut neighbourhoods: BTreeSet<&'a str> = BTreeSet::new();
    let mut unplaced: BTreeSet<&'a str> = BTreeSet::new();
    // Every declared group first, whether or not a record falls in it.
    let all_districts = declared
        .districts
        .iter()
        .map(String::as_str)
        .chain(std::iter::once(UNKNOWN_GROUP));
    if shape.district {
        districts.extend(all_districts.clone());
    }
    if shape.neighbourhood {
        neighbourhoods.extend(declared.neighbourhoods.iter().map(|(n, _)| n.as_str()));
        neighbourhoods.insert(UNKNOWN_GROUP);
        unplaced.extend(all_districts);
    }
    let mut columns: Vec<(Disaggregation, BTreeSet<&'a str>)> = shape
        .dimensions
        .iter()
        .map(|d| (*d, declared_codes(source, *d).into_iter().collect()))
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
/// `declared` lists the tenant's areas (see `DeclaredGroups`).
pub fn publish(
    def: &IndicatorDefinition,
    period: Period,
    rows: &BTreeMap<Source, Vec<Row>>,
    declared: &DeclaredGroups,
) -> Result<Vec<IndicatorResult>, DisclosureError> {
    compute(def, period, rows, declared).map(|(results, _)| results)
}

/// `publish`, with the protected counts it published from (for the tests' proof).
fn compute<'a>(
    def: &IndicatorDefinition,
    period: Period,
    rows: &'a BTreeMap<Source, Vec<Row>>,
    declared: &'a DeclaredGroups,
) -> Result<(Vec<IndicatorResult>, Vec<ProtectedCounts>), DisclosureError> {
    const NONE: &[Row] = &[];
    let shape = Shape::of(def);
    // The territory says which district a neighbourhood is in, whether or not it has records.
    let mut home: BTreeMap<&'a str, &'a str> = declared
        .neighbourhoods
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_str()))
        .collect();
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
    let l = layout(&shape, def.numerator.source, declared, &all);

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
    /// The territory of the tests: the places records use, and a neighbourhood and a district
    /// where nobody lives.
    fn declared() -> DeclaredGroups {
        DeclaredGroups {
            districts: vec!["01".into(), "02".into(), "03".into()],
            neighbourhoods: vec![
                ("0101".into(), "01".into()),
                ("0102".into(), "01".into()),
                ("0103".into(), "01".into()),
                ("0201".into(), "02".into()),
                ("0301".into(), "03".into()),
            ],
        }
    }

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
        let out = publish(&def, year(2026), &rows, &declared()).unwrap();
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
        let woman = groups.iter().find(|(g, _)| *g == "woman").unwrap();
        assert!(
            matches!(
                woman.1,
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
        let out = publish(&completion("sensitive"), year(2026), &rows, &declared()).unwrap();
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
        let out = publish(
            &completion("ordinary"),
            year(2026),
            &rows(&specs),
            &declared(),
        )
        .unwrap();
        assert_eq!(
            find(&out, &Scope::City, None).unwrap().total(),
            Published::Value(IndicatorValue::DivisionByZero)
        );
    }

    #[test]
    fn periods_come_from_the_grid() {
        let plan = Period::parse("2024-01-01", "2027-12-31").unwrap();
        let plans = [plan];
        let choose = |p: Option<&str>, s: Option<&str>, e: Option<&str>| {
            choose_period(p, s, e, GridPeriod::Year(2025), &plans)
        };
        let p = choose(Some("2026-Q2"), None, None).unwrap().period();
        assert_eq!((p.start, p.end), (day(2026, 4, 1), day(2026, 6, 30)));
        let p = choose(Some("2024-Q4"), None, None).unwrap().period();
        assert_eq!((p.start, p.end), (day(2024, 10, 1), day(2024, 12, 31)));
        let p = choose(Some("2024-02"), None, None).unwrap().period();
        assert_eq!((p.start, p.end), (day(2024, 2, 1), day(2024, 2, 29)));
        let p = choose(Some("plan-20240101-20271231"), None, None).unwrap();
        assert_eq!(p, GridPeriod::Plan(plan));
        assert_eq!(
            choose(None, Some(""), None).unwrap(),
            GridPeriod::Year(2025)
        );
        // Custom days are refused, however they are written: they could be differenced.
        for (s, e) in [
            (Some("2026-10-01"), Some("2026-10-01")),
            (Some("2026-10-01"), Some("2026-10-02")),
            (Some("2026-01-01"), Some("2026-12-31")),
            (Some("2026-05-01"), None),
            (None, Some("x")),
        ] {
            let err = choose(None, s, e).unwrap_err();
            assert_eq!(
                err.get("period"),
                Some("error-period-custom"),
                "{s:?} {e:?}"
            );
        }
        for bad in [
            "2026-Q5",
            "26",
            "1999",
            "Q1",
            "2026-Q",
            "2026-13",
            "2026-1",
            "2026-00",
            "plan-20240101-20261231",
            "plan-2024",
        ] {
            let e = choose(Some(bad), None, None).unwrap_err();
            assert_eq!(e.get("period"), Some("error-period-choice"), "{bad}");
        }
        // Every grid period reads back from its code and is recognised from its days alone.
        for g in offered_periods(day(2026, 5, 2), &plans) {
            assert_eq!(GridPeriod::parse(&g.code(), &plans), Ok(g));
            assert_eq!(GridPeriod::of(g.period(), &plans), Some(g));
        }
        assert_eq!(
            GridPeriod::of(Period::parse("2026-10-01", "2026-10-02").unwrap(), &plans),
            None
        );
        let offered = offered_periods(day(2026, 5, 2), &plans);
        // 2024 and 2025 whole (1 + 4 + 12 each), 2026 up to May (1 + 2 + 5), the plan.
        assert_eq!(offered.len(), 17 + 17 + 8 + 1, "{offered:?}");
        assert_eq!(offered[0], GridPeriod::Month(2026, 5));
        assert_eq!(
            choose_disaggregation(Some("colour")).unwrap_err().get("by"),
            Some("error-disaggregation-unknown")
        );
        assert_eq!(
            choose_disaggregation(Some(" sex ")).unwrap(),
            Some(Disaggregation::Sex)
        );
        let standard = standard_periods(day(2026, 5, 2), &plans);
        assert_eq!(
            standard,
            vec![
                GridPeriod::Year(2024),
                GridPeriod::Year(2025),
                GridPeriod::Year(2026),
                GridPeriod::Quarter(2026, 1),
                GridPeriod::Quarter(2026, 2),
                GridPeriod::Plan(plan),
            ]
        );
        assert_eq!(
            Scope::parse("neighbourhood:0101"),
            Some(Scope::Neighbourhood("0101".into()))
        );
        assert_eq!(Scope::parse(&Scope::City.code()), Some(Scope::City));
        assert_eq!(Scope::parse("neighbourhood:"), None);
    }

    /// The groups of every table, for comparing what is listed.
    fn listed(out: &[IndicatorResult]) -> Vec<(Scope, Option<Disaggregation>, Vec<Key>)> {
        out.iter()
            .map(|r| {
                (
                    r.scope.clone(),
                    r.disaggregation,
                    r.cells.iter().map(|(k, _)| k.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn the_groups_listed_do_not_depend_on_which_are_empty() {
        // Twelve women in 0101 aged under 25, all local; then the same with one man of 55 and
        // over, from the EU, in 0201 instead: the tables list the same groups either way, the
        // declared ones (every neighbourhood, sex, age band and origin), empty or not.
        let base: Vec<Spec> = (0..12).map(|p| (p, 0, 0, 0, 0, 1, Some(3))).collect();
        let mut other = base.clone();
        other[11] = (11, 2, 1, 2, 0, 1, Some(3));
        for def in [
            completion("sensitive"),
            completion("ordinary"),
            people_enrolled(),
        ] {
            let a = publish(&def, year(2026), &rows(&base), &declared()).unwrap();
            let b = publish(&def, year(2026), &rows(&other), &declared()).unwrap();
            assert_eq!(listed(&a), listed(&b), "{}", def.code);
            let by_nb = find(&a, &Scope::City, Some(Disaggregation::Neighbourhood)).unwrap();
            let names: Vec<&str> = by_nb.groups().map(|(g, _)| g).collect();
            assert_eq!(names, ["0101", "0102", "0103", "0201", "0301", "unknown"]);
            let by_sex = find(&a, &Scope::City, Some(Disaggregation::Sex)).unwrap();
            let sexes: Vec<&str> = by_sex.groups().map(|(g, _)| g).collect();
            assert_eq!(
                sexes,
                ["man", "non_binary", "not_recorded", "unknown", "woman"]
            );
            // A neighbourhood nobody lives in has its tables too.
            assert!(find(&a, &Scope::Neighbourhood("0301".into()), None).is_some());
        }
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
                let (out, proofs) = compute(&def, year(2026), &rows, &declared()).unwrap();
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
