// Types of the `meld-repair` package. The string unions between the region markers are
// generated from the Rust tables (tests/types.rs checks them; `UPDATE_TYPES=1 cargo test
// --test types` rewrites them); the rest is written by hand.

// #region generated from src/rules, src/explain and src/error
/** Every connection status the rules know, legacy 2022-11-10 ones last. */
export type KnownStatus =
  | "RECONNECT_REQUIRED"
  | "UNRECOVERABLE"
  | "ACTIVE"
  | "DEGRADED"
  | "PARTIALLY_ACTIVE"
  | "UNDETERMINED"
  | "IN_PROGRESS"
  | "EXPIRED"
  | "DELETED"
  | "RECONNECT_AVAILABLE"
  | "CUSTOMER_ACTION_REQUIRED";
/** Every status reason the rules name. */
export type KnownStatusReason =
  | "LOGIN_REQUIRED"
  | "TOKEN_EXPIRED"
  | "REPAIRING_INSTITUTION"
  | "OTHER"
  | "CONTINUED_AGGREGATION_FAILURES"
  | "ACCESS_EXPIRING_SOON"
  | "NEW_ACCOUNTS_AVAILABLE"
  | "INTERACTIVE_REFRESH"
  | "INSTITUTION_ACTION_REQUIRED"
  | "INSTITUTION_CURRENTLY_UNAVAILABLE"
  | "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"
  | "PARTIAL_AGGREGATION_SUCCESS"
  | "INACTIVE_DUPLICATE";
/** What the app should do. */
export type Action =
  | "repair"
  | "refresh"
  | "wait"
  | "contact_institution"
  | "resolve_duplicate"
  | "new_connection"
  | "none";
/** How much the customer's attention is needed. */
export type Urgency =
  | "required"
  | "recommended"
  | "optional"
  | "none";
/** Stable machine code of a verdict. */
export type Code =
  | "login_required"
  | "token_expired"
  | "repairing_institution"
  | "reconnect_required_other"
  | "reconnect_required"
  | "continued_aggregation_failures"
  | "unrecoverable"
  | "access_expiring_soon"
  | "new_accounts_available"
  | "healthy"
  | "interactive_refresh"
  | "institution_action_required"
  | "institution_unavailable"
  | "provider_unavailable"
  | "degraded"
  | "partial_aggregation"
  | "partial_aggregation_persists"
  | "inactive_duplicate"
  | "partially_active"
  | "partially_active_persists"
  | "undetermined"
  | "in_progress"
  | "expired"
  | "deleted"
  | "unknown_status";
/** Stable machine code of a `triage` summary. */
export type SummaryCode =
  | "summary_empty"
  | "summary_healthy"
  | "summary_updating"
  | "summary_optional"
  | "summary_one"
  | "summary_some";
/** Meld operations (and waiting or nothing). */
export type Operation =
  | "refresh"
  | "repair"
  | "update"
  | "delete"
  | "import"
  | "new_connection"
  | "wait"
  | "none";
/** What the app wants to do with a connection. */
export type Intent =
  | "fresh_data"
  | "add_products"
  | "remove"
  | "fix"
  | "migrate";
/** Meld's products. */
export type Product =
  | "BALANCES"
  | "IDENTIFIERS"
  | "INVESTMENT_HOLDINGS"
  | "INVESTMENT_TRANSACTIONS"
  | "OWNERS"
  | "TRANSACTIONS";
/** How an explanation should look. */
export type Severity =
  | "error"
  | "warning"
  | "info"
  | "success";
/** Locales shipped with the package. */
export type BuiltInLocale =
  | "en"
  | "es";
