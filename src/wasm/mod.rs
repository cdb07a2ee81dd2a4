//! The WebAssembly bindings: the only place that names `wasm_bindgen`.
//!
//! They convert and nothing else: JavaScript options become a [`Policy`], results become plain
//! JavaScript objects, and a rejected token becomes a small error object (`{ code, message, claim }`)
//! that the hand-written entries in `pkg/` rethrow as a `JwtError`. Every verdict comes from the
//! core ([`Verifier`]); a platform's crypto may do the arithmetic of a signature check, never
//! decide a verdict (see [`SignatureBackend`]).
//!
//! Why results cross as JSON text (`JSON.parse` of one string) rather than through
//! `serde-wasm-bindgen`: a JWT result is a handful of small objects, and one string hand-over plus
//! the engine's native JSON parser is cheaper than one boundary call per key and value.
//! Why errors are plain objects rather than `JwtError` instances built here: the class must be
//! shared by every entry of a runtime (`import` and `require` in Node see one class), so it lives
//! in the package's JavaScript, and this module stays usable on its own (wasm-bindgen tests).

mod options;
mod output;
mod presentation;

use alloc::string::{String, ToString};

use wasm_bindgen::prelude::*;

use crate::alg::{Algorithm, BackendVerdict, SignatureBackend};
use crate::claims::TimeWindow;
use crate::error::{ConfigError, Error};
use crate::jwk::{Jwks, KeyMaterial};
use crate::verify::{Outcome, Verified, Verifier};

use options::Backend;
use presentation::PresentationOptions;

/// The error code of invalid `new Verifier(options)` options (or invalid call options).
pub const ERR_OPTIONS_INVALID: &str = "ERR_OPTIONS_INVALID";
/// The error code of a JWK Set that cannot be parsed.
pub const ERR_JWKS_INVALID: &str = "ERR_JWKS_INVALID";

