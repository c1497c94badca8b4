// Webhooks through the built package, imported by its name as a server would: the signature
// check against signatures computed independently with node:crypto, and interpretWebhook
// through the wasm boundary.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { decide, explain, interpretWebhook, MeldRepairError, verifyWebhookSignature } from "meld-repair";

const SECRET = "whsec_2f9a0c7e1b";
const URL = "https://api.example.com/meld/webhooks?env=sandbox";
const TIMESTAMP = "2022-05-26T20:25:17.682818Z";
const AT = Date.parse("2022-05-26T20:25:17.682Z");

/** Reference §14.5 by hand: base64url of HMAC-SHA256 over `timestamp.url.body`, padded. */
function meldSignature(body, { secret = SECRET, timestamp = TIMESTAMP, url = URL } = {}) {
  const base64 = createHmac("sha256", secret).update(`${timestamp}.${url}.`).update(body).digest("base64");
  return base64.replaceAll("+", "-").replaceAll("/", "_");
}

// `now` is the event's own time: the signature tests below are about the signature, and the
// default tolerance would reject a 2022 event today (tested on its own further down).
const request = (body, overrides = {}) => ({
  secret: SECRET,
  signature: "signature" in overrides ? overrides.signature : meldSignature(body),
  timestamp: TIMESTAMP,
  url: URL,
  body,
  now: AT,
  ...overrides,
});

const ascii = JSON.stringify({
  eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE",
  eventId: "evt_1",
  timestamp: TIMESTAMP,
  payload: { connectionId: "conn_1", oldStatus: "ACTIVE", newStatus: "RECONNECT_REQUIRED", newStatusReason: "LOGIN_REQUIRED" },
});
const unicode = JSON.stringify({ eventType: "WEBHOOK_TEST", payload: { institutionName: "Banco Azteca — Mérida 🏦 «ñ»" } });

// ---------------------------------------------------------------- verifyWebhookSignature

test("the signature is padded base64url, as Meld sends it", () => {
  const signature = meldSignature(ascii);
  assert.equal(signature.length, 44);
  assert.match(signature, /^[A-Za-z0-9_-]{43}=$/);
});

test("signatures computed with node:crypto verify: ASCII, unicode, bytes and empty bodies", async () => {
  for (const body of [ascii, unicode, ""]) {
    assert.equal(await verifyWebhookSignature(request(body)), true, body);
  }
  for (const text of [ascii, unicode, ""]) {
    const signature = meldSignature(text);
    const bytes = new TextEncoder().encode(text);
    assert.equal(await verifyWebhookSignature(request(bytes, { signature })), true, "Uint8Array");
    assert.equal(await verifyWebhookSignature(request(Buffer.from(text), { signature })), true, "Buffer");
    assert.equal(await verifyWebhookSignature(request(bytes.buffer, { signature })), true, "ArrayBuffer");
  }
});

test("the signature covers the raw bytes, not the text they decode to", async () => {
  // Latin-1 bytes are not UTF-8: decoding and re-encoding them would change the MAC.
  const raw = Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]);
  const signature = meldSignature(raw);
  assert.equal(await verifyWebhookSignature(request(raw, { signature })), true);
  assert.equal(await verifyWebhookSignature(request(raw.toString("utf8"), { signature })), false);
  // A view into a larger buffer signs only its own bytes.
  const framed = Buffer.concat([Buffer.from("xx"), raw, Buffer.from("yy")]).subarray(2, 2 + raw.length);
  assert.equal(await verifyWebhookSignature(request(framed, { signature })), true);
});

test("the padding may be left off, nothing else", async () => {
  const signature = meldSignature(ascii);
  assert.equal(await verifyWebhookSignature(request(ascii, { signature: signature.slice(0, -1) })), true);
  assert.equal(await verifyWebhookSignature(request(ascii, { signature: ` ${signature}\n` })), true, "header whitespace");
  assert.equal(await verifyWebhookSignature(request(ascii, { signature: `${signature}=` })), false);
  assert.equal(await verifyWebhookSignature(request(ascii, { signature: `${signature.slice(0, -1)}A` })), false);
});

