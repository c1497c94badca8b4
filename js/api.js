// The public API, shared by the browser and Node entries. Every rule lives in wasm; this file
// only remembers recent answers, because crossing into wasm (copying strings both ways) costs
// ten times more than the decision itself. A decision depends only on status, reason and
// refreshAttempts, an explanation on those plus locale and institution name: the answers for
// the last inputs are kept and copied out. Anything the fast path cannot key on (wrong types,
// throwing getters) goes straight to wasm, which validates it and throws the coded error.
import * as wasm from "./wasm.js";

export { advise, interpretWebhook, knownSituations } from "./wasm.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
export { verifyWebhookSignature } from "./webhook-signature.js";

const REMEMBERED = 1024;
const decisions = new Map();
const explanations = new Map();

function remember(cache, key, compute) {
  let answer = cache.get(key);
  if (answer === undefined) {
    answer = compute();
    if (cache.size >= REMEMBERED) cache.clear();
    cache.set(key, answer);
  }
  return answer;
}

const isText = (value) => typeof value === "string";
const isOptionalText = (value) => value === undefined || value === null || typeof value === "string";
/** Longer keys are not remembered: a cache must not keep megabytes of institution names alive. */
const MAX_KEY_LENGTH = 512;

/**
 * The fields decide and explain read, read once, or null when wasm must look at the values
 * (wrong types, throwing getters, proxies): it validates them and throws the coded error.
 */
function plainInputs(connection, options) {
  try {
    if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return null;
    if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) return null;
    const { id, status, statusReason, institutionName } = connection;
    const { refreshAttempts = 0, locale = "en" } = options ?? {};
    const plain = isText(status) && status.trim() !== "" && isOptionalText(statusReason) && isOptionalText(id) &&
      isOptionalText(institutionName) && isText(locale) && Number.isSafeInteger(refreshAttempts) && refreshAttempts >= 0;
    if (!plain) return null;
    return {
      connection: { id: id ?? null, status, statusReason: statusReason ?? null, institutionName: institutionName ?? null },
      options: { refreshAttempts, locale },
    };
  } catch {
    return null;
  }
}

/** An unambiguous key part: length-prefixed, so no text can pose as two fields. */
const part = (text) => (text === null ? "-" : `${text.length}:${text}`);

// Wasm answers for the very values the key was made of (the copies in `plain`), so a getter
// that changes between reads cannot put one answer under another's key.
export function decide(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return wasm.decide(connection, options);
  const { id, status, statusReason } = plain.connection;
  const key = `${part(status)}${part(statusReason)}${plain.options.refreshAttempts}`;
  const answer = key.length > MAX_KEY_LENGTH
    ? wasm.decide(plain.connection, plain.options)
    : remember(decisions, key, () => wasm.decide(plain.connection, plain.options));
  return { ...answer, connectionId: id, rawStatus: status, rawStatusReason: statusReason };
}

export function explain(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return wasm.explain(connection, options);
  const { status, statusReason, institutionName } = plain.connection;
  const key = `${part(status)}${part(statusReason)}${part(plain.options.locale)}${part(institutionName)}${plain.options.refreshAttempts}`;
  if (key.length > MAX_KEY_LENGTH) return wasm.explain(plain.connection, plain.options);
  return { ...remember(explanations, key, () => wasm.explain(plain.connection, plain.options)) };
}

/** The app's wording, kept to put back if the wasm instance is ever replaced (js/wasm.js). */
const definedCopy = [];
wasm.afterReset(() => {
  for (const args of definedCopy) wasm.defineCopy(...args);
});

export function defineCopy(locale, texts, options) {
  wasm.defineCopy(locale, texts, options);
  definedCopy.push([locale, texts, options]);
  explanations.clear();
}

export function resetCopy() {
  wasm.resetCopy();
  definedCopy.length = 0;
  explanations.clear();
}
