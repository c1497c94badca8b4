"use client";
// A client component: decide() in the browser, the <meld-connection-status> element, and the
// useRepairFlow hook of meld-repair/react. (Next renders it on the server too, where the element
// module defines nothing and the hook makes no flow.)
import { useEffect, useRef, useState } from "react";
import { decide } from "meld-repair";
import "meld-repair/element";
import { useRepairFlow } from "meld-repair/react";

export default function ClientDecision({ connection }) {
  const [decision, setDecision] = useState("");
  const status = useRef(null);
  const { state, outcome, start } = useRepairFlow({ tokenUrl: "/api/meld/repair" });
  useEffect(() => {
    const { action, urgency } = decide(connection);
    setDecision(`${action} (${urgency})`);
    status.current.connection = connection;
    // A healthy connection: start() opens nothing and the outcome says "not_needed".
    start({ id: "conn_ok", status: "ACTIVE" });
  }, [connection, start]);
  return (
    <>
      <p id="decision">{decision}</p>
      <p id="flow-state">{outcome ? `${state}: ${outcome.status}` : state}</p>
      <meld-connection-status id="status" lang="es" ref={status} />
    </>
  );
}
