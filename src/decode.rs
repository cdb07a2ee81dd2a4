//! Where a token is parsed: size, the three segments, strict base64url (RFC 7515 §2), strict JSON
//! (RFC 8259 with no BOM, no duplicate member names, no trailing data, nesting <= 64 levels: see
//! `json.rs`), and the header rules (`alg`, `kid`, `crit`). [`decode`] gives the header and claims
//! of a token for inspection, verifying nothing.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use crate::error::{Error, ErrorCode};
#[doc(hidden)]
pub use crate::json::scanner_disagreement;
use crate::json::JsonText;
pub use crate::json::{parse_json_object, JsonError, JsonObject, MAX_JSON_DEPTH};

/// Default and inspection limit on a token's length in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 64 * 1024;

/// Tokens longer than this get a warning from [`UnverifiedToken::warnings`]: many proxies and
/// servers cap a header line near 8 KiB.
const LARGE_TOKEN_WARNING_LEN: usize = 8 * 1024;

// ---------------------------------------------------------------------------------------------
// base64url

/// Marks an octet that is not in the base64url alphabet.
const INVALID: u8 = 0xff;

/// The base64url alphabet (RFC 4648 §5) as a decoding table: value 0-63, or [`INVALID`].
static BASE64URL: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Strict base64url decoding as RFC 7515 §2 defines it for JWS/JWK: only `A-Z a-z 0-9 - _`,
/// no `=` padding, no whitespace or line breaks, and the unpadded encoding must be canonical:
/// the length mod 4 is never 1 (no octet ends there) and the unused low bits of the last
/// character are zero (so each octet string has exactly one encoding, and a token cannot be
/// altered without changing its bytes). Returns `None` on any violation.
///
/// Table-driven, one allocation of the exact output size; used for token segments and JWK
/// members alike.
pub fn base64url_decode(input: &[u8]) -> Option<Vec<u8>> {
    let tail_len = input.len() % 4;
    let tail_out = match tail_len {
        0 => 0,
        2 => 1,
        3 => 2,
        // One character holds 6 bits: not a whole octet.
        _ => return None,
    };
    let (body, tail) = input.split_at(input.len() - tail_len);
    let body_out = body.len() / 4 * 3;
    // Written in place (not pushed), and the validity of a whole quad checked at once: this is
    // on every token's path, three times.
    let mut out = Vec::with_capacity(body_out + tail_out);
    out.resize(body_out, 0);
    let mut invalid = 0u8;
    for (quad, triple) in body.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let a = BASE64URL[usize::from(quad[0])];
        let b = BASE64URL[usize::from(quad[1])];
        let c = BASE64URL[usize::from(quad[2])];
        let d = BASE64URL[usize::from(quad[3])];
        // Valid values are < 64; INVALID has the top bit set.
        invalid |= a | b | c | d;
        let bits = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        triple[0] = (bits >> 16) as u8;
        triple[1] = (bits >> 8) as u8;
        triple[2] = bits as u8;
    }
    if invalid & 0x80 != 0 {
        return None;
    }
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (BASE64URL[usize::from(a)], BASE64URL[usize::from(b)]);
            // 12 bits for 8: the low 4 bits of `b` are unused and must be zero.
            if (a | b) & 0x80 != 0 || b & 0x0f != 0 {
                return None;
            }
            out.push(a << 2 | b >> 4);
        }
        [a, b, c] => {
            let (a, b, c) = (
                BASE64URL[usize::from(a)],
                BASE64URL[usize::from(b)],
                BASE64URL[usize::from(c)],
            );
            // 18 bits for 16: the low 2 bits of `c` are unused and must be zero.
            if (a | b | c) & 0x80 != 0 || c & 0x03 != 0 {
                return None;
            }
            out.push(a << 2 | b >> 4);
            out.push(b << 4 | c >> 2);
        }
        // `tail_len` is 0, 2 or 3 here.
        _ => return None,
    }
    Some(out)
}

/// Unpadded base64url (RFC 4648 §5), the one encoding [`base64url_decode`] accepts for these
/// bytes: JWK members, thumbprints (RFC 7638) and hashes (`ath`, `x5t#S256`) are written with it.
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // 2, 3 or 4 characters for 1, 2 or 3 bytes.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// base64url of the SHA-256 of `bytes`: a JWK thumbprint's last step, a DPoP proof's `ath`, the
/// package's cache key. Out of line: inlined, the hash is copied into each caller (this is in
/// the edge module's size budget).
#[inline(never)]
pub(crate) fn sha256_base64url(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    base64url_encode(&Sha256::digest(bytes))
}

