//! Employment through the API: programmes and courses, the entity's roster and attendance, a
//! person's itinerary, enrolment, placement and follow-ups, and referral lists imported from
//! files made by a real spreadsheet program (LibreOffice Calc).

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use serde_json::json;

const GOOD_XLSX: &[u8] = include_bytes!("../../../tabular/tests/fixtures/referrals_good.xlsx");
pub(crate) const GOOD_CSV: &[u8] =
    include_bytes!("../../../tabular/tests/fixtures/referrals_good.csv");
const MIXED_XLSX: &[u8] = include_bytes!("../../../tabular/tests/fixtures/referrals_mixed.xlsx");
const TERRITORY: &str = include_str!("../../../app/data/bilbao-territory.csv");

pub(crate) async fn load_territory(app: &TestApp) {
    let rows = elkarlan_domain::territory::parse_territory_csv(TERRITORY).expect("territory");
    let grant = Grant::system(app.tenant, SystemTask::Bootstrap, Action::ViewTerritory);
    elkarlan_store::territory::load(&app.store, &grant, &rows)
        .await
        .expect("load");
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    file: &[u8],
    query: &str,
) -> crate::common::Reply {
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "/api/v1/programmes/{}/referral-imports?{query}",
            app.employment.programme
        ))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(file.to_vec()))
        .expect("request");
    app.send(req).await
}

async fn people_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = match &app.store {
        elkarlan_store::Store::Sqlite(p) => sqlx::query_as("SELECT COUNT(*) FROM people")
            .fetch_one(p)
            .await
            .expect("count"),
        elkarlan_store::Store::Postgres(p) => sqlx::query_as("SELECT COUNT(*) FROM people")
            .fetch_one(p)
            .await
            .expect("count"),
    };
    n
}

#[tokio::test]
async fn a_referral_list_is_imported_whole_once_and_reported_row_by_row() {
    let app = TestApp::spawn().await;
    load_territory(&app).await;
    let lanbide = app.token("lanbide").await;
    let before = people_count(&app).await;

    // Two bad rows: nothing is written, and every bad field is named.
    let r = upload(&app, &lanbide, MIXED_XLSX, "file_name=zerrenda.xlsx").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let report = r.json();
    assert_eq!(report["imported"], false);
    assert_eq!(report["invalid"], 2, "{report}");
    let bad: Vec<(u64, Vec<String>)> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| !row["errors"].as_array().expect("errors").is_empty())
        .map(|row| {
            (
                row["row"].as_u64().expect("row"),
                row["errors"]
                    .as_array()
                    .expect("errors")
                    .iter()
                    .map(|e| e["field"].as_str().expect("field").to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].1.contains(&"referral_date".to_owned()), "{bad:?}");
    assert!(bad[1].1.contains(&"reference".to_owned()), "{bad:?}");
    assert_eq!(people_count(&app).await, before, "nothing half-imported");

    // The user may choose to import the valid rows only.
    let r = upload(&app, &lanbide, MIXED_XLSX, "skip_invalid=true").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["created"], 2, "{}", r.body);

    // A good list, as XLSX: four people registered, each with a case led by the importer.
    let r = upload(&app, &lanbide, GOOD_XLSX, "file_name=derivaciones.xlsx").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["created"], 4, "{report}");
    assert_eq!(people_count(&app).await, before + 6);
    let first = report["rows"][0]["person"]
        .as_str()
        .expect("person")
        .to_owned();
    let file = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/people/{first}/employment"),
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.json()["profile"]["income_guarantee"], true);
    assert_eq!(file.json()["profile"]["unemployed_since"], "2025-01-10");

    // The same list again, now as the CSV export of the same sheet: nothing new.
    let r = upload(&app, &lanbide, GOOD_CSV, "file_name=derivaciones.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["already_imported"], 4, "{}", r.body);
    assert_eq!(r.json()["created"], 0);
    assert_eq!(
        people_count(&app).await,
        before + 6,
        "idempotent on re-import"
    );

    // Garbage is refused as a file, with its own message.
    let r = upload(&app, &lanbide, b"PK\x03\x04 not really a zip", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "file", "{}", r.body);

    // Only the employment service's professionals import lists.
    let social = app.token("social").await;
    assert_eq!(
        upload(&app, &social, GOOD_CSV, "").await.status,
        StatusCode::FORBIDDEN
    );
    app.cleanup().await;
}

