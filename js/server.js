// meld-repair/server: the calls an app's backend makes to Meld's lifecycle API, each sent only
// when advise() names that very operation (a wrong one no-ops with a 409 or is billed for
// nothing), Meld's answers as typed errors, and the two routes every app writes by hand (the
// repair token for RepairFlow, the webhook) as standard (Request) => Response handlers.
// Every rule comes from the wasm through the Node entry, so one instance serves both modules.
import { Readable } from "node:stream";
import { advise, decide, interpretWebhook, MeldRepairError, verifyWebhookSignature } from "./node.js";

export { CONNECTION_STATUS_STYLE_HASH, renderConnectionStatus } from "./render-status.js";

const BASE_URLS = { sandbox: "https://api-sb.meld.io", production: "https://api.meld.io" };
const DEFAULT_MELD_VERSION = "2023-12-19";
const RETRY_BASE_DELAY_MS = 250;

// Method and path of each call; tests/server checks them against advise's endpoints.
const CALLS = {
  get: ["GET", "/bank-linking/connections/{connectionId}"],
  refresh: ["POST", "/bank-linking/connections/{connectionId}/refresh"],
  repair: ["POST", "/bank-linking/connect/repair"],
  update: ["POST", "/bank-linking/connections/{connectionId}/update"],
  delete: ["DELETE", "/bank-linking/connections/{connectionId}"],
  import: ["POST", "/bank-linking/connections/import"],
};

const fail = (code, message, retryable = false, fields = {}) => Object.assign(new MeldRepairError(code, message, retryable), fields);
const invalidOptions = (message) => fail("INVALID_OPTIONS", message);
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

