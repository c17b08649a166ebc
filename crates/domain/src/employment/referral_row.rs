//! One row of the referral list that the regional employment service (Lanbide) sends: the
//! people its reference office refers to a programme. Headers are matched in Basque, Spanish
//! or English; every cell is checked and every error of a row reported at once, the person's
//! fields exactly as on the registration form.

use crate::errors::FieldErrors;
use crate::inclusion::person::{PersonDraft, PersonInput};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// A column of the list: its canonical name (also the field of its errors) and the headers it
/// goes by, written as [`normalise_header`] leaves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub aliases: &'static [&'static str],
}

const fn column(name: &'static str, required: bool, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        required,
        aliases,
    }
}

/// The accepted columns. Required are those without which no row could be valid.
pub const COLUMNS: &[Column] = &[
    column(
        "reference",
        true,
        &[
            "reference",
            "referral id",
            "referral reference",
            "referencia",
            "ref",
            "referencia derivacion",
            "id derivacion",
            "erreferentzia",
            "bideratze erreferentzia",
        ],
    ),
    column(
        "given_name",
        true,
        &["given name", "first name", "name", "nombre", "izena"],
    ),
    column(
        "surname1",
        true,
        &[
            "surname1",
            "surname",
            "first surname",
            "last name",
            "apellido",
            "apellido 1",
            "apellido1",
            "primer apellido",
            "abizena",
            "abizena 1",
            "abizena1",
            "lehen abizena",
            "lehenengo abizena",
        ],
    ),
    column(
        "surname2",
        false,
        &[
            "surname2",
            "second surname",
            "apellido 2",
            "apellido2",
            "segundo apellido",
            "abizena 2",
            "abizena2",
            "bigarren abizena",
        ],
    ),
    column(
        "document_kind",
        false,
        &[
            "document kind",
            "document type",
            "tipo de documento",
            "tipo documento",
            "dokumentu mota",
            "agiri mota",
        ],
    ),
    column(
        "document_number",
        false,
        &[
            "document number",
            "document",
            "id number",
            "numero de documento",
            "numero documento",
            "n documento",
            "no documento",
            "documento",
            "dni nie",
            "dni",
            "dokumentu zenbakia",
            "dokumentua",
            "agiri zenbakia",
            "nan",
        ],
    ),
    column(
        "birth_date",
        true,
        &[
            "birth date",
            "date of birth",
            "fecha de nacimiento",
            "fecha nacimiento",
            "jaiotze data",
            "jaioteguna",
        ],
    ),
    column(
        "sex",
        true,
        &["sex", "gender", "sexo", "genero", "sexua", "generoa"],
    ),
    column(
        "nationality",
        false,
        &[
            "nationality",
            "nacionalidad",
            "nazionalitatea",
            "herritartasuna",
        ],
    ),
    column(
        "phone",
        false,
        &[
            "phone",
            "telephone",
            "telefono",
            "movil",
            "telefonoa",
            "mugikorra",
        ],
    ),
    column(
        "email",
        false,
        &[
            "email",
            "e mail",
            "email address",
            "correo",
            "correo electronico",
            "posta elektronikoa",
            "helbide elektronikoa",
            "emaila",
        ],
    ),
    column(
        "neighbourhood",
        false,
        &["neighbourhood", "neighborhood", "barrio", "auzoa", "auzo"],
    ),
    column(
        "referral_date",
        true,
        &[
            "referral date",
            "fecha de derivacion",
            "fecha derivacion",
            "bideratze data",
            "bideratze eguna",
        ],
    ),
    column(
        "unemployed_since",
        false,
        &[
            "unemployed since",
            "desempleado desde",
            "desempleada desde",
            "desempleado a desde",
            "en desempleo desde",
            "fecha de desempleo",
            "langabezian noiztik",
            "langabezia data",
        ],
    ),
    column(
        "income_guarantee",
        false,
        &[
            "income guarantee",
            "rgi",
            "perceptor rgi",
            "perceptora rgi",
            "perceptor a rgi",
            "renta de garantia de ingresos",
            "dbe",
            "diru sarrerak bermatzeko errenta",
        ],
    ),
    column(
        "isced",
        false,
        &[
            "isced",
            "isced level",
            "nivel isced",
            "cine",
            "nivel educativo",
            "isced maila",
        ],
    ),
    column(
        "notes",
        false,
        &["notes", "observaciones", "notas", "oharrak"],
    ),
];

