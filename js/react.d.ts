// Types of `meld-repair/react`: the useRepairFlow hook, and the elements as TSX knows them.
// Importing anything from this module (or `import type {} from "meld-repair/react"`) types
// <meld-connection-status> and <meld-connections> in JSX; the elements themselves are defined at
// run time by `import "meld-repair/element"` and `import "meld-repair/connections"`.
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type { Connection, FlowState, RepairFlow, RepairFlowOptions, RepairOutcome } from "meld-repair";
import type {
  MeldConnectionStatus,
  MeldConnectionStatusAttributes,
  MeldRepairActionEvent,
  MeldRepairErrorEvent,
  MeldRepairOutcomeEvent,
  MeldRepairStateEvent,
  MeldRepairWidgetEvent,
} from "meld-repair/element";
import type { MeldConnections } from "meld-repair/connections";
import type { Triage } from "meld-repair";

export interface RepairFlowHook {
  /** The flow's state; re-renders on every change. */
  state: FlowState;
  /** The outcome of the last start(), once it ended; null before and while it runs. */
  outcome: RepairOutcome | null;
  /** Runs the repair (a second call for the same connection joins the first). */
  start(connection: Connection): Promise<RepairOutcome>;
  /** Fetches the token ahead of the click (hover, focus); never rejects. */
  prefetch(connection: Connection): Promise<boolean>;
  /** Closes a running session (its outcome is "cancelled"). */
  close(): void;
}

/**
 * RepairFlow as a hook, safe under Strict Mode: one flow per mounted component and per set of
 * options that shape it (tokenUrl, mode, origins, headers, timeouts, locale, container); new
 * callbacks on each render make no new flow. Unmounting destroys the flow (a running session
 * resolves "cancelled", reason "app_closed").
 */
export function useRepairFlow(options: RepairFlowOptions): RepairFlowHook;

/**
 * React 19 sets a prop the element has as a property (so `connection` may be the object once
 * the element is defined; before that, and on a server, give the JSON) and listens to
 * `on<event-name>` props.
 */
export interface MeldConnectionStatusProps
  extends DetailedHTMLProps<HTMLAttributes<MeldConnectionStatus>, MeldConnectionStatus>,
    Omit<MeldConnectionStatusAttributes, "connection" | "lang"> {
  connection?: Connection | string;
  flow?: RepairFlow | null;
  "onmeld-repair-outcome"?: (event: MeldRepairOutcomeEvent) => void;
  "onmeld-repair-state"?: (event: MeldRepairStateEvent) => void;
  "onmeld-repair-event"?: (event: MeldRepairWidgetEvent) => void;
  "onmeld-repair-error"?: (event: MeldRepairErrorEvent) => void;
  "onmeld-repair-action"?: (event: MeldRepairActionEvent) => void;
}

export interface MeldConnectionsProps
  extends DetailedHTMLProps<HTMLAttributes<MeldConnections>, MeldConnections>,
    Omit<MeldConnectionStatusAttributes, "connection" | "lang" | "theme"> {
  /** The customer's connections, as JSON (or the array, once the element is defined). */
  connections?: Connection[] | string;
  /** GET `?connectionId=` (createConnectionHandler): follows each repair back to health. */
  "status-url"?: string;
  /** The first wait and the bound of that following, in ms. */
  "follow-interval"?: number | string;
  "follow-timeout"?: number | string;
  /** The list's heading. */
  heading?: string;
  "onmeld-connections-update"?: (event: CustomEvent<Triage>) => void;
  "onmeld-repair-error"?: (event: MeldRepairErrorEvent) => void;
  "onmeld-repair-outcome"?: (event: MeldRepairOutcomeEvent) => void;
  "onmeld-repair-action"?: (event: MeldRepairActionEvent) => void;
}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "meld-connection-status": MeldConnectionStatusProps;
      "meld-connections": MeldConnectionsProps;
    }
  }
}
