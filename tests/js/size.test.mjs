// The size budget: what a browser page downloads from the package, gzipped, wasm and JS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { BUDGET_GZIP_BYTES, payloadSizes } from "../../scripts/sizes.mjs";

test("the browser payload stays within the gzip budget", () => {
  const pkg = fileURLToPath(new URL("../../pkg", import.meta.url));
  const total = payloadSizes(pkg).find((entry) => entry.name === "total");
  assert.ok(total.gzip > 1000, "the package was measured");
  assert.ok(total.gzip <= BUDGET_GZIP_BYTES, `${total.gzip} B gzip > budget ${BUDGET_GZIP_BYTES} B`);
});
