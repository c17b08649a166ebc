//! Exports: CSV and XLSX that open cleanly in a spreadsheet and cannot run formulas.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::borrow::Cow;

/// Why an XLSX export failed (past the format's limits: over 1,048,576 rows, 16,384 columns
/// or 32,767 characters in a cell).
#[derive(Debug, thiserror::Error)]
#[error("could not write the spreadsheet: {0}")]
pub struct WriteError(#[from] XlsxError);

/// Makes a cell inert for spreadsheets (OWASP "CSV injection"): a leading `=`, `+`, `-`, `@`,
/// tab or carriage return would start a formula when the file is opened, so such cells get a
/// leading `'`. A negative number such as `-3` is prefixed too and becomes text: exports are
/// for reading, and a number that cannot be told from a formula is not worth the risk.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One CSV field, quoted when RFC 4180 requires it.
fn push_field(out: &mut Vec<u8>, cell: &str) {
    let cell = neutralise_formula(cell);
    if cell.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(cell.as_bytes());
    }
}

fn push_record(out: &mut Vec<u8>, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_field(out, cell);
    }
    out.extend_from_slice(b"\r\n");
}

/// A CSV export: UTF-8 with a BOM (without it Excel reads the file as Windows-1252 and
/// garbles accents), `,` separated, CRLF line ends and RFC 4180 quoting.
pub fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = UTF8_BOM.to_vec();
    push_record(&mut out, headers);
    for row in rows {
        push_record(&mut out, row);
    }
    out
}

/// A valid worksheet name: at most 31 characters, none of `[]:*?/\`, not quoted at the ends.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .take(31)
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    if clean.is_empty() || clean.eq_ignore_ascii_case("history") {
        "Sheet1".to_owned()
    } else {
        clean.to_owned()
    }
}

/// An XLSX export of one sheet with a bold, frozen header row. Every cell is written as a
/// string, never as a formula, and still neutralised: users re-save exports as CSV.
pub fn write_xlsx(
    sheet_name_wanted: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, WriteError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(sheet_name_wanted))?;
    for (c, header) in headers.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(0, c, neutralise_formula(header), &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.write_string(r, c, neutralise_formula(cell))?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_prefixed() {
        for cell in ["=1+1", "+34", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"));
        }
        for cell in ["", "Ane", "1=1", "'=1"] {
            assert_eq!(neutralise_formula(cell), cell);
        }
    }

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("Derivaciones 2026/11"), "Derivaciones 2026 11");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
