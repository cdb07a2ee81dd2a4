//! `jwt-compact` (the crate the design names) as a differential oracle (issue 11 §5): an
//! independent implementation signs tokens with every algorithm it has — HS256/384/512,
//! RS256/384/512, PS256/384/512, ES256, EdDSA and Ed25519 — from keys it imported itself out of
//! the TEST ONLY fixture JWKs, and publishes the public keys as its own JWKs. jwtward must verify
//! each token (random claims of several shapes) with identical claims, and refuse every
//! tampered copy: a bit flipped in any segment, a signature by another key under the same kid,
//! the header's `alg` relabelled.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use chrono::{DateTime, Utc};
use common::*;
use jwt_compact::alg::{
    Ed25519, Es256, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa, RsaPrivateKey,
    SigningKey as _,
};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{AlgorithmExt, Claims, Header};
use jwtward::{Algorithm, ErrorCode, Policy};
use serde_json::{json, Map, Value};

/// What jwt-compact signs: custom claims plus its typed `exp`, `nbf`, `iat`.
type OracleClaims = Claims<Map<String, Value>>;
type SignFn = Box<dyn Fn(&Header, &OracleClaims) -> String>;

/// One algorithm as jwt-compact does it: its signer for the fixture key, its signer for another
/// key of the same type, and the public JWK it publishes.
struct Oracle {
    alg: Algorithm,
    sign: SignFn,
    sign_with_other_key: SignFn,
    public_jwk: Value,
}

/// A fixture JWK (private) parsed by jwt-compact's own JWK code.
fn oracle_jwk(name: &str) -> JsonWebKey<'static> {
    serde_json::from_value(private_jwk(name)).expect("jwt-compact reads the fixture JWK")
}

fn published(jwk: JsonWebKey<'_>) -> Value {
    serde_json::to_value(jwk).expect("a JWK serialises")
}

fn token<A: AlgorithmExt>(
    alg: &A,
    key: &A::SigningKey,
    header: &Header,
    claims: &OracleClaims,
) -> String {
    alg.token(header, claims, key).expect("jwt-compact signs")
}

fn hmac_oracle(alg: Algorithm) -> Oracle {
    let secret = match alg {
        Algorithm::HS256 => HS256_SECRET.to_vec(),
        Algorithm::HS384 => HS384_SECRET.to_vec(),
        _ => HS512_SECRET.to_vec(),
    };
    let other: Vec<u8> = secret.iter().map(|byte| byte ^ 0x5a).collect();
    macro_rules! oracle {
        ($algorithm:expr, $key:ty) => {{
            let key = <$key>::new(&secret);
            let other = <$key>::new(&other);
            Oracle {
                alg,
                public_jwk: published(JsonWebKey::from(&key)),
                sign: Box::new(move |h, c| token(&$algorithm, &key, h, c)),
                sign_with_other_key: Box::new(move |h, c| token(&$algorithm, &other, h, c)),
            }
        }};
    }
    match alg {
        Algorithm::HS256 => oracle!(Hs256, Hs256Key),
        Algorithm::HS384 => oracle!(Hs384, Hs384Key),
        _ => oracle!(Hs512, Hs512Key),
    }
}

fn rsa_oracle(alg: Algorithm) -> Oracle {
    let key = RsaPrivateKey::try_from(&oracle_jwk("rsa-a")).expect("RSA key");
    let other = RsaPrivateKey::try_from(&oracle_jwk("rsa-b")).expect("RSA key");
    let public_jwk = published(JsonWebKey::from(&key.to_public_key()));
    let rsa = Rsa::with_name(alg.name());
    Oracle {
        alg,
        public_jwk,
        sign: Box::new(move |h, c| token(&rsa, &key, h, c)),
        sign_with_other_key: Box::new(move |h, c| token(&rsa, &other, h, c)),
    }
}

fn es256_oracle() -> Oracle {
    type Key = <Es256 as jwt_compact::Algorithm>::SigningKey;
    let key = Key::try_from(&oracle_jwk("ec-p256")).expect("P-256 key");
    let other = Key::try_from(&oracle_jwk("ec-p256-attacker")).expect("P-256 key");
    let public_jwk = published(JsonWebKey::from(&key.to_verifying_key()));
    Oracle {
        alg: Algorithm::ES256,
        public_jwk,
        sign: Box::new(move |h, c| token(&Es256, &key, h, c)),
        sign_with_other_key: Box::new(move |h, c| token(&Es256, &other, h, c)),
    }
}

