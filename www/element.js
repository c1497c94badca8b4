// The <meld-connection-status> page (www/element.html): the element from attributes and from
// the simulator's connections, themed with custom properties and ::part, logging its events.
// Runs under the strict CSP: page styles are a constructable stylesheet, text goes in through
// textContent only.
//
// DOM contract used by tests/e2e/element.test.mjs:
//   body[data-state]                         "loading" → "ready" | "error"
//   meld-connection-status#attr-*, #themed   from attributes (#attr-bad holds broken JSON)
//   #live > meld-connection-status[data-connection-id]   one per simulator connection
//   #log > li[data-type]                     one per event (in #log-region, role="log"); window.meldElementEvents holds them
//                                            as { type, target, detail } (detail made plain)
import { widgetOrigin } from "/dom.js";

const EVENTS = ["meld-repair-outcome", "meld-repair-state", "meld-repair-event", "meld-repair-error", "meld-repair-action"];

const PAGE_CSS = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; padding: 24px; max-width: 1100px; margin-inline: auto; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
h2 { font-size: 1.15em; margin: 28px 0 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; align-items: start; }
#log-region { font: 13px/1.4 ui-monospace, monospace; max-height: 260px; overflow: auto; }
#log { margin: 0; padding-inline-start: 24px; }
/* Theming: custom properties and parts. */
.themed {
  --meld-repair-accent: rgb(124, 58, 237);
  --meld-repair-error: rgb(190, 18, 60);
  --meld-repair-radius: 2px;
  --meld-repair-font: 16px Georgia, serif;
}
.themed::part(title) { letter-spacing: 0.02em; }
/* An app that sets colours sets them for both schemes (each ≥ 4.5:1 on the element's surface). */
@media (prefers-color-scheme: dark) {
  .themed:not([theme="light"]) { --meld-repair-accent: #c4b5fd; --meld-repair-error: #fda4af; --meld-repair-on-accent: #1e1033; }
}
.themed[theme="dark"] { --meld-repair-accent: #c4b5fd; --meld-repair-error: #fda4af; --meld-repair-on-accent: #1e1033; }
`;

const sheet = new CSSStyleSheet();
sheet.replaceSync(PAGE_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

/** Event details as plain data (errors keep name, code, message; outcomes their error too). */
function plain(detail) {
  if (detail instanceof Error) return { name: detail.name, code: detail.code, message: detail.message, retryable: detail.retryable };
  if (detail && typeof detail === "object" && "status" in detail && "error" in detail) {
    return { ...detail, error: detail.error && plain(detail.error) };
  }
  return detail;
}

const events = [];
window.meldElementEvents = events;
const log = document.getElementById("log");

// Listening before the element is defined: broken attributes report at upgrade time.
for (const type of EVENTS) {
  document.addEventListener(type, (event) => {
    const target = event.target.id || event.target.dataset.connectionId || event.target.tagName.toLowerCase();
    const entry = { type, target, detail: plain(event.detail) };
    events.push(entry);
    const item = document.createElement("li");
    item.dataset.type = type;
    const summary =
      type === "meld-repair-outcome" ? event.detail.status
      : type === "meld-repair-state" ? event.detail.state
      : type === "meld-repair-event" ? event.detail.name
      : type === "meld-repair-action" ? event.detail.action
      : `${event.detail.code}: ${event.detail.message}`;
    item.textContent = `${target} · ${type} · ${summary}`;
    log.append(item);
  });
}

const origin = widgetOrigin();
for (const element of document.querySelectorAll("meld-connection-status")) {
  element.setAttribute("allowed-widget-origins", origin);
}

try {
  await import("/pkg/element.js");
  const response = await fetch("/api/connections");
  if (!response.ok) throw new Error(`GET /api/connections answered ${response.status}`);
  const connections = await response.json();
  const live = document.getElementById("live");
  for (const connection of connections) {
    const element = document.createElement("meld-connection-status");
    element.dataset.connectionId = connection.id;
    element.setAttribute("token-url", "/api/meld/repair");
    element.setAttribute("allow-insecure-loopback", "");
    element.setAttribute("allowed-widget-origins", origin);
    element.connection = connection;
    live.append(element);
  }
  document.getElementById("live-status").textContent = `${connections.length} connections`;
  // What only the app can do: "Check again" refreshes the status (the simulator's, here); a
  // real app's "Link again" would open Meld's link flow for a new connection.
  live.addEventListener("meld-repair-action", async (event) => {
    if (event.detail.action !== "contact_institution") return;
    const fresh = await fetch("/api/connections").then((answer) => answer.json());
    const updated = fresh.find((connection) => connection.id === event.detail.connectionId);
    if (updated) event.target.connection = updated;
  });
  document.body.dataset.state = "ready";
} catch (error) {
  document.getElementById("live-status").textContent = `Could not load: ${error.message}`;
  document.body.dataset.state = "error";
  throw error;
}
