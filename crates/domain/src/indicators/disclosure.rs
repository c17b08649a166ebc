//! Statistical disclosure control (SDC) for published counts: threshold rule with primary and
//! secondary (complementary) cell suppression.
//!
//! Every number that leaves the indicator engine (dashboards, exports, the public neighbourhood
//! pages) goes through here first. The input is a table of counts of people, the output a table
//! where each cell and each total is either [`Cell::Published`] or [`Cell::Suppressed`]. The output
//! types never hold a suppressed value, so no `Debug`, `Serialize` or accessor can leak one; the
//! input types print their shape only.
//!
//! # Rules (security.md, "Statistics")
//!
//! * **Threshold.** [`Sensitivity::Ordinary`] hides counts under 5, [`Sensitivity::Sensitive`]
//!   (health, income, gender violence, migration) counts under 10; [`Rule::custom`] takes any
//!   threshold of at least 1.
//! * **Primary suppression.** A count `0 < n < threshold` is hidden. Totals are cells of the
//!   marginal tables and follow the same rule: a row total of 3 is hidden too.
//! * **Zeros.** An ordinary table publishes zeros ([`Zeros::Publish`]): "nobody" names no one and
//!   hiding every zero would blank most small-area tables. A sensitive table hides them
//!   ([`Zeros::Suppress`]): a published 0 beside a published total can tell everyone in the
//!   group the other cell's attribute (a row "sex F × victim: 0, not victim: 12" says all twelve
//!   are not victims, a row "not victim: 0" says they all are), so in sensitive tables zeros are
//!   primary suppressions like small counts. This is the conservative choice; [`Rule::custom`]
//!   lets a caller choose explicitly.
//! * **Secondary suppression.** The table is a linear system: each row sums to its row total,
//!   each column to its column total, the row totals and the column totals each sum to the
//!   grand total. Whenever an equation has exactly one hidden member (a cell, a total, or a row
//!   total in the grand-total equation), that member could be computed as "total minus the
//!   others", so one more member of that equation is hidden: a published part, else the
//!   equation's total. Among the parts, the one whose other equation (its column, for a row)
//!   already has a lone hidden cell is preferred, so suppressions close into cycles rather than
//!   spread; then non-zero before zero (a hidden zero protects little); then the smallest; then
//!   the first. This repeats across rows, columns and margins until nothing changes. The
//!   iterative "one unknown per equation" attack is not enough on its own: random tables produce
//!   hidden cells determined only by a *combination* of equations (two suppression cycles joined
//!   by one cell; the property test finds such tables when this step is disabled). So an exact
//!   check (rational Gaussian elimination over the hidden unknowns) then looks for hidden cells
//!   still determined; for each one found, another member of one of its equations is hidden and
//!   the loop starts again. Hiding everything is always safe (the system has a strictly positive
//!   null vector), so the loop ends.
//! * **Deterministic.** The same counts and rule give the same suppression pattern (ties are
//!   broken by position), so a reload or a second export cannot be differenced against the
//!   first.
//!
//! # Deliberately not done
//!
//! * No rounding, perturbation or noise (cell key method, differential privacy): published
//!   numbers are exact, and published totals are the true sums.
//! * No optimal (linear- or integer-programming) suppression. The greedy smallest-cell rule
//!   hides more than an optimiser would in some tables; it errs on the side of hiding.
//! * No protection *intervals*: the guarantee is that no hidden cell is uniquely determined by
//!   the published numbers. An attacker can still bound a hidden cell (between 0 and the sum of
//!   the hidden cells of its row), and an attacker who knows this algorithm may reason about which
//!   cells were secondary. Preferring non-zero complements keeps those bounds wide.
//! * No automatic linking across tables: two tables published from the same records (by sex and
//!   by age band for the same neighbourhood) are protected each on its own by `CountList` and
//!   `CountTable`. Callers that publish overlapping tables describe them as one system with
//!   [`LinkedCounts`] (any set of "parts sum to total" equations), which the same greedy pass
//!   and exact check protect as a whole; `results::publish` does so for every indicator.
//! * No dominance (p%) rule: the counts are people, not magnitudes such as turnover.

use std::fmt;

use serde::Serialize;

/// How sensitive the category counted is; chooses the default [`Rule`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Threshold 5, zeros published.
    Ordinary,
    /// Health, income, gender violence, migration: threshold 10, zeros hidden.
    Sensitive,
}

/// Whether a zero count may be published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zeros {
    Publish,
    Suppress,
}

/// The suppression rule: counts under `threshold` are hidden, and zeros per [`Zeros`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Rule {
    threshold: u64,
    zeros: Zeros,
}

impl Rule {
    pub const ORDINARY_THRESHOLD: u64 = 5;
    pub const SENSITIVE_THRESHOLD: u64 = 10;

