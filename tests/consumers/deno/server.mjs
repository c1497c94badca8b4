// Deno with no permission flags (deno run server.mjs): the wasm travels inside the module, so nothing is read from disk at run time.
import { decide, explain } from "meld-repair";

const connection = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };
const decision = decide(connection);
const { title } = explain(connection, { locale: "es" });
console.log(JSON.stringify({ action: decision.action, urgency: decision.urgency, title }));
