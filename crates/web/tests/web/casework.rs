//! Casework through the API: who may contribute, who reads which notes, what health shares,
//! and meetings whose agreed actions land in the plan.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use elkarlan_domain::organisation::PublicSystem;
use serde_json::json;

/// Sends a referral from the fixture case to `system`'s agency and has `who` accept it.
async fn join_team(app: &TestApp, social: &str, system: PublicSystem, who: &str) -> String {
    let to = app.agency(system);
    let r = app
        .api(
            Some(social),
            Method::POST,
            &format!("/api/v1/cases/{}/referrals", app.inclusion.case),
            Some(json!({"to_agency": to, "reason": "Coordinación", "urgency": "routine"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rid = r.json()["id"].as_str().expect("id").to_owned();
    let t = app.token(who).await;
    let r = app
        .api(
            Some(&t),
            Method::POST,
            &format!("/api/v1/referrals/{rid}/transitions"),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    t
}

#[tokio::test]
async fn the_team_contributes_and_others_cannot() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let ok = app
        .api(Some(&social), Method::POST, &format!("/api/v1/cases/{case}/assessments"), Some(json!({"summary": "Primera valoración", "domains": {"housing": "severe", "employment": "moderate"}})))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let bad = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/assessments"),
            Some(json!({"summary": "", "domains": {"astrology": "severe"}})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let codes: Vec<String> = bad.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
        .collect();
    assert!(
        codes.contains(&"error-summary-required".to_owned())
            && codes.contains(&"error-domain-unknown".to_owned()),
        "{codes:?}"
    );
    // Outside the team: refused, and reading is concealed.
    let housing = app.token("housing").await;
    let r = app
        .api(
            Some(&housing),
            Method::POST,
            &format!("/api/v1/cases/{case}/goals"),
            Some(json!({"domain": "housing", "description": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // The plan: a goal and an action; a stale status change is refused.
    let g = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/goals"),
            Some(json!({"domain": "housing", "description": "Encontrar vivienda estable"})),
        )
        .await;
    let goal = g.json()["id"].as_str().expect("goal").to_owned();
    let a = app
        .api(Some(&social), Method::POST, &format!("/api/v1/cases/{case}/actions"), Some(json!({"goal": goal, "agency": app.agency(PublicSystem::Housing), "description": "Solicitud de vivienda", "due_on": "2027-01-31"})))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let action = a.json()["id"].as_str().expect("action").to_owned();
    let path = format!("/api/v1/cases/{case}/actions/{action}/status");
    assert_eq!(
        app.api(
            Some(&social),
            Method::POST,
            &path,
            Some(json!({"status": "in_progress", "version": 1}))
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api(
            Some(&social),
            Method::POST,
            &path,
            Some(json!({"status": "done", "version": 1}))
        )
        .await
        .status,
        StatusCode::PRECONDITION_FAILED
    );
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(w.json()["actions"][0]["status"], "in_progress");
    assert_eq!(
        w.json()["assessments"][0]["domains"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(
        w.json()["timeline"]
            .as_array()
            .is_some_and(|t| t.len() >= 4),
        "{}",
        w.body
    );
    app.cleanup().await;
}

#[tokio::test]
async fn notes_follow_their_confidentiality_and_clinical_notes_stay_in_health() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let note = |body: &str, level: &str| json!({"body": body, "confidentiality": level});
    for (body, level) in [
        ("TEAM-NOTE visible to the team", "team"),
        ("AUTHOR-NOTE only for me", "author"),
        ("AGENCY-NOTE for social services", "agency"),
    ] {
        let r = app
            .api(
                Some(&social),
                Method::POST,
                &format!("/api/v1/cases/{case}/notes"),
                Some(note(body, level)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let lanbide = app.token("lanbide").await;
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", app.inclusion.referral),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let health = join_team(&app, &social, PublicSystem::PrimaryCare, "health").await;
    let r = app
        .api(
            Some(&health),
            Method::POST,
            &format!("/api/v1/cases/{case}/notes"),
            Some(note("CLINICAL-NOTE blood pressure follow-up", "team")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let seen = |token: String| {
        let app = &app;
        async move {
            app.api(
                Some(&token),
                Method::GET,
                &format!("/api/v1/cases/{case}/casework"),
                None,
            )
            .await
            .body
        }
    };
    let by_lanbide = seen(lanbide.clone()).await;
    assert!(
        by_lanbide.contains("TEAM-NOTE")
            && !by_lanbide.contains("AUTHOR-NOTE")
            && !by_lanbide.contains("AGENCY-NOTE")
            && !by_lanbide.contains("CLINICAL-NOTE")
    );
    let by_social = seen(social.clone()).await;
    assert!(
        by_social.contains("AUTHOR-NOTE")
            && by_social.contains("AGENCY-NOTE")
            && !by_social.contains("CLINICAL-NOTE")
    );
    let by_health = seen(health.clone()).await;
    assert!(
        by_health.contains("CLINICAL-NOTE")
            && by_health.contains("TEAM-NOTE")
            && !by_health.contains("AUTHOR-NOTE")
    );
    // That health follows the person is itself health data: social sees it only with consent.
    let w: serde_json::Value = serde_json::from_str(&by_social).expect("json");
    assert_eq!(w["health_followups"].as_array().map(Vec::len), Some(0));
    let c = app
        .api(Some(&social), Method::POST, &format!("/api/v1/people/{}/consents", app.inclusion.person),
            Some(json!({"purpose": "Coordinación sanitaria", "recipients": ["social_services"], "categories": ["health_flags"], "evidence": "Firmado"})))
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    let w: serde_json::Value = serde_json::from_str(&seen(social.clone()).await).expect("json");
    assert_eq!(
        w["health_followups"][0],
        app.agency(PublicSystem::PrimaryCare).to_string()
    );
    assert!(
        !w.to_string().contains("blood pressure"),
        "never the clinical content"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn meetings_record_minutes_and_agreed_actions_become_plan_actions() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let body = json!({
        "held_on": "2026-11-20", "minutes": "Mesa de coordinación de Otxarkoaga",
        "agencies": [app.agency(PublicSystem::SocialServices), app.agency(PublicSystem::EmploymentIncome)],
        "cases": [case],
        "actions": [{"case": case, "agency": app.agency(PublicSystem::EmploymentIncome), "description": "Cita de orientación", "due_on": "2026-12-15"}]
    });
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/meetings",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let meeting = r.json()["id"].as_str().expect("id").to_owned();
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(w.json()["meetings"][0]["id"], meeting.as_str());
    assert_eq!(w.json()["actions"][0]["meeting"], meeting.as_str());
    assert_eq!(w.json()["actions"][0]["description"], "Cita de orientación");
    // A professional not on the case cannot put it on a meeting's agenda; nothing is written.
    let education = app.token("education").await;
    let r = app
        .api(
            Some(&education),
            Method::POST,
            "/api/v1/meetings",
            Some(body),
        )
        .await;
    // Answered as a case that does not exist.
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["errors"][0]["code"],
        "error-case-unknown",
        "{}",
        r.body
    );
    let bad = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/meetings",
            Some(json!({"held_on": "2026-13-40", "minutes": "", "cases": []})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .expect("e")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    for f in ["held_on", "minutes", "cases"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(
        w.json()["meetings"].as_array().map(Vec::len),
        Some(1),
        "the refused meetings wrote nothing"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn assessment_domains_and_goals_follow_the_readers_data_categories() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/assessments"),
            Some(json!({"summary": "Valoración inicial", "domains": {"health": "severe", "employment": "moderate", "housing": "low"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    for (domain, text) in [
        ("health", "Acompañar a la consulta"),
        ("employment", "Buscar un curso"),
    ] {
        let r = app
            .api(
                Some(&social),
                Method::POST,
                &format!("/api/v1/cases/{case}/goals"),
                Some(json!({"domain": domain, "description": text})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // The employment agency joins the team: it sees employment by law, not health or housing.
    let lanbide = join_team(&app, &social, PublicSystem::EmploymentIncome, "lanbide").await;
    let w = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    let domains: Vec<String> = w.json()["assessments"][0]["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| d[0].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(domains, vec!["employment".to_owned()]);
    let goals: Vec<String> = w.json()["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .map(|g| g["domain"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(goals, vec!["employment".to_owned()]);
    assert!(!w.body.contains("Acompañar a la consulta"), "{}", w.body);
    // The agency that assessed sees everything it recorded.
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(
        w.json()["assessments"][0]["domains"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(w.json()["goals"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_new_instrument_version_applies_to_new_assessments_only() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let admin = app.token("admin").await;
    let case = app.inclusion.case;
    let path = format!("/api/v1/cases/{case}/assessments");
    let assess = |domains: serde_json::Value| {
        app.api(
            Some(&social),
            Method::POST,
            &path,
            Some(json!({"summary": "Valoración", "domains": domains})),
        )
    };
    assert_eq!(
        assess(json!({"digital": "low"})).await.status,
        StatusCode::CREATED
    );

    // Bad versions are refused field by field and add nothing.
    let r = app
        .api(
            Some(&admin),
            Method::POST,
            "/api/v1/instruments",
            Some(json!({"domains": [
                {"code": "housing", "category": "housing"},
                {"code": "Mugikortasuna", "category": "social_services_notes", "label_eu": "Mugikortasuna", "label_es": "Movilidad", "label_en": "Mobility"},
                {"code": "mobility", "category": "social_services_notes", "label_eu": "", "label_es": "Movilidad", "label_en": "Mobility"}
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("domains.1.code"), "{}", r.body);
    assert!(r.body.contains("domains.2.label_eu"), "{}", r.body);
    let r = app
        .api(Some(&social), Method::GET, "/api/v1/instruments", None)
        .await;
    assert_eq!(r.json().as_array().map(Vec::len), Some(1), "{}", r.body);

    // Only administrators add versions.
    let v2 = json!({"domains": [
        {"code": "housing", "category": "housing"},
        {"code": "mobility", "category": "social_services_notes", "label_eu": "Mugikortasuna", "label_es": "Movilidad", "label_en": "Mobility"}
    ]});
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/instruments",
            Some(v2.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(Some(&admin), Method::POST, "/api/v1/instruments", Some(v2))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["version"], 2);

    // New assessments use version 2: a domain it dropped is refused, its new domain is taken.
    let r = assess(json!({"digital": "low"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        assess(json!({"mobility": "severe"})).await.status,
        StatusCode::CREATED
    );
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    let versions: Vec<i64> = w.json()["assessments"]
        .as_array()
        .expect("assessments")
        .iter()
        .map(|a| a["instrument_version"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(versions, vec![2, 1], "newest first, each with its version");
    // The case page names the new domain in the reader's language.
    let mut b = app.sign_in("social").await;
    b.lang = Some("eu");
    let page = app
        .page(&b, Method::GET, &format!("/cases/{case}"), &[])
        .await;
    assert!(page.body.contains("Mugikortasuna"), "{}", page.body);
    app.cleanup().await;
}

#[tokio::test]
async fn administrators_add_instrument_versions_through_the_page() {
    let app = TestApp::spawn().await;
    let mut admin = app.sign_in("admin").await;
    admin.lang = Some("en");
    let form = app
        .page(&admin, Method::GET, "/admin/instruments/new", &[])
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("value=\"education_training\""),
        "{}",
        form.body
    );
    // A new row with a name missing in one language.
    let rows = form.body.matches("name=\"domains-").count() / 5;
    assert_eq!(rows, 12, "nine built-in domains and three blank rows");
    let post = |eu: &'static str| {
        let mut f: Vec<(String, String)> = vec![("rows".into(), "12".into())];
        f.push(("domains-0-code".into(), "employment".into()));
        f.push(("domains-0-category".into(), "employment".into()));
        f.push(("domains-9-code".into(), "mobility".into()));
        f.push(("domains-9-category".into(), "social_services_notes".into()));
        f.push(("domains-9-label_eu".into(), eu.into()));
        f.push(("domains-9-label_es".into(), "Movilidad".into()));
        f.push(("domains-9-label_en".into(), "Mobility".into()));
        f
    };
    let bad = post("");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .page(&admin, Method::POST, "/admin/instruments/new", &bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("href=\"#domains-9-label_eu\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("name in Basque, Spanish and English"));
    let good = post("Mugikortasuna");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .page(&admin, Method::POST, "/admin/instruments/new", &good)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = app
        .page(&admin, Method::GET, "/admin/instruments?saved=1", &[])
        .await;
    assert!(list.body.contains("Version 2"), "{}", list.body);
    assert!(list.body.contains("Mobility"));
    assert!(
        list.body
            .contains("The new version is in use for new assessments")
    );
    app.cleanup().await;
}
