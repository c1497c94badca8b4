// Browser and bundler entry: what a status page needs. The core module initialises itself with
// a top-level await, so `import { decide } from "meld-repair"` is ready to call; no `init()` for
// the app to forget. The repair flow's module (./flow.js) loads when the app reaches for it.
// The wasm stays a file of its own (streaming compile, cached apart from the app's JS); a
// bundler that does not copy it gets an error saying what to do (js/load-wasm.js).
import { coreWasm } from "./core-request.js"; // first: the request leaves before the rest runs
import init, * as glue from "./generated/core/meld_repair.js";
import { useCore } from "./api.js";
import { loadWasm } from "./load-wasm.js";
import { provideFlow } from "./repair-flow.js";

await loadWasm(init, coreWasm);
useCore(glue);
let flow = null;
provideFlow(() => flow ?? import("./flow.js").then((module) => (flow = module)));

export { advise, decide, defineCopy, explain, explainCopy, explainOutcome, knownSituations, resetCopy, triage } from "./api.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
