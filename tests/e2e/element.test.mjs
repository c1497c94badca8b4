// <meld-connection-status> end to end: headless Chromium on www/element.html, served by the
// simulator under the strict CSP (no inline script or style), against the simulated backend and
// widget. One browser and one simulator for the file, a fresh context per test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, test } from "node:test";
import { decide, explain, explainCopy, explainOutcome } from "meld-repair";
import { launchBrowser, logIn, openPage, startSim, WIDGET } from "./harness.mjs";

const CONNECTIONS = JSON.parse(readFileSync(new URL("../../sim/connections.json", import.meta.url), "utf8"));
const connection = (id) => CONNECTIONS.find((c) => c.id === id);
const MARKUP = 'Banco <b>Ñandú</b> & "Hijos" <img src=x>';
const MODAL_CLOSE = '[data-meld-repair-modal] button[aria-label="Close"]';
const ICON = { error: "✕", warning: "!", info: "i", success: "✓" };
// Severity labels come from the catalog too (customer words: "Action needed", not "Error").
const labels = (locale) => Object.fromEntries(Object.keys(ICON).map((level) => [level, explainCopy(`severity_${level}`, { locale }).title]));
const LABEL = { en: labels("en"), es: labels("es") };

const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

async function openElementPage() {
  const url = `${sim.appUrl}/element.html?csp=strict&widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}`;
  const session = await openPage(browser, url);
  await session.page.waitForFunction(() => document.body.dataset.state === "ready");
  return session;
}

async function assertClean(session) {
  assert.deepEqual(await session.problems(), []);
  await session.close();
}

const live = (id) => `#live > meld-connection-status[data-connection-id="${id}"]`;

/** What an element shows, read from its shadow root. */
function view(page, selector) {
  return page.evaluate((sel) => {
    const element = document.querySelector(sel);
    const root = element.shadowRoot;
    const part = (name) => root.querySelector(`[part~="${name}"]`);
    const button = part("button");
    const status = part("status");
    return {
      hidden: part("card").hidden,
      severity: part("card").dataset.severity,
      badge: part("badge").textContent,
      title: part("title").textContent,
      message: part("message").textContent,
      button: button.hidden ? null : button.textContent,
      buttonTag: button.tagName,
      status: status.textContent,
      statusRole: status.getAttribute("role"),
      statusLive: status.getAttribute("aria-live"),
      state: element.state,
      tags: [...new Set([...root.querySelectorAll("*")].map((n) => n.localName))].sort(),
      styleElements: root.querySelectorAll("style, link").length,
      adoptedSheets: root.adoptedStyleSheets.length,
    };
  }, selector);
}

/** Records every text the element's live region shows, from now on. */
function watchStatus(page, selector) {
  return page.evaluate((sel) => {
    const status = document.querySelector(sel).shadowRoot.querySelector('[part="status"]');
    window.statusTexts = [];
    new MutationObserver(() => window.statusTexts.push(status.textContent)).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  }, selector);
}

const events = (page, type) => page.evaluate((t) => window.meldElementEvents.filter((e) => !t || e.type === t), type);

test("importing the module in Node defines nothing and does not throw", async () => {
  const element = await import("meld-repair/element");
  assert.equal(element.TAG_NAME, "meld-connection-status");
  assert.equal(typeof element.MeldConnectionStatus, "function");
  assert.equal(globalThis.customElements, undefined);
});

