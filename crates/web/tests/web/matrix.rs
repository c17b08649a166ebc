//! The authorization matrix: expectations come from `tests/authorization-matrix.txt`, not from
//! the code. Every route of the router must be in the table.

use crate::common::{ACCOUNTS, Browser, PERSON_SENTINEL, Reply, STAFF_SENTINEL, TestApp};
use axum::http::{Method, StatusCode, header};
use elkarlan_domain::account::Role;
use std::collections::BTreeSet;

struct Row {
    method: String,
    path: String,
    relationship: String,
    anonymous: String,
    allowed: Vec<Role>,
    /// What a refused role gets: 403, or 404 where existence itself is confidential.
    denied: StatusCode,
}

fn table() -> Vec<Row> {
    include_str!("../authorization-matrix.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert!(cols.len() == 5 || cols.len() == 6, "bad matrix line: {l}");
            let allowed = match cols[4] {
                "all" => Role::ALL.to_vec(),
                "all-but-analyst" => Role::ALL
                    .into_iter()
                    .filter(|r| *r != Role::Analyst)
                    .collect(),
                "case-professionals" => Role::ALL
                    .into_iter()
                    .filter(|r| r.is_case_professional())
                    .collect(),
                list => list
                    .split(',')
                    .map(|c| {
                        Role::parse(c).unwrap_or_else(|_| panic!("unknown role {c} in matrix"))
                    })
                    .collect(),
            };
            let denied = match cols.get(5) {
                None | Some(&"403") => StatusCode::FORBIDDEN,
                Some(&"404") => StatusCode::NOT_FOUND,
                Some(other) => panic!("unknown denial {other}"),
            };
            Row {
                method: cols[0].into(),
                path: cols[1].into(),
                relationship: cols[2].into(),
                anonymous: cols[3].into(),
                allowed,
                denied,
            }
        })
        .collect()
}

