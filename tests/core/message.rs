//! The widget's `postMessage` events: only Meld's own are read, metadata from fields or a query
//! string, and whatever the widget sends comes out small (strings clipped, counts bounded).

use meld_repair::flow::message::{self, MessageFields, WidgetEvent};

use crate::support::FIVE_MB;

fn meld(event_name: &str) -> MessageFields {
    MessageFields { domain: Some("meld-connect".into()), event_name: Some(event_name.into()), ..MessageFields::default() }
}

fn with_metadata(event_name: &str, metadata: &str) -> MessageFields {
    MessageFields { metadata: Some(metadata.to_owned()), ..meld(event_name) }
}

fn completed(institution_id: Option<&str>, institution_name: Option<&str>, account_count: Option<u32>) -> Option<WidgetEvent> {
    Some(WidgetEvent::ConnectComplete {
        institution_id: institution_id.map(str::to_owned),
        institution_name: institution_name.map(str::to_owned),
        account_count,
    })
}

#[test]
fn meld_events_are_read() {
    assert_eq!(message::parse(&meld("init")), Some(WidgetEvent::Init));
    assert_eq!(message::parse(&meld("debug")), Some(WidgetEvent::Debug { details: None }));
    assert_eq!(message::parse(&meld("error")), Some(WidgetEvent::Error { details: None, reason: None }));
    assert_eq!(message::parse(&meld("connect_complete")), completed(None, None, None));
    for (name, event) in [("init", WidgetEvent::Init), ("error", WidgetEvent::Error { details: None, reason: None })] {
        assert_eq!(event.name(), name);
    }
    assert_eq!(WidgetEvent::Debug { details: None }.name(), "debug");
    assert_eq!(message::parse(&meld("connect_complete")).unwrap().name(), "connect_complete");
}

#[test]
fn metadata_as_fields() {
    let fields = MessageFields {
        institution_id: Some("ins_1".into()),
        institution_name: Some("First Platypus Bank".into()),
        account_count: Some(2.0),
        ..meld("connect_complete")
    };
    assert_eq!(message::parse(&fields), completed(Some("ins_1"), Some("First Platypus Bank"), Some(2)));
    let fields = MessageFields { details: Some("provider timeout".into()), reason: Some("SERVICE_PROVIDER_FAILURE".into()), ..meld("error") };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::Error { details: Some("provider timeout".into()), reason: Some("SERVICE_PROVIDER_FAILURE".into()) })
    );
    let fields = MessageFields { details: Some("screen 2".into()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some("screen 2".into()) }));
}

#[test]
fn metadata_as_query_string() {
    let fields = MessageFields {
        metadata: Some("institutionId=ins_1&institutionName=First+Platypus+Bank&accountCount=2".into()),
        ..meld("connect_complete")
    };
    assert_eq!(message::parse(&fields), completed(Some("ins_1"), Some("First Platypus Bank"), Some(2)));
    let fields = MessageFields { metadata: Some("?details=Bad%20credentials&reason=LOGIN_FAILED".into()), ..meld("error") };
    assert_eq!(
        message::parse(&fields),
        Some(WidgetEvent::Error { details: Some("Bad credentials".into()), reason: Some("LOGIN_FAILED".into()) })
    );

    // Direct fields win; missing ones come from the query string.
    let fields = MessageFields {
        institution_name: Some("From the field".into()),
        account_count: Some(3.0),
        metadata: Some("institutionId=ins_q&institutionName=From+the+query&accountCount=9".into()),
        ..meld("connect_complete")
    };
    assert_eq!(message::parse(&fields), completed(Some("ins_q"), Some("From the field"), Some(3)));
    // A present but unusable count is not replaced by the query's.
    let fields = MessageFields { account_count: Some(2.5), metadata: Some("accountCount=9".into()), ..meld("connect_complete") };
    assert!(matches!(message::parse(&fields), Some(WidgetEvent::ConnectComplete { account_count: None, .. })));
    // Events read only their own metadata.
    let fields = MessageFields { metadata: Some("details=x".into()), institution_id: Some("ins".into()), ..meld("init") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Init));
}

