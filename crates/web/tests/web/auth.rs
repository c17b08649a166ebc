//! Sign-in, sessions, CSRF, password change and second factor, through the real pages.

use crate::common::{Browser, PASSWORD, TestApp, create_user};
use axum::http::{Method, StatusCode};
use elkarlan_domain::account::Role;

/// The page minus what legitimately differs per request (tokens).
fn normalise(body: &str) -> String {
    body.lines()
        .filter(|l| !l.contains("name=\"csrf\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn unknown_user_wrong_password_and_locked_account_look_the_same() {
    let app = TestApp::spawn().await;
    let attempt = |u: &'static str, p: &'static str| {
        let app = &app;
        async move { app.sign_in_with(u, p).await.expect_err("sign-in must fail") }
    };
    let unknown = attempt("nobody-here", "some long password").await;
    let wrong = attempt("coordinator", "some long password").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        normalise(&wrong.body).replace("coordinator", "nobody-here"),
        normalise(&unknown.body)
    );
    assert!(wrong.body.contains("govuk-error-summary"));
    // Lock the account with 20 consecutive failures, then the right password fails the same way.
    for _ in 0..20 {
        attempt("coordinator", "not the password").await;
    }
    let locked = attempt("coordinator", PASSWORD).await;
    assert_eq!(locked.status, unknown.status);
    assert_eq!(
        normalise(&locked.body).replace("coordinator", "nobody-here"),
        normalise(&unknown.body)
    );
    let user = elkarlan_store::users::get(&app.store, app.tenant, app.user_id("coordinator"))
        .await
        .expect("user");
    assert!(user.locked, "20 failures lock the account");
    // Other accounts are not affected.
    assert!(app.sign_in_with("analyst", PASSWORD).await.is_ok());
    app.cleanup().await;
}

#[tokio::test]
async fn empty_fields_get_per_field_errors_in_the_chosen_language() {
    let app = TestApp::spawn().await;
    let mut b = Browser {
        lang: Some("es"),
        ..Browser::default()
    };
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    assert!(r.body.contains("<html lang=\"es\""));
    b.absorb(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            "/login",
            &[("username", ""), ("password", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("<title>Error: "));
    assert!(
        r.body
            .contains("href=\"#username\">Introduce un nombre de usuario</a>")
    );
    assert!(
        r.body
            .contains("href=\"#password\">Introduce una contraseña</a>")
    );
    app.cleanup().await;
}

#[tokio::test]
async fn session_cookie_is_host_prefixed_secure_httponly_lax_and_renewed_at_sign_in() {
    let app = TestApp::spawn().await;
    let mut b = Browser::default();
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    b.absorb(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            "/login",
            &[("username", "social"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let line = r.set_cookie_line("__Host-elkarlan");
    for part in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(line.contains(part), "{part} missing in {line}");
    }
    assert!(!line.contains("Domain="));
    let first = r.set_cookie("__Host-elkarlan").expect("session cookie");
    assert!(first.len() >= 43, "256-bit token");
    // Signing in again gives a new session id.
    let again = app.sign_in("social").await;
    let second = again
        .cookies
        .iter()
        .find(|(k, _)| k == "__Host-elkarlan")
        .map(|(_, v)| v.clone())
        .expect("cookie");
    assert_ne!(first, second);
    // The token is stored hashed: the raw value is nowhere in the sessions table.
    let found =
        elkarlan_store::sessions::find(&app.store, &elkarlan_web::auth::token_hash(&second))
            .await
            .expect("find");
    assert!(found.is_some());
    assert!(
        elkarlan_store::sessions::find(&app.store, second.as_bytes())
            .await
            .expect("find")
            .is_none()
    );
    app.cleanup().await;
}

#[tokio::test]
async fn forms_need_the_token_and_the_same_origin() {
    let app = TestApp::spawn().await;
    let b = app.sign_in("admin").await;
    // Wrong token.
    let r = app
        .page(
            &b,
            Method::POST,
            "/admin/agencies/new",
            &[
                ("csrf", "forged"),
                ("name_eu", "A"),
                ("name_es", "A"),
                ("system", "housing"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Right token, foreign origin.
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/admin/agencies/new")
        .header("host", "127.0.0.1:8080")
        .header("origin", "https://evil.example")
        .header("cookie", b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "csrf={}&name_eu=A&name_es=A&system=housing",
            b.csrf
        )))
        .expect("req");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No Origin and no Sec-Fetch-Site at all.
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/admin/agencies/new")
        .header("host", "127.0.0.1:8080")
        .header("cookie", b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "csrf={}&name_eu=A&name_es=A&system=housing",
            b.csrf
        )))
        .expect("req");
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
    // Nothing was created by the refused requests.
    let list = elkarlan_store::agencies::list(&app.store, app.tenant)
        .await
        .expect("list");
    assert!(!list.iter().any(|a| a.name_es == "A"));
    // The genuine form works.
    let r = app
        .page(
            &b,
            Method::POST,
            "/admin/agencies/new",
            &[
                ("name_eu", "Etxebizitza"),
                ("name_es", "Vivienda"),
                ("system", "housing"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.cleanup().await;
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let mut b = app.sign_in("education").await;
    let r = app.page(&b, Method::POST, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let old = b.clone();
    b.absorb(&r);
    assert!(
        !b.cookies.iter().any(|(k, _)| k == "__Host-elkarlan"),
        "cookie cleared"
    );
    // Replaying the old cookie does not work either: the session row is gone.
    let r = app.page(&old, Method::GET, "/home", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/login");
    app.cleanup().await;
}

#[tokio::test]
async fn password_change_checks_current_blocklist_and_confirmation_then_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let b = app.sign_in("housing").await;
    let other = app.sign_in("housing").await;
    let r = app
        .page(
            &b,
            Method::POST,
            "/account/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "bilbao123456789"),
                ("confirm_password", "different"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#current_password", "#new_password", "#confirm_password"] {
        assert!(
            r.body.contains(&format!("href=\"{anchor}\"")),
            "error for {anchor}"
        );
    }
    let new = "etxe berri bat mendi ondoan";
    let r = app
        .page(
            &b,
            Method::POST,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("govuk-notification-banner--success"));
    // This session stays; the other one ends; the new password works; the old does not.
    assert_eq!(
        app.page(&b, Method::GET, "/home", &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.page(&other, Method::GET, "/home", &[])
            .await
            .header("location"),
        "/login"
    );
    assert!(app.sign_in_with("housing", new).await.is_ok());
    assert!(app.sign_in_with("housing", PASSWORD).await.is_err());
    app.cleanup().await;
}

fn now() -> u64 {
    u64::try_from(elkarlan_domain::Timestamp::now().micros() / 1_000_000).unwrap_or(0)
}

fn decode_base32(s: &str) -> Vec<u8> {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHA.iter().position(|a| *a == c).expect("base32") as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[tokio::test]
async fn second_factor_enrolment_then_sign_in_with_code_no_replay_and_recovery_codes() {
    let app = TestApp::spawn().await;
    let b = app.sign_in("health").await;
    let page = app.page(&b, Method::GET, "/account/totp", &[]).await;
    let secret_b32 = page
        .body
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("secret shown")
        .to_owned();
    let secret = decode_base32(&secret_b32);
    let token = page.hidden("secret_token");
    // A wrong code is refused with a field error; a right one turns the factor on.
    let r = app
        .page(
            &b,
            Method::POST,
            "/account/totp",
            &[("secret_token", &token), ("code", "123")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("href=\"#code\""));
    let code = elkarlan_web::auth::totp_now(&secret, now());
    let r = app
        .page(
            &b,
            Method::POST,
            "/account/totp",
            &[("secret_token", &token), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let recovery: Vec<String> = r
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or("").to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    // Signing in now asks for the code; /home is closed until it is given.
    let mut c = Browser::default();
    let r = app.page(&c, Method::GET, "/login", &[]).await;
    c.absorb(&r);
    let r = app
        .page(
            &c,
            Method::POST,
            "/login",
            &[("username", "health"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.header("location"), "/login/totp");
    c.absorb(&r);
    let r = app.page(&c, Method::GET, "/home", &[]).await;
    assert_eq!(r.header("location"), "/login/totp");
    let r = app.page(&c, Method::GET, "/login/totp", &[]).await;
    c.absorb(&r);
    // The code used for enrolment cannot be used again (same time step).
    let r = app
        .page(&c, Method::POST, "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "replayed code must fail"
    );
    // A recovery code works once.
    let r = app
        .page(&c, Method::POST, "/login/totp", &[("code", &recovery[0])])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/home");
    c.absorb(&r);
    assert_eq!(
        app.page(&c, Method::GET, "/home", &[]).await.status,
        StatusCode::OK
    );
    // The API now needs the code too.
    let r = app
        .api(None, Method::POST, "/api/v1/auth/token", Some(serde_json::json!({"username": "health", "password": PASSWORD, "totp": recovery[0]})))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a used recovery code is refused"
    );
    let r = app
        .api(None, Method::POST, "/api/v1/auth/token", Some(serde_json::json!({"username": "health", "password": PASSWORD, "totp": recovery[1]})))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.cleanup().await;
}

#[tokio::test]
async fn a_role_that_requires_a_second_factor_must_enrol_first() {
    let app = TestApp::spawn().await;
    let hash = app.state.hasher.hash(PASSWORD).await.expect("hash");
    create_user(
        &app.store,
        app.tenant,
        "newsocial",
        "New Social",
        Role::SocialWorker,
        None,
        &hash,
        true,
    )
    .await;
    let mut b = Browser::default();
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    b.absorb(&r);
    let r = app
        .page(
            &b,
            Method::POST,
            "/login",
            &[("username", "newsocial"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.header("location"), "/account/totp");
    b.absorb(&r);
    assert_eq!(
        app.page(&b, Method::GET, "/home", &[])
            .await
            .header("location"),
        "/account/totp"
    );
    assert_eq!(
        app.page(&b, Method::GET, "/admin/users", &[])
            .await
            .header("location"),
        "/account/totp"
    );
    let page = app.page(&b, Method::GET, "/account/totp", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    // The API refuses a token until enrolment.
    let r = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(serde_json::json!({"username": "newsocial", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.cleanup().await;
}

#[tokio::test]
async fn language_choice_is_remembered_for_the_user() {
    let app = TestApp::spawn().await;
    let b = app.sign_in("trainer").await;
    let r = app
        .page(
            &b,
            Method::POST,
            "/lang",
            &[("lang", "en"), ("next", "/account")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/account");
    // A new browser, no cookie, Spanish Accept-Language: the saved preference wins.
    let mut fresh = app.sign_in("trainer").await;
    fresh.lang = Some("es-ES,es;q=0.9");
    let home = app.page(&fresh, Method::GET, "/home", &[]).await;
    assert!(home.body.contains("<html lang=\"en\""));
    assert!(home.body.contains("Hello, trainer tester"));
    app.cleanup().await;
}
