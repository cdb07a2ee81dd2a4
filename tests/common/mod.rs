//! Shared helpers for the conformance suites: base64url, the TEST ONLY fixture keys in
//! `tests/fixtures/keys/`, signers for every algorithm, token builders and assertions on error
//! codes. Each test binary uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::sync::OnceLock;

use jwtward::{Algorithm, ErrorCode, Jwks, Policy, Verified, Verifier};
use serde_json::{json, Value};

/// The `now` most tests verify at (2025-06-15T15:06:40Z).
pub const NOW: i64 = 1_750_000_000;

// ---------------------------------------------------------------------------------------------
// base64url (RFC 4648 §5, no padding). Written here rather than taken from a crate so tests can
// also build the non-canonical encodings the verifier must refuse.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    let bytes = bytes.as_ref();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = match chunk.len() {
            3 => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]),
            2 => (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8),
            _ => u32::from(chunk[0]) << 16,
        };
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes unpadded base64url that the tests themselves produced or that fixtures hold.
pub fn unb64(text: &str) -> Vec<u8> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.bytes() {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64url: {c:?}"));
        bits = (bits << 6) | v as u32;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    out
}

/// Standard base64 with padding (for PEM bodies).
pub fn unb64_std(text: &str) -> Vec<u8> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    unb64(&cleaned)
}

// ---------------------------------------------------------------------------------------------
// Fixture keys (TEST ONLY; see tests/fixtures/keys/README.md).

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/keys/", $name))
    };
}

/// The private JWK of a fixture key, by short name.
pub fn private_jwk(name: &str) -> Value {
    let text = match name {
        "rsa-a" => fixture!("rsa2048-a-test-only.jwk.json"),
        "rsa-b" => fixture!("rsa2048-b-test-only.jwk.json"),
        "rsa-1024" => fixture!("rsa1024-weak-test-only.jwk.json"),
        "ec-p256" => fixture!("ec-p256-test-only.jwk.json"),
        "ec-p256-attacker" => fixture!("ec-p256-attacker-test-only.jwk.json"),
        "ec-p384" => fixture!("ec-p384-test-only.jwk.json"),
        "ec-p521" => fixture!("ec-p521-test-only.jwk.json"),
        "ed25519" => fixture!("ed25519-test-only.jwk.json"),
        "ed25519-b" => fixture!("ed25519-b-test-only.jwk.json"),
        other => panic!("no fixture key {other}"),
    };
    serde_json::from_str(text).expect("fixture JWK is JSON")
}

/// The SPKI PEM of an RSA fixture key (the bytes a key-confusion attacker would use).
pub fn rsa_spki_pem(name: &str) -> &'static str {
    match name {
        "rsa-a" => fixture!("rsa2048-a-test-only.spki.pem"),
        "rsa-b" => fixture!("rsa2048-b-test-only.spki.pem"),
        other => panic!("no RSA fixture {other}"),
    }
}

/// The DER (SPKI) of an RSA fixture key.
pub fn rsa_spki_der(name: &str) -> Vec<u8> {
    let pem = rsa_spki_pem(name);
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    unb64_std(&body)
}

/// The RS256 token (kid `rsa-a`) whose signature starts with a zero octet.
pub fn leading_zero_rs256_token() -> &'static str {
    fixture!("rs256-leading-zero-signature.token").trim()
}

/// The public JWK of a fixture key, with `kid` set (when given): the private members removed.
pub fn public_jwk(name: &str, kid: Option<&str>) -> Value {
    let mut jwk = private_jwk(name);
    let map = jwk.as_object_mut().expect("JWK is an object");
    for member in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
        map.remove(member);
    }
    if let Some(kid) = kid {
        map.insert("kid".into(), Value::String(kid.into()));
    }
    jwk
}

