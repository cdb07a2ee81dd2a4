//! Where signatures are checked: algorithm names, key import and soundness, one file per family.
//!
//! Why not `jwt-compact`'s algorithms: its 0.8/0.9-beta releases pull `rsa` 0.9 and `p256` 0.13,
//! measured ~2x and 1.5-2.5x slower in WebAssembly than the `rsa` 0.10 and `p256`/`p384` 0.14
//! used here, and for Ed25519 either `ed25519-compact` (~3x slower than `ed25519-dalek`) or
//! `ed25519-dalek` 2, whose `sha2` 0.10 would link a second SHA-2 beside the `sha2` 0.11 every
//! other family uses; its `rsa` feature pulls `getrandom` (breaks no_std); it has no
//! ES384/ES512 nor the RFC 9864 `Ed25519` name; and its parser (serde_json) accepts duplicate
//! JSON member names. Its shape is kept: one file per family behind a cargo feature,
//! the header's `alg` never trusted on its own (it must be bound to the key type), and the
//! signature length checked before the signature is parsed.
//!
//! The crate-internal seam used by `verify.rs`: `prepare_key` imports a JWK's public part once
//! (at `Verifier::new`) and checks what does not depend on the algorithm;
//! `PreparedKey::check_for` checks what does (HMAC secret length, key type and curve);
//! `PreparedKey::verify` checks the signature's encoding, then the signature. Errors are
//! `String` reasons for people: they never contain key bytes or signatures.

use alloc::format;
use alloc::string::String;
use core::fmt;

use crate::jwk::KeyMaterial;

#[cfg(feature = "ecdsa")]
mod ecdsa;
#[cfg(feature = "eddsa")]
mod eddsa;
#[cfg(feature = "hmac")]
mod hmac;
#[cfg(feature = "rsa")]
pub(crate) mod rsa;

/// A JWS algorithm (RFC 7518 §3, RFC 8037, RFC 9864).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 (MGF1 SHA-256, salt 32 bytes).
    PS256,
    /// RSASSA-PSS with SHA-384 (MGF1 SHA-384, salt 48 bytes).
    PS384,
    /// RSASSA-PSS with SHA-512 (MGF1 SHA-512, salt 64 bytes).
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// EdDSA (RFC 8037); only Ed25519 keys are supported.
    EdDSA,
    /// Ed25519 (RFC 9864's fully specified name).
    Ed25519,
}

/// The one kind of key an algorithm may be verified with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `kty: "oct"`: an HMAC secret.
    Oct,
    /// `kty: "RSA"`.
    Rsa,
    /// `kty: "EC"` on the given curve.
    Ec(EcCurve),
    /// `kty: "OKP"`, `crv: "Ed25519"`.
    Ed25519,
}

/// The NIST curves of RFC 7518 §6.2.1.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// `P-256`.
    P256,
    /// `P-384`.
    P384,
    /// `P-521`.
    P521,
}

impl EcCurve {
    /// The JWK `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }

    /// Parses a JWK `crv` name (exact).
    pub fn from_name(name: &str) -> Option<EcCurve> {
        match name {
            "P-256" => Some(EcCurve::P256),
            "P-384" => Some(EcCurve::P384),
            "P-521" => Some(EcCurve::P521),
            _ => None,
        }
    }

    /// Octets of a field element / scalar (`x`, `y`, and each of R and S).
    pub const fn field_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }
}

