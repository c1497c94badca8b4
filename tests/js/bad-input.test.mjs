// Bad input through the BUILT package, imported by name as an app would (Node, no DOM): the
// arguments of decide, explain, advise, defineCopy and interpretWebhook, RepairFlow's options,
// and the token answers a RepairFlow can get through fetchToken before it touches the page.
// One case per test; each names the exact outcome (a MeldRepairError with its code, or the
// exact value) and then checks that a correct call still gets the right answer.
//
// Several cases found library bugs when first written (docs/fuzzing.md lists them, all fixed);
// a new bug found here may be marked `todo` until it is fixed, then the marker goes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import {
  advise,
  decide,
  defineCopy,
  explain,
  interpretWebhook,
  MeldRepairError,
  RepairFlow,
  resetCopy,
} from "meld-repair";
import { withWindowEvents } from "./window-events.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIVE_MB = 5 * 1024 * 1024;
const NOW = Math.floor(Date.now() / 1000);
const CONNECTION = "WQ5RitxnrnggqcT8noLoZN";
const PROD = "https://institution-connect.meld.io";
const BROKEN = { id: CONNECTION, status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };

// ---------------------------------------------------------------- helpers

/** `fn()` throws a MeldRepairError with `code` whose message includes each fragment. */
function throwsCoded(fn, code, ...fragments) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof MeldRepairError, `a MeldRepairError, got ${error?.constructor?.name}: ${String(error?.message ?? error)}`);
    assert.ok(error instanceof Error);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `${JSON.stringify(error.message)} should mention ${JSON.stringify(fragment)}`);
    return true;
  });
}

/** The next, correct calls still answer right. */
function stillWorks() {
  const decision = decide({ id: "c1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" });
  assert.equal(decision.action, "repair");
  assert.equal(decision.code, "login_required");
  assert.equal(decision.connectionId, "c1");
  assert.equal(decide({ status: "ACTIVE" }).action, "none");
  assert.equal(decide({ status: "DEGRADED" }, { refreshAttempts: 1 }).retryAfterSeconds, 3600);
  assert.equal(explain({ status: "ACTIVE", institutionName: "Acme" }).title, "Acme is connected");
  assert.equal(explain({ status: "ACTIVE" }, { locale: "es-MX" }).title, "Tu banco está conectado");
  assert.equal(advise({ id: "c1", status: "ACTIVE" }, "fresh_data").path, "POST /bank-linking/connections/c1/refresh");
  assert.equal(interpretWebhook({ eventType: "WEBHOOK_TEST" }).kind, "test");
}

/** A case: runs `body`, then `stillWorks()`. `options` may carry `todo` for a known bug. */
function bad(name, options, body) {
  if (typeof options === "function") [options, body] = [{}, options];
  test(name, options, async () => {
    await body();
    stillWorks();
  });
}

function b64url(text) {
  return Buffer.from(text).toString("base64url");
}

/** A Meld-shaped connect token expiring at `exp` (seconds). */
function jwt(exp) {
  const payload = { iss: "meld.io", connection: CONNECTION, regions: ["US"], exp, iat: exp - 14_400 };
  return [b64url('{"alg":"HS256","typ":"JWT"}'), b64url(JSON.stringify(payload)), b64url("not-a-real-signature-0123456789")].join(".");
}

function answer(token = jwt(NOW + 3 * 3600), overrides = {}) {
  return { connectToken: token, widgetUrl: `${PROD}/?connectToken=${token}`, id: CONNECTION, institutionId: "Ntj3AwgdridJc2rtfeheku", ...overrides };
}

/** The window's events for the flow cases (./window-events.mjs), where they dispatch
 *  `pagehide`. Nothing else of a window: no document, so the widget can never open and only
 *  failures before it are tested. */
const windowEvents = new EventTarget();

/** A flow whose backend answers each request with the next of `answers` (a value, or a
 *  function of the call). */
function flowAnswering(answers, options = {}) {
  const calls = [];
  const flow = new RepairFlow({
    fetchToken: (connection, { signal }) => {
      calls.push({ connection, signal });
      const next = answers[Math.min(calls.length, answers.length) - 1];
      return typeof next === "function" ? next() : next;
    },
    timeoutMs: 2_000,
    ...options,
  });
  return { flow, calls };
}

/** Starts a repair whose token answer is bad: it fails before touching the page. */
async function failedWith(tokenAnswer, code, ...fragments) {
  const restore = withWindowEvents(windowEvents);
  try {
    // No retries: each case is about what one answer becomes (retries have their own tests).
    const { flow, calls } = flowAnswering([tokenAnswer, Promise.resolve({})], { retries: 0 });
    const outcome = await flow.start(BROKEN);
    assert.equal(outcome.status, "failed");
    assert.equal(flow.state, "failed");
    assert.equal(outcome.connectionId, CONNECTION);
    assert.equal(outcome.decision.code, "login_required");
    assert.ok(outcome.error instanceof MeldRepairError, `a MeldRepairError, got ${outcome.error}`);
    assert.equal(outcome.error.code, code, outcome.error.message);
    for (const fragment of fragments) assert.ok(outcome.error.message.includes(fragment), outcome.error.message);
    assert.equal(calls.length, 1);
    // The flow is not wedged: a second start asks again and ends again.
    const again = await flow.start(BROKEN);
    assert.equal(again.status, "failed");
    assert.equal(again.error.code, "INVALID_TOKEN_RESPONSE");
    assert.equal(calls.length, 2);
    return outcome.error;
  } finally {
    restore();
  }
}

/** Runs an ES module in a fresh Node process (for cases that break the module they run in). */
function inChild(source, nodeArgs = []) {
  const child = spawnSync(process.execPath, [...nodeArgs, "--input-type=module", "-e", source], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: child.status, stdout: child.stdout.trim(), stderr: child.stderr.trim() };
}

