// RepairFlow end to end: headless Chromium against the simulator (app origin + simulated Meld
// widget origin), every page under the strict CSP. Most tests drive the flow precisely from
// page.evaluate (the "lab" below); the demo page (www/demo.js) gets click-through tests.
//
// One browser and one simulator for the file, a fresh browser context per test, the simulator
// reset before each test. Waits are on conditions only; the one timed wait is the token-expiry
// test, where time itself is the subject.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { readFileSync } from "node:fs";
import { explain, explainOutcome } from "meld-repair";
import { launchBrowser, listenerCounts, openPage, startSim } from "./harness.mjs";

const FIRST_PLATYPUS = "conn_login_required";
const TARTAN = "conn_token_expired";
const STRICT = "/?csp=strict"; // the demo page (gallery + repair demo)
const SANDBOX = "/sandbox.html?csp=strict"; // a bare host page: faster to load for the lab tests
const CONNECTIONS = JSON.parse(readFileSync(new URL("../../sim/connections.json", import.meta.url), "utf8"));
const connection = (id) => CONNECTIONS.find((c) => c.id === id);

/** What the simulated widget reports on connect_complete for First Platypus Bank. */
const PLATYPUS_METADATA = {
  institutionId: "ZJK6BFqUMUhpfKSGF6CrKL",
  institutionName: "First Platypus Bank",
  accountCount: 2,
  accounts: [
    { name: "Checking", type: "DEPOSITORY", mask: "1234" },
    { name: "Savings", type: "DEPOSITORY", mask: "9876" },
  ],
};

const WIDGET = "[data-meld-repair-widget]";
const MODAL = "[data-meld-repair-modal]";
const MODAL_CLOSE = `${MODAL} button[aria-label="Close"]`;
/** Anything that looks like a JWT (base64url of `{"` starts every one) or carries a token. */
const TOKEN_LIKE = /eyJ[\w-]*\.[\w-]+\.[\w-]+|connectToken=[\w-]/;

/**
 * The simulator on two adjacent ports, widget origin = app port + 1, as `npm start` runs it
 * (8080/8081): the demo page finds the widget origin that way, so it is tested as shipped.
 */