#[test]
fn every_route_is_in_the_table_and_nothing_else() {
    let routes: BTreeSet<(String, String)> = elkarlan_web::routes::route_list()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    let rows: BTreeSet<(String, String)> =
        table().into_iter().map(|r| (r.method, r.path)).collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes without an authorization expectation: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

/// The request a role sends for a row: a shaped body so that authorization, not parsing, decides.
async fn send(
    app: &TestApp,
    row: &Row,
    browser: Option<&Browser>,
    token: Option<&str>,
    username: Option<&str>,
) -> Reply {
    let fx = &app.inclusion;
    // The API and the pages share the fixture: `/people/{id}` and `/api/v1/people/{id}` alike.
    let resource = row.path.strip_prefix("/api/v1").unwrap_or(&row.path);
    let resource = resource.strip_prefix("/exports").unwrap_or(resource);
    let id = if resource.starts_with("/people/") {
        fx.person.to_string()
    } else if resource.starts_with("/cases/") {
        fx.case.to_string()
    } else if resource.starts_with("/referrals/") {
        fx.referral.to_string()
    } else if resource.starts_with("/programmes/") {
        app.employment.programme.to_string()
    } else if resource.starts_with("/training-actions/") {
        app.employment.action.to_string()
    } else if resource.starts_with("/enrolments/") {
        app.employment.enrolment.to_string()
    } else if resource.starts_with("/itineraries/") {
        app.employment.itinerary.to_string()
    } else if resource.starts_with("/placements/") {
        app.employment.placement.to_string()
    } else if resource.starts_with("/agreements/") {
        app.agreements.agreement.to_string()
    } else if resource.starts_with("/projects/") {
        app.projects.project.to_string()
    } else if resource.starts_with("/commitments/") {
        app.agreements.commitment.to_string()
    } else if resource.starts_with("/subject-access-requests/") {
        // The request the test registered and started for the fixture person.
        elkarlan_store::on_pool!(&app.store, p => sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM subject_access_requests ORDER BY registered_at LIMIT 1")
            .fetch_one(p).await.expect("a subject access request")).to_string()
    } else {
        app.sentinel_user.to_string()
    };
    let path = row
        .path
        .replace("{id}", &id)
        .replace("{consent}", &fx.consent.to_string())
        .replace("{action}", &uuid::Uuid::nil().to_string())
        .replace("{step}", &app.employment.step.to_string())
        .replace("{months}", "3")
        .replace("{organisation}", &app.ecosystem.organisation.to_string())
        .replace("{year}", "2025")
        .replace("{activity}", &app.ecosystem.activity.to_string())
        .replace("{venture}", &app.ecosystem.venture.to_string())
        .replace("{agreement}", &app.agreements.agreement.to_string())
        .replace("{commitment}", &app.agreements.commitment.to_string())
        .replace("{project}", &app.projects.project.to_string())
        .replace("{format}", "csv")
        .replace("{indicator}", "TR-01")
        .replace("{area}", "1.01")
        .replace("{code}", "PL-01")
        .replace("{contract}", &app.procurement.contract.to_string())
        .replace("{clause}", &app.procurement.clause.to_string())
        .replace("{file}", "elkarlan.css")
        .replace("{token}", "no-such-enrolment-link");
    let method = Method::from_bytes(row.method.as_bytes()).expect("method");
    if path.starts_with("/api/v1/") {
        let body = match (row.method.as_str(), row.path.as_str()) {
            // Each role with its own credentials; anonymous visitors with none that work.
            ("POST", "/api/v1/auth/token") => Some(match username {
                Some(u) => serde_json::json!({"username": u, "password": crate::common::PASSWORD}),
                None => serde_json::json!({"username": "nobody", "password": "wrong password"}),
            }),
            (method, path) => api_body(method, path),
        };
        if row.method == "PATCH" {
            let mut req = axum::http::Request::builder()
                .method(method)
                .uri(&path)
                .header(header::HOST, "127.0.0.1:8080")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::IF_MATCH, "\"v999\"");
            if let Some(t) = token {
                req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
            }
            return app
                .send(
                    req.body(axum::body::Body::from(body.unwrap_or_default().to_string()))
                        .expect("req"),
                )
                .await;
        }
        return app.api(token, method, &path, body).await;
    }
    let fallback = Browser::default();
    let mut b = browser.cloned().unwrap_or(fallback);
    if b.csrf.is_empty() {
        // Anonymous visitors get their CSRF cookie from the login page first, as a browser would.
        let r = app.page(&b, Method::GET, "/login", &[]).await;
        b.absorb(&r);
    }
    let mut form: Vec<(&str, String)> = Vec::new();
    match row.path.as_str() {
        "/lang" => form.extend([("lang", "en".to_owned()), ("next", "/home".to_owned())]),
        "/login" => form.extend([
            ("username", "nobody".to_owned()),
            ("password", "wrong password".to_owned()),
        ]),
        "/account/totp" if row.method == "POST" => {
            let page = app.page(&b, Method::GET, "/account/totp", &[]).await;
            form.extend([
                ("secret_token", page.hidden("secret_token")),
                ("code", "000000".to_owned()),
            ]);
        }
        "/admin/users/{id}" if row.method == "POST" => form.push(("version", "999".to_owned())),
        _ => {}
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.page(&b, method, &path, &pairs).await
}

/// The body an API request of the matrix carries: shaped so that authorization, not parsing,
/// answers first.
pub(crate) fn api_body(method: &str, path: &str) -> Option<serde_json::Value> {
    match (method, path) {
        ("POST", "/api/v1/users") => {
            Some(serde_json::json!({"username": "", "display_name": "", "role": ""}))
        }
        ("PATCH", "/api/v1/people/{id}") => Some(serde_json::json!({"person": {}})),
        ("PATCH", _) => Some(serde_json::json!({"display_name": "Changed"})),
        ("POST", "/api/v1/agencies") => {
            Some(serde_json::json!({"name_eu": "", "name_es": "", "system": ""}))
        }
        ("POST", "/api/v1/people") => Some(serde_json::json!({"person": {}})),
        ("POST", "/api/v1/people/{id}/consents") => Some(serde_json::json!({})),
        ("POST", "/api/v1/cases/{id}/status") => {
            Some(serde_json::json!({"status": "", "version": 0}))
        }
        ("POST", "/api/v1/cases/{id}/break-glass") => {
            Some(serde_json::json!({"reason": "too short"}))
        }
        ("POST", "/api/v1/cases/{id}/referrals") => Some(serde_json::json!({})),
        ("POST", "/api/v1/subject-access-requests") => Some(
            serde_json::json!({"person": "", "requester": "", "relation": "", "identity_check": "", "received_on": ""}),
        ),
        ("POST", "/api/v1/subject-access-requests/{id}/status") => {
            Some(serde_json::json!({"status": "in_progress", "version": 999}))
        }
        ("POST", "/api/v1/referrals/{id}/transitions") => Some(serde_json::json!({})),
        // Any other API write gets an empty JSON object: the right shape for authorization to answer first.
        ("POST" | "PUT", _) => Some(serde_json::json!({})),
        _ => None,
    }
}

fn to_login(r: &Reply) -> bool {
    r.status == StatusCode::SEE_OTHER && r.header("location").ends_with("/login")
}

#[tokio::test]
async fn every_route_matches_the_table() {
    let app = TestApp::spawn().await;
    // Neighbourhood pages need the territory.
    crate::employment::load_territory(&app).await;
    // The subject access copy answers a registered request in progress.
    let dpo = app.token("dpo").await;
    crate::subject_access::request_in_progress(&app, &dpo, app.inclusion.person).await;
    let mut browsers = Vec::new();
    for (name, role) in ACCOUNTS {
        browsers.push((name, role, app.sign_in(name).await, app.token(name).await));
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in table() {
        // Anonymous visitor.
        let r = send(&app, &row, None, None, None).await;
        let ok = match row.anonymous.as_str() {
            "public" => {
                !matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                    && !to_login(&r)
            }
            "login" => to_login(&r),
            "401" => r.status == StatusCode::UNAUTHORIZED,
            other => panic!("unknown anonymous expectation {other}"),
        };
        if !ok {
            failures.push(format!(
                "{} {} anonymous: got {}",
                row.method, row.path, r.status
            ));
        }
        assert!(
            !r.body.contains(STAFF_SENTINEL)
                && !r.body.contains("SENTINEL-GETXO")
                && !r.body.contains(PERSON_SENTINEL),
            "{} {} anonymous leaked a sentinel",
            row.method,
            row.path
        );
        checked += 1;
        for (name, role, browser, token) in &browsers {
            // Sign-out and token revocation end the credential: use fresh ones.
            let fresh_browser;
            let fresh_token;
            let (b, t) = if row.path == "/logout"
                || (row.path == "/api/v1/auth/token" && row.method == "DELETE")
            {
                fresh_browser = app.sign_in(name).await;
                fresh_token = app.token(name).await;
                (&fresh_browser, fresh_token.as_str())
            } else {
                (browser, token.as_str())
            };
            let r = send(&app, &row, Some(b), Some(t), Some(name)).await;
            let allowed = row.allowed.contains(role);
            let ok = if allowed {
                !matches!(
                    r.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                ) && (!to_login(&r) || row.path == "/logout")
            } else {
                r.status == row.denied
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {name} ({}): expected {}, got {} {}",
                    row.method,
                    row.path,
                    row.relationship,
                    if allowed {
                        "allowed".to_owned()
                    } else {
                        row.denied.as_u16().to_string()
                    },
                    r.status,
                    r.header("location")
                ));
            }
            let may_see_staff = *role == Role::Administrator
                || (*role == Role::DataProtectionOfficer && row.path == "/api/v1/audit-events");
            if !may_see_staff && r.body.contains(STAFF_SENTINEL) {
                failures.push(format!(
                    "{} {} as {name}: staff sentinel leaked",
                    row.method, row.path
                ));
            }
            // The fixture person's team (social leads), the agency a referral was sent to
            // (lanbide), and the DPO's access log, audit trail and subject access copy.
            // The entity that runs the fixture course sees who is enrolled on it (the roster, its
            // download, and the attendance form shown again with its errors).
            let may_see_person = matches!(role, Role::SocialWorker | Role::EmploymentProfessional)
                || (*role == Role::TrainingEntityStaff
                    && row
                        .path
                        .starts_with("/api/v1/training-actions/{id}/enrolments"))
                || (*role == Role::TrainingEntityStaff
                    && (row.path.starts_with("/training-actions/{id}/roster")
                        || row.path.starts_with("/training-actions/{id}/attendance")
                        || row
                            .path
                            .starts_with("/exports/training-actions/{id}/roster")))
                || (*role == Role::DataProtectionOfficer
                    && (row.path == "/api/v1/audit-events"
                        || row.path.ends_with("/access-log")
                        || row.path.ends_with("/subject-access-requests/{id}/copy")));
            if !may_see_person && r.body.contains(PERSON_SENTINEL) {
                failures.push(format!(
                    "{} {} as {name}: the person sentinel leaked",
                    row.method, row.path
                ));
            }
            if r.body.contains("SENTINEL-GETXO") {
                failures.push(format!(
                    "{} {} as {name}: another tenant's sentinel leaked",
                    row.method, row.path
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, table().len() * (ACCOUNTS.len() + 1));
    app.cleanup().await;
}

/// The table rendered for people: committed as docs/authorization-matrix.md and kept in step.
#[test]
fn the_published_matrix_is_current() {
    let mut md = String::from(
        "# Authorization matrix\n\nGenerated from `crates/web/tests/authorization-matrix.txt` by `cargo test` (set `UPDATE_MATRIX=1` to rewrite).\n\
         The test `matrix::every_route_matches_the_table` proves each cell against the running router.\n\
         `yes`: allowed; `—`: refused (403, or 404 where the table says the record's existence is confidential), recorded as a `denied` row in the audit trail, in the person's access log when the path names a person or one of their records. Anonymous: `public`, `login` (sent to sign in) or `401`.\n\n| Method | Path | Relationship | Anonymous |",
    );
    for (name, _) in ACCOUNTS {
        md.push_str(&format!(" {name} |"));
    }
    md.push_str("\n|---|---|---|---|");
    for _ in ACCOUNTS {
        md.push_str("---|");
    }
    md.push('\n');
    for row in table() {
        md.push_str(&format!(
            "| {} | `{}` | {} | {} |",
            row.method, row.path, row.relationship, row.anonymous
        ));
        for (_, role) in ACCOUNTS {
            md.push_str(if row.allowed.contains(&role) {
                " yes |"
            } else {
                " — |"
            });
        }
        md.push('\n');
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/authorization-matrix.md");
    if std::env::var("UPDATE_MATRIX").is_ok() {
        std::fs::write(&path, &md).expect("write matrix");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, md,
        "docs/authorization-matrix.md is stale: run UPDATE_MATRIX=1 cargo test -p elkarlan-web --test web"
    );
}
