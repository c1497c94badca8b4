//! The token request's retry policy: which answers are retried, and how long to wait.

use meld_repair::flow::retry::{backoff_ms, retryable_status};

#[test]
fn only_server_errors_and_rate_limits_are_retried() {
    for status in [500, 502, 503, 504, 429] {
        assert!(retryable_status(status), "{status}");
    }
    for status in [400, 401, 403, 404, 409, 422] {
        assert!(!retryable_status(status), "{status}");
    }
}

#[test]
fn backoff_doubles_with_jitter_and_is_capped() {
    assert_eq!((backoff_ms(0, 0.0), backoff_ms(0, 1.0)), (125, 250));
    assert_eq!((backoff_ms(1, 0.0), backoff_ms(1, 1.0)), (250, 500));
    assert_eq!(backoff_ms(30, 1.0), 4_000);
    assert!(backoff_ms(2, 0.5) > backoff_ms(1, 0.5));
    assert_eq!(backoff_ms(0, f64::NAN), backoff_ms(0, 0.0), "a broken random source still waits");
}
