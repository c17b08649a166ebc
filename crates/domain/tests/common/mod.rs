//! Helpers shared by the integration tests and the fuzz targets.

pub mod ocds_package;
