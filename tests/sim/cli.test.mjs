import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const SERVER = fileURLToPath(new URL("../../sim/server.mjs", import.meta.url));

// Starts `node sim/server.mjs` on random ports and resolves once it has printed its banner.
async function startCli(env) {
  const { MELD_API_KEY, MELD_ENV, ...inherited } = process.env;
  const child = spawn(process.execPath, [SERVER], {
    env: { ...inherited, PORT: "0", WIDGET_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8");
  for await (const chunk of child.stdout) {
    output += chunk;
    if (/repair endpoint: .*\n/.test(output)) break;
  }
  return { child, output };
}

async function stop(child) {
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const [code] = await exited;
  assert.equal(code, 0);
}

test("node sim/server.mjs prints the demo URL and serves on the ports it reports", async () => {
  const { child, output } = await startCli({ SIM_LATENCY_MS: "120" });
  try {
    const demo = output.match(/demo:\s+(http:\/\/localhost:\d+)\/\n/)?.[1];
    const widget = output.match(/widget origin:\s+(http:\/\/localhost:\d+)\n/)?.[1];
    assert.ok(demo && widget, output);
    assert.match(output, /repair endpoint: simulated Meld/);
    assert.equal((await fetch(`${demo}/api/connections`)).status, 200);
    assert.equal((await fetch(`${widget}/widget.js`)).status, 200);

    const started = performance.now();
    await fetch(`${demo}/api/meld/repair`, { method: "POST", body: '{"connectionId":"conn_active"}' });
    assert.ok(performance.now() - started >= 120, "SIM_LATENCY_MS was not applied");
  } finally {
    await stop(child);
  }
});

test("with MELD_API_KEY it announces the reference backend without printing the key", async () => {
  const { child, output } = await startCli({ MELD_API_KEY: "sk_test_do_not_print", MELD_ENV: "production" });
  try {
    assert.match(output, /reference backend, forwarding to https:\/\/api\.meld\.io\/bank-linking\/connect\/repair/);
    assert.doesNotMatch(output, /sk_test_do_not_print/);
  } finally {
    await stop(child);
  }
});