async function startAdjacentSim() {
  let lastError;
  for (let attempt = 0; attempt < 20; attempt++) {
    const appPort = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      return await startSim({ appPort, widgetPort: appPort + 1 });
    } catch (error) {
      if (error.code !== "EADDRINUSE") throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/** Polls a condition in Node (the simulator's state) until it holds, or fails after `ms`. */
async function waitUntil(condition, what, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const browser = await launchBrowser();
const sim = await startAdjacentSim();
assert.equal(Number(new URL(sim.widgetOrigin).port), Number(new URL(sim.appUrl).port) + 1);

beforeEach(() => sim.reset());

// ---- In-page lab ----------------------------------------------------------------------------

/**
 * Runs in the page: imports the package, loads the connections and installs `window.lab`, which
 * records every onStateChange, onEvent and outcome of the flow it makes. Errors cross the
 * evaluate boundary as plain objects ({ name, code, message, retryable, isMeldError }).
 */
function installLab({ widgetOrigin }) {
  return (async () => {
    const api = await import("/pkg/index.js");
    const connections = await (await fetch("/api/connections")).json();
    const byId = Object.fromEntries(connections.map((c) => [c.id, c]));
    const plainError = (e) =>
      e && { name: e.name, code: e.code, message: e.message, retryable: e.retryable, isMeldError: e instanceof api.MeldRepairError };
    const plain = (o) => o && { ...o, error: plainError(o.error) };
    const lab = {
      api,
      byId,
      states: [],
      events: [],
      outcomes: [],
      make(options = {}) {
        const { container = false, ...rest } = options;
        let element = null;
        if (container) {
          element = document.createElement("div");
          element.id = "lab-container";
          document.body.append(element);
        }
        lab.flow = new api.RepairFlow({
          ...(rest.fetchToken ? {} : { tokenUrl: "/api/meld/repair" }),
          allowedWidgetOrigins: [widgetOrigin],
          allowInsecureLoopback: true,
          container: element,
          onEvent: (event) => lab.events.push(event),
          onStateChange: (state) => lab.states.push(state),
          ...rest,
        });
        return lab.flow.state;
      },
      /** start() without waiting; every settlement is counted in `outcomes`. */
      start(id = "conn_login_required") {
        const promise = lab.flow.start(byId[id]);
        lab.promise = promise;
        promise.then(
          (outcome) => lab.outcomes.push(plain(outcome)),
          (error) => lab.outcomes.push({ rejected: plainError(error) }),
        );
        return true;
      },
      outcome() {
        return lab.promise.then(plain, (error) => ({ rejected: plainError(error) }));
      },
      /** Records, the moment the modal is added, what has the focus and how it is labelled. */
      watchModal() {
        const observer = new MutationObserver(() => {
          const modal = document.querySelector("[data-meld-repair-modal]");
          if (!modal || lab.modalAtOpen) return;
          const dialog = modal.querySelector('[role="dialog"]');
          lab.modalAtOpen = {
            focusedLabel: document.activeElement?.getAttribute("aria-label") ?? null,
            focusedTag: document.activeElement?.tagName ?? null,
            dialogAriaModal: dialog?.getAttribute("aria-modal") ?? null,
            label: document.getElementById(dialog?.getAttribute("aria-labelledby"))?.textContent ?? null,
            labelTag: document.getElementById(dialog?.getAttribute("aria-labelledby"))?.tagName ?? null,
          };
          lab.closeButton = modal.querySelector('button[aria-label="Close"]');
          observer.disconnect();
        });
        observer.observe(document.body, { childList: true });
      },
      snapshot() {
        return {
          state: lab.flow.state,
          states: [...lab.states],
          events: structuredClone(lab.events),
          outcomes: lab.outcomes.length,
          widgets: document.querySelectorAll("[data-meld-repair-widget]").length,
          iframes: document.querySelectorAll("iframe").length,
          modals: document.querySelectorAll("[data-meld-repair-modal]").length,
          dialogs: document.querySelectorAll('[role="dialog"]').length,
        };
      },
      widgetToken() {
        const src = document.querySelector("[data-meld-repair-widget]")?.src;
        return src ? new URL(src).searchParams.get("connectToken") : null;
      },
      /** Resolves once this window received a message matching `test` (after the flow's listener ran). */
      nextMessage(test) {
        return new Promise((resolve) => {
          const listener = (event) => {
            if (!test(event)) return;
            removeEventListener("message", listener);
            resolve({ origin: event.origin, eventName: event.data?.eventName ?? null });
          };
          addEventListener("message", listener);
        });
      },
    };
    window.lab = lab;
    return true;
  })();
}

/** A fresh context on the bare sandbox page under the strict CSP, with the lab installed. */
async function openLab(path = SANDBOX) {
  const session = await openPage(browser, `${sim.appUrl}${path}`);
  await session.page.evaluate(installLab, { widgetOrigin: sim.widgetOrigin });
  return session;
}

const snapshot = (page) => page.evaluate(() => lab.snapshot());
const outcomeOf = (page) => page.evaluate(() => lab.outcome());
const waitForState = (page, state) => page.waitForFunction((s) => lab.flow.state === s, state);

/** The widget's frame in the page (modal or container), once its login screen shows. */
async function widgetLogin(page) {
  const frame = page.frameLocator(WIDGET);
  await frame.locator('body[data-screen="login"]').waitFor();
  return frame;
}

/** Logs in on the simulated widget (a frame locator or a popup/tab page). */
async function logIn(widget) {
  await widget.locator("#username").fill("user_good");
  await widget.locator("#password").fill("pass_good");
  await widget.locator("#connect").click();
}

function assertCompleted(outcome, connectionId = FIRST_PLATYPUS, metadata = PLATYPUS_METADATA) {
  const { decision, note, ...rest } = outcome;
  assert.deepEqual(rest, {
    status: "completed",
    connectionId,
    metadata,
    reason: null,
    error: null,
    dataArrivesByWebhook: true,
  });
  assert.equal(decision.connectionId, connectionId);
  assert.equal(decision.openWidget, true);
  assert.equal(decision.action, "repair");
  assert.match(note, /BANK_LINKING_CONNECTION_STATUS_CHANGE/);
  assert.match(note, /webhooks? later/);
}

function assertCancelled(outcome, reason, connectionId = FIRST_PLATYPUS) {
  const { decision, ...rest } = outcome;
  assert.deepEqual(rest, {
    status: "cancelled",
    connectionId,
    metadata: null,
    reason,
    error: null,
    dataArrivesByWebhook: false,
    note: null,
  });
  assert.equal(decision.connectionId, connectionId);
}

function assertFailed(outcome, code, retryable) {
  assert.equal(outcome.status, "failed", JSON.stringify(outcome));
  assert.equal(outcome.metadata, null);
  assert.equal(outcome.reason, null);
  assert.equal(outcome.dataArrivesByWebhook, false);
  assert.equal(outcome.note, null);
  assert.equal(outcome.error.name, "MeldRepairError");
  assert.equal(outcome.error.isMeldError, true);
  assert.equal(outcome.error.code, code, outcome.error.message);
  assert.equal(outcome.error.retryable, retryable, `${code} retryable`);
  assert.doesNotMatch(outcome.error.message, TOKEN_LIKE, "no token in the error message");
}

/** Nothing of the widget left in the page. */
function assertNothingLeft(snap) {
  assert.equal(snap.widgets, 0, "no widget iframe");
  assert.equal(snap.modals, 0, "no modal");
  assert.equal(snap.dialogs, 0, "no dialog");
}

const EVENT_NAMES = (snap) => snap.events.map((e) => e.name);

/**
 * problems() minus the console line Chromium itself logs for an HTTP error status, which the
 * failure tests provoke on purpose (one per given status).
 */
async function problemsBesides(problems, ...statuses) {
  const expected = new RegExp(`^console\\.error: Failed to load resource: the server responded with a status of (${statuses.join("|")}) .*/api/meld/repair:`);
  return (await problems()).filter((line) => !expected.test(line));
}

/** Evaluates `fn(arg)` in the page over CDP with userGesture false (page.evaluate is a gesture). */
async function evaluateWithoutGesture(page, fn, arg) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
      expression: `(${fn})(${JSON.stringify(arg)})`,
      awaitPromise: true,
      returnByValue: true,
      userGesture: false,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value;
  } finally {
    await cdp.detach();
  }
}

// ---- Full repairs ---------------------------------------------------------------------------

test("modal iframe: a RECONNECT_REQUIRED connection is repaired; accessible modal; typed events only", async () => {
  const { page, problems } = await openLab();
  assert.equal(await page.evaluate(() => lab.make()), "idle");
  await page.evaluate(() => {
    lab.watchModal();
    lab.start("conn_login_required");
  });

  // The built-in modal: a labelled dialog whose close button has the focus when it opens.
  await page.waitForSelector(`${MODAL} [role="dialog"] ${WIDGET}`);
  assert.deepEqual(await page.evaluate(() => lab.modalAtOpen), {
    focusedLabel: "Close",
    focusedTag: "BUTTON",
    dialogAriaModal: "true",
    label: "Reconnect First Platypus Bank",
    labelTag: "H2",
  });
  const dialog = page.getByRole("dialog", { name: "Reconnect First Platypus Bank" });
  await dialog.getByRole("button", { name: "Close" }).waitFor();
  const iframe = await page.evaluate(() => {
    const frame = document.querySelector("[data-meld-repair-widget]");
    return { origin: new URL(frame.src).origin, title: frame.title, width: frame.width, height: frame.height, inDialog: Boolean(frame.closest('[role="dialog"]')) };
  });
  assert.deepEqual(iframe, { origin: sim.widgetOrigin, title: "Reconnect First Platypus Bank", width: "360", height: "630", inDialog: true });
  assert.equal(await page.evaluate(() => lab.flow.state), "open");

  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page));

  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(snap.iframes, 0);
  assert.equal(snap.state, "completed");
  assert.deepEqual(snap.states, ["fetching_token", "open", "completed"]);
  // init, the login screen's debug, connect_complete; the raw provider event never reaches onEvent.
  assert.deepEqual(EVENT_NAMES(snap), ["init", "debug", "connect_complete"]);
  assert.deepEqual(snap.events[0], { name: "init" });
  assert.deepEqual(snap.events[1], { name: "debug", details: "login_screen" });
  assert.deepEqual(snap.events[2], { name: "connect_complete", ...PLATYPUS_METADATA });
  assert.ok(!snap.events.some((e) => "source" in e || e.name === "OPEN" || e.event === "OPEN"), "no provider event");
  assert.equal(snap.outcomes, 1);
  assert.deepEqual(sim.stats().repairRequestsByConnection, { [FIRST_PLATYPUS]: 1 });
  assert.deepEqual(await problems(), []);
});

