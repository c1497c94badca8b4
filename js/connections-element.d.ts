// Types of `meld-repair/connections`: the <meld-connections> custom element. Importing the
// module defines it (and <meld-connection-status>) where there is a DOM; on a server nothing.
import type { Connection, FollowedOutcome, MeldRepairError, Triage } from "./index.js";

/** The element's tag name. */
export declare const TAG_NAME: "meld-connections";

/**
 * `<meld-connections connections='[…]' token-url="/api/meld/repair-token" status-url="/api/meld/connection">`:
 * the triage() summary in a live region, a list under a heading with one
 * <meld-connection-status> per item, and "Fix all". Attributes as <meld-connection-status>
 * (`token-url`, `mode`, `lang`, `locale`, `theme`, `allow-insecure-loopback`, `allowed-widget-origins`),
 * plus `status-url` (follow each repair back to health: the card says "Reconnected", then its
 * healthy explanation, or "Still updating" past the bound), `follow-interval` and
 * `follow-timeout` (its first wait and bound, in ms) and `heading`. A `connections` attribute
 * that is not JSON is an `INVALID_CONNECTION` in `error` and the `meld-repair-error` event.
 */
export declare class MeldConnections extends HTMLElement {
  /** The customer's connections, in the app's order. */
  connections: Connection[];
  /** What triage() said of them; null when they cannot be read (see `error`). */
  readonly triage: Triage | null;
  readonly error: MeldRepairError | null;
  /** Whether "Fix all" is running. */
  readonly fixing: boolean;
  /** Repairs the items that open the widget one at a time; stops at the first that is not completed. */
  fixAll(): Promise<FollowedOutcome[]>;
}

declare global {
  interface HTMLElementTagNameMap {
    "meld-connections": MeldConnections;
  }
  interface HTMLElementEventMap {
    "meld-connections-update": CustomEvent<Triage>;
  }
}
