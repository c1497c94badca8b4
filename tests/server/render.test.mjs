// renderConnectionStatus (meld-repair/server) through the built package, in Node: the words are
// explain()'s, everything from the connection is escaped, the sheet's hash is the sheet's, and
// every bad input is a MeldRepairError with its code. tests/e2e/ssr.test.mjs shows it in Chromium.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { explain, explainCopy, MeldRepairError } from "meld-repair";
import { CONNECTION_STATUS_STYLE_HASH, renderConnectionStatus } from "meld-repair/server";

const LOGIN = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
const text = (html, part) => html.match(new RegExp(`part="${part}"[^>]*>([^<]*)<`))?.[1];

test("the element with its declarative shadow root, in explain()'s words", () => {
  const html = renderConnectionStatus(LOGIN, { locale: "es", attributes: { "token-url": "/api/meld/repair", id: "status", "allow-insecure-loopback": true } });
  const words = explain(LOGIN, { locale: "es" });
  assert.match(html, /^<meld-connection-status token-url="\/api\/meld\/repair" id="status" allow-insecure-loopback lang="es" connection="[^"]+"><template shadowrootmode="open" shadowrootdelegatesfocus><style>/);
  assert.ok(html.endsWith("</div></template></meld-connection-status>"));
  assert.equal(text(html, "title"), words.title);
  assert.equal(text(html, "message"), words.message);
  assert.equal(text(html, "button"), words.actionLabel);
  assert.match(html, /<span class="severity">Acción necesaria<\/span>/);
  assert.match(html, /data-severity="error"/);
  assert.match(html, /<div part="alert" class="alert" role="alert" hidden><\/div>/);
  // A connection with nothing to do has no button; a theme is the element's attribute.
  const healthy = renderConnectionStatus({ status: "ACTIVE" }, { theme: "dark" });
  assert.match(healthy, /^<meld-connection-status theme="dark" lang="en" /);
  assert.match(healthy, /<button part="button" type="button" hidden><\/button>/);
  // EXPIRED asks for a new link: optional, not "for your information".
  assert.match(renderConnectionStatus({ status: "EXPIRED" }), new RegExp(`<span class="icon" aria-hidden="true">\\+</span><span class="severity">${explainCopy("severity_optional").title}</span>`));
});

test("markup in the connection stays text, in the words and in the attribute", () => {
  const name = `</template><img src=x onerror=alert(1)> & "Co" '`;
  const html = renderConnectionStatus({ ...LOGIN, institutionName: name });
  assert.ok(!html.includes("<img"), html);
  assert.equal(html.match(/<\/template>/g).length, 1);
  assert.ok(html.includes("&lt;/template&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot; '"));
  const attribute = html.match(/ connection="([^"]*)"/)[1];
  const decoded = attribute.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  assert.deepEqual(JSON.parse(decoded), { ...LOGIN, institutionName: name });
  assert.equal(renderConnectionStatus(LOGIN, { attributes: { "data-x": '"><script>' } }).includes('data-x="&quot;&gt;&lt;script&gt;"'), true);
});

test("the sheet's CSP hash is the hash of the inline sheet; a nonce goes on it", () => {
  const html = renderConnectionStatus(LOGIN, { nonce: "r4nd0m+/=" });
  const [, sheet] = html.match(/<style nonce="r4nd0m\+\/=">([^<]*)<\/style>/);
  assert.equal(CONNECTION_STATUS_STYLE_HASH, `'sha256-${createHash("sha256").update(sheet).digest("base64")}'`);
});

test("bad input: a MeldRepairError with a stable code", () => {
  const coded = (fn, code, fragment) =>
    assert.throws(fn, (error) => error instanceof MeldRepairError && error.code === code && error.message.includes(fragment));
  coded(() => renderConnectionStatus({}), "INVALID_CONNECTION", "connection.status");
  coded(() => renderConnectionStatus(null), "INVALID_CONNECTION", "connection");
  const cyclic = { status: "ACTIVE" };
  cyclic.self = cyclic;
  coded(() => renderConnectionStatus(cyclic), "INVALID_CONNECTION", "JSON");
  coded(() => renderConnectionStatus({ status: "ACTIVE", big: 1n }), "INVALID_CONNECTION", "JSON");
  coded(() => renderConnectionStatus(LOGIN, "es"), "INVALID_OPTIONS", "options must be an object");
  coded(() => renderConnectionStatus(LOGIN, { locale: 5 }), "INVALID_OPTIONS", "options.locale");
  coded(() => renderConnectionStatus(LOGIN, { locale: " " }), "INVALID_OPTIONS", "options.locale");
  coded(() => renderConnectionStatus(LOGIN, { theme: "blue" }), "INVALID_OPTIONS", "options.theme");
  coded(() => renderConnectionStatus(LOGIN, { nonce: 'x" onload="y' }), "INVALID_OPTIONS", "options.nonce");
  coded(() => renderConnectionStatus(LOGIN, { attributes: [] }), "INVALID_OPTIONS", "options.attributes");
  coded(() => renderConnectionStatus(LOGIN, { attributes: { "on click": "x" } }), "INVALID_OPTIONS", "is not an attribute name");
  coded(() => renderConnectionStatus(LOGIN, { attributes: { connection: "{}" } }), "INVALID_OPTIONS", "connection argument");
  coded(() => renderConnectionStatus(LOGIN, { attributes: { lang: "fr" } }), "INVALID_OPTIONS", "options.locale");
  coded(() => renderConnectionStatus(LOGIN, { attributes: { id: 7 } }), "INVALID_OPTIONS", "a string or a boolean");
  // Inherited options count as absent (a polluted prototype changes nothing).
  const options = Object.create({ theme: "blue", locale: "es" });
  assert.match(renderConnectionStatus(LOGIN, options), /lang="en"/);
  assert.match(renderConnectionStatus(LOGIN), /lang="en"/);
});

test("one view for both renderers: a pending success badges Updating (info tone), the healthy connection Connected, a lost window its own words", async () => {
  const { statusView } = await import("../../js/status-view.js");
  const { explainOutcome } = await import("meld-repair");
  const view = (state, outcome, connection = LOGIN, locale = "en") => statusView({
    explanation: explain(connection, { locale }), state, outcome, running: false, lang: locale, healed: false,
    copy: (code) => explainCopy(code, { locale }).title,
  });
  const name = { institutionName: "First Platypus Bank" };
  const pending = view("completed", explainOutcome({ status: "completed" }, name));
  assert.deepEqual([pending.icon.text, pending.severity.text, pending.card["data-severity"]], ["↻", "Updating", "info"]);
  const pendingEs = view("completed", explainOutcome({ status: "completed" }, { ...name, locale: "es" }), LOGIN, "es");
  assert.equal(pendingEs.severity.text, "Actualizando");
  const healthy = view("idle", null, { ...LOGIN, status: "ACTIVE", statusReason: null });
  assert.deepEqual([healthy.icon.text, healthy.severity.text, healthy.card["data-severity"]], ["✓", "Connected", "success"]);
  // The server renders the idle card only: explain()'s badge, as the element shows it.
  assert.match(renderConnectionStatus({ status: "ACTIVE" }), /<span class="severity">Connected<\/span>/);
  const lost = explainOutcome({ status: "cancelled", reason: "window_lost" }, name);
  const lostView = view("idle", lost);
  assert.deepEqual([lostView.title.text, lostView.message.text, lostView.button.text, lostView.severity.text], [lost.title, lost.message, "Try again", "For your information"]);
});
