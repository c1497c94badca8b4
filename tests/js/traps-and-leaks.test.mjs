// Issue #14, round two, in Node against the built package: a trap inside the token request
// settles start() with a retryable INTERNAL_ERROR (it used to surface in the event loop, with
// start() never settling), a fetch that answers something else than a Response is a coded
// failure, and 100,000 calls with hostile inputs leave wasm memory and the externref table
// flat (each caught getter exception used to keep a table slot: D10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { exported, newestInstance, trapNext, trapPending } from "./newest-instance.mjs";
import { withWindowEvents } from "./window-events.mjs";

const { advise, decide, defineCopy, explain, explainOutcome, interpretWebhook, MeldRepairError, RepairFlow, resetCopy, triage } = await import("meld-repair");

const CONNECTION = "WQ5RitxnrnggqcT8noLoZN";
const BROKEN = { id: CONNECTION, status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
const NOW = Math.floor(Date.now() / 1000);
const b64url = (text) => Buffer.from(text).toString("base64url");
const TOKEN = [b64url('{"alg":"HS256"}'), b64url(JSON.stringify({ connection: CONNECTION, exp: NOW + 3600 })), b64url("signature-0123456789")].join(".");
const ANSWER = { connectToken: TOKEN, widgetUrl: `https://institution-connect.meld.io/?connectToken=${TOKEN}`, id: CONNECTION, institutionId: "inst_1" };

const LONG = "x".repeat(20_001);
const footprint = () => ({ table: exported(WebAssembly.Table).length, memory: exported(WebAssembly.Memory).buffer.byteLength });

/** `promise`, or a rejection once `ms` pass: a start() that never settles fails the test fast. */
function within(promise, ms = 3_000) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A fetch that answers the token route with Meld's repair response. */
const answering = async () => new Response(JSON.stringify(ANSWER), { headers: { "Content-Type": "application/json" } });

/** Starts `flow` and closes it from the "open" statechange (Node has no document to show it in). */
function startUntilOpen(flow) {
  const states = [];
  flow.addEventListener("statechange", (event) => {
    states.push(event.detail);
    if (event.detail === "open") flow.close();
  });
  return within(flow.start(BROKEN)).then((outcome) => ({ states, outcome }));
}

test("a trap while the token request is made settles start() with a retryable INTERNAL_ERROR; the next start works and the app's wording stays", async () => {
  const restore = withWindowEvents();
  const realFetch = globalThis.fetch;
  globalThis.fetch = answering;
  try {
    defineCopy("en", { login_required: { title: "Sign in to {institution} again, please" } });
    const before = newestInstance();
    const flow = new RepairFlow({ tokenUrl: "https://app.example/api/meld/repair", retries: 2 });
    trapNext(/stringify/); // the body of the POST, made in wasm
    const outcome = await within(flow.start(BROKEN));
    assert.equal(trapPending(), false, "the injected trap was hit");
    assert.equal(outcome.status, "failed");
    assert.ok(outcome.error instanceof MeldRepairError);
    assert.equal(outcome.error.code, "INTERNAL_ERROR");
    assert.equal(outcome.error.retryable, true);
    assert.notEqual(newestInstance(), before, "the instance was replaced");
    assert.equal(explain(BROKEN).title, "Sign in to First Platypus Bank again, please", "defineCopy put back after a trap in the flow");
    const again = await startUntilOpen(flow);
    assert.deepEqual(again.states, ["fetching_token", "open", "cancelled"]);
  } finally {
    resetCopy();
    globalThis.fetch = realFetch;
    restore();
  }
});

test("a trap while the token answer is read settles start() with INTERNAL_ERROR too", async () => {
  const restore = withWindowEvents();
  try {
    const flow = new RepairFlow({ fetchToken: async () => ANSWER });
    trapNext(/now/); // Date.now, read to check the token's exp
    const outcome = await within(flow.start(BROKEN));
    assert.equal(trapPending(), false, "the injected trap was hit");
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.error.code, "INTERNAL_ERROR");
    assert.equal((await startUntilOpen(flow)).outcome.reason, "app_closed");
  } finally {
    restore();
  }
});

test("a trap in the session machine at start() ends that session failed (INTERNAL_ERROR), not a flow stuck running forever", async () => {
  const restore = withWindowEvents();
  try {
    decide(BROKEN); // remembered: start()'s decide makes no wasm call, so the next one is the machine's
    const flow = new RepairFlow({ fetchToken: async () => ANSWER });
    const states = [];
    flow.addEventListener("statechange", (event) => states.push(event.detail));
    trapNext(/./);
    const outcome = await within(flow.start(BROKEN));
    assert.equal(trapPending(), false, "the injected trap was hit");
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.error.code, "INTERNAL_ERROR");
    assert.equal(outcome.error.retryable, true);
    assert.deepEqual({ ...outcome, error: null, decision: null }, { status: "failed", connectionId: CONNECTION, decision: null, metadata: null, reason: null, error: null, dataArrivesByWebhook: false, note: null });
    assert.deepEqual(states, ["failed"]);
    assert.equal(flow.running, false);
    assert.equal((await startUntilOpen(flow)).outcome.reason, "app_closed", "the next start works");
  } finally {
    restore();
  }
});

