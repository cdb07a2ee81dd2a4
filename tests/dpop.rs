//! Sender-constrained tokens: DPoP proofs (RFC 9449) and certificate-bound tokens (RFC 8705).
//!
//! First the published examples (`tests/vectors/rfc9449-dpop.json`, `rfc7638-thumbprint.json`),
//! then one attack (or more) per rule of `src/dpop/` and `src/binding.rs`. Every case runs
//! through `verify_presented`, the deferred path (both signatures answered later, as WebCrypto
//! does) and `explain_presented`, which must agree; tests assert codes and the part that
//! failed (`claim`), never messages. Keys are the TEST ONLY fixtures of `tests/fixtures/keys/`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use jwtward::alg::hazmat::verify_presented_deferred;
use jwtward::dpop::{check_proof, DpopRequest};
use jwtward::{
    Algorithm, CheckStatus, Error, ErrorCode, Jwks, Policy, Presentation, Scheme, SenderConstraint,
    Verified, Verifier,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use ErrorCode::{BadBinding, BadDpopProof};

const URL: &str = "https://api.example.com/orders";

fn vectors(file: &str) -> Value {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"));
    assert!(
        doc["source"].as_str().is_some_and(|s| s.contains("RFC")),
        "{path} must name its source"
    );
    doc
}

fn str_of<'v>(value: &'v Value, name: &str) -> &'v str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is a string"))
}

// =============================================================================================
// The published examples.

#[test]
fn rfc7638_thumbprint_example() {
    let doc = vectors("rfc7638-thumbprint.json");
    let set = Jwks::from_json(&json!({ "keys": [doc["jwk"]] }).to_string()).expect("JWK Set");
    let jwk = &set.keys()[0];
    assert_eq!(jwk.thumbprint(), str_of(&doc, "thumbprint"));
    // Members that are not required for the key type (kid, alg) change nothing.
    let bare = json!({ "keys": [{ "kty": "RSA", "n": doc["jwk"]["n"], "e": doc["jwk"]["e"] }] });
    let bare = Jwks::from_json(&bare.to_string()).expect("JWK Set");
    assert_eq!(bare.keys()[0].thumbprint(), str_of(&doc, "thumbprint"));
}

#[test]
fn rfc9449_proofs_verify_with_the_rfc_values() {
    let doc = vectors("rfc9449-dpop.json");
    let jkt = str_of(&doc["jkt"], "value");
    let proofs = doc["proofs"].as_array().expect("proofs");
    assert_eq!(proofs.len(), 2);
    for vector in proofs {
        let name = str_of(vector, "name");
        let (proof, method, url) = (
            str_of(vector, "proof"),
            str_of(vector, "method"),
            str_of(vector, "url"),
        );
        let now = vector["now"].as_i64().expect("now");
        let access_token = vector["access_token"].as_str();
        let request = DpopRequest::new(proof, method, url);
        let checked = check_proof(&request, access_token, &Policy::new(), now)
            .unwrap_or_else(|err| panic!("{name}: {} {:?} {err}", err.code(), err.claim()));
        assert_eq!(checked.jti(), str_of(vector, "jti"), "{name}");
        assert_eq!(checked.iat(), now as f64, "{name}");
        assert_eq!(checked.htm(), method, "{name}");
        assert_eq!(
            checked.jkt(),
            jkt,
            "{name}: the thumbprint of RFC 9449 §6.1"
        );
        assert_eq!(checked.algorithm(), Algorithm::ES256);

        // Each value of the example matters.
        let part = |result: Result<_, Error>| {
            result
                .err()
                .map(|e| (e.code(), e.claim().map(str::to_string)))
        };
        let refused = |claim: &str| Some((BadDpopProof, Some(claim.to_string())));
        let other_method = if method == "GET" { "POST" } else { "GET" };
        let policy = Policy::new();
        assert_eq!(
            part(check_proof(
                &DpopRequest::new(proof, other_method, url),
                access_token,
                &policy,
                now
            )),
            refused("htm"),
            "{name}"
        );
        let other_url = format!("{url}x");
        assert_eq!(
            part(check_proof(
                &DpopRequest::new(proof, method, &other_url),
                access_token,
                &policy,
                now
            )),
            refused("htu"),
            "{name}"
        );
        assert_eq!(
            part(check_proof(&request, access_token, &policy, now + 61)),
            refused("iat"),
            "{name}: 61 s later"
        );
        assert!(
            check_proof(&request, access_token, &policy, now + 60).is_ok(),
            "{name}: 60 s later"
        );
        let flipped = {
            let mut signature = signature_of(proof);
            signature[10] ^= 1;
            with_signature(proof, &signature)
        };
        assert_eq!(
            part(check_proof(
                &DpopRequest::new(&flipped, method, url),
                access_token,
                &policy,
                now
            )),
            refused("signature"),
            "{name}"
        );
        if let Some(token) = access_token {
            let ath = b64(Sha256::digest(token.as_bytes()));
            assert_eq!(
                ath,
                str_of(vector, "ath"),
                "{name}: the ath of RFC 9449 §7.1"
            );
            assert_eq!(
                part(check_proof(&request, Some("another token"), &policy, now)),
                refused("ath"),
                "{name}"
            );
        }
    }
}

