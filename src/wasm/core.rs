//! The status page's exports: decide, explain, advise and the app's wording.

use std::cell::Cell;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::convert::{own_element, static_string, value, Writer};
use crate::error::ErrorCode;
use crate::error::Error;
use crate::explain::{copy_code, outcome_code, Catalog, CopyOptions, CustomLocale, ExplainOptions, Explanation, Template, DEFAULT_LOCALE};
use crate::read::Reader;
use crate::rules::table::Reason;
use crate::rules::{self, AdviseOptions, Connection, DecideOptions, Decision, Intent, Situation, TriageOptions, RULES};

#[wasm_bindgen(module = "/src/wasm/shapes.js")]
extern "C" {
    #[wasm_bindgen(js_name = decision)]
    #[allow(clippy::too_many_arguments)]
    fn decision_shape(
        connection_id: JsValue, status: JsValue, status_reason: JsValue, legacy_status: JsValue,
        raw_status: &str, raw_status_reason: JsValue, recognized: bool, reason_recognized: bool,
        action: JsValue, open_widget: bool, customer_involved: bool, urgency: JsValue, code: JsValue,
        retry_after_seconds: JsValue,
    ) -> JsValue;
    #[wasm_bindgen(js_name = explanation)]
    fn explanation_shape(title: JsValue, message: JsValue, action_label: JsValue, severity: JsValue, locale: &str, code: JsValue) -> JsValue;
}

thread_local! {
    /// The app's own wording, added with `defineCopy`. A `Cell` taken and put back rather than
    /// a `RefCell`: no borrow-failure panic path (and its formatting) in the module.
    static CATALOG: Cell<Catalog> = Cell::new(Catalog::default());
}

pub(super) fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> T) -> T {
    CATALOG.with(|cell| {
        let mut catalog = cell.take();
        let result = f(&mut catalog);
        cell.set(catalog);
        result
    })
}

#[wasm_bindgen]
pub fn decide(connection: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let connection = Connection::read_status_fields(value(connection))?;
    let options = DecideOptions::read(&Reader::optional(value(options), "options", ErrorCode::InvalidOptions)?)?;
    let decision = rules::decide(Situation::of(&connection), options);
    Ok(decision_object(&decision, &connection))
}

#[wasm_bindgen]
pub fn explain(connection: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let connection = Connection::read_status_fields(value(connection))?;
    let options = ExplainOptions::read(value(options))?;
    let decision = rules::decide(Situation::of(&connection), options.decide);
    let explanation = with_catalog(|catalog| {
        catalog.explain(&decision, connection.institution_name.as_deref(), options.locale.as_deref().unwrap_or(DEFAULT_LOCALE))
    });
    Ok(explanation_object(&explanation))
}

/// What the customer reads about a repair's outcome (never the error's developer message).
#[wasm_bindgen(js_name = explainOutcome)]
pub fn explain_outcome(outcome: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let (code, severity) = outcome_code(value(outcome))?;
    Ok(explain_copy_object(code, severity, CopyOptions::read(value(options))?))
}

/// Any other customer text ([`crate::explain::COPY_CODES`]): the element's and the modal's labels.
#[wasm_bindgen(js_name = explainCopy)]
pub fn explain_copy(code: &str, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let (code, severity) = copy_code(code).ok_or_else(|| Error::with_value(ErrorCode::InvalidCopy, "no copy has the code", code))?;
    Ok(explain_copy_object(code, severity, CopyOptions::read(value(options))?))
}

fn explain_copy_object(code: &'static str, severity: crate::explain::Severity, options: CopyOptions) -> JsValue {
    let locale = options.locale.as_deref().unwrap_or(DEFAULT_LOCALE);
    explanation_object(&with_catalog(|catalog| catalog.explain_code(code, severity, options.institution_name.as_deref(), locale)))
}

/// The object `explain` returns (and webhook interpretations carry).
pub(super) fn explanation_object(explanation: &Explanation) -> JsValue {
    explanation_shape(
        JsValue::from_str(&explanation.title),
        JsValue::from_str(&explanation.message),
        explanation.action_label.as_deref().map_or(JsValue::NULL, JsValue::from_str),
        static_string(explanation.severity.as_str()),
        &explanation.locale,
        static_string(explanation.code),
    )
}