fn json_error(what: &str, err: JsonError) -> Error {
    match err {
        JsonError::TooDeep => Error::new(ErrorCode::TooLarge, format!("{what}: {err}")),
        JsonError::Invalid(why) => Error::new(ErrorCode::Malformed, format!("{what}: {why}")),
    }
}

// ---------------------------------------------------------------------------------------------
// segments and header

/// The three segments of a compact JWS, base64url-decoded.
pub(crate) struct Segments<'t> {
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers.
    pub signing_input: &'t str,
    pub header: Vec<u8>,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Rule 1: size, exactly three segments, strict base64url. `allow_empty_signature` is only for
/// inspection (unsecured tokens can be looked at, never verified).
pub(crate) fn split_token(
    token: &str,
    max_len: usize,
    allow_empty_signature: bool,
) -> Result<Segments<'_>, Error> {
    if token.len() > max_len {
        return Err(Error::new(
            ErrorCode::TooLarge,
            format!("token is {} bytes, the limit is {max_len}", token.len()),
        ));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        let count = token.split('.').count();
        return Err(Error::new(
            ErrorCode::Malformed,
            format!("a compact JWS has 3 dot-separated segments, this token has {count}"),
        ));
    };
    if header.is_empty() {
        return Err(Error::new(
            ErrorCode::Malformed,
            "the header segment is empty",
        ));
    }
    if signature.is_empty() && !allow_empty_signature {
        return Err(Error::new(
            ErrorCode::Malformed,
            "the signature segment is empty",
        ));
    }
    let decode = |segment: &str, name: &str| {
        base64url_decode(segment.as_bytes()).ok_or_else(|| {
            Error::new(
                ErrorCode::Malformed,
                format!("the {name} segment is not strict base64url (RFC 7515 §2)"),
            )
        })
    };
    let signing_input = &token[..header.len() + 1 + payload.len()];
    Ok(Segments {
        signing_input,
        header: decode(header, "header")?,
        payload: decode(payload, "payload")?,
        signature: decode(signature, "signature")?,
    })
}

/// The protected header of a token.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    json: JsonText,
}

impl Header {
    /// The `alg` member as written (verified tokens: see `Verified::algorithm`).
    pub fn alg(&self) -> &str {
        self.json.get_str("alg").unwrap_or_default()
    }
    /// The `kid` member.
    pub fn kid(&self) -> Option<&str> {
        self.json.get_str("kid")
    }
    /// The `typ` member.
    pub fn typ(&self) -> Option<&str> {
        self.json.get_str("typ")
    }
    /// Any member.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.json.as_map().get(name)
    }
    /// The whole header.
    pub fn as_json(&self) -> &JsonObject {
        self.json.as_map()
    }
    /// The header's JSON text, as the token carried it.
    pub(crate) fn text(&self) -> &str {
        self.json.text()
    }
}

/// Header members whose meaning RFC 7515 defines; `crit` may not list them (§4.1.11).
const REGISTERED_HEADER_NAMES: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// Rule 2: the header is a strict JSON object; `alg` a non-empty string; `kid` a string;
/// `crit` is never supported (ill-formed: `malformed`; well-formed: `unsupported_crit`).
/// `jwk`, `jku`, `x5u`, `x5c` are kept for inspection but never locate or supply a key.
pub(crate) fn parse_header(bytes: Vec<u8>) -> Result<Header, Error> {
    let json = JsonText::parse(bytes).map_err(|err| json_error("header", err))?;
    match json.string("alg") {
        Some(alg) if !alg.is_empty() => {}
        Some(_) => {
            return Err(Error::for_claim(
                ErrorCode::Malformed,
                "alg",
                "the header's alg is empty",
            ));
        }
        None if json.contains("alg") => {
            return Err(Error::for_claim(
                ErrorCode::Malformed,
                "alg",
                "the header's alg is not a string",
            ))
        }
        None => {
            return Err(Error::for_claim(
                ErrorCode::Malformed,
                "alg",
                "the header has no alg",
            ))
        }
    }
    if json.contains("kid") && json.string("kid").is_none() {
        return Err(Error::for_claim(
            ErrorCode::Malformed,
            "kid",
            "the header's kid is not a string",
        ));
    }
    if let Some(crit) = json.value("crit") {
        check_crit(&crit, &json)?;
    }
    Ok(Header { json })
}

