//! RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS, MGF1 with the same hash,
//! salt length = hash length), RFC 7518 §3.3 and §3.5, on `rsa` 0.10 (no `getrandom`:
//! verification is deterministic).

use alloc::format;
use alloc::string::String;

use ::rsa::{BoxedUint, PublicKey as RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};

use super::{rsa_modulus_bits, strip_leading_zeros, Algorithm};

/// Smallest accepted modulus (RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used").
pub(crate) const MIN_MODULUS_BITS: usize = 2048;
/// Largest accepted modulus: bounds the work a hostile JWK Set can cause per token.
pub(crate) const MAX_MODULUS_BITS: usize = 8192;
/// Largest accepted exponent, as `rsa` and *ring* bound it (large exponents are a
/// denial-of-service vector: verification cost grows with the exponent's bit length).
pub(crate) const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// An imported RSA public key (its Montgomery parameters computed once).
#[derive(Clone)]
pub(crate) struct RsaKey {
    key: RsaPublicKey,
    bits: usize,
    /// The modulus, big-endian without leading zeros: exactly k octets, like a signature.
    modulus: alloc::vec::Vec<u8>,
}

impl RsaKey {
    /// Imports `(n, e)` (big-endian; leading zero octets tolerated and not counted) and checks:
    /// 2048 <= bits(n) <= 8192, n odd, e odd, 3 <= e <= 2^33 - 1 (so e < n).
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<RsaKey, String> {
        let n = strip_leading_zeros(n);
        let bits = rsa_modulus_bits(n);
        if bits < MIN_MODULUS_BITS {
            return Err(format!(
                "the RSA modulus is {bits} bits; at least {MIN_MODULUS_BITS} are required"
            ));
        }
        if bits > MAX_MODULUS_BITS {
            return Err(format!(
                "the RSA modulus is {bits} bits; more than {MAX_MODULUS_BITS} is not supported"
            ));
        }
        if n.last().is_some_and(|last| last & 1 == 0) {
            return Err(String::from("the RSA modulus is even"));
        }
        let e = strip_leading_zeros(e);
        if e.len() > 8 {
            return Err(String::from("the RSA public exponent is absurdly large"));
        }
        let e_value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e_value < 3 {
            return Err(format!(
                "the RSA public exponent is {e_value}; at least 3 is required"
            ));
        }
        if e_value & 1 == 0 {
            return Err(String::from("the RSA public exponent is even"));
        }
        if e_value > MAX_EXPONENT {
            return Err(String::from(
                "the RSA public exponent is larger than 2^33 - 1",
            ));
        }
        let key = RsaPublicKey::new_with_size_limits(
            BoxedUint::from_be_slice_vartime(n),
            BoxedUint::from(e_value),
            MIN_MODULUS_BITS..=MAX_MODULUS_BITS,
        )
        .map_err(|err| format!("the RSA public key is invalid: {err}"))?;
        Ok(RsaKey {
            key,
            bits,
            modulus: n.to_vec(),
        })
    }

    /// The modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// RFC 8017 §8.2.2 / §8.1.2, the checks before any arithmetic: the signature is exactly k
    /// octets (k = the modulus's octets; a leading zero dropped or added is refused) and, as an
    /// integer, below n (RSAVP1's range). Checked here rather than left to a crypto library so
    /// that every signature backend sees only well-formed signatures.
    pub(crate) fn check_encoding(&self, alg: Algorithm, signature: &[u8]) -> Result<(), String> {
        let k = self.modulus.len();
        if signature.len() != k {
            return Err(format!(
                "an {alg} signature with this key must be exactly {k} octets, not {}",
                signature.len()
            ));
        }
        // Equal lengths, big-endian: byte order is numeric order.
        if signature >= self.modulus.as_slice() {
            return Err(format!("the {alg} signature is not below the modulus"));
        }
        Ok(())
    }

    /// The signature arithmetic, for a signature that passed [`RsaKey::check_encoding`]. PSS:
    /// MGF1 with the same hash and a salt exactly as long as the hash (RFC 7518 §3.5).
    pub(crate) fn verify_checked(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let result = match alg {
            Algorithm::RS256 => self.key.pkcs1v15_verify::<Sha256>(signing_input, signature),
            Algorithm::RS384 => self.key.pkcs1v15_verify::<Sha384>(signing_input, signature),
            Algorithm::RS512 => self.key.pkcs1v15_verify::<Sha512>(signing_input, signature),
            // `pss_verify` fixes the salt length to the hash's output size and MGF1 to `D`.
            Algorithm::PS256 => self.key.pss_verify::<Sha256>(signing_input, signature),
            Algorithm::PS384 => self.key.pss_verify::<Sha384>(signing_input, signature),
            Algorithm::PS512 => self.key.pss_verify::<Sha512>(signing_input, signature),
            _ => return Err(format!("{alg} is not an RSA algorithm")),
        };
        result.map_err(|_| does_not_verify(alg))
    }
}