/** Every `MeldRepairError.code`. */
export type ErrorCode =
  | "INVALID_CONNECTION"
  | "INVALID_INTENT"
  | "INVALID_OPTIONS"
  | "INVALID_COPY"
  | "INVALID_WEBHOOK"
  | "TOKEN_ENDPOINT_FAILED"
  | "TOKEN_ENDPOINT_TIMEOUT"
  | "INVALID_TOKEN_RESPONSE"
  | "WIDGET_URL_REJECTED"
  | "POPUP_BLOCKED"
  | "SESSION_CLOSED"
  | "SESSION_IN_PROGRESS"
  | "OPERATION_NOT_ADVISED"
  | "CONNECTION_NOT_FOUND"
  | "MELD_CONFLICT"
  | "MELD_RATE_LIMITED"
  | "MELD_UNAVAILABLE"
  | "MELD_AUTH_FAILED"
  | "MELD_BAD_REQUEST"
  | "INVALID_REQUEST"
  | "REQUEST_TOO_LARGE"
  | "METHOD_NOT_ALLOWED"
  | "FORBIDDEN"
  | "REPAIR_NOT_NEEDED"
  | "INVALID_SIGNATURE"
  | "EVENT_HANDLER_FAILED"
  | "WASM_LOAD_FAILED"
  | "INTERNAL_ERROR";
// #endregion

/** Statuses are kept even when this version does not know them (`recognized: false`). */
export type Status = KnownStatus | (string & {});
export type StatusReason = KnownStatusReason | (string & {});

/**
 * A connection as Meld's API returns it (`GET /bank-linking/connections/{id}`). Only `status`
 * is required; fields this package does not read are ignored.
 */
export interface Connection {
  id?: string | null;
  status: Status;
  statusReason?: StatusReason | null;
  institutionId?: string | null;
  institutionName?: string | null;
  products?: Product[] | null;
  optionalProducts?: Product[] | null;
  serviceProviderDetails?: { serviceProvider?: string | null; [key: string]: unknown } | null;
  duplicateConnectionIds?: string[] | null;
  activeDuplicateConnectionId?: string | null;
  [key: string]: unknown;
}

export interface DecideOptions {
  /** How many refreshes (or checks) the app already made without the condition clearing. */
  refreshAttempts?: number;
}

export interface Decision {
  connectionId: string | null;
  /** Trimmed, upper-cased, legacy statuses mapped to today's. */
  status: Status;
  statusReason: StatusReason | null;
  /** The 2022-11-10 status this was mapped from (`RECONNECT_AVAILABLE`, `CUSTOMER_ACTION_REQUIRED`). */
  legacyStatus: KnownStatus | null;
  rawStatus: string;
  rawStatusReason: string | null;
  /** False for a status this version does not know: then `action` is `"wait"`. */
  recognized: boolean;
  /** True when the reason is none or one the rules name for this status. */
  reasonRecognized: boolean;
  action: Action;
  /** True exactly when the right move is Meld's widget with a repair connect token. */
  openWidget: boolean;
  /** True for repair, contact_institution and new_connection. */
  customerInvolved: boolean;
  urgency: Urgency;
  /** Stable machine code of the verdict; also keys the wording. */
  code: Code;
  /** For `"wait"`: seconds before looking again, doubled per `refreshAttempts`, at most a day. */
  retryAfterSeconds: number | null;
}

export interface ExplainOptions extends DecideOptions {
  /** BCP 47 tag; `es-MX` falls back to `es`, anything unknown to `en`. */
  locale?: string;
}

/** Plain text for the customer (never HTML: render it as text). */
export interface Explanation {
  title: string;
  message: string;
  /** Label of the button when the customer has something to do, else null. */
  actionLabel: string | null;
  severity: Severity;
  /** The locale the text came from. */
  locale: string;
  code: Code;
}

export interface AdviseOptions extends DecideOptions {
  /** For `add_products`: the products wanted. */
  products?: Product[];
}

