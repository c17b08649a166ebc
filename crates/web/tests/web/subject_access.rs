//! The subject access copy is complete by construction: the tables about a person are found
//! from the schema itself (foreign keys, on SQLite and PostgreSQL alike), the fixture person is
//! given a row in every one of them, and every such row must be in the DPO's copy.

use crate::common::{PERSON_SENTINEL, TestApp};
use axum::http::{Method, StatusCode};
use elkarlan_domain::Timestamp;
use elkarlan_domain::organisation::PublicSystem;
use elkarlan_store::{Store, on_pool};
use serde_json::json;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Tables that reference a person but are not a record about them, and why.
const NOT_ABOUT_THE_PERSON: &[(&str, &str)] = &[(
    "person_trigrams",
    "the search index, derived from the name the copy already holds",
)];

/// Markers planted in the fixture person's file, each expected on the printable copy.
const MARKERS: &[&str] = &[
    "SAR-ASSESSMENT-SUMMARY",
    "SAR-GOAL-7",
    "SAR-ACTION-7",
    "SAR-TEAM-NOTE-7",
    "SAR-CLINICAL-NOTE-7",
    "SAR-MEETING-MINUTES-7",
    "SAR-BREAK-GLASS-7",
    "SAR-INBOUND-7",
    "Formulario firmado",
    "Garbiketak Otxarkoaga S. Coop.",
    "Coordinación con vivienda",
];

