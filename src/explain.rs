//! The checklist behind a verdict: every check the verifier makes, in order, each passed, failed,
//! not reached or skipped (not configured). The verifier records it while it verifies, on the
//! same code path, so the checklist can never disagree with the verdict.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::Error;
use crate::verify::Verified;

/// Every check, in the order the verifier makes them: `(id, label)`.
pub const CHECKS: [(&str, &str); 35] = [
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
    ("cnf", "Confirmation claim (cnf) well-formed"),
    (
        "sender_constraint",
        "Sender constraint required by the policy",
    ),
    (
        "dpop_proof",
        "DPoP proof: one JWT, strict base64url and JSON",
    ),
    ("dpop_typ", "DPoP proof type (typ dpop+jwt)"),
    ("dpop_alg", "DPoP proof algorithm asymmetric and allowed"),
    ("dpop_jwk", "DPoP proof key (jwk header, public, sound)"),
    ("dpop_signature", "DPoP proof signature"),
    ("dpop_htm", "DPoP proof method (htm)"),
    ("dpop_htu", "DPoP proof URI (htu)"),
    ("dpop_iat", "DPoP proof time (iat)"),
    ("dpop_jti", "DPoP proof identifier (jti)"),
    ("dpop_ath", "DPoP proof access token hash (ath)"),
    ("dpop_nonce", "DPoP proof nonce"),
    ("cnf_jkt", "Bound to the DPoP proof's key (cnf.jkt)"),
    ("cnf_x5t", "Bound to the client certificate (cnf.x5t#S256)"),
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

/// Appends one line. Out of line and not generic: `Trace::push` is instantiated for every
/// check's detail closure, and this part would otherwise be copied into each of them (about
/// 1 KiB gzipped of the WebAssembly module).
#[inline(never)]
fn push_check(checks: &mut Vec<Check>, id: &'static str, status: CheckStatus, detail: String) {
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
        if let Some(checks) = &mut self.checks {
            push_check(checks, id, status, detail());
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
            Err(err) => self.fail(id, err),
        }
        result
    }

    /// The failed line of `record`, out of line: `record` is instantiated for every step.
    #[inline(never)]
    fn fail(&mut self, id: &'static str, err: &Error) {
        self.push(id, CheckStatus::Failed, || err.message().to_string());
    }

    /// Every check in [`CHECKS`] order, those that did not run as `not_reached`.
    pub(crate) fn finish(self) -> Vec<Check> {
        let mut recorded = self.checks.unwrap_or_default();
        // In order by construction rather than sorted: the module's only stable sort cost it
        // about 1 KiB gzipped.
        let checks = CHECKS
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
            .collect();
        debug_assert!(
            recorded.is_empty(),
            "a check recorded twice or not in CHECKS"
        );
        checks
    }
}
