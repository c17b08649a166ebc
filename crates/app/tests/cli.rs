#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Command-line tests: each runs the real `elkarlan` binary in its own temporary directory
//! (the current directory of the child, so `elkarlan.key` lands there) against its own SQLite
//! file, and checks exit codes and output.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DEMO_PASSWORD: &str = "Demo-password-2026!";
const DEMO_USERS: [&str; 11] = [
    "admin",
    "coordinator",
    "lanbide",
    "social",
    "education",
    "housing",
    "health",
    "mentalhealth",
    "trainer",
    "analyst",
    "dpo",
];
/// Commands that do real work (migrations, demo data, password hashing) on a busy machine.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);
/// Commands that must fail at start-up.
const STARTUP_FAILURE_TIMEOUT: Duration = Duration::from_secs(60);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// A temporary working directory, removed when the test ends (also when it fails).
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "elkarlan-cli-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn url_of(&self, file: &str) -> String {
        format!("sqlite://{}", self.path(file).display())
    }

    /// The main database of the test.
    fn url(&self) -> String {
        self.url_of("t.db")
    }

    /// The binary with a clean `ELKARLAN_*` environment, no database URL.
    fn bare(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_elkarlan"));
        c.current_dir(&self.dir);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("ELKARLAN_") {
                c.env_remove(k);
            }
        }
        c.env("ELKARLAN_LOG", "warn");
        c
    }

    /// The binary on the test's database.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.bare();
        c.arg("--database-url").arg(self.url()).args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Out {
        run(self.cmd(args), None, COMMAND_TIMEOUT)
    }

    fn load_demo(&self) {
        let out = self.run(&["demo", "--password", DEMO_PASSWORD]);
        out.assert_success();
        assert!(
            out.stdout.contains("demo city loaded") && out.stdout.contains(DEMO_PASSWORD),
            "{out}"
        );
    }

    /// Runs `audit verify` on `url` and returns the row count of an intact trail.
    fn verify_intact(&self, url: &str) -> i64 {
        let mut c = self.bare();
        c.args(["--database-url", url, "audit", "verify"]);
        let out = run(c, None, COMMAND_TIMEOUT);
        out.assert_success();
        intact_rows(&out)
    }

    /// Runs `audit verify` on the test's database and expects it to name `row`.
    fn verify_broken_at(&self, row: i64) {
        let out = self.run(&["audit", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{out}");
        assert!(out.stdout.contains("AUDIT TRAIL BROKEN"), "{out}");
        assert!(
            out.stdout.contains(&format!(" row {row}:")),
            "expected row {row} to be named: {out}"
        );
        out.assert_no_panic();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a finished command left behind.
struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "\nstatus: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

impl Out {
    fn assert_no_panic(&self) {
        assert!(!self.stderr.contains("panicked"), "panic: {self}");
        assert!(!self.stdout.contains("panicked"), "panic: {self}");
    }

    fn assert_success(&self) {
        self.assert_no_panic();
        assert!(self.status.success(), "command failed: {self}");
    }

    /// A refused command: exit status 2 (the binary's code for errors; 1 means "audit trail
    /// broken", 101 a panic), no panic, and a message on stderr mentioning `needle`.
    fn assert_error_mentions(&self, needle: &str) {
        self.assert_no_panic();
        assert_eq!(
            self.status.code(),
            Some(2),
            "expected a clean error: {self}"
        );
        assert!(
            self.stderr.contains("error:") && self.stderr.contains(needle),
            "expected the error to mention {needle:?}: {self}"
        );
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut s);
        }
        String::from_utf8_lossy(&s).into_owned()
    })
}

