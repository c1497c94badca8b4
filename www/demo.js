// Repair demo: the connections of GET /api/connections, each decided and explained by
// meld-repair, with a Reconnect button that runs RepairFlow against the simulator (its backend
// route POST /api/meld/repair and its stand-in for Meld's widget).
//
// All text goes into the page through textContent / createElement, never innerHTML: institution
// names come from banks and may contain markup. Nothing here ever shows the connect token or the
// widget URL (the token travels in it): the flow never hands them to the app, and every text
// that reaches the log goes through redact() anyway.
//
// The simulator's widget origin is the app's port + 1 (as `npm start` runs it: 8080 and 8081);
// add ?widgetOrigin=http://localhost:PORT to the page URL when it listens elsewhere. It is the
// one origin the flow accepts (allowedWidgetOrigins), with allowInsecureLoopback for http.
//
// DOM contract used by tests/e2e/repair.test.mjs:
//   #repair-demo[data-state]          "loading" → "ready" | "error"
//   #repair-demo[data-flow-state]     the RepairFlow's state (idle, fetching_token, open, …)
//   article.demo-card[data-connection-id]
//     [data-field] institution, status, reason, title, message, severity, decision, repair-result
//     button[data-action="repair"]   only where decide().openWidget is true
//   #demo-log > li[data-kind]         "state" | "event" | "outcome" | "error" | "info"
//     outcome entries: data-status, data-connection-id, data-code (failed), data-reason (cancelled)

import { el, hidden, severityBadge, widgetOrigin } from "/dom.js";

const section = document.getElementById("repair-demo");
const connectionsList = document.getElementById("demo-connections");
const statusLine = document.getElementById("demo-status");
const log = document.getElementById("demo-log");
const controls = {
  mode: document.getElementById("demo-mode"),
  locale: document.getElementById("demo-locale"),
  latency: document.getElementById("demo-latency"),
  fault: document.getElementById("demo-fault"),
};
const simControls = document.getElementById("demo-sim-controls");
const slot = document.getElementById("demo-widget-slot");
const slotContainer = document.getElementById("demo-widget-container");
const slotClose = document.getElementById("demo-slot-close");
const widgetOriginNote = document.getElementById("demo-widget-origin");

/** Per request to the backend; short, so the "timeout" fault ends the session quickly. */
const TIMEOUT_MS = 4000;
const MAX_LOG_ENTRIES = 200;

/**
 * The simulator's faults as the demo offers them, applied through POST /__sim/config. They stay
 * on (faultSticky) until another one is chosen, so the prefetch on hover cannot use one up
 * unseen; "500 once" is armed again after every session.
 */
/** What a real app does when the customer asks for what the widget cannot do. */
const ACTIONS = {
  new_connection: "a real app opens Meld's link flow for a new connection",
  contact_institution: "a real app asks its backend to refresh the connection, then shows the new status",
};

const FAULTS = {
  none: { failNext: [], fault: null, faultSticky: false },
  fail500: { failNext: [500], fault: null, faultSticky: false },
  timeout: { failNext: [], fault: "hang", faultSticky: true },
  html: { failNext: [], fault: "html", faultSticky: true },
  wrong_id: { failNext: [], fault: "wrong_id", faultSticky: true },
  expired: { failNext: [], fault: "expired", faultSticky: true },
  foreign_widget: { failNext: [], fault: "foreign_widget", faultSticky: true },
};


// Developer details of the demo (the card's customer words all come from the package).
const TEXT = {
  en: { noReason: "no reason" },
  es: { noReason: "sin motivo" },
};