#[wasm_bindgen]
extern "C" {
    /// A platform's signature arithmetic, attached by the package (`pkg/src/platform-*.js`):
    /// `check(keyIndex, alg, signingInput, signature)` answers 1 (verifies), 0 (does not),
    /// 2 (not handled here: use this module) or 3 (deferred: the answer is a promise the
    /// platform object keeps, one per deferred check, in order). `signingInput` and `signature`
    /// are views of this module's memory, valid only during the call.
    ///
    /// `checkJwk(jwk, alg, signingInput, signature)` (optional) answers the same for a key that
    /// is not in the JWK Set: a DPoP proof's, given as the JSON text of its public members
    /// (checked by this module first, as every key is). A platform without it leaves those
    /// checks to this module.
    pub type Platform;

    #[wasm_bindgen(method, catch)]
    fn check(
        this: &Platform,
        key_index: u32,
        alg: &JsValue,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<u32, JsValue>;

    #[wasm_bindgen(method, catch, js_name = checkJwk)]
    fn check_jwk(
        this: &Platform,
        jwk: &str,
        alg: &JsValue,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<u32, JsValue>;
}

/// The algorithms' names as JavaScript strings, each made once: a `&str` argument becomes a new
/// JavaScript string on every call (decoded from UTF-8), and the platform is called per token.
struct AlgNames([Option<JsValue>; Algorithm::ALL.len()]);

impl AlgNames {
    fn new() -> Self {
        AlgNames(core::array::from_fn(|_| None))
    }

    /// `None` only for an algorithm missing from `Algorithm::ALL` (never).
    fn get(&mut self, alg: Algorithm) -> Option<&JsValue> {
        let at = Algorithm::ALL.iter().position(|known| *known == alg)?;
        let slot = self.0.get_mut(at)?;
        Some(slot.get_or_insert_with(|| JsValue::from_str(alg.name())))
    }
}

/// A [`Platform`] as the core's [`SignatureBackend`].
struct PlatformBackend<'p> {
    platform: &'p Platform,
    may_defer: bool,
    names: &'p mut AlgNames,
}

impl SignatureBackend for PlatformBackend<'_> {
    fn verify(
        &mut self,
        key_index: usize,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> BackendVerdict {
        let Ok(key_index) = u32::try_from(key_index) else {
            return BackendVerdict::Builtin;
        };
        let Some(alg) = self.names.get(alg) else {
            return BackendVerdict::Builtin;
        };
        let answer = self
            .platform
            .check(key_index, alg, signing_input, signature);
        self.verdict(answer)
    }

    fn verify_key(
        &mut self,
        key: &KeyMaterial,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> BackendVerdict {
        let Some(jwk) = output::jwk_text(key) else {
            return BackendVerdict::Builtin;
        };
        let Some(alg) = self.names.get(alg) else {
            return BackendVerdict::Builtin;
        };
        let answer = self.platform.check_jwk(&jwk, alg, signing_input, signature);
        self.verdict(answer)
    }
}

impl PlatformBackend<'_> {
    fn verdict(&self, answer: Result<u32, JsValue>) -> BackendVerdict {
        match answer {
            Ok(1) => BackendVerdict::Valid,
            Ok(0) => BackendVerdict::Invalid,
            Ok(3) if self.may_defer => BackendVerdict::Deferred,
            // Not handled, an unexpected answer, or the platform threw (an algorithm its
            // OpenSSL lacks, a platform without `checkJwk`): this module decides, so the
            // verdict cannot differ.
            _ => BackendVerdict::Builtin,
        }
    }
}

/// A verifier bound to one JWK Set and one policy. JavaScript sees it as `VerifierCore`; the
/// package's `Verifier` class wraps it and keeps the verified-token cache (see `pkg/src/api.js`:
/// the cache hands out the frozen result objects themselves, which a cache in this module could
/// not do without a copy through JSON per hit).
#[wasm_bindgen(js_name = VerifierCore)]
pub struct WasmVerifier {
    verifier: Verifier,
    cache_entries: usize,
    backend: Backend,
    platform: Option<Platform>,
    async_platform: Option<Platform>,
    alg_names: AlgNames,
    /// The time window of the last token this verifier found valid (`validFrom`/`validUntil`);
    /// `None` when that verdict depended on the presentation (a proof, a certificate), which
    /// a cache keyed by the token must never answer for.
    window: Option<TimeWindow>,
}

impl WasmVerifier {
    /// The synchronous verification: the platform's synchronous arithmetic where attached.
    fn verify_now(
        &mut self,
        token: &str,
        now: f64,
        presentation: Option<String>,
    ) -> Result<Verified, JsValue> {
        let now = options::unix_seconds(now)?;
        let presentation = PresentationOptions::parse(presentation)?;
        let presentation = presentation.presentation();
        let outcome = match &self.platform {
            Some(platform) => self.verifier.verify_presented_with(
                token,
                now,
                &presentation,
                &mut PlatformBackend {
                    platform,
                    may_defer: false,
                    names: &mut self.alg_names,
                },
            ),
            None => self
                .verifier
                .verify_presented(token, now, &presentation)
                .map(Outcome::Verified),
        };
        match outcome {
            Ok(Outcome::Verified(verified)) => {
                self.remember_window(&verified);
                Ok(verified)
            }
            // Not reachable: the backend above may not defer.
            Ok(Outcome::Deferred(deferred)) => Err(token_error(deferred.if_invalid())),
            Err(error) => Err(token_error(&error)),
        }
    }

    /// Keeps `verified`'s time window for `validFrom`/`validUntil`; only the package's cache
    /// reads it, so without a cache it is not computed.
    fn remember_window(&mut self, verified: &Verified) {
        if self.cache_entries > 0 {
            self.window = if verified.confirmation().is_bound() {
                None
            } else {
                Some(self.verifier.time_window(verified))
            };
        }
    }
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
            verifier,
            cache_entries: parsed.cache_entries,
            backend: parsed.backend,
            platform: None,
            async_platform: None,
            alg_names: AlgNames::new(),
            window: Some(TimeWindow {
                from: None,
                until: None,
            }),
        })
    }

    /// Entries of the verified-token cache the options ask for (0: off).
    #[wasm_bindgen(getter, js_name = cacheEntries)]
    pub fn cache_entries(&self) -> f64 {
        self.cache_entries as f64
    }

    /// `maxTokenLength` in bytes: longer tokens are refused at once (not worth a cache lookup).
    #[wasm_bindgen(getter, js_name = maxTokenLength)]
    pub fn max_token_length(&self) -> f64 {
        self.verifier.policy().max_token_len as f64
    }

    /// `dpopIatWindow` in seconds: how long the package's replay store keeps a proof's `jti`
    /// (a proof is accepted while `now <= iat + window`).
    #[wasm_bindgen(getter, js_name = dpopIatWindow)]
    pub fn dpop_iat_window(&self) -> f64 {
        self.verifier.policy().dpop_iat_window as f64
    }

    /// Whether a platform backend may be attached (`backend` is not `'wasm'`).
    #[wasm_bindgen(getter, js_name = acceptsPlatform)]
    pub fn accepts_platform(&self) -> bool {
        self.backend == Backend::Auto
    }

    /// `[{ index, jwk }]`: the public keys a platform may import, with the index `check` is
    /// given (never an HMAC secret; `check` is only called for a key this module chose for a
    /// token and found sound).
    #[wasm_bindgen(js_name = publicKeys)]
    pub fn public_keys(&self) -> Result<JsValue, JsValue> {
        output::public_keys(self.verifier.public_keys())
    }

    /// Attaches the platform's synchronous arithmetic (used by `verify`) and, optionally, its
    /// asynchronous one (used by `verifyDeferred`). Ignored with `backend: 'wasm'`.
    #[wasm_bindgen(js_name = setPlatform)]
    pub fn set_platform(&mut self, platform: Option<Platform>, async_platform: Option<Platform>) {
        if self.backend == Backend::Auto {
            self.platform = platform;
            self.async_platform = async_platform;
        }
    }

    /// Verifies `token` at `now` (Unix seconds; fractions are floored), as the request
    /// presented it (`presentation`: the JSON text described in `presentation.rs`; absent: the
    /// token alone). Returns `{ header, payload, scopes, alg, kid?, cnf?, dpop? }`, where `cnf`
    /// is the binding the presentation confirmed (`{ jkt }`, `{ 'x5t#S256' }`) and `dpop` the
    /// checked proof's `{ jti, iat, jkt }` for the host's replay check; throws
    /// `{ code: 'ERR_JWT_…', message, claim? }`. A result that depends on the presentation (a
    /// bound token) leaves `validFrom`/`validUntil` empty: no cache may answer for it.
    pub fn verify(
        &mut self,
        token: &str,
        now: f64,
        presentation: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let verified = self.verify_now(token, now, presentation)?;
        output::verified(&verified)
    }

    /// `verify` for the package's hot path: the token as UTF-8 bytes (the package writes them
    /// with `TextEncoder.encodeInto` into a reused buffer, several times cheaper than
    /// wasm-bindgen's per-character string hand-over) and the result as JSON text (which the
    /// package parses, and keeps for its cache).
    #[wasm_bindgen(js_name = verifyText)]
    pub fn verify_text(
        &mut self,
        token: &[u8],
        now: f64,
        presentation: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let verified = self.verify_now(utf8(token)?, now, presentation)?;
        output::verified_text(&verified)
    }

    /// Like `verifyText`, with the asynchronous platform: when it deferred a signature check,
    /// returns the JSON text of `{ ifValid | ifValidError }`, the verdict should every deferred
    /// check verify (decided here; the platform holds the promise of each answer), otherwise what
    /// `verifyText` returns. Up to two checks may be deferred, the token's signature and the DPoP
    /// proof's, in that order. When an answer is not "verifies", the package calls this again
    /// with the platform giving the known answers at once, and this gives that verdict: a
    /// refusal is built only when it is the verdict.
    #[wasm_bindgen(js_name = verifyDeferredText)]
    pub fn verify_deferred_text(
        &mut self,
        token: &[u8],
        now: f64,
        presentation: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let token = utf8(token)?;
        let Some(platform) = &self.async_platform else {
            let verified = self.verify_now(token, now, presentation)?;
            return output::verified_text(&verified);
        };
        let now = options::unix_seconds(now)?;
        let presentation = PresentationOptions::parse(presentation)?;
        let mut backend = PlatformBackend {
            platform,
            may_defer: true,
            names: &mut self.alg_names,
        };
        let outcome = self.verifier.verify_presented_with(
            token,
            now,
            &presentation.presentation(),
            &mut backend,
        );
        match outcome {
            Ok(Outcome::Verified(verified)) => {
                self.remember_window(&verified);
                output::verified_text(&verified)
            }
            Ok(Outcome::Deferred(deferred)) => {
                if let Ok(verified) = deferred.if_valid() {
                    self.remember_window(verified);
                }
                output::deferred_text(&deferred)
            }
            Err(error) => Err(token_error(&error)),
        }
    }

    /// The first Unix second at which the last valid token is valid (`-Infinity`: no bound;
    /// `Infinity`: never, for a verdict that depended on the presentation).
    /// With `validUntil`, what the package's cache may answer from.
    #[wasm_bindgen(getter, js_name = validFrom)]
    pub fn valid_from(&self) -> f64 {
        match self.window {
            Some(window) => window.from.map_or(f64::NEG_INFINITY, |t| t as f64),
            None => f64::INFINITY,
        }
    }

    /// The first Unix second at which the last valid token no longer is (`Infinity`: never).
    #[wasm_bindgen(getter, js_name = validUntil)]
    pub fn valid_until(&self) -> f64 {
        match self.window {
            Some(window) => window.until.map_or(f64::INFINITY, |t| t as f64),
            None => f64::NEG_INFINITY,
        }
    }

    /// Every check and its status, never throwing for a bad token: `{ valid, code?, message?,
    /// claim?, checks, header?, payload?, scopes?, alg?, kid?, cnf?, dpop? }`, for the token as
    /// the request presented it (see `verify`). Always this module's arithmetic, and never the
    /// cache, so that the report shows the signature checks.
    pub fn explain(
        &self,
        token: &str,
        now: f64,
        presentation: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let now = options::unix_seconds(now)?;
        let presentation = PresentationOptions::parse(presentation)?;
        let explanation = self
            .verifier
            .explain_presented(token, now, &presentation.presentation());
        let scope_claims = &self.verifier.policy().scope_claims;
        output::explanation(token, &explanation, scope_claims)
    }
}

