//! Core results -> plain JavaScript objects. Each result is serialised once to JSON text and
//! handed to the engine's `JSON.parse` (see the module docs of `wasm` for why). Absent optional
//! members are left out (`undefined` in JS), never `null`.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Object, Reflect, JSON};
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::cache::CacheStats;
use crate::decode::UnverifiedToken;
use crate::explain::Explanation;
use crate::jwk::LintWarning;
use crate::verify::Verified;

type JsonObject = Map<String, Value>;

#[derive(Serialize)]
struct VerifiedOut<'a> {
    header: &'a JsonObject,
    payload: &'a JsonObject,
    scopes: &'a [String],
    alg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// `{ header, payload, scopes, alg, kid? }` of a verified token.
pub(super) fn verified(verified: &Verified) -> Result<JsValue, JsValue> {
    to_js(&VerifiedOut {
        header: verified.header().as_json(),
        payload: verified.claims().as_json(),
        scopes: verified.scopes(),
        alg: verified.algorithm().name(),
        kid: verified.kid(),
    })
}

#[derive(Serialize)]
struct CheckOut<'a> {
    id: &'a str,
    label: &'a str,
    status: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct ExplanationOut<'a> {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim: Option<&'a str>,
    checks: Vec<CheckOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<&'a JsonObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<&'a JsonObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alg: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// The report of `explain`. For a rejected token the header and payload are still shown when the
/// token decodes (marked by `valid: false`: nothing in them was verified).
pub(super) fn explanation(token: &str, explanation: &Explanation) -> Result<JsValue, JsValue> {
    let checks = explanation
        .checks
        .iter()
        .map(|check| CheckOut {
            id: check.id,
            label: &check.label,
            status: check.status.as_str(),
            detail: &check.detail,
        })
        .collect();
    match &explanation.result {
        Ok(verified) => to_js(&ExplanationOut {
            valid: true,
            code: None,
            message: None,
            claim: None,
            checks,
            header: Some(verified.header().as_json()),
            payload: Some(verified.claims().as_json()),
            scopes: Some(verified.scopes()),
            alg: Some(verified.algorithm().name()),
            kid: verified.kid(),
        }),
        Err(error) => {
            let decoded = crate::decode::decode(token).ok();
            to_js(&ExplanationOut {
                valid: false,
                code: Some(super::js_code(error)),
                message: Some(error.message()),
                claim: error.claim(),
                checks,
                header: decoded.as_ref().map(UnverifiedToken::header_json),
                payload: decoded.as_ref().map(UnverifiedToken::claims_json),
                scopes: None,
                alg: None,
                kid: None,
            })
        }
    }
}

#[derive(Serialize)]
struct WarningOut<'a> {
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct DecodedOut<'a> {
    header: &'a JsonObject,
    payload: &'a JsonObject,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<Vec<WarningOut<'a>>>,
}

/// `{ header, payload }`, plus `warnings` for `inspect`.
pub(super) fn decoded(token: &UnverifiedToken, with_warnings: bool) -> Result<JsValue, JsValue> {
    let warnings = if with_warnings {
        Some(token.warnings())
    } else {
        None
    };
    to_js(&DecodedOut {
        header: token.header_json(),
        payload: token.claims_json(),
        warnings: warnings.as_ref().map(|list| {
            list.iter()
                .map(|w| WarningOut {
                    code: w.code,
                    message: &w.message,
                })
                .collect()
        }),
    })
}

#[derive(Serialize)]
struct LintOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    code: &'a str,
    message: &'a str,
}

/// `[{ kid?, code, message }]`.
pub(super) fn lint(warnings: &[LintWarning]) -> Result<JsValue, JsValue> {
    let out: Vec<LintOut<'_>> = warnings
        .iter()
        .map(|w| LintOut {
            kid: w.kid.as_deref(),
            code: w.code.as_str(),
            message: &w.message,
        })
        .collect();
    to_js(&out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CacheStatsOut {
    hits: u64,
    misses: u64,
    entries: u64,
    max_entries: u64,
}

/// `{ hits, misses, entries, maxEntries }`.
pub(super) fn cache_stats(stats: &CacheStats, max_entries: usize) -> Result<JsValue, JsValue> {
    to_js(&CacheStatsOut {
        hits: stats.hits as u64,
        misses: stats.misses as u64,
        entries: stats.entries as u64,
        max_entries: max_entries as u64,
    })
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

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // Serialising string-keyed maps, strings and numbers into a String cannot fail.
    let text = serde_json::to_string(value)
        .map_err(|_| error_object("ERR_INTERNAL", "result not serialisable", None, None))?;
    JSON::parse(&text)
}
