// The request handlers of meld-repair/server through the built package: called with real
// `Request`s, and mounted with toNodeHandler on a real node:http server, against the simulated
// Meld API over HTTP.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";
import { decide, interpretWebhook } from "meld-repair";
import { createConnectionHandler, createMeldClient, createRepairTokenHandler, createWebhookHandler, toNodeHandler } from "meld-repair/server";
import { SIM_API_KEY, createMeldApi, serveMeldApi } from "../../sim/meld-api.mjs";

const meld = createMeldApi();
let meldServer;
let client;
let authorized; // the connection ids the signed-in user owns
let authorizeCalls;
const authorize = async (request, connectionId) => {
  authorizeCalls.push({ cookie: request.headers.get("cookie"), connectionId });
  return authorized.has(connectionId);
};

before(async () => {
  meldServer = await serveMeldApi(meld);
  client = createMeldClient({ apiKey: SIM_API_KEY, baseUrl: meldServer.url });
});
after(() => meldServer.close());
beforeEach(() => {
  meld.reset();
  authorized = new Set(["conn_login_required", "conn_active", "conn_nope"]);
  authorizeCalls = [];
});

const APP = "https://app.example";
const postJson = (body, init = {}) =>
  new Request(`${APP}/api/meld/repair-token`, { method: "POST", headers: { "Content-Type": "application/json", Cookie: "session=s1" }, body: typeof body === "string" ? body : JSON.stringify(body), ...init });

async function expectRefusal(response, status, code) {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("cache-control"), "no-store");
  const body = await response.json();
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(typeof body.message, "string");
  return body;
}

