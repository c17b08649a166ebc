//! The three languages of every screen. Basque and Spanish are both official in Bilbao.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Eu,
    Es,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Eu, Lang::Es, Lang::En];

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Eu => "eu",
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as language switches show it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Eu => "Euskara",
            Lang::Es => "Español",
            Lang::En => "English",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eu" | "eus" | "baq" => Some(Lang::Eu),
            "es" | "spa" => Some(Lang::Es),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = Lang::parse(primary)
                && best.is_none_or(|(_, bq)| q > bq)
            {
                best = Some((l, q));
            }
        }
        best.map(|(l, _)| l)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_quality_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr-FR, es;q=0.8, eu;q=0.9"),
            Some(Lang::Eu)
        );
        assert_eq!(
            Lang::from_accept_language("es-ES,es;q=0.9,en;q=0.8"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
