//! Training actions: a course run by one entity within a programme, with its calendar of
//! sessions. Attendance is recorded per session, so the sessions are stored, not computed.

use super::codes::TrainingStatus;
use super::esco::{EscoOccupation, EscoSkill};
use super::programme::{date, optional_text, required_text, whole_number};
use crate::{AgencyId, AreaId, FieldErrors};
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::Deserialize;

/// More sessions than a long vocational certificate has; more is a typing error.
pub const MAX_SESSIONS: usize = 400;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingActionInput {
    pub provider: String,
    pub title_eu: String,
    pub title_es: String,
    pub status: String,
    pub hours: String,
    pub places: String,
    pub location: String,
    pub neighbourhood: String,
    /// The ESCO occupation the action trains for: code (`5120.1`) or concept URI.
    pub occupation: String,
    /// ESCO skill URIs, one per line.
    pub skills: String,
    pub certificate: String,
    /// `eu`, `es` or `eu_es` (both).
    pub language: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Days of the week with a session: `mon`, `tue`, ... `sun`.
    pub weekdays: Vec<String>,
    pub time_from: String,
    pub time_to: String,
    /// The action's own eligibility rules as JSON (see `eligibility::Rules`), on top of the
    /// programme's; empty means the programme's alone.
    pub eligibility: String,
}

