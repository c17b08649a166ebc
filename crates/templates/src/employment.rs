//! View models of the employment pages: programmes, training actions, rosters, a person's
//! employment file and the follow-ups due. Every string arrives translated and formatted.

use crate::{Choice, PageCtx, SelectOption};
use askama::Template;

/// A link shown in a list of things to do on a page: (address, translated text, element id).
pub type Link = (String, String, &'static str);

#[derive(Clone, Debug)]
pub struct ProgrammeRow {
    pub id: String,
    pub name: String,
    pub year: String,
    pub status: String,
    pub places: String,
    pub funding: String,
}

#[derive(Template)]
#[template(path = "employment/programmes.html")]
pub struct ProgrammesPage {
    pub ctx: PageCtx,
    pub rows: Vec<ProgrammeRow>,
    pub can_create: bool,
}

/// A training action in a programme's table.
#[derive(Clone, Debug)]
pub struct ActionSummaryRow {
    pub id: String,
    pub title: String,
    pub provider: String,
    pub dates: String,
    pub places: String,
    pub status: String,
}

/// One eligibility rule as a sentence; alternatives of an "any of" rule are indented.
#[derive(Clone, Debug)]
pub struct RuleLine {
    pub text: String,
    pub nested: bool,
}

#[derive(Template)]
#[template(path = "employment/programme.html")]
pub struct ProgrammePage {
    pub ctx: PageCtx,
    pub id: String,
    pub name: String,
    /// (label, value) facts: promoter, partners, neighbourhoods, target groups, dates, places.
    pub facts: Vec<(String, String)>,
    /// (funder, amount in euros)
    pub funding: Vec<(String, String)>,
    pub funding_total: String,
    pub rules: Vec<RuleLine>,
    /// (template name, its steps in order)
    pub templates: Vec<(String, Vec<String>)>,
    pub actions: Vec<ActionSummaryRow>,
    pub links: Vec<Link>,
}

#[derive(Template)]
#[template(path = "employment/action.html")]
pub struct TrainingActionPage {
    pub ctx: PageCtx,
    pub programme_id: String,
    pub programme: String,
    pub title: String,
    pub facts: Vec<(String, String)>,
    /// (number, date, hours)
    pub sessions: Vec<(String, String, String)>,
    pub links: Vec<Link>,
}

#[derive(Clone, Debug)]
pub struct RosterRow {
    pub enrolment: String,
    pub name: String,
    pub status: String,
    pub attendance: String,
    pub certificate: String,
    /// Still enrolled: attendance may be recorded and the enrolment closed.
    pub open: bool,
}

/// One person's radio group on the attendance form, named `mark-<enrolment id>`.
#[derive(Clone, Debug)]
pub struct MarkGroup {
    pub id: String,
    pub legend: String,
    pub options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "employment/roster.html")]
pub struct RosterPage {
    pub ctx: PageCtx,
    pub action_id: String,
    pub title: String,
    pub rows: Vec<RosterRow>,
    pub sessions: Vec<SelectOption>,
    pub marks: Vec<MarkGroup>,
}

/// An eligibility reason: the sentence, whether it holds (translated), and alternatives.
#[derive(Clone, Debug)]
pub struct ReasonRow {
    pub text: String,
    pub met: String,
    pub alternatives: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct SuggestionRow {
    pub programme_id: String,
    /// The programme's or the course's page.
    pub href: String,
    pub programme: String,
    pub outcome: String,
    pub reasons: Vec<ReasonRow>,
}

#[derive(Clone, Debug)]
pub struct StepRow {
    pub id: String,
    pub position: String,
    pub kind: String,
    pub status: String,
    pub dates: String,
    pub version: i64,
    pub statuses: Vec<SelectOption>,
}

#[derive(Clone, Debug)]
pub struct ItineraryRow {
    pub id: String,
    pub programme: String,
    pub status: String,
    pub opened: String,
    pub active: bool,
    pub steps: Vec<StepRow>,
}

#[derive(Clone, Debug)]
pub struct EnrolmentRow {
    pub action_id: String,
    pub course: String,
    pub status: String,
    pub attendance: String,
    pub certificate: String,
}

#[derive(Clone, Debug)]
pub struct FollowUpRow {
    pub label: String,
    pub due: String,
    pub status: String,
    /// The form to record it, while it is not recorded.
    pub link: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PlacementRow {
    pub employer: String,
    pub facts: Vec<(String, String)>,
    pub follow_ups: Vec<FollowUpRow>,
}

#[derive(Template)]
#[template(path = "employment/file.html")]
pub struct EmploymentFilePage {
    pub ctx: PageCtx,
    pub person_id: String,
    pub name: String,
    pub profile: Vec<(String, String)>,
    pub suggestions: Vec<SuggestionRow>,
    /// Open courses of those programmes with rules of their own, evaluated the same way.
    pub course_suggestions: Vec<SuggestionRow>,
    pub itineraries: Vec<ItineraryRow>,
    pub enrolments: Vec<EnrolmentRow>,
    pub placements: Vec<PlacementRow>,
    pub can_manage: bool,
}

#[derive(Clone, Debug)]
pub struct DueRow {
    pub person_id: String,
    pub name: String,
    pub employer: String,
    pub label: String,
    pub due: String,
    pub overdue: bool,
    pub link: String,
}

#[derive(Template)]
#[template(path = "employment/follow_ups.html")]
pub struct FollowUpsPage {
    pub ctx: PageCtx,
    pub rows: Vec<DueRow>,
}

#[cfg(test)]
mod tests {
    use elkarlan_domain::Lang;

    #[test]
    fn every_key_used_in_employment_templates_exists() {
        let sources = [
            include_str!("../templates/employment/programmes.html"),
            include_str!("../templates/employment/programme.html"),
            include_str!("../templates/employment/action.html"),
            include_str!("../templates/employment/roster.html"),
            include_str!("../templates/employment/file.html"),
            include_str!("../templates/employment/follow_ups.html"),
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
