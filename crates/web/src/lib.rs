//! Elkarlan's HTTP adapters.
//!
//! Two thin adapters over the same [`services`] (the `elkarlan-service` crate): `html` (askama
//! pages, forms, 303 after POST) and `api` (`/api/v1`, JSON, `application/problem+json` errors).
//! No business rule lives in a handler: handlers parse the request, call a service, and render
//! its result. This crate does not depend on the store, so it cannot read a record without a
//! service's decision.
//!
//! Every route is registered through [`routes::RouteBook`], which records it, so the
//! authorization matrix test can prove that every route has an expectation.

pub mod api;
pub mod error;
pub mod extract;
pub mod html;
pub mod metrics;
pub mod ops;
pub mod routes;
pub mod security;

/// The application layer the adapters call; its modules keep their old paths here
/// (`crate::services::inclusion`, `crate::auth`, ...).
pub use elkarlan_service as services;
pub use elkarlan_service::{AppState, WebConfig, auth, config, hsds, state, worker};
pub use routes::app;
