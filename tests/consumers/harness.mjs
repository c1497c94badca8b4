// What the consumer test files share: the package packed once (by content, so every file and
// every run reuses one tarball), consumer projects installed from it (cached), a static server
// under a strict CSP, and a Chromium reader of the pages. Needs `node scripts/build.mjs` first.
//
// A consumer is tests/consumers/<name>/, copied to .cache/consumers/<name>/ with its
// meld-repair dependency pointed at the tarball. It is reinstalled only when the tarball's
// sha-256 or its package.json changed; node_modules and the lockfile stay between runs, so a
// new tarball reinstalls meld-repair alone, and an unchanged one nothing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after } from "node:test";
import { MIME_TYPES } from "../../sim/static.mjs";
import { launchBrowser, openPage } from "../e2e/harness.mjs";

export const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOURCES = fileURLToPath(new URL(".", import.meta.url));
export const CACHE = join(ROOT, ".cache/consumers");
export const CONNECTION = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
/** What a strict host sends: the package must work under it, bundled or not. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";

const timings = {};
/** Runs `work`, recording its wall time under `name` (printed when the file ends). */
export const timed = async (name, work) => {
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
/** The packed package: `tarball` { name, sha } under .cache/consumers, `packed` npm's report. */
export const { tarball, packed } = await timed("pack", async () => {
  const destination = mkdtempSync(join(tmpdir(), "meld-repair-pack-"));
  try {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", destination], { cwd: ROOT });
    const [packed] = JSON.parse(stdout);
    const bytes = readFileSync(join(destination, packed.filename));
    const sha = createHash("sha256").update(bytes).digest("hex");
    // Kept under the cache by content, so the consumers' package.json (and their install) only
    // change when the package does. Test files pack at the same time: each writes the same
    // bytes under the same name, by rename, so none ever reads a half-written tarball.
    mkdirSync(CACHE, { recursive: true });
    const name = `meld-repair-${sha.slice(0, 16)}.tgz`;
    for (const old of readdirSync(CACHE).filter((file) => file.endsWith(".tgz") && file !== name)) rmSync(join(CACHE, old), { force: true });
    writeFileSync(join(destination, name), bytes);
    renameSync(join(destination, name), join(CACHE, name));
    return { tarball: { name, sha }, packed };
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
});

// ---- Consumers: copied, pointed at the tarball, installed (cached) ----------------------------

const installs = {};
/**
 * The consumer's directory under .cache/consumers, installed. Call it for every consumer of a
 * file at its top (`.catch(() => {})`): the installs then run side by side.
 */
export function prepare(name) {
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

/** Runs `npm run <script>` in a consumer, with its output in the error when it fails. */
export async function npmRun(dir, script, env = {}) {
  try {
    return await run("npm", ["run", "--silent", script], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`npm run ${script} failed in ${dir}:\n${error.stdout}${error.stderr}`);
  }
}

// ---- A static server and a browser for the page consumers -------------------------------------

/**
 * Serves `root` on a random loopback port; closed after the file. HTML gets `csp`. A missing
 * file is a 404, or with `fallback` the root's index.html (as single-page app hosts answer).
 */
export async function serve(root, { csp = CSP, fallback = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") return void res.writeHead(204).end(); // asked by the browser, not the page
    let file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    const isFile = (candidate) => stat(candidate).then((s) => s.isFile(), () => false);
    if (!file.startsWith(root + sep) || !(await isFile(file))) {
      if (!fallback) return void res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      file = join(root, "index.html");
    }
    const type = MIME_TYPES[extname(file)] ?? "application/octet-stream";
    const headers = { "Content-Type": type };
    if (type.startsWith("text/html")) headers["Content-Security-Policy"] = csp;
    res.writeHead(200, headers).end(await readFile(file));
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  after(() => new Promise((done) => server.close(done)));
  return `http://localhost:${server.address().port}`;
}

let browser;
export const getBrowser = async () => (browser ??= await launchBrowser());

/**
 * Loads `url` in Chromium and returns what the page shows: #title, #message, #decision and the
 * <meld-connection-status> element's parts, with the page's problems (errors, CSP violations).
 */
export async function readPage(url) {
  const session = await openPage(await getBrowser(), url);
  const { page } = session;
  try {
    await page.waitForFunction(() => {
      const element = document.querySelector("meld-connection-status");
      return document.querySelector("#title")?.textContent && document.querySelector("#decision")?.textContent &&
        element?.shadowRoot?.querySelector('[part="title"]')?.textContent;
    });
  } catch (error) {
    throw new Error(`${url} did not render: ${(await session.problems()).join("\n") || error.message}`);
  }
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
