//! The claims of a verified token (typed accessors for the registered ones) and where each claim
//! is checked, in the contract's order: `typ`, required claims, NumericDate types, `iss`, `sub`,
//! `aud`, time (`exp`, `nbf`, `iat`, maximum age), custom claim values, scopes.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use crate::decode::{Header, JsonObject};
use crate::error::{Error, ErrorCode};
use crate::explain::Trace;
use crate::json::JsonText;
use crate::policy::Policy;

/// The claims of a token (RFC 7519 §4).
///
/// Held as the payload's JSON text, validated strictly as a whole: the checks parse only the
/// claims they read, and the map of every claim is built on the first call that asks for it
/// ([`Claims::get`], [`Claims::as_json`], [`Claims::aud`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    json: JsonText,
}

impl Claims {
    pub(crate) fn new(json: JsonText) -> Self {
        Claims { json }
    }

    /// `iss`, when it is a string.
    pub fn iss(&self) -> Option<&str> {
        self.get_str("iss")
    }
    /// `sub`, when it is a string.
    pub fn sub(&self) -> Option<&str> {
        self.get_str("sub")
    }
    /// `aud` as a list (a single string gives one entry).
    pub fn aud(&self) -> Vec<&str> {
        match self.get("aud") {
            Some(Value::String(aud)) => alloc::vec![aud.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
    /// `exp` in Unix seconds (may be fractional).
    pub fn exp(&self) -> Option<f64> {
        self.json.get_f64("exp")
    }
    /// `nbf` in Unix seconds (may be fractional).
    pub fn nbf(&self) -> Option<f64> {
        self.json.get_f64("nbf")
    }
    /// `iat` in Unix seconds (may be fractional).
    pub fn iat(&self) -> Option<f64> {
        self.json.get_f64("iat")
    }
    /// `jti`, when it is a string.
    pub fn jti(&self) -> Option<&str> {
        self.get_str("jti")
    }
    /// Any claim.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.json.as_map().get(name)
    }
    /// Any claim, when it is a string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.json.get_str(name)
    }
    /// All claims.
    pub fn as_json(&self) -> &JsonObject {
        self.json.as_map()
    }
    /// Whether the token has claim `name` (without building the map of every claim).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.json.contains(name)
    }
    /// The payload's JSON text, as the token carried it.
    pub(crate) fn text(&self) -> &str {
        self.json.text()
    }

    /// The scopes granted by the default claims, `scope` and `scp` (see [`Claims::scopes_in`]);
    /// empty when either is of another type (a verifier refuses such a token as `malformed`).
    pub fn scopes(&self) -> Vec<String> {
        self.scopes_in(&crate::policy::DEFAULT_SCOPE_CLAIMS)
            .unwrap_or_default()
    }

    /// The scopes granted by the claims `names`: each, when present, a space-separated string
    /// (RFC 8693 §4.2, RFC 9068 §2.2.3) or an array of strings (Okta's `scp`, Entra ID's
    /// `roles`, Auth0's `permissions`); their union in order, without duplicates or empty
    /// strings. A claim of any other type is `malformed`, with `claim` naming it.
    pub fn scopes_in<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<String>, Error> {
        granted_scopes(&self.json, names)
    }
}

/// See [`Claims::scopes_in`]; also used by the bindings for the scopes of a token `explain`
/// rejected.
pub(crate) fn granted_scopes<S: AsRef<str>>(
    claims: &JsonText,
    names: &[S],
) -> Result<Vec<String>, Error> {
    let mut scopes: Vec<String> = Vec::new();
    let mut add = |scope: &str| {
        if !scope.is_empty() && !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_string());
        }
    };
    for name in names {
        let name = name.as_ref();
        let found = if is_json_pointer(name) {
            // A member inside the claims (Keycloak's `/realm_access/roles`): read from the map of
            // every claim, built once, since the scanner only locates top-level members.
            json_pointer(claims.as_map(), name).map(Cow::Borrowed)
        } else if let Some(list) = claims.string(name) {
            list.split(' ').for_each(&mut add);
            continue;
        } else {
            claims.value(name)
        };
        match found.as_deref() {
            None => {}
            Some(Value::String(list)) => list.split(' ').for_each(&mut add),
            Some(Value::Array(list)) if list.iter().all(Value::is_string) => {
                list.iter().filter_map(Value::as_str).for_each(&mut add)
            }
            Some(_) => {
                return Err(Error::for_claim(
                    ErrorCode::Malformed,
                    name,
                    format!("{name} is neither a space-separated string nor an array of strings"),
                ))
            }
        }
    }
    Ok(scopes)
}