test("container: the widget is repaired inside the app's element, no modal", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make({ container: true });
    lab.start("conn_login_required");
  });
  await page.waitForSelector(`#lab-container > ${WIDGET}`);
  const shown = await snapshot(page);
  assert.equal(shown.widgets, 1);
  assert.equal(shown.modals, 0, "no modal around a container");
  assert.equal(shown.dialogs, 0);

  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page));
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(await page.evaluate(() => document.getElementById("lab-container").childElementCount), 0);
  assert.deepEqual(snap.states, ["fetching_token", "open", "completed"]);
  assert.deepEqual(EVENT_NAMES(snap), ["init", "debug", "connect_complete"]);
  assert.deepEqual(await problems(), []);
});

test("query-string metadata (metadataFormat: query) gives the same metadata, accounts null", async () => {
  sim.setConfig({ metadataFormat: "query" });
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  assert.equal(new URL(await page.waitForSelector(WIDGET).then((f) => f.getAttribute("src"))).searchParams.get("metadataFormat"), "query");
  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page), FIRST_PLATYPUS, { ...PLATYPUS_METADATA, accounts: null });
  const snap = await snapshot(page);
  assert.deepEqual(snap.events.at(-1), { name: "connect_complete", ...PLATYPUS_METADATA, accounts: null });
  assertNothingLeft(snap);
  assert.deepEqual(await problems(), []);
});

// ---- Cancel and widget errors ---------------------------------------------------------------

test("cancel with the modal's close button → cancelled / customer_closed, nothing left", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  await widgetLogin(page);
  await page.getByRole("dialog", { name: "Reconnect First Platypus Bank" }).getByRole("button", { name: "Close" }).click();
  assertCancelled(await outcomeOf(page), "customer_closed");
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.deepEqual(snap.states, ["fetching_token", "open", "cancelled"]);
  assert.equal(snap.outcomes, 1);
  assert.deepEqual(await problems(), []);
});

test("cancel with Escape (focus in the host page) → cancelled / customer_closed, nothing left", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  // The widget focuses its username field when it loads, and keys typed inside a cross-origin
  // frame never reach the host page; the customer is back on the host page here.
  await widgetLogin(page);
  await page.focus(MODAL_CLOSE);
  await page.keyboard.press("Escape");
  assertCancelled(await outcomeOf(page), "customer_closed");
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.deepEqual(snap.states, ["fetching_token", "open", "cancelled"]);
  assert.deepEqual(await problems(), []);
});

test("widget error: onEvent gets the typed error, the session stays open until close()", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  const widget = await widgetLogin(page);
  await widget.locator("#fail").click();
  await page.waitForFunction(() => lab.events.some((e) => e.name === "error"));
  let snap = await snapshot(page);
  assert.deepEqual(snap.events.at(-1), { name: "error", details: "Provider rejected the credentials", reason: "SERVICE_PROVIDER_FAILURE" });
  assert.equal(snap.state, "open");
  assert.equal(snap.widgets, 1);
  assert.equal(snap.outcomes, 0);

  await page.evaluate(() => lab.flow.close());
  assertCancelled(await outcomeOf(page), "app_closed");
  snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.deepEqual(snap.states, ["fetching_token", "open", "cancelled"]);
  assert.deepEqual(await problems(), []);
});

// ---- Popup and tab --------------------------------------------------------------------------

test("popup: a real 360×630 window, repaired in it, closed afterwards", async () => {
  const { page, problems } = await openLab();
  const popupOpened = page.waitForEvent("popup");
  await page.evaluate(() => {
    lab.make({ mode: "popup" });
    lab.start("conn_login_required");
  });
  const popup = await popupOpened;
  await popup.locator('body[data-screen="login"]').waitFor();
  assert.equal(new URL(popup.url()).origin, sim.widgetOrigin);
  assert.equal(await popup.opener(), page);
  assert.deepEqual(await popup.evaluate(() => [innerWidth, innerHeight, window.opener !== null]), [360, 630, true]);
  assert.equal((await snapshot(page)).iframes, 0, "no iframe in popup mode");

  const closed = popup.isClosed() ? Promise.resolve() : popup.waitForEvent("close");
  await logIn(popup);
  assertCompleted(await outcomeOf(page));
  await closed;
  assert.equal(popup.isClosed(), true, "the flow closes the popup");
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.deepEqual(snap.states, ["fetching_token", "open", "completed"]);
  assert.deepEqual(EVENT_NAMES(snap), ["init", "debug", "connect_complete"]);
  assert.deepEqual(await problems(), []);
});

