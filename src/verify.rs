//! The verification pipeline and where a key is chosen. [`Verifier::verify`] runs the contract's
//! rules in order and returns a [`Verified`] token or exactly one [`Error`].

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use once_cell::race::OnceBox;

use crate::alg::{
    prepare_key, Algorithm, BackendKey, BuiltinBackend, PreparedKey, SignatureBackend,
};
use crate::binding::{confirm, Confirmation, Presentation};
use crate::claims::{check_claims, time_window, Claims, TimeWindow};
use crate::decode::{parse_header, parse_payload, split_token, Header};
use crate::error::{ConfigError, Error, ErrorCode};
use crate::explain::{Explanation, Trace};
use crate::jwk::{Jwk, Jwks, KeyMaterial};
use crate::policy::Policy;

/// A token whose signature, key and claims passed every check of the policy. Only the verifier
/// constructs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: Header,
    claims: Claims,
    scopes: Vec<String>,
    kid: Option<String>,
    algorithm: Algorithm,
    confirmation: Confirmation,
}

impl Verified {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }
    /// The claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
    /// The protected header's JSON text, exactly as the token carried it (member order and
    /// number spelling included).
    pub fn header_json(&self) -> &str {
        self.header.text()
    }
    /// The claims' JSON text, exactly as the token carried it.
    pub fn claims_json(&self) -> &str {
        self.claims.text()
    }
    /// The granted scopes: the values of the policy's scope claims (by default `scope`, split on
    /// spaces, and `scp`), in order, without duplicates.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
    /// The `kid` of the JWK that verified the signature.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// The algorithm that verified the signature.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// The sender constraint the presentation confirmed (`cnf.jkt` with the DPoP proof,
    /// `cnf.x5t#S256`): empty for a token that is not bound.
    pub fn confirmation(&self) -> &Confirmation {
        &self.confirmation
    }
}

/// The result of [`Verifier::verify_with`] when no rule failed before the signature check.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Every check ran: the token is valid.
    Verified(Verified),
    /// The [`SignatureBackend`] answers later; every other check ran. The verdict for either
    /// answer is already decided here, so the caller only picks one with
    /// [`DeferredSignature::resolve`].
    Deferred(DeferredSignature),
}

/// The verdicts of a token whose signature checks a backend deferred: the token's, the DPoP
/// proof's, or both (in that order, the order the backend was asked in).
#[derive(Clone, Debug, PartialEq)]
pub struct DeferredSignature {
    if_valid: Result<Verified, Error>,
    if_invalid: Error,
    if_later_invalid: Vec<Error>,
}

impl DeferredSignature {
    /// The verdict once the backend answered whether the signature verifies, for one deferred
    /// check (see [`DeferredSignature::resolve_each`] for several).
    pub fn resolve(self, signature_verifies: bool) -> Result<Verified, Error> {
        if signature_verifies {
            self.if_valid
        } else {
            Err(self.if_invalid)
        }
    }

    /// The verdict once the backend answered each deferred check, in the order it was asked:
    /// the error of the first check that does not verify, else [`DeferredSignature::if_valid`].
    /// A missing answer counts as "does not verify".
    pub fn resolve_each(self, answers: impl IntoIterator<Item = bool>) -> Result<Verified, Error> {
        let mut answers = answers.into_iter();
        if answers.next() != Some(true) {
            return Err(self.if_invalid);
        }
        for error in self.if_later_invalid {
            if answers.next() != Some(true) {
                return Err(error);
            }
        }
        self.if_valid
    }

    /// How many checks were deferred.
    pub fn deferred_checks(&self) -> usize {
        1 + self.if_later_invalid.len()
    }

    /// The verdict if every deferred check verifies (the claims' and the proof's verdict).
    pub fn if_valid(&self) -> &Result<Verified, Error> {
        &self.if_valid
    }

