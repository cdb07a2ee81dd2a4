//! Identity-provider profiles (issue 11 §4): tokens of the shape Entra ID, Okta, Auth0,
//! Keycloak, Amazon Cognito, Google and oidc-provider document, signed at test time with the
//! TEST ONLY fixture keys, verified with the policy a user writes for each provider. The data,
//! its provenance and the expected verdicts live in `tests/fixtures/idp/profiles.json`, shared
//! with the npm package's run (`pkg/test/idp-profiles.test.mjs`), the README's "Works with"
//! table and the inspector; policies there use the JavaScript option names, converted here.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use jwtward::{Algorithm, ErrorCode, Policy, Verifier};
use serde_json::{json, Map, Value};

fn profiles() -> (i64, Vec<Value>) {
    let text = include_str!("fixtures/idp/profiles.json");
    let doc: Value = serde_json::from_str(text).expect("profiles.json is JSON");
    let now = doc["now"].as_i64().expect("now");
    let profiles = doc["profiles"].as_array().expect("profiles").clone();
    (now, profiles)
}

/// The fixture key a profile signs with (file stem in tests/fixtures/keys), as `common` names it.
fn key_name(stem: &str) -> &'static str {
    match stem {
        "rsa2048-a" => "rsa-a",
        "rsa2048-b" => "rsa-b",
        "ec-p256" => "ec-p256",
        "ec-p256-attacker" => "ec-p256-attacker",
        other => panic!("profiles.json names an unknown key {other}"),
    }
}

/// The second key of the set (as during a rotation): another key of the same type.
fn next_key_name(stem: &str) -> &'static str {
    match stem {
        "rsa2048-a" => "rsa-b",
        "ec-p256" => "ec-p256-attacker",
        other => panic!("no second key for {other}"),
    }
}

fn strings(value: &Value, option: &str) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(list) => list
            .iter()
            .map(|item| {
                item.as_str()
                    .unwrap_or_else(|| panic!("{option}: {item} is not a string"))
                    .to_string()
            })
            .collect(),
        other => panic!("{option}: {other} is neither a string nor a list"),
    }
}

/// A Rust policy from the JavaScript options of `new Verifier({ jwks, ...policy })`. Every
/// option a profile uses must be known here, so the two runs can never check different things.
fn policy_from(options: &Map<String, Value>) -> Policy {
    let mut policy = Policy::new();
    for (name, value) in options {
        policy = match name.as_str() {
            "issuer" => policy.issuers(strings(value, name)),
            "audience" => policy.audiences(strings(value, name)),
            "algorithms" => policy.algorithm_names(strings(value, name)),
            "subject" => policy.subject(value.as_str().expect("subject is a string")),
            "typ" => policy.typ(value.as_str().expect("typ is a string")),
            "requiredScopes" => policy.required_scopes(strings(value, name)),
            "requiredClaims" => policy.required_claims(strings(value, name)),
            "scopeClaims" => policy.scope_claims(strings(value, name)),
            "claims" => {
                let claims = value.as_object().expect("claims is an object");
                claims.iter().fold(policy, |policy, (claim, expected)| {
                    policy.claim(claim, expected.clone())
                })
            }
            "clockTolerance" => policy.clock_tolerance(value.as_u64().expect("seconds")),
            "maxTokenAge" => policy.max_token_age(value.as_u64().expect("seconds")),
            other => panic!("profiles.json uses option {other}, unknown to this harness"),
        };
    }
    policy
}

/// `base` with `changes` merged in (`null` removes a member).
fn changed(base: &Value, changes: Option<&Value>) -> Value {
    let mut out = base.clone();
    let map = out.as_object_mut().expect("an object");
    for (name, value) in changes.and_then(Value::as_object).into_iter().flatten() {
        if value.is_null() {
            map.remove(name);
        } else {
            map.insert(name.clone(), value.clone());
        }
    }
    out
}

/// A profile's JWK Set, verifier and signer.
struct Provider {
    id: String,
    verifier: Verifier,
    alg: Algorithm,
    key: SignKey,
    header: Value,
    claims: Value,
}

impl Provider {
    fn new(profile: &Value) -> Provider {
        let id = profile["id"].as_str().expect("id").to_string();
        let stem = profile["signing"]["key"].as_str().expect("signing.key");
        let alg = Algorithm::from_name(profile["signing"]["alg"].as_str().expect("signing.alg"))
            .expect("a supported algorithm");
        let header = profile["header"].clone();
        assert_eq!(
            header["alg"],
            alg.name(),
            "{id}: the header names the signing alg"
        );
        let kid = header["kid"].as_str().expect("the header has a kid");
        let jwk = with(
            public_jwk(key_name(stem), Some(kid)),
            profile["jwk"].clone(),
        );
        let next = with(
            public_jwk(next_key_name(stem), Some(&format!("{kid}-next"))),
            profile["jwk"].clone(),
        );
        let jwks = json!({ "keys": [jwk, next] });
        let policy = policy_from(profile["policy"].as_object().expect("policy"));
        Provider {
            verifier: verifier_with(&jwks, policy),
            alg,
            key: key(key_name(stem)),
            header,
            claims: profile["claims"].clone(),
            id,
        }
    }

    fn token(&self, header: &Value, claims: &Value) -> String {
        jwt(header, claims, self.alg, &self.key)
    }
}

