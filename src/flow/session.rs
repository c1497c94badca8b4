//! The repair session as a state machine: one table of (state, input) → (next state, effects).
//! The browser glue feeds it every input (clicks, token answers, widget events, closed windows,
//! page hide) in whatever order they arrive and performs the effects it returns. Whatever the
//! order, a session reports exactly one outcome: only leaving `FetchingToken` or `Open` for a
//! finished state carries `Effect::Finish`, and finished states ignore everything but `Start`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Idle,
    FetchingToken,
    Open,
    Completed,
    Cancelled,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// `start()`: a new session, unless one is running.
    Start,
    /// The token endpoint answered with a valid, unexpired token.
    TokenReady,
    /// No token (the endpoint failed, timed out or answered something invalid), or no window
    /// to show the widget in (popup blocked).
    TokenFailed,
    /// The widget posted `connect_complete`.
    WidgetCompleted,
    /// The customer closed the modal, pressed Escape or closed the popup window.
    CustomerClosed,
    /// The app called `close()`.
    AppClosed,
    /// The page is going away (`pagehide`).
    PageHidden,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Get a token. A request still in flight when the session ends is not aborted: its token
    /// is cached for the next `start()` (React Strict Mode starts, closes and starts again).
    FetchToken,
    OpenWidget,
    /// Remove the widget and every listener and timer of the session.
    CloseWidget,
    /// Report the session's one outcome: the state just entered.
    Finish,
}

use Effect::*;
use Input::*;
use State::*;

/// Every transition; a pair not listed leaves the state unchanged with no effect.
#[rustfmt::skip]
const TRANSITIONS: &[(State, Input, State, &[Effect])] = &[
    (Idle,          Start,          FetchingToken, &[FetchToken]),
    (Completed,     Start,          FetchingToken, &[FetchToken]),
    (Cancelled,     Start,          FetchingToken, &[FetchToken]),
    (Failed,        Start,          FetchingToken, &[FetchToken]),
    (FetchingToken, TokenReady,     Open,          &[OpenWidget]),
    (FetchingToken, TokenFailed,    Failed,        &[Finish]),
    (FetchingToken, AppClosed,      Cancelled,     &[Finish]),
    (FetchingToken, PageHidden,     Cancelled,     &[Finish]),
    (Open,          WidgetCompleted, Completed,    &[CloseWidget, Finish]),
    (Open,          CustomerClosed, Cancelled,     &[CloseWidget, Finish]),
    (Open,          AppClosed,      Cancelled,     &[CloseWidget, Finish]),
    (Open,          PageHidden,     Cancelled,     &[CloseWidget, Finish]),
];

impl State {
    pub const ALL: &[State] = &[Idle, FetchingToken, Open, Completed, Cancelled, Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Idle => "idle",
            FetchingToken => "fetching_token",
            Open => "open",
            Completed => "completed",
            Cancelled => "cancelled",
            Failed => "failed",
        }
    }

    pub fn parse(name: &str) -> Option<State> {
        State::ALL.iter().copied().find(|state| state.as_str() == name)
    }

    /// A session is running: `start()` joins it instead of opening a second widget.
    pub const fn running(self) -> bool {
        matches!(self, FetchingToken | Open)
    }
}

impl Input {
    pub const ALL: &[Input] =
        &[Start, TokenReady, TokenFailed, WidgetCompleted, CustomerClosed, AppClosed, PageHidden];

    pub const fn as_str(self) -> &'static str {
        match self {
            Start => "start",
            TokenReady => "token_ready",
            TokenFailed => "token_failed",
            WidgetCompleted => "widget_completed",
            CustomerClosed => "customer_closed",
            AppClosed => "app_closed",
            PageHidden => "page_hidden",
        }
    }

    pub fn parse(name: &str) -> Option<Input> {
        Input::ALL.iter().copied().find(|input| input.as_str() == name)
    }
}

impl Effect {
    pub const fn as_str(self) -> &'static str {
        match self {
            FetchToken => "fetch_token",
            OpenWidget => "open_widget",
            CloseWidget => "close_widget",
            Finish => "finish",
        }
    }
}

/// The next state and what to do, or `None` when the input means nothing in this state (a late
/// token after `close()`, a second `connect_complete`, a window closing after success …).
pub fn step(state: State, input: Input) -> Option<(State, &'static [Effect])> {
    TRANSITIONS
        .iter()
        .find(|(from, on, _, _)| *from == state && *on == input)
        .map(|&(_, _, to, effects)| (to, effects))
}
