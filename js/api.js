// The public API of the rules, shared by the browser and Node entries, over the wasm module the
// entry loaded (`useCore`). Every rule lives in wasm; this file only remembers answers, because
// crossing into wasm (copying strings both ways) costs far more than the decision itself:
// - a decision depends only on the situation (status, reason, refreshAttempts): remembered by it;
// - an explanation on the situation, the locale and whether there is an institution name: wasm
//   answers with the text cut where the name goes, remembered too, and the name is joined in
//   here, so a list of a thousand different banks makes a handful of calls.
// Anything the fast path cannot key on (wrong types, throwing getters, proxies, a name that
// wasm would trim) goes straight to wasm, which validates it and throws the coded error.
import { DECISION_INPUTS, EXPLANATION_INPUTS } from "./facts.js";
import { guarded } from "./instance.js";

let core = null;

/** The app's wording, kept per locale to put back if the instance is ever replaced. */
const definedCopy = new Map();

/** Binds the API to an initialised wasm-bindgen glue module (core or node). */
export function useCore(glue) {
  core = guarded(glue, ["decide", "explain", "explainTemplate", "advise", "explainOutcome", "explainCopy", "defineCopy", "resetCopy", "knownSituations", "interpretWebhook", "triage"], () => {
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

/**
 * The fields decide and explain read, read once, or null when wasm must look at the values
 * (wrong types, throwing getters, proxies): it validates them and throws the coded error. The
 * fields come from the Rust rules (js/facts.js): the connection's are strings or absent, so a
 * field that is not part of a key (the echoed id) is still of a type wasm accepts; an option
 * is any primitive, since every option read is part of the key and a wrong one makes wasm
 * throw before anything is remembered.
 */
function plainInputs(connection, options) {
  try {
    if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return null;
    if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) return null;
    const plain = { connection: {}, options: {} };
    // Kept as read (undefined stays undefined: wasm's messages tell it from null).
    // Own properties only, as wasm reads them; strings over wasm's cap go to wasm, which
    // refuses them with the field's coded error.
    for (const key of CONNECTION_FIELDS) {
      const value = hasOwn(connection, key) ? connection[key] : undefined;
      if (value != null && (typeof value !== "string" || value.length > MAX_TEXT)) return null;
      plain.connection[key] = value;
    }
    for (const key of OPTION_FIELDS) {
      const value = options != null && hasOwn(options, key) ? options[key] : undefined;
      if (value != null && ((typeof value !== "string" || value.length > MAX_TEXT) && typeof value !== "number")) return null;
      plain.options[key] = value;
    }
    return plain;
  } catch {
    return null;
  }
}

const { hasOwn } = Object;
/** src/wasm/convert.rs `MAX_TEXT`. */
const MAX_TEXT = 20_000;
const CONNECTION_FIELDS = ["id", ...DECISION_INPUTS.connection, ...EXPLANATION_INPUTS.connection];
const OPTION_FIELDS = [...DECISION_INPUTS.options, ...EXPLANATION_INPUTS.options];
/** Longer keys are not remembered: a cache must not keep megabytes of statuses alive. */
const MAX_KEY_LENGTH = 512;
/**
 * Whitespace at either end of a name: JavaScript's `\s` and Rust's `char::is_whitespace` differ
 * only in U+0085 (Rust's) and U+FEFF (JavaScript's). A name without it is one that wasm would
 * keep as it is, so joining it in here gives the same text (tests/js/api.test.mjs checks every
 * such character).
 */
const EDGE_WHITESPACE = /^[\s\u0085]|[\s\u0085]$/;

/** src/explain/mod.rs `changes_direction`: right-to-left letters and bidi controls. */
const CHANGES_DIRECTION = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC\u200E\u200F\u202A-\u202E\u2066-\u2069\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** An unambiguous key of `values[keys]`: typed and length-prefixed, so no value poses as two. */
function keyOf(values, keys) {
  let key = "";
  for (const name of keys) {
    const value = values[name];
    key += value == null ? "-" : typeof value === "number" ? `#${value};` : `${value.length}:${value}`;
  }
  return key;
}

// Wasm answers for the very values the key was made of (the copies in `plain`), so a getter
// that changes between reads cannot put one answer under another's key.
export function decide(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return core.decide(connection, options);
  const key = keyOf(plain.connection, DECISION_INPUTS.connection) + keyOf(plain.options, DECISION_INPUTS.options);
  const answer = () => core.decide(plain.connection, plain.options);
  const { id = null, status, statusReason = null } = plain.connection;
  return { ...(key.length > MAX_KEY_LENGTH ? answer() : remember(decisions, key, answer)), connectionId: id, rawStatus: status, rawStatusReason: statusReason };
}

export function explain(connection, options) {
  const plain = plainInputs(connection, options);
  const name = plain?.connection.institutionName ?? null;
  // Wasm trims names, reads lone surrogates as U+FFFD and bidi-isolates names that could turn
  // the sentence around: such names go the whole way.
  if (plain === null || (name !== null && (name === "" || EDGE_WHITESPACE.test(name) || CHANGES_DIRECTION.test(name) || !name.isWellFormed()))) {
    return core.explain(connection, options);
  }
  const named = name !== null;
  const key = `${keyOf(plain.connection, DECISION_INPUTS.connection)}${keyOf(plain.options, OPTION_FIELDS)}${named}`;
  const template = () => core.explainTemplate(plain.connection, plain.options, named);
  const { title, message, ...rest } = key.length > MAX_KEY_LENGTH ? template() : remember(templates, key, template);
  return { title: title.join(name), message: message.join(name), ...rest };
}

/**
 * What the customer reads about a repair's outcome (a `RepairOutcome`, or `{ status: "failed",
 * error }`): worded by the error's code, never its developer `message`.
 */
export function explainOutcome(outcome, options) {
  return core.explainOutcome(outcome, options);
}

const copies = new Map();

/** The element's and the modal's own words (`"close"`, `"busy"`, `"severity_error"`, …). */
export function explainCopy(code, options) {
  const locale = options?.locale;
  const name = options?.institutionName;
  const plain = (typeof locale === "string" || locale == null) && (typeof name === "string" || name == null) && typeof code === "string";
  if (!plain) return core.explainCopy(code, options);
  const key = keyOf({ code, locale, name }, ["code", "locale", "name"]);
  const answer = () => core.explainCopy(code, { locale, institutionName: name });
  return { ...(key.length > MAX_KEY_LENGTH ? answer() : remember(copies, key, answer)) };
}

export function advise(connection, intent, options) {
  return core.advise(connection, intent, options);
}

/** A customer's whole list at once: one crossing into wasm, the app's objects handed back. */
export function triage(connections, options) {
  return core.triage(connections, options);
}

export function knownSituations() {
  return core.knownSituations();
}

export function defineCopy(locale, texts, options) {
  core.defineCopy(locale, texts, options);
  definedCopy.delete(locale); // the latest definition replays last
  definedCopy.set(locale, [locale, texts, options]);
  templates.clear();
  copies.clear();
}

export function resetCopy() {
  core.resetCopy();
  definedCopy.clear();
  templates.clear();
  copies.clear();
}

/** What a Meld webhook means for the app (Node only: the browser's module leaves webhooks out). */
export function interpretWebhook(event, options) {
  return core.interpretWebhook(event, options);
}
