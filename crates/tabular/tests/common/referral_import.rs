//! The referral import from uploaded bytes to parsed rows, as the fuzz target and the
//! robustness test run it. Shared by path so both exercise exactly the same steps.

use chrono::NaiveDate;
use elkarlan_domain::employment::referral_row::{map_headers, parse_row};
use elkarlan_tabular::{Format, Limits, read_table};

/// Small limits keep each run fast and reach the limit checks often.
pub const LIMITS: Limits = Limits {
    max_bytes: 64 * 1024,
    max_rows: 100,
    max_columns: 32,
    max_cell_chars: 200,
    max_unpacked_ratio: 20,
    max_unpacked_bytes: 1024 * 1024,
};

/// Runs every step; errors are expected, panics are bugs. Returns the rows that parsed.
pub fn referral_import(data: &[u8]) -> usize {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
    let format = Format::sniff(data, None);
    let Ok(table) = read_table(data, format, &LIMITS) else {
        return 0;
    };
    let Ok(map) = map_headers(&table.headers) else {
        return 0;
    };
    table
        .rows
        .iter()
        .filter(|row| parse_row(&map, &row.cells, today).is_ok())
        .count()
}