export function createMeldClient(options) {
  const { apiKey, meldVersion, fetch: send, timeoutMs, retries, baseUrl } = readClientOptions(options);
  // The key travels only in this header; any text Meld sends back is scrubbed of it too.
  const headers = { Authorization: `BASIC ${apiKey}`, "Meld-Version": meldVersion, Accept: "application/json" };
  const scrub = (text) => text.split(apiKey).join("[API key]");

  async function call(name, connectionId, body) {
    const [method, template] = CALLS[name];
    const url = baseUrl + template.replace("{connectionId}", encodeURIComponent(connectionId ?? ""));
    // Reading and deleting may be sent again after a failure; a second refresh, repair,
    // update or import could be billed or act twice.
    const idempotent = method === "GET" || method === "DELETE";
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(method, url, body);
      } catch (error) {
        // A delete retried after a 5xx that had in fact gone through finds it deleted.
        if (attempt > 0 && method === "DELETE" && error.code === "MELD_CONFLICT") return { requestId: error.requestId };
        if (error.code !== "MELD_UNAVAILABLE" || !idempotent || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_DELAY_MS * 2 ** attempt));
      }
    }
  }

  async function once(method, url, body) {
    const init = { method, headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" }, redirect: "error", signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response, text;
    try {
      response = await send(url, init);
      text = await response.text();
    } catch (cause) {
      const timedOut = cause?.name === "TimeoutError";
      throw fail("MELD_UNAVAILABLE", timedOut ? `Meld did not answer ${method} ${new URL(url).pathname} within ${timeoutMs} ms` : `Meld could not be reached for ${method} ${new URL(url).pathname}`, true);
    }
    let answer = null;
    try {
      answer = text === "" ? {} : JSON.parse(text);
    } catch {}
    if (response.ok) {
      if (!isObject(answer)) throw fail("MELD_UNAVAILABLE", `Meld answered ${method} ${new URL(url).pathname} with HTTP ${response.status} but no JSON object`, true, { status: response.status });
      return answer;
    }
    throw meldError(response, isObject(answer) ? answer : {}, `${method} ${new URL(url).pathname}`);
  }

  function meldError(response, answer, what) {
    const { status } = response;
    const requestId = typeof answer.requestId === "string" ? answer.requestId : null;
    const said = typeof answer.message === "string" ? `: ${scrub(answer.message)}` : "";
    const fields = { status, requestId, meldCode: typeof answer.code === "string" ? scrub(answer.code) : null };
    const ask = `Meld answered ${what} with HTTP ${status}${said}`;
    if (status === 404) return fail("CONNECTION_NOT_FOUND", `${ask}. Check the connection id and the environment (sandbox and production keep separate data).`, false, fields);
    if (status === 409) return fail("MELD_CONFLICT", `${ask}. The connection's status does not allow this operation; read it again and ask advise().`, false, fields);
    if (status === 429) {
      const retryAfterSeconds = retryAfter(response.headers.get("retry-after"));
      const wait = retryAfterSeconds === null ? "Back off" : `Try again in ${retryAfterSeconds} s`;
      return fail("MELD_RATE_LIMITED", `${ask}. The provider's limit was reached (MX: one forced refresh per 3 hours). ${wait}; do not loop.`, true, { ...fields, retryAfterSeconds });
    }
    if (status === 401 || status === 403) return fail("MELD_AUTH_FAILED", `${ask}. Meld refused the API key: check it and that it belongs to this environment.`, false, fields);
    if (status >= 500) return fail("MELD_UNAVAILABLE", `${ask}.`, true, fields);
    return fail("MELD_BAD_REQUEST", `${ask}.`, false, fields);
  }

  /** The connection object for an id (read from Meld) or as given. */
  async function connectionOf(connection) {
    if (typeof connection === "string") return getConnection(connection);
    if (!isObject(connection) || typeof connection.id !== "string" || connection.id === "") {
      throw fail("INVALID_CONNECTION", "pass Meld's connection object (with its id) or the connection id as a string");
    }
    return connection;
  }

  async function getConnection(id) {
    if (typeof id !== "string" || id.trim() === "") throw fail("INVALID_CONNECTION", "getConnection takes Meld's connection id, a non-empty string");
    return call("get", id);
  }

  // The sends themselves, once the guard (or act) has settled which operation it is.
  const perform = {
    refresh: (connection, { products } = {}) => call("refresh", connection.id, products === undefined ? {} : { products }),
    repair: (connection) => call("repair", null, { connectionId: connection.id }),
    update: (connection, { products }) => call("update", connection.id, { products }),
    delete: (connection) => call("delete", connection.id),
    import: (connections) => call("import", null, { connections }),
  };

  async function refresh(connection, options = {}) {
    const { products, force = false, refreshAttempts } = readObject(options, "refresh options");
    if (products !== undefined && !(Array.isArray(products) && products.every((p) => typeof p === "string"))) {
      throw invalidOptions("refresh options.products must be an array of Meld products, e.g. [\"TRANSACTIONS\"]; leave it out for all products");
    }
    if (typeof force !== "boolean") throw invalidOptions("refresh options.force must be a boolean");
    const target = await connectionOf(connection);
    const { advice, on } = await refreshAdvice(target, refreshAttempts);
    const forced = advice.operation !== "refresh";
    if (forced && !force) throw notAdvised(on, advice, "refresh");
    return { ...(await perform.refresh(target, { products })), operation: "refresh", forced, advice };
  }

  // A refresh of an inactive duplicate promotes it with the active duplicate's status
  // (reference §10), so it brings data only where a refresh of the active one would.
  async function refreshAdvice(target, refreshAttempts) {
    const advice = advise(target, "fresh_data", { refreshAttempts });
    const activeId = target.activeDuplicateConnectionId;
    if (advice.operation !== "refresh" || typeof activeId !== "string" || activeId === "" || activeId === target.id) return { advice, on: target };
    const inherited = advise(await getConnection(activeId), "fresh_data", { refreshAttempts });
    if (inherited.operation === "refresh") return { advice, on: target };
    return { advice: inherited, on: { id: `${target.id} (an inactive duplicate taking the status of ${activeId})` } };
  }

  async function repairToken(connection) {
    const target = await connectionOf(connection);
    guard(target, advise(target, "fix"), "repair");
    return perform.repair(target);
  }

  async function updateProducts(connection, products) {
    const target = await connectionOf(connection);
    const advice = guard(target, advise(target, "add_products", { products }), "update");
    return { ...(await perform.update(target, { products })), operation: "update", advice };
  }

  async function deleteConnection(connection) {
    const target = await connectionOf(connection);
    const advice = guard(target, advise(target, "remove"), "delete");
    return { ...(await perform.delete(target)), operation: "delete", advice };
  }

  async function importConnections(connections) {
    if (!Array.isArray(connections) || connections.length === 0 || !connections.every(isObject)) {
      throw invalidOptions("importConnections takes a non-empty array of provider import objects, each with serviceProviderDetails.serviceProvider");
    }
    // All or nothing: one connection Meld cannot import and none is sent.
    const advice = connections.map((item, index) => {
      const answer = advise(item, "migrate");
      if (answer.operation !== "import") throw notAdvised({ id: `connections[${index}]` }, answer, "import");
      return answer;
    });
    return { ...(await perform.import(connections)), operation: "import", advice };
  }

  /** Does what advise(connection, intent) names when it is a server-side call; otherwise says what the front end must do. */
  async function act(connection, intent, options = {}) {
    const { products, refreshAttempts } = readObject(options, "act options");
    // An import object has no Meld id yet; anything else is a connection Meld knows.
    const target = intent === "migrate" ? connection : await connectionOf(connection);
    const asked = advise(target, intent, { products, refreshAttempts });
    const advice = asked.operation === "refresh" ? (await refreshAdvice(target, refreshAttempts)).advice : asked;
    const { operation } = advice;
    if (operation === "wait") {
      const { retryAfterSeconds } = advice.decision ?? decide(target, { refreshAttempts });
      return { operation, advice, sent: false, result: null, retryAfterSeconds };
    }
    if (!Object.hasOwn(perform, operation)) return { operation, advice, sent: false, result: null };
    // A repair's result is the token for the front end: RepairFlow opens the widget with it.
    const result = operation === "import" ? await perform.import([target]) : await perform[operation](target, { products });
    return { operation, advice, sent: true, result };
  }

  return { getConnection, refresh, repairToken, updateProducts, deleteConnection, importConnections, act };
}

