//! The `#[wasm_bindgen]` boundary: each export reads its JS arguments (in the function body,
//! so bad input becomes a coded `Error`, never a trap), calls the pure core and writes a plain
//! JS object back. No rules live here.

mod convert;
mod error;
mod flow;

use std::cell::Cell;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use crate::error::{ErrorCode, Result};
use crate::explain::{Catalog, CustomLocale, CustomText, DEFAULT_LOCALE};
use crate::rules::table::Reason;
use crate::rules::{self, AdviseOptions, Connection, DecideOptions, Decision, Intent, Situation, RULES};
use convert::{Reader, Writer};

thread_local! {
    /// The app's own wording, added with `defineCopy`. A `Cell` taken and put back rather than
    /// a `RefCell`: no borrow-failure panic path (and its formatting) in the module.
    static CATALOG: Cell<Catalog> = Cell::new(Catalog::default());
}

fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> T) -> T {
    CATALOG.with(|cell| {
        let mut catalog = cell.take();
        let result = f(&mut catalog);
        cell.set(catalog);
        result
    })
}

#[wasm_bindgen]
pub fn decide(connection: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let connection = read_connection(&connection, true)?;
    let options = read_decide_options(&Reader::optional(&options, "options", ErrorCode::InvalidOptions)?)?;
    let decision = rules::decide(Situation::of(&connection), options);
    Ok(decision_object(&decision, &connection))
}

#[wasm_bindgen]
pub fn explain(connection: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let connection = read_connection(&connection, true)?;
    let options = Reader::optional(&options, "options", ErrorCode::InvalidOptions)?;
    let decision = rules::decide(Situation::of(&connection), read_decide_options(&options)?);
    let locale = options.optional_string("locale")?;
    let explanation = with_catalog(|catalog| {
        catalog.explain(&decision, connection.institution_name.as_deref(), locale.as_deref().unwrap_or(DEFAULT_LOCALE))
    });
    Ok(Writer::new()
        .set("title", explanation.title)
        .set("message", explanation.message)
        .set_optional("actionLabel", explanation.action_label)
        .set("severity", explanation.severity.as_str())
        .set("locale", explanation.locale)
        .set("code", explanation.code)
        .build())
}

#[wasm_bindgen]
pub fn advise(connection: JsValue, intent: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let intent = match intent.as_string() {
        Some(intent) => Intent::parse(&intent)?,
        None => {
            let got = convert::type_name(&intent);
            return Err(crate::error::Error::new(
                ErrorCode::InvalidIntent,
                &convert::join(&["intent must be one of fresh_data, add_products, remove, fix, migrate; got ", got]),
            )
            .into());
        }
    };
    let connection = read_connection(&connection, intent != Intent::Migrate)?;
    let options = Reader::optional(&options, "options", ErrorCode::InvalidOptions)?;
    let options = AdviseOptions { products: options.strings("products")?, decide: read_decide_options(&options)? };
    let advice = rules::advise(&connection, intent, &options)?;
    let id = connection.id.as_deref();
    let mut object = Writer::new()
        .set("intent", Intent::ALL.iter().find(|(_, i)| *i == intent).map_or("", |(name, _)| *name))
        .set("operation", advice.operation.as_str())
        .set("customerInvolved", advice.operation.involves_customer())
        .set_optional("endpoint", advice.operation.endpoint())
        .set_optional("path", advice.path(id))
        .set("note", advice.note);
    if let Some(decision) = &advice.decision {
        object = object.set("decision", decision_object(decision, &connection));
    }
    Ok(object.build())
}

/// Adds or replaces the app's wording for a locale: `texts` maps verdict codes to
/// `{ title?, message?, actionLabel? }`; `options` takes `fallback` and `yourInstitution`.
#[wasm_bindgen(js_name = defineCopy)]
pub fn define_copy(locale: JsValue, texts: JsValue, options: JsValue) -> std::result::Result<(), JsValue> {
    let tag = locale.as_string().ok_or_else(|| {
        crate::error::Error::new(
            ErrorCode::InvalidCopy,
            &convert::join(&["locale must be a string such as \"fr\", got ", convert::type_name(&locale)]),
        )
    })?;
    let options = Reader::optional(&options, "options", ErrorCode::InvalidCopy)?;
    let custom = CustomLocale {
        tag,
        fallback: options.optional_string("fallback")?,
        your_institution: options.optional_string("yourInstitution")?,
        texts: read_texts(&texts)?,
    };
    with_catalog(|catalog| catalog.define(custom))?;
    Ok(())
}

