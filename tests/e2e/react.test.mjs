// The React example (www/react/, built by Vite into www/react/dist/, served by the simulator at
// /react/dist/) in headless Chromium under the strict CSP. It renders in <StrictMode> with
// React's development build, so effects really run twice: useRepairFlow must still make one
// backend request and show one widget.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, test } from "node:test";
import { explain, explainCopy, explainOutcome } from "meld-repair";
import { launchBrowser, logIn, openPage, startSim, WIDGET } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const APP = join(ROOT, "www/react");
const BUILT = join(APP, "dist/index.html");

/** Newest modification time of the example's sources and of the built package it bundles. */
function newestSource() {
  const files = [
    ...readdirSync(APP).filter((name) => /\.(jsx?|html|css)$/.test(name)).map((name) => join(APP, name)),
    ...walk(join(ROOT, "pkg")),
    join(ROOT, "package.json"),
  ];
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

// Build unless a build newer than every source is there.
if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < newestSource()) {
  execFileSync(join(ROOT, "node_modules/.bin/vite"), ["build", "--config", join(APP, "vite.config.js")], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

/**
 * A fresh context on the example (strict CSP), with a counter of the page's fetch calls and of
 * the most widgets shown at once, both installed before the app's own scripts run (init scripts:
 * the page's CSP does not apply to them).
 */
async function openExample(query = "") {
  const session = await openPage(browser, "about:blank");
  await session.context.addInitScript(() => {
    window.fetchCalls = [];
    const fetch = window.fetch;
    window.fetch = function (input, init) {
      window.fetchCalls.push(new URL(input instanceof Request ? input.url : String(input), location.href).pathname);
      return fetch.call(this, input, init);
    };
    window.maxWidgets = 0;
    const count = () => {
      window.maxWidgets = Math.max(window.maxWidgets, document.querySelectorAll("iframe[data-meld-repair-widget]").length);
    };
    new MutationObserver(count).observe(document, { childList: true, subtree: true });
  });
  const widgetOrigin = encodeURIComponent(sim.widgetOrigin);
  await session.page.goto(`${sim.appUrl}/react/dist/?csp=strict&widgetOrigin=${widgetOrigin}${query}`);
  await session.page.waitForSelector('#app[data-state="ready"]');
  return session;
}

const fetchCount = async (page, path) => (await page.evaluate(() => window.fetchCalls)).filter((p) => p === path).length;

async function assertCompleted(page, connectionId, institutionName) {
  const outcome = page.locator("#outcome");
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-status"), "completed");
  assert.equal(await outcome.getAttribute("data-connection-id"), connectionId);
  const pending = explainOutcome({ status: "completed" }, { institutionName });
  assert.equal(await outcome.textContent(), `${pending.title}. ${pending.message}`);
  assert.equal(await page.locator("#repairs").getAttribute("data-flow-state"), "completed");
  // Pending success on the card: no error badge, no Reconnect, until the webhook; "Updating"
  // in the info tone, as the element shows it.
  const card = page.locator(`li[data-connection-id="${connectionId}"]`);
  assert.equal(await card.getAttribute("class"), "connection severity-info");
  assert.equal(await card.locator(".badge").textContent(), `↻ ${explainCopy("severity_updating").title}`);
  assert.equal(await card.locator(".title").textContent(), pending.title);
  assert.equal(await card.getByRole("button").count(), 0);
  await page.locator(WIDGET).waitFor({ state: "detached" });
}

test("Strict Mode: the mount effects run twice, the prefetch makes one request; Reconnect repairs", async () => {
  const session = await openExample();
  const { page } = session;
  // The list mounted once the connections were in, and Strict Mode (development build) ran its
  // effects twice: the connection list was fetched twice (the first fetch aborted by its
  // cleanup) and the prefetch of the most urgent repair ran twice, on the same flow.
  await page.waitForFunction(() => window.fetchCalls.includes("/api/meld/repair"));
  assert.equal(await fetchCount(page, "/api/connections"), 2, "Strict Mode ran the effects twice");
  await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.endsWith("/api/meld/repair")));

  const card = page.locator('li[data-connection-id="conn_login_required"]');
  const label = explain({ status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" }).actionLabel;
  await card.getByRole("button", { name: label }).dblclick(); // two start() calls: one session
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  assert.equal(await page.locator("#repairs").getAttribute("data-flow-state"), "open");
  await logIn(page);
  await assertCompleted(page, "conn_login_required", "First Platypus Bank");

  assert.equal(sim.stats().repairRequests, 1);
  assert.deepEqual(sim.stats().repairRequestsByConnection, { conn_login_required: 1 });
  assert.equal(await fetchCount(page, "/api/meld/repair"), 1);
  assert.equal(await page.evaluate(() => window.maxWidgets), 1);
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("Strict Mode: a repair started from a mount effect (?repair=id) opens one widget after one request", async () => {
  const session = await openExample("&repair=conn_token_expired");
  const { page } = session;
  await logIn(page);
  await assertCompleted(page, "conn_token_expired", "Tartan Bank");
  assert.equal(await fetchCount(page, "/api/connections"), 2, "Strict Mode ran the effects twice");
  assert.equal(sim.stats().repairRequests, 1);
  assert.deepEqual(sim.stats().repairRequestsByConnection, { conn_token_expired: 1 });
  assert.equal(await page.evaluate(() => window.maxWidgets), 1);
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("unmounting the component closes an open repair (sign out)", async () => {
  const session = await openExample("&repair=conn_login_required");
  const { page } = session;
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  // The modal covers the page and traps focus; the app signs out under it (a timer, a route change).
  await page.evaluate(() => document.querySelector("#sign-out").click());
  await page.locator(WIDGET).waitFor({ state: "detached" });
  assert.equal(await page.locator("[data-meld-repair-modal]").count(), 0);
  assert.equal(await page.locator("#repairs").count(), 0);
  assert.equal(sim.stats().repairRequests, 1);
  assert.equal(await page.evaluate(() => window.maxWidgets), 1);
  assert.deepEqual(await session.problems(), []);
  await session.close();
});