describe("createRepairTokenHandler", () => {
  const handler = () => createRepairTokenHandler({ client, authorize });

  test("mints Meld's repair token for a connection decide sends to the widget", async () => {
    const response = await handler()(postJson({ connectionId: "conn_login_required" }));
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.id, "conn_login_required");
    assert.match(body.connectToken, /^eyJ/);
    assert.deepEqual(authorizeCalls, [{ cookie: "session=s1", connectionId: "conn_login_required" }]);
    assert.equal(meld.counts().repairsMinted, 1);
  });

  test("a connection that does not need the widget: 409 REPAIR_NOT_NEEDED with the decision, no repair call", async () => {
    const body = await expectRefusal(await handler()(postJson({ connectionId: "conn_active" })), 409, "REPAIR_NOT_NEEDED");
    assert.deepEqual(body.decision, decide(meld.connection("conn_active")));
    assert.equal(meld.counts().repairsMinted, 0);
    assert.equal(meld.counts().requests, 1, "only the read");
  });

  test("the decision is Meld's current one, not the browser's copy", async () => {
    meld.completeRepair("conn_login_required"); // repaired in another tab meanwhile
    const body = await expectRefusal(await handler()(postJson({ connectionId: "conn_login_required" })), 409, "REPAIR_NOT_NEEDED");
    assert.equal(body.decision.status, "ACTIVE");
  });

  test("POST only; a JSON { connectionId } body; a size limit", async () => {
    const get = await handler()(new Request(`${APP}/api/meld/repair-token`));
    await expectRefusal(get, 405, "METHOD_NOT_ALLOWED");
    assert.equal(get.headers.get("allow"), "POST");
    for (const body of ["", "{connectionId:", "null", "[]", "{}", '{"connectionId":42}', '{"connectionId":""}', '{"connectionId":"../../x"}', JSON.stringify({ connectionId: "x".repeat(200) })]) {
      await expectRefusal(await handler()(postJson(body)), 400, "INVALID_REQUEST");
    }
    const small = createRepairTokenHandler({ client, authorize, maxBodyBytes: 64 });
    await expectRefusal(await small(postJson({ connectionId: "conn_login_required", padding: "x".repeat(100) })), 413, "REQUEST_TOO_LARGE");
    // Streamed, with no Content-Length to go by.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(20)));
        controller.close();
      },
    });
    await expectRefusal(await small(new Request(`${APP}/t`, { method: "POST", body: stream, duplex: "half" })), 413, "REQUEST_TOO_LARGE");
    assert.deepEqual(authorizeCalls, []);
    assert.equal(meld.counts().requests, 0);
  });

  test("authorize must resolve true, else 403 and no call to Meld", async () => {
    for (const answer of [false, "yes", 1, undefined]) {
      const h = createRepairTokenHandler({ client, authorize: () => answer });
      await expectRefusal(await h(postJson({ connectionId: "conn_login_required" })), 403, "FORBIDDEN");
    }
    await expectRefusal(await handler()(postJson({ connectionId: "conn_token_expired" })), 403, "FORBIDDEN");
    assert.equal(meld.counts().requests, 0);
  });

  test("Meld's failures become statuses the front end can act on, with Meld's requestId", async () => {
    const notFound = await expectRefusal(await handler()(postJson({ connectionId: "conn_nope" })), 404, "CONNECTION_NOT_FOUND");
    assert.match(notFound.requestId, /^[0-9a-f]{24}$/);
    meld.failNext(503, 503, 503);
    const down = await expectRefusal(await handler()(postJson({ connectionId: "conn_login_required" })), 503, "MELD_UNAVAILABLE");
    assert.equal(down.retryable, true);
    const wrongKey = createMeldClient({ apiKey: "sk_wrong_key", baseUrl: meldServer.url });
    const refused = await createRepairTokenHandler({ client: wrongKey, authorize })(postJson({ connectionId: "conn_login_required" }));
    const body = await expectRefusal(refused, 502, "MELD_AUTH_FAILED");
    assert.doesNotMatch(JSON.stringify(body), /sk_wrong_key/);
  });

  test("a rate limit is passed on with Retry-After", async () => {
    const limited = { getConnection: client.getConnection, repairToken: async () => { throw Object.assign(new (await import("meld-repair")).MeldRepairError("MELD_RATE_LIMITED", "slow down", true), { retryAfterSeconds: 60 }); } };
    const response = await createRepairTokenHandler({ client: limited, authorize })(postJson({ connectionId: "conn_login_required" }));
    await expectRefusal(response, 429, "MELD_RATE_LIMITED");
    assert.equal(response.headers.get("retry-after"), "60");
  });

  test("an unexpected error is a 500 without details, told to onError", async () => {
    const errors = [];
    const h = createRepairTokenHandler({ client, authorize: () => { throw new Error("db down at 10.0.0.5"); }, onError: (e) => errors.push(e) });
    const body = await expectRefusal(await h(postJson({ connectionId: "conn_login_required" })), 500, "INTERNAL_ERROR");
    assert.doesNotMatch(body.message, /10\.0\.0\.5/);
    assert.equal(errors[0].message, "db down at 10.0.0.5");
  });

  test("bad options are INVALID_OPTIONS", () => {
    for (const options of [undefined, {}, { client }, { authorize }, { client: {}, authorize }, { client, authorize: true }, { client, authorize, maxBodyBytes: 0 }, { client, authorize, onError: 1 }]) {
      assert.throws(() => createRepairTokenHandler(options), { code: "INVALID_OPTIONS" });
    }
  });
});

describe("createConnectionHandler", () => {
  const handler = () => createConnectionHandler({ client, authorize });
  test("GET ?connectionId= → Meld's connection", async () => {
    const response = await handler()(new Request(`${APP}/api/meld/connection?connectionId=conn_active`));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), meld.connection("conn_active"));
    await expectRefusal(await handler()(new Request(`${APP}/c`)), 400, "INVALID_REQUEST");
    await expectRefusal(await handler()(new Request(`${APP}/c?connectionId=conn_token_expired`)), 403, "FORBIDDEN");
    await expectRefusal(await handler()(new Request(`${APP}/c?connectionId=conn_nope`)), 404, "CONNECTION_NOT_FOUND");
    await expectRefusal(await handler()(new Request(`${APP}/c?connectionId=conn_active`, { method: "POST" })), 405, "METHOD_NOT_ALLOWED");
  });
});

// ---------------------------------------------------------------- webhooks

