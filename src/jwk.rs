//! RFC 7517 JSON Web Key Sets: parsing (keys this crate cannot use are skipped, not fatal) and
//! `lint()` warnings for the people who publish them.

use alloc::string::String;
use alloc::vec::Vec;

use crate::alg::{EcCurve, KeyType};
use crate::error::ConfigError;

/// A parsed JWK Set. Only its public key material is ever used.
#[derive(Clone, Debug)]
pub struct Jwks {
    pub(crate) keys: Vec<Jwk>,
    pub(crate) skipped: Vec<SkippedKey>,
}

/// One usable JWK (its public part and the members that restrict its use).
#[derive(Clone, Debug)]
pub struct Jwk {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Option<String>,
    pub(crate) use_: Option<String>,
    pub(crate) key_ops: Option<Vec<String>>,
    pub(crate) material: KeyMaterial,
    pub(crate) has_private_members: bool,
}

/// The public key material of a JWK, decoded from base64url.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// `kty: "oct"`: the secret `k`.
    Oct { k: Vec<u8> },
    /// `kty: "RSA"`: modulus and public exponent, big-endian.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// `kty: "EC"`: affine coordinates, each exactly the field size.
    Ec { crv: EcCurve, x: Vec<u8>, y: Vec<u8> },
    /// `kty: "OKP"`, `crv: "Ed25519"`: the 32-byte public key.
    Ed25519 { x: Vec<u8> },
}

/// A JWK that was skipped because this crate cannot use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    pub(crate) kid: Option<String>,
    pub(crate) reason: String,
    pub(crate) unsupported: bool,
}

/// A warning about a JWK Set; see [`Jwks::lint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintWarning {
    /// The `kid` of the key concerned, if any.
    pub kid: Option<String>,
    /// What kind of problem.
    pub code: LintCode,
    /// A sentence for people.
    pub message: String,
}

/// The kinds of [`LintWarning`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LintCode {
    /// The key has no `alg`: any algorithm of its type may use it.
    MissingAlg,
    /// Two or more keys share a `kid`: tokens naming it are rejected as ambiguous.
    DuplicateKid,
    /// An RSA modulus shorter than 2048 bits: the key is refused.
    WeakRsaKey,
    /// `use: "enc"`: an encryption key, never used to verify.
    EncryptionKey,
    /// Private members (`d`, `p`, `q`, ...) are present: the set leaks secrets.
    PrivateMembers,
    /// Symmetric (`oct`) keys mixed with asymmetric ones in one set.
    MixedSymmetric,
    /// A `kty` or `crv` this crate does not support.
    UnsupportedKey,
    /// A key that was skipped for another reason (missing or malformed members).
    SkippedKey,
}

impl LintCode {
    /// Stable snake_case name, e.g. `"missing_alg"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LintCode::MissingAlg => "missing_alg",
            LintCode::DuplicateKid => "duplicate_kid",
            LintCode::WeakRsaKey => "weak_rsa_key",
            LintCode::EncryptionKey => "encryption_key",
            LintCode::PrivateMembers => "private_members",
            LintCode::MixedSymmetric => "mixed_symmetric",
            LintCode::UnsupportedKey => "unsupported_key",
            LintCode::SkippedKey => "skipped_key",
        }
    }
}

impl KeyMaterial {
    /// The key type this material is.
    pub fn key_type(&self) -> KeyType {
        match self {
            KeyMaterial::Oct { .. } => KeyType::Oct,
            KeyMaterial::Rsa { .. } => KeyType::Rsa,
            KeyMaterial::Ec { crv, .. } => KeyType::Ec(*crv),
            KeyMaterial::Ed25519 { .. } => KeyType::Ed25519,
        }
    }
}

impl Jwk {
    /// The key's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// The key's `alg` restriction.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }
    /// The public key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }
}

impl Jwks {
    /// Parses an RFC 7517 JWK Set (`{"keys": [...]}`). Keys this crate cannot use are skipped and
    /// reported by [`Jwks::lint`]; only a document that is not a JWK Set at all is an error.
    pub fn from_json(json: &str) -> Result<Jwks, ConfigError> {
        let _ = json;
        Err(ConfigError::InvalidJwks(String::from("not implemented yet")))
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Warnings for whoever publishes this set.
    pub fn lint(&self) -> Vec<LintWarning> {
        Vec::new()
    }
}