// The opener cannot tell a closed popup from one whose page cut the link with COOP
// (tests/e2e/hardening.test.mjs), so both are window_lost.
test("popup closed by the customer (widget's Cancel, or the window closed) → cancelled / window_lost", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => lab.make({ mode: "popup" }));
  for (const how of ["the widget's Cancel button (window.close())", "the window closed from outside"]) {
    const popupOpened = page.waitForEvent("popup");
    await page.evaluate(() => lab.start("conn_login_required"));
    const popup = await popupOpened;
    await popup.locator('body[data-screen="login"]').waitFor();
    if (how.startsWith("the widget")) {
      const closed = popup.waitForEvent("close");
      await popup.locator("#cancel").click({ noWaitAfter: true });
      await closed;
    } else {
      await popup.close();
    }
    assertCancelled(await outcomeOf(page), "window_lost");
    assertNothingLeft(await snapshot(page));
  }
  const snap = await snapshot(page);
  assert.deepEqual(snap.states, ["fetching_token", "open", "cancelled", "fetching_token", "open", "cancelled"]);
  assert.equal(snap.outcomes, 2);
  assert.equal(sim.stats().repairRequests, 1, "the cancelled session's token is reused");
  assert.deepEqual(await problems(), []);
});

test("popup really blocked (no user gesture, popup blocker on) → failed POPUP_BLOCKED, no backend request", async () => {
  const blocking = await launchBrowser({ ignoreDefaultArgs: ["--disable-popup-blocking"] });
  try {
    const { page, context, problems } = await openPage(blocking, `${sim.appUrl}${SANDBOX}`);
    // Everything over CDP without a gesture: one page.evaluate would grant the frame a user activation.
    await evaluateWithoutGesture(page, installLab, { widgetOrigin: sim.widgetOrigin });
    await evaluateWithoutGesture(page, () => {
      lab.make({ mode: "popup" });
      return lab.start("conn_login_required");
    });
    const outcome = await evaluateWithoutGesture(page, () => lab.outcome());
    assertFailed(outcome, "POPUP_BLOCKED", true);
    assert.equal(outcome.connectionId, FIRST_PLATYPUS);
    assert.deepEqual(sim.stats().repairRequests, 0, "no token requested for a window that cannot open");
    assert.equal(context.pages().length, 1, "no window opened");
    const snap = await evaluateWithoutGesture(page, () => lab.snapshot());
    assert.deepEqual(snap.states, ["fetching_token", "failed"]);
    assertNothingLeft(snap);
    assert.deepEqual(await problems(), []);
  } finally {
    await blocking.close();
  }
});

test("tab mode opens a new page on the widget origin and completes in it", async () => {
  const { page, context, problems } = await openLab();
  const tabOpened = context.waitForEvent("page");
  await page.evaluate(() => {
    lab.make({ mode: "tab" });
    lab.start("conn_login_required");
  });
  const tab = await tabOpened;
  await tab.locator('body[data-screen="login"]').waitFor();
  assert.equal(new URL(tab.url()).origin, sim.widgetOrigin);
  assert.equal(await tab.opener(), page);
  assert.equal(context.pages().length, 2);
  const closed = tab.isClosed() ? Promise.resolve() : tab.waitForEvent("close");
  await logIn(tab);
  assertCompleted(await outcomeOf(page));
  await closed;
  assert.equal(context.pages().length, 1, "the tab is closed after completion");
  assert.deepEqual((await snapshot(page)).states, ["fetching_token", "open", "completed"]);
  assert.deepEqual(await problems(), []);
});

// ---- One session, one request ---------------------------------------------------------------

test("demo: a double click on Reconnect makes one backend request and one widget", async () => {
  const { page, problems } = await openPage(browser, `${sim.appUrl}${STRICT}`);
  await page.waitForSelector('#repair-demo[data-state="ready"]');
  const card = page.locator(`#repair-demo article[data-connection-id="${FIRST_PLATYPUS}"]`);
  await card.getByRole("button", { name: "Reconnect" }).dblclick();
  await widgetLogin(page);
  assert.equal(await page.locator(WIDGET).count(), 1);
  assert.equal(await page.locator(MODAL).count(), 1);
  assert.deepEqual(sim.stats().repairRequestsByConnection, { [FIRST_PLATYPUS]: 1 });
  assert.equal(sim.stats().repairRequests, 1);

  await page.click(MODAL_CLOSE);
  await page.waitForSelector('#demo-log li[data-kind="outcome"]');
  assert.equal(await page.locator('#demo-log li[data-kind="outcome"]').count(), 1);
  assert.equal(await page.locator('#demo-log li[data-kind="state"][data-state="fetching_token"]').count(), 1);
  assert.equal(await page.locator(WIDGET).count(), 0);
  assert.equal(sim.stats().repairRequests, 1);
  assert.deepEqual(await problems(), []);
});

test("start() twice → the same promise and outcome, one widget, one request", async () => {
  const { page, problems } = await openLab();
  const same = await page.evaluate(() => {
    lab.make();
    const connection = lab.byId.conn_login_required;
    const first = lab.flow.start(connection);
    const second = lab.flow.start(connection);
    lab.pair = [first, second];
    lab.promise = first;
    return first === second;
  });
  assert.equal(same, true);
  await widgetLogin(page);
  assert.equal((await snapshot(page)).widgets, 1);
  await page.evaluate(() => lab.flow.close());
  const identical = await page.evaluate(async () => {
    const [a, b] = await Promise.all(lab.pair);
    return { same: a === b, status: a.status, reason: a.reason };
  });
  assert.deepEqual(identical, { same: true, status: "cancelled", reason: "app_closed" });
  assert.equal(sim.stats().repairRequests, 1);
  assert.deepEqual((await snapshot(page)).states, ["fetching_token", "open", "cancelled"]);
  assert.deepEqual(await problems(), []);
});

