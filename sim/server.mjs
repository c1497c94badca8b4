// Local simulator for meld-repair: the app's own origin (static files, demo
// connections and the backend endpoints that ask Meld for a repair token), on a
// second origin a stand-in for Meld's connect widget, and on a third a simulator
// of Meld's lifecycle API (sim/meld-api.mjs) that the app's meld-repair/server
// routes call.
//
//   node sim/server.mjs          # env: PORT, WIDGET_PORT, MELD_API_PORT, SIM_LATENCY_MS,
//                                #      MELD_API_KEY + MELD_ENV for the real Meld API
import { createServer } from "node:http";
import { dirname, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createConnectionHandler, createMeldClient, createRepairTokenHandler, toNodeHandler } from "meld-repair/server";
import { BodyTooLargeError, readBody, send, sendJson, sendText, splitTarget } from "./http.mjs";
import { FAULTS, MELD_VERSION, faultAnswer, loadConnections, meldError, repairResponse } from "./meld.mjs";
import { SIM_API_KEY, createMeldApi, serveMeldApi } from "./meld-api.mjs";
import { MELD_API_BASE, handleRepair } from "./reference-backend.mjs";
import { cspFor, serveStatic } from "./static.mjs";
import { handleWidget } from "./widget-origin.mjs";

export { cspFor };

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_BODY_BYTES = 64 * 1024;

const DEFAULT_CONFIG = {
  latencyMs: 0, // delay before the repair endpoint answers
  failNext: [], // HTTP statuses for the next repair calls, in order
  fault: null, // one of FAULTS, applied to the next repair call
  faultSticky: false, // keep applying `fault` until it is changed
  tokenTtlSeconds: 14400, // exp - iat of issued tokens, as in Meld's sample
  metadataFormat: "object", // "query" makes widgetUrl ask for query-string event metadata
  aggregationDelayMs: 0, // after a repair in the widget, how long until the connection is ACTIVE
  redirectNext: null, // a redirect status for the next repair call, pointing back at this route
};

const CONFIG_CHECKS = {
  latencyMs: (v) => Number.isInteger(v) && v >= 0,
  failNext: (v) => Array.isArray(v) && v.every((s) => Number.isInteger(s) && s >= 400 && s <= 599),
  fault: (v) => v === null || FAULTS.includes(v),
  faultSticky: (v) => typeof v === "boolean",
  tokenTtlSeconds: (v) => Number.isInteger(v) && v > 0,
  metadataFormat: (v) => v === "object" || v === "query",
  aggregationDelayMs: (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31,
  redirectNext: (v) => v === null || [301, 302, 303, 307, 308].includes(v),
};

// Returns a new config with `partial` merged in; throws on unknown keys or bad values.
export function mergeConfig(current, partial) {
  if (partial === null || typeof partial !== "object" || Array.isArray(partial)) {
    throw new TypeError("config must be a JSON object");
  }
  for (const [key, value] of Object.entries(partial)) {
    if (!Object.hasOwn(CONFIG_CHECKS, key)) throw new TypeError(`unknown config key "${key}"`);
    if (!CONFIG_CHECKS[key](value)) throw new TypeError(`invalid ${key}: ${JSON.stringify(value)}`);
  }
  const merged = { ...current, ...partial };
  return { ...merged, failNext: [...merged.failNext] }; // never share the array that gets consumed
}

function resetSim(sim) {
  sim.config = mergeConfig(sim.defaults, {});
  sim.stats = { repairRequests: 0, repairRequestsByConnection: {}, lastRepairRequest: null };
}

export async function startSimulator({
  appPort = 8080,
  widgetPort = 8081,
  meldApiPort = 0,
  host = "127.0.0.1",
  root = REPO_ROOT,
  latencyMs = 0,
  referenceBackend = Boolean(process.env.MELD_API_KEY),
} = {}) {
  if (referenceBackend) meldApiBase(); // fail at start, not on the first request
  const closing = new AbortController();
  const sim = {
    root,
    referenceBackend,
    closing: closing.signal,
    connections: loadConnections(),
    defaults: mergeConfig(DEFAULT_CONFIG, { latencyMs }), // what reset() returns to
    widgetOrigin: null,
  };
  resetSim(sim);
  const widgetServer = createServer((req, res) => guard(res, handleWidget(req, res, (token) => sim.meldApi.widgetCompleted(token))));
  const appServer = createServer((req, res) => guard(res, handleApp(req, res, sim)));
  let meldApiServer = null;
  const close = async () => {
    closing.abort(); // ends pending latency waits
    await Promise.all([widgetServer, appServer].map(closeServer));
    await meldApiServer?.close();
  };

  let appUrl;
  try {
    sim.widgetOrigin = `http://localhost:${await listen(widgetServer, widgetPort, host)}`;
    sim.meldApi = createMeldApi({ connections: sim.connections, widgetOrigin: sim.widgetOrigin, aggregationDelayMs: () => sim.config.aggregationDelayMs });
    meldApiServer = await serveMeldApi(sim.meldApi, { port: meldApiPort, host });
    sim.routes = backendRoutes(sim, meldApiServer.url);
    appUrl = `http://localhost:${await listen(appServer, appPort, host)}`;
  } catch (err) {
    await close();
    throw err;
  }
  return {
    appUrl,
    widgetOrigin: sim.widgetOrigin,
    /** The simulated Meld API: its base URL, and the object (connections, counters, failNext). */
    meldApiUrl: meldApiServer.url,
    meldApi: sim.meldApi,
    setConfig: (partial) => structuredClone((sim.config = mergeConfig(sim.config, partial))),
    reset: () => {
      resetSim(sim);
      sim.meldApi.reset();
    },
    stats: () => structuredClone(sim.stats),
    close,
  };
}

// The app's backend as an app writes it with meld-repair/server: a client for Meld (the
// simulated API, or the real one when MELD_API_KEY is set) and the two routes. The demo user
// owns exactly the connections the page lists.
function backendRoutes(sim, meldApiUrl) {
  const client = sim.referenceBackend
    ? createMeldClient({ apiKey: process.env.MELD_API_KEY, environment: process.env.MELD_ENV ?? "sandbox" })
    : createMeldClient({ apiKey: SIM_API_KEY, baseUrl: meldApiUrl });
  const authorize = (_request, connectionId) => sim.connections.some((c) => c.id === connectionId);
  const onError = (error) => console.error("[sim backend]", error);
  return {
    "/api/meld/repair-token": toNodeHandler(createRepairTokenHandler({ client, authorize, onError })),
    "/api/meld/connection": toNodeHandler(createConnectionHandler({ client, authorize, onError })),
  };
}

function handleApp(req, res, sim) {
  const { path } = splitTarget(req.url);
  if (path === "/api/connections") return serveConnections(req, res, sim);
  if (path === "/api/meld/repair") return serveRepair(req, res, sim);
  if (Object.hasOwn(sim.routes, path)) return sim.routes[path](req, res);
  if (path.startsWith("/__sim/")) return serveControl(req, res, sim, path);
  return serveStatic(req, res, sim);
}

function serveConnections(req, res, sim) {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "Use GET" }, { Allow: "GET, HEAD" });
  sendJson(res, 200, sim.connections);
}

