//! Where the sender constraint is checked: a token's confirmation claim `cnf` (RFC 7800)
//! against how the token was presented. A token bound to a key (`cnf.jkt`, RFC 9449 DPoP) needs
//! a valid DPoP proof made with that key, under the `DPoP` scheme (never as a `Bearer` token,
//! §7.2); a token bound to a client certificate (`cnf.x5t#S256`, RFC 8705 §3) needs that
//! certificate. The policy's [`SenderConstraint`] says whether unbound tokens are acceptable.
//!
//! These rules run after every rule of the token itself (its signature and claims), in this
//! order: `cnf` (well-formed, known confirmation methods), `sender_constraint` (the policy's
//! requirement), the DPoP proof's checks (`dpop`), `cnf_jkt` (the proof's key is the bound
//! one), `cnf_x5t` (the certificate is the bound one).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::alg::SignatureBackend;
use crate::claims::Claims;
use crate::decode::base64url_encode;
use crate::dpop::{self, DpopProof, DpopRequest};
use crate::error::{Error, ErrorCode};
use crate::explain::Trace;
use crate::policy::Policy;

/// Which sender-constrained tokens a policy requires.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SenderConstraint {
    /// Unbound tokens are accepted (bound ones still need their proof or certificate).
    #[default]
    None,
    /// Only DPoP-bound tokens (`cnf.jkt`, RFC 9449).
    Dpop,
    /// Only certificate-bound tokens (`cnf.x5t#S256`, RFC 8705).
    Mtls,
    /// Tokens bound either way.
    Any,
}

impl SenderConstraint {
    /// `none`, `dpop`, `mtls` or `any`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SenderConstraint::None => "none",
            SenderConstraint::Dpop => "dpop",
            SenderConstraint::Mtls => "mtls",
            SenderConstraint::Any => "any",
        }
    }

    /// Parses a name produced by [`SenderConstraint::as_str`].
    pub fn from_name(name: &str) -> Option<SenderConstraint> {
        [
            SenderConstraint::None,
            SenderConstraint::Dpop,
            SenderConstraint::Mtls,
            SenderConstraint::Any,
        ]
        .into_iter()
        .find(|constraint| constraint.as_str() == name)
    }
}

/// The authentication scheme a token arrived with (`Authorization: Bearer …` or `DPoP …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// RFC 6750.
    Bearer,
    /// RFC 9449 §7.1.
    Dpop,
}

impl Scheme {
    /// `Bearer` or `DPoP`, in any case (RFC 9110 §11.1: schemes are case-insensitive).
    pub fn from_name(name: &str) -> Option<Scheme> {
        if name.eq_ignore_ascii_case("bearer") {
            Some(Scheme::Bearer)
        } else if name.eq_ignore_ascii_case("dpop") {
            Some(Scheme::Dpop)
        } else {
            None
        }
    }
}

/// How a token was presented: the scheme, the DPoP proof and the client certificate of the
/// request. [`Presentation::new`] is a token with nothing else, as `Verifier::verify` takes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presentation<'a> {
    pub(crate) scheme: Option<Scheme>,
    pub(crate) dpop: Option<DpopRequest<'a>>,
    pub(crate) certificate_sha256: Option<[u8; 32]>,
}

impl<'a> Presentation<'a> {
    /// A token presented alone: no proof, no certificate, scheme unknown.
    pub fn new() -> Self {
        Presentation::default()
    }

    /// The scheme the token arrived with. When the host does not say, a token with a DPoP
    /// proof counts as `DPoP` and one without as `Bearer`.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// The request's DPoP proof (its `DPoP` header), method and URI.
    pub fn dpop(mut self, request: DpopRequest<'a>) -> Self {
        self.dpop = Some(request);
        self
    }

    /// The client certificate of the TLS connection, DER-encoded (RFC 8705 §3).
    pub fn client_certificate(self, der: &[u8]) -> Self {
        self.client_certificate_sha256(Sha256::digest(der).into())
    }