impl Algorithm {
    /// Every algorithm name this crate knows, supported by this build or not.
    pub const ALL: [Algorithm; 14] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
    ];

    /// The JOSE name, e.g. `"RS256"`.
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// Parses a JOSE name exactly (case-sensitive, as RFC 7515 §4.1.1 requires). `none` and
    /// every unknown name give `None`.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The key type (and curve) that may verify this algorithm: the binding that stops
    /// algorithm-confusion attacks (an RSA key is never an HMAC secret).
    pub const fn key_type(self) -> KeyType {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyType::Oct,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyType::Rsa,
            Algorithm::ES256 => KeyType::Ec(EcCurve::P256),
            Algorithm::ES384 => KeyType::Ec(EcCurve::P384),
            Algorithm::ES512 => KeyType::Ec(EcCurve::P521),
            Algorithm::EdDSA | Algorithm::Ed25519 => KeyType::Ed25519,
        }
    }

    /// Whether this build verifies the algorithm (its family's cargo feature is on).
    pub const fn is_supported(self) -> bool {
        match self.key_type() {
            KeyType::Oct => cfg!(feature = "hmac"),
            KeyType::Rsa => cfg!(feature = "rsa"),
            KeyType::Ec(_) => cfg!(feature = "ecdsa"),
            KeyType::Ed25519 => cfg!(feature = "eddsa"),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Number of significant bits of a big-endian unsigned integer (leading zero octets and leading
/// zero bits do not count), e.g. 2048 for a 2048-bit RSA modulus however it is padded.
pub(crate) fn rsa_modulus_bits(n: &[u8]) -> usize {
    let n = strip_leading_zeros(n);
    match n.first() {
        // `leading_zeros` of a non-zero octet is at most 7.
        Some(&first) => n.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// The integer's big-endian octets without leading zero octets (`[]` for zero).
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A JWK's public key, imported once and checked for soundness; see [`prepare_key`].
///
/// Only the families whose cargo feature is on have a variant: with a family compiled out its
/// keys are skipped when the JWK Set is parsed and its algorithms are not
/// [`Algorithm::is_supported`].
#[derive(Clone)]
pub(crate) enum PreparedKey {
    /// An HMAC secret (`kty: "oct"`), boxed: its keyed states are far larger than the other
    /// variants.
    #[cfg(feature = "hmac")]
    Hmac(alloc::boxed::Box<hmac::HmacKey>),
    /// An RSA public key.
    #[cfg(feature = "rsa")]
    Rsa(rsa::RsaKey),
    /// An EC public key on P-256, P-384 or P-521.
    #[cfg(feature = "ecdsa")]
    Ec(ecdsa::EcKey),
    /// An Ed25519 public key.
    #[cfg(feature = "eddsa")]
    Ed25519(eddsa::Ed25519Key),
}

impl fmt::Debug for PreparedKey {
    /// Names the key type and size only: never key bytes (an HMAC key is a secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = &f;
        match *self {
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(ref key) => write!(f, "PreparedKey::Hmac({} bytes)", key.len()),
            #[cfg(feature = "rsa")]
            PreparedKey::Rsa(ref key) => write!(f, "PreparedKey::Rsa({} bits)", key.bits()),
            #[cfg(feature = "ecdsa")]
            PreparedKey::Ec(ref key) => write!(f, "PreparedKey::Ec({})", key.curve().name()),
            #[cfg(feature = "eddsa")]
            PreparedKey::Ed25519(_) => f.write_str("PreparedKey::Ed25519"),
        }
    }
}

/// Imports a JWK's public part once and checks the soundness that does not depend on the
/// algorithm: RSA modulus of 2048 to 8192 bits, odd and greater than the exponent; exponent odd,
/// at least 3 and at most 2^33 - 1; EC point on its curve (coordinates exactly the field size, each
/// below the field prime, not the identity); Ed25519 key 32 bytes, canonically encoded, on the
/// curve and not of small order. `Err(reason)` (the caller reports `key_mismatch`); reasons never
/// contain key bytes.
pub(crate) fn prepare_key(material: &KeyMaterial) -> Result<PreparedKey, String> {
    match material {
        #[cfg(feature = "hmac")]
        KeyMaterial::Oct { k } => hmac::HmacKey::new(k).map(|key| PreparedKey::Hmac(key.into())),
        #[cfg(not(feature = "hmac"))]
        KeyMaterial::Oct { .. } => Err(not_compiled_in("HMAC (`oct` key)", "hmac")),
        #[cfg(feature = "rsa")]
        KeyMaterial::Rsa { n, e } => rsa::RsaKey::new(n, e).map(PreparedKey::Rsa),
        #[cfg(not(feature = "rsa"))]
        KeyMaterial::Rsa { .. } => Err(not_compiled_in("RSA", "rsa")),
        #[cfg(feature = "ecdsa")]
        KeyMaterial::Ec { crv, x, y } => ecdsa::EcKey::new(*crv, x, y).map(PreparedKey::Ec),
        #[cfg(not(feature = "ecdsa"))]
        KeyMaterial::Ec { .. } => Err(not_compiled_in("ECDSA", "ecdsa")),
        #[cfg(feature = "eddsa")]
        KeyMaterial::Ed25519 { x } => eddsa::Ed25519Key::new(x).map(PreparedKey::Ed25519),
        #[cfg(not(feature = "eddsa"))]
        KeyMaterial::Ed25519 { .. } => Err(not_compiled_in("Ed25519", "eddsa")),
    }
}

#[allow(dead_code, reason = "used only when a family's feature is off")]
fn not_compiled_in(family: &str, feature: &str) -> String {
    format!("{family} support not compiled in (cargo feature `{feature}` is off)")
}

impl PreparedKey {
    /// The key type (and curve) of this key.
    pub(crate) fn key_type(&self) -> KeyType {
        match *self {
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(_) => KeyType::Oct,
            #[cfg(feature = "rsa")]
            PreparedKey::Rsa(_) => KeyType::Rsa,
            #[cfg(feature = "ecdsa")]
            PreparedKey::Ec(ref key) => KeyType::Ec(key.curve()),
            #[cfg(feature = "eddsa")]
            PreparedKey::Ed25519(_) => KeyType::Ed25519,
        }
    }

    /// The soundness that depends on the algorithm: the key type and curve fit `alg` (defensive:
    /// key selection already filters by [`Algorithm::key_type`]) and an HMAC secret is at least
    /// the hash size (RFC 7518 §3.2: 32, 48 or 64 bytes). `Err(reason)` -> `key_mismatch`.
    pub(crate) fn check_for(&self, alg: Algorithm) -> Result<(), String> {
        self.check_type(alg)?;
        match *self {
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(ref key) => key.check_for(alg),
            #[allow(
                unreachable_patterns,
                reason = "only HMAC has an algorithm-dependent check"
            )]
            _ => Ok(()),
        }
    }

    /// Checks the signature's encoding, then the signature over `signing_input` (the ASCII
    /// `header.payload`): RSA exactly k octets (k = modulus octets) and below n; PSS with MGF1
    /// and salt of the hash's size and hash; ECDSA raw `R || S` of exactly twice the field size
    /// with 0 < r, s < n (high S valid, DER rejected); Ed25519 64 bytes with S < L and R not of
    /// small order, verified strictly (A not of small order either); HMAC the full tag, compared
    /// in constant time. `Err(reason)` -> `bad_signature`. Also re-checks
    /// [`PreparedKey::check_for`], so a caller can never verify with a key that does not fit
    /// `alg`.
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        self.check_encoding(alg, signature)?;
        self.verify_checked(alg, signing_input, signature)
    }

    /// The checks of [`PreparedKey::verify`] that come before any arithmetic: key type, length,
    /// ranges. A signature that passes them may go to a [`SignatureBackend`].
    pub(crate) fn check_encoding(&self, alg: Algorithm, signature: &[u8]) -> Result<(), String> {
        let _ = signature;
        self.check_type(alg)?;
        match *self {
            // The tag's length is compared with the rest of it, in constant time.
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(_) => Ok(()),
            #[cfg(feature = "rsa")]
            PreparedKey::Rsa(ref key) => key.check_encoding(alg, signature),
            #[cfg(feature = "ecdsa")]
            PreparedKey::Ec(ref key) => key.check_encoding(signature),
            #[cfg(feature = "eddsa")]
            PreparedKey::Ed25519(ref key) => key.check_encoding(signature),
        }
    }

    /// The signature arithmetic in this crate, for a signature that passed
    /// [`PreparedKey::check_encoding`].
    fn verify_checked(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let _ = (alg, signing_input, signature);
        match *self {
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(ref key) => key.verify(alg, signing_input, signature),
            #[cfg(feature = "rsa")]
            PreparedKey::Rsa(ref key) => key.verify_checked(alg, signing_input, signature),
            #[cfg(feature = "ecdsa")]
            PreparedKey::Ec(ref key) => key.verify_checked(signing_input, signature),
            #[cfg(feature = "eddsa")]
            PreparedKey::Ed25519(ref key) => key.verify_checked(signing_input, signature),
        }
    }

    /// Checks a signature with `backend` doing the arithmetic where it offers to: the encoding
    /// checks always run here first, and HMAC never leaves this crate (the secret stays in
    /// it). `key` tells the backend which key this is. `Ok(true)`: verified; `Ok(false)`: the
    /// backend deferred the answer; `Err(reason)` -> `bad_signature`, in the same words
    /// whichever side refused.
    pub(crate) fn verify_with(
        &self,
        key: BackendKey<'_>,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
        backend: &mut dyn SignatureBackend,
    ) -> Result<bool, String> {
        self.check_encoding(alg, signature)?;
        if !self.is_public() {
            return self
                .verify_checked(alg, signing_input, signature)
                .map(|()| true);
        }
        let verdict = match key {
            BackendKey::Listed(index) => backend.verify(index, alg, signing_input, signature),
            BackendKey::Embedded(material) => {
                backend.verify_key(material, alg, signing_input, signature)
            }
        };
        match verdict {
            BackendVerdict::Valid => Ok(true),
            BackendVerdict::Invalid => Err(self.does_not_verify(alg)),
            BackendVerdict::Deferred => Ok(false),
            BackendVerdict::Builtin => self
                .verify_checked(alg, signing_input, signature)
                .map(|()| true),
        }
    }

    /// Whether this is a public key (RSA, EC, Ed25519), which a [`SignatureBackend`] may use.
    pub(crate) fn is_public(&self) -> bool {
        !matches!(self.key_type(), KeyType::Oct)
    }

    /// The reason given when a well-formed signature does not verify.
    pub(crate) fn does_not_verify(&self, alg: Algorithm) -> String {
        let _ = alg;
        match *self {
            #[cfg(feature = "hmac")]
            PreparedKey::Hmac(_) => format!("the {alg} tag does not match"),
            #[cfg(feature = "rsa")]
            PreparedKey::Rsa(_) => rsa::does_not_verify(alg),
            #[cfg(feature = "ecdsa")]
            PreparedKey::Ec(ref key) => ecdsa::does_not_verify(key.curve()),
            #[cfg(feature = "eddsa")]
            PreparedKey::Ed25519(_) => eddsa::does_not_verify(),
        }
    }

    /// The binding of algorithm to key type (and curve): the algorithm-confusion guard.
    fn check_type(&self, alg: Algorithm) -> Result<(), String> {
        let key_type = self.key_type();
        if alg.key_type() == key_type {
            Ok(())
        } else {
            Err(format!(
                "{alg} cannot be verified with {}",
                key_type.describe()
            ))
        }
    }
}

impl KeyType {
    /// "an RSA key", "a P-256 EC key", ... for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyType::Oct => "an HMAC secret (oct key)",
            KeyType::Rsa => "an RSA key",
            KeyType::Ec(EcCurve::P256) => "a P-256 EC key",
            KeyType::Ec(EcCurve::P384) => "a P-384 EC key",
            KeyType::Ec(EcCurve::P521) => "a P-521 EC key",
            KeyType::Ed25519 => "an Ed25519 key",
        }
    }
}

