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
import { decide, explain } from "meld-repair";
import { useRepairFlow } from "./useRepairFlow.js";
import "./style.css";

const SEVERITY = {
  error: { icon: "✕", label: "Error" },
  warning: { icon: "!", label: "Warning" },
  info: { icon: "i", label: "Info" },
  success: { icon: "✓", label: "OK" },
};

const STATE_TEXT = {
  idle: "",
  fetching_token: "Opening…",
  open: "Finish in the connection window",
  completed: "Reconnected",
  cancelled: "Cancelled",
  failed: "Could not reconnect",
};

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

function Connection({ connection, busy, onRepair, onPrefetch }) {
  const decision = decide(connection);
  const words = explain(connection);
  const severity = SEVERITY[words.severity];
  return (
    <li className={`connection severity-${words.severity}`} data-connection-id={connection.id}>
      <span className="badge">
        <span aria-hidden="true">{severity.icon}</span> {severity.label}
      </span>
      <h2 className="title">{words.title}</h2>
      <p className="message">{words.message}</p>
      {decision.openWidget && (
        <button
          type="button"
          aria-disabled={busy || undefined}
          onPointerEnter={() => onPrefetch(connection)}
          onFocus={() => onPrefetch(connection)}
          onClick={() => {
            if (!busy) onRepair(connection);
          }}
        >
          {words.actionLabel}
        </button>
      )}
    </li>
  );
}

function Outcome({ outcome, connections }) {
  if (!outcome) return null;
  const name = connections.find((c) => c.id === outcome.connectionId)?.institutionName ?? "your bank";
  const text = {
    completed: `Reconnected ${name}. Fresh data arrives shortly.`,
    cancelled: `Reconnecting ${name} was cancelled.`,
    failed: `Could not reconnect ${name}: ${outcome.error?.message}`,
    not_needed: `${name} needs no reconnection.`,
  }[outcome.status];
  return (
    <p id="outcome" className={`outcome outcome-${outcome.status}`} data-status={outcome.status} data-connection-id={outcome.connectionId ?? ""}>
      {text}
    </p>
  );
}

/**
 * The list and its repairs. It mounts once the connections are in, so its mount effects (the
 * hook's own, the prefetch, the deep-link repair) are the ones Strict Mode runs twice.
 */
function ConnectionList({ connections }) {
  const [startError, setStartError] = useState(null);
  const origins = useMemo(() => [widgetOrigin()], []);
  const { state, outcome, start, prefetch } = useRepairFlow({
    tokenUrl: "/api/meld/repair",
    allowedWidgetOrigins: origins,
    allowInsecureLoopback: true, // the simulator's widget is http://localhost
  });
  const running = state === "fetching_token" || state === "open";

  const repair = (connection) => {
    setStartError(null);
    start(connection).catch(setStartError);
  };

  useEffect(() => {
    // A link from a reminder email (`?repair=<connection id>`) opens that repair at once;
    // otherwise the token of the most urgent repair is warmed so its widget opens at once.
    const linked = new URLSearchParams(location.search).get("repair");
    const target = linked && connections.find((c) => c.id === linked);
    if (target) {
      start(target).catch(setStartError);
      return;
    }
    const urgent = connections.find((c) => decide(c).openWidget && decide(c).urgency === "required");
    if (urgent) prefetch(urgent);
  }, [connections, start, prefetch]);

  return (
    <div data-flow-state={state} id="repairs">
      <p className="status" role="status">
        {startError ? `Could not start: ${startError.message}` : STATE_TEXT[state]}
      </p>
      <Outcome outcome={outcome} connections={connections} />
      <ul className="connections" aria-label="Connections">
        {connections.map((connection) => (
          <Connection key={connection.id} connection={connection} busy={running} onRepair={repair} onPrefetch={prefetch} />
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
