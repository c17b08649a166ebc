// utoipa's `params(...)` expansion names the parameter types by full path.
#![allow(unused_qualifications)]

//! `/api/v1` endpoints for employment plans and training itineraries: programmes, templates,
//! training actions, rosters and attendance, enrolments, a person's employment file,
//! itineraries, placements and follow-ups. One file per part, visible to `api` so that the
//! OpenAPI document can name each handler; this one holds the routes and what the parts share.

pub(super) mod file;
pub(super) mod follow_ups;
pub(super) mod imports;
pub(super) mod occupations;
pub(super) mod programmes;
pub(super) mod training_actions;

use crate::routes::RouteBook;
use axum::routing::{get, post, put};
use elkarlan_service::models::itineraries::Enrolment;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The employment API's routes.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add(
        "GET",
        "/api/v1/programmes",
        get(programmes::list_programmes),
    )
    .add(
        "POST",
        "/api/v1/programmes",
        post(programmes::create_programme),
    )
    .add(
        "GET",
        "/api/v1/programmes/{id}",
        get(programmes::get_programme),
    )
    .add(
        "PUT",
        "/api/v1/programmes/{id}",
        put(programmes::update_programme),
    )
    .add(
        "POST",
        "/api/v1/programmes/{id}/templates",
        post(programmes::save_template),
    )
    .add(
        "POST",
        "/api/v1/programmes/{id}/actions",
        post(training_actions::create_action),
    )
    .add(
        "GET",
        "/api/v1/training-actions/{id}",
        get(training_actions::get_action),
    )
    .add(
        "PUT",
        "/api/v1/training-actions/{id}",
        put(training_actions::update_action),
    )
    .add(
        "GET",
        "/api/v1/training-actions/{id}/enrolments",
        get(training_actions::roster),
    )
    .add(
        "POST",
        "/api/v1/training-actions/{id}/attendance",
        post(training_actions::record_attendance),
    )
    .add(
        "PUT",
        "/api/v1/enrolments/{id}",
        put(training_actions::close_enrolment),
    )
    .add(
        "GET",
        "/api/v1/people/{id}/employment",
        get(file::employment_file),
    )
    .add(
        "PUT",
        "/api/v1/people/{id}/employment-profile",
        put(file::set_profile),
    )
    .add(
        "POST",
        "/api/v1/people/{id}/itineraries",
        post(file::open_itinerary),
    )
    .add("POST", "/api/v1/people/{id}/enrolments", post(file::enrol))
    .add(
        "POST",
        "/api/v1/people/{id}/placements",
        post(file::record_placement),
    )
    .add(
        "POST",
        "/api/v1/itineraries/{id}/steps",
        post(file::add_step),
    )
    .add(
        "PUT",
        "/api/v1/itineraries/{id}/steps/{step}",
        put(file::update_step),
    )
    .add(
        "POST",
        "/api/v1/itineraries/{id}/close",
        post(file::close_itinerary),
    )
    .add(
        "PUT",
        "/api/v1/placements/{id}/follow-ups/{months}",
        put(file::record_follow_up),
    )
    .add(
        "GET",
        "/api/v1/follow-ups/due",
        get(follow_ups::due_follow_ups),
    )
    .add(
        "GET",
        "/api/v1/esco/occupations",
        get(occupations::search_occupations),
    )
    .add(
        "POST",
        "/api/v1/programmes/{id}/referral-imports",
        // A referral list of 100,000 rows is about 15 MB as CSV.
        post(imports::import_referrals).layer(axum::extract::DefaultBodyLimit::max(IMPORT_LIMIT)),
    )
}

/// The largest referral list accepted, as the spreadsheet reader's own limit.
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct EnrolmentDto {
    pub id: Uuid,
    pub action: Uuid,
    pub person: Uuid,
    pub itinerary: Option<Uuid>,
    pub status: String,
    pub enrolled_on: String,
    pub closed_on: Option<String>,
    pub dropout_reason: Option<String>,
    pub certificate: Option<String>,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    pub version: i64,
}

impl From<&Enrolment> for EnrolmentDto {
    fn from(e: &Enrolment) -> Self {
        Self {
            id: e.id.0,
            action: e.action_id.0,
            person: e.person_id.0,
            itinerary: e.itinerary_id.map(|i| i.0),
            status: e.status.code().to_owned(),
            enrolled_on: e.enrolled_on.clone(),
            closed_on: e.closed_on.clone(),
            dropout_reason: e.dropout_reason.clone(),
            certificate: e.certificate.clone(),
            present: e.present,
            absent: e.absent,
            excused: e.excused,
            version: e.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordedDto {
    /// How many marks were recorded.
    pub recorded: usize,
}