test("renders statuses from attributes as explain() words them, severity as text and icon", async () => {
  const session = await openElementPage();
  const { page } = session;
  const cases = {
    "#attr-login": connection("conn_login_required"),
    "#attr-expiring": connection("conn_access_expiring_soon"),
    "#attr-healthy": connection("conn_active"),
    "#attr-waiting": connection("conn_institution_unavailable"),
  };
  const severities = new Set();
  for (const [selector, conn] of Object.entries(cases)) {
    const words = explain(conn);
    const shown = await view(page, selector);
    severities.add(words.severity);
    assert.equal(shown.hidden, false, selector);
    assert.equal(shown.title, words.title, selector);
    assert.equal(shown.message, words.message, selector);
    assert.equal(shown.severity, words.severity, selector);
    assert.equal(shown.badge, `${ICON[words.severity]}${LABEL.en[words.severity]}`, selector);
    assert.equal(shown.button, words.actionLabel, selector); // every "you must act" has its button
    assert.equal(shown.buttonTag, "BUTTON");
    assert.equal(shown.statusRole, "status");
    assert.equal(shown.statusLive, "polite");
    assert.equal(shown.state, "idle");
    // Styled by an adopted (constructable) sheet: no <style>, which the CSP would block.
    assert.equal(shown.styleElements, 0);
    assert.equal(shown.adoptedSheets, 1);
  }
  assert.deepEqual([...severities].sort(), ["error", "info", "success", "warning"]);

  // Every simulator connection, given as a property, shows what explain() says.
  for (const conn of CONNECTIONS) {
    const shown = await view(page, live(conn.id));
    assert.equal(shown.title, explain(conn).title, conn.id);
    assert.equal(shown.button, explain(conn).actionLabel, conn.id);
  }
  await assertClean(session);
});

test('lang="es" (and a lang or locale set later) localizes every text', async () => {
  const session = await openElementPage();
  const { page } = session;
  const spanish = explain(connection("conn_token_expired"), { locale: "es" });
  const shown = await view(page, "#attr-es");
  assert.equal(shown.title, spanish.title);
  assert.equal(shown.message, spanish.message);
  assert.equal(shown.button, spanish.actionLabel);
  assert.equal(shown.badge, `✕${LABEL.es.error}`);
  assert.equal(LABEL.es.error, "Acción necesaria");

  await page.evaluate(() => document.querySelector("#attr-expiring").setAttribute("lang", "es-MX"));
  const expiring = explain(connection("conn_access_expiring_soon"), { locale: "es-MX" });
  assert.equal(expiring.locale, "es");
  let later = await view(page, "#attr-expiring");
  assert.equal(later.title, expiring.title);
  assert.equal(later.badge, `!${LABEL.es.warning}`);

  // locale wins over lang; an unknown one falls back to English like explain().
  await page.evaluate(() => document.querySelector("#attr-expiring").setAttribute("locale", "fr-CA"));
  later = await view(page, "#attr-expiring");
  assert.equal(later.title, explain(connection("conn_access_expiring_soon")).title);
  assert.equal(later.badge, `!${LABEL.en.warning}`);
  await assertClean(session);
});

test("institution names full of markup are shown as text", async () => {
  const session = await openElementPage();
  const { page } = session;
  const shown = await view(page, "#attr-markup");
  assert.ok(shown.title.includes(MARKUP), shown.title);
  assert.ok(shown.message.includes(MARKUP), shown.message);
  const fromSim = await view(page, live("conn_markup_name"));
  assert.ok(fromSim.title.includes("<img src=x onerror=alert(1)>"), fromSim.title);
  for (const { tags } of [shown, fromSim]) {
    assert.deepEqual(tags, ["button", "div", "p", "span"]);
  }
  assert.equal(await page.evaluate(() => document.querySelectorAll("img, b").length), 0);
  await assertClean(session);
});

