// RepairFlow + meld-repair/server's repair-token handler + the simulated Meld API, end to end
// in headless Chromium: the page's tokenUrl is the handler (POST /api/meld/repair-token on the
// app origin, mounted with toNodeHandler), which reads the connection from the simulated Meld
// API and mints the token there only when decide() opens the widget.
// When Meld says the connection is healthy, the handler answers 409 { code:
// "REPAIR_NOT_NEEDED", decision } and the session ends `not_needed` with that decision.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { launchBrowser, openPage, startSim } from "./harness.mjs";

const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

/** Starts a flow on the bare sandbox page for `connection`; resolves the page and the outcome promise's handle. */
async function startFlow(connection) {
  const session = await openPage(browser, `${sim.appUrl}/sandbox.html?csp=strict`);
  await session.page.evaluate(
    async ({ widgetOrigin, connection }) => {
      const { RepairFlow } = await import("/pkg/index.js");
      const flow = new RepairFlow({ tokenUrl: "/api/meld/repair-token", allowedWidgetOrigins: [widgetOrigin], allowInsecureLoopback: true });
      window.flow = flow;
      window.outcome = flow.start(connection).then((o) => ({ ...o, error: o.error && { code: o.error.code, message: o.error.message } }));
    },
    { widgetOrigin: sim.widgetOrigin, connection },
  );
  return session;
}

test("a RECONNECT_REQUIRED connection is repaired through the handler", async () => {
  const { page, problems } = await startFlow(sim.meldApi.connection("conn_login_required"));
  const widget = page.frameLocator("[data-meld-repair-widget]");
  await widget.locator('body[data-screen="login"]').waitFor();
  await widget.locator("#username").fill("user_good");
  await widget.locator("#password").fill("pass_good");
  await widget.locator("#connect").click();
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.status, "completed", JSON.stringify(outcome));
  assert.equal(outcome.connectionId, "conn_login_required");
  assert.equal(sim.meldApi.counts().repairsMinted, 1);
  assert.deepEqual(await problems(), []);
});

test("a connection Meld says is healthy gets not_needed from the server's 409, and no token is minted", async () => {
  // The page's copy is stale: it still says RECONNECT_REQUIRED, Meld already has it ACTIVE.
  const stale = { ...sim.meldApi.connection("conn_active"), status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };
  const { page } = await startFlow(stale);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.status, "not_needed", JSON.stringify(outcome));
  assert.equal(outcome.decision.status, "ACTIVE");
  assert.equal(outcome.decision.openWidget, false);
  assert.equal(sim.meldApi.counts().repairsMinted, 0);
  assert.equal(await page.locator("[data-meld-repair-widget]").count(), 0);
  assert.equal(await page.evaluate(() => window.flow.state), "not_needed", "the session machine's final state");
});
