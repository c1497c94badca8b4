// The public API, shared by the browser and Node entries. The functions are the wasm exports
// themselves: the Rust boundary already validates input and throws `MeldRepairError`s.
export {
  decide,
  explain,
  advise,
  defineCopy,
  resetCopy,
  knownSituations,
} from "./wasm/meld_repair.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