/// Header text reduced for matching: accents and case removed, punctuation as spaces, e.g.
/// `Nº  Documento` → `no documento`, `Desempleado/a desde` → `desempleado a desde`.
pub fn normalise_header(s: &str) -> String {
    let folded: String = s
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn column_of(header: &str) -> Option<usize> {
    let h = normalise_header(header);
    COLUMNS
        .iter()
        .position(|c| c.aliases.contains(&h.as_str()) || normalise_header(c.name) == h)
}

/// Where each known column is in the sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMap {
    /// Indexed like [`COLUMNS`]: the sheet's column index of each, when present.
    positions: Vec<Option<usize>>,
}

impl HeaderMap {
    /// The sheet's column index of a canonical column.
    pub fn position(&self, name: &str) -> Option<usize> {
        let i = COLUMNS.iter().position(|c| c.name == name)?;
        self.positions.get(i).copied().flatten()
    }

    /// The trimmed cell of a column in a row; empty when the column or cell is missing.
    fn cell<'a>(&self, cells: &'a [String], name: &str) -> &'a str {
        self.position(name)
            .and_then(|p| cells.get(p))
            .map_or("", |c| c.trim())
    }
}

/// Finds the known columns among the sheet's headers. Unknown columns are ignored (offices
/// add their own); a column given twice or a required one missing is an error on that column.
pub fn map_headers(headers: &[String]) -> Result<HeaderMap, FieldErrors> {
    let mut positions = vec![None; COLUMNS.len()];
    let mut e = FieldErrors::new();
    for (index, header) in headers.iter().enumerate() {
        let Some(col) = column_of(header) else {
            continue;
        };
        match positions.get_mut(col) {
            Some(Some(_)) => e.add(COLUMNS[col].name, "import-error-column-repeated"),
            Some(slot) => *slot = Some(index),
            None => {}
        }
    }
    for (col, found) in COLUMNS.iter().zip(&positions) {
        if col.required && found.is_none() {
            e.add(col.name, "import-error-column-missing");
        }
    }
    e.into_result().map(|()| HeaderMap { positions })
}

/// A row of the list, every field valid. The neighbourhood is kept as written: the caller
/// resolves it against the territory, which needs the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralRow {
    pub reference: String,
    pub person: PersonDraft,
    pub neighbourhood: Option<String>,
    pub referral_date: NaiveDate,
    pub unemployed_since: Option<NaiveDate>,
    pub income_guarantee: Option<bool>,
    pub isced: Option<u8>,
    pub notes: Option<String>,
}

const NOTES_MAX_CHARS: usize = 500;

/// Lanbide's referral id: 1 to 40 letters, digits, `-`, `_` or `/`.
fn parse_reference(s: &str) -> Result<String, &'static str> {
    if s.is_empty() {
        return Err("error-field-required");
    }
    let ok = s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err("import-error-reference-format")
    }
}

/// A date as spreadsheets give it: ISO `YYYY-MM-DD` (XLSX date cells are read so) or the
/// Spanish and Basque `DD/MM/YYYY` of a CSV.
fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// A date that has already happened (or is today).
fn past_date(s: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if s.is_empty() {
        return Err("error-field-required");
    }
    let d = date(s).ok_or("error-date-format")?;
    if d > today {
        Err("import-error-date-future")
    } else {
        Ok(d)
    }
}

fn yes_no(s: &str) -> Result<bool, &'static str> {
    match normalise_header(s).as_str() {
        "si" | "bai" | "yes" | "true" | "1" | "s" | "b" | "y" => Ok(true),
        "no" | "ez" | "false" | "0" | "n" => Ok(false),
        _ => Err("import-error-yes-no"),
    }
}

/// An ISCED 2011 level, 0 (early childhood) to 8 (doctorate).
fn isced(s: &str) -> Result<u8, &'static str> {
    match s.parse::<u8>() {
        Ok(level) if level <= 8 => Ok(level),
        _ => Err("import-error-isced"),
    }
}

