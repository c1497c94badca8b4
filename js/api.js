// The public API, shared by the browser and Node entries. Every rule lives in wasm; this file
// only remembers recent answers, because crossing into wasm (copying strings both ways) costs
// ten times more than the decision itself. A decision depends only on status, reason and
// refreshAttempts, an explanation on those plus locale and institution name: the answers for
// the last inputs are kept and copied out. Anything the fast path cannot key on (wrong types,
// throwing getters) goes straight to wasm, which validates it and throws the coded error.
import * as wasm from "./wasm/meld_repair.js";

export { advise, knownSituations } from "./wasm/meld_repair.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
export { interpretWebhook } from "./wasm/meld_repair.js";
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

/** The plain fields of a connection and options, or null when wasm must look at them. */
function plainInputs(connection, options) {
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) return null;
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) return null;
  try {
    const { id, status, statusReason, institutionName } = connection;
    const { refreshAttempts = 0, locale = "en" } = options ?? {};
    const plain = isText(status) && status.trim() !== "" && isOptionalText(statusReason) && isOptionalText(id) &&
      isOptionalText(institutionName) && isText(locale) && Number.isSafeInteger(refreshAttempts) && refreshAttempts >= 0;
    if (!plain) return null;
    return { id: id ?? null, status, statusReason: statusReason ?? null, institutionName, refreshAttempts, locale };
  } catch {
    return null;
  }
}

/** An unambiguous key part: length-prefixed, so no text can pose as two fields. */
const part = (text) => (text === null || text === undefined ? "-" : `${text.length}:${text}`);

export function decide(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return wasm.decide(connection, options);
  const key = `${part(plain.status)}${part(plain.statusReason)}${plain.refreshAttempts}`;
  const answer = remember(decisions, key, () => wasm.decide(connection, options));
  return { ...answer, connectionId: plain.id, rawStatus: plain.status, rawStatusReason: plain.statusReason };
}

export function explain(connection, options) {
  const plain = plainInputs(connection, options);
  if (plain === null) return wasm.explain(connection, options);
  const key = `${part(plain.status)}${part(plain.statusReason)}${part(plain.locale)}${part(plain.institutionName)}${plain.refreshAttempts}`;
  return { ...remember(explanations, key, () => wasm.explain(connection, options)) };
}

export function defineCopy(locale, texts, options) {
  wasm.defineCopy(locale, texts, options);
  explanations.clear();
}

export function resetCopy() {
  wasm.resetCopy();
  explanations.clear();
}
