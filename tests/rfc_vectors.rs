//! The published examples of RFC 7515 (Appendix A), RFC 7520 (Section 4) and RFC 8037
//! (Appendix A), verified with their RFC keys. The tokens and keys live in `tests/vectors/*.json`,
//! copied verbatim from the RFC texts; each vector names its section and figures.
//!
//! Several examples sign payloads that are not JSON objects (a text paragraph, "Payload"). Those
//! are valid JWS but not valid JWTs: the engine must accept the signature and then reject the
//! payload as `malformed` (contract rule 6: the payload is checked after the signature). Each such
//! test proves both halves: the intact token is `malformed`, the explain checklist shows the
//! signature check passed, and the same token with one signature bit flipped is `bad_signature`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use jwtward::{Algorithm, CheckStatus, ErrorCode, Policy, Verifier};
use serde_json::Value;

/// One vector of a `tests/vectors/*.json` file.
struct Vector {
    name: String,
    section: String,
    token: String,
    jwks: Value,
    now: i64,
    expect: String,
}

fn load(file: &str, name: &str) -> Vector {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"));
    assert!(
        doc["source"].as_str().is_some_and(|s| s.contains("RFC")),
        "{path} must name its source"
    );
    let vector = doc["vectors"]
        .as_array()
        .expect("vectors array")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no vector {name}"));
    Vector {
        name: name.to_string(),
        section: vector["section"].as_str().expect("section").to_string(),
        token: vector["token"].as_str().expect("token").to_string(),
        jwks: vector["jwks"].clone(),
        now: vector["now"].as_i64().expect("now"),
        expect: vector["expect"].as_str().expect("expect").to_string(),
    }
}

fn verifier_for(vector: &Vector, policy: Policy) -> Verifier {
    verifier_with(&vector.jwks, policy)
}

/// The token with the last signature octet's low bit flipped.
fn flip_signature_bit(token: &str) -> String {
    let mut signature = signature_of(token);
    let last = signature.len() - 1;
    signature[last] ^= 1;
    with_signature(token, &signature)
}

/// RFC 7520 Section 3's keys as one JWK Set (the file's `section3_jwks`): the EC and RSA keys
/// share the kid `bilbo.baggins@hobbiton.example`, beside the HMAC key.
fn rfc7520_section3_jwks() -> Value {
    let path = format!(
        "{}/tests/vectors/rfc7520-section4.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"));
    assert!(doc["section3_jwks_source"]
        .as_str()
        .is_some_and(|s| s.contains("RFC 7520")));
    doc["section3_jwks"].clone()
}

/// Runs a vector against its own JWK Set: see [`check_with`].
fn check(vector: &Vector) {
    check_with(vector, &vector.jwks);
}

