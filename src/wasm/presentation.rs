//! How the request presented the token, as the package passes it: the JSON text of
//! `{ scheme?, dpop?: { proof, method, url, nonce? }, clientCertificate? }`, where
//! `clientCertificate` is the DER in base64url or `{ sha256 }` (its SHA-256 in base64url), and
//! `nonce` one expected nonce or a list. `null` members count as absent (a request without a
//! `DPoP` header gives `proof: null`). Strict like the constructor's options: unknown names and
//! wrong types are `ERR_OPTIONS_INVALID` naming the field (`dpop.url`, say), never a silently
//! skipped check.
//!
//! Why JSON text rather than a JavaScript object walked member by member: it reuses the core's
//! JSON parser, and the strings are borrowed from the parsed document rather than copied out,
//! which keeps the edge module inside its size budget (walking the object cost ~1 KiB
//! gzipped); `JSON.stringify` of a small object is cheap next to a proof's signature.

use alloc::string::String;

use serde_json::Value;
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;

use super::options_error;
use crate::binding::{Presentation, Scheme};
use crate::decode::{base64url_decode, parse_json_object, JsonObject};
use crate::dpop::DpopRequest;

/// A checked presentation document; [`PresentationOptions::presentation`] borrows from it.
#[derive(Default)]
pub(crate) struct PresentationOptions {
    json: JsonObject,
    certificate_sha256: Option<[u8; 32]>,
}

/// A mistake in the document: `(field, message)`.
type Mistake = (&'static str, &'static str);

impl PresentationOptions {
    /// `None`: the token alone.
    pub(crate) fn parse(json: Option<String>) -> Result<PresentationOptions, JsValue> {
        let Some(json) = json else {
            return Ok(PresentationOptions::default());
        };
        let checked = parse_json_object(json.as_bytes())
            .map_err(|_| ("presentation", "must be a JSON object"))
            .and_then(|json| {
                let certificate_sha256 = check(&json)?;
                Ok(PresentationOptions {
                    json,
                    certificate_sha256,
                })
            });
        checked.map_err(|(field, message)| options_error(field, message))
    }

    /// The core's view of it (the document was checked: every member read here has its type).
    pub(crate) fn presentation(&self) -> Presentation<'_> {
        let mut presentation = Presentation::new();
        if let Some(scheme) = text(&self.json, "scheme").and_then(Scheme::from_name) {
            presentation = presentation.scheme(scheme);
        }
        if let Some(dpop) = self.json.get("dpop").and_then(Value::as_object) {
            if let Some(proof) = text(dpop, "proof") {
                let request = DpopRequest::new(
                    proof,
                    text(dpop, "method").unwrap_or_default(),
                    text(dpop, "url").unwrap_or_default(),
                );
                let nonces = match dpop.get("nonce") {
                    Some(Value::Array(list)) => list.as_slice(),
                    Some(nonce) => core::slice::from_ref(nonce),
                    None => &[],
                };
                let request = nonces
                    .iter()
                    .filter_map(Value::as_str)
                    .fold(request, DpopRequest::nonce);
                presentation = presentation.dpop(request);
            }
        }
        if let Some(sha256) = self.certificate_sha256 {
            presentation = presentation.client_certificate_sha256(sha256);
        }
        presentation
    }
}

fn text<'j>(object: &'j JsonObject, name: &str) -> Option<&'j str> {
    object.get(name).and_then(Value::as_str)
}

/// Checks every member's name and type; returns the client certificate's SHA-256.
fn check(json: &JsonObject) -> Result<Option<[u8; 32]>, Mistake> {
    let mut certificate = None;
    for (name, value) in json {
        match (name.as_str(), value) {
            (_, Value::Null) => {}
            ("scheme", Value::String(scheme)) => {
                Scheme::from_name(scheme).ok_or(("scheme", "must be 'Bearer' or 'DPoP'"))?;
            }
            ("scheme", _) => return Err(("scheme", "must be 'Bearer' or 'DPoP'")),
            ("dpop", Value::Object(dpop)) => check_dpop(dpop)?,
            ("dpop", _) => return Err(("dpop", "must be { proof, method, url, nonce? }")),
            ("clientCertificate", value) => certificate = Some(certificate_sha256(value)?),
            _ => return Err(("presentation", "has an unknown member")),
        }
    }
    Ok(certificate)
}

/// `dpop: { proof, method, url, nonce? }`: strings (or null), `nonce` a string or strings,
/// `method` and `url` required with a proof.
fn check_dpop(dpop: &JsonObject) -> Result<(), Mistake> {
    for (name, value) in dpop {
        let field = match name.as_str() {
            "proof" => "dpop.proof",
            "method" => "dpop.method",
            "url" => "dpop.url",
            "nonce" => {
                let strings = match value {
                    Value::Array(list) => list.iter().all(Value::is_string),
                    other => other.is_string() || other.is_null(),
                };
                if !strings {
                    return Err(("dpop.nonce", "must be a string or strings"));
                }
                continue;
            }
            _ => return Err(("dpop", "has an unknown member")),
        };
        if !(value.is_string() || value.is_null()) {
            return Err((field, "must be a string"));
        }
    }
    if text(dpop, "proof").is_some()
        && (text(dpop, "method").is_none() || text(dpop, "url").is_none())
    {
        return Err(("dpop", "needs method and url with a proof"));
    }
    Ok(())
}

/// `clientCertificate`: the DER in base64url, or `{ sha256 }`.
fn certificate_sha256(value: &Value) -> Result<[u8; 32], Mistake> {
    let decode = |text: &str| base64url_decode(text.as_bytes());
    let sha256 = match value {
        Value::String(der) => decode(der)
            .filter(|der| !der.is_empty())
            .map(|der| Sha256::digest(&der).into()),
        Value::Object(members) if members.len() == 1 => members
            .get("sha256")
            .and_then(Value::as_str)
            .and_then(decode)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()),
        _ => None,
    };
    sha256.ok_or((
        "clientCertificate",
        "must be the DER in base64url, or { sha256 } in base64url",
    ))
}
