//! ESCO occupations and skills (European Skills, Competences, Qualifications and Occupations).
//!
//! The 3,007 occupations of ESCO v1.1.1 are bundled and parsed at first use, so an occupation
//! code is checked against the classification itself. Spanish and Basque labels exist for the
//! curated subset the neighbourhood plans use; every other occupation shows its English label.
//! Sources and licence: `crates/domain/data/README.md`.

use crate::{Lang, search};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

const OCCUPATIONS_CSV: &str = include_str!("../../data/esco-occupations-v1.1.1.csv");
const LABELS_CSV: &str = include_str!("../../data/esco-labels-es-eu.csv");

const OCCUPATION_PREFIX: &str = "http://data.europa.eu/esco/occupation/";
const SKILL_PREFIX: &str = "http://data.europa.eu/esco/skill/";

/// Every message key this module can return.
pub const MESSAGE_KEYS: &[&str] = &[
    "error-esco-unknown",
    "error-esco-format",
    "error-esco-skill-format",
];

/// One ESCO occupation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occupation {
    /// The concept URI, `http://data.europa.eu/esco/occupation/<uuid>`.
    pub uri: &'static str,
    /// The ESCO code: the ISCO-08 unit group and the occupation's place under it (`5131.2`).
    pub code: &'static str,
    /// The ISCO-08 unit group (4 digits).
    pub isco_group: &'static str,
    pub label_en: &'static str,
    pub label_es: Option<&'static str>,
    pub label_eu: Option<&'static str>,
}

impl Occupation {
    /// The label in `lang`, or the English one where the occupation has no translation.
    pub fn label(&self, lang: Lang) -> &'static str {
        let local = match lang {
            Lang::Eu => self.label_eu,
            Lang::Es => self.label_es,
            Lang::En => None,
        };
        local.unwrap_or(self.label_en)
    }

    fn is_curated(&self) -> bool {
        self.label_es.is_some() || self.label_eu.is_some()
    }
}

/// The parsed files with their lookups. Folded labels are kept so a search does not fold
/// 3,000 labels per keystroke.
#[derive(Default)]
struct Catalogue {
    occupations: Vec<Occupation>,
    by_code: HashMap<&'static str, usize>,
    by_uri: HashMap<&'static str, usize>,
    /// Indices of the translated subset, in the order of the labels file.
    curated: Vec<usize>,
    /// `search::fold` of the English, Spanish and Basque labels, per occupation.
    folded: Vec<[String; 3]>,
}

/// A field of the ESCO export: trimmed, surrounding quotes removed (labels with commas are
/// quoted; none contains a quote).
fn field(s: &'static str) -> &'static str {
    let t = s.trim();
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t)
        .trim()
}