    /// The verdict if the first deferred check does not verify (`bad_signature` for the
    /// token's signature, `bad_dpop_proof` for the proof's).
    pub fn if_invalid(&self) -> &Error {
        &self.if_invalid
    }

    /// The verdicts if a later deferred check does not verify (while the ones before it do).
    pub fn if_later_invalid(&self) -> &[Error] {
        &self.if_later_invalid
    }
}

/// A JWK and its key, imported once, the first time the key is a candidate for a token.
///
/// Why not at [`Verifier::new`]: a JWK Set often holds keys no token of this verifier names
/// (other algorithms, retired or next keys), and importing an RSA key (its Montgomery parameters)
/// or checking an EC point is most of what building a verifier costs: the first verified token
/// came later for it.
#[derive(Debug)]
struct ImportedKey {
    /// Its position in [`Verifier::keys`]: how a [`SignatureBackend`] is told which key to use.
    index: usize,
    jwk: Jwk,
    /// The imported key, or why it is unsound (reported as `key_mismatch` if it is chosen).
    prepared: OnceBox<Result<PreparedKey, String>>,
}

impl ImportedKey {
    /// Names the key for messages and the checklist (never its material); keys of different
    /// types may share a kid, so the type is named too.
    fn describe(&self) -> String {
        let key_type = self.jwk.material.key_type().describe();
        match self.jwk.kid() {
            Some(kid) => format!("key {kid:?} ({key_type})"),
            None => format!("the key without kid ({key_type})"),
        }
    }

    /// The imported key when it can verify `alg`, or why not (a phrase after its name).
    fn serving(&self, alg: Algorithm) -> Result<&PreparedKey, String> {
        serving(&self.jwk, || self.prepared(), alg)
    }

    /// The imported key, or why it is unsound: imported on the first call.
    fn prepared(&self) -> &Result<PreparedKey, String> {
        self.prepared
            .get_or_init(|| Box::new(prepare_key(&self.jwk.material)))
    }
}

/// Whether `jwk`, imported as `prepared()`, can verify `alg`: it fits the algorithm (see
/// [`Jwk::unfit_for`]), it is sound, and it is strong enough for it (HMAC secret length). Key
/// selection keeps the keys for which this holds; `Jwks::lint` warns about a `kid` shared by
/// keys for which it holds for the same algorithm. A key that does not fit is refused before
/// `prepared` is asked for (the import, for a verifier's keys, happens then).
pub(crate) fn serving<'k>(
    jwk: &Jwk,
    prepared: impl FnOnce() -> &'k Result<PreparedKey, String>,
    alg: Algorithm,
) -> Result<&'k PreparedKey, String> {
    jwk.unfit_for(alg)
        .map_err(|why| format!("cannot verify {alg}: {why}"))?;
    let prepared = prepared()
        .as_ref()
        .map_err(|why| format!("is unsound: {why}"))?;
    prepared
        .check_for(alg)
        .map_err(|why| format!("cannot verify {alg}: {why}"))?;
    Ok(prepared)
}

/// Verifies tokens against one JWK Set and one policy. Build it once and reuse it: each key is
/// imported once, the first time a token may need it, never per token.
#[derive(Debug)]
pub struct Verifier {
    keys: Vec<ImportedKey>,
    /// kids of keys the set holds but this crate could not use (unsupported or malformed).
    skipped_kids: Vec<(String, String)>,
    policy: Policy,
}

impl Verifier {
    /// Takes the keys of `jwks` (each imported on first use) and checks `policy`. Fails only on
    /// caller mistakes.
    pub fn new(jwks: Jwks, policy: Policy) -> Result<Verifier, ConfigError> {
        policy.validate()?;
        let skipped_kids = jwks
            .skipped
            .iter()
            .filter_map(|skipped| Some((skipped.kid.clone()?, skipped.reason.clone())))
            .collect();
        let keys = jwks
            .keys
            .into_iter()
            .enumerate()
            .map(|(index, jwk)| ImportedKey {
                index,
                jwk,
                prepared: OnceBox::new(),
            })
            .collect();
        Ok(Verifier {
            keys,
            skipped_kids,
            policy,
        })
    }

