//! One error taxonomy for the whole package: every failure has a stable `code`, says whether
//! retrying can help, and carries a message that tells the developer what to do.

use crate::text::clip;

/// Stable machine codes. The JS side sees them as `error.code` on a `MeldRepairError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidConnection,
    InvalidIntent,
    InvalidOptions,
    InvalidCopy,
    InvalidWebhook,
    TokenEndpointFailed,
    TokenEndpointTimeout,
    InvalidTokenResponse,
    WidgetUrlRejected,
    PopupBlocked,
    SessionClosed,
    SessionInProgress,
    Internal,
}

impl ErrorCode {
    /// (code, its name, whether trying again can help unless the error says otherwise).
    #[rustfmt::skip]
    const TABLE: &[(ErrorCode, &str, bool)] = &[
        (ErrorCode::InvalidConnection,    "INVALID_CONNECTION",     false),
        (ErrorCode::InvalidIntent,        "INVALID_INTENT",         false),
        (ErrorCode::InvalidOptions,       "INVALID_OPTIONS",        false),
        (ErrorCode::InvalidCopy,          "INVALID_COPY",           false),
        (ErrorCode::InvalidWebhook,       "INVALID_WEBHOOK",        false),
        (ErrorCode::TokenEndpointFailed,  "TOKEN_ENDPOINT_FAILED",  true),
        (ErrorCode::TokenEndpointTimeout, "TOKEN_ENDPOINT_TIMEOUT", true),
        (ErrorCode::InvalidTokenResponse, "INVALID_TOKEN_RESPONSE", false),
        (ErrorCode::WidgetUrlRejected,    "WIDGET_URL_REJECTED",    false),
        (ErrorCode::PopupBlocked,         "POPUP_BLOCKED",          true),
        (ErrorCode::SessionClosed,        "SESSION_CLOSED",         false),
        (ErrorCode::SessionInProgress,    "SESSION_IN_PROGRESS",    true),
        (ErrorCode::Internal,             "INTERNAL_ERROR",         true),
    ];

    pub fn all() -> impl Iterator<Item = ErrorCode> {
        ErrorCode::TABLE.iter().map(|row| row.0)
    }

    fn row(self) -> (&'static str, bool) {
        ErrorCode::TABLE.iter().find(|row| row.0 == self).map_or(("INTERNAL_ERROR", true), |row| (row.1, row.2))
    }

    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// The code named `name` (`"TOKEN_ENDPOINT_FAILED"`), as JS reports it back.
    pub fn parse(name: &str) -> Option<ErrorCode> {
        ErrorCode::TABLE.iter().find(|row| row.1 == name).map(|row| row.0)
    }

    pub fn retryable(self) -> bool {
        self.row().1
    }
}

/// An error with a code and a message. Messages are built without `format!` on purpose
/// (see `src/text.rs`): formatting machinery costs kilobytes in the shipped wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub retryable: bool,
}

impl Error {
    pub fn new(code: ErrorCode, message: &str) -> Self {
        Error { code, message: message.to_owned(), retryable: code.retryable() }
    }

    /// `message` followed by a quoted value, e.g. `…; got "fix_it"`; a long value is cut, so
    /// a 5 MB input does not become a 5 MB message.
    pub fn with_value(code: ErrorCode, message: &str, value: &str) -> Self {
        let shown = clip(value, MAX_QUOTED_CHARS);
        let more = if shown.len() < value.len() { "…" } else { "" };
        Error::new(code, &[message, " \"", shown, more, "\""].concat())
    }

    /// Overrides the code's default, e.g. a 404 from the token endpoint will not heal.
    pub fn retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }
}

/// How much of a bad value an error message quotes.
const MAX_QUOTED_CHARS: usize = 80;

pub type Result<T> = core::result::Result<T, Error>;