/// Runs a vector against `jwks`: its expected verdict, then (for the non-JWT payloads) the proof
/// that the signature layer accepted it, then a flipped-bit copy that must be `bad_signature`.
fn check_with(vector: &Vector, jwks: &Value) {
    let verifier = verifier_with(jwks, Policy::new());
    let context = format!("{} ({})", vector.name, vector.section);
    if vector.expect == "valid" {
        if let Err(err) = verifier.verify(&vector.token, vector.now) {
            panic!("{context}: expected valid, got {} ({err})", err.code());
        }
    } else {
        let code = ErrorCode::from_name(&vector.expect).expect("known code");
        match verifier.verify(&vector.token, vector.now) {
            Ok(_) => panic!("{context}: expected {code}, the token was ACCEPTED"),
            Err(err) => assert_eq!(
                err.code(),
                code,
                "{context}: expected {code}, got {} ({err})",
                err.code()
            ),
        }
    }
    if vector.expect == "valid" || vector.expect == "malformed" {
        // The signature check itself passed: the explain checklist says so, and agrees with verify.
        let explanation = verifier.explain(&vector.token, vector.now);
        let signature = explanation
            .checks
            .iter()
            .find(|c| c.id == "signature")
            .expect("signature check listed");
        assert_eq!(
            signature.status,
            CheckStatus::Passed,
            "{context}: signature check: {}",
            signature.detail
        );
        assert_eq!(
            explanation.result.as_ref().err().map(|e| e.code()),
            verifier
                .verify(&vector.token, vector.now)
                .err()
                .map(|e| e.code()),
            "{context}: explain and verify disagree"
        );
        // A one-bit change of the signature is caught by the signature layer, before the payload.
        assert_code(
            &verifier,
            &flip_signature_bit(&vector.token),
            vector.now,
            ErrorCode::BadSignature,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7515 Appendix A

/// RFC 7515 Appendix A.1: HS256 over the `joe` claims, the A.1 symmetric JWK.
#[test]
fn rfc7515_a1_hs256() {
    let vector = load("rfc7515-appendix-a.json", "A.1 HS256");
    check(&vector);
    let verifier = verifier_for(&vector, Policy::new());
    let verified = assert_valid(&verifier, &vector.token, vector.now);
    assert_eq!(verified.algorithm(), Algorithm::HS256);
    assert_eq!(verified.header().typ(), Some("JWT"));
    assert_eq!(verified.claims().iss(), Some("joe"));
    assert_eq!(verified.claims().exp(), Some(1_300_819_380.0));
    assert_eq!(
        verified.claims().get("http://example.com/is_root"),
        Some(&Value::Bool(true))
    );
    assert_eq!(verified.kid(), None, "the A.1 JWK has no kid");
    // exp = 1300819380: expired exactly at exp (contract rule 7: now >= exp + t).
    assert_code(&verifier, &vector.token, 1_300_819_380, ErrorCode::Expired);
    // A policy that only allows RS256 does not allow this HS256 token.
    let rs_only = verifier_for(&vector, Policy::new().algorithms([Algorithm::RS256]));
    assert_code(
        &rs_only,
        &vector.token,
        vector.now,
        ErrorCode::AlgNotAllowed,
    );
}

/// RFC 7515 Appendix A.2: RS256 over the `joe` claims, the A.2 RSA JWK (given with its private
/// members, which the verifier must ignore).
#[test]
fn rfc7515_a2_rs256() {
    let vector = load("rfc7515-appendix-a.json", "A.2 RS256");
    check(&vector);
    let verifier = verifier_for(&vector, Policy::new().algorithms([Algorithm::RS256]));
    let verified = assert_valid(&verifier, &vector.token, vector.now);
    assert_eq!(verified.algorithm(), Algorithm::RS256);
    assert_eq!(verified.claims().iss(), Some("joe"));
    assert_code(&verifier, &vector.token, 1_300_819_380, ErrorCode::Expired);
    // The payload is part of the signing input: another payload under the same signature fails.
    let tampered = replace_segment(&vector.token, 1, &b64(br#"{"iss":"joe","exp":9999999999}"#));
    assert_code(&verifier, &tampered, vector.now, ErrorCode::BadSignature);
}

/// RFC 7515 Appendix A.3: ES256 over the `joe` claims, the A.3 P-256 JWK.
#[test]
fn rfc7515_a3_es256() {
    let vector = load("rfc7515-appendix-a.json", "A.3 ES256");
    check(&vector);
    let verifier = verifier_for(&vector, Policy::new());
    let verified = assert_valid(&verifier, &vector.token, vector.now);
    assert_eq!(verified.algorithm(), Algorithm::ES256);
    assert_eq!(
        verified.claims().get("http://example.com/is_root"),
        Some(&Value::Bool(true))
    );
    assert_code(&verifier, &vector.token, 1_300_819_380, ErrorCode::Expired);
}

/// RFC 7515 Appendix A.4: ES512 over the octets "Payload", the A.4 P-521 JWK. A valid JWS whose
/// payload is not a JSON object: `malformed` after a successful signature check.
#[test]
fn rfc7515_a4_es512() {
    let vector = load("rfc7515-appendix-a.json", "A.4 ES512");
    assert_eq!(vector.expect, "malformed");
    check(&vector);
    // The P-521 signature is R||S of 66 + 66 octets; one octet short is an encoding error.
    let verifier = verifier_for(&vector, Policy::new());
    let signature = signature_of(&vector.token);
    assert_eq!(signature.len(), 132);
    assert_code(
        &verifier,
        &with_signature(&vector.token, &signature[..131]),
        vector.now,
        ErrorCode::BadSignature,
    );
}

/// RFC 7515 Appendix A.5: the unsecured JWS (`alg: none`, empty signature) is never accepted,
/// even by a verifier whose JWK Set holds the A.1 secret.
#[test]
fn rfc7515_a5_unsecured_none() {
    let vector = load("rfc7515-appendix-a.json", "A.5 unsecured");
    assert_eq!(vector.expect, "unsupported_alg");
    check(&vector);
    // Still unsupported_alg when the policy names every supported algorithm explicitly.
    let verifier = verifier_for(&vector, Policy::new().algorithms(Algorithm::ALL));
    assert_code(
        &verifier,
        &vector.token,
        vector.now,
        ErrorCode::UnsupportedAlg,
    );
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 Section 4 (the JOSE Cookbook). Every payload is Figure 7's text paragraph.

/// RFC 7520 §4.1: RS256 with the Figure 3 RSA key (kid bilbo.baggins@hobbiton.example), Figure 13.
#[test]
fn rfc7520_4_1_rs256() {
    let vector = load("rfc7520-section4.json", "4.1 RS256");
    assert_eq!(vector.expect, "malformed");
    check(&vector);
}

/// RFC 7520 §4.2: PS384 (salt 48 octets) with the Figure 3 RSA key, Figure 20.
#[test]
fn rfc7520_4_2_ps384() {
    let vector = load("rfc7520-section4.json", "4.2 PS384");
    assert_eq!(vector.expect, "malformed");
    check(&vector);
    // The same key named for another algorithm: the signature is PSS/SHA-384, not PKCS#1/SHA-384.
    let as_rs384 = replace_segment(
        &vector.token,
        0,
        &b64(br#"{"alg":"RS384","kid":"bilbo.baggins@hobbiton.example"}"#),
    );
    assert_code(
        &verifier_for(&vector, Policy::new()),
        &as_rs384,
        vector.now,
        ErrorCode::BadSignature,
    );
}

/// RFC 7520 §4.3: ES512 with the Figure 1 P-521 key, Figure 27.
#[test]
fn rfc7520_4_3_es512() {
    let vector = load("rfc7520-section4.json", "4.3 ES512");
    assert_eq!(vector.expect, "malformed");
    check(&vector);
}

/// RFC 7520 §4.4: HS256 with the Figure 5 symmetric key, Figure 34.
#[test]
fn rfc7520_4_4_hs256() {
    let vector = load("rfc7520-section4.json", "4.4 HS256");
    assert_eq!(vector.expect, "malformed");
    check(&vector);
    // The Figure 5 key says alg HS256: a token naming HS512 with its kid cannot use it.
    let verifier = verifier_for(&vector, Policy::new());
    let hs512 = compact(
        br#"{"alg":"HS512","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"}"#,
        br#"{"sub":"x"}"#,
        Algorithm::HS512,
        &SignKey::Hmac(unb64("hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg")),
    );
    assert_code(&verifier, &hs512, vector.now, ErrorCode::KeyMismatch);
}

/// RFC 7520 §4.5: detached content, Figure 41 (`<header>..<signature>`). A JWT verifier has no
/// out-of-band payload: the empty payload segment is the payload, the MAC (made over the real
/// payload) does not match it, so `bad_signature`. With the payload put back it is §4.4's token,
/// whose signature verifies.
#[test]
fn rfc7520_4_5_detached_content() {
    let vector = load("rfc7520-section4.json", "4.5 detached content");
    assert_eq!(vector.expect, "bad_signature");
    check(&vector);
    let attached = load("rfc7520-section4.json", "4.4 HS256");
    let parts: Vec<&str> = vector.token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(
        parts[1].is_empty(),
        "the detached form has an empty payload segment"
    );
    let reattached = replace_segment(
        &vector.token,
        1,
        attached.token.split('.').nth(1).expect("payload"),
    );
    assert_eq!(reattached, attached.token);
    assert_code(
        &verifier_for(&vector, Policy::new()),
        &reattached,
        vector.now,
        ErrorCode::Malformed,
    );
}

/// RFC 7520 §4.1–4.4 against the RFC's own JWK Set, where the RSA (Figure 3) and EC (Figure 1)
/// keys share the kid `bilbo.baggins@hobbiton.example` (RFC 7517 §4.5): the algorithm selects
/// the key, each signature verifies, and each example reaches its true outcome (`malformed`,
/// its payload being text). A kid shared by keys of different types is not ambiguous.
#[test]
fn rfc7520_4_1_to_4_4_with_the_section_3_jwk_set() {
    let jwks = rfc7520_section3_jwks();
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys[0]["kid"], keys[1]["kid"],
        "the EC and RSA keys share a kid"
    );
    assert_ne!(keys[0]["kty"], keys[1]["kty"]);
    for name in ["4.1 RS256", "4.2 PS384", "4.3 ES512", "4.4 HS256"] {
        let vector = load("rfc7520-section4.json", name);
        assert_eq!(vector.expect, "malformed");
        check_with(&vector, &jwks);
    }
    // An algorithm neither bilbo key can serve is a mismatch, not an ambiguity.
    let verifier = verifier_with(&jwks, Policy::new());
    let es256 = load("rfc7520-section4.json", "4.3 ES512").token.replacen(
        &b64(br#"{"alg":"ES512","kid":"bilbo.baggins@hobbiton.example"}"#),
        &b64(br#"{"alg":"ES256","kid":"bilbo.baggins@hobbiton.example"}"#),
        1,
    );
    assert!(es256.starts_with(&b64(br#"{"alg":"ES256","#)));
    assert_code(&verifier, &es256, 1_750_000_000, ErrorCode::KeyMismatch);
}

// ---------------------------------------------------------------------------------------------
// RFC 8037 Appendix A

/// RFC 8037 Appendix A.4: Ed25519 over "Example of Ed25519 signing", with the A.2 public key.
#[test]
fn rfc8037_a4_ed25519_public_key() {
    let vector = load(
        "rfc8037-appendix-a.json",
        "A.4 Ed25519 with the A.2 public key",
    );
    assert_eq!(vector.expect, "malformed");
    check(&vector);
    // The allow-list is by name: EdDSA allowed, the token verifies; only Ed25519 (RFC 9864's
    // name) allowed, the EdDSA-named token is not allowed.
    let verifier = verifier_for(&vector, Policy::new().algorithms([Algorithm::EdDSA]));
    assert_code(&verifier, &vector.token, vector.now, ErrorCode::Malformed);
    let ed25519_only = verifier_for(&vector, Policy::new().algorithms([Algorithm::Ed25519]));
    assert_code(
        &ed25519_only,
        &vector.token,
        vector.now,
        ErrorCode::AlgNotAllowed,
    );
}

/// RFC 8037 Appendix A.4 with the A.1 private key as the JWK: private members ignored.
#[test]
fn rfc8037_a4_ed25519_private_key_jwk() {
    let vector = load(
        "rfc8037-appendix-a.json",
        "A.4 Ed25519 with the A.1 private key",
    );
    assert_eq!(vector.expect, "malformed");
    check(&vector);
}

/// The RFC 8037 A.4 signature with S + L (same value mod L, non-canonical): `bad_signature`.
#[test]
fn rfc8037_a4_ed25519_s_plus_l() {
    let vector = load(
        "rfc8037-appendix-a.json",
        "A.4 Ed25519 with the A.2 public key",
    );
    let verifier = verifier_for(&vector, Policy::new());
    let signature = signature_of(&vector.token);
    let malleated = ed25519_add_l(&signature);
    assert_code(
        &verifier,
        &with_signature(&vector.token, &malleated),
        vector.now,
        ErrorCode::BadSignature,
    );
}

/// S + L, where S is the little-endian second half of an Ed25519 signature.
fn ed25519_add_l(signature: &[u8]) -> Vec<u8> {
    // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut out = signature.to_vec();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(out[32 + i]) + u16::from(L[i]) + carry;
        out[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L fits in 32 octets since S < L < 2^253");
    out
}