    pub const fn for_sensitivity(sensitivity: Sensitivity) -> Self {
        match sensitivity {
            Sensitivity::Ordinary => Self {
                threshold: Self::ORDINARY_THRESHOLD,
                zeros: Zeros::Publish,
            },
            Sensitivity::Sensitive => Self {
                threshold: Self::SENSITIVE_THRESHOLD,
                zeros: Zeros::Suppress,
            },
        }
    }

    /// A threshold other than the policy defaults; it must be at least 1.
    pub fn custom(threshold: u64, zeros: Zeros) -> Result<Self, DisclosureError> {
        if threshold == 0 {
            return Err(DisclosureError::ZeroThreshold);
        }
        Ok(Self { threshold, zeros })
    }

    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    pub fn zeros(&self) -> Zeros {
        self.zeros
    }

    /// Whether `count` is hidden by primary suppression.
    pub fn is_primary(&self, count: u64) -> bool {
        if count == 0 {
            self.zeros == Zeros::Suppress
        } else {
            count < self.threshold
        }
    }
}

impl From<Sensitivity> for Rule {
    fn from(sensitivity: Sensitivity) -> Self {
        Self::for_sensitivity(sensitivity)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    #[error("a disclosure threshold must be at least 1")]
    ZeroThreshold,
    #[error("a table of counts needs at least one row and one column")]
    Empty,
    #[error("row {row} has {found} cells, the first row has {expected}")]
    Ragged {
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("the counts overflow when summed")]
    Overflow,
    #[error("linked counts do not add up, or an equation names an unknown count")]
    Inconsistent,
}

/// Why a cell is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The count itself is under the threshold (or a zero in a table that hides zeros).
    Primary,
    /// Hidden so that a primary cell cannot be computed from the totals.
    Secondary,
}

/// One published number: the count, or the fact that it is hidden and why. Never the hidden
/// count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Published(u64),
    Suppressed(Reason),
}

impl Cell {
    pub fn published(self) -> Option<u64> {
        match self {
            Self::Published(n) => Some(n),
            Self::Suppressed(_) => None,
        }
    }

    pub fn is_suppressed(self) -> bool {
        matches!(self, Self::Suppressed(_))
    }
}

/// A one-dimensional list of counts (e.g. people by age band) and its total.
///
/// `Debug` shows the length only, so the raw counts do not end up in a log.
#[derive(Clone)]
pub struct CountList {
    cells: Vec<u64>,
}

impl CountList {
    /// The total is computed here, as the sum of the cells: put "unknown" in a cell of its own.
    pub fn new(cells: Vec<u64>) -> Result<Self, DisclosureError> {
        if cells.is_empty() {
            return Err(DisclosureError::Empty);
        }
        checked_sum(cells.iter().copied())?;
        Ok(Self { cells })
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn protect(&self, rule: Rule) -> ProtectedList {
        let layout = Layout::List(self.cells.len());
        let mut values = self.cells.clone();
        values.push(self.cells.iter().sum());
        ProtectedList {
            len: self.cells.len(),
            cells: protect(&layout, &values, rule),
        }
    }
}

impl fmt::Debug for CountList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountList")
            .field("len", &self.cells.len())
            .finish_non_exhaustive()
    }
}

/// A two-dimensional table of counts (e.g. neighbourhood × sex); its row, column and grand
/// totals are computed as the sums of the cells.
///
/// `Debug` shows the shape only, so the raw counts do not end up in a log.
#[derive(Clone)]
pub struct CountTable {
    rows: usize,
    columns: usize,
    /// Row-major.
    cells: Vec<u64>,
}

impl CountTable {
    pub fn new(rows: Vec<Vec<u64>>) -> Result<Self, DisclosureError> {
        let columns = rows.first().map_or(0, Vec::len);
        if columns == 0 {
            return Err(DisclosureError::Empty);
        }
        for (row, cells) in rows.iter().enumerate() {
            if cells.len() != columns {
                return Err(DisclosureError::Ragged {
                    row,
                    expected: columns,
                    found: cells.len(),
                });
            }
        }
        let n = rows.len();
        let cells: Vec<u64> = rows.into_iter().flatten().collect();
        // The grand total bounds every other sum.
        checked_sum(cells.iter().copied())?;
        Ok(Self {
            rows: n,
            columns,
            cells,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn protect(&self, rule: Rule) -> ProtectedTable {
        let (r, c) = (self.rows, self.columns);
        let mut values = self.cells.clone();
        values.extend((0..r).map(|i| self.cells[i * c..(i + 1) * c].iter().sum::<u64>()));
        values.extend((0..c).map(|j| (0..r).map(|i| self.cells[i * c + j]).sum::<u64>()));
        values.push(self.cells.iter().sum());
        ProtectedTable {
            rows: r,
            columns: c,
            cells: protect(&Layout::Table(r, c), &values, rule),
        }
    }
}

impl fmt::Debug for CountTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CountTable")
            .field("rows", &self.rows)
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

/// A list after disclosure control: safe to publish as it is. Serialises as
/// `{"cells": [..], "total": ..}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedList {
    len: usize,
    /// The cells, then the total.
    cells: Vec<Cell>,
}

impl ProtectedList {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells[..self.len]
    }

    pub fn cell(&self, index: usize) -> Option<Cell> {
        self.cells().get(index).copied()
    }

    pub fn total(&self) -> Cell {
        self.cells[self.len]
    }

    /// Whether some hidden cell is the only unknown of an equation, applied iteratively (each
    /// cell found becomes known): the "total minus the others" attack.
    pub fn recoverable_by_elimination(&self) -> bool {
        recoverable_by_elimination(&Layout::List(self.len), &self.cells)
    }

    /// Whether some hidden cell is uniquely determined by the published numbers, by any linear
    /// combination of the equations (exact rational elimination). Implies nothing is recoverable
    /// by [`Self::recoverable_by_elimination`] either when it returns `false`.
    pub fn recoverable(&self) -> bool {
        recoverable_exactly(&Layout::List(self.len), &self.cells)
    }
}

/// A table after disclosure control: safe to publish as it is. Serialises as
/// `{"rows": [[..], ..], "row_totals": [..], "column_totals": [..], "grand_total": ..}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedTable {
    rows: usize,
    columns: usize,
    /// Row-major cells, then the row totals, the column totals and the grand total.
    cells: Vec<Cell>,
}

