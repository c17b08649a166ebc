//! What the audit trail holds, and whose access log a read lands in: no free text about people
//! in the trail (search terms as keyed hashes the DPO can match), every read of a person's data
//! in their access log, and refused reads attributed to the person for the DPO only.

use crate::common::{Browser, PERSON_SENTINEL, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_store::audit::{self, AuditEvent, AuditFilter};
use serde_json::json;

/// Every row of the tenant's trail, oldest first.
async fn whole_trail(app: &TestApp) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = audit::list(
            &app.store,
            app.tenant,
            &AuditFilter {
                before_seq: before,
                ..AuditFilter::default()
            },
            500,
        )
        .await
        .expect("trail");
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        out.extend(page);
    }
    out.reverse();
    out
}

/// The rows of the person's access log newer than `after`.
async fn log_since(app: &TestApp, after: i64) -> Vec<AuditEvent> {
    audit::list(
        &app.store,
        app.tenant,
        &AuditFilter {
            subject_id: app.inclusion.person.to_string(),
            ..AuditFilter::default()
        },
        500,
    )
    .await
    .expect("access log")
    .into_iter()
    .filter(|e| e.seq > after)
    .collect()
}

async fn head_seq(app: &TestApp) -> i64 {
    whole_trail(app).await.last().map_or(0, |e| e.seq)
}

/// Where a trail row holds a marker: any field a person's words could reach.
fn holds(e: &AuditEvent, marker: &str) -> bool {
    let m = marker.to_lowercase();
    [
        Some(e.detail.as_str()),
        Some(e.actor_name.as_str()),
        e.entity_id.as_deref(),
        e.subject_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|v| v.to_lowercase().contains(&m))
}

