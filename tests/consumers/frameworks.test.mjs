// The package in the tools front ends are built with (issue #15), from the packed tarball
// (tests/consumers/harness.mjs): webpack 5 with no configuration, Rollup and esbuild with the
// README's one step (copy the wasm, or `meld-repair/inline`), esbuild and Bun server bundles,
// the Bun and Deno runtimes and their bundlers, and Next.js (App Router, Turbopack and webpack,
// `next build` + `next start`, SSR text in the HTML and the client part in Chromium). Each
// consumer's commands are its package.json scripts, the ones the README quotes.
//
// When the browser entry's wasm is missing or is not wasm, the import fails with a
// MeldRepairError that says what to do: checked on a real esbuild bundle.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CONNECTION, getBrowser, npmRun, prepare, readPage, ROOT, run, serve, timed } from "./harness.mjs";
import { openPage } from "../e2e/harness.mjs";

const CONSUMERS = ["webpack", "rollup", "esbuild", "bun", "deno"];
for (const name of CONSUMERS) prepare(name).catch(() => {}); // side by side; awaited by the tests

const { decide, explain, explainCopy } = await import("meld-repair");
const decision = decide(CONNECTION);
const spanish = explain(CONNECTION, { locale: "es" });
/** What every page consumer shows (the same app source as the Vite consumer). */
const EXPECTED_PAGE = {
  title: explain(CONNECTION).title,
  message: explain(CONNECTION).message,
  decision: `${decision.action} (${decision.urgency})`,
  element: { title: spanish.title, badge: `✕${explainCopy("severity_error", { locale: "es" }).title}`, button: spanish.actionLabel },
};
/** What every server consumer prints (server.mjs). */
const EXPECTED_SERVER = { action: decision.action, urgency: decision.urgency, title: spanish.title };

/** Deno and Bun keep their caches in the consumer's node_modules: cached with it, nothing in $HOME. */
const runtimeEnv = (dir) => ({ DENO_DIR: join(dir, "node_modules/.deno"), DENO_NO_UPDATE_CHECK: "1", BUN_RUNTIME_TRANSPILER_CACHE_PATH: join(dir, "node_modules/.bun") });

async function assertPage(url) {
  const { shown, problems } = await readPage(url);
  assert.deepEqual(shown, EXPECTED_PAGE);
  assert.deepEqual(problems, []);
}

/** Copies a server bundle alone to an empty directory (no node_modules, no wasm) and runs it. */
async function runAlone(bundle, command) {
  const alone = mkdtempSync(join(tmpdir(), "meld-repair-bundle-"));
  after(() => rmSync(alone, { recursive: true, force: true }));
  copyFileSync(bundle, join(alone, "server.js"));
  const { stdout, stderr } = await run(command, ["server.js"], { cwd: alone });
  assert.equal(stderr, "");
  return JSON.parse(stdout);
}

const wasmFiles = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((file) => String(file).endsWith(".wasm")) : []);

test("webpack 5 with no configuration: emits the wasm, the page works", async () => {
  const { dir } = await prepare("webpack");
  await timed("webpack build", () => npmRun(dir, "build"));
  assert.equal(wasmFiles(join(dir, "dist")).length, 2, "webpack emitted both wasm files (the status page's and the flow's)");
  await timed("webpack page", async () => assertPage(`${await serve(dir)}/index.html`));
});

test("Rollup (node-resolve) and the copy step: the page works", async () => {
  const { dir } = await prepare("rollup");
  await timed("rollup build", () => npmRun(dir, "build"));
  await timed("rollup page", async () => assertPage(`${await serve(dir)}/index.html`));
});

test("esbuild: the copy step, or meld-repair/inline with no wasm file anywhere near", async () => {
  const { dir } = await prepare("esbuild");
  await timed("esbuild builds", () => Promise.all([npmRun(dir, "build"), npmRun(dir, "build:inline")]));
  assert.deepEqual(wasmFiles(join(dir, "dist-inline")), []);
  const origin = await serve(dir);
  await timed("esbuild pages", async () => {
    await assertPage(`${origin}/index.html`);
    await assertPage(`${origin}/inline.html`);
  });
});

test("esbuild --platform=node server bundle: runs alone, no wasm file", async () => {
  const { dir } = await prepare("esbuild");
  await timed("esbuild server bundle", () => npmRun(dir, "build:server"));
  assert.deepEqual(await runAlone(join(dir, "dist-server/server.js"), process.execPath), EXPECTED_SERVER);
});

