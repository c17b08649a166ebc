//! The employment pages as a browser drives them: a coordinator's programme and course, an
//! employment professional's enrolment and placement, a trainer's attendance; translated,
//! linked errors on refused forms; and pages closed to the roles that may not see them.

use crate::common::{Browser, Reply, TestApp};
use axum::http::{Method, StatusCode};
use chrono::{Days, Months};
use elkarlan_domain::organisation::PublicSystem;
use serde_json::json;

async fn signed_in(app: &TestApp, user: &str, lang: &'static str) -> Browser {
    let mut b = app.sign_in(user).await;
    b.lang = Some(lang);
    b
}

fn location(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.header("location").to_owned()
}

fn date(prefix: &str, d: chrono::NaiveDate) -> Vec<(String, String)> {
    use chrono::Datelike;
    vec![
        (format!("{prefix}-day"), d.day().to_string()),
        (format!("{prefix}-month"), d.month().to_string()),
        (format!("{prefix}-year"), d.year().to_string()),
    ]
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Creates a programme through the form and returns its id.
async fn programme(app: &TestApp, coordinator: &Browser, name: &str) -> String {
    let promoter = app.agency(PublicSystem::Council).to_string();
    let partner = app.agency(PublicSystem::TrainingEntity).to_string();
    let mut form = vec![
        ("name_eu".to_owned(), format!("{name} EU")),
        ("name_es".to_owned(), name.to_owned()),
        ("year".to_owned(), "2026".to_owned()),
        ("status".to_owned(), "open".to_owned()),
        ("promoter".to_owned(), promoter),
        ("partners".to_owned(), partner),
        ("target_groups".to_owned(), "under_30".to_owned()),
        ("target_groups".to_owned(), "women".to_owned()),
        (
            "funding".to_owned(),
            "Bilbao Ekintza; 40.000\nLanbide; 60.000,50".to_owned(),
        ),
        ("places".to_owned(), "40".to_owned()),
    ];
    form.extend(date("starts_on", today() - Days::new(60)));
    form.extend(date("ends_on", today() + Days::new(300)));
    let r = app
        .page(coordinator, Method::POST, "/programmes/new", &refs(&form))
        .await;
    let to = location(&r);
    assert!(to.ends_with("?notice=programme-saved"), "{to}");
    to.trim_start_matches("/programmes/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Creates a course run by the training entity, with sessions every day from two weeks ago.
async fn course(app: &TestApp, coordinator: &Browser, programme: &str) -> String {
    let provider = app.agency(PublicSystem::TrainingEntity).to_string();
    let mut form = vec![
        ("provider".to_owned(), provider),
        ("title_eu".to_owned(), "Biltegiko langilea".to_owned()),
        ("title_es".to_owned(), "Mozo de almacén".to_owned()),
        ("status".to_owned(), "in_progress".to_owned()),
        ("hours".to_owned(), "120".to_owned()),
        ("places".to_owned(), "12".to_owned()),
        ("location".to_owned(), "Otxarkoaga".to_owned()),
        ("occupation".to_owned(), "9333.1".to_owned()),
        ("language".to_owned(), "eu_es".to_owned()),
        // Afternoons: the fixture person's fixture course takes the mornings.
        ("time_from".to_owned(), "15:00".to_owned()),
        ("time_to".to_owned(), "19:00".to_owned()),
    ];
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        form.push(("weekdays".to_owned(), d.to_owned()));
    }
    form.extend(date("starts_on", today() - Days::new(14)));
    form.extend(date("ends_on", today() + Days::new(14)));
    let r = app
        .page(
            coordinator,
            Method::POST,
            &format!("/programmes/{programme}/actions/new"),
            &refs(&form),
        )
        .await;
    let to = location(&r);
    to.trim_start_matches("/training-actions/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The employment agency accepts the fixture's referral and joins the person's team.
async fn lanbide_on_team(app: &TestApp) -> Browser {
    let token = app.token("lanbide").await;
    let r = app
        .api(
            Some(&token),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", app.inclusion.referral),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    signed_in(app, "lanbide", "en").await
}

#[tokio::test]
async fn a_coordinator_creates_a_programme_and_sees_it_listed() {
    let app = TestApp::spawn().await;
    let coordinator = signed_in(&app, "coordinator", "en").await;
    let form = app
        .page(&coordinator, Method::GET, "/programmes/new", &[])
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("for=\"name_eu\""));
    let id = programme(&app, &coordinator, "Plan de empleo de Otxarkoaga").await;
    let list = app
        .page(&coordinator, Method::GET, "/programmes", &[])
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("href=\"/programmes/{id}\"")));
    assert!(list.body.contains("Plan de empleo de Otxarkoaga"));
    assert!(list.body.contains("100.000,50 €"), "{}", list.body);
    let mut eu = coordinator.clone();
    eu.lang = Some("eu");
    let list = app.page(&eu, Method::GET, "/programmes", &[]).await;
    assert!(list.body.contains("Plan de empleo de Otxarkoaga EU"));
    let page = app
        .page(&coordinator, Method::GET, &format!("/programmes/{id}"), &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Under 30"));
    assert!(page.body.contains("Usual path"));
    assert!(page.body.contains("Open to everyone") || page.body.contains("open to"));
    // Everyone signed in may read the programmes; only the coordinator may create one.
    let trainer = signed_in(&app, "trainer", "en").await;
    let r = app.page(&trainer, Method::GET, "/programmes", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("/programmes/new"));
    let r = app
        .page(&trainer, Method::GET, "/programmes/new", &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test]
async fn a_bad_programme_form_shows_each_error_in_spanish() {
    let app = TestApp::spawn().await;
    let coordinator = signed_in(&app, "coordinator", "es").await;
    let r = app
        .page(
            &coordinator,
            Method::POST,
            "/programmes/new",
            &[
                ("name_eu", ""),
                ("name_es", "Plan"),
                ("year", "1850"),
                ("funding", "Lanbide sin importe"),
                ("places", "0"),
                ("ends_on-day", "40"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("<html lang=\"es\""));
    assert!(r.body.contains("href=\"#year\""));
    assert!(r.body.contains("Escribe un año entre 2000 y 2100"));
    assert!(r.body.contains("href=\"#funding\""));
    assert!(r.body.contains("Escribe cada línea de financiación así"));
    assert!(r.body.contains("id=\"places-error\""));
    assert!(r.body.contains("href=\"#starts_on-day\""), "{}", r.body);
    assert!(r.body.contains("href=\"#promoter\""));
    // What was typed stays in the form.
    assert!(r.body.contains("value=\"Plan\""));
    let list = app
        .page(&coordinator, Method::GET, "/programmes", &[])
        .await;
    // Only the fixture programme: the refused one was not saved.
    assert!(list.body.contains("Plan de empleo de Otxarkoaga"));
    assert!(!list.body.contains(">Plan</a>"), "{}", list.body);
    app.cleanup().await;
}

#[tokio::test]
async fn a_trainer_records_attendance_and_a_session_beyond_the_calendar_is_refused() {
    let app = TestApp::spawn().await;
    let coordinator = signed_in(&app, "coordinator", "en").await;
    let p = programme(&app, &coordinator, "Plan").await;
    let action = course(&app, &coordinator, &p).await;
    let lanbide = lanbide_on_team(&app).await;
    let person = app.inclusion.person;
    let form = app
        .page(
            &lanbide,
            Method::GET,
            &format!("/people/{person}/enrolments/new"),
            &[],
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Plan: Mozo de almacén"), "{}", form.body);
    let r = app
        .page(
            &lanbide,
            Method::POST,
            &format!("/people/{person}/enrolments/new"),
            &[("action", &action), ("itinerary", "")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/people/{person}/employment?notice=enrolled#enrolments-heading")
    );

    let trainer = signed_in(&app, "trainer", "en").await;
    let detail = app
        .page(
            &trainer,
            Method::GET,
            &format!("/training-actions/{action}"),
            &[],
        )
        .await;
    assert!(
        detail
            .body
            .contains(&format!("href=\"/training-actions/{action}/roster\""))
    );
    let roster = app
        .page(
            &trainer,
            Method::GET,
            &format!("/training-actions/{action}/roster"),
            &[],
        )
        .await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    assert!(roster.body.contains("Amaia"));
    let enrolment = roster
        .body
        .split("/enrolments/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let mark = format!("mark-{enrolment}");
    let path = format!("/training-actions/{action}/attendance");
    let r = app
        .page(
            &trainer,
            Method::POST,
            &path,
            &[("session", "999"), (&mark, "present")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#session\""));
    assert!(
        r.body
            .contains("There is no session with that number in this training action")
    );
    let r = app
        .page(
            &trainer,
            Method::POST,
            &path,
            &[("session", "1"), (&mark, "present")],
        )
        .await;
    assert_eq!(
        location(&r),
        format!("/training-actions/{action}/roster?notice=attendance-saved")
    );
    let r = app
        .page(
            &trainer,
            Method::POST,
            &path,
            &[("session", "2"), (&mark, "absent")],
        )
        .await;
    location(&r);
    let roster = app
        .page(
            &trainer,
            Method::GET,
            &format!("/training-actions/{action}/roster"),
            &[],
        )
        .await;
    assert!(
        roster.body.contains("1 present, 1 absent, 0 excused"),
        "{}",
        roster.body
    );
    // The employment file shows the same counts.
    let file = app
        .page(
            &lanbide,
            Method::GET,
            &format!("/people/{person}/employment"),
            &[],
        )
        .await;
    assert!(file.body.contains("1 present, 1 absent, 0 excused"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_placement_ending_before_it_starts_is_refused_then_three_follow_ups_are_due() {
    let app = TestApp::spawn().await;
    let lanbide = lanbide_on_team(&app).await;
    let person = app.inclusion.person;
    let path = format!("/people/{person}/placements/new");
    let form = app.page(&lanbide, Method::GET, &path, &[]).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("for=\"occupation\""));
    let start = today() - Months::new(1);
    let mut bad = vec![
        ("employer".to_owned(), "Garbiker".to_owned()),
        (
            "contract_type".to_owned(),
            "insertion_transition".to_owned(),
        ),
        ("weekly_hours".to_owned(), "30".to_owned()),
        ("occupation".to_owned(), "9112.1".to_owned()),
        ("sector".to_owned(), "n".to_owned()),
    ];
    bad.extend(date("starts_on", start));
    let mut good = bad.clone();
    bad.extend(date("ends_on", start - Days::new(10)));
    let r = app.page(&lanbide, Method::POST, &path, &refs(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#ends_on-day\""));
    assert!(
        r.body
            .contains("The end of the contract must be on or after its start")
    );
    good.extend(date("ends_on", start + Months::new(12)));
    let r = app.page(&lanbide, Method::POST, &path, &refs(&good)).await;
    assert_eq!(
        location(&r),
        format!("/people/{person}/employment?notice=placement-recorded#placements-heading")
    );
    let file = app
        .page(
            &lanbide,
            Method::GET,
            &format!("/people/{person}/employment"),
            &[],
        )
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("Garbiker"));
    assert!(file.body.contains("Insertion company transition contract"));
    assert!(file.body.contains("Not linked yet"));
    // The open fixture programme (no rules) is suggested, with its explanation.
    assert!(
        file.body.contains("class=\"app-suggestion\""),
        "{}",
        file.body
    );
    assert!(file.body.contains("Plan de empleo de Otxarkoaga"));
    for months in [3u32, 6, 12] {
        let due = (start + Months::new(months)).to_string();
        assert!(file.body.contains(&due), "due {due}: {}", file.body);
        assert!(file.body.contains(&format!("Follow-up at {months} months")));
    }
    app.cleanup().await;
}

#[tokio::test]
async fn the_roster_and_the_employment_file_are_closed_to_other_roles() {
    let app = TestApp::spawn().await;
    let coordinator = signed_in(&app, "coordinator", "en").await;
    let p = programme(&app, &coordinator, "Plan").await;
    let action = course(&app, &coordinator, &p).await;
    let housing = signed_in(&app, "housing", "en").await;
    let r = app
        .page(
            &housing,
            Method::GET,
            &format!("/training-actions/{action}/roster"),
            &[],
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    let trainer = signed_in(&app, "trainer", "en").await;
    let r = app
        .page(
            &trainer,
            Method::GET,
            &format!("/people/{}/employment", app.inclusion.person),
            &[],
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    assert!(!r.body.contains("Zentinelazubiri"));
    app.cleanup().await;
}