fn parse_catalogue(occupations: &'static str, labels: &'static str) -> Result<Catalogue, String> {
    let mut c = Catalogue::default();
    let mut lines = occupations.lines();
    if lines.next().map(str::trim) != Some("esco_uri,isco_group,esco_code,preferred_label_en") {
        return Err("occupations: unexpected header".into());
    }
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The label is last, so splitting into four keeps any comma inside it.
        let cols: Vec<&'static str> = line.splitn(4, ',').collect();
        let [uri, isco, code, label] = cols[..] else {
            return Err(format!("occupations line {}: expected 4 columns", i + 2));
        };
        let (uri, code) = (field(uri), field(code));
        if !uri.starts_with(OCCUPATION_PREFIX) || !is_code(code) {
            return Err(format!("occupations line {}: bad URI or code", i + 2));
        }
        let n = c.occupations.len();
        if c.by_code.insert(code, n).is_some() || c.by_uri.insert(uri, n).is_some() {
            return Err(format!("occupations line {}: duplicate", i + 2));
        }
        c.occupations.push(Occupation {
            uri,
            code,
            isco_group: field(isco),
            label_en: field(label),
            label_es: None,
            label_eu: None,
        });
    }
    let mut lines = labels.lines();
    if lines.next().map(str::trim) != Some("esco_code,label_es,label_eu") {
        return Err("labels: unexpected header".into());
    }
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&'static str> = line.split(',').map(str::trim).collect();
        let [code, es, eu] = cols[..] else {
            return Err(format!("labels line {}: expected 3 columns", i + 2));
        };
        if es.is_empty() || eu.is_empty() || line.contains('"') {
            return Err(format!("labels line {}: empty or quoted label", i + 2));
        }
        let Some(&n) = c.by_code.get(code) else {
            return Err(format!("labels line {}: unknown code {code}", i + 2));
        };
        if c.occupations[n].is_curated() {
            return Err(format!("labels line {}: duplicate code {code}", i + 2));
        }
        c.occupations[n].label_es = Some(es);
        c.occupations[n].label_eu = Some(eu);
        c.curated.push(n);
    }
    c.folded = c
        .occupations
        .iter()
        .map(|o| {
            [
                search::fold(o.label_en),
                o.label_es.map(search::fold).unwrap_or_default(),
                o.label_eu.map(search::fold).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(c)
}

/// The bundled files are checked by tests; were they ever broken, the list is empty rather than
/// the server down.
static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| parse_catalogue(OCCUPATIONS_CSV, LABELS_CSV).unwrap_or_default());

/// An ESCO occupation code: the four digits of the ISCO-08 unit group, then one or more
/// dot-separated numbers (`5131.2`, `7411.1.1.1`).
fn is_code(s: &str) -> bool {
    let mut parts = s.split('.');
    let group_ok = parts
        .next()
        .is_some_and(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()));
    let mut rest = 0;
    let rest_ok = parts.all(|p| {
        rest += 1;
        !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())
    });
    group_ok && rest_ok && rest > 0
}

/// The UUID at the end of an ESCO concept URI, in its canonical lowercase hyphenated form.
fn is_concept_id(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// Every occupation of ESCO v1.1.1, in the order of the bundled file.
pub fn all() -> &'static [Occupation] {
    &CATALOGUE.occupations
}

/// The occupations with Spanish and Basque labels: the ones select lists offer.
pub fn with_local_labels() -> impl Iterator<Item = &'static Occupation> {
    let c: &'static Catalogue = &CATALOGUE;
    c.curated.iter().map(|&i| &c.occupations[i])
}

/// Occupations whose label in `lang` or in English contains `query` (ignoring case and
/// accents), or whose code starts with it. Translated occupations come first, then labels that
/// start with the query. An empty query lists the translated occupations.
pub fn search(query: &str, lang: Lang, limit: usize) -> Vec<&'static Occupation> {
    let c: &'static Catalogue = &CATALOGUE;
    let q = search::fold(query);
    let code_q = query.trim();
    if q.is_empty() {
        return with_local_labels().take(limit).collect();
    }
    let local = match lang {
        Lang::En => 0,
        Lang::Es => 1,
        Lang::Eu => 2,
    };
    // Rank: 0 translated and label starts with the query, 1 translated, 2 starts, 3 the rest.
    let mut hits: Vec<(u8, usize)> = Vec::new();
    for (i, o) in c.occupations.iter().enumerate() {
        let f = &c.folded[i];
        let labels = [&f[local], &f[0]];
        let in_label = labels.iter().any(|l| l.contains(&q));
        let by_code =
            code_q.bytes().all(|b| b.is_ascii_digit() || b == b'.') && o.code.starts_with(code_q);
        if !(in_label || by_code) {
            continue;
        }
        let starts = labels.iter().any(|l| l.starts_with(&q)) || by_code;
        let rank = match (o.is_curated(), starts) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        hits.push((rank, i));
    }
    // Within a rank, translated occupations keep the curated order (most common jobs first);
    // the rest sort by code.
    let curated_pos: HashMap<usize, usize> =
        c.curated.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    hits.sort_by_key(|&(rank, i)| (rank, curated_pos.get(&i).copied().unwrap_or(usize::MAX), i));
    hits.into_iter()
        .take(limit)
        .map(|(_, i)| &c.occupations[i])
        .collect()
}

