//! A tiny reader for the widget URL and the app's allowed origins. It accepts less than a
//! browser does, never more: anything a browser might read differently from us (backslashes,
//! tabs and newlines it silently strips, credentials, percent-encoded or non-ASCII hosts) is
//! refused, so the origin we check is the origin the browser opens. The one IPv6 host accepted
//! is the loopback literal `[::1]`: the widget policy admits no other (only loopback may be
//! plain http, and Meld's widget has a name), so other spellings are refused, not canonicalised.

use crate::text::{decimal, parse_decimal};

/// An absolute `http:`/`https:` URL, cut into the parts the flow checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetUrl {
    /// `http` or `https`, lowercase.
    pub scheme: String,
    /// Lowercase; the one IPv6 host, `[::1]`, keeps its brackets.
    pub host: String,
    /// The explicit port, `None` when absent or equal to the scheme's default (as `URL.port`).
    pub port: Option<u16>,
    /// `scheme://host[:port]`, the default port dropped, as `URL.origin` prints it.
    pub origin: String,
    /// Everything after `?` up to `#`, without the `?`; empty when there is none.
    pub query: String,
}

/// The URL and the parts `normalize_origin` needs besides.
struct Parts<'a> {
    url: WidgetUrl,
    path: &'a str,
    has_query: bool,
    has_fragment: bool,
}

/// Parses an absolute `http:`/`https:` URL with an authority. `None` for anything else:
/// other schemes, no `//`, credentials (`user@`), an empty or odd host, an IPv6 host other than
/// `[::1]`, a bad port, whitespace, control characters or backslashes anywhere.
pub fn parse(url: &str) -> Option<WidgetUrl> {
    split(url).map(|parts| parts.url)
}

/// `allowedWidgetOrigins` entries: an origin (`https://host[:port]`, optionally followed by a
/// single `/`) normalised the way `parse` prints `origin`.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let parts = split(origin)?;
    let bare = (parts.path.is_empty() || parts.path == "/") && !parts.has_query && !parts.has_fragment;
    bare.then_some(parts.url.origin)
}

/// `localhost`, a `127.x.y.z` dotted quad, or `[::1]`. Takes a host as `parse` returns it
/// (case is ignored anyway).
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == LOOPBACK_IPV6 || is_loopback_quad(host)
}

/// The IPv6 loopback address as browsers print it, the only IPv6 host the reader accepts.
const LOOPBACK_IPV6: &str = "[::1]";

/// `127.a.b.c` in the canonical form `canonical_quad` accepts.
fn is_loopback_quad(host: &str) -> bool {
    canonical_quad(host).is_some_and(|first| first == 127)
}

/// The first byte of a dotted quad written as browsers print it: four decimal parts 0..=255,
/// no leading zeros (browsers read `010` as octal, so such a host is not what it looks like).
fn canonical_quad(host: &str) -> Option<u32> {
    let mut count = 0;
    let mut first = None;
    for part in host.split('.') {
        count += 1;
        if count > 4 {
            return None;
        }
        let canonical = part == "0" || !part.starts_with('0');
        let value = parse_decimal(part, 255).filter(|_| canonical && part.len() <= 3)?;
        first = first.or(Some(value));
    }
    if count == 4 { first } else { None }
}

/// Whether a browser would read `host` as an IPv4 address (WHATWG "ends in a number": the last
/// label, ignoring one trailing dot, is decimal or `0x` hex). Such a host is accepted only in
/// canonical form, so our origin is the one the browser reports.
fn ends_in_number(host: &str) -> bool {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    (!last.is_empty() && last.bytes().all(|byte| byte.is_ascii_digit()))
        || hex.is_some_and(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

fn split(url: &str) -> Option<Parts<'_>> {
    // Browsers strip tabs and newlines and treat `\` as `/`; refusing them keeps one reading.
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let rest = rest.strip_prefix("//")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at_checked(authority_end)?;
    let (before_fragment, has_fragment) = match after.split_once('#') {
        Some((before, _)) => (before, true),
        None => (after, false),
    };
    let (path, query, has_query) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, query, true),
        None => (before_fragment, "", false),
    };

    // Credentials are how `https://meld.io@evil.example/` hides its real host.
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_host_port(authority)?;
    let port = port.filter(|&port| port != default_port);

    let mut origin = String::with_capacity(scheme.len() + host.len() + 9);
    origin.push_str(&scheme);
    origin.push_str("://");
    origin.push_str(&host);
    if let Some(port) = port {
        origin.push(':');
        origin.push_str(&decimal(port));
    }
    let url = WidgetUrl { scheme, host, port, origin, query: query.to_owned() };
    Some(Parts { url, path, has_query, has_fragment })
}

/// `host[:port]` or `[::1][:port]`: the lowercase host and the port, if written.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(after) = authority.strip_prefix(LOOPBACK_IPV6) {
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (LOOPBACK_IPV6.to_owned(), port)
    } else if authority.starts_with('[') {
        return None;
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        // Letters, digits, `-`, `.` and `_` only: no percent-escapes or Unicode a browser would
        // decode into another name.
        let valid = !host.is_empty() && host.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_'));
        if !valid || (ends_in_number(host) && canonical_quad(host).is_none()) {
            return None;
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        Some(digits) => Some(parse_port(digits)?),
        None => None,
    };
    Some((host, port))
}

/// 1..=65535 in at most five decimal digits; anything else (empty, signs, a second `:`) is a
/// bad port.
fn parse_port(digits: &str) -> Option<u16> {
    if digits.len() > 5 {
        return None;
    }
    parse_decimal(digits, u32::from(u16::MAX)).and_then(|port| u16::try_from(port).ok()).filter(|&port| port != 0)
}
