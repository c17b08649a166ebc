//! Coordination of social inclusion through the API: registry, consent, cases, referrals,
//! emergency access and the access log, checked against the policy's promises.

use crate::common::{PERSON_SENTINEL, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::organisation::PublicSystem;
use serde_json::json;

fn person(given: &str, surname: &str, birth: &str, dni: &str) -> serde_json::Value {
    json!({"person": {"given_name": given, "surname1": surname, "birth_date": birth, "sex": "woman", "languages": "es", "preferred_lang": "es",
        "document_kind": if dni.is_empty() { "" } else { "dni" }, "document_number": dni, "phone": "600 000 001"}})
}

#[tokio::test]
async fn registering_warns_of_duplicates_and_validates_every_field() {
    let app = TestApp::spawn().await;
    let t = app.token("social").await;
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/people",
            Some(person("Iñaki", "Etxeberria", "1979-03-02", "12345678Z")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The same person spelt another way, same birth date: a warning, not a second record.
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/people",
            Some(person("Inaki", "Echeverría", "1979-03-02", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["candidates"].as_array().map(Vec::len), Some(1));
    assert!(
        r.json()["candidates"][0]["document"]
            .as_str()
            .is_some_and(|d| d.ends_with("678Z") && !d.contains("1234")),
        "masked document"
    );
    // The same DNI under another name is caught too.
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/people",
            Some(person("Miren", "Goikoetxea", "1990-01-01", "12345678Z")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Confirmed: registered.
    let mut body = person("Inaki", "Echeverría", "1979-03-02", "");
    body["confirmed_new"] = json!(true);
    assert_eq!(
        app.api(Some(&t), Method::POST, "/api/v1/people", Some(body))
            .await
            .status,
        StatusCode::CREATED
    );
    // Bad DNI letter and impossible date: per-field errors, nothing written.
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/people",
            Some(person("Ane", "Zubiri", "1981-02-29", "12345678A")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"document_number") && fields.contains(&"birth_date"),
        "{fields:?}"
    );
    assert!(r.body.contains("The DNI letter does not match"));
    app.cleanup().await;
}

#[tokio::test]
async fn search_tolerates_accents_typos_and_basque_spanish_spellings() {
    let app = TestApp::spawn().await;
    let t = app.token("social").await;
    for q in [
        "amaia zentinelazubiri",
        "Amaia Zentinelasubiri",
        "AMAIA ZENTINELAZUBIRI ECHEVERRIA",
    ] {
        let r = app
            .api(
                Some(&t),
                Method::GET,
                &format!("/api/v1/people?q={}", q.replace(' ', "%20")),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            r.json()["items"][0]["id"],
            app.inclusion.person.to_string(),
            "query {q}: {}",
            r.body
        );
    }
    let r = app
        .api(
            Some(&t),
            Method::GET,
            "/api/v1/people?q=Xabier%20Nadie",
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        app.api(Some(&t), Method::GET, "/api/v1/people?q=a", None)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.cleanup().await;
}

#[tokio::test]
async fn a_referral_recipient_sees_only_who_until_accepting_then_joins_the_team() {
    let app = TestApp::spawn().await;
    let lanbide = app.token("lanbide").await;
    let fx = &app.inclusion;
    let p = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/people/{}", fx.person),
            None,
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.json()["relationship"], "referral_recipient");
    assert_eq!(p.json()["surname1"], PERSON_SENTINEL);
    assert!(
        p.json()["case"].is_null(),
        "no case content before accepting"
    );
    assert_eq!(
        app.api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/cases/{}", fx.case),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Out of order: completing before accepting.
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "completed", "outcome": "x", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // A stale second answer is refused.
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "declined", "decline_reason": "no_capacity", "version": 1})),
        )
        .await;
    assert!(
        matches!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PRECONDITION_FAILED
        ),
        "{}",
        r.status
    );
    let c = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/cases/{}", fx.case),
            None,
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.json()["relationship"], "team_member");
    let case_json = c.json();
    let cats: Vec<&str> = case_json["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|x| x["category"].as_str())
        .collect();
    assert!(
        cats.contains(&"social_services_notes"),
        "Ley 14/2022 lets employment see social services notes: {cats:?}"
    );
    assert!(!cats.contains(&"health_flags"), "{cats:?}");
    let r = app
        .api(Some(&lanbide), Method::GET, "/api/v1/referrals", None)
        .await;
    assert_eq!(r.json()["items"][0]["referral"]["status"], "accepted");
    assert!(
        r.json()["items"][0]["referral"]["response_seconds"]
            .as_i64()
            .is_some()
    );
    app.cleanup().await;
}

