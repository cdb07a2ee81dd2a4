//! Shared pieces of the fuzz targets: the fixture verifier (one key per family, the full policy,
//! a fixed clock), a base64url encoder and signers used to re-sign mutated tokens, and the
//! invariants every verdict must satisfy.
//!
//! The fixtures are the benchmark ones (`benches/fixtures/`, TEST-ONLY keys signed by npm jose).

use hmac::{Hmac, KeyInit, Mac};
use jwtward::explain::CheckStatus;
use jwtward::{decode, Algorithm, Error, Jwks, Policy, Presentation, Verified, Verifier};
use serde_json::Value;

/// The fixture JWK Set (public parts; HMAC secrets included, as a verifier needs them).
pub const JWKS_JSON: &str = include_str!("../../benches/fixtures/jwks.json");
const TOKENS_JSON: &str = include_str!("../../benches/fixtures/tokens.json");
const KEYS_JSON: &str = include_str!("../../benches/fixtures/keys.json");

/// HMAC over `input`; a macro rather than a generic function because `hmac`'s bounds on the
/// hash type are long and not what this code is about.
macro_rules! hmac_sign {
    ($hash:ty, $secret:expr, $input:expr) => {{
        let mut mac = <Hmac<$hash> as KeyInit>::new_from_slice($secret).ok()?;
        mac.update($input);
        Some(mac.finalize().into_bytes().to_vec())
    }};
}

/// Pre-signed fixture tokens and the clock and policy they were made for.
pub struct Fixtures {
    /// The Unix time at which every fixture token is valid.
    pub now: i64,
    /// `(algorithm, token)` for every algorithm this build supports.
    pub tokens: Vec<(Algorithm, String)>,
    policy: Value,
    keys: Vec<Value>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Fixtures {
    /// Parses the embedded fixtures. Panics only if the committed files are broken, which is a
    /// bug in the fuzz setup, not a finding.
    pub fn load() -> Fixtures {
        let doc: Value = serde_json::from_str(TOKENS_JSON).expect("tokens.json is JSON");
        let keys: Value = serde_json::from_str(KEYS_JSON).expect("keys.json is JSON");
        let mut tokens = Vec::new();
        for alg in Algorithm::ALL.into_iter().filter(|a| a.is_supported()) {
            for token in strings(&doc["tokens"][alg.name()]) {
                tokens.push((alg, token));
            }
        }
        Fixtures {
            now: doc["now"].as_i64().expect("tokens.json: now"),
            tokens,
            policy: doc["policy"].clone(),
            keys: keys["keys"].as_array().cloned().unwrap_or_default(),
        }
    }

    /// The full policy the fixtures satisfy: every kind of check the engine has.
    pub fn policy(&self) -> Policy {
        let spec = &self.policy;
        let mut policy = Policy::new()
            .algorithms(Algorithm::ALL.into_iter().filter(|a| a.is_supported()))
            .issuer(spec["issuer"].as_str().unwrap_or_default())
            .audience(spec["audience"].as_str().unwrap_or_default())
            .subject(spec["subject"].as_str().unwrap_or_default())
            .typ(spec["typ"].as_str().unwrap_or_default())
            .required_scopes(strings(&spec["requiredScopes"]))
            // The default scope claims and a JSON Pointer into a nested claim (Keycloak's roles),
            // which verify_structured's `realm_access` member sets to chosen or arbitrary JSON.
            .scope_claims(["scope", "scp", "/realm_access/roles", "/realm_access/0"])
            .required_claims(strings(&spec["requiredClaims"]))
            .max_token_age(spec["maxTokenAge"].as_u64().unwrap_or(3600))
            .clock_tolerance(5);
        if let Some(claims) = spec["claims"].as_object() {
            for (name, value) in claims {
                policy = policy.claim(name.as_str(), value.clone());
            }
        }
        policy
    }

    /// A verifier over the fixture JWK Set with the full policy.
    pub fn verifier(&self) -> Verifier {
        let jwks = Jwks::from_json(JWKS_JSON).expect("fixture JWKS parses");
        Verifier::new(jwks, self.policy()).expect("fixture verifier builds")
    }

    /// The private JWK that signed tokens of `alg` (TEST-ONLY fixture keys).
    fn private_key(&self, alg: Algorithm) -> Option<&Value> {
        self.keys
            .iter()
            .find(|k| k["alg"].as_str() == Some(alg.name()))
    }

    /// The public JWK of the fixture key for `alg` (its private members removed).
    pub fn public_jwk(&self, alg: Algorithm) -> Option<Value> {
        let mut jwk = self.private_key(alg)?.clone();
        let members = jwk.as_object_mut()?;
        for private in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
            members.remove(private);
        }
        Some(jwk)
    }