test("token cache: prefetch + start = 1 request; reused after a cancel; fetched again after completed", async () => {
  const { page, problems } = await openLab();
  assert.equal(await page.evaluate(() => (lab.make(), lab.flow.prefetch(lab.byId.conn_login_required))), true);
  assert.equal(sim.stats().repairRequests, 1);

  await page.evaluate(() => lab.start("conn_login_required"));
  await widgetLogin(page);
  assert.equal(sim.stats().repairRequests, 1, "start() used the prefetched token");
  const firstToken = await page.evaluate(() => lab.widgetToken());
  await page.evaluate(() => lab.flow.close());
  assertCancelled(await outcomeOf(page), "app_closed");

  await page.evaluate(() => lab.start("conn_login_required"));
  const widget = await widgetLogin(page);
  assert.equal(sim.stats().repairRequests, 1, "the token of a cancelled session is reused");
  assert.equal(await page.evaluate(() => lab.widgetToken()), firstToken);
  await logIn(widget);
  assertCompleted(await outcomeOf(page));

  await page.evaluate(() => lab.start("conn_login_required"));
  await widgetLogin(page);
  assert.equal(sim.stats().repairRequests, 2, "a completed session's token is single use");
  await page.evaluate(() => lab.flow.close());
  await outcomeOf(page);
  assert.deepEqual(await problems(), []);
});

test("a cached token within 30 s of its expiry is fetched again", async () => {
  sim.setConfig({ tokenTtlSeconds: 32 });
  const { page, problems } = await openLab();
  const prefetched = await page.evaluate(async () => {
    lab.make();
    const ok = await lab.flow.prefetch(lab.byId.conn_login_required);
    return { ok, at: Date.now() };
  });
  assert.equal(prefetched.ok, true, "a 32 s token is fresh right after it is issued");
  assert.equal(sim.stats().repairRequests, 1);
  // Time is the subject: wait until the token (exp = iat + 32, iat ≤ now) has less than 30 s left.
  const staleFrom = (Math.floor(prefetched.at / 1000) + 2) * 1000;
  await page.waitForFunction((t) => Date.now() >= t, staleFrom, { polling: 100, timeout: 4_000 });

  await page.evaluate(() => lab.start("conn_login_required"));
  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page));
  assert.equal(sim.stats().repairRequests, 2);
  assert.deepEqual(await problems(), []);
});

// ---- Backend failures -----------------------------------------------------------------------

test("backend 500 once → retried, success (2 requests)", async () => {
  sim.setConfig({ failNext: [500] });
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page));
  assert.equal(sim.stats().repairRequests, 2);
  assert.deepEqual((await snapshot(page)).states, ["fetching_token", "open", "completed"]);
  assert.deepEqual(await problemsBesides(problems, 500), []);
});

test("backend 404 → failed TOKEN_ENDPOINT_FAILED, not retryable, 1 request, no widget", async () => {
  sim.setConfig({ failNext: [404] });
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  const outcome = await outcomeOf(page);
  assertFailed(outcome, "TOKEN_ENDPOINT_FAILED", false);
  assert.match(outcome.error.message, /HTTP 404/);
  assert.equal(sim.stats().repairRequests, 1);
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(snap.iframes, 0);
  assert.deepEqual(snap.states, ["fetching_token", "failed"]);
  assert.deepEqual(await problemsBesides(problems, 404), []);
});

test("backend hangs (timeoutMs 500, retries 0) → failed TOKEN_ENDPOINT_TIMEOUT within ~1 s", async () => {
  sim.setConfig({ fault: "hang" });
  const { page, problems } = await openLab();
  const { outcome, elapsed } = await page.evaluate(async () => {
    lab.make({ timeoutMs: 500, retries: 0 });
    const t0 = performance.now();
    lab.start("conn_login_required");
    const result = await lab.outcome();
    return { outcome: result, elapsed: performance.now() - t0 };
  });
  assertFailed(outcome, "TOKEN_ENDPOINT_TIMEOUT", true);
  assert.match(outcome.error.message, /500 ms/);
  assert.ok(elapsed >= 450 && elapsed < 1_500, `failed after ${Math.round(elapsed)} ms (timeoutMs 500, no retry)`);
  assert.equal(sim.stats().repairRequests, 1);
  const snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(snap.iframes, 0);
  assert.deepEqual(await problems(), []);
});

test("bad token responses fail before any widget opens", async () => {
  const { page, problems } = await openLab();
  // [fault, code, retryable, message pattern]
  const cases = [
    // A 502 HTML page from a proxy is an HTTP failure (retryable), not a token response.
    ["html", "TOKEN_ENDPOINT_FAILED", true, /HTTP 502/],
    ["not_json", "INVALID_TOKEN_RESPONSE", false, /not JSON/],
    ["missing_token", "INVALID_TOKEN_RESPONSE", false, /no connectToken/],
    ["wrong_id", "INVALID_TOKEN_RESPONSE", false, /is not the connection being repaired "conn_login_required"/],
    ["expired", "INVALID_TOKEN_RESPONSE", false, /expired token/],
    ["foreign_widget", "WIDGET_URL_REJECTED", false, /origin "https:\/\/evil\.example" is not an allowed widget origin/],
  ];
  for (const [fault, code, retryable, message] of cases) {
    sim.reset();
    sim.setConfig({ fault });
    const outcome = await page.evaluate(() => {
      lab.states.length = 0;
      lab.make({ retries: 0 });
      lab.start("conn_login_required");
      return lab.outcome();
    });
    assertFailed(outcome, code, retryable);
    assert.match(outcome.error.message, message, fault);
    assert.equal(sim.stats().repairRequests, 1, `${fault}: one request`);
    const snap = await snapshot(page);
    assertNothingLeft(snap);
    assert.equal(snap.iframes, 0, `${fault}: no iframe`);
    assert.deepEqual(snap.states, ["fetching_token", "failed"], fault);
  }
  // With the default retries, the proxy's 502 heals on the next attempt.
  sim.reset();
  sim.setConfig({ fault: "html" });
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  await widgetLogin(page);
  assert.equal(sim.stats().repairRequests, 2);
  await page.evaluate(() => lab.flow.close());
  await outcomeOf(page);
  assert.deepEqual(await problemsBesides(problems, 502), []);
});

