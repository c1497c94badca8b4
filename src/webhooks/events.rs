//! Every bank-linking webhook Meld sends (reference §14.2, plus `WEBHOOK_TEST` of §14.1), what
//! it says about the connection and what the app's server should do: the one table
//! `interpretWebhook` reads. A new event is one row here.

/// What an event says about the connection's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// The payload carries the new status and reason: decide on them.
    FromPayload,
    /// The event stands for this status: decide on it with this reason, or the payload's when
    /// `None`.
    Is(&'static str, Option<&'static str>),
    /// The customer has nothing left to do for this connection (link finished, or deleted).
    NoPrompt,
    /// Nothing: the event is about data, not health.
    Unchanged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Meld's `eventType`.
    pub event_type: &'static str,
    /// What a server switches on.
    pub kind: &'static str,
    pub health: Health,
    /// What to fetch again from Meld now: `accounts` or `transactions`.
    pub refetch: Option<&'static str>,
    /// An event of API version 2022-11-10 (reference §4.3).
    pub legacy: bool,
    /// For the developer: what to do.
    pub note: &'static str,
}

use Health::*;

const fn event(
    event_type: &'static str,
    kind: &'static str,
    health: Health,
    refetch: Option<&'static str>,
    legacy: bool,
    note: &'static str,
) -> Event {
    Event { event_type, kind, health, refetch, legacy, note }
}

const ACCOUNTS: Option<&str> = Some("accounts");
const TRANSACTIONS: Option<&str> = Some("transactions");

#[rustfmt::skip]
pub const EVENTS: &[Event] = &[
    //     event type                                         kind                               health                                       refetch       legacy note
    event("BANK_LINKING_CONNECTION_STATUS_CHANGE",            "status_change",                   FromPayload,                                 None,         false, NOTE_STATUS_CHANGE),
    event("BANK_LINKING_CUSTOMER_ACTION_REQUIRED",            "status_change",                   Is("CUSTOMER_ACTION_REQUIRED", None),        None,         true,  NOTE_CUSTOMER_ACTION_REQUIRED),
    event("BANK_LINKING_CONNECTION_COMPLETED",                "connection_completed",            NoPrompt,                                    None,         false, NOTE_COMPLETED),
    event("BANK_LINKING_CONNECTION_DELETED",                  "connection_deleted",              NoPrompt,                                    None,         false, NOTE_DELETED),
    event("BANK_LINKING_ACCOUNTS_UPDATING",                   "accounts_updating",               Unchanged,                                   None,         false, NOTE_ACCOUNTS_UPDATING),
    event("BANK_LINKING_ACCOUNTS_UPDATED",                    "accounts_updated",                Unchanged,                                   ACCOUNTS,     false, NOTE_ACCOUNTS_UPDATED),
    event("BANK_LINKING_ACCOUNTS_REMOVED",                    "accounts_removed",                Unchanged,                                   ACCOUNTS,     false, NOTE_ACCOUNTS_REMOVED),
    event("BANK_LINKING_NEW_ACCOUNTS_AVAILABLE",              "new_accounts_available",          Is("ACTIVE", Some("NEW_ACCOUNTS_AVAILABLE")), None,        false, NOTE_NEW_ACCOUNTS),
    event("BANK_LINKING_TRANSACTIONS_AGGREGATED",             "transactions_updated",            Unchanged,                                   TRANSACTIONS, false, NOTE_TRANSACTIONS),
    event("BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED",  "historical_transactions_updated", Unchanged,                                   TRANSACTIONS, false, NOTE_HISTORICAL),
    event("WEBHOOK_TEST",                                     "test",                            Unchanged,                                   None,         false, NOTE_TEST),
];

/// Any event type the table does not name; kept, never an error.
pub const UNKNOWN: Event = event("", "unknown", Unchanged, None, false, NOTE_UNKNOWN);

const NOTE_STATUS_CHANGE: &str = "The connection has a new status: act on decision as for decide(). promptCustomer: ask the customer to reconnect (e.g. email); stopPrompts: withdraw earlier prompts. Events can arrive late (Meld retries for 3 days): keep the newest timestamp per connection.";
const NOTE_CUSTOMER_ACTION_REQUIRED: &str = "Legacy (2022-11-10) event: the connection needs the customer, read as RECONNECT_REQUIRED. Prompt them to reconnect through a repair.";
const NOTE_COMPLETED: &str = "The customer finished the widget (a link or a repair); stop reconnect prompts. Data is not ready: wait for BANK_LINKING_ACCOUNTS_UPDATED.";
const NOTE_DELETED: &str = "The connection is deleted (by the API, the customer, or revoked at the bank): its webhooks and billing have stopped. Stop every prompt about it.";
const NOTE_ACCOUNTS_UPDATING: &str = "Meld is aggregating accounts; nothing to fetch yet. BANK_LINKING_ACCOUNTS_UPDATED follows.";
const NOTE_ACCOUNTS_UPDATED: &str = "Accounts, balances, identifiers and owners are ready: refetch the accounts. Transactions follow.";
const NOTE_ACCOUNTS_REMOVED: &str = "Some accounts are no longer shared: refetch the accounts and drop those that are gone.";
const NOTE_NEW_ACCOUNTS: &str = "The customer has accounts that are not linked yet: optionally offer a repair, where they pick them in the widget.";
const NOTE_TRANSACTIONS: &str = "New transactions are ready: refetch the last 2 weeks (older ones rarely change).";
const NOTE_HISTORICAL: &str = "Up to 2 years of history is ready: refetch the transactions.";
const NOTE_TEST: &str = "Meld's test event: answer 200; nothing to do.";
const NOTE_UNKNOWN: &str = "An event this version does not know: answer 200 so Meld does not retry it, and log it.";
