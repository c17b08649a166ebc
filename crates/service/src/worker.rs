//! The background worker: runs queued jobs (e-mail delivery, ...) with retries, and periodic
//! housekeeping once per time slot across all servers.

use crate::AppState;
use elkarlan_domain::{EmailId, Timestamp};
use elkarlan_store::jobs::{self, Job};
use elkarlan_store::{outbox, sessions};
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// A name for this process in job leases and periodic-run records.
pub fn runner_name() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        &uuid::Uuid::now_v7().simple().to_string()[24..]
    )
}

/// Starts the worker loop on the current runtime. It polls every `interval`.
pub fn spawn(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    let name = runner_name();
    tokio::spawn(async move {
        loop {
            if let Err(e) = tick(&state, &name).await {
                tracing::warn!(error = %e, "worker tick failed");
            }
            tokio::time::sleep(interval).await;
        }
    })
}

/// One pass: periodic tasks due in this slot, then every due job.
pub async fn tick(state: &AppState, runner: &str) -> anyhow::Result<usize> {
    let now = Timestamp::now();
    run_periodic(state, runner, now).await?;
    let mut done = 0;
    while let Some(job) = jobs::claim(&state.store, runner, Timestamp::now()).await? {
        match run_job(state, &job).await {
            Ok(()) => jobs::complete(&state.store, &job).await?,
            Err(e) => {
                let status =
                    jobs::fail(&state.store, &job, &e.to_string(), Timestamp::now()).await?;
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, status, error = %e, "job failed");
            }
        }
        done += 1;
    }
    Ok(done)
}

/// Periodic tasks; the slot is the hour number (the day, ten minutes...), so each task runs once
/// per slot in the cluster.
/// Returns the tasks this server ran.
pub async fn run_periodic(
    state: &AppState,
    runner: &str,
    now: Timestamp,
) -> anyhow::Result<Vec<&'static str>> {
    let slot = now.micros() / 3_600_000_000;
    let mut ran = Vec::new();
    if jobs::claim_periodic(&state.store, "sessions.purge", slot, runner).await? {
        let n = sessions::purge_expired(&state.store).await?;
        tracing::info!(removed = n, "expired sessions purged");
        let n = elkarlan_store::enrolment_links::purge_expired(&state.store).await?;
        tracing::info!(removed = n, "expired enrolment links purged");
        ran.push("sessions.purge");
    }
    if jobs::claim_periodic(&state.store, "referrals.remind", slot, runner).await? {
        let n = remind_overdue_referrals(state, now).await?;
        tracing::info!(reminded = n, "overdue referrals reminded");
        ran.push("referrals.remind");
    }
    // Indicator results: every ten minutes, each tenant's periods whose records changed.
    let ten_minutes = now.micros() / 600_000_000;
    if jobs::claim_periodic(&state.store, "indicators.refresh", ten_minutes, runner).await? {
        let today = now.to_datetime().date_naive();
        for tenant in elkarlan_store::tenants::all(&state.store).await? {
            let done = elkarlan_store::indicator_results::refresh_due(
                &state.store,
                tenant.id,
                elkarlan_domain::indicators::catalogue::all(),
                today,
            )
            .await?;
            tracing::info!(tenant = %tenant.id, periods = done.periods, cells = done.cells, "indicator results refreshed");
        }
        ran.push("indicators.refresh");
    }
    // Retention runs once a day: the slot is the day number.
    let day = now.micros() / 86_400_000_000;
    if jobs::claim_periodic(&state.store, "retention.apply", day, runner).await? {
        for (tenant, disposed) in crate::retention::apply_all(&state.store, now).await? {
            tracing::info!(%tenant, ?disposed, "retention periods applied");
        }
        ran.push("retention.apply");
    }
    if jobs::claim_periodic(&state.store, "follow_ups.remind", day, runner).await? {
        let n = remind_due_follow_ups(state, now).await?;
        tracing::info!(professionals = n, "due placement follow-ups reminded");
        ran.push("follow_ups.remind");
    }
    if jobs::claim_periodic(&state.store, "agreements.remind", day, runner).await? {
        let (reminded, expired) = agreements_daily(state, now).await?;
        tracing::info!(
            reminded,
            expired,
            "agreement renewals reminded, ended agreements expired"
        );
        ran.push("agreements.remind");
    }
    Ok(ran)
}