#[test]
fn account_counts() {
    let from_number = |n: f64| match message::parse(&MessageFields { account_count: Some(n), ..meld("connect_complete") }) {
        Some(WidgetEvent::ConnectComplete { account_count, .. }) => account_count,
        other => panic!("{other:?}"),
    };
    assert_eq!(from_number(0.0), Some(0));
    assert_eq!(from_number(-0.0), Some(0));
    assert_eq!(from_number(2.0), Some(2));
    assert_eq!(from_number(10_000.0), Some(10_000));
    for bad in [-1.0, 2.5, 10_000.5, 10_001.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MIN_POSITIVE] {
        assert_eq!(from_number(bad), None, "{bad}");
    }
    let from_query = |q: &str| match message::parse(&MessageFields { metadata: Some(q.into()), ..meld("connect_complete") }) {
        Some(WidgetEvent::ConnectComplete { account_count, .. }) => account_count,
        other => panic!("{other:?}"),
    };
    assert_eq!(from_query("accountCount=2"), Some(2));
    assert_eq!(from_query("accountCount=007"), Some(7));
    assert_eq!(from_query("accountCount=10000"), Some(10_000));
    assert_eq!(from_query("accountCount=%32"), Some(2));
    for bad in ["accountCount=", "accountCount", "accountCount=2.0", "accountCount=-1", "accountCount=+2", "accountCount=1e3", "accountCount=10001", "accountCount=+2+", "accountCount=99999999999999999999999", "accountCount=%ZZ", "accountCount=two"] {
        assert_eq!(from_query(bad), None, "{bad}");
    }
    assert_eq!(from_query(&format!("accountCount={}", "9".repeat(FIVE_MB))), None);
}

#[test]
fn junk_in_the_query_string() {
    let parse = |q: &str| message::parse(&MessageFields { metadata: Some(q.into()), ..meld("connect_complete") });
    assert_eq!(
        parse("%ZZ&&&=x&institutionId=%ZZ&institutionName=a%2"),
        Some(WidgetEvent::ConnectComplete { institution_id: Some("%ZZ".into()), institution_name: Some("a%2".into()), account_count: None })
    );
    assert_eq!(parse("&&&"), completed(None, None, None));
    assert_eq!(parse("=x"), completed(None, None, None));

    let mut many: String = (0..10_000).map(|i| format!("k{i}=v&")).collect();
    many.push_str("institutionId=too_late");
    assert_eq!(parse(&many), completed(None, None, None));
    let early = format!("institutionId=ins_1&{many}");
    assert!(matches!(parse(&early), Some(WidgetEvent::ConnectComplete { institution_id: Some(id), .. }) if id == "ins_1"));
}

#[test]
fn not_meld_events() {
    for domain in [None, Some(""), Some("meld-connect "), Some("Meld-Connect"), Some("plaid"), Some("meld-connect\0")] {
        let fields = MessageFields { domain: domain.map(str::to_owned), ..meld("connect_complete") };
        assert_eq!(message::parse(&fields), None, "{domain:?}");
    }
    assert_eq!(message::parse(&MessageFields::default()), None);
    let no_name = MessageFields { event_name: None, ..meld("init") };
    assert_eq!(message::parse(&no_name), None);
    assert_eq!(message::parse(&meld("")), None);
    assert_eq!(message::parse(&meld(&"x".repeat(65))), None);
    assert_eq!(message::parse(&meld(&"x".repeat(FIVE_MB))), None);
    assert_eq!(message::parse(&meld(&"\u{e9}".repeat(65))), None);
}

#[test]
fn unknown_events_pass_through() {
    for name in ["exit", "OPEN", "Init", "connect_complete ", "handoff", "provider:plaid:EXIT"] {
        let event = message::parse(&meld(name)).unwrap();
        assert_eq!(event, WidgetEvent::Other { name: name.to_owned() });
        assert_eq!(event.name(), name);
    }
    let long = "x".repeat(64);
    assert_eq!(message::parse(&meld(&long)).unwrap().name(), long);
    let wide = "\u{e9}".repeat(64); // 128 bytes, 64 characters
    assert_eq!(message::parse(&meld(&wide)).unwrap().name(), wide);
}

#[test]
fn huge_strings_are_clipped() {
    let huge = "d".repeat(FIVE_MB);
    let fields = MessageFields { details: Some(huge.clone()), reason: Some("\u{e9}".repeat(FIVE_MB / 2)), ..meld("error") };
    let Some(WidgetEvent::Error { details: Some(details), reason: Some(reason) }) = message::parse(&fields) else { panic!() };
    assert_eq!(details, "d".repeat(512));
    assert_eq!(reason.chars().count(), 512);
    assert_eq!(reason.len(), 1024);

    let fields = MessageFields {
        metadata: Some(format!("institutionName={}&institutionId=%F0%9F%A6%86{}", "%E2%9C%93".repeat(FIVE_MB / 9), "i".repeat(FIVE_MB))),
        ..meld("connect_complete")
    };
    let Some(WidgetEvent::ConnectComplete { institution_id: Some(id), institution_name: Some(name), .. }) = message::parse(&fields) else {
        panic!()
    };
    assert_eq!(name, "\u{2713}".repeat(512));
    assert_eq!(id.chars().count(), 512);
    assert!(id.starts_with('\u{1f986}'));

    // Short strings are left alone, empty ones too.
    let fields = MessageFields { details: Some(String::new()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(String::new()) }));
    let exact = "x".repeat(512);
    let fields = MessageFields { details: Some(exact.clone()), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(exact) }));
}