impl ProtectedTable {
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn row(&self, row: usize) -> Option<&[Cell]> {
        (row < self.rows).then(|| &self.cells[row * self.columns..(row + 1) * self.columns])
    }

    pub fn cell(&self, row: usize, column: usize) -> Option<Cell> {
        (column < self.columns)
            .then(|| self.row(row).map(|r| r[column]))
            .flatten()
    }

    pub fn row_totals(&self) -> &[Cell] {
        let start = self.rows * self.columns;
        &self.cells[start..start + self.rows]
    }

    pub fn column_totals(&self) -> &[Cell] {
        let start = self.rows * self.columns + self.rows;
        &self.cells[start..start + self.columns]
    }

    pub fn row_total(&self, row: usize) -> Option<Cell> {
        (row < self.rows).then(|| self.cells[self.rows * self.columns + row])
    }

    pub fn column_total(&self, column: usize) -> Option<Cell> {
        (column < self.columns).then(|| self.cells[self.rows * self.columns + self.rows + column])
    }

    pub fn grand_total(&self) -> Cell {
        self.cells[self.cells.len() - 1]
    }

    /// See [`ProtectedList::recoverable_by_elimination`].
    pub fn recoverable_by_elimination(&self) -> bool {
        recoverable_by_elimination(&Layout::Table(self.rows, self.columns), &self.cells)
    }

    /// See [`ProtectedList::recoverable`].
    pub fn recoverable(&self) -> bool {
        recoverable_exactly(&Layout::Table(self.rows, self.columns), &self.cells)
    }
}

impl Serialize for ProtectedList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            cells: &'a [Cell],
            total: Cell,
        }
        View {
            cells: self.cells(),
            total: self.total(),
        }
        .serialize(serializer)
    }
}

impl Serialize for ProtectedTable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            rows: Vec<&'a [Cell]>,
            row_totals: &'a [Cell],
            column_totals: &'a [Cell],
            grand_total: Cell,
        }
        View {
            rows: (0..self.rows).filter_map(|i| self.row(i)).collect(),
            row_totals: self.row_totals(),
            column_totals: self.column_totals(),
            grand_total: self.grand_total(),
        }
        .serialize(serializer)
    }
}

// ---------------------------------------------------------------------------------------------
// The linear system behind a table: variables are the cells and the totals, each equation says
// "these parts sum to that total".

fn checked_sum(mut values: impl Iterator<Item = u64>) -> Result<u64, DisclosureError> {
    values
        .try_fold(0u64, u64::checked_add)
        .ok_or(DisclosureError::Overflow)
}

#[derive(Clone, Copy)]
enum Layout {
    /// `n` cells, then the total.
    List(usize),
    /// `r × c` cells row-major, `r` row totals, `c` column totals, the grand total.
    Table(usize, usize),
}

#[derive(Clone)]
struct Equation {
    parts: Vec<usize>,
    total: usize,
}

impl Equation {
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        self.parts
            .iter()
            .copied()
            .chain(std::iter::once(self.total))
    }
}

impl Layout {
    fn variables(self) -> usize {
        match self {
            Self::List(n) => n + 1,
            Self::Table(r, c) => r * c + r + c + 1,
        }
    }

