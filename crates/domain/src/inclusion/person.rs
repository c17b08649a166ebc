//! A person in the registry: names in Basque and Spanish usage (given name, two surnames),
//! identity document, birth date, sex, nationality, languages, neighbourhood and contact.

use crate::errors::FieldErrors;
use crate::identity::IdentityDocument;
use crate::{Lang, search};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Sex as Basque equality statistics record it (Ley 4/2005): woman, man, non-binary, or not recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Woman,
    Man,
    NonBinary,
    NotRecorded,
}

impl Sex {
    pub const ALL: [Sex; 4] = [Sex::Woman, Sex::Man, Sex::NonBinary, Sex::NotRecorded];

    pub fn code(self) -> &'static str {
        match self {
            Sex::Woman => "woman",
            Sex::Man => "man",
            Sex::NonBinary => "non_binary",
            Sex::NotRecorded => "not_recorded",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
            .ok_or("error-sex-required")
    }

    pub fn label_key(self) -> String {
        format!("sex-{}", self.code().replace('_', "-"))
    }
}

/// A name part: 1 to 80 characters, letters and the punctuation names use.
fn name_part(s: &str, required: &'static str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err(required);
    }
    if t.chars().count() > 80 {
        return Err("error-name-length");
    }
    if !t
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | '·'))
    {
        return Err("error-name-format");
    }
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Given name and surnames. The second surname is optional (many people have one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonName {
    pub given: String,
    pub surname1: String,
    pub surname2: Option<String>,
}

impl PersonName {
    pub fn full(&self) -> String {
        match &self.surname2 {
            Some(s2) => format!("{} {} {}", self.given, self.surname1, s2),
            None => format!("{} {}", self.given, self.surname1),
        }
    }

    /// The key person search matches against.
    pub fn search_key(&self) -> String {
        search::search_key(&self.full())
    }
}

/// A birth date: not in the future, not before 1900.
pub fn parse_birth_date(s: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("error-birth-date-required");
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| "error-birth-date-format")?;
    if d > today {
        return Err("error-birth-date-future");
    }
    if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) {
        return Err("error-birth-date-past");
    }
    Ok(d)
}

/// The same from day, month and year boxes (GOV.UK date input).
pub fn birth_date_from_parts(
    day: &str,
    month: &str,
    year: &str,
    today: NaiveDate,
) -> Result<NaiveDate, &'static str> {
    if day.trim().is_empty() && month.trim().is_empty() && year.trim().is_empty() {
        return Err("error-birth-date-required");
    }
    let (Ok(d), Ok(m), Ok(y)) = (
        day.trim().parse::<u32>(),
        month.trim().parse::<u32>(),
        year.trim().parse::<i32>(),
    ) else {
        return Err("error-birth-date-format");
    };
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or("error-birth-date-format")?;
    parse_birth_date(&date.format("%Y-%m-%d").to_string(), today)
}

/// ISO 3166-1 alpha-2, uppercase.
pub fn parse_country(s: &str) -> Result<String, &'static str> {
    let t = s.trim().to_ascii_uppercase();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(t)
    } else {
        Err("error-country-format")
    }
}

/// ISO 639-1 codes separated by commas or spaces; at most 10.
pub fn parse_languages(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out: Vec<String> = Vec::new();
    for part in s
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let code = part.to_ascii_lowercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err("error-languages-format");
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > 10 {
        Err("error-languages-format")
    } else {
        Ok(out)
    }
}

/// A Spanish or international phone number: digits, spaces and one leading +; 9 to 15 digits.
pub fn parse_phone(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || (c == '+' && i == 0))
        && (9..=15).contains(&digits);
    if ok {
        Ok(t.to_owned())
    } else {
        Err("error-phone-format")
    }
}

/// A person's record as entered on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PersonInput {
    pub given_name: String,
    pub surname1: String,
    pub surname2: String,
    pub document_kind: String,
    pub document_number: String,
    pub document_country: String,
    pub birth_date: String,
    pub sex: String,
    pub nationality: String,
    pub languages: String,
    pub preferred_lang: String,
    pub neighbourhood: String,
    pub phone: String,
    pub email: String,
}

