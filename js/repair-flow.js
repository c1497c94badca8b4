// RepairFlow: the repair of one broken connection, from the click to one outcome. The rules
// live in wasm: `decide` says whether the widget is needed, `sessionStep` is the session state
// machine (which guarantees one outcome), the token and the widget's messages are validated
// there too. This file only performs the machine's effects in the browser.
import {
  decide,
  parseWidgetMessage,
  requestRepairToken,
  sessionStep,
  tokenIsFresh,
  validateTokenResponse,
  widgetOrigins,
} from "./wasm.js";
import { MeldRepairError } from "./errors.js";
import { reserveWindow, showWidget } from "./widget.js";

const MODES = ["iframe", "popup", "tab"];
const WEBHOOK_NOTE =
  "Meld sends BANK_LINKING_CONNECTION_STATUS_CHANGE (back to ACTIVE) and the data webhooks later; the connection object the app holds is stale until then.";

function invalidOption(message) {
  return new MeldRepairError("INVALID_OPTIONS", message);
}

/** The options, checked and completed, or an INVALID_OPTIONS error naming the culprit. */
function readOptions(options) {
  if (options === null || typeof options !== "object") throw invalidOption("RepairFlow needs an options object");
  let given;
  try {
    given = { ...options }; // read every option once; a throwing getter is the app's bug, reported as such
  } catch (cause) {
    throw new MeldRepairError("INVALID_OPTIONS", "reading the RepairFlow options threw", false, { cause });
  }
  const {
    tokenUrl, fetchToken, headers = {}, mode = "iframe", container = null, allowedWidgetOrigins,
    allowInsecureLoopback = false, timeoutMs = 10_000, retries = 2, width = 360, height = 630,
    locale = "en", onEvent = null, onStateChange = null,
  } = given;
  if ((tokenUrl === undefined) === (fetchToken === undefined)) {
    throw invalidOption("give exactly one of tokenUrl (your backend's repair route) or fetchToken(connection)");
  }
  if (tokenUrl !== undefined && (typeof tokenUrl !== "string" || tokenUrl.trim() === "")) throw invalidOption("tokenUrl must be a non-empty string");
  if (fetchToken !== undefined && typeof fetchToken !== "function") throw invalidOption("fetchToken must be a function");
  if (!MODES.includes(mode)) throw invalidOption(`mode must be "iframe", "popup" or "tab", got ${describe(mode)}`);
  if (container !== null && !(typeof Element !== "undefined" && container instanceof Element)) throw invalidOption("container must be a DOM Element");
  for (const [name, value] of [["onEvent", onEvent], ["onStateChange", onStateChange]]) {
    if (value !== null && typeof value !== "function") throw invalidOption(`${name} must be a function`);
  }
  // Timers hold at most 2^31 - 1 ms; one more wraps to an immediate timeout.
  for (const [name, value, min] of [["timeoutMs", timeoutMs, 1], ["retries", retries, 0], ["width", width, 1], ["height", height, 1]]) {
    if (!Number.isInteger(value) || value < min || value >= 2 ** 31) throw invalidOption(`${name} must be a whole number from ${min} to 2^31 - 1`);
  }
  if (typeof locale !== "string") throw invalidOption('locale must be a string such as "en" or "es-MX"');
  if (typeof allowInsecureLoopback !== "boolean") throw invalidOption("allowInsecureLoopback must be a boolean");
  return {
    tokenUrl: tokenUrl === undefined ? undefined : absoluteUrl(tokenUrl),
    headers: plainHeaders(headers),
    fetchToken, mode, container, timeoutMs, retries, width, height, locale, onEvent, onStateChange,
    allowInsecureLoopback,
    allowedWidgetOrigins: widgetOrigins(allowedWidgetOrigins, allowInsecureLoopback),
  };
}

