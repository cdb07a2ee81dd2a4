//! `Jwks::from_json` + `lint()` on arbitrary input, and building a verifier from whatever
//! parses: no panic, no hang; a set that parses lints and imports without panicking, and a key
//! the verifier refuses is a configuration error, never a crash.
#![no_main]

use jwtward::{Jwks, Policy, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(jwks) = Jwks::from_json(&text) else {
        return;
    };
    for warning in jwks.lint() {
        assert!(!warning.message.is_empty(), "a lint warning says nothing");
        let _ = warning.code.as_str();
    }
    if let Ok(verifier) = Verifier::new(jwks, Policy::new()) {
        // A well-formed but unsigned-for-these-keys token: every key family's selection runs.
        for token in [
            "eyJhbGciOiJIUzI1NiJ9.e30.AAAA",
            "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
            "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
            "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        ] {
            let _ = verifier.verify(token, 1_750_000_000);
        }
    }
});
