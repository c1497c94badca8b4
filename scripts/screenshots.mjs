// Screenshots of <meld-connection-status> in every state (a lost popup window included), light
// and dark, en and es, the modal over it (in the page's scheme), and as
// renderConnectionStatus serves it with JavaScript off, and of <meld-connections> fixing,
// following a repair back to health and past its bound, into docs/screenshots/ (linked from the
// README). Headless Chromium over the simulator, as the e2e tests run it.
// Usage: node scripts/build.mjs && node scripts/screenshots.mjs
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { explainCopy, explainOutcome } from "meld-repair";
import { chromium } from "playwright-core";
import { renderConnectionStatus } from "meld-repair/server";
import { startSimulator } from "../sim/server.mjs";

const out = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));
mkdirSync(out, { recursive: true });
const sim = await startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: false });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox"] });

/** One board per scheme and language: a card per state, each labelled for the reader. */
async function board(page, lang) {
  return page.evaluate(async (locale) => {
    const { RepairFlow } = await import("/pkg/index.js");
    const byId = Object.fromEntries((await (await fetch("/api/connections")).json()).map((c) => [c.id, c]));
    const grid = document.createElement("div");
    grid.id = "board";
    grid.className = "grid";
    document.querySelector("main").prepend(grid);
    const add = (label, connection, setup) => {
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = label;
      const element = document.createElement("meld-connection-status");
      element.setAttribute("lang", locale);
      element.setAttribute("token-url", "/api/meld/repair");
      setup?.(element);
      if (connection) element.connection = connection;
      figure.append(caption, element);
      grid.append(figure);
      return element;
    };
    add("Needs the customer (error)", byId.conn_login_required);
    add("Recommended (warning)", byId.conn_access_expiring_soon);
    add("Healthy (success)", byId.conn_active);
    add("Nothing to do (info)", byId.conn_institution_unavailable);
    add("Check again (contact_institution)", byId.conn_institution_action_required);
    add("Link again (new_connection)", byId.conn_expired);
    const fetching = add("Fetching the token", byId.conn_token_expired, (e) => (e.flow = new RepairFlow({ fetchToken: () => new Promise(() => {}), locale })));
    fetching.start();
    const failed = add("Failed: Try again", byId.conn_unrecoverable, (e) => (e.flow = new RepairFlow({ fetchToken: async () => { throw new Error("down"); }, locale })));
    await failed.start();
    add("Completed: pending success", byId.conn_reconnect_other);
    add("Unreadable connection", null, (e) => e.setAttribute("connection", "{"));
    add("Completed, past the bound: still updating", byId.conn_repairing_institution, (e) => {
      e.setAttribute("follow-interval", "100");
      e.setAttribute("follow-timeout", "300");
      e.fetchConnection = async () => byId.conn_repairing_institution; // Meld still aggregating
    });
    add("Window lost: a popup cut off by its bank's COOP", byId.conn_interactive_refresh, (e) => e.setAttribute("mode", "popup"));
    return true;
  }, lang);
}

const style = `figure { margin: 0; } figcaption { font: 12px system-ui; opacity: .8; margin-bottom: 4px; } #board { padding: 16px; }`;