test("anything tampered with does not verify", async () => {
  const signature = meldSignature(ascii);
  const tampered = [
    { body: ascii.replace("RECONNECT_REQUIRED", "ACTIVE") },
    { body: `${ascii} ` },
    { body: JSON.stringify(JSON.parse(ascii), null, 2) },
    { timestamp: "2022-05-26T20:25:18.682818Z" },
    { url: "https://api.example.com/meld/webhooks" },
    { url: URL.replace("https", "http") },
    { secret: `${SECRET}x` },
    { secret: SECRET.toUpperCase() },
  ];
  for (const change of tampered) {
    assert.equal(await verifyWebhookSignature({ ...request(ascii), signature, ...change }), false, JSON.stringify(change));
  }
});

test("signatures of the wrong length or alphabet do not verify", async () => {
  const signature = meldSignature(ascii);
  for (const wrong of ["", "=", signature.slice(0, 20), signature.slice(1), `${signature}A`, `${signature}${signature}`, "A".repeat(10_000)]) {
    assert.equal(await verifyWebhookSignature(request(ascii, { signature: wrong })), false, wrong.slice(0, 50));
  }
  // Standard base64 ("+", "/") is not Meld's encoding.
  let body = ascii;
  for (let i = 0; !/[-_]/.test(meldSignature(body)); i++) body = `${ascii}${" ".repeat(i)}`;
  const standard = meldSignature(body).replaceAll("-", "+").replaceAll("_", "/");
  assert.equal(await verifyWebhookSignature(request(body, { signature: standard })), false);
});

const rejectsInvalid = (promise, says) =>
  assert.rejects(promise, (error) => {
    assert.ok(error instanceof MeldRepairError, "a MeldRepairError");
    assert.equal(error.code, "INVALID_OPTIONS");
    assert.equal(error.retryable, false);
    if (says) assert.match(error.message, says);
    return true;
  });

test("bad arguments reject with INVALID_OPTIONS", async () => {
  await rejectsInvalid(verifyWebhookSignature(), /secret, signature, timestamp, url, body/);
  await rejectsInvalid(verifyWebhookSignature(null));
  await rejectsInvalid(verifyWebhookSignature("secret"));
  const cases = [
    [{ secret: undefined }, /secret/],
    [{ secret: "" }, /secret/],
    [{ secret: 42 }, /secret/],
    [{ signature: undefined }, /signature must be a string, the meld-signature header; got undefined/],
    [{ signature: ["a", "b"] }, /signature/],
    [{ timestamp: 1653596717 }, /timestamp must be a string/],
    [{ timestamp: null }, /got null/],
    [{ url: undefined }, /url/],
    [{ body: JSON.parse(ascii) }, /raw request body/],
    [{ body: undefined }, /body/],
    [{ body: 12 }, /body/],
    [{ toleranceSeconds: -1 }, /toleranceSeconds/],
    [{ toleranceSeconds: "300" }, /toleranceSeconds/],
    [{ toleranceSeconds: NaN }, /toleranceSeconds/],
    [{ toleranceSeconds: null }, /toleranceSeconds/],
    [{ toleranceSeconds: 300, now: "today" }, /now/],
    [{ toleranceSeconds: 300, now: new Date(NaN) }, /now/],
  ];
  for (const [change, says] of cases) await rejectsInvalid(verifyWebhookSignature(request(ascii, change)), says);
});

