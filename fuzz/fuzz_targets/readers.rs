//! `readers`: any JSON value (a string `"__throws__"` stands for a getter that throws) through
//! every reader of the app's values (src/read.rs and each core type's `read`), as the wasm
//! boundary calls them. Invariants: nothing panics; a failure is a coded error of the reader's
//! family with a short message (a huge input never becomes a huge message); a success holds
//! exactly the strings the input held; a triaged list shows each connection at most once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meld_repair::error::{Error, ErrorCode};
use meld_repair::explain::{CustomLocale, ExplainOptions};
use meld_repair::flow::message::{MessageFields, MAX_ACCOUNTS, MAX_TEXT_CHARS};
use meld_repair::flow::token::{read_headers, TokenResponse, WidgetPolicy};
use meld_repair::read::{Source, Threw, Value, MAX_ELEMENTS};
use meld_repair::explain::Catalog;
use meld_repair::rules::triage::{read_connections, MAX_CONNECTIONS};
use meld_repair::rules::{triage, AdviseOptions, Connection, Intent, TriageOptions};
use meld_repair::webhooks::Webhook;
use serde_json::Value as Json;

const THROWS: &str = "__throws__";

#[derive(Clone)]
struct J(Json);

fn value(json: &Json) -> Value<J> {
    match json {
        Json::Null => Value::Null,
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(number) => Value::Number(number.as_f64().unwrap_or(f64::NAN)),
        Json::String(text) => Value::Text(text.clone()),
        Json::Array(_) => Value::List(J(json.clone())),
        Json::Object(_) => Value::Object(J(json.clone())),
    }
}

fn read(json: Option<&Json>) -> Result<Value<J>, Threw> {
    match json {
        Some(Json::String(text)) if text == THROWS => Err(Threw),
        Some(json) => Ok(value(json)),
        None => Ok(Value::Undefined),
    }
}

impl Source for J {
    fn get(&self, key: &'static str) -> Result<Value<J>, Threw> {
        read(self.0.get(key))
    }
    fn get_dynamic(&self, key: &str) -> Result<Value<J>, Threw> {
        read(self.0.get(key))
    }
    fn keys(&self) -> Result<Vec<String>, Threw> {
        Ok(self.0.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default())
    }
    fn length(&self) -> Result<f64, Threw> {
        Ok(self.0.as_array().map_or(0.0, |items| items.len() as f64))
    }
    fn element(&self, index: u32) -> Result<Value<J>, Threw> {
        read(self.0.as_array().and_then(|items| items.get(index as usize)))
    }
}

/// A failure is coded as the reader's own and says what is wrong in a few hundred characters.
fn check_error(error: &Error, codes: &[ErrorCode]) {
    assert!(codes.contains(&error.code), "unexpected code {:?}: {}", error.code, error.message);
    assert!(!error.retryable);
    assert!(error.message.len() < 600, "a {}-byte message", error.message.len());
}

fn field<'a>(json: &'a Json, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Json::as_str)
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<Json>(data) else { return };
    let input = value(&json);
    let part = |key: &str| json.get(key).map_or(Value::Undefined, value);

    match Connection::read_status_fields(input.clone()) {
        Ok(connection) => {
            assert_eq!(Some(connection.status.as_str()), field(&json, "status"));
            assert!(!connection.status.trim().is_empty());
            assert_eq!(connection.institution_name.as_deref(), field(&json, "institutionName"));
        }
        Err(error) => check_error(&error, &[ErrorCode::InvalidConnection]),
    }
    for status_required in [true, false] {
        match Connection::read(input.clone(), status_required) {
            Ok(connection) => {
                assert!(connection.products.len() <= MAX_ELEMENTS as usize);
                let given: Vec<&str> = json.get("products").and_then(Json::as_array).map(|items| items.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
                assert_eq!(connection.products, given);
            }
            Err(error) => check_error(&error, &[ErrorCode::InvalidConnection]),
        }
    }
    if let Err(error) = ExplainOptions::read(input.clone()) {
        check_error(&error, &[ErrorCode::InvalidOptions]);
    }
    if let Err(error) = AdviseOptions::read(input.clone()) {
        check_error(&error, &[ErrorCode::InvalidOptions]);
    }
    if let Err(error) = Intent::read(input.clone()) {
        check_error(&error, &[ErrorCode::InvalidIntent]);
    }
    match CustomLocale::read(part("locale"), part("texts"), part("options")) {
        Ok(locale) => assert_eq!(locale.texts.len(), json.get("texts").and_then(Json::as_object).map_or(0, |texts| texts.len())),
        Err(error) => check_error(&error, &[ErrorCode::InvalidCopy]),
    }
    if let Err(error) = TokenResponse::read(input.clone()) {
        check_error(&error, &[ErrorCode::InvalidTokenResponse]);
    }
    if let Err(error) = read_headers(input.clone()) {
        check_error(&error, &[ErrorCode::InvalidOptions]);
    }
    if let Err(error) = WidgetPolicy::read(input.clone(), json.get("loopback").is_some()) {
        check_error(&error, &[ErrorCode::InvalidOptions]);
    }
    if let Some(fields) = MessageFields::read(input.clone()) {
        for account in fields.accounts.iter().flatten() {
            for text in [&account.name, &account.kind, &account.mask].into_iter().flatten() {
                assert!(text.chars().count() <= MAX_TEXT_CHARS);
            }
        }
        assert!(fields.accounts.is_none_or(|accounts| accounts.len() <= MAX_ACCOUNTS as usize));
    }
    match (read_connections(part("connections")), TriageOptions::read(part("options"))) {
        (Ok(list), Ok(options)) => {
            let given = json.get("connections").and_then(Json::as_array).map_or(0, Vec::len);
            assert!(list.len() == given && list.len() <= MAX_CONNECTIONS as usize);
            let triaged = triage(&list, &options, &Catalog::default());
            let folded: usize = triaged.items.iter().map(|item| 1 + item.duplicates.len()).sum();
            assert!(folded <= list.len(), "an item shown twice");
        }
        (Err(error), _) => check_error(&error, &[ErrorCode::InvalidConnection]),
        (_, Err(error)) => check_error(&error, &[ErrorCode::InvalidOptions]),
    }
    if let Err(error) = Webhook::read(input) {
        check_error(&error, &[ErrorCode::InvalidWebhook]);
    }
});