/** Imports `bundle` into a page of `origin` and returns how the import failed. */
async function importFailure(origin, bundle) {
  const session = await openPage(await getBrowser(), `${origin}/blank.html`);
  const failure = await session.page.evaluate(async (url) => {
    try {
      await import(url);
      return null;
    } catch (error) {
      return { name: error.name, code: error.code, retryable: error.retryable, message: error.message };
    }
  }, `${origin}/${bundle}`);
  await session.close();
  return failure;
}

test("a missing or wrong wasm fails with WASM_LOAD_FAILED saying what to do, not a bare fetch error", async () => {
  const { dir } = await prepare("esbuild");
  // What a user of esbuild's docs writes: no copy step.
  await run(join(dir, "node_modules/.bin/esbuild"), ["src/main.js", "--bundle", "--format=esm", "--outdir=missing"], { cwd: dir });
  const fix = /Copy node_modules\/meld-repair\/pkg\/\*\.wasm \(core\.wasm, flow\.wasm\) next to your bundle.*"meld-repair\/inline".*"Bundlers that do not copy the wasm"/;

  const notFound = await importFailure(await serve(dir), "missing/main.js");
  assert.equal(notFound?.name, "MeldRepairError", JSON.stringify(notFound));
  assert.equal(notFound.code, "WASM_LOAD_FAILED");
  assert.equal(notFound.retryable, false);
  assert.match(notFound.message, /^meld-repair could not load its WebAssembly: http:\/\/localhost:\d+\/missing\/core\.wasm answered 404 Not Found\. /);
  assert.match(notFound.message, fix);

  // A single-page-app host answers the missing file with its index.html.
  const html = await importFailure(await serve(dir, { fallback: true }), "missing/main.js");
  assert.equal(html?.code, "WASM_LOAD_FAILED", JSON.stringify(html));
  assert.match(html.message, /missing\/core\.wasm is text\/html; charset=utf-8, not application\/wasm \(a page served for a missing file\?\)/);
  assert.match(html.message, fix);

  // The wasm is there (the copy step ran) but the page's CSP does not allow compiling it.
  await npmRun(dir, "build");
  const csp = await importFailure(await serve(dir, { csp: "default-src 'self'; script-src 'self'" }), "dist/main.js");
  assert.equal(csp?.code, "WASM_LOAD_FAILED", JSON.stringify(csp));
  assert.match(csp.message, /Content-Security-Policy forbids it: add 'wasm-unsafe-eval' to script-src$/);
});

test("Bun: the runtime as it is, a bun server bundle alone, and bun build with meld-repair/inline", async () => {
  const { dir } = await prepare("bun");
  const env = runtimeEnv(dir);
  const { stdout } = await timed("bun runtime", () => npmRun(dir, "server", env));
  assert.deepEqual(JSON.parse(stdout), EXPECTED_SERVER);
  await timed("bun builds", () => Promise.all([npmRun(dir, "build", env), npmRun(dir, "build:server", env)]));
  assert.deepEqual(await runAlone(join(dir, "dist-server/server.js"), join(dir, "node_modules/.bin/bun")), EXPECTED_SERVER);
  assert.deepEqual(wasmFiles(join(dir, "dist")), []);
  await timed("bun page", async () => assertPage(`${await serve(dir)}/index.html`));
});

test("Deno: the runtime with no permission flag, and deno bundle with meld-repair/inline", async () => {
  const { dir } = await prepare("deno");
  const env = runtimeEnv(dir);
  const { stdout } = await timed("deno runtime", () => npmRun(dir, "server", env));
  assert.deepEqual(JSON.parse(stdout), EXPECTED_SERVER);
  await timed("deno bundle", () => npmRun(dir, "build", env));
  assert.deepEqual(wasmFiles(join(dir, "dist")), []);
  await timed("deno page", async () => assertPage(`${await serve(dir)}/index.html`));
});

test("the README quotes these consumers as the tests run them", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const source = (path) => readFileSync(new URL(path, import.meta.url), "utf8").trimEnd();
  for (const path of ["next/app/page.js", "next/app/ClientDecision.js", "next/app/api/decision/route.js"]) {
    assert.ok(readme.includes(source(path)), `README quotes tests/consumers/${path}`);
  }
  const inline = source("bun/src/main.js").split("\n").slice(0, 2).map((line) => `   ${line}`).join("\n");
  assert.ok(readme.includes(inline), "README quotes the inline imports");
  const scripts = (name) => JSON.parse(source(`${name}/package.json`)).scripts;
  for (const [name, script] of [["esbuild", "build"], ["esbuild", "build:inline"], ["esbuild", "build:server"], ["rollup", "build"],
    ["bun", "build"], ["bun", "build:server"], ["bun", "server"], ["deno", "build"], ["deno", "server"]]) {
    assert.ok(readme.includes(scripts(name)[script]), `README gives ${name}'s ${script}: ${scripts(name)[script]}`);
  }
});
