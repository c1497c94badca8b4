// Property test of the session machine, run against the real RepairFlow in headless Chromium
// (not a model): random interleavings of start, prefetch, token answers (ok / fail / junk /
// hang), widget messages (right and wrong senders), the customer closing the modal, close() and
// page hide always end in exactly one outcome per started session, along legal state
// transitions only, with no widget, listener or timer left behind.
//
//   node --test tests/e2e/session-property.test.mjs
//   PROPERTY_SEED=1234 node --test tests/e2e/session-property.test.mjs      # replay a run
//   PROPERTY_SEED=1234 PROPERTY_ONLY=4711 node --test ...                    # replay one sequence
//   PROPERTY_SEQUENCES=50000 node --test ...                                 # a longer run
//
// Sequence i draws its operations from mulberry32(seed of (PROPERTY_SEED, i)), all of them up
// front, so a seed and an index give the same operations again. Timing is not replayed: a
// token request times out after TIMEOUT_MS of real time, and a `wait` is real time too, so a
// replay runs the same operations but a timeout may race them differently.
//
// The sequences run inside one page (the bare sandbox, strict CSP), 500 per page.evaluate:
// 10,000 take 50-55 s on two busy cores (PROPERTY_PAGES=2 shares the batches between two pages;
// on two busy cores that was no faster). Before the package is imported, the page's
// window/document addEventListener/removeEventListener and setTimeout/setInterval/clearTimeout/
// clearInterval are wrapped, so that what the package registers can be counted; the test's own
// listeners and timers use the saved originals and are never counted.
//
// A request may by design outlive its session (session.rs, Effect::FetchToken): its timeout
// timer runs until the request is answered or times out, so a sequence may end with exactly one
// timer per request still in flight, and none once they have all settled.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { launchBrowser, openPage, startSim } from "./harness.mjs";

const ROOT = new URL("../../", import.meta.url);
const SANDBOX = "/sandbox.html?csp=strict";
const SEQUENCES = Number(process.env.PROPERTY_SEQUENCES ?? 10_000);
const BATCH = 500; // sequences per page.evaluate
const PAGES = Number(process.env.PROPERTY_PAGES ?? 1); // pages taking batches side by side
const TIMEOUT_MS = 20; // the flow's own fetchToken timeout: small, so `wait` ops can outlast it
const SEED = process.env.PROPERTY_SEED !== undefined ? Number(process.env.PROPERTY_SEED) >>> 0 : randomInt(2 ** 32);
const ONLY = process.env.PROPERTY_ONLY !== undefined ? Number(process.env.PROPERTY_ONLY) : null;
const SHOW_FAILURES = 5;

if (!existsSync(new URL("pkg/index.js", ROOT))) {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
}

console.log(`session property: PROPERTY_SEED=${SEED}${ONLY !== null ? ` PROPERTY_ONLY=${ONLY}` : ""}`);

const browser = await launchBrowser();
const sim = await startSim();

/**
 * Runs in the page, once: wraps the listener and timer APIs, imports the package and installs
 * `window.__property` with `runBatch(from, to)`. Self-contained (it is serialised by Playwright).
 */
