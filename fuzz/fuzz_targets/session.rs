//! `session`: any sequence of inputs → `flow::session::step`. Per session (from one
//! `FetchToken` to the next) at most one `Finish`, and only on entering a finished state;
//! `OpenWidget` at most once and only after the token; a widget that opened is closed before the
//! outcome; `ForgetToken` once, exactly on entering `Completed` or `Failed`, before the outcome;
//! nothing happens after the outcome until the next `Start`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meld_repair::flow::session::{step, Effect, Input, State};

fuzz_target!(|data: &[u8]| {
    let mut state = State::Idle;
    let (mut finishes, mut opened, mut closed, mut forgotten, mut in_session) = (0, false, false, false, false);
    for &byte in data {
        let input = Input::ALL[usize::from(byte) % Input::ALL.len()];
        assert_eq!(Input::parse(input.as_str()), Some(input));
        let before = state;
        let Some((next, effects)) = step(state, input) else {
            // Nothing happens; a running session only ignores what cannot apply to it.
            continue;
        };
        assert_eq!(State::parse(next.as_str()), Some(next));
        for &effect in effects {
            match effect {
                Effect::FetchToken => {
                    assert_eq!(input, Input::Start);
                    assert!(!before.running(), "a second fetch inside a running session");
                    (finishes, opened, closed, forgotten, in_session) = (0, false, false, false, true);
                }
                Effect::OpenWidget => {
                    assert!(in_session && !opened && finishes == 0);
                    assert_eq!((before, input), (State::FetchingToken, Input::TokenReady));
                    opened = true;
                }
                Effect::CloseWidget => {
                    assert!(opened && !closed && finishes == 0);
                    closed = true;
                }
                Effect::ForgetToken => {
                    assert!(in_session && !forgotten && finishes == 0);
                    assert!(matches!(next, State::Completed | State::Failed), "the token forgotten entering {next:?}");
                    forgotten = true;
                }
                Effect::Finish => {
                    assert!(in_session);
                    assert_eq!(forgotten, matches!(next, State::Completed | State::Failed), "{next:?} and the cached token");
                    finishes += 1;
                    assert_eq!(finishes, 1, "two outcomes for one session");
                    assert!(next.outcome().is_some(), "an outcome from {next:?}, a state no session ends in");
                    assert!(before.running());
                    assert_eq!(opened, closed, "the outcome came with the widget still open");
                }
            }
        }
        if !before.running() && !next.running() {
            panic!("{before:?} --{input:?}--> {next:?} outside a session");
        }
        if next.outcome().is_some() {
            assert_eq!(finishes, 1, "{before:?} --{input:?}--> {next:?} without an outcome");
        }
        state = next;
    }
});