    fn equations(self) -> Vec<Equation> {
        match self {
            Self::List(n) => vec![Equation {
                parts: (0..n).collect(),
                total: n,
            }],
            Self::Table(r, c) => {
                let row_total = |i: usize| r * c + i;
                let column_total = |j: usize| r * c + r + j;
                let grand = r * c + r + c;
                let mut equations = Vec::with_capacity(r + c + 2);
                for i in 0..r {
                    equations.push(Equation {
                        parts: (0..c).map(|j| i * c + j).collect(),
                        total: row_total(i),
                    });
                }
                for j in 0..c {
                    equations.push(Equation {
                        parts: (0..r).map(|i| i * c + j).collect(),
                        total: column_total(j),
                    });
                }
                equations.push(Equation {
                    parts: (0..r).map(row_total).collect(),
                    total: grand,
                });
                equations.push(Equation {
                    parts: (0..c).map(column_total).collect(),
                    total: grand,
                });
                equations
            }
        }
    }
}

/// The suppression itself; `values` are the true values of every variable of `layout`.
fn protect(layout: &Layout, values: &[u64], rule: Rule) -> Vec<Cell> {
    debug_assert_eq!(values.len(), layout.variables());
    protect_equations(layout.equations(), values, rule)
}

/// The suppression over any system of "parts sum to total" equations.
fn protect_equations(equations: Vec<Equation>, values: &[u64], rule: Rule) -> Vec<Cell> {
    let mut member_of = vec![Vec::new(); values.len()];
    for (e, equation) in equations.iter().enumerate() {
        for v in equation.members() {
            member_of[v].push(e);
        }
    }
    let mut s = Suppression {
        equations,
        member_of,
        values,
        hidden: values
            .iter()
            .map(|&v| rule.is_primary(v).then_some(Reason::Primary))
            .collect(),
    };

    loop {
        s.complement_greedily();
        let is_hidden: Vec<bool> = s.hidden.iter().map(Option::is_some).collect();
        let Some(exposed) = determined(&s.equations, &is_hidden).iter().position(|&d| d) else {
            break;
        };
        // Hide one more member of an equation of the exposed variable, then let the greedy pass
        // propagate. If none of its equations has anything published left, some other hidden
        // variable carries the information: hide the best published variable of all.
        let choice = s.member_of[exposed]
            .iter()
            .find_map(|&e| s.complement(e))
            .or_else(|| {
                (0..values.len())
                    .filter(|&v| s.hidden[v].is_none())
                    .min_by_key(|&v| s.complement_key(v, usize::MAX))
            });
        match choice {
            Some(v) => s.hidden[v] = Some(Reason::Secondary),
            // Everything is hidden: nothing can be determined. Unreachable, but safe.
            None => break,
        }
    }

    values
        .iter()
        .zip(s.hidden)
        .map(|(&v, h)| match h {
            Some(reason) => Cell::Suppressed(reason),
            None => Cell::Published(v),
        })
        .collect()
}

struct Suppression<'a> {
    equations: Vec<Equation>,
    /// For each variable, the equations it belongs to.
    member_of: Vec<Vec<usize>>,
    values: &'a [u64],
    hidden: Vec<Option<Reason>>,
}

impl Suppression<'_> {
    fn hidden_in(&self, equation: usize) -> usize {
        self.equations[equation]
            .members()
            .filter(|&v| self.hidden[v].is_some())
            .count()
    }

    /// Ordering of the candidates to hide as a complement for `equation`, best first:
    /// 1. by what hiding `v` does to its *other* equations: one that has exactly one hidden
    ///    member is protected by it (good), one with none gets a lone hidden member and will need
    ///    a complement of its own (bad); this closes suppression cycles instead of spreading;
    /// 2. non-zero before zero (a hidden zero beside a small cell protects little);
    /// 3. the smallest value (the least information lost);
    /// 4. the position, so the result is deterministic.
    fn complement_key(&self, v: usize, equation: usize) -> (i64, bool, u64, usize) {
        let structure: i64 = self.member_of[v]
            .iter()
            .filter(|&&e| e != equation)
            .map(|&e| match self.hidden_in(e) {
                0 => 1,
                1 => -1,
                _ => 0,
            })
            .sum();
        (structure, self.values[v] == 0, self.values[v], v)
    }

    /// The complement to hide in `equation`: the best published part, else its total.
    fn complement(&self, equation: usize) -> Option<usize> {
        let eq = &self.equations[equation];
        eq.parts
            .iter()
            .copied()
            .filter(|&v| self.hidden[v].is_none())
            .min_by_key(|&v| self.complement_key(v, equation))
            .or((self.hidden[eq.total].is_none()).then_some(eq.total))
    }

    /// While some equation has exactly one hidden member, hide one more of its members.
    fn complement_greedily(&mut self) {
        let mut changed = true;
        while changed {
            changed = false;
            for e in 0..self.equations.len() {
                if self.hidden_in(e) == 1
                    && let Some(v) = self.complement(e)
                {
                    self.hidden[v] = Some(Reason::Secondary);
                    changed = true;
                }
            }
        }
    }
}

