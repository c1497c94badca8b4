// Every call into wasm goes through here. A trap (a Rust panic, or a bug no test found) can
// leave a WebAssembly instance unusable; instead of every later call failing, the instance is
// replaced by a fresh one, the app's own wording is put back, and the call that hit the trap
// reports a retryable INTERNAL_ERROR.
import * as glue from "./wasm/meld_repair.js";
import { MeldRepairError } from "./errors.js";

const restorers = [];

/** Runs `restore` after every reset, to put app state (defineCopy) back into the new instance. */
export function afterReset(restore) {
  restorers.push(restore);
}

function guarded(call) {
  return (...args) => {
    try {
      return call(...args);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      glue.__wbg_reset_state();
      for (const restore of restorers) restore();
      throw new MeldRepairError("INTERNAL_ERROR", "meld-repair hit an internal error and restarted its WebAssembly instance; the call can be retried", true, { cause: error });
    }
  };
}

export const decide = guarded(glue.decide);
export const explain = guarded(glue.explain);
export const advise = guarded(glue.advise);
export const defineCopy = guarded(glue.defineCopy);
export const resetCopy = guarded(glue.resetCopy);
export const knownSituations = guarded(glue.knownSituations);
export const interpretWebhook = guarded(glue.interpretWebhook);
export const sessionStep = guarded(glue.sessionStep);
export const validateTokenResponse = guarded(glue.validateTokenResponse);
export const tokenIsFresh = guarded(glue.tokenIsFresh);
export const parseWidgetMessage = guarded(glue.parseWidgetMessage);
export const widgetOrigins = guarded(glue.widgetOrigins);
// A promise: a trap while it runs surfaces in the event loop, not here.
export const requestRepairToken = glue.requestRepairToken;
