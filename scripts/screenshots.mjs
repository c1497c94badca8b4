// Screenshots of <meld-connection-status> in every state, light and dark, en and es, and as
// renderConnectionStatus serves it with JavaScript off, into docs/screenshots/ (linked from the
// README). Headless Chromium over the simulator, as the e2e tests run it.
// Usage: node scripts/build.mjs && node scripts/screenshots.mjs
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
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
    // Completed for real: through the widget, so the pending state is the element's own.
    const completed = page.locator("#board figure:nth-child(9) meld-connection-status");
    await completed.evaluate((element) => element.setAttribute("allowed-widget-origins", new URLSearchParams(location.search).get("widgetOrigin")));
    await completed.evaluate((element) => element.setAttribute("allow-insecure-loopback", ""));
    await completed.getByRole("button").click();
    const frame = page.frameLocator("[data-meld-repair-widget]");
    await frame.locator('body[data-screen="login"]').waitFor();
    await page.screenshot({ path: `${out}modal-${lang}-${scheme}.png` });
    await frame.locator("#username").fill("user_good");
    await frame.locator("#password").fill("pass_good");
    await frame.locator("#connect").click();
    await page.waitForFunction(() => document.querySelector("#board figure:nth-child(9) meld-connection-status").state === "completed");
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
await browser.close();
await sim.close();
console.log(`screenshots in ${out}`);
