// Node entry (≥ 20): one module with everything (rules, repair flow, webhooks), compiled
// synchronously from the file next to it, so a plain `import { decide } from "meld-repair"`
// works on a server with no init and no DOM.
import { readFileSync } from "node:fs";
import { initSync } from "./generated/node/meld_repair.js";
import * as glue from "./generated/node/meld_repair.js";
import { useCore } from "./api.js";
import { guarded } from "./instance.js";
import { provideFlow } from "./repair-flow.js";
import { FLOW_EXPORTS, RepairSession } from "./repair-session.js";

initSync({ module: readFileSync(new URL("./node.wasm", import.meta.url)) });
useCore(glue);
const flow = { wasm: guarded(glue, FLOW_EXPORTS), RepairSession };
provideFlow(() => flow);

export { advise, decide, defineCopy, explain, interpretWebhook, knownSituations, resetCopy } from "./api.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
export { verifyWebhookSignature } from "./webhook-signature.js";
