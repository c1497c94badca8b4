// Generated from the Rust tables by tests/types.rs (UPDATE_TYPES=1 cargo test --test types); do not edit.

/** The connection's and the options' fields a decision depends on (src/rules/decide.rs). */
export const DECISION_INPUTS = { connection: ["status", "statusReason"], options: ["refreshAttempts"] };

/** What an explanation depends on besides them: the name woven in, the locale. */
export const EXPLANATION_INPUTS = { connection: ["institutionName"], options: ["locale"] };
