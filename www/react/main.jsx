// The React example: the connections of GET /api/connections, explained by meld-repair, each
// with a Reconnect button where decide() says the widget is the answer, through useRepairFlow.
// Rendered in <StrictMode>, which runs effects twice: the hook keeps that to one flow, one
// backend request and one widget.
//
// DOM contract used by tests/e2e/react.test.mjs:
//   #app[data-state]                     "loading" → "ready" | "error"
//   #repairs[data-flow-state]            the flow's state; its [role=status] says it in words
//   li[data-connection-id]               one per connection, a button where decide().openWidget
//   #outcome[data-status][data-connection-id]   the last outcome
//   ?repair=<connection id>              starts that repair on load (a link from an email)
//   #sign-out                            unmounts the list (and so closes an open repair)
import { StrictMode, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { decide, explain, explainCopy, explainOutcome } from "meld-repair";
import { useRepairFlow } from "meld-repair/react";
import "./style.css";

// Every word a customer reads comes from meld-repair (explain, explainOutcome, explainCopy):
// one catalog, one locale chain, the app's defineCopy; a MeldRepairError's message is for logs.
const ICONS = { error: "✕", warning: "!", info: "i", success: "✓", optional: "+", updating: "↻" };
const copy = (code) => explainCopy(code).title;

/** The simulator's widget origin: ?widgetOrigin=…, else the app's port + 1 (as `npm start` runs it). */
function widgetOrigin() {
  const given = new URLSearchParams(location.search).get("widgetOrigin");
  if (given) return given;
  const port = Number(location.port || (location.protocol === "https:" ? 443 : 80));
  return `${location.protocol}//${location.hostname}:${port + 1}`;
}

function useConnections() {
  const [result, setResult] = useState({ state: "loading", connections: [], error: null });
  useEffect(() => {
    const controller = new AbortController();
    fetch("/api/connections", { signal: controller.signal })
      .then((response) => {
        if (!response.ok) throw new Error(`GET /api/connections answered ${response.status}`);
        return response.json();
      })
      .then(
        (connections) => setResult({ state: "ready", connections, error: null }),
        (error) => {
          if (!controller.signal.aborted) setResult({ state: "error", connections: [], error });
        },
      );
    return () => controller.abort();
  }, []);
  return result;
}

function Connection({ connection, outcome, busy, fetching, onRepair, onPrefetch, onAction }) {
  const decision = decide(connection);
  const name = connection.institutionName ?? null;
  const said = outcome?.connectionId === connection.id ? explainOutcome(outcome, { institutionName: name }) : null;
  // After a completed repair: success until the webhook brings the new status.
  const words = said && outcome.status === "completed" ? said : explain(connection);
  const failed = said && outcome.status === "failed" ? said : null;
  const label = fetching ? copy("busy") : failed ? failed.actionLabel : words.actionLabel;
  // An info card that asks for something (link again, add accounts) is optional, and a pending
  // success is updating, as the element shows them.
  const badge = words.code === "repair_completed" ? "updating" : words.severity === "info" && words.actionLabel ? "optional" : words.severity;
  return (
    <li className={`connection severity-${badge === "updating" ? "info" : words.severity}`} data-connection-id={connection.id} data-repair={said ? outcome.status : undefined}>
      <span className="badge">
        <span aria-hidden="true">{ICONS[badge]}</span> {copy(`severity_${badge}`)}
      </span>
      <h2 className="title">{words.title}</h2>
      <p className="message">{words.message}</p>
      {failed && (
        <div className="alert" role="alert">
          <strong>{failed.title}</strong> {failed.message}
        </div>
      )}
      {label && (
        <button
          type="button"
          aria-disabled={busy || undefined}
          aria-busy={fetching || undefined}
          onPointerEnter={() => decision.openWidget && onPrefetch(connection)}
          onFocus={() => decision.openWidget && onPrefetch(connection)}
          onClick={() => {
            if (busy) return;
            if (decision.openWidget) onRepair(connection);
            else onAction(connection, decision.action);
          }}
        >
          {label}
        </button>
      )}
    </li>
  );
}

function Outcome({ outcome, connections }) {
  if (!outcome) return null;
  const name = connections.find((c) => c.id === outcome.connectionId)?.institutionName ?? null;
  const said = explainOutcome(outcome, { institutionName: name });
  return (
    <p id="outcome" className={`outcome outcome-${outcome.status}`} data-status={outcome.status} data-connection-id={outcome.connectionId ?? ""}>
      {said.title}. {said.message}
    </p>
  );
}

/**
 * The list and its repairs. It mounts once the connections are in, so its mount effects (the
 * hook's own, the prefetch, the deep-link repair) are the ones Strict Mode runs twice.
 */
function ConnectionList({ connections }) {
  const [startError, setStartError] = useState(null);
  const [list, setList] = useState(connections);
  const [activeId, setActiveId] = useState(null);
  const origins = useMemo(() => [widgetOrigin()], []);
  const { state, outcome, start, prefetch } = useRepairFlow({
    tokenUrl: "/api/meld/repair",
    allowedWidgetOrigins: origins,
    allowInsecureLoopback: true, // the simulator's widget is http://localhost
  });
  const running = state === "fetching_token" || state === "open";

  const repair = (connection) => {
    setStartError(null);
    setActiveId(connection.id);
    start(connection).catch((error) => setStartError({ error, connectionId: connection.id }));
  };
  // "Check again" (contact_institution): ask the backend for the status again. A real app's
  // "Link again" (new_connection) opens Meld's link flow for a new connection.
  const act = (connection, action) => {
    if (action !== "contact_institution") return;
    fetch("/api/connections")
      .then((response) => response.json())
      .then(setList, () => {});
  };
  // A start that threw is shown like a failed outcome, on its card.
  const shown = running ? null : startError ? { status: "failed", error: startError.error, connectionId: startError.connectionId } : outcome;
  const fetchingId = state === "fetching_token" ? activeId : null;

  useEffect(() => {
    // A link from a reminder email (`?repair=<connection id>`) opens that repair at once;
    // otherwise the token of the most urgent repair is warmed so its widget opens at once.
    const linked = new URLSearchParams(location.search).get("repair");
    const target = linked && connections.find((c) => c.id === linked);
    if (target) {
      setActiveId(target.id);
      start(target).catch((error) => setStartError({ error, connectionId: target.id }));
      return;
    }
    const urgent = connections.find((c) => decide(c).openWidget && decide(c).urgency === "required");
    if (urgent) prefetch(urgent);
  }, [connections, start, prefetch]);

  return (
    <div data-flow-state={state} id="repairs">
      <p className="status" role="status">
        {state === "fetching_token" ? copy("busy") : state === "open" ? copy("window_open") : ""}
      </p>
      <Outcome outcome={shown} connections={list} />
      <ul className="connections" aria-label="Connections">
        {list.map((connection) => (
          <Connection
            key={connection.id}
            connection={connection}
            outcome={shown}
            busy={running}
            fetching={fetchingId === connection.id}
            onRepair={repair}
            onPrefetch={prefetch}
            onAction={act}
          />
        ))}
      </ul>
    </div>
  );
}

function App() {
  const { state, connections, error } = useConnections();
  const [signedIn, setSignedIn] = useState(true);
  return (
    <main id="app" data-state={state}>
      <h1>
        meld-repair <span className="muted">with React</span>
      </h1>
      <p className="muted">
        <code>useRepairFlow()</code> over <code>RepairFlow</code>, in Strict Mode. Any username and password work in the
        simulated widget.
      </p>
      {signedIn ? (
        <button id="sign-out" type="button" className="secondary" onClick={() => setSignedIn(false)}>
          Sign out
        </button>
      ) : (
        // Unmounting the list destroys its flow: an open repair closes with it.
        <p role="status">Signed out.</p>
      )}
      {state === "loading" && <p role="status">Loading connections…</p>}
      {state === "error" && <p role="alert">Could not load the connections: {error.message}</p>}
      {signedIn && state === "ready" && <ConnectionList connections={connections} />}
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
