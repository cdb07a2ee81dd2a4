//! Errors: one [`Error`] per rejected token, with a stable [`ErrorCode`]; a separate
//! [`ConfigError`] for caller mistakes (a bad JWK Set or policy), which are not hostile input.

use alloc::string::{String, ToString};
use core::fmt;

/// Why a token was rejected. The set is closed and stable: codes are part of the public contract
/// (JavaScript shows them as `ERR_JWT_` + the upper-case name, e.g. `ERR_JWT_EXPIRED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// Not a well-formed compact JWS or JWT: segments, base64url, JSON, claim types.
    Malformed,
    /// Longer than `max_token_len`, or JSON nested deeper than 64 levels.
    TooLarge,
    /// `alg` is `none` (in any spelling) or not an algorithm this build supports.
    UnsupportedAlg,
    /// A supported algorithm that the policy does not allow.
    AlgNotAllowed,
    /// No key in the JWK Set can verify the token (or several could, ambiguously).
    KeyNotFound,
    /// The key named by `kid` cannot serve this algorithm, or is unsound (weak RSA, short HMAC
    /// secret, point off the curve, small-order Ed25519 key).
    KeyMismatch,
    /// The signature does not verify, or is not encoded as the algorithm requires.
    BadSignature,
    /// `now >= exp + tolerance`.
    Expired,
    /// `now < nbf - tolerance`.
    NotYetValid,
    /// `iat > now + tolerance`.
    IssuedInFuture,
    /// `now - iat > max_token_age + tolerance`.
    TooOld,
    /// `iss` is not one of the accepted issuers.
    BadIssuer,
    /// `aud` shares no value with the accepted audiences (or the token has an `aud` and no audience
    /// is configured).
    BadAudience,
    /// `sub` is not the expected subject.
    BadSubject,
    /// A custom claim does not have the required value.
    BadClaim,
    /// A required claim is absent.
    MissingClaim,
    /// A required scope is not granted by the scope claims (by default `scope` / `scp`).
    InsufficientScope,
    /// The header's `typ` is not the expected media type.
    BadTyp,
    /// The header has a `crit` member: no critical extension is supported.
    UnsupportedCrit,
    /// The DPoP proof (RFC 9449) is invalid; [`Error::claim`] names the part that failed:
    /// `proof` (missing, or not a well-formed JWT), `typ`, `alg`, `jwk`, `signature`, `htm`,
    /// `htu`, `iat`, `jti` (also a replayed proof, decided by the host), `ath` or `nonce`.
    BadDpopProof,
    /// The sender constraint does not hold: a bound token presented without its DPoP proof or
    /// client certificate (or as a `Bearer` token), a proof key or certificate that is not the
    /// one in the token's `cnf`, or an unbound token where the policy requires binding.
    BadBinding,
}

impl ErrorCode {
    /// Every code, in contract order.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::Malformed,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedAlg,
        ErrorCode::AlgNotAllowed,
        ErrorCode::KeyNotFound,
        ErrorCode::KeyMismatch,
        ErrorCode::BadSignature,
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::IssuedInFuture,
        ErrorCode::TooOld,
        ErrorCode::BadIssuer,
        ErrorCode::BadAudience,
        ErrorCode::BadSubject,
        ErrorCode::BadClaim,
        ErrorCode::MissingClaim,
        ErrorCode::InsufficientScope,
        ErrorCode::BadTyp,
        ErrorCode::UnsupportedCrit,
        ErrorCode::BadDpopProof,
        ErrorCode::BadBinding,
    ];

    /// The stable snake_case name, e.g. `"expired"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedAlg => "unsupported_alg",
            ErrorCode::AlgNotAllowed => "alg_not_allowed",
            ErrorCode::KeyNotFound => "key_not_found",
            ErrorCode::KeyMismatch => "key_mismatch",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::Expired => "expired",
            ErrorCode::NotYetValid => "not_yet_valid",
            ErrorCode::IssuedInFuture => "issued_in_future",
            ErrorCode::TooOld => "too_old",
            ErrorCode::BadIssuer => "bad_issuer",
            ErrorCode::BadAudience => "bad_audience",
            ErrorCode::BadSubject => "bad_subject",
            ErrorCode::BadClaim => "bad_claim",
            ErrorCode::MissingClaim => "missing_claim",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::BadTyp => "bad_typ",
            ErrorCode::UnsupportedCrit => "unsupported_crit",
            ErrorCode::BadDpopProof => "bad_dpop_proof",
            ErrorCode::BadBinding => "bad_binding",
        }
    }

    /// Parses a name produced by [`ErrorCode::as_str`].
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected token: exactly one code, a message naming what failed, and the claim involved (if
/// any). Messages never contain key material or signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    claim: Option<String>,
}

impl Error {
    /// An error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            claim: None,
        }
    }

    /// An error about one claim (or header member), e.g. `exp`.
    pub fn for_claim(code: ErrorCode, claim: &str, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            claim: Some(claim.to_string()),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What failed, for people (not for matching: match on [`Error::code`]).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The claim the error is about, if it is about one.
    pub fn claim(&self) -> Option<&str> {
        self.claim.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// A caller mistake: the JWK Set or the policy cannot be used. Raised when a [`crate::Verifier`]
/// or [`crate::Jwks`] is built, never while verifying a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The JWK Set is not valid JSON or not an RFC 7517 set (`{"keys": [...]}`).
    InvalidJwks(String),
    /// A policy field has an unusable value.
    InvalidPolicy {
        /// The field, as named in the policy (`issuer`, `algorithms`, ...).
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    pub(crate) fn policy(field: &str, message: impl Into<String>) -> Self {
        ConfigError::InvalidPolicy {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidJwks(message) => write!(f, "invalid JWK Set: {message}"),
            ConfigError::InvalidPolicy { field, message } => {
                write!(f, "invalid policy field `{field}`: {message}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ConfigError {}
