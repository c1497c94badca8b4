// What the customer sees, in headless Chromium: axe-core (WCAG 2.2 AA tags) over the element in
// every state (each situation, fetching, open, failed, completed; en and es; light and dark;
// 375 px) and over every page of www/, with zero violations; no developer text in what a
// customer reads; the modal behaves as a dialog; a keyboard-only repair through the element.
// One browser and one simulator for the file. The simulator's cross-origin widget is not ours
// and is left out of the audits.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { explainOutcome } from "meld-repair";
import { axeViolations, launchBrowser, logIn, openPage, startSim, WIDGET } from "./harness.mjs";

const MODAL = "[data-meld-repair-modal]";
/** What only developers should read: codes, HTTP, parser and transport words. */
const DEVELOPER_TEXT = /[A-Z]{2,}_[A-Z_]{2,}|HTTP \d|token endpoint|JSON|undefined|null\b|Error:|backend down/;

const browser = await launchBrowser();
const sim = await startSim();
beforeEach(() => sim.reset());

async function assertAccessible(page, label) {
  assert.deepEqual(await axeViolations(page), [], label);
}

async function openElementPage({ scheme = "light", width = 375, height = 812 } = {}) {
  const url = `${sim.appUrl}/element.html?csp=strict&widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}`;
  const session = await openPage(browser, url, { contextOptions: { colorScheme: scheme, viewport: { width, height } } });
  await session.page.waitForFunction(() => document.body.dataset.state === "ready");
  return session;
}

/** Waits until the page has told the simulator its settings (POST /__sim/config). */
async function waitForConfig(check) {
  for (let i = 0; i < 50 && !check(sim.setConfig({})); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(sim.setConfig({})), "the demo set /__sim/config");
}

/** The modal chrome's colours per scheme (the widget inside is Meld's page, not ours). */
const PALETTE = {
  light: { dialog: "rgb(255, 255, 255)", text: "rgb(15, 23, 42)", close: "rgb(255, 255, 255)", scheme: "light" },
  dark: { dialog: "rgb(22, 27, 38)", text: "rgb(245, 247, 250)", close: "rgb(22, 27, 38)", scheme: "dark" },
};
const modalColours = (page) => page.evaluate((sel) => {
  const dialog = document.querySelector(`${sel} [role="dialog"]`);
  const style = getComputedStyle(dialog);
  return { dialog: style.backgroundColor, text: style.color, close: getComputedStyle(dialog.querySelector("button")).backgroundColor, scheme: style.colorScheme };
}, MODAL);

const live = (id) => `#live > meld-connection-status[data-connection-id="${id}"]`;

/** Every text of every element's shadow root a customer can read. */
const shownTexts = (page) =>
  page.evaluate(() => [...document.querySelectorAll("meld-connection-status")].map((element) => element.shadowRoot.textContent));

/** Two probes in the page: one whose token never comes (fetching), one whose token fetch fails. */
function addProbes(page, lang) {
  return page.evaluate(async (locale) => {
    const { RepairFlow } = await import("/pkg/index.js");
    const make = (id, fetchToken) => {
      const probe = document.createElement("meld-connection-status");
      probe.id = id;
      probe.setAttribute("lang", locale);
      probe.flow = new RepairFlow({ fetchToken, locale });
      probe.connection = { id, status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "Tartan Bank" };
      document.getElementById("live").prepend(probe);
      return probe;
    };
    make("probe-fetching", () => new Promise(() => {})).start();
    const failing = make("probe-failed", async () => {
      throw new Error("backend down");
    });
    await failing.start();
    const states = ["probe-fetching", "probe-failed"].map((id) => document.getElementById(id).state);
    return states;
  }, lang);
}

for (const scheme of ["light", "dark"]) {
  for (const lang of ["en", "es"]) {
    test(`the element in every state, ${lang}, ${scheme}, 375 px: zero axe violations, no developer text`, async () => {
      const session = await openElementPage({ scheme });
      const { page } = session;
      await page.evaluate((locale) => {
        for (const element of document.querySelectorAll("meld-connection-status")) element.setAttribute("lang", locale);
      }, lang);
      // Each situation (the simulator's connections and the attribute examples), a broken one included.
      await assertAccessible(page, "idle");
      assert.deepEqual(await addProbes(page, lang), ["fetching_token", "failed"]);
      const failed = await page.evaluate(() => {
        const root = document.getElementById("probe-failed").shadowRoot;
        return { alert: root.querySelector('[role="alert"]').textContent, button: root.querySelector("button").textContent };
      });
      const words = explainOutcome({ status: "failed", error: { code: "TOKEN_ENDPOINT_FAILED", retryable: true } }, { locale: lang, institutionName: "Tartan Bank" });
      assert.deepEqual(failed, { alert: `${words.title}${words.message}`, button: words.actionLabel });
      await assertAccessible(page, "fetching and failed");

      // Open (the modal, in the element's language), then completed.
      await page.locator(live("conn_login_required")).getByRole("button").click();
      await page.locator(`${MODAL} ${WIDGET}`).waitFor();
      assert.equal(await page.locator(`${MODAL} [role="dialog"]`).getAttribute("lang"), lang);
      assert.deepEqual(await modalColours(page), PALETTE[scheme], "the modal's chrome follows the scheme");
      await assertAccessible(page, "open");
      await logIn(page);
      await page.waitForFunction((sel) => document.querySelector(sel).state === "completed", live("conn_login_required"));
      await assertAccessible(page, "completed");

      for (const text of await shownTexts(page)) assert.doesNotMatch(text, DEVELOPER_TEXT);
      if (scheme === "light") {
        // The theme attribute wins over the scheme: dark tokens on a light page pass too.
        await page.evaluate(() => {
          for (const element of document.querySelectorAll("meld-connection-status")) element.setAttribute("theme", "dark");
        });
        await assertAccessible(page, "theme=dark on a light page");
      }
      assert.deepEqual(await session.problems(), []);
      await session.close();
    });
  }
}