export interface Advice {
  intent: Intent;
  operation: Operation;
  customerInvolved: boolean;
  /** Meld's method and path, `{connectionId}` where the id goes; null for wait and none. */
  endpoint: string | null;
  /** `endpoint` with the connection's id filled in when known. */
  path: string | null;
  /** Why, and what to watch for (billing, 409s, duplicates, webhooks). */
  note: string;
  /** For `fix`: the decision the advice follows. */
  decision?: Decision;
}

/**
 * The customer text that is not a verdict's: how a repair ended, and the element's and the
 * modal's labels (title only). Overridable with `defineCopy` like verdict codes.
 */
export type CopyCode =
  | "repair_completed" | "repair_still_updating" | "repair_cancelled" | "repair_window_lost" | "repair_failed" | "repair_failed_popup" | "repair_failed_final"
  | "repair_not_needed" | "connection_unavailable" | "dialog" | "dialog_progress" | "close" | "busy" | "window_open"
  | "severity_error" | "severity_warning" | "severity_info" | "severity_optional" | "severity_success" | "severity_updating";

export interface CopyOptions {
  locale?: string;
  /** Goes in for `{institution}` ("your bank" without it). */
  institutionName?: string | null;
}

/** What explainOutcome and explainCopy return: `code` is the copy code. */
export interface CopyExplanation extends Omit<Explanation, "code"> {
  code: CopyCode;
}

/** Text for one verdict code; missing fields fall back down the locale chain. */
export interface CopyText {
  title?: string;
  message?: string;
  /** `null` removes the button label. */
  actionLabel?: string | null;
}

export interface DefineCopyOptions {
  /** Where missing text comes from; `en` by default. */
  fallback?: string;
  /** Stands in for `{institution}` when a connection has no institution name. */
  yourInstitution?: string;
}

export interface TriageOptions extends ExplainOptions {
  /** Keep DELETED connections (left out by default: nothing can be done with them). */
  includeDeleted?: boolean;
}

/** One connection the customer should see. */
export interface TriageItem<C extends Connection = Connection> {
  /** The app's own object, as given. */
  connection: C;
  decision: Decision;
  explanation: Explanation;
  /** Meld's inactive duplicates of this connection (reference §10), never prompted on their own. */
  duplicates: C[];
}

/** One line for the whole list, e.g. "2 of your banks need you". Plain text. */
export interface TriageSummary {
  /** Items whose decision needs the customer, required or recommended. */
  needsAttention: number;
  /** The highest urgency among the items. */
  urgency: Urgency;
  code: SummaryCode;
  title: string;
  message: string;
  /** "Fix all" / "Fix it" when some item opens the widget, else null. */
  actionLabel: string | null;
  severity: Severity;
  locale: string;
}

export interface Triage<C extends Connection = Connection> {
  /** By urgency (required, recommended, optional, none), then the app's order. */
  items: TriageItem<C>[];
  summary: TriageSummary;
}

/** Does this connection need the customer, and what should the app do? */
export function decide(connection: Connection, options?: DecideOptions): Decision;
/** Words for the UI: title, message, button label and severity. */
export function explain(connection: Connection, options?: ExplainOptions): Explanation;
/** Which Meld operation serves the app's intent, with its endpoint and a note. */
export function advise(connection: Connection, intent: Intent, options?: AdviseOptions): Advice;
/**
 * Adds or overrides wording for a locale, keyed by verdict code. Templates may use
 * `{institution}`. Unknown codes throw `INVALID_COPY`.
 */
export function defineCopy(locale: string, texts: Partial<Record<Code | SummaryCode, CopyText>> & Partial<Record<CopyCode, CopyText | string>>, options?: DefineCopyOptions): void;
/**
 * What to show the customer about a repair's outcome (or `{ status: "failed", error }` for a
 * start that threw): worded by the error's `code` and `retryable`. A `MeldRepairError`'s
 * `message` is for logs, never for customers.
 */
