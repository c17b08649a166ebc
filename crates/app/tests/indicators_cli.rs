#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `elkarlan demo --people N` with its employment records, and the `elkarlan indicators`
//! operator commands (refresh, show, export-facts), on a small synthetic database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO_PASSWORD: &str = "Demo-password-2026!";

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("elkarlan-ind-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.join("t.db")
    }

    fn run(&self, args: &[&str]) -> String {
        let mut c = Command::new(env!("CARGO_BIN_EXE_elkarlan"));
        c.current_dir(&self.dir);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("ELKARLAN_") {
                c.env_remove(k);
            }
        }
        c.env("ELKARLAN_LOG", "warn")
            .arg("--database-url")
            .arg(format!("sqlite://{}", self.db().display()))
            .args(args);
        let out: Output = c.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn count(file: &Path, sql: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(file);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        n
    })
}

/// The number after `label` in a line like "employment records: 91 itineraries, ...".
fn number_before(text: &str, label: &str) -> i64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {text}"));
    text[..at]
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn population_employment_records_export_and_dashboard() {
    let sb = Sandbox::new("population");
    let db = sb.db();
    let out = sb.run(&["demo", "--password", DEMO_PASSWORD, "--people", "600"]);
    assert!(out.contains("population loaded"), "{out}");
    let demo_itineraries = 7; // the demo city's own, at most: the population adds the rest
    let added = number_before(&out, "itineraries");
    // About 30% of the 600 generated people.
    assert!((130..=230).contains(&added), "{out}");
    let itineraries = count(&db, "SELECT COUNT(*) FROM itineraries");
    assert!(itineraries >= added && itineraries <= added + demo_itineraries + 20);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM follow_ups f JOIN placements p ON p.id = f.placement_id WHERE p.employer = 'Enpresa sintetikoa'"
        ),
        2 * number_before(&out, "placements")
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM enrolments"),
        count(
            &db,
            "SELECT COUNT(*) FROM enrolments WHERE status IN ('enrolled', 'completed', 'dropped_out')"
        )
    );
    for status in ["completed", "dropped_out"] {
        let sql = format!("SELECT COUNT(*) FROM enrolments WHERE status = '{status}'");
        assert!(count(&db, &sql) > 0, "no {status} enrolment");
    }

    // Running again adds nothing: not people, not employment records.
    let again = sb.run(&["demo", "--password", DEMO_PASSWORD, "--people", "600"]);
    assert!(again.contains("nothing added"), "{again}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM itineraries"), itineraries);

    // The facts: one CSV per source with the fields the indicators read.
    let facts = sb.dir.join("facts");
    let out = sb.run(&[
        "indicators",
        "export-facts",
        "--period",
        "2026",
        "--out",
        facts.to_str().unwrap(),
    ]);
    assert!(out.contains("itineraries: "), "{out}");
    // Only the sources the catalogue reads: no indicator counts people as such.
    assert!(!facts.join("people.csv").exists());
    let cases = std::fs::read_to_string(facts.join("cases.csv")).unwrap();
    let mut lines = cases.lines();
    assert_eq!(
        lines.next(),
        Some(
            "status,closure_reason,opened_on,closed_on,has_joint_plan,agencies,person_id,sex,age_band,origin,district,neighbourhood"
        )
    );
    assert_eq!(
        lines.count() as i64,
        count(&db, "SELECT COUNT(*) FROM cases")
    );
    let its = std::fs::read_to_string(facts.join("itineraries.csv")).unwrap();
    assert_eq!(
        its.lines().next(),
        Some(
            "status,opened_on,closed_on,long_term_unemployed,income_guarantee,person_id,sex,age_band,origin,district,neighbourhood"
        )
    );
    assert_eq!(its.lines().count() as i64 - 1, itineraries);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(facts.join("schema.json")).unwrap()).unwrap();
    assert_eq!(schema["period"]["start"], "2026-01-01");
    assert_eq!(
        schema["sources"]["enrolments"][1],
        serde_json::json!(["enrolled_on", "date"])
    );

    // Refresh, then the neighbourhood dashboard from the stored cells.
    let out = sb.run(&["indicators", "refresh", "--period", "2026"]);
    assert!(out.contains("refreshed 37 indicators"), "{out}");
    let stored = count(
        &db,
        "SELECT COUNT(*) FROM indicator_cells WHERE period_start = '2026-01-01' AND period_end = '2026-12-31'",
    );
    assert!(out.contains(&format!(": {stored} cells in ")), "{out}");
    let nb = {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&db))
                .await
                .unwrap();
            let (s,): (String,) = sqlx::query_as("SELECT scope FROM indicator_cells WHERE scope LIKE 'neighbourhood:%' ORDER BY scope LIMIT 1")
                .fetch_one(&pool)
                .await
                .unwrap();
            s.trim_start_matches("neighbourhood:").to_owned()
        })
    };
    let json = sb.run(&[
        "indicators",
        "show",
        "--neighbourhood",
        &nb,
        "--period",
        "2026",
        "--json",
    ]);
    let cells: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sql = format!(
        "SELECT COUNT(*) FROM indicator_cells WHERE period_start = '2026-01-01' AND period_end = '2026-12-31' AND scope = 'neighbourhood:{nb}' AND disaggregation IN ('', 'sex', 'age_band', 'origin')"
    );
    assert_eq!(cells.len() as i64, count(&db, &sql));
    assert!(
        cells
            .iter()
            .any(|c| c["indicator"] == "IT-01" && c["group"] == "")
    );
    let timed = sb.run(&[
        "indicators",
        "show",
        "--neighbourhood",
        &nb,
        "--period",
        "2026",
        "--repeat",
        "3",
    ]);
    assert!(timed.lines().any(|l| l.starts_with("READ 3 ")), "{timed}");
}
