// Generated from the Rust tables by tests/types.rs (UPDATE_TYPES=1 cargo test --test types); do not edit.

/**
 * The connection's and the options' fields decide and explain depend on (src/rules/decide.rs
 * `DECISION_INPUTS`, `EXPLANATION_INPUTS`) and the echoed id, read from the app's objects each
 * by its name: a loop over names would make every read a generic keyed one, a fifth of a
 * remembered call's time.
 */
export const readInputs = (connection, options, text, choice) => ({
  connection: { id: text(connection, "id"), status: text(connection, "status"), statusReason: text(connection, "statusReason"), institutionName: text(connection, "institutionName") },
  options: { refreshAttempts: choice(options, "refreshAttempts"), locale: choice(options, "locale") },
});

/** A decision's cache key (`part` makes one value's piece of it). */
export const decisionKey = (connection, options, part) => part(connection.status) + part(connection.statusReason) + part(options.refreshAttempts);

/** What an explanation's key adds to the decision's. */
export const explanationKey = (options, part) => part(options.locale);
