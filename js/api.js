// The public API of the rules, shared by the browser and Node entries, over the wasm module the
// entry loaded (`useCore`). Every rule lives in wasm; this file only remembers answers, because
// crossing into wasm (copying strings both ways) costs far more than the decision itself:
// - a decision depends only on the situation (status, reason, refreshAttempts): remembered by it;
// - an explanation on the situation, the locale and whether there is an institution name: wasm
//   answers with the text cut where the name goes, remembered too, and the name is joined in
//   here, so a list of a thousand different banks makes a handful of calls.
// Anything the fast path cannot key on (wrong types, throwing getters, proxies, a name that
// wasm would trim) goes straight to wasm, which validates it and throws the coded error.
import { decisionKey, explanationKey, readInputs } from "./facts.js";
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
/** Longer keys are not remembered: a cache must not keep megabytes of statuses alive. */
const MAX_KEY_LENGTH = 512;
const decisions = new Map();
const templates = new Map();
const copies = new Map();

/**
 * Keeps `answer` under `key`, unless the key is too long to be worth keeping, and returns it.
 * Callers look up first (`cache.get(key) ?? keep(…)`), so a remembered call makes no closure.
 */
function keep(cache, key, answer) {
  if (key.length <= MAX_KEY_LENGTH) {
    if (cache.size >= REMEMBERED) cache.clear();
    cache.set(key, answer);
  }
  return answer;
}

/** One value's piece of a cache key: typed and length-prefixed, so no value poses as two. */
function part(value) {
  return value == null ? "-" : typeof value === "number" ? `#${value};` : `${value.length}:${value}`;
}

/**
 * The fields decide and explain read, read once (js/facts.js, from the Rust rules), or null
 * when wasm must look at the values (wrong types, throwing getters, proxies): it validates
 * them and throws the coded error. Own properties only, as wasm reads them; undefined stays
 * undefined (wasm's messages tell it from null); strings over wasm's cap go to wasm, which
 * refuses them with the field's coded error.
 */
function plainInputs(connection, options) {
  try {
    if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return null;
    if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) return null;
    return readInputs(connection, options, text, choice);
  } catch {
    return null;
  }
}

const { hasOwn } = Object;
/** src/wasm/convert.rs `MAX_TEXT`: the longest string wasm takes in. */
export const MAX_TEXT = 20_000;
/** Thrown by `text` and `choice`, caught by `plainInputs`: a value only wasm may judge. */
const NOT_PLAIN = Symbol("not plain");

/** A connection field: a string or absent, so even one no key holds (the echoed id) is of a type wasm accepts. */
function text(connection, name) {
  const value = hasOwn(connection, name) ? connection[name] : undefined;
  if (value != null && (typeof value !== "string" || value.length > MAX_TEXT)) throw NOT_PLAIN;
  return value;
}

/** An option: any string or number, since every option is part of a key and a wrong one makes wasm throw before anything is remembered. */
function choice(options, name) {
  const value = options != null && hasOwn(options, name) ? options[name] : undefined;
  if (value != null && typeof value !== "number" && (typeof value !== "string" || value.length > MAX_TEXT)) throw NOT_PLAIN;
  return value;
}

/**
 * Whitespace at either end of a name: JavaScript's `\s` and Rust's `char::is_whitespace` differ
 * only in U+0085 (Rust's) and U+FEFF (JavaScript's). A name without it is one that wasm would
 * keep as it is, so joining it in here gives the same text (tests/js/api.test.mjs checks every
 * such character).
 */
const EDGE_WHITESPACE = /^[\s\u0085]|[\s\u0085]$/;

/** src/explain/mod.rs `changes_direction`: right-to-left letters and bidi controls. */
const CHANGES_DIRECTION = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC\u200E\u200F\u202A-\u202E\u2066-\u2069\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

// Wasm answers for the very values the key was made of (the copies in `plain`), so a getter
// that changes between reads cannot put one answer under another's key.
export function decide(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return core.decide(connection, options);
  const key = decisionKey(plain.connection, plain.options, part);
  const answer = decisions.get(key) ?? keep(decisions, key, core.decide(plain.connection, plain.options));
  const { id = null, status, statusReason = null } = plain.connection;
  return { ...answer, connectionId: id, rawStatus: status, rawStatusReason: statusReason };
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
  const key = `${decisionKey(plain.connection, plain.options, part)}${explanationKey(plain.options, part)}${named}`;
  const template = templates.get(key) ?? keep(templates, key, core.explainTemplate(plain.connection, plain.options, named));
  return { ...template, title: joined(template.title, name), message: joined(template.message, name) };
}

/** `pieces.join(name)`, by concatenation: several times faster for the one or two pieces. */
function joined(pieces, name) {
  let text = pieces[0];
  for (let index = 1; index < pieces.length; index++) text += name + pieces[index];
  return text;
}

/**
 * What the customer reads about a repair's outcome (a `RepairOutcome`, or `{ status: "failed",
 * error }`): worded by the error's code, never its developer `message`.
 */
export function explainOutcome(outcome, options) {
  return core.explainOutcome(outcome, options);
}

/** The element's and the modal's own words (`"close"`, `"busy"`, `"severity_error"`, …). */
export function explainCopy(code, options) {
  const locale = options?.locale;
  const name = options?.institutionName;
  const plain = (typeof locale === "string" || locale == null) && (typeof name === "string" || name == null) && typeof code === "string";
  if (!plain) return core.explainCopy(code, options);
  const key = part(code) + part(locale) + part(name);
  return { ...(copies.get(key) ?? keep(copies, key, core.explainCopy(code, { locale, institutionName: name }))) };
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