/// RFC 7515 §4.1.11: `crit` is a non-empty array of distinct strings naming extension members
/// present in the header, never registered names. No extension is supported (RFC 7797 `b64`
/// included), so a well-formed `crit` is `unsupported_crit`.
fn check_crit(crit: &Value, header: &JsonText) -> Result<(), Error> {
    let malformed = |why: &str| {
        Error::for_claim(
            ErrorCode::Malformed,
            "crit",
            format!("ill-formed crit: {why}"),
        )
    };
    let Value::Array(names) = crit else {
        return Err(malformed("not an array"));
    };
    if names.is_empty() {
        return Err(malformed("empty array"));
    }
    let mut seen: Vec<&str> = Vec::with_capacity(names.len());
    for name in names {
        let Some(name) = name.as_str() else {
            return Err(malformed("an entry is not a string"));
        };
        if name.is_empty() || REGISTERED_HEADER_NAMES.contains(&name) {
            return Err(malformed("lists a registered header name"));
        }
        if seen.contains(&name) {
            return Err(malformed("lists a name twice"));
        }
        if !header.contains(name) {
            return Err(malformed("lists a member the header does not have"));
        }
        seen.push(name);
    }
    Err(Error::for_claim(
        ErrorCode::UnsupportedCrit,
        "crit",
        format!(
            "critical header extension(s) not supported: {}",
            seen.join(", ")
        ),
    ))
}

/// Rule 6: the payload is a strict JSON object (checked after the signature).
pub(crate) fn parse_payload(bytes: Vec<u8>) -> Result<JsonText, Error> {
    JsonText::parse(bytes).map_err(|err| json_error("payload", err))
}

// ---------------------------------------------------------------------------------------------
// inspection

/// A token's header and claims, decoded for inspection. **Nothing about it is verified**: not
/// the signature, not the issuer, not the time. Use `Verifier::verify` to trust a token.
#[derive(Clone, Debug, PartialEq)]
pub struct UnverifiedToken {
    header: JsonText,
    claims: JsonText,
    token_len: usize,
    has_signature: bool,
}

/// A warning about a token found without any key: see [`UnverifiedToken::warnings`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenWarning {
    /// Stable snake_case code, e.g. `"alg_none"`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

/// Decodes a token for inspection: strict structure, base64url and JSON (the header and payload
/// must be JSON objects), but no signature, key, algorithm or claim check. An unsecured token
/// (empty signature) can be decoded, never verified.
pub fn decode(token: &str) -> Result<UnverifiedToken, Error> {
    let segments = split_token(token, DEFAULT_MAX_TOKEN_LEN, true)?;
    let header = JsonText::parse(segments.header).map_err(|err| json_error("header", err))?;
    let claims = parse_payload(segments.payload)?;
    Ok(UnverifiedToken {
        header,
        claims,
        token_len: token.len(),
        has_signature: !segments.signature.is_empty(),
    })
}

impl UnverifiedToken {
    /// The header, unverified.
    pub fn header_json(&self) -> &JsonObject {
        self.header.as_map()
    }

    /// The claims, unverified.
    pub fn claims_json(&self) -> &JsonObject {
        self.claims.as_map()
    }

