//! `decide`: look the situation up in [`RULES`] and say what the app should do.

use super::connection::Situation;
use crate::error::Result;
use crate::read::{Reader, Source};
use super::table::{self, Action, Reason, Rule, Standing, Verdict, RULES, UNKNOWN_STATUS};

/// The app's fields a decision depends on: the connection's, then the options'. The readers
/// read `id` and `institutionName` too, but only to echo the id and for `explain`. js/api.js
/// remembers decisions by exactly these fields (js/facts.js is generated from them, and
/// tests/core/decide.rs checks that the readers read nothing else a decision could depend on).
pub const DECISION_INPUTS: (&[&str], &[&str]) = (&["status", "statusReason"], &["refreshAttempts"]);

/// What an explanation depends on besides [`DECISION_INPUTS`]: the name woven in, the locale.
pub const EXPLANATION_INPUTS: (&[&str], &[&str]) = (&["institutionName"], &["locale"]);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecideOptions {
    /// How many refreshes (or checks) the app already made without the condition clearing.
    pub refresh_attempts: u32,
}

impl DecideOptions {
    /// `refreshAttempts` of the app's options object.
    pub fn read<S: Source>(options: &Reader<S>) -> Result<DecideOptions> {
        Ok(DecideOptions { refresh_attempts: options.count("refreshAttempts")? })
    }
}

/// Waiting doubles per attempt, up to a day.
const MAX_RETRY_AFTER_SECONDS: u32 = 24 * 60 * 60;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub situation: Situation,
    pub verdict: Verdict,
    /// The status is one the table knows.
    pub recognized: bool,
    /// The reason is none or one the table names for this status.
    pub reason_recognized: bool,
    pub retry_after_seconds: Option<u32>,
}

impl Decision {
    pub fn action(&self) -> Action {
        self.verdict.action
    }

    /// True exactly when the right move is the Meld widget with a repair connect token.
    pub fn open_widget(&self) -> bool {
        self.verdict.action == Action::Repair
    }

    pub fn customer_involved(&self) -> bool {
        self.verdict.action.involves_customer()
    }

    /// Where the connection stands, from [`STATUSES`](super::table::STATUSES); `None` exactly
    /// when the status is not recognized.
    pub fn standing(&self) -> Option<Standing> {
        table::standing(&self.situation.status)
    }

    pub fn terminal(&self) -> bool {
        self.standing().is_some_and(Standing::terminal)
    }
}

pub fn decide(situation: Situation, options: DecideOptions) -> Decision {
    let Some((rule, reason_recognized)) = find_rule(&situation) else {
        let retry_after_seconds = backoff(UNKNOWN_STATUS.retry_after_seconds, options.refresh_attempts);
        return Decision {
            situation,
            verdict: UNKNOWN_STATUS,
            recognized: false,
            reason_recognized: false,
            retry_after_seconds,
        };
    };
    let verdict = match rule.after_refresh {
        Some(escalated) if options.refresh_attempts >= 1 => escalated,
        _ => rule.verdict,
    };
    Decision {
        situation,
        verdict,
        recognized: true,
        reason_recognized,
        retry_after_seconds: backoff(verdict.retry_after_seconds, options.refresh_attempts),
    }
}

/// The row naming this status and reason, else the status's `Any` row; with whether the
/// reason was none or named.
fn find_rule(situation: &Situation) -> Option<(&'static Rule, bool)> {
    let mut rows = RULES.iter().filter(|rule| rule.status == situation.status);
    let reason = situation.reason.as_deref();
    let mut fallback = None;
    for rule in rows.by_ref() {
        match rule.reason {
            Reason::Is(named) if Some(named) == reason => return Some((rule, true)),
            Reason::Is(_) => {}
            Reason::Any => fallback = fallback.or(Some(rule)),
        }
    }
    fallback.map(|rule| (rule, reason.is_none()))
}

fn backoff(base: Option<u32>, attempts: u32) -> Option<u32> {
    base.map(|seconds| seconds.saturating_mul(1 << attempts.min(16)).min(MAX_RETRY_AFTER_SECONDS))
}
