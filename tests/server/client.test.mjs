// createMeldClient through the built package, imported by name as an app's backend would,
// against the simulator of Meld's lifecycle API over real HTTP: every method, the guard (no
// request leaves when advise names another operation) and every error code Meld's answers map to.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, beforeEach, describe, test } from "node:test";
import { advise, decide } from "meld-repair";
import { createMeldClient } from "meld-repair/server";
import { SIM_API_KEY, createMeldApi, serveMeldApi } from "../../sim/meld-api.mjs";

const meld = createMeldApi();
let server;
let sent; // every request the client put on the wire: "METHOD /path"
const client = (options = {}) =>
  createMeldClient({
    apiKey: SIM_API_KEY,
    baseUrl: server.url,
    fetch: (url, init) => {
      sent.push({ route: `${init.method} ${new URL(url).pathname}`, headers: init.headers, body: init.body });
      return fetch(url, init);
    },
    ...options,
  });
const routes = () => sent.map((request) => request.route);
const stored = (id) => meld.connection(id);

before(async () => {
  server = await serveMeldApi(meld);
});
after(() => server.close());
beforeEach(() => {
  meld.reset();
  sent = [];
});

/** Asserts `promise` rejects with a MeldRepairError of `code`, and returns the error. */
async function rejects(promise, code) {
  let caught;
  await assert.rejects(promise, (error) => {
    caught = error;
    return error?.name === "MeldRepairError" && error.code === code;
  }, code);
  return caught;
}

/** The method and path advise() names for this operation, with the id filled in. */
const advisedRoute = (connection, intent, options) => {
  const [method, path] = advise(connection, intent, options).path.split(" ");
  return `${method} ${path}`;
};