test("toleranceSeconds rejects stale and far-future timestamps, and unreadable ones", async () => {
  const within = { toleranceSeconds: 300, now: AT + 299_000 };
  assert.equal(await verifyWebhookSignature(request(ascii, within)), true);
  assert.equal(await verifyWebhookSignature(request(ascii, { toleranceSeconds: 300, now: new Date(AT - 299_000) })), true, "a Date");
  assert.equal(await verifyWebhookSignature(request(ascii, { toleranceSeconds: 300, now: AT + 301_000 })), false, "stale");
  assert.equal(await verifyWebhookSignature(request(ascii, { toleranceSeconds: 300, now: AT - 301_000 })), false, "future");
  assert.equal(await verifyWebhookSignature(request(ascii, { toleranceSeconds: 0, now: AT })), true, "exact");

  const offset = "2022-05-26T22:25:17.682818+02:00";
  assert.equal(await verifyWebhookSignature({ ...request(ascii, within), timestamp: offset, signature: meldSignature(ascii, { timestamp: offset }) }), true, "offset");
  const seconds = String(Math.floor(AT / 1000));
  assert.equal(await verifyWebhookSignature({ ...request(ascii, within), timestamp: seconds, signature: meldSignature(ascii, { timestamp: seconds }) }), true, "Unix seconds");

  for (const timestamp of ["yesterday", "", "2022-05-26", "2022-05-26T20:25:17", "2022-13-26T20:25:17Z", "May 26 2022 20:25:17 GMT"]) {
    const signed = { ...request(ascii), timestamp, signature: meldSignature(ascii, { timestamp }) };
    assert.equal(await verifyWebhookSignature({ ...signed, toleranceSeconds: Infinity }), true, `opted out, the signature alone counts: ${timestamp}`);
    assert.equal(await verifyWebhookSignature(signed), false, `unreadable under the default tolerance: ${timestamp}`);
    assert.equal(await verifyWebhookSignature({ ...signed, toleranceSeconds: 1e12, now: AT }), false, `unreadable: ${timestamp}`);
  }
});

test("by default a timestamp more than 300 s away is a replay; Infinity opts out", async () => {
  const { now, ...replayed } = request(ascii); // a genuine 2022 event, sent again today
  assert.equal(await verifyWebhookSignature(replayed), false, "a signed event from 2022 today");
  assert.equal(await verifyWebhookSignature({ ...replayed, toleranceSeconds: Infinity }), true, "explicit opt-out");
  assert.equal(await verifyWebhookSignature(request(ascii, { now: AT + 300_000 })), true, "300 s late");
  assert.equal(await verifyWebhookSignature(request(ascii, { now: AT + 301_000 })), false, "301 s late");
  assert.equal(await verifyWebhookSignature(request(ascii, { now: AT - 301_000 })), false, "301 s early");
  const fresh = new Date().toISOString();
  const live = { ...replayed, timestamp: fresh, signature: meldSignature(ascii, { timestamp: fresh }) };
  assert.equal(await verifyWebhookSignature(live), true, "an event signed just now, against the clock");
});

// ---------------------------------------------------------------- interpretWebhook

const webhook = (eventType, payload = {}) => ({
  eventType,
  eventId: "evt_9",
  timestamp: TIMESTAMP,
  accountId: "acc_1",
  profileId: "prof_1",
  version: "2021-10-28",
  payload: { customerId: "cus_1", externalCustomerId: "user-42", connectionId: "conn_1", institutionId: "ins_1", institutionName: "First Platypus Bank", ...payload },
});

const FIELDS = [
  "kind", "eventType", "eventId", "timestamp", "connectionId", "customerId", "externalCustomerId", "institutionId",
  "institutionName", "requestId", "legacy", "promptCustomer", "stopPrompts", "dataChanged", "refetch", "previousStatus",
  "decision", "explanation", "note",
];

// [event type, kind, has a decision, promptCustomer, stopPrompts, refetch, legacy]
const EVENTS = [
  ["BANK_LINKING_CONNECTION_STATUS_CHANGE", "status_change", true, true, false, null, false],
  ["BANK_LINKING_CUSTOMER_ACTION_REQUIRED", "status_change", true, true, false, null, true],
  ["BANK_LINKING_CONNECTION_COMPLETED", "connection_completed", false, false, true, null, false],
  ["BANK_LINKING_CONNECTION_DELETED", "connection_deleted", false, false, true, null, false],
  ["BANK_LINKING_ACCOUNTS_UPDATING", "accounts_updating", false, false, false, null, false],
  ["BANK_LINKING_ACCOUNTS_UPDATED", "accounts_updated", false, false, false, "accounts", false],
  ["BANK_LINKING_ACCOUNTS_REMOVED", "accounts_removed", false, false, false, "accounts", false],
  ["BANK_LINKING_NEW_ACCOUNTS_AVAILABLE", "new_accounts_available", true, true, false, null, false],
  ["BANK_LINKING_TRANSACTIONS_AGGREGATED", "transactions_updated", false, false, false, "transactions", false],
  ["BANK_LINKING_HISTORICAL_TRANSACTIONS_AGGREGATED", "historical_transactions_updated", false, false, false, "transactions", false],
  ["WEBHOOK_TEST", "test", false, false, false, null, false],
  ["BANK_LINKING_SOMETHING_NEW", "unknown", false, false, false, null, false],
];