// =============================================================================================
// Fixtures: a client's key, an access token bound to it, and proofs.

/// The client's key for each proof algorithm (TEST ONLY fixtures).
fn client_key(alg: Algorithm) -> &'static str {
    use Algorithm::*;
    match alg {
        ES256 => "ec-p256",
        ES384 => "ec-p384",
        ES512 => "ec-p521",
        RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => "rsa-b",
        EdDSA | Ed25519 => "ed25519-b",
        other => panic!("{other} cannot sign a proof"),
    }
}

fn thumbprint_of(key_name: &str) -> String {
    let set = json!({ "keys": [public_jwk(key_name, None)] });
    Jwks::from_json(&set.to_string()).expect("JWK Set").keys()[0].thumbprint()
}

/// An HS256 access token (the issuer's key) whose claims have `cnf`.
fn bound_token(cnf: Value) -> String {
    hs256(&claims_with(json!({ "cnf": cnf })))
}

fn dpop_token(key_name: &str) -> String {
    bound_token(json!({ "jkt": thumbprint_of(key_name) }))
}

fn ath(token: &str) -> String {
    b64(Sha256::digest(token.as_bytes()))
}

/// A proof for `GET URL` at `NOW` signed as `alg` with `key_name`, for `token`; `header` and
/// `claims` replace (or, with null, remove) members of the defaults.
fn proof_with(
    alg: Algorithm,
    key_name: &'static str,
    token: &str,
    header: Value,
    claims: Value,
) -> String {
    let mut head =
        json!({ "typ": "dpop+jwt", "alg": alg.name(), "jwk": public_jwk(key_name, None) });
    let mut body =
        json!({ "jti": "7f3c-1", "htm": "GET", "htu": URL, "iat": NOW, "ath": ath(token) });
    for (target, changes) in [(&mut head, header), (&mut body, claims)] {
        let map = target.as_object_mut().expect("object");
        for (name, value) in changes.as_object().expect("changes are an object") {
            if value.is_null() {
                map.remove(name);
            } else {
                map.insert(name.clone(), value.clone());
            }
        }
    }
    jwt(&head, &body, alg, &key(key_name))
}

fn proof(token: &str) -> String {
    proof_with(Algorithm::ES256, "ec-p256", token, json!({}), json!({}))
}

fn dpop<'a>(proof: &'a str) -> Presentation<'a> {
    Presentation::new().dpop(DpopRequest::new(proof, "GET", URL))
}

/// The verdict of `verify_presented`, checked against the deferred path and `explain`: the same
/// verdict, and a checklist whose one failed line (if any) is `failed_check`.
#[track_caller]
fn run(
    verifier: &Verifier,
    token: &str,
    presentation: &Presentation<'_>,
) -> (Result<Verified, Error>, Option<&'static str>) {
    let verdict = verifier.verify_presented(token, NOW, presentation);
    assert_eq!(
        verify_presented_deferred(verifier, token, NOW, presentation),
        verdict,
        "the deferred path disagrees"
    );
    let explanation = verifier.explain_presented(token, NOW, presentation);
    assert_eq!(
        explanation.result.as_ref().err(),
        verdict.as_ref().err(),
        "explain disagrees"
    );
    let failed: Vec<&str> = explanation
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| c.id)
        .collect();
    assert!(failed.len() <= 1, "{failed:?}");
    if verdict.is_ok() {
        assert!(explanation
            .checks
            .iter()
            .all(|c| c.status != CheckStatus::NotReached));
    }
    (verdict, failed.first().copied())
}

