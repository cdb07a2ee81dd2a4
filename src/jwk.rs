//! RFC 7517 JSON Web Key Sets: parsing (keys this crate cannot use are skipped, not fatal) and
//! `lint()` warnings for the people who publish them.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Value};

use crate::alg::{self, Algorithm, EcCurve, KeyType};
use crate::decode::{base64url_decode, base64url_encode, sha256_base64url};
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
///
/// `Debug` never prints an HMAC secret (only its length).
#[derive(Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// `kty: "oct"`: the secret `k`.
    Oct {
        /// The HMAC secret.
        k: Vec<u8>,
    },
    /// `kty: "RSA"`: modulus and public exponent, big-endian.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// `kty: "EC"`: affine coordinates, each exactly the field size.
    Ec {
        /// The curve.
        crv: EcCurve,
        /// The x coordinate.
        x: Vec<u8>,
        /// The y coordinate.
        y: Vec<u8>,
    },
    /// `kty: "OKP"`, `crv: "Ed25519"`: the 32-byte public key.
    Ed25519 {
        /// The encoded point.
        x: Vec<u8>,
    },
}

/// A JWK that was skipped because this crate cannot use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    pub(crate) kid: Option<String>,
    pub(crate) reason: String,
    /// `kty`/`crv` not supported by this build (rather than a malformed key).
    pub(crate) unsupported: bool,
    /// Position in the document's `keys` array (lint reports in document order).
    pub(crate) index: usize,
    /// Private members were present (the lint reports the leak even for a skipped key).
    pub(crate) has_private_members: bool,
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
    /// Two or more keys share a `kid` and could verify the same algorithm: tokens naming it with
    /// that algorithm are rejected as ambiguous. (Keys of different types, or restricted to
    /// different algorithms, may share a `kid`: RFC 7517 §4.5.)
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
    /// A key that is parsed but can never verify a token: it fails a soundness check (short
    /// HMAC secret, bad RSA exponent, EC point off its curve, small-order Ed25519 key, ...) or
    /// its `alg`, `use` or `key_ops` rule out verification.
    UnusableKey,
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
            LintCode::UnusableKey => "unusable_key",
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

    /// The RFC 7638 JWK Thumbprint: base64url of the SHA-256 of the key's required members
    /// (and only those), in lexicographic order, without whitespace. What a DPoP-bound token's
    /// `cnf.jkt` holds (RFC 9449 §6.1).
    ///
    /// The members are written from the decoded octets: strict base64url (RFC 7515 §2) has one
    /// encoding per octet string, so they are exactly the strings the JWK carried.
    pub fn thumbprint(&self) -> String {
        let mut canonical = String::with_capacity(128);
        // Base64url and the fixed names need no JSON escaping.
        let mut member = |name: &str, value: &str| {
            canonical.push_str(if canonical.is_empty() { "{\"" } else { ",\"" });
            canonical.push_str(name);
            canonical.push_str("\":\"");
            canonical.push_str(value);
            canonical.push('"');
        };
        let b64 = base64url_encode;
        match self {
            KeyMaterial::Oct { k } => {
                member("k", &b64(k));
                member("kty", "oct");
            }
            KeyMaterial::Rsa { n, e } => {
                member("e", &b64(e));
                member("kty", "RSA");
                member("n", &b64(n));
            }
            KeyMaterial::Ec { crv, x, y } => {
                member("crv", crv.name());
                member("kty", "EC");
                member("x", &b64(x));
                member("y", &b64(y));
            }
            KeyMaterial::Ed25519 { x } => {
                member("crv", "Ed25519");
                member("kty", "OKP");
                member("x", &b64(x));
            }
        }
        canonical.push('}');
        sha256_base64url(canonical.as_bytes())
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMaterial::Oct { k } => write!(f, "Oct {{ k: <{} secret bytes> }}", k.len()),
            KeyMaterial::Rsa { n, e } => f
                .debug_struct("Rsa")
                .field("bits", &alg::rsa_modulus_bits(n))
                .field("e", e)
                .finish(),
            KeyMaterial::Ec { crv, x, y } => f
                .debug_struct("Ec")
                .field("crv", crv)
                .field("x", x)
                .field("y", y)
                .finish(),
            KeyMaterial::Ed25519 { x } => f.debug_struct("Ed25519").field("x", x).finish(),
        }
    }
}

impl Jwk {
    /// Why this key cannot serve `alg` by its type and the members that restrict its use (key
    /// type and curve, `alg`, `use`, `key_ops`), or `Ok` when it can. Soundness is checked on
    /// the imported key (`verify::serving`).
    pub(crate) fn unfit_for(&self, alg: Algorithm) -> Result<(), String> {
        let key_type = self.material.key_type();
        if key_type != alg.key_type() {
            return Err(format!(
                "it is {}, {alg} needs {}",
                key_type.describe(),
                alg.key_type().describe()
            ));
        }
        if let Some(key_alg) = self.alg() {
            if key_alg != alg.name() {
                return Err(format!("the key is restricted to alg {key_alg:?}"));
            }
        }
        if let Some(key_use) = self.use_.as_deref() {
            if key_use != "sig" {
                return Err(format!("the key's use is {key_use:?}, not \"sig\""));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|op| op == "verify") {
                return Err(String::from("the key's key_ops do not include \"verify\""));
            }
        }
        Ok(())
    }