/// An `oct` JWK holding `secret`.
pub fn oct_jwk(secret: &[u8], kid: Option<&str>) -> Value {
    let mut jwk = json!({"kty": "oct", "k": b64(secret)});
    if let Some(kid) = kid {
        jwk["kid"] = Value::String(kid.into());
    }
    jwk
}

/// A JWK with extra members merged in (`alg`, `use`, `key_ops`, ...).
pub fn with(mut jwk: Value, extra: Value) -> Value {
    let map = jwk.as_object_mut().expect("JWK is an object");
    for (name, value) in extra.as_object().expect("extra is an object") {
        map.insert(name.clone(), value.clone());
    }
    jwk
}

/// HMAC secrets of exactly the hash size (the minimum RFC 7518 §3.2 allows).
pub const HS256_SECRET: &[u8; 32] = b"conformance-hs256-secret-32bytes";
pub const HS384_SECRET: &[u8; 48] = b"conformance-hs384-secret-of-exactly-48-bytes-ok!";
pub const HS512_SECRET: &[u8; 64] =
    b"conformance-hs512-secret-of-exactly-sixty-four-bytes-for-sha512!";

/// A signing key for the test-side signer.
#[derive(Clone)]
pub enum SignKey {
    /// An HMAC secret.
    Hmac(Vec<u8>),
    /// An RSA private key (fixture name).
    Rsa(&'static str),
    /// An EC private key (fixture name).
    Ec(&'static str),
    /// An Ed25519 private key (fixture name).
    Ed25519(&'static str),
}

/// The signing key of a fixture, by the short names of [`private_jwk`], or an HMAC secret.
pub fn key(name: &'static str) -> SignKey {
    match name {
        "hs256" => SignKey::Hmac(HS256_SECRET.to_vec()),
        "hs384" => SignKey::Hmac(HS384_SECRET.to_vec()),
        "hs512" => SignKey::Hmac(HS512_SECRET.to_vec()),
        n if n.starts_with("rsa") => SignKey::Rsa(n),
        n if n.starts_with("ec-") => SignKey::Ec(n),
        n if n.starts_with("ed25519") => SignKey::Ed25519(n),
        other => panic!("no signing key {other}"),
    }
}

fn rsa_private(name: &str) -> &'static rsa::PrivateKey {
    use rsa::pkcs8::DecodePrivateKey;
    static A: OnceLock<rsa::PrivateKey> = OnceLock::new();
    static B: OnceLock<rsa::PrivateKey> = OnceLock::new();
    static WEAK: OnceLock<rsa::PrivateKey> = OnceLock::new();
    let (cell, pem) = match name {
        "rsa-a" => (&A, fixture!("rsa2048-a-test-only.pkcs8.pem")),
        "rsa-b" => (&B, fixture!("rsa2048-b-test-only.pkcs8.pem")),
        "rsa-1024" => (&WEAK, fixture!("rsa1024-weak-test-only.pkcs8.pem")),
        other => panic!("no RSA fixture {other}"),
    };
    cell.get_or_init(|| rsa::PrivateKey::from_pkcs8_pem(pem).expect("fixture PKCS#8 parses"))
}

fn jwk_d(name: &str) -> Vec<u8> {
    unb64(private_jwk(name)["d"].as_str().expect("fixture has d"))
}

/// Signs `input` as `alg` with `key`. ECDSA signatures are raw R||S (JWS form); PSS uses a salt
/// of the hash length.
pub fn sign(alg: Algorithm, key: &SignKey, input: &[u8]) -> Vec<u8> {
    use Algorithm::*;
    match (alg, key) {
        (HS256 | HS384 | HS512, SignKey::Hmac(secret)) => hmac_tag(alg, secret, input),
        (RS256 | RS384 | RS512 | PS256 | PS384 | PS512, SignKey::Rsa(name)) => {
            let salt = match alg {
                PS256 => 32,
                PS384 => 48,
                _ => 64,
            };
            rsa_sign(alg, name, input, salt)
        }
        (ES256 | ES384 | ES512, SignKey::Ec(name)) => ecdsa_sign(alg, name, input).0,
        (EdDSA | Ed25519, SignKey::Ed25519(name)) => {
            use ed25519_dalek::Signer;
            let d: [u8; 32] = jwk_d(name).try_into().expect("32-byte seed");
            ed25519_dalek::SigningKey::from_bytes(&d)
                .sign(input)
                .to_bytes()
                .to_vec()
        }
        (alg, _) => panic!("key type does not fit {alg}"),
    }
}

/// An HMAC tag (any secret, including ones the verifier must refuse).
pub fn hmac_tag(alg: Algorithm, secret: &[u8], input: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, KeyInit, Mac};
    fn tag<M: Mac + KeyInit>(secret: &[u8], input: &[u8]) -> Vec<u8> {
        let mut mac = <M as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
    match alg {
        Algorithm::HS256 => tag::<Hmac<sha2::Sha256>>(secret, input),
        Algorithm::HS384 => tag::<Hmac<sha2::Sha384>>(secret, input),
        Algorithm::HS512 => tag::<Hmac<sha2::Sha512>>(secret, input),
        other => panic!("{other} is not HMAC"),
    }
}

/// RSA PKCS#1 v1.5 or PSS (with the given salt length) over `input`.
pub fn rsa_sign(alg: Algorithm, name: &str, input: &[u8], pss_salt: usize) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    let private = rsa_private(name).clone();
    match alg {
        Algorithm::RS256 => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private)
            .sign(input)
            .to_vec(),
        Algorithm::RS384 => rsa::pkcs1v15::SigningKey::<sha2::Sha384>::new(private)
            .sign(input)
            .to_vec(),
        Algorithm::RS512 => rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private)
            .sign(input)
            .to_vec(),
        Algorithm::PS256 => {
            rsa::pss::SigningKey::<sha2::Sha256>::new_with_salt_len(private, pss_salt)
                .sign(input)
                .to_vec()
        }
        Algorithm::PS384 => {
            rsa::pss::SigningKey::<sha2::Sha384>::new_with_salt_len(private, pss_salt)
                .sign(input)
                .to_vec()
        }
        Algorithm::PS512 => {
            rsa::pss::SigningKey::<sha2::Sha512>::new_with_salt_len(private, pss_salt)
                .sign(input)
                .to_vec()
        }
        other => panic!("{other} is not RSA"),
    }
}

