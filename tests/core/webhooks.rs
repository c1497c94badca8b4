//! `interpretWebhook`'s core: every event of reference §14.2 and `WEBHOOK_TEST`, transcribed by
//! hand from the issue (not from `EVENTS`), both spellings of the payload's status fields,
//! unknown events, and bodies that are not webhooks.

use meld_repair::error::{ErrorCode, Result};
use meld_repair::explain::{Catalog, Severity};
use meld_repair::rules::{decide, Action, DecideOptions, Situation, Urgency};
use meld_repair::webhooks::{interpret, Interpretation, Webhook, EVENTS};

// ---------------------------------------------------------------- a JSON body without serde

use crate::support::js::Js;

#[derive(Clone, Debug)]
enum J {
    Null,
    Number,
    Array,
    Text(&'static str),
    Object(Vec<(&'static str, J)>),
    /// A getter that throws.
    Throws,
}

fn js(json: &J) -> Js {
    match json {
        J::Null => Js::Null,
        J::Number => Js::Number(1.0),
        J::Array => Js::Array(Vec::new()),
        J::Text(text) => Js::Text((*text).to_owned()),
        J::Object(fields) => Js::Object(fields.iter().map(|(key, value)| ((*key).to_owned(), js(value))).collect()),
        J::Throws => Js::Throws,
    }
}

/// A Meld envelope (§14.1) around `payload`.
fn envelope(event_type: &'static str, payload: &[(&'static str, &'static str)]) -> J {
    J::Object(vec![
        ("eventType", J::Text(event_type)),
        ("eventId", J::Text("evt_1")),
        ("timestamp", J::Text("2022-05-26T20:25:17.682818Z")),
        ("accountId", J::Text("acc_1")),
        ("profileId", J::Text("prof_1")),
        ("version", J::Text("2021-10-28")),
        ("payload", J::Object(payload.iter().map(|&(key, text)| (key, J::Text(text))).collect())),
    ])
}

fn read(body: &J) -> Result<Webhook> {
    Webhook::read(js(body).value())
}

fn meaning_in(event_type: &'static str, payload: &[(&'static str, &'static str)], locale: &str) -> Interpretation {
    interpret(&read(&envelope(event_type, payload)).unwrap(), &Catalog::default(), locale)
}

fn meaning(event_type: &'static str, payload: &[(&'static str, &'static str)]) -> Interpretation {
    meaning_in(event_type, payload, "en")
}

const CONNECTION: (&str, &str) = ("connectionId", "conn_1");
const BANK: (&str, &str) = ("institutionName", "First Platypus Bank");

// ---------------------------------------------------------------- the table

/// (event type, kind, data to refetch, stop prompts, legacy): from the issue, by hand.
#[rustfmt::skip]
const ISSUE: &[(&str, &str, Option<&str>, bool, bool)] = &[
    ("BANK_LINKING_CONNECTION_STATUS_CHANGE",           "status_change",                   None,                 false, false),
    ("BANK_LINKING_CUSTOMER_ACTION_REQUIRED",           "status_change",                   None,                 false, true),
    ("BANK_LINKING_CONNECTION_COMPLETED",               "connection_completed",            None,                 true,  false),
    ("BANK_LINKING_CONNECTION_DELETED",                 "connection_deleted",              None,                 true,  false),
    ("BANK_LINKING_ACCOUNTS_UPDATING",                  "accounts_updating",               None,                 false, false),
    ("BANK_LINKING_ACCOUNTS_UPDATED",                   "accounts_updated",                Some("accounts"),     false, false),
    ("BANK_LINKING_ACCOUNTS_REMOVED",                   "accounts_removed",                Some("accounts"),     false, false),
    ("BANK_LINKING_NEW_ACCOUNTS_AVAILABLE",             "new_accounts_available",          None,                 false, false),
    ("BANK_LINKING_TRANSACTIONS_AGGREGATED",            "transactions_updated",            Some("transactions"), false, false),
    ("BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED", "historical_transactions_updated", Some("transactions"), false, false),
    ("WEBHOOK_TEST",                                    "test",                            None,                 false, false),
];

#[test]
fn every_documented_event_has_its_kind_and_flags() {
    for &(event_type, kind, refetch, stop_prompts, legacy) in ISSUE {
        let got = meaning(event_type, &[CONNECTION, ("newStatus", "RECONNECT_REQUIRED")]);
        assert_eq!(got.event.kind, kind, "{event_type}");
        assert_eq!(got.event_type, event_type);
        assert_eq!(got.event.refetch, refetch, "{event_type}");
        assert_eq!(got.event.legacy, legacy, "{event_type}");
        assert!(!got.event.note.is_empty(), "{event_type} has a note");
        assert_eq!(got.connection.id.as_deref(), Some("conn_1"), "{event_type}");
        if got.decision.is_none() {
            assert_eq!(got.stop_prompts, stop_prompts, "{event_type}");
            assert!(!got.prompt_customer, "{event_type}");
            assert!(got.explanation.is_none(), "{event_type}");
        }
    }
}

#[test]
fn the_table_names_exactly_the_documented_events() {
    assert_eq!(EVENTS.len(), ISSUE.len());
    for event in EVENTS {
        assert!(ISSUE.iter().any(|row| row.0 == event.event_type), "{} is not in the issue", event.event_type);
    }
}

#[test]
fn only_health_events_carry_a_decision() {
    let with_decision = ["BANK_LINKING_CONNECTION_STATUS_CHANGE", "BANK_LINKING_CUSTOMER_ACTION_REQUIRED", "BANK_LINKING_NEW_ACCOUNTS_AVAILABLE"];
    for &(event_type, ..) in ISSUE {
        let got = meaning(event_type, &[("newStatus", "ACTIVE")]);
        assert_eq!(got.decision.is_some(), with_decision.contains(&event_type), "{event_type}");
        assert_eq!(got.explanation.is_some(), with_decision.contains(&event_type), "{event_type}");
    }
}

#[test]
fn event_types_match_trimmed_and_without_case() {
    for raw in ["  bank_linking_connection_deleted\n", "Bank_Linking_Connection_Deleted", "\tBANK_LINKING_CONNECTION_DELETED "] {
        let got = interpret(&read(&envelope(raw, &[])).unwrap(), &Catalog::default(), "en");
        assert_eq!(got.event.kind, "connection_deleted", "{raw:?}");
        assert_eq!(got.event_type, "BANK_LINKING_CONNECTION_DELETED");
    }
}

// ---------------------------------------------------------------- status changes

#[test]
fn a_status_change_decides_like_decide_on_the_new_status() {
    let got = meaning(
        "BANK_LINKING_CONNECTION_STATUS_CHANGE",
        &[CONNECTION, BANK, ("oldStatus", "ACTIVE"), ("newStatus", "RECONNECT_REQUIRED"), ("newStatusReason", "LOGIN_REQUIRED")],
    );
    let expected = decide(Situation::new("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED")), DecideOptions::default());
    assert_eq!(got.decision.as_ref(), Some(&expected));
    assert_eq!(got.connection.status, "RECONNECT_REQUIRED");
    assert_eq!(got.connection.status_reason.as_deref(), Some("LOGIN_REQUIRED"));
    assert_eq!(got.previous_status.as_deref(), Some("ACTIVE"));
    assert!(got.prompt_customer);
    assert!(!got.stop_prompts);
    assert!(!got.event.legacy);
    let explanation = got.explanation.unwrap();
    assert_eq!(explanation.code, "login_required");
    assert_eq!(explanation.severity, Severity::Error);
    assert!(explanation.title.contains("First Platypus Bank") || explanation.message.contains("First Platypus Bank"));
}

#[test]
fn both_spellings_of_the_payload_status_fields_read_the_same() {
    let spellings: &[&[(&str, &str)]] = &[
        &[("newStatus", "DEGRADED"), ("newStatusReason", "INSTITUTION_ACTION_REQUIRED"), ("oldStatus", "ACTIVE")],
        &[("status", "DEGRADED"), ("statusReason", "INSTITUTION_ACTION_REQUIRED"), ("previousStatus", "ACTIVE")],
        &[("status", "degraded "), ("reason", "institution_action_required"), ("previousStatus", "active")],
    ];
    for payload in spellings {
        let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", payload);
        let decision = got.decision.unwrap();
        assert_eq!(decision.situation.status, "DEGRADED", "{payload:?}");
        assert_eq!(decision.situation.reason.as_deref(), Some("INSTITUTION_ACTION_REQUIRED"), "{payload:?}");
        assert_eq!(decision.action(), Action::ContactInstitution, "{payload:?}");
        assert_eq!(got.previous_status.as_deref(), Some("ACTIVE"), "{payload:?}");
    }
}

#[test]
fn the_new_spelling_wins_and_blank_or_non_string_fields_fall_through() {
    let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", &[("newStatus", "ACTIVE"), ("status", "RECONNECT_REQUIRED")]);
    assert_eq!(got.decision.unwrap().situation.status, "ACTIVE");
    let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", &[("newStatus", "  "), ("status", "RECONNECT_REQUIRED")]);
    assert_eq!(got.decision.unwrap().situation.status, "RECONNECT_REQUIRED");

    let body = J::Object(vec![
        ("eventType", J::Text("BANK_LINKING_CONNECTION_STATUS_CHANGE")),
        ("eventId", J::Number),
        ("payload", J::Object(vec![("newStatus", J::Number), ("status", J::Text("ACTIVE")), ("connectionId", J::Array)])),
    ]);
    let webhook = read(&body).unwrap();
    assert_eq!(webhook.status.as_deref(), Some("ACTIVE"));
    assert_eq!(webhook.connection_id, None);
    assert_eq!(webhook.event_id, None);
}

#[test]
fn self_healing_stops_prompts_and_asks_nothing() {
    let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", &[CONNECTION, ("oldStatus", "DEGRADED"), ("newStatus", "ACTIVE")]);
    let decision = got.decision.unwrap();
    assert_eq!(decision.action(), Action::NoAction);
    assert!(!got.prompt_customer);
    assert!(got.stop_prompts);
    assert_eq!(got.explanation.unwrap().severity, Severity::Success);
}

#[test]
fn prompts_follow_whether_the_customer_is_involved() {
    // (new status, reason, prompt the customer, stop earlier prompts)
    #[rustfmt::skip]
    let rows: &[(&str, Option<&str>, bool, bool)] = &[
        ("RECONNECT_REQUIRED", Some("TOKEN_EXPIRED"),               true,  false),
        ("UNRECOVERABLE",      None,                                true,  false),
        ("ACTIVE",             Some("ACCESS_EXPIRING_SOON"),        true,  false),
        ("DEGRADED",           Some("INSTITUTION_ACTION_REQUIRED"), true,  false),
        ("DEGRADED",           Some("INSTITUTION_CURRENTLY_UNAVAILABLE"), false, true),
        ("PARTIALLY_ACTIVE",   Some("INACTIVE_DUPLICATE"),          false, true),
        ("DELETED",            None,                                false, true),
        ("SOMETHING_NEW",      None,                                false, false),
    ];
    for &(status, reason, prompt, stop) in rows {
        let mut payload = vec![CONNECTION, ("newStatus", status)];
        payload.extend(reason.map(|reason| ("newStatusReason", reason)));
        let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", &payload);
        assert_eq!((got.prompt_customer, got.stop_prompts), (prompt, stop), "{status} / {reason:?}");
        assert_eq!(got.prompt_customer, got.decision.unwrap().customer_involved());
    }
}

#[test]
fn a_status_change_without_a_status_decides_as_unknown() {
    for payload in [&[CONNECTION][..], &[CONNECTION, ("newStatus", "")][..]] {
        let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", payload);
        let decision = got.decision.unwrap();
        assert!(!decision.recognized);
        assert_eq!(decision.action(), Action::Wait);
        assert_eq!(decision.verdict.code, "unknown_status");
        assert!(!got.prompt_customer && !got.stop_prompts);
    }
    let body = J::Object(vec![("eventType", J::Text("BANK_LINKING_CONNECTION_STATUS_CHANGE"))]);
    let got = interpret(&read(&body).unwrap(), &Catalog::default(), "en");
    assert_eq!(got.event.kind, "status_change");
    assert_eq!(got.decision.unwrap().verdict.code, "unknown_status");
}

#[test]
fn the_explanation_follows_the_locale() {
    let payload = [CONNECTION, BANK, ("newStatus", "RECONNECT_REQUIRED"), ("newStatusReason", "LOGIN_REQUIRED")];
    let english = meaning_in("BANK_LINKING_CONNECTION_STATUS_CHANGE", &payload, "en").explanation.unwrap();
    let spanish = meaning_in("BANK_LINKING_CONNECTION_STATUS_CHANGE", &payload, "es-MX").explanation.unwrap();
    assert_eq!(spanish.locale, "es");
    assert_eq!(spanish.code, english.code);
    assert_ne!(spanish.title, english.title);
}

#[test]
fn the_legacy_customer_action_event_is_a_change_to_reconnect_required() {
    for payload in [&[CONNECTION][..], &[CONNECTION, ("reason", "Credentials changed at the bank")][..]] {
        let got = meaning("BANK_LINKING_CUSTOMER_ACTION_REQUIRED", payload);
        assert_eq!(got.event.kind, "status_change");
        assert!(got.event.legacy);
        let decision = got.decision.unwrap();
        assert_eq!(decision.situation.status, "RECONNECT_REQUIRED");
        assert_eq!(decision.situation.legacy_status, Some("CUSTOMER_ACTION_REQUIRED"));
        assert_eq!((decision.action(), decision.verdict.urgency), (Action::Repair, Urgency::Required));
        assert!(got.prompt_customer && !got.stop_prompts);
    }
}

#[test]
fn new_accounts_available_is_an_optional_repair() {
    let got = meaning("BANK_LINKING_NEW_ACCOUNTS_AVAILABLE", &[CONNECTION, BANK]);
    let expected = decide(Situation::new("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE")), DecideOptions::default());
    assert_eq!(got.decision.as_ref(), Some(&expected));
    assert_eq!((expected.action(), expected.verdict.urgency), (Action::Repair, Urgency::Optional));
    assert!(got.prompt_customer && !got.stop_prompts);
    assert_eq!(got.explanation.unwrap().code, "new_accounts_available");
}

// ---------------------------------------------------------------- the other events

#[test]
fn completed_and_deleted_stop_prompts_without_a_decision() {
    for event_type in ["BANK_LINKING_CONNECTION_COMPLETED", "BANK_LINKING_CONNECTION_DELETED"] {
        let got = meaning(event_type, &[CONNECTION, ("newStatus", "RECONNECT_REQUIRED")]);
        assert!(got.decision.is_none() && got.stop_prompts && !got.prompt_customer, "{event_type}");
        assert!(got.event.refetch.is_none(), "{event_type}: no data yet");
    }
}

#[test]
fn the_envelope_and_payload_ids_are_read() {
    let webhook = read(&envelope(
        "BANK_LINKING_CONNECTION_COMPLETED",
        &[
            ("requestId", "req_1"),
            ("customerId", "cus_1"),
            ("externalCustomerId", "ext_1"),
            CONNECTION,
            ("institutionId", "ins_1"),
            BANK,
        ],
    ))
    .unwrap();
    assert_eq!(webhook.event_id.as_deref(), Some("evt_1"));
    assert_eq!(webhook.timestamp.as_deref(), Some("2022-05-26T20:25:17.682818Z"));
    assert_eq!(webhook.request_id.as_deref(), Some("req_1"));
    assert_eq!(webhook.customer_id.as_deref(), Some("cus_1"));
    assert_eq!(webhook.external_customer_id.as_deref(), Some("ext_1"));
    assert_eq!(webhook.connection_id.as_deref(), Some("conn_1"));
    assert_eq!(webhook.institution_id.as_deref(), Some("ins_1"));
    assert_eq!(webhook.institution_name.as_deref(), Some("First Platypus Bank"));
}

#[test]
fn the_test_event_reads_its_request_id() {
    let body = envelope("WEBHOOK_TEST", &[("requestId", "req_42")]);
    let webhook = read(&body).unwrap();
    assert_eq!(webhook.request_id.as_deref(), Some("req_42"));
    let got = interpret(&webhook, &Catalog::default(), "en");
    assert_eq!(got.event.kind, "test");
    assert!(got.decision.is_none() && !got.prompt_customer && !got.stop_prompts && got.event.refetch.is_none());
}

#[test]
fn unknown_events_are_kept_never_rejected() {
    for raw in ["BANK_LINKING_SOMETHING_NEW", " payments_settled ", "", "   "] {
        let got = interpret(&read(&envelope(raw, &[CONNECTION, ("newStatus", "RECONNECT_REQUIRED")])).unwrap(), &Catalog::default(), "en");
        assert_eq!(got.event.kind, "unknown", "{raw:?}");
        assert_eq!(got.event_type, raw.trim().to_ascii_uppercase());
        assert!(got.decision.is_none() && got.explanation.is_none(), "{raw:?}");
        assert!(!got.prompt_customer && !got.stop_prompts && !got.event.legacy, "{raw:?}");
        assert!(got.event.refetch.is_none());
        assert!(!got.event.note.is_empty());
        assert_eq!(got.connection.id.as_deref(), Some("conn_1"));
    }
}

#[test]
fn a_missing_or_null_payload_is_an_empty_one() {
    for body in [
        J::Object(vec![("eventType", J::Text("BANK_LINKING_ACCOUNTS_UPDATED"))]),
        J::Object(vec![("eventType", J::Text("BANK_LINKING_ACCOUNTS_UPDATED")), ("payload", J::Null)]),
    ] {
        let webhook = read(&body).unwrap();
        assert_eq!(webhook.connection_id, None);
        assert_eq!(interpret(&webhook, &Catalog::default(), "en").event.kind, "accounts_updated");
    }
}

// ---------------------------------------------------------------- bodies that are not webhooks

#[track_caller]
fn rejected(body: J, says: &str) {
    let error = read(&body).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidWebhook, "{body:?}");
    assert!(!error.retryable);
    assert!(error.message.contains(says), "{:?} should contain {says:?}", error.message);
}