for (const scheme of ["light", "dark"]) {
  for (const lang of ["en", "es"]) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${sim.appUrl}/element.html?widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}`);
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    await page.addStyleTag({ content: style });
    await board(page, lang);
    // Completed for real: through the widget, so the pending states are the element's own.
    const frame = page.frameLocator("[data-meld-repair-widget]");
    const complete = async (figure, beforeLogIn) => {
      const element = page.locator(`#board figure:nth-child(${figure}) meld-connection-status`);
      await element.evaluate((e) => e.setAttribute("allowed-widget-origins", new URLSearchParams(location.search).get("widgetOrigin")));
      await element.evaluate((e) => e.setAttribute("allow-insecure-loopback", ""));
      await element.getByRole("button").click();
      await frame.locator('body[data-screen="login"]').waitFor();
      await beforeLogIn?.();
      await frame.locator("#username").fill("user_good");
      await frame.locator("#password").fill("pass_good");
      await frame.locator("#connect").click();
      await page.waitForFunction((n) => document.querySelector(`#board figure:nth-child(${n}) meld-connection-status`).state === "completed", figure);
    };
    await complete(9, () => page.screenshot({ path: `${out}modal-${lang}-${scheme}.png` }));
    await complete(11);
    // A popup whose bank page sends COOP same-origin: the opener loses it (window_lost).
    const lostCard = page.locator("#board figure:nth-child(12) meld-connection-status");
    await lostCard.evaluate((e) => e.setAttribute("allowed-widget-origins", new URLSearchParams(location.search).get("widgetOrigin")));
    await lostCard.evaluate((e) => e.setAttribute("allow-insecure-loopback", ""));
    const popupOpened = page.waitForEvent("popup");
    await lostCard.getByRole("button").click();
    const popup = await popupOpened;
    await popup.locator('body[data-screen="login"]').waitFor();
    await popup.goto(`${sim.widgetOrigin}/bank.html`);
    await page.waitForFunction(() => document.querySelector("#board figure:nth-child(12) meld-connection-status").state === "cancelled");
    await popup.close();
    const still = explainCopy("repair_still_updating", { locale: lang, institutionName: "Tattersall Federal Credit Union" }).title;
    await page.waitForFunction((title) => document.querySelector("#board figure:nth-child(11) meld-connection-status").shadowRoot.querySelector('[part~="title"]').textContent === title, still);
    await page.mouse.move(0, 0);
    await page.locator("#board").screenshot({ path: `${out}element-${lang}-${scheme}.png` });
    await context.close();
  }
}
// The server's HTML alone: what a page shows before (or without) the element's script.
const served = [
  { status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" },
  { status: "EXPIRED", institutionName: "Madras Mutual" },
  { status: "ACTIVE", institutionName: "Houndstooth Bank" },
].map((connection) => renderConnectionStatus(connection, { locale: "en" }));
for (const scheme of ["light", "dark"]) {
  const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 480, height: 600 }, deviceScaleFactor: 1, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.setContent(`<!doctype html><meta name="color-scheme" content="light dark"><style>body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: Canvas; color: CanvasText } main { display: grid; gap: 12px; padding: 16px }</style><main id="served">${served.join("")}</main>`);
  await page.locator("#served").screenshot({ path: `${out}ssr-no-js-en-${scheme}.png` });
  await context.close();
}

/** The card of `id` in the list has `title`. */
const cardTitle = (page, id, title) => page.waitForFunction(([id, title]) => {
  const card = [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].find((c) => c.connection.id === id);
  return card.shadowRoot.querySelector('[part~="title"]').textContent === title;
}, [id, title], { timeout: 15_000 });

// <meld-connections> on its demo page, 375 px wide, through the simulator's backend routes.
for (const scheme of ["light", "dark"]) {
  for (const lang of ["en", "es"]) {
    sim.reset();
    sim.setConfig({ aggregationDelayMs: 3_000 });
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 375, height: 812 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${sim.appUrl}/connections.html?widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}&follow-interval=200&follow-timeout=6000`);
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    await page.evaluate((locale) => document.getElementById("banks").setAttribute("lang", locale), lang);
    const name = (state) => `${out}connections-${state}-${lang}-${scheme}.png`;
    // The list with a margin of the page around it.
    const shoot = async (state) => {
      const box = await page.locator("#banks").boundingBox();
      await page.screenshot({ path: name(state), fullPage: true, clip: { x: box.x - 16, y: box.y - 16, width: box.width + 32, height: box.height + 32 } });
    };
    const frame = page.frameLocator("[data-meld-repair-widget]");
    const logIn = async () => {
      await frame.locator('body[data-screen="login"]').waitFor();
      await frame.locator("#username").fill("user_good");
      await frame.locator("#password").fill("pass_good");
      await frame.locator("#connect").click();
    };
    // Fix all: the first bank's widget over the page.
    await page.evaluate(() => document.getElementById("banks").shadowRoot.querySelector('[part~="fix-all"]').click());
    await frame.locator('body[data-screen="login"]').waitFor();
    await page.screenshot({ path: name("fixing") });
    // The first repaired, the second cancelled: the list while Meld aggregates, then healthy.
    await logIn();
    const platypus = { locale: lang, institutionName: "First Platypus Bank" };
    await cardTitle(page, "conn_login_required", explainOutcome({ status: "completed" }, platypus).title);
    await frame.locator('body[data-screen="login"]').waitFor();
    await page.locator('[data-meld-repair-modal] [role="dialog"] button').click();
    await page.waitForFunction(() => !document.getElementById("banks").fixing);
    await page.mouse.move(0, 0);
    await shoot("followed");
    await page.waitForFunction(() => document.getElementById("banks").triage.items.find((item) => item.connection.id === "conn_login_required").decision.code === "healthy", null, { timeout: 15_000 });
    await shoot("healthy");
    // Tartan's repair, with Meld slower than the bound: still updating.
    sim.setConfig({ aggregationDelayMs: 60_000 });
    await page.evaluate(() => void [...document.getElementById("banks").shadowRoot.querySelectorAll("meld-connection-status")].find((c) => c.connection.id === "conn_token_expired").start());
    await logIn();
    await cardTitle(page, "conn_token_expired", explainCopy("repair_still_updating", { locale: lang }).title);
    await page.mouse.move(0, 0);
    await shoot("timed-out");
    await context.close();
  }
}
await browser.close();
await sim.close();
console.log(`screenshots in ${out}`);