/// ECDSA over `input`: `(raw R||S, DER)`.
pub fn ecdsa_sign(alg: Algorithm, name: &str, input: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use p256::ecdsa::signature::Signer;
    let d = jwk_d(name);
    match alg {
        Algorithm::ES256 => {
            let key = p256::ecdsa::SigningKey::from_slice(&d).expect("P-256 scalar");
            let sig: p256::ecdsa::Signature = key.sign(input);
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        }
        Algorithm::ES384 => {
            let key = p384::ecdsa::SigningKey::from_slice(&d).expect("P-384 scalar");
            let sig: p384::ecdsa::Signature = key.sign(input);
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        }
        Algorithm::ES512 => {
            let key = p521::ecdsa::SigningKey::from_slice(&d).expect("P-521 scalar");
            let sig: p521::ecdsa::Signature = key.sign(input);
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        }
        other => panic!("{other} is not ECDSA"),
    }
}

/// The group order n of each NIST curve, big-endian, padded to the field size.
pub fn curve_order(alg: Algorithm) -> Vec<u8> {
    let hex = match alg {
        Algorithm::ES256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        Algorithm::ES384 => {
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"
        }
        Algorithm::ES512 => {
            "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"
        }
        other => panic!("{other} is not ECDSA"),
    };
    let mut bytes = from_hex(hex);
    let size = field_len(alg);
    while bytes.len() < size {
        bytes.insert(0, 0);
    }
    bytes
}

