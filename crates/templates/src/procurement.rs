//! View models of the procurement pages: one page shape (facts, warnings, links, an optional
//! filter form and titled tables whose cells may link) serves the contracts list, a contract,
//! a clause, the targets and the ecosystem's figures. Forms use [`crate::FormPage`].

use crate::{FormField, PageCtx};
use askama::Template;

/// A table cell: text, and where it links to when `href` is not empty.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub text: String,
    pub href: String,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: String::new(),
        }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: href.into(),
        }
    }
}

/// A titled table; `empty` is shown instead when it has no rows.
#[derive(Clone, Debug, Default)]
pub struct Section {
    pub title: String,
    pub id: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "procurement/page.html")]
pub struct ProcurementPage {
    pub ctx: PageCtx,
    pub title: String,
    pub caption: String,
    pub back: String,
    pub intro: String,
    /// Shown prominently (a failed compliance check with a penalty, a share below target).
    pub warnings: Vec<String>,
    pub facts: Vec<(String, String)>,
    /// (address, text, element id)
    pub links: Vec<(String, String, &'static str)>,
    /// A GET form above the tables (filters, the year); empty for none.
    pub filters: Vec<FormField>,
    pub filter_submit: String,
    pub sections: Vec<Section>,
    /// (address, text) of downloads under the tables.
    pub downloads: Vec<(String, String)>,
    /// A file upload form: (action, file label, submit text); empty action for none.
    pub upload: (String, String, String),
}
