//! Core results -> plain JavaScript objects. Each result is written once as JSON text and handed
//! to the engine's `JSON.parse` (see the module docs of `wasm` for why). Absent optional members
//! are left out (`undefined` in JS), never `null`.
//!
//! The JSON is written member by member with [`ObjectWriter`] rather than through
//! `#[derive(Serialize)]` structs: only the serialisers of `Map`, `str` and numbers get
//! instantiated, which keeps the module inside its size budget.

use alloc::string::String;

use js_sys::{Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::claims::granted_scopes;
use crate::decode::{base64url_encode as base64url, UnverifiedToken};
use crate::error::Error;
use crate::explain::Explanation;
use crate::jwk::{KeyMaterial, LintWarning};
use crate::verify::{DeferredSignature, Verified};

/// A JSON object under construction, as text. Keys are ASCII identifiers written as they are;
/// strings are escaped here (on every result's path: serde's serializer allocated per value);
/// other values go through serde_json; the token's own JSON texts are copied as they are.
struct ObjectWriter {
    out: String,
    empty: bool,
}

impl ObjectWriter {
    fn new() -> Self {
        // Room for a typical token's header and claims, so the hot path rarely reallocates.
        let mut out = String::with_capacity(512);
        out.push('{');
        ObjectWriter { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// A string value.
    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        push_json_string(&mut self.out, value);
    }

    /// A string value, left out when absent.
    fn optional_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    /// An array of strings.
    fn strs(&mut self, key: &str, values: &[String]) {
        self.key(key);
        self.out.push('[');
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            push_json_string(&mut self.out, value);
        }
        self.out.push(']');
    }

    fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), JsValue> {
        self.key(key);
        // Every value here has string keys, so serialising cannot fail. `to_string`, not
        // `to_writer`: the module is built without serde_json's `std` (io) support.
        let json = serde_json::to_string(value)
            .map_err(|_| error_object("ERR_INTERNAL", "result not serialisable", None, None))?;
        self.out.push_str(&json);
        Ok(())
    }

    /// A value that is already JSON text.
    fn raw(&mut self, key: &str, json: &str) {
        self.key(key);
        self.out.push_str(json);
    }

    /// A nested object written by `write`.
    fn object(
        &mut self,
        key: &str,
        write: impl FnOnce(&mut ObjectWriter) -> Result<(), JsValue>,
    ) -> Result<(), JsValue> {
        self.key(key);
        self.nested(write)
    }

    fn nested(
        &mut self,
        write: impl FnOnce(&mut ObjectWriter) -> Result<(), JsValue>,
    ) -> Result<(), JsValue> {
        let mut inner = ObjectWriter {
            out: core::mem::take(&mut self.out),
            empty: true,
        };
        inner.out.push('{');
        let written = write(&mut inner);
        inner.out.push('}');
        self.out = inner.out;
        written
    }

    /// An array whose items are objects written by `item`.
    fn objects<I>(&mut self, key: &str, items: I) -> Result<(), JsValue>
    where
        I: IntoIterator,
        I::Item: FnOnce(&mut ObjectWriter) -> Result<(), JsValue>,
    {
        self.key(key);
        self.out.push('[');
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            self.nested(item)?;
        }
        self.out.push(']');
        Ok(())
    }

    fn finish(mut self) -> Result<JsValue, JsValue> {
        self.out.push('}');
        JSON::parse(&self.out)
    }

    /// The JSON text itself, as a JavaScript string (the package parses it, and keeps it for its
    /// cache: parsing a kept text again is how a cache hit gets a fresh object).
    fn finish_text(mut self) -> JsValue {
        self.out.push('}');
        JsValue::from_str(&self.out)
    }
}

/// `value` as a JSON string: `"` and `\` escaped, and the control characters JSON forbids raw
/// (U+0000 to U+001F) as `\u00XX`; everything else as it is (the text is UTF-8 already).
fn push_json_string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (at, byte) in value.bytes().enumerate() {
        if byte != b'"' && byte != b'\\' && byte >= 0x20 {
            continue;
        }
        // `at` is an ASCII byte: a character boundary, as is the byte after it.
        out.push_str(value.get(start..at).unwrap_or_default());
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        start = at + 1;
    }
    out.push_str(value.get(start..).unwrap_or_default());
    out.push('"');
}

