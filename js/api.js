// The public API of the rules, shared by the browser and Node entries, over the wasm module the
// entry loaded (`useCore`). Every rule lives in wasm; this file only remembers answers, because
// crossing into wasm (copying strings both ways) costs far more than the decision itself:
// - a decision depends only on the situation (status, reason, refreshAttempts): remembered by it;
// - an explanation on the situation, the locale and whether there is an institution name: wasm
//   answers with the text cut where the name goes, remembered too, and the name is joined in
//   here, so a list of a thousand different banks makes a handful of calls.
// Anything the fast path cannot key on (wrong types, throwing getters, proxies, a name that
// wasm would trim) goes straight to wasm, which validates it and throws the coded error.
import { guarded } from "./instance.js";

let core = null;

/** The app's wording, kept per locale to put back if the instance is ever replaced. */
const definedCopy = new Map();

/** Binds the API to an initialised wasm-bindgen glue module (core or node). */
export function useCore(glue) {
  core = guarded(glue, ["decide", "explain", "explainTemplate", "advise", "defineCopy", "resetCopy", "knownSituations", "interpretWebhook"], () => {
    for (const args of definedCopy.values()) core.defineCopy(...args);
  });
}

const REMEMBERED = 1024;
const decisions = new Map();
const templates = new Map();

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
/** Longer situations are not remembered: a cache must not keep megabytes of statuses alive. */
const MAX_KEY_LENGTH = 512;
/**
 * Whitespace at either end of a name: JavaScript's `\s` and Rust's `char::is_whitespace` differ
 * only in U+0085 (Rust's) and U+FEFF (JavaScript's). A name without it is one that wasm would
 * keep as it is, so joining it in here gives the same text (tests/package/api.test.mjs checks
 * every such character).
 */
const EDGE_WHITESPACE = /^[\s\u0085]|[\s\u0085]$/;

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
      isOptionalText(institutionName) && isText(locale) && Number.isSafeInteger(refreshAttempts) &&
      refreshAttempts >= 0 && refreshAttempts <= 0xffffffff;
    if (!plain) return null;
    return { id: id ?? null, status, statusReason: statusReason ?? null, institutionName: institutionName ?? null, refreshAttempts, locale };
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
  if (plain === null) return core.decide(connection, options);
  const { id, status, statusReason, refreshAttempts } = plain;
  const key = `${part(status)}${part(statusReason)}${refreshAttempts}`;
  const situation = { status, statusReason };
  const answer = key.length > MAX_KEY_LENGTH
    ? core.decide(situation, { refreshAttempts })
    : remember(decisions, key, () => core.decide(situation, { refreshAttempts }));
  return { ...answer, connectionId: id, rawStatus: status, rawStatusReason: statusReason };
}

export function explain(connection, options) {
  const plain = plainInputs(connection, options);
  const name = plain?.institutionName;
  // Wasm trims names and reads lone surrogates as U+FFFD: such names go the whole way.
  if (plain === null || (name !== null && (name === "" || EDGE_WHITESPACE.test(name) || !name.isWellFormed()))) {
    return core.explain(connection, options);
  }
  const { status, statusReason, refreshAttempts, locale } = plain;
  const named = name !== null;
  const key = `${part(status)}${part(statusReason)}${part(locale)}${named}${refreshAttempts}`;
  const template = () => core.explainTemplate(status, statusReason, refreshAttempts, locale, named);
  const { title, message, ...rest } = key.length > MAX_KEY_LENGTH ? template() : remember(templates, key, template);
  return { title: title.join(name), message: message.join(name), ...rest };
}

export function advise(connection, intent, options) {
  return core.advise(connection, intent, options);
}

export function knownSituations() {
  return core.knownSituations();
}

export function defineCopy(locale, texts, options) {
  core.defineCopy(locale, texts, options);
  definedCopy.delete(locale); // the latest definition replays last
  definedCopy.set(locale, [locale, texts, options]);
  templates.clear();
}

export function resetCopy() {
  core.resetCopy();
  definedCopy.clear();
  templates.clear();
}

/** What a Meld webhook means for the app (Node only: the browser's module leaves webhooks out). */
export function interpretWebhook(event, options) {
  return core.interpretWebhook(event, options);
}
