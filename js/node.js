// Node entry (≥ 20; also Bun and Deno): one module with everything (rules, repair flow,
// webhooks), compiled synchronously, so a plain `import { decide } from "meld-repair"` works on
// a server with no init and no DOM. The wasm travels inside this module (gzip, base64:
// scripts/inline-wasm.mjs) instead of a file read next to it: server bundlers (Next.js with
// Turbopack or webpack, esbuild --platform=node, bun build) rewrite or drop
// `new URL("./x.wasm", import.meta.url)`, and Deno needs no --allow-read.
import { Buffer } from "node:buffer";
import { gunzipSync } from "node:zlib";
import * as glue from "./generated/node/meld_repair.js";
import node from "./generated/node.wasm.js";
import { useCore } from "./api.js";
import { guarded } from "./instance.js";
import { provideFlow } from "./repair-flow.js";
import { FLOW_EXPORTS, RepairSession } from "./repair-session.js";
import { followConnection } from "./follow.js";

glue.initSync({ module: gunzipSync(Buffer.from(node, "base64")) });
useCore(glue);
const flow = { wasm: guarded(glue, FLOW_EXPORTS), RepairSession, followConnection };
provideFlow(() => flow);

export { advise, decide, defineCopy, explain, explainCopy, explainOutcome, interpretWebhook, knownSituations, resetCopy, triage } from "./api.js";
export { MeldRepairError } from "./errors.js";
export { RepairFlow } from "./repair-flow.js";
export { verifyWebhookSignature } from "./webhook-signature.js";
