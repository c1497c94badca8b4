//! `interpretWebhook`: what a Meld webhook (reference §14) means for the app. The event is
//! looked up in [`EVENTS`]; a status change gets the same decision and wording as `decide` and
//! `explain` give for the new status. Reading is forgiving: event types in any case, every
//! spelling of the payload's status fields, unknown events kept as `unknown`. Only a body that
//! is not a webhook at all is an error.

pub mod events;

pub use events::{Event, Health, EVENTS, UNKNOWN};

use crate::error::{Error, ErrorCode, Result};
use crate::read::{Source, Threw, Value};
use crate::explain::{Catalog, Explanation};
use crate::rules::connection::normalize;
use crate::rules::{decide, Connection, DecideOptions, Decision, Situation};

/// Non-blank text; anything else reads as absent, so one odd field never loses the event.
fn text<S>(value: Value<S>) -> Option<String> {
    value.into_text().filter(|text| !text.trim().is_empty())
}

/// The payload's names for each status field, the first non-blank string wins. Only
/// `newStatus` is confirmed by Meld's pages (§14.4); the others are the spellings of older
/// pages and of the connection object.
const STATUS_KEYS: &[&str] = &["newStatus", "status"];
const REASON_KEYS: &[&str] = &["newStatusReason", "statusReason", "reason"];
const PREVIOUS_STATUS_KEYS: &[&str] = &["oldStatus", "previousStatus"];

/// The fields of a webhook that its interpretation uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Webhook {
    /// As sent; looked up trimmed and upper-cased.
    pub event_type: String,
    pub event_id: Option<String>,
    pub timestamp: Option<String>,
    pub connection_id: Option<String>,
    pub customer_id: Option<String>,
    pub external_customer_id: Option<String>,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// Sent with `WEBHOOK_TEST` and `BANK_LINKING_CONNECTION_COMPLETED`.
    pub request_id: Option<String>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub previous_status: Option<String>,
}

impl Webhook {
    /// Reads a parsed webhook body; `INVALID_WEBHOOK` when it is not an object with a string
    /// `eventType` and, when present, an object `payload`.
    pub fn read<S: Source>(body: Value<S>) -> Result<Webhook> {
        let get = |object: &S, key: &'static str| {
            object.get(key).map_err(|Threw| invalid(&["reading the webhook's ", key, " threw"]))
        };
        let body = match body {
            Value::Object(body) => body,
            Value::Text(_) => return Err(invalid(&[NOT_AN_OBJECT, "a string: parse the JSON (after verifying its signature)"])),
            other => return Err(invalid(&[NOT_AN_OBJECT, other.type_name()])),
        };
        let event_type = match get(&body, "eventType")? {
            Value::Text(event_type) => event_type,
            other => {
                return Err(invalid(&[
                    "webhook.eventType must be a string such as \"BANK_LINKING_CONNECTION_STATUS_CHANGE\", got ",
                    other.type_name(),
                ]));
            }
        };
        let payload = match get(&body, "payload")? {
            Value::Object(payload) => Some(payload),
            Value::Undefined | Value::Null => None,
            other => return Err(invalid(&["webhook.payload must be an object or absent, got ", other.type_name()])),
        };
        let mut webhook = Webhook {
            event_id: text(get(&body, "eventId")?),
            timestamp: text(get(&body, "timestamp")?),
            event_type,
            ..Webhook::default()
        };
        if let Some(payload) = payload {
            // A table, not a read per field: one error path instead of nine (kilobytes of wasm).
            let fields: [(&mut Option<String>, &[&'static str]); 9] = [
                (&mut webhook.connection_id, &["connectionId"]),
                (&mut webhook.customer_id, &["customerId"]),
                (&mut webhook.external_customer_id, &["externalCustomerId"]),
                (&mut webhook.institution_id, &["institutionId"]),
                (&mut webhook.institution_name, &["institutionName"]),
                (&mut webhook.request_id, &["requestId"]),
                (&mut webhook.status, STATUS_KEYS),
                (&mut webhook.status_reason, REASON_KEYS),
                (&mut webhook.previous_status, PREVIOUS_STATUS_KEYS),
            ];
            for (field, keys) in fields {
                for &key in keys {
                    *field = text(get(&payload, key)?);
                    if field.is_some() {
                        break;
                    }
                }
            }
        }
        Ok(webhook)
    }
}

const NOT_AN_OBJECT: &str = "a webhook must be the parsed JSON body, an object, got ";

fn invalid(parts: &[&str]) -> Error {
    Error::new(ErrorCode::InvalidWebhook, &parts.concat())
}

/// What the webhook means for the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpretation {
    /// The table's row, or [`UNKNOWN`].
    pub event: &'static Event,
    /// Trimmed and upper-cased.
    pub event_type: String,
    /// The connection as the event describes it: with a decision, at its new status.
    pub connection: Connection,
    /// For the events that say how the connection is: the same as `decide` on it.
    pub decision: Option<Decision>,
    pub explanation: Option<Explanation>,
    /// Upper-cased, as the payload gave it.
    pub previous_status: Option<String>,
    /// Ask the customer to act (the decision involves them).
    pub prompt_customer: bool,
    /// Earlier prompts about this connection no longer apply.
    pub stop_prompts: bool,
}

pub fn interpret(webhook: &Webhook, catalog: &Catalog, locale: &str) -> Interpretation {
    let event_type = normalize(&webhook.event_type);
    let event = EVENTS.iter().find(|event| event.event_type == event_type).unwrap_or(&UNKNOWN);
    let (status, reason) = match event.health {
        // A status change without a status this version reads decides as an unknown status: wait.
        Health::FromPayload => (webhook.status.clone().unwrap_or_default(), webhook.status_reason.clone()),
        Health::Is(status, reason) => (status.to_owned(), reason.map(str::to_owned).or_else(|| webhook.status_reason.clone())),
        Health::NoPrompt | Health::Unchanged => (String::new(), None),
    };
    let connection = Connection {
        id: webhook.connection_id.clone(),
        status,
        status_reason: reason,
        institution_name: webhook.institution_name.clone(),
        ..Connection::default()
    };
    let decision = matches!(event.health, Health::FromPayload | Health::Is(..))
        .then(|| decide(Situation::of(&connection), DecideOptions::default()));
    let explanation = decision.as_ref().map(|decision| catalog.explain(decision, connection.institution_name.as_deref(), locale));
    let (prompt_customer, stop_prompts) = match &decision {
        // Without a connection id nobody can be asked or released (a handler would mail
        // "connection null").
        _ if !webhook.connection_id.as_deref().is_some_and(|id| !id.trim().is_empty()) => (false, false),
        // An unknown status neither asks nor releases the customer.
        Some(decision) => (decision.customer_involved(), decision.recognized && !decision.customer_involved()),
        None => (false, event.health == Health::NoPrompt),
    };
    Interpretation {
        event,
        event_type,
        connection,
        decision,
        explanation,
        previous_status: webhook.previous_status.as_deref().map(normalize),
        prompt_customer,
        stop_prompts,
    }
}