/// How a [`SignatureBackend`] is told which key to use.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BackendKey<'k> {
    /// The key at this index of [`crate::Verifier::public_keys`].
    Listed(usize),
    /// A key that is not in the JWK Set: a DPoP proof's `jwk` header.
    Embedded(&'k KeyMaterial),
}

/// Where the arithmetic of a public-key signature check may run instead of this crate: a
/// platform's crypto (OpenSSL through `node:crypto`, WebCrypto), which is several times faster
/// than Rust compiled to WebAssembly for RSA and ECDSA.
///
/// A backend only ever sees what this crate already checked: a sound key chosen by the JWK Set
/// and the policy (never by the token), bound to `alg`, and a signature whose encoding passed
/// every check (length, ranges, small-order R). It never sees HMAC secrets. It answers for the
/// arithmetic alone, so the verdict is the same with and without it; the wasm bindings' tests
/// run every corpus through both.
pub trait SignatureBackend {
    /// Checks `signature` over `signing_input` with the key at `key_index` of
    /// [`crate::Verifier::public_keys`].
    fn verify(
        &mut self,
        key_index: usize,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> BackendVerdict;

    /// Checks `signature` with a key that is not in the verifier's JWK Set: the public key a
    /// DPoP proof carries in its `jwk` header (RFC 9449 §4.2), already imported and checked by
    /// this crate like any other (type and curve bound to `alg`, point on the curve, RSA size
    /// and exponent, no private members). The default leaves the check to this crate.
    fn verify_key(
        &mut self,
        key: &KeyMaterial,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> BackendVerdict {
        let _ = (key, alg, signing_input, signature);
        BackendVerdict::Builtin
    }
}

/// A [`SignatureBackend`]'s answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendVerdict {
    /// The signature verifies.
    Valid,
    /// The signature does not verify.
    Invalid,
    /// The answer comes later (an asynchronous API such as WebCrypto): the verifier computes
    /// the verdict for both answers, see [`crate::Outcome::Deferred`].
    Deferred,
    /// The backend does not handle this key or algorithm: this crate checks it.
    Builtin,
}

/// The [`SignatureBackend`] that leaves every check to this crate.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinBackend;

impl SignatureBackend for BuiltinBackend {
    fn verify(&mut self, _: usize, _: Algorithm, _: &[u8], _: &[u8]) -> BackendVerdict {
        BackendVerdict::Builtin
    }
}

/// ⚠️ **Hazardous, for tests only: not a JWT verifier.** ⚠️
///
/// Raw access to the signature layer, so that the Wycheproof suite (`tests/`) can check each
/// algorithm against raw keys and messages. Nothing here looks at a token, an `alg` header, a
/// `kid`, a policy or a claim. Use [`crate::Verifier`] to verify JWTs. Not covered by semver.
#[doc(hidden)]
pub mod hazmat {
    use alloc::string::String;