/// An occupation of the bundled ESCO classification: only existing occupations can be built.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EscoOccupation(&'static Occupation);

impl EscoOccupation {
    /// Takes an ESCO code (`5131.2`) or a concept URI
    /// (`http://data.europa.eu/esco/occupation/<uuid>`).
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let c: &'static Catalogue = &CATALOGUE;
        let t = s.trim();
        let index = if let Some(id) = t.strip_prefix(OCCUPATION_PREFIX) {
            if !is_concept_id(id) {
                return Err("error-esco-format");
            }
            c.by_uri.get(t)
        } else if is_code(t) {
            c.by_code.get(t)
        } else {
            return Err("error-esco-format");
        };
        index
            .map(|&i| Self(&c.occupations[i]))
            .ok_or("error-esco-unknown")
    }

    pub fn code(&self) -> &'static str {
        self.0.code
    }

    pub fn uri(&self) -> &'static str {
        self.0.uri
    }

    pub fn occupation(&self) -> &'static Occupation {
        self.0
    }
}

impl fmt::Debug for EscoOccupation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EscoOccupation({} {})", self.0.code, self.0.label_en)
    }
}

impl fmt::Display for EscoOccupation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

/// Stored and sent as the ESCO code.
impl Serialize for EscoOccupation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.code)
    }
}

impl<'de> Deserialize<'de> for EscoOccupation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An ESCO skill, by concept URI. Only the URI's form is checked: no skills data is bundled.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EscoSkill(String);

