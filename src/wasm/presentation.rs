//! The second argument of `verify(token, { dpop, clientCertificate, scheme })` -> the core's
//! [`Presentation`]. Strict like the constructor's options: unknown names and wrong types are
//! `ERR_OPTIONS_INVALID` naming the field (`dpop.url`, say), never a silently skipped check.
//! `now` may be present: the package reads it.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{ArrayBuffer, Uint8Array};
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;

use super::options::{own_entries, string, string_list};
use super::options_error;
use crate::binding::{Presentation, Scheme};
use crate::decode::base64url_decode;
use crate::dpop::DpopRequest;

/// A presentation with its strings owned (the core's borrows them).
#[derive(Default)]
pub(crate) struct PresentationOptions {
    scheme: Option<Scheme>,
    /// `(proof, method, url, expected nonces)`.
    dpop: Option<(String, String, String, Vec<String>)>,
    certificate_sha256: Option<[u8; 32]>,
}

impl PresentationOptions {
    /// `undefined` or `null`: the token alone.
    pub(crate) fn parse(value: &JsValue) -> Result<PresentationOptions, JsValue> {
        let mut parsed = PresentationOptions::default();
        if value.is_undefined() || value.is_null() {
            return Ok(parsed);
        }
        for (name, item) in own_entries(value, "options")? {
            if item.is_undefined() || item.is_null() {
                continue;
            }
            match name.as_str() {
                "now" => {}
                "scheme" => {
                    let scheme = Scheme::from_name(&string(&item, "scheme")?);
                    let scheme = scheme
                        .ok_or_else(|| options_error("scheme", "must be 'Bearer' or 'DPoP'"))?;
                    parsed.scheme = Some(scheme);
                }
                "dpop" => parsed.dpop = dpop(&item)?,
                "clientCertificate" => parsed.certificate_sha256 = Some(certificate(&item)?),
                other => return Err(options_error(other, "unknown option")),
            }
        }
        Ok(parsed)
    }

    /// The core's view of it.
    pub(crate) fn presentation(&self) -> Presentation<'_> {
        let mut presentation = Presentation::new();
        if let Some(scheme) = self.scheme {
            presentation = presentation.scheme(scheme);
        }
        if let Some((proof, method, url, nonces)) = &self.dpop {
            let request = nonces
                .iter()
                .fold(DpopRequest::new(proof, method, url), |request, nonce| {
                    request.nonce(nonce)
                });
            presentation = presentation.dpop(request);
        }
        if let Some(sha256) = self.certificate_sha256 {
            presentation = presentation.client_certificate_sha256(sha256);
        }
        presentation
    }
}

/// `dpop: { proof, method, url, nonce? }`; a `proof` of `null` or `undefined` (no `DPoP` header
/// in the request) is no proof.
#[allow(clippy::type_complexity, reason = "the tuple of PresentationOptions::dpop")]
fn dpop(value: &JsValue) -> Result<Option<(String, String, String, Vec<String>)>, JsValue> {
    let (mut proof, mut method, mut url, mut nonces) = (None, None, None, Vec::new());
    for (name, item) in own_entries(value, "dpop")? {
        if item.is_undefined() || item.is_null() {
            continue;
        }
        match name.as_str() {
            "proof" => proof = Some(string(&item, "dpop.proof")?),
            "method" => method = Some(string(&item, "dpop.method")?),
            "url" => url = Some(string(&item, "dpop.url")?),
            "nonce" => nonces = string_list(&item, "dpop.nonce", true)?,
            other => {
                let field = alloc::format!("dpop.{other}");
                return Err(options_error(&field, "unknown option"));
            }
        }
    }
    let Some(proof) = proof else {
        return Ok(None);
    };
    let method = method.ok_or_else(|| options_error("dpop.method", "is required with a proof"))?;
    let url = url.ok_or_else(|| options_error("dpop.url", "is required with a proof"))?;
    Ok(Some((proof, method, url, nonces)))
}

/// `clientCertificate`: the DER bytes (a `Uint8Array`, a Node `Buffer`, an `ArrayBuffer`), or
/// `{ sha256 }` with their SHA-256 in base64url.
fn certificate(value: &JsValue) -> Result<[u8; 32], JsValue> {
    let der = if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Some(bytes.to_vec())
    } else {
        value
            .dyn_ref::<ArrayBuffer>()
            .map(|buffer| Uint8Array::new(buffer).to_vec())
    };
    if let Some(der) = der {
        if der.is_empty() {
            return Err(options_error("clientCertificate", "is empty"));
        }
        return Ok(Sha256::digest(&der).into());
    }
    let mut sha256 = None;
    for (name, item) in own_entries(value, "clientCertificate")? {
        match name.as_str() {
            "sha256" => sha256 = Some(string(&item, "clientCertificate.sha256")?),
            other => {
                let field = alloc::format!("clientCertificate.{other}");
                return Err(options_error(&field, "unknown option"));
            }
        }
    }
    let invalid = || {
        options_error(
            "clientCertificate.sha256",
            "must be a SHA-256 in base64url (43 characters)",
        )
    };
    let sha256 = sha256.ok_or_else(invalid)?;
    base64url_decode(sha256.as_bytes())
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(invalid)
}
