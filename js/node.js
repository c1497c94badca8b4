// Node entry (≥ 20; also Bun and Deno): the same module, compiled synchronously, so a plain
// `import { decide } from "meld-repair"` works on a server with no init and no DOM. The wasm
// travels inside this module (gzip, base64: scripts/inline-wasm.mjs) instead of a file read
// next to it: server bundlers (Next.js with Turbopack or webpack, esbuild --platform=node,
// bun build) rewrite or drop `new URL("./x.wasm", import.meta.url)`, and Deno needs no
// --allow-read.
import { Buffer } from "node:buffer";
import { gunzipSync } from "node:zlib";
import wasm from "./meld_repair_bg.inline.js";
import { initSync } from "./wasm/meld_repair.js";

initSync({ module: gunzipSync(Buffer.from(wasm, "base64")) });

export * from "./api.js";
