//! The tables themselves: every status has one `STATUSES` row and one row for any other reason,
//! the standings are those of Meld's reference, and the webhook table names only statuses these
//! tables know.

use meld_repair::rules::connection::LEGACY_STATUSES;
use meld_repair::rules::table::{standing, statuses, Reason, Standing, RULES, STATUSES};
use meld_repair::webhooks::{Health, EVENTS};

#[test]
fn every_status_of_the_rules_has_exactly_one_statuses_row_and_the_reverse() {
    for rule in RULES {
        let rows = STATUSES.iter().filter(|row| row.name == rule.status).count();
        assert_eq!(rows, 1, "{} has {rows} STATUSES rows", rule.status);
    }
    for row in STATUSES {
        assert!(RULES.iter().any(|rule| rule.status == row.name), "{} has no RULES row", row.name);
    }
}

#[test]
fn every_status_has_exactly_one_row_for_any_other_reason() {
    for status in statuses() {
        let any = RULES.iter().filter(|rule| rule.status == status && rule.reason == Reason::Any).count();
        assert_eq!(any, 1, "{status}: an unnamed reason must decide by exactly one row");
    }
}

/// Meld's reference §5 and §4.1 by hand, not from `STATUSES`.
#[test]
fn standings_are_those_of_meld_s_reference() {
    #[rustfmt::skip]
    let expected = [
        ("ACTIVE",             Standing::Aggregating, true,  false),
        ("PARTIALLY_ACTIVE",   Standing::Impaired,    true,  false),
        ("DEGRADED",           Standing::Impaired,    true,  false),
        ("UNDETERMINED",       Standing::Impaired,    true,  false),
        ("RECONNECT_REQUIRED", Standing::NeedsRepair, false, false),
        ("UNRECOVERABLE",      Standing::NeedsRepair, false, false),
        ("IN_PROGRESS",        Standing::InWidget,    false, false),
        ("EXPIRED",            Standing::Terminal,    false, true),
        ("DELETED",            Standing::Deleted,     false, true),
    ];
    assert_eq!(STATUSES.len(), expected.len());
    for (status, want, refreshable, terminal) in expected {
        let got = standing(status).unwrap_or_else(|| panic!("{status} has no row"));
        assert_eq!((got, got.refreshable(), got.terminal()), (want, refreshable, terminal), "{status}");
    }
    assert_eq!(standing("SOMETHING_NEW"), None);
    assert_eq!(standing("active"), None, "looked up after normalisation only");
}

#[test]
fn webhook_events_that_stand_for_a_status_name_one_the_tables_know() {
    for event in EVENTS {
        if let Health::Is(status, _) = event.health {
            let legacy = LEGACY_STATUSES.iter().any(|(old, _, _)| *old == status);
            assert!(standing(status).is_some() || legacy, "{} stands for {status}, which no row knows", event.event_type);
        }
    }
}
