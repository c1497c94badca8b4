// The size budgets: what a browser page downloads from the package, gzipped, wasm and JS, for
// the status page and for what the repair flow adds on intent (scripts/sizes.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { payloadSizes } from "../../scripts/sizes.mjs";

const pkg = fileURLToPath(new URL("../../pkg", import.meta.url));

for (const payload of payloadSizes(pkg)) {
  test(`the ${payload.name} stays within its gzip budget`, () => {
    assert.ok(payload.gzip > 1000, "the package was measured");
    assert.ok(payload.gzip <= payload.budget, `${payload.gzip} B gzip > budget ${payload.budget} B`);
  });
}