#[track_caller]
fn assert_refused(
    verifier: &Verifier,
    token: &str,
    presentation: &Presentation<'_>,
    code: ErrorCode,
    claim: &str,
    check: &str,
) {
    let (verdict, failed) = run(verifier, token, presentation);
    match verdict {
        Ok(_) => panic!("expected {code} ({claim}), ACCEPTED"),
        Err(err) => {
            assert_eq!((err.code(), err.claim()), (code, Some(claim)), "{err}");
            assert_eq!(failed, Some(check), "the checklist's failed line");
        }
    }
}

#[track_caller]
fn assert_accepted(verifier: &Verifier, token: &str, presentation: &Presentation<'_>) -> Verified {
    let (verdict, failed) = run(verifier, token, presentation);
    assert_eq!(failed, None);
    verdict.unwrap_or_else(|err| {
        panic!(
            "expected valid, got {} {:?}: {err}",
            err.code(),
            err.claim()
        )
    })
}

fn default_verifier() -> Verifier {
    verifier(Policy::new())
}

// =============================================================================================
// Valid presentations.

#[test]
fn a_dpop_bound_token_with_its_proof_is_accepted_with_the_replay_facts() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let proof = proof(&token);
    let verified = assert_accepted(&verifier, &token, &dpop(&proof));
    let confirmation = verified.confirmation();
    assert_eq!(confirmation.jkt(), Some(thumbprint_of("ec-p256").as_str()));
    assert_eq!(confirmation.x5t_s256(), None);
    let checked = confirmation
        .dpop_proof()
        .expect("the proof that was checked");
    assert_eq!(checked.jti(), "7f3c-1");
    assert_eq!(checked.iat(), NOW as f64);
    assert_eq!(checked.jkt(), thumbprint_of("ec-p256"));
    // The explicit scheme gives the same verdict.
    assert_accepted(&verifier, &token, &dpop(&proof).scheme(Scheme::Dpop));
}

#[test]
fn every_asymmetric_algorithm_signs_proofs() {
    let verifier = default_verifier();
    for alg in Algorithm::ALL
        .into_iter()
        .filter(|a| !a.name().starts_with("HS"))
    {
        let key_name = client_key(alg);
        let token = dpop_token(key_name);
        let proof = proof_with(alg, key_name, &token, json!({}), json!({}));
        let verified = assert_accepted(&verifier, &token, &dpop(&proof));
        assert_eq!(
            verified.confirmation().dpop_proof().map(|p| p.algorithm()),
            Some(alg)
        );
    }
}

#[test]
fn htu_is_compared_after_normalisation_and_without_query() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let proof = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &token,
        json!({}),
        json!({ "htu": "HTTPS://API.Example.com:443/%6Frders" }),
    );
    let request = DpopRequest::new(&proof, "GET", "https://api.example.com/orders?page=2#top");
    assert_accepted(&verifier, &token, &Presentation::new().dpop(request));
}

#[test]
fn unbound_tokens_pass_as_before_when_no_binding_is_required() {
    let verifier = default_verifier();
    let token = hs256(&claims());
    let verified = assert_accepted(&verifier, &token, &Presentation::new());
    assert!(!verified.confirmation().is_bound());
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().scheme(Scheme::Bearer),
    );
    // A client certificate beside an unbound token changes nothing.
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().client_certificate(b"a certificate"),
    );
    // An empty cnf binds nothing.
    assert_accepted(&verifier, &bound_token(json!({})), &Presentation::new());
}

#[test]
fn a_certificate_bound_token_with_its_certificate_is_accepted() {
    let certificate = b"0\x82\x01\x0a the DER of a client certificate";
    let x5t = b64(Sha256::digest(certificate));
    let token = bound_token(json!({ "x5t#S256": x5t }));
    let verifier = verifier(Policy::new().sender_constraint(SenderConstraint::Mtls));
    let verified = assert_accepted(
        &verifier,
        &token,
        &Presentation::new().client_certificate(certificate),
    );
    assert_eq!(verified.confirmation().x5t_s256(), Some(x5t.as_str()));
    // The host may pass the hash instead of the certificate.
    let sha256: [u8; 32] = Sha256::digest(certificate).into();
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().client_certificate_sha256(sha256),
    );
    let any = requiring(SenderConstraint::Any);
    assert_accepted(
        &any,
        &token,
        &Presentation::new().client_certificate(certificate),
    );
}

