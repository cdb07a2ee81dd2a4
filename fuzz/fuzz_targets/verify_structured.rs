//! Structured mutations of valid fixture tokens: header and payload members set to chosen or
//! arbitrary JSON values, segments replaced or bit-flipped, the clock moved; tokens of the
//! algorithms that sign without randomness (HMAC, Ed25519) are re-signed after the edit, so the
//! fuzzer reaches the payload parser and every claim check behind a valid signature.
//!
//! Besides `check_verdict`'s coherence checks, it is an oracle for the time rules (an untouched
//! token must verify inside its validity window and fail with the exact code outside it) and a
//! differential check of the verified-token cache against the plain verifier.
#![no_main]

use arbitrary::Arbitrary;
use std::cell::RefCell;

use jwtward::{CachingVerifier, ErrorCode, Verifier};
use jwtward_fuzz::{b64url, check_verdict, Fixtures};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};

/// Members whose handling the contract defines, plus anything else.
#[derive(Arbitrary, Debug)]
enum Member {
    Alg,
    Kid,
    Typ,
    Crit,
    B64,
    Jku,
    Jwk,
    X5u,
    Iss,
    Sub,
    Aud,
    Exp,
    Nbf,
    Iat,
    Jti,
    Scope,
    Scp,
    RealmAccess,
    TenantId,
    Other(String),
}

impl Member {
    fn name(&self) -> &str {
        match self {
            Member::Alg => "alg",
            Member::Kid => "kid",
            Member::Typ => "typ",
            Member::Crit => "crit",
            Member::B64 => "b64",
            Member::Jku => "jku",
            Member::Jwk => "jwk",
            Member::X5u => "x5u",
            Member::Iss => "iss",
            Member::Sub => "sub",
            Member::Aud => "aud",
            Member::Exp => "exp",
            Member::Nbf => "nbf",
            Member::Iat => "iat",
            Member::Jti => "jti",
            Member::Scope => "scope",
            Member::Scp => "scp",
            Member::RealmAccess => "realm_access",
            Member::TenantId => "tenant_id",
            Member::Other(name) => name,
        }
    }
}

/// Strings the checks compare against, so the fuzzer hits near-misses quickly.
const DICTIONARY: &[&str] = &[
    "roles",
    "none",
    "None",
    "NONE",
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "PS256",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
    "hs256",
    "rs256",
    "es256",
    "eddsa",
    "ed25519",
    "at+jwt",
    "application/at+jwt",
    "AT+JWT",
    "JWT",
    "https://issuer.bench.example",
    "https://issuer.bench.example/",
    "api://bench",
    "client-42",
    "acme",
    "orders:read",
    "orders:read orders:write",
    "orders:READ",
    "",
    " ",
    "\u{0}",
];

#[derive(Arbitrary, Debug)]
enum Val {
    Remove,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Offset from the fixture clock: time claims near their boundaries.
    Time(i16),
    Known(u8),
    Str(String),
    Array(Vec<Val>),
    Object(Vec<(String, Val)>),
}

impl Val {
    /// The JSON value, or `None` to remove the member.
    fn to_json(&self, now: i64) -> Option<Value> {
        Some(match self {
            Val::Remove => return None,
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Time(delta) => Value::from(now + i64::from(*delta)),
            Val::Known(i) => Value::from(DICTIONARY[usize::from(*i) % DICTIONARY.len()]),
            Val::Str(s) => Value::from(s.as_str()),
            Val::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| v.to_json(now).unwrap_or(Value::Null))
                    .collect(),
            ),
            Val::Object(members) => Value::Object(
                members
                    .iter()
                    .filter_map(|(k, v)| v.to_json(now).map(|v| (k.clone(), v)))
                    .collect(),
            ),
        })
    }
}

