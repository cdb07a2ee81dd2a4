//! EdDSA / Ed25519 (RFC 8037, RFC 9864) with Ed25519 keys only, on `ed25519-dalek` 3.
//!
//! Verification is strict: the key must be a canonical encoding (RFC 8032 §5.1.3: y < p) of a
//! point not of small order; the signature exactly 64 bytes with S < L (RFC 8032 §5.1.7), R a
//! canonical encoding not of small order, and `[S]B = R + [k]A` checked exactly (no cofactor).
//! This is `verify_strict`, which agrees with every Wycheproof EdDSA vector.

use alloc::string::String;

use ed25519_dalek::{Signature, VerifyingKey};

/// An Ed25519 public key, checked at import.
#[derive(Clone)]
pub(crate) struct Ed25519Key {
    key: VerifyingKey,
}

impl Ed25519Key {
    /// Imports the 32-byte key `x`.
    pub(crate) fn new(x: &[u8]) -> Result<Ed25519Key, String> {
        let bytes: &[u8; 32] = x
            .try_into()
            .map_err(|_| alloc::format!("an Ed25519 key is 32 bytes, not {}", x.len()))?;
        let key = VerifyingKey::from_bytes(bytes)
            .map_err(|_| String::from("the Ed25519 key is not a point on the curve"))?;
        // `from_bytes` follows ZIP-215 and accepts y >= p; RFC 8032 §5.1.3 does not. The
        // canonical encoding of the decoded point is the only one accepted.
        if key.to_edwards().compress().as_bytes() != bytes {
            return Err(String::from("the Ed25519 key is not canonically encoded"));
        }
        if key.is_weak() {
            return Err(String::from("the Ed25519 key is of small order"));
        }
        Ok(Ed25519Key { key })
    }

    /// The checks before any arithmetic (RFC 8032 §5.1.7): 64 bytes, S < L, and R not the
    /// encoding of a point of small order. `verify_strict` checks the same, but a signature
    /// backend (WebCrypto, OpenSSL) may not refuse a small-order R, so they are checked here
    /// once for every backend.
    pub(crate) fn check_encoding(&self, signature: &[u8]) -> Result<(), String> {
        let bytes: &[u8; 64] = signature.try_into().map_err(|_| {
            alloc::format!("an Ed25519 signature is 64 bytes, not {}", signature.len())
        })?;
        let (r, s) = bytes.split_at(32);
        if !scalar_is_canonical(s) {
            return Err(String::from(
                "the Ed25519 signature's S is not below the group order",
            ));
        }
        if SMALL_ORDER_ENCODINGS
            .iter()
            .any(|small| small.as_slice() == r)
        {
            return Err(String::from("the Ed25519 signature's R is of small order"));
        }
        Ok(())
    }

    /// The strict signature arithmetic; see the module documentation.
    pub(crate) fn verify_checked(
        &self,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let bytes: &[u8; 64] = signature.try_into().map_err(|_| does_not_verify())?;
        self.key
            .verify_strict(signing_input, &Signature::from_bytes(bytes))
            .map_err(|_| does_not_verify())
    }
}

impl Ed25519Key {
    /// Encoding checks and arithmetic in one call (the unit tests' shorthand).
    #[cfg(test)]
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), String> {
        self.check_encoding(signature)?;
        self.verify_checked(signing_input, signature)
    }
}

/// Why a well-formed signature was refused (the same words whichever backend refused it).
pub(crate) fn does_not_verify() -> String {
    String::from("well-formed, but not made with this Ed25519 key over this header and payload")
}

/// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Whether the little-endian 32-byte integer `s` is below L (RFC 8032 §5.1.7 step 1).
fn scalar_is_canonical(s: &[u8]) -> bool {
    // Compare from the most significant byte down; equal means S = L, which is refused too.
    for (byte, order) in s.iter().rev().zip(GROUP_ORDER.iter().rev()) {
        if byte != order {
            return byte < order;
        }
    }
    false
}

