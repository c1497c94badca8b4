//! The input format every target shares, so seeds in fuzz/corpus/ stay readable: the input is
//! cut into lines at `\n`, each line one field, read with lossy UTF-8 (the wasm boundary hands
//! the core Rust strings, always valid UTF-8). A line that is exactly `~`, or a line past the
//! end, is an absent field (`None`); an empty line is the empty string.
#![allow(dead_code)]

pub struct Lines<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Lines<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lines { rest: Some(data) }
    }

    fn raw(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match rest.iter().position(|&byte| byte == b'\n') {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }

    /// The next field; absent reads as `None`.
    pub fn opt(&mut self) -> Option<String> {
        let raw = self.raw()?;
        (raw != b"~").then(|| String::from_utf8_lossy(raw).into_owned())
    }

    /// The next field; absent reads as the empty string.
    pub fn text(&mut self) -> String {
        self.opt().unwrap_or_default()
    }

    /// Everything left, newlines included (query strings and messages may contain them).
    pub fn rest(&mut self) -> Option<String> {
        let rest = self.rest.take()?;
        (rest != b"~").then(|| String::from_utf8_lossy(rest).into_owned())
    }

    /// Decimal digits, saturating; anything else (or absent) is `default`.
    pub fn number(&mut self, default: u64) -> u64 {
        match self.raw() {
            Some(raw) if !raw.is_empty() && raw.iter().all(u8::is_ascii_digit) => {
                raw.iter().fold(0u64, |n, &d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')))
            }
            _ => default,
        }
    }

    /// `1`, `true` or `yes` is true; anything else false.
    pub fn flag(&mut self) -> bool {
        matches!(self.raw(), Some(b"1" | b"true" | b"yes"))
    }

    /// A comma-separated list; absent or `~` is empty.
    pub fn list(&mut self) -> Vec<String> {
        match self.opt() {
            Some(line) if !line.is_empty() => line.split(',').map(str::to_owned).collect(),
            _ => Vec::new(),
        }
    }
}

/// Every 8-byte window of `token` that appears in `text`, for leak checks.
pub fn shares_window(text: &str, token: &str, window: usize) -> bool {
    token.len() >= window && token.as_bytes().windows(window).any(|piece| text.as_bytes().windows(window).any(|w| w == piece))
}

// base64url for building tokens: the one copy the native tests use too.
#[path = "../../tests/support/b64url.rs"]
mod b64url;
#[allow(unused_imports)] // only the jwt and token_response targets build tokens
pub use b64url::b64url;
