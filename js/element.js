// <meld-connection-status>: one connection's status for the customer, as a web component
// (`import "meld-repair/element"`). It shows what `explain()` says (title, message, severity as
// text and icon), and when `decide()` says the widget is the answer, a button that runs a
// `RepairFlow`. Everything is rendered with textContent into a shadow root styled by one
// constructable stylesheet, so it works under `style-src 'self'` with no inline <style>.
//
// On a server, or anywhere without a DOM, importing this module defines nothing and reads no
// global but `HTMLElement` (not window, document, navigator nor customElements).
import { MeldRepairError } from "./errors.js";
import { CSS, statusView, TREE } from "./status-view.js";

export const TAG_NAME = "meld-connection-status";

const HAS_DOM = typeof HTMLElement === "function" && "customElements" in globalThis;

// In a page the wasm must be ready before the first element renders. The browser entry
// initialises it once: the same module, hence the same instance (and the app's defineCopy), as
// `import "meld-repair"`. On a server nothing is loaded.
const { decide, explain, explainCopy, explainOutcome, RepairFlow } = HAS_DOM ? await import("./index.js") : {};

let sheet = null;
function styleSheet() {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** Builds a TREE node and its children, filling `parts` with the keyed ones. */
function build([tag, attributes, key, children = []], parts) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (key) parts[key] = element;
  element.append(...children.map((child) => build(child, parts)));
  return element;
}

/** The keyed nodes of a server-rendered tree (renderConnectionStatus), or null when it is not TREE's shape. */
function adopt([tag, , key, children = []], element, parts) {
  if (element?.localName !== tag) return null;
  if (key) parts[key] = element;
  return children.every((child, index) => adopt(child, element.children[index], parts)) ? parts : null;
}

/** Attributes that configure the element's own RepairFlow. */
const FLOW_ATTRIBUTES = new Set(["token-url", "mode", "allow-insecure-loopback", "allowed-widget-origins", "lang", "locale", "status-url", "follow-interval", "follow-timeout"]);

// Outside a DOM the class still exists (for types and `instanceof`), on a stand-in base.
const Base = HAS_DOM ? HTMLElement : class {};

/**
 * `<meld-connection-status connection='{"id":…,"status":…}' token-url="/api/meld/repair">`.
 * Properties: `connection`, `flow`; read-only `decision`, `explanation`, `state`, `error`.
 * Methods: `start(options?)` (RepairFlow's start options, e.g. Fix all's `progress`),
 * `prefetch()`. Events (bubbling, composed): `meld-repair-outcome`, `meld-repair-state`, `meld-repair-event`, `meld-repair-error`, and `meld-repair-action`
 * (`{ action, connectionId, decision }`) when the customer asks for what only the app can do:
 * `new_connection` (link again), `contact_institution` (check again).
 * Attribute `theme`: `light`, `dark`, or (default) the `prefers-color-scheme`, for the card and
 * the modal it opens. With `status-url` (or the `fetchConnection` property) a completed repair,
 * or one whose window was lost, is followed back to health (`follow-interval`,
 * `follow-timeout`), each fresh connection fired as `connectionupdate`.
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
    // A declarative shadow root from the server (renderConnectionStatus) is kept as it is:
    // building it again would move the page.
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open", delegatesFocus: true });
    if ("adoptedStyleSheets" in root) {
      root.adoptedStyleSheets = [styleSheet()];
      root.querySelector("style")?.remove(); // the server's copy of the same sheet
    }
    this.#parts = adopt(TREE, root.lastElementChild, {});
    if (this.#parts === null) {
      root.replaceChildren(build(TREE, (this.#parts = {})));
      this.#parts.card.hidden = true;
    }
    const { button, title } = this.#parts;
    // Focus moved to the title after a repair (#render) leaves it again once it goes elsewhere.
    title.addEventListener("blur", () => title.removeAttribute("tabindex"));

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
   * attributes), its modal in the element's `theme`; `options` are RepairFlow's start options
   * (`progress`). Resolves with the outcome (also fired as `meld-repair-outcome`); rejects when
   * it cannot start (also fired as `meld-repair-error`).
   */
  start(options) {
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
      const theme = this.getAttribute("theme");
      promise = flow.start(connection, { theme: theme === "light" || theme === "dark" ? theme : undefined, ...options });
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
    // A lost window may have finished the repair (COOP cut the link): the connection tells.
    const lost = sameId && this.#outcome?.code === "repair_window_lost";
    const repaired = sameId && (this.#state === "completed" || lost);
    // Back to health after a repair: said once in the live region (and kept when set again).
    this.#healed = sameId && settled && (repaired || this.#healed);
    // Meld keeps the old status until aggregation ends (reference §4.2): until the bound passes,
    // the repaired connection read again stays "updating" unless it is settled.
    const updating = repaired && decision && !settled && this.#outcome?.code === "repair_completed";
    // A new connection (a webhook said more) starts over, unless a repair is running.
    if (!this.#running() && this.#state !== "idle" && !updating) {
      this.#state = "idle";
      // The app's new connection ends the pending success; a cancel's or a lost window's note stays for the same one.
      if (!sameId || !/^repair_(cancelled|window_lost)$/.test(this.#outcome?.code)) this.#outcome = null;
    }
    // ... the lost window's until the connection comes back settled.
    if (lost && settled) this.#outcome = null;
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
    const parts = this.#parts;
    let explanation = this.#explanation;
    if (explanation === null && this.#error === null) {
      parts.card.hidden = true;
      return;
    }
    // A connection that cannot be read says so in customer words; `error` has the details.
    if (explanation === null) explanation = explainCopy("connection_unavailable", { locale: this.#locale() });
    const hadFocus = this.matches(":focus-within");
    const view = statusView({
      explanation, state: this.#state, outcome: this.#outcome, running: this.#running(), healed: this.#healed,
      lang: this.getAttribute("lang"), copy: (code) => this.#copy(code),
    });
    for (const [key, { text, strong, ...attributes }] of Object.entries(view)) {
      const part = parts[key];
      for (const [name, value] of Object.entries(attributes)) {
        if (value === null) part.removeAttribute(name);
        else if (part.getAttribute(name) !== value) part.setAttribute(name, value);
      }
      // Unchanged words are left alone: the live region announces only changes, and a
      // server-rendered tree is not touched at all.
      if (strong === undefined) {
        if (text !== undefined && part.textContent !== text) part.textContent = text;
      } else if (strong === null) {
        part.replaceChildren();
      } else {
        const title = document.createElement("strong");
        title.textContent = strong;
        part.replaceChildren(title, text);
      }
    }
    // The button a keyboard user pressed is gone after a completed repair: focus goes to the
    // news ("Reconnected") instead of falling to the page's body.
    if (hadFocus && parts.button.hidden && this.#state === "completed") {
      parts.title.tabIndex = -1;
      parts.title.focus();
    }
  }

  #dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (HAS_DOM && !globalThis.customElements.get(TAG_NAME)) {
  globalThis.customElements.define(TAG_NAME, MeldConnectionStatus);
}
