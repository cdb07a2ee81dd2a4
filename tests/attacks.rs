//! The attack suite: one test or more per rule of the verification contract (issue 2, rules 1-6;
//! the claim rules 7 are in `tests/claims.rs`). Every test asserts an error code, never a message.
//! Keys are the TEST ONLY fixtures of `tests/fixtures/keys/`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::*;
use jwtward::alg::hazmat::verify_deferred;
use jwtward::{decode, Algorithm, CheckStatus, ConfigError, ErrorCode, Policy, Verifier};
use serde_json::{json, Value};

use ErrorCode::*;

const EVERY_ALG: [Algorithm; 14] = Algorithm::ALL;

// =============================================================================================
// Round trips: every algorithm verifies with its own key (so that every rejection below is a
// real rejection, not a broken signer).

#[test]
fn every_algorithm_round_trips() {
    let verifier = verifier(Policy::new());
    for alg in EVERY_ALG {
        let token = standard_token(alg, &claims());
        let verified = assert_valid(&verifier, &token, NOW);
        assert_eq!(verified.algorithm(), alg, "{alg}");
        assert_eq!(
            verified.kid(),
            Some(standard_key(alg).1),
            "{alg}: kid of the key that verified"
        );
        assert_eq!(verified.header().alg(), alg.name());
        assert_eq!(verified.claims().sub(), Some("client-42"));
    }
}

#[test]
fn every_algorithm_round_trips_when_it_is_the_only_one_allowed() {
    for alg in EVERY_ALG {
        let verifier = verifier(Policy::new().algorithms([alg]));
        assert_valid(&verifier, &standard_token(alg, &claims()), NOW);
    }
}

// =============================================================================================
// Rule 1: size and structure.

#[test]
fn segment_count_must_be_three() {
    let verifier = verifier(Policy::new());
    let token = hs256(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let cases = [
        String::new(),
        parts[0].to_string(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
        format!("{token}."),
        format!(".{token}"),
        format!("{}.{}.{}..", parts[0], parts[1], parts[2]),
        format!(
            "{}.{}.{}.{}.{}",
            parts[0], parts[1], parts[2], parts[1], parts[2]
        ),
        "..".to_string(),
        "...".to_string(),
    ];
    for case in cases {
        assert_code(&verifier, &case, NOW, Malformed);
    }
}

/// The JWE compact form (five segments) is not a JWS.
#[test]
fn five_segment_jwe_is_malformed() {
    let verifier = verifier(Policy::new());
    let jwe = format!(
        "{}.{}.{}.{}.{}",
        b64(br#"{"alg":"dir","enc":"A128GCM"}"#),
        "",
        b64([1; 12]),
        b64([2; 16]),
        b64([3; 16])
    );
    assert_code(&verifier, &jwe, NOW, Malformed);
}

#[test]
fn empty_signature_is_malformed() {
    let verifier = verifier(Policy::new());
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        let token = standard_token(alg, &claims());
        assert_code(&verifier, &replace_segment(&token, 2, ""), NOW, Malformed);
    }
}

#[test]
fn empty_header_segment_is_malformed() {
    let verifier = verifier(Policy::new());
    let token = hs256(&claims());
    assert_code(&verifier, &replace_segment(&token, 0, ""), NOW, Malformed);
}

/// Characters outside `A-Z a-z 0-9 - _` in any segment: `malformed`, even when a lenient decoder
/// would have produced the very octets that were signed.
#[test]
fn base64url_alphabet_is_strict() {
    let verifier = verifier(Policy::new());
    let token = hs256(&claims());
    for index in 0..3 {
        let segment = token.split('.').nth(index).expect("segment").to_string();
        let variants = [
            format!("{segment}="),
            format!("{segment}=="),
            format!(" {segment}"),
            format!("{segment} "),
            format!("{segment}\n"),
            format!("{}\t{}", &segment[..4], &segment[4..]),
            format!("{}\r\n{}", &segment[..4], &segment[4..]),
            format!("{}%{}", &segment[..4], &segment[4..]),
            format!("{}!{}", &segment[..4], &segment[4..]),
            format!("{}\u{0}{}", &segment[..4], &segment[4..]),
            format!("{}é{}", &segment[..4], &segment[4..]),
        ];
        for variant in variants {
            assert_code(
                &verifier,
                &replace_segment(&token, index, &variant),
                NOW,
                Malformed,
            );
        }
    }
}

/// Standard base64 (`+` and `/`) instead of base64url, in each segment, encoding the same octets.
#[test]
fn standard_base64_alphabet_is_malformed() {
    let verifier = verifier(Policy::new());
    // Find claims whose payload encoding contains `-` or `_`, and a signature containing one.
    for n in 0..2000 {
        let claims = claims_with(json!({ "n": n, "note": "~~~???>>>" }));
        let token = hs256(&claims);
        let parts: Vec<&str> = token.split('.').collect();
        let (payload, signature) = (parts[1], parts[2]);
        if (payload.contains('-') || payload.contains('_'))
            && (signature.contains('-') || signature.contains('_'))
        {
            let to_std = |s: &str| s.replace('-', "+").replace('_', "/");
            assert_code(
                &verifier,
                &replace_segment(&token, 1, &to_std(payload)),
                NOW,
                Malformed,
            );
            assert_code(
                &verifier,
                &replace_segment(&token, 2, &to_std(signature)),
                NOW,
                Malformed,
            );
            // And with standard padding added too.
            let padded = format!(
                "{}{}",
                to_std(signature),
                "=".repeat((4 - signature.len() % 4) % 4)
            );
            assert_code(
                &verifier,
                &replace_segment(&token, 2, &padded),
                NOW,
                Malformed,
            );
            return;
        }
    }
    panic!("no token with '-' or '_' found");
}

/// A segment whose length mod 4 is 1 cannot be base64url.
#[test]
fn base64url_length_mod_4_equal_1_is_malformed() {
    let verifier = verifier(Policy::new());
    let token = hs256(&claims());
    for index in 0..3 {
        let segment = token.split('.').nth(index).expect("segment");
        let mut variant = segment.to_string();
        while variant.len() % 4 != 1 {
            variant.push('A');
        }
        assert_code(
            &verifier,
            &replace_segment(&token, index, &variant),
            NOW,
            Malformed,
        );
    }
}

/// Non-zero unused bits in the last character: a lenient decoder yields the same octets (so the
/// signature would verify); strict base64url (RFC 7515 §2, RFC 4648 §3.5) refuses it.
#[test]
fn base64url_nonzero_unused_bits_are_malformed() {
    let verifier = verifier(Policy::new());
    let token = hs256(&claims());
    let mut tested = 0;
    for index in 0..3 {
        let segment = token.split('.').nth(index).expect("segment");
        let unused_bits = match segment.len() % 4 {
            2 => 4,
            3 => 2,
            _ => continue,
        };
        let last = segment.as_bytes()[segment.len() - 1];
        let value = b64_value(last);
        assert_eq!(
            value & ((1 << unused_bits) - 1),
            0,
            "canonical encoding has zero unused bits"
        );
        let sloppy = value | 1;
        let variant = format!("{}{}", &segment[..segment.len() - 1], b64_char(sloppy));
        assert_code(
            &verifier,
            &replace_segment(&token, index, &variant),
            NOW,
            Malformed,
        );
        tested += 1;
    }
    // HS256's 32-octet tag is 43 characters (2 unused bits), so at least the signature is tested.
    assert!(tested >= 1);
    // Force the header and payload to have unused bits too.
    let header = br#"{"alg":"HS256","kid":"hs256"}"#; // 29 octets: 39 chars, 2 unused bits
    let payload = br#"{"sub":"client-42","exp":1750000600}"#;
    let token = hs256_raw(header, payload);
    for index in 0..2 {
        let segment = token.split('.').nth(index).expect("segment");
        if segment.len() % 4 == 0 {
            continue;
        }
        let last = segment.as_bytes()[segment.len() - 1];
        let variant = format!(
            "{}{}",
            &segment[..segment.len() - 1],
            b64_char(b64_value(last) | 1)
        );
        assert_code(
            &verifier,
            &replace_segment(&token, index, &variant),
            NOW,
            Malformed,
        );
    }
}

fn b64_value(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        other => panic!("not base64url: {other}"),
    }
}

fn b64_char(value: u8) -> char {
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[value as usize] as char
}

/// A 1 MiB token is refused as `too_large`, quickly (before any decoding or crypto work).
#[test]
fn one_mib_token_is_too_large_and_fast() {
    let verifier = verifier(Policy::new());
    let filler = "A".repeat(1024 * 1024);
    let token = hs256(&claims_with(json!({ "filler": filler })));
    assert!(token.len() > 1024 * 1024);
    let start = Instant::now();
    for _ in 0..10 {
        assert_code(&verifier, &token, NOW, TooLarge);
    }
    // A `.`-free megabyte too (no structure at all).
    let blob = "A".repeat(1024 * 1024);
    assert_code(&verifier, &blob, NOW, TooLarge);
    let elapsed = start.elapsed();
    assert!(
        elapsed < Duration::from_secs(1),
        "11 rejections of 1 MiB took {elapsed:?}"
    );
    // decode() has the same default limit.
    assert_eq!(decode(&token).err().map(|e| e.code()), Some(TooLarge));
}

/// `max_token_len` is an exact bound: a token of exactly that many bytes passes, one more fails.
#[test]
fn max_token_len_boundary() {
    let token = hs256(&claims());
    let exact = verifier(Policy::new().max_token_len(token.len()));
    assert_valid(&exact, &token, NOW);
    let one_less = verifier(Policy::new().max_token_len(token.len() - 1));
    assert_code(&one_less, &token, NOW, TooLarge);
}

/// The default limit is 64 KiB: a token just under it verifies, just over it is `too_large`.
#[test]
fn default_max_token_len_is_64_kib() {
    let verifier = verifier(Policy::new());
    let base = hs256(&claims_with(json!({ "filler": "" })));
    // Each filler character adds 4/3 base64url characters; aim just under and just over.
    let fits = (65_536 - base.len()) * 3 / 4 - 4;
    let small = hs256(&claims_with(json!({ "filler": "x".repeat(fits) })));
    assert!(
        small.len() <= 65_536 && small.len() > 65_000,
        "{}",
        small.len()
    );
    assert_valid(&verifier, &small, NOW);
    let big = hs256(&claims_with(json!({ "filler": "x".repeat(fits + 16) })));
    assert!(big.len() > 65_536, "{}", big.len());
    assert_code(&verifier, &big, NOW, TooLarge);
}

/// JSON nested 64 levels deep (the outer object counts as one) is fine; 65 is `too_large`, in the
/// payload and in the header. Very deep nesting neither overflows the stack nor is `malformed`.
#[test]
fn json_depth_limit_is_64() {
    let verifier = verifier(Policy::new());
    // {"deep": [[...]]}: the object is level 1, each array one more.
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth - 1), "]".repeat(depth - 1));
    let payload = |depth: usize| {
        let mut claims = claims().to_string();
        claims.pop();
        format!("{claims},\"deep\":{}}}", nested(depth))
    };
    assert_valid(
        &verifier,
        &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, payload(64).as_bytes()),
        NOW,
    );
    assert_code(
        &verifier,
        &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, payload(65).as_bytes()),
        NOW,
        TooLarge,
    );
    assert_code(
        &verifier,
        &hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            payload(5000).as_bytes(),
        ),
        NOW,
        TooLarge,
    );
    // Objects nest the same way as arrays.
    let objects = |depth: usize| {
        let mut claims = claims().to_string();
        claims.pop();
        format!(
            "{claims},\"deep\":{}{}}}",
            "{\"a\":".repeat(depth - 2) + "{}",
            "}".repeat(depth - 2)
        )
    };
    assert_valid(
        &verifier,
        &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, objects(64).as_bytes()),
        NOW,
    );
    assert_code(
        &verifier,
        &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, objects(65).as_bytes()),
        NOW,
        TooLarge,
    );
    // In the header.
    let header = |depth: usize| {
        format!(
            "{{\"alg\":\"HS256\",\"kid\":\"hs256\",\"x\":{}}}",
            nested(depth)
        )
    };
    assert_valid(
        &verifier,
        &hs256_raw(header(64).as_bytes(), claims().to_string().as_bytes()),
        NOW,
    );
    assert_code(
        &verifier,
        &hs256_raw(header(65).as_bytes(), claims().to_string().as_bytes()),
        NOW,
        TooLarge,
    );
}

