//! JWK Set parsing and `Jwks::lint()`: every lint code triggered by a real key set, skipped keys
//! never failing the parse, and documents that are not JWK Sets refused as configuration errors.
//!
//! Keys: tests/fixtures/crypto/lint-keys.json (real keys of each kind, made by
//! tests/fixtures/crypto/gen_lint_keys.py). Also, when ../shared/vectors is present, the key
//! sets of Wycheproof's json_web_key_test.json. Assertions are on codes, never on messages.
#![cfg(not(target_arch = "wasm32"))]
// The fixtures hold keys of every family.
#![cfg(all(
    feature = "hmac",
    feature = "rsa",
    feature = "ecdsa",
    feature = "eddsa"
))]
#![allow(clippy::unwrap_used, reason = "tests")]

use jwtward::{ConfigError, Jwks, LintCode};
use serde_json::{json, Map, Value};

fn fixture_keys() -> Map<String, Value> {
    let text = include_str!("fixtures/crypto/lint-keys.json");
    match serde_json::from_str(text).expect("lint-keys.json is JSON") {
        Value::Object(map) => map,
        _ => panic!("lint-keys.json is an object"),
    }
}

/// The fixture key `name` with `extra` members added (or replaced; `null` removes one).
fn key(name: &str, extra: Value) -> Value {
    let mut jwk = fixture_keys()[name]
        .as_object()
        .expect("a JWK object")
        .clone();
    for (member, value) in extra.as_object().expect("extra is an object") {
        if value.is_null() {
            jwk.remove(member);
        } else {
            jwk.insert(member.clone(), value.clone());
        }
    }
    Value::Object(jwk)
}

fn set(keys: Vec<Value>) -> String {
    json!({ "keys": keys }).to_string()
}

fn lint_codes(json: &str) -> Vec<(Option<String>, LintCode)> {
    let jwks = Jwks::from_json(json).expect("a JWK Set");
    jwks.lint().into_iter().map(|w| (w.kid, w.code)).collect()
}

