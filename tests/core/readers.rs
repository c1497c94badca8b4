//! The readers of the app's values (src/read.rs and the `read` of each core type), natively:
//! every type check and message the boundary used to own, over JS-like values (tests/support/js.rs).
//! tests/js/bad-input.test.mjs runs the same cases through the built package.

use meld_repair::error::{Error, ErrorCode};
use meld_repair::explain::{CustomLocale, ExplainOptions};
use meld_repair::flow::message::{MessageFields, MAX_ACCOUNTS, MAX_TEXT_CHARS};
use meld_repair::flow::token::{read_headers, TokenResponse, WidgetPolicy};
use meld_repair::read::MAX_ELEMENTS;
use meld_repair::rules::{AdviseOptions, Connection, Intent};
use crate::support::js::{object, strings, text, Js};

fn status(value: &str) -> Js {
    object(&[("id", text("c1")), ("status", text(value))])
}

fn fails(result: Result<impl std::fmt::Debug, Error>, code: ErrorCode, says: &str) {
    let error = result.expect_err("an error");
    assert_eq!(error.code, code, "{}", error.message);
    assert!(error.message.contains(says), "{:?} should say {says:?}", error.message);
    assert!(!error.retryable);
}

/// (case, connection, message) for `decide`'s and `explain`'s reader: each INVALID_CONNECTION.
#[rustfmt::skip]
const BAD_CONNECTIONS: &[(&str, fn() -> Js, &str)] = &[
    ("undefined",                  || Js::Undefined,                                              "connection must be an object, got undefined"),
    ("null",                       || Js::Null,                                                   "connection must be an object, got null"),
    ("a string",                   || text("ACTIVE"),                                             "connection must be an object, got a string"),
    ("an array",                   || Js::Array(vec![status("ACTIVE")]),                          "got an array"),
    ("a function",                 || Js::Other("a function"),                                    "got a function"),
    ("a revoked proxy",            || Js::Other("a revoked proxy"),                               "got a revoked proxy"),
    ("no status",                  || object(&[("id", text("c1"))]),                              "connection.status must be a string, got undefined"),
    ("a number status",            || object(&[("status", Js::Number(1.0))]),                     "connection.status must be a string, got a number"),
    ("an empty status",            || status(""),                                                 "connection.status must not be empty"),
    ("a blank status",             || status(" \t\u{85}"),                                        "connection.status must not be empty"),
    ("a status getter that throws", || object(&[("status", Js::Throws)]),                         "reading connection.status threw"),
    ("a boolean reason",           || object(&[("status", text("ACTIVE")), ("statusReason", Js::Bool(true))]), "connection.statusReason must be a string or null, got a boolean"),
    ("an object id",               || object(&[("status", text("ACTIVE")), ("id", object(&[]))]), "connection.id must be a string or null, got an object"),
    ("a number name",              || object(&[("status", text("ACTIVE")), ("institutionName", Js::Number(7.0))]), "connection.institutionName must be a string or null"),
];

#[test]
fn bad_connections_are_invalid_connection_naming_the_field() {
    for (case, connection, says) in BAD_CONNECTIONS {
        let result = Connection::read_status_fields(connection().value());
        let error = result.expect_err(case);
        assert_eq!(error.code, ErrorCode::InvalidConnection, "{case}");
        assert!(error.message.contains(says), "{case}: {:?} should say {says:?}", error.message);
    }
}

#[test]
fn a_good_connection_keeps_what_the_rules_read() {
    let connection = object(&[
        ("id", text("c1")),
        ("status", text(" active ")),
        ("statusReason", Js::Null),
        ("institutionName", text("First Platypus Bank")),
        ("extra", object(&[("deep", Js::Throws)])),
    ]);
    let read = Connection::read_status_fields(connection.value()).unwrap();
    assert_eq!(read.id.as_deref(), Some("c1"));
    assert_eq!(read.status, " active ", "kept as given: normalising is the rules' business");
    assert_eq!(read.status_reason, None);
    assert_eq!(read.institution_name.as_deref(), Some("First Platypus Bank"));
}

