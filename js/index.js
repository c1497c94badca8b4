// Browser and bundler entry: what a status page needs. The core module initialises itself with
// a top-level await, so `import { decide } from "meld-repair"` is ready to call; no `init()` for
// the app to forget. The repair flow's module (./flow.js) loads when the app reaches for it.
import init, * as glue from "./generated/core/meld_repair.js";
import { useCore } from "./api.js";
import { provideFlow } from "./repair-flow.js";

await init({ module_or_path: new URL("./core.wasm", import.meta.url) });
useCore(glue);
let flow = null;
provideFlow(() => flow ?? import("./flow.js").then((module) => (flow = module)));

export { advise, decide, defineCopy, explain, knownSituations, resetCopy } from "./api.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
