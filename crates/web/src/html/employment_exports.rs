//! Every employment list as a CSV or XLSX download, with translated column names. Cells that
//! a spreadsheet would run as a formula are neutralised by `elkarlan-tabular`. Lists with
//! personal data go through the same services as their pages, so they are authorized and
//! audited the same way.

use super::HtmlError;
use super::form::parse_path;
use crate::AppState;
use crate::html::{Ctx, SignedIn};
use crate::routes::RouteBook;
use crate::services::employment as svc;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use elkarlan_domain::employment::esco::EscoOccupation;
use elkarlan_domain::employment::placement::format_weekly_hours;
use elkarlan_domain::employment::programme::format_euros;
use elkarlan_domain::{Lang, PersonId, ProgrammeId, TrainingActionId};
use elkarlan_templates::i18n::t;

pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/exports/programmes/{format}", get(programmes))
        .add(
            "GET",
            "/exports/programmes/{id}/actions/{format}",
            get(actions),
        )
        .add(
            "GET",
            "/exports/programmes/{id}/referrals/{format}",
            get(referrals),
        )
        .add(
            "GET",
            "/exports/training-actions/{id}/roster/{format}",
            get(roster),
        )
        .add(
            "GET",
            "/exports/people/{id}/enrolments/{format}",
            get(enrolments),
        )
        .add(
            "GET",
            "/exports/people/{id}/placements/{format}",
            get(placements),
        )
        .add("GET", "/exports/follow-ups/{format}", get(follow_ups))
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

fn format(ctx: &Ctx, raw: &str) -> Result<Format, HtmlError> {
    match raw {
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        _ => Err(HtmlError::new(ctx.page(), StatusCode::NOT_FOUND)),
    }
}

