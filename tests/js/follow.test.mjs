// The follow-up loop of js/follow.js with the package's decide: backoff, the bound, errors that
// do not end it, stopping; and RepairFlow's checks of its options.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decide, RepairFlow } from "meld-repair";
import { followConnection, readFollowOptions } from "../../js/follow.js";

const broken = { id: "c1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };
const healthy = { id: "c1", status: "ACTIVE", statusReason: null };

/** A backend whose answers come from `answers` in order (an Error is thrown), the times of each look. */
function backend(answers) {
  const looks = [];
  const started = Date.now();
  const fetchConnection = async (connectionId, { signal }) => {
    assert.equal(connectionId, "c1");
    assert.ok(signal instanceof AbortSignal);
    looks.push(Date.now() - started);
    const answer = answers[Math.min(looks.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { looks, fetchConnection };
}

test("looks with backoff until decide no longer opens the widget nor waits; a failed look is not fatal", async () => {
  const { looks, fetchConnection } = backend([broken, new Error("offline"), { ...healthy, status: "IN_PROGRESS" }, healthy]);
  const options = readFollowOptions({ fetchConnection, follow: { intervalMs: 20, maxIntervalMs: 60, timeoutMs: 5_000 } }, {});
  const updates = [];
  const result = await followConnection("c1", options, new AbortController().signal, (update) => updates.push(update), decide);
  assert.equal(result.status, "healthy");
  assert.deepEqual(result.connection, healthy);
  assert.equal(result.decision.code, "healthy");
  // The failed look gives no update; IN_PROGRESS (wait) does not end the follow-up.
  assert.deepEqual(updates.map((update) => update.decision.code), ["login_required", "in_progress", "healthy"]);
  // Waits of 20, 40, 60, 60 ms: each look later than the last by at least the wait.
  const gaps = looks.map((at, index) => at - (looks[index - 1] ?? 0));
  for (const [index, least] of [20, 40, 60, 60].entries()) assert.ok(gaps[index] >= least - 2, `${gaps}`);
});

test("the bound passes: timed_out with the last connection seen", async () => {
  const { fetchConnection } = backend([broken]);
  const options = readFollowOptions({ fetchConnection, follow: { intervalMs: 10, maxIntervalMs: 10, timeoutMs: 80 } }, {});
  const started = Date.now();
  const result = await followConnection("c1", options, new AbortController().signal, () => {}, decide);
  assert.equal(result.status, "timed_out");
  assert.deepEqual(result.connection, broken);
  assert.ok(Date.now() - started < 400);
});

test("an abort stops it at once", async () => {
  const { looks, fetchConnection } = backend([broken]);
  const options = readFollowOptions({ fetchConnection, follow: { intervalMs: 1_000, timeoutMs: 60_000 } }, {});
  const controller = new AbortController();
  const following = followConnection("c1", options, controller.signal, () => {}, decide);
  setTimeout(() => controller.abort(), 20);
  assert.deepEqual(await following, { status: "stopped", connection: null, decision: null });
  assert.equal(looks.length, 0);
});

test("RepairFlow checks the follow-up options", () => {
  const base = { fetchToken: async () => ({}) };
  const refused = (options, message) => assert.throws(() => new RepairFlow({ ...base, ...options }), { code: "INVALID_OPTIONS", message });
  refused({ statusUrl: "/x", fetchConnection: async () => ({}) }, "give at most one of statusUrl or fetchConnection(connectionId)");
  refused({ fetchConnection: "no" }, "fetchConnection must be a function");
  refused({ statusUrl: "/relative" }, "statusUrl is not a URL (outside a page it must be absolute)");
  refused({ statusUrl: "ftp://x.test/c" }, "statusUrl must be an http(s) URL");
  refused({ statusUrl: "https://x.test/c", follow: { timeoutMs: 0 } }, "follow.timeoutMs must be a whole number of ms from 1 to 2^31 - 1");
  refused({ statusUrl: "https://x.test/c", follow: null }, "follow must be an object { intervalMs, maxIntervalMs, timeoutMs }");
  assert.equal(new RepairFlow({ ...base, statusUrl: "https://x.test/c" }).following, false);
});