/// Runs a command to completion, feeding `stdin`; kills it and fails after `timeout`.
fn run(mut cmd: Command, stdin: Option<&str>, timeout: Duration) -> Out {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("cannot start elkarlan");
    if let Some(input) = stdin {
        let mut w = child.stdin.take().unwrap();
        w.write_all(input.as_bytes()).unwrap();
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let status = child.wait().unwrap();
            let o = Out {
                status,
                stdout: out.join().unwrap(),
                stderr: err.join().unwrap(),
            };
            panic!("{cmd:?} still running after {timeout:?}; killed: {o}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Out {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The row count of "audit trail intact: N rows in M tenant chain(s)".
fn intact_rows(out: &Out) -> i64 {
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("audit trail intact: "))
        .unwrap_or_else(|| panic!("no 'audit trail intact' line: {out}"));
    line["audit trail intact: ".len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row count in {line:?}"))
}

// ---------------------------------------------------------------------------------------------
// Direct database access, for tampering
// ---------------------------------------------------------------------------------------------

/// A step of raw SQL with integer parameters.
type Step = (&'static str, Vec<i64>);

fn with_db<T>(file: &Path, f: impl AsyncFnOnce(&sqlx::SqlitePool) -> Result<T, sqlx::Error>) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(false);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        let r = f(&pool).await.unwrap();
        pool.close().await;
        r
    })
}

fn tamper(file: &Path, steps: &[Step]) {
    with_db(file, async |pool| {
        for (sql, params) in steps {
            let mut q = sqlx::query(*sql);
            for p in params {
                q = q.bind(*p);
            }
            q.execute(pool).await?;
        }
        Ok(())
    });
}

/// The last sequence number of the (single) demo tenant's chain.
fn last_seq(file: &Path) -> i64 {
    let (tenants, last): (i64, i64) = with_db(file, async |pool| {
        sqlx::query_as("SELECT COUNT(DISTINCT tenant_id), MAX(seq) FROM audit_events")
            .fetch_one(pool)
            .await
    });
    assert_eq!(tenants, 1, "the demo should have a single tenant chain");
    assert!(last > 10, "the demo should leave more than 10 audit rows");
    last
}

/// A demo database, checked intact, and the row in the middle of its chain.
fn demo_with_middle_row(name: &str) -> (Sandbox, i64, i64) {
    let sb = Sandbox::new(name);
    sb.load_demo();
    let rows = sb.verify_intact(&sb.url());
    let last = last_seq(&sb.path("t.db"));
    assert_eq!(rows, last);
    (sb, last / 2, last)
}

// ---------------------------------------------------------------------------------------------
// A running server
// ---------------------------------------------------------------------------------------------

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A `serve` child; killed and reaped on drop.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

fn collect_lines(pipe: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            let mut s = into.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
}

impl Server {
    fn start(mut cmd: Command, port: u16) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("cannot start elkarlan serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        collect_lines(child.stdout.take().unwrap(), stdout.clone());
        collect_lines(child.stderr.take().unwrap(), stderr.clone());
        Self {
            child,
            port,
            stdout,
            stderr,
        }
    }

    fn output(&self) -> String {
        format!(
            "\n--- stdout ---\n{}--- stderr ---\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Waits until `/healthz` answers 200; fails if the process exits or time runs out.
    fn wait_healthy(&mut self) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(200));
                panic!("server exited early ({status}): {}", self.output());
            }
            if let Some((200, body)) = http_get(self.port, "/healthz") {
                assert_eq!(body.trim(), "ok");
                return;
            }
            assert!(
                start.elapsed() < COMMAND_TIMEOUT,
                "server not healthy after {COMMAND_TIMEOUT:?}: {}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until stdout holds `needle` (it is printed before the server accepts requests,
    /// but the reader thread may lag behind).
    fn wait_stdout(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.stdout.lock().unwrap().clone();
            if s.contains(needle) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "stdout never contained {needle:?}: {}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let err = self.stderr.lock().unwrap().clone();
        assert!(
            !err.contains("panicked"),
            "server panicked: {}",
            self.output()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET; `None` while nothing listens.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

// ---------------------------------------------------------------------------------------------
// 1. migrate
// ---------------------------------------------------------------------------------------------

fn applied_versions(out: &Out) -> Vec<i64> {
    let line = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("migrations applied: "))
        .unwrap_or_else(|| panic!("no 'migrations applied' line: {out}"));
    let inner = line
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or_else(|| panic!("not a list: {line:?}"));
    inner
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap_or_else(|_| panic!("bad version {v:?}")))
        .collect()
}

#[test]
fn migrate_applies_once_then_nothing() {
    let sb = Sandbox::new("migrate");
    let first = sb.run(&["migrate"]);
    first.assert_success();
    let versions = applied_versions(&first);
    assert!(!versions.is_empty(), "{first}");
    assert_eq!(versions[0], 1, "{first}");
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert!(sb.path("t.db").exists());

    let second = sb.run(&["migrate"]);
    second.assert_success();
    assert!(second.stdout.contains("migrations applied: []"), "{second}");
}

// ---------------------------------------------------------------------------------------------
// 2. demo + audit verify
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_then_audit_verify_is_intact() {
    let sb = Sandbox::new("demo");
    sb.load_demo();
    let out = sb.run(&["audit", "verify"]);
    out.assert_success();
    assert!(out.stdout.contains("audit trail intact"), "{out}");
    assert!(out.stdout.contains("in 1 tenant chain(s)"), "{out}");
    let rows = intact_rows(&out);
    assert!(rows > 10, "expected more than 10 audit rows: {out}");

    // Loading the demo again resets passwords and appends to the same, still intact chain.
    sb.load_demo();
    let again = sb.verify_intact(&sb.url());
    assert!(
        again > rows,
        "a second demo load should append rows ({again} vs {rows})"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Tampering with the audit trail
// ---------------------------------------------------------------------------------------------

#[test]
fn audit_verify_detects_an_edited_row() {
    let (sb, middle, _) = demo_with_middle_row("tamper-edit");
    tamper(
        &sb.path("t.db"),
        &[
            ("DROP TRIGGER audit_events_no_update", vec![]),
            (
                "UPDATE audit_events SET detail = '{\"forged\":true}' WHERE seq = $1",
                vec![middle],
            ),
        ],
    );
    sb.verify_broken_at(middle);
}

#[test]
fn audit_verify_detects_a_deleted_row() {
    let (sb, middle, _) = demo_with_middle_row("tamper-delete");
    tamper(
        &sb.path("t.db"),
        &[
            ("DROP TRIGGER audit_events_no_delete", vec![]),
            ("DELETE FROM audit_events WHERE seq = $1", vec![middle]),
        ],
    );
    // The next row carries seq middle+1; the missing one is named.
    sb.verify_broken_at(middle);
}

#[test]
fn audit_verify_detects_swapped_rows() {
    let (sb, middle, last) = demo_with_middle_row("tamper-swap");
    let other = middle + 2;
    assert!(other < last);
    tamper(
        &sb.path("t.db"),
        &[
            ("DROP TRIGGER audit_events_no_update", vec![]),
            ("DROP TRIGGER audit_events_no_delete", vec![]),
            (
                "UPDATE audit_events SET seq = -1 WHERE seq = $1",
                vec![middle],
            ),
            (
                "UPDATE audit_events SET seq = $1 WHERE seq = $2",
                vec![middle, other],
            ),
            (
                "UPDATE audit_events SET seq = $1 WHERE seq = -1",
                vec![other],
            ),
        ],
    );
    sb.verify_broken_at(middle);
}

#[test]
fn audit_verify_detects_a_forged_row_at_the_end() {
    let (sb, _, last) = demo_with_middle_row("tamper-forge");
    tamper(
        &sb.path("t.db"),
        &[(
            "INSERT INTO audit_events (tenant_id, seq, id, at, actor_id, actor_name, actor_role,
                actor_agency, action, entity_type, entity_id, subject_id, basis, outcome,
                request_id, ip, detail, prev_hash, hash)
             SELECT tenant_id, seq + 1, id, at, actor_id, actor_name, actor_role, actor_agency,
                action, entity_type, entity_id, subject_id, basis, outcome, request_id, ip,
                detail, prev_hash, hash
             FROM audit_events WHERE seq = $1",
            vec![last],
        )],
    );
    sb.verify_broken_at(last + 1);
}

// ---------------------------------------------------------------------------------------------
// 4. user add
// ---------------------------------------------------------------------------------------------

fn user_add(sb: &Sandbox, role: &str, stdin: &str) -> Out {
    let cmd = sb.cmd(&[
        "user",
        "add",
        "--username",
        "ane",
        "--name",
        "Ane Zubiri",
        "--role",
        role,
        "--password-stdin",
    ]);
    run(cmd, Some(stdin), COMMAND_TIMEOUT)
}

#[test]
fn user_add_creates_once_and_refuses_bad_input() {
    let sb = Sandbox::new("user");
    let ok = user_add(&sb, "administrator", "a strong passphrase here\n");
    ok.assert_success();
    assert!(
        ok.stdout.contains("account ane created (administrator)"),
        "{ok}"
    );
    assert!(
        !ok.stdout.contains("a strong passphrase here"),
        "the password must not be echoed: {ok}"
    );

    let dup = user_add(&sb, "administrator", "a strong passphrase here\n");
    dup.assert_error_mentions("username ane is already in use");

    let wizard = user_add(&sb, "wizard", "a strong passphrase here\n");
    wizard.assert_error_mentions("unknown role \"wizard\"");
    for role in ["administrator", "coordinator", "social_worker", "analyst"] {
        assert!(wizard.stderr.contains(role), "valid roles listed: {wizard}");
    }

    let weak = Sandbox::new("user-weak");
    let short = user_add(&weak, "administrator", "bilbao2026\n");
    short.assert_error_mentions("password");
    assert!(short.stderr.contains("at least 15 characters"), "{short}");
    // Nothing was created: the strong password works afterwards.
    user_add(&weak, "administrator", "a strong passphrase here\n").assert_success();
}

// ---------------------------------------------------------------------------------------------
// 5. backup and restore
// ---------------------------------------------------------------------------------------------

#[test]
fn backup_and_restore_keep_the_audit_trail() {
    let sb = Sandbox::new("backup");
    sb.load_demo();
    let rows = sb.verify_intact(&sb.url());

    let backup = sb.path("b.db");
    let backup_arg = backup.to_str().unwrap();
    let out = sb.run(&["backup", backup_arg]);
    out.assert_success();
    assert!(out.stdout.contains("backup written to"), "{out}");
    assert!(std::fs::metadata(&backup).unwrap().len() > 0);

    // A second backup to the same path is refused and leaves the first one alone (the wording
    // of the refusal is checked in `backup_refuses_an_existing_file_with_a_clear_message`).
    let before = std::fs::read(&backup).unwrap();
    let again = sb.run(&["backup", backup_arg]);
    again.assert_no_panic();
    assert_eq!(again.status.code(), Some(2), "{again}");
    assert_eq!(std::fs::read(&backup).unwrap(), before);

    let restored = sb.url_of("restored.db");
    let restore = |force: bool| {
        let mut c = sb.bare();
        c.args(["--database-url", &restored, "restore", backup_arg]);
        if force {
            c.arg("--force");
        }
        run(c, None, COMMAND_TIMEOUT)
    };
    let out = restore(false);
    out.assert_success();
    assert!(
        out.stdout
            .contains(&format!("({rows} audit rows verified)")),
        "{out}"
    );
    assert!(sb.path("restored.db").exists());
    assert_eq!(sb.verify_intact(&restored), rows);

    let over = restore(false);
    over.assert_error_mentions("--force");
    assert!(over.stderr.contains("exists"), "{over}");

    restore(true).assert_success();
    assert_eq!(sb.verify_intact(&restored), rows);

    let mut missing = sb.bare();
    missing.args(["--database-url", &restored, "restore", "--force"]);
    missing.arg(sb.path("nope.db"));
    run(missing, None, COMMAND_TIMEOUT).assert_error_mentions("does not exist");
}

#[test]
fn backup_refuses_an_existing_file_with_a_clear_message() {
    let sb = Sandbox::new("backup-exists");
    sb.run(&["migrate"]).assert_success();
    let backup = sb.path("b.db");
    let backup_arg = backup.to_str().unwrap();
    sb.run(&["backup", backup_arg]).assert_success();
    let again = sb.run(&["backup", backup_arg]);
    again.assert_error_mentions("already exists");
    assert!(again.stderr.contains(backup_arg), "{again}");
}

// ---------------------------------------------------------------------------------------------
// 6. Bad input
// ---------------------------------------------------------------------------------------------

fn startup_failure(cmd: Command) -> Out {
    run(cmd, None, STARTUP_FAILURE_TIMEOUT)
}

#[test]
fn unknown_database_scheme_is_refused() {
    let sb = Sandbox::new("bad-scheme");
    let mut c = sb.bare();
    c.args(["--database-url", "mysql://x", "migrate"]);
    let out = startup_failure(c);
    out.assert_error_mentions("sqlite:");
    assert!(out.stderr.contains("postgres://"), "{out}");
}

#[test]
fn unreachable_postgres_is_reported() {
    let sb = Sandbox::new("bad-pg");
    let mut c = sb.bare();
    c.args([
        "--database-url",
        "postgres://postgres@127.0.0.1:1/none",
        "migrate",
    ]);
    startup_failure(c).assert_error_mentions("cannot open the database");
}

#[test]
fn serve_refuses_a_bad_address() {
    let sb = Sandbox::new("bad-addr");
    startup_failure(sb.cmd(&["serve", "--addr", "notanaddress"])).assert_error_mentions("--addr");
}

#[test]
fn config_file_with_an_unknown_key_is_refused() {
    let sb = Sandbox::new("bad-config");
    let file = sb.path("elkarlan.toml");
    std::fs::write(&file, "databse_url = \"x\"\n").unwrap();
    let mut c = sb.bare();
    c.arg("--config").arg(&file).arg("migrate");
    let out = startup_failure(c);
    out.assert_error_mentions("unknown field");
    assert!(out.stderr.contains("databse_url"), "{out}");
    let mut c = sb.bare();
    c.arg("--config")
        .arg(&file)
        .args(["serve", "--addr", "127.0.0.1:0"]);
    startup_failure(c).assert_error_mentions("unknown field");
}

#[test]
fn serve_refuses_a_bad_secret_key() {
    let sb = Sandbox::new("bad-key");
    let mut c = sb.cmd(&["serve", "--addr", "127.0.0.1:0"]);
    c.env("ELKARLAN_SECRET_KEY", "abc");
    startup_failure(c).assert_error_mentions("ELKARLAN_SECRET_KEY");
}

#[test]
fn serve_refuses_a_bad_tenant() {
    let sb = Sandbox::new("bad-tenant");
    let mut c = sb.bare();
    c.args([
        "--database-url",
        &sb.url(),
        "--tenant",
        "123",
        "serve",
        "--addr",
        "127.0.0.1:0",
    ]);
    startup_failure(c).assert_error_mentions("INE");
}

// ---------------------------------------------------------------------------------------------
// 7. serve
// ---------------------------------------------------------------------------------------------

#[test]
fn serve_demo_answers_and_restarts() {
    let sb = Sandbox::new("serve");

    let port = free_port();
    let mut c = sb.cmd(&["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")]);
    c.env("ELKARLAN_DEMO_PASSWORD", DEMO_PASSWORD);
    let mut server = Server::start(c, port);
    server.wait_healthy();
    let stdout = server.wait_stdout("Password:");
    assert!(
        stdout.contains(&format!("Elkarlan is running at http://127.0.0.1:{port}/")),
        "{}",
        server.output()
    );
    assert!(
        stdout.contains(&format!("Password: {DEMO_PASSWORD}")),
        "{}",
        server.output()
    );
    let listed: BTreeSet<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("Demo accounts"))
        .skip(1)
        .take_while(|l| !l.starts_with("Password:"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let expected: BTreeSet<&str> = DEMO_USERS.into_iter().collect();
    assert_eq!(listed, expected, "{}", server.output());
    let ready = http_get(port, "/readyz");
    assert_eq!(
        ready.as_ref().map(|r| r.0),
        Some(200),
        "{ready:?} {}",
        server.output()
    );
    assert!(sb.path("elkarlan.key").exists());
    server.stop();

    // Restart on the same database (and key file), without --demo.
    let port = free_port();
    let mut server = Server::start(
        sb.cmd(&["serve", "--addr", &format!("127.0.0.1:{port}")]),
        port,
    );
    server.wait_healthy();
    let stdout = server.wait_stdout("Elkarlan is running at");
    assert!(
        !stdout.contains("No accounts yet") && !stdout.contains("Password:"),
        "{}",
        server.output()
    );
    assert_eq!(http_get(port, "/readyz").map(|r| r.0), Some(200));
    server.stop();

    // Killing the server left a consistent database and trail.
    assert!(sb.verify_intact(&sb.url()) > 10);
}

#[test]
fn signed_checkpoints_catch_a_consistently_truncated_chain() {
    let (sb, _, last) = demo_with_middle_row("checkpoint");
    let out = sb.run(&["audit", "checkpoint"]);
    out.assert_success();
    assert!(out.stdout.contains(&format!("\"seq\":{last}")), "{out}");
    std::fs::write(sb.path("checkpoint.jsonl"), &out.stdout).unwrap();
    let cp = sb.path("checkpoint.jsonl").display().to_string();
    let ok = sb.run(&["audit", "verify", "--checkpoint", &cp]);
    ok.assert_success();
    assert!(ok.stdout.contains("signed checkpoints match"), "{ok}");
    // Someone with database access removes the last row and moves the head back to the row
    // before it: the chain alone still verifies.
    tamper(
        &sb.path("t.db"),
        &[
            ("DROP TRIGGER audit_events_no_delete", vec![]),
            ("DELETE FROM audit_events WHERE seq = $1", vec![last]),
            (
                "UPDATE audit_heads SET seq = $1, hash = (SELECT hash FROM audit_events e WHERE e.seq = $1 AND e.tenant_id = audit_heads.tenant_id)",
                vec![last - 1],
            ),
        ],
    );
    sb.run(&["audit", "verify"]).assert_success();
    let caught = sb.run(&["audit", "verify", "--checkpoint", &cp]);
    assert_eq!(caught.status.code(), Some(1), "{caught}");
    assert!(
        caught.stdout.contains(&format!("row {last}: missing")),
        "{caught}"
    );
    // An edited checkpoint is refused too.
    let forged = out
        .stdout
        .replace(&format!("\"seq\":{last}"), &format!("\"seq\":{}", last - 1));
    std::fs::write(sb.path("forged.jsonl"), forged).unwrap();
    let f = sb.path("forged.jsonl").display().to_string();
    let bad = sb.run(&["audit", "verify", "--checkpoint", &f]);
    assert_eq!(bad.status.code(), Some(1), "{bad}");
    assert!(bad.stdout.contains("signature does not match"), "{bad}");
}

// ---------------------------------------------------------------------------------------------
// 8. The demo city's synthetic people
// ---------------------------------------------------------------------------------------------

/// Row counts of the tables the demo fills, in a fixed order.
fn demo_table_counts(file: &Path) -> Vec<i64> {
    with_db(file, async |pool| {
        let mut out = Vec::new();
        for table in [
            "people",
            "cases",
            "case_team",
            "consents",
            "referrals",
            "notifications",
            "service_capacity",
            "break_glass",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await?;
            out.push(n);
        }
        Ok(out)
    })
}

/// One number from the test's database.
fn count(file: &Path, sql: &'static str) -> i64 {
    with_db(file, async |pool| {
        sqlx::query_as::<_, (i64,)>(sql)
            .fetch_one(pool)
            .await
            .map(|r| r.0)
    })
}

#[test]
fn demo_loads_synthetic_people_cases_and_referrals_once() {
    let sb = Sandbox::new("demo-people");
    let started = Instant::now();
    sb.load_demo();
    let took = started.elapsed();
    let db = sb.path("t.db");

    let people = count(&db, "SELECT COUNT(*) FROM people");
    assert!(people >= 250, "{people} people");
    let cases = count(&db, "SELECT COUNT(*) FROM cases");
    assert!(cases >= 200, "{cases} cases");
    // About a third of the people live in Otxarkoaga, the pilot neighbourhood.
    let otxarkoaga = count(
        &db,
        "SELECT COUNT(*) FROM people p JOIN areas a ON a.id = p.area_id WHERE a.name_es = 'Otxarkoaga'",
    );
    assert!(
        (people / 4..=people / 2).contains(&otxarkoaga),
        "{otxarkoaga} of {people} in Otxarkoaga"
    );
    for status in ["open", "active", "on_hold", "closed"] {
        let n: i64 = with_db(&db, async |pool| {
            sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM cases WHERE status = $1")
                .bind(status)
                .fetch_one(pool)
                .await
                .map(|r| r.0)
        });
        assert!(n > 0, "no {status} case");
    }
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM cases WHERE status = 'closed' AND closure_reason IS NULL"
        ),
        0
    );

    let statuses: Vec<(String, i64)> = with_db(&db, async |pool| {
        sqlx::query_as("SELECT status, COUNT(*) FROM referrals GROUP BY status")
            .fetch_all(pool)
            .await
    });
    for status in [
        "sent",
        "accepted",
        "declined",
        "in_progress",
        "completed",
        "withdrawn",
    ] {
        assert!(
            statuses.iter().any(|(s, n)| s == status && *n > 0),
            "no {status} referral: {statuses:?}"
        );
    }
    let pending: Vec<(String, i64)> = with_db(&db, async |pool| {
        sqlx::query_as(
            "SELECT u.username, COUNT(*) FROM referrals r JOIN users u ON u.agency_id = r.to_agency
             WHERE r.status = 'sent' AND u.username IN ('lanbide', 'social') GROUP BY u.username",
        )
        .fetch_all(pool)
        .await
    });
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending.iter().all(|(_, n)| *n >= 3), "{pending:?}");
    let overdue = count(
        &db,
        "SELECT COUNT(*) FROM referrals WHERE status IN ('sent', 'accepted', 'in_progress') AND due_at < sent_at",
    );
    assert!(overdue > 0, "no overdue referral");

    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NOT NULL"
        ) > 0
    );
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM consents WHERE expires_at IS NOT NULL"
        ) > 0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM service_capacity WHERE open_places = 0 AND waiting_list > 0"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM break_glass WHERE reviewed_at IS NULL"
        ),
        1
    );
    // Demo agencies have no e-mail address, so nothing waits to be sent.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM email_outbox"), 0);

    // Documents are sealed with the installation key of `serve` (the key file), so person 0 of
    // the documented population is found by its keyed hash and its document opens.
    let key: [u8; 32] = hex::decode(
        std::fs::read_to_string(sb.path("elkarlan.key"))
            .unwrap()
            .trim(),
    )
    .unwrap()
    .try_into()
    .unwrap();
    let tenant: Vec<u8> = with_db(&db, async |pool| {
        sqlx::query_as::<_, (Vec<u8>,)>("SELECT id FROM tenants")
            .fetch_one(pool)
            .await
            .map(|r| r.0)
    });
    let tenant = elkarlan_domain::TenantId(uuid::Uuid::from_slice(&tenant).unwrap());
    let first = elkarlan_domain::synthetic::SyntheticPeople::new(2026, Some(10)).person(0);
    let stored = elkarlan_web::auth::stored_document(&key, tenant, &first.document);
    let sealed: Vec<u8> = with_db(&db, async |pool| {
        sqlx::query_as::<_, (Vec<u8>,)>(
            "SELECT document_sealed FROM people WHERE document_hash = $1 AND given_name = $2",
        )
        .bind(&stored.hash)
        .bind(&first.given_name)
        .fetch_one(pool)
        .await
        .map(|r| r.0)
    });
    let opened = elkarlan_web::auth::open(&key, &sealed, tenant.0.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(opened).unwrap(),
        format!("{}:{}", first.document.kind(), first.document.number())
    );

    let rows = sb.verify_intact(&sb.url());
    let before = demo_table_counts(&db);

    // A second load resets the passwords and adds nothing else.
    sb.load_demo();
    assert_eq!(demo_table_counts(&db), before);
    assert!(sb.verify_intact(&sb.url()) > rows);
    assert!(took < COMMAND_TIMEOUT, "the demo took {took:?} to load");
}

