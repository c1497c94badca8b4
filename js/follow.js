// Following a repaired connection back to health. After the widget's `connect_complete` Meld
// aggregates in the background and the status comes back minutes later (reference §14.4), so
// RepairFlow, given `statusUrl` or `fetchConnection`, asks the app's backend for the connection
// with backoff until decide() neither opens the widget nor says to wait, or the app's bound
// passes. Errors of a single look are not fatal: the next look tries again. The options are
// read by RepairFlow's face; the loop ships in the flow's module (js/flow.js), given the face's
// decide (the flow's bundle has no core instance of its own).
import { MeldRepairError } from "./errors.js";

const DEFAULTS = { intervalMs: 2_000, maxIntervalMs: 30_000, timeoutMs: 120_000 };

const invalid = (message) => new MeldRepairError("INVALID_OPTIONS", message);

/**
 * The follow-up options of RepairFlow, checked: `statusUrl` (GET `?connectionId=`, the app's
 * backend answers with Meld's connection, as `createConnectionHandler` does) or
 * `fetchConnection(connectionId, { signal })`, and `follow: { intervalMs, maxIntervalMs,
 * timeoutMs }`. Null when the app asked for no follow-up.
 */
export function readFollowOptions({ statusUrl, fetchConnection, follow = {} }, headers) {
  if (statusUrl === undefined && fetchConnection === undefined) return null;
  if (statusUrl !== undefined && fetchConnection !== undefined) throw invalid("give at most one of statusUrl or fetchConnection(connectionId)");
  if (fetchConnection !== undefined && typeof fetchConnection !== "function") throw invalid("fetchConnection must be a function");
  let url = null;
  if (statusUrl !== undefined) {
    try {
      url = new URL(statusUrl, globalThis.location?.href);
    } catch {
      throw invalid("statusUrl is not a URL (outside a page it must be absolute)");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("statusUrl must be an http(s) URL");
  }
  if (follow === null || typeof follow !== "object") throw invalid("follow must be an object { intervalMs, maxIntervalMs, timeoutMs }");
  const bounds = { ...DEFAULTS, ...follow };
  for (const name of Object.keys(DEFAULTS)) {
    const value = bounds[name];
    if (!Number.isInteger(value) || value < 1 || value >= 2 ** 31) throw invalid(`follow.${name} must be a whole number of ms from 1 to 2^31 - 1`);
  }
  const look = url
    ? (connectionId, signal) => getConnection(url, connectionId, headers, signal)
    : (connectionId, signal) => fetchConnection(connectionId, { signal });
  return { look, ...bounds };
}

async function getConnection(url, connectionId, headers, signal) {
  const target = new URL(url);
  target.searchParams.set("connectionId", connectionId);
  const response = await fetch(target, { headers: { Accept: "application/json", ...headers }, credentials: "same-origin", signal });
  if (!response.ok) throw new Error(`statusUrl answered HTTP ${response.status}`); // caught: look again later
  return response.json();
}

/** The connection no longer needs the widget, and is not waiting for Meld either. */
export const settled = (decision) => !decision.openWidget && decision.action !== "wait";

/**
 * Looks at the connection until it settles: `onUpdate({ connection, decision })` for each
 * connection the backend gives, then resolves `{ status: "healthy" | "timed_out" | "stopped",
 * connection, decision }` (the last ones seen, null if none came). Never rejects.
 */
export async function followConnection(connectionId, options, signal, onUpdate, decide) {
  const started = Date.now();
  let wait = options.intervalMs;
  let last = { connection: null, decision: null };
  while (!signal.aborted) {
    const left = options.timeoutMs - (Date.now() - started);
    if (left <= 0) return { status: "timed_out", ...last };
    if (!(await sleep(Math.min(wait, left), signal))) break;
    wait = Math.min(wait * 2, options.maxIntervalMs);
    let connection, decision;
    try {
      connection = await options.look(connectionId, signal);
      decision = decide(connection);
    } catch {
      continue; // a network blip or a bad answer: look again later
    }
    if (signal.aborted) break;
    last = { connection, decision };
    onUpdate(last);
    if (settled(decision)) return { status: "healthy", ...last };
  }
  return { status: "stopped", ...last };
}

/** Resolves true after `ms`, false when `signal` aborts first. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}