/// The canonical encodings of the eight points of small order (the 8-torsion subgroup). A
/// non-canonical R never verifies anyway: the recomputed R is always canonically encoded.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    // The identity (order 1).
    hex32(b"0100000000000000000000000000000000000000000000000000000000000000"),
    // Order 2: (0, -1).
    hex32(b"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    // Order 4: (+-sqrt(-1), 0).
    hex32(b"0000000000000000000000000000000000000000000000000000000000000000"),
    hex32(b"0000000000000000000000000000000000000000000000000000000000000080"),
    // Order 8.
    hex32(b"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    hex32(b"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
    hex32(b"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    hex32(b"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
];

/// 64 hex digits -> 32 bytes, at compile time.
const fn hex32(hex: &[u8; 64]) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lower-case hex digit"),
        }
    }
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (digit(hex[2 * i]) << 4) | digit(hex[2 * i + 1]);
        i += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn b64(s: &str) -> Vec<u8> {
        crate::decode::base64url_decode(s.as_bytes()).unwrap()
    }

    // RFC 8037 Appendix A.4.
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const SIGNING_INPUT: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    const SIG: &str =
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    const L: [u8; 32] = GROUP_ORDER;

    fn key() -> Ed25519Key {
        Ed25519Key::new(&b64(X)).unwrap()
    }

    #[test]
    fn rfc8037_a4_verifies() {
        let sig = b64(SIG);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &sig).is_ok());
        assert!(key().verify(b"eyJhbGciOiJFZERTQSJ9.x", &sig).is_err());
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &sig[..63]).is_err());
        let mut longer = sig.clone();
        longer.push(0);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &longer).is_err());
    }

    #[test]
    fn s_plus_l_is_refused() {
        let sig = b64(SIG);
        let mut forged = sig.clone();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
            forged[32 + i] = v as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0, "S + L fits 32 bytes");
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &forged).is_err());
        // S = L exactly.
        let mut s_is_l = sig.clone();
        s_is_l[32..].copy_from_slice(&L);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &s_is_l).is_err());
    }

    #[test]
    fn small_order_keys_are_refused() {
        // The identity (y = 1) and the point of order 2 (y = -1).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(Ed25519Key::new(&identity).is_err());
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        assert!(Ed25519Key::new(&minus_one).is_err());
        // A point of order 8 (a well-known small-order encoding).
        let order8: [u8; 32] = [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ];
        assert!(Ed25519Key::new(&order8).is_err());
        assert!(Ed25519Key::new(&[0u8; 31]).is_err());
        assert!(Ed25519Key::new(&[0u8; 33]).is_err());
    }

    #[test]
    fn non_canonical_key_encodings_are_refused() {
        // y = p + k for small k is a second encoding of y = k. For every k whose canonical
        // encoding is an acceptable key, the non-canonical one must be refused.
        let mut accepted = 0;
        for k in 0u8..19 {
            let mut canonical = [0u8; 32];
            canonical[0] = k;
            // p + k = 2^255 - 19 + k, little-endian.
            let mut non_canonical = [0xffu8; 32];
            non_canonical[0] = 0xed + k;
            non_canonical[31] = 0x7f;
            assert!(Ed25519Key::new(&non_canonical).is_err(), "k = {k}");
            if Ed25519Key::new(&canonical).is_ok() {
                accepted += 1;
            }
        }
        assert!(accepted > 0, "the test exercised a canonical key");
    }

    #[test]
    fn small_order_table_is_the_8_torsion() {
        // Each encoding decodes to a weak (small-order) point, and the eight are distinct.
        for (i, encoding) in SMALL_ORDER_ENCODINGS.iter().enumerate() {
            let point = VerifyingKey::from_bytes(encoding).unwrap();
            assert!(point.is_weak(), "entry {i} is not of small order");
            assert_eq!(
                point.to_edwards().compress().as_bytes(),
                encoding,
                "entry {i}"
            );
            assert!(
                !SMALL_ORDER_ENCODINGS[..i].contains(encoding),
                "entry {i} repeats"
            );
        }
    }

    #[test]
    fn small_order_r_is_refused_before_any_arithmetic() {
        let sig = b64(SIG);
        for encoding in SMALL_ORDER_ENCODINGS {
            let mut forged = sig.clone();
            forged[..32].copy_from_slice(&encoding);
            let why = key().check_encoding(&forged).unwrap_err();
            assert!(why.contains("small order"), "{why}");
        }
        assert!(key().check_encoding(&sig).is_ok());
    }
}