/// Whether a scope claim name is a JSON Pointer (RFC 6901) into the claims rather than a claim's
/// name: it starts with `/`. No registered or provider claim name does, and a top-level claim
/// that did is still reachable as `/` followed by its name (with `~` written `~0`, `/` `~1`).
fn is_json_pointer(name: &str) -> bool {
    name.starts_with('/')
}

/// Why a list of scope claims is not usable because one of its JSON Pointers is malformed (RFC 6901
/// §3: `~` only in the escapes `~0` and `~1`), or `None`. One rule for the policy and for
/// `inspect`'s option.
pub(crate) fn scope_claims_problem<S: AsRef<str>>(names: &[S]) -> Option<&'static str> {
    let bad_escape = |pointer: &str| {
        let mut chars = pointer.chars();
        while let Some(c) = chars.next() {
            if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
                return true;
            }
        }
        false
    };
    names
        .iter()
        .map(AsRef::as_ref)
        .any(|name| is_json_pointer(name) && bad_escape(name))
        .then_some("is not a JSON Pointer (RFC 6901): `~` must be followed by 0 or 1")
}

/// The value a JSON Pointer (RFC 6901) designates inside the claims: object members by name,
/// array elements by their decimal index (no leading zeros, no `-`); `None` when any step is
/// missing. The pointer was validated by the policy.
fn json_pointer<'a>(claims: &'a JsonObject, pointer: &str) -> Option<&'a Value> {
    let mut steps = pointer.split('/').skip(1);
    let first = unescape_pointer_step(steps.next()?);
    let mut at = claims.get(first.as_ref())?;
    for step in steps {
        let step = unescape_pointer_step(step);
        at = match at {
            Value::Object(members) => members.get(step.as_ref())?,
            Value::Array(items) => {
                // Decimal digits, and no leading zero but in "0" itself.
                let is_index = !step.is_empty()
                    && step.bytes().all(|b| b.is_ascii_digit())
                    && (step == "0" || !step.starts_with('0'));
                if !is_index {
                    return None;
                }
                items.get(step.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(at)
}

/// One reference token of a JSON Pointer with `~1` read as `/` and `~0` as `~`, in that order
/// (RFC 6901 §4).
fn unescape_pointer_step(step: &str) -> Cow<'_, str> {
    if step.contains('~') {
        Cow::Owned(step.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(step)
    }
}

/// Whether two `typ` values name the same media type (RFC 7515 §4.1.9): case-insensitive, with
/// `application/` implied when there is no `/`. Compared as (type, rest) split at the first `/`,
/// which is comparing the normalised strings without building them (this runs on every token).
pub(crate) fn same_media_type(a: &str, b: &str) -> bool {
    fn parts(typ: &str) -> (&str, &str) {
        typ.split_once('/').unwrap_or(("application", typ))
    }
    let ((a_type, a_rest), (b_type, b_rest)) = (parts(a), parts(b));
    a_type.eq_ignore_ascii_case(b_type) && a_rest.eq_ignore_ascii_case(b_rest)
}

/// JSON equality where numbers compare by their exact value, so a policy's `1` matches a token's
/// `1.0`, at every depth. Integers never go through `f64`: database and Snowflake ids are above
/// 2^53, where about 256 neighbouring integers round to the same `f64`.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(name, x)| y.get(name).is_some_and(|y| json_equal(x, y)))
        }
        _ => a == b,
    }
}

/// An integer's exact value as (negative, magnitude): every `i64` and `u64`, the integers
/// serde_json keeps as integers, without a wider type (128-bit arithmetic costs module size).
fn integer_of(number: &serde_json::Number) -> Option<(bool, u64)> {
    number
        .as_u64()
        .map(|magnitude| (false, magnitude))
        .or_else(|| number.as_i64().map(|int| (int < 0, int.unsigned_abs())))
}

