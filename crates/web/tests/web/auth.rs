//! Sign-in, sessions, CSRF, password change and second factor, through the real pages.

use crate::common::{Browser, PASSWORD, TestApp, create_user, encode_form, fast_config, reply};
use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use elkarlan_domain::account::Role;
use elkarlan_domain::policy::{Action, Grant, SystemTask};
use elkarlan_store::throttle;
use elkarlan_web::config::IpNet;
use std::net::SocketAddr;
use tower::ServiceExt;

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
    assert!(
        sign_in_lock(&app, "coordinator").await.is_some(),
        "20 failures lock the account"
    );
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

/// A sign-in form post from `peer` (the socket's address), optionally through a proxy that adds
/// `X-Forwarded-For`, with the anonymous browser `b`'s CSRF cookie and token.
fn login_request(
    b: &Browser,
    peer: &str,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/login")
        .header("host", "127.0.0.1:8080")
        .header("origin", "http://127.0.0.1:8080")
        .header("cookie", b.cookie_header())
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let body = encode_form(&[
        ("username".into(), username.into()),
        ("password".into(), password.into()),
        ("csrf".into(), b.csrf.clone()),
    ]);
    let mut req = req.body(axum::body::Body::from(body)).expect("request");
    let addr: SocketAddr = format!("{peer}:40000").parse().expect("address");
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

async fn anonymous(app: &TestApp) -> Browser {
    let mut b = Browser::default();
    let r = app.page(&b, Method::GET, "/login", &[]).await;
    b.absorb(&r);
    b
}

async fn counts(app: &TestApp, key: &throttle::Key) -> (i64, i64) {
    throttle::failures(&app.store, key).await.expect("counts")
}

async fn sign_in_lock(app: &TestApp, username: &str) -> Option<elkarlan_domain::Timestamp> {
    throttle::locked_until(&app.store, &throttle::Key::account(app.tenant, username))
        .await
        .expect("lock")
}

async fn lock_mails(app: &TestApp, to: &str) -> usize {
    let n = match &app.store {
        elkarlan_store::Store::Sqlite(p) => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM email_outbox WHERE to_addr = $1 AND subject LIKE $2",
            )
            .bind(to)
            .bind("%Elkarlan%")
            .fetch_one(p)
            .await
        }
        elkarlan_store::Store::Postgres(p) => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM email_outbox WHERE to_addr = $1 AND subject LIKE $2",
            )
            .bind(to)
            .bind("%Elkarlan%")
            .fetch_one(p)
            .await
        }
    };
    usize::try_from(n.expect("count")).expect("count")
}

