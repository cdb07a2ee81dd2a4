//! What the caller requires of a token. Each option documents its side effect (for example,
//! setting an issuer makes `iss` required).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use crate::alg::{Algorithm, KeyType};
use crate::binding::SenderConstraint;
use crate::decode::DEFAULT_MAX_TOKEN_LEN;
use crate::dpop::DEFAULT_IAT_WINDOW;
use crate::error::ConfigError;

/// The claims scopes are read from unless [`Policy::scope_claims`] says otherwise: `scope`
/// (RFC 8693 §4.2, RFC 9068 §2.2.3) and `scp` (Okta, Entra ID delegated permissions).
pub const DEFAULT_SCOPE_CLAIMS: [&str; 2] = ["scope", "scp"];

/// Largest `max_token_len` accepted: bounds the work an attacker can ask for.
const MAX_TOKEN_LEN_LIMIT: usize = 16 * 1024 * 1024;

/// Verification policy. Build it with [`Policy::new`] and the chained setters.
///
/// ```
/// use jwtward::{Algorithm, Policy};
/// let policy = Policy::new()
///     .algorithms([Algorithm::RS256, Algorithm::ES256])
///     .issuer("https://issuer.example")
///     .audience("api://orders")
///     .required_scopes(["orders:read"])
///     .claim("tenant_id", "acme".into())
///     .clock_tolerance(30);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub(crate) algorithms: Option<Vec<Algorithm>>,
    pub(crate) unknown_algorithms: Vec<String>,
    pub(crate) issuers: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) subject: Option<String>,
    pub(crate) required_scopes: Vec<String>,
    pub(crate) scope_claims: Vec<String>,
    pub(crate) required_claims: Vec<String>,
    pub(crate) claims: Vec<(String, Value)>,
    pub(crate) typ: Option<String>,
    pub(crate) clock_tolerance: u64,
    pub(crate) max_token_age: Option<u64>,
    pub(crate) max_token_len: usize,
    pub(crate) sender_constraint: SenderConstraint,
    pub(crate) dpop_algorithms: Option<Vec<Algorithm>>,
    pub(crate) dpop_iat_window: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new()
    }
}

impl Policy {
    /// A policy that accepts every supported algorithm (each still bound to its key type), any
    /// issuer, no audience, with no clock tolerance and a 64 KiB size limit.
    pub fn new() -> Self {
        Policy {
            algorithms: None,
            unknown_algorithms: Vec::new(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            subject: None,
            required_scopes: Vec::new(),
            scope_claims: DEFAULT_SCOPE_CLAIMS
                .iter()
                .map(|name| name.to_string())
                .collect(),
            required_claims: Vec::new(),
            claims: Vec::new(),
            typ: None,
            clock_tolerance: 0,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            max_token_age: None,
            sender_constraint: SenderConstraint::None,
            dpop_algorithms: None,
            dpop_iat_window: DEFAULT_IAT_WINDOW,
        }
    }

    /// Allow only these algorithms (adds to any already allowed). Tokens with a supported
    /// algorithm outside the list fail with `alg_not_allowed`. Without a call, every supported
    /// algorithm is allowed (each still bound to its key type).
    ///
    /// An allow-list that ends up empty is refused by [`crate::Verifier::new`] (a
    /// `ConfigError` on `algorithms`): a computed list that came out empty must never widen to
    /// every algorithm.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        // Set even when `algorithms` is empty, so that `validate` sees the empty list.
        let list = self.algorithms.get_or_insert_with(Vec::new);
        for alg in algorithms {
            if !list.contains(&alg) {
                list.push(alg);
            }
        }
        self
    }

