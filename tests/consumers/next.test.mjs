// Next.js (App Router) with no configuration, from the packed tarball (issue #15), under both of
// its bundlers: `next build` (Turbopack) and `next build --webpack`, each then `next start`.
// A server component SSRs explain() and decide() (prerendered: the text is in the HTML), a client
// component calls decide() in the browser and shows the element (and is rendered on the server
// too), and a route handler decides per request. The server component also renders the element
// itself (renderConnectionStatus: seen with JavaScript off, adopted once it loads), and the client
// component uses meld-repair/react's hook.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { openPage } from "../e2e/harness.mjs";
import { CONNECTION, getBrowser, npmRun, prepare, readPage, timed } from "./harness.mjs";

prepare("next").catch(() => {}); // awaited by the tests

const { decide, explain, explainCopy } = await import("meld-repair");
const { renderConnectionStatus } = await import("meld-repair/server");
const SSR_STATUS = renderConnectionStatus(CONNECTION, { locale: "en", attributes: { id: "ssr-status", "token-url": "/api/meld/repair" } });
const decision = decide(CONNECTION);
const spanish = explain(CONNECTION, { locale: "es" });
// No telemetry (no network here); the build's own output only when it fails.
const ENV = { NEXT_TELEMETRY_DISABLED: "1" };

const freePort = () =>
  new Promise((done, fail) => {
    const probe = createServer().once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });

/** `next start` on a free loopback port, in its own process group (ended after the file). */
async function nextStart(dir) {
  const port = await freePort();
  const server = spawn(join(dir, "node_modules/.bin/next"), ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: { ...process.env, ...ENV },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  server.stdout.on("data", (chunk) => (output += chunk));
  server.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((done) => server.once("exit", done));
  const stop = () => {
    if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid, "SIGTERM");
    return exited;
  };
  after(stop);
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited ${server.exitCode}:\n${output}`);
    const ready = await fetch(`${origin}/`).then((response) => response.ok, () => false);
    if (ready) return { origin, stop, output: () => output };
    if (Date.now() > deadline) throw new Error(`next start did not answer within 30 s:\n${output}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

for (const [bundler, script] of [["Turbopack", "build"], ["webpack", "build:webpack"]]) {
  test(`Next.js with ${bundler}, no configuration: next build + next start; SSR in the HTML, the client in Chromium, a route handler`, async () => {
    const { dir } = await prepare("next");
    assert.deepEqual(readdirSync(dir).filter((file) => file.startsWith("next.config")), [], "no next.config");
    await timed(`next build (${bundler})`, () => npmRun(dir, script, ENV));
    assert.ok(existsSync(join(dir, ".next/BUILD_ID")));
    const { origin, stop, output } = await nextStart(dir);
    try {
      // The server component's text, before any JavaScript runs.
      const html = await (await fetch(`${origin}/`)).text();
      assert.ok(html.includes(`<h1 id="title">${explain(CONNECTION).title}</h1>`), html);
      assert.ok(html.includes(`<p id="server-decision">server decision: ${decision.action}</p>`), html);
      assert.ok(html.includes(SSR_STATUS), "the element's declarative shadow root is in the HTML");

      // With JavaScript off the server-rendered element shows its words; with it, it is adopted
      // (the server's sheet gives way to the adopted one) and the hook reports its flow's state.
      const ssrElement = async (javaScriptEnabled) => {
        const session = await openPage(await getBrowser(), `${origin}/`, { contextOptions: { javaScriptEnabled } });
        if (javaScriptEnabled) await session.page.waitForFunction(() => document.getElementById("ssr-status").explanation && document.getElementById("flow-state").textContent.includes(":"));
        const seen = await session.page.evaluate(() => {
          const root = document.getElementById("ssr-status").shadowRoot;
          return { title: root.querySelector('[part="title"]').textContent, styles: root.querySelectorAll("style").length, flow: document.getElementById("flow-state").textContent };
        });
        await session.close();
        return seen;
      };
      assert.deepEqual(await ssrElement(false), { title: explain(CONNECTION).title, styles: 1, flow: "idle" });
      assert.deepEqual(await ssrElement(true), { title: explain(CONNECTION).title, styles: 0, flow: "idle: not_needed" });

      // The client component in the browser: decide() there, and the element.
      const { shown, problems } = await timed(`next page (${bundler})`, () => readPage(`${origin}/`));
      assert.deepEqual(shown, {
        title: explain(CONNECTION).title,
        message: explain(CONNECTION).message,
        decision: `${decision.action} (${decision.urgency})`,
        element: { title: spanish.title, badge: `✕${explainCopy("severity_error", { locale: "es" }).title}`, button: spanish.actionLabel },
      });
      // The browser asks for /favicon.ico on its own; the app has none.
      assert.deepEqual(problems.filter((problem) => !problem.includes("/favicon.ico")), []);

      // The route handler, per request.
      const response = await fetch(`${origin}/api/decision`, { method: "POST", body: JSON.stringify(CONNECTION), headers: { "Content-Type": "application/json" } });
      assert.equal(response.status, 200);
      const answer = await response.json();
      assert.equal(answer.decision.action, decision.action);
      assert.equal(answer.decision.connectionId, CONNECTION.id);
      assert.equal(answer.explanation.title, spanish.title);
      assert.doesNotMatch(output(), /Error/, "next start logged no error");
    } finally {
      await stop(); // before the next build replaces .next
    }
  });
}
