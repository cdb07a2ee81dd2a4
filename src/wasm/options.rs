//! JavaScript options -> [`Policy`]. Strict on purpose: a misspelt option (`issuers`, `aud`)
//! would otherwise silently drop a check, so unknown names, wrong types and out-of-range numbers
//! are `ERR_OPTIONS_INVALID` naming the field. `undefined` means "not set", as everywhere in JS.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use js_sys::Array;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::{jwks_error, options_error};
use crate::binding::SenderConstraint;
use crate::policy::Policy;

/// Entries of the verified-token cache when `cache` is absent or `true`.
pub const DEFAULT_CACHE_ENTRIES: usize = 1000;

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

#[wasm_bindgen]
extern "C" {
    // `catch` versions: a getter or a Proxy in the options may throw, and an uncaught JS
    // exception unwinding through wasm frames would skip Rust's cleanup.
    #[wasm_bindgen(js_namespace = Object, js_name = entries, catch)]
    fn object_entries(object: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = getPrototypeOf, catch)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// What `new Verifier(options)` asks for, converted.
pub(crate) struct VerifierOptions {
    pub(crate) jwks_json: String,
    pub(crate) policy: Policy,
    pub(crate) cache_entries: usize,
    pub(crate) backend: Backend,
}

/// `backend`: where public-key signature arithmetic runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// `'auto'` (default): the platform's crypto where the package has attached it.
    Auto,
    /// `'wasm'`: always this module (the portable path).
    Wasm,
}

/// Converts the options object of `new Verifier(options)`.
pub(crate) fn parse_verifier_options(options: &JsValue) -> Result<VerifierOptions, JsValue> {
    let entries = own_entries(options, "options")?;
    let mut jwks_json = None;
    let mut policy = Policy::new();
    let mut cache_entries = DEFAULT_CACHE_ENTRIES;
    let mut backend = Backend::Auto;
    for (name, value) in entries {
        if value.is_undefined() {
            continue;
        }
        match name.as_str() {
            "jwks" => jwks_json = Some(jwks_json_of(&value)?),
            "algorithms" => {
                let names = non_empty(string_list(&value, "algorithms", false)?, "algorithms")?;
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                policy = policy.algorithm_names(&refs);
            }
            "issuer" => {
                policy = policy.issuers(non_empty(string_list(&value, "issuer", true)?, "issuer")?)
            }
            "audience" => {
                let audiences = non_empty(string_list(&value, "audience", true)?, "audience")?;
                policy = policy.audiences(audiences)
            }
            "subject" => policy = policy.subject(string(&value, "subject")?),
            "typ" => policy = policy.typ(string(&value, "typ")?),
            "requiredClaims" => {
                policy = policy.required_claims(string_list(&value, "requiredClaims", false)?)
            }
            "requiredScopes" => {
                policy = policy.required_scopes(string_list(&value, "requiredScopes", false)?)
            }
            "scopeClaims" => policy = policy.scope_claims(scope_claims_option(&value)?),
            "claims" => {
                if !is_plain_object(&value) {
                    return Err(options_error("claims", "must be a plain object"));
                }
                for (claim, expected) in own_entries(&value, "claims")? {
                    let field = format!("claims.{claim}");
                    policy = policy.claim(&claim, claim_value(&expected, &field, 0)?);
                }
            }
            "clockTolerance" => policy = policy.clock_tolerance(seconds(&value, "clockTolerance")?),
            "maxTokenAge" => policy = policy.max_token_age(seconds(&value, "maxTokenAge")?),
            "maxTokenLength" => {
                let len = integer(&value, "maxTokenLength")?;
                if len < 1.0 {
                    return Err(options_error("maxTokenLength", "must be at least 1 byte"));
                }
                policy = policy.max_token_len(to_usize(len, "maxTokenLength")?);
            }
            "senderConstraint" => {
                let name = string(&value, "senderConstraint")?;
                let constraint = SenderConstraint::from_name(&name).ok_or_else(|| {
                    options_error(
                        "senderConstraint",
                        "must be 'none', 'dpop', 'mtls' or 'any'",
                    )
                })?;
                policy = policy.sender_constraint(constraint);
            }
            "dpopAlgorithms" => {
                let names = string_list(&value, "dpopAlgorithms", false)?;
                policy = policy.dpop_algorithm_names(non_empty(names, "dpopAlgorithms")?);
            }
            "dpopIatWindow" => policy = policy.dpop_iat_window(seconds(&value, "dpopIatWindow")?),
            "cache" => cache_entries = cache_option(&value)?,
            "backend" => {
                backend = match string(&value, "backend")?.as_str() {
                    "auto" => Backend::Auto,
                    "wasm" => Backend::Wasm,
                    _ => return Err(options_error("backend", "must be 'auto' or 'wasm'")),
                }
            }
            other => return Err(options_error(other, "unknown option")),
        }
    }
    let jwks_json = jwks_json.ok_or_else(|| options_error("jwks", "is required"))?;
    Ok(VerifierOptions {
        jwks_json,
        policy,
        cache_entries,
        backend,
    })
}

