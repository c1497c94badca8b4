// Types of `meld-repair/element`: the <meld-connection-status> custom element. Importing the
// module defines the element (once) where there is a DOM; on a server it defines nothing.
import type {
  Connection,
  Decision,
  Explanation,
  FlowState,
  MeldRepairError,
  RepairFlow,
  RepairOutcome,
  StartOptions,
  WidgetEvent,
} from "./index.js";

/** The element's tag name. */
export declare const TAG_NAME: "meld-connection-status";

/** The repair's state as the element saw it: "idle" until a repair starts, then RepairFlow's states. */
export type MeldConnectionStatusState = FlowState;

/** `detail` of `meld-repair-state`. */
export interface MeldRepairStateDetail {
  state: FlowState;
  connectionId: string | null;
}

/** `meld-repair-outcome`: the repair ended; `detail` is the RepairFlow outcome. */
export type MeldRepairOutcomeEvent = CustomEvent<RepairOutcome>;
/** `meld-repair-state`: the repair's state changed. */
export type MeldRepairStateEvent = CustomEvent<MeldRepairStateDetail>;
/** `meld-repair-event`: an event of Meld's widget (only with the element's own flow). */
export type MeldRepairWidgetEvent = CustomEvent<WidgetEvent>;
/**
 * `meld-repair-error`: the connection cannot be shown (`INVALID_CONNECTION`, e.g. the
 * attribute is not JSON), or a repair could not start (e.g. `INVALID_OPTIONS` without a
 * token-url, `SESSION_IN_PROGRESS`). A repair that fails once started is an outcome instead.
 */
export type MeldRepairErrorEvent = CustomEvent<MeldRepairError>;

/** `detail` of `meld-repair-action`: what the customer asked for that only the app can do. */
export interface MeldRepairActionDetail {
  /** `new_connection` ("Link again": start a new link), `contact_institution` ("Check again": refresh). */
  action: Decision["action"];
  connectionId: string | null;
  decision: Decision;
}
/** `meld-repair-action`: the customer pressed a button the widget cannot answer. */
export type MeldRepairActionEvent = CustomEvent<MeldRepairActionDetail>;

/** `detail` of `connectionupdate`: the connection the follow-up read again, and what decide() says of it. */
export interface ConnectionUpdateDetail {
  connection: Connection;
  decision: Decision;
}
/**
 * `connectionupdate`: after a completed repair, the follow-up (`status-url` or `fetchConnection`)
 * read the connection again; the element shows it (still "Reconnected" while Meld aggregates).
 */
export type ConnectionUpdateEvent = CustomEvent<ConnectionUpdateDetail>;

/** Events the element fires; all bubble and cross shadow roots (`composed`). */
export interface MeldConnectionStatusEventMap {
  "meld-repair-outcome": MeldRepairOutcomeEvent;
  "meld-repair-state": MeldRepairStateEvent;
  "meld-repair-event": MeldRepairWidgetEvent;
  "meld-repair-error": MeldRepairErrorEvent;
  "meld-repair-action": MeldRepairActionEvent;
  connectionupdate: ConnectionUpdateEvent;
}

/** Attributes, all optional. */
export interface MeldConnectionStatusAttributes {
  /** Meld's connection object as JSON (or set the `connection` property). */
  connection?: string;
  /** The app's backend route that asks Meld for a repair token (or set the `flow` property). */
  "token-url"?: string;
  /** "iframe" (default: a built-in modal) | "popup" | "tab". */
  mode?: "iframe" | "popup" | "tab";
  /** Boolean attribute: allows http:// widget URLs on loopback (local simulators only). */
  "allow-insecure-loopback"?: boolean | "";
  /** Space-separated widget origins; default Meld's production and sandbox origins. */
  "allowed-widget-origins"?: string;
  /** "light" | "dark"; without it the element follows `prefers-color-scheme`. */
  theme?: "light" | "dark";
  /**
   * After a completed repair, follow the connection back to health: GET `status-url?connectionId=…`
   * (the app's backend answers with Meld's connection, as `createConnectionHandler` does).
   */
  "status-url"?: string;
  /** The follow-up's first wait, in ms (doubling up to 30 000); default 2 000. */
  "follow-interval"?: number | string;
  /** The follow-up's bound, in ms: then "Still updating"; default 120 000. */
  "follow-timeout"?: number | string;
  /** Language of the text ("en", "es", … falling back like explain()); `locale` wins over `lang`. */
  lang?: string;
  locale?: string;
}

/**
 * `<meld-connection-status>`: a connection's explanation (title, message, severity as text and
 * icon) and, when `decide()` says the widget is the answer, a button that runs a RepairFlow.
 * A declarative shadow root from `renderConnectionStatus` (meld-repair/server) is adopted as it
 * is, so a server-rendered page does not move when the element loads.
 * Parts: `card`, `title`, `message`, `badge`, `alert`, `button`, `status`. Custom properties:
 * `--meld-repair-accent`, `--meld-repair-error`, `--meld-repair-warning`,
 * `--meld-repair-success`, `--meld-repair-radius`, `--meld-repair-font`.
 */
export declare class MeldConnectionStatus extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Meld's connection object; setting it re-renders. */
  connection: Connection | null;
  /** An app-owned RepairFlow to run repairs with; null builds one from the attributes. */
  flow: RepairFlow | null;
  /**
   * Instead of `status-url`: how the element's own flow reads the connection again after a
   * repair (RepairFlow's `fetchConnection`). Not a function: throws `INVALID_OPTIONS`.
   */
  fetchConnection: ((connectionId: string, init: { signal: AbortSignal }) => Promise<Connection>) | null;
  /** What decide() says about the connection; null without a readable one. */
  readonly decision: Decision | null;
  /** What explain() says in the element's locale; null without a readable connection. */
  readonly explanation: Explanation | null;
  readonly state: MeldConnectionStatusState;
  /** Why the connection cannot be shown, or null. */
  readonly error: MeldRepairError | null;
  /**
   * Runs the repair, its modal in the element's `theme`; `options` as RepairFlow's (`progress`).
   * Resolves with the outcome (also fired as `meld-repair-outcome`).
   */
  start(options?: StartOptions): Promise<RepairOutcome>;
  /** Gets the token ahead of the click; resolves true when one is ready, never rejects. */
  prefetch(): Promise<boolean>;

  addEventListener<K extends keyof MeldConnectionStatusEventMap>(
    type: K,
    listener: (this: MeldConnectionStatus, event: MeldConnectionStatusEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: MeldConnectionStatus, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof MeldConnectionStatusEventMap>(
    type: K,
    listener: (this: MeldConnectionStatus, event: MeldConnectionStatusEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: MeldConnectionStatus, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "meld-connection-status": MeldConnectionStatus;
  }
  /** The element's events bubble and are composed: typed on document and window listeners too. */
  interface GlobalEventHandlersEventMap extends MeldConnectionStatusEventMap {}
}