/// Numbers equal by value: integers exactly; a float equals an integer only when it is exactly
/// that integer; two floats as `f64` (so `-0.0` equals `0`).
fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    match (integer_of(x), integer_of(y)) {
        (Some(x), Some(y)) => x == y,
        (Some(int), None) => y.as_f64().is_some_and(|float| float_is(float, int)),
        (None, Some(int)) => x.as_f64().is_some_and(|float| float_is(float, int)),
        (None, None) => x.as_f64() == y.as_f64(),
    }
}

/// Whether `float` is exactly the integer (negative, magnitude).
fn float_is(float: f64, (negative, magnitude): (bool, u64)) -> bool {
    // 2^64, exact as f64; from 0 (and -0) up to it, `as u64` does not saturate.
    const TWO_POW_64: f64 = (1u128 << 64) as f64;
    let abs = if negative { -float } else { float };
    if !(0.0..TWO_POW_64).contains(&abs) {
        return false;
    }
    // `as` truncates towards zero: equal both ways only when `abs` has no fraction.
    let truncated = abs as u64;
    truncated == magnitude && truncated as f64 == abs
}

fn quoted(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(", ")
}

/// Checks the claims after the signature, in contract order, and returns the granted scopes.
pub(crate) fn check_claims(
    header: &Header,
    claims: &Claims,
    policy: &Policy,
    now: i64,
    trace: &mut Trace,
) -> Result<Vec<String>, Error> {
    check_typ(header, policy, trace)?;
    check_required(claims, policy, trace)?;
    check_claim_types(claims, trace)?;
    check_iss_sub(claims, policy, trace)?;
    check_aud(claims, policy, trace)?;
    check_times(claims, policy, now, trace)?;
    check_values(claims, policy, trace)?;
    check_scopes(claims, policy, trace)
}

fn check_typ(header: &Header, policy: &Policy, trace: &mut Trace) -> Result<(), Error> {
    let Some(expected) = &policy.typ else {
        trace.skip("typ", || "no typ required".to_string());
        return Ok(());
    };
    let result = match header.typ() {
        Some(actual) if same_media_type(actual, expected) => Ok(()),
        Some(actual) => Err(Error::for_claim(
            ErrorCode::BadTyp,
            "typ",
            format!("typ is {actual:?}, expected {expected:?}"),
        )),
        None => Err(Error::for_claim(
            ErrorCode::BadTyp,
            "typ",
            format!("no typ header, expected {expected:?}"),
        )),
    };
    trace.record("typ", result, |()| format!("{expected:?}"))
}

fn check_required(claims: &Claims, policy: &Policy, trace: &mut Trace) -> Result<(), Error> {
    let implied = [
        (!policy.issuers.is_empty()).then_some("iss"),
        policy.subject.is_some().then_some("sub"),
        (!policy.audiences.is_empty()).then_some("aud"),
        policy.max_token_age.is_some().then_some("iat"),
    ];
    // A closure, not a list: the names are only collected when the checklist asks for them.
    let required = || {
        implied
            .into_iter()
            .flatten()
            .chain(policy.required_claims.iter().map(String::as_str))
            .chain(policy.claims.iter().map(|(name, _)| name.as_str()))
    };
    let mut count = 0;
    for name in required() {
        if !claims.json.contains(name) {
            let err = Error::for_claim(
                ErrorCode::MissingClaim,
                name,
                format!("required claim {name:?} is missing"),
            );
            return trace.record("required_claims", Err(err), |()| String::new());
        }
        count += 1;
    }
    if count == 0 {
        trace.skip("required_claims", || "no claim required".to_string());
    } else {
        trace.pass("required_claims", || {
            required().collect::<Vec<&str>>().join(", ")
        });
    }
    Ok(())
}

