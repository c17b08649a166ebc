//! Commitments: what an agreement or a social clause promises, quantified, with a due date, and
//! how far it has come.

use super::codes::{CommitmentKind, CommitmentStatus};
use crate::employment::programme::{date, optional_text, required_text, whole_number};
use crate::{FieldErrors, OrganisationId, TrainingActionId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A commitment as typed on the form or sent to the API, before parsing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitmentInput {
    /// The organisation that must deliver it (required to count hires).
    pub organisation: String,
    /// `hire_participants`, `offer_practicum_places` or `other`.
    pub kind: String,
    pub description: String,
    /// A whole number above zero.
    pub target: String,
    /// What is counted: "people hired", "practicum places", ...
    pub unit: String,
    pub due_on: String,
    /// The training action whose enrolments count (required for `offer_practicum_places`).
    pub training_action: String,
    pub evidence: String,
    /// `open` when empty.
    pub status: String,
    /// Progress recorded by hand (counted only for `other`); 0 when empty.
    pub recorded_progress: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentDraft {
    pub organisation: Option<OrganisationId>,
    pub kind: CommitmentKind,
    pub description: String,
    pub target: i64,
    pub unit: String,
    pub due_on: NaiveDate,
    pub training_action: Option<TrainingActionId>,
    pub evidence: Option<String>,
    pub status: CommitmentStatus,
    pub recorded_progress: i64,
}

/// The period a commitment must fall in: the agreement's dates, or the contract's for a clause
/// (either end may be unknown for a contract not yet awarded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// A social clause's hires are the placements linked to the clause, so its hiring
    /// commitments need no employer to count from.
    pub clause: bool,
}

impl CommitmentInput {
    pub fn parse(&self, window: Window) -> Result<CommitmentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", CommitmentKind::parse(&self.kind));
        let organisation = if self.organisation.trim().is_empty() {
            if kind == Some(CommitmentKind::HireParticipants) && !window.clause {
                e.add("organisation", "error-commitment-organisation-required");
            }
            None
        } else {
            e.take(
                "organisation",
                self.organisation
                    .trim()
                    .parse::<OrganisationId>()
                    .map(Some)
                    .map_err(|_| "error-directory-organisation-unknown"),
            )
            .flatten()
        };
        let training_action = if self.training_action.trim().is_empty() {
            if kind == Some(CommitmentKind::OfferPracticumPlaces) {
                e.add("training_action", "error-commitment-action-required");
            }
            None
        } else {
            e.take(
                "training_action",
                self.training_action
                    .trim()
                    .parse::<TrainingActionId>()
                    .map(Some)
                    .map_err(|_| "error-commitment-action-unknown"),
            )
            .flatten()
        };
        let description = e.take(
            "description",
            required_text(&self.description, 2_000, "error-description-required"),
        );
        let target = e.take(
            "target",
            whole_number(&self.target, 1..=1_000_000, "error-commitment-target"),
        );
        let unit = e.take(
            "unit",
            required_text(&self.unit, 100, "error-commitment-unit-required"),
        );
        let due_on = e.take("due_on", date(&self.due_on, "error-date-required"));
        if let Some(d) = due_on {
            if window.starts_on.is_some_and(|s| d < s) {
                e.add("due_on", "error-commitment-due-before-start");
            } else if window.ends_on.is_some_and(|end| d > end) {
                e.add("due_on", "error-commitment-due-after-end");
            }
        }
        let evidence = e.take("evidence", optional_text(&self.evidence, 2_000));
        let status = if self.status.trim().is_empty() {
            Some(CommitmentStatus::Open)
        } else {
            e.take("status", CommitmentStatus::parse(&self.status))
        };
        let recorded_progress = if self.recorded_progress.trim().is_empty() {
            Some(0)
        } else {
            e.take(
                "recorded_progress",
                whole_number(
                    &self.recorded_progress,
                    0..=1_000_000,
                    "error-commitment-progress",
                ),
            )
        };
        match (
            kind,
            description,
            target,
            unit,
            due_on,
            evidence,
            status,
            recorded_progress,
        ) {
            (
                Some(kind),
                Some(description),
                Some(target),
                Some(unit),
                Some(due_on),
                Some(evidence),
                Some(status),
                Some(recorded_progress),
            ) if e.is_empty() => Ok(CommitmentDraft {
                organisation,
                kind,
                description,
                target,
                unit,
                due_on,
                training_action,
                evidence,
                status,
                recorded_progress,
            }),
            _ => Err(e),
        }
    }
}

