//! Every message key the code can produce exists in Basque, Spanish and English.

use elkarlan_domain::Lang;
use elkarlan_templates::i18n::has;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("readable source dir")
        .flatten()
    {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_error_and_problem_key_in_the_code_is_translated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["domain", "store", "web", "app"] {
        rust_files(&root.join(krate).join("src"), &mut files);
    }
    let mut keys = std::collections::BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable file");
        for prefix in ["\"error-", "\"problem-"] {
            for (i, _) in text.match_indices(prefix) {
                let key: String = text[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                    .collect();
                // Skip prefixes used to build keys (`"error-"` followed by `{`), and the i18n test's own needles.
                if key.ends_with('-') || !text[i + 1 + key.len()..].starts_with('"') {
                    continue;
                }
                keys.insert(key);
            }
        }
    }
    assert!(
        keys.len() > 80,
        "the scan found only {} keys: it is broken",
        keys.len()
    );
    let mut missing = Vec::new();
    for k in &keys {
        for lang in Lang::ALL {
            if !has(lang, k) {
                missing.push(format!("{k} ({lang})"));
            }
        }
    }
    assert!(missing.is_empty(), "untranslated keys: {missing:?}");
}

#[test]
fn every_label_of_every_code_list_is_translated() {
    use elkarlan_domain::account::Role;
    use elkarlan_domain::inclusion::case::CaseStatus;
    use elkarlan_domain::inclusion::consent::DataCategory;
    use elkarlan_domain::inclusion::person::Sex;
    use elkarlan_domain::inclusion::referral::ReferralStatus;
    use elkarlan_domain::organisation::PublicSystem;
    let mut labels: Vec<String> = Role::ALL.iter().map(|r| r.label_key()).collect();
    labels.extend(PublicSystem::ALL.iter().map(|s| s.label_key()));
    labels.extend(DataCategory::ALL.iter().map(|c| c.label_key()));
    labels.extend(Sex::ALL.iter().map(|s| s.label_key()));
    labels.extend(CaseStatus::ALL.iter().map(|s| s.label_key()));
    labels.extend(ReferralStatus::ALL.iter().map(|s| s.label_key()));
    labels.extend(elkarlan_domain::ecosystem::codes::label_keys());
    for l in &labels {
        for lang in Lang::ALL {
            assert!(has(lang, l), "{l} missing in {lang}");
        }
    }
}
