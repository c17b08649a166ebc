//! Web tests: the real router over a real database, in-process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod auth;
mod common;
mod i18n;
mod inclusion;
mod matrix;
mod platform;
