// The package as consumers get it: `npm pack` once, then the tarball installed into fresh
// consumer projects (tests/consumers/<name>/, copied to .cache/consumers/<name>/ with the
// dependency pointed at the tarball) and used the five ways the README shows: a Vite app, a plain
// <script type="module"> page, Node ESM, server rendering with no DOM, and strict TypeScript.
//
// Installs are cached: a consumer is reinstalled only when the tarball's sha-256 or its
// package.json changed, so warm runs take seconds. Needs `node scripts/build.mjs` first.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, test } from "node:test";
import { MIME_TYPES } from "../../sim/static.mjs";
import { launchBrowser, openPage } from "../e2e/harness.mjs";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOURCES = fileURLToPath(new URL(".", import.meta.url));
const CACHE = join(ROOT, ".cache/consumers");
const CONNECTION = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
/** What a strict host sends: the package must work under it, bundled or not. */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";

const timings = {};
const timed = async (name, work) => {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
};
after(() => console.log(`# consumer timings (ms): ${JSON.stringify(timings)}`));

// ---- npm pack, once ---------------------------------------------------------------------------

assert.ok(existsSync(join(ROOT, "pkg/index.js")), "pkg/ is missing: run `node scripts/build.mjs` first");
const { tarball, packed } = await timed("pack", async () => {
  const destination = mkdtempSync(join(tmpdir(), "meld-repair-pack-"));
  try {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", destination], { cwd: ROOT });
    const [packed] = JSON.parse(stdout);
    const bytes = readFileSync(join(destination, packed.filename));
    const sha = createHash("sha256").update(bytes).digest("hex");
    // Kept under the cache by content, so the consumers' package.json (and their install) only
    // change when the package does.
    mkdirSync(CACHE, { recursive: true });
    const name = `meld-repair-${sha.slice(0, 16)}.tgz`;
    for (const old of readdirSync(CACHE).filter((file) => file.endsWith(".tgz") && file !== name)) rmSync(join(CACHE, old));
    writeFileSync(join(CACHE, name), bytes);
    return { tarball: { name, sha }, packed };
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
});

// ---- Consumers: copied, pointed at the tarball, installed (cached) ----------------------------

const installs = {};
/** The consumer's directory under .cache/consumers, installed; started for all at once below. */
function prepare(name) {
  installs[name] ??= timed(`install ${name}`, async () => {
    const source = join(SOURCES, name);
    const target = join(CACHE, name);
    const manifestText = readFileSync(join(source, "package.json"), "utf8");
    const key = createHash("sha256").update(tarball.sha).update("\0").update(manifestText).digest("hex");
    const keyFile = join(target, "node_modules/.meld-consumer-key");
    // Fresh sources every run; node_modules and the lockfile stay.
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(target)) {
      if (entry !== "node_modules" && entry !== "package-lock.json") rmSync(join(target, entry), { recursive: true, force: true });
    }
    cpSync(source, target, { recursive: true });
    const manifest = JSON.parse(manifestText);
    manifest.dependencies["meld-repair"] = `file:../${tarball.name}`;
    writeFileSync(join(target, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const cached = existsSync(keyFile) && readFileSync(keyFile, "utf8") === key;
    if (!cached) {
      await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: target });
      writeFileSync(keyFile, key);
    }
    return { dir: target, cached };
  });
  return installs[name];
}
for (const name of ["vite", "plain", "node", "ssr", "typescript"]) prepare(name).catch(() => {}); // awaited by the tests

// ---- A static server and a browser for the page consumers -------------------------------------

/** Serves `root` on a random loopback port under the strict CSP; closed after the file. */
async function serve(root) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") return void res.writeHead(204).end(); // asked by the browser, not the page
    const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    if (!file.startsWith(root + sep) || !(await stat(file).then((s) => s.isFile(), () => false))) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    const type = MIME_TYPES[extname(file)] ?? "application/octet-stream";
    const headers = { "Content-Type": type };
    if (type.startsWith("text/html")) headers["Content-Security-Policy"] = CSP;
    res.writeHead(200, headers).end(await readFile(file));
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  after(() => new Promise((done) => server.close(done)));
  return `http://localhost:${server.address().port}`;
}

