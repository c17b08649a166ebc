//! Elkarlan's domain: the words of the business as types, the access policy and the pure rules.
//!
//! Nothing here does I/O. Types parse their input once (`TryFrom`/`parse`) so the rest of the
//! code never holds an unchecked value; parse failures carry a message key that the web layer
//! translates (see `FieldErrors`).

#[macro_use]
mod macros;

pub mod account;
pub mod ecosystem;
pub mod employment;
pub mod errors;
pub mod identity;
pub mod ids;
pub mod inclusion;
pub mod indicators;
pub mod lang;
pub mod organisation;
pub mod password;
pub mod policy;
pub mod portfolio;
pub mod search;
pub mod synthetic;
pub mod territory;
pub mod time;

pub use errors::{FieldError, FieldErrors};
pub use ids::*;
pub use lang::Lang;
pub use time::Timestamp;
