//! Two Elkarlan servers on one database behind a round-robin proxy (SECURITY.md, "What each test
//! proves"). Each server has its own pool and its own state, as two processes would; they share
//! only the database (PostgreSQL with `TEST_DATABASE_URL`, the same SQLite file otherwise). The
//! proxy hands each new connection to the next server, and every request here opens its own
//! connection, so consecutive requests alternate between the servers.

use crate::common::{Browser, PASSWORD, Reply, TestApp, encode_form, fast_config};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use elkarlan_domain::Timestamp;
use elkarlan_store::{Store, casework, throttle};
use elkarlan_web::config::{IpNet, WebConfig};
use elkarlan_web::{AppState, app};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Cluster {
    app: TestApp,
    /// The second server's state, on its own pool.
    other: AppState,
    other_store: Store,
    /// Each server's own address.
    servers: [SocketAddr; 2],
    /// The round-robin proxy in front of both.
    proxy: SocketAddr,
    /// Connections the proxy handed to each server.
    handed: Arc<[AtomicUsize; 2]>,
}

/// The servers trust the proxy's address (loopback), as an installation lists its balancer in
/// `trusted_proxies`: the client address then comes from `X-Forwarded-For`.
fn cluster_config() -> WebConfig {
    let mut c = fast_config();
    c.trusted_proxies = IpNet::parse("127.0.0.1/32").into_iter().collect();
    c
}

async fn serve(state: AppState) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    addr
}

