//! The strict JSON of headers and payloads on arbitrary bytes: the scanner that validates a token's
//! JSON without building it (and locates the members the checks read) must agree with the strict
//! parser on every input: refuse what it refuses with the same error, accept what it accepts, and
//! read every member the same way.
#![no_main]

use jwtward::decode::scanner_disagreement;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(why) = scanner_disagreement(data) {
        panic!("{why}");
    }
});