// POST /api/meld/repair: the app backend. It answers exactly like Meld's
// POST /bank-linking/connect/repair, unless a fault or failNext says otherwise.
async function serveRepair(req, res, sim) {
  if (req.method !== "POST") {
    return sendMeldJson(res, 405, meldError(405, "Use POST"), { Allow: "POST" });
  }
  if (sim.referenceBackend) {
    recordRepair(sim, req, null, undefined);
    return handleRepair(req, res); // the ten-line reference backend talks to real Meld
  }

  let body;
  try {
    body = await readBody(req, MAX_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    recordRepair(sim, req, null, undefined);
    return sendMeldJson(res, 413, meldError(413, err.message), { Connection: "close" });
  }
  const connectionId = parseConnectionId(body);
  recordRepair(sim, req, body, connectionId);
  if (!(await wait(sim.config.latencyMs, sim.closing))) return;

  if (connectionId === undefined) {
    return sendMeldJson(res, 400, meldError(400, 'Expected a JSON body like {"connectionId": "..."}', ["connectionId is required"]));
  }
  const connection = sim.connections.find((c) => c.id === connectionId);
  if (!connection) {
    return sendMeldJson(res, 404, meldError(404, `Connection ${connectionId} not found`, ["Connection not found"]));
  }
  // Failures and faults only hit requests that name a known connection, so a
  // malformed request never uses one up by accident.
  const failStatus = sim.config.failNext.shift();
  if (failStatus !== undefined) {
    return sendMeldJson(res, failStatus, meldError(failStatus, `Simulated ${failStatus}`, ["Something went wrong. Please try again."]));
  }
  const redirect = sim.config.redirectNext;
  if (redirect !== null) {
    // Back to this very route: a client that follows it makes a second request, and succeeds.
    sim.config.redirectNext = null;
    return send(res, redirect, "", { Location: "/api/meld/repair" });
  }
  const options = {
    widgetOrigin: sim.widgetOrigin,
    ttlSeconds: sim.config.tokenTtlSeconds,
    metadataFormat: sim.config.metadataFormat,
  };
  const fault = takeFault(sim.config);
  if (!fault) return sendMeldJson(res, 200, repairResponse(connection, options));

  const answer = faultAnswer(fault, connection, anotherConnection(sim, connection), options);
  if (answer.hang) return; // the socket stays open until close() destroys it
  const headers = { "Content-Type": answer.type };
  if (fault !== "html") headers["Meld-Version"] = MELD_VERSION; // "html" comes from a proxy, not Meld
  send(res, answer.status, answer.body, headers);
}

// Undefined unless the body is a JSON object with a non-empty string connectionId.
function parseConnectionId(body) {
  try {
    const { connectionId } = JSON.parse(body);
    return typeof connectionId === "string" && connectionId !== "" ? connectionId : undefined;
  } catch {
    return undefined;
  }
}

function recordRepair(sim, req, body, connectionId) {
  const { stats } = sim;
  stats.repairRequests += 1;
  if (connectionId !== undefined) {
    stats.repairRequestsByConnection[connectionId] = (stats.repairRequestsByConnection[connectionId] ?? 0) + 1;
  }
  stats.lastRepairRequest = { method: req.method, headers: { ...req.headers }, body };
}

function takeFault(config) {
  const { fault } = config;
  if (!config.faultSticky) config.fault = null;
  return fault;
}

function anotherConnection(sim, connection) {
  const index = sim.connections.indexOf(connection);
  return sim.connections[(index + 1) % sim.connections.length];
}

function sendMeldJson(res, status, body, headers = {}) {
  sendJson(res, status, body, { "Meld-Version": MELD_VERSION, ...headers });
}

// /__sim/config (GET, POST merge), /__sim/reset (POST), /__sim/stats (GET).
async function serveControl(req, res, sim, path) {
  const route = `${req.method} ${path}`;
  if (route === "GET /__sim/stats") return sendJson(res, 200, sim.stats);
  if (route === "GET /__sim/config") return sendJson(res, 200, sim.config);
  if (route === "POST /__sim/reset") {
    resetSim(sim);
    return sendJson(res, 200, sim.config);
  }
  if (route === "POST /__sim/config") {
    try {
      sim.config = mergeConfig(sim.config, JSON.parse(await readBody(req, MAX_BODY_BYTES)));
    } catch (err) {
      return sendJson(res, 400, { error: err.message });
    }
    return sendJson(res, 200, sim.config);
  }
  sendJson(res, 404, { error: `no simulator control at ${route}` });
}

// Resolves true after `ms`, or false if the simulator closes first.
async function wait(ms, signal) {
  if (ms === 0) return !signal.aborted;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

// Keeps one failing request from taking the process down.
function guard(res, work) {
  Promise.resolve(work).catch((err) => {
    console.error("[sim]", err);
    if (!res.headersSent) sendText(res, 500, "Simulator error");
    else res.destroy();
  });
}

function listen(server, port, host) {
  return new Promise((resolvePort, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolvePort(server.address().port);
    });
  });
}