/// How a commitment stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Standing {
    /// Met, or advancing at least as fast as the time elapsed.
    OnTrack,
    /// Behind the time elapsed, with time left.
    AtRisk,
    /// Past its due date and not met.
    Late,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::OnTrack => "on_track",
            Standing::AtRisk => "at_risk",
            Standing::Late => "late",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Standing::OnTrack => "commitment-standing-on-track",
            Standing::AtRisk => "commitment-standing-at-risk",
            Standing::Late => "commitment-standing-late",
        }
    }
}

/// Counts only: never who was hired or enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub achieved: i64,
    pub target: i64,
    /// 0 to 100; met commitments show 100 even when exceeded.
    pub percent: i64,
    pub standing: Standing,
}

impl Progress {
    /// `from` is when counting starts (the agreement's or contract's start); without it the
    /// commitment is judged only on its due date.
    pub fn compute(
        achieved: i64,
        target: i64,
        from: Option<NaiveDate>,
        due: NaiveDate,
        today: NaiveDate,
    ) -> Progress {
        let target = target.max(1);
        let achieved = achieved.max(0);
        let percent = (achieved.saturating_mul(100) / target).min(100);
        let standing = if achieved >= target {
            Standing::OnTrack
        } else if today > due {
            Standing::Late
        } else {
            match from {
                Some(start) if start < due && today > start => {
                    let elapsed = (today - start).num_days();
                    let span = (due - start).num_days();
                    // Behind when the share achieved is below the share of time gone.
                    if achieved.saturating_mul(span) < target.saturating_mul(elapsed) {
                        Standing::AtRisk
                    } else {
                        Standing::OnTrack
                    }
                }
                _ => Standing::OnTrack,
            }
        };
        Progress {
            achieved,
            target,
            percent,
            standing,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input() -> CommitmentInput {
        CommitmentInput {
            organisation: OrganisationId::new().to_string(),
            kind: "hire_participants".into(),
            description: "Contratar personas del programa".into(),
            target: "5".into(),
            unit: "personas".into(),
            due_on: "2026-06-30".into(),
            ..Default::default()
        }
    }

    #[test]
    fn due_date_must_fall_inside_the_agreement() {
        let w = Window {
            starts_on: Some(d("2026-01-01")),
            ends_on: Some(d("2026-12-31")),
            clause: false,
        };
        assert!(input().parse(w).is_ok());
        let mut i = input();
        i.due_on = "2025-12-31".into();
        assert_eq!(
            i.parse(w).unwrap_err().get("due_on"),
            Some("error-commitment-due-before-start")
        );
        i.due_on = "2027-01-01".into();
        assert_eq!(
            i.parse(w).unwrap_err().get("due_on"),
            Some("error-commitment-due-after-end")
        );
    }

    #[test]
    fn kinds_need_what_they_count_from() {
        let mut i = input();
        i.organisation.clear();
        assert_eq!(
            i.parse(Window::default()).unwrap_err().get("organisation"),
            Some("error-commitment-organisation-required")
        );
        let clause = Window {
            clause: true,
            ..Window::default()
        };
        assert!(i.parse(clause).is_ok(), "a clause counts its linked hires");
        let mut i = input();
        i.kind = "offer_practicum_places".into();
        assert_eq!(
            i.parse(Window::default())
                .unwrap_err()
                .get("training_action"),
            Some("error-commitment-action-required")
        );
        let mut i = input();
        i.target = "0".into();
        assert_eq!(
            i.parse(Window::default()).unwrap_err().get("target"),
            Some("error-commitment-target")
        );
    }

    #[test]
    fn standing_follows_time() {
        let from = Some(d("2026-01-01"));
        let due = d("2026-12-31");
        let p = Progress::compute(2, 4, from, due, d("2026-03-01"));
        assert_eq!((p.percent, p.standing), (50, Standing::OnTrack));
        let p = Progress::compute(1, 4, from, due, d("2026-10-01"));
        assert_eq!(p.standing, Standing::AtRisk);
        let p = Progress::compute(3, 4, from, due, d("2027-01-02"));
        assert_eq!(p.standing, Standing::Late);
        let p = Progress::compute(6, 4, from, due, d("2027-01-02"));
        assert_eq!((p.percent, p.standing), (100, Standing::OnTrack));
    }
}
