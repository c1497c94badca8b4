// Node entry (≥ 20): the same module, compiled synchronously from the file next to it, so a
// plain `import { decide } from "meld-repair"` works on a server with no init and no DOM.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/meld_repair.js";

initSync({ module: readFileSync(new URL("./meld_repair_bg.wasm", import.meta.url)) });

export * from "./api.js";
