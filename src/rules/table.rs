//! Meld's connection statuses × status reasons, and what we do about each: the one table the
//! package decides from. It reads like the table in Meld's docs (reference §4.1); where Meld's
//! pages disagree (§4, §18), the row is the product decision of issue #2.
//!
//! Adding a reason Meld ships tomorrow is one row here plus its wording in `explain/en.rs` and
//! `explain/es.rs` (a test fails until every locale has it).

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
    Is(&'static str),
    /// Any reason not named by an earlier row of the same status, including none and unknown.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub status: &'static str,
    pub reason: Reason,
    pub verdict: Verdict,
    /// The verdict once `options.refreshAttempts >= 1` and the condition persists.
    pub after_refresh: Option<Verdict>,
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
    rule("RECONNECT_REQUIRED", Other,                                          Repair,             Required,    "reconnect_required"),
    rule("UNRECOVERABLE",      Is("CONTINUED_AGGREGATION_FAILURES"),           Repair,             Required,    "continued_aggregation_failures"),
    rule("UNRECOVERABLE",      Other,                                          Repair,             Required,    "unrecoverable"),
    rule("ACTIVE",             Is("ACCESS_EXPIRING_SOON"),                     Repair,             Recommended, "access_expiring_soon"),
    rule("ACTIVE",             Is("NEW_ACCOUNTS_AVAILABLE"),                   Repair,             Optional,    "new_accounts_available"),
    rule("ACTIVE",             Other,                                          NoAction,           NoUrgency,   "healthy"),
    rule("DEGRADED",           Is("INTERACTIVE_REFRESH"),                      Repair,             Recommended, "interactive_refresh"),
    rule("DEGRADED",           Is("INSTITUTION_ACTION_REQUIRED"),              ContactInstitution, Required,    "institution_action_required"),
    rule("DEGRADED",           Is("INSTITUTION_CURRENTLY_UNAVAILABLE"),        Wait,               NoUrgency,   "institution_unavailable").retry_after(30 * MINUTE),
    rule("DEGRADED",           Is("SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"),   Wait,               NoUrgency,   "provider_unavailable").retry_after(30 * MINUTE),
    rule("DEGRADED",           Other,                                          Wait,               NoUrgency,   "degraded").retry_after(30 * MINUTE),
    rule("PARTIALLY_ACTIVE",   Is("PARTIAL_AGGREGATION_SUCCESS"),              Refresh,            Optional,    "partial_aggregation")
                                                                 .after_refresh(Repair,             Recommended, "partial_aggregation_persists"),
    rule("PARTIALLY_ACTIVE",   Is("INACTIVE_DUPLICATE"),                       ResolveDuplicate,   NoUrgency,   "inactive_duplicate"),
    rule("PARTIALLY_ACTIVE",   Other,                                          Refresh,            Optional,    "partially_active")
                                                                 .after_refresh(Repair,             Recommended, "partially_active_persists"),
    rule("UNDETERMINED",       Other,                                          Refresh,            NoUrgency,   "undetermined"),
    rule("IN_PROGRESS",        Other,                                          Wait,               NoUrgency,   "in_progress").retry_after(5 * MINUTE),
    rule("EXPIRED",            Other,                                          NewConnection,      Optional,    "expired"),
    rule("DELETED",            Other,                                          NoAction,           NoUrgency,   "deleted"),
];

/// The verdict for a status no row knows: keep it, look again later.
pub const UNKNOWN_STATUS: Verdict =
    Verdict { action: Wait, urgency: NoUrgency, code: "unknown_status", retry_after_seconds: Some(HOUR) };

/// Statuses after which no operation brings the connection back.
pub const TERMINAL_STATUSES: &[&str] = &["EXPIRED", "DELETED"];

/// Statuses Meld's refresh endpoint accepts (reference §5); the others answer 409.
pub const REFRESHABLE_STATUSES: &[&str] = &["ACTIVE", "PARTIALLY_ACTIVE", "DEGRADED", "UNDETERMINED"];

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

/// Every status the table knows, in table order, without repeats.
pub fn statuses() -> Vec<&'static str> {
    let mut statuses: Vec<&'static str> = Vec::new();
    for rule in RULES {
        if !statuses.contains(&rule.status) {
            statuses.push(rule.status);
        }
    }
    statuses
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
