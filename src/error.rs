//! One error taxonomy for the whole package: every failure has a stable `code`, says whether
//! retrying can help, and carries a message that tells the developer what to do.

/// Stable machine codes. The JS side sees them as `error.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidConnection,
    InvalidIntent,
    InvalidOptions,
    InvalidCopy,
}

impl ErrorCode {
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::InvalidConnection,
        ErrorCode::InvalidIntent,
        ErrorCode::InvalidOptions,
        ErrorCode::InvalidCopy,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidConnection => "INVALID_CONNECTION",
            ErrorCode::InvalidIntent => "INVALID_INTENT",
            ErrorCode::InvalidOptions => "INVALID_OPTIONS",
            ErrorCode::InvalidCopy => "INVALID_COPY",
        }
    }

    /// Bad input stays bad on a second try; only transport failures are retryable.
    pub const fn retryable(self) -> bool {
        false
    }
}

/// An error with a code and a message. Messages are built without `format!` on purpose:
/// formatting machinery costs kilobytes in the shipped wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: &str) -> Self {
        Error { code, message: message.to_owned() }
    }

    /// `message` followed by a quoted value, e.g. `unknown intent "fix_it"`.
    pub fn with_value(code: ErrorCode, message: &str, value: &str) -> Self {
        let mut text = String::with_capacity(message.len() + value.len() + 3);
        text.push_str(message);
        text.push_str(" \"");
        text.push_str(value);
        text.push('"');
        Error { code, message: text }
    }
}

pub type Result<T> = core::result::Result<T, Error>;
