//! Meld's connection statuses and status reasons, and what we do about each: the two tables
//! `decide`, `advise` and `interpretWebhook` read. [`STATUSES`] says where a connection in each
//! status stands (which operations can work on it); [`RULES`] gives the verdict per status ×
//! reason. They read like the table in Meld's docs (reference §4.1); where Meld's pages disagree
//! (§4, §18), the row is the product decision of issue #2.
//!
//! What Meld ships tomorrow:
//! - a new reason: one `RULES` row (status, `Is("REASON")`, verdict, a new code), plus that
//!   code's line in `explain/en.rs` and in `explain/es.rs`;
//! - a new status: one `STATUSES` row (its standing), its `RULES` rows (one of them with
//!   `Reason::Any`), plus a line per new code in `explain/en.rs` and in `explain/es.rs`.
//!
//! Nothing else changes by hand: tests fail until every status has exactly one `STATUSES` row
//! and one `Reason::Any` row, and every code has its line in every locale; then
//! `UPDATE_TYPES=1 cargo test --test types` regenerates the TypeScript unions.

/// What the app should do with a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open Meld's widget with a repair connect token.
    Repair,
    /// Ask Meld to refresh; no customer needed.
    Refresh,
    /// Nothing to do now; look again later.
    Wait,
    /// The customer must act at their bank; refresh afterwards.
    ContactInstitution,
    /// An inactive duplicate: the app's backend deletes it or refreshes it to promote it.
    ResolveDuplicate,
    /// Terminal: only a brand-new link helps.
    NewConnection,
    NoAction,
}

/// How much the customer's attention is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    NoUrgency,
    Optional,
    Recommended,
    Required,
}

/// One verdict: the action, its urgency, a stable machine code (which also keys the wording),
/// and for `Wait` the base delay before looking again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub action: Action,
    pub urgency: Urgency,
    pub code: &'static str,
    pub retry_after_seconds: Option<u32>,
}

/// Which reasons a row covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Exactly this reason, as Meld spells it (`Is("OTHER")` is Meld's own reason "OTHER").
    Is(&'static str),
    /// Any reason no other row of the same status names, including none and unknown ones.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub status: &'static str,
    pub reason: Reason,
    pub verdict: Verdict,
    /// The verdict once `options.refreshAttempts >= 1` and the condition persists.
    pub after_refresh: Option<Verdict>,
}

/// Where a connection in a status stands: which of Meld's operations can work on it. One value
/// per status, so a status cannot be, say, refreshable and terminal at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Aggregating: Meld's refresh endpoint accepts it, and a reason on it is advance notice
    /// (access expiring soon, new accounts) that does not stop a refresh from delivering.
    Aggregating,
    /// Meld's refresh endpoint accepts it, but the connection is not fully working: where the
    /// verdict needs the customer, a refresh without them cannot deliver.
    Impaired,
    /// A refresh answers 409 Conflict (reference §5): the customer must reconnect in the widget,
    /// so repair instead.
    NeedsRepair,
    /// The customer is in the widget right now: call nothing until the link finishes.
    InWidget,
    /// No operation brings it back; only a new link helps.
    Terminal,
    /// Terminal, and already deleted: deleting again answers 409.
    Deleted,
}

impl Standing {
    /// Meld's refresh endpoint accepts it (reference §5); the others answer 409.
    pub const fn refreshable(self) -> bool {
        matches!(self, Standing::Aggregating | Standing::Impaired)
    }

    /// No operation brings the connection back.
    pub const fn terminal(self) -> bool {
        matches!(self, Standing::Terminal | Standing::Deleted)
    }
}

/// One status Meld sends and where a connection in it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status {
    pub name: &'static str,
    pub standing: Standing,
}

#[rustfmt::skip]
pub const STATUSES: &[Status] = &[
    //      name                  standing
    status("RECONNECT_REQUIRED",  Standing::NeedsRepair),
    status("UNRECOVERABLE",       Standing::NeedsRepair),
    status("ACTIVE",              Standing::Aggregating),
    status("DEGRADED",            Standing::Impaired),
    status("PARTIALLY_ACTIVE",    Standing::Impaired),
    status("UNDETERMINED",        Standing::Impaired),
    status("IN_PROGRESS",         Standing::InWidget),
    status("EXPIRED",             Standing::Terminal),
    status("DELETED",             Standing::Deleted),
];

const fn status(name: &'static str, standing: Standing) -> Status {
    Status { name, standing }
}

/// Where a connection in `status` (normalised) stands; `None` for a status no row knows.
pub fn standing(status: &str) -> Option<Standing> {
    STATUSES.iter().find(|row| row.name == status).map(|row| row.standing)
}

use Action::*;
use Reason::*;
use Urgency::*;

const fn rule(status: &'static str, reason: Reason, action: Action, urgency: Urgency, code: &'static str) -> Rule {
    Rule {
        status,
        reason,
        verdict: Verdict { action, urgency, code, retry_after_seconds: None },
        after_refresh: None,
    }
}

impl Rule {
    /// Wait this long (doubled per failed refresh) before looking again.
    const fn retry_after(mut self, seconds: u32) -> Rule {
        self.verdict.retry_after_seconds = Some(seconds);
        self
    }

    const fn after_refresh(mut self, action: Action, urgency: Urgency, code: &'static str) -> Rule {
        self.after_refresh = Some(Verdict { action, urgency, code, retry_after_seconds: None });
        self
    }
}

