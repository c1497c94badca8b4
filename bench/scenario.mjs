// The scenario benchmark of issue #11: 1,000 simulated connections over a simulated month of
// status changes (outages, password changes, expiring consent, banks asking the customer to
// act, duplicates), and one app written the usual way (refresh on a schedule and whenever the
// customer opens a page, repair on any non-ACTIVE status) run twice against the simulated Meld
// API (sim/meld-api.mjs): sending its calls as they are, and through meld-repair/server's
// guarded client. Seeded, so every run gives the same table; it rewrites the scenario section
// of docs/benchmarks.md.
//
//   node bench/scenario.mjs [--no-write]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMeldClient } from "meld-repair/server";
import { SIM_API_KEY, createMeldApi } from "../sim/meld-api.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SEED = 20_261_101;
const CONNECTIONS = 1_000;
const DUPLICATE_PAIRS = 50; // 50 of the 1,000 are inactive duplicates of another one
const HOURS = 30 * 24;
const SCHEDULE_EVERY_HOURS = 12;
const VISITS_PER_HOUR = 1 / 36; // a customer opens the app about every day and a half
const HOUR_MS = 3_600_000;
const START = Date.parse("2026-11-01T00:00:00Z");

/**
 * What goes wrong, per connection per day, and for how long. Ground truth of the scenario,
 * written from the reference (§4.1), not from the package's tables: `widget` is whether the
 * customer signing in again in Meld's widget clears it, `atBank` whether the customer acting
 * at their bank does, `hours` how long it lasts when it heals by itself.
 */
const PROBLEMS = [
  { name: "institution outage", perDay: 0.02, status: "DEGRADED", reason: "INSTITUTION_CURRENTLY_UNAVAILABLE", hours: [2, 12] },
  { name: "provider outage", perDay: 0.01, status: "DEGRADED", reason: "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE", hours: [1, 6] },
  { name: "password changed", perDay: 0.005, status: "RECONNECT_REQUIRED", reason: "LOGIN_REQUIRED", widget: true },
  { name: "consent expiring", perDay: 0.003, status: "ACTIVE", reason: "ACCESS_EXPIRING_SOON", widget: true, expiresInto: { status: "RECONNECT_REQUIRED", reason: "TOKEN_EXPIRED", afterHours: 7 * 24 } },
  { name: "bank asks the customer to act", perDay: 0.002, status: "DEGRADED", reason: "INSTITUTION_ACTION_REQUIRED", atBank: true },
  { name: "interactive refresh", perDay: 0.002, status: "DEGRADED", reason: "INTERACTIVE_REFRESH", widget: true },
];
const PROVIDERS = [["PLAID", 0.35], ["MX", 0.25], ["FINICITY", 0.2], ["YODLEE", 0.1], ["AKOYA", 0.1]];
/** How often a prompted customer finishes what they are asked. */
const COMPLETES_WIDGET = 0.8;
const ACTS_AT_BANK = 0.7;