/// The kind code `PersonInput` takes, from the words offices write. An empty kind is inferred
/// from a number shaped like a DNI or NIE; any other number needs its kind stated.
fn document_kind(kind: &str, number: &str) -> Result<&'static str, &'static str> {
    let kind = normalise_header(kind);
    match kind.as_str() {
        "dni" | "nif" | "nan" | "d n i" => Ok("dni"),
        "nie" | "n i e" | "aiz" => Ok("nie"),
        "pasaporte" | "pasaportea" | "passport" | "pas" => Ok("passport"),
        "otro" | "otros" | "beste" | "bestelakoa" | "bestea" | "other" => Ok("other"),
        "" => {
            let n: String = number
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            let b = n.as_bytes();
            let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
            match b {
                [] => Ok(""),
                [body @ .., last] if b.len() == 9 && digits(body) && last.is_ascii_uppercase() => {
                    Ok("dni")
                }
                [b'X' | b'Y' | b'Z', body @ .., last]
                    if b.len() == 9 && digits(body) && last.is_ascii_uppercase() =>
                {
                    Ok("nie")
                }
                _ => Err("import-error-document-kind"),
            }
        }
        _ => Err("import-error-document-kind"),
    }
}

/// The sex code `PersonInput` takes, from the words and letters used in lists. `M` is
/// *mujer* and `H` *hombre*, as in Spanish administrative forms. Anything else is passed on
/// unchanged so the person's parser reports it.
fn sex_code(s: &str) -> &str {
    match normalise_header(s).as_str() {
        "mujer" | "m" | "f" | "femenino" | "emakumea" | "emakumezkoa" | "e" | "woman"
        | "female" | "w" => "woman",
        "hombre" | "h" | "v" | "varon" | "masculino" | "gizona" | "gizonezkoa" | "g" | "man"
        | "male" => "man",
        "no binario" | "no binaria" | "ez bitarra" | "x" | "non binary" | "nonbinary" => {
            "non_binary"
        }
        "no consta" | "no registrado" | "ez dago jasota" | "not recorded" => "not_recorded",
        _ => s,
    }
}