fn requiring(constraint: SenderConstraint) -> Verifier {
    verifier(Policy::new().sender_constraint(constraint))
}

#[test]
fn the_expected_nonce_is_required_when_the_host_gives_one() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let with_nonce = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &token,
        json!({}),
        json!({ "nonce": "n-2" }),
    );
    let request = |proof| DpopRequest::new(proof, "GET", URL);
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().dpop(request(&with_nonce).nonce("n-2")),
    );
    // During a rotation the host may accept the previous nonce too.
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().dpop(request(&with_nonce).nonce("n-1").nonce("n-2")),
    );
    assert_refused(
        &verifier,
        &token,
        &Presentation::new().dpop(request(&with_nonce).nonce("n-3")),
        BadDpopProof,
        "nonce",
        "dpop_nonce",
    );
    let without = proof(&token);
    assert_refused(
        &verifier,
        &token,
        &Presentation::new().dpop(request(&without).nonce("n-2")),
        BadDpopProof,
        "nonce",
        "dpop_nonce",
    );
    // Without an expected nonce, a proof's nonce is not checked.
    assert_accepted(&verifier, &token, &dpop(&with_nonce));
}

// =============================================================================================
// Attacks on the proof: each part refused with `bad_dpop_proof` naming it.

#[test]
fn proofs_signed_with_hmac_or_none_are_refused() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    // HS256, keyed with the public key's bytes (the classic confusion), and with a secret.
    let public = public_jwk("ec-p256", None);
    let head = json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": public });
    let body = json!({ "jti": "x", "htm": "GET", "htu": URL, "iat": NOW, "ath": ath(&token) });
    let hs = jwt(&head, &body, Algorithm::HS256, &key("hs256"));
    assert_refused(
        &verifier,
        &token,
        &dpop(&hs),
        BadDpopProof,
        "alg",
        "dpop_alg",
    );
    // HS256 with the secret itself in the jwk header: a key anyone can sign with.
    let secret = json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": oct_jwk(HS256_SECRET, None) });
    let symmetric = jwt(&secret, &body, Algorithm::HS256, &key("hs256"));
    assert_refused(
        &verifier,
        &token,
        &dpop(&symmetric),
        BadDpopProof,
        "alg",
        "dpop_alg",
    );
    for none in ["none", "None", "NONE"] {
        let head = json!({ "typ": "dpop+jwt", "alg": none, "jwk": public });
        let unsigned = format!("{}.{}.", b64(head.to_string()), b64(body.to_string()));
        assert_refused(
            &verifier,
            &token,
            &dpop(&unsigned),
            BadDpopProof,
            "alg",
            "dpop_alg",
        );
    }
    // A supported algorithm the policy does not allow for proofs.
    let only_ec = verifier_with(
        &standard_jwks_json(),
        Policy::new().dpop_algorithms([Algorithm::ES256]),
    );
    let token = dpop_token("ed25519-b");
    let ed = proof_with(Algorithm::EdDSA, "ed25519-b", &token, json!({}), json!({}));
    assert_refused(
        &only_ec,
        &token,
        &dpop(&ed),
        BadDpopProof,
        "alg",
        "dpop_alg",
    );
    // An empty signature under a real algorithm.
    let es = proof(&dpop_token("ec-p256"));
    let stripped = replace_segment(&es, 2, "");
    assert_refused(
        &verifier,
        &dpop_token("ec-p256"),
        &dpop(&stripped),
        BadDpopProof,
        "signature",
        "dpop_signature",
    );
}

#[test]
fn a_private_key_in_jwk_is_refused() {
    let verifier = default_verifier();
    for (alg, key_name) in [
        (Algorithm::ES256, "ec-p256"),
        (Algorithm::EdDSA, "ed25519-b"),
        (Algorithm::RS256, "rsa-b"),
    ] {
        let token = dpop_token(key_name);
        let leaked = proof_with(
            alg,
            key_name,
            &token,
            json!({ "jwk": private_jwk(key_name) }),
            json!({}),
        );
        assert_refused(
            &verifier,
            &token,
            &dpop(&leaked),
            BadDpopProof,
            "jwk",
            "dpop_jwk",
        );
    }
}