// =============================================================================================
// Rule 2: the header.

#[test]
fn header_must_be_a_json_object() {
    let verifier = verifier(Policy::new());
    let payload = claims().to_string();
    for header in [
        &b"[]"[..],
        b"\"HS256\"",
        b"null",
        b"1",
        b"",
        b"{",
        b"{\"alg\":\"HS256\",}",
        b"{'alg':'HS256'}",
        b"{\"alg\":\"HS\xff256\"}",
        b"\xc3\x28",
    ] {
        assert_code(
            &verifier,
            &hs256_raw(header, payload.as_bytes()),
            NOW,
            Malformed,
        );
    }
}

#[test]
fn duplicate_header_member_names_are_malformed() {
    let verifier = verifier(Policy::new());
    let payload = claims().to_string();
    for header in [
        r#"{"alg":"HS256","kid":"hs256","alg":"HS256"}"#,
        r#"{"alg":"none","kid":"hs256","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"other","kid":"hs256"}"#,
        r#"{"alg":"HS256","kid":"hs256","typ":"JWT","typ":"at+jwt"}"#,
        // The same name spelled with an escape is still the same name.
        r#"{"alg":"HS256","kid":"hs256","\u0061lg":"HS256"}"#,
    ] {
        assert_code(
            &verifier,
            &hs256_raw(header.as_bytes(), payload.as_bytes()),
            NOW,
            Malformed,
        );
    }
}

#[test]
fn bom_before_header_or_payload_is_malformed() {
    let verifier = verifier(Policy::new());
    let header = br#"{"alg":"HS256","kid":"hs256"}"#;
    let payload = claims().to_string();
    let with_bom = |bytes: &[u8]| [&b"\xEF\xBB\xBF"[..], bytes].concat();
    assert_code(
        &verifier,
        &hs256_raw(&with_bom(header), payload.as_bytes()),
        NOW,
        Malformed,
    );
    assert_code(
        &verifier,
        &hs256_raw(header, &with_bom(payload.as_bytes())),
        NOW,
        Malformed,
    );
    // Sanity: without the BOM it verifies.
    assert_valid(&verifier, &hs256_raw(header, payload.as_bytes()), NOW);
}

#[test]
fn trailing_data_after_json_is_malformed() {
    let verifier = verifier(Policy::new());
    let header = r#"{"alg":"HS256","kid":"hs256"}"#;
    let payload = claims().to_string();
    for trailer in ["x", "{}", ",", "\u{0}", "}", "]", "null", "/* */"] {
        let bad_header = format!("{header}{trailer}");
        assert_code(
            &verifier,
            &hs256_raw(bad_header.as_bytes(), payload.as_bytes()),
            NOW,
            Malformed,
        );
        let bad_payload = format!("{payload}{trailer}");
        assert_code(
            &verifier,
            &hs256_raw(header.as_bytes(), bad_payload.as_bytes()),
            NOW,
            Malformed,
        );
    }
    // Insignificant whitespace (RFC 8259 §2) around the object is not trailing data.
    let spaced_header = format!(" \r\n\t{header} \n");
    assert_valid(
        &verifier,
        &hs256_raw(spaced_header.as_bytes(), payload.as_bytes()),
        NOW,
    );
}

#[test]
fn alg_must_be_a_non_empty_string() {
    let verifier = verifier(Policy::new());
    let claims = claims();
    for header in [
        json!({"kid": "hs256"}),
        json!({"alg": "", "kid": "hs256"}),
        json!({"alg": null, "kid": "hs256"}),
        json!({"alg": 256, "kid": "hs256"}),
        json!({"alg": true, "kid": "hs256"}),
        json!({"alg": ["HS256"], "kid": "hs256"}),
        json!({"alg": {"name": "HS256"}, "kid": "hs256"}),
    ] {
        assert_code(
            &verifier,
            &hs256_with_header(&header, &claims),
            NOW,
            Malformed,
        );
    }
}

#[test]
fn kid_must_be_a_string() {
    let verifier = verifier(Policy::new());
    let claims = claims();
    for kid in [
        json!(null),
        json!(42),
        json!(["hs256"]),
        json!({"id": "hs256"}),
        json!(true),
    ] {
        let header = json!({"alg": "HS256", "kid": kid});
        assert_code(
            &verifier,
            &hs256_with_header(&header, &claims),
            NOW,
            Malformed,
        );
    }
}

#[test]
fn unknown_header_members_are_ignored() {
    let verifier = verifier(Policy::new());
    let header = json!({"alg": "HS256", "kid": "hs256", "x-vendor": {"nested": [1, 2, {"a": null}]}, "cty": "JWT", "x5t": "abc"});
    assert_valid(&verifier, &hs256_with_header(&header, &claims()), NOW);
}

/// Any well-formed `crit` is `unsupported_crit` (no extension is supported), RFC 7797 `b64`
/// included, whatever the signature.
#[test]
fn crit_is_unsupported() {
    let verifier = verifier(Policy::new());
    let claims = claims();
    for header in [
        json!({"alg": "HS256", "kid": "hs256", "b64": false, "crit": ["b64"]}),
        json!({"alg": "HS256", "kid": "hs256", "b64": true, "crit": ["b64"]}),
        json!({"alg": "HS256", "kid": "hs256", "exp": 1, "crit": ["exp"]}),
        json!({"alg": "HS256", "kid": "hs256", "http://example.invalid/ext": 1, "crit": ["http://example.invalid/ext"]}),
        json!({"alg": "HS256", "kid": "hs256", "a": 1, "b": 2, "crit": ["a", "b"]}),
    ] {
        let token = hs256_with_header(&header, &claims);
        assert_code(&verifier, &token, NOW, UnsupportedCrit);
        // Not a signature matter: a broken signature does not change the verdict.
        let mut signature = signature_of(&token);
        signature[0] ^= 0x80;
        assert_code(
            &verifier,
            &with_signature(&token, &signature),
            NOW,
            UnsupportedCrit,
        );
    }
}

/// An ill-formed `crit` (RFC 7515 §4.1.11: a non-empty array of distinct strings naming extension
/// members present in the header) is `malformed`.
#[test]
fn ill_formed_crit_is_malformed() {
    let verifier = verifier(Policy::new());
    let claims = claims();
    for header in [
        json!({"alg": "HS256", "kid": "hs256", "b64": false, "crit": "b64"}),
        json!({"alg": "HS256", "kid": "hs256", "crit": []}),
        json!({"alg": "HS256", "kid": "hs256", "crit": null}),
        json!({"alg": "HS256", "kid": "hs256", "crit": [1]}),
        json!({"alg": "HS256", "kid": "hs256", "crit": {"b64": true}}),
        json!({"alg": "HS256", "kid": "hs256", "crit": true}),
        json!({"alg": "HS256", "kid": "hs256", "b64": false, "crit": ["b64", "b64"]}),
        // Names defined by RFC 7515 itself may not be listed.
        json!({"alg": "HS256", "kid": "hs256", "crit": ["alg"]}),
        json!({"alg": "HS256", "kid": "hs256", "crit": ["kid"]}),
        // A listed extension must be present in the header.
        json!({"alg": "HS256", "kid": "hs256", "crit": ["b64"]}),
    ] {
        assert_code(
            &verifier,
            &hs256_with_header(&header, &claims),
            NOW,
            Malformed,
        );
    }
}

// =============================================================================================
// Rule 3: the algorithm.

/// `none` in any spelling is `unsupported_alg`: with an empty signature, with a "signature", and
/// even when the policy lists every algorithm.
#[test]
fn none_in_every_spelling_is_unsupported() {
    let open = verifier(Policy::new());
    let all_listed = verifier(Policy::new().algorithms(EVERY_ALG));
    for spelling in ["none", "None", "NONE", "nOnE", "NoNe", "nONE"] {
        for kid in [None, Some("hs256")] {
            let header = b64(header(spelling, kid).to_string());
            let payload = b64(claims().to_string());
            let input = format!("{header}.{payload}");
            let unsigned = format!("{input}.");
            let hmac_signed = format!(
                "{input}.{}",
                b64(hmac_tag(Algorithm::HS256, HS256_SECRET, input.as_bytes()))
            );
            let junk_signed = format!("{input}.{}", b64(b"signature"));
            for verifier in [&open, &all_listed] {
                assert_code(verifier, &unsigned, NOW, UnsupportedAlg);
                assert_code(verifier, &hmac_signed, NOW, UnsupportedAlg);
                assert_code(verifier, &junk_signed, NOW, UnsupportedAlg);
            }
        }
    }
}

/// Names are case-sensitive (RFC 7515 §4.1.1) and exact: anything else is `unsupported_alg`.
#[test]
fn unknown_algorithm_names_are_unsupported() {
    let verifier = verifier(Policy::new().algorithms(EVERY_ALG));
    for name in [
        "hs256",
        "Hs256",
        "HS256 ",
        " HS256",
        "HS256\u{0}",
        "rs256",
        "es256",
        "eddsa",
        "EDDSA",
        "ed25519",
        "ED25519",
        "HS1",
        "HS128",
        "RS1",
        "RS128",
        "ES256K",
        "ES224",
        "PS1",
        "Ed448",
        "EdDSA448",
        "dir",
        "RSA-OAEP",
        "A128KW",
        "HMAC",
        "SHA256",
        "ＨＳ２５６",
    ] {
        let token = hs256_with_header(&header(name, Some("hs256")), &claims());
        assert_code(&verifier, &token, NOW, UnsupportedAlg);
    }
}