const PAGES = ["/", "/element.html", "/connections.html", "/react/dist/", "/sandbox.html"];

test("every page of www/, light and dark, desktop and 375 px: zero axe violations", async () => {
  for (const path of PAGES) {
    for (const scheme of ["light", "dark"]) {
      for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 812 }]) {
        const label = `${path} ${scheme} ${viewport.width}px`;
        const session = await openPage(browser, `${sim.appUrl}${path}?widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}`, {
          contextOptions: { colorScheme: scheme, viewport },
        });
        const { page } = session;
        await page.waitForFunction(() => {
          const ready = document.querySelector("[data-state]")?.dataset.state;
          return !ready || ready === "ready" || document.getElementById("app")?.dataset.state === "ready";
        });
        await page.waitForLoadState("networkidle");
        await assertAccessible(page, label);
        assert.deepEqual(await session.problems(), [], label);
        await session.close();
      }
    }
  }
});

test("the demo after a failed and a completed repair: zero axe violations, the alert in customer words", async () => {
  const session = await openPage(browser, `${sim.appUrl}/?widgetOrigin=${encodeURIComponent(sim.widgetOrigin)}`, {
    contextOptions: { colorScheme: "dark", viewport: { width: 375, height: 812 } },
  });
  const { page } = session;
  await page.waitForSelector('#repair-demo[data-state="ready"]');
  await page.selectOption("#demo-fault", "html");
  await waitForConfig((config) => config.fault === "html");
  const tartan = page.locator('#repair-demo article[data-connection-id="conn_token_expired"]');
  await tartan.getByRole("button").click();
  await tartan.getByRole("alert").waitFor();
  assert.doesNotMatch(await tartan.getByRole("alert").textContent(), DEVELOPER_TEXT);
  assert.equal(await tartan.getByRole("button").textContent(), explainOutcome({ status: "failed", error: { code: "TOKEN_ENDPOINT_FAILED", retryable: true } }).actionLabel);
  await assertAccessible(page, "demo failed");
  await page.selectOption("#demo-fault", "none");
  await waitForConfig((config) => config.fault === null);
  await tartan.getByRole("button").click();
  await logIn(page);
  await page.waitForSelector('#repair-demo article[data-connection-id="conn_token_expired"][data-repair="completed"]');
  await assertAccessible(page, "demo completed");
  // The browser logs the fault's 502 itself; nothing else may be logged.
  assert.deepEqual((await session.problems()).filter((problem) => !/status of 502/.test(problem)), []);
  await session.close();
});

