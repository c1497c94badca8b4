// Reads of the app's values for the wasm boundary (src/wasm/convert.rs), one crossing each.

const { hasOwn } = Object;

/** The own property at `key`, or undefined: an inherited (e.g. polluted) one is never read. */
export function ownProperty(object, key) {
  return hasOwn(object, key) ? object[key] : undefined;
}