/// A supported algorithm the policy does not list: `alg_not_allowed`, even when signed right.
#[test]
fn algorithm_outside_the_allow_list_is_not_allowed() {
    let cases = [
        (vec![Algorithm::RS256], Algorithm::HS256),
        (vec![Algorithm::RS256], Algorithm::PS256),
        (vec![Algorithm::RS256, Algorithm::ES256], Algorithm::ES384),
        (vec![Algorithm::HS256], Algorithm::HS512),
        (vec![Algorithm::ES256], Algorithm::EdDSA),
        (vec![Algorithm::EdDSA], Algorithm::Ed25519),
        (vec![Algorithm::Ed25519], Algorithm::EdDSA),
        (vec![Algorithm::PS512], Algorithm::RS512),
    ];
    for (allowed, alg) in cases {
        let verifier = verifier(Policy::new().algorithms(allowed.clone()));
        assert_code(
            &verifier,
            &standard_token(alg, &claims()),
            NOW,
            AlgNotAllowed,
        );
        for allowed_alg in allowed {
            assert_valid(&verifier, &standard_token(allowed_alg, &claims()), NOW);
        }
    }
}

/// An explicitly empty allow-list is a configuration error (issue 11 §2): a computed list that
/// came out empty must never widen to every algorithm. Not calling `algorithms` at all is how to
/// allow every supported algorithm (each still bound to its key type).
#[test]
fn empty_allow_list_is_a_config_error() {
    let refused = |policy: Policy| match Verifier::new(jwks(&standard_jwks_json()), policy) {
        Err(ConfigError::InvalidPolicy { field, .. }) => assert_eq!(field, "algorithms"),
        Err(other) => panic!("expected InvalidPolicy on algorithms, got {other}"),
        Ok(_) => panic!("an empty algorithm list was accepted"),
    };
    refused(Policy::new().algorithms(Vec::<Algorithm>::new()));
    refused(Policy::new().algorithms([]));
    refused(Policy::new().algorithm_names(Vec::<String>::new()));
    refused(Policy::new().algorithm_names::<&str>([]).algorithms([]));
    // A later non-empty call fills it.
    let filled = verifier(Policy::new().algorithms([]).algorithms([Algorithm::HS256]));
    assert_valid(&filled, &standard_token(Algorithm::HS256, &claims()), NOW);
    assert_code(
        &filled,
        &standard_token(Algorithm::ES256, &claims()),
        NOW,
        AlgNotAllowed,
    );
    // A list of only unknown names stays accepted and allows nothing (fails closed).
    let nothing = verifier(Policy::new().algorithm_names(["none", "HS1"]));
    assert_code(
        &nothing,
        &standard_token(Algorithm::HS256, &claims()),
        NOW,
        AlgNotAllowed,
    );
    // No call: every supported algorithm.
    let every = verifier(Policy::new());
    for alg in EVERY_ALG {
        assert_valid(&every, &standard_token(alg, &claims()), NOW);
    }
}

// =============================================================================================
// Rule 4: key selection, algorithm confusion, embedded keys, kid injection.

/// The classic confusion: HS256 "signed" with the bytes of the RSA public key the verifier
/// trusts (PEM, PEM without its last newline, DER, the JWK JSON, the raw modulus). The JWK Set
/// holds only that RSA key, so no key can serve HS256: with its kid `key_mismatch`, without a kid
/// `key_not_found`. Never valid, whatever the policy allows.
#[test]
fn hs256_keyed_with_the_rsa_public_key_is_refused() {
    let rsa_only = json!({ "keys": [public_jwk("rsa-a", Some("rsa-a"))] });
    let rsa_only_with_alg = json!({ "keys": [with(public_jwk("rsa-a", Some("rsa-a")), json!({"alg": "RS256", "use": "sig"}))] });
    let pem = rsa_spki_pem("rsa-a");
    let jwk_json = public_jwk("rsa-a", Some("rsa-a")).to_string();
    let n = unb64(public_jwk("rsa-a", None)["n"].as_str().expect("n"));
    let secrets: Vec<Vec<u8>> = vec![
        pem.as_bytes().to_vec(),
        pem.trim_end().as_bytes().to_vec(),
        pem.replace('\n', "\r\n").into_bytes(),
        rsa_spki_der("rsa-a"),
        jwk_json.into_bytes(),
        n,
    ];
    for set in [&rsa_only, &rsa_only_with_alg] {
        for policy in [
            Policy::new(),
            Policy::new().algorithms([
                Algorithm::HS256,
                Algorithm::HS384,
                Algorithm::HS512,
                Algorithm::RS256,
            ]),
        ] {
            let verifier = verifier_with(set, policy);
            for secret in &secrets {
                for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                    let with_kid = compact(
                        header(alg.name(), Some("rsa-a")).to_string().as_bytes(),
                        claims().to_string().as_bytes(),
                        alg,
                        &SignKey::Hmac(secret.clone()),
                    );
                    assert_code(&verifier, &with_kid, NOW, KeyMismatch);
                    let without_kid = compact(
                        header(alg.name(), None).to_string().as_bytes(),
                        claims().to_string().as_bytes(),
                        alg,
                        &SignKey::Hmac(secret.clone()),
                    );
                    assert_code(&verifier, &without_kid, NOW, KeyNotFound);
                }
            }
        }
    }
}

/// The same confusion when the set also holds a genuine HMAC secret: naming the RSA kid is
/// `key_mismatch`; naming no kid picks the one oct key, whose secret the attacker does not have:
/// `bad_signature`; naming the oct key's kid: `bad_signature`.
#[test]
fn hs256_keyed_with_the_rsa_public_key_beside_a_real_secret() {
    let set = json!({ "keys": [public_jwk("rsa-a", Some("rsa-a")), oct_jwk(HS256_SECRET, Some("hs256"))] });
    let verifier = verifier_with(&set, Policy::new());
    let pem = SignKey::Hmac(rsa_spki_pem("rsa-a").as_bytes().to_vec());
    let forge = |kid: Option<&str>| jwt(&header("HS256", kid), &claims(), Algorithm::HS256, &pem);
    assert_code(&verifier, &forge(Some("rsa-a")), NOW, KeyMismatch);
    assert_code(&verifier, &forge(None), NOW, BadSignature);
    assert_code(&verifier, &forge(Some("hs256")), NOW, BadSignature);
    // The genuine secret still works: the set itself is usable.
    assert_valid(&verifier, &hs256(&claims()), NOW);
}

/// EC and OKP public keys are never HMAC secrets either.
#[test]
fn hs256_keyed_with_ec_or_okp_public_keys_is_refused() {
    for (name, kid) in [("ec-p256", "ec-p256"), ("ed25519", "ed25519")] {
        let jwk = public_jwk(name, Some(kid));
        let set = json!({ "keys": [jwk.clone()] });
        let verifier = verifier_with(&set, Policy::new());
        let x = unb64(jwk["x"].as_str().expect("x"));
        for secret in [jwk.to_string().into_bytes(), x] {
            let key = SignKey::Hmac(secret);
            assert_code(
                &verifier,
                &jwt(
                    &header("HS256", Some(kid)),
                    &claims(),
                    Algorithm::HS256,
                    &key,
                ),
                NOW,
                KeyMismatch,
            );
            assert_code(
                &verifier,
                &jwt(&header("HS256", None), &claims(), Algorithm::HS256, &key),
                NOW,
                KeyNotFound,
            );
        }
    }
}

