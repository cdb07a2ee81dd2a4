//! Contract rule 7: the claim checks, their exact boundaries and their order. All tokens are
//! HS256 with the standard TEST ONLY secret (the claim layer does not depend on the algorithm;
//! `tests/attacks.rs` covers the algorithms).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use jwtward::{ErrorCode, Policy, Verifier};
use serde_json::{json, Value};

use ErrorCode::*;

/// A token with exactly these claims (nothing added).
fn token(claims: Value) -> String {
    hs256(&claims)
}

fn open() -> Verifier {
    verifier(Policy::new())
}

// =============================================================================================
// exp

#[test]
fn exp_boundaries_without_tolerance() {
    let v = open();
    // now >= exp is expired, so exp == now is expired.
    assert_code(&v, &token(json!({"exp": NOW})), NOW, Expired);
    assert_code(&v, &token(json!({"exp": NOW - 1})), NOW, Expired);
    assert_valid(&v, &token(json!({"exp": NOW + 1})), NOW);
    // The same token, the clock moving: valid one second before exp, expired at exp.
    let t = token(json!({"exp": NOW}));
    assert_valid(&v, &t, NOW - 1);
    assert_code(&v, &t, NOW, Expired);
    assert_code(&v, &t, NOW + 1, Expired);
}

#[test]
fn exp_boundaries_with_tolerance() {
    for tolerance in [1u64, 30, 300] {
        let v = verifier(Policy::new().clock_tolerance(tolerance));
        let t = tolerance as i64;
        let exp = NOW;
        let tok = token(json!({ "exp": exp }));
        // now == exp + t - 1: still valid; now == exp + t: expired.
        assert_valid(&v, &tok, exp + t - 1);
        assert_code(&v, &tok, exp + t, Expired);
        assert_code(&v, &tok, exp + t + 1, Expired);
    }
}

#[test]
fn exp_fractional_numeric_dates() {
    let v = open();
    assert_valid(&v, &token(json!({"exp": NOW as f64 + 0.5})), NOW);
    assert_valid(&v, &token(json!({"exp": NOW as f64 + 0.001})), NOW);
    assert_code(&v, &token(json!({"exp": NOW as f64 - 0.5})), NOW, Expired);
    assert_code(&v, &token(json!({"exp": NOW as f64})), NOW, Expired);
    // With tolerance 10: valid while now < exp + 10.
    let tol = verifier(Policy::new().clock_tolerance(10));
    let tok = token(json!({"exp": NOW as f64 + 0.5}));
    assert_valid(&tol, &tok, NOW + 10);
    assert_code(&tol, &tok, NOW + 11, Expired);
    // Exponent notation is a number too.
    assert_valid(
        &v,
        &hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            b"{\"exp\":1.7500006e9}",
        ),
        NOW,
    );
}

#[test]
fn exp_far_future_and_negative() {
    let v = open();
    assert_valid(&v, &token(json!({"exp": 1e15})), NOW);
    assert_valid(&v, &token(json!({"exp": i64::MAX})), NOW);
    assert_code(&v, &token(json!({"exp": -1})), NOW, Expired);
    assert_code(&v, &token(json!({"exp": 0})), NOW, Expired);
}

#[test]
fn no_exp_means_no_expiry_check() {
    let v = open();
    assert_valid(&v, &token(json!({"sub": "x"})), NOW);
    assert_valid(&v, &token(json!({})), NOW);
    // Unless it is required.
    let required = verifier(Policy::new().required_claims(["exp"]));
    assert_code(&required, &token(json!({"sub": "x"})), NOW, MissingClaim);
}

// =============================================================================================
// nbf

#[test]
fn nbf_boundaries_without_tolerance() {
    let v = open();
    // now < nbf is not yet valid, so nbf == now is valid.
    assert_valid(&v, &token(json!({"nbf": NOW})), NOW);
    assert_valid(&v, &token(json!({"nbf": NOW - 1})), NOW);
    assert_code(&v, &token(json!({"nbf": NOW + 1})), NOW, NotYetValid);
}

#[test]
fn nbf_boundaries_with_tolerance() {
    for tolerance in [1u64, 30, 300] {
        let v = verifier(Policy::new().clock_tolerance(tolerance));
        let t = tolerance as i64;
        let nbf = NOW;
        let tok = token(json!({ "nbf": nbf }));
        // now == nbf - t: valid; now == nbf - t - 1: not yet valid.
        assert_valid(&v, &tok, nbf - t);
        assert_code(&v, &tok, nbf - t - 1, NotYetValid);
    }
}

#[test]
fn nbf_fractional_numeric_dates() {
    let v = open();
    assert_code(
        &v,
        &token(json!({"nbf": NOW as f64 + 0.5})),
        NOW,
        NotYetValid,
    );
    assert_valid(&v, &token(json!({"nbf": NOW as f64 - 0.5})), NOW);
    let tol = verifier(Policy::new().clock_tolerance(5));
    assert_valid(&tol, &token(json!({"nbf": NOW as f64 + 5.0})), NOW);
    assert_code(
        &tol,
        &token(json!({"nbf": NOW as f64 + 5.5})),
        NOW,
        NotYetValid,
    );
}

// =============================================================================================
// iat

#[test]
fn iat_boundaries_without_tolerance() {
    let v = open();
    // iat > now is issued in the future, so iat == now is valid.
    assert_valid(&v, &token(json!({"iat": NOW})), NOW);
    assert_valid(&v, &token(json!({"iat": NOW - 1})), NOW);
    assert_code(&v, &token(json!({"iat": NOW + 1})), NOW, IssuedInFuture);
}

