//! Enrolment links: an administrator creates an account without ever knowing its password; its
//! holder chooses one through a one-time, expiring link e-mailed to them.

use crate::common::{Browser, PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::json;

const CHOSEN: &str = "lighthouse ferry pintxo river";

/// The enrolment e-mails sent to `to`, oldest first: (subject, body).
async fn mails(app: &TestApp, to: &str) -> Vec<(String, String)> {
    elkarlan_store::on_pool!(&app.store, p => sqlx::query_as::<_, (String, String)>(
        "SELECT subject, body_text FROM email_outbox WHERE to_addr = $1 ORDER BY created_at")
        .bind(to).fetch_all(p).await.expect("outbox"))
}

/// The token of the link in an e-mail body.
fn token_in(body: &str) -> String {
    let (_, rest) = body.split_once("/enrol/").expect("a link in the e-mail");
    rest.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn anonymous(app: &TestApp) -> Browser {
    let mut b = Browser::default();
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    b.absorb(&r);
    b
}

/// Creates an account through the administrator's page and returns its id and the token sent.
async fn create_through_page(app: &TestApp, username: &str) -> (String, String) {
    let admin = app.sign_in("admin").await;
    let email = format!("{username}@example.eus");
    let r = app
        .page(
            &admin,
            Method::POST,
            "/admin/users/new",
            &[
                ("username", username),
                ("display_name", "Nerea Enrolment"),
                ("email", &email),
                ("role", "analyst"),
                ("agency", ""),
                // An administrator who tries to choose the password anyway: ignored.
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location").to_owned();
    assert!(location.ends_with("?enrolment=sent"), "{location}");
    let id = location
        .trim_start_matches("/admin/users/")
        .trim_end_matches("?enrolment=sent")
        .to_owned();
    let sent = mails(app, &email).await;
    assert_eq!(sent.len(), 1, "one enrolment e-mail");
    (id, token_in(&sent[0].1))
}

/// The invalid-link page with the token and this browser's CSRF token blanked: what is left must
/// be the same whatever made the link invalid.
fn invalid_page(r: &crate::common::Reply, token: &str, b: &Browser) -> String {
    assert_eq!(r.status, StatusCode::GONE, "{}", r.body);
    assert!(r.body.contains("id=\"enrol-invalid\""), "{}", r.body);
    assert!(!r.body.contains("enrol-form"));
    r.body.replace(token, "TOKEN").replace(&b.csrf, "CSRF")
}

#[tokio::test]
async fn an_administrator_never_knows_the_password_of_an_account_they_create() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("admin").await;
    let form = app.page(&admin, Method::GET, "/admin/users/new", &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form.body.contains("type=\"password\""),
        "no password field on the new account form"
    );
    let (id, token) = create_through_page(&app, "nerea").await;
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    // Neither the password the administrator typed nor an empty one opens the account.
    for tried in [PASSWORD, "", CHOSEN] {
        assert!(app.sign_in_with("nerea", tried).await.is_err(), "{tried:?}");
    }
    // Only the token's hash is stored; the audit trail has the link's issue but not the token.
    let stored: Vec<Vec<u8>> = elkarlan_store::on_pool!(&app.store, p => sqlx::query_scalar(
        "SELECT token_hash FROM enrolment_links").fetch_all(p).await.expect("links"));
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token.as_bytes());
    let rows: Vec<(String, String)> = elkarlan_store::on_pool!(&app.store, p => sqlx::query_as(
        "SELECT action, detail FROM audit_events WHERE entity_id = $1 ORDER BY seq")
        .bind(&id).fetch_all(p).await.expect("audit"));
    assert!(
        rows.iter()
            .any(|(a, d)| a == "user.enrolment_link" && d.contains("issued")),
        "{rows:?}"
    );
    assert!(rows.iter().all(|(_, d)| !d.contains(&token)));
    // The API takes no password either: sending one is an unknown field.
    let t = app.token("admin").await;
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "miren", "display_name": "Miren", "email": "miren@example.eus", "role": "analyst", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "password", "{}", r.body);
    // Without an e-mail address nobody could choose the password: refused, field by field.
    let r = app
        .api_lang(
            Some(&t),
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "miren", "display_name": "Miren", "role": "analyst"})),
            "es",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "email", "{}", r.body);
    assert!(r.body.contains("enlace"), "{}", r.body);
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "miren", "display_name": "Miren", "email": "miren@example.eus", "role": "analyst"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(mails(&app, "miren@example.eus").await.len(), 1);
    assert!(app.sign_in_with("miren", PASSWORD).await.is_err());
    app.cleanup().await;
}

