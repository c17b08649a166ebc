//! How long each kind of record is kept, and what happens when the period ends. The periods
//! are set per tenant by the DPO; the job worker applies them. The audit trail is not among
//! them: it is the proof of every access and is kept whole (see ARCHITECTURE.md).

use serde::Serialize;

/// Kinds of records with a retention period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// A case closed this long ago: the person is anonymised, free text of the case is erased,
    /// and what indicators count (statuses, dates, severities, agencies) stays.
    ClosedCase,
    /// A person registered without a case who has not changed this long: deleted.
    PersonWithoutCase,
    /// A consent withdrawn or expired this long ago: deleted.
    EndedConsent,
    /// An in-app notification read this long ago: deleted.
    ReadNotification,
}

/// What the worker does to a record whose period has ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    Anonymise,
    Delete,
}

impl Disposal {
    pub fn code(self) -> &'static str {
        match self {
            Disposal::Anonymise => "anonymise",
            Disposal::Delete => "delete",
        }
    }
}

/// The shortest and longest periods accepted, in days.
pub const MIN_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 36_500;

impl RecordType {
    pub const ALL: [RecordType; 4] = [
        RecordType::ClosedCase,
        RecordType::PersonWithoutCase,
        RecordType::EndedConsent,
        RecordType::ReadNotification,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordType::ClosedCase => "closed_case",
            RecordType::PersonWithoutCase => "person_without_case",
            RecordType::EndedConsent => "ended_consent",
            RecordType::ReadNotification => "read_notification",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or("error-record-type")
    }

    pub fn label_key(self) -> String {
        format!("retention-{}", self.code().replace('_', "-"))
    }

    /// The period used until the DPO sets one: five years after closure for case files (the
    /// usual period for social services records), two years for people never followed, three
    /// years for ended consents (the limitation period for claims about them), six months for
    /// read notifications.
    pub fn default_days(self) -> i64 {
        match self {
            RecordType::ClosedCase => 1825,
            RecordType::PersonWithoutCase => 730,
            RecordType::EndedConsent => 1095,
            RecordType::ReadNotification => 180,
        }
    }

    pub fn disposal(self) -> Disposal {
        match self {
            RecordType::ClosedCase => Disposal::Anonymise,
            RecordType::PersonWithoutCase
            | RecordType::EndedConsent
            | RecordType::ReadNotification => Disposal::Delete,
        }
    }
}

/// A period in whole days, within [`MIN_DAYS`, `MAX_DAYS`].
pub fn parse_days(s: &str) -> Result<i64, &'static str> {
    match s.trim().parse::<i64>() {
        Ok(d) if (MIN_DAYS..=MAX_DAYS).contains(&d) => Ok(d),
        Ok(_) => Err("error-retention-days-range"),
        Err(_) => Err("error-retention-days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_default_in_range_and_a_stable_code() {
        for r in RecordType::ALL {
            assert!((MIN_DAYS..=MAX_DAYS).contains(&r.default_days()), "{r:?}");
            assert_eq!(RecordType::parse(r.code()), Ok(r));
        }
        assert_eq!(RecordType::ClosedCase.disposal(), Disposal::Anonymise);
        assert_eq!(RecordType::EndedConsent.disposal(), Disposal::Delete);
        assert_eq!(RecordType::parse("audit"), Err("error-record-type"));
    }

    #[test]
    fn periods_are_whole_days_within_bounds() {
        assert_eq!(parse_days(" 365 "), Ok(365));
        assert_eq!(parse_days("29"), Err("error-retention-days-range"));
        assert_eq!(parse_days("36501"), Err("error-retention-days-range"));
        assert_eq!(parse_days("1.5"), Err("error-retention-days"));
        assert_eq!(parse_days(""), Err("error-retention-days"));
    }
}
