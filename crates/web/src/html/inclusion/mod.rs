//! Coordination of social inclusion: people, consents, cases, referrals, emergency access and
//! the DPO's reviews. Handlers only translate between forms and `services::inclusion`; the
//! policy and every rule live there. One file per part (people, consents, cases, referrals,
//! emergency access, rectification, subject access); this one holds the routes and the notices
//! the parts share.

mod break_glass;
mod cases;
mod consents;
mod people;
mod rectification;
mod referrals;
mod subject_access;

pub(super) use cases::case_page_with_errors;

use crate::extract::Ctx;
use crate::routes::RouteBook;
use axum::routing::{get, post};
use elkarlan_templates::{PageCtx, t};
use serde::Deserialize;

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/people", get(people::people_page))
        .add("GET", "/people/new", get(people::person_new_page))
        .add("POST", "/people/new", post(people::person_new_submit))
        .add("GET", "/people/{id}", get(people::person_page))
        .add(
            "GET",
            "/people/{id}/consents/new",
            get(consents::consent_new_page),
        )
        .add(
            "POST",
            "/people/{id}/consents/new",
            post(consents::consent_new_submit),
        )
        .add(
            "POST",
            "/people/{id}/consents/{consent}/withdraw",
            post(consents::consent_withdraw),
        )
        .add(
            "GET",
            "/people/{id}/consents/{consent}/receipt",
            get(consents::consent_receipt),
        )
        .add(
            "GET",
            "/people/{id}/access-log",
            get(people::access_log_page),
        )
        .add(
            "GET",
            "/people/{id}/edit",
            get(rectification::person_edit_page),
        )
        .add(
            "POST",
            "/people/{id}/edit",
            post(rectification::person_edit_submit),
        )
        .add(
            "GET",
            "/people/{id}/history",
            get(rectification::person_history_page),
        )
        .add(
            "GET",
            "/people/{id}/merge",
            get(rectification::person_merge_page),
        )
        .add(
            "POST",
            "/people/{id}/merge",
            post(rectification::person_merge_submit),
        )
        .add(
            "GET",
            "/people/{id}/break-glass",
            get(break_glass::person_break_glass),
        )
        .add(
            "POST",
            "/people/{id}/break-glass",
            post(break_glass::person_break_glass_submit),
        )
        .add(
            "GET",
            "/subject-access-requests",
            get(subject_access::subject_access_requests_page),
        )
        .add(
            "POST",
            "/subject-access-requests",
            post(subject_access::subject_access_request_register),
        )
        .add(
            "POST",
            "/subject-access-requests/{id}/status",
            post(subject_access::subject_access_request_move),
        )
        .add(
            "GET",
            "/subject-access-requests/{id}/copy",
            get(subject_access::subject_access_page),
        )
        .add("GET", "/cases", get(cases::caseload_page))
        .add("GET", "/cases/{id}", get(cases::case_page))
        .add(
            "POST",
            "/cases/{id}/status",
            post(cases::case_status_submit),
        )
        .add(
            "GET",
            "/cases/{id}/referrals/new",
            get(referrals::referral_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/referrals/new",
            post(referrals::referral_new_submit),
        )
        .add(
            "GET",
            "/cases/{id}/break-glass",
            get(break_glass::break_glass_page),
        )
        .add(
            "POST",
            "/cases/{id}/break-glass",
            post(break_glass::break_glass_submit),
        )
        .add("GET", "/referrals", get(referrals::inbox_page))
        .add(
            "POST",
            "/referrals/{id}/withdraw",
            post(referrals::referral_withdraw),
        )
        .add(
            "POST",
            "/referrals/{id}/transitions",
            post(referrals::referral_move),
        )
        .add(
            "GET",
            "/dpo/break-glass",
            get(break_glass::break_glass_queue),
        )
        .add(
            "POST",
            "/dpo/break-glass/{id}",
            post(break_glass::break_glass_review),
        )
}

/// A success message chosen by the redirect: only known keys are shown.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    notice: String,
}

const NOTICES: [&str; 18] = [
    "referral-withdrawn",
    "person-saved",
    "person-merged",
    "assessment-recorded",
    "goal-added",
    "action-added",
    "action-status-saved",
    "note-added",
    "meeting-recorded",
    "consent-recorded",
    "consent-withdrawn",
    "case-status-saved",
    "referral-sent",
    "referral-moved",
    "break-glass-opened",
    "review-saved",
    "sar-registered",
    "sar-moved",
];

pub(super) fn page_with_notice(ctx: &Ctx, n: &Notice) -> PageCtx {
    let mut page = ctx.page();
    if let Some(key) = NOTICES.iter().find(|k| **k == n.notice) {
        page.notice = Some(t(ctx.lang, &format!("notice-{key}")));
    }
    page
}