#[test]
fn the_jwk_header_must_be_a_sound_key_for_the_algorithm() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let cases = [
        json!({ "jwk": null }),
        json!({ "jwk": "not an object" }),
        json!({ "jwk": public_jwk("ec-p384", None) }),
        json!({ "jwk": public_jwk("ed25519-b", None) }),
        json!({ "jwk": with(public_jwk("ec-p256", None), json!({ "alg": "ES384" })) }),
        json!({ "jwk": with(public_jwk("ec-p256", None), json!({ "use": "enc" })) }),
        json!({ "jwk": with(public_jwk("ec-p256", None), json!({ "key_ops": ["sign"] })) }),
        // A point off the curve: y of another point.
        json!({ "jwk": with(public_jwk("ec-p256", None), json!({ "y": public_jwk("ec-p256-attacker", None)["y"] })) }),
        json!({ "jwk": { "kty": "oct", "k": b64(HS256_SECRET) } }),
        json!({ "jwk": { "kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA" } }),
    ];
    for header in cases {
        let bad = proof_with(
            Algorithm::ES256,
            "ec-p256",
            &token,
            header.clone(),
            json!({}),
        );
        assert_refused(
            &verifier,
            &token,
            &dpop(&bad),
            BadDpopProof,
            "jwk",
            "dpop_jwk",
        );
    }
    // A weak RSA key, whatever it signs.
    let weak_token = dpop_token("rsa-1024");
    let weak = proof_with(
        Algorithm::RS256,
        "rsa-1024",
        &weak_token,
        json!({}),
        json!({}),
    );
    assert_refused(
        &verifier,
        &weak_token,
        &dpop(&weak),
        BadDpopProof,
        "jwk",
        "dpop_jwk",
    );
    // WebCrypto's exported public JWK (key_ops ["verify"], ext) is fine.
    let exported = with(
        public_jwk("ec-p256", None),
        json!({ "key_ops": ["verify"], "ext": true }),
    );
    let good = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &token,
        json!({ "jwk": exported }),
        json!({}),
    );
    assert_accepted(&verifier, &token, &dpop(&good));
}

#[test]
fn typ_must_be_dpop_jwt() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    for typ in [
        json!(null),
        json!("JWT"),
        json!("at+jwt"),
        json!("dpop"),
        json!(7),
    ] {
        let bad = proof_with(
            Algorithm::ES256,
            "ec-p256",
            &token,
            json!({ "typ": typ }),
            json!({}),
        );
        assert_refused(
            &verifier,
            &token,
            &dpop(&bad),
            BadDpopProof,
            "typ",
            "dpop_typ",
        );
    }
    let media = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &token,
        json!({ "typ": "application/DPoP+JWT" }),
        json!({}),
    );
    assert_accepted(&verifier, &token, &dpop(&media));
}

#[test]
fn the_proof_is_for_this_method_and_uri() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let proof = proof(&token);
    let other = |method, url| Presentation::new().dpop(DpopRequest::new(&proof, method, url));
    assert_refused(
        &verifier,
        &token,
        &other("POST", URL),
        BadDpopProof,
        "htm",
        "dpop_htm",
    );
    assert_refused(
        &verifier,
        &token,
        &other("get", URL),
        BadDpopProof,
        "htm",
        "dpop_htm",
    );
    for url in [
        "https://api.example.com/orders/1",
        "https://api.example.com/Orders",
        "http://api.example.com/orders",
        "https://api.example.com:8443/orders",
        "https://evil.example/orders",
        "/orders",
    ] {
        assert_refused(
            &verifier,
            &token,
            &other("GET", url),
            BadDpopProof,
            "htu",
            "dpop_htu",
        );
    }
    for htu in [
        json!("https://api.example.com/orders/"),
        json!("not a uri"),
        json!(1),
        json!(null),
    ] {
        let bad = proof_with(
            Algorithm::ES256,
            "ec-p256",
            &token,
            json!({}),
            json!({ "htu": htu }),
        );
        assert_refused(
            &verifier,
            &token,
            &dpop(&bad),
            BadDpopProof,
            "htu",
            "dpop_htu",
        );
    }
    let no_htm = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &token,
        json!({}),
        json!({ "htm": null }),
    );
    assert_refused(
        &verifier,
        &token,
        &dpop(&no_htm),
        BadDpopProof,
        "htm",
        "dpop_htm",
    );
}

