//! Employment records for the synthetic population of `elkarlan demo --people N`, so that the
//! employment indicators (itineraries, training, placements and their follow-ups) have records
//! to count at city scale. Synthetic only, and reproducible: what person number `k` of the
//! population gets is a function of `k` alone (`plan`), drawn from a hash of it.
//!
//! Shares, of the generated people: about 30% have an employment profile and an itinerary
//! (opened between January 2025 and October 2026; half still active, 30% completed, 20%
//! dropped out); about 60% of those are enrolled in one of the demo city's training actions
//! (55% completed, 20% dropped out, the rest still enrolled; 70% of completions certified);
//! about 25% of itineraries end in a placement (a quarter of them through a social clause or a
//! partnership commitment when the demo city has them), each with its 6- and 12-month follow-ups.
//!
//! The rows are written by `elkarlan_store::synthetic_employment` with multi-row INSERTs in the
//! population's own transaction, not through the audited store functions one record at a time:
//! a bulk load for scale tests, like the people it belongs to. This module only decides what
//! each person gets.

use chrono::{Days, Months, NaiveDate};
use elkarlan_domain::{AgencyId, PersonId, TenantId, UserId};
use elkarlan_store::synthetic_employment::{self as bulk, Batch, RecordedBy, Targets};
use elkarlan_store::{Store, Tx};
use uuid::Uuid;

/// The first and last day an itinerary of the synthetic population may open.
const FIRST_OPENING: (i32, u32, u32) = (2025, 1, 1);
const OPENING_DAYS: u64 = 668; // to 31 October 2026
/// Nothing of the synthetic population is dated after this day.
const LAST_DAY: (i32, u32, u32) = (2026, 11, 15);

