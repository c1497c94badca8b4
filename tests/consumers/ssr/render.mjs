// Server rendering: an explanation as an HTML string, with no DOM. The text is plain text
// (institution names may hold markup): escape it. Or the element itself, ready before any
// script runs: renderConnectionStatus.
import { decide, explain } from "meld-repair";
import { renderConnectionStatus } from "meld-repair/server";
import "meld-repair/element"; // safe on a server too: it defines nothing there

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export function renderConnection(connection, locale = "en") {
  const { title, message, actionLabel, severity } = explain(connection, { locale });
  const button = decide(connection).openWidget ? `<button type="button">${escapeHtml(actionLabel)}</button>` : "";
  return `<article class="connection" data-severity="${severity}"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p>${button}</article>`;
}

// <meld-connection-status> with its declarative shadow root: the page shows it before the
// element's module loads, and the element adopts it when it does (nothing moves).
export function renderStatusElement(connection, locale = "en") {
  return renderConnectionStatus(connection, { locale, attributes: { "token-url": "/api/meld/repair" } });
}
