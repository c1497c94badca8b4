// Issue #14, round two: attacks beyond the red-team report, in Node against the built package.
// Header shapes that threw a raw error from the constructor (a getter, a proxy) or passed it
// and failed only at start() (a value over the 20000-character cap); every redirect status of
// the token request, same-origin or not, refused at once and never retried.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { runInNewContext } from "node:vm";
import { MeldRepairError, RepairFlow } from "meld-repair";

const BROKEN = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };

function coded(code, fragment) {
  return (error) => {
    assert.ok(error instanceof MeldRepairError, `a MeldRepairError, got ${error}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(fragment), error.message);
    return true;
  };
}

test("headers whose reading throws, or with a value over 20000 characters, are INVALID_OPTIONS at construction", () => {
  const throwing = () => {
    throw new Error("hostile");
  };
  for (const [headers, fragment] of [
    [{ get "X-CSRF-Token"() { throw new Error("hostile"); } }, "reading the RepairFlow headers threw"],
    [new Proxy({}, { ownKeys: throwing }), "reading the RepairFlow headers threw"],
    [new Proxy({ "X-A": "1" }, { getOwnPropertyDescriptor: throwing }), "reading the RepairFlow headers threw"],
    [{ "X-Long": "a".repeat(20_001) }, "longer than 20000 characters"],
    [{ ["X-".padEnd(20_001, "a")]: "1" }, "longer than 20000 characters"],
  ]) {
    assert.throws(() => new RepairFlow({ tokenUrl: "https://app.example/repair", headers }), coded("INVALID_OPTIONS", fragment));
  }
});

test("headers given as a Map from another realm (an iframe's) are sent, not silently dropped", async () => {
  const events = new EventTarget();
  globalThis.addEventListener = events.addEventListener.bind(events);
  globalThis.removeEventListener = events.removeEventListener.bind(events);
  const foreignMap = runInNewContext('new Map([["X-CSRF-Token", "csrf-123"]])');
  assert.equal(foreignMap instanceof Map, false, "really another realm's Map");
  let csrf;
  const app = await server((req, res) => {
    csrf = req.headers["x-csrf-token"];
    res.writeHead(503).end();
  });
  try {
    const outcome = await new RepairFlow({ tokenUrl: `${app.url}/repair`, headers: foreignMap, retries: 0 }).start(BROKEN);
    assert.equal(outcome.error.code, "TOKEN_ENDPOINT_FAILED");
    assert.equal(csrf, "csrf-123");
  } finally {
    delete globalThis.addEventListener;
    delete globalThis.removeEventListener;
    await app.close();
  }
});

/** An HTTP server on 127.0.0.1 answering with `handle(req, res)`; `seen` counts requests. */
async function server(handle) {
  const seen = [];
  const http = createServer((req, res) => {
    seen.push(req.url);
    req.resume().on("end", () => handle(req, res));
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, seen, close: () => new Promise((resolve) => http.close(resolve)) };
}

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} of the token request, same-origin or not, fails TOKEN_ENDPOINT_FAILED at once: not followed, not retried`, async () => {
    const events = new EventTarget();
    globalThis.addEventListener = events.addEventListener.bind(events);
    globalThis.removeEventListener = events.removeEventListener.bind(events);
    const other = await server((req, res) => res.writeHead(500).end());
    const app = await server((req, res) => {
      const location = req.url === "/cross" ? `${other.url}/token` : "/final";
      res.writeHead(status, { Location: location }).end();
    });
    try {
      for (const path of ["/same", "/cross"]) {
        const flow = new RepairFlow({ tokenUrl: `${app.url}${path}`, retries: 2, timeoutMs: 3_000 });
        const outcome = await flow.start(BROKEN);
        assert.equal(outcome.status, "failed");
        coded("TOKEN_ENDPOINT_FAILED", "answered a redirect")(outcome.error);
        assert.equal(outcome.error.retryable, false, "a redirect will not heal");
      }
      assert.deepEqual(app.seen, ["/same", "/cross"], "one request each: no retry, no /final");
      assert.deepEqual(other.seen, [], "nothing reached the other origin");
    } finally {
      delete globalThis.addEventListener;
      delete globalThis.removeEventListener;
      await Promise.all([app.close(), other.close()]);
    }
  });
}
