//! A person's itinerary: ordered steps from intake to follow-up, enrolments in training actions
//! with attendance, completion, drop-out and certificates.

use super::codes::{AttendanceMark, DropOutReason, EnrolmentStatus, StepKind, StepStatus};
use super::programme::{date, optional_date, optional_text};
use crate::FieldErrors;
use chrono::NaiveDate;
use serde::Deserialize;

/// Opening an itinerary: from a programme's template, or with steps chosen by hand.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItineraryInput {
    pub programme: String,
    /// A template of the programme; empty means the steps below (or the usual path).
    pub template: String,
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInput {
    pub kind: String,
    pub planned_on: String,
}

/// Moving a step: its status and dates.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepUpdateInput {
    pub status: String,
    pub started_on: String,
    pub completed_on: String,
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepUpdate {
    pub status: StepStatus,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
}

/// Parses a list of step codes, in order, refusing an empty or overlong list.
pub fn parse_steps(codes: &[String]) -> Result<Vec<StepKind>, &'static str> {
    let steps = codes
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| StepKind::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        Err("error-steps-required")
    } else if steps.len() > 30 {
        Err("error-steps-too-many")
    } else {
        Ok(steps)
    }
}

impl StepInput {
    pub fn parse(&self) -> Result<(StepKind, Option<NaiveDate>), FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = e.take("kind", StepKind::parse(&self.kind));
        let planned = e.take("planned_on", optional_date(&self.planned_on));
        match (kind, planned) {
            (Some(k), Some(p)) => Ok((k, p)),
            _ => Err(e),
        }
    }
}

impl StepUpdateInput {
    pub fn parse(&self, today: NaiveDate) -> Result<StepUpdate, FieldErrors> {
        let mut e = FieldErrors::new();
        let status = e.take("status", StepStatus::parse(&self.status));
        let started_on = e.take("started_on", optional_date(&self.started_on));
        let completed_on = e.take("completed_on", optional_date(&self.completed_on));
        if let Some(Some(s)) = started_on
            && s > today
        {
            e.add("started_on", "error-date-future");
        }
        if let Some(Some(c)) = completed_on {
            if c > today {
                e.add("completed_on", "error-date-future");
            }
            if let Some(Some(s)) = started_on
                && c < s
            {
                e.add("completed_on", "error-end-before-start");
            }
        }
        if status == Some(StepStatus::Done) && completed_on == Some(None) {
            e.add("completed_on", "error-date-required");
        }
        match (status, started_on, completed_on) {
            (Some(status), Some(started_on), Some(completed_on)) if e.is_empty() => {
                Ok(StepUpdate {
                    status,
                    started_on,
                    completed_on,
                })
            }
            _ => Err(e),
        }
    }
}

/// Closing an enrolment: completed (with a certificate, if one was obtained) or dropped out.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolmentUpdateInput {
    pub status: String,
    pub on: String,
    pub dropout_reason: String,
    pub certificate: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnrolmentOutcome {
    Completed {
        on: NaiveDate,
        certificate: Option<String>,
    },
    DroppedOut {
        on: NaiveDate,
        reason: DropOutReason,
    },
}

impl EnrolmentUpdateInput {
    pub fn parse(
        &self,
        today: NaiveDate,
        enrolled_on: NaiveDate,
    ) -> Result<EnrolmentOutcome, FieldErrors> {
        let mut e = FieldErrors::new();
        let status = e.take(
            "status",
            EnrolmentStatus::parse(&self.status).and_then(|s| {
                if s == EnrolmentStatus::Enrolled {
                    Err("error-enrolment-status")
                } else {
                    Ok(s)
                }
            }),
        );
        let on = e.take("on", date(&self.on, "error-date-required"));
        if let Some(d) = on {
            if d > today {
                e.add("on", "error-date-future");
            } else if d < enrolled_on {
                e.add("on", "error-before-enrolment");
            }
        }
        let certificate = e.take("certificate", optional_text(&self.certificate, 200));
        let reason = if status == Some(EnrolmentStatus::DroppedOut) {
            e.take("dropout_reason", DropOutReason::parse(&self.dropout_reason))
        } else {
            None
        };
        if !e.is_empty() {
            return Err(e);
        }
        match (status, on, certificate, reason) {
            (Some(EnrolmentStatus::Completed), Some(on), Some(certificate), _) => {
                Ok(EnrolmentOutcome::Completed { on, certificate })
            }
            (Some(EnrolmentStatus::DroppedOut), Some(on), _, Some(reason)) => {
                Ok(EnrolmentOutcome::DroppedOut { on, reason })
            }
            _ => Err(e),
        }
    }
}

