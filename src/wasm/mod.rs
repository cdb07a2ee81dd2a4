//! The WebAssembly bindings: the only place that names `wasm_bindgen`.
//!
//! They convert and nothing else: JavaScript options become a [`Policy`], results become plain
//! JavaScript objects, and a rejected token becomes a small error object (`{ code, message, claim }`)
//! that the hand-written entries in `pkg/` rethrow as a `JwtError`. Every verdict comes from the
//! core ([`Verifier`], [`CachingVerifier`]).
//!
//! Why results cross as JSON text (`JSON.parse` of one string) rather than through
//! `serde-wasm-bindgen`: a JWT result is a handful of small objects, and one string hand-over plus
//! the engine's native JSON parser is cheaper than one boundary call per key and value.
//! Why errors are plain objects rather than `JwtError` instances built here: the class must be
//! shared by every entry of a runtime (`import` and `require` in Node see one class), so it lives
//! in the package's JavaScript, and this module stays usable on its own (wasm-bindgen tests).

mod options;
mod output;

use alloc::string::{String, ToString};

use wasm_bindgen::prelude::*;

use crate::cache::CachingVerifier;
use crate::error::{ConfigError, Error};
use crate::jwk::Jwks;
use crate::verify::Verifier;

/// The error code of invalid `new Verifier(options)` options (or invalid call options).
pub const ERR_OPTIONS_INVALID: &str = "ERR_OPTIONS_INVALID";
/// The error code of a JWK Set that cannot be parsed.
pub const ERR_JWKS_INVALID: &str = "ERR_JWKS_INVALID";

/// A verifier bound to one JWK Set and one policy, with its verified-token cache. JavaScript sees
/// it as `VerifierCore`; the package's `Verifier` class wraps it.
#[wasm_bindgen(js_name = VerifierCore)]
pub struct WasmVerifier {
    inner: CachingVerifier,
    max_entries: usize,
}

#[wasm_bindgen(js_class = VerifierCore)]
impl WasmVerifier {
    /// Parses the options (see `pkg/index.d.ts`), parses the JWK Set and imports its keys once.
    /// Throws `{ code: 'ERR_OPTIONS_INVALID' | 'ERR_JWKS_INVALID', field, message }`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<WasmVerifier, JsValue> {
        let parsed = options::parse_verifier_options(options)?;
        let jwks = Jwks::from_json(&parsed.jwks_json).map_err(|e| config_error(&e))?;
        let verifier = Verifier::new(jwks, parsed.policy).map_err(|e| config_error(&e))?;
        Ok(WasmVerifier {
            inner: CachingVerifier::new(verifier, parsed.cache_entries),
            max_entries: parsed.cache_entries,
        })
    }

    /// Verifies `token` at `now` (Unix seconds; fractions are floored). Returns
    /// `{ header, payload, scopes, alg, kid? }`; throws `{ code: 'ERR_JWT_…', message, claim? }`.
    pub fn verify(&mut self, token: &str, now: f64) -> Result<JsValue, JsValue> {
        let now = options::unix_seconds(now)?;
        match self.inner.verify(token, now) {
            Ok(verified) => output::verified(&verified),
            Err(error) => Err(token_error(&error)),
        }
    }

    /// Every check and its status, never throwing for a bad token: `{ valid, code?, message?,
    /// claim?, checks, header?, payload?, scopes?, alg?, kid? }`. Bypasses the cache, so that the
    /// report always shows the signature check.
    pub fn explain(&self, token: &str, now: f64) -> Result<JsValue, JsValue> {
        let now = options::unix_seconds(now)?;
        output::explanation(token, &self.inner.verifier().explain(token, now))
    }

    /// `{ hits, misses, entries, maxEntries }` of the verified-token cache.
    #[wasm_bindgen(js_name = cacheStats)]
    pub fn cache_stats(&self) -> Result<JsValue, JsValue> {
        output::cache_stats(&self.inner.stats(), self.max_entries)
    }
}

/// Decodes a token without verifying anything: `{ header, payload }`. Throws
/// `{ code: 'ERR_JWT_MALFORMED' | 'ERR_JWT_TOO_LARGE', message }`.
#[wasm_bindgen]
pub fn decode(token: &str) -> Result<JsValue, JsValue> {
    let unverified = crate::decode::decode(token).map_err(|e| token_error(&e))?;
    output::decoded(&unverified, false)
}

/// Like [`decode`], plus the token's warnings (`alg: none`, no `exp`, ...): `{ header, payload,
/// warnings: [{ code, message }] }`.
#[wasm_bindgen]
pub fn inspect(token: &str) -> Result<JsValue, JsValue> {
    let unverified = crate::decode::decode(token).map_err(|e| token_error(&e))?;
    output::decoded(&unverified, true)
}

/// Warnings about a JWK Set (object or JSON text): `[{ kid?, code, message }]`. Throws
/// `{ code: 'ERR_JWKS_INVALID' }` for a document that is not a JWK Set, and
/// `{ code: 'ERR_OPTIONS_INVALID' }` when `jwks` is neither an object nor a string.
#[wasm_bindgen(js_name = lintJwks)]
pub fn lint_jwks(jwks: &JsValue) -> Result<JsValue, JsValue> {
    let json = options::jwks_json(jwks)?;
    let jwks = Jwks::from_json(&json).map_err(|e| config_error(&e))?;
    output::lint(&jwks.lint())
}

/// Bytes of WebAssembly linear memory held by this instance (memory only ever grows). Not part of
/// the package's documented API: the memory test reads it to show that freed and forgotten
/// verifiers give their memory back for reuse.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size::<0>();
    // The bindings only run in wasm; elsewhere they are compiled for `cargo check` alone.
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    (pages * 65536) as f64
}

/// The JavaScript code of a core error code: `ERR_JWT_` + its name in upper case.
pub fn js_code(error: &Error) -> String {
    let mut code = String::from("ERR_JWT_");
    code.push_str(&error.code().as_str().to_ascii_uppercase());
    code
}

/// `{ code, message, claim? }` for a rejected token.
fn token_error(error: &Error) -> JsValue {
    output::error_object(&js_code(error), error.message(), error.claim(), None)
}

/// `{ code, message, field }` for a caller mistake, naming the option as JavaScript spells it.
fn config_error(error: &ConfigError) -> JsValue {
    match error {
        ConfigError::InvalidJwks(message) => jwks_error(message),
        ConfigError::InvalidPolicy { field, message } => {
            options_error(options::js_field_name(field), message)
        }
    }
}

/// `{ code: 'ERR_OPTIONS_INVALID', field, message }`.
pub(crate) fn options_error(field: &str, message: &str) -> JsValue {
    let mut text = String::from("invalid option `");
    text.push_str(field);
    text.push_str("`: ");
    text.push_str(message);
    output::error_object(ERR_OPTIONS_INVALID, &text, None, Some(field))
}

/// `{ code: 'ERR_JWKS_INVALID', field: 'jwks', message }`.
pub(crate) fn jwks_error(message: &str) -> JsValue {
    let text = "invalid JWK Set: ".to_string() + message;
    output::error_object(ERR_JWKS_INVALID, &text, None, Some("jwks"))
}