/// `{ header, payload, scopes, alg, kid? }` of a verified token.
pub(super) fn verified(verified: &Verified) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    write_verified(&mut out, verified)?;
    out.finish()
}

/// [`verified`] as JSON text.
pub(super) fn verified_text(verified: &Verified) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    write_verified(&mut out, verified)?;
    Ok(out.finish_text())
}

fn write_verified(out: &mut ObjectWriter, verified: &Verified) -> Result<(), JsValue> {
    // The texts as the token carried them: the core parsed them strictly (no duplicate names,
    // bounded depth, correctly rounded numbers), so `JSON.parse` gives the same values, in the
    // issuer's member order, without serialising them again here.
    out.raw("header", verified.header_json());
    out.raw("payload", verified.claims_json());
    out.strs("scopes", verified.scopes());
    out.str("alg", verified.algorithm().name());
    out.optional_str("kid", verified.kid());
    // Sender-constrained tokens only: what the presentation confirmed, and the proof's facts
    // for the host's replay check.
    let confirmation = verified.confirmation();
    if confirmation.is_bound() {
        out.object("cnf", |cnf| {
            cnf.optional_str("jkt", confirmation.jkt());
            cnf.optional_str("x5t#S256", confirmation.x5t_s256());
            Ok(())
        })?;
    }
    if let Some(proof) = confirmation.dpop_proof() {
        out.object("dpop", |dpop| {
            dpop.str("jti", proof.jti());
            dpop.raw("iat", &crate::claims::seconds(proof.iat()));
            dpop.str("jkt", proof.jkt());
            Ok(())
        })?;
    }
    Ok(())
}

/// The report of `explain`: `{ valid, code?, message?, claim?, checks, header?, payload?,
/// scopes?, alg?, kid? }`. For a rejected token the header and payload are still shown when the
/// token decodes (marked by `valid: false`: nothing in them was verified), and the scopes the
/// policy's scope claims name when they are well-formed.
pub(super) fn explanation(
    token: &str,
    explanation: &Explanation,
    scope_claims: &[String],
) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    out.value("valid", &explanation.result.is_ok())?;
    if let Err(error) = &explanation.result {
        out.str("code", &super::js_code(error));
        out.str("message", error.message());
        out.optional_str("claim", error.claim());
    }
    out.objects(
        "checks",
        explanation.checks.iter().map(|check| {
            move |item: &mut ObjectWriter| {
                item.str("id", check.id);
                item.str("label", &check.label);
                item.str("status", check.status.as_str());
                item.str("detail", &check.detail);
                Ok(())
            }
        }),
    )?;
    match &explanation.result {
        Ok(verified) => write_verified(&mut out, verified)?,
        Err(_) => {
            if let Ok(decoded) = crate::decode::decode(token) {
                write_texts(&mut out, &decoded);
                // What the policy's scope claims grant, when they are well-formed (unverified,
                // like the payload), so that a rejected token shows its scopes too.
                let scopes = granted_scopes(decoded.claims(), scope_claims).ok();
                if let Some(scopes) = scopes {
                    out.strs("scopes", &scopes);
                }
            }
        }
    }
    out.finish()
}

/// `{ header, payload, warnings: [{ code, message }], scopes? }` for `inspect`, given the scope
/// claims to read: `scopes` when they are well-formed.
pub(super) fn inspected(
    token: &UnverifiedToken,
    scope_claims: &[String],
) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    write_texts(&mut out, token);
    out.objects(
        "warnings",
        token.warnings().into_iter().map(|warning| {
            move |item: &mut ObjectWriter| {
                item.str("code", warning.code);
                item.str("message", &warning.message);
                Ok(())
            }
        }),
    )?;
    if let Ok(scopes) = granted_scopes(token.claims(), scope_claims) {
        out.strs("scopes", &scopes);
    }
    out.finish()
}

/// `{ header, payload }` of a decoded token, as JSON text.
pub(super) fn decoded_text(token: &UnverifiedToken) -> JsValue {
    let mut out = ObjectWriter::new();
    write_texts(&mut out, token);
    out.finish_text()
}

/// `header` and `payload` of a decoded token: the texts as the token carried them (validated as
/// strictly as a verified token's, so `JSON.parse` gives the values the core read).
fn write_texts(out: &mut ObjectWriter, token: &UnverifiedToken) {
    let (header, payload) = token.texts();
    out.raw("header", header);
    out.raw("payload", payload);
}

