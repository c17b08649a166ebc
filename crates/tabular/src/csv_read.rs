//! CSV as spreadsheets export it: `,` or `;` separated, UTF-8 with or without a BOM, or
//! Windows-1252 from older Excel versions.

use crate::{ReadError, TableBuilder};
use std::borrow::Cow;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Windows-1252 characters for bytes 0x80–0x9F; the rest of the code page is Latin-1, whose
/// bytes equal their Unicode code points. The five unassigned bytes map to the C1 controls,
/// as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The text of the file: UTF-8 when it is valid UTF-8 (nearly impossible by chance for
/// accented Latin-1 text), Windows-1252 otherwise.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().copied().map(cp1252).collect()),
    }
}

/// `;` when the header line has more semicolons than commas (Spanish locales, where the comma
/// is the decimal separator), `,` otherwise.
fn delimiter(text: &str) -> u8 {
    let header = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

pub(crate) fn read(bytes: &[u8], builder: &mut TableBuilder<'_>) -> Result<(), ReadError> {
    // Binary files (old .xls, images, UTF-16) have NUL bytes; text never does.
    if bytes.contains(&0) {
        return Err(ReadError::NotASpreadsheet);
    }
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // Row numbers come from line ends counted up to where each record stops: csv's own line
    // numbers lag by one after a CRLF and skip blank lines before a record. Line breaks inside
    // quoted cells are then taken off, since a spreadsheet shows such a cell in one row.
    let mut counted_to = 0usize;
    let mut lines_before = 0usize;
    let mut inner_breaks = 0usize;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|_| ReadError::Malformed {
                row: Some(lines_before.saturating_sub(inner_breaks).saturating_add(1)),
            })?;
        if !more {
            return Ok(());
        }
        let end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
        // The record's terminator is its last byte, unless the file ended without one.
        let last = end.saturating_sub(1).clamp(counted_to, text.len());
        lines_before += text.as_bytes()[counted_to..last]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = last;
        inner_breaks += record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        let number = lines_before.saturating_sub(inner_breaks).saturating_add(1);
        let mut cells = Vec::with_capacity(record.len());
        for (column, field) in record.iter().enumerate() {
            let cell = field.trim();
            builder.check_cell(number, column, cell)?;
            cells.push(cell.to_owned());
        }
        builder.push(number, cells)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_and_cp1252_bytes_decode() {
        assert_eq!(decode(b"Ib\xE1\xF1ez \x80"), "Ibáñez €");
        assert_eq!(decode("Ibáñez".as_bytes()), "Ibáñez");
        assert_eq!(decode(b"\xEF\xBB\xBFa;b"), "a;b");
    }

    #[test]
    fn the_header_line_decides_the_delimiter() {
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a,b,c\n1;2;3"), b',');
        assert_eq!(delimiter("\n\nsolo\n"), b',');
    }
}
