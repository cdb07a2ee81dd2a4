//! Where `htu` is compared: RFC 3986 §6 normalisation of an `http`/`https` URI, so that a DPoP
//! proof's `htu` and the request's URI are compared as URIs, not as strings (RFC 9449 §4.3,
//! check 9, which also says to ignore the query and fragment).

use alloc::string::String;

/// Normalises `uri` for comparison (RFC 3986 §6.2.2 syntax-based, §6.2.3 scheme-based):
/// - the query and fragment are dropped (RFC 9449 §4.2: `htu` has neither);
/// - the scheme and host are lower-cased;
/// - percent-encoded unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded, and the hex
///   digits of the other percent-encodings upper-cased;
/// - dot segments (`.`, `..`) are removed from the path (RFC 3986 §5.2.4);
/// - the port is written without leading zeros, and dropped when empty or the scheme's
///   default (80 for `http`, 443 for `https`);
/// - an empty path becomes `/`.
///
/// `None` when `uri` is not an absolute `http` or `https` URI with a host: a relative
/// reference, another scheme, a userinfo part (RFC 9110 §4.2.4 forbids it in a target URI), a
/// port above 65535, a malformed percent-encoding, or any character that is not printable
/// ASCII. Hosts are compared as written: an internationalised name must arrive in its ASCII
/// (punycode) form, as URL parsers give it.
pub fn normalize_http_uri(uri: &str) -> Option<String> {
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    // Query and fragment: everything from the first `?` or `#`.
    let uri = uri.split(['?', '#']).next().unwrap_or_default();
    let (scheme, rest) = uri.split_once(':')?;
    let (scheme, default_port) = if scheme.eq_ignore_ascii_case("https") {
        ("https", "443")
    } else if scheme.eq_ignore_ascii_case("http") {
        ("http", "80")
    } else {
        return None;
    };
    let rest = rest.strip_prefix("//")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return None;
    }
    // An IP literal is bracketed and has colons of its own; the port follows the last colon
    // after it.
    let host_end = match authority.strip_prefix('[') {
        Some(literal) => literal.find(']')? + 2,
        None => authority.find(':').unwrap_or(authority.len()),
    };
    let (host, port) = authority.split_at(host_end);
    if host.is_empty() {
        return None;
    }
    let port = match port {
        "" => "",
        _ => port.strip_prefix(':')?,
    };
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port = port.trim_start_matches('0');
    // `trim_start_matches` left at most 5 digits of a valid port; "0" became "".
    if port.len() > 5 || port.parse::<u32>().is_ok_and(|p| p > 65_535) {
        return None;
    }

    let mut out = String::with_capacity(uri.len() + 1);
    out.push_str(scheme);
    out.push_str("://");
    push_normalized(&mut out, host, true)?;
    if !port.is_empty() && port != default_port {
        out.push(':');
        out.push_str(port);
    } else if port.is_empty() && authority.len() > host.len() + 1 {
        // A port of zeros only ("x:0", "x:000") is port 0, not an empty port.
        out.push_str(":0");
    }
    let mut decoded = String::with_capacity(path.len());
    push_normalized(&mut decoded, path, false)?;
    let path = remove_dot_segments(&decoded);
    if path.is_empty() {
        out.push('/');
    } else {
        out.push_str(&path);
    }
    Some(out)
}

/// Appends `part` with its percent-encodings normalised (unreserved characters decoded, other
/// hex digits upper-cased), and lower-cased when it is the host. `None` on a `%` that is not
/// followed by two hex digits.
fn push_normalized(out: &mut String, part: &str, is_host: bool) -> Option<()> {
    let bytes = part.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(char::from(if is_host { b.to_ascii_lowercase() } else { b }));
            i += 1;
            continue;
        }
        let (Some(&high), Some(&low)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
            return None;
        };
        let value = char::from(high).to_digit(16)? * 16 + char::from(low).to_digit(16)?;
        // Two hex digits: at most 0xff.
        let decoded = u8::try_from(value).ok()?;
        if decoded.is_ascii_alphanumeric() || matches!(decoded, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(if is_host {
                decoded.to_ascii_lowercase()
            } else {
                decoded
            }));
        } else {
            out.push('%');
            out.push(char::from(high.to_ascii_uppercase()));
            out.push(char::from(low.to_ascii_uppercase()));
        }
        i += 3;
    }
    Some(())
}

