//! Builders of the common form fields, for pages whose forms are data (`FormPage`). A hint key
//! may be empty: the field then has no hint.

use elkarlan_domain::Lang;
use elkarlan_templates::{FormField, SelectOption, t};

use super::form::Fields;

pub(super) fn select(
    lang: Lang,
    id: &str,
    label_key: &str,
    options: Vec<SelectOption>,
) -> FormField {
    FormField::Select {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: String::new(),
        options,
    }
}

fn hint_of(lang: Lang, key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        t(lang, key)
    }
}

pub(super) fn text(lang: Lang, id: &str, label_key: &str, hint_key: &str, f: &Fields) -> FormField {
    FormField::Text {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: hint_of(lang, hint_key),
        value: f.get(id),
        width: "",
    }
}

pub(super) fn narrow(
    lang: Lang,
    id: &str,
    label_key: &str,
    hint_key: &str,
    f: &Fields,
) -> FormField {
    FormField::Text {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: hint_of(lang, hint_key),
        value: f.get(id),
        width: "govuk-input--width-10",
    }
}

pub(super) fn textarea(
    lang: Lang,
    id: &str,
    label_key: &str,
    hint_key: &str,
    f: &Fields,
) -> FormField {
    FormField::Textarea {
        id: id.to_owned(),
        label: t(lang, label_key),
        hint: hint_of(lang, hint_key),
        value: f.get(id),
    }
}
