// The simulator after a repair (issue #13): the widget reports the finished link by its connect
// token, the connection stays as it was while Meld aggregates, then is ACTIVE again, with the
// webhooks Meld sends (reference §14.4).
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { test } from "node:test";
import { SIM_API_KEY, createMeldApi } from "../../sim/meld-api.mjs";
import { startSimulator } from "../../sim/server.mjs";

const mint = async (meld, connectionId) => {
  const response = await meld.handle(new Request("http://meld.test/bank-linking/connect/repair", {
    method: "POST",
    headers: { Authorization: `BASIC ${SIM_API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ connectionId }),
  }));
  assert.equal(response.status, 200);
  return (await response.json()).connectToken;
};

test("a finished repair aggregates for the configured delay, then is ACTIVE with its webhooks", async () => {
  const sent = [];
  const meld = createMeldApi({ aggregationDelayMs: 150, onWebhook: (event) => sent.push(event) });
  const token = await mint(meld, "conn_login_required");
  assert.equal(meld.widgetCompleted("not a token"), false);
  assert.equal(meld.widgetCompleted(token), true);
  assert.equal(meld.connection("conn_login_required").status, "RECONNECT_REQUIRED");
  assert.deepEqual(sent.map((event) => event.eventType), ["BANK_LINKING_CONNECTION_COMPLETED", "BANK_LINKING_ACCOUNTS_UPDATING"]);
  await delay(300);
  const connection = meld.connection("conn_login_required");
  assert.deepEqual([connection.status, connection.statusReason], ["ACTIVE", null]);
  assert.deepEqual(sent.map((event) => event.eventType).slice(2), ["BANK_LINKING_CONNECTION_STATUS_CHANGE", "BANK_LINKING_ACCOUNTS_UPDATED"]);
  const change = sent[2];
  assert.deepEqual([change.payload.connectionId, change.payload.oldStatus, change.payload.newStatus], ["conn_login_required", "RECONNECT_REQUIRED", "ACTIVE"]);
  assert.ok(sent.every((event) => typeof event.eventId === "string" && typeof event.timestamp === "string"));
  assert.deepEqual(meld.webhooks(), sent);
});

test("the widget origin's POST /completed reaches the simulated API; reset() cancels aggregation", async (t) => {
  const sim = await startSimulator({ appPort: 0, widgetPort: 0 });
  t.after(() => sim.close());
  sim.setConfig({ aggregationDelayMs: 100 });
  assert.throws(() => sim.setConfig({ aggregationDelayMs: -1 }), /invalid aggregationDelayMs/);
  const token = await mint(sim.meldApi, "conn_token_expired");
  const unknown = await fetch(`${sim.widgetOrigin}/completed`, { method: "POST", body: "nope" });
  assert.equal(unknown.status, 204);
  assert.deepEqual(sim.meldApi.webhooks(), []);
  const known = await fetch(`${sim.widgetOrigin}/completed`, { method: "POST", body: token });
  assert.equal(known.status, 204);
  assert.deepEqual(sim.meldApi.webhooks().map((event) => event.payload.connectionId), ["conn_token_expired", "conn_token_expired"]);
  await delay(250);
  assert.equal(sim.meldApi.connection("conn_token_expired").status, "ACTIVE");
  // A reset forgets a pending aggregation.
  const again = await mint(sim.meldApi, "conn_login_required");
  sim.meldApi.widgetCompleted(again);
  sim.reset();
  await delay(250);
  assert.equal(sim.meldApi.connection("conn_login_required").status, "RECONNECT_REQUIRED");
});
