//! The portfolio's code lists and validation return message keys; each must exist in every
//! language.

use elkarlan_domain::Lang;
use elkarlan_domain::portfolio::message_keys;
use elkarlan_templates::i18n::has;

#[test]
fn every_portfolio_key_exists_in_all_three_languages() {
    let mut missing = Vec::new();
    for key in message_keys().iter().map(String::as_str).chain([
        "nav-projects",
        "error-project-code-taken",
        "error-project-link-twice",
    ]) {
        for lang in Lang::ALL {
            if !has(lang, key) {
                missing.push(format!("{lang}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:?}");
}
