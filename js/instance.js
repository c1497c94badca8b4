// Every call into wasm goes through here. A trap (a Rust panic, or a bug no test found) can
// leave a WebAssembly instance unusable; instead of every later call failing, the instance is
// replaced by a fresh one, the app's state is put back (`restore`), and the call that hit the
// trap reports a retryable INTERNAL_ERROR.
import { MeldRepairError } from "./errors.js";

/**
 * Per glue module, what its guards put back after a reset: in Node one instance serves both
 * the rules and the repair flow, so a trap in the flow must restore the rules' wording too.
 */
const restorers = new WeakMap();

/**
 * The glue's exports named in `names` (those it has), each guarded. `restore` runs after a reset
 * of this glue's instance by any guard, to put app state (defineCopy) back into the new one.
 */
export function guarded(glue, names, restore = null) {
  if (!restorers.has(glue)) restorers.set(glue, []);
  if (restore) restorers.get(glue).push(restore);
  const guard = (call) => (...args) => {
    try {
      return call(...args);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      glue.__wbg_reset_state();
      for (const putBack of restorers.get(glue)) putBack();
      throw new MeldRepairError("INTERNAL_ERROR", "meld-repair hit an internal error and restarted its WebAssembly instance; the call can be retried", undefined, { cause: error });
    }
  };
  return Object.fromEntries(names.filter((name) => name in glue).map((name) => [name, guard(glue[name])]));
}
