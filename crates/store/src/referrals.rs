//! Referrals between agencies, the receiving agency's inbox, reminders of overdue ones, and the
//! capacity receiving services publish.

use crate::audit::{NewEvent, RequestMeta};
use crate::cases::Case;
use crate::{Result, Store, StoreError, Tx, on_pool, on_tx};
use elkarlan_domain::inclusion::consent::DataCategory;
use elkarlan_domain::inclusion::referral::{DeclineReason, ReferralStatus, Side, Urgency};
use elkarlan_domain::policy::Grant;
use elkarlan_domain::{AgencyId, CaseId, PersonId, ReferralId, TenantId, Timestamp, UserId};
use serde::Serialize;
use sqlx::Row;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub from_agency: AgencyId,
    pub from_user: UserId,
    pub to_agency: AgencyId,
    pub answered_by: Option<UserId>,
    pub reason: String,
    pub urgency: Urgency,
    pub categories: Vec<DataCategory>,
    pub status: ReferralStatus,
    pub decline_reason: Option<String>,
    pub outcome: Option<String>,
    pub due_at: Timestamp,
    pub sent_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub withdrawn_at: Option<Timestamp>,
    pub version: i64,
    /// A request, sent by a referral list import, that the case's lead take the sender onto
    /// the team: the lead answers it, and accepting puts the sender on the team.
    pub join_request: bool,
}

impl Referral {
    /// Seconds from sending to the receiving agency's answer.
    pub fn response_seconds(&self) -> Option<i64> {
        self.answered_at
            .map(|a| (a.micros() - self.sent_at.micros()) / 1_000_000)
    }
}

macro_rules! referral_from_row {
    ($r:expr) => {{
        let urgency: String = $r.try_get("urgency")?;
        let status: String = $r.try_get("status")?;
        let cats: String = $r.try_get("categories")?;
        let ts = |v: Option<i64>| v.map(Timestamp::from_micros);
        Referral {
            id: ReferralId($r.try_get("id")?),
            case_id: CaseId($r.try_get("case_id")?),
            person_id: PersonId($r.try_get("person_id")?),
            from_agency: AgencyId($r.try_get("from_agency")?),
            from_user: UserId($r.try_get("from_user")?),
            to_agency: AgencyId($r.try_get("to_agency")?),
            answered_by: $r
                .try_get::<Option<uuid::Uuid>, _>("answered_by")?
                .map(UserId),
            reason: $r.try_get("reason")?,
            urgency: Urgency::parse(&urgency)
                .map_err(|_| sqlx::Error::Decode(format!("urgency {urgency}").into()))?,
            categories: cats
                .split(',')
                .filter_map(|c| DataCategory::parse(c).ok())
                .collect(),
            status: ReferralStatus::parse(&status)
                .map_err(|_| sqlx::Error::Decode(format!("status {status}").into()))?,
            decline_reason: $r.try_get("decline_reason")?,
            outcome: $r.try_get("outcome")?,
            due_at: Timestamp::from_micros($r.try_get("due_at")?),
            sent_at: Timestamp::from_micros($r.try_get("sent_at")?),
            answered_at: ts($r.try_get("answered_at")?),
            started_at: ts($r.try_get("started_at")?),
            completed_at: ts($r.try_get("completed_at")?),
            withdrawn_at: ts($r.try_get("withdrawn_at")?),
            version: $r.try_get("version")?,
            join_request: $r.try_get::<String, _>("kind")? == "join_request",
        }
    }};
}

macro_rules! select_referrals {
    ($where:literal) => {
        concat!(
            "SELECT id, case_id, person_id, from_agency, from_user, to_agency, answered_by, reason, urgency, categories, status, decline_reason,
             outcome, due_at, sent_at, answered_at, started_at, completed_at, withdrawn_at, version, kind FROM referrals ",
            $where
        )
    };
}

#[derive(Clone, Debug)]
pub struct NewReferral {
    pub from_agency: AgencyId,
    pub from_user: UserId,
    pub to_agency: AgencyId,
    pub reason: String,
    pub urgency: Urgency,
    pub categories: Vec<DataCategory>,
    pub due_at: Timestamp,
}

/// Sends a referral: the row, an in-app notification for the receiving agency, an e-mail to the
/// agency's address when it has one, and the audit row, in one transaction.
pub async fn send(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    new: &NewReferral,
    notify_email: Option<(&str, &str, &str)>,
) -> Result<ReferralId> {
    let mut tx = store.begin_write().await?;
    let id = send_in(&mut tx, grant, meta, case, new, notify_email).await?;
    tx.commit().await?;
    Ok(id)
}