/// The file, named after the list and today's date.
fn download(
    ctx: &Ctx,
    f: Format,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, HtmlError> {
    let headers: Vec<String> = headers.iter().map(|k| t(ctx.lang, k)).collect();
    let day = svc::today();
    let (bytes, mime, ext) = match f {
        Format::Csv => (
            elkarlan_tabular::write_csv(&headers, rows),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            elkarlan_tabular::write_xlsx(name, &headers, rows)
                .map_err(|_| HtmlError::new(ctx.page(), StatusCode::INTERNAL_SERVER_ERROR))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}-{day}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

fn label(lang: Lang, key: &str) -> String {
    t(lang, key)
}

fn occupation(lang: Lang, code: &str) -> String {
    EscoOccupation::parse(code).map_or_else(
        |_| code.to_owned(),
        |o| format!("{code} {}", o.occupation().label(lang)),
    )
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn yes_no(lang: Lang, v: Option<bool>) -> String {
    match v {
        Some(true) => t(lang, "export-yes"),
        Some(false) => t(lang, "export-no"),
        None => String::new(),
    }
}

async fn programmes(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(f): Path<String>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let list = svc::list_programmes(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let l = ctx.lang;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            vec![
                p.name_eu.clone(),
                p.name_es.clone(),
                p.year.to_string(),
                label(l, &p.status.label_key()),
                p.places.to_string(),
                p.starts_on.clone(),
                p.ends_on.clone(),
                p.target_groups
                    .iter()
                    .map(|g| label(l, &g.label_key()))
                    .collect::<Vec<_>>()
                    .join(", "),
                format_euros(p.funding_total_cents()),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "programmes",
        &[
            "export-name-eu",
            "export-name-es",
            "export-year",
            "export-status",
            "export-places",
            "export-starts-on",
            "export-ends-on",
            "export-target-groups",
            "export-funding-eur",
        ],
        &rows,
    )
}

async fn actions(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, f)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let d = svc::programme(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let l = ctx.lang;
    let rows: Vec<Vec<String>> = d
        .actions
        .iter()
        .map(|a| {
            vec![
                a.title(l).to_owned(),
                label(l, &a.status.label_key()),
                a.hours.to_string(),
                a.places.to_string(),
                a.enrolled.to_string(),
                a.location.clone(),
                occupation(l, &a.esco_code),
                opt(&a.certificate),
                a.starts_on.clone(),
                a.ends_on.clone(),
                format!("{} {}–{}", a.weekdays.join(","), a.time_from, a.time_to),
                a.sessions.to_string(),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "training-actions",
        &[
            "export-title",
            "export-status",
            "export-hours",
            "export-places",
            "export-enrolled",
            "export-location",
            "export-occupation",
            "export-certificate",
            "export-starts-on",
            "export-ends-on",
            "export-schedule",
            "export-sessions",
        ],
        &rows,
    )
}

async fn referrals(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, f)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let id: ProgrammeId = parse_path(&ctx, &raw)?;
    let list = svc::received_referrals(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.reference.clone(),
                r.referred_on.clone(),
                r.given_name.clone(),
                r.surname1.clone(),
                opt(&r.surname2),
                yes_no(ctx.lang, Some(r.itinerary.is_some())),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "referrals",
        &[
            "export-reference",
            "export-referred-on",
            "export-given-name",
            "export-surname1",
            "export-surname2",
            "export-has-itinerary",
        ],
        &rows,
    )
}

async fn roster(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, f)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let id: TrainingActionId = parse_path(&ctx, &raw)?;
    let r = svc::roster(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let l = ctx.lang;
    let mut headers: Vec<String> = [
        "export-given-name",
        "export-surname1",
        "export-surname2",
        "export-status",
        "export-present",
        "export-absent",
        "export-excused",
        "export-certificate",
        "export-dropout-reason",
    ]
    .iter()
    .map(|k| (*k).to_owned())
    .collect();
    // One column per session, headed by its date; the keys above are translated by `download`.
    headers.extend(r.sessions.iter().map(|s| s.held_on.clone()));
    let rows: Vec<Vec<String>> = r
        .lines
        .iter()
        .map(|line| {
            let e = &line.enrolment;
            let mut row = vec![
                line.given_name.clone(),
                line.surname1.clone(),
                opt(&line.surname2),
                label(l, &e.status.label_key()),
                e.present.to_string(),
                e.absent.to_string(),
                e.excused.to_string(),
                opt(&e.certificate),
                e.dropout_reason
                    .as_deref()
                    .map(|d| label(l, &format!("dropout-reason-{}", d.replace('_', "-"))))
                    .unwrap_or_default(),
            ];
            row.extend(r.sessions.iter().map(|s| {
                r.marks
                    .iter()
                    .find(|(en, n, _)| *en == e.id && *n == s.number)
                    .map(|(_, _, m)| label(l, &m.label_key()))
                    .unwrap_or_default()
            }));
            row
        })
        .collect();
    let keys: Vec<&str> = headers.iter().map(String::as_str).collect();
    download(&ctx, f, "roster", &keys, &rows)
}

async fn enrolments(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, f)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = svc::employment_file(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let l = ctx.lang;
    let rows: Vec<Vec<String>> = file
        .enrolments
        .iter()
        .map(|(e, a)| {
            vec![
                a.title(l).to_owned(),
                label(l, &e.status.label_key()),
                e.enrolled_on.clone(),
                opt(&e.closed_on),
                e.present.to_string(),
                e.absent.to_string(),
                e.excused.to_string(),
                opt(&e.certificate),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "enrolments",
        &[
            "export-title",
            "export-status",
            "export-enrolled-on",
            "export-closed-on",
            "export-present",
            "export-absent",
            "export-excused",
            "export-certificate",
        ],
        &rows,
    )
}

async fn placements(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path((raw, f)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let id: PersonId = parse_path(&ctx, &raw)?;
    let file = svc::employment_file(&state, &actor, &ctx.meta, id)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let l = ctx.lang;
    let rows: Vec<Vec<String>> = file
        .placements
        .iter()
        .map(|p| {
            let follow = |m: i64| {
                p.follow_ups
                    .iter()
                    .find(|x| x.months == m)
                    .map(|x| match &x.checked_on {
                        Some(d) => format!("{d}: {}", yes_no(l, x.still_employed)),
                        None => format!("{} {}", t(l, "export-due"), x.due_on),
                    })
                    .unwrap_or_default()
            };
            vec![
                p.employer
                    .clone()
                    .unwrap_or_else(|| t(l, "contract-type-self-employment")),
                label(l, &p.contract_type.label_key()),
                p.starts_on.clone(),
                opt(&p.ends_on),
                format_weekly_hours(p.weekly_hours_centi),
                occupation(l, &p.esco_code),
                label(l, &p.sector.label_key()),
                follow(3),
                follow(6),
                follow(12),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "placements",
        &[
            "export-employer",
            "export-contract-type",
            "export-starts-on",
            "export-ends-on",
            "export-weekly-hours",
            "export-occupation",
            "export-sector",
            "export-follow-up-3",
            "export-follow-up-6",
            "export-follow-up-12",
        ],
        &rows,
    )
}

async fn follow_ups(
    State(state): State<AppState>,
    SignedIn { ctx, actor }: SignedIn,
    Path(f): Path<String>,
) -> Result<Response, HtmlError> {
    let f = format(&ctx, &f)?;
    let due = svc::due_follow_ups(&state, &actor, &ctx.meta)
        .await
        .map_err(|e| HtmlError::from_service(&ctx, e))?;
    let rows: Vec<Vec<String>> = due
        .iter()
        .map(|(d, p)| {
            vec![
                p.full_name(),
                opt(&d.employer),
                d.starts_on.clone(),
                d.follow_up.months.to_string(),
                d.follow_up.due_on.clone(),
            ]
        })
        .collect();
    download(
        &ctx,
        f,
        "follow-ups",
        &[
            "export-person",
            "export-employer",
            "export-starts-on",
            "export-months",
            "export-due-on",
        ],
        &rows,
    )
}
