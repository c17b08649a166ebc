//! Every message the procurement pages and inputs use exists in Basque, Spanish and English.

use elkarlan_domain::Lang;
use elkarlan_domain::ecosystem::codes::{
    ClausePurpose, ClauseStage, ContractStatus, ProcurementCategory, ProcurementProcedure,
    Reservation, Verdict,
};
use elkarlan_domain::ecosystem::procurement::MESSAGE_KEYS;
use elkarlan_templates::i18n::has;

#[test]
fn every_procurement_key_exists_in_all_three_languages() {
    let pages = [
        include_str!("../../web/src/html/procurement/mod.rs"),
        include_str!("../../web/src/html/procurement/clauses.rs"),
        include_str!("../../web/src/html/procurement/contracts.rs"),
        include_str!("../../web/src/html/procurement/exchange.rs"),
        include_str!("../../web/src/html/procurement/figures.rs"),
        include_str!("../../web/src/html/procurement/lots.rs"),
    ]
    .concat();
    let mut keys: Vec<String> = pages
        .match_indices("\"proc-")
        .map(|(i, _)| {
            pages[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect()
        })
        .filter(|k: &String| !k.ends_with('-'))
        .collect();
    keys.extend(MESSAGE_KEYS.iter().map(|k| (*k).to_owned()));
    keys.extend(ProcurementProcedure::ALL.iter().map(|x| x.label_key()));
    keys.extend(ProcurementCategory::ALL.iter().map(|x| x.label_key()));
    keys.extend(ContractStatus::ALL.iter().map(|x| x.label_key()));
    keys.extend(Reservation::ALL.iter().map(|x| x.label_key()));
    keys.extend(ClauseStage::ALL.iter().map(|x| x.label_key()));
    keys.extend(ClausePurpose::ALL.iter().map(|x| x.label_key()));
    keys.extend(Verdict::ALL.iter().map(|x| x.label_key()));
    keys.push("proc-warning".into());
    for n in [
        "contract-saved",
        "lot-saved",
        "clause-saved",
        "award-saved",
        "check-saved",
        "commitment-saved",
        "target-saved",
    ] {
        keys.push(format!("proc-notice-{n}"));
    }
    assert!(keys.len() > 150, "the scan found only {} keys", keys.len());
    let mut missing = Vec::new();
    for k in &keys {
        for lang in Lang::ALL {
            if !has(lang, k) {
                missing.push(format!("{lang}: {k}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:?}");
}
