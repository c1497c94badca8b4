//! `advise` never contradicts `decide`, over every status × reason the table knows, the legacy
//! 2022-11-10 statuses and values no version knows, with and without failed refreshes: the
//! server client's guard (meld-repair/server) is built on `advise`, so a contradiction here
//! would be a call that cannot deliver.

use meld_repair::rules::advise::{advise, AdviseOptions, Intent, Operation};
use meld_repair::rules::connection::{Connection, Situation, LEGACY_STATUSES};
use meld_repair::rules::table::{reasons, statuses, Action};
use meld_repair::rules::{decide, DecideOptions, Decision};

const UNKNOWN_STATUS: &str = "SOMETHING_MELD_SHIPS_TOMORROW";
const UNKNOWN_REASON: &str = "A_REASON_NO_VERSION_KNOWS";

/// Every (status, reason, refreshAttempts) to check, with the status written as Meld might
/// send it (any case, padded) to go through the same normalisation as real input.
fn every_case() -> Vec<(String, Option<String>, u32)> {
    let mut all_statuses: Vec<&str> = statuses();
    all_statuses.extend(LEGACY_STATUSES.iter().map(|(old, _, _)| *old));
    all_statuses.push(UNKNOWN_STATUS);
    let mut all_reasons: Vec<Option<&str>> = reasons().into_iter().map(Some).collect();
    all_reasons.extend([None, Some(UNKNOWN_REASON)]);
    let mut cases = Vec::new();
    for status in &all_statuses {
        for reason in &all_reasons {
            for attempts in [0, 1, 3] {
                cases.push((status.to_string(), reason.map(str::to_owned), attempts));
                cases.push((format!(" {} ", status.to_ascii_lowercase()), reason.map(str::to_owned), attempts));
            }
        }
    }
    cases
}

fn both(status: &str, reason: Option<&str>, attempts: u32, intent: Intent) -> (Operation, Decision) {
    let connection = Connection { id: Some("conn_1".into()), ..Connection::with_status(status, reason) };
    let options = AdviseOptions { decide: DecideOptions { refresh_attempts: attempts }, ..AdviseOptions::default() };
    let advice = advise(&connection, intent, &options).unwrap();
    (advice.operation, decide(Situation::of(&connection), options.decide))
}

#[test]
fn fix_is_a_repair_exactly_when_decide_opens_the_widget() {
    let cases = every_case();
    assert!(cases.len() > 500, "the grid is the whole table: {} cases", cases.len());
    for (status, reason, attempts) in cases {
        let (operation, decision) = both(&status, reason.as_deref(), attempts, Intent::Fix);
        assert_eq!(operation == Operation::Repair, decision.open_widget(), "{status:?} / {reason:?} / {attempts}: fix gave {operation:?}, decide {:?}", decision.action());
    }
}

#[test]
fn fresh_data_never_proposes_a_refresh_that_cannot_deliver_now() {
    for (status, reason, attempts) in every_case() {
        let (operation, decision) = both(&status, reason.as_deref(), attempts, Intent::FreshData);
        let case = format!("{status:?} / {reason:?} / {attempts}: fresh_data gave {operation:?}, decide {:?}", decision.action());
        // The customer must act first, or be present for every refresh, or decide says to
        // wait (an outage), or the status is one no row knows: a billed refresh without the
        // customer is not the answer. An ACTIVE connection keeps aggregating while a repair is
        // merely recommended, so refreshing it is fine.
        let active = decision.situation.status == "ACTIVE";
        let needs_customer = decision.customer_involved() && !active;
        let must_wait = decision.action() == Action::Wait;
        if needs_customer || must_wait || !decision.recognized {
            assert_ne!(operation, Operation::Refresh, "{case}");
        }
        if decision.action() == Action::Wait {
            assert_eq!(operation, Operation::Wait, "{case}: decide says wait");
        }
        // What fresh_data proposes in the refresh's place is what decide says.
        if operation == Operation::Repair {
            assert!(decision.open_widget(), "{case}");
        }
        if decision.action() == Action::ContactInstitution {
            assert_eq!(operation, Operation::NoOperation, "{case}: the customer acts at the bank first");
        }
    }
}

#[test]
fn the_two_degraded_reasons_that_need_the_customer() {
    let interactive = both("DEGRADED", Some("INTERACTIVE_REFRESH"), 0, Intent::FreshData).0;
    assert_eq!(interactive, Operation::Repair, "the customer is needed for every refresh");
    let at_bank = both("DEGRADED", Some("INSTITUTION_ACTION_REQUIRED"), 0, Intent::FreshData).0;
    assert_eq!(at_bank, Operation::NoOperation, "the customer acts at the bank first; no refresh now");
    // A refresh that works on its own while a repair is recommended stays a refresh.
    assert_eq!(both("ACTIVE", Some("ACCESS_EXPIRING_SOON"), 0, Intent::FreshData).0, Operation::Refresh);
    assert_eq!(both("DEGRADED", Some("INSTITUTION_CURRENTLY_UNAVAILABLE"), 0, Intent::FreshData).0, Operation::Wait, "billed, and the bank is down");
    assert_eq!(both("UNDETERMINED", None, 0, Intent::FreshData).0, Operation::Refresh);
}