#[test]
fn advise_reads_the_rest_of_the_connection() {
    let connection = object(&[
        ("status", text("ACTIVE")),
        ("serviceProviderDetails", object(&[("serviceProvider", text("MX"))])),
        ("products", strings(&["TRANSACTIONS"])),
        ("duplicateConnectionIds", Js::Null),
    ]);
    let read = Connection::read(connection.value(), true).unwrap();
    assert_eq!(read.service_provider.as_deref(), Some("MX"));
    assert_eq!(read.products, ["TRANSACTIONS"]);
    assert!(read.duplicate_connection_ids.is_empty());

    let migrate = Connection::read(object(&[("id", text("c1"))]).value(), false).unwrap();
    assert_eq!((migrate.id.as_deref(), migrate.status.as_str()), (Some("c1"), ""), "to migrate, no status is needed");
    fails(Connection::read(object(&[("id", text("c1"))]).value(), true), ErrorCode::InvalidConnection, "connection.status must be a string");
    fails(Connection::read(object(&[("status", Js::Null)]).value(), false), ErrorCode::InvalidConnection, "connection.status must be a string, got null");

    #[rustfmt::skip]
    let bad: &[(Js, &str)] = &[
        (object(&[("status", text("ACTIVE")), ("products", text("TRANSACTIONS"))]),       "connection.products must be an array of strings or null, got a string"),
        (object(&[("status", text("ACTIVE")), ("products", Js::Array(vec![Js::Number(1.0)]))]), "connection.products must be an array of strings or null; it holds a number"),
        (object(&[("status", text("ACTIVE")), ("products", Js::Array(vec![Js::Throws]))]), "connection.products threw when read"),
        (object(&[("status", text("ACTIVE")), ("serviceProviderDetails", text("MX"))]),  "connection.serviceProviderDetails must be an object or null, got a string"),
        (object(&[("status", text("ACTIVE")), ("serviceProviderDetails", object(&[("serviceProvider", Js::Number(1.0))]))]), "connection.serviceProviderDetails.serviceProvider must be a string or null"),
    ];
    for (connection, says) in bad {
        fails(Connection::read(connection.value(), true), ErrorCode::InvalidConnection, says);
    }
}

#[test]
fn lists_are_bounded() {
    let many = |count: usize| object(&[("status", text("ACTIVE")), ("products", Js::Array(vec![text("BALANCES"); count]))]);
    assert_eq!(Connection::read(many(MAX_ELEMENTS as usize).value(), true).unwrap().products.len(), MAX_ELEMENTS as usize);
    fails(Connection::read(many(MAX_ELEMENTS as usize + 1).value(), true), ErrorCode::InvalidConnection, "has too many elements (at most 1000)");
}

/// (case, options, message) for the options of decide and explain: each INVALID_OPTIONS.
#[rustfmt::skip]
const BAD_OPTIONS: &[(&str, fn() -> Js, &str)] = &[
    ("a string",                 || text("es"),                                                    "options must be an object, got a string"),
    ("an array",                 || Js::Array(Vec::new()),                                         "options must be an object, got an array"),
    ("negative attempts",        || object(&[("refreshAttempts", Js::Number(-1.0))]),              "options.refreshAttempts must be a whole number of at least 0, got a number"),
    ("fractional attempts",      || object(&[("refreshAttempts", Js::Number(1.5))]),               "options.refreshAttempts must be a whole number"),
    ("NaN attempts",             || object(&[("refreshAttempts", Js::Number(f64::NAN))]),          "options.refreshAttempts must be a whole number"),
    ("infinite attempts",        || object(&[("refreshAttempts", Js::Number(f64::INFINITY))]),     "options.refreshAttempts must be a whole number"),
    ("attempts as a string",     || object(&[("refreshAttempts", text("1"))]),                     "got a string"),
    ("a symbol locale",          || object(&[("locale", Js::Other("another type"))]),              "options.locale must be a string or null, got another type"),
    ("a throwing locale",        || object(&[("locale", Js::Throws)]),                             "reading options.locale threw"),
];

#[test]
fn bad_options_are_invalid_options() {
    for (case, options, says) in BAD_OPTIONS {
        let error = ExplainOptions::read(options().value()).expect_err(case);
        assert_eq!(error.code, ErrorCode::InvalidOptions, "{case}");
        assert!(error.message.contains(says), "{case}: {:?} should say {says:?}", error.message);
    }
}

#[test]
fn options_read_as_given() {
    assert_eq!(ExplainOptions::read(Js::Undefined.value()).unwrap(), ExplainOptions::default());
    assert_eq!(ExplainOptions::read(Js::Null.value()).unwrap(), ExplainOptions::default());
    let read = ExplainOptions::read(object(&[("refreshAttempts", Js::Number(-0.0)), ("locale", text("es-MX"))]).value()).unwrap();
    assert_eq!((read.decide.refresh_attempts, read.locale.as_deref()), (0, Some("es-MX")));
    let huge = ExplainOptions::read(object(&[("refreshAttempts", Js::Number(1e300))]).value()).unwrap();
    assert_eq!(huge.decide.refresh_attempts, u32::MAX, "huge counts saturate");
}

#[test]
fn intents_are_strings_naming_one_of_five() {
    assert_eq!(Intent::read::<Js>(text("fix").value()).unwrap(), Intent::Fix);
    fails(Intent::read::<Js>(text("fix_it").value()), ErrorCode::InvalidIntent, "got \"fix_it\"");
    fails(Intent::read::<Js>(Js::Number(1.0).value()), ErrorCode::InvalidIntent, "one of fresh_data, add_products, remove, fix, migrate; got a number");
    fails(AdviseOptions::read(object(&[("products", text("BALANCES"))]).value()), ErrorCode::InvalidOptions, "options.products must be an array");
}

