//! `triage`: every status × reason through a list, the folding of Meld's duplicates (reference
//! §10), the order, the summary and its wording, and the bad input it refuses (by index).

use meld_repair::error::ErrorCode;
use meld_repair::explain::{Catalog, CustomLocale, CustomText};
use meld_repair::rules::triage::read_connections;
use meld_repair::rules::{decide, triage, DecideOptions, Situation, Triage, TriageOptions, Urgency, MAX_CONNECTIONS, RULES};
use meld_repair::rules::table::Reason;

use crate::support::js::{object, strings, text, Js};

fn conn(id: &str, status: &str, reason: Option<&str>, name: &str) -> Js {
    object(&[
        ("id", text(id)),
        ("status", text(status)),
        ("statusReason", reason.map_or(Js::Null, text)),
        ("institutionName", text(name)),
    ])
}

fn with(connection: Js, fields: &[(&str, Js)]) -> Js {
    let Js::Object(mut own) = connection else { unreachable!() };
    own.extend(fields.iter().map(|(key, value)| ((*key).to_owned(), value.clone())));
    Js::Object(own)
}

fn run(list: Vec<Js>, options: TriageOptions) -> Triage {
    let listed = read_connections(Js::Array(list).value()).expect("a valid list");
    triage(&listed, &options, &Catalog::default())
}

fn ids(triaged: &Triage, list: &[Js]) -> Vec<String> {
    triaged
        .items
        .iter()
        .map(|item| match &list[item.index] {
            Js::Object(fields) => match &fields[0].1 {
                Js::Text(id) => id.clone(),
                _ => unreachable!(),
            },
            _ => unreachable!(),
        })
        .collect()
}

/// Every row of the table, one connection each: each item is decided and explained exactly as
/// `decide` and `explain` would, only DELETED is left out, and the urgencies never rise.
#[test]
fn every_status_and_reason_is_decided_as_decide_does() {
    let mut list = Vec::new();
    for (at, rule) in RULES.iter().enumerate() {
        let reason = match rule.reason {
            Reason::Is(reason) => Some(reason),
            Reason::Any => None,
        };
        list.push(conn(&["c", &at.to_string()].concat(), rule.status, reason, "Bank"));
    }
    list.push(conn("c_unknown", "SOMETHING_NEW", None, "Bank"));
    let triaged = run(list.clone(), TriageOptions::default());
    let catalog = Catalog::default();
    let deleted = RULES.iter().filter(|rule| rule.status == "DELETED").count();
    // The inactive duplicate names no other connection: it stays, unprompted.
    assert_eq!(triaged.items.len(), list.len() - deleted);
    for item in &triaged.items {
        let expected = match &list[item.index] {
            Js::Object(fields) => {
                let status = match &fields[1].1 { Js::Text(status) => status.clone(), _ => unreachable!() };
                let reason = match &fields[2].1 { Js::Text(reason) => Some(reason.clone()), _ => None };
                decide(Situation::new(&status, reason.as_deref()), DecideOptions::default())
            }
            _ => unreachable!(),
        };
        assert_eq!(item.decision, expected);
        assert_eq!(item.explanation, catalog.explain(&expected, Some("Bank"), "en"));
        assert_ne!(item.decision.situation.status, "DELETED");
    }
    let urgencies: Vec<Urgency> = triaged.items.iter().map(|item| item.decision.verdict.urgency).collect();
    assert!(urgencies.windows(2).all(|pair| pair[0] >= pair[1]), "{urgencies:?}");
    // Required: RECONNECT_REQUIRED ×5, UNRECOVERABLE ×2, INSTITUTION_ACTION_REQUIRED; recommended:
    // access expiring, interactive refresh.
    assert_eq!(triaged.summary.needs_attention, 10);
    assert_eq!(triaged.summary.urgency, Urgency::Required);
    assert_eq!(triaged.summary.title, "10 of your banks need you");
    assert_eq!(triaged.summary.severity.as_str(), "error");
    assert_eq!(triaged.summary.action_label.as_deref(), Some("Fix all"));
}

