//! Spanish identity and tax documents: DNI, NIE, passports, other documents and tax ids (NIF/CIF).
//!
//! Numbers are normalised once (uppercase, no spaces, dots or dashes) and their check character
//! verified, so `12.345.678-z` and `12345678Z` are the same document everywhere after parsing.

use std::fmt;

/// The DNI/NIE check letters, indexed by the number modulo 23 (Real Decreto 1553/2005).
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// First letters of organisation tax ids (Orden EHA/451/2008).
const ORG_LETTERS: &[u8] = b"ABCDEFGHJNPQRSUVW";

/// The letter form of an organisation tax id's control, indexed by the control digit.
const CIF_LETTERS: &[u8; 10] = b"JABCDEFGHI";

/// The DNI check letter of a number (NIEs use it too, after replacing X/Y/Z by 0/1/2).
pub fn dni_letter(n: u32) -> char {
    char::from(DNI_LETTERS[(n % 23) as usize])
}

/// Why a number was refused; each caller maps it to its own message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Format,
    Check,
}

/// Uppercase and drop the separators people type or copy from a card.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The value of a run of ASCII digits of exactly `len` characters.
fn digits(s: &str, len: usize) -> Option<u32> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Splits off the last character: the check character of every format here.
fn split_check(s: &str) -> Option<(&str, char)> {
    let mut chars = s.chars();
    let last = chars.next_back()?;
    Some((chars.as_str(), last))
}

/// A normalised DNI: 8 digits and the letter of the number modulo 23.
fn check_dni(n: &str) -> Result<(), Fault> {
    let (body, letter) = split_check(n).ok_or(Fault::Format)?;
    let number = digits(body, 8).ok_or(Fault::Format)?;
    if !letter.is_ascii_uppercase() {
        return Err(Fault::Format);
    }
    if letter == dni_letter(number) {
        Ok(())
    } else {
        Err(Fault::Check)
    }
}

/// A normalised NIE: X, Y or Z (standing for 0, 1, 2), 7 digits and the DNI letter of the whole.
fn check_nie(n: &str) -> Result<(), Fault> {
    let (body, letter) = split_check(n).ok_or(Fault::Format)?;
    let mut chars = body.chars();
    let prefix = match chars.next() {
        Some('X') => 0,
        Some('Y') => 1,
        Some('Z') => 2,
        _ => return Err(Fault::Format),
    };
    let number = digits(chars.as_str(), 7).ok_or(Fault::Format)?;
    if !letter.is_ascii_uppercase() {
        return Err(Fault::Format);
    }
    if letter == dni_letter(prefix * 10_000_000 + number) {
        Ok(())
    } else {
        Err(Fault::Check)
    }
}

/// The control digit of an organisation tax id's 7 digits: digits in even positions are added,
/// digits in odd positions (1st, 3rd, ...) are doubled and the digits of the product added.
fn cif_control(number: u32) -> u32 {
    let mut sum = 0;
    // Walk from the 7th digit (odd position) to the 1st, alternating.
    let mut rest = number;
    for position in (1..=7).rev() {
        let d = rest % 10;
        rest /= 10;
        sum += if position % 2 == 1 {
            (2 * d) / 10 + (2 * d) % 10
        } else {
            d
        };
    }
    (10 - sum % 10) % 10
}

/// A normalised organisation tax id: entity letter, 7 digits, control digit or letter. Public
/// bodies, non-resident and religious entities (P Q R S N W) must use the letter; companies
/// (A B E H) the digit; the rest may use either.
fn check_cif(n: &str) -> Result<(), Fault> {
    let (body, check) = split_check(n).ok_or(Fault::Format)?;
    let mut chars = body.chars();
    let entity = chars.next().ok_or(Fault::Format)?;
    if !entity.is_ascii() || !ORG_LETTERS.contains(&(entity as u8)) {
        return Err(Fault::Format);
    }
    let number = digits(chars.as_str(), 7).ok_or(Fault::Format)?;
    if !check.is_ascii_alphanumeric() {
        return Err(Fault::Format);
    }
    let control = cif_control(number);
    let as_digit = char::from_digit(control, 10) == Some(check);
    let as_letter = char::from(CIF_LETTERS[control as usize]) == check;
    let ok = match entity {
        'P' | 'Q' | 'R' | 'S' | 'N' | 'W' => as_letter,
        'A' | 'B' | 'E' | 'H' => as_digit,
        _ => as_digit || as_letter,
    };
    if ok { Ok(()) } else { Err(Fault::Check) }
}

