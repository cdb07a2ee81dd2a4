//! DPoP proofs and sender-constrained tokens (`Verifier::verify_presented`): proofs built from the
//! fixture Ed25519 key (which signs without randomness) with fuzzed members, header and key, or
//! arbitrary text; tokens bound to that key, to another, to a certificate, or not at all; every
//! scheme, sender constraint, request method and URI. Ed25519 re-signing lets the fuzzer reach
//! every check behind the proof's signature.
//!
//! What must hold, besides `check_presented_verdict`'s coherence (deterministic, the deferred
//! path with both signatures deferred gives the same verdict word for word, `explain_presented`
//! agrees and its checklist is coherent): a proof built exactly right for a correctly bound token
//! verifies, with the proof's `jti`; and `normalize_http_uri` never panics and is idempotent.
#![no_main]

use arbitrary::Arbitrary;
use jwtward::dpop::normalize_http_uri;
use jwtward::{Algorithm, DpopRequest, Jwks, Presentation, Scheme, SenderConstraint, Verifier};
use jwtward_fuzz::{b64url, check_presented_verdict, Fixtures};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const URL: &str = "https://api.bench.example/orders";

/// Strings the checks compare against, so the fuzzer hits near-misses quickly.
const WORDS: &[&str] = &[
    "dpop+jwt",
    "application/dpop+jwt",
    "DPoP+JWT",
    "JWT",
    "EdDSA",
    "Ed25519",
    "ES256",
    "HS256",
    "none",
    "GET",
    "POST",
    "get",
    URL,
    "HTTPS://API.bench.example:443/%6Frders",
    "https://api.bench.example/orders/",
    "https://api.bench.example/orders?x=1#y",
    "http://api.bench.example/orders",
    "https://api.bench.example:8443/orders",
    "https://api.bench.example/a/../orders",
    "https://user@api.bench.example/orders",
    "https://[::1]:443/orders",
    "/orders",
    "",
    "n-1",
    "n-2",
    "OKP",
    "EC",
    "oct",
];

/// A string: one of [`WORDS`] or any.
#[derive(Arbitrary, Debug)]
enum Text {
    Word(u8),
    Any(String),
}

impl Text {
    fn get(&self) -> &str {
        match self {
            Text::Word(i) => WORDS[usize::from(*i) % WORDS.len()],
            Text::Any(text) => text,
        }
    }
}

/// A JSON value for a member.
#[derive(Arbitrary, Debug)]
enum Val {
    Remove,
    Text(Text),
    Int(i64),
    Null,
    Object(Vec<(Text, Text)>),
}

impl Val {
    fn json(&self) -> Option<Value> {
        Some(match self {
            Val::Remove => return None,
            Val::Text(text) => json!(text.get()),
            Val::Int(i) => json!(i),
            Val::Null => Value::Null,
            Val::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.get().to_string(), json!(v.get())))
                    .collect(),
            ),
        })
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Any text as the proof instead of a built one.
    raw_proof: Option<String>,
    /// Changes to the proof's header (`typ`, `alg`, `jwk`, ...): none means exactly right.
    header: Vec<(Text, Val)>,
    /// Changes to the `jwk` header's members (`kty`, `crv`, `x`, `d`, ...).
    jwk: Vec<(Text, Val)>,
    /// Changes to the proof's claims (`htm`, `htu`, `iat`, `jti`, `ath`, `nonce`, ...).
    claims: Vec<(Text, Val)>,
    /// Seconds from the clock to the proof's `iat`.
    iat: i16,
    /// Flip one bit of the signature.
    flip: Option<u8>,
    method: Option<Text>,
    url: Option<Text>,
    nonces: Vec<Text>,
    /// 0: not said, 1: Bearer, 2: DPoP.
    scheme: u8,
    /// 0: the proof's key (cnf.jkt), 1: another jkt, 2: a certificate, 3: unbound, 4: any cnf.
    binding: u8,
    other_cnf: Option<Val>,
    certificate: Option<Vec<u8>>,
    /// 0: none, 1: dpop, 2: mtls, 3: any.
    constraint: u8,
    uri: String,
}

struct State {
    fixtures: Fixtures,
    verifiers: Vec<Verifier>,
    client_jwk: Value,
    client_jkt: String,
}

thread_local! {
    static STATE: State = {
        let fixtures = Fixtures::load();
        let client_jwk = fixtures.public_jwk(Algorithm::EdDSA).expect("fixture EdDSA key");
        let set = json!({ "keys": [client_jwk] }).to_string();
        let client_jkt = Jwks::from_json(&set).expect("JWK Set").keys()[0].thumbprint();
        let verifiers = [
            SenderConstraint::None,
            SenderConstraint::Dpop,
            SenderConstraint::Mtls,
            SenderConstraint::Any,
        ]
        .into_iter()
        .map(|constraint| {
            let jwks = Jwks::from_json(jwtward_fuzz::JWKS_JSON).expect("fixture JWK Set");
            Verifier::new(jwks, fixtures.policy().sender_constraint(constraint))
                .expect("fixture verifier")
        })
        .collect();
        State { fixtures, verifiers, client_jwk, client_jkt }
    };
}