impl EscoSkill {
    /// Takes `http://data.europa.eu/esco/skill/<uuid>`.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        match t.strip_prefix(SKILL_PREFIX) {
            Some(id) if is_concept_id(id) => Ok(Self(t.to_owned())),
            _ => Err("error-esco-skill-format"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for EscoSkill {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ(s: &str) -> EscoOccupation {
        EscoOccupation::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_bundled_files_parse_and_every_curated_code_exists() {
        let c = parse_catalogue(OCCUPATIONS_CSV, LABELS_CSV).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.occupations.len(), 3007);
        assert_eq!(all().len(), 3007);
        assert!(c.curated.len() >= 80, "{}", c.curated.len());
        for o in with_local_labels() {
            assert_eq!(EscoOccupation::parse(o.code).map(|e| e.code()), Ok(o.code));
            assert!(o.label_es.is_some() && o.label_eu.is_some(), "{}", o.code);
        }
    }

    #[test]
    fn labels_file_rejects_unknown_codes() {
        let labels = "esco_code,label_es,label_eu\n9999.9,x,y\n";
        assert!(parse_catalogue(OCCUPATIONS_CSV, labels).is_err());
    }

    #[test]
    fn quoted_labels_keep_their_commas() {
        let o = occ("2144.1.8").occupation();
        assert_eq!(
            o.label_en,
            "heating, ventilation, air conditioning engineer"
        );
        assert_eq!(o.isco_group, "2144");
    }

    #[test]
    fn parses_a_known_code() {
        let w = occ(" 5131.2 ");
        assert_eq!(w.code(), "5131.2");
        assert_eq!(w.occupation().label_en, "waiter/waitress");
        assert!(w.uri().starts_with(OCCUPATION_PREFIX));
    }

    #[test]
    fn parses_a_concept_uri() {
        let uri = "http://data.europa.eu/esco/occupation/000e93a3-d956-4e45-aacb-f12c83fedf84";
        let o = occ(uri);
        assert_eq!(o.code(), "8121.4");
        assert_eq!(o.uri(), uri);
        assert_eq!(occ(o.code()), o);
    }

    #[test]
    fn unknown_and_malformed() {
        assert_eq!(EscoOccupation::parse("9999.9"), Err("error-esco-unknown"));
        assert_eq!(
            EscoOccupation::parse(
                "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000"
            ),
            Err("error-esco-unknown")
        );
        for bad in [
            "",
            "waiter",
            "5131",
            "5131.",
            "51312",
            "5131..2",
            "513.12",
            "http://data.europa.eu/esco/occupation/not-a-uuid",
            "http://data.europa.eu/esco/skill/000e93a3-d956-4e45-aacb-f12c83fedf84",
        ] {
            assert_eq!(
                EscoOccupation::parse(bad),
                Err("error-esco-format"),
                "{bad}"
            );
        }
    }

    #[test]
    fn labels_fall_back_to_english() {
        let w = occ("5131.2").occupation();
        assert_eq!(w.label(Lang::Es), "camarero/a");
        assert_eq!(w.label(Lang::Eu), "zerbitzaria");
        assert_eq!(w.label(Lang::En), "waiter/waitress");
        let t = occ("2654.1.7").occupation();
        assert_eq!(t.label_es, None);
        assert_eq!(t.label(Lang::Eu), "technical director");
        assert_eq!(t.label(Lang::Es), "technical director");
    }

    #[test]
    fn search_ignores_accents_and_case_and_puts_translations_first() {
        let hits = search("CAMARERO", Lang::Es, 10);
        assert!(hits.iter().any(|o| o.code == "5131.2"), "{hits:?}");
        let hits = search("peón", Lang::Es, 5);
        assert!(hits.iter().any(|o| o.code == "9313.1"), "{hits:?}");
        let hits = search("peon", Lang::Es, 5);
        assert!(hits.iter().any(|o| o.code == "9313.1"), "{hits:?}");
        let hits = search("sukaldari", Lang::Eu, 5);
        assert_eq!(hits.first().map(|o| o.code), Some("5120.1"));
        // English labels match in every language; translated occupations rank first.
        let hits = search("cleaner", Lang::Eu, 50);
        let first_untranslated = hits.iter().position(|o| !o.is_curated());
        let last_translated = hits.iter().rposition(|o| o.is_curated());
        assert!(last_translated < first_untranslated, "{hits:?}");
        assert!(hits.iter().any(|o| o.code == "9129.1"));
    }

    #[test]
    fn search_by_code_prefix_and_limit() {
        let hits = search("7411", Lang::En, 20);
        assert!(hits.iter().all(|o| o.code.starts_with("7411")));
        assert!(hits.iter().any(|o| o.code == "7411.1.1.1"));
        assert_eq!(search("worker", Lang::En, 3).len(), 3);
        assert_eq!(search("", Lang::Eu, 4).len(), 4);
        assert!(search("zzzzqqq", Lang::En, 10).is_empty());
    }

    #[test]
    fn occupation_serialises_as_its_code() {
        let w = occ("5131.2");
        assert_eq!(serde_json::to_string(&w).ok(), Some("\"5131.2\"".into()));
        assert_eq!(
            serde_json::from_str::<EscoOccupation>("\"5131.2\"").ok(),
            Some(w)
        );
        assert!(serde_json::from_str::<EscoOccupation>("\"9999.9\"").is_err());
    }

    #[test]
    fn skill_uris() {
        let uri = "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab";
        assert_eq!(
            EscoSkill::parse(uri).map(|s| s.as_str().to_owned()),
            Ok(uri.into())
        );
        for bad in [
            "",
            "0005c151-5b5a-4a66-8aac-60e734beb1ab",
            "http://data.europa.eu/esco/skill/",
            "http://data.europa.eu/esco/skill/0005C151-5B5A-4A66-8AAC-60E734BEB1AB",
            "https://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab",
            "http://data.europa.eu/esco/occupation/0005c151-5b5a-4a66-8aac-60e734beb1ab",
        ] {
            assert_eq!(
                EscoSkill::parse(bad),
                Err("error-esco-skill-format"),
                "{bad}"
            );
        }
    }
}
