//! HS256 / HS384 / HS512 (RFC 7518 §3.2): HMAC with SHA-2, the full tag, compared in constant
//! time (`hmac`'s `verify_slice`, built on `subtle`).

use alloc::format;
use alloc::string::String;

use ::hmac::{KeyInit, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::Algorithm;

type HmacSha256 = ::hmac::Hmac<Sha256>;
type HmacSha384 = ::hmac::Hmac<Sha384>;
type HmacSha512 = ::hmac::Hmac<Sha512>;

/// An HMAC secret, keyed once for each hash it is long enough for.
///
/// Why keyed states and not the secret: keying HMAC (hashing the padded key into the inner and
/// outer states) costs two compression-function calls per token; cloning a keyed state costs a
/// copy. The raw secret is not kept, so it cannot leak through this type.
#[derive(Clone)]
pub(crate) struct HmacKey {
    len: usize,
    // `None` where the secret is shorter than the hash (RFC 7518 §3.2 forbids that use).
    hs256: Option<HmacSha256>,
    hs384: Option<HmacSha384>,
    hs512: Option<HmacSha512>,
}

impl HmacKey {
    /// Keys HMAC with `secret`. Any length imports; [`HmacKey::check_for`] enforces the minimum
    /// per algorithm, so a 40-byte secret still serves HS256 but not HS384.
    pub(crate) fn new(secret: &[u8]) -> Result<HmacKey, String> {
        if secret.is_empty() {
            return Err(String::from("the HMAC secret is empty"));
        }
        Ok(HmacKey {
            len: secret.len(),
            hs256: keyed(secret, 32),
            hs384: keyed(secret, 48),
            hs512: keyed(secret, 64),
        })
    }

    /// The secret's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// RFC 7518 §3.2: "A key of the same size as the hash output ... or larger MUST be used".
    pub(crate) fn check_for(&self, alg: Algorithm) -> Result<(), String> {
        let required = match alg {
            Algorithm::HS256 => 32,
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => return Err(format!("{alg} is not an HMAC algorithm")),
        };
        if self.len >= required {
            Ok(())
        } else {
            Err(format!(
                "the HMAC secret is {} bytes; {alg} requires at least {required} (RFC 7518 §3.2)",
                self.len
            ))
        }
    }

    /// Computes the tag over `signing_input` and compares it, whole, in constant time.
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        tag: &[u8],
    ) -> Result<(), String> {
        self.check_for(alg)?;
        let ok = match alg {
            Algorithm::HS256 => check_tag(self.hs256.as_ref(), signing_input, tag),
            Algorithm::HS384 => check_tag(self.hs384.as_ref(), signing_input, tag),
            Algorithm::HS512 => check_tag(self.hs512.as_ref(), signing_input, tag),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("the {alg} tag does not match"))
        }
    }
}

/// A keyed state if `secret` is at least `min_len` bytes.
fn keyed<M: KeyInit>(secret: &[u8], min_len: usize) -> Option<M> {
    if secret.len() < min_len {
        return None;
    }
    // HMAC accepts keys of any length (long ones are hashed first), so this cannot fail.
    M::new_from_slice(secret).ok()
}

/// `verify_slice` rejects a tag of any other length than the full output (no truncated tags)
/// and compares in constant time.
fn check_tag<M: Mac + Clone>(keyed: Option<&M>, signing_input: &[u8], tag: &[u8]) -> bool {
    match keyed {
        Some(keyed) => {
            let mut mac = keyed.clone();
            mac.update(signing_input);
            mac.verify_slice(tag).is_ok()
        }
        None => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn tag(alg: Algorithm, secret: &[u8], msg: &[u8]) -> alloc::vec::Vec<u8> {
        match alg {
            Algorithm::HS256 => {
                let mut mac = HmacSha256::new_from_slice(secret).unwrap();
                mac.update(msg);
                mac.finalize().into_bytes().to_vec()
            }
            Algorithm::HS384 => {
                let mut mac = HmacSha384::new_from_slice(secret).unwrap();
                mac.update(msg);
                mac.finalize().into_bytes().to_vec()
            }
            _ => {
                let mut mac = HmacSha512::new_from_slice(secret).unwrap();
                mac.update(msg);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    #[test]
    fn secret_shorter_than_the_hash_is_refused() {
        let key31 = HmacKey::new(&[7u8; 31]).unwrap();
        assert!(key31.check_for(Algorithm::HS256).is_err());
        let key32 = HmacKey::new(&[7u8; 32]).unwrap();
        assert!(key32.check_for(Algorithm::HS256).is_ok());
        assert!(key32.check_for(Algorithm::HS384).is_err());
        assert!(key32.check_for(Algorithm::HS512).is_err());
        let key48 = HmacKey::new(&[7u8; 48]).unwrap();
        assert!(key48.check_for(Algorithm::HS384).is_ok());
        assert!(key48.check_for(Algorithm::HS512).is_err());
        let key64 = HmacKey::new(&[7u8; 64]).unwrap();
        assert!(key64.check_for(Algorithm::HS512).is_ok());
        assert!(HmacKey::new(&[]).is_err());
    }

    #[test]
    fn a_short_secret_never_verifies_even_with_the_right_tag() {
        let secret = [9u8; 31];
        let good = tag(Algorithm::HS256, &secret, b"a.b");
        let key = HmacKey::new(&secret).unwrap();
        assert!(key.verify(Algorithm::HS256, b"a.b", &good).is_err());
    }

    #[test]
    fn full_tag_only() {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let secret = [0x42u8; 64];
            let key = HmacKey::new(&secret).unwrap();
            let good = tag(alg, &secret, b"header.payload");
            assert!(key.verify(alg, b"header.payload", &good).is_ok());
            // Truncated, extended, flipped, other message, other algorithm.
            assert!(key
                .verify(alg, b"header.payload", &good[..good.len() - 1])
                .is_err());
            assert!(key.verify(alg, b"header.payload", &good[..16]).is_err());
            let mut longer = good.clone();
            longer.push(0);
            assert!(key.verify(alg, b"header.payload", &longer).is_err());
            let mut flipped = good.clone();
            flipped[0] ^= 1;
            assert!(key.verify(alg, b"header.payload", &flipped).is_err());
            assert!(key.verify(alg, b"header.payloaD", &good).is_err());
            assert!(key.verify(alg, b"header.payload", &[]).is_err());
        }
        let secret = [0x42u8; 64];
        let key = HmacKey::new(&secret).unwrap();
        let hs256 = tag(Algorithm::HS256, &secret, b"x");
        assert!(key.verify(Algorithm::HS384, b"x", &hs256).is_err());
    }

    #[test]
    fn long_secrets_are_hashed_as_rfc_2104_says() {
        // RFC 4231 test case 6: a 131-byte key.
        let key = [0xaau8; 131];
        let msg = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let expected = [
            0x60, 0xe4, 0x31, 0x59, 0x1e, 0xe0, 0xb6, 0x7f, 0x0d, 0x8a, 0x26, 0xaa, 0xcb, 0xf5,
            0xb7, 0x7f, 0x8e, 0x0b, 0xc6, 0x21, 0x37, 0x28, 0xc5, 0x14, 0x05, 0x46, 0x04, 0x0f,
            0x0e, 0xe3, 0x7f, 0x54,
        ];
        let prepared = HmacKey::new(&key).unwrap();
        assert!(prepared.verify(Algorithm::HS256, msg, &expected).is_ok());
    }
}
