// Browser and bundler entry. The module initialises itself with a top-level await, so
// `import { decide } from "meld-repair"` is ready to call; no `init()` for the app to forget.
import init from "./wasm/meld_repair.js";

await init({ module_or_path: new URL("./meld_repair_bg.wasm", import.meta.url) });

export * from "./api.js";