#[test]
fn iat_boundaries_with_tolerance() {
    for tolerance in [1u64, 30, 300] {
        let v = verifier(Policy::new().clock_tolerance(tolerance));
        let t = tolerance as i64;
        // iat == now + t: valid; iat == now + t + 1: issued in the future.
        assert_valid(&v, &token(json!({ "iat": NOW + t })), NOW);
        assert_code(
            &v,
            &token(json!({ "iat": NOW + t + 1 })),
            NOW,
            IssuedInFuture,
        );
    }
}

#[test]
fn iat_fractional_numeric_dates() {
    let v = open();
    assert_code(
        &v,
        &token(json!({"iat": NOW as f64 + 0.5})),
        NOW,
        IssuedInFuture,
    );
    assert_valid(&v, &token(json!({"iat": NOW as f64 - 0.5})), NOW);
    let tol = verifier(Policy::new().clock_tolerance(1));
    assert_valid(&tol, &token(json!({"iat": NOW as f64 + 1.0})), NOW);
    assert_code(
        &tol,
        &token(json!({"iat": NOW as f64 + 1.5})),
        NOW,
        IssuedInFuture,
    );
}

// =============================================================================================
// max token age (too_old)

#[test]
fn max_age_boundaries_without_tolerance() {
    let v = verifier(Policy::new().max_token_age(3600));
    // now - iat > max_age is too old, so exactly max_age is fine.
    assert_valid(&v, &token(json!({"iat": NOW - 3600})), NOW);
    assert_code(&v, &token(json!({"iat": NOW - 3601})), NOW, TooOld);
    assert_valid(&v, &token(json!({"iat": NOW})), NOW);
}

#[test]
fn max_age_boundaries_with_tolerance() {
    let v = verifier(Policy::new().max_token_age(3600).clock_tolerance(60));
    assert_valid(&v, &token(json!({"iat": NOW - 3660})), NOW);
    assert_code(&v, &token(json!({"iat": NOW - 3661})), NOW, TooOld);
    // Tolerance on the future side still applies.
    assert_valid(&v, &token(json!({"iat": NOW + 60})), NOW);
    assert_code(&v, &token(json!({"iat": NOW + 61})), NOW, IssuedInFuture);
}

#[test]
fn max_age_fractional_numeric_dates() {
    let v = verifier(Policy::new().max_token_age(100));
    assert_valid(&v, &token(json!({"iat": NOW as f64 - 100.0})), NOW);
    assert_code(&v, &token(json!({"iat": NOW as f64 - 100.5})), NOW, TooOld);
}

#[test]
fn max_age_requires_iat() {
    let v = verifier(Policy::new().max_token_age(3600));
    assert_code(&v, &token(json!({"exp": NOW + 60})), NOW, MissingClaim);
}

#[test]
fn max_age_zero() {
    let v = verifier(Policy::new().max_token_age(0));
    assert_valid(&v, &token(json!({"iat": NOW})), NOW);
    assert_code(&v, &token(json!({"iat": NOW - 1})), NOW, TooOld);
}

// =============================================================================================
// NumericDate types

