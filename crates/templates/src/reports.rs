//! View models of the project dashboard and the annual reports. Every string arrives
//! translated and formatted; charts arrive as SVG (see `charts`), each beside a table with the
//! same numbers.

use crate::PageCtx;
use askama::Template;

/// A table with a caption: column headers, then rows whose first cell is the row header.
#[derive(Clone, Debug, Default)]
pub struct ReportTable {
    pub id: String,
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart and its table.
#[derive(Clone, Debug)]
pub struct ReportFigure {
    pub title: String,
    pub chart: String,
    pub table: ReportTable,
}

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageCtx,
    pub id: String,
    pub code: String,
    pub title: String,
    /// The period as sent.
    pub period: String,
    /// "From … to …", empty when the period is not valid.
    pub shown: String,
    pub year: String,
    /// The period's query string, for the export links.
    pub query: String,
    pub indicators: Vec<ReportFigure>,
    pub budget: Option<ReportFigure>,
    pub milestones: ReportTable,
    pub can_manage: bool,
}

/// One project in an annual report.
#[derive(Clone, Debug)]
pub struct ReportProject {
    pub id: String,
    pub code: String,
    pub name: String,
    pub facts: Vec<(String, String)>,
    pub milestones: ReportTable,
    pub indicators: ReportTable,
}

#[derive(Template)]
#[template(path = "reports/annual.html")]
pub struct AnnualPage {
    pub ctx: PageCtx,
    pub title: String,
    /// The form's address (this page).
    pub action: String,
    pub back: String,
    pub year: String,
    pub projects: Vec<ReportProject>,
    /// The area's catalogue totals (the area report only).
    pub totals: Option<ReportTable>,
}

#[cfg(test)]
mod tests {
    use elkarlan_domain::Lang;

    #[test]
    fn every_key_used_in_report_templates_exists() {
        let sources = [
            include_str!("../templates/reports/dashboard.html"),
            include_str!("../templates/reports/annual.html"),
            include_str!("../templates/reports/table.html"),
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