fn check_claim_types(claims: &Claims, trace: &mut Trace) -> Result<(), Error> {
    for name in ["exp", "nbf", "iat"] {
        match claims.json.is_number(name) {
            // serde_json numbers are always finite.
            None | Some(true) => {}
            Some(false) => {
                let err = Error::for_claim(
                    ErrorCode::Malformed,
                    name,
                    format!("{name} is not a NumericDate (a JSON number)"),
                );
                return trace.record("claim_types", Err(err), |()| String::new());
            }
        }
    }
    trace.pass("claim_types", || "numbers where present".to_string());
    Ok(())
}

fn check_iss_sub(claims: &Claims, policy: &Policy, trace: &mut Trace) -> Result<(), Error> {
    if policy.issuers.is_empty() {
        trace.skip("iss", || "no issuer configured".to_string());
    } else {
        let result = match claims.json.string("iss") {
            Some(iss) if policy.issuers.iter().any(|accepted| *accepted == iss) => Ok(()),
            Some(iss) => Err(Error::for_claim(
                ErrorCode::BadIssuer,
                "iss",
                format!("iss is {iss:?}, expected {}", quoted(&policy.issuers)),
            )),
            _ => Err(Error::for_claim(
                ErrorCode::BadIssuer,
                "iss",
                "iss is not a string",
            )),
        };
        trace.record("iss", result, |()| {
            format!("{:?}", claims.iss().unwrap_or_default())
        })?;
    }
    match &policy.subject {
        None => trace.skip("sub", || "no subject configured".to_string()),
        Some(expected) => {
            let result = match claims.json.string("sub") {
                Some(sub) if sub == expected.as_str() => Ok(()),
                Some(sub) => Err(Error::for_claim(
                    ErrorCode::BadSubject,
                    "sub",
                    format!("sub is {sub:?}, expected {expected:?}"),
                )),
                _ => Err(Error::for_claim(
                    ErrorCode::BadSubject,
                    "sub",
                    "sub is not a string",
                )),
            };
            trace.record("sub", result, |()| format!("{expected:?}"))?;
        }
    }
    Ok(())
}

fn check_aud(claims: &Claims, policy: &Policy, trace: &mut Trace) -> Result<(), Error> {
    let single = claims.json.string("aud");
    let list = if single.is_none() {
        claims.json.value("aud")
    } else {
        None
    };
    let token_audiences: Vec<&str> = match (&single, list.as_deref()) {
        (Some(aud), _) => alloc::vec![aud.as_ref()],
        (None, None) => {
            // Absent with an audience configured was caught as a missing claim.
            trace.skip("aud", || {
                "no aud in the token and none configured".to_string()
            });
            return Ok(());
        }
        (None, Some(Value::Array(list))) if list.iter().all(Value::is_string) => {
            list.iter().filter_map(Value::as_str).collect()
        }
        (None, Some(_)) => {
            let err = Error::for_claim(
                ErrorCode::Malformed,
                "aud",
                "aud is neither a string nor an array of strings",
            );
            return trace.record("aud", Err(err), |()| String::new());
        }
    };
    let result = if policy.audiences.is_empty() {
        Err(Error::for_claim(
            ErrorCode::BadAudience,
            "aud",
            "the token has an aud but no audience is configured (RFC 7519 §4.1.3)",
        ))
    } else if token_audiences
        .iter()
        .any(|aud| policy.audiences.iter().any(|accepted| accepted == aud))
    {
        Ok(())
    } else {
        Err(Error::for_claim(
            ErrorCode::BadAudience,
            "aud",
            format!(
                "aud {token_audiences:?} does not contain {}",
                quoted(&policy.audiences)
            ),
        ))
    };
    trace.record("aud", result, |()| format!("{token_audiences:?}"))
}

/// A NumericDate for messages, without Rust's float formatter (which would add ~7 KiB gzipped to
/// the WebAssembly module): whole seconds as integers, anything else through serde_json's `ryu`.
pub(crate) fn seconds(value: f64) -> String {
    // `as i64` saturates; no_std has no `f64::fract`.
    if value.abs() < 9.0e15 && (value as i64) as f64 == value {
        (value as i64).to_string()
    } else {
        serde_json::Number::from_f64(value).map_or_else(|| "?".to_string(), |n| n.to_string())
    }
}

