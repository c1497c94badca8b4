// `meld-repair/inline`: the browser entry with the wasm inside the JS (gzip, base64), for
// bundlers that do not copy `new URL("./x.wasm", import.meta.url)` assets (esbuild, Rollup
// without a plugin, bun build, deno bundle). Built by scripts/inline-wasm.mjs; its element is
// `meld-repair/inline/element`. Decompressed as a stream into a streaming compile.
import { loadWasm } from "./load-wasm.js";
import wasm from "./meld_repair_bg.inline.js";
import init from "./wasm/meld_repair.js";

const gzip = Uint8Array.fromBase64?.(wasm) ?? Uint8Array.from(atob(wasm), (c) => c.charCodeAt(0));
const stream = new Blob([gzip]).stream().pipeThrough(new DecompressionStream("gzip"));
await loadWasm(init, new Response(stream, { headers: { "Content-Type": "application/wasm" } }));

export * from "./api.js";