    use super::{Algorithm, PreparedKey};
    use crate::jwk::KeyMaterial;

    /// A public key imported and checked once, as `Verifier::new` does.
    #[derive(Clone, Debug)]
    pub struct PublicKey(PreparedKey);

    impl PublicKey {
        /// Imports and checks the algorithm-independent soundness rules; `Err(reason)` where
        /// the verifier says `key_mismatch`.
        pub fn import(material: &KeyMaterial) -> Result<PublicKey, String> {
            super::prepare_key(material).map(PublicKey)
        }

        /// Algorithm-dependent soundness; `Err(reason)` where the verifier says `key_mismatch`.
        pub fn check_for(&self, alg: Algorithm) -> Result<(), String> {
            self.0.check_for(alg)
        }

        /// Checks `signature` over `message` with `alg`; `Err(reason)` where the verifier says
        /// `bad_signature`.
        pub fn verify(
            &self,
            alg: Algorithm,
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), String> {
            self.0.verify(alg, message, signature)
        }
    }

    /// A [`super::SignatureBackend`] that defers every check, as an asynchronous platform
    /// (WebCrypto) does, and works the answers out afterwards with this crate's own
    /// arithmetic, in the order it was asked: for tests that the deferred path gives
    /// `verify`'s verdicts.
    #[derive(Debug)]
    pub struct DeferringBackend {
        keys: alloc::vec::Vec<(usize, KeyMaterial)>,
        answers: alloc::vec::Vec<bool>,
    }