/// The time checks with tolerance `t`: `now >= exp + t` expired; `now < nbf - t` not yet
/// valid; `iat > now + t` issued in the future; `now - iat > max_age + t` too old. Also run on
/// every cache hit. Assumes [`check_claim_types`] passed for these claims.
pub(crate) fn check_times(
    claims: &Claims,
    policy: &Policy,
    now: i64,
    trace: &mut Trace,
) -> Result<(), Error> {
    // f64 holds every realistic Unix time exactly; NumericDates may be fractional.
    let now_f = now as f64;
    let tolerance_s = policy.clock_tolerance;
    let tolerance = tolerance_s as f64;
    match claims.exp() {
        None => trace.skip("exp", || "no exp claim".to_string()),
        Some(exp) => {
            let result = if is_expired(exp, now_f, tolerance) {
                Err(Error::for_claim(
                    ErrorCode::Expired,
                    "exp",
                    format!(
                        "exp {} + tolerance {tolerance_s} s <= now {now}",
                        seconds(exp)
                    ),
                ))
            } else {
                Ok(())
            };
            trace.record("exp", result, |()| {
                format!("exp {}, now {now}, tolerance {tolerance_s} s", seconds(exp))
            })?;
        }
    }
    match claims.nbf() {
        None => trace.skip("nbf", || "no nbf claim".to_string()),
        Some(nbf) => {
            let result = if is_not_yet_valid(nbf, now_f, tolerance) {
                Err(Error::for_claim(
                    ErrorCode::NotYetValid,
                    "nbf",
                    format!(
                        "not valid before {} (now {now}, tolerance {tolerance_s} s)",
                        seconds(nbf)
                    ),
                ))
            } else {
                Ok(())
            };
            trace.record("nbf", result, |()| {
                format!("nbf {}, now {now}", seconds(nbf))
            })?;
        }
    }
    match claims.iat() {
        None => trace.skip("iat", || "no iat claim".to_string()),
        Some(iat) => {
            let result = if is_issued_in_future(iat, now_f, tolerance) {
                Err(Error::for_claim(
                    ErrorCode::IssuedInFuture,
                    "iat",
                    format!(
                        "issued in the future: iat {} > now {now} + tolerance {tolerance_s} s",
                        seconds(iat)
                    ),
                ))
            } else {
                Ok(())
            };
            trace.record("iat", result, |()| {
                format!("iat {}, now {now}", seconds(iat))
            })?;
        }
    }
    match (policy.max_token_age, claims.iat()) {
        (Some(max_age), Some(iat)) => {
            let age = now_f - iat;
            let result = if is_too_old(iat, now_f, max_age as f64, tolerance) {
                Err(Error::for_claim(
                    ErrorCode::TooOld,
                    "iat",
                    format!(
                        "token is {} s old, the maximum is {max_age} s (tolerance {tolerance_s} s)",
                        seconds(age)
                    ),
                ))
            } else {
                Ok(())
            };
            trace.record("max_age", result, |()| {
                format!("{} s old, maximum {max_age} s", seconds(age))
            })?;
        }
        _ => trace.skip("max_age", || "no maximum age configured".to_string()),
    }
    Ok(())
}

// The four time rules, each monotone in `now`, shared by `check_times` and `time_window` so that
// the window is exactly the set of times at which `check_times` passes.
fn is_expired(exp: f64, now: f64, tolerance: f64) -> bool {
    now >= exp + tolerance
}
fn is_not_yet_valid(nbf: f64, now: f64, tolerance: f64) -> bool {
    now < nbf - tolerance
}
fn is_issued_in_future(iat: f64, now: f64, tolerance: f64) -> bool {
    iat > now + tolerance
}
fn is_too_old(iat: f64, now: f64, max_age: f64, tolerance: f64) -> bool {
    now - iat > max_age + tolerance
}

/// The whole seconds `now` at which the time rules (`exp`, `nbf`, `iat`, maximum age) pass:
/// `from <= now < until`, each bound absent when unbounded. Times are those a caller can pass
/// (|now| <= 2^53 - 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    /// The first second at which the token is valid (nbf, iat), if any.
    pub from: Option<i64>,
    /// The first second at which it no longer is (exp, maximum age), if any.
    pub until: Option<i64>,
}