test("a connection that cannot be read renders an error state and fires meld-repair-error, never throws", async () => {
  const session = await openElementPage();
  const { page } = session;
  const bad = await view(page, "#attr-bad");
  assert.equal(bad.hidden, false);
  // Customer words; the parser's message is the error's (event and `error`), never the card's.
  const unavailable = explainCopy("connection_unavailable");
  assert.equal(bad.severity, "info");
  assert.equal(bad.badge, `i${LABEL.en.info}`);
  assert.equal(bad.title, "Connection status unavailable");
  assert.equal(bad.message, unavailable.message);
  assert.equal(bad.button, null);
  const atUpgrade = await events(page, "meld-repair-error");
  assert.equal(atUpgrade.length, 1);
  assert.equal(atUpgrade[0].target, "attr-bad");
  assert.equal(atUpgrade[0].detail.name, "MeldRepairError");
  assert.equal(atUpgrade[0].detail.code, "INVALID_CONNECTION");
  // Still the error state in another language, and reported once.
  await page.evaluate(() => document.querySelector("#attr-bad").setAttribute("lang", "es"));
  const badSpanish = await view(page, "#attr-bad");
  assert.equal(badSpanish.title, "Estado de la conexión no disponible");
  assert.equal(badSpanish.badge, `i${LABEL.es.info}`);
  assert.equal(badSpanish.message, explainCopy("connection_unavailable", { locale: "es" }).message);
  assert.equal((await events(page, "meld-repair-error")).length, 1);

  const results = await page.evaluate(async () => {
    const element = document.createElement("meld-connection-status");
    element.id = "dynamic";
    document.body.append(element);
    const seen = [];
    element.addEventListener("meld-repair-error", (event) =>
      seen.push({ code: event.detail.code, isError: event.detail instanceof Error, message: event.detail.message }),
    );
    const thrown = [];
    for (const text of ["nope", "{}", "[1, 2]", '{"status": 5}', "null"]) {
      try {
        element.setAttribute("connection", text);
      } catch (error) {
        thrown.push(String(error));
      }
    }
    const errorState = element.error?.code ?? null;
    element.connection = 42; // the property never throws either
    element.setAttribute("connection", '{"status":"ACTIVE","institutionName":"Tartan Bank"}');
    const recovered = { error: element.error, title: element.shadowRoot.querySelector('[part="title"]').textContent };
    const healthy = await element.start().then((outcome) => outcome.status, (error) => error.code);
    return { seen, thrown, errorState, recovered, healthy };
  });
  assert.deepEqual(results.thrown, []);
  // "null" is no connection at all: nothing to show, nothing to report.
  assert.deepEqual(results.seen.map((s) => s.code), Array(5).fill("INVALID_CONNECTION"));
  assert.ok(results.seen.every((s) => s.isError));
  assert.match(results.seen[1].message, /status/);
  assert.equal(results.errorState, null);
  assert.deepEqual(results.recovered, { error: null, title: explain({ status: "ACTIVE", institutionName: "Tartan Bank" }).title });
  assert.equal(results.healthy, "not_needed"); // nothing to repair, no flow needed
  await assertClean(session);
});

test("a full repair through the element: one backend request, live region, outcome event", async () => {
  const session = await openElementPage();
  const { page } = session;
  const selector = live("conn_login_required");
  await watchStatus(page, selector);
  await page.locator(selector).getByRole("button", { name: "Reconnect" }).click();
  await logIn(page);
  await page.waitForFunction(() => window.meldElementEvents.some((e) => e.type === "meld-repair-outcome"));

  const [outcome] = await events(page, "meld-repair-outcome");
  assert.equal(outcome.target, "conn_login_required");
  assert.equal(outcome.detail.status, "completed");
  assert.equal(outcome.detail.connectionId, "conn_login_required");
  assert.equal(outcome.detail.metadata.institutionName, "First Platypus Bank");
  assert.equal(outcome.detail.dataArrivesByWebhook, true);
  const states = (await events(page, "meld-repair-state")).map((e) => e.detail);
  assert.deepEqual(states, [
    { state: "fetching_token", connectionId: "conn_login_required" },
    { state: "open", connectionId: "conn_login_required" },
    { state: "completed", connectionId: "conn_login_required" },
  ]);
  const widgetEvents = (await events(page, "meld-repair-event")).map((e) => e.detail.name);
  assert.equal(widgetEvents[0], "init");
  assert.equal(widgetEvents.at(-1), "connect_complete");

  // Pending success: no error badge, no Reconnect, until the app hands over the new connection;
  // its badge says "Updating" in the info tone (in progress), not yet "Connected".
  const pending = explainOutcome({ status: "completed" }, { institutionName: "First Platypus Bank" });
  const shown = await view(page, selector);
  assert.equal(shown.state, "completed");
  assert.equal(shown.severity, "info");
  assert.equal(shown.badge, `↻${explainCopy("severity_updating").title}`);
  assert.equal(shown.badge, "↻Updating");
  assert.equal(shown.title, pending.title);
  assert.equal(shown.message, pending.message);
  assert.equal(shown.button, null);
  assert.equal(shown.status, `${pending.title}. ${pending.message}`);
  const texts = await page.evaluate(() => window.statusTexts);
  assert.ok(texts.includes("Opening…"), texts.join(" | "));
  assert.equal(texts.at(-1), shown.status);
  // The webhook's new status ends it, and the live region says so once.
  await page.evaluate((sel) => {
    document.querySelector(sel).connection = { id: "conn_login_required", status: "ACTIVE", institutionName: "First Platypus Bank" };
  }, selector);
  const after = await view(page, selector);
  const healthy = explain({ status: "ACTIVE", institutionName: "First Platypus Bank" });
  assert.deepEqual([after.state, after.severity, after.status], ["idle", "success", healthy.title]);
  assert.equal(after.title, healthy.title);
  assert.equal(await page.locator(WIDGET).count(), 0);
  assert.equal(sim.stats().repairRequests, 1);
  assert.equal((await events(page, "meld-repair-error")).length, 1); // only #attr-bad's
  await assertClean(session);
});