/// Each provider's documented token verifies with its policy, with the scopes its scope claims
/// grant and exactly the claims it carried; tampering and expiry are refused as everywhere.
#[test]
fn every_profile_verifies_its_documented_token() {
    let (now, profiles) = profiles();
    assert!(profiles.len() >= 9, "{} profiles", profiles.len());
    for profile in &profiles {
        let provider = Provider::new(profile);
        let id = &provider.id;
        let token = provider.token(&provider.header, &provider.claims);
        let verified = match provider.verifier.verify(&token, now) {
            Ok(verified) => verified,
            Err(err) => panic!("{id}: {} ({err})", err.code()),
        };
        assert_eq!(
            Value::Object(verified.claims().as_json().clone()),
            provider.claims,
            "{id}"
        );
        let scopes: Vec<String> =
            serde_json::from_value(profile["scopes"].clone()).expect("scopes");
        assert_eq!(verified.scopes(), scopes, "{id}: granted scopes");
        assert_eq!(verified.kid(), provider.header["kid"].as_str(), "{id}");
        assert_code(
            &provider.verifier,
            &with_signature(&token, &{
                let mut signature = signature_of(&token);
                signature[0] ^= 0x80;
                signature
            }),
            now,
            ErrorCode::BadSignature,
        );
        let exp = provider.claims["exp"]
            .as_i64()
            .expect("every profile has exp");
        assert_code(&provider.verifier, &token, exp, ErrorCode::Expired);
        // A token signed by the rotated key under its own kid verifies too; under the profile's
        // kid it does not.
        let next_kid = format!("{}-next", provider.header["kid"].as_str().expect("kid"));
        let next_header = changed(&provider.header, Some(&json!({ "kid": next_kid })));
        let stem = profile["signing"]["key"].as_str().expect("key");
        let next_key = key(next_key_name(stem));
        let rotated = jwt(&next_header, &provider.claims, provider.alg, &next_key);
        assert!(
            provider.verifier.verify(&rotated, now).is_ok(),
            "{id}: rotated key"
        );
        let mislabelled = jwt(&provider.header, &provider.claims, provider.alg, &next_key);
        assert_code(
            &provider.verifier,
            &mislabelled,
            now,
            ErrorCode::BadSignature,
        );
    }
}

/// The wrong tenant, issuer, audience, client, role or scope is refused with the code the
/// fixture gives (and the variants a provider documents as equivalent are accepted).
#[test]
fn every_profile_refuses_the_wrong_tenant_audience_client_and_scope() {
    let (now, profiles) = profiles();
    let mut checked = 0;
    for profile in &profiles {
        let provider = Provider::new(profile);
        let cases = profile["cases"].as_array().expect("cases");
        assert!(
            cases.len() >= 3,
            "{}: only {} cases",
            provider.id,
            cases.len()
        );
        for case in cases {
            let name = case["name"].as_str().expect("name");
            let header = changed(&provider.header, case.get("header"));
            let claims = changed(&provider.claims, case.get("claims"));
            let token = provider.token(&header, &claims);
            let context = format!("{} / {name}", provider.id);
            match case["expect"].as_str().expect("expect") {
                "valid" => {
                    if let Err(err) = provider.verifier.verify(&token, now) {
                        panic!("{context}: expected valid, got {} ({err})", err.code());
                    }
                }
                code => {
                    let expected = code
                        .strip_prefix("ERR_JWT_")
                        .map(str::to_ascii_lowercase)
                        .and_then(|name| ErrorCode::from_name(&name))
                        .unwrap_or_else(|| panic!("{context}: unknown code {code}"));
                    match provider.verifier.verify(&token, now) {
                        Ok(_) => panic!("{context}: expected {expected}, the token was ACCEPTED"),
                        Err(err) => assert_eq!(err.code(), expected, "{context}: {err}"),
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} cases");
}

/// The fixture keeps its promises: placeholders or example names only, every profile names the
/// public documentation its shape follows, and each policy checks the issuer (and the audience
/// wherever the provider's access tokens carry one).
#[test]
fn profiles_are_documented_and_never_hold_real_identifiers() {
    let (_, profiles) = profiles();
    let mut ids = Vec::new();
    for profile in &profiles {
        let id = profile["id"].as_str().expect("id");
        assert!(!ids.contains(&id), "duplicate id {id}");
        ids.push(id);
        assert!(profile["name"].as_str().is_some_and(|n| !n.is_empty()));
        let docs = profile["provenance"]["docs"].as_array().expect("docs");
        assert!(!docs.is_empty(), "{id}");
        assert!(docs
            .iter()
            .all(|d| d.as_str().is_some_and(|d| d.starts_with("https://"))));
        assert!(profile["provenance"]["shape"]
            .as_str()
            .is_some_and(|s| s.len() > 80));
        let policy = &profile["policy"];
        assert!(
            policy.get("issuer").is_some(),
            "{id}: the policy checks the issuer"
        );
        assert!(
            policy.get("algorithms").is_some(),
            "{id}: the policy pins algorithms"
        );
        if profile["claims"].get("aud").is_some() {
            assert!(
                policy.get("audience").is_some(),
                "{id}: the policy checks aud"
            );
        }
        // Identifiers are placeholders: no GUID-shaped tenant or client ids.
        let text = profile.to_string();
        let guid_like = text
            .split(|c: char| !c.is_ascii_hexdigit() && c != '-')
            .any(|word| word.len() == 36 && word.matches('-').count() == 4);
        assert!(
            !guid_like,
            "{id}: a GUID-shaped identifier; use a placeholder"
        );
    }
}