/// EdDSA, or Ed25519 under RFC 9864's name (jwt-compact's `with_specific_name`).
fn ed25519_oracle(alg: Algorithm) -> Oracle {
    type Key = <Ed25519 as jwt_compact::Algorithm>::SigningKey;
    let key = Key::try_from(&oracle_jwk("ed25519")).expect("Ed25519 key");
    let other = Key::try_from(&oracle_jwk("ed25519-b")).expect("Ed25519 key");
    let public_jwk = published(JsonWebKey::from(&key.to_verifying_key()));
    let (sign, sign_with_other_key): (SignFn, SignFn) = if alg == Algorithm::Ed25519 {
        let named = Ed25519::with_specific_name();
        let named_too = Ed25519::with_specific_name();
        (
            Box::new(move |h, c| token(&named, &key, h, c)),
            Box::new(move |h, c| token(&named_too, &other, h, c)),
        )
    } else {
        (
            Box::new(move |h, c| token(&Ed25519, &key, h, c)),
            Box::new(move |h, c| token(&Ed25519, &other, h, c)),
        )
    };
    Oracle {
        alg,
        public_jwk,
        sign,
        sign_with_other_key,
    }
}

/// Every algorithm jwt-compact 0.9 has that jwtward supports (its ES256K is the only other one).
fn oracles() -> Vec<Oracle> {
    use Algorithm::*;
    let mut all: Vec<Oracle> = [HS256, HS384, HS512].into_iter().map(hmac_oracle).collect();
    all.extend(
        [RS256, RS384, RS512, PS256, PS384, PS512]
            .into_iter()
            .map(rsa_oracle),
    );
    all.push(es256_oracle());
    all.extend([EdDSA, Ed25519].into_iter().map(ed25519_oracle));
    all
}

// ---------------------------------------------------------------------------------------------
// Random claims.

/// xorshift64*: deterministic, so a failure names a seed that reproduces it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn string(&mut self) -> String {
        const PIECES: [&str; 14] = [
            "acme",
            "orders:read",
            "é",
            "日本",
            "🦀",
            "\"",
            "\\",
            "\n",
            "\u{0}",
            "\u{7f}",
            "</script>",
            " ",
            "a.b",
            "\u{feff}",
        ];
        (0..self.below(5)).map(|_| *self.pick(&PIECES)).collect()
    }
    fn number(&mut self) -> Value {
        match self.below(6) {
            0 => json!(self.next()),
            1 => json!(-((self.next() >> 1) as i64)),
            2 => json!(self.below(1000)),
            3 => json!(f64::from_bits(self.next() >> 2) * 1e-300),
            4 => json!((self.below(2000) as f64 - 1000.0) / 8.0),
            _ => json!(u64::MAX - self.below(3) as u64),
        }
    }
    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth > 3 { 4 } else { 6 }) {
            0 => Value::String(self.string()),
            1 => self.number(),
            2 => Value::Bool(self.below(2) == 1),
            3 => Value::Null,
            4 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|i| (format!("{}{i}", self.string()), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }
}