/// A TCP proxy that hands connection n to server n mod 2.
async fn round_robin(servers: [SocketAddr; 2]) -> (SocketAddr, Arc<[AtomicUsize; 2]>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let handed = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let counts = handed.clone();
    tokio::spawn(async move {
        let next = AtomicUsize::new(0);
        while let Ok((mut client, _)) = listener.accept().await {
            let i = next.fetch_add(1, Ordering::SeqCst) % 2;
            counts[i].fetch_add(1, Ordering::SeqCst);
            let to = servers[i];
            tokio::spawn(async move {
                if let Ok(mut server) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (addr, handed)
}

impl Cluster {
    async fn start() -> Cluster {
        let app = TestApp::spawn_with(cluster_config()).await;
        let other_store = Store::open(&app.database_url)
            .await
            .expect("second pool on the same database");
        let other = AppState::new(other_store.clone(), cluster_config());
        let servers = [serve(app.state.clone()).await, serve(other.clone()).await];
        let (proxy, handed) = round_robin(servers).await;
        Cluster {
            app,
            other,
            other_store,
            servers,
            proxy,
            handed,
        }
    }

    async fn stop(self) {
        self.other_store.close().await;
        self.app.cleanup().await;
    }
}

/// One HTTP/1.1 request on its own connection, read whole.
async fn http(
    to: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<(&str, String)>,
) -> Reply {
    let mut stream = TcpStream::connect(to).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\nX-Forwarded-For: 192.0.2.10\r\n"
    );
    let mut seen_xff = false;
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("x-forwarded-for") {
            seen_xff = true;
        }
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if seen_xff {
        // The caller's address replaces the default one.
        req = req.replacen("X-Forwarded-For: 192.0.2.10\r\n", "", 1);
    }
    let body = match body {
        Some((content_type, b)) => {
            req.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                b.len()
            ));
            if method != "GET" {
                req.push_str("Origin: http://127.0.0.1:8080\r\n");
            }
            b
        }
        None => {
            if method != "GET" {
                req.push_str("Origin: http://127.0.0.1:8080\r\nContent-Length: 0\r\n");
            }
            String::new()
        }
    };
    req.push_str("\r\n");
    req.push_str(&body);
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let code: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            )
        {
            headers.append(k, v);
        }
    }
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"chunked"))
    {
        rest = dechunk(&rest);
    }
    Reply {
        status: StatusCode::from_u16(code).expect("status"),
        headers,
        body: String::from_utf8_lossy(&rest).into_owned(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

/// A page request as a browser sends it (form posts carry the browser's token).
async fn page(
    to: SocketAddr,
    b: &Browser,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Reply {
    let mut headers = Vec::new();
    if !b.cookies.is_empty() {
        headers.push(("Cookie", b.cookie_header()));
    }
    let body = (method != "GET").then(|| {
        let mut pairs: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        pairs.push(("csrf".into(), b.csrf.clone()));
        ("application/x-www-form-urlencoded", encode_form(&pairs))
    });
    http(to, method, path, &headers, body).await
}

async fn api(
    to: SocketAddr,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    http(
        to,
        method,
        path,
        &[("Authorization", format!("Bearer {token}"))],
        body.map(|v| ("application/json", v.to_string())),
    )
    .await
}

/// A sign-in attempt from `client` (as `X-Forwarded-For`) with a fresh login form.
async fn attempt(to: SocketAddr, client: &str, username: &str, password: &str) -> StatusCode {
    let mut b = Browser::default();
    let r = http(
        to,
        "GET",
        "/login",
        &[("X-Forwarded-For", client.into())],
        None,
    )
    .await;
    b.absorb(&r);
    http(
        to,
        "POST",
        "/login",
        &[
            ("Cookie", b.cookie_header()),
            ("X-Forwarded-For", client.into()),
        ],
        Some((
            "application/x-www-form-urlencoded",
            encode_form(&[
                ("username".into(), username.into()),
                ("password".into(), password.into()),
                ("csrf".into(), b.csrf.clone()),
            ]),
        )),
    )
    .await
    .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_through_one_server_is_valid_on_the_other() {
    let c = Cluster::start().await;
    // The login form from one server, the sign-in on the next, the home page on the next.
    let mut b = Browser::default();
    let r = page(c.proxy, &b, "GET", "/login", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    b.absorb(&r);
    let r = page(
        c.proxy,
        &b,
        "POST",
        "/login",
        &[("username", "social"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    b.absorb(&r);
    let r = page(c.proxy, &b, "GET", "/home", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    b.absorb(&r);
    // Each server on its own accepts the session and its form token.
    for to in c.servers {
        let r = page(to, &b, "GET", "/people", &[]).await;
        // Without a valid session the answer would be 303 to the login page.
        assert_eq!(r.status, StatusCode::OK, "session valid on {to}");
    }
    // An API token from one is valid on the other.
    let r = http(
        c.servers[0],
        "POST",
        "/api/v1/auth/token",
        &[],
        Some((
            "application/json",
            json!({"username": "coordinator", "password": PASSWORD}).to_string(),
        )),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["access_token"].as_str().expect("token").to_owned();
    let me = api(c.servers[1], &token, "GET", "/api/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "coordinator");
    // Signing out on one server ends the session on both.
    let r = page(c.servers[1], &b, "POST", "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for to in c.servers {
        let r = page(to, &b, "GET", "/home", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "signed out on {to}");
        assert!(r.header("location").starts_with("/login"));
    }
    assert!(
        c.handed.iter().all(|n| n.load(Ordering::SeqCst) > 0),
        "the proxy used both servers"
    );
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_workers_in_the_same_slot_run_each_periodic_task_once() {
    let c = Cluster::start().await;
    // Several slots (an hour apart), both servers' passes at once in each.
    let start = Timestamp::now();
    for hour in 0..3 {
        let now = start.plus_seconds(hour * 3600);
        let (a, b) = tokio::join!(
            elkarlan_web::worker::run_periodic(&c.app.state, "server-a", now),
            elkarlan_web::worker::run_periodic(&c.other, "server-b", now)
        );
        let (a, b) = (a.expect("server a"), b.expect("server b"));
        let all: Vec<&str> = a.iter().chain(b.iter()).copied().collect();
        for task in ["sessions.purge", "referrals.remind", "indicators.refresh"] {
            let runs = all.iter().filter(|t| **t == task).count();
            assert_eq!(
                runs, 1,
                "{task} ran {runs} times in slot {hour}: {a:?} {b:?}"
            );
        }
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "a task ran twice: {a:?} {b:?}");
        // Either server again in the same slot runs nothing.
        for state in [&c.app.state, &c.other] {
            let again = elkarlan_web::worker::run_periodic(state, "server-c", now)
                .await
                .expect("again");
            assert!(again.is_empty(), "ran again in slot {hour}: {again:?}");
        }
    }
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_edits_of_a_plan_action_from_both_servers_never_lose_an_update() {
    let c = Cluster::start().await;
    let token = c.app.token("social").await;
    let case = c.app.inclusion.case;
    let agency = c
        .app
        .agency(elkarlan_domain::organisation::PublicSystem::Housing);
    let r = api(
        c.proxy,
        &token,
        "POST",
        &format!("/api/v1/cases/{case}/actions"),
        Some(json!({"goal": "", "agency": agency, "description": "Solicitud de vivienda", "due_on": ""})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let action: uuid::Uuid = r.json()["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("action id");
    let path = format!("/api/v1/cases/{case}/actions/{action}/status");
    let statuses = ["in_progress", "done", "pending", "cancelled"];
    for round in 0..12_i64 {
        let version = round + 1;
        // Server a moves the action to one status, server b to another, from the same version.
        let wants = [
            statuses[(round as usize) % 4],
            statuses[(round as usize + 1) % 4],
        ];
        let (ra, rb) = tokio::join!(
            api(
                c.servers[0],
                &token,
                "POST",
                &path,
                Some(json!({"status": wants[0], "version": version}))
            ),
            api(
                c.servers[1],
                &token,
                "POST",
                &path,
                Some(json!({"status": wants[1], "version": version}))
            )
        );
        let mut codes = [ra.status, rb.status];
        codes.sort();
        assert_eq!(
            codes,
            [StatusCode::NO_CONTENT, StatusCode::PRECONDITION_FAILED],
            "round {round}: one success and one 412: {} {}",
            ra.body,
            rb.body
        );
        let winner = if ra.status == StatusCode::NO_CONTENT {
            wants[0]
        } else {
            wants[1]
        };
        // The stored action is the winner's, one version on: nothing overwritten silently.
        for store in [&c.app.store, &c.other_store] {
            let (_, actions) = casework::plan(store, case).await.expect("plan");
            let a = actions.iter().find(|a| a.id == action).expect("action");
            assert_eq!(a.status, winner, "round {round}");
            assert_eq!(a.version, version + 1, "round {round}");
        }
    }
    c.stop().await;
}

/// Wrong passwords spread over both servers are counted, throttled and locked exactly as the
/// same attempts on one server: the counters live in the database, not in a server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_failures_across_both_servers_lock_as_on_one() {
    let c = Cluster::start().await;
    let lock_after = c.app.state.config.lockout.lock_after;
    let tenant = c.app.tenant;
    let account = |name: &str| throttle::Key::account(tenant, name);
    let state = |store: Store, key: throttle::Key| async move {
        (
            throttle::failures(&store, &key).await.expect("counts"),
            throttle::locked_until(&store, &key)
                .await
                .expect("lock")
                .is_some(),
        )
    };
    // `coordinator` through the proxy (alternating servers), `analyst` on server a only, each
    // attempt from another client address so only the account counts.
    for i in 1..=lock_after {
        let client = format!("198.51.100.{i}");
        assert_eq!(
            attempt(c.proxy, &client, "coordinator", "not the password").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            attempt(c.servers[0], &client, "analyst", "not the password").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let spread = state(c.other_store.clone(), account("coordinator")).await;
        let one = state(c.app.store.clone(), account("analyst")).await;
        assert_eq!(spread, one, "after {i} failures");
        assert_eq!(spread.0.0, i, "every failure counted once");
        assert_eq!(
            spread.1,
            i >= lock_after,
            "locked after {lock_after}, not before"
        );
    }
    // Locked on both servers: the right password is refused on each.
    for to in c.servers {
        assert_eq!(
            attempt(to, "198.51.100.200", "coordinator", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "locked on {to}"
        );
    }
    // An address's failures (unknown names) alternate between servers and back off and lock it
    // as on one server.
    for i in 1..=lock_after {
        attempt(
            c.proxy,
            "203.0.113.7",
            &format!("nobody{i}"),
            "some long password",
        )
        .await;
        attempt(
            c.servers[1],
            "203.0.113.8",
            &format!("nobody{i}"),
            "some long password",
        )
        .await;
        let spread = state(c.app.store.clone(), throttle::Key::address("203.0.113.7")).await;
        let one = state(c.other_store.clone(), throttle::Key::address("203.0.113.8")).await;
        assert_eq!(spread, one, "address after {i} failures");
        assert_eq!(spread.0.0, i, "every failure counted once");
    }
    // The locked address cannot sign in with a right password through either server; another
    // address can.
    for to in c.servers {
        assert_eq!(
            attempt(to, "203.0.113.7", "social", PASSWORD).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "address locked on {to}"
        );
    }
    assert_eq!(
        attempt(c.proxy, "203.0.113.50", "social", PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    c.stop().await;
}