export function explainOutcome(outcome: RepairOutcome | { status: "failed"; error: unknown }, options?: CopyOptions): CopyExplanation;
/** One of the element's or modal's labels, or an outcome's text, by its copy code. */
export function explainCopy(code: CopyCode, options?: CopyOptions): CopyExplanation;
/**
 * A customer's whole list: which connections need them and which first, Meld's duplicates
 * folded in, with one summary. Bad elements throw the coded errors of decide(), naming their
 * index; more than 5,000 connections throw INVALID_CONNECTION (triage them in pages).
 */
export function triage<C extends Connection>(connections: readonly C[], options?: TriageOptions): Triage<C>;
/** Forgets every `defineCopy`. */
export function resetCopy(): void;
/** Every status × reason the rules name (`statusReason: null` for no/unknown reason). */
export function knownSituations(): Array<{ status: KnownStatus; statusReason: KnownStatusReason | null }>;

/** What a webhook means for the app: switch on it. */
export type WebhookKind =
  | "status_change" | "connection_completed" | "connection_deleted" | "accounts_updating" | "accounts_updated"
  | "accounts_removed" | "new_accounts_available" | "transactions_updated" | "historical_transactions_updated"
  | "test" | "unknown";
/** A Meld webhook body (reference §14.1), parsed from JSON once its signature is verified. */
export interface MeldWebhook {
  eventType: string; eventId?: string; timestamp?: string; accountId?: string; profileId?: string; version?: string;
  payload?: { [key: string]: unknown } | null;
  [key: string]: unknown;
}
export interface InterpretWebhookOptions {
  /** Language of `explanation`, as for explain(). */
  locale?: string;
}
/** Every field is always present; `null` when the webhook does not carry it. */
export interface WebhookBase {
  kind: WebhookKind;
  /** Trimmed and upper-cased. */
  eventType: string;
  /** Meld retries (§14.6): the same event may come again; deduplicate on this. */
  eventId: string | null;
  /** When the event was created: keep the newest per connection, events can arrive late. */
  timestamp: string | null;
  connectionId: string | null; customerId: string | null; externalCustomerId: string | null;
  institutionId: string | null; institutionName: string | null;
  /** Sent with `WEBHOOK_TEST` and `BANK_LINKING_CONNECTION_COMPLETED`. */
  requestId: string | null;
  /** The 2022-11-10 event `BANK_LINKING_CUSTOMER_ACTION_REQUIRED`. */
  legacy: boolean;
  /** Ask the customer to act (= `decision.customerInvolved`), e.g. email "Reconnect your bank". */
  promptCustomer: boolean;
  /** Earlier prompts about this connection no longer apply (healthy again, repaired, deleted). */
  stopPrompts: boolean;
  /** Meld has new data: fetch `refetch` again. */
  dataChanged: boolean;
  refetch: "accounts" | "transactions" | null;
  /** The payload's `oldStatus` or `previousStatus`, upper-cased. */
  previousStatus: string | null;
  /** As decide() returns for the new status. */
  decision: Decision | null;
  /** As explain() returns for the new status, in `options.locale`. */
  explanation: Explanation | null;
  /** For the developer: what to do. */
  note: string;
}
export type WebhookInterpretation =
  | (WebhookBase & { kind: "status_change" | "new_accounts_available"; decision: Decision; explanation: Explanation })
  | (WebhookBase & { kind: Exclude<WebhookKind, "status_change" | "new_accounts_available">; decision: null; explanation: null; promptCustomer: false });
