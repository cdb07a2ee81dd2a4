//! Where a DPoP proof is checked (RFC 9449 §4.3). A proof is a JWT the client signs for each
//! request with a key it holds; the key travels in the proof's `jwk` header. Here, and only
//! here, a header's key is the point: it shows possession of the key the access token is bound
//! to (`cnf.jkt`, checked in `binding`); it never verifies an access token.
//!
//! The checks, in order, each failing as `bad_dpop_proof` with [`Error::claim`] naming the part:
//! `proof` (at most [`MAX_PROOF_LEN`] bytes, three segments, strict base64url, strict JSON, no
//! `crit`), `typ` (`dpop+jwt`), `alg` (asymmetric, supported and allowed by the policy), `jwk`
//! (a public key with no private members, fitting `alg`, sound), `signature`, `htm` (the
//! request method), `htu` (the request URI, compared after RFC 3986 normalisation, see
//! [`normalize_http_uri`]), `iat` (within the policy's window around `now`), `jti` (present;
//! whether it was seen before is the host's to answer, with the `jti` and `iat` returned
//! here), `ath` (base64url SHA-256 of the access token) and `nonce` (when the host expects one).

mod uri;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use crate::alg::{prepare_key, Algorithm, BackendKey, BuiltinBackend, KeyType, SignatureBackend};
use crate::claims::{same_media_type, seconds};
use crate::decode::{
    parse_header, parse_payload, sha256_base64url, split_token, Header, JsonObject, Segments,
};
use crate::error::{Error, ErrorCode};
use crate::explain::Trace;
use crate::jwk::parse_key;
use crate::policy::Policy;
use crate::verify::serving;

pub use uri::normalize_http_uri;

/// Seconds a proof's `iat` may be from `now` by default, either way.
pub const DEFAULT_IAT_WINDOW: u64 = 60;

/// Longest proof accepted, in bytes: an RSA-8192 key and signature fit in half of it.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// Longest `jti` accepted: a host's replay store keeps every one for the `iat` window.
pub const MAX_JTI_LEN: usize = 256;

/// The checklist ids of the proof's checks, in order (see `explain::CHECKS`).
pub(crate) const CHECK_IDS: [&str; 11] = [
    "dpop_proof",
    "dpop_typ",
    "dpop_alg",
    "dpop_jwk",
    "dpop_signature",
    "dpop_htm",
    "dpop_htu",
    "dpop_iat",
    "dpop_jti",
    "dpop_ath",
    "dpop_nonce",
];

/// A DPoP proof and the request it came with, as the host received them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DpopRequest<'a> {
    pub(crate) proof: &'a str,
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    pub(crate) nonces: Vec<&'a str>,
}

impl<'a> DpopRequest<'a> {
    /// The `DPoP` header's value, the request's method (`htm` must equal it exactly) and its
    /// absolute URI (`htu` must equal it after normalisation, query and fragment ignored).
    pub fn new(proof: &'a str, method: &'a str, url: &'a str) -> Self {
        DpopRequest {
            proof,
            method,
            url,
            nonces: Vec::new(),
        }
    }

    /// A nonce the host gave the client (`DPoP-Nonce`, RFC 9449 §9): the proof's `nonce` must
    /// equal it (or another one given this way, while nonces rotate). Without any, `nonce` is
    /// not checked.
    pub fn nonce(mut self, expected: &'a str) -> Self {
        self.nonces.push(expected);
        self
    }
}

/// A DPoP proof that passed every check. The host records its [`DpopProof::jti`] (with
/// [`DpopProof::jkt`]) to refuse replays, for as long as the `iat` window lasts.
#[derive(Clone, Debug, PartialEq)]
pub struct DpopProof {
    jti: String,
    iat: f64,
    jkt: String,
    htm: String,
    htu: String,
    nonce: Option<String>,
    algorithm: Algorithm,
}