/// Reminds receiving agencies of open referrals past their due date: an in-app notification,
/// and an e-mail to the agency's address when it has one. The message carries no personal data.
pub async fn remind_overdue_referrals(state: &AppState, now: Timestamp) -> anyhow::Result<usize> {
    let overdue = elkarlan_store::referrals::overdue(&state.store, now).await?;
    for (tenant, referral) in &overdue {
        let agency =
            elkarlan_store::agencies::get(&state.store, *tenant, referral.to_agency).await?;
        let lang = elkarlan_domain::Lang::Es;
        let subject = elkarlan_templates::t(lang, "email-referral-overdue-subject");
        let body = elkarlan_templates::t(lang, "email-referral-overdue-body");
        let email = agency
            .email
            .as_deref()
            .map(|to| (to, subject.as_str(), body.as_str()));
        elkarlan_store::referrals::remind(&state.store, *tenant, referral, now, email).await?;
    }
    Ok(overdue.len())
}

/// Tells each professional, once, that placement follow-ups fall due within a week.
pub async fn remind_due_follow_ups(state: &AppState, now: Timestamp) -> anyhow::Result<usize> {
    let until = now.to_datetime().date_naive() + chrono::Days::new(7);
    let lang = elkarlan_domain::Lang::Es;
    let subject = elkarlan_templates::t(lang, "email-follow-ups-due-subject");
    let body = elkarlan_templates::t(lang, "email-follow-ups-due-body");
    let reminded =
        elkarlan_store::itineraries::take_follow_up_reminders(&state.store, until, &subject, &body)
            .await?;
    Ok(reminded.len())
}

/// Reminds the coordinators of active agreements within their renewal notice (once per
/// agreement and end date), then marks active agreements past their end as expired, audited as
/// the worker. Returns (reminded, expired).
pub async fn agreements_daily(state: &AppState, now: Timestamp) -> anyhow::Result<(usize, usize)> {
    use elkarlan_domain::policy::{Action, Grant, SystemTask};
    let today = now.to_datetime().date_naive();
    let lang = elkarlan_domain::Lang::Es;
    let subject = elkarlan_templates::t(lang, "email-agreement-renewal-subject");
    let body = elkarlan_templates::t(lang, "email-agreement-renewal-body");
    let reminded =
        elkarlan_store::agreements::take_renewal_reminders(&state.store, today, &subject, &body)
            .await?;
    let expired = elkarlan_store::agreements::expire_ended(&state.store, today, |tenant| {
        Grant::system(tenant, SystemTask::Worker, Action::ManageEcosystem)
    })
    .await?;
    Ok((reminded.len(), expired.len()))
}

async fn run_job(state: &AppState, job: &Job) -> anyhow::Result<()> {
    match job.kind.as_str() {
        outbox::SEND_JOB => {
            let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
            let id: EmailId = payload
                .get("email")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .parse()?;
            send_email(state, id, job.attempts >= job.max_attempts).await
        }
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

async fn send_email(state: &AppState, id: EmailId, last_attempt: bool) -> anyhow::Result<()> {
    let email = outbox::get(&state.store, id).await?;
    if email.status == "sent" {
        return Ok(());
    }
    let result = deliver(state, &email).await;
    match &result {
        Ok(()) => outbox::mark(&state.store, id, true, None, false).await?,
        Err(e) => outbox::mark(&state.store, id, false, Some(&e.to_string()), last_attempt).await?,
    }
    result
}

async fn deliver(state: &AppState, email: &outbox::Email) -> anyhow::Result<()> {
    let Some(url) = &state.config.smtp_url else {
        anyhow::bail!("no SMTP relay configured (ELKARLAN_SMTP_URL)")
    };
    let from: Mailbox = state.config.mail_from.parse()?;
    let to: Mailbox = email.to_addr.parse()?;
    let msg = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(email.body_text.clone())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0)?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    transport.send(msg).await?;
    Ok(())
}
