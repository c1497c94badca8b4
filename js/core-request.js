// The status page's wasm, requested first: js/index.js imports this module before any other,
// so the request leaves while the rest of the bundle is still being evaluated.
import { requestWasm } from "./load-wasm.js";

export const coreWasm = requestWasm(new URL("./core.wasm", import.meta.url));