/// `scopeClaims` of `inspect(token, { scopeClaims })`, checked as the verifier option is;
/// absent options (or option) mean the default claims.
pub(crate) fn inspect_scope_claims(options: &JsValue) -> Result<Vec<String>, JsValue> {
    let mut scope_claims = None;
    if !options.is_undefined() {
        for (name, value) in own_entries(options, "options")? {
            match name.as_str() {
                _ if value.is_undefined() => {}
                "scopeClaims" => scope_claims = Some(scope_claims_option(&value)?),
                other => return Err(options_error(other, "unknown option")),
            }
        }
    }
    Ok(scope_claims.unwrap_or_else(|| {
        crate::policy::DEFAULT_SCOPE_CLAIMS
            .iter()
            .map(|name| String::from(*name))
            .collect()
    }))
}

/// `scopeClaims`: a non-empty list of non-empty claim names or JSON Pointers (RFC 6901).
fn scope_claims_option(value: &JsValue) -> Result<Vec<String>, JsValue> {
    let names = non_empty(string_list(value, "scopeClaims", false)?, "scopeClaims")?;
    if names.iter().any(String::is_empty) {
        return Err(options_error("scopeClaims", "contains an empty string"));
    }
    if let Some(problem) = crate::claims::scope_claims_problem(&names) {
        return Err(options_error("scopeClaims", problem));
    }
    Ok(names)
}

/// `now` of `verify(token, { now })`: Unix seconds, floored. Rejects NaN and infinities, which
/// would otherwise become a silent 0 or `i64::MAX`.
pub(crate) fn unix_seconds(now: f64) -> Result<i64, JsValue> {
    if !now.is_finite() || now.abs() > MAX_SAFE_INTEGER {
        return Err(options_error(
            "now",
            "must be a finite number of Unix seconds",
        ));
    }
    // In range by the check above, so the cast is exact after flooring.
    Ok(libm_floor(now) as i64)
}

/// `f64::floor` lives in `std`, which this crate only has with the `std` feature (always on with
/// `wasm`); written out so the module does not depend on that detail.
fn libm_floor(value: f64) -> f64 {
    let truncated = value as i64 as f64;
    if truncated > value {
        truncated - 1.0
    } else {
        truncated
    }
}

/// The JSON text of a JWK Set given as an object or as JSON text.
pub(crate) fn jwks_json(value: &JsValue) -> Result<String, JsValue> {
    jwks_json_of(value)
}

fn jwks_json_of(value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(options_error(
            "jwks",
            "must be a JWK Set object or its JSON text",
        ));
    }
    // Member by member, own members only (as for claim values), never through `JSON.stringify`:
    // it calls a `toJSON` found anywhere on the prototype chain, so a polluted
    // `Object.prototype.toJSON` could hand the core another key set than the caller's.
    let members = claim_value(value, "jwks", 0)
        .map_err(|_| jwks_error("not a JSON value made of plain objects, arrays and primitives"))?;
    serde_json::to_string(&members).map_err(|_| jwks_error("not serialisable as JSON"))
}

