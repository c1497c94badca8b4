import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";
const root = "/work/wt-lean";
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  let body; if (path === "/") body = "<!doctype html><title>x</title>"; else if (/^\/pkg\/[\w.-]+$/.test(path)) body = readFileSync(root + path);
  if (!body) return res.writeHead(404).end();
  const type = path === "/" ? "text/html" : path.endsWith(".wasm") ? "application/wasm" : "text/javascript";
  res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-quic"] });
const rows = [];
for (let run = 0; run < 9; run++) {
  const context = await browser.newContext(); const page = await context.newPage();
  await page.goto(origin + "/");
  rows.push(await page.evaluate(async (url) => {
    const start = performance.now();
    const m = await import(url);
    const imported = performance.now();
    const c = { status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
    m.decide(c); m.explain(c, { locale: "en" });
    const done = performance.now();
    const r = Object.fromEntries(performance.getEntriesByType("resource").map((e) => [e.name.split("/").pop(), [e.startTime - start, e.responseEnd - start]]));
    return { total: done - start, imported: imported - start, first: done - imported, ...r };
  }, "/pkg/" + (process.argv[2] ?? "index.js")));
  await context.close();
}
const med = (k) => rows.map((r) => Array.isArray(r[k]) ? r[k][1] : r[k]).sort((a, b) => a - b)[4];
for (const r of rows.slice(0,3)) console.log(JSON.stringify(r, (k, v) => typeof v === "number" ? +v.toFixed(1) : v)); console.log("median total", med("total"), "imported", med("imported"));
await browser.close(); server.close();