function closeServer(server) {
  return new Promise((done) => {
    server.close(() => done()); // also fires, with an error, if it never listened
    server.closeAllConnections(); // includes requests left hanging on purpose
  });
}

function meldApiBase() {
  const env = process.env.MELD_ENV ?? "sandbox";
  if (!Object.hasOwn(MELD_API_BASE, env)) throw new Error(`MELD_ENV must be "sandbox" or "production", not "${env}"`);
  return MELD_API_BASE[env];
}

async function main() {
  const sim = await startSimulator({
    appPort: Number(process.env.PORT ?? 8080),
    widgetPort: Number(process.env.WIDGET_PORT ?? 8081),
    meldApiPort: Number(process.env.MELD_API_PORT ?? 8082),
    latencyMs: Number(process.env.SIM_LATENCY_MS ?? 0),
  });
  const mode = process.env.MELD_API_KEY
    ? `reference backend, forwarding to ${meldApiBase()}/bank-linking/connect/repair`
    : `simulated Meld (knobs: ${sim.appUrl}/__sim/config)`;
  const meld = process.env.MELD_API_KEY ? meldApiBase() : `simulated at ${sim.meldApiUrl}`;
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => sim.close().then(() => process.exit(0)));
  }
  console.log(`meld-repair simulator
  demo:            ${sim.appUrl}/
  widget origin:   ${sim.widgetOrigin}
  repair endpoint: ${mode}
  meld-repair/server routes: POST ${sim.appUrl}/api/meld/repair-token, GET ${sim.appUrl}/api/meld/connection?connectionId=…
  Meld API:        ${meld}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