function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

// ---------------------------------------------------------------- decide / explain arguments

bad("decide(Symbol()) is INVALID_CONNECTION", () => {
  throwsCoded(() => decide(Symbol("conn")), "INVALID_CONNECTION", "connection must be an object, got another type");
});

bad("decide(BigInt) is INVALID_CONNECTION", () => {
  throwsCoded(() => decide(10n), "INVALID_CONNECTION", "connection must be an object, got another type");
});

bad("a proxy that throws on every get is INVALID_CONNECTION", () => {
  const hostile = new Proxy({ status: "ACTIVE" }, { get() { throw new Error("trap"); } });
  throwsCoded(() => decide(hostile), "INVALID_CONNECTION", "reading connection.status threw");
  throwsCoded(() => explain(hostile), "INVALID_CONNECTION", "reading connection.status threw");
});

bad("options that throw on get are INVALID_OPTIONS", () => {
  const hostile = new Proxy({ refreshAttempts: 1 }, { get() { throw new Error("trap"); } });
  throwsCoded(() => decide({ status: "ACTIVE" }, hostile), "INVALID_OPTIONS", "reading options.refreshAttempts threw");
  throwsCoded(() => explain({ status: "ACTIVE" }, hostile), "INVALID_OPTIONS", "reading options.refreshAttempts threw");
});

bad("a status String object is not a string", () => {
  throwsCoded(() => decide({ status: new String("ACTIVE") }), "INVALID_CONNECTION", "connection.status must be a string, got an object");
});

bad("a Symbol status is INVALID_CONNECTION", () => {
  throwsCoded(() => explain({ status: Symbol("ACTIVE") }), "INVALID_CONNECTION", "connection.status must be a string, got another type");
});

bad("a counting getter answers right (read once by the cache, once by wasm)", () => {
  let reads = 0;
  const connection = { get status() { reads += 1; return "UNRECOVERABLE"; }, statusReason: "GETTER_CASE_1" };
  assert.equal(decide(connection).code, "unrecoverable");
  assert.ok(reads >= 1 && reads <= 2, `${reads} reads`);
});

bad("a getter that answers differently each read does not poison later answers", () => {
  let reads = 0;
  const flip = { get status() { return reads++ === 0 ? "ACTIVE " : "RECONNECT_REQUIRED"; } };
  decide(flip);
  assert.equal(decide({ status: "ACTIVE " }).action, "none", "a plain ACTIVE connection must not be told to repair");
});

bad("an institution name getter that changes does not leak into another customer's text", () => {
  let reads = 0;
  const flip = { status: "ACTIVE", get institutionName() { return reads++ === 0 ? "Alice Credit Union" : "Mallory Savings"; } };
  explain(flip);
  assert.equal(explain({ status: "ACTIVE", institutionName: "Alice Credit Union" }).title, "Alice Credit Union is connected");
});

bad("frozen connection and options", () => {
  const decision = decide(Object.freeze({ ...BROKEN }), Object.freeze({ refreshAttempts: 0 }));
  assert.equal(decision.code, "login_required");
  assert.equal(explain(Object.freeze({ ...BROKEN }), Object.freeze({ locale: "es" })).title, "Vuelve a iniciar sesión en First Platypus Bank");
});

bad("null-prototype connection and options", () => {
  const connection = Object.assign(Object.create(null), { status: "degraded", statusReason: "institution_currently_unavailable" });
  const options = Object.assign(Object.create(null), { refreshAttempts: 2 });
  const decision = decide(connection, options);
  assert.deepEqual([decision.code, decision.retryAfterSeconds], ["institution_unavailable", 7200]);
});

bad("a connection made in another realm (node:vm, an iframe) is an object", () => {
  const connection = runInNewContext('({ id: "c9", status: "RECONNECT_REQUIRED", statusReason: "TOKEN_EXPIRED" })');
  assert.equal(decide(connection).code, "token_expired");
});

bad("a returned decision mutated by the app does not change the next answer", () => {
  const first = decide({ status: "EXPIRED" });
  first.action = "repair";
  first.openWidget = true;
  const second = decide({ status: "EXPIRED" });
  assert.deepEqual([second.action, second.openWidget], ["new_connection", false]);
});

bad("a 5 MB status is refused, naming the field; one of 20000 characters is kept, unrecognised", () => {
  throwsCoded(() => decide({ status: "q".repeat(FIVE_MB) }), "INVALID_CONNECTION", "connection.status must be a string, got a string longer than 20000 characters");
  const decision = decide({ status: "q".repeat(20_000) });
  assert.deepEqual([decision.recognized, decision.action, decision.code], [false, "wait", "unknown_status"]);
  assert.equal(decision.status.length, 20_000);
  assert.equal(decision.status[0], "Q");
});

bad("a 5 MB institution name is refused, naming the field; one of 20000 characters is woven in whole", () => {
  const broken = { status: "RECONNECT_REQUIRED", statusReason: "TOKEN_EXPIRED" };
  throwsCoded(() => explain({ ...broken, institutionName: "n".repeat(FIVE_MB) }), "INVALID_CONNECTION", "connection.institutionName must be a string or null, got a string longer than 20000 characters");
  const name = "n".repeat(20_000);
  assert.equal(explain({ ...broken, institutionName: name }).title, `Reconnect ${name}`);
});

bad("a NUL in the status makes it unknown", () => {
  const decision = decide({ status: "ACTIVE\u0000" });
  assert.deepEqual([decision.recognized, decision.status, decision.rawStatus], [false, "ACTIVE\u0000", "ACTIVE\u0000"]);
});

bad("Unicode spaces around the status are trimmed", () => {
  const decision = decide({ status: "\u00a0\u2003active\u3000", statusReason: "\u2028access_expiring_soon\t" });
  assert.deepEqual([decision.status, decision.statusReason, decision.code], ["ACTIVE", "ACCESS_EXPIRING_SOON", "access_expiring_soon"]);
});

