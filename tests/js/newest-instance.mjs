// The newest wasm instance the package creates, for suites that read its memory and table or
// make it trap. Import this before "meld-repair": the Node entry instantiates on import.

let newest = null;
/** A pattern of import names: the next call from wasm into a matching JS import traps. */
let trapAt = null;

const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const faulty = {};
  for (const [space, functions] of Object.entries(imports)) {
    faulty[space] = Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, (...args) => {
      if (trapAt !== null && trapAt.test(name)) {
        trapAt = null;
        throw new WebAssembly.RuntimeError("unreachable (injected by the test)");
      }
      return fn(...args);
    }]));
  }
  newest = new Instance(module, faulty);
  return newest;
};
WebAssembly.Instance.prototype = Instance.prototype;

export const newestInstance = () => newest;

/** The newest instance's export of `type` (WebAssembly.Memory, WebAssembly.Table). */
export const exported = (type) => Object.values(newest.exports).find((value) => value instanceof type);

/**
 * Makes the next call into a JS import whose name matches `pattern` throw a RuntimeError: to
 * the package's guard, that is the instance trapping mid-call (a panic, an out-of-memory).
 */
export function trapNext(pattern) {
  trapAt = pattern;
}

/** Whether the trap `trapNext` set is still waiting (not hit yet). */
export const trapPending = () => trapAt !== null;
