//! The unpacked budget: an XLSX may unpack to at most its own size times a ratio, within a
//! fixed cap, and the table read from any file may hold at most the cap. Bombs are built here
//! and the reader's own counters show how little of them was unpacked.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "common/xlsx_bomb.rs"]
mod xlsx_bomb;

use elkarlan_tabular::{Format, Limits, ReadCounters, ReadError, Table, read_table_counted};
use std::io::Write;
use xlsx_bomb::{SHARED_STRINGS, bomb, declare_size, sst_start, with_shared_strings};

fn read(bytes: &[u8], format: Format, limits: &Limits) -> (Result<Table, ReadError>, ReadCounters) {
    let mut counters = ReadCounters::default();
    let r = read_table_counted(bytes, format, limits, &mut counters);
    (r, counters)
}

/// 40 copies: about 4 MB of shared strings (24 bytes an entry).
const COPIES: usize = 40;
const UNPACKED: u64 = COPIES as u64 * 4_096 * 24;

#[test]
fn a_shared_strings_bomb_is_refused_by_its_declared_size_before_unpacking() {
    let bytes = bomb(COPIES);
    let limits = Limits::default();
    let budget = limits.unpacked_budget(bytes.len());
    assert!(
        bytes.len() < 64 * 1024,
        "a small upload: {} bytes",
        bytes.len()
    );
    assert!((budget as u64) < UNPACKED / 4, "budget {budget}");
    let (r, counters) = read(&bytes, Format::Xlsx, &limits);
    assert_eq!(r, Err(ReadError::TooMuchData));
    assert_eq!(
        counters.unpacked_bytes, 0,
        "refused on the sizes it declares"
    );
    assert_eq!(counters.table_bytes, 0, "no cell read");
}

#[test]
fn a_bomb_that_understates_its_size_is_stopped_while_unpacking() {
    let mut bytes = bomb(COPIES);
    let limits = Limits::default();
    let budget = limits.unpacked_budget(bytes.len()) as u64;
    // Declares a size that fits the budget with room for the other parts.
    declare_size(
        &mut bytes,
        SHARED_STRINGS,
        u32::try_from(budget / 2).unwrap(),
    );
    let (r, counters) = read(&bytes, Format::Xlsx, &limits);
    assert!(
        matches!(
            r,
            Err(ReadError::TooMuchData | ReadError::Malformed { row: None })
        ),
        "{r:?}"
    );
    assert!(counters.unpacked_bytes > 0, "it was unpacked, in part");
    assert!(
        counters.unpacked_bytes <= budget + 1,
        "at most one byte past the budget: {} of {budget}",
        counters.unpacked_bytes
    );
    assert!(counters.unpacked_bytes < UNPACKED / 4);
}

#[test]
fn the_budget_follows_the_upload_up_to_the_cap() {
    let limits = Limits {
        max_unpacked_ratio: 20,
        max_unpacked_bytes: 1_000_000,
        ..Limits::default()
    };
    assert_eq!(limits.unpacked_budget(1_000), 20_000);
    assert_eq!(limits.unpacked_budget(40_000), 800_000);
    assert_eq!(limits.unpacked_budget(60_000), 1_000_000);
    assert_eq!(limits.unpacked_budget(usize::MAX), 1_000_000);
    // A small bomb within a generous ratio reads: the sheet has one row.
    let bytes = bomb(1);
    let generous = Limits {
        max_unpacked_ratio: 10_000,
        ..Limits::default()
    };
    let (r, counters) = read(&bytes, Format::Xlsx, &generous);
    let table = r.expect("within the budget");
    assert_eq!(table.headers, ["Referencia"]);
    assert_eq!(table.rows.len(), 1);
    assert!(counters.unpacked_bytes > 4_096 * 24, "every part inflated");
}

fn shared_strings_declaring(unique: u64) -> Vec<u8> {
    with_shared_strings(move |w: &mut dyn Write| {
        sst_start(w, unique)?;
        w.write_all(b"<si><t>Referencia</t></si><si><t>LAN-1</t></si></sst>")
    })
}

#[test]
fn a_shared_strings_count_that_lies_is_refused_before_it_is_reserved() {
    // calamine reserves a `String` per declared entry: 200 million would be 4.8 GB.
    let (r, _) = read(
        &shared_strings_declaring(200_000_000),
        Format::Xlsx,
        &Limits::default(),
    );
    assert_eq!(r, Err(ReadError::TooMuchData));
    let (r, _) = read(
        &shared_strings_declaring(2),
        Format::Xlsx,
        &Limits::default(),
    );
    let table = r.expect("a true count reads");
    assert_eq!(table.rows[0].cells, ["LAN-1"]);
}

#[test]
fn wide_empty_rows_are_bounded_by_what_the_table_holds() {
    let cap = 64 * 1024;
    let limits = Limits {
        max_unpacked_bytes: cap,
        ..Limits::default()
    };
    let header: Vec<String> = (1..=64).map(|i| format!("c{i}")).collect();
    // 65 bytes of CSV per row, 64 cells of 24 bytes each in memory.
    let wide = format!("{}x\n", ",".repeat(63));
    let csv = format!("{}\n{}", header.join(","), wide.repeat(2_000));
    let (r, counters) = read(csv.as_bytes(), Format::Csv, &limits);
    assert_eq!(r, Err(ReadError::TooMuchData));
    assert!(counters.table_bytes > cap);
    assert!(
        counters.table_bytes <= cap + 64 * 24 + 64,
        "stopped at the row that crossed the cap: {}",
        counters.table_bytes
    );
    // The same number of rows, narrow, fits.
    let narrow = format!("c1\n{}", "x\n".repeat(2_000));
    let (r, counters) = read(narrow.as_bytes(), Format::Csv, &limits);
    assert_eq!(r.expect("narrow").rows.len(), 2_000);
    assert!(counters.table_bytes <= cap);
}