// ---- Messages that do not count -------------------------------------------------------------

test("messages from a foreign origin, or from the right origin but another window, are ignored", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  await widgetLogin(page);
  await page.waitForFunction(() => lab.events.length === 2); // init, debug
  const before = await snapshot(page);

  // 1. The page posts a perfect connect_complete to itself: its origin is the app's.
  const own = await page.evaluate(() => {
    const received = lab.nextMessage((event) => event.source === window);
    window.postMessage(
      { domain: "meld-connect", eventName: "connect_complete", institutionId: "x", institutionName: "Spoof", accountCount: 1 },
      "*",
    );
    return received;
  });
  assert.deepEqual(own, { origin: sim.appUrl, eventName: "connect_complete" });

  // 2. A page on the widget's origin that is not the widget's window posts one too.
  const spoofed = await page.evaluate((widgetOrigin) => {
    const frame = document.createElement("iframe");
    frame.id = "spoof";
    const received = lab.nextMessage((event) => event.source === frame.contentWindow);
    frame.src = `${widgetOrigin}/spoof.html?event=connect_complete`;
    document.body.append(frame);
    return received;
  }, sim.widgetOrigin);
  assert.deepEqual(spoofed, { origin: sim.widgetOrigin, eventName: "connect_complete" });

  const after = await snapshot(page);
  assert.equal(after.state, "open");
  assert.deepEqual(after.events, before.events, "no onEvent for either message");
  assert.deepEqual(after.states, ["fetching_token", "open"]);
  assert.equal(after.outcomes, 0);
  assert.equal(after.widgets, 1);

  await page.evaluate(() => lab.flow.close());
  assertCancelled(await outcomeOf(page), "app_closed");
  assert.deepEqual(await problems(), []);
});

// ---- close() and cleanup --------------------------------------------------------------------

test("close() mid-fetch and mid-widget: one cancelled/app_closed each, nothing left, no listeners left", async () => {
  sim.setConfig({ latencyMs: 1500 });
  const { page, problems } = await openLab();
  await page.evaluate(() => lab.make());
  const baseline = await listenerCounts(page);

  // Mid-fetch: the request has reached the backend, which answers 1.5 s later.
  await page.evaluate(() => lab.start("conn_login_required"));
  await waitUntil(() => sim.stats().repairRequests === 1, "the token request to reach the backend");
  assert.equal(await page.evaluate(() => lab.flow.state), "fetching_token");
  await page.evaluate(() => lab.flow.close());
  assertCancelled(await outcomeOf(page), "app_closed");
  assert.deepEqual(await listenerCounts(page), baseline);
  // The late answer must not open anything: join the request still in flight and wait for it.
  assert.equal(await page.evaluate(() => lab.flow.prefetch(lab.byId.conn_login_required)), true);
  let snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(snap.iframes, 0);
  assert.equal(snap.outcomes, 1);
  assert.deepEqual(snap.states, ["fetching_token", "cancelled"]);
  assert.equal(sim.stats().repairRequests, 1);

  // Mid-widget (with the token the late answer cached).
  await page.evaluate(() => lab.start("conn_login_required"));
  await widgetLogin(page);
  const open = await listenerCounts(page);
  assert.deepEqual(
    Object.fromEntries(Object.entries(open).map(([key, n]) => [key, n - baseline[key]])),
    {
      "window.message": 1,
      "window.pagehide": 1,
      "window.keydown": 0,
      "window.focusin": 0,
      "document.message": 0,
      "document.pagehide": 0,
      "document.keydown": 1,
      "document.focusin": 1,
    },
    "the open modal session listens (so the counts above are meaningful)",
  );
  await page.evaluate(() => lab.flow.close());
  assertCancelled(await outcomeOf(page), "app_closed");
  snap = await snapshot(page);
  assertNothingLeft(snap);
  assert.equal(snap.outcomes, 2);
  assert.deepEqual(snap.states, ["fetching_token", "cancelled", "fetching_token", "open", "cancelled"]);
  assert.deepEqual(await listenerCounts(page), baseline);
  assert.equal(sim.stats().repairRequests, 1, "the late token was cached and used");
  assert.deepEqual(await problems(), []);
});

test("exactly one outcome: after completion, closing, clicking and more messages change nothing", async () => {
  const { page, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.watchModal();
    lab.start("conn_login_required");
  });
  await logIn(await widgetLogin(page));
  assertCompleted(await outcomeOf(page));
  const settled = await snapshot(page);

  await page.evaluate(async (widgetOrigin) => {
    lab.first = await lab.promise;
    lab.flow.close();
    lab.closeButton.click(); // the removed modal's button, listener and all
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    window.dispatchEvent(new PageTransitionEvent("pagehide"));
    const own = lab.nextMessage((event) => event.source === window);
    window.postMessage({ domain: "meld-connect", eventName: "connect_complete", institutionId: "x" }, "*");
    await own;
    const frame = document.createElement("iframe");
    const spoofed = lab.nextMessage((event) => event.source === frame.contentWindow);
    frame.src = `${widgetOrigin}/spoof.html?event=connect_complete`;
    document.body.append(frame);
    await spoofed;
  }, sim.widgetOrigin);

  const after = await snapshot(page);
  assert.deepEqual(after.states, settled.states, "onStateChange not called again");
  assert.deepEqual(after.states, ["fetching_token", "open", "completed"]);
  assert.deepEqual(after.events, settled.events, "onEvent not called again");
  assert.equal(after.state, "completed");
  assert.equal(after.outcomes, 1, "the outcome promise settled once");
  assert.equal(await page.evaluate(async () => (await lab.promise) === lab.first), true);
  assertNothingLeft(after);
  assert.deepEqual(await problems(), []);
});