bad("a status of only NEL (U+0085) is empty", () => {
  throwsCoded(() => decide({ status: "\u0085" }), "INVALID_CONNECTION", "connection.status must not be empty");
});

bad("a status of only a byte-order mark is not empty, and unknown", () => {
  assert.equal(decide({ status: "\ufeff" }).code, "unknown_status");
});

bad("a lone surrogate in the institution name becomes U+FFFD", () => {
  assert.equal(explain({ status: "ACTIVE", institutionName: "\ud800Bank" }).title, "\ufffdBank is connected");
});

bad("a digit-only status is an unknown status", () => {
  const decision = decide({ status: "200" });
  assert.deepEqual([decision.recognized, decision.retryAfterSeconds], [false, 3600]);
});

bad("refreshAttempts: Infinity is INVALID_OPTIONS", () => {
  throwsCoded(() => decide({ status: "DEGRADED" }, { refreshAttempts: Infinity }), "INVALID_OPTIONS", "options.refreshAttempts must be a whole number of at least 0, got a number");
});

bad("refreshAttempts: -Infinity is INVALID_OPTIONS", () => {
  throwsCoded(() => explain({ status: "DEGRADED" }, { refreshAttempts: -Infinity }), "INVALID_OPTIONS", "options.refreshAttempts");
});

bad("refreshAttempts: -0 is zero", () => {
  assert.equal(decide({ status: "DEGRADED" }, { refreshAttempts: -0 }).retryAfterSeconds, 1800);
});

bad("refreshAttempts past 2^53 saturates at a day", () => {
  assert.equal(decide({ status: "DEGRADED" }, { refreshAttempts: 2 ** 60 }).retryAfterSeconds, 86400);
  assert.equal(decide({ status: "DEGRADED" }, { refreshAttempts: Number.MAX_VALUE }).retryAfterSeconds, 86400);
});

bad("refreshAttempts as BigInt is INVALID_OPTIONS", () => {
  throwsCoded(() => decide({ status: "DEGRADED" }, { refreshAttempts: 1n }), "INVALID_OPTIONS", "got another type");
});

bad("refreshAttempts as a Symbol is INVALID_OPTIONS", () => {
  throwsCoded(() => decide({ status: "DEGRADED" }, { refreshAttempts: Symbol.iterator }), "INVALID_OPTIONS", "got another type");
});

bad("refreshAttempts as a Number object is INVALID_OPTIONS", () => {
  throwsCoded(() => decide({ status: "DEGRADED" }, { refreshAttempts: new Number(1) }), "INVALID_OPTIONS", "got an object");
});

bad("locale as a Symbol is INVALID_OPTIONS", () => {
  throwsCoded(() => explain({ status: "ACTIVE" }, { locale: Symbol("es") }), "INVALID_OPTIONS", "options.locale must be a string or null, got another type");
});

bad("odd locale strings fall back to English", () => {
  for (const locale of ["__proto__", "constructor", "\u0000", "-", "es\u0000", "x".repeat(20_000)]) {
    const text = explain({ status: "ACTIVE" }, { locale });
    assert.deepEqual([text.locale, text.title], ["en", "Your bank is connected"], JSON.stringify(locale.slice(0, 20)));
  }
});

bad("a revoked proxy as the connection is INVALID_CONNECTION", () => {
  throwsCoded(() => decide(revokedProxy()), "INVALID_CONNECTION");
});

bad("a revoked proxy as explain's options is INVALID_OPTIONS", () => {
  throwsCoded(() => explain({ status: "ACTIVE" }, revokedProxy()), "INVALID_OPTIONS");
});

// ---------------------------------------------------------------- advise arguments

bad("an intent as a Symbol is INVALID_INTENT", () => {
  throwsCoded(() => advise({ status: "ACTIVE" }, Symbol("fix")), "INVALID_INTENT", "got another type");
});

bad("a 5 MB intent is INVALID_INTENT", () => {
  throwsCoded(() => advise({ status: "ACTIVE" }, "f".repeat(FIVE_MB)), "INVALID_INTENT", "intent must be one of");
});

bad("an intent with a NUL is INVALID_INTENT", () => {
  throwsCoded(() => advise({ status: "ACTIVE" }, "fix\u0000"), "INVALID_INTENT", 'got "fix\u0000"');
});

bad("advise with refreshAttempts: NaN is INVALID_OPTIONS", () => {
  throwsCoded(() => advise({ status: "PARTIALLY_ACTIVE" }, "fix", { refreshAttempts: NaN }), "INVALID_OPTIONS", "options.refreshAttempts");
});

bad("a sparse products array is INVALID_OPTIONS", () => {
  // eslint-disable-next-line no-sparse-arrays
  throwsCoded(() => advise({ status: "ACTIVE" }, "add_products", { products: [, "OWNERS"] }), "INVALID_OPTIONS", "options.products must be an array of strings or null");
});

bad("an empty product name is INVALID_OPTIONS naming it", () => {
  throwsCoded(() => advise({ status: "ACTIVE" }, "add_products", { products: ["OWNERS", ""] }), "INVALID_OPTIONS", 'got ""');
});

bad("products as a Set is INVALID_OPTIONS", () => {
  throwsCoded(() => advise({ status: "ACTIVE" }, "add_products", { products: new Set(["OWNERS"]) }), "INVALID_OPTIONS", "got an object");
});

bad("lower-case products with spaces are read", () => {
  const connection = { id: "c1", status: "ACTIVE", products: ["TRANSACTIONS"], serviceProviderDetails: { serviceProvider: "plaid" } };
  assert.equal(advise(connection, "add_products", { products: [" owners ", "transactions"] }).operation, "update");
});