#[test]
fn a_body_that_is_not_an_object_is_invalid() {
    rejected(J::Null, "got null");
    rejected(J::Number, "got a number");
    rejected(J::Array, "got an array");
    rejected(J::Text(r#"{"eventType":"WEBHOOK_TEST"}"#), "parse the JSON");
}

#[test]
fn a_body_without_a_string_event_type_is_invalid() {
    rejected(J::Object(vec![]), "webhook.eventType must be a string");
    rejected(J::Object(vec![("eventType", J::Null)]), "got null");
    rejected(J::Object(vec![("eventType", J::Number)]), "got a number");
    rejected(J::Object(vec![("eventType", J::Object(vec![]))]), "got an object");
    rejected(J::Object(vec![("event_type", J::Text("WEBHOOK_TEST"))]), "webhook.eventType");
}

#[test]
fn a_payload_that_is_not_an_object_is_invalid() {
    for (payload, got) in [(J::Text("{}"), "got a string"), (J::Number, "got a number"), (J::Array, "got an array")] {
        rejected(J::Object(vec![("eventType", J::Text("WEBHOOK_TEST")), ("payload", payload)]), got);
    }
}

#[test]
fn a_throwing_getter_is_a_coded_error() {
    let error = read(&J::Object(vec![("eventType", J::Throws)])).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidWebhook);
    let body = J::Object(vec![
        ("eventType", J::Text("BANK_LINKING_CONNECTION_STATUS_CHANGE")),
        ("payload", J::Object(vec![("newStatus", J::Throws)])),
    ]);
    assert_eq!(read(&body).unwrap_err().code, ErrorCode::InvalidWebhook);
}

#[test]
fn invalid_webhook_is_a_stable_code() {
    assert_eq!(ErrorCode::InvalidWebhook.as_str(), "INVALID_WEBHOOK");
    assert!(!ErrorCode::InvalidWebhook.retryable());
}

#[test]
fn without_a_connection_id_nobody_is_prompted_or_released() {
    // Red-team D16: a handler would otherwise mail the customer of "connection null".
    for payload in [&[("newStatus", "RECONNECT_REQUIRED")][..], &[("connectionId", "  "), ("newStatus", "RECONNECT_REQUIRED")]] {
        let got = meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", payload);
        assert!(got.decision.is_some(), "the decision is still given");
        assert!(!got.prompt_customer && !got.stop_prompts, "{payload:?}");
    }
    let deleted = meaning("BANK_LINKING_CONNECTION_DELETED", &[]);
    assert!(!deleted.stop_prompts);
    let numeric = J::Object(vec![("eventType", J::Text("BANK_LINKING_CONNECTION_STATUS_CHANGE")), ("payload", J::Object(vec![("connectionId", J::Number), ("newStatus", J::Text("RECONNECT_REQUIRED"))]))]);
    assert!(!interpret(&read(&numeric).unwrap(), &Catalog::default(), "en").prompt_customer);
    assert!(meaning("BANK_LINKING_CONNECTION_STATUS_CHANGE", &[CONNECTION, ("newStatus", "RECONNECT_REQUIRED")]).prompt_customer);
}
