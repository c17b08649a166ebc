//! Builders of the common form fields, for pages whose forms are data (`FormPage`), and of the
//! form page itself. A hint key may be empty: the field then has no hint.

use elkarlan_domain::Lang;
use elkarlan_templates::{Choice, FormField, FormPage, PageCtx, SelectOption, t};

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

pub(super) fn option(value: &str, label: String, selected: &str) -> SelectOption {
    SelectOption {
        value: value.to_owned(),
        label,
        selected: value == selected,
    }
}

pub(super) fn choice(value: &str, label: String, checked: bool) -> Choice {
    Choice {
        value: value.to_owned(),
        label,
        checked,
        hint: String::new(),
    }
}

pub(super) fn date_field(lang: Lang, id: &str, legend_key: &str, f: &Fields) -> FormField {
    FormField::Date {
        id: id.to_owned(),
        legend: t(lang, legend_key),
        hint: t(lang, "emp-date-hint"),
        day: f.get(&format!("{id}-day")),
        month: f.get(&format!("{id}-month")),
        year: f.get(&format!("{id}-year")),
    }
}

pub(super) fn code_options<T: Copy>(
    lang: Lang,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
    chosen: &str,
    empty: Option<&str>,
) -> Vec<SelectOption> {
    let mut out = Vec::new();
    if let Some(k) = empty {
        out.push(option("", t(lang, k), chosen));
    }
    out.extend(
        all.iter()
            .map(|x| option(code(*x), t(lang, &key(*x)), chosen)),
    );
    out
}

#[allow(clippy::too_many_arguments)] // every part of a form page, named at the call site
pub(super) fn form(
    page: PageCtx,
    lang: Lang,
    title_key: &str,
    caption: String,
    back: String,
    action: String,
    form_id: &'static str,
    hidden: Vec<(String, String)>,
    fields: Vec<FormField>,
    submit_key: &str,
) -> FormPage {
    FormPage {
        ctx: page,
        title: t(lang, title_key),
        caption,
        intro: String::new(),
        back,
        action,
        form_id,
        hidden,
        fields,
        submit_id: "submit",
        submit: t(lang, submit_key),
    }
}
