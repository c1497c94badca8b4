// The package's one error class. The wasm boundary imports `createError` from this file, so
// every error the Rust side reports is a real `MeldRepairError` with a stable `code`.
//
// Each bundle of the package (the status page, the repair flow loaded later, a copy a bundler
// made) may hold its own copy of this file; the class is registered once per realm, so
// `instanceof MeldRepairError` holds whichever copy made the error.

// #region generated from src/error.rs
/** Whether trying again can help, per code, unless the error says otherwise (src/error.rs). */
const RETRYABLE = {
  INVALID_CONNECTION: false,
  INVALID_INTENT: false,
  INVALID_OPTIONS: false,
  INVALID_COPY: false,
  INVALID_WEBHOOK: false,
  TOKEN_ENDPOINT_FAILED: true,
  TOKEN_ENDPOINT_TIMEOUT: true,
  INVALID_TOKEN_RESPONSE: false,
  WIDGET_URL_REJECTED: false,
  POPUP_BLOCKED: true,
  SESSION_CLOSED: false,
  SESSION_IN_PROGRESS: true,
  OPERATION_NOT_ADVISED: false,
  CONNECTION_NOT_FOUND: false,
  MELD_CONFLICT: false,
  MELD_RATE_LIMITED: true,
  MELD_UNAVAILABLE: true,
  MELD_AUTH_FAILED: false,
  MELD_BAD_REQUEST: false,
  INVALID_REQUEST: false,
  REQUEST_TOO_LARGE: false,
  METHOD_NOT_ALLOWED: false,
  FORBIDDEN: false,
  REPAIR_NOT_NEEDED: false,
  INVALID_SIGNATURE: false,
  EVENT_HANDLER_FAILED: true,
  WASM_LOAD_FAILED: false,
  INTERNAL_ERROR: true,
};
// #endregion

const REGISTRY_KEY = Symbol.for("meld-repair.MeldRepairError");

/**
 * A failure with a stable machine `code` and whether trying again can help (`retryable`, by
 * default what src/error.rs says of the code).
 */
export const MeldRepairError = (globalThis[REGISTRY_KEY] ??= class MeldRepairError extends Error {
  constructor(code, message, retryable = RETRYABLE[code] ?? false, options = undefined) {
    super(message, options);
    this.name = "MeldRepairError";
    this.code = code;
    this.retryable = retryable;
  }
});

export function createError(code, message, retryable) {
  return new MeldRepairError(code, message, retryable);
}
