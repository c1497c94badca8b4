// The red-team report's defects (docs: ../shared/reference/redteam.md, issue #14) that show in
// Node, each against the BUILT package with the exact outcome the README now promises: headers
// fetch would refuse, credentials in tokenUrl, cross-origin redirects of the token request, a
// token for another connection, huge strings and bodies, inherited properties, a getter that
// answers once, and webhooks without a connection id. The browser-only ones are in
// tests/e2e/hardening.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { exported } from "./newest-instance.mjs";
import { withWindowEvents } from "./window-events.mjs";

const { advise, decide, defineCopy, explain, interpretWebhook, MeldRepairError, RepairFlow, resetCopy } = await import("meld-repair");

const CONNECTION = "WQ5RitxnrnggqcT8noLoZN";
const BROKEN = { id: CONNECTION, status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
const PROD = "https://institution-connect.meld.io";
const NOW = Math.floor(Date.now() / 1000);

const b64url = (text) => Buffer.from(text).toString("base64url");
function jwt(claims) {
  return [b64url('{"alg":"HS256","typ":"JWT"}'), b64url(JSON.stringify({ iss: "meld.io", exp: NOW + 3 * 3600, ...claims })), b64url("not-a-real-signature-0123456789")].join(".");
}
function answer(token = jwt({ connection: CONNECTION })) {
  return { connectToken: token, widgetUrl: `${PROD}/?connectToken=${token}`, id: CONNECTION, institutionId: "Ntj3AwgdridJc2rtfeheku" };
}

const wasmBytes = () => exported(WebAssembly.Memory).buffer.byteLength;

function coded(code, ...fragments) {
  return (error) => {
    assert.ok(error instanceof MeldRepairError, `a MeldRepairError, got ${error}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), error.message);
    return true;
  };
}

/**
 * Starts `flow` on `connection` and closes it from its "open" statechange, before the widget
 * would show (Node has no document to show it in): resolves with the states and the outcome.
 */
async function startUntilOpen(flow, connection = BROKEN) {
  const states = [];
  flow.addEventListener("statechange", (event) => {
    states.push(event.detail);
    if (event.detail === "open") flow.close();
  });
  const outcome = await flow.start(connection);
  return { states, outcome };
}

/** An HTTP server on 127.0.0.1; `handle(req, res, body)`; `seen` records every request. */
async function server(handle) {
  const seen = [];
  const http = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader("Access-Control-Allow-Origin", "*");
      res.setHeader("Access-Control-Allow-Headers", "*");
      handle(req, res, body);
    });
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, seen, close: () => new Promise((resolve) => http.close(resolve)) };
}

// ---------------------------------------------------------------- D2: headers fetch refuses

test("D2: a header fetch would refuse is INVALID_OPTIONS at construction, not a start() that never settles", () => {
  for (const headers of [
    { "X-User": "Zoë 🏦" },
    { "X CSRF": "1" },
    { "X-Evil": "a\r\nB: c" },
    { "X-Nul": "a\0b" },
    { "": "empty name" },
    { "X-Bad(": "1" },
    new Map([["X-User", "Zoë 🏦"]]),
  ]) {
    assert.throws(() => new RepairFlow({ tokenUrl: "https://app.example/repair", headers }), coded("INVALID_OPTIONS", "is not a header fetch accepts"), JSON.stringify([...Object.entries(headers)]));
  }
  // Latin-1 values (é is U+00E9) are what fetch accepts, so they are accepted too.
  assert.equal(new RepairFlow({ tokenUrl: "https://app.example/repair", headers: { "X-CSRF-Token": "abc", "X-Name": "Zoé" } }).state, "idle");
});

// ---------------------------------------------------------------- D17: credentials in tokenUrl

test("D17: a tokenUrl with user:password is INVALID_OPTIONS, and the password is never printed", () => {
  for (const tokenUrl of ["http://user:s3cr3t@127.0.0.1:9/t", "https://s3cr3t@app.example/t", "https://:s3cr3t@app.example/t"]) {
    assert.throws(() => new RepairFlow({ tokenUrl }), (error) => {
      coded("INVALID_OPTIONS", "must not carry credentials")(error);
      assert.doesNotMatch(error.message, /s3cr3t/);
      return true;
    });
  }
});

// ---------------------------------------------------------------- D4: redirects and the JWT claim

for (const status of [301, 302, 303, 307, 308]) {
  test(`D4: a ${status} of the token request to another origin is refused; the app's headers never reach it`, async () => {
    const restore = withWindowEvents();
    const evil = await server((req, res) => res.setHeader("Content-Type", "application/json").end(JSON.stringify(answer(jwt({ connection: "conn_ATTACKER" })))));
    const app = await server((req, res) => res.writeHead(status, { Location: `${evil.url}/token` }).end());
    try {
      const flow = new RepairFlow({ tokenUrl: `${app.url}/repair`, headers: { "X-CSRF-Token": "csrf-secret-123" }, retries: 0, timeoutMs: 3_000 });
      const outcome = await flow.start(BROKEN);
      assert.equal(outcome.status, "failed");
      coded("TOKEN_ENDPOINT_FAILED", "redirect")(outcome.error);
      assert.equal(app.seen.length, 1);
      assert.equal(app.seen[0].headers["x-csrf-token"], "csrf-secret-123");
      assert.deepEqual(evil.seen, [], "nothing reached the other origin");
    } finally {
      restore();
      await Promise.all([evil.close(), app.close()]);
    }
  });
}

test("D4: a token whose connection claim is another connection's fails INVALID_TOKEN_RESPONSE; no claim is fine", async () => {
  const restore = withWindowEvents();
  try {
    const foreign = new RepairFlow({ fetchToken: async () => answer(jwt({ connection: "conn_ATTACKER", customer: "attacker" })), retries: 0 });
    const outcome = await foreign.start(BROKEN);
    assert.equal(outcome.status, "failed");
    coded("INVALID_TOKEN_RESPONSE", "issued for another connection")(outcome.error);
    assert.doesNotMatch(outcome.error.message, /eyJ/);
    // Without a claim the id alone is checked (Meld's spec only implies the claim).
    const unclaimed = new RepairFlow({ fetchToken: async () => answer(jwt({})), retries: 0 });
    const { states, outcome: closed } = await startUntilOpen(unclaimed);
    assert.deepEqual(states, ["fetching_token", "open", "cancelled"]);
    assert.equal(closed.reason, "app_closed");
  } finally {
    restore();
  }
});

// ---------------------------------------------------------------- D6: string caps, wasm memory

test("D6: strings over 20000 characters are refused with the field named, before wasm copies them", () => {
  const big = "T".repeat(3 << 20);
  const before = wasmBytes();
  assert.throws(() => advise({ status: "ACTIVE", products: Array(1000).fill(big) }, "add_products", { products: ["BALANCES"] }), coded("INVALID_CONNECTION", "connection.products"));
  assert.throws(() => decide({ status: big }), coded("INVALID_CONNECTION", "connection.status", "longer than 20000"));
  assert.throws(() => explain({ status: "RECONNECT_REQUIRED", institutionName: "n".repeat(10 << 20) }), coded("INVALID_CONNECTION", "connection.institutionName"));
  assert.throws(() => decide({ status: "ACTIVE", statusReason: "x".repeat(20_001) }), coded("INVALID_CONNECTION", "connection.statusReason"));
  assert.equal(wasmBytes(), before, "wasm memory did not grow");
  // At the cap a string is still read.
  assert.equal(decide({ status: "RECONNECT_REQUIRED", institutionName: "n".repeat(20_000) }).action, "repair");
  assert.equal(explain({ status: "ACTIVE", institutionName: "n".repeat(20_000) }).title.length, 20_000 + " is connected".length);
});

test("D6: a 50 MB token body is parsed by the JS engine, never copied into wasm memory", async () => {
  const restore = withWindowEvents();
  const huge = JSON.stringify({ ...answer(), padding: "p".repeat(50 << 20) });
  const backend = await server((req, res) => res.setHeader("Content-Type", "application/json").end(huge));
  try {
    const flow = new RepairFlow({ tokenUrl: `${backend.url}/repair`, retries: 0, timeoutMs: 5_000 });
    const before = wasmBytes();
    const { states } = await startUntilOpen(flow);
    assert.deepEqual(states, ["fetching_token", "open", "cancelled"], "the token was read");
    assert.ok(wasmBytes() - before < 1 << 20, `wasm grew by ${wasmBytes() - before} bytes`);
  } finally {
    restore();
    await backend.close();
  }
});

// ---------------------------------------------------------------- D3: close() from a state callback

test("D3: close() from the open statechange or onStateChange ends the session before the widget opens", async () => {
  const restore = withWindowEvents();
  try {
    // A document that records any use: opening the widget after the close would touch it.
    let touched = 0;
    globalThis.document = new Proxy({}, { get: () => { touched++; throw new Error("the widget was opened"); } });
    const { states, outcome } = await startUntilOpen(new RepairFlow({ fetchToken: async () => answer(), retries: 0 }));
    assert.deepEqual(states, ["fetching_token", "open", "cancelled"]);
    assert.equal(outcome.status, "cancelled");
    assert.equal(outcome.reason, "app_closed");
    const seen = [];
    const flow = new RepairFlow({ fetchToken: async () => answer(), retries: 0, onStateChange: (state) => seen.push(state) === 2 && flow.close() });
    assert.equal((await flow.start(BROKEN)).reason, "app_closed");
    assert.deepEqual(seen, ["fetching_token", "open", "cancelled"]);
    assert.equal(flow.running, false);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a late open would have run by now
    assert.equal(touched, 0, "nothing opened after the close");
  } finally {
    delete globalThis.document;
    restore();
  }
});

// ---------------------------------------------------------------- D13: own properties only

test("D13: inherited (polluted) properties change no verdict, webhook or widget origin", async () => {
  const restore = withWindowEvents();
  try {
    Object.prototype.statusReason = "ACCESS_EXPIRING_SOON";
    Object.prototype.newStatus = "DELETED";
    Object.prototype.institutionName = "Evil Bank";
    assert.equal(decide({ status: "ACTIVE" }).action, "none");
    assert.equal(decide({ status: "ACTIVE", id: "c1" }).statusReason, null);
    assert.doesNotMatch(explain({ status: "ACTIVE" }).title, /Evil/);
    const webhook = interpretWebhook({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", payload: { connectionId: "c1", status: "RECONNECT_REQUIRED" } });
    assert.equal(webhook.promptCustomer, true);
    assert.equal(webhook.stopPrompts, false);
    delete Object.prototype.statusReason;
    delete Object.prototype.newStatus;
    delete Object.prototype.institutionName;

    Object.prototype.allowedWidgetOrigins = ["https://evil.example"];
    let flow;
    try {
      flow = new RepairFlow({ fetchToken: async () => ({ ...answer(), widgetUrl: `https://evil.example/?connectToken=${answer().connectToken}` }), retries: 0 });
    } finally {
      delete Object.prototype.allowedWidgetOrigins;
    }
    const outcome = await flow.start(BROKEN);
    coded("WIDGET_URL_REJECTED")(outcome.error);
  } finally {
    delete Object.prototype.statusReason;
    delete Object.prototype.newStatus;
    delete Object.prototype.institutionName;
    delete Object.prototype.allowedWidgetOrigins;
    restore();
  }
});

// ---------------------------------------------------------------- D14: a getter that answers once

test("D14: a connection whose institutionName throws on a second read: start() rejects INVALID_CONNECTION, never throws", async () => {
  const restore = withWindowEvents();
  try {
    const flow = new RepairFlow({ fetchToken: async () => ({}), retries: 0 });
    let reads = 0;
    const connection = {
      id: CONNECTION, status: "RECONNECT_REQUIRED",
      get institutionName() {
        if (++reads > 1) throw new TypeError("second read");
        return "Bank";
      },
    };
    let promise;
    assert.doesNotThrow(() => (promise = flow.start(connection)));
    await assert.rejects(promise, coded("INVALID_CONNECTION", "reading connection.institutionName threw"));
    assert.equal(flow.running, false, "nothing left running");
    const throwing = { id: CONNECTION, status: "RECONNECT_REQUIRED", get institutionName() { throw new TypeError("always"); } };
    await assert.rejects(() => flow.start(throwing), coded("INVALID_CONNECTION", "institutionName"));
  } finally {
    restore();
  }
});

// ---------------------------------------------------------------- D16: webhooks without a connection

test("D16: a status change without a string connectionId prompts nobody", () => {
  for (const payload of [{ newStatus: "RECONNECT_REQUIRED" }, { connectionId: 12345, newStatus: "RECONNECT_REQUIRED" }, { connectionId: "", newStatus: "RECONNECT_REQUIRED" }]) {
    const meaning = interpretWebhook({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", payload });
    assert.equal(meaning.connectionId, null);
    assert.equal(meaning.promptCustomer, false, JSON.stringify(payload));
    assert.equal(meaning.stopPrompts, false);
  }
  assert.equal(interpretWebhook({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", payload: { connectionId: "c1", newStatus: "RECONNECT_REQUIRED" } }).promptCustomer, true);
});

// ---------------------------------------------------------------- D9, D12, D18: explain

test("D9: a text naming {institution} 1e5 (or 9) times is INVALID_COPY, not a raw ERR_STRING_TOO_LONG", () => {
  try {
    assert.throws(() => defineCopy("en", { login_required: { title: "{institution}".repeat(1e5) } }), coded("INVALID_COPY", "longer than 20000 characters"));
    assert.throws(() => defineCopy("en", { login_required: { title: "{institution}".repeat(1000) } }), coded("INVALID_COPY", "texts.login_required.title names {institution} more than 8 times"));
    const broken = { status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "n".repeat(5400) };
    assert.equal(explain(broken).title, `Sign in to ${"n".repeat(5400)} again`, "the old wording stays");
    defineCopy("en", { login_required: { title: "{institution}".repeat(8) } });
    assert.equal(explain(broken).title.length, 8 * 5400);
  } finally {
    resetCopy();
  }
});

test("D12: 10 000 chained locales cost one explain little (the chain is cut after 16)", () => {
  try {
    for (let i = 0; i < 10_000; i++) defineCopy(`x${i}`, { healthy: { title: `t${i}` } }, { fallback: `x${i + 1}` });
    const started = performance.now();
    for (let i = 0; i < 100; i++) explain({ status: "ACTIVE", statusReason: `r${i}` }, { locale: "x0" });
    assert.ok(performance.now() - started < 2_000, `${performance.now() - started} ms for 100 calls`);
  } finally {
    resetCopy();
  }
});

test("D18: a name with U+202E or right-to-left letters is isolated (U+2068 … U+2069) on both paths", () => {
  const broken = { status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };
  for (let round = 0; round < 2; round++) { // the second round comes from the remembered template
    assert.equal(explain({ ...broken, institutionName: "\u202EFirst Bank" }).title, "Sign in to \u2068\u202EFirst Bank\u2069 again");
    assert.equal(explain({ ...broken, institutionName: "בנק לאומי" }).title, "Sign in to \u2068בנק לאומי\u2069 again");
    assert.equal(explain({ ...broken, institutionName: "First Bank" }).title, "Sign in to First Bank again");
  }
});
