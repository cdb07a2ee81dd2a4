//! Runs every case of `../shared/vectors/wycheproof-jwt-cases.jsonl` (format:
//! `../shared/vectors/README.md`): Wycheproof's JWS/JWK vectors, plus cases derived from them with
//! real JWT payloads. The folder sits beside the repository and is not part of it: when it is
//! absent the test says so and passes.
//!
//! For each case: a `Jwks` from `jwks`, a `Policy` from `options`, `verify(token, options.now)`.
//! `expect: "valid"` must verify; `expect: "invalid"` must fail with `reason` or one of
//! `alt_reasons`. `ambiguous: true` cases (policy choices the standards leave open) are printed,
//! never failed. Cases listed in `tests/vectors/shared-cases-superseded.json` are held to the
//! verdict given there instead (the project's contract changed it, and says why). Every mismatch
//! is listed before the test fails.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use jwtward::alg::hazmat::verify_deferred;
use jwtward::{Jwks, Policy, Verifier};
use serde_json::Value;

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/wycheproof-jwt-cases.jsonl")
}

/// What the verifier said about one case.
fn outcome(case: &Value) -> Result<(), (String, String)> {
    let jwks_json = case["jwks"].to_string();
    let jwks =
        Jwks::from_json(&jwks_json).map_err(|err| ("config_error".to_string(), err.to_string()))?;
    let options = &case["options"];
    let policy = policy_from(options).map_err(|err| ("config_error".to_string(), err))?;
    let verifier =
        Verifier::new(jwks, policy).map_err(|err| ("config_error".to_string(), err.to_string()))?;
    // The token is passed verbatim; a JSON-serialization "token" (an object) as its JSON text.
    let token = match &case["token"] {
        Value::String(token) => token.clone(),
        other => other.to_string(),
    };
    let now = options["now"]
        .as_i64()
        .ok_or(("harness".to_string(), "options.now missing".to_string()))?;
    let verdict = verifier.verify(&token, now);
    // The same verdict, word for word, when a backend defers the signature's arithmetic.
    assert_eq!(
        verify_deferred(&verifier, &token, now),
        verdict,
        "deferred verdict differs for case {}",
        case["id"]
    );
    verdict
        .map(|_| ())
        .map_err(|err| (err.code().as_str().to_string(), err.message().to_string()))
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn policy_from(options: &Value) -> Result<Policy, String> {
    let mut policy = Policy::new();
    if let Some(algorithms) = options.get("algorithms") {
        // By name, so names this crate does not know are handled as the policy defines.
        policy = policy.algorithm_names(strings(algorithms));
    }
    if let Some(issuer) = options.get("issuer") {
        policy = policy.issuers(strings(issuer));
    }
    if let Some(audience) = options.get("audience") {
        policy = policy.audiences(strings(audience));
    }
    if let Some(subject) = options.get("subject").and_then(Value::as_str) {
        policy = policy.subject(subject);
    }
    if let Some(scopes) = options.get("requiredScopes") {
        policy = policy.required_scopes(strings(scopes));
    }
    if let Some(claims) = options.get("requiredClaims") {
        policy = policy.required_claims(strings(claims));
    }
    if let Some(typ) = options.get("typ").and_then(Value::as_str) {
        policy = policy.typ(typ);
    }
    if let Some(seconds) = options.get("clockToleranceSeconds") {
        policy = policy.clock_tolerance(
            seconds
                .as_u64()
                .ok_or("clockToleranceSeconds is not a count of seconds")?,
        );
    }
    if let Some(seconds) = options.get("maxTokenAgeSeconds") {
        policy = policy.max_token_age(
            seconds
                .as_u64()
                .ok_or("maxTokenAgeSeconds is not a count of seconds")?,
        );
    }
    let known = [
        "now",
        "algorithms",
        "issuer",
        "audience",
        "subject",
        "requiredScopes",
        "requiredClaims",
        "typ",
        "clockToleranceSeconds",
        "maxTokenAgeSeconds",
    ];
    if let Some(unknown) = options
        .as_object()
        .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
    {
        return Err(format!("the harness does not know option {unknown:?}"));
    }
    Ok(policy)
}

/// `(id, expect, reason)` of the cases whose verdict the contract changes.
fn superseded() -> Vec<(String, String, Option<String>)> {
    let text = include_str!("vectors/shared-cases-superseded.json");
    let doc: Value = serde_json::from_str(text).expect("shared-cases-superseded.json is JSON");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            assert!(case["why"].as_str().is_some_and(|why| !why.is_empty()));
            (
                case["id"].as_str().expect("id").to_string(),
                case["expect"].as_str().expect("expect").to_string(),
                case["reason"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn wycheproof_jwt_cases() {
    let path = vectors_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            println!(
                "skipping: {} absent ({err}); the shared vectors live beside the repository",
                path.display()
            );
            return;
        }
    };
    let (mut passed, mut ambiguous) = (0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    let superseded = superseded();
    let mut superseded_seen = 0;
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Value =
            serde_json::from_str(line).unwrap_or_else(|err| panic!("line {}: {err}", line_no + 1));
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let mut expect = case["expect"].as_str().unwrap_or("?");
        let mut accepted: Vec<String> = Vec::new();
        if let Some((_, new_expect, new_reason)) =
            superseded.iter().find(|(known, ..)| *known == id)
        {
            superseded_seen += 1;
            expect = new_expect;
            accepted.extend(new_reason.clone());
        } else {
            if let Some(reason) = case["reason"].as_str() {
                accepted.push(reason.to_string());
            }
            accepted.extend(strings(&case["alt_reasons"]));
        }
        let got = outcome(&case);
        let ok = match (expect, &got) {
            ("valid", Ok(())) => true,
            ("invalid", Err((code, _))) => accepted.contains(code),
            _ => false,
        };
        let got_text = match &got {
            Ok(()) => "valid".to_string(),
            Err((code, message)) => format!("{code} ({message})"),
        };
        let expected_text = if expect == "valid" {
            "valid".to_string()
        } else {
            format!("invalid: {}", accepted.join(" | "))
        };
        if case["ambiguous"].as_bool() == Some(true) {
            ambiguous += 1;
            println!(
                "ambiguous {id}: expected {expected_text}, got {got_text} ({})",
                if ok { "agrees" } else { "differs" }
            );
        } else if ok {
            passed += 1;
        } else {
            failures.push(format!("{id}: expected {expected_text}, got {got_text}"));
        }
    }
    println!(
        "shared Wycheproof JWT cases: {passed} passed / {} failed / {ambiguous} ambiguous",
        failures.len()
    );
    assert!(
        passed + failures.len() + ambiguous > 0,
        "{} holds no case",
        path.display()
    );
    assert_eq!(
        superseded_seen,
        superseded.len(),
        "every case of shared-cases-superseded.json is in the shared file"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