#[test]
fn retention_apply_disposes_of_expired_records_and_keeps_the_trail_intact() {
    let sb = Sandbox::new("retention");
    sb.load_demo();
    let db = sb.path("t.db");
    let rows = sb.verify_intact(&sb.url());
    // Today nothing in the demo is past its period.
    let now = sb.run(&["retention", "apply"]);
    now.assert_success();
    assert!(
        now.stdout
            .contains("0 closed cases anonymised, 0 people without a case deleted"),
        "{now}"
    );
    // Ten years on, every closed case's person is anonymised, and each disposal is audited.
    let later = sb.run(&["retention", "apply", "--as-of", "2037-01-01"]);
    later.assert_success();
    let closed: i64 = with_db(&db, async |pool| {
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM cases WHERE status = 'closed'")
            .fetch_one(pool)
            .await
            .map(|r| r.0)
    });
    let anonymised: i64 = with_db(&db, async |pool| {
        sqlx::query_as::<_, (i64,)>(
            "SELECT COUNT(*) FROM people WHERE anonymised_at IS NOT NULL AND given_name = ''",
        )
        .fetch_one(pool)
        .await
        .map(|r| r.0)
    });
    assert!(closed > 0, "the demo has closed cases");
    assert_eq!(anonymised, closed, "{later}");
    assert!(
        later
            .stdout
            .contains(&format!("{closed} closed cases anonymised")),
        "{later}"
    );
    let after = sb.verify_intact(&sb.url());
    assert!(
        after >= rows + closed,
        "one audit row per disposal: {rows} → {after}"
    );
    // A bad date is a clear error, not a panic.
    let bad = sb.run(&["retention", "apply", "--as-of", "2037-02-30"]);
    assert_eq!(bad.status.code(), Some(2), "{bad}");
    bad.assert_error_mentions("expected YYYY-MM-DD");
}

