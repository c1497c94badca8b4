//! `jwt`: any string → `flow::jwt::expiry`. It never panics, answers `Some` only for three
//! non-empty dot-separated parts within the length cap, and agrees with a reference built from
//! other parts: a group-of-four base64url decoder and serde_json for the payload (integer
//! `exp` values exactly; fractional ones to within rounding; cases where serde_json is
//! stricter than `JSON.parse`, lone surrogates and out-of-range numbers, are not compared).
//!
//! `claims` gives the same expiry, and its `connection` verdict agrees with serde_json's claim:
//! a string claim matches itself (when ASCII) and not another id; no claim is `None`.
//!
//! An input starting with `json:` is a payload: the rest is wrapped into a token with a fixed
//! header and signature, so the fuzzer can work on the JSON directly.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use meld_repair::flow::jwt::{claims, expiry, MAX_DEPTH, MAX_TOKEN_LEN};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let token = match text.strip_prefix("json:") {
        Some(payload) => ["eyJhbGciOiJIUzI1NiJ9.", &common::b64url(payload.as_bytes()), ".c2ln"].concat(),
        None => text.into_owned(),
    };
    let got = expiry(&token);
    if got.is_some() {
        assert!(token.len() <= MAX_TOKEN_LEN);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3, "Some for a token of {} parts", parts.len());
        assert!(parts.iter().all(|part| !part.is_empty()));
    }
    let other = claims(&token, "conn_other\u{1}");
    assert_eq!(other.map(|claims| claims.expires_at), got);
    if let (Some(other), Some(claim)) = (other, connection_claim(&token)) {
        match claim {
            None => assert_eq!(other.connection_matches, None, "{token:?}"),
            Some(serde_json::Value::String(id)) => {
                assert_eq!(other.connection_matches, Some(id == "conn_other\u{1}"), "{token:?}");
                if id.is_ascii() {
                    assert_eq!(claims(&token, &id).and_then(|claims| claims.connection_matches), Some(true), "{token:?}");
                }
            }
            Some(_) => assert_eq!(other.connection_matches, Some(false), "{token:?}"),
        }
    }
    match reference(&token) {
        Expect::Exactly(expected) => assert_eq!(got, expected, "{token:?}"),
        Expect::About(value) => {
            let got = got.unwrap_or_else(|| panic!("None, expected about {value}: {token:?}")) as f64;
            assert!((got - value.floor()).abs() <= 1.0 + value * 1e-12, "{got} vs {value}: {token:?}");
        }
        Expect::Any => {}
    }
});

/// The payload's `connection` claim as serde_json reads it (`Some(None)`: no claim), or `None`
/// when serde_json does not read the payload.
fn connection_claim(token: &str) -> Option<Option<serde_json::Value>> {
    let payload = decode(token.split('.').nth(1)?)?;
    let serde_json::Value::Object(mut claims) = serde_json::from_slice(&payload).ok()? else { return None };
    Some(claims.remove("connection"))
}

enum Expect {
    Exactly(Option<u64>),
    /// A positive number the payload wrote with a fraction or exponent.
    About(f64),
    Any,
}

fn reference(token: &str) -> Expect {
    if token.len() > MAX_TOKEN_LEN {
        return Expect::Exactly(None);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else { return Expect::Exactly(None) };
    let (Some(_), Some(payload), Some(_)) = (decode(header), decode(payload), decode(signature)) else {
        return Expect::Exactly(None);
    };
    let Ok(json) = std::str::from_utf8(&payload) else { return Expect::Exactly(None) };
    let value: serde_json::Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(error) => {
            // serde_json refuses lone surrogate escapes (JSON.parse and the reader take them)
            // and numbers past f64 (the reader skips them unless they are `exp`).
            let message = error.to_string();
            let stricter = message.contains("out of range") || has_surrogate_escape(json);
            return if stricter { Expect::Any } else { Expect::Exactly(None) };
        }
    };
    let serde_json::Value::Object(claims) = value else { return Expect::Exactly(None) };
    if nesting(json) > MAX_DEPTH as usize {
        return Expect::Exactly(None);
    }
    match claims.get("exp") {
        Some(serde_json::Value::Number(number)) => {
            if let Some(exp) = number.as_u64() {
                Expect::Exactly(Some(exp))
            } else if let Some(exp) = number.as_i64() {
                Expect::Exactly((exp == 0).then_some(0))
            } else {
                match number.as_f64() {
                    Some(exp) if exp.is_sign_negative() => Expect::Any, // -0, or a negative that underflowed
                    Some(exp) if exp == 0.0 => Expect::Exactly(Some(0)),
                    Some(exp) if exp < 1.8e19 => Expect::About(exp),
                    _ => Expect::Any, // at the edge of u64
                }
            }
        }
        _ => Expect::Exactly(None),
    }
}

/// The deepest nesting of non-empty containers in valid JSON text (the payload object is 1;
/// `[]` and `{}` do not nest, as the reader counts).
fn nesting(json: &str) -> usize {
    let bytes = json.as_bytes();
    // One entry per open container: whether it counts (it is not closed at once).
    let mut stack: Vec<bool> = Vec::new();
    let (mut in_string, mut escaped, mut deepest) = (false, false, 0usize);
    for (at, &byte) in bytes.iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                let close = if byte == b'[' { b']' } else { b'}' };
                let next = bytes[at + 1..].iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                stack.push(next != Some(&close));
                deepest = deepest.max(stack.iter().filter(|&&counted| counted).count());
            }
            b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    deepest
}

/// Whether the text has a `\\uD800`–`\\uDFFF` escape (over-approximated: an escaped
/// backslash before `u` counts too).
fn has_surrogate_escape(json: &str) -> bool {
    json.as_bytes().windows(4).any(|w| w[0] == b'\\' && w[1] == b'u' && matches!(w[2], b'd' | b'D') && matches!(w[3], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url in groups of four, one or two `=` allowed at the very end, a last group of 2 or
/// 3 characters allowed, unused low bits ignored.
fn decode(part: &str) -> Option<Vec<u8>> {
    let part = part.strip_suffix("==").or_else(|| part.strip_suffix('=')).unwrap_or(part);
    if part.is_empty() {
        return None;
    }
    let values: Vec<u32> = part.bytes().map(|b| ALPHABET.iter().position(|&a| a == b).map(|v| v as u32)).collect::<Option<_>>()?;
    let mut out = Vec::new();
    for group in values.chunks(4) {
        let n = group.iter().enumerate().fold(0u32, |n, (i, &v)| n | v << (18 - 6 * i));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        match group.len() {
            4 => out.extend_from_slice(&bytes),
            3 => out.extend_from_slice(&bytes[..2]),
            2 => out.push(bytes[0]),
            _ => return None,
        }
    }
    Some(out)
}