/// `exp`/`nbf`/`iat` present but not a finite JSON number: `malformed`.
#[test]
fn time_claims_must_be_numbers() {
    let v = open();
    for name in ["exp", "nbf", "iat"] {
        for value in [
            json!("1750000600"),
            json!(null),
            json!(true),
            json!([NOW + 600]),
            json!({"t": NOW}),
            json!(""),
        ] {
            let mut claims = json!({"sub": "x"});
            claims[name] = value.clone();
            assert_code(&v, &token(claims), NOW, Malformed);
        }
        // Out-of-range numbers (not finite as f64).
        let raw = format!("{{\"{name}\":1e400}}");
        assert_code(
            &v,
            &hs256_raw(br#"{"alg":"HS256","kid":"hs256"}"#, raw.as_bytes()),
            NOW,
            Malformed,
        );
    }
    // Even with a max age set, a string iat is malformed (not missing).
    let aged = verifier(Policy::new().max_token_age(60));
    assert_code(&aged, &token(json!({"iat": "now"})), NOW, Malformed);
}

// =============================================================================================
// iss / sub

#[test]
fn issuer_must_match_exactly() {
    let v = verifier(Policy::new().issuer("https://issuer.example"));
    assert_valid(&v, &token(json!({"iss": "https://issuer.example"})), NOW);
    for iss in [
        "https://issuer.example/",
        "https://ISSUER.example",
        "http://issuer.example",
        "https://issuer.example ",
        "",
        "https://issuer.example\u{0}",
    ] {
        assert_code(&v, &token(json!({ "iss": iss })), NOW, BadIssuer);
    }
    assert_code(&v, &token(json!({"sub": "x"})), NOW, MissingClaim);
    // Not a string: never equal (a verifier may also call it malformed).
    for iss in [json!(["https://issuer.example"]), json!(1), json!(null)] {
        assert_code_in(
            &v,
            &token(json!({ "iss": iss })),
            NOW,
            &[BadIssuer, Malformed],
        );
    }
}

#[test]
fn several_issuers() {
    let v = verifier(Policy::new().issuers(["https://a.example", "https://b.example"]));
    assert_valid(&v, &token(json!({"iss": "https://a.example"})), NOW);
    assert_valid(&v, &token(json!({"iss": "https://b.example"})), NOW);
    assert_code(
        &v,
        &token(json!({"iss": "https://c.example"})),
        NOW,
        BadIssuer,
    );
    // Calling issuer() twice accepts both.
    let v = verifier(
        Policy::new()
            .issuer("https://a.example")
            .issuer("https://b.example"),
    );
    assert_valid(&v, &token(json!({"iss": "https://a.example"})), NOW);
    assert_valid(&v, &token(json!({"iss": "https://b.example"})), NOW);
}

#[test]
fn no_issuer_configured_accepts_any_issuer() {
    assert_valid(
        &open(),
        &token(json!({"iss": "https://anyone.example"})),
        NOW,
    );
}

#[test]
fn subject_must_match_exactly() {
    let v = verifier(Policy::new().subject("client-42"));
    assert_valid(&v, &token(json!({"sub": "client-42"})), NOW);
    for sub in ["client-43", "Client-42", "client-42 ", "client-4"] {
        assert_code(&v, &token(json!({ "sub": sub })), NOW, BadSubject);
    }
    assert_code(&v, &token(json!({"iss": "x"})), NOW, MissingClaim);
}

// =============================================================================================
// aud

#[test]
fn audience_as_string() {
    let v = verifier(Policy::new().audience("api://orders"));
    let verified = assert_valid(&v, &token(json!({"aud": "api://orders"})), NOW);
    assert_eq!(verified.claims().aud(), vec!["api://orders"]);
    for aud in [
        "api://Orders",
        "api://orders/",
        "api://order",
        "",
        " api://orders",
    ] {
        assert_code(&v, &token(json!({ "aud": aud })), NOW, BadAudience);
    }
}

#[test]
fn audience_as_array() {
    let v = verifier(Policy::new().audience("api://orders"));
    let verified = assert_valid(
        &v,
        &token(json!({"aud": ["api://billing", "api://orders"]})),
        NOW,
    );
    assert_eq!(
        verified.claims().aud(),
        vec!["api://billing", "api://orders"]
    );
    assert_valid(&v, &token(json!({"aud": ["api://orders"]})), NOW);
    assert_code(
        &v,
        &token(json!({"aud": ["api://billing", "api://shipping"]})),
        NOW,
        BadAudience,
    );
    assert_code(&v, &token(json!({"aud": []})), NOW, BadAudience);
}

/// An `aud` that is neither a string nor an array of strings is never accepted (the contract
/// names `bad_audience` for "sharing no value"; calling the shape itself `malformed` is also a
/// refusal).
#[test]
fn audience_of_the_wrong_shape_is_refused() {
    let v = verifier(Policy::new().audience("api://orders"));
    for aud in [
        json!(["api://orders", 7]),
        json!([null, "api://orders"]),
        json!([["api://orders"]]),
        json!(7),
        json!({"api://orders": true}),
        json!(true),
    ] {
        assert_code_in(
            &v,
            &token(json!({ "aud": aud })),
            NOW,
            &[BadAudience, Malformed],
        );
    }
}

#[test]
fn several_audiences_configured() {
    let v = verifier(Policy::new().audiences(["api://orders", "api://billing"]));
    assert_valid(&v, &token(json!({"aud": "api://billing"})), NOW);
    assert_valid(&v, &token(json!({"aud": ["x", "api://orders"]})), NOW);
    assert_code(&v, &token(json!({"aud": ["x", "y"]})), NOW, BadAudience);
}

/// RFC 7519 §4.1.3: a token with `aud` must be rejected by a recipient that does not identify
/// itself with a value in it, so a token with `aud` and no configured audience is `bad_audience`.
#[test]
fn token_audience_without_configured_audience_is_bad_audience() {
    let v = open();
    assert_code(&v, &token(json!({"aud": "api://orders"})), NOW, BadAudience);
    assert_code(
        &v,
        &token(json!({"aud": ["api://orders"]})),
        NOW,
        BadAudience,
    );
    // No aud at all: fine.
    assert_valid(&v, &token(json!({"sub": "x"})), NOW);
}

#[test]
fn configured_audience_requires_aud() {
    let v = verifier(Policy::new().audience("api://orders"));
    assert_code(&v, &token(json!({"sub": "x"})), NOW, MissingClaim);
}

// =============================================================================================
// typ

#[test]
fn typ_matching_is_case_insensitive_with_implied_application_prefix() {
    let v = verifier(Policy::new().typ("at+jwt"));
    for typ in [
        "at+jwt",
        "AT+JWT",
        "At+Jwt",
        "application/at+jwt",
        "APPLICATION/AT+JWT",
        "Application/at+JWT",
    ] {
        let tok = hs256_with_header(
            &json!({"alg": "HS256", "kid": "hs256", "typ": typ}),
            &claims(),
        );
        let verified = assert_valid(&v, &tok, NOW);
        assert_eq!(verified.header().typ(), Some(typ));
    }
    for typ in [
        "jwt",
        "JWT",
        "application/jwt",
        "at+jwt ",
        "text/at+jwt",
        "application/at+jwt/x",
        "at-jwt",
        "",
        "application/",
    ] {
        let tok = hs256_with_header(
            &json!({"alg": "HS256", "kid": "hs256", "typ": typ}),
            &claims(),
        );
        assert_code(&v, &tok, NOW, BadTyp);
    }
    // Missing when required.
    assert_code(&v, &hs256(&claims()), NOW, BadTyp);
    // Not a string: not the expected type (or malformed).
    let tok = hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256", "typ": 1}),
        &claims(),
    );
    assert_code_in(&v, &tok, NOW, &[BadTyp, Malformed]);
}

#[test]
fn typ_option_with_full_media_type() {
    let v = verifier(Policy::new().typ("application/at+jwt"));
    for typ in ["at+jwt", "application/at+jwt", "AT+JWT"] {
        let tok = hs256_with_header(
            &json!({"alg": "HS256", "kid": "hs256", "typ": typ}),
            &claims(),
        );
        assert_valid(&v, &tok, NOW);
    }
    let tok = hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256", "typ": "JWT"}),
        &claims(),
    );
    assert_code(&v, &tok, NOW, BadTyp);
    let jwt = verifier(Policy::new().typ("JWT"));
    for typ in ["JWT", "jwt", "application/jwt"] {
        let tok = hs256_with_header(
            &json!({"alg": "HS256", "kid": "hs256", "typ": typ}),
            &claims(),
        );
        assert_valid(&jwt, &tok, NOW);
    }
}

