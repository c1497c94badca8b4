// The package's one error class. The wasm boundary imports `createError` from this file, so
// every error the Rust side reports is a real `MeldRepairError` with a stable `code`.

/** A failure with a stable machine `code` and whether trying again can help (`retryable`). */
export class MeldRepairError extends Error {
  constructor(code, message, retryable = false, options = undefined) {
    super(message, options);
    this.name = "MeldRepairError";
    this.code = code;
    this.retryable = retryable;
  }
}

export function createError(code, message, retryable) {
  return new MeldRepairError(code, message, retryable);
}
