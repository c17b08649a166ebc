//! Uploaded bytes through the whole referral import: format sniffing, reading within small
//! limits, header mapping and every row's parse. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The same steps the deterministic test in crates/tabular runs without nightly.
#[path = "../../crates/tabular/tests/common/referral_import.rs"]
mod referral_import;

fuzz_target!(|data: &[u8]| {
    referral_import::referral_import(data);
});
