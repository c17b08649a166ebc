//! The router. Routes are added through [`RouteBook`], which keeps a list of every
//! (method, path) so tests can check each one against the authorization matrix.

use crate::AppState;
use crate::{api, html, ops, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

pub struct RouteBook {
    router: Router<AppState>,
    routes: Vec<(&'static str, &'static str)>,
}

impl RouteBook {
    fn new() -> Self {
        Self {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    pub(crate) fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.routes.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every route of the application, in the order registered.
pub fn book() -> RouteBook {
    let book = platform_and_inclusion();
    let book = html::inclusion::routes(book);
    let book = html::employment::routes(book);
    let book = html::employment_exports::routes(book);
    let book = html::referral_import::routes(book);
    let book = html::procurement::routes(book);
    let book = html::ecosystem::routes(book);
    let book = html::agreements::routes(book);
    let book = html::projects::routes(book);
    let book = html::dashboards::routes(book);
    let book = html::reports::routes(book);
    let book = api::ecosystem::routes(book);
    let book = api::employment::routes(book);
    let book = api::agreements::routes(book);
    let book = api::projects::routes(book);
    let book = api::indicators::routes(book);
    let book = api::indicator_definitions::routes(book);
    api::procurement::routes(book)
}

fn platform_and_inclusion() -> RouteBook {
    RouteBook::new()
        // Operations and public files.
        .add("GET", "/healthz", get(ops::healthz))
        .add("GET", "/readyz", get(ops::readyz))
        .add("GET", "/metrics", get(ops::metrics))
        .add("GET", "/static/{file}", get(ops::static_file))
        // Pages.
        .add("GET", "/", get(html::pages::root))
        .add("GET", "/login", get(html::auth::login_page))
        .add("POST", "/login", post(html::auth::login_submit))
        .add("GET", "/login/totp", get(html::auth::totp_page))
        .add("POST", "/login/totp", post(html::auth::totp_submit))
        .add("GET", "/enrol/{token}", get(html::auth::enrol_form))
        .add("POST", "/enrol/{token}", post(html::auth::enrol_submit))
        .add("POST", "/logout", post(html::auth::logout))
        .add("POST", "/lang", post(html::auth::set_language))
        .add("GET", "/home", get(html::pages::home))
        .add("GET", "/account", get(html::pages::account_page))
        .add("GET", "/account/password", get(html::pages::password_page))
        .add(
            "POST",
            "/account/password",
            post(html::pages::password_submit),
        )
        .add("GET", "/account/totp", get(html::pages::totp_setup_page))
        .add(
            "POST",
            "/account/totp",
            post(html::pages::totp_setup_submit),
        )
        .add("GET", "/admin/users", get(html::admin::users_page))
        .add("GET", "/admin/users/new", get(html::admin::user_new_page))
        .add(
            "POST",
            "/admin/users/new",
            post(html::admin::user_new_submit),
        )
        .add("GET", "/admin/users/{id}", get(html::admin::user_page_get))
        .add(
            "POST",
            "/admin/users/{id}",
            post(html::admin::user_page_post),
        )
        .add(
            "POST",
            "/admin/users/{id}/enrolment",
            post(html::admin::user_enrolment_post),
        )
        .add("GET", "/admin/agencies", get(html::admin::agencies_page))
        .add(
            "GET",
            "/admin/agencies/new",
            get(html::admin::agency_new_page),
        )
        .add(
            "POST",
            "/admin/agencies/new",
            post(html::admin::agency_new_submit),
        )
        .add(
            "GET",
            "/admin/instruments",
            get(html::configuration::instruments_page),
        )
        .add(
            "GET",
            "/admin/instruments/new",
            get(html::configuration::instrument_new_page),
        )
        .add(
            "POST",
            "/admin/instruments/new",
            post(html::configuration::instrument_new_submit),
        )
        .add(
            "GET",
            "/dpo/retention",
            get(html::configuration::retention_page),
        )
        .add(
            "POST",
            "/dpo/retention",
            post(html::configuration::retention_submit),
        )
        .add("GET", "/audit", get(html::admin::audit_page))
        .add(
            "GET",
            "/audit/searches",
            get(html::admin::audit_searches_page),
        )
        .add("GET", "/api/docs", get(html::pages::api_docs))
        .add(
            "GET",
            "/cases/{id}/assessments/new",
            get(html::casework::assessment_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/assessments/new",
            post(html::casework::assessment_new_submit),
        )
        .add(
            "GET",
            "/cases/{id}/goals/new",
            get(html::casework::goal_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/goals/new",
            post(html::casework::goal_new_submit),
        )
        .add(
            "GET",
            "/cases/{id}/actions/new",
            get(html::casework::action_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/actions/new",
            post(html::casework::action_new_submit),
        )
        .add(
            "GET",
            "/cases/{id}/notes/new",
            get(html::casework::note_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/notes/new",
            post(html::casework::note_new_submit),
        )
        .add(
            "GET",
            "/cases/{id}/meetings/new",
            get(html::casework::meeting_new_page),
        )
        .add(
            "POST",
            "/cases/{id}/meetings/new",
            post(html::casework::meeting_new_submit),
        )
        .add(
            "POST",
            "/cases/{id}/actions/{action}/status",
            post(html::casework::action_status_submit),
        )
        .add(
            "GET",
            "/referrals/capacity",
            get(html::configuration::capacity_page),
        )
        .add(
            "POST",
            "/referrals/capacity",
            post(html::configuration::capacity_submit),
        )
        // API.
        .add("GET", "/api/v1/openapi.json", get(api::openapi::serve))
        .add("POST", "/api/v1/auth/token", post(api::auth::issue))
        .add("DELETE", "/api/v1/auth/token", delete(api::auth::revoke))
        .add("GET", "/api/v1/me", get(api::resources::me))
        .add("GET", "/api/v1/users", get(api::resources::list_users))
        .add("POST", "/api/v1/users", post(api::resources::create_user))
        .add(
            "POST",
            "/api/v1/users/{id}/enrolment",
            post(api::resources::send_enrolment),
        )
        .add("GET", "/api/v1/users/{id}", get(api::resources::get_user))
        .add(
            "PATCH",
            "/api/v1/users/{id}",
            patch(api::resources::patch_user),
        )
        .add(
            "GET",
            "/api/v1/agencies",
            get(api::resources::list_agencies),
        )
        .add(
            "POST",
            "/api/v1/agencies",
            post(api::resources::create_agency),
        )
        .add(
            "GET",
            "/api/v1/audit-events",
            get(api::resources::list_audit),
        )
        .add(
            "GET",
            "/api/v1/audit-events/name-searches",
            get(api::resources::name_searches),
        )
        .add("GET", "/api/v1/areas", get(api::resources::list_areas))
        .add("GET", "/api/v1/people", get(api::inclusion::search))
        .add("POST", "/api/v1/people", post(api::inclusion::register))
        .add(
            "GET",
            "/api/v1/people/{id}",
            get(api::inclusion::get_person),
        )
        .add(
            "GET",
            "/api/v1/people/{id}/consents",
            get(api::inclusion::list_consents),
        )
        .add(
            "POST",
            "/api/v1/people/{id}/consents",
            post(api::inclusion::record_consent),
        )
        .add(
            "POST",
            "/api/v1/people/{id}/consents/{consent}/withdraw",
            post(api::inclusion::withdraw_consent),
        )
        .add(
            "GET",
            "/api/v1/people/{id}/access-log",
            get(api::inclusion::access_log),
        )
        .add("GET", "/api/v1/cases/{id}", get(api::inclusion::get_case))
        .add(
            "POST",
            "/api/v1/cases/{id}/status",
            post(api::inclusion::set_status),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/break-glass",
            post(api::inclusion::break_glass),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/referrals",
            post(api::inclusion::send_referral),
        )
        .add("GET", "/api/v1/referrals", get(api::inclusion::inbox))
        .add(
            "POST",
            "/api/v1/referrals/{id}/transitions",
            post(api::inclusion::move_referral),
        )
        .add(
            "GET",
            "/api/v1/cases/{id}/casework",
            get(api::casework::get),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/assessments",
            post(api::casework::record_assessment),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/goals",
            post(api::casework::add_goal),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/actions",
            post(api::casework::add_action),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/actions/{action}/status",
            post(api::casework::set_action_status),
        )
        .add(
            "POST",
            "/api/v1/cases/{id}/notes",
            post(api::casework::add_note),
        )
        .add(
            "POST",
            "/api/v1/meetings",
            post(api::casework::record_meeting),
        )
        .add(
            "PATCH",
            "/api/v1/people/{id}",
            patch(api::inclusion::rectify),
        )
        .add(
            "GET",
            "/api/v1/people/{id}/history",
            get(api::inclusion::history),
        )
        .add(
            "POST",
            "/api/v1/people/{id}/merge",
            post(api::inclusion::merge),
        )
        .add(
            "GET",
            "/api/v1/subject-access-requests",
            get(api::subject_access::list_requests),
        )
        .add(
            "POST",
            "/api/v1/subject-access-requests",
            post(api::subject_access::register_request),
        )
        .add(
            "POST",
            "/api/v1/subject-access-requests/{id}/status",
            post(api::subject_access::move_request),
        )
        .add(
            "GET",
            "/api/v1/subject-access-requests/{id}/copy",
            get(api::subject_access::request_copy),
        )
        .add(
            "GET",
            "/api/v1/instruments",
            get(api::configuration::list_instruments),
        )
        .add(
            "POST",
            "/api/v1/instruments",
            post(api::configuration::add_instrument),
        )
        .add(
            "GET",
            "/api/v1/retention",
            get(api::configuration::get_retention),
        )
        .add(
            "PUT",
            "/api/v1/retention",
            put(api::configuration::set_retention),
        )
        .add(
            "GET",
            "/api/v1/capacity",
            get(api::configuration::get_capacity),
        )
        .add(
            "PUT",
            "/api/v1/capacity",
            put(api::configuration::set_capacity),
        )
}

/// The (method, path) of every route.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    book().routes
}

/// The application with its middleware.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let book = book();
    book.router
        .fallback(html::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::csrf_origin_check,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(axum::middleware::from_fn(security::request_id))
        .with_state(state)
}
