//! The OCDS import reports problems by message key; each must exist in every language.

use elkarlan_domain::Lang;
use elkarlan_domain::ecosystem::ocds;
use elkarlan_templates::i18n::has;

#[test]
fn every_ocds_problem_key_exists_in_all_three_languages() {
    let mut missing = Vec::new();
    for key in ocds::MESSAGE_KEYS {
        for lang in Lang::ALL {
            if !has(lang, key) {
                missing.push(format!("{lang}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:?}");
}