/// The custom claims of one token, in one of several shapes; returns them with the audience
/// (the policy must name it) and the scopes they grant.
fn custom_claims(rng: &mut Rng, shape: usize) -> (Map<String, Value>, Vec<String>, Vec<String>) {
    let mut claims = Map::new();
    let mut audiences = Vec::new();
    let mut scopes: Vec<String> = Vec::new();
    let scope_pool = ["orders:read", "orders:write", "openid", "billing:read"];
    match shape {
        // An RFC 9068 access token.
        0 => {
            claims.insert("iss".into(), json!("https://issuer.example"));
            claims.insert("sub".into(), json!(format!("client-{}", rng.below(100))));
            audiences.push("api://orders".to_string());
            claims.insert("aud".into(), json!("api://orders"));
            claims.insert("client_id".into(), json!("client"));
            for _ in 0..1 + rng.below(3) {
                let scope = rng.pick(&scope_pool).to_string();
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
            claims.insert("scope".into(), json!(scopes.join(" ")));
            claims.insert("jti".into(), json!(format!("{:x}", rng.next())));
        }
        // An audience list, scp as an array, tenant data.
        1 => {
            audiences = vec!["api://a".into(), "api://b".into()];
            claims.insert("aud".into(), json!(audiences));
            scopes = vec!["x".into(), "y:z".into()];
            claims.insert("scp".into(), json!(scopes));
            claims.insert(
                "tenant".into(),
                json!({"id": rng.next(), "name": rng.string()}),
            );
        }
        // Unicode, escapes and every kind of value, nested.
        2 => {
            for i in 0..1 + rng.below(6) {
                claims.insert(format!("{}-{i}", rng.string()), rng.value(0));
            }
        }
        // Numbers at their edges.
        3 => {
            for i in 0..1 + rng.below(8) {
                claims.insert(format!("n{i}"), rng.number());
            }
        }
        // Nothing but the time claims.
        _ => {}
    }
    (claims, audiences, scopes)
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("a valid time")
}

/// A token of `oracle` with random claims, the policy that accepts it and the claims jwtward
/// must return (`iss` etc. and the time claims as numbers).
fn random_token(
    oracle: &Oracle,
    rng: &mut Rng,
    shape: usize,
) -> (String, Policy, Value, Vec<String>) {
    let (custom, audiences, scopes) = custom_claims(rng, shape);
    let mut claims = Claims::new(custom.clone());
    let mut expected = custom;
    let exp = NOW + 1 + rng.below(100_000) as i64;
    claims.expiration = Some(at(exp));
    expected.insert("exp".into(), json!(exp));
    if rng.below(2) == 0 {
        let nbf = NOW - rng.below(1000) as i64;
        claims.not_before = Some(at(nbf));
        expected.insert("nbf".into(), json!(nbf));
    }
    if rng.below(2) == 0 {
        let iat = NOW - rng.below(1000) as i64;
        claims.issued_at = Some(at(iat));
        expected.insert("iat".into(), json!(iat));
    }
    let mut header = Header::empty().with_key_id("oracle");
    let mut policy = Policy::new().algorithms([oracle.alg]).audiences(audiences);
    match rng.below(3) {
        0 => {
            header = header.with_token_type("at+jwt");
            policy = policy.typ("at+jwt");
        }
        1 => header = header.with_token_type("JWT"),
        _ => {}
    }
    (
        (oracle.sign)(&header, &claims),
        policy,
        Value::Object(expected),
        scopes,
    )
}

fn jwks_of(oracle: &Oracle) -> Value {
    json!({ "keys": [with(oracle.public_jwk.clone(), json!({"kid": "oracle"}))] })
}

/// Every token jwt-compact signs verifies, with the claims it carried, whatever their shape.
#[test]
fn jwt_compact_tokens_verify_with_identical_claims() {
    let mut rng = Rng(0x6a77_742d_636f_6d70);
    let mut verified_count = 0;
    for oracle in oracles() {
        for shape in 0..5 {
            for _ in 0..3 {
                let (token, policy, expected, scopes) = random_token(&oracle, &mut rng, shape);
                let verifier = verifier_with(&jwks_of(&oracle), policy);
                let verified = assert_valid(&verifier, &token, NOW);
                assert_eq!(
                    Value::Object(verified.claims().as_json().clone()),
                    expected,
                    "{}: {token}",
                    oracle.alg
                );
                assert_eq!(verified.algorithm(), oracle.alg);
                assert_eq!(verified.kid(), Some("oracle"));
                assert_eq!(verified.scopes(), scopes, "{}", oracle.alg);
                // The claims are jwt-compact's own JSON, member for member.
                let payload = token.split('.').nth(1).expect("payload");
                assert_eq!(verified.claims_json().as_bytes(), unb64(payload));
                verified_count += 1;
            }
        }
    }
    assert_eq!(verified_count, 12 * 5 * 3);
}

/// `token` with one bit of the decoded segment `index` flipped, re-encoded (so the base64url
/// stays canonical and the change reaches the verifier's logic, not just its decoder).
fn flip_bit(token: &str, index: usize, bit: usize) -> String {
    let segment = token.split('.').nth(index).expect("three segments");
    let mut bytes = unb64(segment);
    let at = bit / 8 % bytes.len();
    bytes[at] ^= 1 << (bit % 8);
    replace_segment(token, index, &b64(bytes))
}

/// Every bit flip jwt-compact's tokens can suffer is refused: in the payload or the signature
/// always as `bad_signature` (the signature is checked before the payload is read); in the
/// header as whatever the changed header is, but never valid.
#[test]
fn jwt_compact_tokens_with_a_flipped_bit_are_refused() {
    let mut rng = Rng(0x666c_6970_7065_6421);
    let mut refused = 0;
    for oracle in oracles() {
        for shape in [0, 2] {
            let (token, policy, _, _) = random_token(&oracle, &mut rng, shape);
            let verifier = verifier_with(&jwks_of(&oracle), policy);
            assert_valid(&verifier, &token, NOW);
            for index in 0..3 {
                let len = unb64(token.split('.').nth(index).expect("segment")).len() * 8;
                for _ in 0..12 {
                    let flipped = flip_bit(&token, index, rng.below(len));
                    match (index, verifier.verify(&flipped, NOW)) {
                        (_, Ok(_)) => panic!("{}: a flipped bit verified: {flipped}", oracle.alg),
                        (0, Err(_)) => {}
                        (_, Err(err)) => assert_eq!(
                            err.code(),
                            ErrorCode::BadSignature,
                            "{} segment {index}: {err}",
                            oracle.alg
                        ),
                    }
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(refused, 12 * 2 * 3 * 12);
}

/// A token jwt-compact signs with another key of the same type, under the kid of the trusted
/// key, is `bad_signature`.
#[test]
fn jwt_compact_tokens_signed_by_another_key_are_refused() {
    let mut rng = Rng(0x6f74_6865_726b_6579);
    for oracle in oracles() {
        let (_, policy, _, _) = random_token(&oracle, &mut rng, 4);
        let verifier = verifier_with(&jwks_of(&oracle), policy);
        let mut claims = Claims::new(Map::new());
        claims.expiration = Some(at(NOW + 60));
        let forged = (oracle.sign_with_other_key)(&Header::empty().with_key_id("oracle"), &claims);
        assert_code(&verifier, &forged, NOW, ErrorCode::BadSignature);
    }
}

/// The verdict for a token of `from` relabelled as `to` (its signature kept) against the
/// oracle's one key, with every algorithm allowed.
fn relabelled_verdict(from: Algorithm, to: &str, key: &Value) -> ErrorCode {
    let Some(to) = Algorithm::from_name(to) else {
        return ErrorCode::UnsupportedAlg;
    };
    if to.key_type() != from.key_type() {
        // The kid names a key that cannot serve `to`.
        return ErrorCode::KeyMismatch;
    }
    // An HMAC secret shorter than the new hash cannot serve it either.
    let secret_len = key["k"].as_str().map(|k| unb64(k).len());
    let hash_len = match to {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    };
    if secret_len.is_some_and(|len| len < hash_len) {
        return ErrorCode::KeyMismatch;
    }
    // Same key type: the signature (over the original header) does not verify.
    ErrorCode::BadSignature
}

/// jwt-compact's tokens with the header's `alg` relabelled (to every other algorithm name, and
/// to `none`), the signature kept: never valid, each with the code the contract gives.
#[test]
fn jwt_compact_tokens_with_a_relabelled_alg_are_refused() {
    let mut rng = Rng(0x7265_6c61_6265_6c21);
    let names: Vec<&str> = Algorithm::ALL
        .iter()
        .map(|alg| alg.name())
        .chain(["none", "HS1", "ES256K", "RS1"])
        .collect();
    let mut checked = 0;
    for oracle in oracles() {
        let (token, _, _, _) = random_token(&oracle, &mut rng, 0);
        let verifier = verifier_with(
            &jwks_of(&oracle),
            Policy::new().audience("api://orders").audience("api://a"),
        );
        let header: Value =
            serde_json::from_slice(&unb64(token.split('.').next().expect("header")))
                .expect("jwt-compact writes a JSON header");
        for &to in &names {
            if to == oracle.alg.name() {
                continue;
            }
            let mut relabelled = header.clone();
            relabelled["alg"] = json!(to);
            let token = replace_segment(&token, 0, &b64(relabelled.to_string()));
            let expected = relabelled_verdict(oracle.alg, to, &oracle.public_jwk);
            assert_code(&verifier, &token, NOW, expected);
            checked += 1;
        }
    }
    assert_eq!(checked, 12 * (14 + 4 - 1));
}
