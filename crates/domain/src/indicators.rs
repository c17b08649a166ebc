pub mod catalogue;
pub mod definition;
