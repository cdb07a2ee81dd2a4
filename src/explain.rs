//! The checklist behind a verdict: every check the verifier makes, in order, each passed, failed,
//! not reached or skipped (not configured). The verifier records it while it verifies, on the
//! same code path, so the checklist can never disagree with the verdict.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::Error;
use crate::verify::Verified;

/// Every check, in the order the verifier makes them: `(id, label)`.
pub const CHECKS: [(&str, &str); 20] = [
    ("size", "Token size"),
    ("structure", "Three segments, strict base64url"),
    ("header", "Header is a JSON object with alg (and kid)"),
    ("crit", "No critical extensions (crit)"),
    ("algorithm", "Algorithm supported and allowed"),
    ("key", "Key chosen from the JWK Set"),
    ("signature", "Signature"),
    ("payload", "Payload is a JSON object"),
    ("typ", "Token type (typ)"),
    ("required_claims", "Required claims present"),
    ("claim_types", "exp / nbf / iat are NumericDates"),
    ("iss", "Issuer (iss)"),
    ("sub", "Subject (sub)"),
    ("aud", "Audience (aud)"),
    ("exp", "Not expired (exp)"),
    ("nbf", "Already valid (nbf)"),
    ("iat", "Not issued in the future (iat)"),
    ("max_age", "Not older than the maximum age (iat)"),
    ("claims", "Required claim values"),
    ("scopes", "Required scopes granted"),
];

/// The state of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// The check ran and passed.
    Passed,
    /// The check ran and failed: the verdict's error comes from here.
    Failed,
    /// An earlier check failed, so this one did not run.
    NotReached,
    /// The policy does not ask for it (or the token has nothing to check).
    Skipped,
}

impl CheckStatus {
    /// `passed`, `failed`, `not_reached` or `skipped`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::NotReached => "not_reached",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// One line of the checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable id from [`CHECKS`], e.g. `"exp"`.
    pub id: &'static str,
    /// A label for people.
    pub label: String,
    /// What happened.
    pub status: CheckStatus,
    /// Why: the values compared, the key chosen, the error message.
    pub detail: String,
}

/// A verdict with its checklist. See `Verifier::explain`.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// Exactly what `Verifier::verify` returns for the same token and time.
    pub result: Result<Verified, Error>,
    /// Every check of [`CHECKS`], in order.
    pub checks: Vec<Check>,
}

/// Records checks when explaining; does nothing (and allocates nothing) when verifying.
pub(crate) struct Trace {
    checks: Option<Vec<Check>>,
}

impl Trace {
    pub(crate) const fn off() -> Self {
        Trace { checks: None }
    }

    pub(crate) fn on() -> Self {
        Trace {
            checks: Some(Vec::with_capacity(CHECKS.len())),
        }
    }

    fn push(&mut self, id: &'static str, status: CheckStatus, detail: impl FnOnce() -> String) {
        if self.checks.is_some() {
            let detail = detail();
            self.add(id, status, detail);
        }
    }

    /// What `push` does once the detail is written: not generic, so that the many call sites
    /// (each with its own closure) share one copy of it in the WebAssembly module.
    #[inline(never)]
    fn add(&mut self, id: &'static str, status: CheckStatus, detail: String) {
        if let Some(checks) = &mut self.checks {
            let label = CHECKS
                .iter()
                .find(|(known, _)| *known == id)
                .map_or(id, |(_, label)| label);
            checks.push(Check {
                id,
                label: label.to_string(),
                status,
                detail,
            });
        }
    }

    pub(crate) fn pass(&mut self, id: &'static str, detail: impl FnOnce() -> String) {
        self.push(id, CheckStatus::Passed, detail);
    }

    pub(crate) fn skip(&mut self, id: &'static str, detail: impl FnOnce() -> String) {
        self.push(id, CheckStatus::Skipped, detail);
    }

    /// Records `result` under `id` and hands it back, so a step reads
    /// `let x = trace.record("id", step(), |x| detail)?;`.
    pub(crate) fn record<T>(
        &mut self,
        id: &'static str,
        result: Result<T, Error>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T, Error> {
        match &result {
            Ok(value) => self.push(id, CheckStatus::Passed, || detail(value)),
            Err(err) => self.push_failure(id, err),
        }
        result
    }

    #[inline(never)]
    fn push_failure(&mut self, id: &'static str, err: &Error) {
        if self.checks.is_some() {
            self.add(id, CheckStatus::Failed, err.message().to_string());
        }
    }

    /// Every check in [`CHECKS`] order, those that did not run as `not_reached`.
    pub(crate) fn finish(self) -> Vec<Check> {
        let mut recorded = self.checks.unwrap_or_default();
        // In order by construction rather than sorted: a sort costs the module a few KiB.
        CHECKS
            .iter()
            .map(
                |&(id, label)| match recorded.iter().position(|check| check.id == id) {
                    Some(at) => recorded.swap_remove(at),
                    None => Check {
                        id,
                        label: label.to_string(),
                        status: CheckStatus::NotReached,
                        detail: String::new(),
                    },
                },
            )
            .collect()
    }
}
