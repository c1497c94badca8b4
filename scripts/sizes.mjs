// What a browser page loads from the package, in bytes: raw, gzip -9 and brotli 11.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/**
 * The largest total a page may download, gzipped, wasm and JS together. A ceiling that stops
 * regressions today; issue #4's goal is 20 KB (docs/benchmarks.md says how far off it is).
 */
export const BUDGET_GZIP_BYTES = 64 * 1024;

/** What `import "meld-repair"` makes a browser load: the entry, the shared chunk, the wasm. */
export function browserFiles(pkg) {
  const chunks = readdirSync(pkg).filter((file) => file.startsWith("shared-") && file.endsWith(".js"));
  return ["index.js", ...chunks, "meld_repair_bg.wasm"];
}

function measure(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** wasm, JS and their total for the browser entry, each file compressed on its own as a server would. */
export function payloadSizes(pkg) {
  const files = browserFiles(pkg).map((file) => ({ file, ...measure(readFileSync(join(pkg, file))) }));
  const sum = (name, list) => ({
    name,
    raw: list.reduce((n, f) => n + f.raw, 0),
    gzip: list.reduce((n, f) => n + f.gzip, 0),
    brotli: list.reduce((n, f) => n + f.brotli, 0),
  });
  return [
    sum("wasm", files.filter((f) => f.file.endsWith(".wasm"))),
    sum("js", files.filter((f) => f.file.endsWith(".js"))),
    sum("total", files),
  ];
}