function installProperty({ widgetOrigin, timeoutMs, masterSeed }) {
  return (async () => {
    // ---- Accounting of what the package registers -----------------------------------------
    // A registration is keyed on (target, type, handler, capture), as the DOM keys it: adding
    // the same key twice is one registration, removing a key that is not there changes nothing.
    // So what is counted is the set of registrations live right now: one that was added and
    // removed again counts 0, one still present counts 1. (`once` listeners would remove
    // themselves unseen; the package uses none.)
    const capture = (options) => (typeof options === "boolean" ? options : Boolean(options && options.capture));
    const registries = [];
    function wrapTarget(target, name) {
      const add = target.addEventListener;
      const remove = target.removeEventListener;
      const live = new Map(); // handler → Set of "type|capture"
      target.addEventListener = function addEventListener(type, handler, options) {
        if (handler != null) {
          let keys = live.get(handler);
          if (!keys) live.set(handler, (keys = new Set()));
          keys.add(`${type}|${capture(options)}`);
        }
        return add.call(target, type, handler, options);
      };
      target.removeEventListener = function removeEventListener(type, handler, options) {
        const keys = live.get(handler);
        if (keys) {
          keys.delete(`${type}|${capture(options)}`);
          if (keys.size === 0) live.delete(handler);
        }
        return remove.call(target, type, handler, options);
      };
      registries.push({ name, live });
      return { add: (...args) => add.call(target, ...args), remove: (...args) => remove.call(target, ...args) };
    }
    /** The live registrations, sorted: ["document.focusin|true", "window.pagehide|false", …]. */
    const liveListeners = () =>
      registries.flatMap(({ name, live }) => [...live.values()].flatMap((keys) => [...keys].map((k) => `${name}.${k}`))).sort();

    const own = {
      window: wrapTarget(window, "window"),
      document: wrapTarget(document, "document"),
      setTimeout: window.setTimeout.bind(window),
      clearTimeout: window.clearTimeout.bind(window),
    };
    const pendingTimers = new Map(); // id → "timeout" | "interval"
    {
      const [st, si, ct, ci] = [window.setTimeout, window.setInterval, window.clearTimeout, window.clearInterval];
      window.setTimeout = function setTimeout(fn, ms, ...args) {
        let id;
        const callback = typeof fn === "function" ? function (...a) { pendingTimers.delete(id); return fn.apply(this, a); } : fn;
        id = st.call(window, callback, ms, ...args);
        pendingTimers.set(id, "timeout");
        return id;
      };
      window.setInterval = function setInterval(fn, ms, ...args) {
        const id = si.call(window, fn, ms, ...args);
        pendingTimers.set(id, "interval");
        return id;
      };
      window.clearTimeout = function clearTimeout(id) { pendingTimers.delete(id); return ct.call(window, id); };
      window.clearInterval = function clearInterval(id) { pendingTimers.delete(id); return ci.call(window, id); };
    }
    // ---- The package ---------------------------------------------------------------------
    const api = await import("/pkg/index.js");
    const connections = await (await fetch("/api/connections")).json();
    const CONNECTIONS = {
      A: connections.find((c) => c.id === "conn_login_required"),
      B: connections.find((c) => c.id === "conn_token_expired"),
    };

    // The message event being dispatched right now (a capture listener on window runs before
    // the package's), so onEvent can tell who sent what it reports.
    let currentMessage = null;
    own.window.add("message", (event) => (currentMessage = event), true);

    // ---- Randomness ----------------------------------------------------------------------
    function mulberry32(a) {
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    const sequenceSeed = (index) => (mulberry32((masterSeed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)() * 2 ** 32) >>> 0;
    const pick = (rng, weighted) => {
      const total = weighted.reduce((sum, [, w]) => sum + w, 0);
      let r = rng() * total;
      for (const [value, w] of weighted) if ((r -= w) < 0) return value;
      return weighted[weighted.length - 1][0];
    };

    const OPS = [
      ["start", 16], ["prefetch", 4],
      ["tokenOk", 16], ["tokenFail", 3], ["tokenBadResponse", 3], ["tokenHang", 2],
      ["complete", 9], ["error", 2], ["init", 2], ["unknown", 2],
      ["customerClose", 6], ["appClose", 3], ["pageHide", 3],
      ["microtask", 16], ["wait", 9],
    ];
    const TIMEOUT_PLUS = timeoutMs + 5; // a wait that outlasts a pending fetchToken's timeout
    const JUNK = ["null", "empty", "string", "wrongId", "expired", "foreignOrigin", "javascript", "otherToken", "notJwt"];
    /** Operations as strings ("start:A", "complete:right", "wait:35"): printable and replayable. */
    function generate(rng) {
      const length = 1 + Math.floor(rng() * 12);
      const ops = [];
      for (let i = 0; i < length; i++) {
        // Half the sequences begin with a click, so that more of them get as far as the widget.
        const op = i === 0 && rng() < 0.5 ? "start" : pick(rng, OPS);
        let arg;
        if (op === "start" || op === "prefetch") arg = rng() < 0.15 ? "B" : "A";
        else if (op === "tokenFail") arg = rng() < 0.5 ? "error" : "string";
        else if (op === "tokenBadResponse") arg = JUNK[Math.floor(rng() * JUNK.length)];
        else if (["complete", "error", "init", "unknown"].includes(op)) arg = pick(rng, [["right", 70], ["wrongOrigin", 15], ["wrongSource", 15]]);
        else if (op === "customerClose") arg = rng() < 0.5 ? "button" : "escape";
        else if (op === "pageHide") arg = rng() < 0.5 ? "transition" : "event";
        // A token answer takes about 7 microtask ticks to open the widget (1 from the cache).
        else if (op === "microtask") arg = String(pick(rng, [[1, 2], [2, 1], [4, 1], [6, 1], [7, 3], [8, 1], [12, 2], [30, 2]]));
        else if (op === "wait") arg = pick(rng, [["task", 10], ["2", 2], [String(TIMEOUT_PLUS), 1]]);
        // An unknown message: a Meld event this version does not know (reported by onEvent),
        // a provider's own event or not an object at all (both ignored).
        if (op === "unknown") arg += `,${pick(rng, [["meld", 2], ["provider", 1], ["junk", 1]])}`;
        ops.push(arg === undefined ? op : `${op}:${arg}`);
      }
      return ops;
    }

    // ---- Token answers -------------------------------------------------------------------
    const b64url = (text) => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    let jti = 0;
    const jwt = (claims) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.${b64url("property-test")}`;
    function validResponse(id, { expSeconds = 3600 } = {}) {
      const connectToken = jwt({ sub: id, jti: ++jti, exp: Math.floor(Date.now() / 1000) + expSeconds });
      return { id, connectToken, widgetUrl: `${widgetOrigin}/?connectToken=${connectToken}`, institutionId: "ins_property" };
    }
    function junkResponse(kind, id) {
      const valid = validResponse(id);
      switch (kind) {
        case "null": return null;
        case "empty": return {};
        case "string": return "not a repair response";
        case "wrongId": return { ...valid, id: id === CONNECTIONS.A.id ? CONNECTIONS.B.id : CONNECTIONS.A.id };
        case "expired": return validResponse(id, { expSeconds: -60 });
        case "foreignOrigin": return { ...valid, widgetUrl: `https://evil.example/?connectToken=${valid.connectToken}` };
        case "javascript": return { ...valid, widgetUrl: "javascript:alert(1)" };
        case "otherToken": return { ...valid, widgetUrl: validResponse(id).widgetUrl };
        case "notJwt": return { ...valid, connectToken: "not.a.jwt", widgetUrl: `${widgetOrigin}/?connectToken=not.a.jwt` };
      }
      throw new Error(`unknown junk ${kind}`);
    }
    const widgetData = (kind, flavor) => {
      switch (kind) {
        case "complete": return { domain: "meld-connect", eventName: "connect_complete", institutionId: "ins_property", institutionName: "Property Bank", accountCount: 1 };
        case "error": return { domain: "meld-connect", eventName: "error", details: "Provider rejected the credentials", reason: "SERVICE_PROVIDER_FAILURE" };
        case "init": return { domain: "meld-connect", eventName: "init" };
        case "unknown":
          if (flavor === "provider") return { source: "plaid", event: "OPEN" };
          if (flavor === "junk") return "connect_complete";
          return { domain: "meld-connect", eventName: "some_future_event" };
      }
    };

    // ---- One sequence --------------------------------------------------------------------
    const STATES = ["idle", "fetching_token", "open", "completed", "cancelled", "failed"];
    const TERMINAL = ["completed", "cancelled", "failed"];
    const RUNNING = ["fetching_token", "open"];
    const LEGAL = {
      idle: ["fetching_token"], completed: ["fetching_token"], cancelled: ["fetching_token"], failed: ["fetching_token"],
      fetching_token: ["open", "cancelled", "failed"],
      open: ["completed", "cancelled", "failed"],
    };
    const FAILURE_CODES = ["TOKEN_ENDPOINT_FAILED", "TOKEN_ENDPOINT_TIMEOUT", "INVALID_TOKEN_RESPONSE", "WIDGET_URL_REJECTED"];
    const CANCEL_REASONS = { customerClose: "customer_closed", appClose: "app_closed", pageHide: "page_hidden", epilogue: "app_closed" };
    const MODAL = "[data-meld-repair-modal]";
    const WIDGET = "[data-meld-repair-widget]";
    const lateProblems = []; // callbacks of a finished sequence's flow, prefetch rejections, …
    const sleep = (ms) => new Promise((resolve) => own.setTimeout(resolve, ms));
    /** The next task: every microtask runs first, and no timer clamping (setTimeout(0) is ≥ 4 ms here). */
    const nextTask = () => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
      channel.port2.postMessage(null);
    });
    const plainError = (e) => (e && typeof e === "object" ? { name: e.name, code: e.code, message: String(e.message).slice(0, 200) } : String(e));

    async function runSequence(index, ops) {
      const mode = index % 2 === 0 ? "modal" : "container";
      const problems = [];
      const problem = (text) => problems.length < 20 && problems.push(text);
      const ctx = {
        done: false,
        op: "construct", // the synchronous operation running now, or "async" between them
        inRightComplete: false,
        states: ["idle"],
        terminals: [],
        sessions: [], // { conn, promise, resolutions, outcome, terminal }
        current: null,
        calls: [], // one per start(): { kind, promise, settled }
        pending: [], // fetchToken calls not settled yet, oldest first
        hung: [],
        requests: [], // every fetchToken call
        fetchCalls: 0,
        events: 0,
        stats: { outcomes: {}, errorCodes: {}, reasons: {}, rejectedInProgress: 0, joins: 0, rightCompletes: 0, fetchCalls: 0, opened: 0 },
      };
      // Timers of earlier sequences' requests may still run (a request outlives its session):
      // only the timers this sequence starts are counted.
      const baseline = { listeners: liveListeners(), timers: new Set(pendingTimers.keys()) };
      const ownTimers = () => [...pendingTimers.keys()].filter((id) => !baseline.timers.has(id)).length;
      const container = mode === "container" ? document.body.appendChild(document.createElement("div")) : null;

      const flow = new api.RepairFlow({
        fetchToken: (connection, { signal }) => {
          if (ctx.done) lateProblems.push(`sequence ${index}: fetchToken called after the sequence ended`);
          if (!(signal instanceof AbortSignal)) problem("fetchToken got no AbortSignal");
          const id = connection.id;
          // One backend request per connection at a time: no other request for it may still
          // be open (neither settled by the test nor timed out).
          if ([...ctx.pending, ...ctx.hung].some((r) => r.id === id && !r.signal.aborted)) {
            problem(`op ${ctx.op}: a second fetchToken for ${id} while one is still running`);
          }
          ctx.fetchCalls++;
          return new Promise((resolve, reject) => {
            const request = { id, signal, resolve, reject, answered: false };
            ctx.pending.push(request);
            ctx.requests.push(request);
          });
        },
        mode: "iframe",
        container,
        allowedWidgetOrigins: [widgetOrigin],
        allowInsecureLoopback: true,
        timeoutMs,
        retries: 0,
        onEvent: (event) => {
          if (ctx.done) return lateProblems.push(`sequence ${index}: onEvent after the sequence ended`);
          ctx.events++;
          const iframe = document.querySelector(WIDGET);
          if (!currentMessage || currentMessage.origin !== widgetOrigin || !iframe || currentMessage.source !== iframe.contentWindow) {
            problem(`op ${ctx.op}: onEvent(${event?.name}) for a message not from the widget (origin ${currentMessage?.origin})`);
          }
        },
        onStateChange: (state) => {
          if (ctx.done) return lateProblems.push(`sequence ${index}: onStateChange(${state}) after the sequence ended`);
          const previous = ctx.states[ctx.states.length - 1];
          ctx.states.push(state);
          if (!STATES.includes(state)) problem(`op ${ctx.op}: unknown state ${state}`);
          if (!(LEGAL[previous] ?? []).includes(state)) problem(`op ${ctx.op}: illegal transition ${previous} → ${state}`);
          const op = ctx.op.split(":")[0];
          // What may cause what: a start() enters fetching_token; the token's answer or its
          // timeout (asynchronous) opens or fails; the widget's complete (right sender only)
          // completes; the customer, close() and page hide cancel.
          const allowed = {
            fetching_token: ["start"],
            open: ["async"],
            failed: ["async"],
            completed: ["complete"],
            cancelled: ["customerClose", "appClose", "pageHide", "epilogue"],
          }[state];
          if (allowed && !allowed.includes(op)) problem(`op ${ctx.op}: ${previous} → ${state} caused by ${op}`);
          if (state === "completed" && !ctx.inRightComplete) problem(`op ${ctx.op}: completed without a connect_complete from the widget`);
          if (state === "open") ctx.stats.opened++;
          if (TERMINAL.includes(state)) {
            ctx.terminals.push(state);
            if (!ctx.current) problem(`op ${ctx.op}: terminal ${state} with no session running`);
            else {
              ctx.current.terminal = state;
              ctx.current.cause = op;
            }
            ctx.current = null;
          }
        },
      });
      await flow.ready; // the flow's module: a real page loads it once, on the first RepairFlow

      /** What must hold between operations, whatever happened. */
      function checkInvariants(where) {
        const state = flow.state;
        const reported = ctx.states[ctx.states.length - 1];
        if (state !== reported) problem(`${where}: flow.state ${state} but onStateChange last said ${reported}`);
        if (RUNNING.includes(state) !== (ctx.current !== null)) problem(`${where}: state ${state} but a session is ${ctx.current ? "" : "not "}running`);
        const widgets = document.querySelectorAll(WIDGET);
        const modals = document.querySelectorAll(MODAL).length;
        const iframes = document.querySelectorAll("iframe").length;
        const open = state === "open";
        if (widgets.length !== (open ? 1 : 0) || iframes !== widgets.length) problem(`${where}: state ${state} with ${widgets.length} widget(s), ${iframes} iframe(s)`);
        if (modals !== (open && mode === "modal" ? 1 : 0)) problem(`${where}: state ${state} with ${modals} modal(s) (${mode})`);
        if (open && mode === "container" && widgets[0]?.parentElement !== container) problem(`${where}: the widget is not in the container`);
        const expected = [...baseline.listeners];
        if (RUNNING.includes(state)) expected.push("window.pagehide|false");
        if (open) expected.push("window.message|false");
        if (open && mode === "modal") expected.push("document.keydown|true", "document.focusin|true");
        const live = liveListeners();
        if (live.join() !== expected.sort().join()) problem(`${where}: state ${state}, live listeners [${live}] expected [${expected}]`);
        // At most one timeout timer per request not timed out (an answered one clears its timer
        // once its promise settles, a microtask later).
        const unsettled = ctx.requests.filter((r) => !r.signal.aborted).length;
        if (ownTimers() > unsettled) problem(`${where}: ${ownTimers()} package timer(s) pending for ${unsettled} request(s)`);
      }

      function start(which) {
        const connection = CONNECTIONS[which];
        const before = flow.state;
        const running = ctx.current;
        let promise;
        try {
          promise = flow.start(connection);
        } catch (error) {
          problem(`start threw synchronously: ${error?.message}`);
          return;
        }
        const call = { kind: "new", promise, settled: 0, value: undefined };
        ctx.calls.push(call);
        if (running && running.conn === which) {
          call.kind = "join";
          ctx.stats.joins++;
          if (promise !== running.promise) problem(`op ${ctx.op}: a second start() of the running session returned another promise`);
        } else if (running) {
          call.kind = "other";
          if (ctx.sessions.some((s) => s.promise === promise)) problem(`op ${ctx.op}: start() of another connection returned a session's promise`);
        } else {
          if (ctx.sessions.some((s) => s.promise === promise)) problem(`op ${ctx.op}: a new session reused an old promise`);
          if (flow.state !== "fetching_token") problem(`op ${ctx.op}: start() from ${before} left state ${flow.state}`);
          const session = { conn: which, promise, resolutions: 0, outcome: undefined, terminal: undefined };
          ctx.sessions.push(session);
          ctx.current = session;
          promise.then(
            (outcome) => { session.resolutions++; session.outcome = outcome; },
            (error) => { session.resolutions++; session.rejection = error; },
          );
        }
        call.tracked = promise.then(
          (value) => { call.settled++; call.value = value; },
          (error) => { call.settled++; call.error = error; },
        );
      }

      /** Answers the oldest open fetchToken call; tokenHang sets it aside for good (the flow's
       *  own timeout then ends it), so the next token op answers the one after it. */
      function settle(kind, arg) {
        const request = ctx.pending.shift();
        if (!request) return;
        request.answered = kind !== "tokenHang";
        if (kind === "tokenOk") request.resolve(validResponse(request.id));
        else if (kind === "tokenFail") request.reject(arg === "error" ? new Error("backend down") : "backend down");
        else if (kind === "tokenBadResponse") request.resolve(junkResponse(arg, request.id));
        else if (kind === "tokenHang") ctx.hung.push(request);
      }

      function message(kind, arg) {
        const [via, flavor = "meld"] = arg.split(",");
        const iframe = document.querySelector(WIDGET);
        const right = via === "right" && iframe !== null;
        const source = via === "wrongSource" || !iframe ? window : iframe.contentWindow;
        const origin = via === "wrongOrigin" ? (index % 4 < 2 ? location.origin : "https://institution-connect.meld.io") : widgetOrigin;
        const before = flow.state;
        const eventsBefore = ctx.events;
        ctx.inRightComplete = right && kind === "complete";
        if (ctx.inRightComplete) ctx.stats.rightCompletes++;
        try {
          window.dispatchEvent(new MessageEvent("message", { data: widgetData(kind, flavor), origin, source }));
        } finally {
          ctx.inRightComplete = false;
          currentMessage = null;
        }
        const expectEvent = right && before === "open" && flavor === "meld";
        if (ctx.events - eventsBefore !== (expectEvent ? 1 : 0)) problem(`op ${ctx.op}: ${ctx.events - eventsBefore} onEvent call(s) in state ${before}`);
        const expected = right && kind === "complete" && before === "open" ? "completed" : before;
        if (flow.state !== expected) problem(`op ${ctx.op}: state ${before} → ${flow.state}, expected ${expected}`);
      }

      function customerClose(via) {
        const before = flow.state;
        if (via === "button") {
          const button = document.querySelector(`${MODAL} button[aria-label="Close"]`);
          if (button) button.click();
        } else {
          const event = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
          document.dispatchEvent(event);
          if (before === "open" && mode === "modal" && !event.defaultPrevented) problem(`op ${ctx.op}: the modal did not take the Escape key`);
        }
        const expected = before === "open" && mode === "modal" ? "cancelled" : before;
        if (flow.state !== expected) problem(`op ${ctx.op}: state ${before} → ${flow.state}, expected ${expected}`);
      }

      function endsRunning(action) {
        const before = flow.state;
        action();
        const expected = RUNNING.includes(before) ? "cancelled" : before;
        if (flow.state !== expected) problem(`op ${ctx.op}: state ${before} → ${flow.state}, expected ${expected}`);
      }

      const opCounts = {};
      for (let i = 0; i < ops.length; i++) {
        const [op, arg] = ops[i].split(":");
        opCounts[op] = (opCounts[op] ?? 0) + 1;
        ctx.op = ops[i];
        const stateBefore = flow.state;
        try {
          switch (op) {
            case "start": start(arg); break;
            case "prefetch": {
              const result = flow.prefetch(CONNECTIONS[arg]);
              result.then(
                (value) => typeof value !== "boolean" && lateProblems.push(`sequence ${index}: prefetch resolved ${value}`),
                (error) => lateProblems.push(`sequence ${index}: prefetch rejected ${error?.message}`),
              );
              if (flow.state !== stateBefore) problem(`op ${ops[i]}: prefetch changed the state`);
              break;
            }
            case "tokenOk": case "tokenFail": case "tokenBadResponse": case "tokenHang":
              settle(op, arg);
              if (flow.state !== stateBefore) problem(`op ${ops[i]}: settling a token changed the state synchronously`);
              break;
            case "complete": case "error": case "init": case "unknown": message(op, arg); break;
            case "customerClose": customerClose(arg); break;
            case "appClose": endsRunning(() => flow.close()); break;
            case "pageHide":
              endsRunning(() => window.dispatchEvent(arg === "transition" ? new PageTransitionEvent("pagehide", { persisted: false }) : new Event("pagehide")));
              break;
            case "microtask":
              ctx.op = "async";
              for (let k = 0; k < Number(arg); k++) await null;
              break;
            case "wait":
              ctx.op = "async";
              await (arg === "task" ? nextTask() : sleep(Number(arg)));
              break;
            default: problem(`unknown op ${op}`);
          }
        } catch (error) {
          problem(`op ${ops[i]} threw: ${error?.stack ?? error}`);
        }
        ctx.op = "async";
        checkInvariants(`after op ${i} (${ops[i]})`);
      }

      // ---- Epilogue: end whatever runs, then every start() must have its answer ------------
      ctx.op = "epilogue";
      flow.close();
      ctx.op = "async";
      if (RUNNING.includes(flow.state)) problem(`after close(): state ${flow.state}`);
      const all = Promise.all(ctx.calls.map((call) => call.tracked)).then(() => "settled");
      let timer;
      const timeout = new Promise((resolve) => (timer = own.setTimeout(resolve, 1000, "timeout")));
      const settled = await Promise.race([all, timeout]);
      own.clearTimeout(timer);
      if (settled !== "settled") {
        problem(`some start() promise did not settle within 1 s of close(): ${ctx.calls.filter((c) => !c.settled).map((c) => c.kind)}`);
      }
      checkInvariants("after close()");

      for (const [n, call] of ctx.calls.entries()) {
        if (call.settled !== 1) problem(`start() #${n} (${call.kind}) settled ${call.settled} times`);
        if (call.kind === "other") {
          if (call.error?.code !== "SESSION_IN_PROGRESS") problem(`start() #${n} of another connection during a session: ${call.error ? `rejected ${call.error.code}` : `resolved ${call.value?.status}`}, expected SESSION_IN_PROGRESS`);
          else ctx.stats.rejectedInProgress++;
        } else if (call.error) {
          problem(`start() #${n} (${call.kind}) rejected: ${call.error?.code} ${call.error?.message}`);
        }
      }
      for (const [n, session] of ctx.sessions.entries()) {
        const { outcome } = session;
        if (session.resolutions !== 1) problem(`session ${n} resolved ${session.resolutions} times`);
        if (session.rejection) { problem(`session ${n} rejected: ${session.rejection?.message}`); continue; }
        if (!outcome || !TERMINAL.includes(outcome.status)) { problem(`session ${n} outcome ${JSON.stringify(outcome?.status)}`); continue; }
        ctx.stats.outcomes[outcome.status] = (ctx.stats.outcomes[outcome.status] ?? 0) + 1;
        if (outcome.status !== session.terminal) problem(`session ${n} resolved ${outcome.status} but onStateChange ended it ${session.terminal}`);
        if (outcome.connectionId !== CONNECTIONS[session.conn].id) problem(`session ${n} outcome for ${outcome.connectionId}`);
        if (outcome.status === "completed") {
          if (outcome.metadata?.institutionId !== "ins_property" || outcome.dataArrivesByWebhook !== true) problem(`session ${n} completed with metadata ${JSON.stringify(outcome.metadata)}`);
          if (outcome.error !== null || outcome.reason !== null) problem(`session ${n} completed with an error or reason`);
        } else if (outcome.status === "cancelled") {
          ctx.stats.reasons[outcome.reason] = (ctx.stats.reasons[outcome.reason] ?? 0) + 1;
          if (outcome.reason !== CANCEL_REASONS[session.cause]) problem(`session ${n} cancelled by ${session.cause} with reason ${outcome.reason}`);
          if (outcome.error !== null || outcome.metadata !== null) problem(`session ${n} cancelled with an error or metadata`);
        } else {
          const code = outcome.error?.code;
          ctx.stats.errorCodes[code] = (ctx.stats.errorCodes[code] ?? 0) + 1;
          if (!(outcome.error instanceof api.MeldRepairError) || !FAILURE_CODES.includes(code)) problem(`session ${n} failed with ${JSON.stringify(plainError(outcome.error))}`);
          if (outcome.reason !== null || outcome.metadata !== null) problem(`session ${n} failed with a reason or metadata`);
        }
      }
      if (ctx.terminals.length !== ctx.sessions.length) problem(`${ctx.sessions.length} session(s) but ${ctx.terminals.length} terminal state(s): ${ctx.states.join(" → ")}`);
      if (RUNNING.includes(flow.state)) problem(`flow.state ${flow.state} at the end`);

      // A fresh flow per sequence (not one reused): each sequence then starts from idle with an
      // empty token cache and no request in flight, so a failure replays from its own operations
      // alone; token reuse and in-flight sharing across sessions still happen inside a sequence
      // (a sequence may run several sessions). destroy() is exercised on every flow this way.
      flow.destroy();
      const afterDestroy = await flow.start(CONNECTIONS.A).then((o) => `resolved ${o?.status}`, (e) => e?.code);
      if (afterDestroy !== "SESSION_CLOSED") problem(`start() after destroy(): ${afterDestroy}`);
      if ((await flow.prefetch(CONNECTIONS.A)) !== false) problem("prefetch() after destroy() did not resolve false");
      ctx.done = true;
      container?.remove();
      if (document.querySelectorAll(`${WIDGET}, ${MODAL}, iframe`).length !== 0) problem("a widget, modal or iframe is left in the DOM");
      if (liveListeners().join() !== baseline.listeners.join()) problem(`listeners left: [${liveListeners()}] vs baseline [${baseline.listeners}]`);
      const inFlight = ctx.requests.filter((r) => !r.answered && !r.signal.aborted).length;
      if (ownTimers() !== inFlight) problem(`${ownTimers()} package timer(s) left for ${inFlight} request(s) in flight`);
      if (!["idle", ...TERMINAL].includes(flow.state)) problem(`flow.state ${flow.state} after destroy()`);

      ctx.stats.fetchCalls = ctx.fetchCalls;
      return { mode, problems, opCounts, stats: ctx.stats, sessions: ctx.sessions.length };
    }

    async function runBatch(from, to, only = null) {
      const totals = {
        sequences: 0, operations: 0, sessions: 0, ops: {}, outcomes: {}, errorCodes: {}, reasons: {},
        rejectedInProgress: 0, joins: 0, rightCompletes: 0, fetchCalls: 0, opened: 0,
        modal: 0, container: 0,
      };
      const failures = [];
      let failureCount = 0;
      const add = (into, from) => { for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v; };
      for (let index = from; index < to; index++) {
        if (only !== null && index !== only) continue;
        const seed = sequenceSeed(index);
        const ops = generate(mulberry32(seed));
        let result;
        try {
          result = await runSequence(index, ops);
        } catch (error) {
          result = { mode: "?", problems: [`runSequence threw: ${error?.stack ?? error}`], opCounts: {}, stats: {}, sessions: 0 };
        }
        totals.sequences++;
        totals[result.mode] = (totals[result.mode] ?? 0) + 1;
        totals.operations += ops.length;
        totals.sessions += result.sessions;
        add(totals.ops, result.opCounts);
        for (const key of ["outcomes", "errorCodes", "reasons"]) add(totals[key], result.stats[key] ?? {});
        for (const key of ["rejectedInProgress", "joins", "rightCompletes", "fetchCalls", "opened"]) totals[key] += result.stats[key] ?? 0;
        if (result.problems.length > 0) {
          failureCount++;
          if (failures.length < 10) failures.push({ index, seed, mode: result.mode, ops, problems: result.problems.slice(0, 6) });
        }
      }
      return { totals, failures, failureCount, late: lateProblems.splice(0) };
    }

    /** After the run: every request in flight has timed out, nothing of the package is left. */
    async function drain() {
      await sleep(timeoutMs * 3);
      return {
        listeners: liveListeners(),
        timers: pendingTimers.size,
        dom: document.querySelectorAll(`${WIDGET}, ${MODAL}, iframe`).length,
        late: lateProblems.splice(0),
      };
    }

    window.__property = { runBatch, drain };
    return true;
  })();
}

