//! The first worksheet of an XLSX workbook, streamed cell by cell so the limits stop a hostile
//! file early. The archive is checked first, part by part, within an unpacked budget that
//! grows with the upload's size up to a fixed cap.

use crate::{ReadCounters, ReadError, TableBuilder};
use calamine::{DataRef, Reader, SheetType, Xlsx, XlsxError};
use quick_xml::events::Event;
use std::io::{self, BufReader, Cursor, Read};

/// A reader that counts the bytes it hands out.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count = self.count.saturating_add(n as u64);
        Ok(n)
    }
}

/// calamine finds the shared strings through the workbook's relationships; any part of that
/// name is treated as them.
fn is_shared_strings(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.eq_ignore_ascii_case("sharedStrings.xml")
}

/// What calamine will allocate for the shared strings beyond their text (which is never more
/// than the part's bytes): a `String` per entry. It reserves the `uniqueCount` the file
/// declares, so a lie there counts too. Reads the part as a stream.
fn shared_strings_overhead(part: impl Read) -> Result<u64, ReadError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    // As calamine reads it: a file it accepts is not refused here for its tag style.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    let mut entries: u64 = 0;
    let mut declared: u64 = 0;
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "si" => entries = entries.saturating_add(1),
                "sst" => {
                    if let Ok(Some(count)) = e.try_get_attribute("uniqueCount") {
                        declared = count.value.trim().parse().unwrap_or(u64::MAX);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return Err(ReadError::Malformed { row: None }),
        }
        buf.clear();
    }
    let per_entry = crate::CELL_OVERHEAD as u64;
    Ok(entries.max(declared).saturating_mul(per_entry))
}

/// Checks the archive before calamine opens it, within `budget` unpacked bytes: first the
/// sizes its parts declare, then the bytes themselves, since a declared size can lie. Every
/// part is inflated through a reader that stops one byte past what the budget has left,
/// into nothing (the shared strings into a counting parser), so memory stays flat whatever
/// the archive holds. calamine loads the shared strings whole: what they will cost in memory
/// must fit the budget as well.
fn check_archive(bytes: &[u8], budget: u64, counters: &mut ReadCounters) -> Result<(), ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::NotASpreadsheet)?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|_| ReadError::Malformed { row: None })?;
        declared = declared.saturating_add(part.size());
        if declared > budget {
            return Err(ReadError::TooMuchData);
        }
    }
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| match e {
            zip::result::ZipError::UnsupportedArchive(_) => ReadError::NotASpreadsheet,
            _ => ReadError::Malformed { row: None },
        })?;
        let shared = part.name().is_ok_and(|name| is_shared_strings(&name));
        let left = budget.saturating_sub(counters.unpacked_bytes);
        let mut counting = Counting {
            inner: part.take(left.saturating_add(1)),
            count: 0,
        };
        let overhead = if shared {
            shared_strings_overhead(&mut counting)
        } else {
            io::copy(&mut counting, &mut io::sink())
                .map(|_| 0)
                .map_err(|_| ReadError::Malformed { row: None })
        };
        counters.unpacked_bytes = counters.unpacked_bytes.saturating_add(counting.count);
        // Over the budget first: a part cut short by the limit is not "damaged".
        if counters.unpacked_bytes > budget {
            return Err(ReadError::TooMuchData);
        }
        if counting.count.saturating_add(overhead?) > budget {
            return Err(ReadError::TooMuchData);
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
    budget: usize,
    builder: &mut TableBuilder<'_>,
    counters: &mut ReadCounters,
) -> Result<(), ReadError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(ReadError::NotASpreadsheet);
    }
    check_archive(bytes, u64::try_from(budget).unwrap_or(u64::MAX), counters)?;
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
            return Err(ReadError::TooMuchData);
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
