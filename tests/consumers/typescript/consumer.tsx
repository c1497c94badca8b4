// The React side as an app writes it in TSX, checked by `tsc --noEmit --strict` (jsx
// "react-jsx", moduleResolution "bundler", @types/react 19): the hook from meld-repair/react, and
// both elements typed as JSX intrinsic elements (attributes, properties, on<event> props).
import { useEffect, useRef } from "react";
import { explain, type Connection, type RepairOutcome } from "meld-repair";
import "meld-repair/element";
import "meld-repair/connections";
import type { MeldConnectionStatus } from "meld-repair/element";
import { useRepairFlow, type RepairFlowHook } from "meld-repair/react";

export function Card({ connection }: { connection: Connection }) {
  const { state, outcome, start, prefetch, close }: RepairFlowHook = useRepairFlow({ tokenUrl: "/api/meld/repair", mode: "popup" });
  const status = useRef<MeldConnectionStatus>(null);
  useEffect(() => {
    if (status.current) status.current.connection = connection;
    return close;
  }, [connection, close]);
  const done: RepairOutcome | null = outcome;
  return (
    <>
      <button type="button" onPointerEnter={() => prefetch(connection)} onClick={() => start(connection)}>
        {explain(connection).actionLabel}
      </button>
      <p>{state} {done?.status}</p>
      <meld-connection-status
        ref={status}
        id="status"
        token-url="/api/meld/repair"
        lang="es"
        theme="dark"
        mode="iframe"
        allow-insecure-loopback
        onmeld-repair-outcome={(event) => console.log(event.detail.status)}
        onmeld-repair-action={(event) => console.log(event.detail.action, event.detail.connectionId)}
        onmeld-repair-error={(event) => console.log(event.detail.code)}
      />
      <meld-connection-status connection={JSON.stringify(connection)} className="card" />
      <meld-connection-status connection={connection} />
      <meld-connections connections={[connection]} status-url="/api/meld/connection" follow-interval={2000} heading="Your banks"
        onmeld-connections-update={(event) => console.log(event.detail.summary.title)} />
      {/* @ts-expect-error the theme is light or dark */}
      <meld-connection-status theme="blue" />
      {/* @ts-expect-error mode is iframe, popup or tab */}
      <meld-connection-status mode="window" />
      {/* @ts-expect-error the outcome event carries a RepairOutcome */}
      <meld-connection-status onmeld-repair-outcome={(event) => event.detail.code} />
      {/* @ts-expect-error a connection is an object or its JSON */}
      <meld-connection-status connection={42} />
    </>
  );
}
