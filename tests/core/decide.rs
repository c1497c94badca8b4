//! `decide`: the product table of issue #2, transcribed by hand from the issue (not from
//! `RULES`), checked row by row, together with every status × reason Meld documents.

use meld_repair::explain::Catalog;
use meld_repair::rules::{decide, Action, DecideOptions, Situation, Urgency};

const DOCUMENTED_RECONNECT_REASONS: &[Option<&str>] =
    &[Some("LOGIN_REQUIRED"), Some("TOKEN_EXPIRED"), Some("REPAIRING_INSTITUTION"), Some("OTHER"), None, Some("NEVER_HEARD_OF")];

fn verdict(status: &str, reason: Option<&str>, refresh_attempts: u32) -> (Action, Urgency, bool) {
    let decision = decide(Situation::new(status, reason), DecideOptions { refresh_attempts });
    (decision.action(), decision.verdict.urgency, decision.recognized)
}

#[track_caller]
fn expect(status: &str, reason: Option<&str>, action: Action, urgency: Urgency) {
    let got = verdict(status, reason, 0);
    assert_eq!((got.0, got.1), (action, urgency), "{status} / {reason:?}");
    assert!(got.2, "{status} should be recognized");
}

#[test]
fn reconnect_required_with_any_reason_is_a_required_repair() {
    for reason in DOCUMENTED_RECONNECT_REASONS {
        expect("RECONNECT_REQUIRED", *reason, Action::Repair, Urgency::Required);
    }
}

#[test]
fn unrecoverable_is_a_required_repair() {
    for reason in [Some("CONTINUED_AGGREGATION_FAILURES"), None, Some("SOMETHING_NEW")] {
        expect("UNRECOVERABLE", reason, Action::Repair, Urgency::Required);
    }
}

#[test]
fn active_rows() {
    expect("ACTIVE", Some("ACCESS_EXPIRING_SOON"), Action::Repair, Urgency::Recommended);
    expect("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE"), Action::Repair, Urgency::Optional);
    expect("ACTIVE", None, Action::NoAction, Urgency::NoUrgency);
    expect("ACTIVE", Some("SOMETHING_NEW"), Action::NoAction, Urgency::NoUrgency);
}

#[test]
fn degraded_rows() {
    expect("DEGRADED", Some("INTERACTIVE_REFRESH"), Action::Repair, Urgency::Recommended);
    expect("DEGRADED", Some("INSTITUTION_ACTION_REQUIRED"), Action::ContactInstitution, Urgency::Required);
    for reason in [
        Some("INSTITUTION_CURRENTLY_UNAVAILABLE"),
        Some("SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"),
        None,
        Some("SOMETHING_NEW"),
    ] {
        expect("DEGRADED", reason, Action::Wait, Urgency::NoUrgency);
        let decision = decide(Situation::new("DEGRADED", reason), DecideOptions::default());
        assert!(decision.retry_after_seconds.unwrap() > 0, "waiting says how long: {reason:?}");
    }
}

#[test]
fn partial_aggregation_is_a_refresh_then_a_recommended_repair() {
    expect("PARTIALLY_ACTIVE", Some("PARTIAL_AGGREGATION_SUCCESS"), Action::Refresh, Urgency::Optional);
    let after = verdict("PARTIALLY_ACTIVE", Some("PARTIAL_AGGREGATION_SUCCESS"), 1);
    assert_eq!((after.0, after.1), (Action::Repair, Urgency::Recommended));
    let after_many = verdict("PARTIALLY_ACTIVE", Some("PARTIAL_AGGREGATION_SUCCESS"), 7);
    assert_eq!((after_many.0, after_many.1), (Action::Repair, Urgency::Recommended));
}