    /// Signs `signing_input` as `alg` with the fixture key, for the algorithms that sign without
    /// randomness (HMAC, Ed25519); `None` for the others.
    pub fn sign(&self, alg: Algorithm, signing_input: &[u8]) -> Option<Vec<u8>> {
        let jwk = self.private_key(alg)?;
        match alg {
            Algorithm::HS256 => hmac_sign!(
                sha2::Sha256,
                &b64url_decode(jwk["k"].as_str()?)?,
                signing_input
            ),
            Algorithm::HS384 => hmac_sign!(
                sha2::Sha384,
                &b64url_decode(jwk["k"].as_str()?)?,
                signing_input
            ),
            Algorithm::HS512 => hmac_sign!(
                sha2::Sha512,
                &b64url_decode(jwk["k"].as_str()?)?,
                signing_input
            ),
            Algorithm::EdDSA | Algorithm::Ed25519 => {
                use ed25519_dalek::Signer;
                let d: [u8; 32] = b64url_decode(jwk["d"].as_str()?)?.try_into().ok()?;
                let key = ed25519_dalek::SigningKey::from_bytes(&d);
                Some(key.sign(signing_input).to_bytes().to_vec())
            }
            _ => None,
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (RFC 7515 §2), written here so the fuzz targets do not share the decoder
/// under test.
pub fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Lenient base64url decoding of the fixture keys (trusted input).
fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Verifies `token` and checks what must hold for every input, panicking (a finding) otherwise:
/// - a second `verify` gives the same verdict (no state leaks between calls);
/// - `explain` gives exactly the verdict of `verify`, and its checklist is coherent: no failed
///   check when valid, exactly one failed check when not, nothing run after the failure;
/// - a verified token decodes, with the same header and claims.
///
/// Returns the verdict, for callers with more to check.
pub fn check_verdict(verifier: &Verifier, token: &str, now: i64) -> Result<Verified, Error> {
    check_presented_verdict(verifier, token, now, &Presentation::new())
}

/// [`check_verdict`] for a token as a request presented it (DPoP proof, client certificate):
/// `verify_presented`, the deferred path (the token's and the proof's signatures both answered
/// later) and `explain_presented` must agree, with the same coherence rules.
pub fn check_presented_verdict(
    verifier: &Verifier,
    token: &str,
    now: i64,
    presentation: &Presentation<'_>,
) -> Result<Verified, Error> {
    let first = verifier.verify_presented(token, now, presentation);
    let second = verifier.verify_presented(token, now, presentation);
    match (&first, &second) {
        (Ok(a), Ok(b)) => assert_eq!(
            a.claims().as_json(),
            b.claims().as_json(),
            "verify is not deterministic"
        ),
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "verify is not deterministic"),
        _ => panic!(
            "verify is not deterministic: {:?} then {:?}",
            first.is_ok(),
            second.is_ok()
        ),
    }

    // A backend that defers the signatures (as WebCrypto does) must give the same verdict.
    assert_eq!(
        jwtward::alg::hazmat::verify_presented_deferred(verifier, token, now, presentation),
        first,
        "the deferred path disagrees with verify"
    );

    let explanation = verifier.explain_presented(token, now, presentation);
    match (&first, &explanation.result) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "explain disagrees with verify"),
        _ => panic!("explain disagrees with verify on validity"),
    }
    let failed = explanation
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .count();
    if first.is_ok() {
        assert_eq!(failed, 0, "a valid token has a failed check");
        assert!(
            explanation
                .checks
                .iter()
                .all(|c| c.status != CheckStatus::NotReached),
            "a valid token has an unreached check"
        );
    } else {
        assert_eq!(
            failed, 1,
            "an invalid token must have exactly one failed check"
        );
        let after_failure = explanation
            .checks
            .iter()
            .skip_while(|c| c.status != CheckStatus::Failed)
            .skip(1);
        for check in after_failure {
            assert!(
                matches!(check.status, CheckStatus::NotReached | CheckStatus::Skipped),
                "check {} ran after the failure",
                check.id
            );
        }
    }

    if let Ok(verified) = &first {
        let unverified = decode(token).expect("a verified token must decode");
        assert_eq!(
            unverified.claims_json(),
            verified.claims().as_json(),
            "decode and verify disagree on claims"
        );
        assert_eq!(
            unverified.header_json(),
            verified.header().as_json(),
            "decode and verify disagree on the header"
        );
    }
    first
}
