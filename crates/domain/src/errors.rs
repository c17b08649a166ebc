//! Per-field validation errors. Values are message keys in the locale files, never sentences,
//! so the same error is shown in the reader's language on a page and in problem+json.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field id: the same in the HTML form and the JSON body.
    pub field: String,
    /// A key in `locales/*/main.ftl`, e.g. `error-username-format`.
    pub key: &'static str,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, key: &'static str) {
        // One message per field: the first problem found is the one to fix first.
        if !self.has(field) {
            self.0.push(FieldError {
                field: field.to_owned(),
                key,
            });
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.key)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Collects the result of a parse into the list, returning the value when it parsed.
    pub fn take<T>(&mut self, field: &str, r: Result<T, &'static str>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(key) => {
                self.add(field, key);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
