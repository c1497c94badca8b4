// If the wasm instance ever traps (a panic or a bug no test found), the package replaces it
// and keeps answering: the call that hit the trap reports a retryable INTERNAL_ERROR, later calls
// work, and the app's own wording (defineCopy) is put back. The trap is provoked the crude way:
// the instance's linear memory is overwritten, as a memory-safety bug would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newestInstance } from "./newest-instance.mjs";

const { advise, decide, defineCopy, explain, MeldRepairError, resetCopy } = await import("meld-repair");

test("a trapped instance is replaced; the call reports INTERNAL_ERROR and the next one works", () => {
  defineCopy("en", { healthy: { title: "All good at {institution}" } });
  const trapped = newestInstance();
  const memory = Object.values(trapped.exports).find((value) => value instanceof WebAssembly.Memory);
  new Uint8Array(memory.buffer).fill(0xff);

  assert.throws(
    () => advise({ id: "c1", status: "ACTIVE" }, "fix"),
    (error) => error instanceof MeldRepairError && error.code === "INTERNAL_ERROR" && error.retryable && error.cause instanceof WebAssembly.RuntimeError,
  );
  assert.notEqual(newestInstance(), trapped, "a fresh instance");
  assert.equal(advise({ id: "c1", status: "RECONNECT_REQUIRED" }, "fix").operation, "repair");
  assert.equal(decide({ status: "DEGRADED", statusReason: "brand_new" }).action, "wait");
  assert.equal(explain({ status: "ACTIVE", institutionName: "Acme Bank" }).title, "All good at Acme Bank", "the app's copy is back");
  resetCopy();
  assert.equal(explain({ status: "ACTIVE", institutionName: "Acme Bank" }).title, "Acme Bank is connected");
});