/// One session on the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSlot {
    pub on: NaiveDate,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl SessionSlot {
    /// Two sessions overlap when they share a day and their times cross.
    pub fn overlaps(&self, other: &SessionSlot) -> bool {
        self.on == other.on && self.from < other.to && other.from < self.to
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrainingActionDraft {
    pub provider: AgencyId,
    pub title_eu: String,
    pub title_es: String,
    pub status: TrainingStatus,
    pub hours: i64,
    pub places: i64,
    pub location: String,
    pub neighbourhood: Option<AreaId>,
    pub occupation: EscoOccupation,
    pub skills: Vec<EscoSkill>,
    pub certificate: Option<String>,
    pub language: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub weekdays: Vec<Weekday>,
    pub time_from: NaiveTime,
    pub time_to: NaiveTime,
    pub eligibility: super::eligibility::Rules,
}

pub const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

pub fn weekday_code(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("mon", |(c, _)| c)
}

fn time(s: &str) -> Result<NaiveTime, &'static str> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| "error-time-format")
}

impl TrainingActionDraft {
    /// The sessions: every chosen weekday from start to end, at the same hours.
    pub fn sessions(&self) -> Vec<SessionSlot> {
        let mut out = Vec::new();
        let mut d = self.starts_on;
        while d <= self.ends_on && out.len() <= MAX_SESSIONS {
            if self.weekdays.contains(&d.weekday()) {
                out.push(SessionSlot {
                    on: d,
                    from: self.time_from,
                    to: self.time_to,
                });
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
        out
    }

    pub fn schedule_codes(&self) -> Vec<&'static str> {
        self.weekdays.iter().map(|d| weekday_code(*d)).collect()
    }
}

impl TrainingActionInput {
    pub fn parse(&self) -> Result<TrainingActionDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let provider = e.take(
            "provider",
            self.provider
                .trim()
                .parse::<AgencyId>()
                .map_err(|_| "error-agency-unknown"),
        );
        let title_eu = e.take(
            "title_eu",
            required_text(&self.title_eu, 200, "error-name-required"),
        );
        let title_es = e.take(
            "title_es",
            required_text(&self.title_es, 200, "error-name-required"),
        );
        let status = if self.status.trim().is_empty() {
            Some(TrainingStatus::Planned)
        } else {
            e.take("status", TrainingStatus::parse(&self.status))
        };
        let hours = e.take("hours", whole_number(&self.hours, 1..=2_000, "error-hours"));
        let places = e.take(
            "places",
            whole_number(&self.places, 1..=500, "error-places"),
        );
        let location = e.take(
            "location",
            required_text(&self.location, 200, "error-location-required"),
        );
        let neighbourhood = if self.neighbourhood.trim().is_empty() {
            Some(None)
        } else {
            e.take(
                "neighbourhood",
                self.neighbourhood
                    .trim()
                    .parse::<AreaId>()
                    .map(Some)
                    .map_err(|_| "error-area-unknown"),
            )
        };
        let occupation = e.take("occupation", EscoOccupation::parse(&self.occupation));
        let skills = e.take(
            "skills",
            self.skills
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(EscoSkill::parse)
                .collect::<Result<Vec<_>, _>>(),
        );
        let certificate = e.take("certificate", optional_text(&self.certificate, 200));
        let language = match self.language.trim() {
            l @ ("eu" | "es" | "eu_es") => Some(l.to_owned()),
            _ => e.take("language", Err("error-training-language")),
        };
        let starts_on = e.take("starts_on", date(&self.starts_on, "error-date-required"));
        let ends_on = e.take("ends_on", date(&self.ends_on, "error-date-required"));
        let weekdays: Vec<Weekday> = WEEKDAYS
            .iter()
            .filter(|(c, _)| self.weekdays.iter().any(|w| w.trim() == *c))
            .map(|(_, d)| *d)
            .collect();
        // None chosen, or a code that is not a weekday: the same message either way.
        if weekdays.is_empty()
            || self
                .weekdays
                .iter()
                .any(|w| !WEEKDAYS.iter().any(|(c, _)| w.trim() == *c))
        {
            e.add("weekdays", "error-weekdays-required");
        }
        let time_from = e.take("time_from", time(&self.time_from));
        let time_to = e.take("time_to", time(&self.time_to));
        if let (Some(f), Some(t)) = (time_from, time_to)
            && t <= f
        {
            e.add("time_to", "error-time-order");
        }
        if let (Some(s), Some(end)) = (starts_on, ends_on)
            && end < s
        {
            e.add("ends_on", "error-end-before-start");
        }
        let eligibility = e.take(
            "eligibility",
            if self.eligibility.trim().is_empty() {
                Ok(super::eligibility::Rules::default())
            } else {
                super::eligibility::Rules::parse_json(&self.eligibility)
            },
        );
        let (
            Some(provider),
            Some(title_eu),
            Some(title_es),
            Some(status),
            Some(hours),
            Some(places),
            Some(location),
            Some(neighbourhood),
            Some(occupation),
            Some(skills),
            Some(certificate),
            Some(language),
            Some(starts_on),
            Some(ends_on),
            Some(time_from),
            Some(time_to),
            Some(eligibility),
        ) = (
            provider,
            title_eu,
            title_es,
            status,
            hours,
            places,
            location,
            neighbourhood,
            occupation,
            skills,
            certificate,
            language,
            starts_on,
            ends_on,
            time_from,
            time_to,
            eligibility,
        )
        else {
            return Err(e);
        };
        if !e.is_empty() {
            return Err(e);
        }
        let draft = TrainingActionDraft {
            provider,
            title_eu,
            title_es,
            status,
            hours,
            places,
            location,
            neighbourhood,
            occupation,
            skills,
            certificate,
            language,
            starts_on,
            ends_on,
            weekdays,
            time_from,
            time_to,
            eligibility,
        };
        let n = draft.sessions().len();
        if n == 0 {
            e.add("weekdays", "error-no-sessions");
        } else if n > MAX_SESSIONS {
            e.add("ends_on", "error-too-many-sessions");
        }
        if e.is_empty() { Ok(draft) } else { Err(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TrainingActionInput {
        TrainingActionInput {
            provider: AgencyId::new().to_string(),
            title_eu: "Sukaldaritza laguntzailea".into(),
            title_es: "Ayudante de cocina".into(),
            hours: "120".into(),
            places: "15".into(),
            location: "Otxarkoaga, Zizeruena 1".into(),
            occupation: "5120.1".into(),
            language: "eu_es".into(),
            starts_on: "2026-02-02".into(),
            ends_on: "2026-02-13".into(),
            weekdays: vec!["mon".into(), "wed".into(), "fri".into()],
            time_from: "09:00".into(),
            time_to: "13:00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn sessions_follow_the_chosen_weekdays() {
        let d = input().parse().map_err(|e| format!("{e:?}"));
        let Ok(d) = d else { panic!("{d:?}") };
        let s = d.sessions();
        assert_eq!(s.len(), 6);
        assert_eq!(s[0].on.to_string(), "2026-02-02");
        assert_eq!(s[5].on.to_string(), "2026-02-13");
    }

    #[test]
    fn bad_fields_are_all_reported() {
        let mut i = input();
        i.occupation = "9999.99".into();
        i.time_to = "08:00".into();
        i.ends_on = "2026-01-01".into();
        i.weekdays = vec!["someday".into()];
        i.hours = "0".into();
        let Err(e) = i.parse() else {
            panic!("accepted")
        };
        assert_eq!(e.get("occupation"), Some("error-esco-unknown"));
        assert_eq!(e.get("time_to"), Some("error-time-order"));
        assert_eq!(e.get("ends_on"), Some("error-end-before-start"));
        assert_eq!(e.get("weekdays"), Some("error-weekdays-required"));
        assert_eq!(e.get("hours"), Some("error-hours"));
    }

    #[test]
    fn overlapping_sessions_share_a_day_and_cross_in_time() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let at = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
        let a = SessionSlot {
            on: day,
            from: at(9),
            to: at(13),
        };
        let b = SessionSlot {
            on: day,
            from: at(12),
            to: at(14),
        };
        let c = SessionSlot {
            on: day,
            from: at(13),
            to: at(15),
        };
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&c), "back-to-back sessions do not overlap");
        let other_day = SessionSlot {
            on: day.succ_opt().unwrap_or(day),
            ..a
        };
        assert!(!a.overlaps(&other_day));
    }
}
