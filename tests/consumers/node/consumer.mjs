// Node ≥ 20: the same wasm, loaded synchronously; no init() to call.
import { advise, decide, explain } from "meld-repair";

const connection = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "First Platypus Bank" };

const decision = decide(connection);
const explanation = explain(connection, { locale: "es-MX" });
const advice = advise(connection, "fresh_data");
console.log(JSON.stringify({ decision, explanation, advice }));