/// `explain` before the institution's name goes in, for js/api.js to keep per situation and
/// locale: `title` and `message` are arrays of pieces to join with the name (`named`), or one
/// piece with the stand-in phrase in. `connection` holds the fields a decision depends on.
#[wasm_bindgen(js_name = explainTemplate)]
pub fn explain_template(connection: JsValue, options: JsValue, named: bool) -> std::result::Result<JsValue, JsValue> {
    let connection = Connection::read_status_fields(value(connection))?;
    let options = ExplainOptions::read(value(options))?;
    let decision = rules::decide(Situation::of(&connection), options.decide);
    let locale = options.locale.as_deref().unwrap_or(DEFAULT_LOCALE);
    let template: Template = with_catalog(|catalog| catalog.template(&decision, named, locale));
    let pieces = |pieces: &[String]| -> JsValue { pieces.iter().map(|piece| JsValue::from_str(piece)).collect::<Array>().into() };
    Ok(explanation_shape(
        pieces(&template.title),
        pieces(&template.message),
        template.action_label.as_deref().map_or(JsValue::NULL, JsValue::from_str),
        static_string(template.severity.as_str()),
        &template.locale,
        static_string(template.code),
    ))
}

#[wasm_bindgen]
pub fn advise(connection: JsValue, intent: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let intent = Intent::read(value(intent))?;
    let connection = Connection::read(value(connection), intent != Intent::Migrate)?;
    let options = AdviseOptions::read(value(options))?;
    let advice = rules::advise(&connection, intent, &options)?;
    let id = connection.id.as_deref();
    let mut object = Writer::new()
        .set_static("intent", intent.as_str())
        .set_static("operation", advice.operation.as_str())
        .set("customerInvolved", advice.operation.involves_customer())
        .set_optional("endpoint", advice.operation.endpoint().map(static_string))
        .set_optional("path", advice.path(id))
        .set_static("note", advice.note);
    if let Some(decision) = &advice.decision {
        object = object.set("decision", decision_object(decision, &connection));
    }
    Ok(object.build())
}

/// A customer's whole list: `{ items, summary }` (src/rules/triage.rs). Each item carries the
/// app's own connection objects back, so the app keeps whatever else it stored on them.
#[wasm_bindgen]
pub fn triage(connections: JsValue, options: JsValue) -> std::result::Result<JsValue, JsValue> {
    let list = rules::triage::read_connections(value(connections.clone()))?;
    let options = TriageOptions::read(value(options))?;
    let triaged = with_catalog(|catalog| rules::triage(&list, &options, catalog));
    let original = |index: usize| own_element(&connections, index as u32);
    let items: Array = triaged
        .items
        .iter()
        .map(|item| {
            Writer::new()
                .set("connection", original(item.index))
                .set("decision", decision_object(&item.decision, &list[item.index].connection))
                .set("explanation", explanation_object(&item.explanation))
                .set("duplicates", item.duplicates.iter().map(|&index| original(index)).collect::<Array>())
                .build()
        })
        .collect();
    let summary = &triaged.summary;
    let summary = Writer::new()
        .set("needsAttention", summary.needs_attention as u32)
        .set_static("urgency", summary.urgency.as_str())
        .set_static("code", summary.code)
        .set("title", summary.title.as_str())
        .set("message", summary.message.as_str())
        .set_optional("actionLabel", summary.action_label.as_deref())
        .set_static("severity", summary.severity.as_str())
        .set("locale", summary.locale.as_str())
        .build();
    Ok(Writer::new().set("items", items).set("summary", summary).build())
}

/// Adds or replaces the app's wording for a locale: `texts` maps verdict codes to
/// `{ title?, message?, actionLabel? }`; `options` takes `fallback` and `yourInstitution`.
#[wasm_bindgen(js_name = defineCopy)]
pub fn define_copy(locale: JsValue, texts: JsValue, options: JsValue) -> std::result::Result<(), JsValue> {
    let custom = CustomLocale::read(value(locale), value(texts), value(options))?;
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
                Reason::Any => None,
            };
            Writer::new().set_static("status", rule.status).set_optional("statusReason", reason.map(static_string)).build()
        })
        .collect()
}

pub(super) fn decision_object(decision: &Decision, connection: &Connection) -> JsValue {
    let verdict = decision.verdict;
    let optional = |value: Option<JsValue>| value.unwrap_or(JsValue::NULL);
    decision_shape(
        optional(connection.id.as_deref().map(JsValue::from_str)),
        known_string(&decision.situation.status),
        optional(decision.situation.reason.as_deref().map(known_string)),
        optional(decision.situation.legacy_status.map(static_string)),
        &connection.status,
        optional(connection.status_reason.as_deref().map(JsValue::from_str)),
        decision.recognized,
        decision.reason_recognized,
        static_string(verdict.action.as_str()),
        decision.open_widget(),
        decision.customer_involved(),
        static_string(verdict.urgency.as_str()),
        static_string(verdict.code),
        optional(decision.retry_after_seconds.map(JsValue::from)),
    )
}

/// A status or reason as a JS string, from the cache when the table names it.
fn known_string(value: &str) -> JsValue {
    let named = RULES.iter().find_map(|rule| match rule.reason {
        _ if rule.status == value => Some(rule.status),
        Reason::Is(reason) if reason == value => Some(reason),
        _ => None,
    });
    named.map_or_else(|| JsValue::from_str(value), static_string)
}