/// Twenty wrong passwords at once: each counted, the account locked for a while (not for good),
/// its holder e-mailed, its API token still working, and an administrator can unlock it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_lock_for_a_while_and_an_administrator_unlocks() {
    let app = TestApp::spawn().await;
    let token = app.token("coordinator").await;
    let b = anonymous(&app).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let req = login_request(
            &b,
            &format!("198.51.100.{i}"),
            None,
            "coordinator",
            "not the password",
        );
        let router = elkarlan_web::app(app.state.clone());
        tasks.push(tokio::spawn(async move {
            router.oneshot(req).await.expect("infallible").status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let until = sign_in_lock(&app, "coordinator").await.expect("locked");
    let limits = app.state.config.lockout;
    assert!(
        until.micros()
            <= elkarlan_domain::Timestamp::now()
                .plus_seconds(limits.first_lock_seconds)
                .micros(),
        "a lock for a while, not for good"
    );
    assert_eq!(
        lock_mails(&app, "coordinator@test.elkarlan.invalid").await,
        1
    );
    // The right password fails like any other while locked; the token keeps working.
    let locked = app
        .sign_in_with("coordinator", PASSWORD)
        .await
        .expect_err("locked");
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.api(Some(&token), Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::OK
    );
    // The administrator sees the lock and lifts it.
    let admin = app.token("admin").await;
    let id = app.user_id("coordinator");
    let user = elkarlan_store::users::get(&app.store, app.tenant, id)
        .await
        .expect("user");
    let req = axum::http::Request::builder()
        .method("PATCH")
        .uri(format!("/api/v1/users/{id}"))
        .header("host", "127.0.0.1:8080")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .header("if-match", format!("\"v{}\"", user.version))
        .body(axum::body::Body::from(r#"{"unlock": true}"#))
        .expect("request");
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    assert!(sign_in_lock(&app, "coordinator").await.is_none());
    assert!(app.sign_in_with("coordinator", PASSWORD).await.is_ok());
    app.cleanup().await;
}

/// Wrong second-factor codes are counted apart from passwords: signing in again with the right
/// password does not reset them, and twenty lock the second factor (then even a right code fails).
#[tokio::test]
async fn second_factor_guesses_are_counted_across_password_steps_and_lock() {
    let app = TestApp::spawn().await;
    let id = app.user_id("health");
    let secret = b"0123456789abcdefghij".to_vec();
    let sealed = elkarlan_web::auth::seal(&app.state.config.secret_key.0, &secret, id.0.as_bytes());
    elkarlan_store::users::enable_totp(
        &app.store,
        &Grant::system(app.tenant, SystemTask::Bootstrap, Action::UpdateUser),
        &elkarlan_store::audit::RequestMeta::default(),
        id,
        &sealed,
        0,
        &[],
    )
    .await
    .expect("second factor");
    let key = throttle::Key::second_factor(app.tenant, "health");
    // Three rounds of seven wrong codes, each after a fresh, right password.
    let mut pending = Browser::default();
    for round in 0..3 {
        let mut b = app
            .sign_in_with("health", PASSWORD)
            .await
            .expect("password step");
        let r = app.page(&b, Method::GET, "/login/totp", &[]).await;
        b.absorb(&r);
        for _ in 0..7 {
            let r = app
                .page(&b, Method::POST, "/login/totp", &[("code", "000000")])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        if round < 2 {
            assert_eq!(counts(&app, &key).await.1, 7 * (round + 1));
        }
        pending = b;
    }
    let lock = throttle::locked_until(&app.store, &key)
        .await
        .expect("lock");
    assert!(lock.is_some(), "twenty wrong codes lock the second factor");
    assert_eq!(lock_mails(&app, "health@test.elkarlan.invalid").await, 1);
    // Locked: the right code fails too, on the page and on the API.
    let code = elkarlan_web::auth::totp_now(&secret, now());
    let r = app
        .page(&pending, Method::POST, "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(serde_json::json!({"username": "health", "password": PASSWORD, "totp": code})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.cleanup().await;
}

/// Behind a trusted proxy the client address comes from `X-Forwarded-For`, so one client's
/// failures neither delay nor lock the others; without the setting the header is ignored.
#[tokio::test]
async fn addresses_are_counted_per_client_behind_a_trusted_proxy() {
    let mut config = fast_config();
    config.trusted_proxies = IpNet::parse("10.0.0.0/8").into_iter().collect();
    let app = TestApp::spawn_with(config).await;
    let b = anonymous(&app).await;
    for i in 0..20 {
        let r = reply(
            elkarlan_web::app(app.state.clone())
                .oneshot(login_request(
                    &b,
                    "10.0.0.5",
                    Some("203.0.113.1"),
                    &format!("nobody{i}"),
                    "some long password",
                ))
                .await
                .expect("infallible"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let attacker = throttle::Key::address("203.0.113.1");
    assert_eq!(counts(&app, &attacker).await, (20, 0));
    assert!(
        throttle::locked_until(&app.store, &attacker)
            .await
            .expect("lock")
            .is_some(),
        "twenty consecutive failures lock the address"
    );
    assert_eq!(
        counts(&app, &throttle::Key::address("10.0.0.5")).await,
        (0, 0)
    );
    // The locked address cannot sign in even with a right password; another client can.
    let from = |client: &str| login_request(&b, "10.0.0.5", Some(client), "analyst", PASSWORD);
    let r = app.send(from("203.0.113.1")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.send(from("203.0.113.2")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        counts(&app, &throttle::Key::address("203.0.113.2")).await,
        (0, 0),
        "a success takes its own count back"
    );
    // A client that is not a trusted proxy cannot choose its address.
    let r = app
        .send(login_request(
            &b,
            "192.0.2.50",
            Some("203.0.113.3"),
            "analyst",
            "wrong password",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        counts(&app, &throttle::Key::address("192.0.2.50")).await.0,
        1
    );
    assert_eq!(
        counts(&app, &throttle::Key::address("203.0.113.3")).await,
        (0, 0)
    );
    app.cleanup().await;
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_for_is_ignored() {
    let app = TestApp::spawn().await;
    let b = anonymous(&app).await;
    let r = app
        .send(login_request(
            &b,
            "10.0.0.5",
            Some("203.0.113.1"),
            "analyst",
            "wrong password",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(counts(&app, &throttle::Key::address("10.0.0.5")).await.0, 1);
    assert_eq!(
        counts(&app, &throttle::Key::address("203.0.113.1")).await,
        (0, 0)
    );
    app.cleanup().await;
}

/// A password change and an administrator's lock revoke bearer tokens issued before.
#[tokio::test]
async fn tokens_end_with_a_password_change_and_an_administrators_lock() {
    let app = TestApp::spawn().await;
    let token = app.token("housing").await;
    let b = app.sign_in("housing").await;
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
    assert_eq!(
        app.api(Some(&token), Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a token issued before the change is revoked"
    );
    // An administrator's lock: sessions and tokens end at once.
    let token = app.token("lanbide").await;
    let session = app.sign_in("lanbide").await;
    let admin = app.token("admin").await;
    let id = app.user_id("lanbide");
    let user = elkarlan_store::users::get(&app.store, app.tenant, id)
        .await
        .expect("user");
    let req = axum::http::Request::builder()
        .method("PATCH")
        .uri(format!("/api/v1/users/{id}"))
        .header("host", "127.0.0.1:8080")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .header("if-match", format!("\"v{}\"", user.version))
        .body(axum::body::Body::from(r#"{"lock": true}"#))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["locked"], serde_json::json!(true));
    assert_eq!(
        app.api(Some(&token), Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.page(&session, Method::GET, "/home", &[])
            .await
            .header("location"),
        "/login"
    );
    assert!(app.sign_in_with("lanbide", PASSWORD).await.is_err());
    app.cleanup().await;
}

/// `next` must be a path of this site that parses cleanly; input never makes a 500.
#[tokio::test]
async fn language_switch_redirects_only_to_clean_local_paths() {
    let app = TestApp::spawn().await;
    let b = anonymous(&app).await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\nSet-Cookie: x=1",
        "//evil.example",
    ] {
        let r = app
            .page(&b, Method::POST, "/lang", &[("lang", "en"), ("next", next)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.header("location"), "/", "{next:?}");
    }
    let r = app
        .page(
            &b,
            Method::POST,
            "/lang",
            &[("lang", "xx"), ("next", "/\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .page(
            &b,
            Method::POST,
            "/lang",
            &[("lang", "es"), ("next", "/admin/users?page=2")],
        )
        .await;
    assert_eq!(r.header("location"), "/admin/users?page=2");
    app.cleanup().await;
}

/// The CSRF refusal page, in whichever language it was answered.
fn is_csrf_refusal(r: &crate::common::Reply) -> bool {
    use elkarlan_domain::Lang;
    r.status == StatusCode::FORBIDDEN
        && [Lang::Eu, Lang::Es, Lang::En].iter().any(|l| {
            r.body
                .contains(&elkarlan_templates::t(*l, "error-csrf-title"))
        })
}

/// No page reads a form without checking its token: every form route of the route book, sent a
/// forged token, answers the CSRF refusal before anything else (ids in the path are random, so
/// the check must come first), and so do both uploads once the uploader may upload.
#[tokio::test]
async fn every_page_form_refuses_a_forged_token() {
    let app = TestApp::spawn().await;
    crate::employment::load_territory(&app).await;
    let b = app.sign_in("admin").await;
    let uploads = ["/contracts/import", "/programmes/{id}/import"];
    let mut checked = 0;
    for (method, route) in elkarlan_web::routes::route_list() {
        if method != "POST" || route.starts_with("/api/") || uploads.contains(&route) {
            continue;
        }
        let path: Vec<String> = route
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        let r = app
            .page(&b, Method::POST, &path.join("/"), &[("csrf", "forged")])
            .await;
        assert!(is_csrf_refusal(&r), "POST {route}: {} {}", r.status, r.body);
        checked += 1;
    }
    assert!(checked > 60, "only {checked} form routes");

    for (user, path) in [
        (
            "lanbide",
            format!("/programmes/{}/import", app.employment.programme),
        ),
        ("coordinator", "/contracts/import".to_owned()),
    ] {
        let b = app.sign_in(user).await;
        let boundary = "XFORGEDX";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nforged\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\nContent-Type: text/csv\r\n\r\nx\r\n--{boundary}--\r\n"
        );
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri(&path)
            .header("host", "127.0.0.1:8080")
            .header("origin", "http://127.0.0.1:8080")
            .header("cookie", b.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(body))
            .expect("request");
        let r = app.send(req).await;
        assert!(is_csrf_refusal(&r), "POST {path}: {} {}", r.status, r.body);
    }
    app.cleanup().await;
}