#[test]
fn no_typ_option_accepts_any_typ() {
    let v = open();
    for typ in ["JWT", "at+jwt", "something/else", ""] {
        let tok = hs256_with_header(
            &json!({"alg": "HS256", "kid": "hs256", "typ": typ}),
            &claims(),
        );
        assert_valid(&v, &tok, NOW);
    }
}

// =============================================================================================
// Required claims and custom claim equality

#[test]
fn required_claims_must_be_present() {
    let v = verifier(Policy::new().required_claims(["tenant_id", "jti"]));
    assert_valid(
        &v,
        &token(claims_with(json!({"tenant_id": "acme", "jti": "1"}))),
        NOW,
    );
    assert_valid(
        &v,
        &token(claims_with(json!({"tenant_id": 0, "jti": false}))),
        NOW,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"tenant_id": "acme"}))),
        NOW,
        MissingClaim,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"jti": "1"}))),
        NOW,
        MissingClaim,
    );
    assert_code(&v, &token(claims()), NOW, MissingClaim);
}

#[test]
fn custom_claim_equality() {
    let v = verifier(Policy::new().claim("tenant_id", json!("acme")));
    assert_valid(&v, &token(claims_with(json!({"tenant_id": "acme"}))), NOW);
    for value in [
        json!("ACME"),
        json!("acme "),
        json!(["acme"]),
        json!(1),
        json!({"id": "acme"}),
    ] {
        assert_code(
            &v,
            &token(claims_with(json!({ "tenant_id": value }))),
            NOW,
            BadClaim,
        );
    }
    // Absent: a mismatch too (or reported as missing).
    assert_code_in(&v, &token(claims()), NOW, &[BadClaim, MissingClaim]);
    // Numbers, booleans and structured values compare as JSON values.
    let v = verifier(
        Policy::new()
            .claim("level", json!(3))
            .claim("admin", json!(false))
            .claim("roles", json!(["a", "b"])),
    );
    assert_valid(
        &v,
        &token(claims_with(
            json!({"level": 3, "admin": false, "roles": ["a", "b"]}),
        )),
        NOW,
    );
    assert_code(
        &v,
        &token(claims_with(
            json!({"level": "3", "admin": false, "roles": ["a", "b"]}),
        )),
        NOW,
        BadClaim,
    );
    assert_code(
        &v,
        &token(claims_with(
            json!({"level": 3, "admin": true, "roles": ["a", "b"]}),
        )),
        NOW,
        BadClaim,
    );
    assert_code(
        &v,
        &token(claims_with(
            json!({"level": 3, "admin": false, "roles": ["b", "a"]}),
        )),
        NOW,
        BadClaim,
    );
}

/// Issue 10 finding 10: a policy integer above 2^53 is compared exactly, not as the `f64` it
/// rounds to (about 256 neighbouring ids share one). A token's number is taken as the issuer wrote
/// it (raw payload text), so floats and integers are both tried.
#[test]
fn large_integer_claims_compare_exactly() {
    const ID: u64 = 1_234_567_890_123_456_789;
    let v = verifier(Policy::new().claim("org_id", json!(ID)));
    let with_org_id = |number: &str| {
        hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            format!(r#"{{"sub":"client-42","org_id":{number}}}"#).as_bytes(),
        )
    };
    assert_valid(&v, &with_org_id("1234567890123456789"), NOW);
    // The issue's cases: each rounds to the same f64 as the expected id.
    for refused in [
        "1234567890123456700",
        "1234567890123456800",
        "1234567890123456831",
        "1.2345678901234568e18",
        "1234567890123456789.0",
        "1234567890123456788",
        "1234567890123456790",
        "-1234567890123456789",
        "1234567890123456789e0",
    ] {
        assert_code(&v, &with_org_id(refused), NOW, BadClaim);
    }
    // The integer limits and their neighbours, each against itself and the next one.
    for (expected, equal, unequal) in [
        (
            json!(i64::MAX),
            "9223372036854775807",
            "9223372036854775806",
        ),
        (
            json!(i64::MIN),
            "-9223372036854775808",
            "-9223372036854775807",
        ),
        (
            json!(u64::MAX),
            "18446744073709551615",
            "18446744073709551614",
        ),
        // 2^63 is an i64 overflow but a u64: still exact.
        (
            json!(9_223_372_036_854_775_808u64),
            "9223372036854775808",
            "9223372036854775807",
        ),
        (json!(0), "0", "1"),
        (json!(-1), "-1", "1"),
    ] {
        let v = verifier(Policy::new().claim("org_id", expected.clone()));
        assert_valid(&v, &with_org_id(equal), NOW);
        assert_code(&v, &with_org_id(unequal), NOW, BadClaim);
    }
    // A float equals an integer when it is exactly that integer: 1 and 1.0, 0 and -0, and large
    // floats that are exact integers (2^60, 2^64 - 2^11 is the last f64 below 2^64).
    for (expected, equal) in [
        (json!(1), "1.0"),
        (json!(1), "1e0"),
        (json!(1), "10e-1"),
        (json!(0), "-0"),
        (json!(0), "-0.0"),
        (json!(0), "0e5"),
        (
            json!(1_152_921_504_606_846_976u64),
            "1.152921504606846976e18",
        ),
        (
            json!(18_446_744_073_709_549_568u64),
            "1.8446744073709549568e19",
        ),
        (
            json!(-9_223_372_036_854_775_808i64),
            "-9.223372036854775808e18",
        ),
        (json!(1.5), "1.5"),
        (json!(1.0), "1"),
    ] {
        let v = verifier(Policy::new().claim("org_id", expected.clone()));
        assert_valid(&v, &with_org_id(equal), NOW);
    }
    for (expected, unequal) in [
        (json!(1), "1.0000000000000002"),
        (json!(u64::MAX), "1.8446744073709552e19"),
        (json!(i64::MIN), "-9.223372036854777e18"),
        (json!(1.5), "1"),
        (json!(1), "true"),
        (json!(1), "\"1\""),
    ] {
        let v = verifier(Policy::new().claim("org_id", expected.clone()));
        assert_code(&v, &with_org_id(unequal), NOW, BadClaim);
    }
    // The same exactness inside arrays and objects.
    let v = verifier(Policy::new().claim("ids", json!([ID, {"org": ID}])));
    let nested = |a: &str, b: &str| {
        hs256_raw(
            br#"{"alg":"HS256","kid":"hs256"}"#,
            format!(r#"{{"ids":[{a},{{"org":{b}}}]}}"#).as_bytes(),
        )
    };
    assert_valid(
        &v,
        &nested("1234567890123456789", "1234567890123456789"),
        NOW,
    );
    assert_code(
        &v,
        &nested("1234567890123456789", "1234567890123456800"),
        NOW,
        BadClaim,
    );
    assert_code(
        &v,
        &nested("1234567890123456800", "1234567890123456789"),
        NOW,
        BadClaim,
    );
    let v = verifier(Policy::new().claim("ids", json!([1, {"org": 2}])));
    assert_valid(&v, &nested("1.0", "2e0"), NOW);
    assert_code(&v, &nested("1.0", "2.5"), NOW, BadClaim);
}

// =============================================================================================
// Scopes

#[test]
fn scopes_from_scope_string() {
    let v = verifier(Policy::new().required_scopes(["orders:read"]));
    let verified = assert_valid(
        &v,
        &token(claims_with(
            json!({"scope": "openid orders:read orders:write"}),
        )),
        NOW,
    );
    let mut granted = verified.scopes().to_vec();
    granted.sort();
    assert_eq!(granted, vec!["openid", "orders:read", "orders:write"]);
    assert_valid(
        &v,
        &token(claims_with(json!({"scope": "orders:read"}))),
        NOW,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"scope": "openid orders:write"}))),
        NOW,
        InsufficientScope,
    );
}