    /// The key's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    /// The key's `alg` restriction.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }
    /// The key's `use`.
    pub fn use_(&self) -> Option<&str> {
        self.use_.as_deref()
    }
    /// The key's `key_ops`.
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }
    /// The public key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }
    /// The key's RFC 7638 thumbprint (see [`KeyMaterial::thumbprint`]).
    pub fn thumbprint(&self) -> String {
        self.material.thumbprint()
    }
    /// Whether the JWK carried private members (ignored; reported by [`Jwks::lint`]).
    pub fn has_private_members(&self) -> bool {
        self.has_private_members
    }
}

impl Jwks {
    /// Largest JWK Set document accepted (bytes): a set is configuration, and an unbounded one
    /// is a memory and CPU hazard (every key is imported and checked).
    pub const MAX_DOCUMENT_LEN: usize = 1024 * 1024;
    /// Most keys accepted in one set.
    pub const MAX_KEYS: usize = 1000;

    /// Parses an RFC 7517 JWK Set (`{"keys": [...]}`). Keys this crate cannot use are skipped and
    /// reported by [`Jwks::lint`]; only a document that is not a JWK Set at all is an error:
    /// not JSON, not an object, no `keys` array, larger than [`Jwks::MAX_DOCUMENT_LEN`] bytes or
    /// more than [`Jwks::MAX_KEYS`] keys.
    ///
    /// Each key needs a `kty` it knows: `oct` (`k`), `RSA` (`n`, `e`), `EC` (`crv` P-256, P-384 or
    /// P-521; `x`, `y` exactly the field size) or `OKP` (`crv` Ed25519; `x` 32 bytes), with
    /// members in strict base64url (RFC 7515 §2). `kid`, `alg` and `use` must be strings and
    /// `key_ops` an array of strings when present. Anything else skips the key. Private members
    /// (`d`, `p`, ...) are ignored (only the public part is used) and reported by the lint.
    pub fn from_json(json: &str) -> Result<Jwks, ConfigError> {
        if json.len() > Self::MAX_DOCUMENT_LEN {
            return Err(ConfigError::InvalidJwks(format!(
                "the document is {} bytes; at most {} are accepted",
                json.len(),
                Self::MAX_DOCUMENT_LEN
            )));
        }
        let document = parse_document(json)?;
        let Some(keys) = document.get("keys") else {
            return Err(ConfigError::InvalidJwks(String::from(
                "a JWK Set is a JSON object with a `keys` array; `keys` is missing",
            )));
        };
        let Value::Array(keys) = keys else {
            return Err(ConfigError::InvalidJwks(String::from(
                "`keys` is not an array",
            )));
        };
        if keys.len() > Self::MAX_KEYS {
            return Err(ConfigError::InvalidJwks(format!(
                "the set has {} keys; at most {} are accepted",
                keys.len(),
                Self::MAX_KEYS
            )));
        }
        let mut jwks = Jwks {
            keys: Vec::with_capacity(keys.len()),
            skipped: Vec::new(),
        };
        for (index, key) in keys.iter().enumerate() {
            match parse_key(key) {
                Ok(jwk) => jwks.keys.push(jwk),
                Err(mut skipped) => {
                    skipped.index = index;
                    jwks.skipped.push(skipped);
                }
            }
        }
        Ok(jwks)
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The keys that were skipped, in document order.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// Warnings for whoever publishes this set, in the order of the keys in the document (the
    /// mixed-keys warning sits at the first `oct` key, a duplicate `kid` at the key that makes it
    /// ambiguous): missing `alg`, a `kid` shared by keys that could verify the same algorithm, RSA
    /// keys under 2048 bits, `use: "enc"`, private members, `oct` keys mixed with asymmetric
    /// ones, keys that can never verify (unsound, or restricted away from verification), and
    /// skipped keys (unsupported `kty`/`crv`, or malformed).
    pub fn lint(&self) -> Vec<LintWarning> {
        let mut warnings = Vec::new();
        let entries = self.entries();

        let ambiguous = self.ambiguous_kids();
        let has_asymmetric = self
            .keys
            .iter()
            .any(|k| k.material.key_type() != KeyType::Oct);
        let mut mixed_reported = false;

        for (index, entry) in entries {
            let kid = match entry {
                Entry::Key(key) => key.kid.as_deref(),
                Entry::Skipped(skipped) => skipped.kid.as_deref(),
            };
            let name = describe_key(index, kid);
            let mut warn = |code: LintCode, message: String| {
                warnings.push(LintWarning {
                    kid: kid.map(String::from),
                    code,
                    message,
                });
            };

            if let Entry::Key(key) = entry {
                if let Some((_, count, alg)) =
                    ambiguous.iter().find(|(at, ..)| core::ptr::eq(*at, key))
                {
                    let kid = kid.unwrap_or_default();
                    warn(
                        LintCode::DuplicateKid,
                        format!(
                            "{count} keys share the kid {kid:?} and could verify {alg}: tokens \
                             naming it with {alg} are ambiguous and rejected (key_not_found)"
                        ),
                    );
                }
            }

            match entry {
                Entry::Skipped(skipped) => {
                    if skipped.has_private_members {
                        warn(LintCode::PrivateMembers, private_members_message(&name));
                    }
                    let code = if skipped.unsupported {
                        LintCode::UnsupportedKey
                    } else {
                        LintCode::SkippedKey
                    };
                    warn(code, format!("{name} is skipped: {}", skipped.reason));
                }
                Entry::Key(key) => {
                    if key.has_private_members {
                        warn(LintCode::PrivateMembers, private_members_message(&name));
                    }
                    if key.use_.as_deref() == Some("enc") {
                        warn(
                            LintCode::EncryptionKey,
                            format!(
                                "{name} has `use: \"enc\"`: an encryption key, never used to \
                                 verify signatures"
                            ),
                        );
                    }
                    if key.alg.is_none() {
                        warn(
                            LintCode::MissingAlg,
                            format!(
                                "{name} has no `alg`: any algorithm of its key type may use it; \
                                 publish the one algorithm it signs with"
                            ),
                        );
                    }
                    let is_oct = key.material.key_type() == KeyType::Oct;
                    if !mixed_reported && is_oct && has_asymmetric {
                        mixed_reported = true;
                        warn(
                            LintCode::MixedSymmetric,
                            String::from(
                                "the set mixes symmetric (oct) secrets with asymmetric public \
                                 keys: a set that is published must not hold secrets, and one \
                                 that holds secrets should not be shared with public-key users",
                            ),
                        );
                    }
                    if let Some((code, message)) = key.soundness_warning() {
                        warn(code, format!("{name} {message}"));
                    } else if let Some(message) = key
                        .restriction_warning()
                        .filter(|_| key.use_.as_deref() != Some("enc"))
                    {
                        warn(LintCode::UnusableKey, format!("{name} {message}"));
                    }
                }
            }
        }
        warnings
    }

    /// Usable and skipped keys merged back into document order, with their index in `keys`.
    fn entries(&self) -> Vec<(usize, Entry<'_>)> {
        let mut out = Vec::with_capacity(self.keys.len() + self.skipped.len());
        let mut keys = self.keys.iter();
        let mut skipped = self.skipped.iter().peekable();
        let mut index = 0;
        loop {
            // Skipped keys record their index; usable keys fill the other slots in order.
            if let Some(s) = skipped.next_if(|s| s.index <= index) {
                out.push((s.index, Entry::Skipped(s)));
            } else if let Some(key) = keys.next() {
                out.push((index, Entry::Key(key)));
            } else if let Some(s) = skipped.next() {
                out.push((s.index, Entry::Skipped(s)));
            } else {
                break;
            }
            index += 1;
        }
        out
    }

    /// Where a `kid` becomes ambiguous: the first key (in document order) that shares its `kid`
    /// with an earlier key able to verify the same algorithm, with how many keys of that `kid`
    /// can verify it, and the algorithm. Keys of different types (RFC 7517 §4.5), keys
    /// restricted to different algorithms and skipped or unsound keys never make a `kid`
    /// ambiguous: key selection keeps only the keys that can serve the token's algorithm.
    fn ambiguous_kids(&self) -> Vec<(&Jwk, usize, Algorithm)> {
        let mut found: Vec<(&Jwk, usize, Algorithm)> = Vec::new();
        // What each key can verify, computed only for keys whose kid is shared.
        let mut serves: Vec<Option<Vec<Algorithm>>> = alloc::vec![None; self.keys.len()];
        for (index, key) in self.keys.iter().enumerate() {
            let Some(kid) = key.kid() else { continue };
            let same_kid = |other: &Jwk| other.kid() == Some(kid);
            if found.iter().any(|(at, ..)| at.kid() == Some(kid))
                || self.keys.iter().filter(|other| same_kid(other)).count() < 2
            {
                continue;
            }
            let mut algorithms_of = |at: usize| -> Vec<Algorithm> {
                serves[at]
                    .get_or_insert_with(|| {
                        let jwk = &self.keys[at];
                        let prepared = alg::prepare_key(&jwk.material);
                        Algorithm::ALL
                            .into_iter()
                            .filter(|a| a.is_supported())
                            .filter(|a| crate::verify::serving(jwk, || &prepared, *a).is_ok())
                            .collect()
                    })
                    .clone()
            };
            let mine = algorithms_of(index);
            let shared = (0..index)
                .filter(|&earlier| same_kid(&self.keys[earlier]))
                .find_map(|earlier| {
                    let theirs = algorithms_of(earlier);
                    mine.iter().copied().find(|alg| theirs.contains(alg))
                });
            if let Some(alg) = shared {
                let count = (0..self.keys.len())
                    .filter(|&other| same_kid(&self.keys[other]))
                    .filter(|&other| algorithms_of(other).contains(&alg))
                    .count();
                found.push((key, count, alg));
            }
        }
        found
    }
}

enum Entry<'a> {
    Key(&'a Jwk),
    Skipped(&'a SkippedKey),
}

fn describe_key(index: usize, kid: Option<&str>) -> String {
    match kid {
        Some(kid) => format!("keys[{index}] (kid {kid:?})"),
        None => format!("keys[{index}] (no kid)"),
    }
}

fn private_members_message(name: &str) -> String {
    format!(
        "{name} has private key members (d, p, q, dp, dq, qi or oth): the set leaks a private \
         key; only the public part is used"
    )
}

impl Jwk {
    /// A soundness problem that makes the verifier refuse this key (`key_mismatch`), or a
    /// known-broken RSA key (ROCA) that it still accepts.
    fn soundness_warning(&self) -> Option<(LintCode, String)> {
        if let KeyMaterial::Rsa { n, .. } = &self.material {
            let bits = alg::rsa_modulus_bits(n);
            if bits < 2048 {
                return Some((
                    LintCode::WeakRsaKey,
                    format!(
                        "is a {bits}-bit RSA key; at least 2048 bits are required (RFC 7518 \
                         §3.3), so it is refused"
                    ),
                ));
            }
            // Still accepted for verification (see `has_roca_fingerprint`), but broken.
            #[cfg(feature = "rsa")]
            if alg::rsa::has_roca_fingerprint(alg::strip_leading_zeros(n)) {
                return Some((
                    LintCode::WeakRsaKey,
                    "is an RSA key with the ROCA structure (CVE-2017-15361): its private key can \
                     be recovered from the public key; replace it"
                        .into(),
                ));
            }
        }
        let problem = match alg::prepare_key(&self.material) {
            Err(reason) => Some(reason),
            Ok(prepared) => {
                // Without `alg`, the least demanding algorithm of the key type decides.
                let alg = self
                    .alg
                    .as_deref()
                    .and_then(Algorithm::from_name)
                    .filter(|a| a.key_type() == self.material.key_type())
                    .or(match self.material.key_type() {
                        KeyType::Oct => Some(Algorithm::HS256),
                        _ => None,
                    });
                alg.and_then(|alg| prepared.check_for(alg).err())
            }
        };
        problem.map(|reason| {
            (
                LintCode::UnusableKey,
                format!("can never verify a token: {reason}"),
            )
        })
    }

    /// `alg`, `use` or `key_ops` that keep this key from ever verifying a JWS.
    fn restriction_warning(&self) -> Option<String> {
        if let Some(name) = self.alg.as_deref() {
            match Algorithm::from_name(name) {
                Some(alg) if alg.key_type() != self.material.key_type() => {
                    return Some(format!(
                        "can never verify a token: its `alg` {name} does not fit {}",
                        self.material.key_type().describe()
                    ));
                }
                Some(_) => {}
                None => {
                    return Some(format!(
                        "can never verify a token: its `alg` {name:?} is not a JWS algorithm \
                         this verifier supports"
                    ));
                }
            }
        }
        match self.use_.as_deref() {
            // "enc" has its own warning.
            None | Some("sig") | Some("enc") => {}
            Some(other) => {
                return Some(format!(
                    "can never verify a token: its `use` is {other:?}, not \"sig\""
                ));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|op| op == "verify") {
                return Some(String::from(
                    "can never verify a token: its `key_ops` do not include \"verify\"",
                ));
            }
        }
        None
    }
}

/// Parses the JWK Set document into its top-level object with the crate's strict JSON parser
/// (no duplicate member names, depth bounded, no BOM or trailing data): the same rules as a token.
fn parse_document(json: &str) -> Result<Map<String, Value>, ConfigError> {
    crate::decode::parse_json_object(json.as_bytes()).map_err(|err| {
        ConfigError::InvalidJwks(format!(
            "a JWK Set is a JSON object with a `keys` array: {err}"
        ))
    })
}

/// Members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// One `keys` element (or a DPoP proof's `jwk` header): a usable [`Jwk`] or the reason it is
/// skipped (its `index` set by the caller).
pub(crate) fn parse_key(value: &Value) -> Result<Jwk, SkippedKey> {
    let Value::Object(member) = value else {
        return Err(SkippedKey::malformed(
            None,
            false,
            "it is not a JSON object",
        ));
    };
    // `kid` first, so that every later reason can name the key.
    let kid = match member.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(SkippedKey::malformed(None, false, "`kid` is not a string")),
    };
    let has_private_members = PRIVATE_MEMBERS
        .iter()
        .any(|name| member.contains_key(*name));
    let skip = |reason: &str| SkippedKey::malformed(kid.clone(), has_private_members, reason);
    let unsupported = |reason: String| SkippedKey {
        kid: kid.clone(),
        reason,
        unsupported: true,
        index: 0,
        has_private_members,
    };

    let alg = optional_string(member, "alg").map_err(|reason| skip(&reason))?;
    let use_ = optional_string(member, "use").map_err(|reason| skip(&reason))?;
    let key_ops = match member.get("key_ops") {
        None => None,
        Some(Value::Array(ops)) => {
            let mut out = Vec::with_capacity(ops.len());
            for op in ops {
                match op {
                    Value::String(op) => out.push(op.clone()),
                    _ => return Err(skip("`key_ops` is not an array of strings")),
                }
            }
            Some(out)
        }
        Some(_) => return Err(skip("`key_ops` is not an array of strings")),
    };
    let kty = match member.get("kty") {
        Some(Value::String(kty)) => kty.as_str(),
        Some(_) => return Err(skip("`kty` is not a string")),
        None => return Err(skip("`kty` is missing")),
    };

    let material = match kty {
        "oct" => {
            if !cfg!(feature = "hmac") {
                return Err(unsupported(not_compiled_in("oct (HMAC)", "hmac")));
            }
            let k = base64url_member(member, "k").map_err(|reason| skip(&reason))?;
            if k.is_empty() {
                return Err(skip("`k` is empty"));
            }
            KeyMaterial::Oct { k }
        }
        "RSA" => {
            if !cfg!(feature = "rsa") {
                return Err(unsupported(not_compiled_in("RSA", "rsa")));
            }
            let n = base64url_member(member, "n").map_err(|reason| skip(&reason))?;
            let e = base64url_member(member, "e").map_err(|reason| skip(&reason))?;
            if alg::strip_leading_zeros(&n).is_empty() {
                return Err(skip("`n` is zero"));
            }
            if alg::strip_leading_zeros(&e).is_empty() {
                return Err(skip("`e` is zero"));
            }
            KeyMaterial::Rsa { n, e }
        }
        "EC" => {
            let crv = match member.get("crv") {
                Some(Value::String(crv)) => crv.as_str(),
                Some(_) => return Err(skip("`crv` is not a string")),
                None => return Err(skip("`crv` is missing")),
            };
            let Some(curve) = EcCurve::from_name(crv) else {
                return Err(unsupported(format!("EC curve {crv:?} is not supported")));
            };
            if !cfg!(feature = "ecdsa") {
                return Err(unsupported(not_compiled_in("EC (ECDSA)", "ecdsa")));
            }
            let x = base64url_member(member, "x").map_err(|reason| skip(&reason))?;
            let y = base64url_member(member, "y").map_err(|reason| skip(&reason))?;
            let len = curve.field_len();
            if x.len() != len || y.len() != len {
                return Err(skip(&format!(
                    "{crv} `x` and `y` must be exactly {len} octets each (they are {} and {})",
                    x.len(),
                    y.len()
                )));
            }
            KeyMaterial::Ec { crv: curve, x, y }
        }
        "OKP" => {
            let crv = match member.get("crv") {
                Some(Value::String(crv)) => crv.as_str(),
                Some(_) => return Err(skip("`crv` is not a string")),
                None => return Err(skip("`crv` is missing")),
            };
            if crv != "Ed25519" {
                return Err(unsupported(format!("OKP curve {crv:?} is not supported")));
            }
            if !cfg!(feature = "eddsa") {
                return Err(unsupported(not_compiled_in("Ed25519", "eddsa")));
            }
            let x = base64url_member(member, "x").map_err(|reason| skip(&reason))?;
            if x.len() != 32 {
                return Err(skip(&format!(
                    "Ed25519 `x` must be 32 octets, not {}",
                    x.len()
                )));
            }
            KeyMaterial::Ed25519 { x }
        }
        other => return Err(unsupported(format!("key type {other:?} is not supported"))),
    };
    Ok(Jwk {
        kid,
        alg,
        use_,
        key_ops,
        material,
        has_private_members,
    })
}

fn not_compiled_in(family: &str, feature: &str) -> String {
    format!("{family} support not compiled in (cargo feature `{feature}` is off)")
}

fn optional_string(member: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match member.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(format!("`{name}` is not a string")),
    }
}

