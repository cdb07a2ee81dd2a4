//! wasm-bindgen tests of the bindings in `src/wasm/`: error objects and codes, the conversion of
//! JavaScript options into a policy, and what the package's cache and platform crypto get.
//!
//! Run in Node and in headless Chromium by `scripts/test-wasm-pack.sh`
//! (`wasm-pack test --node -- --features wasm --test wasm_bindings`, and the same with
//! `--headless --chrome` and `WASM_BINDGEN_USE_BROWSER=1`). Native `cargo test` skips this file.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use hmac::{Hmac, KeyInit, Mac};
use js_sys::{Array, Reflect, JSON};
use jwtward::wasm::{decode_text, inspect, js_code, lint_jwks, Platform, WasmVerifier};
use jwtward::{Error, ErrorCode};
use sha2::{Digest, Sha256};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_750_000_000.0;
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// An HS256 token over `payload` (JSON text) signed with SECRET, kid `k1`.
fn token(payload: &str) -> String {
    let input = format!(
        "{}.{}",
        b64url(br#"{"alg":"HS256","kid":"k1"}"#),
        b64url(payload.as_bytes())
    );
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url(&mac.finalize().into_bytes()))
}

fn jwks_json() -> String {
    format!(
        r#"{{"keys":[{{"kty":"oct","kid":"k1","alg":"HS256","k":"{}"}}]}}"#,
        b64url(SECRET)
    )
}

