//! Elkarlan's HTTP adapters.
//!
//! Two thin adapters over the same [`services`]: `html` (askama pages, forms, 303 after POST) and
//! `api` (`/api/v1`, JSON, `application/problem+json` errors). No business rule lives in a
//! handler: handlers parse the request, call a service, and render its result.
//!
//! Every route is registered through [`routes::RouteBook`], which records it, so the
//! authorization matrix test can prove that every route has an expectation.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod hsds;
pub mod html;
pub mod metrics;
pub mod ops;
pub mod routes;
pub mod security;
pub mod services;
pub mod state;
pub mod worker;

pub use config::WebConfig;
pub use routes::app;
pub use state::AppState;
