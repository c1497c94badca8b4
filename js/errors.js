// The package's one error class. The wasm boundary imports `createError` from this file, so
// every error the Rust side reports is a real `MeldRepairError` with a stable `code`.
//
// Each bundle of the package (the status page, the repair flow loaded later, a copy a bundler
// made) may hold its own copy of this file; the class is registered once per realm, so
// `instanceof MeldRepairError` holds whichever copy made the error.
const REGISTRY_KEY = Symbol.for("meld-repair.MeldRepairError");

/** A failure with a stable machine `code` and whether trying again can help (`retryable`). */
export const MeldRepairError = (globalThis[REGISTRY_KEY] ??= class MeldRepairError extends Error {
  constructor(code, message, retryable = false, options = undefined) {
    super(message, options);
    this.name = "MeldRepairError";
    this.code = code;
    this.retryable = retryable;
  }
});

export function createError(code, message, retryable) {
  return new MeldRepairError(code, message, retryable);
}