#[test]
fn ordered_by_urgency_then_the_apps_order() {
    let list = vec![
        conn("healthy", "ACTIVE", None, "A"),
        conn("optional", "ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE"), "B"),
        conn("required_1", "RECONNECT_REQUIRED", Some("LOGIN_REQUIRED"), "C"),
        conn("recommended", "ACTIVE", Some("ACCESS_EXPIRING_SOON"), "D"),
        conn("required_2", "UNRECOVERABLE", None, "E"),
        conn("waiting", "DEGRADED", None, "F"),
    ];
    let triaged = run(list.clone(), TriageOptions::default());
    assert_eq!(ids(&triaged, &list), ["required_1", "required_2", "recommended", "optional", "healthy", "waiting"]);
    assert_eq!(triaged.summary.needs_attention, 3);
}

#[test]
fn an_inactive_duplicate_folds_into_the_active_one() {
    let list = vec![
        with(conn("dup_old", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Houndstooth"), &[
            ("duplicateConnectionIds", strings(&["dup_new", "dup_old"])),
            ("activeDuplicateConnectionId", text("dup_new")),
        ]),
        conn("other", "ACTIVE", None, "Flannel"),
        with(conn("dup_new", "RECONNECT_REQUIRED", None, "Houndstooth"), &[
            ("duplicateConnectionIds", strings(&["dup_new", "dup_old"])),
            ("activeDuplicateConnectionId", text("dup_new")),
        ]),
    ];
    let triaged = run(list.clone(), TriageOptions::default());
    assert_eq!(ids(&triaged, &list), ["dup_new", "other"]);
    assert_eq!(triaged.items[0].duplicates, [0]);
    assert!(triaged.items[1].duplicates.is_empty());
    // The duplicate is not counted: one bank needs the customer.
    assert_eq!(triaged.summary.needs_attention, 1);
    assert_eq!(triaged.summary.title, "Houndstooth needs you");
    assert_eq!(triaged.summary.action_label.as_deref(), Some("Fix it"));
}

#[test]
fn without_an_active_id_the_first_other_duplicate_takes_it() {
    let list = vec![
        conn("main", "ACTIVE", None, "Bank"),
        with(conn("copy", "partially_active", Some(" inactive_duplicate "), "Bank"), &[("duplicateConnectionIds", strings(&["copy", "missing", "main"]))]),
        with(conn("copy_2", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("activeDuplicateConnectionId", text("main"))]),
    ];
    let triaged = run(list.clone(), TriageOptions::default());
    assert_eq!(ids(&triaged, &list), ["main"]);
    assert_eq!(triaged.items[0].duplicates, [1, 2]);
    assert_eq!(triaged.summary.code, "summary_healthy");
    assert_eq!(triaged.summary.title, "All your banks are up to date");
    assert_eq!(triaged.summary.action_label, None);
}

/// Only inactive duplicates fold, and never into another inactive duplicate or a connection that
/// is left out: a connection that needs the customer is never hidden, and bad data cannot cycle.
#[test]
fn folding_never_hides_what_needs_the_customer() {
    let list = vec![
        // Points at `main`, but is not an inactive duplicate: stays.
        with(conn("broken", "RECONNECT_REQUIRED", None, "Bank"), &[("activeDuplicateConnectionId", text("main"))]),
        conn("main", "ACTIVE", None, "Bank"),
        // Two inactive duplicates naming each other: both stay.
        with(conn("a", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("activeDuplicateConnectionId", text("b"))]),
        with(conn("b", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("activeDuplicateConnectionId", text("a"))]),
        // Names itself only.
        with(conn("self", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("duplicateConnectionIds", strings(&["self"]))]),
        // Names a deleted connection, which is left out: stays.
        with(conn("orphan", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("activeDuplicateConnectionId", text("gone"))]),
        conn("gone", "DELETED", None, "Bank"),
    ];
    let triaged = run(list.clone(), TriageOptions::default());
    assert_eq!(ids(&triaged, &list), ["broken", "main", "a", "b", "self", "orphan"]);
    assert!(triaged.items.iter().all(|item| item.duplicates.is_empty()));
    // With the deleted one kept, the orphan folds into it.
    let triaged = run(list.clone(), TriageOptions { include_deleted: true, ..TriageOptions::default() });
    assert_eq!(ids(&triaged, &list), ["broken", "main", "a", "b", "self", "gone"]);
    assert_eq!(triaged.items[5].duplicates, [5]);
}

