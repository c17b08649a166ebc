//! The authorization matrix by relationship: the same case read and written by the lead, a
//! colleague of the lead's agency who is not on the team, another agency, the referral
//! recipient before and after accepting, a team member whose consent-based access is withdrawn,
//! a professional who broke the glass, the analyst and the administrator. Each row says what
//! each request must answer; the test prints every mismatch at once.

use crate::common::{PERSON_SENTINEL, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::organisation::PublicSystem;
use serde_json::json;

/// What one actor gets for: GET case, GET casework, GET person, POST note, POST case status.
type Outcomes = [u16; 5];

const LEAD: Outcomes = [200, 200, 200, 201, 422];
const OUTSIDE: Outcomes = [404, 404, 404, 403, 403];
const RECIPIENT: Outcomes = [404, 404, 200, 403, 403];
const TEAM: Outcomes = [200, 200, 200, 201, 403];

async fn outcomes(
    app: &TestApp,
    token: &str,
    failures: &mut Vec<String>,
    who: &str,
    want: Outcomes,
) {
    let fx = &app.inclusion;
    let case = fx.case;
    let requests: [(Method, String, Option<serde_json::Value>); 5] = [
        (Method::GET, format!("/api/v1/cases/{case}"), None),
        (Method::GET, format!("/api/v1/cases/{case}/casework"), None),
        (Method::GET, format!("/api/v1/people/{}", fx.person), None),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/notes"),
            Some(json!({"body": format!("Note by {who}"), "confidentiality": "team"})),
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/status"),
            Some(json!({"status": "", "version": 1})),
        ),
    ];
    for ((method, path, body), expected) in requests.into_iter().zip(want) {
        let r = app.api(Some(token), method.clone(), &path, body).await;
        if r.status.as_u16() != expected {
            failures.push(format!(
                "{who}: {method} {path}: expected {expected}, got {}: {}",
                r.status, r.body
            ));
        }
        let may_see = matches!(expected, 200 | 201) || path.contains("/people/") && expected == 200;
        if !may_see && r.body.contains(PERSON_SENTINEL) {
            failures.push(format!(
                "{who}: {method} {path}: the person sentinel leaked"
            ));
        }
    }
}

