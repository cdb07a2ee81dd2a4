//! ES256 / ES384 / ES512 (RFC 7518 §3.4): ECDSA on P-256 + SHA-256, P-384 + SHA-384,
//! P-521 + SHA-512, with the JWS signature encoding: raw `R || S`, each exactly the field size.
//! On `p256`/`p384`/`p521` 0.14 (std off: their `std` pulls `getrandom`).

use alloc::format;
use alloc::string::String;

use p256::ecdsa::signature::Verifier as _;

use super::EcCurve;

/// An EC public key, checked to be a point on its curve at import.
#[derive(Clone)]
pub(crate) enum EcKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

/// The largest uncompressed SEC1 point: `0x04 || x || y` on P-521.
const MAX_SEC1_LEN: usize = 1 + 2 * 66;

impl EcKey {
    /// Imports the affine point `(x, y)`: each coordinate exactly the field size (RFC 7518
    /// §6.2.1.2/3: "the full-length ... including leading zero octets"), below the field prime,
    /// and the point on the curve (which also excludes the identity: it has no affine form).
    pub(crate) fn new(crv: EcCurve, x: &[u8], y: &[u8]) -> Result<EcKey, String> {
        let len = crv.field_len();
        if x.len() != len || y.len() != len {
            return Err(format!(
                "{} coordinates must be exactly {len} octets each (x is {}, y is {})",
                crv.name(),
                x.len(),
                y.len()
            ));
        }
        let mut sec1 = [0u8; MAX_SEC1_LEN];
        sec1[0] = 0x04;
        sec1[1..=len].copy_from_slice(x);
        sec1[1 + len..=2 * len].copy_from_slice(y);
        let sec1 = &sec1[..=2 * len];
        let key = match crv {
            EcCurve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map(EcKey::P256),
            EcCurve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map(EcKey::P384),
            EcCurve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).map(EcKey::P521),
        };
        key.map_err(|_| format!("the {} point is not on the curve", crv.name()))
    }

    /// The key's curve.
    pub(crate) fn curve(&self) -> EcCurve {
        match self {
            EcKey::P256(_) => EcCurve::P256,
            EcKey::P384(_) => EcCurve::P384,
            EcKey::P521(_) => EcCurve::P521,
        }
    }

    /// The checks before any arithmetic: `signature` must be raw `R || S` of exactly twice the
    /// field size (so DER is refused), with 0 < r < n and 0 < s < n (r = s = 0 is
    /// CVE-2022-21449's "psychic signature"). High S is valid: JWS does not require low-S
    /// normalisation.
    pub(crate) fn check_encoding(&self, signature: &[u8]) -> Result<(), String> {
        self.parse_signature(signature).map(drop)
    }

    /// The signature arithmetic. The hash is the curve's (ES256 on P-256 with SHA-256, ...),
    /// fixed by the key's curve, which `check_for` bound to `alg`.
    pub(crate) fn verify_checked(
        &self,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let verified = match self.parse_signature(signature)? {
            ParsedSignature::P256(key, sig) => key.verify(signing_input, &sig),
            ParsedSignature::P384(key, sig) => key.verify(signing_input, &sig),
            ParsedSignature::P521(key, sig) => key.verify(signing_input, &sig),
        };
        verified.map_err(|_| does_not_verify(self.curve()))
    }

    /// Encoding checks and arithmetic in one call (the unit tests' shorthand).
    #[cfg(test)]
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<(), String> {
        self.check_encoding(signature)?;
        self.verify_checked(signing_input, signature)
    }

    fn parse_signature(&self, signature: &[u8]) -> Result<ParsedSignature<'_>, String> {
        let curve = self.curve();
        let expected = 2 * curve.field_len();
        if signature.len() != expected {
            return Err(format!(
                "an ECDSA {} signature must be raw R || S of exactly {expected} octets, not {}",
                curve.name(),
                signature.len()
            ));
        }
        // `Signature::from_slice` checks the length and 0 < r, s < n.
        let out_of_range = |_| String::from("ECDSA r and s must be in 1..n-1");
        Ok(match self {
            EcKey::P256(key) => ParsedSignature::P256(
                key,
                p256::ecdsa::Signature::from_slice(signature).map_err(out_of_range)?,
            ),
            EcKey::P384(key) => ParsedSignature::P384(
                key,
                p384::ecdsa::Signature::from_slice(signature).map_err(out_of_range)?,
            ),
            EcKey::P521(key) => ParsedSignature::P521(
                key,
                p521::ecdsa::Signature::from_slice(signature).map_err(out_of_range)?,
            ),
        })
    }
}