test(`the session machine, ${ONLY !== null ? `sequence ${ONLY}` : `${SEQUENCES} random sequences`}: one outcome per session, nothing left behind`, { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  // One page by default; with PROPERTY_PAGES > 1 the pages take batches from one queue.
  const pages = await Promise.all(
    Array.from({ length: ONLY !== null ? 1 : PAGES }, async () => {
      const session = await openPage(browser, `${sim.appUrl}${SANDBOX}`);
      const installed = await session.page.evaluate(installProperty, { widgetOrigin: sim.widgetOrigin, timeoutMs: TIMEOUT_MS, masterSeed: SEED });
      assert.equal(installed, true);
      return session;
    }),
  );

  const totals = {};
  const failures = [];
  const late = [];
  let failureCount = 0;
  const merge = (into, from) => {
    for (const [k, v] of Object.entries(from)) {
      if (typeof v === "number") into[k] = (into[k] ?? 0) + v;
      else merge((into[k] ??= {}), v);
    }
  };
  const to = ONLY !== null ? ONLY + 1 : SEQUENCES;
  const queue = [];
  for (let from = ONLY ?? 0; from < to; from += BATCH) queue.push([from, Math.min(from + BATCH, to)]);
  const drained = await Promise.all(
    pages.map(async ({ page }) => {
      for (let range = queue.shift(); range; range = queue.shift()) {
        const batch = await page.evaluate(([a, b, only]) => window.__property.runBatch(a, b, only), [...range, ONLY]);
        merge(totals, batch.totals);
        failures.push(...batch.failures);
        failureCount += batch.failureCount;
        late.push(...batch.late);
      }
      return page.evaluate(() => window.__property.drain());
    }),
  );
  failures.sort((a, b) => a.index - b.index);
  for (const d of drained) late.push(...d.late);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const fmt = (o) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(", ");
  t.diagnostic(`PROPERTY_SEED=${SEED}: ${totals.sequences} sequences (${totals.modal ?? 0} modal, ${totals.container ?? 0} container), ${totals.operations} operations, ${totals.sessions} sessions in ${seconds} s`);
  t.diagnostic(`operations: ${fmt(totals.ops)}`);
  t.diagnostic(`outcomes: ${fmt(totals.outcomes)}; cancelled by: ${fmt(totals.reasons)}; failed with: ${fmt(totals.errorCodes)}`);
  t.diagnostic(
    `widget opened ${totals.opened}, right-sender completes ${totals.rightCompletes}, joined start() ${totals.joins}, SESSION_IN_PROGRESS ${totals.rejectedInProgress}, fetchToken calls ${totals.fetchCalls}`,
  );

  const report = failures
    .slice(0, SHOW_FAILURES)
    .map((f) => `  PROPERTY_SEED=${SEED} PROPERTY_ONLY=${f.index} (sequence seed ${f.seed}, ${f.mode}): [${f.ops.join(", ")}]\n    ${f.problems.join("\n    ")}`)
    .join("\n");
  assert.equal(failureCount, 0, `${failureCount} of ${totals.sequences} sequences broke the property; the first:\n${report}`);
  assert.deepEqual(late, [], "callbacks or promises after their sequence ended");
  for (const { listeners, timers, dom } of drained) {
    assert.deepEqual(
      { listeners, timers, dom },
      { listeners: [], timers: 0, dom: 0 },
      "after the run: no listener, timer or widget of the package left",
    );
  }
  if (ONLY === null) assert.equal(totals.sequences, SEQUENCES);
  if (ONLY === null && SEQUENCES >= 10_000) {
    // The generator reaches every kind of ending (else the run proves little).
    for (const status of ["completed", "cancelled", "failed"]) assert.ok(totals.outcomes[status] > 0, `no ${status} outcome`);
    for (const code of ["TOKEN_ENDPOINT_TIMEOUT", "TOKEN_ENDPOINT_FAILED", "INVALID_TOKEN_RESPONSE"]) assert.ok(totals.errorCodes[code] > 0, `no ${code}`);
    for (const reason of ["customer_closed", "app_closed", "page_hidden"]) assert.ok(totals.reasons[reason] > 0, `no ${reason}`);
    assert.ok(totals.rejectedInProgress > 0 && totals.joins > 0, "start() during a session was exercised");
  }
  for (const { problems } of pages) assert.deepEqual(await problems(), [], "no page error, console error or CSP violation");
});