export interface VerifyWebhookSignatureOptions {
  /** The webhook profile's secret. */
  secret: string;
  /** The `meld-signature` header: padded base64url (accepted without its padding too). */
  signature: string;
  /** The `meld-signature-timestamp` header, as received. */
  timestamp: string;
  /** The URL Meld posted to, as configured in the webhook profile. */
  url: string;
  /** The raw body, before any JSON parsing. */
  body: string | ArrayBufferView | ArrayBuffer;
  /**
   * Resolve false when the timestamp (ISO-8601, or Unix seconds) is further than this from `now`, or unreadable:
   * a replayed event. Default 300; `Infinity` opts out and lets the signature alone count.
   */
  toleranceSeconds?: number;
  /** Default: the current time. A number is milliseconds since 1970. */
  now?: Date | number;
}
/** Node only (servers handle webhooks; the browser's module leaves them out). What a Meld webhook means for the app. Unknown event types come back as `kind: "unknown"`; a body that is not a webhook throws `INVALID_WEBHOOK`. */
export function interpretWebhook(event: MeldWebhook, options?: InterpretWebhookOptions): WebhookInterpretation;
/** Node only. Whether `signature` is Meld's for this request (reference §14.5), compared in constant time. Rejects with `INVALID_OPTIONS` when an argument is missing or of the wrong type. */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): Promise<boolean>;

/** Every error this package throws or reports. */
export class MeldRepairError extends Error {
  readonly name: "MeldRepairError";
  readonly code: ErrorCode;
  /** Whether trying again can help. */
  readonly retryable: boolean;
}

/** A widget event, typed by `name`; unknown names pass through with only `name`. */
export type WidgetEvent =
  | { name: "init" }
  | { name: "debug"; details: string | null }
  | { name: "error"; details: string | null; reason: string | null }
  | ({ name: "connect_complete" } & CompletedMetadata)
  | { name: string & {} };

export interface WidgetAccount {
  name: string | null;
  type: string | null;
  mask: string | null;
}

/** What the widget reported on `connect_complete`. */
export interface CompletedMetadata {
  institutionId: string | null;
  institutionName: string | null;
  accountCount: number | null;
  /** Null when the widget sent none (e.g. query-string metadata). */
  accounts: WidgetAccount[] | null;
}

/** Meld's repair response, relayed unchanged by the app's backend. */
export interface RepairTokenResponse {
  connectToken: string;
  widgetUrl: string;
  id: string;
  institutionId?: string | null;
}

export type FlowState = "idle" | "fetching_token" | "open" | "completed" | "cancelled" | "failed" | "not_needed";

export interface RepairFlowOptions {
  /** The app's backend route that calls Meld's POST /bank-linking/connect/repair. */
  tokenUrl?: string;
  /** Instead of tokenUrl: get Meld's repair response yourself. */
  fetchToken?: (connection: Connection, init: { signal: AbortSignal }) => Promise<RepairTokenResponse>;
  /** Extra headers for the POST to tokenUrl (e.g. a CSRF token). */
  headers?: Record<string, string>;
  /** Default "iframe": in `container`, or a built-in accessible modal without one. */
  mode?: "iframe" | "popup" | "tab";
  container?: Element | null;
  /** Default: Meld's production and sandbox widget origins. Checked once the flow's module is loaded (in Node at once; in a page `ready`, `prefetch` and `start` reject `INVALID_OPTIONS`). */
  allowedWidgetOrigins?: string[];
  /** Allows http:// widget URLs on localhost / 127.0.0.1 / [::1] (local simulators only). */
  allowInsecureLoopback?: boolean;
  /** Per attempt, through tokenUrl or fetchToken; default 10 000. */
  timeoutMs?: number;
  /** Retries of network errors, 5xx and 429 (from fetchToken: any throw but a MeldRepairError with `retryable: false`); default 2. */
  retries?: number;
  /** Widget size; default 360 × 630. */
  width?: number;
  height?: number;
  /** Language of the modal's title and close button ("en", "es"). */
  locale?: string;
  onEvent?: (event: WidgetEvent) => void;
  onStateChange?: (state: FlowState) => void;
  /**
   * After `completed`, follow the connection back to health: GET `statusUrl?connectionId=…`
   * (with `headers`; `createConnectionHandler` answers it) until decide() neither opens the
   * widget nor says to wait, or `follow.timeoutMs` passes.
   */
  statusUrl?: string;
  /** Instead of statusUrl: read the connection yourself. */
  fetchConnection?: (connectionId: string, init: { signal: AbortSignal }) => Promise<Connection>;
  /** The follow-up's backoff and bound, in ms: defaults 2 000, doubling up to 30 000, for at most 120 000. */
  follow?: { intervalMs?: number; maxIntervalMs?: number; timeoutMs?: number };
}

