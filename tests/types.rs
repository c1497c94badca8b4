//! What JS states about the Rust tables is generated from them, so it cannot drift: the string
//! unions in js/index.d.ts, and js/facts.js (each error code's `retryable`, the inputs the
//! answer cache keys on). Fails with a hint when they differ; run
//! `UPDATE_TYPES=1 cargo test --test types` to rewrite them.

use meld_repair::error::ErrorCode;
use meld_repair::explain::{Severity, BUILT_IN, SUMMARY_CODES};
use meld_repair::rules::advise::{Intent, Operation, PRODUCTS};
use meld_repair::rules::connection::LEGACY_STATUSES;
use meld_repair::rules::table::{codes, reasons, statuses, Action, Urgency};
use meld_repair::rules::{DECISION_INPUTS, EXPLANATION_INPUTS};

const START: &str = "// #region generated from src/rules, src/explain and src/error\n";
const END: &str = "// #endregion\n";

fn union(name: &str, doc: &str, values: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let values: Vec<String> = values.into_iter().map(|v| format!("  | \"{}\"", v.as_ref())).collect();
    format!("/** {doc} */\nexport type {name} =\n{};\n", values.join("\n"))
}

fn generated() -> String {
    let mut known_statuses = statuses();
    known_statuses.extend(LEGACY_STATUSES.iter().map(|(old, _, _)| *old));
    [
        union("KnownStatus", "Every connection status the rules know, legacy 2022-11-10 ones last.", known_statuses),
        union("KnownStatusReason", "Every status reason the rules name.", reasons()),
        union("Action", "What the app should do.", Action::ALL.iter().map(|a| a.as_str())),
        union("Urgency", "How much the customer's attention is needed.", Urgency::ALL.iter().map(|u| u.as_str())),
        union("Code", "Stable machine code of a verdict.", codes()),
        union("SummaryCode", "Stable machine code of a `triage` summary.", SUMMARY_CODES.iter()),
        union("Operation", "Meld operations (and waiting or nothing).", Operation::ALL.iter().map(|o| o.as_str())),
        union("Intent", "What the app wants to do with a connection.", Intent::ALL.iter().map(|(name, _)| *name)),
        union("Product", "Meld's products.", PRODUCTS.iter()),
        union("Severity", "How an explanation should look.", Severity::ALL.iter().map(|s| s.as_str())),
        union("BuiltInLocale", "Locales shipped with the package.", BUILT_IN.iter().map(|l| l.tag)),
        union("ErrorCode", "Every `MeldRepairError.code`.", ErrorCode::all().map(|c| c.as_str())),
    ]
    .join("")
}

fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// `decide` echoes the connection's `id` (as `connectionId`) besides the fields it depends on.
const ECHOED: &[&str] = &["id"];

/// `{ a: read(object, "a"), b: read(object, "b") }`
fn reads(object: &str, read: &str, names: &[&str]) -> String {
    let fields: Vec<String> = names.iter().map(|name| format!("{name}: {read}({object}, \"{name}\")")).collect();
    format!("{{ {} }}", fields.join(", "))
}

/// `part(object.a) + part(object.b)`
fn key(object: &str, names: &[&str]) -> String {
    let parts: Vec<String> = names.iter().map(|name| format!("part({object}.{name})")).collect();
    parts.join(" + ")
}

fn facts() -> String {
    let connection_fields = [ECHOED, DECISION_INPUTS.0, EXPLANATION_INPUTS.0].concat();
    let option_fields = [DECISION_INPUTS.1, EXPLANATION_INPUTS.1].concat();
    let situation = [key("connection", DECISION_INPUTS.0), key("options", DECISION_INPUTS.1)].join(" + ");
    format!(
        "// Generated from the Rust tables by tests/types.rs (UPDATE_TYPES=1 cargo test --test types); do not edit.\n\n\
         /**\n \
          * The connection's and the options' fields decide and explain depend on (src/rules/decide.rs\n \
          * `DECISION_INPUTS`, `EXPLANATION_INPUTS`) and the echoed id, read from the app's objects each\n \
          * by its name: a loop over names would make every read a generic keyed one, a fifth of a\n \
          * remembered call's time.\n \
          */\n\
         export const readInputs = (connection, options, text, choice) => ({{\n  connection: {},\n  options: {},\n}});\n\n\
         /** A decision's cache key (`part` makes one value's piece of it). */\n\
         export const decisionKey = (connection, options, part) => {};\n\n\
         /** What an explanation's key adds to the decision's. */\n\
         export const explanationKey = (options, part) => {};\n",
        reads("connection", "text", &connection_fields),
        reads("options", "choice", &option_fields),
        situation,
        key("options", EXPLANATION_INPUTS.1),
    )
}

/// The `retryable` column of src/error.rs, for js/errors.js (which the wasm imports, so it
/// holds the table itself rather than importing it).
fn retryable() -> String {
    let rows: Vec<String> = ErrorCode::all().map(|code| format!("  {}: {},", code.as_str(), code.retryable())).collect();
    format!("/** Whether trying again can help, per code, unless the error says otherwise (src/error.rs). */\nconst RETRYABLE = {{\n{}\n}};\n", rows.join("\n"))
}

/// Rewrites (with UPDATE_TYPES) or checks the generated region of a file under js/.
fn check_region(file: &str, start: &str, generated: &str) {
    let path = format!("{}/js/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let from = text.find(start).expect("region start marker") + start.len();
    let to = from + text[from..].find(END).expect("region end marker");
    if text[from..to] == *generated {
        return;
    }
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(&path, format!("{}{}{}", &text[..from], generated, &text[to..])).unwrap();
        return;
    }
    panic!("js/{file} is out of date with the Rust tables; run UPDATE_TYPES=1 cargo test --test types\n\nexpected:\n{generated}");
}

#[test]
fn error_retryable_matches_the_rust_table() {
    check_region("errors.js", "// #region generated from src/error.rs\n", &retryable());
}

#[test]
fn js_facts_match_the_rust_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/facts.js");
    let expected = facts();
    if std::fs::read_to_string(path).is_ok_and(|file| file == expected) {
        return;
    }
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(path, expected).unwrap();
        return;
    }
    panic!("js/facts.js is out of date with the Rust tables; run UPDATE_TYPES=1 cargo test --test types\n\nexpected:\n{expected}");
}

#[test]
fn typescript_unions_match_the_rust_tables() {
    check_region("index.d.ts", START, &generated());
}
