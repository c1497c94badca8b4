//! The expiry of Meld's connect token, read WITHOUT verifying it: the signature is Meld's and
//! only Meld's servers check it. The browser reads `exp` to refuse a token that is already
//! dead before opening the widget (reference §6.3: a JWT that lives about 3 to 4 hours).
//!
//! Everything here is bounded: the token length is capped, the base64 decoder and the JSON
//! scanner are single passes, and nesting is tracked with a counter and a bit stack, never
//! with recursion.

use crate::text::hex_digit;

/// Meld's tokens are about 1 KB; anything much longer is not one.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Nesting deeper than this (the payload object itself counts as 1) is refused.
pub const MAX_DEPTH: u32 = 64;

/// The claims of a JWT this package checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claims {
    /// `exp`: seconds since the epoch, integer part.
    pub expires_at: u64,
    /// Whether the `connection` claim is the connection being repaired; `None` when the token
    /// has none (the claim is inferred from Meld's samples, so its absence is no error).
    pub connection_matches: Option<bool>,
}

/// The `exp` claim (seconds since the epoch, integer part) of a JWT, or `None` when `token`
/// is not three non-empty base64url parts whose middle one decodes to a JSON object with a
/// non-negative numeric `exp`.
pub fn expiry(token: &str) -> Option<u64> {
    claims(token, "").map(|claims| claims.expires_at)
}

/// [`expiry`] together with whether the `connection` claim names `connection_id` (an ASCII
/// id, compared as JSON.parse would decode the claim; one that is not a string does not).
pub fn claims(token: &str, connection_id: &str) -> Option<Claims> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || header.is_empty() || payload.is_empty() || signature.is_empty() {
        return None;
    }
    base64url(header)?;
    base64url(signature)?;
    let payload = base64url(payload)?;
    let payload = core::str::from_utf8(&payload).ok()?;
    payload_claims(payload.as_bytes(), connection_id.as_bytes())
}