#[test]
fn iat_must_be_within_the_window() {
    let token = dpop_token("ec-p256");
    let at = |iat: Value| {
        proof_with(
            Algorithm::ES256,
            "ec-p256",
            &token,
            json!({}),
            json!({ "iat": iat }),
        )
    };
    let verifier = default_verifier();
    for iat in [NOW - 60, NOW + 60, NOW] {
        assert_accepted(&verifier, &token, &dpop(&at(json!(iat))));
    }
    for iat in [
        json!(NOW - 61),
        json!(NOW + 61),
        json!(NOW - 3600),
        json!(0),
        json!(NOW as f64 + 60.5),
    ] {
        assert_refused(
            &verifier,
            &token,
            &dpop(&at(iat)),
            BadDpopProof,
            "iat",
            "dpop_iat",
        );
    }
    for iat in [json!(null), json!("1750000000")] {
        assert_refused(
            &verifier,
            &token,
            &dpop(&at(iat)),
            BadDpopProof,
            "iat",
            "dpop_iat",
        );
    }
    let narrow = verifier_with(&standard_jwks_json(), Policy::new().dpop_iat_window(5));
    assert_accepted(&narrow, &token, &dpop(&at(json!(NOW - 5))));
    assert_refused(
        &narrow,
        &token,
        &dpop(&at(json!(NOW - 6))),
        BadDpopProof,
        "iat",
        "dpop_iat",
    );
}

#[test]
fn jti_and_ath_are_required() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let claims = |changes| proof_with(Algorithm::ES256, "ec-p256", &token, json!({}), changes);
    for jti in [json!(null), json!(""), json!(42), json!("x".repeat(257))] {
        assert_refused(
            &verifier,
            &token,
            &dpop(&claims(json!({ "jti": jti }))),
            BadDpopProof,
            "jti",
            "dpop_jti",
        );
    }
    assert_accepted(
        &verifier,
        &token,
        &dpop(&claims(json!({ "jti": "x".repeat(256) }))),
    );
    let other_token = hs256(&claims_with(json!({ "jti": "another token" })));
    for ath_value in [
        json!(null),
        json!(ath(&other_token)),
        json!(ath(&token).to_lowercase()),
        json!(7),
    ] {
        assert_refused(
            &verifier,
            &token,
            &dpop(&claims(json!({ "ath": ath_value }))),
            BadDpopProof,
            "ath",
            "dpop_ath",
        );
    }
}

#[test]
fn the_proof_is_strictly_parsed() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    let good = proof(&token);
    let parts: Vec<&str> = good.split('.').collect();
    let head = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk("ec-p256", None) });
    let cases = [
        String::new(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.{}", parts[2]),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", parts[0], b64("[1]"), parts[2]),
        format!(
            "{}.{}.{}",
            b64(r#"{"typ":"dpop+jwt","typ":"dpop+jwt","alg":"ES256"}"#),
            parts[1],
            parts[2]
        ),
        proof_with(
            Algorithm::ES256,
            "ec-p256",
            &token,
            json!({ "crit": ["exp"], "exp": 1 }),
            json!({}),
        ),
        "A".repeat(8 * 1024 + 1),
        format!(
            "{}.{}.{}",
            b64(with(head, json!({ "pad": "x".repeat(8 * 1024) })).to_string()),
            parts[1],
            parts[2]
        ),
    ];
    for bad in &cases {
        assert_refused(
            &verifier,
            &token,
            &dpop(bad),
            BadDpopProof,
            "proof",
            "dpop_proof",
        );
    }
}

// =============================================================================================
// Attacks on the binding: `bad_binding`.

