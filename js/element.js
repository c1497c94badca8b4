// <meld-connection-status>: one connection's status for the customer, as a web component
// (`import "meld-repair/element"`). It shows what `explain()` says (title, message, severity as
// text and icon), and when `decide()` says the widget is the answer, a button that runs a
// `RepairFlow`. Everything is rendered with textContent into a shadow root styled by one
// constructable stylesheet, so it works under `style-src 'self'` with no inline <style>.
//
// On a server, or anywhere without a DOM, importing this module defines nothing and reads no
// global but `HTMLElement` (not window, document, navigator nor customElements).
import { MeldRepairError } from "./errors.js";

export const TAG_NAME = "meld-connection-status";

const HAS_DOM = typeof HTMLElement === "function" && "customElements" in globalThis;

// In a page the wasm must be ready before the first element renders. The browser entry
// initialises it once: the same module, hence the same instance (and the app's defineCopy), as
// `import "meld-repair"`. On a server nothing is loaded.
const { decide, explain, RepairFlow } = HAS_DOM ? await import("./index.js") : {};

/** Wording of the element itself; the connection's own text comes from explain(). */
const UI = {
  en: {
    severity: { error: "Error", warning: "Warning", info: "Info", success: "OK" },
    fetching_token: "Opening…",
    open: "Connection window open",
    completed: "Reconnected",
    cancelled: "Cancelled",
    failed: (message) => `Could not reconnect: ${message}`,
    not_needed: "Nothing to reconnect",
    invalidTitle: "Connection status unavailable",
  },
  es: {
    severity: { error: "Error", warning: "Aviso", info: "Información", success: "Correcto" },
    fetching_token: "Abriendo…",
    open: "Ventana de conexión abierta",
    completed: "Reconectado",
    cancelled: "Cancelado",
    failed: (message) => `No se pudo reconectar: ${message}`,
    not_needed: "No hay nada que reconectar",
    invalidTitle: "Estado de la conexión no disponible",
  },
};
const ICONS = { error: "✕", warning: "!", info: "i", success: "✓" };

function ui(locale) {
  const language = String(locale || "en").toLowerCase().split(/[-_]/)[0];
  return UI[language] ?? UI.en;
}

const CSS = `
:host { display: block; font: var(--meld-repair-font, inherit); color: inherit; }
:host([hidden]) { display: none; }
.card {
  --_tone: var(--meld-repair-accent, #1d4ed8);
  box-sizing: border-box; display: grid; gap: 6px; padding: 12px 14px;
  border: 1px solid rgb(128 128 128 / 0.35); border-inline-start: 4px solid var(--_tone);
  border-radius: var(--meld-repair-radius, 10px);
}
.card[hidden] { display: none; }
.card[data-severity="error"] { --_tone: var(--meld-repair-error, #b42318); }
.card[data-severity="warning"] { --_tone: var(--meld-repair-warning, #a15c07); }
.card[data-severity="success"] { --_tone: var(--meld-repair-success, #067647); }
.head { display: grid; justify-items: start; gap: 4px; }
.badge {
  display: inline-flex; align-items: center; gap: 5px; padding: 0 8px; line-height: 1.6;
  font-size: 0.8em; font-weight: 600; color: var(--_tone);
  border: 1px solid currentColor; border-radius: 999px;
}
.icon { font-weight: 700; }
.title { margin: 0; font-weight: 600; font-size: 1.05em; overflow-wrap: anywhere; }
.message { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.actions:has(button[hidden]):has(.status:empty) { display: none; }
button {
  font: inherit; font-weight: 600; color: #fff; background: var(--meld-repair-accent, #1d4ed8);
  border: 0; border-radius: var(--meld-repair-radius, 10px); padding: 8px 16px; cursor: pointer;
}
button[hidden] { display: none; }
button:hover { filter: brightness(1.1); }
button:focus-visible { outline: 3px solid var(--meld-repair-accent, #1d4ed8); outline-offset: 2px; }
button[aria-disabled="true"] { opacity: 0.65; cursor: progress; filter: none; }
.status { margin: 0; font-size: 0.9em; }
.card[data-state="failed"] .status { color: var(--meld-repair-error, #b42318); }
.card[data-state="completed"] .status { color: var(--meld-repair-success, #067647); }
@media (forced-colors: active) {
  .card { border-inline-start-color: CanvasText; }
  button { border: 1px solid ButtonText; }
  button:focus-visible { outline-color: Highlight; }
}
`;