/// Options object from JSON text with the JWK Set added.
fn options(extra: &str) -> JsValue {
    let text = if extra.is_empty() {
        format!(r#"{{"jwks":{}}}"#, jwks_json())
    } else {
        format!(r#"{{"jwks":{},{extra}}}"#, jwks_json())
    };
    JSON::parse(&text).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn get_str(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

fn get_num(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap()
}

/// `(code, field)` of a thrown construction error.
fn construction_error(options: &JsValue) -> (String, Option<String>) {
    match WasmVerifier::new(options) {
        Ok(_) => panic!("accepted options {:?}", JSON::stringify(options).ok()),
        Err(error) => (get_str(&error, "code").unwrap(), get_str(&error, "field")),
    }
}

#[wasm_bindgen_test]
fn verify_returns_a_plain_object() {
    let mut verifier = WasmVerifier::new(&options(r#""issuer":"iss-1""#)).unwrap();
    let result = verifier
        .verify(
            &token(r#"{"iss":"iss-1","sub":"u","exp":1750000060,"scope":"a b","n":5}"#),
            NOW,
            None,
        )
        .unwrap();
    let payload = get(&result, "payload");
    assert_eq!(get_str(&payload, "sub").as_deref(), Some("u"));
    assert_eq!(get_num(&payload, "n"), 5.0);
    assert_eq!(
        get_str(&get(&result, "header"), "alg").as_deref(),
        Some("HS256")
    );
    assert_eq!(get_str(&result, "alg").as_deref(), Some("HS256"));
    assert_eq!(get_str(&result, "kid").as_deref(), Some("k1"));
    let scopes: Array = get(&result, "scopes").into();
    assert_eq!(scopes.length(), 2);
    assert_eq!(scopes.get(1).as_string().as_deref(), Some("b"));
}

/// Strings the core writes into a result (scopes, messages) come back from `JSON.parse` as they
/// were: quotes, backslashes, control characters and non-ASCII included.
#[wasm_bindgen_test]
fn result_strings_survive_the_json_text() {
    let scopes = [
        "q\"uote",
        "back\\slash",
        "ctl\u{1}\u{1f}\u{7f}",
        "tab\tnl\n",
        "é€😀",
        "</script>",
    ];
    let payload = serde_json::json!({ "scope": scopes.join(" "), "exp": 1_750_000_060 });
    let mut verifier = WasmVerifier::new(&options("")).unwrap();
    let text = verifier
        .verify_text(token(&payload.to_string()).as_bytes(), NOW, None)
        .unwrap();
    let result = JSON::parse(&text.as_string().unwrap()).unwrap();
    let granted: Vec<String> = Array::from(&get(&result, "scopes"))
        .iter()
        .map(|scope| scope.as_string().unwrap())
        .collect();
    assert_eq!(granted, scopes);
}

#[wasm_bindgen_test]
fn every_core_code_becomes_err_jwt_upper() {
    for code in ErrorCode::ALL {
        let js = js_code(&Error::new(code, "m"));
        assert_eq!(
            js,
            format!("ERR_JWT_{}", code.as_str().to_ascii_uppercase())
        );
    }
    assert_eq!(
        js_code(&Error::new(ErrorCode::IssuedInFuture, "m")),
        "ERR_JWT_ISSUED_IN_FUTURE"
    );
}

#[wasm_bindgen_test]
fn rejected_tokens_throw_code_message_and_claim() {
    let mut verifier = WasmVerifier::new(&options(r#""audience":"api""#)).unwrap();
    let cases = [
        (
            token(r#"{"aud":"api","exp":1749999999}"#),
            "ERR_JWT_EXPIRED",
            Some("exp"),
        ),
        (
            token(r#"{"aud":"other"}"#),
            "ERR_JWT_BAD_AUDIENCE",
            Some("aud"),
        ),
        (
            token(r#"{"aud":"api","nbf":1750000100}"#),
            "ERR_JWT_NOT_YET_VALID",
            Some("nbf"),
        ),
        ("a.b".to_string(), "ERR_JWT_MALFORMED", None),
        (
            format!("{}x", token(r#"{"aud":"api"}"#)),
            "ERR_JWT_BAD_SIGNATURE",
            None,
        ),
    ];
    for (token, code, claim) in cases {
        let error = verifier.verify(&token, NOW, None).unwrap_err();
        assert!(
            !error.is_instance_of::<js_sys::Error>(),
            "a plain object, not an Error"
        );
        assert_eq!(get_str(&error, "code").as_deref(), Some(code));
        assert!(!get_str(&error, "message").unwrap().is_empty());
        if let Some(claim) = claim {
            assert_eq!(get_str(&error, "claim").as_deref(), Some(claim), "{code}");
        }
    }
}

#[wasm_bindgen_test]
fn options_are_converted_and_checked() {
    // Wrong types and unknown names name the field.
    for (extra, field) in [
        (r#""issuers":["x"]"#, "issuers"),
        (r#""issuer":5"#, "issuer"),
        (r#""issuer":[]"#, "issuer"),
        (r#""audience":["a",1]"#, "audience"),
        (r#""algorithms":"HS256""#, "algorithms"),
        (r#""requiredScopes":"read""#, "requiredScopes"),
        (r#""clockTolerance":-1"#, "clockTolerance"),
        (r#""clockTolerance":1.5"#, "clockTolerance"),
        (r#""maxTokenAge":"60""#, "maxTokenAge"),
        (r#""maxTokenLength":0"#, "maxTokenLength"),
        (r#""cache":"on""#, "cache"),
        (r#""cache":{"size":3}"#, "cache.size"),
        (r#""claims":[1]"#, "claims"),
        (r#""typ":"""#, "typ"),
    ] {
        let (code, got) = construction_error(&options(extra));
        assert_eq!(code, "ERR_OPTIONS_INVALID", "{extra}");
        assert_eq!(got.as_deref(), Some(field), "{extra}");
    }
    let (code, field) = construction_error(&JSON::parse("{}").unwrap());
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("ERR_OPTIONS_INVALID", Some("jwks"))
    );
    let (code, field) = construction_error(&JsValue::from_f64(1.0));
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("ERR_OPTIONS_INVALID", Some("options"))
    );
    let (code, field) = construction_error(&JSON::parse(r#"{"jwks":"{\"keys\":7}"}"#).unwrap());
    assert_eq!(
        (code.as_str(), field.as_deref()),
        ("ERR_JWKS_INVALID", Some("jwks"))
    );

    // Values reach the policy: a single issuer string, a list of audiences, custom claims as
    // JSON (the JS number 5 equals the token's integer 5).
    let mut verifier = WasmVerifier::new(&options(
        r#""issuer":"i","audience":["x","api"],"claims":{"level":5,"org":{"id":"acme"}},"requiredScopes":["read"]"#,
    ))
    .unwrap();
    let good = r#"{"iss":"i","aud":"api","level":5,"org":{"id":"acme"},"scope":"read write"}"#;
    assert!(verifier.verify(&token(good), NOW, None).is_ok());
    let wrong_level = r#"{"iss":"i","aud":"api","level":6,"org":{"id":"acme"},"scope":"read"}"#;
    let error = verifier.verify(&token(wrong_level), NOW, None).unwrap_err();
    assert_eq!(
        get_str(&error, "code").as_deref(),
        Some("ERR_JWT_BAD_CLAIM")
    );
    let no_scope = r#"{"iss":"i","aud":"api","level":5,"org":{"id":"acme"},"scope":"write"}"#;
    let error = verifier.verify(&token(no_scope), NOW, None).unwrap_err();
    assert_eq!(
        get_str(&error, "code").as_deref(),
        Some("ERR_JWT_INSUFFICIENT_SCOPE")
    );

    // The JWK Set as JSON text works like the object; undefined means "not set".
    let text = JSON::parse(&format!(
        r#"{{"jwks":{}}}"#,
        serde_json::to_string(&jwks_json()).unwrap()
    ))
    .unwrap();
    Reflect::set(&text, &"issuer".into(), &JsValue::UNDEFINED).unwrap();
    let mut from_text = WasmVerifier::new(&text).unwrap();
    assert!(from_text
        .verify(&token(r#"{"iss":"anyone"}"#), NOW, None)
        .is_ok());

    // Tolerance and length limits are applied.
    let mut tolerant =
        WasmVerifier::new(&options(r#""clockTolerance":30,"maxTokenLength":4096"#)).unwrap();
    assert!(tolerant
        .verify(&token(r#"{"exp":1749999990}"#), NOW, None)
        .is_ok());
    let long = token(&format!(r#"{{"pad":"{}"}}"#, "x".repeat(5000)));
    let error = tolerant.verify(&long, NOW, None).unwrap_err();
    assert_eq!(
        get_str(&error, "code").as_deref(),
        Some("ERR_JWT_TOO_LARGE")
    );
}

#[wasm_bindgen_test]
fn now_must_be_finite_and_is_floored() {
    let mut verifier = WasmVerifier::new(&options(r#""cache":false"#)).unwrap();
    let t = token(r#"{"exp":1750000010}"#);
    for bad in [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e300] {
        let error = verifier.verify(&t, bad, None).unwrap_err();
        assert_eq!(
            get_str(&error, "code").as_deref(),
            Some("ERR_OPTIONS_INVALID")
        );
        assert_eq!(get_str(&error, "field").as_deref(), Some("now"));
    }
    assert!(verifier.verify(&t, NOW + 9.99, None).is_ok());
    let error = verifier.verify(&t, NOW + 10.0, None).unwrap_err();
    assert_eq!(get_str(&error, "code").as_deref(), Some("ERR_JWT_EXPIRED"));
}

/// A platform object whose `check(keyIndex, alg, signingInput, signature)` runs `body`.
fn platform(body: &str) -> Platform {
    let object = js_sys::Object::new();
    let check = js_sys::Function::new_with_args("keyIndex, alg, signingInput, signature", body);
    Reflect::set(&object, &JsValue::from_str("check"), &check).unwrap();
    object.unchecked_into()
}

/// A platform that leaves the JWK Set's keys to the core and answers `answer` for a DPoP
/// proof's key (`checkJwk`), keeping the JWK text it was given as `lastJwk`.
fn proof_platform(answer: u32) -> Platform {
    let object = platform("return 2");
    let check_jwk = js_sys::Function::new_with_args(
        "jwk, alg, signingInput, signature",
        &format!("this.lastJwk = jwk; this.lastAlg = alg; return {answer};"),
    );
    Reflect::set(&object, &JsValue::from_str("checkJwk"), &check_jwk).unwrap();
    object
}

#[wasm_bindgen_test]
fn what_the_package_cache_and_platforms_get() {
    // The cache lives in the package's JavaScript: the core says how big, and the time window
    // of the last valid token.
    let mut verifier = WasmVerifier::new(&options(r#""cache":{"maxEntries":2}"#)).unwrap();
    assert_eq!(verifier.cache_entries(), 2.0);
    assert_eq!(
        WasmVerifier::new(&options("")).unwrap().cache_entries(),
        1000.0
    );
    assert_eq!(
        WasmVerifier::new(&options(r#""cache":false"#))
            .unwrap()
            .cache_entries(),
        0.0
    );
    let t = token(r#"{"sub":"a","nbf":1749999990,"exp":1750000010}"#);
    assert!(verifier.verify(&t, NOW, None).is_ok());
    assert_eq!(verifier.valid_from(), 1_749_999_990.0);
    assert_eq!(verifier.valid_until(), 1_750_000_010.0);
    assert!(verifier.verify(&token(r#"{"sub":"b"}"#), NOW, None).is_ok());
    assert_eq!(verifier.valid_from(), f64::NEG_INFINITY);
    assert_eq!(verifier.valid_until(), f64::INFINITY);

    // An HMAC secret is never handed to a platform: one that refuses everything changes nothing,
    // and the set has no public key to import.
    assert!(verifier.accepts_platform());
    assert_eq!(Array::from(&verifier.public_keys().unwrap()).length(), 0);
    verifier.set_platform(Some(platform("return 0")), Some(platform("return 3")));
    assert!(verifier.verify(&t, NOW, None).is_ok());
    assert!(verifier
        .verify_deferred_text(t.as_bytes(), NOW, None)
        .is_ok());
    assert!(verifier
        .verify_text(t.as_bytes(), NOW, None)
        .unwrap()
        .is_string());
    // backend: 'wasm' never takes a platform.
    let portable = WasmVerifier::new(&options(r#""backend":"wasm""#)).unwrap();
    assert!(!portable.accepts_platform());
    assert_eq!(
        construction_error(&options(r#""backend":"fast""#)),
        (
            "ERR_OPTIONS_INVALID".to_string(),
            Some("backend".to_string())
        )
    );
}

#[wasm_bindgen_test]
fn explain_reports_checks_without_throwing() {
    let verifier = WasmVerifier::new(&options(r#""issuer":"i""#)).unwrap();
    let report = verifier
        .explain(&token(r#"{"iss":"j"}"#), NOW, None)
        .unwrap();
    assert_eq!(get(&report, "valid").as_bool(), Some(false));
    assert_eq!(
        get_str(&report, "code").as_deref(),
        Some("ERR_JWT_BAD_ISSUER")
    );
    assert_eq!(
        get_str(&get(&report, "payload"), "iss").as_deref(),
        Some("j")
    );
    let checks: Array = get(&report, "checks").into();
    let statuses: Vec<String> = checks
        .iter()
        .map(|c| get_str(&c, "status").unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| *s == "failed").count(), 1);
    let ok = verifier
        .explain(&token(r#"{"iss":"i"}"#), NOW, None)
        .unwrap();
    assert_eq!(get(&ok, "valid").as_bool(), Some(true));
    assert!(get(&ok, "code").is_undefined());
}

#[wasm_bindgen_test]
fn decode_inspect_and_lint() {
    let text = decode_text(token(r#"{"sub":"d"}"#).as_bytes()).unwrap();
    let decoded = JSON::parse(&text.as_string().unwrap()).unwrap();
    assert_eq!(
        get_str(&get(&decoded, "payload"), "sub").as_deref(),
        Some("d")
    );
    assert!(get(&decoded, "warnings").is_undefined());
    let error = decode_text(b"nope").unwrap_err();
    assert_eq!(
        get_str(&error, "code").as_deref(),
        Some("ERR_JWT_MALFORMED")
    );

    let unsecured = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none"}"#),
        b64url(br#"{"sub":"x"}"#)
    );
    let report = inspect(&unsecured, JsValue::UNDEFINED).unwrap();
    let warnings: Array = get(&report, "warnings").into();
    assert!(warnings
        .iter()
        .any(|w| get_str(&w, "code").as_deref() == Some("alg_none")));
    // The scopes the scope claims grant (unverified): by default `scope` and `scp`, or the
    // claims `scopeClaims` names; left out when one of them is malformed.
    let scoped = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none"}"#),
        b64url(br#"{"scope":"a b","scp":["c"],"roles":["r"],"bad":5}"#)
    );
    let scopes_of = |options: &str| {
        let options = if options.is_empty() {
            JsValue::UNDEFINED
        } else {
            JSON::parse(options).unwrap()
        };
        let report = inspect(&scoped, options).unwrap();
        let scopes = get(&report, "scopes");
        (!scopes.is_undefined()).then(|| {
            Array::from(&scopes)
                .iter()
                .filter_map(|s| s.as_string())
                .collect::<Vec<String>>()
        })
    };
    assert_eq!(
        scopes_of(""),
        Some(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(
        scopes_of(r#"{"scopeClaims":["roles"]}"#),
        Some(vec!["r".into()])
    );
    assert_eq!(scopes_of(r#"{"scopeClaims":["roles","bad"]}"#), None);
    for bad in [
        r#"{"scopeClaims":[]}"#,
        r#"{"scopeClaims":[""]}"#,
        r#"{"scopes":["x"]}"#,
    ] {
        let error = inspect(&scoped, JSON::parse(bad).unwrap()).unwrap_err();
        assert_eq!(
            get_str(&error, "code").as_deref(),
            Some("ERR_OPTIONS_INVALID")
        );
    }

    let lint: Array = lint_jwks(
        &JSON::parse(
            r#"{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]}"#,
        )
        .unwrap(),
    )
    .unwrap()
    .into();
    assert!(lint
        .iter()
        .any(|w| get_str(&w, "code").as_deref() == Some("missing_alg")));
    let error = lint_jwks(&JsValue::from_str("[]")).unwrap_err();
    assert_eq!(get_str(&error, "code").as_deref(), Some("ERR_JWKS_INVALID"));
    let error = lint_jwks(&JsValue::from_f64(3.0)).unwrap_err();
    assert_eq!(
        get_str(&error, "code").as_deref(),
        Some("ERR_OPTIONS_INVALID")
    );
}

/// A client's Ed25519 key (TEST ONLY: a fixed seed), its public JWK and RFC 7638 thumbprint.
fn client_key() -> (ed25519_dalek::SigningKey, String, String) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let jwk = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        b64url(key.verifying_key().as_bytes())
    );
    // The JWK above is already the canonical form (required members, sorted).
    let jkt = b64url(&Sha256::digest(jwk.as_bytes()));
    (key, jwk, jkt)
}

/// A DPoP proof for `GET https://api.example/orders` at NOW, bound to `access_token`.
fn dpop_proof(key: &ed25519_dalek::SigningKey, jwk: &str, access_token: &str, htm: &str) -> String {
    use ed25519_dalek::Signer;
    let header = format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{jwk}}}"#);
    let ath = b64url(&Sha256::digest(access_token.as_bytes()));
    let claims = format!(
        r#"{{"jti":"j-1","htm":"{htm}","htu":"https://api.example/orders","iat":{NOW},"ath":"{ath}"}}"#
    );
    let input = format!(
        "{}.{}",
        b64url(header.as_bytes()),
        b64url(claims.as_bytes())
    );
    let signature = key.sign(input.as_bytes()).to_bytes();
    format!("{input}.{}", b64url(&signature))
}

fn presentation(proof: Option<&str>, extra: &str) -> Option<String> {
    let proof = proof.map_or("null".to_string(), |p| format!("{p:?}"));
    Some(format!(
        r#"{{"dpop":{{"proof":{proof},"method":"GET","url":"https://api.example/orders?page=2"}}{extra}}}"#
    ))
}

fn error_of(thrown: JsValue) -> (Option<String>, Option<String>, Option<String>) {
    (
        get_str(&thrown, "code"),
        get_str(&thrown, "claim"),
        get_str(&thrown, "field"),
    )
}

#[wasm_bindgen_test]
fn dpop_presentations_cross_as_json_text() {
    let (key, jwk, jkt) = client_key();
    let access = token(&format!(r#"{{"sub":"a","cnf":{{"jkt":"{jkt}"}}}}"#));
    let proof = dpop_proof(&key, &jwk, &access, "GET");
    let mut verifier = WasmVerifier::new(&options("")).unwrap();

    let text = verifier
        .verify_text(access.as_bytes(), NOW, presentation(Some(&proof), ""))
        .unwrap();
    let result = JSON::parse(&text.as_string().unwrap()).unwrap();
    assert_eq!(
        get_str(&get(&result, "cnf"), "jkt").as_deref(),
        Some(jkt.as_str())
    );
    let dpop = get(&result, "dpop");
    assert_eq!(get_str(&dpop, "jti").as_deref(), Some("j-1"));
    assert_eq!(get_num(&dpop, "iat"), NOW);
    assert_eq!(get_str(&dpop, "jkt").as_deref(), Some(jkt.as_str()));
    // A verdict that depended on the proof is never for a cache keyed by the token.
    assert_eq!(verifier.valid_from(), f64::INFINITY);
    assert_eq!(verifier.valid_until(), f64::NEG_INFINITY);
    // An unbound token's result has neither, and a window again.
    let plain = verifier
        .verify(&token(r#"{"sub":"b"}"#), NOW, None)
        .unwrap();
    assert!(get(&plain, "cnf").is_undefined() && get(&plain, "dpop").is_undefined());
    assert_eq!(verifier.valid_until(), f64::INFINITY);

    let bad_binding = Some("ERR_JWT_BAD_BINDING".to_string());
    let refused = |verifier: &mut WasmVerifier, presentation: Option<String>| {
        error_of(
            verifier
                .verify_text(access.as_bytes(), NOW, presentation)
                .unwrap_err(),
        )
    };
    assert_eq!(
        refused(&mut verifier, None),
        (bad_binding.clone(), Some("cnf.jkt".into()), None)
    );
    assert_eq!(
        refused(&mut verifier, presentation(None, "")),
        (bad_binding.clone(), Some("cnf.jkt".into()), None)
    );
    assert_eq!(
        refused(
            &mut verifier,
            presentation(Some(&proof), r#","scheme":"Bearer""#)
        ),
        (bad_binding, Some("cnf.jkt".into()), None)
    );
    let for_post = dpop_proof(&key, &jwk, &access, "POST");
    assert_eq!(
        refused(&mut verifier, presentation(Some(&for_post), "")),
        (
            Some("ERR_JWT_BAD_DPOP_PROOF".into()),
            Some("htm".into()),
            None
        )
    );

    // The checklist shows the proof's checks.
    let report = verifier
        .explain(&access, NOW, presentation(Some(&proof), ""))
        .unwrap();
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
    let checks: Array = get(&report, "checks").into();
    let status = |id: &str| {
        checks
            .iter()
            .find(|c| get_str(c, "id").as_deref() == Some(id))
            .and_then(|c| get_str(&c, "status"))
    };
    assert_eq!(status("dpop_signature").as_deref(), Some("passed"));
    assert_eq!(status("cnf_jkt").as_deref(), Some("passed"));
    assert_eq!(status("cnf_x5t").as_deref(), Some("skipped"));

    // Caller mistakes in the presentation name the field.
    let field = |verifier: &mut WasmVerifier, json: &str| {
        error_of(
            verifier
                .verify_text(access.as_bytes(), NOW, Some(json.to_string()))
                .unwrap_err(),
        )
        .2
    };
    assert_eq!(field(&mut verifier, "[]").as_deref(), Some("presentation"));
    assert_eq!(
        field(&mut verifier, r#"{"dpoop":{}}"#).as_deref(),
        Some("presentation")
    );
    assert_eq!(
        field(&mut verifier, r#"{"scheme":"Basic"}"#).as_deref(),
        Some("scheme")
    );
    assert_eq!(
        field(&mut verifier, r#"{"dpop":{"proof":"x"}}"#).as_deref(),
        Some("dpop")
    );
    assert_eq!(
        field(
            &mut verifier,
            r#"{"dpop":{"proof":"x","method":"GET","url":1}}"#
        )
        .as_deref(),
        Some("dpop.url")
    );
    assert_eq!(
        field(
            &mut verifier,
            r#"{"dpop":{"proof":"x","method":"GET","url":"u","nonce":[1]}}"#
        )
        .as_deref(),
        Some("dpop.nonce")
    );
    assert_eq!(
        field(&mut verifier, r#"{"clientCertificate":{"sha256":"AAAA"}}"#).as_deref(),
        Some("clientCertificate")
    );
}

#[wasm_bindgen_test]
fn a_certificate_bound_token_takes_the_certificate_or_its_hash() {
    let der = b"0\x82 the DER of a client certificate";
    let sha256 = b64url(&Sha256::digest(der));
    let access = token(&format!(r#"{{"sub":"a","cnf":{{"x5t#S256":"{sha256}"}}}}"#));
    let mut verifier = WasmVerifier::new(&options(r#""senderConstraint":"mtls""#)).unwrap();
    for certificate in [
        format!("{:?}", b64url(der)),
        format!(r#"{{"sha256":"{sha256}"}}"#),
    ] {
        let json = format!(r#"{{"clientCertificate":{certificate}}}"#);
        let result = verifier.verify(&access, NOW, Some(json)).unwrap();
        assert_eq!(
            get_str(&get(&result, "cnf"), "x5t#S256").as_deref(),
            Some(sha256.as_str())
        );
    }
    let other = format!(
        r#"{{"clientCertificate":{:?}}}"#,
        b64url(b"another certificate")
    );
    assert_eq!(
        error_of(verifier.verify(&access, NOW, Some(other)).unwrap_err()),
        (
            Some("ERR_JWT_BAD_BINDING".into()),
            Some("cnf.x5t#S256".into()),
            None
        )
    );
    // Under senderConstraint 'mtls', an unbound token is refused.
    assert_eq!(
        error_of(
            verifier
                .verify(&token(r#"{"sub":"b"}"#), NOW, None)
                .unwrap_err()
        )
        .0
        .as_deref(),
        Some("ERR_JWT_BAD_BINDING")
    );
    assert_eq!(
        construction_error(&options(r#""senderConstraint":"tls""#)),
        (
            "ERR_OPTIONS_INVALID".to_string(),
            Some("senderConstraint".to_string())
        )
    );
    assert_eq!(
        construction_error(&options(r#""dpopAlgorithms":["HS256"]"#)),
        (
            "ERR_OPTIONS_INVALID".to_string(),
            Some("dpopAlgorithms".to_string())
        )
    );
    assert_eq!(
        construction_error(&options(r#""dpopIatWindow":3601"#)),
        (
            "ERR_OPTIONS_INVALID".to_string(),
            Some("dpopIatWindow".to_string())
        )
    );
}

#[wasm_bindgen_test]
fn the_proof_signature_goes_to_the_platform_when_it_offers() {
    let (key, jwk, jkt) = client_key();
    let access = token(&format!(r#"{{"sub":"a","cnf":{{"jkt":"{jkt}"}}}}"#));
    let proof = dpop_proof(&key, &jwk, &access, "GET");
    // A well-encoded signature of something else: the core would refuse it; the platform's
    // answer is what counts when it gives one.
    let forged = {
        use ed25519_dalek::Signer;
        let (input, _) = proof.rsplit_once('.').unwrap();
        format!(
            "{input}.{}",
            b64url(&key.sign(b"another message").to_bytes())
        )
    };
    let mut verifier = WasmVerifier::new(&options("")).unwrap();
    // The JS object itself, to read what the platform was given.
    let says_yes: JsValue = proof_platform(1).into();
    verifier.set_platform(Some(says_yes.clone().unchecked_into()), None);
    assert!(verifier
        .verify_text(access.as_bytes(), NOW, presentation(Some(&forged), ""))
        .is_ok());
    // The platform was given the proof's public key (only public members) and algorithm.
    assert_eq!(
        get_str(&says_yes, "lastJwk").as_deref(),
        Some(
            format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
                b64url(key.verifying_key().as_bytes())
            )
            .as_str()
        )
    );
    assert_eq!(get_str(&says_yes, "lastAlg").as_deref(), Some("EdDSA"));
    verifier.set_platform(Some(proof_platform(0)), None);
    assert_eq!(
        error_of(
            verifier
                .verify_text(access.as_bytes(), NOW, presentation(Some(&proof), ""))
                .unwrap_err()
        ),
        (
            Some("ERR_JWT_BAD_DPOP_PROOF".into()),
            Some("signature".into()),
            None
        )
    );
    // A platform without checkJwk (or one that throws) leaves the proof to the core.
    verifier.set_platform(Some(platform("return 2")), None);
    assert!(verifier
        .verify_text(access.as_bytes(), NOW, presentation(Some(&proof), ""))
        .is_ok());
    assert!(verifier
        .verify_text(access.as_bytes(), NOW, presentation(Some(&forged), ""))
        .is_err());

    // Deferred (WebCrypto): the verdict should every deferred check verify, decided here; the
    // refusal is what the same call gives once the platform answers "does not verify" at once
    // (the package asks again with the answer known: a refusal is built only when it is one).
    verifier.set_platform(None, Some(proof_platform(3)));
    let text = verifier
        .verify_deferred_text(access.as_bytes(), NOW, presentation(Some(&proof), ""))
        .unwrap();
    let deferred = JSON::parse(&text.as_string().unwrap()).unwrap();
    assert_eq!(
        get_str(&get(&get(&deferred, "ifValid"), "dpop"), "jti").as_deref(),
        Some("j-1")
    );
    assert!(get(&deferred, "ifInvalid").is_undefined());
    verifier.set_platform(None, Some(proof_platform(0)));
    assert_eq!(
        error_of(
            verifier
                .verify_deferred_text(access.as_bytes(), NOW, presentation(Some(&proof), ""))
                .unwrap_err()
        ),
        (
            Some("ERR_JWT_BAD_DPOP_PROOF".into()),
            Some("signature".into()),
            None
        )
    );
}