#[test]
fn inactive_duplicate_is_resolved_by_the_backend() {
    expect("PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), Action::ResolveDuplicate, Urgency::NoUrgency);
}

#[test]
fn statuses_with_any_reason() {
    for reason in [None, Some("ANYTHING")] {
        expect("UNDETERMINED", reason, Action::Refresh, Urgency::NoUrgency);
        expect("IN_PROGRESS", reason, Action::Wait, Urgency::NoUrgency);
        expect("EXPIRED", reason, Action::NewConnection, Urgency::Optional);
        expect("DELETED", reason, Action::NoAction, Urgency::NoUrgency);
    }
}

#[test]
fn unknown_status_waits_unrecognized_and_keeps_the_raw_value() {
    let decision = decide(Situation::new("  Frozen_Solid ", Some("ice")), DecideOptions::default());
    assert_eq!(decision.action(), Action::Wait);
    assert_eq!(decision.verdict.urgency, Urgency::NoUrgency);
    assert!(!decision.recognized);
    assert_eq!(decision.situation.status, "FROZEN_SOLID");
    assert_eq!(decision.situation.reason.as_deref(), Some("ICE"));
    assert!(decision.retry_after_seconds.is_some());
}

#[test]
fn parsing_is_forgiving() {
    expect(" reconnect_required\n", Some("login_required "), Action::Repair, Urgency::Required);
    expect("Active", Some("  "), Action::NoAction, Urgency::NoUrgency);
    expect("active", Some(""), Action::NoAction, Urgency::NoUrgency);
    let empty = decide(Situation::new("ACTIVE", Some("")), DecideOptions::default());
    assert_eq!(empty.situation.reason, None, "an empty reason is no reason");
    let unknown_reason = decide(Situation::new("ACTIVE", Some("BRAND_NEW")), DecideOptions::default());
    assert!(unknown_reason.recognized && !unknown_reason.reason_recognized);
    assert_eq!(unknown_reason.situation.reason.as_deref(), Some("BRAND_NEW"));
}

#[test]
fn legacy_statuses_of_2022_11_10() {
    let available = decide(Situation::new("reconnect_available", None), DecideOptions::default());
    assert_eq!(available.situation.status, "ACTIVE");
    assert_eq!(available.situation.reason.as_deref(), Some("ACCESS_EXPIRING_SOON"));
    assert_eq!(available.situation.legacy_status, Some("RECONNECT_AVAILABLE"));
    assert_eq!((available.action(), available.verdict.urgency), (Action::Repair, Urgency::Recommended));

    let action_required = decide(Situation::new("CUSTOMER_ACTION_REQUIRED", Some("LOGIN_REQUIRED")), DecideOptions::default());
    assert_eq!(action_required.situation.status, "RECONNECT_REQUIRED");
    assert_eq!(action_required.situation.reason.as_deref(), Some("LOGIN_REQUIRED"));
    assert_eq!((action_required.action(), action_required.verdict.urgency), (Action::Repair, Urgency::Required));
}

#[test]
fn open_widget_exactly_for_repair_and_customer_involvement() {
    for (status, reason) in documented_situations() {
        for attempts in [0, 1] {
            let decision = decide(Situation::new(status, reason), DecideOptions { refresh_attempts: attempts });
            assert_eq!(decision.open_widget(), decision.action() == Action::Repair);
            let involved = matches!(decision.action(), Action::Repair | Action::ContactInstitution | Action::NewConnection);
            assert_eq!(decision.customer_involved(), involved, "{status} {reason:?}");
        }
    }
}

#[test]
fn waiting_backs_off_and_is_capped() {
    let wait = |attempts| {
        decide(Situation::new("DEGRADED", Some("INSTITUTION_CURRENTLY_UNAVAILABLE")), DecideOptions { refresh_attempts: attempts })
            .retry_after_seconds
            .unwrap()
    };
    assert_eq!(wait(1), wait(0) * 2);
    assert_eq!(wait(2), wait(0) * 4);
    assert_eq!(wait(u32::MAX), 24 * 60 * 60);
    let repair = decide(Situation::new("RECONNECT_REQUIRED", None), DecideOptions::default());
    assert_eq!(repair.retry_after_seconds, None, "only waiting has a delay");
}

/// Every status × reason in reference §4.1 (plus no reason for statuses whose reasons are unknown).
fn documented_situations() -> Vec<(&'static str, Option<&'static str>)> {
    vec![
        ("IN_PROGRESS", None),
        ("EXPIRED", None),
        ("ACTIVE", None),
        ("ACTIVE", Some("ACCESS_EXPIRING_SOON")),
        ("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE")),
        ("PARTIALLY_ACTIVE", Some("PARTIAL_AGGREGATION_SUCCESS")),
        ("PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE")),
        ("DEGRADED", Some("INSTITUTION_CURRENTLY_UNAVAILABLE")),
        ("DEGRADED", Some("INSTITUTION_ACTION_REQUIRED")),
        ("DEGRADED", Some("SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE")),
        ("DEGRADED", Some("INTERACTIVE_REFRESH")),
        ("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED")),
        ("RECONNECT_REQUIRED", Some("REPAIRING_INSTITUTION")),
        ("RECONNECT_REQUIRED", Some("TOKEN_EXPIRED")),
        ("RECONNECT_REQUIRED", Some("OTHER")),
        ("UNRECOVERABLE", Some("CONTINUED_AGGREGATION_FAILURES")),
        ("UNDETERMINED", None),
        ("DELETED", None),
    ]
}

