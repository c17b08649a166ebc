#![allow(clippy::expect_used, clippy::unwrap_used)]

use elkarlan_tabular::{
    Format, Limits, ReadError, Table, neutralise_formula, read_table, write_csv, write_xlsx,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).expect("fixture")
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    read_table(bytes, Format::sniff(bytes, None), &Limits::default())
}

fn sample() -> (Vec<String>, Vec<Vec<String>>) {
    let headers = strings(&["Izena", "Abizena", "Oharrak", "Zenbakia"]);
    let rows = vec![
        strings(&["Ane", "Etxeberria", "Kaixo, \"lagun\"", "12"]),
        strings(&["Iñaki", "Pérez; Ibáñez", "lerro bat\nbeste bat", ""]),
        strings(&["Ñ", "", "€ 5", "0.25"]),
    ];
    (headers, rows)
}

#[test]
fn sniff_tells_zip_from_text() {
    assert_eq!(Format::sniff(b"PK\x03\x04rest", None), Format::Xlsx);
    assert_eq!(Format::sniff(b"a;b\n1;2", Some("list.csv")), Format::Csv);
    assert_eq!(Format::sniff(b"a;b", None), Format::Csv);
    assert_eq!(Format::sniff(b"not a zip", Some("LIST.XLSX")), Format::Xlsx);
}

#[test]
fn xlsx_round_trip_keeps_the_cells() {
    let (headers, rows) = sample();
    let bytes = write_xlsx("Zerrenda", &headers, &rows).expect("write");
    assert_eq!(Format::sniff(&bytes, None), Format::Xlsx);
    let table = read(&bytes).expect("read");
    assert_eq!(table.headers, headers);
    let cells: Vec<_> = table.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(cells, rows);
    let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2, 3, 4]);
}

#[test]
fn csv_round_trip_keeps_the_cells() {
    let (headers, rows) = sample();
    let bytes = write_csv(&headers, &rows);
    assert!(bytes.starts_with(b"\xEF\xBB\xBFIzena,Abizena,Oharrak,Zenbakia\r\n"));
    let table = read(&bytes).expect("read");
    assert_eq!(table.headers, headers);
    let cells: Vec<_> = table.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(cells, rows);
    // The line break inside the second row's cell does not shift the third row's number.
    let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [2, 3, 4]);
}

#[test]
fn csv_quotes_as_rfc_4180_says() {
    let out = write_csv(&strings(&["a"]), &[strings(&["x,\"y\""])]);
    assert_eq!(out, b"\xEF\xBB\xBFa\r\n\"x,\"\"y\"\"\"\r\n");
}

fn injection() -> (Vec<String>, Vec<Vec<String>>) {
    let headers = strings(&["=HEADER()", "b"]);
    let rows = vec![strings(&[
        "=HYPERLINK(\"http://example.invalid\")",
        "+34 600",
    ])];
    (headers, rows)
}

#[test]
fn formulas_are_neutralised_in_csv() {
    let (headers, rows) = injection();
    let table = read(&write_csv(&headers, &rows)).expect("read");
    assert_eq!(table.headers, ["'=HEADER()", "b"]);
    assert_eq!(
        table.rows[0].cells,
        ["'=HYPERLINK(\"http://example.invalid\")", "'+34 600"]
    );
    assert_eq!(neutralise_formula("@cmd"), "'@cmd");
}

#[test]
fn formulas_are_neutralised_in_xlsx_and_written_as_text() {
    let (headers, rows) = injection();
    let bytes = write_xlsx("x", &headers, &rows).expect("write");
    let table = read(&bytes).expect("read");
    assert_eq!(table.headers, ["'=HEADER()", "b"]);
    assert_eq!(table.rows[0].cells[1], "'+34 600");
    // No formula element anywhere in the sheet.
    let xml = sheet_xml(&bytes);
    assert!(!xml.contains("<f>"), "{xml}");
}

/// The first worksheet's XML.
fn sheet_xml(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut file = archive.by_name("xl/worksheets/sheet1.xml").expect("sheet");
    let mut xml = String::new();
    file.read_to_string(&mut xml).expect("xml");
    xml
}

#[test]
fn semicolon_csv_with_bom_and_crlf() {
    let table =
        read(b"\xEF\xBB\xBFNombre;Importe\r\nAne;1,5\r\n\r\n;;\r\nJon;2\r\n").expect("read");
    assert_eq!(table.headers, ["Nombre", "Importe"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].cells, ["Ane", "1,5"]);
    assert_eq!(table.rows[1].number, 5);
}

#[test]
fn latin1_csv_is_decoded() {
    let table = read(b"Nombre;Apellido\nIb\xE1\xF1ez;Mu\xF1oz\n").expect("read");
    assert_eq!(table.rows[0].cells, ["Ibáñez", "Muñoz"]);
}

fn small() -> Limits {
    Limits {
        max_bytes: 1_000,
        max_rows: 3,
        max_columns: 4,
        max_cell_chars: 10,
        max_unpacked_ratio: 20,
        max_unpacked_bytes: 1024 * 1024,
    }
}

