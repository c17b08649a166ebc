//! Timestamps are UTC microseconds since the Unix epoch, written from Rust only. Integers compare
//! and sort the same way on SQLite and PostgreSQL, unlike text or driver-specific types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now().timestamp_micros())
    }

    pub fn from_micros(us: i64) -> Self {
        Self(us)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Self(self.0.saturating_add(s.saturating_mul(1_000_000)))
    }

    pub fn minus_seconds(self, s: i64) -> Self {
        self.plus_seconds(-s)
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// ISO 8601 with seconds, the one format shown and exported.
    pub fn iso(self) -> String {
        self.to_datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// Numeric day and time for pages: language-neutral, so no month names need inflecting.
    pub fn display(self) -> String {
        self.to_datetime().format("%Y-%m-%d %H:%M").to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_is_utc_with_seconds() {
        assert_eq!(Timestamp::from_micros(0).iso(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::from_micros(86_400_000_000)
                .plus_seconds(61)
                .iso(),
            "1970-01-02T00:01:01Z"
        );
    }
}

/// A date typed as YYYY-MM-DD that must be after `today`, as the end of that day (UTC):
/// due dates and expiry dates.
pub fn parse_future_date(s: &str, today: chrono::NaiveDate) -> Result<Timestamp, &'static str> {
    let d =
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| "error-date-format")?;
    if d <= today {
        return Err("error-date-past");
    }
    d.and_hms_opt(23, 59, 59)
        .map(|t| Timestamp(t.and_utc().timestamp_micros()))
        .ok_or("error-date-format")
}

#[cfg(test)]
mod future_date_tests {
    use super::*;

    #[test]
    fn future_dates_end_at_the_last_second_of_the_day() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        assert_eq!(
            parse_future_date("2026-11-29", today).map(Timestamp::iso),
            Ok("2026-11-29T23:59:59Z".to_owned())
        );
        assert_eq!(
            parse_future_date("2026-11-28", today),
            Err("error-date-past")
        );
        assert_eq!(
            parse_future_date("2026-02-30", today),
            Err("error-date-format")
        );
    }
}