#[test]
fn domain_with_a_unicode_hyphen_is_not_meld() {
    let fields = MessageFields { domain: Some("meld\u{2010}connect".into()), ..meld("connect_complete") };
    assert_eq!(message::parse(&fields), None);
}

#[test]
fn domain_with_a_zero_width_space_is_not_meld() {
    let fields = MessageFields { domain: Some("meld-connect\u{200b}".into()), ..meld("connect_complete") };
    assert_eq!(message::parse(&fields), None);
}

#[test]
fn event_name_with_a_nul_is_an_unknown_event() {
    assert_eq!(message::parse(&meld("init\0")), Some(WidgetEvent::Other { name: "init\0".into() }));
}

#[test]
fn event_name_with_a_leading_space_is_an_unknown_event() {
    assert_eq!(message::parse(&meld(" init")), Some(WidgetEvent::Other { name: " init".into() }));
}

#[test]
fn event_name_of_64_four_byte_characters_is_kept() {
    let name = "\u{1f986}".repeat(64);
    assert_eq!(message::parse(&meld(&name)), Some(WidgetEvent::Other { name: name.clone() }));
    assert_eq!(message::parse(&meld(&"\u{1f986}".repeat(65))), None);
}

#[test]
fn empty_details_field_wins_over_the_query_string() {
    let fields = MessageFields { details: Some(String::new()), ..with_metadata("debug", "details=from+query") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some(String::new()) }));
}

#[test]
fn metadata_key_in_the_sixty_fourth_pair_is_read_not_the_sixty_fifth() {
    let junk = |n: usize| (0..n).map(|i| format!("k{i}=v&")).collect::<String>();
    assert_eq!(message::parse(&with_metadata("connect_complete", &format!("{}institutionId=ins", junk(63)))), completed(Some("ins"), None, None));
    assert_eq!(message::parse(&with_metadata("connect_complete", &format!("{}institutionId=ins", junk(64)))), completed(None, None, None));
}

#[test]
fn metadata_after_five_mb_of_ampersands_is_read() {
    let metadata = format!("{}institutionId=ins_1", "&".repeat(FIVE_MB));
    assert_eq!(message::parse(&with_metadata("connect_complete", &metadata)), completed(Some("ins_1"), None, None));
}

#[test]
fn details_of_513_characters_lose_one() {
    let fields = MessageFields { details: Some(format!("{}\u{e9}", "d".repeat(512))), ..meld("debug") };
    assert_eq!(message::parse(&fields), Some(WidgetEvent::Debug { details: Some("d".repeat(512)) }));
}

#[test]
fn combining_marks_count_as_characters_when_clipping() {
    let fields = MessageFields { reason: Some("e\u{301}".repeat(300)), ..meld("error") };
    let Some(WidgetEvent::Error { reason: Some(reason), .. }) = message::parse(&fields) else { panic!() };
    assert_eq!((reason.chars().count(), reason.ends_with('\u{301}')), (512, true));
}

#[test]
fn account_count_of_tiny_and_huge_floats() {
    for number in [1e-300, f64::MAX, 10_000.000_000_001, -f64::MIN_POSITIVE] {
        let fields = MessageFields { account_count: Some(number), ..meld("connect_complete") };
        assert_eq!(message::parse(&fields), completed(None, None, None), "{number}");
    }
}

#[test]
fn hostile_query_string_metadata() {
    #[rustfmt::skip]
    let cases = [
        ("metadata_as_a_whole_url_has_no_known_keys",                 "connect_complete", "https://x.example/?institutionId=ins_1&accountCount=2", completed(None, None, Some(2))),
        ("metadata_with_two_question_marks",                          "connect_complete", "??institutionId=ins_1",                                 completed(None, None, None)),
        ("metadata_percent_nul_is_kept_as_text",                      "connect_complete", "institutionId=%00",                                     completed(Some("\0"), None, None)),
        ("metadata_overlong_utf8_becomes_replacement_characters",     "connect_complete", "institutionId=%C0%AF",                                  completed(Some("\u{fffd}\u{fffd}"), None, None)),
        ("metadata_truncated_utf8_becomes_one_replacement_character", "connect_complete", "institutionName=Caf%F0%9F",                             completed(None, Some("Caf\u{fffd}"), None)),
        ("metadata_of_equals_signs",                                  "connect_complete", "====&institutionName==x",                               completed(None, Some("=x"), None)),
        ("metadata_of_a_lone_question_mark",                          "error",            "?",                                                     Some(WidgetEvent::Error { details: None, reason: None })),
        ("account_count_in_the_query_with_an_encoded_plus",           "connect_complete", "accountCount=%2B2",                                     completed(None, None, None)),
        ("an account count of encoded digits",                        "connect_complete", "accountCount=%32%30",                                   completed(None, None, Some(20))),
    
];
    for (row, event, metadata, expected) in cases {
        assert_eq!(message::parse(&with_metadata(event, metadata)), expected, "{row}: {metadata:?}");
    }
}
