//! Uploaded bytes through the OCDS release package import. Any panic, or an outcome that is
//! neither records nor problems with a JSON pointer and a declared key, is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

// The same check the stable replay test in crates/domain runs without nightly.
#[path = "../../crates/domain/tests/common/ocds_package.rs"]
mod ocds_package;

fuzz_target!(|data: &[u8]| {
    ocds_package::check(data);
});