/// Forgets every `defineCopy`.
#[wasm_bindgen(js_name = resetCopy)]
pub fn reset_copy() {
    with_catalog(Catalog::reset);
}

/// Every status × reason the rules name, as `{ status, statusReason }` (reason `null` for the
/// row that covers no reason and unknown ones): for galleries, docs and tests.
#[wasm_bindgen(js_name = knownSituations)]
pub fn known_situations() -> Array {
    RULES
        .iter()
        .map(|rule| {
            let reason = match rule.reason {
                Reason::Is(reason) => Some(reason),
                Reason::Other => None,
            };
            Writer::new().set("status", rule.status).set_optional("statusReason", reason).build()
        })
        .collect()
}

fn read_connection(value: &JsValue, status_required: bool) -> Result<Connection> {
    let reader = Reader::required(value, "connection", ErrorCode::InvalidConnection)?;
    let status = if status_required { reader.string("status")? } else { reader.optional_string("status")?.unwrap_or_default() };
    if status_required && status.trim().is_empty() {
        return Err(crate::error::Error::new(ErrorCode::InvalidConnection, "connection.status must not be empty"));
    }
    let details: JsValue = reader.object("serviceProviderDetails")?.map_or(JsValue::UNDEFINED, Object::into);
    let details = Reader::optional(&details, "connection.serviceProviderDetails", ErrorCode::InvalidConnection)?;
    Ok(Connection {
        id: reader.optional_string("id")?,
        status,
        status_reason: reader.optional_string("statusReason")?,
        institution_name: reader.optional_string("institutionName")?,
        service_provider: details.optional_string("serviceProvider")?,
        products: reader.strings("products")?,
        optional_products: reader.strings("optionalProducts")?,
        duplicate_connection_ids: reader.strings("duplicateConnectionIds")?,
    })
}

fn read_decide_options(options: &Reader) -> Result<DecideOptions> {
    Ok(DecideOptions { refresh_attempts: options.count("refreshAttempts")? })
}

fn read_texts(value: &JsValue) -> Result<Vec<(String, CustomText)>> {
    let texts = Reader::required(value, "texts", ErrorCode::InvalidCopy)?;
    let object: &Object = value.unchecked_ref();
    let mut out = Vec::new();
    for code in Object::keys(object).iter().filter_map(|key| key.as_string()) {
        let entry = texts.get(&code)?;
        let entry = Reader::required(&entry, "texts entry", ErrorCode::InvalidCopy)?;
        let label = entry.get("actionLabel")?;
        let action_label = if label.is_undefined() { None } else { Some(entry.optional_string("actionLabel")?) };
        out.push((
            code,
            CustomText { title: entry.optional_string("title")?, message: entry.optional_string("message")?, action_label },
        ));
    }
    Ok(out)
}

fn decision_object(decision: &Decision, connection: &Connection) -> JsValue {
    let verdict = decision.verdict;
    Writer::new()
        .set_optional("connectionId", connection.id.as_deref())
        .set("status", decision.situation.status.as_str())
        .set_optional("statusReason", decision.situation.reason.as_deref())
        .set_optional("legacyStatus", decision.situation.legacy_status)
        .set("rawStatus", connection.status.as_str())
        .set_optional("rawStatusReason", connection.status_reason.as_deref())
        .set("recognized", decision.recognized)
        .set("reasonRecognized", decision.reason_recognized)
        .set("action", verdict.action.as_str())
        .set("openWidget", decision.open_widget())
        .set("customerInvolved", decision.customer_involved())
        .set("urgency", verdict.urgency.as_str())
        .set("code", verdict.code)
        .set_optional("retryAfterSeconds", decision.retry_after_seconds)
        .build()
}