/// A required member holding strict base64url.
fn base64url_member(member: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    match member.get(name) {
        Some(Value::String(text)) => base64url_decode(text.as_bytes())
            .ok_or_else(|| format!("`{name}` is not strict base64url (RFC 7515 §2)")),
        Some(_) => Err(format!("`{name}` is not a string")),
        None => Err(format!("`{name}` is missing")),
    }
}

impl SkippedKey {
    fn malformed(kid: Option<String>, has_private_members: bool, reason: &str) -> SkippedKey {
        SkippedKey {
            kid,
            reason: String::from(reason),
            unsupported: false,
            index: 0,
            has_private_members,
        }
    }

    /// The skipped key's `kid`, if it had a string one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why it was skipped.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Whether it was skipped because its `kty`/`crv` is not supported by this build (rather
    /// than because it is malformed).
    pub fn is_unsupported(&self) -> bool {
        self.unsupported
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use alloc::vec;

    /// A straightforward (slow, obviously correct) reference encoder for round trips.
    fn encode(bytes: &[u8]) -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = 0u32;
        let mut nbits = 0;
        let mut out = String::new();
        for &b in bytes {
            bits = bits << 8 | u32::from(b);
            nbits += 8;
            while nbits >= 6 {
                nbits -= 6;
                out.push(char::from(alphabet[((bits >> nbits) & 63) as usize]));
            }
        }
        if nbits > 0 {
            out.push(char::from(alphabet[((bits << (6 - nbits)) & 63) as usize]));
        }
        out
    }

