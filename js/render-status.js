// renderConnectionStatus (exported by meld-repair/server): <meld-connection-status> as HTML, for
// a server to put in its page. The element's own tree, sheet and view (js/status-view.js) go in
// a declarative shadow root, so the browser shows the explanation before any script runs, and
// the element, once defined, adopts that root as it is (js/element.js): nothing moves.
import { createHash } from "node:crypto";
import { explain, explainCopy, MeldRepairError } from "./node.js";
import { CSS, statusView, TREE } from "./status-view.js";

/** A CSP source for the inline sheet, for `style-src` when no nonce is given. */
export const CONNECTION_STATUS_STYLE_HASH = `'sha256-${createHash("sha256").update(CSS).digest("base64")}'`;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ESCAPES[c]);
const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;
const invalid = (message) => new MeldRepairError("INVALID_OPTIONS", message);

function attributesHtml(attributes) {
  let html = "";
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    html += value === true || value === "" ? ` ${name}` : ` ${name}="${escape(value)}"`;
  }
  return html;
}

function nodeHtml([tag, attributes, key, children = []], view) {
  const { text = "", strong = null, ...dynamic } = key ? view[key] : {};
  const inner = children.length > 0 ? children.map((child) => nodeHtml(child, view)).join("") : `${strong === null ? "" : `<strong>${escape(strong)}</strong>`}${escape(text)}`;
  return `<${tag}${attributesHtml({ ...attributes, ...dynamic })}>${inner}</${tag}>`;
}

function readOptions(options = {}) {
  if (typeof options !== "object" || Array.isArray(options)) throw invalid("renderConnectionStatus options must be an object");
  const read = (name) => (Object.hasOwn(options, name) ? options[name] : undefined);
  const locale = read("locale") ?? "en";
  if (typeof locale !== "string" || locale.trim() === "") throw invalid("options.locale must be a non-empty string, such as \"es\"");
  const theme = read("theme");
  if (theme !== undefined && theme !== "light" && theme !== "dark") throw invalid('options.theme must be "light" or "dark" (or left out to follow prefers-color-scheme)');
  const nonce = read("nonce");
  if (nonce !== undefined && (typeof nonce !== "string" || !/^[A-Za-z0-9+/_=-]+$/.test(nonce))) throw invalid("options.nonce must be the page's CSP nonce (base64 characters)");
  const attributes = read("attributes") ?? {};
  if (typeof attributes !== "object" || Array.isArray(attributes)) throw invalid("options.attributes must be an object of attribute names and values");
  for (const [name, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_NAME.test(name)) throw invalid(`options.attributes: ${JSON.stringify(name)} is not an attribute name (lowercase letters, digits and -)`);
    if (name === "connection" || name === "lang" || name === "locale" || name === "theme") throw invalid(`options.attributes.${name}: pass it as the connection argument or options.locale / options.theme`);
    if (typeof value !== "string" && typeof value !== "boolean") throw invalid(`options.attributes.${name} must be a string or a boolean`);
  }
  return { locale: locale.trim(), theme, nonce, attributes };
}

/**
 * `<meld-connection-status connection="…" lang="…">` with its declarative shadow root, as an
 * HTML string: what the element renders for `connection` before any repair, in `options.locale`.
 * Throws what explain() throws for a connection it cannot read (INVALID_CONNECTION).
 */
export function renderConnectionStatus(connection, options) {
  const { locale, theme, nonce, attributes } = readOptions(options);
  const explanation = explain(connection, { locale });
  const view = statusView({
    explanation, state: "idle", outcome: null, running: false, lang: locale,
    copy: (code) => explainCopy(code, { locale }).title,
  });
  let json;
  try {
    json = JSON.stringify(connection);
  } catch (error) {
    throw new MeldRepairError("INVALID_CONNECTION", `the connection cannot be written as JSON for the element to read (${error.message})`);
  }
  // The element reads the same connection from the attribute when it upgrades.
  const host = attributesHtml({ ...attributes, theme, lang: locale, connection: json });
  const sheet = `<style${attributesHtml({ nonce })}>${CSS}</style>`;
  return `<meld-connection-status${host}><template shadowrootmode="open" shadowrootdelegatesfocus>${sheet}${nodeHtml(TREE, view)}</template></meld-connection-status>`;
}