fn apply(object: &mut Value, changes: &[(Text, Val)]) {
    if let Some(members) = object.as_object_mut() {
        for (name, value) in changes {
            match value.json() {
                Some(value) => members.insert(name.get().to_string(), value),
                None => members.remove(name.get()),
            };
        }
    }
}

fn segment(value: &Value) -> String {
    b64url(&serde_json::to_vec(value).unwrap_or_default())
}

/// A fixture HS256 token (valid at the fixture clock) with `cnf` set (or removed), re-signed.
fn access_token(fixtures: &Fixtures, cnf: Option<Value>) -> Option<String> {
    let (_, token) = fixtures
        .tokens
        .iter()
        .find(|(alg, _)| *alg == Algorithm::HS256)?;
    let mut parts = token.split('.');
    let (header, payload) = (parts.next()?, parts.next()?);
    let mut claims: Value = serde_json::from_slice(&decode(payload)).ok()?;
    if let Some(cnf) = cnf {
        claims["cnf"] = cnf;
    }
    let input = format!("{header}.{}", segment(&claims));
    let signature = fixtures.sign(Algorithm::HS256, input.as_bytes())?;
    Some(format!("{input}.{}", b64url(&signature)))
}

fn decode(segment: &str) -> Vec<u8> {
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

fuzz_target!(|input: Input| {
    // Never panics; normalising twice changes nothing.
    if let Some(once) = normalize_http_uri(&input.uri) {
        assert_eq!(
            normalize_http_uri(&once).as_deref(),
            Some(once.as_str()),
            "{:?}",
            input.uri
        );
    }

    STATE.with(|state| {
        let fixtures = &state.fixtures;
        let now = fixtures.now;
        let certificate = input.certificate.as_deref().unwrap_or(b"certificate");
        let cnf = match input.binding % 5 {
            0 => Some(json!({ "jkt": state.client_jkt })),
            1 => Some(json!({ "jkt": b64url(&Sha256::digest(b"another key")) })),
            2 => Some(json!({ "x5t#S256": b64url(&Sha256::digest(certificate)) })),
            3 => None,
            _ => input.other_cnf.as_ref().and_then(Val::json),
        };
        let Some(token) = access_token(fixtures, cnf) else {
            return;
        };

        let built_right = input.raw_proof.is_none()
            && input.header.is_empty()
            && input.jwk.is_empty()
            && input.claims.is_empty()
            && input.flip.is_none()
            && (-60..=60).contains(&input.iat);
        let proof = match &input.raw_proof {
            Some(raw) => raw.clone(),
            None => {
                let mut jwk = state.client_jwk.clone();
                apply(&mut jwk, &input.jwk);
                let mut header = json!({ "typ": "dpop+jwt", "alg": "EdDSA", "jwk": jwk });
                apply(&mut header, &input.header);
                let mut claims = json!({
                    "jti": "fuzz-1",
                    "htm": "GET",
                    "htu": URL,
                    "iat": now + i64::from(input.iat),
                    "ath": b64url(&Sha256::digest(token.as_bytes())),
                });
                if let Some(nonce) = input.nonces.first() {
                    claims["nonce"] = json!(nonce.get());
                }
                apply(&mut claims, &input.claims);
                let signing_input = format!("{}.{}", segment(&header), segment(&claims));
                let Some(mut signature) = fixtures.sign(Algorithm::EdDSA, signing_input.as_bytes())
                else {
                    return;
                };
                if let Some(bit) = input.flip {
                    let at = usize::from(bit) % signature.len();
                    signature[at] ^= 1 << (bit % 8);
                }
                format!("{signing_input}.{}", b64url(&signature))
            }
        };

        let method = input.method.as_ref().map_or("GET", Text::get);
        let url = input.url.as_ref().map_or(URL, Text::get);
        let request = input
            .nonces
            .iter()
            .fold(DpopRequest::new(&proof, method, url), |request, nonce| {
                request.nonce(nonce.get())
            });
        let mut presentation = Presentation::new().dpop(request);
        match input.scheme % 3 {
            1 => presentation = presentation.scheme(Scheme::Bearer),
            2 => presentation = presentation.scheme(Scheme::Dpop),
            _ => {}
        }
        if input.certificate.is_some() {
            presentation = presentation.client_certificate(certificate);
        }
        let constraint = usize::from(input.constraint % 4);
        let verifier = &state.verifiers[constraint];
        let verdict = check_presented_verdict(verifier, &token, now, &presentation);

        // A proof built exactly right, for the GET of URL, presented under the DPoP scheme (or
        // none said) with a token bound to its key, under a constraint DPoP satisfies: valid.
        let request_right = input.method.as_ref().is_none_or(|m| m.get() == "GET")
            && input.url.as_ref().is_none_or(|u| u.get() == URL);
        if built_right
            && request_right
            && input.binding % 5 == 0
            && input.scheme % 3 != 1
            && matches!(constraint, 0 | 1 | 3)
        {
            match verdict {
                Ok(verified) => {
                    let proof = verified
                        .confirmation()
                        .dpop_proof()
                        .map(|p| p.jti().to_string());
                    assert_eq!(proof.as_deref(), Some("fuzz-1"));
                }
                Err(err) => panic!(
                    "a proof built right was refused: {} {:?} {err}",
                    err.code(),
                    err.claim()
                ),
            }
        }
    });
});
