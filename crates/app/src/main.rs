//! `elkarlan`: the one binary. `serve` runs the web application; the other subcommands are for
//! operators (migrate, users, audit verification, backup and restore, demo data).

mod bootstrap;
mod checkpoint;
mod config;
mod demo_agreements;
mod demo_casework;
mod demo_ecosystem;
mod demo_employment;
mod demo_portfolio;
mod demo_procurement;
mod demo_scale_employment;
mod indicators_cli;

use anyhow::Context;
use clap::{Parser, Subcommand};
use elkarlan_domain::account::Role;
use elkarlan_store::{Store, audit};
use elkarlan_web::auth::PasswordHasher;
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "elkarlan",
    version,
    about = "Elkarlan: the strategic projects platform of Bilbao City Council"
)]
struct Cli {
    /// Configuration file (TOML). Environment variables and flags override it.
    #[arg(long, global = true, env = "ELKARLAN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://FILE (default sqlite://elkarlan.db) or postgres://...
    #[arg(long, global = true, env = "ELKARLAN_DATABASE_URL")]
    database_url: Option<String>,
    /// INE code of the municipality served by default.
    #[arg(long, global = true, env = "ELKARLAN_TENANT")]
    tenant: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ELKARLAN_ADDR")]
        addr: Option<String>,
        /// Load the demo city (synthetic people only) and print the demo accounts.
        #[arg(long)]
        demo: bool,
        /// Password of the demo accounts; a random one is printed when not set.
        #[arg(long, env = "ELKARLAN_DEMO_PASSWORD", hide_env_values = true)]
        demo_password: Option<String>,
        /// SMTP relay for outgoing e-mail (smtp://host:port or smtps://user:pass@host).
        #[arg(long, env = "ELKARLAN_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// Send cookies without Secure/__Host- (only for plain HTTP other than localhost).
        #[arg(long, env = "ELKARLAN_INSECURE_COOKIES")]
        insecure_cookies: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Load the demo city into the database.
    Demo {
        #[arg(long, env = "ELKARLAN_DEMO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Also add N synthetic people beyond the demo city's 300, most with an open case led
        /// by a demo professional, for scale tests and benchmarks. Running again adds only the
        /// ones still missing.
        #[arg(long, value_name = "N")]
        people: Option<u64>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of a SQLite database while it is in use.
    Backup { path: PathBuf },
    /// Check a SQLite backup (integrity and audit chain) and copy it to the database path.
    Restore {
        backup: PathBuf,
        /// Replace an existing database file.
        #[arg(long)]
        force: bool,
    },
    /// Published indicator results: refresh, show a neighbourhood, export the facts (operator tools).
    Indicators {
        #[command(subcommand)]
        command: indicators_cli::IndicatorsCommand,
    },
    /// Records past their retention period.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise or delete every record past its period now (the worker does it daily), as of
    /// today or of `--as-of YYYY-MM-DD` to see what a later run would dispose of.
    Apply {
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the first administrator, for example). The password is read from
    /// standard input, or generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Role code: administrator, coordinator, employment_professional, social_worker, ...
        #[arg(long, default_value = "administrator")]
        role: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every hash chain; exits 1 and names the first bad row when anything was edited,
    /// deleted, inserted or reordered.
    Verify {
        /// Also check signed checkpoints (from `audit checkpoint`) against the chain.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Print a signed checkpoint of each chain's head (JSON lines) to keep off the host.
    Checkpoint,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ELKARLAN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn random_password() -> String {
    // Four words of a small Basque/Spanish/English-neutral syllable set, plus digits: ~60 bits.
    const SYL: [&str; 32] = [
        "ba", "be", "bi", "bo", "da", "de", "di", "do", "ga", "ge", "gi", "go", "ka", "ke", "ki",
        "ko", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "ta", "te",
        "ti", "to",
    ];
    let mut rng = rand::thread_rng();
    let word = |rng: &mut rand::rngs::ThreadRng| {
        (0..3)
            .map(|_| SYL[rand::Rng::gen_range(rng, 0..SYL.len())])
            .collect::<String>()
    };
    format!(
        "{}-{}-{}-{}",
        word(&mut rng),
        word(&mut rng),
        word(&mut rng),
        rand::Rng::gen_range(&mut rng, 100..1000)
    )
}

/// The installation's secret key (environment, or the key file created on first start).
fn secret_key(file: &config::FileConfig) -> anyhow::Result<elkarlan_web::config::SecretKey> {
    let key_file = file
        .secret_key_file
        .clone()
        .unwrap_or_else(|| PathBuf::from("elkarlan.key"));
    config::secret_key(
        std::env::var("ELKARLAN_SECRET_KEY").ok().as_deref(),
        &key_file,
    )
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = config::load_file(cli.config.as_deref())?;
    let url = cli
        .database_url
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| "sqlite://elkarlan.db".into());
    elkarlan_store::Backend::of_url(&url)
        .map_err(|e| anyhow::anyhow!("{e} (got {})", bootstrap::redact(&url)))?;
    let tenant = cli
        .tenant
        .or_else(|| file.tenant.clone())
        .unwrap_or_else(|| "48020".into());
    match cli.command {
        Command::Serve {
            addr,
            demo,
            demo_password,
            smtp_url,
            insecure_cookies,
        } => {
            let addr: SocketAddr = addr
                .or_else(|| file.addr.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into())
                .parse()
                .context("--addr must be an IP address and port, like 127.0.0.1:8080")?;
            let key = secret_key(&file)?;
            let demo_key = key.0;
            let web = config::web_config(
                &file,
                key,
                &tenant,
                smtp_url,
                insecure_cookies.then_some(false),
            )?;
            let store = bootstrap::open(&url).await?;
            let tenant_id = bootstrap::ensure_tenant(&store, &tenant).await?;
            let state = elkarlan_web::AppState::new(store.clone(), web);
            let demo_password = if demo {
                let pw = demo_password.unwrap_or_else(random_password);
                bootstrap::load_demo(&store, &state.hasher, tenant_id, &pw, &demo_key).await?;
                Some(pw)
            } else {
                None
            };
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            elkarlan_web::worker::spawn(state.clone(), Duration::from_secs(2));
            say(&format!(
                "Elkarlan is running at http://{addr}/ (database: {})",
                bootstrap::redact(&url)
            ));
            if let Some(pw) = demo_password {
                say("Demo accounts (synthetic data only), all with the same password:");
                for (username, _, role, _) in bootstrap::DEMO_ACCOUNTS {
                    say(&format!("  {username:<13} {}", role.code()));
                }
                say(&format!("Password: {pw}"));
            } else if elkarlan_store::users::count(&store, tenant_id).await? == 0 {
                say("No accounts yet. Create the first administrator with:");
                say(
                    "  elkarlan user add --username NAME --name \"Full name\" --role administrator",
                );
            }
            let app = elkarlan_web::app(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await
                .context("server error")?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = Store::open(&url)
                .await
                .with_context(|| format!("cannot open the database {}", bootstrap::redact(&url)))?;
            let applied = elkarlan_store::migrate::run(&store).await?;
            say(&format!("migrations applied: {applied:?}"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { password, people } => {
            // The same key as `serve`, so the server can open the documents the demo seals.
            let key = secret_key(&file)?;
            let store = bootstrap::open(&url).await?;
            let tenant_id = bootstrap::ensure_tenant(&store, &tenant).await?;
            let pw = password.unwrap_or_else(random_password);
            let city = bootstrap::load_demo(
                &store,
                &PasswordHasher::new(19 * 1024, 2, 2),
                tenant_id,
                &pw,
                &key.0,
            )
            .await?;
            say(&format!(
                "demo city loaded; password of the demo accounts: {pw}"
            ));
            if let Some(target) = people {
                load_population(&store, tenant_id, &key.0, &city, target).await?;
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    name,
                    email,
                    role,
                    password_stdin,
                },
        } => {
            let role = Role::parse(&role).map_err(|_| {
                anyhow::anyhow!(
                    "unknown role {role:?}; one of: {}",
                    Role::ALL.map(Role::code).join(", ")
                )
            })?;
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                random_password()
            };
            let store = bootstrap::open(&url).await?;
            let tenant_id = bootstrap::ensure_tenant(&store, &tenant).await?;
            let hasher = PasswordHasher::new(19 * 1024, 2, 1);
            let mfa = role.handles_personal_data();
            let request = bootstrap::AccountRequest {
                username: &username,
                name: &name,
                email: email.as_deref(),
                role,
                password: &password,
                mfa_required: mfa,
            };
            bootstrap::add_user(&store, &hasher, tenant_id, &request).await?;
            say(&format!("account {username} created ({})", role.code()));
            if !password_stdin {
                say(&format!("initial password (shown once): {password}"));
            } else if std::io::stdin().is_terminal() {
                say("password set");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify { checkpoint },
        } => {
            let store = Store::open(&url)
                .await
                .with_context(|| format!("cannot open the database {}", bootstrap::redact(&url)))?;
            let v = audit::verify(&store).await?;
            if let Some(b) = v.first_break {
                say(&format!("AUDIT TRAIL BROKEN at {b}"));
                return Ok(ExitCode::FAILURE);
            }
            if let Some(path) = checkpoint {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read checkpoint file {}", path.display()))?;
                let key = secret_key(&file)?;
                if let Some(problem) = checkpoint::check(&store, &key.0, &text).await? {
                    say(&format!("AUDIT TRAIL BROKEN: {problem}"));
                    return Ok(ExitCode::FAILURE);
                }
                say("signed checkpoints match");
            }
            say(&format!(
                "audit trail intact: {} rows in {} tenant chain(s)",
                v.rows, v.tenants
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Checkpoint,
        } => {
            let store = Store::open(&url)
                .await
                .with_context(|| format!("cannot open the database {}", bootstrap::redact(&url)))?;
            let key = secret_key(&file)?;
            for cp in checkpoint::create(&store, &key.0).await? {
                say(&serde_json::to_string(&cp)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { path } => {
            let store = Store::open(&url)
                .await
                .with_context(|| format!("cannot open the database {}", bootstrap::redact(&url)))?;
            elkarlan_store::backup::sqlite_backup(&store, &path).await?;
            say(&format!("backup written to {}", path.display()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { backup, force } => restore(&url, &backup, force).await,
        Command::Indicators { command } => {
            let store = bootstrap::open(&url).await?;
            let tenant_id = bootstrap::ensure_tenant(&store, &tenant).await?;
            let code = indicators_cli::run(&store, tenant_id, command).await?;
            store.close().await;
            Ok(code)
        }
        Command::Retention {
            command: RetentionCommand::Apply { as_of },
        } => {
            let store = Store::open(&url)
                .await
                .with_context(|| format!("cannot open the database {}", bootstrap::redact(&url)))?;
            let now = match as_of {
                None => elkarlan_domain::Timestamp::now(),
                Some(d) => {
                    let day = chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                        .with_context(|| format!("--as-of {d}: expected YYYY-MM-DD"))?;
                    let at = day.and_time(chrono::NaiveTime::MIN).and_utc();
                    elkarlan_domain::Timestamp::from_micros(at.timestamp_micros())
                }
            };
            let applied = elkarlan_web::services::retention::apply_all(&store, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            for (tenant, d) in applied {
                say(&format!(
                    "tenant {tenant}: {} closed cases anonymised, {} people without a case deleted, {} ended consents deleted, {} read notifications deleted",
                    d.closed_cases, d.people_without_case, d.ended_consents, d.read_notifications
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `demo --people N`: adds the synthetic population, printing progress after each batch.
async fn load_population(
    store: &Store,
    tenant: elkarlan_domain::TenantId,
    key: &[u8; 32],
    city: &bootstrap::DemoCity,
    target: u64,
) -> anyhow::Result<()> {
    let rate = |p: &bootstrap::PopulationProgress| {
        format!(
            "{} of {} synthetic people ({} added in {:.1} s, {:.0} people/s)",
            p.done,
            p.target,
            p.added,
            p.elapsed.as_secs_f64(),
            p.rate()
        )
    };
    // A line after the first batch, then at most one every five seconds.
    let mut shown: Option<Duration> = None;
    let done = bootstrap::load_population(store, tenant, key, city, target, |p| {
        if shown.is_none_or(|at| p.elapsed >= at + Duration::from_secs(5)) && p.done < p.target {
            say(&format!("population: {}", rate(p)));
            shown = Some(p.elapsed);
        }
    })
    .await?;
    if done.added == 0 {
        say(&format!(
            "population: all {target} synthetic people were already there; nothing added"
        ));
    } else {
        say(&format!(
            "population loaded: {}; {} cases opened",
            rate(&done),
            done.cases
        ));
        let e = done.employment;
        say(&format!(
            "employment records: {} itineraries, {} enrolments, {} placements, {} follow-ups",
            e.itineraries, e.enrolments, e.placements, e.follow_ups
        ));
    }
    Ok(())
}

/// Checks the backup (integrity, audit chain), then copies it over the database file.
async fn restore(url: &str, backup: &std::path::Path, force: bool) -> anyhow::Result<ExitCode> {
    let target = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("restore works on SQLite; for PostgreSQL use pg_restore")?;
    let target = PathBuf::from(target.split('?').next().unwrap_or(target));
    if !backup.exists() {
        anyhow::bail!("backup {} does not exist", backup.display());
    }
    let check = elkarlan_store::backup::open_sqlite_read_only(backup)
        .await
        .context("cannot open the backup")?;
    let integrity = elkarlan_store::backup::sqlite_integrity(&check).await?;
    if integrity != "ok" {
        anyhow::bail!("backup is damaged: {integrity}");
    }
    let v = audit::verify(&check).await?;
    check.close().await;
    if let Some(b) = v.first_break {
        anyhow::bail!("backup's audit trail is broken at {b}");
    }
    if target.exists() && !force {
        anyhow::bail!(
            "{} exists; stop the server and pass --force to replace it",
            target.display()
        );
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side)
                .with_context(|| format!("cannot remove {}", side.display()))?;
        }
    }
    std::fs::copy(backup, &target).with_context(|| format!("cannot write {}", target.display()))?;
    say(&format!(
        "restored {} ({} audit rows verified) to {}",
        backup.display(),
        v.rows,
        target.display()
    ));
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
