//! View models of the indicator catalogue, the city and neighbourhood dashboards and the public
//! neighbourhood pages. Every string arrives translated and formatted; charts arrive as SVG
//! drawn by `charts::bar_chart` (escaped there), always next to a table with the same numbers.

use crate::{PageCtx, SelectOption};
use askama::Template;

/// A table cell: its text and, when it links somewhere, the address.
#[derive(Clone, Debug)]
pub struct LinkCell {
    pub text: String,
    pub href: Option<String>,
}

impl LinkCell {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: Some(href.into()),
        }
    }
}

/// A page with one table of links: the catalogue and the lists of neighbourhoods.
#[derive(Template)]
#[template(path = "dashboards/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: String,
    pub back: String,
    pub table_id: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<LinkCell>>,
    pub empty: String,
}

/// One group of a breakdown, as shown in the table.
#[derive(Clone, Debug)]
pub struct GroupRow {
    pub group: String,
    pub value: String,
    pub hidden: bool,
}

/// One indicator on a dashboard.
#[derive(Clone, Debug)]
pub struct IndicatorBlock {
    pub code: String,
    pub name: String,
    pub href: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    pub actual: String,
    pub actual_hidden: bool,
    /// The SVG chart of the groups; empty without a breakdown.
    pub chart: String,
    pub caption: String,
    pub rows: Vec<GroupRow>,
}

/// A strategic project that includes the neighbourhood (public page).
#[derive(Clone, Debug)]
pub struct ProjectCard {
    pub name: String,
    pub status: String,
    pub objectives: String,
}

/// A city, neighbourhood, indicator or public neighbourhood dashboard.
#[derive(Template)]
#[template(path = "dashboards/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: String,
    pub back: String,
    /// Related pages: (address, label).
    pub related: Vec<(String, String)>,
    /// Where the form sends its query.
    pub action: String,
    /// The grid periods offered (custom dates are not: they could be differenced).
    pub periods: Vec<SelectOption>,
    pub breakdowns: Vec<SelectOption>,
    /// The period shown, in words; empty when the query was refused.
    pub period_label: String,
    pub computed_at: String,
    /// The period has no published results (public pages never compute).
    pub not_published: bool,
    /// (address, label) of each download.
    pub exports: Vec<(String, String)>,
    /// Facts about the definition (indicator page): (term, description).
    pub facts: Vec<(String, String)>,
    /// Conditions of the numerator and denominator, in words (indicator page).
    pub numerator_filters: Vec<String>,
    pub denominator_filters: Vec<String>,
    pub projects: Vec<ProjectCard>,
    pub show_projects: bool,
    pub blocks: Vec<IndicatorBlock>,
    pub breakdown: String,
}

#[cfg(test)]
mod tests {
    use elkarlan_domain::Lang;

    #[test]
    fn every_key_used_in_dashboard_templates_exists() {
        let sources = [
            include_str!("../templates/dashboards/list.html"),
            include_str!("../templates/dashboards/dashboard.html"),
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
