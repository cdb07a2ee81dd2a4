//! Where `htu` is compared: RFC 3986 §6 normalisation of an `http`/`https` URI, so that a DPoP
//! proof's `htu` and the request's URI are compared as URIs, not as strings (RFC 9449 §4.3,
//! check 9, which also says to ignore the query and fragment).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

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
    // Written over bytes (the URI is ASCII once checked) so that no char-boundary checks are
    // compiled in: this is in the edge module's size budget.
    let uri = uri.as_bytes();
    if !uri.iter().all(u8::is_ascii_graphic) {
        return None;
    }
    // Query and fragment: everything from the first `?` or `#`.
    let uri = &uri[..position(uri, |b| b == b'?' || b == b'#')];
    let starts = |prefix: &[u8]| {
        uri.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    let (scheme, default_port): (&[u8], u32) = if starts(b"https://") {
        (b"https://", 443)
    } else if starts(b"http://") {
        (b"http://", 80)
    } else {
        return None;
    };
    let rest = &uri[scheme.len()..];
    let (authority, path) = rest.split_at(position(rest, |b| b == b'/'));
    // An IP literal is bracketed and has colons of its own.
    let host_end = match authority.first() {
        Some(b'[') => authority.iter().position(|&b| b == b']')? + 1,
        _ => position(authority, |b| b == b':'),
    };
    let (host, port) = authority.split_at(host_end);
    let port = match port {
        [] => port,
        [b':', digits @ ..] => digits,
        _ => return None,
    };
    if host.is_empty() || authority.contains(&b'@') {
        return None;
    }
    let mut port_number: u32 = 0;
    for &digit in port {
        if !digit.is_ascii_digit() {
            return None;
        }
        port_number = port_number * 10 + u32::from(digit - b'0');
        if port_number > 65_535 {
            return None;
        }
    }

    let mut out = Vec::with_capacity(uri.len() + 1);
    out.extend_from_slice(scheme);
    push_normalized(&mut out, host, true)?;
    if !port.is_empty() && port_number != default_port {
        out.push(b':');
        out.extend_from_slice(port_number.to_string().as_bytes());
    }
    let mut decoded = Vec::with_capacity(path.len());
    push_normalized(&mut decoded, path, false)?;
    remove_dot_segments(&decoded, &mut out);
    if decoded.is_empty() {
        out.push(b'/');
    }
    // Only ASCII was written.
    String::from_utf8(out).ok()
}

/// The index of the first byte matching `found`, or the length.
fn position(bytes: &[u8], found: impl Fn(u8) -> bool) -> usize {
    bytes.iter().position(|&b| found(b)).unwrap_or(bytes.len())
}

/// Appends `part` with its percent-encodings normalised (unreserved characters decoded, other
/// hex digits upper-cased), and lower-cased when it is the host. `None` on a `%` that is not
/// followed by two hex digits.
fn push_normalized(out: &mut Vec<u8>, part: &[u8], is_host: bool) -> Option<()> {
    let case = |b: u8| if is_host { b.to_ascii_lowercase() } else { b };
    let mut rest = part;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'%' {
            out.push(case(b));
            continue;
        }
        let [high, low, tail @ ..] = rest else {
            return None;
        };
        rest = tail;
        let hex = |d: u8| char::from(d).to_digit(16);
        // Two hex digits: at most 0xff.
        let decoded = (hex(*high)? * 16 + hex(*low)?) as u8;
        if decoded.is_ascii_alphanumeric() || matches!(decoded, b'-' | b'.' | b'_' | b'~') {
            out.push(case(decoded));
        } else {
            out.extend_from_slice(&[b'%', high.to_ascii_uppercase(), low.to_ascii_uppercase()]);
        }
    }
    Some(())
}

/// RFC 3986 §5.2.4 for an absolute path (or an empty one), which is all an authority-form
/// URI has: appends the path without `.` and `..` segments to `out`, where `floor` (what
/// `out` held before) is never removed.
fn remove_dot_segments(path: &[u8], out: &mut Vec<u8>) {
    let floor = out.len();
    let mut input = path;
    while !input.is_empty() {
        // Each step looks at the segment after the leading "/" (the path always has one).
        let end = 1 + position(input.get(1..).unwrap_or_default(), |b| b == b'/');
        let (segment, rest) = input.split_at(end.min(input.len()));
        match segment {
            b"/." => {
                input = rest;
                if input.is_empty() {
                    out.push(b'/');
                }
            }
            b"/.." => {
                let last = out[floor..].iter().rposition(|&b| b == b'/').unwrap_or(0);
                out.truncate(floor + last);
                input = rest;
                if input.is_empty() {
                    out.push(b'/');
                }
            }
            _ => {
                out.extend_from_slice(segment);
                input = rest;
            }
        }
    }
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
