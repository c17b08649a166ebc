//! Web tests: the real router over a real database, in-process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod auth;
mod common;
mod matrix;
mod platform;
