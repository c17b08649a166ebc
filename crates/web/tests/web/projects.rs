//! Strategic projects: pages and API for the coordinator, read-only for the analyst, refused to
//! everyone else; per-field errors for a duplicate code, an end before the start and a negative
//! budget; links to an agreement of the tenant.

use crate::common::TestApp;
use axum::http::{Method, StatusCode, header};
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_domain::portfolio::ProjectInput;
use elkarlan_domain::{ProjectId, TenantId};
use elkarlan_store::Store;
use serde_json::json;

pub struct Projects {
    pub project: ProjectId,
}

pub async fn fixture(store: &Store, tenant: TenantId) -> Projects {
    let grant = Grant::system(tenant, SystemTask::Bootstrap, Action::ManagePortfolio);
    let d = ProjectInput {
        code: "EKONOPOLO".into(),
        name_eu: "Ekonopoloa: ekonomia sozial eta solidarioaren poloa".into(),
        name_es: "Ekonopolo: polo de economía social y solidaria".into(),
        objectives: "Impulsar la economía social en Otxarkoaga".into(),
        status: "active".into(),
        starts_on: "2025-01-01".into(),
        ends_on: "2027-12-31".into(),
        budget: "2025; 100.000; 95.000\n2026; 120.000; 130.000,50".into(),
        ..ProjectInput::default()
    }
    .parse()
    .expect("valid project");
    let project = elkarlan_store::projects::create(
        store,
        &grant,
        &elkarlan_store::audit::RequestMeta::default(),
        &d,
    )
    .await
    .expect("project");
    Projects { project }
}

#[tokio::test]
async fn the_coordinator_creates_projects_by_page_and_api_with_per_field_errors() {
    let app = TestApp::spawn().await;
    let mut b = app.sign_in("coordinator").await;
    b.lang = Some("es");
    let form = |code: &'static str, end_year: &'static str, budget: &'static str| {
        vec![
            ("code", code),
            ("name_eu", "Otxarkoagako enplegu plana"),
            ("name_es", "Plan de empleo de Otxarkoaga"),
            ("objectives", "Empleo en el barrio"),
            ("status", "active"),
            ("starts_on-day", "1"),
            ("starts_on-month", "1"),
            ("starts_on-year", "2025"),
            ("ends_on-day", "31"),
            ("ends_on-month", "12"),
            ("ends_on-year", end_year),
            ("budget", budget),
        ]
    };
    let r = app
        .page(
            &b,
            Method::POST,
            "/projects/new",
            &form("otx-plan", "2027", "2025; 50.000; 60.000"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location").to_owned();
    assert!(location.starts_with("/projects/"), "{location}");
    let page = app.page(&b, Method::GET, &location, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Plan de empleo de Otxarkoaga"));
    assert!(page.body.contains("50.000,00"), "{}", page.body);
    assert!(
        page.body.contains("app-overspent"),
        "executed above planned is shown"
    );
    // The same code again: refused on the code field.
    let r = app
        .page(
            &b,
            Method::POST,
            "/projects/new",
            &form("OTX-PLAN", "2027", ""),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Otro proyecto ya tiene este código"),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#code\""));
    // End before start and a negative budget: both fields, nothing saved.
    let r = app
        .page(
            &b,
            Method::POST,
            "/projects/new",
            &form("OTHER", "2024", "2025; -10; 0"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#ends_on-day\""), "{}", r.body);
    assert!(r.body.contains("href=\"#budget\""), "{}", r.body);
    let list = app.page(&b, Method::GET, "/projects", &[]).await;
    assert!(list.body.contains("OTX-PLAN") && list.body.contains("EKONOPOLO"));
    assert!(!list.body.contains("OTHER"));

    // Through the API: create, read with ETag, change with If-Match, stale and missing tags.
    let token = app.token("coordinator").await;
    let body = json!({
        "code": "LANKIDETZA", "name_eu": "Lankidetza", "name_es": "Colaboración",
        "objectives": "", "status": "planned", "starts_on": "2025-01-01", "ends_on": "2026-12-31",
        "budget": "2025; 10.000; 0"
    });
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/projects",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_owned();
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/projects",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/projects/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag"), "\"v1\"");
    assert_eq!(r.json()["planned_cents"], 1_000_000);
    let r = app
        .api(
            Some(&token),
            Method::PUT,
            &format!("/api/v1/projects/{id}"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let put = |tag: &'static str| {
        axum::http::Request::builder()
            .method(Method::PUT)
            .uri(format!("/api/v1/projects/{id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::IF_MATCH, tag)
            .body(axum::body::Body::from(
                body.to_string().replace("planned", "active"),
            ))
            .expect("request")
    };
    assert_eq!(app.send(put("\"v1\"")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(put("\"v1\"")).await.status,
        StatusCode::PRECONDITION_FAILED
    );
    let r = app
        .api(
            Some(&token),
            Method::GET,
            &format!("/api/v1/projects/{id}"),
            None,
        )
        .await;
    assert_eq!(r.json()["status"], "active");
    let r = app
        .api(
            Some(&token),
            Method::POST,
            "/api/v1/projects",
            Some(json!({"code": "X", "ends_on": "nope"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    app.cleanup().await;
}

#[tokio::test]
async fn a_project_links_to_an_agreement_and_marks_overdue_milestones() {
    let app = TestApp::spawn().await;
    let project = app.projects.project;
    let agreement = app.agreements.agreement;
    let mut b = app.sign_in("coordinator").await;
    b.lang = Some("en");
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/projects/{project}/links/new"),
            &[("target", &format!("agreement:{agreement}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Twice is refused; an unknown record too.
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/projects/{project}/links/new"),
            &[("target", &format!("agreement:{agreement}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("already linked"), "{}", r.body);
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/projects/{project}/links/new"),
            &[("target", &format!("contract:{agreement}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/projects/{project}/milestones/new"),
            &[
                ("title", "Opening of the pole"),
                ("due_on-day", "1"),
                ("due_on-month", "3"),
                ("due_on-year", "2025"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .page(&b, Method::GET, &format!("/projects/{project}"), &[])
        .await;
    assert!(
        page.body
            .contains(&format!("href=\"/agreements/{agreement}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Opening of the pole"));
    assert!(
        page.body.contains("app-overdue"),
        "an undone milestone in the past is overdue"
    );
    assert!(page.body.contains("project-budget-total"));
    app.cleanup().await;
}

#[tokio::test]
async fn the_analyst_reads_projects_and_everyone_else_is_refused() {
    let app = TestApp::spawn().await;
    let project = app.projects.project;
    let analyst = app.sign_in("analyst").await;
    let r = app.page(&analyst, Method::GET, "/projects", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("EKONOPOLO"));
    assert!(
        !r.body.contains("/projects/new"),
        "no create button for the analyst"
    );
    let r = app
        .page(&analyst, Method::GET, &format!("/projects/{project}"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("/edit"), "read-only");
    for path in [
        format!("/projects/{project}/edit"),
        "/projects/new".to_owned(),
    ] {
        let r = app.page(&analyst, Method::GET, &path, &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let t = app.token("analyst").await;
    let r = app
        .api(Some(&t), Method::GET, "/api/v1/projects", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/projects",
            Some(json!({"code": ""})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "authorization before validation"
    );
    for who in ["social", "lanbide", "trainer", "admin", "dpo"] {
        let b = app.sign_in(who).await;
        let r = app.page(&b, Method::GET, "/projects", &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let t = app.token(who).await;
        let r = app
            .api(
                Some(&t),
                Method::GET,
                &format!("/api/v1/projects/{project}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    app.cleanup().await;
}
