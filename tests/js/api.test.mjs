// The built package, imported by its name as an app would, in Node: every rule of issue #2
// through the wasm boundary, the typed errors, and the wording API.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  advise,
  decide,
  defineCopy,
  explain,
  knownSituations,
  MeldRepairError,
  resetCopy,
} from "meld-repair";

const conn = (status, statusReason, extra = {}) => ({ id: "conn_1", status, statusReason, ...extra });

// [status, reason, action, urgency, options]: the product table of issue #2, row by row.
const TABLE = [
  ["RECONNECT_REQUIRED", "LOGIN_REQUIRED", "repair", "required"],
  ["RECONNECT_REQUIRED", "TOKEN_EXPIRED", "repair", "required"],
  ["RECONNECT_REQUIRED", "REPAIRING_INSTITUTION", "repair", "required"],
  ["RECONNECT_REQUIRED", "OTHER", "repair", "required"],
  ["RECONNECT_REQUIRED", null, "repair", "required"],
  ["RECONNECT_REQUIRED", "SOMETHING_NEW", "repair", "required"],
  ["UNRECOVERABLE", "CONTINUED_AGGREGATION_FAILURES", "repair", "required"],
  ["UNRECOVERABLE", undefined, "repair", "required"],
  ["ACTIVE", "ACCESS_EXPIRING_SOON", "repair", "recommended"],
  ["ACTIVE", "NEW_ACCOUNTS_AVAILABLE", "repair", "optional"],
  ["ACTIVE", null, "none", "none"],
  ["ACTIVE", "SOMETHING_NEW", "none", "none"],
  ["DEGRADED", "INTERACTIVE_REFRESH", "repair", "recommended"],
  ["DEGRADED", "INSTITUTION_ACTION_REQUIRED", "contact_institution", "required"],
  ["DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE", "wait", "none"],
  ["DEGRADED", "SERVICE_PROVIDER_CURRENTLY_UNAVAILABLE", "wait", "none"],
  ["DEGRADED", null, "wait", "none"],
  ["DEGRADED", "SOMETHING_NEW", "wait", "none"],
  ["PARTIALLY_ACTIVE", "PARTIAL_AGGREGATION_SUCCESS", "refresh", "optional"],
  ["PARTIALLY_ACTIVE", "PARTIAL_AGGREGATION_SUCCESS", "repair", "recommended", { refreshAttempts: 1 }],
  ["PARTIALLY_ACTIVE", "INACTIVE_DUPLICATE", "resolve_duplicate", "none"],
  ["UNDETERMINED", null, "refresh", "none"],
  ["IN_PROGRESS", null, "wait", "none"],
  ["EXPIRED", null, "new_connection", "optional"],
  ["DELETED", null, "none", "none"],
];

test("decide follows the product table through the wasm boundary", () => {
  for (const [status, reason, action, urgency, options] of TABLE) {
    const decision = decide(conn(status, reason), options);
    const label = `${status}/${reason} ${JSON.stringify(options ?? {})}`;
    assert.equal(decision.action, action, label);
    assert.equal(decision.urgency, urgency, label);
    assert.equal(decision.openWidget, action === "repair", label);
    assert.equal(decision.customerInvolved, ["repair", "contact_institution", "new_connection"].includes(action), label);
    assert.equal(decision.recognized, true, label);
    assert.equal(decision.connectionId, "conn_1");
    assert.equal(typeof decision.code, "string");
    assert.equal(decision.retryAfterSeconds === null, action !== "wait", label);
  }
});

test("the decision is a plain object with every documented field", () => {
  const decision = decide({ status: " reconnect_required ", statusReason: "login_required" });
  assert.deepEqual(decision, {
    connectionId: null,
    status: "RECONNECT_REQUIRED",
    statusReason: "LOGIN_REQUIRED",
    legacyStatus: null,
    rawStatus: " reconnect_required ",
    rawStatusReason: "login_required",
    recognized: true,
    reasonRecognized: true,
    action: "repair",
    openWidget: true,
    customerInvolved: true,
    urgency: "required",
    code: "login_required",
    retryAfterSeconds: null,
  });
  assert.equal(Object.getPrototypeOf(decision), Object.prototype);
});

