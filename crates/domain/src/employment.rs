//! Neighbourhood employment plans and training itineraries: programmes, training actions,
//! eligibility, inbound referral lists, itineraries, enrolments, placements and follow-ups.

pub mod codes;
pub mod eligibility;
pub mod esco;
pub mod itinerary;
pub mod placement;
pub mod programme;
pub mod referral_row;
pub mod training;
