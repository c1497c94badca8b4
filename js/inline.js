// `meld-repair/inline`: the browser entry with each wasm inside its JS (gzip, base64), for
// bundlers that do not copy `new URL("./x.wasm", import.meta.url)` assets (esbuild, Rollup
// without a plugin, bun build, deno bundle). The same as js/index.js otherwise; its flow is
// ./inline-flow.js and its element `meld-repair/inline/element` (scripts/inline-wasm.mjs).
import init, * as glue from "./generated/core/meld_repair.js";
import core from "./generated/core.wasm.js";
import { useCore } from "./api.js";
import { inlined, loadWasm } from "./load-wasm.js";
import { provideFlow } from "./repair-flow.js";

await loadWasm(init, inlined(core));
useCore(glue);
let flow = null;
provideFlow(() => flow ?? import("./inline-flow.js").then((module) => (flow = module)));

export { advise, decide, defineCopy, explain, explainCopy, explainOutcome, knownSituations, resetCopy, triage } from "./api.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
