//! The OpenAPI 3.1 document, generated from the handlers' annotations. A committed copy
//! (`crates/web/openapi.json`) is checked against it by a test, so API changes show in review.

use crate::routes::RouteBook;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The routes of this module.
pub fn routes(book: RouteBook) -> RouteBook {
    book.add("GET", "/api/v1/openapi.json", get(serve))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Elkarlan API", version = "1", description = "The JSON API of Elkarlan. Errors are application/problem+json (RFC 9457) with per-field entries. Lists use opaque cursors (`next`). Updates need If-Match; creates accept Idempotency-Key."),
    paths(
        super::auth::issue,
        super::auth::revoke,
        super::resources::me,
        super::resources::list_users,
        super::resources::create_user,
        super::resources::send_enrolment,
        super::resources::get_user,
        super::resources::patch_user,
        super::resources::list_agencies,
        super::resources::create_agency,
        super::resources::list_audit,
        super::resources::name_searches,
        super::resources::list_areas,
        super::inclusion::search,
        super::inclusion::register,
        super::inclusion::get_person,
        super::inclusion::list_consents,
        super::inclusion::record_consent,
        super::inclusion::withdraw_consent,
        super::inclusion::get_case,
        super::inclusion::set_status,
        super::inclusion::break_glass,
        super::inclusion::send_referral,
        super::inclusion::inbox,
        super::inclusion::move_referral,
        super::inclusion::access_log,
        super::casework::get,
        super::casework::record_assessment,
        super::casework::add_goal,
        super::casework::add_action,
        super::casework::set_action_status,
        super::casework::add_note,
        super::casework::record_meeting,
        super::inclusion::rectify,
        super::inclusion::history,
        super::inclusion::merge,
        super::subject_access::list_requests,
        super::subject_access::register_request,
        super::subject_access::move_request,
        super::subject_access::request_copy,
        super::configuration::list_instruments,
        super::configuration::add_instrument,
        super::configuration::get_retention,
        super::configuration::set_retention,
        super::configuration::get_capacity,
        super::configuration::set_capacity,
        super::employment::programmes::list_programmes,
        super::employment::programmes::create_programme,
        super::employment::programmes::get_programme,
        super::employment::programmes::update_programme,
        super::employment::programmes::save_template,
        super::employment::training_actions::create_action,
        super::employment::training_actions::get_action,
        super::employment::training_actions::update_action,
        super::employment::training_actions::roster,
        super::employment::training_actions::record_attendance,
        super::employment::training_actions::close_enrolment,
        super::employment::file::employment_file,
        super::employment::file::set_profile,
        super::employment::file::open_itinerary,
        super::employment::file::enrol,
        super::employment::file::record_placement,
        super::employment::file::add_step,
        super::employment::file::update_step,
        super::employment::file::close_itinerary,
        super::employment::file::record_follow_up,
        super::employment::follow_ups::due_follow_ups,
        super::employment::occupations::search_occupations,
        super::employment::imports::import_referrals,
        super::procurement::list_contracts,
        super::procurement::create_contract,
        super::procurement::get_contract,
        super::procurement::update_contract,
        super::procurement::list_lots,
        super::procurement::add_lot,
        super::procurement::list_clauses,
        super::procurement::add_clause,
        super::procurement::award,
        super::procurement::get_clause,
        super::procurement::list_checks,
        super::procurement::add_check,
        super::ecosystem::list_organisations,
        super::ecosystem::create_organisation,
        super::ecosystem::get_organisation,
        super::ecosystem::update_organisation,
        super::ecosystem::get_profile,
        super::ecosystem::put_profile,
        super::ecosystem::list_activities,
        super::ecosystem::create_activity,
        super::ecosystem::list_ventures,
        super::ecosystem::create_venture,
        super::agreements::list_agreements,
        super::agreements::create_agreement,
        super::agreements::get_agreement,
        super::agreements::update_agreement,
        super::agreements::move_agreement,
        super::agreements::renew_agreement,
        super::agreements::add_document,
        super::agreements::list_commitments,
        super::agreements::create_commitment,
        super::agreements::get_commitment,
        super::agreements::update_commitment,
        super::projects::list_projects,
        super::projects::create_project,
        super::projects::get_project,
        super::projects::update_project,
        super::indicators::list_indicators,
        super::indicators::get_indicator,
        super::indicators::indicator_values,
        super::indicators::get_project_indicators,
        super::indicators::put_project_indicators,
        super::indicator_definitions::check_definition,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

pub fn pretty() -> String {
    serde_json::to_string_pretty(&document()).unwrap_or_default() + "\n"
}

pub async fn serve() -> axum::response::Response {
    super::json(axum::http::StatusCode::OK, &document())
}
