// `npm run bench`: the figures of issues #4 and #9, each measured in one run beside its
// baseline, as medians of several runs and as ratios (these machines are noisy). Prints a table
// and rewrites the results section of docs/benchmarks.md.
//
//   node bench/run.mjs [--runs 7]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import * as meld from "meld-repair";
import { startSimulator } from "../sim/server.mjs";
import { payloadSizes } from "../scripts/sizes.mjs";
import { makeBaseline } from "./baseline.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runsFlag = process.argv.indexOf("--runs");
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 7;
const CONNECTIONS = 10_000;
const CHROMIUM_ARGS = [
  "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ratio = (ours, baseline) => `${(ours / baseline).toFixed(2)}×`;

/** Every status × reason (and the legacy and an unknown status) with institution names. */
function realisticConnections(count, { distinctNames = false } = {}) {
  const situations = [
    ...meld.knownSituations(),
    { status: "RECONNECT_AVAILABLE", statusReason: null },
    { status: "CUSTOMER_ACTION_REQUIRED", statusReason: "LOGIN_REQUIRED" },
    { status: "SOMETHING_NEW", statusReason: null },
  ];
  const names = ["First Platypus Bank", "Banco Azul", "Credit Union of Springfield", "Ñandú Savings", "Acme Federal"];
  return Array.from({ length: count }, (_, i) => ({
    id: `conn_${i}`,
    ...situations[i % situations.length],
    institutionName: distinctNames ? `Bank ${i}` : names[i % names.length],
    institutionId: `ins_${i % 40}`,
    products: ["TRANSACTIONS", "BALANCES"],
    serviceProviderDetails: { serviceProvider: "PLAID" },
  }));
}

/** The baseline's wording: the package's own templates, taken once before timing. */
function baselineCopy() {
  const templates = new Map();
  for (const locale of ["en", "es"]) {
    for (const connection of realisticConnections(40)) {
      const text = meld.explain({ ...connection, institutionName: "{institution}" }, { locale });
      templates.set(`${locale}:${text.code}`, text);
    }
  }
  return (locale, code) => templates.get(`${locale}:${code}`);
}

// 1. Payload --------------------------------------------------------------------------------

const PEERS = [
  ["react-plaid-link", "5.0.0"],
  ["@mxenabled/web-widget-sdk", "0.0.15"],
  ["connect-web-sdk", "2.3.0"],
  ["@mergeapi/react-merge-link", "2.4.1"],
];

/** Peers' launcher code as npm ships it (their ESM entry), packed from the registry once. */
function peerSizes() {
  const dir = join(root, ".cache/bench/peers");
  mkdirSync(dir, { recursive: true });
  return PEERS.map(([name, version]) => {
    const unpacked = join(dir, `${name.replace("/", "__")}-${version}`);
    try {
      if (!existsSync(unpacked)) {
        const tarball = execFileSync("npm", ["pack", `${name}@${version}`, "--silent", "--pack-destination", dir], { cwd: dir }).toString().trim().split("\n").pop();
        mkdirSync(unpacked, { recursive: true });
        execFileSync("tar", ["-xzf", join(dir, tarball), "-C", unpacked]);
      }
      const manifest = JSON.parse(readFileSync(join(unpacked, "package/package.json"), "utf8"));
      const entry = manifest.module ?? manifest.main;
      const bytes = readFileSync(join(unpacked, "package", entry));
      return { name: `${name}@${version} (${entry})`, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    } catch (error) {
      return { name: `${name}@${version}`, error: String(error.message ?? error).split("\n")[0] };
    }
  });
}

function payload() {
  const [statusPage, flow] = payloadSizes(join(root, "pkg"));
  return { statusPage, flow, peers: peerSizes() };
}

// 2. Decision cost ---------------------------------------------------------------------------

/** Times `work` over the connections, RUNS times after a warm-up; returns the median in ms. */
function timeMedian(work, connections) {
  work(connections);
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    work(connections);
    times.push(performance.now() - start);
  }
  return median(times);
}

function decisionCostNode() {
  const baseline = makeBaseline(baselineCopy());
  const realistic = realisticConnections(CONNECTIONS);
  const distinct = realisticConnections(CONNECTIONS, { distinctNames: true });
  const ours = (list) => { for (const c of list) { meld.decide(c); meld.explain(c); } };
  const theirs = (list) => { for (const c of list) { baseline.decide(c); baseline.explain(c); } };
  return {
    ours: timeMedian(ours, realistic),
    oursDistinct: timeMedian(ours, distinct),
    baseline: timeMedian(theirs, realistic),
  };
}

/** The same measurement inside a page: the package as the browser loads it. */
async function decisionCostChromium(page) {
  const templates = [...new Map(realisticConnections(40).flatMap((c) => ["en", "es"].map((locale) => {
    const text = meld.explain({ ...c, institutionName: "{institution}" }, { locale });
    return [`${locale}:${text.code}`, text];
  })))];
  return page.evaluate(async ({ baselineSource, templates, realistic, distinct, runs }) => {
    const meld = await import("/pkg/index.js");
    const copy = new Map(templates);
    const makeBaseline = new Function(`return (${baselineSource})`)();
    const baseline = makeBaseline((locale, code) => copy.get(`${locale}:${code}`));
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const time = (work, list) => {
      work(list);
      const times = [];
      for (let run = 0; run < runs; run++) {
        const start = performance.now();
        work(list);
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const ours = (list) => { for (const c of list) { meld.decide(c); meld.explain(c); } };
    const theirs = (list) => { for (const c of list) { baseline.decide(c); baseline.explain(c); } };
    return { ours: time(ours, realistic), oursDistinct: time(ours, distinct), baseline: time(theirs, realistic) };
  }, {
    baselineSource: makeBaseline.toString(),
    templates,
    realistic: realisticConnections(CONNECTIONS),
    distinct: realisticConnections(CONNECTIONS, { distinctNames: true }),
    runs: RUNS,
  });
}

// 3. Cold start ------------------------------------------------------------------------------

/**
 * pkg/ and the baseline module from one plain static server, so both are fetched the same way
 * (same origin, same headers, no cache). Returns its origin and a close().
 */
async function staticServer(baselineModule) {
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://x").pathname;
    let body;
    if (path === "/baseline.js") body = baselineModule;
    else if (path === "/") body = "<!doctype html><title>cold start</title>";
    else if (/^\/pkg\/[\w.-]+$/.test(path)) body = readFileSync(join(root, path));
    if (body === undefined) return response.writeHead(404).end();
    const type = path === "/" ? types[".html"] : types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
    response.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * From `import()` to the first decide + explain returning, in a fresh context each run:
 * fetch, compile, instantiate. Baseline: the hand-written JS module with the same table and
 * strings, from the same server.
 */
async function coldStart(browser) {
  const copy = baselineCopy();
  const templates = Object.fromEntries(["en", "es"].flatMap((locale) => meld.knownSituations().map((situation) => {
    const text = copy(locale, meld.decide(situation).code);
    return [`${locale}:${text.code}`, text];
  })));
  const baselineModule = `${makeBaseline.toString().replace("export function", "function")}
const templates = ${JSON.stringify(templates)};
export const decide = (c) => b.decide(c), explain = (c, o) => b.explain(c, o?.locale);
const b = makeBaseline((locale, code) => templates[locale + ":" + code]);`;
  const server = await staticServer(baselineModule);
  // Where the time goes, from Resource Timing: the module's script arrived, the wasm's fetch
  // started (the script parsed and evaluated up to loadWasm) and ended, the import resolved
  // (compiled and instantiated), the first answers returned (first calls into a cold instance).
  const measure = async (url) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    const times = await page.evaluate(async (url) => {
      const start = performance.now();
      const module = await import(url);
      const imported = performance.now() - start;
      const connection = { status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
      module.decide(connection);
      module.explain(connection, { locale: "en" });
      const total = performance.now() - start;
      const resource = (file) => performance.getEntriesByType("resource").find((entry) => entry.name.endsWith(file));
      const script = resource(url.slice(url.lastIndexOf("/")));
      const wasm = resource("/core.wasm");
      return {
        total,
        phases: wasm && [script.responseEnd - start, wasm.startTime - start, wasm.responseEnd - start, imported, total],
      };
    }, url);
    await context.close();
    return times;
  };
  const ours = [];
  const baseline = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      ours.push(await measure("/pkg/index.js"));
      baseline.push(await measure("/baseline.js"));
    }
  } finally {
    await server.close();
  }
  const phases = ours[0].phases.map((_, index) => median(ours.map((run) => run.phases[index])));
  return { ours: median(ours.map((run) => run.total)), baseline: median(baseline.map((run) => run.total)), phases };
}

// 4. Click to widget ---------------------------------------------------------------------------

/**
 * From a real click to the widget frame starting to load, with the token backend at 300 ms:
 * RepairFlow with prefetch on hover, versus what apps hand-roll (fetch the token on click,
 * then create the iframe).
 */
async function clickToWidget(browser, sim) {
  sim.setConfig({ latencyMs: 300 });
  const connection = { id: "conn_login_required", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
  const measure = async (variant) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${sim.appUrl}/style.css`);
    await page.evaluate(async ({ variant, connection, widgetOrigin }) => {
      const meld = await import("/pkg/index.js");
      document.body.replaceChildren();
      const button = document.createElement("button");
      button.textContent = "Reconnect";
      const container = document.createElement("div");
      document.body.append(button, container);
      window.__started = 0;
      window.__loading = new Promise((resolve) => {
        new MutationObserver(() => {
          if (container.querySelector("iframe")) resolve(performance.now() - window.__started);
        }).observe(container, { childList: true });
      });
      if (variant === "hand-rolled") {
        button.addEventListener("click", async () => {
          window.__started = performance.now();
          const response = await fetch("/api/meld/repair", {
            method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ connectionId: connection.id }),
          });
          const { widgetUrl } = await response.json();
          const iframe = document.createElement("iframe");
          iframe.src = widgetUrl;
          container.append(iframe);
        });
        return;
      }
      const flow = new meld.RepairFlow({
        tokenUrl: "/api/meld/repair", container, allowedWidgetOrigins: [widgetOrigin], allowInsecureLoopback: true,
      });
      button.addEventListener("pointerenter", () => { window.__prefetched = flow.prefetch(connection); });
      button.addEventListener("click", () => {
        window.__started = performance.now();
        flow.start(connection);
      });
    }, { variant, connection, widgetOrigin: sim.widgetOrigin });
    if (variant === "prefetch") {
      await page.hover("button");
      await page.evaluate(() => window.__prefetched); // the customer's hand travels longer than 300 ms
    }
    await page.click("button");
    const elapsed = await page.evaluate(() => window.__loading);
    await context.close();
    return elapsed;
  };
  const prefetch = [];
  const handRolled = [];
  for (let run = 0; run < RUNS; run++) {
    prefetch.push(await measure("prefetch"));
    handRolled.push(await measure("hand-rolled"));
  }
  sim.setConfig({ latencyMs: 0 });
  return { prefetch: median(prefetch), handRolled: median(handRolled) };
}

// 5. Memory ----------------------------------------------------------------------------------

/** wasm linear memory before and after 100 repair sessions and after 100,000 decisions. */
async function memory(browser, sim) {
  const context = await browser.newContext();
  // The package keeps its wasm instance private; catch its memory as it is instantiated.
  await context.addInitScript(() => {
    const keep = (result) => {
      const instance = result.instance ?? result;
      (window.__wasmMemories ??= []).push(Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory));
      return result;
    };
    const { instantiate, instantiateStreaming } = WebAssembly;
    WebAssembly.instantiate = (...args) => instantiate(...args).then(keep);
    WebAssembly.instantiateStreaming = (...args) => instantiateStreaming(...args).then(keep);
  });
  const page = await context.newPage();
  await page.goto(`${sim.appUrl}/style.css`);
  const result = await page.evaluate(async (widgetOrigin) => {
    const meld = await import("/pkg/index.js");
    // Recorded by the init script as each module loads: the status page's, then the flow's.
    const bytes = () => window.__wasmMemories.reduce((total, memory) => total + memory.buffer.byteLength, 0);
    const container = document.createElement("div");
    document.body.append(container);
    const flow = new meld.RepairFlow({ tokenUrl: "/api/meld/repair", container, allowedWidgetOrigins: [widgetOrigin], allowInsecureLoopback: true });
    await flow.ready;
    const connection = { id: "conn_login_required", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };
    const sessions = async (count) => {
      for (let i = 0; i < count; i++) {
        const outcome = flow.start(connection);
        while (flow.state !== "open") await new Promise((resolve) => setTimeout(resolve, 1));
        flow.close();
        await outcome;
      }
    };
    const decisions = (count) => {
      for (let i = 0; i < count; i++) {
        const c = { id: `c${i}`, status: "DEGRADED", statusReason: "INSTITUTION_CURRENTLY_UNAVAILABLE", institutionName: `Bank ${i}` };
        meld.decide(c, { refreshAttempts: i % 7 });
        meld.explain(c, { locale: i % 2 ? "es" : "en" });
      }
    };
    const start = bytes();
    await sessions(10);
    const afterTen = bytes();
    await sessions(100);
    const afterSessions = bytes();
    decisions(10_000);
    const afterTenThousand = bytes();
    decisions(100_000);
    const afterDecisions = bytes();
    return { start, afterTen, afterSessions, afterTenThousand, afterDecisions, iframesLeft: container.querySelectorAll("iframe").length };
  }, sim.widgetOrigin);
  await context.close();
  return result;
}

// Report -------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(root, "pkg/core.wasm"))) execFileSync("node", ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
  const sim = await startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: false });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const sizes = payload();
    const node = decisionCostNode();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${sim.appUrl}/style.css`);
    const chromiumCost = await decisionCostChromium(page);
    const cold = await coldStart(browser);
    const click = await clickToWidget(browser, sim);
    const mem = await memory(browser, sim);
    const machine = `${cpus().length} × ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, Chromium ${browser.version()}`;
    report({ sizes, node, chromiumCost, cold, click, mem, machine });
  } finally {
    await browser.close();
    await sim.close();
  }
}

function report({ sizes, node, chromiumCost, cold, click, mem, machine }) {
  const goal = (ok) => (ok ? "met" : "**not met**");
  const { statusPage, flow } = sizes;
  const split = (payload) => `wasm ${kb(payload.wasmGzip)} + JS ${kb(payload.jsGzip)}; brotli ${kb(payload.brotli)}`;
  const within = (ours, baseline, bound) => `${goal(ours <= bound * baseline)} (≤ ${bound}×)`;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; medians of ${RUNS} runs.`,
    "",
    "| figure | meld-repair | baseline | ratio | goal |",
    "|---|---|---|---|---|",
    `| 1. status page before the first answer (index.js, element.js, core.wasm), gzip (${split(statusPage)}) | ${kb(statusPage.gzip)} | goal 20 KB; budget ${kb(statusPage.budget)} enforced | ${ratio(statusPage.gzip, 20 * 1024)} of goal | ${goal(statusPage.gzip <= 20 * 1024)} |`,
    `| 1. what the repair flow adds on intent (flow.js, flow.wasm), gzip (${split(flow)}) | ${kb(flow.gzip)} | budget ${kb(flow.budget)} enforced | | |`,
    ...sizes.peers.map((peer) => peer.error
      ? `| 1. peer ${peer.name} | | not measured: ${peer.error} | | |`
      : `| 1. peer ${peer.name}, gzip | ${kb(statusPage.gzip)} | ${kb(peer.gzip)} | ${ratio(statusPage.gzip, peer.gzip)} | |`),
    `| 2. decide + explain × 10,000, Chromium | ${ms(chromiumCost.ours)} | JS switch table ${ms(chromiumCost.baseline)} | ${ratio(chromiumCost.ours, chromiumCost.baseline)} | ${within(chromiumCost.ours, chromiumCost.baseline, 2)} |`,
    `| 2. same, every institution name distinct, Chromium | ${ms(chromiumCost.oursDistinct)} | ${ms(chromiumCost.baseline)} | ${ratio(chromiumCost.oursDistinct, chromiumCost.baseline)} | ${within(chromiumCost.oursDistinct, chromiumCost.baseline, 3)} |`,
    `| 2. decide + explain × 10,000, Node | ${ms(node.ours)} | ${ms(node.baseline)} | ${ratio(node.ours, node.baseline)} | ${within(node.ours, node.baseline, 2)} |`,
    `| 2. same, distinct names, Node | ${ms(node.oursDistinct)} | ${ms(node.baseline)} | ${ratio(node.oursDistinct, node.baseline)} | ${within(node.oursDistinct, node.baseline, 3)} |`,
    `| 3. cold start (import → first decide + explain: fetch, compile, instantiate), Chromium | ${ms(cold.ours)} | JS module, same server ${ms(cold.baseline)} | ${ratio(cold.ours, cold.baseline)} | ${within(cold.ours, cold.baseline, 2)} |`,
    `| 3. where it goes (medians, from import()): index.js arrived, core.wasm requested, arrived, instantiated, first answers | ${cold.phases.map(ms).join(" → ")} | | | |`,
    `| 4. click → widget frame, backend at 300 ms | prefetch on hover ${ms(click.prefetch)} | hand-rolled fetch on click ${ms(click.handRolled)} | ${ratio(click.prefetch, click.handRolled)} | ${goal(click.prefetch <= 50 && click.prefetch <= 0.2 * click.handRolled)} (≤ 50 ms, ≤ 0.2×) |`,
    `| 5. wasm memory: start → 10 sessions → +100 sessions | ${kb(mem.start)} → ${kb(mem.afterTen)} → ${kb(mem.afterSessions)} | | ${ratio(mem.afterSessions, mem.afterTen)} | ${goal(mem.afterSessions === mem.afterTen && mem.iframesLeft === 0)} (no growth) |`,
    `| 5. wasm memory: 10,000 → +100,000 decisions | ${kb(mem.afterTenThousand)} → ${kb(mem.afterDecisions)} | | ${ratio(mem.afterDecisions, mem.afterTenThousand)} | ${goal(mem.afterDecisions === mem.afterTenThousand)} (no growth) |`,
  ];
  console.log(lines.join("\n"));
  const doc = join(root, "docs/benchmarks.md");
  const begin = "<!-- results: written by npm run bench -->";
  const end = "<!-- end of results -->";
  const text = readFileSync(doc, "utf8");
  const [head, rest] = text.split(begin);
  writeFileSync(doc, `${head}${begin}\n${lines.join("\n")}\n${end}${rest.split(end)[1]}`);
}

await main();