for (const [what, fake] of [
  ["a plain object", async () => ({})],
  ["an object with a status but no body", async () => ({ status: 200, ok: true })],
  ["null", async () => null],
]) {
  test(`a fetch that answers ${what} instead of a Response (a broken polyfill or test double) is TOKEN_ENDPOINT_FAILED or INVALID_TOKEN_RESPONSE, never a hang`, async () => {
    const restore = withWindowEvents();
    const realFetch = globalThis.fetch;
    globalThis.fetch = fake;
    try {
      const flow = new RepairFlow({ tokenUrl: "https://app.example/api/meld/repair", retries: 0 });
      const outcome = await within(flow.start(BROKEN));
      assert.equal(outcome.status, "failed");
      assert.ok(["TOKEN_ENDPOINT_FAILED", "INVALID_TOKEN_RESPONSE"].includes(outcome.error.code), outcome.error.code);
    } finally {
      globalThis.fetch = realFetch;
      restore();
    }
  });
}

test("D10: triage of a list whose element answers only once: 10,000 calls leave the externref table flat", () => {
  const onceAnswering = () => {
    let reads = 0;
    const list = [{ id: "a", status: "ACTIVE" }];
    Object.defineProperty(list, 1, {
      enumerable: true,
      get() {
        if (++reads > 1) throw new Error("second read");
        return { id: "b", status: "RECONNECT_REQUIRED" };
      },
    });
    return list;
  };
  const call = () => triage(onceAnswering()).items.map((item) => item.connection?.id ?? null);
  // triage hands the app's own objects back, read a second time: one that throws then is absent.
  assert.deepEqual(call(), [null, "a"]);
  for (let i = 0; i < 1_000; i++) call();
  const before = footprint();
  for (let i = 0; i < 10_000; i++) call();
  const after = footprint();
  assert.ok(after.table - before.table <= 128, `externref table ${before.table} → ${after.table} slots`);
});

test("D10: 100,000 calls with hostile inputs leave the externref table and wasm memory flat", (t) => {
  const thrown = new Error("hostile");
  const throwing = () => {
    throw thrown;
  };
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const trap = new Proxy({}, { get: throwing, has: throwing, getOwnPropertyDescriptor: throwing, ownKeys: throwing });
  const hostile = [
    () => decide({ get status() { throw thrown; } }),
    () => decide(trap),
    () => decide(revoked.proxy),
    () => decide({ status: "RECONNECT_REQUIRED", get statusReason() { throw thrown; } }),
    () => advise({ status: "ACTIVE", products: new Proxy([], { get: throwing }) }, "add_products", { products: ["BALANCES"] }),
    () => advise({ status: "ACTIVE", products: [1, 2] }, "add_products", { products: ["BALANCES"] }),
    () => decide({ status: 42 }),
    () => decide({ status: LONG }),
    () => decide({ status: "ACTIVE" }, { refreshAttempts: "2" }),
    () => explain({ status: "ACTIVE", get institutionName() { throw thrown; } }),
    () => explain({ status: "ACTIVE" }, trap),
    () => advise({ status: "ACTIVE", serviceProviderDetails: trap }, "add_products", { products: ["BALANCES"] }),
    () => advise({ status: "ACTIVE" }, "FRESH_DATA"),
    () => triage([{ status: "ACTIVE" }, trap]),
    () => interpretWebhook({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", payload: trap }),
    () => explainOutcome({ status: "failed", get error() { throw thrown; } }),
    () => defineCopy("en", trap),
  ];
  const round = (count) => {
    let refused = 0;
    for (let i = 0; i < count; i++) {
      try {
        hostile[i % hostile.length]();
      } catch (error) {
        assert.ok(error instanceof MeldRepairError, `a coded error, got ${error}`);
        refused++;
      }
    }
    return refused;
  };
  // Stack traces are V8's cost, not the boundary's: 100,000 of them would dominate the time.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let before, after, started;
  try {
    round(2_000); // warm: the table and the allocator reach their working size
    before = footprint();
    started = performance.now();
    assert.equal(round(100_000), 100_000, "every call is refused with a coded error");
    after = footprint();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  t.diagnostic(`before ${JSON.stringify(before)} after ${JSON.stringify(after)} in ${Math.round(performance.now() - started)} ms`);
  assert.ok(performance.now() - started < 20_000, "fast enough to stay in npm test");
  assert.ok(after.table - before.table <= 128, `externref table ${before.table} → ${after.table} slots`);
  assert.ok(after.memory - before.memory <= 128 * 1024, `wasm memory ${before.memory} → ${after.memory} bytes`);
});
