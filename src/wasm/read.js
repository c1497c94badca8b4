// Reads of the app's values for the wasm boundary (src/wasm/convert.rs), one crossing each.
// None of them throws: an exception caught by wasm-bindgen's `catch` glue costs an externref
// table slot that is never given back (the slot of the return value it never got), so a
// throwing getter called in a loop would grow the table without bound. A throw is reported
// by the return value instead, or by `threwLast` where `undefined` is also a real answer.

const { hasOwn, keys } = Object;
const { isArray } = Array;
let threw = false;

/** The own property at `key`, or undefined (an inherited, e.g. polluted, one is never read). */
export function ownProperty(object, key) {
  try {
    return hasOwn(object, key) ? object[key] : undefined;
  } catch {
    threw = true;
    return undefined;
  }
}

/** Whether the last `ownProperty` that answered undefined did so because reading threw. */
export function threwLast() {
  const answer = threw;
  threw = false;
  return answer;
}

/** `Object.keys`, or null when it threw (a proxy's `ownKeys` trap). */
export function ownKeys(object) {
  try {
    return keys(object);
  } catch {
    return null;
  }
}

/** `Array.isArray`, or undefined when it threw (a revoked proxy). */
export function arrayOrNot(value) {
  try {
    return isArray(value);
  } catch {
    return undefined;
  }
}

/** An array's `length` (0 when not a number), or undefined when reading it threw. */
export function lengthOf(list) {
  try {
    const { length } = list;
    return typeof length === "number" ? length : 0;
  } catch {
    return undefined;
  }
}
