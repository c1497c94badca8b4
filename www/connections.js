// The <meld-connections> page (www/connections.html): a customer with several banks from the
// simulator, one of them with an inactive duplicate, through the app's backend routes of
// meld-repair/server (repair token, connection GET). Runs under the strict CSP.
//
// DOM contract used by tests/e2e/connections.test.mjs:
//   body[data-state]       "loading" → "ready" | "error"
//   meld-connections#banks the element; ?follow-interval=&follow-timeout= (ms) set its follow-up
//   window.meldConnectionsEvents   { type, detail } of meld-connections-update, outcomes and connectionupdate
import { widgetOrigin } from "/dom.js";

/** The customer's banks: two to reconnect, one expiring, a healthy one with its inactive duplicate, one waiting. */
const CUSTOMER = ["conn_login_required", "conn_active", "conn_token_expired", "conn_inactive_duplicate", "conn_access_expiring_soon", "conn_institution_unavailable"];

const PAGE_CSS = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; padding: 24px; max-width: 760px; margin-inline: auto; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
#log-region { font: 13px/1.4 ui-monospace, monospace; max-height: 260px; overflow: auto; }
#log-region:focus-visible { outline: 2px solid; outline-offset: 2px; }
`;
const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const events = [];
window.meldConnectionsEvents = events;
const log = document.getElementById("log");
let lastSummary = null;
/** A log line per event: an outcome, a follow-up's look, or a summary whose words changed. */
const LINES = {
  "meld-repair-outcome": ({ detail }) => ({ status: detail.status, connectionId: detail.connectionId }),
  connectionupdate: ({ detail }) => ({ connectionId: detail.connection.id, status: detail.connection.status }),
  "meld-connections-update": ({ detail }) => ({ summary: detail.summary, ids: detail.items.map((item) => item.connection.id) }),
};
for (const [type, read] of Object.entries(LINES)) {
  document.addEventListener(type, (event) => {
    const detail = read(event);
    events.push({ type, detail });
    const line = detail.summary ? `summary · ${detail.summary.title}` : `${detail.connectionId} · ${detail.status}`;
    if (detail.summary) {
      if (line === lastSummary) return;
      lastSummary = line;
    }
    const item = document.createElement("li");
    item.textContent = line;
    log.append(item);
  });
}

const banks = document.getElementById("banks");
banks.setAttribute("allowed-widget-origins", widgetOrigin());
const query = new URLSearchParams(location.search);
for (const name of ["follow-interval", "follow-timeout"]) {
  if (query.has(name)) banks.setAttribute(name, query.get(name));
}
try {
  await import("/pkg/connections-element.js");
  const response = await fetch("/api/connections");
  if (!response.ok) throw new Error(`GET /api/connections answered ${response.status}`);
  const all = await response.json();
  banks.connections = CUSTOMER.map((id) => all.find((connection) => connection.id === id));
  document.body.dataset.state = "ready";
} catch (error) {
  document.body.dataset.state = "error";
  throw error;
}
