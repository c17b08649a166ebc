//! View models of the agreements pages. Every string arrives translated and formatted.

use crate::{PageCtx, SelectOption};
use askama::Template;

#[derive(Clone, Debug)]
pub struct AgreementRow {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub parties: String,
    pub ends_on: String,
    /// Active and within its renewal notice: highlighted.
    pub expiring: bool,
}

#[derive(Template)]
#[template(path = "agreements/list.html")]
pub struct AgreementsPage {
    pub ctx: PageCtx,
    pub rows: Vec<AgreementRow>,
    pub statuses: Vec<SelectOption>,
    pub kinds: Vec<SelectOption>,
    pub neighbourhoods: Vec<SelectOption>,
    /// The filter query, for the export links.
    pub query: String,
}

/// A commitment with its progress as a bar and as text.
#[derive(Clone, Debug)]
pub struct CommitmentRow {
    pub id: String,
    pub description: String,
    pub organisation: String,
    pub kind: String,
    pub due_on: String,
    pub status: String,
    pub achieved: i64,
    pub target: i64,
    pub percent: i64,
    /// "3 of 5 people hired (60 %)".
    pub progress_text: String,
    pub standing: String,
    /// `on_track`, `at_risk` or `late`, for the tag's colour.
    pub standing_code: &'static str,
}

/// A button that moves the agreement: (target status code, button text, element id).
pub type MoveButton = (String, String, String);

#[derive(Template)]
#[template(path = "agreements/agreement.html")]
pub struct AgreementPage {
    pub ctx: PageCtx,
    pub id: String,
    pub title: String,
    pub status: String,
    pub expiring: bool,
    pub facts: Vec<(String, String)>,
    /// (organisation, role)
    pub parties: Vec<(String, String)>,
    /// (title, date, reference)
    pub documents: Vec<(String, String, String)>,
    pub commitments: Vec<CommitmentRow>,
    pub version: i64,
    pub moves: Vec<MoveButton>,
    /// Signing asks for the date signed.
    pub can_sign: bool,
    pub can_renew: bool,
    pub can_edit: bool,
    pub today: String,
}

#[cfg(test)]
mod tests {
    use elkarlan_domain::Lang;

    #[test]
    fn every_key_used_in_agreement_templates_exists() {
        let sources = [
            include_str!("../templates/agreements/list.html"),
            include_str!("../templates/agreements/agreement.html"),
        ];
        for src in sources {
            for (i, _) in src.match_indices("t(\"") {
                let key: String = src[i + 3..].chars().take_while(|c| *c != '"').collect();
                for lang in Lang::ALL {
                    assert!(crate::i18n::has(lang, &key), "key {key} missing in {lang}");
                }
            }
        }
    }
}
