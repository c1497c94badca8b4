// Types of `meld-repair/server`, written by hand; the codes and the advice come from the
// package's generated unions (js/index.d.ts).
import type { Advice, Connection, Decision, ErrorCode, Intent, MeldRepairError, Product, RepairTokenResponse, WebhookInterpretation, MeldWebhook } from "meld-repair";

export interface MeldClientOptions {
  /** Your Meld API key; sent as `Authorization: BASIC <apiKey>` and never in any error or result. */
  apiKey: string;
  /** Picks Meld's base URL: `https://api-sb.meld.io` (default) or `https://api.meld.io`. */
  environment?: "sandbox" | "production";
  /** Overrides the environment's base URL (a simulator, a proxy). */
  baseUrl?: string;
  /** The `Meld-Version` header; default "2023-12-19". */
  meldVersion?: string;
  /** Default: globalThis.fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per request; default 10 000. */
  timeoutMs?: number;
  /** Retries of 5xx and network failures for the idempotent calls (read, delete) only; default 2. */
  retries?: number;
}

/** A connection object as Meld returns it, or its id (then it is read from Meld first). */
export type ConnectionRef = Connection | string;

export interface RefreshOptions {
  /** Only these products; all when left out. */
  products?: Product[];
  /** Send even when advise() names another operation; the result says `forced: true`. */
  force?: boolean;
  /** As for decide(): refreshes already made without the condition clearing. */
  refreshAttempts?: number;
}

export interface RefreshResult {
  operation: "refresh";
  /** True when sent although advise() named another operation (`force: true`). */
  forced: boolean;
  advice: Advice;
  requestId: string;
  serviceProviderDetails?: { [key: string]: unknown } | null;
}

export interface OperationResult<O extends "update" | "delete"> {
  operation: O;
  advice: Advice;
  requestId?: string;
}

export interface ImportResult {
  operation: "import";
  /** One per import object, in order. */
  advice: Advice[];
  requestId?: string;
}

/** A provider connection to bring into Meld; `serviceProviderDetails.serviceProvider` says whose (Plaid, Akoya). */
export interface ImportConnection {
  serviceProviderDetails: { serviceProvider: string; [key: string]: unknown };
  externalCustomerId?: string;
  [key: string]: unknown;
}

export interface ActOptions {
  /** For add_products (and a refresh of only these products). */
  products?: Product[];
  refreshAttempts?: number;
}

export type ActResult =
  /** Sent: `result` is Meld's answer; for a repair, the token to hand to RepairFlow. */
  | { operation: "refresh" | "update" | "delete" | "import" | "repair"; advice: Advice; sent: true; result: { [key: string]: unknown } }
  /** Nothing sent: look again after `retryAfterSeconds`. */
  | { operation: "wait"; advice: Advice; sent: false; result: null; retryAfterSeconds: number | null }
  /** Nothing to send now: a new link in the widget, or nothing at all (see `advice.note`). */
  | { operation: "new_connection" | "none"; advice: Advice; sent: false; result: null };

export interface MeldClient {
  getConnection(id: string): Promise<Connection>;
  /** Sent only when advise(connection, "fresh_data") names refresh, unless `force`. */
  refresh(connection: ConnectionRef, options?: RefreshOptions): Promise<RefreshResult>;
  /** Sent only when advise(connection, "fix") names repair, i.e. when decide() opens the widget. */
  repairToken(connection: ConnectionRef): Promise<RepairTokenResponse>;
  /** Sent only when advise(connection, "add_products", { products }) names update. */
  updateProducts(connection: ConnectionRef, products: Product[]): Promise<OperationResult<"update">>;
  /** Sent only when advise(connection, "remove") names delete (not for a deleted connection). */
  deleteConnection(connection: ConnectionRef): Promise<OperationResult<"delete">>;
  /** All or nothing: sent only when advise(item, "migrate") names import for every item. */
  importConnections(connections: ImportConnection[]): Promise<ImportResult>;
  /** Does what advise(connection, intent) names when it is a server-side call; otherwise says what to do. */
  act(connection: ConnectionRef | ImportConnection, intent: Intent, options?: ActOptions): Promise<ActResult>;
}

export function createMeldClient(options: MeldClientOptions): MeldClient;

/** What the server module adds to a `MeldRepairError`, where it applies. */
export interface MeldServerError extends MeldRepairError {
  /** HTTP status of Meld's answer. */
  readonly status?: number;
  /** Meld's `requestId`, to quote to Meld's support. */
  readonly requestId?: string | null;
  /** Meld's own `code` field. */
  readonly meldCode?: string | null;
  /** `MELD_RATE_LIMITED`: Meld's Retry-After, when it sent one. */
  readonly retryAfterSeconds?: number | null;
  /** `OPERATION_NOT_ADVISED`: the whole advise() result; `note` says what to do instead. */
  readonly advice?: Advice;
}