/// Parses one data row, collecting every field's error (field = canonical column name).
pub fn parse_row(
    map: &HeaderMap,
    cells: &[String],
    today: NaiveDate,
) -> Result<ReferralRow, FieldErrors> {
    let cell = |name: &str| map.cell(cells, name);
    let mut e = FieldErrors::new();

    let reference = e.take("reference", parse_reference(cell("reference")));
    let number = cell("document_number");
    let kind = e
        .take(
            "document_kind",
            document_kind(cell("document_kind"), number),
        )
        .unwrap_or("");
    // A bare date typed as DD/MM/YYYY reaches the person's parser as ISO; anything else is
    // passed as written so it reports the same errors as the form.
    let birth = cell("birth_date");
    let birth_date = date(birth).map_or_else(|| birth.to_owned(), |d| d.to_string());
    let input = PersonInput {
        given_name: cell("given_name").to_owned(),
        surname1: cell("surname1").to_owned(),
        surname2: cell("surname2").to_owned(),
        document_kind: kind.to_owned(),
        document_number: number.to_owned(),
        // The list has no issuing country; a passport is taken as issued by the nationality.
        document_country: cell("nationality").to_owned(),
        birth_date,
        sex: sex_code(cell("sex")).to_owned(),
        nationality: cell("nationality").to_owned(),
        phone: cell("phone").to_owned(),
        email: cell("email").to_owned(),
        ..PersonInput::default()
    };
    let person = match input.parse(today) {
        Ok(p) => Some(p),
        Err(errors) => {
            for err in errors.0 {
                // The passport's country is the nationality cell.
                let field = if err.field == "document_number" && err.key == "error-country-format" {
                    "nationality"
                } else {
                    err.field.as_str()
                };
                e.add(field, err.key);
            }
            None
        }
    };
    let neighbourhood = Some(cell("neighbourhood"))
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let referral_date = e.take("referral_date", past_date(cell("referral_date"), today));
    let unemployed_since = match cell("unemployed_since") {
        "" => Some(None),
        s => e.take("unemployed_since", past_date(s, today)).map(Some),
    };
    let income_guarantee = match cell("income_guarantee") {
        "" => Some(None),
        s => e.take("income_guarantee", yes_no(s)).map(Some),
    };
    let isced = match cell("isced") {
        "" => Some(None),
        s => e.take("isced", isced(s)).map(Some),
    };
    let notes = match cell("notes") {
        "" => Some(None),
        s if s.chars().count() > NOTES_MAX_CHARS => {
            e.add("notes", "error-text-too-long");
            None
        }
        s => Some(Some(s.to_owned())),
    };
    match (
        reference,
        person,
        referral_date,
        unemployed_since,
        income_guarantee,
        isced,
        notes,
    ) {
        (
            Some(reference),
            Some(person),
            Some(referral_date),
            Some(unemployed_since),
            Some(income_guarantee),
            Some(isced),
            Some(notes),
        ) if e.is_empty() => Ok(ReferralRow {
            reference,
            person,
            neighbourhood,
            referral_date,
            unemployed_since,
            income_guarantee,
            isced,
            notes,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityDocument;
    use crate::inclusion::person::Sex;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    const ENGLISH: &[&str] = &[
        "reference",
        "given_name",
        "surname1",
        "surname2",
        "document_kind",
        "document_number",
        "birth_date",
        "sex",
        "nationality",
        "phone",
        "email",
        "neighbourhood",
        "referral_date",
        "unemployed_since",
        "income_guarantee",
        "isced",
        "notes",
    ];

    fn good() -> Vec<String> {
        strings(&[
            "LAN-2026/0001",
            "Ane",
            "Etxeberria",
            "Goikoetxea",
            "DNI",
            "45678123P",
            "1985-03-14",
            "Emakumea",
            "es",
            "600 111 222",
            "ane@example.org",
            " Otxarkoaga ",
            "05/10/2026",
            "2025-01-10",
            "Bai",
            "3",
            "Hostelería",
        ])
    }

    fn map(headers: &[&str]) -> HeaderMap {
        map_headers(&strings(headers)).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_good_row_parses() {
        let row = parse_row(&map(ENGLISH), &good(), today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(row.reference, "LAN-2026/0001");
        assert_eq!(row.person.name.full(), "Ane Etxeberria Goikoetxea");
        assert_eq!(
            row.person.document,
            Some(IdentityDocument::Dni("45678123P".into()))
        );
        assert_eq!(row.person.sex, Sex::Woman);
        assert_eq!(row.person.nationality.as_deref(), Some("ES"));
        assert_eq!(row.neighbourhood.as_deref(), Some("Otxarkoaga"));
        assert_eq!(
            row.referral_date,
            NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default()
        );
        assert_eq!(row.unemployed_since, NaiveDate::from_ymd_opt(2025, 1, 10));
        assert_eq!(row.income_guarantee, Some(true));
        assert_eq!(row.isced, Some(3));
        assert_eq!(row.notes.as_deref(), Some("Hostelería"));
    }

    #[test]
    fn five_bad_fields_are_all_reported() {
        let mut cells = good();
        cells[0] = "LAN 2026".into(); // reference: a space
        cells[5] = "45678123A".into(); // document_number: wrong letter
        cells[12] = "2027-01-01".into(); // referral_date: in the future
        cells[14] = "maybe".into(); // income_guarantee
        cells[15] = "9".into(); // isced
        let e = parse_row(&map(ENGLISH), &cells, today())
            .err()
            .unwrap_or_default();
        assert_eq!(e.0.len(), 5, "{e:?}");
        for (field, key) in [
            ("reference", "import-error-reference-format"),
            ("document_number", "error-dni-letter"),
            ("referral_date", "import-error-date-future"),
            ("income_guarantee", "import-error-yes-no"),
            ("isced", "import-error-isced"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn spanish_and_basque_headers_are_recognised() {
        let es = map(&[
            "Referencia",
            "NOMBRE",
            "Primer apellido",
            "Nº documento",
            "Fecha de Nacimiento",
            "Sexo",
            "Fecha de derivación",
            "Perceptor/a RGI",
            "Oficina",
        ]);
        assert_eq!(es.position("document_number"), Some(3));
        assert_eq!(es.position("referral_date"), Some(6));
        assert_eq!(es.position("income_guarantee"), Some(7));
        assert_eq!(es.position("notes"), None);
        let eu = map(&[
            "Erreferentzia",
            "Izena",
            "Lehen abizena",
            "Bigarren abizena",
            "Jaiotze-data",
            "Sexua",
            "Bideratze data",
            "ISCED maila",
        ]);
        assert_eq!(eu.position("surname2"), Some(3));
        assert_eq!(eu.position("birth_date"), Some(4));
        assert_eq!(eu.position("isced"), Some(7));
    }

    #[test]
    fn missing_and_repeated_columns_are_errors() {
        let e = map_headers(&strings(&["Nombre", "Izena", "Apellido", "Sexo"]))
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("given_name"), Some("import-error-column-repeated"));
        assert_eq!(e.get("reference"), Some("import-error-column-missing"));
        assert_eq!(e.get("birth_date"), Some("import-error-column-missing"));
        assert_eq!(e.get("referral_date"), Some("import-error-column-missing"));
        assert!(!e.has("surname1"));
    }

    #[test]
    fn the_document_kind_is_inferred_from_the_number() {
        let mut cells = good();
        cells[4] = String::new();
        cells[5] = "x-1234567-l".into();
        let row = parse_row(&map(ENGLISH), &cells, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            row.person.document,
            Some(IdentityDocument::Nie("X1234567L".into()))
        );
        cells[5] = "45.678.123-p".into();
        let row = parse_row(&map(ENGLISH), &cells, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            row.person.document,
            Some(IdentityDocument::Dni("45678123P".into()))
        );
        cells[5] = "AB123456".into();
        let e = parse_row(&map(ENGLISH), &cells, today())
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("document_kind"), Some("import-error-document-kind"));
        cells[4] = "Pasaportea".into();
        let row = parse_row(&map(ENGLISH), &cells, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(row.person.document.map(|d| d.kind()), Some("passport"));
    }

    #[test]
    fn dates_are_read_in_both_formats() {
        let mut cells = good();
        cells[6] = "14/03/1985".into();
        cells[12] = "2026-10-05".into();
        cells[13] = "1/2/2025".into();
        let row = parse_row(&map(ENGLISH), &cells, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            row.person.birth_date,
            NaiveDate::from_ymd_opt(1985, 3, 14).unwrap_or_default()
        );
        assert_eq!(row.unemployed_since, NaiveDate::from_ymd_opt(2025, 2, 1));
        cells[6] = "31/02/1985".into();
        cells[13] = "2025.01.01".into();
        cells[12] = String::new();
        let e = parse_row(&map(ENGLISH), &cells, today())
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("birth_date"), Some("error-birth-date-format"));
        assert_eq!(e.get("unemployed_since"), Some("error-date-format"));
        assert_eq!(e.get("referral_date"), Some("error-field-required"));
    }

    #[test]
    fn sex_words_in_three_languages() {
        for (word, sex) in [
            ("Mujer", Sex::Woman),
            ("M", Sex::Woman),
            ("emakumea", Sex::Woman),
            ("woman", Sex::Woman),
            ("Hombre", Sex::Man),
            ("H", Sex::Man),
            ("Gizona", Sex::Man),
            ("man", Sex::Man),
            ("No binario", Sex::NonBinary),
        ] {
            let mut cells = good();
            cells[7] = word.into();
            let row = parse_row(&map(ENGLISH), &cells, today()).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(row.person.sex, sex, "{word}");
        }
    }

    #[test]
    fn short_rows_and_long_notes() {
        let cells = strings(&["R1", "Ane"]);
        let e = parse_row(&map(ENGLISH), &cells, today())
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("surname1"), Some("error-surname-required"));
        assert_eq!(e.get("sex"), Some("error-sex-required"));
        assert_eq!(e.get("referral_date"), Some("error-field-required"));
        let mut cells = good();
        cells[16] = "x".repeat(501);
        let e = parse_row(&map(ENGLISH), &cells, today())
            .err()
            .unwrap_or_default();
        assert_eq!(e.get("notes"), Some("error-text-too-long"));
    }
}