const SECRET = "whsec_test_5f1a";
const HOOK_URL = "https://app.example/api/meld/webhook";
const sign = (timestamp, body, url = HOOK_URL) => createHmac("sha256", SECRET).update(`${timestamp}.${url}.`).update(body).digest("base64url") + "=";
const statusChange = (eventId, newStatus = "RECONNECT_REQUIRED") =>
  JSON.stringify({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", eventId, timestamp: new Date().toISOString(), payload: { connectionId: "conn_1", oldStatus: "ACTIVE", newStatus, newStatusReason: "LOGIN_REQUIRED", institutionName: "Banco — Mérida 🏦" } });

function delivery(body, { timestamp = new Date().toISOString(), signature = sign(timestamp, body), url = HOOK_URL } = {}) {
  return new Request(url, { method: "POST", headers: { "Content-Type": "application/json", "meld-signature": signature, "meld-signature-timestamp": timestamp }, body });
}

describe("createWebhookHandler", () => {
  test("verified events reach onEvent once each, interpreted; 200", async () => {
    const events = [];
    const handler = createWebhookHandler({ secret: SECRET, url: HOOK_URL, onEvent: (interpretation, event) => events.push({ interpretation, event }) });
    const body = statusChange("evt_1");
    const response = await handler(delivery(body));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, duplicate: false });
    assert.deepEqual(events[0].interpretation, interpretWebhook(JSON.parse(body)));
    assert.equal(events[0].interpretation.promptCustomer, true);
    const again = await handler(delivery(body)); // Meld's retry of the same event
    assert.deepEqual(await again.json(), { received: true, duplicate: true });
    assert.equal(events.length, 1);
  });

  test("a wrong or missing signature, another URL, or a replay: 401 and onEvent is not called", async () => {
    let called = 0;
    const handler = createWebhookHandler({ secret: SECRET, url: HOOK_URL, onEvent: () => called++ });
    const body = statusChange("evt_2");
    const old = "2022-05-26T20:25:17.682818Z";
    const cases = [
      delivery(body, { signature: sign(new Date().toISOString(), `${body} `) }),
      delivery(body, { signature: sign(new Date().toISOString(), body, "https://app.example/other") }),
      delivery(body, { timestamp: old, signature: sign(old, body) }),
      new Request(HOOK_URL, { method: "POST", body }),
    ];
    for (const request of cases) await expectRefusal(await handler(request), 401, "INVALID_SIGNATURE");
    assert.equal(called, 0);
    const noReplayCheck = createWebhookHandler({ secret: SECRET, url: HOOK_URL, toleranceSeconds: Infinity, onEvent: () => called++ });
    assert.equal((await noReplayCheck(delivery(body, { timestamp: old, signature: sign(old, body) }))).status, 200, "explicit opt-out");
    assert.equal(called, 1);
  });

  test("onEvent throws: 500 so Meld sends it again, and the retry is handled", async () => {
    let attempts = 0;
    const errors = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      url: HOOK_URL,
      onEvent: async () => {
        if (++attempts === 1) throw new Error("queue full");
      },
      onError: (e) => errors.push(e.message),
    });
    const body = statusChange("evt_3");
    await expectRefusal(await handler(delivery(body)), 500, "EVENT_HANDLER_FAILED");
    assert.equal((await handler(delivery(body))).status, 200);
    assert.equal(attempts, 2);
    assert.deepEqual(errors, ["queue full"]);
  });

  test("a pluggable, async seen store; signed bodies that are not webhooks are 400", async () => {
    const store = new Map();
    const seen = { has: async (id) => store.has(id), add: async (id) => void store.set(id, true) };
    let called = 0;
    const handler = createWebhookHandler({ secret: SECRET, url: HOOK_URL, seen, onEvent: () => called++ });
    await handler(delivery(statusChange("evt_4")));
    assert.deepEqual([...store.keys()], ["evt_4"]);
    await handler(delivery(statusChange("evt_4")));
    assert.equal(called, 1);
    await expectRefusal(await handler(delivery("not json")), 400, "INVALID_WEBHOOK");
    await expectRefusal(await handler(delivery('{"payload":{}}')), 400, "INVALID_WEBHOOK");
    await expectRefusal(await handler(new Request(HOOK_URL)), 405, "METHOD_NOT_ALLOWED");
  });

  test("the default store forgets the oldest past 10 000 events", async () => {
    let called = 0;
    const handler = createWebhookHandler({ secret: SECRET, url: HOOK_URL, toleranceSeconds: Infinity, onEvent: () => called++ });
    const timestamp = new Date().toISOString();
    const body = (i) => `{"eventType":"WEBHOOK_TEST","eventId":"evt_${i}"}`;
    for (let i = 0; i <= 10_000; i++) await handler(delivery(body(i), { timestamp }));
    await handler(delivery(body(10_000), { timestamp }));
    assert.equal(called, 10_001, "the newest is remembered");
    await handler(delivery(body(0), { timestamp }));
    assert.equal(called, 10_002, "the oldest was forgotten");
  });

  test("bad options are INVALID_OPTIONS", () => {
    const onEvent = () => {};
    for (const options of [undefined, { url: HOOK_URL, onEvent }, { secret: SECRET, onEvent }, { secret: SECRET, url: "relative", onEvent }, { secret: SECRET, url: HOOK_URL }, { secret: SECRET, url: HOOK_URL, onEvent, toleranceSeconds: -1 }, { secret: SECRET, url: HOOK_URL, onEvent, seen: {} }]) {
      assert.throws(() => createWebhookHandler(options), { code: "INVALID_OPTIONS" });
    }
  });
});

