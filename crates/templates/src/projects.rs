//! View models of the strategic projects pages. Every string arrives translated and formatted.

use crate::PageCtx;
use askama::Template;

#[derive(Clone, Debug)]
pub struct ProjectRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub status: String,
    pub years: String,
    pub planned: String,
    pub executed: String,
    pub overspent: bool,
}

#[derive(Template)]
#[template(path = "projects/list.html")]
pub struct ProjectsPage {
    pub ctx: PageCtx,
    pub rows: Vec<ProjectRow>,
    pub can_manage: bool,
}

#[derive(Clone, Debug)]
pub struct BudgetRow {
    pub year: i32,
    pub planned: String,
    pub executed: String,
    pub overspent: bool,
}

#[derive(Clone, Debug)]
pub struct MilestoneRow {
    pub title: String,
    pub due_on: String,
    pub done_on: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "projects/project.html")]
pub struct ProjectPage {
    pub ctx: PageCtx,
    pub id: String,
    pub code: String,
    pub title: String,
    pub status: String,
    pub facts: Vec<(String, String)>,
    pub budget: Vec<BudgetRow>,
    pub total_planned: String,
    pub total_executed: String,
    /// (kind, name, page)
    pub links: Vec<(String, String, String)>,
    pub milestones: Vec<MilestoneRow>,
    /// (code, name) of the indicators the project is judged by.
    pub indicators: Vec<(String, String)>,
    pub none: String,
    pub can_manage: bool,
}

#[cfg(test)]
mod tests {
    use elkarlan_domain::Lang;

    #[test]
    fn every_key_used_in_project_templates_exists() {
        let sources = [
            include_str!("../templates/projects/list.html"),
            include_str!("../templates/projects/project.html"),
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