    /// Allow algorithms by JOSE name, as configuration files and JavaScript give them. Any string
    /// is accepted: a name that is not a supported algorithm (`none` included) can never verify a
    /// token (such tokens fail with `unsupported_alg`), so listing it fails closed rather than
    /// open. A list of only such names allows nothing.
    ///
    /// An empty list is refused by [`crate::Verifier::new`], as with [`Policy::algorithms`].
    pub fn algorithm_names<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        let list = self.algorithms.get_or_insert_with(Vec::new);
        for name in names {
            let name = name.as_ref();
            match Algorithm::from_name(name) {
                Some(alg) if alg.is_supported() => {
                    if !list.contains(&alg) {
                        list.push(alg);
                    }
                }
                _ => self.unknown_algorithms.push(name.to_string()),
            }
        }
        self
    }

    /// Accept this issuer (call again, or use [`Policy::issuers`], for several). Makes `iss`
    /// required; it must equal one of them exactly.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accept any of these issuers. Makes `iss` required.
    pub fn issuers<S: Into<String>>(mut self, issuers: impl IntoIterator<Item = S>) -> Self {
        self.issuers.extend(issuers.into_iter().map(Into::into));
        self
    }

    /// Accept this audience (call again, or use [`Policy::audiences`], for several). Makes `aud`
    /// required; it must contain one of them. Without any audience, a token that has an `aud`
    /// is rejected (RFC 7519 §4.1.3).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accept any of these audiences. Makes `aud` required.
    pub fn audiences<S: Into<String>>(mut self, audiences: impl IntoIterator<Item = S>) -> Self {
        self.audiences.extend(audiences.into_iter().map(Into::into));
        self
    }

    /// Require this exact `sub`. Makes `sub` required.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Require every one of these scopes to be granted by the scope claims (see
    /// [`Policy::scope_claims`]; by default `scope` and `scp`).
    pub fn required_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.required_scopes
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The claims that grant scopes, replacing the default [`DEFAULT_SCOPE_CLAIMS`] (`scope`,
    /// `scp`): for example `["scp", "roles"]` for Entra ID, whose application permissions are
    /// `roles`, or `["permissions"]` for Auth0 RBAC. Each claim, when present, is a
    /// space-separated string or an array of strings; a claim of any other type makes the token
    /// `malformed` (with `claim` naming it), whether or not scopes are required. The granted
    /// scopes ([`crate::Verified::scopes`]) are the union of these claims' values, in order,
    /// without duplicates; required scopes are looked up in them. A name that starts with `/`
    /// is a JSON Pointer (RFC 6901) to a member inside the claims: `/realm_access/roles` for
    /// Keycloak's realm roles, `/resource_access/orders-api/roles` for a client's roles. An empty
    /// list (or an empty name, or a pointer with a bad `~` escape) is refused by
    /// [`crate::Verifier::new`].
    pub fn scope_claims<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.scope_claims = names.into_iter().map(Into::into).collect();
        self
    }

    /// Require these claims to be present (any value).
    pub fn required_claims<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.required_claims
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Require a claim to equal a JSON value (for example `tenant_id == "acme"`). Makes the claim
    /// required. Numbers compare by exact value, at any depth: integers exactly (never rounded
    /// through `f64`, so ids above 2^53 are safe), and a float equals an integer only when it is
    /// exactly that integer (`1` equals `1.0`).
    pub fn claim(mut self, name: impl Into<String>, value: Value) -> Self {
        self.claims.push((name.into(), value));
        self
    }

    /// Require the header's `typ` (case-insensitive; `application/` is implied without a `/`,
    /// so `at+jwt` matches `application/at+jwt`). Makes `typ` required.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Seconds of clock skew tolerated on `exp`, `nbf`, `iat` and the maximum age. Default 0.
    pub fn clock_tolerance(mut self, seconds: u64) -> Self {
        self.clock_tolerance = seconds;
        self
    }

    /// Reject tokens issued more than this many seconds ago. Makes `iat` required.
    pub fn max_token_age(mut self, seconds: u64) -> Self {
        self.max_token_age = Some(seconds);
        self
    }

    /// Reject tokens longer than this many bytes (`too_large`). Default 64 KiB.
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// Which sender-constrained tokens are required (RFC 9449 DPoP, RFC 8705 mTLS). Default
    /// [`SenderConstraint::None`]: unbound tokens are accepted. Whatever this says, a token
    /// that is bound (its `cnf` has `jkt` or `x5t#S256`) is accepted only with its proof or
    /// client certificate; see `Verifier::verify_presented`.
    pub fn sender_constraint(mut self, constraint: SenderConstraint) -> Self {
        self.sender_constraint = constraint;
        self
    }

    /// Allow only these algorithms for DPoP proofs (adds to any already allowed). Default:
    /// every asymmetric algorithm this build supports. A symmetric (HMAC) algorithm can never
    /// sign a proof (RFC 9449 §4.2): listing one is refused when the verifier is built.
    pub fn dpop_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        let list = self.dpop_algorithms.get_or_insert_with(Vec::new);
        for alg in algorithms {
            if !list.contains(&alg) {
                list.push(alg);
            }
        }
        self
    }

    /// [`Policy::dpop_algorithms`] by JOSE name. A name that is not a supported algorithm
    /// allows nothing (fails closed, as with [`Policy::algorithm_names`]); an HMAC name is
    /// refused when the verifier is built.
    pub fn dpop_algorithm_names<S: AsRef<str>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        let list = self.dpop_algorithms.get_or_insert_with(Vec::new);
        for name in names {
            match Algorithm::from_name(name.as_ref()) {
                Some(alg) if alg.is_supported() && !list.contains(&alg) => list.push(alg),
                _ => {}
            }
        }
        self
    }

    /// Seconds a DPoP proof's `iat` may be from `now`, either way (RFC 9449 §11.1: proofs
    /// are short-lived; a host's replay store keeps `jti`s this long). Default 60, at most
    /// 3600.
    pub fn dpop_iat_window(mut self, seconds: u64) -> Self {
        self.dpop_iat_window = seconds;
        self
    }

    /// Whether the policy's DPoP algorithm list allows `alg` (a symmetric algorithm is
    /// refused before the list is asked: see `dpop`).
    pub(crate) fn allows_dpop(&self, alg: Algorithm) -> bool {
        self.dpop_algorithms
            .as_ref()
            .is_none_or(|list| list.contains(&alg))
    }

    /// The algorithms this policy allows, or `None` for every supported one.
    pub fn allowed_algorithms(&self) -> Option<&[Algorithm]> {
        self.algorithms.as_deref()
    }

    /// Whether `alg` may be used.
    pub(crate) fn allows(&self, alg: Algorithm) -> bool {
        self.algorithms
            .as_ref()
            .is_none_or(|list| list.contains(&alg))
    }

    /// Refuses values that can only be mistakes: an empty algorithm list, empty names, a zero
    /// or huge size limit, a tolerance over a day.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let non_empty = |field: &str, values: &[String]| {
            if values.iter().any(String::is_empty) {
                Err(ConfigError::policy(field, "contains an empty string"))
            } else {
                Ok(())
            }
        };
        if self
            .algorithms
            .as_ref()
            .is_some_and(|list| list.is_empty() && self.unknown_algorithms.is_empty())
        {
            return Err(ConfigError::policy(
                "algorithms",
                "is an empty list; omit it to allow every supported algorithm",
            ));
        }
        non_empty("issuer", &self.issuers)?;
        non_empty("audience", &self.audiences)?;
        non_empty("requiredScopes", &self.required_scopes)?;
        non_empty("requiredClaims", &self.required_claims)?;
        non_empty("scopeClaims", &self.scope_claims)?;
        if self.scope_claims.is_empty() {
            return Err(ConfigError::policy(
                "scopeClaims",
                "is an empty list; omit it to read `scope` and `scp`",
            ));
        }
        if let Some(problem) = crate::claims::scope_claims_problem(&self.scope_claims) {
            return Err(ConfigError::policy("scopeClaims", problem));
        }
        if self.subject.as_deref() == Some("") {
            return Err(ConfigError::policy("subject", "is an empty string"));
        }
        if self.typ.as_deref() == Some("") {
            return Err(ConfigError::policy("typ", "is an empty string"));
        }
        if self.claims.iter().any(|(name, _)| name.is_empty()) {
            return Err(ConfigError::policy("claims", "has an empty claim name"));
        }
        if self.max_token_len == 0 || self.max_token_len > MAX_TOKEN_LEN_LIMIT {
            return Err(ConfigError::policy(
                "maxTokenLength",
                "must be between 1 byte and 16 MiB",
            ));
        }
        if let Some(hmac) = self
            .dpop_algorithms
            .iter()
            .flatten()
            .find(|alg| alg.key_type() == KeyType::Oct)
        {
            return Err(ConfigError::policy(
                "dpopAlgorithms",
                format!(
                    "{hmac} is symmetric: a DPoP proof is signed with the client's private key"
                ),
            ));
        }
        if self.dpop_iat_window > 3600 {
            return Err(ConfigError::policy(
                "dpopIatWindow",
                "must be at most 3600 seconds",
            ));
        }
        if self.clock_tolerance > 86_400 {
            return Err(ConfigError::policy(
                "clockTolerance",
                "must be at most 86400 seconds",
            ));
        }
        Ok(())
    }
}
