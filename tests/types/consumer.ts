// Compiled by `tsc -p tests/types` (strict) against the published types: what an app writes
// must type-check, and what it must not write must not (the @ts-expect-error lines).
import {
  advise,
  decide,
  defineCopy,
  explain,
  explainCopy,
  explainOutcome,
  knownSituations,
  MeldRepairError,
  RepairFlow,
  triage,
  type Action,
  type Connection,
  type Decision,
  type RepairOutcome,
} from "meld-repair";

const connection: Connection = { id: "c1", status: "RECONNECT_REQUIRED", statusReason: "LOGIN_REQUIRED", institutionName: "Acme" };
const decision: Decision = decide(connection, { refreshAttempts: 1 });
const action: Action = decision.action;
const opens: boolean = decision.openWidget;
const wait: number | null = decision.retryAfterSeconds;
const text = explain({ status: "SOMETHING_NEW" }, { locale: "es-MX" });
const label: string | null = text.actionLabel;
const advice = advise(connection, "add_products", { products: ["TRANSACTIONS"] });
const endpoint: string | null = advice.endpoint;
defineCopy("fr", { login_required: { title: "Reconnectez {institution}", actionLabel: null } }, { fallback: "en" });
for (const { status, statusReason } of knownSituations()) decide({ status, statusReason });

type Mine = Connection & { nickname: string };
const mine: Mine[] = [{ ...connection, nickname: "Main" }];
const triaged = triage(mine, { locale: "es", includeDeleted: true });
const nickname: string = triaged.items[0].connection.nickname;
const folded: Mine[] = triaged.items[0].duplicates;
const needs: number = triaged.summary.needsAttention;
defineCopy("en", { summary_some: { title: "{count} of {total} to fix" } });
const following = new RepairFlow({ tokenUrl: "/t", statusUrl: "/api/meld/connection", follow: { timeoutMs: 60_000 } });
following.addEventListener("followend", (event) => event.detail.status === "timed_out");
following.start(connection).then((outcome) => outcome.followUp?.then((result) => result.connection?.status));
// @ts-expect-error includeDeleted is a boolean
triage(mine, { includeDeleted: "yes" });
// @ts-expect-error a summary code that does not exist
defineCopy("en", { summary_all: { title: "x" } });
// Customer words for outcomes and labels; a label may be a bare string, a verdict's may not.
defineCopy("fr", { close: "Fermer", repair_failed: { title: "Échec" } }, { fallback: "en" });
declare const thrown: MeldRepairError;
const said = explainOutcome({ status: "failed", error: thrown }, { locale: "es", institutionName: "Acme" });
const saidTitle: string = said.title;
const busyLabel: string = explainCopy("busy", { locale: "es" }).title;
// @ts-expect-error no such copy code
explainCopy("opening");
// @ts-expect-error a verdict's text is an object
defineCopy("fr", { login_required: "Reconnectez" });

// @ts-expect-error an intent that does not exist
advise(connection, "refresh_now");
// @ts-expect-error a verdict code that does not exist
defineCopy("fr", { login_requird: { title: "x" } });
// @ts-expect-error status is required
decide({ statusReason: "LOGIN_REQUIRED" });

const flow = new RepairFlow({ tokenUrl: "/api/meld/repair", mode: "popup", onEvent: (event) => event.name });
flow.addEventListener("statechange", (event) => {
  const state: "idle" | "fetching_token" | "open" | "completed" | "cancelled" | "failed" | "not_needed" = event.detail;
  return state;
});
// Fix all's way: the modal in the dark scheme, saying which one of how many.
flow.start(connection, { theme: "dark", progress: { count: 1, total: 3 } });
// @ts-expect-error a theme is "light" or "dark"
flow.start(connection, { theme: "sepia" });
async function repair(): Promise<string> {
  const outcome: RepairOutcome = await flow.start(connection);
  if (outcome.status === "completed") return outcome.metadata.institutionName ?? "";
  if (outcome.status === "failed") return outcome.error.code;
  if (outcome.status === "cancelled") return outcome.reason;
  return outcome.decision.code;
}

try {
  decide(connection);
} catch (error) {
  if (error instanceof MeldRepairError && error.code === "INVALID_CONNECTION" && !error.retryable) throw error;
}
export { action, opens, wait, label, endpoint, repair };
