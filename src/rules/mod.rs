//! The rules: which connection needs what, and which Meld operation does it.

pub mod advise;
pub mod connection;
pub mod decide;
pub mod table;
pub mod triage;

pub use advise::{advise, Advice, AdviseOptions, Intent, Operation};
pub use connection::{Connection, Situation};
pub use decide::{decide, DecideOptions, Decision, DECISION_INPUTS, EXPLANATION_INPUTS};
pub use table::{Action, Standing, Urgency, RULES, STATUSES};
pub use triage::{triage, Triage, TriageOptions, MAX_CONNECTIONS};