bad("migrate with status: null is INVALID_CONNECTION (only absent is allowed)", () => {
  throwsCoded(() => advise({ status: null, serviceProviderDetails: { serviceProvider: "PLAID" } }, "migrate"), "INVALID_CONNECTION", "connection.status must be a string, got null");
});

bad("serviceProviderDetails with a null prototype and a getter", () => {
  const details = Object.create(null, { serviceProvider: { get: () => "AKOYA", enumerable: true } });
  assert.equal(advise({ serviceProviderDetails: details }, "migrate").operation, "import");
});

bad("serviceProviderDetails that throws is INVALID_CONNECTION", () => {
  const details = { get serviceProvider() { throw new Error("nope"); } };
  throwsCoded(() => advise({ status: "ACTIVE", serviceProviderDetails: details }, "remove"), "INVALID_CONNECTION", "reading connection.serviceProviderDetails.serviceProvider threw");
});

bad("a products array whose element getter throws is INVALID_OPTIONS", () => {
  const products = Object.defineProperty([], 0, { get() { throw new Error("element"); }, enumerable: true });
  throwsCoded(() => advise({ status: "ACTIVE" }, "add_products", { products }), "INVALID_OPTIONS");
});

test("errors thrown through wasm do not break the module", () => {
  const result = inChild(`
    import { advise, decide } from "meld-repair";
    const products = Object.defineProperty([], 0, { get() { throw new Error("element"); }, enumerable: true });
    let escaped = 0;
    for (let i = 0; i < 5000; i++) {
      try { advise({ status: "ACTIVE" }, "add_products", { products }); } catch (error) { if (error.message === "element") escaped++; else break; }
    }
    let next;
    try { next = decide({ status: "RECONNECT_REQUIRED", statusReason: "fresh" }).action; } catch (error) { next = String(error); }
    console.log(JSON.stringify({ escaped, next }));
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout).next, "repair");
});

// ---------------------------------------------------------------- defineCopy arguments

bad("a texts entry whose getter throws is INVALID_COPY", () => {
  const texts = { get login_required() { throw new Error("getter"); } };
  throwsCoded(() => defineCopy("fr", texts), "INVALID_COPY", "reading texts.login_required threw");
});

bad("a title getter that throws is INVALID_COPY", () => {
  throwsCoded(() => defineCopy("fr", { login_required: { get title() { throw new Error("getter"); } } }), "INVALID_COPY", "reading texts entry.title threw");
});

bad("a blank locale tag is INVALID_COPY", () => {
  throwsCoded(() => defineCopy(" \t ", { login_required: { title: "x" } }), "INVALID_COPY", "the locale tag must be a non-empty string");
});

bad("a Symbol title is INVALID_COPY", () => {
  throwsCoded(() => defineCopy("fr", { login_required: { title: Symbol("t") } }), "INVALID_COPY", "texts entry.title must be a string or null, got another type");
});

bad("a numeric actionLabel is INVALID_COPY", () => {
  throwsCoded(() => defineCopy("en", { login_required: { actionLabel: 5 } }), "INVALID_COPY", "texts entry.actionLabel must be a string or null, got a number");
});

bad("options.fallback as a Symbol and yourInstitution as a number are INVALID_COPY", () => {
  throwsCoded(() => defineCopy("fr", {}, { fallback: Symbol("en") }), "INVALID_COPY", "options.fallback must be a string or null");
  throwsCoded(() => defineCopy("fr", {}, { yourInstitution: 5 }), "INVALID_COPY", "options.yourInstitution must be a string or null");
});

bad("defineCopy(Symbol) is INVALID_COPY", () => {
  throwsCoded(() => defineCopy(Symbol("fr"), {}), "INVALID_COPY", "locale must be a string");
});

bad("an upper-case code is INVALID_COPY and keeps what was defined before", () => {
  try {
    defineCopy("fr", { login_required: { title: "Reconnectez {institution}" } });
    throwsCoded(() => defineCopy("fr", { LOGIN_REQUIRED: { title: "x" } }), "INVALID_COPY", 'no verdict has the code "LOGIN_REQUIRED"');
    assert.equal(explain(BROKEN, { locale: "fr" }).title, "Reconnectez First Platypus Bank");
  } finally {
    resetCopy();
  }
});

bad("a null-prototype texts object is read", () => {
  try {
    defineCopy("fr", Object.assign(Object.create(null), { login_required: Object.freeze({ title: "Reconnectez {institution}" }) }));
    assert.equal(explain(BROKEN, { locale: "fr-CA" }).title, "Reconnectez First Platypus Bank");
  } finally {
    resetCopy();
  }
});

bad("inherited and symbol-keyed codes are ignored: the locale exists with no text of its own", () => {
  try {
    defineCopy("fr", Object.assign(Object.create({ login_required: { title: "inherited" } }), { [Symbol("x")]: { title: "symbol" } }));
    const text = explain(BROKEN, { locale: "fr" });
    assert.deepEqual([text.locale, text.title], ["fr", "Sign in to First Platypus Bank again"]);
  } finally {
    resetCopy();
  }
});

bad("a 5 MB title is refused; one of 20000 characters is used whole", () => {
  try {
    throwsCoded(() => defineCopy("en", { login_required: { title: "t".repeat(FIVE_MB) } }), "INVALID_COPY", "title must be a string or null, got a string longer than 20000 characters");
    defineCopy("en", { login_required: { title: "t".repeat(20_000) } });
    assert.equal(explain(BROKEN).title.length, 20_000);
  } finally {
    resetCopy();
  }
});

bad("a texts proxy whose ownKeys throws is INVALID_COPY", () => {
  throwsCoded(() => defineCopy("fr", new Proxy({}, { ownKeys() { throw new Error("keys"); } })), "INVALID_COPY");
});

// ---------------------------------------------------------------- interpretWebhook

bad("interpretWebhook(Symbol()) is INVALID_WEBHOOK", () => {
  throwsCoded(() => interpretWebhook(Symbol("body")), "INVALID_WEBHOOK", "got another type");
});

bad("interpretWebhook(BigInt) is INVALID_WEBHOOK", () => {
  throwsCoded(() => interpretWebhook(1n), "INVALID_WEBHOOK", "got another type");
});

bad("a payload whose status getter throws is INVALID_WEBHOOK", () => {
  const payload = { connectionId: "c1", get newStatus() { throw new Error("getter"); } };
  throwsCoded(() => interpretWebhook({ eventType: "BANK_LINKING_CONNECTION_STATUS_CHANGE", payload }), "INVALID_WEBHOOK", "reading the webhook's newStatus threw");
});

bad("a frozen null-prototype body is read", () => {
  const body = Object.freeze(Object.assign(Object.create(null), { eventType: "WEBHOOK_TEST", eventId: "e1", payload: { requestId: "r1" } }));
  const meaning = interpretWebhook(body);
  assert.deepEqual([meaning.kind, meaning.eventId, meaning.requestId], ["test", "e1", "r1"]);
});

bad("a 5 MB event type is INVALID_WEBHOOK; one of 20000 characters is an unknown event", () => {
  throwsCoded(() => interpretWebhook({ eventType: "E".repeat(FIVE_MB) }), "INVALID_WEBHOOK", "eventType must be a string");
  const meaning = interpretWebhook({ eventType: "E".repeat(20_000) });
  assert.equal(meaning.kind, "unknown");
});

bad("interpretWebhook with a numeric locale is INVALID_OPTIONS", () => {
  throwsCoded(() => interpretWebhook({ eventType: "WEBHOOK_TEST" }, { locale: 5 }), "INVALID_OPTIONS", "options.locale must be a string or null, got a number");
});

bad("a revoked proxy as the webhook body is INVALID_WEBHOOK", () => {
  throwsCoded(() => interpretWebhook(revokedProxy()), "INVALID_WEBHOOK");
});

// ---------------------------------------------------------------- RepairFlow options

const VALID = { tokenUrl: "https://app.example/api/meld/repair" };

for (const [label, options, mentions] of [
  ["options null", null, "RepairFlow needs an options object"],
  ["options a string", "https://app.example/api/meld/repair", "RepairFlow needs an options object"],
  ["neither tokenUrl nor fetchToken", {}, "give exactly one of tokenUrl"],
  ["both tokenUrl and fetchToken", { ...VALID, fetchToken: async () => ({}) }, "give exactly one of tokenUrl"],
  ["tokenUrl a number", { tokenUrl: 42 }, "tokenUrl must be a non-empty string"],
  ["tokenUrl blank", { tokenUrl: " \n " }, "tokenUrl must be a non-empty string"],
  ["tokenUrl relative outside a page", { tokenUrl: "/api/meld/repair" }, "tokenUrl \"/api/meld/repair\" is not a URL"],
  ["fetchToken a string", { fetchToken: "fetch" }, "fetchToken must be a function"],
  ["mode upper case", { ...VALID, mode: "POPUP" }, 'mode must be "iframe", "popup" or "tab", got "POPUP"'],
  ["mode modal", { ...VALID, mode: "modal" }, "mode must be"],
  ["container a plain object", { ...VALID, container: {} }, "container must be a DOM Element"],
  ["allowedWidgetOrigins a string", { ...VALID, allowedWidgetOrigins: PROD }, "options.allowedWidgetOrigins must be an array of strings or null, got a string"],
  ["allowedWidgetOrigins empty", { ...VALID, allowedWidgetOrigins: [] }, "allowedWidgetOrigins is empty"],
  ["allowedWidgetOrigins javascript:", { ...VALID, allowedWidgetOrigins: ["javascript:alert(1)"] }, "allowedWidgetOrigins entries must be origins"],
  ["allowedWidgetOrigins with a path", { ...VALID, allowedWidgetOrigins: [`${PROD}/widget`] }, "allowedWidgetOrigins entries must be origins"],
  ["allowedWidgetOrigins http without the opt-in", { ...VALID, allowedWidgetOrigins: ["http://localhost:8081"] }, "allowedWidgetOrigins entries must use https"],
  ["allowedWidgetOrigins http public host with the opt-in", { ...VALID, allowedWidgetOrigins: ["http://evil.example"], allowInsecureLoopback: true }, "allowedWidgetOrigins entries must use https"],
  ["allowInsecureLoopback a string", { ...VALID, allowInsecureLoopback: "true" }, "allowInsecureLoopback must be a boolean"],
  ["timeoutMs 0", { ...VALID, timeoutMs: 0 }, "timeoutMs must be a whole number from 1 to 2^31 - 1"],
  ["timeoutMs fractional", { ...VALID, timeoutMs: 1.5 }, "timeoutMs must be a whole number"],
  ["timeoutMs NaN", { ...VALID, timeoutMs: NaN }, "timeoutMs must be a whole number"],
  ["timeoutMs Infinity", { ...VALID, timeoutMs: Infinity }, "timeoutMs must be a whole number"],
  ["timeoutMs a string", { ...VALID, timeoutMs: "10000" }, "timeoutMs must be a whole number"],
  ["retries negative", { ...VALID, retries: -1 }, "retries must be a whole number from 0 to 2^31 - 1"],
  ["retries BigInt", { ...VALID, retries: 2n }, "retries must be a whole number"],
  ["width 0", { ...VALID, width: 0 }, "width must be a whole number from 1 to 2^31 - 1"],
  ["height negative", { ...VALID, height: -630 }, "height must be a whole number from 1 to 2^31 - 1"],
  ["headers a string", { ...VALID, headers: "X-CSRF-Token: x" }, "headers must be an object, a Headers or a Map of strings"],
  ["headers null", { ...VALID, headers: null }, "headers must be an object, a Headers or a Map of strings"],
  ["onEvent an object", { ...VALID, onEvent: {} }, "onEvent must be a function"],
  ["onStateChange a string", { ...VALID, onStateChange: "render" }, "onStateChange must be a function"],
]) {
  bad(`RepairFlow: ${label} is INVALID_OPTIONS`, () => {
    throwsCoded(() => new RepairFlow(options), "INVALID_OPTIONS", mentions);
    assert.equal(new RepairFlow(VALID).state, "idle");
  });
}

bad("RepairFlow: start options that are not { theme, progress } reject INVALID_OPTIONS before any backend request; the flow still starts", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    const { flow, calls } = flowAnswering([Promise.resolve({})], { retries: 0 });
    const refused = async (options, fragment) => {
      await assert.rejects(flow.start(BROKEN, options), (error) => error instanceof MeldRepairError && error.code === "INVALID_OPTIONS" && error.message.includes(fragment));
    };
    await refused(null, "start options must be an object");
    await refused("dark", "start options must be an object");
    await refused({ theme: "auto" }, 'theme must be "light" or "dark"');
    await refused({ progress: null }, "progress must be { count, total }");
    await refused({ progress: { count: 0, total: 3 } }, "1 <= count <= total");
    await refused({ progress: { count: 4, total: 3 } }, "1 <= count <= total");
    await refused({ progress: { count: 1.5, total: 3 } }, "1 <= count <= total");
    await refused({ progress: { count: "1", total: "3" } }, "1 <= count <= total");
    const throwing = (name) => Object.defineProperty({}, name, { enumerable: true, get: () => { throw new Error("app bug"); } });
    await refused(throwing("theme"), "reading the start option theme threw");
    await refused({ progress: throwing("count") }, "reading the start option count threw");
    await refused(new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error("trap"); } }), "reading the start option theme threw");
    // Inherited fields are not read: a polluted prototype supplies no theme.
    await refused(Object.create({ theme: "dark" }, { theme: { value: "sepia", enumerable: true } }), "theme");
    assert.equal(calls.length, 0);
    assert.equal(flow.running, false);
    const outcome = await flow.start(BROKEN, { theme: "dark", progress: { count: 1, total: 1 } });
    assert.equal(outcome.status, "failed"); // the answer {} is no token: the flow ran
    assert.equal(calls.length, 1);
  } finally {
    restore();
  }
});

bad("RepairFlow: frozen and null-prototype options are accepted", () => {
  assert.equal(new RepairFlow(Object.freeze({ ...VALID, mode: "tab", retries: 0 })).state, "idle");
  assert.equal(new RepairFlow(Object.assign(Object.create(null), VALID)).state, "idle");
});

bad("RepairFlow: a locale that is not a string is INVALID_OPTIONS", () => {
  throwsCoded(() => new RepairFlow({ ...VALID, locale: 42 }), "INVALID_OPTIONS", "locale");
  throwsCoded(() => new RepairFlow({ ...VALID, locale: Symbol("en") }), "INVALID_OPTIONS", "locale");
});

bad("RepairFlow: header values that are not strings are INVALID_OPTIONS at construction", () => {
  throwsCoded(() => new RepairFlow({ ...VALID, headers: { "X-CSRF-Token": 1 } }), "INVALID_OPTIONS", "headers");
});

bad("RepairFlow: headers given as a Headers or a Map are sent, not silently dropped", async () => {
  const received = [];
  const server = createServer((req, res) => {
    received.push(req.headers["x-csrf-token"]);
    res.writeHead(500).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const tokenUrl = `http://127.0.0.1:${server.address().port}/api/meld/repair`;
    for (const headers of [new Headers({ "X-CSRF-Token": "from-headers" }), new Map([["X-CSRF-Token", "from-map"]])]) {
      assert.equal(await new RepairFlow({ tokenUrl, headers, retries: 0 }).prefetch(BROKEN), false);
    }
  } finally {
    server.close();
  }
  assert.deepEqual(received, ["from-headers", "from-map"]);
  throwsCoded(() => new RepairFlow({ ...VALID, headers: [["X-CSRF-Token", "t"]] }), "INVALID_OPTIONS", "headers");
});