test("the modal: page inert and not scrolling, Tab stays inside, visible Close, one modal per page", async () => {
  const session = await openElementPage({ width: 375, height: 600 });
  const { page } = session;
  await page.locator(live("conn_login_required")).getByRole("button").click();
  await page.locator(`${MODAL} ${WIDGET}`).waitFor();
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();

  const behind = await page.evaluate(() => ({ mainInert: document.querySelector("main").inert, overflow: document.documentElement.style.overflow }));
  assert.deepEqual(behind, { mainInert: true, overflow: "hidden" });
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.mouse.move(10, 10);
  await page.mouse.wheel(0, 800);
  await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.scrollY), scrolled, "the page behind does not scroll");

  const close = page.locator(`${MODAL} [role="dialog"] button`);
  assert.equal(await close.textContent(), "×Close");
  assert.equal(await close.isVisible(), true);
  // Tab through the widget and past its end: focus never leaves the dialog, and wraps to Close.
  await close.focus();
  const stops = [];
  for (let i = 0; i < 9; i++) {
    await page.keyboard.press("Tab");
    stops.push(
      await page.evaluate(() => {
        const active = document.activeElement;
        const inDialog = Boolean(active?.closest('[role="dialog"]'));
        return active?.localName === "iframe" ? "widget" : inDialog && active.localName === "button" ? "close" : inDialog ? "dialog" : `outside:${active?.localName}`;
      }),
    );
  }
  assert.ok(stops.every((stop) => stop === "widget" || stop === "close"), stops.join(" "));
  assert.ok(stops.filter((stop) => stop === "close").length >= 1, stops.join(" "));

  // A second repair on the same page replaces the first: one modal, the first cancelled.
  const first = page.waitForFunction((sel) => document.querySelector(sel).state === "cancelled", live("conn_login_required"));
  await page.evaluate((sel) => void document.querySelector(sel).start(), live("conn_token_expired"));
  await first;
  await page.locator(`${MODAL} ${WIDGET}`).waitFor();
  assert.equal(await page.locator(MODAL).count(), 1);
  await page.locator(`${MODAL} [role="dialog"] button`).click();
  await page.locator(MODAL).waitFor({ state: "detached" });
  const after = await page.evaluate(() => ({ mainInert: document.querySelector("main").inert, overflow: document.documentElement.style.overflow }));
  assert.deepEqual(after, { mainInert: false, overflow: "" });
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("the modal takes the element's theme over the page's scheme, and follows the scheme while open when there is none; zero axe violations", async () => {
  const session = await openElementPage({ scheme: "light", width: 375, height: 812 });
  const { page } = session;
  const open = async (theme) => {
    await page.evaluate(([sel, theme]) => (theme ? document.querySelector(sel).setAttribute("theme", theme) : document.querySelector(sel).removeAttribute("theme")), [live("conn_login_required"), theme]);
    await page.locator(live("conn_login_required")).getByRole("button").click();
    await page.locator(`${MODAL} ${WIDGET}`).waitFor();
  };
  const close = async () => {
    await page.locator(`${MODAL} [role="dialog"] button`).click();
    await page.locator(MODAL).waitFor({ state: "detached" });
  };
  // A scheme change reaches the page's media listeners at its next frame.
  const settledColours = async (expected) => {
    for (let i = 0; i < 20 && !isDeepStrictEqual(await modalColours(page), expected); i++) await page.waitForTimeout(25);
    return modalColours(page);
  };
  await open("dark"); // a light page, a dark element: its modal is dark
  assert.deepEqual(await modalColours(page), PALETTE.dark, "theme=dark");
  await assertAccessible(page, "theme=dark on a light page, modal open");
  await page.emulateMedia({ colorScheme: "dark" });
  await close();
  await open("light"); // a dark page, a light element
  assert.deepEqual(await modalColours(page), PALETTE.light, "theme=light");
  await page.emulateMedia({ colorScheme: "light" });
  await page.waitForTimeout(100);
  assert.deepEqual(await modalColours(page), PALETTE.light, "a theme stays put");
  await close();
  await open(null); // no theme: the scheme, followed while open
  assert.deepEqual(await modalColours(page), PALETTE.light, "no theme, light");
  await page.emulateMedia({ colorScheme: "dark" });
  assert.deepEqual(await settledColours(PALETTE.dark), PALETTE.dark, "no theme, turned dark");
  await assertAccessible(page, "scheme turned dark, modal open");
  await close();
  assert.deepEqual(await session.problems(), []);
  await session.close();
});

test("keyboard only: Tab to Reconnect, Enter, sign in inside the widget, completed; focus lands on the news, not the body", async () => {
  const session = await openElementPage({ width: 1280, height: 900 });
  const { page } = session;
  // From the top of the page: the first button is the first element's Reconnect.
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement?.id);
  assert.equal(focused, "attr-login");
  await page.keyboard.press("Enter");
  await page.frameLocator(WIDGET).locator('body[data-screen="login"]').waitFor();
  // The simulated widget focuses its first field, as a bank's form may.
  await page.frameLocator(WIDGET).locator("#username:focus").waitFor();
  await page.keyboard.type("user_good");
  await page.keyboard.press("Tab");
  await page.keyboard.type("pass_good");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("attr-login").state === "completed");
  const shown = await page.evaluate(() => document.getElementById("attr-login").shadowRoot.querySelector('[part="title"]').textContent);
  assert.equal(shown, explainOutcome({ status: "completed" }).title);
  // Reconnect is gone with the repair done: focus is on the card's "Reconnected" line, which a
  // screen reader reads out, and the next Tab goes on from this card.
  const focus = () =>
    page.evaluate(() => {
      const host = document.activeElement;
      const inner = host?.shadowRoot?.activeElement ?? null;
      return { host: host?.id || host?.localName, part: inner?.getAttribute("part") ?? null, tabindex: inner?.getAttribute("tabindex") ?? null, text: inner?.textContent ?? null };
    });
  assert.deepEqual(await focus(), { host: "attr-login", part: "title", tabindex: "-1", text: shown });
  // Where focus is shows: the card is ringed (the title itself is news, not a control).
  const ring = await page.evaluate(() => getComputedStyle(document.getElementById("attr-login").shadowRoot.querySelector('[part="card"]')).outlineStyle);
  assert.equal(ring, "solid");
  await page.keyboard.press("Tab");
  assert.deepEqual(await focus(), { host: "attr-es", part: "button", tabindex: null, text: "Reconectar" });
  // The title is no stop of its own once left: Shift+Tab goes back past it, to the page before the card.
  assert.equal(await page.evaluate(() => document.getElementById("attr-login").shadowRoot.querySelector('[part="title"]').hasAttribute("tabindex")), false);
  await page.keyboard.press("Shift+Tab");
  assert.notEqual((await focus()).host, "attr-login");
  assert.deepEqual(await session.problems(), []);
  await session.close();
});