// ---------------------------------------------------------------- toNodeHandler

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("toNodeHandler on a real node:http server", () => {
  test("the repair-token route", async () => {
    const route = toNodeHandler(createRepairTokenHandler({ client, authorize }));
    const server = await listen((req, res) => route(req, res));
    try {
      const post = (connectionId) => fetch(`${server.url}/api/meld/repair-token`, { method: "POST", headers: { "Content-Type": "application/json", Cookie: "session=s2" }, body: JSON.stringify({ connectionId }) });
      const ok = await post("conn_login_required");
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).id, "conn_login_required");
      assert.equal(authorizeCalls[0].cookie, "session=s2");
      const healthy = await post("conn_active");
      assert.equal(healthy.status, 409);
      assert.equal((await healthy.json()).code, "REPAIR_NOT_NEEDED");
      const get = await fetch(`${server.url}/api/meld/repair-token`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get("allow"), "POST");
    } finally {
      await server.close();
    }
  });

  test("the webhook route gets the raw bytes, also after a body parser read them", async () => {
    const events = [];
    const route = toNodeHandler(createWebhookHandler({ secret: SECRET, url: HOOK_URL, onEvent: (i) => events.push(i.institutionName) }));
    // An Express-style express.raw(): the stream is read and the bytes left on req.body.
    const rawParsed = async (req, res) => {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      req.body = Buffer.concat(chunks);
      return route(req, res);
    };
    for (const handler of [route, rawParsed]) {
      const server = await listen((req, res) => handler(req, res));
      try {
        const body = statusChange(`evt_node_${events.length}`);
        const timestamp = new Date().toISOString();
        const response = await fetch(`${server.url}/api/meld/webhook`, { method: "POST", headers: { "meld-signature": sign(timestamp, body), "meld-signature-timestamp": timestamp }, body });
        assert.equal(response.status, 200);
      } finally {
        await server.close();
      }
    }
    assert.deepEqual(events, ["Banco — Mérida 🏦", "Banco — Mérida 🏦"]);
  });

  test("a handler that throws goes to next(), or ends with a 500", async () => {
    const passed = [];
    const route = toNodeHandler(() => Promise.reject(new Error("boom")));
    const server = await listen((req, res) => route(req, res, (error) => {
      passed.push(error.message);
      res.statusCode = 502;
      res.end();
    }));
    const bare = await listen((req, res) => route(req, res));
    try {
      assert.equal((await fetch(server.url)).status, 502);
      assert.deepEqual(passed, ["boom"]);
      assert.equal((await fetch(bare.url)).status, 500);
    } finally {
      await server.close();
      await bare.close();
    }
    assert.throws(() => toNodeHandler("handler"), { code: "INVALID_OPTIONS" });
  });
});