bad("RepairFlow: options whose getter throws are INVALID_OPTIONS", () => {
  throwsCoded(() => new RepairFlow({ get tokenUrl() { throw new Error("getter"); } }), "INVALID_OPTIONS");
});

bad("RepairFlow: a tokenUrl that is not http(s) is INVALID_OPTIONS", () => {
  for (const tokenUrl of ["javascript:alert(1)", "data:application/json,{}", "ftp://app.example/token"]) {
    throwsCoded(() => new RepairFlow({ tokenUrl }), "INVALID_OPTIONS", "tokenUrl");
  }
});

bad("RepairFlow: timeoutMs of 2^31 is refused, or it waits that long", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    let flow;
    try {
      flow = new RepairFlow({ fetchToken: () => new Promise((resolve) => setTimeout(() => resolve({}), 50)), timeoutMs: 2 ** 31 });
    } catch (error) {
      assert.equal(error.code, "INVALID_OPTIONS");
      return;
    }
    const outcome = await flow.start(BROKEN);
    assert.equal(outcome.error.code, "INVALID_TOKEN_RESPONSE", `the answer came after 50 ms, yet: ${outcome.error.message}`);
  } finally {
    restore();
  }
});

// ---------------------------------------------------------------- RepairFlow: bad token answers (before the page)

