//! Spreadsheets in and out: CSV and XLSX files uploaded by importers are read into a [`Table`]
//! of strings within [`Limits`]; lists are exported as CSV or XLSX with formula injection
//! neutralised. No I/O: bytes in, bytes out.

mod csv_read;
mod write;
mod xlsx_read;

pub use write::{WriteError, neutralise_formula, write_csv, write_xlsx};

/// Bytes a [`String`] cell takes before its text: what a table of many empty cells costs.
pub(crate) const CELL_OVERHEAD: usize = size_of::<String>();

/// The file formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format of an upload. The content decides: a ZIP archive is XLSX. A file named
    /// `.xlsx` that is not a ZIP is still treated as XLSX, so it is refused as a broken
    /// spreadsheet instead of being read as a CSV of garbage.
    pub fn sniff(bytes: &[u8], filename: Option<&str>) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            return Format::Xlsx;
        }
        let named_xlsx = filename.is_some_and(|f| {
            let f = f.to_ascii_lowercase();
            f.ends_with(".xlsx") || f.ends_with(".xlsm")
        });
        if named_xlsx {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// What an upload may hold. Every limit is checked while reading, so a hostile file fails
/// with a [`ReadError`] before it can exhaust memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Size of the uploaded file.
    pub max_bytes: usize,
    /// Data rows, not counting the header.
    pub max_rows: usize,
    pub max_columns: usize,
    /// Characters (not bytes) in one cell.
    pub max_cell_chars: usize,
    /// How many times its own size an XLSX upload may unpack to, all parts together.
    /// Spreadsheet XML compresses about five to ten to one; a zip bomb a thousand to one.
    pub max_unpacked_ratio: usize,
    /// The most an XLSX upload may unpack to whatever its size, and the most the table read
    /// from any file may hold (its cells' text plus a `String` per cell: 200,000 rows of 18
    /// columns take about 110 MB).
    pub max_unpacked_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_columns: 64,
            max_cell_chars: 1_000,
            max_unpacked_ratio: 20,
            max_unpacked_bytes: 128 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// What an XLSX upload of `upload_len` bytes may unpack to: the smaller of
    /// `upload_len × max_unpacked_ratio` and `max_unpacked_bytes`.
    pub fn unpacked_budget(&self, upload_len: usize) -> usize {
        upload_len
            .saturating_mul(self.max_unpacked_ratio)
            .min(self.max_unpacked_bytes)
    }
}

/// What reading a file cost, counted by the reader itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadCounters {
    /// Bytes inflated from an XLSX archive while checking its parts (0 for CSV). Inflation
    /// stops one read past the budget, so a bomb is never unpacked whole.
    pub unpacked_bytes: u64,
    /// Bytes the table holds: its cells' text plus a `String` per cell.
    pub table_bytes: usize,
}

/// A sheet read as text: the header row and the data rows after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// A data row. Cells are trimmed; a row has at least as many cells as there are headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row number the user sees in the spreadsheet (the header is row 1), for messages.
    pub number: usize,
    pub cells: Vec<String>,
}

/// Why a file could not be read. Each has a Fluent message key; `row` says where when known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is larger than allowed")]
    TooLarge,
    /// The file unpacks to, or its cells hold, far more than its size suggests.
    #[error("the file holds more data than its size allows")]
    TooMuchData,
    #[error("the file has more rows than allowed")]
    TooManyRows { row: usize },
    #[error("row {row} has more columns than allowed")]
    TooManyColumns { row: usize },
    #[error("a cell in row {row} is longer than allowed")]
    CellTooLong { row: usize },
    #[error("the file is not a CSV or XLSX spreadsheet")]
    NotASpreadsheet,
    #[error("the sheet has no header row")]
    NoHeader,
    #[error("the file is damaged")]
    Malformed { row: Option<usize> },
}