test("unknown statuses and reasons are kept, never thrown", () => {
  const unknown = decide({ status: "Quantum_Flux", statusReason: "Tachyons" });
  assert.equal(unknown.recognized, false);
  assert.equal(unknown.action, "wait");
  assert.equal(unknown.status, "QUANTUM_FLUX");
  assert.equal(unknown.rawStatus, "Quantum_Flux");
  assert.equal(unknown.statusReason, "TACHYONS");
  assert.ok(unknown.retryAfterSeconds > 0);
  const unknownReason = decide({ status: "ACTIVE", statusReason: "TACHYONS" });
  assert.equal(unknownReason.recognized, true);
  assert.equal(unknownReason.reasonRecognized, false);
});

test("no reason is null, absent or empty alike", () => {
  for (const statusReason of [null, undefined, "", "   "]) {
    const decision = decide({ status: "ACTIVE", statusReason });
    assert.equal(decision.statusReason, null);
    assert.equal(decision.code, "healthy");
  }
});

test("legacy 2022-11-10 statuses", () => {
  const available = decide({ status: "RECONNECT_AVAILABLE" });
  assert.equal(available.status, "ACTIVE");
  assert.equal(available.statusReason, "ACCESS_EXPIRING_SOON");
  assert.equal(available.legacyStatus, "RECONNECT_AVAILABLE");
  assert.equal(available.urgency, "recommended");
  const actionRequired = decide({ status: "customer_action_required", statusReason: "TOKEN_EXPIRED" });
  assert.equal(actionRequired.status, "RECONNECT_REQUIRED");
  assert.equal(actionRequired.code, "token_expired");
});

test("extra fields are ignored", () => {
  const decision = decide({ status: "ACTIVE", accountId: 1, key: {}, regions: ["US"], createdAt: new Date() });
  assert.equal(decision.action, "none");
});

// [input, message fragment]: everything decide and explain must reject as INVALID_CONNECTION.
const BAD_CONNECTIONS = [
  [undefined, "connection must be an object, got undefined"],
  [null, "got null"],
  [42, "got a number"],
  ["ACTIVE", "got a string"],
  [true, "got a boolean"],
  [[{ status: "ACTIVE" }], "got an array"],
  [() => {}, "got a function"],
  [{}, "connection.status must be a string, got undefined"],
  [{ status: null }, "connection.status must be a string, got null"],
  [{ status: 3 }, "connection.status must be a string, got a number"],
  [{ status: "" }, "connection.status must not be empty"],
  [{ status: "  " }, "connection.status must not be empty"],
  [{ status: "ACTIVE", statusReason: 7 }, "connection.statusReason must be a string or null"],
  [{ status: "ACTIVE", institutionName: {} }, "connection.institutionName must be a string or null"],
  [{ get status() { throw new Error("boom"); } }, "reading connection.status threw"],
];

test("bad connections throw MeldRepairError INVALID_CONNECTION and never poison the module", () => {
  for (const [input, fragment] of BAD_CONNECTIONS) {
    for (const call of [decide, explain]) {
      assert.throws(
        () => call(input),
        (error) => {
          assert.ok(error instanceof MeldRepairError, "a MeldRepairError");
          assert.ok(error instanceof Error, "an Error");
          assert.equal(error.name, "MeldRepairError");
          assert.equal(error.code, "INVALID_CONNECTION");
          assert.equal(error.retryable, false);
          assert.ok(error.message.includes(fragment), `${error.message} ⊅ ${fragment}`);
          return true;
        },
      );
      assert.equal(decide({ status: "RECONNECT_REQUIRED" }).action, "repair", "the next call works");
    }
  }
});

