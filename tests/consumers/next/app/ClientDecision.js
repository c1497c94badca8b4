"use client";
// A client component: decide() in the browser, and the <meld-connection-status> element.
// (Next renders it on the server too, where the element module defines nothing.)
import { useEffect, useRef, useState } from "react";
import { decide } from "meld-repair";
import "meld-repair/element";

export default function ClientDecision({ connection }) {
  const [decision, setDecision] = useState("");
  const status = useRef(null);
  useEffect(() => {
    const { action, urgency } = decide(connection);
    setDecision(`${action} (${urgency})`);
    status.current.connection = connection;
  }, [connection]);
  return (
    <>
      <p id="decision">{decision}</p>
      <meld-connection-status id="status" lang="es" ref={status} />
    </>
  );
}