test("keyboard: Enter and Space activate the button, Escape cancels, focus comes back", async () => {
  const session = await openElementPage();
  const { page } = session;
  const selector = live("conn_token_expired");
  await watchStatus(page, selector);
  await page.locator(selector).focus(); // delegatesFocus: the button takes it
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).shadowRoot.activeElement?.localName, selector), "button");
  const focusVisible = await page.evaluate((sel) => {
    const button = document.querySelector(sel).shadowRoot.activeElement;
    return getComputedStyle(button).outlineStyle;
  }, selector);
  assert.notEqual(focusVisible, "none"); // keyboard focus shows

  for (const key of ["Enter", "Space"]) {
    await page.keyboard.press(key);
    await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
    assert.equal(await page.locator(WIDGET).count(), 1);
    // The widget has focus inside its frame; the modal's own close button hears Escape.
    await page.locator(MODAL_CLOSE).focus();
    await page.keyboard.press("Escape");
    await page.locator(WIDGET).waitFor({ state: "detached" });
    await page.waitForFunction(
      (n) => window.meldElementEvents.filter((e) => e.type === "meld-repair-outcome").length === n,
      key === "Enter" ? 1 : 2,
    );
    const shown = await view(page, selector);
    assert.equal(shown.status, explainOutcome({ status: "cancelled" }).title);
    assert.equal(shown.button, explain(connection("conn_token_expired")).actionLabel);
    assert.equal(await page.evaluate((sel) => document.querySelector(sel).shadowRoot.activeElement?.localName, selector), "button");
  }
  const outcomes = (await events(page, "meld-repair-outcome")).map((e) => [e.detail.status, e.detail.reason]);
  assert.deepEqual(outcomes, [["cancelled", "customer_closed"], ["cancelled", "customer_closed"]]);
  const texts = await page.evaluate(() => window.statusTexts);
  assert.ok(texts.includes("Opening…") || texts.includes(explainCopy("window_open").title), texts.join(" | "));
  // Focus prefetched the token, a cancelled session keeps it: one request for both sessions.
  assert.equal(sim.stats().repairRequests, 1);
  await assertClean(session);
});