    /// The header and the claims as JSON texts, as the token carried them (strictly valid).
    #[cfg_attr(
        not(feature = "wasm"),
        allow(dead_code, reason = "only the bindings use it")
    )]
    pub(crate) fn texts(&self) -> (&str, &str) {
        (self.header.text(), self.claims.text())
    }

    /// The claims as held, for reading a few of them without the whole map.
    #[cfg_attr(
        not(feature = "wasm"),
        allow(dead_code, reason = "only the bindings use it")
    )]
    pub(crate) fn claims(&self) -> &JsonText {
        &self.claims
    }

    /// Risks visible without a key: `alg: none`, symmetric algorithms, no `exp`, a lifetime over
    /// 24 h, headers that point at keys (`jku`, `x5u`, `jwk`, `x5c`), `crit`, very large tokens.
    pub fn warnings(&self) -> Vec<TokenWarning> {
        let mut warnings = Vec::new();
        let mut warn =
            |code: &'static str, message: String| warnings.push(TokenWarning { code, message });
        let alg = self.header.get_str("alg").unwrap_or("");
        if alg.eq_ignore_ascii_case("none") || !self.has_signature {
            warn(
                "alg_none",
                "unsecured token (alg none or no signature): it can never be verified".to_string(),
            );
        } else if alg.starts_with("HS") {
            warn(
                "symmetric_alg",
                format!("{alg} uses a shared secret: every verifier can also mint tokens"),
            );
        } else if crate::Algorithm::from_name(alg).is_none() {
            warn(
                "unknown_alg",
                format!("alg {alg:?} is not a supported JWS algorithm"),
            );
        }
        for member in ["jku", "x5u", "jwk", "x5c"] {
            if self.header.contains(member) {
                warn(
                    "key_in_header",
                    format!("header member {member} points at or embeds a key: never trust it (jwtward ignores it)"),
                );
            }
        }
        if self.header.contains("crit") {
            warn(
                "crit",
                "header has crit: critical extensions are rejected".to_string(),
            );
        }
        let number = |name: &str| self.claims.get_f64(name);
        match (number("exp"), number("iat").or(number("nbf"))) {
            (None, _) => warn(
                "no_exp",
                "no exp claim: the token never expires".to_string(),
            ),
            (Some(exp), Some(start)) if exp - start > 86_400.0 => warn(
                "long_lifetime",
                format!("lifetime is {}, over 24 h", describe_duration(exp - start)),
            ),
            _ => {}
        }
        if self.token_len > LARGE_TOKEN_WARNING_LEN {
            warn(
                "large_token",
                format!(
                    "token is {} bytes: many servers reject headers over 8 KiB",
                    self.token_len
                ),
            );
        }
        warnings
    }
}

/// "36 h", "12 days", "1801 years": a lifetime for people (integer arithmetic: no float
/// formatter in the WebAssembly module).
fn describe_duration(seconds: f64) -> String {
    // Only called for lifetimes over a day (positive): adding 0.5 rounds (no_std has no `round`).
    let hours = (seconds / 3600.0 + 0.5) as i64;
    if hours < 72 {
        format!("{hours} h")
    } else if hours < 24 * 730 {
        format!("{} days", hours / 24)
    } else {
        format!("{} years", hours / (24 * 365))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_strict() {
        assert_eq!(base64url_decode(b"").as_deref(), Some(&b""[..]));
        assert_eq!(base64url_decode(b"Zm9v").as_deref(), Some(&b"foo"[..]));
        assert_eq!(base64url_decode(b"Zm8").as_deref(), Some(&b"fo"[..]));
        assert_eq!(base64url_decode(b"Zg").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64url_decode(b"-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert!(base64url_decode(b"Zg==").is_none(), "padding");
        assert!(base64url_decode(b"Zh").is_none(), "unused bits set");
        assert!(base64url_decode(b"Zm9").is_none(), "unused bits set");
        assert!(base64url_decode(b"Z").is_none(), "length 1 mod 4");
        assert!(base64url_decode(b"Zm9v\n").is_none(), "whitespace");
        assert!(base64url_decode(b"+/8").is_none(), "standard alphabet");
        for len in 0..70 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url_encode(&bytes);
            assert_eq!(
                base64url_decode(text.as_bytes()),
                Some(bytes),
                "round trip of {len}"
            );
        }
    }

    #[test]
    fn crit_is_never_supported() {
        let code = |header: &str| {
            parse_header(header.as_bytes().to_vec())
                .err()
                .map(|e| e.code())
        };
        assert_eq!(
            code(r#"{"alg":"HS256","crit":["b64"],"b64":false}"#),
            Some(ErrorCode::UnsupportedCrit)
        );
        assert_eq!(
            code(r#"{"alg":"HS256","crit":[]}"#),
            Some(ErrorCode::Malformed)
        );
        assert_eq!(
            code(r#"{"alg":"HS256","crit":"b64","b64":false}"#),
            Some(ErrorCode::Malformed)
        );
        assert_eq!(
            code(r#"{"alg":"HS256","crit":["alg"]}"#),
            Some(ErrorCode::Malformed)
        );
        assert_eq!(
            code(r#"{"alg":"HS256","crit":["x"]}"#),
            Some(ErrorCode::Malformed)
        );
        assert_eq!(code(r#"{"alg":""}"#), Some(ErrorCode::Malformed));
        assert_eq!(
            code(r#"{"alg":"HS256","kid":7}"#),
            Some(ErrorCode::Malformed)
        );
        assert_eq!(code(r#"{"alg":"HS256","kid":"k"}"#), None);
    }
}
