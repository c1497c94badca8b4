// The repair flow's module for the browser, loaded by RepairFlow on intent (js/index.js): the
// session machine, the token and widget readers and the token transport, with their driver.
import init, * as glue from "./generated/flow/meld_repair.js";
import { guarded } from "./instance.js";
import { loadWasm, requestWasm } from "./load-wasm.js";
import { FLOW_EXPORTS } from "./repair-session.js";

await loadWasm(init, requestWasm(new URL("./flow.wasm", import.meta.url)));

export const wasm = guarded(glue, FLOW_EXPORTS);
export { RepairSession } from "./repair-session.js";
export { followConnection } from "./follow.js";
