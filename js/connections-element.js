// <meld-connections>: a customer's whole list of banks (`import "meld-repair/connections"`). One
// summary from triage() in a live region, a list under a heading with one
// <meld-connection-status> per item (Meld's inactive duplicates folded in), and "Fix all",
// which repairs the items that need the widget one after another, one session at a time: a
// cancel (or a failure) stops the chain. With `status-url` each repaired
// connection is followed back to health and the list re-triaged as it comes back.
// Like the element, it defines nothing outside a DOM.
import { MeldRepairError } from "./errors.js";

export const TAG_NAME = "meld-connections";

const HAS_DOM = typeof HTMLElement === "function" && "customElements" in globalThis;
const { triage, explainCopy, RepairFlow } = HAS_DOM ? await import("./index.js") : {};
if (HAS_DOM) await import("./element.js");

/**
 * The element's own words; the summary and each connection's (a repair's "Reconnected", "Still
 * updating" included) come from src/explain.
 */
const UI = {
  en: { heading: "Your banks", duplicates: "Linked twice: the extra copy stays in sync and needs nothing." },
  es: { heading: "Tus bancos", duplicates: "Vinculado dos veces: la copia extra se mantiene al día y no necesita nada." },
};
const ui = (locale) => UI[String(locale || "en").toLowerCase().split(/[-_]/)[0]] ?? UI.en;

/** Attributes handed to each <meld-connection-status> and to the shared RepairFlow. */
const PASSED = ["token-url", "mode", "allow-insecure-loopback", "allowed-widget-origins", "lang", "locale", "theme"];

const CSS = `
:host { display: block; font: var(--meld-repair-font, inherit); color: inherit; }
:host([hidden]) { display: none; }
.heading { margin: 0 0 8px; font-size: 1.2em; }
.summary { display: grid; gap: 4px; margin-block-end: 12px; }
.summary p { margin: 0; overflow-wrap: anywhere; }
.title { font-weight: 600; }
ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.duplicates { margin: 4px 0 0; padding-inline-start: 18px; font-size: 0.9em; }
/* The cards' accent in each scheme (js/element.js), so Fix all matches their Reconnect. */
section { --_accent: #1d4ed8; --_on-accent: #fff; }
@media (prefers-color-scheme: dark) { :host(:not([theme="light"])) section { --_accent: #8fb4ff; --_on-accent: #0b1220; } }
:host([theme="dark"]) section { --_accent: #8fb4ff; --_on-accent: #0b1220; }
button {
  justify-self: start; margin-block-end: 12px; font: inherit; font-weight: 600;
  color: var(--meld-repair-on-accent, var(--_on-accent)); background: var(--meld-repair-accent, var(--_accent));
  border: 0; border-radius: var(--meld-repair-radius, 10px); padding: 8px 16px; cursor: pointer;
}
button[hidden] { display: none; }
button:focus-visible { outline: 3px solid var(--meld-repair-accent, var(--_accent)); outline-offset: 2px; }
/* Running keeps its colours (a faded button fails contrast); the cards say what is happening. */
button[aria-disabled="true"] { cursor: progress; }
@media (forced-colors: active) { button { border: 1px solid ButtonText; } }
`;

let sheet = null;
const styleSheet = () => {
  if (sheet === null) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
};

function node(tag, attributes = {}) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

const Base = HAS_DOM ? HTMLElement : class {};
let headingIds = 0;

/**
 * `<meld-connections connections='[…]' token-url="/api/meld/repair-token" status-url="/api/meld/connection">`.
 * Properties: `connections` (the array), read-only `triage` (what triage() said), `fixing`.
 * Methods: `fixAll()`. Events (bubbling, composed): `meld-connections-update` (detail: the
 * triage) and those of each <meld-connection-status>.
 */
export class MeldConnections extends Base {
  static observedAttributes = ["connections", "status-url", "follow-interval", "follow-timeout", "heading", ...PASSED];