    /// The SHA-256 of the client certificate's DER, where the host has only that (a TLS
    /// terminator's header, Cloudflare's `tlsClientAuth`).
    pub fn client_certificate_sha256(mut self, sha256: [u8; 32]) -> Self {
        self.certificate_sha256 = Some(sha256);
        self
    }

    fn effective_scheme(&self) -> Scheme {
        self.scheme.unwrap_or(if self.dpop.is_some() {
            Scheme::Dpop
        } else {
            Scheme::Bearer
        })
    }
}

/// What a presentation proved: the bindings of the token's `cnf` that were confirmed, and the
/// DPoP proof that was checked (its `jti` and `iat` are for the host's replay check). Empty for
/// a token that is not sender-constrained.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Confirmation {
    jkt: Option<String>,
    x5t_s256: Option<String>,
    proof: Option<DpopProof>,
}

impl Confirmation {
    /// `cnf.jkt`, confirmed by a DPoP proof made with that key.
    pub fn jkt(&self) -> Option<&str> {
        self.jkt.as_deref()
    }
    /// `cnf.x5t#S256`, confirmed by the client certificate.
    pub fn x5t_s256(&self) -> Option<&str> {
        self.x5t_s256.as_deref()
    }
    /// The DPoP proof that was checked.
    pub fn dpop_proof(&self) -> Option<&DpopProof> {
        self.proof.as_ref()
    }
    /// Whether the token was sender-constrained (and that was confirmed).
    pub fn is_bound(&self) -> bool {
        self.jkt.is_some() || self.x5t_s256.is_some()
    }
}

/// The confirmation methods of a token's `cnf` that this crate checks.
struct Cnf<'c> {
    jkt: Option<&'c str>,
    x5t_s256: Option<&'c str>,
}

/// `cnf`: absent, or an object whose members are confirmation methods this crate checks, each
/// a string. Any other method (`jwk`, `kid`, ...) is `bad_binding`: a token bound in a way that
/// cannot be confirmed is not accepted as if it were unbound.
fn read_cnf(claims: &Claims) -> Result<Cnf<'_>, Error> {
    let mut cnf = Cnf {
        jkt: None,
        x5t_s256: None,
    };
    // Most tokens are not bound: asking for `cnf` through `get` would build the map of every
    // claim for each of them.
    if !claims.has("cnf") {
        return Ok(cnf);
    }
    let members = match claims.get("cnf") {
        None => return Ok(cnf),
        Some(Value::Object(members)) => members,
        Some(_) => {
            return Err(Error::for_claim(
                ErrorCode::Malformed,
                "cnf",
                "cnf is not a JSON object",
            ))
        }
    };
    for (name, value) in members {
        let (slot, claim) = match name.as_str() {
            "jkt" => (&mut cnf.jkt, "cnf.jkt"),
            "x5t#S256" => (&mut cnf.x5t_s256, "cnf.x5t#S256"),
            _ => {
                return Err(unbound(
                    "cnf",
                    "cnf has a confirmation method other than jkt and x5t#S256",
                ))
            }
        };
        *slot = Some(value.as_str().ok_or_else(|| {
            Error::for_claim(ErrorCode::Malformed, claim, "cnf member is not a string")
        })?);
    }
    Ok(cnf)
}

fn unbound(claim: &str, message: &str) -> Error {
    Error::for_claim(ErrorCode::BadBinding, claim, message)
}