#[test]
fn scopes_from_scp_array() {
    let v = verifier(Policy::new().required_scopes(["orders:read"]));
    let verified = assert_valid(
        &v,
        &token(claims_with(json!({"scp": ["orders:read", "openid"]}))),
        NOW,
    );
    let mut granted = verified.scopes().to_vec();
    granted.sort();
    assert_eq!(granted, vec!["openid", "orders:read"]);
    assert_code(
        &v,
        &token(claims_with(json!({"scp": ["orders:write"]}))),
        NOW,
        InsufficientScope,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"scp": []}))),
        NOW,
        InsufficientScope,
    );
}

#[test]
fn scopes_from_scope_and_scp_together() {
    let v = verifier(Policy::new().required_scopes(["a", "b"]));
    assert_valid(
        &v,
        &token(claims_with(json!({"scope": "a", "scp": ["b"]}))),
        NOW,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"scope": "a"}))),
        NOW,
        InsufficientScope,
    );
    assert_code(
        &v,
        &token(claims_with(json!({"scp": ["b"]}))),
        NOW,
        InsufficientScope,
    );
}

#[test]
fn scopes_are_exact_and_case_sensitive() {
    let v = verifier(Policy::new().required_scopes(["orders:read"]));
    for scope in [
        "Orders:Read",
        "ORDERS:READ",
        "orders:readonly",
        "orders:rea",
        "orders",
        "xorders:read",
        "orders:read,openid",
        "orders:read;",
    ] {
        assert_code(
            &v,
            &token(claims_with(json!({ "scope": scope }))),
            NOW,
            InsufficientScope,
        );
        assert_code(
            &v,
            &token(claims_with(json!({ "scp": [scope] }))),
            NOW,
            InsufficientScope,
        );
    }
    // Several spaces between scopes still split.
    assert_valid(
        &v,
        &token(claims_with(json!({"scope": "openid  orders:read"}))),
        NOW,
    );
}

#[test]
fn required_scopes_without_any_scope_claim() {
    let v = verifier(Policy::new().required_scopes(["orders:read"]));
    assert_code(&v, &token(claims()), NOW, InsufficientScope);
}

#[test]
fn scopes_are_reported_without_required_scopes() {
    let verified = assert_valid(&open(), &token(json!({"scope": "a b", "scp": ["c"]})), NOW);
    let mut granted = verified.scopes().to_vec();
    granted.sort();
    assert_eq!(granted, vec!["a", "b", "c"]);
}

/// A scope claim of another type is `malformed` with `claim` naming it (issue 11 §3), whether or
/// not scopes are required: the granted scopes are never silently short of a claim.
#[test]
fn scope_claims_of_another_type_are_malformed() {
    for policy in [Policy::new(), Policy::new().required_scopes(["a"])] {
        let v = verifier(policy);
        for (name, value) in [
            ("scope", json!(5)),
            ("scope", json!(null)),
            ("scope", json!(true)),
            ("scope", json!({"a": true})),
            ("scope", json!(["a", 1])),
            ("scp", json!(["a", null])),
            ("scp", json!([["a"]])),
            ("scp", json!(1.5)),
        ] {
            // Set directly: `claims_with` reads null as "remove".
            let mut payload = claims_with(json!({"scope": "a"}));
            payload[name] = value.clone();
            let err = v
                .verify(&token(payload), NOW)
                .expect_err("a scope claim of another type");
            assert_eq!(err.code(), Malformed, "{name}: {value}");
            assert_eq!(err.claim(), Some(name), "{name}: {value}");
        }
        // Arrays and strings, empty ones included, are fine.
        for fine in [
            json!({"scope": "", "scp": ["a"]}),
            json!({"scope": "a", "scp": []}),
            json!({"scope": "a", "scp": "b c"}),
        ] {
            assert!(
                v.verify(&token(claims_with(fine.clone())), NOW).is_ok(),
                "{fine}"
            );
        }
    }
}