    impl DeferringBackend {
        /// A backend for `verifier`'s public keys.
        pub fn for_verifier(verifier: &crate::Verifier) -> Self {
            DeferringBackend {
                keys: verifier
                    .public_keys()
                    .map(|(index, material)| (index, material.clone()))
                    .collect(),
                answers: alloc::vec::Vec::new(),
            }
        }
    }

    impl super::SignatureBackend for DeferringBackend {
        fn verify(
            &mut self,
            key_index: usize,
            alg: Algorithm,
            message: &[u8],
            signature: &[u8],
        ) -> super::BackendVerdict {
            let material = self.keys.iter().find(|(index, _)| *index == key_index);
            self.answers.push(material.is_some_and(|(_, material)| {
                verify_signature(material, alg, message, signature).is_ok()
            }));
            super::BackendVerdict::Deferred
        }

        fn verify_key(
            &mut self,
            key: &KeyMaterial,
            alg: Algorithm,
            message: &[u8],
            signature: &[u8],
        ) -> super::BackendVerdict {
            self.answers
                .push(verify_signature(key, alg, message, signature).is_ok());
            super::BackendVerdict::Deferred
        }
    }

    /// `verifier.verify(token, now)` through a [`DeferringBackend`]: `verify_with`, then
    /// `DeferredSignature::resolve_each` with the answers worked out afterwards.
    pub fn verify_deferred(
        verifier: &crate::Verifier,
        token: &str,
        now: i64,
    ) -> Result<crate::Verified, crate::Error> {
        verify_presented_deferred(verifier, token, now, &crate::Presentation::new())
    }

    /// `verifier.verify_presented(token, now, presentation)` through a [`DeferringBackend`]
    /// (the token's signature and the DPoP proof's both deferred).
    pub fn verify_presented_deferred(
        verifier: &crate::Verifier,
        token: &str,
        now: i64,
        presentation: &crate::Presentation<'_>,
    ) -> Result<crate::Verified, crate::Error> {
        let mut backend = DeferringBackend::for_verifier(verifier);
        match verifier.verify_presented_with(token, now, presentation, &mut backend)? {
            crate::Outcome::Verified(verified) => Ok(verified),
            crate::Outcome::Deferred(deferred) => deferred.resolve_each(backend.answers),
        }
    }

    /// Import, algorithm check and signature check in one call.
    pub fn verify_signature(
        material: &KeyMaterial,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let key = PublicKey::import(material)?;
        key.check_for(alg)?;
        key.verify(alg, message, signature)
    }
}