#[tokio::test]
async fn an_entity_records_attendance_on_its_own_course_only() {
    let app = TestApp::spawn().await;
    let trainer = app.token("trainer").await;
    let action = app.employment.action;
    let roster = app
        .api(
            Some(&trainer),
            Method::GET,
            &format!("/api/v1/training-actions/{action}/enrolments"),
            None,
        )
        .await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    let enrolment = roster.json()["enrolments"][0]["enrolment"]["id"]
        .as_str()
        .expect("enrolment")
        .to_owned();
    let sessions = roster.json()["sessions"]
        .as_array()
        .expect("sessions")
        .len();
    assert_eq!(sessions, 15, "three weeks of weekdays");
    let mark = |session: String, mark: &str| json!({"session": session, "marks": {enrolment.clone(): mark}});
    let ok = app
        .api(
            Some(&trainer),
            Method::POST,
            &format!("/api/v1/training-actions/{action}/attendance"),
            Some(mark("1".into(), "present")),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // Beyond the calendar, and an unknown mark: both named.
    let bad = app
        .api(
            Some(&trainer),
            Method::POST,
            &format!("/api/v1/training-actions/{action}/attendance"),
            Some(mark((sessions + 1).to_string(), "late")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let codes: Vec<&str> = bad.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .map(|s| Box::leak(s.to_owned().into_boxed_str()) as &str)
        .collect();
    assert!(codes.contains(&"error-session-beyond"), "{codes:?}");
    let roster = app
        .api(
            Some(&trainer),
            Method::GET,
            &format!("/api/v1/training-actions/{action}/enrolments"),
            None,
        )
        .await;
    assert_eq!(roster.json()["enrolments"][0]["enrolment"]["present"], 1);
    assert_eq!(roster.json()["enrolments"][0]["marks"]["1"], "present");
    // The entity reads nothing of the person's file; other professionals no roster.
    let person = app.inclusion.person;
    let r = app
        .api(
            Some(&trainer),
            Method::GET,
            &format!("/api/v1/people/{person}/employment"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let housing = app.token("housing").await;
    let r = app
        .api(
            Some(&housing),
            Method::GET,
            &format!("/api/v1/training-actions/{action}/enrolments"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Completion with a certificate, then no more marks for that enrolment.
    let today = chrono::Utc::now().date_naive().to_string();
    let done = app
        .api(Some(&trainer), Method::PUT, &format!("/api/v1/enrolments/{enrolment}"), Some(json!({"status": "completed", "on": today, "certificate": "HOTR0108", "version": 1})))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let late = app
        .api(
            Some(&trainer),
            Method::POST,
            &format!("/api/v1/training-actions/{action}/attendance"),
            Some(mark("2".into(), "present")),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    app.cleanup().await;
}

#[tokio::test]
async fn enrolments_refuse_overlaps_and_placements_schedule_follow_ups() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("coordinator").await;
    let social = app.token("social").await;
    let person = app.inclusion.person;
    let programme = app.employment.programme;
    // A second course on the same mornings as the fixture course.
    let fixture = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/training-actions/{}", app.employment.action),
            None,
        )
        .await
        .json();
    let entity = fixture["action"]["provider"]
        .as_str()
        .expect("provider")
        .to_owned();
    let course = |from: &str, to: &str| {
        json!({
            "provider": entity, "title_eu": "Garbiketa", "title_es": "Limpieza", "status": "open", "hours": "40",
            "places": "10", "location": "Txurdinaga", "occupation": "9112.1", "language": "es",
            "starts_on": fixture["action"]["starts_on"], "ends_on": fixture["action"]["ends_on"],
            "weekdays": ["mon", "wed"], "time_from": from, "time_to": to
        })
    };
    let r = app
        .api(
            Some(&coordinator),
            Method::POST,
            &format!("/api/v1/programmes/{programme}/actions"),
            Some(course("12:00", "14:00")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let overlapping = r.json()["id"].as_str().expect("id").to_owned();
    let r = app
        .api(
            Some(&coordinator),
            Method::POST,
            &format!("/api/v1/programmes/{programme}/actions"),
            Some(course("15:00", "17:00")),
        )
        .await;
    let afternoon = r.json()["id"].as_str().expect("id").to_owned();
    let enrol =
        |action: &str| json!({"action": action, "itinerary": app.employment.itinerary.to_string()});
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/enrolments"),
            Some(enrol(&overlapping)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["code"], "error-enrolment-overlap");
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/enrolments"),
            Some(enrol(&afternoon)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/people/{person}/enrolments"),
            Some(enrol(&afternoon)),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "error-already-enrolled");

    // Placement: end before start and an unknown ESCO code are named; a good one schedules three follow-ups.
    let r = app
        .api(Some(&social), Method::POST, &format!("/api/v1/people/{person}/placements"), Some(json!({
            "employer": "Ekintza Garbiketak", "contract_type": "special_employment_centre", "starts_on": "2026-09-01",
            "ends_on": "2026-08-01", "weekly_hours": "25", "occupation": "0000.0", "sector": "N"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            format!(
                "{}={}",
                e["field"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        fields.contains(&"ends_on=error-placement-end-before-start".to_owned()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"occupation=error-esco-unknown".to_owned()),
        "{fields:?}"
    );
    let r = app
        .api(Some(&social), Method::POST, &format!("/api/v1/people/{person}/placements"), Some(json!({
            "employer": "Ekintza Garbiketak", "contract_type": "special_employment_centre", "starts_on": "2026-09-01",
            "weekly_hours": "25", "occupation": "9112.1", "sector": "N"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people/{person}/employment"),
            None,
        )
        .await
        .json();
    let placement = file["placements"]
        .as_array()
        .expect("placements")
        .iter()
        .find(|p| p["starts_on"] == "2026-09-01")
        .expect("placement");
    let due: Vec<&str> = placement["follow_ups"]
        .as_array()
        .expect("follow-ups")
        .iter()
        .filter_map(|f| f["due_on"].as_str())
        .collect();
    assert_eq!(due, ["2026-12-01", "2027-03-01", "2027-09-01"]);
    assert!(placement["social_clause"].is_null());
    // The fixture placement started 100 days ago: its 3-month follow-up is due for social.
    let due = app
        .api(Some(&social), Method::GET, "/api/v1/follow-ups/due", None)
        .await
        .json();
    assert!(
        due.as_array()
            .expect("due")
            .iter()
            .any(|d| d["months"] == 3 && d["placement"] == app.employment.placement.to_string()),
        "{due}"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    let r = app
        .api(Some(&social), Method::PUT, &format!("/api/v1/placements/{}/follow-ups/3", app.employment.placement), Some(json!({
            "checked_on": today, "still_employed": "yes", "same_employer": "yes", "evidence": "employer"})))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let due = app
        .api(Some(&social), Method::GET, "/api/v1/follow-ups/due", None)
        .await
        .json();
    assert!(
        !due.as_array()
            .expect("due")
            .iter()
            .any(|d| d["placement"] == app.employment.placement.to_string())
    );
    app.cleanup().await;
}

#[tokio::test]
async fn eligibility_is_explained_and_only_suggested() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("coordinator").await;
    let social = app.token("social").await;
    let p = app
        .api(
            Some(&coordinator),
            Method::GET,
            &format!("/api/v1/programmes/{}", app.employment.programme),
            None,
        )
        .await;
    let etag = p.header("etag").to_owned();
    let mut body = p.json()["programme"].clone();
    let rules = json!({"all_of": [{"kind": "age_between", "min": 18, "max": 29}]}).to_string();
    let input = json!({
        "name_eu": body["name_eu"], "name_es": body["name_es"], "year": body["year"].to_string(), "status": "open",
        "promoter": body["promoter"], "partners": body["partners"], "places": "40",
        "starts_on": body["starts_on"], "ends_on": body["ends_on"], "eligibility": rules,
        "funding": "Bilbao Ekintza; 150.000"
    });
    // Without If-Match: 428; with a stale one: 412; with the one read: done.
    let r = app
        .api(
            Some(&coordinator),
            Method::PUT,
            &format!("/api/v1/programmes/{}", app.employment.programme),
            Some(input.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    let put = |tag: &str| {
        Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/v1/programmes/{}", app.employment.programme))
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {coordinator}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, tag)
            .body(Body::from(input.to_string()))
            .expect("request")
    };
    assert_eq!(
        app.send(put("\"v99\"")).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    let r = app.send(put(&etag)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    body = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people/{}/employment", app.inclusion.person),
            None,
        )
        .await
        .json();
    let s = &body["suggestions"][0];
    // The fixture person was born in 1988: too old for an 18–29 programme, and told why.
    assert_eq!(s["outcome"], "not_eligible", "{s}");
    assert_eq!(s["reasons"][0]["met"], false);
    assert!(!s["reasons"][0]["text"].as_str().expect("text").is_empty());
    // A course with its own rule (women only) is suggested, and explained, on its own.
    let course = app
        .api(
            Some(&coordinator),
            Method::GET,
            &format!("/api/v1/training-actions/{}", app.employment.action),
            None,
        )
        .await;
    let a = course.json()["action"].clone();
    let mut edit = json!({
        "provider": a["provider"], "title_eu": a["title_eu"], "title_es": a["title_es"], "status": "open",
        "hours": a["hours"].to_string(), "places": a["places"].to_string(), "location": a["location"],
        "occupation": a["occupation"], "language": a["language"], "starts_on": a["starts_on"], "ends_on": a["ends_on"],
        "weekdays": a["weekdays"], "time_from": a["time_from"], "time_to": a["time_to"],
        "eligibility": "{\"all_of\":[{\"kind\":\"sex\",\"any_of\":[\"woman\"]}]}"
    });
    let put = Request::builder()
        .method(Method::PUT)
        .uri(format!(
            "/api/v1/training-actions/{}",
            app.employment.action
        ))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {coordinator}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, course.header("etag"))
        .body(Body::from(edit.to_string()))
        .expect("request");
    let r = app.send(put).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Rules that are not valid are refused by field.
    edit["eligibility"] = json!("{\"all_of\":[{\"kind\":\"astrology\"}]}");
    let r = app
        .api(
            Some(&coordinator),
            Method::POST,
            &format!("/api/v1/programmes/{}/actions", app.employment.programme),
            Some(edit),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "eligibility", "{}", r.body);
    let file = app
        .api(
            Some(&social),
            Method::GET,
            &format!("/api/v1/people/{}/employment", app.inclusion.person),
            None,
        )
        .await
        .json();
    let c = &file["course_suggestions"][0];
    assert_eq!(c["action"], app.employment.action.to_string(), "{file}");
    assert_eq!(
        c["outcome"], "eligible",
        "the fixture person is a woman: {c}"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn lists_download_as_csv_and_xlsx_with_formulas_neutralised() {
    let app = TestApp::spawn().await;
    let coordinator = app.token("coordinator").await;
    let promoter = app
        .api(
            Some(&coordinator),
            Method::GET,
            &format!("/api/v1/programmes/{}", app.employment.programme),
            None,
        )
        .await
        .json()["programme"]["promoter"]
        .clone();
    let r = app
        .api(Some(&coordinator), Method::POST, "/api/v1/programmes", Some(json!({
            "name_eu": "=HYPERLINK(\"http://evil.example\",\"klik\")", "name_es": "+Plan singular", "year": "2026",
            "promoter": promoter, "places": "10", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "funding": "Lanbide; 1.000,50"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let b = app.sign_in("coordinator").await;
    let csv = app
        .page(&b, Method::GET, "/exports/programmes/csv", &[])
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains("programmes-"));
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
    assert!(csv.body.contains("'+Plan singular"), "{}", csv.body);
    assert!(!csv.body.contains(",=HYPERLINK"), "{}", csv.body);
    assert!(csv.body.contains("1.000,50"), "{}", csv.body);
    let xlsx = app
        .page(&b, Method::GET, "/exports/programmes/xlsx", &[])
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    assert!(xlsx.body.starts_with("PK"), "an XLSX file is a ZIP archive");
    // A list with personal data follows its page's rules: only the provider gets the roster.
    let trainer = app.sign_in("trainer").await;
    let roster = app
        .page(
            &trainer,
            Method::GET,
            &format!(
                "/exports/training-actions/{}/roster/csv",
                app.employment.action
            ),
            &[],
        )
        .await;
    assert_eq!(roster.status, StatusCode::OK);
    assert!(roster.body.contains(crate::common::PERSON_SENTINEL));
    let housing = app.sign_in("housing").await;
    let denied = app
        .page(
            &housing,
            Method::GET,
            &format!(
                "/exports/training-actions/{}/roster/csv",
                app.employment.action
            ),
            &[],
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let odd = app
        .page(&b, Method::GET, "/exports/programmes/ods", &[])
        .await;
    assert_eq!(odd.status, StatusCode::NOT_FOUND);
    app.cleanup().await;
}

fn multipart(csrf: &str, file: &[u8], skip: bool) -> (String, Vec<u8>) {
    let boundary = "elkarlan-test-boundary";
    let mut body = Vec::new();
    let mut part = |head: String, data: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"csrf\"".into(),
        csrf.as_bytes(),
    );
    if skip {
        part(
            "Content-Disposition: form-data; name=\"skip_invalid\"".into(),
            b"yes",
        );
    }
    part(
        "Content-Disposition: form-data; name=\"file\"; filename=\"zerrenda.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        file,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_import_page_reports_each_row_in_the_readers_language() {
    let app = TestApp::spawn().await;
    load_territory(&app).await;
    let mut b = app.sign_in("lanbide").await;
    b.lang = Some("es");
    let path = format!("/programmes/{}/import", app.employment.programme);
    let form = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("multipart/form-data"));
    let post = |file: &'static [u8], skip: bool| {
        let (ct, body) = multipart(&b.csrf, file, skip);
        Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(header::COOKIE, b.cookie_header())
            .header(header::ACCEPT_LANGUAGE, "es")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request")
    };
    let r = app.send(post(MIXED_XLSX, false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("No se ha importado nada: 2 de 4 filas tienen errores"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Fecha de derivación: "),
        "the column is named as offices write it"
    );
    let r = app.send(post(MIXED_XLSX, true)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Personas nuevas: 2"), "{}", r.body);
    let r = app.send(post(b"", false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Elige el archivo"), "{}", r.body);
    let list = app
        .page(
            &b,
            Method::GET,
            &format!("/programmes/{}/referrals", app.employment.programme),
            &[],
        )
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("LAN-2026-0101"), "{}", list.body);
    // Other roles cannot open the page.
    let social = app.sign_in("social").await;
    assert_eq!(
        app.page(&social, Method::GET, &path, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    app.cleanup().await;
}

/// A one-row list names a person whose case social services leads, with their document, and
/// another row without a document names a second person by name and birth date. The import
/// gives the importer no access to either case: the first case's lead is asked to take the
/// importer on, and the second row registers a new record reported as a possible duplicate.
#[tokio::test]
async fn an_import_never_joins_a_case_by_itself() {
    let app = TestApp::spawn().await;
    let social = app.token("social").await;
    let lanbide = app.token("lanbide").await;
    let register = |given: &str, surname: &str, birth: &str, dni: &str| {
        json!({"person": {"given_name": given, "surname1": surname, "birth_date": birth, "sex": "woman",
            "languages": "es", "preferred_lang": "es", "document_kind": if dni.is_empty() { "" } else { "dni" },
            "document_number": dni, "phone": "600 000 009"}, "confirmed_new": true})
    };
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/people",
            Some(register("Garazi", "Ibarrola", "1984-06-11", "45678123P")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (documented, documented_case) = (
        r.json()["person"].as_str().expect("person").to_owned(),
        r.json()["case"].as_str().expect("case").to_owned(),
    );
    let r = app
        .api(
            Some(&social),
            Method::POST,
            "/api/v1/people",
            Some(register("Nerea", "Arrieta", "1979-02-03", "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (namesake, namesake_case) = (
        r.json()["person"].as_str().expect("person").to_owned(),
        r.json()["case"].as_str().expect("case").to_owned(),
    );
    let note = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/cases/{documented_case}/notes"),
            Some(json!({"body": "Nota del equipo: vivienda", "confidentiality": "team"})),
        )
        .await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    let before = people_count(&app).await;

    let csv = "\"Referencia\";\"Nombre\";\"Primer apellido\";\"Tipo de documento\";\"Nº documento\";\"Fecha de nacimiento\";\"Sexo\";\"Fecha de derivación\"\n\
               \"LAN-2026-0901\";\"Garazi\";\"Ibarrola\";\"DNI\";\"45678123P\";11/06/1984;\"Mujer\";05/10/2026\n\
               \"LAN-2026-0902\";\"Nerea\";\"Arrieta\";;;03/02/1979;\"Mujer\";05/10/2026\n";
    let r = upload(&app, &lanbide, csv.as_bytes(), "file_name=una.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["rows"][0]["outcome"], "awaiting_team", "{report}");
    assert!(
        report["rows"][0]["person"].is_null(),
        "the report does not link to a case the importer does not work on: {report}"
    );
    assert_eq!(
        report["rows"][1]["outcome"], "created_possible_duplicate",
        "{report}"
    );
    assert_ne!(
        report["rows"][1]["person"].as_str(),
        Some(namesake.as_str())
    );
    assert!(!r.body.contains(&namesake) && !r.body.contains(&documented));
    assert_eq!(report["awaiting_team"], 1, "{report}");
    assert_eq!(report["possible_duplicates"], 1, "{report}");
    assert_eq!(
        people_count(&app).await,
        before + 1,
        "the row without a document is a new record"
    );

    // No access of any kind from the import.
    for path in [
        format!("/api/v1/cases/{documented_case}"),
        format!("/api/v1/cases/{documented_case}/casework"),
        format!("/api/v1/people/{documented}"),
        format!("/api/v1/cases/{namesake_case}"),
        format!("/api/v1/people/{namesake}"),
    ] {
        let r = app.api(Some(&lanbide), Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(!r.body.contains("Nota del equipo"));
    }
    let r = app
        .api(
            Some(&lanbide),
            Method::POST,
            &format!("/api/v1/cases/{documented_case}/notes"),
            Some(json!({"body": "Nota", "confidentiality": "team"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // The lead finds the request in the inbox and answers it as any referral; a colleague of
    // the lead's agency who is not on the team does not see it.
    let colleague = app.token("sentinel").await;
    let theirs = app
        .api(Some(&colleague), Method::GET, "/api/v1/referrals", None)
        .await;
    assert!(!theirs.body.contains(&documented_case), "{}", theirs.body);
    let inbox = app
        .api(Some(&social), Method::GET, "/api/v1/referrals", None)
        .await;
    let request = inbox.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["referral"]["case"] == documented_case.as_str())
        .cloned()
        .expect("the request to join is in the lead's inbox");
    assert_eq!(request["referral"]["kind"], "join_request");
    assert_eq!(request["referral"]["status"], "sent");
    let id = request["referral"]["id"].as_str().expect("id");
    // Only the lead answers it: not the importer, not a colleague.
    for token in [&lanbide, &colleague] {
        let r = app
            .api(
                Some(token),
                Method::POST,
                &format!("/api/v1/referrals/{id}/transitions"),
                Some(json!({"status": "accepted", "version": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    // Re-importing the list asks nothing again.
    let again = upload(&app, &lanbide, csv.as_bytes(), "").await;
    assert_eq!(again.json()["already_imported"], 2, "{}", again.body);
    let inbox = app
        .api(Some(&social), Method::GET, "/api/v1/referrals", None)
        .await;
    assert_eq!(
        inbox.body.matches(documented_case.as_str()).count(),
        1,
        "{}",
        inbox.body
    );
    let r = app
        .api(
            Some(&social),
            Method::POST,
            &format!("/api/v1/referrals/{id}/transitions"),
            Some(json!({"status": "accepted", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // Accepted by the lead: now the importer works on the case.
    let r = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/cases/{documented_case}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["relationship"], "team_member");
    app.cleanup().await;
}

// Shared with the reader's tests, which use all of it.
#[allow(dead_code)]
#[path = "../../../tabular/tests/common/xlsx_bomb.rs"]
mod xlsx_bomb;

#[tokio::test]
async fn a_spreadsheet_bomb_is_refused_in_the_readers_language_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    load_territory(&app).await;
    // About 4 MB of shared strings in a few kilobytes: far above twenty times its size.
    let bomb = xlsx_bomb::bomb(40);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let before = people_count(&app).await;
    let lanbide = app.token("lanbide").await;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!(
            "/api/v1/programmes/{}/referral-imports",
            app.employment.programme
        ))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {lanbide}"))
        .header(header::ACCEPT_LANGUAGE, "eu")
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bomb.clone()))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let error = &r.json()["errors"][0];
    assert_eq!(error["field"], "file", "{}", r.body);
    assert_eq!(error["code"], "import-error-too-much-data", "{}", r.body);
    assert_eq!(
        error["message"],
        elkarlan_templates::i18n::t(elkarlan_domain::Lang::Eu, "import-error-too-much-data"),
    );
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("datu gehiago")),
        "{}",
        r.body
    );
    // The page says it in Spanish, on the form.
    let mut b = app.sign_in("lanbide").await;
    b.lang = Some("es");
    let path = format!("/programmes/{}/import", app.employment.programme);
    let form = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let (ct, body) = multipart(&b.csrf, &bomb, false);
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::COOKIE, b.cookie_header())
        .header(header::ACCEPT_LANGUAGE, "es")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("El archivo contiene muchos más datos de lo que su tamaño indica"),
        "{}",
        r.body
    );
    assert_eq!(people_count(&app).await, before, "nothing written");
    app.cleanup().await;
}

#[tokio::test]
async fn imports_beyond_the_configured_number_wait_their_turn_with_503() {
    let mut config = crate::common::fast_config();
    config.max_concurrent_imports = 1;
    let app = TestApp::spawn_with(config).await;
    load_territory(&app).await;
    let lanbide = app.token("lanbide").await;
    let before = people_count(&app).await;
    // Another import holds the one place.
    let running = app.state.import_slot().expect("a free place");
    let r = upload(&app, &lanbide, GOOD_CSV, "").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.header("retry-after"), "30");
    assert_eq!(r.json()["type"], "/api/docs#problem-imports-busy");
    assert_eq!(people_count(&app).await, before, "nothing written");
    // Who may not import is still told so first.
    let social = app.token("social").await;
    assert_eq!(
        upload(&app, &social, GOOD_CSV, "").await.status,
        StatusCode::FORBIDDEN
    );
    // The page, in Basque.
    let mut b = app.sign_in("lanbide").await;
    b.lang = Some("eu");
    let path = format!("/programmes/{}/import", app.employment.programme);
    let form = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let (ct, body) = multipart(&b.csrf, GOOD_XLSX, false);
    let req = Request::builder()
        .method(Method::POST)
        .uri(&path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::COOKIE, b.cookie_header())
        .header(header::ACCEPT_LANGUAGE, "eu")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.header("retry-after"), "30");
    assert!(
        r.body.contains("Beste inportazio batzuk abian dira"),
        "{}",
        r.body
    );
    // An OCDS package waits too, before it is even parsed.
    let coordinator = app.sign_in("coordinator").await;
    let form = app
        .page(&coordinator, Method::GET, "/contracts/import", &[])
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let boundary = "XBUSYX";
    let ocds = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.json\"\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{boundary}--\r\n",
        coordinator.csrf
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/contracts/import")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::COOKIE, coordinator.cookie_header())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(ocds))
        .expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::SERVICE_UNAVAILABLE);
    // Once the other import ends, the list goes in.
    drop(running);
    let r = upload(&app, &lanbide, GOOD_CSV, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(people_count(&app).await > before);
    app.cleanup().await;
}

/// The audit rows about a person's employment profile, as (action, detail).
async fn profile_audit_rows(app: &TestApp, person: &str) -> Vec<(String, String)> {
    const SQL: &str = "SELECT action, detail FROM audit_events WHERE entity_type = 'employment_profile' AND subject_id = $1 ORDER BY seq";
    elkarlan_store::on_pool!(&app.store, p => sqlx::query_as::<_, (String, String)>(SQL)
        .bind(person).fetch_all(p).await.expect("audit rows"))
}

#[tokio::test]
async fn an_import_fills_only_what_its_rows_hold_and_audits_what_it_changes() {
    let app = TestApp::spawn().await;
    let lanbide = app.token("lanbide").await;
    let header = "\"Referencia\";\"Nombre\";\"Primer apellido\";\"Tipo de documento\";\"Nº documento\";\"Fecha de nacimiento\";\"Sexo\";\"Fecha de derivación\"";
    let first = format!(
        "{header};\"Desempleado desde\";\"RGI\"\n\"LAN-2026-0951\";\"Irati\";\"Goikoetxea\";\"DNI\";\"12345678Z\";04/09/1990;\"Mujer\";01/10/2026;10/01/2025;\"Sí\"\n"
    );
    let r = upload(&app, &lanbide, first.as_bytes(), "file_name=lehena.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let person = r.json()["rows"][0]["person"]
        .as_str()
        .expect("person")
        .to_owned();
    // The professional completes the profile by hand.
    let r = app
        .api(
            Some(&lanbide),
            Method::PUT,
            &format!("/api/v1/people/{person}/employment-profile"),
            Some(
                json!({"unemployed_since": "2025-01-10", "income_guarantee": "yes",
                "disability_percent": "33", "isced": "2"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let audited_before = profile_audit_rows(&app, &person).await.len();

    // A later list knows only the education level.
    let second = format!(
        "{header};\"Nivel ISCED\"\n\"LAN-2026-0952\";\"Irati\";\"Goikoetxea\";\"DNI\";\"12345678Z\";04/09/1990;\"Mujer\";02/10/2026;3\n"
    );
    let r = upload(&app, &lanbide, second.as_bytes(), "file_name=bigarrena.csv").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["matched"], 1, "{}", r.body);
    let file = app
        .api(
            Some(&lanbide),
            Method::GET,
            &format!("/api/v1/people/{person}/employment"),
            None,
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let profile = &file.json()["profile"];
    assert_eq!(profile["isced"], 3, "{profile}");
    assert_eq!(profile["disability_percent"], 33, "kept: {profile}");
    assert_eq!(profile["income_guarantee"], true, "kept: {profile}");
    assert_eq!(profile["unemployed_since"], "2025-01-10", "kept: {profile}");
    // The change is audited like a form's, naming the fact it changed (never its value).
    let rows = profile_audit_rows(&app, &person).await;
    assert_eq!(rows.len(), audited_before + 1, "{rows:?}");
    let (_, detail) = rows.last().expect("row");
    let detail: serde_json::Value = serde_json::from_str(detail).expect("detail");
    assert_eq!(detail["fields"], json!(["isced"]), "{detail}");

    // The same facts again change nothing and add no row.
    let third = second.replace("LAN-2026-0952", "LAN-2026-0953");
    let r = upload(
        &app,
        &lanbide,
        third.as_bytes(),
        "file_name=hirugarrena.csv",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        profile_audit_rows(&app, &person).await.len(),
        audited_before + 1
    );
    app.cleanup().await;
}
