//! What of a computed indicator may be published: the counts behind each cell (records, or
//! people for distinct-person measures) pass the disclosure control of the definition's
//! sensitivity, numerators and denominators alike; a cell whose count is hidden shows as
//! suppressed, never as its value.

use super::definition::{
    Aggregate, Disaggregation, FieldValue, IndicatorDefinition, IndicatorValue, Key, Measure,
    Period, Row, Sensitivity, Source, group_of,
};
use super::disclosure::{self, CountList, DisclosureError, Rule};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The counts behind one cell of a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellCounts {
    pub key: Key,
    pub numerator: u64,
    pub denominator: Option<u64>,
}

/// A cell as it may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Published {
    Value(IndicatorValue),
    Suppressed,
}

/// How many records (or people) a measure stands on: those in the period passing the filters,
/// and for sums and medians only those with a value.
fn units(m: &Measure, rows: &[&Row], period: Period) -> u64 {
    let kept = rows
        .iter()
        .filter(|r| m.period.matches(r, period) && m.filters.iter().all(|f| f.matches(r, period)));
    let n = match m.aggregate {
        Aggregate::Count => kept.count(),
        Aggregate::CountDistinctPerson => kept
            .map(|r| r.get("person_id"))
            .filter(|v| **v != FieldValue::Null)
            .collect::<BTreeSet<_>>()
            .len(),
        Aggregate::Sum | Aggregate::Median => {
            let field = m.field.unwrap_or_default();
            kept.filter(|r| r.get(field).as_integer().is_some()).count()
        }
    };
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The counts behind the total and, with a disaggregation, behind every group, in the order
/// `definition::evaluate` returns its cells.
pub fn cell_counts(
    def: &IndicatorDefinition,
    period: Period,
    rows: &BTreeMap<Source, Vec<Row>>,
    disaggregation: Option<Disaggregation>,
) -> Vec<CellCounts> {
    let all = |m: &Measure| -> Vec<&Row> {
        rows.get(&m.source)
            .map(|rs| rs.iter().collect())
            .unwrap_or_default()
    };
    let num = all(&def.numerator);
    let den = def.denominator.as_ref().map(all);
    let count = |n: &[&Row], d: Option<&[&Row]>| {
        (
            units(&def.numerator, n, period),
            def.denominator
                .as_ref()
                .zip(d)
                .map(|(m, d)| units(m, d, period)),
        )
    };
    let (n, d) = count(&num, den.as_deref());
    let mut out = vec![CellCounts {
        key: Key::Total,
        numerator: n,
        denominator: d,
    }];
    if let Some(dis) = disaggregation {
        let in_period = |m: &Measure, rs: &[&Row]| -> Vec<String> {
            rs.iter()
                .filter(|r| m.period.matches(r, period))
                .map(|r| group_of(r, dis))
                .collect()
        };
        let mut groups: BTreeSet<String> = in_period(&def.numerator, &num).into_iter().collect();
        if let (Some(m), Some(d)) = (&def.denominator, &den) {
            groups.extend(in_period(m, d));
        }
        for g in groups {
            let n = pick(&num, dis, &g);
            let d = den.as_deref().map(|rs| pick(rs, dis, &g));
            let (nc, dc) = count(&n, d.as_deref());
            out.push(CellCounts {
                key: Key::Group(g),
                numerator: nc,
                denominator: dc,
            });
        }
    }
    out
}

fn pick<'a>(rs: &[&'a Row], d: Disaggregation, g: &str) -> Vec<&'a Row> {
    rs.iter().copied().filter(|r| group_of(r, d) == g).collect()
}

fn rule(sensitivity: Sensitivity) -> Rule {
    Rule::for_sensitivity(match sensitivity {
        Sensitivity::Ordinary => disclosure::Sensitivity::Ordinary,
        Sensitivity::Sensitive => disclosure::Sensitivity::Sensitive,
    })
}

