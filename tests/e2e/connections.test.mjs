// <meld-connections> end to end: headless Chromium on www/connections.html under the strict
// CSP, against the simulator's backend routes (meld-repair/server) and its Meld API: the summary
// and list, duplicates folded, Fix all with a cancel in the middle, a repair followed back to
// ACTIVE, and a follow-up whose bound passes.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { explain } from "meld-repair";
import { launchBrowser, logIn, openPage, startSim, WIDGET } from "./harness.mjs";

const MODAL_CLOSE = '[data-meld-repair-modal] button[aria-label="Close"]';

const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

async function openBanks(query = "") {
  const url = `${sim.appUrl}/connections.html?csp=strict&widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}${query}`;
  const session = await openPage(browser, url);
  await session.page.waitForFunction(() => document.body.dataset.state === "ready");
  return session;
}

/** What the element shows, from its shadow root and its cards'. */
const view = (page) => page.evaluate(() => {
  const element = document.getElementById("banks");
  const root = element.shadowRoot;
  const part = (name) => root.querySelector(`[part~="${name}"]`);
  const summary = part("summary");
  return {
    heading: part("heading").textContent,
    labelledBy: root.querySelector("section").getAttribute("aria-labelledby") === part("heading").id,
    summaryRole: summary.getAttribute("role"),
    summaryLive: summary.getAttribute("aria-live"),
    title: part("summary-title").textContent,
    message: part("summary-message").textContent,
    note: part("summary-note").textContent,
    fixAll: part("fix-all").hidden ? null : part("fix-all").textContent,
    items: [...part("list").children].map((li) => ({
      tag: li.localName,
      id: li.firstChild.connection.id,
      title: li.firstChild.shadowRoot.querySelector('[part~="title"]').textContent,
      duplicates: li.querySelector('[part~="duplicates"]').hidden ? null : li.querySelector('[part~="duplicates"]').textContent,
    })),
  };
});

const outcomes = (page) => page.evaluate(() => window.meldConnectionsEvents.filter((e) => e.type === "meld-repair-outcome").map((e) => e.detail));

test("one summary, a list under a heading, by urgency, the duplicate folded into its bank", async () => {
  const session = await openBanks();
  const shown = await view(session.page);
  assert.equal(shown.heading, "Your banks");
  assert.ok(shown.labelledBy);
  assert.deepEqual([shown.summaryRole, shown.summaryLive], ["status", "polite"]);
  assert.equal(shown.title, "3 of your banks need you"); // two reconnects and an expiring access
  assert.equal(shown.fixAll, "Fix all");
  assert.deepEqual(shown.items.map((item) => item.id), ["conn_login_required", "conn_token_expired", "conn_access_expiring_soon", "conn_active", "conn_institution_unavailable"]);
  assert.ok(shown.items.every((item) => item.tag === "li"));
  assert.equal(shown.items[3].duplicates, "Linked twice: the extra copy stays in sync and needs nothing.");
  assert.ok(shown.items.filter((item) => item.id !== "conn_active").every((item) => item.duplicates === null));
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("Fix all repairs one at a time, each followed back to ACTIVE; a cancel stops the chain", async () => {
  const session = await openBanks("&follow-interval=100&follow-timeout=10000");
  const { page } = session;
  await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector('[part~="fix-all"]').click());
  await logIn(page); // conn_login_required
  await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "meld-repair-outcome"));
  // The next one opens only after the first completed: one session at a time.
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  assert.deepEqual(await outcomes(page), [{ status: "completed", connectionId: "conn_login_required" }]);
  await page.locator(MODAL_CLOSE).click(); // cancel conn_token_expired
  await page.waitForFunction(() => window.meldConnectionsEvents.filter((e) => e.type === "meld-repair-outcome").length === 2);
  await page.waitForFunction(() => !document.getElementById("banks").fixing);
  // The chain stopped: conn_access_expiring_soon was never opened.
  assert.deepEqual(await outcomes(page), [{ status: "completed", connectionId: "conn_login_required" }, { status: "cancelled", connectionId: "conn_token_expired" }]);
  assert.equal(sim.stats().repairRequests, 0); // the meld-repair/server route, not the fault-injecting one
  assert.equal(await page.locator(WIDGET).count(), 0);
  // The repaired one came back ACTIVE from Meld and the list was triaged again.
  await page.waitForFunction(() => document.getElementById("banks").triage.items.find((item) => item.connection.id === "conn_login_required").decision.code === "healthy");
  assert.equal(sim.meldApi.connection("conn_login_required").status, "ACTIVE");
  const shown = await view(page);
  assert.equal(shown.title, "2 of your banks need you"); // token_expired, access_expiring_soon
  // Each card shows its own repair only: the one never opened is untouched.
  const states = await page.evaluate(() => [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].map((card) => [card.connection.id, card.state]));
  assert.deepEqual(states.find(([id]) => id === "conn_access_expiring_soon"), ["conn_access_expiring_soon", "idle"]);
  const repaired = sim.meldApi.connection("conn_login_required");
  assert.equal(shown.items.find((item) => item.id === "conn_login_required").title, explain(repaired).title);
  assert.ok(sim.meldApi.webhooks().some((event) => event.eventType === "BANK_LINKING_ACCOUNTS_UPDATED" && event.payload.connectionId === "conn_login_required"));
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("a follow-up whose bound passes says: still updating, check back later", async () => {
  sim.setConfig({ aggregationDelayMs: 60_000 });
  const session = await openBanks("&follow-interval=100&follow-timeout=800");
  const { page } = session;
  await page.evaluate(() => void document.getElementById("banks").shadowRoot.querySelector("li meld-connection-status").start());
  await logIn(page);
  await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "meld-repair-outcome"));
  let shown = await view(page);
  assert.equal(shown.note, "Reconnected. Your accounts are updating.");
  assert.equal(shown.title, "2 of your banks need you"); // the repaired one counts as updating
  await page.waitForFunction(() => document.getElementById("banks").shadowRoot.querySelector('[part~="summary-note"]').textContent.startsWith("Still"));
  shown = await view(page);
  assert.equal(shown.note, "Still updating. Check back later.");
  assert.equal(sim.meldApi.connection("conn_login_required").status, "RECONNECT_REQUIRED");
  assert.deepEqual(await session.problems(), []);
  await session.close();
});