/// Base64url without padding, or with up to two `=` at the end. Unused trailing bits are
/// tolerated.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.strip_suffix("==").or_else(|| text.strip_suffix('=')).unwrap_or(text);
    if trimmed.is_empty() || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() / 4 * 3 + 2);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in trimmed.bytes() {
        buffer = (buffer << 6 | u32::from(sextet(byte)?)) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Walks the top-level object and returns its claims when the whole payload is valid JSON.
/// A repeated claim reads as `JSON.parse` does: the last one wins.
fn payload_claims(json: &[u8], connection_id: &[u8]) -> Option<Claims> {
    let mut pos = skip_whitespace(json, 0);
    if json.get(pos) != Some(&b'{') {
        return None;
    }
    pos = skip_whitespace(json, pos + 1);
    let mut exp = None;
    let mut connection_matches = None;
    if json.get(pos) == Some(&b'}') {
        pos += 1;
    } else {
        loop {
            let (after_key, is_exp) = scan_string(json, pos, b"exp")?;
            let is_connection = !is_exp && scan_string(json, pos, b"connection")?.1;
            pos = skip_whitespace(json, after_key);
            if json.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_whitespace(json, pos + 1);
            let value_start = pos;
            pos = skip_value(json, pos, MAX_DEPTH - 1)?;
            if is_exp {
                exp = Some(json.get(value_start..pos).and_then(whole_seconds));
            } else if is_connection {
                let same = json.get(value_start) == Some(&b'"') && scan_string(json, value_start, connection_id)?.1;
                connection_matches = Some(same);
            }
            pos = skip_whitespace(json, pos);
            match json.get(pos) {
                Some(b',') => pos = skip_whitespace(json, pos + 1),
                Some(b'}') => {
                    pos += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if skip_whitespace(json, pos) != json.len() {
        return None;
    }
    Some(Claims { expires_at: exp.flatten()?, connection_matches })
}

fn skip_whitespace(json: &[u8], mut pos: usize) -> usize {
    while matches!(json.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// Skips one JSON value starting at `pos` and returns the position after it. Containers are
/// tracked in `stack`, one bit per level (1 = object, 0 = array), so `max_depth` ≤ 64.
fn skip_value(json: &[u8], mut pos: usize, max_depth: u32) -> Option<usize> {
    let mut stack: u64 = 0;
    let mut depth: u32 = 0;
    loop {
        // A value is expected at `pos`.
        pos = skip_whitespace(json, pos);
        match json.get(pos)? {
            b'"' => pos = scan_string(json, pos, b"")?.0,
            open @ (b'{' | b'[') => {
                let is_object = *open == b'{';
                let close = if is_object { b'}' } else { b']' };
                pos = skip_whitespace(json, pos + 1);
                if json.get(pos) == Some(&close) {
                    pos += 1;
                } else {
                    depth += 1;
                    if depth > max_depth || depth > 64 {
                        return None;
                    }
                    stack = stack << 1 | u64::from(is_object);
                    if is_object {
                        pos = member_key(json, pos)?;
                    }
                    continue;
                }
            }
            b't' => pos = literal(json, pos, b"true")?,
            b'f' => pos = literal(json, pos, b"false")?,
            b'n' => pos = literal(json, pos, b"null")?,
            b'-' | b'0'..=b'9' => pos = scan_number(json, pos)?,
            _ => return None,
        }
        // A value just ended: close containers until one continues with `,`.
        loop {
            if depth == 0 {
                return Some(pos);
            }
            let in_object = stack & 1 == 1;
            pos = skip_whitespace(json, pos);
            match (json.get(pos)?, in_object) {
                (b',', true) => {
                    pos = member_key(json, skip_whitespace(json, pos + 1))?;
                    break;
                }
                (b',', false) => {
                    pos += 1;
                    break;
                }
                (b'}', true) | (b']', false) => {
                    pos += 1;
                    depth -= 1;
                    stack >>= 1;
                }
                _ => return None,
            }
        }
    }
}

/// `"key" :` starting at `pos`; returns the position after the colon.
fn member_key(json: &[u8], pos: usize) -> Option<usize> {
    let pos = skip_whitespace(json, scan_string(json, pos, b"")?.0);
    (json.get(pos) == Some(&b':')).then_some(pos + 1)
}

fn literal(json: &[u8], pos: usize, word: &[u8]) -> Option<usize> {
    let end = pos.checked_add(word.len())?;
    (json.get(pos..end) == Some(word)).then_some(end)
}

/// A JSON string starting at the `"` at `pos`. Returns the position after the closing quote
/// and whether its decoded text equals `want` (ASCII), compared as it is scanned so nothing
/// is allocated.
fn scan_string(json: &[u8], pos: usize, want: &[u8]) -> Option<(usize, bool)> {
    if json.get(pos) != Some(&b'"') {
        return None;
    }
    let mut pos = pos + 1;
    let mut matched = 0;
    let mut equal = true;
    loop {
        let unit: u32 = match *json.get(pos)? {
            b'"' => return Some((pos + 1, equal && matched == want.len())),
            b'\\' => {
                let escape = *json.get(pos + 1)?;
                pos += 2;
                match escape {
                    b'"' | b'\\' | b'/' => u32::from(escape),
                    b'b' => 0x08,
                    b'f' => 0x0C,
                    b'n' => u32::from(b'\n'),
                    b'r' => u32::from(b'\r'),
                    b't' => u32::from(b'\t'),
                    b'u' => {
                        let digits = json.get(pos..pos + 4)?;
                        pos += 4;
                        let mut value = 0u32;
                        for &digit in digits {
                            value = value << 4 | u32::from(hex_digit(digit)?);
                        }
                        value
                    }
                    _ => return None,
                }
            }
            control if control < 0x20 => return None,
            byte => {
                pos += 1;
                u32::from(byte)
            }
        };
        if equal {
            equal = want.get(matched).is_some_and(|&expected| u32::from(expected) == unit);
            matched += 1;
        }
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; returns the position after it.
fn scan_number(json: &[u8], mut pos: usize) -> Option<usize> {
    if json.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match json.get(pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => pos = skip_digits(json, pos),
        _ => return None,
    }
    if json.get(pos) == Some(&b'.') {
        let start = pos + 1;
        pos = skip_digits(json, start);
        if pos == start {
            return None;
        }
    }
    if matches!(json.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(json.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        let start = pos;
        pos = skip_digits(json, start);
        if pos == start {
            return None;
        }
    }
    Some(pos)
}

fn skip_digits(json: &[u8], mut pos: usize) -> usize {
    while json.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    pos
}

/// The integer part of a JSON number that is not negative and fits in a `u64`, computed
/// from its digits (no float parsing, no rounding): `1.7e9` is 1700000000, `-0` is 0.
/// Anything else (a string, `true`, a negative number, `1e400`) is `None`.
fn whole_seconds(number: &[u8]) -> Option<u64> {
    let (negative, unsigned) = match number.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, number),
    };
    if !unsigned.first()?.is_ascii_digit() {
        return None;
    }
    let mantissa_end = unsigned.iter().position(|&byte| byte == b'e' || byte == b'E').unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at_checked(mantissa_end)?;
    let (integer, fraction) = match mantissa.iter().position(|&byte| byte == b'.') {
        Some(dot) => (mantissa.get(..dot)?, mantissa.get(dot + 1..)?),
        None => (mantissa, &[][..]),
    };
    let is_zero = integer.iter().chain(fraction).all(|&digit| digit == b'0');
    if negative && !is_zero {
        return None;
    }
    if is_zero {
        return Some(0);
    }
    // Shift the decimal point: the integer part is the first `point` digits of
    // `integer ++ fraction`, padded with zeros.
    let shift = match exponent.get(1..) {
        Some(digits) => {
            let (sign, digits) = match digits.split_first()? {
                (b'-', rest) => (-1, rest),
                (b'+', rest) => (1, rest),
                _ => (1, digits),
            };
            let magnitude = digits.iter().fold(0i64, |value, &digit| value.saturating_mul(10).saturating_add(i64::from(digit.saturating_sub(b'0'))));
            magnitude.saturating_mul(sign)
        }
        None => 0,
    };
    let point = i64::try_from(integer.len()).ok()?.saturating_add(shift);
    let mut value: u64 = 0;
    let mut digits = integer.iter().chain(fraction);
    let mut taken: i64 = 0;
    while taken < point {
        let digit = digits.next().map_or(0, |&digit| digit.saturating_sub(b'0'));
        // Not zero here, so overflow comes within 20 digits of the first non-zero one: the
        // loop stays short even for `1e999999999`.
        value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
        taken += 1;
    }
    Some(value)
}
