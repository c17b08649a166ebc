//! Workbooks that unpack to far more than their size, built in the test from a real one.
//! Shared by path between the reader's tests and the web import's.

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// The part calamine loads whole.
pub const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// A workbook of one header (`Referencia`) and one row (`LAN-1`) made by the exporter, with
/// its shared strings written by `fill` instead, deflated at the highest level.
pub fn with_shared_strings(fill: impl Fn(&mut dyn Write) -> std::io::Result<()>) -> Vec<u8> {
    let base =
        elkarlan_tabular::write_xlsx("s", &["Referencia".to_owned()], &[vec!["LAN-1".to_owned()]])
            .expect("workbook");
    let mut source = zip::ZipArchive::new(Cursor::new(base)).expect("zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut replaced = false;
    for i in 0..source.len() {
        let mut part = source.by_index(i).expect("part");
        let name = part.name().expect("name").into_owned();
        out.start_file(name.as_str(), options).expect("start");
        if name == SHARED_STRINGS {
            fill(&mut out).expect("fill");
            replaced = true;
        } else {
            std::io::copy(&mut part, &mut out).expect("copy");
        }
    }
    assert!(replaced, "the exporter writes shared strings");
    out.finish().expect("finish").into_inner()
}

/// The start of a shared strings part declaring `count` entries.
pub fn sst_start(w: &mut dyn Write, count: u64) -> std::io::Result<()> {
    write!(
        w,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#
    )
}

/// Shared strings of the sheet's two texts followed by `copies` × 4,096 copies of a short
/// name: 96 KiB unpacked per copy, deflated to about a thousandth of that.
pub fn bomb(copies: usize) -> Vec<u8> {
    with_shared_strings(|w| {
        let entries = 2 + copies as u64 * 4_096;
        sst_start(w, entries)?;
        w.write_all(b"<si><t>Referencia</t></si><si><t>LAN-1</t></si>")?;
        let chunk = "<si><t>Elkarlan</t></si>".repeat(4_096);
        for _ in 0..copies {
            w.write_all(chunk.as_bytes())?;
        }
        w.write_all(b"</sst>")
    })
}

/// Makes the part `name` declare `size` unpacked bytes, in its local header and in the
/// central directory, as a hostile archive can.
pub fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let le16 = |b: &[u8], at: usize| usize::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let mut changed = 0;
    let mut at = 0;
    while at + 46 <= zip.len() {
        let (name_at, size_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 30, at + 22),
            b"PK\x01\x02" => (at + 46, at + 24),
            _ => {
                at += 1;
                continue;
            }
        };
        let len = le16(zip, if name_at == at + 30 { at + 26 } else { at + 28 });
        if zip.get(name_at..name_at + len) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            changed += 1;
        }
        at += 4;
    }
    assert_eq!(
        changed, 2,
        "{name} has a local header and a directory entry"
    );
}