// ---------------------------------------------------------------------------------------------
// 9. The synthetic population for scale tests (`demo --people N`)
// ---------------------------------------------------------------------------------------------

/// A plain HTTP/1.1 request with extra headers and an optional JSON body.
fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> (u16, String) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(s, "{head}\r\n{body}").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// The bulk people's indices in the demo generator are 300.., and 13 in 15 of them get a case.
fn population_cases(people: std::ops::Range<u64>) -> i64 {
    people.filter(|i| !matches!(i % 15, 4 | 11)).count() as i64
}

#[test]
fn demo_people_adds_a_synthetic_population_once_and_tops_it_up() {
    let sb = Sandbox::new("population");
    let db = sb.path("t.db");
    let out = sb.run(&["demo", "--password", DEMO_PASSWORD, "--people", "500"]);
    out.assert_success();
    assert!(
        out.stdout.contains("demo city loaded")
            && out
                .stdout
                .contains("population loaded: 500 of 500 synthetic people (500 added in ")
            && out.stdout.contains("people/s"),
        "{out}"
    );
    let cases = 260 + population_cases(300..800);
    assert!(
        out.stdout
            .contains(&format!("; {} cases opened", cases - 260)),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM people"), 800);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM cases"), cases);
    // As in production: every person has trigrams and an audit row, every case its lead on the
    // team and an audit row.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM person_trigrams t WHERE t.person_id = p.id)"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS
             (SELECT 1 FROM case_team t WHERE t.case_id = c.id AND t.user_id = c.lead_user_id AND t.agency_id = c.lead_agency_id)"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'person.create'"
        ),
        800
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'case.open'"
        ),
        cases
    );
    // Cases are led by the demo professionals who lead the demo's.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM cases c JOIN users u ON u.id = c.lead_user_id
             WHERE u.username NOT IN ('social', 'lanbide', 'education', 'housing', 'health', 'mentalhealth')"
        ),
        0
    );
    sb.verify_intact(&sb.url());

    // The last generated person is found through the API's search, by the name's Spanish
    // spelling without accents.
    let last = elkarlan_domain::synthetic::SyntheticPeople::new(2026, Some(10)).person(799);
    let port = free_port();
    let mut server = Server::start(
        sb.cmd(&["serve", "--addr", &format!("127.0.0.1:{port}")]),
        port,
    );
    server.wait_healthy();
    let (status, body) = http_request(
        port,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some(&format!(
            r#"{{"username":"social","password":"{DEMO_PASSWORD}"}}"#
        )),
    );
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let name = format!(
        "{} {} {}",
        last.given_name, last.first_surname, last.second_surname
    );
    let folded = elkarlan_domain::search::fold(&name).replace(' ', "%20");
    let (status, body) = http_request(
        port,
        "GET",
        &format!("/api/v1/people?q={folded}"),
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(status, 200, "{body}");
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    let year: i64 = last.birth_date.format("%Y").to_string().parse().unwrap();
    assert!(
        found["items"].as_array().unwrap().iter().any(|p| {
            p["name"] == name.as_str() && p["birth_year"] == year && p["score"] == 1.0
        }),
        "{name} ({year}) not found: {body}"
    );
    server.stop();

    // Again with the same number: nothing is added and the trail stays intact.
    let rows = sb.verify_intact(&sb.url());
    let out = sb.run(&["demo", "--password", DEMO_PASSWORD, "--people", "500"]);
    out.assert_success();
    assert!(
        out.stdout
            .contains("all 500 synthetic people were already there; nothing added"),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM people"), 800);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM cases"), cases);
    assert!(sb.verify_intact(&sb.url()) > rows);

    // A larger number adds only the people still missing.
    let out = sb.run(&["demo", "--password", DEMO_PASSWORD, "--people", "650"]);
    out.assert_success();
    assert!(
        out.stdout
            .contains("population loaded: 650 of 650 synthetic people (150 added in "),
        "{out}"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM people"), 950);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM cases"),
        cases + population_cases(800..950)
    );
    let emails = count(&db, "SELECT COUNT(DISTINCT email) FROM people");
    assert_eq!(emails, 950, "a person was added twice");
    sb.verify_intact(&sb.url());
}

