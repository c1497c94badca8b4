// The package as consumers get it: `npm pack` once, then the tarball installed into fresh
// consumer projects (tests/consumers/<name>/, copied to .cache/consumers/<name>/ with the
// dependency pointed at the tarball; tests/consumers/harness.mjs) and used the five ways the
// README shows: a Vite app, a plain <script type="module"> page, Node ESM, server rendering with
// no DOM, and strict TypeScript. The frameworks (Next.js, webpack, Rollup, esbuild, Bun, Deno)
// are in frameworks.test.mjs.
//
// Installs are cached: a consumer is reinstalled only when the tarball's sha-256 or its
// package.json changed, so warm runs take seconds. Needs `node scripts/build.mjs` first.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CONNECTION, packed, prepare, readPage, ROOT, run, serve, timed } from "./harness.mjs";

for (const name of ["vite", "plain", "node", "ssr", "typescript"]) prepare(name).catch(() => {}); // awaited by the tests

// ---- Tests ------------------------------------------------------------------------------------

test("the tarball holds only what consumers need", () => {
  const files = packed.files.map((file) => file.path).sort();
  const outside = files.filter((file) => !file.startsWith("pkg/") && file !== "package.json" && file !== "README.md");
  assert.deepEqual(outside, [], "only pkg/, package.json and README.md");
  for (const forbidden of ["src/", "tests/", "sim/", "www/", "target/", "js/", "scripts/", "node_modules/", ".cache/"]) {
    assert.ok(!files.some((file) => file.startsWith(forbidden)), forbidden);
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const targets = [manifest.types, ...Object.values(manifest.exports).flatMap((entry) => (typeof entry === "string" ? [entry] : Object.values(entry)))];
  for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is in the tarball`);
  for (const needed of ["pkg/core.wasm", "pkg/flow.wasm", "pkg/index.js", "pkg/flow.js", "pkg/node.js", "pkg/element.js", "pkg/element.d.ts", "pkg/index.d.ts", "pkg/inline.js", "pkg/inline-flow.js", "pkg/inline-element.js"]) {
    assert.ok(files.includes(needed), needed);
  }
  assert.equal(packed.name, "meld-repair");
});

test("a Vite app bundles it (decision, explanation and the element), under a strict CSP", async () => {
  const { dir } = await prepare("vite");
  await timed("vite build", () => run(join(dir, "node_modules/.bin/vite"), ["build", "--logLevel", "error"], { cwd: dir }));
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.ok(assets.some((file) => file.endsWith(".wasm")), `the wasm is emitted: ${assets.join(", ")}`);
  const { shown, problems } = await timed("vite page", async () => readPage(`${await serve(join(dir, "dist"))}/`));
  const { decide, explain, explainCopy } = await import("meld-repair");
  const decision = decide(CONNECTION);
  const spanish = explain(CONNECTION, { locale: "es" });
  assert.deepEqual(shown, {
    title: explain(CONNECTION).title,
    message: explain(CONNECTION).message,
    decision: `${decision.action} (${decision.urgency})`,
    element: { title: spanish.title, badge: `✕${explainCopy("severity_error", { locale: "es" }).title}`, button: spanish.actionLabel },
  });
  assert.deepEqual(problems, []);
});

test("a plain <script type=module> page imports pkg/index.js and pkg/element.js by path", async () => {
  const { dir } = await prepare("plain");
  const { shown, problems } = await timed("plain page", async () => readPage(`${await serve(dir)}/index.html`));
  const { explain, explainCopy } = await import("meld-repair");
  const paisley = { status: "DEGRADED", statusReason: "INSTITUTION_ACTION_REQUIRED", institutionName: "Paisley Trust" };
  const flannel = { status: "ACTIVE", statusReason: "ACCESS_EXPIRING_SOON", institutionName: "Flannel Bank" };
  assert.deepEqual(shown, {
    title: explain(paisley).title,
    message: null,
    decision: "contact_institution",
    element: { title: explain(flannel).title, badge: `!${explainCopy("severity_warning").title}`, button: explain(flannel).actionLabel },
  });
  assert.deepEqual(problems, []);
});

test("Node 20 ESM: import and call, no init", async () => {
  const { dir } = await prepare("node");
  const { stdout, stderr } = await timed("node", () => run(process.execPath, ["consumer.mjs"], { cwd: dir }));
  assert.equal(stderr, "");
  const { decision, explanation, advice } = JSON.parse(stdout);
  assert.equal(decision.action, "repair");
  assert.equal(decision.openWidget, true);
  assert.equal(decision.connectionId, "conn_1");
  assert.equal(explanation.locale, "es");
  assert.match(explanation.title, /First Platypus Bank/);
  assert.equal(advice.operation, "repair");
});

test("server rendering: an HTML string and the element's declarative shadow root, with no DOM, no browser global read (element module included)", async () => {
  const { dir } = await prepare("ssr");
  const { stdout, stderr } = await timed("ssr", () => run(process.execPath, ["check.mjs"], { cwd: dir }));
  assert.equal(stderr, "");
  const { html, elementHtml, touched, elementExports } = JSON.parse(stdout);
  assert.deepEqual(touched, []);
  assert.deepEqual(elementExports, ["MeldConnectionStatus", "TAG_NAME"]);
  assert.match(html, /^<article class="connection" data-severity="error"><h2>.+<\/h2><p>.+<\/p><button type="button">.+<\/button><\/article>$/);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;"), html);
  assert.ok(!html.includes("<img"), html);
  // The element itself, from meld-repair/server: the same words, in a declarative shadow root.
  const { explain } = await import("meld-repair");
  assert.match(elementHtml, /^<meld-connection-status token-url="\/api\/meld\/repair" lang="es" connection="[^"]*"><template shadowrootmode="open" shadowrootdelegatesfocus><style>/);
  const title = explain({ status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: '<img src=x onerror=alert(1)> & "Co"' }, { locale: "es" }).title;
  const escaped = title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  assert.ok(elementHtml.includes(`<p part="title" class="title">${escaped}</p>`), elementHtml);
  assert.ok(!elementHtml.includes("<img"), elementHtml);
});

test("TypeScript: tsc --noEmit --strict with moduleResolution bundler and nodenext, and TSX with meld-repair/react", async () => {
  const { dir } = await prepare("typescript");
  const tsc = join(dir, "node_modules/.bin/tsc");
  await timed("tsc", () =>
    Promise.all(
      ["tsconfig.bundler.json", "tsconfig.nodenext.json", "tsconfig.react.json"].map((config) =>
        // Incremental (the build info kept with node_modules): a warm run rechecks nothing unchanged.
        run(tsc, ["-p", config, "--noEmit", "--strict", "--incremental", "--tsBuildInfoFile", `node_modules/.cache/${config}.tsbuildinfo`], {
          cwd: dir,
        }).catch((error) => {
          throw new Error(`tsc -p ${config} failed:\n${error.stdout}${error.stderr}`);
        }),
      ),
    ),
  );
});