/// The SHA-256 of a token's UTF-8 bytes (as `verifyText` takes them), base64url: the
/// verified-token cache's key where the runtime has no synchronous hash (workerd, browsers), so
/// that the cache never holds a bearer token.
#[wasm_bindgen(js_name = tokenDigest)]
pub fn token_digest(token: &[u8]) -> String {
    crate::decode::sha256_base64url(token)
}

/// Decodes a token (its UTF-8 bytes, as `verifyText` takes them) without verifying anything:
/// the JSON text of `{ header, payload }`, which the package parses. (Not `decodeText`: the
/// generated glue has a helper of that name, which would shadow it.) Throws
/// `{ code: 'ERR_JWT_MALFORMED' | 'ERR_JWT_TOO_LARGE', message }`.
#[wasm_bindgen(js_name = decodeToken)]
pub fn decode_text(token: &[u8]) -> Result<JsValue, JsValue> {
    let unverified = crate::decode::decode(utf8(token)?).map_err(|e| token_error(&e))?;
    Ok(output::decoded_text(&unverified))
}

/// Like [`decode`], plus the token's warnings (`alg: none`, no `exp`, ...) and the scopes its
/// scope claims grant (`options.scopeClaims`, by default `scope` and `scp`; left out when one of
/// them is neither a string nor an array of strings): `{ header, payload, warnings: [{ code,
/// message }], scopes? }`. Nothing in it is verified. Throws like `decode`, and
/// `{ code: 'ERR_OPTIONS_INVALID' }` for bad options.
#[wasm_bindgen]
pub fn inspect(token: &str, options: JsValue) -> Result<JsValue, JsValue> {
    let scope_claims = options::inspect_scope_claims(&options)?;
    let unverified = crate::decode::decode(token).map_err(|e| token_error(&e))?;
    output::inspected(&unverified, &scope_claims)
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

/// The token's text; bytes that are not UTF-8 are a malformed token (`encodeInto` never writes
/// such bytes: this is for callers of the bindings themselves).
fn utf8(token: &[u8]) -> Result<&str, JsValue> {
    core::str::from_utf8(token).map_err(|_| {
        output::error_object(
            "ERR_JWT_MALFORMED",
            "the token is not UTF-8 text",
            None,
            None,
        )
    })
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
