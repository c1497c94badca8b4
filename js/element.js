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
const { decide, explain, explainCopy, explainOutcome, RepairFlow } = HAS_DOM ? await import("./index.js") : {};

const ICONS = { error: "✕", warning: "!", info: "i", success: "✓" };

// Tones per scheme, each ≥ 4.5:1 against its surface (tests/e2e/a11y.test.mjs measures them);
// the app's custom properties win over both.
const LIGHT = "--_surface:#fff;--_text:#101828;--_error:#b42318;--_warning:#93510a;--_info:#1d4ed8;--_success:#067647;--_accent:#1d4ed8;--_on-accent:#fff;";
const DARK = "--_surface:#161b26;--_text:#f5f7fa;--_error:#ff8e85;--_warning:#fdb022;--_info:#8fb4ff;--_success:#4fd18b;--_accent:#8fb4ff;--_on-accent:#0b1220;";

const CSS = `
:host { display: block; font: var(--meld-repair-font, inherit); ${LIGHT} }
@media (prefers-color-scheme: dark) { :host(:not([theme="light"])) { ${DARK} } }
:host([theme="dark"]) { ${DARK} }
:host([hidden]) { display: none; }
.card {
  --_tone: var(--meld-repair-accent, var(--_info));
  box-sizing: border-box; display: grid; gap: 6px; padding: 12px 14px;
  color: var(--meld-repair-text, var(--_text)); background: var(--meld-repair-surface, var(--_surface));
  border: 1px solid rgb(128 128 128 / 0.35); border-inline-start: 4px solid var(--_tone);
  border-radius: var(--meld-repair-radius, 10px);
}
.card[hidden], [hidden] { display: none; }
.card[data-severity="error"] { --_tone: var(--meld-repair-error, var(--_error)); }
.card[data-severity="warning"] { --_tone: var(--meld-repair-warning, var(--_warning)); }
.card[data-severity="success"] { --_tone: var(--meld-repair-success, var(--_success)); }
.head { display: grid; justify-items: start; gap: 4px; }
.badge {
  display: inline-flex; align-items: center; gap: 5px; padding: 0 8px; line-height: 1.6;
  font-size: 0.8em; font-weight: 600; color: var(--_tone);
  border: 1px solid currentColor; border-radius: 999px;
}
.icon { font-weight: 700; }
.title { margin: 0; font-weight: 600; font-size: 1.05em; overflow-wrap: anywhere; }
.message { margin: 0; overflow-wrap: anywhere; }
.alert {
  margin: 2px 0 0; padding: 8px 10px; border-radius: 6px; overflow-wrap: anywhere;
  border: 1px solid var(--meld-repair-error, var(--_error)); border-inline-start-width: 4px;
}
.alert strong { display: block; color: var(--meld-repair-error, var(--_error)); }
.actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; }
.actions:has(button[hidden]):has(.status:empty) { display: none; }
button {
  display: inline-flex; align-items: center; gap: 8px;
  font: inherit; font-weight: 600; color: var(--meld-repair-on-accent, var(--_on-accent)); background: var(--meld-repair-accent, var(--_accent));
  border: 0; border-radius: var(--meld-repair-radius, 10px); padding: 8px 16px; cursor: pointer;
}
button:hover { filter: brightness(1.1); }
button:focus-visible { outline: 3px solid var(--meld-repair-accent, var(--_accent)); outline-offset: 2px; }
/* Busy keeps its colours (a faded button fails contrast): a spinner and "Opening…" say it. */
button[aria-disabled="true"] { cursor: progress; filter: none; }
button[aria-busy="true"]::before {
  content: ""; inline-size: 0.9em; block-size: 0.9em; border-radius: 50%;
  border: 2px solid currentColor; border-inline-end-color: transparent; animation: spin 0.8s linear infinite;
}
@keyframes spin { to { transform: rotate(1turn); } }
@media (prefers-reduced-motion: reduce) { button[aria-busy="true"]::before { animation: none; } }
.status { margin: 0; font-size: 0.9em; }
.status.quiet { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
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
const FLOW_ATTRIBUTES = new Set(["token-url", "mode", "allow-insecure-loopback", "allowed-widget-origins", "lang", "locale", "status-url", "follow-interval", "follow-timeout"]);

// Outside a DOM the class still exists (for types and `instanceof`), on a stand-in base.
const Base = HAS_DOM ? HTMLElement : class {};

/**
 * `<meld-connection-status connection='{"id":…,"status":…}' token-url="/api/meld/repair">`.
 * Properties: `connection`, `flow`; read-only `decision`, `explanation`, `state`, `error`.
 * Methods: `start()`, `prefetch()`. Events (bubbling, composed): `meld-repair-outcome`,
 * `meld-repair-state`, `meld-repair-event`, `meld-repair-error`, and `meld-repair-action`
 * (`{ action, connectionId, decision }`) when the customer asks for what only the app can do:
 * `new_connection` (link again), `contact_institution` (check again).
 * Attribute `theme`: `light`, `dark`, or (default) the `prefers-color-scheme`. With `status-url`
 * (or the `fetchConnection` property) a completed repair is followed back to health
 * (`follow-interval`, `follow-timeout`), each fresh connection fired as `connectionupdate`.
 */
export class MeldConnectionStatus extends Base {
  static observedAttributes = ["connection", ...FLOW_ATTRIBUTES];

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
  /** What the customer reads about the last outcome (explainOutcome), shown by state. */
  #outcome = null;

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
    // Where the customer clicked: why the repair failed, in their words (role="alert").
    const alert = node("div", { part: "alert", class: "alert", role: "alert", hidden: "" });
    const actions = node("div", { class: "actions" });
    const button = node("button", { part: "button", type: "button", hidden: "" });
    const status = node("p", { part: "status", class: "status", role: "status", "aria-live": "polite" });
    badge.append(icon, severity);
    head.append(badge, title);
    actions.append(button, status);
    card.append(head, message, alert, actions);
    root.append(card);
    this.#parts = { card, icon, severity, title, message, alert, button, status };

    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      const decision = this.#decision;
      if (decision && !decision.openWidget) {
        // Something only the app can do (a new link, a refresh): it answers the event.
        this.#dispatch("meld-repair-action", { action: decision.action, connectionId: decision.connectionId, decision });
        return;
      }
      this.start().catch(() => {}); // reported through events and the alert
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
    this.#follow(this.#watched, "removeEventListener");
    this.#watched = flow;
    flow?.addEventListener("statechange", this.#onFlowState);
    flow?.addEventListener("widgetevent", this.#onFlowEvent);
    this.#follow(flow, "addEventListener");
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
      this.#follow(flow, "addEventListener");
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
    const statusUrl = this.getAttribute("status-url");
    if (statusUrl) options.statusUrl = statusUrl;
    else if (this.#fetchConnection) options.fetchConnection = this.#fetchConnection;
    if (statusUrl || this.#fetchConnection) {
      options.follow = {};
      for (const [name, key] of [["follow-interval", "intervalMs"], ["follow-timeout", "timeoutMs"]]) {
        if (this.hasAttribute(name)) options.follow[key] = Number(this.getAttribute(name));
      }
    }
    return options;
  }

  // ---- Following a repair back to health ---------------------------------------------------

  #fetchConnection = null;
  #healed = false;

  /** How the element's own flow reads the connection again after a repair (or `status-url`). */
  get fetchConnection() {
    return this.#fetchConnection;
  }

  set fetchConnection(value) {
    if (value != null && typeof value !== "function") throw new MeldRepairError("INVALID_OPTIONS", "fetchConnection must be a function (or null)");
    this.#fetchConnection = value ?? null;
    this.#dropOwnFlow(false);
  }

  #follow(flow, method) {
    flow?.[method]("connectionupdate", this.#onUpdate);
    flow?.[method]("followend", this.#onFollowEnd);
  }

  /** A fresh connection from the follow-up: shown as if the app had set it, and passed on. */
  #onUpdate = (event) => {
    if (event.detail.connection?.id !== this.#decision?.connectionId) return;
    this.connection = event.detail.connection;
    this.#dispatch("connectionupdate", event.detail);
  };

  /** The bound passed with the repair still pending: a neutral "still updating". */
  #onFollowEnd = (event) => {
    if (event.detail.status !== "timed_out" || this.#outcome?.code !== "repair_completed") return;
    this.#outcome = this.#say("repair_still_updating", explainCopy);
    this.#render();
  };

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
    this.#outcome = this.#say({ status: "failed", error });
    this.#state = "failed";
    this.#render();
    this.#dispatch("meld-repair-error", error);
  }

  /** The customer's words for an outcome; a developer message never reaches the card. */
  #say(outcome, words = explainOutcome) {
    const name = this.#connection?.institutionName;
    return words(outcome, { locale: this.#locale(), institutionName: typeof name === "string" ? name : null });
  }

  #copy(code) {
    return explainCopy(code, { locale: this.#locale() }).title;
  }

  #setState(state, outcome = null) {
    if (state === this.#state && outcome === null) return;
    const changed = state !== this.#state;
    this.#state = state;
    this.#healed = false;
    if (outcome !== null) this.#outcome = this.#say(outcome);
    else if (state === "fetching_token") this.#outcome = null;
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
    const sameId = previousId !== null && previousId === (this.#decision?.connectionId ?? null);
    const decision = this.#decision;
    const settled = decision && !decision.openWidget && decision.action !== "wait";
    const repaired = sameId && this.#state === "completed";
    // Back to health after a repair: said once in the live region (and kept when set again).
    this.#healed = sameId && settled && (repaired || this.#healed);
    // Meld keeps the old status until aggregation ends (reference §4.2): until the bound passes,
    // the repaired connection read again stays "updating" unless it is settled.
    const updating = repaired && decision && !settled && this.#outcome?.code === "repair_completed";
    // A new connection (a webhook said more) starts over, unless a repair is running.
    if (!this.#running() && this.#state !== "idle" && !updating) {
      this.#state = "idle";
      // The app's new connection ends the pending success; a cancel's note stays for the same one.
      if (!sameId || this.#outcome?.code !== "repair_cancelled") this.#outcome = null;
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
    const { card, icon, severity, title, message, alert, button, status } = this.#parts;
    let explanation = this.#explanation;
    const error = this.#error;
    if (explanation === null && error === null) {
      card.hidden = true;
      return;
    }
    const state = this.#state;
    const outcome = this.#outcome;
    // A connection that cannot be read says so in customer words; `error` has the details.
    if (explanation === null) explanation = explainCopy("connection_unavailable", { locale: this.#locale() });
    // After a completed repair the stale connection is not shown: success until the app hands over the new one.
    const shown = state === "completed" && outcome ? outcome : explanation;
    card.hidden = false;
    card.dataset.state = state;
    card.dataset.severity = shown.severity;
    if (this.getAttribute("lang") !== shown.locale) card.setAttribute("lang", shown.locale);
    else card.removeAttribute("lang");
    icon.textContent = ICONS[shown.severity] ?? ICONS.info;
    severity.textContent = this.#copy(`severity_${shown.severity}`);
    title.textContent = shown.title;
    message.textContent = shown.message;

    const failed = state === "failed" && outcome !== null;
    alert.hidden = !failed;
    if (failed) {
      const strong = document.createElement("strong");
      strong.textContent = outcome.title;
      alert.replaceChildren(strong, outcome.message);
    } else {
      alert.replaceChildren();
    }

    const busy = state === "fetching_token";
    const running = this.#running() || busy || state === "open";
    const label = failed ? outcome.actionLabel : shown.actionLabel;
    button.hidden = label === null && !running;
    button.textContent = busy ? this.#copy("busy") : button.hidden ? "" : label ?? explanation.actionLabel ?? "";
    if (running) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
    if (busy) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");

    // The live region: what changed, once. Busy and success are read out but already shown.
    const note =
      busy ? this.#copy("busy")
      : state === "open" ? this.#copy("window_open")
      : state === "completed" && outcome ? `${outcome.title}. ${outcome.message}`
      : this.#healed ? explanation.title
      : outcome && !failed ? outcome.title
      : "";
    status.classList.toggle("quiet", busy || state === "completed" || this.#healed);
    this.#announce(note);
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