#[tokio::test]
async fn referrals_are_refused_to_ones_own_agency_and_without_basis() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let path = format!("/api/v1/cases/{}/referrals", app.inclusion.case);
    let own = app.agency(PublicSystem::SocialServices);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &path,
            Some(json!({"to_agency": own, "reason": "x", "urgency": "routine"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "to_agency");
    // Education may not receive income data: no law, no consent.
    let edu = app.agency(PublicSystem::Education);
    let r = app.api(Some(&social), Method::POST, &path, Some(json!({"to_agency": edu, "reason": "Apoyo escolar", "urgency": "routine", "categories": ["income"]}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["code"], "error-referral-no-basis");
    // Housing has the person's consent for income.
    let housing = app.agency(PublicSystem::Housing);
    let r = app.api(Some(&social), Method::POST, &path, Some(json!({"to_agency": housing, "reason": "Vivienda", "urgency": "urgent", "categories": ["income", "housing"]}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.cleanup().await;
}

#[tokio::test]
async fn withdrawing_consent_takes_effect_on_the_next_request() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let fx = &app.inclusion;
    // Bring housing onto the team through an accepted referral.
    let housing_agency = app.agency(PublicSystem::Housing);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{}/referrals", fx.case),
            Some(json!({"to_agency": housing_agency, "reason": "Vivienda", "urgency": "routine"})),
        )
        .await;
    let rid = r.json()["id"].as_str().expect("id").to_owned();
    let housing = app.token("housing").await;
    let r = app
        .api(
            Some(&housing),
            Method::POST,
            &format!("/api/v1/referrals/{rid}/transitions"),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let cats = |v: &serde_json::Value| -> Vec<String> {
        v["categories"]
            .as_array()
            .expect("c")
            .iter()
            .filter_map(|x| x["category"].as_str().map(str::to_owned))
            .collect()
    };
    let before = app
        .api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/people/{}", fx.person),
            None,
        )
        .await;
    assert!(
        cats(&before.json()).contains(&"income".to_owned()),
        "consent covers income: {}",
        before.body
    );
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!(
                "/api/v1/people/{}/consents/{}/withdraw",
                fx.person, fx.consent
            ),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let after = app
        .api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/people/{}", fx.person),
            None,
        )
        .await;
    assert!(
        !cats(&after.json()).contains(&"income".to_owned()),
        "withdrawn: {}",
        after.body
    );
    assert!(
        cats(&after.json()).contains(&"housing".to_owned()),
        "housing's own data stays"
    );
    let again = app
        .api(
            Some(&social),
            Method::POST,
            &format!(
                "/api/v1/people/{}/consents/{}/withdraw",
                fx.person, fx.consent
            ),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    app.cleanup().await;
}

#[tokio::test]
async fn break_glass_opens_the_case_for_an_hour_and_lands_in_the_dpo_queue_and_access_log() {
    let app = TestApp::spawn().await;
    let edu = app.token("education").await;
    let fx = &app.inclusion;
    assert_eq!(
        app.api(
            Some(&edu),
            Method::GET,
            &format!("/api/v1/cases/{}", fx.case),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .api(
            Some(&edu),
            Method::POST,
            &format!("/api/v1/cases/{}/break-glass", fx.case),
            Some(json!({"reason": "urgent"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.api(Some(&edu), Method::POST, &format!("/api/v1/cases/{}/break-glass", fx.case), Some(json!({"reason": "The child did not come home; the school needs the family's contact now"}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let c = app
        .api(
            Some(&edu),
            Method::GET,
            &format!("/api/v1/cases/{}", fx.case),
            None,
        )
        .await;
    assert_eq!(c.status, StatusCode::OK);
    assert_eq!(c.json()["relationship"], "break_glass");
    assert!(
        c.json()["categories"]
            .as_array()
            .expect("c")
            .iter()
            .all(|x| x["basis"] == "break_glass")
    );
    let queue = elkarlan_store::cases::break_glass_to_review(&app.store, app.tenant)
        .await
        .expect("queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].user_id, app.user_id("education"));
    // The DPO sees the emergency read in the person's access log.
    let dpo = app.token("dpo").await;
    let log = app
        .api(
            Some(&dpo),
            Method::GET,
            &format!("/api/v1/people/{}/access-log", fx.person),
            None,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK);
    let items = log.json()["items"].as_array().cloned().expect("items");
    assert!(
        items.iter().any(|e| e["actor"] == "education"
            && e["action"] == "case.view"
            && e["basis"] == "break_glass"),
        "{}",
        log.body
    );
    assert!(
        items.iter().any(|e| e["action"] == "person.create"),
        "registration is in the log"
    );
    // Nobody but the DPO reads access logs.
    let social = app.token("social").await;
    assert_eq!(
        app.api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people/{}/access-log", fx.person),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    app.cleanup().await;
}

#[tokio::test]
async fn overdue_referrals_are_reminded_once_a_day_without_personal_data_in_the_mail() {
    let app = TestApp::spawn().await;
    let later = elkarlan_domain::Timestamp::now().plus_seconds(86_400 * 30);
    let n = elkarlan_web::worker::remind_overdue_referrals(&app.state, later)
        .await
        .expect("remind");
    assert_eq!(
        n, 1,
        "the fixture referral (due in 10 days) is overdue 30 days on"
    );
    let again = elkarlan_web::worker::remind_overdue_referrals(&app.state, later)
        .await
        .expect("remind");
    assert_eq!(again, 0, "reminded at most once a day");
    let notes = elkarlan_store::referrals::notifications(
        &app.store,
        app.tenant,
        app.agency(PublicSystem::EmploymentIncome),
    )
    .await
    .expect("notes");
    assert!(notes.iter().any(
        |(kind, id, _)| kind == "referral.overdue" && *id == app.inclusion.referral.to_string()
    ));
    assert!(
        elkarlan_templates::t(elkarlan_domain::Lang::Es, "email-referral-overdue-body")
            .contains("no contiene datos personales")
    );
    app.cleanup().await;
}

fn patch(
    token: &str,
    path: &str,
    tag: Option<&str>,
    body: &serde_json::Value,
) -> axum::http::Request<axum::body::Body> {
    let mut req = axum::http::Request::builder()
        .method("PATCH")
        .uri(path)
        .header("host", "127.0.0.1:8080")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(t) = tag {
        req = req.header("if-match", t);
    }
    req.body(axum::body::Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test]
async fn rectification_needs_the_current_version_and_keeps_a_history() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let path = format!("/api/v1/people/{}", app.inclusion.person);
    let fixed = json!({"person": {"given_name": "Amaia", "surname1": PERSON_SENTINEL, "surname2": "Etxeberria", "birth_date": "1988-05-18",
        "sex": "woman", "languages": "eu,es", "preferred_lang": "eu", "phone": "600 111 333"}});
    assert_eq!(
        app.send(patch(&social, &path, None, &fixed)).await.status,
        StatusCode::PRECONDITION_REQUIRED
    );
    // Callers who may not rectify this record learn that, with or without If-Match: the
    // precondition is asked for only after the decision.
    for role in ["education", "dpo"] {
        let token = app.token(role).await;
        let without = app.send(patch(&token, &path, None, &fixed)).await.status;
        let stale = app
            .send(patch(&token, &path, Some("\"v999\""), &fixed))
            .await
            .status;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&stale),
            "{role}: {stale}"
        );
        assert_eq!(without, stale, "{role}");
    }
    let r = app
        .send(patch(&social, &path, Some("\"v1\""), &fixed))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.send(patch(&social, &path, Some("\"v1\""), &fixed))
            .await
            .status,
        StatusCode::PRECONDITION_FAILED,
        "stale edit refused"
    );
    let mut bad = json!({"person": {"given_name": "Amaia", "surname1": "X", "birth_date": "1988-13-01", "sex": "woman", "document_kind": "dni", "document_number": "12345678A"}});
    bad["person"]["languages"] = json!("es");
    let r = app.send(patch(&social, &path, Some("\"v2\""), &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = app.api(Some(&social), Method::GET, &path, None).await;
    assert_eq!(p.json()["birth_date"], "1988-05-18");
    assert_eq!(
        p.json()["version"],
        2,
        "nothing half-saved by the refused edits"
    );
    let h = app
        .api(Some(&social), Method::GET, &format!("{path}/history"), None)
        .await;
    assert_eq!(h.status, StatusCode::OK);
    let items = h.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 2, "{}", h.body);
    assert_eq!(items[0]["change"]["before"]["birth_date"], "1988-05-17");
    assert_eq!(items[0]["change"]["after"]["birth_date"], "1988-05-18");
    assert_eq!(items[0]["by"], "social");
    app.cleanup().await;
}

#[tokio::test]
async fn duplicates_merge_once_and_only_without_two_open_cases() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let mut body = json!({"person": {"given_name": "Amaia", "surname1": PERSON_SENTINEL, "birth_date": "1988-05-17", "sex": "woman", "languages": "es", "preferred_lang": "es"}});
    body["confirmed_new"] = json!(true);
    let r = app
        .api(Some(&social), Method::POST, "/api/v1/people", Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let dup = r.json()["person"].as_str().expect("person").to_owned();
    let dup_case = r.json()["case"].as_str().expect("case").to_owned();
    let merge = format!("/api/v1/people/{}/merge", app.inclusion.person);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &merge,
            Some(json!({"duplicate": dup})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["code"], "error-merge-two-open-cases");
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{dup_case}/status"),
            Some(json!({"status": "closed", "closure_reason": "transferred", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &merge,
            Some(json!({"duplicate": dup})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let again = app
        .api(
            Some(&social),
            Method::POST,
            &merge,
            Some(json!({"duplicate": dup})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let s = app
        .api(
            Some(&social),
            Method::GET,
            &format!(
                "/api/v1/people?q=amaia%20{}",
                PERSON_SENTINEL.to_lowercase()
            ),
            None,
        )
        .await;
    assert_eq!(
        s.json()["items"].as_array().map(Vec::len),
        Some(1),
        "the merged record left search: {}",
        s.body
    );
    let lanbide = app.token("lanbide").await;
    assert_eq!(
        app.api(
            Some(&lanbide),
            Method::POST,
            &merge,
            Some(json!({"duplicate": dup}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        elkarlan_store::audit::verify(&app.store)
            .await
            .expect("verify")
            .first_break,
        None
    );
    app.cleanup().await;
}

#[tokio::test]
async fn the_subject_access_export_holds_the_file_and_only_the_dpo_gets_it() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/notes"),
            Some(json!({"body": "SAR-NOTE for the team", "confidentiality": "team"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let dpo = app.token("dpo").await;
    let request =
        crate::subject_access::request_in_progress(&app, &dpo, app.inclusion.person).await;
    let path = format!("/api/v1/subject-access-requests/{request}/copy");
    let x = app.api(Some(&dpo), Method::GET, &path, None).await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    let v = x.json();
    assert_eq!(v["person"]["surname1"], PERSON_SENTINEL);
    assert_eq!(v["consents"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["cases"][0]["referrals"].as_array().map(Vec::len), Some(1));
    assert!(x.body.contains("SAR-NOTE"));
    assert!(v["access_log"].as_array().is_some_and(|l| !l.is_empty()));
    assert!(
        !x.body.contains("document_sealed") && !x.body.contains("document_hash"),
        "no secrets in the export"
    );
    assert_eq!(
        app.api(Some(&social), Method::GET, &path, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The export itself is in the person's access log.
    let log = app
        .api(
            Some(&dpo),
            Method::GET,
            &format!("/api/v1/people/{}/access-log", app.inclusion.person),
            None,
        )
        .await;
    assert!(
        log.body.contains("person.subject_access_export"),
        "{}",
        log.body
    );
    // The printable copy: the same data, in the person's language (Basque), for the DPO only.
    let mut b = app.sign_in("dpo").await;
    b.lang = Some("en");
    let page_path = format!("/subject-access-requests/{request}/copy");
    let page = app.page(&b, Method::GET, &page_path, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<html lang=\"eu\""));
    assert!(page.body.contains("Zure datuak Elkarlan-en"));
    assert!(page.body.contains(PERSON_SENTINEL));
    assert!(page.body.contains("Coordinación con vivienda"));
    assert!(page.body.contains("SAR-NOTE for the team"));
    assert!(
        page.body.contains("person.subject_access_export"),
        "the access log is in it"
    );
    let access = app
        .page(
            &b,
            Method::GET,
            &format!("/people/{}/access-log", app.inclusion.person),
            &[],
        )
        .await;
    assert!(access.body.contains(&format!(
        "href=\"/subject-access-requests?person={}\"",
        app.inclusion.person
    )));
    let social_browser = app.sign_in("social").await;
    assert_eq!(
        app.page(&social_browser, Method::GET, &page_path, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.cleanup().await;
}

#[tokio::test]
async fn the_consent_receipt_is_printed_in_the_persons_language() {
    let app = TestApp::spawn().await;
    // The fixture person prefers Basque; the social worker reads Elkarlan in Spanish.
    let mut b = app.sign_in("social").await;
    b.lang = Some("es");
    let path = format!(
        "/people/{}/consents/{}/receipt",
        app.inclusion.person, app.inclusion.consent
    );
    let r = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("<html lang=\"eu\""),
        "the receipt follows the person's language"
    );
    assert!(r.body.contains("Baimenaren agiria"));
    assert!(
        r.body.contains("Coordinación con vivienda"),
        "the purpose as recorded"
    );
    assert!(r.body.contains(PERSON_SENTINEL));
    let person = app
        .page(
            &b,
            Method::GET,
            &format!("/people/{}", app.inclusion.person),
            &[],
        )
        .await;
    assert!(
        person.body.contains(&path),
        "the person page links to the receipt"
    );
    // Others get the concealed answer.
    let housing = app.sign_in("housing").await;
    assert_eq!(
        app.page(&housing, Method::GET, &path, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!(
        "/people/{}/consents/{}/receipt",
        app.inclusion.person,
        uuid::Uuid::now_v7()
    );
    assert_eq!(
        app.page(&b, Method::GET, &unknown, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    app.cleanup().await;
}

#[tokio::test]
async fn a_pending_referral_recipient_reads_no_consent_record_until_accepting() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let lanbide = app.token("lanbide").await;
    let consents = format!("/api/v1/people/{}/consents", fx.person);
    let receipt = format!("/people/{}/consents/{}/receipt", fx.person, fx.consent);
    // The purpose and the evidence of the fixture's consent.
    let markers = ["Coordinación con vivienda", "Formulario firmado"];
    let r = app.api(Some(&lanbide), Method::GET, &consents, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let browser = app.sign_in("lanbide").await;
    let page = app
        .page(
            &browser,
            Method::GET,
            &format!("/people/{}", fx.person),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(PERSON_SENTINEL),
        "who the person is, as before"
    );
    let r = app.page(&browser, Method::GET, &receipt, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for m in markers {
        assert!(!page.body.contains(m), "the person page showed {m}");
        assert!(!r.body.contains(m), "the receipt showed {m}");
    }
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // On the team now: the consent records are theirs to read.
    let r = app.api(Some(&lanbide), Method::GET, &consents, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(markers[0]) && r.body.contains(markers[1]));
    let page = app
        .page(
            &browser,
            Method::GET,
            &format!("/people/{}", fx.person),
            &[],
        )
        .await;
    assert!(page.body.contains(markers[0]));
    assert_eq!(
        app.page(&browser, Method::GET, &receipt, &[]).await.status,
        StatusCode::OK
    );
    app.cleanup().await;
}

/// The categories a caller sees in a case.
async fn case_categories(app: &TestApp, token: &str, case: &str) -> Vec<String> {
    let r = app
        .api(
            Some(token),
            Method::GET,
            &format!("/api/v1/cases/{case}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["category"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn break_glass_opens_what_the_lead_sees_and_health_flags_only_to_health() {
    let app = TestApp::spawn().await;
    let case = app.inclusion.case.to_string();
    let reason =
        json!({"reason": "The child did not come home; the school needs the family's contact now"});
    let mut seen = Vec::new();
    for who in ["education", "health"] {
        let t = app.token(who).await;
        let r = app
            .api(
                Some(&t),
                Method::POST,
                &format!("/api/v1/cases/{case}/break-glass"),
                Some(reason.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{who}: {}", r.body);
        seen.push(case_categories(&app, &t, &case).await);
    }
    // The lead (social services) sees employment, income and notes by Ley 14/2022, and nothing
    // of housing or education without the person's consent to social services.
    let lead_view = [
        "identification",
        "contact",
        "employment",
        "income",
        "social_services_notes",
    ];
    assert_eq!(seen[0], lead_view, "the school breaking the glass");
    let mut with_flags: Vec<&str> = lead_view.to_vec();
    with_flags.push("health_flags");
    assert_eq!(seen[1], with_flags, "primary care breaking the glass");
    app.cleanup().await;
}

#[tokio::test]
async fn break_glass_beyond_the_daily_limit_waits_for_the_dpo() {
    let mut config = crate::common::fast_config();
    config.break_glass_per_day = 1;
    let app = TestApp::spawn_with(config).await;
    let social = app.token("social").await;
    let edu = app.token("education").await;
    let mut cases = vec![app.inclusion.case.to_string()];
    for (given, birth) in [("Nerea", "1981-02-03"), ("Garazi", "1992-07-08")] {
        let mut body = person(given, "Urrutikoetxea", birth, "");
        body["confirmed_new"] = json!(true);
        let r = app
            .api(Some(&social), Method::POST, "/api/v1/people", Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        cases.push(r.json()["case"].as_str().expect("case").to_owned());
    }
    let reason =
        json!({"reason": "The child did not come home; the school needs the family's contact now"});
    let glass = |case: &str| format!("/api/v1/cases/{case}/break-glass");
    let read = |case: &str| format!("/api/v1/cases/{case}");
    let r = app
        .api(
            Some(&edu),
            Method::POST,
            &glass(&cases[0]),
            Some(reason.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The second in a day: recorded, not opened, and the professional is told why.
    let r = app
        .api_lang(
            Some(&edu),
            Method::POST,
            &glass(&cases[1]),
            Some(reason.clone()),
            "es",
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.json()["status"], "waiting");
    assert!(
        r.json()["detail"]
            .as_str()
            .is_some_and(|d| d.contains("delegado de protección de datos")),
        "{}",
        r.body
    );
    let waiting = r.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        app.api(Some(&edu), Method::GET, &read(&cases[1]), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Through the page too: the notice in the reader's language, nothing opened.
    let mut browser = app.sign_in("education").await;
    browser.lang = Some("en");
    let page = app
        .page(
            &browser,
            Method::POST,
            &format!("/cases/{}/break-glass", cases[2]),
            &[("reason", reason["reason"].as_str().unwrap_or_default())],
        )
        .await;
    assert_eq!(page.status, StatusCode::ACCEPTED);
    assert!(
        page.body.contains("limit of emergency accesses"),
        "{}",
        page.body
    );
    assert_eq!(
        app.api(Some(&edu), Method::GET, &read(&cases[2]), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The DPO's queue holds both requests as waiting; approving one opens it for an hour,
    // refusing the other keeps it closed.
    let mut dpo = app.sign_in("dpo").await;
    dpo.lang = Some("en");
    let queue = app.page(&dpo, Method::GET, "/dpo/break-glass", &[]).await;
    assert_eq!(queue.body.matches("Waiting for your approval").count(), 2);
    let all = elkarlan_store::cases::break_glass_to_review(&app.store, app.tenant)
        .await
        .expect("queue");
    let other = all
        .iter()
        .find(|a| a.status == "waiting" && a.id.to_string() != waiting)
        .map(|a| a.id.to_string())
        .expect("the page's request waits");
    for (id, outcome) in [(&waiting, "justified"), (&other, "unjustified")] {
        let r = app
            .page(
                &dpo,
                Method::POST,
                &format!("/dpo/break-glass/{id}"),
                &[("outcome", outcome)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let c = app
        .api(Some(&edu), Method::GET, &read(&cases[1]), None)
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.json()["relationship"], "break_glass");
    assert_eq!(
        app.api(Some(&edu), Method::GET, &read(&cases[2]), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.cleanup().await;
}