/// `scope_claims` replaces where scopes are read: Entra ID application permissions (`roles`),
/// Auth0 RBAC (`permissions`). Claims not listed are not read at all.
#[test]
fn scope_claims_choose_where_scopes_are_read() {
    let entra = verifier(
        Policy::new()
            .scope_claims(["scp", "roles"])
            .required_scopes(["Orders.Read"]),
    );
    let verified = assert_valid(
        &entra,
        &token(claims_with(
            json!({"roles": ["Orders.Read", "Orders.Write"]}),
        )),
        NOW,
    );
    assert_eq!(verified.scopes(), ["Orders.Read", "Orders.Write"]);
    let verified = assert_valid(
        &entra,
        &token(claims_with(
            json!({"scp": "User.Read Orders.Read", "roles": ["Orders.Read"]}),
        )),
        NOW,
    );
    assert_eq!(verified.scopes(), ["User.Read", "Orders.Read"]);
    // `scope` is not read: neither granting nor malformed.
    let err = entra
        .verify(
            &token(claims_with(json!({"scope": "Orders.Read", "roles": ["x"]}))),
            NOW,
        )
        .expect_err("scope is not a scope claim here");
    assert_eq!(err.code(), InsufficientScope);
    assert_eq!(err.claim(), Some("scp"), "the first scope claim is named");
    assert_valid(
        &entra,
        &token(claims_with(json!({"scope": 5, "roles": ["Orders.Read"]}))),
        NOW,
    );
    assert_code(
        &entra,
        &token(claims_with(json!({"roles": "Orders.Read", "scp": 5}))),
        NOW,
        Malformed,
    );
    // Auth0 RBAC: `permissions`, an array.
    let auth0 = verifier(
        Policy::new()
            .scope_claims(["permissions"])
            .required_scopes(["read:orders"]),
    );
    assert_valid(
        &auth0,
        &token(claims_with(
            json!({"scope": "openid", "permissions": ["read:orders"]}),
        )),
        NOW,
    );
    assert_code(
        &auth0,
        &token(claims_with(json!({"scope": "read:orders"}))),
        NOW,
        InsufficientScope,
    );
    // The checklist says which claims were read.
    let explanation = auth0.explain(
        &token(claims_with(json!({"permissions": ["read:orders"]}))),
        NOW,
    );
    let scopes = explanation
        .checks
        .iter()
        .find(|check| check.id == "scopes")
        .expect("scopes check");
    assert_eq!(scopes.status, jwtward::CheckStatus::Passed);
    assert!(scopes.detail.contains("permissions"), "{}", scopes.detail);
    let explanation = entra.explain(&token(claims_with(json!({"roles": ["x"]}))), NOW);
    let scopes = explanation
        .checks
        .iter()
        .find(|check| check.id == "scopes")
        .expect("scopes check");
    assert_eq!(scopes.status, jwtward::CheckStatus::Failed);
    assert!(
        scopes.detail.contains("scp") && scopes.detail.contains("roles"),
        "{}",
        scopes.detail
    );
}

/// A scope claim that starts with `/` is a JSON Pointer (RFC 6901) into the claims: Keycloak's
/// realm roles (`realm_access.roles`) and a client's roles (`resource_access.<client>.roles`),
/// read like any scope claim (an array of strings or a space-separated string; another type is
/// `malformed` naming the pointer; absent grants nothing).
#[test]
fn scope_claims_as_json_pointers() {
    let keycloak = verifier(
        Policy::new()
            .scope_claims([
                "scope",
                "/realm_access/roles",
                "/resource_access/orders-api/roles",
            ])
            .required_scopes(["orders-admin"]),
    );
    let verified = assert_valid(
        &keycloak,
        &token(claims_with(json!({
            "scope": "profile email",
            "realm_access": {"roles": ["offline_access", "orders-admin"]},
            "resource_access": {"orders-api": {"roles": ["reader"]}, "account": {"roles": ["x"]}},
        }))),
        NOW,
    );
    assert_eq!(
        verified.scopes(),
        [
            "profile",
            "email",
            "offline_access",
            "orders-admin",
            "reader"
        ]
    );
    // The client's roles count, another client's do not; a missing step grants nothing.
    assert_valid(
        &keycloak,
        &token(claims_with(json!({
            "resource_access": {"orders-api": {"roles": ["orders-admin"]}}
        }))),
        NOW,
    );
    for nothing in [
        json!({"resource_access": {"account": {"roles": ["orders-admin"]}}}),
        json!({"realm_access": {}}),
        json!({"realm_access": ["orders-admin"]}),
        json!({"realm_access": "orders-admin"}),
        json!({"realm_access/roles": ["orders-admin"]}),
        json!({"/realm_access/roles": ["orders-admin"]}),
    ] {
        assert_code(
            &keycloak,
            &token(claims_with(nothing.clone())),
            NOW,
            InsufficientScope,
        );
    }
    // The value itself must be a string or an array of strings.
    for (value, code) in [
        (json!(5), Malformed),
        (json!({"a": 1}), Malformed),
        (json!(["a", 1]), Malformed),
    ] {
        let err = keycloak
            .verify(
                &token(claims_with(json!({"realm_access": {"roles": value}}))),
                NOW,
            )
            .expect_err("a pointer to another type");
        assert_eq!(err.code(), code);
        assert_eq!(err.claim(), Some("/realm_access/roles"));
    }
    // RFC 6901 escapes (`~1` is `/`, `~0` is `~`) and array indexes.
    let escaped = verifier(
        Policy::new()
            .scope_claims(["/https:~1~1example.com~1roles", "/a~0b", "/groups/1/roles"])
            .required_scopes(["x", "y", "z"]),
    );
    assert_valid(
        &escaped,
        &token(claims_with(json!({
            "https://example.com/roles": ["x"],
            "a~b": "y",
            "groups": [{"roles": ["no"]}, {"roles": ["z"]}],
        }))),
        NOW,
    );
    assert_code(
        &escaped,
        &token(claims_with(json!({
            "https://example.com/roles": ["x"],
            "a~b": "y",
            "groups": [{"roles": ["z"]}],
        }))),
        NOW,
        InsufficientScope,
    );
    // An index into an array is decimal without leading zeros; in an object, `1` is a member name.
    let leading_zero = verifier(
        Policy::new()
            .scope_claims(["/groups/01"])
            .required_scopes(["z"]),
    );
    assert_code(
        &leading_zero,
        &token(claims_with(json!({"groups": ["a", "z"]}))),
        NOW,
        InsufficientScope,
    );
    assert_valid(
        &leading_zero,
        &token(claims_with(json!({"groups": {"01": "z"}}))),
        NOW,
    );
    assert_valid(
        &escaped,
        &token(claims_with(json!({
            "https://example.com/roles": "x",
            "a~b": ["y"],
            "groups": {"1": {"roles": "z"}},
        }))),
        NOW,
    );
    // A pointer with a bad `~` escape is refused with the policy: scope_claims_must_name_claims.
}