/// The sender-constraint rules (see the module docs) for a token whose own rules all passed.
#[allow(
    clippy::too_many_arguments,
    reason = "the pipeline's state, passed through"
)]
pub(crate) fn confirm(
    claims: &Claims,
    token: &str,
    now: i64,
    presentation: &Presentation<'_>,
    policy: &Policy,
    trace: &mut Trace,
    backend: &mut dyn SignatureBackend,
    deferred: &mut Vec<Error>,
) -> Result<Confirmation, Error> {
    let cnf = match read_cnf(claims) {
        Ok(cnf) if cnf.jkt.is_none() && cnf.x5t_s256.is_none() => {
            trace.skip("cnf", || "not sender-constrained".to_string());
            cnf
        }
        cnf => trace.record("cnf", cnf, |cnf| {
            match (cnf.jkt.is_some(), cnf.x5t_s256.is_some()) {
                (true, true) => "jkt, x5t#S256",
                (true, false) => "jkt (DPoP)",
                _ => "x5t#S256 (mTLS)",
            }
            .to_string()
        })?,
    };

    let constraint = policy.sender_constraint;
    let required = match constraint {
        SenderConstraint::None => None,
        SenderConstraint::Dpop => Some(cnf.jkt.is_some()),
        SenderConstraint::Mtls => Some(cnf.x5t_s256.is_some()),
        SenderConstraint::Any => Some(cnf.jkt.is_some() || cnf.x5t_s256.is_some()),
    };
    match required {
        None => trace.skip("sender_constraint", || "none required".to_string()),
        Some(met) => {
            let result = if met {
                Ok(())
            } else {
                Err(unbound(
                    "cnf",
                    match constraint {
                        SenderConstraint::Dpop => "the policy requires DPoP-bound tokens",
                        SenderConstraint::Mtls => "the policy requires certificate-bound tokens",
                        _ => "the policy requires sender-constrained tokens",
                    },
                ))
            };
            trace.record("sender_constraint", result, |()| {
                constraint.as_str().to_string()
            })?;
        }
    }

    let scheme = presentation.effective_scheme();
    let proof = match (scheme, &presentation.dpop) {
        (Scheme::Dpop, Some(request)) => Some(dpop::check(
            request,
            Some(token),
            policy,
            now,
            trace,
            backend,
            deferred,
        )?),
        (Scheme::Dpop, None) => {
            dpop::skip_all(trace, "no DPoP proof presented");
            None
        }
        (Scheme::Bearer, _) => {
            dpop::skip_all(trace, "presented as a Bearer token");
            None
        }
    };

    let jkt = match (cnf.jkt, scheme, &proof) {
        (None, Scheme::Bearer, _) => {
            trace.skip("cnf_jkt", || "not DPoP-bound".to_string());
            None
        }
        (None, Scheme::Dpop, _) => {
            let err = unbound(
                "cnf.jkt",
                "presented with the DPoP scheme, but the token is not DPoP-bound (no cnf.jkt)",
            );
            return trace.record("cnf_jkt", Err(err), |_| String::new());
        }
        (Some(jkt), _, proof) => {
            let result = match proof {
                Some(proof) if proof.jkt() == jkt => Ok(jkt),
                Some(_) => Err(unbound(
                    "cnf.jkt",
                    "the proof's key is not the one the token is bound to",
                )),
                None if presentation.scheme == Some(Scheme::Bearer) => Err(unbound(
                    "cnf.jkt",
                    "a DPoP-bound token presented as a Bearer token (RFC 9449 §7.2)",
                )),
                None => Err(unbound(
                    "cnf.jkt",
                    "a DPoP-bound token presented without a DPoP proof",
                )),
            };
            Some(trace.record("cnf_jkt", result, |jkt| jkt.to_string())?)
        }
    };

    let x5t_s256 = match cnf.x5t_s256 {
        None => {
            trace.skip("cnf_x5t", || "not certificate-bound".to_string());
            None
        }
        Some(bound) => {
            let result = match presentation.certificate_sha256 {
                Some(sha256) if base64url_encode(&sha256) == bound => Ok(bound),
                Some(_) => Err(unbound(
                    "cnf.x5t#S256",
                    "the client certificate is not the one the token is bound to",
                )),
                None => Err(unbound(
                    "cnf.x5t#S256",
                    "a certificate-bound token presented without a client certificate",
                )),
            };
            Some(trace.record("cnf_x5t", result, |bound| bound.to_string())?)
        }
    };

    Ok(Confirmation {
        jkt: jkt.map(str::to_string),
        x5t_s256: x5t_s256.map(str::to_string),
        proof,
    })
}