/// A named key set and the (kid, code) warnings expected, in order.
type Case = (&'static str, Vec<Value>, Vec<(Option<String>, LintCode)>);

fn kid(name: &str) -> Option<String> {
    Some(name.to_string())
}

#[test]
fn a_clean_set_has_no_warnings() {
    let json = set(vec![
        key("rsa2048", json!({"kid": "r", "alg": "RS256", "use": "sig"})),
        key(
            "ec_p256",
            json!({"kid": "e256", "alg": "ES256", "key_ops": ["verify"]}),
        ),
        key("ec_p384", json!({"kid": "e384", "alg": "ES384"})),
        key("ec_p521", json!({"kid": "e521", "alg": "ES512"})),
        key("ed25519", json!({"kid": "ed", "alg": "EdDSA"})),
    ]);
    let jwks = Jwks::from_json(&json).unwrap();
    assert_eq!(jwks.keys().len(), 5);
    assert!(jwks.skipped().is_empty());
    assert_eq!(jwks.lint(), vec![]);
    // A set of secrets only is not "mixed".
    let secrets = set(vec![key("oct32", json!({"kid": "h", "alg": "HS256"}))]);
    assert_eq!(lint_codes(&secrets), vec![]);
}

#[test]
fn each_lint_code_is_triggered_by_a_real_set() {
    use LintCode::*;
    let cases: Vec<Case> = vec![
        (
            "no alg",
            vec![key("rsa2048", json!({"kid": "r"}))],
            vec![(kid("r"), MissingAlg)],
        ),
        (
            "duplicate kid",
            vec![
                key("ec_p256", json!({"kid": "k", "alg": "ES256"})),
                key("ed25519", json!({"kid": "k", "alg": "EdDSA"})),
                key("ec_p256", json!({"kid": "k"})),
                key("ec_p256", json!({"kid": "k", "alg": "ES256", "use": "sig"})),
            ],
            // One warning per ambiguous kid, at the key that makes it ambiguous (the third: the
            // Ed25519 key cannot verify ES256).
            vec![(kid("k"), DuplicateKid), (kid("k"), MissingAlg)],
        ),
        (
            // RFC 7517 §4.5: keys of different types, or restricted to different algorithms,
            // may share a kid; a weak or skipped key sharing it cannot serve at all. None is
            // ambiguous.
            "kid shared by keys that never serve the same algorithm",
            vec![
                key("ec_p256", json!({"kid": "k", "alg": "ES256"})),
                key("ed25519", json!({"kid": "k", "alg": "EdDSA"})),
                key("ec_p384", json!({"kid": "k", "alg": "ES384"})),
                key("rsa2048", json!({"kid": "k", "alg": "RS256"})),
                key("rsa2048", json!({"kid": "k", "alg": "PS256"})),
                key("oct32", json!({"kid": "k", "alg": "HS256"})),
                key("rsa1024", json!({"kid": "r", "alg": "RS256"})),
                key("rsa2048", json!({"kid": "r", "alg": "RS256"})),
                key("ec_p256", json!({"kid": "s", "alg": "ES256", "y": null})),
                key("ec_p256", json!({"kid": "s", "alg": "ES256"})),
                key("ec_p256", json!({"kid": "u", "alg": "ES256", "use": "enc"})),
                key("ec_p256", json!({"kid": "u", "alg": "ES256"})),
            ],
            vec![
                (kid("k"), MixedSymmetric),
                (kid("r"), WeakRsaKey),
                (kid("s"), SkippedKey),
                (kid("u"), EncryptionKey),
            ],
        ),
        (
            "1024-bit RSA",
            vec![key("rsa1024", json!({"kid": "w", "alg": "RS256"}))],
            vec![(kid("w"), WeakRsaKey)],
        ),
        (
            "use enc",
            vec![key(
                "rsa2048",
                json!({"kid": "e", "alg": "RSA-OAEP-256", "use": "enc"}),
            )],
            vec![(kid("e"), EncryptionKey)],
        ),
        (
            "private EC key",
            vec![key("ec_p256_private", json!({"kid": "p", "alg": "ES256"}))],
            vec![(kid("p"), PrivateMembers)],
        ),
        (
            "private members on a skipped key",
            vec![key("ed448", json!({"kid": "p448", "d": "AAAA"}))],
            vec![(kid("p448"), PrivateMembers), (kid("p448"), UnsupportedKey)],
        ),
        (
            "oct mixed with RSA",
            vec![
                key("rsa2048", json!({"kid": "r", "alg": "RS256"})),
                key("oct32", json!({"kid": "h", "alg": "HS256"})),
                key("oct32", json!({"kid": "h2", "alg": "HS256"})),
            ],
            // Once, at the first oct key.
            vec![(kid("h"), MixedSymmetric)],
        ),
        (
            "unsupported kty/crv",
            vec![
                key("ed448", json!({"kid": "a"})),
                key("x25519", json!({"kid": "b", "use": "enc"})),
                key("ec_secp256k1", json!({"kid": "c", "alg": "ES256K"})),
                json!({"kty": "AKP", "kid": "d", "alg": "ML-DSA-44", "pub": "AAAA"}),
            ],
            vec![
                (kid("a"), UnsupportedKey),
                (kid("b"), UnsupportedKey),
                (kid("c"), UnsupportedKey),
                (kid("d"), UnsupportedKey),
            ],
        ),
        (
            "malformed keys",
            vec![
                key("ec_p256", json!({"kid": "no-y", "alg": "ES256", "y": null})),
                key(
                    "ed25519",
                    json!({"kid": "padded", "alg": "EdDSA", "x": "AAAA="}),
                ),
                key(
                    "rsa2048",
                    json!({"kid": "num-e", "alg": "RS256", "e": 65537}),
                ),
                key(
                    "oct32",
                    json!({"kid": "ops", "alg": "HS256", "key_ops": "verify"}),
                ),
                json!({"kid": "no-kty"}),
            ],
            vec![
                (kid("no-y"), SkippedKey),
                (kid("padded"), SkippedKey),
                (kid("num-e"), SkippedKey),
                (kid("ops"), SkippedKey),
                (kid("no-kty"), SkippedKey),
            ],
        ),
        (
            "HMAC secrets shorter than the hash",
            vec![
                key("oct16", json!({"kid": "short", "alg": "HS256"})),
                key("oct32", json!({"kid": "hs512", "alg": "HS512"})),
                key("oct16", json!({"kid": "no-alg"})),
                key("oct32", json!({"kid": "ok", "alg": "HS256"})),
            ],
            vec![
                (kid("short"), UnusableKey),
                (kid("hs512"), UnusableKey),
                // Too short for every HS algorithm; its missing alg is reported first.
                (kid("no-alg"), MissingAlg),
                (kid("no-alg"), UnusableKey),
            ],
        ),
        (
            "asymmetric keys that can never verify",
            vec![
                key("ec_p384", json!({"kid": "curve", "alg": "ES256"})),
                key(
                    "ed25519",
                    json!({"kid": "ops", "alg": "EdDSA", "key_ops": ["sign"]}),
                ),
                key("rsa2048", json!({"kid": "e1", "alg": "RS256", "e": "AQ"})),
                key("ec_p256", json!({"kid": "aes", "alg": "A256GCM"})),
                key(
                    "ec_p256",
                    json!({"kid": "use", "alg": "ES256", "use": "other"}),
                ),
            ],
            vec![
                (kid("curve"), UnusableKey),
                (kid("ops"), UnusableKey),
                (kid("e1"), UnusableKey),
                (kid("aes"), UnusableKey),
                (kid("use"), UnusableKey),
            ],
        ),
    ];
    for (name, keys, expected) in cases {
        let json = set(keys);
        assert_eq!(lint_codes(&json), expected, "{name}");
    }
}

#[test]
fn warnings_follow_document_order() {
    use LintCode::*;
    let json = set(vec![
        key("rsa2048", json!({"kid": "rsa-1", "alg": "RS256"})),
        key("rsa2048", json!({"kid": "rsa-2"})),
        key("x25519", json!({"kid": "x"})),
        key("rsa1024", json!({"kid": "old", "alg": "RS256"})),
        key(
            "ec_p256",
            json!({"kid": "enc-1", "alg": "ECDH-ES", "use": "enc"}),
        ),
        key("ec_p256_private", json!({"kid": "leak", "alg": "ES256"})),
        key(
            "ed25519",
            json!({"kid": "bad", "alg": "EdDSA", "x": "AAAA"}),
        ),
        key("oct32", json!({"kid": "hmac", "alg": "HS256"})),
        key("rsa2048", json!({"kid": "rsa-1", "alg": "RS256"})),
        key("oct16", json!({"kid": "short", "alg": "HS256"})),
    ]);
    let jwks = Jwks::from_json(&json).unwrap();
    assert_eq!(jwks.keys().len(), 8);
    assert_eq!(jwks.skipped().len(), 2);
    assert_eq!(
        lint_codes(&json),
        vec![
            (kid("rsa-2"), MissingAlg),
            (kid("x"), UnsupportedKey),
            (kid("old"), WeakRsaKey),
            (kid("enc-1"), EncryptionKey),
            (kid("leak"), PrivateMembers),
            (kid("bad"), SkippedKey),
            (kid("hmac"), MixedSymmetric),
            (kid("rsa-1"), DuplicateKid),
            (kid("short"), UnusableKey),
        ]
    );
    // Every warning has a message for people.
    assert!(jwks.lint().iter().all(|w| !w.message.is_empty()));
}

#[test]
fn skipped_keys_do_not_fail_parsing() {
    let json = set(vec![
        key("ed448", json!({})),
        key("x25519", json!({})),
        json!("not a key"),
        json!(42),
        json!({"kty": "EC", "crv": "P-256"}),
        key("ec_p256", json!({"kid": 7})),
    ]);
    let jwks = Jwks::from_json(&json).expect("skipped keys are not fatal");
    assert!(jwks.keys().is_empty());
    assert_eq!(jwks.skipped().len(), 6);
    let unsupported: Vec<bool> = jwks.skipped().iter().map(|s| s.is_unsupported()).collect();
    assert_eq!(unsupported, [true, true, false, false, false, false]);
    // Usable keys around skipped ones keep their order.
    let json = set(vec![
        key("ed448", json!({"kid": "a"})),
        key("ed25519", json!({"kid": "b", "alg": "EdDSA"})),
        json!(null),
        key("ec_p256", json!({"kid": "c", "alg": "ES256"})),
    ]);
    let jwks = Jwks::from_json(&json).unwrap();
    let kids: Vec<Option<&str>> = jwks.keys().iter().map(|k| k.kid()).collect();
    assert_eq!(kids, [Some("b"), Some("c")]);
}

#[test]
fn documents_that_are_not_jwk_sets_are_config_errors() {
    let single_jwk = key("ec_p256", json!({"alg": "ES256"})).to_string();
    let array_of_keys = json!([key("ec_p256", json!({}))]).to_string();
    let many_keys = set(vec![json!({"kty": "none"}); Jwks::MAX_KEYS + 1]);
    let huge = format!(
        r#"{{"keys":[],"padding":"{}"}}"#,
        "a".repeat(Jwks::MAX_DOCUMENT_LEN)
    );
    for document in [
        "",
        "not json",
        "null",
        "\"keys\"",
        r#"{"keys":null}"#,
        r#"{"keys":{"kty":"oct"}}"#,
        r#"{"Keys":[]}"#,
        r#"{"keys":[],"keys":[]}"#,
        r#"{"keys":[]}garbage"#,
        "\u{feff}{\"keys\":[]}",
        &single_jwk,
        &array_of_keys,
        &many_keys,
        &huge,
    ] {
        match Jwks::from_json(document) {
            Err(ConfigError::InvalidJwks(_)) => {}
            other => panic!("{:.60?}: expected InvalidJwks, got {other:?}", document),
        }
    }
    // The boundary itself is fine, and members beside `keys` are allowed.
    let at_max = set(vec![json!({"kty": "none"}); Jwks::MAX_KEYS]);
    assert_eq!(
        Jwks::from_json(&at_max).unwrap().skipped().len(),
        Jwks::MAX_KEYS
    );
    assert!(Jwks::from_json(r#"{"keys":[],"issuer":"x"}"#).is_ok());
}

#[test]
fn lint_code_names_are_stable() {
    use LintCode::*;
    let names: Vec<&str> = [
        MissingAlg,
        DuplicateKid,
        WeakRsaKey,
        EncryptionKey,
        PrivateMembers,
        MixedSymmetric,
        UnsupportedKey,
        SkippedKey,
        UnusableKey,
    ]
    .iter()
    .map(|code| code.as_str())
    .collect();
    assert_eq!(
        names,
        [
            "missing_alg",
            "duplicate_kid",
            "weak_rsa_key",
            "encryption_key",
            "private_members",
            "mixed_symmetric",
            "unsupported_key",
            "skipped_key",
            "unusable_key",
        ]
    );
}

/// Wycheproof's JWK key sets (json_web_key_test.json), when ../shared/vectors is present: the
/// lint names what each set was built to show (the test names are Wycheproof's).
#[test]
fn wycheproof_key_sets() {
    use LintCode::*;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/vectors/wycheproof-raw/json_web_key_test.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("SKIPPED: {path} is absent");
        return;
    };
    let file: Value = serde_json::from_str(&text).expect("Wycheproof JSON");
    let groups = file["testGroups"].as_array().expect("testGroups");
    let mut checked = 0;
    for group in groups {
        let test = group["tests"][0]["comment"].as_str().unwrap_or_default();
        // The published set: the public one where Wycheproof has it, else the (secret) one.
        let (keyset, is_private) = match group.get("public") {
            Some(public) => (public, false),
            None => (&group["private"], true),
        };
        let expected: &[LintCode] = match test {
            "rejectsValid" => &[MixedSymmetric],
            // The second key's `k` ends in "ge": non-zero unused bits, not strict base64url
            // (RFC 7515 §2), so it is skipped, and a skipped key never makes its kid ambiguous:
            // tokens naming the kid use the one sound key.
            "rejectsDuplicateKid" => &[SkippedKey],
            "rejectsWrongUse" => &[EncryptionKey],
            // ROCA (CVE-2017-15361): still accepted for verification, but flagged as weak.
            "rejectsKeyWithRocaVulnerability" => &[WeakRsaKey],
            // Exponent 1, short HMAC secrets, alg not fitting the key, a point off the curve,
            // AES keys.
            "rejectsPublicExponent1"
            | "key_too_short"
            | "mismatchedAlgAndCurve"
            | "rejectsAesKey" => &[UnusableKey],
            "rejects1024bitRsaKey" => &[WeakRsaKey],
            "empty_key" => &[SkippedKey],
            "acceptsValid" | "long_key" => &[],
            // "rejectsModifiedKey": use enc, point off the curve, curve/alg mismatch, wrong kty.
            "rejectsModifiedKey" => match group["comment"].as_str() {
                Some("invalid_use") => &[EncryptionKey],
                Some("invalid_point") => &[UnusableKey],
                // P-256-sized coordinates under crv P-384; RSA without n and e.
                Some("wrong_curve") | Some("wrong_kty") => &[SkippedKey],
                other => panic!("unknown rejectsModifiedKey group {other:?}"),
            },
            other => panic!("unknown Wycheproof JWK test {other:?}"),
        };
        let jwks = Jwks::from_json(&keyset.to_string()).expect("a JWK Set");
        let codes: Vec<LintCode> = jwks.lint().into_iter().map(|w| w.code).collect();
        assert_eq!(codes, expected, "{} / {test}", group["comment"]);
        checked += 1;

        // The private sets (where there is also a public one) leak private keys.
        if let (Some(private), false) = (group.get("private"), is_private) {
            let jwks = Jwks::from_json(&private.to_string()).expect("a JWK Set");
            let codes: Vec<LintCode> = jwks.lint().into_iter().map(|w| w.code).collect();
            assert!(
                codes.contains(&PrivateMembers),
                "{} private: {codes:?}",
                group["comment"]
            );
        }
    }
    assert!(checked >= 20, "only {checked} Wycheproof key sets");
    println!("Wycheproof JWK key sets: {checked} linted as expected");
}
