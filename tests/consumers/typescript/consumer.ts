// The public types as an app uses them: checked by `tsc --noEmit --strict` with
// moduleResolution "bundler" and "nodenext".
import { decide, explain, RepairFlow, MeldRepairError, type Connection, type Decision, type RepairOutcome } from "meld-repair";
import { TAG_NAME, MeldConnectionStatus, type MeldRepairStateDetail } from "meld-repair/element";
// The same API with the wasm inside the JS (for bundlers that do not copy it): the same types.
import { decide as decideInline, type ErrorCode } from "meld-repair/inline";
import { TAG_NAME as INLINE_TAG_NAME } from "meld-repair/inline/element";

const connection: Connection = { id: "conn_1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED" };
const decision: Decision = decide(connection);
const label: string | null = explain(connection, { locale: "es" }).actionLabel;
const flow = new RepairFlow({ tokenUrl: "/api/meld/repair", onStateChange: (state) => console.log(state) });

export async function repair(): Promise<string> {
  const outcome: RepairOutcome = await flow.start(connection);
  switch (outcome.status) {
    case "completed":
      return `${outcome.metadata.institutionName ?? "your bank"}: ${outcome.metadata.accountCount ?? 0} accounts`;
    case "failed":
      return outcome.error.code;
    case "cancelled":
      return outcome.reason;
    case "not_needed":
      return outcome.decision.action;
  }
}

// The element: typed by tag name, its properties and its events.
const element = document.createElement(TAG_NAME);
const same: MeldConnectionStatus = element;
element.connection = connection;
element.flow = flow;
element.setAttribute("token-url", "/api/meld/repair");
element.addEventListener("meld-repair-outcome", (event) => {
  const outcome: RepairOutcome = event.detail;
  console.log(outcome.status, same.state, element.decision?.openWidget);
});
document.addEventListener("meld-repair-state", (event) => {
  const detail: MeldRepairStateDetail = event.detail;
  console.log(detail.state, detail.connectionId);
});
document.querySelector("meld-connection-status")?.addEventListener("meld-repair-error", (event) => {
  const error: MeldRepairError = event.detail;
  console.log(error.code, error.retryable);
});
// Following a repair back to health by itself: status-url, or fetchConnection; connectionupdate.
element.setAttribute("status-url", "/api/meld/connection");
element.fetchConnection = async (connectionId, { signal }) => (await fetch(`/api/meld/connection?connectionId=${connectionId}`, { signal })).json();
element.addEventListener("connectionupdate", (event) => {
  const fresh: Connection = event.detail.connection;
  console.log(fresh.status, event.detail.decision.openWidget);
});
const started: Promise<RepairOutcome> = element.start();
console.log(decision.openWidget, label, started);
const inlineDecision: Decision = decideInline(connection);
const wasmMissing: ErrorCode = "WASM_LOAD_FAILED";
console.log(inlineDecision.action, wasmMissing, INLINE_TAG_NAME === TAG_NAME);

// @ts-expect-error a connection is an object, not a string
element.connection = "RECONNECT_REQUIRED";
// @ts-expect-error the events carry typed details
element.addEventListener("meld-repair-state", (event) => event.detail.status);
// @ts-expect-error fetchConnection is a function, not a URL
element.fetchConnection = "/api/meld/connection";