/// `[{ kid?, code, message }]`.
pub(super) fn lint(warnings: &[LintWarning]) -> Result<JsValue, JsValue> {
    // Written as the member of a wrapper object, then unwrapped, to reuse the array writer.
    let mut out = ObjectWriter::new();
    out.objects(
        "w",
        warnings.iter().map(|warning| {
            move |item: &mut ObjectWriter| {
                item.optional_str("kid", warning.kid.as_deref());
                item.str("code", warning.code.as_str());
                item.str("message", &warning.message);
                Ok(())
            }
        }),
    )?;
    let wrapper = out.finish()?;
    Reflect::get(&wrapper, &JsValue::from_str("w"))
}

/// `{ ifValid | ifValidError }` of a token whose signature checks were deferred: the verdict
/// should they all verify, as JSON text.
pub(super) fn deferred_text(deferred: &DeferredSignature) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    match deferred.if_valid() {
        Ok(verified) => out.object("ifValid", |inner| write_verified(inner, verified))?,
        Err(error) => out.object("ifValidError", |inner| write_error(inner, error))?,
    }
    Ok(out.finish_text())
}

/// The members `code`, `message`, `claim?` of an error object.
fn write_error(out: &mut ObjectWriter, error: &Error) -> Result<(), JsValue> {
    out.str("code", &super::js_code(error));
    out.str("message", error.message());
    out.optional_str("claim", error.claim());
    Ok(())
}

/// `[{ index, jwk }]` for a platform to import: the public members only, base64url.
pub(super) fn public_keys<'k>(
    keys: impl Iterator<Item = (usize, &'k KeyMaterial)>,
) -> Result<JsValue, JsValue> {
    let mut out = ObjectWriter::new();
    out.objects(
        "keys",
        keys.map(|(index, material)| {
            move |item: &mut ObjectWriter| {
                item.value("index", &(index as u64))?;
                item.object("jwk", |jwk| write_jwk(jwk, material))
            }
        }),
    )?;
    let wrapper = out.finish()?;
    Reflect::get(&wrapper, &JsValue::from_str("keys"))
}

/// The JSON text of a key's public JWK, for a platform's `checkJwk`.
pub(super) fn jwk_text(material: &KeyMaterial) -> Option<String> {
    let mut out = ObjectWriter::new();
    write_jwk(&mut out, material).ok()?;
    out.out.push('}');
    Some(out.out)
}

/// The public members of a JWK (RSA without leading zero octets, as RFC 7518 writes them).
fn write_jwk(jwk: &mut ObjectWriter, material: &KeyMaterial) -> Result<(), JsValue> {
    match material {
        KeyMaterial::Rsa { n, e } => {
            jwk.str("kty", "RSA");
            jwk.str("n", &base64url(crate::alg::strip_leading_zeros(n)));
            jwk.str("e", &base64url(crate::alg::strip_leading_zeros(e)));
            Ok(())
        }
        KeyMaterial::Ec { crv, x, y } => {
            jwk.str("kty", "EC");
            jwk.str("crv", crv.name());
            jwk.str("x", &base64url(x));
            jwk.str("y", &base64url(y));
            Ok(())
        }
        KeyMaterial::Ed25519 { x } => {
            jwk.str("kty", "OKP");
            jwk.str("crv", "Ed25519");
            jwk.str("x", &base64url(x));
            Ok(())
        }
        // Never given to a platform (HMAC secrets stay in this module); written as nothing
        // usable.
        KeyMaterial::Oct { .. } => {
            jwk.str("kty", "none");
            Ok(())
        }
    }
}

/// A plain error object `{ code, message, claim?, field? }`; the package's entries turn it into
/// a `JwtError`.
pub(super) fn error_object(
    code: &str,
    message: &str,
    claim: Option<&str>,
    field: Option<&str>,
) -> JsValue {
    let object = Object::new();
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(
        &object,
        &JsValue::from_str("code"),
        &JsValue::from_str(code),
    );
    let _ = Reflect::set(
        &object,
        &JsValue::from_str("message"),
        &JsValue::from_str(message),
    );
    if let Some(claim) = claim {
        let _ = Reflect::set(
            &object,
            &JsValue::from_str("claim"),
            &JsValue::from_str(claim),
        );
    }
    if let Some(field) = field {
        let _ = Reflect::set(
            &object,
            &JsValue::from_str("field"),
            &JsValue::from_str(field),
        );
    }
    object.into()
}