    #[test]
    fn base64url_known_answers() {
        // RFC 4648 §10 vectors, unpadded.
        for (text, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(
                base64url_decode(encoded.as_bytes()).unwrap(),
                text.as_bytes()
            );
        }
        // The URL-safe characters.
        assert_eq!(base64url_decode(b"-_-_").unwrap(), [0xfb, 0xff, 0xbf]);
        assert_eq!(base64url_decode(b"AAAA").unwrap(), [0, 0, 0]);
        assert_eq!(base64url_decode(b"____").unwrap(), [0xff, 0xff, 0xff]);
    }

    #[test]
    fn base64url_round_trips_every_length_and_byte() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..data.len() {
            let encoded = encode(&data[..len]);
            assert_eq!(
                base64url_decode(encoded.as_bytes()).unwrap(),
                &data[..len],
                "len {len}"
            );
        }
    }

    #[test]
    fn base64url_refuses_length_mod_4_of_1() {
        for input in [&b"A"[..], b"AAAAA", b"Zm9vY", b"Zm9vYmFyA"] {
            assert_eq!(base64url_decode(input), None, "{input:?}");
        }
    }

    #[test]
    fn base64url_refuses_nonzero_unused_bits() {
        // "Zg" is "f"; "Zh".."Zv" carry the same octet with unused bits set.
        for last in b"hijklmnopqrstuv" {
            assert_eq!(base64url_decode(&[b'Z', *last]), None);
        }
        assert!(base64url_decode(b"Zw").is_some()); // 0x67: low 4 bits of 'w' (48) are zero
                                                    // "Zm8" is "fo"; "Zm9" sets the low 2 bits of the last character.
        assert_eq!(base64url_decode(b"Zm9"), None);
        assert_eq!(base64url_decode(b"Zm-"), None);
        assert!(base64url_decode(b"Zm8").is_some());
        // Every 2- and 3-character tail: exactly the canonical ones decode.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut two = 0;
        let mut three = 0;
        for &a in alphabet {
            for (value, &b) in alphabet.iter().enumerate() {
                let ok = base64url_decode(&[a, b]).is_some();
                assert_eq!(ok, value & 0x0f == 0);
                two += usize::from(ok);
                let ok = base64url_decode(&[a, a, b]).is_some();
                assert_eq!(ok, value & 0x03 == 0);
                three += usize::from(ok);
            }
        }
        assert_eq!(two, 256);
        assert_eq!(three, 64 * 16);
    }

    #[test]
    fn base64url_refuses_padding_whitespace_and_other_alphabets() {
        for input in [
            &b"Zg=="[..],
            b"Zg=",
            b"Zm8=",
            b"Zm9v====",
            b"=",
            b"Zm9v\n",
            b"Zm9 v",
            b" Zm9v",
            b"Zm9v\r\nYmFy",
            b"Zm9\tv",
            b"Zm+v",
            b"Zm/v",
            b"Zm.v",
            b"Zm9v\0",
            b"Zm9\xc3\xa9",
        ] {
            assert_eq!(base64url_decode(input), None, "{input:?}");
        }
        // Every byte outside the alphabet, in every position of a quad and of a tail.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for byte in 0..=255u8 {
            if alphabet.contains(&byte) {
                continue;
            }
            for pos in 0..4 {
                let mut quad = *b"AAAA";
                quad[pos] = byte;
                assert_eq!(base64url_decode(&quad), None);
                let mut longer = *b"AAAAAAA";
                longer[4 + pos % 3] = byte;
                assert_eq!(base64url_decode(&longer), None);
            }
        }
    }

    fn b64(bytes: &[u8]) -> String {
        encode(bytes)
    }

    #[test]
    #[cfg(all(
        feature = "hmac",
        feature = "rsa",
        feature = "ecdsa",
        feature = "eddsa"
    ))]
    fn parses_each_key_type() {
        let json = format!(
            r#"{{"keys":[
                {{"kty":"oct","kid":"h","alg":"HS256","k":"{k}"}},
                {{"kty":"RSA","kid":"r","use":"sig","n":"{n}","e":"AQAB"}},
                {{"kty":"EC","kid":"e","crv":"P-256","x":"{x}","y":"{y}","key_ops":["verify"]}},
                {{"kty":"OKP","kid":"o","crv":"Ed25519","x":"{ed}"}}
            ]}}"#,
            k = b64(&[1; 32]),
            n = b64(&[0xc1; 256]),
            x = b64(&[2; 32]),
            y = b64(&[3; 32]),
            ed = b64(&[4; 32]),
        );
        let jwks = Jwks::from_json(&json).unwrap();
        assert_eq!(jwks.skipped, vec![]);
        let kinds: Vec<KeyType> = jwks.keys.iter().map(|k| k.material.key_type()).collect();
        assert_eq!(
            kinds,
            [
                KeyType::Oct,
                KeyType::Rsa,
                KeyType::Ec(EcCurve::P256),
                KeyType::Ed25519
            ]
        );
        assert_eq!(jwks.keys[0].alg.as_deref(), Some("HS256"));
        assert_eq!(jwks.keys[1].use_.as_deref(), Some("sig"));
        assert_eq!(
            jwks.keys[2].key_ops.as_deref(),
            Some(&[String::from("verify")][..])
        );
        assert_eq!(jwks.keys[3].kid(), Some("o"));
        assert_eq!(
            jwks.keys[1].material,
            KeyMaterial::Rsa {
                n: vec![0xc1; 256],
                e: vec![1, 0, 1]
            }
        );
        // Debug never shows an HMAC secret.
        let debug = format!("{:?}", jwks.keys[0]);
        assert!(debug.contains("32 secret bytes"), "{debug}");
        assert!(!debug.contains("[1, 1"), "{debug}");
    }

    #[test]
    #[cfg(all(
        feature = "hmac",
        feature = "rsa",
        feature = "ecdsa",
        feature = "eddsa"
    ))]
    fn malformed_and_unsupported_keys_are_skipped_not_fatal() {
        let ok = b64(&[5; 32]);
        let cases: Vec<(String, bool)> = vec![
            (r#""not an object""#.into(), false),
            (r#"{"kid":"a"}"#.into(), false),
            (r#"{"kty":7}"#.into(), false),
            (format!(r#"{{"kty":"oct","kid":7,"k":"{ok}"}}"#), false),
            (
                format!(r#"{{"kty":"oct","alg":["HS256"],"k":"{ok}"}}"#),
                false,
            ),
            (format!(r#"{{"kty":"oct","use":null,"k":"{ok}"}}"#), false),
            (
                format!(r#"{{"kty":"oct","key_ops":"verify","k":"{ok}"}}"#),
                false,
            ),
            (
                format!(r#"{{"kty":"oct","key_ops":["verify",1],"k":"{ok}"}}"#),
                false,
            ),
            (r#"{"kty":"oct"}"#.into(), false),
            (r#"{"kty":"oct","k":""}"#.into(), false),
            (format!(r#"{{"kty":"oct","k":"{ok}="}}"#), false),
            (r#"{"kty":"RSA","n":"AQAB"}"#.into(), false),
            (r#"{"kty":"RSA","n":"AA","e":"AQAB"}"#.into(), false),
            (r#"{"kty":"RSA","n":"AQAB","e":"AA"}"#.into(), false),
            (format!(r#"{{"kty":"EC","crv":"P-256","x":"{ok}"}}"#), false),
            (format!(r#"{{"kty":"EC","x":"{ok}","y":"{ok}"}}"#), false),
            (
                format!(r#"{{"kty":"EC","crv":"P-384","x":"{ok}","y":"{ok}"}}"#),
                false,
            ),
            (
                format!(r#"{{"kty":"EC","crv":"P-256","x":"{ok}","y":"{ok} "}}"#),
                false,
            ),
            (
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&[1; 31])),
                false,
            ),
            (r#"{"kty":"OKP","x":"AA"}"#.into(), false),
            (
                format!(r#"{{"kty":"EC","crv":"secp256k1","x":"{ok}","y":"{ok}"}}"#),
                true,
            ),
            (
                format!(r#"{{"kty":"EC","crv":"P-192","x":"{ok}","y":"{ok}"}}"#),
                true,
            ),
            (format!(r#"{{"kty":"OKP","crv":"Ed448","x":"{ok}"}}"#), true),
            (
                format!(r#"{{"kty":"OKP","crv":"X25519","x":"{ok}"}}"#),
                true,
            ),
            (r#"{"kty":"AKP","alg":"ML-DSA-44","pub":"AA"}"#.into(), true),
            (r#"{"kty":"rsa","n":"AQAB","e":"AQAB"}"#.into(), true),
        ];
        for (key, unsupported) in cases {
            let json = format!(r#"{{"keys":[{key}]}}"#);
            let jwks = Jwks::from_json(&json).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert!(jwks.keys.is_empty(), "{key} was accepted");
            assert_eq!(jwks.skipped.len(), 1, "{key}");
            assert_eq!(jwks.skipped[0].unsupported, unsupported, "{key}");
        }
    }

    #[test]
    #[cfg(all(
        feature = "hmac",
        feature = "rsa",
        feature = "ecdsa",
        feature = "eddsa"
    ))]
    fn private_members_are_flagged_and_ignored() {
        let json = format!(
            r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{d}"}}]}}"#,
            x = b64(&[4; 32]),
            d = b64(&[9; 32])
        );
        let jwks = Jwks::from_json(&json).unwrap();
        assert!(jwks.keys[0].has_private_members);
        assert_eq!(
            jwks.keys[0].material,
            KeyMaterial::Ed25519 { x: vec![4; 32] }
        );
    }

    #[test]
    fn compiled_out_families_are_skipped_as_unsupported() {
        let json = format!(
            r#"{{"keys":[
                {{"kty":"oct","k":"{k}"}},
                {{"kty":"RSA","n":"{n}","e":"AQAB"}},
                {{"kty":"EC","crv":"P-256","x":"{x}","y":"{x}"}},
                {{"kty":"OKP","crv":"Ed25519","x":"{x}"}}
            ]}}"#,
            k = b64(&[1; 32]),
            n = b64(&[0xc1; 256]),
            x = b64(&[2; 32]),
        );
        let jwks = Jwks::from_json(&json).unwrap();
        let compiled = [
            (KeyType::Oct, cfg!(feature = "hmac")),
            (KeyType::Rsa, cfg!(feature = "rsa")),
            (KeyType::Ec(EcCurve::P256), cfg!(feature = "ecdsa")),
            (KeyType::Ed25519, cfg!(feature = "eddsa")),
        ];
        let usable: Vec<KeyType> = jwks.keys.iter().map(|k| k.material.key_type()).collect();
        let expected: Vec<KeyType> = compiled
            .iter()
            .filter(|(_, on)| *on)
            .map(|(kty, _)| *kty)
            .collect();
        assert_eq!(usable, expected);
        assert_eq!(jwks.skipped.len(), 4 - expected.len());
        assert!(jwks.skipped.iter().all(|s| s.unsupported));
        let unsupported = jwks
            .lint()
            .iter()
            .filter(|w| w.code == LintCode::UnsupportedKey)
            .count();
        assert_eq!(unsupported, 4 - expected.len());
    }

    #[test]
    fn documents_that_are_not_jwk_sets_are_config_errors() {
        for json in [
            "",
            "null",
            "[]",
            r#"{"keys":{}}"#,
            r#"{"keys":"a"}"#,
            r#"{"key":[]}"#,
            r#"{"keys":[]} x"#,
            r#"{"keys":[],"keys":[]}"#,
            "\u{feff}{\"keys\":[]}",
        ] {
            assert!(
                matches!(Jwks::from_json(json), Err(ConfigError::InvalidJwks(_))),
                "{json:?}"
            );
        }
        assert!(Jwks::from_json(r#"{"keys":[]}"#).unwrap().keys.is_empty());
    }

    #[test]
    fn size_limits() {
        let key = r#"{"kty":"unknown"}"#;
        let at_limit = format!(r#"{{"keys":[{}]}}"#, vec![key; Jwks::MAX_KEYS].join(","));
        assert_eq!(
            Jwks::from_json(&at_limit).unwrap().skipped.len(),
            Jwks::MAX_KEYS
        );
        let over = format!(
            r#"{{"keys":[{}]}}"#,
            vec![key; Jwks::MAX_KEYS + 1].join(",")
        );
        assert!(Jwks::from_json(&over).is_err());
        let padding = " ".repeat(Jwks::MAX_DOCUMENT_LEN);
        assert!(Jwks::from_json(&format!(r#"{{"keys":[]}}{padding}"#)).is_err());
        let fits = " ".repeat(Jwks::MAX_DOCUMENT_LEN - 11);
        assert_eq!(fits.len() + 11, Jwks::MAX_DOCUMENT_LEN);
        assert!(Jwks::from_json(&format!(r#"{{"keys":[]}}{fits}"#)).is_ok());
    }

    #[test]
    #[cfg(all(
        feature = "hmac",
        feature = "rsa",
        feature = "ecdsa",
        feature = "eddsa"
    ))]
    fn lint_is_in_document_order() {
        let json = format!(
            r#"{{"keys":[
                {{"kty":"OKP","crv":"X25519","kid":"a","x":"{x}"}},
                {{"kty":"OKP","crv":"Ed25519","kid":"b","x":"{ed}","alg":"EdDSA"}},
                {{"kty":"EC","crv":"P-256","kid":"c","x":"AA","y":"AA"}},
                {{"kty":"OKP","crv":"Ed25519","kid":"b","x":"{ed}"}}
            ]}}"#,
            x = b64(&[4; 32]),
            ed = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        );
        let jwks = Jwks::from_json(&json).unwrap();
        let warnings = jwks.lint();
        let got: Vec<(Option<&str>, LintCode)> = warnings
            .iter()
            .map(|w| (w.kid.as_deref(), w.code))
            .collect();
        assert_eq!(
            got,
            [
                (Some("a"), LintCode::UnsupportedKey),
                (Some("c"), LintCode::SkippedKey),
                (Some("b"), LintCode::DuplicateKid),
                (Some("b"), LintCode::MissingAlg),
            ]
        );
    }
}
