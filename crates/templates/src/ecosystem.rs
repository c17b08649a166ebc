//! View models of the ecosystem pages: the directory of organisations, an organisation, the
//! pole's activities and entrepreneurship projects. One page layout serves them all: a filter
//! form, facts, links to act and tables; every string arrives translated and formatted.

use crate::{FormField, PageCtx};
use askama::Template;

/// A table cell: text, linked when `href` is not empty.
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
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "ecosystem/page.html")]
pub struct EcoPage {
    pub ctx: PageCtx,
    pub title: String,
    pub caption: String,
    pub back: String,
    pub intro: String,
    /// (address, translated text, element id)
    pub links: Vec<(String, String, &'static str)>,
    /// Fields of a GET filter form (selects and text boxes); none shows no form.
    pub filters: Vec<FormField>,
    pub filter_action: String,
    /// A highlighted statement, e.g. the reserved-contract eligibility.
    pub highlight: String,
    pub facts: Vec<(String, String)>,
    pub tables: Vec<Table>,
    /// (address, text) of downloads.
    pub downloads: Vec<(String, String)>,
}
