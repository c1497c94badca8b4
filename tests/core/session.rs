//! The session machine: the named paths of issue #3, then every sequence of inputs up to a
//! length, checking that a session reports exactly one outcome and always cleans up.

use meld_repair::flow::session::{step, Effect, Input, State};

fn run(inputs: &[Input]) -> (State, Vec<Effect>) {
    let mut state = State::Idle;
    let mut effects = Vec::new();
    for &input in inputs {
        if let Some((next, done)) = step(state, input) {
            state = next;
            effects.extend_from_slice(done);
        }
    }
    (state, effects)
}

#[test]
fn full_repair() {
    let (state, effects) = run(&[Input::Start, Input::TokenReady, Input::WidgetCompleted]);
    assert_eq!(state, State::Completed);
    assert_eq!(effects, [Effect::FetchToken, Effect::OpenWidget, Effect::CloseWidget, Effect::ForgetToken, Effect::Finish]);
}

#[test]
fn second_start_joins_the_running_session() {
    let (state, effects) = run(&[Input::Start, Input::Start, Input::TokenReady, Input::Start]);
    assert_eq!(state, State::Open);
    assert_eq!(effects, [Effect::FetchToken, Effect::OpenWidget], "one fetch, one widget");
}

#[test]
fn close_mid_fetch_and_mid_widget_cancel_once() {
    let (state, effects) = run(&[Input::Start, Input::AppClosed, Input::TokenReady, Input::AppClosed]);
    assert_eq!(state, State::Cancelled);
    assert_eq!(effects, [Effect::FetchToken, Effect::Finish], "a late token opens nothing");
    let (state, effects) = run(&[Input::Start, Input::TokenReady, Input::AppClosed, Input::WidgetCompleted, Input::CustomerClosed]);
    assert_eq!(state, State::Cancelled);
    assert_eq!(effects.iter().filter(|e| **e == Effect::Finish).count(), 1);
}

#[test]
fn a_finished_session_can_start_again() {
    let (state, effects) = run(&[Input::Start, Input::TokenFailed, Input::Start, Input::TokenReady]);
    assert_eq!(state, State::Open);
    assert_eq!(effects, [Effect::FetchToken, Effect::ForgetToken, Effect::Finish, Effect::FetchToken, Effect::OpenWidget]);
}

/// Every sequence of up to 7 inputs (8^7 ≈ 2.1 million): per session (the stretch between two
/// `FetchToken`s) exactly one `Finish` once it has ended, never two; `OpenWidget` at most once
/// and always followed by `CloseWidget` before the outcome; `ForgetToken` exactly when the
/// session enters `Completed` or `Failed`, once, before the outcome; no effect after the outcome.
#[test]
fn every_interleaving_reports_exactly_one_outcome_per_session() {
    let mut sequence = Vec::new();
    check_all(&mut sequence, 7);
}

fn check_all(sequence: &mut Vec<Input>, depth: usize) {
    check(sequence);
    if depth == 0 {
        return;
    }
    for &input in Input::ALL {
        sequence.push(input);
        check_all(sequence, depth - 1);
        sequence.pop();
    }
}

fn check(sequence: &[Input]) {
    let mut state = State::Idle;
    let (mut finishes, mut opened, mut closed, mut forgotten) = (0, false, false, false);
    for &input in sequence {
        let Some((next, effects)) = step(state, input) else {
            continue;
        };
        for &effect in effects {
            assert!(finishes == 0 || effect == Effect::FetchToken, "{sequence:?}: {effect:?} after the outcome");
            match effect {
                Effect::FetchToken => {
                    assert!(!state.running(), "{sequence:?}: a second fetch while running");
                    (finishes, opened, closed, forgotten) = (0, false, false, false);
                }
                Effect::OpenWidget => {
                    assert!(!opened, "{sequence:?}: two widgets");
                    opened = true;
                }
                Effect::CloseWidget => closed = true,
                Effect::ForgetToken => {
                    assert!(!forgotten, "{sequence:?}: the token forgotten twice");
                    assert!(matches!(next, State::Completed | State::Failed), "{sequence:?}: token forgotten entering {next:?}");
                    forgotten = true;
                }
                Effect::Finish => {
                    finishes += 1;
                    assert_eq!(finishes, 1, "{sequence:?}: two outcomes");
                    assert_eq!(opened, closed, "{sequence:?}: outcome with the widget still open");
                    assert_eq!(forgotten, matches!(next, State::Completed | State::Failed), "{sequence:?}: {next:?} and the token");
                }
            }
        }
        state = next;
        assert_eq!(state.running(), finishes == 0, "{sequence:?}: running exactly until the outcome");
    }
}

#[test]
fn each_finished_state_says_what_its_outcome_carries() {
    // (state, metadata, reason, error, data arrives by webhook, the backend's decision): from
    // issues #3 and #11, by hand.
    #[rustfmt::skip]
    let finished = [
        (State::Completed, true,  false, false, true,  false),
        (State::Cancelled, false, true,  false, false, false),
        (State::Failed,    false, false, true,  false, false),
        (State::NotNeeded, false, false, false, false, true),
    ];
    for (state, metadata, reason, error, by_webhook, backend) in finished {
        let outcome = state.outcome().unwrap_or_else(|| panic!("{state:?} ends a session"));
        assert_eq!(
            (outcome.metadata, outcome.reason, outcome.error, outcome.data_arrives_by_webhook, outcome.backend_decision),
            (metadata, reason, error, by_webhook, backend),
            "{state:?}"
        );
        assert_eq!(outcome.note().is_some(), by_webhook, "{state:?}: the note goes with the webhook data");
    }
    assert!(State::Completed.outcome().and_then(|outcome| outcome.note()).is_some_and(|note| note.contains("BANK_LINKING_CONNECTION_STATUS_CHANGE")));
    for state in State::ALL.iter().filter(|state| !finished.iter().any(|row| row.0 == **state)) {
        assert_eq!(state.outcome(), None, "{state:?} ends no session");
    }
}

#[test]
fn every_state_and_effect_has_a_stable_name() {
    for &state in State::ALL {
        assert_eq!(State::parse(state.as_str()), Some(state));
    }
    for &input in Input::ALL {
        assert_eq!(Input::parse(input.as_str()), Some(input));
    }
    let names: Vec<&str> = [Effect::FetchToken, Effect::OpenWidget, Effect::CloseWidget, Effect::ForgetToken, Effect::Finish].map(Effect::as_str).to_vec();
    assert_eq!(names, ["fetch_token", "open_widget", "close_widget", "forget_token", "finish"], "js/repair-flow.js switches on these");
}