/// A person's record, every field valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonDraft {
    pub name: PersonName,
    pub document: Option<IdentityDocument>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub nationality: Option<String>,
    pub languages: Vec<String>,
    pub preferred_lang: Lang,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl PersonInput {
    /// Parses every field, collecting every error. The neighbourhood is checked by the caller
    /// against the territory (it needs the store).
    pub fn parse(&self, today: NaiveDate) -> Result<PersonDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let given = e.take(
            "given_name",
            name_part(&self.given_name, "error-given-name-required"),
        );
        let surname1 = e.take(
            "surname1",
            name_part(&self.surname1, "error-surname-required"),
        );
        let surname2 = if self.surname2.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "surname2",
                name_part(&self.surname2, "error-surname-required"),
            )
            .map(Some)
        };
        let document = if self.document_kind.trim().is_empty() || self.document_kind == "none" {
            Some(None)
        } else {
            e.take(
                "document_number",
                IdentityDocument::parse(
                    &self.document_kind,
                    &self.document_number,
                    &self.document_country,
                ),
            )
            .map(Some)
        };
        let birth_date = e.take("birth_date", parse_birth_date(&self.birth_date, today));
        let sex = e.take("sex", Sex::parse(&self.sex));
        let nationality = if self.nationality.trim().is_empty() {
            Some(None)
        } else {
            e.take("nationality", parse_country(&self.nationality))
                .map(Some)
        };
        let languages = e.take("languages", parse_languages(&self.languages));
        let preferred_lang = match self.preferred_lang.trim() {
            "" => Some(Lang::Es),
            l => e.take(
                "preferred_lang",
                Lang::parse(l)
                    .filter(|l| *l != Lang::En)
                    .ok_or("error-preferred-lang"),
            ),
        };
        let phone = if self.phone.trim().is_empty() {
            Some(None)
        } else {
            e.take("phone", parse_phone(&self.phone)).map(Some)
        };
        let email = if self.email.trim().is_empty() {
            Some(None)
        } else {
            e.take("email", crate::account::Email::parse(&self.email))
                .map(|m| Some(m.as_str().to_owned()))
        };
        match (
            given,
            surname1,
            surname2,
            document,
            birth_date,
            sex,
            nationality,
            languages,
            preferred_lang,
            phone,
            email,
        ) {
            (
                Some(given),
                Some(surname1),
                Some(surname2),
                Some(document),
                Some(birth_date),
                Some(sex),
                Some(nationality),
                Some(languages),
                Some(preferred_lang),
                Some(phone),
                Some(email),
            ) if e.is_empty() => Ok(PersonDraft {
                name: PersonName {
                    given,
                    surname1,
                    surname2,
                },
                document,
                birth_date,
                sex,
                nationality,
                languages,
                preferred_lang,
                phone,
                email,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default()
    }

    fn valid() -> PersonInput {
        PersonInput {
            given_name: "Iñaki".into(),
            surname1: "Etxeberria".into(),
            surname2: "García".into(),
            document_kind: "dni".into(),
            document_number: "12345678Z".into(),
            birth_date: "1980-02-29".into(),
            sex: "man".into(),
            nationality: "es".into(),
            languages: "eu, es".into(),
            preferred_lang: "eu".into(),
            phone: "+34 600 000 000".into(),
            ..PersonInput::default()
        }
    }

    #[test]
    fn a_valid_record_parses() {
        let p = valid().parse(today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.name.full(), "Iñaki Etxeberria García");
        assert_eq!(p.nationality.as_deref(), Some("ES"));
        assert_eq!(p.languages, vec!["eu", "es"]);
        assert_eq!(p.preferred_lang, Lang::Eu);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = PersonInput {
            given_name: String::new(),
            surname1: "G4rcía".into(),
            document_kind: "dni".into(),
            document_number: "12345678A".into(),
            birth_date: "2031-01-01".into(),
            sex: "x".into(),
            nationality: "Spain".into(),
            languages: "basque".into(),
            phone: "12".into(),
            email: "no".into(),
            ..PersonInput::default()
        };
        let e = bad.parse(today()).err().unwrap_or_default();
        for (field, key) in [
            ("given_name", "error-given-name-required"),
            ("surname1", "error-name-format"),
            ("document_number", "error-dni-letter"),
            ("birth_date", "error-birth-date-future"),
            ("sex", "error-sex-required"),
            ("nationality", "error-country-format"),
            ("languages", "error-languages-format"),
            ("phone", "error-phone-format"),
            ("email", "error-email-format"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(
            parse_birth_date("1981-02-29", today()),
            Err("error-birth-date-format")
        );
        assert_eq!(
            birth_date_from_parts("31", "4", "1990", today()),
            Err("error-birth-date-format")
        );
        assert_eq!(
            parse_birth_date("1850-01-01", today()),
            Err("error-birth-date-past")
        );
        assert!(birth_date_from_parts("29", "2", "2000", today()).is_ok());
    }

    #[test]
    fn search_key_tolerates_spelling_variants() {
        let a = PersonName {
            given: "Iñaki".into(),
            surname1: "Etxeberria".into(),
            surname2: None,
        };
        let b = PersonName {
            given: "Inaki".into(),
            surname1: "Echeverría".into(),
            surname2: None,
        };
        assert_eq!(a.search_key(), b.search_key());
    }
}