// ---- The connect token stays secret ---------------------------------------------------------

/** Every place of the page (outside the widget iframe's src) where the token must not be. */
function tokenSightings(token) {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (element.matches("iframe[data-meld-repair-widget]") && attribute.name === "src") continue;
      if (attribute.value.includes(token)) found.push(`${element.tagName}[${attribute.name}]`);
    }
  }
  if (document.documentElement.textContent.includes(token)) found.push("text");
  for (const [name, storage] of [["localStorage", localStorage], ["sessionStorage", sessionStorage]]) {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key.includes(token) || storage.getItem(key).includes(token)) found.push(`${name}.${key}`);
    }
  }
  if (document.cookie.includes(token)) found.push("document.cookie");
  if (JSON.stringify([window.lab?.events, window.lab?.outcomes, window.lab?.states]).includes(token)) found.push("flow callbacks");
  return found;
}

test("the connect token never shows: console, storage, cookies, DOM, callbacks, error messages", async () => {
  const { page, context, consoleMessages, problems } = await openLab();
  await page.evaluate(() => {
    lab.make();
    lab.start("conn_login_required");
  });
  const widget = await widgetLogin(page);
  const token = await page.evaluate(() => lab.widgetToken());
  assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, "the widget iframe's src carries the token");
  assert.deepEqual(await page.evaluate(tokenSightings, token), []);

  await logIn(widget);
  assertCompleted(await outcomeOf(page));
  assert.deepEqual(await page.evaluate(tokenSightings, token), []);
  for (const message of consoleMessages) {
    assert.ok(!message.text.includes(token), `console: ${message.text}`);
    assert.doesNotMatch(message.text, TOKEN_LIKE);
  }
  for (const cookie of await context.cookies()) assert.ok(!cookie.value.includes(token) && !cookie.name.includes(token));

  // Error messages for answers that carry a token (or a URL with one) never quote it.
  for (const fault of ["wrong_id", "expired", "foreign_widget"]) {
    sim.setConfig({ fault });
    const outcome = await page.evaluate(() => {
      lab.make({ retries: 0 });
      lab.start("conn_login_required");
      return lab.outcome();
    });
    assert.equal(outcome.status, "failed", fault);
    assert.doesNotMatch(outcome.error.message, TOKEN_LIKE, fault);
    assert.doesNotMatch(JSON.stringify(outcome), TOKEN_LIKE, fault);
  }
  // A backend that swaps fields: the id is the token itself.
  const swapped = await page.evaluate(async () => {
    const body = await (await fetch("/api/meld/repair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connectionId: "conn_login_required" }),
    })).json();
    lab.make({ fetchToken: async () => ({ ...body, id: body.connectToken }) });
    lab.start("conn_login_required");
    return { outcome: await lab.outcome(), token: body.connectToken };
  });
  assert.equal(swapped.outcome.error.code, "INVALID_TOKEN_RESPONSE");
  assert.ok(!swapped.outcome.error.message.includes(swapped.token));
  assert.doesNotMatch(swapped.outcome.error.message, TOKEN_LIKE);
  assert.deepEqual(await page.evaluate(tokenSightings, swapped.token), []);
  assert.deepEqual(await problems(), []);
});

// ---- The demo page --------------------------------------------------------------------------

