//! `/api/v1` conventions: bearer tokens, problem+json, ETag/If-Match, Idempotency-Key, cursors,
//! tenants, and that reads of personal data are audited.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

fn raw(path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request")
}

fn assert_problem(r: &crate::common::Reply, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/problem+json");
    let p = r.json();
    assert_eq!(p["status"], status.as_u16());
    assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(!r.body.contains("panicked") && !r.body.contains("sqlx"));
}

#[tokio::test]
async fn bad_bodies_get_clear_problems_and_write_nothing() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let before = elkarlan_store::users::list(&app.store, app.tenant, "", 1000)
        .await
        .expect("list")
        .len();
    let cases: Vec<(Vec<u8>, &str, StatusCode, Option<&str>)> = vec![
        (
            b"{\"username\": ".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            b"[1,2".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
            "application/json",
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json!({"username": 7, "display_name": "A", "role": "analyst"})
                .to_string()
                .into_bytes(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("username"),
        ),
        (
            json!({"username": "a", "display_name": "A", "role": "analyst", "is_admin": true})
                .to_string()
                .into_bytes(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("is_admin"),
        ),
        (
            json!({"display_name": "A", "role": "analyst"})
                .to_string()
                .into_bytes(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("username"),
        ),
        (
            b"username=a".to_vec(),
            "application/x-www-form-urlencoded",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
        ),
        (
            vec![b' '; 70 * 1024],
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
    ];
    for (body, ct, status, field) in cases {
        let r = app.send(raw("/api/v1/users", &t, ct, body)).await;
        assert_problem(&r, status);
        if let Some(f) = field {
            assert_eq!(r.json()["errors"][0]["field"], f, "{}", r.body);
        }
    }
    // Well-formed but invalid: every field reported at once, translated by Accept-Language.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/users")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "eu")
        .body(Body::from(json!({"username": "A B", "display_name": "", "email": "nope", "role": "wizard", "agency": "x"}).to_string()))
        .expect("request");
    let r = app.send(req).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect();
    for f in ["username", "display_name", "email", "role", "agency"] {
        assert!(fields.contains(&f.to_owned()), "{f} missing in {fields:?}");
    }
    assert!(
        r.body.contains("Idatzi izen osoa"),
        "Basque messages: {}",
        r.body
    );
    let after = elkarlan_store::users::list(&app.store, app.tenant, "", 1000)
        .await
        .expect("list")
        .len();
    assert_eq!(before, after, "nothing half-saved");
    app.cleanup().await;
}

#[tokio::test]
async fn tokens_are_required_and_revocable() {
    let app = TestApp::spawn().await;
    let r = app.api(None, Method::GET, "/api/v1/me", None).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").starts_with("Bearer"));
    let r = app
        .api(Some("not-a-token"), Method::GET, "/api/v1/me", None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let t = app.token("lanbide").await;
    let me = app.api(Some(&t), Method::GET, "/api/v1/me", None).await;
    assert_eq!(me.json()["username"], "lanbide");
    assert!(me.json().get("password_hash").is_none());
    assert_eq!(
        app.api(Some(&t), Method::DELETE, "/api/v1/auth/token", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api(Some(&t), Method::GET, "/api/v1/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Wrong password and unknown user: the same answer.
    let a = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(json!({"username": "lanbide", "password": "wrong wrong wrong"})),
        )
        .await;
    let b = app
        .api(
            None,
            Method::POST,
            "/api/v1/auth/token",
            Some(json!({"username": "nobody", "password": "wrong wrong wrong"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.body, b.body);
    app.cleanup().await;
}

#[tokio::test]
async fn updates_need_the_current_etag_and_never_overwrite_silently() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let id = app.user_id("analyst");
    let r = app
        .api(Some(&t), Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    let etag = r.header("etag").to_owned();
    assert_eq!(etag, "\"v1\"");
    let patch = |tag: Option<&str>, name: &str| {
        let mut req = Request::builder()
            .method("PATCH")
            .uri(format!("/api/v1/users/{id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(tag) = tag {
            req = req.header(header::IF_MATCH, tag);
        }
        req.body(Body::from(json!({"display_name": name}).to_string()))
            .expect("request")
    };
    assert_problem(
        &app.send(patch(None, "No precondition")).await,
        StatusCode::PRECONDITION_REQUIRED,
    );
    // Someone who may not change accounts is told so, not asked for a precondition.
    let social = app.token("social").await;
    let refused = Request::builder()
        .method("PATCH")
        .uri(format!("/api/v1/users/{id}"))
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::AUTHORIZATION, format!("Bearer {social}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"display_name": "Not mine"}).to_string()))
        .expect("request");
    assert_problem(&app.send(refused).await, StatusCode::FORBIDDEN);
    let first = app.send(patch(Some(&etag), "First edit")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.header("etag"), "\"v2\"");
    // A second editor still holding v1 is refused, and the first edit stands.
    assert_problem(
        &app.send(patch(Some(&etag), "Second edit")).await,
        StatusCode::PRECONDITION_FAILED,
    );
    let now = app
        .api(Some(&t), Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    assert_eq!(now.json()["display_name"], "First edit");
    // The HTML form with a stale version gets 409 and keeps the current values.
    let b = app.sign_in("admin").await;
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/admin/users/{id}"),
            &[
                ("version", "1"),
                ("display_name", "Stale form"),
                ("role", "analyst"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let now = app
        .api(Some(&t), Method::GET, &format!("/api/v1/users/{id}"), None)
        .await;
    assert_eq!(now.json()["display_name"], "First edit");
    app.cleanup().await;
}

#[tokio::test]
async fn idempotency_keys_make_creates_safe_to_retry() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let send = |key: &str, body: serde_json::Value| {
        Request::builder()
            .method("POST")
            .uri("/api/v1/agencies")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let body = json!({"name_eu": "Txurdinagako Ikastetxea", "name_es": "Colegio de Txurdinaga", "system": "education"});
    let first = app.send(send("k-1", body.clone())).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = app.send(send("k-1", body.clone())).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let other = app
        .send(send(
            "k-1",
            json!({"name_eu": "Beste bat", "name_es": "Otro", "system": "education"}),
        ))
        .await;
    assert_problem(&other, StatusCode::UNPROCESSABLE_ENTITY);
    let list = elkarlan_store::agencies::list(&app.store, app.tenant)
        .await
        .expect("list");
    assert_eq!(
        list.iter()
            .filter(|a| a.name_es == "Colegio de Txurdinaga")
            .count(),
        1
    );
    assert!(!list.iter().any(|a| a.name_es == "Otro"));
    // Without a key a duplicate name is a conflict, not a second row.
    let dup = app
        .api(Some(&t), Method::POST, "/api/v1/agencies", Some(body))
        .await;
    assert_problem(&dup, StatusCode::CONFLICT);
    app.cleanup().await;
}

#[tokio::test]
async fn cursor_pagination_walks_every_user_once() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=3".to_owned();
    for _ in 0..20 {
        let r = app.api(Some(&t), Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK);
        let page = r.json();
        for u in page["items"].as_array().expect("items") {
            seen.push(u["username"].as_str().expect("username").to_owned());
        }
        match page["next"].as_str() {
            Some(n) => path = format!("/api/v1/users?limit=3&after={n}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "ordered, no duplicates");
    assert_eq!(
        seen.len(),
        12,
        "11 role accounts and the sentinel account of this tenant"
    );
    assert_problem(
        &app.api(Some(&t), Method::GET, "/api/v1/users?limit=0", None)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_problem(
        &app.api(Some(&t), Method::GET, "/api/v1/users?after=%%%", None)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    app.cleanup().await;
}

#[tokio::test]
async fn nothing_crosses_between_tenants() {
    let app = TestApp::spawn().await;
    let bilbao = app.token("admin").await;
    // Getxo's administrator signs in through Getxo's host name.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/token")
        .header(header::HOST, "getxo.test")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": "admin", "password": crate::common::PASSWORD}).to_string(),
        ))
        .expect("request");
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let getxo = r.json()["access_token"].as_str().expect("token").to_owned();
    let getxo_users = app
        .api(Some(&getxo), Method::GET, "/api/v1/users", None)
        .await;
    assert!(getxo_users.body.contains("SENTINEL-GETXO"));
    assert!(!getxo_users.body.contains("SENTINEL-STAFF"));
    assert_eq!(
        getxo_users.json()["items"].as_array().map(Vec::len),
        Some(2)
    );
    let bilbao_users = app
        .api(Some(&bilbao), Method::GET, "/api/v1/users", None)
        .await;
    assert!(!bilbao_users.body.contains("SENTINEL-GETXO"));
    // A Bilbao id through Getxo's token does not exist.
    let r = app
        .api(
            Some(&getxo),
            Method::GET,
            &format!("/api/v1/users/{}", app.sentinel_user),
            None,
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND);
    let agencies = app
        .api(Some(&getxo), Method::GET, "/api/v1/agencies", None)
        .await;
    assert_eq!(agencies.json()["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        app.other_tenant,
        elkarlan_store::tenants::by_ine_code(&app.store, "48044")
            .await
            .expect("q")
            .expect("tenant")
            .id
    );
    app.cleanup().await;
}

#[tokio::test]
async fn reads_of_personal_data_and_refusals_are_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let analyst = app.token("analyst").await;
    let dpo = app.token("dpo").await;
    let target = app.user_id("social");
    assert_eq!(
        app.api(
            Some(&admin),
            Method::GET,
            &format!("/api/v1/users/{target}"),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(Some(&analyst), Method::GET, "/api/v1/users", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .api(
            Some(&dpo),
            Method::GET,
            &format!("/api/v1/audit-events?action=user.view&entity_id={target}"),
            None,
        )
        .await;
    let items = r.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 1, "{}", r.body);
    assert_eq!(items[0]["actor"], "admin");
    assert_eq!(items[0]["basis"], "role");
    let r = app
        .api(
            Some(&dpo),
            Method::GET,
            "/api/v1/audit-events?actor=analyst&action=user.list",
            None,
        )
        .await;
    let items = r.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["outcome"], "denied");
    // The chain stays intact with reads and writes interleaved.
    let v = elkarlan_store::audit::verify(&app.store)
        .await
        .expect("verify");
    assert_eq!(v.first_break, None);
    app.cleanup().await;
}

#[tokio::test]
async fn accounts_that_handle_personal_data_cannot_drop_the_second_factor() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let patch = |id: elkarlan_domain::UserId, etag: String, body: serde_json::Value| {
        Request::builder()
            .method("PATCH")
            .uri(format!("/api/v1/users/{id}"))
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_LANGUAGE, "es")
            .header(header::IF_MATCH, etag)
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let social = app.user_id("social");
    let etag = |id| {
        let app = &app;
        let t = &t;
        async move {
            app.api(Some(t), Method::GET, &format!("/api/v1/users/{id}"), None)
                .await
                .header("etag")
                .to_owned()
        }
    };
    // A case professional: the field is refused, with its own translated message.
    let r = app
        .send(patch(
            social,
            etag(social).await,
            json!({"display_name": "Renamed", "mfa_required": false}),
        ))
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "mfa_required", "{}", r.body);
    assert_eq!(r.json()["errors"][0]["code"], "error-mfa-required-for-role");
    let now = app
        .api(
            Some(&t),
            Method::GET,
            &format!("/api/v1/users/{social}"),
            None,
        )
        .await;
    assert_eq!(now.json()["display_name"], "social tester", "nothing saved");
    // Any other change to such an account makes the second factor required again.
    let r = app
        .send(patch(
            social,
            etag(social).await,
            json!({"display_name": "Renamed"}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["mfa_required"], true);
    // A role without personal data may go without, as the administrator decides.
    let analyst = app.user_id("analyst");
    let r = app
        .send(patch(
            analyst,
            etag(analyst).await,
            json!({"mfa_required": false}),
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["mfa_required"], false);
    // The form offers the choice only where there is one.
    let b = app.sign_in("admin").await;
    let page = app
        .page(&b, Method::GET, &format!("/admin/users/{social}"), &[])
        .await;
    assert!(!page.body.contains("name=\"mfa_required\""));
    assert!(page.body.contains("id=\"mfa-forced\""));
    let page = app
        .page(&b, Method::GET, &format!("/admin/users/{analyst}"), &[])
        .await;
    assert!(page.body.contains("name=\"mfa_required\""));
    // Unticked boxes are not sent: saving the professional's form keeps the second factor.
    let r = app
        .page(
            &b,
            Method::POST,
            &format!("/admin/users/{social}"),
            &[
                ("version", "2"),
                ("display_name", "Renamed again"),
                ("role", "social_worker"),
                (
                    "agency",
                    &app.agency(elkarlan_domain::organisation::PublicSystem::SocialServices)
                        .to_string(),
                ),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let now = app
        .api(
            Some(&t),
            Method::GET,
            &format!("/api/v1/users/{social}"),
            None,
        )
        .await;
    assert_eq!(now.json()["mfa_required"], true);
    app.cleanup().await;
}

/// A count query (fixed SQL from this file), with one optional bound id.
async fn count_rows(app: &TestApp, sql: &str, bind: Option<uuid::Uuid>) -> i64 {
    match &app.store {
        elkarlan_store::Store::Sqlite(p) => {
            let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()));
            match bind {
                Some(b) => q.bind(b).fetch_one(p).await,
                None => q.fetch_one(p).await,
            }
        }
        elkarlan_store::Store::Postgres(p) => {
            let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()));
            match bind {
                Some(b) => q.bind(b).fetch_one(p).await,
                None => q.fetch_one(p).await,
            }
        }
    }
    .expect("count")
}

/// A registration or a referral retried with its key (a client that lost the answer) is
/// written once: no second person, no second referral.
#[tokio::test]
async fn registrations_and_referrals_retried_with_an_idempotency_key_are_written_once() {
    let app = TestApp::spawn().await;
    let t = app.token("social").await;
    let send = |path: String, key: &str, body: serde_json::Value| {
        Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    let people = "SELECT COUNT(*) FROM people";
    let before = count_rows(&app, people, None).await;
    let person = json!({"person": {"given_name": "Garazi", "surname1": "Errepikatu", "birth_date": "1988-04-12",
        "sex": "woman", "languages": "eu", "preferred_lang": "eu", "phone": "600 000 002"}, "confirmed_new": true});
    let first = app
        .send(send("/api/v1/people".into(), "reg-1", person.clone()))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = app
        .send(send("/api/v1/people".into(), "reg-1", person.clone()))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json(), first.json(), "the same person and case");
    assert_eq!(count_rows(&app, people, None).await, before + 1);
    // The same key with another body is refused and writes nothing.
    let mut other = person.clone();
    other["person"]["given_name"] = json!("Nerea");
    let r = app
        .send(send("/api/v1/people".into(), "reg-1", other))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count_rows(&app, people, None).await, before + 1);
    // Without a key the confirmed registration is a second record: the key is what dedupes.
    let r = app
        .api(Some(&t), Method::POST, "/api/v1/people", Some(person))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(count_rows(&app, people, None).await, before + 2);

    // A referral from the new case, sent twice with one key.
    let case = first.json()["case"].as_str().expect("case").to_owned();
    let path = format!("/api/v1/cases/{case}/referrals");
    let referral = json!({"to_agency": app.agency(elkarlan_domain::organisation::PublicSystem::EmploymentIncome),
        "reason": "Orientación laboral", "urgency": "routine"});
    let first = app
        .send(send(path.clone(), "ref-1", referral.clone()))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = app.send(send(path.clone(), "ref-1", referral)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), "true");
    assert_eq!(again.json()["id"], first.json()["id"]);
    let case_id: uuid::Uuid = case.parse().expect("uuid");
    assert_eq!(
        count_rows(
            &app,
            "SELECT COUNT(*) FROM referrals WHERE case_id = $1",
            Some(case_id)
        )
        .await,
        1
    );
    app.cleanup().await;
}

/// A path segment that is no id answers 404 in the caller's language, but only after the token
/// (401 first) and after the body (a malformed or misshapen body keeps its 400/415/422).
#[tokio::test]
async fn a_path_that_is_no_id_is_404_after_the_token_and_the_body() {
    let app = TestApp::spawn().await;
    let r = app
        .api(None, Method::GET, "/api/v1/contracts/not-an-id", None)
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED);
    let r = app
        .api(
            None,
            Method::POST,
            "/api/v1/contracts/not-an-id/lots",
            Some(json!({})),
        )
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED);

    let t = app.token("coordinator").await;
    let r = app
        .api_lang(
            Some(&t),
            Method::GET,
            "/api/v1/contracts/not-an-id",
            None,
            "eu",
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["title"], "Ez da aurkitu", "{}", r.body);

    // Without Accept-Language the caller's own language answers, as for every other problem.
    let set = "UPDATE users SET preferred_lang = 'es' WHERE username = 'coordinator'";
    match &app.store {
        elkarlan_store::Store::Sqlite(p) => sqlx::query(set).execute(p).await.map(|_| ()),
        elkarlan_store::Store::Postgres(p) => sqlx::query(set).execute(p).await.map(|_| ()),
    }
    .expect("preferred language");
    for path in [
        "/api/v1/clauses/not-an-id",
        "/api/v1/people/not-an-id",
        &format!(
            "/api/v1/organisations/{}/profiles/1999",
            uuid::Uuid::new_v4()
        ),
    ] {
        let r = app.api(Some(&t), Method::GET, path, None).await;
        assert_problem(&r, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["title"], "No encontrado", "{path}: {}", r.body);
    }
    let r = app
        .api(
            Some(&t),
            Method::POST,
            "/api/v1/people/not-an-id/consents/nor-this/withdraw",
            None,
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND);

    // The body is read before the id is looked at.
    let lots = "/api/v1/contracts/not-an-id/lots";
    for (body, ct, status) in [
        (
            b"[1,2".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
        ),
        (
            b"{\"lot\": 1}".to_vec(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (b"{}".to_vec(), "application/json", StatusCode::NOT_FOUND),
        (
            b"a=1".to_vec(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let r = app.send(raw(lots, &t, ct, body)).await;
        assert_problem(&r, status);
    }
    app.cleanup().await;
}