impl TimeWindow {
    /// Whether `now` is inside the window.
    pub fn contains(&self, now: i64) -> bool {
        self.from.is_none_or(|from| now >= from) && self.until.is_none_or(|until| now < until)
    }
}

/// The largest |now| a caller may pass (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_NOW: i64 = (1 << 53) - 1;

/// The first `t` in [-MAX_NOW, MAX_NOW] with `fails(t)` for a predicate that is false and then
/// true as `t` grows; `None` if it never holds there. `near` is where the bound is on paper: the
/// seconds around it are tried first, and a binary search settles anything else, so the answer
/// is exact whatever the floating-point rounding of the bounds.
fn first_failing(fails: impl Fn(f64) -> bool, near: f64) -> Option<i64> {
    let holds_from = |t: i64| fails(t as f64) && (t == -MAX_NOW || !fails((t - 1) as f64));
    if near.abs() < MAX_NOW as f64 {
        // `as` truncates towards zero: the answer is within a second or two of it.
        let start = near as i64;
        if let Some(t) = (start - 1..=start + 2).find(|&t| t.abs() <= MAX_NOW && holds_from(t)) {
            return Some(t);
        }
    }
    let (mut low, mut high) = (-MAX_NOW, MAX_NOW);
    if !fails(high as f64) {
        return None;
    }
    while low < high {
        let mid = low + (high - low) / 2;
        if fails(mid as f64) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    Some(low)
}

/// See [`TimeWindow`]. Assumes [`check_claim_types`] passed for these claims.
pub(crate) fn time_window(claims: &Claims, policy: &Policy) -> TimeWindow {
    let tolerance = policy.clock_tolerance as f64;
    // "Still too early" holds and then stops as time grows: the window opens at the first
    // second where it stops.
    let opens =
        |too_early: &dyn Fn(f64) -> bool, near: f64| first_failing(|now| !too_early(now), near);
    let from = [
        claims.nbf().map(|nbf| {
            opens(
                &|now| is_not_yet_valid(nbf, now, tolerance),
                nbf - tolerance,
            )
        }),
        claims.iat().map(|iat| {
            opens(
                &|now| is_issued_in_future(iat, now, tolerance),
                iat - tolerance,
            )
        }),
    ]
    .into_iter()
    .flatten()
    // A bound never reached within the range: the window is empty from the far end.
    .map(|bound| bound.unwrap_or(MAX_NOW + 1))
    .max();
    let until = [
        claims
            .exp()
            .and_then(|exp| first_failing(|now| is_expired(exp, now, tolerance), exp + tolerance)),
        match (policy.max_token_age, claims.iat()) {
            (Some(max_age), Some(iat)) => {
                let max_age = max_age as f64;
                first_failing(
                    |now| is_too_old(iat, now, max_age, tolerance),
                    iat + max_age + tolerance,
                )
            }
            _ => None,
        },
    ]
    .into_iter()
    .flatten()
    .min();
    TimeWindow { from, until }
}

fn check_values(claims: &Claims, policy: &Policy, trace: &mut Trace) -> Result<(), Error> {
    if policy.claims.is_empty() {
        trace.skip("claims", || "no claim values required".to_string());
        return Ok(());
    }
    for (name, expected) in &policy.claims {
        // Presence was checked with the required claims. A string (the usual tenant or client
        // id) is compared without parsing the claim into a value.
        let equal = match expected {
            Value::String(expected) => claims
                .json
                .string(name)
                .is_some_and(|actual| actual == expected.as_str()),
            _ => json_equal(&claims.json.value(name).unwrap_or_default(), expected),
        };
        if !equal {
            let actual = claims.json.value(name).unwrap_or_default();
            let err = Error::for_claim(
                ErrorCode::BadClaim,
                name,
                format!("{name} is {actual}, expected {expected}"),
            );
            return trace.record("claims", Err(err), |()| String::new());
        }
    }
    trace.pass("claims", || {
        let names: Vec<String> = policy
            .claims
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        names.join(", ")
    });
    Ok(())
}

fn check_scopes(claims: &Claims, policy: &Policy, trace: &mut Trace) -> Result<Vec<String>, Error> {
    let read = || policy.scope_claims.join(", ");
    let granted = match claims.scopes_in(&policy.scope_claims) {
        Ok(granted) => granted,
        Err(err) => return trace.record("scopes", Err(err), |_| String::new()),
    };
    if policy.required_scopes.is_empty() {
        trace.skip("scopes", || {
            format!(
                "no scope required; granted (from {}): {}",
                read(),
                granted.join(" ")
            )
        });
        return Ok(granted);
    }
    let missing: Vec<String> = policy
        .required_scopes
        .iter()
        .filter(|scope| !granted.contains(scope))
        .cloned()
        .collect();
    let result = if missing.is_empty() {
        Ok(granted)
    } else {
        // The claim named is the first scope claim read (`scope` by default).
        let claim = policy.scope_claims.first().map_or("scope", String::as_str);
        Err(Error::for_claim(
            ErrorCode::InsufficientScope,
            claim,
            if granted.is_empty() {
                format!(
                    "missing scope(s) {}; no scope granted (read from {})",
                    quoted(&missing),
                    read()
                )
            } else {
                format!(
                    "missing scope(s) {}; granted (from {}): {}",
                    quoted(&missing),
                    read(),
                    quoted(&granted)
                )
            },
        ))
    };
    trace.record("scopes", result, |granted| {
        format!("granted (from {}): {}", read(), granted.join(" "))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: serde_json::Value) -> Claims {
        match value {
            Value::Object(map) => Claims::new(JsonText::from_map(map)),
            _ => unreachable!("claims are an object"),
        }
    }

    #[test]
    fn typ_compares_as_media_types() {
        for (a, b, same) in [
            ("at+jwt", "application/at+jwt", true),
            ("AT+JWT", "at+jwt", true),
            ("Application/AT+jwt", "at+jwt", true),
            ("JWT", "jwt", true),
            ("at+jwt", "jwt", false),
            ("text/at+jwt", "at+jwt", false),
            ("application/at+jwt/x", "at+jwt/x", false),
            ("application/", "", true),
            ("", "jwt", false),
        ] {
            assert_eq!(same_media_type(a, b), same, "{a:?} vs {b:?}");
            assert_eq!(same_media_type(b, a), same, "{b:?} vs {a:?}");
        }
    }

    /// A cache answering from the window must agree with `check_times` at every second:
    /// integral and fractional NumericDates, tolerances, maximum ages, huge and negative times.
    #[test]
    fn the_time_window_is_exactly_where_check_times_passes() {
        let dates = [
            None,
            Some(json!(1_000)),
            Some(json!(1_000.5)),
            Some(json!(999.999_999)),
            Some(json!(-5)),
            Some(json!(9_007_199_254_740_000_i64)),
            Some(json!(1e300)),
            Some(json!(-1e300)),
        ];
        let policies = [
            Policy::new(),
            Policy::new().clock_tolerance(30),
            Policy::new().max_token_age(60),
            Policy::new().clock_tolerance(7).max_token_age(0),
        ];
        let probes = |window: TimeWindow| {
            let mut times =
                alloc::vec![-5, 0, 969, 970, 999, 1_000, 1_001, 1_030, 1_031, 1_060, 1_061];
            for bound in [window.from, window.until].into_iter().flatten() {
                times.extend([bound.saturating_sub(1), bound, bound.saturating_add(1)]);
            }
            times.extend([MAX_NOW, -MAX_NOW, MAX_NOW - 1]);
            times.retain(|t| t.abs() <= MAX_NOW);
            times
        };
        let mut checked = 0;
        for exp in &dates {
            for nbf in &dates {
                for iat in &dates {
                    let mut object = serde_json::Map::new();
                    for (name, date) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
                        if let Some(date) = date {
                            object.insert(name.into(), date.clone());
                        }
                    }
                    let claims = claims(Value::Object(object));
                    for policy in &policies {
                        let window = time_window(&claims, policy);
                        for now in probes(window) {
                            let passes =
                                check_times(&claims, policy, now, &mut Trace::off()).is_ok();
                            assert_eq!(
                                window.contains(now),
                                passes,
                                "exp {exp:?} nbf {nbf:?} iat {iat:?} now {now} window {window:?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