/// The categories a caller sees in the case.
async fn categories(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .api(
            Some(token),
            Method::GET,
            &format!("/api/v1/cases/{}", app.inclusion.case),
            None,
        )
        .await;
    r.json()["categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["category"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn accept(app: &TestApp, token: &str, referral: &str) {
    let r = app
        .api(
            Some(token),
            Method::POST,
            &format!("/api/v1/referrals/{referral}/transitions"),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[tokio::test]
async fn each_relationship_gets_exactly_what_the_policy_allows() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let mut failures = Vec::new();
    let social = app.token("social").await;
    let colleague = app.token("sentinel").await;
    let lanbide = app.token("lanbide").await;
    let housing = app.token("housing").await;
    let school = app.token("education").await;
    let analyst = app.token("analyst").await;
    let admin = app.token("admin").await;

    outcomes(&app, &social, &mut failures, "lead", LEAD).await;
    outcomes(
        &app,
        &colleague,
        &mut failures,
        "same agency, not on the team",
        OUTSIDE,
    )
    .await;
    outcomes(&app, &housing, &mut failures, "other agency", OUTSIDE).await;
    outcomes(
        &app,
        &lanbide,
        &mut failures,
        "recipient before accepting",
        RECIPIENT,
    )
    .await;
    outcomes(&app, &analyst, &mut failures, "analyst", OUTSIDE).await;
    outcomes(&app, &admin, &mut failures, "administrator", OUTSIDE).await;

    accept(&app, &lanbide, &fx.referral.to_string()).await;
    outcomes(
        &app,
        &lanbide,
        &mut failures,
        "recipient after accepting",
        TEAM,
    )
    .await;

    // Housing joins the team. Housing data is its own; the person's consent also opens income
    // to it, until the consent is withdrawn, on the very next request.
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{}/referrals", fx.case),
            Some(json!({"to_agency": app.agency(PublicSystem::Housing), "reason": "Vivienda", "urgency": "routine"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    accept(&app, &housing, r.json()["id"].as_str().expect("id")).await;
    outcomes(
        &app,
        &housing,
        &mut failures,
        "team member by consent",
        TEAM,
    )
    .await;
    let before = categories(&app, &housing).await;
    if !before.contains(&"income".to_owned()) {
        failures.push(format!(
            "team member by consent should see income: {before:?}"
        ));
    }
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!(
                "/api/v1/people/{}/consents/{}/withdraw",
                fx.person, fx.consent
            ),
            Some(json!({"version": 1})),
        )
        .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let after = categories(&app, &housing).await;
    if after.contains(&"income".to_owned()) || !after.contains(&"housing".to_owned()) {
        failures.push(format!(
            "after withdrawal income is closed and housing's own data stays: {after:?}"
        ));
    }
    outcomes(
        &app,
        &housing,
        &mut failures,
        "team member after consent withdrawn",
        TEAM,
    )
    .await;

    // Break-glass: the school opens the case in an emergency.
    let r = app
        .api(
            Some(&school),
            Method::POST,
            &format!("/api/v1/cases/{}/break-glass", fx.case),
            Some(
                json!({"reason": "The pupil has not come to school for a week and nobody answers"}),
            ),
        )
        .await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    outcomes(&app, &school, &mut failures, "break-glass", TEAM).await;
    // The administrator and the analyst still see no case content.
    outcomes(
        &app,
        &admin,
        &mut failures,
        "administrator, at the end",
        OUTSIDE,
    )
    .await;
    outcomes(
        &app,
        &analyst,
        &mut failures,
        "analyst, at the end",
        OUTSIDE,
    )
    .await;

    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.cleanup().await;
}

/// Follows a referral from the lead to `system`'s agency and its acceptance; returns its id.
async fn refer_and_accept(
    app: &TestApp,
    lead: &str,
    recipient: &str,
    system: PublicSystem,
    reason: &str,
    categories: &[&str],
) -> String {
    let r = app
        .api(
            Some(lead),
            Method::POST,
            &format!("/api/v1/cases/{}/referrals", app.inclusion.case),
            Some(json!({"to_agency": app.agency(system), "reason": reason, "urgency": "routine", "categories": categories})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    accept(app, recipient, &id).await;
    id
}

/// What one reader receives of the fixture case: the case and casework through the API, and the
/// case page.
async fn case_as_seen(app: &TestApp, username: &str) -> String {
    let token = app.token(username).await;
    let case = app.inclusion.case;
    let mut seen = String::new();
    for path in [
        format!("/api/v1/cases/{case}"),
        format!("/api/v1/cases/{case}/casework"),
    ] {
        let r = app.api(Some(&token), Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{username} {path}: {}", r.body);
        seen.push_str(&r.body);
    }
    let browser = app.sign_in(username).await;
    let r = app
        .page(&browser, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{username} case page");
    seen.push_str(&r.body);
    seen
}

#[tokio::test]
async fn a_health_services_involvement_and_a_referrals_wording_reach_only_those_who_may_know() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let social = app.token("social").await;
    let health = app.token("health").await;
    let housing = app.token("housing").await;
    let lanbide = app.token("lanbide").await;
    const HEALTH_REASON: &str = "HEALTH-REASON-7f3a ansiedad y controles";
    const NOTES_REASON: &str = "NOTES-REASON-2c9e situación familiar";
    const HEALTH_ACTION: &str = "HEALTH-ACTION-51bd cita en el centro de salud";
    let health_agency = app.agency(PublicSystem::PrimaryCare).to_string();
    // Primary care follows the person; housing joins the team by its own referral; the
    // employment agency gets a referral sharing social services notes, which housing may not see.
    refer_and_accept(
        &app,
        &social,
        &health,
        PublicSystem::PrimaryCare,
        HEALTH_REASON,
        &[],
    )
    .await;
    refer_and_accept(
        &app,
        &social,
        &housing,
        PublicSystem::Housing,
        "Vivienda",
        &[],
    )
    .await;
    accept(&app, &lanbide, &fx.referral.to_string()).await;
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{}/referrals", fx.case),
            Some(json!({"to_agency": app.agency(PublicSystem::EmploymentIncome), "reason": NOTES_REASON,
                "urgency": "routine", "categories": ["social_services_notes"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{}/actions", fx.case),
            Some(json!({"agency": health_agency, "description": HEALTH_ACTION})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/meetings",
            Some(json!({"held_on": "2026-11-20", "minutes": "Mesa de coordinación",
                "agencies": [health_agency, app.agency(PublicSystem::Housing)], "cases": [fx.case]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let mut failures = Vec::new();
    // Housing: no health flags, so no trace of primary care (team, referral, its reason, the
    // action it owns, its presence at the meeting), and no wording of a referral sharing notes.
    let seen = case_as_seen(&app, "housing").await;
    for (what, marker) in [
        ("the health agency", health_agency.as_str()),
        ("its name", "Test primary_care"),
        ("the health referral's reason", HEALTH_REASON),
        ("the health action", HEALTH_ACTION),
        ("the wording of a referral sharing notes", NOTES_REASON),
    ] {
        if seen.contains(marker) {
            failures.push(format!("housing received {what}"));
        }
    }
    let c = app
        .api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/cases/{}", fx.case),
            None,
        )
        .await
        .json();
    let referrals = c["referrals"].as_array().cloned().unwrap_or_default();
    // The first employment referral, the housing one and the one sharing notes; not health's.
    if referrals.len() != 3 {
        failures.push(format!("housing should list 3 referrals: {referrals:?}"));
    }
    if !referrals
        .iter()
        .any(|r| r["reason"] == "Orientación laboral")
    {
        failures.push("a referral sharing what housing sees keeps its reason".into());
    }
    let w = app
        .api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/cases/{}/casework", fx.case),
            None,
        )
        .await
        .json();
    if w["meetings"][0]["agencies"].as_array().map(Vec::len) != Some(1) {
        failures.push(format!(
            "housing sees only itself at the meeting: {}",
            w["meetings"]
        ));
    }
    // Primary care sees everything it takes part in. The sending agency sees its referral and
    // its reason, but not the follow-up that grew from it (the action health owns) without the
    // person's consent to health flags.
    let seen = case_as_seen(&app, "health").await;
    for marker in [HEALTH_REASON, HEALTH_ACTION, health_agency.as_str()] {
        if !seen.contains(marker) {
            failures.push(format!("health should see {marker}"));
        }
    }
    let seen = case_as_seen(&app, "social").await;
    if !seen.contains(HEALTH_REASON) || seen.contains(HEALTH_ACTION) {
        failures.push("social sees its referral to health, not health's own actions".into());
    }
    if !case_as_seen(&app, "lanbide").await.contains(NOTES_REASON) {
        failures.push("the receiving agency reads the referral's reason".into());
    }
    // With the person's consent to share health flags with housing, housing may know.
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{}/consents", fx.person),
            Some(
                json!({"purpose": "Coordinación sociosanitaria", "recipients": ["housing"],
                "categories": ["health_flags"], "evidence": "Formulario firmado"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let seen = case_as_seen(&app, "housing").await;
    for marker in [HEALTH_REASON, HEALTH_ACTION, health_agency.as_str()] {
        if !seen.contains(marker) {
            failures.push(format!("housing with consent should see {marker}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    app.cleanup().await;
}