test("every event comes back as a plain object a server can switch on", () => {
  for (const [eventType, kind, decided, prompt, stop, refetch, legacy] of EVENTS) {
    const got = interpretWebhook(webhook(eventType, { newStatus: "RECONNECT_REQUIRED", newStatusReason: "LOGIN_REQUIRED" }));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepEqual(Object.keys(got).sort(), [...FIELDS].sort(), eventType);
    assert.equal(got.kind, kind, eventType);
    assert.equal(got.eventType, eventType);
    assert.equal(got.eventId, "evt_9");
    assert.equal(got.timestamp, TIMESTAMP);
    assert.equal(got.connectionId, "conn_1");
    assert.equal(got.customerId, "cus_1");
    assert.equal(got.externalCustomerId, "user-42");
    assert.equal(got.institutionId, "ins_1");
    assert.equal(got.institutionName, "First Platypus Bank");
    assert.equal(got.decision !== null, decided, eventType);
    assert.equal(got.explanation !== null, decided, eventType);
    assert.equal(got.promptCustomer, prompt, eventType);
    assert.equal(got.stopPrompts, stop, eventType);
    assert.equal(got.refetch, refetch, eventType);
    assert.equal(got.dataChanged, refetch !== null, eventType);
    assert.equal(got.legacy, legacy, eventType);
    assert.ok(got.note.length > 20, eventType);
  }
});

test("a status change carries what decide() and explain() say about the new status", () => {
  const payload = { oldStatus: "active", status: "RECONNECT_REQUIRED", statusReason: "TOKEN_EXPIRED" };
  const got = interpretWebhook(webhook("BANK_LINKING_CONNECTION_STATUS_CHANGE", payload), { locale: "es" });
  const connection = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "TOKEN_EXPIRED", institutionName: "First Platypus Bank" };
  assert.deepEqual(got.decision, decide(connection));
  assert.deepEqual(got.explanation, explain(connection, { locale: "es" }));
  assert.equal(got.explanation.locale, "es");
  assert.equal(got.previousStatus, "ACTIVE");
  assert.equal(got.promptCustomer, got.decision.customerInvolved);
  assert.equal(got.decision.openWidget, true);
});

test("both spellings of the payload's status fields, and the legacy event", () => {
  const spellings = [
    { newStatus: "DEGRADED", newStatusReason: "INSTITUTION_CURRENTLY_UNAVAILABLE", oldStatus: "ACTIVE" },
    { status: "DEGRADED", statusReason: "INSTITUTION_CURRENTLY_UNAVAILABLE", previousStatus: "ACTIVE" },
    { status: "degraded", reason: "institution_currently_unavailable", previousStatus: "ACTIVE" },
  ];
  for (const payload of spellings) {
    const got = interpretWebhook(webhook("BANK_LINKING_CONNECTION_STATUS_CHANGE", payload));
    assert.equal(got.decision.status, "DEGRADED", JSON.stringify(payload));
    assert.equal(got.decision.statusReason, "INSTITUTION_CURRENTLY_UNAVAILABLE");
    assert.equal(got.decision.action, "wait");
    assert.equal(got.previousStatus, "ACTIVE");
    assert.equal(got.promptCustomer, false);
    assert.equal(got.stopPrompts, true);
  }
  const legacy = interpretWebhook(webhook(" bank_linking_customer_action_required ", {}));
  assert.equal(legacy.kind, "status_change");
  assert.equal(legacy.legacy, true);
  assert.equal(legacy.decision.status, "RECONNECT_REQUIRED");
  assert.equal(legacy.decision.legacyStatus, "CUSTOMER_ACTION_REQUIRED");
  assert.equal(legacy.promptCustomer, true);
});