function guard(connection, advice, operation) {
  if (advice.operation !== operation) throw notAdvised(connection, advice, operation);
  return advice;
}

function notAdvised(connection, advice, operation) {
  const instead = advice.operation === "none" ? "nothing to call" : advice.operation === "wait" ? "wait" : `${advice.operation} instead`;
  return fail("OPERATION_NOT_ADVISED", `${operation} was not sent to Meld for ${connection.id}: for ${advice.intent} the advised operation is ${advice.operation} (${instead}). ${advice.note}`, false, { advice });
}

function readClientOptions(options) {
  const { apiKey, environment = "sandbox", baseUrl, meldVersion = DEFAULT_MELD_VERSION, fetch = (...args) => globalThis.fetch(...args), timeoutMs = 10_000, retries = 2 } = readObject(options, "createMeldClient options");
  if (typeof apiKey !== "string" || apiKey.trim() === "") throw invalidOptions("apiKey must be your Meld API key, a non-empty string (keep it on the server)");
  if (!Object.hasOwn(BASE_URLS, environment)) throw invalidOptions(`environment must be "sandbox" or "production"`);
  let base = BASE_URLS[environment];
  if (baseUrl !== undefined) {
    const parsed = typeof baseUrl === "string" && URL.canParse(baseUrl) ? new URL(baseUrl) : null;
    if (!parsed || !["http:", "https:"].includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
      throw invalidOptions("baseUrl must be an http(s) URL without credentials, query or fragment, e.g. a simulator's http://127.0.0.1:8082");
    }
    base = parsed.href.replace(/\/+$/, "");
  }
  if (typeof meldVersion !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(meldVersion)) throw invalidOptions("meldVersion must be a date like \"2023-12-19\" (Meld-Version header)");
  if (typeof fetch !== "function") throw invalidOptions("fetch must be a function like globalThis.fetch");
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) throw invalidOptions("timeoutMs must be a whole number of milliseconds above 0");
  if (!(Number.isSafeInteger(retries) && retries >= 0 && retries <= 10)) throw invalidOptions("retries must be a whole number from 0 to 10");
  return { apiKey, baseUrl: base, meldVersion, fetch, timeoutMs, retries };
}

function readObject(value, what) {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalidOptions(`${what} must be an object`);
  return value;
}

/** Retry-After in whole seconds (it may be a number of seconds or an HTTP date), or null. */
function retryAfter(header) {
  if (header === null) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : null;
}

// ---------------------------------------------------------------- request handlers

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };
const respond = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
const refusal = (status, code, message, headers) => respond(status, { code, message }, headers);

