//! Neighbourhood indicators: definitions as data (what is counted, over which records, for which
//! plan), the catalogue that ships with Elkarlan, and the statistical disclosure control every
//! published table passes. Pure: the store computes the counts, this module decides what they
//! mean and what may be shown.

pub mod catalogue;
pub mod definition;
pub mod disclosure;
pub mod publish;
pub mod results;