impl DpopProof {
    /// The proof's unique identifier.
    pub fn jti(&self) -> &str {
        &self.jti
    }
    /// When the proof was made (Unix seconds).
    pub fn iat(&self) -> f64 {
        self.iat
    }
    /// The RFC 7638 thumbprint of the proof's key (what `cnf.jkt` must equal).
    pub fn jkt(&self) -> &str {
        &self.jkt
    }
    /// The HTTP method the proof is for.
    pub fn htm(&self) -> &str {
        &self.htm
    }
    /// The URI the proof is for, as the proof wrote it.
    pub fn htu(&self) -> &str {
        &self.htu
    }
    /// The proof's `nonce`, when it has one.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
    /// The algorithm that verified the proof's signature.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// Checks a DPoP proof on its own, at `now` (Unix seconds), against the policy's DPoP
/// algorithms and `iat` window. `access_token` is the token the proof is presented with: its
/// `ath` is then required; `None` where there is none yet (an authorization server's token
/// endpoint). Whether the proof's key is the one a token is bound to is
/// `Verifier::verify_presented`'s to check.
pub fn check_proof(
    request: &DpopRequest<'_>,
    access_token: Option<&str>,
    policy: &Policy,
    now: i64,
) -> Result<DpopProof, Error> {
    let mut deferred = Vec::new();
    check(
        request,
        access_token,
        policy,
        now,
        &mut Trace::off(),
        &mut BuiltinBackend,
        &mut deferred,
    )
}

fn bad(part: &str, message: &str) -> Error {
    Error::for_claim(
        ErrorCode::BadDpopProof,
        part,
        format!("DPoP proof: {message}"),
    )
}

/// Records every proof check as skipped, for `why`.
pub(crate) fn skip_all(trace: &mut Trace, why: &'static str) {
    for id in CHECK_IDS {
        trace.skip(id, || why.to_string());
    }
}

/// The checks of [`check_proof`], recorded in `trace`, with `backend` doing the signature's
/// arithmetic where it offers to; when it defers, the error for "does not verify" is pushed on
/// `deferred` and the checks after the signature run as if it verified.
pub(crate) fn check(
    request: &DpopRequest<'_>,
    access_token: Option<&str>,
    policy: &Policy,
    now: i64,
    trace: &mut Trace,
    backend: &mut dyn SignatureBackend,
    deferred: &mut Vec<Error>,
) -> Result<DpopProof, Error> {
    let proof = request.proof;
    let parsed = if proof.len() > MAX_PROOF_LEN {
        Err(bad("proof", "longer than 8 KiB"))
    } else {
        // An empty signature is refused after the algorithm check, so that an `alg: none`
        // proof reports `alg`.
        split_token(proof, MAX_PROOF_LEN, true).and_then(|mut segments| {
            // Taken: only the signing input and the signature are read from here on.
            let header = parse_header(core::mem::take(&mut segments.header))?;
            let payload = parse_payload(core::mem::take(&mut segments.payload))?;
            Ok((segments, header, payload))
        })
    }
    .map_err(|err| match err.code() {
        ErrorCode::BadDpopProof => err,
        // `alg` missing or not a string is the alg check's to report.
        _ if err.claim() == Some("alg") => bad("alg", err.message()),
        _ => bad("proof", err.message()),
    });
    let (segments, header, payload) =
        trace.record("dpop_proof", parsed, |_| format!("{} bytes", proof.len()))?;
    // The owned parts are dropped here, once, whichever check below fails.
    let (algorithm, jkt) = check_signature(&segments, &header, policy, trace, backend, deferred)?;
    let payload = payload.as_map();
    check_claims(request, access_token, payload, policy, now, trace).map(|(jti, iat)| DpopProof {
        jti,
        iat,
        jkt,
        htm: request.method.to_string(),
        htu: payload
            .get("htu")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        nonce: payload
            .get("nonce")
            .and_then(Value::as_str)
            .map(str::to_string),
        algorithm,
    })
}

/// `typ`, `alg`, `jwk` and the signature: the algorithm and the key's thumbprint.
fn check_signature(
    segments: &Segments<'_>,
    header: &Header,
    policy: &Policy,
    trace: &mut Trace,
    backend: &mut dyn SignatureBackend,
    deferred: &mut Vec<Error>,
) -> Result<(Algorithm, String), Error> {
    let typ = match header.typ() {
        Some(typ) if same_media_type(typ, "dpop+jwt") => Ok(()),
        _ => Err(bad("typ", "typ is not dpop+jwt")),
    };
    trace.record("dpop_typ", typ, |()| "dpop+jwt".to_string())?;

    let algorithm = match Algorithm::from_name(header.alg()).filter(|alg| alg.is_supported()) {
        None => Err(bad("alg", "alg is not a supported algorithm")),
        Some(alg) if alg.key_type() == KeyType::Oct => Err(bad(
            "alg",
            "alg is symmetric: a proof is signed with a private key",
        )),
        Some(alg) if !policy.allows_dpop(alg) => {
            Err(bad("alg", "alg is not allowed by the policy"))
        }
        Some(alg) => Ok(alg),
    };
    let algorithm = trace.record("dpop_alg", algorithm, |alg| alg.name().to_string())?;

    let key = proof_key(header.get("jwk"), algorithm);
    let (jwk, key) = trace.record("dpop_jwk", key, |(jwk, _)| jwk.thumbprint())?;

    let signature = if segments.signature.is_empty() {
        Err(String::from("the signature segment is empty"))
    } else {
        key.verify_with(
            BackendKey::Embedded(&jwk.material),
            algorithm,
            segments.signing_input.as_bytes(),
            &segments.signature,
            backend,
        )
    }
    .map_err(|why| bad("signature", &why));
    let checked = trace.record("dpop_signature", signature, |_| {
        algorithm.name().to_string()
    })?;
    if !checked {
        deferred.push(bad("signature", &key.does_not_verify(algorithm)));
    }
    Ok((algorithm, jwk.thumbprint()))
}

/// `htm`, `htu`, `iat`, `jti`, `ath` and `nonce`: the proof's `jti` and `iat`.
fn check_claims(
    request: &DpopRequest<'_>,
    access_token: Option<&str>,
    payload: &JsonObject,
    policy: &Policy,
    now: i64,
    trace: &mut Trace,
) -> Result<(String, f64), Error> {
    let string = |name: &str| match payload.get(name) {
        Some(Value::String(value)) => Ok(value.as_str()),
        _ => Err(bad(name, "missing, or not a string")),
    };

    let htm = string("htm").and_then(|htm| {
        if htm == request.method {
            Ok(())
        } else {
            Err(bad("htm", "htm is not the request's method"))
        }
    });
    trace.record("dpop_htm", htm, |()| request.method.to_string())?;

    let htu = string("htu").and_then(|htu| {
        let proof_uri = normalize_http_uri(htu);
        let request_uri = normalize_http_uri(request.url);
        match (proof_uri, request_uri) {
            (Some(proof_uri), Some(request_uri)) if proof_uri == request_uri => Ok(proof_uri),
            (Some(proof_uri), Some(request_uri)) => Err(bad(
                "htu",
                &format!("htu is {proof_uri}, the request is {request_uri}"),
            )),
            (None, _) => Err(bad("htu", "htu is not an absolute http(s) URI")),
            (_, None) => Err(bad("htu", "the request URI is not an absolute http(s) URI")),
        }
    });
    trace.record("dpop_htu", htu, String::clone)?;

    let window = policy.dpop_iat_window as f64;
    let now_f = now as f64;
    let iat = match payload.get("iat").and_then(Value::as_f64) {
        Some(iat) if iat >= now_f - window && iat <= now_f + window => Ok(iat),
        Some(_) => Err(bad("iat", "iat is outside the window around now")),
        None => Err(bad("iat", "missing, or not a NumericDate")),
    };
    let iat = trace.record("dpop_iat", iat, |iat| {
        format!("iat {}, now {now}", seconds(*iat))
    })?;

    let jti = string("jti").and_then(|jti| {
        if jti.is_empty() || jti.len() > MAX_JTI_LEN {
            Err(bad("jti", "jti is empty or longer than 256 bytes"))
        } else {
            Ok(jti)
        }
    });
    let jti = trace.record("dpop_jti", jti, |_| String::new())?;

    match access_token {
        None => trace.skip("dpop_ath", || "no access token".to_string()),
        Some(token) => {
            let expected = sha256_base64url(token.as_bytes());
            let ath = string("ath").and_then(|ath| {
                if ath == expected {
                    Ok(())
                } else {
                    Err(bad("ath", "ath is not the SHA-256 of the access token"))
                }
            });
            trace.record("dpop_ath", ath, |()| String::new())?;
        }
    }

    if request.nonces.is_empty() {
        trace.skip("dpop_nonce", || "no nonce expected".to_string());
    } else {
        let nonce = match payload.get("nonce").and_then(Value::as_str) {
            Some(nonce) if request.nonces.contains(&nonce) => Ok(()),
            _ => Err(bad("nonce", "nonce is not the one the server gave")),
        };
        trace.record("dpop_nonce", nonce, |()| String::new())?;
    }
    Ok((jti.to_string(), iat))
}

/// The proof's `jwk` header as a key for `alg`: a JWK object of a supported type with no
/// private members (RFC 9449 §4.2), fitting `alg` (type, curve, and its own `alg`, `use` and
/// `key_ops` if it has them, as for a JWK Set's keys), and sound (the checks of
/// `alg::prepare_key`).
fn proof_key(
    jwk: Option<&Value>,
    alg: Algorithm,
) -> Result<(crate::jwk::Jwk, crate::alg::PreparedKey), Error> {
    let jwk = match jwk {
        Some(jwk @ Value::Object(_)) => {
            parse_key(jwk).map_err(|skipped| bad("jwk", skipped.reason()))?
        }
        _ => return Err(bad("jwk", "no jwk header object")),
    };
    if jwk.has_private_members() {
        return Err(bad("jwk", "the jwk header holds a private key"));
    }
    // The rules of key selection: the key fits the algorithm, is sound and strong enough.
    let prepared = prepare_key(&jwk.material);
    if let Err(why) = serving(&jwk, || &prepared, alg) {
        return Err(bad("jwk", &why));
    }
    prepared
        .map(|key| (jwk, key))
        .map_err(|why| bad("jwk", &why))
}