/** How a follow-up ended: `healthy`, the bound passed (`timed_out`), or close()/destroy() (`stopped`); the last connection seen. */
export interface FollowResult {
  status: "healthy" | "timed_out" | "stopped";
  connection: Connection | null;
  decision: Decision | null;
}

export type RepairOutcome =
  | { status: "completed"; connectionId: string; decision: Decision; metadata: CompletedMetadata; reason: null; error: null; dataArrivesByWebhook: true; note: string }
  | { status: "cancelled"; connectionId: string; decision: Decision; metadata: null; reason: "customer_closed" | "window_lost" | "app_closed" | "page_hidden"; error: null; dataArrivesByWebhook: false; note: null }
  | { status: "failed"; connectionId: string; decision: Decision; metadata: null; reason: null; error: MeldRepairError; dataArrivesByWebhook: false; note: null }
  | { status: "not_needed"; connectionId: string | null; decision: Decision };
// With statusUrl or fetchConnection, a completed outcome (and a cancelled one whose reason is
// `window_lost`) has `followUp`, resolving with how the follow-up ended.
export type FollowedOutcome = RepairOutcome & { followUp?: Promise<FollowResult> };

/** `start()`'s second argument: how the built-in modal looks. Another shape of either rejects `INVALID_OPTIONS`. */
export interface StartOptions {
  /** The modal's scheme; left out, it follows `prefers-color-scheme`. */
  theme?: "light" | "dark";
  /** One of a series (Fix all): the modal's title says "Reconnecting {count} of {total}: …" (`dialog_progress`). */
  progress?: { count: number; total: number };
}

export interface RepairFlowEventMap {
  /** The state changed; `detail` is the new state (as `onStateChange`). */
  statechange: CustomEvent<FlowState>;
  /** The widget posted an event; `detail` is it (as `onEvent`). */
  widgetevent: CustomEvent<WidgetEvent>;
  /** The follow-up read the connection again (each look). */
  connectionupdate: CustomEvent<{ connection: Connection; decision: Decision }>;
  /** The follow-up ended. */
  followend: CustomEvent<FollowResult>;
}

/**
 * The repair of a broken connection: token from the app's backend, Meld's widget, one outcome.
 * Also an EventTarget (`statechange`, `widgetevent`), so several parts of a page can watch it.
 */
export class RepairFlow extends EventTarget {
  constructor(options: RepairFlowOptions);
  readonly state: FlowState;
  /** Resolves once the flow's module is loaded (constructing starts loading it); rejects when it cannot load. */
  readonly ready: Promise<void>;
  /** Whether a session is running (`start()` for its connection joins it). */
  readonly running: boolean;
  /** Gets and caches the token ahead of the click; resolves true when one is ready, never rejects. */
  prefetch(connection: Connection): Promise<boolean>;
  /** Decides, fetches the token, shows the widget; resolves exactly once. */
  start(connection: Connection, options?: StartOptions): Promise<FollowedOutcome>;
  /** Whether a repaired connection is being followed back to health. */
  readonly following: boolean;
  /** Force-closes the running session; it resolves `cancelled` with reason `app_closed`. */
  close(): void;
  /** Closes and forgets every cached token (on logout). Later `start()` calls reject `SESSION_CLOSED`. */
  destroy(): void;
  addEventListener<K extends keyof RepairFlowEventMap>(type: K, listener: (event: RepairFlowEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RepairFlowEventMap>(type: K, listener: (event: RepairFlowEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}
