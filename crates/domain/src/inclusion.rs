//! Coordination of social inclusion across public systems: people, consent and legal bases,
//! cases with their team and plan, and referrals between agencies.

pub mod case;
pub mod casework;
pub mod consent;
pub mod instrument;
pub mod person;
pub mod referral;
pub mod retention;
pub mod subject_access;