/// The attack the brief names: an equation with a single unknown gives it away ("total minus the
/// others"); what is found becomes known, and the search goes on until nothing new is found.
/// Returns the hidden variables recovered, in the order found.
fn eliminate(layout: &Layout, cells: &[Cell]) -> Vec<usize> {
    let equations = layout.equations();
    let mut unknown: Vec<bool> = cells.iter().map(|c| c.is_suppressed()).collect();
    let mut recovered = Vec::new();
    let mut progress = true;
    while progress {
        progress = false;
        for equation in &equations {
            let mut unknowns = equation.members().filter(|&v| unknown[v]);
            if let (Some(v), None) = (unknowns.next(), unknowns.next()) {
                unknown[v] = false;
                recovered.push(v);
                progress = true;
            }
        }
    }
    recovered
}

fn recoverable_by_elimination(layout: &Layout, cells: &[Cell]) -> bool {
    !eliminate(layout, cells).is_empty()
}

// ---------------------------------------------------------------------------------------------
// Linked tables: several tables published from the same records share their totals (a
// neighbourhood's total is a row of the table by sex and of the table by age band), so they are
// protected as one system.

/// Counts tied by "these parts sum to that total" equations, protected together: the way to
/// publish overlapping tables (see "Deliberately not done"). Variables are added with their
/// true value; the equations must hold on those values.
#[derive(Default)]
pub struct LinkedCounts {
    values: Vec<u64>,
    equations: Vec<Equation>,
}

impl fmt::Debug for LinkedCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LinkedCounts {{ {} variables, {} equations }}",
            self.values.len(),
            self.equations.len()
        )
    }
}

impl LinkedCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a count; returns its index.
    pub fn add(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.values.len() - 1
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// States that `parts` sum to `total`. Refused when an index is unknown or the values do
    /// not add up: a wrong system would protect the wrong thing.
    pub fn sum(&mut self, parts: Vec<usize>, total: usize) -> Result<(), DisclosureError> {
        let n = self.values.len();
        if total >= n || parts.iter().any(|&p| p >= n) || parts.contains(&total) {
            return Err(DisclosureError::Inconsistent);
        }
        if checked_sum(parts.iter().map(|&p| self.values[p]))? != self.values[total] {
            return Err(DisclosureError::Inconsistent);
        }
        self.equations.push(Equation { parts, total });
        Ok(())
    }

    pub fn protect(&self, rule: Rule) -> ProtectedCounts {
        ProtectedCounts {
            cells: protect_equations(self.equations.clone(), &self.values, rule),
            equations: self.equations.clone(),
        }
    }
}

/// Linked counts after disclosure control, addressed by the indices `LinkedCounts::add` gave.
pub struct ProtectedCounts {
    cells: Vec<Cell>,
    equations: Vec<Equation>,
}

impl fmt::Debug for ProtectedCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.cells).finish()
    }
}

impl ProtectedCounts {
    pub fn cell(&self, index: usize) -> Cell {
        self.cells
            .get(index)
            .copied()
            .unwrap_or(Cell::Suppressed(Reason::Primary))
    }

    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Whether some hidden count is still uniquely determined by the published ones (exact).
    pub fn recoverable(&self) -> bool {
        let is_hidden: Vec<bool> = self.cells.iter().map(|c| c.is_suppressed()).collect();
        determined(&self.equations, &is_hidden).iter().any(|&d| d)
    }
}

fn recoverable_exactly(layout: &Layout, cells: &[Cell]) -> bool {
    let is_hidden: Vec<bool> = cells.iter().map(|c| c.is_suppressed()).collect();
    determined(&layout.equations(), &is_hidden)
        .iter()
        .any(|&d| d)
}

/// For each variable: whether it is hidden and yet uniquely determined by the equations given the
/// published values. A hidden variable `k` is determined iff the unit vector `e_k` lies in the
/// row space of the equations restricted to the hidden variables; that is read off the reduced
/// row echelon form (a pivot row whose only non-zero entry is at `k`). Exact integer
/// arithmetic; on overflow every hidden variable is reported as determined, which only makes
/// the caller hide more.
fn determined(equations: &[Equation], is_hidden: &[bool]) -> Vec<bool> {
    let columns: Vec<usize> = (0..is_hidden.len()).filter(|&v| is_hidden[v]).collect();
    let mut column_of = vec![usize::MAX; is_hidden.len()];
    for (c, &v) in columns.iter().enumerate() {
        column_of[v] = c;
    }
    let mut matrix: Vec<Vec<i128>> = equations
        .iter()
        .map(|e| {
            let mut row = vec![0i128; columns.len()];
            for &p in &e.parts {
                if is_hidden[p] {
                    row[column_of[p]] += 1;
                }
            }
            if is_hidden[e.total] {
                row[column_of[e.total]] -= 1;
            }
            row
        })
        .collect();

    let mut result = vec![false; is_hidden.len()];
    let Some(pivots) = reduce(&mut matrix, columns.len()) else {
        return is_hidden.to_vec();
    };
    for (c, pivot) in pivots.into_iter().enumerate() {
        if let Some(r) = pivot
            && matrix[r].iter().enumerate().all(|(j, &x)| j == c || x == 0)
        {
            result[columns[c]] = true;
        }
    }
    result
}