#[test]
fn demo_agreements_cover_every_state_and_count_progress_from_placements() {
    let sb = Sandbox::new("demo-agreements");
    sb.load_demo();
    let db = sb.path("t.db");
    let states: Vec<(String, i64)> = with_db(&db, async |pool| {
        sqlx::query_as("SELECT status, COUNT(*) FROM agreements GROUP BY status")
            .fetch_all(pool)
            .await
    });
    for status in [
        "draft",
        "signed",
        "active",
        "expired",
        "renewed",
        "terminated",
    ] {
        assert!(
            states.iter().any(|(s, n)| s == status && *n > 0),
            "no {status} agreement: {states:?}"
        );
    }
    for kind in ["hire_participants", "offer_practicum_places", "other"] {
        let n: i64 = with_db(&db, async |pool| {
            sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM commitments WHERE kind = $1")
                .bind(kind)
                .fetch_one(pool)
                .await
                .map(|r| r.0)
        });
        assert!(n > 0, "no {kind} commitment");
    }
    // Demo placements are linked to directory employers with hiring commitments.
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM placements p JOIN commitments c ON c.organisation_id = p.employer_organisation WHERE c.kind = 'hire_participants'"
        ) >= 2
    );
    // Loading again adds nothing.
    sb.load_demo();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM agreements"), 8);
}

#[test]
fn demo_portfolio_has_the_five_projects_with_budgets_milestones_and_links() {
    let sb = Sandbox::new("demo-portfolio");
    sb.load_demo();
    let db = sb.path("t.db");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM projects"), 5);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT year) FROM project_budgets"),
        3
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM project_budgets"), 15);
    assert!(count(&db, "SELECT COUNT(*) FROM project_milestones") >= 10);
    for kind in ["programme", "agreement", "contract"] {
        let n: i64 = with_db(&db, async |pool| {
            sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM project_links WHERE kind = $1")
                .bind(kind)
                .fetch_one(pool)
                .await
                .map(|r| r.0)
        });
        assert!(n > 0, "no {kind} link");
    }
    // Loading again adds nothing.
    sb.load_demo();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM projects"), 5);
}
