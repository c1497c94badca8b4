//! `interpretWebhook`'s boundary. The core reads the body key by key, so only the fields it
//! uses are copied out of JS.

use wasm_bindgen::prelude::*;

use super::convert::{static_string, value, Writer};
use super::core::{decision_object, explanation_object, with_catalog};
use crate::error::ErrorCode;
use crate::explain::DEFAULT_LOCALE;
use crate::read::Reader;
use crate::webhooks::{self, Webhook};

/// What a Meld webhook body (parsed JSON) means for the app: `{ kind, eventType, eventId,
/// connectionId, …, promptCustomer, stopPrompts, dataChanged, refetch, decision, explanation,
/// note }`. Unknown events come back as `kind: "unknown"`; a body that is not a webhook throws
/// `INVALID_WEBHOOK`. `options.locale` picks the explanation's language.
#[wasm_bindgen(js_name = interpretWebhook)]
pub fn interpret_webhook(event: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let webhook = Webhook::read(value(event))?;
    let locale = Reader::optional(value(options), "options", ErrorCode::InvalidOptions)?.optional_string("locale")?;
    // Everything is read before the catalog is taken out, so no JS getter runs without it.
    let meaning =
        with_catalog(|catalog| webhooks::interpret(&webhook, catalog, locale.as_deref().unwrap_or(DEFAULT_LOCALE)));
    let event = meaning.event;
    let decision = meaning.decision.as_ref().map(|decision| decision_object(decision, &meaning.connection));
    Ok(Writer::new()
        .set_static("kind", event.kind)
        .set("eventType", meaning.event_type)
        .set_optional("eventId", webhook.event_id)
        .set_optional("timestamp", webhook.timestamp)
        .set_optional("connectionId", webhook.connection_id)
        .set_optional("customerId", webhook.customer_id)
        .set_optional("externalCustomerId", webhook.external_customer_id)
        .set_optional("institutionId", webhook.institution_id)
        .set_optional("institutionName", webhook.institution_name)
        .set_optional("requestId", webhook.request_id)
        .set("legacy", event.legacy)
        .set("promptCustomer", meaning.prompt_customer)
        .set("stopPrompts", meaning.stop_prompts)
        .set("dataChanged", event.refetch.is_some())
        .set_optional("refetch", event.refetch.map(static_string))
        .set_optional("previousStatus", meaning.previous_status)
        .set_optional("decision", decision)
        .set_optional("explanation", meaning.explanation.as_ref().map(explanation_object))
        .set_static("note", event.note)
        .build())
}