const MINUTE: u32 = 60;
const HOUR: u32 = 60 * MINUTE;

#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    //    status                reason                                          action              urgency      code
    rule("RECONNECT_REQUIRED", Is("LOGIN_REQUIRED"),                           Repair,             Required,    "login_required"),
    rule("RECONNECT_REQUIRED", Is("TOKEN_EXPIRED"),                            Repair,             Required,    "token_expired"),
    rule("RECONNECT_REQUIRED", Is("REPAIRING_INSTITUTION"),                    Repair,             Required,    "repairing_institution"),
    rule("RECONNECT_REQUIRED", Is("OTHER"),                                    Repair,             Required,    "reconnect_required_other"),
    rule("RECONNECT_REQUIRED", Any,                                            Repair,             Required,    "reconnect_required"),
    rule("UNRECOVERABLE",      Is("CONTINUED_AGGREGATION_FAILURES"),           Repair,             Required,    "continued_aggregation_failures"),
    rule("UNRECOVERABLE",      Any,                                            Repair,             Required,    "unrecoverable"),
    rule("ACTIVE",             Is("ACCESS_EXPIRING_SOON"),                     Repair,             Recommended, "access_expiring_soon"),
    rule("ACTIVE",             Is("NEW_ACCOUNTS_AVAILABLE"),                   Repair,             Optional,    "new_accounts_available"),
    rule("ACTIVE",             Any,                                            NoAction,           NoUrgency,   "healthy"),
    rule("DEGRADED",           Is("INTERACTIVE_REFRESH"),                      Repair,             Recommended, "interactive_refresh"),
    rule("DEGRADED",           Is("INSTITUTION_ACTION_REQUIRED"),              ContactInstitution, Required,    "institution_action_required"),
    rule("DEGRADED",           Is("INSTITUTION_CURRENTLY_UNAVAILABLE"),        Wait,               NoUrgency,   "institution_unavailable").retry_after(30 * MINUTE),
    rule("DEGRADED",           Is("SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"),   Wait,               NoUrgency,   "provider_unavailable").retry_after(30 * MINUTE),
    rule("DEGRADED",           Any,                                            Wait,               NoUrgency,   "degraded").retry_after(30 * MINUTE),
    rule("PARTIALLY_ACTIVE",   Is("PARTIAL_AGGREGATION_SUCCESS"),              Refresh,            Optional,    "partial_aggregation")
                                                                 .after_refresh(Repair,             Recommended, "partial_aggregation_persists"),
    rule("PARTIALLY_ACTIVE",   Is("INACTIVE_DUPLICATE"),                       ResolveDuplicate,   NoUrgency,   "inactive_duplicate"),
    rule("PARTIALLY_ACTIVE",   Any,                                            Refresh,            Optional,    "partially_active")
                                                                 .after_refresh(Repair,             Recommended, "partially_active_persists"),
    rule("UNDETERMINED",       Any,                                            Refresh,            NoUrgency,   "undetermined"),
    rule("IN_PROGRESS",        Any,                                            Wait,               NoUrgency,   "in_progress").retry_after(5 * MINUTE),
    rule("EXPIRED",            Any,                                            NewConnection,      Optional,    "expired"),
    rule("DELETED",            Any,                                            NoAction,           NoUrgency,   "deleted"),
];

/// The verdict for a status no row knows: keep it, look again later.
pub const UNKNOWN_STATUS: Verdict =
    Verdict { action: Wait, urgency: NoUrgency, code: "unknown_status", retry_after_seconds: Some(HOUR) };

impl Action {
    pub const ALL: &[Action] =
        &[Repair, Refresh, Wait, ContactInstitution, ResolveDuplicate, NewConnection, NoAction];

    pub const fn as_str(self) -> &'static str {
        match self {
            Repair => "repair",
            Refresh => "refresh",
            Wait => "wait",
            ContactInstitution => "contact_institution",
            ResolveDuplicate => "resolve_duplicate",
            NewConnection => "new_connection",
            NoAction => "none",
        }
    }

    /// Repair opens the widget, contacting the bank and linking anew need the customer too.
    pub const fn involves_customer(self) -> bool {
        matches!(self, Repair | ContactInstitution | NewConnection)
    }
}

impl Urgency {
    pub const ALL: &[Urgency] = &[Required, Recommended, Optional, NoUrgency];

    pub const fn as_str(self) -> &'static str {
        match self {
            Required => "required",
            Recommended => "recommended",
            Optional => "optional",
            NoUrgency => "none",
        }
    }
}

/// Every status the tables know, in [`STATUSES`] order.
pub fn statuses() -> Vec<&'static str> {
    STATUSES.iter().map(|row| row.name).collect()
}

/// Every reason the table names, in table order, without repeats.
pub fn reasons() -> Vec<&'static str> {
    let mut reasons: Vec<&'static str> = Vec::new();
    for rule in RULES {
        if let Is(reason) = rule.reason
            && !reasons.contains(&reason) {
                reasons.push(reason);
            }
    }
    reasons
}

/// Every verdict code, in table order.
pub fn codes() -> Vec<&'static str> {
    let mut codes = Vec::new();
    for rule in RULES {
        codes.push(rule.verdict.code);
        if let Some(escalated) = rule.after_refresh {
            codes.push(escalated.code);
        }
    }
    codes.push(UNKNOWN_STATUS.code);
    codes
}