#[test]
fn a_proof_made_with_another_key_is_refused() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    // The attacker holds the token, not the client's key: a valid proof with their own key.
    let attacker = proof_with(
        Algorithm::ES256,
        "ec-p256-attacker",
        &token,
        json!({}),
        json!({}),
    );
    assert_refused(
        &verifier,
        &token,
        &dpop(&attacker),
        BadBinding,
        "cnf.jkt",
        "cnf_jkt",
    );
    // The client's public key in the header, signed by the attacker: the signature fails.
    let forged = proof_with(
        Algorithm::ES256,
        "ec-p256-attacker",
        &token,
        json!({ "jwk": public_jwk("ec-p256", None) }),
        json!({}),
    );
    assert_refused(
        &verifier,
        &token,
        &dpop(&forged),
        BadDpopProof,
        "signature",
        "dpop_signature",
    );
}

#[test]
fn a_bound_token_without_its_proof_or_as_bearer_is_refused() {
    let verifier = default_verifier();
    let token = dpop_token("ec-p256");
    assert_refused(
        &verifier,
        &token,
        &Presentation::new(),
        BadBinding,
        "cnf.jkt",
        "cnf_jkt",
    );
    assert_eq!(
        verifier.verify(&token, NOW).map_err(|e| e.code()).err(),
        Some(BadBinding)
    );
    let bearer = Presentation::new().scheme(Scheme::Bearer);
    assert_refused(&verifier, &token, &bearer, BadBinding, "cnf.jkt", "cnf_jkt");
    // Bearer with a (valid) DPoP header beside it: still a downgrade (RFC 9449 §7.2).
    let valid = proof(&token);
    assert_refused(
        &verifier,
        &token,
        &dpop(&valid).scheme(Scheme::Bearer),
        BadBinding,
        "cnf.jkt",
        "cnf_jkt",
    );
    // The DPoP scheme with no proof.
    assert_refused(
        &verifier,
        &token,
        &Presentation::new().scheme(Scheme::Dpop),
        BadBinding,
        "cnf.jkt",
        "cnf_jkt",
    );
    // The client's proof for another of its tokens (same key, another ath) is a bad proof.
    let other = bound_token(json!({ "jkt": thumbprint_of("ec-p256"), "scope": "admin" }));
    let for_other = proof(&other);
    assert_refused(
        &verifier,
        &token,
        &dpop(&for_other),
        BadDpopProof,
        "ath",
        "dpop_ath",
    );
}

#[test]
fn an_unbound_token_with_a_proof_or_under_a_required_constraint_is_refused() {
    let token = hs256(&claims());
    let proof = proof(&token);
    assert_refused(
        &default_verifier(),
        &token,
        &dpop(&proof),
        BadBinding,
        "cnf.jkt",
        "cnf_jkt",
    );
    for constraint in [
        SenderConstraint::Dpop,
        SenderConstraint::Mtls,
        SenderConstraint::Any,
    ] {
        let verifier = requiring(constraint);
        assert_refused(
            &verifier,
            &token,
            &Presentation::new(),
            BadBinding,
            "cnf",
            "sender_constraint",
        );
        assert_refused(
            &verifier,
            &token,
            &dpop(&proof),
            BadBinding,
            "cnf",
            "sender_constraint",
        );
    }
    // The kind of binding must be the one required.
    let certificate = b"certificate";
    let mtls_token = bound_token(json!({ "x5t#S256": b64(Sha256::digest(certificate)) }));
    let with_certificate = Presentation::new().client_certificate(certificate);
    assert_refused(
        &requiring(SenderConstraint::Dpop),
        &mtls_token,
        &with_certificate,
        BadBinding,
        "cnf",
        "sender_constraint",
    );
    let dpop_bound = dpop_token("ec-p256");
    let dpop_proof = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &dpop_bound,
        json!({}),
        json!({}),
    );
    assert_refused(
        &requiring(SenderConstraint::Mtls),
        &dpop_bound,
        &dpop(&dpop_proof),
        BadBinding,
        "cnf",
        "sender_constraint",
    );
    assert_accepted(
        &requiring(SenderConstraint::Dpop),
        &dpop_bound,
        &dpop(&dpop_proof),
    );
    assert_accepted(
        &requiring(SenderConstraint::Any),
        &dpop_bound,
        &dpop(&dpop_proof),
    );
}

