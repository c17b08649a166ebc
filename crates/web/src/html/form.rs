//! The HTML form kit: a submitted form (`CsrfForm`) or upload (`CsrfUpload`), checked for its
//! CSRF token as it is read, the refusals a form shows beside its fields (a stale version among
//! them), the three-box dates, and path ids.

use super::HtmlError;
use crate::AppState;
use crate::error::ServiceError;
use crate::extract::Ctx;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use elkarlan_domain::FieldErrors;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A submitted form as name/value pairs: checkboxes repeat their name, which a struct cannot
/// take, and every field is optional so that the service, not the parser, decides.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

/// A submitted form whose CSRF token matched the session's (or the anonymous cookie's): the
/// only way a handler receives a form, so no handler can forget the check. `T` is the fields
/// as pairs, or a struct of them.
pub struct CsrfForm<T = Fields>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Form(pairs) =
            Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        let f = Fields(pairs);
        check_csrf(&ctx, &f.get("csrf")).map_err(IntoResponse::into_response)?;
        // The pairs again as the form's own type: encoding them back gives the body's meaning.
        serde_urlencoded::to_string(&f.0)
            .ok()
            .and_then(|body| serde_urlencoded::from_str(&body).ok())
            .map(CsrfForm)
            // Only a value of the wrong kind gets here (typed forms take text with defaults):
            // a translated page, as every other refusal.
            .ok_or_else(|| {
                HtmlError::new(ctx.page(), StatusCode::UNPROCESSABLE_ENTITY).into_response()
            })
    }
}

/// Rejects a form whose CSRF token does not match the session's (or the anonymous cookie's).
fn check_csrf(ctx: &Ctx, sent: &str) -> Result<(), HtmlError> {
    if !ctx.set_csrf_cookie && crate::auth::same(ctx.csrf.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(HtmlError::csrf(ctx.page()))
    }
}

/// A multipart upload, read only through [`CsrfUpload::read`], which checks its CSRF token:
/// the body stays unread until the handler has decided who may upload.
pub struct CsrfUpload {
    ctx: Ctx,
    form: Result<Multipart, MultipartRejection>,
}

/// An upload that passed its CSRF check: its text fields, and the part named `file`.
pub struct Upload {
    pub fields: Fields,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = Multipart::from_request(Request::from_parts(parts, body), state).await;
        Ok(Self { ctx, form })
    }
}

impl CsrfUpload {
    /// Reads the whole upload; a body that is not multipart, or a part that cannot be read, is
    /// a bad request, and a wrong token the CSRF refusal.
    pub(super) async fn read(self) -> Result<Upload, HtmlError> {
        let bad = || HtmlError::new(self.ctx.page(), StatusCode::BAD_REQUEST);
        let mut form = self.form.map_err(|_| bad())?;
        let mut up = Upload {
            fields: Fields::empty(),
            file_name: None,
            bytes: Vec::new(),
        };
        while let Some(field) = form.next_field().await.map_err(|_| bad())? {
            match field.name().map(str::to_owned) {
                Some(name) if name == "file" => {
                    up.file_name = field.file_name().map(str::to_owned);
                    up.bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
                }
                Some(name) => {
                    let value = field.text().await.map_err(|_| bad())?;
                    up.fields.0.push((name, value));
                }
                None => {}
            }
        }
        check_csrf(&self.ctx, &up.fields.get("csrf"))?;
        Ok(up)
    }
}

impl Fields {
    pub(super) fn empty() -> Self {
        Self(Vec::new())
    }

    /// Values to fill a form with, e.g. a record being edited.
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub(super) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub(super) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

pub(super) fn service_err(ctx: &Ctx) -> impl Fn(ServiceError) -> HtmlError + '_ {
    move |e| HtmlError::from_service(ctx, e)
}

/// The field errors of a refused input; anything else is an error page.
pub(super) fn field_errors(ctx: &Ctx, e: ServiceError) -> Result<FieldErrors, HtmlError> {
    match e {
        ServiceError::Invalid(errors) => Ok(errors),
        ServiceError::Conflict { field, key } => {
            let mut errors = FieldErrors::new();
            errors.add(field, key);
            Ok(errors)
        }
        other => Err(HtmlError::from_service(ctx, other)),
    }
}

/// Moves the error of a date field to its day box, where the error summary links.
pub(super) fn date_errors(
    mut errors: FieldErrors,
    field: &str,
    key: Option<&'static str>,
) -> FieldErrors {
    for e in &mut errors.0 {
        if e.field == field {
            e.field = format!("{field}-day");
            if let Some(k) = key {
                e.key = k;
            }
        }
    }
    errors
}

/// YYYY-MM-DD from the three boxes; empty when all are empty, unparseable when any is wrong.
pub(super) fn join_date(day: &str, month: &str, year: &str) -> String {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return String::new();
    }
    match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
        (Ok(d), Ok(m), Ok(y)) => format!("{y:04}-{m:02}-{d:02}"),
        _ => "invalid".to_owned(),
    }
}

pub(super) fn parse_path<T: std::str::FromStr>(ctx: &Ctx, raw: &str) -> Result<T, HtmlError> {
    raw.parse::<T>()
        .map_err(|_| HtmlError::new(ctx.page(), StatusCode::NOT_FOUND))
}

pub(super) fn date_value(f: &Fields, id: &str) -> String {
    join_date(
        &f.get(&format!("{id}-day")),
        &f.get(&format!("{id}-month")),
        &f.get(&format!("{id}-year")),
    )
}

/// Form values for a stored YYYY-MM-DD date, split into the three boxes.
pub(super) fn date_pairs(id: &str, value: &str, out: &mut Vec<(String, String)>) {
    let mut parts = value.splitn(3, '-');
    if let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) {
        out.push((format!("{id}-day"), d.trim_start_matches('0').to_owned()));
        out.push((format!("{id}-month"), m.trim_start_matches('0').to_owned()));
        out.push((format!("{id}-year"), y.to_owned()));
    }
}

/// Moves errors of date fields to their day box, where the summary links; errors of fields
/// without a box of their own go to `fallback`.
pub(super) fn place_errors(
    errors: FieldErrors,
    dates: &[&str],
    known: &[&str],
    fallback: &str,
) -> FieldErrors {
    let mut out = FieldErrors::new();
    for e in errors.0 {
        let field = if dates.contains(&e.field.as_str()) {
            format!("{}-day", e.field)
        } else if known.contains(&e.field.as_str()) || fallback.is_empty() {
            e.field.clone()
        } else {
            fallback.to_owned()
        };
        out.add(&field, e.key);
    }
    out
}

/// The field errors of a refused form; a stale version becomes the standard message on
/// `stale_field`; anything else is an error page.
pub(super) fn form_errors(
    ctx: &Ctx,
    e: ServiceError,
    stale_field: &str,
) -> Result<(FieldErrors, StatusCode), HtmlError> {
    match e {
        ServiceError::Stale => {
            let mut errors = FieldErrors::new();
            errors.add(stale_field, "error-record-changed");
            Ok((errors, StatusCode::CONFLICT))
        }
        other => Ok((field_errors(ctx, other)?, StatusCode::UNPROCESSABLE_ENTITY)),
    }
}
