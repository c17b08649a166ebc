//! Search keys: names folded so that accents, case and the common Basque/Spanish spelling
//! variants compare equal (Etxeberria / Echeverría, Iñaki / Inaki).

use unicode_normalization::UnicodeNormalization;

/// Lowercase, strip diacritics (NFKD then drop combining marks), keep letters and digits,
/// collapse spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// `fold` plus phonetic folds of Basque and Spanish spelling: ch→tx, j→x (old spellings of
/// Basque names), v→b, y→i, c before e/i → z, qu→k, c→k, ll→l, h dropped, double letters single.
pub fn search_key(s: &str) -> String {
    let f = fold(s);
    let chars: Vec<char> = f.chars().collect();
    let mut out = String::with_capacity(f.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let mapped: Option<char> = match (c, next) {
            ('c', Some('h')) => {
                i += 1;
                out.push('t');
                Some('x')
            }
            ('q', Some('u')) => {
                i += 1;
                Some('k')
            }
            ('c', Some('e' | 'i')) => Some('z'),
            ('c', _) => Some('k'),
            ('j', _) => Some('x'),
            ('v', _) => Some('b'),
            ('y', _) => Some('i'),
            ('h', _) => None,
            (other, _) => Some(other),
        };
        if let Some(m) = mapped
            && (!out.ends_with(m) || m == ' ')
        {
            out.push(m);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(fold("  Iñaki  GARCÍA-Ruiz "), "inaki garcia ruiz");
    }

    #[test]
    fn basque_and_spanish_spellings_meet() {
        assert_eq!(search_key("Etxeberria"), search_key("Echeverría"));
        assert_eq!(search_key("Iñaki"), search_key("Inaki"));
        assert_eq!(search_key("Jon Ibarra"), search_key("Xon Ybarra"));
        assert_ne!(search_key("Ane"), search_key("Ana"));
    }
}
