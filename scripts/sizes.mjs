// What a browser page loads from the package, in bytes: raw, gzip -9 and brotli 11.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/**
 * The largest total a page may download, gzipped, wasm and JS together. A ceiling that stops
 * regressions today; issue #4 brings it down to its 20 KB goal.
 */
export const BUDGET_GZIP_BYTES = 64 * 1024;

/** Every file under pkg/ that the browser entry loads (no types, maps or Node entry). */
export function browserFiles(pkg) {
  const files = ["index.js", "api.js", "errors.js", "repair-flow.js", "widget.js", "webhook-signature.js", "wasm/meld_repair.js", "wasm/meld_repair_bg.wasm"];
  return [...files, ...snippetFiles(join(pkg, "wasm/snippets")).map((file) => file.slice(pkg.length + 1))];
}

/** The JS files wasm-bindgen copied from js/ for the wasm to import (errors, object shapes). */
export function snippetFiles(snippets) {
  return readdirSync(snippets).flatMap((dir) => [...walk(join(snippets, dir))]).filter((file) => file.endsWith(".js"));
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function measure(name, bytes) {
  return {
    name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Per-kind sizes (wasm, JS) and their total, each compressed file by file as a server would. */
export function payloadSizes(pkg) {
  const files = browserFiles(pkg).map((file) => measure(file, readFileSync(join(pkg, file))));
  const sum = (name, list) => ({
    name,
    raw: list.reduce((n, f) => n + f.raw, 0),
    gzip: list.reduce((n, f) => n + f.gzip, 0),
    brotli: list.reduce((n, f) => n + f.brotli, 0),
  });
  const wasm = files.filter((f) => f.name.endsWith(".wasm"));
  const js = files.filter((f) => f.name.endsWith(".js"));
  return [sum("wasm", wasm), sum("js", js), sum("total", files)];
}