    /// The policy this verifier enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Verifies `token` at `now` (Unix seconds, supplied by the caller: the core never reads a
    /// clock). The token is taken as presented alone: a sender-constrained one (`cnf.jkt`,
    /// `cnf.x5t#S256`) is refused, see [`Verifier::verify_presented`].
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, Error> {
        self.verify_presented(token, now, &Presentation::new())
    }

    /// Verifies `token` as the request presented it: every rule of [`Verifier::verify`], then
    /// the sender constraint (the DPoP proof, the client certificate, the policy's
    /// requirement; see [`crate::binding`]).
    pub fn verify_presented(
        &self,
        token: &str,
        now: i64,
        presentation: &Presentation<'_>,
    ) -> Result<Verified, Error> {
        let outcome = self.run(
            token,
            now,
            presentation,
            &mut Trace::off(),
            &mut BuiltinBackend,
        )?;
        match outcome {
            Outcome::Verified(verified) => Ok(verified),
            // The built-in backend never defers.
            Outcome::Deferred(deferred) => Err(deferred.if_invalid),
        }
    }

    /// Like [`Verifier::verify`], with the arithmetic of public-key signatures done by `backend`
    /// where it offers to (see [`SignatureBackend`]): every other rule runs here, in the same
    /// order, so the verdict is the same as without it.
    pub fn verify_with(
        &self,
        token: &str,
        now: i64,
        backend: &mut dyn SignatureBackend,
    ) -> Result<Outcome, Error> {
        self.verify_presented_with(token, now, &Presentation::new(), backend)
    }

    /// [`Verifier::verify_presented`] with `backend` doing the arithmetic of the token's and
    /// the DPoP proof's signatures where it offers to.
    pub fn verify_presented_with(
        &self,
        token: &str,
        now: i64,
        presentation: &Presentation<'_>,
        backend: &mut dyn SignatureBackend,
    ) -> Result<Outcome, Error> {
        self.run(token, now, presentation, &mut Trace::off(), backend)
    }

    /// The keys a [`SignatureBackend`] may be asked to use, by the index it is given: every RSA,
    /// EC and Ed25519 key of the set (never an HMAC secret). A backend is only ever asked about a
    /// key this verifier chose for a token, which it has then found sound.
    pub fn public_keys(&self) -> impl Iterator<Item = (usize, &KeyMaterial)> {
        self.keys.iter().enumerate().filter_map(|(index, key)| {
            (!matches!(key.jwk.material, KeyMaterial::Oct { .. }))
                .then_some((index, &key.jwk.material))
        })
    }

    /// The times at which `verified`'s time claims (exp, nbf, iat, maximum age) still pass
    /// this verifier's policy: a verified-token cache may answer within it without asking
    /// again. Every other rule does not depend on the time.
    pub fn time_window(&self, verified: &Verified) -> TimeWindow {
        time_window(verified.claims(), &self.policy)
    }

    /// Verifies `token` and also returns the checklist of every check. The result is exactly
    /// what [`Verifier::verify`] returns.
    pub fn explain(&self, token: &str, now: i64) -> Explanation {
        self.explain_presented(token, now, &Presentation::new())
    }

    /// [`Verifier::explain`] for a token as the request presented it: the result is exactly
    /// what [`Verifier::verify_presented`] returns.
    pub fn explain_presented(
        &self,
        token: &str,
        now: i64,
        presentation: &Presentation<'_>,
    ) -> Explanation {
        let mut trace = Trace::on();
        let result = match self.run(token, now, presentation, &mut trace, &mut BuiltinBackend) {
            Ok(Outcome::Verified(verified)) => Ok(verified),
            Ok(Outcome::Deferred(deferred)) => Err(deferred.if_invalid),
            Err(error) => Err(error),
        };
        Explanation {
            result,
            checks: trace.finish(),
        }
    }

