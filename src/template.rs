//! Placeholder splitting for text templates (`{institution}`, `{connectionId}`). `str::split_once`
//! with a string pattern links core's substring searcher and its panic formatting, several KB
//! of wasm; a byte scan for short ASCII markers does the same job.

/// The text before and after the first `marker`.
pub fn split_marker<'a>(text: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let at = text.as_bytes().windows(marker.len()).position(|window| window == marker.as_bytes())?;
    Some((text.get(..at)?, text.get(at + marker.len()..)?))
}

/// `text` with every `marker` replaced by `value`.
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
