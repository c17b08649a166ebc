//! Casework commands as received and as parsed: notes, plan actions and their status. Checks
//! that need stored data (an agency or goal that exists, the instrument's domains) stay in the
//! service; everything a command says on its own is checked here.

use crate::errors::FieldErrors;
use serde::Deserialize;

/// The longest free text kept in casework (notes, minutes, descriptions, summaries).
const MAX_TEXT: usize = 5000;

/// Trimmed free text: required, and at most `MAX_TEXT` characters.
fn text(e: &mut FieldErrors, field: &str, value: &str, required: &'static str) -> String {
    let t = value.trim();
    if t.is_empty() {
        e.add(field, required);
    } else if t.chars().count() > MAX_TEXT {
        e.add(field, "error-text-too-long");
    }
    t.to_owned()
}

/// Who may read a note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteConfidentiality {
    /// The whole team.
    Team,
    /// The author's agency.
    Agency,
    /// Only the author.
    Author,
}

impl NoteConfidentiality {
    pub fn code(self) -> &'static str {
        match self {
            NoteConfidentiality::Team => "team",
            NoteConfidentiality::Agency => "agency",
            NoteConfidentiality::Author => "author",
        }
    }

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        match s.trim() {
            "team" => Ok(NoteConfidentiality::Team),
            "agency" => Ok(NoteConfidentiality::Agency),
            "author" => Ok(NoteConfidentiality::Author),
            _ => Err("error-confidentiality"),
        }
    }
}

/// A case note as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct NoteInput {
    pub body: String,
    /// team (the whole team), agency (the author's agency) or author (only the author).
    pub confidentiality: String,
}

/// A case note, every field valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteDraft {
    pub body: String,
    pub confidentiality: NoteConfidentiality,
}

impl NoteInput {
    /// Parses every field, collecting every error.
    pub fn parse(&self) -> Result<NoteDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let body = text(&mut e, "body", &self.body, "error-note-required");
        let confidentiality = e.take(
            "confidentiality",
            NoteConfidentiality::parse(&self.confidentiality),
        );
        e.into_result()?;
        let Some(confidentiality) = confidentiality else {
            return Err(FieldErrors::new());
        };
        Ok(NoteDraft {
            body,
            confidentiality,
        })
    }
}

#[cfg(test)]
mod note_tests {
    use super::*;

    fn valid() -> NoteInput {
        NoteInput {
            body: " Llamada con la familia ".into(),
            confidentiality: "agency".into(),
        }
    }

    #[test]
    fn a_valid_note_parses() {
        assert_eq!(
            valid().parse(),
            Ok(NoteDraft {
                body: "Llamada con la familia".into(),
                confidentiality: NoteConfidentiality::Agency,
            })
        );
    }

    #[test]
    fn each_refusal_names_its_field_and_message() {
        for (input, field, key) in [
            (
                NoteInput {
                    body: "  ".into(),
                    ..valid()
                },
                "body",
                "error-note-required",
            ),
            (
                NoteInput {
                    body: "x".repeat(5001),
                    ..valid()
                },
                "body",
                "error-text-too-long",
            ),
            (
                NoteInput {
                    confidentiality: "public".into(),
                    ..valid()
                },
                "confidentiality",
                "error-confidentiality",
            ),
        ] {
            let errors = input.parse().err().unwrap_or_default();
            assert_eq!(errors.get(field), Some(key), "{field}");
            assert_eq!(errors.0.len(), 1, "{field}: {errors:?}");
        }
    }
}

/// Where a plan action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionStatus {
    Pending,
    InProgress,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Pending => "pending",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    /// The code exactly as stored, untrimmed: a status is chosen from a list, never typed.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        match s {
            "pending" => Ok(ActionStatus::Pending),
            "in_progress" => Ok(ActionStatus::InProgress),
            "done" => Ok(ActionStatus::Done),
            "cancelled" => Ok(ActionStatus::Cancelled),
            _ => Err("error-action-status"),
        }
    }
}

/// A change of a plan action's status as received.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ActionStatusInput {
    /// pending, in_progress, done or cancelled.
    pub status: String,
    pub version: i64,
}

/// A change of a plan action's status, every field valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionStatusDraft {
    pub status: ActionStatus,
    /// The version the change was made on.
    pub version: i64,
}

impl ActionStatusInput {
    pub fn parse(&self) -> Result<ActionStatusDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let Some(status) = e.take("status", ActionStatus::parse(&self.status)) else {
            return Err(e);
        };
        Ok(ActionStatusDraft {
            status,
            version: self.version,
        })
    }
}

#[cfg(test)]
mod action_status_tests {
    use super::*;

    #[test]
    fn every_status_parses_and_keeps_its_version() {
        for status in [
            ActionStatus::Pending,
            ActionStatus::InProgress,
            ActionStatus::Done,
            ActionStatus::Cancelled,
        ] {
            let input = ActionStatusInput {
                status: status.code().into(),
                version: 3,
            };
            assert_eq!(input.parse(), Ok(ActionStatusDraft { status, version: 3 }));
        }
    }

    #[test]
    fn an_unknown_status_is_refused_on_its_field() {
        for status in ["", "finished", " done"] {
            let input = ActionStatusInput {
                status: status.into(),
                version: 1,
            };
            let errors = input.parse().err().unwrap_or_default();
            assert_eq!(
                errors.get("status"),
                Some("error-action-status"),
                "{status:?}"
            );
            assert_eq!(errors.0.len(), 1);
        }
    }
}