/// Octets of each of R and S.
pub fn field_len(alg: Algorithm) -> usize {
    match alg {
        Algorithm::ES256 => 32,
        Algorithm::ES384 => 48,
        Algorithm::ES512 => 66,
        other => panic!("{other} is not ECDSA"),
    }
}

pub fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Big-endian `a + b` (same length; the carry out is dropped).
pub fn be_add(a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a.len(), b.len());
    let mut out = vec![0u8; a.len()];
    let mut carry = 0u16;
    for i in (0..a.len()).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// Big-endian `a - b` for `a >= b` (same length).
pub fn be_sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a.len(), b.len());
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut diff = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if diff < 0 {
            diff += 256;
            borrow = 1;
        }
        out[i] = diff as u8;
    }
    assert_eq!(borrow, 0, "be_sub underflow");
    out
}

// ---------------------------------------------------------------------------------------------
// Token builders.

/// `b64(header).b64(payload).b64(sign(header.payload))` from raw header and payload octets.
pub fn compact(header: &[u8], payload: &[u8], alg: Algorithm, key: &SignKey) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = sign(alg, key, input.as_bytes());
    format!("{input}.{}", b64(signature))
}

/// A token whose header and claims are JSON values, signed as `alg` with `key`. The header is
/// used as given (so tests can lie in it); the signature is made with `alg`.
pub fn jwt(header: &Value, claims: &Value, alg: Algorithm, key: &SignKey) -> String {
    compact(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        alg,
        key,
    )
}

/// The header `{"alg": alg, "kid": kid}` (kid left out when `None`).
pub fn header(alg: &str, kid: Option<&str>) -> Value {
    let mut header = json!({ "alg": alg });
    if let Some(kid) = kid {
        header["kid"] = Value::String(kid.into());
    }
    header
}

/// Plain claims valid at [`NOW`]: `iss`, `sub`, `iat`, `nbf`, `exp` (no `aud`: a token with
/// `aud` needs a verifier configured with an audience).
pub fn claims() -> Value {
    json!({
        "iss": "https://issuer.example",
        "sub": "client-42",
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "exp": NOW + 600,
    })
}