impl RsaKey {
    /// Encoding checks and arithmetic in one call (the unit tests' shorthand).
    #[cfg(test)]
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        self.check_encoding(alg, signature)?;
        self.verify_checked(alg, signing_input, signature)
    }
}

/// Why a well-formed signature was refused (the same words whichever backend refused it).
pub(crate) fn does_not_verify(_alg: Algorithm) -> String {
    String::from("well-formed, but not made with this RSA key over this header and payload")
}

/// The odd primes up to 167: every ROCA modulus size uses at least these in its primorial.
const ROCA_PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// The ROCA fingerprint (Nemec et al., CCS 2017): the Infineon library built primes as
/// `k * M + (65537^a mod M)`, so `n mod p` lies in the subgroup generated by 65537 modulo each
/// small prime `p` dividing `M`. A random modulus passes all 38 tests with negligible probability
/// Wycheproof's JWK suite would refuse such keys, but no RFC requires it and the reference
/// verifiers accept them, so refusing would break interoperability on a key its owner can only
/// replace: `Jwks::lint` warns instead (`weak_rsa_key`). ~10k word operations per 2048-bit modulus.
pub(crate) fn has_roca_fingerprint(n: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&p| {
        let residue = n
            .iter()
            .fold(0u32, |acc, &b| (acc * 256 + u32::from(b)) % p);
        let generator = 65537 % p;
        // Walk the cyclic subgroup <65537> mod p (order <= p - 1 <= 166) until it closes.
        let mut element = 1;
        loop {
            if element == residue {
                return true;
            }
            element = element * generator % p;
            if element == 1 {
                return false;
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    // RFC 7515 Appendix A.2's RSA key and its RS256 signature.
    const N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
    const E: &str = "AQAB";
    const SIGNING_INPUT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const SIG: &str = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

    fn b64(s: &str) -> Vec<u8> {
        crate::decode::base64url_decode(s.as_bytes()).unwrap()
    }

    #[test]
    fn rfc7515_a2_verifies_and_tampering_fails() {
        let key = RsaKey::new(&b64(N), &b64(E)).unwrap();
        assert_eq!(key.bits(), 2048);
        let sig = b64(SIG);
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &sig)
            .is_ok());
        assert!(key
            .verify(Algorithm::RS384, SIGNING_INPUT.as_bytes(), &sig)
            .is_err());
        assert!(key
            .verify(Algorithm::PS256, SIGNING_INPUT.as_bytes(), &sig)
            .is_err());
        let mut tampered = SIGNING_INPUT.as_bytes().to_vec();
        tampered[5] ^= 1;
        assert!(key.verify(Algorithm::RS256, &tampered, &sig).is_err());
    }

    #[test]
    fn signature_must_be_exactly_k_octets() {
        let key = RsaKey::new(&b64(N), &b64(E)).unwrap();
        let sig = b64(SIG);
        // A leading zero added: same integer, wrong length.
        let mut added = vec![0u8];
        added.extend_from_slice(&sig);
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &added)
            .is_err());
        // A signature whose integer has a leading zero octet, with that octet dropped:
        // build one from a signature value below 2^(8(k-1)) (here s = 1: pads to k octets).
        let mut small = vec![0u8; 256];
        small[255] = 1;
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &small)
            .is_err());
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &small[1..])
            .is_err());
        // Dropping the first octet of a real signature.
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &sig[1..])
            .is_err());
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &[])
            .is_err());
        // s >= n is refused (n itself, k octets).
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &b64(N))
            .is_err());
    }

    #[test]
    fn leading_zero_signature_must_keep_its_zero() {
        // tests/fixtures/crypto/gen_rsa_leading_zero.py: a valid RS256 signature whose first
        // octet is 0x00. Some verifiers accept it with the zero dropped (k - 1 octets).
        let n = b64("u60L75Ag2OShw5pRhNd-EzHZyN0aQAY1zjL7aUL9pWefkPtjE1PV4Qr_Icjb_qY7nZO1pNMBRdekzMTb9IknqvVEVYd3DHI4o_v5OesCwlZ3S40vigM0zGOi_VkLqYLLqEu2d82fSC1s14NhlmNGb-DhiIP8XP8bjpIgXVda77pCutmPI5pLUUv3yMr65ULs35WC_tIk0Uz8nmB05K0WBvlhPmSewP8xqcnaHzXxEoKMxUsG9dMZexApbF2Whpc1wY3hm8bf7Eathvlw968sJR3MbH6l8GH0-oTiZFJWOhpBueoKFg6pT0e_eykVIW0dqWVVq_cq3bsruBvzs9Dn2Q");
        let msg = b"eyJhbGciOiJSUzI1NiJ9.bGVhZGluZyB6ZXJvIDEzMg";
        let sig = b64("AGAD4dI3PGn90h71W-bI5a0V349DNgiO-hYm0mRVWagFdP6kYHbuBJEkWCmHqwa1jU73Nm04HamflCOhouCTlO8I_2kcHpB7AyPbMsPFMBI1uNcljv72uHVLQ72XHc1XVF2HcFmMqqpc7bzeNgAHlG5HUvZUTMUMYjqpmJPN8RhK4VhIa1nQbr4fNyv2K_-u0qvMNshVZ_mc_JIB35SUkdACUBOxD94lICkWpSoHFwJoeVeRYsXrcF34Hfc3du1mi4xRXxKzXpuL11aQzzTCqkyG12PSq9Cw5RtjAOx8s8_2ZK3HmWE7M_LfafCgOgqwy58nKFCnunHsmLa4hvOBvQ");
        assert_eq!(sig.len(), 256);
        assert_eq!(sig[0], 0);
        let key = RsaKey::new(&n, &[1, 0, 1]).unwrap();
        assert!(key.verify(Algorithm::RS256, msg, &sig).is_ok());
        assert!(key.verify(Algorithm::RS256, msg, &sig[1..]).is_err());
        let mut two_zeros = vec![0u8];
        two_zeros.extend_from_slice(&sig);
        assert!(key.verify(Algorithm::RS256, msg, &two_zeros).is_err());
    }

    #[test]
    fn leading_zero_octets_of_n_and_e_are_tolerated() {
        let mut n = vec![0u8, 0];
        n.extend_from_slice(&b64(N));
        let key = RsaKey::new(&n, &[0, 0, 1, 0, 1]).unwrap();
        assert_eq!(key.bits(), 2048);
        assert!(key
            .verify(Algorithm::RS256, SIGNING_INPUT.as_bytes(), &b64(SIG))
            .is_ok());
    }

    #[test]
    fn weak_keys_are_refused() {
        let n = b64(N);
        // 1024-bit modulus.
        assert!(RsaKey::new(&n[..128], &[1, 0, 1]).is_err());
        // 2047 bits: top bit cleared.
        let mut n2047 = n.clone();
        n2047[0] = 0x7f;
        assert!(RsaKey::new(&n2047, &[1, 0, 1]).is_err());
        assert_eq!(rsa_modulus_bits(&n2047), 2047);
        // Exponents: 1, even, 0, empty, too large.
        assert!(RsaKey::new(&n, &[1]).is_err());
        assert!(RsaKey::new(&n, &[2]).is_err());
        assert!(RsaKey::new(&n, &[1, 0, 0]).is_err());
        assert!(RsaKey::new(&n, &[0]).is_err());
        assert!(RsaKey::new(&n, &[]).is_err());
        assert!(RsaKey::new(&n, &[3]).is_ok());
        assert!(RsaKey::new(&n, &[1, 0xff, 0xff, 0xff, 0xff]).is_ok());
        assert!(RsaKey::new(&n, &[2, 0, 0, 0, 1]).is_err());
        assert!(RsaKey::new(&n, &[1, 0, 0, 0, 0, 0, 0, 0, 1]).is_err());
        // Even modulus.
        let mut even = n.clone();
        even[255] &= 0xfe;
        assert!(RsaKey::new(&even, &[1, 0, 1]).is_err());
        // Larger than 8192 bits.
        let mut huge = vec![0xffu8; 1025];
        huge[1024] = 0xfb;
        assert!(RsaKey::new(&huge, &[1, 0, 1]).is_err());
        assert!(RsaKey::new(&[], &[1, 0, 1]).is_err());
    }

    #[test]
    fn roca_moduli_are_refused() {
        // Generated by tests/fixtures/crypto/gen_roca_modulus.py (two ROCA-structured primes).
        let roca = hex("a8a615586405b62147f4e6029c8691fbd911e024aee49e7f8f50325a5280afa4ceb5e004b25987e1f451d136b44c6072df5fce6343936d94788ec0ded3fa5e6edc5764870677342979440ba9378eeb76fb3c0a0743c446000152371a2cc56b4145f24dcfd5e146cbbe8b1e929746b054d1c63ace0b6cdf58670b1ae089fae45e448384a2160c6f5162b6c8d92654de97857eb9569d266f5ed58f50429200841bc75d165fa7a31699bc74fbccf3a14843f3eaf7ababdf70abec5b5cbb87f9e5bf06da68e8a07939553e78ee46e0302819578b77fcd63b79df8e99469fa80c943a4bcad32c6ccdeda8c31dba3e456246cbf5cc4fd864cc86b652a7d61dbca19e19");
        assert_eq!(rsa_modulus_bits(&roca), 2048);
        assert!(has_roca_fingerprint(&roca));
        // Accepted for verification (interoperability); `Jwks::lint` warns about it.
        assert!(RsaKey::new(&roca, &[1, 0, 1]).is_ok());
        assert!(!has_roca_fingerprint(&b64(N)));
        // One residue off: no longer the structure (checks the test is not vacuous).
        let mut changed = roca.clone();
        changed[255] ^= 2;
        assert!(!has_roca_fingerprint(&changed));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn modulus_bits() {
        assert_eq!(rsa_modulus_bits(&[]), 0);
        assert_eq!(rsa_modulus_bits(&[0, 0]), 0);
        assert_eq!(rsa_modulus_bits(&[1]), 1);
        assert_eq!(rsa_modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(rsa_modulus_bits(&[0xff; 256]), 2048);
    }
}
