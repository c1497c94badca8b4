// What a browser page loads from the package, in bytes (raw, gzip -9, brotli 11), and the
// budgets `npm test` enforces (tests/package/size.test.mjs). Shared by the build and the bench.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** The wasm modules scripts/build.mjs makes, with the cargo features of each (Cargo.toml). */
export const MODULES = { core: "core", flow: "flow", node: "core,flow,webhooks" };

/**
 * The page groups a budget holds, with their files in pkg/ and the gzip budget of each: a
 * ceiling a little above today's size, so a regression fails the day it lands. The status
 * page's goal is 20 KB (docs/benchmarks.md says how far off it is and what would close it).
 */
export const PAYLOADS = [
  // A status page: `import { decide, explain, advise, defineCopy } from "meld-repair"` and the element.
  // Raised since issue #9's 36 KB, each by what it measured: #12 every customer word in wasm
  // (outcomes, the element's and the modal's labels, severity words) and the element's states,
  // core.wasm 24.3 → 26.6 KB, element.js 4.2 → 4.7 KB; #14 own properties, string caps, bidi
  // isolation, copy bounds (+1 KB); #13 triage() in core.wasm and RepairFlow's follow-up
  // options (+5.7 KB). Then −0.8 KB from the build (no keepNames, one errors.js), and +1.6 KB
  // for #12 and #13's last states: the adopted server-rendered root, the element's own
  // follow-up, the modal's theme and Fix all's progress, their refusals (45.3 → 46.1 KB).
  // docs/benchmarks.md says how far this is from the 20 KB goal.
  { name: "status page", files: ["index.js", "element.js", "core.wasm"], budget: 46.5 * 1024 },
  // What `new RepairFlow(…)`, `prefetch` or `start` load on top.
  // Lowered from 41 KB once #14 moved the token request's await out of wasm (no
  // wasm-bindgen-futures: 40.2 → 33.9 KB measured).
  { name: "repair flow on intent", files: ["flow.js", "flow.wasm"], budget: 35 * 1024 },
];

function measure(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Each payload with its files measured one by one (as a server compresses them) and summed. */
export function payloadSizes(pkg) {
  return PAYLOADS.map(({ name, files, budget }) => {
    const measured = files.map((file) => ({ file, ...measure(readFileSync(join(pkg, file))) }));
    const sum = (key, list = measured) => list.reduce((total, file) => total + file[key], 0);
    const wasm = measured.filter((file) => file.file.endsWith(".wasm"));
    const js = measured.filter((file) => file.file.endsWith(".js"));
    return {
      name, budget, files: measured,
      raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli"),
      wasmGzip: sum("gzip", wasm), jsGzip: sum("gzip", js),
    };
  });
}

export function report(payloads) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const payload of payloads) {
    const files = payload.files.map((file) => `${file.file} ${kb(file.gzip)}`).join(", ");
    console.log(`  ${payload.name.padEnd(22)} ${kb(payload.gzip).padStart(8)} gzip (budget ${kb(payload.budget)}): ${files}`);
  }
}
