// <meld-connections> and a standalone <meld-connection-status> following its repair, end to end:
// headless Chromium on www/connections.html under the strict CSP, the package as `npm pack`
// ships it (the tarball, unpacked, is the page's /pkg/), against the simulator's backend routes
// (meld-repair/server) and its Meld API: the summary and list, duplicates folded, Fix all with a
// cancel in the middle, a repair followed back to ACTIVE, a follow-up whose bound passes, and
// axe (WCAG 2.2 AA) over every state of the list, light and dark, en and es, at 375 px.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, test } from "node:test";
import { explain, explainCopy, explainOutcome } from "meld-repair";
import { CACHE, ROOT, tarball } from "../consumers/harness.mjs";
import { axeViolations, launchBrowser, logIn, openPage, startSim, WIDGET } from "./harness.mjs";

/** The modal's Close, in any language. */
const MODAL_CLOSE = '[data-meld-repair-modal] [role="dialog"] button';

/** A root for the simulator: www/ as it is, pkg/ from the packed tarball. */
function packedRoot() {
  const root = mkdtempSync(join(tmpdir(), "meld-repair-packed-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  execFileSync("tar", ["-xzf", join(CACHE, tarball.name), "-C", root]);
  renameSync(join(root, "package/pkg"), join(root, "pkg"));
  symlinkSync(join(ROOT, "www"), join(root, "www"));
  return root;
}

const browser = await launchBrowser();
const sim = await startSim({ root: packedRoot() });
beforeEach(() => sim.reset());

async function openBanks(query = "", contextOptions = {}) {
  const url = `${sim.appUrl}/connections.html?csp=strict&widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}${query}`;
  const session = await openPage(browser, url, { contextOptions });
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
    fixAll: part("fix-all").hidden ? null : part("fix-all").textContent,
    items: [...part("list").children].map((li) => ({
      tag: li.localName,
      id: li.firstChild.connection.id,
      title: li.firstChild.shadowRoot.querySelector('[part~="title"]').textContent,
      button: li.firstChild.shadowRoot.querySelector('[part~="button"]').hidden ? null : li.firstChild.shadowRoot.querySelector('[part~="button"]').textContent,
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

/** The open modal's title and what names the dialog. */
const modalTitle = (page) => page.evaluate(() => {
  const dialog = document.querySelector('[data-meld-repair-modal] [role="dialog"]');
  return { title: dialog.querySelector("h2").textContent, names: document.getElementById(dialog.getAttribute("aria-labelledby")).textContent, lang: dialog.lang };
});

test("Fix all repairs one at a time, each followed back to ACTIVE, its modal saying which one of how many; a cancel stops the chain", async () => {
  const session = await openBanks("&follow-interval=100&follow-timeout=10000");
  const { page } = session;
  await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector('[part~="fix-all"]').click());
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  const first = "Reconnecting 1 of 3: First Platypus Bank";
  assert.equal(explainCopy("dialog_progress", { institutionName: "First Platypus Bank" }).title, "Reconnecting {count} of {total}: First Platypus Bank");
  assert.deepEqual(await modalTitle(page), { title: first, names: first, lang: "en" });
  await logIn(page); // conn_login_required
  await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "meld-repair-outcome"));
  // The next one opens only after the first completed: one session at a time.
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  assert.deepEqual(await modalTitle(page), { title: "Reconnecting 2 of 3: Tartan Bank", names: "Reconnecting 2 of 3: Tartan Bank", lang: "en" });
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
  // The card says it once in its live region, though both the list and the card set the connection.
  assert.deepEqual(await cardOf(page, "conn_login_required"), { state: "idle", severity: "success", title: explain(repaired).title, message: explain(repaired).message, button: null, status: explain(repaired).title });
  assert.ok(sim.meldApi.webhooks().some((event) => event.eventType === "BANK_LINKING_ACCOUNTS_UPDATED" && event.payload.connectionId === "conn_login_required"));
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("Fix all in Spanish: the modal says which one of how many in Spanish; a repair of one card alone says only Reconnect", async () => {
  const session = await openBanks();
  const { page } = session;
  await page.evaluate(() => document.getElementById("banks").setAttribute("lang", "es"));
  await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector('[part~="fix-all"]').click());
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  const first = "Reconectando 1 de 3: First Platypus Bank";
  assert.deepEqual(await modalTitle(page), { title: first, names: first, lang: "es" });
  await page.locator(MODAL_CLOSE).click();
  await page.waitForFunction(() => !document.getElementById("banks").fixing);
  await page.evaluate(() => void document.getElementById("banks").shadowRoot.querySelector("meld-connection-status").start());
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  const alone = explainCopy("dialog", { locale: "es", institutionName: "First Platypus Bank" }).title;
  assert.deepEqual(await modalTitle(page), { title: alone, names: alone, lang: "es" });
  await page.locator(MODAL_CLOSE).click();
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("a connections attribute that is not JSON: INVALID_CONNECTION on the element and its event, customer words on the page", async () => {
  const session = await openBanks();
  const { page } = session;
  const seen = await page.evaluate(() => {
    const banks = document.getElementById("banks");
    let event = null;
    banks.addEventListener("meld-repair-error", (e) => (event = e.detail.code), { once: true });
    banks.setAttribute("connections", "[{");
    return { event, code: banks.error?.code, triage: banks.triage };
  });
  assert.deepEqual(seen, { event: "INVALID_CONNECTION", code: "INVALID_CONNECTION", triage: null });
  const unavailable = explainCopy("connection_unavailable");
  const shown = await view(page);
  assert.deepEqual([shown.title, shown.message, shown.fixAll, shown.items], [unavailable.title, unavailable.message, null, []]);
  // A readable list again clears it.
  await page.evaluate(() => document.getElementById("banks").setAttribute("connections", "[]"));
  assert.equal((await view(page)).title, "No banks connected");
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

/** The card of `id` in the list, as the customer reads it. */
const cardOf = (page, id) => page.evaluate((wanted) => {
  const card = [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].find((c) => c.connection.id === wanted);
  const part = (name) => card.shadowRoot.querySelector(`[part~="${name}"]`);
  return { state: card.state, severity: part("card").dataset.severity, title: part("title").textContent, message: part("message").textContent, button: part("button").hidden ? null : part("button").textContent, status: part("status").textContent };
}, id);

const REPAIRED = { institutionName: "First Platypus Bank" };

test("a follow-up whose bound passes: the card says still updating, check back later", async () => {
  sim.setConfig({ aggregationDelayMs: 60_000 });
  const session = await openBanks("&follow-interval=100&follow-timeout=800");
  const { page } = session;
  await page.evaluate(() => void document.getElementById("banks").shadowRoot.querySelector("li meld-connection-status").start());
  await logIn(page);
  await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "meld-repair-outcome"));
  // Meld still says RECONNECT_REQUIRED while it aggregates: the card stays "Reconnected".
  await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "connectionupdate"));
  assert.equal((await cardOf(page, "conn_login_required")).title, explainOutcome({ status: "completed" }, REPAIRED).title);
  assert.equal((await view(page)).title, "2 of your banks need you"); // the repaired one counts as updating
  const still = explainCopy("repair_still_updating", REPAIRED);
  await page.waitForFunction((title) => document.getElementById("banks").shadowRoot.querySelector("li meld-connection-status").shadowRoot.querySelector('[part~="title"]').textContent === title, still.title);
  assert.deepEqual(await cardOf(page, "conn_login_required"), { state: "completed", severity: "info", title: still.title, message: still.message, button: null, status: `${still.title}. ${still.message}` });
  assert.equal((await view(page)).title, "2 of your banks need you");
  assert.equal(sim.meldApi.connection("conn_login_required").status, "RECONNECT_REQUIRED");
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

/** A <meld-connection-status> of its own on the page (not in the list), with `attributes`; `fetchConnection` by name. */
function addStandalone(page, attributes, { fetchConnection = false } = {}) {
  return page.evaluate(async ({ attributes, fetchConnection }) => {
    const connection = (await (await fetch("/api/connections")).json()).find((c) => c.id === "conn_login_required");
    const card = document.createElement("meld-connection-status");
    card.id = "alone";
    const origin = new URLSearchParams(location.search).get("widgetOrigin");
    for (const [name, value] of Object.entries({ "token-url": "/api/meld/repair-token", "allowed-widget-origins": origin, "allow-insecure-loopback": "", ...attributes })) card.setAttribute(name, value);
    if (fetchConnection) card.fetchConnection = async (id, { signal }) => (await fetch(`/api/meld/connection?connectionId=${encodeURIComponent(id)}`, { signal })).json();
    // What the card showed when each fresh connection came; the app stores it and sets it again, as apps do.
    window.aloneUpdates = [];
    card.addEventListener("connectionupdate", (event) => {
      window.aloneUpdates.push({ status: event.detail.connection.status, code: event.detail.decision.code, title: card.shadowRoot.querySelector('[part~="title"]').textContent, bubbles: event.bubbles, composed: event.composed });
      card.connection = event.detail.connection;
    });
    card.connection = connection;
    document.querySelector("main").prepend(card);
  }, { attributes, fetchConnection });
}

const alone = (page) => page.evaluate(() => {
  const card = document.getElementById("alone");
  const part = (name) => card.shadowRoot.querySelector(`[part~="${name}"]`);
  return { state: card.state, severity: part("card").dataset.severity, title: part("title").textContent, button: part("button").hidden ? null : part("button").textContent, status: part("status").textContent };
});

test("a standalone <meld-connection-status status-url> follows its repair back to ACTIVE", async () => {
  sim.setConfig({ aggregationDelayMs: 600 });
  const session = await openBanks();
  const { page } = session;
  await addStandalone(page, { "status-url": "/api/meld/connection", "follow-interval": "100", "follow-timeout": "10000" });
  await page.locator("#alone").getByRole("button").click();
  await logIn(page);
  const completed = explainOutcome({ status: "completed" }, REPAIRED);
  await page.waitForFunction(() => document.getElementById("alone").state === "completed");
  assert.equal((await alone(page)).title, completed.title);
  // Followed until Meld said ACTIVE; then the healthy explanation, no button.
  await page.waitForFunction(() => document.getElementById("alone").connection.status === "ACTIVE");
  const healthy = explain(sim.meldApi.connection("conn_login_required"));
  // Said once in the live region (visually hidden: the title says it).
  assert.deepEqual(await alone(page), { state: "idle", severity: "success", title: healthy.title, button: null, status: healthy.title });
  const updates = await page.evaluate(() => window.aloneUpdates);
  // Looks while Meld aggregated kept "Reconnected" (the stale status is not shown), the last is healthy.
  assert.ok(updates.length >= 2, JSON.stringify(updates));
  assert.ok(updates.slice(0, -1).every((u) => u.status === "RECONNECT_REQUIRED" && u.title === completed.title), JSON.stringify(updates));
  assert.deepEqual(updates.at(-1), { status: "ACTIVE", code: "healthy", title: healthy.title, bubbles: true, composed: true });
  // The list on the page has its own flows: this repair was the standalone card's alone.
  const listStates = await page.evaluate(() => [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].map((c) => c.state));
  assert.ok(listStates.every((state) => state === "idle"), listStates.join(" "));
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("a standalone card with fetchConnection whose bound passes: still updating; the app's fresh connection then shows", async () => {
  sim.setConfig({ aggregationDelayMs: 60_000 });
  const session = await openBanks();
  const { page } = session;
  await addStandalone(page, { "follow-interval": "100", "follow-timeout": "700" }, { fetchConnection: true });
  await page.locator("#alone").getByRole("button").click();
  await logIn(page);
  await page.waitForFunction(() => window.aloneUpdates.length > 0);
  assert.equal((await alone(page)).title, explainOutcome({ status: "completed" }, REPAIRED).title);
  const still = explainCopy("repair_still_updating", REPAIRED);
  await page.waitForFunction((title) => document.getElementById("alone").shadowRoot.querySelector('[part~="title"]').textContent === title, still.title);
  // Neutral, nothing to press, and said once in the live region.
  assert.deepEqual(await alone(page), { state: "completed", severity: "info", title: still.title, button: null, status: `${still.title}. ${still.message}` });
  assert.equal(sim.meldApi.connection("conn_login_required").status, "RECONNECT_REQUIRED");
  // Later, the app's webhook says ACTIVE and it sets the connection: the healthy explanation.
  sim.meldApi.completeRepair("conn_login_required");
  const fresh = sim.meldApi.connection("conn_login_required");
  await page.evaluate((connection) => (document.getElementById("alone").connection = connection), fresh);
  assert.deepEqual(await alone(page), { state: "idle", severity: "success", title: explain(fresh).title, button: null, status: explain(fresh).title });
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("an app that sets element.connection = fresh itself gets the same transitions; a bad fetchConnection is refused", async () => {
  const session = await openBanks();
  const { page } = session;
  await addStandalone(page, {});
  const refused = await page.evaluate(() => {
    try {
      document.getElementById("alone").fetchConnection = "/api/meld/connection";
      return null;
    } catch (error) {
      return { name: error.name, code: error.code };
    }
  });
  assert.deepEqual(refused, { name: "MeldRepairError", code: "INVALID_OPTIONS" });
  await page.locator("#alone").getByRole("button").click();
  await logIn(page);
  await page.waitForFunction(() => document.getElementById("alone").state === "completed");
  const stale = sim.meldApi.connection("conn_login_required");
  // With no aggregation delay Meld is ACTIVE at once: the app's first push is the stale copy it had.
  const completed = explainOutcome({ status: "completed" }, REPAIRED);
  await page.evaluate((connection) => (document.getElementById("alone").connection = { ...connection, status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" }), stale);
  assert.equal((await alone(page)).title, completed.title);
  await page.evaluate((connection) => (document.getElementById("alone").connection = connection), stale);
  assert.deepEqual(await alone(page), { state: "idle", severity: "success", title: explain(stale).title, button: null, status: explain(stale).title });
  // Without status-url or fetchConnection nothing was followed.
  assert.deepEqual(await page.evaluate(() => window.aloneUpdates), []);
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

for (const scheme of ["light", "dark"]) {
  for (const lang of ["en", "es"]) {
    test(`<meld-connections> in every state, ${lang}, ${scheme}, 375 px: zero axe violations`, async () => {
      sim.setConfig({ aggregationDelayMs: 60_000 });
      const session = await openBanks("&follow-interval=100&follow-timeout=2500", { colorScheme: scheme, viewport: { width: 375, height: 812 } });
      const { page } = session;
      const audit = async (label) => assert.deepEqual(await axeViolations(page), [], `${label}, ${lang}, ${scheme}`);
      await page.evaluate((locale) => document.getElementById("banks").setAttribute("lang", locale), lang);
      const words = (copy) => explainCopy(copy, { locale: lang, institutionName: "First Platypus Bank" }).title;
      await audit("initial");

      // Fixing: Fix all running, the widget open over the page.
      await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector('[part~="fix-all"]').click());
      await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
      await audit("fixing");
      await logIn(page);
      // The first repaired and followed ("Reconnected"), the second open.
      await page.waitForFunction(() => window.meldConnectionsEvents.some((e) => e.type === "connectionupdate"));
      await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
      assert.equal((await cardOf(page, "conn_login_required")).title, words("repair_completed"));
      await audit("fixing, the first followed");

      // A cancel in the middle: the chain stops.
      await page.locator(MODAL_CLOSE).click();
      await page.waitForFunction(() => !document.getElementById("banks").fixing);
      assert.equal((await cardOf(page, "conn_token_expired")).state, "cancelled");
      await audit("after a cancel in the middle of Fix all");

      // The bound passes: still updating.
      await page.waitForFunction((title) => document.getElementById("banks").shadowRoot.querySelector("li meld-connection-status").shadowRoot.querySelector('[part~="title"]').textContent === title, words("repair_still_updating"));
      await audit("timed out");

      // Failed: Meld refuses the repair token.
      sim.meldApi.failNext(404);
      await page.evaluate(() => [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].find((c) => c.connection.id === "conn_access_expiring_soon").start().catch(() => {}));
      assert.equal((await cardOf(page, "conn_access_expiring_soon")).state, "failed");
      await audit("failed");

      // Followed back to health: Meld done at once this time.
      sim.setConfig({ aggregationDelayMs: 0 });
      await page.evaluate(() => void [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].find((c) => c.connection.id === "conn_token_expired").start());
      await logIn(page);
      await page.waitForFunction(() => document.getElementById("banks").triage.items.find((item) => item.connection.id === "conn_token_expired").decision.code === "healthy");
      assert.equal((await cardOf(page, "conn_token_expired")).severity, "success");
      await audit("healthy again");

      if (scheme === "light") {
        // The theme attribute reaches the cards: dark ones on a light page pass too.
        await page.evaluate(() => document.getElementById("banks").setAttribute("theme", "dark"));
        assert.equal(await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector("meld-connection-status").getAttribute("theme")), "dark");
        await audit("theme=dark on a light page");
      }

      // The browser logs Meld's refusal (the 404 of the token route); nothing else may be logged.
      assert.deepEqual((await session.problems()).filter((problem) => !/status of 404/.test(problem)), []);
      await session.close();
    });
  }
}