impl ReadError {
    /// The Fluent message key (in `employment.ftl`); messages with a row take `$row`.
    pub fn key(&self) -> &'static str {
        match self {
            ReadError::TooLarge => "import-error-too-large",
            ReadError::TooMuchData => "import-error-too-much-data",
            ReadError::TooManyRows { .. } => "import-error-too-many-rows",
            ReadError::TooManyColumns { .. } => "import-error-too-many-columns",
            ReadError::CellTooLong { .. } => "import-error-cell-too-long",
            ReadError::NotASpreadsheet => "import-error-not-a-spreadsheet",
            ReadError::NoHeader => "import-error-no-header",
            ReadError::Malformed { row: Some(_) } => "import-error-malformed-row",
            ReadError::Malformed { row: None } => "import-error-malformed",
        }
    }

    /// The spreadsheet row the error is about, when there is one.
    pub fn row(&self) -> Option<usize> {
        match self {
            ReadError::TooManyRows { row }
            | ReadError::TooManyColumns { row }
            | ReadError::CellTooLong { row } => Some(*row),
            ReadError::Malformed { row } => *row,
            ReadError::TooLarge
            | ReadError::TooMuchData
            | ReadError::NotASpreadsheet
            | ReadError::NoHeader => None,
        }
    }
}

/// Reads the first sheet of a CSV or XLSX file into text cells.
pub fn read_table(bytes: &[u8], format: Format, limits: &Limits) -> Result<Table, ReadError> {
    read_table_counted(bytes, format, limits, &mut ReadCounters::default())
}

/// [`read_table`], recording in `counters` what the reading cost (also when it fails).
pub fn read_table_counted(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    counters: &mut ReadCounters,
) -> Result<Table, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge);
    }
    // The table is bounded by the absolute cap alone: a sparse list of many empty cells
    // legitimately holds several times its CSV size.
    let mut builder = TableBuilder::new(limits, limits.max_unpacked_bytes);
    let read = match format {
        Format::Csv => csv_read::read(bytes, &mut builder),
        Format::Xlsx => {
            let budget = limits.unpacked_budget(bytes.len());
            xlsx_read::read(bytes, budget, &mut builder, counters)
        }
    };
    counters.table_bytes = builder.held;
    read?;
    builder.finish()
}

/// Collects rows from either reader, applying the same limits and clean-up to both.
pub(crate) struct TableBuilder<'a> {
    limits: &'a Limits,
    headers: Option<Vec<String>>,
    rows: Vec<Row>,
    /// Bytes the kept rows hold, and how many they may: rows padded with empty cells cost
    /// memory without text, so a small file of wide empty rows is bounded too.
    held: usize,
    budget: usize,
}

impl<'a> TableBuilder<'a> {
    fn new(limits: &'a Limits, budget: usize) -> Self {
        Self {
            limits,
            headers: None,
            rows: Vec::new(),
            held: 0,
            budget,
        }
    }

    /// Checks one cell as it is read, before the row is kept.
    pub(crate) fn check_cell(
        &self,
        number: usize,
        column: usize,
        cell: &str,
    ) -> Result<(), ReadError> {
        if cell.is_empty() {
            return Ok(());
        }
        if column >= self.limits.max_columns {
            return Err(ReadError::TooManyColumns { row: number });
        }
        // Counting bytes first avoids walking the characters of short cells.
        if cell.len() > self.limits.max_cell_chars
            && cell.chars().count() > self.limits.max_cell_chars
        {
            return Err(ReadError::CellTooLong { row: number });
        }
        Ok(())
    }

    /// Adds a row of trimmed cells. Empty rows are skipped; the first non-empty one is the header.
    pub(crate) fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), ReadError> {
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(());
        }
        for (column, cell) in cells.iter().enumerate() {
            self.check_cell(number, column, cell)?;
        }
        let width = cells.len().max(self.headers.as_ref().map_or(0, Vec::len));
        let text: usize = cells.iter().map(String::len).sum();
        self.held = self
            .held
            .saturating_add(width.saturating_mul(CELL_OVERHEAD))
            .saturating_add(text);
        if self.held > self.budget {
            return Err(ReadError::TooMuchData);
        }
        match &self.headers {
            None => self.headers = Some(cells),
            Some(headers) => {
                if self.rows.len() >= self.limits.max_rows {
                    return Err(ReadError::TooManyRows { row: number });
                }
                if cells.len() < headers.len() {
                    cells.resize(headers.len(), String::new());
                }
                self.rows.push(Row { number, cells });
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Table, ReadError> {
        let headers = self.headers.ok_or(ReadError::NoHeader)?;
        Ok(Table {
            headers,
            rows: self.rows,
        })
    }
}
