//! The string unions in js/index.d.ts are generated from the Rust tables, so the published
//! types cannot drift from the rules. Fails with a diff hint when they differ; run
//! `UPDATE_TYPES=1 cargo test --test types` to rewrite the region.

use meld_repair::error::ErrorCode;
use meld_repair::explain::{Severity, BUILT_IN};
use meld_repair::rules::advise::{Intent, Operation, PRODUCTS};
use meld_repair::rules::connection::LEGACY_STATUSES;
use meld_repair::rules::table::{codes, reasons, statuses, Action, Urgency};

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
        union("Operation", "Meld operations (and waiting or nothing).", Operation::ALL.iter().map(|o| o.as_str())),
        union("Intent", "What the app wants to do with a connection.", Intent::ALL.iter().map(|(name, _)| *name)),
        union("Product", "Meld's products.", PRODUCTS.iter()),
        union("Severity", "How an explanation should look.", Severity::ALL.iter().map(|s| s.as_str())),
        union("BuiltInLocale", "Locales shipped with the package.", BUILT_IN.iter().map(|l| l.tag)),
        union("ErrorCode", "Every `MeldRepairError.code`.", ErrorCode::all().map(|c| c.as_str())),
    ]
    .join("")
}

#[test]
fn typescript_unions_match_the_rust_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/index.d.ts");
    let file = std::fs::read_to_string(path).unwrap();
    let start = file.find(START).expect("region start marker") + START.len();
    let end = start + file[start..].find(END).expect("region end marker");
    let expected = generated();
    if file[start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(path, format!("{}{}{}", &file[..start], expected, &file[end..])).unwrap();
        return;
    }
    panic!("js/index.d.ts is out of date with the Rust tables; run UPDATE_TYPES=1 cargo test --test types\n\nexpected:\n{expected}");
}