test("bad options throw INVALID_OPTIONS", () => {
  for (const options of [42, "x", [], { refreshAttempts: -1 }, { refreshAttempts: 1.5 }, { refreshAttempts: "1" }, { refreshAttempts: NaN }]) {
    assert.throws(() => decide({ status: "ACTIVE" }, options), { code: "INVALID_OPTIONS" });
  }
  assert.throws(() => explain({ status: "ACTIVE" }, { locale: 1 }), { code: "INVALID_OPTIONS" });
  assert.equal(decide({ status: "DEGRADED" }, { refreshAttempts: 1e12 }).retryAfterSeconds, 86400, "huge counts saturate");
});

test("explain speaks English by default, with the institution's name", () => {
  const text = explain(conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED", { institutionName: "First Platypus Bank" }));
  assert.equal(text.title, "Sign in to First Platypus Bank again");
  assert.match(text.message, /First Platypus Bank/);
  assert.equal(text.actionLabel, "Reconnect");
  assert.equal(text.severity, "error");
  assert.equal(text.locale, "en");
  assert.equal(text.code, "login_required");
});

test("a name is trimmed of Unicode White_Space whichever path explain takes (every BMP character at both ends)", () => {
  // js/api.js joins names into remembered templates itself unless wasm would change the name;
  // the oracle is Unicode's White_Space, which Rust's trim uses.
  const trimmed = (name) => name.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
  // Names with a character of the right-to-left blocks or a bidi control go in isolated
  // (U+2068 … U+2069), as the README lists them.
  const bidi = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
  const placed = (name) => (bidi.test(name) ? `\u2068${name}\u2069` : name);
  for (let code = 0; code <= 0xffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const c = String.fromCharCode(code);
    for (const name of [`${c}Bank${c}`, `Bank${c}`, c]) {
      const expected = trimmed(name) === "" ? "Reconnect your bank" : `Reconnect ${placed(trimmed(name))}`;
      const { title } = explain({ status: "RECONNECT_REQUIRED", institutionName: name });
      if (title !== expected) assert.fail(`U+${code.toString(16).padStart(4, "0")} in ${JSON.stringify(name)}: ${JSON.stringify(title)}`);
    }
  }
  assert.equal(explain({ status: "ACTIVE", institutionName: "Ba\ud800nk" }).title, "Ba\ufffdnk is connected", "a lone surrogate");
});

test("remembered explanations are fresh objects and follow defineCopy", () => {
  const connection = conn("ACTIVE", null, { institutionName: "Flannel Bank" });
  const first = explain(connection);
  first.title = "changed by the app";
  assert.equal(explain(connection).title, "Flannel Bank is connected");
  defineCopy("en", { healthy: { title: "All good at {institution}" } });
  try {
    assert.equal(explain(connection).title, "All good at Flannel Bank");
    assert.equal(explain({ ...connection, institutionName: "Other Bank" }).title, "All good at Other Bank");
  } finally {
    resetCopy();
  }
  assert.equal(explain(connection).title, "Flannel Bank is connected");
});

test("explain without an institution name says 'your bank', capitalised at the start", () => {
  assert.equal(explain({ status: "ACTIVE" }).title, "Your bank is connected");
  assert.equal(explain({ status: "RECONNECT_REQUIRED", institutionName: "  " }).title, "Reconnect your bank");
  assert.equal(explain({ status: "ACTIVE" }, { locale: "es" }).title, "Tu banco está conectado");
});

test("locales: es, es-MX falls back to es, unknown falls back to en", () => {
  const c = conn("ACTIVE", "ACCESS_EXPIRING_SOON", { institutionName: "Banco Azul" });
  assert.equal(explain(c, { locale: "es" }).title, "Mantén Banco Azul conectado");
  assert.equal(explain(c, { locale: "es-MX" }).locale, "es");
  assert.equal(explain(c, { locale: "es_mx" }).title, "Mantén Banco Azul conectado");
  assert.equal(explain(c, { locale: "fr-CA" }).locale, "en");
  assert.equal(explain(c, { locale: "" }).locale, "en");
  assert.equal(explain(c, { locale: "fr-CA" }).title, "Keep Banco Azul connected");
});

test("severity from urgency; labels only when the customer acts", () => {
  const severity = (status, statusReason) => explain({ status, statusReason }).severity;
  assert.equal(severity("RECONNECT_REQUIRED"), "error");
  assert.equal(severity("ACTIVE", "ACCESS_EXPIRING_SOON"), "warning");
  assert.equal(severity("ACTIVE", "NEW_ACCOUNTS_AVAILABLE"), "info");
  assert.equal(severity("DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE"), "info");
  assert.equal(severity("DELETED"), "info");
  assert.equal(severity("ACTIVE"), "success");
  for (const { status, statusReason } of knownSituations()) {
    const c = { status, statusReason };
    assert.equal(explain(c).actionLabel !== null, decide(c).customerInvolved, `${status}/${statusReason}`);
  }
});

test("institution names with markup come back as the same plain text", () => {
  const name = "<img src=x onerror=alert(1)> Credit Union";
  assert.equal(explain({ status: "RECONNECT_REQUIRED", institutionName: name }).title, `Reconnect ${name}`);
});

test("every known situation has its own wording in both locales", () => {
  const situations = knownSituations();
  assert.ok(situations.length >= 20);
  for (const locale of ["en", "es"]) {
    const messages = new Set();
    for (const situation of situations) {
      const text = explain({ ...situation, institutionName: "Acme" }, { locale });
      assert.equal(text.locale, locale);
      assert.ok(text.title.length > 0 && text.message.length > 0);
      messages.add(text.message);
    }
    assert.equal(messages.size, situations.length, `${locale}: one message per situation`);
  }
});

test("defineCopy overrides a field, adds a locale with a fallback, and resets", () => {
  try {
    defineCopy("en", { login_required: { title: "Hey, {institution} misses you" } });
    const c = conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED", { institutionName: "Acme" });
    assert.equal(explain(c).title, "Hey, Acme misses you");
    assert.match(explain(c).message, /sign-in details for Acme/, "the message is inherited");

    defineCopy("fr", { login_required: { title: "Reconnectez {institution}", actionLabel: "Reconnecter" } }, { fallback: "es", yourInstitution: "votre banque" });
    const fr = explain(conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED"), { locale: "fr-FR" });
    assert.equal(fr.locale, "fr");
    assert.equal(fr.title, "Reconnectez votre banque");
    assert.equal(fr.actionLabel, "Reconnecter");
    assert.match(fr.message, /^Tus datos de acceso a votre banque/, "missing text falls back to es");

    defineCopy("en", { expired: { actionLabel: null } });
    assert.equal(explain({ status: "EXPIRED" }).actionLabel, null, "a label can be removed");
  } finally {
    resetCopy();
  }
  assert.equal(explain(conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED")).title, "Sign in to your bank again");
});

test("defineCopy rejects bad input with INVALID_COPY", () => {
  const bad = [
    [1, {}],
    ["", {}],
    ["fr", null],
    ["fr", []],
    ["fr", { login_requird: { title: "typo" } }],
    ["fr", { login_required: "text" }],
    ["fr", { login_required: { title: 5 } }],
    ["fr", {}, { fallback: 1 }],
  ];
  for (const args of bad) {
    assert.throws(() => defineCopy(...args), { name: "MeldRepairError", code: "INVALID_COPY" }, JSON.stringify(args));
  }
  assert.equal(explain({ status: "ACTIVE" }, { locale: "fr" }).locale, "en", "nothing was defined");
});

test("advise fresh_data", () => {
  const op = (status, reason) => advise(conn(status, reason), "fresh_data").operation;
  for (const status of ["ACTIVE", "PARTIALLY_ACTIVE", "UNDETERMINED"]) assert.equal(op(status), "refresh");
  // Where decide says the customer must act or the outage must end, a billed refresh cannot deliver.
  assert.equal(op("DEGRADED"), "wait");
  assert.equal(op("DEGRADED", "INSTITUTION_CURRENTLY_UNAVAILABLE"), "wait");
  assert.equal(op("DEGRADED", "INTERACTIVE_REFRESH"), "repair");
  assert.equal(op("DEGRADED", "INSTITUTION_ACTION_REQUIRED"), "none");
  assert.equal(op("ACTIVE", "ACCESS_EXPIRING_SOON"), "refresh");
  assert.equal(op("RECONNECT_REQUIRED"), "repair");
  assert.equal(op("UNRECOVERABLE"), "repair");
  assert.equal(op("IN_PROGRESS"), "wait");
  assert.equal(op("EXPIRED"), "new_connection");
  assert.equal(op("DELETED"), "new_connection");
  const refresh = advise(conn("ACTIVE"), "fresh_data");
  assert.equal(refresh.endpoint, "POST /bank-linking/connections/{connectionId}/refresh");
  assert.equal(refresh.path, "POST /bank-linking/connections/conn_1/refresh");
  assert.equal(refresh.customerInvolved, false);
  assert.match(refresh.note, /never schedule/i);
  assert.match(refresh.note, /bill/i);
});

test("advise add_products by provider and the MX pairing rule", () => {
  const withProvider = (serviceProvider, products = ["TRANSACTIONS"], status = "ACTIVE") =>
    conn(status, null, { products, serviceProviderDetails: { serviceProvider } });
  const op = (c, products) => advise(c, "add_products", { products }).operation;
  assert.equal(op(withProvider("PLAID"), ["TRANSACTIONS"]), "none", "already present");
  assert.equal(op(conn("ACTIVE", null, { optionalProducts: ["OWNERS"] }), ["owners"]), "none", "optional products count");
  for (const p of ["PLAID", "FINICITY", "AKOYA", "plaid"]) assert.equal(op(withProvider(p), ["OWNERS"]), "update", p);
  for (const p of ["YODLEE", "SALT_EDGE", "SALTEDGE", "Salt Edge Partners", "SALT_EDGE_OPEN_BANKING", "MESH"]) {
    assert.equal(op(withProvider(p), ["OWNERS"]), "new_connection", p);
  }
  assert.equal(op(withProvider("MX", ["TRANSACTIONS"]), ["INVESTMENT_TRANSACTIONS"]), "update");
  assert.equal(op(withProvider("MX", ["INVESTMENT_TRANSACTIONS"]), ["TRANSACTIONS"]), "update");
  assert.equal(op(withProvider("MX", ["BALANCES"]), ["INVESTMENT_TRANSACTIONS"]), "new_connection");
  assert.equal(op(withProvider("MX", ["INVESTMENT_HOLDINGS"]), ["OWNERS"]), "update");
  assert.equal(op(withProvider("MX", ["BALANCES"]), ["OWNERS"]), "new_connection");
  const unknown = advise(withProvider("NEWCO"), "add_products", { products: ["OWNERS"] });
  assert.equal(unknown.operation, "update");
  assert.match(unknown.note, /repair/);
  assert.equal(op(withProvider(null), ["OWNERS"]), "update");
  assert.equal(op(withProvider("PLAID", [], "EXPIRED"), ["OWNERS"]), "new_connection", "terminal");
  assert.equal(op(withProvider("PLAID", [], "DELETED"), ["OWNERS"]), "new_connection", "terminal");
  assert.equal(advise(withProvider("PLAID"), "add_products", { products: ["OWNERS"] }).endpoint, "POST /bank-linking/connections/{connectionId}/update");
  for (const products of [undefined, [], ["SPACESHIPS"], "OWNERS", [1]]) {
    assert.throws(() => advise(withProvider("PLAID"), "add_products", { products }), { code: "INVALID_OPTIONS" });
  }
});

test("advise remove, fix and migrate", () => {
  const removal = advise(conn("ACTIVE"), "remove");
  assert.equal(removal.operation, "delete");
  assert.match(removal.note, /duplicates/);
  const dupes = advise(conn("ACTIVE", null, { duplicateConnectionIds: ["conn_1", "conn_2"] }), "remove");
  assert.match(dupes.note, /inactive duplicates first/);
  assert.equal(advise(conn("DELETED"), "remove").operation, "none");

  const fix = advise(conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED"), "fix");
  assert.equal(fix.operation, "repair");
  assert.equal(fix.customerInvolved, true);
  assert.equal(fix.endpoint, "POST /bank-linking/connect/repair");
  assert.deepEqual(fix.decision, decide(conn("RECONNECT_REQUIRED", "LOGIN_REQUIRED")));
  assert.equal(advise(conn("PARTIALLY_ACTIVE", "PARTIAL_AGGREGATION_SUCCESS"), "fix").operation, "refresh");
  assert.equal(advise(conn("PARTIALLY_ACTIVE", "PARTIAL_AGGREGATION_SUCCESS"), "fix", { refreshAttempts: 2 }).operation, "repair");
  assert.equal(advise(conn("DEGRADED"), "fix").operation, "wait");
  assert.equal(advise(conn("EXPIRED"), "fix").operation, "new_connection");
  assert.equal(advise(conn("ACTIVE"), "fix").operation, "none");

  const migrate = (serviceProvider) => advise({ serviceProviderDetails: { serviceProvider } }, "migrate").operation;
  assert.equal(migrate("PLAID"), "import");
  assert.equal(migrate("akoya"), "import");
  assert.equal(migrate("MX"), "new_connection");
  assert.equal(advise({ serviceProviderDetails: { serviceProvider: "PLAID" } }, "migrate").endpoint, "POST /bank-linking/connections/import");
});

test("advise reads the rest of the connection and rejects wrong types", () => {
  const bad = [
    [{ status: "ACTIVE", products: "TRANSACTIONS" }, "connection.products must be an array of strings"],
    [{ status: "ACTIVE", products: [1] }, "connection.products must be an array of strings"],
    [{ status: "ACTIVE", optionalProducts: {} }, "connection.optionalProducts must be an array of strings"],
    [{ status: "ACTIVE", duplicateConnectionIds: "c2" }, "connection.duplicateConnectionIds must be an array of strings"],
    [{ status: "ACTIVE", serviceProviderDetails: "PLAID" }, "connection.serviceProviderDetails must be an object"],
    [{ status: "ACTIVE", serviceProviderDetails: { serviceProvider: 1 } }, "connection.serviceProviderDetails.serviceProvider"],
  ];
  for (const [connection, fragment] of bad) {
    assert.throws(() => advise(connection, "remove"), (error) => error.code === "INVALID_CONNECTION" && error.message.includes(fragment), fragment);
  }
  assert.equal(decide({ status: "ACTIVE", products: "junk" }).action, "none", "decide ignores what it does not read");
});

test("advise rejects unknown intents with INVALID_INTENT", () => {
  for (const intent of ["refresh", "FIX", "", undefined, null, 3, {}]) {
    assert.throws(() => advise(conn("ACTIVE"), intent), (error) => error instanceof MeldRepairError && error.code === "INVALID_INTENT");
  }
  assert.throws(() => advise({}, "fix"), { code: "INVALID_CONNECTION" }, "status is required except to migrate");
});

test("MeldRepairError's retryable defaults to what the Rust error table says of the code", () => {
  assert.equal(new MeldRepairError("TOKEN_ENDPOINT_FAILED", "x").retryable, true);
  assert.equal(new MeldRepairError("INVALID_OPTIONS", "x").retryable, false);
  assert.equal(new MeldRepairError("TOKEN_ENDPOINT_FAILED", "x", false).retryable, false, "an error may say otherwise");
  assert.equal(new MeldRepairError("SOMETHING_ELSE", "x").retryable, false);
  let thrown;
  try {
    decide({ status: 7 });
  } catch (error) {
    thrown = error;
  }
  assert.deepEqual([thrown instanceof MeldRepairError, thrown.code, thrown.retryable], [true, "INVALID_CONNECTION", false]);
});