// What the browser is told when a Meld call fails: Meld's own status where it means the
// same to the front end, 502 where the fault is between this server and Meld.
const STATUS_OF = { CONNECTION_NOT_FOUND: 404, MELD_CONFLICT: 409, OPERATION_NOT_ADVISED: 409, MELD_RATE_LIMITED: 429, MELD_UNAVAILABLE: 503, MELD_AUTH_FAILED: 502, MELD_BAD_REQUEST: 502 };

function failure(error, onError) {
  const status = error instanceof MeldRepairError ? STATUS_OF[error.code] : undefined;
  if (status === undefined) {
    onError(error);
    return refusal(500, "INTERNAL_ERROR", "The server could not answer; see its log");
  }
  const headers = error.retryAfterSeconds != null ? { "Retry-After": String(error.retryAfterSeconds) } : {};
  return respond(status, { code: error.code, message: error.message, retryable: error.retryable, requestId: error.requestId ?? null }, headers);
}

/** The request body as bytes, or null past `limit` (read no further than that). */
async function readBody(request, limit) {
  const declared = Number(request.headers.get("content-length"));
  if (declared > limit) return null;
  if (request.body === null) return new Uint8Array(0);
  const chunks = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function readHandlerOptions(options, what, needs) {
  const read = readObject(options, `${what} options`);
  const { client, authorize, maxBodyBytes = 16 * 1024, onError = () => {} } = read;
  if (!isObject(client) || needs.some((method) => typeof client[method] !== "function")) throw invalidOptions(`${what} needs client: a createMeldClient() client`);
  if (typeof authorize !== "function") throw invalidOptions(`${what} needs authorize(request, connectionId): resolve true only when the signed-in user owns the connection`);
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) throw invalidOptions("maxBodyBytes must be a whole number of bytes above 0");
  if (typeof onError !== "function") throw invalidOptions("onError must be a function");
  return { client, authorize, maxBodyBytes, onError };
}

const CONNECTION_ID = /^[\w-]{1,128}$/;

/** The app's tokenUrl route: POST { connectionId } → Meld's repair answer, only when decide() opens the widget. */
export function createRepairTokenHandler(options) {
  const { client, authorize, maxBodyBytes, onError } = readHandlerOptions(options, "createRepairTokenHandler", ["getConnection", "repairToken"]);
  return async (request) => {
    try {
      if (request.method !== "POST") return refusal(405, "METHOD_NOT_ALLOWED", "Use POST with a JSON body { connectionId }", { Allow: "POST" });
      const bytes = await readBody(request, maxBodyBytes);
      if (bytes === null) return refusal(413, "REQUEST_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes`);
      let connectionId;
      try {
        ({ connectionId } = JSON.parse(new TextDecoder().decode(bytes)) ?? {});
      } catch {}
      if (typeof connectionId !== "string" || !CONNECTION_ID.test(connectionId)) {
        return refusal(400, "INVALID_REQUEST", "The body must be JSON { \"connectionId\": \"<Meld connection id>\" }");
      }
      if ((await authorize(request, connectionId)) !== true) return refusal(403, "FORBIDDEN", "This user may not repair that connection");
      const connection = await client.getConnection(connectionId);
      const decision = decide(connection);
      if (!decision.openWidget) {
        return respond(409, { code: "REPAIR_NOT_NEEDED", message: `The connection does not need the widget (decide: ${decision.action}); no repair token was minted`, decision });
      }
      return respond(200, await client.repairToken(connection));
    } catch (error) {
      return failure(error, onError);
    }
  };
}

/** GET ?connectionId=… → Meld's connection object, for a front end following a repair back to health. */
export function createConnectionHandler(options) {
  const { client, authorize, onError } = readHandlerOptions(options, "createConnectionHandler", ["getConnection"]);
  return async (request) => {
    try {
      if (request.method !== "GET") return refusal(405, "METHOD_NOT_ALLOWED", "Use GET ?connectionId=<Meld connection id>", { Allow: "GET" });
      const connectionId = new URL(request.url).searchParams.get("connectionId");
      if (connectionId === null || !CONNECTION_ID.test(connectionId)) return refusal(400, "INVALID_REQUEST", "Pass ?connectionId=<Meld connection id>");
      if ((await authorize(request, connectionId)) !== true) return refusal(403, "FORBIDDEN", "This user may not read that connection");
      return respond(200, await client.getConnection(connectionId));
    } catch (error) {
      return failure(error, onError);
    }
  };
}

/** A bounded in-memory record of handled event ids: the oldest is forgotten first. */
function memorySeen(limit = 10_000) {
  const ids = new Set();
  return {
    has: (id) => ids.has(id),
    add: (id) => {
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value);
    },
  };
}

