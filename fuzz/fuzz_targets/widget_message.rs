//! `widget_message`: a widget `postMessage` as the boundary reads it (`MessageFields`, the
//! metadata either as fields or as a query string) → `flow::message::parse`. Only
//! `domain: "meld-connect"` events come out; what comes out is small (strings ≤ 512
//! characters, a count ≤ 10 000, an unknown name ≤ 64 characters) and is the input's own
//! text, clipped. The query-string reader agrees with `application/x-www-form-urlencoded` as
//! `URLSearchParams` reads it (the `form_urlencoded` crate), within its 64-pair cap.
//!
//! Lines: domain, eventName, details, reason, institutionId, institutionName, accountCount
//! (a float as Rust reads it: `2`, `-0`, `NaN`, `inf`, `1e300`), then the metadata query
//! string: the rest of the input, newlines included.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use meld_repair::flow::message::{self, MessageFields, WidgetEvent, MAX_ACCOUNT_COUNT, MAX_EVENT_NAME_CHARS, MAX_TEXT_CHARS, MELD_DOMAIN};
use meld_repair::flow::query::{self, MAX_PAIRS};

fuzz_target!(|data: &[u8]| {
    let mut lines = common::Lines::new(data);
    let fields = MessageFields {
        domain: lines.opt(),
        event_name: lines.opt(),
        details: lines.opt(),
        reason: lines.opt(),
        institution_id: lines.opt(),
        institution_name: lines.opt(),
        account_count: lines.opt().and_then(|count| count.parse::<f64>().ok()),
        metadata: lines.rest(),
        accounts: None, // read by MessageFields::read, fuzzed by the readers target
    };

    // The query-string reader, against the reference (the message reader drops one leading `?`
    // first, as `new URLSearchParams(text)` does).
    let metadata = fields.metadata.as_deref().unwrap_or_default();
    let stripped = metadata.strip_prefix('?').unwrap_or(metadata);
    let pairs = query::query_pairs(stripped);
    let expected: Vec<(String, String)> =
        form_urlencoded::parse(stripped.as_bytes()).take(MAX_PAIRS).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(pairs, expected, "{metadata:?}");
    for (key, value) in &pairs {
        // Percent-encoding a decoded value gives it back.
        let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        assert_eq!(&query::decode(&encoded), value);
        assert_eq!(query::query_param(stripped, key).as_ref(), pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v));
    }
    let from_query = |key: &str| pairs.iter().find(|(name, _)| name == key).map(|(_, value)| value.clone());

    let event = message::parse(&fields);
    let name = match (&event, fields.domain.as_deref(), fields.event_name.as_deref()) {
        (None, _, _) => {
            let name_ok = fields.event_name.as_deref().is_some_and(|name| !name.is_empty() && name.chars().count() <= MAX_EVENT_NAME_CHARS);
            assert!(fields.domain.as_deref() != Some(MELD_DOMAIN) || !name_ok, "a Meld event was dropped: {fields:?}");
            return;
        }
        (Some(_), Some(MELD_DOMAIN), Some(name)) => name,
        (Some(event), _, _) => panic!("{event:?} read from a message that is not Meld's: {fields:?}"),
    };
    let event = event.unwrap();
    assert_eq!(event.name(), name);
    assert!(!name.is_empty() && name.chars().count() <= MAX_EVENT_NAME_CHARS);

    // A text field: the event's own when present, else the query string's; clipped to a prefix.
    let check_text = |out: &Option<String>, field: &Option<String>, key: &str| {
        let source = field.clone().or_else(|| from_query(key));
        match (out, source) {
            (None, None) => {}
            (Some(out), Some(source)) => {
                assert!(out.chars().count() <= MAX_TEXT_CHARS);
                assert!(source.starts_with(out.as_str()));
                assert_eq!(out.chars().count(), source.chars().count().min(MAX_TEXT_CHARS));
            }
            (out, source) => panic!("{key}: {out:?} from {source:?}"),
        }
    };
    match &event {
        WidgetEvent::Init => assert_eq!(name, "init"),
        WidgetEvent::Debug { details } => {
            assert_eq!(name, "debug");
            check_text(details, &fields.details, "details");
        }
        WidgetEvent::Error { details, reason } => {
            assert_eq!(name, "error");
            check_text(details, &fields.details, "details");
            check_text(reason, &fields.reason, "reason");
        }
        WidgetEvent::ConnectComplete { institution_id, institution_name, account_count } => {
            assert_eq!(name, "connect_complete");
            check_text(institution_id, &fields.institution_id, "institutionId");
            check_text(institution_name, &fields.institution_name, "institutionName");
            let expected = match fields.account_count {
                Some(number) => (number.fract() == 0.0 && (0.0..=f64::from(MAX_ACCOUNT_COUNT)).contains(&number)).then_some(number as u32),
                None => from_query("accountCount").filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).and_then(|text| {
                    // Once past the cap a count stays past it.
                    let value = text.bytes().fold(0u32, |n, d| (n * 10 + u32::from(d - b'0')).min(MAX_ACCOUNT_COUNT + 1));
                    (value <= MAX_ACCOUNT_COUNT).then_some(value)
                }),
            };
            assert_eq!(*account_count, expected, "{fields:?}");
            if let Some(count) = account_count {
                assert!(*count <= MAX_ACCOUNT_COUNT);
            }
        }
        WidgetEvent::Other { name: other } => {
            assert_eq!(other, name);
            assert!(!["init", "debug", "error", "connect_complete"].contains(&other.as_str()));
            assert!(other.chars().count() <= MAX_EVENT_NAME_CHARS);
        }
    }
});
