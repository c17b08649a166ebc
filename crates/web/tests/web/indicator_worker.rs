//! The worker keeps published indicator results up to date: it computes the standard periods
//! on its ten-minute pass, leaves them alone while nothing is written (reads included), and
//! recomputes them after an audited change.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use elkarlan_domain::Timestamp;
use elkarlan_domain::indicators::catalogue;
use elkarlan_store::indicator_results;

#[tokio::test]
async fn the_worker_publishes_results_and_recomputes_them_after_a_change() {
    let app = TestApp::spawn().await;
    let now = Timestamp::now();
    let today = now.to_datetime().date_naive();
    let ran = elkarlan_web::worker::run_periodic(&app.state, "test", now)
        .await
        .expect("periodic");
    assert!(ran.contains(&"indicators.refresh"), "{ran:?}");
    let periods = indicator_results::computed_periods(&app.store, app.tenant)
        .await
        .expect("periods");
    use elkarlan_domain::indicators::results::{plan_periods, standard_periods};
    let standard = standard_periods(today, &plan_periods(catalogue::all()));
    assert_eq!(periods.len(), standard.len());
    assert!(
        standard
            .iter()
            .all(|p| periods.iter().any(|c| c.period == p.period()))
    );

    // The same slot is not run twice in the cluster.
    let ran = elkarlan_web::worker::run_periodic(&app.state, "other", now)
        .await
        .expect("periodic");
    assert!(!ran.contains(&"indicators.refresh"), "{ran:?}");

    // Reading (audited or not) changes nothing: nothing is due.
    let analyst = app.sign_in("analyst").await;
    let r = app.page(&analyst, Method::GET, "/projects", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let due = indicator_results::refresh_due(&app.store, app.tenant, catalogue::all(), today)
        .await
        .expect("refresh");
    assert_eq!(due.periods, 0);

    // A write is audited, and every period is recomputed on the next pass.
    let coordinator = app.sign_in("coordinator").await;
    let r = app
        .page(
            &coordinator,
            Method::POST,
            "/projects/new",
            &[
                ("code", "otx-ind"),
                ("name_eu", "Adierazleak"),
                ("name_es", "Indicadores"),
                ("objectives", "Medir"),
                ("status", "active"),
                ("starts_on-day", "1"),
                ("starts_on-month", "1"),
                ("starts_on-year", "2026"),
                ("ends_on-day", "31"),
                ("ends_on-month", "12"),
                ("ends_on-year", "2026"),
                ("budget", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let due = indicator_results::refresh_due(&app.store, app.tenant, catalogue::all(), today)
        .await
        .expect("refresh");
    assert_eq!(due.periods, standard.len());
    assert!(due.cells > 0);
    app.cleanup().await;
}

/// Invariant 21 of ARCHITECTURE.md: no request reads the records behind the indicators; the web
/// crate only ever reads published results.
#[test]
fn the_web_crate_never_reads_indicator_records() {
    fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                if text.contains("indicator_facts") {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    let mut found = Vec::new();
    scan(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.is_empty(), "records read from {found:?}");
}
