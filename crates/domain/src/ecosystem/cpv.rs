//! The Common Procurement Vocabulary (CPV 2008, Regulation (EC) No 213/2008).
//!
//! The 9,455 codes are bundled and parsed at first use, so a code is checked against the
//! vocabulary itself. A code is eight digits; its trailing zeros mark how general it is
//! (`85000000` health and social work, `85300000` social work, `85312000` social work services
//! without accommodation), which is what matching an organisation's activities to a contract uses.
//! The ninth, check digit that official notices print (`85312000-9`) is accepted and dropped.

use crate::Lang;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

const CPV_CSV: &str = include_str!("../../data/cpv2008-en.csv");
/// Spanish and Basque labels of the codes the council's contracts and the pole use most
/// (`code|es|eu`); other codes fall back to English.
const LOCAL_CSV: &str = include_str!("../../data/cpv-labels-es-eu.csv");

static LOCAL: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    LOCAL_CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.trim_end_matches('\r').split('|');
            Some((parts.next()?, (parts.next()?, parts.next()?)))
        })
        .collect()
});

/// Every message key this module can return.
pub const MESSAGE_KEYS: &[&str] = &["error-cpv-format", "error-cpv-unknown"];

struct Vocabulary {
    labels: HashMap<&'static str, &'static str>,
    codes: Vec<&'static str>,
}

fn parse_vocabulary(csv: &'static str) -> Vocabulary {
    let mut labels = HashMap::new();
    let mut codes = Vec::new();
    for line in csv.lines().skip(1) {
        let Some((code, label)) = line.split_once(',') else {
            continue;
        };
        let label = label
            .strip_prefix('"')
            .and_then(|l| l.strip_suffix('"'))
            .unwrap_or(label);
        labels.insert(code, label);
        codes.push(code);
    }
    Vocabulary { labels, codes }
}

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| parse_vocabulary(CPV_CSV));

/// A code of the vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpv(&'static str);

impl Cpv {
    /// Parses `85312000` or `85312000-9`; the code must exist in CPV 2008.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        let digits = match t.split_once('-') {
            Some((code, check))
                if check.len() == 1 && check.bytes().all(|b| b.is_ascii_digit()) =>
            {
                code
            }
            Some(_) => return Err("error-cpv-format"),
            None => t,
        };
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("error-cpv-format");
        }
        VOCABULARY
            .labels
            .get_key_value(digits)
            .map(|(code, _)| Cpv(code))
            .ok_or("error-cpv-unknown")
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// The label in `lang`: Spanish and Basque for the curated codes, English otherwise.
    pub fn label(self, lang: Lang) -> &'static str {
        match (lang, LOCAL.get(self.0)) {
            (Lang::Es, Some((es, _))) => es,
            (Lang::Eu, Some((_, eu))) => eu,
            _ => VOCABULARY.labels.get(self.0).copied().unwrap_or(""),
        }
    }

    /// Whether the code has its own Spanish and Basque label.
    pub fn has_local_label(self) -> bool {
        LOCAL.contains_key(self.0)
    }

    /// The significant digits: the code without its trailing zeros, but never shorter than the
    /// two digits of the division.
    pub fn stem(self) -> &'static str {
        let trimmed = self.0.trim_end_matches('0');
        if trimmed.len() < 2 {
            &self.0[..2]
        } else {
            trimmed
        }
    }

    /// Whether one code falls under the other: an organisation active in `85300000` (social
    /// work) fits a contract for `85312000`, and one active in `85312000` fits a contract for the
    /// whole `85300000` group.
    pub fn overlaps(self, other: Cpv) -> bool {
        self.0.starts_with(other.stem()) || other.0.starts_with(self.stem())
    }

    /// Codes whose code or English label contains `query` (case-insensitive), at most `limit`.
    pub fn search(query: &str, limit: usize) -> Vec<Cpv> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let v = &*VOCABULARY;
        v.codes
            .iter()
            .filter(|c| {
                c.starts_with(&q)
                    || v.labels
                        .get(*c)
                        .is_some_and(|l| l.to_lowercase().contains(&q))
                    || LOCAL.get(*c).is_some_and(|(es, eu)| {
                        es.to_lowercase().contains(&q) || eu.to_lowercase().contains(&q)
                    })
            })
            .take(limit)
            .map(|c| Cpv(c))
            .collect()
    }
}

impl fmt::Display for Cpv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Cpv {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Cpv {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cpv::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_vocabulary_is_loaded() {
        assert_eq!(VOCABULARY.codes.len(), 9_455);
        assert_eq!(
            Cpv::parse("85312000").map(|c| c.label(Lang::En)),
            Ok("Social work services without accommodation")
        );
    }

    #[test]
    fn every_local_label_is_a_code_of_the_vocabulary() {
        assert!(LOCAL.len() >= 60, "{} local labels", LOCAL.len());
        for (code, (es, eu)) in LOCAL.iter() {
            let cpv = Cpv::parse(code);
            assert!(cpv.is_ok(), "{code} is not in CPV 2008");
            assert!(!es.is_empty() && !eu.is_empty(), "{code} lacks a label");
        }
        let cleaning = Cpv::parse("90910000").ok();
        assert_eq!(
            cleaning.map(|c| c.label(Lang::Es)),
            Some("Servicios de limpieza")
        );
        assert_eq!(
            cleaning.map(|c| c.label(Lang::Eu)),
            Some("Garbiketa-zerbitzuak")
        );
        assert_eq!(
            cleaning.map(|c| c.label(Lang::En)),
            Some("Cleaning services")
        );
    }

    #[test]
    fn check_digit_is_accepted_and_dropped() {
        assert_eq!(Cpv::parse("85312000-9").map(Cpv::code), Ok("85312000"));
        assert_eq!(Cpv::parse("85312000-99"), Err("error-cpv-format"));
        assert_eq!(Cpv::parse("8531200"), Err("error-cpv-format"));
        assert_eq!(Cpv::parse("8531200a"), Err("error-cpv-format"));
        assert_eq!(Cpv::parse("85312999"), Err("error-cpv-unknown"));
    }

    #[test]
    fn matching_follows_the_tree() {
        let social_work = Cpv::parse("85300000").ok();
        let without_accommodation = Cpv::parse("85312000").ok();
        let cleaning = Cpv::parse("90910000").ok();
        let (Some(a), Some(b), Some(c)) = (social_work, without_accommodation, cleaning) else {
            panic!("codes of the vocabulary");
        };
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(c) && !c.overlaps(b));
        assert_eq!(a.stem(), "853");
    }

    #[test]
    fn search_finds_by_code_prefix_and_label() {
        let found = Cpv::search("cleaning", 500);
        assert!(found.iter().any(|c| c.code() == "90910000"));
        assert!(
            Cpv::search("853", 10)
                .iter()
                .all(|c| c.code().starts_with("853"))
        );
        assert!(Cpv::search("  ", 10).is_empty());
    }
}