/// An empty list of scope claims, an empty name in it, or a JSON Pointer whose `~` is not `~0` or
/// `~1`, is a configuration error: a token's scopes must come from somewhere named.
#[test]
fn scope_claims_must_name_claims() {
    for policy in [
        Policy::new().scope_claims(Vec::<String>::new()),
        Policy::new().scope_claims(["scp", ""]),
        Policy::new().scope_claims(["scp", "/a~2"]),
    ] {
        match jwtward::Verifier::new(jwks(&standard_jwks_json()), policy) {
            Err(jwtward::ConfigError::InvalidPolicy { field, .. }) => {
                assert_eq!(field, "scopeClaims")
            }
            other => panic!("expected InvalidPolicy on scopeClaims, got {other:?}"),
        }
    }
    // The default is `scope` then `scp`; setting it explicitly changes nothing.
    let explicit = verifier(Policy::new().scope_claims(["scope", "scp"]));
    let tok = token(json!({"scope": "a b", "scp": ["b", "c"]}));
    assert_eq!(
        assert_valid(&explicit, &tok, NOW).scopes(),
        assert_valid(&open(), &tok, NOW).scopes()
    );
    assert_eq!(assert_valid(&open(), &tok, NOW).scopes(), ["a", "b", "c"]);
}

// =============================================================================================
// The order of the claim checks (contract rule 7): typ, required claims, NumericDate types,
// iss, sub, aud, exp, nbf, iat, max age, custom claims, scopes. A token failing two checks
// reports the earlier one.

fn strict() -> Verifier {
    verifier(
        Policy::new()
            .typ("at+jwt")
            .issuer("https://issuer.example")
            .subject("client-42")
            .audience("api://orders")
            .required_claims(["tenant_id"])
            .claim("tenant_id", json!("acme"))
            .max_token_age(3600)
            .required_scopes(["orders:read"]),
    )
}

fn good_claims() -> Value {
    claims_with(json!({"aud": "api://orders", "tenant_id": "acme", "scope": "orders:read"}))
}

fn at_jwt(claims: &Value) -> String {
    hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256", "typ": "at+jwt"}),
        claims,
    )
}

fn changed(changes: Value) -> Value {
    let mut claims = good_claims();
    let map = claims.as_object_mut().expect("object");
    for (name, value) in changes.as_object().expect("object") {
        if value.is_null() {
            map.remove(name);
        } else {
            map.insert(name.clone(), value.clone());
        }
    }
    claims
}

#[test]
fn order_baseline_is_valid() {
    assert_valid(&strict(), &at_jwt(&good_claims()), NOW);
}

#[test]
fn order_typ_before_missing_claims() {
    let v = strict();
    let tok = hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256", "typ": "JWT"}),
        &json!({}),
    );
    assert_code(&v, &tok, NOW, BadTyp);
    let tok = hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256"}),
        &changed(json!({"iss": null, "aud": null})),
    );
    assert_code(&v, &tok, NOW, BadTyp);
}

#[test]
fn order_missing_claim_before_types_and_values() {
    let v = strict();
    // tenant_id missing, iss wrong, exp a string: missing_claim first.
    let tok = at_jwt(&changed(
        json!({"tenant_id": null, "iss": "https://evil.example", "exp": "later"}),
    ));
    assert_code(&v, &tok, NOW, MissingClaim);
    // iss missing while expired.
    let tok = at_jwt(&changed(json!({"iss": null, "exp": NOW - 10})));
    assert_code(&v, &tok, NOW, MissingClaim);
    // iat missing (max age set) while the audience is wrong.
    let tok = at_jwt(&changed(json!({"iat": null, "aud": "api://other"})));
    assert_code(&v, &tok, NOW, MissingClaim);
}

#[test]
fn order_types_before_issuer() {
    let v = strict();
    let tok = at_jwt(&changed(
        json!({"exp": "soon", "iss": "https://evil.example"}),
    ));
    assert_code(&v, &tok, NOW, Malformed);
    let tok = at_jwt(&changed(json!({"nbf": [1], "sub": "someone-else"})));
    assert_code(&v, &tok, NOW, Malformed);
}