#[tokio::test]
async fn the_link_sets_the_password_once_and_its_holder_signs_in() {
    let app = TestApp::spawn().await;
    let (id, token) = create_through_page(&app, "nerea").await;
    let mut b = anonymous(&app).await;
    let path = format!("/enrol/{token}");
    let page = app.page(&b, Method::GET, &path, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("nerea"));
    b.absorb(&page);
    // The rules of any new password apply; the link survives a refused attempt.
    let r = app
        .page(
            &b,
            Method::POST,
            &path,
            &[("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("new_password-error"), "{}", r.body);
    // A form without the CSRF token is refused and changes nothing.
    let r = app
        .page(
            &b,
            Method::POST,
            &path,
            &[
                ("csrf", "forged"),
                ("new_password", CHOSEN),
                ("confirm_password", CHOSEN),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .page(
            &b,
            Method::POST,
            &path,
            &[("new_password", CHOSEN), ("confirm_password", CHOSEN)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("id=\"enrol-done\""), "{}", r.body);
    app.sign_in_with("nerea", CHOSEN)
        .await
        .expect("the holder signs in with the password they chose");
    // Used: the same page as for a link that never existed.
    let used = app.page(&b, Method::GET, &path, &[]).await;
    let used = invalid_page(&used, &token, &b);
    let again = app
        .page(
            &b,
            Method::POST,
            &path,
            &[("new_password", PASSWORD), ("confirm_password", PASSWORD)],
        )
        .await;
    assert_eq!(invalid_page(&again, &token, &b), used);
    assert!(app.sign_in_with("nerea", PASSWORD).await.is_err());
    let unknown_token = "A".repeat(43);
    let unknown = app
        .page(&b, Method::GET, &format!("/enrol/{unknown_token}"), &[])
        .await;
    assert_eq!(invalid_page(&unknown, &unknown_token, &b), used);
    // The use is audited as the holder's own act, without the token.
    let rows: Vec<(String, String, String)> = elkarlan_store::on_pool!(&app.store, p => sqlx::query_as(
        "SELECT action, actor_name, detail FROM audit_events WHERE entity_id = $1 AND action = 'user.enrolment_link' ORDER BY seq")
        .bind(&id).fetch_all(p).await.expect("audit"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].1, "admin");
    assert_eq!(rows[1].1, "nerea");
    assert!(rows[1].2.contains("used"));
    assert!(rows.iter().all(|(_, _, d)| !d.contains(&token)));
    app.cleanup().await;
}

#[tokio::test]
async fn expired_and_voided_links_are_refused_with_the_same_page() {
    let app = TestApp::spawn().await;
    let (id, first) = create_through_page(&app, "nerea").await;
    let b = anonymous(&app).await;
    let unknown_token = "B".repeat(43);
    let unknown = app
        .page(&b, Method::GET, &format!("/enrol/{unknown_token}"), &[])
        .await;
    let refusal = invalid_page(&unknown, &unknown_token, &b);
    // The administrator sends a new link from the account page: the first one is void.
    let admin = app.sign_in("admin").await;
    let r = app
        .page(
            &admin,
            Method::POST,
            &format!("/admin/users/{id}/enrolment"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("govuk-notification-banner--success"));
    let sent = mails(&app, "nerea@example.eus").await;
    assert_eq!(sent.len(), 2);
    let second = token_in(&sent[1].1);
    assert_ne!(first, second);
    let voided = app
        .page(&b, Method::GET, &format!("/enrol/{first}"), &[])
        .await;
    assert_eq!(invalid_page(&voided, &first, &b), refusal);
    let voided_post = app
        .page(
            &b,
            Method::POST,
            &format!("/enrol/{first}"),
            &[("new_password", CHOSEN), ("confirm_password", CHOSEN)],
        )
        .await;
    assert_eq!(invalid_page(&voided_post, &first, &b), refusal);
    assert!(app.sign_in_with("nerea", CHOSEN).await.is_err());
    // The API re-sends too, voiding the second link.
    let t = app.token("admin").await;
    let r = app
        .api(
            Some(&t),
            Method::POST,
            &format!("/api/v1/users/{id}/enrolment"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let sent = mails(&app, "nerea@example.eus").await;
    assert_eq!(sent.len(), 3);
    let third = token_in(&sent[2].1);
    let voided = app
        .page(&b, Method::GET, &format!("/enrol/{second}"), &[])
        .await;
    assert_eq!(invalid_page(&voided, &second, &b), refusal);
    // An expired link: the same page, and it sets nothing.
    elkarlan_store::on_pool!(&app.store, p => sqlx::query("UPDATE enrolment_links SET expires_at = $1")
        .bind(elkarlan_domain::Timestamp::now().micros() - 1).execute(p).await.map(|r| r.rows_affected()).expect("expire"));
    let expired = app
        .page(&b, Method::GET, &format!("/enrol/{third}"), &[])
        .await;
    assert_eq!(invalid_page(&expired, &third, &b), refusal);
    let expired_post = app
        .page(
            &b,
            Method::POST,
            &format!("/enrol/{third}"),
            &[("new_password", CHOSEN), ("confirm_password", CHOSEN)],
        )
        .await;
    assert_eq!(invalid_page(&expired_post, &third, &b), refusal);
    assert!(app.sign_in_with("nerea", CHOSEN).await.is_err());
    // Only administrators send links.
    let other = app.token("coordinator").await;
    let r = app
        .api(
            Some(&other),
            Method::POST,
            &format!("/api/v1/users/{id}/enrolment"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(mails(&app, "nerea@example.eus").await.len(), 3);
    app.cleanup().await;
}