#[derive(Arbitrary, Debug)]
enum Edit {
    /// Set (or remove) members of the decoded JSON object, then re-encode it.
    Members(Vec<(Member, Val)>),
    /// Replace the segment's decoded bytes (encoded properly).
    Bytes(Vec<u8>),
    /// Replace the segment's text as is (any characters).
    Text(String),
    /// Flip one bit of the segment's text.
    FlipBit(u16, u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    token: u8,
    header: Option<Edit>,
    payload: Option<Edit>,
    signature: Option<Edit>,
    /// Re-sign after editing (HMAC and Ed25519 fixture keys only).
    resign: bool,
    clock: Clock,
}

/// The verification time, relative to the fixture clock.
#[derive(Arbitrary, Debug)]
enum Clock {
    /// Any offset in seconds.
    Offset(i32),
    /// A few seconds around one of the fixture tokens' time boundaries (iat/nbf at -60, exp at
    /// +3540, max age at +3540, each widened by the 5 s tolerance): random offsets would almost
    /// never land exactly on them.
    Near(u8, i8),
}

const BOUNDARIES: [i64; 6] = [-65, -60, -55, 3535, 3540, 3545];

impl Clock {
    fn offset(&self) -> i64 {
        match self {
            Clock::Offset(seconds) => i64::from(*seconds),
            Clock::Near(which, delta) => {
                BOUNDARIES[usize::from(*which) % BOUNDARIES.len()] + i64::from(*delta % 4)
            }
        }
    }
}

fn decode_segment(segment: &str) -> Vec<u8> {
    // The fixture segments are canonical base64url; decode with the same alphabet.
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in segment.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn apply(edit: &Edit, segment: &str, now: i64) -> String {
    match edit {
        Edit::Members(members) => {
            let mut object: Map<String, Value> =
                serde_json::from_slice(&decode_segment(segment)).unwrap_or_default();
            for (member, value) in members {
                match value.to_json(now) {
                    Some(v) => object.insert(member.name().to_string(), v),
                    None => object.remove(member.name()),
                };
            }
            b64url(&serde_json::to_vec(&object).unwrap_or_default())
        }
        Edit::Bytes(bytes) => b64url(bytes),
        Edit::Text(text) => text.clone(),
        Edit::FlipBit(position, bit) => {
            let mut bytes = segment.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = usize::from(*position) % bytes.len();
                bytes[i] ^= 1 << (bit % 8);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

thread_local! {
    static STATE: (Fixtures, Verifier) = {
        let fixtures = Fixtures::load();
        let verifier = fixtures.verifier();
        (fixtures, verifier)
    };
    // Small, so eviction runs often too.
    static CACHED: RefCell<CachingVerifier> = RefCell::new(CachingVerifier::new(Fixtures::load().verifier(), 8));
}

fuzz_target!(|input: Input| {
    STATE.with(|(fixtures, verifier)| {
        let (alg, original) = &fixtures.tokens[usize::from(input.token) % fixtures.tokens.len()];
        let now = fixtures.now + input.clock.offset();
        let mut parts = original.splitn(3, '.');
        let (header, payload, signature) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );

        let header = input
            .header
            .as_ref()
            .map_or_else(|| header.to_string(), |e| apply(e, header, fixtures.now));
        let payload = input
            .payload
            .as_ref()
            .map_or_else(|| payload.to_string(), |e| apply(e, payload, fixtures.now));
        let signing_input = format!("{header}.{payload}");
        let mut signature = signature.to_string();
        if input.resign {
            if let Some(sig) = fixtures.sign(*alg, signing_input.as_bytes()) {
                signature = b64url(&sig);
            }
        }
        if let Some(edit) = &input.signature {
            signature = apply(edit, &signature, fixtures.now);
        }
        let token = format!("{signing_input}.{signature}");
        let verdict = check_verdict(verifier, &token, now)
            .map(|v| v.claims().as_json().clone())
            .map_err(|e| e.code());

        // The cache never changes a verdict: verify through it at the fixture clock (which
        // caches the token if it is valid then), then at `now` (a hit if cached): both must be
        // what the plain verifier says.
        CACHED.with(|cached| {
            let mut cached = cached.borrow_mut();
            let plain_at_fixture_clock = if now == fixtures.now {
                verdict.clone()
            } else {
                verifier
                    .verify(&token, fixtures.now)
                    .map(|v| v.claims().as_json().clone())
                    .map_err(|e| e.code())
            };
            for (at, plain) in [(fixtures.now, &plain_at_fixture_clock), (now, &verdict)] {
                let through = cached
                    .verify(&token, at)
                    .map(|v| v.claims().as_json().clone())
                    .map_err(|e| e.code());
                assert_eq!(plain, &through, "the cache changed the verdict at {at}");
            }
        });

        // The time oracle, for a token that is byte-for-byte the fixture one (edits may have been
        // no-ops). Fixture: iat = nbf = NOW - 60, exp = NOW + 3540, max age 3600, tolerance 5.
        if token == *original {
            let delta = now - fixtures.now;
            let verdict = verdict.map(|_| ());
            let expected = if delta < -65 {
                Err(ErrorCode::NotYetValid)
            } else if delta >= 3545 {
                Err(ErrorCode::Expired)
            } else {
                Ok(())
            };
            assert_eq!(
                verdict, expected,
                "fixture {alg} token at now {now} (delta {delta})"
            );
        }
    });
});