#[test]
fn order_issuer_before_subject_audience_and_time() {
    let v = strict();
    let tok = at_jwt(&changed(
        json!({"iss": "https://evil.example", "sub": "x", "aud": "y", "exp": NOW - 100}),
    ));
    assert_code(&v, &tok, NOW, BadIssuer);
    // The brief's example: expired and wrong issuer reports the issuer.
    let tok = at_jwt(&changed(
        json!({"iss": "https://evil.example", "exp": NOW - 100}),
    ));
    assert_code(&v, &tok, NOW, BadIssuer);
}

#[test]
fn order_subject_before_audience() {
    let v = strict();
    let tok = at_jwt(&changed(json!({"sub": "x", "aud": "y", "exp": NOW - 100})));
    assert_code(&v, &tok, NOW, BadSubject);
}

#[test]
fn order_audience_before_time() {
    let v = strict();
    let tok = at_jwt(&changed(
        json!({"aud": "y", "exp": NOW - 100, "nbf": NOW + 100}),
    ));
    assert_code(&v, &tok, NOW, BadAudience);
}

#[test]
fn order_within_time_checks() {
    let v = strict();
    // expired and not yet valid (an inconsistent token): exp is checked first.
    let tok = at_jwt(&changed(json!({"exp": NOW - 100, "nbf": NOW + 100})));
    assert_code(&v, &tok, NOW, Expired);
    // not yet valid and issued in the future: nbf first.
    let tok = at_jwt(&changed(json!({"nbf": NOW + 100, "iat": NOW + 100})));
    assert_code(&v, &tok, NOW, NotYetValid);
    // expired and too old: exp first.
    let tok = at_jwt(&changed(json!({"exp": NOW - 1, "iat": NOW - 7200})));
    assert_code(&v, &tok, NOW, Expired);
}

#[test]
fn order_time_before_custom_claims_and_scopes() {
    let v = strict();
    let tok = at_jwt(&changed(
        json!({"exp": NOW - 1, "tenant_id": "other", "scope": "none"}),
    ));
    assert_code(&v, &tok, NOW, Expired);
    let tok = at_jwt(&changed(json!({"iat": NOW - 7200, "tenant_id": "other"})));
    assert_code(&v, &tok, NOW, TooOld);
    let tok = at_jwt(&changed(json!({"iat": NOW + 100, "scope": "none"})));
    assert_code(&v, &tok, NOW, IssuedInFuture);
}

#[test]
fn order_custom_claims_before_scopes() {
    let v = strict();
    let tok = at_jwt(&changed(json!({"tenant_id": "other", "scope": "none"})));
    assert_code(&v, &tok, NOW, BadClaim);
    let tok = at_jwt(&changed(json!({"scope": "orders:write"})));
    assert_code(&v, &tok, NOW, InsufficientScope);
}

/// Everything wrong at once: the token reports the first check, bad_typ.
#[test]
fn order_everything_wrong_reports_typ() {
    let v = strict();
    let tok = hs256_with_header(
        &json!({"alg": "HS256", "kid": "hs256", "typ": "JWT"}),
        &json!({"iss": 1, "sub": 2, "aud": 3, "exp": "x", "nbf": NOW + 9, "tenant_id": "other", "scope": ""}),
    );
    assert_code(&v, &tok, NOW, BadTyp);
}

// =============================================================================================
// The typed accessors of the verified result.

#[test]
fn verified_claims_accessors() {
    let v = verifier(Policy::new().audience("api://orders"));
    let tok = token(json!({
        "iss": "https://issuer.example",
        "sub": "client-42",
        "aud": ["api://orders", "api://billing"],
        "exp": NOW as f64 + 0.25,
        "nbf": NOW - 5,
        "iat": NOW - 5,
        "jti": "id-1",
        "tenant_id": "acme",
    }));
    let verified = assert_valid(&v, &tok, NOW);
    let claims = verified.claims();
    assert_eq!(claims.iss(), Some("https://issuer.example"));
    assert_eq!(claims.sub(), Some("client-42"));
    assert_eq!(claims.aud(), vec!["api://orders", "api://billing"]);
    assert_eq!(claims.exp(), Some(NOW as f64 + 0.25));
    assert_eq!(claims.nbf(), Some((NOW - 5) as f64));
    assert_eq!(claims.iat(), Some((NOW - 5) as f64));
    assert_eq!(claims.jti(), Some("id-1"));
    assert_eq!(claims.get("tenant_id"), Some(&json!("acme")));
    assert_eq!(claims.as_json().len(), 8);
    assert_eq!(verified.header().get("alg"), Some(&json!("HS256")));
    assert_eq!(verified.header().kid(), Some("hs256"));
}

/// Issue 13: a token that grants no scope at all says so, rather than ending on "granted: "
/// with nothing after it (the message reaches WWW-Authenticate's error_description).
#[test]
fn no_scope_granted_is_said_in_words() {
    let v = verifier(Policy::new().required_scopes(["orders:read"]));
    for claims in [json!({}), json!({"scope": ""}), json!({"scp": []})] {
        let err = v
            .verify(&token(claims_with(claims)), NOW)
            .expect_err("no scope granted");
        assert_eq!(err.code(), InsufficientScope);
        assert!(
            err.message().contains("no scope granted"),
            "{}",
            err.message()
        );
    }
    let err = v
        .verify(&token(claims_with(json!({"scope": "a b"}))), NOW)
        .expect_err("scope a b lacks orders:read");
    assert!(err.message().ends_with("\"a\", \"b\""), "{}", err.message());
}