/** Meld's webhook route: the signature over the raw bytes (replays refused), each eventId handled once, 200 only when onEvent resolves. */
export function createWebhookHandler(options) {
  const read = readObject(options, "createWebhookHandler options");
  const { secret, url, onEvent, toleranceSeconds = 300, seen = memorySeen(), maxBodyBytes = 1024 * 1024, onError = () => {} } = read;
  if (typeof secret !== "string" || secret === "") throw invalidOptions("secret must be the webhook profile's secret, a non-empty string");
  if (typeof url !== "string" || !URL.canParse(url)) throw invalidOptions("url must be the URL Meld posts to, exactly as configured in the webhook profile (it is signed)");
  if (typeof onEvent !== "function") throw invalidOptions("onEvent(interpretation, event) must be a function");
  if (!(typeof toleranceSeconds === "number" && toleranceSeconds >= 0)) throw invalidOptions("toleranceSeconds must be a number of seconds of at least 0, or Infinity to accept any timestamp");
  if (!isObject(seen) || typeof seen.has !== "function" || typeof seen.add !== "function") throw invalidOptions("seen must be a store { has(eventId), add(eventId) }, sync or async");
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) throw invalidOptions("maxBodyBytes must be a whole number of bytes above 0");
  if (typeof onError !== "function") throw invalidOptions("onError must be a function");
  return async (request) => {
    try {
      if (request.method !== "POST") return refusal(405, "METHOD_NOT_ALLOWED", "Meld posts webhooks", { Allow: "POST" });
      const body = await readBody(request, maxBodyBytes);
      if (body === null) return refusal(413, "REQUEST_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes`);
      const signature = request.headers.get("meld-signature");
      const timestamp = request.headers.get("meld-signature-timestamp");
      const genuine = signature !== null && timestamp !== null && (await verifyWebhookSignature({ secret, signature, timestamp, url, body, toleranceSeconds }));
      if (!genuine) return refusal(401, "INVALID_SIGNATURE", "The meld-signature does not match, or its timestamp is outside the tolerance");
      let event;
      try {
        event = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return refusal(400, "INVALID_WEBHOOK", "The signed body is not JSON");
      }
      const eventId = isObject(event) && typeof event.eventId === "string" && event.eventId !== "" ? event.eventId : null;
      if (eventId !== null && (await seen.has(eventId))) return respond(200, { received: true, duplicate: true });
      let interpretation;
      try {
        interpretation = interpretWebhook(event);
      } catch (error) {
        if (error?.code !== "INVALID_WEBHOOK") throw error;
        return refusal(400, "INVALID_WEBHOOK", error.message);
      }
      try {
        await onEvent(interpretation, event);
      } catch (error) {
        onError(error);
        return refusal(500, "EVENT_HANDLER_FAILED", "onEvent failed; Meld will send the event again");
      }
      if (eventId !== null) await seen.add(eventId);
      return respond(200, { received: true, duplicate: false });
    } catch (error) {
      return failure(error, onError);
    }
  };
}

/** Adapts a (Request) => Response handler to Node's http, Express and Connect: (req, res, next?). */
export function toNodeHandler(handler) {
  if (typeof handler !== "function") throw invalidOptions("toNodeHandler takes a (request: Request) => Promise<Response> handler");
  return async (req, res, next) => {
    try {
      const response = await handler(toRequest(req));
      res.statusCode = response.status;
      response.headers.forEach((value, name) => res.setHeader(name, value));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      if (typeof next === "function") return next(error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  };
}

function toRequest(req) {
  const protocol = req.socket?.encrypted ? "https" : "http";
  const url = new URL(req.originalUrl ?? req.url, `${protocol}://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const init = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD") {
    // A body parser (express.json / express.raw) may have read the stream already.
    if (typeof req.body === "string" || req.body instanceof Uint8Array) init.body = req.body;
    else if (req.body !== undefined && req.readableEnded) init.body = JSON.stringify(req.body);
    else {
      init.body = Readable.toWeb(req);
      init.duplex = "half";
    }
  }
  return new Request(url, init);
}
