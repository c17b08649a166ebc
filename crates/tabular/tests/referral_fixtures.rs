//! The LibreOffice-made referral lists run through the domain's row parser, as the importer will.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::NaiveDate;
use elkarlan_domain::employment::referral_row::{ReferralRow, map_headers, parse_row};
use elkarlan_domain::{FieldErrors, identity::IdentityDocument};
use elkarlan_tabular::{Format, Limits, read_table};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

/// Each row's number and its parse result.
fn parse(name: &str) -> Vec<(usize, Result<ReferralRow, FieldErrors>)> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).expect("fixture");
    let table = read_table(
        &bytes,
        Format::sniff(&bytes, Some(name)),
        &Limits::default(),
    )
    .expect("read");
    let map = map_headers(&table.headers).expect("headers");
    table
        .rows
        .iter()
        .map(|r| (r.number, parse_row(&map, &r.cells, today())))
        .collect()
}

fn fields(e: &FieldErrors) -> Vec<(&str, &str)> {
    e.0.iter().map(|e| (e.field.as_str(), e.key)).collect()
}

#[test]
fn the_good_list_parses_whole_in_every_format() {
    let xlsx = parse("referrals_good.xlsx");
    for name in ["referrals_good.csv", "referrals_good_cp1252.csv"] {
        assert_eq!(parse(name), xlsx, "{name}");
    }
    let rows: Vec<ReferralRow> = xlsx
        .into_iter()
        .map(|(n, r)| r.unwrap_or_else(|e| panic!("row {n}: {e:?}")))
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].reference, "LAN-2026-0001");
    assert_eq!(
        rows[0].person.birth_date,
        NaiveDate::from_ymd_opt(1985, 3, 14).expect("date")
    );
    assert_eq!(rows[0].income_guarantee, Some(true));
    assert_eq!(rows[0].isced, Some(3));
    // No kind given: the NIE is recognised by its shape.
    assert_eq!(
        rows[1].person.document,
        Some(IdentityDocument::Nie("X1234567L".into()))
    );
    assert_eq!(rows[1].person.name.surname1, "El Amrani");
    assert_eq!(rows[1].unemployed_since, None);
    assert_eq!(
        rows[2].person.document,
        Some(IdentityDocument::Dni("30123456B".into()))
    );
    assert_eq!(rows[2].neighbourhood.as_deref(), Some("San Ignacio"));
    assert_eq!(
        rows[3].person.document.as_ref().map(|d| d.kind()),
        Some("passport")
    );
    assert_eq!(
        rows[3].person.document.as_ref().and_then(|d| d.country()),
        Some("RO")
    );
    assert_eq!(rows[3].isced, None);
}

#[test]
fn the_mixed_list_reports_the_bad_rows_field_by_field() {
    for name in ["referrals_mixed.xlsx", "referrals_mixed.csv"] {
        let rows = parse(name);
        let numbers: Vec<_> = rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [2, 3, 5, 6], "{name}");
        assert!(rows[0].1.is_ok(), "{name}: {:?}", rows[0].1);
        assert!(rows[3].1.is_ok(), "{name}: {:?}", rows[3].1);
        let bad = rows[1].1.clone().expect_err("row 3 is bad");
        assert_eq!(
            fields(&bad),
            [
                ("document_number", "error-dni-letter"),
                ("referral_date", "import-error-date-future"),
                ("income_guarantee", "import-error-yes-no"),
                ("isced", "import-error-isced"),
            ],
            "{name}"
        );
        let bad = rows[2].1.clone().expect_err("row 5 is bad");
        assert_eq!(
            fields(&bad),
            [
                ("reference", "error-field-required"),
                ("given_name", "error-name-format"),
                ("email", "error-email-format"),
            ],
            "{name}"
        );
    }
}