/// The JS spelling of a policy field named by the core.
pub(crate) fn js_field_name(field: &str) -> &str {
    match field {
        "algorithm_names" | "algorithms" => "algorithms",
        "issuers" | "issuer" => "issuer",
        "audiences" | "audience" => "audience",
        "required_scopes" => "requiredScopes",
        "required_claims" => "requiredClaims",
        "scope_claims" => "scopeClaims",
        "claim" | "claims" => "claims",
        "clock_tolerance" => "clockTolerance",
        "max_token_age" => "maxTokenAge",
        "max_token_len" => "maxTokenLength",
        other => other,
    }
}

/// Own enumerable `[name, value]` pairs of a plain object (never the prototype chain, so a
/// polluted `Object.prototype` cannot inject options).
fn own_entries(value: &JsValue, field: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    if !value.is_object() || Array::is_array(value) {
        return Err(options_error(field, "must be an object"));
    }
    let entries = object_entries(value).map_err(|_| options_error(field, "cannot be read"))?;
    let mut out = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        // Object.entries only yields string keys, so `as_string` cannot miss.
        let name = pair.get(0).as_string().unwrap_or_default();
        out.push((name, pair.get(1)));
    }
    Ok(out)
}

fn string(value: &JsValue, field: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| options_error(field, "must be a string"))
}

/// A list of strings; with `single`, a lone string is a one-element list (`issuer: 'x'`).
fn string_list(value: &JsValue, field: &str, single: bool) -> Result<Vec<String>, JsValue> {
    if single {
        if let Some(text) = value.as_string() {
            return Ok(alloc::vec![text]);
        }
    }
    if !Array::is_array(value) {
        let expected = if single {
            "must be a string or an array of strings"
        } else {
            "must be an array of strings"
        };
        return Err(options_error(field, expected));
    }
    let array: &Array = value.unchecked_ref();
    let mut out = Vec::with_capacity(array.length() as usize);
    for item in array.iter() {
        out.push(
            item.as_string()
                .ok_or_else(|| options_error(field, "must contain only strings"))?,
        );
    }
    Ok(out)
}

/// An empty `issuer` / `audience` list would silently mean "no check" (and an empty
/// `algorithms` list "nothing verifies"): both are mistakes, e.g. a configuration variable that
/// was not set, so they are refused; omitting the option is how to ask for no check.
fn non_empty(list: Vec<String>, field: &str) -> Result<Vec<String>, JsValue> {
    if list.is_empty() {
        return Err(options_error(
            field,
            "must not be an empty list (omit the option instead)",
        ));
    }
    Ok(list)
}

/// A non-negative whole number that a JS number holds exactly.
fn integer(value: &JsValue, field: &str) -> Result<f64, JsValue> {
    let number = value
        .as_f64()
        .ok_or_else(|| options_error(field, "must be a number"))?;
    // NaN and infinities fall outside the range.
    if !(0.0..=MAX_SAFE_INTEGER).contains(&number) || libm_floor(number) != number {
        return Err(options_error(field, "must be a non-negative integer"));
    }
    Ok(number)
}

fn seconds(value: &JsValue, field: &str) -> Result<u64, JsValue> {
    // A safe integer (checked by `integer`), so the cast is exact.
    Ok(integer(value, field)? as u64)
}

fn to_usize(number: f64, field: &str) -> Result<usize, JsValue> {
    if number > usize::MAX as f64 {
        return Err(options_error(field, "is too large"));
    }
    Ok(number as usize)
}

/// `cache: false | true | { maxEntries }`.
fn cache_option(value: &JsValue) -> Result<usize, JsValue> {
    if let Some(on) = value.as_bool() {
        return Ok(if on { DEFAULT_CACHE_ENTRIES } else { 0 });
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(options_error(
            "cache",
            "must be false, true or { maxEntries }",
        ));
    }
    let mut entries = DEFAULT_CACHE_ENTRIES;
    for (name, item) in own_entries(value, "cache")? {
        if item.is_undefined() {
            continue;
        }
        match name.as_str() {
            "maxEntries" => {
                entries = to_usize(integer(&item, "cache.maxEntries")?, "cache.maxEntries")?
            }
            other => {
                let field = format!("cache.{other}");
                return Err(options_error(&field, "unknown option"));
            }
        }
    }
    Ok(entries)
}