let sheet = null;
function styleSheet() {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

function node(tag, attributes) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

/** Attributes that configure the element's own RepairFlow. */
const FLOW_ATTRIBUTES = new Set(["token-url", "mode", "allow-insecure-loopback", "allowed-widget-origins", "lang", "locale"]);

// Outside a DOM the class still exists (for types and `instanceof`), on a stand-in base.
const Base = HAS_DOM ? HTMLElement : class {};

/**
 * `<meld-connection-status connection='{"id":…,"status":…}' token-url="/api/meld/repair">`.
 * Properties: `connection`, `flow`; read-only `decision`, `explanation`, `state`, `error`.
 * Methods: `start()`, `prefetch()`. Events (bubbling, composed): `meld-repair-outcome`,
 * `meld-repair-state`, `meld-repair-event`, `meld-repair-error`.
 */
export class MeldConnectionStatus extends Base {
  static observedAttributes = ["connection", "token-url", "mode", "allow-insecure-loopback", "allowed-widget-origins", "lang", "locale"];

  #parts;
  #connection = null;
  /** The connection attribute's JSON error, kept while that text stays. */
  #parseError = null;
  /** A MeldRepairError when the connection cannot be read (bad JSON, no status, …). */
  #error = null;
  #errorReported = true;
  #decision = null;
  #explanation = null;
  #state = "idle";
  #injectedFlow = null;
  /** The injected flow whose events the element follows (only while connected: no leak). */
  #watched = null;
  #ownFlow = null;
  #ownFlowStale = false;
  /** The running start() promise (double clicks get the same one). */
  #pending = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open", delegatesFocus: true });
    if ("adoptedStyleSheets" in root) root.adoptedStyleSheets = [styleSheet()];
    const card = node("div", { part: "card", class: "card", hidden: "" });
    const head = node("div", { class: "head" });
    const badge = node("span", { part: "badge", class: "badge" });
    const icon = node("span", { class: "icon", "aria-hidden": "true" });
    const severity = node("span", { class: "severity" });
    const title = node("p", { part: "title", class: "title" });
    const message = node("p", { part: "message", class: "message" });
    const actions = node("div", { class: "actions" });
    const button = node("button", { part: "button", type: "button", hidden: "" });
    const status = node("p", { part: "status", class: "status", role: "status", "aria-live": "polite" });
    badge.append(icon, severity);
    head.append(badge, title);
    actions.append(button, status);
    card.append(head, message, actions);
    root.append(card);
    this.#parts = { card, icon, severity, title, message, button, status };

    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      this.start().catch(() => {}); // reported through events and the status line
    });
    // Token ahead of the click: the widget then opens at once.
    const warm = () => void this.prefetch();
    button.addEventListener("pointerenter", warm);
    button.addEventListener("focus", warm);
  }

  // ---- Properties ------------------------------------------------------------------------

  /** Meld's connection object, or null. Setting it re-renders (the attribute is left alone). */
  get connection() {
    return this.#connection;
  }

  set connection(value) {
    this.#setConnection(value ?? null, null);
  }

  /** An app-owned RepairFlow to use instead of one built from the attributes; null for that. */
  get flow() {
    return this.#injectedFlow;
  }

  set flow(value) {
    if (value !== null && value !== undefined && !(RepairFlow && value instanceof RepairFlow)) {
      throw new MeldRepairError("INVALID_OPTIONS", "flow must be a RepairFlow (or null to build one from the attributes)");
    }
    this.#injectedFlow = value ?? null;
    this.#listenTo(this.isConnected ? this.#injectedFlow : null);
    this.#dropOwnFlow(false);
  }

  /** Follows an injected flow's state and widget events while the element is in the page. */
  #listenTo(flow) {
    if (this.#watched === flow) return;
    this.#watched?.removeEventListener("statechange", this.#onFlowState);
    this.#watched?.removeEventListener("widgetevent", this.#onFlowEvent);
    this.#watched = flow;
    flow?.addEventListener("statechange", this.#onFlowState);
    flow?.addEventListener("widgetevent", this.#onFlowEvent);
  }

  #onFlowState = (event) => this.#setState(event.detail);
  #onFlowEvent = (event) => this.#dispatch("meld-repair-event", event.detail);

  /** What decide() says about the connection; null without one. */
  get decision() {
    return this.#decision;
  }

  /** What explain() says, in the element's locale; null without a connection. */
  get explanation() {
    return this.#explanation;
  }

  /** The repair's state as this element saw it: "idle" until start(), then RepairFlow's states. */
  get state() {
    return this.#state;
  }

  /** Why the connection cannot be shown (a MeldRepairError), or null. */
  get error() {
    return this.#error;
  }

  // ---- Lifecycle ---------------------------------------------------------------------------

  connectedCallback() {
    // Properties set before the element was defined shadow the accessors: replay them.
    for (const name of ["connection", "flow"]) {
      if (Object.hasOwn(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.#listenTo(this.#injectedFlow);
    this.#render();
    this.#reportError();
  }

  disconnectedCallback() {
    // Moving an element is a disconnect and a connect in one task: only a real removal ends
    // its own flow (a running session resolves "cancelled", reason "app_closed").
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#listenTo(null);
      this.#dropOwnFlow(true);
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    try {
      if (name === "connection") {
        this.#setConnection(newValue === null ? null : undefined, newValue);
        return;
      }
      if (FLOW_ATTRIBUTES.has(name)) this.#dropOwnFlow(false);
      if (name === "lang" || name === "locale") {
        this.#compute();
        this.#render();
      }
    } catch (error) {
      // Never let a bad attribute throw into the parser or the app's setAttribute.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  // ---- Repair ------------------------------------------------------------------------------

  /**
   * Runs the repair of the connection through the flow (the injected one, or one built from the
   * attributes). Resolves with the outcome (also fired as `meld-repair-outcome`); rejects when
   * it cannot start (also fired as `meld-repair-error`).
   */
  start() {
    const connection = this.#connection;
    if (connection === null || this.#error !== null) {
      const error = this.#error ?? new MeldRepairError("INVALID_CONNECTION", "no connection to repair: set the connection property or attribute");
      return Promise.reject(error);
    }
    if (!this.#decision.openWidget) {
      // What RepairFlow would answer, without needing one.
      const outcome = { status: "not_needed", connectionId: this.#decision.connectionId, decision: this.#decision };
      this.#finish(outcome);
      return Promise.resolve(outcome);
    }
    let flow;
    let promise;
    try {
      flow = this.#activeFlow();
      promise = flow.start(connection);
    } catch (error) {
      this.#failToStart(error);
      return Promise.reject(error);
    }
    if (promise === this.#pending) return promise; // the same session: one outcome
    this.#pending = promise;
    promise.then(
      (outcome) => {
        if (this.#pending === promise) this.#pending = null;
        this.#finish(outcome);
      },
      (error) => {
        if (this.#pending === promise) this.#pending = null;
        this.#failToStart(error);
      },
    );
    return promise;
  }

  /** Fetches the token ahead of the click (hover, focus). Never rejects. */
  prefetch() {
    if (this.#connection === null || this.#error !== null || !this.#decision?.openWidget) return Promise.resolve(false);
    try {
      return this.#activeFlow().prefetch(this.#connection);
    } catch {
      return Promise.resolve(false); // start() reports the problem
    }
  }

  #activeFlow() {
    if (this.#injectedFlow) return this.#injectedFlow;
    if (this.#ownFlow && this.#ownFlowStale && !this.#ownFlow.running) this.#dropOwnFlow(true);
    if (!this.#ownFlow) {
      const flow = new RepairFlow({
        ...this.#flowOptions(),
        onStateChange: (state) => {
          if (this.#ownFlow === flow) this.#setState(state);
        },
        onEvent: (event) => this.#dispatch("meld-repair-event", event),
      });
      this.#ownFlow = flow;
      this.#ownFlowStale = false;
    }
    return this.#ownFlow;
  }

  /** Whether the flow this element follows has a session running (the flow knows, not the element). */
  #running() {
    return (this.#injectedFlow ?? this.#ownFlow)?.running === true;
  }

  #flowOptions() {
    const tokenUrl = this.getAttribute("token-url");
    if (tokenUrl === null || tokenUrl.trim() === "") {
      throw new MeldRepairError(
        "INVALID_OPTIONS",
        `<${TAG_NAME}> needs a token-url attribute (your backend's repair route) or a flow property`,
      );
    }
    const options = {
      tokenUrl,
      allowInsecureLoopback: this.hasAttribute("allow-insecure-loopback"),
      locale: this.#locale(),
    };
    const mode = this.getAttribute("mode");
    if (mode !== null && mode.trim() !== "") options.mode = mode.trim();
    const origins = this.getAttribute("allowed-widget-origins")?.trim();
    if (origins) options.allowedWidgetOrigins = origins.split(/\s+/);
    return options;
  }

  /** Forgets the element's own flow: now (destroying it) or once its session ends. */
  #dropOwnFlow(now) {
    if (!this.#ownFlow) return;
    if (now || !this.#ownFlow.running) {
      this.#ownFlow.destroy();
      this.#ownFlow = null;
    } else {
      this.#ownFlowStale = true;
    }
  }

  #finish(outcome) {
    this.#setState(outcome.status === "not_needed" ? "idle" : outcome.status, outcome);
    this.#dispatch("meld-repair-outcome", outcome);
    if (this.#ownFlowStale) this.#dropOwnFlow(true);
  }

  #failToStart(error) {
    const text = ui(this.#explanation?.locale ?? this.#locale());
    this.#announce(text.failed(error?.message ?? String(error)));
    this.#dispatch("meld-repair-error", error);
  }

  #setState(state, outcome = null) {
    if (state === this.#state && outcome === null) return;
    const changed = state !== this.#state;
    this.#state = state;
    const text = ui(this.#explanation?.locale ?? this.#locale());
    if (outcome?.status === "not_needed") this.#announce(text.not_needed);
    else if (state === "failed" && outcome) this.#announce(text.failed(outcome.error?.message ?? ""));
    else if (state !== "idle" && state !== "failed") this.#announce(text[state]);
    this.#render();
    if (changed) this.#dispatch("meld-repair-state", { state, connectionId: this.#decision?.connectionId ?? null });
  }

  // ---- Connection and rendering --------------------------------------------------------------

  /** `value` is the object (property), or undefined with `json` the attribute's text. */
  #setConnection(value, json) {
    let connection = value;
    let error = null;
    if (value === undefined) {
      try {
        connection = JSON.parse(json);
      } catch (parseError) {
        connection = null;
        error = new MeldRepairError("INVALID_CONNECTION", `the connection attribute is not valid JSON (${parseError.message})`);
      }
    }
    const previousId = this.#decision?.connectionId ?? null;
    this.#connection = error ? null : connection;
    this.#parseError = error;
    this.#compute();
    this.#errorReported = this.#error === null;
    // A new connection (a webhook said more) starts over, unless a repair is running.
    if (!this.#running() && this.#state !== "idle") {
      const sameId = previousId !== null && previousId === (this.#decision?.connectionId ?? null);
      this.#state = "idle";
      if (!sameId) this.#parts.status.textContent = "";
    }
    this.#render();
    this.#reportError();
  }

  #compute() {
    this.#decision = null;
    this.#explanation = null;
    this.#error = this.#parseError;
    if (this.#error !== null || this.#connection === null) return;
    try {
      this.#decision = decide(this.#connection);
      this.#explanation = explain(this.#connection, { locale: this.#locale() });
    } catch (error) {
      this.#decision = null;
      this.#explanation = null;
      this.#error = error instanceof MeldRepairError ? error : new MeldRepairError("INVALID_CONNECTION", String(error?.message ?? error));
    }
  }

  #reportError() {
    if (this.#errorReported || this.#error === null || !this.isConnected) return;
    this.#errorReported = true;
    this.#dispatch("meld-repair-error", this.#error);
  }

  /** The locale attribute, else the element's lang, else the nearest lang above it, else "en". */
  #locale() {
    const own = this.getAttribute("locale") || this.getAttribute("lang");
    if (own) return own;
    return this.parentElement?.closest("[lang]")?.getAttribute("lang") || "en";
  }

  #render() {
    const { card, icon, severity, title, message, button } = this.#parts;
    const explanation = this.#explanation;
    const error = this.#error;
    if (explanation === null && error === null) {
      card.hidden = true;
      return;
    }
    card.hidden = false;
    card.dataset.state = this.#state;
    const text = ui(explanation?.locale ?? this.#locale());
    const level = explanation ? explanation.severity : "error";
    card.dataset.severity = level;
    if (explanation && this.getAttribute("lang") !== explanation.locale) card.setAttribute("lang", explanation.locale);
    else card.removeAttribute("lang");
    icon.textContent = ICONS[level] ?? ICONS.info;
    severity.textContent = text.severity[level] ?? level;
    title.textContent = explanation ? explanation.title : text.invalidTitle;
    message.textContent = explanation ? explanation.message : error.message;

    const offer = explanation !== null && this.#decision.openWidget && this.#state !== "completed";
    button.hidden = !offer;
    button.textContent = offer ? explanation.actionLabel ?? "" : "";
    if (this.#running()) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }

  #announce(text) {
    // The same words again would be announced again: only changes are.
    if (this.#parts.status.textContent !== text) this.#parts.status.textContent = text;
  }

  #dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (HAS_DOM && !globalThis.customElements.get(TAG_NAME)) {
  globalThis.customElements.define(TAG_NAME, MeldConnectionStatus);
}
