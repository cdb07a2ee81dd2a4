//! `Verifier::verify` on arbitrary input with the fixture verifier (one key per algorithm, the
//! full policy, a fixed clock): no panic, no hang, and every verdict coherent (see
//! `jwtward_fuzz::check_verdict`).
#![no_main]

use jwtward::Verifier;
use jwtward_fuzz::{check_verdict, Fixtures};
use libfuzzer_sys::fuzz_target;

thread_local! {
    // Built once per process: key import is the expensive part and is not what is fuzzed here.
    static STATE: (i64, Verifier) = {
        let fixtures = Fixtures::load();
        (fixtures.now, fixtures.verifier())
    };
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    STATE.with(|(now, verifier)| {
        let _ = check_verdict(verifier, &text, *now);
    });
});