/// How deeply a custom claim's expected value may nest (as a token's JSON may).
const MAX_CLAIM_DEPTH: usize = 64;

/// A custom claim's expected value, converted value by value rather than through `JSON.stringify`,
/// which would turn `NaN` and `Infinity` into `null`, drop `undefined` and functions from objects
/// and turn them into `null` in arrays, and call `toJSON`: each would silently change the check.
/// Numbers must be finite and, when integers, safe (`Number.MAX_SAFE_INTEGER`): a larger integer
/// literal has already been rounded by JavaScript (`1234567890123456789` is
/// `1234567890123456768`), so it must come as a BigInt, which is exact (within 64 bits).
/// Integers become JSON integers, so `5` compares equal to a token's `5` exactly.
fn claim_value(value: &JsValue, field: &str, depth: usize) -> Result<Value, JsValue> {
    if depth > MAX_CLAIM_DEPTH {
        return Err(options_error(field, "is nested more than 64 levels deep"));
    }
    if let Some(text) = value.as_string() {
        return Ok(Value::String(text));
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Value::Bool(flag));
    }
    if value.is_null() {
        return Ok(Value::Null);
    }
    if let Some(number) = value.as_f64() {
        return number_value(number).map_err(|why| options_error(field, why));
    }
    if value.is_bigint() {
        return bigint_value(value)
            .ok_or_else(|| options_error(field, "is a BigInt outside the 64-bit integer range"));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(claim_value(&item, field, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if is_plain_object(value) {
        let mut members = serde_json::Map::new();
        for (name, member) in own_entries(value, field)? {
            members.insert(name, claim_value(&member, field, depth + 1)?);
        }
        return Ok(Value::Object(members));
    }
    Err(options_error(
        field,
        "must be a JSON value (string, finite number, BigInt, boolean, null, array or plain \
         object); undefined, functions, symbols and other objects are not",
    ))
}

/// A JS number as a JSON number: see [`claim_value`].
fn number_value(number: f64) -> Result<Value, &'static str> {
    if !number.is_finite() {
        return Err("must be a finite number (NaN and Infinity are not JSON values)");
    }
    if number.abs() > MAX_SAFE_INTEGER {
        return Err(
            "is an integer beyond Number.MAX_SAFE_INTEGER, which a JavaScript number cannot \
             hold exactly: pass it as a BigInt (for example 1234567890123456789n)",
        );
    }
    if libm_floor(number) == number {
        // A safe integer (so the cast is exact); -0 becomes 0.
        return Ok(Value::from(number as i64));
    }
    serde_json::Number::from_f64(number)
        .map(Value::Number)
        .ok_or("must be a finite number")
}

/// A BigInt within the i64 or u64 range as an exact JSON integer (wasm-bindgen's conversions
/// refuse a BigInt they would truncate).
fn bigint_value(value: &JsValue) -> Option<Value> {
    if let Ok(signed) = i64::try_from(value.clone()) {
        return Some(Value::from(signed));
    }
    u64::try_from(value.clone()).ok().map(Value::from)
}

/// An object whose prototype is `Object.prototype` or `null`: what JSON objects are. A `Map`,
/// a `Date` or a class instance is not (their `Object.entries` are not what they hold).
fn is_plain_object(value: &JsValue) -> bool {
    if !value.is_object() || Array::is_array(value) {
        return false;
    }
    match prototype_of(value) {
        Ok(prototype) if prototype.is_null() => true,
        Ok(prototype) => prototype_of(&js_sys::Object::new()).is_ok_and(|plain| plain == prototype),
        // A Proxy whose trap throws.
        Err(_) => false,
    }
}
