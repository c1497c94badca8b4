//! `advise`: which of Meld's operations serves what the app wants to do, read from where the
//! connection stands (`STATUSES`) and, where a refresh cannot deliver, from `decide`; and the
//! app's mistakes (bad products, unknown intents) refused with their code.

use meld_repair::error::{Error, ErrorCode};
use meld_repair::rules::{advise, AdviseOptions, Connection, DecideOptions, Intent, Operation};

use crate::support::FIVE_MB;
use Operation::{Delete, NewConnection, NoOperation, Refresh, Repair, Update, Wait};

fn conn(status: &str) -> Connection {
    Connection { id: Some("conn_1".into()), ..Connection::with_status(status, None) }
}

fn with_provider(status: &str, provider: &str, products: &[&str]) -> Connection {
    Connection {
        service_provider: Some(provider.to_owned()),
        products: products.iter().map(|p| p.to_string()).collect(),
        ..conn(status)
    }
}

fn add_products(connection: &Connection, products: &[&str]) -> Result<Operation, Error> {
    let options = AdviseOptions { products: products.iter().map(|p| p.to_string()).collect(), ..AdviseOptions::default() };
    advise(connection, Intent::AddProducts, &options).map(|advice| advice.operation)
}

/// (status, reason, failed refreshes, the operation for fresh_data, for add_products of OWNERS
/// on a Plaid connection, for remove, for fix): by hand from reference §5 and issue #2.
type Row = (&'static str, Option<&'static str>, u32, Operation, Operation, Operation, Operation);

#[rustfmt::skip]
const OPERATIONS: &[Row] = &[
    ("ACTIVE",             None,                                      0, Refresh,       Update,        Delete,      NoOperation),
    // An aggregating connection delivers a refresh while a repair is advised.
    ("ACTIVE",             Some("ACCESS_EXPIRING_SOON"),              0, Refresh,       Update,        Delete,      Repair),
    ("ACTIVE",             Some("NEW_ACCOUNTS_AVAILABLE"),            0, Refresh,       Update,        Delete,      Repair),
    // An impaired one does not: the customer must be present, act at the bank first, or the
    // outage must end (a billed refresh would bring nothing).
    ("DEGRADED",           Some("INTERACTIVE_REFRESH"),               0, Repair,        Update,        Delete,      Repair),
    ("DEGRADED",           Some("INSTITUTION_ACTION_REQUIRED"),       0, NoOperation,   Update,        Delete,      NoOperation),
    ("DEGRADED",           Some("INSTITUTION_CURRENTLY_UNAVAILABLE"), 0, Wait,          Update,        Delete,      Wait),
    ("DEGRADED",           None,                                      0, Wait,          Update,        Delete,      Wait),
    ("PARTIALLY_ACTIVE",   Some("PARTIAL_AGGREGATION_SUCCESS"),       0, Refresh,       Update,        Delete,      Refresh),
    ("PARTIALLY_ACTIVE",   Some("PARTIAL_AGGREGATION_SUCCESS"),       1, Repair,        Update,        Delete,      Repair),
    ("UNDETERMINED",       None,                                      0, Refresh,       Update,        Delete,      Refresh),
    // A refresh would answer 409.
    ("RECONNECT_REQUIRED", Some("LOGIN_REQUIRED"),                    0, Repair,        Update,        Delete,      Repair),
    ("UNRECOVERABLE",      None,                                      0, Repair,        Update,        Delete,      Repair),
    // The customer is in the widget, or nothing brings the connection back.
    ("IN_PROGRESS",        None,                                      0, Wait,          Wait,          Delete,      Wait),
    ("EXPIRED",            None,                                      0, NewConnection, NewConnection, Delete,      NewConnection),
    ("DELETED",            None,                                      0, NewConnection, NewConnection, NoOperation, NoOperation),
    // A status no version knows: call nothing yet (but deleting it is still the app's call).
    ("FROZEN_SOLID",       None,                                      0, Wait,          Update,        Delete,      Wait),
];

#[test]
fn each_intent_follows_where_the_connection_stands() {
    for &(status, reason, attempts, fresh_data, add, remove, fix) in OPERATIONS {
        let connection = Connection { status_reason: reason.map(str::to_owned), ..with_provider(status, "PLAID", &["TRANSACTIONS"]) };
        let options = |products: &[&str]| AdviseOptions {
            products: products.iter().map(|p| p.to_string()).collect(),
            decide: DecideOptions { refresh_attempts: attempts },
        };
        let operation = |intent, products: &[&str]| advise(&connection, intent, &options(products)).unwrap().operation;
        let row = format!("{status} / {reason:?} / {attempts}");
        assert_eq!(operation(Intent::FreshData, &[]), fresh_data, "fresh_data: {row}");
        assert_eq!(operation(Intent::AddProducts, &["OWNERS"]), add, "add_products: {row}");
        assert_eq!(operation(Intent::Remove, &[]), remove, "remove: {row}");
        assert_eq!(operation(Intent::Fix, &[]), fix, "fix: {row}");
    }
}

