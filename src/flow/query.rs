//! `application/x-www-form-urlencoded` reading, as `URLSearchParams` does it, for the widget
//! URL's `connectToken` and the metadata the widget sends as a query string.

use crate::text::hex_digit;

/// Pairs past this many are ignored: the flow reads a handful of keys, and a message with
/// thousands of pairs must not cost thousands of allocations.
pub const MAX_PAIRS: usize = 64;

/// The decoded `(key, value)` pairs, in order, at most [`MAX_PAIRS`]. Empty segments (`&&`)
/// are ignored, a segment without `=` has an empty value. A `?` is data, as in `URL.search`
/// after its first `?`: `??connectToken=x` has the key `?connectToken`.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    pairs(query).collect()
}

/// The value of the first pair (within the first [`MAX_PAIRS`]) whose decoded key is `key`.
pub fn query_param(query: &str, key: &str) -> Option<String> {
    pairs(query).find(|(name, _)| name == key).map(|(_, value)| value)
}

fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|segment| !segment.is_empty()).take(MAX_PAIRS).map(|segment| {
        let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
        (decode(key), decode(value))
    })
}

/// `+` is a space and `%XX` a byte; an invalid escape stays as written. Bytes that are not
/// UTF-8 become U+FFFD.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = match (byte, bytes.get(index + 1), bytes.get(index + 2)) {
            (b'%', Some(&high), Some(&low)) => hex_digit(high).zip(hex_digit(low)).map(|(high, low)| high << 4 | low),
            _ => None,
        };
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                index += 3;
            }
            None => {
                out.push(if byte == b'+' { b' ' } else { byte });
                index += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}