/// A header algorithm naming one key type with the kid of a key of another type: `key_mismatch`
/// (and the signature is never checked with the wrong primitive).
#[test]
fn cross_key_type_with_kid_is_key_mismatch() {
    let verifier = verifier(Policy::new());
    let cases: [(Algorithm, &str, &str); 10] = [
        (Algorithm::ES256, "rsa-a", "ec-p256"),
        (Algorithm::RS256, "ec-p256", "rsa-a"),
        (Algorithm::PS256, "ed25519", "rsa-a"),
        (Algorithm::EdDSA, "ec-p256", "ed25519"),
        (Algorithm::Ed25519, "rsa-a", "ed25519"),
        (Algorithm::HS256, "ed25519", "hs256"),
        (Algorithm::ES256, "ec-p384", "ec-p256"),
        (Algorithm::ES384, "ec-p521", "ec-p384"),
        (Algorithm::ES512, "ec-p256", "ec-p521"),
        (Algorithm::RS256, "hs256", "rsa-a"),
    ];
    for (alg, wrong_kid, signing_key) in cases {
        let token = jwt(
            &header(alg.name(), Some(wrong_kid)),
            &claims(),
            alg,
            &key(signing_key),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
    }
}

/// Without a kid, a key of another type is simply not a candidate: `key_not_found`.
#[test]
fn cross_key_type_without_kid_is_key_not_found() {
    let cases: [(Algorithm, &str, Value); 5] = [
        (
            Algorithm::ES256,
            "ec-p256",
            json!({"keys": [public_jwk("rsa-a", None)]}),
        ),
        (
            Algorithm::RS256,
            "rsa-a",
            json!({"keys": [public_jwk("ec-p256", None)]}),
        ),
        (
            Algorithm::EdDSA,
            "ed25519",
            json!({"keys": [public_jwk("ec-p256", None)]}),
        ),
        (
            Algorithm::ES256,
            "ec-p256",
            json!({"keys": [public_jwk("ec-p384", None), public_jwk("ec-p521", None)]}),
        ),
        (
            Algorithm::HS256,
            "hs256",
            json!({"keys": [public_jwk("rsa-a", None), public_jwk("ed25519", None)]}),
        ),
    ];
    for (alg, signing_key, set) in cases {
        let verifier = verifier_with(&set, Policy::new());
        let token = jwt(&header(alg.name(), None), &claims(), alg, &key(signing_key));
        assert_code(&verifier, &token, NOW, KeyNotFound);
    }
}

/// No kid and exactly one fitting key: that key is used, whatever other types the set holds.
#[test]
fn no_kid_single_fitting_key_is_used() {
    let set = json!({ "keys": [
        public_jwk("rsa-a", Some("rsa-a")),
        public_jwk("ec-p256", Some("ec-p256")),
        public_jwk("ed25519", Some("ed25519")),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    for (alg, name, kid) in [
        (Algorithm::RS256, "rsa-a", "rsa-a"),
        (Algorithm::PS384, "rsa-a", "rsa-a"),
        (Algorithm::ES256, "ec-p256", "ec-p256"),
        (Algorithm::EdDSA, "ed25519", "ed25519"),
    ] {
        let token = jwt(&header(alg.name(), None), &claims(), alg, &key(name));
        let verified = assert_valid(&verifier, &token, NOW);
        assert_eq!(
            verified.kid(),
            Some(kid),
            "the kid of the JWK that verified it"
        );
    }
}

/// No kid and several fitting keys: ambiguous, `key_not_found` (even though one would verify).
#[test]
fn no_kid_several_fitting_keys_is_key_not_found() {
    let set =
        json!({ "keys": [public_jwk("rsa-a", Some("rsa-a")), public_jwk("rsa-b", Some("rsa-b"))] });
    let verifier = verifier_with(&set, Policy::new());
    assert_code(
        &verifier,
        &jwt(
            &header("RS256", None),
            &claims(),
            Algorithm::RS256,
            &key("rsa-a"),
        ),
        NOW,
        KeyNotFound,
    );
    // With the kid it is unambiguous.
    assert_valid(
        &verifier,
        &jwt(
            &header("RS256", Some("rsa-a")),
            &claims(),
            Algorithm::RS256,
            &key("rsa-a"),
        ),
        NOW,
    );
    assert_valid(
        &verifier,
        &jwt(
            &header("RS256", Some("rsa-b")),
            &claims(),
            Algorithm::RS256,
            &key("rsa-b"),
        ),
        NOW,
    );
    // The standard set holds three oct keys: an HS256 token without kid is ambiguous.
    let standard = common::verifier(Policy::new());
    assert_code(
        &standard,
        &jwt(
            &header("HS256", None),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        ),
        NOW,
        KeyNotFound,
    );
}

/// A duplicated kid is ambiguous: `key_not_found`, even though one of the two keys verifies.
#[test]
fn duplicate_kid_in_the_set_is_key_not_found() {
    let set = json!({ "keys": [oct_jwk(HS256_SECRET, Some("dup")), oct_jwk(b"another-secret-of-32-bytes-long!", Some("dup"))] });
    let verifier = verifier_with(&set, Policy::new());
    let token = jwt(
        &header("HS256", Some("dup")),
        &claims(),
        Algorithm::HS256,
        &key("hs256"),
    );
    assert_code(&verifier, &token, NOW, KeyNotFound);
    let rsa_set =
        json!({ "keys": [public_jwk("rsa-a", Some("dup")), public_jwk("rsa-b", Some("dup"))] });
    let verifier = verifier_with(&rsa_set, Policy::new());
    let token = jwt(
        &header("RS256", Some("dup")),
        &claims(),
        Algorithm::RS256,
        &key("rsa-a"),
    );
    assert_code(&verifier, &token, NOW, KeyNotFound);
}

/// RFC 7517 §4.5: keys of different types may share a `kid` as alternatives (RFC 7520 §3 does).
/// The algorithm picks among them: each token reaches the one key that can serve it; a kid none
/// of whose keys can serve the algorithm is `key_mismatch`.
#[test]
fn kid_shared_by_keys_of_different_types_selects_by_algorithm() {
    let set = json!({ "keys": [
        public_jwk("rsa-a", Some("shared")),
        public_jwk("ec-p256", Some("shared")),
        public_jwk("ec-p384", Some("shared")),
        oct_jwk(HS512_SECRET, Some("shared")),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    for (alg, signer) in [
        (Algorithm::RS256, "rsa-a"),
        (Algorithm::PS512, "rsa-a"),
        (Algorithm::ES256, "ec-p256"),
        (Algorithm::ES384, "ec-p384"),
        (Algorithm::HS512, "hs512"),
    ] {
        let token = jwt(
            &header(alg.name(), Some("shared")),
            &claims(),
            alg,
            &key(signer),
        );
        let verified = assert_valid(&verifier, &token, NOW);
        assert_eq!(verified.kid(), Some("shared"));
        assert_eq!(verified.algorithm(), alg);
        // The key chosen for the algorithm is the only one tried: a signature by another key
        // of the same type is refused.
        let other = match alg {
            Algorithm::RS256 | Algorithm::PS512 => Some(key("rsa-b")),
            Algorithm::ES256 => Some(key("ec-p256-attacker")),
            Algorithm::HS512 => Some(SignKey::Hmac(HS512_SECRET.iter().rev().copied().collect())),
            _ => None,
        };
        if let Some(other) = other {
            let forged = jwt(&header(alg.name(), Some("shared")), &claims(), alg, &other);
            assert_code(&verifier, &forged, NOW, BadSignature);
        }
    }
    // No key with that kid can serve EdDSA or ES512: a mismatch, whatever else shares it.
    for (alg, signer) in [(Algorithm::EdDSA, "ed25519"), (Algorithm::ES512, "ec-p521")] {
        let token = jwt(
            &header(alg.name(), Some("shared")),
            &claims(),
            alg,
            &key(signer),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
    }
}

/// Keys sharing a kid, restricted to different algorithms by their JWK `alg` (or by `use` /
/// `key_ops`): the token's algorithm selects one. Two keys that can both serve it are ambiguous.
#[test]
fn kid_shared_by_keys_restricted_to_different_algorithms() {
    let set = json!({ "keys": [
        with(public_jwk("rsa-a", Some("r")), json!({"alg": "RS256"})),
        with(public_jwk("rsa-b", Some("r")), json!({"alg": "PS256"})),
        with(public_jwk("rsa-b", Some("r")), json!({"alg": "RS512", "use": "enc"})),
        with(public_jwk("rsa-a", Some("r")), json!({"alg": "RS512", "key_ops": ["sign"]})),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    let token = |alg: Algorithm, signer: &'static str| {
        jwt(&header(alg.name(), Some("r")), &claims(), alg, &key(signer))
    };
    assert_valid(&verifier, &token(Algorithm::RS256, "rsa-a"), NOW);
    assert_valid(&verifier, &token(Algorithm::PS256, "rsa-b"), NOW);
    // The algorithm picked the key: the other key's signature does not verify.
    assert_code(
        &verifier,
        &token(Algorithm::RS256, "rsa-b"),
        NOW,
        BadSignature,
    );
    assert_code(
        &verifier,
        &token(Algorithm::PS256, "rsa-a"),
        NOW,
        BadSignature,
    );
    // RS512: one key is an encryption key, the other may only sign: none can verify.
    assert_code(
        &verifier,
        &token(Algorithm::RS512, "rsa-a"),
        NOW,
        KeyMismatch,
    );
    assert_code(
        &verifier,
        &token(Algorithm::RS384, "rsa-a"),
        NOW,
        KeyMismatch,
    );
    // Two keys without `alg` under one kid can both serve RS256: ambiguous.
    let set = json!({ "keys": [
        with(public_jwk("rsa-a", Some("r")), json!({"alg": "RS256"})),
        public_jwk("rsa-b", Some("r")),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    assert_code(
        &verifier,
        &token(Algorithm::RS256, "rsa-a"),
        NOW,
        KeyNotFound,
    );
    assert_code(
        &verifier,
        &token(Algorithm::RS256, "rsa-b"),
        NOW,
        KeyNotFound,
    );
    assert_valid(&verifier, &token(Algorithm::PS256, "rsa-b"), NOW);
}

/// A JWK skipped when the set was parsed (malformed, or a type this build does not know), or
/// one that is unsound, never makes a sound key with the same kid unusable; and the unusable
/// key is never the one that verifies.
#[test]
fn skipped_or_unsound_keys_do_not_make_a_kid_ambiguous() {
    let sound = public_jwk("ec-p256", Some("k"));
    let token = jwt(
        &header("ES256", Some("k")),
        &claims(),
        Algorithm::ES256,
        &key("ec-p256"),
    );
    let mut no_y = public_jwk("ec-p256-attacker", Some("k"));
    no_y.as_object_mut().expect("object").remove("y");
    let mut padded = public_jwk("ec-p256-attacker", Some("k"));
    padded["x"] = json!(format!("{}=", padded["x"].as_str().expect("x")));
    let mut off_curve = public_jwk("ec-p256-attacker", Some("k"));
    let mut y = unb64(off_curve["y"].as_str().expect("y"));
    y[0] ^= 1;
    off_curve["y"] = json!(b64(&y));
    for companion in [
        no_y,
        padded,
        off_curve,
        json!({"kty": "OKP", "crv": "X25519", "kid": "k", "x": b64([9u8; 32])}),
        json!({"kty": "EC", "crv": "secp256k1", "kid": "k", "x": b64([1u8; 32]), "y": b64([2u8; 32])}),
        json!({"kty": "AKP", "kid": "k", "alg": "ML-DSA-44", "pub": "AAAA"}),
        json!({"kid": "k"}),
    ] {
        for keys in [
            json!([companion.clone(), sound.clone()]),
            json!([sound.clone(), companion.clone()]),
        ] {
            let verifier = verifier_with(&json!({ "keys": keys }), Policy::new());
            let verified = assert_valid(&verifier, &token, NOW);
            assert_eq!(verified.kid(), Some("k"), "{companion}");
        }
    }
    // An RSA key under 2048 bits beside a sound one: the sound key serves; a token signed by
    // the weak key is refused by it.
    let set =
        json!({ "keys": [public_jwk("rsa-1024", Some("r")), public_jwk("rsa-a", Some("r"))] });
    let verifier = verifier_with(&set, Policy::new());
    let rs256 = |signer: &'static str| {
        jwt(
            &header("RS256", Some("r")),
            &claims(),
            Algorithm::RS256,
            &key(signer),
        )
    };
    assert_valid(&verifier, &rs256("rsa-a"), NOW);
    assert_code(&verifier, &rs256("rsa-1024"), NOW, BadSignature);
    // HMAC secrets: only one is long enough for HS512, so HS512 selects it, while HS256 is
    // ambiguous between the two.
    let set =
        json!({ "keys": [oct_jwk(HS256_SECRET, Some("h")), oct_jwk(HS512_SECRET, Some("h"))] });
    let verifier = verifier_with(&set, Policy::new());
    let hs = |alg: Algorithm, signer: &'static str| {
        jwt(&header(alg.name(), Some("h")), &claims(), alg, &key(signer))
    };
    assert_valid(&verifier, &hs(Algorithm::HS512, "hs512"), NOW);
    assert_code(&verifier, &hs(Algorithm::HS256, "hs256"), NOW, KeyNotFound);
    // Only unusable keys under the kid: a mismatch, as for a single such key.
    let set = json!({ "keys": [
        public_jwk("rsa-1024", Some("w")),
        with(public_jwk("rsa-a", Some("w")), json!({"use": "enc"})),
        {"kty": "RSA", "kid": "w", "n": "AQAB"},
    ]});
    let verifier = verifier_with(&set, Policy::new());
    assert_code(
        &verifier,
        &jwt(
            &header("RS256", Some("w")),
            &claims(),
            Algorithm::RS256,
            &key("rsa-a"),
        ),
        NOW,
        KeyMismatch,
    );
}

/// Without a kid, a key that fits the algorithm but is unsound (or too short for it) is not a
/// candidate beside a sound one; when only unsound keys fit, the verdict is `key_mismatch`.
#[test]
fn no_kid_selection_keeps_only_keys_that_can_serve() {
    let set = json!({ "keys": [public_jwk("rsa-1024", Some("weak")), public_jwk("rsa-a", Some("rsa-a"))] });
    let verifier = verifier_with(&set, Policy::new());
    let token = jwt(
        &header("RS256", None),
        &claims(),
        Algorithm::RS256,
        &key("rsa-a"),
    );
    assert_eq!(assert_valid(&verifier, &token, NOW).kid(), Some("rsa-a"));
    // The standard set: only the 64-octet secret can serve HS512, so an HS512 token without
    // kid is not ambiguous; HS256 without kid is (three secrets can serve it).
    let standard = common::verifier(Policy::new());
    let verified = assert_valid(
        &standard,
        &jwt(
            &header("HS512", None),
            &claims(),
            Algorithm::HS512,
            &key("hs512"),
        ),
        NOW,
    );
    assert_eq!(verified.kid(), Some("hs512"));
    let set = json!({ "keys": [public_jwk("rsa-1024", Some("a")), with(public_jwk("rsa-1024", Some("b")), json!({"alg": "RS256"}))] });
    let verifier = verifier_with(&set, Policy::new());
    assert_code(
        &verifier,
        &jwt(
            &header("RS256", None),
            &claims(),
            Algorithm::RS256,
            &key("rsa-1024"),
        ),
        NOW,
        KeyMismatch,
    );
}

/// kid comparison is exact: a header kid that no key has is `key_not_found`, even when a key
/// without kid (or with a similar kid) would verify.
#[test]
fn kid_must_match_exactly() {
    let set = json!({ "keys": [oct_jwk(HS256_SECRET, Some("hs256"))] });
    let verifier = verifier_with(&set, Policy::new());
    for kid in [
        "HS256",
        "hs256 ",
        " hs256",
        "hs25",
        "hs2566",
        "hs256\u{0}",
        "hs256\n",
        "hs\u{0}256",
        "ｈｓ２５６",
        "",
    ] {
        let token = jwt(
            &header("HS256", Some(kid)),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        );
        assert_code(&verifier, &token, NOW, KeyNotFound);
    }
    // A key without kid only serves tokens without kid.
    let no_kid_set = json!({ "keys": [oct_jwk(HS256_SECRET, None)] });
    let verifier = verifier_with(&no_kid_set, Policy::new());
    assert_code(
        &verifier,
        &jwt(
            &header("HS256", Some("hs256")),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        ),
        NOW,
        KeyNotFound,
    );
    assert_valid(
        &verifier,
        &jwt(
            &header("HS256", None),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        ),
        NOW,
    );
}

/// kid injection strings (path traversal, SQL, shell, wildcards, huge, NUL) are just strings that
/// no key has: `key_not_found`, whether "signed" with an empty secret (the /dev/null trick) or
/// with the real secret.
#[test]
fn kid_injection_strings_are_key_not_found() {
    let verifier = verifier(Policy::new());
    let long = "a".repeat(10_000);
    let kids = [
        "../../dev/null",
        "/dev/null",
        "../../../../../../etc/passwd",
        "' OR 1=1 --",
        "\" OR \"\"=\"",
        "hs256' --",
        "|ls",
        "; cat /etc/passwd",
        "$(id)",
        "`id`",
        "*",
        "%",
        ".*",
        "hs256\u{0}",
        "\u{0}",
        "hs256%00",
        "http://attacker.example/key",
        long.as_str(),
    ];
    for kid in kids {
        for secret in [&b""[..], &b"\0"[..], &HS256_SECRET[..]] {
            let token = jwt(
                &header("HS256", Some(kid)),
                &claims(),
                Algorithm::HS256,
                &SignKey::Hmac(secret.to_vec()),
            );
            assert_code(&verifier, &token, NOW, KeyNotFound);
        }
    }
}

/// Embedded `jwk` carrying the attacker's own key: never used. The attacker signs with their key
/// and puts its public JWK in the header; the verifier only knows the genuine key.
#[test]
fn embedded_jwk_header_is_never_used() {
    let set = json!({ "keys": [public_jwk("ec-p256", Some("ec-p256"))] });
    let verifier = verifier_with(&set, Policy::new());
    let attacker = public_jwk("ec-p256-attacker", Some("attacker"));
    let forge = |header: Value| {
        jwt(
            &header,
            &claims(),
            Algorithm::ES256,
            &key("ec-p256-attacker"),
        )
    };
    // No kid: the only candidate is the genuine key, which does not verify the forgery.
    assert_code(
        &verifier,
        &forge(json!({"alg": "ES256", "jwk": attacker})),
        NOW,
        BadSignature,
    );
    // The attacker's kid: not in the set.
    assert_code(
        &verifier,
        &forge(json!({"alg": "ES256", "kid": "attacker", "jwk": attacker})),
        NOW,
        KeyNotFound,
    );
    // The genuine kid with the attacker's key embedded: the genuine key is used, and fails.
    assert_code(
        &verifier,
        &forge(json!({"alg": "ES256", "kid": "ec-p256", "jwk": attacker})),
        NOW,
        BadSignature,
    );
    // A set without any EC key: the embedded key does not fill the gap.
    let rsa_only = verifier_with(
        &json!({ "keys": [public_jwk("rsa-a", Some("rsa-a"))] }),
        Policy::new(),
    );
    assert_code(
        &rsa_only,
        &forge(json!({"alg": "ES256", "jwk": attacker})),
        NOW,
        KeyNotFound,
    );
    // An embedded oct key with the attacker's secret.
    let oct_set = json!({ "keys": [oct_jwk(HS256_SECRET, Some("hs256"))] });
    let oct_verifier = verifier_with(&oct_set, Policy::new());
    let secret = b"attacker-controlled-secret-32byt".to_vec();
    let token = jwt(
        &json!({"alg": "HS256", "jwk": oct_jwk(&secret, Some("evil"))}),
        &claims(),
        Algorithm::HS256,
        &SignKey::Hmac(secret),
    );
    assert_code(&oct_verifier, &token, NOW, BadSignature);
}

/// `jku`, `x5u` and `x5c` never locate or supply a key (no fetch, no certificate parsing).
#[test]
fn jku_x5u_x5c_headers_are_never_used() {
    let set = json!({ "keys": [public_jwk("ec-p256", Some("ec-p256"))] });
    let verifier = verifier_with(&set, Policy::new());
    let attacker_der = b64_std(&unb64_std(
        &include_str!("fixtures/keys/ec-p256-attacker-test-only.spki.pem")
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect::<String>(),
    ));
    let headers = [
        json!({"alg": "ES256", "jku": "https://attacker.example/jwks.json"}),
        json!({"alg": "ES256", "x5u": "https://attacker.example/cert.pem"}),
        json!({"alg": "ES256", "x5c": [attacker_der]}),
        json!({"alg": "ES256", "jku": "http://127.0.0.1:1/jwks.json", "x5u": "file:///etc/passwd"}),
    ];
    for header in headers {
        let forged = jwt(
            &header,
            &claims(),
            Algorithm::ES256,
            &key("ec-p256-attacker"),
        );
        assert_code(&verifier, &forged, NOW, BadSignature);
        let mut with_kid = header.clone();
        with_kid["kid"] = json!("attacker");
        let forged = jwt(
            &with_kid,
            &claims(),
            Algorithm::ES256,
            &key("ec-p256-attacker"),
        );
        assert_code(&verifier, &forged, NOW, KeyNotFound);
        // And they do not stop a genuine token from verifying (they are ignored, not fatal).
        let mut genuine_header = header.clone();
        genuine_header["kid"] = json!("ec-p256");
        assert_valid(
            &verifier,
            &jwt(
                &genuine_header,
                &claims(),
                Algorithm::ES256,
                &key("ec-p256"),
            ),
            NOW,
        );
    }
}

fn b64_std(bytes: &[u8]) -> String {
    let url = b64(bytes).replace('-', "+").replace('_', "/");
    let pad = (4 - url.len() % 4) % 4;
    format!("{url}{}", "=".repeat(pad))
}

/// A kid that matches a key that cannot serve the algorithm because its JWK `alg` differs:
/// `key_mismatch`; without kid the key is not a candidate: `key_not_found`.
#[test]
fn jwk_alg_differing_from_header_alg() {
    let set =
        json!({ "keys": [with(public_jwk("rsa-a", Some("rsa-a")), json!({"alg": "RS384"}))] });
    let verifier = verifier_with(&set, Policy::new());
    let rs256 = |kid| {
        jwt(
            &header("RS256", kid),
            &claims(),
            Algorithm::RS256,
            &key("rsa-a"),
        )
    };
    assert_code(&verifier, &rs256(Some("rsa-a")), NOW, KeyMismatch);
    assert_code(&verifier, &rs256(None), NOW, KeyNotFound);
    let ps384 = jwt(
        &header("PS384", Some("rsa-a")),
        &claims(),
        Algorithm::PS384,
        &key("rsa-a"),
    );
    assert_code(&verifier, &ps384, NOW, KeyMismatch);
    // The JWK's own alg is accepted.
    assert_valid(
        &verifier,
        &jwt(
            &header("RS384", Some("rsa-a")),
            &claims(),
            Algorithm::RS384,
            &key("rsa-a"),
        ),
        NOW,
    );
    assert_valid(
        &verifier,
        &jwt(
            &header("RS384", None),
            &claims(),
            Algorithm::RS384,
            &key("rsa-a"),
        ),
        NOW,
    );
    // EdDSA and Ed25519 are two names: a JWK saying one does not serve the other.
    let ed_set =
        json!({ "keys": [with(public_jwk("ed25519", Some("ed")), json!({"alg": "EdDSA"}))] });
    let verifier = verifier_with(&ed_set, Policy::new());
    assert_valid(
        &verifier,
        &jwt(
            &header("EdDSA", Some("ed")),
            &claims(),
            Algorithm::EdDSA,
            &key("ed25519"),
        ),
        NOW,
    );
    assert_code(
        &verifier,
        &jwt(
            &header("Ed25519", Some("ed")),
            &claims(),
            Algorithm::Ed25519,
            &key("ed25519"),
        ),
        NOW,
        KeyMismatch,
    );
}

/// `use: "enc"` or `key_ops` without `verify`: not a candidate. With the kid named, the key
/// exists but cannot serve (`key_mismatch` by the contract's wording for "can't serve"; a verifier
/// treating it as absent, `key_not_found`, also refuses); without kid, `key_not_found`.
#[test]
fn use_enc_and_key_ops_without_verify_are_not_candidates() {
    let restrictions = [
        json!({"use": "enc"}),
        json!({"key_ops": ["sign"]}),
        json!({"key_ops": ["encrypt", "wrapKey"]}),
        json!({"key_ops": []}),
        json!({"use": "enc", "key_ops": ["verify"]}),
    ];
    for restriction in restrictions {
        let set = json!({ "keys": [with(oct_jwk(HS256_SECRET, Some("k")), restriction.clone())] });
        let verifier = verifier_with(&set, Policy::new());
        let named = jwt(
            &header("HS256", Some("k")),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        );
        assert_code_in(&verifier, &named, NOW, &[KeyMismatch, KeyNotFound]);
        let unnamed = jwt(
            &header("HS256", None),
            &claims(),
            Algorithm::HS256,
            &key("hs256"),
        );
        assert_code(&verifier, &unnamed, NOW, KeyNotFound);
    }
    // use sig, key_ops with verify: candidates.
    for allowed in [
        json!({"use": "sig"}),
        json!({"key_ops": ["verify"]}),
        json!({"key_ops": ["sign", "verify"]}),
        json!({"use": "sig", "key_ops": ["verify"]}),
    ] {
        let set = json!({ "keys": [with(oct_jwk(HS256_SECRET, Some("k")), allowed)] });
        let verifier = verifier_with(&set, Policy::new());
        assert_valid(
            &verifier,
            &jwt(
                &header("HS256", Some("k")),
                &claims(),
                Algorithm::HS256,
                &key("hs256"),
            ),
            NOW,
        );
        assert_valid(
            &verifier,
            &jwt(
                &header("HS256", None),
                &claims(),
                Algorithm::HS256,
                &key("hs256"),
            ),
            NOW,
        );
    }
}

/// An enc key beside a sig key of the same type: the enc key is not a candidate, so a token
/// without kid is not ambiguous.
#[test]
fn enc_key_does_not_make_selection_ambiguous() {
    let set = json!({ "keys": [
        with(public_jwk("rsa-b", Some("rsa-enc")), json!({"use": "enc"})),
        with(public_jwk("rsa-a", Some("rsa-a")), json!({"use": "sig"})),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    let token = jwt(
        &header("RS256", None),
        &claims(),
        Algorithm::RS256,
        &key("rsa-a"),
    );
    assert_eq!(assert_valid(&verifier, &token, NOW).kid(), Some("rsa-a"));
}

/// An RSA modulus under 2048 bits is unsound: `key_mismatch`, even though the signature is right.
#[test]
fn rsa_1024_bit_key_is_key_mismatch() {
    let set = json!({ "keys": [public_jwk("rsa-1024", Some("weak"))] });
    let verifier = verifier_with(&set, Policy::new());
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        assert_code(
            &verifier,
            &jwt(
                &header(alg.name(), Some("weak")),
                &claims(),
                alg,
                &key("rsa-1024"),
            ),
            NOW,
            KeyMismatch,
        );
        assert_code(
            &verifier,
            &jwt(&header(alg.name(), None), &claims(), alg, &key("rsa-1024")),
            NOW,
            KeyMismatch,
        );
    }
}

/// RSA public exponents: 1 and even exponents are unsound (`key_mismatch`); 3 is sound, so a
/// token signed for e = 65537 is then simply `bad_signature`.
#[test]
fn rsa_exponent_soundness() {
    let token = jwt(
        &header("RS256", Some("rsa-a")),
        &claims(),
        Algorithm::RS256,
        &key("rsa-a"),
    );
    for (e, expected) in [
        ("AQ", KeyMismatch),
        ("Ag", KeyMismatch),
        ("AQAA", KeyMismatch),
        ("Aw", BadSignature),
    ] {
        let set = json!({ "keys": [with(public_jwk("rsa-a", Some("rsa-a")), json!({"e": e}))] });
        let verifier = verifier_with(&set, Policy::new());
        assert_code(&verifier, &token, NOW, expected);
    }
}

/// An HMAC secret shorter than the hash output (RFC 7518 §3.2) is unsound: `key_mismatch`.
#[test]
fn short_hmac_secrets_are_key_mismatch() {
    let cases: [(Algorithm, usize); 6] = [
        (Algorithm::HS256, 31),
        (Algorithm::HS256, 16),
        (Algorithm::HS256, 1),
        (Algorithm::HS384, 47),
        (Algorithm::HS384, 32),
        (Algorithm::HS512, 63),
    ];
    for (alg, len) in cases {
        let secret = vec![0x5a; len];
        let set = json!({ "keys": [oct_jwk(&secret, Some("short"))] });
        let verifier = verifier_with(&set, Policy::new());
        let token = jwt(
            &header(alg.name(), Some("short")),
            &claims(),
            alg,
            &SignKey::Hmac(secret.clone()),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
        let token = jwt(
            &header(alg.name(), None),
            &claims(),
            alg,
            &SignKey::Hmac(secret),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
    }
    // The boundary: exactly the hash size is sound (HS512 with a 64-octet secret, HS256 with a
    // 64-octet secret too).
    let set = json!({ "keys": [oct_jwk(HS512_SECRET, Some("k"))] });
    let verifier = verifier_with(&set, Policy::new());
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        assert_valid(
            &verifier,
            &jwt(
                &header(alg.name(), Some("k")),
                &claims(),
                alg,
                &key("hs512"),
            ),
            NOW,
        );
    }
}

/// An empty HMAC secret is never usable (it is unsound; a parser may also skip the key).
#[test]
fn empty_hmac_secret_is_refused() {
    let set = json!({ "keys": [{"kty": "oct", "kid": "empty", "k": ""}] });
    let verifier = verifier_with(&set, Policy::new());
    let token = jwt(
        &header("HS256", Some("empty")),
        &claims(),
        Algorithm::HS256,
        &SignKey::Hmac(Vec::new()),
    );
    assert_code_in(&verifier, &token, NOW, &[KeyMismatch, KeyNotFound]);
}

/// An EC public key whose point is not on its curve: `key_mismatch`.
#[test]
fn ec_point_off_the_curve_is_key_mismatch() {
    for (name, alg) in [
        ("ec-p256", Algorithm::ES256),
        ("ec-p384", Algorithm::ES384),
        ("ec-p521", Algorithm::ES512),
    ] {
        let mut jwk = public_jwk(name, Some("bent"));
        let mut y = unb64(jwk["y"].as_str().expect("y"));
        let last = y.len() - 1;
        y[last] ^= 1;
        jwk["y"] = json!(b64(&y));
        let verifier = verifier_with(&json!({ "keys": [jwk] }), Policy::new());
        let token = jwt(
            &header(alg.name(), Some("bent")),
            &claims(),
            alg,
            &key(name),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
    }
}

/// An Ed25519 public key of small order (the identity, the point of order 2): `key_mismatch`.
#[test]
fn ed25519_small_order_key_is_key_mismatch() {
    let identity = {
        let mut x = [0u8; 32];
        x[0] = 1;
        x
    };
    let order_two = {
        let mut x = [0xffu8; 32];
        x[0] = 0xec;
        x[31] = 0x7f;
        x
    };
    for x in [identity, order_two] {
        let set =
            json!({ "keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "small", "x": b64(x)}] });
        let verifier = verifier_with(&set, Policy::new());
        // Any signature: with the identity as key, forged "signatures" are easy for some verifiers.
        let token = jwt(
            &header("EdDSA", Some("small")),
            &claims(),
            Algorithm::EdDSA,
            &key("ed25519"),
        );
        assert_code(&verifier, &token, NOW, KeyMismatch);
        let mut forged = vec![0u8; 64];
        forged[0] = 1; // R = identity, S = 0: "valid" under a small-order key for a lax verifier.
        assert_code(
            &verifier,
            &with_signature(&token, &forged),
            NOW,
            KeyMismatch,
        );
    }
}

/// Private members in a JWK are ignored: the public part verifies.
#[test]
fn private_members_in_jwks_are_ignored() {
    let mut keys = Vec::new();
    for (name, kid) in [
        ("rsa-a", "rsa-a"),
        ("ec-p256", "ec-p256"),
        ("ed25519", "ed25519"),
    ] {
        let mut jwk = private_jwk(name);
        jwk["kid"] = json!(kid);
        keys.push(jwk);
    }
    let verifier = verifier_with(&json!({ "keys": keys }), Policy::new());
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        assert_valid(&verifier, &standard_token(alg, &claims()), NOW);
    }
}

/// Keys this crate does not understand are skipped, not fatal; the usable ones still work.
#[test]
fn unusable_keys_in_the_set_are_skipped() {
    let set = json!({ "keys": [
        {"kty": "OKP", "crv": "X25519", "kid": "x", "x": b64([9u8; 32])},
        {"kty": "EC", "crv": "secp256k1", "kid": "k1", "x": b64([1u8; 32]), "y": b64([2u8; 32])},
        {"kty": "oct", "kid": "no-k"},
        {"kty": "RSA", "kid": "no-e", "n": "AQAB"},
        {"kid": "no-kty"},
        {"kty": "unknown", "kid": "u"},
        oct_jwk(HS256_SECRET, Some("hs256")),
    ]});
    let verifier = verifier_with(&set, Policy::new());
    assert_valid(&verifier, &hs256(&claims()), NOW);
    // Naming a skipped key does not make it usable.
    let token = jwt(
        &header("HS256", Some("no-k")),
        &claims(),
        Algorithm::HS256,
        &key("hs256"),
    );
    assert_code_in(&verifier, &token, NOW, &[KeyNotFound, KeyMismatch]);
}

/// Wrong key of the right type: `bad_signature`.
#[test]
fn signature_by_another_key_of_the_same_type_is_bad_signature() {
    let verifier = verifier(Policy::new());
    let cases: [(Algorithm, &str); 6] = [
        (Algorithm::RS256, "rsa-b"),
        (Algorithm::PS256, "rsa-b"),
        (Algorithm::ES256, "ec-p256-attacker"),
        (Algorithm::EdDSA, "ed25519-b"),
        (Algorithm::Ed25519, "ed25519-b"),
        (Algorithm::HS256, "hs512"),
    ];
    for (alg, wrong) in cases {
        let token = jwt(
            &header(alg.name(), Some(standard_key(alg).1)),
            &claims(),
            alg,
            &key(wrong),
        );
        assert_code(&verifier, &token, NOW, BadSignature);
    }
}

// =============================================================================================
// Rule 5: signature encodings.

/// CVE-2022-21449 ("psychic signatures"): r = 0 and/or s = 0 must never verify.
#[test]
fn ecdsa_zero_r_or_s_is_bad_signature() {
    let verifier = verifier(Policy::new());
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let token = standard_token(alg, &claims());
        let size = field_len(alg);
        let signature = signature_of(&token);
        let zero = vec![0u8; size];
        let (r, s) = signature.split_at(size);
        for forged in [
            [&zero[..], &zero[..]].concat(),
            [&zero[..], s].concat(),
            [r, &zero[..]].concat(),
        ] {
            assert_code(
                &verifier,
                &with_signature(&token, &forged),
                NOW,
                BadSignature,
            );
        }
        assert_valid(&verifier, &token, NOW);
    }
}

/// r or s >= n (the group order), including r = n, s = n and all-ones: `bad_signature`. And
/// r + n / s + n, where they fit in the field size, reduce to the right value mod n but must
/// still be refused.
#[test]
fn ecdsa_r_or_s_not_below_n_is_bad_signature() {
    let verifier = verifier(Policy::new());
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let token = standard_token(alg, &claims());
        let size = field_len(alg);
        let signature = signature_of(&token);
        let (r, s) = signature.split_at(size);
        let n = curve_order(alg);
        let ones = {
            let mut v = vec![0xffu8; size];
            if alg == Algorithm::ES512 {
                v[0] = 0x01; // P-521 scalars are 521 bits: keep within the 66-octet field.
            }
            v
        };
        let mut forgeries = vec![
            [&n[..], s].concat(),
            [r, &n[..]].concat(),
            [&n[..], &n[..]].concat(),
            [&ones[..], s].concat(),
            [r, &ones[..]].concat(),
        ];
        // r + n and s + n when they do not overflow the field size.
        let r_plus_n = be_add(r, &n);
        if r_plus_n.as_slice() > r && r_plus_n.as_slice() > n.as_slice() {
            forgeries.push([&r_plus_n[..], s].concat());
        }
        let s_plus_n = be_add(s, &n);
        if s_plus_n.as_slice() > s && s_plus_n.as_slice() > n.as_slice() {
            forgeries.push([r, &s_plus_n[..]].concat());
        }
        for forged in forgeries {
            assert_code(
                &verifier,
                &with_signature(&token, &forged),
                NOW,
                BadSignature,
            );
        }
    }
}

/// High-S signatures (s replaced by n - s) are valid JWS: RFC 7518 does not require low-S.
#[test]
fn ecdsa_high_s_is_valid() {
    let verifier = verifier(Policy::new());
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let token = standard_token(alg, &claims());
        let size = field_len(alg);
        let signature = signature_of(&token);
        let (r, s) = signature.split_at(size);
        let flipped = be_sub(&curve_order(alg), s);
        let other = with_signature(&token, &[r, &flipped[..]].concat());
        assert_valid(&verifier, &other, NOW);
        assert_valid(&verifier, &token, NOW);
    }
}

/// DER-encoded ECDSA signatures (what most libraries produce) are not JWS signatures: JWS needs
/// raw R||S of exactly twice the field size. Also any other length.
#[test]
fn ecdsa_der_and_wrong_lengths_are_bad_signature() {
    let verifier = verifier(Policy::new());
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let (key_name, kid) = standard_key(alg);
        let unsigned = format!(
            "{}.{}",
            b64(header(alg.name(), Some(kid)).to_string()),
            b64(claims().to_string())
        );
        let (raw, der) = ecdsa_sign(alg, key_name, unsigned.as_bytes());
        let token = format!("{unsigned}.{}", b64(&raw));
        assert_valid(&verifier, &token, NOW);
        assert_code(
            &verifier,
            &format!("{unsigned}.{}", b64(&der)),
            NOW,
            BadSignature,
        );
        let size = 2 * field_len(alg);
        let mut lengths = vec![
            [&raw[..], &[0u8][..]].concat(),
            [&[0u8][..], &raw[..]].concat(),
            raw[..size - 1].to_vec(),
            raw[1..].to_vec(),
            raw[..size / 2].to_vec(),
        ];
        // R and S each with a leading zero octet added (a common encoding bug).
        let (r, s) = raw.split_at(size / 2);
        lengths.push([&[0u8][..], r, &[0u8][..], s].concat());
        for forged in lengths {
            assert_code(
                &verifier,
                &with_signature(&token, &forged),
                NOW,
                BadSignature,
            );
        }
    }
}

/// A P-256 signature presented under a P-384 header (and so on): wrong length and wrong curve.
#[test]
fn ecdsa_signature_of_another_curve_is_bad_signature() {
    let verifier = verifier(Policy::new());
    let es256 = standard_token(Algorithm::ES256, &claims());
    let es384 = standard_token(Algorithm::ES384, &claims());
    assert_code(
        &verifier,
        &with_signature(&es384, &signature_of(&es256)),
        NOW,
        BadSignature,
    );
    assert_code(
        &verifier,
        &with_signature(&es256, &signature_of(&es384)),
        NOW,
        BadSignature,
    );
}

/// RSA signatures must be exactly k octets: the fixture's signature starts with a zero octet;
/// without it (k - 1 octets) or with another one (k + 1) it is `bad_signature`, although a
/// big-integer comparison would say it is the same number.
#[test]
fn rsa_signature_leading_zero_dropped_or_added() {
    let verifier = verifier(Policy::new());
    let token = leading_zero_rs256_token();
    let signature = signature_of(token);
    assert_eq!(signature.len(), 256);
    assert_eq!(
        signature[0], 0,
        "the fixture's signature starts with a zero octet"
    );
    assert_valid(&verifier, token, NOW);
    assert_code(
        &verifier,
        &with_signature(token, &signature[1..]),
        NOW,
        BadSignature,
    );
    assert_code(
        &verifier,
        &with_signature(token, &[&[0u8][..], &signature[..]].concat()),
        NOW,
        BadSignature,
    );
    // Any token: a zero octet prepended.
    let token = standard_token(Algorithm::RS256, &claims());
    let signature = signature_of(&token);
    assert_code(
        &verifier,
        &with_signature(&token, &[&[0u8][..], &signature[..]].concat()),
        NOW,
        BadSignature,
    );
    assert_code(
        &verifier,
        &with_signature(&token, &[&signature[..], &[0u8][..]].concat()),
        NOW,
        BadSignature,
    );
    assert_code(
        &verifier,
        &with_signature(&token, &signature[..255]),
        NOW,
        BadSignature,
    );
}

/// RSA signature values out of range: zero, one, n - 1 style garbage, all-ones (> n).
#[test]
fn rsa_signature_out_of_range_is_bad_signature() {
    let verifier = verifier(Policy::new());
    let token = standard_token(Algorithm::RS256, &claims());
    let n = unb64(public_jwk("rsa-a", None)["n"].as_str().expect("n"));
    assert_eq!(n.len(), 256);
    let mut one = vec![0u8; 256];
    one[255] = 1;
    for forged in [
        vec![0u8; 256],
        one,
        n.clone(),
        vec![0xff; 256],
        be_add(&n, &{
            let mut v = vec![0u8; 256];
            v[255] = 1;
            v
        }),
    ] {
        assert_code(
            &verifier,
            &with_signature(&token, &forged),
            NOW,
            BadSignature,
        );
    }
    // s + n does not fit in k octets; s itself verifies.
    assert_valid(&verifier, &token, NOW);
}

/// PSS salt length must be the hash length.
#[test]
fn pss_salt_length_must_be_hash_length() {
    let verifier = verifier(Policy::new());
    for (alg, good, bad) in [
        (Algorithm::PS256, 32, [0usize, 20, 64]),
        (Algorithm::PS384, 48, [0, 32, 64]),
        (Algorithm::PS512, 64, [0, 32, 48]),
    ] {
        let unsigned = format!(
            "{}.{}",
            b64(header(alg.name(), Some("rsa-a")).to_string()),
            b64(claims().to_string())
        );
        let ok = format!(
            "{unsigned}.{}",
            b64(rsa_sign(alg, "rsa-a", unsigned.as_bytes(), good))
        );
        assert_valid(&verifier, &ok, NOW);
        for salt in bad {
            let token = format!(
                "{unsigned}.{}",
                b64(rsa_sign(alg, "rsa-a", unsigned.as_bytes(), salt))
            );
            assert_code(&verifier, &token, NOW, BadSignature);
        }
    }
}

/// PKCS#1 v1.5 and PSS are not interchangeable, nor are their hashes.
#[test]
fn rsa_scheme_and_hash_must_match_the_header() {
    let verifier = verifier(Policy::new());
    let pairs = [
        (Algorithm::PS256, Algorithm::RS256),
        (Algorithm::RS256, Algorithm::PS256),
        (Algorithm::RS256, Algorithm::RS384),
        (Algorithm::RS512, Algorithm::RS256),
        (Algorithm::PS384, Algorithm::PS256),
    ];
    for (named, signed_as) in pairs {
        let token = jwt(
            &header(named.name(), Some("rsa-a")),
            &claims(),
            signed_as,
            &key("rsa-a"),
        );
        assert_code(&verifier, &token, NOW, BadSignature);
    }
}

/// Ed25519: S + L (non-canonical S) and wrong lengths are `bad_signature`.
#[test]
fn ed25519_s_plus_l_and_lengths_are_bad_signature() {
    let verifier = verifier(Policy::new());
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
        let token = standard_token(alg, &claims());
        let signature = signature_of(&token);
        assert_eq!(signature.len(), 64);
        let mut malleated = signature.clone();
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(malleated[32 + i]) + u16::from(L[i]) + carry;
            malleated[32 + i] = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0);
        for forged in [
            malleated,
            signature[..63].to_vec(),
            [&signature[..], &[0u8][..]].concat(),
            vec![0u8; 64],
            [&signature[..32], &L[..]].concat(),
        ] {
            assert_code(
                &verifier,
                &with_signature(&token, &forged),
                NOW,
                BadSignature,
            );
        }
        assert_valid(&verifier, &token, NOW);
    }
}

/// HMAC tags must be complete: truncated or extended tags are `bad_signature`.
#[test]
fn hmac_tag_must_be_full_length() {
    let verifier = verifier(Policy::new());
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let token = standard_token(alg, &claims());
        let tag = signature_of(&token);
        for forged in [
            tag[..tag.len() - 1].to_vec(),
            tag[..16].to_vec(),
            tag[..1].to_vec(),
            [&tag[..], &[0u8][..]].concat(),
            [&tag[..], &tag[..]].concat(),
            vec![0u8; tag.len()],
        ] {
            assert_code(
                &verifier,
                &with_signature(&token, &forged),
                NOW,
                BadSignature,
            );
        }
    }
    // An HS512 tag truncated to 32 octets does not pass as HS512.
    let hs512 = standard_token(Algorithm::HS512, &claims());
    assert_code(
        &verifier,
        &with_signature(&hs512, &signature_of(&hs512)[..32]),
        NOW,
        BadSignature,
    );
}

/// Tampering with any segment after signing: `bad_signature`, for every algorithm family.
#[test]
fn tampered_segments_are_bad_signature() {
    let verifier = verifier(Policy::new());
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ] {
        let token = standard_token(alg, &claims());
        let kid = standard_key(alg).1;
        // Header: same alg and kid, one more member.
        let header_changed = b64(json!({"alg": alg.name(), "kid": kid, "typ": "JWT"}).to_string());
        assert_code(
            &verifier,
            &replace_segment(&token, 0, &header_changed),
            NOW,
            BadSignature,
        );
        // Payload: another subject, a later expiry.
        for changes in [
            json!({"sub": "admin"}),
            json!({"exp": NOW + 999_999}),
            json!({"admin": true}),
        ] {
            let payload = b64(claims_with(changes).to_string());
            assert_code(
                &verifier,
                &replace_segment(&token, 1, &payload),
                NOW,
                BadSignature,
            );
        }
        // Signature: one bit flipped in several places.
        let signature = signature_of(&token);
        for position in [0, signature.len() / 2, signature.len() - 1] {
            for bit in [0x01u8, 0x80] {
                let mut forged = signature.clone();
                forged[position] ^= bit;
                assert_code(
                    &verifier,
                    &with_signature(&token, &forged),
                    NOW,
                    BadSignature,
                );
            }
        }
        // Segments swapped or reused from another token.
        let other = standard_token(alg, &claims_with(json!({"sub": "other"})));
        assert_code(
            &verifier,
            &replace_segment(&token, 2, other.split('.').nth(2).expect("sig")),
            NOW,
            BadSignature,
        );
    }
}

/// The signature is checked before the claims: a forged token never reveals claim verdicts.
#[test]
fn signature_is_checked_before_claims() {
    let verifier = verifier(
        Policy::new()
            .issuer("https://issuer.example")
            .audience("api://orders"),
    );
    let expired_and_forged = jwt(
        &header("HS256", Some("hs256")),
        &claims_with(json!({"exp": NOW - 1000, "iss": "https://evil.example"})),
        Algorithm::HS256,
        &SignKey::Hmac(b"not-the-secret-not-the-secret-!!".to_vec()),
    );
    assert_code(&verifier, &expired_and_forged, NOW, BadSignature);
}

// =============================================================================================
// Rule 6: the payload (after the signature).

/// A payload that is not a UTF-8 JSON object: `malformed` when correctly signed, and
/// `bad_signature` when not (the payload is only looked at after the signature).
#[test]
fn payload_must_be_a_json_object_after_the_signature() {
    let verifier = verifier(Policy::new());
    let header = br#"{"alg":"HS256","kid":"hs256"}"#;
    let payloads: [&[u8]; 14] = [
        b"[]",
        b"\"a string\"",
        b"1",
        b"null",
        b"true",
        b"",
        b"{",
        b"It's a dangerous business",
        b"\xff\xfe{}",
        b"{\"sub\":\"\xc3\x28\"}",
        b"{\"sub\":\"a\",\"sub\":\"b\"}",
        b"{\"exp\":1,\"exp\":9999999999}",
        b"\xEF\xBB\xBF{}",
        b"{} {}",
    ];
    for payload in payloads {
        let token = hs256_raw(header, payload);
        assert_code(&verifier, &token, NOW, Malformed);
        let mut signature = signature_of(&token);
        signature[3] ^= 0x10;
        assert_code(
            &verifier,
            &with_signature(&token, &signature),
            NOW,
            BadSignature,
        );
    }
}

/// Duplicate names nested inside the payload are refused too.
#[test]
fn duplicate_names_nested_in_the_payload_are_malformed() {
    let verifier = verifier(Policy::new());
    let payload = format!(
        "{{\"sub\":\"client-42\",\"exp\":{},\"ctx\":{{\"role\":\"user\",\"role\":\"admin\"}}}}",
        NOW + 600
    );
    assert_code(
        &verifier,
        &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, payload.as_bytes()),
        NOW,
        Malformed,
    );
}

// =============================================================================================
// Rule 1: no input panics or hangs.

/// Small deterministic PRNG (xorshift64*) so failures are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, token: &str) -> String {
    const INSERTS: [&str; 16] = [
        "A", "_", "-", ".", "=", " ", "\u{0}", "é", "+", "/", "..", "e30", "eyJ", "\n", "%", "{",
    ];
    let mut chars: Vec<char> = token.chars().collect();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if chars.is_empty() {
            chars.push('A');
        }
        let at = rng.below(chars.len());
        match rng.below(7) {
            0 => {
                chars.remove(at);
            }
            1 => {
                for (offset, c) in INSERTS[rng.below(INSERTS.len())].chars().enumerate() {
                    chars.insert(at + offset, c);
                }
            }
            2 => {
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                chars[at] = alphabet[rng.below(64)] as char;
            }
            3 => chars.truncate(at),
            4 => {
                let tail: Vec<char> = chars[at..].to_vec();
                chars.extend(tail);
            }
            5 => {
                let other = rng.below(chars.len());
                chars.swap(at, other);
            }
            _ => {
                let segment: String = chars.iter().collect();
                let parts: Vec<&str> = segment.split('.').collect();
                let pick = parts[rng.below(parts.len())].to_string();
                chars = format!("{segment}.{pick}").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

/// Random mutations of valid tokens (~2 s): never a panic, and never accepted — with strict
/// base64url every octet string has exactly one encoding, so any change to a signed token must
/// be rejected.
#[test]
fn random_mutations_never_panic_and_never_verify() {
    let verifier = verifier(Policy::new());
    let tokens: Vec<String> = [
        Algorithm::HS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::RS256,
        Algorithm::HS512,
    ]
    .into_iter()
    .map(|alg| standard_token(alg, &claims()))
    .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut tried = 0u64;
    while Instant::now() < deadline {
        for token in &tokens {
            let mutated = mutate(&mut rng, token);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let full = verifier.verify(&mutated, NOW);
                assert_eq!(verify_deferred(&verifier, &mutated, NOW), full);
                let verdict = full.map(|_| ()).map_err(|e| e.code());
                let explanation = verifier.explain(&mutated, NOW);
                let _ = decode(&mutated);
                (verdict, explanation)
            }));
            let (verdict, explanation) = match outcome {
                Err(_) => panic!("panicked on input {mutated:?}"),
                Ok(pair) => pair,
            };
            if verdict.is_ok() && mutated != *token {
                panic!("mutated token was ACCEPTED: {mutated:?} (from {token:?})");
            }
            // The checklist agrees with the verdict: same code, exactly one failed check (none
            // when valid), and nothing after the failure ran.
            let explained = explanation
                .result
                .as_ref()
                .map(|_| ())
                .map_err(|e| e.code());
            assert_eq!(
                explained, verdict,
                "explain disagrees with verify on {mutated:?}"
            );
            let failed: Vec<usize> = explanation
                .checks
                .iter()
                .enumerate()
                .filter(|(_, c)| c.status == CheckStatus::Failed)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(
                failed.len(),
                usize::from(verdict.is_err()),
                "failed checks for {mutated:?}"
            );
            if let Some(&at) = failed.first() {
                for check in &explanation.checks[at + 1..] {
                    assert_eq!(
                        check.status,
                        CheckStatus::NotReached,
                        "{} ran after a failure",
                        check.id
                    );
                }
            }
            tried += 1;
        }
    }
    assert!(tried > 100, "only {tried} mutations in 2 s");
}

/// Hostile shapes that have broken parsers elsewhere: none panics.
#[test]
fn hostile_inputs_do_not_panic() {
    let verifier = verifier(Policy::new());
    let huge_number = format!(
        "{{\"alg\":\"HS256\",\"kid\":\"hs256\",\"n\":1{}}}",
        "0".repeat(5000)
    );
    let cases: Vec<String> = vec![
        "\u{0}.\u{0}.\u{0}".into(),
        "é.é.é".into(),
        "\u{feff}eyJhbGciOiJIUzI1NiJ9.e30.AAAA".into(),
        ".".repeat(10_000),
        "A".repeat(65_536),
        format!(
            "{}.{}.{}",
            "A".repeat(30_000),
            "B".repeat(30_000),
            "C".repeat(4)
        ),
        hs256_raw(huge_number.as_bytes(), b"{}"),
        hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, br#"{"exp":1e400}"#),
        hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, br#"{"exp":-1e400}"#),
        hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, br#"{"s":"\ud800"}"#),
        hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            br#"{"s":"\udc00\ud800"}"#,
        ),
        hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            br#"{"exp":123456789012345678901234567890}"#,
        ),
        hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            br#"{"iat":-9223372036854775809,"exp":18446744073709551616}"#,
        ),
        hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, b"{\"aud\":["),
    ];
    for case in cases {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = verifier.verify(&case, NOW);
            let _ = verifier.explain(&case, NOW);
            let _ = decode(&case);
        }));
        assert!(result.is_ok(), "panicked on {}", shorten(&case));
    }
}

