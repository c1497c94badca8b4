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
    OperationNotAdvised,
    ConnectionNotFound,
    MeldConflict,
    MeldRateLimited,
    MeldUnavailable,
    MeldAuthFailed,
    MeldBadRequest,
    InvalidRequest,
    RequestTooLarge,
    MethodNotAllowed,
    Forbidden,
    RepairNotNeeded,
    InvalidSignature,
    EventHandlerFailed,
    /// Thrown by the browser entries' JS (js/load-wasm.js): listed here so the types name it.
    WasmLoadFailed,
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
        // The server module (meld-repair/server): its client's refusals and Meld's answers,
        // then the codes its request handlers answer with.
        (ErrorCode::OperationNotAdvised,  "OPERATION_NOT_ADVISED",  false),
        (ErrorCode::ConnectionNotFound,   "CONNECTION_NOT_FOUND",   false),
        (ErrorCode::MeldConflict,         "MELD_CONFLICT",          false),
        (ErrorCode::MeldRateLimited,      "MELD_RATE_LIMITED",      true),
        (ErrorCode::MeldUnavailable,      "MELD_UNAVAILABLE",       true),
        (ErrorCode::MeldAuthFailed,       "MELD_AUTH_FAILED",       false),
        (ErrorCode::MeldBadRequest,       "MELD_BAD_REQUEST",       false),
        (ErrorCode::InvalidRequest,       "INVALID_REQUEST",        false),
        (ErrorCode::RequestTooLarge,      "REQUEST_TOO_LARGE",      false),
        (ErrorCode::MethodNotAllowed,     "METHOD_NOT_ALLOWED",     false),
        (ErrorCode::Forbidden,            "FORBIDDEN",              false),
        (ErrorCode::RepairNotNeeded,      "REPAIR_NOT_NEEDED",      false),
        (ErrorCode::InvalidSignature,     "INVALID_SIGNATURE",      false),
        (ErrorCode::EventHandlerFailed,   "EVENT_HANDLER_FAILED",   true),
        (ErrorCode::WasmLoadFailed,       "WASM_LOAD_FAILED",       false),
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