/** A number in [0, 1) fixed by its arguments, so both apps meet the very same world. */
function chance(...keys) {
  let h = SEED >>> 0;
  for (const key of keys) {
    h = Math.imul(h ^ key, 0x9e3779b1) >>> 0;
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

function initialConnections() {
  const connections = [];
  for (let i = 0; i < CONNECTIONS - DUPLICATE_PAIRS; i++) {
    let pick = chance(1, i);
    const [provider] = PROVIDERS.find(([, share]) => (pick -= share) < 0) ?? PROVIDERS[0];
    connections.push({
      id: `conn_${i}`,
      status: "ACTIVE",
      statusReason: null,
      institutionId: `inst_${i % 40}`,
      institutionName: `Bank ${i % 40}`,
      products: ["TRANSACTIONS", "BALANCES"],
      optionalProducts: [],
      serviceProviderDetails: { serviceProvider: provider },
      duplicateConnectionIds: null,
      activeDuplicateConnectionId: null,
      customerId: `cust_${i}`,
      externalCustomerId: `user_${i}`,
    });
  }
  // The same accounts linked twice through one provider (not Plaid, which never dedupes).
  const candidates = connections.filter((c) => c.serviceProviderDetails.serviceProvider !== "PLAID").slice(0, DUPLICATE_PAIRS);
  for (const [n, active] of candidates.entries()) {
    const duplicate = { ...structuredClone(active), id: `conn_dup_${n}`, status: "PARTIALLY_ACTIVE", statusReason: "INACTIVE_DUPLICATE" };
    for (const c of [active, duplicate]) Object.assign(c, { duplicateConnectionIds: [active.id, duplicate.id], activeDuplicateConnectionId: active.id });
    connections.push(duplicate);
  }
  return { connections, duplicated: candidates };
}

/** One run of the month against a fresh simulated Meld; `app` makes the calls. */
async function month(makeApp) {
  const { connections, duplicated } = initialConnections();
  let now = START;
  const meld = createMeldApi({ connections, now: () => now });
  const fetchMeld = (url, init) => meld.handle(new Request(url, init));
  // Problems belong to a login: a duplicate shares its accounts and its provider connection
  // with the one it duplicates, so reconnecting either clears both (reference §10).
  const loginOf = (id) => id.replace(/^conn_dup_(\d+)$/, (_, n) => duplicated[Number(n)].id);
  // After a refresh promotes a duplicate (§10), Meld's status changes land on whichever is active.
  const holder = (login) => meld.connection(login).activeDuplicateConnectionId ?? login;
  const problems = new Map(); // login → { problem, until }
  const tally = { prompts: 0, needlessPrompts: 0, repairsMintedNeedlessly: 0, refused: 0, fixedByCustomer: 0, brokenHours: 0 };
  const fixed = (login) => {
    problems.delete(login);
    meld.completeRepair(holder(login));
    tally.fixedByCustomer += 1;
  };
  const world = {
    meld,
    fetchMeld,
    problemOf: (id) => problems.get(loginOf(id))?.problem ?? null,
    /** The customer was shown the widget; they may finish it, which clears what the widget clears. */
    promptWidget(id, hour) {
      tally.prompts += 1;
      const problem = world.problemOf(id);
      if (!problem?.widget) tally.needlessPrompts += 1;
      else if (chance(7, hour, index(id)) < COMPLETES_WIDGET) fixed(loginOf(id));
    },
    /** The customer was told to act at their bank. */
    promptBank(id, hour) {
      tally.prompts += 1;
      const problem = world.problemOf(id);
      if (!problem?.atBank) tally.needlessPrompts += 1;
      else if (chance(8, hour, index(id)) < ACTS_AT_BANK) fixed(loginOf(id));
    },
    /** A repair token was minted: needless unless the widget can clear what is wrong. */
    minted(id) {
      if (!world.problemOf(id)?.widget) tally.repairsMintedNeedlessly += 1;
    },
    refused() {
      tally.refused += 1;
    },
  };
  const app = makeApp(world);
  const primaries = connections.filter((c) => !c.id.startsWith("conn_dup_"));
  const duplicateOf = new Map(connections.filter((c) => c.id.startsWith("conn_dup_")).map((d) => [d.activeDuplicateConnectionId, d.id]));

  for (let hour = 0; hour < HOURS; hour++) {
    now = START + hour * HOUR_MS;
    for (const [i, connection] of primaries.entries()) {
      const { id } = connection;
      const current = problems.get(id);
      if (current?.until === hour) {
        const next = current.problem.expiresInto;
        if (next) {
          problems.set(id, { problem: { ...current.problem, ...next, expiresInto: null } });
          meld.setStatus(holder(id), next.status, next.reason);
        } else {
          problems.delete(id);
          meld.setStatus(holder(id), "ACTIVE"); // healed by itself
        }
      } else if (!current) {
        let roll = chance(2, hour, i);
        const problem = PROBLEMS.find((p) => (roll -= p.perDay / 24) < 0);
        if (problem) {
          const until = problem.hours ? hour + problem.hours[0] + Math.floor(chance(3, hour, i) * (problem.hours[1] - problem.hours[0])) : problem.expiresInto ? hour + problem.expiresInto.afterHours : null;
          problems.set(id, { problem, until });
          meld.setStatus(holder(id), problem.status, problem.reason);
        }
      }
      if (problems.has(id)) tally.brokenHours += 1;
      const mine = duplicateOf.has(id) ? [id, duplicateOf.get(id)] : [id];
      if ((hour + i) % SCHEDULE_EVERY_HOURS === 0) for (const own of mine) await app.scheduled(own, hour);
      if (chance(4, hour, i) < VISITS_PER_HOUR) for (const own of mine) await app.pageOpened(own, hour);
    }
  }
  return { counts: meld.counts(), tally };
}

const index = (id) => Number(id.replace(/\D/g, "")) + (id.startsWith("conn_dup_") ? 100_000 : 0);

/** The usual app: its calls go to Meld as they are. */
function naiveApp(world) {
  const call = (method, path, body) =>
    world.fetchMeld(`https://api-sb.meld.io${path}`, { method, headers: { Authorization: `BASIC ${SIM_API_KEY}`, "Content-Type": "application/json" }, body: body && JSON.stringify(body) });
  const read = async (id) => (await call("GET", `/bank-linking/connections/${id}`)).json();
  return {
    scheduled: (id) => call("POST", `/bank-linking/connections/${id}/refresh`, {}),
    async pageOpened(id, hour) {
      const connection = await read(id);
      await call("POST", `/bank-linking/connections/${id}/refresh`, {});
      if (connection.status === "ACTIVE") return;
      const minted = await call("POST", "/bank-linking/connect/repair", { connectionId: id });
      if (minted.ok) {
        world.minted(id);
        world.promptWidget(id, hour);
      }
    },
  };
}

/** The same app through meld-repair/server: the client refuses what advise does not name. */
function guardedApp(world) {
  const client = createMeldClient({ apiKey: SIM_API_KEY, fetch: world.fetchMeld, retries: 0 });
  const skipRefusal = (error) => {
    if (error.code === "OPERATION_NOT_ADVISED") return world.refused();
    if (error.code !== "MELD_RATE_LIMITED") throw error;
  };
  return {
    scheduled: (id) => client.refresh(id).catch(skipRefusal),
    async pageOpened(id, hour) {
      const connection = await client.getConnection(id);
      await client.refresh(connection).catch(skipRefusal);
      if (connection.status === "ACTIVE") return;
      try {
        await client.repairToken(connection);
        world.minted(id);
        world.promptWidget(id, hour);
      } catch (error) {
        if (error.code !== "OPERATION_NOT_ADVISED") throw error;
        world.refused();
        // The refusal carries the decision: the one other prompt that helps is "act at your bank".
        if (error.advice.decision.action === "contact_institution") world.promptBank(id, hour);
      }
    },
  };
}

function row(name, { counts, tally }) {
  const needlessBilled = counts.forcedRefreshesWithoutData + tally.repairsMintedNeedlessly;
  return { name, requests: counts.requests, refused: tally.refused, noOp: counts.noOpCalls, rateLimited: counts.rateLimited, billed: counts.billedCalls, needlessBilled, prompts: tally.prompts, needlessPrompts: tally.needlessPrompts, fixed: tally.fixedByCustomer, brokenHours: tally.brokenHours };
}

async function main() {
  const started = performance.now();
  const naive = row("usual app, calls sent as written", await month(naiveApp));
  const guarded = row("same app through meld-repair/server", await month(guardedApp));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [
    `${CONNECTIONS.toLocaleString("en")} connections (${DUPLICATE_PAIRS} of them inactive duplicates), 30 simulated days by the hour, seed ${SEED}; a refresh of every connection every ${SCHEDULE_EVERY_HOURS} h and on every page open, a repair on any non-ACTIVE status. Computed in ${seconds} s.`,
    "",
    "| app | requests to Meld | refused by the guard (not sent) | no-op calls (409) | rate-limited (429) | billed calls | needless billed calls | customer prompts | needless prompts | problems the customer fixed | connection-hours broken |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...[naive, guarded].map((r) => `| ${r.name} | ${r.requests} | ${r.refused} | ${r.noOp} | ${r.rateLimited} | ${r.billed} | ${r.needlessBilled} | ${r.prompts} | ${r.needlessPrompts} | ${r.fixed} | ${r.brokenHours} |`),
  ];
  console.log(lines.join("\n"));
  if (guarded.noOp !== 0 || guarded.needlessBilled !== 0) {
    console.error("the guarded app made a no-op or a needless billed call");
    process.exitCode = 1;
  }
  if (process.argv.includes("--no-write")) return;
  const doc = join(root, "docs/benchmarks.md");
  const begin = "<!-- scenario: written by npm run bench (bench/scenario.mjs) -->";
  const end = "<!-- end of scenario -->";
  const text = readFileSync(doc, "utf8");
  const [head, rest] = text.split(begin);
  writeFileSync(doc, `${head}${begin}\n${lines.join("\n")}\n${end}${rest.split(end)[1]}`);
}

await main();
