//! The architecture's rules as tests (ARCHITECTURE.md, "Invariants"): they read the workspace's
//! manifests and sources, so a change that breaks a rule fails here instead of in review.
#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Every crate of the workspace: its package name and parsed manifest.
fn manifests() -> BTreeMap<String, toml::Table> {
    let mut out = BTreeMap::new();
    let crates = workspace().join("crates");
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let path = entry.expect("entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let manifest: toml::Table = text.parse().expect("a Cargo.toml that parses");
        let name = manifest["package"]["name"]
            .as_str()
            .expect("package name")
            .to_owned();
        out.insert(name, manifest);
    }
    assert!(out.len() >= 6, "the workspace's crates: {:?}", out.keys());
    out
}

fn dependencies(manifest: &toml::Table) -> Vec<String> {
    manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

/// Invariant 1: SQL lives in one crate. Only `elkarlan-store` may depend on sqlx; other crates'
/// tests may (as a dev-dependency) read a database to check what a command left in it.
#[test]
fn only_the_store_depends_on_sqlx() {
    let offenders: Vec<String> = manifests()
        .iter()
        .filter(|(name, m)| *name != "elkarlan-store" && dependencies(m).contains(&"sqlx".into()))
        .map(|(name, _)| name.clone())
        .collect();
    assert!(
        offenders.is_empty(),
        "crates depending on sqlx: {offenders:?}"
    );
}

/// The crate graph points one way: domain <- store, templates, tabular <- service <- web <- app,
/// and web does not depend on store. A crate may depend only on the Elkarlan crates listed for
/// it here.
#[test]
fn the_crate_graph_has_no_back_edges() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("elkarlan-domain", &[][..]),
        ("elkarlan-store", &["elkarlan-domain"][..]),
        ("elkarlan-templates", &["elkarlan-domain"][..]),
        ("elkarlan-tabular", &["elkarlan-domain"][..]),
        (
            "elkarlan-service",
            &[
                "elkarlan-domain",
                "elkarlan-store",
                "elkarlan-templates",
                "elkarlan-tabular",
            ][..],
        ),
        // Not the store: every read and write goes through a service that decides first.
        (
            "elkarlan-web",
            &[
                "elkarlan-domain",
                "elkarlan-service",
                "elkarlan-templates",
                "elkarlan-tabular",
            ][..],
        ),
        (
            "elkarlan",
            &[
                "elkarlan-domain",
                "elkarlan-store",
                "elkarlan-service",
                "elkarlan-web",
                "elkarlan-templates",
                "elkarlan-tabular",
            ][..],
        ),
    ]);
    for (name, manifest) in manifests() {
        let Some(ok) = allowed.get(name.as_str()) else {
            panic!("{name} is not in the crate graph of ARCHITECTURE.md; add it there and here");
        };
        for dep in dependencies(&manifest)
            .into_iter()
            .filter(|d| d.starts_with("elkarlan"))
        {
            assert!(ok.contains(&dep.as_str()), "{name} depends on {dep}");
        }
    }
}

/// No source file outside the store names sqlx (a re-export would hide a dependency).
#[test]
fn no_source_outside_the_store_names_sqlx() {
    let mut offenders = Vec::new();
    for krate in ["domain", "templates", "tabular", "service", "web", "app"] {
        for file in rust_files(&workspace().join("crates").join(krate).join("src")) {
            let text = std::fs::read_to_string(&file).expect("readable source");
            if text.contains("sqlx::") {
                offenders.push(file.display().to_string());
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Lines an adapter file (an HTML or API handler module) may have.
const ADAPTER_FILE_LIMIT: usize = 800;

/// Adapter files above the limit today, with their size as a ceiling: each may only shrink,
/// and leaves this list once it is under the limit (split by sub-feature into a folder).
const OVERSIZED_ADAPTERS: &[(&str, usize)] = &[
    ("crates/web/src/api/employment.rs", 1177),
    ("crates/web/src/html/agreements.rs", 1380),
    ("crates/web/src/html/casework.rs", 881),
    ("crates/web/src/html/dashboards.rs", 1340),
    ("crates/web/src/html/ecosystem.rs", 2010),
    ("crates/web/src/html/inclusion.rs", 2320),
    ("crates/web/src/html/procurement.rs", 2062),
];

#[test]
fn adapter_files_stay_small() {
    let root = workspace();
    let mut problems = Vec::new();
    for dir in ["crates/web/src/html", "crates/web/src/api"] {
        for file in rust_files(&root.join(dir)) {
            let rel = file
                .strip_prefix(&root)
                .expect("inside the workspace")
                .to_string_lossy()
                .replace('\\', "/");
            let lines = std::fs::read_to_string(&file)
                .expect("readable source")
                .lines()
                .count();
            match OVERSIZED_ADAPTERS.iter().find(|(p, _)| *p == rel) {
                Some((_, ceiling)) if lines > *ceiling => {
                    problems.push(format!("{rel}: {lines} lines, more than its {ceiling}"));
                }
                Some(_) if lines <= ADAPTER_FILE_LIMIT => {
                    problems.push(format!(
                        "{rel}: {lines} lines, under the limit: remove it from OVERSIZED_ADAPTERS"
                    ));
                }
                None if lines > ADAPTER_FILE_LIMIT => {
                    problems.push(format!(
                        "{rel}: {lines} lines, more than {ADAPTER_FILE_LIMIT}: split it by sub-feature"
                    ));
                }
                _ => {}
            }
        }
    }
    for (path, _) in OVERSIZED_ADAPTERS {
        assert!(
            root.join(path).exists(),
            "{path} is gone: remove it from OVERSIZED_ADAPTERS"
        );
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
