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

/// Lines an adapter file (an HTML or API handler module) may have: a feature that grows past it
/// becomes a folder with one file per sub-feature (`crates/web/src/html/employment/`).
const ADAPTER_FILE_LIMIT: usize = 800;

/// A path relative to the workspace, with forward slashes.
fn relative(file: &Path) -> String {
    file.strip_prefix(workspace())
        .expect("inside the workspace")
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn adapter_files_stay_small() {
    let root = workspace();
    let mut problems = Vec::new();
    for dir in ["crates/web/src/html", "crates/web/src/api"] {
        for file in rust_files(&root.join(dir)) {
            let lines = std::fs::read_to_string(&file)
                .expect("readable source")
                .lines()
                .count();
            if lines > ADAPTER_FILE_LIMIT {
                problems.push(format!(
                    "{}: {lines} lines, more than {ADAPTER_FILE_LIMIT}: split it by sub-feature",
                    relative(&file)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The source without its comments, as identifiers: what the code names, not what it says.
fn identifiers(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every form a page takes is checked for its CSRF token as it is read: handlers take
/// `CsrfForm` or `CsrfUpload` (`html/form.rs`), never axum's `Form`, `RawForm` or `Multipart`,
/// nor the raw body (`Bytes`, `Json`, the whole `Request`), which only the form kit may read.
#[test]
fn pages_read_forms_only_through_the_csrf_check() {
    let root = workspace();
    let kit = root.join("crates/web/src/html/form.rs");
    let mut offenders = Vec::new();
    for file in rust_files(&root.join("crates/web/src/html")) {
        if file == kit {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        for raw in [
            "Form",
            "RawForm",
            "Multipart",
            "MultipartRejection",
            "Bytes",
            "Json",
            "Request",
        ] {
            if identifiers(&text).iter().any(|w| w == raw) {
                offenders.push(format!("{} uses {raw}", relative(&file)));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Every route goes through the route book (`RouteBook::add` in `routes.rs`), which lists them
/// for the authorization matrix and the other route-walking tests: no router is built, and
/// no route added, anywhere else.
#[test]
fn routes_are_registered_only_in_the_route_book() {
    let root = workspace();
    let book = root.join("crates/web/src/routes.rs");
    let mut offenders = Vec::new();
    for file in rust_files(&root.join("crates/web/src")) {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let allowed = if file == book { 1 } else { 0 };
        for call in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            ".merge(",
        ] {
            let found = code.matches(call).count();
            let allowed = if call == ".route(" { allowed } else { 0 };
            if found > allowed {
                offenders.push(format!("{} calls {call}", relative(&file)));
            }
        }
        if file != book && code.contains("Router::new(") {
            offenders.push(format!("{} builds a Router", relative(&file)));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// Invariant 3 and 4: the adapters never ask the policy themselves. A refusal decided in a
/// handler would skip the services' audited refusal path, so `decide` (and the other policy
/// questions) are named only in the domain and the service crate; a page asks
/// `services::permits` to show a link and a service to act.
#[test]
fn adapters_never_ask_the_policy_themselves() {
    let root = workspace();
    let mut offenders = Vec::new();
    for file in rust_files(&root.join("crates/web/src")) {
        let text = std::fs::read_to_string(&file).expect("readable source");
        for question in [
            "decide",
            "decide_category",
            "decide_written",
            "decide_involvement",
        ] {
            if identifiers(&text).iter().any(|w| w == question) {
                offenders.push(format!("{} calls policy::{question}", relative(&file)));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
