//! The widget's `postMessage` events (reference §7.2). The widget also relays raw provider
//! events; only Meld's own (`domain: "meld-connect"`) are read. Metadata arrives either as
//! fields of the event or as a query string, so both are read, fields first. Whatever the
//! widget sends, what comes out is small: strings are clipped and counts bounded before they
//! can reach the UI.

use super::query;
use crate::error::ErrorCode;
use crate::read::{elements, Reader, Source, Value};
use crate::text;

/// Meld's events carry this domain; everything else is provider noise.
pub const MELD_DOMAIN: &str = "meld-connect";

/// Longer event names are not events.
pub const MAX_EVENT_NAME_CHARS: usize = 64;

/// Metadata strings are clipped to this many characters.
pub const MAX_TEXT_CHARS: usize = 512;

/// More accounts than this in one connection is not a count we believe.
pub const MAX_ACCOUNT_COUNT: u32 = 10_000;

/// Longer `accounts` lists are not read (a sparse `length: 1e9` must not be read element by element).
pub const MAX_ACCOUNTS: u32 = 100;

/// The event as the boundary read it from the JS object: each field `None` when absent or not
/// of the right JS type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageFields {
    pub domain: Option<String>,
    pub event_name: Option<String>,
    pub details: Option<String>,
    pub reason: Option<String>,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub account_count: Option<f64>,
    /// A query string, when the widget sends its metadata that way.
    pub metadata: Option<String>,
    /// `connect_complete`'s accounts, each field clipped; `None` when absent, malformed or
    /// longer than [`MAX_ACCOUNTS`].
    pub accounts: Option<Vec<Account>>,
}

/// One account of `connect_complete`: only these fields reach the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub mask: Option<String>,
}

impl MessageFields {
    /// A `postMessage` payload; `None` when it is not an object. A field of the wrong type, or
    /// one that throws when read, is absent: a widget's odd message is never an app error.
    pub fn read<S: Source>(data: Value<S>) -> Option<MessageFields> {
        let reader = Reader::required(data, "message", ErrorCode::InvalidOptions).ok()?;
        let text = |key| reader.optional_string(key).ok().flatten();
        Some(MessageFields {
            domain: text("domain"),
            event_name: text("eventName"),
            details: text("details"),
            reason: text("reason"),
            institution_id: text("institutionId"),
            institution_name: text("institutionName"),
            account_count: match reader.get("accountCount") {
                Ok(Value::Number(count)) => Some(count),
                _ => None,
            },
            metadata: text("metadata"),
            accounts: match reader.get("accounts") {
                Ok(Value::List(list)) => elements(&list, MAX_ACCOUNTS).ok().map(|items| items.into_iter().filter_map(Account::read).collect()),
                _ => None,
            },
        })
    }
}

impl Account {
    fn read<S: Source>(value: Value<S>) -> Option<Account> {
        let account = Reader::required(value, "account", ErrorCode::InvalidOptions).ok()?;
        let field = |key| account.optional_string(key).ok().flatten().map(|text| clip(&text));
        Some(Account { name: field("name"), kind: field("type"), mask: field("mask") })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WidgetEvent {
    Init,
    Debug { details: Option<String> },
    Error { details: Option<String>, reason: Option<String> },
    ConnectComplete { institution_id: Option<String>, institution_name: Option<String>, account_count: Option<u32> },
    /// A Meld event this version does not know, passed on by name.
    Other { name: String },
}

impl WidgetEvent {
    /// Meld's `eventName`.
    pub fn name(&self) -> &str {
        match self {
            WidgetEvent::Init => "init",
            WidgetEvent::Debug { .. } => "debug",
            WidgetEvent::Error { .. } => "error",
            WidgetEvent::ConnectComplete { .. } => "connect_complete",
            WidgetEvent::Other { name } => name,
        }
    }
}

/// The Meld event in `fields`, or `None` when it is not one (another domain, no domain, an
/// empty or over-long event name).
pub fn parse(fields: &MessageFields) -> Option<WidgetEvent> {
    if fields.domain.as_deref() != Some(MELD_DOMAIN) {
        return None;
    }
    let name = fields.event_name.as_deref()?;
    // The byte test first keeps a huge name from being counted.
    if name.is_empty() || name.len() > MAX_EVENT_NAME_CHARS * 4 || name.chars().count() > MAX_EVENT_NAME_CHARS {
        return None;
    }
    // Decoded only for the events that read it.
    let metadata = || Metadata::new(fields);
    Some(match name {
        "init" => WidgetEvent::Init,
        "debug" => WidgetEvent::Debug { details: metadata().text(&fields.details, "details") },
        "error" => {
            let metadata = metadata();
            WidgetEvent::Error {
                details: metadata.text(&fields.details, "details"),
                reason: metadata.text(&fields.reason, "reason"),
            }
        }
        "connect_complete" => {
            let metadata = metadata();
            WidgetEvent::ConnectComplete {
                institution_id: metadata.text(&fields.institution_id, "institutionId"),
                institution_name: metadata.text(&fields.institution_name, "institutionName"),
                account_count: match fields.account_count {
                    Some(number) => account_count(number),
                    None => metadata.query("accountCount").as_deref().and_then(account_count_text),
                },
            }
        }
        _ => WidgetEvent::Other { name: name.to_owned() },
    })
}

/// The query-string metadata, decoded once.
struct Metadata {
    pairs: Vec<(String, String)>,
}

impl Metadata {
    fn new(fields: &MessageFields) -> Self {
        // Like `new URLSearchParams(text)`, which drops one leading `?`.
        Metadata { pairs: fields.metadata.as_deref().map(|text| query::query_pairs(text.strip_prefix('?').unwrap_or(text))).unwrap_or_default() }
    }

    fn query(&self, key: &str) -> Option<String> {
        self.pairs.iter().find(|(name, _)| name == key).map(|(_, value)| clip(value))
    }

    /// The event's own field when present, else the query string's `key`; clipped either way.
    fn text(&self, field: &Option<String>, key: &str) -> Option<String> {
        match field {
            Some(value) => Some(clip(value)),
            None => self.query(key),
        }
    }
}

/// At most [`MAX_TEXT_CHARS`] characters, cut at a character boundary (also used by the
/// boundary for the accounts of `connect_complete`).
pub fn clip(text: &str) -> String {
    text::clip(text, MAX_TEXT_CHARS).to_owned()
}

/// A whole number in 0..=10 000 (not NaN, not infinite, no fraction).
fn account_count(number: f64) -> Option<u32> {
    let in_range = (0.0..=f64::from(MAX_ACCOUNT_COUNT)).contains(&number);
    // In range, so the cast is exact for whole numbers; a fraction does not survive the round trip.
    (in_range && f64::from(number as u32) == number).then_some(number as u32)
}

/// Decimal digits only (`"2"`, `"007"`), in 0..=10 000.
fn account_count_text(text: &str) -> Option<u32> {
    text::parse_decimal(text, MAX_ACCOUNT_COUNT)
}
