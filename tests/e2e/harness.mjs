// Shared helpers for the browser end-to-end tests (node:test + playwright-core + the
// system Chromium; no browser is ever downloaded).
//
//   import { launchBrowser, openPage, startSim } from "./harness.mjs";
//   const browser = await launchBrowser();          // one browser per test file
//   const sim = await startSim();                   // app + widget origins on random ports
//   const session = await openPage(browser, `${sim.appUrl}/?csp=strict`);
//   // session: { page, context, consoleMessages, pageErrors, cspViolations, problems(), close() }
//
// Every resource is registered with one after() hook that this module adds to the file's
// root test when it is imported, and is closed there in reverse order of creation (pages,
// then the simulator and the browser). So the helpers may be called at the top level of a
// test file (top-level await), inside before() hooks or inside tests, and the file still
// exits on its own. Call close() on a session to drop it earlier.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after } from "node:test";
import { chromium } from "playwright-core";
import { startSimulator } from "../../sim/server.mjs";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Default timeout of page actions and waits, so a broken page fails fast. */
export const PAGE_TIMEOUT_MS = 5_000;

/** The widget iframe the package inserts. */
export const WIDGET = "[data-meld-repair-widget]";

/** Signs in at the simulated widget in the page's widget iframe, as a customer would. */
export async function logIn(page) {
  const frame = page.frameLocator(WIDGET);
  await frame.locator('body[data-screen="login"]').waitFor();
  await frame.locator("#username").fill("user_good");
  await frame.locator("#password").fill("pass_good");
  await frame.locator("#connect").click();
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * axe-core (WCAG 2.2 AA tags) over the page, open shadow roots included; the widget's frame is
 * the simulator's (Meld's in production), not ours, and is left out. Violations as plain data.
 */
export async function axeViolations(page) {
  await page.evaluate(AXE); // over DevTools: the strict CSP does not apply
  return page.evaluate(async ({ tags, widget }) => {
    const result = await window.axe.run(
      { exclude: [[widget]] },
      { runOnly: { type: "tag", values: tags }, iframes: false, resultTypes: ["violations"] },
    );
    if (result.passes.length < 5) return [{ id: "axe did not run", passes: result.passes.length }];
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")) }));
  }, { tags: AXE_TAGS, widget: WIDGET });
}

// Cleanups, run last-in first-out by the root after() hook below.
const cleanups = [];

function onCleanup(fn) {
  const entry = { fn, done: false };
  cleanups.push(entry);
  return async () => {
    if (entry.done) return;
    entry.done = true;
    await fn();
  };
}

// Registered at import time, i.e. on the root test of the file: it runs once every test
// and suite of the file has finished, whatever context the helpers were called from.
after(async () => {
  const errors = [];
  while (cleanups.length > 0) {
    const entry = cleanups.pop();
    if (entry.done) continue;
    entry.done = true;
    try {
      await entry.fn();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, "e2e cleanup failed");
});

/** Event listeners the flow may add, counted with the DevTools protocol. */
export async function listenerCounts(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const counts = {};
    for (const target of ["window", "document"]) {
      const { result } = await cdp.send("Runtime.evaluate", { expression: target });
      const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
      for (const type of ["message", "pagehide", "keydown", "focusin"]) {
        counts[`${target}.${type}`] = listeners.filter((l) => l.type === type).length;
      }
    }
    return counts;
  } finally {
    await cdp.detach();
  }
}

/** Launches headless Chromium; closed by the after() hook. */
export async function launchBrowser(options = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    ...options,
  });
  onCleanup(() => browser.close());
  return browser;
}

/**
 * Starts the simulator on random ports with the simulated backend (never real Meld);
 * closed by the after() hook. Returns what startSimulator returns: { appUrl, widgetOrigin,
 * setConfig, reset, stats, close }.
 */
export async function startSim(options = {}) {
  const sim = await startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: false, ...options });
  const close = onCleanup(() => sim.close());
  return { ...sim, close };
}

// Runs in every document before its own scripts (Playwright injects it over the DevTools
// protocol, so a page's CSP does not block it). Records violation events in
// window.__cspViolations and reports them to Node as they happen.
function cspRecorder() {
  window.__cspViolations = [];
  const documentKey = `${performance.timeOrigin}-${Math.random()}`; // tells documents apart
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      source: "event",
      key: `${documentKey}#${window.__cspViolations.length}`, // a repeat vs the same event synced twice
      violatedDirective: event.violatedDirective,
      effectiveDirective: event.effectiveDirective,
      blockedURI: event.blockedURI,
      sourceFile: event.sourceFile,
      lineNumber: event.lineNumber,
      disposition: event.disposition,
      sample: event.sample,
      documentURI: event.documentURI,
    };
    window.__cspViolations.push(violation);
    if (typeof window.__reportCspViolation === "function") window.__reportCspViolation(violation);
  });
}

/**
 * Opens `url` in a fresh browser context and waits for the load event.
 *
 * Returns { page, context, consoleMessages, pageErrors, cspViolations, problems, close }:
 * - consoleMessages: [{ type, text, location }] for every console call of every frame,
 * - pageErrors: uncaught exceptions and unhandled rejections (Error objects),
 * - cspViolations: securitypolicyviolation events ({ source: "event", violatedDirective,
 *   blockedURI, ... }) and console messages mentioning "Content Security Policy"
 *   ({ source: "console", text }),
 * - problems(): console errors, page errors and CSP violations as one list of strings
 *   (empty for a clean page); it first syncs window.__cspViolations of the main frame,
 * - close(): closes the context early (otherwise the after() hook does).
 * The arrays fill up live while the page runs.
 */
export async function openPage(browser, url, { contextOptions = {}, gotoOptions = {} } = {}) {
  const context = await browser.newContext(contextOptions);
  const close = onCleanup(() => context.close());
  const consoleMessages = [];
  const pageErrors = [];
  const cspViolations = [];
  const seenEvents = new Set();
  const recordEvent = (violation) => {
    if (seenEvents.has(violation.key)) return;
    seenEvents.add(violation.key);
    cspViolations.push(violation);
  };

  await context.exposeBinding("__reportCspViolation", (_source, violation) => recordEvent(violation));
  await context.addInitScript(cspRecorder);
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
  page.on("console", (message) => {
    const entry = { type: message.type(), text: message.text(), location: message.location() };
    consoleMessages.push(entry);
    if (/Content Security Policy/i.test(entry.text)) cspViolations.push({ source: "console", text: entry.text });
  });
  page.on("pageerror", (error) => pageErrors.push(error));

  const problems = async () => {
    // Events the binding has not delivered yet are still in the page's own list.
    try {
      for (const violation of await page.evaluate(() => window.__cspViolations ?? [])) recordEvent(violation);
    } catch {
      // the page is closed or navigating: what was reported so far stands
    }
    return [
      ...consoleMessages
        .filter((m) => m.type === "error")
        .map((m) => `console.error: ${m.text}${m.location?.url ? ` (${m.location.url}:${m.location.lineNumber})` : ""}`),
      ...pageErrors.map((e) => `page error: ${e.stack ?? e.message ?? e}`),
      ...cspViolations.map((v) =>
        v.source === "console" ? `CSP (console): ${v.text}` : `CSP: ${v.effectiveDirective} blocked ${v.blockedURI || "inline"}`,
      ),
    ];
  };

  await page.goto(url, { waitUntil: "load", ...gotoOptions });
  return { page, context, consoleMessages, pageErrors, cspViolations, problems, close };
}