test("demo click-through under the strict CSP: Reconnect, log in, outcome and the Reconnected mark", async () => {
  const { page, consoleMessages, problems } = await openPage(browser, `${sim.appUrl}${STRICT}`);
  const demo = page.locator("#repair-demo");
  await page.waitForSelector('#repair-demo[data-state="ready"]');
  assert.equal(await demo.isVisible(), true);
  // The log role on a wrapper, so the list keeps its items (axe: listitem).
  assert.equal(await page.locator("#demo-log-region").getAttribute("aria-live"), "polite");
  assert.equal(await page.locator("#demo-log-region").getAttribute("role"), "log");
  assert.equal(await page.locator("#demo-log-region > ol#demo-log").count(), 1);

  const card = demo.getByRole("article", { name: "First Platypus Bank", exact: true });
  const english = explain(connection(FIRST_PLATYPUS), { locale: "en" });
  assert.equal(await card.locator('[data-field="status"]').textContent(), "RECONNECT_REQUIRED");
  assert.equal(await card.locator('[data-field="reason"]').textContent(), "LOGIN_REQUIRED");
  assert.equal(await card.locator('[data-field="title"]').textContent(), english.title);
  assert.equal(await card.locator('[data-field="message"]').textContent(), english.message);
  assert.equal(await card.locator('[data-field="severity"]').getAttribute("data-value"), english.severity);
  assert.equal(await card.getByRole("button").textContent(), english.actionLabel);
  assert.equal(await card.locator('[data-field="repair-result"]').isVisible(), false);

  await card.getByRole("button", { name: "Reconnect" }).click();
  await page.getByRole("dialog", { name: "Reconnect First Platypus Bank" }).waitFor();
  const widget = await widgetLogin(page);
  assert.equal(sim.stats().repairRequests, 1, "hover prefetch + click: one request");
  const token = await page.evaluate(() => new URL(document.querySelector("[data-meld-repair-widget]").src).searchParams.get("connectToken"));
  assert.deepEqual(await page.evaluate(tokenSightings, token), []);
  await logIn(widget);

  const outcome = page.locator('#demo-log li[data-kind="outcome"]');
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-status"), "completed");
  assert.equal(await outcome.getAttribute("data-connection-id"), FIRST_PLATYPUS);
  const outcomeText = await outcome.textContent();
  for (const expected of ["outcome completed", "First Platypus Bank", "ZJK6BFqUMUhpfKSGF6CrKL", "2 accounts", "Checking", "••9876", "BANK_LINKING_CONNECTION_STATUS_CHANGE"]) {
    assert.ok(outcomeText.includes(expected), `outcome mentions ${expected}: ${outcomeText}`);
  }
  // Pending success in customer words: no error badge, no Reconnect, until the webhook.
  const pending = explainOutcome({ status: "completed" }, { institutionName: "First Platypus Bank" });
  await page.waitForSelector(`#repair-demo article[data-connection-id="${FIRST_PLATYPUS}"][data-repair="completed"]`);
  assert.equal(await card.locator('[data-field="title"]').textContent(), pending.title);
  assert.equal(await card.locator('[data-field="message"]').textContent(), pending.message);
  assert.equal(await card.locator('[data-field="severity"]').getAttribute("data-value"), "success");
  assert.match(await card.locator('[data-field="severity"]').textContent(), /Updating$/, "in progress, not yet Connected");
  assert.equal(await card.getByRole("button").count(), 0);
  assert.equal(await card.locator('[data-field="status"]').textContent(), "RECONNECT_REQUIRED", "the status is not faked");

  const entries = await page.locator("#demo-log > li").evaluateAll((items) => items.map((li) => [li.dataset.kind, li.querySelector(".log-text").textContent]));
  assert.deepEqual(
    entries.filter(([kind]) => kind === "state").map(([, text]) => text),
    ["state → fetching_token", "state → open", "state → completed"],
  );
  assert.deepEqual(
    entries.filter(([kind]) => kind === "event").map(([, text]) => text),
    ["event init", "event debug — login_screen", "event connect_complete — First Platypus Bank, 2 accounts"],
  );
  assert.equal(await page.locator(`${WIDGET}, ${MODAL}`).count(), 0);
  assert.deepEqual(await page.evaluate(tokenSightings, token), []);
  assert.ok(consoleMessages.every((m) => !m.text.includes(token)));
  assert.equal(await demo.locator("img, script, b").count(), 0, "institution names stay text");
  assert.deepEqual(await problems(), []);
});

test("demo controls: fault, latency, locale and the inline container", async () => {
  const { page, problems } = await openPage(browser, `${sim.appUrl}${STRICT}`);
  await page.waitForSelector('#repair-demo[data-state="ready"]');
  const tartan = page.locator(`#repair-demo article[data-connection-id="${TARTAN}"]`);
  const platypus = page.locator(`#repair-demo article[data-connection-id="${FIRST_PLATYPUS}"]`);
  const waitForConfig = (check) => waitUntil(() => check(sim.setConfig({})), "the demo to set /__sim/config");

  // Expired token: the session fails before any widget opens, and says why.
  await page.selectOption("#demo-fault", "expired");
  await waitForConfig((c) => c.fault === "expired" && c.faultSticky === true);
  await tartan.getByRole("button", { name: "Reconnect" }).click();
  const failed = page.locator('#demo-log li[data-kind="outcome"][data-status="failed"]');
  await failed.waitFor();
  assert.equal(await failed.getAttribute("data-code"), "INVALID_TOKEN_RESPONSE");
  assert.match(await failed.textContent(), /Tartan Bank: INVALID_TOKEN_RESPONSE.*expired token/s);
  // Where the customer clicked: an alert in their words, never the developer message.
  const alert = tartan.getByRole("alert");
  const words = explainOutcome({ status: "failed", error: { code: "INVALID_TOKEN_RESPONSE", retryable: false } }, { institutionName: "Tartan Bank" });
  assert.equal(await alert.textContent(), `${words.title} ${words.message}`);
  assert.doesNotMatch(await tartan.textContent(), /INVALID_TOKEN_RESPONSE|expired token/);
  assert.equal(await page.locator(`${WIDGET}, ${MODAL}`).count(), 0);

  // Latency and fault back to normal through the controls.
  await page.selectOption("#demo-fault", "none");
  await page.selectOption("#demo-latency", "300");
  await waitForConfig((c) => c.fault === null && c.latencyMs === 300);

  // Spanish: texts and button labels re-rendered.
  await page.selectOption("#demo-locale", "es");
  await platypus.getByRole("button", { name: "Reconectar" }).waitFor();
  const spanish = explain(connection(FIRST_PLATYPUS), { locale: "es" });
  assert.equal(await platypus.locator('[data-field="title"]').textContent(), spanish.title);
  assert.equal(await platypus.locator('[data-field="message"]').textContent(), spanish.message);
  assert.equal(await platypus.locator(".demo-expl").getAttribute("lang"), "es");

  // Inline container: the widget in the demo's slot, closed by the app.
  await page.selectOption("#demo-mode", "inline");
  await platypus.getByRole("button", { name: "Reconectar" }).click();
  await page.waitForSelector(`#demo-widget-container > ${WIDGET}`);
  assert.equal(await page.locator(MODAL).count(), 0);
  await widgetLogin(page);
  await page.click("#demo-slot-close");
  const cancelled = page.locator('#demo-log li[data-kind="outcome"][data-status="cancelled"]');
  await cancelled.waitFor();
  assert.equal(await cancelled.getAttribute("data-reason"), "app_closed");
  assert.equal(await page.locator(WIDGET).count(), 0);
  assert.equal(await page.locator("#demo-widget-slot").isVisible(), false);
  assert.deepEqual(await problems(), []);
});
