//! The employment rules return message keys; each must exist in every language, and the
//! arguments they pass must be the ones the messages use.

use elkarlan_domain::employment::eligibility::{
    self, Criterion, Facts, Rules, describe, evaluate, outcome_key,
};
use elkarlan_domain::employment::esco;
use elkarlan_domain::inclusion::person::parse_birth_date;
use elkarlan_domain::{Lang, Timestamp};
use elkarlan_templates::i18n::{has, t_args};

#[test]
fn every_employment_key_exists_in_all_three_languages() {
    let mut missing = Vec::new();
    for key in esco::MESSAGE_KEYS.iter().chain(eligibility::MESSAGE_KEYS) {
        for lang in Lang::ALL {
            if !has(lang, key) {
                missing.push(format!("{lang}: {key}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing messages: {missing:?}");
}

fn format(lang: Lang, key: &str, args: &[(&'static str, String)]) -> String {
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    t_args(lang, key, &args)
}

/// A placeholder left in the output means a message uses an argument the code does not pass.
#[test]
fn reasons_and_descriptions_fill_every_placeholder() {
    // Dates without naming chrono, which this crate does not depend on.
    let today = Timestamp::from_micros(1_795_867_200_000_000)
        .to_datetime()
        .date_naive();
    let date = |s: &str| parse_birth_date(s, today).ok();
    let criteria = vec![
        Criterion::AgeBetween {
            min: Some(18),
            max: Some(29),
        },
        Criterion::AgeBetween {
            min: Some(45),
            max: None,
        },
        Criterion::AgeBetween {
            min: None,
            max: Some(29),
        },
        Criterion::LivesIn {
            neighbourhoods: vec!["3.01".into(), "3.02".into()],
        },
        Criterion::UnemployedForAtLeast { months: 12 },
        Criterion::IncomeGuaranteeRecipient,
        Criterion::Migrant,
        Criterion::Disability { min_percent: 33 },
        Criterion::Sex {
            any_of: vec!["woman".into()],
        },
        Criterion::EducationAtMost { isced: 2 },
        Criterion::EducationAtLeast { isced: 3 },
        Criterion::AnyOf {
            criteria: vec![Criterion::Migrant, Criterion::IncomeGuaranteeRecipient],
        },
    ];
    let known = Facts {
        birth_date: date("1990-05-05"),
        neighbourhood: Some("3.01".into()),
        sex: Some("woman".into()),
        nationality: Some("MA".into()),
        unemployed_since: date("2024-01-01"),
        income_guarantee: Some(true),
        disability_percent: Some(20),
        isced: Some(2),
    };
    assert_eq!(today.to_string(), "2026-11-28");
    let rules = Rules { all_of: criteria };
    let mut messages: Vec<(&'static str, Vec<(&'static str, String)>)> = describe(&rules);
    for facts in [known, Facts::default()] {
        let a = evaluate(&rules, &facts, today);
        messages.push((outcome_key(a.outcome), vec![]));
        for r in a.reasons.into_iter().flat_map(|r| {
            let alts = r.alternatives.clone();
            std::iter::once(r).chain(alts)
        }) {
            messages.push((r.key, r.args));
        }
    }
    for lang in Lang::ALL {
        for (key, args) in &messages {
            let text = format(lang, key, args);
            assert!(!text.contains('{') && text != *key, "{lang} {key}: {text}");
        }
    }
    assert_eq!(
        format(
            Lang::En,
            "eligibility-age-within",
            &[
                ("age", "27".into()),
                ("min", "18".into()),
                ("max", "29".into())
            ]
        ),
        "Age 27, within 18–29"
    );
}
