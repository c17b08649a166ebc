//! The agreements' code lists and validation return message keys; each must exist in every
//! language.

use elkarlan_domain::Lang;
use elkarlan_domain::ecosystem::agreement::MESSAGE_KEYS;
use elkarlan_domain::ecosystem::codes::{
    AgreementKind, AgreementStatus, AgreementTarget, CommitmentKind, CommitmentStatus, PartyRole,
};
use elkarlan_domain::ecosystem::commitment::Standing;
use elkarlan_templates::i18n::{has, t_args};

#[test]
fn every_agreements_key_exists_in_all_three_languages() {
    let mut keys: Vec<String> = MESSAGE_KEYS.iter().map(|k| (*k).to_owned()).collect();
    keys.extend(AgreementKind::ALL.iter().map(|x| x.label_key()));
    keys.extend(AgreementStatus::ALL.iter().map(|x| x.label_key()));
    keys.extend(AgreementTarget::ALL.iter().map(|x| x.label_key()));
    keys.extend(PartyRole::ALL.iter().map(|x| x.label_key()));
    keys.extend(CommitmentKind::ALL.iter().map(|x| x.label_key()));
    keys.extend(CommitmentStatus::ALL.iter().map(|x| x.label_key()));
    keys.extend(
        [Standing::OnTrack, Standing::AtRisk, Standing::Late]
            .iter()
            .map(|s| s.label_key().to_owned()),
    );
    keys.extend(
        AgreementStatus::ALL
            .iter()
            .map(|s| format!("agreement-move-{}", s.code())),
    );
    let mut missing = Vec::new();
    for key in &keys {
        for lang in Lang::ALL {
            if !has(lang, key) {
                missing.push(format!("{lang}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:?}");
}

#[test]
fn progress_text_fills_its_placeholders() {
    for lang in Lang::ALL {
        let text = t_args(
            lang,
            "commitment-progress-text",
            &[
                ("achieved", "3"),
                ("target", "5"),
                ("unit", "x"),
                ("percent", "60"),
            ],
        );
        assert!(
            text.contains('3') && text.contains("60") && !text.contains('{'),
            "{lang}: {text}"
        );
    }
}
