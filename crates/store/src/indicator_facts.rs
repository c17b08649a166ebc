//! The records behind neighbourhood indicators, as rows of the fields each indicator source
//! declares (`Source::fields`), derived fields included; the evaluator in the domain does the
//! counting. Dates are calendar days in UTC. Supported: people, referrals, itineraries,
//! enrolments, placements, follow-ups, plan goals, organisations, SSE profiles, ventures,
//! agreements, commitments, contracts, lots, social clauses, compliance checks, cases and plan
//! actions: every source (the match is exhaustive, so a new source must be fed here first).

use crate::{Result, Store, StoreError, on_pool};
use chrono::{Datelike, NaiveDate};
use elkarlan_domain::TenantId;
use elkarlan_domain::ecosystem::codes::LegalForm;
use elkarlan_domain::indicators::definition::{
    Disaggregation, FieldValue, IndicatorDefinition, IndicatorValue, Key, Period, Row, Source,
    evaluate,
};
use elkarlan_domain::time::Timestamp;
use sqlx::Row as _;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Columns every person-linked query selects, with the person's area and its parent district.
const PERSON_COLS: &str = "p.id AS p_id, p.sex AS p_sex, p.birth_date AS p_birth, p.nationality AS p_nat, \
     CASE WHEN a.kind = 'neighbourhood' THEN a.code END AS p_nb, \
     CASE WHEN a.kind = 'district' THEN a.code ELSE d.code END AS p_dist";
const PERSON_JOIN: &str =
    "LEFT JOIN areas a ON a.id = p.area_id LEFT JOIN areas d ON d.id = a.parent_id";

/// Columns and joins for a record tied to an area through its own `x.area_id`.
const AREA_COLS: &str = "CASE WHEN a.kind = 'neighbourhood' THEN a.code END AS a_nb, \
     CASE WHEN a.kind = 'district' THEN a.code ELSE d.code END AS a_dist";
const AREA_JOIN: &str =
    "LEFT JOIN areas a ON a.id = x.area_id LEFT JOIN areas d ON d.id = a.parent_id";

fn with_area(row: Row, neighbourhood: Option<String>, district: Option<String>) -> Row {
    row.with("neighbourhood", opt_text(neighbourhood))
        .with("district", opt_text(district))
}

/// Whether a legal form belongs to the social and solidarity economy; unknown forms are null.
fn sse(form: &str) -> FieldValue {
    LegalForm::parse(form).map_or(FieldValue::Null, |f| {
        FieldValue::Bool(f.is_social_economy())
    })
}

struct Person {
    id: Uuid,
    sex: String,
    birth: String,
    nationality: Option<String>,
    neighbourhood: Option<String>,
    district: Option<String>,
}

macro_rules! person {
    ($r:expr) => {
        Person {
            id: $r.try_get("p_id")?,
            sex: $r.try_get("p_sex")?,
            birth: $r.try_get("p_birth")?,
            nationality: $r.try_get("p_nat")?,
            neighbourhood: $r.try_get("p_nb")?,
            district: $r.try_get("p_dist")?,
        }
    };
}

/// Runs a query bound to the tenant and decodes every row with `$decode` (`|r| -> Result<T>`).
macro_rules! fetch {
    ($store:expr, $sql:expr, $tenant:expr, |$r:ident| $decode:expr) => {
        on_pool!($store, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe($sql))
                .bind($tenant.0)
                .fetch_all(c)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for $r in &rows {
                out.push((|| -> Result<_> { Ok($decode) })()?);
            }
            out
        })
    };
}

const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "SE",
];

/// Origin from nationality. Birthplace is not recorded, so Spanish nationals cannot be told
/// apart between local and the rest of Spain: they are `unknown`, never guessed.
fn origin(nationality: Option<&str>) -> &'static str {
    match nationality.map(str::to_ascii_uppercase).as_deref() {
        None | Some("" | "ES") => "unknown",
        Some(n) if EU.contains(&n) => "eu",
        Some(_) => "non_eu",
    }
}

