//! Web tests: the real router over a real database, in-process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agreements;
mod api;
mod audit_trail;
mod auth;
mod casework;
mod casework_pages;
mod common;
mod dashboards;
mod ecosystem;
mod employment;
mod employment_pages;
mod i18n;
mod inclusion;
mod inclusion_pages;
mod indicator_checks;
mod indicator_worker;
mod matrix;
mod platform;
mod procurement;
mod projects;
mod relationships;
mod reports;
mod retention;
mod subject_access;