#[test]
fn every_documented_situation_is_recognized_with_its_own_code_and_wording() {
    let catalog = Catalog::default();
    let mut codes = Vec::new();
    let mut english = Vec::new();
    for (status, reason) in documented_situations() {
        let decision = decide(Situation::new(status, reason), DecideOptions::default());
        assert!(decision.recognized && decision.reason_recognized, "{status} {reason:?}");
        assert!(!codes.contains(&decision.verdict.code), "{status} {reason:?} shares a code");
        codes.push(decision.verdict.code);
        for locale in ["en", "es"] {
            let text = catalog.explain(&decision, Some("First Platypus Bank"), locale);
            assert_eq!(text.locale, locale);
            assert!(text.title.contains("First Platypus Bank") || text.message.contains("First Platypus Bank"));
            assert_eq!(text.action_label.is_some(), decision.customer_involved(), "{status} {reason:?} {locale}");
            if locale == "en" {
                assert!(!english.contains(&text.message), "{status} {reason:?} reuses a message");
                english.push(text.message);
            }
        }
    }
}

/// The readers of decide and explain read exactly the inputs js/api.js remembers answers by
/// (`DECISION_INPUTS`, `EXPLANATION_INPUTS`) plus the echoed id: a rule that starts reading
/// another field fails here before the cache could serve a stale answer.
#[test]
fn the_remembered_inputs_are_all_the_readers_read() {
    use crate::support::js::{object, text, Js};
    use meld_repair::explain::ExplainOptions;
    use meld_repair::read::{Source, Threw, Value};
    use meld_repair::rules::{Connection, DECISION_INPUTS, EXPLANATION_INPUTS};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Records every key read.
    #[derive(Clone)]
    struct Spy(Js, Rc<RefCell<Vec<String>>>);
    impl Source for Spy {
        fn get(&self, key: &'static str) -> Result<Value<Spy>, Threw> {
            self.get_dynamic(key)
        }
        fn get_dynamic(&self, key: &str) -> Result<Value<Spy>, Threw> {
            self.1.borrow_mut().push(key.to_owned());
            Ok(match self.0.get_dynamic(key)? {
                Value::Text(text) => Value::Text(text),
                Value::Number(n) => Value::Number(n),
                _ => Value::Undefined,
            })
        }
        fn keys(&self) -> Result<Vec<String>, Threw> {
            self.0.keys()
        }
        fn length(&self) -> Result<f64, Threw> {
            self.0.length()
        }
        fn element(&self, _: u32) -> Result<Value<Spy>, Threw> {
            Ok(Value::Undefined)
        }
    }
    let read = Rc::new(RefCell::new(Vec::new()));
    let connection = Spy(object(&[("status", text("ACTIVE"))]), read.clone());
    Connection::read_status_fields(Value::Object(connection)).unwrap();
    let mut connection_keys = read.take();
    ExplainOptions::read(Value::Object(Spy(object(&[]), read.clone()))).unwrap();
    let mut option_keys = read.take();

    let mut expected_connection: Vec<String> = ["id"].iter().chain(DECISION_INPUTS.0).chain(EXPLANATION_INPUTS.0).map(|k| k.to_string()).collect();
    let mut expected_options: Vec<String> = DECISION_INPUTS.1.iter().chain(EXPLANATION_INPUTS.1).map(|k| k.to_string()).collect();
    for list in [&mut connection_keys, &mut option_keys, &mut expected_connection, &mut expected_options] {
        list.sort();
    }
    assert_eq!(connection_keys, expected_connection);
    assert_eq!(option_keys, expected_options);

    // And what is read but not remembered by decide does not change a decision.
    for situation in meld_repair::rules::RULES {
        let base = decide(Situation::new(situation.status, None), DecideOptions::default());
        let other = Connection { id: Some("x".into()), institution_name: Some("Other".into()), ..Connection::with_status(situation.status, None) };
        assert_eq!(decide(Situation::of(&other), DecideOptions::default()).verdict, base.verdict);
    }
}