test("an injected flow is used; a failure is announced and fired as the outcome", async () => {
  const session = await openElementPage();
  const { page } = session;
  const result = await page.evaluate(async () => {
    const { RepairFlow } = await import("/pkg/index.js");
    const element = document.querySelector("#attr-healthy");
    const noTokenUrl = await new Promise((resolve) => {
      const probe = document.createElement("meld-connection-status");
      probe.connection = { id: "conn_x", status: "RECONNECT_REQUIRED" };
      document.body.append(probe);
      probe.addEventListener("meld-repair-error", (event) => resolve(event.detail.code), { once: true });
      probe.shadowRoot.querySelector("button").click();
    });
    element.flow = new RepairFlow({
      fetchToken: async () => {
        throw new Error("backend down");
      },
    });
    element.connection = { id: "conn_y", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "Tartan Bank" };
    const states = [];
    element.addEventListener("meld-repair-state", (event) => states.push(event.detail.state));
    const outcome = await element.start();
    const part = (name) => element.shadowRoot.querySelector(`[part="${name}"]`);
    return {
      states,
      noTokenUrl,
      status: outcome.status,
      code: outcome.error.code,
      alert: { role: part("alert").getAttribute("role"), hidden: part("alert").hidden, text: part("alert").textContent },
      button: part("button").textContent,
      shown: element.shadowRoot.textContent,
      state: element.state,
    };
  });
  assert.equal(result.noTokenUrl, "INVALID_OPTIONS");
  assert.deepEqual(result.states, ["fetching_token", "failed"], "the element follows the injected flow's states");
  assert.equal(result.status, "failed");
  assert.equal(result.code, "TOKEN_ENDPOINT_FAILED");
  assert.equal(result.state, "failed");
  // Where the customer clicked: an alert in their words and a Try again; no developer text.
  const failure = explainOutcome({ status: "failed", error: { code: "TOKEN_ENDPOINT_FAILED", retryable: true } }, { institutionName: "Tartan Bank" });
  assert.deepEqual(result.alert, { role: "alert", hidden: false, text: `${failure.title}${failure.message}` });
  assert.equal(result.button, "Try again");
  assert.doesNotMatch(result.shown, /backend down|token endpoint|HTTP/);
  const outcomes = await events(page, "meld-repair-outcome");
  assert.equal(outcomes.at(-1).detail.status, "failed");
  assert.equal(outcomes.at(-1).detail.error.code, "TOKEN_ENDPOINT_FAILED");
  assert.equal(sim.stats().repairRequests, 0);
  await assertClean(session);
});

test("themed with CSS custom properties and parts (computed style)", async () => {
  const session = await openElementPage();
  const { page } = session;
  const styles = await page.evaluate(() => {
    const read = (selector) => {
      const root = document.querySelector(selector).shadowRoot;
      const part = (name) => getComputedStyle(root.querySelector(`[part~="${name}"]`));
      return {
        buttonBackground: part("button").backgroundColor,
        buttonRadius: part("button").borderTopLeftRadius,
        cardRadius: part("card").borderTopLeftRadius,
        cardEdge: part("card").borderInlineStartColor,
        badgeColor: part("badge").color,
        titleFont: part("title").fontFamily,
        titleSpacing: part("title").letterSpacing,
      };
    };
    return { themed: read("#themed"), plain: read("#attr-login") };
  });
  assert.equal(styles.themed.buttonBackground, "rgb(124, 58, 237)");
  assert.equal(styles.themed.buttonRadius, "2px");
  assert.equal(styles.themed.cardRadius, "2px");
  assert.equal(styles.themed.cardEdge, "rgb(190, 18, 60)"); // --meld-repair-error on an error card
  assert.equal(styles.themed.badgeColor, "rgb(190, 18, 60)");
  assert.match(styles.themed.titleFont, /Georgia/);
  assert.notEqual(styles.themed.titleSpacing, "normal"); // ::part(title)
  assert.notEqual(styles.plain.buttonBackground, styles.themed.buttonBackground);
  assert.equal(styles.plain.cardRadius, "10px");
  assert.doesNotMatch(styles.plain.titleFont, /Georgia/);
  await assertClean(session);
});

test("importing the element module again defines nothing new", async () => {
  const session = await openElementPage();
  const same = await session.page.evaluate(async () => {
    const before = customElements.get("meld-connection-status");
    const again = await import("/pkg/element.js?again");
    return before === customElements.get("meld-connection-status") && again.MeldConnectionStatus !== before;
  });
  assert.equal(same, true);
  await assertClean(session);
});
