//! The router. Every HTML and API module adds its own routes in `routes(book)` through
//! [`RouteBook`], which keeps a list of every (method, path) so tests can check each one against
//! the authorization matrix; this file only chains the modules and adds the middleware.

use crate::AppState;
use crate::{api, html, ops, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;

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

/// Every route of the application: each module registers its own.
pub fn book() -> RouteBook {
    let book = RouteBook::new();
    let book = ops::routes(book);
    let book = html::pages::routes(book);
    let book = html::auth::routes(book);
    let book = html::admin::routes(book);
    let book = html::configuration::routes(book);
    let book = html::inclusion::routes(book);
    let book = html::casework::routes(book);
    let book = html::employment::routes(book);
    let book = html::employment_exports::routes(book);
    let book = html::referral_import::routes(book);
    let book = html::procurement::routes(book);
    let book = html::ecosystem::routes(book);
    let book = html::agreements::routes(book);
    let book = html::projects::routes(book);
    let book = html::dashboards::routes(book);
    let book = html::reports::routes(book);
    let book = api::openapi::routes(book);
    let book = api::auth::routes(book);
    let book = api::resources::routes(book);
    let book = api::inclusion::routes(book);
    let book = api::casework::routes(book);
    let book = api::subject_access::routes(book);
    let book = api::configuration::routes(book);
    let book = api::ecosystem::routes(book);
    let book = api::employment::routes(book);
    let book = api::agreements::routes(book);
    let book = api::projects::routes(book);
    let book = api::indicators::routes(book);
    let book = api::indicator_definitions::routes(book);
    api::procurement::routes(book)
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
