// triage() through the built package, as an app imports it in Node: the whole table in one
// list, duplicates folded, the app's objects handed back, the summary and its defineCopy, and
// the coded errors naming the bad element's index.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decide, defineCopy, explain, knownSituations, MeldRepairError, resetCopy, triage } from "meld-repair";

const conn = (id, status, statusReason = null, extra = {}) => ({ id, status, statusReason, institutionName: `Bank ${id}`, ...extra });

test("every status × reason: each item is what decide and explain say, DELETED left out, by urgency", () => {
  const list = knownSituations().map(({ status, statusReason }, at) => conn(`c${at}`, status, statusReason));
  const { items, summary } = triage(list, { locale: "es" });
  assert.equal(items.length, list.filter((c) => c.status !== "DELETED").length);
  const rank = { required: 0, recommended: 1, optional: 2, none: 3 };
  let previous = -1;
  for (const item of items) {
    assert.ok(list.includes(item.connection), "the app's own object comes back");
    assert.deepEqual(item.decision, decide(item.connection));
    assert.deepEqual(item.explanation, explain(item.connection, { locale: "es" }));
    assert.ok(rank[item.decision.urgency] >= previous);
    previous = rank[item.decision.urgency];
  }
  // Equal urgency keeps the app's order.
  const required = items.filter((item) => item.decision.urgency === "required").map((item) => list.indexOf(item.connection));
  assert.deepEqual(required, [...required].sort((a, b) => a - b));
  assert.equal(summary.needsAttention, 10);
  assert.deepEqual(
    { title: summary.title, urgency: summary.urgency, severity: summary.severity, actionLabel: summary.actionLabel, code: summary.code, locale: summary.locale },
    { title: "10 de tus bancos te necesitan", urgency: "required", severity: "error", actionLabel: "Solucionar todo", code: "summary_some", locale: "es" },
  );
  assert.equal(triage(list, { includeDeleted: true }).items.length, list.length);
});

test("Meld's duplicates fold into the connection they duplicate and are never prompted", () => {
  const ids = ["conn_active", "conn_inactive_duplicate"];
  const active = conn("conn_active", "RECONNECT_REQUIRED", "LOGIN_REQUIRED", { duplicateConnectionIds: ids, activeDuplicateConnectionId: "conn_active", institutionName: "Houndstooth Bank" });
  const copy = conn("conn_inactive_duplicate", "PARTIALLY_ACTIVE", "INACTIVE_DUPLICATE", { duplicateConnectionIds: ids, activeDuplicateConnectionId: "conn_active" });
  const healthy = conn("conn_ok", "ACTIVE");
  const { items, summary } = triage([copy, healthy, active]);
  assert.deepEqual(items.map((item) => item.connection), [active, healthy]);
  assert.deepEqual(items[0].duplicates, [copy]);
  assert.deepEqual(items[1].duplicates, []);
  assert.equal(summary.title, "Houndstooth Bank needs you");
  assert.equal(summary.needsAttention, 1);
});

test("the summary of a healthy, an empty and an updating list", () => {
  assert.equal(triage([conn("a", "ACTIVE")]).summary.title, "All your banks are up to date");
  assert.equal(triage([conn("a", "ACTIVE")]).summary.severity, "success");
  assert.equal(triage([]).summary.code, "summary_empty");
  assert.equal(triage([conn("a", "IN_PROGRESS")]).summary.code, "summary_updating");
  assert.equal(triage([conn("a", "ACTIVE")]).summary.actionLabel, null);
});

test("defineCopy overrides a summary; an unknown summary code is refused", (t) => {
  t.after(resetCopy);
  defineCopy("en", { summary_some: { title: "{count} of {total} banks to fix" } });
  const list = [conn("a", "RECONNECT_REQUIRED"), conn("b", "UNRECOVERABLE"), conn("c", "ACTIVE")];
  assert.equal(triage(list).summary.title, "2 of 3 banks to fix");
  assert.throws(() => defineCopy("en", { summary_sum: { title: "x" } }), { code: "INVALID_COPY" });
});

test("bad input: the typed errors of decide, naming the index; more than 5000 refused", () => {
  const refused = (list, options, message) => assert.throws(() => triage(list, options), (error) => {
    assert.ok(error instanceof MeldRepairError);
    assert.equal(error.code, message.startsWith("options") ? "INVALID_OPTIONS" : "INVALID_CONNECTION");
    assert.equal(error.message, message);
    return true;
  });
  refused(undefined, undefined, "connections must be an array of connections, got undefined");
  refused({ length: 1, 0: conn("a", "ACTIVE") }, undefined, "connections must be an array of connections, got an object");
  refused([conn("a", "ACTIVE"), null], undefined, "connections[1]: connection must be an object, got null");
  refused([conn("a", "ACTIVE"), conn("b", "ACTIVE"), { status: 7 }], undefined, "connections[2]: connection.status must be a string, got a number");
  refused([{ get status() { throw new Error("boom"); } }], undefined, "connections[0]: reading connection.status threw");
  refused([conn("a", "ACTIVE", null, { duplicateConnectionIds: "b" })], undefined, "connections[0]: connection.duplicateConnectionIds must be an array of strings or null, got a string");
  refused([], { includeDeleted: 1 }, "options.includeDeleted must be a boolean, got a number");
  refused([], { refreshAttempts: -1 }, "options.refreshAttempts must be a whole number of at least 0, got a number");
  const many = Array.from({ length: 5000 }, (_, at) => conn(`c${at}`, "ACTIVE"));
  assert.equal(triage(many).items.length, 5000);
  refused([...many, conn("one_more", "ACTIVE")], undefined, "connections has more than 5000 elements: triage them in pages");
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  refused(sparse, undefined, "connections has more than 5000 elements: triage them in pages");
});
