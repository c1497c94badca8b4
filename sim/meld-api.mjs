// A simulator of Meld's bank-linking lifecycle API, written from the Meld lifecycle reference
// (§1 auth, version and error format, §3 connection object, §5 operations, §8 repair, §9 delete,
// §10 duplicates, §11 refresh, §12 update, §13 import), independently of the package's own
// tables: it is the oracle the server module is tested and benchmarked against.
//
//   const meld = createMeldApi();            // in process: await meld.handle(request) → Response
//   const { url } = await serveMeldApi(meld); // over HTTP
//
// It counts what Meld would bill (forced refreshes, repair tokens minted, product updates) and
// the calls that did nothing (409 Conflict), and keeps a clock of its own so a simulated month
// passes in milliseconds. Places where the reference only infers Meld's behaviour say [I].
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { loadConnections, meldError, repairResponse } from "./meld.mjs";

export const SIM_API_KEY = "sim_meld_api_key";

/** Meld-Version dates the simulator knows, oldest first (§1.3). */
const VERSIONS = ["2022-11-10", "2023-12-19"];
const ACCOUNT_DEFAULT_VERSION = "2023-12-19";

const PRODUCTS = ["BALANCES", "IDENTIFIERS", "INVESTMENT_HOLDINGS", "INVESTMENT_TRANSACTIONS", "OWNERS", "TRANSACTIONS"];
/** §5 and §11.3: the other statuses answer 409 (RECONNECT_REQUIRED too, per the newer page). */
const REFRESHABLE = ["ACTIVE", "PARTIALLY_ACTIVE", "DEGRADED", "UNDETERMINED"];
/** §5 and §4.1 "Can reconnect?"; which statuses the repair endpoint rejects is not documented [I]. */
const REPAIRABLE = ["RECONNECT_REQUIRED", "DEGRADED", "UNRECOVERABLE", "PARTIALLY_ACTIVE"];
const REPAIRABLE_WHILE_ACTIVE = ["ACCESS_EXPIRING_SOON", "NEW_ACCOUNTS_AVAILABLE"];
const TERMINAL = ["EXPIRED", "DELETED"];
/** §12: which providers add products to a live connection. */
const ADDS_PRODUCTS = { PLAID: "all", FINICITY: "all", AKOYA: "all", MX: "paired", YODLEE: "none", SALTEDGE: "none", SALTEDGEPARTNERS: "none", SALTEDGEOPENBANKING: "none", MESH: "none" };
const IMPORTABLE = ["PLAID", "AKOYA"];
/** §11.2: the providers' forced-refresh limits (only MX's is documented). */
const FORCED_REFRESH_INTERVAL_MS = { MX: 3 * 60 * 60 * 1000 };
/**
 * Whether a forced refresh brings data without the customer, by status and reason (§4.1): the
 * customer must be present for every refresh, or act at the bank first, or the institution or
 * provider is down.
 */
const REFRESH_BRINGS_NO_DATA = {
  DEGRADED: ["INTERACTIVE_REFRESH", "INSTITUTION_ACTION_REQUIRED", "INSTITUTION_CURRENTLY_UNAVAILABLE", "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE"],
};

const providerKey = (connection) => String(connection.serviceProviderDetails?.serviceProvider ?? "").toUpperCase().replace(/[\s_-]/g, "");

/** Counters start at zero and after reset(). */
const noCounts = () => ({
  requests: 0,
  forcedRefreshes: 0,
  forcedRefreshesWithoutData: 0,
  repairsMinted: 0,
  updates: 0,
  deletes: 0,
  imports: 0,
  noOpCalls: 0,
  rateLimited: 0,
  failed: 0,
});

/**
 * @param {object} [options]
 * @param {object[]} [options.connections] Meld connection objects (default: sim/connections.json)
 * @param {string} [options.apiKey]
 * @param {() => number} [options.now] the clock, in ms (default Date.now)
 * @param {string} [options.widgetOrigin] where repair widgetUrls point
 * @param {number | (() => number)} [options.aggregationDelayMs] how long Meld aggregates after a
 *   repair in the widget before the connection is ACTIVE again (real time)
 * @param {(event: object) => void} [options.onWebhook] receives each webhook Meld would send
 */
