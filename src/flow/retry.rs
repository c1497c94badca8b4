//! When to ask the app's backend for a token again, and how long to wait first. One policy for
//! both transports, `tokenUrl` (gloo-net) and the app's own `fetchToken`: js/repair-flow.js runs
//! the loop and asks [`next_delay`] after each failed attempt.

use crate::error::{Error, ErrorCode};

/// Network errors, 5xx and 429 may heal; any other 4xx will not (issue #3).
pub fn retryable_status(status: u16) -> bool {
    status >= 500 || status == 429
}

const FIRST_DELAY_MS: f64 = 250.0;
const MAX_DELAY_MS: f64 = 4_000.0;

/// Exponential backoff with jitter: attempt 0 waits 125–250 ms, then doubles, capped at 4 s.
/// `random` is in [0, 1); half the delay is fixed so retries never fire back to back.
pub fn backoff_ms(attempt: u32, random: f64) -> u32 {
    let ceiling = (FIRST_DELAY_MS * f64::from(1u32 << attempt.min(8))).min(MAX_DELAY_MS);
    let jitter = if (0.0..=1.0).contains(&random) { random } else { 0.0 };
    (ceiling / 2.0 * (1.0 + jitter)) as u32
}

/// After attempt number `attempt` (0 for the first) failed with `failure`: how long to wait
/// before the next one, or `None` to give up. Only a failed request that may heal is tried
/// again; a timeout is not (the app chose how long a customer waits), nor is an invalid answer.
pub fn next_delay(failure: &Error, attempt: u32, retries: u32, random: f64) -> Option<u32> {
    let again = failure.code == ErrorCode::TokenEndpointFailed && failure.retryable && attempt < retries;
    again.then(|| backoff_ms(attempt, random))
}