#[test]
fn limits_are_errors_in_csv() {
    let limits = small();
    let csv = |s: &str| read_table(s.as_bytes(), Format::Csv, &limits);
    assert_eq!(csv(&"a\n".repeat(600)), Err(ReadError::TooLarge));
    assert_eq!(
        csv("h\n1\n2\n3\n4\n"),
        Err(ReadError::TooManyRows { row: 5 })
    );
    assert_eq!(
        csv("a,b\n1,2,3,4,5\n"),
        Err(ReadError::TooManyColumns { row: 2 })
    );
    // Trailing empty cells, as spreadsheets leave them, are not columns.
    assert!(csv("a,b\n1,2,,,,,,,\n").is_ok());
    assert_eq!(
        csv("a\n\"0123456789x\"\n"),
        Err(ReadError::CellTooLong { row: 2 })
    );
    // Ten accented letters are ten characters, although twenty bytes.
    assert!(csv("a\náéíóúáéíóú\n").is_ok());
    assert_eq!(csv(""), Err(ReadError::NoHeader));
    assert_eq!(csv(";;\n\n"), Err(ReadError::NoHeader));
}

#[test]
fn limits_are_errors_in_xlsx() {
    let limits = small();
    let limits = Limits {
        max_bytes: 1_000_000,
        ..limits
    };
    let xlsx = |headers: &[&str], rows: &[Vec<String>]| {
        let bytes = write_xlsx("s", &strings(headers), rows).expect("write");
        read_table(&bytes, Format::Xlsx, &limits)
    };
    let many: Vec<_> = (0..4).map(|i| vec![i.to_string()]).collect();
    assert_eq!(xlsx(&["h"], &many), Err(ReadError::TooManyRows { row: 5 }));
    assert_eq!(
        xlsx(&["a", "b", "c", "d", "e"], &[]),
        Err(ReadError::TooManyColumns { row: 1 })
    );
    assert_eq!(
        xlsx(&["a"], &[vec!["x".repeat(11)]]),
        Err(ReadError::CellTooLong { row: 2 })
    );
    let big = write_xlsx("s", &strings(&["a"]), &[]).expect("write");
    let tiny = Limits {
        max_bytes: 100,
        ..small()
    };
    assert_eq!(
        read_table(&big, Format::Xlsx, &tiny),
        Err(ReadError::TooLarge)
    );
}

#[test]
fn errors_have_fluent_keys_and_rows() {
    assert_eq!(ReadError::TooLarge.key(), "import-error-too-large");
    assert_eq!(
        ReadError::CellTooLong { row: 7 }.key(),
        "import-error-cell-too-long"
    );
    assert_eq!(ReadError::CellTooLong { row: 7 }.row(), Some(7));
    assert_eq!(ReadError::NoHeader.row(), None);
}

#[test]
fn garbage_and_truncated_files_are_errors() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    assert_eq!(read(&garbage), Err(ReadError::NotASpreadsheet));
    assert_eq!(
        read_table(b"plain text", Format::Xlsx, &Limits::default()),
        Err(ReadError::NotASpreadsheet)
    );
    let xlsx = fixture("referrals_good.xlsx");
    for cut in [4, 30, 100, xlsx.len() / 2, xlsx.len() - 30, xlsx.len() - 1] {
        let r = read(&xlsx[..cut]);
        assert!(r.is_err(), "cut at {cut}: {r:?}");
    }
    // A damaged byte in the middle: either an error or some table, never a panic.
    let mut flipped = xlsx.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xFF;
    let _ = read(&flipped);
}

#[test]
fn libreoffice_xlsx_gives_iso_dates_and_whole_numbers() {
    let table = read(&fixture("referrals_good.xlsx")).expect("read");
    assert_eq!(table.headers.len(), 18);
    assert_eq!(table.headers[5], "Nº documento");
    assert_eq!(table.rows.len(), 4);
    let first = &table.rows[0];
    assert_eq!(first.number, 2);
    assert_eq!(first.cells[6], "1985-03-14");
    assert_eq!(first.cells[12], "2026-10-05");
    assert_eq!(first.cells[15], "3");
    assert_eq!(first.cells[16], "Interesada en hostelería");
    assert_eq!(
        table.rows[2].cells[16],
        "Habla \"euskera\" y castellano; carnet B, coche propio"
    );
    assert_eq!(table.rows[3].cells[13], "");
}

#[test]
fn libreoffice_csv_in_utf8_and_windows_1252_read_the_same() {
    let utf8 = read(&fixture("referrals_good.csv")).expect("read");
    let cp1252 = read(&fixture("referrals_good_cp1252.csv")).expect("read");
    assert_eq!(utf8, cp1252);
    assert_eq!(utf8.rows[0].cells[6], "14/03/1985");
    assert_eq!(utf8.rows[2].cells[3], "Ibáñez");
    let xlsx = read(&fixture("referrals_good.xlsx")).expect("read");
    assert_eq!(utf8.headers, xlsx.headers);
}

#[test]
fn libreoffice_mixed_list_skips_the_empty_row() {
    for name in ["referrals_mixed.xlsx", "referrals_mixed.csv"] {
        let table = read(&fixture(name)).expect("read");
        let numbers: Vec<_> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 3, 5, 6], "{name}");
    }
}

#[test]
fn a_highly_compressed_xlsx_is_refused_before_unpacking() {
    // Distinct long strings of one repeated letter: megabytes of XML in a few kilobytes.
    let rows: Vec<Vec<String>> = (0..2_000)
        .map(|i| vec![format!("{i:04}{}", "x".repeat(996))])
        .collect();
    let bytes = write_xlsx("s", &strings(&["a"]), &rows).expect("write");
    let limits = Limits {
        max_bytes: bytes.len(),
        ..Limits::default()
    };
    assert_eq!(
        read_table(&bytes, Format::Xlsx, &limits),
        Err(ReadError::TooMuchData)
    );
    // The same file is fine where its unpacked size fits.
    let generous = Limits {
        max_unpacked_ratio: 1_000,
        ..Limits::default()
    };
    assert!(read_table(&bytes, Format::Xlsx, &generous).is_ok());
}