/// A key with a signature parsed for its curve.
enum ParsedSignature<'a> {
    P256(&'a p256::ecdsa::VerifyingKey, p256::ecdsa::Signature),
    P384(&'a p384::ecdsa::VerifyingKey, p384::ecdsa::Signature),
    P521(&'a p521::ecdsa::VerifyingKey, p521::ecdsa::Signature),
}

/// Why a well-formed signature was refused (the same words whichever backend refused it).
pub(crate) fn does_not_verify(curve: EcCurve) -> String {
    format!(
        "well-formed, but not made with this {} key over this header and payload",
        curve.name()
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn b64(s: &str) -> Vec<u8> {
        crate::decode::base64url_decode(s.as_bytes()).unwrap()
    }

    // RFC 7515 Appendix A.3 (ES256).
    const X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
    const SIGNING_INPUT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    const SIG: &str =
        "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    // The order n of P-256.
    const N_P256: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    // The field prime p of P-256.
    const P_P256: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    ];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn key() -> EcKey {
        EcKey::new(EcCurve::P256, &b64(X), &b64(Y)).unwrap()
    }

    /// Big-endian `a - b` for equal-length inputs with a >= b.
    fn sub(a: &[u8], b: &[u8]) -> Vec<u8> {
        let mut out = a.to_vec();
        let mut borrow = 0i16;
        for i in (0..a.len()).rev() {
            let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
            borrow = i16::from(d < 0);
            out[i] = d.rem_euclid(256) as u8;
        }
        out
    }

    /// Big-endian `a + b` (mod 2^(8 len)) for equal-length inputs.
    fn add(a: &[u8], b: &[u8]) -> Vec<u8> {
        let mut out = a.to_vec();
        let mut carry = 0u16;
        for i in (0..a.len()).rev() {
            let s = u16::from(a[i]) + u16::from(b[i]) + carry;
            out[i] = s as u8;
            carry = s >> 8;
        }
        out
    }

    #[test]
    fn rfc7515_a3_verifies() {
        let sig = b64(SIG);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &sig).is_ok());
        let mut tampered = sig.clone();
        tampered[10] ^= 0x80;
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &tampered).is_err());
        assert!(key().verify(b"other", &sig).is_err());
    }

    #[test]
    fn psychic_signatures_cve_2022_21449() {
        let zero = [0u8; 64];
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &zero).is_err());
        let sig = b64(SIG);
        let mut r_zero = sig.clone();
        r_zero[..32].fill(0);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &r_zero).is_err());
        let mut s_zero = sig.clone();
        s_zero[32..].fill(0);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &s_zero).is_err());
        // r = s = n (≡ 0 mod n).
        let mut n_n = Vec::new();
        n_n.extend_from_slice(&N_P256);
        n_n.extend_from_slice(&N_P256);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &n_n).is_err());
    }

    #[test]
    fn r_or_s_at_least_n_is_refused() {
        let sig = b64(SIG);
        // r + n and s + n are the same residues, so a verifier reducing mod n would accept them.
        // Both fit 32 octets here only if they stay below 2^256; check and use whichever fits.
        for half in [0usize, 1] {
            let range = half * 32..half * 32 + 32;
            let plus_n = add(&sig[range.clone()], &N_P256);
            let fits = plus_n.as_slice() > &sig[range.clone()][..];
            let mut forged = sig.clone();
            if fits {
                forged[range.clone()].copy_from_slice(&plus_n);
                assert!(key().verify(SIGNING_INPUT.as_bytes(), &forged).is_err());
            }
            forged[range.clone()].copy_from_slice(&N_P256);
            assert!(key().verify(SIGNING_INPUT.as_bytes(), &forged).is_err());
            forged[range].fill(0xff);
            assert!(key().verify(SIGNING_INPUT.as_bytes(), &forged).is_err());
        }
    }

    #[test]
    fn high_s_is_valid() {
        // (r, n - s) is the other valid signature for the same message.
        let sig = b64(SIG);
        let mut high = sig.clone();
        high[32..].copy_from_slice(&sub(&N_P256, &sig[32..]));
        assert_ne!(high, sig);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &high).is_ok());
    }

    #[test]
    fn der_and_wrong_lengths_are_refused() {
        let sig = b64(SIG);
        // DER: SEQUENCE { INTEGER r, INTEGER s }, with 0x00 prefixes where the top bit is set.
        let mut der = Vec::new();
        let push_int = |out: &mut Vec<u8>, v: &[u8]| {
            out.push(0x02);
            if v[0] & 0x80 != 0 {
                out.push(33);
                out.push(0);
            } else {
                out.push(32);
            }
            out.extend_from_slice(v);
        };
        let mut body = Vec::new();
        push_int(&mut body, &sig[..32]);
        push_int(&mut body, &sig[32..]);
        der.push(0x30);
        der.push(body.len() as u8);
        der.extend_from_slice(&body);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &der).is_err());
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &sig[..63]).is_err());
        let mut longer = sig.clone();
        longer.push(0);
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &longer).is_err());
        assert!(key().verify(SIGNING_INPUT.as_bytes(), &[]).is_err());
    }

    #[test]
    fn points_off_the_curve_or_badly_sized_are_refused() {
        let x = b64(X);
        let mut y = b64(Y);
        y[31] ^= 1;
        assert!(EcKey::new(EcCurve::P256, &x, &y).is_err());
        // Coordinates not exactly 32 octets: leading zero added, one dropped.
        let mut x33 = alloc::vec![0u8];
        x33.extend_from_slice(&x);
        assert!(EcKey::new(EcCurve::P256, &x33, &b64(Y)).is_err());
        assert!(EcKey::new(EcCurve::P256, &x[1..], &b64(Y)).is_err());
        // The right point on the wrong curve (wrong sizes there).
        assert!(EcKey::new(EcCurve::P384, &x, &b64(Y)).is_err());
        // x >= p is not a field element, even where x - p would be: (5, y) is on P-256, and
        // (5 + p, y) fits 32 octets but must be refused.
        let y5 = hex("459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc");
        let mut x5 = [0u8; 32];
        x5[31] = 5;
        assert!(EcKey::new(EcCurve::P256, &x5, &y5).is_ok());
        let x5_plus_p = hex("ffffffff00000001000000000000000000000001000000000000000000000004");
        assert_eq!(x5_plus_p, add(&P_P256, &x5));
        assert!(EcKey::new(EcCurve::P256, &x5_plus_p, &y5).is_err());
        assert!(EcKey::new(EcCurve::P256, &P_P256, &b64(Y)).is_err());
        assert!(EcKey::new(EcCurve::P256, &[0u8; 32], &[0u8; 32]).is_err());
    }
}