    fn run(
        &self,
        token: &str,
        now: i64,
        presentation: &Presentation<'_>,
        trace: &mut Trace,
        backend: &mut dyn SignatureBackend,
    ) -> Result<Outcome, Error> {
        let max_len = self.policy.max_token_len;
        let size = if token.len() > max_len {
            Err(Error::new(
                ErrorCode::TooLarge,
                format!("token is {} bytes, the limit is {max_len}", token.len()),
            ))
        } else {
            Ok(())
        };
        trace.record("size", size, |()| {
            format!("{} bytes (limit {max_len})", token.len())
        })?;
        // An empty signature is refused after the algorithm check, so that the classic
        // `alg: none` token with no signature reports `unsupported_alg`.
        let segments = split_token(token, max_len, true);
        let segments = trace.record("structure", segments, |_| "3 segments".to_string())?;

        let header = parse_header(segments.header);
        // `crit` is checked inside parse_header; report it as its own line.
        let crit_failed = matches!(&header, Err(err) if err.claim() == Some("crit"));
        let header = if crit_failed {
            trace.pass("header", || "JSON object".to_string());
            trace.record("crit", header, |_| String::new())?
        } else {
            let header = trace.record("header", header, |h| match h.kid() {
                Some(kid) => format!("alg {:?}, kid {kid:?}", h.alg()),
                None => format!("alg {:?}, no kid", h.alg()),
            })?;
            trace.pass("crit", || "absent".to_string());
            header
        };

        let algorithm =
            trace.record("algorithm", self.algorithm(&header), |alg| format!("{alg}"))?;
        if segments.signature.is_empty() {
            let err = Error::new(ErrorCode::Malformed, "the signature segment is empty");
            return trace.record("signature", Err(err), |_| String::new());
        }
        let (key_index, chosen, key) = trace.record(
            "key",
            self.select_key(&header, algorithm),
            |(_, chosen, _)| chosen.describe(),
        )?;

        let bad_signature = |why: String| {
            Error::new(
                ErrorCode::BadSignature,
                format!("{algorithm} signature does not verify: {why}"),
            )
        };
        let signature = key
            .verify_with(
                BackendKey::Listed(key_index),
                algorithm,
                segments.signing_input.as_bytes(),
                &segments.signature,
                backend,
            )
            .map_err(bad_signature);
        let checked = trace.record("signature", signature, |_| {
            format!("{algorithm} with {}", chosen.describe())
        })?;

        // What follows does not depend on the signature's answer, so a deferred answer only
        // chooses between verdicts decided here (the proof's signature may be deferred too).
        let mut deferred = Vec::new();
        if !checked {
            deferred.push(bad_signature(key.does_not_verify(algorithm)));
        }
        let rest =
            match self.after_signature(header, segments.payload, chosen, algorithm, now, trace) {
                Ok(mut verified) => confirm(
                    &verified.claims,
                    token,
                    now,
                    presentation,
                    &self.policy,
                    trace,
                    backend,
                    &mut deferred,
                )
                .map(|confirmation| {
                    verified.confirmation = confirmation;
                    verified
                }),
                Err(error) => Err(error),
            };
        let mut deferred = deferred.into_iter();
        match deferred.next() {
            None => rest.map(Outcome::Verified),
            Some(if_invalid) => Ok(Outcome::Deferred(DeferredSignature {
                if_valid: rest,
                if_invalid,
                if_later_invalid: deferred.collect(),
            })),
        }
    }

    /// Rules after the signature: the payload, then the claims.
    fn after_signature(
        &self,
        header: Header,
        payload: Vec<u8>,
        chosen: &ImportedKey,
        algorithm: Algorithm,
        now: i64,
        trace: &mut Trace,
    ) -> Result<Verified, Error> {
        let payload = trace.record("payload", parse_payload(payload), |_| {
            "JSON object".to_string()
        })?;
        let claims = Claims::new(payload);
        let scopes = check_claims(&header, &claims, &self.policy, now, trace)?;
        Ok(Verified {
            header,
            claims,
            scopes,
            kid: chosen.jwk.kid.clone(),
            algorithm,
            confirmation: Confirmation::default(),
        })
    }