/// Applies disclosure control to computed cells. The groups' numerator counts form one list and
/// their denominator counts another (each with its total); a group hidden in either list is
/// suppressed, and so is the total when a total is hidden. Without groups, the total alone is
/// checked against the threshold. `counts` must come from `cell_counts` for the same cells;
/// a cell without counts is suppressed.
pub fn protect_counts(
    sensitivity: Sensitivity,
    values: &[(Key, IndicatorValue)],
    counts: &[CellCounts],
) -> Result<Vec<(Key, Published)>, DisclosureError> {
    let rule = rule(sensitivity);
    let find = |k: &Key| counts.iter().find(|c| c.key == *k);
    let groups: Vec<&CellCounts> = values
        .iter()
        .filter(|(k, _)| *k != Key::Total)
        .filter_map(|(k, _)| find(k))
        .collect();
    let cells: Vec<&CellCounts> = if groups.is_empty() {
        counts.iter().filter(|c| c.key == Key::Total).collect()
    } else {
        groups
    };
    let mut hidden: BTreeSet<Key> = BTreeSet::new();
    let mut total_hidden = cells.is_empty();
    if !cells.is_empty() {
        let nums = CountList::new(cells.iter().map(|c| c.numerator).collect())?.protect(rule);
        let dens =
            if cells.iter().all(|c| c.denominator.is_some()) && cells[0].denominator.is_some() {
                Some(
                    CountList::new(cells.iter().map(|c| c.denominator.unwrap_or(0)).collect())?
                        .protect(rule),
                )
            } else {
                None
            };
        for (i, c) in cells.iter().enumerate() {
            let in_num = nums.cell(i).is_none_or(disclosure::Cell::is_suppressed);
            let in_den = dens
                .as_ref()
                .is_some_and(|d| d.cell(i).is_none_or(disclosure::Cell::is_suppressed));
            if in_num || in_den {
                hidden.insert(c.key.clone());
            }
        }
        total_hidden = nums.total().is_suppressed()
            || dens.as_ref().is_some_and(|d| d.total().is_suppressed())
            || hidden.contains(&Key::Total);
    }
    Ok(values
        .iter()
        .map(|(k, v)| {
            let shown = match k {
                Key::Total => !total_hidden,
                group => find(group).is_some() && !hidden.contains(group),
            };
            let p = if shown {
                Published::Value(*v)
            } else {
                Published::Suppressed
            };
            (k.clone(), p)
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::indicators::definition::Ratio;

    fn group(k: &str) -> Key {
        Key::Group(k.to_owned())
    }

    fn count(n: u64, d: Option<u64>) -> IndicatorValue {
        let r = Ratio {
            numerator: i64::try_from(n).unwrap(),
            denominator: i64::try_from(d.unwrap_or(1)).unwrap(),
        };
        IndicatorValue::Value(r)
    }

    fn cells(list: &[(&str, u64, Option<u64>)]) -> (Vec<(Key, IndicatorValue)>, Vec<CellCounts>) {
        let total_n: u64 = list.iter().map(|c| c.1).sum();
        let total_d: Option<u64> = list.iter().map(|c| c.2).sum();
        let mut values = vec![(Key::Total, count(total_n, total_d))];
        let mut counts = vec![CellCounts {
            key: Key::Total,
            numerator: total_n,
            denominator: total_d,
        }];
        for (k, n, d) in list {
            values.push((group(k), count(*n, *d)));
            counts.push(CellCounts {
                key: group(k),
                numerator: *n,
                denominator: *d,
            });
        }
        (values, counts)
    }

    fn suppressed(out: &[(Key, Published)]) -> Vec<Key> {
        out.iter()
            .filter(|(_, p)| *p == Published::Suppressed)
            .map(|(k, _)| k.clone())
            .collect()
    }

    #[test]
    fn a_small_group_and_its_complement_are_hidden_the_total_is_shown() {
        let (values, counts) = cells(&[("a", 20, None), ("b", 3, None), ("c", 30, None)]);
        let out = protect_counts(Sensitivity::Ordinary, &values, &counts).unwrap();
        let hidden = suppressed(&out);
        assert!(hidden.contains(&group("b")));
        assert_eq!(
            hidden.len(),
            2,
            "one secondary cell so b is not total minus the rest"
        );
        assert_eq!(out[0], (Key::Total, Published::Value(count(53, None))));
    }

    #[test]
    fn a_percent_is_hidden_when_its_denominator_is_small_even_if_the_numerator_is_not_shown() {
        let (values, counts) =
            cells(&[("a", 12, Some(40)), ("b", 12, Some(40)), ("c", 0, Some(4))]);
        let out = protect_counts(Sensitivity::Ordinary, &values, &counts).unwrap();
        let hidden = suppressed(&out);
        assert!(hidden.contains(&group("c")));
        assert!(!hidden.contains(&Key::Total));
        assert_eq!(hidden.len(), 2);
    }

    #[test]
    fn a_sensitive_total_under_ten_is_hidden_without_groups() {
        let counts = vec![CellCounts {
            key: Key::Total,
            numerator: 9,
            denominator: None,
        }];
        let values = vec![(Key::Total, count(9, None))];
        let out = protect_counts(Sensitivity::Sensitive, &values, &counts).unwrap();
        assert_eq!(out, vec![(Key::Total, Published::Suppressed)]);
        let out = protect_counts(Sensitivity::Ordinary, &values, &counts).unwrap();
        assert_eq!(out, vec![(Key::Total, Published::Value(count(9, None)))]);
    }

    #[test]
    fn large_groups_are_all_shown_and_cells_without_counts_never() {
        let (mut values, counts) = cells(&[("a", 20, None), ("b", 25, None)]);
        let out = protect_counts(Sensitivity::Sensitive, &values, &counts).unwrap();
        assert!(suppressed(&out).is_empty());
        values.push((group("z"), count(1, None)));
        let out = protect_counts(Sensitivity::Sensitive, &values, &counts).unwrap();
        assert_eq!(suppressed(&out), vec![group("z")]);
    }
}
