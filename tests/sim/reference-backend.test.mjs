import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, test } from "node:test";
import { handleRepair } from "../../sim/reference-backend.mjs";
import { startSimulator } from "../../sim/server.mjs";

// The tests replace global fetch for calls to Meld only; everything else is real.
const realFetch = globalThis.fetch;
const savedEnv = { MELD_API_KEY: process.env.MELD_API_KEY, MELD_ENV: process.env.MELD_ENV };
let upstreamCalls;
let upstreamAnswer;

beforeEach(() => {
  upstreamCalls = [];
  upstreamAnswer = () => new Response('{"code":"NOT_FOUND","message":"nope"}', { status: 404, headers: { "Content-Type": "application/json" } });
  process.env.MELD_API_KEY = "sk_test_key";
  delete process.env.MELD_ENV;
  globalThis.fetch = async (url, init) => {
    if (!String(url).includes("meld.io")) return realFetch(url, init);
    upstreamCalls.push({ url: String(url), init });
    return upstreamAnswer();
  };
});

afterEach(() => {
  globalThis.fetch = realFetch;
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function withServer(handler, run) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await run(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const post = (url, body) => realFetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });

test("handleRepair forwards only connectionId to the sandbox with Meld's headers", async () => {
  await withServer(handleRepair, async (base) => {
    const res = await post(base, JSON.stringify({ connectionId: "conn_1", apiKey: "from-browser" }));
    assert.equal(res.status, 404);
    assert.equal(await res.text(), '{"code":"NOT_FOUND","message":"nope"}');
  });
  assert.equal(upstreamCalls.length, 1);
  const [{ url, init }] = upstreamCalls;
  assert.equal(url, "https://api-sb.meld.io/bank-linking/connect/repair");
  assert.equal(init.method, "POST");
  assert.deepEqual(init.headers, {
    Authorization: "BASIC sk_test_key",
    "Content-Type": "application/json",
    "Meld-Version": "2023-12-19",
  });
  assert.equal(init.body, '{"connectionId":"conn_1"}');
});

test("handleRepair uses production when MELD_ENV=production and relays success unchanged", async () => {
  process.env.MELD_ENV = "production";
  const meldBody = '{"connectToken":"a.b.c","id":"conn_1","institutionId":"i","widgetUrl":"https://x/?connectToken=a.b.c"}';
  upstreamAnswer = () => new Response(meldBody, { status: 200, headers: { "Content-Type": "application/json" } });
  await withServer(handleRepair, async (base) => {
    const res = await post(base, '{"connectionId":"conn_1"}');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), meldBody);
  });
  assert.equal(upstreamCalls[0].url, "https://api.meld.io/bank-linking/connect/repair");
});

test("handleRepair forwards a body that is not JSON as {} and answers 502 when Meld is unreachable", async () => {
  upstreamAnswer = () => {
    throw new TypeError("fetch failed");
  };
  await withServer(handleRepair, async (base) => {
    const res = await post(base, "not json");
    assert.equal(res.status, 502);
    assert.equal((await res.json()).code, "BAD_GATEWAY");
  });
  assert.equal(upstreamCalls[0].init.body, "{}");
});

test("the simulator uses the reference backend and still records stats", async () => {
  const sim = await startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: true });
  try {
    sim.setConfig({ failNext: [500] }); // faults belong to the simulated Meld, not to this mode
    const res = await post(`${sim.appUrl}/api/meld/repair`, '{"connectionId":"conn_login_required"}');
    assert.equal(res.status, 404);
    assert.equal(upstreamCalls.length, 1);
    assert.equal(sim.stats().repairRequests, 1);
    assert.equal(sim.stats().lastRepairRequest.headers.authorization, undefined);
  } finally {
    await sim.close();
  }
});

test("an unknown MELD_ENV stops the simulator from starting", async () => {
  process.env.MELD_ENV = "staging";
  await assert.rejects(startSimulator({ appPort: 0, widgetPort: 0, referenceBackend: true }), /MELD_ENV/);
});

test("the reference backend stays short and the README quotes it as it is", async () => {
  const source = await readFile(new URL("../../sim/reference-backend.mjs", import.meta.url), "utf8");
  assert.ok(source.trimEnd().split("\n").length <= 25);
  const readme = await readFile(new URL("../../sim/README.md", import.meta.url), "utf8");
  const quoted = readme.match(/```js\n(export async function handleRepair[\s\S]*?)```/)?.[1];
  assert.ok(quoted, "README has no handleRepair block");
  assert.ok(source.includes(quoted), "README quote differs from sim/reference-backend.mjs");
});