test("new accounts: an optional repair; the test event: its requestId; unknown events: kept", () => {
  const accounts = interpretWebhook(webhook("BANK_LINKING_NEW_ACCOUNTS_AVAILABLE"));
  assert.equal(accounts.decision.status, "ACTIVE");
  assert.equal(accounts.decision.statusReason, "NEW_ACCOUNTS_AVAILABLE");
  assert.equal(accounts.decision.urgency, "optional");
  assert.equal(accounts.explanation.code, "new_accounts_available");

  const ping = interpretWebhook({ eventType: "WEBHOOK_TEST", eventId: "evt_t", payload: { requestId: "req_1" } });
  assert.equal(ping.kind, "test");
  assert.equal(ping.requestId, "req_1");
  assert.equal(ping.connectionId, null);

  for (const eventType of ["PAYMENTS_SOMETHING", "", "  "]) {
    const got = interpretWebhook({ eventType });
    assert.equal(got.kind, "unknown", JSON.stringify(eventType));
    assert.equal(got.decision, null);
  }
});

test("a healthy status change withdraws prompts; an unknown status neither asks nor withdraws", () => {
  const healed = interpretWebhook(webhook("BANK_LINKING_CONNECTION_STATUS_CHANGE", { oldStatus: "DEGRADED", newStatus: "ACTIVE" }));
  assert.equal(healed.decision.action, "none");
  assert.equal(healed.explanation.severity, "success");
  assert.deepEqual([healed.promptCustomer, healed.stopPrompts], [false, true]);

  const unknown = interpretWebhook(webhook("BANK_LINKING_CONNECTION_STATUS_CHANGE", { newStatus: "SOMETHING_NEW" }));
  assert.equal(unknown.decision.recognized, false);
  assert.deepEqual([unknown.promptCustomer, unknown.stopPrompts], [false, false]);
});

const rejectsWith = (code, run, says) =>
  assert.throws(run, (error) => {
    assert.ok(error instanceof MeldRepairError, "a MeldRepairError");
    assert.equal(error.code, code);
    assert.equal(error.retryable, false);
    if (says) assert.match(error.message, says);
    return true;
  });

test("a body that is not a webhook throws INVALID_WEBHOOK", () => {
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook(), /got undefined/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook(null));
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook([webhook("WEBHOOK_TEST")]), /an array/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook(ascii), /parse the JSON/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook({}), /webhook\.eventType must be a string/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook({ eventType: 7 }), /a number/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook({ eventType: "WEBHOOK_TEST", payload: "{}" }), /webhook\.payload/);
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook({ eventType: "WEBHOOK_TEST", payload: [] }), /webhook\.payload/);
  const hostile = { eventType: "WEBHOOK_TEST", get payload() { throw new Error("boom"); } };
  rejectsWith("INVALID_WEBHOOK", () => interpretWebhook(hostile), /threw/);
  rejectsWith("INVALID_OPTIONS", () => interpretWebhook(webhook("WEBHOOK_TEST"), "es"), /options/);
  rejectsWith("INVALID_OPTIONS", () => interpretWebhook(webhook("WEBHOOK_TEST"), { locale: 3 }), /locale/);
  assert.equal(interpretWebhook({ eventType: "WEBHOOK_TEST", payload: null }).kind, "test");
});

test("a server's whole path: verify the raw body, parse it, interpret it", async () => {
  const raw = Buffer.from(ascii);
  const headers = { "meld-signature": meldSignature(raw), "meld-signature-timestamp": TIMESTAMP };
  const verified = await verifyWebhookSignature({
    secret: SECRET,
    signature: headers["meld-signature"],
    timestamp: headers["meld-signature-timestamp"],
    url: URL,
    body: raw,
    toleranceSeconds: 300,
    now: AT + 1000,
  });
  assert.equal(verified, true);
  const event = interpretWebhook(JSON.parse(raw.toString("utf8")));
  assert.equal(event.kind, "status_change");
  assert.equal(event.promptCustomer, true);
  assert.equal(event.decision.code, "login_required");
  assert.equal(event.explanation.code, "login_required");
});