function describe(value) {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

/** Headers as a plain object of strings, from a plain object, a `Headers` or a `Map`. */
function plainHeaders(headers) {
  const isMapLike = headers instanceof Map || (typeof Headers !== "undefined" && headers instanceof Headers);
  const isObject = headers !== null && typeof headers === "object" && !Array.isArray(headers);
  const entries = isMapLike ? [...headers.entries()] : isObject ? Object.entries(headers) : null;
  if (entries === null) throw invalidOption("headers must be an object, a Headers or a Map of strings");
  for (const [name, value] of entries) {
    if (typeof name !== "string" || typeof value !== "string") throw invalidOption(`headers values must be strings; not so for ${describe(name)}`);
  }
  return Object.fromEntries(entries);
}

/** fetch in wasm needs an absolute http(s) URL; relative ones resolve against the page. */
function absoluteUrl(url) {
  let absolute;
  try {
    absolute = new URL(url, globalThis.location?.href);
  } catch {
    throw invalidOption(`tokenUrl ${describe(url)} is not a URL (outside a page it must be absolute)`);
  }
  if (absolute.protocol !== "https:" && absolute.protocol !== "http:") throw invalidOption(`tokenUrl must be an http(s) URL, got ${describe(absolute.protocol)}`);
  return absolute.href;
}

/**
 * Also an EventTarget, so several parts of a page can watch one flow: `statechange` (detail:
 * the state) and `widgetevent` (detail: the widget event), besides the onStateChange and onEvent
 * options.
 */
export class RepairFlow extends EventTarget {
  #options;
  #state = "idle";
  /** The running session: { connection, connectionId, decision, promise, resolve, token, widget, reserved, cleanup[] }. */
  #session = null;
  /** connectionId → validated token, reused while fresh. */
  #tokens = new Map();
  /** connectionId → promise of a token: one backend request per connection at a time. */
  #inflight = new Map();
  #destroyed = false;

  constructor(options) {
    super();
    this.#options = readOptions(options);
  }

  /** "idle" | "fetching_token" | "open" | "completed" | "cancelled" | "failed" */
  get state() {
    return this.#state;
  }

  /**
   * Fetches (and caches) the repair token ahead of the click, e.g. on hover or focus, so the
   * widget opens at once. Resolves true when a token is ready; never rejects (a failure
   * surfaces when `start()` tries again).
   */
  prefetch(connection) {
    let decision;
    try {
      decision = decide(connection);
    } catch {
      return Promise.resolve(false);
    }
    if (this.#destroyed || !decision.openWidget || decision.connectionId === null) return Promise.resolve(false);
    return this.#token(connection, decision.connectionId).then(() => true, () => false);
  }

  /**
   * Repairs `connection`: decides first (resolving `{ status: "not_needed" }` when the widget
   * is not the answer), gets the token from the app's backend, shows the widget, and resolves
   * exactly once with `completed`, `cancelled` or `failed`. A second call for the same
   * connection while a session runs returns the same promise.
   */
  start(connection) {
    let decision;
    try {
      decision = decide(connection);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#destroyed) {
      return Promise.reject(new MeldRepairError("SESSION_CLOSED", "this RepairFlow was destroyed; create a new one"));
    }
    const connectionId = decision.connectionId;
    if (this.#session) {
      if (this.#session.connectionId === connectionId) return this.#session.promise;
      return Promise.reject(
        new MeldRepairError("SESSION_IN_PROGRESS", "another connection's repair is open; close() it or wait for its outcome", true),
      );
    }
    if (!decision.openWidget) return Promise.resolve({ status: "not_needed", connectionId, decision });
    if (connectionId === null) {
      return Promise.reject(
        new MeldRepairError("INVALID_CONNECTION", "connection.id is required to repair it: the backend asks Meld for a token by this id"),
      );
    }

    let resolve;
    const promise = new Promise((r) => (resolve = r));
    const institutionName = typeof connection.institutionName === "string" ? connection.institutionName : undefined;
    const session = { connection, connectionId, decision, institutionName, promise, resolve, cleanup: [] };
    this.#session = session;
    if (this.#options.mode !== "iframe") {
      // Inside the caller's click: after the token request the browser would block it.
      session.reserved = reserveWindow(this.#options.mode, this.#options.width, this.#options.height);
    }
    const onPageHide = () => this.#feed(session, "page_hidden", { reason: "page_hidden" });
    globalThis.addEventListener?.("pagehide", onPageHide); // absent on a server: nothing to hide there
    session.cleanup.push(() => globalThis.removeEventListener?.("pagehide", onPageHide));
    this.#feed(session, "start");
    return promise;
  }

  /** Force-closes the running session (logout, route change): it resolves `cancelled`. */
  close() {
    if (this.#session) this.#feed(this.#session, "app_closed", { reason: "app_closed" });
  }

  /** Closes the session and forgets every cached token (call it on logout). */
  destroy() {
    this.close();
    this.#tokens.clear();
    this.#destroyed = true;
  }

  /** Feeds the session machine and performs what it says; input for an ended session is dropped. */
  #feed(session, input, detail = {}) {
    if (this.#session !== session) return;
    const step = sessionStep(this.#state, input);
    if (step === null) return;
    session.error ??= detail.error;
    session.reason ??= detail.reason;
    session.metadata ??= detail.metadata;
    this.#setState(step.state);
    for (const effect of step.effects) {
      if (effect === "fetch_token") this.#fetchToken(session);
      else if (effect === "open_widget") this.#open(session);
      else if (effect === "close_widget") session.widget?.close();
      else if (effect === "finish") this.#finish(session);
    }
  }

  #fetchToken(session) {
    if (this.#options.mode !== "iframe" && !session.reserved) {
      const error = new MeldRepairError(
        "POPUP_BLOCKED",
        'the browser blocked the widget\'s window; call start() from a click handler, or use mode "iframe"',
        true,
      );
      this.#feed(session, "token_failed", { error });
      return;
    }
    this.#token(session.connection, session.connectionId).then(
      (token) => {
        session.token = token;
        this.#feed(session, "token_ready");
      },
      (error) => this.#feed(session, "token_failed", { error }),
    );
  }

  #open(session) {
    const { token } = session;
    const options = this.#options;
    const onMessage = (event) => {
      // Only the widget's own window, on the token's origin, speaks for Meld.
      if (!session.widget || event.source !== session.widget.window || event.origin !== token.widgetOrigin) return;
      const widgetEvent = parseWidgetMessage(event.data);
      if (widgetEvent === null) return;
      this.#call(options.onEvent, widgetEvent);
      this.dispatchEvent(new CustomEvent("widgetevent", { detail: widgetEvent }));
      if (widgetEvent.name === "connect_complete") {
        const { name, ...metadata } = widgetEvent;
        this.#feed(session, "widget_completed", { metadata });
      }
    };
    addEventListener("message", onMessage);
    session.cleanup.push(() => removeEventListener("message", onMessage));
    session.widget = showWidget({
      mode: options.mode,
      url: token.widgetUrl,
      reserved: session.reserved,
      container: options.container,
      width: options.width,
      height: options.height,
      locale: options.locale,
      institutionName: session.institutionName,
      onCustomerClose: () => this.#feed(session, "customer_closed", { reason: "customer_closed" }),
    });
  }

  #finish(session) {
    for (const undo of session.cleanup) undo();
    if (session.reserved && !session.reserved.closed) session.reserved.close();
    this.#session = null;
    const status = this.#state;
    // A connect token is single-use once the connection completes; a failed one is suspect.
    if (status !== "cancelled") this.#tokens.delete(session.connectionId);
    session.resolve({
      status,
      connectionId: session.connectionId,
      decision: session.decision,
      metadata: status === "completed" ? session.metadata : null,
      reason: status === "cancelled" ? session.reason : null,
      error: status === "failed" ? session.error : null,
      dataArrivesByWebhook: status === "completed",
      note: status === "completed" ? WEBHOOK_NOTE : null,
    });
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#call(this.#options.onStateChange, state);
    this.dispatchEvent(new CustomEvent("statechange", { detail: state }));
  }

  /** App callbacks must not break the flow: their errors are rethrown outside it. */
  #call(callback, value) {
    if (!callback) return;
    try {
      callback(value);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /**
   * A fresh token for the connection: cached, in flight, or requested now. A request still
   * running when its session ends goes on and caches its token for the next start().
   */
  #token(connection, connectionId) {
    const cached = this.#tokens.get(connectionId);
    if (cached && tokenIsFresh(cached.expiresAt)) return Promise.resolve(cached);
    this.#tokens.delete(connectionId);
    const running = this.#inflight.get(connectionId);
    if (running) return running;

    const options = this.#options;
    const promise = this.#requestToken(connection, connectionId)
      .then((response) => {
        const token = validateTokenResponse(response, connectionId, options.allowedWidgetOrigins, options.allowInsecureLoopback);
        if (!this.#destroyed) this.#tokens.set(connectionId, token);
        return token;
      })
      .finally(() => this.#inflight.delete(connectionId));
    this.#inflight.set(connectionId, promise);
    return promise;
  }

  /** The backend's raw answer: through the app's `fetchToken`, or POST `tokenUrl` (in wasm). */
  async #requestToken(connection, connectionId) {
    const { fetchToken, tokenUrl, headers, timeoutMs, retries } = this.#options;
    if (!fetchToken) return requestRepairToken(tokenUrl, connectionId, headers, timeoutMs, retries);
    // A timer cleared once fetchToken settles (AbortSignal.timeout cannot be cancelled and would
    // abort the app's signal long after its request succeeded).
    const controller = new AbortController();
    let timer;
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new MeldRepairError("TOKEN_ENDPOINT_TIMEOUT", `fetchToken did not settle within ${timeoutMs} ms`, true));
      }, timeoutMs);
    });
    try {
      return await Promise.race([fetchToken(connection, { signal: controller.signal }), timedOut]);
    } catch (error) {
      if (error instanceof MeldRepairError) throw error;
      throw new MeldRepairError("TOKEN_ENDPOINT_FAILED", `fetchToken threw: ${error?.message ?? error}`, true, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
