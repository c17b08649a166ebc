//! The first worksheet of an XLSX workbook, streamed cell by cell so the limits stop a hostile
//! file early.

use crate::{Limits, ReadError, TableBuilder};
use calamine::{DataRef, Reader, SheetType, Xlsx, XlsxError};
use std::io::Cursor;

/// How much larger than the upload its unpacked parts may be. Spreadsheet XML compresses
/// about ten to one; a zip bomb compresses a thousand to one or more.
const MAX_EXPANSION: usize = 32;

/// Refuses archives whose parts declare more unpacked bytes than the expansion allows.
/// calamine loads the shared strings whole, so this is checked before it opens the file;
/// a part that lies about its size is still bounded by the cell limits while streaming.
fn check_declared_sizes(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::NotASpreadsheet)?;
    let budget = u64::try_from(limits.max_bytes.saturating_mul(MAX_EXPANSION)).unwrap_or(u64::MAX);
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| ReadError::Malformed { row: None })?;
        total = total.saturating_add(part.size());
        if total > budget {
            return Err(ReadError::TooLarge);
        }
    }
    Ok(())
}

fn open_error(e: &XlsxError) -> ReadError {
    match e {
        XlsxError::Zip(_) | XlsxError::Password => ReadError::NotASpreadsheet,
        _ => ReadError::Malformed { row: None },
    }
}

/// A cell as the user reads it: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, hh, mm, ss, _) = d.to_ymd_hms_milli();
            // A serial below 1 is a time of day with no date.
            if d.as_f64() < 1.0 && d.as_f64() > 0.0 {
                format!("{hh:02}:{mm:02}:{ss:02}")
            } else {
                // Importers want the day; a time typed with a date is dropped.
                format!("{y:04}-{m:02}-{day:02}")
            }
        }
        DataRef::DateTime(d) => number(d.as_f64()),
        DataRef::DateTimeIso(s) => match s.get(..10) {
            Some(date) if s.get(4..5) == Some("-") && s.get(7..8) == Some("-") => date.to_owned(),
            _ => s.clone(),
        },
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// Whole numbers as integers (`1234`, not `1234.0`); others in Rust's shortest form.
fn number(f: f64) -> String {
    // Beyond 2^53 floats are no longer exact integers; print them as they are.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        let i = f as i64;
        i.to_string()
    } else {
        f.to_string()
    }
}

pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
    builder: &mut TableBuilder<'_>,
) -> Result<(), ReadError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ReadError::NotASpreadsheet);
    }
    check_declared_sizes(bytes, limits)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| open_error(&e))?;
    let sheet = workbook
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or(ReadError::NoHeader)?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| open_error(&e))?;
    // Text kept so far; cells within limits can still add up, e.g. one long shared string
    // repeated in every cell of a small file.
    let budget = limits.max_bytes.saturating_mul(MAX_EXPANSION);
    let mut kept = 0usize;
    let mut current: Option<(usize, Vec<String>)> = None;
    loop {
        let cell = cells.next_cell().map_err(|_| ReadError::Malformed {
            row: current.as_ref().map(|(n, _)| *n),
        })?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let number = usize::try_from(r).unwrap_or(usize::MAX).saturating_add(1);
        let column = usize::try_from(c).unwrap_or(usize::MAX);
        let value = text(cell.get_value());
        if value.is_empty() {
            continue;
        }
        builder.check_cell(number, column, &value)?;
        kept = kept.saturating_add(value.len());
        if kept > budget {
            return Err(ReadError::TooLarge);
        }
        if current.as_ref().is_some_and(|(n, _)| *n != number)
            && let Some((n, row)) = current.take()
        {
            builder.push(n, row)?;
        }
        let (_, row) = current.get_or_insert_with(|| (number, Vec::new()));
        if row.len() <= column {
            row.resize(column + 1, String::new());
        }
        row[column] = value;
    }
    if let Some((n, row)) = current {
        builder.push(n, row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_lose_the_decimal_point() {
        assert_eq!(number(1234.0), "1234");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1e20), "100000000000000000000");
    }
}