// =============================================================================================
// decode(): inspection only, nothing verified, but the same strict parsing (rules 1 and 2).

#[test]
fn decode_parses_strictly_without_verifying() {
    // A forged token (wrong secret) decodes: decode verifies nothing.
    let forged = jwt(
        &header("HS256", Some("hs256")),
        &claims_with(json!({"sub": "admin"})),
        Algorithm::HS256,
        &SignKey::Hmac(b"not-the-secret-not-the-secret-!!".to_vec()),
    );
    let unverified = decode(&forged).expect("decodes");
    assert_eq!(unverified.header_json().get("alg"), Some(&json!("HS256")));
    assert_eq!(unverified.claims_json().get("sub"), Some(&json!("admin")));
    // But the structure rules still hold.
    let token = hs256(&claims());
    let code = |t: &str| decode(t).err().map(|e| e.code());
    // An unsecured token decodes (so inspection can show it) but never verifies.
    let unsecured = replace_segment(&token, 0, &b64(br#"{"alg":"none"}"#));
    let unsecured = replace_segment(&unsecured, 2, "");
    assert!(decode(&unsecured).is_ok());
    assert_code(&verifier(Policy::new()), &unsecured, NOW, UnsupportedAlg);
    assert_eq!(code(&format!("{token}.")), Some(Malformed));
    assert_eq!(
        code(&replace_segment(
            &token,
            1,
            &format!("{}=", token.split('.').nth(1).expect("payload"))
        )),
        Some(Malformed)
    );
    assert_eq!(
        code(&hs256_raw(br#"{"alg":"HS256","alg":"none"}"#, b"{}")),
        Some(Malformed)
    );
    assert_eq!(
        code(&hs256_raw(br#"{"alg":"HS256"}"#, br#"{"a":1,"a":2}"#)),
        Some(Malformed)
    );
    assert_eq!(
        code(&hs256_raw(br#"{"alg":"HS256"}"#, b"[]")),
        Some(Malformed)
    );
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(64), "]".repeat(64));
    assert_eq!(
        code(&hs256_raw(br#"{"alg":"HS256"}"#, deep.as_bytes())),
        Some(TooLarge)
    );
}