#[test]
fn a_certificate_bound_token_needs_its_certificate() {
    let verifier = default_verifier();
    let certificate = b"the client's certificate";
    let token = bound_token(json!({ "x5t#S256": b64(Sha256::digest(certificate)) }));
    assert_refused(
        &verifier,
        &token,
        &Presentation::new(),
        BadBinding,
        "cnf.x5t#S256",
        "cnf_x5t",
    );
    assert_refused(
        &verifier,
        &token,
        &Presentation::new().client_certificate(b"another certificate"),
        BadBinding,
        "cnf.x5t#S256",
        "cnf_x5t",
    );
    assert_accepted(
        &verifier,
        &token,
        &Presentation::new().client_certificate(certificate),
    );
    // Bound both ways: both must hold.
    let both = bound_token(
        json!({ "jkt": thumbprint_of("ec-p256"), "x5t#S256": b64(Sha256::digest(certificate)) }),
    );
    let proof = proof(&both);
    assert_refused(
        &verifier,
        &both,
        &dpop(&proof),
        BadBinding,
        "cnf.x5t#S256",
        "cnf_x5t",
    );
    let verified = assert_accepted(
        &verifier,
        &both,
        &dpop(&proof).client_certificate(certificate),
    );
    assert!(
        verified.confirmation().jkt().is_some() && verified.confirmation().x5t_s256().is_some()
    );
}

#[test]
fn cnf_must_be_well_formed_and_checkable() {
    let verifier = default_verifier();
    for (cnf, code, claim, check) in [
        (json!("jkt"), ErrorCode::Malformed, "cnf", "cnf"),
        (json!({ "jkt": 7 }), ErrorCode::Malformed, "cnf.jkt", "cnf"),
        (
            json!({ "x5t#S256": null }),
            ErrorCode::Malformed,
            "cnf.x5t#S256",
            "cnf",
        ),
        (
            json!({ "jwk": public_jwk("ec-p256", None) }),
            BadBinding,
            "cnf",
            "cnf",
        ),
        (json!({ "kid": "k" }), BadBinding, "cnf", "cnf"),
    ] {
        let token = bound_token(cnf);
        assert_refused(&verifier, &token, &Presentation::new(), code, claim, check);
    }
}

#[test]
fn the_token_is_judged_before_its_proof() {
    let verifier = verifier(Policy::new().issuer("https://issuer.example"));
    let expired = hs256(&claims_with(
        json!({ "exp": NOW - 1, "cnf": { "jkt": thumbprint_of("ec-p256") } }),
    ));
    let bad_proof = proof_with(
        Algorithm::ES256,
        "ec-p256",
        &expired,
        json!({}),
        json!({ "htm": "POST" }),
    );
    assert_refused(
        &verifier,
        &expired,
        &dpop(&bad_proof),
        ErrorCode::Expired,
        "exp",
        "exp",
    );
    let tampered = {
        let token = dpop_token("ec-p256");
        let mut signature = signature_of(&token);
        signature[0] ^= 1;
        with_signature(&token, &signature)
    };
    let (verdict, _) = run(&verifier, &tampered, &dpop(&proof(&tampered)));
    assert_eq!(
        verdict.err().map(|e| e.code()),
        Some(ErrorCode::BadSignature)
    );
}

#[test]
fn policy_mistakes_are_config_errors() {
    let jwks = || jwks(&standard_jwks_json());
    assert!(Verifier::new(jwks(), Policy::new().dpop_algorithms([Algorithm::HS256])).is_err());
    assert!(Verifier::new(jwks(), Policy::new().dpop_algorithm_names(["HS512"])).is_err());
    assert!(Verifier::new(jwks(), Policy::new().dpop_iat_window(3601)).is_err());
    assert!(Verifier::new(jwks(), Policy::new().dpop_iat_window(3600)).is_ok());
    // Unknown names allow nothing (fail closed), as for token algorithms.
    let none = verifier(Policy::new().dpop_algorithm_names(["ES999"]));
    let token = dpop_token("ec-p256");
    assert_refused(
        &none,
        &token,
        &dpop(&proof(&token)),
        BadDpopProof,
        "alg",
        "dpop_alg",
    );
    assert_eq!(
        SenderConstraint::from_name("mtls"),
        Some(SenderConstraint::Mtls)
    );
    assert_eq!(SenderConstraint::from_name("MTLS"), None);
    assert_eq!(Scheme::from_name("dPoP"), Some(Scheme::Dpop));
}
