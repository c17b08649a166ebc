//! Page templates (askama, checked at compile time, HTML auto-escaped) and their view models.
//!
//! Every page struct holds a [`PageCtx`]: the reader's language, the signed-in person's
//! navigation, the CSRF token for forms and any errors to summarise. Text comes from the Fluent
//! files in `locales/{eu,es,en}` through [`PageCtx::t`]; templates hold no sentences.

pub mod agreements;
pub mod charts;
pub mod dashboards;
pub mod ecosystem;
pub mod employment;
pub mod i18n;
pub mod pages;
pub mod procurement;
pub mod projects;
pub mod referral_import;
pub mod reports;

pub use askama::Template;
pub use i18n::{t, t_args};
pub use pages::*;

use elkarlan_domain::Lang;

/// A link in the main navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label_key: &'static str,
    pub current: bool,
}

/// An error shown in the error summary and beside its field.
#[derive(Clone, Debug)]
pub struct ShownError {
    /// The id of the field (the summary links to `#field`).
    pub field: String,
    pub message: String,
}

/// An option of a `<select>`.
#[derive(Clone, Debug)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What every page needs besides its own content.
#[derive(Clone, Debug, Default)]
pub struct PageCtx {
    pub lang: Lang,
    /// The path of this page, where the language switch returns to.
    pub path: String,
    pub csrf: String,
    /// The signed-in person's name, when someone is signed in.
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub errors: Vec<ShownError>,
    /// A success message (already translated) shown in a notification banner.
    pub notice: Option<String>,
}

impl PageCtx {
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    pub fn t_with(&self, key: &str, name: &str, value: &str) -> String {
        t_args(self.lang, key, &[(name, value)])
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn langs(&self) -> [Lang; 3] {
        Lang::ALL
    }

    pub fn is_current(&self, lang: &Lang) -> bool {
        *lang == self.lang
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The message for one field, if it has an error.
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }

    /// Adds translated field errors from domain message keys.
    pub fn with_errors(mut self, errors: &elkarlan_domain::FieldErrors) -> Self {
        for e in &errors.0 {
            self.errors.push(ShownError {
                field: e.field.clone(),
                message: self.t(e.key),
            });
        }
        self
    }

    /// Adds one error not tied to a field (linked to the first field of the form).
    pub fn with_form_error(mut self, field: &str, key: &str) -> Self {
        self.errors.push(ShownError {
            field: field.to_owned(),
            message: self.t(key),
        });
        self
    }
}