/// RFC 3986 §5.2.4 for an absolute path (or an empty one), which is all an authority-form
/// URI has.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            input = if input == "/.." { "/" } else { &input[3..] };
            let last = output.rfind('/').unwrap_or(0);
            output.truncate(last);
        } else if input == "." || input == ".." {
            input = "";
        } else {
            // The first segment, with its leading "/", up to the next "/".
            let end = input[1..].find('/').map_or(input.len(), |at| at + 1);
            output.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(uri: &str) -> Option<String> {
        normalize_http_uri(uri)
    }

    #[test]
    fn rfc_3986_section_6_normalisations() {
        let same = |a: &str, b: &str| {
            assert_eq!(n(a), n(b), "{a} vs {b}");
            assert!(n(a).is_some(), "{a}");
        };
        same(
            "HTTPS://Server.Example.COM/token",
            "https://server.example.com/token",
        );
        same(
            "https://server.example.com:443/token",
            "https://server.example.com/token",
        );
        same(
            "http://server.example.com:80/token",
            "http://server.example.com/token",
        );
        same(
            "https://server.example.com:/token",
            "https://server.example.com/token",
        );
        same(
            "https://server.example.com:00443/token",
            "https://server.example.com/token",
        );
        same("https://server.example.com", "https://server.example.com/");
        same(
            "https://server.example.com/%7Euser/%61",
            "https://server.example.com/~user/a",
        );
        same(
            "https://server.example.com/a%2fb",
            "https://server.example.com/a%2Fb",
        );
        same(
            "https://%53erver.example.com/",
            "https://server.example.com/",
        );
        same(
            "https://server.example.com/a/./b/../c",
            "https://server.example.com/a/c",
        );
        same(
            "https://server.example.com/a/%2E%2E/c",
            "https://server.example.com/c",
        );
        same(
            "https://server.example.com/..",
            "https://server.example.com/",
        );
        same(
            "https://server.example.com/token?x=1#f",
            "https://server.example.com/token",
        );
        same(
            "https://server.example.com#f",
            "https://server.example.com/",
        );
        same("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x");
        assert_eq!(
            n("HTTPS://Server.Example.COM:8443/A/%7eB?q").as_deref(),
            Some("https://server.example.com:8443/A/~B")
        );
        assert_eq!(
            n("http://h/%e2%82%ac").as_deref(),
            Some("http://h/%E2%82%AC")
        );
    }

    #[test]
    fn what_stays_different() {
        let differ = |a: &str, b: &str| assert_ne!(n(a), n(b), "{a} vs {b}");
        differ(
            "https://server.example.com/token",
            "http://server.example.com/token",
        );
        differ(
            "https://server.example.com/token",
            "https://server.example.com/Token",
        );
        differ(
            "https://server.example.com/token",
            "https://server.example.com/token/",
        );
        differ(
            "https://server.example.com:8443/",
            "https://server.example.com/",
        );
        differ(
            "https://server.example.com:80/",
            "https://server.example.com/",
        );
        differ(
            "https://server.example.com:0/",
            "https://server.example.com/",
        );
        differ(
            "https://server.example.com/a%2Fb",
            "https://server.example.com/a/b",
        );
        differ(
            "https://server.example.com/a",
            "https://server.example.com.evil/a",
        );
    }

    #[test]
    fn refuses_what_is_not_an_absolute_http_uri() {
        for uri in [
            "",
            "/token",
            "server.example.com/token",
            "ftp://server.example.com/",
            "https:/server.example.com/",
            "https:server.example.com",
            "https:///path",
            "https://user@server.example.com/",
            "https://server.example.com:65536/",
            "https://server.example.com:99999999999999999999/",
            "https://server.example.com:44x/",
            "https://[::1/",
            "https://server.example.com/%2",
            "https://server.example.com/%zz",
            "https://server.example.com/a b",
            "https://server.example.com/\u{e9}",
            "https://server.example.com/\t",
        ] {
            assert_eq!(n(uri), None, "{uri:?}");
        }
        assert!(n("https://server.example.com:65535/").is_some());
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        for uri in [
            "HTTPS://A.B:0443/%7e/./x/../%2f%41?q#f",
            "http://h:080",
            "https://[FE80::1]:8443/..%2F../a",
        ] {
            let once = n(uri).expect(uri);
            assert_eq!(n(&once).as_deref(), Some(once.as_str()), "{uri}");
        }
    }
}