/// `send` within the caller's transaction (which may also store an idempotency key).
pub async fn send_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    case: &Case,
    new: &NewReferral,
    notify_email: Option<(&str, &str, &str)>,
) -> Result<ReferralId> {
    let id = ReferralId::new();
    let now = Timestamp::now().micros();
    let cats = new
        .categories
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",");
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO referrals (id, tenant_id, case_id, person_id, from_agency, from_user, to_agency, answered_by, reason, urgency, categories, status,
         decline_reason, outcome, due_at, sent_at, answered_at, started_at, completed_at, withdrawn_at, reminded_at, version)
         VALUES ($1,$2,$3,$4,$5,$6,$7,NULL,$8,$9,$10,'sent',NULL,NULL,$11,$12,NULL,NULL,NULL,NULL,NULL,1)")
        .bind(id.0).bind(grant.tenant().0).bind(case.id.0).bind(case.person_id.0).bind(new.from_agency.0).bind(new.from_user.0).bind(new.to_agency.0)
        .bind(&new.reason).bind(new.urgency.code()).bind(&cats).bind(new.due_at.micros()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("INSERT INTO notifications (id, tenant_id, agency_id, user_id, kind, ref_id, created_at, read_at) VALUES ($1,$2,$3,NULL,'referral.received',$4,$5,NULL)")
        .bind(uuid::Uuid::now_v7()).bind(grant.tenant().0).bind(new.to_agency.0).bind(id.to_string()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if let Some((to, subject, body)) = notify_email {
        crate::outbox::queue(tx, grant.tenant(), to, subject, body).await?;
    }
    let ev = NewEvent::from_grant(grant, "referral", Some(id.to_string()), meta).with_subject(case.person_id.to_string()).with_detail(serde_json::json!({
        "case": case.id, "to_agency": new.to_agency, "urgency": new.urgency.code(), "categories": cats, "due_at": new.due_at.iso(),
    }));
    crate::audit::append(tx, &[ev]).await?;
    Ok(id)
}

/// Asks the lead of `case` to take `from_user` (of `from_agency`) onto the team, within the
/// caller's transaction: a pending referral to the lead's agency, with its in-app notification
/// and audit row. An open request from the same professional is not repeated.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn request_to_join_in(
    tx: &mut Tx,
    grant: &Grant,
    meta: &RequestMeta,
    case: CaseId,
    person: PersonId,
    lead_agency: AgencyId,
    (from_user, from_agency): (UserId, AgencyId),
    reason: &str,
) -> Result<()> {
    let pending: i64 = on_tx!(tx, c => sqlx::query(
        "SELECT COUNT(*) FROM referrals WHERE case_id = $1 AND from_user = $2 AND kind = 'join_request' AND status = 'sent'")
        .bind(case.0).bind(from_user.0).fetch_one(c).await?.try_get(0)?);
    if pending > 0 {
        return Ok(());
    }
    let id = ReferralId::new();
    let now = Timestamp::now();
    let urgency = Urgency::Routine;
    let due_at = now.plus_seconds(urgency.response_days() * 86_400);
    let cats = [DataCategory::Identification, DataCategory::Contact]
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",");
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO referrals (id, tenant_id, case_id, person_id, from_agency, from_user, to_agency, answered_by, reason, urgency, categories, status,
         decline_reason, outcome, due_at, sent_at, answered_at, started_at, completed_at, withdrawn_at, reminded_at, version, kind)
         VALUES ($1,$2,$3,$4,$5,$6,$7,NULL,$8,$9,$10,'sent',NULL,NULL,$11,$12,NULL,NULL,NULL,NULL,NULL,1,'join_request')")
        .bind(id.0).bind(grant.tenant().0).bind(case.0).bind(person.0).bind(from_agency.0).bind(from_user.0).bind(lead_agency.0)
        .bind(reason).bind(urgency.code()).bind(&cats).bind(due_at.micros()).bind(now.micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("INSERT INTO notifications (id, tenant_id, agency_id, user_id, kind, ref_id, created_at, read_at) VALUES ($1,$2,$3,NULL,'referral.received',$4,$5,NULL)")
        .bind(uuid::Uuid::now_v7()).bind(grant.tenant().0).bind(lead_agency.0).bind(id.to_string()).bind(now.micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    let ev = NewEvent::from_grant(grant, "referral", Some(id.to_string()), meta).with_subject(person.to_string()).with_detail(serde_json::json!({
        "case": case, "to_agency": lead_agency, "urgency": urgency.code(), "categories": cats, "due_at": due_at.iso(), "kind": "join_request",
    }));
    crate::audit::append(tx, &[ev]).await
}

pub async fn get(store: &Store, tenant: TenantId, id: ReferralId) -> Result<Referral> {
    on_pool!(store, p => {
        let r = sqlx::query(select_referrals!("WHERE tenant_id = $1 AND id = $2")).bind(tenant.0).bind(id.0)
            .fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        Ok(referral_from_row!(r))
    })
}

/// The receiving agency's inbox: open referrals first, oldest due first.
pub async fn inbox(
    store: &Store,
    tenant: TenantId,
    agency: AgencyId,
    limit: i64,
) -> Result<Vec<Referral>> {
    on_pool!(store, p => {
        let rows = sqlx::query(select_referrals!(
            "WHERE tenant_id = $1 AND to_agency = $2 ORDER BY CASE WHEN status IN ('sent','accepted','in_progress') THEN 0 ELSE 1 END, due_at LIMIT $3"))
            .bind(tenant.0).bind(agency.0).bind(limit.clamp(1, 500)).fetch_all(p).await?;
        rows.iter().map(|r| Ok(referral_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

pub async fn for_case(store: &Store, tenant: TenantId, case: CaseId) -> Result<Vec<Referral>> {
    on_pool!(store, p => {
        let rows = sqlx::query(select_referrals!("WHERE tenant_id = $1 AND case_id = $2 ORDER BY sent_at DESC")).bind(tenant.0).bind(case.0).fetch_all(p).await?;
        rows.iter().map(|r| Ok(referral_from_row!(r))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Moves a referral. The domain decides whether `side` may make the move; the version check
/// stops two people answering the same referral at once. Accepting puts the receiving agency
/// and the professional who accepted on the case team.
/// One move of a referral, as requested.
#[derive(Clone, Copy, Debug)]
pub struct Move<'a> {
    pub version: i64,
    pub next: ReferralStatus,
    pub side: Side,
    pub by: UserId,
    pub decline_reason: Option<DeclineReason>,
    pub outcome: Option<&'a str>,
}

pub async fn transition(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    referral: &Referral,
    mv: Move<'_>,
) -> Result<()> {
    let Move {
        version,
        next,
        side,
        by,
        decline_reason,
        outcome,
    } = mv;
    referral
        .status
        .transition(next, side)
        .map_err(|_| StoreError::Conflict("transition"))?;
    let now = Timestamp::now().micros();
    let mut tx = store.begin_write().await?;
    let set = match next {
        ReferralStatus::Accepted | ReferralStatus::Declined => "answered_at",
        ReferralStatus::InProgress => "started_at",
        ReferralStatus::Completed => "completed_at",
        ReferralStatus::Withdrawn => "withdrawn_at",
        ReferralStatus::Sent => return Err(StoreError::Conflict("transition")),
    };
    let sql = format!(
        "UPDATE referrals SET status = $4, {set} = $5, decline_reason = COALESCE($6, decline_reason), outcome = COALESCE($7, outcome),
         answered_by = CASE WHEN $8 THEN $9 ELSE answered_by END, version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND version = $3"
    );
    let answering = matches!(next, ReferralStatus::Accepted | ReferralStatus::Declined);
    let n = on_tx!(&mut tx, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(grant.tenant().0).bind(referral.id.0).bind(version).bind(next.code()).bind(now)
        .bind(decline_reason.map(DeclineReason::code)).bind(outcome).bind(answering).bind(by.0)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    if next == ReferralStatus::Accepted {
        let case = crate::cases::get(store, grant.tenant(), referral.case_id).await?;
        // A join request puts its sender on the team; any other referral, who accepted it.
        let (agency, user) = if referral.join_request {
            (referral.from_agency, referral.from_user)
        } else {
            (referral.to_agency, by)
        };
        crate::cases::add_to_team_in(&mut tx, grant, meta, &case, agency, Some(user)).await?;
    }
    let ev = NewEvent::from_grant(grant, "referral", Some(referral.id.to_string()), meta).with_subject(referral.person_id.to_string()).with_detail(serde_json::json!({
        "from": referral.status.code(), "to": next.code(), "decline_reason": decline_reason.map(DeclineReason::code),
        // The outcome's wording stays on the referral; the trail says only that one was given.
        "outcome_recorded": outcome.is_some(),
    }));
    crate::audit::append(&mut tx, &[ev]).await?;
    tx.commit().await
}

/// Open referrals past their due date that were not reminded in the last day.
pub async fn overdue(store: &Store, now: Timestamp) -> Result<Vec<(TenantId, Referral)>> {
    on_pool!(store, p => {
        let rows = sqlx::query(
            "SELECT tenant_id, id, case_id, person_id, from_agency, from_user, to_agency, answered_by, reason, urgency, categories, status, decline_reason,
             outcome, due_at, sent_at, answered_at, started_at, completed_at, withdrawn_at, version, kind FROM referrals
             WHERE status IN ('sent','accepted','in_progress') AND due_at < $1 AND (reminded_at IS NULL OR reminded_at < $2) ORDER BY due_at LIMIT 500")
            .bind(now.micros()).bind(now.minus_seconds(86_400).micros()).fetch_all(p).await?;
        rows.iter().map(|r| Ok((TenantId(r.try_get("tenant_id")?), referral_from_row!(r)))).collect::<Result<Vec<_>, sqlx::Error>>().map_err(StoreError::from)
    })
}

/// Records a reminder: notification, optional e-mail, and the time, in one transaction.
pub async fn remind(
    store: &Store,
    tenant: TenantId,
    referral: &Referral,
    now: Timestamp,
    email: Option<(&str, &str, &str)>,
) -> Result<()> {
    let now = now.micros();
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE referrals SET reminded_at = $2 WHERE id = $1").bind(referral.id.0).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    on_tx!(&mut tx, c => sqlx::query("INSERT INTO notifications (id, tenant_id, agency_id, user_id, kind, ref_id, created_at, read_at) VALUES ($1,$2,$3,NULL,'referral.overdue',$4,$5,NULL)")
        .bind(uuid::Uuid::now_v7()).bind(tenant.0).bind(referral.to_agency.0).bind(referral.id.to_string()).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if let Some((to, subject, body)) = email {
        crate::outbox::queue(&mut tx, tenant, to, subject, body).await?;
    }
    tx.commit().await
}

/// Unread notifications of an agency.
pub async fn notifications(
    store: &Store,
    tenant: TenantId,
    agency: AgencyId,
) -> Result<Vec<(String, String, Timestamp)>> {
    on_pool!(store, p => {
        let rows = sqlx::query("SELECT kind, ref_id, created_at FROM notifications WHERE tenant_id = $1 AND agency_id = $2 AND read_at IS NULL ORDER BY created_at DESC LIMIT 100")
            .bind(tenant.0).bind(agency.0).fetch_all(p).await?;
        Ok(rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1), Timestamp::from_micros(r.get::<i64, _>(2)))).collect())
    })
}

/// What a receiving service publishes about its capacity.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Capacity {
    pub open_places: i64,
    pub waiting_list: i64,
    pub expected_wait_days: i64,
    pub updated_at: Timestamp,
}

pub async fn capacity(store: &Store, agency: AgencyId) -> Result<Option<Capacity>> {
    on_pool!(store, p => {
        let r = sqlx::query("SELECT open_places, waiting_list, expected_wait_days, updated_at FROM service_capacity WHERE agency_id = $1")
            .bind(agency.0).fetch_optional(p).await?;
        Ok(r.map(|r| Capacity { open_places: r.get(0), waiting_list: r.get(1), expected_wait_days: r.get(2), updated_at: Timestamp::from_micros(r.get(3)) }))
    })
}

pub async fn set_capacity(
    store: &Store,
    grant: &Grant,
    meta: &RequestMeta,
    agency: AgencyId,
    open_places: i64,
    waiting_list: i64,
    expected_wait_days: i64,
) -> Result<()> {
    let mut tx = store.begin_write().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "INSERT INTO service_capacity (agency_id, tenant_id, open_places, waiting_list, expected_wait_days, updated_at) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (agency_id) DO UPDATE SET open_places = excluded.open_places, waiting_list = excluded.waiting_list,
         expected_wait_days = excluded.expected_wait_days, updated_at = excluded.updated_at")
        .bind(agency.0).bind(grant.tenant().0).bind(open_places).bind(waiting_list).bind(expected_wait_days).bind(Timestamp::now().micros())
        .execute(c).await.map(|r| r.rows_affected()))?;
    crate::audit::append(&mut tx, &[NewEvent::from_grant(grant, "service_capacity", Some(agency.to_string()), meta)
        .with_detail(serde_json::json!({"open_places": open_places, "waiting_list": waiting_list, "expected_wait_days": expected_wait_days}))]).await?;
    tx.commit().await
}
