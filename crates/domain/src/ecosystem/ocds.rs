//! STUB — placeholder for the OCDS codec, written so the procurement wiring compiles. The real
//! codec (validation against the standard's required fields, full mapping) replaces this file
//! at merge; only the two signatures below are relied upon.

use super::contract::ContractRecord;
use chrono::{DateTime, Utc};

/// One reason a package was rejected, with the JSON path it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcdsProblem {
    pub path: String,
    pub message: String,
}

/// STUB: accepts nothing until the codec lands; says so with the path of the whole package.
pub fn parse_package(bytes: &[u8]) -> Result<Vec<ContractRecord>, Vec<OcdsProblem>> {
    let message = if serde_json::from_slice::<serde_json::Value>(bytes).is_err() {
        "not JSON"
    } else {
        "OCDS import is not available yet"
    };
    Err(vec![OcdsProblem {
        path: "$".to_owned(),
        message: message.to_owned(),
    }])
}

/// STUB: a minimal release package (one release per contract, tender and award only).
pub fn release_package(
    records: &[ContractRecord],
    published: DateTime<Utc>,
    uri: &str,
) -> serde_json::Value {
    let date = published.to_rfc3339();
    let releases: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            serde_json::json!({
                "ocid": r.ocid,
                "id": format!("{}-{}", r.ocid, published.format("%Y%m%d")),
                "date": date,
                "tag": ["compiled"],
                "initiationType": "tender",
                "tender": {
                    "id": r.file_number,
                    "title": r.title,
                    "mainProcurementCategory": r.category.code(),
                    "procurementMethod": r.procedure.ocds_method(),
                    "value": {"amount": r.amount_cents as f64 / 100.0, "currency": "EUR"},
                    "items": [{"id": "1", "classification": {"scheme": "CPV", "id": r.cpv.code()}}],
                },
            })
        })
        .collect();
    serde_json::json!({
        "uri": uri,
        "version": "1.1",
        "publishedDate": date,
        "publisher": {"name": "Elkarlan"},
        "releases": releases,
    })
}