let browser;
const getBrowser = async () => (browser ??= await launchBrowser());

/** Loads `url` in Chromium and returns what the page shows, element included. */
async function readPage(url) {
  const session = await openPage(await getBrowser(), url);
  const { page } = session;
  await page.waitForFunction(() => {
    const element = document.querySelector("meld-connection-status");
    return document.querySelector("#title")?.textContent && element?.shadowRoot?.querySelector('[part="title"]')?.textContent;
  });
  const shown = await page.evaluate(() => {
    const element = document.querySelector("meld-connection-status");
    const part = (name) => element.shadowRoot.querySelector(`[part="${name}"]`);
    return {
      title: document.querySelector("#title").textContent,
      message: document.querySelector("#message")?.textContent ?? null,
      decision: document.querySelector("#decision").textContent,
      element: {
        title: part("title").textContent,
        badge: part("badge").textContent,
        button: part("button").hidden ? null : part("button").textContent,
      },
    };
  });
  const problems = await session.problems();
  await session.close();
  return { shown, problems };
}

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
  for (const needed of ["pkg/core.wasm", "pkg/flow.wasm", "pkg/node.wasm", "pkg/index.js", "pkg/flow.js", "pkg/node.js", "pkg/element.js", "pkg/element.d.ts", "pkg/index.d.ts"]) {
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
  const { decide, explain } = await import("meld-repair");
  const decision = decide(CONNECTION);
  const spanish = explain(CONNECTION, { locale: "es" });
  assert.deepEqual(shown, {
    title: explain(CONNECTION).title,
    message: explain(CONNECTION).message,
    decision: `${decision.action} (${decision.urgency})`,
    element: { title: spanish.title, badge: "✕Error", button: spanish.actionLabel },
  });
  assert.deepEqual(problems, []);
});

test("a plain <script type=module> page imports pkg/index.js and pkg/element.js by path", async () => {
  const { dir } = await prepare("plain");
  const { shown, problems } = await timed("plain page", async () => readPage(`${await serve(dir)}/index.html`));
  const { explain } = await import("meld-repair");
  const paisley = { status: "DEGRADED", statusReason: "INSTITUTION_ACTION_REQUIRED", institutionName: "Paisley Trust" };
  const flannel = { status: "ACTIVE", statusReason: "ACCESS_EXPIRING_SOON", institutionName: "Flannel Bank" };
  assert.deepEqual(shown, {
    title: explain(paisley).title,
    message: null,
    decision: "contact_institution",
    element: { title: explain(flannel).title, badge: "!Warning", button: explain(flannel).actionLabel },
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

test("server rendering: an HTML string with no DOM, no browser global read (element module included)", async () => {
  const { dir } = await prepare("ssr");
  const { stdout, stderr } = await timed("ssr", () => run(process.execPath, ["check.mjs"], { cwd: dir }));
  assert.equal(stderr, "");
  const { html, touched, elementExports } = JSON.parse(stdout);
  assert.deepEqual(touched, []);
  assert.deepEqual(elementExports, ["MeldConnectionStatus", "TAG_NAME"]);
  assert.match(html, /^<article class="connection" data-severity="error"><h2>.+<\/h2><p>.+<\/p><button type="button">.+<\/button><\/article>$/);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;"), html);
  assert.ok(!html.includes("<img"), html);
});

test("TypeScript: tsc --noEmit --strict with moduleResolution bundler and nodenext", async () => {
  const { dir } = await prepare("typescript");
  const tsc = join(dir, "node_modules/.bin/tsc");
  await timed("tsc", () =>
    Promise.all(
      ["tsconfig.bundler.json", "tsconfig.nodenext.json"].map((config) =>
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
