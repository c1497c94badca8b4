// RepairFlow: the repair of one broken connection, from the click to one outcome. This is its
// face, in the status page's bundle: it checks the options, decides first (no widget, no
// module), reserves the popup inside the click, and hands the session to the driver
// (js/repair-session.js), whose module and wasm load when the app constructs a RepairFlow.
import { decide, explainCopy, MAX_TEXT } from "./api.js";
import { MeldRepairError } from "./errors.js";
import { readFollowOptions } from "./follow.js";
import { reserveWindow } from "./widget.js";

/**
 * Gives `{ wasm, RepairSession }`, or a promise of it while its module loads; the entry provides
 * it (on first use in a page, at once in Node).
 */
let loadFlow = null;

export function provideFlow(loader) {
  loadFlow = loader;
}

const MODES = ["iframe", "popup", "tab"];

function invalidOption(message) {
  return new MeldRepairError("INVALID_OPTIONS", message);
}

/** The options, checked and completed, or an INVALID_OPTIONS error naming the culprit. */
function readOptions(options) {
  if (options === null || typeof options !== "object") throw invalidOption("RepairFlow needs an options object");
  let given;
  try {
    // Every own option read once (a throwing getter is the app's bug, reported as such), into
    // an object with no prototype: a polluted Object.prototype must not supply options.
    given = Object.assign(Object.create(null), options);
  } catch (cause) {
    throw new MeldRepairError("INVALID_OPTIONS", "reading the RepairFlow options threw", undefined, { cause });
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
  const checkedHeaders = plainHeaders(headers);
  return {
    tokenUrl: tokenUrl === undefined ? undefined : absoluteUrl(tokenUrl),
    headers: checkedHeaders,
    follow: readFollowOptions(given, checkedHeaders),
    fetchToken, mode, container, timeoutMs, retries, width, height, locale, onEvent, onStateChange,
    allowInsecureLoopback, allowedWidgetOrigins,
    // The modal's words, looked up when it opens (after any defineCopy): js/widget.js.
    copy: (code, institutionName) => explainCopy(code, { locale, institutionName }),
  };
}

/** `start()`'s second argument, checked: `{ theme, progress }` (own properties only). */
function readStartOptions(options = {}) {
  if (options === null || typeof options !== "object") throw invalidOption("start options must be an object");
  // Object(): a progress that is not an object reads as one with no fields, refused below.
  const own = (object, name) => {
    try {
      return Object.hasOwn(Object(object), name) ? object[name] : undefined;
    } catch (cause) {
      throw new MeldRepairError("INVALID_OPTIONS", `reading the start option ${name} threw`, undefined, { cause });
    }
  };
  const theme = own(options, "theme");
  const progress = own(options, "progress");
  if (theme !== undefined && theme !== "light" && theme !== "dark") throw invalidOption('theme must be "light" or "dark"');
  if (progress === undefined) return { theme };
  const count = own(progress, "count");
  const total = own(progress, "total");
  if (!Number.isInteger(count) || !Number.isInteger(total) || count < 1 || count > total) throw invalidOption("progress must be { count, total } with 1 <= count <= total");
  return { theme, progress: { count, total } };
}

function describe(value) {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

/** Headers as a plain object of strings, from a plain object, a `Headers` or a `Map`. */
function plainHeaders(headers) {
  // By tag, not instanceof: a Map or Headers from another realm (an iframe) would otherwise read
  // as a plain object with no entries, and the app's CSRF token would silently go unsent.
  const tag = Object.prototype.toString.call(headers);
  const isMapLike = tag === "[object Map]" || tag === "[object Headers]";
  const isObject = headers !== null && typeof headers === "object" && !Array.isArray(headers);
  let entries;
  try {
    entries = isMapLike ? [...headers.entries()] : isObject ? Object.entries(headers) : null;
  } catch (cause) {
    throw new MeldRepairError("INVALID_OPTIONS", "reading the RepairFlow headers threw", undefined, { cause });
  }
  if (entries === null) throw invalidOption("headers must be an object, a Headers or a Map of strings");
  for (const [name, value] of entries) {
    if (typeof name !== "string" || typeof value !== "string") throw invalidOption(`headers values must be strings; not so for ${describe(name)}`);
    // Refused here, not at the first start().
    if (name.length > MAX_TEXT || value.length > MAX_TEXT) throw invalidOption(`headers ${describe(name)} is longer than ${MAX_TEXT} characters`);
    // What fetch would refuse (a non-Latin-1 value, a space in a name, CR/LF) is refused here:
    // thrown inside the token request, it would never settle.
    try {
      new Headers([[name, value]]);
    } catch {
      throw invalidOption(`headers ${describe(name)} is not a header fetch accepts`);
    }
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
  // fetch refuses credentials in a URL; refused here so that no message ever prints them.
  if (absolute.username !== "" || absolute.password !== "") throw invalidOption("tokenUrl must not carry credentials");
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
  /** The driver (a RepairSession): a promise until its module is loaded, then `#loaded` too. */
  #driver;
  #loaded = null;
  /** The running session, as far as this face knows: { connectionId, promise }. */
  #session = null;
  #destroyed = false;
  #announcing = [];
  /** Aborts the follow-up of the last completed repair. */
  #following = null;
  /** The follow-up loop, from the flow's module. */
  #followConnection = null;

  constructor(options) {
    super();
    const checked = readOptions(options);
    this.#options = checked;
    const host = {
      state: (state) => this.#setState(state),
      widgetEvent: (event) => {
        this.#call(checked.onEvent, event);
        this.dispatchEvent(new CustomEvent("widgetevent", { detail: event }));
      },
      finished: () => {
        this.#session = null;
      },
    };
    const flow = loadFlow();
    const drive = ({ wasm, RepairSession, followConnection }) => {
      this.#followConnection = followConnection;
      return (this.#loaded = new RepairSession(wasm, checked, host));
    };
    if (flow instanceof Promise) {
      this.#driver = flow.then(drive);
      this.#driver.catch(() => {}); // reported by prefetch() and start(), not as an unhandled rejection
    } else {
      this.#driver = Promise.resolve(drive(flow)); // loaded already: bad options throw here and now
    }
  }

  /** "idle" | "fetching_token" | "open" | "completed" | "cancelled" | "failed" */
  get state() {
    return this.#state;
  }

  /**
   * Resolves once the flow's module is loaded (constructing the flow starts loading it), so the
   * widget opens without waiting for it; rejects with the reason when it cannot load.
   */
  get ready() {
    return this.#driver.then(() => undefined);
  }

  /** Whether a session is running: `start()` for its connection joins it. */
  get running() {
    return this.#session !== null;
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
    // Synchronously once loaded, as start() is: a prefetch from the focus a closing widget gives
    // back must still find the session's token, before the session forgets it.
    if (this.#loaded) return this.#loaded.prefetch(connection, decision.connectionId);
    return this.#driver.then((driver) => driver.prefetch(connection, decision.connectionId), () => false);
  }

  /**
   * Repairs `connection`: decides first (resolving `{ status: "not_needed" }` when the widget
   * is not the answer), gets the token from the app's backend, shows the widget, and resolves
   * exactly once with `completed`, `cancelled` or `failed`. A second call for the same
   * connection while a session runs returns the same promise. `options.theme` ("light" or
   * "dark") is the modal's scheme (else `prefers-color-scheme`); `options.progress` (`{ count,
   * total }`, Fix all's) makes its title say which one of how many.
   */
  start(connection, options) {
    let decision;
    let look;
    try {
      decision = decide(connection);
      look = readStartOptions(options);
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
        new MeldRepairError("SESSION_IN_PROGRESS", "another connection's repair is open; close() it or wait for its outcome"),
      );
    }
    if (!decision.openWidget) return Promise.resolve({ status: "not_needed", connectionId, decision });
    if (connectionId === null) {
      return Promise.reject(
        new MeldRepairError("INVALID_CONNECTION", "connection.id is required to repair it: the backend asks Meld for a token by this id"),
      );
    }
    let institutionName;
    try {
      const name = Object.hasOwn(connection, "institutionName") ? connection.institutionName : undefined;
      institutionName = typeof name === "string" ? name : undefined;
    } catch (cause) {
      return Promise.reject(new MeldRepairError("INVALID_CONNECTION", "reading connection.institutionName threw", undefined, { cause }));
    }
    // Inside the caller's click: once anything has awaited, the browser would block it.
    const reserved = this.#options.mode === "iframe" ? undefined : reserveWindow(this.#options.mode, this.#options.width, this.#options.height);
    const session = { connectionId, promise: null };
    this.#session = session;
    const running = this.#loaded
      ? this.#loaded.start(connection, decision, reserved, institutionName, look)
      : this.#driver.then(
        (driver) => driver.start(connection, decision, reserved, institutionName, look),
        (error) => {
          if (this.#session === session) this.#session = null;
          if (reserved && !reserved.closed) reserved.close();
          throw error;
        },
      );
    session.promise = running.then((outcome) => this.#followUp(outcome));
    return session.promise;
  }

  /**
   * After `completed`, with `statusUrl` or `fetchConnection`: follows the connection back to
   * health (js/follow.js), a `connectionupdate` event per fresh connection and `followend` at
   * the end; the outcome gains `followUp`, resolving with how it ended. After `window_lost` too:
   * the customer may have finished in the window the opener lost (COOP), and only the
   * connection can tell.
   */
  #followUp(outcome) {
    const follow = this.#options.follow;
    if (!follow || (outcome.status !== "completed" && outcome.reason !== "window_lost") || this.#destroyed) return outcome;
    this.#following?.abort();
    const controller = (this.#following = new AbortController());
    const onUpdate = (update) => this.dispatchEvent(new CustomEvent("connectionupdate", { detail: update }));
    const followUp = this.#followConnection(outcome.connectionId, follow, controller.signal, onUpdate, decide).then((result) => {
      if (this.#following === controller) this.#following = null;
      this.dispatchEvent(new CustomEvent("followend", { detail: result }));
      return result;
    });
    return { ...outcome, followUp };
  }

  /** Whether a repaired connection is being followed back to health. */
  get following() {
    return this.#following !== null;
  }

  /** Force-closes the running session (logout, route change): it resolves `cancelled`. */
  close() {
    this.#following?.abort();
    if (this.#session) this.#withDriver((driver) => driver.close());
  }

  /** Closes the session and forgets every cached token (call it on logout). */
  destroy() {
    this.#destroyed = true;
    this.#following?.abort();
    this.#withDriver((driver) => driver.destroy());
  }

  /** Now once the driver is loaded; else after it loads, in call order (behind a pending start). */
  #withDriver(act) {
    if (this.#loaded) act(this.#loaded);
    else this.#driver.then(act, () => {});
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    // A state entered from a callback (close() or start() there) is announced after the one
    // being announced, so every listener hears the states in order.
    this.#announcing.push(state);
    if (this.#announcing.length > 1) return;
    while (this.#announcing.length > 0) {
      const next = this.#announcing[0];
      this.#call(this.#options.onStateChange, next);
      this.dispatchEvent(new CustomEvent("statechange", { detail: next }));
      this.#announcing.shift();
    }
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
}