/// `claims()` with members replaced, added (non-null) or removed (`null`).
pub fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    let map = claims.as_object_mut().expect("object");
    for (name, value) in changes.as_object().expect("changes are an object") {
        if value.is_null() {
            map.remove(name);
        } else {
            map.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// The fixture name of the key and the kid used in [`standard_jwks`] for each algorithm.
pub fn standard_key(alg: Algorithm) -> (&'static str, &'static str) {
    use Algorithm::*;
    match alg {
        HS256 => ("hs256", "hs256"),
        HS384 => ("hs384", "hs384"),
        HS512 => ("hs512", "hs512"),
        RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => ("rsa-a", "rsa-a"),
        ES256 => ("ec-p256", "ec-p256"),
        ES384 => ("ec-p384", "ec-p384"),
        ES512 => ("ec-p521", "ec-p521"),
        EdDSA | Ed25519 => ("ed25519", "ed25519"),
    }
}

/// A JWK Set with one key per algorithm family, each with a kid (no `alg` members).
pub fn standard_jwks_json() -> Value {
    json!({ "keys": [
        oct_jwk(HS256_SECRET, Some("hs256")),
        oct_jwk(HS384_SECRET, Some("hs384")),
        oct_jwk(HS512_SECRET, Some("hs512")),
        public_jwk("rsa-a", Some("rsa-a")),
        public_jwk("ec-p256", Some("ec-p256")),
        public_jwk("ec-p384", Some("ec-p384")),
        public_jwk("ec-p521", Some("ec-p521")),
        public_jwk("ed25519", Some("ed25519")),
    ]})
}

/// A token for `alg` with the standard key and kid, over `claims`.
pub fn standard_token(alg: Algorithm, claims: &Value) -> String {
    let (key_name, kid) = standard_key(alg);
    jwt(&header(alg.name(), Some(kid)), claims, alg, &key(key_name))
}

/// An HS256 token with the standard `hs256` key and kid over `claims`.
pub fn hs256(claims: &Value) -> String {
    standard_token(Algorithm::HS256, claims)
}

/// An HS256 token with the standard key, a custom header (its `alg` left as given) and claims.
pub fn hs256_with_header(header: &Value, claims: &Value) -> String {
    jwt(header, claims, Algorithm::HS256, &key("hs256"))
}

/// An HS256 token from raw header and payload octets.
pub fn hs256_raw(header: &[u8], payload: &[u8]) -> String {
    compact(header, payload, Algorithm::HS256, &key("hs256"))
}

// ---------------------------------------------------------------------------------------------
// Verifiers and assertions.

/// Parses a JWK Set, panicking with the configuration error (tests build valid sets).
pub fn jwks(set: &Value) -> Jwks {
    Jwks::from_json(&set.to_string()).unwrap_or_else(|err| panic!("JWK Set rejected: {err}\n{set}"))
}

/// A verifier over `set` with `policy`.
pub fn verifier_with(set: &Value, policy: Policy) -> Verifier {
    Verifier::new(jwks(set), policy).unwrap_or_else(|err| panic!("Verifier::new failed: {err}"))
}

/// A verifier over [`standard_jwks_json`] with `policy`.
pub fn verifier(policy: Policy) -> Verifier {
    verifier_with(&standard_jwks_json(), policy)
}

/// Asserts that `token` verifies at `now`, returning the result.
#[track_caller]
pub fn assert_valid(verifier: &Verifier, token: &str, now: i64) -> Verified {
    match verifier.verify(token, now) {
        Ok(verified) => verified,
        Err(err) => panic!(
            "expected a valid token, got {} ({err})\ntoken: {}",
            err.code(),
            shorten(token)
        ),
    }
}

/// Asserts that `token` is rejected at `now` with exactly `code`.
#[track_caller]
pub fn assert_code(verifier: &Verifier, token: &str, now: i64, code: ErrorCode) {
    match verifier.verify(token, now) {
        Ok(_) => panic!(
            "expected {code}, the token was ACCEPTED\ntoken: {}",
            shorten(token)
        ),
        Err(err) => assert_eq!(
            err.code(),
            code,
            "expected {code}, got {} ({err})\ntoken: {}",
            err.code(),
            shorten(token)
        ),
    }
}

/// Asserts that `token` is rejected at `now` with one of `codes` (only where the contract leaves
/// the choice open; the comment at the call says why).
#[track_caller]
pub fn assert_code_in(verifier: &Verifier, token: &str, now: i64, codes: &[ErrorCode]) {
    match verifier.verify(token, now) {
        Ok(_) => panic!(
            "expected one of {codes:?}, the token was ACCEPTED\ntoken: {}",
            shorten(token)
        ),
        Err(err) => assert!(
            codes.contains(&err.code()),
            "expected one of {codes:?}, got {} ({err})\ntoken: {}",
            err.code(),
            shorten(token)
        ),
    }
}

/// The token, cut in the middle when very long, for failure messages.
pub fn shorten(token: &str) -> String {
    if token.len() <= 400 {
        token.to_string()
    } else {
        let head: String = token.chars().take(200).collect();
        let tail: String = token
            .chars()
            .rev()
            .take(100)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{head}...({} bytes)...{tail}", token.len())
    }
}

/// Replaces segment `index` (0 header, 1 payload, 2 signature) of a compact token.
pub fn replace_segment(token: &str, index: usize, segment: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = segment;
    parts.join(".")
}

/// The signature octets of a compact token.
pub fn signature_of(token: &str) -> Vec<u8> {
    unb64(token.rsplit('.').next().expect("has a signature segment"))
}

/// The token with its signature replaced by `signature`.
pub fn with_signature(token: &str, signature: &[u8]) -> String {
    replace_segment(token, 2, &b64(signature))
}