/// One attendance mark for one session.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceInput {
    /// The session's number on the action's calendar, from 1.
    pub session: String,
    pub mark: String,
}

impl AttendanceInput {
    /// Parses the mark and the session number; a number beyond the action's sessions is refused.
    pub fn parse(&self, sessions: usize) -> Result<(usize, AttendanceMark), FieldErrors> {
        let mut e = FieldErrors::new();
        let n = e.take(
            "session",
            self.session
                .trim()
                .parse::<usize>()
                .map_err(|_| "error-session-number")
                .and_then(|n| {
                    if n == 0 || n > sessions {
                        Err("error-session-beyond")
                    } else {
                        Ok(n)
                    }
                }),
        );
        let mark = e.take("mark", AttendanceMark::parse(&self.mark));
        match (n, mark) {
            (Some(n), Some(m)) => Ok((n, m)),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn attendance_beyond_the_sessions_is_refused() {
        let ok = AttendanceInput {
            session: "12".into(),
            mark: "present".into(),
        };
        assert_eq!(
            ok.parse(12).map_err(|_| ()),
            Ok((12, AttendanceMark::Present))
        );
        let Err(e) = ok.parse(11) else {
            panic!("accepted")
        };
        assert_eq!(e.get("session"), Some("error-session-beyond"));
        let zero = AttendanceInput {
            session: "0".into(),
            mark: "late".into(),
        };
        let Err(e) = zero.parse(11) else {
            panic!("accepted")
        };
        assert_eq!(e.get("session"), Some("error-session-beyond"));
        assert_eq!(e.get("mark"), Some("error-attendance-mark"));
    }

    #[test]
    fn a_drop_out_needs_its_reason_and_a_date_after_enrolment() {
        let today = day("2026-11-28");
        let input = EnrolmentUpdateInput {
            status: "dropped_out".into(),
            on: "2026-01-01".into(),
            ..Default::default()
        };
        let Err(e) = input.parse(today, day("2026-02-01")) else {
            panic!("accepted")
        };
        assert_eq!(e.get("dropout_reason"), Some("error-dropout-reason"));
        assert_eq!(e.get("on"), Some("error-before-enrolment"));
        let good = EnrolmentUpdateInput {
            status: "completed".into(),
            on: "2026-06-30".into(),
            certificate: "HOTR0108 Operaciones básicas de cocina".into(),
            ..Default::default()
        };
        assert!(matches!(
            good.parse(today, day("2026-02-01")),
            Ok(EnrolmentOutcome::Completed {
                certificate: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn a_done_step_needs_its_completion_date_in_order() {
        let today = day("2026-11-28");
        let input = StepUpdateInput {
            status: "done".into(),
            started_on: "2026-05-01".into(),
            ..Default::default()
        };
        let Err(e) = input.parse(today) else {
            panic!("accepted")
        };
        assert_eq!(e.get("completed_on"), Some("error-date-required"));
        let reversed = StepUpdateInput {
            status: "done".into(),
            started_on: "2026-05-01".into(),
            completed_on: "2026-04-01".into(),
            ..Default::default()
        };
        let Err(e) = reversed.parse(today) else {
            panic!("accepted")
        };
        assert_eq!(e.get("completed_on"), Some("error-end-before-start"));
        assert_eq!(parse_steps(&[]), Err("error-steps-required"));
    }
}