/// What one person of the population gets (dates as days; the person's id is added on insert).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmploymentPlan {
    pub unemployed_since: NaiveDate,
    pub income_guarantee: bool,
    pub status: &'static str,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub enrolment: Option<EnrolmentPlan>,
    pub placement: Option<PlacementPlan>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentPlan {
    /// Which of the available training actions (an index, modulo their number).
    pub action: u64,
    pub status: &'static str,
    pub enrolled_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub dropout_reason: Option<&'static str>,
    pub certified: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacementPlan {
    pub contract_type: &'static str,
    pub sector: &'static str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub weekly_hours_centi: i64,
    /// Through a social clause (`Some(index)` into the available ones, modulo their number).
    pub social_clause: Option<u64>,
    /// Through a partnership commitment (index, modulo their number).
    pub commitment: Option<u64>,
    /// The 6- and 12-month follow-ups: months, due day, and when checked whether still employed.
    pub follow_ups: Vec<(i64, NaiveDate, Option<bool>)>,
}

/// splitmix64: a well-spread hash of the person number and a salt.
fn mix(k: u64, salt: u64) -> u64 {
    let mut z = k
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

const CONTRACTS: [&str; 6] = [
    "temporary",
    "indefinite",
    "temporary",
    "insertion_transition",
    "fixed_discontinuous",
    "special_employment_centre",
];
const SECTORS: [&str; 8] = ["g", "i", "n", "q", "c", "h", "s", "f"];
const DROPOUTS: [&str; 5] = [
    "found_job",
    "care_duties",
    "health",
    "lost_contact",
    "moved",
];

/// What person number `k` of the population gets, if anything.
pub fn plan(k: u64) -> Option<EmploymentPlan> {
    let h = |salt: u64, n: u64| mix(k, salt) % n;
    if h(1, 100) >= 30 {
        return None;
    }
    let last = ymd(LAST_DAY);
    let opened_on = plus(ymd(FIRST_OPENING), h(2, OPENING_DAYS));
    let unemployed_since = opened_on
        .checked_sub_days(Days::new(30 + h(3, 900)))
        .unwrap_or(opened_on);
    let (status, closed_on) = match h(4, 10) {
        0..5 => ("active", None),
        s => {
            let closed = plus(opened_on, 60 + h(5, 300)).min(last);
            (
                if s < 8 { "completed" } else { "dropped_out" },
                Some(closed),
            )
        }
    };
    let enrolment = (h(6, 100) < 60).then(|| {
        let enrolled_on = plus(opened_on, 7 + h(7, 50)).min(last);
        let closed = plus(enrolled_on, 30 + h(8, 120));
        let (status, closed_on) = match h(9, 100) {
            0..55 if closed <= last => ("completed", Some(closed)),
            55..75 if closed <= last => ("dropped_out", Some(closed)),
            _ => ("enrolled", None),
        };
        EnrolmentPlan {
            action: h(10, 1_000_003),
            status,
            enrolled_on,
            closed_on,
            dropout_reason: (status == "dropped_out")
                .then(|| DROPOUTS[usize::try_from(h(11, 5)).unwrap_or(0)]),
            certified: status == "completed" && h(12, 100) < 70,
        }
    });
    let placement = (h(13, 100) < 25)
        .then(|| plus(opened_on, 30 + h(14, 240)))
        .filter(|starts| *starts <= last)
        .map(|starts_on| {
            let ends_on = (h(15, 2) == 0).then(|| plus(starts_on, 90 + h(16, 365)));
            let via = h(17, 8);
            let follow_ups = [6i64, 12]
                .into_iter()
                .map(|months| {
                    let due = starts_on
                        .checked_add_months(Months::new(u32::try_from(months).unwrap_or(6)))
                        .unwrap_or(starts_on);
                    let checked = (due <= last).then(|| {
                        ends_on.is_none_or(|e| e >= due) && h(18 + months as u64, 100) < 80
                    });
                    (months, due, checked)
                })
                .collect();
            PlacementPlan {
                contract_type: CONTRACTS[usize::try_from(h(19, 6)).unwrap_or(0)],
                sector: SECTORS[usize::try_from(h(20, 8)).unwrap_or(0)],
                starts_on,
                ends_on,
                weekly_hours_centi: 2000 + 100 * i64::try_from(h(21, 21)).unwrap_or(0),
                social_clause: (via == 0).then(|| h(22, 1_000_003)),
                commitment: (via == 1).then(|| h(23, 1_000_003)),
                follow_ups,
            }
        });
    Some(EmploymentPlan {
        unemployed_since,
        income_guarantee: h(24, 100) < 25,
        status,
        opened_on,
        closed_on,
        enrolment,
        placement,
    })
}

/// The demo city's records the employment rows point at: who records them, which training
/// actions, social clauses and partnership commitments exist.
pub struct EmploymentContext {
    by: RecordedBy,
    targets: Targets,
}

impl EmploymentContext {
    /// Reads the demo city's training actions, social clauses and commitments (in id order, so
    /// the same database gives the same choice).
    pub async fn load(
        store: &Store,
        tenant: TenantId,
        professional: UserId,
        agency: AgencyId,
    ) -> anyhow::Result<EmploymentContext> {
        Ok(EmploymentContext {
            by: RecordedBy {
                professional,
                agency,
            },
            targets: bulk::targets(store, tenant).await?,
        })
    }
}

fn pick(list: &[Uuid], i: Option<u64>) -> Option<Uuid> {
    let i = usize::try_from(i?).ok()?;
    (!list.is_empty()).then(|| list[i % list.len()])
}

fn micros(d: NaiveDate) -> i64 {
    d.and_hms_opt(9, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_micros())
}

/// How many rows of each table were written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmploymentCounts {
    pub itineraries: u64,
    pub enrolments: u64,
    pub placements: u64,
    pub follow_ups: u64,
}

impl std::ops::AddAssign for EmploymentCounts {
    fn add_assign(&mut self, o: Self) {
        self.itineraries += o.itineraries;
        self.enrolments += o.enrolments;
        self.placements += o.placements;
        self.follow_ups += o.follow_ups;
    }
}

/// Writes the employment records of people `(id, k)` in the population's transaction.
pub async fn insert_batch(
    tx: &mut Tx,
    tenant: TenantId,
    ctx: &EmploymentContext,
    people: &[(PersonId, u64)],
) -> anyhow::Result<EmploymentCounts> {
    let targets = &ctx.targets;
    let mut batch = Batch::default();
    for &(person, k) in people {
        let Some(p) = plan(k) else { continue };
        batch.profiles.push(bulk::Profile {
            person,
            unemployed_since: p.unemployed_since,
            income_guarantee: p.income_guarantee,
        });
        let itinerary = Uuid::now_v7();
        batch.itineraries.push(bulk::Itinerary {
            id: itinerary,
            person,
            status: p.status,
            opened_at_micros: micros(p.opened_on),
            closed_at_micros: p.closed_on.map(micros),
        });
        if let Some((e, action)) = p
            .enrolment
            .as_ref()
            .and_then(|e| Some((e, pick(&targets.training_actions, Some(e.action))?)))
        {
            batch.enrolments.push(bulk::Enrolment {
                itinerary,
                person,
                action,
                status: e.status,
                enrolled_on: e.enrolled_on,
                closed_on: e.closed_on,
                dropout_reason: e.dropout_reason,
                certificate: e.certified.then_some("Certificado de profesionalidad"),
            });
        }
        if let Some(pl) = &p.placement {
            let id = Uuid::now_v7();
            batch.placements.push(bulk::Placement {
                id,
                itinerary,
                person,
                employer: "Enpresa sintetikoa",
                contract_type: pl.contract_type,
                starts_on: pl.starts_on,
                ends_on: pl.ends_on,
                weekly_hours_centi: pl.weekly_hours_centi,
                esco_code: "9112.2",
                sector: pl.sector,
                social_clause: pick(&targets.social_clauses, pl.social_clause),
                commitment: pick(&targets.commitments, pl.commitment),
                recorded_at_micros: micros(pl.starts_on),
            });
            for &(months, due_on, checked) in &pl.follow_ups {
                batch.follow_ups.push(bulk::FollowUp {
                    placement: id,
                    months,
                    due_on,
                    checked_on: checked.map(|_| due_on),
                    still_employed: checked,
                });
            }
        }
    }
    let now = elkarlan_domain::Timestamp::now().micros();
    bulk::insert_in(tx, tenant, ctx.by, &batch, now).await?;
    let n = |len: usize| len as u64;
    Ok(EmploymentCounts {
        itineraries: n(batch.itineraries.len()),
        enrolments: n(batch.enrolments.len()),
        placements: n(batch.placements.len()),
        follow_ups: n(batch.follow_ups.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_a_function_of_the_person_number() {
        for k in [0u64, 1, 7, 12_345, 999_999] {
            assert_eq!(plan(k), plan(k));
        }
        // Different people do not all get the same thing.
        let opened: std::collections::BTreeSet<_> =
            (0..200).filter_map(plan).map(|p| p.opened_on).collect();
        assert!(opened.len() > 20, "{}", opened.len());
    }

    #[test]
    fn shares_and_dates_are_as_documented() {
        let n = 20_000u64;
        let plans: Vec<EmploymentPlan> = (0..n).filter_map(plan).collect();
        let share = |x: usize, of: usize| x * 100 / of.max(1);
        assert!((28..=32).contains(&share(plans.len(), n as usize)));
        let enrolled: Vec<&EnrolmentPlan> =
            plans.iter().filter_map(|p| p.enrolment.as_ref()).collect();
        assert!((57..=63).contains(&share(enrolled.len(), plans.len())));
        let placed: Vec<&PlacementPlan> =
            plans.iter().filter_map(|p| p.placement.as_ref()).collect();
        assert!((15..=26).contains(&share(placed.len(), plans.len())));
        for status in ["active", "completed", "dropped_out"] {
            assert!(plans.iter().any(|p| p.status == status), "{status}");
        }
        for status in ["enrolled", "completed", "dropped_out"] {
            assert!(enrolled.iter().any(|e| e.status == status), "{status}");
        }
        let last = ymd(LAST_DAY);
        let first = ymd(FIRST_OPENING);
        for p in &plans {
            assert!(p.opened_on >= first && p.opened_on <= last);
            assert!(p.unemployed_since < p.opened_on);
            assert_eq!(p.closed_on.is_none(), p.status == "active");
            assert!(p.closed_on.is_none_or(|c| c > p.opened_on && c <= last));
            if let Some(e) = &p.enrolment {
                assert_eq!(e.closed_on.is_none(), e.status == "enrolled");
                assert_eq!(e.dropout_reason.is_some(), e.status == "dropped_out");
                assert!(!e.certified || e.status == "completed");
                assert!(e.closed_on.is_none_or(|c| c > e.enrolled_on && c <= last));
            }
            if let Some(pl) = &p.placement {
                assert!(pl.starts_on > p.opened_on && pl.starts_on <= last);
                assert!(pl.ends_on.is_none_or(|e| e >= pl.starts_on));
                assert_eq!(pl.follow_ups.len(), 2);
                assert!(
                    pl.follow_ups
                        .iter()
                        .all(|(_, due, c)| c.is_some() == (*due <= last))
                );
                assert!(pl.social_clause.is_none() || pl.commitment.is_none());
            }
        }
        // Some long-term unemployed (12 months or more before opening), some not.
        let long = plans
            .iter()
            .filter(|p| p.unemployed_since.checked_add_months(Months::new(12)) <= Some(p.opened_on))
            .count();
        assert!(long > 0 && long < plans.len());
        assert!(plans.iter().any(|p| p.income_guarantee));
        assert!(placed.iter().any(|p| p.social_clause.is_some()));
        assert!(
            placed
                .iter()
                .any(|p| p.follow_ups.iter().any(|f| f.2 == Some(true)))
        );
    }
}