/// A document that identifies a person. Build it with [`IdentityDocument::parse`] (or
/// [`IdentityDocument::other`]) so the number is normalised and, for DNI and NIE, checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IdentityDocument {
    Dni(String),
    Nie(String),
    /// `country` is the issuing country, ISO 3166-1 alpha-2 (`MA`, `RO`, ...).
    Passport {
        number: String,
        country: String,
    },
    /// Any other document, e.g. a foreign identity card; `kind` says which.
    Other {
        kind: String,
        number: String,
    },
}

impl IdentityDocument {
    /// Parses a document from a form: `kind` is `dni`, `nie`, `passport` or `other`; `country`
    /// is only read for passports.
    pub fn parse(kind: &str, number: &str, country: &str) -> Result<Self, &'static str> {
        let kind = kind.trim().to_ascii_lowercase();
        if !matches!(kind.as_str(), "dni" | "nie" | "passport" | "other") {
            return Err("error-document-kind");
        }
        let n = normalise(number);
        if n.is_empty() {
            return Err("error-document-required");
        }
        match kind.as_str() {
            "dni" => Self::dni(n),
            "nie" => Self::nie(n),
            "passport" => Self::passport(n, country),
            _ => Self::other("other", &n),
        }
    }

    /// Another kind of document with a free label (1–60 characters) and a number of 1–30 letters
    /// and digits. The label is kept as typed: it is shown, never matched.
    pub fn other(label: &str, number: &str) -> Result<Self, &'static str> {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 60 || label.chars().any(char::is_control) {
            return Err("error-document-kind");
        }
        let n = normalise(number);
        if n.is_empty() {
            return Err("error-document-required");
        }
        if n.len() > 30 || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("error-document-format");
        }
        Ok(Self::Other {
            kind: label.to_owned(),
            number: n,
        })
    }

    fn dni(n: String) -> Result<Self, &'static str> {
        match check_dni(&n) {
            Ok(()) => Ok(Self::Dni(n)),
            Err(Fault::Format) => Err("error-dni-format"),
            Err(Fault::Check) => Err("error-dni-letter"),
        }
    }

    fn nie(n: String) -> Result<Self, &'static str> {
        match check_nie(&n) {
            Ok(()) => Ok(Self::Nie(n)),
            Err(Fault::Format) => Err("error-nie-format"),
            Err(Fault::Check) => Err("error-nie-letter"),
        }
    }

    /// Passport numbers vary by country; ICAO allows up to 9 characters but older and
    /// non-machine-readable ones are longer, hence the loose 5–20 alphanumerics.
    fn passport(n: String, country: &str) -> Result<Self, &'static str> {
        if !(5..=20).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("error-passport-format");
        }
        let country = country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("error-country-format");
        }
        Ok(Self::Passport { number: n, country })
    }

    /// The kind code, as `parse` takes it: `dni`, `nie`, `passport` or `other`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Dni(_) => "dni",
            Self::Nie(_) => "nie",
            Self::Passport { .. } => "passport",
            Self::Other { .. } => "other",
        }
    }

    /// The normalised number.
    pub fn number(&self) -> &str {
        match self {
            Self::Dni(n) | Self::Nie(n) => n,
            Self::Passport { number, .. } | Self::Other { number, .. } => number,
        }
    }

    /// The issuing country of a passport.
    pub fn country(&self) -> Option<&str> {
        match self {
            Self::Passport { country, .. } => Some(country),
            _ => None,
        }
    }

    /// The number with all but its last 4 characters hidden (`*****678Z`), for lists and logs
    /// where the document only has to be recognised. Numbers of 4 characters or fewer are
    /// hidden entirely, since showing 4 would show all.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.number().chars().collect();
        let shown = if chars.len() > 4 { 4 } else { 0 };
        let hidden = chars.len() - shown;
        std::iter::repeat_n('*', hidden)
            .chain(chars[hidden..].iter().copied())
            .collect()
    }
}

impl fmt::Display for IdentityDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dni(n) => write!(f, "DNI {n}"),
            Self::Nie(n) => write!(f, "NIE {n}"),
            Self::Passport { number, country } => write!(f, "Passport {number} ({country})"),
            Self::Other { kind, number } => write!(f, "{kind} {number}"),
        }
    }
}

