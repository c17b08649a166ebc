//! Neighbourhood employment plans and training itineraries: programmes, training actions,
//! eligibility, inbound referral lists, itineraries, enrolments, placements and follow-ups.

pub mod eligibility;
pub mod esco;
pub mod referral_row;
