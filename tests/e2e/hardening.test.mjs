// The red-team report's browser-only defects (issue #14), in headless Chromium against the
// simulator under the strict CSP: two popup sessions that completed each other (D1), close()
// from a state callback that left an undismissable widget (D3), start() from the completed
// callback (D15). The Node-visible ones are in tests/js/hardening.test.mjs.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { launchBrowser, openPage, startSim } from "./harness.mjs";

const SANDBOX = "/sandbox.html?csp=strict";
const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

/** Installs `window.lab`: the package, the connections, and flows that record everything. */
async function openLab() {
  const session = await openPage(browser, `${sim.appUrl}${SANDBOX}`);
  await session.page.evaluate(async (widgetOrigin) => {
    const api = await import("/pkg/index.js");
    const connections = await (await fetch("/api/connections")).json();
    const byId = Object.fromEntries(connections.map((c) => [c.id, c]));
    const plain = (o) => o && { status: o.status, connectionId: o.connectionId, reason: o.reason, institutionName: o.metadata?.institutionName ?? null, error: o.error?.code ?? null };
    window.lab = {
      api,
      byId,
      flows: {},
      states: {},
      outcomes: {},
      make(name, options = {}) {
        lab.states[name] = [];
        lab.flows[name] = new api.RepairFlow({
          tokenUrl: "/api/meld/repair",
          allowedWidgetOrigins: [widgetOrigin],
          allowInsecureLoopback: true,
          ...options,
        });
        lab.flows[name].addEventListener("statechange", (event) => lab.states[name].push(event.detail));
      },
      start(name, id) {
        const promise = lab.flows[name].start(byId[id]).then(plain, (error) => ({ rejected: error.code }));
        lab.outcomes[name] = promise;
        return true;
      },
      outcome: (name) => lab.outcomes[name],
      count: () => ({
        widgets: document.querySelectorAll("[data-meld-repair-widget]").length,
        modals: document.querySelectorAll("[data-meld-repair-modal]").length,
      }),
    };
  }, sim.widgetOrigin);
  return session;
}

async function logIn(widget) {
  await widget.locator("#username").fill("user_good");
  await widget.locator("#password").fill("pass_good");
  await widget.locator("#connect").click();
}

/** Event listeners the flow may add, counted with the DevTools protocol. */
async function listenerCounts(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const counts = {};
    for (const target of ["window", "document"]) {
      const { result } = await cdp.send("Runtime.evaluate", { expression: target });
      const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
      for (const type of ["message", "keydown", "focusin"]) counts[`${target}.${type}`] = listeners.filter((l) => l.type === type).length;
    }
    return counts;
  } finally {
    await cdp.detach();
  }
}

test("D1: two popup flows get two windows; finishing B completes only B, A stays open until closed", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make("A", { mode: "popup" });
    lab.make("B", { mode: "popup" });
  });
  const popupA = page.waitForEvent("popup");
  await page.evaluate(() => lab.start("A", "conn_login_required"));
  const a = await popupA;
  await a.locator('body[data-screen="login"]').waitFor();
  const popupB = page.waitForEvent("popup");
  await page.evaluate(() => lab.start("B", "conn_token_expired"));
  const b = await popupB;
  assert.notEqual(a, b, "B has a window of its own");
  await b.locator('body[data-screen="login"]').waitFor();
  assert.equal(a.isClosed(), false);
  await logIn(b);
  const outcomeB = await page.evaluate(() => lab.outcome("B"));
  assert.equal(outcomeB.status, "completed");
  assert.equal(outcomeB.connectionId, "conn_token_expired");
  assert.equal(await page.evaluate(() => lab.flows.A.state), "open", "A is not completed by B's widget");
  assert.equal(a.isClosed(), false, "A's window is still the customer's");
  await page.evaluate(() => lab.flows.A.close());
  assert.deepEqual(await page.evaluate(() => lab.outcome("A")), { status: "cancelled", connectionId: "conn_login_required", reason: "app_closed", institutionName: null, error: null });
  assert.deepEqual(await page.evaluate(() => lab.states), {
    A: ["fetching_token", "open", "cancelled"],
    B: ["fetching_token", "open", "completed"],
  });
  assert.deepEqual(await problems(), []);
});

for (const [how, container] of [["onStateChange, modal", false], ["a statechange listener, container", true]]) {
  test(`D3: close() from ${how} when the state is open: cancelled, and no widget opens`, async () => {
    const { page, problems } = await openLab();
    const baseline = await listenerCounts(page);
    const outcome = await page.evaluate(async (container) => {
      let element = null;
      if (container) document.body.append((element = document.createElement("div")));
      if (container) {
        lab.make("A", { container: element });
        lab.flows.A.addEventListener("statechange", (event) => event.detail === "open" && lab.flows.A.close());
      } else {
        lab.make("A", { onStateChange: (state) => state === "open" && lab.flows.A.close() });
      }
      lab.start("A", "conn_login_required");
      return lab.outcome("A");
    }, container);
    assert.equal(outcome.status, "cancelled");
    assert.equal(outcome.reason, "app_closed");
    await page.waitForTimeout(300); // anything opened late would show by now
    assert.deepEqual(await page.evaluate(() => lab.count()), { widgets: 0, modals: 0 });
    assert.deepEqual(await page.evaluate(() => lab.states.A), ["fetching_token", "open", "cancelled"]);
    assert.deepEqual(await listenerCounts(page), baseline, "no listener left");
    assert.deepEqual(await problems(), []);
  });
}

test("D15: start(another connection) from the completed callback starts it", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make("A", {
      onStateChange: (state) => {
        if (state === "completed" && !lab.outcomes.next) lab.outcomes.next = lab.flows.A.start(lab.byId.conn_token_expired).then((o) => o.status, (error) => `rejected ${error.code}`);
      },
    });
    lab.start("A", "conn_login_required");
  });
  const frame = page.frameLocator("[data-meld-repair-widget]");
  await frame.locator('body[data-screen="login"]').waitFor();
  await logIn(frame);
  assert.equal((await page.evaluate(() => lab.outcome("A"))).status, "completed");
  await page.waitForFunction(() => lab.flows.A.state === "open");
  assert.equal(await page.evaluate(() => lab.flows.A.running), true, "the second repair runs");
  await page.evaluate(() => lab.flows.A.close());
  assert.equal(await page.evaluate(() => lab.outcomes.next), "cancelled");
  assert.deepEqual(await page.evaluate(() => lab.states.A), ["fetching_token", "open", "completed", "fetching_token", "open", "cancelled"]);
  assert.deepEqual(await page.evaluate(() => lab.count()), { widgets: 0, modals: 0 });
  assert.deepEqual(await problems(), []);
});
