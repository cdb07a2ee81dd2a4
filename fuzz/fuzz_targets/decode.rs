//! `jwtward::decode` on arbitrary input (UTF-8 as is, anything else lossily converted): it must
//! never panic or hang, and whatever it accepts must survive a re-encoding round trip.
#![no_main]

use jwtward::decode;
use jwtward_fuzz::b64url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(token) = decode(&text) else { return };
    let _ = token.warnings();

    // Re-encode the decoded header and claims with serde_json and the independent encoder: the
    // result is canonical JSON (no duplicates, same depth), so decode must accept it and give
    // back the same objects. Skipped when re-serialising grows the token past the default
    // limit (numbers like 1e5 print longer than they were written).
    let header = serde_json::to_vec(token.header_json()).expect("a decoded header serialises");
    let claims = serde_json::to_vec(token.claims_json()).expect("decoded claims serialise");
    let signature = text.rsplit('.').next().unwrap_or_default();
    let rebuilt = format!("{}.{}.{}", b64url(&header), b64url(&claims), signature);
    if rebuilt.len() > 32 * 1024 {
        return;
    }
    let again = decode(&rebuilt).expect("a re-encoded decoded token must decode");
    // A difference here with equal-looking text means a number did not survive: the JSON parser
    // must read every number as its nearest double (as JSON.parse does), or decoded claims are
    // not what the issuer wrote.
    assert_eq!(
        again.header_json(),
        token.header_json(),
        "the header changed on re-encoding"
    );
    assert_eq!(
        again.claims_json(),
        token.claims_json(),
        "the claims changed on re-encoding"
    );
});