bad("start(null) rejects INVALID_CONNECTION and asks nothing", async () => {
  const { flow, calls } = flowAnswering([answer()]);
  await assert.rejects(flow.start(null), (error) => error instanceof MeldRepairError && error.code === "INVALID_CONNECTION");
  assert.deepEqual([flow.state, calls.length], ["idle", 0]);
});

bad("start() on a healthy connection is not_needed and asks nothing", async () => {
  const { flow, calls } = flowAnswering([answer()]);
  const outcome = await flow.start({ id: CONNECTION, status: "ACTIVE" });
  assert.deepEqual([outcome.status, outcome.decision.action, calls.length, flow.state], ["not_needed", "none", 0, "idle"]);
});

bad("start() without an id rejects INVALID_CONNECTION", async () => {
  const { flow, calls } = flowAnswering([answer()]);
  await assert.rejects(flow.start({ status: "RECONNECT_REQUIRED" }), { code: "INVALID_CONNECTION", message: /connection\.id is required/ });
  assert.equal(calls.length, 0);
});

bad("a token answer of {} fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve({}), "INVALID_TOKEN_RESPONSE", "the token response has no connectToken");
});

bad("a token answer of null fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve(null), "INVALID_TOKEN_RESPONSE", "the token response must be an object, got null");
});