/// Whole years of age on `at`.
fn age(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut years = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

fn age_band(birth: Option<NaiveDate>, at: NaiveDate) -> FieldValue {
    let Some(birth) = birth else {
        return FieldValue::Null;
    };
    let band = match age(birth, at) {
        ..25 => "under_25",
        25..30 => "25_29",
        30..45 => "30_44",
        45..55 => "45_54",
        _ => "55_plus",
    };
    FieldValue::Text(band.to_owned())
}

fn day(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
}

fn stamp_day(micros: Option<i64>) -> Option<NaiveDate> {
    micros.map(|m| Timestamp::from_micros(m).to_datetime().date_naive())
}

fn opt_date(d: Option<NaiveDate>) -> FieldValue {
    d.map_or(FieldValue::Null, FieldValue::Date)
}

fn opt_text(t: Option<String>) -> FieldValue {
    t.filter(|s| !s.is_empty())
        .map_or(FieldValue::Null, FieldValue::Text)
}

fn opt_int(v: Option<i64>) -> FieldValue {
    v.map_or(FieldValue::Null, FieldValue::Integer)
}

fn opt_bool(v: Option<i64>) -> FieldValue {
    v.map_or(FieldValue::Null, |b| FieldValue::Bool(b != 0))
}

/// Long-term unemployed (12 months or more) on `at`, from the day unemployment began.
fn long_term(unemployed_since: Option<&str>, at: Option<NaiveDate>) -> FieldValue {
    match (day(unemployed_since), at) {
        (Some(since), Some(at)) => FieldValue::Bool(
            since
                .checked_add_months(chrono::Months::new(12))
                .is_some_and(|d| d <= at),
        ),
        _ => FieldValue::Null,
    }
}

fn with_person(row: Row, p: Person, period: Period) -> Row {
    row.text("person_id", &p.id.to_string())
        .text("sex", &p.sex)
        .with("age_band", age_band(day(Some(&p.birth)), period.end))
        .text("origin", origin(p.nationality.as_deref()))
        .with("neighbourhood", opt_text(p.neighbourhood))
        .with("district", opt_text(p.district))
}

/// The rows of one source for a tenant, with exactly the source's fields. Rows outside the period
/// are not filtered here: the definition's period rule decides, on any of the source's dates.
pub async fn rows(
    store: &Store,
    tenant: TenantId,
    source: Source,
    period: Period,
) -> Result<Vec<Row>> {
    let as_of = period.end.min(Timestamp::now().to_datetime().date_naive());
    let out: Vec<Row> = match source {
        Source::People => {
            let sql = format!(
                "SELECT {PERSON_COLS}, p.created_at AS created FROM people p {PERSON_JOIN} \
                 WHERE p.tenant_id = $1 AND p.merged_into IS NULL"
            );
            fetch!(store, sql, tenant, |r| {
                let created: i64 = r.try_get("created")?;
                with_person(Row::new(), person!(r), period)
                    .with("registered_on", opt_date(stamp_day(Some(created))))
            })
        }
        Source::Referrals => {
            let sql = format!(
                "SELECT {PERSON_COLS}, x.status, x.urgency, x.outcome, x.sent_at, x.due_at, x.answered_at \
                 FROM referrals x JOIN people p ON p.id = x.person_id {PERSON_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let sent = stamp_day(r.try_get("sent_at")?);
                let due = stamp_day(r.try_get("due_at")?);
                let answered = stamp_day(r.try_get("answered_at")?);
                let response_days = match (sent, answered) {
                    (Some(s), Some(a)) => FieldValue::Integer((a - s).num_days()),
                    _ => FieldValue::Null,
                };
                // Unanswered referrals are late once their due day is over by the period's end,
                // or by today for a period still running.
                let late = match (answered, due) {
                    (Some(a), Some(d)) => FieldValue::Bool(a > d),
                    (None, Some(d)) => FieldValue::Bool(d < as_of),
                    _ => FieldValue::Null,
                };
                with_person(Row::new(), person!(r), period)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .text("urgency", &r.try_get::<String, _>("urgency")?)
                    .with("outcome", opt_text(r.try_get("outcome")?))
                    .with("sent_on", opt_date(sent))
                    .with("due_on", opt_date(due))
                    .with("answered_on", opt_date(answered))
                    .with("response_days", response_days)
                    .with("late", late)
            })
        }
        Source::Itineraries => {
            let sql = format!(
                "SELECT {PERSON_COLS}, x.status, x.opened_at, x.closed_at, e.unemployed_since, e.income_guarantee \
                 FROM itineraries x JOIN people p ON p.id = x.person_id {PERSON_JOIN} \
                 LEFT JOIN employment_profiles e ON e.person_id = x.person_id WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let opened = stamp_day(r.try_get("opened_at")?);
                let since: Option<String> = r.try_get("unemployed_since")?;
                with_person(Row::new(), person!(r), period)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .with("opened_on", opt_date(opened))
                    .with("closed_on", opt_date(stamp_day(r.try_get("closed_at")?)))
                    .with("long_term_unemployed", long_term(since.as_deref(), opened))
                    .with("income_guarantee", opt_bool(r.try_get("income_guarantee")?))
            })
        }
        Source::Placements => {
            let sql = format!(
                "SELECT {PERSON_COLS}, x.contract_type, x.sector, x.starts_on, x.ends_on, x.weekly_hours_centi, \
                 x.social_clause_id, x.agreement_commitment_id, e.unemployed_since \
                 FROM placements x JOIN people p ON p.id = x.person_id {PERSON_JOIN} \
                 LEFT JOIN employment_profiles e ON e.person_id = x.person_id WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let starts = day(r.try_get::<Option<String>, _>("starts_on")?.as_deref());
                let since: Option<String> = r.try_get("unemployed_since")?;
                let clause: Option<Uuid> = r.try_get("social_clause_id")?;
                let commitment: Option<Uuid> = r.try_get("agreement_commitment_id")?;
                with_person(Row::new(), person!(r), period)
                    .text("contract_type", &r.try_get::<String, _>("contract_type")?)
                    .text("sector", &r.try_get::<String, _>("sector")?)
                    .with("starts_on", opt_date(starts))
                    .with(
                        "ends_on",
                        opt_date(day(r.try_get::<Option<String>, _>("ends_on")?.as_deref())),
                    )
                    .int("weekly_hours_centi", r.try_get("weekly_hours_centi")?)
                    .with("social_clause_id", opt_text(clause.map(|u| u.to_string())))
                    .with(
                        "agreement_commitment_id",
                        opt_text(commitment.map(|u| u.to_string())),
                    )
                    .with("long_term_unemployed", long_term(since.as_deref(), starts))
            })
        }
        Source::FollowUps => {
            let sql = format!(
                "SELECT {PERSON_COLS}, f.months, f.due_on, f.checked_on, f.still_employed, f.same_employer \
                 FROM follow_ups f JOIN placements x ON x.id = f.placement_id \
                 JOIN people p ON p.id = x.person_id {PERSON_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                with_person(Row::new(), person!(r), period)
                    .int("months", r.try_get("months")?)
                    .with(
                        "due_on",
                        opt_date(day(r.try_get::<Option<String>, _>("due_on")?.as_deref())),
                    )
                    .with(
                        "checked_on",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("checked_on")?
                            .as_deref())),
                    )
                    .with("still_employed", opt_bool(r.try_get("still_employed")?))
                    .with("same_employer", opt_bool(r.try_get("same_employer")?))
            })
        }
        Source::Enrolments => {
            let sql = format!(
                "SELECT {PERSON_COLS}, x.status, x.enrolled_on, x.closed_on, x.dropout_reason, x.certificate \
                 FROM enrolments x JOIN people p ON p.id = x.person_id {PERSON_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                with_person(Row::new(), person!(r), period)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .with(
                        "enrolled_on",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("enrolled_on")?
                            .as_deref())),
                    )
                    .with(
                        "closed_on",
                        opt_date(day(r.try_get::<Option<String>, _>("closed_on")?.as_deref())),
                    )
                    .with("dropout_reason", opt_text(r.try_get("dropout_reason")?))
                    .with("certificate", opt_text(r.try_get("certificate")?))
            })
        }
        Source::PlanGoals => {
            let sql = format!(
                "SELECT {PERSON_COLS}, x.status, x.domain, x.created_at \
                 FROM plan_goals x JOIN cases k ON k.id = x.case_id JOIN people p ON p.id = k.person_id {PERSON_JOIN} \
                 WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                with_person(Row::new(), person!(r), period)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .text("domain", &r.try_get::<String, _>("domain")?)
                    .with("created_on", opt_date(stamp_day(r.try_get("created_at")?)))
            })
        }
        Source::Organisations => {
            let sql = format!(
                "SELECT {AREA_COLS}, x.legal_form, x.sector, x.pole_member, x.pole_member_since, x.created_at \
                 FROM organisations x {AREA_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let form: String = r.try_get("legal_form")?;
                with_area(Row::new(), r.try_get("a_nb")?, r.try_get("a_dist")?)
                    .with("sse", sse(&form))
                    .text("legal_form", &form)
                    .text("sector", &r.try_get::<String, _>("sector")?)
                    .with("pole_member", opt_bool(r.try_get("pole_member")?))
                    .with(
                        "pole_member_since",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("pole_member_since")?
                            .as_deref())),
                    )
                    .with(
                        "registered_on",
                        opt_date(stamp_day(r.try_get("created_at")?)),
                    )
            })
        }
        Source::SseProfiles => {
            let sql = format!(
                "SELECT {AREA_COLS}, x.legal_form, s.year, s.workforce, s.women, s.women_in_responsibility, \
                 s.people_in_responsibility, s.hired_from_exclusion, s.permanent_contracts, s.ethical_finance, s.volunteers \
                 FROM sse_profiles s JOIN organisations x ON x.id = s.organisation_id {AREA_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let year: i64 = r.try_get("year")?;
                let year_end = i32::try_from(year)
                    .ok()
                    .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31));
                let mut row = with_area(Row::new(), r.try_get("a_nb")?, r.try_get("a_dist")?)
                    .int("year", year)
                    .with("year_end", opt_date(year_end))
                    .text("legal_form", &r.try_get::<String, _>("legal_form")?)
                    .with("ethical_finance", opt_bool(r.try_get("ethical_finance")?));
                for f in [
                    "workforce",
                    "women",
                    "women_in_responsibility",
                    "people_in_responsibility",
                    "hired_from_exclusion",
                    "permanent_contracts",
                    "volunteers",
                ] {
                    let v: Option<i64> = r.try_get(f)?;
                    row = row.with(f, v.map_or(FieldValue::Null, FieldValue::Integer));
                }
                row
            })
        }
        Source::Ventures => {
            let sql = format!(
                "SELECT {AREA_COLS}, x.stage, x.started_on, x.organisation_id, x.promoters \
                 FROM ventures x {AREA_JOIN} WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let org: Option<Uuid> = r.try_get("organisation_id")?;
                with_area(Row::new(), r.try_get("a_nb")?, r.try_get("a_dist")?)
                    .text("stage", &r.try_get::<String, _>("stage")?)
                    .with(
                        "started_on",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("started_on")?
                            .as_deref())),
                    )
                    .with("organisation_id", opt_text(org.map(|u| u.to_string())))
                    .int("promoters", r.try_get("promoters")?)
            })
        }
        Source::Contracts => {
            let sql = "SELECT x.category, x.procedure, x.status, x.reservation, x.amount_cents, x.awarded_cents, \
                 x.published_on, x.awarded_on, x.starts_on, x.ends_on, o.legal_form AS awardee_form, \
                 (SELECT COUNT(*) FROM social_clauses s WHERE s.contract_id = x.id) AS clauses \
                 FROM contracts x LEFT JOIN organisations o ON o.id = x.awardee WHERE x.tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                let clauses: i64 = r.try_get("clauses")?;
                let mut row = Row::new()
                    .text("category", &r.try_get::<String, _>("category")?)
                    .text("procedure", &r.try_get::<String, _>("procedure")?)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .text("reservation", &r.try_get::<String, _>("reservation")?)
                    .int("amount_cents", r.try_get("amount_cents")?)
                    .with("awarded_cents", opt_int(r.try_get("awarded_cents")?))
                    .with("has_social_clause", FieldValue::Bool(clauses > 0))
                    .with("awardee_legal_form", opt_text(r.try_get("awardee_form")?));
                for f in ["published_on", "awarded_on", "starts_on", "ends_on"] {
                    row = row.with(
                        f,
                        opt_date(day(r.try_get::<Option<String>, _>(f)?.as_deref())),
                    );
                }
                row
            })
        }
        Source::Lots => {
            let sql = "SELECT l.reservation, l.amount_cents, l.awarded_cents, c.awarded_on, o.legal_form AS awardee_form \
                 FROM contract_lots l JOIN contracts c ON c.id = l.contract_id \
                 LEFT JOIN organisations o ON o.id = l.awardee WHERE c.tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                Row::new()
                    .text("reservation", &r.try_get::<String, _>("reservation")?)
                    .int("amount_cents", r.try_get("amount_cents")?)
                    .with("awarded_cents", opt_int(r.try_get("awarded_cents")?))
                    .with(
                        "awarded_on",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("awarded_on")?
                            .as_deref())),
                    )
                    .with("awardee_legal_form", opt_text(r.try_get("awardee_form")?))
            })
        }
        Source::SocialClauses => {
            let sql = "SELECT s.stage, s.purpose, s.weight_percent, s.created_at \
                 FROM social_clauses s JOIN contracts c ON c.id = s.contract_id WHERE c.tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                Row::new()
                    .text("stage", &r.try_get::<String, _>("stage")?)
                    .text("purpose", &r.try_get::<String, _>("purpose")?)
                    .with("weight_percent", opt_int(r.try_get("weight_percent")?))
                    .with("created_on", opt_date(stamp_day(r.try_get("created_at")?)))
            })
        }
        Source::ComplianceChecks => {
            let sql = "SELECT k.verdict, k.checked_on, k.penalty_cents FROM compliance_checks k \
                 JOIN social_clauses s ON s.id = k.social_clause_id JOIN contracts c ON c.id = s.contract_id \
                 WHERE c.tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                Row::new()
                    .text("verdict", &r.try_get::<String, _>("verdict")?)
                    .with(
                        "checked_on",
                        opt_date(day(r
                            .try_get::<Option<String>, _>("checked_on")?
                            .as_deref())),
                    )
                    .int("penalty_cents", r.try_get("penalty_cents")?)
            })
        }
        Source::Agreements => {
            let sql = "SELECT kind, status, signed_on, starts_on, ends_on, budget_cents FROM agreements WHERE tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                let mut row = Row::new()
                    .text("kind", &r.try_get::<String, _>("kind")?)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .with("budget_cents", opt_int(r.try_get("budget_cents")?));
                for f in ["signed_on", "starts_on", "ends_on"] {
                    row = row.with(
                        f,
                        opt_date(day(r.try_get::<Option<String>, _>(f)?.as_deref())),
                    );
                }
                row
            })
        }
        Source::Commitments => {
            let sql = "SELECT kind, status, agreement_id, social_clause_id, due_on, target, recorded_progress \
                 FROM commitments WHERE tenant_id = $1"
                .to_owned();
            fetch!(store, sql, tenant, |r| {
                let agreement: Option<Uuid> = r.try_get("agreement_id")?;
                let clause: Option<Uuid> = r.try_get("social_clause_id")?;
                Row::new()
                    .text("kind", &r.try_get::<String, _>("kind")?)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .with("agreement_id", opt_text(agreement.map(|u| u.to_string())))
                    .with("social_clause_id", opt_text(clause.map(|u| u.to_string())))
                    .with(
                        "due_on",
                        opt_date(day(r.try_get::<Option<String>, _>("due_on")?.as_deref())),
                    )
                    .int("target", r.try_get("target")?)
                    .int("recorded_progress", r.try_get("recorded_progress")?)
            })
        }
        Source::Cases => {
            // A joint plan: live plan actions assigned to two or more agencies, or an action agreed
            // at a meeting two or more agencies attended. Agencies: every agency ever in the team.
            let sql = format!(
                // Grouped once per table and joined, not a subquery per case: a million cases
                // read in a fraction of the time.
                "SELECT {PERSON_COLS}, x.status, x.closure_reason, x.opened_at, x.closed_at, \
                 COALESCE(tm.n, 0) AS team, COALESCE(aa.n, 0) AS action_agencies, COALESCE(mt.n, 0) AS met \
                 FROM cases x JOIN people p ON p.id = x.person_id {PERSON_JOIN} \
                 LEFT JOIN (SELECT t.case_id, COUNT(DISTINCT t.agency_id) AS n FROM case_team t \
                    JOIN cases c ON c.id = t.case_id WHERE c.tenant_id = $1 GROUP BY t.case_id) tm ON tm.case_id = x.id \
                 LEFT JOIN (SELECT pa.case_id, COUNT(DISTINCT pa.agency_id) AS n FROM plan_actions pa \
                    WHERE pa.tenant_id = $1 AND pa.status <> 'cancelled' GROUP BY pa.case_id) aa ON aa.case_id = x.id \
                 LEFT JOIN (SELECT pa.case_id, COUNT(*) AS n FROM plan_actions pa \
                    JOIN (SELECT ma.meeting_id FROM meeting_agencies ma GROUP BY ma.meeting_id HAVING COUNT(*) >= 2) m \
                    ON m.meeting_id = pa.meeting_id WHERE pa.tenant_id = $1 GROUP BY pa.case_id) mt ON mt.case_id = x.id \
                 WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let action_agencies: i64 = r.try_get("action_agencies")?;
                let met: i64 = r.try_get("met")?;
                with_person(Row::new(), person!(r), period)
                    .text("status", &r.try_get::<String, _>("status")?)
                    .with("closure_reason", opt_text(r.try_get("closure_reason")?))
                    .with("opened_on", opt_date(stamp_day(r.try_get("opened_at")?)))
                    .with("closed_on", opt_date(stamp_day(r.try_get("closed_at")?)))
                    .bool("has_joint_plan", action_agencies >= 2 || met > 0)
                    .int("agencies", r.try_get("team")?)
            })
        }
        Source::PlanActions => {
            // Only a status change touches `updated_at` (casework::set_action_status), so a done
            // action's `updated_at` is the moment it was marked done.
            let sql = format!(
                "SELECT {PERSON_COLS}, x.status, x.due_on, x.created_at, x.updated_at \
                 FROM plan_actions x JOIN cases k ON k.id = x.case_id JOIN people p ON p.id = k.person_id {PERSON_JOIN} \
                 WHERE x.tenant_id = $1"
            );
            fetch!(store, sql, tenant, |r| {
                let status: String = r.try_get("status")?;
                let due = day(r.try_get::<Option<String>, _>("due_on")?.as_deref());
                let done = if status == "done" {
                    stamp_day(r.try_get("updated_at")?)
                } else {
                    None
                };
                let on_time = match (due, done) {
                    (None, _) => FieldValue::Null,
                    (Some(d), Some(done)) => FieldValue::Bool(done <= d),
                    (Some(_), None) => FieldValue::Bool(false),
                };
                with_person(Row::new(), person!(r), period)
                    .text("status", &status)
                    .with("due_on", opt_date(due))
                    .with("done_on", opt_date(done))
                    .with("on_time", on_time)
                    .with("created_on", opt_date(stamp_day(r.try_get("created_at")?)))
            })
        }
    };
    Ok(out)
}

/// Computes an indicator for a period from the tenant's records: the total, then one cell per
/// group of the disaggregation. A disaggregation the definition does not allow is `error-disaggregation-unavailable`.
pub async fn compute(
    store: &Store,
    tenant: TenantId,
    def: &IndicatorDefinition,
    period: Period,
    disaggregation: Option<Disaggregation>,
) -> Result<Vec<(Key, IndicatorValue)>> {
    let mut by_source: BTreeMap<Source, Vec<Row>> = BTreeMap::new();
    let sources =
        std::iter::once(def.numerator.source).chain(def.denominator.as_ref().map(|d| d.source));
    for source in sources {
        if let std::collections::btree_map::Entry::Vacant(slot) = by_source.entry(source) {
            slot.insert(rows(store, tenant, source, period).await?);
        }
    }
    evaluate(def, period, &by_source, disaggregation).map_err(StoreError::Conflict)
}