/** A web-standard route handler (Next.js route handlers, Hono, Deno, Bun, Workers-style). */
export type Handler = (request: Request) => Promise<Response>;

/** The JSON body of every refusal a handler answers with. */
export interface HandlerRefusal {
  code: ErrorCode;
  message: string;
  retryable?: boolean;
  requestId?: string | null;
}

/** 409 from the repair-token route: the widget is not the answer; RepairFlow resolves `not_needed`. */
export interface RepairNotNeeded {
  code: "REPAIR_NOT_NEEDED";
  message: string;
  decision: Decision;
}

export interface RouteOptions {
  client: MeldClient;
  /** Resolve true only when the signed-in user owns the connection; anything else answers 403 with no call to Meld. */
  authorize: (request: Request, connectionId: string) => boolean | Promise<boolean>;
  /** Told of an unexpected error (answered 500). */
  onError?: (error: unknown) => void;
}

export interface RepairTokenHandlerOptions extends RouteOptions {
  /** Larger bodies answer 413; default 16 384. */
  maxBodyBytes?: number;
}

/** POST { connectionId } → 200 Meld's repair answer, or 405/400/413/403, 409 REPAIR_NOT_NEEDED, or Meld's failure. */
export function createRepairTokenHandler(options: RepairTokenHandlerOptions): Handler;
/** GET ?connectionId=… → 200 Meld's connection object, or 405/400/403 or Meld's failure. */
export function createConnectionHandler(options: RouteOptions): Handler;

/** Where handled event ids are kept; the default is in memory, the last 10 000. */
export interface SeenStore {
  has(eventId: string): boolean | Promise<boolean>;
  add(eventId: string): void | Promise<void>;
}

export interface WebhookHandlerOptions {
  /** The webhook profile's secret. */
  secret: string;
  /** The URL Meld posts to, exactly as configured in the webhook profile: it is part of what is signed. */
  url: string;
  /** Answered 200 when it resolves and 500 when it throws, so Meld sends the event again. */
  onEvent: (interpretation: WebhookInterpretation, event: MeldWebhook) => unknown;
  /** A signature timestamp further than this from now answers 401 (a replay); default 300, Infinity opts out. */
  toleranceSeconds?: number;
  seen?: SeenStore;
  /** Larger bodies answer 413; default 1 MiB. */
  maxBodyBytes?: number;
  onError?: (error: unknown) => void;
}

/** POST from Meld → 200 `{ received, duplicate }`, 401 INVALID_SIGNATURE, 400 INVALID_WEBHOOK, 500 EVENT_HANDLER_FAILED. */
export function createWebhookHandler(options: WebhookHandlerOptions): Handler;

/** Minimal shapes of Node's IncomingMessage / ServerResponse (and Express's), so no @types/node is needed. */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(chunk?: unknown): unknown;
}

/** Adapts a handler to Node's http, Express and Connect: `app.post("/api/meld/repair", toNodeHandler(handler))`. */
export function toNodeHandler(handler: Handler): (req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void) => Promise<void>;

export interface RenderConnectionStatusOptions {
  /** The language of the text, as for explain(); default "en". Written as the element's `lang`. */
  locale?: string;
  /** "light" | "dark"; without it the element follows `prefers-color-scheme`. */
  theme?: "light" | "dark";
  /** The page's CSP nonce, for the inline sheet (or allow CONNECTION_STATUS_STYLE_HASH in `style-src`). */
  nonce?: string;
  /**
   * More attributes of the element, such as `{ "token-url": "/api/meld/repair", id: "status" }`
   * (`true` for a boolean attribute). `connection`, `lang`, `locale` and `theme` come from the
   * arguments: naming them here throws INVALID_OPTIONS.
   */
  attributes?: Record<string, string | boolean>;
}

/**
 * `<meld-connection-status>` as HTML, with the element's own markup and sheet in a declarative
 * shadow root (`<template shadowrootmode="open">`): the page shows the explanation before any
 * script runs, and the element, once `meld-repair/element` loads, adopts that root as it is
 * (nothing moves). The connection goes in the `connection` attribute as JSON: pass only what the
 * page may hold. Throws INVALID_CONNECTION as explain() does, INVALID_OPTIONS for bad options.
 */
export function renderConnectionStatus(connection: Connection, options?: RenderConnectionStatusOptions): string;

/** The CSP source of the inline sheet (`'sha256-…'`), for `style-src` when no nonce is used. */
export declare const CONNECTION_STATUS_STYLE_HASH: string;