#[test]
fn define_copy_reads_locale_texts_and_options() {
    let texts = object(&[
        ("healthy", object(&[("title", text("Tout va bien")), ("actionLabel", Js::Null)])),
        ("login_required", object(&[("message", text("Reconnectez-vous"))])),
    ]);
    let locale = CustomLocale::read(text("fr").value(), texts.value(), object(&[("fallback", text("en"))]).value()).unwrap();
    assert_eq!((locale.tag.as_str(), locale.fallback.as_deref()), ("fr", Some("en")));
    assert_eq!(locale.texts.len(), 2);
    assert_eq!(locale.texts[0].1.action_label, Some(None), "null removes the label");
    assert_eq!(locale.texts[1].1.action_label, None, "absent inherits it");

    let good = || object(&[("healthy", object(&[("title", text("ok"))]))]);
    #[rustfmt::skip]
    let bad: &[(Js, Js, Js, &str)] = &[
        (Js::Number(1.0), good(), Js::Undefined,                               "locale must be a string such as \"fr\", got a number"),
        (text("fr"), Js::Null, Js::Undefined,                                  "texts must be an object, got null"),
        (text("fr"), object(&[("healthy", text("ok"))]), Js::Undefined,        "texts entry must be an object, got a string"),
        (text("fr"), object(&[("healthy", object(&[("title", Js::Number(1.0))]))]), Js::Undefined, "texts entry.title must be a string or null"),
        (text("fr"), good(), text("en"),                                       "options must be an object, got a string"),
        (text("fr"), good(), object(&[("yourInstitution", Js::Bool(true))]),   "options.yourInstitution must be a string or null"),
        (text("fr"), object(&[("healthy", Js::Throws)]), Js::Undefined,        "reading texts.healthy threw"),
    ];
    for (tag, texts, options, says) in bad {
        fails(CustomLocale::read(tag.value(), texts.value(), options.value()), ErrorCode::InvalidCopy, says);
    }
}

#[test]
fn token_responses_are_read_as_strings_or_absent() {
    let response = object(&[("connectToken", text("t")), ("widgetUrl", text("https://x")), ("id", text("c1")), ("institutionId", Js::Null)]);
    let read = TokenResponse::read(response.value()).unwrap();
    assert_eq!((read.connect_token.as_deref(), read.institution_id), (Some("t"), None));
    fails(TokenResponse::read(Js::Array(Vec::new()).value()), ErrorCode::InvalidTokenResponse, "the token response must be an object, got an array");
    fails(TokenResponse::read(object(&[("connectToken", Js::Number(1.0))]).value()), ErrorCode::InvalidTokenResponse, "the token response.connectToken must be a string or null");
}

#[test]
fn headers_and_widget_origins() {
    let headers = read_headers(object(&[("X-CSRF-Token", text("abc"))]).value()).unwrap();
    assert_eq!(headers, [("X-CSRF-Token".to_owned(), "abc".to_owned())]);
    assert!(read_headers(Js::Undefined.value()).unwrap().is_empty());
    fails(read_headers(object(&[("X-Count", Js::Number(1.0))]).value()), ErrorCode::InvalidOptions, "options.headers values must be strings; not so for \"X-Count\"");
    fails(read_headers(text("x").value()), ErrorCode::InvalidOptions, "options.headers must be an object, got a string");

    assert_eq!(WidgetPolicy::read(Js::Null.value(), false).unwrap(), WidgetPolicy::default());
    let policy = WidgetPolicy::read(strings(&["https://institution-connect.meld.io/"]).value(), false).unwrap();
    assert_eq!(policy.allowed_origins, ["https://institution-connect.meld.io"]);
    fails(WidgetPolicy::read(text("https://institution-connect.meld.io").value(), false), ErrorCode::InvalidOptions, "options.allowedWidgetOrigins must be an array of strings or null, got a string");
    fails(WidgetPolicy::read(Js::Array(vec![Js::Null]).value(), false), ErrorCode::InvalidOptions, "it holds null");
}

#[test]
fn widget_messages_never_fail_and_stay_small() {
    assert_eq!(MessageFields::read(text("meld-connect").value()), None, "not an object");
    let message = object(&[
        ("domain", text("meld-connect")),
        ("eventName", Js::Throws),
        ("accountCount", text("3")),
        ("institutionName", text(&"x".repeat(MAX_TEXT_CHARS * 3))),
        ("accounts", Js::Array(vec![
            object(&[("name", text(&"n".repeat(MAX_TEXT_CHARS + 1))), ("type", text("checking")), ("mask", Js::Number(1234.0)), ("secret", text("s"))]),
            text("not an account"),
        ])),
    ]);
    let fields = MessageFields::read(message.value()).unwrap();
    assert_eq!((fields.event_name, fields.account_count), (None, None), "a throwing or mistyped field is absent");
    let accounts = fields.accounts.unwrap();
    assert_eq!(accounts.len(), 1, "only objects are accounts");
    assert_eq!(accounts[0].name.as_ref().map(|name| name.chars().count()), Some(MAX_TEXT_CHARS));
    assert_eq!((accounts[0].kind.as_deref(), accounts[0].mask.as_deref()), (Some("checking"), None));

    let too_many = object(&[("accounts", Js::Array(vec![object(&[]); MAX_ACCOUNTS as usize + 1]))]);
    assert_eq!(MessageFields::read(too_many.value()).unwrap().accounts, None, "past the bound, not read at all");
}