describe("options", () => {
  test("bad options are INVALID_OPTIONS, and the key never shows in their messages", () => {
    const cases = [
      undefined,
      {},
      { apiKey: "" },
      { apiKey: "k", environment: "staging" },
      { apiKey: "k", baseUrl: "ftp://x" },
      { apiKey: "k", baseUrl: "http://user:pw@127.0.0.1" },
      { apiKey: "k", baseUrl: "not a url" },
      { apiKey: "k", meldVersion: "latest" },
      { apiKey: "k", fetch: "fetch" },
      { apiKey: "k", timeoutMs: 0 },
      { apiKey: "k", retries: -1 },
      { apiKey: "k", retries: 1.5 },
    ];
    for (const options of cases) {
      assert.throws(() => createMeldClient(options), (e) => e.code === "INVALID_OPTIONS" && !/\bk\b.*key/.test(e.message), JSON.stringify(options));
    }
  });

  test("environment picks Meld's base URL; every request carries BASIC <key> and Meld-Version", async () => {
    const seen = [];
    const recording = (url, init) => {
      seen.push({ url, init });
      return Promise.resolve(new Response(JSON.stringify({ id: "c1", status: "ACTIVE" }), { status: 200 }));
    };
    await createMeldClient({ apiKey: "sk_1", fetch: recording }).getConnection("c1");
    await createMeldClient({ apiKey: "sk_1", environment: "production", meldVersion: "2022-11-10", fetch: recording }).getConnection("c 1/x");
    assert.equal(seen[0].url, "https://api-sb.meld.io/bank-linking/connections/c1");
    assert.equal(seen[1].url, "https://api.meld.io/bank-linking/connections/c%201%2Fx", "the id is one path segment");
    assert.equal(seen[0].init.headers.Authorization, "BASIC sk_1");
    assert.equal(seen[0].init.headers["Meld-Version"], "2023-12-19");
    assert.equal(seen[1].init.headers["Meld-Version"], "2022-11-10");
    assert.equal(seen[0].init.redirect, "error", "the key is never carried to another host by a redirect");
  });

  test("a redirect is not followed: MELD_UNAVAILABLE", async () => {
    const redirecting = createServer((req, res) => res.writeHead(302, { Location: `${server.url}${req.url}` }).end());
    await new Promise((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    try {
      const c = client({ baseUrl: `http://127.0.0.1:${redirecting.address().port}`, retries: 0 });
      await rejects(c.getConnection("conn_active"), "MELD_UNAVAILABLE");
      assert.equal(meld.counts().requests, 0);
    } finally {
      redirecting.close();
    }
  });
});

describe("each call goes to the endpoint advise names", () => {
  test("paths and methods", async () => {
    const c = client();
    const active = stored("conn_access_expiring_soon");
    const item = { serviceProviderDetails: { serviceProvider: "PLAID" }, externalCustomerId: "u1", accessToken: "access-sandbox-1" };
    const expected = [
      "GET /bank-linking/connections/conn_active",
      advisedRoute(active, "fresh_data"),
      advisedRoute(stored("conn_login_required"), "fix"),
      advisedRoute(stored("conn_login_required"), "add_products", { products: ["OWNERS"] }),
      advisedRoute(stored("conn_expired"), "remove"),
      advisedRoute(item, "migrate"),
    ];
    await c.getConnection("conn_active");
    await c.refresh(active);
    await c.repairToken(stored("conn_login_required"));
    await c.updateProducts(stored("conn_login_required"), ["OWNERS"]);
    await c.deleteConnection(stored("conn_expired"));
    await c.importConnections([item]);
    assert.deepEqual(routes(), expected);
    assert.deepEqual(JSON.parse(sent[2].body), { connectionId: "conn_login_required" });
    assert.deepEqual(JSON.parse(sent[3].body), { products: ["OWNERS"] });
    assert.deepEqual(JSON.parse(sent[5].body), { connections: [item] });
  });
});

describe("getConnection", () => {
  test("Meld's connection object; 404 is CONNECTION_NOT_FOUND with Meld's requestId", async () => {
    assert.deepEqual(await client().getConnection("conn_active"), stored("conn_active"));
    const error = await rejects(client().getConnection("conn_nope"), "CONNECTION_NOT_FOUND");
    assert.equal(error.status, 404);
    assert.match(error.requestId, /^[0-9a-f]{24}$/);
    assert.equal(error.retryable, false);
    assert.match(error.message, /environment/);
    await rejects(client().getConnection(""), "INVALID_CONNECTION");
    await rejects(client().getConnection(42), "INVALID_CONNECTION");
  });
});

describe("refresh", () => {
  test("an ACTIVE connection is refreshed: one forced refresh, billed", async () => {
    const result = await client().refresh(stored("conn_access_expiring_soon"), { products: ["TRANSACTIONS"] });
    assert.equal(result.operation, "refresh");
    assert.equal(result.forced, false);
    assert.equal(result.advice.operation, "refresh");
    assert.match(result.requestId, /^[0-9a-f]{24}$/);
    assert.deepEqual(JSON.parse(sent[0].body), { products: ["TRANSACTIONS"] });
    assert.equal(meld.counts().forcedRefreshes, 1);
    assert.equal(meld.counts().billedCalls, 1);
  });

  test("the guard: nothing is sent where advise names another operation", async () => {
    const cases = [
      ["conn_login_required", "repair"],
      ["conn_interactive_refresh", "repair"],
      ["conn_institution_action_required", "none"],
      ["conn_institution_unavailable", "wait"],
      ["conn_in_progress", "wait"],
      ["conn_expired", "new_connection"],
      ["conn_deleted", "new_connection"],
    ];
    for (const [id, instead] of cases) {
      const connection = stored(id);
      const error = await rejects(client().refresh(connection), "OPERATION_NOT_ADVISED");
      assert.deepEqual(error.advice, advise(connection, "fresh_data"), id);
      assert.equal(error.advice.operation, instead, id);
      assert.ok(error.message.includes(error.advice.note), `${id}: the message says what to do instead`);
    }
    assert.deepEqual(sent, []);
    assert.equal(meld.counts().requests, 0);
  });

  test("by id: read first, then the guard decides on what Meld says", async () => {
    await rejects(client().refresh("conn_login_required"), "OPERATION_NOT_ADVISED");
    assert.deepEqual(routes(), ["GET /bank-linking/connections/conn_login_required"]);
    await client().refresh("conn_undetermined");
    assert.equal(meld.counts().forcedRefreshes, 1);
  });

  test("force sends anyway and says so; Meld's 409 is MELD_CONFLICT, counted as a no-op", async () => {
    const interactive = await client().refresh(stored("conn_interactive_refresh"), { force: true });
    assert.equal(interactive.forced, true);
    assert.equal(interactive.advice.operation, "repair");
    assert.equal(meld.counts().forcedRefreshesWithoutData, 1, "billed, and the data still needs the customer");
    const error = await rejects(client().refresh(stored("conn_login_required"), { force: true }), "MELD_CONFLICT");
    assert.equal(error.status, 409);
    assert.match(error.requestId, /^[0-9a-f]{24}$/);
    assert.equal(meld.counts().noOpCalls, 1);
  });

  test("MX allows one forced refresh per 3 hours: MELD_RATE_LIMITED with retryAfterSeconds", async () => {
    await client().refresh(stored("conn_active"));
    const error = await rejects(client().refresh(stored("conn_active")), "MELD_RATE_LIMITED");
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.ok(error.retryAfterSeconds > 3 * 3600 - 60 && error.retryAfterSeconds <= 3 * 3600, String(error.retryAfterSeconds));
    assert.equal(meld.counts().forcedRefreshes, 1);
    assert.equal(sent.length, 2, "a refresh is never retried");
  });

  test("refreshing an inactive duplicate promotes it (reference §10)", async () => {
    await client().refresh(stored("conn_inactive_duplicate"));
    assert.equal(stored("conn_inactive_duplicate").status, "ACTIVE");
    assert.deepEqual([stored("conn_active").status, stored("conn_active").statusReason], ["PARTIALLY_ACTIVE", "INACTIVE_DUPLICATE"]);
    assert.equal(stored("conn_active").activeDuplicateConnectionId, "conn_inactive_duplicate");
  });

  test("an inactive duplicate takes the active one's status when refreshed: guarded on that status", async () => {
    meld.setStatus("conn_active", "DEGRADED", "INTERACTIVE_REFRESH");
    const error = await rejects(client().refresh(stored("conn_inactive_duplicate")), "OPERATION_NOT_ADVISED");
    assert.equal(error.advice.operation, "repair");
    assert.match(error.message, /inactive duplicate taking the status of conn_active/);
    const acted = await client().act(stored("conn_inactive_duplicate"), "fresh_data");
    assert.deepEqual([acted.operation, acted.sent], ["repair", true], "act does what the inherited advice names");
    assert.equal(meld.counts().forcedRefreshes, 0);
    assert.deepEqual(routes().filter((r) => r.endsWith("/refresh")), []);
  });

  test("bad arguments", async () => {
    await rejects(client().refresh(42), "INVALID_CONNECTION");
    await rejects(client().refresh({ status: "ACTIVE" }), "INVALID_CONNECTION");
    await rejects(client().refresh(stored("conn_access_expiring_soon"), { products: "TRANSACTIONS" }), "INVALID_OPTIONS");
    await rejects(client().refresh(stored("conn_access_expiring_soon"), { force: "yes" }), "INVALID_OPTIONS");
    await rejects(client().refresh(stored("conn_access_expiring_soon"), []), "INVALID_OPTIONS");
    assert.equal(meld.counts().requests, 0);
    // A product the connection was not granted: Meld's 400.
    const error = await rejects(client().refresh(stored("conn_access_expiring_soon"), { products: ["INVESTMENT_HOLDINGS"] }), "MELD_BAD_REQUEST");
    assert.equal(error.status, 400);
  });
});

describe("repairToken", () => {
  test("minted only where decide opens the widget", async () => {
    const answer = await client().repairToken(stored("conn_login_required"));
    assert.deepEqual(Object.keys(answer).sort(), ["connectToken", "id", "institutionId", "widgetUrl"]);
    assert.equal(answer.id, "conn_login_required");
    for (const id of ["conn_active", "conn_institution_unavailable", "conn_deleted", "conn_inactive_duplicate"]) {
      assert.equal(decide(stored(id)).openWidget, false, id);
      const error = await rejects(client().repairToken(stored(id)), "OPERATION_NOT_ADVISED");
      assert.equal(error.advice.decision.openWidget, false);
    }
    assert.equal(meld.counts().repairsMinted, 1);
    assert.equal(sent.length, 1);
  });

  test("a stale copy that Meld no longer repairs: MELD_CONFLICT", async () => {
    const stale = stored("conn_login_required");
    meld.setStatus("conn_login_required", "EXPIRED");
    await rejects(client().repairToken(stale), "MELD_CONFLICT");
    assert.equal(meld.counts().repairsMinted, 0);
  });
});

describe("updateProducts", () => {
  test("follows the provider table and the MX pairing rule", async () => {
    const result = await client().updateProducts(stored("conn_login_required"), ["OWNERS"]);
    assert.equal(result.operation, "update");
    assert.ok(stored("conn_login_required").optionalProducts.includes("OWNERS"));
    // MX with TRANSACTIONS adds INVESTMENT_TRANSACTIONS; MX without it cannot.
    await client().updateProducts(stored("conn_institution_action_required"), ["INVESTMENT_TRANSACTIONS"]);
    const unpaired = await rejects(client().updateProducts(stored("conn_active"), ["INVESTMENT_TRANSACTIONS"]), "OPERATION_NOT_ADVISED");
    assert.equal(unpaired.advice.operation, "new_connection");
    const yodlee = await rejects(client().updateProducts(stored("conn_repairing_institution"), ["OWNERS"]), "OPERATION_NOT_ADVISED");
    assert.equal(yodlee.advice.operation, "new_connection");
    const present = await rejects(client().updateProducts(stored("conn_login_required"), ["BALANCES"]), "OPERATION_NOT_ADVISED");
    assert.equal(present.advice.operation, "none");
    await rejects(client().updateProducts(stored("conn_login_required"), ["SPACESHIPS"]), "INVALID_OPTIONS");
    await rejects(client().updateProducts(stored("conn_login_required"), []), "INVALID_OPTIONS");
    assert.equal(meld.counts().updates, 2);
    assert.equal(sent.length, 2);
  });

  test("a copy that names the wrong provider: Meld refuses with 400, MELD_BAD_REQUEST", async () => {
    const wrong = { ...stored("conn_repairing_institution"), serviceProviderDetails: { serviceProvider: "PLAID" } };
    const error = await rejects(client().updateProducts(wrong, ["OWNERS"]), "MELD_BAD_REQUEST");
    assert.match(error.message, /HTTP 400: The provider cannot add/);
    assert.equal(meld.counts().updates, 0);
  });
});

describe("deleteConnection", () => {
  test("deletes; a deleted connection is not sent again; a stale copy gets MELD_CONFLICT", async () => {
    const copy = stored("conn_expired");
    assert.equal((await client().deleteConnection(copy)).operation, "delete");
    assert.equal(stored("conn_expired").status, "DELETED");
    const error = await rejects(client().deleteConnection("conn_expired"), "OPERATION_NOT_ADVISED");
    assert.equal(error.advice.operation, "none");
    await rejects(client().deleteConnection(copy), "MELD_CONFLICT");
    assert.deepEqual(routes(), ["DELETE /bank-linking/connections/conn_expired", "GET /bank-linking/connections/conn_expired", "DELETE /bank-linking/connections/conn_expired"]);
  });

  test("deleting the active duplicate first promotes the other one (reference §9)", async () => {
    const result = await client().deleteConnection(stored("conn_active"));
    assert.match(result.advice.note, /inactive duplicates first/);
    assert.equal(stored("conn_inactive_duplicate").status, "ACTIVE");
    assert.equal(stored("conn_inactive_duplicate").activeDuplicateConnectionId, "conn_inactive_duplicate");
  });

  test("a delete is retried after a 5xx; finding it deleted then is success", async () => {
    meld.failNext(503);
    const result = await client().deleteConnection(stored("conn_undetermined"));
    assert.equal(result.operation, "delete");
    assert.equal(sent.length, 2);
    // Meld deleted it but the answer was lost: the retry's 409 means it is done.
    const lost = { ...stored("conn_partial_aggregation") };
    meld.setStatus("conn_partial_aggregation", "DELETED");
    const failing = createMeldClient({
      apiKey: SIM_API_KEY,
      baseUrl: server.url,
      fetch: (() => {
        let first = true;
        return (url, init) => (first ? ((first = false), Promise.resolve(new Response("", { status: 502 }))) : fetch(url, init));
      })(),
    });
    assert.equal((await failing.deleteConnection(lost)).operation, "delete");
  });
});

describe("importConnections", () => {
  const plaid = { serviceProviderDetails: { serviceProvider: "PLAID" }, externalCustomerId: "u1", accessToken: "access-sandbox-1" };
  const akoya = { serviceProviderDetails: { serviceProvider: "AKOYA" }, externalCustomerId: "u1", accessToken: "akoya-1" };

  test("Plaid and Akoya only, all or nothing", async () => {
    const result = await client().importConnections([plaid, akoya]);
    assert.equal(result.operation, "import");
    assert.equal(result.advice.length, 2);
    assert.equal(meld.counts().imports, 2);
    const mx = { ...plaid, serviceProviderDetails: { serviceProvider: "MX" } };
    const error = await rejects(client().importConnections([plaid, mx]), "OPERATION_NOT_ADVISED");
    assert.match(error.message, /connections\[1\]/);
    assert.equal(error.advice.operation, "new_connection");
    assert.equal(sent.length, 1, "nothing sent for the refused batch");
    for (const bad of [[], "PLAID", [null], undefined]) await rejects(client().importConnections(bad), "INVALID_OPTIONS");
    await rejects(client().importConnections([{ serviceProviderDetails: { serviceProvider: "PLAID" } }]), "MELD_BAD_REQUEST");
  });
});

describe("act", () => {
  test("does the server-side operation advise names, else says what the front end does", async () => {
    const refresh = await client().act(stored("conn_access_expiring_soon"), "fresh_data");
    assert.deepEqual([refresh.operation, refresh.sent], ["refresh", true]);
    const repair = await client().act("conn_login_required", "fix");
    assert.deepEqual([repair.operation, repair.sent, repair.result.id], ["repair", true, "conn_login_required"]);
    const wait = await client().act(stored("conn_institution_unavailable"), "fix");
    assert.deepEqual([wait.operation, wait.sent, wait.retryAfterSeconds], ["wait", false, decide(stored("conn_institution_unavailable")).retryAfterSeconds]);
    const atBank = await client().act(stored("conn_institution_action_required"), "fresh_data");
    assert.deepEqual([atBank.operation, atBank.sent, atBank.result], ["none", false, null]);
    const relink = await client().act(stored("conn_repairing_institution"), "add_products", { products: ["OWNERS"] });
    assert.deepEqual([relink.operation, relink.sent], ["new_connection", false]);
    const update = await client().act(stored("conn_login_required"), "add_products", { products: ["OWNERS"] });
    assert.deepEqual([update.operation, update.sent], ["update", true]);
    const imported = await client().act({ serviceProviderDetails: { serviceProvider: "AKOYA" }, externalCustomerId: "u2" }, "migrate");
    assert.deepEqual([imported.operation, imported.sent], ["import", true]);
    const removed = await client().act(stored("conn_expired"), "remove");
    assert.deepEqual([removed.operation, removed.sent], ["delete", true]);
    assert.deepEqual(meld.counts(), { ...meld.counts(), forcedRefreshes: 1, repairsMinted: 1, updates: 1, imports: 1, deletes: 1, noOpCalls: 0 });
    await rejects(client().act(stored("conn_active"), "refresh_now"), "INVALID_INTENT");
  });
});

describe("Meld unavailable, refused key, and the key kept secret", () => {
  test("5xx: reads are retried with backoff, billed calls never", async () => {
    meld.failNext(503, 500);
    assert.equal((await client().getConnection("conn_active")).id, "conn_active");
    assert.equal(sent.length, 3);
    sent = [];
    meld.failNext(503);
    const error = await rejects(client().refresh(stored("conn_access_expiring_soon")), "MELD_UNAVAILABLE");
    assert.equal(error.status, 503);
    assert.equal(error.retryable, true);
    assert.equal(sent.length, 1);
    sent = [];
    meld.failNext(503);
    await rejects(client({ retries: 0 }).getConnection("conn_active"), "MELD_UNAVAILABLE");
    assert.equal(sent.length, 1);
  });

  test("no answer within timeoutMs, or nobody listening: MELD_UNAVAILABLE", async () => {
    meld.failNext("hang");
    const started = Date.now();
    const error = await rejects(client({ timeoutMs: 200, retries: 0 }).getConnection("conn_active"), "MELD_UNAVAILABLE");
    assert.match(error.message, /within 200 ms/);
    assert.ok(Date.now() - started < 2_000);
    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    await rejects(createMeldClient({ apiKey: "k", baseUrl: `http://127.0.0.1:${port}`, retries: 0 }).getConnection("c1"), "MELD_UNAVAILABLE");
  });

  test("401 is MELD_AUTH_FAILED; the key is in no error, message or result", async () => {
    const secret = "sk_live_DO_NOT_LEAK_42";
    const wrong = createMeldClient({ apiKey: secret, baseUrl: server.url });
    const outputs = [];
    for (const call of [() => wrong.getConnection("conn_active"), () => wrong.refresh(stored("conn_access_expiring_soon")), () => wrong.refresh(stored("conn_login_required"))]) {
      outputs.push(await call().catch((error) => error));
    }
    assert.equal(outputs[0].code, "MELD_AUTH_FAILED");
    assert.equal(outputs[0].status, 401);
    assert.equal(outputs[1].code, "MELD_AUTH_FAILED");
    assert.equal(outputs[2].code, "OPERATION_NOT_ADVISED");
    // Meld echoing the key back (a misbehaving proxy) is scrubbed too.
    const echo = createMeldClient({ apiKey: secret, fetch: async () => new Response(JSON.stringify({ code: secret, message: `bad key ${secret}`, requestId: "r1" }), { status: 400 }) });
    outputs.push(await echo.getConnection("c1").catch((error) => error));
    assert.equal(outputs[3].code, "MELD_BAD_REQUEST");
    const ok = createMeldClient({ apiKey: SIM_API_KEY, baseUrl: server.url });
    outputs.push(await ok.refresh(stored("conn_access_expiring_soon")));
    for (const output of outputs) {
      const text = `${output?.message} ${output?.stack} ${JSON.stringify(output)} ${JSON.stringify(Object.entries(output ?? {}))}`;
      assert.doesNotMatch(text, /DO_NOT_LEAK|sim_meld_api_key/);
    }
  });
});