bad("an HTML error page as the token answer fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve("<!doctype html><title>502</title>"), "INVALID_TOKEN_RESPONSE", "must be an object, got a string");
});

bad("an array as the token answer fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve([answer()]), "INVALID_TOKEN_RESPONSE", "got an array");
});

bad("a token answer for another connection fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve(answer(undefined, { id: "someOtherConnection" })), "INVALID_TOKEN_RESPONSE", '"someOtherConnection" is not the connection being repaired');
});

bad("a javascript: widgetUrl fails WIDGET_URL_REJECTED without showing the token", async () => {
  const token = jwt(NOW + 3600);
  const error = await failedWith(Promise.resolve(answer(token, { widgetUrl: `javascript:alert(1)//?connectToken=${token}` })), "WIDGET_URL_REJECTED", 'scheme "javascript" is not https');
  assert.ok(!error.message.includes(token.slice(20, 40)));
});

bad("a data: widgetUrl fails WIDGET_URL_REJECTED", async () => {
  const token = jwt(NOW + 3600);
  await failedWith(Promise.resolve(answer(token, { widgetUrl: `data:text/html,<script>alert(1)</script>?connectToken=${token}` })), "WIDGET_URL_REJECTED", 'scheme "data"');
});

bad("an http widgetUrl on Meld's host fails WIDGET_URL_REJECTED", async () => {
  const token = jwt(NOW + 3600);
  await failedWith(Promise.resolve(answer(token, { widgetUrl: `http://institution-connect.meld.io/?connectToken=${token}` })), "WIDGET_URL_REJECTED", "http on a host that is not loopback");
});

bad("a userinfo trick fails WIDGET_URL_REJECTED", async () => {
  const token = jwt(NOW + 3600);
  await failedWith(Promise.resolve(answer(token, { widgetUrl: `https://institution-connect.meld.io@evil.example/?connectToken=${token}` })), "WIDGET_URL_REJECTED", "not an absolute https URL");
});

bad("a widgetUrl carrying another token fails WIDGET_URL_REJECTED", async () => {
  const token = jwt(NOW + 3600);
  await failedWith(Promise.resolve(answer(token, { widgetUrl: `${PROD}/?connectToken=${jwt(NOW + 7200)}` })), "WIDGET_URL_REJECTED", "not the response's connectToken");
});

bad("an expired token fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve(answer(jwt(NOW - 60))), "INVALID_TOKEN_RESPONSE", "the backend returned an expired token");
});

bad("a 5 MB connectToken fails INVALID_TOKEN_RESPONSE with a short message", async () => {
  const error = await failedWith(Promise.resolve(answer("A".repeat(FIVE_MB))), "INVALID_TOKEN_RESPONSE", "connectToken must be a string or null, got a string longer than 20000 characters");
  assert.ok(error.message.length < 400);
});

bad("connectToken as a number fails INVALID_TOKEN_RESPONSE", async () => {
  await failedWith(Promise.resolve(answer(undefined, { connectToken: 12345 })), "INVALID_TOKEN_RESPONSE", "connectToken must be a string or null, got a number");
});

bad("a token answer whose getter throws fails INVALID_TOKEN_RESPONSE", async () => {
  const hostile = { get connectToken() { throw new Error("getter"); } };
  await failedWith(Promise.resolve(hostile), "INVALID_TOKEN_RESPONSE", "reading the token response.connectToken threw");
});

bad("fetchToken throwing a TypeError fails TOKEN_ENDPOINT_FAILED, retryable, with the cause", async () => {
  const cause = new TypeError("Failed to fetch");
  const error = await failedWith(() => { throw cause; }, "TOKEN_ENDPOINT_FAILED", "fetchToken threw: Failed to fetch");
  assert.deepEqual([error.retryable, error.cause], [true, cause]);
});

bad("fetchToken rejecting with a string fails TOKEN_ENDPOINT_FAILED", async () => {
  await failedWith(Promise.reject("offline"), "TOKEN_ENDPOINT_FAILED", "fetchToken threw: offline");
});

bad("fetchToken's own MeldRepairError is passed through", async () => {
  const own = new MeldRepairError("TOKEN_ENDPOINT_FAILED", "backend said 403", false);
  const error = await failedWith(Promise.reject(own), "TOKEN_ENDPOINT_FAILED", "backend said 403");
  assert.equal(error, own);
});