  #parts;
  #connections = [];
  #triage = null;
  #error = null;
  /** The connections attribute's JSON error, kept while that text stays. */
  #parseError = null;
  /** connection id → its <li>, reused across renders so each card keeps its state. */
  #rows = new Map();
  /** Ids repaired and not yet seen healthy: the summary counts them as updating. */
  #updating = new Set();
  /** connection id → the card's RepairFlow. */
  #flows = new Map();
  #fixing = false;
  /** Set once connected: the upgrade's attribute callbacks come before and update nothing. */
  #live = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root) root.adoptedStyleSheets = [styleSheet()];
    const id = `meld-connections-heading-${++headingIds}`;
    const section = node("section", { part: "section", "aria-labelledby": id });
    const heading = node("h2", { part: "heading", class: "heading", id });
    const summary = node("div", { part: "summary", class: "summary", role: "status", "aria-live": "polite" });
    const title = node("p", { part: "summary-title", class: "title" });
    const message = node("p", { part: "summary-message" });
    const button = node("button", { part: "fix-all", type: "button", hidden: "" });
    const list = node("ul", { part: "list" });
    summary.append(title, message);
    section.append(heading, summary, button, list);
    root.append(section);
    this.#parts = { heading, title, message, button, list };
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") !== "true") this.fixAll().catch(() => {});
    });
  }

  get connections() {
    return this.#connections;
  }

  set connections(value) {
    this.#connections = value ?? [];
    this.#parseError = null;
    this.#update();
  }

  /** What triage() said of the list (null when it could not be read: see `error`). */
  get triage() {
    return this.#triage;
  }

  get error() {
    return this.#error;
  }

  /** Whether "Fix all" is running. */
  get fixing() {
    return this.#fixing;
  }

  connectedCallback() {
    this.#live = true;
    if (!Object.hasOwn(this, "connections")) return this.#update();
    // Set before the element was defined, the property shadows the accessor: replayed.
    const value = this.connections;
    delete this.connections;
    this.connections = value;
  }

  disconnectedCallback() {
    queueMicrotask(() => {
      if (!this.isConnected) this.#dropFlows();
    });
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === "connections") {
      this.#parseError = null;
      try {
        this.#connections = newValue === null ? [] : JSON.parse(newValue);
      } catch (error) {
        this.#connections = [];
        this.#parseError = new MeldRepairError("INVALID_CONNECTION", `the connections attribute is not valid JSON (${error.message})`);
      }
    } else if (name !== "heading" && name !== "theme") {
      this.#dropFlows(); // new flows from the new attributes
    }
    this.#update();
  }

  /**
   * Repairs, one after another in the summary's order, every item whose decision opens the
   * widget. Resolves with the outcomes; stops at the first that is not `completed` (the customer
   * cancelled, or it failed).
   */
  async fixAll() {
    if (this.#fixing) throw new MeldRepairError("SESSION_IN_PROGRESS", "Fix all is already running");
    this.#fixing = true;
    this.#render();
    const outcomes = [];
    try {
      const queue = (this.#triage?.items ?? []).filter((item) => item.decision.openWidget).map((item) => item.decision.connectionId);
      for (const [at, id] of queue.entries()) {
        const card = this.#rows.get(id)?.firstChild;
        if (!card?.decision?.openWidget) continue; // healthy by now
        // The modal says which one of how many ("Reconnecting 1 of 3: …").
        const outcome = await card.start({ progress: { count: at + 1, total: queue.length } });
        outcomes.push(outcome);
        if (outcome.status !== "completed" && outcome.status !== "not_needed") break;
      }
    } finally {
      this.#fixing = false;
      this.#render();
    }
    return outcomes;
  }

  /**
   * The card's RepairFlow, made here rather than by the card so that it carries `status-url`
   * and this element hears its follow-up. One per card: a flow's states are its one session's,
   * and every card shows the states of its flow.
   */
  #flowFor(id) {
    const existing = this.#flows.get(id);
    if (existing) return existing;
    const tokenUrl = this.getAttribute("token-url");
    if (!tokenUrl) return null; // the card reports the missing token-url when clicked
    const options = { tokenUrl, allowInsecureLoopback: this.hasAttribute("allow-insecure-loopback"), locale: this.#locale() };
    const mode = this.getAttribute("mode")?.trim();
    if (mode) options.mode = mode;
    const origins = this.getAttribute("allowed-widget-origins")?.trim();
    if (origins) options.allowedWidgetOrigins = origins.split(/\s+/);
    const statusUrl = this.getAttribute("status-url");
    if (statusUrl) {
      options.statusUrl = statusUrl;
      // The follow-up's first wait and bound, in ms (RepairFlow's `follow`).
      options.follow = {};
      for (const [name, key] of [["follow-interval", "intervalMs"], ["follow-timeout", "timeoutMs"]]) {
        if (this.hasAttribute(name)) options.follow[key] = Number(this.getAttribute(name));
      }
    }
    const flow = new RepairFlow(options);
    flow.addEventListener("statechange", (event) => {
      if (event.detail !== "completed" || this.#flows.get(id) !== flow) return;
      // Repaired: it counts as updating until it is seen settled (the card says "Reconnected").
      this.#updating.add(id);
      this.#update();
    });
    flow.addEventListener("connectionupdate", (event) => this.#fresh(event.detail.connection));
    this.#flows.set(id, flow);
    return flow;
  }

  /** A connection read again (the follow-up, or the app setting `connections`): replaced by id. */
  #fresh(connection) {
    if (!connection?.id) return;
    this.#connections = this.#connections.map((old) => (old?.id === connection.id ? connection : old));
    this.#update();
  }

  /** Forgets the cards' flows (a running session ends `cancelled`); new ones come from the attributes. */
  #dropFlows() {
    for (const flow of this.#flows.values()) flow.destroy();
    this.#flows.clear();
  }

  #locale() {
    return this.getAttribute("locale") || this.getAttribute("lang") || this.parentElement?.closest("[lang]")?.getAttribute("lang") || "en";
  }

  #update() {
    if (!this.#live || !this.isConnected) return;
    const options = { locale: this.#locale() };
    try {
      if (this.#parseError) throw this.#parseError;
      this.#triage = triage(this.#connections, options);
      this.#error = null;
      // A repaired connection is updating until it is seen settled (neither the widget nor a wait).
      for (const item of this.#triage.items) {
        if (!item.decision.openWidget && item.decision.action !== "wait") this.#updating.delete(item.decision.connectionId);
      }
    } catch (error) {
      this.#triage = null;
      this.#error = error;
    }
    this.#render();
    this.dispatchEvent(new CustomEvent(this.#error ? "meld-repair-error" : "meld-connections-update", { detail: this.#error ?? this.#triage, bubbles: true, composed: true }));
  }

  /** The summary, with repaired connections still aggregating counted as updating. */
  #summary() {
    if (this.#updating.size === 0) return this.#triage.summary;
    const waiting = this.#connections.map((c) => (this.#updating.has(c?.id) ? { ...c, status: "IN_PROGRESS", statusReason: null } : c));
    return triage(waiting, { locale: this.#locale() }).summary;
  }

  #render() {
    const { heading, title, message, button, list } = this.#parts;
    const text = ui(this.#locale());
    heading.textContent = this.getAttribute("heading") || text.heading;
    if (this.#error) {
      // Customer words; the error (developer English) is in `error` and the meld-repair-error event.
      ({ title: title.textContent, message: message.textContent } = explainCopy("connection_unavailable", { locale: this.#locale() }));
      button.hidden = true;
      list.replaceChildren();
      return;
    }
    const summary = this.#summary();
    title.textContent = summary.title;
    message.textContent = summary.message;
    button.hidden = summary.actionLabel === null && !this.#fixing;
    button.textContent = summary.actionLabel ?? button.textContent;
    if (this.#fixing) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");

    const rows = [];
    const seen = new Set();
    for (const [at, item] of this.#triage.items.entries()) {
      const id = item.connection.id ?? `#${at}`;
      seen.add(id);
      let row = this.#rows.get(id);
      if (!row) {
        row = node("li", { part: "item" });
        const card = node("meld-connection-status");
        row.append(card, node("p", { part: "duplicates", class: "duplicates", hidden: "" }));
        this.#rows.set(id, row);
      }
      const [card, duplicates] = row.children;
      for (const name of PASSED) {
        const value = this.getAttribute(name);
        if (value === null) card.removeAttribute(name);
        else if (card.getAttribute(name) !== value) card.setAttribute(name, value);
      }
      const flow = item.connection.id ? this.#flowFor(item.connection.id) : null;
      if (flow && card.flow !== flow) card.flow = flow;
      if (card.connection !== item.connection) card.connection = item.connection;
      duplicates.hidden = item.duplicates.length === 0;
      duplicates.textContent = item.duplicates.length === 0 ? "" : text.duplicates;
      rows.push(row);
    }
    for (const id of [...this.#rows.keys()]) {
      if (seen.has(id)) continue;
      this.#rows.delete(id);
      this.#flows.get(id)?.destroy();
      this.#flows.delete(id);
    }
    // Moving rows that are already in place would disconnect their cards: only when the order changed.
    if (rows.length !== list.children.length || rows.some((row, at) => list.children[at] !== row)) list.replaceChildren(...rows);
  }
}

if (HAS_DOM && !globalThis.customElements.get(TAG_NAME)) {
  globalThis.customElements.define(TAG_NAME, MeldConnections);
}