#[tokio::test]
async fn no_free_text_about_people_reaches_the_trail() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let social = app.token("social").await;
    let lanbide = app.token("lanbide").await;
    let education = app.token("education").await;

    // A consent's purpose.
    let purpose = "Purpose-marker-7c1e housing coordination";
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{}/consents", fx.person),
            Some(json!({
                "purpose": purpose, "recipients": ["housing"], "categories": ["housing"],
                "evidence": "Evidence-marker-0d2a signed form", "expires_on": ""
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A referral's outcome.
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let outcome = "Outcome-marker-44b9 started the course";
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/referrals/{}/transitions", fx.referral),
            Some(json!({"status": "completed", "outcome": outcome, "version": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // An emergency access's reason.
    let reason = "Reason-marker-9f30: the child did not come home tonight";
    let r = app
        .api(
            Some(&education),
            Method::POST,
            &format!("/api/v1/cases/{}/break-glass", fx.case),
            Some(json!({ "reason": reason })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // A password typed into the username field, on the page and on the API.
    let typed = "Hunter2-typed-secret";
    assert!(app.sign_in_with(typed, "whatever it was").await.is_err());
    let r = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(json!({"username": typed, "password": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A wrong password on a known account still names the account, by id.
    assert!(
        app.sign_in_with("social", "not the password")
            .await
            .is_err()
    );
    // A search for the person by name.
    let r = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people?q=Amaia%20{PERSON_SENTINEL}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let trail = whole_trail(&app).await;
    for marker in [
        "Purpose-marker",
        "Evidence-marker",
        "Outcome-marker",
        "Reason-marker",
        typed,
        PERSON_SENTINEL,
        "amaia",
    ] {
        let found: Vec<_> = trail.iter().filter(|e| holds(e, marker)).collect();
        assert!(found.is_empty(), "{marker} in the trail: {found:?}");
    }
    // What the rows do carry: ids, codes, categories and counts.
    let consent = trail
        .iter()
        .rev()
        .find(|e| e.action == "consent.record")
        .expect("consent row");
    assert!(consent.detail.contains("\"housing\""), "{}", consent.detail);
    assert_eq!(consent.subject_id, Some(fx.person.to_string()));
    let glass = trail
        .iter()
        .find(|e| e.action == "case.break_glass")
        .expect("break-glass row");
    assert!(glass.detail.contains("\"break_glass\""), "{}", glass.detail);
    let completed = trail
        .iter()
        .find(|e| e.detail.contains("\"to\":\"completed\""))
        .expect("completion row");
    assert!(completed.detail.contains("\"outcome_recorded\":true"));
    let failed: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "auth.sign_in" && e.outcome == "failed")
        .collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|e| e.entity_id == Some(app.user_id("social").to_string()))
    );
    let search = trail
        .iter()
        .find(|e| e.detail.contains("search_terms"))
        .expect("search row");
    let terms: serde_json::Value = serde_json::from_str(&search.detail).expect("json");
    assert_eq!(terms["search_terms"].as_array().map(Vec::len), Some(2));
    // The DPO's break-glass queue still shows the reason, from its own record.
    let dpo = app.sign_in("dpo").await;
    let queue = app.page(&dpo, Method::GET, "/dpo/break-glass", &[]).await;
    assert!(queue.body.contains("Reason-marker-9f30"), "{}", queue.body);
    app.cleanup().await;
}

#[tokio::test]
async fn the_dpo_finds_who_searched_for_a_name_by_its_hash() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let lanbide = app.token("lanbide").await;
    let dpo_token = app.token("dpo").await;
    // Two searches that include the surname (in other spellings and cases), one that does not.
    for (token, q) in [
        (&social, format!("amaia {PERSON_SENTINEL}")),
        (&lanbide, PERSON_SENTINEL.to_uppercase()),
        (&lanbide, "Etxebarria".to_owned()),
    ] {
        let r = app
            .api(
                Some(token),
                Method::GET,
                &format!("/api/v1/people?q={}", q.replace(' ', "%20")),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let before = head_seq(&app).await;
    let r = app
        .api(
            Some(&dpo_token),
            Method::GET,
            &format!("/api/v1/audit-events/name-searches?name={PERSON_SENTINEL}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().cloned().expect("items");
    let who: Vec<&str> = items.iter().filter_map(|i| i["actor"].as_str()).collect();
    assert_eq!(who, ["lanbide", "social"], "{}", r.body);
    // Both words must match: the surname with another given name finds nothing.
    let r = app
        .api(
            Some(&dpo_token),
            Method::GET,
            &format!("/api/v1/audit-events/name-searches?name=Miren%20{PERSON_SENTINEL}"),
            None,
        )
        .await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0));
    // The query is itself audited, without the name.
    let rows: Vec<AuditEvent> = whole_trail(&app)
        .await
        .into_iter()
        .filter(|e| e.seq > before && e.actor_name == "dpo")
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|e| e.detail.contains("name_search")));
    assert!(!rows.iter().any(|e| holds(e, PERSON_SENTINEL)));
    // Too short to be a name: a translated, per-field error.
    let r = app
        .api_lang(
            Some(&dpo_token),
            Method::GET,
            "/api/v1/audit-events/name-searches?name=a",
            None,
            "es",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"name\""), "{}", r.body);
    // The page: the same answer, and nobody but the DPO may ask.
    let dpo = app.sign_in("dpo").await;
    let page = app
        .page(
            &dpo,
            Method::GET,
            &format!("/audit/searches?name={}", PERSON_SENTINEL.to_lowercase()),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("audit-searches-results"),
        "{}",
        page.body
    );
    assert!(page.body.contains("lanbide tester") || page.body.contains(">lanbide<"));
    let empty = app
        .page(&dpo, Method::GET, "/audit/searches?name=Nobodyever", &[])
        .await;
    assert!(
        empty.body.contains("audit-searches-empty"),
        "{}",
        empty.body
    );
    let social_page = app.sign_in("social").await;
    let refused = app
        .page(
            &social_page,
            Method::GET,
            &format!("/audit/searches?name={PERSON_SENTINEL}"),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.cleanup().await;
}

/// The routes that name one person's records (directly or through a case, referral,
/// enrolment, placement or itinerary), from the router's own inventory.
fn person_routes() -> Vec<&'static str> {
    elkarlan_web::routes::route_list()
        .into_iter()
        .filter(|(m, _)| *m == "GET")
        .map(|(_, p)| p)
        .filter(|p| {
            let r = p.strip_prefix("/api/v1").unwrap_or(p);
            let r = r.strip_prefix("/exports").unwrap_or(r);
            [
                "/people/{id}",
                "/cases/{id}",
                "/referrals/{id}",
                "/enrolments/{id}",
                "/placements/{id}",
                "/itineraries/{id}",
            ]
            .iter()
            .any(|prefix| r.starts_with(prefix))
        })
        .collect()
}

/// Forms that show nothing about the person: served without a read, and checked to hold none
/// of the person's data.
const SHOW_NOTHING: [&str; 8] = [
    "/people/{id}/break-glass",
    "/cases/{id}/break-glass",
    "/people/{id}/consents/new",
    "/cases/{id}/referrals/new",
    "/cases/{id}/assessments/new",
    "/cases/{id}/goals/new",
    "/cases/{id}/notes/new",
    "/cases/{id}/meetings/new",
];

/// The fixture person's name and phone.
const PERSON_DATA: [&str; 3] = [PERSON_SENTINEL, "Amaia", "600 111 222"];

#[tokio::test]
async fn every_read_of_a_person_lands_in_their_access_log() {
    let app = TestApp::spawn().await;
    let e = &app.employment;
    let fx = &app.inclusion;
    // The case lead (who also reads the employment file, by law), the DPO for their pages, and
    // the course's provider for the enrolment it closes.
    let names = ["social", "dpo", "trainer"];
    let mut readers = Vec::new();
    let mut tokens = Vec::new();
    for n in names {
        readers.push((n, app.sign_in(n).await));
        tokens.push((n, app.token(n).await));
    }
    let routes = person_routes();
    assert!(routes.len() >= 25, "{routes:?}");
    let mut missing = Vec::new();
    let mut read = 0;
    for route in &routes {
        let path = route
            .replace("/people/{id}", &format!("/people/{}", fx.person))
            .replace("/cases/{id}", &format!("/cases/{}", fx.case))
            .replace("/referrals/{id}", &format!("/referrals/{}", fx.referral))
            .replace("/enrolments/{id}", &format!("/enrolments/{}", e.enrolment))
            .replace("/placements/{id}", &format!("/placements/{}", e.placement))
            .replace(
                "/itineraries/{id}",
                &format!("/itineraries/{}", e.itinerary),
            )
            .replace("{consent}", &fx.consent.to_string())
            .replace("{months}", "3")
            .replace("{format}", "csv");
        let formats: Vec<String> = if route.contains("{format}") {
            vec![path.clone(), path.replace("/csv", "/xlsx")]
        } else {
            vec![path]
        };
        for path in formats {
            let mut served_by = None;
            for who in 0..names.len() {
                let after = head_seq(&app).await;
                let r = if path.starts_with("/api/") {
                    app.api(Some(&tokens[who].1), Method::GET, &path, None)
                        .await
                } else {
                    app.page(&readers[who].1, Method::GET, &path, &[]).await
                };
                if r.status != StatusCode::OK {
                    continue;
                }
                served_by = Some(readers[who].0);
                let logged = log_since(&app, after)
                    .await
                    .iter()
                    .any(|l| l.actor_name == readers[who].0 && l.outcome == "ok");
                let shows = PERSON_DATA.iter().find(|d| r.body.contains(*d));
                match (logged, SHOW_NOTHING.contains(route), shows) {
                    (true, _, _) | (false, true, None) => {}
                    (false, true, Some(d)) => {
                        missing.push(format!("{path} as {}: shows {d}", readers[who].0));
                    }
                    (false, false, _) => missing.push(format!("{path} as {}", readers[who].0)),
                }
            }
            match served_by {
                Some(_) if !SHOW_NOTHING.contains(route) => read += 1,
                Some(_) => {}
                None if SHOW_NOTHING.contains(route) => {}
                None => missing.push(format!("{path}: served to nobody")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "reads missing from the access log: {missing:#?}"
    );
    assert!(read >= 25, "only {read} reads");
    app.cleanup().await;
}

#[tokio::test]
async fn refused_reads_are_in_the_access_log_for_the_dpo_only() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    let unknown = uuid::Uuid::now_v7();
    // Housing holds a consent but no relationship to the case: every read is concealed.
    let housing = app.sign_in("housing").await;
    let token = app.token("housing").await;
    let pages = [
        format!("/people/{}", fx.person),
        format!("/cases/{}", fx.case),
        format!("/people/{}/employment", fx.person),
        format!("/exports/people/{}/placements/csv", fx.person),
    ];
    let api = [
        format!("/api/v1/people/{}", fx.person),
        format!("/api/v1/cases/{}", fx.case),
    ];
    let before = head_seq(&app).await;
    for p in &pages {
        let r = app.page(&housing, Method::GET, p, &[]).await;
        let id = if p.contains("/cases/") {
            fx.case.0
        } else {
            fx.person.0
        };
        let u = app
            .page(
                &housing,
                Method::GET,
                &p.replace(&id.to_string(), &unknown.to_string()),
                &[],
            )
            .await;
        assert_eq!(
            (r.status, u.status),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            "{p}"
        );
        assert_eq!(
            r.body.len(),
            u.body.len(),
            "{p}: the same page as for an unknown id"
        );
    }
    for p in &api {
        let r = app.api(Some(&token), Method::GET, p, None).await;
        let id = if p.contains("/cases/") {
            fx.case.0
        } else {
            fx.person.0
        };
        let u = app
            .api(
                Some(&token),
                Method::GET,
                &p.replace(&id.to_string(), &unknown.to_string()),
                None,
            )
            .await;
        assert_eq!(
            (r.status, u.status),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            "{p}"
        );
        let strip = |v: serde_json::Value| {
            let mut v = v;
            v.as_object_mut().map(|o| o.remove("instance"));
            v
        };
        assert_eq!(strip(r.json()), strip(u.json()), "{p}");
    }
    // Six denied rows, each naming the record and the person.
    let denied: Vec<AuditEvent> = log_since(&app, before)
        .await
        .into_iter()
        .filter(|e| e.actor_name == "housing")
        .collect();
    assert_eq!(denied.len(), 6, "{denied:#?}");
    assert!(denied.iter().all(|e| e.outcome == "denied"));
    assert!(
        denied
            .iter()
            .all(|e| e.subject_id == Some(fx.person.to_string()) && e.entity_id.is_some())
    );
    assert!(
        denied
            .iter()
            .any(|e| e.entity_type == "case" && e.entity_id == Some(fx.case.to_string()))
    );
    // The DPO sees them in the person's access log, on the API and the page.
    let dpo_token = app.token("dpo").await;
    let r = app
        .api(
            Some(&dpo_token),
            Method::GET,
            &format!("/api/v1/people/{}/access-log", fx.person),
            None,
        )
        .await;
    let items = r.json()["items"].as_array().cloned().expect("items");
    let refused = items
        .iter()
        .filter(|i| i["actor"] == "housing" && i["outcome"] == "denied")
        .count();
    assert_eq!(refused, 6, "{}", r.body);
    let dpo: Browser = app.sign_in("dpo").await;
    let page = app
        .page(
            &dpo,
            Method::GET,
            &format!("/people/{}/access-log", fx.person),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("housing"), "{}", page.body);
    assert!(page.body.contains("denied"), "{}", page.body);
    // The person's own copy lists who read their data, not who was refused.
    let request = crate::subject_access::request_in_progress(&app, &dpo_token, fx.person).await;
    let r = app
        .api(
            Some(&dpo_token),
            Method::GET,
            &format!("/api/v1/subject-access-requests/{request}/copy"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let log = r.json()["access_log"].as_array().cloned().expect("log");
    assert!(!log.is_empty());
    assert!(log.iter().all(|l| l["outcome"] != "denied"), "{log:?}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_refused_step_change_names_the_person_even_for_a_step_not_in_the_itinerary() {
    let app = TestApp::spawn().await;
    let fx = &app.inclusion;
    // Housing has no relationship to the case the itinerary belongs to.
    let housing = app.sign_in("housing").await;
    let before = head_seq(&app).await;
    for step in [app.employment.step.0, uuid::Uuid::now_v7()] {
        let path = format!("/itineraries/{}/steps/{step}", app.employment.itinerary);
        let r = app
            .page(
                &housing,
                Method::POST,
                &path,
                &[("status", "done"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let denied: Vec<AuditEvent> = log_since(&app, before)
        .await
        .into_iter()
        .filter(|e| e.actor_name == "housing" && e.outcome == "denied")
        .collect();
    assert_eq!(denied.len(), 2, "{denied:#?}");
    assert!(
        denied
            .iter()
            .all(|e| e.subject_id == Some(fx.person.to_string())),
        "{denied:#?}"
    );
    app.cleanup().await;
}
