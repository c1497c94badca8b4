// The <meld-connections> page (www/connections.html): a customer with several banks from the
// simulator, one of them with an inactive duplicate, through the app's backend routes of
// meld-repair/server (repair token, connection GET). Runs under the strict CSP.
//
// DOM contract used by tests/e2e/connections.test.mjs:
//   body[data-state]       "loading" → "ready" | "error"
//   meld-connections#banks the element; ?follow-interval=&follow-timeout= (ms) set its follow-up
//   window.meldConnectionsEvents   { type, detail } of meld-connections-update and outcomes
import { widgetOrigin } from "/dom.js";

/** The customer's banks: two to reconnect, one expiring, a healthy one with its inactive duplicate, one waiting. */
const CUSTOMER = ["conn_login_required", "conn_active", "conn_token_expired", "conn_inactive_duplicate", "conn_access_expiring_soon", "conn_institution_unavailable"];

const PAGE_CSS = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; padding: 24px; max-width: 760px; margin-inline: auto; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
#log { font: 13px/1.4 ui-monospace, monospace; max-height: 260px; overflow: auto; }
`;
const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const events = [];
window.meldConnectionsEvents = events;
const log = document.getElementById("log");
for (const type of ["meld-connections-update", "meld-repair-outcome"]) {
  document.addEventListener(type, (event) => {
    const detail = type === "meld-repair-outcome"
      ? { status: event.detail.status, connectionId: event.detail.connectionId }
      : { summary: event.detail.summary, ids: event.detail.items.map((item) => item.connection.id) };
    events.push({ type, detail });
    const item = document.createElement("li");
    item.textContent = type === "meld-repair-outcome" ? `${detail.connectionId} · ${detail.status}` : `summary · ${detail.summary.title}`;
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