#[test]
fn a_repeated_id_is_found_at_its_first_place() {
    let list = vec![
        conn("same", "ACTIVE", None, "First"),
        conn("same", "ACTIVE", None, "Second"),
        with(conn("copy", "PARTIALLY_ACTIVE", Some("INACTIVE_DUPLICATE"), "Bank"), &[("activeDuplicateConnectionId", text("same"))]),
    ];
    let triaged = run(list, TriageOptions::default());
    assert_eq!(triaged.items[0].duplicates, [2]);
    assert!(triaged.items[1].duplicates.is_empty());
}

#[test]
fn deleted_connections_only_when_asked() {
    let list = vec![conn("gone", "DELETED", None, "Bank"), conn("ok", "ACTIVE", None, "Bank")];
    assert_eq!(ids(&run(list.clone(), TriageOptions::default()), &list), ["ok"]);
    let all = run(list.clone(), TriageOptions { include_deleted: true, ..TriageOptions::default() });
    assert_eq!(ids(&all, &list), ["gone", "ok"]);
    // A deleted one is terminal, not healthy.
    assert_eq!(all.summary.code, "summary_updating");
    assert_eq!(run(vec![conn("gone", "DELETED", None, "Bank")], TriageOptions::default()).summary.code, "summary_empty");
}

#[test]
fn each_summary_in_each_built_in_locale() {
    let es = || TriageOptions { locale: Some("es-MX".to_owned()), ..TriageOptions::default() };
    let cases: &[(Vec<Js>, &str, &str, &str, Option<&str>, &str)] = &[
        (vec![], "summary_empty", "No banks connected", "No hay bancos conectados", None, "info"),
        (vec![conn("a", "ACTIVE", None, "A")], "summary_healthy", "All your banks are up to date", "Todos tus bancos están al día", None, "success"),
        (vec![conn("a", "ACTIVE", None, "A"), conn("b", "DEGRADED", None, "B")], "summary_updating", "Your banks are updating", "Tus bancos se están actualizando", None, "info"),
        (vec![conn("a", "ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE"), "A")], "summary_optional", "Your banks are working", "Tus bancos funcionan", None, "info"),
        (vec![conn("a", "ACTIVE", Some("ACCESS_EXPIRING_SOON"), "Flannel")], "summary_one", "Flannel needs you", "Flannel te necesita", Some("Fix it"), "warning"),
        (vec![conn("a", "RECONNECT_REQUIRED", None, "A"), conn("b", "DEGRADED", Some("INTERACTIVE_REFRESH"), "B")], "summary_some", "2 of your banks need you", "2 de tus bancos te necesitan", Some("Fix all"), "error"),
    ];
    for (list, code, en, es_title, label, severity) in cases {
        let summary = run(list.clone(), TriageOptions::default()).summary;
        assert_eq!((summary.code, summary.title.as_str(), summary.action_label.as_deref(), summary.severity.as_str()), (*code, *en, *label, *severity));
        assert!(!summary.message.is_empty() && !summary.message.contains('{'), "{code}: {}", summary.message);
        let summary = run(list.clone(), es()).summary;
        assert_eq!((summary.title.as_str(), summary.locale.as_str()), (*es_title, "es"));
        assert!(!summary.message.contains('{'));
    }
}

#[test]
fn contacting_the_bank_needs_the_customer_but_offers_no_fix_all() {
    let triaged = run(vec![conn("a", "DEGRADED", Some("INSTITUTION_ACTION_REQUIRED"), "")], TriageOptions::default());
    assert_eq!(triaged.summary.title, "Your bank needs you");
    assert_eq!(triaged.summary.action_label, None);
}

#[test]
fn refresh_attempts_escalate_every_item() {
    let list = vec![conn("a", "PARTIALLY_ACTIVE", Some("PARTIAL_AGGREGATION_SUCCESS"), "A")];
    assert_eq!(run(list.clone(), TriageOptions::default()).summary.code, "summary_updating");
    let escalated = run(list, TriageOptions { decide: DecideOptions { refresh_attempts: 1 }, ..TriageOptions::default() });
    assert_eq!(escalated.summary.code, "summary_one");
}

