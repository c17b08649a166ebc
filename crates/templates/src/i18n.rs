//! Message lookup. The Fluent files are compiled into the binary.

use elkarlan_domain::Lang;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: they end up in HTML attributes and e-mails.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EU: LanguageIdentifier = langid!("eu");
static ES: LanguageIdentifier = langid!("es");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Lang) -> &'static LanguageIdentifier {
    match lang {
        Lang::Eu => &EU,
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

/// The message `key` in `lang`. A missing key shows the key itself (and is caught by tests).
pub fn t(lang: Lang, key: &str) -> String {
    LOCALES
        .try_lookup(id(lang), key)
        .unwrap_or_else(|| key.to_owned())
}

/// The message `key` with named arguments.
pub fn t_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| {
            (
                Cow::Owned((*k).to_owned()),
                FluentValue::from((*v).to_owned()),
            )
        })
        .collect();
    LOCALES
        .try_lookup_with_args(id(lang), key, &map)
        .unwrap_or_else(|| key.to_owned())
}

/// Whether `key` exists in `lang` (without falling back).
pub fn has(lang: Lang, key: &str) -> bool {
    files(lang).iter().any(|f| keys(f).any(|k| k == key))
}

/// The Fluent files of one language: the platform's and each capability's own.
pub fn files(lang: Lang) -> [&'static str; 9] {
    match lang {
        Lang::Eu => [
            include_str!("../locales/eu/main.ftl"),
            include_str!("../locales/eu/employment.ftl"),
            include_str!("../locales/eu/employment-pages.ftl"),
            include_str!("../locales/eu/ecosystem.ftl"),
            include_str!("../locales/eu/agreements.ftl"),
            include_str!("../locales/eu/procurement.ftl"),
            include_str!("../locales/eu/indicators.ftl"),
            include_str!("../locales/eu/portfolio.ftl"),
            include_str!("../locales/eu/dashboards.ftl"),
        ],
        Lang::Es => [
            include_str!("../locales/es/main.ftl"),
            include_str!("../locales/es/employment.ftl"),
            include_str!("../locales/es/employment-pages.ftl"),
            include_str!("../locales/es/ecosystem.ftl"),
            include_str!("../locales/es/agreements.ftl"),
            include_str!("../locales/es/procurement.ftl"),
            include_str!("../locales/es/indicators.ftl"),
            include_str!("../locales/es/portfolio.ftl"),
            include_str!("../locales/es/dashboards.ftl"),
        ],
        Lang::En => [
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/en/employment.ftl"),
            include_str!("../locales/en/employment-pages.ftl"),
            include_str!("../locales/en/ecosystem.ftl"),
            include_str!("../locales/en/agreements.ftl"),
            include_str!("../locales/en/procurement.ftl"),
            include_str!("../locales/en/indicators.ftl"),
            include_str!("../locales/en/portfolio.ftl"),
            include_str!("../locales/en/dashboards.ftl"),
        ],
    }
}

/// The message ids defined in a Fluent file.
pub fn keys(file: &str) -> impl Iterator<Item = &str> {
    file.lines().filter_map(|l| {
        let (k, _) = l.split_once(" =")?;
        (!k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        .then_some(k)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_key_exists_in_all_three_languages() {
        let sets: Vec<BTreeSet<&str>> = Lang::ALL
            .iter()
            .map(|l| files(*l).iter().flat_map(|f| keys(f)).collect())
            .collect();
        for (i, l) in Lang::ALL.iter().enumerate() {
            for (j, other) in Lang::ALL.iter().enumerate() {
                let missing: Vec<_> = sets[j].difference(&sets[i]).collect();
                assert!(
                    missing.is_empty(),
                    "{l} lacks keys that {other} has: {missing:?}"
                );
            }
        }
        assert!(sets[0].len() > 150);
    }

    #[test]
    fn arguments_are_substituted_without_isolation_marks() {
        assert_eq!(
            t_args(Lang::En, "home-title", &[("name", "Ane")]),
            "Hello, Ane"
        );
        assert_eq!(
            t_args(Lang::Eu, "home-title", &[("name", "Ane")]),
            "Kaixo, Ane"
        );
    }

    #[test]
    fn the_three_languages_differ() {
        assert_eq!(t(Lang::En, "login-submit"), "Sign in");
        assert_eq!(t(Lang::Es, "login-submit"), "Iniciar sesión");
        assert_eq!(t(Lang::Eu, "login-submit"), "Sartu");
    }
}
