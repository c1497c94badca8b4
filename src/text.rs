//! The few text helpers the core needs, written so the shipped wasm stays small. Each stands in
//! for a std call that links kilobytes of machinery for what is a loop here:
//! - `format!`, `to_string` and `str::parse` bring `core::fmt` and its error formatting;
//! - `str::find`/`split_once`/`replace` with a *string* pattern bring core's substring searcher
//!   and its panic paths (a `char` pattern is fine).
//!
//! So messages are built with `[..].concat()`, numbers go through [`decimal`] and
//! [`parse_decimal`], placeholders through [`split_marker`], and long values through [`clip`].

/// The text before and after the first `marker` (a short ASCII placeholder such as
/// `{institution}`), found by a byte scan.
pub fn split_marker<'a>(text: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let at = text.as_bytes().windows(marker.len()).position(|window| window == marker.as_bytes())?;
    Some((text.get(..at)?, text.get(at + marker.len()..)?))
}

/// `text` with every `marker` replaced by `value`; a `value` holding the marker is not filled again.
pub fn replace_marker(text: &str, marker: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len() + value.len());
    let mut rest = text;
    while let Some((before, after)) = split_marker(rest, marker) {
        out.push_str(before);
        out.push_str(value);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `n` in decimal.
pub fn decimal(n: impl Into<u64>) -> String {
    decimal_u64(n.into())
}

fn decimal_u64(mut n: u64) -> String {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.get(start..).unwrap_or_default().iter().map(|&digit| char::from(digit)).collect()
}

/// ASCII digits (leading zeros allowed) as a number of at most `max`; `None` for anything else,
/// including the empty string, signs and spaces. Stops at the first digit past `max`, so a
/// megabyte of digits costs nothing.
pub fn parse_decimal(digits: &str, max: u32) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u32, |value, byte| {
        let digit = u32::from(byte.checked_sub(b'0').filter(|digit| *digit <= 9)?);
        value.checked_mul(10)?.checked_add(digit).filter(|&value| value <= max)
    })
}

/// The value of one hex digit, either case.
pub fn hex_digit(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The first `max_chars` characters of `text`, cut at a character boundary.
pub fn clip(text: &str, max_chars: usize) -> &str {
    let end = text.char_indices().nth(max_chars).map_or(text.len(), |(at, _)| at);
    text.get(..end).unwrap_or_default()
}