#[test]
fn define_copy_overrides_a_summary_and_checks_its_code() {
    let mut catalog = Catalog::default();
    let custom = |code: &str| CustomLocale {
        tag: "en".to_owned(),
        texts: vec![(code.to_owned(), CustomText { title: Some("{count}/{total} to fix".to_owned()), action_label: Some(None), ..CustomText::default() })],
        ..CustomLocale::default()
    };
    catalog.define(custom("summary_some")).unwrap();
    let list = read_connections(Js::Array(vec![conn("a", "RECONNECT_REQUIRED", None, "A"), conn("b", "UNRECOVERABLE", None, "B"), conn("c", "ACTIVE", None, "C")]).value()).unwrap();
    let summary = triage(&list, &TriageOptions::default(), &catalog).summary;
    assert_eq!(summary.title, "2/3 to fix");
    assert_eq!(summary.message, "Reconnect them one after another to keep your accounts up to date.");
    assert_eq!(summary.action_label, None);
    assert_eq!(catalog.define(custom("summary_somee")).unwrap_err().code, ErrorCode::InvalidCopy);
}

#[track_caller]
fn refused(list: Js, code: ErrorCode, message: &str) {
    let error = read_connections(list.value()).expect_err("refused");
    assert_eq!(error.code, code);
    assert_eq!(error.message, message);
}

#[test]
fn bad_input_names_the_index_of_the_bad_element() {
    let ok = || conn("a", "ACTIVE", None, "A");
    refused(Js::Null, ErrorCode::InvalidConnection, "connections must be an array of connections, got null");
    refused(ok(), ErrorCode::InvalidConnection, "connections must be an array of connections, got an object");
    refused(Js::Array(vec![ok(), ok(), Js::Number(3.0)]), ErrorCode::InvalidConnection, "connections[2]: connection must be an object, got a number");
    refused(Js::Array(vec![ok(), object(&[("status", Js::Number(1.0))])]), ErrorCode::InvalidConnection, "connections[1]: connection.status must be a string, got a number");
    refused(Js::Array(vec![object(&[("status", text("  "))])]), ErrorCode::InvalidConnection, "connections[0]: connection.status must not be empty");
    refused(Js::Array(vec![ok(), Js::Throws]), ErrorCode::InvalidConnection, "connections threw when read");
    refused(Js::Array(vec![ok(), with(ok(), &[("activeDuplicateConnectionId", Js::Number(1.0))])]), ErrorCode::InvalidConnection, "connections[1]: connection.activeDuplicateConnectionId must be a string or null, got a number");
    refused(Js::Array(vec![with(ok(), &[("duplicateConnectionIds", text("b"))])]), ErrorCode::InvalidConnection, "connections[0]: connection.duplicateConnectionIds must be an array of strings or null, got a string");
}

#[test]
fn at_most_max_connections() {
    let at_bound = Js::Array(vec![conn("a", "RECONNECT_REQUIRED", None, "A"); MAX_CONNECTIONS as usize]);
    let listed = read_connections(at_bound.value()).expect("the bound itself is fine");
    assert_eq!(triage(&listed, &TriageOptions::default(), &Catalog::default()).summary.title, "5000 of your banks need you");
    let past = Js::Array(vec![conn("a", "ACTIVE", None, "A"); MAX_CONNECTIONS as usize + 1]);
    refused(past, ErrorCode::InvalidConnection, "connections has more than 5000 elements: triage them in pages");
}

#[test]
fn options_are_checked() {
    let bad = |options: Js| TriageOptions::read(options.value()).unwrap_err();
    let error = bad(object(&[("includeDeleted", text("yes"))]));
    assert_eq!((error.code, error.message.as_str()), (ErrorCode::InvalidOptions, "options.includeDeleted must be a boolean, got a string"));
    assert_eq!(bad(object(&[("refreshAttempts", Js::Number(-1.0))])).code, ErrorCode::InvalidOptions);
    assert_eq!(bad(object(&[("locale", Js::Number(1.0))])).code, ErrorCode::InvalidOptions);
    assert_eq!(bad(Js::Text("en".to_owned())).code, ErrorCode::InvalidOptions);
    let read = TriageOptions::read(object(&[("includeDeleted", Js::Bool(true)), ("locale", text("es"))]).value()).unwrap();
    assert!(read.include_deleted);
    assert_eq!(read.locale.as_deref(), Some("es"));
}
