// The repair flow's module for `meld-repair/inline` (js/inline.js): js/flow.js with its wasm
// inside.
import init, * as glue from "./generated/flow/meld_repair.js";
import flow from "./generated/flow.wasm.js";
import { guarded } from "./instance.js";
import { inlined, loadWasm } from "./load-wasm.js";
import { FLOW_EXPORTS } from "./repair-session.js";

await loadWasm(init, inlined(flow));

export const wasm = guarded(glue, FLOW_EXPORTS);
export { RepairSession } from "./repair-session.js";
export { followConnection } from "./follow.js";