    /// Rule 3: the header's `alg` must be a supported algorithm (never `none`) and allowed.
    fn algorithm(&self, header: &Header) -> Result<Algorithm, Error> {
        let name = header.alg();
        let unsupported = || {
            Error::for_claim(
                ErrorCode::UnsupportedAlg,
                "alg",
                format!("algorithm {name:?} is not supported"),
            )
        };
        let alg = Algorithm::from_name(name).ok_or_else(unsupported)?;
        if !alg.is_supported() {
            return Err(unsupported());
        }
        if !self.policy.allows(alg) {
            return Err(Error::for_claim(
                ErrorCode::AlgNotAllowed,
                "alg",
                format!("algorithm {alg} is not allowed by the policy"),
            ));
        }
        Ok(alg)
    }

    /// Rule 4: where a key is chosen (RFC 7517 §4.5: a `kid` may be shared by keys of different
    /// types that are alternatives). The candidates are the keys with the header's `kid` (every
    /// key when it names none); of those, the ones that can serve the algorithm (key type and
    /// curve, the JWK's `alg`, `use` and `key_ops`, soundness, HMAC secret length) are kept, and
    /// exactly one must remain: several is ambiguous (`key_not_found`), none is `key_mismatch`
    /// when keys were named or fit but are unsound, `key_not_found` when nothing fits. A key
    /// skipped when the set was parsed never takes part, so it cannot make a sound key with the
    /// same `kid` unusable. Header members `jwk`, `jku`, `x5u`, `x5c` are never consulted.
    fn select_key(
        &self,
        header: &Header,
        alg: Algorithm,
    ) -> Result<(usize, &ImportedKey, &PreparedKey), Error> {
        let kid = header.kid();
        let candidates = || {
            self.keys
                .iter()
                .filter(move |key| kid.is_none_or(|kid| key.jwk.kid() == Some(kid)))
        };
        if let Some(kid) = kid {
            if candidates().next().is_none() {
                if let Some((_, why)) = self.skipped_kids.iter().find(|(skipped, _)| skipped == kid)
                {
                    return Err(Error::new(
                        ErrorCode::KeyMismatch,
                        format!("the key with kid {kid:?} cannot be used: {why}"),
                    ));
                }
                return Err(Error::new(
                    ErrorCode::KeyNotFound,
                    format!("no key with kid {kid:?}"),
                ));
            }
        }
        let mut serving = candidates().filter_map(|key| Some((key, key.serving(alg).ok()?)));
        if let Some((chosen, prepared)) = serving.next() {
            let others = serving.count();
            if others == 0 {
                return Ok((chosen.index, chosen, prepared));
            }
            let count = others + 1;
            return Err(Error::new(
                ErrorCode::KeyNotFound,
                match kid {
                    Some(kid) => {
                        format!("kid {kid:?} is ambiguous: {count} keys with it can verify {alg}")
                    }
                    None => format!("the token has no kid and {count} keys could verify {alg}"),
                },
            ));
        }
        // No key can serve: say why. A named key (or, without a kid, a key of the right type)
        // that cannot is a mismatch; a set with nothing of the right type has no key for it.
        let refusals: Vec<String> = candidates()
            .filter(|key| kid.is_some() || key.jwk.unfit_for(alg).is_ok())
            .filter_map(|key| {
                key.serving(alg)
                    .err()
                    .map(|why| format!("{} {why}", key.describe()))
            })
            .collect();
        if refusals.is_empty() {
            return Err(Error::new(
                ErrorCode::KeyNotFound,
                format!("no key in the set can verify {alg}"),
            ));
        }
        Err(Error::new(ErrorCode::KeyMismatch, refusals.join("; ")))
    }
}
