//! The ecosystem of the Strategic Projects area: organisations (the social and solidarity economy
//! pole, companies, universities, public bodies), partnership and collaboration agreements, the
//! commitments they and the contracts' social clauses make, and responsible public procurement.
//!
//! Organisations here are not agencies: an agency is a team whose staff sign in to Elkarlan; an
//! organisation is a record the coordinator keeps about an actor of the neighbourhood's economy.
//! Their own contacts have no access yet.

pub mod agreement;
pub mod codes;
pub mod commitment;
pub mod contract;
pub mod cpv;
pub mod eligibility;
pub mod ocds;
pub mod organisation;
pub mod procurement;
