// Server rendering of <meld-connection-status> (renderConnectionStatus from meld-repair/server)
// in headless Chromium, under a strict CSP whose style-src allows only the sheet's hash: with
// JavaScript off the page shows each explanation, styled; with it on, the element adopts the
// server's shadow root (the same nodes), shifts nothing (layout-shift entries and every part's
// box, before and after), shows what a client-rendered element shows, works, and passes axe.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { explain, explainCopy } from "meld-repair";
import { CONNECTION_STATUS_STYLE_HASH, renderConnectionStatus } from "meld-repair/server";
import { MIME_TYPES } from "../../sim/static.mjs";
import { axeViolations, launchBrowser, openPage } from "./harness.mjs";

const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const CSP = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' ${CONNECTION_STATUS_STYLE_HASH}; connect-src 'self'`;

const CARDS = [
  { id: "login", locale: "en", connection: { id: "conn_login", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" } },
  { id: "expired", locale: "es-MX", connection: { id: "conn_expired", status: "EXPIRED", institutionName: 'Banco <b>Ñandú</b> & "Hijos"' } },
  { id: "healthy", locale: "en", theme: "dark", connection: { id: "conn_ok", status: "ACTIVE", institutionName: "Houndstooth Bank" } },
];
const PARTS = ["card", "badge", "title", "message", "button", "status"];

const page = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Server-rendered connections</title><link rel="stylesheet" href="/page.css">
<script type="module" src="/pkg/element.js"></script></head>
<body><main><h1>Your banks</h1>${body}<p id="below">Below the cards.</p></main></body></html>`;

const ssrBody = CARDS.map(({ id, locale, theme, connection }) =>
  renderConnectionStatus(connection, { locale, theme, attributes: { id, "token-url": "/api/meld/repair" } }),
).join("");
// The control: the same elements with nothing from the server, so they grow when they upgrade;
// and one whose declarative root is not the element's (another version's): it is built again.
const attribute = (connection) => JSON.stringify(connection).replace(/&/g, "&amp;").replace(/"/g, "&quot;");
const clientBody =
  CARDS.map(({ id, locale, connection }) => `<meld-connection-status id="${id}" lang="${locale}" connection="${attribute(connection)}"></meld-connection-status>`).join("") +
  `<meld-connection-status id="foreign" lang="en" connection="${attribute(CARDS[0].connection)}"><template shadowrootmode="open"><p>Old markup</p></template></meld-connection-status>`;

/** Serves the pages and pkg/; pkg/element.js only once `release()` is called, so the server's HTML is seen alone first. */
async function startServer() {
  let release;
  let held = new Promise((resolve) => (release = resolve));
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/favicon.ico") return void res.writeHead(204).end(); // asked by the browser, not the page
    const html = { "/ssr.html": page(ssrBody), "/client.html": page(clientBody) }[path];
    if (html) return void res.writeHead(200, { "Content-Type": MIME_TYPES[".html"], "Content-Security-Policy": CSP }).end(html);
    if (path === "/page.css") return void res.writeHead(200, { "Content-Type": MIME_TYPES[".css"] }).end("body { font: 16px/1.5 system-ui, sans-serif; margin: 24px; max-width: 40rem } meld-connection-status { margin-block: 12px }");
    if (path.startsWith("/pkg/") && /^[\w.-]+$/.test(path.slice(5))) {
      if (path === "/pkg/element.js") await held;
      try {
        const body = await readFile(join(PKG, path.slice(5)));
        return void res.writeHead(200, { "Content-Type": MIME_TYPES[extname(path)] }).end(body);
      } catch {}
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  after(() => new Promise((resolve) => server.close(resolve)));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    release: () => release(),
    hold: () => (held = new Promise((resolve) => (release = resolve))),
  };
}

const browser = await launchBrowser();
const server = await startServer();

/** Each element's parts: text, box and the tone of the card's edge (the sheet applied). */
const read = (page) =>
  page.evaluate((parts) => {
    const box = (node) => {
      const { x, y, width, height } = node.getBoundingClientRect();
      return [x, y, width, height].map(Math.round);
    };
    return Object.fromEntries(
      [...document.querySelectorAll("meld-connection-status")].map((element) => {
        const root = element.shadowRoot;
        const found = Object.fromEntries(parts.map((name) => [name, root?.querySelector(`[part~="${name}"]`) ?? null]));
        return [
          element.id,
          {
            defined: customElements.get("meld-connection-status") !== undefined,
            title: found.title?.textContent ?? null,
            message: found.message?.textContent ?? null,
            badge: found.badge?.textContent ?? null,
            button: found.button && !found.button.hidden ? found.button.textContent : null,
            edge: found.card ? getComputedStyle(found.card).borderInlineStartWidth : null,
            boxes: Object.fromEntries(parts.map((name) => [name, found[name] ? box(found[name]) : null])),
            below: box(document.getElementById("below")),
          },
        ];
      }),
    );
  }, PARTS);

const expected = ({ locale, connection }) => {
  const words = explain(connection, { locale });
  const badge = words.severity === "info" && words.actionLabel ? "optional" : words.severity;
  const icon = { error: "✕", warning: "!", info: "i", success: "✓", optional: "+" }[badge];
  return { title: words.title, message: words.message, badge: `${icon}${explainCopy(`severity_${badge}`, { locale }).title}`, button: words.actionLabel };
};

test("with JavaScript off, the server's HTML shows every explanation, styled under a hash-only style-src", async () => {
  const session = await openPage(browser, `${server.origin}/ssr.html`, { contextOptions: { javaScriptEnabled: false } });
  const shown = await read(session.page);
  for (const card of CARDS) {
    const { defined, title, message, badge, button, edge, boxes } = shown[card.id];
    assert.equal(defined, false, "no script ran");
    assert.deepEqual({ title, message, badge, button }, expected(card), card.id);
    assert.equal(edge, "4px", `${card.id}: the inline sheet applies (CSP hash)`);
    assert.ok(boxes.title[3] > 0 && boxes.message[3] > 0, `${card.id}: visible`);
  }
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("with JavaScript, the element adopts the server's shadow root: same nodes, zero layout shift, what a client render shows, axe-clean", async () => {
  for (const scheme of ["light", "dark"]) {
    server.hold();
    const session = await openPage(browser, `${server.origin}/ssr.html`, {
      contextOptions: { colorScheme: scheme, viewport: { width: 375, height: 900 } },
      gotoOptions: { waitUntil: "commit" },
    });
    const { page } = session;
    await page.evaluate(() => {
      window.shifts = [];
      new PerformanceObserver((list) => window.shifts.push(...list.getEntries().map((entry) => entry.value))).observe({ type: "layout-shift", buffered: true });
    });
    await page.waitForSelector("#below");
    const before = await read(page);
    assert.ok(Object.values(before).every((card) => !card.defined && card.title), "server HTML first");
    // Mark the nodes the server made, and audit the page as it stands before any script.
    await page.evaluate(() => {
      for (const element of document.querySelectorAll("meld-connection-status")) element.shadowRoot.querySelector(".title").dataset.server = "";
    });
    assert.deepEqual(await axeViolations(page), [], `${scheme}: before the upgrade`);

    server.release();
    await page.waitForFunction(() => [...document.querySelectorAll("meld-connection-status")].every((element) => element.explanation !== undefined && element.explanation !== null));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const upgraded = await read(page);
    for (const card of CARDS) {
      assert.equal(upgraded[card.id].defined, true);
      assert.deepEqual({ ...upgraded[card.id], defined: false }, before[card.id], `${scheme} ${card.id}: nothing moved or changed`);
    }
    assert.deepEqual(await page.evaluate(() => window.shifts), [], `${scheme}: no layout-shift entry`);
    const adopted = await page.evaluate(() =>
      [...document.querySelectorAll("meld-connection-status")].map((element) => ({
        sameNodes: element.shadowRoot.querySelector(".title").dataset.server === "",
        styleElements: element.shadowRoot.querySelectorAll("style").length,
        adoptedSheets: element.shadowRoot.adoptedStyleSheets.length,
      })),
    );
    assert.deepEqual(adopted, CARDS.map(() => ({ sameNodes: true, styleElements: 0, adoptedSheets: 1 })));

    // The same tree as an element the browser rendered itself, for the same connection.
    const trees = await page.evaluate((cards) => {
      const tree = (element) => element.shadowRoot.innerHTML.replace(/ data-server=""/g, "");
      return cards.map(({ id, locale, theme, connection }) => {
        const fresh = document.createElement("meld-connection-status");
        fresh.setAttribute("lang", locale);
        if (theme) fresh.setAttribute("theme", theme);
        fresh.connection = connection;
        document.body.append(fresh);
        const pair = [tree(document.getElementById(id)), tree(fresh)];
        fresh.remove();
        return pair;
      });
    }, CARDS);
    for (const [server, client] of trees) assert.equal(server, client);

    assert.deepEqual(await axeViolations(page), [], `${scheme}: upgraded`);
    // It works: the EXPIRED card's "Link again" asks the app for a new link.
    const action = await page.evaluate(() => {
      const element = document.getElementById("expired");
      const heard = new Promise((resolve) => element.addEventListener("meld-repair-action", (event) => resolve(event.detail.action)));
      element.shadowRoot.querySelector("button").click();
      return heard;
    });
    assert.equal(action, "new_connection");
    assert.deepEqual(await session.problems(), []);
    await session.close();
  }
});

test("the control: the same elements without the server's HTML grow when they upgrade (the measure sees shifts); a foreign root is rebuilt", async () => {
  server.hold();
  const session = await openPage(browser, `${server.origin}/client.html`, {
    contextOptions: { viewport: { width: 375, height: 900 } },
    gotoOptions: { waitUntil: "commit" },
  });
  const { page } = session;
  await page.waitForSelector("#below");
  await page.evaluate(() => {
    window.shifts = [];
    new PerformanceObserver((list) => window.shifts.push(...list.getEntries().map((entry) => entry.value))).observe({ type: "layout-shift", buffered: true });
    return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))); // painted empty
  });
  server.release();
  await page.waitForFunction(() => [...document.querySelectorAll("meld-connection-status")].every((element) => element.explanation));
  await page.waitForFunction(() => window.shifts.length > 0, null, { timeout: 2000 }).catch(() => {});
  const shifts = await page.evaluate(() => window.shifts);
  assert.ok(shifts.some((value) => value > 0), `layout shifts: ${shifts.join(", ") || "none"}`);
  const foreign = await page.evaluate(() => {
    const root = document.getElementById("foreign").shadowRoot;
    return { title: root.querySelector('[part="title"]')?.textContent, old: root.textContent.includes("Old markup") };
  });
  assert.deepEqual(foreign, { title: explain(CARDS[0].connection).title, old: false });
  await session.close();
});
