//! Headers, operations endpoints, error pages, the OpenAPI document and e-mail delivery.

use crate::common::{TestApp, fast_config};
use axum::http::{Method, StatusCode};
use elkarlan_domain::Timestamp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[tokio::test]
async fn security_headers_on_pages_api_and_errors() {
    let app = TestApp::spawn().await;
    let b = crate::common::Browser::default();
    for r in [
        app.page(&b, Method::GET, "/login", &[]).await,
        app.page(&b, Method::GET, "/no/such/page", &[]).await,
        app.api(None, Method::GET, "/api/v1/me", None).await,
    ] {
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert!(
            r.header("strict-transport-security")
                .starts_with("max-age=")
        );
        assert_eq!(r.header("referrer-policy"), "same-origin");
        assert_eq!(r.header("cache-control"), "no-store");
        assert!(!r.header("x-request-id").is_empty());
    }
    let css = app.page(&b, Method::GET, "/static/elkarlan.css", &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("cache-control").starts_with("public"));
    assert!(!css.body.contains("GDS Transport"));
    app.cleanup().await;
}

#[tokio::test]
async fn error_pages_are_translated_full_pages() {
    let app = TestApp::spawn().await;
    let en = crate::common::Browser {
        lang: Some("en"),
        ..Default::default()
    };
    let eu = crate::common::Browser {
        lang: Some("eu"),
        ..Default::default()
    };
    let a = app.page(&en, Method::GET, "/nowhere", &[]).await;
    let b = app.page(&eu, Method::GET, "/nowhere", &[]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(
        a.body
            .contains("<h1 class=\"govuk-heading-l\">Page not found</h1>")
    );
    assert!(
        b.body
            .contains("<h1 class=\"govuk-heading-l\">Ez da orria aurkitu</h1>")
    );
    assert!(a.body.contains("govuk-skip-link"));
    let mut analyst = app.sign_in("analyst").await;
    analyst.lang = Some("es");
    let r = app.page(&analyst, Method::GET, "/audit", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("No puedes ver esta página"));
    // A form whose token is right but whose fields cannot be read as the form's own type (here,
    // an account edit naming its role twice) gets a translated page, not a bare text line.
    let mut admin = app.sign_in("admin").await;
    let id = app.user_id("analyst");
    for (lang, title) in [
        ("es", "No se ha podido leer el formulario"),
        ("eu", "Ezin izan da formularioa irakurri"),
        ("en", "The form could not be read"),
    ] {
        admin.lang = Some(lang);
        let r = app
            .page(
                &admin,
                Method::POST,
                &format!("/admin/users/{id}"),
                &[("role", "analyst"), ("role", "analyst")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}");
        assert!(r.body.contains(title), "{lang}: {}", r.body);
        assert!(r.body.contains("govuk-skip-link"), "{lang}: a full page");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let b = crate::common::Browser::default();
    assert_eq!(app.page(&b, Method::GET, "/healthz", &[]).await.body, "ok");
    assert_eq!(
        app.page(&b, Method::GET, "/readyz", &[]).await.status,
        StatusCode::OK
    );
    let m = app.page(&b, Method::GET, "/metrics", &[]).await;
    assert!(
        m.body
            .contains("elkarlan_http_requests_total{class=\"2xx\"}")
    );
    assert!(m.body.contains("elkarlan_database_up 1"));
    // With the database gone, readiness says so (503 with Retry-After), and pages say 503, not 500.
    app.store.close().await;
    let r = app.page(&b, Method::GET, "/readyz", &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.header("retry-after"), "5");
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    let r = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(serde_json::json!({"username": "admin", "password": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.header("retry-after"), "5");
    app.cleanup().await;
}

#[test]
fn the_committed_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let current = elkarlan_web::api::openapi::pretty();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &current).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "crates/web/openapi.json is stale: run UPDATE_OPENAPI=1 cargo test -p elkarlan-web --test web"
    );
}

#[test]
fn every_api_route_is_documented_and_every_documented_route_exists() {
    let doc = elkarlan_web::api::openapi::document();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    let routes: Vec<(String, String)> = elkarlan_web::routes::route_list()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/v1/") && *p != "/api/v1/openapi.json")
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    for r in &routes {
        assert!(
            documented.contains(r),
            "{r:?} is not in the OpenAPI document"
        );
    }
    for d in &documented {
        assert!(routes.contains(d), "{d:?} is documented but not routed");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

/// A minimal SMTP server on loopback that records what it receives.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::Receiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                let mut data = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let _ = tx.send(std::mem::take(&mut data)).await;
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn the_worker_sends_queued_mail_through_smtp_and_retries_failures() {
    let (port, mut received) = smtp_sink().await;
    let mut config = fast_config();
    config.smtp_url = Some(elkarlan_web::config::SecretString(format!(
        "smtp://127.0.0.1:{port}"
    )));
    let app = TestApp::spawn_with(config).await;
    let mut tx = app.store.begin_write().await.expect("tx");
    let id = elkarlan_store::outbox::queue(
        &mut tx,
        app.tenant,
        "ane@example.eus",
        "Deribazio berria",
        "Kaixo Ane",
    )
    .await
    .expect("queue");
    tx.commit().await.expect("commit");
    let done = elkarlan_web::worker::tick(&app.state, "test-runner")
        .await
        .expect("tick");
    // The queued mail, and the reminder the daily task sends the fixture placement's
    // professional: its 3-month follow-up is overdue.
    assert_eq!(done, 2);
    let mut messages = Vec::new();
    for _ in 0..2 {
        messages.push(
            tokio::time::timeout(std::time::Duration::from_secs(5), received.recv())
                .await
                .expect("mail arrives")
                .expect("message"),
        );
    }
    let msg = messages
        .iter()
        .find(|m| m.contains("Subject: Deribazio berria"))
        .expect("the queued mail");
    assert!(msg.contains("Kaixo Ane"));
    let reminder = messages
        .iter()
        .find(|m| !m.contains("Deribazio"))
        .expect("the reminder");
    assert!(reminder.contains("seguimientos"), "{reminder}");
    assert!(
        !reminder.contains(crate::common::PERSON_SENTINEL),
        "the reminder names nobody"
    );
    assert_eq!(
        elkarlan_store::outbox::get(&app.store, id)
            .await
            .expect("email")
            .status,
        "sent"
    );
    app.cleanup().await;

    // No relay listening: the job is retried with backoff and ends as a dead letter.
    let mut config = fast_config();
    config.smtp_url = Some(elkarlan_web::config::SecretString(
        "smtp://127.0.0.1:1".into(),
    ));
    let app = TestApp::spawn_with(config).await;
    let mut tx = app.store.begin_write().await.expect("tx");
    let id = elkarlan_store::outbox::queue(
        &mut tx,
        app.tenant,
        "jon@example.eus",
        "Oroigarria",
        "Kaixo Jon",
    )
    .await
    .expect("queue");
    tx.commit().await.expect("commit");
    let mut last = String::new();
    for attempt in 1..=elkarlan_store::jobs::MAX_ATTEMPTS {
        // Claim as if the backoff had passed.
        let now = Timestamp::now().plus_seconds(3600 * attempt);
        let job = elkarlan_store::jobs::claim(&app.store, "test-runner", now)
            .await
            .expect("claim")
            .expect("job due");
        assert_eq!(job.attempts, attempt);
        last = elkarlan_store::jobs::fail(&app.store, &job, "relay down", now)
            .await
            .expect("fail")
            .to_owned();
    }
    assert_eq!(last, "dead");
    assert!(
        elkarlan_store::jobs::claim(
            &app.store,
            "test-runner",
            Timestamp::now().plus_seconds(999_999)
        )
        .await
        .expect("claim")
        .is_none()
    );
    assert_eq!(
        elkarlan_store::outbox::get(&app.store, id)
            .await
            .expect("email")
            .status,
        "queued",
        "never marked sent"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn periodic_housekeeping_runs_once_per_slot_across_servers() {
    let app = TestApp::spawn().await;
    // A second server on the same database.
    let other = elkarlan_web::AppState::new(app.store.clone(), fast_config());
    let now = Timestamp::now();
    let (a, b) = tokio::join!(
        elkarlan_web::worker::run_periodic(&app.state, "server-a", now),
        elkarlan_web::worker::run_periodic(&other, "server-b", now)
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    for task in ["sessions.purge", "referrals.remind", "retention.apply"] {
        let runs = a.iter().chain(b.iter()).filter(|t| **t == task).count();
        assert_eq!(runs, 1, "{task} ran {runs} times in one slot: {a:?} {b:?}");
    }
    // The next call in the same slot runs nothing.
    assert!(
        elkarlan_web::worker::run_periodic(&app.state, "server-a", now)
            .await
            .expect("again")
            .is_empty()
    );
    app.cleanup().await;
}