#[test]
fn a_refresh_that_needs_the_customer_says_why() {
    let interactive = Connection { status_reason: Some("INTERACTIVE_REFRESH".into()), ..conn("DEGRADED") };
    let advice = advise(&interactive, Intent::FreshData, &AdviseOptions::default()).unwrap();
    assert!(advice.note.contains("must be present in the widget"), "{}", advice.note);
    let at_bank = Connection { status_reason: Some("INSTITUTION_ACTION_REQUIRED".into()), ..conn("DEGRADED") };
    let advice = advise(&at_bank, Intent::FreshData, &AdviseOptions::default()).unwrap();
    assert!(advice.note.contains("must act at their bank"), "{}", advice.note);
    let conflict = advise(&conn("RECONNECT_REQUIRED"), Intent::FreshData, &AdviseOptions::default()).unwrap();
    assert!(conflict.note.contains("409 Conflict"), "{}", conflict.note);
}

#[test]
fn empty_product_name_is_refused() {
    let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &[""]).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    assert!(error.message.ends_with("got \"\""), "{}", error.message);
}

#[test]
fn product_with_spaces_and_lower_case_is_read() {
    assert_eq!(add_products(&with_provider("ACTIVE", "PLAID", &["TRANSACTIONS"]), &[" owners "]).unwrap(), Operation::Update);
}

#[test]
fn one_unknown_product_among_known_ones_refuses_all() {
    let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &["OWNERS", "NOPE"]).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    assert!(error.message.ends_with("got \"NOPE\""), "{}", error.message);
}

#[test]
fn fullwidth_product_name_is_unknown() {
    let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &["\u{ff34}\u{ff32}\u{ff21}\u{ff2e}\u{ff33}"]).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
}

#[test]
fn product_with_a_nul_is_unknown() {
    assert_eq!(add_products(&with_provider("ACTIVE", "PLAID", &[]), &["OWNERS\0"]).unwrap_err().code, ErrorCode::InvalidOptions);
}

#[test]
fn five_mb_product_name_is_refused() {
    let error = add_products(&with_provider("ACTIVE", "PLAID", &[]), &[&"X".repeat(FIVE_MB)]).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
}

#[test]
fn products_are_checked_before_the_status() {
    // An expired connection gets a new link, but a bad product list is still the app's bug.
    assert_eq!(add_products(&with_provider("EXPIRED", "PLAID", &[]), &["NOPE"]).unwrap_err().code, ErrorCode::InvalidOptions);
    assert_eq!(add_products(&with_provider("EXPIRED", "PLAID", &[]), &["OWNERS"]).unwrap(), Operation::NewConnection);
}

#[test]
fn other_intents_ignore_a_bad_product_list() {
    let options = AdviseOptions { products: vec!["NOPE".into()], ..AdviseOptions::default() };
    for (intent, operation) in [(Intent::Fix, Operation::Repair), (Intent::FreshData, Operation::Repair), (Intent::Remove, Operation::Delete)] {
        assert_eq!(advise(&conn("RECONNECT_REQUIRED"), intent, &options).unwrap().operation, operation, "{intent:?}");
    }
}

#[test]
fn provider_spelled_with_separators_is_recognised() {
    assert_eq!(add_products(&with_provider("ACTIVE", " y-o_d l e e ", &["BALANCES"]), &["OWNERS"]).unwrap(), Operation::NewConnection);
}

#[test]
fn empty_provider_is_an_unknown_provider() {
    let options = AdviseOptions { products: vec!["OWNERS".into()], ..AdviseOptions::default() };
    let advice = advise(&with_provider("ACTIVE", " - _ ", &["BALANCES"]), Intent::AddProducts, &options).unwrap();
    assert_eq!(advice.operation, Operation::Update);
    assert!(advice.note.contains("unknown to this version"), "{}", advice.note);
}

#[test]
fn intent_with_a_leading_space_is_unknown() {
    let error = Intent::parse(" fix").unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidIntent);
    assert!(error.message.ends_with("got \" fix\""), "{}", error.message);
}

#[test]
fn connection_id_with_the_marker_is_filled_in_once() {
    let connection = Connection { id: Some("{connectionId}".into()), ..conn("ACTIVE") };
    let advice = advise(&connection, Intent::FreshData, &AdviseOptions::default()).unwrap();
    assert_eq!(advice.path(connection.id.as_deref()).as_deref(), Some("POST /bank-linking/connections/{connectionId}/refresh"));
}
