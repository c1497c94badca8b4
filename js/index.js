// Browser and bundler entry. The module initialises itself with a top-level await, so
// `import { decide } from "meld-repair"` is ready to call; no `init()` for the app to forget.
// The wasm stays a file of its own (streaming compile, cached apart from the app's JS); a
// bundler that does not copy it gets an error saying what to do (js/load-wasm.js).
import { loadWasm } from "./load-wasm.js";
import init from "./wasm/meld_repair.js";

await loadWasm(init, new URL("./meld_repair_bg.wasm", import.meta.url));

export * from "./api.js";
