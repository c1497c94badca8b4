import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { cspFor, startSimulator } from "../../sim/server.mjs";
import { assertMeldError, decodeJwt, nowSeconds, postRepair, rawGet } from "./helpers.mjs";

const WASM_BYTES = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

// A throwaway repo root, so the tests do not depend on what www/ and pkg/ hold.
async function makeRoot() {
  const root = await mkdtemp(join(tmpdir(), "meld-sim-"));
  const files = {
    "www/index.html": "<!doctype html><title>demo</title>",
    "www/demo.js": "export const demo = 1;",
    "www/styles.css": "body{}",
    "www/.env": "SECRET=1",
    "pkg/meld_repair_bg.wasm": WASM_BYTES,
    "pkg/meld_repair.js": "export {};",
    "node_modules/dep/index.js": "export {};",
    "secret.txt": "top secret",
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

let sim;
let root;

before(async () => {
  root = await makeRoot();
  sim = await startSimulator({ appPort: 0, widgetPort: 0, root, referenceBackend: false });
});

after(async () => {
  await sim.close();
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => sim.reset());

describe("startSimulator", () => {
  test("reports localhost URLs with the real ports when started on port 0", () => {
    assert.match(sim.appUrl, /^http:\/\/localhost:\d+$/);
    assert.match(sim.widgetOrigin, /^http:\/\/localhost:\d+$/);
    assert.notEqual(sim.appUrl, sim.widgetOrigin);
    assert.doesNotMatch(sim.appUrl, /:0$/);
  });

  test("rejects when a port is taken", async () => {
    const taken = Number(new URL(sim.appUrl).port);
    await assert.rejects(startSimulator({ appPort: 0, widgetPort: taken, referenceBackend: false }), { code: "EADDRINUSE" });
  });

  test("setConfig rejects unknown keys and bad values", () => {
    assert.throws(() => sim.setConfig({ latency: 5 }), /unknown config key/);
    assert.throws(() => sim.setConfig({ fault: "boom" }), /invalid fault/);
    assert.throws(() => sim.setConfig({ failNext: [200] }), /invalid failNext/);
    assert.equal(sim.setConfig({ tokenTtlSeconds: 60 }).tokenTtlSeconds, 60);
  });
});

describe("GET /api/connections", () => {
  test("lists demo connections covering every status and reason", async () => {
    const res = await fetch(`${sim.appUrl}/api/connections`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const connections = await res.json();
    const pairs = new Set(connections.map((c) => `${c.status}/${c.statusReason}`));
    for (const pair of [
      "RECONNECT_REQUIRED/LOGIN_REQUIRED",
      "RECONNECT_REQUIRED/TOKEN_EXPIRED",
      "RECONNECT_REQUIRED/REPAIRING_INSTITUTION",
      "RECONNECT_REQUIRED/OTHER",
      "UNRECOVERABLE/CONTINUED_AGGREGATION_FAILURES",
      "ACTIVE/null",
      "ACTIVE/ACCESS_EXPIRING_SOON",
      "ACTIVE/NEW_ACCOUNTS_AVAILABLE",
      "DEGRADED/INSTITUTION_CURRENTLY_UNAVAILABLE",
      "DEGRADED/INSTITUTION_ACTION_REQUIRED",
      "DEGRADED/SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE",
      "DEGRADED/INTERACTIVE_REFRESH",
      "PARTIALLY_ACTIVE/PARTIAL_AGGREGATION_SUCCESS",
      "PARTIALLY_ACTIVE/INACTIVE_DUPLICATE",
      "UNDETERMINED/null",
      "IN_PROGRESS/null",
      "EXPIRED/null",
      "DELETED/null",
    ]) {
      assert.ok(pairs.has(pair), `missing ${pair}`);
    }
    const login = connections.find((c) => c.id === "conn_login_required");
    assert.equal(login.institutionName, "First Platypus Bank");
    assert.ok(connections.some((c) => c.institutionName.includes("<img src=x onerror=alert(1)>")));
    assert.equal(new Set(connections.map((c) => c.id)).size, connections.length);
    for (const c of connections) {
      assert.match(c.institutionId, /^[A-Za-z0-9]{22}$/);
      assert.equal(typeof c.serviceProviderDetails.serviceProvider, "string");
      assert.ok(Array.isArray(c.products) && Array.isArray(c.optionalProducts));
    }
  });
});

describe("POST /api/meld/repair", () => {
  test("returns a repair token and widget URL like Meld", async () => {
    const before = nowSeconds();
    const res = await postRepair(sim.appUrl, { connectionId: "conn_login_required" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const body = await res.json();
    assert.deepEqual(Object.keys(body).sort(), ["connectToken", "id", "institutionId", "widgetUrl"]);
    assert.equal(body.id, "conn_login_required");
    assert.equal(body.institutionId, "ZJK6BFqUMUhpfKSGF6CrKL");

    const { header, payload, signature } = decodeJwt(body.connectToken);
    assert.deepEqual(header, { alg: "HS256", typ: "JWT" });
    assert.match(signature, /^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url, no padding
    assert.doesNotMatch(body.connectToken, /=/);
    assert.equal(payload.iss, "meld.io");
    assert.equal(payload.connection, "conn_login_required");
    assert.equal(payload.institution, "ZJK6BFqUMUhpfKSGF6CrKL");
    assert.equal(payload.institutionName, "First Platypus Bank");
    for (const claim of ["account", "customer", "products", "regions", "routingProfile", "redirect"]) {
      assert.ok(claim in payload, `missing claim ${claim}`);
    }
    assert.equal(payload.exp - payload.iat, 14400);
    assert.ok(Math.abs(payload.exp - (before + 14400)) <= 2);

    const widgetUrl = new URL(body.widgetUrl);
    assert.equal(widgetUrl.origin, sim.widgetOrigin);
    assert.equal(widgetUrl.pathname, "/");
    assert.equal(widgetUrl.searchParams.get("connectToken"), body.connectToken);
  });

  test("tokenTtlSeconds sets exp", async () => {
    sim.setConfig({ tokenTtlSeconds: 600 });
    const body = await (await postRepair(sim.appUrl, { connectionId: "conn_token_expired" })).json();
    const { payload } = decodeJwt(body.connectToken);
    assert.equal(payload.exp - payload.iat, 600);
    assert.ok(Math.abs(payload.exp - (nowSeconds() + 600)) <= 2);
  });

  test("metadataFormat query is passed on in widgetUrl", async () => {
    sim.setConfig({ metadataFormat: "query" });
    const body = await (await postRepair(sim.appUrl, { connectionId: "conn_login_required" })).json();
    assert.equal(new URL(body.widgetUrl).searchParams.get("metadataFormat"), "query");
  });

  test("unknown connection id is a 404 in Meld's error format", async () => {
    const res = await postRepair(sim.appUrl, { connectionId: "conn_nope" });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/json");
    assertMeldError(assert, await res.json(), "NOT_FOUND");
  });

  for (const [name, body] of [
    ["empty body", ""],
    ["invalid JSON", "{connectionId:"],
    ["JSON null", "null"],
    ["missing connectionId", {}],
    ["non-string connectionId", { connectionId: 42 }],
    ["empty connectionId", { connectionId: "" }],
  ]) {
    test(`${name} is a 400 in Meld's error format`, async () => {
      const res = await postRepair(sim.appUrl, body);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("content-type"), "application/json");
      assertMeldError(assert, await res.json(), "BAD_REQUEST");
    });
  }

  test("only POST is allowed", async () => {
    const res = await fetch(`${sim.appUrl}/api/meld/repair`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
  });

  test("an oversized body is refused", async () => {
    const res = await postRepair(sim.appUrl, { connectionId: "x".repeat(100_000) });
    assert.equal(res.status, 413);
  });
});

describe("failures and faults", () => {
  const repairLogin = () => postRepair(sim.appUrl, { connectionId: "conn_login_required" });

  test("failNext answers its statuses in order, then succeeds", async () => {
    sim.setConfig({ failNext: [500, 503, 429] });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await repairLogin();
      statuses.push(res.status);
      const body = await res.json();
      if (res.status >= 500) assertMeldError(assert, body, "UNKNOWN");
      if (res.status === 429) assertMeldError(assert, body, "TOO_MANY_REQUESTS");
    }
    assert.deepEqual(statuses, [500, 503, 429, 200]);
  });

  test("bad requests do not use up failNext", async () => {
    sim.setConfig({ failNext: [500] });
    assert.equal((await postRepair(sim.appUrl, { connectionId: "conn_nope" })).status, 404);
    assert.equal((await repairLogin()).status, 500);
  });

  test("html: a 502 HTML page from a proxy", async () => {
    sim.setConfig({ fault: "html" });
    const res = await repairLogin();
    assert.equal(res.status, 502);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.match(await res.text(), /<title>502 Bad Gateway<\/title>/);
  });

  test("not_json: a 200 with a text body", async () => {
    sim.setConfig({ fault: "not_json" });
    const res = await repairLogin();
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/plain/);
    assert.equal(await res.text(), "OK");
  });

  test("wrong_id: a 200 naming another connection", async () => {
    sim.setConfig({ fault: "wrong_id" });
    const body = await (await repairLogin()).json();
    assert.notEqual(body.id, "conn_login_required");
    assert.match(body.id, /^conn_/);
    assert.ok(body.connectToken && body.widgetUrl);
  });

  test("missing_token: a 200 without connectToken", async () => {
    sim.setConfig({ fault: "missing_token" });
    const body = await (await repairLogin()).json();
    assert.equal(body.id, "conn_login_required");
    assert.ok(!("connectToken" in body));
  });

  test("expired: a token whose exp is already past", async () => {
    sim.setConfig({ fault: "expired" });
    const body = await (await repairLogin()).json();
    const { payload } = decodeJwt(body.connectToken);
    assert.ok(payload.exp < nowSeconds());
    assert.equal(new URL(body.widgetUrl).searchParams.get("connectToken"), body.connectToken);
  });

  test("foreign_widget: a widgetUrl on another origin", async () => {
    sim.setConfig({ fault: "foreign_widget" });
    const body = await (await repairLogin()).json();
    const widgetUrl = new URL(body.widgetUrl);
    assert.equal(widgetUrl.origin, "https://evil.example");
    assert.equal(widgetUrl.searchParams.get("connectToken"), body.connectToken);
  });

  test("huge: a 5 MB JSON body", async () => {
    sim.setConfig({ fault: "huge" });
    const res = await repairLogin();
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers.get("content-length")) >= 5 * 1024 * 1024);
    const text = await res.text();
    assert.ok(text.length >= 5 * 1024 * 1024);
    assert.equal(JSON.parse(text).id, "conn_login_required");
  });

  test("hang: no answer until the client gives up, once", async () => {
    sim.setConfig({ fault: "hang" });
    const started = performance.now();
    const signal = AbortSignal.timeout(300);
    await assert.rejects(postRepair(sim.appUrl, { connectionId: "conn_login_required" }, { signal }), {
      name: "TimeoutError",
    });
    assert.ok(performance.now() - started >= 290);
    assert.equal((await repairLogin()).status, 200);
  });

  test("hang: close() ends the hanging request", async () => {
    const own = await startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: false });
    own.setConfig({ fault: "hang" });
    const pending = postRepair(own.appUrl, { connectionId: "conn_login_required" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await own.close();
    await assert.rejects(pending, TypeError); // fetch failed: socket closed
  });

  test("faults are one-shot unless faultSticky", async () => {
    sim.setConfig({ fault: "not_json" });
    assert.equal(await (await repairLogin()).text(), "OK");
    assert.equal((await (await repairLogin()).json()).id, "conn_login_required");

    sim.setConfig({ fault: "not_json", faultSticky: true });
    assert.equal(await (await repairLogin()).text(), "OK");
    assert.equal(await (await repairLogin()).text(), "OK");
    sim.setConfig({ fault: null });
    assert.equal((await repairLogin()).status, 200);
  });

  test("failNext comes before the fault", async () => {
    sim.setConfig({ failNext: [503], fault: "html" });
    assert.equal((await repairLogin()).status, 503);
    assert.equal((await repairLogin()).status, 502);
    assert.equal((await repairLogin()).status, 200);
  });
});

describe("latency", () => {
  const timedRepair = async (baseUrl) => {
    const started = performance.now();
    const res = await postRepair(baseUrl, { connectionId: "conn_login_required" });
    await res.arrayBuffer();
    return { status: res.status, elapsed: performance.now() - started };
  };

  test("setConfig latencyMs delays the answer", async () => {
    sim.setConfig({ latencyMs: 250 });
    const { status, elapsed } = await timedRepair(sim.appUrl);
    assert.equal(status, 200);
    assert.ok(elapsed >= 250, `answered after ${elapsed} ms`);
  });

  test("latency also delays error answers", async () => {
    sim.setConfig({ latencyMs: 150, failNext: [500] });
    const { status, elapsed } = await timedRepair(sim.appUrl);
    assert.equal(status, 500);
    assert.ok(elapsed >= 150, `answered after ${elapsed} ms`);
  });

  test("the latencyMs start option is the default that reset() returns to", async () => {
    const own = await startSimulator({ appPort: 0, widgetPort: 0, latencyMs: 200, referenceBackend: false });
    try {
      own.setConfig({ latencyMs: 0 });
      own.reset();
      const { elapsed } = await timedRepair(own.appUrl);
      assert.ok(elapsed >= 200, `answered after ${elapsed} ms`);
    } finally {
      await own.close();
    }
  });
});

describe("stats", () => {
  test("count repair requests per connection and keep the last request's headers", async () => {
    await postRepair(sim.appUrl, { connectionId: "conn_login_required" });
    await postRepair(sim.appUrl, { connectionId: "conn_login_required" });
    await postRepair(sim.appUrl, { connectionId: "conn_nope" });
    await postRepair(sim.appUrl, "not json");
    await postRepair(sim.appUrl, { connectionId: "conn_active" }, { headers: { "X-Requested-By": "meld-repair-test" } });

    const stats = sim.stats();
    assert.equal(stats.repairRequests, 5);
    assert.deepEqual(stats.repairRequestsByConnection, {
      conn_login_required: 2,
      conn_nope: 1,
      conn_active: 1,
    });
    const last = stats.lastRepairRequest;
    assert.equal(last.method, "POST");
    assert.equal(last.headers["content-type"], "application/json");
    assert.equal(last.headers["x-requested-by"], "meld-repair-test");
    assert.equal(last.headers.authorization, undefined);
    assert.equal(last.body, JSON.stringify({ connectionId: "conn_active" }));
  });

  test("stats() returns a copy and reset() clears it", async () => {
    await postRepair(sim.appUrl, { connectionId: "conn_login_required" });
    const snapshot = sim.stats();
    snapshot.repairRequests = 99;
    assert.equal(sim.stats().repairRequests, 1);
    sim.reset();
    assert.deepEqual(sim.stats(), { repairRequests: 0, repairRequestsByConnection: {}, lastRepairRequest: null });
  });
});

describe("HTTP control endpoints", () => {
  const control = (path, body) =>
    fetch(`${sim.appUrl}/__sim/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });

  test("POST /__sim/config merges, GET reads it back", async () => {
    let res = await control("config", { failNext: [503], latencyMs: 10 });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).failNext, [503]);
    res = await control("config", { fault: "html" });
    const config = await (await control("config")).json();
    assert.deepEqual(config.failNext, [503]);
    assert.equal(config.latencyMs, 10);
    assert.equal(config.fault, "html");
    assert.equal((await postRepair(sim.appUrl, { connectionId: "conn_login_required" })).status, 503);
  });

  test("POST /__sim/config refuses bad input", async () => {
    for (const body of [{ fault: "nope" }, { bogus: true }, [1, 2], "text"]) {
      const res = await control("config", body);
      assert.equal(res.status, 400);
      assert.equal(typeof (await res.json()).error, "string");
    }
    const res = await fetch(`${sim.appUrl}/__sim/config`, { method: "POST", body: "{" });
    assert.equal(res.status, 400);
  });

  test("GET /__sim/stats and POST /__sim/reset", async () => {
    await control("config", { failNext: [500] });
    await postRepair(sim.appUrl, { connectionId: "conn_active" });
    const stats = await (await control("stats")).json();
    assert.equal(stats.repairRequests, 1);
    assert.deepEqual(stats.repairRequestsByConnection, { conn_active: 1 });

    const reset = await fetch(`${sim.appUrl}/__sim/reset`, { method: "POST" });
    assert.equal(reset.status, 200);
    assert.deepEqual((await reset.json()).failNext, []);
    assert.equal((await (await control("stats")).json()).repairRequests, 0);
  });

  test("unknown control paths are 404", async () => {
    assert.equal((await control("nothing")).status, 404);
  });
});

describe("static files on the app origin", () => {
  test("/ serves www/index.html, uncached", async () => {
    const res = await fetch(`${sim.appUrl}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(res.headers.get("content-security-policy"), null);
    assert.match(await res.text(), /<title>demo<\/title>/);
  });

  test("www/ is served at the root and pkg/ under /pkg/ with the right MIME types", async () => {
    const expected = {
      "/demo.js": "text/javascript",
      "/styles.css": "text/css",
      "/pkg/meld_repair.js": "text/javascript",
      "/pkg/meld_repair_bg.wasm": "application/wasm",
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await fetch(`${sim.appUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
      assert.equal(res.headers.get("cache-control"), "no-store", path);
    }
    const wasm = Buffer.from(await (await fetch(`${sim.appUrl}/pkg/meld_repair_bg.wasm`)).arrayBuffer());
    assert.deepEqual(wasm, WASM_BYTES);
  });

  test("paths outside www/ and pkg/ are 404, however they are spelled", async () => {
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/pkg/../../secret.txt",
      "/pkg/..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/.env",
      "/node_modules/dep/index.js",
      "/www/index.html",
      "/secret.txt",
      "/missing.js",
      "/pkg/",
      "/%",
      "/demo.js%00.html",
    ]) {
      const res = await rawGet(sim.appUrl, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /top secret|SECRET=1/, path);
    }
  });

  test("?csp=strict adds the strict policy to HTML pages only", async () => {
    const page = await fetch(`${sim.appUrl}/?csp=strict`);
    assert.equal(page.headers.get("content-security-policy"), cspFor(sim.widgetOrigin));
    assert.equal(
      cspFor(sim.widgetOrigin),
      `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-src ${sim.widgetOrigin}; style-src 'self'; connect-src 'self'`,
    );
    const named = await fetch(`${sim.appUrl}/index.html?x=1&csp=strict`);
    assert.equal(named.headers.get("content-security-policy"), cspFor(sim.widgetOrigin));
    const script = await fetch(`${sim.appUrl}/demo.js?csp=strict`);
    assert.equal(script.headers.get("content-security-policy"), null);
  });

  test("only GET and HEAD are served", async () => {
    const head = await fetch(`${sim.appUrl}/demo.js`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String("export const demo = 1;".length));
    assert.equal((await fetch(`${sim.appUrl}/demo.js`, { method: "PUT", body: "x" })).status, 405);
  });
});

describe("widget origin", () => {
  test("serves the widget page with no inline script or style", async () => {
    const res = await fetch(`${sim.widgetOrigin}/?connectToken=abc.def.ghi`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.match(res.headers.get("content-security-policy"), /script-src 'self';/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, content] of scripts) {
      assert.match(attributes, /\bsrc="\/[\w.-]+\.js"/);
      assert.equal(content.trim(), "");
    }
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
    for (const id of ["institution-name", "username", "password", "connect", "cancel", "fail"]) {
      assert.match(html, new RegExp(`id="${id}"`));
    }
  });

  test("serves its scripts, stylesheet and spoof page", async () => {
    for (const [path, type] of [
      ["/widget.js", "text/javascript"],
      ["/meld-events.js", "text/javascript"],
      ["/widget.css", "text/css"],
      ["/spoof.html?event=connect_complete", "text/html; charset=utf-8"],
      ["/spoof.js", "text/javascript"],
    ]) {
      const res = await fetch(`${sim.widgetOrigin}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
    }
  });

  test("serves nothing else", async () => {
    for (const path of ["/index.html", "/api/connections", "/widget/widget.js", "/../server.mjs", "/connections.json", "/demo.js"]) {
      assert.equal((await rawGet(sim.widgetOrigin, path)).status, 404, path);
    }
  });

  test("the app origin does not serve the widget", async () => {
    assert.equal((await fetch(`${sim.appUrl}/widget.js`)).status, 404);
  });
});