/// A Spanish tax id (NIF): a person's DNI or NIE, or an organisation's NIF (formerly CIF).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaxId(String);

impl TaxId {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let n = normalise(s);
        if n.is_empty() {
            return Err("error-tax-id-required");
        }
        // The first character tells the form apart: a digit for DNI, X/Y/Z for NIE.
        let checked = match n.chars().next() {
            Some('0'..='9') => check_dni(&n),
            Some('X' | 'Y' | 'Z') => check_nie(&n),
            _ => check_cif(&n),
        };
        match checked {
            Ok(()) => Ok(Self(n)),
            Err(Fault::Format) => Err("error-tax-id-format"),
            Err(Fault::Check) => Err("error-tax-id-check"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the id belongs to an organisation rather than a person.
    pub fn is_organisation(&self) -> bool {
        self.0
            .bytes()
            .next()
            .is_some_and(|b| ORG_LETTERS.contains(&b))
    }
}

impl fmt::Display for TaxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny LCG (Numerical Recipes constants): reproducible numbers without a `rand` dependency.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as u32
        }
    }

    fn doc(kind: &str, number: &str, country: &str) -> Result<IdentityDocument, &'static str> {
        IdentityDocument::parse(kind, number, country)
    }

    #[test]
    fn dni_fixed_vectors() {
        // 12345678 = 23 × 536768 + 14, and letter 14 is Z.
        assert_eq!(dni_letter(12_345_678), 'Z');
        assert_eq!(
            doc("dni", "12345678Z", ""),
            Ok(IdentityDocument::Dni("12345678Z".into()))
        );
        assert_eq!(doc("dni", "12345678A", ""), Err("error-dni-letter"));
        // 00000000 → letter 0, T.
        assert!(doc("dni", "00000000T", "").is_ok());
    }

    #[test]
    fn dni_is_normalised() {
        for typed in ["12.345.678-z", " 12 345 678 z ", "12345678-Z", "12345678z"] {
            assert_eq!(
                doc("DNI", typed, "").map(|d| d.number().to_owned()),
                Ok("12345678Z".to_owned()),
                "{typed}"
            );
        }
    }

    #[test]
    fn dni_format_errors() {
        assert_eq!(doc("dni", "", ""), Err("error-document-required"));
        assert_eq!(doc("dni", " .- ", ""), Err("error-document-required"));
        assert_eq!(doc("dni", "1234567Z", ""), Err("error-dni-format"));
        assert_eq!(doc("dni", "123456789Z", ""), Err("error-dni-format"));
        assert_eq!(doc("dni", "123456789", ""), Err("error-dni-format"));
        assert_eq!(doc("dni", "1234567AZ", ""), Err("error-dni-format"));
        assert_eq!(doc("dni", "12345678Ñ", ""), Err("error-dni-format"));
        assert_eq!(doc("dni", "X1234567L", ""), Err("error-dni-format"));
        // A letter never used as a check letter is well-formed but wrong.
        assert_eq!(doc("dni", "12345678I", ""), Err("error-dni-letter"));
    }

    #[test]
    fn nie_fixed_vectors() {
        // X → 0: 01234567 = 23 × 53676 + 19, and letter 19 is L.
        assert_eq!(
            doc("nie", "x-1234567-l", ""),
            Ok(IdentityDocument::Nie("X1234567L".into()))
        );
        assert_eq!(doc("nie", "X1234567A", ""), Err("error-nie-letter"));
        // Y → 1: 11234567 = 23 × 488459 + 10, letter X. Z → 2: 21234567 = 23 × 923242 + 1, letter R.
        assert_eq!(dni_letter(11_234_567), 'X');
        assert_eq!(dni_letter(21_234_567), 'R');
        assert!(doc("nie", "Y1234567X", "").is_ok());
        assert!(doc("nie", "Z1234567R", "").is_ok());
        assert_eq!(doc("nie", "W1234567L", ""), Err("error-nie-format"));
        assert_eq!(doc("nie", "X123456L", ""), Err("error-nie-format"));
        assert_eq!(doc("nie", "12345678Z", ""), Err("error-nie-format"));
        assert_eq!(doc("nie", "", ""), Err("error-document-required"));
    }

    #[test]
    fn passports_need_a_number_and_a_country() {
        assert_eq!(
            doc("passport", "ab 123456", " fr "),
            Ok(IdentityDocument::Passport {
                number: "AB123456".into(),
                country: "FR".into()
            })
        );
        assert_eq!(doc("passport", "", "FR"), Err("error-document-required"));
        assert_eq!(doc("passport", "1234", "FR"), Err("error-passport-format"));
        assert!(doc("passport", "12345", "FR").is_ok());
        assert!(doc("passport", &"A".repeat(20), "FR").is_ok());
        assert_eq!(
            doc("passport", &"A".repeat(21), "FR"),
            Err("error-passport-format")
        );
        assert_eq!(
            doc("passport", "AB12#456", "FR"),
            Err("error-passport-format")
        );
        assert_eq!(doc("passport", "AB123456", ""), Err("error-country-format"));
        assert_eq!(
            doc("passport", "AB123456", "FRA"),
            Err("error-country-format")
        );
        assert_eq!(
            doc("passport", "AB123456", "F1"),
            Err("error-country-format")
        );
    }

    #[test]
    fn other_documents_and_unknown_kinds() {
        assert_eq!(
            doc("other", "ab-12", ""),
            Ok(IdentityDocument::Other {
                kind: "other".into(),
                number: "AB12".into()
            })
        );
        let card = IdentityDocument::other("Carte nationale (MA)", "BE 123456");
        assert_eq!(card.as_ref().map(IdentityDocument::kind), Ok("other"));
        assert_eq!(
            card.map(|c| c.to_string()),
            Ok("Carte nationale (MA) BE123456".to_owned())
        );
        assert_eq!(doc("other", "AB#1", ""), Err("error-document-format"));
        assert_eq!(
            IdentityDocument::other(" ", "AB1"),
            Err("error-document-kind")
        );
        assert_eq!(doc("licence", "12345678Z", ""), Err("error-document-kind"));
        assert_eq!(doc("", "", ""), Err("error-document-kind"));
    }

    #[test]
    fn accessors_display_and_mask() {
        let dni = doc("dni", "12345678Z", "");
        assert_eq!(dni.as_ref().map(IdentityDocument::kind), Ok("dni"));
        assert_eq!(
            dni.as_ref().map(|d| d.to_string()),
            Ok("DNI 12345678Z".into())
        );
        assert_eq!(
            dni.as_ref().map(IdentityDocument::masked),
            Ok("*****678Z".into())
        );
        assert_eq!(dni.map(|d| d.country().is_none()), Ok(true));
        let nie = doc("nie", "X1234567L", "");
        assert_eq!(nie.map(|d| d.to_string()), Ok("NIE X1234567L".into()));
        let pass = doc("passport", "AB123456", "MA");
        assert_eq!(pass.as_ref().map(IdentityDocument::kind), Ok("passport"));
        assert_eq!(
            pass.as_ref().map(|d| d.country().map(str::to_owned)),
            Ok(Some("MA".into()))
        );
        assert_eq!(
            pass.as_ref().map(|d| d.to_string()),
            Ok("Passport AB123456 (MA)".into())
        );
        assert_eq!(pass.map(|d| d.masked()), Ok("****3456".into()));
        assert_eq!(
            doc("other", "AB12", "").map(|d| d.masked()),
            Ok("****".into())
        );
    }

    #[test]
    fn every_dni_number_has_exactly_one_letter() {
        let mut lcg = Lcg(20_240_611);
        for _ in 0..1000 {
            let n = lcg.next() % 100_000_000;
            let right = dni_letter(n);
            assert!(
                doc("dni", &format!("{n:08}{right}"), "").is_ok(),
                "{n:08}{right}"
            );
            for wrong in ('A'..='Z').filter(|&c| c != right) {
                assert_eq!(
                    doc("dni", &format!("{n:08}{wrong}"), ""),
                    Err("error-dni-letter"),
                    "{n:08}{wrong}"
                );
            }
        }
    }

    #[test]
    fn every_nie_number_has_exactly_one_letter() {
        let mut lcg = Lcg(7);
        for _ in 0..1000 {
            let n = lcg.next() % 10_000_000;
            for (p, prefix) in ['X', 'Y', 'Z'].into_iter().enumerate() {
                let right = dni_letter(p as u32 * 10_000_000 + n);
                assert!(doc("nie", &format!("{prefix}{n:07}{right}"), "").is_ok());
                let wrong = if right == 'A' { 'B' } else { 'A' };
                assert_eq!(
                    doc("nie", &format!("{prefix}{n:07}{wrong}"), ""),
                    Err("error-nie-letter")
                );
            }
        }
    }

    #[test]
    fn cif_control_by_hand() {
        // B12345674: digits 1 2 3 4 5 6 7.
        //   even positions: 2 + 4 + 6 = 12
        //   odd positions doubled: 1→2, 3→6, 5→10→1+0=1, 7→14→1+4=5; 2 + 6 + 1 + 5 = 14
        //   sum 26, control (10 - 6) % 10 = 4 → digit 4 (letter form D).
        assert_eq!(cif_control(1_234_567), 4);
        // A58818501: digits 5 8 8 1 8 5 0.
        //   even positions: 8 + 1 + 5 = 14
        //   odd positions doubled: 5→10→1, 8→16→7, 8→16→7, 0→0; 1 + 7 + 7 + 0 = 15
        //   sum 29, control (10 - 9) % 10 = 1 → digit 1. So A58818501 is well-formed.
        assert_eq!(cif_control(5_881_850), 1);
        // All zeros: sum 0, control 0 → digit 0 or letter J.
        assert_eq!(cif_control(0), 0);
    }

    #[test]
    fn organisation_tax_ids() {
        for ok in [
            "B12345674",
            "b-1234567-4",
            "A58818501",
            "P1234567D",
            "C12345674",
            "C1234567D",
        ] {
            let id = TaxId::parse(ok);
            assert_eq!(id.as_ref().map(TaxId::is_organisation), Ok(true), "{ok}");
        }
        assert_eq!(TaxId::parse("B12345675"), Err("error-tax-id-check"));
        assert_eq!(TaxId::parse("A58818502"), Err("error-tax-id-check"));
        // Companies must use the digit, public bodies the letter.
        assert_eq!(TaxId::parse("B1234567D"), Err("error-tax-id-check"));
        assert_eq!(TaxId::parse("P12345674"), Err("error-tax-id-check"));
        assert_eq!(TaxId::parse("B1234567"), Err("error-tax-id-format"));
        assert_eq!(TaxId::parse("B123456745"), Err("error-tax-id-format"));
        assert_eq!(TaxId::parse("I12345674"), Err("error-tax-id-format"));
        assert_eq!(TaxId::parse("B1234567#"), Err("error-tax-id-format"));
        assert_eq!(TaxId::parse(" "), Err("error-tax-id-required"));
        assert_eq!(
            TaxId::parse("b12345674").map(|t| t.to_string()),
            Ok("B12345674".into())
        );
    }

    #[test]
    fn organisation_letters_follow_their_entity_rule() {
        let mut lcg = Lcg(99);
        for _ in 0..200 {
            let n = lcg.next() % 10_000_000;
            let control = cif_control(n);
            let digit = control.to_string();
            let letter = char::from(CIF_LETTERS[control as usize]).to_string();
            for &entity in ORG_LETTERS {
                let entity = char::from(entity);
                let with_digit = TaxId::parse(&format!("{entity}{n:07}{digit}")).is_ok();
                let with_letter = TaxId::parse(&format!("{entity}{n:07}{letter}")).is_ok();
                let (want_digit, want_letter) = match entity {
                    'P' | 'Q' | 'R' | 'S' | 'N' | 'W' => (false, true),
                    'A' | 'B' | 'E' | 'H' => (true, false),
                    _ => (true, true),
                };
                assert_eq!(
                    (with_digit, with_letter),
                    (want_digit, want_letter),
                    "{entity}{n:07}"
                );
                let wrong = (control + 1) % 10;
                assert!(
                    TaxId::parse(&format!("{entity}{n:07}{wrong}")).is_err(),
                    "{entity}{n:07}{wrong}"
                );
            }
        }
    }

    #[test]
    fn people_tax_ids() {
        for ok in ["12345678Z", "X1234567L", "y-1234567-x"] {
            let id = TaxId::parse(ok);
            assert_eq!(id.as_ref().map(TaxId::is_organisation), Ok(false), "{ok}");
        }
        assert_eq!(TaxId::parse("12345678A"), Err("error-tax-id-check"));
        assert_eq!(TaxId::parse("X1234567A"), Err("error-tax-id-check"));
        assert_eq!(TaxId::parse("1234567Z"), Err("error-tax-id-format"));
        assert_eq!(TaxId::parse("X12345L"), Err("error-tax-id-format"));
    }
}
