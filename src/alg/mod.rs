//! Where signatures are checked: algorithm names, key import and soundness, one file per family.
//!
//! Why not `jwt-compact`'s algorithms: its 0.8/0.9-beta releases pull `rsa` 0.9, `p256` 0.13 and
//! `ed25519-compact`/`ed25519-dalek` 2, which measured 1.5-3x slower in WebAssembly than the
//! current RustCrypto generation used here; its `rsa` feature pulls `getrandom` (breaks no_std);
//! it has no ES384/ES512 nor the RFC 9864 `Ed25519` name; and its parser (serde_json) accepts
//! duplicate JSON member names. Its shape is kept: one file per family behind a cargo feature,
//! the header's `alg` never trusted on its own (it must be bound to the key type), and the
//! signature length checked before the signature is parsed.

use core::fmt;

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
