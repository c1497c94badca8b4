//! The repair session as a state machine: one table of (state, input) → (next state, effects),
//! and what each finished state's outcome carries. The browser glue feeds it every input
//! (clicks, token answers, widget events, closed windows, page hide) in whatever order they
//! arrive, performs the effects it returns and builds the outcome as [`State::outcome`] says.
//! Whatever the order, a session reports exactly one outcome: only leaving `FetchingToken` or
//! `Open` for a finished state carries `Effect::Finish`, and finished states ignore everything
//! but `Start`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Idle,
    FetchingToken,
    Open,
    Completed,
    Cancelled,
    Failed,
    /// The app's backend answered that the connection needs no repair (its 409
    /// `REPAIR_NOT_NEEDED`: the connection healed since the app read it).
    NotNeeded,
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
    /// The customer closed the modal or pressed Escape, or the popup or tab reads closed.
    CustomerClosed,
    /// The app called `close()`.
    AppClosed,
    /// The page is going away (`pagehide`).
    PageHidden,
    /// The token endpoint answered that no repair is needed, with its decision.
    RepairNotNeeded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Get a token. A request still in flight when the session ends is not aborted: its token
    /// is cached for the next `start()` (React Strict Mode starts, closes and starts again).
    FetchToken,
    OpenWidget,
    /// Remove the widget and every listener and timer of the session.
    CloseWidget,
    /// Drop the connection's cached token: a connect token is single-use once the connection
    /// completes, and one that failed is suspect. A cancelled session keeps it for the next try.
    ForgetToken,
    /// Report the session's one outcome: the state just entered, with the fields
    /// [`State::outcome`] names.
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
    (State::NotNeeded, Start,       FetchingToken, &[FetchToken]),
    (FetchingToken, TokenReady,     Open,          &[OpenWidget]),
    (FetchingToken, TokenFailed,    Failed,        &[ForgetToken, Finish]),
    (FetchingToken, RepairNotNeeded, State::NotNeeded, &[Finish]),
    (FetchingToken, AppClosed,      Cancelled,     &[Finish]),
    (FetchingToken, PageHidden,     Cancelled,     &[Finish]),
    (Open,          WidgetCompleted, Completed,    &[CloseWidget, ForgetToken, Finish]),
    (Open,          CustomerClosed, Cancelled,     &[CloseWidget, Finish]),
    (Open,          AppClosed,      Cancelled,     &[CloseWidget, Finish]),
    (Open,          PageHidden,     Cancelled,     &[CloseWidget, Finish]),
];

impl State {
    pub const ALL: &[State] = &[Idle, FetchingToken, Open, Completed, Cancelled, Failed, State::NotNeeded];

    pub const fn as_str(self) -> &'static str {
        match self {
            Idle => "idle",
            FetchingToken => "fetching_token",
            Open => "open",
            Completed => "completed",
            Cancelled => "cancelled",
            Failed => "failed",
            State::NotNeeded => "not_needed",
        }
    }

    pub fn parse(name: &str) -> Option<State> {
        State::ALL.iter().copied().find(|state| state.as_str() == name)
    }

    /// A session is running: `start()` joins it instead of opening a second widget.
    pub const fn running(self) -> bool {
        matches!(self, FetchingToken | Open)
    }

    /// What the outcome of a session that ended in this state carries besides its status and
    /// connection; `None` for a state no session ends in.
    pub const fn outcome(self) -> Option<Outcome> {
        const NOTHING: Outcome = Outcome { metadata: false, reason: false, error: false, data_arrives_by_webhook: false, backend_decision: false };
        match self {
            Completed => Some(Outcome { metadata: true, data_arrives_by_webhook: true, ..NOTHING }),
            Cancelled => Some(Outcome { reason: true, ..NOTHING }),
            Failed => Some(Outcome { error: true, ..NOTHING }),
            State::NotNeeded => Some(Outcome { backend_decision: true, ..NOTHING }),
            Idle | FetchingToken | Open => None,
        }
    }
}

/// Which fields of a session's outcome are set; the others are `null`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What the widget's `connect_complete` said (institution, accounts).
    pub metadata: bool,
    /// Who or what cancelled it: `customer_closed` (the modal), `window_lost` (a popup or tab
    /// that reads closed), `app_closed` or `page_hidden`.
    pub reason: bool,
    /// The error that ended it.
    pub error: bool,
    /// The connection's new state and data reach the app's backend by webhook, later; the
    /// outcome's `note` ([`WEBHOOK_NOTE`]) says so.
    pub data_arrives_by_webhook: bool,
    /// The outcome's `decision` is the one the app's backend sent (fresher than the app's).
    pub backend_decision: bool,
}

impl Outcome {
    /// The developer's note for the outcome, when it has one.
    pub const fn note(self) -> Option<&'static str> {
        if self.data_arrives_by_webhook { Some(WEBHOOK_NOTE) } else { None }
    }
}

/// Why the connection object the app holds is stale after a completed repair.
pub const WEBHOOK_NOTE: &str = "Meld sends BANK_LINKING_CONNECTION_STATUS_CHANGE (back to ACTIVE) and the data webhooks later; the connection object the app holds is stale until then.";

impl Input {
    pub const ALL: &[Input] =
        &[Start, TokenReady, TokenFailed, WidgetCompleted, CustomerClosed, AppClosed, PageHidden, RepairNotNeeded];

    pub const fn as_str(self) -> &'static str {
        match self {
            Start => "start",
            TokenReady => "token_ready",
            TokenFailed => "token_failed",
            WidgetCompleted => "widget_completed",
            CustomerClosed => "customer_closed",
            AppClosed => "app_closed",
            PageHidden => "page_hidden",
            RepairNotNeeded => "repair_not_needed",
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
            ForgetToken => "forget_token",
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