// A JWT (three base64url parts) or a connectToken query parameter: never shown, whatever text
// carries it. The flow's own messages never contain the token; this is the belt to its braces.
const JWT_PATTERN = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const TOKEN_PARAM_PATTERN = /connectToken=[^&\s"']*/gi;

function redact(text) {
  return String(text).replace(TOKEN_PARAM_PATTERN, "connectToken=[hidden]").replace(JWT_PATTERN, "[token hidden]");
}

// ---- The event log ------------------------------------------------------------------------

function addLogEntry(kind, text, { details = [], data = {} } = {}) {
  const time = new Date();
  const stamp = time.toLocaleTimeString("en-GB", { hour12: false }) + `.${String(time.getMilliseconds()).padStart(3, "0")}`;
  const dataAttrs = Object.fromEntries(Object.entries(data).map(([key, value]) => [`data-${key}`, value]));
  const entry = el(
    "li",
    { class: `log-entry log-${kind}`, "data-kind": kind, ...dataAttrs },
    el("time", { datetime: time.toISOString(), class: "log-time" }, stamp),
    el("span", { class: "log-kind" }, kind),
    el("span", { class: "log-text" }, redact(text)),
    details.length > 0 ? el("ul", { class: "log-details" }, details.map((line) => el("li", {}, redact(line)))) : null,
  );
  log.append(entry);
  while (log.children.length > MAX_LOG_ENTRIES) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
  return entry;
}

function describeEvent(event) {
  switch (event.name) {
    case "debug":
      return `event debug${event.details ? ` — ${event.details}` : ""}`;
    case "error":
      return `event error — ${event.details ?? "no details"}${event.reason ? ` (${event.reason})` : ""}`;
    case "connect_complete": {
      const count = event.accountCount === null || event.accountCount === undefined ? "?" : event.accountCount;
      return `event connect_complete — ${event.institutionName ?? event.institutionId ?? "institution"}, ${count} account${count === 1 ? "" : "s"}`;
    }
    default:
      return `event ${event.name}`;
  }
}

function describeAccounts(accounts) {
  if (!Array.isArray(accounts)) return "accounts: not sent by the widget";
  if (accounts.length === 0) return "accounts: none";
  return `accounts: ${accounts.map((a) => `${a.name ?? "?"} (${a.type ?? "?"}${a.mask ? ` ••${a.mask}` : ""})`).join(", ")}`;
}

function logOutcome(outcome, connection) {
  const name = connection.institutionName ?? outcome.connectionId;
  const data = { status: outcome.status, "connection-id": outcome.connectionId };
  const details = [];
  let text = `outcome ${outcome.status} — ${name}`;
  if (outcome.status === "completed") {
    const m = outcome.metadata ?? {};
    details.push(
      `institution: ${m.institutionName ?? "?"} (${m.institutionId ?? "?"}), ${m.accountCount ?? "?"} accounts`,
      describeAccounts(m.accounts),
      outcome.note,
    );
  } else if (outcome.status === "cancelled") {
    text += ` (${outcome.reason})`;
    data.reason = outcome.reason;
  } else if (outcome.status === "failed") {
    const error = outcome.error ?? {};
    text += `: ${error.code ?? "ERROR"}${error.retryable ? " (retryable)" : ""}`;
    data.code = error.code;
    details.push(String(error.message ?? error));
  } else if (outcome.status === "not_needed") {
    details.push(`decide() says ${outcome.decision.action}: the widget is not the answer`);
  }
  addLogEntry("outcome", text, { details, data });
}

// ---- The simulator's knobs ----------------------------------------------------------------

async function simConfig(partial) {
  const response = await fetch("/__sim/config", {
    method: partial ? "POST" : "GET",
    headers: partial ? { "Content-Type": "application/json" } : undefined,
    body: partial ? JSON.stringify(partial) : undefined,
  });
  if (!response.ok) throw new Error(`/__sim/config answered HTTP ${response.status}`);
  return response.json();
}

function selectValue(select, value, label) {
  if (![...select.options].some((option) => option.value === value)) {
    select.append(el("option", { value }, label));
  }
  select.value = value;
}

/** Shows the simulator's current config in the controls (a test or curl may have set it). */
async function readSimConfig() {
  let config;
  try {
    config = await simConfig();
  } catch {
    simControls.hidden = true; // not the simulator: nothing to turn
    return;
  }
  selectValue(controls.latency, String(config.latencyMs), `${config.latencyMs} ms`);
  const matches = (preset) =>
    config.fault === preset.fault &&
    (preset.fault === null || config.faultSticky === preset.faultSticky) &&
    config.failNext[0] === preset.failNext[0];
  const name = Object.keys(FAULTS).find((key) => matches(FAULTS[key]));
  selectValue(controls.fault, name ?? "custom", "custom (set in /__sim/config)");
}

async function applySim(partial, what) {
  try {
    await simConfig(partial);
    addLogEntry("info", `simulator: ${what}`);
  } catch (error) {
    addLogEntry("error", `simulator: could not set ${what}: ${error.message}`);
  }
}

const applyFault = () => {
  const preset = FAULTS[controls.fault.value];
  return preset ? applySim(preset, `fault ${controls.fault.selectedOptions[0].textContent}`) : Promise.resolve();
};

// ---- The flow -----------------------------------------------------------------------------

function main(api) {
  const { RepairFlow, decide, explain, explainCopy, explainOutcome } = api;
  const origin = widgetOrigin();
  widgetOriginNote.textContent = origin;

  let connections = [];
  let flow = null;
  let flowStale = true; // settings changed: build a new flow when none is running
  let current = null; // { connection, promise } of the running session
  const cards = new Map(); // connection id → { article, connection }
  const completed = new Set(); // connection ids reconnected in this page
  const said = new Map(); // connection id → what the customer reads of its last outcome

  const locale = () => (controls.locale.value === "es" ? "es" : "en");

  function buildFlow() {
    flow?.destroy();
    flow = null;
    const mode = controls.mode.value;
    try {
      flow = new RepairFlow({
        tokenUrl: "/api/meld/repair",
        mode: mode === "modal" || mode === "inline" ? "iframe" : mode,
        container: mode === "inline" ? slotContainer : null,
        allowedWidgetOrigins: [origin],
        allowInsecureLoopback: true, // the simulator's widget is http://localhost
        timeoutMs: TIMEOUT_MS,
        locale: locale(),
        onEvent: (event) => addLogEntry("event", describeEvent(event), { data: { event: event.name } }),
        onStateChange: (state) => {
          section.dataset.flowState = state;
          addLogEntry("state", `state → ${state}`, { data: { state } });
        },
      });
      flowStale = false;
      section.dataset.flowState = flow.state;
    } catch (error) {
      addLogEntry("error", `RepairFlow could not be created: ${error.code ?? ""} ${error.message}`);
    }
    return flow;
  }

  /** The flow for the current settings; rebuilt between sessions after a change. */
  function currentFlow() {
    if (current) return flow;
    if (flowStale || !flow) buildFlow();
    return flow;
  }

  function settingsChanged() {
    flowStale = true;
    if (!current) buildFlow();
  }

  function repair(connection, button) {
    const activeFlow = currentFlow();
    if (!activeFlow) return;
    // start() runs inside the click: popup and tab modes open their window right here.
    const promise = activeFlow.start(connection);
    if (current?.promise === promise) return; // the same session: start() joined it
    if (current) {
      // start() rejects at once: another connection's repair is open.
      promise.catch((error) => addLogEntry("error", `${connection.institutionName}: ${error.code} — ${error.message}`));
      return;
    }
    current = { connection, promise };
    said.delete(connection.id);
    render(); // "Opening…" where the customer clicked
    const mode = controls.mode.value;
    if (mode === "inline") slot.hidden = false;
    if (mode === "popup" || mode === "tab") {
      addLogEntry("info", `${connection.institutionName}: the widget opens in a ${mode === "tab" ? "new tab" : "popup"}; close it to cancel`);
    }
    promise
      .then(
        (outcome) => {
          logOutcome(outcome, connection);
          if (outcome.status === "completed") completed.add(connection.id);
          said.set(connection.id, { status: outcome.status, text: tell(outcome, connection) });
        },
        (error) => {
          addLogEntry("error", `${connection.institutionName}: ${error?.code ?? "ERROR"} — ${error?.message ?? error}`);
          said.set(connection.id, { status: "failed", text: tell({ status: "failed", error }, connection) });
        },
      )
      .finally(() => {
        current = null;
        render();
        slot.hidden = true;
        if (controls.fault.value === "fail500") applyFault(); // armed again for the next one
        if (flowStale) buildFlow();
      });
  }

  // On hover or focus, so the widget opens at once on click. Not for a connection repaired in
  // this page: the modal hands the focus back to its button, and Meld's token is single use.
  function prefetch(connection) {
    if (current || completed.has(connection.id)) return;
    currentFlow()?.prefetch(connection);
  }

  /** The customer's words for an outcome (the developer message stays in the log). */
  function tell(outcome, connection) {
    return explainOutcome(outcome, { locale: locale(), institutionName: connection.institutionName ?? null });
  }

  /** What only the app can do (a new link, a refresh): the demo says what a real app would. */
  function act(connection, decision) {
    addLogEntry("info", `${connection.institutionName}: meld-repair-action ${decision.action} — ${ACTIONS[decision.action] ?? "the app handles it"}`, {
      data: { action: decision.action },
    });
    if (decision.action === "contact_institution") reload().catch((error) => addLogEntry("error", `refresh failed: ${redact(error?.message ?? error)}`));
  }

  async function reload() {
    const response = await fetch("/api/connections");
    if (!response.ok) throw new Error(`GET /api/connections answered HTTP ${response.status}`);
    connections = await response.json();
    render();
  }


  function card(connection) {
    const lang = locale();
    const decision = decide(connection);
    const explanation = explain(connection, { locale: lang });
    const headingId = `demo-card-${connection.id}`;
    const note = said.get(connection.id);
    // After a completed repair: success until the webhook brings the new status.
    const pending = note?.status === "completed";
    const shown = pending ? { ...note.text } : explanation;
    const failed = note?.status === "failed" ? note.text : null;
    const busy = current?.connection.id === connection.id;
    const label = busy ? explainCopy("busy", { locale: lang }).title : failed ? failed.actionLabel : shown.actionLabel;
    let action = null;
    if (label) {
      const button = el(
        "button",
        { type: "button", class: "demo-button", "data-action": decision.openWidget ? "repair" : decision.action, lang, "aria-describedby": headingId, "aria-busy": busy ? "true" : null },
        label,
      );
      if (decision.openWidget) {
        button.addEventListener("click", () => repair(connection, button));
        button.addEventListener("pointerenter", () => prefetch(connection));
        button.addEventListener("focus", () => prefetch(connection));
      } else {
        button.addEventListener("click", () => act(connection, decision));
      }
      action = button;
    }
    const alert = failed
      ? el("div", { class: "demo-alert", role: "alert", lang, "data-field": "repair-result" }, el("strong", {}, failed.title), " ", failed.message)
      : null;
    const quiet = note && !failed && !pending ? el("p", { class: "demo-note", role: "status", lang, "data-field": "repair-result" }, note.text.title) : null;
    const article = el(
      "article",
      {
        class: `demo-card card-${shown.severity}`,
        "aria-labelledby": headingId,
        "data-connection-id": connection.id,
        "data-repair": note?.status ?? null,
      },
      el("h3", { id: headingId, class: "demo-card-title" }, el("span", { "data-field": "institution" }, String(connection.institutionName ?? connection.id))),
      el(
        "p",
        { class: "demo-card-status" },
        hidden("Status: "),
        el("code", { "data-field": "status" }, String(connection.status)),
        " · ",
        connection.statusReason
          ? el("code", { "data-field": "reason" }, String(connection.statusReason))
          : el("span", { class: "muted", "data-field": "reason" }, TEXT[lang].noReason),
      ),
      el(
        "div",
        { class: "demo-expl", lang },
        severityBadge(shown.severity, api, lang, shown.actionLabel, shown.code),
        el("p", { class: "expl-title", "data-field": "title" }, shown.title),
        el("p", { class: "expl-message", "data-field": "message" }, shown.message),
      ),
      alert,
      action || quiet ? el("div", { class: "demo-actions" }, action, quiet) : null,
    );
    return { article, item: el("li", {}, article) };
  }

  /** A connection decide() cannot read (the backend's data is not always clean) gets a note. */
  function unreadableCard(connection, error) {
    const article = el(
      "article",
      { class: "demo-card card-unknown", "data-connection-id": String(connection?.id ?? "") },
      el("h3", { class: "demo-card-title" }, String(connection?.institutionName ?? connection?.id ?? "Connection")),
      el("p", { class: "demo-no-widget", role: "note" }, `Cannot be read: ${error?.code ?? ""} ${redact(error?.message ?? error)}`),
    );
    return { article, item: el("li", {}, article) };
  }

  function render() {
    // Re-rendering keeps the focused button focused (by connection id).
    const focusedId = document.activeElement?.closest?.("[data-connection-id]")?.dataset.connectionId;
    cards.clear();
    const items = connections.map((connection) => {
      let built;
      try {
        built = card(connection);
      } catch (error) {
        built = unreadableCard(connection, error);
      }
      cards.set(connection?.id, { article: built.article, connection });
      return built.item;
    });
    connectionsList.replaceChildren(...items);
    if (focusedId) cards.get(focusedId)?.article.querySelector("button")?.focus({ preventScroll: true });
  }

  controls.mode.addEventListener("change", () => {
    addLogEntry("info", `widget: ${controls.mode.selectedOptions[0].textContent}`);
    settingsChanged();
  });
  controls.locale.addEventListener("change", () => {
    render();
    settingsChanged();
  });
  controls.latency.addEventListener("change", () => {
    applySim({ latencyMs: Number(controls.latency.value) }, `backend latency ${controls.latency.value} ms`);
  });
  controls.fault.addEventListener("change", () => {
    applyFault();
    settingsChanged(); // forget cached tokens, so the new fault shows at once
  });
  slotClose.addEventListener("click", () => flow?.close());
  document.getElementById("demo-log-clear").addEventListener("click", () => log.replaceChildren());
  document.getElementById("demo-controls").addEventListener("submit", (event) => event.preventDefault());

  return {
    async load() {
      const [response] = await Promise.all([fetch("/api/connections"), readSimConfig()]);
      if (!response.ok) throw new Error(`GET /api/connections answered HTTP ${response.status}`);
      const list = await response.json();
      if (!Array.isArray(list)) throw new Error("GET /api/connections did not answer a list");
      connections = list;
      render();
      buildFlow();
      const repairable = connectionsList.querySelectorAll('[data-action="repair"]').length;
      statusLine.textContent = `${connections.length} connections, ${repairable} of them repairable with Meld's widget.`;
    },
  };
}

section.hidden = false;
section.setAttribute("aria-busy", "true");
try {
  await main(await import("/pkg/index.js")).load();
  section.dataset.state = "ready";
} catch (error) {
  console.error("[repair demo]", error);
  section.dataset.state = "error";
  statusLine.textContent = "";
  statusLine.append(el("span", { class: "notice notice-error", role: "alert" }, `The repair demo could not start: ${redact(error?.message ?? error)}`));
} finally {
  section.setAttribute("aria-busy", "false");
}
