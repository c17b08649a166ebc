//! Retention: the DPO sets the periods (all or nothing, per-field errors); the worker
//! anonymises closed cases and deletes what is past its period, with an audit row each, and
//! leaves everything else alone.

use crate::common::{PERSON_SENTINEL, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::Timestamp;
use elkarlan_domain::inclusion::person::PersonInput;
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_store::audit::RequestMeta;
use elkarlan_web::services::retention::apply_all;
use serde_json::json;

const YEAR: i64 = 365 * 86_400;

#[tokio::test]
async fn the_dpo_sets_periods_all_or_nothing() {
    let app = TestApp::spawn().await;
    let dpo = app.token("dpo").await;
    let r = app
        .api(Some(&dpo), Method::GET, "/api/v1/retention", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let closed = r.json()[0].clone();
    assert_eq!(closed["record_type"], "closed_case");
    assert_eq!(closed["days"], 1825);
    assert_eq!(closed["disposal"], "anonymise");
    assert_eq!(closed["set"], false);

    // One bad period refuses the whole change, with the error on that record type.
    let r = app
        .api(
            Some(&dpo),
            Method::PUT,
            "/api/v1/retention",
            Some(json!({"closed_case": 10, "ended_consent": 400})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("closed_case"), "{}", r.body);
    let r = app
        .api(Some(&dpo), Method::GET, "/api/v1/retention", None)
        .await;
    assert_eq!(r.json()[2]["days"], 1095, "nothing was saved: {}", r.body);

    let r = app
        .api(
            Some(&dpo),
            Method::PUT,
            "/api/v1/retention",
            Some(json!({"closed_case": 3650, "ended_consent": 400})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(Some(&dpo), Method::GET, "/api/v1/retention", None)
        .await;
    assert_eq!(r.json()[0]["days"], 3650);
    assert_eq!(r.json()[0]["set"], true);
    assert_eq!(r.json()[2]["days"], 400);

    // The page, in Basque, with a translated error on the field.
    let mut b = app.sign_in("dpo").await;
    b.lang = Some("eu");
    let page = app.page(&b, Method::GET, "/dpo/retention", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"3650\""), "{}", page.body);
    let r = app
        .page(
            &b,
            Method::POST,
            "/dpo/retention",
            &[
                ("closed_case", "3650"),
                ("person_without_case", "zazpi"),
                ("ended_consent", "400"),
                ("read_notification", "180"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("href=\"#person_without_case\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("Idatzi epea egun osotan"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_worker_anonymises_closed_cases_and_deletes_what_has_run_out() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let person = app.inclusion.person;
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/notes"),
            Some(json!({"body": "Nota de seguimiento", "confidentiality": "team"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A follow-up of the person's placement, with a note that names them.
    let r = app
        .api(
            Some(&social),
            Method::PUT,
            &format!(
                "/api/v1/placements/{}/follow-ups/3",
                app.employment.placement
            ),
            Some(
                json!({"checked_on": Timestamp::now().to_datetime().date_naive().to_string(),
                "still_employed": "yes", "same_employer": "yes", "evidence": "self_report",
                "note": "Amaia sigue en la cooperativa"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{case}/status"),
            Some(json!({"status": "closed", "closure_reason": "goals_achieved", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // A person referred by the employment service's office, whose case then closes.
    crate::employment::load_territory(&app).await;
    let lanbide = app.token("lanbide").await;
    let r = crate::employment::upload(&app, &lanbide, crate::employment::GOOD_CSV, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let referred = r.json()["rows"][0]["person"]
        .as_str()
        .expect("person")
        .to_owned();
    let referred_case = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/people/{referred}"),
            None,
        )
        .await
        .json()["case"]
        .as_str()
        .expect("case")
        .to_owned();
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/cases/{referred_case}/status"),
            Some(json!({"status": "closed", "closure_reason": "goals_achieved", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Someone registered and never followed.
    let grant = Grant::system(app.tenant, SystemTask::Bootstrap, Action::RegisterPerson);
    let today = Timestamp::now().to_datetime().date_naive();
    let draft = PersonInput {
        given_name: "Ibai".into(),
        surname1: "Olabarrieta".into(),
        birth_date: "1979-02-11".into(),
        sex: "man".into(),
        languages: "eu".into(),
        preferred_lang: "eu".into(),
        ..PersonInput::default()
    }
    .parse(today)
    .expect("valid");
    let unfollowed = elkarlan_store::people::create(
        &app.store,
        &grant,
        &RequestMeta::default(),
        elkarlan_store::people::PersonRecord {
            draft: &draft,
            area: None,
            document: None,
        },
    )
    .await
    .expect("person");

    // Before any period ends nothing is touched.
    let soon = apply_all(&app.store, Timestamp::now().plus_seconds(86_400))
        .await
        .expect("apply");
    assert!(soon.iter().all(|(_, d)| d.total() == 0), "{soon:?}");

    // Three years on: the unfollowed person (2 years) is gone, the closed case (5 years) stays.
    let later = apply_all(&app.store, Timestamp::now().plus_seconds(3 * YEAR))
        .await
        .expect("apply");
    let ours = later
        .iter()
        .find(|(t, _)| *t == app.tenant)
        .map(|(_, d)| d.clone())
        .expect("tenant");
    assert_eq!(ours.people_without_case, 1);
    assert_eq!(ours.closed_cases, 0);
    assert!(
        elkarlan_store::people::get(&app.store, app.tenant, unfollowed)
            .await
            .is_err()
    );
    let kept = elkarlan_store::people::get(&app.store, app.tenant, person)
        .await
        .expect("kept");
    assert_eq!(kept.surname1, PERSON_SENTINEL);

    // Six years on: the closed case's person is anonymised, its notes and consents are gone.
    let after = apply_all(&app.store, Timestamp::now().plus_seconds(6 * YEAR))
        .await
        .expect("apply");
    let ours = after
        .iter()
        .find(|(t, _)| *t == app.tenant)
        .map(|(_, d)| d.clone())
        .expect("tenant");
    assert_eq!(ours.closed_cases, 2);
    let anon = elkarlan_store::people::get(&app.store, app.tenant, person)
        .await
        .expect("row stays");
    assert!(anon.anonymised_at.is_some());
    assert_eq!(anon.given_name, "");
    assert_eq!(anon.surname2, None);
    assert_eq!(anon.phone, None);
    assert_eq!(
        anon.birth_date.to_string(),
        "1988-01-01",
        "only the year is kept"
    );
    let w = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/cases/{case}/casework"),
            None,
        )
        .await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    assert_eq!(w.json()["notes"].as_array().map(Vec::len), Some(0));
    // The placement stays for the indicators (contract type, dates, the follow-up's answer);
    // the follow-up's note is gone.
    let file = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people/{person}/employment"),
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let placement = &file.json()["placements"][0];
    assert_eq!(placement["contract_type"], "insertion_transition");
    assert_eq!(placement["follow_ups"][0]["still_employed"], true);
    assert!(placement["follow_ups"][0]["note"].is_null(), "{placement}");
    assert!(!file.body.contains("Amaia"), "{}", file.body);
    // The referral stays, no longer pointing back to the office's file or notes.
    let referred: uuid::Uuid = referred.parse().expect("uuid");
    let (reference, notes): (String, Option<String>) = match &app.store {
        elkarlan_store::Store::Sqlite(p) => {
            sqlx::query_as("SELECT reference, notes FROM inbound_referrals WHERE person_id = $1")
                .bind(referred)
                .fetch_one(p)
                .await
        }
        elkarlan_store::Store::Postgres(p) => {
            sqlx::query_as("SELECT reference, notes FROM inbound_referrals WHERE person_id = $1")
                .bind(referred)
                .fetch_one(p)
                .await
        }
    }
    .expect("referral row");
    assert_ne!(reference, "LAN-2026-0001");
    assert_eq!(notes, None);
    assert!(!w.body.contains("Nota de seguimiento"));
    let r = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people?q={PERSON_SENTINEL}"),
            None,
        )
        .await;
    assert!(
        !r.body.contains(&person.to_string()),
        "search finds no anonymised person: {}",
        r.body
    );
    let history = elkarlan_store::people::history(&app.store, app.tenant, person)
        .await
        .expect("history");
    assert!(
        history.is_empty(),
        "the rectification history goes too: {history:?}"
    );
    // The trail says a person was registered and which fields, never the values.
    let created = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &elkarlan_store::audit::AuditFilter {
            action: "person.create".into(),
            entity_id: person.to_string(),
            ..Default::default()
        },
        10,
    )
    .await
    .expect("trail");
    assert_eq!(created.len(), 1);
    assert!(
        created[0].detail.contains("given_name"),
        "{}",
        created[0].detail
    );
    assert!(
        !created[0].detail.contains("Amaia"),
        "{}",
        created[0].detail
    );
    assert!(!created[0].detail.contains(PERSON_SENTINEL));
    let consents = elkarlan_store::consents::for_person(&app.store, app.tenant, person)
        .await
        .expect("consents");
    assert!(consents.is_empty());

    // Each disposal has its audit row, and the chain still verifies. A second run finds nothing.
    let trail = elkarlan_store::audit::list(
        &app.store,
        app.tenant,
        &elkarlan_store::audit::AuditFilter {
            action: "retention.apply".into(),
            ..Default::default()
        },
        100,
    )
    .await
    .expect("trail");
    // The unfollowed person's deletion and the two closed cases' anonymisations.
    assert_eq!(trail.len(), 3, "{trail:?}");
    assert!(trail.iter().all(|e| e.actor_name == "system:worker"));
    let v = elkarlan_store::audit::verify(&app.store)
        .await
        .expect("verify");
    assert!(v.first_break.is_none(), "{v:?}");
    let again = apply_all(&app.store, Timestamp::now().plus_seconds(6 * YEAR))
        .await
        .expect("apply");
    assert!(again.iter().all(|(_, d)| d.total() == 0), "{again:?}");
    app.cleanup().await;
}
