//! A tiny reader for the widget URL and the app's allowed origins. It accepts less than a
//! browser does, never more: anything a browser might read differently from us (backslashes,
//! tabs and newlines it silently strips, credentials, percent-encoded or non-ASCII hosts) is
//! refused, so the origin we check is the origin the browser opens.

use super::query::hex_digit;

/// An absolute `http:`/`https:` URL, cut into the parts the flow checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetUrl {
    /// `http` or `https`, lowercase.
    pub scheme: String,
    /// Lowercase; an IPv6 address keeps its brackets, e.g. `[::1]`.
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
/// other schemes, no `//`, credentials (`user@`), an empty or odd host, a bad port,
/// whitespace, control characters or backslashes anywhere.
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
    host.eq_ignore_ascii_case("localhost") || host == "[::1]" || is_loopback_quad(host)
}

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
        let value = decimal(part).filter(|&value| value <= 255 && canonical && part.len() <= 3)?;
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

/// An IPv6 address (without brackets) in the form browsers print it: lowercase hex without
/// leading zeros, the longest run of two or more zero groups as `::`. Embedded IPv4
/// (`::ffff:1.2.3.4`) is refused.
fn canonical_ipv6(address: &str) -> Option<String> {
    let bytes = address.as_bytes();
    let compressed_at = bytes.windows(2).position(|pair| pair == b"::");
    let (head, tail) = match compressed_at {
        Some(at) => (address.get(..at)?, Some(address.get(at + 2..)?)),
        None => (address, None),
    };
    let mut groups = [0u16; 8];
    let mut count = 0;
    read_groups(head, &mut groups, &mut count)?;
    let head_count = count;
    if let Some(tail) = tail {
        read_groups(tail, &mut groups, &mut count)?;
        if count > 7 {
            return None;
        }
        // Move the tail groups to the end; the gap is the compressed zeros.
        let tail_count = count - head_count;
        let mut expanded = [0u16; 8];
        for (slot, &value) in expanded.iter_mut().take(head_count).zip(groups.iter()) {
            *slot = value;
        }
        for (slot, &value) in expanded.iter_mut().skip(8 - tail_count).zip(groups.iter().skip(head_count)) {
            *slot = value;
        }
        groups = expanded;
    } else if count != 8 {
        return None;
    }

    // The longest run of at least two zero groups, the first one on a tie.
    let (mut best_start, mut best_len, mut run_start, mut run_len) = (0, 0, 0, 0);
    for (index, &group) in groups.iter().enumerate() {
        if group == 0 {
            if run_len == 0 {
                run_start = index;
            }
            run_len += 1;
            if run_len > best_len {
                (best_start, best_len) = (run_start, run_len);
            }
        } else {
            run_len = 0;
        }
    }
    let mut out = String::with_capacity(41);
    out.push('[');
    let mut index = 0;
    while let Some(&group) = groups.get(index) {
        if best_len >= 2 && index == best_start {
            out.push_str("::");
            index += best_len;
            continue;
        }
        if index > 0 && !out.ends_with(':') {
            out.push(':');
        }
        push_hex(&mut out, group);
        index += 1;
    }
    out.push(']');
    Some(out)
}

/// Colon-separated groups of 1 to 4 hex digits into `groups` from `*count` on.
fn read_groups(part: &str, groups: &mut [u16; 8], count: &mut usize) -> Option<()> {
    if part.is_empty() {
        return Some(());
    }
    for group in part.split(':') {
        if group.is_empty() || group.len() > 4 {
            return None;
        }
        let value = group.bytes().try_fold(0u16, |value, byte| Some(value << 4 | u16::from(hex_digit(byte)?)))?;
        *groups.get_mut(*count)? = value;
        *count += 1;
    }
    Some(())
}

/// `value` in lowercase hex without leading zeros.
fn push_hex(out: &mut String, value: u16) {
    let mut started = false;
    for shift in [12u16, 8, 4, 0] {
        let digit = (value >> shift & 0xF) as u8;
        if started || digit != 0 || shift == 0 {
            started = true;
            out.push(char::from(if digit < 10 { b'0' + digit } else { b'a' + digit - 10 }));
        }
    }
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
        push_decimal(&mut origin, u64::from(port));
    }
    let url = WidgetUrl { scheme, host, port, origin, query: query.to_owned() };
    Some(Parts { url, path, has_query, has_fragment })
}

/// `host[:port]` or `[ipv6][:port]`: the lowercase host and the port, if written.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let (inside, after) = authority.split_once(']')?;
        let host = canonical_ipv6(inside.get(1..)?)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
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

/// 1..=65535 in decimal digits; anything else (empty, signs, a second `:`) is a bad port.
fn parse_port(digits: &str) -> Option<u16> {
    if digits.len() > 5 {
        return None;
    }
    decimal(digits).and_then(|port| u16::try_from(port).ok()).filter(|&port| port != 0)
}

/// ASCII digits (at most 9, so no overflow) as a number; `None` for anything else. Hand-rolled:
/// `str::parse` brings its error formatting into the wasm.
fn decimal(digits: &str) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.bytes().try_fold(0u32, |value, byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
}

/// Appends `value` in decimal without the formatting machinery.
pub(crate) fn push_decimal(out: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut rest = value;
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in digits.get(start..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}