bad("fetchToken that never settles fails TOKEN_ENDPOINT_TIMEOUT and its signal aborts", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    const { flow, calls } = flowAnswering([new Promise(() => {})], { timeoutMs: 30 });
    // Node's AbortSignal.timeout does not keep the process alive; this timer does.
    const alive = setTimeout(() => {}, 5_000);
    const outcome = await flow.start(BROKEN).finally(() => clearTimeout(alive));
    assert.deepEqual([outcome.status, outcome.error.code, outcome.error.retryable], ["failed", "TOKEN_ENDPOINT_TIMEOUT", true]);
    assert.match(outcome.error.message, /fetchToken did not settle within 30 ms/);
    assert.equal(calls[0].signal.aborted, true);
  } finally {
    restore();
  }
});

bad("close() while the token is fetched cancels once; the late bad answer is ignored", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    let settle;
    const states = [];
    const { flow } = flowAnswering([new Promise((resolve) => (settle = resolve))], { onStateChange: (state) => states.push(state) });
    const promise = flow.start(BROKEN);
    flow.close();
    const outcome = await promise;
    assert.deepEqual([outcome.status, outcome.reason, outcome.error], ["cancelled", "app_closed", null]);
    settle({});
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(states, ["fetching_token", "cancelled"]);
    assert.equal(flow.state, "cancelled");
  } finally {
    restore();
  }
});

bad("pagehide while the token is fetched cancels with page_hidden", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    const { flow } = flowAnswering([new Promise(() => {})]);
    const promise = flow.start(BROKEN);
    windowEvents.dispatchEvent(new Event("pagehide"));
    const outcome = await promise;
    assert.deepEqual([outcome.status, outcome.reason], ["cancelled", "page_hidden"]);
    windowEvents.dispatchEvent(new Event("pagehide"));
    assert.equal(flow.state, "cancelled", "the listener is gone");
  } finally {
    restore();
  }
});

bad("start() for another connection while one runs is SESSION_IN_PROGRESS; the same one joins", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    let settle;
    const { flow, calls } = flowAnswering([new Promise((resolve) => (settle = resolve))]);
    const first = flow.start(BROKEN);
    assert.equal(flow.start({ ...BROKEN }), first, "a double click joins");
    await assert.rejects(flow.start({ ...BROKEN, id: "another" }), (error) => error.code === "SESSION_IN_PROGRESS" && error.retryable === true);
    settle({});
    assert.equal((await first).error.code, "INVALID_TOKEN_RESPONSE");
    assert.equal(calls.length, 1);
  } finally {
    restore();
  }
});

bad("start() after destroy() rejects SESSION_CLOSED", async () => {
  const { flow, calls } = flowAnswering([answer()]);
  flow.destroy();
  await assert.rejects(flow.start(BROKEN), { code: "SESSION_CLOSED" });
  assert.equal(await flow.prefetch(BROKEN), false);
  assert.equal(calls.length, 0);
});

bad("fetchToken failures are retried by the same policy as tokenUrl's, an invalid answer is not", async () => {
  const restore = withWindowEvents(windowEvents);
  try {
    const { flow, calls } = flowAnswering([() => { throw new Error("down"); }], { retries: 2 });
    const outcome = await flow.start(BROKEN);
    assert.deepEqual([outcome.status, outcome.error.code, calls.length], ["failed", "TOKEN_ENDPOINT_FAILED", 3]);
    const own = flowAnswering([Promise.reject(new MeldRepairError("TOKEN_ENDPOINT_FAILED", "403", false))], { retries: 2 });
    assert.equal((await own.flow.start(BROKEN)).error.message, "403");
    assert.equal(own.calls.length, 1, "an error the app marks not retryable is not retried");
    const invalid = flowAnswering([Promise.resolve({ connectToken: "x" })], { retries: 2 });
    assert.equal((await invalid.flow.start(BROKEN)).error.code, "INVALID_TOKEN_RESPONSE");
    assert.equal(invalid.calls.length, 1);
  } finally {
    restore();
  }
});

bad("prefetch() of a bad answer or a bad connection resolves false", async () => {
  const { flow, calls } = flowAnswering([Promise.resolve({ connectToken: "x" }), () => { throw new Error("down"); }], { retries: 0 });
  assert.equal(await flow.prefetch(BROKEN), false);
  assert.equal(await flow.prefetch(BROKEN), false);
  assert.equal(await flow.prefetch(null), false);
  assert.equal(await flow.prefetch({ status: "RECONNECT_REQUIRED" }), false, "no id");
  assert.equal(calls.length, 2);
});

bad("start() where the page has no window events does not wedge the flow", async () => {
  const { flow } = flowAnswering([Promise.resolve({})]);
  let first;
  try {
    first = flow.start(BROKEN);
  } catch (error) {
    assert.ok(error instanceof MeldRepairError, `a MeldRepairError, got ${error?.constructor?.name}`);
  }
  if (first) await first.catch(() => {});
  const second = await Promise.race([flow.start(BROKEN).catch((error) => error), new Promise((resolve) => setTimeout(() => resolve("hung"), 200))]);
  assert.notEqual(second, "hung", "a later start() never settles");
});

// ---------------------------------------------------------------- memory

test("the remembered answers do not keep huge inputs alive", () => {
  const result = inChild(`
    import { explain } from "meld-repair";
    const gc = globalThis.gc;
    gc(); const before = process.memoryUsage().heapUsed;
    const base = "x".repeat(${FIVE_MB});
    for (let i = 0; i < 20; i++) {
      explain({ status: "RECONNECT_REQUIRED", institutionName: (base + i).slice(-20_000) });
      try { explain({ status: "RECONNECT_REQUIRED", institutionName: base + i }); } catch {} // refused, kept nowhere
    }
    gc(); console.log(Math.round((process.memoryUsage().heapUsed - before) / 1e6));
  `, ["--expose-gc"]);
  assert.equal(result.status, 0, result.stderr);
  const retainedMb = Number(result.stdout);
  assert.ok(retainedMb < 100, `${retainedMb} MB kept alive after 20 calls with 5 MB names`);
});