export function createMeldApi({ connections = loadConnections(), apiKey = SIM_API_KEY, now = Date.now, widgetOrigin = "https://institution-connect-sb.meld.io", aggregationDelayMs = 0, onWebhook = () => {} } = {}) {
  const store = new Map();
  /** connectToken → connection id, for the widget to say which repair it finished. */
  const repairTokens = new Map();
  const webhooks = [];
  const aggregations = new Set();
  const lastForcedRefresh = new Map();
  const failures = [];
  let counts = noCounts();
  let nextId = 1;
  const put = (connection) => store.set(connection.id, structuredClone(connection));
  for (const connection of connections) put(connection);
  const hangs = new Set();

  const answer = (status, body, headers = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
  const error = (status, message, headers) => {
    if (status === 409) counts.noOpCalls += 1;
    else if (status === 429) counts.rateLimited += 1;
    else counts.failed += 1;
    return answer(status, meldError(status, message), headers);
  };
  const accepted = (extra = {}) => answer(200, { requestId: randomBytes(12).toString("hex"), ...extra });

  async function handle(request) {
    counts.requests += 1;
    const version = resolveVersion(request.headers.get("meld-version"));
    const response = await route(request);
    response.headers.set("Meld-Version", version);
    return response;
  }

  async function route(request) {
    const auth = request.headers.get("authorization") ?? "";
    const [scheme, key] = auth.split(" ");
    if (scheme?.toUpperCase() !== "BASIC" || key !== apiKey) return error(401, "Invalid credentials");
    const failure = failures.shift();
    if (failure === "hang") return hang(request);
    if (failure !== undefined) return error(failure, `Simulated ${failure}`);

    const path = new URL(request.url).pathname;
    const method = request.method;
    if (method === "POST" && path === "/bank-linking/connect/repair") return repair(await bodyOf(request));
    if (method === "POST" && path === "/bank-linking/connections/import") return importConnections(await bodyOf(request));
    const match = /^\/bank-linking\/connections\/([^/]+)(\/refresh|\/update)?$/.exec(path);
    if (!match) return error(404, `No such endpoint: ${method} ${path}`);
    const connection = store.get(decodeURIComponent(match[1]));
    if (!connection) return error(404, `Connection ${decodeURIComponent(match[1])} not found in this environment`);
    const route = `${method} ${match[2] ?? ""}`;
    if (route === "GET ") return answer(200, connection);
    if (route === "DELETE ") return remove(connection);
    if (route === "POST /refresh") return refresh(connection, await bodyOf(request));
    if (route === "POST /update") return update(connection, await bodyOf(request));
    return error(405, `${method} is not allowed on ${path}`);
  }

  function refresh(connection, body) {
    if (body === undefined) return error(400, "The body must be JSON");
    const granted = [...(connection.products ?? []), ...(connection.optionalProducts ?? [])];
    const { products = [] } = body ?? {};
    if (!Array.isArray(products) || !products.every((p) => granted.includes(p))) {
      return error(400, "products may list only products granted when the connection was made");
    }
    if (!REFRESHABLE.includes(connection.status)) return error(409, `A ${connection.status} connection cannot be refreshed; repair it instead`);
    const interval = FORCED_REFRESH_INTERVAL_MS[providerKey(connection)];
    const last = lastForcedRefresh.get(connection.id);
    if (interval !== undefined && last !== undefined && now() - last < interval) {
      const seconds = Math.ceil((interval - (now() - last)) / 1000);
      return error(429, "The provider allows one forced refresh every 3 hours", { "Retry-After": String(seconds) });
    }
    lastForcedRefresh.set(connection.id, now());
    counts.forcedRefreshes += 1;
    if (connection.statusReason === "INACTIVE_DUPLICATE") promote(connection);
    if (REFRESH_BRINGS_NO_DATA[connection.status]?.includes(connection.statusReason)) counts.forcedRefreshesWithoutData += 1;
    else connection.successfullyAggregatedAt = new Date(now()).toISOString();
    return accepted({ serviceProviderDetails: null });
  }

  // §10: a refreshed inactive duplicate becomes the active one and inherits its status; the
  // previous active one becomes the inactive duplicate.
  function promote(connection) {
    const previous = store.get(connection.activeDuplicateConnectionId);
    if (previous && previous !== connection && previous.status !== "DELETED") {
      Object.assign(connection, { status: previous.status, statusReason: previous.statusReason });
      Object.assign(previous, { status: "PARTIALLY_ACTIVE", statusReason: "INACTIVE_DUPLICATE" });
    } else {
      Object.assign(connection, { status: "ACTIVE", statusReason: null });
    }
    for (const id of connection.duplicateConnectionIds ?? []) {
      const duplicate = store.get(id);
      if (duplicate) duplicate.activeDuplicateConnectionId = connection.id;
    }
  }

  function repair(body) {
    const connectionId = body?.connectionId;
    if (typeof connectionId !== "string" || connectionId === "") return error(400, "connectionId is required");
    const connection = store.get(connectionId);
    if (!connection) return error(404, `Connection ${connectionId} not found in this environment`);
    const repairable = REPAIRABLE.includes(connection.status) || (connection.status === "ACTIVE" && REPAIRABLE_WHILE_ACTIVE.includes(connection.statusReason));
    if (!repairable) return error(409, `A ${connection.status} connection cannot be repaired`);
    counts.repairsMinted += 1;
    const response = repairResponse(connection, { widgetOrigin, ttlSeconds: 14400, metadataFormat: "object", iat: Math.floor(now() / 1000) });
    repairTokens.set(response.connectToken, connection.id);
    return answer(200, response);
  }

  // §14.1 envelope, §14.3 payload.
  function emit(eventType, connection, extra = {}) {
    const event = {
      eventType,
      eventId: randomBytes(12).toString("hex"),
      timestamp: new Date(now()).toISOString(),
      accountId: "sim_account",
      profileId: "sim_profile",
      version: "2023-12-19",
      payload: {
        customerId: connection.customerId ?? null,
        connectionId: connection.id,
        institutionId: connection.institutionId ?? null,
        institutionName: connection.institutionName ?? null,
        serviceProviderDetails: { serviceProvider: connection.serviceProviderDetails?.serviceProvider ?? null },
        ...extra,
      },
    };
    webhooks.push(event);
    onWebhook(structuredClone(event));
  }

  // §14.4: the customer finished the widget. COMPLETED and ACCOUNTS_UPDATING at once; the status
  // stays as it was until aggregation ends, then ACTIVE with STATUS_CHANGE and ACCOUNTS_UPDATED.
  // [I] Meld's page says STATUS_CHANGE comes "together" with COMPLETED; the delay models the
  // minutes of aggregation issue #13 describes, and is 0 by default.
  function widgetCompleted(connectToken) {
    const connection = store.get(repairTokens.get(connectToken));
    if (!connection) return false;
    emit("BANK_LINKING_CONNECTION_COMPLETED", connection);
    emit("BANK_LINKING_ACCOUNTS_UPDATING", connection);
    const delay = typeof aggregationDelayMs === "function" ? aggregationDelayMs() : aggregationDelayMs;
    const timer = setTimeout(() => {
      aggregations.delete(timer);
      const oldStatus = connection.status;
      Object.assign(connection, { status: "ACTIVE", statusReason: null, successfullyAggregatedAt: new Date(now()).toISOString() });
      emit("BANK_LINKING_CONNECTION_STATUS_CHANGE", connection, { oldStatus, newStatus: "ACTIVE" });
      emit("BANK_LINKING_ACCOUNTS_UPDATED", connection);
    }, delay);
    aggregations.add(timer);
    return true;
  }

  function update(connection, body) {
    const products = body?.products;
    if (!Array.isArray(products) || products.length === 0 || !products.every((p) => PRODUCTS.includes(p))) {
      return error(400, `products must be a non-empty array of ${PRODUCTS.join(", ")}`);
    }
    if (TERMINAL.includes(connection.status)) return error(409, `A ${connection.status} connection cannot be updated`);
    const present = [...(connection.products ?? []), ...(connection.optionalProducts ?? [])];
    const missing = products.filter((p) => !present.includes(p));
    if (missing.length === 0) {
      counts.noOpCalls += 1; // accepted, and nothing to add [I]
      return accepted();
    }
    const support = ADDS_PRODUCTS[providerKey(connection)] ?? "all";
    const has = (p) => present.includes(p);
    const mxAdds = (p) =>
      p === "INVESTMENT_TRANSACTIONS" ? has("TRANSACTIONS") : p === "TRANSACTIONS" ? has("INVESTMENT_TRANSACTIONS") : has("TRANSACTIONS") || has("INVESTMENT_TRANSACTIONS") || has("INVESTMENT_HOLDINGS");
    if (support === "none" || (support === "paired" && !missing.every(mxAdds))) {
      return error(400, "The provider cannot add these products to an existing connection");
    }
    connection.optionalProducts = [...(connection.optionalProducts ?? []), ...missing];
    counts.updates += 1;
    return accepted();
  }

  // §9, §10: deleting the active duplicate promotes the most recently aggregated other one.
  function remove(connection) {
    if (connection.status === "DELETED") return error(409, "The connection is already deleted");
    const wasActive = connection.activeDuplicateConnectionId === connection.id;
    Object.assign(connection, { status: "DELETED", statusReason: null });
    counts.deletes += 1;
    if (wasActive) {
      const next = (connection.duplicateConnectionIds ?? []).map((id) => store.get(id)).find((d) => d && d.status !== "DELETED");
      if (next) {
        Object.assign(next, { status: "ACTIVE", statusReason: null });
        for (const id of connection.duplicateConnectionIds) store.get(id).activeDuplicateConnectionId = next.id;
      }
    }
    return accepted();
  }

  function importConnections(body) {
    const items = body?.connections;
    if (!Array.isArray(items) || items.length === 0) return error(400, "connections must be a non-empty array");
    const refused = items.find((item) => !IMPORTABLE.includes(providerKey(item ?? {})));
    if (refused) return error(400, "Only Plaid and Akoya connections can be imported");
    if (!items.every((item) => typeof item.externalCustomerId === "string" && item.externalCustomerId !== "")) {
      return error(400, "Each connection needs externalCustomerId");
    }
    for (const item of items) {
      put({
        ...item,
        id: `conn_imported_${nextId++}`,
        status: "ACTIVE",
        statusReason: null,
        products: item.products ?? ["BALANCES", "TRANSACTIONS"],
        optionalProducts: [],
        duplicateConnectionIds: null,
        activeDuplicateConnectionId: null,
        createdAt: new Date(now()).toISOString(),
        successfullyAggregatedAt: new Date(now()).toISOString(),
      });
    }
    counts.imports += items.length;
    return accepted();
  }

  function hang(request) {
    return new Promise((resolve) => {
      const release = () => resolve(error(503, "The simulator closed"));
      hangs.add(release);
      request.signal?.addEventListener("abort", release, { once: true });
    });
  }

  return {
    handle,
    /** A copy of the connection as Meld holds it now. */
    connection: (id) => structuredClone(store.get(id) ?? null),
    connections: () => [...store.values()].map((c) => structuredClone(c)),
    /** Adds or replaces a connection (a new link, or a test fixture). */
    put,
    /** Meld moving a connection to another status, as its aggregations do. */
    setStatus(id, status, statusReason = null) {
      const connection = store.get(id);
      if (!connection) throw new Error(`no connection ${id}`);
      Object.assign(connection, { status, statusReason });
    },
    /** The customer finished the repair widget: the connection is ACTIVE again (§8.4). */
    completeRepair(id) {
      this.setStatus(id, "ACTIVE", null);
    },
    /** The widget reports a finished repair by its connect token; false for a token it never minted. */
    widgetCompleted,
    /** Every webhook sent so far, oldest first. */
    webhooks: () => structuredClone(webhooks),
    /** The next answers, in order: an HTTP status, or "hang" for no answer at all. */
    failNext(...statuses) {
      failures.push(...statuses);
    },
    counts: () => ({ ...counts, billedCalls: counts.forcedRefreshes + counts.repairsMinted + counts.updates }),
    resetCounts() {
      counts = noCounts();
    },
    /** Back to the connections it was made with: no counts, no failures queued, no limits used. */
    reset() {
      store.clear();
      for (const connection of connections) put(connection);
      lastForcedRefresh.clear();
      repairTokens.clear();
      webhooks.length = 0;
      for (const timer of aggregations) clearTimeout(timer);
      aggregations.clear();
      failures.length = 0;
      counts = noCounts();
    },
    /** Answers every hanging request (used when the server closes). */
    releaseHangs() {
      for (const release of hangs) release();
      hangs.clear();
      for (const timer of aggregations) clearTimeout(timer);
      aggregations.clear();
    },
  };
}

/** The newest known version not newer than the one asked for; the oldest if older than all (§1.3). */
function resolveVersion(requested) {
  if (requested === null || !/^\d{4}-\d{2}-\d{2}$/.test(requested)) return ACCOUNT_DEFAULT_VERSION;
  return VERSIONS.filter((v) => v <= requested).at(-1) ?? VERSIONS[0];
}

/** The JSON body; undefined when there is one that is not JSON, null when there is none. */
async function bodyOf(request) {
  const text = await request.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Serves the simulator over HTTP; resolves { url, close }. */
export async function serveMeldApi(api, { port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const aborted = new AbortController();
      res.on("close", () => aborted.abort());
      const init = { method: req.method, headers: req.headers, signal: aborted.signal };
      if (req.method !== "GET" && req.method !== "HEAD") Object.assign(init, { body: Readable.toWeb(req), duplex: "half" });
      const response = await api.handle(new Request(`http://${req.headers.host ?? host}${req.url}`, init));
      if (res.destroyed) return;
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (err) {
      console.error("[meld-api]", err);
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        api.releaseHangs();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