/// Registers a request about `person` as its DPO would (the person asked, with their identity
/// document), starts it, and returns its id.
pub async fn request_in_progress(
    app: &TestApp,
    dpo: &str,
    person: elkarlan_domain::PersonId,
) -> String {
    let today = Timestamp::now().to_datetime().date_naive().to_string();
    let r = app
        .api(
            Some(dpo),
            Method::POST,
            "/api/v1/subject-access-requests",
            Some(
                json!({"person": person, "requester": "Amaia Etxeberria", "relation": "person",
                "identity_check": "identity_document", "received_on": today}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let r = app
        .api(
            Some(dpo),
            Method::POST,
            &format!("/api/v1/subject-access-requests/{id}/status"),
            Some(json!({"status": "in_progress", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

/// One foreign key: `table.column` references `parent.parent_column`.
#[derive(Clone, Debug)]
struct ForeignKey {
    table: String,
    column: String,
    parent: String,
    parent_column: String,
}

async fn foreign_keys(store: &Store) -> Vec<ForeignKey> {
    let rows: Vec<(String, String, String, String)> = match store {
        Store::Sqlite(p) => sqlx::query(
            "SELECT m.name, f.\"from\", f.\"table\", f.\"to\" FROM sqlite_master m
             JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
        )
        .fetch_all(p)
        .await
        .expect("sqlite foreign keys")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect(),
        Store::Postgres(p) => sqlx::query(
            "SELECT cl.relname::text, a.attname::text, rf.relname::text, af.attname::text
             FROM pg_constraint c
             JOIN pg_class cl ON cl.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = cl.relnamespace
             JOIN pg_class rf ON rf.oid = c.confrelid
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND n.nspname = current_schema()",
        )
        .fetch_all(p)
        .await
        .expect("postgres foreign keys")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect(),
    };
    rows.into_iter()
        .map(|(table, column, parent, parent_column)| ForeignKey {
            table,
            column,
            parent,
            parent_column,
        })
        .collect()
}

async fn columns(store: &Store, table: &str) -> Vec<String> {
    match store {
        Store::Sqlite(p) => sqlx::query("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(p)
            .await
            .expect("columns")
            .iter()
            .map(|r| r.get(0))
            .collect(),
        Store::Postgres(p) => sqlx::query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(p)
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get(0))
        .collect(),
    }
}

/// Every table with a chain of foreign keys to `people`, with the SQL condition that selects
/// the rows of one person (`$1`) and of the duplicates merged into them.
fn tables_about_people(fks: &[ForeignKey]) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    found.insert("people".into(), "(id = $1 OR merged_into = $1)".into());
    loop {
        let mut grown = false;
        let tables: BTreeSet<&str> = fks
            .iter()
            .map(|f| f.table.as_str())
            .filter(|t| !found.contains_key(*t))
            .collect();
        for table in tables {
            let edges: Vec<&ForeignKey> = fks
                .iter()
                .filter(|f| f.table == table && found.contains_key(&f.parent))
                .collect();
            if edges.is_empty() {
                continue;
            }
            let condition = edges
                .iter()
                .map(|f| {
                    format!(
                        "{} IN (SELECT {} FROM {} WHERE {})",
                        f.column, f.parent_column, f.parent, found[&f.parent]
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            found.insert(table.to_owned(), format!("({condition})"));
            grown = true;
        }
        if !grown {
            return found;
        }
    }
}

/// The values that identify each of the person's rows in `table`: its id, or, for a table
/// without one (a link or a one-to-one extension), every record it references but the tenant.
async fn identities(
    store: &Store,
    fks: &[ForeignKey],
    table: &str,
    condition: &str,
    person: Uuid,
) -> Vec<Vec<Uuid>> {
    let cols = columns(store, table).await;
    let picked: Vec<String> = if cols.iter().any(|c| c == "id") {
        vec!["id".into()]
    } else {
        fks.iter()
            .filter(|f| f.table == table && f.column != "tenant_id")
            .map(|f| f.column.clone())
            .collect()
    };
    let sql = format!(
        "SELECT {} FROM {table} WHERE {condition}",
        picked.join(", ")
    );
    on_pool!(store, p => {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(person).fetch_all(p).await.expect(&sql);
        rows.iter().map(|r| (0..picked.len()).filter_map(|i| r.get::<Option<Uuid>, _>(i)).collect()).collect()
    })
}

/// Gives the fixture person a row in every table about people, with a marker where there is
/// free text, through the same API the professionals use.
async fn seed_everything(app: &TestApp) {
    let social = app.token("social").await;
    let case = app.inclusion.case;
    let person = app.inclusion.person;
    let post = |token: String, path: String, body: serde_json::Value| async move {
        let r = app.api(Some(&token), Method::POST, &path, Some(body)).await;
        assert!(r.status.is_success(), "{path}: {} {}", r.status, r.body);
        r
    };
    post(
        social.clone(),
        format!("/api/v1/cases/{case}/assessments"),
        json!({"summary": "SAR-ASSESSMENT-SUMMARY", "domains": {"housing": "severe"}}),
    )
    .await;
    let g = post(
        social.clone(),
        format!("/api/v1/cases/{case}/goals"),
        json!({"domain": "housing", "description": "SAR-GOAL-7"}),
    )
    .await;
    let goal = g.json()["id"].as_str().expect("goal").to_owned();
    post(social.clone(), format!("/api/v1/cases/{case}/actions"), json!({"goal": goal, "agency": app.agency(PublicSystem::Housing), "description": "SAR-ACTION-7", "due_on": "2027-01-31"})).await;
    post(
        social.clone(),
        format!("/api/v1/cases/{case}/notes"),
        json!({"body": "SAR-TEAM-NOTE-7", "confidentiality": "team"}),
    )
    .await;
    post(social.clone(), "/api/v1/meetings".into(), json!({
        "held_on": "2026-11-20", "minutes": "SAR-MEETING-MINUTES-7",
        "agencies": [app.agency(PublicSystem::SocialServices)], "cases": [case],
        "actions": [{"case": case, "agency": app.agency(PublicSystem::SocialServices), "description": "Cita", "due_on": "2026-12-15"}]
    })).await;
    // Primary care joins the team through an accepted referral and writes a clinical note.
    let r = post(social.clone(), format!("/api/v1/cases/{case}/referrals"), json!({"to_agency": app.agency(PublicSystem::PrimaryCare), "reason": "Coordinación", "urgency": "routine"})).await;
    let rid = r.json()["id"].as_str().expect("referral").to_owned();
    let health = app.token("health").await;
    post(
        health.clone(),
        format!("/api/v1/referrals/{rid}/transitions"),
        json!({"status": "accepted", "version": 1}),
    )
    .await;
    post(
        health,
        format!("/api/v1/cases/{case}/notes"),
        json!({"body": "SAR-CLINICAL-NOTE-7", "confidentiality": "team"}),
    )
    .await;
    let education = app.token("education").await;
    post(
        education,
        format!("/api/v1/cases/{case}/break-glass"),
        json!({"reason": "SAR-BREAK-GLASS-7: the school cannot reach the family today"}),
    )
    .await;
    // The training entity marks the first session.
    let trainer = app.token("trainer").await;
    let enrolment = app.employment.enrolment.to_string();
    post(
        trainer,
        format!(
            "/api/v1/training-actions/{}/attendance",
            app.employment.action
        ),
        json!({"session": "1", "marks": {enrolment: "present"}}),
    )
    .await;
    // A duplicate registered by mistake, its case closed, then merged into the person.
    let r = post(social.clone(), "/api/v1/people".into(), json!({"person": {"given_name": "Amaia", "surname1": PERSON_SENTINEL, "birth_date": "1988-05-17", "sex": "woman", "languages": "es", "preferred_lang": "es"}, "confirmed_new": true})).await;
    let dup = r.json()["person"].as_str().expect("person").to_owned();
    let dup_case = r.json()["case"].as_str().expect("case").to_owned();
    post(
        social.clone(),
        format!("/api/v1/cases/{dup_case}/status"),
        json!({"status": "closed", "closure_reason": "transferred", "version": 1}),
    )
    .await;
    post(
        social.clone(),
        format!("/api/v1/people/{person}/merge"),
        json!({"duplicate": dup}),
    )
    .await;
    // What a referral list import leaves: the office's profile of the person and its referral.
    let now = Timestamp::now().micros();
    let import = Uuid::now_v7();
    let lanbide = app.user_id("lanbide");
    on_pool!(&app.store, p => {
        sqlx::query("INSERT INTO employment_profiles (person_id, tenant_id, unemployed_since, income_guarantee, disability_percent, isced, updated_at) VALUES ($1,$2,'2025-01-10',1,33,2,$3)")
            .bind(person.0).bind(app.tenant.0).bind(now).execute(p).await.expect("profile");
        sqlx::query("INSERT INTO referral_imports (id, tenant_id, programme_id, file_name, file_sha256, rows_total, people_created, people_matched, already_imported, imported_by, imported_at) VALUES ($1,$2,$3,'derivaciones.csv','00',1,0,1,0,$4,$5)")
            .bind(import).bind(app.tenant.0).bind(app.employment.programme.0).bind(lanbide.0).bind(now).execute(p).await.expect("import");
        sqlx::query("INSERT INTO inbound_referrals (id, tenant_id, programme_id, reference, person_id, import_id, referred_on, notes) VALUES ($1,$2,$3,'SAR-INBOUND-7',$4,$5,'2026-10-01','SAR-INBOUND-7 notes')")
            .bind(Uuid::now_v7()).bind(app.tenant.0).bind(app.employment.programme.0).bind(person.0).bind(import).execute(p).await.expect("inbound referral");
    });
}

#[tokio::test]
async fn the_subject_access_copy_holds_every_row_of_every_table_about_the_person() {
    let app = TestApp::spawn().await;
    seed_everything(&app).await;
    let person = app.inclusion.person;
    let dpo = app.token("dpo").await;
    let request = request_in_progress(&app, &dpo, person).await;
    let copy = app
        .api(
            Some(&dpo),
            Method::GET,
            &format!("/api/v1/subject-access-requests/{request}/copy"),
            None,
        )
        .await;
    assert_eq!(copy.status, StatusCode::OK, "{}", copy.body);

    let fks = foreign_keys(&app.store).await;
    let tables = tables_about_people(&fks);
    // The walk must find the records we know of, or it proves nothing.
    for known in [
        "consents",
        "case_notes",
        "meeting_cases",
        "placements",
        "attendance",
    ] {
        assert!(tables.contains_key(known), "{known} not found: {tables:?}");
    }
    let mut missing = Vec::new();
    for (table, condition) in &tables {
        if NOT_ABOUT_THE_PERSON.iter().any(|(t, _)| t == table) {
            continue;
        }
        let rows = identities(&app.store, &fks, table, condition, person.0).await;
        assert!(
            !rows.is_empty(),
            "the fixture has no row in {table}: seed one so the copy is checked for it"
        );
        for ids in rows {
            if ids.is_empty() || !ids.iter().all(|id| copy.body.contains(&id.to_string())) {
                missing.push(format!("{table} {ids:?}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rows about the person absent from the copy: {missing:?}"
    );
    for marker in MARKERS {
        assert!(copy.body.contains(marker), "{marker} not in the JSON copy");
    }

    // The printable copy holds the same sections.
    let b = app.sign_in("dpo").await;
    let page = app
        .page(
            &b,
            Method::GET,
            &format!("/subject-access-requests/{request}/copy"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for marker in MARKERS {
        assert!(
            page.body.contains(marker),
            "{marker} not on the printable copy"
        );
    }
    // The DPO's other screens still show no case content.
    let log = app
        .page(
            &b,
            Method::GET,
            &format!("/people/{person}/access-log"),
            &[],
        )
        .await;
    assert_eq!(log.status, StatusCode::OK);
    for marker in MARKERS.iter().filter(|m| m.starts_with("SAR-")) {
        assert!(
            !log.body.contains(marker),
            "{marker} on the access log page"
        );
    }
    app.cleanup().await;
}

#[tokio::test]
async fn the_dpo_produces_a_copy_only_from_a_registered_request_in_progress() {
    let app = TestApp::spawn().await;
    let person = app.inclusion.person;
    let dpo = app.token("dpo").await;
    let api = |token: String, method: Method, path: String, body: Option<serde_json::Value>| {
        let app = &app;
        async move { app.api(Some(&token), method, &path, body).await }
    };
    let register = "/api/v1/subject-access-requests".to_owned();
    // Only the DPO keeps the register.
    for who in ["admin", "social", "analyst"] {
        let t = app.token(who).await;
        assert_eq!(
            api(t.clone(), Method::GET, register.clone(), None)
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
    // Bad input: every field named, nothing written.
    let bad = api(dpo.clone(), Method::POST, register.clone(), Some(json!({"person": "x", "requester": "", "relation": "cousin", "identity_check": "trust", "received_on": "2999-01-01"}))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<String> = bad.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        fields,
        [
            "person",
            "requester",
            "relation",
            "identity_check",
            "received_on"
        ]
    );
    let unknown = api(dpo.clone(), Method::POST, register.clone(), Some(json!({"person": Uuid::now_v7(), "requester": "A", "relation": "person", "identity_check": "clave", "received_on": "2026-01-05"}))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["errors"][0]["code"], "error-sar-person");
    let listed = api(dpo.clone(), Method::GET, register.clone(), None).await;
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(0));
    // A request received long ago and still not answered is overdue; one month to answer.
    let r = api(dpo.clone(), Method::POST, register.clone(), Some(json!({"person": person, "requester": "Amaia Etxeberria", "relation": "person", "identity_check": "clave", "received_on": "2026-01-31"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let listed = api(dpo.clone(), Method::GET, register.clone(), None).await;
    let item = &listed.json()["items"][0];
    assert_eq!(item["deadline_on"], "2026-02-28");
    assert_eq!(item["status"], "received");
    assert_eq!(item["overdue"], true);
    // Received but not started: no copy.
    let copy = format!("/api/v1/subject-access-requests/{id}/copy");
    let early = api(dpo.clone(), Method::GET, copy.clone(), None).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(!early.body.contains(PERSON_SENTINEL));
    // Nobody else gets the copy, started or not.
    let social = app.token("social").await;
    assert_eq!(
        api(social, Method::GET, copy.clone(), None).await.status,
        StatusCode::FORBIDDEN
    );
    let status = format!("/api/v1/subject-access-requests/{id}/status");
    let manual = api(
        dpo.clone(),
        Method::POST,
        status.clone(),
        Some(json!({"status": "completed", "version": 1})),
    )
    .await;
    assert_eq!(manual.status, StatusCode::UNPROCESSABLE_ENTITY);
    let started = api(
        dpo.clone(),
        Method::POST,
        status.clone(),
        Some(json!({"status": "in_progress", "version": 1})),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let x = api(dpo.clone(), Method::GET, copy.clone(), None).await;
    assert_eq!(x.status, StatusCode::OK, "{}", x.body);
    assert_eq!(x.json()["person"]["surname1"], PERSON_SENTINEL);
    // Producing it completed the request and is in the trail with the request's id.
    let listed = api(dpo.clone(), Method::GET, register.clone(), None).await;
    assert_eq!(listed.json()["items"][0]["status"], "completed");
    assert_eq!(listed.json()["items"][0]["overdue"], false);
    let audited: i64 = on_pool!(&app.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'person.subject_access_export' AND subject_id = $1 AND detail LIKE $2")
        .bind(person.to_string()).bind(format!("%{id}%")).fetch_one(p).await.expect("count"));
    assert_eq!(audited, 1);
    let refused = api(
        dpo.clone(),
        Method::POST,
        status,
        Some(json!({"status": "refused", "version": 3})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    // The register page lists it; a request refused from the page gives no copy.
    let b = app.sign_in("dpo").await;
    let page = app
        .page(&b, Method::GET, "/subject-access-requests", &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("/subject-access-requests/{id}/copy"))
    );
    let bad = app
        .page(
            &b,
            Method::POST,
            "/subject-access-requests",
            &[
                ("person", &person.to_string()),
                ("requester", ""),
                ("relation", "person"),
                ("identity_check", "clave"),
                ("received_on", "2026-02-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("requester-error"),
        "the field's error is shown"
    );
    let ok = app
        .page(
            &b,
            Method::POST,
            "/subject-access-requests",
            &[
                ("person", &person.to_string()),
                ("requester", "Lawyer of the person"),
                ("relation", "legal_representative"),
                ("identity_check", "representation_document"),
                ("received_on", "2026-02-01"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let listed = api(dpo.clone(), Method::GET, register, None).await;
    let second = listed.json()["items"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|i| i["relation"] == "legal_representative")
                .cloned()
        })
        .expect("second request");
    let second_id = second["id"].as_str().expect("id").to_owned();
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/subject-access-requests/{second_id}/status"),
            &[("version", "1"), ("status", "refused")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let none = api(
        dpo,
        Method::GET,
        format!("/api/v1/subject-access-requests/{second_id}/copy"),
        None,
    )
    .await;
    assert_eq!(none.status, StatusCode::CONFLICT);
    app.cleanup().await;
}