/// Reduced row echelon form in place (fraction-free, rows kept primitive by their gcd). Returns
/// the pivot row of each column, or `None` on overflow.
fn reduce(matrix: &mut [Vec<i128>], columns: usize) -> Option<Vec<Option<usize>>> {
    let mut pivots = vec![None; columns];
    let mut next = 0;
    for (c, pivot_slot) in pivots.iter_mut().enumerate() {
        let Some(p) = (next..matrix.len()).find(|&r| matrix[r][c] != 0) else {
            continue;
        };
        matrix.swap(next, p);
        let pivot_row = matrix[next].clone();
        let b = pivot_row[c];
        for (r, row) in matrix.iter_mut().enumerate() {
            let a = row[c];
            if r == next || a == 0 {
                continue;
            }
            for (x, &y) in row.iter_mut().zip(&pivot_row) {
                *x = x.checked_mul(b)?.checked_sub(y.checked_mul(a)?)?;
            }
            let g = row.iter().fold(0i128, |g, &x| gcd(g, x));
            if g > 1 {
                for x in row.iter_mut() {
                    *x /= g;
                }
            }
        }
        *pivot_slot = Some(next);
        next += 1;
    }
    Some(pivots)
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Entries stay tiny (the matrix is a 0/±1 incidence matrix), so this always fits.
    i128::try_from(a).unwrap_or(1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use Cell::{Published as P, Suppressed as S};
    use Reason::{Primary, Secondary};
    use proptest::prelude::*;

    const ORDINARY: Rule = Rule::for_sensitivity(Sensitivity::Ordinary);
    const SENSITIVE: Rule = Rule::for_sensitivity(Sensitivity::Sensitive);

    fn table(rows: &[&[u64]]) -> CountTable {
        CountTable::new(rows.iter().map(|r| r.to_vec()).collect()).unwrap()
    }

    #[test]
    fn policy_thresholds() {
        assert_eq!(ORDINARY.threshold(), 5);
        assert_eq!(ORDINARY.zeros(), Zeros::Publish);
        assert_eq!(SENSITIVE.threshold(), 10);
        assert_eq!(SENSITIVE.zeros(), Zeros::Suppress);
        assert_eq!(Rule::from(Sensitivity::Sensitive), SENSITIVE);
        assert_eq!(
            Rule::custom(0, Zeros::Publish),
            Err(DisclosureError::ZeroThreshold)
        );
        assert_eq!(Rule::custom(3, Zeros::Publish).unwrap().threshold(), 3);
        assert!(ORDINARY.is_primary(4) && !ORDINARY.is_primary(5) && !ORDINARY.is_primary(0));
        assert!(SENSITIVE.is_primary(9) && !SENSITIVE.is_primary(10) && SENSITIVE.is_primary(0));
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(CountList::new(vec![]).unwrap_err(), DisclosureError::Empty);
        assert_eq!(CountTable::new(vec![]).unwrap_err(), DisclosureError::Empty);
        assert_eq!(
            CountTable::new(vec![vec![]]).unwrap_err(),
            DisclosureError::Empty
        );
        assert_eq!(
            CountTable::new(vec![vec![1, 2], vec![3]]).unwrap_err(),
            DisclosureError::Ragged {
                row: 1,
                expected: 2,
                found: 1
            }
        );
        assert_eq!(
            CountList::new(vec![u64::MAX, 1]).unwrap_err(),
            DisclosureError::Overflow
        );
        assert_eq!(
            CountTable::new(vec![vec![u64::MAX], vec![1]]).unwrap_err(),
            DisclosureError::Overflow
        );
    }

    /// The classic attack: publish everything but the small cell, and the total gives it away.
    #[test]
    fn total_minus_published_cells_reveals_a_lone_hidden_cell() {
        let naive = ProtectedList {
            len: 3,
            cells: vec![S(Primary), P(20), P(30), P(53)],
        };
        assert!(naive.recoverable_by_elimination());
        assert!(naive.recoverable());
        assert_eq!(eliminate(&Layout::List(3), &naive.cells), vec![0]);
    }

    #[test]
    fn the_classic_attack_is_prevented_in_a_list() {
        let list = CountList::new(vec![3, 20, 30]).unwrap().protect(ORDINARY);
        // The smallest other cell goes with the small one; the total stays true.
        assert_eq!(list.cells(), &[S(Primary), S(Secondary), P(30)]);
        assert_eq!(list.total(), P(53));
        assert!(!list.recoverable_by_elimination());
        assert!(!list.recoverable());
    }

    #[test]
    fn a_list_with_nothing_to_complement_hides_its_total() {
        let list = CountList::new(vec![3]).unwrap().protect(ORDINARY);
        assert_eq!(list.cells(), &[S(Primary)]);
        assert_eq!(list.total(), S(Primary));
        let list = CountList::new(vec![3, 0]).unwrap().protect(ORDINARY);
        // The total (3) is small and hidden itself: the published zero says nothing.
        assert_eq!(list.cells(), &[S(Primary), P(0)]);
        assert_eq!(list.total(), S(Primary));
        assert!(!list.recoverable());
    }

    /// Neighbourhood × sex, one small cell: neither its row nor its column nor the grand total
    /// minus the other totals gives it away, and the complements close a cycle instead of
    /// spreading over the table.
    #[test]
    fn the_classic_attack_is_prevented_in_a_table() {
        let t = table(&[&[12, 3], &[20, 25], &[7, 30]]).protect(ORDINARY);
        assert_eq!(t.row(0).unwrap(), &[S(Secondary), S(Primary)]);
        assert_eq!(t.row(1).unwrap(), &[P(20), P(25)]);
        assert_eq!(t.row(2).unwrap(), &[S(Secondary), S(Secondary)]);
        assert_eq!(
            (0..3).map(|i| t.row_total(i).unwrap()).collect::<Vec<_>>(),
            vec![P(15), P(45), P(37)]
        );
        assert_eq!(t.column_total(0), Some(P(39)));
        assert_eq!(t.column_total(1), Some(P(58)));
        assert_eq!(t.grand_total(), P(97));
        assert!(!t.recoverable_by_elimination());
        assert!(!t.recoverable());
        assert_eq!(t.cell(3, 0), None);
        assert_eq!(t.cell(0, 2), None);
        assert_eq!(t.row_total(3), None);
        assert_eq!(t.column_total(2), None);
    }

    /// A hidden row total cannot be had as "grand total minus the other row totals".
    #[test]
    fn a_hidden_total_is_not_derivable_from_the_grand_total() {
        // One column: each row total is its cell, so the small cell's row total is hidden too.
        let t = table(&[&[3], &[20], &[30]]).protect(ORDINARY);
        assert_eq!(t.cell(0, 0), Some(S(Primary)));
        assert_eq!(t.row_total(0), Some(S(Primary)));
        let hidden_totals = (0..3).filter(|&i| t.row_total(i).unwrap().is_suppressed());
        assert!(hidden_totals.count() >= 2, "{t:?}");
        assert!(!t.recoverable());

        // The naive pattern (only the small total hidden) falls to the margin equation.
        let naive = ProtectedTable {
            rows: 3,
            columns: 1,
            cells: vec![
                S(Primary),
                P(20),
                P(30),
                S(Primary),
                P(20),
                P(30),
                P(53),
                P(53),
            ],
        };
        assert!(naive.recoverable_by_elimination());
    }

    /// Two suppression cycles joined by one hidden cell: every row and column has two hidden
    /// cells, so "one unknown per equation" finds nothing, yet the joining cell is the sum of
    /// two row totals minus two column totals plus published cells. The exact check sees it.
    #[test]
    fn a_bridge_between_two_cycles_is_caught_by_the_exact_check() {
        let (r, c) = (4, 4);
        let mut cells = vec![P(50); r * c + r + c + 1];
        for (i, j) in [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
            (1, 2),
        ] {
            cells[i * c + j] = S(Primary);
        }
        let bridged = ProtectedTable {
            rows: r,
            columns: c,
            cells,
        };
        assert!(!bridged.recoverable_by_elimination());
        assert!(bridged.recoverable());
        let is_hidden: Vec<bool> = bridged.cells.iter().map(|c| c.is_suppressed()).collect();
        let determined = determined(&Layout::Table(r, c).equations(), &is_hidden);
        let exposed: Vec<usize> = (0..determined.len()).filter(|&v| determined[v]).collect();
        assert_eq!(exposed, vec![c + 2]);
    }

    #[test]
    fn zeros_are_published_in_ordinary_tables_and_hidden_in_sensitive_ones() {
        let counts = table(&[&[0, 40], &[25, 30]]);
        let ordinary = counts.protect(ORDINARY);
        assert_eq!(ordinary.row(0).unwrap(), &[P(0), P(40)]);
        assert!(!ordinary.recoverable());

        let sensitive = counts.protect(SENSITIVE);
        assert_eq!(sensitive.cell(0, 0), Some(S(Primary)));
        assert!((0..2).all(|i| (0..2).all(|j| sensitive.cell(i, j).unwrap().is_suppressed())));
        assert_eq!(sensitive.grand_total(), P(95));
        assert!(!sensitive.recoverable());
    }

    #[test]
    fn sensitive_threshold_is_ten() {
        let list = CountList::new(vec![9, 10, 50]).unwrap();
        assert_eq!(list.protect(ORDINARY).cells(), &[P(9), P(10), P(50)]);
        assert_eq!(
            list.protect(SENSITIVE).cells(),
            &[S(Primary), S(Secondary), P(50)]
        );
    }

    #[test]
    fn debug_never_prints_counts() {
        let counts = table(&[&[1234567, 3]]);
        let raw = format!("{counts:?} {:?}", CountList::new(vec![7654321]).unwrap());
        assert!(
            !raw.contains("1234567") && !raw.contains("7654321"),
            "{raw}"
        );
        let protected = format!("{:?}", counts.protect(ORDINARY));
        assert!(!protected.contains("1234567"), "{protected}");
        let json = serde_json::to_string(&counts.protect(ORDINARY)).unwrap();
        assert!(!json.contains("1234567"), "{json}");
    }

    #[test]
    fn serialised_shape() {
        let t = table(&[&[12, 3], &[20, 25]]).protect(ORDINARY);
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            serde_json::json!({
                "rows": [[{"suppressed": "secondary"}, {"suppressed": "primary"}],
                         [{"suppressed": "secondary"}, {"suppressed": "secondary"}]],
                "row_totals": [{"published": 15}, {"published": 45}],
                "column_totals": [{"published": 32}, {"published": 28}],
                "grand_total": {"published": 60},
            })
        );
        let l = CountList::new(vec![3, 20, 30]).unwrap().protect(ORDINARY);
        assert_eq!(
            serde_json::to_value(&l).unwrap(),
            serde_json::json!({
                "cells": [{"suppressed": "primary"}, {"suppressed": "secondary"}, {"published": 30}],
                "total": {"published": 53},
            })
        );
    }

    // -----------------------------------------------------------------------------------------
    // Properties over random tables up to 8 × 6 with counts 0–40.

    fn rules() -> impl Strategy<Value = Rule> {
        prop_oneof![
            Just(ORDINARY),
            Just(SENSITIVE),
            (1u64..=15, any::<bool>()).prop_map(|(t, z)| {
                Rule::custom(t, if z { Zeros::Publish } else { Zeros::Suppress }).unwrap()
            }),
        ]
    }

    fn tables(low: u64, high: u64) -> impl Strategy<Value = Vec<Vec<u64>>> {
        (1usize..=8, 1usize..=6).prop_flat_map(move |(r, c)| {
            prop::collection::vec(prop::collection::vec(low..=high, c), r)
        })
    }

    /// Every variable of the table, in layout order, with its true value.
    fn truth(rows: &[Vec<u64>]) -> Vec<u64> {
        let c = rows[0].len();
        let mut values: Vec<u64> = rows.iter().flatten().copied().collect();
        values.extend(rows.iter().map(|r| r.iter().sum::<u64>()));
        values.extend((0..c).map(|j| rows.iter().map(|r| r[j]).sum::<u64>()));
        values.push(rows.iter().flatten().sum());
        values
    }

    fn check(cells: &[Cell], truth: &[u64], rule: Rule) -> Result<(), TestCaseError> {
        prop_assert_eq!(cells.len(), truth.len());
        for (cell, &value) in cells.iter().zip(truth) {
            match *cell {
                // (3) published cells and totals are the true values.
                Cell::Published(n) => {
                    prop_assert_eq!(n, value);
                    // (1) nothing under the threshold is published, except zeros if allowed.
                    prop_assert!(
                        n >= rule.threshold() || (n == 0 && rule.zeros() == Zeros::Publish)
                    );
                }
                // Primary means under the threshold; everything under it is primary.
                Cell::Suppressed(reason) => {
                    prop_assert_eq!(reason == Primary, rule.is_primary(value));
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn tables_are_protected(rows in tables(0, 40), rule in rules()) {
            let counts = CountTable::new(rows.clone()).unwrap();
            let protected = counts.protect(rule);
            check(&protected.cells, &truth(&rows), rule)?;
            // (2) no hidden cell is recoverable, neither by elimination nor by any combination.
            prop_assert!(!protected.recoverable_by_elimination(), "{:?} {:?}", rows, protected);
            prop_assert!(!protected.recoverable(), "{:?} {:?}", rows, protected);
            // (4) deterministic.
            prop_assert_eq!(&counts.clone().protect(rule), &protected);
        }

        #[test]
        fn lists_are_protected(cells in prop::collection::vec(0u64..=40, 1..=12), rule in rules()) {
            let counts = CountList::new(cells.clone()).unwrap();
            let protected = counts.protect(rule);
            let mut truth = cells.clone();
            truth.push(cells.iter().sum());
            check(&protected.cells, &truth, rule)?;
            prop_assert!(!protected.recoverable_by_elimination());
            prop_assert!(!protected.recoverable());
            prop_assert_eq!(&counts.protect(rule), &protected);
        }

        // (5) a table where every cell meets the threshold is published whole.
        #[test]
        fn tables_at_or_over_the_threshold_are_published_whole(
            rows in tables(15, 55),
            rule in rules(),
        ) {
            // Every rule drawn has a threshold of 15 at most.
            let protected = CountTable::new(rows.clone()).unwrap().protect(rule);
            let truth = truth(&rows);
            prop_assert!(protected.cells.iter().zip(&truth).all(|(c, &v)| *c == Cell::Published(v)));
        }
    }
}
