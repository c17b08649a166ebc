//! What must hold for any bytes given to the OCDS import, shared by the stable robustness test
//! and the cargo-fuzz target: no panic, and either records or problems that each name a JSON
//! pointer and a message key the code declares.

use elkarlan_domain::ecosystem::ocds::{self, OcdsProblem};

/// Keys the import borrows from other modules (CPV, tax ids, the domain's code lists).
const BORROWED_KEYS: &[&str] = &[
    "error-cpv-format",
    "error-cpv-unknown",
    "error-tax-id-required",
    "error-tax-id-format",
    "error-tax-id-check",
    "error-procedure",
    "error-reservation",
    "error-clause-stage",
    "error-clause-purpose",
];

pub fn problem_is_well_formed(p: &OcdsProblem) -> bool {
    p.path.starts_with('/')
        && (ocds::MESSAGE_KEYS.contains(&p.key) || BORROWED_KEYS.contains(&p.key))
}

/// Runs the import on `data` and panics if the outcome breaks the contract above.
pub fn check(data: &[u8]) {
    match ocds::parse_package(data) {
        Ok(records) => {
            for r in &records {
                assert!(!r.ocid.is_empty() && !r.title.is_empty());
                assert!(r.amount_cents >= 0 && r.amount_cents <= ocds::MAX_CENTS);
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "an error without problems");
            for p in &problems {
                assert!(problem_is_well_formed(p), "malformed problem {p:?}");
            }
        }
    }
}
